// Statistics rollups (migration 0016): a cache of the records, read and written by
// src/features/statistics/rollups.ts in raw SQL; typed here for the few builder queries.
export interface StatRollupStateTable { id: number; area_segments: number; built_at: Date }
export interface StatPendingTable { campaign_id: number; area: string; day: string }

export interface RollupTables {
  stat_rollup_state: StatRollupStateTable;
  stat_pending: StatPendingTable;
}
