import type { ColumnType, Generated } from 'kysely';
import type { SurveyAnswerValue, SurveyFlagKind, SurveyKind, SurveyPeriodKind, SurveyState } from '../../contracts/surveys.ts';

// Kysely table types for migration 0010_surveys (双评).

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface SurveysTable {
  id: Generated<number>;
  title: string;
  kind: SurveyKind;
  campaign_id: number | null;
  region_code: string;
  region_path: string;
  period_kind: SurveyPeriodKind;
  starts_on: string;
  ends_on: string;
  state: Generated<SurveyState>;
  intro: Generated<string>;
  version: Generated<number>;
  created_by: number | null;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface SurveyQuestionsTable {
  id: Generated<number>;
  survey_id: number;
  position: number;
  dimension: string;
  text: string;
  required: Generated<boolean>;
  allow_comment: Generated<boolean>;
}

export interface SurveyLinksTable {
  id: Generated<number>;
  survey_id: number;
  target_id: number | null;
  unit_id: number | null;
  token: string;
  created_at: Generated<Date>;
}

export interface SurveyResponsesTable {
  id: Generated<number>;
  survey_id: number;
  link_id: number;
  subject_kind: 'cadre' | 'unit';
  cadre_id: number | null;
  unit_id: number;
  subject_key: string;
  region_path: string;
  unit_path: string;
  respondent_hash: string;
  device_hash: string | null;
  ip_net: string | null;
  signature: string;
  all_satisfied: boolean;
  excluded: Generated<boolean>;
  excluded_by: number | null;
  submitted_at: Timestamp;
}

export interface SurveyAnswersTable {
  id: Generated<number>;
  response_id: number;
  question_id: number;
  value: SurveyAnswerValue;
  comment: string | null;
  ticket_id: number | null;
}

export interface SurveyFlagsTable {
  response_id: number;
  survey_id: number;
  kind: SurveyFlagKind;
  evidence: ColumnType<Record<string, unknown>, string, string>;
  created_at: Timestamp;
}

export interface SurveyTables {
  surveys: SurveysTable;
  survey_questions: SurveyQuestionsTable;
  survey_links: SurveyLinksTable;
  survey_responses: SurveyResponsesTable;
  survey_answers: SurveyAnswersTable;
  survey_flags: SurveyFlagsTable;
}
