import { sql, type Kysely } from 'kysely';

// The 1000-point assessment (千分制考核, issue 6): a scheme per year for the townships or units of
// a region, its indicator tree (groups → indicators whose weights sum to exactly 1000, plus bonus
// and deduction items), one score row per assessed subject × item (auto scores keep the inputs
// they came from), and the rewards and penalties decided on the result.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table assessment_schemes (
      id             serial primary key,
      year           integer not null check (year between 2000 and 2100),
      name           text not null,
      campaign_id    integer references campaigns(id),
      region_code    text not null references regions(code),
      region_path    text not null,
      subject_kind   text not null check (subject_kind in ('township', 'unit')),
      status         text not null default 'draft' check (status in ('draft', 'scoring', 'submitted', 'approved', 'published')),
      bonus_cap      double precision not null default 0 check (bonus_cap >= 0),
      deduction_cap  double precision not null default 0 check (deduction_cap >= 0),
      return_reason  text,
      submitted_at   timestamptz,
      approved_at    timestamptz,
      approved_by    integer references users(id),
      published_at   timestamptz,
      created_by     integer references users(id),
      created_at     timestamptz not null default now(),
      updated_at     timestamptz not null default now()
    )`.execute(db);
  // The list filters: under a region (prefix match), by year and status.
  await sql`create index assessment_schemes_region on assessment_schemes (region_path text_pattern_ops)`.execute(db);
  await sql`create index assessment_schemes_year on assessment_schemes (year, status)`.execute(db);

  await sql`
    create table assessment_subjects (
      id           serial primary key,
      scheme_id    integer not null references assessment_schemes(id) on delete cascade,
      region_code  text references regions(code),
      unit_id      integer references units(id),
      name         text not null,
      region_path  text not null,
      unit_path    text,
      check ((region_code is not null) <> (unit_id is not null))
    )`.execute(db);
  await sql`create unique index assessment_subjects_region on assessment_subjects (scheme_id, region_code) where region_code is not null`.execute(db);
  await sql`create unique index assessment_subjects_unit on assessment_subjects (scheme_id, unit_id) where unit_id is not null`.execute(db);

  await sql`
    create table assessment_items (
      id          serial primary key,
      scheme_id   integer not null references assessment_schemes(id) on delete cascade,
      parent_id   integer references assessment_items(id) on delete cascade,
      kind        text not null check (kind in ('group', 'indicator', 'bonus', 'deduction')),
      code        text not null,
      name        text not null,
      weight      double precision not null default 0 check (weight >= 0),
      method      text check (method in ('auto', 'manual')),
      measure     text,
      formula     jsonb,
      description text not null default '',
      sort        integer not null default 0,
      unique (scheme_id, code)
    )`.execute(db);
  await sql`create index assessment_items_scheme on assessment_items (scheme_id, sort, id)`.execute(db);

  await sql`
    create table assessment_scores (
      subject_id   integer not null references assessment_subjects(id) on delete cascade,
      item_id      integer not null references assessment_items(id) on delete cascade,
      scheme_id    integer not null references assessment_schemes(id) on delete cascade,
      score        double precision not null,
      value        double precision,
      numerator    double precision,
      denominator  double precision,
      note         text not null default '',
      photo_ids    integer[] not null default '{}',
      entered_by   integer references users(id),
      entered_at   timestamptz not null default now(),
      primary key (subject_id, item_id)
    )`.execute(db);
  await sql`create index assessment_scores_scheme on assessment_scores (scheme_id)`.execute(db);

  await sql`
    create table assessment_decisions (
      id           serial primary key,
      scheme_id    integer references assessment_schemes(id),
      year         integer not null check (year between 2000 and 2100),
      kind         text not null check (kind in ('promote', 'commend', 'reward', 'criticize', 'reassign', 'dismiss', 'admonish')),
      cadre_id     integer references cadres(id),
      unit_id      integer references units(id),
      name         text not null,
      region_path  text not null,
      unit_path    text,
      decision     text not null,
      decided_on   date not null,
      reference    text not null default '',
      created_by   integer references users(id),
      created_at   timestamptz not null default now(),
      check ((cadre_id is not null) <> (unit_id is not null))
    )`.execute(db);
  // The list filters: under a region, by year and kind, by scheme.
  await sql`create index assessment_decisions_region on assessment_decisions (region_path text_pattern_ops)`.execute(db);
  await sql`create index assessment_decisions_year on assessment_decisions (year, kind)`.execute(db);
  await sql`create index assessment_decisions_scheme on assessment_decisions (scheme_id) where scheme_id is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['assessment_decisions', 'assessment_scores', 'assessment_items', 'assessment_subjects', 'assessment_schemes']) {
    await sql`drop table if exists ${sql.table(t)}`.execute(db);
  }
}
