import { sql } from 'kysely';
import type { NotificationDto } from '../../../contracts/ticket-api.ts';
import type { Executor } from '../../db/database.ts';
import { notFound } from '../../errors.ts';
import type { Actor } from '../auth/actor.ts';

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

// ── Reading one's own notifications (the API) ─────────────────────────────────────────────────
// Each account sees only what was sent to it: another account's notification answers like a
// missing one (404). Marking read is personal state, like a session, so it is not audited.

export type NotificationListQuery = { unread?: boolean; page: number; pageSize: number };

const notificationColumns = ['id', 'kind', 'title', 'body', 'ticket_id', 'link', 'created_at', 'read_at'] as const;
type NotificationRow = { id: string; kind: string; title: string; body: string; ticket_id: number | null; link: string | null; created_at: Date; read_at: Date | null };
const toDto = (r: NotificationRow): NotificationDto => ({
  id: String(r.id), kind: r.kind, title: r.title, body: r.body, ticketId: r.ticket_id, link: r.link,
  createdAt: r.created_at.toISOString(), readAt: r.read_at?.toISOString() ?? null,
});

/** The caller's notifications, newest first; `unread` keeps the unread ones only. */
export async function listNotifications(db: Executor, actor: Actor, q: NotificationListQuery) {
  const empty = { items: [] as NotificationDto[], total: 0, page: q.page, pageSize: q.pageSize };
  if (actor.userId === null) return empty;
  let base = db.selectFrom('notifications').where('user_id', '=', actor.userId);
  if (q.unread) base = base.where('read_at', 'is', null);
  const [rows, count] = await Promise.all([
    base.select(notificationColumns).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.pageSize).offset((q.page - 1) * q.pageSize).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toDto), total: Number(count.n), page: q.page, pageSize: q.pageSize };
}

/** How many of the caller's notifications are unread (the bell's badge). */
export async function unreadCount(db: Executor, actor: Actor): Promise<{ count: number }> {
  if (actor.userId === null) return { count: 0 };
  const r = await db.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', actor.userId).where('read_at', 'is', null).executeTakeFirstOrThrow();
  return { count: Number(r.n) };
}

/** Marks one of the caller's notifications read (again: keeps the first reading time). */
export async function markNotificationRead(db: Executor, actor: Actor, id: string, now = new Date()): Promise<NotificationDto> {
  if (actor.userId === null) throw notFound('通知', id);
  const row = await db.updateTable('notifications').set({ read_at: sql<Date>`coalesce(read_at, ${now})` })
    .where('id', '=', id).where('user_id', '=', actor.userId).returning(notificationColumns).executeTakeFirst();
  if (!row) throw notFound('通知', id);
  return toDto(row);
}

/** Marks every unread notification of the caller read; returns how many. */
export async function markAllNotificationsRead(db: Executor, actor: Actor, now = new Date()): Promise<{ updated: number }> {
  if (actor.userId === null) return { updated: 0 };
  const r = await db.updateTable('notifications').set({ read_at: now })
    .where('user_id', '=', actor.userId).where('read_at', 'is', null).executeTakeFirst();
  return { updated: Number(r.numUpdatedRows) };
}
