import { sql, type Kysely } from 'kysely';

// The integrity checks run after a write, in batches, off the request path. A record waits for
// them with integrity_checked_at null; the marker is durable, so a record stored just before the
// process died is still checked by the next one. Records already stored were checked at the time.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table activities add column integrity_checked_at timestamptz`.execute(db);
  await sql`update activities set integrity_checked_at = recorded_at`.execute(db);
  await sql`create index activities_integrity_pending on activities (id) where integrity_checked_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index activities_integrity_pending`.execute(db);
  await sql`alter table activities drop column integrity_checked_at`.execute(db);
}
