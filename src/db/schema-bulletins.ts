import type { ColumnType, Generated } from 'kysely';

// Kysely table types for migration 0013_bulletins. jsonb columns are read as parsed values and
// written as JSON text.

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface BulletinCountersTable {
  campaign_id: number;
  last_number: number;
}

export interface BulletinsTable {
  id: Generated<number>;
  campaign_id: number;
  /** 第N期 within the campaign. */
  number: number;
  region_code: string;
  region_path: string;
  period_from: string;
  period_to: string;
  issued_on: string;
  masthead: string;
  title: string;
  office: string;
  /** The editable sections (contracts/bulletins.ts BulletinSections). */
  sections: Json<unknown>;
  status: ColumnType<'draft' | 'published', 'draft' | 'published' | undefined, 'draft' | 'published'>;
  version: Generated<number>;
  created_by: number | null;
  created_at: Generated<Date>;
  updated_at: Timestamp;
  published_at: Date | null;
  published_by: number | null;
}

export interface BulletinSnapshotsTable {
  bulletin_id: number;
  /** FigureValue[] as published. */
  figures: Json<unknown>;
  sections: Json<unknown>;
  /** The resolved statistics scope (names of campaign, region) as published. */
  scope: Json<unknown>;
  published_at: Generated<Date>;
}

export interface BulletinSnapshotRecordsTable {
  bulletin_id: number;
  figure: string;
  record_kind: string;
  record_ids: number[];
}

export interface BulletinTables {
  bulletin_counters: BulletinCountersTable;
  bulletins: BulletinsTable;
  bulletin_snapshots: BulletinSnapshotsTable;
  bulletin_snapshot_records: BulletinSnapshotRecordsTable;
}
