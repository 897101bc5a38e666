import { z } from 'zod';
import { calendarDate } from './campaigns.ts';
import { dbId, dbIdQuery, storableString } from './common.ts';
import { targetKind, targetKindLabels } from './targets.ts';
import { unitLevel } from './units.ts';
import { writingKind, writingKindLabels } from './writings.ts';

// The 1000-point assessment (千分制考核), issue 6 item 5. A scheme per year assesses the townships
// (or units) of a region with an indicator tree: groups → indicators whose weights sum to exactly
// 1000; each indicator is AUTO (scored from the data by a formula stated below) or MANUAL (entered
// by assessors within 0..weight, with a note and photos); bonus (加分) and deduction (扣分) items are
// entered like manual ones, each capped by its own maximum and all together by the scheme's caps.
//
//   draft ──start──▶ scoring ──submit──▶ submitted ──approve──▶ approved ──publish──▶ published
//                      ▲                     │
//                      └──────return (reason)┘
// The tree changes only in draft; scores only in scoring; from approval on nothing changes.

type Label = { zh: string; en: string };

export const TOTAL_WEIGHT = 1000;

export const assessmentStatuses = ['draft', 'scoring', 'submitted', 'approved', 'published'] as const;
export const assessmentStatus = z.enum(assessmentStatuses);
export type AssessmentStatus = z.infer<typeof assessmentStatus>;
export const assessmentStatusLabels: Record<AssessmentStatus, Label & { color: string }> = {
  draft: { zh: '草稿', en: 'Draft', color: 'default' },
  scoring: { zh: '评分中', en: 'Scoring', color: 'processing' },
  submitted: { zh: '待审批', en: 'Submitted', color: 'warning' },
  approved: { zh: '已审批', en: 'Approved', color: 'success' },
  published: { zh: '已公布', en: 'Published', color: 'green' },
};

export const assessmentActions = ['start', 'submit', 'approve', 'return', 'publish'] as const;
export const assessmentAction = z.enum(assessmentActions);
export type AssessmentAction = z.infer<typeof assessmentAction>;
export const assessmentActionLabels: Record<AssessmentAction, Label> = {
  start: { zh: '开始评分', en: 'Start scoring' },
  submit: { zh: '提交审批', en: 'Submit' },
  approve: { zh: '审批通过', en: 'Approve' },
  return: { zh: '退回', en: 'Return' },
  publish: { zh: '公布排名', en: 'Publish' },
};
/** Which action each state allows, and the state it leads to. */
export const assessmentTransitions: Record<AssessmentStatus, Partial<Record<AssessmentAction, AssessmentStatus>>> = {
  draft: { start: 'scoring' },
  scoring: { submit: 'submitted' },
  submitted: { approve: 'approved', return: 'scoring' },
  approved: { publish: 'published' },
  published: {},
};

export const assessmentItemKinds = ['group', 'indicator', 'bonus', 'deduction'] as const;
export type AssessmentItemKind = (typeof assessmentItemKinds)[number];
export const assessmentItemKindLabels: Record<AssessmentItemKind, Label> = {
  group: { zh: '指标类别', en: 'Group' },
  indicator: { zh: '指标', en: 'Indicator' },
  bonus: { zh: '加分项', en: 'Bonus' },
  deduction: { zh: '扣分项', en: 'Deduction' },
};

export const subjectKinds = ['township', 'unit'] as const;
export const subjectKind = z.enum(subjectKinds);
export type SubjectKind = z.infer<typeof subjectKind>;
export const subjectKindLabels: Record<SubjectKind, Label> = {
  township: { zh: '乡镇（街道）', en: 'Townships' },
  unit: { zh: '单位', en: 'Units' },
};

// ── Auto measures and formulas ────────────────────────────────────────────────────────────────

export const autoMeasures = ['coverage', 'compliance', 'on_time', 'satisfaction', 'reports', 'funds'] as const;
export const autoMeasure = z.enum(autoMeasures, { error: `自动指标的数据项应为 ${autoMeasures.join(' / ')} 之一` });
export type AutoMeasure = z.infer<typeof autoMeasure>;
/** What each measure counts, for a township (its region subtree) or a unit (its subtree), in the scheme's year. */
export const autoMeasureDefinitions: Record<AutoMeasure, Label & { unit: 'rate' | 'count' | 'fen'; defZh: string; defEn: string }> = {
  coverage: {
    zh: '结对覆盖率', en: 'Pairing coverage', unit: 'rate',
    defZh: '覆盖率 = 已结对的联系对象数 ÷ 联系对象总数。联系对象：位于该乡镇（单位所辖区划）内的联系对象（可限定类型）；已结对：考核时有未结束的结对（直接或经组团；方案关联活动时只计该活动的结对）。',
    defEn: 'Coverage = targets with an open pairing (direct or through a team; only the linked campaign’s when the scheme names one) ÷ all targets in the township (the unit’s jurisdiction), optionally of given kinds, at the time of scoring.',
  },
  compliance: {
    zh: '硬性要求达标率', en: 'Compliance rate', unit: 'rate',
    defZh: '达标率 = 达标数 ÷（达标数 + 未达标数）。统计启用中的硬性要求在考核年度内结束的统计周期、对象归属该乡镇（单位）的结果；尚在进行中的周期（进度正常/有风险）不计；方案关联活动时只计该活动的要求。',
    defEn: 'Compliance = met ÷ (met + missed), over the results of active requirement rules whose window ends in the year and whose subject belongs to the township (unit); windows still running (on track / at risk) are left out; only the linked campaign’s rules when the scheme names one.',
  },
  on_time: {
    zh: '按期办结率', en: 'On-time resolution', unit: 'rate',
    defZh: '按期办结率 = 按期办结的工单数 ÷ 已办结的工单数。工单：考核年度内登记、发生在该乡镇（由该单位承办）的工单，合并的重复件不计。',
    defEn: 'On-time = tickets resolved by the deadline ÷ tickets resolved, over tickets registered in the year about places in the township (handled by the unit), merged duplicates left out.',
  },
  satisfaction: {
    zh: '群众满意率', en: 'Satisfaction', unit: 'rate',
    defZh: '满意率 =（满意数 + 基本满意数）÷ 已评价数，按诉求人最近一次评价；工单范围同按期办结率。',
    defEn: 'Satisfaction = (satisfied + basically satisfied) ÷ rated, by the latest rating; the same tickets as on-time resolution.',
  },
  reports: {
    zh: '调研成果数', en: 'Reports written', unit: 'count',
    defZh: '调研成果数：考核年度内撰写（written_on）、已提交及以上（已提交/已评审/已入选）的文稿篇数（默认调研报告和领导参阅，可改类型），按文稿的区划（单位）归属。',
    defEn: 'Reports: writings written in the year and submitted, reviewed or selected (research reports and memos to leaders unless other kinds are named), by the writing’s region (unit).',
  },
  funds: {
    zh: '实事资金（元）', en: 'Funds delivered (yuan)', unit: 'fen',
    defZh: '实事资金：考核年度内办结（done_on）的实事金额合计，按实事的区划（单位）归属；目标值以元计。',
    defEn: 'Funds: the amounts of practical matters done in the year, by the matter’s region (unit); the target is in yuan.',
  },
};

export const formulaKinds = ['ratio', 'band'] as const;
export const autoFormula = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('ratio'),
    /** A rate's target as a fraction (0.95), a count's as a count, funds in yuan. */
    target: z.number().positive('目标值须大于0'),
    targetKinds: z.array(targetKind).max(20).optional(),
    writingKinds: z.array(writingKind).max(5).optional(),
  }),
  z.object({
    kind: z.literal('band'),
    floor: z.number().min(0),
    target: z.number().positive('目标值须大于0'),
    targetKinds: z.array(targetKind).max(20).optional(),
    writingKinds: z.array(writingKind).max(5).optional(),
  }).refine((f) => f.floor < f.target, { message: '起评值须小于目标值', path: ['floor'] }),
], { error: '计分公式 kind 应为 ratio（按目标比例）或 band（起评值到目标值线性）' });
export type AutoFormula = z.infer<typeof autoFormula>;

export const formulaKindLabels: Record<(typeof formulaKinds)[number], Label> = {
  ratio: { zh: '得分 = 分值 × min(1, 实际值 ÷ 目标值)', en: 'Score = weight × min(1, value ÷ target)' },
  band: {
    zh: '实际值 ≤ 起评值得0分，≥ 目标值得满分，其间按线性计分：分值 ×（实际值 − 起评值）÷（目标值 − 起评值）',
    en: 'Value ≤ floor scores 0, ≥ target scores the weight, linear between: weight × (value − floor) ÷ (target − floor)',
  },
};
export const noDataRule: Label = { zh: '无数据（分母为0）时得0分，并注明无数据。', en: 'No data (a zero denominator) scores 0 and says so.' };

const fmt = (n: number) => String(Math.round(n * 10_000) / 10_000);
/** The value as a person reads it: a rate in percent, funds in yuan. */
export function formatMeasureValue(measure: AutoMeasure, value: number | null): string {
  if (value === null) return '无数据';
  const unit = autoMeasureDefinitions[measure].unit;
  if (unit === 'rate') return `${Math.round(value * 10_000) / 100}%`;
  if (unit === 'fen') return `${fmt(value / 100)}元`;
  return fmt(value);
}
const targetText = (measure: AutoMeasure, t: number) => {
  const unit = autoMeasureDefinitions[measure].unit;
  return unit === 'rate' ? `${fmt(t * 100)}%` : unit === 'fen' ? `${fmt(t)}元` : fmt(t);
};
/** The formula of one indicator in words, with its numbers. */
export function describeFormula(measure: AutoMeasure, weight: number, f: AutoFormula): { zh: string; en: string } {
  const m = autoMeasureDefinitions[measure];
  const kinds = [
    f.targetKinds?.length ? `（对象类型：${f.targetKinds.map((k) => targetKindLabels[k].zh).join('、')}）` : '',
    f.writingKinds?.length ? `（文稿类型：${f.writingKinds.map((k) => writingKindLabels[k].zh).join('、')}）` : '',
  ].join('');
  if (f.kind === 'ratio') {
    return {
      zh: `${m.zh}${kinds}：得分 = ${weight} × min(1, 实际值 ÷ ${targetText(measure, f.target)})`,
      en: `${m.en}: score = ${weight} × min(1, value ÷ ${targetText(measure, f.target)})`,
    };
  }
  return {
    zh: `${m.zh}${kinds}：≤ ${targetText(measure, f.floor)} 得0分，≥ ${targetText(measure, f.target)} 得${weight}分，其间线性`,
    en: `${m.en}: ≤ ${targetText(measure, f.floor)} scores 0, ≥ ${targetText(measure, f.target)} scores ${weight}, linear between`,
  };
}

/**
 * The score of an auto indicator from its measured value (a rate as a fraction, a count, funds
 * in fen), rounded to two decimals. Funds targets are in yuan.
 */
export function formulaScore(measure: AutoMeasure, weight: number, f: AutoFormula, value: number | null): number {
  if (value === null) return 0;
  const scale = autoMeasureDefinitions[measure].unit === 'fen' ? 100 : 1;
  const target = f.target * scale;
  let share: number;
  if (f.kind === 'ratio') share = Math.min(1, value / target);
  else {
    const floor = f.floor * scale;
    share = value <= floor ? 0 : value >= target ? 1 : (value - floor) / (target - floor);
  }
  return Math.round(weight * Math.max(0, share) * 100) / 100;
}

// ── The tree as the editor saves it ──────────────────────────────────────────────────────────

const code = z.string().trim().min(1, '编码不能为空').max(20).regex(/^[A-Za-z0-9_.-]+$/, '编码只能包含字母、数字和 _ . -');
const name = storableString.pipe(z.string().trim().min(1, '名称不能为空').max(100));
const description = storableString.pipe(z.string().max(1000)).default('');
const points = z.number().positive('分值须大于0').max(TOTAL_WEIGHT).refine((n) => Math.round(n * 100) === n * 100, '分值最多两位小数');

export const indicatorInput = z.object({
  code, name, weight: points, description,
  method: z.enum(['auto', 'manual'], { error: '评分方式应为 auto（自动）或 manual（人工）' }),
  measure: autoMeasure.optional(),
  formula: autoFormula.optional(),
}).superRefine((i, ctx) => {
  if (i.method === 'auto' && !i.measure) ctx.addIssue({ code: 'custom', path: ['measure'], message: '自动指标须选择数据项' });
  if (i.method === 'auto' && !i.formula) ctx.addIssue({ code: 'custom', path: ['formula'], message: '自动指标须填写计分公式' });
});
export type IndicatorInput = z.infer<typeof indicatorInput>;
export const adjustmentInput = z.object({ code, name, weight: points.describe('the most this item may add or deduct'), description });

export const assessmentTree = z.object({
  groups: z.array(z.object({ code, name, description, indicators: z.array(indicatorInput).min(1, '每个类别至少一项指标').max(100) })).min(1, '至少一个指标类别').max(50),
  bonus: z.array(adjustmentInput).max(50).default([]),
  deductions: z.array(adjustmentInput).max(50).default([]),
  bonusCap: z.number().min(0).max(TOTAL_WEIGHT).default(0),
  deductionCap: z.number().min(0).max(TOTAL_WEIGHT).default(0),
});
export type AssessmentTree = z.input<typeof assessmentTree>;

/** Indicator weights' total, rounded to two decimals (the editor shows it while typing). */
export const treeWeight = (t: { groups: { indicators: { weight: number }[] }[] }) =>
  Math.round(t.groups.reduce((s, g) => s + g.indicators.reduce((a, i) => a + (Number(i.weight) || 0), 0), 0) * 100) / 100;

// ── Schemes ──────────────────────────────────────────────────────────────────────────────────

export const createAssessment = z.object({
  year: z.number().int().min(2000).max(2100),
  name,
  regionCode: z.string().min(1).max(64).describe('the assessing region (a county); must be in your scope'),
  campaignId: dbId.nullable().default(null),
  subjectKind,
  unitLevel: unitLevel.optional().describe('subjectKind unit: every unit of this level under the region'),
  unitIds: z.array(dbId).max(500).optional().describe('subjectKind unit: these units'),
}).superRefine((v, ctx) => {
  if (v.subjectKind === 'unit' && !v.unitLevel && !v.unitIds?.length) ctx.addIssue({ code: 'custom', path: ['unitIds'], message: '考核单位时须给出单位层级或单位列表' });
});
export type CreateAssessment = z.input<typeof createAssessment>;

export const assessmentListQuery = z.object({ year: z.coerce.number().int().min(2000).max(2100).optional(), status: assessmentStatus.optional() });

export const assessmentItem = z.object({
  id: z.number().int(), parentId: z.number().int().nullable(), kind: z.enum(assessmentItemKinds), code: z.string(), name: z.string(),
  weight: z.number(), method: z.enum(['auto', 'manual']).nullable(), measure: autoMeasure.nullable(), formula: autoFormula.nullable(),
  formulaText: z.object({ zh: z.string(), en: z.string() }).nullable(), description: z.string(),
});
export type AssessmentItemDto = z.infer<typeof assessmentItem>;

export const assessmentSubject = z.object({ id: z.number().int(), name: z.string(), regionCode: z.string().nullable(), unitId: z.number().int().nullable(), scored: z.number().int(), total: z.number() });
export type AssessmentSubjectDto = z.infer<typeof assessmentSubject>;

export const assessmentSummary = z.object({
  id: z.number().int(), year: z.number().int(), name: z.string(), regionCode: z.string(), regionName: z.string(), campaignId: z.number().int().nullable(),
  subjectKind, status: assessmentStatus, subjectCount: z.number().int(), returnReason: z.string().nullable(),
  submittedAt: z.string().nullable(), approvedAt: z.string().nullable(), publishedAt: z.string().nullable(), updatedAt: z.string(),
});
export type AssessmentSummaryDto = z.infer<typeof assessmentSummary>;

export const assessmentDetail = assessmentSummary.extend({
  bonusCap: z.number(), deductionCap: z.number(), weightTotal: z.number(),
  items: z.array(assessmentItem), subjects: z.array(assessmentSubject),
  actions: z.array(assessmentAction).describe('what the caller may do now'),
});
export type AssessmentDetailDto = z.infer<typeof assessmentDetail>;

export const assessmentActionBody = z.object({
  action: assessmentAction,
  reason: storableString.pipe(z.string().trim().max(500)).optional(),
});

// ── Scores ───────────────────────────────────────────────────────────────────────────────────

export const scoreInput = z.object({
  score: z.number().min(0, '分数不能为负').refine((n) => Math.round(n * 100) === n * 100, '分数最多两位小数'),
  note: storableString.pipe(z.string().max(2000)).default(''),
  photoIds: z.array(dbId).max(20).default([]),
});
export type ScoreInput = z.input<typeof scoreInput>;

export const scoreRow = z.object({
  itemId: z.number().int(), score: z.number().nullable(), value: z.number().nullable(), valueText: z.string().nullable(),
  numerator: z.number().nullable(), denominator: z.number().nullable(), note: z.string(), photoIds: z.array(z.number().int()),
  enteredAt: z.string().nullable(), enteredBy: z.string().nullable(),
});
export type ScoreRowDto = z.infer<typeof scoreRow>;

export const scoreSheet = z.object({
  schemeId: z.number().int(), status: assessmentStatus, subject: assessmentSubject,
  base: z.number(), bonus: z.number(), deduction: z.number(), total: z.number(),
  scores: z.array(scoreRow),
});
export type ScoreSheetDto = z.infer<typeof scoreSheet>;

export const computeResult = z.object({ computed: z.number().int(), subjects: z.number().int(), indicators: z.number().int() });

export const rankingRow = z.object({
  rank: z.number().int(), subjectId: z.number().int(), name: z.string(), base: z.number(), bonus: z.number(), deduction: z.number(),
  total: z.number(), scored: z.number().int(), expected: z.number().int(),
});
export type RankingRowDto = z.infer<typeof rankingRow>;
export const ranking = z.object({ schemeId: z.number().int(), status: assessmentStatus, final: z.boolean(), rows: z.array(rankingRow) });
export type RankingDto = z.infer<typeof ranking>;

// ── Rewards and penalties ────────────────────────────────────────────────────────────────────

export const decisionKinds = ['promote', 'commend', 'reward', 'criticize', 'admonish', 'reassign', 'dismiss'] as const;
export const decisionKind = z.enum(decisionKinds, { error: '奖惩类型应为 提拔重用 / 评优评先 / 表彰奖励 / 通报批评 / 诫勉谈话 / 调整岗位 / 免职 之一' });
export type DecisionKind = z.infer<typeof decisionKind>;
export const decisionKindLabels: Record<DecisionKind, Label & { penalty: boolean }> = {
  promote: { zh: '提拔重用', en: 'Promoted', penalty: false },
  commend: { zh: '评优评先', en: 'Commended', penalty: false },
  reward: { zh: '表彰奖励', en: 'Rewarded', penalty: false },
  criticize: { zh: '通报批评', en: 'Criticised', penalty: true },
  admonish: { zh: '诫勉谈话', en: 'Admonished', penalty: true },
  reassign: { zh: '调整岗位', en: 'Reassigned', penalty: true },
  dismiss: { zh: '免职', en: 'Removed from post', penalty: true },
};

export const createDecision = z.object({
  schemeId: dbId.nullable().default(null),
  year: z.number().int().min(2000).max(2100),
  kind: decisionKind,
  cadreId: dbId.optional(),
  unitId: dbId.optional(),
  decision: storableString.pipe(z.string().trim().min(1, '决定内容不能为空').max(1000)),
  decidedOn: calendarDate,
  reference: storableString.pipe(z.string().trim().max(100)).default(''),
}).refine((d) => (d.cadreId === undefined) !== (d.unitId === undefined), { message: '须且只能指定一名干部（cadreId）或一个单位（unitId）', path: ['cadreId'] });
export type CreateDecision = z.input<typeof createDecision>;

export const decision = z.object({
  id: z.number().int(), schemeId: z.number().int().nullable(), year: z.number().int(), kind: decisionKind, penalty: z.boolean(),
  cadreId: z.number().int().nullable(), unitId: z.number().int().nullable(), name: z.string(), decision: z.string(),
  decidedOn: z.string(), reference: z.string(), createdAt: z.string(),
});
export type DecisionDto = z.infer<typeof decision>;

export const decisionListQuery = z.object({
  year: z.coerce.number().int().min(2000).max(2100).optional(),
  kind: decisionKind.optional(),
  schemeId: dbIdQuery.optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export const decisionSummary = z.object({
  total: z.number().int(), rewards: z.number().int(), penalties: z.number().int(),
  byKind: z.array(z.object({ kind: decisionKind, count: z.number().int() })),
});
export type DecisionSummaryDto = z.infer<typeof decisionSummary>;

