// Kysely table types for migration 0013_bulletins (issue 7); filled in by its part.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface BulletinTables {}
