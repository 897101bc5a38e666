import { sql } from 'kysely';
import type { PlanProposal, PlanRequest } from '../../../contracts/planner.ts';
import { planRequest } from '../../../contracts/planner.ts';
import { coverageRuleInput } from '../../../contracts/coverage.ts';
import type { Executor } from '../../db/database.ts';
import { pathUnder } from '../../db/paths.ts';
import { AppError, notFound } from '../../errors.ts';
import { assertCan, isUnder, type Actor } from '../auth/actor.ts';
import { campaignForActor } from '../coverage/coverage.ts';
import { planPairings, type PlanCadre, type PlanLink, type PlanRule, type PlanTarget } from './plan.ts';

// Loads a campaign's targets, cadres, today's links and coverage rules, runs the planner core and
// describes the proposal for review. Nothing is written here: applying is a separate, audited step.

async function planRegion(db: Executor, actor: Actor, campaign: { region_code: string; region_path: string; name: string }, requested?: string) {
  const scopePath = actor.scope.regionPath;
  let code = requested ?? campaign.region_code;
  if (!requested && scopePath !== null && isUnder(scopePath, campaign.region_path)) code = scopePath.split('/').pop()!;
  const region = await db.selectFrom('regions').select(['code', 'name', 'path']).where('code', '=', code).executeTakeFirst();
  if (!region || (scopePath !== null && !isUnder(region.path, scopePath))) throw notFound('区划', code);
  if (!isUnder(region.path, campaign.region_path)) {
    throw new AppError('VALIDATION_FAILED', `区划“${region.name}”不在活动“${campaign.name}”的范围内`, { field: 'region' });
  }
  return region;
}

export async function proposePlan(db: Executor, actor: Actor, campaignId: number, request: PlanRequest): Promise<PlanProposal> {
  assertCan(actor, 'planner.run');
  const req = planRequest.parse(request);
  const campaign = await campaignForActor(db, actor, campaignId);
  const region = await planRegion(db, actor, campaign, req.region);

  const rules: PlanRule[] = [];
  for (const r of await db.selectFrom('coverage_rules').selectAll().where('campaign_id', '=', campaignId).orderBy('id').execute()) {
    const parsed = coverageRuleInput.parse({ kind: r.kind, description: r.description, params: r.params });
    if (parsed.kind !== 'unit_leader_named') rules.push({ ...parsed, id: r.id, description: r.description } as PlanRule);
  }
  if (rules.length === 0) {
    throw new AppError('VALIDATION_FAILED', '该活动还没有覆盖要求：请先设定覆盖要求，规划才知道要满足什么', { field: 'rules' });
  }
  const kinds = [...new Set(rules.flatMap((r) => r.params.targetKinds))];

  const targets: PlanTarget[] = (await db
    .selectFrom('contact_targets')
    .select(['id', 'name', 'kind', 'tags', 'region_path', 'latitude', 'longitude'])
    .where('kind', 'in', kinds as never[])
    .where(pathUnder('region_path', region.path))
    .orderBy('id') // the same data gives the same plan, whatever order the rows are stored in
    .execute()).map((t) => ({ id: t.id, name: t.name, kind: t.kind, tags: t.tags, regionPath: t.region_path, latitude: t.latitude, longitude: t.longitude }));
  if (req.targetIds) {
    const known = new Set(targets.map((t) => t.id));
    const unknown = req.targetIds.filter((id) => !known.has(id));
    if (unknown.length) {
      throw new AppError('VALIDATION_FAILED', `${unknown.length} 个对象不在本次规划范围内（不存在、不在该区划或没有适用的覆盖要求），例如 ${unknown.slice(0, 5).join('、')}`, { field: 'targetIds', ids: unknown.slice(0, 100) });
    }
  }

  // The campaign's cadres: its participating units' cadres in post, or all in its region if no
  // unit is named. A unit's cadres work in the townships it answers for, else in its own region.
  const units = await db.selectFrom('campaign_units').select(['unit_id', 'responsible_regions']).where('campaign_id', '=', campaignId).execute();
  const responsible = new Map(units.map((u) => [u.unit_id, u.responsible_regions]));
  const zoneCodes = [...new Set(units.flatMap((u) => u.responsible_regions))];
  const zonePathOf = new Map(
    zoneCodes.length ? (await db.selectFrom('regions').select(['code', 'path']).where('code', 'in', zoneCodes).execute()).map((r) => [r.code, r.path]) : [],
  );
  let cq = db
    .selectFrom('cadres')
    .innerJoin('units', 'units.id', 'cadres.unit_id')
    .select(['cadres.id', 'cadres.name', 'cadres.rank', 'cadres.unit_id', 'units.level', 'units.region_path', 'units.name as unit_name'])
    .where('cadres.status', '=', 'active');
  cq = units.length ? cq.where('cadres.unit_id', 'in', units.map((u) => u.unit_id)) : cq.where(pathUnder('units.region_path', campaign.region_path));
  const cadreRows = await cq.orderBy('cadres.id').execute();
  const touches = (zone: string) => isUnder(zone, region.path) || isUnder(region.path, zone);
  const cadres: (PlanCadre & { unitName: string })[] = cadreRows
    .map((c) => {
      const zones = (responsible.get(c.unit_id) ?? []).map((code) => zonePathOf.get(code)).filter((p): p is string => !!p);
      return { id: c.id, name: c.name, rank: c.rank, unitLevel: c.level, unitName: c.unit_name, homePath: c.region_path, zonePaths: zones.length ? zones : [c.region_path] };
    })
    .filter((c) => c.zonePaths.some(touches));

  // Today's open links, direct and through teams.
  const targetIds = targets.map((t) => t.id);
  const inRegion = new Set(targetIds);
  const primaries = new Set<number>();
  const existing: PlanLink[] = targetIds.length === 0 ? [] : (await sql<{ target_id: number; cadre_id: number; pairing_id: number | null; role: string }>`
    select p.target_id, p.cadre_id, p.id as pairing_id, p.role from pairings p
     where p.campaign_id = ${campaignId} and p.ends_on is null and p.cadre_id is not null
    union
    select p.target_id, tm.cadre_id, null, p.role from pairings p join team_members tm on tm.team_id = p.team_id and tm.left_on is null
     where p.campaign_id = ${campaignId} and p.ends_on is null
    union
    select p.target_id, t.leader_cadre_id, null, p.role from pairings p join teams t on t.id = p.team_id
     where p.campaign_id = ${campaignId} and p.ends_on is null`.execute(db)).rows
    // Only links to targets of this region count: the figures describe the region planned.
    .filter((r) => inRegion.has(r.target_id))
    .map((r) => {
      if (r.role === 'primary') primaries.add(r.target_id);
      return { targetId: r.target_id, cadreId: r.cadre_id, pairingId: r.pairing_id ?? undefined, viaTeam: r.pairing_id === null };
    });

  const input = { targets, cadres, existing, rules, onlyTargetIds: req.targetIds ? new Set(req.targetIds) : undefined, replanOutOfZone: req.mode === 'replan' };
  let t0 = performance.now();
  const plan = planPairings(input);
  const ms = performance.now() - t0;
  let baseline: PlanProposal['baseline'] = null;
  if (req.compareBaseline) {
    t0 = performance.now();
    const b = planPairings({ ...input, baseline: true });
    baseline = { ...b.stats, ms: performance.now() - t0 };
  }

  const targetById = new Map(targets.map((t) => [t.id, t]));
  const cadreById = new Map(cadres.map((c) => [c.id, c]));
  const regionCodes = [...new Set([...targets.map((t) => t.regionPath.split('/').pop()!), ...plan.unmet.map((u) => u.regionPath.split('/').pop()!)])];
  const regionNames = new Map(
    regionCodes.length ? (await db.selectFrom('regions').select(['code', 'name']).where('code', 'in', regionCodes).execute()).map((r) => [r.code, r.name]) : [],
  );
  const roleOf = (l: PlanLink): 'primary' | 'assisting' => {
    if (primaries.has(l.targetId)) return 'assisting';
    primaries.add(l.targetId);
    return 'primary';
  };
  const describe = (l: PlanLink, role: 'primary' | 'assisting' = 'assisting') => {
    const t = targetById.get(l.targetId)!;
    const c = cadreById.get(l.cadreId);
    return {
      targetId: t.id, targetName: t.name, targetKind: t.kind, targetRegion: regionNames.get(t.regionPath.split('/').pop()!) ?? '',
      cadreId: l.cadreId, cadreName: c?.name ?? '', cadreRank: c?.rank ?? '', unitName: c?.unitName ?? '',
      ...(l.pairingId ? { pairingId: l.pairingId } : {}),
      role,
    };
  };
  return {
    campaignId,
    region: { code: region.code, name: region.name },
    add: plan.add.map((l) => describe(l, roleOf(l))),
    end: plan.end.map((l) => describe(l)),
    keep: plan.keep.length,
    unmet: plan.unmet.map((u) => {
      const code = u.regionPath.split('/').pop()!;
      return { ruleId: u.ruleId, description: u.description, subject: u.subject, regionCode: code, regionName: regionNames.get(code) ?? code, count: u.ids.length, shortfall: u.shortfall, reason: `${regionNames.get(code) ?? code}：${u.reason}`, sampleIds: u.ids.slice(0, 20) };
    }),
    stats: { ...plan.stats, ms },
    baseline,
  };
}
