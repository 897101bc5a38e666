import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

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

export interface DB {
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
