import type { Kysely } from 'kysely';

// Placeholder for issue 7 (statistics); replaced by its part.
export async function up(_db: Kysely<unknown>): Promise<void> {}
