import type { ColumnType, Generated } from 'kysely';
import type { AssessmentStatus, AssessmentItemKind, DecisionKind } from '../../contracts/assessments.ts';

// Kysely table types for migration 0011_assessments.

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface AssessmentSchemesTable {
  id: Generated<number>;
  year: number;
  name: string;
  campaign_id: number | null;
  region_code: string;
  region_path: string;
  subject_kind: 'township' | 'unit';
  status: Generated<AssessmentStatus>;
  bonus_cap: Generated<number>;
  deduction_cap: Generated<number>;
  return_reason: string | null;
  submitted_at: Date | null;
  approved_at: Date | null;
  approved_by: number | null;
  published_at: Date | null;
  created_by: number | null;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface AssessmentSubjectsTable {
  id: Generated<number>;
  scheme_id: number;
  region_code: string | null;
  unit_id: number | null;
  name: string;
  region_path: string;
  unit_path: string | null;
}

export interface AssessmentItemsTable {
  id: Generated<number>;
  scheme_id: number;
  parent_id: number | null;
  kind: AssessmentItemKind;
  code: string;
  name: string;
  weight: Generated<number>;
  method: 'auto' | 'manual' | null;
  measure: string | null;
  /** contracts/assessments.ts `autoFormula` as stored. */
  formula: ColumnType<unknown, string | null, string | null>;
  description: Generated<string>;
  sort: Generated<number>;
}

export interface AssessmentScoresTable {
  subject_id: number;
  item_id: number;
  scheme_id: number;
  score: number;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  note: Generated<string>;
  photo_ids: ColumnType<number[], number[] | undefined, number[]>;
  entered_by: number | null;
  entered_at: Timestamp;
}

export interface AssessmentDecisionsTable {
  id: Generated<number>;
  scheme_id: number | null;
  year: number;
  kind: DecisionKind;
  cadre_id: number | null;
  unit_id: number | null;
  name: string;
  region_path: string;
  unit_path: string | null;
  decision: string;
  decided_on: ColumnType<string, string, string>;
  reference: Generated<string>;
  created_by: number | null;
  created_at: Generated<Date>;
}

export interface AssessmentTables {
  assessment_schemes: AssessmentSchemesTable;
  assessment_subjects: AssessmentSubjectsTable;
  assessment_items: AssessmentItemsTable;
  assessment_scores: AssessmentScoresTable;
  assessment_decisions: AssessmentDecisionsTable;
}
