import { describe, expect, it } from 'vitest';
import { daysInclusive, fenToYuan, isoWithOffset, stayRange, yuanToFen } from '../web/src/field/form.ts';

// The field view's record form: money typed in 元 becomes integer fen exactly (no floating point),
// a stay given as dates covers whole calendar days and never ends in the future.

describe('money typed in yuan', () => {
  it('becomes integer fen without rounding errors', () => {
    expect(yuanToFen('500')).toBe(50_000);
    expect(yuanToFen('500.5')).toBe(50_050);
    expect(yuanToFen('0.29')).toBe(29); // 0.29 * 100 is 28.999… in floating point
    expect(yuanToFen('1,086.10')).toBe(108_610);
    expect(yuanToFen(' 12. ')).toBe(1_200);
    expect(yuanToFen('')).toBeNull();
  });

  it('refuses what is not an amount', () => {
    for (const bad of ['-5', '1.234', 'abc', '1e3', '.5', '5元']) expect(yuanToFen(bad), bad).toBeUndefined();
  });

  it('prints fen back as yuan', () => {
    expect(fenToYuan(50_050)).toBe('500.50');
    expect(fenToYuan(50_000)).toBe('500');
    expect(fenToYuan(7)).toBe('0.07');
    expect(fenToYuan(null)).toBe('');
  });
});

describe('stay dates', () => {
  it('counts calendar days, both ends included', () => {
    expect(daysInclusive('2026-03-03', '2026-03-05')).toBe(3);
    expect(daysInclusive('2026-03-05', '2026-03-05')).toBe(1);
    expect(daysInclusive('2026-02-27', '2026-03-02')).toBe(4);
    expect(daysInclusive('2026-03-05', '2026-03-03')).toBe(0);
    expect(daysInclusive('', '2026-03-03')).toBe(0);
  });

  it('runs from the morning of the first day to the evening of the last, cut at now', () => {
    const now = new Date(2026, 2, 5, 10, 30);
    const past = stayRange('2026-03-01', '2026-03-03', now)!;
    expect([past.startsAt.getDate(), past.startsAt.getHours()]).toEqual([1, 8]);
    expect([past.endsAt.getDate(), past.endsAt.getHours()]).toEqual([3, 18]);
    const today = stayRange('2026-03-04', '2026-03-05', now)!;
    expect(today.endsAt).toEqual(now);
    // Started today before 08:00: the start moves back to midnight, never after the end.
    const early = stayRange('2026-03-05', '2026-03-05', new Date(2026, 2, 5, 7, 0))!;
    expect(early.startsAt.getTime()).toBeLessThanOrEqual(early.endsAt.getTime());
  });

  it('writes local times with their offset', () => {
    const d = new Date(2026, 2, 5, 14, 7, 9);
    const iso = isoWithOffset(d);
    expect(iso).toMatch(/^2026-03-05T14:07:09[+-]\d{2}:\d{2}$/);
    expect(Date.parse(iso)).toBe(d.getTime());
  });
});
