import { z } from 'zod';
import { dbId, dbIdQuery, storableString } from './common.ts';
import { calendarDate } from './campaigns.ts';
import { photoRef } from './photos.ts';
import { targetKind } from './targets.ts';

// Practical matters (为民办实事) and their funds. SPEC §2: what a cadre promised a target, how much
// money from which source, its state, and photos before and after as evidence. Money is integer fen.

export const matterStatuses = ['promised', 'in_progress', 'done'] as const;
export const matterStatus = z.enum(matterStatuses, { error: '状态应为 promised（已承诺）/ in_progress（推进中）/ done（已办结）' });
export type MatterStatus = z.infer<typeof matterStatus>;
export const matterStatusLabels: Record<MatterStatus, { zh: string; en: string }> = {
  promised: { zh: '已承诺', en: 'Promised' },
  in_progress: { zh: '推进中', en: 'In progress' },
  done: { zh: '已办结', en: 'Done' },
};

/**
 * The states a matter may move to from each state; the server refuses any other change with 409.
 * A new matter may start in any state (a matter already done when it is recorded).
 */
export const matterTransitions: Record<MatterStatus, readonly MatterStatus[]> = {
  promised: ['in_progress'],
  in_progress: ['done'],
  done: [],
};

/** Sources offered by the UI; any other short text is accepted. */
export const suggestedFundSources = ['财政资金', '部门帮扶资金', '社会捐助', '村集体自筹', '其他'] as const;

export const evidenceStages = ['before', 'after'] as const;
export const evidenceStage = z.enum(evidenceStages, { error: '阶段应为 before（办理前）或 after（办理后）' });
export type EvidenceStage = z.infer<typeof evidenceStage>;
export const evidenceStageLabels: Record<EvidenceStage, { zh: string; en: string }> = {
  before: { zh: '办理前', en: 'Before' },
  after: { zh: '办理后', en: 'After' },
};

const amountFen = z.number().int('金额应为整数（分）').min(0, '金额不能为负数').max(Number.MAX_SAFE_INTEGER, '金额过大');
const title = storableString.trim().min(1, '实事名称不能为空').max(100, '实事名称最长100字');
const description = storableString.trim().max(2000, '说明最长2000字');
const fundSource = storableString.trim().max(50, '资金来源最长50字');
const id = dbId;

/**
 * A new practical matter. The target must lie in the caller's scope; the cadre too; the campaign
 * must be visible. promisedOn is not in the future (China date); doneOn is given exactly when the
 * status is done and is not before promisedOn.
 */
export const createMatter = z.strictObject({
  campaignId: id.nullable().optional(),
  targetId: id,
  activityId: id.nullable().optional().describe('the visit on which it was promised'),
  cadreId: id.nullable().optional().describe('the cadre who answers for it; default the caller’s own cadre'),
  title,
  description: description.default(''),
  amountFen: amountFen.default(0),
  fundSource: fundSource.default('').describe('free text; suggestedFundSources lists the usual ones'),
  status: matterStatus.default('promised'),
  promisedOn: calendarDate,
  doneOn: calendarDate.nullable().optional(),
  photos: z.array(z.object({ photoId: id, stage: evidenceStage })).max(50, '最多50张照片').default([]),
});
export type CreateMatter = z.input<typeof createMatter>;

/**
 * A change to a matter. The target never changes (it fixes the region the matter counts for).
 * status moves only along matterTransitions; done needs doneOn.
 */
export const updateMatter = z.strictObject({
  campaignId: id.nullable().optional(),
  cadreId: id.nullable().optional(),
  title: title.optional(),
  description: description.optional(),
  amountFen: amountFen.optional(),
  fundSource: fundSource.optional(),
  status: matterStatus.optional(),
  promisedOn: calendarDate.optional(),
  doneOn: calendarDate.nullable().optional(),
}, { error: (iss) => (iss.code === 'unrecognized_keys' ? `不能修改字段 ${iss.keys.join('、')}（联系对象不能改）` : undefined) });
export type UpdateMatter = z.input<typeof updateMatter>;

export const attachMatterPhotos = z.object({
  photoIds: z.array(id).min(1, '请至少选择一张照片').max(50, '最多50张照片'),
  stage: evidenceStage,
});
export type AttachMatterPhotos = z.input<typeof attachMatterPhotos>;

export const matterSummary = z.object({
  id: z.number().int(),
  campaignId: z.number().int().nullable(),
  campaignName: z.string().nullable(),
  targetId: z.number().int(),
  targetKind,
  targetName: z.string(),
  regionCode: z.string().describe('the target’s region'),
  regionName: z.string(),
  activityId: z.number().int().nullable(),
  cadreId: z.number().int().nullable(),
  cadreName: z.string().nullable(),
  unitName: z.string().nullable().describe('the cadre’s unit'),
  title: z.string(),
  amountFen: z.number().int(),
  fundSource: z.string(),
  status: matterStatus,
  promisedOn: z.string(),
  doneOn: z.string().nullable(),
  photoCount: z.number().int(),
  updatedAt: z.string(),
});
export type MatterSummary = z.infer<typeof matterSummary>;

export const matter = matterSummary.extend({
  description: z.string(),
  nextStatuses: z.array(matterStatus).describe('where the status may move from here'),
  photos: z.array(photoRef.extend({ stage: evidenceStage })),
  createdAt: z.string(),
});
export type MatterDto = z.infer<typeof matter>;

export const matterListQuery = z.object({
  status: matterStatus.optional(),
  targetId: dbIdQuery.optional(),
  region: storableString.max(64).optional().describe('matters of targets in this region and below'),
  campaignId: dbIdQuery.optional(),
  cadreId: dbIdQuery.optional(),
  from: calendarDate.optional().describe('promised on or after'),
  to: calendarDate.optional().describe('promised on or before'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});
export type MatterListQuery = z.infer<typeof matterListQuery>;

export const fundsGroupings = ['target', 'region', 'unit', 'campaign'] as const;
export const fundsGrouping = z.enum(fundsGroupings, { error: 'groupBy 应为 target / region / unit / campaign' });
export type FundsGrouping = z.infer<typeof fundsGrouping>;

/**
 * Funds of practical matters summed per target, region, unit (the cadre's unit) or campaign.
 * groupBy=region is a drill-down: one row per child region of `region` (default the caller's own
 * region, or the top of the tree) with everything below it, plus a row for matters of the region
 * itself (本级, `self: true`).
 */
export const fundsQuery = z.object({
  groupBy: fundsGrouping.default('region'),
  campaignId: dbIdQuery.optional(),
  region: storableString.max(64).optional(),
  status: matterStatus.optional(),
  from: calendarDate.optional().describe('promised on or after'),
  to: calendarDate.optional().describe('promised on or before'),
});
export type FundsQuery = z.infer<typeof fundsQuery>;

export const fundsRow = z.object({
  key: z.string().nullable().describe('target id, region code, unit id or campaign id as text; null for matters with no unit / campaign'),
  name: z.string(),
  self: z.boolean().describe('groupBy=region: the row of the region itself (本级), not a child'),
  count: z.number().int(),
  doneCount: z.number().int(),
  amountFen: z.number().int(),
  doneAmountFen: z.number().int(),
});
export type FundsRow = z.infer<typeof fundsRow>;

export const fundsResult = z.object({
  groupBy: fundsGrouping,
  region: z.object({ code: z.string(), name: z.string() }).nullable().describe('groupBy=region: the region drilled into'),
  rows: z.array(fundsRow).describe('groupBy=target: the 1,000 largest by amount (see truncated); others: all'),
  truncated: z.boolean().describe('more targets than rows; the totals still cover them all'),
  totalCount: z.number().int(),
  doneCount: z.number().int(),
  totalFen: z.number().int(),
  doneTotalFen: z.number().int(),
});
export type FundsResult = z.infer<typeof fundsResult>;
