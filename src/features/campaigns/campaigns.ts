import { sql } from 'kysely';
import {
  createCampaign as createCampaignSchema,
  updateCampaign as updateCampaignSchema,
  type CampaignDto,
  type CampaignListQuery,
  type CreateCampaign,
  type UpdateCampaign,
  type VisitFrequency,
} from '../../../contracts/campaigns.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { AppError, forbidden, notFound } from '../../errors.ts';
import { recordAudit } from '../audit/audit.ts';
import { assertCan, can, isUnder, type Actor } from '../auth/actor.ts';
import { escapeLike, pathUnder, regionScope } from '../regions/regions.ts';
import { unitScope } from '../units/units.ts';

// Who sees a campaign (活动)
// ─────────────────────────
// A campaign is organised for a region (campaigns.region_path) and runs in the whole of it. An
// account scoped to region S sees a campaign organised for region C when either
//   • C lies inside S (a county office sees its townships' own campaigns), or
//   • C contains S (a township admin sees the county's — or the city's — campaign that runs in
//     their township, because their cadres and targets take part in it).
// Campaigns in a sibling subtree (another township's own campaign) stay invisible. An unscoped
// account sees every campaign; a unit-scoped account is judged by its unit's jurisdiction (the
// region part of its scope, which scopeOf always fills in).
//
// Seeing a campaign is not seeing everything in it: inside a visible campaign, pairings, teams and
// participating units are still filtered by the caller's own scope (pairings.ts, teams.ts, and
// `units` below). Editing a campaign needs campaign.write *and* the campaign's region inside the
// caller's scope — a township admin reads the county campaign but may not change it (403).
// Pairing inside a campaign needs only that the campaign be visible, plus pairing.write and the
// cadre and target in scope (pairings.ts).

/** Today's date in China (YYYY-MM-DD), whatever the server's time zone. */
export const chinaToday = (now = new Date()) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);

/** SQL condition: the campaign whose region path is in `column` is visible to the actor. */
export function campaignScope(actor: Actor, column = 'campaigns.region_path') {
  const s = actor.scope.regionPath;
  if (s === null) return sql<boolean>`true`;
  // The scope's own path and every ancestor of it: campaigns organised there contain the scope.
  const parts = s.split('/');
  const ancestors = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  return sql<boolean>`(${pathUnder(column, s)} or ${sql.ref(column)} in (${sql.join(ancestors)}))`;
}

/** Whether the actor may change a campaign organised for `regionPath`. */
export const campaignEditable = (actor: Actor, regionPath: string) =>
  can(actor, 'campaign.write') && (actor.scope.regionPath === null || isUnder(regionPath, actor.scope.regionPath));

export type CampaignRow = {
  id: number; name: string; starts_on: string; ends_on: string; region_code: string; region_path: string; cadre_roles: string[];
};

/** The campaign if the actor can see it, else NOT_FOUND. Pairing and team functions start here. */
export async function visibleCampaign(db: Executor, actor: Actor, id: number): Promise<CampaignRow> {
  const row = await db
    .selectFrom('campaigns')
    .select(['id', 'name', 'starts_on', 'ends_on', 'region_code', 'region_path', 'cadre_roles'])
    .where('id', '=', id)
    .where(campaignScope(actor))
    .executeTakeFirst();
  if (!row) throw notFound('活动', id);
  return row;
}

const columns = [
  'campaigns.id',
  'campaigns.name',
  'campaigns.starts_on',
  'campaigns.ends_on',
  'campaigns.region_code',
  'campaigns.region_path',
  'regions.name as region_name',
  'campaigns.description',
  'campaigns.themes',
  'campaigns.special_actions',
  'campaigns.cadre_roles',
  'campaigns.tasks',
  'campaigns.visit_frequency',
  'campaigns.created_at',
  'campaigns.updated_at',
] as const;

function baseQuery(db: Executor, actor: Actor) {
  return db.selectFrom('campaigns').innerJoin('regions', 'regions.code', 'campaigns.region_code').where(campaignScope(actor));
}

type UnitRow = { campaign_id: number; unit_id: number; code: string; name: string; path: string; region_path: string; responsible_regions: string[] };

/**
 * Participating units as the actor may see them: a unit in the actor's scope, or one answering for
 * a region in the actor's region scope (a township admin learns which county departments answer
 * for their township); of each unit's regions, only those inside the actor's region scope.
 */
async function unitsOf(db: Executor, actor: Actor, campaignIds: number[]) {
  const byCampaign = new Map<number, CampaignDto['units']>();
  if (campaignIds.length === 0) return byCampaign;
  const rows: UnitRow[] = await db
    .selectFrom('campaign_units')
    .innerJoin('units', 'units.id', 'campaign_units.unit_id')
    .select(['campaign_units.campaign_id', 'campaign_units.unit_id', 'units.code', 'units.name', 'units.path', 'units.region_path', 'campaign_units.responsible_regions'])
    .where('campaign_units.campaign_id', '=', sql<number>`any(${campaignIds}::int[])`)
    .orderBy('units.path')
    .execute();
  const codes = [...new Set(rows.flatMap((r) => r.responsible_regions))];
  const regions = new Map<string, { name: string; path: string }>();
  if (codes.length > 0) {
    const found = await db.selectFrom('regions').select(['code', 'name', 'path']).where('code', '=', sql<string>`any(${codes}::text[])`).execute();
    for (const r of found) regions.set(r.code, r);
  }
  const { regionPath, unitPath } = actor.scope;
  const regionOk = (path: string) => regionPath === null || isUnder(path, regionPath);
  for (const r of rows) {
    const own = regionOk(r.region_path) && (unitPath === null || isUnder(r.path, unitPath));
    const answers = r.responsible_regions.flatMap((code) => {
      const reg = regions.get(code);
      return reg && regionOk(reg.path) ? [{ code, name: reg.name }] : [];
    });
    if (!own && (unitPath !== null || answers.length === 0)) continue;
    const list = byCampaign.get(r.campaign_id) ?? [];
    list.push({ unitId: r.unit_id, unitCode: r.code, unitName: r.name, responsibleRegions: answers });
    byCampaign.set(r.campaign_id, list);
  }
  return byCampaign;
}

type Row = {
  id: number; name: string; starts_on: string; ends_on: string; region_code: string; region_path: string; region_name: string;
  description: string; themes: string[]; special_actions: string[]; cadre_roles: string[]; tasks: Record<string, string[]>; visit_frequency: Record<string, VisitFrequency>;
  created_at: Date; updated_at: Date;
};
const toDto = (actor: Actor, r: Row, units: CampaignDto['units']): CampaignDto => ({
  id: r.id,
  name: r.name,
  startsOn: r.starts_on,
  endsOn: r.ends_on,
  regionCode: r.region_code,
  regionName: r.region_name,
  description: r.description,
  themes: r.themes,
  specialActions: r.special_actions,
  cadreRoles: r.cadre_roles,
  tasks: r.tasks,
  visitFrequency: r.visit_frequency,
  units,
  editable: campaignEditable(actor, r.region_path),
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export async function getCampaign(db: Executor, actor: Actor, id: number): Promise<CampaignDto> {
  const row = await baseQuery(db, actor).select(columns).where('campaigns.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('活动', id);
  const units = await unitsOf(db, actor, [id]);
  return toDto(actor, row, units.get(id) ?? []);
}

export async function listCampaigns(db: Executor, actor: Actor, f: CampaignListQuery) {
  let q = baseQuery(db, actor);
  if (f.q) q = q.where('campaigns.name', 'like', `%${escapeLike(f.q)}%`);
  if (f.region) {
    const region = await db.selectFrom('regions').select('path').where('code', '=', f.region).where(regionScope(actor, 'regions.path')).executeTakeFirst();
    if (!region) throw notFound('区划', f.region);
    q = q.where(pathUnder('campaigns.region_path', region.path));
  }
  if (f.activeOn) q = q.where('campaigns.starts_on', '<=', f.activeOn).where('campaigns.ends_on', '>=', f.activeOn);
  const [rows, count] = await Promise.all([
    q.select(columns).orderBy('campaigns.starts_on', 'desc').orderBy('campaigns.id', 'desc').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
  ]);
  const units = await unitsOf(db, actor, rows.map((r) => r.id));
  return { items: rows.map((r) => toDto(actor, r, units.get(r.id) ?? [])), total: count.n, page: f.page, pageSize: f.pageSize };
}

async function organisingRegion(db: Executor, actor: Actor, code: string) {
  const r = await db.selectFrom('regions').select(['code', 'path']).where('code', '=', code).where(regionScope(actor, 'regions.path')).executeTakeFirst();
  if (!r) throw new AppError('VALIDATION_FAILED', `组织区划 ${code} 不存在或不在您的管辖范围内`, { field: 'regionCode' });
  return r;
}

type UnitInput = { unitId: number; responsibleRegions: string[]; i?: number };

/** Participating units must be in the actor's scope; the regions they answer for must lie under the campaign's region. */
async function checkUnits(db: Executor, actor: Actor, units: UnitInput[], regionPath: string) {
  if (units.length === 0) return;
  const ids = units.map((u) => u.unitId);
  const found = new Set(
    (await db.selectFrom('units').select('units.id').where('units.id', '=', sql<number>`any(${ids}::int[])`).where(unitScope(actor)).execute()).map((u) => u.id),
  );
  const codes = [...new Set(units.flatMap((u) => u.responsibleRegions))];
  const regions = new Map<string, string>();
  if (codes.length > 0) {
    for (const r of await db.selectFrom('regions').select(['code', 'path']).where('code', '=', sql<string>`any(${codes}::text[])`).execute()) regions.set(r.code, r.path);
  }
  units.forEach((u, at) => {
    const i = u.i ?? at;
    if (!found.has(u.unitId)) throw new AppError('VALIDATION_FAILED', `参加单位 ${u.unitId} 不存在或不在您的管辖范围内`, { field: `units.${i}.unitId` });
    for (const code of u.responsibleRegions) {
      const path = regions.get(code);
      if (path === undefined) throw new AppError('VALIDATION_FAILED', `联系区划 ${code} 不存在`, { field: `units.${i}.responsibleRegions` });
      if (!isUnder(path, regionPath)) throw new AppError('VALIDATION_FAILED', `联系区划 ${code} 不在活动的组织区划之内`, { field: `units.${i}.responsibleRegions` });
    }
  });
}

async function writeUnits(db: Executor, campaignId: number, units: UnitInput[], keep: number[] = []) {
  let del = db.deleteFrom('campaign_units').where('campaign_id', '=', campaignId);
  if (keep.length > 0) del = del.where('unit_id', '!=', sql<number>`all(${keep}::int[])`);
  await del.execute();
  if (units.length > 0) {
    await db.insertInto('campaign_units').values(units.map((u) => ({ campaign_id: campaignId, unit_id: u.unitId, responsible_regions: u.responsibleRegions }))).execute();
  }
}

export async function createCampaign(db: Executor, actor: Actor, input: CreateCampaign): Promise<CampaignDto> {
  assertCan(actor, 'campaign.write');
  const data = createCampaignSchema.parse(input);
  return inTransaction(db, async (tx) => {
    const region = await organisingRegion(tx, actor, data.regionCode);
    await checkUnits(tx, actor, data.units, region.path);
    const { id } = await tx
      .insertInto('campaigns')
      .values({
        name: data.name,
        starts_on: data.startsOn,
        ends_on: data.endsOn,
        region_code: region.code,
        region_path: region.path,
        description: data.description,
        themes: data.themes,
        special_actions: data.specialActions,
        cadre_roles: data.cadreRoles,
        tasks: JSON.stringify(data.tasks),
        visit_frequency: JSON.stringify(data.visitFrequency),
        updated_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await writeUnits(tx, id, data.units);
    await recordAudit(tx, actor, { action: 'campaign.create', entity: 'campaign', entityId: id, detail: data, where: { regionPath: region.path, unitPath: null } });
    return getCampaign(tx, actor, id);
  });
}

export async function updateCampaign(db: Executor, actor: Actor, id: number, input: UpdateCampaign): Promise<CampaignDto> {
  assertCan(actor, 'campaign.write');
  const data = updateCampaignSchema.parse(input);
  return inTransaction(db, async (tx) => {
    const before = await getCampaign(tx, actor, id);
    const current = await visibleCampaign(tx, actor, id);
    if (!before.editable) throw forbidden('该活动由上级组织，您只能查看，不能修改');

    const startsOn = data.startsOn ?? current.starts_on;
    const endsOn = data.endsOn ?? current.ends_on;
    if (endsOn < startsOn) throw new AppError('VALIDATION_FAILED', `结束日期 ${endsOn} 早于开始日期 ${startsOn}`, { field: data.endsOn !== undefined ? 'endsOn' : 'startsOn' });

    // The pairings already made must still fit the new period and region.
    const span = await tx
      .selectFrom('pairings')
      .select([sql<string | null>`min(starts_on)::text`.as('first'), sql<string | null>`max(coalesce(ends_on, starts_on))::text`.as('last')])
      .where('campaign_id', '=', id)
      .executeTakeFirstOrThrow();
    if (span.first !== null && startsOn > span.first) {
      throw new AppError('VALIDATION_FAILED', `已有结对自 ${span.first} 开始，活动开始日期不能晚于此日`, { field: 'startsOn' });
    }
    if (span.last !== null && endsOn < span.last) {
      throw new AppError('VALIDATION_FAILED', `已有结对记录到 ${span.last}，活动结束日期不能早于此日`, { field: 'endsOn' });
    }

    let regionPath = current.region_path;
    let regionCode = current.region_code;
    if (data.regionCode !== undefined && data.regionCode !== current.region_code) {
      const region = await organisingRegion(tx, actor, data.regionCode);
      const outside = await tx
        .selectFrom('pairings')
        .innerJoin('contact_targets', 'contact_targets.id', 'pairings.target_id')
        .select(sql<number>`count(*)`.as('n'))
        .where('pairings.campaign_id', '=', id)
        .where(sql<boolean>`not ${pathUnder('contact_targets.region_path', region.path)}`)
        .executeTakeFirstOrThrow();
      if (outside.n > 0) throw new AppError('VALIDATION_FAILED', `已有 ${outside.n} 个结对的联系对象不在区划 ${region.code} 之内`, { field: 'regionCode' });
      regionPath = region.path;
      regionCode = region.code;
    }

    if (data.cadreRoles !== undefined) {
      const used = await tx
        .selectFrom('pairings')
        .select('cadre_role')
        .distinct()
        .where('campaign_id', '=', id)
        .where('ends_on', 'is', null)
        .where('cadre_role', 'is not', null)
        .execute();
      const missing = used.map((u) => u.cadre_role!).filter((r) => !data.cadreRoles!.includes(r));
      if (missing.length > 0) throw new AppError('VALIDATION_FAILED', `角色“${missing.join('、')}”仍有未结束的结对在用，不能删除`, { field: 'cadreRoles' });
    }

    // Units: the new list, or — when only the region changed — the stored list checked again.
    if (data.units !== undefined) {
      // Units outside the actor's scope (added by a wider-scoped admin) are kept as they are: this
      // actor can neither change nor remove them, and listing them back (as GET shows them) is fine.
      const keep = new Set(
        (await tx
          .selectFrom('campaign_units')
          .innerJoin('units', 'units.id', 'campaign_units.unit_id')
          .select('campaign_units.unit_id')
          .where('campaign_units.campaign_id', '=', id)
          .where(sql<boolean>`not ${unitScope(actor)}`)
          .execute()).map((u) => u.unit_id),
      );
      const mine = data.units.map((u, i) => ({ ...u, i })).filter((u) => !keep.has(u.unitId));
      await checkUnits(tx, actor, mine, regionPath);
      await writeUnits(tx, id, mine, [...keep]);
    } else if (regionPath !== current.region_path) {
      const stored = await tx.selectFrom('campaign_units').select('responsible_regions').where('campaign_id', '=', id).execute();
      const codes = [...new Set(stored.flatMap((s) => s.responsible_regions))];
      if (codes.length > 0) {
        const outside = await tx.selectFrom('regions').select('code').where('code', '=', sql<string>`any(${codes}::text[])`).where(sql<boolean>`not ${pathUnder('regions.path', regionPath)}`).execute();
        if (outside.length > 0) throw new AppError('VALIDATION_FAILED', `参加单位联系的区划 ${outside.map((o) => o.code).join('、')} 不在新的组织区划之内`, { field: 'regionCode' });
      }
    }

    await tx
      .updateTable('campaigns')
      .set({
        ...(data.name !== undefined ? { name: data.name } : {}),
        starts_on: startsOn,
        ends_on: endsOn,
        region_code: regionCode,
        region_path: regionPath,
        ...(data.description !== undefined ? { description: data.description } : {}),
        ...(data.themes !== undefined ? { themes: data.themes } : {}),
        ...(data.specialActions !== undefined ? { special_actions: data.specialActions } : {}),
        ...(data.cadreRoles !== undefined ? { cadre_roles: data.cadreRoles } : {}),
        ...(data.tasks !== undefined ? { tasks: JSON.stringify(data.tasks) } : {}),
        ...(data.visitFrequency !== undefined ? { visit_frequency: JSON.stringify(data.visitFrequency) } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
    await recordAudit(tx, actor, { action: 'campaign.update', entity: 'campaign', entityId: id, detail: { before, changes: data }, where: { regionPath, unitPath: null } });
    return getCampaign(tx, actor, id);
  });
}
