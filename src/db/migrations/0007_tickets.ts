import { sql, type Kysely } from 'kysely';
import { defaultTicketCategories, defaultTicketDeadlinePolicy, type CategoryNode } from '../../../contracts/tickets.ts';

// The ticket loop (工单 / 问题台账), issue 5: tickets, their immutable event log, configurable
// categories and deadline policy, assisting units, attachments, supervision notices (督办),
// in-app notifications, the scheduler's once-per-tick claims, and Open311 API keys.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table ticket_categories (
      code        text primary key check (code ~ '^[a-z0-9_]+(\\.[a-z0-9_]+)*$'),
      parent_code text references ticket_categories(code),
      name_zh     text not null,
      name_en     text not null,
      sort        integer not null default 0,
      active      boolean not null default true,
      created_at  timestamptz not null default now()
    )`.execute(db);
  const rows: { code: string; parent: string | null; zh: string; en: string; sort: number }[] = [];
  const walk = (nodes: readonly CategoryNode[], parent: string | null) =>
    nodes.forEach((n, i) => {
      rows.push({ code: n.code, parent, zh: n.zh, en: n.en, sort: i });
      walk(n.children ?? [], n.code);
    });
  walk(defaultTicketCategories, null);
  for (const r of rows) {
    await sql`insert into ticket_categories (code, parent_code, name_zh, name_en, sort) values (${r.code}, ${r.parent}, ${r.zh}, ${r.en}, ${r.sort})`.execute(db);
  }

  // One row: the deadline limits in working days (contracts/tickets.ts ticketDeadlinePolicy).
  await sql`
    create table ticket_settings (
      id         integer primary key check (id = 1),
      policy     jsonb not null,
      updated_at timestamptz not null default now(),
      updated_by integer references users(id)
    )`.execute(db);
  await sql`insert into ticket_settings (id, policy) values (1, ${JSON.stringify(defaultTicketDeadlinePolicy)}::jsonb)`.execute(db);

  await sql`
    create table open311_keys (
      id           serial primary key,
      name         text not null,
      key_hash     text not null unique,
      key_prefix   text not null,
      created_by   integer references users(id),
      created_at   timestamptz not null default now(),
      revoked_at   timestamptz,
      last_used_at timestamptz
    )`.execute(db);

  await sql`
    create table tickets (
      id                   serial primary key,
      tracking_code        text not null unique,
      source               text not null check (source in ('visit','forum','hotline','web','letter_visit','enterprise','open311')),
      type                 text not null check (type in ('consult','help','complaint','report','suggestion')),
      category_code        text not null references ticket_categories(code),
      urgency              text not null check (urgency in ('normal','urgent','critical')),
      title                text not null,
      content              text not null,
      requester_target_id  integer references contact_targets(id),
      requester_name       text,
      requester_anonymous  boolean not null default false,
      requester_phone_enc    text,
      requester_phone_masked text,
      requester_phone_hash   text,
      region_code          text not null references regions(code),
      region_path          text not null,
      address              text not null default '',
      lat                  double precision,
      lng                  double precision,
      campaign_id          integer references campaigns(id),
      activity_id          integer references activities(id),
      found_by_cadre_id    integer references cadres(id),
      finder_unit_path     text,
      handling_unit_id     integer references units(id),
      handling_unit_path   text,
      state                text not null check (state in ('registered','dispatched','signed','in_progress','resolved','reopened','closed')),
      first_dispatched_at  timestamptz,
      dispatched_at        timestamptz,
      sign_due_at          timestamptz,
      signed_at            timestamptz,
      due_at               timestamptz,
      due_beyond_calendar  boolean not null default false,
      pending_extension_days integer,
      pending_extension_at   timestamptz,
      extension_count      integer not null default 0,
      closure_type         text check (closure_type in ('substantive','interim','procedural')),
      reply                text,
      resolved_at          timestamptz,
      resolved_on_time     boolean,
      handling_working_days integer,
      rating               text check (rating in ('satisfied','basically_satisfied','unsatisfied')),
      rating_comment       text,
      rated_at             timestamptz,
      outcome              text check (outcome in ('satisfied','basically_satisfied','unsatisfied','unrated','merged')),
      closed_at            timestamptz,
      reopen_count         integer not null default 0 check (reopen_count between 0 and 1),
      merged_into_id       integer references tickets(id),
      repeat_of_id         integer references tickets(id),
      deadline_mark        text not null default 'on_time' check (deadline_mark in ('on_time','due_soon','overdue','long_overdue')),
      open311_key_id       integer references open311_keys(id),
      open311_token        text unique,
      media_url            text,
      -- The public page asks for the phone's last 4 digits: wrong guesses lock the code for a while.
      public_failures      integer not null default 0,
      public_locked_until  timestamptz,
      created_by           integer references users(id),
      created_at           timestamptz not null default now(),
      updated_at           timestamptz not null default now(),
      version              integer not null default 1
    )`.execute(db);
  // The ledger's filters, each one indexed: state, type, category, unit, region, period, overdue.
  await sql`create index tickets_created on tickets (created_at, id)`.execute(db);
  await sql`create index tickets_state_created on tickets (state, created_at)`.execute(db);
  await sql`create index tickets_type_created on tickets (type, created_at)`.execute(db);
  await sql`create index tickets_category_created on tickets (category_code, created_at)`.execute(db);
  await sql`create index tickets_unit_created on tickets (handling_unit_id, created_at)`.execute(db);
  await sql`create index tickets_unit_path on tickets (handling_unit_path text_pattern_ops)`.execute(db);
  await sql`create index tickets_finder_unit_path on tickets (finder_unit_path text_pattern_ops) where finder_unit_path is not null`.execute(db);
  await sql`create index tickets_region_created on tickets (region_path text_pattern_ops, created_at)`.execute(db);
  // Open tickets by deadline: the overdue filter, the supervisor's board and the scheduler's pass.
  await sql`create index tickets_open_due on tickets (due_at) where state in ('dispatched','signed','in_progress','reopened')`.execute(db);
  await sql`create index tickets_open_mark on tickets (deadline_mark, due_at) where state in ('registered','dispatched','signed','in_progress','reopened')`.execute(db);
  await sql`create index tickets_resolved_unrated on tickets (resolved_at) where state = 'resolved'`.execute(db);
  await sql`create index tickets_requester_phone on tickets (requester_phone_hash, created_at) where requester_phone_hash is not null`.execute(db);
  await sql`create index tickets_requester_target on tickets (requester_target_id, created_at) where requester_target_id is not null`.execute(db);
  await sql`create index tickets_activity on tickets (activity_id) where activity_id is not null`.execute(db);
  await sql`create index tickets_title_trgm on tickets using gin (title gin_trgm_ops)`.execute(db);
  await sql`create index tickets_open311_key on tickets (open311_key_id, created_at) where open311_key_id is not null`.execute(db);
  await sql`create index tickets_updated on tickets (updated_at, id)`.execute(db);

  // The immutable log: who did what, when, from which state to which. Rows are never changed.
  await sql`
    create table ticket_events (
      id            bigserial primary key,
      ticket_id     integer not null references tickets(id),
      seq           integer not null,
      action        text not null,
      from_state    text,
      to_state      text not null,
      actor_user_id integer references users(id),
      actor_role    text not null,
      actor_name    text not null,
      at            timestamptz not null default now(),
      note          text,
      data          jsonb not null default '{}'::jsonb,
      unique (ticket_id, seq)
    )`.execute(db);
  await sql`create index ticket_events_at on ticket_events (at)`.execute(db);
  await sql`
    create function ticket_events_immutable() returns trigger language plpgsql as $$
    begin
      raise exception 'ticket_events are immutable (% refused)', tg_op using errcode = '42501';
    end $$`.execute(db);
  await sql`create trigger ticket_events_no_change before update or delete on ticket_events for each row execute function ticket_events_immutable()`.execute(db);

  await sql`
    create table ticket_assisting_units (
      ticket_id  integer not null references tickets(id),
      unit_id    integer not null references units(id),
      unit_path  text not null,
      added_at   timestamptz not null default now(),
      primary key (ticket_id, unit_id)
    )`.execute(db);
  await sql`create index ticket_assisting_units_path on ticket_assisting_units (unit_path text_pattern_ops)`.execute(db);

  await sql`
    create table ticket_attachments (
      ticket_id  integer not null references tickets(id),
      photo_id   integer not null references photos(id),
      event_id   bigint references ticket_events(id),
      added_at   timestamptz not null default now(),
      primary key (ticket_id, photo_id)
    )`.execute(db);
  await sql`create index ticket_attachments_photo on ticket_attachments (photo_id)`.execute(db);

  // Supervision notices (督办): by a supervisor, or by the scheduler at the deadline (yellow) and
  // later (red). The scheduler issues each level at most once per deadline (the unique index).
  await sql`
    create table ticket_supervisions (
      id          serial primary key,
      ticket_id   integer not null references tickets(id),
      level       text not null check (level in ('yellow','red')),
      automatic   boolean not null,
      due_at      timestamptz,
      note        text not null,
      issued_by   integer references users(id),
      issued_at   timestamptz not null default now(),
      reply       text,
      replied_by  integer references users(id),
      replied_at  timestamptz
    )`.execute(db);
  await sql`create unique index ticket_supervisions_auto on ticket_supervisions (ticket_id, level, due_at) where automatic`.execute(db);
  await sql`create index ticket_supervisions_ticket on ticket_supervisions (ticket_id, issued_at)`.execute(db);
  await sql`create index ticket_supervisions_open on ticket_supervisions (issued_at) where replied_at is null`.execute(db);

  // In-app notifications (also for issue 6's reminders). dedupe_key makes a repeated send a no-op.
  await sql`
    create table notifications (
      id          bigserial primary key,
      user_id     integer not null references users(id),
      kind        text not null,
      title       text not null,
      body        text not null default '',
      ticket_id   integer references tickets(id),
      link        text,
      dedupe_key  text,
      created_at  timestamptz not null default now(),
      read_at     timestamptz
    )`.execute(db);
  await sql`create unique index notifications_dedupe on notifications (user_id, dedupe_key) where dedupe_key is not null`.execute(db);
  await sql`create index notifications_user on notifications (user_id, created_at desc)`.execute(db);
  await sql`create index notifications_unread on notifications (user_id) where read_at is null`.execute(db);

  // Scheduled jobs claim a tick by inserting its row; the primary key lets exactly one process win.
  await sql`
    create table scheduler_ticks (
      job         text not null,
      tick_at     timestamptz not null,
      claimed_by  text not null,
      claimed_at  timestamptz not null default now(),
      finished_at timestamptz,
      stats       jsonb,
      primary key (job, tick_at)
    )`.execute(db);

  await sql`alter table activity_problems add constraint activity_problems_ticket_fk foreign key (ticket_id) references tickets(id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table activity_problems drop constraint activity_problems_ticket_fk`.execute(db);
  for (const t of ['scheduler_ticks', 'notifications', 'ticket_supervisions', 'ticket_attachments', 'ticket_assisting_units']) {
    await sql`drop table ${sql.raw(t)}`.execute(db);
  }
  await sql`drop trigger ticket_events_no_change on ticket_events`.execute(db);
  await sql`drop table ticket_events`.execute(db);
  await sql`drop function ticket_events_immutable()`.execute(db);
  for (const t of ['tickets', 'open311_keys', 'ticket_settings', 'ticket_categories']) {
    await sql`drop table ${sql.raw(t)}`.execute(db);
  }
}
