import { sql, type Kysely } from 'kysely';

// Requirement rules (硬性要求) per campaign, and compliance kept per rule × subject × period
// window (issue 6): a window that has ended keeps its row, so last month's and last year's
// compliance can be read after they end. Records written since the last pass wait in
// compliance_pending (written in the record's own transaction, so none is lost when a process
// dies) until the incremental pass recounts what they touch.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table requirement_rules (
      id           serial primary key,
      campaign_id  integer not null references campaigns(id),
      name         text not null,
      rule         jsonb not null,
      at_risk_days integer not null default 7 check (at_risk_days between 0 and 90),
      active       boolean not null default true,
      sort         integer not null default 0,
      version      integer not null default 1,
      created_by   integer references users(id),
      created_at   timestamptz not null default now(),
      updated_at   timestamptz not null default now()
    )`.execute(db);
  await sql`create index requirement_rules_campaign on requirement_rules (campaign_id, sort, id)`.execute(db);

  await sql`
    create table compliance_results (
      rule_id       integer not null references requirement_rules(id) on delete cascade,
      window_key    text not null,
      subject_id    integer not null,
      window_start  date not null,
      window_end    date not null,
      subject_name  text not null,
      count         integer not null,
      required_min  integer,
      required_max  integer,
      status        text not null check (status in ('met', 'on_track', 'at_risk', 'missed')),
      reason        text not null,
      explanation   text not null,
      cadre_id      integer references cadres(id),
      target_id     integer references contact_targets(id),
      team_id       integer references teams(id),
      unit_id       integer references units(id),
      unit_path     text,
      region_path   text,
      computed_at   timestamptz not null default now(),
      primary key (rule_id, window_key, subject_id)
    )`.execute(db);
  // The filters of the compliance views: by rule and window and status, by cadre / target / team,
  // and under a unit or a region (prefix match on the materialised paths).
  await sql`create index compliance_results_status on compliance_results (rule_id, window_key, status)`.execute(db);
  await sql`create index compliance_results_window_end on compliance_results (window_end)`.execute(db);
  // The full pass finds each window's oldest row (was it counted after it ended?) by one probe.
  await sql`create index compliance_results_computed on compliance_results (rule_id, window_key, computed_at)`.execute(db);
  await sql`create index compliance_results_cadre on compliance_results (cadre_id) where cadre_id is not null`.execute(db);
  await sql`create index compliance_results_target on compliance_results (target_id) where target_id is not null`.execute(db);
  await sql`create index compliance_results_team on compliance_results (team_id) where team_id is not null`.execute(db);
  await sql`create index compliance_results_unit_path on compliance_results (unit_path text_pattern_ops)`.execute(db);
  await sql`create index compliance_results_region_path on compliance_results (region_path text_pattern_ops)`.execute(db);

  await sql`
    create table compliance_pending (
      id          bigserial primary key,
      campaign_id integer,
      cadre_id    integer,
      target_id   integer,
      team_id     integer,
      day         date,
      queued_at   timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table compliance_pending`.execute(db);
  await sql`drop table compliance_results`.execute(db);
  await sql`drop table requirement_rules`.execute(db);
}
