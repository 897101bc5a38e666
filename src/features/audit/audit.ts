import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { Actor } from '../auth/actor.ts';

export type AuditEvent = { action: string; entity: string; entityId?: string | number | null; detail?: unknown };

/** Every write and every unmasked view of personal data goes through here, in the same transaction. */
export async function recordAudit(db: Executor, actor: Actor, event: AuditEvent): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      user_id: actor.userId,
      username: actor.username,
      ip: actor.ip,
      action: event.action,
      entity: event.entity,
      entity_id: event.entityId == null ? null : String(event.entityId),
      detail: event.detail === undefined ? null : JSON.stringify(event.detail),
    })
    .execute();
}

export type AuditFilter = {
  action?: string | undefined;
  entity?: string | undefined;
  entityId?: string | undefined;
  userId?: number | undefined;
  page: number;
  pageSize: number;
};

export async function listAudit(db: Executor, filter: AuditFilter) {
  let q = db.selectFrom('audit_log');
  if (filter.action) q = q.where('action', '=', filter.action);
  if (filter.entity) q = q.where('entity', '=', filter.entity);
  if (filter.entityId) q = q.where('entity_id', '=', filter.entityId);
  if (filter.userId) q = q.where('user_id', '=', filter.userId);
  const [rows, count] = await Promise.all([
    q.selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(filter.pageSize).offset((filter.page - 1) * filter.pageSize).execute(),
    q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((r) => ({
      id: String(r.id),
      at: r.at.toISOString(),
      userId: r.user_id,
      username: r.username,
      ip: r.ip,
      action: r.action,
      entity: r.entity,
      entityId: r.entity_id,
      detail: r.detail,
    })),
    total: count.n,
    page: filter.page,
    pageSize: filter.pageSize,
  };
}
