import { sql, type Kysely } from 'kysely';

// Missed duties per cadre as a bit mask over the campaign-year's windows instead of sorted lists
// of their starts and ends (about 1 kB a row at the province tier, 200,000 rows read for every
// province-wide dashboard). A cadre rule's windows are the same for every cadre, so each
// (rule, window) of a campaign and year gets a bit (`stat_missed_window`, numbered as they first
// appear), a cadre's row sets the bits of the windows they missed, and a period's count is
// bit_count(missed & the bits of the windows overlapping it). The width is fixed: a campaign-year
// with more windows than bits (twenty weekly cadre rules) is counted from the records instead.
// The rollups are a cache: dropping the state makes the next read rebuild them.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop table stat_missed`.execute(db);
  await sql`
    create table stat_missed_window (
      campaign_id   integer not null,
      year          integer not null,
      bit           integer not null,
      rule_id       integer not null,
      window_start  date not null,
      window_end    date not null,
      primary key (campaign_id, year, bit),
      unique (campaign_id, rule_id, window_start, window_end)
    )`.execute(db);
  await sql`
    create table stat_missed (
      campaign_id  integer not null,
      area         text not null,
      cadre_id     integer not null,
      year         integer not null,
      missed       bit(1024) not null,
      primary key (campaign_id, year, area, cadre_id)
    )`.execute(db);
  await sql`create index stat_missed_cadre on stat_missed (cadre_id)`.execute(db);
  await sql`create index stat_missed_area on stat_missed (area)`.execute(db);
  await sql`delete from stat_rollup_state`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table stat_missed`.execute(db);
  await sql`drop table stat_missed_window`.execute(db);
  await sql`
    create table stat_missed (
      campaign_id integer not null, area text not null, cadre_id integer not null, year integer not null,
      n_starts integer not null, n_ends integer not null, starts date[] not null, ends date[] not null,
      primary key (campaign_id, year, area, cadre_id)
    )`.execute(db);
  await sql`create index stat_missed_cadre on stat_missed (cadre_id)`.execute(db);
  await sql`create index stat_missed_area on stat_missed (area)`.execute(db);
  await sql`delete from stat_rollup_state`.execute(db);
}
