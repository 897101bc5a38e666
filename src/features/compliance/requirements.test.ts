import { describe, expect, it } from 'vitest';
import {
  describeRequirementRule,
  requirementRule,
  type RequirementMeasure,
  type RequirementRule,
  type RequirementRuleInput,
  type RequirementThreshold,
} from '../../../contracts/requirements.ts';
import { calendarKnownThrough } from '../../lib/workdays.ts';
import {
  calendarWindow,
  campaignWindows,
  festivalDate,
  onFixedDay,
  periodWindow,
  windowProgress,
  workingDaysIn,
  type PeriodWindow,
} from './periods.ts';
import { classifyCompliance, requiredBounds } from './status.ts';
import { specRules } from './spec-rules.ts';

// Pure: rules as data, period windows, compliance status. No database.

const issues = (input: unknown) => {
  const r = requirementRule.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};

describe('requirement rules as data', () => {
  it.each(specRules)('expresses “$spec”', ({ rules }) => {
    for (const rule of rules) expect(issues(rule), rule.name).toEqual([]);
  });

  it('fills in the defaults and describes a rule in one Chinese line', () => {
    const r = requirementRule.parse(specRules[0]!.rules[0]);
    expect(r.description).toBe('');
    expect(r.threshold.unit).toBe('count');
    expect(describeRequirementRule(r)).toBe('每个联系对象（县级或科级干部）·村/社区：活动期间结对数至少1个');
    const share = requirementRule.parse(specRules[4]!.rules[0]);
    expect(describeRequirementRule(share)).toContain('至少工作日的三分之一');
    const writings = requirementRule.parse(specRules[4]!.rules[1]) as RequirementRule & { measure: { kind: 'writings' } };
    expect(writings.measure.statuses).toEqual(['submitted', 'reviewed', 'selected']);
  });

  const base: RequirementRuleInput = { name: '测试', subject: 'cadre', measure: { kind: 'activities', activityKinds: ['household_visit'] }, period: 'year', threshold: { op: 'at_least', value: 4 } };
  const refusals: { why: string; rule: Record<string, unknown>; path: string; message: RegExp }[] = [
    { why: 'at_least a fraction above 1', rule: { ...base, measure: { kind: 'days', activityKinds: ['stay'] }, threshold: { op: 'at_least', value: 1.5, unit: 'working_day_fraction' } }, path: 'threshold.value', message: /不能超过1.*无法达到/ },
    { why: 'at_most a fraction above 1', rule: { ...base, measure: { kind: 'days', activityKinds: ['stay'] }, threshold: { op: 'at_most', value: 2, unit: 'working_day_fraction' } }, path: 'threshold.value', message: /不能超过1/ },
    { why: 'a fraction of working days on a count that is not days', rule: { ...base, threshold: { op: 'at_least', value: 0.5, unit: 'working_day_fraction' } }, path: 'threshold.unit', message: /只适用于天数/ },
    { why: 'pairings held with no target kinds', rule: { ...base, measure: { kind: 'pairings' } }, path: 'targets.kinds', message: /targets\.kinds/ },
    { why: 'distinct targets with no target kinds', rule: { ...base, measure: { kind: 'targets_visited', activityKinds: ['household_visit'] } }, path: 'targets.kinds', message: /targets\.kinds/ },
    { why: 'per pairing with no target kinds', rule: { ...base, subject: 'pairing' }, path: 'targets.kinds', message: /按每个结对.*targets\.kinds/ },
    { why: 'per target with no target kinds', rule: { ...base, subject: 'target' }, path: 'targets.kinds', message: /targets\.kinds/ },
    { why: 'per pairing, counting pairings', rule: { ...base, subject: 'pairing', targets: { kinds: ['household'] }, measure: { kind: 'pairings' } }, path: 'measure.kind', message: /不能统计“结对数”/ },
    { why: 'per pairing, counting distinct targets', rule: { ...base, subject: 'pairing', targets: { kinds: ['household'] }, measure: { kind: 'targets_visited', activityKinds: ['household_visit'] } }, path: 'measure.kind', message: /走访的不同对象数/ },
    { why: 'per target, counting distinct targets', rule: { ...base, subject: 'target', targets: { kinds: ['village'] }, measure: { kind: 'targets_visited', activityKinds: ['stay'] } }, path: 'measure.kind', message: /按每个联系对象考核时不能统计/ },
    { why: 'an empty list of activity kinds', rule: { ...base, measure: { kind: 'activities', activityKinds: [] } }, path: 'measure.activityKinds', message: /活动类型/ },
    { why: 'an empty list of writing kinds', rule: { ...base, measure: { kind: 'writings', writingKinds: [] } }, path: 'measure.writingKinds', message: /文稿类型/ },
    { why: 'an empty list of writing states', rule: { ...base, measure: { kind: 'writings', writingKinds: ['diary'], statuses: [] } }, path: 'measure.statuses', message: /文稿状态/ },
    { why: 'an empty list of ranks', rule: { ...base, cadres: { ranks: [] } }, path: 'cadres.ranks', message: /职级 ranks不能为空列表/ },
    { why: 'an empty list of target kinds', rule: { ...base, targets: { kinds: [] } }, path: 'targets.kinds', message: /对象类型/ },
    { why: 'an empty list of tags', rule: { ...base, targets: { kinds: ['household'], tags: [] } }, path: 'targets.tags', message: /标签/ },
    { why: 'a kind listed twice', rule: { ...base, measure: { kind: 'activities', activityKinds: ['stay', 'stay'] } }, path: 'measure.activityKinds', message: /重复/ },
    { why: 'an unknown activity kind', rule: { ...base, measure: { kind: 'activities', activityKinds: ['picnic'] } }, path: 'measure.activityKinds.0', message: /.+/ },
    { why: 'an unknown target kind', rule: { ...base, targets: { kinds: ['castle'] } }, path: 'targets.kinds.0', message: /.+/ },
    { why: 'an unknown measure', rule: { ...base, measure: { kind: 'smiles' } }, path: 'measure.kind', message: /measure\.kind/ },
    { why: 'an unknown cadre condition', rule: { ...base, cadres: { height: 180 } }, path: 'cadres', message: /干部条件 cadres 没有字段 height/ },
    { why: 'between with min above max', rule: { ...base, threshold: { op: 'between', min: 6, max: 4 } }, path: 'threshold.max', message: /上限 4 小于下限 6/ },
    { why: 'between without max', rule: { ...base, threshold: { op: 'between', min: 4 } }, path: 'threshold.max', message: /max/ },
    { why: 'at_least with min and max', rule: { ...base, threshold: { op: 'at_least', value: 2, min: 1 } }, path: 'threshold.min', message: /只填 value/ },
    { why: 'at_least without a value', rule: { ...base, threshold: { op: 'at_least' } }, path: 'threshold.value', message: /须填写阈值 value/ },
    { why: 'at_least 0', rule: { ...base, threshold: { op: 'at_least', value: 0 } }, path: 'threshold.value', message: /总能满足/ },
    { why: 'a count that is not whole', rule: { ...base, threshold: { op: 'at_least', value: 2.5 } }, path: 'threshold.value', message: /整数/ },
    { why: 'more days than the week has', rule: { ...base, measure: { kind: 'days', activityKinds: ['stay'] }, period: 'week', threshold: { op: 'at_least', value: 8 } }, path: 'threshold.value', message: /每周最多只有7天/ },
    { why: 'more days than the festival window has', rule: { ...base, measure: { kind: 'days', activityKinds: ['stay'] }, period: 'festival', festival: { name: 'qiyi', daysBefore: 2 }, threshold: { op: 'at_least', value: 4 } }, path: 'threshold.value', message: /最多只有3天/ },
    { why: 'a festival period without the festival', rule: { ...base, period: 'festival' }, path: 'festival', message: /须指定节日/ },
    { why: 'a festival on a yearly rule', rule: { ...base, festival: { name: 'chunjie' } }, path: 'festival', message: /现为 year/ },
    { why: 'pairings around a festival', rule: { ...base, measure: { kind: 'pairings' }, targets: { kinds: ['household'] }, period: 'festival', festival: { name: 'chunjie' } }, path: 'period', message: /结对数是现状/ },
    { why: 'a day of the month counted per week', rule: { ...base, on: { monthDays: [20] }, period: 'week' }, path: 'on.monthDays', message: /不能是每周/ },
    { why: 'fixed days with nothing in them', rule: { ...base, on: {} }, path: 'on.weekdays', message: /weekdays 或每月日期 monthDays/ },
    { why: 'fixed days on writings', rule: { ...base, measure: { kind: 'writings', writingKinds: ['diary'] }, on: { weekdays: [2] } }, path: 'on', message: /不适用于“文稿篇数”/ },
    { why: 'weekday 8', rule: { ...base, on: { weekdays: [8] } }, path: 'on.weekdays.0', message: /1（周一）到 7（周日）/ },
    { why: 'participants min above max', rule: { ...base, measure: { kind: 'activities', activityKinds: ['household_visit'], participants: { min: 3, max: 2 } } }, path: 'measure.participants.max', message: /参加人数上限 2 小于下限 3/ },
    { why: 'the township of the target on a per-cadre rule', rule: { ...base, measure: { kind: 'activities', activityKinds: ['forum'], place: 'target_township' } }, path: 'measure.place', message: /只适用于按结对或按联系对象/ },
    { why: 'research topics counted as writing', rule: { ...base, measure: { kind: 'writings', writingKinds: ['research_topic'] } }, path: 'measure.writingKinds', message: /调研课题是下达的任务/ },
    { why: 'no name', rule: { ...base, name: ' ' }, path: 'name', message: /规则名称 name 不能为空/ },
  ];
  it.each(refusals)('refuses $why, at $path', ({ rule, path, message }) => {
    const found = issues(rule);
    expect(found.map((i) => i.path), JSON.stringify(found)).toContain(path);
    expect(found.find((i) => i.path === path)!.message).toMatch(message);
  });

  it('reports every contradiction at once', () => {
    const found = issues({ ...base, subject: 'pairing', measure: { kind: 'pairings' }, threshold: { op: 'between', min: 5, max: 2 } });
    expect(found.map((i) => i.path).sort()).toEqual(['measure.kind', 'targets.kinds', 'threshold.max']);
  });
});

// ── Period windows ───────────────────────────────────────────────────────────────────────────

const year2026 = { startsOn: '2026-01-01', endsOn: '2026-12-31' };
const china = (local: string) => new Date(`${local}+08:00`);

describe('period windows (China calendar)', () => {
  it('runs weeks Monday to Sunday, named by ISO week', () => {
    expect(calendarWindow('week', '2026-11-22')).toEqual({ start: '2026-11-16', end: '2026-11-22', key: '2026-W47' });
    expect(calendarWindow('week', '2026-11-23')).toEqual({ start: '2026-11-23', end: '2026-11-29', key: '2026-W48' });
    // 2026 starts on a Thursday, so it has 53 ISO weeks; the last runs into 2027.
    expect(calendarWindow('week', '2027-01-03')).toEqual({ start: '2026-12-28', end: '2027-01-03', key: '2026-W53' });
    expect(calendarWindow('week', '2025-12-29').key).toBe('2026-W01');
  });

  it('ends months, quarters and years on their last day (leap February included)', () => {
    expect(calendarWindow('month', '2028-02-10')).toEqual({ start: '2028-02-01', end: '2028-02-29', key: '2028-02' });
    expect(calendarWindow('month', '2026-02-28')).toEqual({ start: '2026-02-01', end: '2026-02-28', key: '2026-02' });
    expect(calendarWindow('quarter', '2026-11-22')).toEqual({ start: '2026-10-01', end: '2026-12-31', key: '2026-Q4' });
    expect(calendarWindow('quarter', '2026-03-31')).toEqual({ start: '2026-01-01', end: '2026-03-31', key: '2026-Q1' });
    expect(calendarWindow('year', '2026-07-01')).toEqual({ start: '2026-01-01', end: '2026-12-31', key: '2026' });
  });

  it('computes the lunar festivals per year and their windows', () => {
    expect(festivalDate('chunjie', 2026)).toBe('2026-02-17');
    expect(festivalDate('chunjie', 2027)).toBe('2027-02-06');
    expect(festivalDate('chongyang', 2026)).toBe('2026-10-18');
    expect(festivalDate('qiyi', 2026)).toBe('2026-07-01');
    expect(calendarWindow('festival', '2026-05-05', { name: 'chunjie', daysBefore: 15, daysAfter: 0 })).toEqual({ start: '2026-02-02', end: '2026-02-17', key: 'chunjie-2026' });
  });

  it('clips windows to the campaign and lists every window of it', () => {
    const campaign = { startsOn: '2026-03-20', endsOn: '2026-06-10' };
    expect(periodWindow('week', '2026-03-21', campaign)).toMatchObject({ start: '2026-03-20', end: '2026-03-22', calendar: { start: '2026-03-16', end: '2026-03-22' }, clipped: true });
    expect(periodWindow('month', '2026-04-15', campaign)).toMatchObject({ start: '2026-04-01', end: '2026-04-30', clipped: false });
    expect(periodWindow('campaign', '2026-04-15', campaign)).toMatchObject({ start: '2026-03-20', end: '2026-06-10', key: 'campaign' });
    expect(periodWindow('month', '2026-06-11', campaign)).toBeNull();
    expect(campaignWindows('month', campaign).map((w) => [w.key, w.start, w.end])).toEqual([
      ['2026-03', '2026-03-20', '2026-03-31'], ['2026-04', '2026-04-01', '2026-04-30'], ['2026-05', '2026-05-01', '2026-05-31'], ['2026-06', '2026-06-01', '2026-06-10'],
    ]);
    expect(campaignWindows('week', campaign)).toHaveLength(13);
    // 重阳 2026 (18 Oct) lies outside this campaign; 七一 lies outside too.
    expect(campaignWindows('festival', campaign, { name: 'chongyang', daysBefore: 3, daysAfter: 3 })).toEqual([]);
    expect(campaignWindows('festival', { startsOn: '2026-01-01', endsOn: '2027-12-31' }, { name: 'chunjie', daysBefore: 15, daysAfter: 0 }).map((w) => w.key)).toEqual(['chunjie-2026', 'chunjie-2027']);
  });

  it('counts working days with holidays off and make-up days (调休) on', () => {
    // October 2026: 22 weekdays; National Day takes 1, 2, 5, 6, 7 October off; Saturday 10 October is worked.
    expect(workingDaysIn({ start: '2026-10-01', end: '2026-10-31' })).toEqual({ days: 18, beyondCalendar: false });
    // September 2026: 22 weekdays; Mid-Autumn takes Friday 25 off; Sunday 20 is worked.
    expect(workingDaysIn({ start: '2026-09-01', end: '2026-09-30' }).days).toBe(22);
    expect(workingDaysIn({ start: '2026-10-01', end: '2026-10-07' }).days).toBe(0);
    expect(workingDaysIn({ start: `${calendarKnownThrough + 1}-01-01`, end: `${calendarKnownThrough + 1}-01-31` }).beyondCalendar).toBe(true);
  });

  it('says where today stands in a window, by the China date', () => {
    const year = periodWindow('year', '2026-06-01', year2026)!;
    expect(windowProgress(year, china('2026-11-22T10:00:00'))).toMatchObject({ today: '2026-11-22', phase: 'open', elapsedDays: 325, daysLeft: 40, totalDays: 365 });
    // 16:30 UTC on the 21st is already the 22nd in China.
    expect(windowProgress(year, new Date('2026-11-21T16:30:00Z')).today).toBe('2026-11-22');
    expect(windowProgress(year, china('2026-12-31T23:59:00'))).toMatchObject({ daysLeft: 1, workingDaysLeft: 1 });
    expect(windowProgress(year, china('2027-01-01T00:00:00'))).toMatchObject({ phase: 'ended', daysLeft: 0 });
    expect(windowProgress(year, china('2025-12-31T12:00:00'))).toMatchObject({ phase: 'before', elapsedDays: 0, daysLeft: 365 });
    // The National Day week leaves no working day from 1 to 7 October.
    const oct = periodWindow('month', '2026-10-01', year2026)!;
    expect(windowProgress(oct, china('2026-10-01T09:00:00'))).toMatchObject({ daysLeft: 31, workingDaysLeft: 18 });
  });

  it('matches fixed days: any listed weekday or day of the month', () => {
    expect(onFixedDay('2026-11-20', { monthDays: [20] })).toBe(true);
    expect(onFixedDay('2026-11-19', { monthDays: [20] })).toBe(false);
    expect(onFixedDay('2026-11-17', { weekdays: [2] })).toBe(true); // a Tuesday
    expect(onFixedDay('2026-11-22', { weekdays: [2], monthDays: [22] })).toBe(true);
    expect(onFixedDay('2026-11-22', undefined)).toBe(true);
  });
});

// ── Status ───────────────────────────────────────────────────────────────────────────────────

const visitMeasure: RequirementMeasure = { kind: 'activities', activityKinds: ['household_visit'], place: 'target' };
const atLeast = (value: number): RequirementThreshold => ({ op: 'at_least', value, unit: 'count' });
const atMost = (value: number): RequirementThreshold => ({ op: 'at_most', value, unit: 'count' });
const win = (period: 'week' | 'month' | 'year' | 'festival', date: string, festival?: { name: 'chongyang'; daysBefore: number; daysAfter: number }): PeriodWindow =>
  periodWindow(period, date, { startsOn: '2020-01-01', endsOn: '2030-12-31' }, festival)!;
const status = (over: Partial<Parameters<typeof classifyCompliance>[0]> & { count: number; now: Date }) =>
  classifyCompliance({ subjectName: '王家村 李某某户', measure: visitMeasure, threshold: atLeast(4), window: win('year', '2026-01-01'), atRiskDays: 7, ...over });

describe('compliance status', () => {
  it('explains a pairing falling behind: 2 of 4 visits with 41 days left', () => {
    const r = status({ count: 2, now: china('2026-11-21T09:00:00') });
    expect(r).toMatchObject({ status: 'at_risk', reason: 'pace', missing: 2, progress: { daysLeft: 41 } });
    expect(r.explanation).toBe('王家村 李某某户：今年已走访2次，要求4次；剩余41天，按目前进度难以完成');
  });

  it('is on track while the pace so far fits what is missing', () => {
    expect(status({ count: 2, now: china('2026-06-01T09:00:00') })).toMatchObject({ status: 'on_track', reason: 'on_track' });
    // Nothing yet early in the year: not at risk on the fifth day.
    expect(status({ count: 0, now: china('2026-01-05T09:00:00') }).status).toBe('on_track');
    // Nothing yet by 1 July: half the year gone for no visit, four still to make.
    expect(status({ count: 0, now: china('2026-07-01T09:00:00') })).toMatchObject({ status: 'at_risk', reason: 'pace' });
  });

  it('draws the pace line exactly: missing × (days elapsed ÷ max(count, 1)) against days left', () => {
    // None of 4 yet: 15 March (73 days gone, 292 left: 4 × 73 = 292) still fits; 16 March does not.
    expect(status({ count: 0, now: china('2026-03-15T09:00:00') }).status).toBe('on_track');
    expect(status({ count: 0, now: china('2026-03-16T09:00:00') }).status).toBe('at_risk');
    // 2 of 4: 2 July (182 gone, 183 left) fits; 3 July (183 gone, 182 left) does not.
    expect(status({ count: 2, now: china('2026-07-02T09:00:00') }).status).toBe('on_track');
    expect(status({ count: 2, now: china('2026-07-03T09:00:00') }).status).toBe('at_risk');
  });

  it('counts only the fixed days left: after the 20th a monthly 接访日 duty can no longer be met', () => {
    const month = win('month', '2026-11-01');
    const reception = { window: month, threshold: atLeast(1), on: { monthDays: [20] }, atRiskDays: 3 };
    // Before the 20th: one fixed day left, so only the calendar's few-days rule applies.
    expect(status({ ...reception, count: 0, now: china('2026-11-10T09:00:00') }).status).toBe('on_track');
    // On the 20th itself the day still counts.
    expect(status({ ...reception, count: 0, now: china('2026-11-20T09:00:00') }).status).not.toBe('missed');
    const after = status({ ...reception, count: 0, now: china('2026-11-22T09:00:00') });
    expect(after).toMatchObject({ status: 'missed', reason: 'no_fixed_day_left' });
    expect(after.explanation).toBe('王家村 李某某户：本月已走访0次，要求1次；剩余9天，本期已无固定日，无法再达标');
    // Met stays met; without fixed days the same count is only at risk.
    expect(status({ ...reception, count: 1, now: china('2026-11-22T09:00:00') }).status).toBe('met');
    expect(status({ ...reception, on: undefined, count: 0, now: china('2026-11-22T09:00:00') }).status).toBe('at_risk');
    // Distinct days on Tuesdays: two Tuesdays left (24th, and today is none) cannot hold three more days.
    const tuesdays = { measure: { kind: 'days', activityKinds: ['stay'] } as RequirementMeasure, window: month, on: { weekdays: [2] }, atRiskDays: 0 };
    expect(status({ ...tuesdays, threshold: atLeast(3), count: 0, now: china('2026-11-22T09:00:00') })).toMatchObject({ status: 'at_risk', reason: 'cannot_fit' });
  });

  it('is met for good once reached, missed when the window ends short', () => {
    expect(status({ count: 4, now: china('2026-03-01T09:00:00') }).status).toBe('met');
    expect(status({ count: 5, now: china('2027-02-01T09:00:00') }).status).toBe('met');
    const r = status({ count: 3, now: china('2027-01-02T09:00:00') });
    expect(r).toMatchObject({ status: 'missed', reason: 'ended_short' });
    expect(r.explanation).toBe('王家村 李某某户：2026年已走访3次，要求4次；已于12月31日结束，未达到要求');
  });

  it('is at risk when fewer days than the margin are left', () => {
    const week = win('week', '2026-11-16');
    // Twice a week, once so far, on Saturday: one day of the week left after today.
    const r = status({ subjectName: '张三', threshold: atLeast(2), window: week, count: 1, now: china('2026-11-21T09:00:00'), atRiskDays: 3 });
    expect(r).toMatchObject({ status: 'at_risk', reason: 'few_days_left' });
    expect(r.explanation).toBe('张三：本周已走访1次，要求2次；剩余2天，临近期末（不足3天）');
    // Tuesday with none yet: the pace allows it and 6 days are left.
    expect(status({ threshold: atLeast(2), window: week, count: 0, now: china('2026-11-17T09:00:00'), atRiskDays: 3 }).status).toBe('on_track');
  });

  it('is on track before the window starts', () => {
    const r = status({ count: 0, now: china('2025-12-20T09:00:00') });
    expect(r).toMatchObject({ status: 'on_track', reason: 'not_started' });
    expect(r.explanation).toContain('1月1日开始');
  });

  it('counts days one a day: 25 stay days cannot fit into 22', () => {
    const r = status({ subjectName: '李四', measure: { kind: 'days', activityKinds: ['stay'] }, threshold: atLeast(30), count: 5, now: china('2026-12-10T09:00:00') });
    expect(r).toMatchObject({ status: 'at_risk', reason: 'cannot_fit' });
    expect(r.explanation).toBe('李四：今年已驻村蹲点5天，要求30天；剩余22天，还差25天，剩余天数已不够');
  });

  it('keeps an upper bound: met when the window ends under it, missed once passed, at risk when the pace would pass it', () => {
    const solo: RequirementMeasure = { kind: 'activities', activityKinds: ['household_visit'], participants: { max: 1 }, place: 'target' };
    const month = win('month', '2026-11-01');
    expect(status({ measure: solo, threshold: atMost(0), window: month, count: 0, now: china('2026-11-10T09:00:00') }).status).toBe('on_track');
    expect(status({ measure: solo, threshold: atMost(0), window: month, count: 0, now: china('2026-12-01T09:00:00') }).status).toBe('met');
    const over = status({ subjectName: '张三', measure: solo, threshold: atMost(0), window: month, count: 1, now: china('2026-11-10T09:00:00') });
    expect(over).toMatchObject({ status: 'missed', reason: 'over_limit' });
    expect(over.explanation).toBe('张三：本月已走访1次，要求不超过0次；剩余21天，已超过上限');
    // 4 in the first 9 days of the month heads for 13 by its end; the limit is 6.
    expect(status({ threshold: atMost(6), window: month, count: 4, now: china('2026-11-10T09:00:00') })).toMatchObject({ status: 'at_risk', reason: 'pace_over_limit' });
    expect(status({ threshold: atMost(6), window: month, count: 1, now: china('2026-11-10T09:00:00') }).status).toBe('on_track');
  });

  it('turns a fraction of working days into days: one third of October 2026 is 6 of its 18 working days', () => {
    const grassroots: RequirementMeasure = { kind: 'days', activityKinds: ['stay', 'household_visit'] };
    const third: RequirementThreshold = { op: 'at_least', value: 1 / 3, unit: 'working_day_fraction' };
    const oct = win('month', '2026-10-01');
    expect(requiredBounds(third, oct)).toEqual({ workingDays: 18, min: 6 });
    // The year 2026 has 248 working days: a third is 82.67, so 83 days.
    expect(requiredBounds(third, win('year', '2026-01-01'))).toEqual({ workingDays: 248, min: 83 });
    const r = status({ subjectName: '王五', measure: grassroots, threshold: third, window: oct, count: 6, now: china('2026-10-20T09:00:00') });
    expect(r.status).toBe('met');
    expect(r.explanation).toBe('王五：本月已下基层6天，要求6天（18个工作日的三分之一）；剩余12天');
    expect(status({ measure: grassroots, threshold: third, window: oct, count: 1, now: china('2026-10-25T09:00:00') }).reason).toBe('pace');
  });

  it('judges a state (pairings held) as it stands, with no pace', () => {
    const held: RequirementMeasure = { kind: 'pairings', via: 'direct_or_team' };
    const about5: RequirementThreshold = { op: 'between', min: 4, max: 6, unit: 'count' };
    const campaign = periodWindow('campaign', '2026-05-01', year2026)!;
    const short = status({ subjectName: '张三', measure: held, threshold: about5, window: campaign, count: 3, now: china('2026-05-01T09:00:00') });
    expect(short).toMatchObject({ status: 'at_risk', reason: 'state_unmet' });
    expect(short.explanation).toBe('张三：现有结对3个，要求4–6个；剩余245天');
    expect(status({ measure: held, threshold: about5, window: campaign, count: 5, now: china('2026-05-01T09:00:00') }).status).toBe('met');
    expect(status({ measure: held, threshold: about5, window: campaign, count: 7, now: china('2027-01-01T09:00:00') })).toMatchObject({ status: 'missed', reason: 'over_limit' });
  });

  it('names a festival window: 重阳 visits two days before it ends', () => {
    const chongyang = win('festival', '2026-06-01', { name: 'chongyang', daysBefore: 3, daysAfter: 3 });
    expect([chongyang.start, chongyang.end]).toEqual(['2026-10-15', '2026-10-21']);
    const r = status({ subjectName: '王家村 张某某户', threshold: atLeast(1), window: chongyang, count: 0, now: china('2026-10-20T09:00:00'), atRiskDays: 3 });
    expect(r).toMatchObject({ status: 'at_risk', reason: 'few_days_left' });
    expect(r.explanation).toBe('王家村 张某某户：重阳前后已走访0次，要求1次；剩余2天，临近期末（不足3天）');
  });
});
