import { sql, type Kysely } from 'kysely';

// The campaign calendar and reminders (issue 6 item 3): fixed days and holiday visits as data per
// campaign; notification channels an admin configures (the webhook's signing secret encrypted
// like phones); one row per delivery through a channel, unique per channel and dedupe key, so a
// digest goes out once per cadre, day and channel however many passes run.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table calendar_entries (
      id           serial primary key,
      campaign_id  integer not null references campaigns(id),
      name         text not null,
      kind         text not null check (kind in ('weekday', 'month_day', 'festival')),
      schedule     jsonb not null,
      cadres       jsonb not null default '{}'::jsonb,
      targets      jsonb,
      description  text not null default '',
      active       boolean not null default true,
      sort         integer not null default 0,
      version      integer not null default 1,
      created_by   integer references users(id),
      created_at   timestamptz not null default now(),
      updated_at   timestamptz not null default now()
    )`.execute(db);
  await sql`create index calendar_entries_campaign on calendar_entries (campaign_id, sort, id)`.execute(db);

  await sql`
    create table notification_channels (
      id           serial primary key,
      kind         text not null check (kind in ('webhook')),
      name         text not null,
      url          text not null,
      secret_enc   text not null,
      timeout_ms   integer not null default 5000,
      max_attempts integer not null default 3,
      active       boolean not null default true,
      region_code  text references regions(code),
      region_path  text,
      created_by   integer references users(id),
      created_at   timestamptz not null default now(),
      updated_at   timestamptz not null default now()
    )`.execute(db);
  await sql`create index notification_channels_region on notification_channels (region_path text_pattern_ops)`.execute(db);

  await sql`
    create table notification_deliveries (
      id           bigserial primary key,
      channel_id   integer references notification_channels(id) on delete cascade,
      channel_kind text not null,
      event        text not null,
      dedupe_key   text,
      user_id      integer references users(id),
      cadre_id     integer references cadres(id),
      title        text not null,
      status       text not null check (status in ('pending', 'sent', 'failed')),
      attempts     integer not null default 0,
      http_status  integer,
      error        text,
      created_at   timestamptz not null default now(),
      finished_at  timestamptz
    )`.execute(db);
  await sql`create unique index notification_deliveries_dedupe on notification_deliveries (channel_id, dedupe_key) where dedupe_key is not null`.execute(db);
  await sql`create index notification_deliveries_channel on notification_deliveries (channel_id, created_at desc)`.execute(db);
  await sql`create index notification_deliveries_cadre on notification_deliveries (cadre_id, created_at desc) where cadre_id is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table notification_deliveries`.execute(db);
  await sql`drop table notification_channels`.execute(db);
  await sql`drop table calendar_entries`.execute(db);
}
