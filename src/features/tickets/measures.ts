import { sql, type RawBuilder } from 'kysely';
import type { z } from 'zod';
import type { ticketMeasuresQuery, TicketMeasuresResult, TicketMeasuresRow } from '../../../contracts/ticket-api.ts';
import type { Executor } from '../../db/database.ts';
import { AppError, notFound } from '../../errors.ts';
import type { Actor } from '../auth/actor.ts';
import { topRegion } from '../open311/deployment.ts';
import { pathUnder, regionScope } from '../regions/regions.ts';
import { unitScope } from '../units/units.ts';
import { ticketScope } from './tickets.ts';
import { chinaDayStart } from '../../lib/workdays.ts';

// The ticket loop's measures (考核指标) per unit, region and period, from columns the state machine
// keeps on each ticket (signed_at / sign_due_at, resolved_on_time, handling_working_days, rating,
// repeat_of_id, due_at), so each call is one aggregate query over the tickets in scope: the
// overall row and the grouped rows together (grouping sets).

/** What each figure counts; shown beside the table, in both languages. */
export const measureDefinitions: TicketMeasuresResult['definitions'] = [
  {
    key: 'total',
    zh: '受理量：统计期内登记的工单数（按登记时间的北京时间日期，含起止日）；已合并到其他工单的重复件不计。以下各项均只统计这些工单。',
    en: 'Registered: tickets registered in the period (China date of registration, both ends included); duplicates merged into another ticket are left out. Every figure below counts only these tickets.',
  },
  {
    key: 'signRate',
    zh: '及时签收率 = 及时签收数 ÷ 交办数。交办数：曾交办给承办单位的工单（即知即改、尚未交办的不计）；及时签收数：当前承办单位在签收期限内签收的工单。交办数为0时不计算。',
    en: 'Signed on time = signed by the sign deadline ÷ dispatched. Dispatched: tickets ever dispatched to a handling unit (not those fixed on the spot or still waiting for dispatch); signed on time: the current handling unit signed by the sign deadline. None when nothing was dispatched.',
  },
  {
    key: 'resolveRate',
    zh: '办结率 = 办结数 ÷ 受理量。办结数：已办结（含办结后评价或关闭）的工单；因不满意重办、尚未再次办结的不计。受理量为0时不计算。',
    en: 'Resolution rate = resolved ÷ registered. Resolved: tickets resolved (including those rated or closed after resolution); a ticket reopened after an unsatisfied rating counts again only once it is resolved again. None when nothing was registered.',
  },
  {
    key: 'onTimeRate',
    zh: '按期办结率 = 按期办结数 ÷ 办结数。按期办结：在办理期限（含批准的延期）内办结，即知即改视为按期；逾期办结数为其余办结的工单。办结数为0时不计算。',
    en: 'On-time rate = resolved by the deadline (extensions included; fixed on the spot counts as on time) ÷ resolved. Resolved late: the other resolved tickets. None when nothing was resolved.',
  },
  {
    key: 'satisfactionRate',
    zh: '满意率 =（满意数 + 基本满意数）÷ 已评价数。以诉求人最近一次评价为准；不满意重办的工单在再次评价前按不满意计。已评价数为0时不计算。',
    en: 'Satisfaction = (satisfied + basically satisfied) ÷ rated, by the requester’s latest rating; a ticket reopened after an unsatisfied rating counts as unsatisfied until it is rated again. None when nothing was rated.',
  },
  {
    key: 'meanHandlingDays',
    zh: '平均办理时长：已办结且曾交办的工单，从首次交办到办结的工作日数（按国家法定节假日和调休计，当日办结为0）的平均值，保留两位小数。',
    en: 'Mean handling time: over resolved tickets that were dispatched, the working days (Chinese public holidays and make-up days applied; resolved the same day = 0) from the first dispatch to resolution, averaged, two decimals.',
  },
  {
    key: 'overdueOpen',
    zh: '超期未办结数：统计时仍在承办中（已交办、已签收、办理中、已重办）且已超过办理期限的工单。',
    en: 'Overdue open: tickets still being handled (dispatched, signed, in progress, reopened) whose deadline has passed at the time of the query.',
  },
  {
    key: 'repeatRequests',
    zh: '重复诉求数：登记时，同一诉求人在此前30天内已就同一分类提出过诉求的工单。',
    en: 'Repeat requests: tickets registered while the same requester had raised the same category in the 30 days before.',
  },
];

/** The parsed query; groupBy defaults to none. */
export type MeasuresQuery = Partial<z.output<typeof ticketMeasuresQuery>>;

const invalid = (field: string, message: string) => new AppError('VALIDATION_FAILED', message, { field, fields: [{ field, message }] });

const nextDay = (date: string) => new Date(chinaDayStart(date).getTime() + 86_400_000);

// Counted with filters so the whole table is one pass over the rows.
const measureColumns = (now: Date) => {
  const n = <A extends string>(cond: RawBuilder<unknown> | null, as: A) =>
    (cond === null ? sql<number>`count(*)::int` : sql<number>`(count(*) filter (where ${cond}))::int`).as(as);
  const resolved = sql`t.resolved_at is not null`;
  return [
    n(null, 'total'),
    n(sql`t.first_dispatched_at is not null`, 'dispatched'),
    // signed_at >= dispatched_at: a signature before a transfer or a return is the previous round's.
    n(sql`t.first_dispatched_at is not null and t.signed_at is not null and t.sign_due_at is not null and t.signed_at >= t.dispatched_at and t.signed_at <= t.sign_due_at`, 'signed_on_time'),
    n(resolved, 'resolved'),
    n(sql`${resolved} and t.resolved_on_time is true`, 'resolved_on_time'),
    n(sql`${resolved} and t.resolved_on_time is false`, 'resolved_late'),
    n(sql`t.rating is not null`, 'rated'),
    n(sql`t.rating = 'satisfied'`, 'satisfied'),
    n(sql`t.rating = 'basically_satisfied'`, 'basically_satisfied'),
    n(sql`t.rating = 'unsatisfied'`, 'unsatisfied'),
    n(sql`t.state in ('dispatched', 'signed', 'in_progress', 'reopened') and t.due_at < ${now}`, 'overdue_open'),
    n(sql`t.repeat_of_id is not null`, 'repeat_requests'),
    sql<number | null>`(avg(t.handling_working_days) filter (where ${resolved} and t.first_dispatched_at is not null and t.handling_working_days is not null))::float8`.as('mean_days'),
  ];
};

type Counts = {
  total: number; dispatched: number; signed_on_time: number; resolved: number; resolved_on_time: number; resolved_late: number;
  rated: number; satisfied: number; basically_satisfied: number; unsatisfied: number; overdue_open: number; repeat_requests: number;
  mean_days: number | null;
};

const rate = (num: number, den: number) => (den === 0 ? null : Math.round((num / den) * 10_000) / 10_000);

function toRow(key: string | null, name: string, c: Counts | undefined): TicketMeasuresRow {
  const v = (k: keyof Omit<Counts, 'mean_days'>) => Number(c?.[k] ?? 0);
  const mean = c?.mean_days;
  return {
    key,
    name,
    total: v('total'),
    dispatched: v('dispatched'),
    signedOnTime: v('signed_on_time'),
    signRate: rate(v('signed_on_time'), v('dispatched')),
    resolved: v('resolved'),
    resolveRate: rate(v('resolved'), v('total')),
    resolvedOnTime: v('resolved_on_time'),
    onTimeRate: rate(v('resolved_on_time'), v('resolved')),
    rated: v('rated'),
    satisfied: v('satisfied'),
    basicallySatisfied: v('basically_satisfied'),
    unsatisfied: v('unsatisfied'),
    satisfactionRate: rate(v('satisfied') + v('basically_satisfied'), v('rated')),
    meanHandlingDays: mean === null || mean === undefined ? null : Math.round(Number(mean) * 100) / 100,
    overdueOpen: v('overdue_open'),
    resolvedLate: v('resolved_late'),
    repeatRequests: v('repeat_requests'),
  };
}

/** A region the actor may see, by code, or NOT_FOUND. */
async function scopedRegion(db: Executor, actor: Actor, code: string) {
  const region = await db.selectFrom('regions').select(['code', 'name', 'path']).where('code', '=', code).where(regionScope(actor, 'regions.path')).executeTakeFirst();
  if (!region) throw notFound('区划', code);
  return region;
}

/** Months YYYY-MM from `from` to `to`, both included (at most 240, else none). */
function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.slice(0, 7).split('-').map(Number) as [number, number];
  const last = to.slice(0, 7);
  for (let i = 0; i < 240; i++) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    out.push(key);
    if (key >= last) return out;
    m += 1;
    if (m > 12) { m = 1; y += 1; }
  }
  return [];
}

/**
 * The measures over the tickets the actor may see, registered in [from, to] (China dates), in a
 * region subtree and/or of a handling unit's subtree, overall and grouped by handling unit, by
 * child region of `region` (drill-down, with a 本级 row for tickets at the region itself), or by
 * month of registration.
 */
export async function ticketMeasures(db: Executor, actor: Actor, q: MeasuresQuery, now = new Date()): Promise<TicketMeasuresResult> {
  const groupBy = q.groupBy ?? 'none';
  if (q.from && q.to && q.from > q.to) throw invalid('to', `结束日期（${q.to}）不能早于开始日期（${q.from}）`);

  let region: { code: string; name: string; path: string } | null = null;
  if (q.region) region = await scopedRegion(db, actor, q.region);
  else if (groupBy === 'region') {
    // Drill down from the actor's own region, else from the deployment's top region (the county
    // of a county deployment, not the province above it that the region table also holds).
    const own = actor.scope.regionPath?.split('/').pop();
    region = own ? await scopedRegion(db, actor, own) : await topRegion(db);
  }
  if (q.unitId !== undefined) {
    // A unit in the actor's scope, or one handling a ticket the actor may see (a county department
    // handles tickets in a township); any other answers like a missing one. The tickets counted
    // are still only those the actor may see.
    const unit = await db.selectFrom('units').select('units.id').where('units.id', '=', q.unitId)
      .where((eb) => eb.or([
        unitScope(actor),
        eb.exists(eb.selectFrom('tickets as t').select('t.id').whereRef('t.handling_unit_id', '=', 'units.id').where(ticketScope(actor, 't'))),
      ]))
      .executeTakeFirst();
    if (!unit) throw notFound('单位', q.unitId);
  }

  let base = db.selectFrom('tickets as t').where(ticketScope(actor, 't')).where('t.merged_into_id', 'is', null);
  if (q.from) base = base.where('t.created_at', '>=', chinaDayStart(q.from));
  if (q.to) base = base.where('t.created_at', '<', nextDay(q.to));
  if (region) base = base.where(pathUnder('t.region_path', region.path));
  // The handling unit itself, as the ledger's unitId filter and the by-unit rows count it.
  if (q.unitId !== undefined) base = base.where('t.handling_unit_id', '=', q.unitId);
  const cols = measureColumns(now);
  const definitions = measureDefinitions;

  if (groupBy === 'none') {
    const c = await base.select(cols).executeTakeFirstOrThrow();
    return { overall: toRow(null, '合计', c), rows: [], definitions };
  }

  // One query: `grouping sets ((key), ())` gives the grouped rows and the overall row together;
  // grouping(key) = 1 marks the overall one. Keys are literal SQL, the same in select and group by.
  const depth = region === null ? 1 : region.path.split('/').length + 1;
  const keyExpr: RawBuilder<string | null> = {
    unit: sql<string | null>`t.handling_unit_id::text`,
    region: sql<string | null>`split_part(t.region_path, '/', ${sql.lit(depth)})`,
    month: sql<string | null>`to_char(t.created_at at time zone 'Asia/Shanghai', 'YYYY-MM')`,
  }[groupBy];
  const got: (Counts & { k: string | null; overall: number })[] = await base
    .select(keyExpr.as('k'))
    .select(sql<number>`grouping(${keyExpr})`.as('overall'))
    .select(cols)
    .groupBy(sql`grouping sets ((${keyExpr}), ())`)
    .execute();
  const overallCounts = got.find((g) => Number(g.overall) === 1);
  const groups = got.filter((g) => Number(g.overall) === 0);
  const overall = toRow(null, '合计', overallCounts);
  let rows: TicketMeasuresRow[];

  if (groupBy === 'unit') {
    const ids = groups.flatMap((g) => (g.k ? [Number(g.k)] : []));
    const names = new Map(
      (ids.length ? await db.selectFrom('units').select(['id', 'name']).where('id', '=', sql<number>`any(${ids}::int[])`).execute() : []).map((u) => [String(u.id), u.name]),
    );
    rows = groups.map((g) => (g.k ? toRow(g.k, names.get(g.k) ?? g.k, g) : toRow(null, '未交办', g)));
    rows.sort((a, b) => b.total - a.total || (a.key === null ? 1 : b.key === null ? -1 : Number(a.key) - Number(b.key)));
  } else if (groupBy === 'region') {
    const byChild = new Map(groups.map((g) => [g.k ?? '', g]));
    const children = await (region === null
      ? db.selectFrom('regions').select(['code', 'name']).where('parent_code', 'is', null)
      : db.selectFrom('regions').select(['code', 'name']).where('parent_code', '=', region.code)
    ).orderBy('code').execute();
    rows = children.map((c) => toRow(c.code, c.name, byChild.get(c.code)));
    // Tickets under a child the tree no longer lists (a region retired since) still count.
    const listed = new Set(children.map((c) => c.code));
    for (const g of groups) if (g.k && !listed.has(g.k)) rows.push(toRow(g.k, g.k, g));
    if (region && byChild.has('')) rows.push(toRow(region.code, `${region.name}（本级）`, byChild.get('')));
  } else {
    const byMonth = new Map(groups.map((g) => [g.k ?? '', g]));
    const found = [...byMonth.keys()].sort();
    const months = q.from && q.to ? monthsBetween(q.from, q.to) : [];
    const keys = months.length ? [...new Set([...months, ...found])].sort() : found;
    rows = keys.map((k) => toRow(k, k, byMonth.get(k)));
  }
  return { overall, rows, definitions };
}
