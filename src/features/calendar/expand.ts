import chineseDays from 'chinese-days';
import { calendarEntryKindLabels, weekdayLabels, type CalendarCadres, type CalendarSchedule, type CalendarTargets } from '../../../contracts/calendar.ts';
import { cadreRankLabels } from '../../../contracts/cadres.ts';
import { festivalLabels } from '../../../contracts/requirements.ts';
import { unitLevelLabels } from '../../../contracts/units.ts';
import { addDays, festivalDate, weekday, type DateRange } from '../compliance/periods.ts';

// The dates of a calendar entry, pure: no database, no clock. Dates are China calendar days.
// A month day keeps its date on holidays and weekends (contracts/calendar.ts says why); one the
// month lacks falls on the month's last day, so "the 31st" happens every month.

export type Occurrence = { date: string; festivalDate: string | null };
export type FestivalWindow = { festivalDate: string; start: string; end: string };

const lastDayOfMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate(); // m: 1–12
const pad = (n: number) => String(n).padStart(2, '0');

/** The festival windows (festival day with the days before and after) that overlap the range. */
export function festivalWindows(s: Extract<CalendarSchedule, { kind: 'festival' }>, range: DateRange): FestivalWindow[] {
  const out: FestivalWindow[] = [];
  // A window may reach across New Year (春节 with days before it), so look one year either side.
  for (let y = Number(range.start.slice(0, 4)) - 1; y <= Number(range.end.slice(0, 4)) + 1; y++) {
    const day = festivalDate(s.festival, y);
    const w = { festivalDate: day, start: addDays(day, -s.daysBefore), end: addDays(day, s.daysAfter) };
    if (w.end >= range.start && w.start <= range.end) out.push(w);
  }
  return out;
}

/** Every day of the entry inside the range, in order (a festival window gives each of its days). */
export function occurrences(s: CalendarSchedule, range: DateRange): Occurrence[] {
  const out: Occurrence[] = [];
  if (range.start > range.end) return out;
  switch (s.kind) {
    case 'weekday': {
      let d = addDays(range.start, (s.weekday - weekday(range.start) + 7) % 7);
      for (; d <= range.end; d = addDays(d, 7)) out.push({ date: d, festivalDate: null });
      return out;
    }
    case 'month_day': {
      let y = Number(range.start.slice(0, 4));
      let m = Number(range.start.slice(5, 7));
      for (;;) {
        const d = `${y}-${pad(m)}-${pad(Math.min(s.monthDay, lastDayOfMonth(y, m)))}`;
        if (d > range.end) return out;
        if (d >= range.start) out.push({ date: d, festivalDate: null });
        if (++m > 12) { m = 1; y++; }
      }
    }
    case 'festival':
      for (const w of festivalWindows(s, range)) {
        for (let d = w.start > range.start ? w.start : range.start; d <= w.end && d <= range.end; d = addDays(d, 1)) out.push({ date: d, festivalDate: w.festivalDate });
      }
      return out;
  }
}

/** A public holiday or weekend rest day on the Chinese calendar (调休 working weekends are not). */
export const isRestDay = (date: string) => !chineseDays.isWorkday(date);

/** Public holidays (not plain weekends) in a range, with their Chinese names. */
export function holidaysIn(range: DateRange): { date: string; name: string }[] {
  return chineseDays.getHolidaysInRange(range.start, range.end, false).map((date) => {
    const name = chineseDays.getDayDetail(date).name.split(',')[1] ?? '节假日';
    return { date, name };
  });
}

export function describeSchedule(s: CalendarSchedule): string {
  switch (s.kind) {
    case 'weekday':
      return `每${weekdayLabels[s.weekday]}`;
    case 'month_day':
      return `每月${s.monthDay}日`;
    case 'festival': {
      const lunar = s.festival === 'chongyang' ? '（农历九月初九）' : s.festival === 'chunjie' ? '（农历正月初一）' : '（7月1日）';
      const around = s.daysBefore || s.daysAfter ? `前${s.daysBefore}天至后${s.daysAfter}天` : '当天';
      return `${festivalLabels[s.festival].zh}${lunar}${around}`;
    }
  }
}

/** One Chinese line for the entry list: 每月20日 · 县级、科级干部 · 老党员、困难户. */
export function describeEntry(s: CalendarSchedule, cadres: CalendarCadres, targets: CalendarTargets | null): string {
  const who: string[] = [];
  if (cadres.ranks) who.push(`${cadres.ranks.map((r) => cadreRankLabels[r].zh).join('、')}干部`);
  if (cadres.unitLevels) who.push(`${cadres.unitLevels.map((l) => unitLevelLabels[l].zh).join('、')}单位`);
  if (cadres.unitIds) who.push(`指定${cadres.unitIds.length}个单位`);
  const parts = [describeSchedule(s), who.length ? who.join('，') : '全体干部'];
  if (targets?.tags) parts.push(targets.tags.join('、'));
  return parts.join(' · ');
}

export const kindLabel = (s: CalendarSchedule) => calendarEntryKindLabels[s.kind].zh;
