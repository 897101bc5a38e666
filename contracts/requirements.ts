import { z } from 'zod';
import { activityKind, activityKindLabels, type ActivityKind } from './activities.ts';
import { cadreRank, cadreRankLabels, cadreStatus, type CadreRank } from './cadres.ts';
import { dbId } from './common.ts';
import { pairingRole, teamKind } from './campaigns.ts';
import { matterStatus } from './matters.ts';
import { targetKind, targetKindLabels, type TargetKind } from './targets.ts';
import { unitLevel } from './units.ts';
import { writingKind, writingKindLabels, writingStatus, writingStatusLabels, type WritingKind, type WritingStatus } from './writings.ts';

// Requirement rules (硬性要求), SPEC §2 and issue 6: a measurable duty, composed by an admin as
// data, never hard-coded. One rule is one count against one threshold:
//
//   for each SUBJECT (cadre / pairing = cadre × target / target / team / unit)
//   count MEASURE (activities, distinct days, distinct targets visited, writings, practical matters, pairings held)
//   over the records involving CADRES (rank, unit, unit level, 五员 role, team, status)
//   and TARGETS (kind, tags — any of them)
//   within each PERIOD window (week Mon–Sun, month, quarter, year, the whole campaign, or a festival's days)
//   against THRESHOLD (at least / at most / between; a count, or a fraction of the window's working days).
//
// A duty the articles state in one sentence may need two rules ("at least 2 villages and 4
// households" is one rule per target kind); the test fixture in
// src/features/compliance/requirements.test.ts writes every SPEC §2 duty this way.
//
// The cadre and target filters mean the same for every subject: which cadres and targets the
// rule is about. Per cadre they choose whose duty it is and which targets count; per target
// ("every village has at least one 县级 or 科级 cadre") they choose which targets must be served
// and which cadres count towards it.

type Label = { zh: string; en: string };

export const requirementSubjects = ['cadre', 'pairing', 'target', 'team', 'unit'] as const;
export const requirementSubject = z.enum(requirementSubjects, { error: `考核对象 subject 应为 ${requirementSubjects.join(' / ')} 之一` });
export type RequirementSubject = z.infer<typeof requirementSubject>;
export const requirementSubjectLabels: Record<RequirementSubject, Label> = {
  cadre: { zh: '每名干部', en: 'Each cadre' },
  pairing: { zh: '每个结对（干部与联系对象）', en: 'Each pairing (cadre × target)' },
  target: { zh: '每个联系对象', en: 'Each contact target' },
  team: { zh: '每个组团', en: 'Each team' },
  unit: { zh: '每个单位', en: 'Each unit' },
};

export const requirementMeasureKinds = ['activities', 'days', 'targets_visited', 'writings', 'matters', 'pairings'] as const;
export type RequirementMeasureKind = (typeof requirementMeasureKinds)[number];
export const requirementMeasureLabels: Record<RequirementMeasureKind, Label & { unit: string }> = {
  activities: { zh: '活动次数', en: 'Activities', unit: '次' },
  days: { zh: '天数（不同日历日）', en: 'Distinct days', unit: '天' },
  targets_visited: { zh: '走访的不同对象数', en: 'Distinct targets visited', unit: '个' },
  writings: { zh: '文稿篇数', en: 'Writings', unit: '篇' },
  matters: { zh: '实事件数', en: 'Practical matters', unit: '件' },
  pairings: { zh: '结对数', en: 'Pairings held', unit: '个' },
};

/**
 * Measures that grow as records come in (the pace rule applies). `pairings` is a state: it is read
 * at the moment of evaluation (for an ended window: at its last day), so no pace applies to it.
 */
export const accruingMeasures: readonly RequirementMeasureKind[] = ['activities', 'days', 'targets_visited', 'writings', 'matters'];
export const measureAccrues = (kind: RequirementMeasureKind) => accruingMeasures.includes(kind);

/** Which subjects each measure can be counted for: a pairing or a target is one target, so "distinct targets visited" means nothing for it, and a pairing holds no pairings. */
export const measureSubjects: Record<RequirementMeasureKind, readonly RequirementSubject[]> = {
  activities: ['cadre', 'pairing', 'target', 'team', 'unit'],
  days: ['cadre', 'pairing', 'target', 'team', 'unit'],
  targets_visited: ['cadre', 'team', 'unit'],
  writings: ['cadre', 'pairing', 'target', 'team', 'unit'],
  matters: ['cadre', 'pairing', 'target', 'team', 'unit'],
  pairings: ['cadre', 'target', 'team', 'unit'],
};

export const requirementPeriods = ['week', 'month', 'quarter', 'year', 'campaign', 'festival'] as const;
export const requirementPeriod = z.enum(requirementPeriods, { error: `考核周期 period 应为 ${requirementPeriods.join(' / ')} 之一` });
export type RequirementPeriod = z.infer<typeof requirementPeriod>;
export const requirementPeriodLabels: Record<RequirementPeriod, Label> = {
  week: { zh: '每周', en: 'Per week' },
  month: { zh: '每月', en: 'Per month' },
  quarter: { zh: '每季度', en: 'Per quarter' },
  year: { zh: '每年', en: 'Per year' },
  campaign: { zh: '活动期间', en: 'Whole campaign' },
  festival: { zh: '节日前后', en: 'Around a festival' },
};
/** The longest a window of each calendar period can be, in days (to refuse "40 days a month"). */
export const periodMaxDays: Partial<Record<RequirementPeriod, number>> = { week: 7, month: 31, quarter: 92, year: 366 };

/** Holiday visits (七一, 重阳, 春节): 七一 is solar (1 July), 重阳 (9/9) and 春节 (1/1) lunar, computed per year. */
export const festivals = ['qiyi', 'chongyang', 'chunjie'] as const;
export const festival = z.enum(festivals, { error: '节日 festival.name 应为 qiyi（七一）/ chongyang（重阳）/ chunjie（春节）' });
export type Festival = z.infer<typeof festival>;
export const festivalLabels: Record<Festival, Label> = {
  qiyi: { zh: '七一', en: 'Party Founding Day (1 July)' },
  chongyang: { zh: '重阳', en: 'Double Ninth Festival' },
  chunjie: { zh: '春节', en: 'Spring Festival' },
};

export const thresholdOps = ['at_least', 'at_most', 'between'] as const;
export const thresholdOp = z.enum(thresholdOps, { error: '比较方式 threshold.op 应为 at_least（至少）/ at_most（至多）/ between（介于）' });
export type ThresholdOp = z.infer<typeof thresholdOp>;
export const thresholdUnits = ['count', 'working_day_fraction'] as const;
export const thresholdUnit = z.enum(thresholdUnits, { error: '阈值单位 threshold.unit 应为 count（数量）/ working_day_fraction（占工作日的比例）' });
export type ThresholdUnit = z.infer<typeof thresholdUnit>;

export const complianceStatuses = ['met', 'on_track', 'at_risk', 'missed'] as const;
export const complianceStatus = z.enum(complianceStatuses);
export type ComplianceStatus = z.infer<typeof complianceStatus>;
export const complianceStatusLabels: Record<ComplianceStatus, Label & { color: 'green' | 'amber' | 'red' }> = {
  met: { zh: '已达标', en: 'Met', color: 'green' },
  on_track: { zh: '进度正常', en: 'On track', color: 'green' },
  at_risk: { zh: '有风险', en: 'At risk', color: 'amber' },
  missed: { zh: '未达标', en: 'Missed', color: 'red' },
};

// ── Parts ────────────────────────────────────────────────────────────────────────────────────

const distinct = (l: readonly unknown[]) => new Set(l).size === l.length;
/** A list of choices: when given, at least one and no repeats (an empty list would match nothing). */
const choices = <T extends z.ZodType>(item: T, what: string, max = 50) =>
  z.array(item).min(1, `${what}不能为空列表（不限请不填）`).max(max, `${what}最多${max}项`).refine(distinct, `${what}不能有重复项`);
const required = <T extends z.ZodType>(item: T, what: string, max = 50) =>
  z.array(item).min(1, `请至少选择一种${what}`).max(max, `${what}最多${max}项`).refine(distinct, `${what}不能有重复项`);
const tag = z.string().trim().min(1, '标签不能为空').max(20, '标签最长20字');
const label = z.string().trim().min(1, '不能为空').max(50, '最长50字');

/** Which cadres the rule is about. Every field narrows; none given: all cadres of the campaign. */
export const requirementCadres = z.strictObject({
  ranks: choices(cadreRank, '职级 ranks', 5).optional().describe('职级, e.g. ["county","section"] for 县级 or 科级'),
  statuses: choices(cadreStatus, '干部状态 statuses', 4).optional().describe('default: every status; ["active"] for cadres in post only'),
  unitIds: choices(dbId, '单位 unitIds', 500).optional().describe('cadres of these units and the units under them'),
  unitLevels: choices(unitLevel, '单位层级 unitLevels', 4).optional().describe('e.g. ["county","township"] for 部门和乡镇干部'),
  cadreRoles: choices(label, '五员角色 cadreRoles', 20).optional().describe('the role held in the pairing (五员), one of the campaign’s cadreRoles'),
  pairingRoles: choices(pairingRole, '结对角色 pairingRoles', 2).optional().describe('primary / assisting pairings only'),
  teamIds: choices(dbId, '组团 teamIds', 500).optional().describe('members of these teams'),
  teamKinds: choices(teamKind, '组团类型 teamKinds', 3).optional().describe('members of teams of these kinds (组团 / 调研组 / 专题服务组)'),
}, { error: (iss) => (iss.code === 'unrecognized_keys' ? `干部条件 cadres 没有字段 ${iss.keys.join('、')}` : undefined) });
export type RequirementCadres = z.infer<typeof requirementCadres>;

/** Which targets the rule is about. Tags: a target with any one of them. */
export const requirementTargets = z.strictObject({
  kinds: choices(targetKind, '对象类型 targets.kinds', 10).optional(),
  tags: choices(tag, '标签 targets.tags', 20).optional().describe('any of these tags, e.g. ["老党员","困难户","百岁老人"]'),
}, { error: (iss) => (iss.code === 'unrecognized_keys' ? `对象条件 targets 没有字段 ${iss.keys.join('、')}` : undefined) });
export type RequirementTargets = z.infer<typeof requirementTargets>;

/** Fixed days (固定日): only records on one of these days count (a weekday or a day of the month) — the 20th reception day, Tuesday activity day. */
export const requirementOn = z.strictObject({
  weekdays: choices(z.number().int('星期应为整数').min(1, '星期应为 1（周一）到 7（周日）').max(7, '星期应为 1（周一）到 7（周日）'), '星期 on.weekdays', 7).optional(),
  monthDays: choices(z.number().int('日期应为整数').min(1, '每月的日期应为 1 到 31').max(31, '每月的日期应为 1 到 31'), '每月日期 on.monthDays', 31).optional(),
}, { error: (iss) => (iss.code === 'unrecognized_keys' ? `固定日 on 没有字段 ${iss.keys.join('、')}` : undefined) });
export type RequirementOn = z.infer<typeof requirementOn>;

const participantCount = z.number().int('人数应为整数').min(1, '人数至少为1').max(50, '人数最多为50');
const activityMeasure = z.strictObject({
  kind: z.literal('activities'),
  activityKinds: required(activityKind, '活动类型 measure.activityKinds', 12),
  participants: z.strictObject({ min: participantCount.optional(), max: participantCount.optional() })
    .optional().describe('only activities with this many participating cadres, e.g. {"min":2} for visits made together, {"max":1} for visits made alone'),
  place: z.enum(['target', 'target_township']).default('target')
    .describe('per pairing or target: target = the target is among the activity’s targets; target_township = the activity happened in the target’s township (联系乡镇)'),
});
const daysMeasure = z.strictObject({
  kind: z.literal('days'),
  activityKinds: required(activityKind, '活动类型 measure.activityKinds', 12).describe('distinct China calendar days with an activity of these kinds; a stay counts every day it covers'),
});
const targetsVisitedMeasure = z.strictObject({
  kind: z.literal('targets_visited'),
  activityKinds: required(activityKind, '活动类型 measure.activityKinds', 12),
});
const writingsMeasure = z.strictObject({
  kind: z.literal('writings'),
  writingKinds: required(writingKind, '文稿类型 measure.writingKinds', 5),
  statuses: required(writingStatus, '文稿状态 measure.statuses', 4).default(['submitted', 'reviewed', 'selected'])
    .describe('which states count; default: handed in (submitted, reviewed or selected), not drafts'),
});
const mattersMeasure = z.strictObject({
  kind: z.literal('matters'),
  statuses: required(matterStatus, '实事状态 measure.statuses', 3).default(['done']).describe('default: done (办结), counted in the window of done_on; others by promised_on'),
});
const pairingsMeasure = z.strictObject({
  kind: z.literal('pairings'),
  via: z.enum(['direct', 'direct_or_team']).default('direct_or_team').describe('count a team’s pairings for its current members too'),
});

export const requirementMeasure = z.discriminatedUnion('kind', [activityMeasure, daysMeasure, targetsVisitedMeasure, writingsMeasure, mattersMeasure, pairingsMeasure], {
  error: (iss) => (iss.code === 'invalid_union' ? `统计内容 measure.kind 应为 ${requirementMeasureKinds.join(' / ')} 之一` : undefined),
});
export type RequirementMeasure = z.infer<typeof requirementMeasure>;

export const requirementThreshold = z.strictObject({
  op: thresholdOp,
  value: z.number().min(0, '阈值不能为负数').max(100_000, '阈值过大').optional().describe('at_least / at_most'),
  min: z.number().min(0, '下限不能为负数').max(100_000, '下限过大').optional().describe('between'),
  max: z.number().min(0, '上限不能为负数').max(100_000, '上限过大').optional().describe('between'),
  unit: thresholdUnit.default('count').describe('working_day_fraction: the value is a share of the window’s working days, e.g. 1/3 of the time at the grassroots'),
}, { error: (iss) => (iss.code === 'unrecognized_keys' ? `阈值 threshold 没有字段 ${iss.keys.join('、')}` : undefined) });
export type RequirementThreshold = z.infer<typeof requirementThreshold>;

export const requirementFestival = z.strictObject({
  name: festival,
  daysBefore: z.number().int('天数应为整数').min(0, '天数不能为负数').max(60, '节前最多60天').default(0),
  daysAfter: z.number().int('天数应为整数').min(0, '天数不能为负数').max(60, '节后最多60天').default(0),
});
export type RequirementFestival = z.infer<typeof requirementFestival>;

// ── The rule ─────────────────────────────────────────────────────────────────────────────────

const ruleFields = z.strictObject({
  name: z.string().trim().min(1, '规则名称 name 不能为空').max(100, '规则名称最长100字'),
  description: z.string().trim().max(1000, '说明最长1000字').default('').describe('the article’s wording, shown with the rule'),
  subject: requirementSubject,
  measure: requirementMeasure,
  cadres: requirementCadres.default({}),
  targets: requirementTargets.default({}),
  on: requirementOn.optional(),
  period: requirementPeriod,
  festival: requirementFestival.optional().describe('period festival only: which festival and how many days before and after count'),
  threshold: requirementThreshold,
}, { error: (iss) => (iss.code === 'unrecognized_keys' ? `要求规则没有字段 ${iss.keys.join('、')}` : undefined) });

type Rule = z.output<typeof ruleFields>;

const subjectZh = (s: RequirementSubject) => requirementSubjectLabels[s].zh;
const measureZh = (k: RequirementMeasureKind) => requirementMeasureLabels[k].zh;

/** Every contradiction at once, each at the field to change. */
function coherent(r: Rule, ctx: z.RefinementCtx) {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const m = r.measure;
  const t = r.threshold;

  // Subject × measure.
  if (!measureSubjects[m.kind].includes(r.subject)) {
    issue(['measure', 'kind'], `按${subjectZh(r.subject)}考核时不能统计“${measureZh(m.kind)}”（可用：${requirementMeasureKinds.filter((k) => measureSubjects[k].includes(r.subject)).map(measureZh).join('、')}）`);
  }
  const needsKinds = r.subject === 'pairing' || r.subject === 'target' || m.kind === 'pairings' || m.kind === 'targets_visited';
  if (needsKinds && !r.targets.kinds) {
    const why = r.subject === 'pairing' || r.subject === 'target' ? `按${subjectZh(r.subject)}考核` : `统计“${measureZh(m.kind)}”`;
    issue(['targets', 'kinds'], `${why}须指定联系对象类型 targets.kinds`);
  }
  if (m.kind === 'activities' && m.place === 'target_township' && r.subject !== 'pairing' && r.subject !== 'target') {
    issue(['measure', 'place'], '“在联系对象所在乡镇”只适用于按结对或按联系对象考核');
  }
  if (m.kind === 'activities' && m.participants) {
    const p = m.participants;
    if (p.min === undefined && p.max === undefined) issue(['measure', 'participants', 'min'], '参加人数条件须填写下限或上限之一');
    if (p.min !== undefined && p.max !== undefined && p.min > p.max) issue(['measure', 'participants', 'max'], `参加人数上限 ${p.max} 小于下限 ${p.min}，规则自相矛盾`);
    if (p.min === 1 && p.max === undefined) issue(['measure', 'participants', 'min'], '每次活动至少有1名参加干部，下限1不起作用；不限请不填');
  }
  if (m.kind === 'writings' && m.writingKinds.includes('research_topic')) {
    issue(['measure', 'writingKinds'], '调研课题是下达的任务，不是撰写的文稿；请统计调研报告（research_report）');
  }

  // Fixed days only narrow records that happen on a day.
  if (r.on) {
    if (m.kind !== 'activities' && m.kind !== 'days' && m.kind !== 'targets_visited') {
      issue(['on'], `固定日只适用于活动、天数和走访对象的统计，不适用于“${measureZh(m.kind)}”`);
    }
    if (!r.on.weekdays && !r.on.monthDays) issue(['on', 'weekdays'], '固定日须填写星期 weekdays 或每月日期 monthDays');
    if (r.on.monthDays && !r.on.weekdays && r.period === 'week') issue(['on', 'monthDays'], '按每月固定日期统计时，考核周期不能是每周（有的周没有这一天）');
  }

  // Period.
  if (r.period === 'festival' && !r.festival) issue(['festival'], '考核周期为节日前后时须指定节日 festival');
  if (r.period !== 'festival' && r.festival) issue(['festival'], `只有考核周期为节日前后（festival）时才能指定节日，现为 ${r.period}`);
  if (r.period === 'festival' && m.kind === 'pairings') issue(['period'], '结对数是现状，不能按节日前后考核');

  // Threshold.
  const bounds: { key: 'value' | 'min' | 'max'; v: number }[] = [];
  if (t.op === 'between') {
    if (t.value !== undefined) issue(['threshold', 'value'], 'between（介于）请填写 min 和 max，不填 value');
    if (t.min === undefined) issue(['threshold', 'min'], 'between（介于）须填写下限 min');
    if (t.max === undefined) issue(['threshold', 'max'], 'between（介于）须填写上限 max');
    if (t.min !== undefined && t.max !== undefined && t.min > t.max) issue(['threshold', 'max'], `上限 ${t.max} 小于下限 ${t.min}，规则自相矛盾`);
    if (t.min !== undefined) bounds.push({ key: 'min', v: t.min });
    if (t.max !== undefined) bounds.push({ key: 'max', v: t.max });
  } else {
    const op = t.op === 'at_least' ? 'at_least（至少）' : 'at_most（至多）';
    if (t.value === undefined) issue(['threshold', 'value'], `${op}须填写阈值 value`);
    if (t.min !== undefined) issue(['threshold', 'min'], `${op}只填 value，不填 min`);
    if (t.max !== undefined) issue(['threshold', 'max'], `${op}只填 value，不填 max`);
    if (t.value !== undefined) bounds.push({ key: 'value', v: t.value });
  }
  const lower = t.op === 'at_least' ? t.value : t.op === 'between' ? t.min : undefined;
  if (t.unit === 'count') {
    for (const b of bounds) if (!Number.isInteger(b.v)) issue(['threshold', b.key], `数量阈值应为整数，现为 ${b.v}`);
    if (lower === 0) issue(['threshold', t.op === 'between' ? 'min' : 'value'], '“至少0”总能满足，不是一项要求');
    const most = r.period === 'festival' && r.festival ? r.festival.daysBefore + r.festival.daysAfter + 1 : periodMaxDays[r.period];
    if (m.kind === 'days' && lower !== undefined && most !== undefined && lower > most) {
      issue(['threshold', t.op === 'between' ? 'min' : 'value'], `${requirementPeriodLabels[r.period].zh}最多只有${most}天，要求至少${lower}天无法达到`);
    }
  } else {
    if (m.kind !== 'days') issue(['threshold', 'unit'], `占工作日的比例只适用于天数（days），不适用于“${measureZh(m.kind)}”`);
    for (const b of bounds) {
      if (b.v <= 0) issue(['threshold', b.key], `工作日比例应大于0，现为 ${b.v}`);
      else if (b.v > 1) {
        issue(['threshold', b.key], t.op === 'at_most'
          ? `工作日比例不能超过1（100%），现为 ${b.v}；“至多超过全部工作日”不是一项要求`
          : `工作日比例不能超过1（100%），现为 ${b.v}；要求多于全部工作日的天数无法达到`);
      }
    }
  }
}

export const requirementRule = ruleFields.superRefine(coherent);
/** What an admin sends (defaults may be left out). */
export type RequirementRuleInput = z.input<typeof requirementRule>;
/** A checked rule, defaults filled in. */
export type RequirementRule = z.output<typeof requirementRule>;

/** One-line Chinese summary of a rule, for lists and the editor's preview. */
export function describeRequirementRule(r: RequirementRule): string {
  const m = r.measure;
  const what = (() => {
    switch (m.kind) {
      case 'activities': {
        const kinds = m.activityKinds.map((k: ActivityKind) => activityKindLabels[k].zh).join('/');
        const p = m.participants;
        const who = p ? (p.min !== undefined && p.max !== undefined ? `（${p.min}–${p.max}名干部参加）` : p.min !== undefined ? `（至少${p.min}名干部共同参加）` : `（至多${p.max}名干部参加）`) : '';
        return `${kinds}${who}${m.place === 'target_township' ? '（在联系对象所在乡镇）' : ''}`;
      }
      case 'days':
        return `${m.activityKinds.map((k: ActivityKind) => activityKindLabels[k].zh).join('/')}天数`;
      case 'targets_visited':
        return `走访的不同联系对象数`;
      case 'writings':
        return `${m.writingKinds.map((k: WritingKind) => writingKindLabels[k].zh).join('/')}（${m.statuses.map((s: WritingStatus) => writingStatusLabels[s].zh).join('/')}）`;
      case 'matters':
        return '实事';
      case 'pairings':
        return '结对数';
    }
  })();
  const unit = requirementMeasureLabels[m.kind].unit;
  const t = r.threshold;
  const n = (v: number | undefined) => (t.unit === 'working_day_fraction' ? `工作日的${fractionZh(v ?? 0)}` : `${v}${unit}`);
  const bound = t.op === 'at_least' ? `至少${n(t.value)}` : t.op === 'at_most' ? `至多${n(t.value)}` : `${n(t.min)}至${n(t.max)}`;
  const cadres = r.cadres.ranks ? r.cadres.ranks.map((k: CadreRank) => cadreRankLabels[k].zh).join('或') + '干部' : '';
  const targets = r.targets.kinds ? r.targets.kinds.map((k: TargetKind) => targetKindLabels[k].zh).join('/') : '';
  const tags = r.targets.tags ? `（${r.targets.tags.join('、')}）` : '';
  const period = r.period === 'festival' && r.festival ? `${festivalLabels[r.festival.name].zh}前后` : requirementPeriodLabels[r.period].zh;
  const on = r.on ? `，限${[r.on.weekdays?.map((d) => `周${'一二三四五六日'[d - 1]}`).join('/'), r.on.monthDays?.map((d) => `${d}日`).join('/')].filter(Boolean).join('、')}` : '';
  return `${subjectZh(r.subject)}${cadres ? `（${cadres}）` : ''}${targets ? `·${targets}${tags}` : tags}：${period}${what}${bound}${on}`;
}

/** 1/3 reads as 三分之一; others as a percentage. */
export function fractionZh(v: number): string {
  for (const d of [2, 3, 4, 5, 10]) {
    const k = Math.round(v * d);
    if (k > 0 && k < d && Math.abs(k / d - v) < 1e-6) return `${'零一二三四五六七八九十'[d]}分之${'零一二三四五六七八九'[k]}`;
  }
  return `${Math.round(v * 1000) / 10}%`;
}
