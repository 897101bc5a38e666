import { sql, type Kysely } from 'kysely';

// stat_reach_mask summed to every level above the areas (`cut`: the path's first segments kept):
// what a province or a city reads for its regions one level down. At the province tier a year's
// households have 365,000 (township, months) rows, but only 41,000 per city and 148,000 per county.
// Kept by deltas: when an area's stat_reach_mask rows are recounted, the old counts are taken off
// its ancestors' rows and the new ones added. Derived data: dropping the state rebuilds it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table stat_reach_mask_up (
      cut          smallint not null,
      campaign_id  integer not null,
      area         text not null,
      year         integer not null,
      figure       smallint not null,
      months       integer not null,
      n            integer not null,
      primary key (cut, campaign_id, year, area, figure, months)
    )`.execute(db);
  await sql`delete from stat_rollup_state`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table stat_reach_mask_up`.execute(db);
  await sql`delete from stat_rollup_state`.execute(db);
}
