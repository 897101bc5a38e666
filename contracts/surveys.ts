import { z } from 'zod';
import { dbId, dbIdQuery, storableString } from './common.ts';

// Dual evaluation (双评, issue 6 item 4): a survey round for one period; the public rate cadres
// (through the targets they serve) or units, enterprises rate departments. Questions are grouped
// by dimension and answered on the scale 满意 / 基本满意 / 不满意. A respondent is known only by a
// keyed hash of their phone; one response per respondent, rated subject and round.

type Label = { zh: string; en: string };

export const surveyKinds = ['public_cadre', 'public_unit', 'enterprise_unit'] as const;
export const surveyKind = z.enum(surveyKinds, { error: `问卷类型应为 ${surveyKinds.join(' / ')}` });
export type SurveyKind = z.infer<typeof surveyKind>;
export const surveyKindLabels: Record<SurveyKind, Label> = {
  public_cadre: { zh: '群众评干部', en: 'Public rate cadres' },
  public_unit: { zh: '群众评单位', en: 'Public rate units' },
  enterprise_unit: { zh: '企业评部门', en: 'Enterprises rate departments' },
};
/** Links of a cadre survey are per target (the cadres serving it are rated); the others per unit. */
export const surveyLinkSubject = (k: SurveyKind): 'target' | 'unit' => (k === 'public_cadre' ? 'target' : 'unit');

export const surveyPeriodKinds = ['month', 'quarter', 'year', 'custom'] as const;
export const surveyPeriodKind = z.enum(surveyPeriodKinds);
export type SurveyPeriodKind = z.infer<typeof surveyPeriodKind>;

export const surveyStates = ['draft', 'open', 'closed'] as const;
export const surveyState = z.enum(surveyStates, { error: '状态应为 draft（草稿）/ open（开放）/ closed（已关闭）' });
export type SurveyState = z.infer<typeof surveyState>;
export const surveyStateLabels: Record<SurveyState, Label> = {
  draft: { zh: '草稿', en: 'Draft' },
  open: { zh: '开放中', en: 'Open' },
  closed: { zh: '已关闭', en: 'Closed' },
};

export const surveyAnswerValues = ['satisfied', 'basic', 'unsatisfied'] as const;
export const surveyAnswerValue = z.enum(surveyAnswerValues, { error: '评价应为 satisfied（满意）/ basic（基本满意）/ unsatisfied（不满意）' });
export type SurveyAnswerValue = z.infer<typeof surveyAnswerValue>;
export const surveyAnswerLabels: Record<SurveyAnswerValue, Label> = {
  satisfied: { zh: '满意', en: 'Satisfied' },
  basic: { zh: '基本满意', en: 'Basically satisfied' },
  unsatisfied: { zh: '不满意', en: 'Unsatisfied' },
};

export const surveyFlagKinds = ['device', 'network', 'burst'] as const;
export type SurveyFlagKind = (typeof surveyFlagKinds)[number];
export const surveyFlagLabels: Record<SurveyFlagKind, Label> = {
  device: { zh: '同一设备多次提交', en: 'Many responses from one device' },
  network: { zh: '同一网段多次提交', en: 'Many responses from one network' },
  burst: { zh: '短时间内相同答案', en: 'Identical answers in a burst' },
};

/** The dimensions the articles name; a template may use others. */
export const defaultSurveyDimensions = ['责任担当', '服务效能', '作风形象'] as const;

const text = (max: number, what: string) => storableString.trim().min(1, `请填写${what}`).max(max, `${what}最长${max}个字符`);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), '不是有效日期');
const year = z.number().int('年份应为整数').min(2000, '年份不早于2000').max(2100, '年份不晚于2100');

/** The round's period: a month, a quarter, a year, or explicit dates (China calendar days). */
export const surveyPeriod = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('month'), year, month: z.number().int().min(1, '月份应为1–12').max(12, '月份应为1–12') }),
  z.strictObject({ kind: z.literal('quarter'), year, quarter: z.number().int().min(1, '季度应为1–4').max(4, '季度应为1–4') }),
  z.strictObject({ kind: z.literal('year'), year }),
  z.strictObject({ kind: z.literal('custom'), startsOn: isoDate, endsOn: isoDate }).refine((p) => p.endsOn >= p.startsOn, { message: '结束日期不能早于开始日期', path: ['endsOn'] }),
], { error: '周期类型应为 month / quarter / year / custom' });
export type SurveyPeriod = z.infer<typeof surveyPeriod>;

const pad = (n: number) => String(n).padStart(2, '0');
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
/** The first and last day of a period, and how a person names it (2026年11月 / 2026年第4季度 / 2026年度). */
export function surveyPeriodBounds(p: SurveyPeriod): { kind: SurveyPeriodKind; startsOn: string; endsOn: string; label: string } {
  switch (p.kind) {
    case 'month':
      return { kind: 'month', startsOn: `${p.year}-${pad(p.month)}-01`, endsOn: `${p.year}-${pad(p.month)}-${pad(lastDay(p.year, p.month))}`, label: `${p.year}年${p.month}月` };
    case 'quarter': {
      const m0 = (p.quarter - 1) * 3 + 1;
      return { kind: 'quarter', startsOn: `${p.year}-${pad(m0)}-01`, endsOn: `${p.year}-${pad(m0 + 2)}-${pad(lastDay(p.year, m0 + 2))}`, label: `${p.year}年第${p.quarter}季度` };
    }
    case 'year':
      return { kind: 'year', startsOn: `${p.year}-01-01`, endsOn: `${p.year}-12-31`, label: `${p.year}年度` };
    case 'custom':
      return { kind: 'custom', startsOn: p.startsOn, endsOn: p.endsOn, label: `${p.startsOn} 至 ${p.endsOn}` };
  }
}

export const surveyQuestionInput = z.strictObject({
  dimension: text(20, '维度'),
  text: text(200, '题目'),
  required: z.boolean().default(true),
  allowComment: z.boolean().default(true),
});

const questionList = z.array(surveyQuestionInput).min(1, '至少需要一道题目').max(50, '题目最多50道')
  .refine((qs) => new Set(qs.map((q) => q.text)).size === qs.length, '题目不能重复');

export const createSurvey = z.strictObject({
  title: text(100, '问卷标题'),
  kind: surveyKind,
  campaignId: dbId.nullable().optional(),
  regionCode: storableString.trim().min(1, '请选择区划').max(64),
  period: surveyPeriod,
  intro: storableString.trim().max(1000, '说明最长1000个字符').default(''),
  questions: questionList,
});
export type CreateSurvey = z.input<typeof createSurvey>;

/** Questions and period can change only while no one has answered; the state moves draft → open ⇄ closed. */
export const updateSurvey = z.strictObject({
  version: z.number().int().min(1),
  title: text(100, '问卷标题').optional(),
  intro: storableString.trim().max(1000, '说明最长1000个字符').optional(),
  period: surveyPeriod.optional(),
  questions: questionList.optional(),
  state: surveyState.optional(),
});
export type UpdateSurvey = z.input<typeof updateSurvey>;

export const surveyQuestion = z.object({
  id: z.number().int(),
  position: z.number().int(),
  dimension: z.string(),
  text: z.string(),
  required: z.boolean(),
  allowComment: z.boolean(),
});
export type SurveyQuestion = z.infer<typeof surveyQuestion>;

export const surveyDto = z.object({
  id: z.number().int(),
  title: z.string(),
  kind: surveyKind,
  campaignId: z.number().int().nullable(),
  campaignName: z.string().nullable(),
  regionCode: z.string(),
  regionName: z.string(),
  periodKind: surveyPeriodKind,
  startsOn: z.string(),
  endsOn: z.string(),
  periodLabel: z.string(),
  state: surveyState,
  intro: z.string(),
  version: z.number().int(),
  questions: z.array(surveyQuestion),
  linkCount: z.number().int(),
  responseCount: z.number().int(),
  flaggedCount: z.number().int(),
  createdAt: z.string(),
});
export type SurveyDto = z.infer<typeof surveyDto>;

export const surveyListQuery = z.object({
  state: surveyState.optional(),
  kind: surveyKind.optional(),
  campaignId: dbIdQuery.optional(),
});

export const createSurveyLinks = z.strictObject({
  targetIds: z.array(dbId).max(2000, '一次最多2000个联系对象').default([]),
  unitIds: z.array(dbId).max(2000, '一次最多2000个单位').default([]),
}).refine((v) => v.targetIds.length + v.unitIds.length > 0, { message: '请选择至少一个联系对象或单位', path: ['targetIds'] });

export const surveyLink = z.object({
  id: z.number().int(),
  token: z.string(),
  /** The public page: /s/<token>. */
  path: z.string(),
  targetId: z.number().int().nullable(),
  unitId: z.number().int().nullable(),
  subjectName: z.string(),
  regionName: z.string(),
  /** For a target's link: the cadres who serve it today (those rated). */
  cadreNames: z.array(z.string()),
  responseCount: z.number().int(),
});
export type SurveyLink = z.infer<typeof surveyLink>;

// ---- The public page (no login) ----

export const publicSurveySubject = z.object({
  /** cadre:<id> or unit:<id> */
  key: z.string(),
  kind: z.enum(['cadre', 'unit']),
  name: z.string(),
  detail: z.string(),
});
export const publicSurvey = z.object({
  title: z.string(),
  intro: z.string(),
  kind: surveyKind,
  periodLabel: z.string(),
  open: z.boolean(),
  /** Why it cannot be answered (not yet open, closed, outside the period), when it cannot. */
  closedReason: z.string().nullable(),
  /** The target or unit the link belongs to. */
  placeName: z.string(),
  subjects: z.array(publicSurveySubject),
  questions: z.array(surveyQuestion.omit({ position: true })),
  scale: z.array(z.object({ value: surveyAnswerValue, label: z.string() })),
});
export type PublicSurvey = z.infer<typeof publicSurvey>;

/** A mainland mobile number; kept only as a keyed hash. */
export const respondentPhone = z.string().trim().regex(/^1[3-9]\d{9}$/, '请输入11位手机号码（1开头）');

export const publicSurveyAnswer = z.strictObject({
  questionId: dbId,
  value: surveyAnswerValue,
  comment: storableString.trim().max(500, '意见最长500个字符').optional(),
});
export const submitSurveyResponse = z.strictObject({
  phone: respondentPhone,
  /** A random id the page keeps in the browser; only its keyed hash is stored (inflation check). */
  deviceId: z.string().trim().regex(/^[A-Za-z0-9_-]{8,64}$/, '设备标识格式不正确').optional(),
  /** The subject rated: cadre:<id> on a target's link; a unit's link rates its unit (unit:<id> or omitted). */
  subject: z.string().regex(/^(cadre|unit):\d{1,10}$/, '评价对象格式应为 cadre:<编号> 或 unit:<编号>').optional(),
  answers: z.array(publicSurveyAnswer).min(1, '请至少回答一道题目').max(50),
});
export type SubmitSurveyResponse = z.input<typeof submitSurveyResponse>;

export const surveyReceipt = z.object({
  subjectName: z.string(),
  answered: z.number().int(),
  /** 不满意 answers, each now a rectification ticket. */
  rectifications: z.number().int(),
  message: z.string(),
});
export type SurveyReceipt = z.infer<typeof surveyReceipt>;

// ---- Results (survey.results, scoped) ----

export const surveyResultsQuery = z.object({
  excludeFlagged: z.enum(['true', 'false']).optional().describe('also leave out every flagged response (those the office excluded are always left out)'),
});

const tally = {
  responses: z.number().int(),
  satisfied: z.number().int(),
  basic: z.number().int(),
  unsatisfied: z.number().int(),
  /** (满意 + 基本满意) / answers; null with no answers. */
  rate: z.number().nullable(),
};
export const dimensionResult = z.object({ dimension: z.string(), satisfied: z.number().int(), basic: z.number().int(), unsatisfied: z.number().int(), rate: z.number().nullable() });
export const subjectResult = z.object({
  key: z.string(),
  kind: z.enum(['cadre', 'unit']),
  name: z.string(),
  unitName: z.string(),
  ...tally,
  dimensions: z.array(dimensionResult),
});
export const surveyComment = z.object({
  subjectName: z.string(),
  dimension: z.string(),
  question: z.string(),
  value: surveyAnswerValue,
  comment: z.string(),
  submittedOn: z.string(),
  ticketId: z.number().int().nullable(),
  ticketCode: z.string().nullable(),
});
export const surveyResults = z.object({
  surveyId: z.number().int(),
  title: z.string(),
  periodLabel: z.string(),
  total: z.object({ ...tally, excluded: z.number().int(), flagged: z.number().int() }),
  dimensions: z.array(dimensionResult),
  subjects: z.array(subjectResult),
  comments: z.array(surveyComment),
});
export type SurveyResults = z.infer<typeof surveyResults>;

export const surveyFlag = z.object({
  responseId: z.number().int(),
  subjectName: z.string(),
  submittedAt: z.string(),
  allSatisfied: z.boolean(),
  excluded: z.boolean(),
  kinds: z.array(z.object({ kind: z.enum(surveyFlagKinds), explanation: z.string(), evidence: z.record(z.string(), z.unknown()) })),
});
export type SurveyFlag = z.infer<typeof surveyFlag>;

export const excludeSurveyResponses = z.strictObject({
  responseIds: z.array(dbId).min(1, '请选择至少一份答卷').max(1000, '一次最多1000份'),
  excluded: z.boolean(),
});
