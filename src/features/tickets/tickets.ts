import { randomInt } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import {
  createTicket as createSchema, similarTicketsQuery as similarSchema, ticketActionRequest,
  type CreateTicket, type SimilarTicket, type TicketActionBody, type TicketDto, type TicketEventDto, type TicketListQuery, type TicketSummary,
} from '../../../contracts/ticket-api.ts';
import { photoThumbUrl, photoUrl } from '../../../contracts/photos.ts';
import {
  defaultTicketDeadlinePolicy, ticketActionLabels, ticketDeadlinePolicy, ticketHandlingStates, ticketHeldStates,
  type DeadlineMark, type SuperviseLevel, type TicketActorRole, type TicketDeadlinePolicy,
} from '../../../contracts/tickets.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { pathUnder } from '../../db/paths.ts';
import type { TicketsTable } from '../../db/schema.ts';
import { AppError, notFound } from '../../errors.ts';
import { blindIndex, decrypt, maskName, sealPhone, type PersonalDataKey } from '../../lib/personal-data.ts';
import { chinaDayStart } from '../../lib/workdays.ts';
import { activityScope } from '../activities/scope.ts';
import { recordAudit } from '../audit/audit.ts';
import { assertCan, can, isUnder, type Actor } from '../auth/actor.ts';
import { notifyUnitUsers, notifyUsers } from '../notifications/notifications.ts';
import { unusablePhotos } from '../photos/photos.ts';
import { regionScope } from '../regions/regions.ts';
import { parseInput } from '../targets/targets.ts';
import { deadlineMark, handlingWorkingDays } from './deadlines.ts';
import { allowedActions, nextState, type TicketCommand, type TicketPatch, type TicketSnapshot, type Transition } from './machine.ts';

// Tickets (工单 / 问题台账): registering, acting through the state machine (machine.ts), reading
// and the ledger. Every change is one transaction: the ticket row (locked), one immutable event,
// and what the action implies (supervision notice, assisting unit, attachments, notifications,
// audit). Measures, the public page, configuration, the scheduler and Open311 build on these.

type TicketRow = Selectable<TicketsTable>;
const DAY = 86_400_000;
const invalid = (field: string, message: string) => new AppError('VALIDATION_FAILED', message, { field, fields: [{ field, message }] });

// ── Scope and policy ─────────────────────────────────────────────────────────────────────────

/**
 * Who sees a ticket:
 * - an account tied to a unit: tickets its unit (or a unit below it) handles, assists with, or
 *   registered/found (finder_unit_path);
 * - an account scoped by region only: tickets about a place in its region;
 * - an unscoped account: every ticket.
 */
export function ticketScope(actor: Actor, alias = 't') {
  const { regionPath, unitPath } = actor.scope;
  if (unitPath !== null) {
    return sql<boolean>`(${pathUnder(`${alias}.handling_unit_path`, unitPath)} or ${pathUnder(`${alias}.finder_unit_path`, unitPath)}
      or exists (select 1 from ticket_assisting_units au where au.ticket_id = ${sql.ref(`${alias}.id`)} and ${pathUnder('au.unit_path', unitPath)}))`;
  }
  if (regionPath !== null) return pathUnder(`${alias}.region_path`, regionPath);
  return sql<boolean>`true`;
}

/** The deadline policy in force (ticket_settings row 1), or the defaults. */
export async function loadPolicy(db: Executor): Promise<TicketDeadlinePolicy> {
  const row = await db.selectFrom('ticket_settings').select('policy').where('id', '=', 1).executeTakeFirst();
  const parsed = ticketDeadlinePolicy.safeParse(row?.policy);
  return parsed.success ? parsed.data : defaultTicketDeadlinePolicy;
}

/** Tracking codes are read out on the phone: no 0/O, 1/I/L, U. */
const codeAlphabet = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
export const newTrackingCode = () => `LX${Array.from({ length: 8 }, () => codeAlphabet[randomInt(codeAlphabet.length)]).join('')}`;
/** What a person typed as a tracking code, as stored: upper case, no spaces or dashes. */
export const normaliseTrackingCode = (s: string) => s.replace(/[\s-]/g, '').toUpperCase();

const chinaTime = (d: Date) =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false }).format(d);

// ── Acting ───────────────────────────────────────────────────────────────────────────────────

/** Who gives a command, as the machine and the event log need it. */
export type TicketBy = {
  role: TicketActorRole;
  userId: number | null;
  name: string;
  unitId: number | null;
  cadreId: number | null;
  /** When set, units named by the command must lie in this region (a county office dispatches within its county). */
  regionPath?: string | null;
};

const toSnapshot = (r: TicketRow): TicketSnapshot => ({
  id: r.id,
  state: r.state,
  type: r.type,
  urgency: r.urgency,
  handlingUnitId: r.handling_unit_id,
  foundByCadreId: r.found_by_cadre_id,
  dispatchedAt: r.dispatched_at,
  dueAt: r.due_at,
  reopenCount: r.reopen_count,
  pendingExtension: r.pending_extension_days === null ? null : { workingDays: r.pending_extension_days, requestedAt: r.pending_extension_at ?? r.updated_at },
});

/** The machine's patch as ticket columns. */
export function patchColumns(p: TicketPatch): Partial<Record<keyof TicketRow, unknown>> {
  const c: Partial<Record<keyof TicketRow, unknown>> = {};
  if (p.state !== undefined) c.state = p.state;
  if (p.handlingUnitId !== undefined) c.handling_unit_id = p.handlingUnitId;
  if (p.dispatchedAt !== undefined) c.dispatched_at = p.dispatchedAt;
  if (p.dueAt !== undefined) c.due_at = p.dueAt;
  if (p.signDueAt !== undefined) c.sign_due_at = p.signDueAt;
  if (p.signedAt !== undefined) c.signed_at = p.signedAt;
  if (p.resolvedOnTime !== undefined) c.resolved_on_time = p.resolvedOnTime;
  if (p.dueBeyondCalendar !== undefined) c.due_beyond_calendar = p.dueBeyondCalendar;
  if (p.reopenCount !== undefined) c.reopen_count = p.reopenCount;
  if (p.pendingExtension !== undefined) {
    c.pending_extension_days = p.pendingExtension?.workingDays ?? null;
    c.pending_extension_at = p.pendingExtension?.requestedAt ?? null;
  }
  if (p.closureType !== undefined) c.closure_type = p.closureType;
  if (p.resolvedAt !== undefined) c.resolved_at = p.resolvedAt;
  if (p.closedAt !== undefined) c.closed_at = p.closedAt;
  if (p.outcome !== undefined) c.outcome = p.outcome;
  if (p.rating !== undefined) c.rating = p.rating;
  if (p.mergedIntoId !== undefined) c.merged_into_id = p.mergedIntoId;
  return c;
}

/**
 * The columns derived from a transition beyond the machine's patch (the same rules the demo
 * loader follows): first dispatch, the handling unit's path, handling time, the stored deadline
 * mark, the reply, the rating's time and comment, the count of extensions.
 */
export function derivedColumns(
  row: Pick<TicketRow, 'first_dispatched_at' | 'created_at' | 'extension_count'>,
  command: TicketCommand,
  t: Transition,
  now: Date,
  policy: TicketDeadlinePolicy,
  unitPath: string | null,
): Partial<Record<keyof TicketRow, unknown>> {
  const c: Partial<Record<keyof TicketRow, unknown>> = {};
  if (t.patch.handlingUnitId !== undefined) c.handling_unit_path = t.patch.handlingUnitId === null ? null : unitPath;
  if (command.action === 'dispatch' || command.action === 'transfer') c.first_dispatched_at = row.first_dispatched_at ?? now;
  if (t.patch.dueAt) c.deadline_mark = deadlineMark(t.patch.dueAt, now, policy);
  if (t.patch.dueAt === null) c.deadline_mark = 'on_time';
  if (command.action === 'resolve' || command.action === 'fix_on_spot') {
    c.reply = command.reply.trim();
    c.handling_working_days = handlingWorkingDays(row.first_dispatched_at ?? row.created_at, now);
  }
  if (command.action === 'rate') {
    c.rated_at = now;
    c.rating_comment = command.comment?.trim() || null;
  }
  if (command.action === 'approve_extension') c.extension_count = row.extension_count + 1;
  return c;
}

const allowedList = (allowed: readonly string[]) =>
  allowed.length === 0 ? '您此时不能对此工单做任何操作' : `此时您可以：${allowed.map((a) => ticketActionLabels[a as keyof typeof ticketActionLabels]?.zh ?? a).join('、')}`;

async function unitFor(db: Executor, unitId: number, regionPath: string | null | undefined, field = 'unitId') {
  const unit = await db.selectFrom('units').select(['id', 'name', 'path', 'region_path']).where('id', '=', unitId).executeTakeFirst();
  if (!unit || (regionPath && !isUnder(unit.region_path, regionPath))) throw invalid(field, `单位（${unitId}）不存在或不在您的管辖范围内`);
  return unit;
}

/**
 * Apply one command to a ticket, trusted: no scope check (the caller has done it, or is the
 * requester or the scheduler). Locks the row, runs the state machine, writes the change, the
 * event and what follows from it. A refusal throws: 403 for the role or unit, 409 for the state
 * (listing what the actor may do instead), 400 for the input.
 */
export async function applyCommand(db: Executor, ticketId: number, command: TicketCommand, by: TicketBy, now: Date, attachmentIds: number[] = []): Promise<Transition> {
  return inTransaction(db, async (tx) => {
    const row = await tx.selectFrom('tickets').selectAll().where('id', '=', ticketId).forUpdate().executeTakeFirst();
    if (!row) throw notFound('工单', ticketId);
    const policy = await loadPolicy(tx);
    const t = nextState(toSnapshot(row), command, { role: by.role, unitId: by.unitId, cadreId: by.cadreId }, { now, policy });
    if (!t.ok) {
      const message = t.errorCode === 'VALIDATION_FAILED' ? t.message : `${t.message}。${allowedList(t.allowed)}`;
      throw new AppError(t.errorCode, message, {
        refusal: t.code, allowed: t.allowed, ...(t.field ? { field: t.field, fields: [{ field: t.field, message: t.message }] } : {}),
      });
    }
    const data: Record<string, unknown> = { ...t.event.data };
    let unitPath: string | null = null;
    if (command.action === 'dispatch' || command.action === 'transfer' || command.action === 'add_assisting_unit') {
      const unit = await unitFor(tx, command.unitId, by.regionPath);
      unitPath = unit.path;
      data.unitName = unit.name;
      if (command.action === 'add_assisting_unit') {
        const added = await tx.insertInto('ticket_assisting_units').values({ ticket_id: ticketId, unit_id: unit.id, unit_path: unit.path })
          .onConflict((oc) => oc.doNothing()).executeTakeFirst();
        if (Number(added.numInsertedOrUpdatedRows ?? 0) === 0) throw new AppError('CONFLICT', `${unit.name}已是此工单的协办单位`, { field: 'unitId' });
      }
    } else if (t.patch.handlingUnitId) {
      unitPath = row.handling_unit_path; // reopened to the same unit
    }
    if ((command.action === 'return' || command.action === 'transfer') && row.handling_unit_id) {
      data.fromUnitName = (await tx.selectFrom('units').select('name').where('id', '=', row.handling_unit_id).executeTakeFirst())?.name ?? null;
    }
    if (command.action === 'merge') {
      const into = await tx.selectFrom('tickets').select(['id', 'state', 'tracking_code']).where('id', '=', command.intoTicketId).executeTakeFirst();
      if (!into) throw invalid('intoTicketId', `要合并到的工单（${command.intoTicketId}）不存在或不在您的管辖范围内`);
      if (into.state === 'closed') throw new AppError('CONFLICT', `工单 ${into.tracking_code} 已关闭，不能合并到已关闭的工单`, { field: 'intoTicketId' });
      data.intoTrackingCode = into.tracking_code;
    }
    if (command.action === 'supervise') {
      const s = await tx.insertInto('ticket_supervisions').values({
        ticket_id: ticketId, level: command.level, automatic: by.role === 'system', due_at: row.due_at, note: command.note.trim(), issued_by: by.userId, issued_at: now,
      }).returning('id').executeTakeFirstOrThrow();
      data.supervisionId = s.id;
    }
    if (command.action === 'reply_supervision') {
      const supervisionId = (command as TicketCommand & { supervisionId?: number }).supervisionId;
      let q = tx.selectFrom('ticket_supervisions').select('id').where('ticket_id', '=', ticketId).where('replied_at', 'is', null);
      if (supervisionId) q = q.where('id', '=', supervisionId);
      const open = await q.orderBy('issued_at', 'desc').limit(1).executeTakeFirst();
      if (!open) throw new AppError('CONFLICT', supervisionId ? `督办（${supervisionId}）不存在或已回复` : '此工单没有待回复的督办', { field: 'supervisionId' });
      await tx.updateTable('ticket_supervisions').set({ reply: command.note.trim(), replied_by: by.userId, replied_at: now }).where('id', '=', open.id).execute();
      data.supervisionId = open.id;
    }

    await tx.updateTable('tickets').set({
      ...patchColumns(t.patch),
      ...derivedColumns(row, command, t, now, policy, unitPath),
      updated_at: now,
      version: sql<number>`version + 1`,
    } as never).where('id', '=', ticketId).execute();
    const event = await tx.insertInto('ticket_events').values({
      ticket_id: ticketId,
      seq: sql<number>`(select coalesce(max(seq), 0) + 1 from ticket_events where ticket_id = ${ticketId})`,
      action: command.action, from_state: t.event.from, to_state: t.event.to, actor_user_id: by.userId, actor_role: by.role, actor_name: by.name,
      at: now, note: t.event.note, data: JSON.stringify(data),
    }).returning('id').executeTakeFirstOrThrow();
    if (attachmentIds.length > 0) {
      await tx.insertInto('ticket_attachments').values(attachmentIds.map((photo_id) => ({ ticket_id: ticketId, photo_id, event_id: event.id })))
        .onConflict((oc) => oc.doNothing()).execute();
    }

    // Who must hear of it.
    const link = `/tickets/${ticketId}`;
    const newUnit = t.patch.handlingUnitId;
    if (newUnit && (command.action === 'dispatch' || command.action === 'transfer' || command.action === 'rate')) {
      await notifyUnitUsers(tx, newUnit, {
        kind: command.action === 'rate' ? 'ticket.reopened' : 'ticket.dispatched',
        title: command.action === 'rate' ? `工单 ${row.tracking_code} 群众不满意，已重办` : `新交办工单 ${row.tracking_code}：${row.title}`,
        body: t.patch.dueAt ? `办理期限：${chinaTime(t.patch.dueAt)}` : '', ticketId, link, dedupeKey: `ticket:${ticketId}:event:${event.id}`,
      });
    }
    if (command.action === 'add_assisting_unit') {
      await notifyUnitUsers(tx, command.unitId, { kind: 'ticket.assisting', title: `请协办工单 ${row.tracking_code}：${row.title}`, ticketId, link, dedupeKey: `ticket:${ticketId}:event:${event.id}` });
    }
    if (command.action === 'supervise' && row.handling_unit_id) {
      await notifyUnitUsers(tx, row.handling_unit_id, {
        kind: `ticket.supervised.${command.level}`, title: `工单 ${row.tracking_code} 收到${command.level === 'red' ? '红色' : '黄色'}督办`, body: command.note.trim(),
        ticketId, link, dedupeKey: `ticket:${ticketId}:event:${event.id}`,
      });
    }
    if (command.action === 'return' && row.created_by) {
      await notifyUsers(tx, [row.created_by], { kind: 'ticket.returned', title: `工单 ${row.tracking_code} 被退回`, body: command.reason.trim(), ticketId, link, dedupeKey: `ticket:${ticketId}:event:${event.id}` });
    }
    return t;
  });
}

/** The acting account's unit and display name (the machine and the event log need them). */
async function byOf(db: Executor, actor: Actor): Promise<TicketBy> {
  if (actor.role === 'system' || actor.userId === null) {
    return { role: 'system', userId: actor.userId, name: actor.username === 'system' ? '系统' : actor.username, unitId: null, cadreId: actor.cadreId };
  }
  const u = await db.selectFrom('users').select(['display_name', 'unit_id']).where('id', '=', actor.userId).executeTakeFirst();
  return { role: actor.role, userId: actor.userId, name: u?.display_name ?? actor.username, unitId: u?.unit_id ?? null, cadreId: actor.cadreId, regionPath: actor.scope.regionPath };
}

function commandOf(body: TicketActionBody): { command: TicketCommand; attachmentIds: number[] } {
  const { attachmentIds, version: _version, ...rest } = body as TicketActionBody & { attachmentIds?: number[] };
  return { command: rest as TicketCommand, attachmentIds: attachmentIds ?? [] };
}

/** An action on a ticket the actor can see (404 otherwise), at the version they saw. */
export async function actOnTicket(
  db: Executor, actor: Actor, key: PersonalDataKey, id: number, input: TicketActionBody & { version?: number }, opts: { now?: Date } = {},
): Promise<TicketDto> {
  const body = parseInput(ticketActionRequest, input);
  const now = opts.now ?? new Date();
  await inTransaction(db, async (tx) => {
    const row = await tx.selectFrom('tickets as t').select(['t.id', 't.version', 't.region_path', 't.handling_unit_path']).where('t.id', '=', id).where(ticketScope(actor)).forUpdate().executeTakeFirst();
    if (!row) throw notFound('工单', id);
    if (body.version !== undefined && body.version !== row.version) {
      throw new AppError('CONFLICT', '工单已被他人更新，请刷新后再操作', { field: 'version', currentVersion: row.version });
    }
    const { command, attachmentIds } = commandOf(body);
    if (command.action === 'merge') {
      const into = await tx.selectFrom('tickets as t').select('t.id').where('t.id', '=', command.intoTicketId).where(ticketScope(actor)).executeTakeFirst();
      if (!into) throw invalid('intoTicketId', `要合并到的工单（${command.intoTicketId}）不存在或不在您的管辖范围内`);
    }
    if (attachmentIds.length > 0) {
      const bad = await unusablePhotos(tx, actor, attachmentIds);
      if (bad.length > 0) throw invalid('attachmentIds', `附件照片不存在或不可用：${bad.join('、')}`);
    }
    await applyCommand(tx, id, command, await byOf(tx, actor), now, attachmentIds);
    await recordAudit(tx, actor, {
      action: `ticket.${command.action}`, entity: 'ticket', entityId: id, detail: command,
      where: { regionPath: row.region_path, unitPath: row.handling_unit_path },
    });
  });
  // A unit that returns or transfers a ticket no longer sees it; it still gets the result of its own action.
  return getTicket(db, actor, key, id, { now, scoped: false });
}

// ── Registering ──────────────────────────────────────────────────────────────────────────────

export type CreateOptions = { now?: Date; open311KeyId?: number; open311Token?: string; mediaUrl?: string };

/**
 * Register a ticket, and in the same transaction dispatch it (hotline intake) or fix it on the
 * spot (即知即改), when asked. Linked to the visit and the problem recorded on it when given.
 */
export async function createTicket(db: Executor, actor: Actor, key: PersonalDataKey, input: CreateTicket, opts: CreateOptions = {}): Promise<TicketDto> {
  assertCan(actor, 'ticket.register');
  const v = parseInput(createSchema, input);
  const now = opts.now ?? new Date();
  const id = await inTransaction(db, async (tx) => {
    const category = await tx.selectFrom('ticket_categories').select(['code', 'active']).where('code', '=', v.categoryCode).executeTakeFirst();
    if (!category) throw invalid('categoryCode', `未知的分类：${v.categoryCode}`);
    if (!category.active) throw invalid('categoryCode', `分类 ${v.categoryCode} 已停用，请选择其他分类`);
    const region = await tx.selectFrom('regions').select(['code', 'path']).where('code', '=', v.regionCode).where(regionScope(actor, 'regions.path')).executeTakeFirst();
    if (!region) throw invalid('regionCode', `区划（${v.regionCode}）不存在或不在您的管辖范围内`);
    const requester = v.requester;
    if (requester.targetId) {
      const target = await tx.selectFrom('contact_targets').select('id').where('id', '=', requester.targetId).where(regionScope(actor, 'contact_targets.region_path')).executeTakeFirst();
      if (!target) throw invalid('requester.targetId', `联系对象（${requester.targetId}）不存在或不在您的管辖范围内`);
    }
    if (v.campaignId) {
      const c = await tx.selectFrom('campaigns').select('id').where('id', '=', v.campaignId).executeTakeFirst();
      if (!c) throw invalid('campaignId', `活动（${v.campaignId}）不存在`);
    }
    let foundBy: number | null = null;
    if (v.activityId) {
      const a = await tx.selectFrom('activities as a').select(['a.id', 'a.campaign_id']).where('a.id', '=', v.activityId).where(activityScope(actor, 'a')).executeTakeFirst();
      if (!a) throw invalid('activityId', `工作记录（${v.activityId}）不存在或不在您的管辖范围内`);
      if (actor.cadreId) {
        const took = await tx.selectFrom('activity_participants').select('cadre_id').where('activity_id', '=', a.id).where('cadre_id', '=', actor.cadreId).executeTakeFirst();
        if (took) foundBy = actor.cadreId;
      }
      v.campaignId ??= a.campaign_id;
    } else if (actor.cadreId && (v.source === 'visit' || v.source === 'forum')) {
      foundBy = actor.cadreId;
    }
    if (v.problemId) {
      if (!v.activityId) throw invalid('problemId', '关联走访发现的问题时须同时给出工作记录（activityId）');
      const p = await tx.selectFrom('activity_problems').select(['id', 'ticket_id']).where('id', '=', v.problemId).where('activity_id', '=', v.activityId).executeTakeFirst();
      if (!p) throw invalid('problemId', `工作记录（${v.activityId}）上没有问题（${v.problemId}）`);
      if (p.ticket_id !== null) throw new AppError('CONFLICT', `问题（${v.problemId}）已转为工单（${p.ticket_id}）`, { field: 'problemId', ticketId: p.ticket_id });
    }
    if (v.attachmentIds.length > 0) {
      const bad = await unusablePhotos(tx, actor, v.attachmentIds);
      if (bad.length > 0) throw invalid('attachmentIds', `附件照片不存在或不可用：${bad.join('、')}`);
    }
    if (v.fixOnSpot && !foundBy) throw new AppError('FORBIDDEN', '只有发现问题的干部本人可以即知即改（需关联本人参加的工作记录，或来源为走访/座谈）', { field: 'fixOnSpot' });

    const phone = requester.phone ?? null;
    const sealed = phone ? sealPhone(key, phone.replace(/-/g, '')) : null;
    // A repeat request: the same requester asked about the same category in the 30 days before.
    let repeatOf: number | null = null;
    if (sealed || requester.targetId) {
      let q = tx.selectFrom('tickets').select('id').where('category_code', '=', v.categoryCode).where('created_at', '>=', new Date(now.getTime() - 30 * DAY)).where('created_at', '<=', now);
      q = q.where((eb) => eb.or([
        ...(sealed ? [eb('requester_phone_hash', '=', sealed.phone_hash)] : []),
        ...(requester.targetId ? [eb('requester_target_id', '=', requester.targetId)] : []),
      ]));
      repeatOf = (await q.orderBy('created_at', 'desc').limit(1).executeTakeFirst())?.id ?? null;
    }
    const by = await byOf(tx, actor);
    let inserted: { id: number } | undefined;
    for (let attempt = 0; !inserted; attempt++) {
      // A clash of random codes is rare (30^8); retry rather than fail the intake.
      const values = {
        tracking_code: newTrackingCode(), source: v.source, type: v.type, category_code: v.categoryCode, urgency: v.urgency, title: v.title, content: v.content,
        requester_target_id: requester.targetId ?? null, requester_name: requester.anonymous ? null : (requester.name ?? null), requester_anonymous: requester.anonymous,
        requester_phone_enc: sealed?.phone_enc ?? null, requester_phone_masked: sealed?.phone_masked ?? null, requester_phone_hash: sealed?.phone_hash ?? null,
        region_code: region.code, region_path: region.path, address: v.address, lat: v.lat ?? null, lng: v.lng ?? null,
        campaign_id: v.campaignId ?? null, activity_id: v.activityId ?? null, found_by_cadre_id: foundBy, finder_unit_path: actor.scope.unitPath,
        state: 'registered' as const, repeat_of_id: repeatOf, open311_key_id: opts.open311KeyId ?? null, open311_token: opts.open311Token ?? null,
        media_url: opts.mediaUrl ?? null, created_by: actor.userId, created_at: now, updated_at: now,
      };
      inserted = await tx.insertInto('tickets').values(values).onConflict((oc) => oc.column('tracking_code').doNothing()).returning('id').executeTakeFirst();
      if (!inserted && attempt > 5) throw new AppError('INTERNAL', '无法生成受理编号，请重试');
    }
    const ticketId = inserted.id;
    await tx.insertInto('ticket_events').values({
      ticket_id: ticketId, seq: 1, action: 'register', from_state: null, to_state: 'registered', actor_user_id: by.userId, actor_role: by.role, actor_name: by.name, at: now,
      note: null, data: JSON.stringify({ source: v.source, type: v.type, categoryCode: v.categoryCode, urgency: v.urgency, repeatOfId: repeatOf }),
    }).execute();
    if (v.attachmentIds.length > 0) {
      await tx.insertInto('ticket_attachments').values([...new Set(v.attachmentIds)].map((photo_id) => ({ ticket_id: ticketId, photo_id }))).execute();
    }
    if (v.problemId) await tx.updateTable('activity_problems').set({ ticket_id: ticketId }).where('id', '=', v.problemId).execute();
    if (v.dispatch) await applyCommand(tx, ticketId, { action: 'dispatch', unitId: v.dispatch.unitId, ...(v.dispatch.note ? { note: v.dispatch.note } : {}) }, by, now);
    if (v.fixOnSpot) await applyCommand(tx, ticketId, { action: 'fix_on_spot', closureType: v.fixOnSpot.closureType, reply: v.fixOnSpot.reply }, by, now);
    await recordAudit(tx, actor, {
      action: 'ticket.create', entity: 'ticket', entityId: ticketId,
      detail: { source: v.source, type: v.type, categoryCode: v.categoryCode, dispatchedTo: v.dispatch?.unitId ?? null, fixedOnSpot: Boolean(v.fixOnSpot) },
      where: { regionPath: region.path, unitPath: actor.scope.unitPath },
    });
    return ticketId;
  });
  return getTicket(db, actor, key, id, { now });
}

// ── Reading ──────────────────────────────────────────────────────────────────────────────────

function baseQuery(db: Executor, actor: Actor) {
  return db
    .selectFrom('tickets as t')
    .innerJoin('ticket_categories as cat', 'cat.code', 't.category_code')
    .innerJoin('regions as r', 'r.code', 't.region_code')
    .leftJoin('units as hu', 'hu.id', 't.handling_unit_id')
    .where(ticketScope(actor));
}

const summaryColumns = [
  't.id', 't.tracking_code', 't.title', 't.source', 't.type', 't.category_code', 'cat.name_zh as category_name', 't.urgency', 't.state', 't.region_code',
  'r.name as region_name', 't.address', 't.requester_name', 't.requester_anonymous', 't.requester_phone_masked', 't.handling_unit_id', 'hu.name as handling_unit_name',
  't.created_at', 't.dispatched_at', 't.due_at', 't.resolved_at', 't.closed_at', 't.deadline_mark', 't.outcome', 't.rating', 't.reopen_count', 't.pending_extension_days',
] as const;
/** The highest 督办 not yet replied to. */
const superviseLevelColumn = sql<SuperviseLevel | null>`(select case when bool_or(s.level = 'red') then 'red' when count(*) > 0 then 'yellow' end
  from ticket_supervisions s where s.ticket_id = t.id and s.replied_at is null)`.as('supervise_level');

type SummaryRow = {
  id: number; tracking_code: string; title: string; source: TicketRow['source']; type: TicketRow['type']; category_code: string; category_name: string;
  urgency: TicketRow['urgency']; state: TicketRow['state']; region_code: string; region_name: string; address: string; requester_name: string | null;
  requester_anonymous: boolean; requester_phone_masked: string | null; handling_unit_id: number | null; handling_unit_name: string | null; created_at: Date;
  dispatched_at: Date | null; due_at: Date | null; resolved_at: Date | null; closed_at: Date | null; deadline_mark: DeadlineMark; outcome: TicketRow['outcome'];
  rating: TicketRow['rating']; reopen_count: number; pending_extension_days: number | null; supervise_level: SuperviseLevel | null;
};

const iso = (d: Date | null) => d?.toISOString() ?? null;
const handling = new Set<string>(ticketHandlingStates);

function toSummary(r: SummaryRow, actor: Actor, now: Date, policy: TicketDeadlinePolicy): TicketSummary {
  // The stored mark is as of the scheduler's last pass; the row shows it as of now.
  const mark = handling.has(r.state) && r.due_at ? deadlineMark(r.due_at, now, policy) : r.deadline_mark;
  return {
    id: r.id,
    trackingCode: r.tracking_code,
    title: r.title,
    source: r.source,
    type: r.type,
    categoryCode: r.category_code,
    categoryName: r.category_name,
    urgency: r.urgency,
    state: r.state,
    regionCode: r.region_code,
    regionName: r.region_name,
    address: r.address,
    requesterName: r.requester_anonymous ? '匿名' : r.requester_name === null ? null : can(actor, 'ticket.revealPhone') ? r.requester_name : maskName(r.requester_name),
    requesterPhoneMasked: r.requester_phone_masked,
    handlingUnitId: r.handling_unit_id,
    handlingUnitName: r.handling_unit_name,
    createdAt: r.created_at.toISOString(),
    dispatchedAt: iso(r.dispatched_at),
    dueAt: iso(r.due_at),
    resolvedAt: iso(r.resolved_at),
    closedAt: iso(r.closed_at),
    deadlineMark: handling.has(r.state) ? mark : 'on_time',
    superviseLevel: r.supervise_level,
    outcome: r.outcome,
    rating: r.rating,
    reopenCount: r.reopen_count,
    pendingExtensionDays: r.pending_extension_days,
  };
}

export async function getTicket(db: Executor, actor: Actor, _key: PersonalDataKey, id: number, opts: { now?: Date; scoped?: boolean } = {}): Promise<TicketDto> {
  const now = opts.now ?? new Date();
  const row = await baseQuery(db, opts.scoped === false ? { ...actor, scope: { regionPath: null, unitPath: null } } : actor)
    .leftJoin('contact_targets as ct', 'ct.id', 't.requester_target_id')
    .leftJoin('cadres as fc', 'fc.id', 't.found_by_cadre_id')
    .select(summaryColumns)
    .select(superviseLevelColumn)
    .selectAll('t')
    .select(['ct.name as requester_target_name', 'fc.name as found_by_cadre_name'])
    .where('t.id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('工单', id);
  const policy = await loadPolicy(db);
  const [events, supervisions, assisting, attachments, by] = await Promise.all([
    db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', id).orderBy('seq').execute(),
    db.selectFrom('ticket_supervisions as s').leftJoin('users as iu', 'iu.id', 's.issued_by').leftJoin('users as ru', 'ru.id', 's.replied_by')
      .select(['s.id', 's.level', 's.automatic', 's.note', 's.issued_at', 's.due_at', 's.reply', 's.replied_at', 'iu.display_name as issued_by_name', 'ru.display_name as replied_by_name'])
      .where('s.ticket_id', '=', id).orderBy('s.issued_at').orderBy('s.id').execute(),
    db.selectFrom('ticket_assisting_units as au').innerJoin('units as u', 'u.id', 'au.unit_id').select(['u.id', 'u.name']).where('au.ticket_id', '=', id).orderBy('au.added_at').execute(),
    db.selectFrom('ticket_attachments as ta').innerJoin('photos as ph', 'ph.id', 'ta.photo_id').select(['ph.id', 'ph.has_thumbnail', 'ph.taken_at'])
      .where('ta.ticket_id', '=', id).orderBy('ta.added_at').orderBy('ph.id').execute(),
    byOf(db, actor),
  ]);
  const t = row as unknown as TicketRow;
  const link = await visibleLinks(db, actor, t, events);
  return {
    ...toSummary(row as SummaryRow, actor, now, policy),
    content: t.content,
    requesterTargetId: t.requester_target_id,
    requesterTargetName: row.requester_target_name ?? null,
    requesterAnonymous: t.requester_anonymous,
    lat: t.lat,
    lng: t.lng,
    campaignId: t.campaign_id,
    activityId: t.activity_id,
    foundByCadreId: t.found_by_cadre_id,
    foundByCadreName: row.found_by_cadre_name ?? null,
    signDueAt: iso(t.sign_due_at),
    signedAt: iso(t.signed_at),
    dueBeyondCalendar: t.due_beyond_calendar,
    closureType: t.closure_type,
    reply: t.reply,
    ratingComment: t.rating_comment,
    ratedAt: iso(t.rated_at),
    mergedIntoId: link.id(t.merged_into_id),
    repeatOfId: link.id(t.repeat_of_id),
    handlingWorkingDays: t.handling_working_days,
    assistingUnits: assisting,
    attachments: attachments.map((p) => ({ id: p.id, url: photoUrl(p.id), thumbUrl: p.has_thumbnail ? photoThumbUrl(p.id) : null, hasThumbnail: p.has_thumbnail, takenAt: iso(p.taken_at) })),
    mediaUrl: t.media_url,
    events: events.map((e): TicketEventDto => ({
      id: String(e.id), seq: e.seq, action: e.action, fromState: e.from_state, toState: e.to_state, actorRole: e.actor_role, actorName: e.actor_name,
      at: e.at.toISOString(), note: e.note, data: link.data(e.data),
    })),
    supervisions: supervisions.map((s) => ({
      id: s.id, level: s.level, automatic: s.automatic, note: s.note, issuedByName: s.automatic ? '系统' : (s.issued_by_name ?? null), issuedAt: s.issued_at.toISOString(),
      dueAt: iso(s.due_at), reply: s.reply, repliedByName: s.replied_by_name ?? null, repliedAt: iso(s.replied_at),
    })),
    allowedActions: allowedActions(toSnapshot(t), { role: by.role, unitId: by.unitId, cadreId: by.cadreId }, { now, policy }),
    version: t.version,
  };
}

/**
 * Links to other tickets (a repeat of, merged into), shown only when the caller may see the other
 * ticket: a repeat is found across regions and a merge target may be held by another unit, and a
 * ticket outside the caller's scope is not to be named (its id or tracking code), as if missing.
 */
async function visibleLinks(db: Executor, actor: Actor, t: TicketRow, events: { data: Record<string, unknown> }[]) {
  const linked = new Set<number>();
  for (const v of [t.repeat_of_id, t.merged_into_id, ...events.flatMap((e) => [e.data.repeatOfId, e.data.intoTicketId])]) if (typeof v === 'number') linked.add(v);
  const seen = linked.size === 0 ? new Set<number>() : new Set((await db.selectFrom('tickets as t').select('t.id')
    .where('t.id', '=', sql<number>`any(${[...linked]}::int[])`).where(ticketScope(actor)).execute()).map((r) => r.id));
  const hidden = (v: unknown) => typeof v === 'number' && !seen.has(v);
  return {
    id: (v: number | null) => (v !== null && seen.has(v) ? v : null),
    data: (d: Record<string, unknown>) => {
      if (!hidden(d.repeatOfId) && !hidden(d.intoTicketId)) return d;
      const { repeatOfId, intoTicketId, intoTrackingCode, ...rest } = d;
      return { ...rest, ...(hidden(repeatOfId) ? {} : { repeatOfId }), ...(hidden(intoTicketId) ? {} : { intoTicketId, intoTrackingCode }) };
    },
  };
}

/** The full phone number of the requester, for calling them back; audited. */
export async function revealRequesterPhone(db: Executor, actor: Actor, key: PersonalDataKey, id: number): Promise<{ id: number; phone: string | null }> {
  assertCan(actor, 'ticket.revealPhone');
  return inTransaction(db, async (tx) => {
    const row = await tx.selectFrom('tickets as t').select(['t.id', 't.requester_phone_enc', 't.region_path', 't.handling_unit_path']).where('t.id', '=', id).where(ticketScope(actor)).executeTakeFirst();
    if (!row) throw notFound('工单', id);
    await recordAudit(tx, actor, { action: 'personal_data.reveal', entity: 'ticket', entityId: id, detail: { field: 'requesterPhone' }, where: { regionPath: row.region_path, unitPath: row.handling_unit_path } });
    return { id, phone: row.requester_phone_enc ? decrypt(key, row.requester_phone_enc) : null };
  });
}

export type TicketFilter = Omit<TicketListQuery, 'page' | 'pageSize'>;

/** The actor's unit, for the inbox. */
async function actorUnitId(db: Executor, actor: Actor): Promise<number> {
  const u = actor.userId === null ? undefined : await db.selectFrom('users').select('unit_id').where('id', '=', actor.userId).executeTakeFirst();
  if (!u?.unit_id) throw invalid('inbox', '您的账号没有所属单位，没有待办工单');
  return u.unit_id;
}

/** The ledger's filters over the actor's tickets; each is an indexed column (migration 0007). */
export async function filteredTickets(db: Executor, actor: Actor, f: TicketFilter, now: Date = new Date()) {
  let q = baseQuery(db, actor);
  if (f.state === 'open') q = q.where('t.state', 'in', ticketHandlingStates);
  else if (f.state) q = q.where('t.state', '=', f.state);
  if (f.type) q = q.where('t.type', '=', f.type);
  if (f.source) q = q.where('t.source', '=', f.source);
  if (f.urgency) q = q.where('t.urgency', '=', f.urgency);
  if (f.category) {
    const category = f.category;
    q = q.where((eb) => eb.or([eb('t.category_code', '=', category), eb('t.category_code', 'like', `${category}.%`)]));
  }
  if (f.unitId) q = q.where('t.handling_unit_id', '=', f.unitId);
  if (f.region) {
    const region = await db.selectFrom('regions').select('path').where('code', '=', f.region).where(regionScope(actor, 'regions.path')).executeTakeFirst();
    if (!region) throw notFound('区划', f.region);
    q = q.where(pathUnder('t.region_path', region.path));
  }
  if (f.from && f.to && f.from > f.to) throw invalid('to', `结束日期（${f.to}）早于开始日期（${f.from}）`);
  if (f.from) q = q.where('t.created_at', '>=', chinaDayStart(f.from));
  if (f.to) q = q.where('t.created_at', '<', new Date(chinaDayStart(f.to).getTime() + DAY));
  if (f.mark === 'overdue') q = q.where('t.state', 'in', ticketHeldStates).where('t.due_at', '<', now);
  else if (f.mark === 'long_overdue') q = q.where('t.state', 'in', ticketHandlingStates).where('t.deadline_mark', '=', 'long_overdue');
  else if (f.mark === 'due_soon') q = q.where('t.state', 'in', ticketHandlingStates).where('t.deadline_mark', '=', 'due_soon').where('t.due_at', '>=', now);
  else if (f.mark === 'late') {
    q = q.where((eb) => eb.or([eb.and([eb('t.state', 'in', ticketHeldStates), eb('t.due_at', '<', now)]), eb('t.resolved_on_time', '=', false)]));
  }
  if (f.supervised === 'yes') q = q.where(sql<boolean>`exists (select 1 from ticket_supervisions s where s.ticket_id = t.id)`);
  if (f.supervised === 'unreplied') q = q.where(sql<boolean>`exists (select 1 from ticket_supervisions s where s.ticket_id = t.id and s.replied_at is null)`);
  if (f.q) {
    const code = normaliseTrackingCode(f.q);
    const words = f.q.replace(/[\\%_]/g, (c) => `\\${c}`);
    q = /^LX[0-9A-Z]{8}$/.test(code) ? q.where('t.tracking_code', '=', code) : q.where('t.title', 'ilike', `%${words}%`);
  }
  if (f.inbox === 'mine') {
    const unitId = await actorUnitId(db, actor);
    q = q.where((eb) => eb.or([
      eb('t.handling_unit_id', '=', unitId),
      eb.exists(eb.selectFrom('ticket_assisting_units as au').select('au.ticket_id').whereRef('au.ticket_id', '=', 't.id').where('au.unit_id', '=', unitId)),
    ]));
  }
  return q;
}

export async function listTickets(db: Executor, actor: Actor, f: TicketListQuery, opts: { now?: Date } = {}) {
  const now = opts.now ?? new Date();
  const q = await filteredTickets(db, actor, f, now);
  const [rows, count, policy] = await Promise.all([
    q.select(summaryColumns).select(superviseLevelColumn).orderBy('t.created_at', 'desc').orderBy('t.id', 'desc').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
    loadPolicy(db),
  ]);
  return { items: rows.map((r) => toSummary(r as SummaryRow, actor, now, policy)), total: count.n, page: f.page, pageSize: f.pageSize };
}

/**
 * Possible duplicates for the hotline operator, from the last 30 days: the same requester (phone
 * or contact target), the same place (region, and the address when given), or the same category
 * in the same region. Most reasons first.
 */
export async function similarTickets(db: Executor, actor: Actor, key: PersonalDataKey, input: unknown, opts: { now?: Date } = {}): Promise<SimilarTicket[]> {
  const f = parseInput(similarSchema, input);
  const now = opts.now ?? new Date();
  const phoneHash = f.phone ? blindIndex(key, f.phone.replace(/-/g, '')) : null;
  const reasons = [
    phoneHash || f.targetId
      ? sql<boolean>`(${phoneHash ? sql`t.requester_phone_hash = ${phoneHash}` : sql`false`} or ${f.targetId ? sql`t.requester_target_id = ${f.targetId}` : sql`false`})`
      : sql<boolean>`false`,
    f.regionCode ? (f.address ? sql<boolean>`(t.region_code = ${f.regionCode} and t.address = ${f.address})` : sql<boolean>`false`) : sql<boolean>`false`,
    f.categoryCode && f.regionCode ? sql<boolean>`(t.region_code = ${f.regionCode} and t.category_code = ${f.categoryCode})` : sql<boolean>`false`,
  ];
  if (!phoneHash && !f.targetId && !f.regionCode) return [];
  const rows = await baseQuery(db, actor)
    .select(['t.id', 't.tracking_code', 't.title', 't.state', 'cat.name_zh as category_name', 'r.name as region_name', 't.address', 't.created_at', 'hu.name as handling_unit_name'])
    .select([reasons[0]!.as('same_requester'), reasons[1]!.as('same_place'), reasons[2]!.as('same_category')])
    .where('t.created_at', '>=', new Date(now.getTime() - 30 * DAY))
    .where((eb) => eb.or([eb(reasons[0]!, '=', true), eb(reasons[1]!, '=', true), eb(reasons[2]!, '=', true)]))
    .where((eb) => eb.or([eb('t.outcome', 'is', null), eb('t.outcome', '!=', 'merged')]))
    .orderBy('t.created_at', 'desc')
    .limit(50)
    .execute();
  return rows
    .map((r) => ({
      id: r.id, trackingCode: r.tracking_code, title: r.title, state: r.state, categoryName: r.category_name, regionName: r.region_name, address: r.address,
      createdAt: r.created_at.toISOString(), handlingUnitName: r.handling_unit_name,
      reasons: [r.same_requester && 'same_requester', r.same_place && 'same_place', r.same_category && 'same_category'].filter(Boolean) as SimilarTicket['reasons'],
    }))
    .sort((a, b) => b.reasons.length - a.reasons.length)
    .slice(0, 10);
}

/** Every category, parents before their children, in their order. */
export async function listCategories(db: Executor) {
  const rows = await db.selectFrom('ticket_categories').selectAll().orderBy('sort').orderBy('code').execute();
  const byParent = new Map<string | null, typeof rows>();
  for (const r of rows) byParent.set(r.parent_code, [...(byParent.get(r.parent_code) ?? []), r]);
  const out: { code: string; parentCode: string | null; nameZh: string; nameEn: string; sort: number; active: boolean }[] = [];
  const walk = (parent: string | null) => {
    for (const r of byParent.get(parent) ?? []) {
      out.push({ code: r.code, parentCode: r.parent_code, nameZh: r.name_zh, nameEn: r.name_en, sort: r.sort, active: r.active });
      walk(r.code);
    }
  };
  walk(null);
  return out;
}

