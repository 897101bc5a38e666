import { sql, type Kysely } from 'kysely';

// The day rollups summed to every level above the areas (`cut`: the path's first segments kept),
// like stat_reach_mask_up: what a province or a city reads for its figures, its regions one level
// down and its trend. At the province tier a month by city is 340 rows of stat_day_up instead of
// 43,000 of stat_day, and a month's daily trend of distinct households 31 rows instead of 43,000.
// stat_day_up holds stat_day's counters (a counter added to stat_day is added here too) and is
// recounted per touched day; the reach histograms are kept by deltas. Derived data: dropping the
// state rebuilds them.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table stat_day_up (
      cut smallint not null,
      like stat_day including defaults,
      primary key (cut, campaign_id, day, area)
    )`.execute(db);
  for (const [table, x] of [['stat_reach_day_up', 'doy'], ['stat_reach_month_up', 'month']] as const) {
    await sql`
      create table ${sql.table(table)} (
        cut          smallint not null,
        campaign_id  integer not null,
        area         text not null,
        year         integer not null,
        figure       smallint not null,
        ${sql.ref(x)} smallint not null,
        solo         integer not null,
        primary key (cut, campaign_id, year, area, figure, ${sql.ref(x)})
      )`.execute(db);
  }
  await sql`delete from stat_rollup_state`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['stat_day_up', 'stat_reach_day_up', 'stat_reach_month_up']) await sql`drop table ${sql.table(t)}`.execute(db);
  await sql`delete from stat_rollup_state`.execute(db);
}
