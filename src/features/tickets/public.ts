import type { PublicRating, PublicTicket } from '../../../contracts/ticket-api.ts';
import type { TicketAction } from '../../../contracts/tickets.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import { decrypt, type PersonalDataKey } from '../../lib/personal-data.ts';
import { recordAudit } from '../audit/audit.ts';
import type { Actor } from '../auth/actor.ts';
import { applyCommand, normaliseTrackingCode } from './tickets.ts';

// The requester's public page (no login): follow a ticket by its tracking code and the last four
// digits of the phone given when it was registered, read the reply, rate it once. Nothing here
// names an official or shows an internal note. A wrong code and wrong digits get the same answer,
// so the page does not tell which tracking codes exist; after MAX_FAILURES wrong tries on one code
// it is locked for LOCK_MINUTES, which makes guessing 10,000 combinations impractical.

export const MAX_FAILURES = 5;
export const LOCK_MINUTES = 15;

/** Raised when a code is locked; the route answers 429 (no AppError code maps to it). */
export class PublicLockedError extends Error {
  constructor(readonly lockedUntil: Date) {
    super(`查询错误次数过多，该受理编号已锁定，请于 ${lockTime.format(lockedUntil)} 后再试`);
    this.name = 'PublicLockedError';
  }
}
const lockTime = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });

const NOT_FOUND_MESSAGE = '没有找到该工单：请核对受理编号和登记时所留电话号码的后4位';
const notFoundPublic = () => new AppError('NOT_FOUND', NOT_FOUND_MESSAGE);

/**
 * The events the requester sees, by their action key (the page labels them in either language);
 * the rest (supervision, extensions asked or refused, assisting units) are internal.
 */
const publicActions = new Set<string>([
  'register', 'dispatch', 'transfer', 'return', 'sign', 'start', 'resolve', 'fix_on_spot', 'approve_extension', 'rate', 'close', 'merge',
] satisfies (TicketAction | 'register')[]);

const digitsOf = (phone: string) => phone.replace(/\D/g, '');

/**
 * Checks the code and the digits. A wrong try is counted on the ticket (in its own statement, so
 * the count survives the error); the MAX_FAILURES-th locks the code. A right one clears the count.
 * Returns the ticket's id.
 */
async function verify(db: Executor, key: PersonalDataKey, code: string, last4: string, now: Date): Promise<number> {
  const t = await db
    .selectFrom('tickets')
    .select(['id', 'requester_phone_enc', 'public_failures', 'public_locked_until'])
    .where('tracking_code', '=', normaliseTrackingCode(code))
    .executeTakeFirst();
  // A ticket without a phone cannot be followed publicly: answered like an unknown code.
  if (!t || t.requester_phone_enc === null) throw notFoundPublic();
  if (t.public_locked_until !== null && t.public_locked_until.getTime() > now.getTime()) throw new PublicLockedError(t.public_locked_until);
  if (digitsOf(decrypt(key, t.requester_phone_enc)).slice(-4) !== last4) {
    const lockUntil = new Date(now.getTime() + LOCK_MINUTES * 60_000);
    await db
      .updateTable('tickets')
      .set((eb) => ({
        public_failures: eb.case().when('public_failures', '>=', MAX_FAILURES - 1).then(0).else(eb('public_failures', '+', 1)).end(),
        public_locked_until: eb.case().when('public_failures', '>=', MAX_FAILURES - 1).then(lockUntil).else(eb.ref('public_locked_until')).end(),
      }))
      .where('id', '=', t.id)
      .execute();
    throw notFoundPublic();
  }
  if (t.public_failures > 0 || t.public_locked_until !== null) {
    await db.updateTable('tickets').set({ public_failures: 0, public_locked_until: null }).where('id', '=', t.id).execute();
  }
  return t.id;
}

async function load(db: Executor, id: number): Promise<PublicTicket> {
  const t = await db
    .selectFrom('tickets as t')
    .leftJoin('ticket_categories as c', 'c.code', 't.category_code')
    .leftJoin('units as u', 'u.id', 't.handling_unit_id')
    .select([
      't.tracking_code', 't.title', 't.type', 't.state', 't.created_at', 't.due_at', 't.resolved_at', 't.closure_type', 't.reply', 't.rating',
      't.rating_comment', 'c.name_zh as category_name', 'u.name as unit_name',
    ])
    .where('t.id', '=', id)
    .executeTakeFirstOrThrow();
  const events = await db.selectFrom('ticket_events').select(['action', 'to_state', 'at']).where('ticket_id', '=', id).orderBy('seq').execute();
  // The reply and the deadline belong to the current round: a reopened ticket shows neither until resolved again.
  const resolved = t.resolved_at !== null;
  return {
    trackingCode: t.tracking_code,
    title: t.title,
    type: t.type,
    categoryName: t.category_name ?? '',
    state: t.state,
    createdAt: t.created_at.toISOString(),
    handlingUnitName: t.unit_name,
    dueAt: t.due_at?.toISOString() ?? null,
    resolvedAt: t.resolved_at?.toISOString() ?? null,
    closureType: resolved ? t.closure_type : null,
    reply: resolved ? t.reply : null,
    rating: t.rating,
    ratingComment: t.rating_comment,
    canRate: t.state === 'resolved',
    timeline: events.filter((e) => publicActions.has(e.action)).map((e) => ({ at: e.at.toISOString(), action: e.action, toState: e.to_state })),
  };
}

/** GET /public/tickets/:code?phone=1234 */
export async function publicTicket(db: Executor, key: PersonalDataKey, code: string, last4: string, now = new Date()): Promise<PublicTicket> {
  return load(db, await verify(db, key, code, last4, now));
}

/**
 * The requester rates the reply, once: satisfied or basically satisfied closes the ticket; the
 * first unsatisfied rating reopens it. A second rating is refused by the machine (409: the ticket
 * is no longer resolved). Audited as the requester, from the caller's address.
 */
export async function ratePublicTicket(
  db: Executor, key: PersonalDataKey, code: string, body: PublicRating, opts: { now?: Date; ip?: string | null } = {},
): Promise<PublicTicket> {
  const now = opts.now ?? new Date();
  const id = await verify(db, key, code, body.phone, now);
  await inTransaction(db, async (tx) => {
    const comment = body.comment?.trim() ? body.comment.trim() : undefined;
    await applyCommand(tx, id, { action: 'rate', rating: body.rating, ...(comment ? { comment } : {}) }, { role: 'public', userId: null, name: '诉求人', unitId: null, cadreId: null }, now);
    const place = await tx.selectFrom('tickets').select(['region_path', 'handling_unit_path', 'state']).where('id', '=', id).executeTakeFirstOrThrow();
    const requester: Actor = { userId: null, username: '诉求人（公开查询页）', role: 'system', scope: { regionPath: null, unitPath: null }, ip: opts.ip ?? null, cadreId: null };
    await recordAudit(tx, requester, {
      action: 'ticket.rate', entity: 'ticket', entityId: id, detail: { via: 'public', rating: body.rating, state: place.state },
      where: { regionPath: place.region_path, unitPath: place.handling_unit_path },
    });
  });
  return load(db, id);
}
