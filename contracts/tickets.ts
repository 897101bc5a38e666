import { z } from 'zod';
import { type Role } from './auth.ts';

// Tickets (工单 / 问题台账), SPEC §2 and issue 5: the closed loop 发现问题 → 交办 → 处理 → 反馈 → 督办.
// This file holds the vocabulary, the default category tree, the deadline policy defaults and the
// table of which action may be taken in which state by which role. The state machine that applies
// them is src/features/tickets/machine.ts; the web app reads the same tables to hide what would be
// refused.

type Label = { zh: string; en: string };

export const ticketSources = ['visit', 'forum', 'hotline', 'web', 'letter_visit', 'enterprise', 'open311'] as const;
export const ticketSource = z.enum(ticketSources, { error: `来源应为 ${ticketSources.join(' / ')}` });
export type TicketSource = z.infer<typeof ticketSource>;
export const ticketSourceLabels: Record<TicketSource, Label> = {
  visit: { zh: '走访发现', en: 'Visit' },
  forum: { zh: '座谈会', en: 'Forum' },
  hotline: { zh: '热线', en: 'Hotline' },
  web: { zh: '网上/H5', en: 'Web form' },
  letter_visit: { zh: '来信来访', en: 'Letter or walk-in' },
  enterprise: { zh: '企业诉求', en: 'Enterprise request' },
  open311: { zh: 'Open311接口', en: 'Open311 client' },
};

export const ticketTypes = ['consult', 'help', 'complaint', 'report', 'suggestion'] as const;
export const ticketType = z.enum(ticketTypes, { error: '类型应为 consult（咨询）/ help（求助）/ complaint（投诉）/ report（举报）/ suggestion（建议）' });
export type TicketType = z.infer<typeof ticketType>;
export const ticketTypeLabels: Record<TicketType, Label> = {
  consult: { zh: '咨询', en: 'Consultation' },
  help: { zh: '求助', en: 'Request for help' },
  complaint: { zh: '投诉', en: 'Complaint' },
  report: { zh: '举报', en: 'Report' },
  suggestion: { zh: '建议', en: 'Suggestion' },
};

export const ticketUrgencies = ['normal', 'urgent', 'critical'] as const;
export const ticketUrgency = z.enum(ticketUrgencies, { error: '紧急程度应为 normal（一般）/ urgent（紧急）/ critical（特急）' });
export type TicketUrgency = z.infer<typeof ticketUrgency>;
export const ticketUrgencyLabels: Record<TicketUrgency, Label> = {
  normal: { zh: '一般', en: 'Normal' },
  urgent: { zh: '紧急', en: 'Urgent' },
  critical: { zh: '特急', en: 'Critical' },
};

/**
 * States. Rating is an event, not a state: a satisfied or basically satisfied rating closes the
 * ticket at once (the closed ticket keeps its rating), an unsatisfied one reopens it once, so no
 * ticket waits in a "rated" state for someone to close it. `reopened` is a state of its own so
 * the ledger and the measures can tell a second round of handling from the first.
 */
export const ticketStates = ['registered', 'dispatched', 'signed', 'in_progress', 'resolved', 'reopened', 'closed'] as const;
export const ticketState = z.enum(ticketStates, { error: `状态应为 ${ticketStates.join(' / ')}` });
export type TicketState = z.infer<typeof ticketState>;
export const ticketStateLabels: Record<TicketState, Label> = {
  registered: { zh: '已登记', en: 'Registered' },
  dispatched: { zh: '已交办', en: 'Dispatched' },
  signed: { zh: '已签收', en: 'Signed' },
  in_progress: { zh: '办理中', en: 'In progress' },
  resolved: { zh: '已办结', en: 'Resolved' },
  reopened: { zh: '已重办', en: 'Reopened' },
  closed: { zh: '已关闭', en: 'Closed' },
};
/** States in which a ticket waits for handling: supervision and overdue marks apply. */
export const ticketHandlingStates = ['registered', 'dispatched', 'signed', 'in_progress', 'reopened'] as const satisfies readonly TicketState[];
/** States in which a handling unit holds the ticket. */
export const ticketHeldStates = ['dispatched', 'signed', 'in_progress', 'reopened'] as const satisfies readonly TicketState[];

/** How a closed ticket ended. */
export const ticketOutcomes = ['satisfied', 'basically_satisfied', 'unsatisfied', 'unrated', 'merged'] as const;
export type TicketOutcome = (typeof ticketOutcomes)[number];
export const ticketOutcomeLabels: Record<TicketOutcome, Label> = {
  satisfied: { zh: '满意', en: 'Satisfied' },
  basically_satisfied: { zh: '基本满意', en: 'Basically satisfied' },
  unsatisfied: { zh: '不满意', en: 'Unsatisfied' },
  unrated: { zh: '未评价', en: 'Not rated' },
  merged: { zh: '已合并', en: 'Merged into another ticket' },
};

export const closureTypes = ['substantive', 'interim', 'procedural'] as const;
export const closureType = z.enum(closureTypes, { error: '办结类型应为 substantive（实质性办结）/ interim（阶段性办结）/ procedural（程序性办结）' });
export type ClosureType = z.infer<typeof closureType>;
export const closureTypeLabels: Record<ClosureType, Label> = {
  substantive: { zh: '实质性办结', en: 'Substantively resolved' },
  interim: { zh: '阶段性办结', en: 'Resolved in part' },
  procedural: { zh: '程序性办结', en: 'Procedurally closed' },
};

export const ticketRatings = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const;
export const ticketRating = z.enum(ticketRatings, { error: '评价应为 satisfied（满意）/ basically_satisfied（基本满意）/ unsatisfied（不满意）' });
export type TicketRating = z.infer<typeof ticketRating>;
export const ticketRatingLabels: Record<TicketRating, Label> = {
  satisfied: { zh: '满意', en: 'Satisfied' },
  basically_satisfied: { zh: '基本满意', en: 'Basically satisfied' },
  unsatisfied: { zh: '不满意', en: 'Unsatisfied' },
};

export const superviseLevels = ['yellow', 'red'] as const;
export const superviseLevel = z.enum(superviseLevels, { error: '督办级别应为 yellow（黄色督办）或 red（红色督办）' });
export type SuperviseLevel = z.infer<typeof superviseLevel>;
export const superviseLevelLabels: Record<SuperviseLevel, Label> = {
  yellow: { zh: '黄色督办', en: 'Yellow supervision' },
  red: { zh: '红色督办', en: 'Red supervision' },
};

/** Where a ticket stands against its deadline (the supervisor's board colours). */
export const deadlineMarks = ['on_time', 'due_soon', 'overdue', 'long_overdue'] as const;
export type DeadlineMark = (typeof deadlineMarks)[number];
export const deadlineMarkLabels: Record<DeadlineMark, Label> = {
  on_time: { zh: '正常', en: 'On time' },
  due_soon: { zh: '即将到期', en: 'Due soon' },
  overdue: { zh: '已逾期（黄色督办）', en: 'Overdue (yellow)' },
  long_overdue: { zh: '严重逾期（红色督办）', en: 'Long overdue (red)' },
};

// ---- Categories ------------------------------------------------------------------------------

export type CategoryNode = { code: string; zh: string; en: string; children?: readonly CategoryNode[] };

/** The default category tree (configurable per deployment); codes are stable, labels may change. */
export const defaultTicketCategories: readonly CategoryNode[] = [
  { code: 'employment', zh: '就业创业', en: 'Employment', children: [
    { code: 'employment.jobs', zh: '就业岗位', en: 'Jobs' },
    { code: 'employment.wages', zh: '欠薪讨薪', en: 'Unpaid wages' },
    { code: 'employment.training', zh: '技能培训', en: 'Skills training' },
    { code: 'employment.startup', zh: '创业扶持', en: 'Start-up support' },
  ] },
  { code: 'social_security', zh: '社会保障', en: 'Social security', children: [
    { code: 'social_security.pension', zh: '养老保险', en: 'Pension' },
    { code: 'social_security.medical_insurance', zh: '医疗保险', en: 'Medical insurance' },
    { code: 'social_security.assistance', zh: '低保救助', en: 'Minimum living allowance' },
    { code: 'social_security.elderly_disabled', zh: '养老助残', en: 'Elderly and disabled care' },
  ] },
  { code: 'education', zh: '教育', en: 'Education', children: [
    { code: 'education.enrolment', zh: '入学入园', en: 'School enrolment' },
    { code: 'education.fees', zh: '教育收费', en: 'School fees' },
    { code: 'education.student_aid', zh: '学生资助', en: 'Student aid' },
  ] },
  { code: 'medical', zh: '医疗卫生', en: 'Medical care', children: [
    { code: 'medical.access', zh: '看病就医', en: 'Access to care' },
    { code: 'medical.village_clinic', zh: '村卫生室', en: 'Village clinic' },
    { code: 'medical.public_health', zh: '公共卫生', en: 'Public health' },
  ] },
  { code: 'housing', zh: '住房', en: 'Housing', children: [
    { code: 'housing.dilapidated', zh: '危房改造', en: 'Unsafe housing' },
    { code: 'housing.property', zh: '物业管理', en: 'Property management' },
    { code: 'housing.demolition', zh: '征收拆迁', en: 'Expropriation' },
  ] },
  { code: 'infrastructure', zh: '基础设施', en: 'Infrastructure', children: [
    { code: 'infrastructure.roads', zh: '道路交通', en: 'Roads' },
    { code: 'infrastructure.water', zh: '供水', en: 'Water supply' },
    { code: 'infrastructure.power', zh: '供电', en: 'Power supply' },
    { code: 'infrastructure.network', zh: '通信网络', en: 'Telecoms' },
    { code: 'infrastructure.lighting', zh: '路灯照明', en: 'Street lighting' },
  ] },
  { code: 'environment', zh: '生态环境', en: 'Environment', children: [
    { code: 'environment.pollution', zh: '环境污染', en: 'Pollution' },
    { code: 'environment.waste', zh: '垃圾处理', en: 'Waste' },
    { code: 'environment.noise', zh: '噪声扰民', en: 'Noise' },
    { code: 'environment.village_appearance', zh: '村容村貌', en: 'Village appearance' },
  ] },
  { code: 'public_order', zh: '社会治安', en: 'Public order', children: [
    { code: 'public_order.disputes', zh: '矛盾纠纷', en: 'Disputes' },
    { code: 'public_order.security', zh: '治安隐患', en: 'Security hazards' },
    { code: 'public_order.fraud', zh: '电信诈骗', en: 'Fraud' },
  ] },
  { code: 'enterprise', zh: '企业经营', en: 'Enterprise operation', children: [
    { code: 'enterprise.financing', zh: '融资贷款', en: 'Financing' },
    { code: 'enterprise.land', zh: '用地用工', en: 'Land and labour' },
    { code: 'enterprise.policy', zh: '惠企政策', en: 'Business support policy' },
    { code: 'enterprise.arrears', zh: '账款拖欠', en: 'Overdue payments' },
  ] },
  { code: 'permits', zh: '手续办理', en: 'Permits and procedures', children: [
    { code: 'permits.licences', zh: '证照办理', en: 'Licences' },
    { code: 'permits.household_registration', zh: '户籍证件', en: 'Household registration' },
    { code: 'permits.approvals', zh: '审批事项', en: 'Approvals' },
  ] },
  { code: 'other', zh: '其他', en: 'Other' },
];

const flatten = (nodes: readonly CategoryNode[]): CategoryNode[] => nodes.flatMap((n) => [n, ...flatten(n.children ?? [])]);
/** Every category of a tree, parents before their children. */
export const flattenCategories = flatten;

// ---- Actions ---------------------------------------------------------------------------------

export const ticketActions = [
  'dispatch', 'sign', 'start', 'resolve', 'fix_on_spot', 'return', 'transfer', 'add_assisting_unit',
  'request_extension', 'approve_extension', 'refuse_extension', 'rate', 'close', 'merge', 'supervise', 'reply_supervision',
] as const;
export const ticketAction = z.enum(ticketActions, { error: `操作应为 ${ticketActions.join(' / ')}` });
export type TicketAction = z.infer<typeof ticketAction>;
export const ticketActionLabels: Record<TicketAction, Label> = {
  dispatch: { zh: '交办', en: 'Dispatch' },
  sign: { zh: '签收', en: 'Sign for' },
  start: { zh: '开始办理', en: 'Start' },
  resolve: { zh: '办结', en: 'Resolve' },
  fix_on_spot: { zh: '即知即改', en: 'Fix on the spot' },
  return: { zh: '退回', en: 'Return' },
  transfer: { zh: '改派', en: 'Transfer' },
  add_assisting_unit: { zh: '增加协办单位', en: 'Add assisting unit' },
  request_extension: { zh: '申请延期', en: 'Request extension' },
  approve_extension: { zh: '批准延期', en: 'Approve extension' },
  refuse_extension: { zh: '驳回延期', en: 'Refuse extension' },
  rate: { zh: '评价', en: 'Rate' },
  close: { zh: '关闭（未评价）', en: 'Close unrated' },
  merge: { zh: '合并重复', en: 'Merge duplicate' },
  supervise: { zh: '督办', en: 'Supervise' },
  reply_supervision: { zh: '回复督办', en: 'Reply to supervision' },
};

/** Who acts: a signed-in role, the requester on the public page, or the scheduler. */
export type TicketActorRole = Role | 'public' | 'system';

/** The states each action may be taken from. */
export const ticketActionFrom: Record<TicketAction, readonly TicketState[]> = {
  dispatch: ['registered'],
  sign: ['dispatched'],
  start: ['signed', 'reopened'],
  resolve: ['signed', 'in_progress', 'reopened'],
  fix_on_spot: ['registered'],
  // A wrong dispatch is returned before the work starts.
  return: ['dispatched', 'signed'],
  transfer: ticketHeldStates,
  add_assisting_unit: ticketHeldStates,
  request_extension: ['signed', 'in_progress', 'reopened'],
  approve_extension: ['signed', 'in_progress', 'reopened'],
  refuse_extension: ['signed', 'in_progress', 'reopened'],
  rate: ['resolved'],
  close: ['resolved'],
  merge: ticketHandlingStates,
  supervise: ticketHandlingStates,
  reply_supervision: ticketHeldStates,
};

/**
 * The roles that may take each action. handling_dept and unit_leader act only on tickets their
 * own unit holds (the machine checks); fix_on_spot only by the cadre who found the problem.
 */
export const ticketActionRoles: Record<TicketAction, readonly TicketActorRole[]> = {
  dispatch: ['admin', 'hotline_operator'],
  sign: ['handling_dept', 'unit_leader'],
  start: ['handling_dept', 'unit_leader'],
  resolve: ['handling_dept', 'unit_leader'],
  fix_on_spot: ['cadre', 'unit_leader', 'leadership'],
  return: ['handling_dept', 'unit_leader'],
  transfer: ['admin', 'hotline_operator'],
  add_assisting_unit: ['admin', 'hotline_operator', 'unit_leader'],
  request_extension: ['handling_dept', 'unit_leader'],
  approve_extension: ['admin', 'supervisor'],
  refuse_extension: ['admin', 'supervisor'],
  // The requester on the public page, or an operator recording a telephone 回访.
  rate: ['public', 'hotline_operator'],
  // A resolved ticket nobody can rate (anonymous, unreachable) is closed unrated by the office or,
  // after the waiting time, by the scheduler.
  close: ['admin', 'hotline_operator', 'system'],
  merge: ['admin', 'hotline_operator'],
  supervise: ['supervisor', 'leadership', 'admin', 'system'],
  reply_supervision: ['handling_dept', 'unit_leader'],
};

// ---- Deadline policy -------------------------------------------------------------------------

const days = z.number().int('工作日数应为整数').min(0, '工作日数不能为负数').max(365, '工作日数最多365');

/** Deadline limits in working days (0 = the same working day). */
export const ticketDeadlinePolicy = z.strictObject({
  byType: z.strictObject({ consult: days, help: days, complaint: days, report: days, suggestion: days }),
  /** Limits that override the type's when shorter; normal urgency uses the type's limit. */
  byUrgency: z.strictObject({ urgent: days, critical: days }),
  /** The handling unit signs within this many working days of the dispatch. */
  signDays: z.number().int().min(0).max(30),
  /** A wrong dispatch may be returned within this many working days of the dispatch. */
  returnDays: z.number().int().min(0).max(30),
  /** The most working days one extension may add. */
  maxExtensionDays: z.number().int().min(1).max(365),
  /** Amber when the deadline is at most this many working days away. */
  dueSoonDays: z.number().int().min(0).max(30),
  /** Red 督办 once this many further working days have passed after the deadline. */
  longOverdueDays: z.number().int().min(1).max(365),
});
export type TicketDeadlinePolicy = z.infer<typeof ticketDeadlinePolicy>;

export const defaultTicketDeadlinePolicy: TicketDeadlinePolicy = {
  byType: { consult: 3, help: 5, complaint: 10, report: 10, suggestion: 15 },
  byUrgency: { urgent: 1, critical: 0 },
  signDays: 1,
  returnDays: 2,
  maxExtensionDays: 15,
  dueSoonDays: 1,
  longOverdueDays: 3,
};
