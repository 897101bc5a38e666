import { activityKindLabels } from '../../../contracts/activities.ts';
import {
  festivalLabels,
  fractionZh,
  measureAccrues,
  requirementMeasureLabels,
  type ComplianceStatus,
  type RequirementMeasure,
  type RequirementOn,
  type RequirementThreshold,
} from '../../../contracts/requirements.ts';
import { writingKindLabels } from '../../../contracts/writings.ts';
import { addDays, onFixedDay, windowName, windowProgress, workingDaysIn, type PeriodWindow, type WindowProgress } from './periods.ts';

// Compliance of one subject with one rule in one window (issue 6 item 2):
//
//  - met: the count meets the threshold for good — a lower bound reached (counts only grow), or an
//    upper bound kept until the window ended; a state (pairings held) meets it as it stands now.
//  - missed: it can no longer be met — the window ended short, or an upper bound was passed.
//  - at_risk: not yet met and either fewer than `atRiskDays` days are left, or the days left can
//    no longer fit what is still missing at the pace so far. The pace is the time one record took
//    so far (days elapsed ÷ count); with nothing yet it is the whole time elapsed, as if the first
//    record came today — otherwise everyone would be at risk on the second day of a year. Day
//    counts also need one calendar day each. For an upper bound: the count so far, carried on at
//    its pace to the end, would pass it. A state that does not meet its rule is at risk while the
//    window is open (it can be fixed by pairing), missed once it has ended.
//  - on_track: otherwise, and before the window starts.
//
// A fraction of working days turns into a count on the whole window: at least ⌈f × working days⌉,
// at most ⌊f × working days⌋.

export type Bounds = { min?: number; max?: number; workingDays?: number };

/** The threshold as counts for a window (fractions of working days resolved). */
export function requiredBounds(t: RequirementThreshold, window: { start: string; end: string }): Bounds {
  const raw = t.op === 'at_least' ? { min: t.value } : t.op === 'at_most' ? { max: t.value } : { min: t.min, max: t.max };
  if (t.unit === 'count') return { ...(raw.min !== undefined && { min: raw.min }), ...(raw.max !== undefined && { max: raw.max }) };
  const workingDays = workingDaysIn(window).days;
  // Rounding guards against 1/3 × 249 = 82.99999….
  const scaled = (f: number) => Math.round(f * workingDays * 1e6) / 1e6;
  return {
    workingDays,
    ...(raw.min !== undefined && { min: Math.ceil(scaled(raw.min)) }),
    ...(raw.max !== undefined && { max: Math.floor(scaled(raw.max)) }),
  };
}

export type StatusInput = {
  /** Whom it is about, as a person reads it: "王家村 李某某户", "张三", "第3调研组". */
  subjectName: string;
  measure: RequirementMeasure;
  threshold: RequirementThreshold;
  window: PeriodWindow;
  count: number;
  now: Date;
  /** Not yet met with fewer days than this left: at risk. */
  atRiskDays: number;
  /** The rule's fixed days (固定日): only those days can still add to the count. */
  on?: RequirementOn | undefined;
};

export type StatusResult = {
  status: ComplianceStatus;
  count: number;
  bounds: Bounds;
  progress: WindowProgress;
  /** What is still missing to reach the lower bound (0 when reached or there is none). */
  missing: number;
  reason: 'met' | 'not_started' | 'pace' | 'few_days_left' | 'cannot_fit' | 'no_fixed_day_left' | 'state_unmet' | 'ended_short' | 'over_limit' | 'pace_over_limit' | 'on_track';
  explanation: string;
};

export function classifyCompliance(input: StatusInput): StatusResult {
  const { count, window, measure, atRiskDays } = input;
  const bounds = requiredBounds(input.threshold, window);
  const progress = windowProgress(window, input.now);
  const { min, max } = bounds;
  const missing = min === undefined ? 0 : Math.max(0, min - count);
  const over = max !== undefined && count > max;
  const accrues = measureAccrues(measure.kind);
  const oneADay = measure.kind === 'days';
  // With fixed days, the time left is the fixed days left (today included): after the month's
  // 20th a 接访日 duty of that month can no longer be met, whatever the calendar says.
  const fixedDaysLeft = input.on && progress.phase !== 'ended' ? countFixedDays(progress.phase === 'open' ? progress.today : window.start, window.end, input.on) : undefined;

  const decide = (): Pick<StatusResult, 'status' | 'reason'> => {
    if (!accrues) {
      if (missing === 0 && !over) return { status: 'met', reason: 'met' };
      if (progress.phase === 'ended') return { status: 'missed', reason: over ? 'over_limit' : 'ended_short' };
      return { status: 'at_risk', reason: 'state_unmet' };
    }
    if (over) return { status: 'missed', reason: 'over_limit' };
    if (missing === 0) {
      // A lower bound is met for good; an upper bound only once the window is over.
      if (max === undefined || progress.phase === 'ended') return { status: 'met', reason: 'met' };
      if (progress.phase === 'open' && progress.elapsedDays > 0 && count > 0) {
        const projected = count + (count / progress.elapsedDays) * progress.daysLeft;
        if (projected > max) return { status: 'at_risk', reason: 'pace_over_limit' };
      }
      return { status: min === undefined || progress.phase === 'before' ? 'on_track' : 'met', reason: min === undefined || progress.phase === 'before' ? 'on_track' : 'met' };
    }
    if (progress.phase === 'ended') return { status: 'missed', reason: 'ended_short' };
    if (fixedDaysLeft === 0) return { status: 'missed', reason: 'no_fixed_day_left' };
    if (progress.phase === 'before') return { status: 'on_track', reason: 'not_started' };
    if (oneADay && missing > (fixedDaysLeft ?? progress.daysLeft)) return { status: 'at_risk', reason: 'cannot_fit' };
    if (progress.daysLeft < atRiskDays) return { status: 'at_risk', reason: 'few_days_left' };
    if (progress.elapsedDays > 0 && missing * (progress.elapsedDays / Math.max(count, 1)) > progress.daysLeft) return { status: 'at_risk', reason: 'pace' };
    return { status: 'on_track', reason: 'on_track' };
  };
  const { status, reason } = decide();
  return { status, reason, count, bounds, progress, missing, explanation: explain(input, bounds, progress, reason) };
}

function countFixedDays(from: string, to: string, on: RequirementOn): number {
  let n = 0;
  for (let d = from; d <= to; d = addDays(d, 1)) if (onFixedDay(d, on)) n++;
  return n;
}

// ── Wording ──────────────────────────────────────────────────────────────────────────────────

const visitKinds = new Set(['household_visit', 'enterprise_visit', 'project_visit', 'condolence']);

/** How the count reads: [verb, unit] — 走访…次, 驻村蹲点…天, 撰写调研报告…篇. */
export function measureWording(m: RequirementMeasure): { verb: string; unit: string } {
  const unit = requirementMeasureLabels[m.kind].unit;
  switch (m.kind) {
    case 'activities':
      if (m.activityKinds.every((k) => visitKinds.has(k))) return { verb: '走访', unit };
      return { verb: m.activityKinds.length === 1 ? `开展${activityKindLabels[m.activityKinds[0]!].zh}` : '开展活动', unit };
    case 'days':
      return { verb: m.activityKinds.length === 1 && m.activityKinds[0] === 'stay' ? '驻村蹲点' : '下基层', unit };
    case 'targets_visited':
      return { verb: '走访联系对象', unit };
    case 'writings':
      return { verb: `撰写${m.writingKinds.length === 1 ? writingKindLabels[m.writingKinds[0]!].zh : '文稿'}`, unit };
    case 'matters':
      return { verb: m.statuses.length === 1 && m.statuses[0] === 'done' ? '办结实事' : '落实实事', unit };
    case 'pairings':
      return { verb: '结对', unit };
  }
}

function explain(input: StatusInput, b: Bounds, p: WindowProgress, reason: StatusResult['reason']): string {
  const { verb, unit } = measureWording(input.measure);
  const md = (d: string) => `${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;
  const festival = input.window.period === 'festival' ? festivalLabels[input.window.key.slice(0, -5) as keyof typeof festivalLabels]?.zh : undefined;
  const when = windowName(input.window, p.today, festival);
  const share = b.workingDays === undefined ? ''
    : input.threshold.op === 'between' ? `（按${b.workingDays}个工作日计）` : `（${b.workingDays}个工作日的${fractionZh(input.threshold.value ?? 0)}）`;
  const required = b.min !== undefined && b.max !== undefined
    ? (b.min === b.max ? `${b.min}${unit}` : `${b.min}–${b.max}${unit}`)
    : b.min !== undefined ? `${b.min}${unit}` : `不超过${b.max}${unit}`;
  const done = measureAccrues(input.measure.kind) ? `${when}已${verb}${input.count}${unit}` : `现有${verb}${input.count}${unit}`;
  const time = p.phase === 'open' ? `剩余${p.daysLeft}天` : p.phase === 'before' ? `${md(input.window.start)}开始` : `已于${md(input.window.end)}结束`;
  const why: Partial<Record<StatusResult['reason'], string>> = {
    pace: '按目前进度难以完成',
    few_days_left: `临近期末（不足${input.atRiskDays}天）`,
    cannot_fit: `还差${b.min! - input.count}${unit}，剩余天数已不够`,
    pace_over_limit: '按目前进度将超过上限',
    over_limit: '已超过上限',
    no_fixed_day_left: '本期已无固定日，无法再达标',
    ended_short: '未达到要求',
  };
  return `${input.subjectName}：${done}，要求${required}${share}；${time}${why[reason] ? `，${why[reason]}` : ''}`;
}
