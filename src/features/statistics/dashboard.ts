import { sql, type RawBuilder } from 'kysely';
import { checkKindLabels } from '../../../contracts/integrity.ts';
import type { DashboardResult, FigureKey, FigureValue, RagLevel, StatisticsScope } from '../../../contracts/statistics.ts';
import type { Executor } from '../../db/database.ts';
import { pathUnder } from '../../db/paths.ts';
import type { Actor } from '../auth/actor.ts';
import { unitScope } from '../units/units.ts';
import { topRegion } from '../open311/deployment.ts';
import { cadreScores, missedDuties, refreshRollups, rollupsAnswer, TOTAL_GROUP, unitRecords } from './rollups.ts';
import { activityWhere, complianceWhere, computeFigures, resolveStatisticsScope, ticketWhere, type FigureFilter, type FigureGroupRow } from './figures.ts';

// The dashboard (驾驶舱): the headline figures of a scope, its regions one level down with a
// red/amber/green judgement, the trend, rankings and warnings. The figures come from
// computeFigures in three grouped calls (none, childRegion, month or day), never one call per
// child or per period; rankings and warnings are a few set-based statements of their own.
//
// Stated rules (shown on the page beside what they judge):
// - RAG of a region: the worse of 履职达标率 (met ÷ decided duties: ≥ 90% green, ≥ 70% amber,
//   else red) and 按期办结率 (≥ 90% green, ≥ 80% amber, else red); a measure with nothing to
//   judge (0 ÷ 0) is left out; a region with neither is amber (no evidence either way).
// - Region ranking: the children by 履职达标率, those with no decided duty not ranked.
// - Unit ranking: field-record participations per cadre in post (人次: each cadre of the unit or a
//   unit under it taking part in a record counts once, ÷ its cadres in post), units without
//   cadres in post not ranked.
// - Cadre ranking: field records the cadre took part in; the top and the bottom ten.
// - Ties share a rank (1, 1, 3); within a tie, cadres are listed by their number (registration order).

export const headlineKeys = [
  'householdsVisited', 'stayDays', 'forums', 'talkAttendance', 'problemsSolved', 'mattersDone', 'matterFundsFen',
  'onTimeRate', 'satisfactionRate', 'complianceRate',
] as const satisfies readonly FigureKey[];

const rateKeys: ReadonlySet<FigureKey> = new Set(['resolveRate', 'onTimeRate', 'satisfactionRate', 'complianceRate']);

/** RAG thresholds (share, 0–1): at or above green is green, at or above amber is amber. */
export const ragThresholds = {
  complianceRate: { green: 0.9, amber: 0.7 },
  onTimeRate: { green: 0.9, amber: 0.8 },
} as const;

/** Beyond this many days the trend is monthly. */
const DAILY_TREND_MAX_DAYS = 61;
const CADRES_EACH_END = 10;
const WARNINGS_EACH = 10;

const zeroFigure = (key: FigureKey): FigureValue => (rateKeys.has(key) ? { key, value: null, numerator: 0, denominator: 0 } : { key, value: 0 });

/** Every key asked for, in order, zero where the row had none. */
function complete(keys: readonly FigureKey[], got: FigureValue[] | undefined): FigureValue[] {
  const byKey = new Map((got ?? []).map((f) => [f.key, f]));
  return keys.map((k) => byKey.get(k) ?? zeroFigure(k));
}

const pctText = (r: number) => `${(Math.round(r * 1000) / 10).toFixed(1)}%`;
const rank: Record<RagLevel, number> = { green: 0, amber: 1, red: 2 };

/** A region's RAG by the stated rule, with the reasons a person reads. */
export function judge(figures: FigureValue[]): { rag: RagLevel; reasons: string[] } {
  const value = (k: FigureKey) => figures.find((f) => f.key === k)?.value ?? null;
  const checks: { label: string; key: keyof typeof ragThresholds }[] = [
    { label: '履职达标率', key: 'complianceRate' },
    { label: '按期办结率', key: 'onTimeRate' },
  ];
  let worst: RagLevel | null = null;
  const reasons: string[] = [];
  for (const c of checks) {
    const v = value(c.key);
    if (v === null) continue;
    const t = ragThresholds[c.key];
    const level: RagLevel = v >= t.green ? 'green' : v >= t.amber ? 'amber' : 'red';
    if (level !== 'green') reasons.push(`${c.label}${pctText(v)}（低于${pctText(level === 'red' ? t.amber : t.green)}）`);
    if (worst === null || rank[level] > rank[worst]) worst = level;
  }
  if (worst === null) return { rag: 'amber', reasons: ['无已判定的履职要求和已办结工单，无法判断'] };
  return { rag: worst, reasons };
}

/** Competition ranking over a sorted list: equal scores share a rank (1, 1, 3). */
export function rankBy<T extends { score: number }>(sorted: T[]): (T & { rank: number })[] {
  let prev: number | null = null;
  let r = 0;
  return sorted.map((x, i) => {
    if (prev === null || x.score !== prev) r = i + 1;
    prev = x.score;
    return { ...x, rank: r };
  });
}

const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1;

/** The periods of the trend, each day or each month from `from` to `to`. */
export function trendPeriods(from: string, to: string): { granularity: 'day' | 'month'; periods: string[] } {
  if (daysBetween(from, to) <= DAILY_TREND_MAX_DAYS) {
    const periods: string[] = [];
    for (let d = from; d <= to; d = addDays(d, 1)) periods.push(d);
    return { granularity: 'day', periods };
  }
  const periods: string[] = [];
  let [y, m] = from.slice(0, 7).split('-').map(Number) as [number, number];
  const last = to.slice(0, 7);
  for (;;) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    periods.push(key);
    if (key >= last) break;
    m += 1;
    if (m > 12) { m = 1; y += 1; }
  }
  return { granularity: 'month', periods };
}

type BaseRegion = { code: string; path: string } | null;

/**
 * The region whose children the dashboard shows: the asked region (or the caller's), else the
 * campaign's, else the top of the tree (descending while a level has one region only).
 */
async function baseRegion(db: Executor, filter: FigureFilter): Promise<BaseRegion> {
  if (filter.regionPath !== null) return { code: filter.regionPath.split('/').at(-1)!, path: filter.regionPath };
  if (filter.campaignId !== null) {
    const c = await db.selectFrom('campaigns').select(['region_code', 'region_path']).where('id', '=', filter.campaignId).executeTakeFirst();
    if (c) return { code: c.region_code, path: c.region_path };
  }
  const top = await topRegion(db);
  return top ? { code: top.code, path: top.path } : null;
}

/**
 * The units a ranking covers: in the actor's sight and under the unit filter; with a campaign, its
 * participating units; with a region, those whose jurisdiction lies in it or which answer for a
 * township in it (or containing it) in the campaign.
 */
function scopedUnits(actor: Actor, f: FigureFilter) {
  const parts: RawBuilder<boolean>[] = [unitScope(actor, 'u')];
  if (f.unitPath !== null) parts.push(pathUnder('u.path', f.unitPath));
  if (f.campaignId !== null) parts.push(sql<boolean>`exists (select 1 from campaign_units cu where cu.campaign_id = ${f.campaignId} and cu.unit_id = u.id)`);
  if (f.regionPath !== null) {
    const answersFor = f.campaignId === null
      ? sql<boolean>`false`
      : sql<boolean>`exists (select 1 from campaign_units cu join regions rr on rr.code = any(cu.responsible_regions)
          where cu.campaign_id = ${f.campaignId} and cu.unit_id = u.id
            and (${pathUnder('rr.path', f.regionPath)} or ${f.regionPath} = rr.path or ${f.regionPath} like rr.path || '/%'))`;
    parts.push(sql<boolean>`(${pathUnder('u.region_path', f.regionPath)} or ${answersFor})`);
  }
  return sql`select u.id, u.name, u.path from units u where ${sql.join(parts, sql` and `)}`;
}

/** Field records each cadre took part in over the filter: the relation (cadre_id, records), those with one at least. */
export function cadreParticipations(f: FigureFilter, segments: number | null): RawBuilder<unknown> {
  if (rollupsAnswer(segments, f, null)) return cadreScores(f);
  return sql`select p.cadre_id, count(*)::int as records
    from activities a join activity_participants p on p.activity_id = a.id
    where ${activityWhere(f)} group by 1`;
}

/** Participations (人次) per unit path (the participant's unit at the time): the relation (unit_path, records). */
export function unitParticipations(f: FigureFilter, segments: number | null): RawBuilder<unknown> {
  if (rollupsAnswer(segments, f, null)) return unitRecords(f);
  return sql`select p.unit_path, count(*)::int as records
    from activities a join activity_participants p on p.activity_id = a.id
    where ${activityWhere(f)} group by 1`;
}

/** The units a ranking covers, as a condition on a unit id: the list, or when most units are ranked, the few that are not. */
type RankedUnits = { wide: boolean; ids: number[]; others: number[] };
const inRanked = (r: RankedUnits, col: RawBuilder<unknown>) =>
  (r.wide ? sql<boolean>`not (${col} = any(${r.others}::int[]))` : sql<boolean>`${col} = any(${r.ids}::int[])`);
const rankedCadre = (r: RankedUnits, c: string) => sql<boolean>`${sql.ref(`${c}.status`)} = 'active' and ${inRanked(r, sql.ref(`${c}.unit_id`))}`;

/**
 * The unit and cadre rankings, two statements run side by side. Only cadre and unit numbers travel
 * through them: a name is joined for the twenty cadres shown (at the province tier, sorting
 * 200,000 names cost more than counting their records).
 */
export async function rankings(db: Executor, actor: Actor, f: FigureFilter, segments: number | null, leaveOut?: boolean) {
  const r = await rankedUnits(db, actor, f, leaveOut);
  const [units, cadres] = await Promise.all([unitRanking(db, f, segments, r), cadreRanking(db, f, segments, r)]);
  return { units, ...cadres };
}

/**
 * The units a ranking covers, read first on their own: passed on as a list, the planner knows how
 * many there are (six at a township, thousands at a province) and reads their cadres by index or by
 * a scan accordingly. When most units are ranked (a province, a city: `leaveOut` chooses, for
 * tests), the few that are not are listed instead: a long list is costly to plan at every use.
 */
async function rankedUnits(db: Executor, actor: Actor, f: FigureFilter, leaveOut?: boolean): Promise<RankedUnits> {
  const scoped = (await sql<{ id: number; ranked: boolean }>`select u.id, u.id in (select s.id from (${scopedUnits(actor, f)}) s) as ranked from units u`.execute(db)).rows;
  const ids = scoped.filter((x) => x.ranked).map((x) => x.id);
  const wide = leaveOut ?? ids.length * 2 > scoped.length;
  return { wide, ids, others: wide ? scoped.filter((x) => !x.ranked).map((x) => x.id) : [] };
}

/** Units by field-record participations per cadre in post (the first hundred). */
async function unitRanking(db: Executor, f: FigureFilter, segments: number | null, r: RankedUnits) {
  if (r.ids.length === 0) return [];
  // Active cadres per unit: of every unit when most are ranked (one pass over the cadres), else of
  // the ranked units and those below them (by index).
  const perUnit = r.wide
    ? sql`select c.unit_id, count(*)::int as n from cadres c where c.status = 'active' group by 1`
    : sql`select c.unit_id, count(*)::int as n from cadres c
      where c.status = 'active' and c.unit_id in (select x.id from units x cross join lateral unnest(string_to_array(x.path, '/')) as a(id) where ${inRanked(r, sql`a.id::int`)})
      group by 1`;
  // A unit path lists the unit's ancestors' ids: unnesting it credits every unit above a
  // participant's by an equi-join (a prefix join per unit was a nested loop). Participations and
  // cadres in post (of the unit and every unit under it) are summed in one grouping: joined after
  // grouping, the planner could not know the groups' sizes and nested the loops.
  const { rows } = await sql<{ id: number; name: string; records: number; cadres: number }>`
    select g.id, u.name, g.records, g.cadres
    from (
      select x.id, sum(x.records)::int as records, sum(x.cadres)::int as cadres
      from (
        select anc.id::int as id, pu.records, 0 as cadres
        from (${unitParticipations(f, segments)}) pu cross join lateral unnest(string_to_array(pu.unit_path, '/')) as anc(id)
        union all
        select anc.id::int, 0, cu.n
        from (${perUnit}) cu join units cu_unit on cu_unit.id = cu.unit_id cross join lateral unnest(string_to_array(cu_unit.path, '/')) as anc(id)
      ) x
      where ${inRanked(r, sql`x.id`)}
      group by 1 having sum(x.cadres) > 0
    ) g join units u on u.id = g.id`.execute(db);
  const scored = rows
    .map((x) => ({ id: x.id, name: x.name, score: Math.round((Number(x.records) / Number(x.cadres)) * 100) / 100 }))
    .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name, 'zh-CN'));
  return rankBy(scored).slice(0, 100);
}

/** The cadres at both ends of the ranking by field records, and how many are ranked. */
async function cadreRanking(db: Executor, f: FigureFilter, segments: number | null, r: RankedUnits) {
  if (r.ids.length === 0) return { cadres: [], cadresRanked: 0 };
  // The ranked cadres with records. When most units are ranked, the few cadres who are not
  // (retired, transferred, in units outside the campaign) are left out of the scores, rather than
  // joining 200,000 scores to 200,000 cadres; else the scores are joined.
  const scores = cadreParticipations(f, segments);
  const pool = r.wide
    ? sql`select s.cadre_id as id, s.records as score from (${scores}) s where s.cadre_id not in (select excl.id from excl)`
    : sql`select s.cadre_id as id, s.records as score from (${scores}) s join cadres c on c.id = s.cadre_id where ${rankedCadre(r, 'c')}`;
  // Ranked cadres without a record, in cadre-number order (only read when some are needed). The
  // NOT IN forms are hashed subplans; as anti-joins the planner sorted 200,000 rows to merge them.
  const zeros = (when: RawBuilder<boolean>, order: 'asc' | 'desc') => sql`(select c.id, 0 as score from cadres c
    where ${when} and ${rankedCadre(r, 'c')} and c.id not in (select pool.id from pool)
    order by c.id ${sql.raw(order)} limit ${CADRES_EACH_END})`;
  const { rows } = await sql<{ id: number; name: string; unit_name: string; records: number; rank: number; total: number; pos: number }>`
    with total as (select count(*)::int as n from cadres c where ${rankedCadre(r, 'c')}),
    excl as materialized (select c.id from cadres c where not (${rankedCadre(r, 'c')})),
    pool as materialized (${pool}),
    -- Only both ends are shown: each is a top-N by (score, cadre number), and a shown cadre's rank
    -- (ties share it) is one more than the cadres scoring higher, from the scores' histogram (the
    -- cadres without a record its zero); ranking every cadre by window functions sorted them all
    -- twice (200,000 at the province tier).
    scored as materialized (select score, count(*)::int as n from pool group by score),
    nz as (select coalesce(sum(n), 0)::int as n from scored),
    hist as (
      select score, n from scored
      union all select 0, (select n from total) - (select n from nz) where (select n from total) > (select n from nz)
    ),
    top as (
      select p.id, p.score, row_number() over (order by p.score desc, p.id)::int as pos
      from ((select id, score from pool order by score desc, id limit ${CADRES_EACH_END})
        union all ${zeros(sql<boolean>`(select n from nz) < ${CADRES_EACH_END}`, 'asc')}) p
      order by p.score desc, p.id limit ${CADRES_EACH_END}
    ),
    bottom as (
      select p.id, p.score, ((select n from total) + 1 - row_number() over (order by p.score, p.id desc))::int as pos
      from (${zeros(sql<boolean>`(select n from total) > (select n from nz)`, 'desc')}
        union all (select id, score from pool order by score, id desc limit ${CADRES_EACH_END})) p
      order by p.score, p.id desc limit ${CADRES_EACH_END}
    ),
    ends as (select * from top union select * from bottom)
    select e.id, c.name, u.name as unit_name, e.score as records, (1 + (select coalesce(sum(h.n), 0) from hist h where h.score > e.score))::int as rank,
      (select n from total) as total, e.pos
    from ends e join cadres c on c.id = e.id join units u on u.id = c.unit_id`.execute(db);
  const ends = [...rows].sort((a, b) => Number(a.pos) - Number(b.pos));
  return {
    cadres: ends.map((x) => ({ id: x.id, name: x.name, unitName: x.unit_name ?? '', score: Number(x.records), rank: Number(x.rank) })),
    cadresRanked: Number(ends[0]?.total ?? 0),
  };
}

type Warning = DashboardResult['warnings'][number];

async function ticketWarnings(db: Executor, f: FigureFilter, now: Date): Promise<Warning[]> {
  // Overdue is a state now, not an event of the period: every open ticket of the scope past its deadline.
  const { rows } = await sql<{ id: number; name: string; n: number; long: number }>`
    select u.id, u.name, count(*)::int as n, (count(*) filter (where t.deadline_mark = 'long_overdue'))::int as long
    from tickets t join units u on u.id = t.handling_unit_id
    where ${ticketWhere(f)} and t.state in ('dispatched', 'signed', 'in_progress', 'reopened') and t.due_at < ${now}
    group by u.id, u.name
    order by 4 desc, 3 desc, u.name
    limit ${WARNINGS_EACH}`.execute(db);
  return rows.map((r) => ({
    level: Number(r.long) > 0 ? 'red' as const : 'amber' as const,
    subject: r.name,
    message: `超期未办结工单${r.n}件${Number(r.long) > 0 ? `，其中严重逾期${r.long}件` : ''}`,
    link: `/tickets?state=open&mark=overdue&unitId=${r.id}`,
  }));
}

/**
 * Missed duties per cadre among the decided rows the compliance rate counts (complianceWhere): the
 * relation (cadre_id, n), from the rollups when they answer for the filter, else from the rows.
 */
export async function missedByCadre(db: Executor, f: FigureFilter, segments: number | null): Promise<RawBuilder<unknown>> {
  if (rollupsAnswer(segments, f, null)) return missedDuties(db, f);
  return sql`select r.cadre_id, count(*)::int as n
    from compliance_results r join requirement_rules rr on rr.id = r.rule_id
    where ${complianceWhere(f)} and r.status = 'missed' and r.cadre_id is not null
    group by 1`;
}

/** Cadres with missed duties: the most first (ties by cadre number), and how many more there are. */
async function complianceWarnings(db: Executor, f: FigureFilter, segments: number | null): Promise<Warning[]> {
  // Names are joined for the ten shown only (at the province tier, 200,000 cadres have some).
  const { rows } = await sql<{ id: number; name: string; n: number; cadres: number }>`
    with m as materialized (${await missedByCadre(db, f, segments)}),
    top as (select m.cadre_id, m.n from m order by m.n desc, m.cadre_id limit ${WARNINGS_EACH})
    select c.id, c.name, top.n, (select count(*) from m)::int as cadres
    from top join cadres c on c.id = top.cadre_id
    order by 3 desc, c.id`.execute(db);
  const out: Warning[] = rows.map((r) => ({
    level: Number(r.n) >= 3 ? 'red' as const : 'amber' as const,
    subject: r.name,
    message: `履职要求未达标${r.n}项`,
    link: `/cadres/${r.id}`,
  }));
  const total = Number(rows[0]?.cadres ?? 0);
  if (total > rows.length) {
    const q = new URLSearchParams({ status: 'missed' });
    if (f.campaignId !== null) q.set('campaign', String(f.campaignId));
    out.push({ level: 'amber', subject: '其他干部', message: `另有${total - rows.length}名干部有未达标的履职要求`, link: `/compliance?${q.toString()}` });
  }
  return out;
}

async function integrityWarnings(db: Executor, f: FigureFilter): Promise<Warning[]> {
  const { rows } = await sql<{ kind: keyof typeof checkKindLabels; n: number }>`
    select fl.check_kind as kind, count(*)::int as n
    from integrity_flags fl join activities a on a.id = fl.activity_id
    where fl.cleared_at is null and ${activityWhere(f)}
    group by fl.check_kind
    order by 2 desc, 1`.execute(db);
  return rows.map((r) => ({
    level: Number(r.n) >= 10 ? 'red' as const : 'amber' as const,
    subject: `防形式主义核查：${checkKindLabels[r.kind]?.zh ?? r.kind}`,
    message: `未核销的疑点${r.n}条`,
    link: `/integrity?check=${r.kind}`,
  }));
}

const dashboardLink = (f: FigureFilter, code: string) => {
  const q = new URLSearchParams();
  if (f.campaignId !== null) q.set('campaign', String(f.campaignId));
  q.set('region', code);
  q.set('from', f.from);
  q.set('to', f.to);
  return `/dashboard?${q.toString()}`;
};

/** The dashboard for a scope and period, as far as the actor sees. */
export async function dashboard(db: Executor, actor: Actor, query: StatisticsScope, now = new Date()): Promise<DashboardResult> {
  const { filter, scope } = await resolveStatisticsScope(db, actor, query);
  // Bring the rollups up to the records once; the figure calls below then find nothing queued.
  const refreshed = await refreshRollups(db);
  const { segments } = refreshed;
  const keys = [...headlineKeys];
  const base = await baseRegion(db, filter);
  const trendShape = trendPeriods(filter.from, filter.to);

  // The rankings and warnings do not depend on the figures. Started first, the longest first (the
  // cadre ranking, then the missed duties and the unit ranking at the province tier), they run
  // beside the figures on the pool instead of queueing behind them.
  const ranked = await rankedUnits(db, actor, filter);
  const cadreRanked = cadreRanking(db, filter, segments, ranked);
  const missedWarnings = complianceWarnings(db, filter, segments);
  const side = Promise.all([
    unitRanking(db, filter, segments, ranked),
    cadreRanked,
    ticketWarnings(db, filter, now),
    missedWarnings,
    integrityWarnings(db, filter),
  ]);
  // Settled now so that a failure of the figures below does not leave it rejected unobserved.
  side.catch(() => undefined);
  const childFilter: FigureFilter = base ? { ...filter, regionPath: base.path } : filter;
  // The scope is the children's parent (a region was asked): headline and children in one pass.
  const together = base !== null && base.path === filter.regionPath;
  const [headline, byChild, byPeriod, childRegions] = await Promise.all([
    together ? Promise.resolve([] as FigureGroupRow[]) : computeFigures(db, filter, keys, 'none', { refreshed }),
    base ? computeFigures(db, childFilter, keys, 'childRegion', { refreshed, total: together }) : Promise.resolve([] as FigureGroupRow[]),
    computeFigures(db, filter, keys, trendShape.granularity, { refreshed }),
    base
      ? db.selectFrom('regions').select(['code', 'name', 'level']).where('parent_code', '=', base.code)
        .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', filter.from)])).orderBy('code').execute()
      : Promise.resolve([]),
  ]);

  const overall = together ? byChild.filter((g) => g.group === TOTAL_GROUP).map((g) => ({ ...g, group: '' })) : headline;
  const childFigures = new Map(byChild.map((g) => [g.group, g.figures]));
  const children = childRegions.map((r) => {
    const figures = complete(keys, childFigures.get(r.code));
    const { rag, reasons } = judge(figures);
    return { code: r.code, name: r.name, level: r.level, figures, rag, ragReasons: reasons };
  });

  const periodFigures = new Map(byPeriod.map((g) => [g.group, g.figures]));
  const trend = {
    granularity: trendShape.granularity,
    points: trendShape.periods.map((p) => ({ period: p, figures: complete(keys, periodFigures.get(p)) })),
  };

  const regionScored = children
    .map((c) => ({ code: c.code, name: c.name, value: c.figures.find((x) => x.key === 'complianceRate')?.value ?? null }))
    .filter((c): c is { code: string; name: string; value: number } => c.value !== null)
    .map((c) => ({ code: c.code, name: c.name, score: Math.round(c.value * 1000) / 10 }))
    .sort((a, b) => b.score - a.score || a.code.localeCompare(b.code));

  const [unitsRanked, { cadres, cadresRanked }, tickets, missed, flags] = await side;

  const regionWarnings: Warning[] = children
    .filter((c) => c.rag !== 'green')
    .map((c) => ({ level: c.rag, subject: c.name, message: c.ragReasons.join('；'), link: dashboardLink(filter, c.code) }));
  const warnings = [...regionWarnings, ...tickets, ...missed, ...flags].sort((a, b) => rank[b.level] - rank[a.level]);

  return {
    scope,
    figures: complete(keys, overall.find((g) => g.group === '')?.figures ?? overall[0]?.figures),
    children,
    trend,
    rankings: { regions: rankBy(regionScored), units: unitsRanked, cadres, cadresRanked },
    warnings,
    computedAt: now.toISOString(),
  };
}
