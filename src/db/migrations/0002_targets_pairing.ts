import { sql, type Kysely } from 'kysely';

// Contact targets (联系对象), campaigns (活动), teams (组团), pairings (结对) with history, and
// coverage rules as data.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table contact_targets (
      id             serial primary key,
      kind           text not null check (kind in ('village','community','building','household','enterprise','project','talent','graduate_official','school','person')),
      name           text not null,
      name_initials  text not null,
      region_code    text not null references regions(code),
      region_path    text not null,
      address        text not null default '',
      tags           text[] not null default '{}',
      latitude       double precision check (latitude between -90 and 90),
      longitude      double precision check (longitude between -180 and 180),
      -- kind-specific fields that are not personal data (household head and members, industry, stage …)
      attrs          jsonb not null default '{}',
      credit_code    text,
      investment_fen bigint check (investment_fen >= 0),
      id_enc         text,
      id_masked      text,
      id_hash        text,
      phone_enc      text,
      phone_masked   text,
      phone_hash     text,
      created_at     timestamptz not null default now(),
      updated_at     timestamptz not null default now()
    )`.execute(db);
  // A village, community or building is the region itself: one target per region.
  await sql`create unique index contact_targets_region_place on contact_targets (region_code) where kind in ('village','community','building')`.execute(db);
  await sql`create unique index contact_targets_credit_code on contact_targets (credit_code) where credit_code is not null`.execute(db);
  await sql`create index contact_targets_kind_region on contact_targets (kind, region_path text_pattern_ops)`.execute(db);
  await sql`create index contact_targets_region_path on contact_targets (region_path text_pattern_ops)`.execute(db);
  await sql`create index contact_targets_tags on contact_targets using gin (tags)`.execute(db);
  await sql`create index contact_targets_name_trgm on contact_targets using gin (name gin_trgm_ops)`.execute(db);
  await sql`create index contact_targets_initials on contact_targets (name_initials text_pattern_ops)`.execute(db);
  await sql`create index contact_targets_id_hash on contact_targets (id_hash)`.execute(db);
  await sql`create index contact_targets_phone_hash on contact_targets (phone_hash)`.execute(db);

  await sql`
    create table campaigns (
      id              serial primary key,
      name            text not null,
      starts_on       date not null,
      ends_on         date not null,
      region_code     text not null references regions(code),
      region_path     text not null,
      description     text not null default '',
      themes          text[] not null default '{}',
      special_actions text[] not null default '{}',
      cadre_roles     text[] not null default '{}',
      -- task list per target kind, e.g. {"enterprise": ["摸实情","讲政策","解难题","推项目","优环境"]}
      tasks           jsonb not null default '{}',
      created_at      timestamptz not null default now(),
      updated_at      timestamptz not null default now(),
      check (ends_on >= starts_on)
    )`.execute(db);
  await sql`create index campaigns_region_path on campaigns (region_path text_pattern_ops)`.execute(db);

  await sql`
    create table campaign_units (
      campaign_id integer not null references campaigns(id) on delete cascade,
      unit_id     integer not null references units(id),
      -- the townships this unit answers for in the campaign (联镇): region codes
      responsible_regions text[] not null default '{}',
      primary key (campaign_id, unit_id)
    )`.execute(db);
  await sql`create index campaign_units_unit on campaign_units (unit_id)`.execute(db);

  await sql`
    create table teams (
      id              serial primary key,
      campaign_id     integer not null references campaigns(id) on delete cascade,
      name            text not null,
      kind            text not null default 'group' check (kind in ('group','research','service')),
      leader_cadre_id integer not null references cadres(id),
      created_at      timestamptz not null default now(),
      unique (campaign_id, name)
    )`.execute(db);
  // One row per period of membership: leaving sets left_on, re-joining adds a row, so history stays.
  await sql`
    create table team_members (
      id        serial primary key,
      team_id   integer not null references teams(id) on delete cascade,
      cadre_id  integer not null references cadres(id),
      joined_on date not null default current_date,
      left_on   date,
      check (left_on is null or left_on >= joined_on)
    )`.execute(db);
  await sql`create unique index team_members_current on team_members (team_id, cadre_id) where left_on is null`.execute(db);
  await sql`create index team_members_cadre on team_members (cadre_id)`.execute(db);

  // A pairing is never deleted: ending it sets ends_on, so history shows who was linked when.
  await sql`
    create table pairings (
      id          serial primary key,
      campaign_id integer not null references campaigns(id),
      target_id   integer not null references contact_targets(id),
      cadre_id    integer references cadres(id),
      team_id     integer references teams(id),
      role        text not null default 'primary' check (role in ('primary','assisting')),
      cadre_role  text,
      starts_on   date not null,
      ends_on     date,
      end_reason  text,
      created_at  timestamptz not null default now(),
      created_by  integer,
      check ((cadre_id is null) <> (team_id is null)),
      check (ends_on is null or ends_on >= starts_on)
    )`.execute(db);
  await sql`create index pairings_campaign_target on pairings (campaign_id, target_id)`.execute(db);
  await sql`create index pairings_campaign_cadre on pairings (campaign_id, cadre_id)`.execute(db);
  await sql`create index pairings_target on pairings (target_id)`.execute(db);
  await sql`create index pairings_cadre on pairings (cadre_id)`.execute(db);
  await sql`create index pairings_team on pairings (team_id)`.execute(db);
  await sql`create unique index pairings_open_cadre on pairings (campaign_id, target_id, cadre_id) where ends_on is null and cadre_id is not null`.execute(db);
  await sql`create unique index pairings_open_team on pairings (campaign_id, target_id, team_id) where ends_on is null and team_id is not null`.execute(db);

  await sql`
    create table coverage_rules (
      id          serial primary key,
      campaign_id integer not null references campaigns(id) on delete cascade,
      kind        text not null check (kind in ('target_cadres','cadre_targets','unit_leader_named')),
      params      jsonb not null default '{}',
      description text not null default '',
      created_at  timestamptz not null default now()
    )`.execute(db);
  await sql`create index coverage_rules_campaign on coverage_rules (campaign_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['coverage_rules', 'pairings', 'team_members', 'teams', 'campaign_units', 'campaigns', 'contact_targets']) {
    await sql`drop table ${sql.table(t)}`.execute(db);
  }
}
