import chineseDays from 'chinese-days';
import type { Festival, RequirementFestival, RequirementPeriod } from '../../../contracts/requirements.ts';
import { calendarKnownThrough, chinaDate, isWorkingDay } from '../../lib/workdays.ts';

// Period windows of requirement rules, on China calendar dates (YYYY-MM-DD, both ends included;
// no time zone inside: an instant becomes a date through chinaDate). Weeks run Monday to Sunday,
// quarters start in January, April, July and October; a festival window is the festival's day in
// that calendar year with the days before and after it the rule allows. Every window is clipped
// to the campaign, so a campaign starting on a Thursday has a first week of four days.

const DAY = 86_400_000;
const toDay = (d: string) => Date.parse(`${d}T00:00:00Z`) / DAY;
const fromDay = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);
export const addDays = (d: string, n: number) => fromDay(toDay(d) + n);
/** Calendar days from `a` to `b` (0 for the same day, negative when b is before a). */
export const daysBetween = (a: string, b: string) => toDay(b) - toDay(a);
const later = (a: string, b: string) => (a > b ? a : b);
const earlier = (a: string, b: string) => (a < b ? a : b);
const monthEnd = (y: number, m: number) => fromDay(Date.UTC(y, m, 1) / DAY - 1); // m: 1–12
const pad = (n: number) => String(n).padStart(2, '0');

export type DateRange = { start: string; end: string };
export type CampaignDates = { startsOn: string; endsOn: string };
export type PeriodWindow = DateRange & {
  period: RequirementPeriod;
  /** Stable name of the window, for keeping compliance per period: 2026-W47, 2026-11, 2026-Q4, 2026, campaign, chunjie-2026. */
  key: string;
  /** The whole calendar window before clipping to the campaign. */
  calendar: DateRange;
  /** Clipped by the campaign's start or end. */
  clipped: boolean;
};

/** ISO weekday: 1 Monday … 7 Sunday. */
export const weekday = (date: string) => ((new Date(toDay(date) * DAY).getUTCDay() + 6) % 7) + 1;

/** ISO week key (the week belongs to the year of its Thursday). */
function isoWeekKey(monday: string): string {
  const thursday = addDays(monday, 3);
  const year = Number(thursday.slice(0, 4));
  const week = Math.floor(daysBetween(`${year}-01-01`, thursday) / 7) + 1;
  return `${year}-W${pad(week)}`;
}

/** The solar date of a festival in a calendar year: 七一 1 July; 重阳 lunar 9/9; 春节 lunar 1/1. */
export function festivalDate(name: Festival, year: number): string {
  if (name === 'qiyi') return `${year}-07-01`;
  // 春节 and 重阳 fall in the same calendar year as the lunar year they belong to.
  return chineseDays.getSolarDateFromLunar(name === 'chunjie' ? `${year}-01-01` : `${year}-09-09`).date;
}

/** The calendar window of a period that holds `date` (for a festival: that year's festival days). */
export function calendarWindow(period: Exclude<RequirementPeriod, 'campaign'>, date: string, festival?: RequirementFestival): DateRange & { key: string } {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  switch (period) {
    case 'week': {
      const monday = addDays(date, 1 - weekday(date));
      return { start: monday, end: addDays(monday, 6), key: isoWeekKey(monday) };
    }
    case 'month':
      return { start: `${date.slice(0, 7)}-01`, end: monthEnd(y, m), key: date.slice(0, 7) };
    case 'quarter': {
      const q = Math.floor((m - 1) / 3);
      return { start: `${y}-${pad(q * 3 + 1)}-01`, end: monthEnd(y, q * 3 + 3), key: `${y}-Q${q + 1}` };
    }
    case 'year':
      return { start: `${y}-01-01`, end: `${y}-12-31`, key: String(y) };
    case 'festival': {
      if (!festival) throw new RangeError('a festival period needs the festival');
      const day = festivalDate(festival.name, y);
      return { start: addDays(day, -festival.daysBefore), end: addDays(day, festival.daysAfter), key: `${festival.name}-${y}` };
    }
  }
}

/**
 * The window of `period` holding `date`, clipped to the campaign; null when the date is outside the
 * campaign or the clipped window is empty (a festival window that misses the campaign).
 */
export function periodWindow(period: RequirementPeriod, date: string, campaign: CampaignDates, festival?: RequirementFestival): PeriodWindow | null {
  if (date < campaign.startsOn || date > campaign.endsOn) return null;
  const cal = period === 'campaign' ? { start: campaign.startsOn, end: campaign.endsOn, key: 'campaign' } : calendarWindow(period, date, festival);
  return clip(period, cal, campaign);
}

function clip(period: RequirementPeriod, cal: DateRange & { key: string }, campaign: CampaignDates): PeriodWindow | null {
  const start = later(cal.start, campaign.startsOn);
  const end = earlier(cal.end, campaign.endsOn);
  if (start > end) return null;
  return { period, key: cal.key, start, end, calendar: { start: cal.start, end: cal.end }, clipped: start !== cal.start || end !== cal.end };
}

/** Every window of the period that overlaps the campaign, in order (to keep compliance per period). */
export function campaignWindows(period: RequirementPeriod, campaign: CampaignDates, festival?: RequirementFestival): PeriodWindow[] {
  if (period === 'campaign') return [clip(period, { start: campaign.startsOn, end: campaign.endsOn, key: 'campaign' }, campaign)!];
  const out: PeriodWindow[] = [];
  if (period === 'festival') {
    // A window may reach into the year before (春节 with days before it) or after.
    for (let y = Number(campaign.startsOn.slice(0, 4)); y <= Number(campaign.endsOn.slice(0, 4)); y++) {
      const w = clip(period, calendarWindow('festival', `${y}-01-01`, festival), campaign);
      if (w) out.push(w);
    }
    return out;
  }
  for (let d = campaign.startsOn; d <= campaign.endsOn;) {
    const w = clip(period, calendarWindow(period, d), campaign)!;
    out.push(w);
    d = addDays(w.calendar.end, 1);
  }
  return out;
}

/** Working days (Chinese calendar: holidays off, 调休 Saturdays and Sundays on) in a range, both ends included. */
export function workingDaysIn(range: DateRange): { days: number; beyondCalendar: boolean } {
  let days = 0;
  for (let d = range.start; d <= range.end; d = addDays(d, 1)) if (isWorkingDay(d)) days++;
  return { days, beyondCalendar: Number(range.end.slice(0, 4)) > calendarKnownThrough };
}

export type WindowProgress = {
  today: string;
  /** before: the window has not started; open: today is in it; ended: it is over. */
  phase: 'before' | 'open' | 'ended';
  totalDays: number;
  /** Days of the window before today. */
  elapsedDays: number;
  /** Days of the window from today to its end, today included (0 once it has ended). */
  daysLeft: number;
  workingDaysLeft: number;
};

/** Where `now` (China date) stands in a window. Today counts as left: the cadre can still work it. */
export function windowProgress(window: DateRange, now: Date): WindowProgress {
  const today = chinaDate(now);
  const totalDays = daysBetween(window.start, window.end) + 1;
  if (today < window.start) {
    return { today, phase: 'before', totalDays, elapsedDays: 0, daysLeft: totalDays, workingDaysLeft: workingDaysIn(window).days };
  }
  if (today > window.end) return { today, phase: 'ended', totalDays, elapsedDays: totalDays, daysLeft: 0, workingDaysLeft: 0 };
  return {
    today,
    phase: 'open',
    totalDays,
    elapsedDays: daysBetween(window.start, today),
    daysLeft: daysBetween(today, window.end) + 1,
    workingDaysLeft: workingDaysIn({ start: today, end: window.end }).days,
  };
}

/** Whether a China date is one of a rule's fixed days (固定日): one of the weekdays or one of the month days. */
export function onFixedDay(date: string, on: { weekdays?: number[] | undefined; monthDays?: number[] | undefined } | undefined): boolean {
  if (!on) return true;
  return (on.weekdays?.includes(weekday(date)) ?? false) || (on.monthDays?.includes(Number(date.slice(8, 10))) ?? false);
}

/** A window's name in Chinese: relative (本月, 今年) when it holds today, else absolute (2026年10月). */
export function windowName(w: PeriodWindow, today: string, festivalName?: string): string {
  const current = today >= w.start && today <= w.end;
  const md = (d: string) => `${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;
  switch (w.period) {
    case 'week':
      return current ? '本周' : `${md(w.calendar.start)}–${md(w.calendar.end)}当周`;
    case 'month':
      return current ? '本月' : `${w.key.slice(0, 4)}年${Number(w.key.slice(5, 7))}月`;
    case 'quarter':
      return current ? '本季度' : `${w.key.slice(0, 4)}年第${w.key.slice(6)}季度`;
    case 'year':
      return current ? '今年' : `${w.key}年`;
    case 'campaign':
      return '活动期间';
    case 'festival':
      return `${current ? '' : `${w.key.slice(-4)}年`}${festivalName ?? ''}前后`;
  }
}
