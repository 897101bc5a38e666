import { sql, type RawBuilder } from 'kysely';
import { inTransaction, type Executor } from '../../db/database.ts';
import { pathUnder } from '../../db/paths.ts';
import {
  activityFigures, addDays, chinaDay, complianceWhere, kindIn, targetMatches, villageOf, villageSegments, writingFigures,
  type ActivityFigureKey, type FigureFilter, type WritingFigureKey,
} from './figures.ts';

// Statistics rollups (migration 0016): the records pre-summed per campaign, area (the region path
// cut at the township level) and China day / month / year, kept exactly equal to the records.
// Writes queue the keys they touch (statement-level triggers); `refreshRollups` recounts those
// keys from the records, set-based, before every read that uses them, so a read never sees a
// rollup older than the records it can see. `computeFigures` reads them whenever the question
// can be answered at area grain (no unit filter; a region no deeper than a township); the
// recount from the records stays in figures.ts as the reference (and the path for the rest).

/** Additive figures and the stat_day / stat_month column holding each. */
export const additiveColumns = {
  stayDays: 'stay_days', householdVisits: 'household_visits', forums: 'forums', talkAttendance: 'talk_attendance',
  condolenceMoneyFen: 'condolence_money_fen', policyTalks: 'policy_talks', consultationAttendance: 'consultation_attendance',
  attendance: 'attendance', receptions: 'receptions', onsiteOffices: 'onsite_offices', researchActivities: 'research_activities',
  diaries: 'diaries', researchTopics: 'research_topics', researchReports: 'research_reports', leaderMemos: 'leader_memos', developmentPlans: 'development_plans',
  mattersPromised: 'matters_promised', mattersDone: 'matters_done', matterFundsFen: 'matter_funds_fen',
  // ticket counters (the rates are computed from them as in figures.ts)
  registered: 'tickets_registered', resolved: 'tickets_resolved', resolved_on_time: 'tickets_resolved_on_time',
  rated: 'tickets_rated', satisfied: 'tickets_satisfied', solved: 'problems_solved',
} as const;
type Counter = keyof typeof additiveColumns;
const counters = Object.keys(additiveColumns) as Counter[];

/** Distinct figures and their stat_reach.figure code. */
export const reachFigures = { householdsVisited: 1, hardshipHouseholdsComforted: 2, enterprisesVisited: 3, projectsVisited: 4, villagesCovered: 5 } as const;
export type ReachFigureKey = keyof typeof reachFigures;

/** Above this many touched days, one rebuild of everything is cheaper than recounting each. */
const REBUILD_ABOVE_KEYS = 20_000;
/**
 * Up to this many touched days, distinct reach and the cadres' records are recounted per subject
 * reached and cadre taking part on them, above it per area and year (a bulk change touches most
 * anyway). Tests set it to take either path.
 */
export const rollupLimits = { subjectRecountUpToKeys: 500 };
/** pg_advisory_xact_lock key serialising refreshes ("stat" in ASCII). */
const LOCK_KEY = 0x73746174;

/** The path of `col` cut to its first `cut` segments (an SQL expression: a column, or a literal). */
const cutTo = (col: string, cut: RawBuilder<unknown>) => sql<string>`array_to_string((string_to_array(${sql.ref(col)}, '/'))[1:${cut}], '/')`;
const cutSql = (segments: number, col: string) => cutTo(col, sql.lit(segments));
const dayStart = (d: RawBuilder<unknown>) => sql`(${d})::timestamp at time zone 'Asia/Shanghai'`;
/** A record path in an area: the prefix range lets the text_pattern_ops index find it; the cut makes it exact. */
const inArea = (segments: number, col: string, area: RawBuilder<unknown>) =>
  sql<boolean>`(${sql.ref(col)} ~>=~ ${area} and ${sql.ref(col)} ~<~ (${area} || '0') and ${cutSql(segments, col)} = ${area})`;

/** How many path segments an area keeps: the township level's depth + 1; null when the tree has no townships. */
export async function areaSegments(db: Executor): Promise<number | null> {
  const r = await db.selectFrom('regions').select((eb) => eb.fn.min('depth').as('depth')).where('level', '=', 'township').executeTakeFirst();
  return r?.depth === null || r?.depth === undefined ? null : Number(r.depth) + 1;
}

// ── Recount SQL (shared by the incremental refresh and the rebuild) ──────────────────────────

type DayKeys = RawBuilder<unknown> | null; // a relation k(campaign_id, area, day), or null = everything

/** Rows (campaign_id, area, day, <every counter>) of the records, per key. */
function dayRows(seg: number, keys: DayKeys): RawBuilder<unknown> {
  const zeros = (except: Partial<Record<Counter, RawBuilder<unknown>>>) =>
    sql.join(counters.map((c) => sql`${except[c] ?? sql`0`}::bigint as ${sql.ref(additiveColumns[c])}`));
  const actCols: Partial<Record<Counter, RawBuilder<unknown>>> = {};
  for (const [k, def] of Object.entries(activityFigures) as [ActivityFigureKey, (typeof activityFigures)[ActivityFigureKey]][]) {
    if (!('sum' in def)) continue;
    const what = def.sum === 'count' ? sql`1` : sql`coalesce(${sql.ref(`a.${def.sum}`)}, 0)`;
    actCols[k as Counter] = sql`case when ${kindIn(def.kinds, 'a.kind')} then ${what} else 0 end`;
  }
  const wCols: Partial<Record<Counter, RawBuilder<unknown>>> = {};
  for (const [k, kind] of Object.entries(writingFigures) as [WritingFigureKey, string][]) wCols[k as Counter] = sql`case when w.kind = ${kind} then 1 else 0 end`;

  const aDay = chinaDay('a.starts_at');
  const tCreated = chinaDay('t.created_at');
  const tResolved = chinaDay('t.resolved_at');
  // With keys: the records of each key's day and area, found by the (path, time) indexes.
  const actJoin = keys === null ? sql`` : sql`join k on a.starts_at >= ${dayStart(sql`k.day`)} and a.starts_at < ${dayStart(sql`k.day + 1`)} and coalesce(a.campaign_id, 0) = k.campaign_id and ${inArea(seg, 'a.region_path', sql`k.area`)}`;
  const onKey = (camp: string, path: string, d: RawBuilder<unknown>) =>
    (keys === null ? sql`` : sql`join k on k.day = ${d} and coalesce(${sql.ref(camp)}, 0) = k.campaign_id and ${inArea(seg, path, sql`k.area`)}`);
  const ticketKey = (d: RawBuilder<unknown>, col: string) =>
    (keys === null ? sql`` : sql`join k on ${sql.ref(col)} >= ${dayStart(sql`k.day`)} and ${sql.ref(col)} < ${dayStart(sql`k.day + 1`)} and coalesce(t.campaign_id, 0) = k.campaign_id and ${inArea(seg, 't.region_path', sql`k.area`)} and ${d} = k.day`);

  return sql`
    select c as campaign_id, area, d as day, ${sql.join(counters.map((c) => sql`sum(${sql.ref(additiveColumns[c])})::bigint as ${sql.ref(additiveColumns[c])}`))}
    from (
      select coalesce(a.campaign_id, 0) as c, ${cutSql(seg, 'a.region_path')} as area, ${aDay} as d, ${zeros(actCols)}
        from activities a ${actJoin}
      union all
      select coalesce(w.campaign_id, 0), ${cutSql(seg, 'w.region_path')}, w.written_on, ${zeros(wCols)}
        from writings w ${onKey('w.campaign_id', 'w.region_path', sql`w.written_on`)} where w.status <> 'draft'
      union all
      select coalesce(m.campaign_id, 0), ${cutSql(seg, 'm.region_path')}, m.promised_on, ${zeros({ mattersPromised: sql`1` })}
        from practical_matters m ${onKey('m.campaign_id', 'm.region_path', sql`m.promised_on`)}
      union all
      select coalesce(m.campaign_id, 0), ${cutSql(seg, 'm.region_path')}, m.done_on, ${zeros({ mattersDone: sql`1`, matterFundsFen: sql`coalesce(m.amount_fen, 0)` })}
        from practical_matters m ${onKey('m.campaign_id', 'm.region_path', sql`m.done_on`)} where m.status = 'done'
      union all
      select coalesce(t.campaign_id, 0), ${cutSql(seg, 't.region_path')}, ${tCreated}, ${zeros({
        registered: sql`1`,
        resolved: sql`case when t.resolved_at is not null then 1 else 0 end`,
        resolved_on_time: sql`case when t.resolved_at is not null and t.resolved_on_time is true then 1 else 0 end`,
        rated: sql`case when t.rating is not null then 1 else 0 end`,
        satisfied: sql`case when t.rating in ('satisfied', 'basically_satisfied') then 1 else 0 end`,
      })}
        from tickets t ${ticketKey(tCreated, 't.created_at')} where t.merged_into_id is null
      union all
      select coalesce(t.campaign_id, 0), ${cutSql(seg, 't.region_path')}, ${tResolved}, ${zeros({ solved: sql`1` })}
        from tickets t ${ticketKey(tResolved, 't.resolved_at')} where t.merged_into_id is null and t.resolved_at is not null
    ) x
    group by 1, 2, 3`;
}

/**
 * Which records a reach recount reads: everything (null); those of keys k(campaign_id, area, year);
 * those on keys k(campaign_id, area, day); or those of subjects k(campaign_id, area, year, figure, subject).
 */
type ReachScope = null | { years: RawBuilder<unknown> } | { days: RawBuilder<unknown> } | { subjects: RawBuilder<unknown> };

/** Rows (campaign_id, area, year, figure, subject, days, months) of the records in scope. */
function reachRows(seg: number, villages: number[], scope: ReachScope): RawBuilder<unknown> {
  const inYear = (y: RawBuilder<unknown>) => sql`a.starts_at >= ${dayStart(sql`make_date(${y}, 1, 1)`)} and a.starts_at < ${dayStart(sql`make_date(${y} + 1, 1, 1)`)}`;
  const keyed = sql`coalesce(a.campaign_id, 0) = k.campaign_id and ${inArea(seg, 'a.region_path', sql`k.area`)}`;
  const key = scope === null ? sql``
    : 'years' in scope ? sql`join ${scope.years} k on ${inYear(sql`k.year`)} and ${keyed}`
    : 'days' in scope ? sql`join ${scope.days} k on a.starts_at >= ${dayStart(sql`k.day`)} and a.starts_at < ${dayStart(sql`k.day + 1`)} and ${keyed}`
    : null;
  const subjects = scope !== null && 'subjects' in scope ? scope.subjects : null;
  const parts: RawBuilder<unknown>[] = [];
  for (const [k, code] of Object.entries(reachFigures) as [ReachFigureKey, number][]) {
    const def = activityFigures[k];
    if (def.distinct === 'village') {
      if (villages.length === 0) continue;
      parts.push(key !== null
        ? sql`select a.id, a.campaign_id, a.region_path, a.starts_at, ${code}::int as figure, v.code::text as subject
            from activities a ${key} join regions v on ${villageOf(villages, 'a.region_path')}`
        // A village's records, found by its path per village (lateral: a join let the planner hash every record).
        : sql`select a.id, a.campaign_id, a.region_path, a.starts_at, ${code}::int as figure, v.code::text as subject
            from ${subjects} k join regions v on v.code = k.subject
            cross join lateral (select a.* from activities a where a.region_path ~>=~ v.path and a.region_path ~<~ (v.path || '0') and ${inYear(sql`k.year`)} and ${keyed} offset 0) a
            where k.figure = ${code} and ${villageOf(villages, 'a.region_path')}`);
    } else {
      parts.push(key !== null
        ? sql`select a.id, a.campaign_id, a.region_path, a.starts_at, ${code}::int as figure, ct.id::text as subject
            from activities a ${key} join activity_targets fat on fat.activity_id = a.id join contact_targets ct on ct.id = fat.target_id
            where ${kindIn(def.kinds, 'a.kind')} and ${targetMatches(def.distinct)}`
        // A target's records, found by its links.
        : sql`select a.id, a.campaign_id, a.region_path, a.starts_at, ${code}::int as figure, ct.id::text as subject
            from ${subjects} k join contact_targets ct on ct.id = (case when k.figure = ${code} then k.subject::int end)
            join activity_targets fat on fat.target_id = ct.id join activities a on a.id = fat.activity_id and ${inYear(sql`k.year`)} and ${keyed}
            where k.figure = ${code} and ${kindIn(def.kinds, 'a.kind')} and ${targetMatches(def.distinct)}`);
    }
  }
  const d = chinaDay('x.starts_at');
  return sql`
    select c as campaign_id, area, year, figure, subject, bit_or(set_bit(repeat('0', 366)::bit(366), doy, 1)) as days, bit_or(1 << (mm - 1)) as months,
      array_agg(distinct doy::smallint order by doy::smallint) as doys
    from (
      select coalesce(x.campaign_id, 0) as c, ${cutSql(seg, 'x.region_path')} as area, extract(year from ${d})::int as year,
        x.figure, x.subject, (${d} - make_date(extract(year from ${d})::int, 1, 1))::int as doy, extract(month from ${d})::int as mm
      from (${sql.join(parts, sql` union all `)}) x
    ) y
    group by 1, 2, 3, 4, 5`;
}

/**
 * Rows of stat_cadre_year: the days of the year with records (`at`, day-of-year numbers from 1,
 * ascending) and the running total at each (`cum`), for every cadre, those of keys
 * k(campaign_id, area, year), or those of cadres k(campaign_id, area, year, cadre_id).
 */
function cadreYearRows(seg: number, scope: null | { years: RawBuilder<unknown> } | { cadres: RawBuilder<unknown> }): RawBuilder<unknown> {
  const inKey = sql`a.starts_at >= ${dayStart(sql`make_date(k.year, 1, 1)`)} and a.starts_at < ${dayStart(sql`make_date(k.year + 1, 1, 1)`)}
    and coalesce(a.campaign_id, 0) = k.campaign_id and ${inArea(seg, 'a.region_path', sql`k.area`)}`;
  const from = scope === null ? sql`activities a join activity_participants p on p.activity_id = a.id`
    : 'years' in scope ? sql`activities a join ${scope.years} k on ${inKey} join activity_participants p on p.activity_id = a.id`
    // A cadre's records, found by their participations.
    : sql`${scope.cadres} k join activity_participants p on p.cadre_id = k.cadre_id join activities a on a.id = p.activity_id and ${inKey}`;
  const d = chinaDay('a.starts_at');
  return sql`
    with d as (
      select coalesce(a.campaign_id, 0) as campaign_id, ${cutSql(seg, 'a.region_path')} as area, extract(year from ${d})::int as year,
        p.cadre_id, p.unit_path, extract(doy from ${d})::smallint as at, count(*)::int as n
      from ${from}
      group by 1, 2, 3, 4, 5, 6
    ),
    c as (select d.*, sum(d.n) over (partition by campaign_id, area, year, cadre_id, unit_path order by at) as cum from d)
    select campaign_id, area, year, cadre_id, unit_path, array_agg(at order by at), array_agg(cum::int order by at) from c group by 1, 2, 3, 4, 5`;
}

/**
 * Rows (rule_id, area, window_start, window_end, met, decided) of the cadre rules' decided rows,
 * per key k(rule_id, area, window_start, window_end). Here the area is the row's whole region path
 * ('' for none), not cut: a cadre's row lies where their unit does, so the rows hardly multiply,
 * and the rate can then be read for a township's villages too.
 */
function complianceRows(keys: RawBuilder<unknown> | null): RawBuilder<unknown> {
  const rows = keys === null
    ? sql`select r.* from compliance_results r`
    : sql`select r.* from compliance_results r join k on k.rule_id = r.rule_id and k.window_end = r.window_end and k.window_start = r.window_start
          and r.region_path = k.area
        union all
        select r.* from compliance_results r join k on k.rule_id = r.rule_id and k.window_end = r.window_end and k.window_start = r.window_start
          and k.area = '' and r.region_path is null`;
  return sql`
    select r.rule_id, coalesce(r.region_path, '') as area, r.window_start, r.window_end,
      (count(*) filter (where r.status = 'met'))::int as met, count(*)::int as decided
    from (${rows}) r join requirement_rules rr on rr.id = r.rule_id
    where r.status in ('met', 'missed') and (rr.rule ->> 'subject') = 'cadre'
    group by 1, 2, 3, 4`;
}

/** Rows of stat_compliance_county from stat_compliance: every window, or those in k(rule_id, window_start, window_end). */
function complianceCountyRows(seg: number, keys: RawBuilder<unknown> | null): RawBuilder<unknown> {
  return sql`
    select s.rule_id, ${cutSql(seg - 1, 's.area')} as area, s.window_start, s.window_end, sum(s.met)::int, sum(s.decided)::int
    from stat_compliance s ${keys === null ? sql`` : sql`join ${keys} k on k.rule_id = s.rule_id and k.window_start = s.window_start and k.window_end = s.window_end`}
    group by 1, 2, 3, 4`;
}
const complianceColumns = sql`rule_id, area, window_start, window_end, met, decided`;

/**
 * Bits of a stat_missed row (its width, fixed by migration 0021): a campaign-year whose windows
 * were numbered beyond them is counted from the records.
 */
export const MISSED_BITS = 1024;
const noBits = sql`repeat('0', ${sql.lit(MISSED_BITS)})::bit(${sql.lit(MISSED_BITS)})`;

/** Missed rows of active cadre rules (campaign, area, cadre, rule, window), of every cadre or those in k(cadre_id). */
function missedSource(seg: number, keys: RawBuilder<unknown> | null): RawBuilder<unknown> {
  return sql`
    select coalesce(rr.campaign_id, 0) as campaign_id, coalesce(${cutSql(seg, 'r.region_path')}, '') as area, r.cadre_id, r.rule_id, r.window_start, r.window_end
    from compliance_results r join requirement_rules rr on rr.id = r.rule_id
    where r.status = 'missed' and r.cadre_id is not null and rr.active and (rr.rule ->> 'subject') = 'cadre'
      ${keys === null ? sql`` : sql`and r.cadre_id in (select kk.cadre_id from ${keys} kk)`}`;
}

/** Numbers the windows of the missed rows (of the cadres in keys) not numbered yet, after the last bit of their campaign-year. */
async function numberMissedWindows(tx: Executor, seg: number, keys: RawBuilder<unknown> | null): Promise<void> {
  await sql`
    insert into stat_missed_window (campaign_id, year, bit, rule_id, window_start, window_end)
    select n.campaign_id, n.year, coalesce(b.top, -1) + row_number() over (partition by n.campaign_id, n.year order by n.window_start, n.window_end, n.rule_id),
      n.rule_id, n.window_start, n.window_end
    from (
      select distinct m.campaign_id, extract(year from m.window_start)::int as year, m.rule_id, m.window_start, m.window_end
      from (${missedSource(seg, keys)}) m
      where not exists (select 1 from stat_missed_window w
        where w.campaign_id = m.campaign_id and w.rule_id = m.rule_id and w.window_start = m.window_start and w.window_end = m.window_end)
    ) n
    left join (select campaign_id, year, max(bit) as top from stat_missed_window group by 1, 2) b on b.campaign_id = n.campaign_id and b.year = n.year`.execute(tx);
}

/**
 * Rows of stat_missed for every cadre, or for the cadres in k(cadre_id): per campaign, area, cadre
 * and year of the window's start, the bits of the windows missed. A cadre rule has one row per
 * cadre and window (the cadre is its subject), so a bit stands for one missed duty.
 */
function missedRows(seg: number, keys: RawBuilder<unknown> | null): RawBuilder<unknown> {
  return sql`
    select m.campaign_id, m.area, m.cadre_id, w.year, bit_or(set_bit(${noBits}, w.bit, 1))
    from (${missedSource(seg, keys)}) m
    join stat_missed_window w on w.campaign_id = m.campaign_id and w.rule_id = m.rule_id and w.window_start = m.window_start and w.window_end = m.window_end
    where w.bit < ${sql.lit(MISSED_BITS)}
    group by 1, 2, 3, 4`;
}
const missedColumns = sql`campaign_id, area, cadre_id, year, missed`;

/**
 * stat_cadre_year rows (alias d, those `from` yields) merged per `key` (columns named in `names`):
 * each row's running totals back to counts per day, summed per key and day, and run again.
 */
function mergedYears(names: string[], key: RawBuilder<unknown>, from: RawBuilder<unknown>, where: RawBuilder<unknown> = sql`true`): RawBuilder<unknown> {
  const cols = sql.join(names.map((n) => sql.ref(n)));
  return sql`
    select ${cols}, array_agg(at order by at) as at, array_agg(cum::int order by at) as cum from (
      select ${cols}, x.at, sum(sum(x.n)) over (partition by ${cols} order by x.at) as cum
      from (
        select ${key}, u.at, u.cum - coalesce(d.cum[u.i - 1], 0) as n
        from ${from} cross join lateral unnest(d.at, d.cum) with ordinality as u(at, cum, i)
        where ${where}
      ) x
      group by ${cols}, x.at
    ) y
    group by ${cols}`;
}

/** Rows of stat_unit_year from stat_cadre_year: of every key, or of those in k(campaign_id, area, year). */
function unitYearRows(keys: RawBuilder<unknown> | null): RawBuilder<unknown> {
  const from = keys === null ? sql`stat_cadre_year d`
    : sql`stat_cadre_year d join ${keys} k on k.campaign_id = d.campaign_id and k.year = d.year and k.area = d.area`;
  return mergedYears(['campaign_id', 'area', 'year', 'unit_path'], sql`d.campaign_id, d.area, d.year, d.unit_path`, from);
}

/** Rows of stat_cadre_root from stat_cadre_year, of every cadre or of those in k(cadre_id): per campaign, year, top-level region and cadre, over all their areas and unit paths. */
function cadreRootRows(cadres: RawBuilder<unknown> | null): RawBuilder<unknown> {
  const only = cadres === null ? sql`true` : sql`d.cadre_id in (select kk.cadre_id from ${cadres} kk)`;
  return mergedYears(['campaign_id', 'year', 'root', 'cadre_id'], sql`d.campaign_id, d.year, split_part(d.area, '/', 1) as root, d.cadre_id`, sql`stat_cadre_year d`, only);
}

/** Rows of stat_missed_root from stat_missed, of every cadre or of those in k(cadre_id), as cadreRootRows. */
function missedRootRows(cadres: RawBuilder<unknown> | null): RawBuilder<unknown> {
  return sql`
    select m.campaign_id, m.year, split_part(m.area, '/', 1), m.cadre_id, bit_or(m.missed)
    from stat_missed m ${cadres === null ? sql`` : sql`where m.cadre_id in (select kk.cadre_id from ${cadres} kk)`}
    group by 1, 2, 3, 4`;
}
const cadreRootColumns = sql`campaign_id, year, root, cadre_id, at, cum`;
const missedRootColumns = sql`campaign_id, year, root, cadre_id, missed`;
const unitYearColumns = sql`campaign_id, area, year, unit_path, at, cum`;

const monthsOf = (dayTable: string, valueCols: RawBuilder<unknown>, extraKey: RawBuilder<unknown> | null) =>
  sql`select campaign_id, area, date_trunc('month', day)::date as month${extraKey ? sql`, ${extraKey}` : sql``}, ${valueCols}
    from ${sql.table(dayTable)} d`;

const sumCounters = sql.join(counters.map((c) => sql`sum(${sql.ref(additiveColumns[c])})::bigint`));
const counterList = sql.join(counters.map((c) => sql.ref(additiveColumns[c])));

// ── Refresh ─────────────────────────────────────────────────────────────────────────────────

export type RefreshResult = { segments: number | null; rebuilt: boolean; days: number; compliance: number };

/**
 * Sets stat_reach.shared for the given subjects (figure, subject, year), or for all; the keys
 * (campaign, area, year) of rows whose flag changed go into stat_rkeys when given.
 */
async function markShared(tx: Executor, subjects: RawBuilder<unknown> | null): Promise<void> {
  const scope = subjects === null ? sql`` : sql`where (r.figure, r.subject, r.year) in (select x.figure, x.subject, x.year from ${subjects} x)`;
  await sql`
    with flipped as (
      update stat_reach u set shared = c.n > 1
      from (select r.figure, r.subject, r.year, count(*) as n from stat_reach r ${scope} group by 1, 2, 3) c
      where u.figure = c.figure and u.subject = c.subject and u.year = c.year and u.shared <> (c.n > 1)
      returning u.campaign_id, u.area, u.year
    )
    ${subjects === null ? sql`select 1` : sql`insert into stat_rkeys select distinct * from flipped`}`.execute(tx);
}

/**
 * Merges the pending list of stat_reach's GIN index of days into the index: rows inserted wait
 * there, read in full by every scan and counted as cost by the planner, until a vacuum (which
 * PGlite never runs by itself, and a transaction cannot).
 */
async function mergeDaysIndex(tx: Executor): Promise<void> {
  await sql`select gin_clean_pending_list('stat_reach_doys'::regclass)`.execute(tx);
}

/**
 * The rows of stat_reach (or a table keyed like it) of keys k(campaign_id, area, year): every
 * figure listed, so that the primary key (campaign, year, figure, area, …) is searched per figure
 * instead of reading the whole year's rows for the area (1M rows at the province tier).
 */
const reachKeyJoin = (r: string, keys: RawBuilder<unknown>) =>
  sql`join ${keys} k on k.campaign_id = ${sql.ref(`${r}.campaign_id`)} and k.area = ${sql.ref(`${r}.area`)} and k.year = ${sql.ref(`${r}.year`)}
    and ${sql.ref(`${r}.figure`)} = any(${Object.values(reachFigures)}::smallint[])`;

/** Rows of stat_reach_month (the unshared subjects reached per month) per key k(campaign_id, area, year), or for all. */
function reachMonthRows(keys: RawBuilder<unknown> | null): RawBuilder<unknown> {
  return sql`
    select r.campaign_id, r.area, r.year, r.figure, m.m, count(*)::int
    from stat_reach r ${keys === null ? sql`` : reachKeyJoin('r', keys)}
    cross join generate_series(1, 12) as m(m)
    where not r.shared and (r.months & (1 << (m.m - 1))) <> 0
    group by 1, 2, 3, 4, 5`;
}

/** Rows of stat_reach_day (the unshared subjects reached per day) per key k(campaign_id, area, year), or for all. */
function reachDayRows(keys: RawBuilder<unknown> | null): RawBuilder<unknown> {
  return sql`
    select r.campaign_id, r.area, r.year, r.figure, d.doy, count(*)::int
    from stat_reach r ${keys === null ? sql`` : reachKeyJoin('r', keys)}
    cross join lateral unnest(r.doys) as d(doy)
    where not r.shared
    group by 1, 2, 3, 4, 5`;
}

/** Rows of stat_reach_mask (the unshared subjects per set of months reached in) per key k(campaign_id, area, year), or for all. */
function reachMaskRows(keys: RawBuilder<unknown> | null): RawBuilder<unknown> {
  return sql`
    select r.campaign_id, r.area, r.year, r.figure, r.months, count(*)::int
    from stat_reach r ${keys === null ? sql`` : reachKeyJoin('r', keys)}
    where not r.shared
    group by 1, 2, 3, 4, 5`;
}

/**
 * The reach histograms (rows per campaign, area, year, figure and `x`, counting `n`) and their
 * twins summed at every cut above the areas (`_up`, cut 1 to seg − 1).
 */
const histograms = {
  month: { table: 'stat_reach_month', x: 'month', n: 'solo' },
  day: { table: 'stat_reach_day', x: 'doy', n: 'solo' },
  mask: { table: 'stat_reach_mask', x: 'months', n: 'n' },
} as const;
type Histogram = (typeof histograms)[keyof typeof histograms];

/** Every cut above the areas, as a relation c(cut). */
const cuts = (seg: number) => sql`generate_series(1, ${sql.lit(seg - 1)}) as c(cut)`;

/** `_up` rows of a histogram from rows shaped like it (campaign_id, area, year, figure, x, n) in `from`. */
function histogramUpRows(seg: number, x: string, n: string, from: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`
    select c.cut, m.campaign_id, ${cutTo('m.area', sql`c.cut`)}, m.year, m.figure, ${sql.ref(`m.${x}`)}, sum(${sql.ref(`m.${n}`)})::int
    from ${from} m cross join ${cuts(seg)}
    group by 1, 2, 3, 4, 5, 6`;
}
const histogramColumns = (h: Histogram) => sql`campaign_id, area, year, figure, ${sql.ref(h.x)}, ${sql.ref(h.n)}`;

/**
 * Replaces a histogram's rows of the keys k(campaign_id, area, year) (`where` narrows them) by
 * `fresh`, and carries the change up: the old counts taken off the areas' ancestors' `_up` rows, the
 * new ones added, rows left at zero dropped. Exact, and cheap: recounting an ancestor would read
 * every area under it (a year of a province's days is a million rows).
 */
async function replaceHistogram(tx: Executor, seg: number, h: Histogram, keys: RawBuilder<unknown>, where: RawBuilder<boolean>, fresh: RawBuilder<unknown>): Promise<void> {
  const up = sql.table(`${h.table}_up`);
  await sql`create temporary table if not exists stat_thist (campaign_id integer, area text, year integer, figure smallint, x integer, n integer) on commit drop`.execute(tx);
  await sql`delete from stat_thist`.execute(tx);
  await sql`with gone as (delete from ${sql.table(h.table)} s using ${keys} k where s.campaign_id = k.campaign_id and s.area = k.area and s.year = k.year and ${where}
      returning s.campaign_id, s.area, s.year, s.figure, ${sql.ref(`s.${h.x}`)}, ${sql.ref(`s.${h.n}`)})
    insert into stat_thist select campaign_id, area, year, figure, ${sql.ref(h.x)}, -${sql.ref(h.n)} from gone`.execute(tx);
  await sql`with fresh as (insert into ${sql.table(h.table)} (${histogramColumns(h)}) ${fresh} returning ${histogramColumns(h)})
    insert into stat_thist select * from fresh`.execute(tx);
  if (seg <= 1) return;
  await sql`create temporary table if not exists stat_thistup (cut smallint, campaign_id integer, area text, year integer, figure smallint, x integer, n integer) on commit drop`.execute(tx);
  await sql`delete from stat_thistup`.execute(tx);
  await sql`insert into stat_thistup ${histogramUpRows(seg, 'x', 'n', sql`stat_thist`)}`.execute(tx);
  await sql`insert into ${up} (cut, ${histogramColumns(h)}) select * from stat_thistup where n <> 0
    on conflict (cut, campaign_id, year, area, figure, ${sql.ref(h.x)}) do update set ${sql.ref(h.n)} = ${sql.ref(`${h.table}_up.${h.n}`)} + excluded.${sql.ref(h.n)}`.execute(tx);
  await sql`delete from ${up} u using stat_thistup k
    where u.cut = k.cut and u.campaign_id = k.campaign_id and u.year = k.year and u.area = k.area and u.figure = k.figure and ${sql.ref(`u.${h.x}`)} = k.x and ${sql.ref(`u.${h.n}`)} = 0`.execute(tx);
}

/** stat_day_up rows of the keys k(cut, campaign_id, area, day) (cut areas), or of every day, from stat_day. */
function dayUpRows(seg: number, keys: RawBuilder<unknown> | null): RawBuilder<unknown> {
  if (keys === null) {
    return sql`select c.cut, d.campaign_id, ${cutTo('d.area', sql`c.cut`)}, d.day, ${sumCounters} from stat_day d cross join ${cuts(seg)} group by 1, 2, 3, 4`;
  }
  return sql`select k.cut, k.campaign_id, k.area, k.day, ${sumCounters}
    from ${keys} k join stat_day d on d.campaign_id = k.campaign_id and d.day = k.day and ${cutTo('d.area', sql`k.cut`)} = k.area
    group by 1, 2, 3, 4`;
}

/** Rebuilds every rollup from the records (first use, or after the region tree changed). */
async function rebuild(tx: Executor, seg: number): Promise<void> {
  const villages = await villageSegments(tx);
  // Drain the queues first: a write committed after this point is queued again and recounted next time.
  await sql`delete from stat_pending`.execute(tx);
  await sql`delete from stat_compliance_pending`.execute(tx);
  for (const t of ['stat_day', 'stat_month', 'stat_reach', 'stat_reach_month', 'stat_reach_day', 'stat_reach_mask', 'stat_reach_month_up', 'stat_reach_day_up', 'stat_reach_mask_up', 'stat_day_up', 'stat_cadre_year', 'stat_unit_year', 'stat_compliance', 'stat_compliance_county', 'stat_missed', 'stat_cadre_root', 'stat_missed_root']) await sql`delete from ${sql.table(t)}`.execute(tx);
  await sql`delete from stat_rollup_state`.execute(tx);
  await sql`insert into stat_rollup_state (id, area_segments, built_at) values (1, ${seg}, now())`.execute(tx);
  await sql`insert into stat_day (campaign_id, area, day, ${counterList}) ${dayRows(seg, null)}`.execute(tx);
  await sql`insert into stat_month (campaign_id, area, month, ${counterList})
    select campaign_id, area, month, ${sumCounters} from (${monthsOf('stat_day', counterList, null)}) m group by 1, 2, 3`.execute(tx);
  await sql`insert into stat_reach (campaign_id, area, year, figure, subject, days, months, doys) ${reachRows(seg, villages, null)}`.execute(tx);
  // Statistics first: unanalyzed, the million rows of a province look like a few, and flagging
  // the shared ones joined them to their counts row by row.
  await sql`analyze stat_reach`.execute(tx);
  await markShared(tx, null);
  await mergeDaysIndex(tx);
  await sql`insert into stat_reach_month (campaign_id, area, year, figure, month, solo) ${reachMonthRows(null)}`.execute(tx);
  await sql`insert into stat_reach_day (campaign_id, area, year, figure, doy, solo) ${reachDayRows(null)}`.execute(tx);
  await sql`insert into stat_reach_mask (campaign_id, area, year, figure, months, n) ${reachMaskRows(null)}`.execute(tx);
  for (const h of Object.values(histograms)) await sql`insert into ${sql.table(`${h.table}_up`)} (cut, ${histogramColumns(h)}) ${histogramUpRows(seg, h.x, h.n, sql.table(h.table))}`.execute(tx);
  await sql`insert into stat_day_up (cut, campaign_id, area, day, ${counterList}) ${dayUpRows(seg, null)}`.execute(tx);
  await sql`insert into stat_cadre_year (campaign_id, area, year, cadre_id, unit_path, at, cum) ${cadreYearRows(seg, null)}`.execute(tx);
  await sql`analyze stat_cadre_year`.execute(tx);
  await sql`insert into stat_unit_year (${unitYearColumns}) ${unitYearRows(null)}`.execute(tx);
  await sql`insert into stat_compliance (rule_id, area, window_start, window_end, met, decided) ${complianceRows(null)}`.execute(tx);
  await sql`insert into stat_compliance_county (${complianceColumns}) ${complianceCountyRows(seg, null)}`.execute(tx);
  await sql`delete from stat_missed_window`.execute(tx);
  await numberMissedWindows(tx, seg, null);
  await sql`insert into stat_missed (${missedColumns}) ${missedRows(seg, null)}`.execute(tx);
  await sql`analyze stat_missed`.execute(tx);
  await sql`insert into stat_cadre_root (${cadreRootColumns}) ${cadreRootRows(null)}`.execute(tx);
  await sql`insert into stat_missed_root (${missedRootColumns}) ${missedRootRows(null)}`.execute(tx);
  // Planner statistics for the tables just filled (PGlite has no autovacuum to gather them).
  for (const t of ['stat_day', 'stat_month', 'stat_reach', 'stat_reach_month', 'stat_reach_day', 'stat_reach_mask', 'stat_reach_month_up', 'stat_reach_day_up', 'stat_reach_mask_up', 'stat_day_up', 'stat_cadre_year', 'stat_unit_year', 'stat_compliance', 'stat_compliance_county', 'stat_missed', 'stat_missed_window', 'stat_cadre_root', 'stat_missed_root']) await sql`analyze ${sql.table(t)}`.execute(tx);
}

/**
 * Brings the rollups up to the records: rebuilds them when never built (or the region tree
 * changed), else recounts the queued keys. Serialised by an advisory lock; a no-op costing one
 * probe per queue when nothing was written. Returns the area segments (null: no township level,
 * the rollups cannot answer and figures come from the records).
 */
export function refreshRollups(db: Executor): Promise<RefreshResult> {
  // One refresh at a time per database handle or transaction in this process: calls made side by
  // side inside one transaction (Promise.all) share its session, where the advisory lock does not
  // exclude them, and would both rebuild.
  const next = (inFlight.get(db) ?? Promise.resolve()).catch(() => undefined).then(() => refreshNow(db));
  inFlight.set(db, next);
  return next;
}

const inFlight = new WeakMap<Executor, Promise<unknown>>();

async function refreshNow(db: Executor): Promise<RefreshResult> {
  const seg = await areaSegments(db);
  if (seg === null) return { segments: null, rebuilt: false, days: 0, compliance: 0 };
  const state = await sql<{ area_segments: number }>`select area_segments from stat_rollup_state where id = 1`.execute(db);
  const built = state.rows[0]?.area_segments === seg;
  if (built) {
    const { rows } = await sql<{ a: boolean; b: boolean }>`select exists (select 1 from stat_pending) as a, exists (select 1 from stat_compliance_pending) as b`.execute(db);
    if (!rows[0]?.a && !rows[0]?.b) return { segments: seg, rebuilt: false, days: 0, compliance: 0 };
  }
  return inTransaction(db, async (tx) => {
    await sql`select pg_advisory_xact_lock(${LOCK_KEY})`.execute(tx);
    const now = await sql<{ area_segments: number }>`select area_segments from stat_rollup_state where id = 1`.execute(tx);
    if (now.rows[0]?.area_segments !== seg) {
      await rebuild(tx, seg);
      return { segments: seg, rebuilt: true, days: 0, compliance: 0 };
    }
    // The cadres whose stat_cadre_year rows (stat_tcadres) or stat_missed rows (stat_tmissed)
    // change: their stat_cadre_root or stat_missed_root rows are recounted last.
    await sql`create temporary table if not exists stat_tcadres (cadre_id integer) on commit drop`.execute(tx);
    await sql`delete from stat_tcadres`.execute(tx);
    await sql`create temporary table if not exists stat_tmissed (cadre_id integer) on commit drop`.execute(tx);
    await sql`delete from stat_tmissed`.execute(tx);
    // The touched day keys, cut to areas (keys queued before the first build hold whole paths).
    await sql`create temporary table if not exists stat_keys (campaign_id integer, area text, day date) on commit drop`.execute(tx);
    await sql`delete from stat_keys`.execute(tx);
    await sql`with p as (delete from stat_pending returning campaign_id, area, day) insert into stat_keys select distinct campaign_id, ${cutSql(seg, 'area')}, day from p`.execute(tx);
    await sql`analyze stat_keys`.execute(tx); // a temporary table has no statistics until analyzed
    const n = Number((await sql<{ n: number }>`select count(*)::int as n from stat_keys`.execute(tx)).rows[0]?.n ?? 0);
    if (n > REBUILD_ABOVE_KEYS) {
      await rebuild(tx, seg);
      return { segments: seg, rebuilt: true, days: n, compliance: 0 };
    }
    if (n > 0) {
      const villages = await villageSegments(tx);
      const k = sql`stat_keys`;
      const days = sql`with k as (select * from ${k})`;
      await sql`delete from stat_day s using stat_keys k where s.campaign_id = k.campaign_id and s.area = k.area and s.day = k.day`.execute(tx);
      await sql`${days} insert into stat_day (campaign_id, area, day, ${counterList}) ${dayRows(seg, k)}`.execute(tx);
      if (seg > 1) {
        // The touched days of the areas' ancestors, recounted from stat_day.
        const upKeys = sql`(select distinct c.cut, k.campaign_id, ${cutTo('k.area', sql`c.cut`)} as area, k.day from stat_keys k cross join ${cuts(seg)})`;
        await sql`delete from stat_day_up s using ${upKeys} k where s.cut = k.cut and s.campaign_id = k.campaign_id and s.area = k.area and s.day = k.day`.execute(tx);
        await sql`insert into stat_day_up (cut, campaign_id, area, day, ${counterList}) ${dayUpRows(seg, upKeys)}`.execute(tx);
      }
      // Months and years touched, recounted from the days (months) or the records (years).
      const months = sql`(select distinct campaign_id, area, date_trunc('month', day)::date as month from stat_keys)`;
      await sql`delete from stat_month s using ${months} k where s.campaign_id = k.campaign_id and s.area = k.area and s.month = k.month`.execute(tx);
      await sql`insert into stat_month (campaign_id, area, month, ${counterList})
        select d.campaign_id, d.area, k.month, ${sumCounters} from ${months} k
        join stat_day d on d.campaign_id = k.campaign_id and d.area = k.area and d.day >= k.month and d.day < (k.month + interval '1 month')::date
        group by 1, 2, 3`.execute(tx);
      const years = sql`(select distinct campaign_id, area, extract(year from day)::int as year from stat_keys)`;
      if (n <= rollupLimits.subjectRecountUpToKeys) {
        // Few days touched: recount the year of the cadres with records on them, before (a day in
        // their row) or now (those days' participants), in that campaign and area.
        await sql`create temporary table if not exists stat_tcad (campaign_id integer, area text, year integer, cadre_id integer) on commit drop`.execute(tx);
        await sql`delete from stat_tcad`.execute(tx);
        await sql`insert into stat_tcad
          select c.campaign_id, c.area, c.year, c.cadre_id from stat_cadre_year c
            join stat_keys k on c.campaign_id = k.campaign_id and c.year = extract(year from k.day)::int and c.area = k.area
            where extract(doy from k.day)::smallint = any(c.at)
          union
          select k.campaign_id, k.area, extract(year from k.day)::int, p.cadre_id
            from stat_keys k join activities a on a.starts_at >= ${dayStart(sql`k.day`)} and a.starts_at < ${dayStart(sql`k.day + 1`)}
              and coalesce(a.campaign_id, 0) = k.campaign_id and ${inArea(seg, 'a.region_path', sql`k.area`)}
            join activity_participants p on p.activity_id = a.id`.execute(tx);
        await sql`analyze stat_tcad`.execute(tx);
        await sql`delete from stat_cadre_year s using stat_tcad k where s.campaign_id = k.campaign_id and s.year = k.year and s.area = k.area and s.cadre_id = k.cadre_id`.execute(tx);
        await sql`insert into stat_cadre_year (campaign_id, area, year, cadre_id, unit_path, at, cum) ${cadreYearRows(seg, { cadres: sql`stat_tcad` })}`.execute(tx);
        await sql`insert into stat_tcadres select distinct cadre_id from stat_tcad`.execute(tx);
      } else {
        await sql`with gone as (delete from stat_cadre_year s using ${years} k where s.campaign_id = k.campaign_id and s.area = k.area and s.year = k.year returning s.cadre_id)
          insert into stat_tcadres select distinct cadre_id from gone`.execute(tx);
        await sql`with k as ${years}, fresh as (insert into stat_cadre_year (campaign_id, area, year, cadre_id, unit_path, at, cum) ${cadreYearRows(seg, { years: sql`k` })} returning cadre_id)
          insert into stat_tcadres select distinct cadre_id from fresh`.execute(tx);
      }
      // The unit rows of the areas and years whose cadre rows were recounted.
      const unitKeys = n <= rollupLimits.subjectRecountUpToKeys ? sql`(select distinct campaign_id, area, year from stat_tcad)` : years;
      await sql`delete from stat_unit_year s using ${unitKeys} k where s.campaign_id = k.campaign_id and s.area = k.area and s.year = k.year`.execute(tx);
      await sql`with k as ${unitKeys} insert into stat_unit_year (${unitYearColumns}) ${unitYearRows(sql`k`)}`.execute(tx);
      // The subjects whose rows change (gone or counted again) get their shared flag recomputed.
      await sql`create temporary table if not exists stat_subjects (figure smallint, subject text, year integer) on commit drop`.execute(tx);
      await sql`delete from stat_subjects`.execute(tx);
      await sql`create temporary table if not exists stat_rkeys (campaign_id integer, area text, year integer) on commit drop`.execute(tx);
      await sql`delete from stat_rkeys`.execute(tx);
      if (n <= rollupLimits.subjectRecountUpToKeys) {
        // Few days touched (a visit logged, a record edited): recount only the subjects reached on
        // them, before (their rows' day bit) or now (the records of those days), over their year.
        await sql`create temporary table if not exists stat_tsubj (campaign_id integer, area text, year integer, figure smallint, subject text) on commit drop`.execute(tx);
        await sql`delete from stat_tsubj`.execute(tx);
        await sql`insert into stat_tsubj
          select r.campaign_id, r.area, r.year, r.figure, r.subject from stat_reach r
            join stat_keys k on r.campaign_id = k.campaign_id and r.area = k.area and r.year = extract(year from k.day)::int
              and r.figure = any(${Object.values(reachFigures)}::smallint[])
            where get_bit(r.days, k.day - make_date(r.year, 1, 1)) = 1
          union
          select x.campaign_id, x.area, x.year, x.figure, x.subject from (${reachRows(seg, villages, { days: sql`stat_keys` })}) x`.execute(tx);
        await sql`analyze stat_tsubj`.execute(tx);
        await sql`with gone as (delete from stat_reach s using stat_tsubj k
            where s.campaign_id = k.campaign_id and s.area = k.area and s.year = k.year and s.figure = k.figure and s.subject = k.subject returning s.figure, s.subject, s.year)
          insert into stat_subjects select distinct * from gone`.execute(tx);
        await sql`with fresh as (insert into stat_reach (campaign_id, area, year, figure, subject, days, months, doys) ${reachRows(seg, villages, { subjects: sql`stat_tsubj` })} returning figure, subject, year)
          insert into stat_subjects select distinct * from fresh`.execute(tx);
        await sql`insert into stat_rkeys select distinct campaign_id, area, year from stat_tsubj`.execute(tx);
      } else {
        await sql`with gone as (delete from stat_reach s using ${years} k where s.campaign_id = k.campaign_id and s.area = k.area and s.year = k.year
            and s.figure = any(${Object.values(reachFigures)}::smallint[]) returning s.figure, s.subject, s.year)
          insert into stat_subjects select distinct * from gone`.execute(tx);
        await sql`with k as ${years}, fresh as (insert into stat_reach (campaign_id, area, year, figure, subject, days, months, doys) ${reachRows(seg, villages, { years: sql`k` })} returning figure, subject, year)
          insert into stat_subjects select distinct * from fresh`.execute(tx);
        await sql`insert into stat_rkeys select * from ${years} y`.execute(tx);
      }
      await sql`analyze stat_subjects`.execute(tx);
      await markShared(tx, sql`(select distinct figure, subject, year from stat_subjects)`);
      await mergeDaysIndex(tx);
      await sql`analyze stat_rkeys`.execute(tx);
      const rkeys = sql`(select distinct campaign_id, area, year from stat_rkeys)`;
      const allFigures = sql<boolean>`s.figure = any(${Object.values(reachFigures)}::smallint[])`;
      await replaceHistogram(tx, seg, histograms.month, rkeys, allFigures, reachMonthRows(rkeys));
      await replaceHistogram(tx, seg, histograms.day, rkeys, sql<boolean>`true`, reachDayRows(rkeys));
      await replaceHistogram(tx, seg, histograms.mask, rkeys, sql<boolean>`true`, reachMaskRows(rkeys));
    }
    // Compliance windows touched.
    await sql`create temporary table if not exists stat_ckeys (rule_id integer, area text, window_start date, window_end date) on commit drop`.execute(tx);
    await sql`delete from stat_ckeys`.execute(tx);
    await sql`with p as (delete from stat_compliance_pending returning *) insert into stat_ckeys select distinct rule_id, area, window_start, window_end from p`.execute(tx);
    await sql`analyze stat_ckeys`.execute(tx);
    const cn = Number((await sql<{ n: number }>`select count(*)::int as n from stat_ckeys`.execute(tx)).rows[0]?.n ?? 0);
    if (cn > 0) {
      const windows = sql`(select distinct rule_id, area, window_start, window_end from stat_ckeys)`;
      await sql`delete from stat_compliance s using ${windows} k where s.rule_id = k.rule_id and s.area = k.area and s.window_start = k.window_start and s.window_end = k.window_end`.execute(tx);
      await sql`with k as ${windows} insert into stat_compliance (rule_id, area, window_start, window_end, met, decided) ${complianceRows(sql`k`)}`.execute(tx);
      const countyWindows = sql`(select distinct rule_id, window_start, window_end from stat_ckeys)`;
      await sql`delete from stat_compliance_county s using ${countyWindows} k where s.rule_id = k.rule_id and s.window_start = k.window_start and s.window_end = k.window_end`.execute(tx);
      await sql`with k as ${countyWindows} insert into stat_compliance_county (${complianceColumns}) ${complianceCountyRows(seg, sql`k`)}`.execute(tx);
      // The cadres with rows at the paths touched (queued per path, not per row, to keep the
      // queue small on a full compliance pass), and those whose missed duties were there.
      const cadres = sql`(
        select r.cadre_id from compliance_results r where r.cadre_id is not null and r.region_path in (select area from stat_ckeys where area <> '')
        union select r.cadre_id from compliance_results r where r.cadre_id is not null and r.region_path is null and exists (select 1 from stat_ckeys where area = '')
        union select m.cadre_id from stat_missed m where m.area in (select ${cutSql(seg, 'area')} from stat_ckeys) or (m.area = '' and exists (select 1 from stat_ckeys where area = ''))
      )`;
      await sql`insert into stat_tmissed select k.cadre_id from ${cadres} k`.execute(tx);
      await sql`delete from stat_missed s using ${cadres} k where s.cadre_id = k.cadre_id`.execute(tx);
      await numberMissedWindows(tx, seg, cadres);
      await sql`insert into stat_missed (${missedColumns}) ${missedRows(seg, cadres)}`.execute(tx);
    }
    if (n > 0) {
      await sql`analyze stat_tcadres`.execute(tx);
      const changed = sql`(select distinct cadre_id from stat_tcadres)`;
      await sql`delete from stat_cadre_root s using ${changed} k where s.cadre_id = k.cadre_id`.execute(tx);
      await sql`insert into stat_cadre_root (${cadreRootColumns}) ${cadreRootRows(changed)}`.execute(tx);
    }
    if (cn > 0) {
      await sql`analyze stat_tmissed`.execute(tx);
      const changed = sql`(select distinct cadre_id from stat_tmissed)`;
      await sql`delete from stat_missed_root s using ${changed} k where s.cadre_id = k.cadre_id`.execute(tx);
      await sql`insert into stat_missed_root (${missedRootColumns}) ${missedRootRows(changed)}`.execute(tx);
    }
    return { segments: seg, rebuilt: false, days: n, compliance: cn };
  });
}

// ── Reading ─────────────────────────────────────────────────────────────────────────────────

/** Whether the rollups (cut at `segments`) can answer for this filter and child-region segment. */
export function rollupsAnswer(segments: number | null, f: FigureFilter, childSegment: number | null): segments is number {
  if (segments === null || f.unitPath !== null) return false;
  if (f.regionPath !== null && f.regionPath.split('/').length > segments) return false;
  return childSegment === null || childSegment <= segments;
}

const monthStart = (date: string) => `${date.slice(0, 7)}-01`;
const nextMonth = (date: string) => {
  const [y, m] = date.slice(0, 7).split('-').map(Number) as [number, number];
  return `${m === 12 ? y + 1 : y}-${String(m === 12 ? 1 : m + 1).padStart(2, '0')}-01`;
};

/**
 * The rows of [from, to] from a day table and its month twin: whole months from the month table,
 * the partial months at either end from the day table (days only when `daysOnly`).
 * Yields (campaign_id, area, day, ...cols) with day = the month's first day for month rows.
 */
export function periodRows(dayTable: string, monthTable: string, cols: RawBuilder<unknown>, from: string, to: string, where: (alias: string) => RawBuilder<boolean>, daysOnly: boolean): RawBuilder<unknown> {
  const firstWhole = from === monthStart(from) ? from : nextMonth(from);
  const afterLastWhole = addDays(to, 1) === nextMonth(to) ? nextMonth(to) : monthStart(to);
  if (daysOnly || firstWhole >= afterLastWhole) {
    return sql`select d.campaign_id, d.area, d.day, ${cols} from ${sql.table(dayTable)} d where d.day between ${from}::date and ${to}::date and ${where('d')}`;
  }
  const edges: RawBuilder<boolean>[] = [];
  if (from < firstWhole) edges.push(sql<boolean>`d.day between ${from}::date and ${addDays(firstWhole, -1)}::date`);
  if (afterLastWhole <= to) edges.push(sql<boolean>`d.day between ${afterLastWhole}::date and ${to}::date`);
  const monthPart = sql`select d.campaign_id, d.area, d.month as day, ${cols} from ${sql.table(monthTable)} d
    where d.month >= ${firstWhole}::date and d.month < ${afterLastWhole}::date and ${where('d')}`;
  if (edges.length === 0) return monthPart;
  return sql`${monthPart} union all select d.campaign_id, d.area, d.day, ${cols} from ${sql.table(dayTable)} d where (${sql.join(edges, sql` or `)}) and ${where('d')}`;
}

/** Campaign and region conditions on a rollup row. */
export function areaWhere(f: FigureFilter) {
  return (alias: string): RawBuilder<boolean> => {
    const c: RawBuilder<boolean>[] = [];
    if (f.campaignId !== null) c.push(sql<boolean>`${sql.ref(`${alias}.campaign_id`)} = ${f.campaignId}`);
    if (f.regionPath !== null) c.push(pathUnder(`${alias}.area`, f.regionPath));
    return c.length === 0 ? sql<boolean>`true` : sql<boolean>`(${sql.join(c, sql` and `)})`;
  };
}

/**
 * How rollup rows are grouped. `total` (with childRegion only): also the whole filter as one more
 * group keyed TOTAL_GROUP, in the same pass (grouping sets), as grouping 'none' would count it.
 */
export type RollupGroup = { grouping: 'none' | 'childRegion' | 'month' | 'day'; childSegment: number | null; buckets: { key: string; from: string; to: string }[]; total?: boolean };
/** The key of the total group (region codes are digits, month and day keys dates). */
export const TOTAL_GROUP = '*';

/**
 * `select <g>, <rest> from <from> [where] group by <g>, <more>`, and with g.total also by <more>
 * alone (the total group, keyed TOTAL_GROUP). The key is computed once, laterally, so that
 * grouping() names it (its parameters would differ between the select list and the grouping sets).
 */
function grouped(g: RollupGroup, key: RawBuilder<unknown>, rest: RawBuilder<unknown>, from: RawBuilder<unknown>, where: RawBuilder<boolean> | null, more: RawBuilder<unknown>[] = []): RawBuilder<unknown> {
  const body = sql`from ${from} cross join lateral (select ${key} as key) gk ${where === null ? sql`` : sql`where ${where}`}`;
  if (!g.total) return sql`select gk.key as g, ${rest} ${body} group by ${sql.join([sql`gk.key`, ...more])}`;
  return sql`select case when grouping(gk.key) = 0 then gk.key else ${TOTAL_GROUP} end as g, ${rest} ${body}
    group by grouping sets ((${sql.join([sql`gk.key`, ...more])}), (${more.length ? sql.join(more) : sql``}))`;
}

/** The group key of a rollup row from its area and day. */
function groupKey(g: RollupGroup, area: string, day: RawBuilder<unknown>): RawBuilder<unknown> {
  if (g.grouping === 'childRegion') return sql`split_part(${sql.ref(area)}, '/', ${sql.lit(g.childSegment!)})`;
  if (g.grouping === 'month') return sql`to_char(${day}, 'YYYY-MM')`;
  if (g.grouping === 'day') return sql`to_char(${day}, 'YYYY-MM-DD')`;
  return sql`''`;
}

/**
 * The level of the `_up` rollups that answers for the scope and its grouping (the deepest of the
 * region's and the children's), or null when that is the areas' own (read the rollups themselves).
 */
function cutFor(f: FigureFilter, g: RollupGroup, segments: number): number | null {
  const cut = Math.max(1, f.regionPath === null ? 0 : f.regionPath.split('/').length, g.grouping === 'childRegion' ? g.childSegment! : 0);
  return cut < segments ? cut : null;
}

/** Additive counters per group: rows { g, <counter key>: number }. */
export async function readCounters(db: Executor, f: FigureFilter, g: RollupGroup, wanted: readonly Counter[], segments: number): Promise<Record<string, unknown>[]> {
  if (wanted.length === 0) return [];
  const cols = sql.join(wanted.map((c) => sql.ref(additiveColumns[c])));
  // Above the areas, the days summed at that level: a year is a row a day (months not needed).
  const cut = cutFor(f, g, segments);
  const rows = cut === null
    ? periodRows('stat_day', 'stat_month', cols, f.from, f.to, areaWhere(f), g.grouping === 'day')
    : periodRows('stat_day_up', 'stat_day_up', cols, f.from, f.to, (a) => sql<boolean>`${sql.ref(`${a}.cut`)} = ${cut} and ${areaWhere(f)(a)}`, true);
  const sums = sql.join(wanted.map((c) => sql`sum(${sql.ref(`p.${additiveColumns[c]}`)})::bigint as ${sql.ref(c)}`));
  const { rows: out } = await sql<Record<string, unknown>>`${grouped(g, groupKey(g, 'p.area', sql`p.day`), sums, sql`(${rows}) p`, null)}`.execute(db);
  return out;
}

const ZERO = '0'.repeat(366);

type BucketMask = { key: string; year: number; mask: string; months: number; loose: number };

/**
 * Per (bucket, year): the whole months the bucket covers as month bits, and its other days as a
 * bit(366) day mask, with the bits of their months (`loose`, 0 when there are none): a row's
 * months are tested against those first, an integer test, before its 46-byte day bits.
 */
function bucketMasks(buckets: RollupGroup['buckets']): BucketMask[] {
  const out: BucketMask[] = [];
  for (const b of buckets) {
    let start = b.from;
    while (start <= b.to) {
      const year = Number(start.slice(0, 4));
      const yearEnd = `${year}-12-31`;
      const end = b.to < yearEnd ? b.to : yearEnd;
      const jan1 = Date.parse(`${year}-01-01T00:00:00Z`);
      const doy = (d: string) => Math.round((Date.parse(`${d}T00:00:00Z`) - jan1) / 86_400_000);
      const days = new Array<string>(366).fill('0');
      let months = 0;
      let loose = 0;
      for (let m = 1; m <= 12; m++) {
        const first = `${year}-${String(m).padStart(2, '0')}-01`;
        const last = addDays(m === 12 ? `${year + 1}-01-01` : `${year}-${String(m + 1).padStart(2, '0')}-01`, -1);
        if (last < start || first > end) continue;
        if (first >= start && last <= end) months |= 1 << (m - 1);
        else {
          loose |= 1 << (m - 1);
          for (let d = doy(first > start ? first : start); d <= doy(last < end ? last : end); d++) days[d] = '1';
        }
      }
      out.push({ key: b.key, year, mask: days.join(''), months, loose });
      start = `${year + 1}-01-01`;
    }
  }
  return out;
}

/**
 * Distinct figures per group: rows { g, <figure key>: number }. A subject has one row per area,
 * campaign and year it was reached in; the rows of subjects reached in one only (most) are each a
 * distinct subject, so a bucket counts them; the few shared ones (flagged, read by their own index)
 * are counted distinct. Whether a subject is in a bucket is an OR over its rows' days, so counting
 * the distinct subjects among the rows that hit equals merging the rows first. Only a bucket
 * spanning two years can meet a subject twice, and then every row is counted distinct.
 */
export async function readReach(db: Executor, f: FigureFilter, g: RollupGroup, wanted: readonly ReachFigureKey[], segments: number): Promise<Record<string, unknown>[]> {
  if (wanted.length === 0) return [];
  const masks = bucketMasks(g.buckets);
  const where = areaWhere(f)('r');
  const codes = wanted.map((k) => reachFigures[k]);
  const years = [...new Set(masks.map((m) => m.year))];
  const multiYear = new Set(masks.map((m) => m.key)).size < masks.length;
  // The whole period per year: rows reached outside it are left out before joining the buckets.
  const period = years.map((y) => {
    const ms = masks.filter((m) => m.year === y);
    const mask = ms.map((m) => m.mask).reduce((a, b) => [...a].map((c, i) => (c === '1' || b[i] === '1' ? '1' : '0')).join(''));
    return { year: y, months: ms.reduce((a, m) => a | m.months, 0), loose: ms.reduce((a, m) => a | m.loose, 0), mask };
  });
  const inPeriod = sql.join(period.map((p) => sql`(r.year = ${p.year} and ((r.months & ${p.months}) <> 0 or ((r.months & ${p.loose}) <> 0 and (r.days & ${p.mask}::bit(366)) <> ${ZERO}::bit(366))))`), sql` or `);
  const filters = sql<boolean>`r.year in (${sql.join(years)}) and r.figure in (${sql.join(codes)}) and ${where} and (${inPeriod})`;
  if ((g.grouping === 'month' || g.grouping === 'day') && !multiYear) return toFigures(wanted, await readReachSummed(db, f, g.grouping, masks, codes, filters, cutFor(f, g, segments)));
  const key = g.grouping === 'childRegion' ? sql`split_part(r.area, '/', ${sql.lit(g.childSegment!)})` : g.grouping === 'none' ? sql`''` : sql`b.key`;
  const count = (rows: RawBuilder<boolean>, distinct: boolean) => reachCount(g, key, sql<boolean>`${rows} and ${filters}`, masks, distinct);
  if (multiYear) return toFigures(wanted, (await sql<{ g: string; figure: number; n: number }>`${count(sql<boolean>`true`, true)}`.execute(db)).rows);
  const parts = [count(sql<boolean>`r.shared`, true)];
  if (masks.length === 1) {
    // One bucket in one year (the whole scope, or by child region): the unshared subjects reached
    // in its whole months from their histogram, and those reached only on its loose days.
    const [m] = await wholeLooseMonths(db, masks) as [WholeLoose];
    if (m.months !== 0) {
      // From the areas' ancestors at the deepest level the scope and its grouping need, when that
      // lies above the areas (a province by city: 41,000 rows instead of 365,000).
      const cut = cutFor(f, g, segments);
      const from = cut !== null ? sql`stat_reach_mask_up x` : sql`stat_reach_mask x`;
      const atCut = cut !== null ? sql<boolean>`x.cut = ${cut} and ` : sql<boolean>``;
      parts.push(grouped(g, groupKey(g, 'x.area', sql`null`), sql`x.figure, sum(x.n)::int as n`, from,
        sql<boolean>`${atCut}x.year = ${m.year} and x.figure in (${sql.join(codes)}) and ${areaWhere(f)('x')} and (x.months & ${m.months}) <> 0`, [sql`x.figure`]));
    }
    if (m.minus !== null) {
      parts.push(grouped(g, groupKey(g, 'r.area', sql`null`), sql`r.figure, -count(*)::int as n`, sql`stat_reach r`,
        minusRows(m, sql<boolean>`r.figure in (${sql.join(codes)}) and ${where}`), [sql`r.figure`]));
    }
    if (m.loose !== 0) {
      parts.push(grouped(g, groupKey(g, 'r.area', sql`null`), sql`r.figure, count(*)::int as n`, sql`stat_reach r`,
        sql<boolean>`not r.shared and r.year = ${m.year} and r.figure in (${sql.join(codes)}) and ${where} and ${onlyLoose(m)}`, [sql`r.figure`]));
    }
  } else {
    parts.push(count(sql<boolean>`not r.shared`, false));
  }
  const { rows } = await sql<{ g: string; figure: number; n: number }>`${sql.join(parts, sql` union all `)}`.execute(db);
  return toFigures(wanted, rows);
}

/** The days of the year (from 0, as in stat_reach.doys) of a bucket's loose days. */
const looseDays = (m: BucketMask) => [...m.mask].flatMap((c, i) => (c === '1' ? [i] : []));

/**
 * A stat_reach row reached on the bucket's loose days and in none of its whole months. When few
 * month sets can be such a row's (the whole months leave few others: a year to date leaves two),
 * they are listed for the (year, figure, months) index; else the rows reached on those days are
 * found by the GIN index of their days.
 */
function onlyLoose(m: BucketMask): RawBuilder<boolean> {
  return sql<boolean>`${monthsOutside(m.months, m.loose)} and r.doys && ${looseDays(m)}::smallint[]`;
}

/** A stat_reach row reached in none of the months `whole` and in one of `some`: listed for the index when few sets can be. */
function monthsOutside(whole: number, some: number): RawBuilder<boolean> {
  if (12 - bitCount(whole) > 8) return sql<boolean>`(r.months & ${whole}) = 0`;
  const sets: number[] = [];
  for (let v = 0; v < 4096; v++) if ((v & whole) === 0 && (v & some) !== 0) sets.push(v);
  return sql<boolean>`r.months = any(${sets}::int[])`;
}
const bitCount = (n: number) => n.toString(2).replace(/0/g, '').length;

/**
 * A bucket whose loose months are partly read as whole (`wholeLoose`): the unshared subjects of
 * `months` (which then include those months) less `minus`, the unshared rows reached in none of the
 * bucket's original whole months (`whole`) nor on its days (`mask`, the original loose days), but
 * on the left-out days (`excluded`) of those months. A subject reached in such a month is in the
 * bucket unless all its days there are left out, so this is exact; and cheap when the left-out
 * days hold fewer rows than the kept ones (a period ending yesterday: the month's later days).
 */
type WholeLoose = BucketMask & { minus: { whole: number; mask: string; excluded: number[] } | null };

/** Up to this many stat_reach_day rows are counted on either side of a loose month to choose how to read it. */
const EDGE_PROBE_ROWS = 2000;

/**
 * The masks with each loose month read as a whole month less its left-out days' subjects
 * (WholeLoose) when its left-out days have fewer unshared subjects reached on them
 * (stat_reach_day, counted up to EDGE_PROBE_ROWS a range) than its kept days, or, both sides past
 * that, fewer days; none at all (the month of today, say) needs no `minus`. Only for the unshared subjects: the shared ones keep the exact mask.
 */
async function wholeLooseMonths(db: Executor, masks: BucketMask[]): Promise<WholeLoose[]> {
  const edges: { i: number; month: number; first: number; last: number; out: [number, number][]; kept: [number, number][] }[] = [];
  for (const [i, m] of masks.entries()) {
    for (let month = 1; month <= 12; month++) {
      if ((m.loose & (1 << (month - 1))) === 0) continue;
      const first = doyOf(m.year, `${m.year}-${String(month).padStart(2, '0')}-01`);
      const last = month === 12 ? doyOf(m.year, `${m.year}-12-31`) : doyOf(m.year, `${m.year}-${String(month + 1).padStart(2, '0')}-01`) - 1;
      const out: [number, number][] = [];
      const kept: [number, number][] = [];
      for (let d = first; d <= last; d++) {
        const side = m.mask[d] === '1' ? kept : out;
        const prev = side.at(-1);
        if (prev && prev[1] === d - 1) prev[1] = d;
        else side.push([d, d]);
      }
      edges.push({ i, month, first, last, out, kept });
    }
  }
  const result: WholeLoose[] = masks.map((m) => ({ ...m, minus: null }));
  if (edges.length === 0) return result;
  const ranges = edges.flatMap((e, k) => [...e.out.map((r) => ({ k, side: 0, r })), ...e.kept.map((r) => ({ k, side: 1, r }))]);
  const { rows } = await sql<{ k: number; side: number; n: number }>`
    select e.k, e.side, sum((select count(*) from (select 1 from stat_reach_day d where d.year = e.year and d.doy between e.lo and e.hi limit ${sql.lit(EDGE_PROBE_ROWS)}) x))::int as n
    from unnest(${ranges.map((x) => x.k)}::int[], ${ranges.map((x) => x.side)}::int[], ${ranges.map((x) => masks[edges[x.k]!.i]!.year)}::int[],
      ${ranges.map((x) => x.r[0])}::int[], ${ranges.map((x) => x.r[1])}::int[]) as e(k, side, year, lo, hi)
    group by 1, 2`.execute(db);
  const count = (k: number, side: number) => Number(rows.find((r) => Number(r.k) === k && Number(r.side) === side)?.n ?? 0);
  const days = (rs: [number, number][]) => rs.reduce((n, [lo, hi]) => n + hi - lo + 1, 0);
  for (const [k, e] of edges.entries()) {
    const outside = count(k, 0);
    const kept = count(k, 1);
    // Both sides past the probe's cap: about as dense, so the side with fewer days has fewer rows.
    const dense = outside >= EDGE_PROBE_ROWS && kept >= EDGE_PROBE_ROWS;
    if (outside > 0 && (dense ? days(e.out) >= days(e.kept) : outside >= kept)) continue;
    const orig = masks[e.i]!;
    const m = result[e.i]!;
    const bit = 1 << (e.month - 1);
    if (outside > 0) {
      m.minus ??= { whole: orig.months, mask: orig.mask, excluded: [] };
      for (const [lo, hi] of e.out) for (let d = lo; d <= hi; d++) m.minus.excluded.push(d);
    }
    m.months |= bit;
    m.loose &= ~bit;
    m.mask = m.mask.slice(0, e.first) + '0'.repeat(e.last - e.first + 1) + m.mask.slice(e.last + 1);
  }
  return result;
}

/** The unshared rows of a WholeLoose bucket's `minus` (rows must also meet `where`, on alias r). */
function minusRows(m: WholeLoose, where: RawBuilder<boolean>): RawBuilder<boolean> {
  const x = m.minus!;
  const excludedMonths = x.excluded.reduce((bits, d) => bits | (1 << (new Date(Date.UTC(m.year, 0, 1 + d)).getUTCMonth())), 0);
  return sql<boolean>`not r.shared and r.year = ${m.year} and ${where} and ${monthsOutside(x.whole, excludedMonths)}
    and r.doys && ${x.excluded}::smallint[] and (r.days & ${x.mask}::bit(366)) = ${ZERO}::bit(366)`;
}
const doyOf = (year: number, date: string) => Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${year}-01-01T00:00:00Z`)) / 86_400_000);

/**
 * Rows { g, figure, n } of the stat_reach rows matching `rows` that hit each bucket, counted (or
 * their subjects counted distinct). The rows are read once, then joined to the buckets: scanning
 * the table again per bucket, as the planner chose for a month's 31 days, took 20 times as long.
 */
function reachCount(g: RollupGroup, key: RawBuilder<unknown>, rows: RawBuilder<boolean>, masks: BucketMask[], distinct: boolean): RawBuilder<unknown> {
  return grouped(g, key,
    sql`r.figure, ${distinct ? sql`count(distinct r.subject)` : sql`count(*)`}::int as n`,
    sql`(select * from stat_reach r where ${rows} offset 0) r join ${bucketsOf(masks)} on b.year = r.year and ${hit('r', 'b')}`,
    null, [sql`r.figure`]);
}

/** A row is in a bucket when it was reached in one of the bucket's whole months or on one of its other days. */
const hit = (r: string, b: string) => sql<boolean>`((${sql.ref(`${r}.months`)} & ${sql.ref(`${b}.months`)}) <> 0
  or ((${sql.ref(`${r}.months`)} & ${sql.ref(`${b}.loose`)}) <> 0 and (${sql.ref(`${r}.days`)} & ${sql.ref(`${b}.mask`)}) <> ${ZERO}::bit(366)))`;

/**
 * The buckets as a relation b(key, year, months, month, doy, loose, mask); month: the whole
 * month's number when the bucket is one, else 0; doy: the day of the year when it is one day, else -1.
 */
function bucketsOf(ms: BucketMask[]): RawBuilder<unknown> {
  const monthOf = (bits: number) => (bits === 0 || (bits & (bits - 1)) !== 0 ? 0 : Math.round(Math.log2(bits)) + 1);
  const oneDay = (m: BucketMask) => (m.months === 0 && m.mask.indexOf('1') === m.mask.lastIndexOf('1') ? m.mask.indexOf('1') : -1);
  return sql`unnest(${ms.map((m) => m.key)}::text[], ${ms.map((m) => m.year)}::int[], ${ms.map((m) => m.months)}::int[],
    ${ms.map((m) => monthOf(m.months))}::int[], ${ms.map(oneDay)}::int[], ${ms.map((m) => m.loose)}::int[],
    ${ms.map((m) => m.mask)}::text[]::bit(366)[]) as b(key, year, months, month, doy, loose, mask)`;
}

function toFigures(wanted: readonly ReachFigureKey[], rows: { g: string; figure: number; n: number }[]): Record<string, unknown>[] {
  const byGroup = new Map<string, Record<string, unknown>>();
  const name = new Map(wanted.map((k) => [reachFigures[k] as number, k]));
  for (const r of rows) {
    const row = byGroup.get(r.g) ?? { g: r.g };
    row[name.get(Number(r.figure))!] = ((row[name.get(Number(r.figure))!] as number | undefined) ?? 0) + Number(r.n);
    byGroup.set(r.g, row);
  }
  return [...byGroup.values()];
}

/**
 * The monthly or daily trend of distinct figures. A whole month (a day) adds up the unshared
 * subjects reached in it (stat_reach_month, stat_reach_day); a month cut by the period (its first
 * or last) counts the unshared rows reached in the days it keeps; every bucket counts its shared
 * subjects distinct.
 */
async function readReachSummed(db: Executor, f: FigureFilter, grain: 'month' | 'day', masks: BucketMask[], codes: number[], filters: RawBuilder<boolean>, level: number | null): Promise<{ g: string; figure: number; n: number }[]> {
  // A day bucket is always whole (one day); a month bucket is whole when it has no loose days, or
  // none of its other days has unshared subjects reached on it (the month of today, say).
  const unshared: WholeLoose[] = grain === 'day' ? masks.map((m) => ({ ...m, minus: null })) : await wholeLooseMonths(db, masks);
  const whole = unshared.filter((m) => m.loose === 0 || grain === 'day');
  const cut = unshared.filter((m) => m.loose !== 0 && grain !== 'day');
  const parts: RawBuilder<unknown>[] = [];
  if (whole.length) {
    // Above the areas, their ancestors' rows at the scope's level (a province's days: one a day).
    const table = sql.table(`stat_reach_${grain}${level === null ? '' : '_up'}`);
    const atCut = level === null ? sql<boolean>`true` : sql<boolean>`r.cut = ${level}`;
    parts.push(grain === 'month'
      ? sql`select b.key as g, r.figure, sum(r.solo)::int as n
          from ${table} r join ${bucketsOf(whole)} on b.year = r.year and b.month = r.month
          where ${atCut} and r.figure in (${sql.join(codes)}) and ${areaWhere(f)('r')} group by 1, 2`
      : sql`select b.key as g, r.figure, sum(r.solo)::int as n
          from ${table} r join ${bucketsOf(whole)} on b.year = r.year and b.doy = r.doy
          where ${atCut} and r.figure in (${sql.join(codes)}) and ${areaWhere(f)('r')} group by 1, 2`);
  }
  const byBucket: RollupGroup = { grouping: grain, childSegment: null, buckets: [] };
  if (cut.length) {
    const cutPeriod = sql.join(cut.map((m) => sql<boolean>`(r.year = ${m.year} and r.doys && ${looseDays(m)}::smallint[])`), sql` or `);
    parts.push(reachCount(byBucket, sql`b.key`, sql<boolean>`not r.shared and ${filters} and (${cutPeriod})`, cut, false));
  }
  for (const m of unshared) {
    if (m.minus === null) continue;
    parts.push(sql`select ${m.key}::text as g, r.figure, -count(*)::int as n from stat_reach r
      where ${minusRows(m, sql<boolean>`r.figure in (${sql.join(codes)}) and ${areaWhere(f)('r')}`)} group by 2`);
  }
  parts.push(reachCount(byBucket, sql`b.key`, sql<boolean>`r.shared and ${filters}`, masks, true));
  const { rows } = await sql<{ g: string; figure: number; n: number }>`${sql.join(parts, sql` union all `)}`.execute(db);
  return rows;
}

/** Decided compliance rows per group: rows { g, met, decided }, as complianceWhere counts them. */
export async function readCompliance(db: Executor, f: FigureFilter, g: RollupGroup, segments: number): Promise<Record<string, unknown>[]> {
  // The county rows answer when neither the region nor the children lie below the county level.
  const county = segments - 1;
  const coarse = (f.regionPath === null || f.regionPath.split('/').length <= county) && (g.childSegment === null || g.childSegment <= county);
  const c: RawBuilder<boolean>[] = [
    sql<boolean>`rr.active`,
    sql<boolean>`(rr.rule ->> 'subject') = 'cadre'`,
    sql<boolean>`(s.window_end between ${f.from}::date and ${f.to}::date or (s.window_start <= ${f.to}::date and s.window_end > ${f.to}::date))`,
  ];
  if (f.campaignId !== null) c.push(sql<boolean>`rr.campaign_id = ${f.campaignId}`);
  if (f.regionPath !== null) c.push(pathUnder('s.area', f.regionPath));
  const { rows } = await sql<Record<string, unknown>>`${grouped(g, groupKey(g, 's.area', sql`least(s.window_end, ${f.to}::date)`),
    sql`sum(s.met)::bigint as met, sum(s.decided)::bigint as decided`,
    sql`${sql.table(coarse ? 'stat_compliance_county' : 'stat_compliance')} s join requirement_rules rr on rr.id = s.rule_id`, sql<boolean>`${sql.join(c, sql` and `)}`)}`.execute(db);
  return rows;
}

/** Per year of the period, its day-of-year bounds (numbers from 1, as in the `at` arrays). */
function yearSpans(f: FigureFilter): { year: number; lo: number; hi: number }[] {
  const out: { year: number; lo: number; hi: number }[] = [];
  for (let y = Number(f.from.slice(0, 4)); y <= Number(f.to.slice(0, 4)); y++) {
    out.push({ year: y, lo: f.from > `${y}-01-01` ? doyOf(y, f.from) + 1 : 1, hi: f.to < `${y}-12-31` ? doyOf(y, f.to) + 1 : 366 });
  }
  return out;
}

/** The records of an `at`/`cum` row (alias d) between day lo and hi of its year: two binary searches. */
const recordsIn = (lo: number, hi: number) => {
  // At the year's ends a search is saved: nothing lies before day 1, and all lies by day 366.
  const upTo = hi >= 366 ? sql`coalesce(d.cum[cardinality(d.cum)], 0)` : sql`coalesce(d.cum[width_bucket(${sql.lit(hi)}::smallint, d.at)], 0)`;
  return lo <= 1 ? upTo : sql`${upTo} - coalesce(d.cum[width_bucket(${sql.lit(lo - 1)}::smallint, d.at)], 0)`;
};

/** Whether the filter's region is a whole tree (a top-level region, or none): read per cadre from stat_cadre_root and stat_missed_root. */
function wholeTree(f: FigureFilter): boolean {
  return f.regionPath === null || !f.regionPath.includes('/');
}
function rootWhere(f: FigureFilter): RawBuilder<boolean> {
  const c: RawBuilder<boolean>[] = [];
  if (f.campaignId !== null) c.push(sql<boolean>`d.campaign_id = ${f.campaignId}`);
  if (f.regionPath !== null) c.push(sql<boolean>`d.root = ${f.regionPath}`);
  return c.length === 0 ? sql<boolean>`true` : sql<boolean>`(${sql.join(c, sql` and `)})`;
}

/**
 * Field records each cadre took part in over the period: the relation (cadre_id, records) of the
 * cadres with at least one. For a whole region tree, one stat_cadre_root row per cadre and year;
 * summed per cadre only when several can match (several years, campaigns or roots).
 */
export function cadreScores(f: FigureFilter): RawBuilder<unknown> {
  const spans = yearSpans(f);
  if (wholeTree(f)) {
    const parts = spans.map(({ year, lo, hi }) => sql`select d.cadre_id, (${recordsIn(lo, hi)})::int as records from stat_cadre_root d where d.year = ${year} and ${rootWhere(f)}`);
    // offset 0 keeps the subquery whole: pulled up, its expression was computed again for the filter.
    if (spans.length === 1 && f.campaignId !== null && f.regionPath !== null) return sql`select p.cadre_id, p.records from (${parts[0]!} offset 0) p where p.records > 0`;
    return sql`select p.cadre_id, sum(p.records)::int as records from (${sql.join(parts, sql` union all `)}) p group by 1 having sum(p.records) > 0`;
  }
  const where = areaWhere(f);
  const parts = spans.map(({ year, lo, hi }) => sql`select d.cadre_id, ${recordsIn(lo, hi)} as records from stat_cadre_year d where d.year = ${year} and ${where('d')}`);
  return sql`select p.cadre_id, sum(p.records)::int as records from (${sql.join(parts, sql` union all `)}) p group by 1 having sum(p.records) > 0`;
}

/** Participations (人次) per unit path over the period, from stat_unit_year: the relation (unit_path, records), those with one at least. */
export function unitRecords(f: FigureFilter): RawBuilder<unknown> {
  const where = areaWhere(f);
  const parts = yearSpans(f).map(({ year, lo, hi }) => sql`select d.unit_path, ${recordsIn(lo, hi)} as records from stat_unit_year d where d.year = ${year} and ${where('d')}`);
  return sql`select p.unit_path, sum(p.records)::int as records from (${sql.join(parts, sql` union all `)}) p group by 1 having sum(p.records) > 0`;
}

/**
 * Missed duties per cadre over the period, as complianceWhere counts them (active cadre rules,
 * windows overlapping [from, to]): the relation (cadre_id, n) of cadres with at least one. Per
 * campaign-year, the bits of the windows overlapping the period are one mask, and a row's count
 * is bit_count(missed & mask). For a whole region tree, from stat_missed_root, one row per cadre
 * when one campaign-year has such windows. A campaign-year with windows numbered beyond the bits
 * (not expected with real rules) is counted from the compliance rows; that part is left out
 * otherwise, since its cost estimate alone made PostgreSQL plan the statement in parallel.
 */
export async function missedDuties(db: Executor, f: FigureFilter): Promise<RawBuilder<unknown>> {
  const inCampaign = (col: string) => (f.campaignId === null ? sql<boolean>`true` : sql<boolean>`${sql.ref(col)} = ${f.campaignId}`);
  const { rows: masks } = await sql<{ campaign_id: number; year: number; mask: string; over: boolean }>`
    select w.campaign_id, w.year, bit_or(case when w.bit < ${sql.lit(MISSED_BITS)} then set_bit(${noBits}, w.bit, 1) else ${noBits} end)::text as mask,
      bool_or(w.bit >= ${sql.lit(MISSED_BITS)}) as over
    from stat_missed_window w
    where w.window_start <= ${f.to}::date and w.window_end >= ${f.from}::date and ${inCampaign('w.campaign_id')}
    group by 1, 2`.execute(db);
  const overflow = masks.some((m) => m.over);
  if (masks.length === 0) return sql`select null::int as cadre_id, 0 as n where false`;
  const p = sql`(values ${sql.join(masks.map((m) => sql`(${m.campaign_id}::int, ${m.year}::int, ${m.mask}::bit(${sql.lit(MISSED_BITS)}))`))}) as p(campaign_id, year, mask)`;
  if (!overflow && wholeTree(f)) {
    const rows = sql`select d.cadre_id, bit_count(d.missed & p.mask)::int as n from stat_missed_root d join ${p} on p.campaign_id = d.campaign_id and p.year = d.year where ${rootWhere(f)}`;
    if (masks.length === 1 && f.regionPath !== null) return sql`select x.cadre_id, x.n from (${rows} offset 0) x where x.n > 0`;
    return sql`select x.cadre_id, sum(x.n)::int as n from (${rows}) x group by 1 having sum(x.n) > 0`;
  }
  const over = sql`(select w.campaign_id, w.year from stat_missed_window w where w.bit >= ${sql.lit(MISSED_BITS)} and ${inCampaign('w.campaign_id')})`;
  const fromRows = sql`
      union all
      select r.cadre_id, 1
      from compliance_results r join requirement_rules rr on rr.id = r.rule_id
      where r.status = 'missed' and r.cadre_id is not null and ${complianceWhere(f)}
        and (coalesce(rr.campaign_id, 0), extract(year from r.window_start)::int) in ${over}`;
  return sql`
    select x.cadre_id, sum(x.n)::int as n from (
      select m.cadre_id, bit_count(m.missed & p.mask)::int as n
      from stat_missed m join ${p} on p.campaign_id = m.campaign_id and p.year = m.year
      where ${areaWhere(f)('m')} ${overflow ? sql`and (m.campaign_id, m.year) not in ${over}` : sql``}
      ${overflow ? fromRows : sql``}
    ) x
    group by 1
    having sum(x.n) > 0`;
}
