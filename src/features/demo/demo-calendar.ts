import type { SaveCalendarEntry } from '../../../contracts/calendar.ts';
import type { Executor } from '../../db/database.ts';
import type { Actor } from '../auth/actor.ts';
import { createCalendarEntry } from '../calendar/calendar.ts';

// The demo campaign's calendar: SPEC §2's fixed days and holiday visits, as an admin would enter them.
export const demoCalendar: SaveCalendarEntry[] = [
  { name: '接访日', schedule: { kind: 'month_day', monthDay: 20 }, cadres: {}, targets: null, active: true, description: '每月20日，干部到联系点接待群众来访，现场登记诉求' },
  { name: '公开日', schedule: { kind: 'month_day', monthDay: 9 }, cadres: { unitLevels: ['township', 'village'] }, targets: null, active: true, description: '每月9日，村务、财务、党务公开' },
  { name: '党员活动日', schedule: { kind: 'weekday', weekday: 2 }, cadres: {}, targets: null, active: true, description: '每周二，机关干部参加联系村党员活动' },
  { name: '村务办公日', schedule: { kind: 'weekday', weekday: 5 }, cadres: { unitLevels: ['township', 'village'] }, targets: null, active: true, description: '每周五，驻村干部到村办公，现场办理群众事项' },
  { name: '学习日', schedule: { kind: 'month_day', monthDay: 15 }, cadres: {}, targets: null, active: true, description: '每月15日，党员集中学习' },
  { name: '七一走访', schedule: { kind: 'festival', festival: 'qiyi', daysBefore: 7, daysAfter: 0 }, cadres: {}, targets: { tags: ['老党员'] }, active: true, description: '七一前走访慰问老党员' },
  { name: '重阳走访', schedule: { kind: 'festival', festival: 'chongyang', daysBefore: 7, daysAfter: 3 }, cadres: {}, targets: { tags: ['百岁老人', '老党员'] }, active: true, description: '重阳节前后看望百岁老人和老党员' },
  { name: '春节走访', schedule: { kind: 'festival', festival: 'chunjie', daysBefore: 15, daysAfter: 5 }, cadres: {}, targets: { tags: ['困难户', '老党员', '百岁老人'] }, active: true, description: '春节前后走访慰问困难户、老党员和百岁老人' },
];

export async function loadDemoCalendar(tx: Executor, actor: Actor, ctx: { campaignId: number }): Promise<{ entries: number }> {
  for (const e of demoCalendar) await createCalendarEntry(tx, actor, ctx.campaignId, e);
  return { entries: demoCalendar.length };
}
