import { sql, type Kysely } from 'kysely';

// Two rollups derived from stat_cadre_year and stat_missed, for the dashboard's rankings and
// warnings at the scale of a province (200,000 cadres):
// - stat_cadre_root and stat_missed_root: per campaign, year, top-level region (`root`, the first
//   segment of the area) and cadre, the cadre's field records (`at`/`cum` as in stat_cadre_year)
//   and missed duties (`missed` as in stat_missed) over every area and unit path. A scope that is a
//   whole region tree reads one row per cadre instead of summing a row per area and unit path, the
//   largest grouping of a province-wide dashboard. Two tables, each statement reading the narrower.
// - stat_unit_year: per campaign, year, area and unit path, the records its cadres took part in,
//   a few thousand rows for the unit ranking instead of one per cadre.
// The rollups are a cache: dropping the state makes the next read rebuild them.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table stat_cadre_root (
      campaign_id  integer not null,
      year         integer not null,
      root         text not null,
      cadre_id     integer not null,
      at           smallint[] not null,
      cum          integer[] not null,
      primary key (campaign_id, year, root, cadre_id)
    )`.execute(db);
  await sql`create index stat_cadre_root_cadre on stat_cadre_root (cadre_id)`.execute(db);
  await sql`
    create table stat_missed_root (
      campaign_id  integer not null,
      year         integer not null,
      root         text not null,
      cadre_id     integer not null,
      missed       bit(1024) not null,
      primary key (campaign_id, year, root, cadre_id)
    )`.execute(db);
  await sql`create index stat_missed_root_cadre on stat_missed_root (cadre_id)`.execute(db);
  await sql`
    create table stat_unit_year (
      campaign_id  integer not null,
      area         text not null,
      year         integer not null,
      unit_path    text not null,
      at           smallint[] not null,
      cum          integer[] not null,
      primary key (campaign_id, year, area, unit_path)
    )`.execute(db);
  // The root rows of changed cadres are recounted from their stat_cadre_year rows.
  await sql`create index stat_cadre_year_cadre on stat_cadre_year (cadre_id)`.execute(db);
  await sql`delete from stat_rollup_state`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index stat_cadre_year_cadre`.execute(db);
  await sql`drop table stat_unit_year`.execute(db);
  await sql`drop table stat_missed_root`.execute(db);
  await sql`drop table stat_cadre_root`.execute(db);
  await sql`delete from stat_rollup_state`.execute(db);
}
