import { sql, type Kysely } from 'kysely';

// The few subjects reached in more than one area or campaign (stat_reach.shared) are read apart
// from the rest by every distinct figure: a partial index finds them without scanning the table.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index stat_reach_shared on stat_reach (year, figure) where shared`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index stat_reach_shared`.execute(db);
}
