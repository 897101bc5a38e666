import { sql, type Updateable } from 'kysely';
import {
  allowedWritingActions,
  createWriting as createWritingSchema,
  reviewWriting as reviewWritingSchema,
  selectWriting as selectWritingSchema,
  updateWriting as updateWritingSchema,
  writingActionLabels,
  writingKindLabels,
  writingStatusLabels,
  type CreateWriting,
  type ReviewWriting,
  type SelectWriting,
  type UpdateWriting,
  type WritingAction,
  type WritingDto,
  type WritingListQuery,
  type WritingStatus,
  type WritingSummary,
} from '../../../contracts/writings.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { pathUnder } from '../../db/paths.ts';
import type { WritingsTable } from '../../db/schema.ts';
import { AppError, forbidden, notFound } from '../../errors.ts';
import { recordAudit } from '../audit/audit.ts';
import { assertCan, can, type Actor } from '../auth/actor.ts';
import { chinaToday, visibleCampaign } from '../campaigns/campaigns.ts';
import { cadresInScope, teamScope } from '../campaigns/teams.ts';
import { regionScope } from '../regions/regions.ts';
import { parseInput } from '../targets/targets.ts';
import { unitScope } from '../units/units.ts';
import { queueRecordChange } from '../compliance/engine.ts';

// Writing (手记、调研课题、调研报告、领导参阅、发展计划) with review. The flow and who may do
// what are in contracts/writings.ts; this module enforces them.
//
// Where a writing lives: unit_path and region_path are its author's unit (a team's writing: the
// team leader's unit) and that unit's jurisdiction, copied when it is created — so a cadre who later
// moves leaves their writing with the unit they wrote it for. region_code is what it is about
// (the target's region, or one given), shown but not used for scope.
//
// Who is the author: the author cadre's own account, a current member of the author team, or the
// account that entered it (an admin or unit leader recording for a cadre). The author edits,
// submits and withdraws; nobody reviews their own writing.

/**
 * SQL condition on a writings alias: the writing is visible to the actor.
 * - An account tied to a unit sees the writings of its unit subtree's cadres (unit_path), wherever
 *   they are about — as it sees their activities.
 * - An account scoped by region only sees the writings of the units whose jurisdiction lies in it.
 * - An unscoped account sees everything.
 * And anyone sees their own: written by their cadre, entered by them, or belonging to a team their
 * cadre is a current member of (so a team's topic reaches every member, whatever their unit).
 */
export function writingScope(actor: Actor, alias = 'w') {
  const { regionPath, unitPath } = actor.scope;
  const col = (c: string) => `${alias}.${c}`;
  let scoped;
  if (unitPath !== null) scoped = pathUnder(col('unit_path'), unitPath);
  else if (regionPath !== null) scoped = pathUnder(col('region_path'), regionPath);
  else return sql<boolean>`true`;
  return sql<boolean>`(${scoped} or ${ownWriting(actor, alias)})`;
}

/** SQL condition: the writing is the actor's own (see the module comment). */
function ownWriting(actor: Actor, alias = 'w') {
  const ref = (c: string) => sql.ref(`${alias}.${c}`);
  const byUser = actor.userId === null ? sql<boolean>`false` : sql<boolean>`${ref('created_by')} = ${actor.userId}`;
  if (actor.cadreId === null) return byUser;
  return sql<boolean>`(${byUser} or ${ref('author_cadre_id')} = ${actor.cadreId} or (${ref('team_id')} is not null and exists (
    select 1 from team_members om where om.team_id = ${ref('team_id')} and om.cadre_id = ${actor.cadreId} and om.left_on is null)))`;
}

function baseQuery(db: Executor, actor: Actor) {
  return db
    .selectFrom('writings as w')
    .leftJoin('cadres as ac', 'ac.id', 'w.author_cadre_id')
    .leftJoin('units as au', 'au.id', 'ac.unit_id')
    .leftJoin('teams as tm', 'tm.id', 'w.team_id')
    .leftJoin('campaigns as cp', 'cp.id', 'w.campaign_id')
    .leftJoin('contact_targets as t', 't.id', 'w.target_id')
    .leftJoin('regions as r', 'r.code', 'w.region_code')
    .where(writingScope(actor));
}

const summaryColumns = [
  'w.id', 'w.kind', 'w.title', 'w.status', 'w.grade', 'w.campaign_id', 'cp.name as campaign_name', 'w.author_cadre_id', 'ac.name as author_name',
  'au.name as author_unit_name', 'w.team_id', 'tm.name as team_name', 'w.topic_id', 'w.target_id', 't.name as target_name', 'w.region_code',
  'r.name as region_name', 'w.selected_for', 'w.written_on', 'w.submitted_at', 'w.updated_at',
] as const;

type SummaryRow = {
  id: number; kind: WritingSummary['kind']; title: string; status: WritingStatus; grade: WritingSummary['grade']; campaign_id: number | null;
  campaign_name: string | null; author_cadre_id: number | null; author_name: string | null; author_unit_name: string | null; team_id: number | null;
  team_name: string | null; topic_id: number | null; target_id: number | null; target_name: string | null; region_code: string | null;
  region_name: string | null; selected_for: string | null; written_on: string; submitted_at: Date | null; updated_at: Date; excerpt: string;
};

const toSummary = (r: SummaryRow): WritingSummary => ({
  id: r.id, kind: r.kind, title: r.title, excerpt: r.excerpt, status: r.status, grade: r.grade, campaignId: r.campaign_id, campaignName: r.campaign_name,
  authorCadreId: r.author_cadre_id, authorName: r.author_name, authorUnitName: r.author_unit_name, teamId: r.team_id, teamName: r.team_name,
  topicId: r.topic_id, targetId: r.target_id, targetName: r.target_name, regionCode: r.region_code, regionName: r.region_name,
  selectedFor: r.selected_for, writtenOn: r.written_on, submittedAt: r.submitted_at?.toISOString() ?? null, updatedAt: r.updated_at.toISOString(),
});

// ── Who may do what ──────────────────────────────────────────────────────────────────────────

type Access = { kind: WritingSummary['kind']; status: WritingStatus; own: boolean };

/** Whether the actor may do `action` to the writing as far as their role and authorship go (not its state). */
function mayDo(actor: Actor, w: Access, action: WritingAction): boolean {
  switch (action) {
    case 'edit':
      return w.kind === 'research_topic' ? can(actor, 'topic.assign') : w.own && can(actor, 'writing.write');
    case 'submit':
    case 'withdraw':
      return w.own && can(actor, 'writing.write');
    case 'review':
      return can(actor, 'writing.review') && !w.own;
    case 'select':
      return can(actor, 'writing.select');
  }
}

const actionsFor = (actor: Actor, w: Access) => allowedWritingActions(w.kind, w.status).filter((a) => mayDo(actor, w, a));

/** 409 when the state does not allow the action (listing what it allows), 403 when the actor may not. */
function assertAction(actor: Actor, w: Access & { id: number }, action: WritingAction) {
  const allowed = allowedWritingActions(w.kind, w.status);
  if (!allowed.includes(action)) {
    const status = w.kind === 'research_topic' && w.status === 'submitted' ? '已下达' : writingStatusLabels[w.status].zh;
    const options = allowed.length === 0 ? '已不能再做任何操作' : `此时只能${allowed.map((a) => writingActionLabels[a].zh).join('、')}`;
    throw new AppError('CONFLICT', `${writingKindLabels[w.kind].zh}（${w.id}）当前状态为“${status}”，不能${writingActionLabels[action].zh}；${options}`, {
      status: w.status, action, allowed,
    });
  }
  if (!mayDo(actor, w, action)) {
    if (action === 'review' && w.own) throw forbidden('不能评审自己的文稿');
    if (action === 'edit' && w.kind === 'research_topic') throw forbidden('只有下达课题的管理员或单位责任领导可以修改调研课题');
    throw forbidden(action === 'select' || action === 'review' ? undefined : '只有作者本人（或代为录入的人）可以修改、提交或撤回文稿');
  }
}

type Loaded = SummaryRow & {
  body: string; unit_path: string; region_path: string; review_comment: string | null; reviewed_at: Date | null; selected_at: Date | null;
  created_at: Date; topic_title: string | null; reviewed_by_name: string | null; created_by_name: string | null; own: boolean;
};

async function load(db: Executor, actor: Actor, id: number, forUpdate = false): Promise<Loaded> {
  let q = baseQuery(db, actor)
    .leftJoin('writings as tp', 'tp.id', 'w.topic_id')
    .leftJoin('users as ru', 'ru.id', 'w.reviewed_by')
    .leftJoin('users as cu', 'cu.id', 'w.created_by')
    .select(summaryColumns)
    .select([
      sql<string>`left(w.body, 120)`.as('excerpt'), 'w.body', 'w.unit_path', 'w.region_path', 'w.review_comment', 'w.reviewed_at', 'w.selected_at',
      'w.created_at', 'tp.title as topic_title', 'ru.display_name as reviewed_by_name', 'cu.display_name as created_by_name', ownWriting(actor).as('own'),
    ])
    .where('w.id', '=', id);
  if (forUpdate) q = q.forUpdate('w');
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('文稿', id);
  return row;
}

async function toDto(db: Executor, actor: Actor, r: Loaded): Promise<WritingDto> {
  const reports = r.kind !== 'research_topic' ? [] : await baseQuery(db, actor)
    .select(['w.id', 'w.title', 'w.status', 'w.grade', 'ac.name as author_name', 'tm.name as team_name'])
    .where('w.topic_id', '=', r.id)
    .orderBy('w.id')
    .execute();
  return {
    ...toSummary(r),
    body: r.body,
    topicTitle: r.topic_title,
    reviewComment: r.review_comment,
    reviewedBy: r.reviewed_by_name,
    reviewedAt: r.reviewed_at?.toISOString() ?? null,
    selectedAt: r.selected_at?.toISOString() ?? null,
    createdBy: r.created_by_name,
    createdAt: r.created_at.toISOString(),
    reports: reports.map((p) => ({ id: p.id, title: p.title, status: p.status, grade: p.grade, authorName: p.author_name, teamName: p.team_name })),
    actions: [...actionsFor(actor, r)],
  };
}

// ── Reading ──────────────────────────────────────────────────────────────────────────────────

export async function getWriting(db: Executor, actor: Actor, id: number): Promise<WritingDto> {
  return toDto(db, actor, await load(db, actor, id));
}

/** The writings the list (and its export) shows for the filters; `w` is the writings alias. */
export async function filteredWritings(db: Executor, actor: Actor, f: Omit<WritingListQuery, 'page' | 'pageSize'>) {
  let q = baseQuery(db, actor);
  if (f.kind) q = q.where('w.kind', '=', f.kind);
  if (f.status) q = q.where('w.status', '=', f.status);
  if (f.grade) q = q.where('w.grade', '=', f.grade);
  if (f.authorCadreId) q = q.where('w.author_cadre_id', '=', f.authorCadreId);
  if (f.teamId) q = q.where('w.team_id', '=', f.teamId);
  if (f.topicId) q = q.where('w.topic_id', '=', f.topicId);
  if (f.campaignId) q = q.where('w.campaign_id', '=', f.campaignId);
  if (f.targetId) q = q.where('w.target_id', '=', f.targetId);
  if (f.from) q = q.where('w.written_on', '>=', f.from);
  if (f.to) q = q.where('w.written_on', '<=', f.to);
  if (f.mine) q = q.where(ownWriting(actor));
  if (f.region) {
    const region = await db.selectFrom('regions').select('path').where('code', '=', f.region).where(regionScope(actor, 'regions.path')).executeTakeFirst();
    if (!region) throw notFound('区划', f.region);
    q = q.where(pathUnder('w.region_path', region.path));
  }
  return q;
}

export async function listWritings(db: Executor, actor: Actor, f: WritingListQuery) {
  const q = await filteredWritings(db, actor, f);
  const [rows, count] = await Promise.all([
    q.select(summaryColumns).select(sql<string>`left(w.body, 120)`.as('excerpt'))
      .orderBy('w.written_on', 'desc').orderBy('w.id', 'desc').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toSummary), total: count.n, page: f.page, pageSize: f.pageSize };
}

// ── Writing ──────────────────────────────────────────────────────────────────────────────────

const invalid = (field: string, message: string) => new AppError('VALIDATION_FAILED', message, { field });

/** The author team: visible, and the actor is a current member or may record for its leader's unit. */
async function resolveTeam(db: Executor, actor: Actor, teamId: number, assigning: boolean) {
  const team = await db
    .selectFrom('teams')
    .innerJoin('cadres as l', 'l.id', 'teams.leader_cadre_id')
    .innerJoin('units', 'units.id', 'l.unit_id')
    .select(['teams.id', 'teams.name', 'teams.campaign_id', 'units.path as unit_path', 'units.region_path', unitScope(actor).as('leader_in_scope')])
    .select(actor.cadreId === null ? sql<boolean>`false`.as('member') : sql<boolean>`exists (select 1 from team_members m where m.team_id = teams.id
      and m.cadre_id = ${actor.cadreId} and m.left_on is null)`.as('member'))
    .where('teams.id', '=', teamId)
    .where(sql<boolean>`(${teamScope(actor)} or ${actor.cadreId === null ? sql`false` : sql`exists (select 1 from team_members m2 where m2.team_id = teams.id and m2.cadre_id = ${actor.cadreId})`})`)
    .executeTakeFirst();
  if (!team) throw invalid('teamId', `组团 ${teamId} 不存在或不在您的管辖范围内`);
  // A member writes for the team; otherwise the actor records (or assigns) for a team led in their scope.
  const recorder = actor.role !== 'cadre' && team.leader_in_scope;
  if (!(assigning ? team.leader_in_scope : team.member || recorder)) throw forbidden(`您不是组团“${team.name}”的现任成员，不能以该组团名义撰写`);
  return team;
}

async function resolveAuthor(db: Executor, actor: Actor, cadreId: number | undefined, assigning: boolean) {
  const id = cadreId ?? actor.cadreId;
  if (id === null) throw invalid('authorCadreId', '您的账号未关联干部，请指定作者（authorCadreId）');
  // Cadres write their own; admins and unit leaders may record for (or assign to) cadres in scope.
  if (id !== actor.cadreId && actor.role === 'cadre' && !assigning) throw forbidden('干部只能以本人名义撰写文稿');
  const found = await cadresInScope(db, actor, [id]);
  const cadre = found.get(id);
  if (!cadre && id !== actor.cadreId) throw invalid('authorCadreId', `干部 ${id} 不存在或不在您的管辖范围内`);
  const place = await db.selectFrom('cadres').innerJoin('units', 'units.id', 'cadres.unit_id')
    .select(['cadres.id', 'cadres.name', 'units.path as unit_path', 'units.region_path']).where('cadres.id', '=', id).executeTakeFirst();
  if (!place) throw invalid('authorCadreId', `干部 ${id} 不存在`);
  return place;
}

async function resolveTopic(db: Executor, actor: Actor, topicId: number) {
  const topic = await db.selectFrom('writings as w').select(['w.id', 'w.kind', 'w.title']).where('w.id', '=', topicId).where(writingScope(actor)).executeTakeFirst();
  if (!topic) throw invalid('topicId', `调研课题 ${topicId} 不存在或不在您的管辖范围内`);
  if (topic.kind !== 'research_topic') throw invalid('topicId', `文稿 ${topicId}“${topic.title}”是${writingKindLabels[topic.kind].zh}，不是调研课题`);
  return topic;
}

async function resolveTarget(db: Executor, actor: Actor, targetId: number) {
  const t = await db.selectFrom('contact_targets').select(['id', 'region_code']).where('id', '=', targetId).where(regionScope(actor, 'contact_targets.region_path')).executeTakeFirst();
  if (!t) throw invalid('targetId', `联系对象 ${targetId} 不存在或不在您的管辖范围内`);
  return t;
}

async function resolveRegion(db: Executor, actor: Actor, code: string) {
  const r = await db.selectFrom('regions').select('code').where('code', '=', code).where(regionScope(actor, 'regions.path')).executeTakeFirst();
  if (!r) throw invalid('regionCode', `区划 ${code} 不存在或不在您的管辖范围内`);
  return r.code;
}

function checkWrittenOn(day: string) {
  const today = chinaToday();
  if (day > today) throw invalid('writtenOn', `撰写日期 ${day} 晚于今天（${today}）`);
  return day;
}

export async function createWriting(db: Executor, actor: Actor, input: CreateWriting): Promise<WritingDto> {
  assertCan(actor, 'writing.write');
  const data = parseInput(createWritingSchema, input);
  const assigning = data.kind === 'research_topic';
  if (assigning) assertCan(actor, 'topic.assign');
  return inTransaction(db, async (tx) => {
    let campaignId = data.campaignId ?? null;
    if (campaignId !== null) await visibleCampaign(tx, actor, campaignId).catch(() => { throw invalid('campaignId', `活动 ${campaignId} 不存在或不在您的管辖范围内`); });
    let authorCadreId: number | null = null;
    let teamId: number | null = null;
    let place: { unit_path: string; region_path: string };
    if (data.teamId !== undefined) {
      const team = await resolveTeam(tx, actor, data.teamId, assigning);
      if (campaignId !== null && campaignId !== team.campaign_id) throw invalid('teamId', `组团“${team.name}”不属于活动 ${campaignId}`);
      campaignId = team.campaign_id;
      teamId = team.id;
      place = team;
      // A team's writing may still name the member who drafted it.
      if (data.authorCadreId !== undefined) authorCadreId = (await resolveAuthor(tx, actor, data.authorCadreId, assigning)).id;
    } else {
      const author = await resolveAuthor(tx, actor, data.authorCadreId, assigning);
      authorCadreId = author.id;
      place = author;
    }
    if (data.topicId !== undefined) await resolveTopic(tx, actor, data.topicId);
    const target = data.targetId !== undefined ? await resolveTarget(tx, actor, data.targetId) : null;
    const regionCode = data.regionCode !== undefined ? await resolveRegion(tx, actor, data.regionCode) : (target?.region_code ?? null);
    const now = new Date();
    const row = await tx
      .insertInto('writings')
      .values({
        kind: data.kind, title: data.title, body: data.body, campaign_id: campaignId, author_cadre_id: authorCadreId, team_id: teamId,
        topic_id: data.topicId ?? null, target_id: target?.id ?? null, region_code: regionCode, region_path: place.region_path, unit_path: place.unit_path,
        // A topic is issued as it is assigned (see contracts/writings.ts).
        status: assigning ? 'submitted' : 'draft', submitted_at: assigning ? now : null,
        written_on: checkWrittenOn(data.writtenOn ?? chinaToday()), created_by: actor.userId, updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await queueRecordChange(tx, 'writing', row.id);
    await recordAudit(tx, actor, {
      action: assigning ? 'writing.assign_topic' : 'writing.create', entity: 'writing', entityId: row.id,
      detail: { kind: data.kind, title: data.title, authorCadreId, teamId, topicId: data.topicId ?? null, campaignId },
      where: { regionPath: place.region_path, unitPath: place.unit_path },
    });
    return toDto(tx, actor, await load(tx, actor, row.id));
  });
}

export async function updateWriting(db: Executor, actor: Actor, id: number, input: UpdateWriting): Promise<WritingDto> {
  const data = parseInput(updateWritingSchema, input);
  return inTransaction(db, async (tx) => {
    const w = await load(tx, actor, id, true);
    assertAction(actor, w, 'edit');
    const set: Updateable<WritingsTable> = {};
    if (data.title !== undefined) set.title = data.title;
    if (data.body !== undefined) set.body = data.body;
    if (data.writtenOn !== undefined) set.written_on = checkWrittenOn(data.writtenOn);
    if (data.campaignId !== undefined) {
      if (data.campaignId !== null) {
        const c = data.campaignId;
        await visibleCampaign(tx, actor, c).catch(() => { throw invalid('campaignId', `活动 ${c} 不存在或不在您的管辖范围内`); });
        if (w.team_id !== null) throw invalid('campaignId', '组团的文稿属于组团所在的活动，不能改换');
      } else if (w.team_id !== null) throw invalid('campaignId', '组团的文稿属于组团所在的活动，不能改换');
      set.campaign_id = data.campaignId;
    }
    if (data.topicId !== undefined) {
      if (data.topicId !== null) {
        if (w.kind !== 'research_report') throw invalid('topicId', '只有调研报告可以关联调研课题');
        await resolveTopic(tx, actor, data.topicId);
      }
      set.topic_id = data.topicId;
    }
    if (data.targetId !== undefined) {
      const target = data.targetId === null ? null : await resolveTarget(tx, actor, data.targetId);
      set.target_id = target?.id ?? null;
      if (data.regionCode === undefined && target) set.region_code = target.region_code;
    }
    if (data.regionCode !== undefined) set.region_code = await resolveRegion(tx, actor, data.regionCode);
    if (Object.keys(set).length > 0) {
      await queueRecordChange(tx, 'writing', id);
      await tx.updateTable('writings').set({ ...set, updated_at: new Date() }).where('id', '=', id).execute();
      await queueRecordChange(tx, 'writing', id);
      await recordAudit(tx, actor, {
        action: 'writing.update', entity: 'writing', entityId: id, detail: { fields: Object.keys(set) }, where: { regionPath: w.region_path, unitPath: w.unit_path },
      });
    }
    return toDto(tx, actor, await load(tx, actor, id));
  });
}

/** One state change: checks the state and the actor, writes it only if the state is unchanged, audits it. */
async function transition(
  db: Executor, actor: Actor, id: number, action: Exclude<WritingAction, 'edit'>, to: WritingStatus,
  set: (w: Loaded) => Updateable<WritingsTable>, detail: Record<string, unknown> = {},
): Promise<WritingDto> {
  return inTransaction(db, async (tx) => {
    const w = await load(tx, actor, id, true);
    assertAction(actor, w, action);
    const res = await tx.updateTable('writings').set({ ...set(w), status: to, updated_at: new Date() })
      .where('id', '=', id).where('status', '=', w.status).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new AppError('CONFLICT', '文稿刚被他人更改，请刷新后重试');
    await queueRecordChange(tx, 'writing', id);
    await recordAudit(tx, actor, { action: `writing.${action}`, entity: 'writing', entityId: id, detail: { from: w.status, to, ...detail }, where: { regionPath: w.region_path, unitPath: w.unit_path } });
    return toDto(tx, actor, await load(tx, actor, id));
  });
}

export async function submitWriting(db: Executor, actor: Actor, id: number): Promise<WritingDto> {
  assertCan(actor, 'writing.write');
  return transition(db, actor, id, 'submit', 'submitted', (w) => {
    if (w.body.trim() === '') throw invalid('body', `“${w.title}”正文为空，不能提交`);
    return { submitted_at: new Date() };
  });
}

export async function withdrawWriting(db: Executor, actor: Actor, id: number): Promise<WritingDto> {
  assertCan(actor, 'writing.write');
  return transition(db, actor, id, 'withdraw', 'draft', () => ({ submitted_at: null }));
}

export async function reviewWriting(db: Executor, actor: Actor, id: number, input: ReviewWriting): Promise<WritingDto> {
  assertCan(actor, 'writing.review');
  const data = parseInput(reviewWritingSchema, input);
  return transition(db, actor, id, 'review', 'reviewed', () => ({
    grade: data.grade, review_comment: data.comment, reviewed_by: actor.userId, reviewed_at: new Date(),
  }), { grade: data.grade });
}

export async function selectWriting(db: Executor, actor: Actor, id: number, input: SelectWriting): Promise<WritingDto> {
  assertCan(actor, 'writing.select');
  const data = parseInput(selectWritingSchema, input);
  return transition(db, actor, id, 'select', 'selected', () => ({ selected_for: data.selectedFor, selected_at: new Date() }), { selectedFor: data.selectedFor });
}
