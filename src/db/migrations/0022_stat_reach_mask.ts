import { sql, type Kysely } from 'kysely';

// Distinct figures over a period of whole months, for a whole scope or by child region: the
// unshared subjects per campaign, area, year, figure and exact set of months reached in
// (`stat_reach_mask`, a histogram of stat_reach's `months`), so a period's whole months add up
// n where (months & the period's months) <> 0 — a third of stat_reach's rows, and narrow ones.
// The loose days of a period (a week, the days of a month it cuts) find their rows in stat_reach
// by the list of days they were reached on (a GIN index on `doys`) instead of testing every row;
// its pending list is merged after each write (rollups.ts), since PGlite has no autovacuum to.
// The rollups are a cache: dropping the state makes the next read rebuild them.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table stat_reach_mask (
      campaign_id  integer not null,
      area         text not null,
      year         integer not null,
      figure       smallint not null,
      months       integer not null,
      n            integer not null,
      primary key (campaign_id, year, area, figure, months)
    )`.execute(db);
  await sql`create index stat_reach_mask_year on stat_reach_mask (year, figure, area text_pattern_ops)`.execute(db);
  await sql`create index stat_reach_doys on stat_reach using gin (doys)`.execute(db);
  // A year to date's last days: the rows reached in none of its whole months are those whose
  // month set is one of a few (reached in November and maybe December only), found by value.
  await sql`create index stat_reach_months on stat_reach (year, figure, months) where not shared`.execute(db);
  await sql`delete from stat_rollup_state`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index stat_reach_months`.execute(db);
  await sql`drop index stat_reach_doys`.execute(db);
  await sql`drop table stat_reach_mask`.execute(db);
  await sql`delete from stat_rollup_state`.execute(db);
}
