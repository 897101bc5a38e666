import type { ColumnType, Generated } from 'kysely';

// Kysely table types for migration 0012_commitments.

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface CommitmentsTable {
  id: Generated<number>;
  campaign_id: number;
  cadre_id: number;
  /** The leader's post when the pledge was made (shown publicly with the name and unit). */
  leader_position: string;
  unit_id: number;
  unit_path: string;
  region_code: string;
  region_path: string;
  title: string;
  content: string;
  category: string;
  starts_on: string;
  due_on: string;
  /** null: a draft, seen only by staff. */
  published_at: Date | null;
  honoured_on: string | null;
  progress_override: number | null;
  progress_reason: string | null;
  adjustment_count: Generated<number>;
  created_by: number | null;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface CommitmentMilestonesTable {
  id: Generated<number>;
  commitment_id: number;
  seq: number;
  title: string;
  planned_on: string;
  done_on: string | null;
  evidence: Generated<string>;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface CommitmentMilestonePhotosTable {
  milestone_id: number;
  photo_id: number;
}

export interface CommitmentMilestoneLinksTable {
  milestone_id: number;
  matter_id: number | null;
  ticket_id: number | null;
}

export interface CommitmentAdjustmentsTable {
  id: Generated<number>;
  commitment_id: number;
  before: ColumnType<Record<string, unknown>, string, string>;
  after: ColumnType<Record<string, unknown>, string, string>;
  reason: string;
  user_id: number | null;
  at: Generated<Date>;
}

export interface CommitmentEventsTable {
  id: Generated<number>;
  commitment_id: number;
  kind: string;
  summary: string;
  data: ColumnType<Record<string, unknown>, string | undefined, never>;
  user_id: number | null;
  username: string;
  at: Generated<Date>;
}

export interface CommitmentTables {
  commitments: CommitmentsTable;
  commitment_milestones: CommitmentMilestonesTable;
  commitment_milestone_photos: CommitmentMilestonePhotosTable;
  commitment_milestone_links: CommitmentMilestoneLinksTable;
  commitment_adjustments: CommitmentAdjustmentsTable;
  commitment_events: CommitmentEventsTable;
}
