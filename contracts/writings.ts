import { z } from 'zod';
import { dbId, dbIdQuery, storableString } from './common.ts';
import { calendarDate } from './campaigns.ts';

// Writing (手记、调研课题、调研报告、领导参阅、发展计划) and its review: SPEC §2, issue 4 item 4.
//
// The flow of every kind but a research topic:
//   draft ──submit──▶ submitted ──review (grade + comment)──▶ reviewed ──select──▶ selected
//     ▲                   │
//     └────withdraw───────┘   (the author takes it back to change it, while nobody has reviewed it)
// Only the author edits, and only in draft. A review is final: a reviewed writing is not edited
// again; it may be selected (入选) for a bulletin or a compilation such as 《县级领导蹲点手记》.
//
// A research topic (调研课题) is an assignment, not a piece to be graded: whoever holds topic.assign
// issues it to a cadre or a team, and it is issued at once (status `submitted`, shown as 已下达).
// The assigner may still edit it; it is never reviewed or selected. The reports that answer it
// (research_report with topicId) go through the flow above. A team's topic is visible to the team.

export const writingKinds = ['diary', 'research_topic', 'research_report', 'leader_memo', 'development_plan'] as const;
export const writingKind = z.enum(writingKinds, { error: '文稿类型应为 蹲点手记 / 调研课题 / 调研报告 / 领导参阅 / 发展计划' });
export type WritingKind = z.infer<typeof writingKind>;
export const writingKindLabels: Record<WritingKind, { zh: string; en: string }> = {
  diary: { zh: '蹲点手记', en: 'Field diary' },
  research_topic: { zh: '调研课题', en: 'Research topic' },
  research_report: { zh: '调研报告', en: 'Research report' },
  leader_memo: { zh: '领导参阅', en: 'Memo to leaders' },
  development_plan: { zh: '发展计划', en: 'Development plan' },
};

export const writingStatuses = ['draft', 'submitted', 'reviewed', 'selected'] as const;
export const writingStatus = z.enum(writingStatuses);
export type WritingStatus = z.infer<typeof writingStatus>;
export const writingStatusLabels: Record<WritingStatus, { zh: string; en: string }> = {
  draft: { zh: '草稿', en: 'Draft' },
  submitted: { zh: '已提交', en: 'Submitted' },
  reviewed: { zh: '已评审', en: 'Reviewed' },
  selected: { zh: '已入选', en: 'Selected' },
};
/** A research topic's `submitted` reads as issued. */
export const topicStatusLabels: Partial<Record<WritingStatus, { zh: string; en: string }>> = {
  submitted: { zh: '已下达', en: 'Issued' },
};

export const writingGrades = ['优', '良', '中', '差'] as const;
export const writingGrade = z.enum(writingGrades, { error: '评审等次应为 优 / 良 / 中 / 差' });
export type WritingGrade = z.infer<typeof writingGrade>;
export const writingGradeLabels: Record<WritingGrade, { zh: string; en: string }> = {
  优: { zh: '优', en: 'Excellent' },
  良: { zh: '良', en: 'Good' },
  中: { zh: '中', en: 'Fair' },
  差: { zh: '差', en: 'Poor' },
};

/** What can be done to a writing. `actions` on a writing lists those the caller may do now. */
export const writingActions = ['edit', 'submit', 'withdraw', 'review', 'select'] as const;
export const writingAction = z.enum(writingActions);
export type WritingAction = z.infer<typeof writingAction>;
export const writingActionLabels: Record<WritingAction, { zh: string; en: string }> = {
  edit: { zh: '修改', en: 'Edit' },
  submit: { zh: '提交', en: 'Submit' },
  withdraw: { zh: '撤回', en: 'Withdraw' },
  review: { zh: '评审', en: 'Review' },
  select: { zh: '入选', en: 'Select' },
};

/** The state machine, per status, whoever acts; a request for anything else is a 409 CONFLICT
 * whose details list `allowed` (these) for the writing's current status. */
export const writingTransitions: Record<WritingStatus, readonly WritingAction[]> = {
  draft: ['edit', 'submit'],
  submitted: ['withdraw', 'review'],
  reviewed: ['select'],
  selected: [],
};
/** A research topic is issued on creation and only edited by its assigner afterwards. */
export const topicTransitions: Record<WritingStatus, readonly WritingAction[]> = {
  draft: ['edit'],
  submitted: ['edit'],
  reviewed: [],
  selected: [],
};
export const allowedWritingActions = (kind: WritingKind, status: WritingStatus): readonly WritingAction[] =>
  (kind === 'research_topic' ? topicTransitions : writingTransitions)[status];

/** Suggested compilations a reviewed writing may be selected for; free text is accepted. */
export const suggestedSelections = ['《县级领导蹲点手记》', '《蹲点调研工作简报》', '《领导参阅》', '优秀调研报告汇编'] as const;

export const writingBodyMax = 50_000;
const title = storableString.trim().min(1, '标题不能为空').max(200, '标题最长200字');
const body = storableString.max(writingBodyMax, `正文最长${writingBodyMax}字`);

export const createWriting = z
  .object({
    kind: writingKind,
    title,
    body: body.default(''),
    campaignId: dbId.optional(),
    authorCadreId: dbId.optional().describe(
      'the author (for a topic: the cadre it is assigned to). Default: your own cadre. Admins and unit leaders may record for a cadre in their scope',
    ),
    teamId: dbId.optional().describe('a team’s writing (you must be a current member, or have its leader in scope); a topic assigned to a team'),
    topicId: dbId.optional().describe('research_report only: the research topic it answers'),
    targetId: dbId.optional().describe('what it is about, e.g. the village of a development plan or a stay diary'),
    regionCode: storableString.min(1).max(64).optional().describe('where it is about; default: the target’s region, else the author’s unit’s region'),
    writtenOn: calendarDate.optional().describe('default: today (China); not in the future'),
  })
  .superRefine((v, ctx) => {
    if (v.topicId !== undefined && v.kind !== 'research_report') {
      ctx.addIssue({ code: 'custom', path: ['topicId'], message: '只有调研报告可以关联调研课题' });
    }
    if (v.kind === 'research_topic' && v.authorCadreId === undefined && v.teamId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['authorCadreId'], message: '调研课题须指定承担的干部（authorCadreId）或组团（teamId）' });
    }
    if (v.kind === 'research_topic' && v.authorCadreId !== undefined && v.teamId !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['teamId'], message: '调研课题只能下达给一名干部或一个组团，二者选一' });
    }
  });
export type CreateWriting = z.input<typeof createWriting>;

/** Only in draft (a topic: while issued too); every field optional; null clears an optional link. */
export const updateWriting = z
  .object({
    title,
    body,
    campaignId: dbId.nullable(),
    topicId: dbId.nullable(),
    targetId: dbId.nullable(),
    regionCode: storableString.min(1).max(64),
    writtenOn: calendarDate,
  })
  .partial();
export type UpdateWriting = z.input<typeof updateWriting>;

export const reviewWriting = z.object({
  grade: writingGrade,
  comment: storableString.trim().min(1, '评审意见不能为空').max(2000, '评审意见最长2000字'),
});
export type ReviewWriting = z.input<typeof reviewWriting>;

export const selectWriting = z.object({
  selectedFor: storableString.trim().min(1, '请填写入选的刊物或汇编').max(100, '最长100字').describe('e.g. 《县级领导蹲点手记》 or a bulletin'),
});
export type SelectWriting = z.input<typeof selectWriting>;

export const writingSummary = z.object({
  id: z.number().int(),
  kind: writingKind,
  title: z.string(),
  excerpt: z.string().describe('the first 120 characters of the body'),
  status: writingStatus,
  grade: writingGrade.nullable(),
  campaignId: z.number().int().nullable(),
  campaignName: z.string().nullable(),
  authorCadreId: z.number().int().nullable(),
  authorName: z.string().nullable(),
  authorUnitName: z.string().nullable(),
  teamId: z.number().int().nullable(),
  teamName: z.string().nullable(),
  topicId: z.number().int().nullable(),
  targetId: z.number().int().nullable(),
  targetName: z.string().nullable(),
  regionCode: z.string().nullable(),
  regionName: z.string().nullable(),
  selectedFor: z.string().nullable(),
  writtenOn: z.string(),
  submittedAt: z.string().nullable(),
  updatedAt: z.string(),
});
export type WritingSummary = z.infer<typeof writingSummary>;

export const writing = writingSummary.extend({
  body: z.string(),
  topicTitle: z.string().nullable(),
  reviewComment: z.string().nullable(),
  reviewedBy: z.string().nullable().describe('the reviewer’s display name'),
  reviewedAt: z.string().nullable(),
  selectedAt: z.string().nullable(),
  createdBy: z.string().nullable().describe('who entered it (for a topic: who assigned it)'),
  createdAt: z.string(),
  reports: z.array(z.object({ id: z.number().int(), title: z.string(), status: writingStatus, grade: writingGrade.nullable(), authorName: z.string().nullable(), teamName: z.string().nullable() }))
    .describe('for a research topic: the reports answering it that you can see'),
  actions: z.array(writingAction).describe('what you may do to it now'),
});
export type WritingDto = z.infer<typeof writing>;

export const writingListQuery = z.object({
  kind: writingKind.optional(),
  status: writingStatus.optional(),
  grade: writingGrade.optional(),
  authorCadreId: dbIdQuery.optional(),
  teamId: dbIdQuery.optional(),
  topicId: dbIdQuery.optional().describe('reports answering this topic'),
  campaignId: dbIdQuery.optional(),
  targetId: dbIdQuery.optional(),
  region: storableString.max(64).optional().describe('writings of units whose jurisdiction lies in this region subtree (the author’s unit, or the team leader’s); targetId finds what a writing is about'),
  mine: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('only your own: written by your cadre or a team you are a current member of'),
  from: calendarDate.optional().describe('written on or after'),
  to: calendarDate.optional().describe('written on or before'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});
export type WritingListQuery = z.infer<typeof writingListQuery>;
