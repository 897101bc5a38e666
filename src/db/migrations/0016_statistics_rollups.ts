import { sql, type Kysely } from 'kysely';

// Statistics rollups (issue 7): the figures of the dashboard and the bulletins pre-summed per
// area (a record's region path cut at the township level) and day, so a city- or province-wide
// year reads thousands of rows, not millions. They are a cache of the records, never a source:
// statement-level triggers queue the keys (campaign, area, day) every write touches, and
// src/features/statistics/rollups.ts recounts those keys from the records before each read.
// The layout is described in docs/ARCHITECTURE.md ("Statistics rollups").

const additive = [
  // field records (activities), one column per additive figure
  'stay_days', 'household_visits', 'forums', 'talk_attendance', 'condolence_money_fen', 'policy_talks',
  'consultation_attendance', 'attendance', 'receptions', 'onsite_offices', 'research_activities',
  // writings that are not drafts
  'diaries', 'research_topics', 'research_reports', 'leader_memos', 'development_plans',
  // practical matters: promised on the day, done on the day, the funds of those done
  'matters_promised', 'matters_done', 'matter_funds_fen',
  // tickets registered on the day (with what became of them) and resolved on the day
  'tickets_registered', 'tickets_resolved', 'tickets_resolved_on_time', 'tickets_rated', 'tickets_satisfied', 'problems_solved',
];
const columns = sql.raw(additive.map((c) => `${c} bigint not null default 0`).join(',\n      '));
const day = (col: string) => `(${col} at time zone 'Asia/Shanghai')::date`;
/** A record's area inside a trigger function, whose `seg` holds the cut (null before the first build: the whole path). */
const area = (path: string) => `coalesce(array_to_string((string_to_array(${path}, '/'))[1:seg], '/'), ${path})`;
const declareSeg = 'declare seg integer := (select area_segments from stat_rollup_state where id = 1);';

/** One statement-level trigger per event (PostgreSQL allows transition tables on one event only). */
async function queueTriggers(db: Kysely<unknown>, table: string, fn: string) {
  await sql`create trigger ${sql.raw(`${table}_stat_ins`)} after insert on ${sql.table(table)} referencing new table as stat_new for each statement execute function ${sql.raw(fn)}()`.execute(db);
  await sql`create trigger ${sql.raw(`${table}_stat_upd`)} after update on ${sql.table(table)} referencing old table as stat_old new table as stat_new for each statement execute function ${sql.raw(fn)}()`.execute(db);
  await sql`create trigger ${sql.raw(`${table}_stat_del`)} after delete on ${sql.table(table)} referencing old table as stat_old for each statement execute function ${sql.raw(fn)}()`.execute(db);
}

/** A trigger function queuing `keys(x)` for the new rows and for the old rows. */
async function queueFunction(db: Kysely<unknown>, name: string, target: string, keys: (rows: string) => string) {
  await sql`
    create function ${sql.raw(name)}() returns trigger language plpgsql as $$
    ${sql.raw(declareSeg)}
    begin
      if tg_op in ('INSERT', 'UPDATE') then
        insert into ${sql.raw(target)} ${sql.raw(keys('stat_new'))};
      end if;
      if tg_op in ('UPDATE', 'DELETE') then
        insert into ${sql.raw(target)} ${sql.raw(keys('stat_old'))};
      end if;
      return null;
    end $$`.execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  // How many path segments an area keeps (the township level's), and when the rollups were last
  // built whole. No row: never built (or the region tree changed), so the next read rebuilds.
  await sql`
    create table stat_rollup_state (
      id             integer primary key default 1 check (id = 1),
      area_segments  integer not null,
      built_at       timestamptz not null
    )`.execute(db);
  // Keys touched since the last refresh; duplicates allowed (drained as a set). area may be a
  // whole region path when queued before the first build: cutting it again gives the area.
  await sql`create table stat_pending (campaign_id integer not null, area text not null, day date not null)`.execute(db);
  await sql`create table stat_compliance_pending (rule_id integer not null, area text not null, window_start date not null, window_end date not null)`.execute(db);

  // Additive figures per campaign (0 = none), area and China day, and the same per month.
  await sql`
    create table stat_day (
      campaign_id  integer not null,
      area         text not null,
      day          date not null,
      ${columns},
      primary key (campaign_id, day, area)
    )`.execute(db);
  await sql`create index stat_day_day on stat_day (day, area text_pattern_ops)`.execute(db);
  await sql`
    create table stat_month (
      campaign_id  integer not null,
      area         text not null,
      month        date not null,
      ${columns},
      primary key (campaign_id, month, area)
    )`.execute(db);
  await sql`create index stat_month_month on stat_month (month, area text_pattern_ops)`.execute(db);

  // Distinct figures (households visited, hardship households comforted, enterprises, projects,
  // villages): one row per subject reached in a campaign, area and year, with a bit per day of
  // the year (bit 0 = 1 January) on which a record reached it.
  await sql`
    create table stat_reach (
      campaign_id  integer not null,
      area         text not null,
      year         integer not null,
      figure       smallint not null,
      subject      text not null,
      days         bit(366) not null,
      -- bit m-1 set: reached in month m (whole-month buckets test an integer, not 366 bits)
      months       integer not null,
      -- the subject has other rows this year (another area or campaign): only then must rows be
      -- merged before counting; most subjects have one row and are counted as they stand
      shared       boolean not null default false,
      primary key (campaign_id, year, figure, area, subject)
    )`.execute(db);
  await sql`create index stat_reach_year on stat_reach (year, figure, area text_pattern_ops)`.execute(db);
  await sql`create index stat_reach_subject on stat_reach (figure, subject, year)`.execute(db);
  // Per month, the subjects with one row (not shared) reached in it, per campaign, area and
  // figure: a monthly trend adds these up and merges only the shared subjects' rows.
  await sql`
    create table stat_reach_month (
      campaign_id  integer not null,
      area         text not null,
      year         integer not null,
      figure       smallint not null,
      month        smallint not null,
      solo         integer not null,
      primary key (campaign_id, year, figure, area, month)
    )`.execute(db);

  // Field records per cadre (and the unit they took part for) per campaign and area, for the
  // cadre and unit rankings, kept as running totals so any period reads at most a few rows per
  // cadre: per month, the days with records (`at`, ascending) and the running total at each
  // (`cum`); per year, the same by month. The records of days [a, b] are total(b) − total(a − 1),
  // total(x) being the `cum` at the last `at` not after x (a binary search, width_bucket).
  await sql`
    create table stat_cadre_days (
      campaign_id  integer not null,
      area         text not null,
      month        date not null,
      cadre_id     integer not null,
      unit_path    text not null,
      at           integer[] not null,
      cum          integer[] not null,
      primary key (campaign_id, month, area, cadre_id, unit_path)
    )`.execute(db);
  await sql`create index stat_cadre_days_month on stat_cadre_days (month, area text_pattern_ops)`.execute(db);
  await sql`
    create table stat_cadre_months (
      campaign_id  integer not null,
      area         text not null,
      year         integer not null,
      cadre_id     integer not null,
      unit_path    text not null,
      at           integer[] not null,
      cum          integer[] not null,
      primary key (campaign_id, year, area, cadre_id, unit_path)
    )`.execute(db);
  await sql`create index stat_cadre_months_year on stat_cadre_months (year, area text_pattern_ops)`.execute(db);

  // Decided compliance rows (met or missed) of cadre rules per rule, region path (not cut: a
  // cadre's row lies where their unit does) and window.
  await sql`
    create table stat_compliance (
      rule_id       integer not null,
      area          text not null,
      window_start  date not null,
      window_end    date not null,
      met           integer not null,
      decided       integer not null,
      primary key (rule_id, window_end, area, window_start)
    )`.execute(db);
  await sql`create index stat_compliance_window on stat_compliance (window_end, window_start)`.execute(db);

  // Missed duties per cadre (active cadre rules, by the rule's campaign and the row's area), for
  // the dashboard's warnings: per year, the sorted starts of the missed windows that start in it
  // and the sorted ends of those that end in it. The windows a period [from, to] counts are those
  // overlapping it, i.e. (started by to) − (ended before from): two binary searches
  // (width_bucket) per row instead of a row per window.
  await sql`
    create table stat_missed (
      campaign_id  integer not null,
      area         text not null,
      cadre_id     integer not null,
      year         integer not null,
      n_starts     integer not null,
      n_ends       integer not null,
      starts       date[] not null,
      ends         date[] not null,
      primary key (campaign_id, year, area, cadre_id)
    )`.execute(db);
  await sql`create index stat_missed_cadre on stat_missed (cadre_id)`.execute(db);
  await sql`create index stat_missed_area on stat_missed (area)`.execute(db);

  // The recount looks records up by the day they count on.
  await sql`create index writings_written_on on writings (written_on)`.execute(db);
  await sql`create index practical_matters_promised_on on practical_matters (promised_on)`.execute(db);
  await sql`create index practical_matters_done_on on practical_matters (done_on) where done_on is not null`.execute(db);
  await sql`create index tickets_resolved on tickets (resolved_at) where resolved_at is not null`.execute(db);
  // A window's rows in one area (a rule's window has a row per cadre of the whole tree).
  await sql`create index compliance_results_window_area on compliance_results (rule_id, window_end, region_path text_pattern_ops)`.execute(db);
  // Village-level questions (a township's villages) are counted from the rows: by path.
  await sql`create index compliance_results_region on compliance_results (region_path text_pattern_ops, window_end)`.execute(db);

  // ── Queueing triggers ──────────────────────────────────────────────────────────────────────
  const activityKey = (rows: string) => `select distinct coalesce(x.campaign_id, 0), ${area('x.region_path')}, ${day('x.starts_at')} from ${rows} x`;
  const viaActivity = (rows: string) =>
    `select distinct coalesce(a.campaign_id, 0), ${area('a.region_path')}, ${day('a.starts_at')} from ${rows} x join activities a on a.id = x.activity_id`;
  await queueFunction(db, 'stat_queue_activities', 'stat_pending', activityKey);
  await queueTriggers(db, 'activities', 'stat_queue_activities');
  await queueFunction(db, 'stat_queue_activity_links', 'stat_pending', viaActivity);
  await queueTriggers(db, 'activity_participants', 'stat_queue_activity_links');
  await queueTriggers(db, 'activity_targets', 'stat_queue_activity_links');
  await queueFunction(db, 'stat_queue_writings', 'stat_pending', (rows) => `select distinct coalesce(x.campaign_id, 0), ${area('x.region_path')}, x.written_on from ${rows} x`);
  await queueTriggers(db, 'writings', 'stat_queue_writings');
  await queueFunction(db, 'stat_queue_matters', 'stat_pending', (rows) => `
    select coalesce(x.campaign_id, 0), ${area('x.region_path')}, x.promised_on from ${rows} x
    union select coalesce(x.campaign_id, 0), ${area('x.region_path')}, x.done_on from ${rows} x where x.done_on is not null`);
  await queueTriggers(db, 'practical_matters', 'stat_queue_matters');
  await queueFunction(db, 'stat_queue_tickets', 'stat_pending', (rows) => `
    select coalesce(x.campaign_id, 0), ${area('x.region_path')}, ${day('x.created_at')} from ${rows} x
    union select coalesce(x.campaign_id, 0), ${area('x.region_path')}, ${day('x.resolved_at')} from ${rows} x where x.resolved_at is not null`);
  await queueTriggers(db, 'tickets', 'stat_queue_tickets');
  await queueFunction(db, 'stat_queue_compliance', 'stat_compliance_pending',
    (rows) => `select distinct x.rule_id, coalesce(x.region_path, ''), x.window_start, x.window_end from ${rows} x`);
  await queueTriggers(db, 'compliance_results', 'stat_queue_compliance');
  // A rule switched on or off, or changed, decides whether its missed rows are warnings.
  await sql`
    create function stat_queue_rules() returns trigger language plpgsql as $$
    ${sql.raw(declareSeg)}
    begin
      insert into stat_compliance_pending
        select distinct r.rule_id, coalesce(r.region_path, ''), r.window_start, r.window_end
        from stat_new n join stat_old o on o.id = n.id join compliance_results r on r.rule_id = n.id
        where (n.active, n.rule, n.campaign_id) is distinct from (o.active, o.rule, o.campaign_id);
      return null;
    end $$`.execute(db);
  await sql`create trigger requirement_rules_stat_upd after update on requirement_rules referencing old table as stat_old new table as stat_new for each statement execute function stat_queue_rules()`.execute(db);
  // A target's kind or tags decide which distinct figures its visits count in (困难户).
  await sql`
    create function stat_queue_targets() returns trigger language plpgsql as $$
    ${sql.raw(declareSeg)}
    begin
      insert into stat_pending
        select distinct coalesce(a.campaign_id, 0), ${sql.raw(area('a.region_path'))}, ${sql.raw(day('a.starts_at'))}
        from stat_new n join stat_old o on o.id = n.id join activity_targets t on t.target_id = n.id join activities a on a.id = t.activity_id
        where n.kind is distinct from o.kind or n.tags is distinct from o.tags;
      return null;
    end $$`.execute(db);
  await sql`create trigger contact_targets_stat_upd after update on contact_targets referencing old table as stat_old new table as stat_new for each statement execute function stat_queue_targets()`.execute(db);
  // Areas and villages come from the region tree: a change to it rebuilds the rollups whole.
  await sql`
    create function stat_regions_changed() returns trigger language plpgsql as $$
    begin
      delete from stat_rollup_state;
      return null;
    end $$`.execute(db);
  await sql`create trigger regions_stat_changed after insert or update or delete on regions for each statement execute function stat_regions_changed()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists regions_stat_changed on regions`.execute(db);
  await sql`drop trigger if exists contact_targets_stat_upd on contact_targets`.execute(db);
  await sql`drop trigger if exists requirement_rules_stat_upd on requirement_rules`.execute(db);
  for (const t of ['activities', 'activity_participants', 'activity_targets', 'writings', 'practical_matters', 'tickets', 'compliance_results']) {
    for (const e of ['ins', 'upd', 'del']) await sql`drop trigger if exists ${sql.raw(`${t}_stat_${e}`)} on ${sql.table(t)}`.execute(db);
  }
  for (const f of ['stat_queue_activities', 'stat_queue_activity_links', 'stat_queue_writings', 'stat_queue_matters', 'stat_queue_tickets', 'stat_queue_compliance', 'stat_queue_targets', 'stat_queue_rules', 'stat_regions_changed']) {
    await sql`drop function if exists ${sql.raw(f)}()`.execute(db);
  }
  for (const t of ['stat_missed', 'stat_compliance', 'stat_cadre_months', 'stat_cadre_days', 'stat_reach_month', 'stat_reach', 'stat_month', 'stat_day', 'stat_compliance_pending', 'stat_pending']) {
    await sql`drop table if exists ${sql.table(t)}`.execute(db);
  }
  for (const i of ['writings_written_on', 'practical_matters_promised_on', 'practical_matters_done_on', 'tickets_resolved', 'compliance_results_window_area', 'compliance_results_region']) await sql`drop index if exists ${sql.raw(i)}`.execute(db);
  await sql`drop table if exists stat_rollup_state`.execute(db);
}
