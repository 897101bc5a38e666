import { sql, type Kysely } from 'kysely';

// Foundation: region tree, units, cadres, accounts, sessions, audit log.
// Trees keep a materialised path so "everything under X" is one range scan on a btree index
// (text_pattern_ops makes LIKE 'prefix%' indexable under any collation, on PG 15 and PGlite).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);

  await sql`
    create table regions (
      code        text primary key,
      name        text not null,
      level       text not null check (level in ('province','city','county','township','village','grid','building')),
      parent_code text references regions(code),
      path        text not null unique,
      depth       smallint not null,
      valid_from  date not null default date '2000-01-01',
      valid_to    date,
      created_at  timestamptz not null default now()
    )`.execute(db);
  await sql`create index regions_path_prefix on regions (path text_pattern_ops)`.execute(db);
  await sql`create index regions_parent on regions (parent_code, code)`.execute(db);
  await sql`create index regions_name_trgm on regions using gin (name gin_trgm_ops)`.execute(db);

  await sql`
    create table units (
      id              serial primary key,
      code            text not null unique,
      name            text not null,
      level           text not null check (level in ('city','county','township','village')),
      parent_id       integer references units(id),
      path            text not null,
      region_code     text not null references regions(code),
      region_path     text not null,
      leader_cadre_id integer,
      created_at      timestamptz not null default now(),
      updated_at      timestamptz not null default now()
    )`.execute(db);
  await sql`create index units_path_prefix on units (path text_pattern_ops)`.execute(db);
  await sql`create index units_region_path on units (region_path text_pattern_ops)`.execute(db);
  await sql`create index units_parent on units (parent_id)`.execute(db);
  await sql`create index units_level on units (level)`.execute(db);
  await sql`create index units_name_trgm on units using gin (name gin_trgm_ops)`.execute(db);

  await sql`
    create table cadres (
      id           serial primary key,
      name         text not null,
      name_initials text not null,
      gender       text check (gender in ('male','female')),
      unit_id      integer not null references units(id),
      rank         text not null check (rank in ('city','county','section','general','village')),
      position     text not null default '',
      status       text not null default 'active' check (status in ('active','second_line','retired','transferred')),
      phone_enc    text,
      phone_masked text,
      phone_hash   text,
      created_at   timestamptz not null default now(),
      updated_at   timestamptz not null default now()
    )`.execute(db);
  await sql`create index cadres_unit on cadres (unit_id, id)`.execute(db);
  await sql`create index cadres_rank on cadres (rank)`.execute(db);
  await sql`create index cadres_status on cadres (status)`.execute(db);
  await sql`create index cadres_name_trgm on cadres using gin (name gin_trgm_ops)`.execute(db);
  await sql`create index cadres_initials on cadres (name_initials text_pattern_ops)`.execute(db);
  await sql`create index cadres_phone_hash on cadres (phone_hash)`.execute(db);
  await sql`alter table units add constraint units_leader_fk foreign key (leader_cadre_id) references cadres(id) on delete set null`.execute(db);

  await sql`
    create table users (
      id             serial primary key,
      username       text not null unique,
      password_hash  text not null,
      display_name   text not null,
      role           text not null check (role in ('admin','unit_leader','cadre','handling_dept','supervisor','leadership','hotline_operator')),
      region_code    text references regions(code),
      unit_id        integer references units(id),
      cadre_id       integer references cadres(id),
      failed_logins  integer not null default 0,
      locked_until   timestamptz,
      disabled       boolean not null default false,
      last_login_at  timestamptz,
      created_at     timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table sessions (
      id           text primary key,
      user_id      integer not null references users(id) on delete cascade,
      csrf_token   text not null,
      ip           text,
      created_at   timestamptz not null default now(),
      last_seen_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index sessions_user on sessions (user_id)`.execute(db);

  await sql`
    create table audit_log (
      id        bigserial primary key,
      at        timestamptz not null default now(),
      user_id   integer,
      username  text,
      ip        text,
      action    text not null,
      entity    text not null,
      entity_id text,
      detail    jsonb,
      -- where the record lives, so a scoped admin reads only the entries about their own records
      region_path text,
      unit_path   text
    )`.execute(db);
  await sql`create index audit_log_at on audit_log (at desc, id desc)`.execute(db);
  await sql`create index audit_log_entity on audit_log (entity, entity_id)`.execute(db);
  await sql`create index audit_log_user on audit_log (user_id, at desc)`.execute(db);
  await sql`create index audit_log_action on audit_log (action)`.execute(db);
  await sql`create index audit_log_region on audit_log (region_path text_pattern_ops)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['audit_log', 'sessions', 'users']) await sql`drop table ${sql.table(t)}`.execute(db);
  await sql`alter table units drop constraint units_leader_fk`.execute(db);
  for (const t of ['cadres', 'units', 'regions']) await sql`drop table ${sql.table(t)}`.execute(db);
}
