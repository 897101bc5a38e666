import { sql, type Selectable } from 'kysely';
import {
  defaultTicketDeadlinePolicy, ticketHandlingStates, type ClosureType, type TicketActorRole, type TicketDeadlinePolicy, type TicketRating,
  type TicketSource, type TicketType, type TicketUrgency,
} from '../../../contracts/tickets.ts';
import type { Executor } from '../../db/database.ts';
import type { TicketsTable } from '../../db/schema.ts';
import { chinaDate, isWorkingDay } from '../../lib/workdays.ts';
import { sealPhone, type PersonalDataKey, type SealedPhone } from '../../lib/personal-data.ts';
import { recordAudit } from '../audit/audit.ts';
import { createUser } from '../auth/accounts.ts';
import type { Actor } from '../auth/actor.ts';
import { chinaToday } from '../campaigns/campaigns.ts';
import { deadlineMark, longOverdueAt } from '../tickets/deadlines.ts';
import { nextState, type TicketCommand, type TicketSnapshot } from '../tickets/machine.ts';
import { derivedColumns, patchColumns } from '../tickets/tickets.ts';
import { makeNamer, seededRandom } from './names.ts';
import { categoryTexts, leafCategories, problemCategory, sourceLead, typeAsk } from './ticket-texts.ts';

// Tickets (工单) for the demo county, and the engine the benchmark's city tier shares: each ticket
// is registered and then driven through the real state machine (machine.ts nextState) with
// synthetic clocks — dispatch, sign (on time or late), returns and re-dispatch, transfers,
// assisting units, extensions, supervision at the deadline and after it (the scheduler's notices,
// some replied), resolution on time or late, ratings (an unsatisfied one reopens once), closing
// unrated, merging duplicates, 即知即改 — until the ticket's next step would fall after `now`.
// The row's columns come from the machine's patch and the same derivation the API uses
// (tickets.ts patchColumns / derivedColumns), so every ticket's event log replays to its state.
// Rows are built in memory and written in bulk (jsonb_to_recordset, thousands a statement).

type TicketRow = Selectable<TicketsTable>;
type Row = Partial<Record<keyof TicketRow, unknown>>;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const MIN = 60_000;

export type SimPerson = { userId: number | null; name: string };
export type SimOperator = SimPerson & { role: 'hotline_operator' | 'admin' };
export type SimFinder = SimPerson & { cadreId: number; unitPath: string; role: 'cadre' | 'unit_leader' };

/** A ticket as registered; the simulation decides the rest. */
export type TicketDraft = {
  id: number;
  trackingCode: string;
  source: TicketSource;
  type: TicketType;
  categoryCode: string;
  urgency: TicketUrgency;
  title: string;
  content: string;
  requesterTargetId: number | null;
  requesterName: string | null;
  requesterAnonymous: boolean;
  phone: SealedPhone | null;
  regionCode: string;
  regionPath: string;
  address: string;
  lat: number | null;
  lng: number | null;
  campaignId: number | null;
  activityId: number | null;
  /** The cadre who found it on a visit and registered it (may fix it on the spot). */
  finder: SimFinder | null;
  createdAt: Date;
  /** Who registered it when no finder did. */
  registeredBy: { role: TicketActorRole; person: SimPerson; unitPath: string | null };
  /** The unit that should handle it. */
  unitId: number;
  /** Merged into this earlier ticket (a duplicate). */
  duplicateOf: number | null;
  fixOnSpot: boolean;
  /** Left unresolved long past its deadline (the backlog a supervisor chases). */
  stall?: boolean;
  /** If an unsatisfied rating reopens it, the second round waits (the board shows reopened work). */
  stallSecondRound?: boolean;
  /** Registered in the last days and not yet dispatched (the operator's 待交办). */
  awaitDispatch?: boolean;
  /** Dispatched in the last days and not yet signed for (the unit's 待签收). */
  awaitSign?: boolean;
};

/** How often each turn of events happens (shares of the tickets that reach that point). */
export type SimRates = {
  wrongDispatchReturned: number; transferred: number; signLate: number; assisting: number; started: number; extension: number;
  extensionApproved: number; late: number; stalled: number; manualSupervision: number; supervisionReplied: number; rated: number;
  interim: number; procedural: number;
};
export const defaultSimRates: SimRates = {
  wrongDispatchReturned: 0.04, transferred: 0.03, signLate: 0.08, assisting: 0.08, started: 0.75, extension: 0.07, extensionApproved: 0.75,
  late: 0.12, stalled: 0.04, manualSupervision: 0.04, supervisionReplied: 0.65, rated: 0.82, interim: 0.08, procedural: 0.05,
};

export type SimWorld = {
  now: Date;
  policy: TicketDeadlinePolicy;
  random: () => number;
  rates: SimRates;
  unitPath: (unitId: number) => string;
  unitName: (unitId: number) => string;
  /** The person who acts for a unit on tickets (handling_dept). */
  staff: (unitId: number) => SimPerson;
  /** Another unit, for a wrong dispatch, a transfer or an assisting unit. */
  otherUnit: (unitId: number) => number;
  /** Who dispatches, transfers, merges and calls back: the hotline or the office. */
  operator: () => SimOperator;
  supervisor: SimPerson;
  nextSupervisionId: () => number;
  trackingCodeOf: (ticketId: number) => string;
  /** Accounts notified for a unit (its handling-department accounts), and the supervisors. */
  unitUsers: (unitId: number) => number[];
  supervisorUsers: number[];
};

export type EventRow = {
  ticket_id: number; seq: number; action: string; from_state: string | null; to_state: string; actor_user_id: number | null; actor_role: string;
  actor_name: string; at: Date; note: string | null; data: Record<string, unknown>;
};
export type SupervisionRow = {
  id: number; ticket_id: number; level: 'yellow' | 'red'; automatic: boolean; due_at: Date | null; note: string; issued_by: number | null; issued_at: Date;
  reply: string | null; replied_by: number | null; replied_at: Date | null;
};
export type AssistingRow = { ticket_id: number; unit_id: number; unit_path: string; added_at: Date };
export type NotificationRow = { user_id: number; kind: string; title: string; body: string; ticket_id: number; link: string; dedupe_key: string; created_at: Date; read_at: Date | null };
export type SimTicket = { row: Row; events: EventRow[]; supervisions: SupervisionRow[]; assisting: AssistingRow[]; notifications: NotificationRow[] };

// ── Time ─────────────────────────────────────────────────────────────────────────────────────

const chinaMinutes = (d: Date) => Math.floor(((d.getTime() + 8 * HOUR) % DAY) / MIN);
const chinaAt = (date: string, minutes: number) => new Date(Date.parse(`${date}T00:00:00+08:00`) + minutes * MIN);
const shiftDate = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
function nextWorkingDate(date: string) {
  let d = shiftDate(date, 1);
  while (!isWorkingDay(d)) d = shiftDate(d, 1);
  return d;
}

function clock(random: () => number) {
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);
  /** The instant itself in office hours (08:30–17:30 on a working day), else the next morning. */
  const atWork = (t: Date): Date => {
    const day = chinaDate(t);
    const m = chinaMinutes(t);
    if (isWorkingDay(day) && m >= 510 && m < 1050) return t;
    const next = isWorkingDay(day) && m < 510 ? day : nextWorkingDate(day);
    return chinaAt(next, 510 + Math.floor(between(0, 90)));
  };
  /** Some office hours after t. */
  const workLater = (t: Date, minHours: number, maxHours: number) => atWork(new Date(t.getTime() + between(minHours, maxHours) * HOUR));
  /** An instant between a and b (a when b ≤ a). */
  const within = (a: Date, b: Date) => new Date(a.getTime() + Math.max(0, b.getTime() - a.getTime()) * random());
  /** About n working days after t (calendar days ≈ 1.4 × working days). */
  const workingDaysLater = (t: Date, n: number) => atWork(new Date(t.getTime() + n * 1.4 * DAY));
  return { between, atWork, workLater, within, workingDaysLater };
}

// ── One ticket's life ────────────────────────────────────────────────────────────────────────

const closureReply: Record<ClosureType, (done: string) => string> = {
  substantive: (done) => `经核实，${done}，问题已解决，已电话告知诉求人。`,
  interim: (done) => `经核实，${done}；其余事项已列入整改计划，分步实施，阶段性进展已告知诉求人。`,
  procedural: () => '经核实，所反映事项需通过法定程序解决（或不属于本单位职能），已向诉求人解释政策并告知办理途径。',
};

/** Drives one ticket from registration through the machine until its next step would fall after `now`. */
export function simulateTicket(d: TicketDraft, w: SimWorld, stateOf: (ticketId: number, at: Date) => string | null = () => null): SimTicket {
  const { random, rates, now, policy } = w;
  const chance = (p: number) => random() < p;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const c = clock(random);
  const texts = categoryTexts[d.categoryCode] ?? categoryTexts.other!;
  const registrar = d.finder ? { role: d.finder.role as TicketActorRole, person: d.finder as SimPerson, unitPath: d.finder.unitPath } : d.registeredBy;

  const row: Row = {
    id: d.id, tracking_code: d.trackingCode, source: d.source, type: d.type, category_code: d.categoryCode, urgency: d.urgency, title: d.title, content: d.content,
    requester_target_id: d.requesterTargetId, requester_name: d.requesterAnonymous ? null : d.requesterName, requester_anonymous: d.requesterAnonymous,
    requester_phone_enc: d.phone?.phone_enc ?? null, requester_phone_masked: d.phone?.phone_masked ?? null, requester_phone_hash: d.phone?.phone_hash ?? null,
    region_code: d.regionCode, region_path: d.regionPath, address: d.address, lat: d.lat, lng: d.lng, campaign_id: d.campaignId, activity_id: d.activityId,
    found_by_cadre_id: d.finder?.cadreId ?? null, finder_unit_path: registrar.unitPath, handling_unit_id: null, handling_unit_path: null, state: 'registered',
    first_dispatched_at: null, dispatched_at: null, sign_due_at: null, signed_at: null, due_at: null, due_beyond_calendar: false, pending_extension_days: null,
    pending_extension_at: null, extension_count: 0, closure_type: null, reply: null, resolved_at: null, resolved_on_time: null, handling_working_days: null,
    rating: null, rating_comment: null, rated_at: null, outcome: null, closed_at: null, reopen_count: 0, merged_into_id: null, repeat_of_id: null,
    deadline_mark: 'on_time', created_by: registrar.person.userId, created_at: d.createdAt, updated_at: d.createdAt, version: 1,
  };
  const events: EventRow[] = [{
    ticket_id: d.id, seq: 1, action: 'register', from_state: null, to_state: 'registered', actor_user_id: registrar.person.userId, actor_role: registrar.role,
    actor_name: registrar.person.name, at: d.createdAt, note: null,
    data: { source: d.source, type: d.type, categoryCode: d.categoryCode, urgency: d.urgency, repeatOfId: null },
  }];
  const supervisions: SupervisionRow[] = [];
  const assisting: AssistingRow[] = [];
  const notifications: NotificationRow[] = [];
  const snap = (): TicketSnapshot => ({
    id: d.id, state: row.state as TicketSnapshot['state'], type: d.type, urgency: d.urgency, handlingUnitId: row.handling_unit_id as number | null,
    foundByCadreId: d.finder?.cadreId ?? null, dispatchedAt: row.dispatched_at as Date | null, dueAt: row.due_at as Date | null, reopenCount: row.reopen_count as number,
    pendingExtension: row.pending_extension_days === null ? null : { workingDays: row.pending_extension_days as number, requestedAt: row.pending_extension_at as Date },
  });
  let t = d.createdAt;
  let stopped = false;
  const notify = (users: number[], at: Date, kind: string, title: string, body: string, eventSeq: number) => {
    for (const user_id of users) {
      notifications.push({
        user_id, kind, title, body, ticket_id: d.id, link: `/tickets/${d.id}`, dedupe_key: `demo:${d.id}:${eventSeq}`, created_at: at,
        read_at: now.getTime() - at.getTime() > 3 * DAY ? new Date(at.getTime() + c.between(0.2, 30) * HOUR) : null,
      });
    }
  };

  /** One command at `at` by `who`; false (and the ticket stops here) once `at` is after now. */
  const act = (command: TicketCommand, role: TicketActorRole, who: SimPerson, at: Date, opts: { system?: boolean } = {}): boolean => {
    if (stopped) return false;
    if (at.getTime() < t.getTime()) at = t;
    if (at.getTime() > now.getTime()) {
      stopped = true;
      return false;
    }
    const unitId = role === 'handling_dept' || role === 'unit_leader' ? (row.handling_unit_id as number | null) : null;
    const tr = nextState(snap(), command, { role, unitId, cadreId: d.finder && role === d.finder.role ? d.finder.cadreId : null }, { now: at, policy });
    if (!tr.ok) throw new Error(`demo ticket ${d.id}: ${command.action} at ${at.toISOString()} refused (${tr.code}): ${tr.message}`);
    const data: Record<string, unknown> = { ...tr.event.data };
    let unitPath: string | null = null;
    if (command.action === 'dispatch' || command.action === 'transfer' || command.action === 'add_assisting_unit') {
      unitPath = w.unitPath(command.unitId);
      data.unitName = w.unitName(command.unitId);
      if (command.action === 'add_assisting_unit') assisting.push({ ticket_id: d.id, unit_id: command.unitId, unit_path: unitPath, added_at: at });
    } else if (tr.patch.handlingUnitId) {
      unitPath = row.handling_unit_path as string | null;
    }
    if (command.action === 'merge') data.intoTrackingCode = w.trackingCodeOf(command.intoTicketId);
    if (command.action === 'supervise') {
      const id = w.nextSupervisionId();
      supervisions.push({
        id, ticket_id: d.id, level: command.level, automatic: opts.system === true, due_at: row.due_at as Date | null, note: command.note, issued_by: who.userId, issued_at: at,
        reply: null, replied_by: null, replied_at: null,
      });
      if (opts.system) Object.assign(data, { automatic: true, dueAt: row.due_at });
      data.supervisionId = id;
    }
    if (command.action === 'reply_supervision') {
      const open = supervisions.filter((s) => s.replied_at === null).at(-1)!;
      Object.assign(open, { reply: command.note, replied_by: who.userId, replied_at: at });
      data.supervisionId = open.id;
    }
    Object.assign(row, patchColumns(tr.patch), derivedColumns(row as TicketRow, command, tr, at, policy, unitPath), { updated_at: at, version: (row.version as number) + 1 });
    const seq = events.length + 1;
    events.push({
      ticket_id: d.id, seq, action: command.action, from_state: tr.event.from, to_state: tr.event.to, actor_user_id: who.userId, actor_role: role, actor_name: who.name,
      at, note: tr.event.note, data,
    });
    const newUnit = tr.patch.handlingUnitId;
    if (newUnit && (command.action === 'dispatch' || command.action === 'transfer' || command.action === 'rate')) {
      notify(w.unitUsers(newUnit), at, command.action === 'rate' ? 'ticket.reopened' : 'ticket.dispatched',
        command.action === 'rate' ? `工单 ${d.trackingCode} 群众不满意，已重办` : `新交办工单 ${d.trackingCode}：${d.title}`,
        tr.patch.dueAt ? `办理期限 ${tr.patch.dueAt.toISOString()}` : '', seq);
    }
    if (command.action === 'add_assisting_unit') notify(w.unitUsers(command.unitId), at, 'ticket.assisting', `请协办工单 ${d.trackingCode}：${d.title}`, '', seq);
    if (command.action === 'supervise' && row.handling_unit_id) {
      const users = opts.system ? [...w.unitUsers(row.handling_unit_id as number), ...w.supervisorUsers] : w.unitUsers(row.handling_unit_id as number);
      notify(users, at, opts.system ? 'ticket_supervision' : `ticket.supervised.${command.level}`,
        `${command.level === 'red' ? '红色' : '黄色'}督办：${d.title}`, command.note, seq);
    }
    t = at;
    return true;
  };
  const operator = w.operator();
  const system: SimPerson = { userId: null, name: '系统' };

  // A handling round from a dispatched (or reopened) ticket to its resolution.
  const handle = (unitId: number): boolean => {
    const staff = w.staff(unitId);
    if (row.state === 'dispatched' && d.awaitSign) return false;
    if (row.state === 'dispatched') {
      const signDue = row.sign_due_at as Date;
      let signAt: Date;
      if (chance(rates.signLate)) signAt = c.workLater(signDue, 1, 40);
      else {
        const planned = c.within(new Date(t.getTime() + 10 * MIN), new Date(Math.min(signDue.getTime(), t.getTime() + 6 * HOUR)));
        signAt = c.atWork(planned) <= signDue ? c.atWork(planned) : planned;
      }
      if (!act({ action: 'sign' }, 'handling_dept', staff, signAt)) return false;
    }
    if (chance(rates.assisting) && !assisting.length) {
      const other = w.otherUnit(unitId);
      if (!act({ action: 'add_assisting_unit', unitId: other, note: `请${w.unitName(other)}配合办理` }, operator.role, operator, c.workLater(t, 1, 20))) return false;
    }
    const reopened = row.state === 'reopened';
    if (((reopened && !d.stallSecondRound && chance(0.5)) || (row.state === 'signed' && chance(rates.started)))
      && !act({ action: 'start', note: reopened ? '群众不满意，重新办理' : '已安排专人办理' }, 'handling_dept', staff, c.workLater(t, 0.3, 16))) return false;

    // When it will be resolved: on time, a little late, or stalled long past the deadline.
    // A second round after an unsatisfied rating is the hard case: more often late.
    const fate = d.stall || (reopened && d.stallSecondRound) || chance(rates.stalled) ? 'stalled' : chance(reopened ? rates.late * 3 : rates.late) ? 'late' : 'on_time';
    const side: { at: Date; run: () => boolean }[] = [];
    let due = row.due_at as Date;
    if (fate !== 'on_time' || chance(rates.extension)) {
      const askAt = c.within(new Date(t.getTime() + HOUR), new Date(due.getTime() - 2 * HOUR));
      if (askAt < due && chance(fate === 'on_time' ? 1 : rates.extension * 3)) {
        const days = 1 + Math.floor(random() * 10);
        const decideAt = c.workLater(askAt, 1, 12);
        const approve = chance(rates.extensionApproved);
        if (!act({ action: 'request_extension', workingDays: days, reason: '涉及多个部门协调，需现场勘查并制定方案，申请延期办理' }, 'handling_dept', staff, askAt)) return false;
        if (approve) {
          if (!act({ action: 'approve_extension', note: '同意延期，请抓紧办理' }, 'supervisor', w.supervisor, decideAt)) return false;
          due = row.due_at as Date;
        } else if (!act({ action: 'refuse_extension', reason: '事项不复杂，请在原期限内办结' }, 'supervisor', w.supervisor, decideAt)) return false;
      }
    }
    const resolveAt = fate === 'on_time'
      ? c.within(new Date(t.getTime() + 30 * MIN), new Date(due.getTime() - 30 * MIN))
      : fate === 'late' ? c.workingDaysLater(due, c.between(0.3, 4)) : c.workingDaysLater(due, c.between(4, 25));
    const finalAt = resolveAt.getTime() <= t.getTime() ? new Date(t.getTime() + 20 * MIN) : resolveAt;
    const reply = (at: Date) => {
      if (chance(rates.supervisionReplied)) {
        const replyAt = c.workLater(at, 1, 20);
        if (replyAt < finalAt) side.push({ at: replyAt, run: () => act({ action: 'reply_supervision', note: '已收到督办，正在加紧办理，预计近期办结' }, 'handling_dept', staff, replyAt) });
      }
    };
    if (chance(rates.manualSupervision)) {
      const at = c.within(t, finalAt);
      side.push({ at, run: () => act({ action: 'supervise', level: 'yellow', note: '群众反映强烈，请加快办理并及时回复' }, 'supervisor', w.supervisor, at) });
      reply(at);
    }
    if (finalAt > due) {
      // The scheduler's notices: yellow at the deadline, red after the further working days.
      const day = chinaDate(due);
      const yellowAt = new Date(due.getTime() + 5 * MIN);
      side.push({ at: yellowAt, run: () => act({ action: 'supervise', level: 'yellow', note: `已超过办理期限（${day}）仍未办结，系统自动黄色督办` }, 'system', system, yellowAt, { system: true }) });
      reply(yellowAt);
      const redAt = new Date(longOverdueAt(due, policy.longOverdueDays).getTime() + 5 * MIN);
      if (finalAt > redAt) {
        side.push({ at: redAt, run: () => act({ action: 'supervise', level: 'red', note: `超过办理期限（${day}）${policy.longOverdueDays}个工作日仍未办结，系统自动红色督办` }, 'system', system, redAt, { system: true }) });
        reply(redAt);
      }
    }
    side.sort((a, b) => a.at.getTime() - b.at.getTime());
    for (const s of side) if (!s.run()) return false;
    const closureType: ClosureType = chance(rates.procedural) ? 'procedural' : chance(rates.interim) ? 'interim' : 'substantive';
    if (!act({ action: 'resolve', closureType, reply: closureReply[closureType](pick(texts.done)) }, 'handling_dept', staff, finalAt)) return false;
    // The scheduler's last pass before the resolution left this mark; resolved tickets keep it.
    row.deadline_mark = deadlineMark(due, t, policy);
    return true;
  };

  // The requester's say: rated (an unsatisfied rating reopens once), or closed unrated.
  const conclude = (): boolean => {
    const reachable = !d.requesterAnonymous && (d.phone !== null || d.requesterTargetId !== null);
    if (!reachable) {
      return act({ action: 'close', reason: d.requesterAnonymous ? '匿名诉求，无法回访，已办结归档' : '无具体诉求人，办结后归档' }, operator.role, operator, c.workLater(t, 4, 48));
    }
    if (!chance(rates.rated)) return act({ action: 'close', reason: '超过评价期限未评价，系统自动关闭' }, 'system', system, c.workingDaysLater(t, 7.5));
    const late = row.resolved_on_time === false;
    const unsatisfied = (row.handling_unit_id !== null) && chance(0.08 + (late ? 0.15 : 0) + (row.closure_type === 'substantive' ? 0 : 0.12) + (row.reopen_count ? 0.1 : 0));
    const rating: TicketRating = unsatisfied ? 'unsatisfied' : chance(0.75) ? 'satisfied' : 'basically_satisfied';
    const byPhone = chance(0.6);
    const comment = { satisfied: '办得很快，非常满意，谢谢！', basically_satisfied: '问题基本解决，希望以后再快一点。', unsatisfied: '问题没有真正解决，敷衍了事。' }[rating];
    const at = byPhone ? c.workLater(t, 3, 72) : new Date(t.getTime() + c.between(2, 96) * HOUR);
    const caller = w.operator();
    const ok = act({ action: 'rate', rating, ...(chance(0.6) ? { comment } : {}) }, byPhone ? 'hotline_operator' : 'public', byPhone ? { userId: caller.userId, name: caller.name } : { userId: null, name: '诉求人' }, at);
    if (!ok || row.state !== 'reopened') return ok;
    return handle(row.handling_unit_id as number) && conclude();
  };

  (() => {
    if (d.duplicateOf !== null) {
      // Merged only into a ticket still open at the time; otherwise handled on its own.
      const at = c.workLater(t, 0.2, 3);
      if (stateOf(d.duplicateOf, at) !== 'closed') {
        act({ action: 'merge', intoTicketId: d.duplicateOf, note: '同一诉求人重复反映同一事项，合并办理' }, operator.role, operator, at);
        return;
      }
    }
    if (d.fixOnSpot && d.finder) {
      if (!act({ action: 'fix_on_spot', closureType: 'substantive', reply: `${pick(texts.done)}，现场解决，群众认可。` }, d.finder.role, d.finder, new Date(t.getTime() + c.between(5, 40) * MIN))) return;
      conclude();
      return;
    }
    if (d.awaitDispatch) return;
    const hotline = d.source === 'hotline';
    const dispatchAt = hotline ? t : c.workLater(t, 0.3, 16);
    const dispatcher = operator;
    const role = dispatcher.role;
    if (chance(rates.wrongDispatchReturned)) {
      const wrong = w.otherUnit(d.unitId);
      if (!act({ action: 'dispatch', unitId: wrong }, role, dispatcher, dispatchAt)) return;
      if (!act({ action: 'return', reason: '所反映事项不属于本单位职责，请改派' }, 'handling_dept', w.staff(wrong), c.workLater(t, 0.5, 8))) return;
      if (!act({ action: 'dispatch', unitId: d.unitId, note: '退回后重新交办' }, role, dispatcher, c.workLater(t, 0.3, 4))) return;
    } else if (chance(rates.transferred)) {
      const first = w.otherUnit(d.unitId);
      if (!act({ action: 'dispatch', unitId: first }, role, dispatcher, dispatchAt)) return;
      if (!act({ action: 'sign' }, 'handling_dept', w.staff(first), c.workLater(t, 0.2, 5))) return;
      if (!act({ action: 'transfer', unitId: d.unitId, reason: '经会商，改由主责单位办理' }, role, dispatcher, c.workLater(t, 2, 24))) return;
    } else if (!act({ action: 'dispatch', unitId: d.unitId }, role, dispatcher, dispatchAt)) return;
    if (handle(d.unitId)) conclude();
  })();

  // Waiting for handling: the mark the scheduler's pass keeps as of now.
  if ((ticketHandlingStates as readonly string[]).includes(row.state as string) && row.due_at) row.deadline_mark = deadlineMark(row.due_at as Date, now, policy);
  return { row, events, supervisions, assisting, notifications };
}

// ── Writing in bulk ──────────────────────────────────────────────────────────────────────────

const ticketColumns = `id int, tracking_code text, source text, type text, category_code text, urgency text, title text, content text,
  requester_target_id int, requester_name text, requester_anonymous boolean, requester_phone_enc text, requester_phone_masked text, requester_phone_hash text,
  region_code text, region_path text, address text, lat float8, lng float8, campaign_id int, activity_id int, found_by_cadre_id int, finder_unit_path text,
  handling_unit_id int, handling_unit_path text, state text, first_dispatched_at timestamptz, dispatched_at timestamptz, sign_due_at timestamptz,
  signed_at timestamptz, due_at timestamptz, due_beyond_calendar boolean, pending_extension_days int, pending_extension_at timestamptz, extension_count int,
  closure_type text, reply text, resolved_at timestamptz, resolved_on_time boolean, handling_working_days int, rating text, rating_comment text,
  rated_at timestamptz, outcome text, closed_at timestamptz, reopen_count int, merged_into_id int, repeat_of_id int, deadline_mark text, created_by int,
  created_at timestamptz, updated_at timestamptz, version int`;
const eventColumns = 'ticket_id int, seq int, action text, from_state text, to_state text, actor_user_id int, actor_role text, actor_name text, at timestamptz, note text, data jsonb';
const supervisionColumns = 'id int, ticket_id int, level text, automatic boolean, due_at timestamptz, note text, issued_by int, issued_at timestamptz, reply text, replied_by int, replied_at timestamptz';
const assistingColumns = 'ticket_id int, unit_id int, unit_path text, added_at timestamptz';
const notificationColumns = 'user_id int, kind text, title text, body text, ticket_id int, link text, dedupe_key text, created_at timestamptz, read_at timestamptz';

/** Inserts rows given as objects through jsonb_to_recordset: one parameter a batch, fast on PGlite as on PostgreSQL. */
export async function bulkInsert(db: Executor, table: string, columns: string, rows: object[], size = 4000): Promise<void> {
  const names = sql.raw(columns.split(',').map((col) => col.trim().split(/\s+/)[0]).join(', '));
  for (let i = 0; i < rows.length; i += size) {
    await sql`insert into ${sql.table(table)} (${names}) select ${names} from jsonb_to_recordset(${JSON.stringify(rows.slice(i, i + size))}::jsonb) as x(${sql.raw(columns)})`.execute(db);
  }
}

/** Writes simulated tickets (ids chosen by the caller) with their events, supervisions, assisting units and notifications. */
export async function writeTickets(db: Executor, sims: SimTicket[], opts: { batch?: number } = {}): Promise<{ tickets: number; events: number; supervisions: number; notifications: number }> {
  const size = opts.batch ?? 4000;
  await bulkInsert(db, 'tickets', ticketColumns, sims.map((s) => s.row), size);
  const events = sims.flatMap((s) => s.events);
  await bulkInsert(db, 'ticket_events', eventColumns, events, size * 2);
  const supervisions = sims.flatMap((s) => s.supervisions);
  await bulkInsert(db, 'ticket_supervisions', supervisionColumns, supervisions, size * 2);
  await bulkInsert(db, 'ticket_assisting_units', assistingColumns, sims.flatMap((s) => s.assisting), size * 2);
  const notifications = sims.flatMap((s) => s.notifications);
  await bulkInsert(db, 'notifications', notificationColumns, notifications, size * 2);
  for (const table of ['tickets', 'ticket_supervisions']) {
    await sql`select setval(pg_get_serial_sequence(${table}, 'id'), greatest((select max(id) from ${sql.table(table)}), 1))`.execute(db);
  }
  return { tickets: sims.length, events: events.length, supervisions: supervisions.length, notifications: notifications.length };
}

/**
 * Sets repeat_of_id as createTicket does: the latest earlier ticket (within 30 days, the same
 * category) of the same requester (phone or contact target). Drafts must be in creation order.
 */
export function markRepeats(drafts: TicketDraft[]): Map<number, number> {
  const repeats = new Map<number, number>();
  const last = new Map<string, { id: number; at: number }[]>();
  for (const d of drafts) {
    const keys = [d.phone ? `p:${d.phone.phone_hash}` : null, d.requesterTargetId ? `t:${d.requesterTargetId}` : null].filter((k): k is string => k !== null).map((k) => `${k}|${d.categoryCode}`);
    let best: { id: number; at: number } | null = null;
    for (const k of keys) {
      const prev = last.get(k)?.at(-1);
      if (prev && prev.at >= d.createdAt.getTime() - 30 * DAY && (!best || prev.at > best.at)) best = prev;
    }
    if (best) repeats.set(d.id, best.id);
    for (const k of keys) last.set(k, [...(last.get(k) ?? []).slice(-3), { id: d.id, at: d.createdAt.getTime() }]);
  }
  return repeats;
}

/** Simulates every draft (in creation order) with the repeat links of createTicket. */
export function simulateAll(drafts: TicketDraft[], w: SimWorld): SimTicket[] {
  const repeats = markRepeats(drafts);
  const eventsOf = new Map<number, EventRow[]>();
  const stateOf = (id: number, at: Date) => {
    let state: string | null = null;
    for (const e of eventsOf.get(id) ?? []) if (e.at.getTime() <= at.getTime()) state = e.to_state;
    return state;
  };
  return drafts.map((d) => {
    const sim = simulateTicket(d, w, stateOf);
    eventsOf.set(d.id, sim.events);
    const repeatOf = repeats.get(d.id) ?? null;
    sim.row.repeat_of_id = repeatOf;
    sim.events[0]!.data.repeatOfId = repeatOf;
    return sim;
  });
}

const codeAlphabet = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Tracking codes in the API's form (LX + 8 characters), drawn from a seeded generator, distinct. */
export function trackingCodes(random: () => number, n: number): string[] {
  const seen = new Set<string>();
  while (seen.size < n) seen.add(`LX${Array.from({ length: 8 }, () => codeAlphabet[Math.floor(random() * codeAlphabet.length)]).join('')}`);
  return [...seen];
}

/** A title and content for a category, from the words in ticket-texts.ts. */
export function ticketText(random: () => number, category: string, source: TicketSource, type: TicketType, place: string) {
  const texts = categoryTexts[category] ?? categoryTexts.other!;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const title = pick(texts.titles).replace('{p}', place);
  return { title, content: `${sourceLead[source]}${place ? `${place}，` : ''}${pick(texts.details)}${typeAsk[type]}` };
}

/** A type usual for the category. */
export const typeFor = (random: () => number, category: string): TicketType => {
  const types = (categoryTexts[category] ?? categoryTexts.other!).types;
  return types[Math.floor(random() * types.length)]!;
};

// ── The demo county ──────────────────────────────────────────────────────────────────────────

/** Categories and the county department (by unit code suffix) that handles them; the rest go to the township. */
const departmentFor: Record<string, string> = {
  employment: 'RSJ', 'social_security.pension': 'RSJ', 'social_security.medical_insurance': 'RSJ', 'social_security.assistance': 'MZJ',
  'social_security.elderly_disabled': 'MZJ', education: 'JYJ', medical: 'WSJ', housing: 'ZJJ', 'housing.demolition': 'ZRJ', 'infrastructure.roads': 'JTJ',
  'infrastructure.water': 'SLJ', 'infrastructure.power': 'JXJ', 'infrastructure.network': 'JXJ', 'infrastructure.lighting': 'ZJJ', environment: 'NYJ',
  'public_order.disputes': 'ZFW', 'public_order.security': 'ZFW', 'public_order.fraud': 'ZFW', 'enterprise.financing': 'CZJ', 'enterprise.land': 'ZRJ',
  'enterprise.policy': 'JXJ', 'enterprise.arrears': 'FGJ', 'permits.licences': 'SCJ', 'permits.household_registration': 'ZFB', 'permits.approvals': 'FGJ', other: 'XFJ',
};
const deptOf = (category: string) => departmentFor[category] ?? departmentFor[category.split('.')[0]!] ?? 'XFJ';
/** Share of each top category handled by the township (属地) rather than the county department. */
const localShare: Record<string, number> = {
  environment: 0.7, infrastructure: 0.45, public_order: 0.6, housing: 0.3, social_security: 0.35, other: 0.5, employment: 0.15, education: 0.1,
  medical: 0.2, enterprise: 0.15, permits: 0.1,
};
/** How common each top category is among requests. */
const categoryWeight: Record<string, number> = {
  infrastructure: 16, environment: 12, social_security: 12, housing: 10, employment: 9, public_order: 8, medical: 7, education: 6, enterprise: 7, permits: 7, other: 6,
};

export type DemoTicketsResult = {
  tickets: number; events: number; supervisions: number; linkedProblems: number;
  byState: Record<string, number>;
  logins: { hotline: string; handler: { username: string; unitName: string }; supervisor: string };
  ms: number;
  simulateMs: number;
};

/** The demo county's tickets since the campaign began, and the hotline, handler and supervisor logins (same password as admin). */
export async function loadDemoTickets(
  tx: Executor, actor: Actor, key: PersonalDataKey,
  opts: { campaignId: number; officeUserId: number; password: string; today?: string; now?: Date; perYear?: number },
): Promise<DemoTicketsResult> {
  const started = performance.now();
  const random = seededRandom(20260321);
  const namer = makeNamer(random);
  const chance = (p: number) => random() < p;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const today = opts.today ?? chinaToday();
  const now = opts.now ?? (today === chinaToday() ? new Date() : chinaAt(today, 12 * 60));

  const campaign = await tx.selectFrom('campaigns').select(['id', 'starts_on', 'region_code', 'region_path']).where('id', '=', opts.campaignId).executeTakeFirstOrThrow();
  const policy = await (async () => {
    const r = await tx.selectFrom('ticket_settings').select('policy').where('id', '=', 1).executeTakeFirst();
    return (r?.policy as TicketDeadlinePolicy | undefined) ?? defaultTicketDeadlinePolicy;
  })();
  const units = await tx.selectFrom('units').select(['id', 'code', 'name', 'path', 'level', 'region_code', 'parent_id']).orderBy('id').execute();
  const unitById = new Map(units.map((u) => [u.id, u]));
  const deptByCode = new Map(units.filter((u) => u.level === 'county' && u.parent_id !== null).map((u) => [u.code.replace(/^XS-/, ''), u]));
  const townshipUnit = new Map(units.filter((u) => u.level === 'township').map((u) => [u.region_code, u]));
  const departments = [...deptByCode.values()];
  const villages = await tx.selectFrom('regions').select(['code', 'name', 'path', 'parent_code']).where('level', '=', 'village').where('path', 'like', `${campaign.region_path}/%`).orderBy('code').execute();
  const targets = await tx.selectFrom('contact_targets').select(['id', 'kind', 'name', 'region_code', 'region_path', 'address', 'latitude', 'longitude', 'phone_enc', 'phone_masked', 'phone_hash', 'attrs'])
    .where('kind', 'in', ['household', 'enterprise', 'village', 'community']).orderBy('id').execute();
  const households = targets.filter((t) => t.kind === 'household');
  const enterprises = targets.filter((t) => t.kind === 'enterprise');
  const placeOf = new Map(targets.filter((t) => t.kind === 'village' || t.kind === 'community').map((t) => [t.region_code, t]));
  const villageOf = new Map(villages.map((v) => [v.code, v]));

  // The accounts: a hotline operator, a handling department, a supervisor over the county. The
  // first goes through createUser (checks, audit); the others share its password hash, as they
  // share its password, which saves two deliberately slow hashings.
  const county = campaign.region_code;
  const hotlineUser = await createUser(tx, actor, { username: 'hotline', displayName: `热线话务员${namer.name()}`, password: opts.password, role: 'hotline_operator', regionCode: county });
  const hotline = { id: hotlineUser.id, displayName: hotlineUser.displayName };
  const { password_hash } = await tx.selectFrom('users').select('password_hash').where('id', '=', hotline.id).executeTakeFirstOrThrow();
  const handlerUnit = deptByCode.get('ZJJ')!;
  const sharing = async (u: { username: string; display_name: string; role: 'supervisor' | 'handling_dept'; region_code: string | null; unit_id: number | null }) => {
    const r = await tx.insertInto('users').values({ ...u, password_hash, cadre_id: null }).returning(['id', 'display_name']).executeTakeFirstOrThrow();
    await recordAudit(tx, actor, { action: 'user.create', entity: 'user', entityId: r.id, detail: { username: u.username, role: u.role, regionCode: u.region_code, unitId: u.unit_id } });
    return { id: r.id, displayName: r.display_name };
  };
  const supervisor = await sharing({ username: 'supervisor', display_name: `督查室${namer.name()}`, role: 'supervisor', region_code: county, unit_id: null });
  const handler = await sharing({ username: 'handler', display_name: `${namer.name()}（住建局承办员）`, role: 'handling_dept', region_code: null, unit_id: handlerUnit.id });
  const office = await tx.selectFrom('users').select(['id', 'display_name']).where('id', '=', opts.officeUserId).executeTakeFirstOrThrow();

  const staffOf = new Map<number, SimPerson>();
  staffOf.set(handlerUnit.id, { userId: handler.id, name: handler.displayName });
  const operators: SimOperator[] = [
    { userId: hotline.id, name: hotline.displayName, role: 'hotline_operator' }, { userId: hotline.id, name: hotline.displayName, role: 'hotline_operator' },
    { userId: office.id, name: office.display_name, role: 'admin' },
  ];
  let supervisionId = 0;
  const codes = new Map<number, string>();
  const world: SimWorld = {
    now, policy, random, rates: defaultSimRates,
    unitPath: (id) => unitById.get(id)!.path,
    unitName: (id) => unitById.get(id)!.name,
    staff: (id) => {
      let s = staffOf.get(id);
      if (!s) staffOf.set(id, (s = { userId: null, name: namer.name() }));
      return s;
    },
    otherUnit: (id) => {
      let o = pick(departments);
      while (o.id === id) o = pick(departments);
      return o.id;
    },
    operator: () => pick(operators),
    supervisor: { userId: supervisor.id, name: supervisor.displayName },
    nextSupervisionId: () => ++supervisionId,
    trackingCodeOf: (id) => codes.get(id)!,
    unitUsers: (id) => (id === handlerUnit.id ? [handler.id] : []),
    supervisorUsers: [supervisor.id],
  };
  const routeUnit = (category: string, villageCode: string) => {
    const township = townshipUnit.get(villageOf.get(villageCode)?.parent_code ?? '');
    const top = category.split('.')[0]!;
    return township && chance(localShare[top] ?? 0.3) ? township.id : deptByCode.get(deptOf(category))!.id;
  };

  type Pending = Omit<TicketDraft, 'id' | 'trackingCode'>;
  const pending: Pending[] = [];
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);

  // 1. The problems found on visits: each became a ticket, registered by the office from the record.
  const problems = await tx.selectFrom('activity_problems as p').innerJoin('activities as a', 'a.id', 'p.activity_id')
    .select(['p.id', 'p.description', 'a.id as activity_id', 'a.kind', 'a.region_code', 'a.region_path', 'a.place', 'a.recorded_at', 'a.latitude', 'a.longitude',
      sql<number>`(select min(ap.cadre_id) from activity_participants ap where ap.activity_id = a.id)`.as('cadre_id'),
      sql<number | null>`(select min(at.target_id) from activity_targets at where at.activity_id = a.id)`.as('target_id')])
    .where('a.campaign_id', '=', campaign.id).where('a.recorded_at', '<=', now).orderBy('p.id').execute();
  const cadreIds = [...new Set(problems.map((p) => p.cadre_id))];
  const cadres = new Map((cadreIds.length ? await tx.selectFrom('cadres as c').innerJoin('units as u', 'u.id', 'c.unit_id').select(['c.id', 'c.name', 'u.path'])
    .where('c.id', 'in', cadreIds).execute() : []).map((c) => [c.id, c]));
  const cadreUsers = new Map((await tx.selectFrom('users').select(['id', 'cadre_id', 'role']).where('cadre_id', 'is not', null).execute()).map((u) => [u.cadre_id!, u]));
  const targetById = new Map(targets.map((t) => [t.id, t]));
  const problemTicket = new Map<number, number>();
  for (const p of problems) {
    // Most problems found on visits became tickets; the rest were settled in the talk itself.
    if (!chance(0.6)) continue;
    const [, category, type] = problemCategory.find(([k]) => p.description.includes(k)) ?? ['', 'other', 'help' as TicketType];
    const cadre = cadres.get(p.cadre_id)!;
    const target = p.target_id ? targetById.get(p.target_id) : undefined;
    const person = target && (target.kind === 'household' || target.kind === 'enterprise') ? target : undefined;
    // On a village's forum or research visit, someone there raised it and left a phone, mostly.
    const villager = !person && chance(0.75) ? namer.name() : null;
    const source: TicketSource = p.kind === 'forum' ? 'forum' : 'visit';
    const villageCode = p.region_code;
    pending.push({
      source, type, categoryCode: category, urgency: chance(0.08) ? 'urgent' : 'normal', title: p.description,
      content: `${sourceLead[source]}${p.place}，${p.description}。${typeAsk[type]}`,
      requesterTargetId: person?.id ?? null, requesterName: person ? (person.kind === 'household' ? person.name : String((person.attrs as { contactPerson?: string }).contactPerson ?? person.name)) : villager,
      requesterAnonymous: false,
      phone: person?.phone_hash ? { phone_enc: person.phone_enc!, phone_masked: person.phone_masked!, phone_hash: person.phone_hash } : villager || person ? sealPhone(key, namer.phone()) : null,
      regionCode: p.region_code, regionPath: p.region_path, address: p.place, lat: p.latitude, lng: p.longitude, campaignId: campaign.id, activityId: p.activity_id,
      finder: { userId: cadreUsers.get(cadre.id)?.id ?? null, name: cadre.name, cadreId: cadre.id, unitPath: cadre.path, role: 'cadre' },
      createdAt: new Date(p.recorded_at.getTime() + between(2, 60) * MIN),
      registeredBy: { role: 'admin', person: { userId: office.id, name: office.display_name }, unitPath: null },
      unitId: routeUnit(category, villageCode), duplicateOf: null, fixOnSpot: chance(0.15),
    });
    problemTicket.set(pending.length - 1, p.id);
  }

  // 2. Requests from the hotline, the web form, letters and walk-ins, and enterprises.
  const first = Date.parse(`${campaign.starts_on}T00:00:00+08:00`);
  const days = Math.max(1, Math.floor((now.getTime() - first) / DAY));
  const total = Math.round(((opts.perYear ?? 3000) * days) / 365);
  const topWeights = Object.entries(categoryWeight);
  const weightSum = topWeights.reduce((s, [, x]) => s + x, 0);
  const pickCategory = () => {
    let r = random() * weightSum;
    const top = topWeights.find(([, x]) => (r -= x) < 0)?.[0] ?? 'other';
    const leaves = leafCategories.filter((c) => c === top || c.startsWith(`${top}.`));
    return pick(leaves);
  };
  const recent: Pending[] = [];
  for (let i = pending.length; i < total; i++) {
    const r = random();
    const source: TicketSource = r < 0.55 ? 'hotline' : r < 0.78 ? 'web' : r < 0.9 ? 'letter_visit' : 'enterprise';
    let at = new Date(first + random() * (now.getTime() - first));
    const m = chinaMinutes(at);
    if (source !== 'web' && (m < 480 || m > 1260)) at = new Date(at.getTime() + (((480 + Math.floor(random() * 600)) - m + 1440) % 1440) * MIN);
    if (at > now) at = new Date(now.getTime() - between(5, 600) * MIN);
    // A repeat request: someone asking again about the same thing within a month; a few are duplicates to merge.
    const earlier = recent.filter((p) => p.createdAt.getTime() > at.getTime() - 30 * DAY && p.createdAt < at && (p.phone || p.requesterTargetId) && p.duplicateOf === null);
    if (earlier.length && chance(0.07)) {
      const o = pick(earlier);
      const dup = chance(0.3);
      const when = dup ? new Date(o.createdAt.getTime() + between(20, 600) * MIN) : at;
      if (when <= now) {
        pending.push({
          ...o, source: dup ? o.source : source, createdAt: when, title: dup ? o.title : `再次反映：${o.title}`, content: `${o.content}${dup ? '（重复来电）' : '此前已反映过，问题仍未解决。'}`,
          duplicateOf: dup ? -1 - pending.indexOf(o) : null, fixOnSpot: false, type: dup ? o.type : 'complaint',
        });
        continue;
      }
    }
    let category = pickCategory();
    if (source === 'enterprise' && !category.startsWith('enterprise')) category = pick(leafCategories.filter((c) => c.startsWith('enterprise.') || c.startsWith('permits.') || c.startsWith('employment.')));
    const type = typeFor(random, category);
    const enterprise = source === 'enterprise' ? pick(enterprises) : undefined;
    const household = !enterprise && chance(0.12) ? pick(households) : undefined;
    const village = enterprise || household ? villageOf.get((enterprise ?? household)!.region_code) ?? pick(villages) : pick(villages);
    const anonymous = !enterprise && !household && chance(source === 'letter_visit' ? 0.25 : 0.08);
    const name = enterprise ? String((enterprise.attrs as { contactPerson?: string }).contactPerson ?? namer.name()) : household ? household.name : anonymous ? null : namer.name();
    const phone = household?.phone_hash
      ? { phone_enc: household.phone_enc!, phone_masked: household.phone_masked!, phone_hash: household.phone_hash }
      : anonymous || (source === 'letter_visit' && chance(0.3)) ? null : sealPhone(key, namer.phone());
    const place = placeOf.get(village.code);
    const { title, content } = ticketText(random, category, source, type, enterprise ? enterprise.name : village.name);
    const registrar = source === 'hotline' || source === 'web' || chance(0.5) ? operators[0]! : operators[2]!;
    const draft: Pending = {
      source, type, categoryCode: category, urgency: chance(0.02) ? 'critical' : chance(0.1) ? 'urgent' : 'normal', title, content,
      requesterTargetId: (enterprise ?? household)?.id ?? null, requesterName: name, requesterAnonymous: anonymous, phone,
      regionCode: village.code, regionPath: village.path, address: household?.address ?? (enterprise ? enterprise.name : `${village.name}${1 + Math.floor(random() * 200)}号`),
      lat: place && chance(0.4) ? place.latitude : null, lng: null, campaignId: null, activityId: null, finder: null, createdAt: at,
      registeredBy: { role: registrar.role, person: { userId: registrar.userId, name: registrar.name }, unitPath: null },
      unitId: routeUnit(category, village.code), duplicateOf: null, fixOnSpot: false,
    };
    draft.lng = draft.lat === null ? null : place!.longitude;
    pending.push(draft);
    recent.push(draft);
  }

  // Ids in order of registration, so an original always precedes its duplicate.
  const order = pending.map((p, i) => ({ p, i })).sort((a, b) => a.p.createdAt.getTime() - b.p.createdAt.getTime());
  const idOfIndex = new Map(order.map((o, k) => [o.i, k + 1]));
  const codeList = trackingCodes(random, order.length);
  const drafts: TicketDraft[] = order.map(({ p }, k) => {
    const id = k + 1;
    codes.set(id, codeList[k]!);
    // A backlog among the last weeks' requests, so the supervisor's board has overdue work.
    const stall = p.createdAt.getTime() > now.getTime() - 20 * DAY && chance(0.12);
    // And reopened tickets still waiting for their second round, whatever day the demo is built on.
    const stallSecondRound = p.createdAt.getTime() > now.getTime() - 60 * DAY && chance(0.5);
    const awaitDispatch = p.createdAt.getTime() > now.getTime() - 5 * DAY && chance(0.3);
    const awaitSign = !awaitDispatch && p.createdAt.getTime() > now.getTime() - 5 * DAY && chance(0.4);
    return { ...p, id, trackingCode: codeList[k]!, duplicateOf: p.duplicateOf === null ? null : idOfIndex.get(-1 - p.duplicateOf)!, stall, stallSecondRound, awaitDispatch, awaitSign };
  });
  const simStarted = performance.now();
  const sims = simulateAll(drafts, world);
  const simulateMs = performance.now() - simStarted;
  // A duplicate can only be merged into a ticket still open: otherwise it is handled on its own.
  const written = await writeTickets(tx, sims);

  const links = [...problemTicket].map(([index, problemId]) => ({ id: problemId, ticket_id: idOfIndex.get(index)! }));
  for (let i = 0; i < links.length; i += 2000) {
    await sql`update activity_problems p set ticket_id = x.ticket_id from jsonb_to_recordset(${JSON.stringify(links.slice(i, i + 2000))}::jsonb) as x(id int, ticket_id int) where p.id = x.id`.execute(tx);
  }
  await sql`analyze tickets`.execute(tx);
  await sql`analyze ticket_events`.execute(tx);
  const byState: Record<string, number> = {};
  for (const s of sims) byState[s.row.state as string] = (byState[s.row.state as string] ?? 0) + 1;
  return {
    tickets: written.tickets, events: written.events, supervisions: written.supervisions, linkedProblems: links.length, byState,
    logins: { hotline: 'hotline', handler: { username: 'handler', unitName: handlerUnit.name }, supervisor: 'supervisor' },
    ms: Math.round(performance.now() - started), simulateMs: Math.round(simulateMs),
  };
}
