import { sql } from 'kysely';
import type { Database } from '../src/db/database.ts';
import { systemActor } from '../src/features/auth/actor.ts';
import { importRegions } from '../src/features/regions/regions.ts';

// Data for the scheduler benchmark: one county (象山县, its townships and villages), two handling
// units per township each with a handling-department and a unit-leader account, supervisors
// (one unscoped, one for the county, one per township), and `open` tickets waiting for handling
// whose deadlines are spread from 20 days past to 20 days ahead of `now` (so on time, due soon,
// overdue and long overdue all occur), each with its dispatch event; plus `closed` finished ones.
// Generated set-based in SQL, deterministically (from the row number), in a few seconds.

export type OpenTicketsInfo = { units: number; accounts: number; supervisors: number; open: number; closed: number };

export async function generateOpenTickets(db: Database, o: { open: number; closed: number; now: Date }): Promise<OpenTicketsInfo> {
  await importRegions(db, systemActor('bench'), '330225');
  await sql`
    insert into units (code, name, level, region_code, region_path, path, updated_at)
    select 'B' || t.code || '-' || k, '承办单位' || t.code || '-' || k, 'township', t.code, t.path, 'pending', now()
    from regions t cross join generate_series(1, 2) k where t.level = 'township'`.execute(db);
  await sql`update units set path = id::text where path = 'pending'`.execute(db);
  const hash = 'scrypt$bench$not-a-login';
  await sql`
    insert into users (username, password_hash, display_name, role, unit_id)
    select 'u' || u.id || '-' || r.role, ${hash}, '账号' || u.id, r.role, u.id
    from units u cross join (values ('handling_dept'), ('unit_leader')) r(role)`.execute(db);
  await sql`
    insert into users (username, password_hash, display_name, role, region_code)
    select 'sup-' || coalesce(code, 'all'), ${hash}, '督查' || coalesce(code, ''), 'supervisor', code
    from (select null::text as code union all select '330225000000' union all select code from regions where level = 'township') s`.execute(db);
  const units = (await sql<{ n: number }>`select count(*)::int as n from units`.execute(db)).rows[0]!.n;

  // Deadlines every ~minute over 40 days around now (a multiplicative hash scatters them over
  // the units and states); a fifth of them mid-day, the rest at the end of a day as dispatch sets them.
  const spanMinutes = 40 * 24 * 60;
  await sql`
    with u as (select id, path, region_code, region_path, (row_number() over (order by id) - 1)::int as k from units),
    g as (
      select g,
        ${o.now}::timestamptz + (((g::bigint * 7919) % ${spanMinutes}) - ${spanMinutes / 2}) * interval '1 minute' as at
      from generate_series(1, ${o.open}) g
    ),
    d as (
      select g, case when g % 5 = 0 then at
        else date_trunc('day', at + interval '8 hours') + interval '1 day' - interval '8 hours' - interval '1 millisecond' end as due
      from g
    )
    insert into tickets (tracking_code, source, type, category_code, urgency, title, content, region_code, region_path,
      handling_unit_id, handling_unit_path, state, first_dispatched_at, dispatched_at, due_at, created_at, updated_at)
    select 'BO' || lpad(d.g::text, 9, '0'), 'hotline', (array['consult','help','complaint','report','suggestion'])[1 + d.g % 5], 'other', 'normal',
      '待办工单' || d.g, '基准测试工单', u.region_code, u.region_path, u.id, u.path,
      (array['dispatched','signed','in_progress','in_progress','reopened'])[1 + (d.g / 7) % 5],
      d.due - interval '7 days', d.due - interval '7 days', d.due, d.due - interval '7 days', d.due - interval '7 days'
    from d join u on u.k = (d.g::bigint * 104729) % ${units}`.execute(db);
  await sql`
    with u as (select id, path, region_code, region_path, (row_number() over (order by id) - 1)::int as k from units)
    insert into tickets (tracking_code, source, type, category_code, urgency, title, content, region_code, region_path,
      handling_unit_id, handling_unit_path, state, dispatched_at, due_at, resolved_at, closed_at, outcome, created_at, updated_at)
    select 'BC' || lpad(g::text, 9, '0'), 'hotline', 'help', 'other', 'normal', '已办结工单' || g, '基准测试工单', u.region_code, u.region_path, u.id, u.path,
      'closed', ${o.now}::timestamptz - interval '60 days', ${o.now}::timestamptz - interval '50 days', ${o.now}::timestamptz - interval '52 days',
      ${o.now}::timestamptz - interval '45 days', 'satisfied', ${o.now}::timestamptz - interval '60 days', ${o.now}::timestamptz - interval '45 days'
    from generate_series(1, ${o.closed}) g join u on u.k = g % ${units}`.execute(db);
  await sql`
    insert into ticket_events (ticket_id, seq, action, from_state, to_state, actor_role, actor_name, at)
    select id, 1, 'dispatch', 'registered', case when state = 'closed' then 'dispatched' else state end, 'hotline_operator', '坐席', dispatched_at from tickets`.execute(db);
  await sql`analyze`.execute(db);
  const supervisors = (await sql<{ n: number }>`select count(*)::int as n from users where role = 'supervisor'`.execute(db)).rows[0]!.n;
  return { units, accounts: units * 2, supervisors, open: o.open, closed: o.closed };
}
