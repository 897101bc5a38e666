import { sql, type RawBuilder } from 'kysely';
import type { IntegrityThresholds } from '../../config.ts';

// The seven checks, each a plain function returning one SELECT of the flags that hold now:
//   (activity_id int, check_kind text, cadre_id int, dedupe_key text, evidence jsonb, region_path text)
// With `focus` set, a check returns only the flags those records can raise or change (their own
// and, for pair checks, their partners' flags pointing at them), reading only indexed neighbours:
// the incremental check of new and changed records. Without it, the whole table in set-based SQL: the full scan.
// Both paths run the same SQL, so incremental and full results are the same by construction.
//
// Evidence times are ISO-8601 UTC and distances whole metres, so the same facts always give the
// same jsonb and a re-scan changes nothing.

export type Focus = { activityIds: number[] } | null;
export type Check = (t: IntegrityThresholds, focus: Focus, ctx: ScanContext) => RawBuilder<unknown>;
/** Figures the full scan computes once: the travel horizon bounds the pairs impossible travel compares. */
export type ScanContext = { travelHorizonSeconds: number | null };

const EARTH_RADIUS_M = 6371008.8;
/** An upper bound on the metres per degree along a meridian or a parallel (see travelHorizon). */
export const METRES_PER_DEGREE = 111_200;

/** Great-circle distance in metres between two points given in degrees (SQL expressions). */
export const haversine = (lat1: RawBuilder<unknown>, lon1: RawBuilder<unknown>, lat2: RawBuilder<unknown>, lon2: RawBuilder<unknown>) =>
  sql<number>`(2 * ${sql.lit(EARTH_RADIUS_M)} * asin(least(1, sqrt(
    power(sin(radians(${lat2} - ${lat1}) / 2), 2) + cos(radians(${lat1})) * cos(radians(${lat2})) * power(sin(radians(${lon2} - ${lon1}) / 2), 2)))))`;

const ref = (r: string) => sql.ref(r);
/** `= id` for one record (the planner sees the value), `= any(ids)` for a batch. */
const eq = (focus: NonNullable<Focus>) => (focus.activityIds.length === 1 ? sql`= ${focus.activityIds[0]!}` : sql`= any(${focus.activityIds}::int[])`);
/** ISO-8601 in UTC, the shape JavaScript's toISOString gives. */
const iso = (col: string) => sql`to_char(${ref(col)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
/** The China calendar day (UTC+8, no daylight saving since 1991) of a timestamptz. */
const chinaDay = (col: string) => sql`((${ref(col)} at time zone 'UTC') + interval '8 hours')::date`;
const minutes = (n: number) => sql.raw(`interval '${Math.trunc(n)} minutes'`);
/** Back-dated, for the burst check: entered more than a day after the activity ended. */
export const BACKDATED_AFTER = sql.raw(`interval '1 day'`);

/** The same picture (one photos row: photos are stored once per sha256) on two records. */
export const duplicatePhoto: Check = (_t, focus) => sql`
  select x.activity_id, 'duplicate_photo'::text as check_kind, null::int as cadre_id, y.activity_id::text as dedupe_key,
    jsonb_build_object('otherActivityId', y.activity_id,
      'photos', jsonb_agg(jsonb_build_object('photoId', p.id, 'sha256', p.sha256) order by p.id)) as evidence,
    a.region_path
  from activity_photos x
  join activity_photos y on y.photo_id = x.photo_id and y.activity_id <> x.activity_id
  join photos p on p.id = x.photo_id
  join activities a on a.id = x.activity_id
  ${focus ? sql`where x.photo_id in (select photo_id from activity_photos where activity_id ${eq(focus)})
    and (x.activity_id ${eq(focus)} or y.activity_id ${eq(focus)})` : sql``}
  group by x.activity_id, y.activity_id, a.region_path`;

/** The GPS fix, less its reported accuracy, is farther than maxDistanceMeters from a target with a position. */
export const farFromTarget: Check = (t, focus) => sql`
  select a.id as activity_id, 'far_from_target'::text as check_kind, null::int as cadre_id, tg.id::text as dedupe_key,
    jsonb_build_object('targetId', tg.id, 'targetName', tg.name, 'distanceM', round(g.d)::int,
      'beyondAccuracyM', round(g.d - coalesce(a.accuracy_m, 0))::int, 'maxDistanceM', ${sql.lit(t.maxDistanceMeters)}::int,
      'activity', jsonb_build_object('latitude', a.latitude, 'longitude', a.longitude, 'accuracyM', a.accuracy_m),
      'target', jsonb_build_object('latitude', tg.latitude, 'longitude', tg.longitude)) as evidence,
    a.region_path
  from activities a
  join activity_targets at on at.activity_id = a.id
  join contact_targets tg on tg.id = at.target_id
  cross join lateral (select ${haversine(ref('a.latitude'), ref('a.longitude'), ref('tg.latitude'), ref('tg.longitude'))} as d) g
  where a.latitude is not null and tg.latitude is not null
    and g.d - coalesce(a.accuracy_m, 0) > ${sql.lit(t.maxDistanceMeters)}
    ${focus ? sql`and a.id ${eq(focus)}` : sql``}`;

/**
 * One cadre in two places no one could travel between in the time: the distance between the two
 * places (less both fixes' accuracy) exceeds maxDistanceMeters and cannot be covered at
 * maxSpeedKmh between the end of the earlier record and the start of the later (overlapping
 * records have no time at all). A place is the record's GPS fix, else the mean position of its
 * targets; records with neither are not compared. Every pair of a cadre's records is compared; the
 * full scan skips pairs further apart in time than the horizon, which no distance in the data
 * could make impossible, so the skip changes no result.
 */
export const impossibleTravel: Check = (t, focus, ctx) => {
  if (!focus && ctx.travelHorizonSeconds === null) return sql`select null::int as activity_id, null::text as check_kind, null::int as cadre_id, null::text as dedupe_key, null::jsonb as evidence, null::text as region_path where false`;
  // A record without a fix is placed at the mean of its targets' positions, rounded to 1 cm so
  // the order the database sums them in cannot change the result.
  const targetPlaces = (only: RawBuilder<unknown>) => sql`
    select at.activity_id,
      case when count(*) = 1 then min(tg.latitude) else round(avg(tg.latitude)::numeric, 7)::float8 end as lat,
      case when count(*) = 1 then min(tg.longitude) else round(avg(tg.longitude)::numeric, 7)::float8 end as lon
    from activity_targets at join contact_targets tg on tg.id = at.target_id
    where tg.latitude is not null ${only}
    group by at.activity_id`;
  const focusCadres = focus ? sql`(select cadre_id from activity_participants where activity_id ${eq(focus)})` : null;
  // Buckets of at least a day (and four horizons): a record's span plus the horizon mostly falls in
  // one bucket, and a cadre has few records a day.
  const h = ctx.travelHorizonSeconds ?? 0;
  const b = Math.max(4 * h, 86_400);
  const bucket = (col: string) => sql`floor(extract(epoch from ${ref(col)}) / ${sql.lit(b)})::bigint`;
  const buckets = focus ? sql`` : sql`,
      ${bucket('a.starts_at')} as k0, floor((extract(epoch from a.ends_at) + ${sql.lit(h)}) / ${sql.lit(b)})::bigint as k1`;
  const located = sql`
    select p.cadre_id, a.id, a.starts_at, a.ends_at, a.region_path,
      coalesce(a.latitude, tp.lat) as lat, coalesce(a.longitude, tp.lon) as lon,
      case when a.latitude is not null then coalesce(a.accuracy_m, 0) end as acc,
      case when a.latitude is not null then 'gps' else 'targets' end as src${buckets}
    from activity_participants p
    join activities a on a.id = p.activity_id
    left join (${targetPlaces(focusCadres ? sql`and at.activity_id in (select activity_id from activity_participants where cadre_id in ${focusCadres})` : sql``)}) tp
      on tp.activity_id = a.id and a.latitude is null
    where (a.latitude is not null or tp.lat is not null)
      ${focusCadres ? sql`and p.cadre_id in ${focusCadres}` : sql``}`;
  // The full scan pairs records through time buckets: the later record's start bucket must be one
  // of those the earlier record's span plus the horizon touches, so the join is an equality
  // (cadre, bucket) instead of every pair of a cadre's records.
  const pairs = focus
    ? sql`
      from located x
      join located y on y.cadre_id = x.cadre_id and (y.starts_at > x.starts_at or (y.starts_at = x.starts_at and y.id > x.id))
      where x.id ${eq(focus)} or y.id ${eq(focus)}`
    : sql`
      from spans x
      join located y on y.cadre_id = x.cadre_id and y.k0 = x.k
      where (y.starts_at > x.starts_at or (y.starts_at = x.starts_at and y.id > x.id))
        and y.starts_at <= x.ends_at + make_interval(secs => ${sql.lit(h)})`;
  return sql`
  with located as materialized (${located})${focus ? sql`` : sql`,
  spans as materialized (select located.*, xb.k from located cross join lateral generate_series(located.k0, located.k1) as xb(k))`}
  select v.me as activity_id, 'impossible_travel'::text as check_kind, g.cadre_id, v.other::text || '/' || g.cadre_id::text as dedupe_key,
    jsonb_build_object('otherActivityId', v.other, 'cadreId', g.cadre_id, 'distanceM', round(g.d)::int,
      'minutes', round((g.secs / 60)::numeric, 1),
      'speedKmh', case when g.secs > 0 then round((g.d * 3.6 / g.secs)::numeric, 1) end,
      'maxSpeedKmh', ${sql.lit(t.maxSpeedKmh)}::float8,
      'first', jsonb_build_object('activityId', g.x_id, 'endsAt', g.x_ends, 'latitude', g.x_lat, 'longitude', g.x_lon, 'accuracyM', g.x_acc, 'source', g.x_src),
      'second', jsonb_build_object('activityId', g.y_id, 'startsAt', g.y_starts, 'latitude', g.y_lat, 'longitude', g.y_lon, 'accuracyM', g.y_acc, 'source', g.y_src)) as evidence,
    v.region_path
  from (
    select x.cadre_id, x.id as x_id, y.id as y_id, x.region_path as x_region, y.region_path as y_region,
      ${iso('x.ends_at')} as x_ends, ${iso('y.starts_at')} as y_starts,
      x.lat as x_lat, x.lon as x_lon, x.acc as x_acc, x.src as x_src, y.lat as y_lat, y.lon as y_lon, y.acc as y_acc, y.src as y_src,
      greatest(0, ${haversine(ref('x.lat'), ref('x.lon'), ref('y.lat'), ref('y.lon'))} - coalesce(x.acc, 0) - coalesce(y.acc, 0)) as d,
      greatest(0, extract(epoch from y.starts_at - x.ends_at))::float8 as secs
    ${pairs}
  ) g
  cross join lateral (values (g.x_id, g.y_id, g.x_region), (g.y_id, g.x_id, g.y_region)) v(me, other, region_path)
  where g.d > ${sql.lit(t.maxDistanceMeters)} and g.d * 3.6 > ${sql.lit(t.maxSpeedKmh)} * g.secs`;
};

/** Entered more than lateDays days after the activity ended. */
export const lateEntry: Check = (t, focus) => sql`
  select a.id as activity_id, 'late_entry'::text as check_kind, null::int as cadre_id, ''::text as dedupe_key,
    jsonb_build_object('endsAt', ${iso('a.ends_at')}, 'recordedAt', ${iso('a.recorded_at')},
      'daysLate', round((extract(epoch from a.recorded_at - a.ends_at) / 86400)::numeric, 1), 'lateDays', ${sql.lit(t.lateDays)}::int) as evidence,
    a.region_path
  from activities a
  where a.recorded_at > a.ends_at + make_interval(days => ${sql.lit(t.lateDays)})
    ${focus ? sql`and a.id ${eq(focus)}` : sql``}`;

/**
 * One account entered at least burstCount back-dated records (entered more than a day after they
 * ended) within burstMinutes. Every record of such a window is flagged; the evidence counts the
 * fullest window holding the record. A window starting at each record counts the records up to
 * burstMinutes later; a record is in a burst when a window starting at most burstMinutes before it
 * counts enough. For one record (focus) only its account's records within twice the window either
 * side can matter, and only those within one window can change.
 */
export const backdatedBurst: Check = (t, focus) => {
  const w = minutes(t.burstMinutes);
  const w2 = minutes(2 * t.burstMinutes);
  return sql`
  with ${focus ? sql`f as (select recorded_by, recorded_at from activities where id ${eq(focus)}),` : sql``}
  bd as (
    select a.id, a.recorded_by, a.recorded_at, a.ends_at, a.region_path
    from activities a
    where a.recorded_by is not null and a.recorded_at > a.ends_at + ${BACKDATED_AFTER}
      ${focus ? sql`and exists (select 1 from f where a.recorded_by = f.recorded_by and a.recorded_at between f.recorded_at - ${w2} and f.recorded_at + ${w2})` : sql``}
  ),
  starts as (
    select bd.*, count(*) over (partition by recorded_by order by recorded_at range between current row and ${w} following) as n
    from bd
  ),
  members as (
    select starts.*, max(n) over (partition by recorded_by order by recorded_at range between ${w} preceding and current row) as best
    from starts
  )
  select m.id as activity_id, 'backdated_burst'::text as check_kind, u.cadre_id, ''::text as dedupe_key,
    jsonb_build_object('recordedBy', m.recorded_by, 'count', m.best::int, 'windowMinutes', ${sql.lit(t.burstMinutes)}::int,
      'burstCount', ${sql.lit(t.burstCount)}::int, 'daysOld', round((extract(epoch from m.recorded_at - m.ends_at) / 86400)::numeric, 1)) as evidence,
    m.region_path
  from members m
  join users u on u.id = m.recorded_by
  where m.best >= ${sql.lit(t.burstCount)}
    ${focus ? sql`and exists (select 1 from f where f.recorded_by = m.recorded_by and m.recorded_at between f.recorded_at - ${w} and f.recorded_at + ${w})` : sql``}`;
};

const attr = (name: string) => sql`case when jsonb_typeof(tg.attrs -> ${sql.lit(name)}) = 'number' then (tg.attrs ->> ${sql.lit(name)})::numeric end`;

/**
 * A record's attendance (人次) exceeds the people of the places it was held for: its village and
 * community targets, or when it names none, the place target of its own region. A place counts its
 * population (常住人口), or its household count (户数) when no population is recorded; the record is
 * compared only when every place has one of them.
 */
export const attendanceExceedsPopulation: Check = (_t, focus) => sql`
  with places as (
    select a.id, a.attendees, a.region_path, tg.id as target_id, tg.name, ${attr('population')} as population, ${attr('households')} as households
    from activities a
    join activity_targets at on at.activity_id = a.id
    join contact_targets tg on tg.id = at.target_id and tg.kind in ('village', 'community')
    where a.attendees > 0 ${focus ? sql`and a.id ${eq(focus)}` : sql``}
    union all
    select a.id, a.attendees, a.region_path, tg.id, tg.name, ${attr('population')}, ${attr('households')}
    from activities a
    join contact_targets tg on tg.region_code = a.region_code and tg.kind in ('village', 'community')
    where a.attendees > 0 ${focus ? sql`and a.id ${eq(focus)}` : sql``}
      and not exists (
        select 1 from activity_targets at2 join contact_targets t2 on t2.id = at2.target_id
        where at2.activity_id = a.id and t2.kind in ('village', 'community'))
  ),
  per as (
    select id, attendees, region_path, sum(coalesce(population, households)) as lim,
      bool_and(coalesce(population, households) is not null) as complete,
      bool_and(population is not null) as all_population, bool_and(population is null) as no_population,
      jsonb_agg(jsonb_build_object('targetId', target_id, 'name', name, 'population', population, 'households', households) order by target_id) as places
    from places group by id, attendees, region_path
  )
  select id as activity_id, 'attendance_exceeds_population'::text as check_kind, null::int as cadre_id, ''::text as dedupe_key,
    jsonb_build_object('attendees', attendees, 'limit', lim::int,
      'basis', case when all_population then 'population' when no_population then 'households' else 'mixed' end, 'places', places) as evidence,
    region_path
  from per
  where complete and attendees > lim`;

/**
 * One cadre with stay days (驻村蹲点) on the same China day in two different villages. The village
 * of a stay is its region's village (a grid or building counts as its village); two places of which
 * one contains the other are not different villages.
 */
export const doubleStay: Check = (_t, focus) => sql`
  with stays as materialized (
    select p.cadre_id, a.id, a.region_path, ${chinaDay('a.starts_at')} as d0, ${chinaDay('a.ends_at')} as d1,
      case when r.level in ('grid', 'building') then (case when r1.level = 'village' then r1.path else coalesce(r2.path, r1.path) end) else r.path end as village
    from activities a
    join activity_participants p on p.activity_id = a.id
    join regions r on r.code = a.region_code
    left join regions r1 on r1.code = r.parent_code
    left join regions r2 on r2.code = r1.parent_code
    where a.kind = 'stay'
      ${focus ? sql`and p.cadre_id in (select cadre_id from activity_participants where activity_id ${eq(focus)})` : sql``}
  )
  select x.id as activity_id, 'double_stay'::text as check_kind, x.cadre_id, y.id::text || '/' || x.cadre_id::text as dedupe_key,
    jsonb_build_object('otherActivityId', y.id, 'cadreId', x.cadre_id,
      'from', to_char(greatest(x.d0, y.d0), 'YYYY-MM-DD'), 'to', to_char(least(x.d1, y.d1), 'YYYY-MM-DD'),
      'villagePath', x.village, 'otherVillagePath', y.village) as evidence,
    x.region_path
  from stays x
  join stays y on y.cadre_id = x.cadre_id and y.id <> x.id and x.d0 <= y.d1 and y.d0 <= x.d1
    and x.village <> y.village and not starts_with(x.village, y.village || '/') and not starts_with(y.village, x.village || '/')
  ${focus ? sql`where x.id ${eq(focus)} or y.id ${eq(focus)}` : sql``}`;

export const checks = {
  duplicate_photo: duplicatePhoto,
  far_from_target: farFromTarget,
  impossible_travel: impossibleTravel,
  late_entry: lateEntry,
  backdated_burst: backdatedBurst,
  attendance_exceeds_population: attendanceExceedsPopulation,
  double_stay: doubleStay,
} as const;
