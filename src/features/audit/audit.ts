import { sql } from 'kysely';
import { pathUnder } from '../../db/paths.ts';
import type { Executor } from '../../db/database.ts';
import { assertCan, type Actor, type Scope } from '../auth/actor.ts';

/** `where` is the place of the record the entry is about (region and unit paths). */
export type AuditEvent = { action: string; entity: string; entityId?: string | number | null; detail?: unknown; where?: Scope | undefined };

/** Where a unit's records live, for audit entries about the unit or its cadres. */
export async function unitPlace(db: Executor, unitId: number): Promise<Scope> {
  const u = await db.selectFrom('units').select(['path', 'region_path']).where('id', '=', unitId).executeTakeFirst();
  return { regionPath: u?.region_path ?? null, unitPath: u?.path ?? null };
}

const auditRow = (actor: Actor, event: AuditEvent) => ({
  user_id: actor.userId,
  username: actor.username,
  ip: actor.ip,
  action: event.action,
  entity: event.entity,
  entity_id: event.entityId == null ? null : String(event.entityId),
  detail: event.detail === undefined ? null : JSON.stringify(event.detail),
  region_path: event.where?.regionPath ?? null,
  unit_path: event.where?.unitPath ?? null,
});

/** Every write and every unmasked view of personal data goes through here, in the same transaction. */
export async function recordAudit(db: Executor, actor: Actor, event: AuditEvent): Promise<void> {
  await db.insertInto('audit_log').values(auditRow(actor, event)).execute();
}

/** The same rows for a large batch (one per pairing changed, say), inserted a thousand at a time. */
export async function recordAudits(db: Executor, actor: Actor, events: AuditEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) {
    await db.insertInto('audit_log').values(events.slice(i, i + 1000).map((e) => auditRow(actor, e))).execute();
  }
}

export type AuditFilter = {
  action?: string | undefined;
  entity?: string | undefined;
  entityId?: string | undefined;
  userId?: number | undefined;
  page: number;
  pageSize: number;
};

/** Admins read the entries about records in their own scope; an unscoped admin reads all. */
export async function listAudit(db: Executor, actor: Actor, filter: AuditFilter) {
  const q = filteredAudit(db, actor, filter);
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

/** The entries the audit page (and its export) shows for the filters. */
export function filteredAudit(db: Executor, actor: Actor, filter: Omit<AuditFilter, 'page' | 'pageSize'>) {
  assertCan(actor, 'audit.read');
  let q = db.selectFrom('audit_log');
  const { regionPath, unitPath } = actor.scope;
  if (regionPath !== null) q = q.where(pathUnder('audit_log.region_path', regionPath));
  if (unitPath !== null) q = q.where(pathUnder('audit_log.unit_path', unitPath));
  if (filter.action) q = q.where('action', '=', filter.action);
  if (filter.entity) q = q.where('entity', '=', filter.entity);
  if (filter.entityId) q = q.where('entity_id', '=', filter.entityId);
  if (filter.userId) q = q.where('user_id', '=', filter.userId);
  return q;
}
