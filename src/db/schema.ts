import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { RequirementTables } from './schema-requirements.ts';
import type { CalendarTables } from './schema-calendar.ts';
import type { SurveyTables } from './schema-surveys.ts';
import type { AssessmentTables } from './schema-assessments.ts';
import type { CommitmentTables } from './schema-commitments.ts';
import type { BulletinTables } from './schema-bulletins.ts';
import type { RollupTables } from './schema-rollups.ts';
import type {
  ClosureType as TicketClosureType, DeadlineMark, SuperviseLevel, TicketOutcome, TicketRating, TicketSource, TicketState, TicketType, TicketUrgency,
} from '../../contracts/tickets.ts';

// Table types for Kysely. Column names are snake_case as in SQL; the camelCase contracts are
// produced by the feature modules that select from these tables.
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface RegionsTable {
  code: string;
  name: string;
  level: 'province' | 'city' | 'county' | 'township' | 'village' | 'grid' | 'building';
  parent_code: string | null;
  path: string;
  depth: number;
  valid_from: ColumnType<string, string | undefined, string>;
  valid_to: string | null;
  created_at: Generated<Date>;
}

export interface UnitsTable {
  id: Generated<number>;
  code: string;
  name: string;
  level: 'city' | 'county' | 'township' | 'village';
  parent_id: number | null;
  path: string;
  region_code: string;
  region_path: string;
  leader_cadre_id: number | null;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface CadresTable {
  id: Generated<number>;
  name: string;
  name_initials: string;
  gender: 'male' | 'female' | null;
  unit_id: number;
  rank: 'city' | 'county' | 'section' | 'general' | 'village';
  position: Generated<string>;
  status: Generated<'active' | 'second_line' | 'retired' | 'transferred'>;
  phone_enc: string | null;
  phone_masked: string | null;
  phone_hash: string | null;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  display_name: string;
  role: 'admin' | 'unit_leader' | 'cadre' | 'handling_dept' | 'supervisor' | 'leadership' | 'hotline_operator';
  region_code: string | null;
  unit_id: number | null;
  cadre_id: number | null;
  failed_logins: Generated<number>;
  locked_until: Date | null;
  disabled: Generated<boolean>;
  last_login_at: Date | null;
  created_at: Generated<Date>;
}

export interface SessionsTable {
  id: string;
  user_id: number;
  csrf_token: string;
  ip: string | null;
  created_at: Generated<Date>;
  last_seen_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<string>;
  at: Generated<Date>;
  user_id: number | null;
  username: string | null;
  ip: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  detail: unknown;
  region_path: string | null;
  unit_path: string | null;
}

export type TargetKind = 'village' | 'community' | 'building' | 'household' | 'enterprise' | 'project' | 'talent' | 'graduate_official' | 'school' | 'person';

export interface ContactTargetsTable {
  id: Generated<number>;
  kind: TargetKind;
  name: string;
  name_initials: string;
  region_code: string;
  region_path: string;
  address: Generated<string>;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  latitude: number | null;
  longitude: number | null;
  attrs: ColumnType<Record<string, unknown>, string | undefined, string>;
  credit_code: string | null;
  investment_fen: number | null;
  id_enc: string | null;
  id_masked: string | null;
  id_hash: string | null;
  phone_enc: string | null;
  phone_masked: string | null;
  phone_hash: string | null;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface CampaignsTable {
  id: Generated<number>;
  name: string;
  starts_on: string;
  ends_on: string;
  region_code: string;
  region_path: string;
  description: Generated<string>;
  themes: ColumnType<string[], string[] | undefined, string[]>;
  special_actions: ColumnType<string[], string[] | undefined, string[]>;
  cadre_roles: ColumnType<string[], string[] | undefined, string[]>;
  tasks: ColumnType<Record<string, string[]>, string | undefined, string>;
  /** How often a paired cadre should visit a target of each kind: {"household": {"times": 4, "per": "year"}}. */
  visit_frequency: ColumnType<Record<string, { times: number; per: 'week' | 'month' | 'quarter' | 'year' }>, string | undefined, string>;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface CampaignUnitsTable {
  campaign_id: number;
  unit_id: number;
  responsible_regions: ColumnType<string[], string[] | undefined, string[]>;
}

export interface TeamsTable {
  id: Generated<number>;
  campaign_id: number;
  name: string;
  kind: Generated<'group' | 'research' | 'service'>;
  leader_cadre_id: number;
  created_at: Generated<Date>;
}

export interface TeamMembersTable {
  id: Generated<number>;
  team_id: number;
  cadre_id: number;
  joined_on: ColumnType<string, string | undefined, string>;
  left_on: string | null;
}

export interface PairingsTable {
  id: Generated<number>;
  campaign_id: number;
  target_id: number;
  cadre_id: number | null;
  team_id: number | null;
  role: Generated<'primary' | 'assisting'>;
  cadre_role: string | null;
  starts_on: string;
  ends_on: string | null;
  end_reason: string | null;
  created_at: Generated<Date>;
  created_by: number | null;
}

export interface CoverageRulesTable {
  id: Generated<number>;
  campaign_id: number;
  kind: 'target_cadres' | 'cadre_targets' | 'unit_leader_named';
  params: ColumnType<Record<string, unknown>, string | undefined, string>;
  description: Generated<string>;
  created_at: Generated<Date>;
}

export type ActivityKind =
  | 'household_visit' | 'stay' | 'forum' | 'talk' | 'consultation' | 'policy_talk' | 'condolence'
  | 'reception' | 'onsite_office' | 'enterprise_visit' | 'project_visit' | 'research';

export interface PhotosTable {
  id: Generated<number>;
  sha256: string;
  mime: 'image/jpeg' | 'image/png' | 'image/heic';
  bytes: number;
  width: number | null;
  height: number | null;
  taken_at: Date | null;
  latitude: number | null;
  longitude: number | null;
  has_thumbnail: Generated<boolean>;
  uploaded_by: number | null;
  created_at: Generated<Date>;
}

export interface PhotoUploadsTable {
  user_id: number;
  photo_id: number;
  uploaded_at: Generated<Date>;
}

export interface ActivitiesTable {
  id: Generated<number>;
  client_id: string;
  client_hash: string;
  campaign_id: number | null;
  kind: ActivityKind;
  title: Generated<string>;
  starts_at: Timestamp;
  ends_at: Timestamp;
  stay_days: Generated<number>;
  region_code: string;
  region_path: string;
  place: Generated<string>;
  latitude: number | null;
  longitude: number | null;
  accuracy_m: number | null;
  findings: Generated<string>;
  actions: Generated<string>;
  attendees: number | null;
  money_fen: number | null;
  version: Generated<number>;
  recorded_by: number | null;
  recorded_at: ColumnType<Date, Date | string | undefined, Date | string>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** null: the integrity checks have yet to look at this version of the record (0006). */
  integrity_checked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface ActivityParticipantsTable {
  activity_id: number;
  cadre_id: number;
  unit_path: string;
}

export interface ActivityTargetsTable {
  activity_id: number;
  target_id: number;
}

export interface ActivityPhotosTable {
  activity_id: number;
  photo_id: number;
  position: Generated<number>;
}

export interface ActivityProblemsTable {
  id: Generated<number>;
  activity_id: number;
  description: string;
  ticket_id: number | null;
  created_at: Generated<Date>;
}

export type MatterStatus = 'promised' | 'in_progress' | 'done';

export interface PracticalMattersTable {
  id: Generated<number>;
  campaign_id: number | null;
  target_id: number;
  activity_id: number | null;
  cadre_id: number | null;
  title: string;
  description: Generated<string>;
  amount_fen: Generated<number>;
  fund_source: Generated<string>;
  status: Generated<MatterStatus>;
  promised_on: string;
  done_on: string | null;
  region_code: string;
  region_path: string;
  unit_path: string | null;
  created_by: number | null;
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface PracticalMatterPhotosTable {
  matter_id: number;
  photo_id: number;
  stage: 'before' | 'after';
}

export type WritingKind = 'diary' | 'research_topic' | 'research_report' | 'leader_memo' | 'development_plan';
export type WritingStatus = 'draft' | 'submitted' | 'reviewed' | 'selected';
export type WritingGrade = '优' | '良' | '中' | '差';

export interface WritingsTable {
  id: Generated<number>;
  kind: WritingKind;
  title: string;
  body: Generated<string>;
  campaign_id: number | null;
  author_cadre_id: number | null;
  team_id: number | null;
  topic_id: number | null;
  target_id: number | null;
  region_code: string | null;
  region_path: string;
  unit_path: string;
  status: Generated<WritingStatus>;
  grade: WritingGrade | null;
  review_comment: string | null;
  reviewed_by: number | null;
  reviewed_at: Date | null;
  selected_for: string | null;
  selected_at: Date | null;
  submitted_at: Date | null;
  written_on: string;
  created_by: number | null;
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export type IntegrityCheckKind =
  | 'duplicate_photo' | 'far_from_target' | 'impossible_travel' | 'late_entry'
  | 'backdated_burst' | 'attendance_exceeds_population' | 'double_stay';

export interface IntegrityFlagsTable {
  id: Generated<number>;
  activity_id: number;
  check_kind: IntegrityCheckKind;
  cadre_id: number | null;
  dedupe_key: Generated<string>;
  evidence: ColumnType<Record<string, unknown>, string | undefined, string>;
  region_path: string;
  created_at: Generated<Date>;
  cleared_at: Date | null;
  cleared_by: number | null;
  clear_reason: string | null;
}

// ── Tickets (issue 5) ──────────────────────────────────────────────────────────────────────
type Json = ColumnType<Record<string, unknown>, string | undefined, string>;

export interface TicketCategoriesTable {
  code: string;
  parent_code: string | null;
  name_zh: string;
  name_en: string;
  sort: Generated<number>;
  active: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface TicketSettingsTable {
  id: number;
  policy: Json;
  updated_at: Timestamp;
  updated_by: number | null;
}

export interface Open311KeysTable {
  id: Generated<number>;
  name: string;
  key_hash: string;
  key_prefix: string;
  created_by: number | null;
  created_at: Generated<Date>;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

export interface TicketsTable {
  id: Generated<number>;
  tracking_code: string;
  source: TicketSource;
  type: TicketType;
  category_code: string;
  urgency: TicketUrgency;
  title: string;
  content: string;
  requester_target_id: number | null;
  requester_name: string | null;
  requester_anonymous: Generated<boolean>;
  requester_phone_enc: string | null;
  requester_phone_masked: string | null;
  requester_phone_hash: string | null;
  region_code: string;
  region_path: string;
  address: Generated<string>;
  lat: number | null;
  lng: number | null;
  campaign_id: number | null;
  activity_id: number | null;
  found_by_cadre_id: number | null;
  finder_unit_path: string | null;
  handling_unit_id: number | null;
  handling_unit_path: string | null;
  state: TicketState;
  first_dispatched_at: Date | null;
  dispatched_at: Date | null;
  sign_due_at: Date | null;
  signed_at: Date | null;
  due_at: Date | null;
  due_beyond_calendar: Generated<boolean>;
  pending_extension_days: number | null;
  pending_extension_at: Date | null;
  extension_count: Generated<number>;
  closure_type: TicketClosureType | null;
  reply: string | null;
  resolved_at: Date | null;
  resolved_on_time: boolean | null;
  handling_working_days: number | null;
  rating: TicketRating | null;
  rating_comment: string | null;
  rated_at: Date | null;
  outcome: TicketOutcome | null;
  closed_at: Date | null;
  reopen_count: Generated<number>;
  merged_into_id: number | null;
  repeat_of_id: number | null;
  deadline_mark: Generated<DeadlineMark>;
  open311_key_id: number | null;
  open311_token: string | null;
  media_url: string | null;
  public_failures: Generated<number>;
  public_locked_until: Date | null;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: Generated<number>;
}

export interface TicketEventsTable {
  id: Generated<string>;
  ticket_id: number;
  seq: number;
  action: string;
  from_state: TicketState | null;
  to_state: TicketState;
  actor_user_id: number | null;
  actor_role: string;
  actor_name: string;
  at: Timestamp;
  note: string | null;
  data: Json;
}

export interface TicketAssistingUnitsTable {
  ticket_id: number;
  unit_id: number;
  unit_path: string;
  added_at: Generated<Date>;
}

export interface TicketAttachmentsTable {
  ticket_id: number;
  photo_id: number;
  event_id: string | null;
  added_at: Generated<Date>;
}

export interface TicketSupervisionsTable {
  id: Generated<number>;
  ticket_id: number;
  level: SuperviseLevel;
  automatic: boolean;
  due_at: Date | null;
  note: string;
  issued_by: number | null;
  issued_at: Timestamp;
  reply: string | null;
  replied_by: number | null;
  replied_at: Date | null;
}

export interface NotificationsTable {
  id: Generated<string>;
  user_id: number;
  kind: string;
  title: string;
  body: Generated<string>;
  ticket_id: number | null;
  link: string | null;
  dedupe_key: string | null;
  created_at: Timestamp;
  read_at: Date | null;
}

export interface SchedulerTicksTable {
  job: string;
  tick_at: Date;
  claimed_by: string;
  claimed_at: Generated<Date>;
  finished_at: Date | null;
  stats: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
}

export interface DB extends RequirementTables, CalendarTables, SurveyTables, AssessmentTables, CommitmentTables, BulletinTables, RollupTables {
  ticket_categories: TicketCategoriesTable;
  ticket_settings: TicketSettingsTable;
  open311_keys: Open311KeysTable;
  tickets: TicketsTable;
  ticket_events: TicketEventsTable;
  ticket_assisting_units: TicketAssistingUnitsTable;
  ticket_attachments: TicketAttachmentsTable;
  ticket_supervisions: TicketSupervisionsTable;
  notifications: NotificationsTable;
  scheduler_ticks: SchedulerTicksTable;
  photos: PhotosTable;
  photo_uploads: PhotoUploadsTable;
  activities: ActivitiesTable;
  activity_participants: ActivityParticipantsTable;
  activity_targets: ActivityTargetsTable;
  activity_photos: ActivityPhotosTable;
  activity_problems: ActivityProblemsTable;
  practical_matters: PracticalMattersTable;
  practical_matter_photos: PracticalMatterPhotosTable;
  writings: WritingsTable;
  integrity_flags: IntegrityFlagsTable;
  contact_targets: ContactTargetsTable;
  campaigns: CampaignsTable;
  campaign_units: CampaignUnitsTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  pairings: PairingsTable;
  coverage_rules: CoverageRulesTable;
  regions: RegionsTable;
  units: UnitsTable;
  cadres: CadresTable;
  users: UsersTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
}

export type Region = Selectable<RegionsTable>;
export type Unit = Selectable<UnitsTable>;
export type NewUnit = Insertable<UnitsTable>;
export type Cadre = Selectable<CadresTable>;
export type CadreUpdate = Updateable<CadresTable>;
export type User = Selectable<UsersTable>;
