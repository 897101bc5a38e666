import { sql } from 'kysely';
import {
  assessmentActionLabels, assessmentStatusLabels, assessmentTransitions, assessmentTree, autoFormula, createAssessment as createSchema,
  describeFormula, formatMeasureValue, formulaScore, scoreInput, TOTAL_WEIGHT, treeWeight,
  type AssessmentAction, type AssessmentDetailDto, type AssessmentItemDto, type AssessmentStatus, type AssessmentSubjectDto,
  type AssessmentSummaryDto, type AssessmentTree, type AutoMeasure, type CreateAssessment, type RankingDto, type RankingRowDto,
  type ScoreInput, type ScoreSheetDto,
} from '../../../contracts/assessments.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { pathUnder } from '../../db/paths.ts';
import { AppError, forbidden, notFound } from '../../errors.ts';
import { recordAudit } from '../audit/audit.ts';
import { assertCan, can, isUnder, type Actor, type Permission } from '../auth/actor.ts';
import { unusablePhotos } from '../photos/photos.ts';
import { measure } from './measures.ts';

// The 1000-point assessment (千分制考核): schemes, their indicator tree, scores and the ranking.
// A scheme belongs to its region (a county): accounts whose region contains it configure, score
// and approve it; accounts inside it (a township) read it; any other answers like a missing one.

type SchemeRow = {
  id: number; year: number; name: string; campaign_id: number | null; region_code: string; region_path: string;
  subject_kind: 'township' | 'unit'; status: AssessmentStatus; bonus_cap: number; deduction_cap: number; return_reason: string | null;
  submitted_at: Date | null; approved_at: Date | null; published_at: Date | null; updated_at: Date;
};

const invalid = (field: string, message: string, extra: Record<string, unknown> = {}) =>
  new AppError('VALIDATION_FAILED', message, { field, fields: [{ field, message }], ...extra });
const round2 = (n: number) => Math.round(n * 100) / 100;

const readable = (actor: Actor, regionPath: string) => {
  const p = actor.scope.regionPath;
  return p === null || isUnder(regionPath, p) || isUnder(p, regionPath);
};
const writable = (actor: Actor, regionPath: string) => actor.scope.regionPath === null || isUnder(regionPath, actor.scope.regionPath);

async function loadScheme(db: Executor, actor: Actor, id: number, lock = false): Promise<SchemeRow> {
  let q = db.selectFrom('assessment_schemes').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row || !readable(actor, row.region_path)) throw notFound('考核方案', id);
  return row as SchemeRow;
}

/** The scheme for a change: permission first, then scope (inside the scheme's region only reads). */
async function schemeForWrite(db: Executor, actor: Actor, id: number, permission: Permission): Promise<SchemeRow> {
  assertCan(actor, permission);
  const row = await loadScheme(db, actor, id, true);
  if (!writable(actor, row.region_path)) throw forbidden('只有考核方案所属区划的账号可以修改、评分或审批此方案');
  return row;
}

function stateConflict(s: SchemeRow, what: string): AppError {
  const allowed = Object.keys(assessmentTransitions[s.status]) as AssessmentAction[];
  return new AppError('CONFLICT', `考核方案当前为「${assessmentStatusLabels[s.status].zh}」，不能${what}`, {
    status: s.status, allowed, allowedLabels: allowed.map((a) => assessmentActionLabels[a].zh),
  });
}

const where = (s: { region_path: string }) => ({ regionPath: s.region_path, unitPath: null });

// ── Reading ─────────────────────────────────────────────────────────────────────────────────

async function toSummaries(db: Executor, rows: SchemeRow[]): Promise<AssessmentSummaryDto[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const counts = new Map((await db.selectFrom('assessment_subjects').select(['scheme_id', sql<number>`count(*)::int`.as('n')])
    .where('scheme_id', '=', sql<number>`any(${ids}::int[])`).groupBy('scheme_id').execute()).map((r) => [r.scheme_id, Number(r.n)]));
  const codes = [...new Set(rows.map((r) => r.region_code))];
  const names = new Map((await db.selectFrom('regions').select(['code', 'name']).where('code', '=', sql<string>`any(${codes}::text[])`).execute()).map((r) => [r.code, r.name]));
  return rows.map((r) => ({
    id: r.id, year: r.year, name: r.name, regionCode: r.region_code, regionName: names.get(r.region_code) ?? r.region_code,
    campaignId: r.campaign_id, subjectKind: r.subject_kind, status: r.status, subjectCount: counts.get(r.id) ?? 0,
    returnReason: r.return_reason, submittedAt: r.submitted_at?.toISOString() ?? null, approvedAt: r.approved_at?.toISOString() ?? null,
    publishedAt: r.published_at?.toISOString() ?? null, updatedAt: r.updated_at.toISOString(),
  }));
}

export async function listAssessments(db: Executor, actor: Actor, q: { year?: number | undefined; status?: AssessmentStatus | undefined }): Promise<AssessmentSummaryDto[]> {
  let query = db.selectFrom('assessment_schemes').selectAll();
  const p = actor.scope.regionPath;
  if (p !== null) {
    // Schemes inside the actor's region, or of a region that contains it (the county's, for a township).
    const ancestors = p.split('/').map((_, i, a) => a.slice(0, i + 1).join('/'));
    query = query.where((eb) => eb.or([pathUnder('region_path', p), eb('region_path', 'in', ancestors)]));
  }
  if (q.year !== undefined) query = query.where('year', '=', q.year);
  if (q.status) query = query.where('status', '=', q.status);
  const rows = await query.orderBy('year', 'desc').orderBy('id', 'desc').limit(500).execute();
  return toSummaries(db, rows as SchemeRow[]);
}

type ItemRow = {
  id: number; parent_id: number | null; kind: AssessmentItemDto['kind']; code: string; name: string; weight: number;
  method: 'auto' | 'manual' | null; measure: string | null; formula: unknown; description: string;
};
const toItem = (r: ItemRow): AssessmentItemDto => {
  const formula = r.formula == null ? null : autoFormula.parse(r.formula);
  const m = r.measure as AutoMeasure | null;
  return {
    id: r.id, parentId: r.parent_id, kind: r.kind, code: r.code, name: r.name, weight: Number(r.weight), method: r.method, measure: m,
    formula, formulaText: m && formula ? describeFormula(m, Number(r.weight), formula) : null, description: r.description,
  };
};
const loadItems = async (db: Executor, schemeId: number) =>
  (await db.selectFrom('assessment_items').selectAll().where('scheme_id', '=', schemeId).orderBy('sort').orderBy('id').execute()).map((r) => toItem(r as ItemRow));

type ScoreRowDb = { subject_id: number; item_id: number; score: number };
/** Base (indicators), bonus and deduction (each capped), and the total, per subject. */
function totals(items: AssessmentItemDto[], scores: ScoreRowDb[], s: { bonus_cap: number; deduction_cap: number }) {
  const kindOf = new Map(items.map((i) => [i.id, i.kind]));
  const per = new Map<number, { base: number; bonus: number; deduction: number; scored: number }>();
  for (const r of scores) {
    const t = per.get(r.subject_id) ?? { base: 0, bonus: 0, deduction: 0, scored: 0 };
    const k = kindOf.get(r.item_id);
    if (k === 'indicator') { t.base += Number(r.score); t.scored += 1; } else if (k === 'bonus') t.bonus += Number(r.score);
    else if (k === 'deduction') t.deduction += Number(r.score);
    per.set(r.subject_id, t);
  }
  return (subjectId: number) => {
    const t = per.get(subjectId) ?? { base: 0, bonus: 0, deduction: 0, scored: 0 };
    const bonus = round2(Math.min(Number(s.bonus_cap), t.bonus));
    const deduction = round2(Math.min(Number(s.deduction_cap), t.deduction));
    const base = round2(t.base);
    return { base, bonus, deduction, total: round2(base + bonus - deduction), scored: t.scored };
  };
}

function actionsFor(actor: Actor, s: SchemeRow): AssessmentAction[] {
  if (!writable(actor, s.region_path)) return [];
  const need: Record<AssessmentAction, Permission> = { start: 'assessment.configure', submit: 'assessment.score', approve: 'assessment.approve', return: 'assessment.approve', publish: 'assessment.approve' };
  return (Object.keys(assessmentTransitions[s.status]) as AssessmentAction[]).filter((a) => can(actor, need[a]));
}

export async function getAssessment(db: Executor, actor: Actor, id: number): Promise<AssessmentDetailDto> {
  const s = await loadScheme(db, actor, id);
  const [summary] = await toSummaries(db, [s]);
  const items = await loadItems(db, id);
  const subjects = await db.selectFrom('assessment_subjects').selectAll().where('scheme_id', '=', id).orderBy('region_path').orderBy('id').execute();
  const scores = await db.selectFrom('assessment_scores').select(['subject_id', 'item_id', 'score']).where('scheme_id', '=', id).execute();
  const tot = totals(items, scores, s);
  return {
    ...summary!,
    bonusCap: Number(s.bonus_cap), deductionCap: Number(s.deduction_cap),
    weightTotal: round2(items.filter((i) => i.kind === 'indicator').reduce((a, i) => a + i.weight, 0)),
    items,
    subjects: subjects.map((r): AssessmentSubjectDto => ({ id: r.id, name: r.name, regionCode: r.region_code, unitId: r.unit_id, scored: tot(r.id).scored, total: tot(r.id).total })),
    actions: actionsFor(actor, s),
  };
}

// ── Creating and configuring ────────────────────────────────────────────────────────────────

export async function createAssessment(db: Executor, actor: Actor, input: CreateAssessment): Promise<AssessmentDetailDto> {
  assertCan(actor, 'assessment.configure');
  const v = createSchema.parse(input);
  const id = await inTransaction(db, async (tx) => {
    const region = await tx.selectFrom('regions').select(['code', 'path', 'level']).where('code', '=', v.regionCode).executeTakeFirst();
    if (!region || !writable(actor, region.path)) throw notFound('区划', v.regionCode);
    if (v.campaignId !== null) {
      const c = await tx.selectFrom('campaigns').select('region_path').where('id', '=', v.campaignId).executeTakeFirst();
      if (!c || !(isUnder(region.path, c.region_path) || isUnder(c.region_path, region.path))) throw invalid('campaignId', `活动（${v.campaignId}）不存在或与考核区划无关`);
    }
    let subjects: { region_code: string | null; unit_id: number | null; name: string; region_path: string; unit_path: string | null }[];
    if (v.subjectKind === 'township') {
      subjects = (await tx.selectFrom('regions').select(['code', 'name', 'path']).where('level', '=', 'township').where(pathUnder('path', region.path)).orderBy('code').execute())
        .map((r) => ({ region_code: r.code, unit_id: null, name: r.name, region_path: r.path, unit_path: null }));
      if (subjects.length === 0) throw invalid('regionCode', `区划（${v.regionCode}）下没有乡镇（街道）可考核`);
    } else {
      let q = tx.selectFrom('units').select(['id', 'name', 'path', 'region_path']).where(pathUnder('region_path', region.path));
      if (v.unitIds?.length) q = q.where('id', '=', sql<number>`any(${v.unitIds}::int[])`);
      if (v.unitLevel) q = q.where('level', '=', v.unitLevel);
      const units = await q.orderBy('path').execute();
      const missing = (v.unitIds ?? []).filter((u) => !units.some((x) => x.id === u));
      if (missing.length) throw invalid('unitIds', `单位（${missing.join('、')}）不存在或不在考核区划内`);
      if (units.length === 0) throw invalid('unitLevel', '没有符合条件的单位可考核');
      subjects = units.map((u) => ({ region_code: null, unit_id: u.id, name: u.name, region_path: u.region_path, unit_path: u.path }));
    }
    const row = await tx.insertInto('assessment_schemes').values({
      year: v.year, name: v.name, campaign_id: v.campaignId, region_code: region.code, region_path: region.path, subject_kind: v.subjectKind,
      created_by: actor.userId, updated_at: new Date(),
    }).returning('id').executeTakeFirstOrThrow();
    await tx.insertInto('assessment_subjects').values(subjects.map((s) => ({ ...s, scheme_id: row.id }))).execute();
    await recordAudit(tx, actor, { action: 'assessment.create', entity: 'assessment_scheme', entityId: row.id, detail: { ...v, subjects: subjects.length }, where: { regionPath: region.path, unitPath: null } });
    return row.id;
  });
  return getAssessment(db, actor, id);
}

/** Checks a tree: unique codes, weights summing to exactly 1000. Returns the parsed tree. */
export function checkTree(input: AssessmentTree) {
  const t = assessmentTree.parse(input);
  const seen = new Map<string, string>();
  const codes: [string, string][] = [
    ...t.groups.flatMap((g, gi) => [[g.code, `groups.${gi}.code`] as [string, string], ...g.indicators.map((i, ii) => [i.code, `groups.${gi}.indicators.${ii}.code`] as [string, string])]),
    ...t.bonus.map((b, i) => [b.code, `bonus.${i}.code`] as [string, string]),
    ...t.deductions.map((d, i) => [d.code, `deductions.${i}.code`] as [string, string]),
  ];
  for (const [code, field] of codes) {
    const before = seen.get(code.toUpperCase());
    if (before) throw invalid(field, `编码「${code}」重复（与 ${before} 相同），每个类别、指标和加减分项的编码须唯一`, { code });
    seen.set(code.toUpperCase(), field);
  }
  const sum = treeWeight(t);
  if (sum !== TOTAL_WEIGHT) {
    const diff = round2(TOTAL_WEIGHT - sum);
    throw invalid('groups', `指标分值合计为 ${sum} 分，应恰好为 ${TOTAL_WEIGHT} 分（${diff > 0 ? `还差 ${diff} 分` : `超出 ${-diff} 分`}）`, { sum, difference: diff });
  }
  for (const [gi, g] of t.groups.entries()) {
    for (const [ii, i] of g.indicators.entries()) {
      if (i.method === 'manual' && (i.measure || i.formula)) throw invalid(`groups.${gi}.indicators.${ii}.method`, `指标「${i.code} ${i.name}」为人工评分，不应填写数据项和计分公式`);
    }
  }
  return t;
}

/** Replaces the whole tree of a draft scheme, in one transaction. */
export async function saveTree(db: Executor, actor: Actor, id: number, input: AssessmentTree): Promise<AssessmentDetailDto> {
  assertCan(actor, 'assessment.configure');
  const t = checkTree(input);
  await inTransaction(db, async (tx) => {
    const s = await schemeForWrite(tx, actor, id, 'assessment.configure');
    if (s.status !== 'draft') throw stateConflict(s, '修改指标体系（只有草稿可以修改）');
    await tx.deleteFrom('assessment_items').where('scheme_id', '=', id).execute();
    let sort = 0;
    for (const g of t.groups) {
      const weight = round2(g.indicators.reduce((a, i) => a + i.weight, 0));
      const group = await tx.insertInto('assessment_items').values({ scheme_id: id, kind: 'group', code: g.code, name: g.name, weight, description: g.description, sort: sort++, formula: null, method: null, measure: null, parent_id: null })
        .returning('id').executeTakeFirstOrThrow();
      await tx.insertInto('assessment_items').values(g.indicators.map((i) => ({
        scheme_id: id, parent_id: group.id, kind: 'indicator' as const, code: i.code, name: i.name, weight: i.weight, method: i.method,
        measure: i.method === 'auto' ? i.measure ?? null : null, formula: i.method === 'auto' && i.formula ? JSON.stringify(i.formula) : null,
        description: i.description, sort: sort++,
      }))).execute();
    }
    const adjustments = [...t.bonus.map((b) => ({ ...b, kind: 'bonus' as const })), ...t.deductions.map((d) => ({ ...d, kind: 'deduction' as const }))];
    if (adjustments.length) {
      await tx.insertInto('assessment_items').values(adjustments.map((a) => ({
        scheme_id: id, parent_id: null, kind: a.kind, code: a.code, name: a.name, weight: a.weight, method: 'manual' as const, measure: null, formula: null, description: a.description, sort: sort++,
      }))).execute();
    }
    await tx.updateTable('assessment_schemes').set({ bonus_cap: t.bonusCap, deduction_cap: t.deductionCap, updated_at: new Date() }).where('id', '=', id).execute();
    await recordAudit(tx, actor, { action: 'assessment.tree', entity: 'assessment_scheme', entityId: id, detail: { groups: t.groups.length, indicators: t.groups.reduce((a, g) => a + g.indicators.length, 0), bonus: t.bonus.length, deductions: t.deductions.length }, where: where(s) });
  });
  return getAssessment(db, actor, id);
}

// ── The flow ────────────────────────────────────────────────────────────────────────────────

const actionPermission: Record<AssessmentAction, Permission> = {
  start: 'assessment.configure', submit: 'assessment.score', approve: 'assessment.approve', return: 'assessment.approve', publish: 'assessment.approve',
};

export async function actOnAssessment(db: Executor, actor: Actor, id: number, action: AssessmentAction, reason?: string): Promise<AssessmentDetailDto> {
  assertCan(actor, actionPermission[action]);
  await inTransaction(db, async (tx) => {
    const s = await schemeForWrite(tx, actor, id, actionPermission[action]);
    const next = assessmentTransitions[s.status][action];
    if (!next) throw stateConflict(s, assessmentActionLabels[action].zh);
    const now = new Date();
    const items = await loadItems(tx, id);
    if (action === 'start') {
      const sum = round2(items.filter((i) => i.kind === 'indicator').reduce((a, i) => a + i.weight, 0));
      if (sum !== TOTAL_WEIGHT) throw invalid('items', `指标分值合计为 ${sum} 分，应恰好为 ${TOTAL_WEIGHT} 分，请先完成指标体系`, { sum, difference: round2(TOTAL_WEIGHT - sum) });
    }
    if (action === 'submit') {
      // Every indicator scored for every subject; bonus and deduction items may stay empty.
      const missing = (await sql<{ name: string; n: number }>`
        select s.name, count(*)::int as n
          from assessment_subjects s cross join assessment_items i
         where s.scheme_id = ${id} and i.scheme_id = ${id} and i.kind = 'indicator'
           and not exists (select 1 from assessment_scores sc where sc.subject_id = s.id and sc.item_id = i.id)
         group by s.name, s.region_path order by s.region_path limit 20`.execute(tx)).rows;
      if (missing.length) {
        throw new AppError('CONFLICT', `还有未评分的指标：${missing.map((m) => `${m.name} 缺 ${m.n} 项`).join('；')}`, { missing });
      }
    }
    if (action === 'return' && !reason?.trim()) throw invalid('reason', '退回须说明理由');
    await tx.updateTable('assessment_schemes').set({
      status: next, updated_at: now,
      ...(action === 'submit' ? { submitted_at: now, return_reason: null } : {}),
      ...(action === 'return' ? { return_reason: reason!.trim(), submitted_at: null } : {}),
      ...(action === 'approve' ? { approved_at: now, approved_by: actor.userId } : {}),
      ...(action === 'publish' ? { published_at: now } : {}),
    }).where('id', '=', id).execute();
    await recordAudit(tx, actor, { action: `assessment.${action}`, entity: 'assessment_scheme', entityId: id, detail: { from: s.status, to: next, ...(reason ? { reason } : {}) }, where: where(s) });
  });
  return getAssessment(db, actor, id);
}

// ── Scores ──────────────────────────────────────────────────────────────────────────────────

/** Computes every auto indicator for every subject from the data now, replacing earlier auto scores. */
export async function computeAutoScores(db: Executor, actor: Actor, id: number) {
  return inTransaction(db, async (tx) => {
    const s = await schemeForWrite(tx, actor, id, 'assessment.score');
    if (s.status !== 'scoring') throw stateConflict(s, '计算自动指标（只在评分中计算）');
    const indicators = (await loadItems(tx, id)).filter((i) => i.kind === 'indicator' && i.method === 'auto');
    const subjects = await tx.selectFrom('assessment_subjects').selectAll().where('scheme_id', '=', id).execute();
    const rows = [];
    for (const subj of subjects) {
      for (const i of indicators) {
        const got = await measure(tx, i.measure!, i.formula!, { regionPath: subj.region_path, unitPath: subj.unit_path }, { year: s.year, campaignId: s.campaign_id });
        rows.push({
          subject_id: subj.id, item_id: i.id, scheme_id: id, score: formulaScore(i.measure!, i.weight, i.formula!, got.value),
          value: got.value, numerator: got.numerator, denominator: got.denominator, note: got.value === null ? '无数据' : '',
          photo_ids: [] as number[], entered_by: actor.userId, entered_at: new Date(),
        });
      }
    }
    for (let k = 0; k < rows.length; k += 1000) {
      await tx.insertInto('assessment_scores').values(rows.slice(k, k + 1000))
        .onConflict((oc) => oc.columns(['subject_id', 'item_id']).doUpdateSet((eb) => ({
          score: eb.ref('excluded.score'), value: eb.ref('excluded.value'), numerator: eb.ref('excluded.numerator'), denominator: eb.ref('excluded.denominator'),
          note: eb.ref('excluded.note'), entered_by: eb.ref('excluded.entered_by'), entered_at: eb.ref('excluded.entered_at'),
        }))).execute();
    }
    await tx.updateTable('assessment_schemes').set({ updated_at: new Date() }).where('id', '=', id).execute();
    await recordAudit(tx, actor, { action: 'assessment.compute', entity: 'assessment_scheme', entityId: id, detail: { computed: rows.length }, where: where(s) });
    return { computed: rows.length, subjects: subjects.length, indicators: indicators.length };
  });
}

async function subjectOf(db: Executor, schemeId: number, subjectId: number) {
  const subj = await db.selectFrom('assessment_subjects').selectAll().where('scheme_id', '=', schemeId).where('id', '=', subjectId).executeTakeFirst();
  if (!subj) throw notFound('考核对象', subjectId);
  return subj;
}

export async function scoreSheet(db: Executor, actor: Actor, id: number, subjectId: number): Promise<ScoreSheetDto> {
  const s = await loadScheme(db, actor, id);
  const subj = await subjectOf(db, id, subjectId);
  const items = await loadItems(db, id);
  const rows = await db.selectFrom('assessment_scores as sc').leftJoin('users as u', 'u.id', 'sc.entered_by')
    .select(['sc.subject_id', 'sc.item_id', 'sc.score', 'sc.value', 'sc.numerator', 'sc.denominator', 'sc.note', 'sc.photo_ids', 'sc.entered_at', 'u.display_name'])
    .where('sc.subject_id', '=', subjectId).execute();
  const t = totals(items, rows, s)(subjectId);
  const byItem = new Map(rows.map((r) => [r.item_id, r]));
  return {
    schemeId: id, status: s.status,
    subject: { id: subj.id, name: subj.name, regionCode: subj.region_code, unitId: subj.unit_id, scored: t.scored, total: t.total },
    base: t.base, bonus: t.bonus, deduction: t.deduction, total: t.total,
    scores: items.filter((i) => i.kind !== 'group').map((i) => {
      const r = byItem.get(i.id);
      return {
        itemId: i.id, score: r ? Number(r.score) : null, value: r?.value ?? null,
        valueText: r && i.measure ? formatMeasureValue(i.measure, r.value) : null,
        numerator: r?.numerator ?? null, denominator: r?.denominator ?? null, note: r?.note ?? '', photoIds: r?.photo_ids ?? [],
        enteredAt: r?.entered_at.toISOString() ?? null, enteredBy: r?.display_name ?? null,
      };
    }),
  };
}

/** An assessor's score for a manual indicator, a bonus or a deduction item, with its evidence. */
export async function setScore(db: Executor, actor: Actor, id: number, subjectId: number, itemId: number, input: ScoreInput): Promise<ScoreSheetDto> {
  assertCan(actor, 'assessment.score');
  const v = scoreInput.parse(input);
  await inTransaction(db, async (tx) => {
    const s = await schemeForWrite(tx, actor, id, 'assessment.score');
    const subj = await subjectOf(tx, id, subjectId);
    const item = await tx.selectFrom('assessment_items').selectAll().where('scheme_id', '=', id).where('id', '=', itemId).executeTakeFirst();
    if (!item) throw notFound('考核指标', itemId);
    if (s.status !== 'scoring') throw stateConflict(s, `修改「${item.code} ${item.name}」的评分（只在评分中可以修改，审批后分数冻结）`);
    if (item.kind === 'group') throw invalid('itemId', `「${item.code} ${item.name}」是指标类别，不单独评分`);
    if (item.method === 'auto') throw invalid('itemId', `「${item.code} ${item.name}」是自动指标，由数据计算，不能手工录入`);
    const max = Number(item.weight);
    if (v.score > max) {
      const what = item.kind === 'bonus' ? '加分' : item.kind === 'deduction' ? '扣分' : '分数';
      throw invalid('score', `「${item.code} ${item.name}」的${what}应在 0～${max} 分之间（收到 ${v.score}）`, { itemId, itemCode: item.code, min: 0, max });
    }
    const bad = await unusablePhotos(tx, actor, v.photoIds);
    if (bad.length) throw invalid('photoIds', `照片（${bad.join('、')}）不存在或您无权使用`, { photoIds: bad });
    const now = new Date();
    await tx.insertInto('assessment_scores').values({
      subject_id: subjectId, item_id: itemId, scheme_id: id, score: v.score, value: null, numerator: null, denominator: null,
      note: v.note, photo_ids: v.photoIds, entered_by: actor.userId, entered_at: now,
    }).onConflict((oc) => oc.columns(['subject_id', 'item_id']).doUpdateSet({ score: v.score, note: v.note, photo_ids: v.photoIds, entered_by: actor.userId, entered_at: now }))
      .execute();
    await tx.updateTable('assessment_schemes').set({ updated_at: now }).where('id', '=', id).execute();
    await recordAudit(tx, actor, { action: 'assessment.score', entity: 'assessment_scheme', entityId: id, detail: { subject: subj.name, subjectId, item: item.code, score: v.score, photoIds: v.photoIds }, where: where(s) });
  });
  return scoreSheet(db, actor, id, subjectId);
}

/** The ranking: by total, ties sharing a rank (1, 1, 3), then by name for display. */
export async function rankingOf(db: Executor, actor: Actor, id: number): Promise<RankingDto> {
  const s = await loadScheme(db, actor, id);
  const items = await loadItems(db, id);
  const expected = items.filter((i) => i.kind === 'indicator').length;
  const subjects = await db.selectFrom('assessment_subjects').select(['id', 'name', 'region_path']).where('scheme_id', '=', id).execute();
  const scores = await db.selectFrom('assessment_scores').select(['subject_id', 'item_id', 'score']).where('scheme_id', '=', id).execute();
  const tot = totals(items, scores, s);
  const rows = subjects.map((x) => ({ subjectId: x.id, name: x.name, ...tot(x.id), expected }))
    .sort((a, b) => b.total - a.total || a.name.localeCompare(b.name, 'zh-CN'));
  const ranked: RankingRowDto[] = rows.map((r) => ({ ...r, rank: 1 + rows.filter((o) => o.total > r.total).length }));
  return { schemeId: id, status: s.status, final: s.status === 'approved' || s.status === 'published', rows: ranked };
}
