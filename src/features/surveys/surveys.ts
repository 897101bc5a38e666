import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import {
  createSurvey as createSchema, createSurveyLinks, excludeSurveyResponses, surveyFlagLabels, surveyLinkSubject, surveyPeriodBounds, updateSurvey as updateSchema,
  type SurveyDto, type SurveyFlag, type SurveyLink, type SurveyPeriod, type SurveyResults,
} from '../../../contracts/surveys.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { pathUnder } from '../../db/paths.ts';
import { AppError, notFound } from '../../errors.ts';
import { recordAudit } from '../audit/audit.ts';
import { assertCan, isUnder, type Actor } from '../auth/actor.ts';
import { campaignScope, chinaToday } from '../campaigns/campaigns.ts';
import { regionScope } from '../regions/regions.ts';
import { parseInput } from '../targets/targets.ts';

// 双评 for the office: survey rounds (questions by dimension, a period), one link per target or
// unit, results per cadre, unit and dimension, and the inflation flags. A survey is visible like a
// campaign (inside the caller's region or containing it); its responses are cut to the caller's
// scope by the rated subject's region and unit, so a county's leaders see their county.

const invalid = (field: string, message: string) => new AppError('VALIDATION_FAILED', message, { field, fields: [{ field, message }] });
export const newSurveyToken = () => randomBytes(18).toString('base64url');

/** SQL: the survey response row (alias r) lies in the actor's scope. */
export function responseScope(actor: Actor, alias = 'r') {
  const region = regionScope(actor, `${alias}.region_path`);
  return actor.scope.unitPath === null ? region : sql<boolean>`(${region} and ${pathUnder(`${alias}.unit_path`, actor.scope.unitPath)})`;
}

type SurveyRow = { id: number; title: string; kind: SurveyDto['kind']; region_path: string; state: SurveyDto['state']; version: number; starts_on: string; ends_on: string };

async function visibleSurvey(db: Executor, actor: Actor, id: number): Promise<SurveyRow> {
  const s = await db.selectFrom('surveys as s')
    .select(['s.id', 's.title', 's.kind', 's.region_path', 's.state', 's.version', 's.starts_on', 's.ends_on'])
    .where('s.id', '=', id).where(campaignScope(actor, 's.region_path')).executeTakeFirst();
  if (!s) throw notFound('问卷', id);
  return s;
}

/** Changing a survey needs survey.configure and the survey's region inside the caller's scope. */
async function editableSurvey(db: Executor, actor: Actor, id: number): Promise<SurveyRow> {
  assertCan(actor, 'survey.configure');
  const s = await visibleSurvey(db, actor, id);
  if (actor.scope.regionPath !== null && !isUnder(s.region_path, actor.scope.regionPath)) throw new AppError('FORBIDDEN', '该问卷由上级组织，您只能查看，不能修改');
  return s;
}

function periodLabel(kind: string, startsOn: string, endsOn: string): string {
  const [y, m] = startsOn.split('-').map(Number) as [number, number];
  if (kind === 'month') return `${y}年${m}月`;
  if (kind === 'quarter') return `${y}年第${Math.floor((m - 1) / 3) + 1}季度`;
  if (kind === 'year') return `${y}年度`;
  return `${startsOn} 至 ${endsOn}`;
}

export async function getSurvey(db: Executor, actor: Actor, id: number): Promise<SurveyDto> {
  assertCan(actor, 'survey.results');
  await visibleSurvey(db, actor, id);
  const [dto] = await loadSurveys(db, actor, { ids: [id] });
  return dto!;
}

async function loadSurveys(db: Executor, actor: Actor, f: { ids?: number[]; state?: string | undefined; kind?: string | undefined; campaignId?: number | undefined }): Promise<SurveyDto[]> {
  let q = db.selectFrom('surveys as s')
    .innerJoin('regions as g', 'g.code', 's.region_code')
    .leftJoin('campaigns as c', 'c.id', 's.campaign_id')
    .select([
      's.id', 's.title', 's.kind', 's.campaign_id', 'c.name as campaign_name', 's.region_code', 'g.name as region_name', 's.period_kind', 's.starts_on', 's.ends_on',
      's.state', 's.intro', 's.version', 's.created_at',
      (eb) => eb.selectFrom('survey_links as l').select((e) => e.fn.countAll<number>().as('n')).whereRef('l.survey_id', '=', 's.id').as('link_count'),
      (eb) => eb.selectFrom('survey_responses as r').select((e) => e.fn.countAll<number>().as('n')).whereRef('r.survey_id', '=', 's.id').where(responseScope(actor)).as('response_count'),
      (eb) => eb.selectFrom('survey_flags as f').innerJoin('survey_responses as r', 'r.id', 'f.response_id').select(sql<number>`count(distinct f.response_id)`.as('n'))
        .whereRef('f.survey_id', '=', 's.id').where(responseScope(actor)).as('flagged_count'),
    ])
    .where(campaignScope(actor, 's.region_path'));
  if (f.ids) q = q.where('s.id', 'in', f.ids);
  if (f.state) q = q.where('s.state', '=', f.state as SurveyDto['state']);
  if (f.kind) q = q.where('s.kind', '=', f.kind as SurveyDto['kind']);
  if (f.campaignId) q = q.where('s.campaign_id', '=', f.campaignId);
  const rows = await q.orderBy('s.starts_on', 'desc').orderBy('s.id', 'desc').limit(500).execute();
  if (rows.length === 0) return [];
  const questions = await db.selectFrom('survey_questions').selectAll().where('survey_id', 'in', rows.map((r) => r.id)).orderBy('position').execute();
  return rows.map((r) => ({
    id: r.id, title: r.title, kind: r.kind, campaignId: r.campaign_id, campaignName: r.campaign_name, regionCode: r.region_code, regionName: r.region_name,
    periodKind: r.period_kind, startsOn: r.starts_on, endsOn: r.ends_on, periodLabel: periodLabel(r.period_kind, r.starts_on, r.ends_on), state: r.state, intro: r.intro,
    version: r.version,
    questions: questions.filter((q) => q.survey_id === r.id).map((q) => ({ id: q.id, position: q.position, dimension: q.dimension, text: q.text, required: q.required, allowComment: q.allow_comment })),
    linkCount: Number(r.link_count ?? 0), responseCount: Number(r.response_count ?? 0), flaggedCount: Number(r.flagged_count ?? 0), createdAt: r.created_at.toISOString(),
  }));
}

export async function listSurveys(db: Executor, actor: Actor, f: { state?: string | undefined; kind?: string | undefined; campaignId?: number | undefined }): Promise<SurveyDto[]> {
  assertCan(actor, 'survey.results');
  return loadSurveys(db, actor, f);
}

type QuestionInput = { dimension: string; text: string; required: boolean; allowComment: boolean };
const insertQuestions = (db: Executor, surveyId: number, qs: QuestionInput[]) =>
  db.insertInto('survey_questions').values(qs.map((q, i) => ({ survey_id: surveyId, position: i + 1, dimension: q.dimension, text: q.text, required: q.required, allow_comment: q.allowComment }))).execute();

export async function createSurvey(db: Executor, actor: Actor, input: unknown): Promise<SurveyDto> {
  assertCan(actor, 'survey.configure');
  const v = parseInput(createSchema, input);
  const p = surveyPeriodBounds(v.period as SurveyPeriod);
  const id = await inTransaction(db, async (tx) => {
    const region = await tx.selectFrom('regions').select(['code', 'path']).where('code', '=', v.regionCode).where(regionScope(actor, 'regions.path')).executeTakeFirst();
    if (!region) throw invalid('regionCode', `区划（${v.regionCode}）不存在或不在您的管辖范围内`);
    if (v.campaignId) {
      const c = await tx.selectFrom('campaigns').select('id').where('id', '=', v.campaignId).where(campaignScope(actor)).executeTakeFirst();
      if (!c) throw invalid('campaignId', `活动（${v.campaignId}）不存在或不在您的管辖范围内`);
    }
    const now = new Date();
    const s = await tx.insertInto('surveys').values({
      title: v.title, kind: v.kind, campaign_id: v.campaignId ?? null, region_code: region.code, region_path: region.path, period_kind: p.kind,
      starts_on: p.startsOn, ends_on: p.endsOn, intro: v.intro, created_by: actor.userId, created_at: now, updated_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    await insertQuestions(tx, s.id, v.questions);
    await recordAudit(tx, actor, { action: 'survey.create', entity: 'survey', entityId: s.id, detail: { title: v.title, kind: v.kind, period: p.label, questions: v.questions.length }, where: { regionPath: region.path, unitPath: null } });
    return s.id;
  });
  return getSurvey(db, actor, id);
}

/** Edit a round: questions and period only while unanswered; draft → open ⇄ closed. */
export async function updateSurvey(db: Executor, actor: Actor, id: number, input: unknown): Promise<SurveyDto> {
  const v = parseInput(updateSchema, input);
  await inTransaction(db, async (tx) => {
    const s = await editableSurvey(tx, actor, id);
    const locked = await tx.selectFrom('surveys').select('version').where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
    if (locked.version !== v.version) throw new AppError('CONFLICT', `问卷已被他人修改（当前版本 ${locked.version}），请刷新后重试`, { field: 'version', version: locked.version });
    const answered = await tx.selectFrom('survey_responses').select('id').where('survey_id', '=', id).limit(1).executeTakeFirst();
    if (answered && v.questions) throw new AppError('CONFLICT', '问卷已有人作答，不能再修改题目', { field: 'questions' });
    if (answered && v.period) throw new AppError('CONFLICT', '问卷已有人作答，不能再修改周期', { field: 'period' });
    if (v.state === 'draft' && s.state !== 'draft') throw new AppError('CONFLICT', `问卷已${s.state === 'open' ? '开放' : '关闭'}，不能改回草稿`, { field: 'state' });
    const p = v.period ? surveyPeriodBounds(v.period as SurveyPeriod) : null;
    await tx.updateTable('surveys').set({
      ...(v.title !== undefined ? { title: v.title } : {}),
      ...(v.intro !== undefined ? { intro: v.intro } : {}),
      ...(p ? { period_kind: p.kind, starts_on: p.startsOn, ends_on: p.endsOn } : {}),
      ...(v.state !== undefined ? { state: v.state } : {}),
      version: v.version + 1, updated_at: new Date(),
    }).where('id', '=', id).execute();
    if (v.questions) {
      await tx.deleteFrom('survey_questions').where('survey_id', '=', id).execute();
      await insertQuestions(tx, id, v.questions);
    }
    await recordAudit(tx, actor, {
      action: 'survey.update', entity: 'survey', entityId: id,
      detail: { changed: Object.keys(v).filter((k) => k !== 'version'), state: v.state ?? s.state }, where: { regionPath: s.region_path, unitPath: null },
    });
  });
  return getSurvey(db, actor, id);
}

// ── Links ────────────────────────────────────────────────────────────────────────────────────

/** The cadres who serve a target today: open pairings, direct or through a team, in post. */
export async function servingCadres(db: Executor, targetIds: number[], today: string) {
  if (targetIds.length === 0) return [];
  return db.selectFrom('pairings as p')
    .leftJoin('team_members as tm', (j) => j.onRef('tm.team_id', '=', 'p.team_id').on('tm.joined_on', '<=', today).on((eb) => eb.or([eb('tm.left_on', 'is', null), eb('tm.left_on', '>=', today)])))
    .innerJoin('cadres as c', (j) => j.on((eb) => eb.or([eb('c.id', '=', eb.ref('p.cadre_id')), eb('c.id', '=', eb.ref('tm.cadre_id'))])))
    .innerJoin('units as u', 'u.id', 'c.unit_id')
    .select(['p.target_id', 'c.id', 'c.name', 'c.position', 'u.id as unit_id', 'u.name as unit_name', 'u.path as unit_path'])
    .distinct()
    .where('p.target_id', 'in', targetIds)
    .where('p.starts_on', '<=', today)
    .where((eb) => eb.or([eb('p.ends_on', 'is', null), eb('p.ends_on', '>=', today)]))
    .where('c.status', '=', 'active')
    .orderBy('c.name')
    .execute();
}

export async function createLinks(db: Executor, actor: Actor, surveyId: number, input: unknown): Promise<SurveyLink[]> {
  const v = parseInput(createSurveyLinks, input);
  await inTransaction(db, async (tx) => {
    const s = await editableSurvey(tx, actor, surveyId);
    const wants = surveyLinkSubject(s.kind);
    if (wants === 'target' && v.unitIds.length > 0) throw invalid('unitIds', '「群众评干部」问卷按联系对象生成链接，请选择联系对象');
    if (wants === 'unit' && v.targetIds.length > 0) throw invalid('targetIds', '评单位（部门）的问卷按单位生成链接，请选择单位');
    if (v.targetIds.length > 0) {
      const ids = [...new Set(v.targetIds)];
      const found = await tx.selectFrom('contact_targets').select('id').where('id', 'in', ids).where(regionScope(actor, 'contact_targets.region_path')).execute();
      const missing = ids.filter((i) => !found.some((f) => f.id === i));
      if (missing.length > 0) throw invalid('targetIds', `联系对象不存在或不在您的管辖范围内：${missing.join('、')}`);
      await tx.insertInto('survey_links').values(ids.map((target_id) => ({ survey_id: surveyId, target_id, token: newSurveyToken() })))
        .onConflict((oc) => oc.columns(['survey_id', 'target_id']).where('target_id', 'is not', null).doNothing()).execute();
    }
    if (v.unitIds.length > 0) {
      const ids = [...new Set(v.unitIds)];
      let q = tx.selectFrom('units').select('id').where('id', 'in', ids).where(regionScope(actor, 'units.region_path'));
      if (actor.scope.unitPath !== null) q = q.where(pathUnder('units.path', actor.scope.unitPath));
      const found = await q.execute();
      const missing = ids.filter((i) => !found.some((f) => f.id === i));
      if (missing.length > 0) throw invalid('unitIds', `单位不存在或不在您的管辖范围内：${missing.join('、')}`);
      await tx.insertInto('survey_links').values(ids.map((unit_id) => ({ survey_id: surveyId, unit_id, token: newSurveyToken() })))
        .onConflict((oc) => oc.columns(['survey_id', 'unit_id']).where('unit_id', 'is not', null).doNothing()).execute();
    }
    await recordAudit(tx, actor, { action: 'survey.links', entity: 'survey', entityId: surveyId, detail: { targetIds: v.targetIds, unitIds: v.unitIds }, where: { regionPath: s.region_path, unitPath: null } });
  });
  return listLinks(db, actor, surveyId);
}

export async function listLinks(db: Executor, actor: Actor, surveyId: number): Promise<SurveyLink[]> {
  assertCan(actor, 'survey.configure');
  await visibleSurvey(db, actor, surveyId);
  const rows = await db.selectFrom('survey_links as l')
    .leftJoin('contact_targets as t', 't.id', 'l.target_id')
    .leftJoin('units as u', 'u.id', 'l.unit_id')
    .innerJoin('regions as g', (j) => j.on((eb) => eb('g.code', '=', eb.fn.coalesce('t.region_code', 'u.region_code'))))
    .select([
      'l.id', 'l.token', 'l.target_id', 'l.unit_id', 't.name as target_name', 'u.name as unit_name', 'g.name as region_name',
      (eb) => eb.selectFrom('survey_responses as r').select((e) => e.fn.countAll<number>().as('n')).whereRef('r.link_id', '=', 'l.id').as('response_count'),
    ])
    .where('l.survey_id', '=', surveyId)
    .where((eb) => eb.or([
      eb.and([eb('l.target_id', 'is not', null), regionScope(actor, 't.region_path')]),
      eb.and([eb('l.unit_id', 'is not', null), regionScope(actor, 'u.region_path'), ...(actor.scope.unitPath !== null ? [pathUnder('u.path', actor.scope.unitPath)] : [])]),
    ]))
    .orderBy('l.id')
    .execute();
  const cadres = await servingCadres(db, rows.flatMap((r) => (r.target_id ? [r.target_id] : [])), chinaToday());
  return rows.map((r) => ({
    id: r.id, token: r.token, path: `/s/${r.token}`, targetId: r.target_id, unitId: r.unit_id, subjectName: r.target_name ?? r.unit_name ?? '', regionName: r.region_name,
    cadreNames: cadres.filter((c) => c.target_id === r.target_id).map((c) => c.name), responseCount: Number(r.response_count ?? 0),
  }));
}

/** The link's token, for its QR code (the office's, in scope). */
export async function linkToken(db: Executor, actor: Actor, surveyId: number, linkId: number): Promise<string> {
  const links = await listLinks(db, actor, surveyId);
  const l = links.find((x) => x.id === linkId);
  if (!l) throw notFound('问卷链接', linkId);
  return l.token;
}

// ── Results ──────────────────────────────────────────────────────────────────────────────────

const rate = (s: number, b: number, u: number) => (s + b + u === 0 ? null : Math.round(((s + b) / (s + b + u)) * 10000) / 10000);

export async function surveyResults(db: Executor, actor: Actor, surveyId: number, opts: { excludeFlagged?: boolean } = {}): Promise<SurveyResults> {
  assertCan(actor, 'survey.results');
  const s = await visibleSurvey(db, actor, surveyId);
  // The office's exclusions always apply; excludeFlagged previews leaving out every flagged response.
  const counted = sql<boolean>`(not r.excluded and ${responseScope(actor)}${opts.excludeFlagged ? sql` and not exists (select 1 from survey_flags f where f.response_id = r.id)` : sql``})`;
  const rows = await db.selectFrom('survey_responses as r')
    .innerJoin('survey_answers as a', 'a.response_id', 'r.id')
    .innerJoin('survey_questions as q', 'q.id', 'a.question_id')
    .innerJoin('units as u', 'u.id', 'r.unit_id')
    .leftJoin('cadres as c', 'c.id', 'r.cadre_id')
    .select([
      'r.subject_key', 'r.subject_kind', 'c.name as cadre_name', 'u.name as unit_name', 'q.dimension', 'a.value',
      (eb) => eb.fn.countAll<number>().as('n'), sql<number>`count(distinct r.id)`.as('responses'),
    ])
    .where('r.survey_id', '=', surveyId)
    .where(counted)
    .groupBy(['r.subject_key', 'r.subject_kind', 'c.name', 'u.name', 'q.dimension', 'a.value'])
    .execute();
  const perSubjectResponses = await db.selectFrom('survey_responses as r')
    .select(['r.subject_key', (eb) => eb.fn.countAll<number>().as('n')])
    .where('r.survey_id', '=', surveyId).where(counted).groupBy('r.subject_key').execute();
  const totals = await db.selectFrom('survey_responses as r')
    .select([
      (eb) => eb.fn.countAll<number>().as('all'),
      sql<number>`count(*) filter (where r.excluded)`.as('excluded'),
      sql<number>`count(*) filter (where exists (select 1 from survey_flags f where f.response_id = r.id))`.as('flagged'),
    ])
    .where('r.survey_id', '=', surveyId).where(responseScope(actor)).executeTakeFirstOrThrow();
  const questions = await db.selectFrom('survey_questions').select(['dimension']).where('survey_id', '=', surveyId).orderBy('position').execute();
  const dimensions = [...new Set(questions.map((q) => q.dimension))];

  type Acc = { satisfied: number; basic: number; unsatisfied: number };
  const zero = (): Acc => ({ satisfied: 0, basic: 0, unsatisfied: 0 });
  const overall = zero();
  const byDim = new Map(dimensions.map((d) => [d, zero()]));
  const subjects = new Map<string, { kind: 'cadre' | 'unit'; name: string; unitName: string; acc: Acc; dims: Map<string, Acc> }>();
  for (const r of rows) {
    const n = Number(r.n);
    let sub = subjects.get(r.subject_key);
    if (!sub) {
      sub = { kind: r.subject_kind, name: r.cadre_name ?? r.unit_name, unitName: r.unit_name, acc: zero(), dims: new Map(dimensions.map((d) => [d, zero()])) };
      subjects.set(r.subject_key, sub);
    }
    sub.acc[r.value] += n;
    overall[r.value] += n;
    const sd = sub.dims.get(r.dimension) ?? zero();
    sd[r.value] += n;
    sub.dims.set(r.dimension, sd);
    const d = byDim.get(r.dimension) ?? zero();
    d[r.value] += n;
    byDim.set(r.dimension, d);
  }
  const dimRow = (dimension: string, a: Acc) => ({ dimension, ...a, rate: rate(a.satisfied, a.basic, a.unsatisfied) });

  const comments = await db.selectFrom('survey_answers as a')
    .innerJoin('survey_responses as r', 'r.id', 'a.response_id')
    .innerJoin('survey_questions as q', 'q.id', 'a.question_id')
    .innerJoin('units as u', 'u.id', 'r.unit_id')
    .leftJoin('cadres as c', 'c.id', 'r.cadre_id')
    .leftJoin('tickets as t', 't.id', 'a.ticket_id')
    .select(['c.name as cadre_name', 'u.name as unit_name', 'q.dimension', 'q.text as question', 'a.value', 'a.comment', 'r.submitted_at', 'a.ticket_id', 't.tracking_code'])
    .where('r.survey_id', '=', surveyId).where(counted)
    .where((eb) => eb.or([eb('a.comment', 'is not', null), eb('a.ticket_id', 'is not', null)]))
    .orderBy('r.submitted_at', 'desc').limit(500).execute();
  const responsesOf = new Map(perSubjectResponses.map((r) => [r.subject_key, Number(r.n)]));

  return {
    surveyId, title: s.title, periodLabel: periodLabel((await db.selectFrom('surveys').select('period_kind').where('id', '=', surveyId).executeTakeFirstOrThrow()).period_kind, s.starts_on, s.ends_on),
    total: {
      responses: [...responsesOf.values()].reduce((a, b) => a + b, 0), ...overall, rate: rate(overall.satisfied, overall.basic, overall.unsatisfied),
      excluded: Number(totals.excluded), flagged: Number(totals.flagged),
    },
    dimensions: dimensions.map((d) => dimRow(d, byDim.get(d)!)),
    subjects: [...subjects.entries()]
      .map(([key, v]) => ({ key, kind: v.kind, name: v.name, unitName: v.unitName, responses: responsesOf.get(key) ?? 0, ...v.acc, rate: rate(v.acc.satisfied, v.acc.basic, v.acc.unsatisfied), dimensions: dimensions.map((d) => dimRow(d, v.dims.get(d)!)) }))
      .sort((a, b) => (a.rate ?? 2) - (b.rate ?? 2) || a.name.localeCompare(b.name, 'zh')),
    comments: comments.map((c) => ({
      subjectName: c.cadre_name ?? c.unit_name, dimension: c.dimension, question: c.question, value: c.value, comment: c.comment ?? '',
      submittedOn: chinaToday(c.submitted_at), ticketId: c.ticket_id, ticketCode: c.tracking_code,
    })),
  };
}

// ── Flags ────────────────────────────────────────────────────────────────────────────────────

function explain(kind: SurveyFlag['kinds'][number]['kind'], e: Record<string, unknown>): string {
  switch (kind) {
    case 'device': return `同一设备（${String(e.group)}）本期共提交 ${String(e.count)} 份答卷，超过 ${String(e.threshold)} 份`;
    case 'network': return `同一网段（${String(e.group)}）本期共提交 ${String(e.count)} 份答卷，超过 ${String(e.threshold)} 份`;
    case 'burst': return `${String(e.minutes)} 分钟内对同一对象收到 ${String(e.count)} 份全部“满意”的相同答卷（阈值 ${String(e.threshold)} 份）`;
  }
}

export async function surveyFlags(db: Executor, actor: Actor, surveyId: number): Promise<SurveyFlag[]> {
  assertCan(actor, 'survey.configure');
  await visibleSurvey(db, actor, surveyId);
  const rows = await db.selectFrom('survey_flags as f')
    .innerJoin('survey_responses as r', 'r.id', 'f.response_id')
    .innerJoin('units as u', 'u.id', 'r.unit_id')
    .leftJoin('cadres as c', 'c.id', 'r.cadre_id')
    .select(['f.response_id', 'f.kind', 'f.evidence', 'r.submitted_at', 'r.all_satisfied', 'r.excluded', 'c.name as cadre_name', 'u.name as unit_name'])
    .where('f.survey_id', '=', surveyId).where(responseScope(actor))
    .orderBy('r.submitted_at', 'desc').orderBy('f.response_id').limit(2000).execute();
  const out = new Map<number, SurveyFlag>();
  for (const r of rows) {
    let f = out.get(r.response_id);
    if (!f) {
      f = { responseId: r.response_id, subjectName: r.cadre_name ?? r.unit_name, submittedAt: r.submitted_at.toISOString(), allSatisfied: r.all_satisfied, excluded: r.excluded, kinds: [] };
      out.set(r.response_id, f);
    }
    f.kinds.push({ kind: r.kind, explanation: explain(r.kind, r.evidence), evidence: r.evidence });
  }
  return [...out.values()];
}

/** Leave flagged responses out of the results (or count them again). */
export async function excludeResponses(db: Executor, actor: Actor, surveyId: number, input: unknown): Promise<{ updated: number }> {
  const v = parseInput(excludeSurveyResponses, input);
  return inTransaction(db, async (tx) => {
    const s = await editableSurvey(tx, actor, surveyId);
    const ids = [...new Set(v.responseIds)];
    const found = await tx.selectFrom('survey_responses as r').select('r.id').where('r.survey_id', '=', surveyId).where('r.id', 'in', ids).where(responseScope(actor)).execute();
    const missing = ids.filter((i) => !found.some((f) => f.id === i));
    if (missing.length > 0) throw invalid('responseIds', `答卷不存在或不属于该问卷：${missing.join('、')}`);
    const r = await tx.updateTable('survey_responses').set({ excluded: v.excluded, excluded_by: v.excluded ? actor.userId : null }).where('id', 'in', ids).executeTakeFirst();
    await recordAudit(tx, actor, { action: v.excluded ? 'survey.exclude' : 'survey.include', entity: 'survey', entityId: surveyId, detail: { responseIds: ids }, where: { regionPath: s.region_path, unitPath: null } });
    return { updated: Number(r.numUpdatedRows) };
  });
}

export const flagLabel = (k: keyof typeof surveyFlagLabels) => surveyFlagLabels[k].zh;
