import { sql, type RawBuilder } from 'kysely';
import type { FigureKey, FigureRecordKind, FigureValue, StatisticsResult, StatisticsScope } from '../../../contracts/statistics.ts';
import { figureDefinitions, figureKeys } from '../../../contracts/statistics.ts';
import type { Executor } from '../../db/database.ts';
import { pathUnder } from '../../db/paths.ts';
import { AppError, forbidden, notFound } from '../../errors.ts';
import { isUnder, type Actor } from '../auth/actor.ts';
import { visibleCampaign } from '../campaigns/campaigns.ts';
import { topRegion } from '../open311/deployment.ts';
import { chinaDayStart } from '../../lib/workdays.ts';
import { additiveColumns, reachFigures, readCompliance, readCounters, readReach, refreshRollups, rollupsAnswer, TOTAL_GROUP, type ReachFigureKey, type RefreshResult, type RollupGroup } from './rollups.ts';

// Traceable statistics (issue 7): every figure the articles quote, computed set-based from the
// records themselves. One statement per family of figures (activities, writings, matters,
// tickets, people, compliance), each a single pass over the filtered records with FILTER
// clauses, grouped by the requested grouping in SQL; never a query per group or per record.
// The definitions each figure states are in contracts/statistics.ts (figureDefinitions); the
// WHERE fragments below are shared with the drill-down (records.ts) so a figure and its records
// cannot disagree.

/** Resolved and scope-checked: the actor's own scope is already folded in. */
export type FigureFilter = { campaignId: number | null; regionPath: string | null; unitPath: string | null; from: string; to: string };
export type FigureGrouping = 'none' | 'childRegion' | 'month' | 'day';
/** group: '' (none) | child region code | 'YYYY-MM' | 'YYYY-MM-DD'. */
export type FigureGroupRow = { group: string; figures: FigureValue[] };

// ── The record filters (shared with records.ts) ─────────────────────────────────────────────

export const dayAfter = (date: string) => new Date(chinaDayStart(date).getTime() + 86_400_000).toISOString().slice(0, 10);
const tsFrom = (f: { from: string }) => chinaDayStart(f.from);
const tsTo = (f: { to: string }) => new Date(chinaDayStart(f.to).getTime() + 86_400_000);
const all = (conds: RawBuilder<boolean>[]) => (conds.length === 0 ? sql<boolean>`true` : sql<boolean>`(${sql.join(conds, sql` and `)})`);

/** Activities that started on a day of the period (China time), of the campaign, in the region, with a participant of the unit. */
export function activityWhere(f: FigureFilter, a = 'a'): RawBuilder<boolean> {
  const c: RawBuilder<boolean>[] = [
    sql<boolean>`${sql.ref(`${a}.starts_at`)} >= ${tsFrom(f)}`,
    sql<boolean>`${sql.ref(`${a}.starts_at`)} < ${tsTo(f)}`,
  ];
  if (f.campaignId !== null) c.push(sql<boolean>`${sql.ref(`${a}.campaign_id`)} = ${f.campaignId}`);
  if (f.regionPath !== null) c.push(pathUnder(`${a}.region_path`, f.regionPath));
  if (f.unitPath !== null) c.push(sql<boolean>`exists (select 1 from activity_participants fp where fp.activity_id = ${sql.ref(`${a}.id`)} and ${pathUnder('fp.unit_path', f.unitPath)})`);
  return all(c);
}

/** Writings (drafts left out) written on a day of the period. */
export function writingWhere(f: FigureFilter, w = 'w'): RawBuilder<boolean> {
  const c: RawBuilder<boolean>[] = [
    sql<boolean>`${sql.ref(`${w}.status`)} <> 'draft'`,
    sql<boolean>`${sql.ref(`${w}.written_on`)} between ${f.from}::date and ${f.to}::date`,
  ];
  if (f.campaignId !== null) c.push(sql<boolean>`${sql.ref(`${w}.campaign_id`)} = ${f.campaignId}`);
  if (f.regionPath !== null) c.push(pathUnder(`${w}.region_path`, f.regionPath));
  if (f.unitPath !== null) c.push(pathUnder(`${w}.unit_path`, f.unitPath));
  return all(c);
}

/** Practical matters of the campaign, region and unit (the period is applied per figure: promised_on or done_on). */
export function matterWhere(f: FigureFilter, m = 'm'): RawBuilder<boolean> {
  const c: RawBuilder<boolean>[] = [];
  if (f.campaignId !== null) c.push(sql<boolean>`${sql.ref(`${m}.campaign_id`)} = ${f.campaignId}`);
  if (f.regionPath !== null) c.push(pathUnder(`${m}.region_path`, f.regionPath));
  if (f.unitPath !== null) c.push(pathUnder(`${m}.unit_path`, f.unitPath));
  return all(c);
}
export const matterPromisedIn = (f: FigureFilter, m = 'm') => sql<boolean>`${sql.ref(`${m}.promised_on`)} between ${f.from}::date and ${f.to}::date`;
export const matterDoneIn = (f: FigureFilter, m = 'm') =>
  sql<boolean>`(${sql.ref(`${m}.status`)} = 'done' and ${sql.ref(`${m}.done_on`)} between ${f.from}::date and ${f.to}::date)`;

/** Tickets (merged duplicates left out) of the campaign, about the region, found or handled by the unit (the period per figure). */
export function ticketWhere(f: FigureFilter, t = 't'): RawBuilder<boolean> {
  const c: RawBuilder<boolean>[] = [sql<boolean>`${sql.ref(`${t}.merged_into_id`)} is null`];
  if (f.campaignId !== null) c.push(sql<boolean>`${sql.ref(`${t}.campaign_id`)} = ${f.campaignId}`);
  if (f.regionPath !== null) c.push(pathUnder(`${t}.region_path`, f.regionPath));
  if (f.unitPath !== null) c.push(sql<boolean>`(${pathUnder(`${t}.handling_unit_path`, f.unitPath)} or ${pathUnder(`${t}.finder_unit_path`, f.unitPath)})`);
  return all(c);
}
export const ticketRegisteredIn = (f: FigureFilter, t = 't') =>
  sql<boolean>`(${sql.ref(`${t}.created_at`)} >= ${tsFrom(f)} and ${sql.ref(`${t}.created_at`)} < ${tsTo(f)})`;
export const ticketResolvedIn = (f: FigureFilter, t = 't') =>
  sql<boolean>`(${sql.ref(`${t}.resolved_at`)} >= ${tsFrom(f)} and ${sql.ref(`${t}.resolved_at`)} < ${tsTo(f)})`;

/**
 * Cadres on pairings (a direct pairing, or a member of a paired team while a member), with the
 * pairing, the target's region and the interval [lo, hi) the cadre served it; a row is "open at
 * some day of [from, to]" when greatest(lo, from) < least(hi, to + 1). Pairings and memberships
 * end the day before ends_on / left_on, as in the compliance engine.
 */
export function pairingCadres(f: FigureFilter): RawBuilder<{ pairing_id: number; cadre_id: number; team_id: number | null; region_path: string; lo: string; hi: string | null }> {
  const c: RawBuilder<boolean>[] = [];
  if (f.campaignId !== null) c.push(sql<boolean>`p.campaign_id = ${f.campaignId}`);
  if (f.regionPath !== null) c.push(pathUnder('ct.region_path', f.regionPath));
  const unit = f.unitPath === null ? sql<boolean>`true` : pathUnder('cu.path', f.unitPath);
  return sql`(
    select p.id as pairing_id, p.cadre_id, null::int as team_id, ct.region_path, p.starts_on as lo, p.ends_on as hi
      from pairings p join contact_targets ct on ct.id = p.target_id join cadres cc on cc.id = p.cadre_id join units cu on cu.id = cc.unit_id
      where p.cadre_id is not null and ${all(c)} and ${unit}
    union all
    select p.id, tm.cadre_id, p.team_id, ct.region_path, greatest(p.starts_on, tm.joined_on), least(p.ends_on, tm.left_on)
      from pairings p join contact_targets ct on ct.id = p.target_id join team_members tm on tm.team_id = p.team_id
      join cadres cc on cc.id = tm.cadre_id join units cu on cu.id = cc.unit_id
      where p.team_id is not null and ${all(c)} and ${unit}
        and tm.joined_on < coalesce(p.ends_on, 'infinity'::date) and (tm.left_on is null or tm.left_on > p.starts_on)
  )`;
}
export const openWithin = (from: RawBuilder<unknown> | string, to: RawBuilder<unknown> | string) =>
  sql<boolean>`(pc.lo <= ${to}::date and (pc.hi is null or pc.hi > ${from}::date))`;

/**
 * Teams of the campaign with the regions they work in (their leader's unit's region and every
 * paired target's region) and the day they were formed.
 */
export function teamPlaces(f: FigureFilter): RawBuilder<{ team_id: number; region_path: string; formed_on: string }> {
  const c: RawBuilder<boolean>[] = [];
  if (f.campaignId !== null) c.push(sql<boolean>`tt.campaign_id = ${f.campaignId}`);
  if (f.unitPath !== null) c.push(pathUnder('lu.path', f.unitPath));
  return sql`(
    select x.team_id, x.region_path, x.formed_on from (
      select tt.id as team_id, lu.region_path, (tt.created_at at time zone 'Asia/Shanghai')::date as formed_on
        from teams tt join cadres lc on lc.id = tt.leader_cadre_id join units lu on lu.id = lc.unit_id where ${all(c)}
      union
      select tt.id, ct.region_path, (tt.created_at at time zone 'Asia/Shanghai')::date
        from teams tt join cadres lc on lc.id = tt.leader_cadre_id join units lu on lu.id = lc.unit_id
        join pairings tp on tp.team_id = tt.id join contact_targets ct on ct.id = tp.target_id where ${all(c)}
    ) x ${f.regionPath === null ? sql`` : sql`where ${pathUnder('x.region_path', f.regionPath)}`}
  )`;
}

/**
 * Compliance rows counted: cadre subjects of active rules, decided (met or missed), whose window
 * ended within the period, or is still open at its end but already decided (met early, or missed
 * because it can no longer be met). The row's day for month/day buckets is least(window_end, to).
 */
export function complianceWhere(f: FigureFilter, r = 'r', rr = 'rr'): RawBuilder<boolean> {
  const col = (x: string) => sql.ref(`${r}.${x}`);
  const c: RawBuilder<boolean>[] = [
    sql<boolean>`${sql.ref(`${rr}.active`)}`,
    sql<boolean>`(${sql.ref(`${rr}.rule`)} ->> 'subject') = 'cadre'`,
    sql<boolean>`${col('status')} in ('met', 'missed')`,
    sql<boolean>`(${col('window_end')} between ${f.from}::date and ${f.to}::date or (${col('window_start')} <= ${f.to}::date and ${col('window_end')} > ${f.to}::date))`,
  ];
  if (f.campaignId !== null) c.push(sql<boolean>`${sql.ref(`${rr}.campaign_id`)} = ${f.campaignId}`);
  if (f.regionPath !== null) c.push(pathUnder(`${r}.region_path`, f.regionPath));
  if (f.unitPath !== null) c.push(pathUnder(`${r}.unit_path`, f.unitPath));
  return all(c);
}

// ── Activity figures as data: which kinds, and what each record adds ────────────────────────

type ActivityFigure =
  | { kinds: readonly string[] | null; sum: 'count' | 'stay_days' | 'attendees' | 'money_fen' }
  | { kinds: readonly string[] | null; distinct: { targetKind: 'household' | 'enterprise' | 'project'; tag?: string } }
  | { kinds: null; distinct: 'village' };

export const activityFigures = {
  stayDays: { kinds: ['stay'], sum: 'stay_days' },
  householdVisits: { kinds: ['household_visit'], sum: 'count' },
  householdsVisited: { kinds: ['household_visit'], distinct: { targetKind: 'household' } },
  forums: { kinds: ['forum'], sum: 'count' },
  talkAttendance: { kinds: ['talk'], sum: 'attendees' },
  hardshipHouseholdsComforted: { kinds: ['condolence'], distinct: { targetKind: 'household', tag: '困难户' } },
  condolenceMoneyFen: { kinds: ['condolence'], sum: 'money_fen' },
  policyTalks: { kinds: ['policy_talk'], sum: 'count' },
  consultationAttendance: { kinds: ['consultation'], sum: 'attendees' },
  attendance: { kinds: null, sum: 'attendees' },
  receptions: { kinds: ['reception'], sum: 'count' },
  onsiteOffices: { kinds: ['onsite_office'], sum: 'count' },
  enterprisesVisited: { kinds: ['enterprise_visit'], distinct: { targetKind: 'enterprise' } },
  projectsVisited: { kinds: ['project_visit'], distinct: { targetKind: 'project' } },
  researchActivities: { kinds: ['research'], sum: 'count' },
  villagesCovered: { kinds: null, distinct: 'village' },
} as const satisfies Partial<Record<FigureKey, ActivityFigure>>;
export type ActivityFigureKey = keyof typeof activityFigures;
export const isActivityFigure = (k: FigureKey): k is ActivityFigureKey => k in activityFigures;

export const kindIn = (kinds: readonly string[] | null, col: string) =>
  (kinds === null ? sql<boolean>`true` : sql<boolean>`${sql.ref(col)} in (${sql.join([...kinds])})`);
/** The condition on a target (alias) for a distinct-target figure. */
export const targetMatches = (d: { targetKind: string; tag?: string }, t = 'ct') =>
  (d.tag === undefined
    ? sql<boolean>`${sql.ref(`${t}.kind`)} = ${d.targetKind}`
    : sql<boolean>`(${sql.ref(`${t}.kind`)} = ${d.targetKind} and ${d.tag} = any(${sql.ref(`${t}.tags`)}))`);

/** The village (村/社区) a region path lies in: the path segment at the village level's depth. */
export async function villageSegments(db: Executor): Promise<number[]> {
  const rows = await db.selectFrom('regions').select('depth').distinct().where('level', '=', 'village').execute();
  return rows.map((r) => r.depth + 1);
}
export const villageOf = (segments: number[], col: string, v = 'v') =>
  (segments.length === 0
    ? sql<boolean>`false`
    : sql<boolean>`(${sql.ref(`${v}.level`)} = 'village' and ${sql.ref(`${v}.code`)} in (${sql.join(segments.map((s) => sql`split_part(${sql.ref(col)}, '/', ${sql.lit(s)})`))}))`);

export const writingFigures = {
  diaries: 'diary', researchTopics: 'research_topic', researchReports: 'research_report', leaderMemos: 'leader_memo', developmentPlans: 'development_plan',
} as const satisfies Partial<Record<FigureKey, string>>;
export type WritingFigureKey = keyof typeof writingFigures;

const families: Record<FigureKey, 'activities' | 'writings' | 'matters' | 'tickets' | 'cadres' | 'teams' | 'compliance'> = {
  ...Object.fromEntries(Object.keys(activityFigures).map((k) => [k, 'activities'])),
  ...Object.fromEntries(Object.keys(writingFigures).map((k) => [k, 'writings'])),
  mattersPromised: 'matters', mattersDone: 'matters', matterFundsFen: 'matters',
  ticketsRegistered: 'tickets', problemsSolved: 'tickets', resolveRate: 'tickets', onTimeRate: 'tickets', satisfactionRate: 'tickets',
  cadresDispatched: 'cadres', teamsFormed: 'teams', complianceRate: 'compliance',
} as Record<FigureKey, 'activities' | 'writings' | 'matters' | 'tickets' | 'cadres' | 'teams' | 'compliance'>;

/** The record kind behind each figure. */
export const recordKindOf = (k: FigureKey): FigureRecordKind => figureDefinitions[k].records;

// ── Grouping ─────────────────────────────────────────────────────────────────────────────────

type Bucket = { key: string; from: string; to: string };

export function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The month or day buckets of [from, to], clipped to the period. */
export function timeBuckets(from: string, to: string, grouping: 'month' | 'day'): Bucket[] {
  const out: Bucket[] = [];
  if (grouping === 'day') {
    for (let d = from; d <= to; d = addDays(d, 1)) out.push({ key: d, from: d, to: d });
    return out;
  }
  let start = from;
  while (start <= to) {
    const [y, m] = start.split('-').map(Number) as [number, number];
    const next = `${m === 12 ? y + 1 : y}-${String(m === 12 ? 1 : m + 1).padStart(2, '0')}-01`;
    const end = addDays(next, -1);
    out.push({ key: start.slice(0, 7), from: start, to: end < to ? end : to });
    start = next;
  }
  return out;
}

type GroupPlan = {
  grouping: FigureGrouping;
  groups: string[];
  /** The group key of a record from its region path column and its China day expression. */
  key: (regionCol: string, day: RawBuilder<unknown>) => RawBuilder<string>;
  buckets: Bucket[];
  /** For childRegion: the path segment holding the child's code. */
  childSegment: number | null;
};

async function planGroups(db: Executor, f: FigureFilter, grouping: FigureGrouping): Promise<GroupPlan> {
  if (grouping === 'none') return { grouping, groups: [''], key: () => sql<string>`''`, buckets: [{ key: '', from: f.from, to: f.to }], childSegment: null };
  if (grouping === 'month' || grouping === 'day') {
    // A row per day is for short periods (the dashboard's trend uses days under 62 days).
    if (grouping === 'day' && f.to > addDays(f.from, 399)) throw new AppError('VALIDATION_FAILED', '按日分组的统计期最长400天', { field: 'to', fields: [{ field: 'to', message: '按日分组的统计期最长400天' }] });
    const buckets = timeBuckets(f.from, f.to, grouping);
    const fmt = grouping === 'month' ? 'YYYY-MM' : 'YYYY-MM-DD';
    return { grouping, groups: buckets.map((b) => b.key), key: (_r, day) => sql<string>`to_char(${day}, ${sql.lit(fmt)})`, buckets, childSegment: null };
  }
  const base = f.regionPath ?? (await topRegion(db))?.path ?? null;
  if (base === null) throw new AppError('VALIDATION_FAILED', '没有唯一的顶级区划，请选择一个区划再按下级区划分组', { field: 'regionCode' });
  const parentCode = base.split('/').pop()!;
  const kids = await db.selectFrom('regions').select('code').where('parent_code', '=', parentCode)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', f.from)])).orderBy('code').execute();
  const seg = base.split('/').length + 1;
  return {
    grouping,
    groups: kids.map((k) => k.code),
    key: (regionCol) => sql<string>`split_part(${sql.ref(regionCol)}, '/', ${sql.lit(seg)})`,
    buckets: [{ key: '', from: f.from, to: f.to }],
    childSegment: seg,
  };
}

/** A timestamp column's China calendar day. */
export const chinaDay = (col: string) => sql`(${sql.ref(col)} at time zone 'Asia/Shanghai')::date`;
const bucketsValues = (buckets: Bucket[]) =>
  sql`unnest(${buckets.map((b) => b.key)}::text[], ${buckets.map((b) => b.from)}::date[], ${buckets.map((b) => b.to)}::date[]) as b(key, b_from, b_to)`;

// ── computeFigures ──────────────────────────────────────────────────────────────────────────

type Raw = Record<string, number | null>;
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const rate = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 10_000) / 10_000);

/**
 * Every requested figure for the filter, grouped. From the rollups (rollups.ts) when they can
 * answer (no unit filter, a region no deeper than a township), refreshed first so they equal the
 * records; else, and always with `source: 'records'` (the reference the tests compare the rollups
 * with), set-based SQL over the records, one statement per family. Cadres and teams always come
 * from the records (pairings, not rolled up).
 */
export async function computeFigures(
  db: Executor, filter: FigureFilter, keys: readonly FigureKey[], grouping: FigureGrouping = 'none',
  // `refreshed`: the caller has just brought the rollups up to the records (refreshRollups) and
  // passes on what it returned, so side-by-side calls do not each probe the queues again.
  // `total` (childRegion only): one more group, TOTAL_GROUP, with the figures grouping 'none' gives
  // (from the rollups in the same pass: the dashboard's headline and children read once).
  options: { source?: 'auto' | 'records'; refreshed?: RefreshResult; total?: boolean } = {},
): Promise<FigureGroupRow[]> {
  if (options.total && grouping !== 'childRegion') throw new Error('computeFigures: a total group is only asked with childRegion');
  const plan = await planGroups(db, filter, grouping);
  const wanted = new Set(keys);
  const rolled = options.source !== 'records' && keys.some((k) => !['cadres', 'teams'].includes(families[k]))
    ? (options.refreshed ?? (await refreshRollups(db))).segments
    : null;
  const fromRollups = rolled !== null && rollupsAnswer(rolled, filter, plan.childSegment);
  // Compliance is rolled up by whole region path: it answers at any depth, without a unit filter.
  const complianceRolled = rolled !== null && filter.unitPath === null;
  const onePass = options.total === true && fromRollups && keys.every((k) => !['cadres', 'teams'].includes(families[k]));
  if (options.total && !onePass) {
    const [groups, whole] = await Promise.all([
      computeFigures(db, filter, keys, grouping, { ...options, total: false }),
      computeFigures(db, filter, keys, 'none', { ...options, total: false }),
    ]);
    return [...groups, { group: TOTAL_GROUP, figures: whole[0]!.figures }];
  }
  if (onePass) plan.groups.push(TOTAL_GROUP);
  const need = (fam: string) => keys.some((k) => families[k] === fam)
    && !(fromRollups && !['cadres', 'teams'].includes(fam)) && !(fam === 'compliance' && complianceRolled);
  // raw[group][column]
  const raw = new Map<string, Raw>(plan.groups.map((g) => [g, {}]));
  const put = (rows: Record<string, unknown>[]) => {
    for (const r of rows) {
      const g = String(r.g ?? '');
      const into = raw.get(g);
      if (!into) continue; // a record at the base region itself, not under one of its children
      for (const [k, v] of Object.entries(r)) if (k !== 'g') into[k] = (into[k] ?? 0) + num(v);
    }
  };

  if (fromRollups) {
    const g: RollupGroup = { grouping: plan.grouping, childSegment: plan.childSegment, buckets: plan.buckets, total: onePass };
    const has = (fam: string) => keys.some((k) => families[k] === fam);
    const counters = [
      ...keys.filter((k) => k in additiveColumns),
      ...(has('tickets') ? ['registered', 'resolved', 'resolved_on_time', 'rated', 'satisfied', 'solved'] : []),
    ] as (keyof typeof additiveColumns)[];
    const [sums, reach] = await Promise.all([
      readCounters(db, filter, g, counters, rolled),
      readReach(db, filter, g, keys.filter((k): k is ReachFigureKey => k in reachFigures), rolled),
    ]);
    put(sums);
    put(reach);
  }
  if (complianceRolled && keys.some((k) => families[k] === 'compliance')) {
    put(await readCompliance(db, filter, { grouping: plan.grouping, childSegment: plan.childSegment, buckets: plan.buckets, total: onePass }, rolled));
  }

  if (need('activities')) {
    const villages = await villageSegments(db);
    const cols: RawBuilder<unknown>[] = [];
    const tcols: RawBuilder<unknown>[] = [];
    for (const [k, def] of Object.entries(activityFigures) as [ActivityFigureKey, ActivityFigure][]) {
      if (!wanted.has(k)) continue;
      const kinds = kindIn(def.kinds, 'fa.kind');
      if ('sum' in def) {
        const what = def.sum === 'count'
          ? sql`count(*) filter (where ${kinds})`
          : sql`coalesce(sum(${sql.ref(`fa.${def.sum}`)}) filter (where ${kinds}), 0)`;
        cols.push(sql`(${what})::bigint as ${sql.ref(k)}`);
      } else if (def.distinct !== 'village') {
        tcols.push(sql`(count(distinct ct.id) filter (where ${kinds} and ${targetMatches(def.distinct)}))::bigint as ${sql.ref(k)}`);
      }
    }
    const day = chinaDay('a.starts_at');
    const distinctKeys = (Object.keys(activityFigures) as ActivityFigureKey[]).filter((k) => wanted.has(k) && 'distinct' in activityFigures[k] && k !== 'villagesCovered');
    const villagesWanted = wanted.has('villagesCovered');
    // One pass over the filtered activities; the distinct counts join their targets (or regions)
    // once, and every group with such a join also has a row of the first aggregate.
    const { rows } = await sql<Record<string, unknown>>`
      with fa as materialized (
        select a.id, a.kind, a.stay_days, a.attendees, a.money_fen, a.region_path, ${plan.key('a.region_path', day)} as g
          from activities a where ${activityWhere(filter)}
      ),
      agg as (select g${cols.length ? sql`, ${sql.join(cols)}` : sql``} from fa group by g)
      ${tcols.length ? sql`, tg as (select fa.g, ${sql.join(tcols)} from fa join activity_targets fat on fat.activity_id = fa.id join contact_targets ct on ct.id = fat.target_id group by fa.g)` : sql``}
      ${villagesWanted ? sql`, vg as (select fa.g, count(distinct v.code)::bigint as "villagesCovered" from fa join regions v on ${villageOf(villages, 'fa.region_path')} group by fa.g)` : sql``}
      select agg.*
        ${distinctKeys.length ? sql`, ${sql.join(distinctKeys.map((k) => sql.ref(`tg.${k}`)))}` : sql``}
        ${villagesWanted ? sql`, vg."villagesCovered"` : sql``}
      from agg
        ${tcols.length ? sql`left join tg on tg.g = agg.g` : sql``}
        ${villagesWanted ? sql`left join vg on vg.g = agg.g` : sql``}
    `.execute(db);
    put(rows);
  }

  if (need('writings')) {
    const cols = (Object.entries(writingFigures) as [WritingFigureKey, string][]).map(([k, kind]) => sql`(count(*) filter (where w.kind = ${kind}))::bigint as ${sql.ref(k)}`);
    const { rows } = await sql<Record<string, unknown>>`
      select ${plan.key('w.region_path', sql`w.written_on`)} as g, ${sql.join(cols)} from writings w where ${writingWhere(filter)} group by 1`.execute(db);
    put(rows);
  }

  if (need('matters')) {
    const { rows } = await sql<Record<string, unknown>>`
      select ${plan.key('m.region_path', sql`m.promised_on`)} as g, count(*)::bigint as "mattersPromised", 0::bigint as "mattersDone", 0::bigint as "matterFundsFen"
        from practical_matters m where ${matterWhere(filter)} and ${matterPromisedIn(filter)} group by 1
      union all
      select ${plan.key('m.region_path', sql`m.done_on`)}, 0, count(*)::bigint, coalesce(sum(m.amount_fen), 0)::bigint
        from practical_matters m where ${matterWhere(filter)} and ${matterDoneIn(filter)} group by 1`.execute(db);
    put(rows);
  }

  if (need('tickets')) {
    const { rows } = await sql<Record<string, unknown>>`
      select ${plan.key('t.region_path', chinaDay('t.created_at'))} as g,
          count(*)::bigint as registered,
          (count(*) filter (where t.resolved_at is not null))::bigint as resolved,
          (count(*) filter (where t.resolved_at is not null and t.resolved_on_time is true))::bigint as resolved_on_time,
          (count(*) filter (where t.rating is not null))::bigint as rated,
          (count(*) filter (where t.rating in ('satisfied', 'basically_satisfied')))::bigint as satisfied,
          0::bigint as solved
        from tickets t where ${ticketWhere(filter)} and ${ticketRegisteredIn(filter)} group by 1
      union all
      select ${plan.key('t.region_path', chinaDay('t.resolved_at'))}, 0, 0, 0, 0, 0, count(*)::bigint
        from tickets t where ${ticketWhere(filter)} and ${ticketResolvedIn(filter)} group by 1`.execute(db);
    put(rows);
  }

  if (need('cadres')) {
    const timed = plan.grouping === 'month' || plan.grouping === 'day';
    const served = sql`
      pc as materialized (
        -- a cadre's served intervals [lo, hi) once, however many targets they were paired with over them
        select distinct x.cadre_id, x.lo, coalesce(x.hi, 'infinity'::date) as hi from ${pairingCadres(filter)} x
          where x.lo <= ${filter.to}::date and (x.hi is null or x.hi > ${filter.from}::date)
      )`;
    if (plan.grouping === 'day') {
      // By day: merge each cadre's intervals (gaps and islands), so on any day a cadre is inside at
      // most one; the cadres serving on a day are then a running sum of starts and ends.
      const { rows } = await sql<Record<string, unknown>>`
        with ${served},
        o as (select pc.*, max(pc.hi) over (partition by pc.cadre_id order by pc.lo, pc.hi rows between unbounded preceding and 1 preceding) as prev_hi from pc),
        gi as (select o.*, sum(case when o.prev_hi is null or o.lo > o.prev_hi then 1 else 0 end) over (partition by o.cadre_id order by o.lo, o.hi) as grp from o),
        m as (select min(gi.lo) as lo, max(gi.hi) as hi from gi group by gi.cadre_id, gi.grp),
        ev as (select greatest(m.lo, ${filter.from}::date) as d, 1 as delta from m union all select m.hi, -1 from m where m.hi <= ${filter.to}::date),
        run as (select e.d, sum(e.delta) over (order by e.d) as open from (select ev.d, sum(ev.delta) as delta from ev group by ev.d) e)
        select b.key as g, coalesce((select r.open from run r where r.d <= b.b_from order by r.d desc limit 1), 0)::bigint as "cadresDispatched"
          from ${bucketsValues(plan.buckets)}`.execute(db);
      put(rows);
    } else {
      const { rows } = await sql<Record<string, unknown>>`
        select ${timed ? sql`b.key` : plan.key('pc.region_path', sql`null`)} as g, count(distinct pc.cadre_id)::bigint as "cadresDispatched"
          from ${pairingCadres(filter)} pc join ${bucketsValues(plan.buckets)} on ${openWithin(sql`b.b_from`, sql`b.b_to`)}
          group by 1`.execute(db);
      put(rows);
    }
  }

  if (need('teams')) {
    const timed = plan.grouping === 'month' || plan.grouping === 'day';
    const { rows } = await sql<Record<string, unknown>>`
      select ${timed ? sql`b.key` : plan.key('tp.region_path', sql`null`)} as g, count(distinct tp.team_id)::bigint as "teamsFormed"
        from ${teamPlaces(filter)} tp join ${bucketsValues(plan.buckets)} on tp.formed_on <= b.b_to
        group by 1`.execute(db);
    put(rows);
  }

  if (need('compliance')) {
    const { rows } = await sql<Record<string, unknown>>`
      select ${plan.key('r.region_path', sql`least(r.window_end, ${filter.to}::date)`)} as g,
          (count(*) filter (where r.status = 'met'))::bigint as met, count(*)::bigint as decided
        from compliance_results r join requirement_rules rr on rr.id = r.rule_id where ${complianceWhere(filter)} group by 1`.execute(db);
    put(rows);
  }

  const order = [...wanted]; // as asked
  return plan.groups.map((g) => {
    const r = raw.get(g)!;
    const v = (c: string) => num(r[c]);
    const figures = order.map((key): FigureValue => {
      switch (key) {
        case 'ticketsRegistered': return { key, value: v('registered') };
        case 'problemsSolved': return { key, value: v('solved') };
        case 'resolveRate': return { key, value: rate(v('resolved'), v('registered')), numerator: v('resolved'), denominator: v('registered') };
        case 'onTimeRate': return { key, value: rate(v('resolved_on_time'), v('resolved')), numerator: v('resolved_on_time'), denominator: v('resolved') };
        case 'satisfactionRate': return { key, value: rate(v('satisfied'), v('rated')), numerator: v('satisfied'), denominator: v('rated') };
        case 'complianceRate': return { key, value: rate(v('met'), v('decided')), numerator: v('met'), denominator: v('decided') };
        default: return { key, value: v(key) };
      }
    });
    return { group: g, figures };
  });
}

// ── Scope ───────────────────────────────────────────────────────────────────────────────────

/**
 * The caller's statistics scope: 404 for an unknown campaign/region/unit or one outside the
 * actor's scope; the actor's own region/unit scope always applies. Cadres read their own records
 * elsewhere (我的任务, their records): statistics are for the staff who answer for a region or unit.
 */
export async function resolveStatisticsScope(db: Executor, actor: Actor, scope: StatisticsScope): Promise<{ filter: FigureFilter; scope: StatisticsResult['scope'] }> {
  if (actor.role === 'cadre') throw forbidden('统计数据供活动办、单位和领导查看；干部请在“我的任务”中查看本人的记录');
  if (scope.to < scope.from) throw new AppError('VALIDATION_FAILED', `结束日期（${scope.to}）不能早于开始日期（${scope.from}）`, { field: 'to', fields: [{ field: 'to', message: '结束日期不能早于开始日期' }] });
  const own = actor.scope;

  let campaign: { id: number; name: string } | null = null;
  if (scope.campaignId !== undefined) {
    const c = await visibleCampaign(db, actor, scope.campaignId);
    campaign = { id: c.id, name: c.name };
  }

  let regionPath = own.regionPath;
  let region: { code: string; name: string } | null = null;
  if (scope.regionCode !== undefined) {
    const r = await db.selectFrom('regions').select(['code', 'name', 'path']).where('code', '=', scope.regionCode).executeTakeFirst();
    if (!r || (own.regionPath !== null && !isUnder(r.path, own.regionPath))) throw notFound('区划', scope.regionCode);
    regionPath = r.path;
    region = { code: r.code, name: r.name };
  } else if (own.regionPath !== null) {
    const code = own.regionPath.split('/').pop()!;
    const r = await db.selectFrom('regions').select(['code', 'name']).where('code', '=', code).executeTakeFirst();
    region = r ? { code: r.code, name: r.name } : null;
  }

  let unitPath = own.unitPath;
  let unit: { id: number; name: string } | null = null;
  if (scope.unitId !== undefined) {
    const u = await db.selectFrom('units').select(['id', 'name', 'path', 'region_path']).where('id', '=', scope.unitId).executeTakeFirst();
    if (!u || (own.unitPath !== null && !isUnder(u.path, own.unitPath))) throw notFound('单位', scope.unitId);
    // A region account may read a unit whose jurisdiction is in its region, or a county unit
    // above it (a county department's work in a township): the records stay cut to the region.
    if (own.regionPath !== null && own.unitPath === null && !isUnder(u.region_path, own.regionPath) && !isUnder(own.regionPath, u.region_path)) throw notFound('单位', scope.unitId);
    unitPath = u.path;
    unit = { id: u.id, name: u.name };
  } else if (own.unitPath !== null) {
    const id = Number(own.unitPath.split('/').pop());
    const u = await db.selectFrom('units').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
    unit = u ? { id: u.id, name: u.name } : null;
  }

  return {
    filter: { campaignId: campaign?.id ?? null, regionPath, unitPath, from: scope.from, to: scope.to },
    scope: { campaign, region, unit, from: scope.from, to: scope.to },
  };
}

/** Parses a comma-separated list of figure keys (absent = all); an unknown key is a 400 naming it. */
export function parseFigureKeys(list: string | undefined, field = 'figures'): FigureKey[] {
  if (list === undefined || list.trim() === '') return [...figureKeys];
  const keys = list.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = keys.filter((k) => !(figureKeys as readonly string[]).includes(k));
  if (unknown.length) {
    const message = `未知的统计指标：${unknown.join('、')}`;
    throw new AppError('VALIDATION_FAILED', message, { field, fields: [{ field, message }] });
  }
  return [...new Set(keys)] as FigureKey[];
}

// ── Record ids (bulletin snapshots) ─────────────────────────────────────────────────────────

/**
 * The ids of every record behind one figure. For a rate: the records of its denominator. For
 * complianceRate the compliance rows have no single id: the ids are the cadres (subject ids).
 */
export async function figureRecordIds(db: Executor, filter: FigureFilter, key: FigureKey): Promise<{ kind: FigureRecordKind; ids: number[] }> {
  const kind = recordKindOf(key);
  let rows: { id: number }[];
  if (isActivityFigure(key)) {
    const def: ActivityFigure = activityFigures[key];
    let extra = sql<boolean>`true`;
    if ('sum' in def && def.sum !== 'count') extra = sql<boolean>`coalesce(${sql.ref(`a.${def.sum}`)}, 0) <> 0`;
    else if ('distinct' in def && def.distinct !== 'village') {
      extra = sql<boolean>`exists (select 1 from activity_targets fat join contact_targets ct on ct.id = fat.target_id where fat.activity_id = a.id and ${targetMatches(def.distinct)})`;
    } else if ('distinct' in def) {
      extra = sql<boolean>`exists (select 1 from regions v where ${villageOf(await villageSegments(db), 'a.region_path')})`;
    }
    rows = (await sql<{ id: number }>`select a.id from activities a where ${activityWhere(filter)} and ${kindIn(def.kinds, 'a.kind')} and ${extra} order by a.id`.execute(db)).rows;
  } else if (key in writingFigures) {
    rows = (await sql<{ id: number }>`select w.id from writings w where ${writingWhere(filter)} and w.kind = ${writingFigures[key as WritingFigureKey]} order by w.id`.execute(db)).rows;
  } else if (key === 'mattersPromised') {
    rows = (await sql<{ id: number }>`select m.id from practical_matters m where ${matterWhere(filter)} and ${matterPromisedIn(filter)} order by m.id`.execute(db)).rows;
  } else if (key === 'mattersDone' || key === 'matterFundsFen') {
    rows = (await sql<{ id: number }>`select m.id from practical_matters m where ${matterWhere(filter)} and ${matterDoneIn(filter)} order by m.id`.execute(db)).rows;
  } else if (key === 'problemsSolved') {
    rows = (await sql<{ id: number }>`select t.id from tickets t where ${ticketWhere(filter)} and ${ticketResolvedIn(filter)} order by t.id`.execute(db)).rows;
  } else if (families[key] === 'tickets') {
    const extra = key === 'onTimeRate' ? sql`and t.resolved_at is not null` : key === 'satisfactionRate' ? sql`and t.rating is not null` : sql``;
    rows = (await sql<{ id: number }>`select t.id from tickets t where ${ticketWhere(filter)} and ${ticketRegisteredIn(filter)} ${extra} order by t.id`.execute(db)).rows;
  } else if (key === 'cadresDispatched') {
    rows = (await sql<{ id: number }>`select distinct pc.pairing_id as id from ${pairingCadres(filter)} pc where ${openWithin(filter.from, filter.to)} order by 1`.execute(db)).rows;
  } else if (key === 'teamsFormed') {
    rows = (await sql<{ id: number }>`select distinct tp.team_id as id from ${teamPlaces(filter)} tp where tp.formed_on <= ${filter.to}::date order by 1`.execute(db)).rows;
  } else {
    rows = (await sql<{ id: number }>`select distinct r.subject_id as id from compliance_results r join requirement_rules rr on rr.id = r.rule_id where ${complianceWhere(filter)} order by 1`.execute(db)).rows;
  }
  return { kind, ids: rows.map((r) => Number(r.id)) };
}
