import { describe, expect, it } from 'vitest';
import { defaultTicketDeadlinePolicy } from '../../../contracts/tickets.ts';
import { calendarKnownThrough } from '../../lib/workdays.ts';
import {
  deadlineMark,
  extendedDeadline,
  handlingDeadline,
  handlingWorkingDays,
  limitDays,
  signDeadline,
  withinReturnWindow,
  workingDaysOverdue,
} from './deadlines.ts';

// Calendar facts (State Council plan for 2026, as published in chinese-days): Mid-Autumn and
// National Day make 25–27 Sep and 1–7 Oct days off; Sunday 20 Sep and Saturday 10 Oct are make-up
// working days (调休).
const china = (local: string) => new Date(`${local}+08:00`);
const endOf = (date: string) => china(`${date}T23:59:59.999`);

describe('ticket deadline limits', () => {
  it('uses the defaults of issue 5: 特急 same day, 紧急 1, 咨询 3, 求助 5, 投诉/举报 10, 建议 15', () => {
    expect(limitDays('consult', 'normal')).toBe(3);
    expect(limitDays('help', 'normal')).toBe(5);
    expect(limitDays('complaint', 'normal')).toBe(10);
    expect(limitDays('report', 'normal')).toBe(10);
    expect(limitDays('suggestion', 'normal')).toBe(15);
    expect(limitDays('suggestion', 'urgent')).toBe(1);
    expect(limitDays('complaint', 'critical')).toBe(0);
  });

  it('takes the shorter of the type and urgency limits, from a configured policy', () => {
    const policy = { ...defaultTicketDeadlinePolicy, byType: { ...defaultTicketDeadlinePolicy.byType, consult: 0 }, byUrgency: { urgent: 2, critical: 0 } };
    expect(limitDays('consult', 'urgent', policy)).toBe(0);
    expect(limitDays('help', 'urgent', policy)).toBe(2);
  });
});

describe('ticket deadlines on the Chinese calendar', () => {
  const dispatched = china('2026-09-30T10:00:00'); // Wednesday, the last working day before 国庆

  it('counts across the 2026 National Day break and its make-up Saturday', () => {
    expect(handlingDeadline('complaint', 'urgent', dispatched).dueAt).toEqual(endOf('2026-10-08'));
    expect(handlingDeadline('consult', 'normal', dispatched).dueAt).toEqual(endOf('2026-10-10')); // Saturday, 调休
    expect(handlingDeadline('help', 'normal', dispatched).dueAt).toEqual(endOf('2026-10-13'));
    expect(handlingDeadline('complaint', 'normal', dispatched).dueAt).toEqual(endOf('2026-10-20'));
    expect(handlingDeadline('report', 'normal', dispatched).dueAt).toEqual(endOf('2026-10-20'));
    expect(handlingDeadline('suggestion', 'normal', dispatched).dueAt).toEqual(endOf('2026-10-27'));
  });

  it('falls due on a make-up working day: a Saturday and a Sunday', () => {
    expect(handlingDeadline('help', 'urgent', china('2026-10-09T16:00:00')).dueAt).toEqual(endOf('2026-10-10'));
    expect(handlingDeadline('help', 'urgent', china('2026-09-18T16:00:00')).dueAt).toEqual(endOf('2026-09-20'));
  });

  it('makes 特急 due the same day, or the next working day when dispatched on a day off', () => {
    expect(handlingDeadline('complaint', 'critical', china('2026-11-19T21:00:00')).dueAt).toEqual(endOf('2026-11-19'));
    expect(handlingDeadline('complaint', 'critical', china('2026-10-03T09:00:00')).dueAt).toEqual(endOf('2026-10-08'));
    expect(handlingDeadline('complaint', 'critical', china('2026-11-21T09:00:00')).dueAt).toEqual(endOf('2026-11-23'));
  });

  it('takes the China date of the dispatch, not the UTC one', () => {
    // 17:00 UTC on Thursday 19 Nov is already Friday the 20th in China.
    expect(handlingDeadline('complaint', 'critical', new Date('2026-11-19T17:00:00Z')).dueAt).toEqual(endOf('2026-11-20'));
  });

  it('asks for signing within 1 working day', () => {
    expect(signDeadline(dispatched).dueAt).toEqual(endOf('2026-10-08'));
    expect(signDeadline(china('2026-11-20T09:00:00')).dueAt).toEqual(endOf('2026-11-23'));
  });

  it('says when the deadline lies beyond the published calendar', () => {
    expect(handlingDeadline('suggestion', 'normal', china(`${calendarKnownThrough}-12-28T10:00:00`)).beyondCalendar).toBe(true);
    expect(handlingDeadline('suggestion', 'normal', dispatched).beyondCalendar).toBe(false);
  });

  it('extends from the old deadline by working days', () => {
    expect(extendedDeadline(endOf('2026-09-30'), 2).dueAt).toEqual(endOf('2026-10-09'));
    expect(extendedDeadline(endOf('2026-10-09'), 1).dueAt).toEqual(endOf('2026-10-10'));
  });

  it('allows a return within 2 working days of the dispatch, holidays not counted', () => {
    expect(withinReturnWindow(dispatched, china('2026-10-07T18:00:00'))).toBe(true);
    expect(withinReturnWindow(dispatched, china('2026-10-09T23:59:00'))).toBe(true);
    expect(withinReturnWindow(dispatched, china('2026-10-10T08:00:00'))).toBe(false); // 3rd working day (调休)
    expect(withinReturnWindow(dispatched, china('2026-10-10T08:00:00'), { ...defaultTicketDeadlinePolicy, returnDays: 3 })).toBe(true);
  });

  it('measures handling time in working days', () => {
    expect(handlingWorkingDays(dispatched, china('2026-09-30T18:00:00'))).toBe(0);
    expect(handlingWorkingDays(dispatched, china('2026-10-12T09:00:00'))).toBe(4);
  });
});

describe('deadline marks for supervision', () => {
  const due = endOf('2026-10-20'); // Tuesday

  it('is on time until the deadline is within dueSoonDays working days, then amber', () => {
    expect(deadlineMark(due, china('2026-10-16T09:00:00'))).toBe('on_time'); // Fri: 2 working days left
    expect(deadlineMark(due, china('2026-10-17T09:00:00'))).toBe('on_time'); // Sat: Monday and Tuesday left
    expect(deadlineMark(due, china('2026-10-19T09:00:00'))).toBe('due_soon');
    expect(deadlineMark(due, china('2026-10-20T23:59:00'))).toBe('due_soon');
    expect(deadlineMark(due, china('2026-10-16T09:00:00'), { dueSoonDays: 2, longOverdueDays: 3 })).toBe('due_soon');
  });

  it('is yellow once the deadline has passed, red after longOverdueDays further working days', () => {
    expect(deadlineMark(due, china('2026-10-21T00:00:01'))).toBe('overdue');
    expect(deadlineMark(due, china('2026-10-23T23:00:00'))).toBe('overdue'); // 21, 22, 23 are the 3 further days
    expect(deadlineMark(due, china('2026-10-24T00:00:01'))).toBe('long_overdue');
    expect(deadlineMark(due, china('2026-10-22T09:00:00'), { dueSoonDays: 1, longOverdueDays: 1 })).toBe('long_overdue');
  });

  it('does not count the holiday break as time overdue', () => {
    const dueBefore = endOf('2026-09-30');
    expect(deadlineMark(dueBefore, china('2026-10-07T12:00:00'))).toBe('overdue');
    expect(workingDaysOverdue(dueBefore, china('2026-10-07T12:00:00'))).toBe(0);
    expect(workingDaysOverdue(dueBefore, china('2026-10-10T12:00:00'))).toBe(3);
    expect(deadlineMark(dueBefore, china('2026-10-10T12:00:00'))).toBe('overdue');
    expect(deadlineMark(dueBefore, china('2026-10-11T12:00:00'))).toBe('long_overdue');
    expect(workingDaysOverdue(dueBefore, china('2026-09-30T12:00:00'))).toBe(0);
  });
});
