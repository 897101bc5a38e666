import { sql, type Kysely } from 'kysely';

// Who uploaded a photo: every account that sent the same bytes, not only the first. Photos are
// stored once per content, so when a second cadre uploads a picture someone else already sent,
// they must still be able to attach it to their own record (where the duplicate-photo check finds
// it) and see it. photos.uploaded_by keeps the first uploader.
// Also the indexes behind the practical-matter list's status and period filters that 0003 did
// not cover (status alone, and promised_on on its own, the list's order).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table photo_uploads (
      user_id     integer not null references users(id),
      photo_id    integer not null references photos(id) on delete cascade,
      uploaded_at timestamptz not null default now(),
      primary key (user_id, photo_id)
    )`.execute(db);
  await sql`create index photo_uploads_photo on photo_uploads (photo_id)`.execute(db);
  await sql`create index practical_matters_status_promised on practical_matters (status, promised_on)`.execute(db);
  await sql`create index practical_matters_promised on practical_matters (promised_on, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index practical_matters_promised`.execute(db);
  await sql`drop index practical_matters_status_promised`.execute(db);
  await sql`drop table photo_uploads`.execute(db);
}
