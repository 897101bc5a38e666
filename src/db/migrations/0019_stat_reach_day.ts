import { sql, type Kysely } from 'kysely';

// Distinct figures by day (a daily trend: a week or a month of the dashboard): per day, the
// subjects with one row (not shared) reached on it, per campaign, area and figure, as
// stat_reach_month holds them per month. A day's trend point then adds these up and counts only
// the few shared subjects distinct, instead of testing every row of stat_reach against every day.
// stat_reach keeps the days it was reached on as a list too (`doys`), from which those are counted.
// The rollups are a cache: dropping the state makes the next read rebuild them with the new column.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table stat_reach add column doys smallint[] not null default '{}'`.execute(db);
  await sql`
    create table stat_reach_day (
      campaign_id  integer not null,
      area         text not null,
      year         integer not null,
      figure       smallint not null,
      doy          smallint not null,
      solo         integer not null,
      primary key (campaign_id, year, area, figure, doy)
    )`.execute(db);
  await sql`create index stat_reach_day_day on stat_reach_day (year, doy, area text_pattern_ops)`.execute(db);
  await sql`delete from stat_rollup_state`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table stat_reach_day`.execute(db);
  await sql`alter table stat_reach drop column doys`.execute(db);
  await sql`delete from stat_rollup_state`.execute(db);
}
