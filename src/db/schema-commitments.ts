// Kysely table types for issue 6 — placeholder, filled with the tables of migration 0012_commitments.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CommitmentTables {}
