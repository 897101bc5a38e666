import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import chineseDays from 'chinese-days';

// Working days on the Chinese calendar: public holidays and make-up working days (调休) from the
// maintained package chinese-days (updated as the State Council publishes each year's plan).
// Beyond the last year it knows, only weekends are known; results say so instead of guessing.

const yearsDir = join(dirname(createRequire(import.meta.url).resolve('chinese-days/package.json')), 'dist', 'years');
/** The last year whose holidays and 调休 are published in the installed calendar data. */
export const calendarKnownThrough = Math.max(...readdirSync(yearsDir).map((f) => Number(/^(\d{4})\.json$/.exec(f)?.[1] ?? 0)));

const DAY = 86_400_000;
const chinaDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar date in China (UTC+8) of an instant: 'YYYY-MM-DD'. */
export const chinaDate = (at: Date) => chinaDay.format(at);
/** The first instant of a China calendar day (YYYY-MM-DD). */
export const chinaDayStart = (date: string) => new Date(`${date}T00:00:00+08:00`);

const shift = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
const yearOf = (date: string) => Number(date.slice(0, 4));

export const isWorkingDay = (date: string): boolean => chineseDays.isWorkday(date);

export type WorkdayResult = { date: string; beyondCalendar: boolean };

/**
 * The nth working day after `from` (n ≥ 1), or, for n = 0, `from` itself if it is a working day,
 * else the next working day (a same-day limit set on a holiday falls due on the next working day).
 */
export function addWorkingDays(from: string, n: number): WorkdayResult {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a whole number ≥ 0, got ${n}`);
  let date = from;
  let left = n;
  if (n === 0) {
    while (!isWorkingDay(date)) date = shift(date, 1);
  } else {
    while (left > 0) {
      date = shift(date, 1);
      if (isWorkingDay(date)) left--;
    }
  }
  return { date, beyondCalendar: yearOf(date) > calendarKnownThrough };
}

/** Working days in (from, to]: 0 for the same day, negative when `to` is before `from`. */
export function workingDaysBetween(from: string, to: string): number {
  if (to < from) return -workingDaysBetween(to, from);
  let n = 0;
  for (let d = shift(from, 1); d <= to; d = shift(d, 1)) if (isWorkingDay(d)) n++;
  return n;
}

/** A deadline n working days after an instant: the end of that day in China (23:59:59.999 +08:00). */
export function workingDayDeadline(at: Date, n: number): WorkdayResult & { dueAt: Date } {
  const r = addWorkingDays(chinaDate(at), n);
  return { ...r, dueAt: new Date(Date.parse(`${r.date}T23:59:59.999+08:00`)) };
}
