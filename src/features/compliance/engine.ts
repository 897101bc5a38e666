import { createHash } from 'node:crypto';
import { sql, type Insertable, type RawBuilder } from 'kysely';
import { requirementRule, type RequirementRule } from '../../../contracts/requirements.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import type { ComplianceResultsTable } from '../../db/schema-requirements.ts';
import { chinaDate, chinaDayStart } from '../../lib/workdays.ts';
import { addDays, campaignWindows, daysBetween, type CampaignDates, type PeriodWindow } from './periods.ts';
import { classifyCompliance } from './status.ts';

// The compliance engine (issue 6 items 1–2): each rule is counted from the records, per subject
// and period window, in set-based SQL (one statement per rule and batch of up to 16 windows: the
// records read once over the batch's span, each record day placed in its window and joined to the
// subjects on it, grouped by window and subject; never a query per subject), classified by
// classifyCompliance (status.ts; one classification per window × covered days × count, shared by
// the subjects) and kept in compliance_results. Every engine transaction runs with JIT off.
//
// Subjects (the campaign's, matching the rule's cadre and target filters):
//  - cadre: cadres taking part — paired in the campaign directly, members of its teams, or staff
//    of a campaign unit or a unit under one;
//  - pairing: one pairings row of the campaign (a team pairing is one subject, its members' records
//    count for it while they are members), whose target matches `targets` and whose cadre (for a
//    team pairing: some member) matches `cadres`; cadreRoles / pairingRoles also select the row;
//  - target: targets of the campaign's region matching `targets`; `cadres` says whose records and
//    pairings count towards them;
//  - team: the campaign's teams (cadres.teamIds / teamKinds narrow them); members' records count
//    while they are members (joined_on up to the day before left_on);
//  - unit: the campaign's units (campaign_units; unitIds / unitLevels narrow them); records of the
//    cadres of the unit and of the units under it count.
// Records: activities of the campaign or of none (campaign_id null), on their China start date
// ((starts_at at time zone 'Asia/Shanghai')::date; a stay covers stay_days days from it for
// `days`); participants counted in activity_participants; `on` (fixed days) applies to the start
// date (to each covered day for `days`). A record counts for a subject through its participants
// (actor cadres), except per target, where it counts when the target is among its targets (place
// `target`) or it happened in the target's township (`target_township`) and some participant
// matches `cadres` (when `cadres` is given). For cadre / team / unit subjects `targets` narrows
// activities (some target matching), targets_visited and matters (the matter's target); writings
// ignore it there (a report is about a topic, not a target), but per pairing or target the
// writing's target must be the subject's. Writings count by written_on, matters by done_on when
// done, else promised_on. Pairings are a state held at min(today, window end), counted as distinct
// targets (per cadre / team / unit) or distinct cadres (per target); via direct_or_team a team
// pairing counts for its members at that day, and per team the members' own pairings count too.
// A pairing subject that starts or ends inside a window (it covers starts_on up to the day before
// ends_on, as in due.ts) is judged over the part it covers: the row's window_start / window_end are
// that part, a count threshold is prorated by the covered share of days (rounded up) and the
// explanation says so; a working-day fraction is taken of the covered part's working days.
// Stored rows: one per rule × window × subject, for every window from the campaign start up to
// the one holding today. The full pass (recomputeCompliance) counts only what can change without a
// queued record: open windows, ended windows never counted or last counted before they ended, and
// every window of a rule edited since its rows were computed. An ended window counted after it
// ended changes only through a record dated in it (a backdated one), which the drain recounts, so
// the full pass leaves it. An open window's rows found unchanged are not rewritten (computed_at is
// when a row last changed; the daily refresh rewrites open windows as days pass); an ended
// window's are written whole, so it counts as settled. The pass deletes rows of counted windows'
// subjects that no longer exist and of windows no longer kept. `rebuild` deletes a rule's rows and
// counts every window from scratch (CLI: lianxin compliance recompute --rebuild), for a change the
// queue does not carry (a record written outside the domain functions, a cadre moved between
// units). Writes queue a change in their own transaction (compliance_pending); the incremental
// drain recounts only the subjects and windows the changes touch, reading only the records of the
// touched subjects' cadres or targets, and the daily refresh reclassifies rows computed while their
// window was open.

export type StoredRule = { id: number; campaignId: number; name: string; rule: RequirementRule; atRiskDays: number };
/** One evaluated subject × window, shaped like an Insertable<ComplianceResultsTable> without rule_id. */
export type EvaluatedRow = Omit<Insertable<ComplianceResultsTable>, 'rule_id' | 'computed_at'>;

type Campaign = CampaignDates & { id: number; regionPath: string };
/** Which stored subjects a change touches (the drain): any of these ids. */
type Touch = { cadreIds: number[]; targetIds: number[]; teamIds: number[] };

const ints = (xs: readonly number[]) => sql`${[...xs]}::int[]`;
const list = (xs: readonly (string | number)[]) => sql.join(xs.map((x) => sql`${x}`));
const TRUE = sql<boolean>`true`;
const and = (parts: RawBuilder<unknown>[]) => (parts.length === 0 ? TRUE : sql<boolean>`(${sql.join(parts, sql` and `)})`);
const under = (col: RawBuilder<unknown>, path: RawBuilder<unknown>) => sql<boolean>`(${col} = ${path} or ${col} like ${path} || '/%')`;

export async function loadRules(db: Executor, opts: { campaignId?: number; ruleIds?: number[]; activeOnly?: boolean }): Promise<StoredRule[]> {
  let q = db.selectFrom('requirement_rules').select(['id', 'campaign_id', 'name', 'rule', 'at_risk_days', 'active']).orderBy('campaign_id').orderBy('sort').orderBy('id');
  if (opts.campaignId !== undefined) q = q.where('campaign_id', '=', opts.campaignId);
  if (opts.ruleIds !== undefined) {
    if (opts.ruleIds.length === 0) return [];
    q = q.where('id', 'in', opts.ruleIds);
  }
  if (opts.activeOnly) q = q.where('active', '=', true);
  const rows = await q.execute();
  return rows.map((r) => ({ id: r.id, campaignId: r.campaign_id, name: r.name, rule: requirementRule.parse(r.rule), atRiskDays: r.at_risk_days }));
}

async function loadCampaign(db: Executor, id: number): Promise<Campaign | null> {
  const c = await db.selectFrom('campaigns').select(['id', 'starts_on', 'ends_on', 'region_path']).where('id', '=', id).executeTakeFirst();
  return c ? { id: c.id, startsOn: c.starts_on, endsOn: c.ends_on, regionPath: c.region_path } : null;
}

/** The windows kept for a rule at `now`: from the campaign start up to the one holding today (all of them once the campaign has ended). */
function keptWindows(rule: RequirementRule, c: Campaign, today: string): PeriodWindow[] {
  return campaignWindows(rule.period, c, rule.festival).filter((w) => w.start <= today);
}

// ── The count: one statement per rule × window ───────────────────────────────────────────────

type CountedRow = {
  wk: string; subject_id: number; subject_name: string; cadre_id: number | null; target_id: number | null; team_id: number | null;
  unit_id: number | null; unit_path: string | null; region_path: string | null; cov_start: string; cov_end: string; n: number;
  /** With `storedOf`: the fingerprint of the stored row (null when there is none). */
  stored?: string | null;
};

function cadreFilter(rule: RequirementRule, campaignId: number, w: { start: string; end: string }) {
  const f = rule.cadres;
  const parts: RawBuilder<unknown>[] = [];
  if (f.ranks) parts.push(sql`c.rank in (${list(f.ranks)})`);
  if (f.statuses) parts.push(sql`c.status in (${list(f.statuses)})`);
  if (f.unitLevels) parts.push(sql`cu.level in (${list(f.unitLevels)})`);
  if (f.unitIds) parts.push(sql`exists (select 1 from units fu where fu.id in (${list(f.unitIds)}) and ${under(sql`cu.path`, sql`fu.path`)})`);
  if (f.cadreRoles || f.pairingRoles) {
    parts.push(sql`exists (select 1 from pairings fp where fp.campaign_id = ${campaignId} and fp.cadre_id = c.id
      and fp.starts_on <= ${w.end} and (fp.ends_on is null or fp.ends_on > ${w.start})
      ${f.cadreRoles ? sql`and fp.cadre_role in (${list(f.cadreRoles)})` : sql``} ${f.pairingRoles ? sql`and fp.role in (${list(f.pairingRoles)})` : sql``})`);
  }
  if (f.teamIds || f.teamKinds) {
    parts.push(sql`exists (select 1 from team_members fm join teams ft on ft.id = fm.team_id where fm.cadre_id = c.id and ft.campaign_id = ${campaignId}
      and fm.joined_on <= ${w.end} and (fm.left_on is null or fm.left_on > ${w.start})
      ${f.teamIds ? sql`and ft.id in (${list(f.teamIds)})` : sql``} ${f.teamKinds ? sql`and ft.kind in (${list(f.teamKinds)})` : sql``})`);
  }
  return { given: parts.length > 0, where: and(parts) };
}

const pairingRowFilter = (rule: RequirementRule, alias: string) => and([
  ...(rule.cadres.cadreRoles ? [sql`${sql.ref(`${alias}.cadre_role`)} in (${list(rule.cadres.cadreRoles)})`] : []),
  ...(rule.cadres.pairingRoles ? [sql`${sql.ref(`${alias}.role`)} in (${list(rule.cadres.pairingRoles)})`] : []),
]);

const onDay = (rule: RequirementRule, d: RawBuilder<unknown>) => {
  if (!rule.on) return TRUE;
  const parts: RawBuilder<unknown>[] = [];
  if (rule.on.weekdays) parts.push(sql`extract(isodow from ${d})::int in (${list(rule.on.weekdays)})`);
  if (rule.on.monthDays) parts.push(sql`extract(day from ${d})::int in (${list(rule.on.monthDays)})`);
  return sql<boolean>`(${sql.join(parts, sql` or `)})`;
};

/** Subjects restricted to those a change touches (stored rows use the same columns). */
function touchSql(t: Touch | undefined, subject: RequirementRule['subject'], a: string): RawBuilder<boolean> {
  if (!t) return TRUE;
  const col = (c: string) => sql.ref(`${a}.${c}`);
  const cadres = ints(t.cadreIds);
  const memberTeams = sql`(select tm.team_id from team_members tm where tm.cadre_id = any(${cadres}))`;
  switch (subject) {
    case 'cadre':
      return sql<boolean>`${col('cadre_id')} = any(${cadres})`;
    case 'pairing':
      return sql<boolean>`(${col('cadre_id')} = any(${cadres}) or ${col('target_id')} = any(${ints(t.targetIds)}) or ${col('team_id')} = any(${ints(t.teamIds)}) or ${col('team_id')} in ${memberTeams})`;
    case 'target':
      return sql<boolean>`(${col('target_id')} = any(${ints(t.targetIds)})
        or ${col('target_id')} in (select p.target_id from pairings p where p.cadre_id = any(${cadres}) or p.team_id = any(${ints(t.teamIds)}) or p.team_id in ${memberTeams}))`;
    case 'team':
      return sql<boolean>`(${col('team_id')} = any(${ints(t.teamIds)}) or ${col('team_id')} in ${memberTeams})`;
    case 'unit':
      return sql<boolean>`exists (select 1 from cadres tc join units tu on tu.id = tc.unit_id where tc.id = any(${cadres}) and ${under(sql`tu.path`, col('unit_path'))})`;
  }
}

/**
 * The counting statement of one rule over some of its windows (in order): every subject × window
 * with its count (0 when nothing counts). The records are read once over the span of the windows;
 * the cadre filter's role and team conditions hold when they held at some time in that span.
 */
function countSql(rule: RequirementRule, c: Campaign, windows: PeriodWindow[], today: string, touch?: Touch, storedOf?: number) {
  const m = rule.measure;
  const C = c.id;
  const w = { start: windows[0]!.start, end: windows.at(-1)!.end };
  const win = sql.join(windows.map((x) => sql`(${x.key}, ${x.start}::date, ${x.end}::date, ${today < x.end ? today : x.end}::date)`));
  const cf = cadreFilter(rule, C, w);
  const tf = rule.targets;
  const targetWhere = and([
    under(sql`t.region_path`, sql`${c.regionPath}`),
    ...(tf.kinds ? [sql`t.kind in (${list(tf.kinds)})`] : []),
    ...(tf.tags ? [sql`t.tags && ${[...tf.tags]}::text[]`] : []),
  ]);
  const targetsGiven = tf.kinds !== undefined || tf.tags !== undefined;
  const held = (p: string, day: RawBuilder<unknown>) =>
    sql`${sql.ref(`${p}.starts_on`)} <= ${day} and (${sql.ref(`${p}.ends_on`)} is null or ${sql.ref(`${p}.ends_on`)} > ${day})`;
  const memberAt = (mm: string, day: RawBuilder<unknown>) =>
    sql`${sql.ref(`${mm}.joined_on`)} <= ${day} and (${sql.ref(`${mm}.left_on`)} is null or ${sql.ref(`${mm}.left_on`)} > ${day})`;

  const nameOfTarget = sql`case when t.kind in ('village', 'community') or position(r.name in t.name) = 1 then t.name else r.name || ' ' || t.name end`;
  const subjects = (() => {
    switch (rule.subject) {
      case 'cadre':
        return sql`select c.id as subject_id, c.name as subject_name, c.id as cadre_id, null::int as target_id, null::int as team_id,
            c.unit_id, cu.path as unit_path, cu.region_path, win.ws as cov_start, win.we as cov_end, null::text as tw_path, win.wk, win.asof
          from fc c join units cu on cu.id = c.unit_id cross join win
          where c.id in (select cadre_id from pairings where campaign_id = ${C} and cadre_id is not null
            union select m.cadre_id from team_members m join teams tm on tm.id = m.team_id where tm.campaign_id = ${C}
            union select pc.id from campaign_units xu join units xp on xp.id = xu.unit_id join units pu on ${under(sql`pu.path`, sql`xp.path`)}
              join cadres pc on pc.unit_id = pu.id where xu.campaign_id = ${C})`;
      case 'pairing':
        return sql`select * from (select p.id as subject_id,
            ${nameOfTarget} || '（' || coalesce(pc.name, tm.name) || '）' as subject_name, p.cadre_id, p.target_id, p.team_id,
            lu.id as unit_id, lu.path as unit_path, t.region_path,
            greatest(p.starts_on, win.ws) as cov_start, least(coalesce(p.ends_on - 1, win.we), win.we) as cov_end, win.wk, win.asof,
            ${m.kind === 'activities' && m.place === 'target_township'
              ? sql`(select tr.path from regions tr where tr.level = 'township' and ${under(sql`t.region_path`, sql`tr.path`)} order by tr.depth desc limit 1)`
              : sql`null::text`} as tw_path
          from pairings p join win on p.starts_on <= win.we and (p.ends_on is null or p.ends_on > win.ws)
          join contact_targets t on t.id = p.target_id join regions r on r.code = t.region_code
          left join cadres pc on pc.id = p.cadre_id left join teams tm on tm.id = p.team_id left join cadres lc on lc.id = tm.leader_cadre_id
          join units lu on lu.id = coalesce(pc.unit_id, lc.unit_id)
          where p.campaign_id = ${C} and ${targetWhere} and ${pairingRowFilter(rule, 'p')}
            and (p.cadre_id in (select id from fc) or exists (select 1 from team_members pm where pm.team_id = p.team_id and pm.cadre_id in (select id from fc)
              and pm.joined_on <= win.we and (pm.left_on is null or pm.left_on > win.ws)))) ps
          where ps.cov_start <= ps.cov_end`;
      case 'target':
        return sql`select t.id as subject_id, ${nameOfTarget} as subject_name, null::int as cadre_id, t.id as target_id, null::int as team_id,
            null::int as unit_id, null::text as unit_path, t.region_path, win.ws as cov_start, win.we as cov_end, win.wk, win.asof,
            ${m.kind === 'activities' && m.place === 'target_township'
              ? sql`(select tr.path from regions tr where tr.level = 'township' and ${under(sql`t.region_path`, sql`tr.path`)} order by tr.depth desc limit 1)`
              : sql`null::text`} as tw_path
          from contact_targets t join regions r on r.code = t.region_code cross join win where ${targetWhere}`;
      case 'team':
        return sql`select tm.id as subject_id, tm.name as subject_name, null::int as cadre_id, null::int as target_id, tm.id as team_id,
            lu.id as unit_id, lu.path as unit_path, lu.region_path, win.ws as cov_start, win.we as cov_end, null::text as tw_path, win.wk, win.asof
          from teams tm join cadres lc on lc.id = tm.leader_cadre_id join units lu on lu.id = lc.unit_id cross join win
          where tm.campaign_id = ${C} ${rule.cadres.teamIds ? sql`and tm.id in (${list(rule.cadres.teamIds)})` : sql``}
            ${rule.cadres.teamKinds ? sql`and tm.kind in (${list(rule.cadres.teamKinds)})` : sql``}`;
      case 'unit':
        return sql`select u.id as subject_id, u.name as subject_name, null::int as cadre_id, null::int as target_id, null::int as team_id,
            u.id as unit_id, u.path as unit_path, u.region_path, win.ws as cov_start, win.we as cov_end, null::text as tw_path, win.wk, win.asof
          from campaign_units xu join units u on u.id = xu.unit_id cross join win
          where xu.campaign_id = ${C} ${rule.cadres.unitLevels ? sql`and u.level in (${list(rule.cadres.unitLevels)})` : sql``}
            ${rule.cadres.unitIds ? sql`and exists (select 1 from units fu where fu.id in (${list(rule.cadres.unitIds)}) and ${under(sql`u.path`, sql`fu.path`)})` : sql``}`;
    }
  })();

  // Whose records count for a subject, over which days (not per target: records reach a target through its targets).
  const actors = (() => {
    switch (rule.subject) {
      case 'cadre':
        return sql`select s.wk, s.asof, s.subject_id, s.cadre_id, null::int as target_id, s.cov_start as d_from, s.cov_end as d_to from subj s`;
      case 'pairing':
        return sql`select s.wk, s.asof, s.subject_id, s.cadre_id, s.target_id, s.cov_start as d_from, s.cov_end as d_to from subj s where s.cadre_id is not null
          union all
          select s.wk, s.asof, s.subject_id, m.cadre_id, s.target_id, greatest(s.cov_start, m.joined_on), least(s.cov_end, coalesce(m.left_on - 1, s.cov_end))
          from subj s join team_members m on m.team_id = s.team_id where s.team_id is not null and m.cadre_id in (select id from fc)`;
      case 'team':
        return sql`select s.wk, s.asof, s.subject_id, m.cadre_id, null::int as target_id, greatest(s.cov_start, m.joined_on) as d_from, least(s.cov_end, coalesce(m.left_on - 1, s.cov_end)) as d_to
          from subj s join team_members m on m.team_id = s.team_id where m.cadre_id in (select id from fc)`;
      case 'unit':
        return sql`select s.wk, s.asof, s.subject_id, c.id as cadre_id, null::int as target_id, s.cov_start as d_from, s.cov_end as d_to
          from subj s join units su on ${under(sql`su.path`, sql`s.unit_path`)} join fc c on c.unit_id = su.id`;
      case 'target':
        return sql`select null::text as wk, null::date as asof, null::int as subject_id, null::int as cadre_id, null::int as target_id, null::date as d_from, null::date as d_to where false`;
    }
  })();

  const perTarget = rule.subject === 'target';
  const someFc = (participantsOf: RawBuilder<unknown>) =>
    cf.given ? sql`and exists (select 1 from activity_participants fp where fp.activity_id = ${participantsOf} and fp.cadre_id in (select id from fc))` : sql``;

  const facts = (() => {
    // The drain (a touch given): only records of the touched subjects' actors or targets are read.
    const narrow = touch !== undefined;
    const pairing = rule.subject === 'pairing';
    switch (m.kind) {
      case 'activities':
      case 'days':
      case 'targets_visited': {
        const lookback = m.kind === 'days' && m.activityKinds.includes('stay') ? 92 : 0;
        const participants = m.kind === 'activities' && m.participants
          ? sql`and (select count(*) from activity_participants xp where xp.activity_id = a.id) between ${m.participants.min ?? 1} and ${m.participants.max ?? 1000}`
          : sql``;
        const narrowTargets = !perTarget && !pairing && targetsGiven && m.kind !== 'targets_visited'
          ? sql`and exists (select 1 from activity_targets xt where xt.activity_id = a.id and xt.target_id in (select id from ft))`
          : sql``;
        const township = m.kind === 'activities' && m.place === 'target_township';
        const touched = !narrow || township ? sql``
          : perTarget ? sql`and exists (select 1 from activity_targets nt where nt.activity_id = a.id and nt.target_id in (select target_id from subj))`
          : sql`and exists (select 1 from activity_participants np where np.activity_id = a.id and np.cadre_id in (select cadre_id from actors))`;
        const day = m.kind === 'days'
          ? sql`(a.starts_at at time zone 'Asia/Shanghai')::date + g.i`
          : sql`(a.starts_at at time zone 'Asia/Shanghai')::date`;
        const from = chinaDayStart(w.start);
        // Stays that began before the window and run into it (up to `lookback` days long).
        const earlierStays = lookback > 0
          ? sql`or (a.kind = 'stay' and a.starts_at >= ${chinaDayStart(addDays(w.start, -lookback))} and a.starts_at < ${from} and a.ends_at >= ${from})`
          : sql``;
        // Each record day is placed in its window(s) once, so subjects are joined on the window too (no fan-out over windows).
        const acts = sql`select a.id, a.region_path, d.day, win.wk from activities a
          cross join lateral (select ${day} as day from generate_series(0, ${m.kind === 'days' ? sql`greatest(a.stay_days, 1) - 1` : sql`0`}) g(i)) d
          join win on d.day between win.ws and win.we
          where a.kind in (${list(m.activityKinds)}) and (a.campaign_id = ${C} or a.campaign_id is null)
            and ((a.starts_at >= ${from} and a.starts_at < ${chinaDayStart(addDays(w.end, 1))}) ${earlierStays})
            ${participants} ${narrowTargets} ${touched}`;
        // Integer keys: count(distinct) over ints is far cheaper than over their text.
        const key = m.kind === 'activities' ? sql`a.id` : m.kind === 'days' ? sql`(a.day - date '2000-01-01')` : sql`xt.target_id`;
        const visited = m.kind === 'targets_visited' ? sql`join activity_targets xt on xt.activity_id = a.id and xt.target_id in (select id from ft)` : sql``;
        const window = onDay(rule, sql`a.day`);
        if (perTarget) {
          const place = township
            ? sql`join subj s on s.wk = a.wk and ${under(sql`a.region_path`, sql`s.tw_path`)}`
            : sql`join activity_targets pt on pt.activity_id = a.id join subj s on s.target_id = pt.target_id and s.wk = a.wk`;
          return sql`with acts as (${acts}) select s.wk, s.subject_id, ${key} as k from acts a ${place} ${visited}
            where ${window} and a.day between s.cov_start and s.cov_end ${someFc(sql`a.id`)}`;
        }
        // Per pairing: the record's targets first, then the actors on cadre and target (a cadre holds several pairings).
        const byTarget = pairing && !township;
        return sql`with acts as (${acts}) select ac.wk, ac.subject_id, ${key} as k from acts a
          join activity_participants ap on ap.activity_id = a.id
          ${byTarget ? sql`join activity_targets pt on pt.activity_id = a.id` : sql``}
          join actors ac on ac.cadre_id = ap.cadre_id and ac.wk = a.wk and a.day between ac.d_from and ac.d_to ${byTarget ? sql`and ac.target_id = pt.target_id` : sql``}
          ${pairing && township ? sql`join subj s on s.subject_id = ac.subject_id and s.wk = ac.wk and ${under(sql`a.region_path`, sql`s.tw_path`)}` : sql``}
          ${visited}
          where ${window}`;
      }
      case 'writings': {
        const touched = !narrow ? sql``
          : perTarget ? sql`and w.target_id in (select target_id from subj)`
          : rule.subject === 'team' ? sql`and (w.author_cadre_id in (select cadre_id from actors) or w.team_id in (select team_id from subj))`
          : sql`and w.author_cadre_id in (select cadre_id from actors)`;
        const ws = sql`select w.id, w.author_cadre_id, w.team_id, w.target_id, w.written_on as day, win.wk from writings w join win on w.written_on between win.ws and win.we
          where w.kind in (${list(m.writingKinds)}) and w.status in (${list(m.statuses)}) and (w.campaign_id = ${C} or w.campaign_id is null)
            and w.written_on between ${w.start} and ${w.end} ${touched}`;
        if (perTarget) {
          return sql`with acts as (${ws}) select s.wk, s.subject_id, a.id as k from acts a join subj s on s.target_id = a.target_id and s.wk = a.wk
            where a.day between s.cov_start and s.cov_end ${cf.given ? sql`and a.author_cadre_id in (select id from fc)` : sql``}`;
        }
        return sql`with acts as (${ws}) select ac.wk, ac.subject_id, a.id as k from acts a
            join actors ac on ac.cadre_id = a.author_cadre_id and ac.wk = a.wk and a.day between ac.d_from and ac.d_to ${pairing ? sql`and ac.target_id = a.target_id` : sql``}
          ${rule.subject === 'team' ? sql`union select s.wk, s.subject_id, a.id from acts a join subj s on s.team_id = a.team_id and s.wk = a.wk and a.day between s.cov_start and s.cov_end` : sql``}`;
      }
      case 'matters': {
        const touched = !narrow ? sql``
          : perTarget ? sql`and x.target_id in (select target_id from subj)`
          : sql`and x.cadre_id in (select cadre_id from actors)`;
        const ms = sql`select x.id, x.cadre_id, x.target_id, d.day, win.wk from practical_matters x
            cross join lateral (select case when x.status = 'done' then x.done_on else x.promised_on end as day) d
            join win on d.day between win.ws and win.we
          where x.status in (${list(m.statuses)}) and (x.campaign_id = ${C} or x.campaign_id is null)
            and d.day between ${w.start} and ${w.end} ${touched}`;
        if (perTarget) {
          return sql`with acts as (${ms}) select s.wk, s.subject_id, a.id as k from acts a join subj s on s.target_id = a.target_id and s.wk = a.wk
            where a.day between s.cov_start and s.cov_end ${cf.given ? sql`and a.cadre_id in (select id from fc)` : sql``}`;
        }
        return sql`with acts as (${ms}) select ac.wk, ac.subject_id, a.id as k from acts a
            join actors ac on ac.cadre_id = a.cadre_id and ac.wk = a.wk and a.day between ac.d_from and ac.d_to ${pairing ? sql`and ac.target_id = a.target_id` : sql``}
          ${!pairing && targetsGiven ? sql`where a.target_id in (select id from ft)` : sql``}`;
      }
      case 'pairings': {
        const viaTeam = m.via === 'direct_or_team';
        const pf = pairingRowFilter(rule, 'p');
        if (perTarget) {
          return sql`select s.wk, s.subject_id, p.cadre_id as k from subj s join pairings p on p.target_id = s.target_id
              where p.campaign_id = ${C} and ${held('p', sql`s.asof`)} and p.cadre_id in (select id from fc) and ${pf}
            ${viaTeam ? sql`union select s.wk, s.subject_id, m.cadre_id from subj s join pairings p on p.target_id = s.target_id and p.team_id is not null
              join team_members m on m.team_id = p.team_id
              where p.campaign_id = ${C} and ${held('p', sql`s.asof`)} and ${memberAt('m', sql`s.asof`)} and m.cadre_id in (select id from fc) and ${pf}` : sql``}`;
        }
        // Per cadre / team / unit: distinct targets held by the actors at the day (and per team by the team itself).
        return sql`select ac.wk, ac.subject_id, p.target_id as k from actors ac join pairings p on p.cadre_id = ac.cadre_id
              where p.campaign_id = ${C} and ${held('p', sql`ac.asof`)} and ac.asof between ac.d_from and ac.d_to and p.target_id in (select id from ft) and ${pf}
            ${viaTeam ? sql`union select ac.wk, ac.subject_id, p.target_id from actors ac join team_members m on m.cadre_id = ac.cadre_id and ${memberAt('m', sql`ac.asof`)}
              join pairings p on p.team_id = m.team_id
              where p.campaign_id = ${C} and ${held('p', sql`ac.asof`)} and ac.asof between ac.d_from and ac.d_to and p.target_id in (select id from ft) and ${pf}` : sql``}
            ${rule.subject === 'team' ? sql`union select s.wk, s.subject_id, p.target_id from subj s join pairings p on p.team_id = s.team_id
              where p.campaign_id = ${C} and ${held('p', sql`s.asof`)} and p.target_id in (select id from ft) and ${pf}` : sql``}`;
      }
    }
  })();

  // The cadre and target filters: built once for a full count; inlined for the drain, where the planner looks up the few touched rows instead.
  const filterSet = touch ? sql`not materialized` : sql`materialized`;
  return sql<CountedRow>`
    with win (wk, ws, we, asof) as (values ${win}),
    fc as ${filterSet} (select c.id, c.name, c.unit_id from cadres c join units cu on cu.id = c.unit_id where ${cf.where}),
    ft as ${filterSet} (select t.id from contact_targets t where ${targetWhere}),
    subj as materialized (select * from (${subjects}) s0 where ${touchSql(touch, rule.subject, 's0')}),
    actors as materialized (${actors}),
    facts as (select * from (${facts}) f0)
    select s.wk, s.subject_id, s.subject_name, s.cadre_id, s.target_id, s.team_id, s.unit_id, s.unit_path, s.region_path,
      to_char(s.cov_start, 'YYYY-MM-DD') as cov_start, to_char(s.cov_end, 'YYYY-MM-DD') as cov_end, coalesce(n.n, 0)::int as n
      ${storedOf === undefined ? sql`` : sql`, (select ${storedFingerprint} from compliance_results cr where cr.rule_id = ${storedOf} and cr.window_key = s.wk and cr.subject_id = s.subject_id) as stored`}
    from subj s left join (select wk, subject_id, count(distinct k)::int as n from facts group by wk, subject_id) n on n.wk = s.wk and n.subject_id = s.subject_id
    order by s.wk, s.subject_id`;
}

/** A pairing subject covering part of a window: judged over that part, the count threshold prorated by the covered share (rounded up). */
function judged(rule: StoredRule, w: PeriodWindow, covStart: string, covEnd: string) {
  if (covStart === w.start && covEnd === w.end) return { window: w, threshold: rule.rule.threshold, note: '' };
  const window: PeriodWindow = { ...w, start: covStart, end: covEnd };
  const t = rule.rule.threshold;
  if (t.unit !== 'count') return { window, threshold: t, note: `（结对覆盖${md(covStart)}至${md(covEnd)}，按这段时间的工作日计）` };
  const share = (daysBetween(covStart, covEnd) + 1) / (daysBetween(w.start, w.end) + 1);
  const scale = (v: number | undefined) => (v === undefined ? undefined : Math.max(1, Math.ceil(Math.round(v * share * 1e6) / 1e6)));
  const threshold = { ...t, value: scale(t.value), min: scale(t.min), max: scale(t.max) };
  return { window, threshold, note: `（结对覆盖${md(covStart)}至${md(covEnd)}，要求按覆盖天数折算）` };
}
const md = (d: string) => `${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;

function classify(rule: StoredRule, w: PeriodWindow, r: Pick<CountedRow, 'subject_name' | 'n'> & { cov_start: string; cov_end: string }, now: Date) {
  const j = judged(rule, w, r.cov_start, r.cov_end);
  const s = classifyCompliance({ subjectName: r.subject_name, measure: rule.rule.measure, threshold: j.threshold, window: j.window, count: r.n, now, atRiskDays: rule.atRiskDays, on: rule.rule.on });
  return { ...s, explanation: j.note ? `${s.explanation}${j.note}` : s.explanation };
}

/** Classifications of one rule at one time, by window, covered days and count: a rule's subjects share a few hundred of them. */
type ClassifyMemo = Map<string, ReturnType<typeof classify>>;
const NAME = '\u0001';
function classifyMemo(memo: ClassifyMemo, rule: StoredRule, w: PeriodWindow, r: Pick<CountedRow, 'subject_name' | 'n'> & { cov_start: string; cov_end: string }, now: Date) {
  const key = `${w.key}|${r.cov_start}|${r.cov_end}|${r.n}`;
  let s = memo.get(key);
  if (!s) {
    s = classify(rule, w, { ...r, subject_name: NAME }, now);
    memo.set(key, s);
  }
  return { ...s, explanation: s.explanation.split(NAME).join(r.subject_name) };
}

function toRow(rule: StoredRule, w: PeriodWindow, r: CountedRow, now: Date, memo: ClassifyMemo = new Map()): EvaluatedRow {
  const s = classifyMemo(memo, rule, w, r, now);
  return {
    window_key: w.key, subject_id: r.subject_id, window_start: r.cov_start, window_end: r.cov_end, subject_name: r.subject_name, count: r.n,
    required_min: s.bounds.min ?? null, required_max: s.bounds.max ?? null, status: s.status, reason: s.reason, explanation: s.explanation,
    cadre_id: r.cadre_id, target_id: r.target_id, team_id: r.team_id, unit_id: r.unit_id, unit_path: r.unit_path, region_path: r.region_path,
  };
}

async function countWindows(db: Executor, rule: StoredRule, c: Campaign, windows: PeriodWindow[], now: Date, touch?: Touch, storedOf?: number): Promise<CountedRow[]> {
  if (windows.length === 0) return [];
  const { rows } = await countSql(rule.rule, c, windows, chinaDate(now), touch, storedOf).execute(db);
  return rows;
}

/** Every engine transaction runs without JIT: the CTEs' row estimates push plans over the JIT threshold and compiling costs seconds per statement. PGlite accepts the setting too. */
const jitOff = (tx: Executor) => sql`select set_config('jit', 'off', true)`.execute(tx);

// ── Public ───────────────────────────────────────────────────────────────────────────────────

/** Evaluate one rule (stored or not) for one window — default: the window holding `now`, or the campaign's last window when it has ended; windowKey picks another. Nothing stored. Used by the editor's live preview. */
export async function evaluateRule(
  db: Executor, campaignId: number, rule: RequirementRule, atRiskDays: number, opts: { now: Date; windowKey?: string },
): Promise<{ window: PeriodWindow | null; rows: EvaluatedRow[] }> {
  const c = await loadCampaign(db, campaignId);
  if (!c) return { window: null, rows: [] };
  const today = chinaDate(opts.now);
  const all = campaignWindows(rule.period, c, rule.festival);
  const w = opts.windowKey !== undefined
    ? all.find((x) => x.key === opts.windowKey)
    : all.find((x) => x.start <= today && today <= x.end) ?? (today > c.endsOn ? all.at(-1) : all.find((x) => x.start > today));
  if (!w) return { window: null, rows: [] };
  const stored: StoredRule = { id: 0, campaignId, name: rule.name, rule, atRiskDays };
  const rows = await inTransaction(db, async (tx) => {
    await jitOff(tx);
    return countWindows(tx, stored, c, [w], opts.now);
  });
  const memo: ClassifyMemo = new Map();
  return { window: w, rows: rows.map((r) => toRow(stored, w, r, opts.now, memo)) };
}

const COLUMNS = [
  ['window_key', 'text'], ['subject_id', 'int'], ['window_start', 'date'], ['window_end', 'date'], ['subject_name', 'text'], ['count', 'int'],
  ['required_min', 'int'], ['required_max', 'int'], ['status', 'text'], ['reason', 'text'], ['explanation', 'text'], ['cadre_id', 'int'],
  ['target_id', 'int'], ['team_id', 'int'], ['unit_id', 'int'], ['unit_path', 'text'], ['region_path', 'text'],
] as const satisfies readonly (readonly [keyof EvaluatedRow, string])[];
/** The columns a row carries besides its key (rule, window, subject). */
const DATA_COLUMNS = COLUMNS.filter(([col]) => col !== 'window_key' && col !== 'subject_id');
/** Rows per insert: one array per column (insert … select from unnest), so a rebuild of millions of rows is a few hundred statements. */
const CHUNK = 5000;
/**
 * A row's fingerprint: md5 of its stored columns (but computed_at), the same text in SQL and in
 * JS, so a steady pass compares what it counted with what is stored without sending it.
 */
const FP_NULL = '\u0002';
const FP_SEP = '\u001f';
const storedFingerprint = sql<string>`md5(concat_ws(chr(31), ${sql.join(DATA_COLUMNS.map(([col, type]) =>
  sql`coalesce(${type === 'date' ? sql`to_char(cr.${sql.ref(col)}, 'YYYY-MM-DD')` : sql`cr.${sql.ref(col)}::text`}, chr(2))`))}))`;
function fingerprint(r: EvaluatedRow): string {
  const text = DATA_COLUMNS.map(([col]) => {
    const v = r[col];
    return v === null || v === undefined ? FP_NULL : String(v);
  }).join(FP_SEP);
  return createHash('md5').update(text).digest('hex');
}

async function writeRows(db: Executor, ruleId: number, rows: EvaluatedRow[], now: Date) {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const part = rows.slice(i, i + CHUNK);
    const arrays = COLUMNS.map(([col, type]) => sql`${part.map((r) => r[col] ?? null)}::${sql.raw(type)}[]`);
    await sql`insert into compliance_results (rule_id, ${sql.join(COLUMNS.map(([col]) => sql.ref(col)))}, computed_at)
      select ${ruleId}::int, u.*, ${now}::timestamptz from unnest(${sql.join(arrays)}) as u
      on conflict (rule_id, window_key, subject_id) do update set
        ${sql.join(DATA_COLUMNS.map(([col]) => sql`${sql.ref(col)} = excluded.${sql.ref(col)}`))},
        computed_at = excluded.computed_at`.execute(db);
  }
}

/**
 * Counts one rule over some of its windows and stores every counted row; removes stored rows of
 * (touched) subjects that no longer exist in those windows.
 */
async function storeWindows(
  db: Executor, rule: StoredRule, c: Campaign, windows: PeriodWindow[], now: Date, opts: { touch?: Touch; fresh?: boolean; openChangedOnly?: boolean },
) {
  if (windows.length === 0) return 0;
  const today = chinaDate(now);
  // Open windows of a steady pass: each stored row's fingerprint comes back with its count, and only rows that differ are written.
  const compare = opts.openChangedOnly === true && windows.some((w) => w.end >= today);
  const counted = await countWindows(db, rule, c, windows, now, opts.touch, compare ? rule.id : undefined);
  const byKey = new Map(windows.map((w) => [w.key, w]));
  const memo: ClassifyMemo = new Map();
  const classified = counted.map((r) => toRow(rule, byKey.get(r.wk)!, r, now, memo));
  const open = (i: number) => compare && byKey.get(counted[i]!.wk)!.end >= today;
  const toWrite = classified.filter((r, i) => !open(i) || counted[i]!.stored !== fingerprint(r));
  await writeRows(db, rule.id, toWrite, now);
  // After a delete of the rule's rows (a rebuild) there is nothing left to remove; when every
  // stored row of these windows came back with its fingerprint, none is left over either.
  const keys = windows.map((w) => w.key);
  const leftOver = async () => {
    if (!compare) return true;
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from compliance_results where rule_id = ${rule.id} and window_key = any(${keys}::text[])`.execute(db);
    return rows[0]!.n !== counted.filter((r) => r.stored != null).length;
  };
  if (!opts.fresh && (await leftOver())) {
    await sql`delete from compliance_results cr where cr.rule_id = ${rule.id} and cr.window_key = any(${keys}::text[])
      and ${touchSql(opts.touch, rule.rule.subject, 'cr')}
      and not exists (select 1 from unnest(${counted.map((r) => r.wk)}::text[], ${counted.map((r) => r.subject_id)}::int[]) as k(wk, sid)
        where k.wk = cr.window_key and k.sid = cr.subject_id)`.execute(db);
  }
  return counted.length;
}

/**
 * Windows per counting statement: records are placed in their window and joined to the subjects
 * on it, so a statement's cost is its records plus its subjects × windows; this bounds the rows
 * one statement returns (weeks × cadres). A cadre filter on pairing roles or team membership is
 * judged per window, so such a rule counts one window per statement.
 */
const WINDOWS_PER_STATEMENT = 16;
const batches = <T>(xs: T[], n: number) => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));
const statements = (rule: RequirementRule, windows: PeriodWindow[]) => {
  const f = rule.cadres;
  return batches(windows, f.cadreRoles || f.pairingRoles || f.teamIds || f.teamKinds ? 1 : WINDOWS_PER_STATEMENT);
};

/**
 * Rules counted at once by the full pass. On PostgreSQL one rule's statement runs on the server
 * while another rule's rows are classified and sent from Node, so the two cores both work; PGlite
 * has one connection and runs them in turn (no gain, no harm). Rules write disjoint rows.
 */
const RULES_AT_ONCE = 2;

/** After this many rows written, the planner's statistics of compliance_results are refreshed. */
const ANALYZE_AFTER_ROWS = 20_000;

/**
 * The full pass, for the given rules or every active rule (of one campaign or all). It counts the
 * windows whose rows can still change without a queued record: open windows (up to the one holding
 * today), ended windows never counted or last counted before they ended, and every window of a rule
 * edited since its rows were computed. An ended window counted after it ended changes only through
 * a record dated in it (a backdated one), which the drain recounts; so it is not recounted here.
 * `rebuild` deletes the rules' rows and counts every window from scratch. Rows of windows no longer
 * kept (the campaign's dates changed) are deleted.
 */
export async function recomputeCompliance(
  db: Executor, opts: { now: Date; campaignId?: number; ruleIds?: number[]; rebuild?: boolean },
): Promise<{ rules: number; rows: number; ms: number }> {
  const started = performance.now();
  const rules = await loadRules(db, { campaignId: opts.campaignId, ruleIds: opts.ruleIds, activeOnly: opts.ruleIds === undefined });
  const today = chinaDate(opts.now);
  const campaigns = new Map<number, Promise<Campaign | null>>();
  let rows = 0;
  const countRule = async (rule: StoredRule) => {
    if (!campaigns.has(rule.campaignId)) campaigns.set(rule.campaignId, loadCampaign(db, rule.campaignId));
    const c = await campaigns.get(rule.campaignId);
    if (!c) return;
    // Not `rows += await …`: that reads `rows` before the await, losing the other worker's additions.
    const counted = await inTransaction(db, async (tx) => {
      await jitOff(tx);
      const windows = keptWindows(rule.rule, c, today);
      let todo = windows;
      let edited = false;
      if (opts.rebuild) {
        await sql`delete from compliance_results where rule_id = ${rule.id}`.execute(tx);
      } else {
        // Window keys stored (a loose scan of the primary key) and, per kept window, its oldest row; a rule edited since any row was computed is recounted whole.
        const storedKeys = await sql<{ wk: string }>`with recursive k as (
            select (select min(window_key) from compliance_results where rule_id = ${rule.id}) as wk
            union all select (select min(window_key) from compliance_results where rule_id = ${rule.id} and window_key > k.wk) from k where k.wk is not null)
          select wk from k where wk is not null`.execute(tx);
        const kept = new Set(windows.map((w) => w.key));
        const gone = storedKeys.rows.map((r) => r.wk).filter((k) => !kept.has(k));
        if (gone.length > 0) await sql`delete from compliance_results where rule_id = ${rule.id} and window_key = any(${gone}::text[])`.execute(tx);
        const oldest = await sql<{ wk: string; oldest: Date | null }>`select k.wk, (select min(cr.computed_at) from compliance_results cr where cr.rule_id = ${rule.id} and cr.window_key = k.wk) as oldest
          from unnest(${windows.map((w) => w.key)}::text[]) as k(wk)`.execute(tx);
        const updated = (await tx.selectFrom('requirement_rules').select('updated_at').where('id', '=', rule.id).executeTakeFirstOrThrow()).updated_at;
        const first = new Map(oldest.rows.map((r) => [r.wk, r.oldest === null ? null : new Date(r.oldest)]));
        edited = [...first.values()].some((d) => d !== null && d < new Date(updated));
        if (!edited) {
          todo = windows.filter((w) => {
            const d = first.get(w.key);
            return w.end >= today || d == null || d < chinaDayStart(addDays(w.end, 1));
          });
        }
      }
      let n = 0;
          // An open window's rows, unchanged since the last pass, are not rewritten (the daily refresh rewrites them as days pass); an ended window's are, so that it counts as settled.
      for (const b of statements(rule.rule, todo)) n += await storeWindows(tx, rule, c, b, opts.now, { fresh: opts.rebuild, openChangedOnly: !opts.rebuild && !edited });
      return n;
    });
    rows += counted;
  };
  // Rules are counted RULES_AT_ONCE at a time, each in its own transaction (inside a caller's transaction: one at a time).
  const queue = [...rules];
  let failed = false;
  const worker = async () => {
    for (let rule = queue.shift(); rule && !failed; rule = queue.shift()) {
      try {
        await countRule(rule);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: db.isTransaction ? 1 : RULES_AT_ONCE }, worker));
  const error = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (error) throw error.reason;
  // The drain's and the views' plans read compliance_results by estimates: refresh them after a large write.
  if (rows >= ANALYZE_AFTER_ROWS) await sql`analyze compliance_results`.execute(db);
  return { rules: rules.length, rows, ms: Math.round(performance.now() - started) };
}

/** Queue what a written record touches, in the record's own transaction. */
export async function queueComplianceChange(
  db: Executor, change: { campaignId?: number | null; cadreIds?: number[]; targetIds?: number[]; teamId?: number | null; day?: string | null },
): Promise<void> {
  const base = { campaign_id: change.campaignId ?? null, team_id: change.teamId ?? null, day: change.day ?? null };
  const rows: { campaign_id: number | null; team_id: number | null; day: string | null; cadre_id: number | null; target_id: number | null }[] = [
    ...[...new Set(change.cadreIds ?? [])].map((cadre_id) => ({ ...base, cadre_id, target_id: null })),
    ...[...new Set(change.targetIds ?? [])].map((target_id) => ({ ...base, cadre_id: null, target_id })),
  ];
  if (rows.length === 0) rows.push({ ...base, cadre_id: null, target_id: null });
  await db.insertInto('compliance_pending').values(rows).execute();
}

/**
 * Whether a rule can count one of the changed records' kinds. A change of unknown kind (null) or a
 * pairing (it changes subjects and cadre filters of any rule) reaches every rule; a record reaches
 * the rules whose measure counts records of its kind.
 */
function mayCount(rule: RequirementRule, kinds: Set<string | null>): boolean {
  if (kinds.has(null) || kinds.has('pairing')) return true;
  const m = rule.measure;
  switch (m.kind) {
    case 'activities':
    case 'days':
    case 'targets_visited':
      return m.activityKinds.some((k) => kinds.has(`activity:${k}`));
    case 'writings':
      return m.writingKinds.some((k) => kinds.has(`writing:${k}`));
    case 'matters':
      return kinds.has('matter');
    case 'pairings':
      return false;
  }
}

/** At most this many pending changes per drain transaction. */
const DRAIN_BATCH = 2000;

/** Incremental pass: recount only the rule × subject × window rows the pending changes touch, then delete those pending rows. */
export async function drainCompliancePending(db: Executor, opts: { now: Date }): Promise<{ changes: number; rows: number }> {
  let changes = 0;
  let rows = 0;
  for (;;) {
    const r = await inTransaction(db, async (tx) => {
      await jitOff(tx);
      const pending = await sql<{ id: string; campaign_id: number | null; cadre_id: number | null; target_id: number | null; team_id: number | null; day: string | null; record_kind: string | null }>`
        delete from compliance_pending where id in (select id from compliance_pending order by id limit ${DRAIN_BATCH} for update skip locked)
        returning id, campaign_id, cadre_id, target_id, team_id, to_char(day, 'YYYY-MM-DD') as day, record_kind`.execute(tx);
      if (pending.rows.length === 0) return { changes: 0, rows: 0 };
      const today = chinaDate(opts.now);
      const touch: Touch = {
        cadreIds: [...new Set(pending.rows.flatMap((p) => (p.cadre_id === null ? [] : [p.cadre_id])))],
        targetIds: [...new Set(pending.rows.flatMap((p) => (p.target_id === null ? [] : [p.target_id])))],
        teamIds: [...new Set(pending.rows.flatMap((p) => (p.team_id === null ? [] : [p.team_id])))],
      };
      // A change without a campaign (a record of no campaign) may count for any campaign's rules.
      const anyCampaign = pending.rows.some((p) => p.campaign_id === null);
      const campaignIds = new Set(pending.rows.flatMap((p) => (p.campaign_id === null ? [] : [p.campaign_id])));
      const allDays = pending.rows.some((p) => p.day === null);
      const days = [...new Set(pending.rows.flatMap((p) => (p.day === null ? [] : [p.day])))];
      const kinds = new Set(pending.rows.map((p) => p.record_kind));
      const rules = (await loadRules(tx, { activeOnly: true })).filter((x) => (anyCampaign || campaignIds.has(x.campaignId)) && mayCount(x.rule, kinds));
      let n = 0;
      for (const rule of rules) {
        const c = await loadCampaign(tx, rule.campaignId);
        if (!c) continue;
        // A state (pairings held) or a pairing's coverage changes every later window too.
        const state = rule.rule.measure.kind === 'pairings';
        const windows = keptWindows(rule.rule, c, today).filter((w) => allDays || days.some((d) => (d >= w.start && d <= w.end) || (state && d <= w.end)));
        // Per target by township: any activity in the township may count, so the whole window is recounted.
        const wide = rule.rule.measure.kind === 'activities' && rule.rule.measure.place === 'target_township';
        for (const b of statements(rule.rule, windows)) n += await storeWindows(tx, rule, c, b, opts.now, { touch: wide ? undefined : touch });
      }
      return { changes: pending.rows.length, rows: n };
    });
    changes += r.changes;
    rows += r.rows;
    if (r.changes < DRAIN_BATCH) return { changes, rows };
  }
}

/** Daily: reclassify the stored rows of open windows (at risk depends on the days left) without recounting. */
export async function refreshOpenWindows(db: Executor, opts: { now: Date }): Promise<{ rows: number }> {
  const today = chinaDate(opts.now);
  // Rows computed before their window's end may change class as days pass (and once it ends).
  const stale = await db.selectFrom('compliance_results as cr').innerJoin('requirement_rules as r', 'r.id', 'cr.rule_id')
    .selectAll('cr').select(['r.campaign_id'])
    .where('r.active', '=', true)
    .where(sql<boolean>`cr.computed_at < (cr.window_end + 1)::timestamp at time zone 'Asia/Shanghai'`)
    .where('cr.window_start', '<=', today)
    .execute();
  if (stale.length === 0) return { rows: 0 };
  const rules = new Map((await loadRules(db, { ruleIds: [...new Set(stale.map((s) => s.rule_id))] })).map((r) => [r.id, r]));
  const campaigns = new Map<number, Campaign | null>();
  const windows = new Map<string, PeriodWindow | undefined>();
  const out = new Map<number, EvaluatedRow[]>();
  const memos = new Map<number, ClassifyMemo>();
  const memoOf = (id: number) => memos.get(id) ?? memos.set(id, new Map()).get(id)!;
  for (const s of stale) {
    const rule = rules.get(s.rule_id);
    if (!rule) continue;
    if (!campaigns.has(rule.campaignId)) campaigns.set(rule.campaignId, await loadCampaign(db, rule.campaignId));
    const c = campaigns.get(rule.campaignId);
    if (!c) continue;
    const wk = `${rule.id}:${s.window_key}`;
    if (!windows.has(wk)) windows.set(wk, campaignWindows(rule.rule.period, c, rule.rule.festival).find((w) => w.key === s.window_key));
    const w = windows.get(wk);
    if (!w) continue;
    const row = toRow(rule, w, {
      wk: s.window_key, subject_id: s.subject_id, subject_name: s.subject_name, cadre_id: s.cadre_id, target_id: s.target_id, team_id: s.team_id, unit_id: s.unit_id,
      unit_path: s.unit_path, region_path: s.region_path, cov_start: s.window_start, cov_end: s.window_end, n: s.count,
    }, opts.now, memoOf(rule.id));
    const list = out.get(rule.id);
    if (list) list.push(row);
    else out.set(rule.id, [row]);
  }
  let rows = 0;
  await inTransaction(db, async (tx) => {
    for (const [ruleId, list] of out) {
      await writeRows(tx, ruleId, list, opts.now);
      rows += list.length;
    }
  });
  return { rows };
}

/**
 * Queues what one stored record touches, read from the record as it stands (call it before a
 * change for the old state and after it for the new one, in the writing transaction).
 */
export async function queueRecordChange(db: Executor, kind: 'activity' | 'writing' | 'matter', id: number): Promise<void> {
  switch (kind) {
    case 'activity':
      // Every day a stay covers: a long stay reaches into several weeks.
      await sql`insert into compliance_pending (campaign_id, cadre_id, target_id, day, record_kind)
        select a.campaign_id, x.cadre_id, x.target_id, (a.starts_at at time zone 'Asia/Shanghai')::date + g.i, 'activity:' || a.kind
        from activities a
        cross join lateral (select ap.cadre_id, null::int as target_id from activity_participants ap where ap.activity_id = a.id
          union all select null::int, at.target_id from activity_targets at where at.activity_id = a.id) x
        cross join lateral generate_series(0, greatest(a.stay_days, 1) - 1) g(i)
        where a.id = ${id}`.execute(db);
      return;
    case 'writing':
      await sql`insert into compliance_pending (campaign_id, cadre_id, target_id, team_id, day, record_kind)
        select campaign_id, author_cadre_id, target_id, team_id, written_on, 'writing:' || kind from writings where id = ${id}`.execute(db);
      return;
    case 'matter':
      await sql`insert into compliance_pending (campaign_id, cadre_id, target_id, day, record_kind)
        select campaign_id, cadre_id, target_id, d.day, 'matter' from practical_matters m
        cross join lateral (select m.promised_on as day union select m.done_on where m.done_on is not null) d
        where m.id = ${id}`.execute(db);
      return;
  }
}

/** Queues the pairings just added or ended (a state: every window of theirs is recounted). */
export async function queuePairingsChange(db: Executor, pairingIds: number[]): Promise<void> {
  if (pairingIds.length === 0) return;
  await sql`insert into compliance_pending (campaign_id, cadre_id, target_id, team_id, day, record_kind)
    select campaign_id, cadre_id, target_id, team_id, null::date, 'pairing' from pairings where id = any(${ints(pairingIds)})`.execute(db);
}
