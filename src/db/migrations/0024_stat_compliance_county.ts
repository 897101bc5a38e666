import { sql, type Kysely } from 'kysely';

// 履职达标率 per rule and window with the region path cut at the county level (one segment above
// the areas): what a province or city dashboard reads, its children being cities or counties.
// At the province tier a rule's window has rows at some 1,600 region paths but only 90 counties,
// and a year's rate read 194,000 rows twice (the trend and the regions one level down).
// Derived from stat_compliance; the rollups are a cache: dropping the state makes the next read rebuild them.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table stat_compliance_county (
      rule_id       integer not null,
      area          text not null,
      window_start  date not null,
      window_end    date not null,
      met           integer not null,
      decided       integer not null,
      primary key (rule_id, window_end, area, window_start)
    )`.execute(db);
  await sql`delete from stat_rollup_state`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table stat_compliance_county`.execute(db);
  await sql`delete from stat_rollup_state`.execute(db);
}
