import { sql } from 'kysely';

// Materialised paths: a tree node's path is its ancestors' keys and its own joined by '/'.
// "Under p" is `path = p or path like 'p/%'`: one range scan on a text_pattern_ops index.
export const pathUnder = (column: string, scopePath: string) =>
  sql<boolean>`(${sql.ref(column)} = ${scopePath} or ${sql.ref(column)} like ${`${scopePath}/%`})`;
