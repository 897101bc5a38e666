import { sql, type Kysely } from 'kysely';

// What kind of record a queued compliance change came from ('activity:household_visit',
// 'writing:diary', 'matter', 'pairing'; null = anything, e.g. a team's members changed), so the
// drain recounts only the rules that can count it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table compliance_pending add column record_kind text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table compliance_pending drop column record_kind`.execute(db);
}
