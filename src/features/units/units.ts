import { sql } from 'kysely';
import type { CreateUnit, UnitDto, UnitLevel, UpdateUnit } from '../../../contracts/units.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { AppError, notFound } from '../../errors.ts';
import { recordAudit, unitPlace } from '../audit/audit.ts';
import { assertCan, type Actor } from '../auth/actor.ts';
import { escapeLike, pathUnder, regionScope } from '../regions/regions.ts';

// Unit paths are ids from the root down joined by '/', e.g. 1/7/31.

/** Restricts a query joined to `units` (under `alias`) to the actor's region and unit scope. */
export function unitScope(actor: Actor, alias = 'units') {
  const region = regionScope(actor, `${alias}.region_path`);
  return actor.scope.unitPath === null ? region : sql<boolean>`(${region} and ${pathUnder(`${alias}.path`, actor.scope.unitPath)})`;
}

function baseQuery(db: Executor, actor: Actor) {
  return db
    .selectFrom('units')
    .innerJoin('regions', 'regions.code', 'units.region_code')
    .leftJoin('cadres as leader', 'leader.id', 'units.leader_cadre_id')
    .where(unitScope(actor));
}

const unitColumns = [
  'units.id',
  'units.code',
  'units.name',
  'units.level',
  'units.parent_id',
  'units.region_code',
  'regions.name as region_name',
  'units.leader_cadre_id',
  'leader.name as leader_name',
] as const;
const cadreCount = sql<number>`(select count(*) from cadres c where c.unit_id = units.id)`.as('cadre_count');

type UnitRow = {
  id: number; code: string; name: string; level: UnitLevel; parent_id: number | null; region_code: string;
  region_name: string; leader_cadre_id: number | null; leader_name: string | null; cadre_count: number;
};
const toDto = (r: UnitRow): UnitDto => ({
  id: r.id,
  code: r.code,
  name: r.name,
  level: r.level,
  parentId: r.parent_id,
  regionCode: r.region_code,
  regionName: r.region_name,
  leaderCadreId: r.leader_cadre_id,
  leaderName: r.leader_name,
  cadreCount: r.cadre_count,
});

export async function getUnit(db: Executor, actor: Actor, id: number): Promise<UnitDto> {
  const row = await baseQuery(db, actor).select(unitColumns).select(cadreCount).where('units.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('单位', id);
  return toDto(row);
}

export type UnitListFilter = {
  q?: string | undefined;
  level?: UnitLevel | undefined;
  region?: string | undefined;
  parentId?: number | undefined;
  page: number;
  pageSize: number;
};

export async function listUnits(db: Executor, actor: Actor, f: UnitListFilter) {
  let q = baseQuery(db, actor);
  if (f.q) q = q.where((eb) => eb.or([eb('units.name', 'like', `%${escapeLike(f.q!)}%`), eb('units.code', '=', f.q!)]));
  if (f.level) q = q.where('units.level', '=', f.level);
  if (f.parentId) q = q.where('units.parent_id', '=', f.parentId);
  if (f.region) {
    const region = await db.selectFrom('regions').select('path').where('code', '=', f.region).where(regionScope(actor, 'regions.path')).executeTakeFirst();
    if (!region) throw notFound('区划', f.region);
    q = q.where(pathUnder('units.region_path', region.path));
  }
  const [rows, count] = await Promise.all([
    q.select(unitColumns).select(cadreCount).orderBy('units.path').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toDto), total: count.n, page: f.page, pageSize: f.pageSize };
}

async function regionInScope(db: Executor, actor: Actor, code: string) {
  const r = await db.selectFrom('regions').select(['code', 'path']).where('code', '=', code).where(regionScope(actor, 'regions.path')).executeTakeFirst();
  if (!r) throw new AppError('VALIDATION_FAILED', `所属区划 ${code} 不存在或不在您的管辖范围内`, { field: 'regionCode' });
  return r;
}

export async function createUnit(db: Executor, actor: Actor, input: CreateUnit): Promise<UnitDto> {
  assertCan(actor, 'unit.write');
  return inTransaction(db, async (tx) => {
    const region = await regionInScope(tx, actor, input.regionCode);
    let parentPath: string | null = null;
    if (input.parentId) {
      const parent = await tx.selectFrom('units').select(['id', 'path']).where('id', '=', input.parentId).where(unitScope(actor)).executeTakeFirst();
      if (!parent) throw new AppError('VALIDATION_FAILED', `上级单位 ${input.parentId} 不存在或不在您的管辖范围内`, { field: 'parentId' });
      parentPath = parent.path;
    } else if (actor.scope.unitPath !== null) {
      throw new AppError('VALIDATION_FAILED', '您只能在本单位之下新建单位，请选择上级单位', { field: 'parentId' });
    }
    const dup = await tx.selectFrom('units').select('id').where('code', '=', input.code).executeTakeFirst();
    if (dup) throw new AppError('CONFLICT', `单位编码 ${input.code} 已被使用`, { field: 'code' });
    const { id } = await tx
      .insertInto('units')
      .values({ code: input.code, name: input.name, level: input.level, parent_id: input.parentId ?? null, path: '', region_code: region.code, region_path: region.path })
      .returning('id')
      .executeTakeFirstOrThrow();
    const path = parentPath ? `${parentPath}/${id}` : String(id);
    await tx.updateTable('units').set({ path }).where('id', '=', id).execute();
    await recordAudit(tx, actor, { action: 'unit.create', entity: 'unit', entityId: id, detail: input, where: { regionPath: region.path, unitPath: path } });
    return getUnit(tx, actor, id);
  });
}

export async function updateUnit(db: Executor, actor: Actor, id: number, input: UpdateUnit): Promise<UnitDto> {
  assertCan(actor, 'unit.write');
  return inTransaction(db, async (tx) => {
    const before = await getUnit(tx, actor, id);
    const set: Partial<{ name: string; level: UnitLevel; region_code: string; region_path: string; leader_cadre_id: number | null; updated_at: Date }> = { updated_at: new Date() };
    if (input.name !== undefined) set.name = input.name;
    if (input.level !== undefined) set.level = input.level;
    if (input.regionCode !== undefined) {
      const r = await regionInScope(tx, actor, input.regionCode);
      set.region_code = r.code;
      set.region_path = r.path;
    }
    if (input.leaderCadreId !== undefined) {
      if (input.leaderCadreId !== null) {
        // The responsible leader (责任领导) is one of the unit's own cadres or of a unit under it.
        const ok = await tx
          .selectFrom('cadres')
          .innerJoin('units', 'units.id', 'cadres.unit_id')
          .select('cadres.id')
          .where('cadres.id', '=', input.leaderCadreId)
          .where(pathUnder('units.path', (await tx.selectFrom('units').select('path').where('id', '=', id).executeTakeFirstOrThrow()).path))
          .executeTakeFirst();
        if (!ok) throw new AppError('VALIDATION_FAILED', `干部 ${input.leaderCadreId} 不属于本单位，不能担任责任领导`, { field: 'leaderCadreId' });
      }
      set.leader_cadre_id = input.leaderCadreId;
    }
    await tx.updateTable('units').set(set).where('id', '=', id).execute();
    await recordAudit(tx, actor, { action: 'unit.update', entity: 'unit', entityId: id, detail: { before, changes: input }, where: await unitPlace(tx, id) });
    return getUnit(tx, actor, id);
  });
}
