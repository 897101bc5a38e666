import { z } from 'zod';
import { calendarDate } from './campaigns.ts';
import { dbId, dbIdQuery, storableString } from './common.ts';
import { photoRef } from './photos.ts';
import {
  closureType, deadlineMarks, superviseLevel, ticketAction, ticketOutcomes, ticketRating, ticketSource, ticketState,
  ticketType, ticketUrgency,
} from './tickets.ts';

// The ticket API (issue 5): what the server accepts and returns for tickets, their actions, the
// ledger, measures, the public tracking page, categories, the deadline policy, notifications and
// Open311 keys. The vocabulary and the action tables are in ./tickets.ts.

const id = dbId;
const text = (max: number, what: string) => storableString.trim().max(max, `${what}最长${max}字`);
const required = (max: number, what: string) => text(max, what).min(1, `${what}不能为空`);
/** A phone a requester gives: a mobile or a landline (区号-号码), digits and dashes. */
export const requesterPhone = storableString.trim().regex(/^(?=(?:\D*\d){7,15}\D*$)[0-9-]{7,20}$/, '电话应为7–15位数字，可含连字符（如 0574-65712345）');
/** The last four digits of the requester's phone, asked on the public page. */
export const phoneLast4 = z.string().trim().regex(/^\d{4}$/, '请输入手机号后4位数字');
export const categoryCode = z.string().trim().regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*$/, '分类编码应为小写字母、数字、下划线，层级用点分隔').max(100);
const lat = z.number().min(-90).max(90);
const lng = z.number().min(-180).max(180);
const attachmentIds = z.array(id).max(20, '最多20个附件').default([]);

// ---- Creating ---------------------------------------------------------------------------------

/**
 * A new ticket. The requester is a contact target (a household or enterprise already in Lianxin),
 * or a named person, or anonymous; a phone lets them follow the ticket on the public page. A
 * ticket from a visit names the activity (and the problem recorded on it); the cadre who found it
 * may fix it on the spot (即知即改) at once, and a hotline operator may dispatch it in one step.
 */
export const createTicket = z.strictObject({
  source: ticketSource,
  type: ticketType,
  categoryCode,
  urgency: ticketUrgency.default('normal'),
  title: required(100, '标题'),
  content: required(4000, '诉求内容'),
  requester: z.strictObject({
    targetId: id.nullable().optional(),
    name: text(50, '诉求人姓名').nullable().optional(),
    phone: requesterPhone.nullable().optional(),
    anonymous: z.boolean().default(false),
  }).default({ anonymous: false }),
  regionCode: storableString.trim().min(1, '请选择所在区划').max(64),
  address: text(200, '地址').default(''),
  lat: lat.nullable().optional(),
  lng: lng.nullable().optional(),
  campaignId: id.nullable().optional(),
  activityId: id.nullable().optional().describe('the visit on which the problem was found'),
  problemId: id.nullable().optional().describe('the problem recorded on that visit, now linked to this ticket'),
  attachmentIds,
  dispatch: z.strictObject({ unitId: id, note: text(500, '交办意见').optional() }).optional().describe('dispatch at once (hotline: intake and dispatch in one step)'),
  fixOnSpot: z.strictObject({ closureType: closureType.default('substantive'), reply: required(2000, '答复内容') }).optional().describe('即知即改 by the cadre who found it'),
}).refine((v) => !(v.dispatch && v.fixOnSpot), { message: '不能同时交办和即知即改', path: ['fixOnSpot'] })
  .refine((v) => (v.lat == null) === (v.lng == null), { message: '经纬度须同时填写', path: ['lng'] });
export type CreateTicket = z.input<typeof createTicket>;

// ---- Acting -----------------------------------------------------------------------------------

const note = text(1000, '说明').optional();
const reason = required(1000, '理由');
/** The version of the ticket the caller saw: a stale one is refused (409) rather than acting on a changed ticket. */
const v = { version: z.number().int().min(1).max(2_147_483_647).optional() };
/** One action on a ticket; which ones the caller may take now is `allowedActions` on the ticket. */
export const ticketActionBody = z.discriminatedUnion('action', [
  z.strictObject({ ...v, action: z.literal('dispatch'), unitId: id, note }),
  z.strictObject({ ...v, action: z.literal('sign'), note }),
  z.strictObject({ ...v, action: z.literal('start'), note }),
  z.strictObject({ ...v, action: z.literal('resolve'), closureType, reply: required(2000, '答复内容'), attachmentIds }),
  z.strictObject({ ...v, action: z.literal('fix_on_spot'), closureType, reply: required(2000, '答复内容'), attachmentIds }),
  z.strictObject({ ...v, action: z.literal('return'), reason }),
  z.strictObject({ ...v, action: z.literal('transfer'), unitId: id, reason }),
  z.strictObject({ ...v, action: z.literal('add_assisting_unit'), unitId: id, note }),
  z.strictObject({ ...v, action: z.literal('request_extension'), workingDays: z.number().int('延期天数应为整数').min(1).max(365), reason }),
  z.strictObject({ ...v, action: z.literal('approve_extension'), note }),
  z.strictObject({ ...v, action: z.literal('refuse_extension'), reason }),
  z.strictObject({ ...v, action: z.literal('rate'), rating: ticketRating, comment: text(500, '评价意见').optional() }),
  z.strictObject({ ...v, action: z.literal('close'), reason }),
  z.strictObject({ ...v, action: z.literal('merge'), intoTicketId: id, note }),
  z.strictObject({ ...v, action: z.literal('supervise'), level: superviseLevel, note: required(1000, '督办意见') }),
  z.strictObject({ ...v, action: z.literal('reply_supervision'), supervisionId: id.optional(), note: required(1000, '督办回复') }),
], { error: '未知的操作（action）' });
export type TicketActionBody = z.input<typeof ticketActionBody>;
/** The body of POST /tickets/:id/actions. */
export const ticketActionRequest = ticketActionBody;

// ---- Reading ----------------------------------------------------------------------------------

export const ticketSummary = z.object({
  id: z.number().int(),
  trackingCode: z.string(),
  title: z.string(),
  source: ticketSource,
  type: ticketType,
  categoryCode: z.string(),
  categoryName: z.string(),
  urgency: ticketUrgency,
  state: ticketState,
  regionCode: z.string(),
  regionName: z.string(),
  address: z.string(),
  requesterName: z.string().nullable().describe('masked unless the caller may reveal it'),
  requesterPhoneMasked: z.string().nullable(),
  handlingUnitId: z.number().int().nullable(),
  handlingUnitName: z.string().nullable(),
  createdAt: z.string(),
  dispatchedAt: z.string().nullable(),
  dueAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  deadlineMark: z.enum(deadlineMarks).describe('on_time / due_soon / overdue / long_overdue; as of the last scheduler pass, overdue at once'),
  superviseLevel: superviseLevel.nullable().describe('the highest open 督办 on the ticket'),
  outcome: z.enum(ticketOutcomes).nullable(),
  rating: ticketRating.nullable(),
  reopenCount: z.number().int(),
  pendingExtensionDays: z.number().int().nullable(),
});
export type TicketSummary = z.infer<typeof ticketSummary>;

export const ticketEvent = z.object({
  id: z.string(),
  seq: z.number().int(),
  action: z.string().describe('register, or one of ticketActions'),
  fromState: ticketState.nullable(),
  toState: ticketState,
  actorRole: z.string(),
  actorName: z.string(),
  at: z.string(),
  note: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});
export type TicketEventDto = z.infer<typeof ticketEvent>;

export const ticketSupervision = z.object({
  id: z.number().int(),
  level: superviseLevel,
  automatic: z.boolean(),
  note: z.string(),
  issuedByName: z.string().nullable(),
  issuedAt: z.string(),
  dueAt: z.string().nullable(),
  reply: z.string().nullable(),
  repliedByName: z.string().nullable(),
  repliedAt: z.string().nullable(),
});
export type TicketSupervisionDto = z.infer<typeof ticketSupervision>;

export const ticketDto = ticketSummary.extend({
  content: z.string(),
  requesterTargetId: z.number().int().nullable(),
  requesterTargetName: z.string().nullable(),
  requesterAnonymous: z.boolean(),
  lat: z.number().nullable(),
  lng: z.number().nullable(),
  campaignId: z.number().int().nullable(),
  activityId: z.number().int().nullable(),
  foundByCadreId: z.number().int().nullable(),
  foundByCadreName: z.string().nullable(),
  signDueAt: z.string().nullable(),
  signedAt: z.string().nullable(),
  dueBeyondCalendar: z.boolean(),
  closureType: closureType.nullable(),
  reply: z.string().nullable(),
  ratingComment: z.string().nullable(),
  ratedAt: z.string().nullable(),
  mergedIntoId: z.number().int().nullable(),
  repeatOfId: z.number().int().nullable(),
  handlingWorkingDays: z.number().int().nullable(),
  assistingUnits: z.array(z.object({ id: z.number().int(), name: z.string() })),
  attachments: z.array(photoRef),
  mediaUrl: z.string().nullable(),
  events: z.array(ticketEvent),
  supervisions: z.array(ticketSupervision),
  allowedActions: z.array(ticketAction),
  version: z.number().int(),
});
export type TicketDto = z.infer<typeof ticketDto>;

// ---- The ledger (问题台账) ----------------------------------------------------------------------

export const ticketListQuery = z.object({
  state: z.union([ticketState, z.literal('open')]).optional().describe('open = every state but closed and resolved'),
  type: ticketType.optional(),
  source: ticketSource.optional(),
  category: categoryCode.optional().describe('a category and its children'),
  urgency: ticketUrgency.optional(),
  unitId: dbIdQuery.optional().describe('the handling unit'),
  region: storableString.trim().max(64).optional().describe('a region code: tickets in it and below'),
  from: calendarDate.optional().describe('registered on or after (China date)'),
  to: calendarDate.optional().describe('registered on or before (China date)'),
  mark: z.enum(['due_soon', 'overdue', 'long_overdue', 'late']).optional().describe('due_soon, overdue (yellow and red), long_overdue (red), late (any ticket that is or was past its deadline)'),
  supervised: z.enum(['yes', 'unreplied']).optional(),
  q: storableString.trim().max(50).optional().describe('a tracking code, or words of the title'),
  inbox: z.enum(['mine']).optional().describe('mine = held or assisted by the caller’s unit'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});
export type TicketListQuery = z.infer<typeof ticketListQuery>;
export type TicketListFilters = z.input<typeof ticketListQuery>;

// ---- Duplicates (热线 intake) -------------------------------------------------------------------

export const similarTicketsQuery = z.object({
  phone: requesterPhone.optional(),
  targetId: dbIdQuery.optional(),
  regionCode: storableString.trim().max(64).optional(),
  address: storableString.trim().max(200).optional(),
  categoryCode: categoryCode.optional(),
});
export const similarTicket = ticketSummary.pick({ id: true, trackingCode: true, title: true, state: true, categoryName: true, regionName: true, address: true, createdAt: true, handlingUnitName: true })
  .extend({ reasons: z.array(z.enum(['same_requester', 'same_place', 'same_category'])) });
export type SimilarTicket = z.infer<typeof similarTicket>;

// ---- Measures -----------------------------------------------------------------------------------

export const ticketMeasuresQuery = z.object({
  region: storableString.trim().max(64).optional(),
  unitId: dbIdQuery.optional(),
  from: calendarDate.optional(),
  to: calendarDate.optional(),
  groupBy: z.enum(['none', 'unit', 'region', 'month']).default('none').describe('region = the child regions of `region` (or of the caller’s top)'),
});
export type TicketMeasuresQuery = z.input<typeof ticketMeasuresQuery>;

export const ticketMeasures = z.object({
  key: z.string().nullable(),
  name: z.string(),
  /** Registered in the period. */
  total: z.number().int(),
  dispatched: z.number().int(),
  signedOnTime: z.number().int(),
  /** 及时签收率: signed by the sign deadline / dispatched. null when nothing was dispatched. */
  signRate: z.number().nullable(),
  resolved: z.number().int(),
  /** 办结率: resolved or closed after resolution / registered (merged ones left out). */
  resolveRate: z.number().nullable(),
  resolvedOnTime: z.number().int(),
  /** 按期办结率: resolved by the deadline / resolved. */
  onTimeRate: z.number().nullable(),
  rated: z.number().int(),
  satisfied: z.number().int(),
  basicallySatisfied: z.number().int(),
  unsatisfied: z.number().int(),
  /** 满意率: (satisfied + basically satisfied) / rated. */
  satisfactionRate: z.number().nullable(),
  /** Mean working days from the first dispatch to resolution. */
  meanHandlingDays: z.number().nullable(),
  /** Open now and past the deadline. */
  overdueOpen: z.number().int(),
  /** Resolved after the deadline. */
  resolvedLate: z.number().int(),
  /** Registered while the same requester had asked about the same category in the 30 days before. */
  repeatRequests: z.number().int(),
});
export type TicketMeasuresRow = z.infer<typeof ticketMeasures>;
export const ticketMeasuresResult = z.object({
  overall: ticketMeasures,
  rows: z.array(ticketMeasures),
  definitions: z.array(z.object({ key: z.string(), zh: z.string(), en: z.string() })),
});
export type TicketMeasuresResult = z.infer<typeof ticketMeasuresResult>;

// ---- The requester's public page --------------------------------------------------------------

export const publicTicketQuery = z.object({ phone: phoneLast4 });
export const publicTicket = z.object({
  trackingCode: z.string(),
  title: z.string(),
  type: ticketType,
  categoryName: z.string(),
  state: ticketState,
  createdAt: z.string(),
  handlingUnitName: z.string().nullable(),
  dueAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  closureType: closureType.nullable(),
  reply: z.string().nullable(),
  rating: ticketRating.nullable(),
  ratingComment: z.string().nullable(),
  canRate: z.boolean(),
  /** What happened, by date, without officials' names. */
  timeline: z.array(z.object({ at: z.string(), action: z.string(), toState: ticketState })),
});
export type PublicTicket = z.infer<typeof publicTicket>;
export const publicRating = z.strictObject({ phone: phoneLast4, rating: ticketRating, comment: text(500, '评价意见').optional() });
export type PublicRating = z.input<typeof publicRating>;

// ---- Configuration ------------------------------------------------------------------------------

export const ticketCategory = z.object({
  code: z.string(),
  parentCode: z.string().nullable(),
  nameZh: z.string(),
  nameEn: z.string(),
  sort: z.number().int(),
  active: z.boolean(),
});
export type TicketCategoryDto = z.infer<typeof ticketCategory>;
export const createTicketCategory = z.strictObject({
  code: categoryCode,
  parentCode: categoryCode.nullable().optional(),
  nameZh: required(30, '分类名称'),
  nameEn: text(60, '英文名称').default(''),
  sort: z.number().int().min(0).max(10_000).default(0),
});
export const updateTicketCategory = z.strictObject({
  nameZh: required(30, '分类名称').optional(),
  nameEn: text(60, '英文名称').optional(),
  sort: z.number().int().min(0).max(10_000).optional(),
  active: z.boolean().optional(),
});

// ---- Notifications ------------------------------------------------------------------------------

export const notification = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  body: z.string(),
  ticketId: z.number().int().nullable(),
  link: z.string().nullable(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
export type NotificationDto = z.infer<typeof notification>;

// ---- Open311 keys -------------------------------------------------------------------------------

export const open311Key = z.object({
  id: z.number().int(),
  name: z.string(),
  keyPrefix: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
export type Open311KeyDto = z.infer<typeof open311Key>;
export const createOpen311Key = z.strictObject({ name: required(60, '名称') });
/** The key itself is shown once, at creation; only its hash is stored. */
export const createdOpen311Key = open311Key.extend({ apiKey: z.string() });
