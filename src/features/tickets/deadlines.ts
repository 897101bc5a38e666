import {
  defaultTicketDeadlinePolicy,
  type DeadlineMark,
  type TicketDeadlinePolicy,
  type TicketType,
  type TicketUrgency,
} from '../../../contracts/tickets.ts';
import { addWorkingDays, chinaDate, workingDayDeadline, workingDaysBetween, type WorkdayResult } from '../../lib/workdays.ts';

// Ticket deadlines in working days on the Chinese calendar (holidays and 调休 from chinese-days via
// src/lib/workdays.ts). A deadline is the end of a China day (23:59:59.999 +08:00); a limit of 0
// working days is due the same day, or the next working day when dispatched on a day off.

export type Deadline = WorkdayResult & { dueAt: Date };

/** The limit in working days for a type and urgency: the type's, or the urgency's when shorter. */
export function limitDays(type: TicketType, urgency: TicketUrgency, policy: TicketDeadlinePolicy = defaultTicketDeadlinePolicy): number {
  const byType = policy.byType[type];
  return urgency === 'normal' ? byType : Math.min(byType, policy.byUrgency[urgency]);
}

/** When the handling unit must have resolved a ticket dispatched at `dispatchedAt`. */
export function handlingDeadline(
  type: TicketType,
  urgency: TicketUrgency,
  dispatchedAt: Date,
  policy: TicketDeadlinePolicy = defaultTicketDeadlinePolicy,
): Deadline {
  return workingDayDeadline(dispatchedAt, limitDays(type, urgency, policy));
}

/** When the handling unit must have signed for a ticket dispatched at `dispatchedAt`. */
export function signDeadline(dispatchedAt: Date, policy: TicketDeadlinePolicy = defaultTicketDeadlinePolicy): Deadline {
  return workingDayDeadline(dispatchedAt, policy.signDays);
}

/** The deadline moved by an approved extension: n working days after the old deadline's day. */
export function extendedDeadline(dueAt: Date, workingDays: number): Deadline {
  return workingDayDeadline(dueAt, workingDays);
}

/** Whether a wrong dispatch may still be returned: within `returnDays` working days of the dispatch. */
export function withinReturnWindow(dispatchedAt: Date, now: Date, policy: TicketDeadlinePolicy = defaultTicketDeadlinePolicy): boolean {
  return workingDaysBetween(chinaDate(dispatchedAt), chinaDate(now)) <= policy.returnDays;
}

export type MarkThresholds = { dueSoonDays: number; longOverdueDays: number };

/**
 * Where an open ticket stands against its deadline at `now`:
 * - due_soon (amber): not yet due, and the deadline's day is at most `dueSoonDays` working days
 *   after today (so with 1: due today or on the next working day);
 * - overdue (yellow 督办): past the deadline;
 * - long_overdue (red 督办): past the end of the `longOverdueDays`th working day after the deadline.
 */
export function deadlineMark(
  dueAt: Date,
  now: Date,
  thresholds: MarkThresholds = defaultTicketDeadlinePolicy,
): DeadlineMark {
  if (now.getTime() <= dueAt.getTime()) {
    return workingDaysBetween(chinaDate(now), chinaDate(dueAt)) <= thresholds.dueSoonDays ? 'due_soon' : 'on_time';
  }
  return now.getTime() > longOverdueAt(dueAt, thresholds.longOverdueDays).getTime() ? 'long_overdue' : 'overdue';
}

/** The instant after which a ticket still open is long overdue (red). */
export function longOverdueAt(dueAt: Date, longOverdueDays: number): Date {
  return workingDayDeadline(dueAt, longOverdueDays).dueAt;
}

/** Working days since the deadline's day at `now`: 0 until the next working day after it, then 1, 2 … */
export function workingDaysOverdue(dueAt: Date, now: Date): number {
  if (now.getTime() <= dueAt.getTime()) return 0;
  return Math.max(0, workingDaysBetween(chinaDate(dueAt), chinaDate(now)));
}

/** Handling time in working days from dispatch to resolution (0 when resolved the same day). */
export function handlingWorkingDays(dispatchedAt: Date, resolvedAt: Date): number {
  return workingDaysBetween(chinaDate(dispatchedAt), chinaDate(resolvedAt));
}

/** The next working day on or after an instant's China date (a same-day limit set on a day off). */
export const firstWorkingDay = (at: Date) => addWorkingDays(chinaDate(at), 0).date;
