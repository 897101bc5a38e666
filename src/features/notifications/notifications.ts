import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';

// In-app notifications (站内通知). A notification goes to accounts, not to units or roles, so a
// person sees what was sent to them even after they move. A dedupe key makes a repeated send (a
// retried transaction, a second scheduler pass) a no-op.

export type NewNotification = {
  kind: string;
  title: string;
  body?: string;
  ticketId?: number | null;
  link?: string | null;
  /** Unique per recipient; null sends every time. */
  dedupeKey?: string | null;
};

/** One notification to each of the given accounts. */
export async function notifyUsers(db: Executor, userIds: readonly number[], n: NewNotification): Promise<number> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return 0;
  const rows = ids.map((user_id) => ({
    user_id, kind: n.kind, title: n.title, body: n.body ?? '', ticket_id: n.ticketId ?? null, link: n.link ?? null, dedupe_key: n.dedupeKey ?? null,
  }));
  const res = await db
    .insertInto('notifications')
    .values(rows)
    .onConflict((oc) => oc.columns(['user_id', 'dedupe_key']).where('dedupe_key', 'is not', null).doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0);
}

/** The accounts that act for a unit on tickets: its handling-department and unit-leader accounts. */
export async function unitTicketUsers(db: Executor, unitId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('unit_id', '=', unitId)
    .where('role', 'in', ['handling_dept', 'unit_leader'])
    .where('disabled', '=', false)
    .execute();
  return rows.map((r) => r.id);
}

/** Notify the accounts acting for a unit (see unitTicketUsers). */
export async function notifyUnitUsers(db: Executor, unitId: number, n: NewNotification): Promise<number> {
  return notifyUsers(db, await unitTicketUsers(db, unitId), n);
}

/** Supervisors whose region scope covers a region path (or who are unscoped). */
export async function supervisorsOver(db: Executor, regionPath: string): Promise<number[]> {
  const rows = await db
    .selectFrom('users as u')
    .leftJoin('regions as r', 'r.code', 'u.region_code')
    .select('u.id')
    .where('u.role', '=', 'supervisor')
    .where('u.disabled', '=', false)
    .where(sql<boolean>`(r.path is null or ${regionPath} = r.path or ${regionPath} like r.path || '/%')`)
    .execute();
  return rows.map((r) => r.id);
}
