import { describe, expect, it } from 'vitest';
import { addWorkingDays, calendarKnownThrough, chinaDate, isWorkingDay, workingDayDeadline, workingDaysBetween } from './workdays.ts';

// Facts from the State Council's published holiday plans for 2025 and 2026.
describe('Chinese working days', () => {
  it('knows the published years, through at least 2026', () => {
    expect(calendarKnownThrough).toBeGreaterThanOrEqual(2026);
  });

  it('treats holidays as days off and 调休 weekends as working days', () => {
    expect(isWorkingDay('2025-10-01')).toBe(false); // 国庆节
    expect(isWorkingDay('2025-10-08')).toBe(false);
    expect(isWorkingDay('2025-09-28')).toBe(true); // Sunday, made up for the National Day break
    expect(isWorkingDay('2025-10-11')).toBe(true); // Saturday, made up
    expect(isWorkingDay('2026-02-15')).toBe(false); // 春节
    expect(isWorkingDay('2026-02-14')).toBe(true); // Saturday, made up
    expect(isWorkingDay('2026-02-28')).toBe(true); // Saturday, made up
    expect(isWorkingDay('2026-11-21')).toBe(false); // an ordinary Saturday
  });

  it('counts a deadline across the Spring Festival break and its make-up Saturday', () => {
    // Dispatched Friday 13 Feb 2026: the 14th is a make-up working day, 15–23 are off.
    expect(addWorkingDays('2026-02-13', 1).date).toBe('2026-02-14');
    expect(addWorkingDays('2026-02-13', 2).date).toBe('2026-02-24');
    expect(addWorkingDays('2026-02-13', 5).date).toBe('2026-02-27');
    expect(addWorkingDays('2026-02-13', 6).date).toBe('2026-02-28');
  });

  it('falls due the same day for a same-day limit, or on the next working day when set on a holiday', () => {
    expect(addWorkingDays('2026-11-20', 0).date).toBe('2026-11-20');
    expect(addWorkingDays('2025-10-03', 0).date).toBe('2025-10-09');
  });

  it('counts working days between two dates, in both directions', () => {
    expect(workingDaysBetween('2025-09-30', '2025-10-09')).toBe(1);
    expect(workingDaysBetween('2026-11-16', '2026-11-20')).toBe(4);
    expect(workingDaysBetween('2026-11-20', '2026-11-16')).toBe(-4);
    expect(workingDaysBetween('2026-11-20', '2026-11-20')).toBe(0);
  });

  it('says when a deadline falls beyond the published calendar instead of pretending to know', () => {
    const r = addWorkingDays(`${calendarKnownThrough}-12-28`, 10);
    expect(yearOf(r.date)).toBe(calendarKnownThrough + 1);
    expect(r.beyondCalendar).toBe(true);
    expect(addWorkingDays('2026-11-20', 5).beyondCalendar).toBe(false);
  });

  it('ends a deadline at midnight China time, from an instant in UTC', () => {
    // 2026-11-20 17:30 UTC is already Saturday the 21st in China: the next working day is Monday.
    const d = workingDayDeadline(new Date('2026-11-20T17:30:00Z'), 1);
    expect(chinaDate(new Date('2026-11-20T17:30:00Z'))).toBe('2026-11-21');
    expect(d.date).toBe('2026-11-23');
    expect(d.dueAt.toISOString()).toBe('2026-11-23T15:59:59.999Z');
  });

  it('refuses a negative or fractional number of days', () => {
    expect(() => addWorkingDays('2026-11-20', -1)).toThrow(RangeError);
    expect(() => addWorkingDays('2026-11-20', 1.5)).toThrow(RangeError);
  });
});

const yearOf = (d: string) => Number(d.slice(0, 4));
