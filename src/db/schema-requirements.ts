import type { ColumnType, Generated } from 'kysely';
import type { ComplianceStatus } from '../../contracts/requirements.ts';

// Kysely table types for migration 0008_requirements.

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface RequirementRulesTable {
  id: Generated<number>;
  campaign_id: number;
  name: string;
  /** The rule as contracts/requirements.ts `requirementRule` outputs it. */
  rule: ColumnType<unknown, string, string>;
  at_risk_days: Generated<number>;
  active: Generated<boolean>;
  sort: Generated<number>;
  version: Generated<number>;
  created_by: number | null;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface ComplianceResultsTable {
  rule_id: number;
  window_key: string;
  subject_id: number;
  window_start: string;
  window_end: string;
  subject_name: string;
  count: number;
  required_min: number | null;
  required_max: number | null;
  status: ComplianceStatus;
  reason: string;
  explanation: string;
  cadre_id: number | null;
  target_id: number | null;
  team_id: number | null;
  unit_id: number | null;
  unit_path: string | null;
  region_path: string | null;
  computed_at: Timestamp;
}

export interface CompliancePendingTable {
  id: Generated<string>;
  campaign_id: number | null;
  cadre_id: number | null;
  target_id: number | null;
  team_id: number | null;
  day: string | null;
  /** 'activity:<kind>', 'writing:<kind>', 'matter', 'pairing'; null = any (0015). */
  record_kind: string | null;
  queued_at: Generated<Date>;
}

export interface RequirementTables {
  requirement_rules: RequirementRulesTable;
  compliance_results: ComplianceResultsTable;
  compliance_pending: CompliancePendingTable;
}
