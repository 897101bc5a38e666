import { z } from 'zod';
import { dbId, dbIdQuery, pageOf, paging } from './common.ts';
import { complianceStatus, requirementPeriod, requirementRule, requirementSubject } from './requirements.ts';

// The compliance API (issue 6 items 1, 2 and 7): rules stored per campaign, the compliance kept
// per rule × subject × period window, its roll-ups by region and unit, and a cadre's upcoming
// fixed days. The rule itself is contracts/requirements.ts.

/** Not yet met with fewer days than this left: at risk (configurable per rule). */
export const atRiskDays = z.number().int('天数应为整数').min(0, '预警天数不能为负数').max(90, '预警天数最多90天');

/** Text PostgreSQL cannot keep (U+0000, refused in jsonb), reported at its path in the rule. */
function storableText(v: unknown, path: (string | number)[], ctx: z.RefinementCtx) {
  if (typeof v === 'string' && v.includes('\u0000')) ctx.addIssue({ code: 'custom', path, message: '不能包含空字符（U+0000）' });
  else if (Array.isArray(v)) v.forEach((x, i) => storableText(x, [...path, i], ctx));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) storableText(x, [...path, k], ctx);
}
/** A rule as stored: the contract's rule, with no text the database refuses. */
export const storableRequirementRule = requirementRule.superRefine((r, ctx) => storableText(r, [], ctx));

export const saveRequirementRule = z.strictObject({
  rule: storableRequirementRule,
  atRiskDays: atRiskDays.default(7),
  active: z.boolean().default(true),
});
export type SaveRequirementRule = z.infer<typeof saveRequirementRule>;
export const updateRequirementRule = saveRequirementRule.extend({ version: dbId.describe('the version you read; 409 when someone changed it since') });

export const requirementRuleDto = z.object({
  id: z.number().int(),
  campaignId: z.number().int(),
  rule: requirementRule,
  /** describeRequirementRule(rule): one Chinese line. */
  summary: z.string(),
  atRiskDays: z.number().int(),
  active: z.boolean(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Counts over the current window(s) of the rule, from the stored compliance. */
  current: z.object({ met: z.number().int(), onTrack: z.number().int(), atRisk: z.number().int(), missed: z.number().int() }).nullable(),
});
export type RequirementRuleDto = z.infer<typeof requirementRuleDto>;

/** One subject's compliance with one rule in one period window. */
export const complianceRow = z.object({
  ruleId: z.number().int(),
  ruleName: z.string(),
  subject: requirementSubject,
  subjectId: z.number().int(),
  /** As a person reads it: 张三 / 王家村 李某某户（张三） / 第3组团 / 县农业农村局. */
  subjectName: z.string(),
  cadreId: z.number().int().nullable(),
  targetId: z.number().int().nullable(),
  teamId: z.number().int().nullable(),
  unitId: z.number().int().nullable(),
  unitName: z.string().nullable(),
  regionCode: z.string().nullable(),
  regionName: z.string().nullable(),
  period: requirementPeriod,
  windowKey: z.string(),
  windowStart: z.string(),
  windowEnd: z.string(),
  count: z.number().int(),
  requiredMin: z.number().int().nullable(),
  requiredMax: z.number().int().nullable(),
  status: complianceStatus,
  /** The Chinese explanation: "王家村 李某某户：今年已走访2次，要求4次；剩余41天，按目前进度难以完成". */
  explanation: z.string(),
  computedAt: z.string(),
});
export type ComplianceRow = z.infer<typeof complianceRow>;

/** A window key as the engine stores it: 2026-W47, 2026-11, 2026-Q4, 2026, campaign, chunjie-2027. */
export const windowKeyPattern = /^(\d{4}(-W\d{2}|-\d{2}|-Q[1-4])?|campaign|(qiyi|chongyang|chunjie)-\d{4})$/;
const windowSelector = {
  /**
   * A window key (2026-11, 2026-W47, 2026-Q4, 2026, campaign, chunjie-2027), applied to every rule
   * listed; default: each rule's current window — the one holding today, else the last one that has
   * started (a festival between festivals, a campaign that has ended), else its first.
   */
  windowKey: z.string().trim().max(20).regex(windowKeyPattern, '考核周期 windowKey 应形如 2026-11、2026-W47、2026-Q4、2026、campaign 或 chunjie-2027').optional(),
};

export const complianceRowsQuery = paging.extend({
  campaignId: dbIdQuery,
  ruleId: dbIdQuery.optional(),
  subject: requirementSubject.optional(),
  status: z.union([complianceStatus, z.array(complianceStatus)]).optional(),
  regionCode: z.string().trim().regex(/^\d{2,12}$/, '区划代码应为2–12位数字').optional(),
  unitId: dbIdQuery.optional(),
  cadreId: dbIdQuery.optional(),
  targetId: dbIdQuery.optional(),
  teamId: dbIdQuery.optional(),
  ...windowSelector,
});
export type ComplianceRowsQuery = z.infer<typeof complianceRowsQuery>;
export const complianceRowsPage = pageOf(complianceRow);

export const complianceCounts = z.object({
  met: z.number().int(),
  onTrack: z.number().int(),
  atRisk: z.number().int(),
  missed: z.number().int(),
  /** Every row: met + onTrack + atRisk + missed. */
  total: z.number().int(),
  /** Rows whose outcome is settled: met + missed (an ended window is always one of the two). */
  decided: z.number().int(),
  /**
   * Compliance rate (达标率) = met ÷ (met + missed), four decimals; null when nothing is settled.
   * Open windows that are on track or at risk are left out: counting them as failures would make
   * every rate fall at the start of a year and climb through it. Over ended windows (an assessment
   * of last year) it is simply met ÷ all. complianceRate() in src/features/compliance/views.ts
   * computes the same figure for the assessment.
   */
  rate: z.number().nullable(),
});
export type ComplianceCounts = z.infer<typeof complianceCounts>;

/** Roll-up by the region tree or the unit tree, one level at a time (drill down by code / id). */
export const complianceSummaryQuery = z.object({
  campaignId: dbIdQuery,
  ruleId: dbIdQuery.optional(),
  by: z.enum(['region', 'unit']).default('region'),
  /** The parent whose children are listed; default: the caller's own region or unit. */
  regionCode: z.string().trim().regex(/^\d{2,12}$/, '区划代码应为2–12位数字').optional(),
  unitId: dbIdQuery.optional(),
  ...windowSelector,
});
export type ComplianceSummaryQuery = z.infer<typeof complianceSummaryQuery>;
export const complianceSummaryRow = z.object({
  /** Region code or unit id (as a string). */
  key: z.string(),
  name: z.string(),
  /** The parent's own records (本级), not its children's. */
  own: z.boolean(),
  hasChildren: z.boolean(),
  counts: complianceCounts,
});
export const complianceSummary = z.object({
  parent: z.object({ key: z.string(), name: z.string() }),
  total: complianceCounts,
  rows: z.array(complianceSummaryRow),
  /** Per rule under this parent, for the rule picker's badges. */
  byRule: z.array(z.object({ ruleId: z.number().int(), ruleName: z.string(), counts: complianceCounts })),
});
export type ComplianceSummary = z.infer<typeof complianceSummary>;

/** The windows a rule has compliance for (to look at last month or last year after they end). */
export const complianceWindow = z.object({ windowKey: z.string(), start: z.string(), end: z.string(), name: z.string(), current: z.boolean() });
export const complianceWindows = z.array(complianceWindow);

/** Live preview in the rule editor: the rule as typed, evaluated now over the current window, nothing saved. */
export const previewRequirementRule = z.strictObject({ rule: storableRequirementRule, atRiskDays: atRiskDays.default(7) });
export const requirementRulePreview = z.object({
  window: complianceWindow.nullable(),
  counts: complianceCounts,
  /** Worst first (missed, at risk, on track, met), at most 50. */
  sample: z.array(complianceRow.omit({ ruleId: true, computedAt: true })),
});
export type RequirementRulePreview = z.infer<typeof requirementRulePreview>;

export const recomputeResult = z.object({ rules: z.number().int(), rows: z.number().int(), ms: z.number().int() });
/** POST /compliance/recompute: one campaign (its rules, or only ruleIds), or — left out — every campaign the admin may configure. */
export const recomputeRequest = z.strictObject({
  campaignId: dbId.optional(),
  ruleIds: z.array(dbId).min(1, '规则 ruleIds 不能为空列表（不限请不填）').max(500, '规则 ruleIds 最多500项').optional(),
});

/** Upcoming fixed days and holiday visits for the caller (GET /api/calendar/upcoming?days=30). */
export const upcomingQuery = z.object({ days: z.coerce.number().int().min(1).max(366).default(30), campaignId: dbIdQuery.optional() });
export const upcomingDay = z.object({
  date: z.string(),
  kind: z.enum(['fixed_day', 'festival']),
  /** 接访日 / 公开日 / 党员活动日 / 村务办公日 / 学习日 / 七一走访 … */
  name: z.string(),
  description: z.string(),
  campaignId: z.number().int(),
  campaignName: z.string(),
});
export const upcomingDays = z.array(upcomingDay);
export type UpcomingDay = z.infer<typeof upcomingDay>;

export const ruleIdParam = z.object({ id: dbIdQuery });
export const campaignIdParam = z.object({ id: dbIdQuery });

