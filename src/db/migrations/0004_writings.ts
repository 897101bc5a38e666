import { sql, type Kysely } from 'kysely';

// Indexes behind the writing list's filters that 0003 did not cover: status or grade alone, the
// target written about, and the written-on period on its own (the list's default order).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index writings_status_written on writings (status, written_on)`.execute(db);
  await sql`create index writings_grade_written on writings (grade, written_on) where grade is not null`.execute(db);
  await sql`create index writings_target on writings (target_id) where target_id is not null`.execute(db);
  await sql`create index writings_written on writings (written_on, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const i of ['writings_status_written', 'writings_grade_written', 'writings_target', 'writings_written']) {
    await sql`drop index ${sql.table(i)}`.execute(db);
  }
}
