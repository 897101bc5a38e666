import { z } from 'zod';
import { dbIdQuery, storableString } from './common.ts';
import { activityKind } from './activities.ts';
import { targetKind } from './targets.ts';

// Integrity checks (防形式主义): flag, never block. A flag points at one field record (activity)
// with the evidence that raised it; a supervisor clears it with a reason (audited). Thresholds
// come from the environment (LIANXIN_INTEGRITY_*, src/config.ts).

export const checkKinds = [
  'duplicate_photo', 'far_from_target', 'impossible_travel', 'late_entry', 'backdated_burst', 'attendance_exceeds_population', 'double_stay',
] as const;
export const checkKind = z.enum(checkKinds);
export type CheckKind = z.infer<typeof checkKind>;
export const checkKindLabels: Record<CheckKind, { zh: string; en: string; explain: { zh: string; en: string } }> = {
  duplicate_photo: {
    zh: '照片重复', en: 'Duplicate photo',
    explain: { zh: '同一张照片（内容相同）也出现在另一条工作记录中', en: 'The same picture (same content) is also attached to another record' },
  },
  far_from_target: {
    zh: '定位偏离', en: 'Far from target',
    explain: { zh: '记录的定位与联系对象的位置相距超过允许距离（已扣除定位精度）', en: 'The recorded GPS position is farther from the target than allowed (after subtracting its accuracy)' },
  },
  impossible_travel: {
    zh: '行程不可能', en: 'Impossible travel',
    explain: { zh: '同一干部的两条记录地点相距太远，两者之间的时间不够赶路', en: 'One cadre’s two records are too far apart for the time between them' },
  },
  late_entry: {
    zh: '补录过晚', en: 'Late entry',
    explain: { zh: '记录在活动结束多日之后才录入', en: 'Entered many days after the activity ended' },
  },
  backdated_burst: {
    zh: '集中补录', en: 'Back-dated burst',
    explain: { zh: '同一账号在短时间内集中录入多条一天以前的记录', en: 'One account entered many records older than a day within a short time' },
  },
  attendance_exceeds_population: {
    zh: '人次超人口', en: 'Attendance exceeds population',
    explain: { zh: '会议参加人次超过该村（社区）的常住人口（无人口数时为户数）', en: 'A meeting’s attendance exceeds the village’s population (or its household count when no population is recorded)' },
  },
  double_stay: {
    zh: '重复蹲点', en: 'Double stay',
    explain: { zh: '同一干部同一天在两个不同的村蹲点', en: 'One cadre has stay days on the same day in two different villages' },
  },
};

/** Checks about two records: raised on both, each pointing at the other. */
export const pairCheckKinds: readonly CheckKind[] = ['duplicate_photo', 'impossible_travel', 'double_stay'];

// ── Evidence per check (stored as jsonb; times are ISO-8601 UTC, dates are China dates) ─────────

const point = z.object({ latitude: z.number(), longitude: z.number() });
const place = point.extend({
  activityId: z.number().int(),
  accuracyM: z.number().nullable().describe('GPS accuracy; null when the place is the targets’ position'),
  source: z.enum(['gps', 'targets']).describe('gps: the record’s own fix; targets: the mean position of its targets'),
});

export const duplicatePhotoEvidence = z.object({
  otherActivityId: z.number().int(),
  photos: z.array(z.object({ photoId: z.number().int(), sha256: z.string() })).describe('the pictures both records carry'),
});
export const farFromTargetEvidence = z.object({
  targetId: z.number().int(),
  targetName: z.string(),
  distanceM: z.number().describe('between the GPS fix and the target, metres'),
  beyondAccuracyM: z.number().describe('distance minus the fix’s reported accuracy: what is compared with maxDistanceM'),
  maxDistanceM: z.number(),
  activity: point.extend({ accuracyM: z.number().nullable() }),
  target: point,
});
export const impossibleTravelEvidence = z.object({
  otherActivityId: z.number().int(),
  cadreId: z.number().int(),
  distanceM: z.number().describe('between the two places, minus both fixes’ accuracy'),
  minutes: z.number().describe('from the end of the earlier record to the start of the later; 0 when they overlap'),
  speedKmh: z.number().nullable().describe('implied speed; null when the records overlap in time'),
  maxSpeedKmh: z.number(),
  first: place.extend({ endsAt: z.string() }),
  second: place.extend({ startsAt: z.string() }),
});
export const lateEntryEvidence = z.object({
  endsAt: z.string(),
  recordedAt: z.string(),
  daysLate: z.number().describe('days between the end and the entry, one decimal'),
  lateDays: z.number(),
});
export const backdatedBurstEvidence = z.object({
  recordedBy: z.number().int(),
  count: z.number().int().describe('the most back-dated records this account entered within one window holding this record'),
  windowMinutes: z.number().int(),
  burstCount: z.number().int(),
  daysOld: z.number().describe('how old this record was when entered, days, one decimal'),
});
export const attendanceEvidence = z.object({
  attendees: z.number().int(),
  limit: z.number().int().describe('sum over the places of their population, or household count where no population is recorded'),
  basis: z.enum(['population', 'households', 'mixed']),
  places: z.array(z.object({ targetId: z.number().int(), name: z.string(), population: z.number().int().nullable(), households: z.number().int().nullable() })),
});
export const doubleStayEvidence = z.object({
  otherActivityId: z.number().int(),
  cadreId: z.number().int(),
  from: z.string().describe('first shared China date'),
  to: z.string().describe('last shared China date'),
  villagePath: z.string(),
  otherVillagePath: z.string(),
});
export const evidenceByKind = {
  duplicate_photo: duplicatePhotoEvidence,
  far_from_target: farFromTargetEvidence,
  impossible_travel: impossibleTravelEvidence,
  late_entry: lateEntryEvidence,
  backdated_burst: backdatedBurstEvidence,
  attendance_exceeds_population: attendanceEvidence,
  double_stay: doubleStayEvidence,
} as const satisfies Record<CheckKind, z.ZodType>;
export type EvidenceOf<K extends CheckKind> = z.infer<(typeof evidenceByKind)[K]>;

// ── Flags ──────────────────────────────────────────────────────────────────────────────────────

/** The record a flag is about, as lists show it. */
export const flaggedActivity = z.object({
  id: z.number().int(),
  kind: activityKind,
  title: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  regionCode: z.string(),
  regionName: z.string(),
  place: z.string(),
});

export const integrityFlag = z.object({
  id: z.number().int(),
  checkKind,
  activityId: z.number().int(),
  activity: flaggedActivity,
  cadreId: z.number().int().nullable().describe('the cadre the flag is about (impossible travel, double stay); null when it is about the record'),
  cadreName: z.string().nullable(),
  otherActivityId: z.number().int().nullable().describe('pair checks: the other record'),
  summary: z.string().describe('one line in Chinese, e.g. 与记录 #123 使用同一张照片'),
  evidence: z.record(z.string(), z.unknown()).describe('shape per check: see evidenceByKind'),
  createdAt: z.string(),
  clearedAt: z.string().nullable(),
  clearedBy: z.string().nullable().describe('display name of the account that cleared it'),
  clearReason: z.string().nullable(),
});
export type IntegrityFlagDto = z.infer<typeof integrityFlag>;

/** A record involved in a flag, with enough to judge the evidence. */
export const involvedActivity = flaggedActivity.extend({
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  accuracyM: z.number().nullable(),
  attendees: z.number().int().nullable(),
  participants: z.array(z.object({ cadreId: z.number().int(), name: z.string() })),
  targets: z.array(z.object({ id: z.number().int(), kind: targetKind, name: z.string(), latitude: z.number().nullable(), longitude: z.number().nullable() })),
  recordedAt: z.string(),
  recordedBy: z.string().nullable(),
});
export type InvolvedActivity = z.infer<typeof involvedActivity>;

export const integrityFlagDetail = integrityFlag.extend({
  activities: z.array(involvedActivity).describe('the flagged record first, then the other record of a pair check when you may see it'),
  hiddenActivities: z.number().int().describe('records involved that lie outside your scope (not shown)'),
});
export type IntegrityFlagDetail = z.infer<typeof integrityFlagDetail>;

const calendarDate = z.iso.date('日期格式应为 YYYY-MM-DD');
export const flagListQuery = z.object({
  checkKind: z.union([checkKind, z.array(checkKind).max(7)]).optional().describe('one check, or several (checkKind=late_entry&checkKind=backdated_burst)'),
  cleared: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('true: cleared only; false: open only; absent: both'),
  region: storableString.max(64).optional().describe('flags on records that happened in this region and below'),
  cadreId: dbIdQuery.optional().describe('flags about this cadre, or on records this cadre took part in'),
  activityId: dbIdQuery.optional(),
  from: calendarDate.optional().describe('the record started on or after this China date'),
  to: calendarDate.optional().describe('the record started on or before this China date'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});
export type FlagListQuery = z.infer<typeof flagListQuery>;
export type FlagListParams = z.input<typeof flagListQuery>;

export const clearFlag = z.object({
  reason: storableString.trim().min(4, '请填写清除理由（至少4个字）').max(500, '清除理由最长500字'),
});
export type ClearFlag = z.input<typeof clearFlag>;

export const scanResult = z.object({
  scanned: z.number().int().describe('records checked'),
  flagged: z.number().int().describe('open flags after the scan'),
  added: z.number().int().describe('flags raised by this scan'),
  removed: z.number().int().describe('open flags that no longer hold, removed'),
  byKind: z.record(checkKind, z.number().int()).describe('open flags per check after the scan'),
  ms: z.number().int(),
});
export type ScanResult = z.infer<typeof scanResult>;
