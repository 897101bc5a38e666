import { sql, type Kysely } from 'kysely';

// Public commitments (公开履职承诺, issue 6): a leader's pledge within a campaign and a region, its
// milestones (with evidence photos and links to the practical matters or tickets that fulfil
// them), the adjustments made after publication (the text before and after and the reason, so the
// public sees that it changed) and an append-only progress log (a trigger refuses update/delete).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table commitments (
      id                serial primary key,
      campaign_id       integer not null references campaigns(id),
      cadre_id          integer not null references cadres(id),
      leader_position   text not null,
      unit_id           integer not null references units(id),
      unit_path         text not null,
      region_code       text not null references regions(code),
      region_path       text not null,
      title             text not null,
      content           text not null,
      category          text not null,
      starts_on         date not null,
      due_on            date not null,
      published_at      timestamptz,
      honoured_on       date,
      progress_override integer check (progress_override between 0 and 100),
      progress_reason   text,
      adjustment_count  integer not null default 0,
      created_by        integer references users(id),
      created_at        timestamptz not null default now(),
      updated_at        timestamptz not null default now(),
      check (due_on >= starts_on),
      check (honoured_on is null or published_at is not null)
    )`.execute(db);
  // The list filters: region and unit subtrees, leader, campaign, published by due day (status is
  // derived from honoured_on and due_on).
  await sql`create index commitments_region on commitments (region_path text_pattern_ops)`.execute(db);
  await sql`create index commitments_unit on commitments (unit_path text_pattern_ops)`.execute(db);
  await sql`create index commitments_cadre on commitments (cadre_id)`.execute(db);
  await sql`create index commitments_campaign on commitments (campaign_id)`.execute(db);
  await sql`create index commitments_published on commitments (due_on, id) where published_at is not null`.execute(db);

  await sql`
    create table commitment_milestones (
      id             serial primary key,
      commitment_id  integer not null references commitments(id),
      seq            integer not null,
      title          text not null,
      planned_on     date not null,
      done_on        date,
      evidence       text not null default '',
      created_at     timestamptz not null default now(),
      updated_at     timestamptz not null default now(),
      unique (commitment_id, seq)
    )`.execute(db);

  await sql`
    create table commitment_milestone_photos (
      milestone_id  integer not null references commitment_milestones(id),
      photo_id      integer not null references photos(id),
      primary key (milestone_id, photo_id)
    )`.execute(db);
  await sql`create index commitment_milestone_photos_photo on commitment_milestone_photos (photo_id)`.execute(db);

  await sql`
    create table commitment_milestone_links (
      milestone_id  integer not null references commitment_milestones(id),
      matter_id     integer references practical_matters(id),
      ticket_id     integer references tickets(id),
      check ((matter_id is null) <> (ticket_id is null))
    )`.execute(db);
  await sql`create unique index commitment_milestone_links_matter on commitment_milestone_links (milestone_id, matter_id) where matter_id is not null`.execute(db);
  await sql`create unique index commitment_milestone_links_ticket on commitment_milestone_links (milestone_id, ticket_id) where ticket_id is not null`.execute(db);

  await sql`
    create table commitment_adjustments (
      id             serial primary key,
      commitment_id  integer not null references commitments(id),
      before         jsonb not null,
      after          jsonb not null,
      reason         text not null,
      user_id        integer references users(id),
      at             timestamptz not null default now()
    )`.execute(db);
  await sql`create index commitment_adjustments_commitment on commitment_adjustments (commitment_id, id)`.execute(db);

  await sql`
    create table commitment_events (
      id             serial primary key,
      commitment_id  integer not null references commitments(id),
      kind           text not null,
      summary        text not null,
      data           jsonb not null default '{}'::jsonb,
      user_id        integer references users(id),
      username       text not null,
      at             timestamptz not null default now()
    )`.execute(db);
  await sql`create index commitment_events_commitment on commitment_events (commitment_id, id)`.execute(db);
  await sql`
    create function commitment_events_immutable() returns trigger language plpgsql as $$
    begin
      raise exception 'commitment_events are append-only (% refused)', tg_op using errcode = '42501';
    end $$`.execute(db);
  await sql`create trigger commitment_events_no_change before update or delete on commitment_events for each row execute function commitment_events_immutable()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger commitment_events_no_change on commitment_events`.execute(db);
  await sql`drop function commitment_events_immutable()`.execute(db);
  for (const t of ['commitment_events', 'commitment_adjustments', 'commitment_milestone_links', 'commitment_milestone_photos', 'commitment_milestones', 'commitments']) {
    await sql`drop table ${sql.table(t)}`.execute(db);
  }
}
