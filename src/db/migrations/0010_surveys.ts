import { sql, type Kysely } from 'kysely';

// Issue 6 item 4 — dual evaluation (双评). A survey is one round for one period: its questions
// grouped by dimension, its links (one per target or unit, an unguessable token each), and the
// responses. A respondent is known only by a keyed hash of their phone, unique per survey and rated
// subject; device and network are kept as hashes/prefixes for the inflation checks and never shown.
// Each 不满意 answer keeps the id of the rectification ticket it raised.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table surveys (
      id           serial primary key,
      title        text not null,
      kind         text not null check (kind in ('public_cadre','public_unit','enterprise_unit')),
      campaign_id  integer references campaigns(id),
      region_code  text not null references regions(code),
      region_path  text not null,
      period_kind  text not null check (period_kind in ('month','quarter','year','custom')),
      starts_on    date not null,
      ends_on      date not null,
      state        text not null default 'draft' check (state in ('draft','open','closed')),
      intro        text not null default '',
      version      integer not null default 1,
      created_by   integer references users(id),
      created_at   timestamptz not null default now(),
      updated_at   timestamptz not null default now(),
      check (ends_on >= starts_on)
    )`.execute(db);
  await sql`create index surveys_region_path on surveys (region_path text_pattern_ops)`.execute(db);
  await sql`create index surveys_state on surveys (state, starts_on)`.execute(db);
  await sql`create index surveys_campaign on surveys (campaign_id)`.execute(db);

  await sql`
    create table survey_questions (
      id            serial primary key,
      survey_id     integer not null references surveys(id) on delete cascade,
      position      integer not null,
      dimension     text not null,
      text          text not null,
      required      boolean not null default true,
      allow_comment boolean not null default true,
      unique (survey_id, position)
    )`.execute(db);

  await sql`
    create table survey_links (
      id          serial primary key,
      survey_id   integer not null references surveys(id) on delete cascade,
      target_id   integer references contact_targets(id),
      unit_id     integer references units(id),
      token       text not null unique,
      created_at  timestamptz not null default now(),
      check ((target_id is null) <> (unit_id is null))
    )`.execute(db);
  await sql`create unique index survey_links_target on survey_links (survey_id, target_id) where target_id is not null`.execute(db);
  await sql`create unique index survey_links_unit on survey_links (survey_id, unit_id) where unit_id is not null`.execute(db);

  await sql`
    create table survey_responses (
      id               serial primary key,
      survey_id        integer not null references surveys(id),
      link_id          integer not null references survey_links(id),
      subject_kind     text not null check (subject_kind in ('cadre','unit')),
      cadre_id         integer references cadres(id),
      unit_id          integer not null references units(id),
      subject_key      text not null,
      region_path      text not null,
      unit_path        text not null,
      respondent_hash  text not null,
      device_hash      text,
      ip_net           text,
      signature        text not null,
      all_satisfied    boolean not null,
      excluded         boolean not null default false,
      excluded_by      integer references users(id),
      submitted_at     timestamptz not null default now(),
      check ((subject_kind = 'cadre') = (cadre_id is not null))
    )`.execute(db);
  // One response per respondent per rated subject per round (the round is the period).
  await sql`create unique index survey_responses_once on survey_responses (survey_id, subject_key, respondent_hash)`.execute(db);
  await sql`create index survey_responses_subject on survey_responses (survey_id, subject_key, submitted_at)`.execute(db);
  await sql`create index survey_responses_device on survey_responses (survey_id, device_hash) where device_hash is not null`.execute(db);
  await sql`create index survey_responses_net on survey_responses (survey_id, ip_net) where ip_net is not null`.execute(db);
  await sql`create index survey_responses_region on survey_responses (region_path text_pattern_ops)`.execute(db);

  await sql`
    create table survey_answers (
      id           serial primary key,
      response_id  integer not null references survey_responses(id) on delete cascade,
      question_id  integer not null references survey_questions(id),
      value        text not null check (value in ('satisfied','basic','unsatisfied')),
      comment      text,
      ticket_id    integer references tickets(id),
      unique (response_id, question_id)
    )`.execute(db);
  await sql`create index survey_answers_question on survey_answers (question_id, value)`.execute(db);

  // Inflation flags, one per response and check; the evidence says what was seen.
  await sql`
    create table survey_flags (
      response_id  integer not null references survey_responses(id) on delete cascade,
      survey_id    integer not null references surveys(id),
      kind         text not null check (kind in ('device','network','burst')),
      evidence     jsonb not null,
      created_at   timestamptz not null default now(),
      primary key (response_id, kind)
    )`.execute(db);
  await sql`create index survey_flags_survey on survey_flags (survey_id, kind)`.execute(db);

  // The category the rectification tickets are filed under.
  await sql`insert into ticket_categories (code, parent_code, name_zh, name_en, sort) values ('evaluation', null, '双评整改', 'Evaluation follow-up', 90) on conflict (code) do nothing`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['survey_flags', 'survey_answers', 'survey_responses', 'survey_links', 'survey_questions', 'surveys']) {
    await sql`drop table ${sql.raw(t)}`.execute(db);
  }
  await sql`delete from ticket_categories where code = 'evaluation' and not exists (select 1 from tickets where category_code = 'evaluation')`.execute(db);
}
