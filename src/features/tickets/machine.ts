import {
  defaultTicketDeadlinePolicy,
  ticketActionFrom,
  ticketActionLabels,
  ticketActionRoles,
  ticketActions,
  ticketStateLabels,
  type ClosureType,
  type SuperviseLevel,
  type TicketAction,
  type TicketActorRole,
  type TicketDeadlinePolicy,
  type TicketOutcome,
  type TicketRating,
  type TicketState,
  type TicketType,
  type TicketUrgency,
} from '../../../contracts/tickets.ts';
import { type ErrorCode } from '../../errors.ts';
import { extendedDeadline, handlingDeadline, signDeadline, withinReturnWindow } from './deadlines.ts';

// The ticket state machine, pure: given a ticket, a command and who gives it, either the changes to
// make and the event to record, or a typed refusal. No database, no clock (the caller passes now),
// so the API, the scheduler and the tests all share one set of rules. Which unit a caller may see
// at all is the API's business (out of scope = 404); here a handling_dept or unit_leader may act
// only on what their own unit holds.

/** What the machine needs to know of a ticket. */
export type TicketSnapshot = {
  id: number;
  state: TicketState;
  type: TicketType;
  urgency: TicketUrgency;
  handlingUnitId: number | null;
  /** The cadre who found the problem on a visit (may fix it on the spot). */
  foundByCadreId: number | null;
  dispatchedAt: Date | null;
  dueAt: Date | null;
  /** How many times an unsatisfied rating reopened it (at most once). */
  reopenCount: number;
  pendingExtension: { workingDays: number; requestedAt: Date } | null;
};

export type TicketActor = { role: TicketActorRole; unitId: number | null; cadreId: number | null };

export type TicketCommand =
  | { action: 'dispatch'; unitId: number; note?: string }
  | { action: 'sign'; note?: string }
  | { action: 'start'; note?: string }
  | { action: 'resolve'; closureType: ClosureType; reply: string }
  | { action: 'fix_on_spot'; closureType: ClosureType; reply: string }
  | { action: 'return'; reason: string }
  | { action: 'transfer'; unitId: number; reason: string }
  | { action: 'add_assisting_unit'; unitId: number; note?: string }
  | { action: 'request_extension'; workingDays: number; reason: string }
  | { action: 'approve_extension'; note?: string }
  | { action: 'refuse_extension'; reason: string }
  | { action: 'rate'; rating: TicketRating; comment?: string }
  | { action: 'close'; reason: string }
  | { action: 'merge'; intoTicketId: number; note?: string }
  | { action: 'supervise'; level: SuperviseLevel; note: string }
  | { action: 'reply_supervision'; note: string };

export type MachineContext = { now: Date; policy?: TicketDeadlinePolicy };

/** The changes to make to the ticket row (only the fields that change). */
export type TicketPatch = Partial<{
  state: TicketState;
  handlingUnitId: number | null;
  dispatchedAt: Date | null;
  dueAt: Date | null;
  signDueAt: Date | null;
  signedAt: Date | null;
  /** Resolved by the deadline (a ticket with no deadline, fixed on the spot, is on time). */
  resolvedOnTime: boolean | null;
  /** The deadline falls beyond the years the installed calendar knows (counted on weekends only). */
  dueBeyondCalendar: boolean;
  reopenCount: number;
  pendingExtension: TicketSnapshot['pendingExtension'];
  closureType: ClosureType | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  outcome: TicketOutcome | null;
  rating: TicketRating | null;
  mergedIntoId: number | null;
}>;

/** One immutable entry of the ticket's event log. */
export type TicketEvent = {
  action: TicketAction;
  from: TicketState;
  to: TicketState;
  actorRole: TicketActorRole;
  at: Date;
  note: string | null;
  /** Action-specific facts (unit, rating, level, old and new deadline …), for the timeline. */
  data: Record<string, unknown>;
};

export type Transition = { ok: true; state: TicketState; patch: TicketPatch; event: TicketEvent };

export type RefusalCode =
  | 'role_not_allowed'
  | 'not_handling_unit'
  | 'not_finder'
  | 'not_allowed_in_state'
  | 'return_window_passed'
  | 'extension_after_deadline'
  | 'extension_pending'
  | 'no_extension_pending'
  | 'invalid_input';

export type Refusal = {
  ok: false;
  code: RefusalCode;
  /** The AppError code the API throws: FORBIDDEN (403), CONFLICT (409) or VALIDATION_FAILED (400). */
  errorCode: Extract<ErrorCode, 'FORBIDDEN' | 'CONFLICT' | 'VALIDATION_FAILED'>;
  message: string;
  /** The actions this actor may take on the ticket as it stands. */
  allowed: TicketAction[];
  field?: string;
};

const errorCodeOf: Record<RefusalCode, Refusal['errorCode']> = {
  role_not_allowed: 'FORBIDDEN',
  not_handling_unit: 'FORBIDDEN',
  not_finder: 'FORBIDDEN',
  not_allowed_in_state: 'CONFLICT',
  return_window_passed: 'CONFLICT',
  extension_after_deadline: 'CONFLICT',
  extension_pending: 'CONFLICT',
  no_extension_pending: 'CONFLICT',
  invalid_input: 'VALIDATION_FAILED',
};

const fmtDay = (d: Date) =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(d);

type Check = { code: RefusalCode; message: string; field?: string } | null;

/** The input-independent rules: role, unit, finder, state, time windows, pending extension. */
function check(t: TicketSnapshot, action: TicketAction, actor: TicketActor, now: Date, policy: TicketDeadlinePolicy): Check {
  const label = ticketActionLabels[action].zh;
  if (!ticketActionRoles[action].includes(actor.role)) return { code: 'role_not_allowed', message: `您的角色无权${label}` };
  if (action === 'fix_on_spot') {
    if (t.foundByCadreId === null || actor.cadreId !== t.foundByCadreId) return { code: 'not_finder', message: '只有发现问题的干部本人可以即知即改' };
  } else if (actor.role === 'handling_dept' || actor.role === 'unit_leader') {
    if (t.handlingUnitId === null || actor.unitId !== t.handlingUnitId) return { code: 'not_handling_unit', message: `只有承办单位可以${label}` };
  }
  if (!ticketActionFrom[action].includes(t.state)) {
    return { code: 'not_allowed_in_state', message: `工单状态为「${ticketStateLabels[t.state].zh}」，不能${label}` };
  }
  switch (action) {
    case 'return':
      if (!t.dispatchedAt || !withinReturnWindow(t.dispatchedAt, now, policy)) {
        return { code: 'return_window_passed', message: `交办超过${policy.returnDays}个工作日，不能再退回；如交办有误请联系交办人改派` };
      }
      break;
    case 'request_extension':
      if (t.pendingExtension) return { code: 'extension_pending', message: '已有延期申请待审批' };
      if (t.dueAt && now.getTime() > t.dueAt.getTime()) {
        return { code: 'extension_after_deadline', message: `办理期限（${fmtDay(t.dueAt)}）已过，不能再申请延期` };
      }
      break;
    case 'approve_extension':
    case 'refuse_extension':
      if (!t.pendingExtension) return { code: 'no_extension_pending', message: '没有待审批的延期申请' };
      break;
  }
  return null;
}

/** The actions `actor` may take on the ticket now (what the UI offers; what a 409 lists). */
export function allowedActions(t: TicketSnapshot, actor: TicketActor, ctx: MachineContext): TicketAction[] {
  const policy = ctx.policy ?? defaultTicketDeadlinePolicy;
  return ticketActions.filter((a) => check(t, a, actor, ctx.now, policy) === null);
}

const text = (v: string | undefined) => (v?.trim() ? v.trim() : null);

/** Rules on the command's own input (reasons given, another unit, days in range …). */
function checkInput(t: TicketSnapshot, c: TicketCommand, policy: TicketDeadlinePolicy): Check {
  const required = (field: string, v: string | undefined, what: string): Check => (text(v) ? null : { code: 'invalid_input', field, message: `${what}不能为空` });
  switch (c.action) {
    case 'return':
      return required('reason', c.reason, '退回理由');
    case 'transfer':
      if (c.unitId === t.handlingUnitId) return { code: 'invalid_input', field: 'unitId', message: '改派的单位与当前承办单位相同' };
      return required('reason', c.reason, '改派理由');
    case 'add_assisting_unit':
      if (c.unitId === t.handlingUnitId) return { code: 'invalid_input', field: 'unitId', message: '协办单位不能是承办单位本身' };
      return null;
    case 'resolve':
    case 'fix_on_spot':
      return required('reply', c.reply, '答复内容');
    case 'request_extension':
      if (!Number.isInteger(c.workingDays) || c.workingDays < 1 || c.workingDays > policy.maxExtensionDays) {
        return { code: 'invalid_input', field: 'workingDays', message: `延期天数应为1至${policy.maxExtensionDays}个工作日` };
      }
      return required('reason', c.reason, '延期理由');
    case 'refuse_extension':
      return required('reason', c.reason, '驳回理由');
    case 'close':
      return required('reason', c.reason, '关闭理由');
    case 'merge':
      return c.intoTicketId === t.id ? { code: 'invalid_input', field: 'intoTicketId', message: '不能合并到工单自身' } : null;
    case 'supervise':
      return required('note', c.note, '督办意见');
    case 'reply_supervision':
      return required('note', c.note, '督办回复');
    default:
      return null;
  }
}

/**
 * Apply a command. Returns the new state, the fields to change and the event to record, or a
 * refusal naming why and listing the actions the actor may take instead.
 */
export function nextState(t: TicketSnapshot, command: TicketCommand, actor: TicketActor, ctx: MachineContext): Transition | Refusal {
  const policy = ctx.policy ?? defaultTicketDeadlinePolicy;
  const { now } = ctx;
  const refused = check(t, command.action, actor, now, policy) ?? checkInput(t, command, policy);
  if (refused) return { ok: false, ...refused, errorCode: errorCodeOf[refused.code], allowed: allowedActions(t, actor, ctx) };

  const go = (to: TicketState, patch: TicketPatch, note: string | null, data: Record<string, unknown> = {}): Transition => ({
    ok: true,
    state: to,
    patch: to === t.state ? patch : { state: to, ...patch },
    event: { action: command.action, from: t.state, to, actorRole: actor.role, at: now, note, data },
  });
  // A new handling round: dispatch, transfer, and the second round after an unsatisfied rating.
  const dispatchTo = (unitId: number) => {
    const due = handlingDeadline(t.type, t.urgency, now, policy);
    const patch: TicketPatch = {
      handlingUnitId: unitId, dispatchedAt: now, dueAt: due.dueAt, signDueAt: signDeadline(now, policy).dueAt, dueBeyondCalendar: due.beyondCalendar, pendingExtension: null,
    };
    return { patch, data: { unitId, dueAt: due.dueAt.toISOString(), dueBeyondCalendar: due.beyondCalendar } };
  };

  switch (command.action) {
    case 'dispatch': {
      const d = dispatchTo(command.unitId);
      return go('dispatched', d.patch, text(command.note), d.data);
    }
    case 'transfer': {
      const d = dispatchTo(command.unitId);
      return go('dispatched', d.patch, text(command.reason), { ...d.data, fromUnitId: t.handlingUnitId });
    }
    case 'sign':
      return go('signed', { signedAt: now }, text(command.note));
    case 'start':
      return go('in_progress', {}, text(command.note));
    case 'resolve':
    case 'fix_on_spot':
      return go('resolved', { closureType: command.closureType, resolvedAt: now, resolvedOnTime: t.dueAt === null || now.getTime() <= t.dueAt.getTime(), pendingExtension: null }, text(command.reply), { closureType: command.closureType });
    case 'return':
      return go(
        'registered',
        { handlingUnitId: null, dispatchedAt: null, dueAt: null, signDueAt: null, dueBeyondCalendar: false, pendingExtension: null },
        text(command.reason),
        { fromUnitId: t.handlingUnitId },
      );
    case 'add_assisting_unit':
      return go(t.state, {}, text(command.note), { unitId: command.unitId });
    case 'request_extension': {
      const pendingExtension = { workingDays: command.workingDays, requestedAt: now };
      return go(t.state, { pendingExtension }, text(command.reason), { workingDays: command.workingDays });
    }
    case 'approve_extension': {
      const ext = t.pendingExtension!;
      // A ticket without a deadline cannot be in a held state; dispatch always sets one.
      const due = extendedDeadline(t.dueAt ?? now, ext.workingDays);
      return go(t.state, { dueAt: due.dueAt, dueBeyondCalendar: due.beyondCalendar, pendingExtension: null }, text(command.note), {
        workingDays: ext.workingDays, fromDueAt: t.dueAt?.toISOString() ?? null, dueAt: due.dueAt.toISOString(),
      });
    }
    case 'refuse_extension':
      return go(t.state, { pendingExtension: null }, text(command.reason), { workingDays: t.pendingExtension!.workingDays });
    case 'rate': {
      const data = { rating: command.rating };
      if (command.rating !== 'unsatisfied' || t.reopenCount >= 1) {
        return go('closed', { rating: command.rating, outcome: command.rating, closedAt: now }, text(command.comment), data);
      }
      // Reopened once: back to the unit that handled it, with a fresh limit; a problem fixed on the
      // spot had no unit, so it goes back to the dispatcher.
      if (t.handlingUnitId === null) {
        return go('registered', { rating: command.rating, reopenCount: t.reopenCount + 1, resolvedAt: null, resolvedOnTime: null, closureType: null }, text(command.comment), data);
      }
      const d = dispatchTo(t.handlingUnitId);
      return go(
        'reopened',
        { rating: command.rating, reopenCount: t.reopenCount + 1, resolvedAt: null, resolvedOnTime: null, closureType: null, dueAt: d.patch.dueAt, dueBeyondCalendar: d.patch.dueBeyondCalendar },
        text(command.comment),
        { ...data, dueAt: d.data.dueAt },
      );
    }
    case 'close':
      return go('closed', { outcome: 'unrated', closedAt: now }, text(command.reason));
    case 'merge':
      return go('closed', { outcome: 'merged', mergedIntoId: command.intoTicketId, closedAt: now, pendingExtension: null }, text(command.note), {
        intoTicketId: command.intoTicketId,
      });
    case 'supervise':
      return go(t.state, {}, text(command.note), { level: command.level });
    case 'reply_supervision':
      return go(t.state, {}, text(command.note));
  }
}
