import { sql, type RawBuilder } from 'kysely';
import type { z } from 'zod';
import { activityKindLabels } from '../../../contracts/activities.ts';
import type { FigureKey, FigureRecord, FigureRecordsResult, figureRecordsQuery } from '../../../contracts/statistics.ts';
import type { Executor } from '../../db/database.ts';
import type { ActivityKind } from '../../db/schema.ts';
import type { Actor } from '../auth/actor.ts';
import {
  activityFigures, activityWhere, complianceWhere, computeFigures, isActivityFigure, kindIn, matterDoneIn, matterPromisedIn, matterWhere, openWithin,
  pairingCadres, recordKindOf, resolveStatisticsScope, targetMatches, teamPlaces, ticketRegisteredIn, ticketResolvedIn, ticketWhere, villageOf, villageSegments,
  writingFigures, writingWhere, type FigureFilter, type WritingFigureKey,
} from './figures.ts';

// The drill-down: the records behind one figure, a page at a time, each with what it adds to
// the figure. The WHERE fragments are figures.ts's own, so the listed records are exactly those
// counted: the sum of `contributes` over all pages is the figure (for a rate: its numerator,
// and the total its denominator); for a distinct count the counted things over all pages are
// the figure's distinct set.

export type FigureRecordsQuery = z.output<typeof figureRecordsQuery>;

type Row = {
  id: number; date: string | null; title: string | null; region_name: string | null; people: string | null;
  contributes: number | string | null; counted: { id: number; name: string }[] | null; link: string | null; kind_label?: string | null;
};

const chinaDate = (col: string) => sql<string>`to_char(${sql.ref(col)} at time zone 'Asia/Shanghai', 'YYYY-MM-DD')`;
const regionName = (codeCol: string) => sql<string | null>`(select rn.name from regions rn where rn.code = ${sql.ref(codeCol)})`;
const lastCode = (pathCol: string) => sql`split_part(${sql.ref(pathCol)}, '/', array_length(string_to_array(${sql.ref(pathCol)}, '/'), 1))`;

/** One listing per figure: the select (columns as Row), the from + where, and the order. */
async function listing(db: Executor, f: FigureFilter, key: FigureKey): Promise<{ select: RawBuilder<unknown>; from: RawBuilder<unknown>; order: RawBuilder<unknown> }> {
  if (isActivityFigure(key)) {
    const def = activityFigures[key] as (typeof activityFigures)[keyof typeof activityFigures];
    let extra = sql<boolean>`true`;
    let contributes: RawBuilder<unknown> = sql`null::bigint`;
    let counted: RawBuilder<unknown> = sql`null::json`;
    if ('sum' in def) {
      contributes = def.sum === 'count' ? sql`1` : sql`coalesce(${sql.ref(`a.${def.sum}`)}, 0)`;
      if (def.sum !== 'count') extra = sql<boolean>`coalesce(${sql.ref(`a.${def.sum}`)}, 0) <> 0`;
    } else if (def.distinct === 'village') {
      const segs = await villageSegments(db);
      extra = sql<boolean>`exists (select 1 from regions v where ${villageOf(segs, 'a.region_path')})`;
      counted = sql`(select json_agg(json_build_object('id', v.code::bigint, 'name', v.name)) from regions v where ${villageOf(segs, 'a.region_path')})`;
    } else {
      const match = targetMatches(def.distinct);
      extra = sql<boolean>`exists (select 1 from activity_targets fat join contact_targets ct on ct.id = fat.target_id where fat.activity_id = a.id and ${match})`;
      counted = sql`(select json_agg(json_build_object('id', ct.id, 'name', ct.name) order by ct.id) from activity_targets fat join contact_targets ct on ct.id = fat.target_id where fat.activity_id = a.id and ${match})`;
    }
    return {
      select: sql`a.id, ${chinaDate('a.starts_at')} as date, a.title, a.kind as kind_label, ${regionName('a.region_code')} as region_name,
        (select string_agg(c.name, '、' order by c.name) from activity_participants ap join cadres c on c.id = ap.cadre_id where ap.activity_id = a.id) as people,
        ${contributes} as contributes, ${counted} as counted, '/activities/' || a.id as link`,
      from: sql`activities a where ${activityWhere(f)} and ${kindIn(def.kinds, 'a.kind')} and ${extra}`,
      order: sql`a.starts_at, a.id`,
    };
  }
  if (key in writingFigures) {
    return {
      select: sql`w.id, w.written_on::text as date, w.title, ${regionName('w.region_code')} as region_name,
        coalesce((select c.name from cadres c where c.id = w.author_cadre_id), (select tt.name from teams tt where tt.id = w.team_id)) as people,
        1 as contributes, null::json as counted, '/writings/' || w.id as link`,
      from: sql`writings w where ${writingWhere(f)} and w.kind = ${writingFigures[key as WritingFigureKey]}`,
      order: sql`w.written_on, w.id`,
    };
  }
  if (key === 'mattersPromised' || key === 'mattersDone' || key === 'matterFundsFen') {
    const promised = key === 'mattersPromised';
    return {
      select: sql`m.id, ${promised ? sql`m.promised_on` : sql`m.done_on`}::text as date, m.title, ${regionName('m.region_code')} as region_name,
        (select c.name from cadres c where c.id = m.cadre_id) as people,
        ${key === 'matterFundsFen' ? sql`m.amount_fen` : sql`1`} as contributes, null::json as counted, '/matters?id=' || m.id as link`,
      from: sql`practical_matters m where ${matterWhere(f)} and ${promised ? matterPromisedIn(f) : matterDoneIn(f)}`,
      order: promised ? sql`m.promised_on, m.id` : sql`m.done_on, m.id`,
    };
  }
  if (key === 'ticketsRegistered' || key === 'problemsSolved' || key === 'resolveRate' || key === 'onTimeRate' || key === 'satisfactionRate') {
    const solved = key === 'problemsSolved';
    const contributes = {
      ticketsRegistered: sql`1`,
      problemsSolved: sql`1`,
      resolveRate: sql`case when t.resolved_at is not null then 1 else 0 end`,
      onTimeRate: sql`case when t.resolved_on_time is true then 1 else 0 end`,
      satisfactionRate: sql`case when t.rating in ('satisfied', 'basically_satisfied') then 1 else 0 end`,
    }[key];
    const extra = key === 'onTimeRate' ? sql`and t.resolved_at is not null` : key === 'satisfactionRate' ? sql`and t.rating is not null` : sql``;
    return {
      select: sql`t.id, ${chinaDate(solved ? 't.resolved_at' : 't.created_at')} as date, t.title, ${regionName('t.region_code')} as region_name,
        concat_ws(' · ', (select c.name from cadres c where c.id = t.found_by_cadre_id), (select u.name from units u where u.id = t.handling_unit_id)) as people,
        ${contributes} as contributes, null::json as counted, '/tickets/' || t.id as link`,
      from: sql`tickets t where ${ticketWhere(f)} and ${solved ? ticketResolvedIn(f) : ticketRegisteredIn(f)} ${extra}`,
      order: solved ? sql`t.resolved_at, t.id` : sql`t.created_at, t.id`,
    };
  }
  if (key === 'cadresDispatched') {
    // One row per pairing, counting the cadres it dispatched within the period.
    return {
      select: sql`x.pairing_id as id, p.starts_on::text as date, ct.name || '（结对）' as title, ${regionName('ct.region_code')} as region_name,
        x.people, null::bigint as contributes, x.counted, '/targets/' || p.target_id as link`,
      from: sql`(
          select pc.pairing_id, string_agg(distinct c.name, '、') as people,
            json_agg(json_build_object('id', c.id, 'name', c.name) order by c.id) as counted
          from ${pairingCadres(f)} pc join cadres c on c.id = pc.cadre_id where ${openWithin(f.from, f.to)} group by pc.pairing_id
        ) x join pairings p on p.id = x.pairing_id join contact_targets ct on ct.id = p.target_id where true`,
      order: sql`p.starts_on, x.pairing_id`,
    };
  }
  if (key === 'teamsFormed') {
    return {
      select: sql`tt.id, (tt.created_at at time zone 'Asia/Shanghai')::date::text as date, tt.name as title,
        (select rn.name from cadres lc join units lu on lu.id = lc.unit_id join regions rn on rn.code = lu.region_code where lc.id = tt.leader_cadre_id) as region_name,
        (select string_agg(c.name, '、' order by c.name) from team_members tm join cadres c on c.id = tm.cadre_id
          where tm.team_id = tt.id and tm.joined_on <= ${f.to}::date and (tm.left_on is null or tm.left_on > ${f.to}::date)) as people,
        1 as contributes, null::json as counted, '/campaigns/' || tt.campaign_id as link`,
      from: sql`teams tt where tt.id in (select tp.team_id from ${teamPlaces(f)} tp where tp.formed_on <= ${f.to}::date)`,
      order: sql`tt.created_at, tt.id`,
    };
  }
  // complianceRate: one row per decided result; the id is the cadre (the subject).
  return {
    select: sql`r.subject_id as id, r.window_end::text as date, rr.name || ' · ' || r.window_key as title,
      (select rn.name from regions rn where rn.code = ${lastCode('r.region_path')}) as region_name,
      r.subject_name as people, case when r.status = 'met' then 1 else 0 end as contributes, null::json as counted, '/cadres/' || r.subject_id as link`,
    from: sql`compliance_results r join requirement_rules rr on rr.id = r.rule_id where ${complianceWhere(f)}`,
    order: sql`r.window_end, r.rule_id, r.window_key, r.subject_id`,
  };
}

/** The records behind one figure for the caller's scope, paged (the figure and, for distinct counts, its distinct total beside them). */
export async function listFigureRecords(db: Executor, actor: Actor, q: FigureRecordsQuery): Promise<FigureRecordsResult> {
  const { filter } = await resolveStatisticsScope(db, actor, q);
  return figureRecordsFor(db, filter, q.figure, q.page, q.pageSize);
}

export async function figureRecordsFor(db: Executor, filter: FigureFilter, key: FigureKey, page: number, pageSize: number): Promise<FigureRecordsResult> {
  const l = await listing(db, filter, key);
  const [figures] = await computeFigures(db, filter, [key]);
  const figure = figures!.figures[0]!;
  const total = Number((await sql<{ n: number }>`select count(*)::bigint as n from ${l.from}`.execute(db)).rows[0]?.n ?? 0);
  const { rows } = await sql<Row>`select ${l.select} from ${l.from} order by ${l.order} limit ${pageSize} offset ${(page - 1) * pageSize}`.execute(db);
  const def = activityFigures[key as keyof typeof activityFigures] as { distinct?: unknown } | undefined;
  const items = rows.map((r): FigureRecord => ({
    kind: recordKindOf(key),
    id: Number(r.id),
    date: r.date,
    title: r.title || (r.kind_label ? activityKindLabels[r.kind_label as ActivityKind]?.zh ?? '' : ''),
    regionName: r.region_name,
    people: r.people ?? '',
    contributes: r.contributes === null ? null : Number(r.contributes),
    ...(r.counted ? { counted: r.counted.map((c) => ({ id: Number(c.id), name: c.name })) } : {}),
    link: r.link,
  }));
  const distinct = (def?.distinct !== undefined || key === 'cadresDispatched') ? Number(figure.value ?? 0) : undefined;
  return { items, total, page, pageSize, figure, recordKind: recordKindOf(key), ...(distinct !== undefined ? { distinct } : {}) };
}
