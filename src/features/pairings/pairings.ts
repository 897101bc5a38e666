import { sql } from 'kysely';
import { ZodError } from 'zod';
import {
  endPairing as endPairingSchema,
  pairingChanges as pairingChangesSchema,
  transferPairings as transferPairingsSchema,
  type CadrePairingDto,
  type CreatePairing,
  type EndPairing,
  type PairingChanges,
  type PairingChangesResult,
  type PairingDto,
  type PairingHistoryQuery,
  type PairingItemError,
  type PairingListQuery,
  type TransferPairings,
} from '../../../contracts/campaigns.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import type { TargetKind } from '../../db/schema.ts';
import { AppError, notFound } from '../../errors.ts';
import { recordAudit, recordAudits, type AuditEvent } from '../audit/audit.ts';
import { assertCan, isUnder, type Actor } from '../auth/actor.ts';
import { chinaToday, visibleCampaign, type CampaignRow } from '../campaigns/campaigns.ts';
import { cadresInScope } from '../campaigns/teams.ts';
import { pathUnder, regionScope } from '../regions/regions.ts';
import { unitScope } from '../units/units.ts';
import { queuePairingsChange } from '../compliance/engine.ts';

// Pairings (结对 / 联系): a cadre or a team linked with a contact target in a campaign, primary or
// assisting, from a start date until it is ended. A pairing is never deleted or edited: ending it
// sets ends_on and end_reason, and a new pairing is a new row — so a target shows who was linked
// when, and a cadre transferred away keeps the record of what they did.
//
// Who sees a pairing: it joins a cadre (or team) and a target, and it is visible from either side —
// when its cadre (or one of its team's members, now or before) is in the actor's scope, or, for an
// account scoped by region only, when its target lies in the actor's region. A township admin thus
// sees the county cadres linked with their villages, and a unit leader sees their own cadres'
// pairings wherever the targets are — but nothing where neither side is theirs.
//
// Who may write one: pairing.write, a campaign the actor can see, the cadre (or the team's leader)
// in the actor's scope AND the target in the actor's region scope and inside the campaign's region.
// Anything else is refused before anything is written.

const max = (a: string, b: string) => (a > b ? a : b);
const min = (a: string, b: string) => (a < b ? a : b);

/** SQL condition on the aliases of `baseQuery` (p, t, cu): the pairing is visible to the actor. */
export function pairingScope(actor: Actor) {
  const { regionPath, unitPath } = actor.scope;
  if (regionPath === null && unitPath === null) return sql<boolean>`true`;
  const cadreSide = sql<boolean>`(p.cadre_id is not null and ${unitScope(actor, 'cu')})`;
  const teamSide = sql<boolean>`(p.team_id is not null and exists (select 1 from team_members sm join cadres sc on sc.id = sm.cadre_id
    join units su on su.id = sc.unit_id where sm.team_id = p.team_id and ${unitScope(actor, 'su')}))`;
  if (unitPath !== null) return sql<boolean>`(${cadreSide} or ${teamSide})`;
  return sql<boolean>`(${cadreSide} or ${teamSide} or ${regionScope(actor, 't.region_path')})`;
}

function baseQuery(db: Executor, actor: Actor) {
  return db
    .selectFrom('pairings as p')
    .innerJoin('campaigns as cp', 'cp.id', 'p.campaign_id')
    .innerJoin('contact_targets as t', 't.id', 'p.target_id')
    .innerJoin('regions as tr', 'tr.code', 't.region_code')
    .leftJoin('cadres as c', 'c.id', 'p.cadre_id')
    .leftJoin('units as cu', 'cu.id', 'c.unit_id')
    .leftJoin('teams as tm', 'tm.id', 'p.team_id')
    .leftJoin('cadres as tl', 'tl.id', 'tm.leader_cadre_id')
    .where(pairingScope(actor));
}

const columns = [
  'p.id',
  'p.campaign_id',
  'cp.name as campaign_name',
  'p.target_id',
  't.kind as target_kind',
  't.name as target_name',
  't.region_code as target_region_code',
  'tr.name as target_region_name',
  'p.cadre_id',
  'c.name as cadre_name',
  'c.rank as cadre_rank',
  'c.unit_id as cadre_unit_id',
  'cu.name as cadre_unit_name',
  'p.team_id',
  'tm.name as team_name',
  'tl.name as team_leader_name',
  'p.role',
  'p.cadre_role',
  'p.starts_on',
  'p.ends_on',
  'p.end_reason',
  'p.created_at',
] as const;

type Row = {
  id: number; campaign_id: number; campaign_name: string; target_id: number; target_kind: TargetKind; target_name: string;
  target_region_code: string; target_region_name: string; cadre_id: number | null; cadre_name: string | null;
  cadre_rank: PairingDto['cadreRank']; cadre_unit_id: number | null; cadre_unit_name: string | null; team_id: number | null;
  team_name: string | null; team_leader_name: string | null; role: PairingDto['role']; cadre_role: string | null;
  starts_on: string; ends_on: string | null; end_reason: string | null; created_at: Date;
};
const toDto = (r: Row): PairingDto => ({
  id: r.id,
  campaignId: r.campaign_id,
  campaignName: r.campaign_name,
  targetId: r.target_id,
  targetKind: r.target_kind,
  targetName: r.target_name,
  targetRegionCode: r.target_region_code,
  targetRegionName: r.target_region_name,
  cadreId: r.cadre_id,
  cadreName: r.cadre_name,
  cadreRank: r.cadre_rank,
  cadreUnitId: r.cadre_unit_id,
  cadreUnitName: r.cadre_unit_name,
  teamId: r.team_id,
  teamName: r.team_name,
  teamLeaderName: r.team_leader_name,
  role: r.role,
  cadreRole: r.cadre_role,
  startsOn: r.starts_on,
  endsOn: r.ends_on,
  endReason: r.end_reason,
  open: r.ends_on === null,
  createdAt: r.created_at.toISOString(),
});

/** `p` is linked with the cadre: directly, or through a team while the cadre was a member. */
const linkedWithCadre = (cadreId: number) => sql<boolean>`(p.cadre_id = ${cadreId} or (p.team_id is not null and exists (
  select 1 from team_members lm where lm.team_id = p.team_id and lm.cadre_id = ${cadreId}
    and lm.joined_on <= coalesce(p.ends_on, lm.joined_on) and (lm.left_on is null or lm.left_on >= p.starts_on))))`;

// ── Reading ──────────────────────────────────────────────────────────────────────────────────

export async function getPairing(db: Executor, actor: Actor, id: number, campaignId?: number): Promise<PairingDto> {
  let q = baseQuery(db, actor).select(columns).where('p.id', '=', id);
  if (campaignId !== undefined) q = q.where('p.campaign_id', '=', campaignId);
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('结对', id);
  return toDto(row);
}

/** A campaign's pairings, filtered by target kind, region subtree, cadre, team, target, open/ended. */
export async function listCampaignPairings(db: Executor, actor: Actor, campaignId: number, f: PairingListQuery) {
  const q = await filteredCampaignPairings(db, actor, campaignId, f);
  const [rows, count] = await Promise.all([
    q.select(columns).orderBy('p.id', 'desc').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toDto), total: count.n, page: f.page, pageSize: f.pageSize };
}

/** The campaign's pairings the list (and its export) shows for the filters; aliases as in baseQuery. */
export async function filteredCampaignPairings(db: Executor, actor: Actor, campaignId: number, f: Omit<PairingListQuery, 'page' | 'pageSize'>) {
  await visibleCampaign(db, actor, campaignId);
  let q = baseQuery(db, actor).where('p.campaign_id', '=', campaignId);
  if (f.kind) q = q.where('t.kind', '=', f.kind);
  if (f.region) {
    const region = await db.selectFrom('regions').select('path').where('code', '=', f.region).where(regionScope(actor, 'regions.path')).executeTakeFirst();
    if (!region) throw notFound('区划', f.region);
    q = q.where(pathUnder('t.region_path', region.path));
  }
  if (f.cadreId) q = q.where(linkedWithCadre(f.cadreId));
  if (f.teamId) q = q.where('p.team_id', '=', f.teamId);
  if (f.targetId) q = q.where('p.target_id', '=', f.targetId);
  if (f.status === 'open') q = q.where('p.ends_on', 'is', null);
  if (f.status === 'ended') q = q.where('p.ends_on', 'is not', null);
  return q;
}

/** Who was linked with a target when, across campaigns: open and ended, newest first. */
export async function targetPairings(db: Executor, actor: Actor, targetId: number, f: PairingHistoryQuery) {
  const target = await db.selectFrom('contact_targets').select('id').where('id', '=', targetId).where(regionScope(actor, 'contact_targets.region_path')).executeTakeFirst();
  if (!target) throw notFound('联系对象', targetId);
  let q = baseQuery(db, actor).where('p.target_id', '=', targetId);
  if (f.campaignId) q = q.where('p.campaign_id', '=', f.campaignId);
  if (f.status === 'open') q = q.where('p.ends_on', 'is', null);
  if (f.status === 'ended') q = q.where('p.ends_on', 'is not', null);
  const [rows, count] = await Promise.all([
    q.select(columns).orderBy('p.starts_on', 'desc').orderBy('p.id', 'desc').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toDto), total: count.n, page: f.page, pageSize: f.pageSize };
}

/**
 * A cadre's targets now and before, across campaigns: their own pairings and their teams' pairings
 * while they were members. `status=open` means current: open, and still a member for a team's.
 */
export async function cadrePairings(db: Executor, actor: Actor, cadreId: number, f: PairingHistoryQuery) {
  if (!(await cadresInScope(db, actor, [cadreId])).has(cadreId)) throw notFound('干部', cadreId);
  const current = sql<boolean>`(p.ends_on is null and (coalesce(p.cadre_id = ${cadreId}, false) or exists (
    select 1 from team_members cm where cm.team_id = p.team_id and cm.cadre_id = ${cadreId} and cm.left_on is null)))`;
  let q = baseQuery(db, actor).where(linkedWithCadre(cadreId));
  if (f.campaignId) q = q.where('p.campaign_id', '=', f.campaignId);
  if (f.status === 'open') q = q.where(current);
  if (f.status === 'ended') q = q.where(sql<boolean>`not ${current}`);
  const [rows, count] = await Promise.all([
    q.select(columns).select(current.as('current')).orderBy('p.starts_on', 'desc').orderBy('p.id', 'desc').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
  ]);
  const items: CadrePairingDto[] = rows.map((r) => ({ ...toDto(r), via: r.cadre_id === cadreId ? 'direct' : 'team', current: r.current }));
  return { items, total: count.n, page: f.page, pageSize: f.pageSize };
}

// ── Writing ──────────────────────────────────────────────────────────────────────────────────

type AddItem = {
  targetId: number; cadreId: number | null; teamId: number | null; role: 'primary' | 'assisting'; cadreRole: string | null; startsOn: string;
  regionPath: string; unitPath: string | null;
};
type EndItem = { pairingId: number; endsOn: string; reason: string; regionPath: string; unitPath: string | null };
type Plan = { adds: AddItem[]; ends: EndItem[]; errors: PairingItemError[] };
type ParsedChanges = { add: CreatePairing[]; end: { pairingId: number; endsOn?: string | undefined; reason: string }[] };

const keyOf = (targetId: number, cadreId: number | null, teamId: number | null) => (cadreId !== null ? `${targetId}|c${cadreId}` : `${targetId}|t${teamId}`);
const ids = (list: number[]) => [...new Set(list)];

/** Checks every item against the database and the campaign; resolves defaults. Writes nothing. */
async function planChanges(db: Executor, actor: Actor, campaign: CampaignRow, changes: ParsedChanges): Promise<Plan> {
  const errors: PairingItemError[] = [];
  const fail = (op: 'add' | 'end', index: number, field: string, message: string, code: PairingItemError['code'] = 'VALIDATION_FAILED') =>
    errors.push({ op, index, field, message, code });
  const today = chinaToday();

  // Ends first: what they close is no longer open for the adds.
  const endIds = ids(changes.end.map((e) => e.pairingId));
  const existing = new Map<number, { id: number; starts_on: string; ends_on: string | null; target_id: number; cadre_id: number | null; team_id: number | null; region_path: string; unit_path: string | null }>();
  if (endIds.length > 0) {
    const rows = await db
      .selectFrom('pairings as p')
      .innerJoin('contact_targets as t', 't.id', 'p.target_id')
      .leftJoin('cadres as c', 'c.id', 'p.cadre_id')
      .leftJoin('units as cu', 'cu.id', 'c.unit_id')
      .leftJoin('teams as tm', 'tm.id', 'p.team_id')
      .leftJoin('cadres as lc', 'lc.id', 'tm.leader_cadre_id')
      .leftJoin('units as lu', 'lu.id', 'lc.unit_id')
      .select(['p.id', 'p.starts_on', 'p.ends_on', 'p.target_id', 'p.cadre_id', 'p.team_id', 't.region_path', 'cu.path as unit_path'])
      .where('p.campaign_id', '=', campaign.id)
      .where('p.id', '=', sql<number>`any(${endIds}::int[])`)
      .where(regionScope(actor, 't.region_path'))
      .where(sql<boolean>`(case when p.cadre_id is not null then ${unitScope(actor, 'cu')} else ${unitScope(actor, 'lu')} end)`)
      .execute();
    for (const r of rows) existing.set(r.id, r);
  }
  const ends: EndItem[] = [];
  const closing = new Map<string, string>(); // pair key → the day this batch ends it
  const seenEnds = new Set<number>();
  changes.end.forEach((e, i) => {
    const p = existing.get(e.pairingId);
    if (!p) return fail('end', i, 'pairingId', `结对 ${e.pairingId} 不存在、不属于本活动或不在您的管辖范围内`, 'NOT_FOUND');
    if (seenEnds.has(e.pairingId)) return fail('end', i, 'pairingId', `结对 ${e.pairingId} 在本批中重复出现`);
    seenEnds.add(e.pairingId);
    if (p.ends_on !== null) return fail('end', i, 'pairingId', `结对 ${e.pairingId} 已于 ${p.ends_on} 结束`, 'CONFLICT');
    // Ending is a record of fact: not before the start, not in the future, not after the campaign.
    const latest = min(max(today, p.starts_on), campaign.ends_on);
    const endsOn = e.endsOn ?? latest;
    if (endsOn < p.starts_on) return fail('end', i, 'endsOn', `结束日期 ${endsOn} 早于结对开始日期 ${p.starts_on}`);
    if (endsOn > latest) return fail('end', i, 'endsOn', `结束日期 ${endsOn} 不能晚于 ${latest}（今天或活动结束日）`);
    closing.set(keyOf(p.target_id, p.cadre_id, p.team_id), endsOn);
    ends.push({ pairingId: p.id, endsOn, reason: e.reason, regionPath: p.region_path, unitPath: p.unit_path });
  });

  // Adds: resolve targets, cadres and teams in three queries, then check each item.
  const adds: AddItem[] = [];
  const targetIds = ids(changes.add.map((a) => a.targetId));
  const targets = new Map<number, { id: number; name: string; region_path: string }>();
  if (targetIds.length > 0) {
    const rows = await db
      .selectFrom('contact_targets')
      .select(['id', 'name', 'region_path'])
      .where('id', '=', sql<number>`any(${targetIds}::int[])`)
      .where(regionScope(actor, 'contact_targets.region_path'))
      .execute();
    for (const r of rows) targets.set(r.id, r);
  }
  const cadres = await cadresInScope(db, actor, changes.add.flatMap((a) => (a.cadreId !== undefined ? [a.cadreId] : [])));
  const teamIds = ids(changes.add.flatMap((a) => (a.teamId !== undefined ? [a.teamId] : [])));
  const teams = new Map<number, { id: number; name: string }>();
  if (teamIds.length > 0) {
    const rows = await db
      .selectFrom('teams')
      .innerJoin('cadres', 'cadres.id', 'teams.leader_cadre_id')
      .innerJoin('units', 'units.id', 'cadres.unit_id')
      .select(['teams.id', 'teams.name'])
      .where('teams.id', '=', sql<number>`any(${teamIds}::int[])`)
      .where('teams.campaign_id', '=', campaign.id)
      .where(unitScope(actor))
      .execute();
    for (const r of rows) teams.set(r.id, r);
  }
  // Open pairings and the latest end of each ended one, for the targets in the batch.
  const open = new Map<string, string>();
  const lastEnd = new Map<string, string>();
  if (targetIds.length > 0) {
    const rows = await db
      .selectFrom('pairings')
      .select(['target_id', 'cadre_id', 'team_id', sql<string | null>`min(starts_on) filter (where ends_on is null)`.as('open_since'), sql<string | null>`max(ends_on)`.as('last_end')])
      .where('campaign_id', '=', campaign.id)
      .where('target_id', '=', sql<number>`any(${targetIds}::int[])`)
      .groupBy(['target_id', 'cadre_id', 'team_id'])
      .execute();
    for (const r of rows) {
      const key = keyOf(r.target_id, r.cadre_id, r.team_id);
      if (r.open_since !== null) open.set(key, r.open_since);
      if (r.last_end !== null) lastEnd.set(key, r.last_end);
    }
  }
  const batchKeys = new Set<string>();
  const roles = new Set(campaign.cadre_roles);
  changes.add.forEach((a, i) => {
    const before = errors.length;
    const target = targets.get(a.targetId);
    if (!target) fail('add', i, 'targetId', `联系对象 ${a.targetId} 不存在或不在您的管辖范围内`);
    else if (!isUnder(target.region_path, campaign.region_path)) {
      fail('add', i, 'targetId', `联系对象“${target.name}”不在活动“${campaign.name}”的区划之内`);
    }
    let unitPath: string | null = null;
    if (a.cadreId !== undefined) {
      const cadre = cadres.get(a.cadreId);
      if (!cadre) fail('add', i, 'cadreId', `干部 ${a.cadreId} 不存在或不在您的管辖范围内`);
      else if (cadre.status === 'retired' || cadre.status === 'transferred') fail('add', i, 'cadreId', `干部 ${cadre.name} 已${cadre.status === 'retired' ? '退休' : '调离'}，不能新建结对`);
      else unitPath = cadre.unit_path;
    } else if (a.teamId !== undefined && !teams.has(a.teamId)) {
      fail('add', i, 'teamId', `组团 ${a.teamId} 不存在、不属于本活动或不在您的管辖范围内`);
    }
    const cadreRole = a.cadreRole ?? null;
    if (cadreRole !== null && !roles.has(cadreRole)) {
      fail('add', i, 'cadreRole', roles.size === 0 ? `活动“${campaign.name}”未设定干部角色` : `角色“${cadreRole}”不是本活动的角色（${[...roles].join('、')}）`);
    }
    const startsOn = a.startsOn ?? max(today, campaign.starts_on);
    if (startsOn < campaign.starts_on || startsOn > campaign.ends_on) {
      fail('add', i, 'startsOn', `开始日期 ${startsOn} 不在活动期间（${campaign.starts_on} 至 ${campaign.ends_on}）内`);
    }
    if (errors.length > before) return;

    const cadreId = a.cadreId ?? null;
    const teamId = a.teamId ?? null;
    const key = keyOf(a.targetId, cadreId, teamId);
    const who = cadreId !== null ? 'cadreId' : 'teamId';
    if (batchKeys.has(key)) return fail('add', i, who, '本批中重复的结对', 'CONFLICT');
    batchKeys.add(key);
    const closedOn = closing.get(key);
    if (open.has(key) && closedOn === undefined) {
      return fail('add', i, who, `${cadreId !== null ? '该干部' : '该组团'}已与“${target!.name}”结对（自 ${open.get(key)} 起），不能重复结对`, 'CONFLICT');
    }
    // A new pairing of the same two does not reach back into an earlier one's period.
    const prior = [closedOn, lastEnd.get(key)].filter((d): d is string => d !== undefined).sort().pop();
    if (prior !== undefined && startsOn < prior) {
      return fail('add', i, 'startsOn', `此前的结对至 ${prior} 才结束，新结对的开始日期不能更早`);
    }
    adds.push({ targetId: a.targetId, cadreId, teamId, role: a.role ?? 'primary', cadreRole, startsOn, regionPath: target!.region_path, unitPath });
  });
  return { adds, ends, errors };
}

const CHUNK = 1000;
const isUniqueViolation = (e: unknown) => typeof e === 'object' && e !== null && (e as { code?: unknown }).code === '23505';

async function writePlan(db: Executor, actor: Actor, campaign: CampaignRow, plan: Plan): Promise<PairingChangesResult> {
  // Ends, grouped by (day, reason): normally one statement.
  const groups = new Map<string, EndItem[]>();
  for (const e of plan.ends) {
    const k = `${e.endsOn}\u0000${e.reason}`;
    const group = groups.get(k);
    if (group) group.push(e);
    else groups.set(k, [e]);
  }
  for (const group of groups.values()) {
    const first = group[0]!;
    const res = await db
      .updateTable('pairings')
      .set({ ends_on: first.endsOn, end_reason: first.reason })
      .where('id', '=', sql<number>`any(${group.map((e) => e.pairingId)}::int[])`)
      .where('ends_on', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== group.length) throw new AppError('CONFLICT', '部分结对刚被他人结束，请刷新后重试');
  }
  // Adds, in chunks; ids are matched back by (target, cadre | team), unique among open pairings.
  const idByKey = new Map<string, number>();
  for (let i = 0; i < plan.adds.length; i += CHUNK) {
    const rows = await db
      .insertInto('pairings')
      .values(
        plan.adds.slice(i, i + CHUNK).map((a) => ({
          campaign_id: campaign.id,
          target_id: a.targetId,
          cadre_id: a.cadreId,
          team_id: a.teamId,
          role: a.role,
          cadre_role: a.cadreRole,
          starts_on: a.startsOn,
          created_by: actor.userId,
        })),
      )
      .returning(['id', 'target_id', 'cadre_id', 'team_id'])
      .execute();
    for (const r of rows) idByKey.set(keyOf(r.target_id, r.cadre_id, r.team_id), r.id);
  }
  const added = plan.adds.map((a) => idByKey.get(keyOf(a.targetId, a.cadreId, a.teamId))!);
  await recordAudits(db, actor, [
    ...plan.ends.map((e) => ({
      action: 'pairing.end', entity: 'pairing', entityId: e.pairingId, detail: { campaignId: campaign.id, endsOn: e.endsOn, reason: e.reason },
      where: { regionPath: e.regionPath, unitPath: e.unitPath },
    })),
    ...plan.adds.map((a, i) => ({
      action: 'pairing.create', entity: 'pairing', entityId: added[i],
      detail: { campaignId: campaign.id, targetId: a.targetId, cadreId: a.cadreId, teamId: a.teamId, role: a.role, cadreRole: a.cadreRole, startsOn: a.startsOn },
      where: { regionPath: a.regionPath, unitPath: a.unitPath },
    })),
  ]);
  return { added, ended: plan.ends.map((e) => e.pairingId) };
}

export type PairingChangesOutcome = ({ applied: true } & PairingChangesResult & { errors: [] }) | { applied: false; added: []; ended: []; errors: PairingItemError[] };

/** Zod issues inside `add[i]` / `end[i]` become item errors; anything else is a malformed request. */
function parseChanges(input: PairingChanges): ParsedChanges | PairingItemError[] {
  const parsed = pairingChangesSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const errors: PairingItemError[] = [];
  for (const issue of parsed.error.issues) {
    const [op, index, ...rest] = issue.path;
    if ((op !== 'add' && op !== 'end') || typeof index !== 'number') throw new ZodError(parsed.error.issues);
    errors.push({ op, index, field: rest.map(String).join('.') || (op === 'add' ? 'targetId' : 'pairingId'), message: issue.message, code: 'VALIDATION_FAILED' });
  }
  return errors;
}

async function applyIn(tx: Executor, actor: Actor, campaign: CampaignRow, changes: ParsedChanges, audit?: AuditEvent): Promise<PairingChangesOutcome> {
  const plan = await planChanges(tx, actor, campaign, changes);
  if (plan.errors.length > 0) return { applied: false, added: [], ended: [], errors: plan.errors };
  try {
    const result = await writePlan(tx, actor, campaign, plan);
    await queuePairingsChange(tx, [...result.added, ...result.ended]);
    if (audit) await recordAudit(tx, actor, { ...audit, detail: { ...(audit.detail as object), added: result.added.length, ended: result.ended.length } });
    return { applied: true, ...result, errors: [] };
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppError('CONFLICT', '有结对刚被他人同时建立，请刷新后重试');
    throw e;
  }
}

/**
 * Applies a batch of pairing changes — ends first, then adds — in one transaction, all or nothing.
 * Every item is checked before anything is written; if any fails, nothing is written and the
 * result lists each failing item (op, index, field, message). The planner applies its plans here.
 */
export async function applyPairingChanges(db: Executor, actor: Actor, campaignId: number, input: PairingChanges): Promise<PairingChangesOutcome> {
  assertCan(actor, 'pairing.write');
  const changes = parseChanges(input);
  return inTransaction(db, async (tx) => {
    const campaign = await visibleCampaign(tx, actor, campaignId);
    if (Array.isArray(changes)) return { applied: false, added: [], ended: [], errors: changes };
    return applyIn(tx, actor, campaign, changes, {
      action: 'pairing.batch', entity: 'campaign', entityId: campaignId, detail: {}, where: { regionPath: campaign.region_path, unitPath: null },
    });
  });
}

/** The error a refused batch answers with: 409 when every item is a conflict, else 400. */
export function batchError(errors: PairingItemError[]) {
  const first = errors[0]!;
  const code = errors.every((e) => e.code === 'CONFLICT') ? 'CONFLICT' : errors.length === 1 && first.code === 'NOT_FOUND' ? 'NOT_FOUND' : 'VALIDATION_FAILED';
  const message = errors.length === 1 ? first.message : `${errors.length} 项不能执行，均未保存；第一项：${first.op === 'add' ? '新增' : '结束'}第 ${first.index + 1} 项 ${first.field}：${first.message}`;
  return new AppError(code, message, { field: first.field, errors });
}

/** Pairs a cadre or a team with a target. */
export async function createPairing(db: Executor, actor: Actor, campaignId: number, input: CreatePairing): Promise<PairingDto> {
  assertCan(actor, 'pairing.write');
  const changes = parseChanges({ add: [input] });
  if (Array.isArray(changes)) throw batchError(changes);
  return inTransaction(db, async (tx) => {
    const campaign = await visibleCampaign(tx, actor, campaignId);
    const out = await applyIn(tx, actor, campaign, changes);
    if (!out.applied) {
      const [e] = out.errors;
      throw new AppError(e!.code === 'CONFLICT' ? 'CONFLICT' : 'VALIDATION_FAILED', e!.message, { field: e!.field, errors: out.errors });
    }
    return getPairing(tx, actor, out.added[0]!);
  });
}

/** Ends a pairing: sets ends_on and end_reason; the row stays as history. */
export async function endPairing(db: Executor, actor: Actor, campaignId: number, pairingId: number, input: EndPairing): Promise<PairingDto> {
  assertCan(actor, 'pairing.write');
  const data = endPairingSchema.parse(input);
  return inTransaction(db, async (tx) => {
    const campaign = await visibleCampaign(tx, actor, campaignId);
    const out = await applyIn(tx, actor, campaign, { add: [], end: [{ pairingId, ...data }] });
    if (!out.applied) {
      const [e] = out.errors;
      if (e!.code === 'NOT_FOUND') throw notFound('结对', pairingId);
      throw new AppError(e!.code, e!.message, { field: e!.field });
    }
    return getPairing(tx, actor, pairingId);
  });
}

/**
 * Hands a cadre's open pairings in a campaign (all, or those with `targetIds`) to another cadre:
 * each is ended on `on` and the same target paired with the new cadre from `on`, same role and
 * cadre role — one transaction. The first cadre's history keeps the ended pairings.
 */
export async function transferPairings(db: Executor, actor: Actor, campaignId: number, input: TransferPairings): Promise<PairingChangesOutcome> {
  assertCan(actor, 'pairing.write');
  const data = transferPairingsSchema.parse(input);
  return inTransaction(db, async (tx) => {
    const campaign = await visibleCampaign(tx, actor, campaignId);
    if (data.fromCadreId === data.toCadreId) throw new AppError('VALIDATION_FAILED', '移交双方不能是同一名干部', { field: 'toCadreId' });
    const inScope = await cadresInScope(tx, actor, [data.fromCadreId, data.toCadreId]);
    if (!inScope.has(data.fromCadreId)) throw new AppError('VALIDATION_FAILED', `干部 ${data.fromCadreId} 不存在或不在您的管辖范围内`, { field: 'fromCadreId' });
    if (!inScope.has(data.toCadreId)) throw new AppError('VALIDATION_FAILED', `干部 ${data.toCadreId} 不存在或不在您的管辖范围内`, { field: 'toCadreId' });
    let q = tx
      .selectFrom('pairings')
      .select(['id', 'target_id', 'role', 'cadre_role'])
      .where('campaign_id', '=', campaignId)
      .where('cadre_id', '=', data.fromCadreId)
      .where('ends_on', 'is', null);
    if (data.targetIds) q = q.where('target_id', '=', sql<number>`any(${data.targetIds}::int[])`);
    const current = await q.orderBy('id').execute();
    if (data.targetIds) {
      const have = new Set(current.map((p) => p.target_id));
      const missing = data.targetIds.filter((t) => !have.has(t));
      if (missing.length > 0) throw new AppError('VALIDATION_FAILED', `干部 ${data.fromCadreId} 在本活动中没有与联系对象 ${missing.join('、')} 的现行结对`, { field: 'targetIds' });
    }
    if (current.length === 0) throw new AppError('VALIDATION_FAILED', `干部 ${data.fromCadreId} 在本活动中没有现行结对可移交`, { field: 'fromCadreId' });
    const on = data.on ?? min(max(chinaToday(), campaign.starts_on), campaign.ends_on);
    const out = await applyIn(
      tx,
      actor,
      campaign,
      {
        end: current.map((p) => ({ pairingId: p.id, endsOn: on, reason: data.reason })),
        add: current.map((p) => ({ targetId: p.target_id, cadreId: data.toCadreId, role: p.role, cadreRole: p.cadre_role, startsOn: on })),
      },
      { action: 'pairing.transfer', entity: 'campaign', entityId: campaignId, detail: { ...data, on }, where: { regionPath: campaign.region_path, unitPath: null } },
    );
    if (!out.applied) throw batchError(out.errors);
    return out;
  });
}
