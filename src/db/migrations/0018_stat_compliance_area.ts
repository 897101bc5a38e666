import { sql, type Kysely } from 'kysely';

// 履职达标率 of a county or township reads its own paths' compliance windows (stat_compliance
// holds whole region paths): by path prefix instead of every window of the period.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index stat_compliance_area on stat_compliance (area text_pattern_ops, window_end)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index stat_compliance_area`.execute(db);
}
