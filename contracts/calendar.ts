import { z } from 'zod';
import { cadreRank } from './cadres.ts';
import { dbId, dbIdQuery, storableString } from './common.ts';
import { upcomingDay } from './compliance-api.ts';
import { festival } from './requirements.ts';
import { targetKind } from './targets.ts';
import { unitLevel } from './units.ts';

// The campaign calendar (issue 6 item 3, SPEC §2): fixed days (接访日 on the 20th, 公开日 on the
// 9th, 党员活动日 on Tuesdays, 村务办公日 on Fridays, 学习日 on the 15th) and holiday visits (七一,
// 重阳, 春节 with the days around them) as data per campaign; the notification channels the daily
// digest goes out through (in-app always; webhooks configured by an admin).
//
// A month day keeps its date whatever the day is: the 20th is 接访日 even on a Sunday or in the
// 国庆 holiday (the articles fix the date, not a working day; the calendar marks it 节假日 so the
// unit can arrange duty). A month day the month lacks (the 31st in April) falls on its last day.

const distinct = (l: readonly unknown[]) => new Set(l).size === l.length;
const choices = <T extends z.ZodType>(item: T, what: string, max = 50) =>
  z.array(item).min(1, `${what}不能为空列表（不限请不填）`).max(max, `${what}最多${max}项`).refine(distinct, `${what}不能有重复项`);

export const calendarEntryKinds = ['weekday', 'month_day', 'festival'] as const;
export const calendarEntryKind = z.enum(calendarEntryKinds, { error: '日程类型 kind 应为 weekday（每周固定日）/ month_day（每月固定日）/ festival（节日走访）' });
export type CalendarEntryKind = z.infer<typeof calendarEntryKind>;
export const calendarEntryKindLabels: Record<CalendarEntryKind, { zh: string; en: string }> = {
  weekday: { zh: '每周固定日', en: 'Every week' },
  month_day: { zh: '每月固定日', en: 'Every month' },
  festival: { zh: '节日走访', en: 'Holiday visit' },
};
export const weekdayLabels = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'] as const;

/** Which cadres an entry is for: every field narrows; none given: every cadre of the campaign. */
export const calendarCadres = z.strictObject({
  ranks: choices(cadreRank, '职级 cadres.ranks', 5).optional(),
  unitLevels: choices(unitLevel, '单位层级 cadres.unitLevels', 4).optional(),
  unitIds: choices(dbId, '单位 cadres.unitIds', 500).optional().describe('cadres of these units and the units under them'),
}, { error: (iss) => (iss.code === 'unrecognized_keys' ? `干部条件 cadres 没有字段 ${iss.keys.join('、')}` : undefined) });
export type CalendarCadres = z.infer<typeof calendarCadres>;

const tag = z.string().trim().min(1, '标签不能为空').max(20, '标签最长20字');
/** Whom a holiday visit goes to: targets of these kinds carrying any of these tags (老党员 / 困难户 / 百岁老人). */
export const calendarTargets = z.strictObject({
  kinds: choices(targetKind, '对象类型 targets.kinds', 10).optional(),
  tags: choices(tag, '标签 targets.tags', 20).optional(),
}, { error: (iss) => (iss.code === 'unrecognized_keys' ? `对象条件 targets 没有字段 ${iss.keys.join('、')}` : undefined) });
export type CalendarTargets = z.infer<typeof calendarTargets>;

export const calendarSchedule = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('weekday'), weekday: z.number().int('星期 schedule.weekday 应为整数').min(1, '星期 schedule.weekday 应为1（周一）到7（周日）').max(7, '星期 schedule.weekday 应为1（周一）到7（周日）') }),
  z.strictObject({ kind: z.literal('month_day'), monthDay: z.number().int('日期 schedule.monthDay 应为整数').min(1, '日期 schedule.monthDay 应为1到31').max(31, '日期 schedule.monthDay 应为1到31') }),
  z.strictObject({
    kind: z.literal('festival'),
    festival,
    daysBefore: z.number().int().min(0, '节前天数 schedule.daysBefore 不能为负数').max(30, '节前天数 schedule.daysBefore 最多30天').default(0),
    daysAfter: z.number().int().min(0, '节后天数 schedule.daysAfter 不能为负数').max(30, '节后天数 schedule.daysAfter 最多30天').default(0),
  }),
], { error: '日程 schedule.kind 应为 weekday（每周固定日）/ month_day（每月固定日）/ festival（节日走访）' });
export type CalendarSchedule = z.infer<typeof calendarSchedule>;

export const saveCalendarEntry = z.strictObject({
  name: storableString.pipe(z.string().trim().min(1, '名称 name 不能为空').max(30, '名称 name 最长30字')),
  schedule: calendarSchedule,
  cadres: calendarCadres.default({}),
  targets: calendarTargets.nullable().default(null),
  description: storableString.pipe(z.string().trim().max(500, '说明 description 最长500字')).default(''),
  active: z.boolean().default(true),
});
export type SaveCalendarEntry = z.infer<typeof saveCalendarEntry>;
export const updateCalendarEntry = saveCalendarEntry.extend({ version: z.number().int().min(1) });
export type UpdateCalendarEntry = z.infer<typeof updateCalendarEntry>;

export const calendarEntryDto = z.object({
  id: z.number().int(),
  campaignId: z.number().int(),
  name: z.string(),
  schedule: calendarSchedule,
  cadres: calendarCadres,
  targets: calendarTargets.nullable(),
  description: z.string(),
  active: z.boolean(),
  /** One Chinese line: 每月20日 · 全体干部 / 重阳（农历九月初九）前7天至后3天 · 老党员、困难户. */
  summary: z.string(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CalendarEntryDto = z.infer<typeof calendarEntryDto>;

export const calendarEntryParams = z.object({ id: dbIdQuery, entryId: dbIdQuery });
export const calendarMonthQuery = z.object({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份 month 应为 YYYY-MM') });

/** One day of an entry in the month view (a festival window gives one per day of the window). */
export const calendarOccurrence = z.object({
  date: z.string(),
  entryId: z.number().int(),
  name: z.string(),
  kind: calendarEntryKind,
  /** The festival's own day, for a day of a festival window. */
  festivalDate: z.string().nullable(),
  /** The date is a public holiday or weekend rest day (the entry keeps its date). */
  restDay: z.boolean(),
});
export type CalendarOccurrence = z.infer<typeof calendarOccurrence>;
export const calendarMonth = z.object({
  month: z.string(),
  campaign: z.object({ startsOn: z.string(), endsOn: z.string() }),
  occurrences: z.array(calendarOccurrence),
  /** Public holidays in the month (from the Chinese calendar), for shading. */
  holidays: z.array(z.object({ date: z.string(), name: z.string() })),
});
export type CalendarMonth = z.infer<typeof calendarMonth>;

/** An upcoming day (contracts/compliance-api.ts upcomingDay) with what the calendar knows besides. */
export const calendarUpcomingDay = upcomingDay.extend({
  entryId: z.number().int(),
  /** The window: the date itself for a fixed day; the festival's days before and after for a holiday visit. */
  startsOn: z.string(),
  endsOn: z.string(),
  festivalDate: z.string().nullable(),
  /** The date is a public holiday or weekend rest day (a fixed day keeps its date). */
  restDay: z.boolean(),
  /** For a cadre's holiday visit: how many of their paired targets carry the entry's tags. */
  targetCount: z.number().int().nullable(),
});
export type CalendarUpcomingDay = z.infer<typeof calendarUpcomingDay>;
export const calendarUpcomingDays = z.array(calendarUpcomingDay);

// ── Notification channels ────────────────────────────────────────────────────────────────────

export const channelKinds = ['webhook'] as const;
export const channelKind = z.enum(channelKinds, { error: '渠道类型 kind 目前只支持 webhook' });
export const saveChannel = z.strictObject({
  kind: channelKind.default('webhook'),
  name: storableString.pipe(z.string().trim().min(1, '名称 name 不能为空').max(50, '名称 name 最长50字')),
  url: z.string().trim().max(500, '地址 url 最长500字').refine((v) => /^https?:\/\/[^\s/]+/.test(v), '地址 url 应为 http:// 或 https:// 开头的网址'),
  /** The signing secret: required when creating; omitted on update keeps the stored one. */
  secret: z.string().min(16, '签名密钥 secret 至少16个字符').max(200, '签名密钥 secret 最长200字符').optional(),
  timeoutMs: z.number().int().min(500, '超时 timeoutMs 至少500毫秒').max(30_000, '超时 timeoutMs 最多30000毫秒').default(5000),
  maxAttempts: z.number().int().min(1, '重试次数 maxAttempts 至少1次').max(5, '重试次数 maxAttempts 最多5次').default(3),
  active: z.boolean().default(true),
});
export type SaveChannel = z.infer<typeof saveChannel>;

export const deliveryStatus = z.enum(['sent', 'failed', 'pending']);
export const channelDelivery = z.object({
  id: z.string(),
  channelId: z.number().int().nullable(),
  channelKind: z.string(),
  event: z.string(),
  cadreId: z.number().int().nullable(),
  cadreName: z.string().nullable(),
  title: z.string(),
  status: deliveryStatus,
  attempts: z.number().int(),
  httpStatus: z.number().int().nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type ChannelDelivery = z.infer<typeof channelDelivery>;

/** A channel as the API returns it: the secret is never returned, only whether one is set. */
export const channelDto = z.object({
  id: z.number().int(),
  kind: channelKind,
  name: z.string(),
  url: z.string(),
  secretSet: z.boolean(),
  timeoutMs: z.number().int(),
  maxAttempts: z.number().int(),
  active: z.boolean(),
  /** Region the channel serves (digests of cadres whose unit lies there); null: everywhere. */
  regionCode: z.string().nullable(),
  lastDeliveries: z.array(channelDelivery),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ChannelDto = z.infer<typeof channelDto>;

export const digestResult = z.object({
  date: z.string(),
  ran: z.boolean(),
  reason: z.string().nullable(),
  cadres: z.number().int(),
  notifications: z.number().int(),
  deliveries: z.number().int(),
  failures: z.number().int(),
});
export type DigestResult = z.infer<typeof digestResult>;
