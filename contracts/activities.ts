import { z } from 'zod';
import { dbId, dbIdQuery, storableString } from './common.ts';
import { targetKind } from './targets.ts';

// Field work records (工作记录 / 民情日志): activities of every kind, their participants, targets,
// photos, problems found and practical matters promised; the offline sync batch.

export const activityKinds = [
  'household_visit', 'stay', 'forum', 'talk', 'consultation', 'policy_talk', 'condolence', 'reception', 'onsite_office', 'enterprise_visit', 'project_visit', 'research',
] as const;
export const activityKind = z.enum(activityKinds);
export type ActivityKind = z.infer<typeof activityKind>;
export const activityKindLabels: Record<ActivityKind, { zh: string; en: string }> = {
  household_visit: { zh: '走访入户', en: 'Household visit' },
  stay: { zh: '驻村蹲点', en: 'Stay in the village' },
  forum: { zh: '座谈会', en: 'Forum' },
  talk: { zh: '谈心谈话', en: 'Heart-to-heart talk' },
  consultation: { zh: '恳谈会', en: 'Consultation meeting' },
  policy_talk: { zh: '主题宣讲', en: 'Policy talk' },
  condolence: { zh: '走访慰问', en: 'Condolence visit' },
  reception: { zh: '接访', en: 'Reception of visitors' },
  onsite_office: { zh: '现场办公', en: 'On-site office' },
  enterprise_visit: { zh: '走访企业', en: 'Enterprise visit' },
  project_visit: { zh: '服务项目', en: 'Project visit' },
  research: { zh: '调研', en: 'Research' },
};

/** Kinds that record people reached (参加人次): meetings and talks. Other kinds refuse `attendees`. */
export const attendeeKinds: readonly ActivityKind[] = ['forum', 'talk', 'consultation', 'policy_talk', 'reception', 'onsite_office'];
/**
 * Kinds that record money handed over (慰问金, `moneyFen`): condolence visits only. Money spent on
 * anything else is a practical matter (实事) with its own amount and fund source.
 */
export const moneyKinds: readonly ActivityKind[] = ['condolence'];

/** How far ahead of the server's clock a record may say it happened (phones' clocks drift). */
export const activityClockSkewMs = 5 * 60_000;

const dateTime = z.iso.datetime({ offset: true, message: '时间格式应为 ISO-8601（如 2025-03-01T09:30:00+08:00）' });
const distinctIds = (max: number) =>
  z.array(dbId).max(max).refine((l) => new Set(l).size === l.length, '不能有重复项');
const text = (max: number) => storableString.trim().max(max);
const fen = z.number().int('金额以分为单位，应为整数').min(0, '金额不能为负数').max(Number.MAX_SAFE_INTEGER);

/** A practical matter (实事) promised on this visit; stored as a practical matter with status promised. */
export const activityMatterInput = z.object({
  title: storableString.trim().min(1).max(200),
  targetId: dbId.describe('one of the record’s targetIds'),
  description: text(5000).default(''),
  amountFen: fen.default(0),
  fundSource: text(100).default(''),
});

const fields = z.object({
  campaignId: dbId.nullable().optional(),
  kind: activityKind,
  title: text(200).default(''),
  startsAt: dateTime,
  endsAt: dateTime,
  participantIds: distinctIds(50).min(1, '至少一名参加干部').describe('cadres who took part; a group visit credits each. A cadre account must be among them'),
  targetIds: distinctIds(100).default([]).describe('contact targets visited; the place region is the first target’s unless regionCode is given'),
  regionCode: storableString.min(1).max(64).nullable().optional().describe('where it happened, when no target says so (or to override it); in your scope'),
  place: text(200).default(''),
  latitude: z.number().min(-90).max(90).nullable().optional(),
  longitude: z.number().min(-180).max(180).nullable().optional(),
  accuracyM: z.number().min(0).max(100_000).nullable().optional().describe('GPS accuracy in metres'),
  findings: text(10_000).default('').describe('what was learned (民情)'),
  actions: text(10_000).default('').describe('what was done'),
  attendees: z.number().int('人次应为整数').min(0, '人次不能为负数').max(1_000_000).nullable().optional().describe('people reached (人次); meetings and talks only'),
  moneyFen: fen.nullable().optional().describe('money handed over, in fen; condolence visits only'),
  photoIds: distinctIds(50).default([]).describe('uploaded photos (POST /photos), in display order'),
  problems: z.array(storableString.trim().min(1, '问题描述不能为空').max(2000)).max(50).default([]).describe('problems found (发现问题); each becomes a ticket later'),
  matters: z.array(activityMatterInput).max(50).default([]).describe('practical matters promised (实事)'),
});

type Checked = { startsAt?: string | undefined; endsAt?: string | undefined; latitude?: number | null | undefined; longitude?: number | null | undefined };
const coherent = (v: Checked, ctx: z.RefinementCtx) => {
  if (v.startsAt && v.endsAt && Date.parse(v.endsAt) < Date.parse(v.startsAt)) {
    ctx.addIssue({ code: 'custom', path: ['endsAt'], message: `结束时间 ${v.endsAt} 早于开始时间 ${v.startsAt}` });
  }
  // Both or neither; on a change, both are sent together.
  if ((v.latitude === undefined) !== (v.longitude === undefined) || (v.latitude === null) !== (v.longitude === null)) {
    ctx.addIssue({ code: 'custom', path: [v.latitude === undefined || v.latitude === null ? 'latitude' : 'longitude'], message: '纬度和经度须同时填写或同时不填' });
  }
};

type Whole = Checked & { targetIds: number[]; regionCode?: string | null | undefined; matters: { targetId: number }[] };
const whole = (v: Whole, ctx: z.RefinementCtx) => {
  coherent(v, ctx);
  if (v.targetIds.length === 0 && !v.regionCode) {
    ctx.addIssue({ code: 'custom', path: ['targetIds'], message: '请至少选择一个联系对象，或填写地点所在区划（regionCode）' });
  }
  v.matters.forEach((m, i) => {
    if (!v.targetIds.includes(m.targetId)) {
      ctx.addIssue({ code: 'custom', path: ['matters', i, 'targetId'], message: `实事的联系对象 ${m.targetId} 不在本次记录的联系对象之中` });
    }
  });
};

export const createActivity = fields
  .extend({ clientId: z.uuid('clientId 应为 UUID').optional().describe('generated by the client; a record sent twice is stored once') })
  .superRefine(whole);
export type CreateActivity = z.input<typeof createActivity>;

/** One record of an offline sync batch: as created, with the client's id required. */
export const syncActivityRecord = fields.extend({ clientId: z.uuid('clientId 应为 UUID') }).superRefine(whole);
export type SyncActivityRecord = z.input<typeof syncActivityRecord>;

/**
 * Every field optional except `version` (the one read; a stale version is a 409). List fields,
 * when given, replace the whole list. Problems and practical matters are not changed here.
 */
const updatable = fields.omit({ problems: true, matters: true }).shape;
export const updateActivity = z
  .object(
    Object.fromEntries(
      Object.entries(updatable).map(([k, v]) => [k, (v instanceof z.ZodDefault ? v.removeDefault() : v).optional()]),
    ) as { [K in keyof typeof updatable]: z.ZodOptional<(typeof updatable)[K] extends z.ZodDefault<infer T> ? T : (typeof updatable)[K]> },
  )
  .extend({ version: dbId.describe('the version you read; 409 when someone changed it since') })
  .superRefine(coherent);
export type UpdateActivity = z.input<typeof updateActivity>;

export const activityParticipant = z.object({ cadreId: z.number().int(), name: z.string(), unitName: z.string() });
export const activityTarget = z.object({ id: z.number().int(), kind: targetKind, name: z.string(), regionName: z.string() });
export const activityPhoto = z.object({
  id: z.number().int(),
  url: z.string(),
  thumbUrl: z.string(),
  hasThumbnail: z.boolean(),
  takenAt: z.string().nullable(),
});
export const activityProblem = z.object({ id: z.number().int(), description: z.string(), ticketId: z.number().int().nullable() });
export const activityMatter = z.object({
  id: z.number().int(),
  title: z.string(),
  status: z.enum(['promised', 'in_progress', 'done']),
  amountFen: z.number().int(),
});
export const activityFlag = z.object({
  id: z.number().int(),
  checkKind: z.string().describe('duplicate_photo, far_from_target, impossible_travel, late_entry, backdated_burst, attendance_exceeds_population, double_stay'),
  evidence: z.unknown(),
  clearedAt: z.string().nullable(),
  clearReason: z.string().nullable(),
});

export const activity = z.object({
  id: z.number().int(),
  clientId: z.string(),
  version: z.number().int(),
  campaignId: z.number().int().nullable(),
  campaignName: z.string().nullable(),
  kind: activityKind,
  title: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  stayDays: z.number().int().describe('distinct China calendar days a stay covers; 0 for other kinds'),
  regionCode: z.string(),
  regionName: z.string(),
  place: z.string(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  accuracyM: z.number().nullable(),
  findings: z.string(),
  actions: z.string(),
  attendees: z.number().int().nullable(),
  moneyFen: z.number().int().nullable(),
  participants: z.array(activityParticipant),
  targets: z.array(activityTarget),
  photos: z.array(activityPhoto),
  problems: z.array(activityProblem),
  matters: z.array(activityMatter),
  flags: z.array(activityFlag),
  recordedAt: z.string(),
  recordedBy: z.string().nullable().describe('display name of the account that recorded it'),
  updatedAt: z.string(),
});
export type ActivityDto = z.infer<typeof activity>;

export const activitySummary = z.object({
  id: z.number().int(),
  clientId: z.string(),
  kind: activityKind,
  title: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  stayDays: z.number().int(),
  regionCode: z.string(),
  regionName: z.string(),
  place: z.string(),
  attendees: z.number().int().nullable(),
  moneyFen: z.number().int().nullable(),
  campaignId: z.number().int().nullable(),
  participants: z.array(z.object({ cadreId: z.number().int(), name: z.string() })),
  targets: z.array(z.object({ id: z.number().int(), kind: targetKind, name: z.string() })),
  photoCount: z.number().int(),
  firstPhotoId: z.number().int().nullable().describe('for a thumbnail in lists: /api/v1/photos/:id/thumb'),
  problemCount: z.number().int(),
  openFlagCount: z.number().int(),
  recordedAt: z.string(),
});
export type ActivitySummary = z.infer<typeof activitySummary>;

const calendarDate = z.iso.date('日期格式应为 YYYY-MM-DD');
export const activityListQuery = z.object({
  kind: z.union([activityKind, z.array(activityKind).max(12)]).optional().describe('one kind, or several (kind=forum&kind=talk)'),
  cadreId: dbIdQuery.optional().describe('records this cadre took part in'),
  targetId: dbIdQuery.optional(),
  region: storableString.max(64).optional().describe('records that happened in this region and below'),
  campaignId: dbIdQuery.optional(),
  from: calendarDate.optional().describe('started on or after this China date'),
  to: calendarDate.optional().describe('started on or before this China date'),
  flagged: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('true: with an uncleared integrity flag; false: without'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});
export type ActivityListQuery = z.infer<typeof activityListQuery>;
export type ActivityListParams = z.input<typeof activityListQuery>;

// ── Offline sync ─────────────────────────────────────────────────────────────────────────────

export const activitySyncMax = 100;
export const syncActivitiesBody = z.object({
  records: z.array(z.unknown()).max(activitySyncMax, `一次最多同步 ${activitySyncMax} 条记录`).describe('each a syncActivityRecord (createActivity with clientId required); each is checked and stored on its own'),
});
export type SyncActivitiesBody = { records: SyncActivityRecord[] };

export const activitySyncStatuses = ['stored', 'duplicate', 'conflict', 'rejected'] as const;
export const activitySyncStatus = z.enum(activitySyncStatuses);
export type ActivitySyncStatus = z.infer<typeof activitySyncStatus>;
export const activityFieldError = z.object({ field: z.string(), message: z.string() });
export const syncActivityResult = z.object({
  index: z.number().int().describe('position in records'),
  clientId: z.string().nullable(),
  status: activitySyncStatus.describe('stored: new; duplicate: already stored with the same content; conflict: stored with other content, nothing changed, the server copy returned; rejected: not stored, errors say why'),
  id: z.number().int().optional(),
  errors: z.array(activityFieldError).optional(),
  server: activity.optional(),
});
export type SyncActivityResult = z.infer<typeof syncActivityResult>;
export const syncActivitiesResult = z.object({ results: z.array(syncActivityResult) });
export type SyncActivitiesResult = z.infer<typeof syncActivitiesResult>;
