import { sql, type Kysely } from 'kysely';

// Bulletins (简报, issue 7): numbered per campaign (第N期, the number taken from a per-campaign
// counter row locked in the creating transaction, so concurrent creates get N and N+1 and no
// gaps), for a region and a period. A draft's sections are edited under optimistic locking
// (version). Publishing writes an immutable snapshot: the figure values, the final sections and,
// per figure, the ids of the records behind it, so the drill-down survives later edits of those
// records. Triggers refuse any change to a snapshot and to a published bulletin.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table bulletin_counters (
      campaign_id  integer primary key references campaigns(id),
      last_number  integer not null
    )`.execute(db);

  await sql`
    create table bulletins (
      id            serial primary key,
      campaign_id   integer not null references campaigns(id),
      number        integer not null check (number > 0),
      region_code   text not null references regions(code),
      region_path   text not null,
      period_from   date not null,
      period_to     date not null,
      issued_on     date not null,
      masthead      text not null,
      title         text not null,
      office        text not null,
      sections      jsonb not null,
      status        text not null default 'draft' check (status in ('draft', 'published')),
      version       integer not null default 1,
      created_by    integer references users(id),
      created_at    timestamptz not null default now(),
      updated_at    timestamptz not null default now(),
      published_at  timestamptz,
      published_by  integer references users(id),
      unique (campaign_id, number),
      check (period_to >= period_from),
      check ((status = 'published') = (published_at is not null))
    )`.execute(db);
  // The list filters: campaign (by number), region subtree, status.
  await sql`create index bulletins_region on bulletins (region_path text_pattern_ops)`.execute(db);
  await sql`create index bulletins_status on bulletins (status, issued_on)`.execute(db);

  await sql`
    create table bulletin_snapshots (
      bulletin_id   integer primary key references bulletins(id),
      figures       jsonb not null,
      sections      jsonb not null,
      scope         jsonb not null,
      published_at  timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table bulletin_snapshot_records (
      bulletin_id  integer not null references bulletin_snapshots(bulletin_id),
      figure       text not null,
      record_kind  text not null,
      record_ids   integer[] not null,
      primary key (bulletin_id, figure)
    )`.execute(db);

  await sql`
    create function bulletin_snapshot_immutable() returns trigger language plpgsql as $$
    begin
      raise exception 'a published bulletin''s snapshot is immutable (% on % refused)', tg_op, tg_table_name using errcode = '42501';
    end $$`.execute(db);
  await sql`create trigger bulletin_snapshots_no_change before update or delete on bulletin_snapshots for each row execute function bulletin_snapshot_immutable()`.execute(db);
  await sql`create trigger bulletin_snapshot_records_no_change before update or delete on bulletin_snapshot_records for each row execute function bulletin_snapshot_immutable()`.execute(db);
  await sql`
    create function bulletins_published_immutable() returns trigger language plpgsql as $$
    begin
      if old.status = 'published' then
        raise exception 'bulletin % is published and immutable (% refused)', old.id, tg_op using errcode = '42501';
      end if;
      return case when tg_op = 'DELETE' then old else new end;
    end $$`.execute(db);
  await sql`create trigger bulletins_published_no_change before update or delete on bulletins for each row execute function bulletins_published_immutable()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger bulletins_published_no_change on bulletins`.execute(db);
  await sql`drop trigger bulletin_snapshot_records_no_change on bulletin_snapshot_records`.execute(db);
  await sql`drop trigger bulletin_snapshots_no_change on bulletin_snapshots`.execute(db);
  await sql`drop function bulletins_published_immutable()`.execute(db);
  await sql`drop function bulletin_snapshot_immutable()`.execute(db);
  for (const t of ['bulletin_snapshot_records', 'bulletin_snapshots', 'bulletins', 'bulletin_counters']) {
    await sql`drop table ${sql.table(t)}`.execute(db);
  }
}
