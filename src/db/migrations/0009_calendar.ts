import type { Kysely } from 'kysely';

// Issue 6 — placeholder: the tables of this part land here.
export async function up(_db: Kysely<unknown>): Promise<void> {}

export async function down(_db: Kysely<unknown>): Promise<void> {}
