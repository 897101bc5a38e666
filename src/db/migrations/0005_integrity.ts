import { sql, type Kysely } from 'kysely';

// The incremental integrity check re-evaluates the pair flags other records hold about the record
// just written: their dedupe_key is that record's id ('123', or '123/45' with the cadre's id).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index integrity_flags_dedupe on integrity_flags (dedupe_key text_pattern_ops) where dedupe_key <> ''`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index integrity_flags_dedupe`.execute(db);
}
