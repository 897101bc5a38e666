import { sql } from 'kysely';
import {
  commitmentStatusLabels, createCommitment as createSchema, honourCommitment as honourSchema, milestoneInput as milestoneSchema,
  setProgress as progressSchema, updateCommitment as updateSchema, updateMilestone as updateMilestoneSchema,
  type CommitmentDto, type CommitmentListQuery, type CommitmentStatus, type CommitmentSummary, type CreateCommitment, type HonourCommitment,
  type MilestoneDto, type MilestoneInput, type ProgressSource, type SetProgress, type UpdateCommitment, type UpdateMilestone,
} from '../../../contracts/commitments.ts';
import { matterStatusLabels } from '../../../contracts/matters.ts';
import { ticketStateLabels } from '../../../contracts/tickets.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { pathUnder } from '../../db/paths.ts';
import { AppError, notFound } from '../../errors.ts';
import { recordAudit } from '../audit/audit.ts';
import { assertCan, isUnder, type Actor } from '../auth/actor.ts';
import { campaignScope, chinaToday } from '../campaigns/campaigns.ts';
import { cadresInScope } from '../campaigns/teams.ts';
import { matterScope } from '../matters/scope.ts';
import { unusablePhotos } from '../photos/photos.ts';
import { regionScope } from '../regions/regions.ts';
import { parseInput } from '../targets/targets.ts';
import { ticketScope } from '../tickets/tickets.ts';
import { unitScope } from '../units/units.ts';

// Public commitments (公开履职承诺): see contracts/commitments.ts for status and progress. Who sees
// one (commitmentScope): an account tied to a unit sees the pledges of its unit's leaders (the
// unit path is the leader's unit when the pledge was made), wherever the region; an account
// scoped by region sees the pledges for places in its region. Every write checks commitment.write,
// runs in one transaction with its audit row and appends to the progress log (commitment_events).

export const invalid = (field: string, message: string) => new AppError('VALIDATION_FAILED', message, { field, fields: [{ field, message }] });

/** SQL condition on a commitments alias: the commitment is visible to the actor. */
export function commitmentScope(actor: Actor, alias = 'c') {
  const { regionPath, unitPath } = actor.scope;
  if (unitPath !== null) return pathUnder(`${alias}.unit_path`, unitPath);
  if (regionPath !== null) return pathUnder(`${alias}.region_path`, regionPath);
  return sql<boolean>`true`;
}

/** The derived status as SQL (for filters), the same rule as statusOf. */
export const statusSql = (alias: string, today: string) => sql<CommitmentStatus>`(case
  when ${sql.ref(`${alias}.honoured_on`)} is not null then 'honoured'
  when ${sql.ref(`${alias}.due_on`)} < ${today}::date then 'overdue'
  when ${sql.ref(`${alias}.adjustment_count`)} > 0 then 'adjusted'
  else 'in_progress' end)`;

export function statusOf(r: { honoured_on: string | null; due_on: string; adjustment_count: number }, today = chinaToday()): CommitmentStatus {
  if (r.honoured_on !== null) return 'honoured';
  if (r.due_on < today) return 'overdue';
  if (r.adjustment_count > 0) return 'adjusted';
  return 'in_progress';
}

export function progressOf(r: { honoured_on: string | null; progress_override: number | null; milestone_count: number; milestones_done: number }): { progress: number; progressSource: ProgressSource } {
  if (r.honoured_on !== null) return { progress: 100, progressSource: 'honoured' };
  if (r.progress_override !== null) return { progress: r.progress_override, progressSource: 'explicit' };
  return { progress: r.milestone_count === 0 ? 0 : Math.round((r.milestones_done * 100) / r.milestone_count), progressSource: 'milestones' };
}

// ── Reading ──────────────────────────────────────────────────────────────────────────────────

export const milestoneCounts = [
  sql<number>`(select count(*)::int from commitment_milestones cm where cm.commitment_id = c.id)`.as('milestone_count'),
  sql<number>`(select count(*)::int from commitment_milestones cm where cm.commitment_id = c.id and cm.done_on is not null)`.as('milestones_done'),
] as const;

export function joined(db: Executor) {
  return db
    .selectFrom('commitments as c')
    .innerJoin('cadres as cd', 'cd.id', 'c.cadre_id')
    .innerJoin('units as u', 'u.id', 'c.unit_id')
    .innerJoin('regions as r', 'r.code', 'c.region_code')
    .innerJoin('campaigns as cp', 'cp.id', 'c.campaign_id');
}

export const summaryColumns = [
  'c.id', 'c.campaign_id', 'cp.name as campaign_name', 'c.cadre_id', 'cd.name as leader_name', 'c.leader_position', 'c.unit_id', 'u.name as unit_name',
  'c.region_code', 'r.name as region_name', 'c.title', 'c.category', 'c.starts_on', 'c.due_on', 'c.published_at', 'c.honoured_on',
  'c.progress_override', 'c.progress_reason', 'c.adjustment_count', 'c.updated_at', 'c.created_at', 'c.content', 'c.region_path', 'c.unit_path',
] as const;

export type SummaryRow = {
  id: number; campaign_id: number; campaign_name: string; cadre_id: number; leader_name: string; leader_position: string; unit_id: number;
  unit_name: string; region_code: string; region_name: string; title: string; category: string; starts_on: string; due_on: string;
  published_at: Date | null; honoured_on: string | null; progress_override: number | null; progress_reason: string | null; adjustment_count: number;
  updated_at: Date; created_at: Date; content: string; region_path: string; unit_path: string; milestone_count: number; milestones_done: number;
};

export const sharedSummary = (r: SummaryRow, today: string) => ({
  id: r.id,
  leaderName: r.leader_name,
  leaderPosition: r.leader_position,
  unitName: r.unit_name,
  regionCode: r.region_code,
  regionName: r.region_name,
  title: r.title,
  category: r.category,
  startsOn: r.starts_on,
  dueOn: r.due_on,
  honouredOn: r.honoured_on,
  status: statusOf(r, today),
  adjusted: r.adjustment_count > 0,
  ...progressOf(r),
  milestoneCount: r.milestone_count,
  milestonesDone: r.milestones_done,
});

const toSummary = (r: SummaryRow, today: string): CommitmentSummary => ({
  ...sharedSummary(r, today),
  campaignId: r.campaign_id,
  campaignName: r.campaign_name,
  cadreId: r.cadre_id,
  unitId: r.unit_id,
  published: r.published_at !== null,
  publishedAt: r.published_at?.toISOString() ?? null,
  updatedAt: r.updated_at.toISOString(),
});

/** A milestone is late when done after its planned day, or not done and the planned day has passed. */
export const isLate = (m: { planned_on: string; done_on: string | null }, today: string) => (m.done_on === null ? m.planned_on < today : m.done_on > m.planned_on);

/** Milestones of a commitment with their photos and links (labels of matters and tickets). */
export async function loadMilestones(db: Executor, commitmentId: number, today: string) {
  const ms = await db.selectFrom('commitment_milestones').selectAll().where('commitment_id', '=', commitmentId).orderBy('planned_on').orderBy('seq').execute();
  const ids = ms.map((m) => m.id);
  const photos = ids.length
    ? await db.selectFrom('commitment_milestone_photos as mp').innerJoin('photos as ph', 'ph.id', 'mp.photo_id')
      .select(['mp.milestone_id', 'ph.id', 'ph.has_thumbnail', 'ph.taken_at']).where('mp.milestone_id', '=', sql<number>`any(${ids}::int[])`)
      .orderBy(sql`ph.taken_at asc nulls last`).orderBy('ph.id').execute()
    : [];
  const links = ids.length
    ? await db.selectFrom('commitment_milestone_links as l')
      .leftJoin('practical_matters as m', 'm.id', 'l.matter_id')
      .leftJoin('tickets as t', 't.id', 'l.ticket_id')
      .select(['l.milestone_id', 'l.matter_id', 'l.ticket_id', 'm.title as matter_title', 'm.status as matter_status', 't.tracking_code', 't.state as ticket_state'])
      .where('l.milestone_id', '=', sql<number>`any(${ids}::int[])`).orderBy('l.matter_id').orderBy('l.ticket_id').execute()
    : [];
  return ms.map((m) => ({
    id: m.id, seq: m.seq, title: m.title, plannedOn: m.planned_on, doneOn: m.done_on, evidence: m.evidence, late: isLate(m, today),
    photos: photos.filter((p) => p.milestone_id === m.id),
    links: links.filter((l) => l.milestone_id === m.id).map((l) => (l.matter_id !== null
      ? { kind: 'matter' as const, id: l.matter_id, label: l.matter_title ?? '', status: l.matter_status ? matterStatusLabels[l.matter_status].zh : '' }
      : { kind: 'ticket' as const, id: l.ticket_id!, label: l.tracking_code ?? '', status: l.ticket_state ? ticketStateLabels[l.ticket_state].zh : '' })),
  }));
}

export const staffPhotoUrl = (commitmentId: number, photoId: number) => `/api/v1/commitments/${commitmentId}/photos/${photoId}`;

export async function getCommitment(db: Executor, actor: Actor, id: number): Promise<CommitmentDto> {
  const today = chinaToday();
  const row = await joined(db).select(summaryColumns).select(milestoneCounts).where('c.id', '=', id).where(commitmentScope(actor)).executeTakeFirst();
  if (!row) throw notFound('履职承诺', id);
  const milestones: MilestoneDto[] = (await loadMilestones(db, id, today)).map((m) => ({
    ...m,
    photos: m.photos.map((p) => ({
      id: p.id, url: staffPhotoUrl(id, p.id), thumbUrl: p.has_thumbnail ? `${staffPhotoUrl(id, p.id)}?thumb=1` : null, hasThumbnail: p.has_thumbnail,
      takenAt: p.taken_at?.toISOString() ?? null,
    })),
  }));
  const adjustments = await db.selectFrom('commitment_adjustments as a').leftJoin('users as us', 'us.id', 'a.user_id')
    .select(['a.at', 'a.reason', 'a.before', 'a.after', 'us.username']).where('a.commitment_id', '=', id).orderBy('a.id').execute();
  const events = await db.selectFrom('commitment_events').select(['id', 'at', 'kind', 'summary', 'username']).where('commitment_id', '=', id).orderBy('id').execute();
  return {
    ...toSummary(row, today),
    content: row.content,
    progressReason: row.progress_reason,
    milestones,
    adjustments: adjustments.map((a) => ({ at: a.at.toISOString(), reason: a.reason, before: a.before, after: a.after, username: a.username ?? '系统' })),
    events: events.map((e) => ({ id: e.id, at: e.at.toISOString(), kind: e.kind, summary: e.summary, username: e.username })),
    createdAt: row.created_at.toISOString(),
  };
}

async function scopedRegion(db: Executor, actor: Actor, code: string) {
  const region = await db.selectFrom('regions').select(['code', 'name', 'path']).where('code', '=', code).where(regionScope(actor, 'regions.path')).executeTakeFirst();
  if (!region) throw notFound('区划', code);
  return region;
}

export async function listCommitments(db: Executor, actor: Actor, f: CommitmentListQuery) {
  const today = chinaToday();
  const q = await filteredCommitments(db, actor, f, today);
  const [rows, count] = await Promise.all([
    q.select(summaryColumns).select(milestoneCounts).orderBy('c.due_on').orderBy('c.id').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map((r) => toSummary(r, today)), total: count.n, page: f.page, pageSize: f.pageSize };
}

/** The commitments the list (and its export) shows for the filters; aliases as in `joined`. */
export async function filteredCommitments(db: Executor, actor: Actor, f: Omit<CommitmentListQuery, 'page' | 'pageSize'>, today = chinaToday()) {
  let q = joined(db).where(commitmentScope(actor));
  if (f.campaignId) q = q.where('c.campaign_id', '=', f.campaignId);
  if (f.region) q = q.where(pathUnder('c.region_path', (await scopedRegion(db, actor, f.region)).path));
  if (f.unitId) {
    // A unit outside the scope answers like a missing one.
    const unit = await db.selectFrom('units').select('path').where('id', '=', f.unitId).where(unitScope(actor)).executeTakeFirst();
    if (!unit) throw notFound('单位', f.unitId);
    q = q.where(pathUnder('c.unit_path', unit.path));
  }
  if (f.cadreId) q = q.where('c.cadre_id', '=', f.cadreId);
  if (f.status) q = q.where(statusSql('c', today), '=', f.status);
  if (f.published !== undefined) q = q.where('c.published_at', f.published ? 'is not' : 'is', null);
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    q = q.where((eb) => eb.or([eb('cd.name', 'like', like), eb('c.title', 'like', like)]));
  }
  return q;
}

// ── Writing ──────────────────────────────────────────────────────────────────────────────────

type Locked = {
  id: number; campaign_id: number; title: string; content: string; category: string; starts_on: string; due_on: string;
  published_at: Date | null; honoured_on: string | null; progress_override: number | null; region_path: string; unit_path: string; adjustment_count: number;
};

async function locked(db: Executor, actor: Actor, id: number): Promise<Locked> {
  const c = await db.selectFrom('commitments as c')
    .select(['c.id', 'c.campaign_id', 'c.title', 'c.content', 'c.category', 'c.starts_on', 'c.due_on', 'c.published_at', 'c.honoured_on', 'c.progress_override', 'c.region_path', 'c.unit_path', 'c.adjustment_count'])
    .where('c.id', '=', id).where(commitmentScope(actor)).forUpdate('c').executeTakeFirst();
  if (!c) throw notFound('履职承诺', id);
  return c;
}

function assertOpen(c: Locked) {
  if (c.honoured_on !== null) throw new AppError('CONFLICT', `该承诺已于 ${c.honoured_on} 兑现，不能再修改`, { honouredOn: c.honoured_on });
}

async function logEvent(db: Executor, actor: Actor, at: Date, commitmentId: number, kind: string, summary: string, data: Record<string, unknown> = {}) {
  await db.insertInto('commitment_events').values({ commitment_id: commitmentId, kind, summary, data: JSON.stringify(data), user_id: actor.userId, username: actor.username, at }).execute();
}

/** `now` lets the demo loader write a history with its real days; the API always uses the clock. */
export type WriteOptions = { now?: Date };

const where = (c: { region_path: string; unit_path: string }) => ({ regionPath: c.region_path, unitPath: c.unit_path });

type CheckedMilestone = { title: string; plannedOn: string; doneOn: string | null; evidence: string; photoIds: number[]; matterIds: number[]; ticketIds: number[] };

/** Checks one milestone against the commitment's dates and the actor's reach; `field` prefixes the field names. */
async function checkMilestone(db: Executor, actor: Actor, m: CheckedMilestone, span: { startsOn: string; dueOn: string }, field: string, today: string) {
  if (m.plannedOn < span.startsOn || m.plannedOn > span.dueOn) {
    throw invalid(`${field}plannedOn`, `节点“${m.title}”的计划日期 ${m.plannedOn} 不在承诺期限 ${span.startsOn} 至 ${span.dueOn} 之内`);
  }
  if (m.doneOn !== null) {
    if (m.doneOn > today) throw invalid(`${field}doneOn`, `节点“${m.title}”的完成日期 ${m.doneOn} 不能晚于今天（${today}）`);
    if (m.doneOn < span.startsOn) throw invalid(`${field}doneOn`, `节点“${m.title}”的完成日期 ${m.doneOn} 早于承诺开始日期 ${span.startsOn}`);
  }
  const badPhotos = await unusablePhotos(db, actor, m.photoIds);
  if (badPhotos.length) throw invalid(`${field}photoIds`, `照片 ${badPhotos.join('、')} 不存在或您无权使用（请先上传）`);
  const matterIds = [...new Set(m.matterIds)];
  if (matterIds.length) {
    const found = new Set((await db.selectFrom('practical_matters as m').select('m.id').where('m.id', '=', sql<number>`any(${matterIds}::int[])`).where(matterScope(actor, 'm')).execute()).map((r) => r.id));
    const bad = matterIds.filter((x) => !found.has(x));
    if (bad.length) throw invalid(`${field}matterIds`, `实事 ${bad.join('、')} 不存在或不在您的管辖范围内`);
  }
  const ticketIds = [...new Set(m.ticketIds)];
  if (ticketIds.length) {
    const found = new Set((await db.selectFrom('tickets as t').select('t.id').where('t.id', '=', sql<number>`any(${ticketIds}::int[])`).where(ticketScope(actor, 't')).execute()).map((r) => r.id));
    const bad = ticketIds.filter((x) => !found.has(x));
    if (bad.length) throw invalid(`${field}ticketIds`, `工单 ${bad.join('、')} 不存在或不在您的管辖范围内`);
  }
}

async function attach(db: Executor, milestoneId: number, m: { photoIds: number[]; matterIds: number[]; ticketIds: number[] }) {
  const photoIds = [...new Set(m.photoIds)];
  if (photoIds.length) {
    await db.insertInto('commitment_milestone_photos').values(photoIds.map((photo_id) => ({ milestone_id: milestoneId, photo_id }))).onConflict((oc) => oc.doNothing()).execute();
  }
  const links = [
    ...[...new Set(m.matterIds)].map((matter_id) => ({ milestone_id: milestoneId, matter_id, ticket_id: null })),
    ...[...new Set(m.ticketIds)].map((ticket_id) => ({ milestone_id: milestoneId, matter_id: null, ticket_id })),
  ];
  if (links.length) await db.insertInto('commitment_milestone_links').values(links).onConflict((oc) => oc.doNothing()).execute();
}

async function insertMilestone(db: Executor, commitmentId: number, seq: number, m: CheckedMilestone, now: Date) {
  const { id } = await db.insertInto('commitment_milestones').values({
    commitment_id: commitmentId, seq, title: m.title, planned_on: m.plannedOn, done_on: m.doneOn, evidence: m.evidence, created_at: now, updated_at: now,
  }).returning('id').executeTakeFirstOrThrow();
  await attach(db, id, m);
  return id;
}

const checked = (m: ReturnType<typeof milestoneSchema.parse>): CheckedMilestone => ({ ...m, doneOn: m.doneOn ?? null });

export async function createCommitment(db: Executor, actor: Actor, input: CreateCommitment, opts: WriteOptions = {}): Promise<CommitmentDto> {
  assertCan(actor, 'commitment.write');
  const v = parseInput(createSchema, input);
  const now = opts.now ?? new Date();
  const today = chinaToday(now);
  return inTransaction(db, async (tx) => {
    const cadre = (await cadresInScope(tx, actor, [v.cadreId])).get(v.cadreId);
    if (!cadre) throw invalid('cadreId', `干部 ${v.cadreId} 不存在或不在您的管辖范围内（单位责任领导只能为本单位干部录入承诺）`);
    const full = await tx.selectFrom('cadres').select(['unit_id', 'position']).where('id', '=', v.cadreId).executeTakeFirstOrThrow();
    const campaign = await tx.selectFrom('campaigns').select(['name', 'region_path', 'starts_on', 'ends_on']).where('id', '=', v.campaignId).where(campaignScope(actor)).executeTakeFirst();
    if (!campaign) throw invalid('campaignId', `活动 ${v.campaignId} 不存在或不在您的管辖范围内`);
    const region = await tx.selectFrom('regions').select(['code', 'name', 'path']).where('code', '=', v.regionCode).where(regionScope(actor, 'regions.path')).executeTakeFirst();
    if (!region) throw invalid('regionCode', `区划 ${v.regionCode} 不存在或不在您的管辖范围内`);
    if (!isUnder(region.path, campaign.region_path)) throw invalid('regionCode', `区划“${region.name}”不在活动“${campaign.name}”的区划之内`);
    if (v.dueOn < v.startsOn) throw invalid('dueOn', `完成期限 ${v.dueOn} 早于开始日期 ${v.startsOn}`);
    const milestones = v.milestones.map(checked);
    for (const [i, m] of milestones.entries()) await checkMilestone(tx, actor, m, v, `milestones.${i}.`, today);
    const { id } = await tx.insertInto('commitments').values({
      campaign_id: v.campaignId, cadre_id: v.cadreId, leader_position: v.leaderPosition ?? full.position, unit_id: full.unit_id, unit_path: cadre.unit_path,
      region_code: region.code, region_path: region.path, title: v.title, content: v.content, category: v.category, starts_on: v.startsOn, due_on: v.dueOn,
      published_at: v.publish ? now : null, created_by: actor.userId, created_at: now, updated_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    for (const [i, m] of milestones.entries()) await insertMilestone(tx, id, i + 1, m, now);
    await logEvent(tx, actor, now, id, 'create', `录入承诺“${v.title}”，期限 ${v.startsOn} 至 ${v.dueOn}，${milestones.length} 个节点`);
    if (v.publish) await logEvent(tx, actor, now, id, 'publish', '承诺公开发布');
    await recordAudit(tx, actor, {
      action: 'commitment.create', entity: 'commitment', entityId: id,
      detail: { cadreId: v.cadreId, campaignId: v.campaignId, regionCode: v.regionCode, title: v.title, category: v.category, startsOn: v.startsOn, dueOn: v.dueOn, milestones: milestones.length, published: v.publish },
      where: { regionPath: region.path, unitPath: cadre.unit_path },
    });
    return getCommitment(tx, actor, id);
  });
}

const fieldNames: Record<string, string> = { title: '标题', content: '内容', category: '类别', startsOn: '开始日期', dueOn: '完成期限' };

/** Edits a commitment. A draft changes freely; a published one records an adjustment (before, after, reason). */
export async function updateCommitment(db: Executor, actor: Actor, id: number, input: UpdateCommitment, opts: WriteOptions = {}): Promise<CommitmentDto> {
  assertCan(actor, 'commitment.write');
  const v = parseInput(updateSchema, input);
  const now = opts.now ?? new Date();
  return inTransaction(db, async (tx) => {
    const cur = await locked(tx, actor, id);
    assertOpen(cur);
    const before = { title: cur.title, content: cur.content, category: cur.category, startsOn: cur.starts_on, dueOn: cur.due_on };
    const after = { title: v.title ?? cur.title, content: v.content ?? cur.content, category: v.category ?? cur.category, startsOn: v.startsOn ?? cur.starts_on, dueOn: v.dueOn ?? cur.due_on };
    const changed = (Object.keys(after) as (keyof typeof after)[]).filter((k) => after[k] !== before[k]);
    if (changed.length === 0) return getCommitment(tx, actor, id);
    if (after.dueOn < after.startsOn) throw invalid(v.dueOn ? 'dueOn' : 'startsOn', `完成期限 ${after.dueOn} 早于开始日期 ${after.startsOn}`);
    if (changed.includes('startsOn') || changed.includes('dueOn')) {
      const outside = await tx.selectFrom('commitment_milestones').select(['title', 'planned_on']).where('commitment_id', '=', id)
        .where((eb) => eb.or([eb('planned_on', '<', after.startsOn), eb('planned_on', '>', after.dueOn)])).orderBy('seq').execute();
      if (outside.length) {
        throw invalid(v.dueOn ? 'dueOn' : 'startsOn', `节点${outside.map((m) => `“${m.title}”（${m.planned_on}）`).join('、')}的计划日期将不在新期限 ${after.startsOn} 至 ${after.dueOn} 之内，请先调整节点`);
      }
    }
    const published = cur.published_at !== null;
    if (published && !v.reason) throw invalid('reason', '承诺已公开，修改须填写调整原因（reason），原内容和原因将一并公开');
    await tx.updateTable('commitments').set({
      title: after.title, content: after.content, category: after.category, starts_on: after.startsOn, due_on: after.dueOn, updated_at: now,
      ...(published ? { adjustment_count: cur.adjustment_count + 1 } : {}),
    }).where('id', '=', id).execute();
    const pick = (o: Record<string, string>) => Object.fromEntries(changed.map((k) => [k, o[k]]));
    if (published) {
      await tx.insertInto('commitment_adjustments').values({ commitment_id: id, before: JSON.stringify(pick(before)), after: JSON.stringify(pick(after)), reason: v.reason!, user_id: actor.userId, at: now }).execute();
      await logEvent(tx, actor, now, id, 'adjust', `调整承诺（${changed.map((k) => fieldNames[k]).join('、')}）：${v.reason}`, { fields: changed });
    } else {
      await logEvent(tx, actor, now, id, 'edit', `修改草稿（${changed.map((k) => fieldNames[k]).join('、')}）`, { fields: changed });
    }
    await recordAudit(tx, actor, {
      action: published ? 'commitment.adjust' : 'commitment.update', entity: 'commitment', entityId: id,
      detail: { before: pick(before), after: pick(after), reason: v.reason ?? null }, where: where(cur),
    });
    return getCommitment(tx, actor, id);
  });
}

export async function publishCommitment(db: Executor, actor: Actor, id: number, opts: WriteOptions = {}): Promise<CommitmentDto> {
  assertCan(actor, 'commitment.write');
  const now = opts.now ?? new Date();
  return inTransaction(db, async (tx) => {
    const cur = await locked(tx, actor, id);
    if (cur.published_at !== null) throw new AppError('CONFLICT', `该承诺已于 ${cur.published_at.toISOString().slice(0, 10)} 公开发布`);
    await tx.updateTable('commitments').set({ published_at: now, updated_at: now }).where('id', '=', id).execute();
    await logEvent(tx, actor, now, id, 'publish', '承诺公开发布');
    await recordAudit(tx, actor, { action: 'commitment.publish', entity: 'commitment', entityId: id, where: where(cur) });
    return getCommitment(tx, actor, id);
  });
}

export async function addMilestone(db: Executor, actor: Actor, id: number, input: MilestoneInput, opts: WriteOptions = {}): Promise<CommitmentDto> {
  assertCan(actor, 'commitment.write');
  const v = checked(parseInput(milestoneSchema, input));
  const now = opts.now ?? new Date();
  const today = chinaToday(now);
  return inTransaction(db, async (tx) => {
    const cur = await locked(tx, actor, id);
    assertOpen(cur);
    await checkMilestone(tx, actor, v, { startsOn: cur.starts_on, dueOn: cur.due_on }, '', today);
    const { n } = await tx.selectFrom('commitment_milestones').select(sql<number>`coalesce(max(seq), 0)::int`.as('n')).where('commitment_id', '=', id).executeTakeFirstOrThrow();
    if (n >= 30) throw invalid('title', '每项承诺最多30个节点');
    const milestoneId = await insertMilestone(tx, id, n + 1, v, now);
    await tx.updateTable('commitments').set({ updated_at: now }).where('id', '=', id).execute();
    await logEvent(tx, actor, now, id, 'milestone_add', `新增节点“${v.title}”，计划 ${v.plannedOn} 完成${v.doneOn ? `；已于 ${v.doneOn} 完成` : ''}`, { milestoneId });
    await recordAudit(tx, actor, { action: 'commitment.milestone_add', entity: 'commitment', entityId: id, detail: { milestoneId, ...v }, where: where(cur) });
    return getCommitment(tx, actor, id);
  });
}

export async function updateMilestone(db: Executor, actor: Actor, id: number, milestoneId: number, input: UpdateMilestone, opts: WriteOptions = {}): Promise<CommitmentDto> {
  assertCan(actor, 'commitment.write');
  const v = parseInput(updateMilestoneSchema, input);
  const now = opts.now ?? new Date();
  const today = chinaToday(now);
  return inTransaction(db, async (tx) => {
    const cur = await locked(tx, actor, id);
    assertOpen(cur);
    const m = await tx.selectFrom('commitment_milestones').selectAll().where('id', '=', milestoneId).where('commitment_id', '=', id).executeTakeFirst();
    if (!m) throw notFound('承诺节点', milestoneId);
    const next: CheckedMilestone = {
      title: v.title ?? m.title, plannedOn: v.plannedOn ?? m.planned_on, doneOn: v.doneOn === undefined ? m.done_on : v.doneOn, evidence: v.evidence ?? m.evidence,
      photoIds: v.photoIds ?? [], matterIds: v.matterIds ?? [], ticketIds: v.ticketIds ?? [],
    };
    await checkMilestone(tx, actor, next, { startsOn: cur.starts_on, dueOn: cur.due_on }, '', today);
    await tx.updateTable('commitment_milestones').set({ title: next.title, planned_on: next.plannedOn, done_on: next.doneOn, evidence: next.evidence, updated_at: now })
      .where('id', '=', milestoneId).execute();
    await attach(tx, milestoneId, next);
    await tx.updateTable('commitments').set({ updated_at: now }).where('id', '=', id).execute();
    const parts: string[] = [];
    if (next.doneOn !== m.done_on) parts.push(next.doneOn === null ? '改为未完成' : `已于 ${next.doneOn} 完成`);
    if (next.title !== m.title) parts.push(`名称由“${m.title}”改为“${next.title}”`);
    if (next.plannedOn !== m.planned_on) parts.push(`计划日期由 ${m.planned_on} 改为 ${next.plannedOn}`);
    if (next.evidence !== m.evidence) parts.push('更新佐证说明');
    if (next.photoIds.length) parts.push(`添加照片 ${new Set(next.photoIds).size} 张`);
    if (next.matterIds.length || next.ticketIds.length) parts.push('关联实事或工单');
    await logEvent(tx, actor, now, id, next.doneOn !== m.done_on && next.doneOn !== null ? 'milestone_done' : 'milestone_edit', `节点“${next.title}”${parts.join('，') || '无变化'}`, { milestoneId });
    await recordAudit(tx, actor, {
      action: 'commitment.milestone_update', entity: 'commitment', entityId: id,
      detail: { milestoneId, before: { title: m.title, plannedOn: m.planned_on, doneOn: m.done_on, evidence: m.evidence }, ...v }, where: where(cur),
    });
    return getCommitment(tx, actor, id);
  });
}

/** Sets the progress explicitly (with a reason), goes back to the milestones (percent null), or only notes progress. */
export async function setProgress(db: Executor, actor: Actor, id: number, input: SetProgress, opts: WriteOptions = {}): Promise<CommitmentDto> {
  assertCan(actor, 'commitment.write');
  const v = parseInput(progressSchema, input);
  if (v.percent === undefined && !v.note) throw invalid('note', '请填写进度（percent）或进展说明（note）');
  if (v.percent !== undefined && v.percent !== null && !v.reason) throw invalid('reason', '手动设置进度须填写原因（reason）');
  const now = opts.now ?? new Date();
  return inTransaction(db, async (tx) => {
    const cur = await locked(tx, actor, id);
    assertOpen(cur);
    if (v.percent !== undefined) {
      await tx.updateTable('commitments').set({ progress_override: v.percent, progress_reason: v.percent === null ? null : v.reason!, updated_at: now }).where('id', '=', id).execute();
    } else {
      await tx.updateTable('commitments').set({ updated_at: now }).where('id', '=', id).execute();
    }
    const what = v.percent === undefined ? '进展' : v.percent === null ? '进度改为按节点计算' : `进度设为 ${v.percent}%（${v.reason}）`;
    await logEvent(tx, actor, now, id, 'progress', v.note ? `${what}：${v.note}` : what, { percent: v.percent ?? null });
    await recordAudit(tx, actor, { action: 'commitment.progress', entity: 'commitment', entityId: id, detail: { before: cur.progress_override, ...v }, where: where(cur) });
    return getCommitment(tx, actor, id);
  });
}

/** Marks a published commitment honoured; every milestone must be done first (409 naming those left). */
export async function honourCommitment(db: Executor, actor: Actor, id: number, input: HonourCommitment, opts: WriteOptions = {}): Promise<CommitmentDto> {
  assertCan(actor, 'commitment.write');
  const v = parseInput(honourSchema, input);
  const now = opts.now ?? new Date();
  const today = chinaToday(now);
  return inTransaction(db, async (tx) => {
    const cur = await locked(tx, actor, id);
    assertOpen(cur);
    if (cur.published_at === null) throw new AppError('CONFLICT', '草稿不能直接兑现，请先公开发布');
    if (v.honouredOn > today) throw invalid('honouredOn', `兑现日期 ${v.honouredOn} 不能晚于今天（${today}）`);
    if (v.honouredOn < cur.starts_on) throw invalid('honouredOn', `兑现日期 ${v.honouredOn} 早于承诺开始日期 ${cur.starts_on}`);
    const open = await tx.selectFrom('commitment_milestones').select('title').where('commitment_id', '=', id).where('done_on', 'is', null).orderBy('seq').execute();
    if (open.length) throw new AppError('CONFLICT', `还有节点未完成：${open.map((m) => `“${m.title}”`).join('、')}，完成后才能兑现`, { open: open.map((m) => m.title) });
    await tx.updateTable('commitments').set({ honoured_on: v.honouredOn, updated_at: now }).where('id', '=', id).execute();
    await logEvent(tx, actor, now, id, 'honour', `承诺已于 ${v.honouredOn} 兑现${v.note ? `：${v.note}` : ''}`);
    await recordAudit(tx, actor, { action: 'commitment.honour', entity: 'commitment', entityId: id, detail: v, where: where(cur) });
    return getCommitment(tx, actor, id);
  });
}

/** The photo of a milestone of a commitment the actor sees (staff), or NOT_FOUND. */
export async function commitmentPhotoId(db: Executor, actor: Actor | null, id: number, photoId: number): Promise<number> {
  let q = db.selectFrom('commitment_milestone_photos as mp').innerJoin('commitment_milestones as m', 'm.id', 'mp.milestone_id')
    .innerJoin('commitments as c', 'c.id', 'm.commitment_id').select('mp.photo_id').where('c.id', '=', id).where('mp.photo_id', '=', photoId);
  q = actor === null ? q.where('c.published_at', 'is not', null) : q.where(commitmentScope(actor));
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('照片', photoId);
  return row.photo_id;
}

export { commitmentStatusLabels };
