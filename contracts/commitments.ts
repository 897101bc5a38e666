import { z } from 'zod';
import { dbId, dbIdQuery, storableString } from './common.ts';
import { calendarDate } from './campaigns.ts';
import { photoRef } from './photos.ts';

// Public commitments (公开履职承诺). SPEC §2: a leader's public pledge with progress, shown on a
// public page. A commitment is a draft until published (only published ones are public). After
// publication a change of its text, category or dates is an adjustment (已调整): the text before
// and after and the reason are kept and shown publicly. Honoured (已兑现) commitments are closed.
//
// Progress: the share of milestones done (rounded), unless a person set it explicitly with a
// reason (setProgress; null goes back to the milestones); an honoured commitment is 100 %.
// Status is derived, never stored: honoured → 已兑现; past the due day → 逾期; adjusted → 已调整;
// else 进行中. `adjusted` is also returned on its own, so an overdue adjusted pledge shows both.

export const commitmentStatuses = ['in_progress', 'honoured', 'overdue', 'adjusted'] as const;
export const commitmentStatus = z.enum(commitmentStatuses, { error: '状态应为 in_progress（进行中）/ honoured（已兑现）/ overdue（逾期）/ adjusted（已调整）' });
export type CommitmentStatus = z.infer<typeof commitmentStatus>;
export const commitmentStatusLabels: Record<CommitmentStatus, { zh: string; en: string; color: string }> = {
  in_progress: { zh: '进行中', en: 'In progress', color: 'processing' },
  honoured: { zh: '已兑现', en: 'Honoured', color: 'success' },
  overdue: { zh: '逾期', en: 'Overdue', color: 'error' },
  adjusted: { zh: '已调整', en: 'Adjusted', color: 'warning' },
};

/** Offered by the UI; any other short text is accepted. */
export const suggestedCommitmentCategories = ['为民办实事', '优化营商环境', '基层治理', '乡村振兴', '民生保障', '作风建设'] as const;

export const progressSources = ['milestones', 'explicit', 'honoured'] as const;
export type ProgressSource = (typeof progressSources)[number];

const title = storableString.trim().min(1, '标题不能为空').max(100, '标题最长100字');
const content = storableString.trim().min(1, '承诺内容不能为空').max(4000, '承诺内容最长4000字');
const category = storableString.trim().min(1, '类别不能为空').max(20, '类别最长20字');
const reason = storableString.trim().min(1, '请填写原因').max(500, '原因最长500字');
const ids = (what: string) => z.array(dbId).max(20, `${what}最多20个`);

export const milestoneInput = z.strictObject({
  title: storableString.trim().min(1, '节点名称不能为空').max(100, '节点名称最长100字'),
  plannedOn: calendarDate.describe('within the commitment’s startsOn … dueOn'),
  doneOn: calendarDate.nullable().optional().describe('not after today, not before startsOn'),
  evidence: storableString.trim().max(1000, '佐证说明最长1000字').default(''),
  photoIds: ids('照片').default([]).describe('uploaded through POST /api/v1/photos'),
  matterIds: ids('实事').default([]).describe('practical matters that fulfil it'),
  ticketIds: ids('工单').default([]).describe('tickets that fulfil it'),
});
export type MilestoneInput = z.input<typeof milestoneInput>;

/**
 * A new commitment. The leader (cadreId) must be in the caller's scope (a unit leader: a cadre of
 * the unit); the region must lie in the caller's scope and in the campaign's region; dueOn is not
 * before startsOn; milestones are planned within the two.
 */
export const createCommitment = z.strictObject({
  campaignId: dbId,
  cadreId: dbId.describe('the leader who pledges'),
  regionCode: storableString.max(64),
  leaderPosition: storableString.trim().max(50, '职务最长50字').optional().describe('default the cadre’s position'),
  title,
  content,
  category,
  startsOn: calendarDate,
  dueOn: calendarDate,
  milestones: z.array(milestoneInput).max(30, '节点最多30个').default([]),
  publish: z.boolean().default(false).describe('publish at once (else a draft)'),
});
export type CreateCommitment = z.input<typeof createCommitment>;

/** A change. On a published commitment it is an adjustment and needs a reason; an honoured one cannot change (409). */
export const updateCommitment = z.strictObject({
  title: title.optional(),
  content: content.optional(),
  category: category.optional(),
  startsOn: calendarDate.optional(),
  dueOn: calendarDate.optional(),
  reason: reason.optional().describe('required once published: shown publicly with the text before and after'),
});
export type UpdateCommitment = z.input<typeof updateCommitment>;

/** A change to a milestone: photos, matters and tickets sent are added to those it has. */
export const updateMilestone = z.strictObject({
  title: milestoneInput.shape.title.optional(),
  plannedOn: calendarDate.optional(),
  doneOn: calendarDate.nullable().optional().describe('null: not done after all'),
  evidence: storableString.trim().max(1000, '佐证说明最长1000字').optional(),
  photoIds: ids('照片').optional(),
  matterIds: ids('实事').optional(),
  ticketIds: ids('工单').optional(),
});
export type UpdateMilestone = z.input<typeof updateMilestone>;

/** An explicit progress (with its reason), or back to the milestones (percent null), or only a note. */
export const setProgress = z.strictObject({
  percent: z.number({ error: '进度应为0–100的整数' }).int('进度应为整数').min(0, '进度不能小于0').max(100, '进度不能大于100').nullable().optional(),
  reason: reason.optional().describe('required with a percent'),
  note: storableString.trim().max(1000, '进展说明最长1000字').optional().describe('a progress note for the log'),
});
export type SetProgress = z.input<typeof setProgress>;

export const honourCommitment = z.strictObject({
  honouredOn: calendarDate.describe('not after today; every milestone must be done'),
  note: storableString.trim().max(1000, '说明最长1000字').default(''),
});
export type HonourCommitment = z.input<typeof honourCommitment>;

export const milestoneParam = z.object({ id: dbIdQuery, milestoneId: dbIdQuery });

const summaryShape = {
  id: z.number().int(),
  leaderName: z.string(),
  leaderPosition: z.string(),
  unitName: z.string(),
  regionCode: z.string(),
  regionName: z.string(),
  title: z.string(),
  category: z.string(),
  startsOn: z.string(),
  dueOn: z.string(),
  honouredOn: z.string().nullable(),
  status: commitmentStatus,
  adjusted: z.boolean(),
  progress: z.number().int(),
  progressSource: z.enum(progressSources),
  milestoneCount: z.number().int(),
  milestonesDone: z.number().int(),
};

export const commitmentSummary = z.object({
  ...summaryShape,
  campaignId: z.number().int(),
  campaignName: z.string(),
  cadreId: z.number().int(),
  unitId: z.number().int(),
  published: z.boolean(),
  publishedAt: z.string().nullable(),
  updatedAt: z.string(),
});
export type CommitmentSummary = z.infer<typeof commitmentSummary>;

export const milestoneLink = z.object({
  kind: z.enum(['matter', 'ticket']),
  id: z.number().int(),
  label: z.string().describe('a matter’s title; a ticket’s tracking code'),
  status: z.string().describe('its state in Chinese'),
});

const milestoneShape = {
  id: z.number().int(),
  seq: z.number().int(),
  title: z.string(),
  plannedOn: z.string(),
  doneOn: z.string().nullable(),
  evidence: z.string(),
  late: z.boolean().describe('done after the planned day, or not done and the planned day passed'),
};
export const milestone = z.object({ ...milestoneShape, photos: z.array(photoRef), links: z.array(milestoneLink) });
export type MilestoneDto = z.infer<typeof milestone>;

const adjustmentShape = {
  at: z.string(),
  reason: z.string(),
  before: z.record(z.string(), z.unknown()).describe('the fields changed, as they were'),
  after: z.record(z.string(), z.unknown()),
};

export const commitmentEvent = z.object({ id: z.number().int(), at: z.string(), kind: z.string(), summary: z.string(), username: z.string() });

export const commitment = commitmentSummary.extend({
  content: z.string(),
  progressReason: z.string().nullable(),
  milestones: z.array(milestone),
  adjustments: z.array(z.object({ ...adjustmentShape, username: z.string() })),
  events: z.array(commitmentEvent).describe('the progress log, oldest first; append-only'),
  createdAt: z.string(),
});
export type CommitmentDto = z.infer<typeof commitment>;

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

export const commitmentListQuery = z.object({
  campaignId: dbIdQuery.optional(),
  region: storableString.max(64).optional().describe('commitments for this region and below'),
  unitId: dbIdQuery.optional().describe('the leader’s unit and its sub-units'),
  cadreId: dbIdQuery.optional(),
  status: commitmentStatus.optional(),
  published: bool.optional(),
  q: storableString.trim().max(50).optional().describe('leader name or title contains'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});
export type CommitmentListQuery = z.infer<typeof commitmentListQuery>;

// ── Public (no login) ─────────────────────────────────────────────────────────────────────────
// Only published commitments; of people only the leader's name, post and unit.

export const publicPhotoUrl = (commitmentId: number, photoId: number) => `/api/v1/public/commitments/${commitmentId}/photos/${photoId}`;

export const publicCommitmentSummary = z.object({ ...summaryShape, publishedAt: z.string() });
export type PublicCommitmentSummary = z.infer<typeof publicCommitmentSummary>;

export const publicCommitment = publicCommitmentSummary.extend({
  content: z.string(),
  campaignName: z.string(),
  progressReason: z.string().nullable(),
  milestones: z.array(z.object({
    ...milestoneShape,
    photos: z.array(z.object({ id: z.number().int(), url: z.string().describe('a re-encoded copy without EXIF') })),
    links: z.array(milestoneLink.omit({ id: true })),
  })),
  adjustments: z.array(z.object(adjustmentShape)),
  events: z.array(commitmentEvent.omit({ username: true, id: true })),
});
export type PublicCommitmentDto = z.infer<typeof publicCommitment>;

export const publicCommitmentQuery = z.object({
  region: storableString.max(64).optional(),
  unitId: dbIdQuery.optional(),
  status: commitmentStatus.optional(),
  q: storableString.trim().max(50).optional().describe('leader name contains'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type PublicCommitmentQuery = z.infer<typeof publicCommitmentQuery>;

export const publicCommitmentOptions = z.object({
  regions: z.array(z.object({ code: z.string(), name: z.string(), count: z.number().int() })),
  units: z.array(z.object({ id: z.number().int(), name: z.string(), count: z.number().int() })),
  categories: z.array(z.string()),
});
export type PublicCommitmentOptions = z.infer<typeof publicCommitmentOptions>;
