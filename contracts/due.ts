import { z } from 'zod';
import { dbIdQuery } from './common.ts';
import type { ActivityKind } from '../src/db/schema.ts';
import { calendarDate, campaignTargetKind, visitFrequency } from './campaigns.ts';

// "What is due for me" (issue 4 item 7): per open pairing of a cadre, how many visits its
// campaign's visit frequency asks for in the current period, how many were made, and when the
// next one is due.
//
// - Pairings: the cadre's own and those of teams the cadre is a current member of, open on the
//   day asked about, in campaigns running that day, whose campaign sets a frequency for the
//   target's kind (the others are only counted in `withoutFrequency`).
// - Period: the calendar week (Monday to Sunday, China time), month, quarter or year that holds
//   the day, clipped to the campaign's and the pairing's dates.
// - Slots: the whole calendar period is split into `times` equal slots (by months when they divide
//   evenly — 4 a year gives quarters — else by days); visit k is due by the end of slot k. A slot
//   is required when the clipped period covers at least half of it (if none is, the last slot it
//   touches), and a due date is never after the clipped end. So with 4 a year and 1 done, the 2nd
//   is due by the end of June; a pairing made in August owes 2 visits that year, by the end of
//   September and of December; a campaign starting on 20 March owes nothing for the first quarter.
// - A visit: an activity of one of `visitActivityKinds` that the cadre took part in, with the
//   target among its targets, starting inside the period (China dates).
// - State: met (done ≥ required), overdue (the next due date is before the day), due_this_week
//   (due by this Sunday), due_this_month (by the end of this month), later.

/** Activities that count as a visit to each of their targets: everything where the cadre goes to
 * the target — not 接访 (reception), where the people come to the cadre. */
export const visitActivityKinds = [
  'household_visit', 'stay', 'forum', 'talk', 'consultation', 'policy_talk', 'condolence', 'onsite_office', 'enterprise_visit', 'project_visit', 'research',
] as const satisfies readonly ActivityKind[];

export const dueStates = ['overdue', 'due_this_week', 'due_this_month', 'later', 'met'] as const;
export const dueState = z.enum(dueStates);
export type DueState = z.infer<typeof dueState>;
export const dueStateLabels: Record<DueState, { zh: string; en: string }> = {
  overdue: { zh: '已逾期', en: 'Overdue' },
  due_this_week: { zh: '本周应走访', en: 'Due this week' },
  due_this_month: { zh: '本月应走访', en: 'Due this month' },
  later: { zh: '稍后', en: 'Later' },
  met: { zh: '已完成', en: 'Done' },
};
export const visitPeriodLabels = {
  week: { zh: '每周', en: 'a week' },
  month: { zh: '每月', en: 'a month' },
  quarter: { zh: '每季度', en: 'a quarter' },
  year: { zh: '每年', en: 'a year' },
} as const;

export const dueQuery = z.object({
  cadreId: dbIdQuery.optional().describe('default: your own cadre; another cadre only within your scope'),
  asOf: calendarDate.optional().describe('the day to compute for (China date); default today'),
});
export type DueQuery = z.infer<typeof dueQuery>;

export const dueItem = z.object({
  pairingId: z.number().int(),
  campaignId: z.number().int(),
  campaignName: z.string(),
  targetId: z.number().int(),
  targetName: z.string(),
  targetKind: campaignTargetKind,
  targetRegionName: z.string(),
  via: z.enum(['direct', 'team']),
  teamId: z.number().int().nullable(),
  teamName: z.string().nullable(),
  frequency: visitFrequency,
  periodStart: z.string(),
  periodEnd: z.string(),
  required: z.number().int(),
  done: z.number().int(),
  lastVisitOn: z.string().nullable().describe('the latest visit in the period'),
  nextDueOn: z.string().nullable().describe('when the next visit is due; null when met'),
  state: dueState,
});
export type DueItem = z.infer<typeof dueItem>;

export const dueList = z.object({
  cadre: z.object({ id: z.number().int(), name: z.string(), unitName: z.string() }),
  asOf: z.string(),
  items: z.array(dueItem).describe('most urgent first: overdue, this week, this month, later, met; then by due date'),
  counts: z.record(dueState, z.number().int()),
  withoutFrequency: z.number().int().describe('open pairings whose campaign sets no visit frequency for the target’s kind'),
});
export type DueList = z.infer<typeof dueList>;
