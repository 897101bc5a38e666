import { sql } from 'kysely';
import {
  addTeamMember as addTeamMemberSchema,
  createTeam as createTeamSchema,
  updateTeam as updateTeamSchema,
  type AddTeamMember,
  type CreateTeam,
  type TeamDto,
  type UpdateTeam,
} from '../../../contracts/campaigns.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { AppError, notFound } from '../../errors.ts';
import { recordAudit } from '../audit/audit.ts';
import { assertCan, type Actor } from '../auth/actor.ts';
import { regionScope } from '../regions/regions.ts';
import { unitScope } from '../units/units.ts';
import { chinaToday, visibleCampaign, type CampaignRow } from './campaigns.ts';
import { queueComplianceChange } from '../compliance/engine.ts';

// Teams (组团 / 调研组 / 专题服务组): a leader plus members, paired with targets as a group.
// Membership keeps history: leaving sets left_on; re-joining adds a new row. The leader is always a
// current member.
//
// A team is visible in a visible campaign when one of its members (now or before) is a cadre in the
// actor's scope, or — for region-scoped accounts — when it is paired with a target in their region.
// Writing to a team needs pairing.write, its leader in the actor's scope, and every cadre added or
// removed in the actor's scope.

const max = (a: string, b: string) => (a > b ? a : b);

/** SQL condition on `teams`: visible to the actor (the campaign's visibility is checked separately). */
export function teamScope(actor: Actor, teamIdColumn = 'teams.id') {
  const { regionPath, unitPath } = actor.scope;
  if (regionPath === null && unitPath === null) return sql<boolean>`true`;
  const team = sql.ref(teamIdColumn);
  const member = sql<boolean>`exists (select 1 from team_members vm join cadres vc on vc.id = vm.cadre_id join units on units.id = vc.unit_id
    where vm.team_id = ${team} and ${unitScope(actor)})`;
  if (unitPath !== null) return member;
  const target = sql<boolean>`exists (select 1 from pairings vp join contact_targets vt on vt.id = vp.target_id
    where vp.team_id = ${team} and ${regionScope(actor, 'vt.region_path')})`;
  return sql<boolean>`(${member} or ${target})`;
}

/** Cadres (by id) that exist and lie in the actor's scope, with their status. */
export async function cadresInScope(db: Executor, actor: Actor, ids: number[]) {
  const found = new Map<number, { id: number; name: string; status: string; unit_path: string }>();
  if (ids.length === 0) return found;
  const rows = await db
    .selectFrom('cadres')
    .innerJoin('units', 'units.id', 'cadres.unit_id')
    .select(['cadres.id', 'cadres.name', 'cadres.status', 'units.path as unit_path'])
    .where('cadres.id', '=', sql<number>`any(${[...new Set(ids)]}::int[])`)
    .where(unitScope(actor))
    .execute();
  for (const r of rows) found.set(r.id, r);
  return found;
}

function assertCadreUsable(found: Awaited<ReturnType<typeof cadresInScope>>, id: number, field: string) {
  const c = found.get(id);
  if (!c) throw new AppError('VALIDATION_FAILED', `干部 ${id} 不存在或不在您的管辖范围内`, { field });
  if (c.status === 'retired' || c.status === 'transferred') throw new AppError('VALIDATION_FAILED', `干部 ${c.name} 已${c.status === 'retired' ? '退休' : '调离'}，不能加入组团`, { field });
}

/** A date inside the campaign period, defaulting to today (or the campaign start if later). */
function dayIn(campaign: CampaignRow, day: string | undefined, field: string) {
  const d = day ?? max(chinaToday(), campaign.starts_on);
  if (d < campaign.starts_on || d > campaign.ends_on) {
    throw new AppError('VALIDATION_FAILED', `日期 ${d} 不在活动期间（${campaign.starts_on} 至 ${campaign.ends_on}）内`, { field });
  }
  return d;
}

async function teamPlace(db: Executor, campaignId: number) {
  const c = await db.selectFrom('campaigns').select('region_path').where('id', '=', campaignId).executeTakeFirstOrThrow();
  return { regionPath: c.region_path, unitPath: null };
}

async function loadTeams(db: Executor, actor: Actor, campaignId: number, teamId?: number): Promise<TeamDto[]> {
  let q = db
    .selectFrom('teams')
    .innerJoin('cadres as leader', 'leader.id', 'teams.leader_cadre_id')
    .select(['teams.id', 'teams.campaign_id', 'teams.name', 'teams.kind', 'teams.leader_cadre_id', 'leader.name as leader_name', 'teams.created_at'])
    .where('teams.campaign_id', '=', campaignId)
    .where(teamScope(actor));
  if (teamId !== undefined) q = q.where('teams.id', '=', teamId);
  const teams = await q.orderBy('teams.id').execute();
  if (teams.length === 0) return [];
  const members = await db
    .selectFrom('team_members')
    .innerJoin('cadres', 'cadres.id', 'team_members.cadre_id')
    .innerJoin('units', 'units.id', 'cadres.unit_id')
    .select(['team_members.team_id', 'team_members.cadre_id', 'cadres.name', 'cadres.rank', 'cadres.unit_id', 'units.name as unit_name', 'team_members.joined_on', 'team_members.left_on'])
    .where('team_members.team_id', '=', sql<number>`any(${teams.map((t) => t.id)}::int[])`)
    .orderBy('team_members.joined_on')
    .orderBy('team_members.id')
    .execute();
  return teams.map((t) => ({
    id: t.id,
    campaignId: t.campaign_id,
    name: t.name,
    kind: t.kind,
    leaderCadreId: t.leader_cadre_id,
    leaderName: t.leader_name,
    members: members
      .filter((m) => m.team_id === t.id)
      .map((m) => ({ cadreId: m.cadre_id, name: m.name, rank: m.rank, unitId: m.unit_id, unitName: m.unit_name, joinedOn: m.joined_on, leftOn: m.left_on })),
    createdAt: t.created_at.toISOString(),
  }));
}

export async function listTeams(db: Executor, actor: Actor, campaignId: number): Promise<TeamDto[]> {
  await visibleCampaign(db, actor, campaignId);
  return loadTeams(db, actor, campaignId);
}

export async function getTeam(db: Executor, actor: Actor, campaignId: number, teamId: number): Promise<TeamDto> {
  await visibleCampaign(db, actor, campaignId);
  const [team] = await loadTeams(db, actor, campaignId, teamId);
  if (!team) throw notFound('组团', teamId);
  return team;
}

/** A team the actor may change: in a visible campaign, its leader in the actor's scope. */
async function writableTeam(db: Executor, actor: Actor, campaignId: number, teamId: number) {
  const campaign = await visibleCampaign(db, actor, campaignId);
  const team = await db
    .selectFrom('teams')
    .innerJoin('cadres', 'cadres.id', 'teams.leader_cadre_id')
    .innerJoin('units', 'units.id', 'cadres.unit_id')
    .select(['teams.id', 'teams.name', 'teams.leader_cadre_id'])
    .where('teams.id', '=', teamId)
    .where('teams.campaign_id', '=', campaignId)
    .where(unitScope(actor))
    .executeTakeFirst();
  if (!team) throw notFound('组团', teamId);
  return { campaign, team };
}

async function assertNameFree(db: Executor, campaignId: number, name: string, exceptId?: number) {
  let q = db.selectFrom('teams').select('id').where('campaign_id', '=', campaignId).where('name', '=', name);
  if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
  if (await q.executeTakeFirst()) throw new AppError('CONFLICT', `本活动已有名为“${name}”的组团`, { field: 'name' });
}

export async function createTeam(db: Executor, actor: Actor, campaignId: number, input: CreateTeam): Promise<TeamDto> {
  assertCan(actor, 'pairing.write');
  const data = createTeamSchema.parse(input);
  return inTransaction(db, async (tx) => {
    const campaign = await visibleCampaign(tx, actor, campaignId);
    const joinedOn = dayIn(campaign, data.joinedOn, 'joinedOn');
    const memberIds = [...new Set([data.leaderCadreId, ...data.memberIds])];
    const found = await cadresInScope(tx, actor, memberIds);
    assertCadreUsable(found, data.leaderCadreId, 'leaderCadreId');
    data.memberIds.forEach((id, i) => assertCadreUsable(found, id, `memberIds.${i}`));
    await assertNameFree(tx, campaignId, data.name);
    const { id } = await tx
      .insertInto('teams')
      .values({ campaign_id: campaignId, name: data.name, kind: data.kind, leader_cadre_id: data.leaderCadreId })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx.insertInto('team_members').values(memberIds.map((cadreId) => ({ team_id: id, cadre_id: cadreId, joined_on: joinedOn }))).execute();
    await queueComplianceChange(tx, { campaignId, cadreIds: memberIds, teamId: id });
    await recordAudit(tx, actor, { action: 'team.create', entity: 'team', entityId: id, detail: { campaignId, ...data, joinedOn }, where: await teamPlace(tx, campaignId) });
    return getTeam(tx, actor, campaignId, id);
  });
}

async function currentMembership(db: Executor, teamId: number, cadreId: number) {
  return db.selectFrom('team_members').select(['id', 'joined_on']).where('team_id', '=', teamId).where('cadre_id', '=', cadreId).where('left_on', 'is', null).executeTakeFirst();
}

export async function updateTeam(db: Executor, actor: Actor, campaignId: number, teamId: number, input: UpdateTeam): Promise<TeamDto> {
  assertCan(actor, 'pairing.write');
  const data = updateTeamSchema.parse(input);
  return inTransaction(db, async (tx) => {
    const { campaign, team } = await writableTeam(tx, actor, campaignId, teamId);
    if (data.name !== undefined) await assertNameFree(tx, campaignId, data.name, teamId);
    if (data.leaderCadreId !== undefined && data.leaderCadreId !== team.leader_cadre_id) {
      assertCadreUsable(await cadresInScope(tx, actor, [data.leaderCadreId]), data.leaderCadreId, 'leaderCadreId');
      // The new leader joins the team if not already in it.
      if (!(await currentMembership(tx, teamId, data.leaderCadreId))) {
        await tx.insertInto('team_members').values({ team_id: teamId, cadre_id: data.leaderCadreId, joined_on: dayIn(campaign, undefined, 'leaderCadreId') }).execute();
        await queueComplianceChange(tx, { campaignId, cadreIds: [data.leaderCadreId], teamId });
      }
    }
    await tx
      .updateTable('teams')
      .set({
        ...(data.name !== undefined ? { name: data.name } : {}),
        ...(data.kind !== undefined ? { kind: data.kind } : {}),
        ...(data.leaderCadreId !== undefined ? { leader_cadre_id: data.leaderCadreId } : {}),
      })
      .where('id', '=', teamId)
      .execute();
    await recordAudit(tx, actor, { action: 'team.update', entity: 'team', entityId: teamId, detail: { campaignId, changes: data }, where: await teamPlace(tx, campaignId) });
    return getTeam(tx, actor, campaignId, teamId);
  });
}

export async function addTeamMember(db: Executor, actor: Actor, campaignId: number, teamId: number, input: AddTeamMember): Promise<TeamDto> {
  assertCan(actor, 'pairing.write');
  const data = addTeamMemberSchema.parse(input);
  return inTransaction(db, async (tx) => {
    const { campaign } = await writableTeam(tx, actor, campaignId, teamId);
    assertCadreUsable(await cadresInScope(tx, actor, [data.cadreId]), data.cadreId, 'cadreId');
    const joinedOn = dayIn(campaign, data.joinedOn, 'joinedOn');
    if (await currentMembership(tx, teamId, data.cadreId)) throw new AppError('CONFLICT', `干部 ${data.cadreId} 已是该组团成员`, { field: 'cadreId' });
    // A re-joining member starts a new period, not before the end of the last one.
    const last = await tx.selectFrom('team_members').select(sql<string | null>`max(left_on)::text`.as('left')).where('team_id', '=', teamId).where('cadre_id', '=', data.cadreId).executeTakeFirstOrThrow();
    if (last.left !== null && joinedOn < last.left) throw new AppError('VALIDATION_FAILED', `该干部于 ${last.left} 退出该组团，重新加入的日期不能更早`, { field: 'joinedOn' });
    await tx.insertInto('team_members').values({ team_id: teamId, cadre_id: data.cadreId, joined_on: joinedOn }).execute();
    await queueComplianceChange(tx, { campaignId, cadreIds: [data.cadreId], teamId });
    await recordAudit(tx, actor, { action: 'team.member_add', entity: 'team', entityId: teamId, detail: { campaignId, cadreId: data.cadreId, joinedOn }, where: await teamPlace(tx, campaignId) });
    return getTeam(tx, actor, campaignId, teamId);
  });
}

/** Ends a membership (sets left_on); the row stays, so the team's history still shows the member. */
export async function removeTeamMember(db: Executor, actor: Actor, campaignId: number, teamId: number, cadreId: number, leftOn?: string): Promise<TeamDto> {
  assertCan(actor, 'pairing.write');
  return inTransaction(db, async (tx) => {
    const { team } = await writableTeam(tx, actor, campaignId, teamId);
    if (!(await cadresInScope(tx, actor, [cadreId])).has(cadreId)) throw notFound('干部', cadreId);
    const membership = await currentMembership(tx, teamId, cadreId);
    if (!membership) throw new AppError('NOT_FOUND', `干部 ${cadreId} 不是该组团的现有成员`, { field: 'cadreId' });
    if (team.leader_cadre_id === cadreId) throw new AppError('VALIDATION_FAILED', '组长不能退出组团，请先更换组长', { field: 'cadreId' });
    const day = leftOn ?? max(chinaToday(), membership.joined_on);
    if (day < membership.joined_on) throw new AppError('VALIDATION_FAILED', `退出日期 ${day} 早于加入日期 ${membership.joined_on}`, { field: 'leftOn' });
    await tx.updateTable('team_members').set({ left_on: day }).where('id', '=', membership.id).execute();
    await queueComplianceChange(tx, { campaignId, cadreIds: [cadreId], teamId });
    await recordAudit(tx, actor, { action: 'team.member_remove', entity: 'team', entityId: teamId, detail: { campaignId, cadreId, leftOn: day }, where: await teamPlace(tx, campaignId) });
    return getTeam(tx, actor, campaignId, teamId);
  });
}
