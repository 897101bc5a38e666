import { sql, type Kysely } from 'kysely';

// Field records per cadre at year grain: one row per campaign, year, area, cadre and unit path,
// with the days of the year that have records (`at`, ascending day-of-year numbers, 1 = 1 January)
// and the running total at each (`cum`). Any period inside a year is then total(hi) − total(lo − 1)
// of one row per cadre, two binary searches; the month and year tables it replaces needed up to
// three pieces (the partial months at either end and the whole months), three times the rows.
// The rollups are a cache: dropping the state makes the next read rebuild them.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop table stat_cadre_days`.execute(db);
  await sql`drop table stat_cadre_months`.execute(db);
  await sql`
    create table stat_cadre_year (
      campaign_id  integer not null,
      area         text not null,
      year         integer not null,
      cadre_id     integer not null,
      unit_path    text not null,
      at           smallint[] not null,
      cum          integer[] not null,
      primary key (campaign_id, year, area, cadre_id, unit_path)
    )`.execute(db);
  await sql`create index stat_cadre_year_year on stat_cadre_year (year, area text_pattern_ops)`.execute(db);
  await sql`delete from stat_rollup_state`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table stat_cadre_year`.execute(db);
  await sql`
    create table stat_cadre_days (
      campaign_id integer not null, area text not null, month date not null, cadre_id integer not null, unit_path text not null,
      at integer[] not null, cum integer[] not null,
      primary key (campaign_id, month, area, cadre_id, unit_path)
    )`.execute(db);
  await sql`create index stat_cadre_days_month on stat_cadre_days (month, area text_pattern_ops)`.execute(db);
  await sql`
    create table stat_cadre_months (
      campaign_id integer not null, area text not null, year integer not null, cadre_id integer not null, unit_path text not null,
      at integer[] not null, cum integer[] not null,
      primary key (campaign_id, year, area, cadre_id, unit_path)
    )`.execute(db);
  await sql`create index stat_cadre_months_year on stat_cadre_months (year, area text_pattern_ops)`.execute(db);
  await sql`delete from stat_rollup_state`.execute(db);
}
