import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite-dialect.ts';
import type { DB } from './schema.ts';

export type Database = Kysely<DB>;
/** Either the database or an open transaction: every domain function takes this first. */
export type Executor = Kysely<DB> | Transaction<DB>;

export type DatabaseHandle = {
  db: Database;
  driver: 'pglite' | 'postgres';
  close: () => Promise<void>;
};

// Same JS types from both drivers: int8 counts as numbers, dates as 'YYYY-MM-DD' strings.
const INT8 = 20;
const DATE = 1082;
pg.types.setTypeParser(INT8, (v) => Number(v));
pg.types.setTypeParser(DATE, (v) => v);

// Statements run again and again (the same SQL text, other parameters) are prepared once per
// connection: the server parses and analyses them once, and may keep a plan for them, instead of
// doing it on every request. Only the first texts seen twice are named, so the server-side cache
// stays bounded whatever SQL the process builds.
const PREPARED_MAX = 500;
const seen = new Map<string, string | null>();
let prepared = 0;
/** The statement's name if it is to be prepared: from its second run on, for the first PREPARED_MAX texts. */
function statementName(text: string): string | undefined {
  const name = seen.get(text);
  if (name) return name;
  if (name === null && prepared < PREPARED_MAX) {
    const named = `lx${++prepared}`;
    seen.set(text, named);
    return named;
  }
  if (name === undefined && seen.size < 20 * PREPARED_MAX) seen.set(text, null);
  return undefined;
}
class PreparingClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [text, values] = args;
    const name = args.length === 2 && typeof text === 'string' && Array.isArray(values) ? statementName(text) : undefined;
    if (name) return (super.query as (c: unknown) => never)({ name, text, values });
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

/** The URL's own `options` (startup settings), if any, followed by `more`. */
function withOption(url: string, more: string): string {
  let own: string | null = null;
  try {
    own = new URL(url).searchParams.get('options');
  } catch {
    // not a URL (a key=value string): pg reads its options itself, ours follow
  }
  return own ? `${own} ${more}` : more;
}

export function openPostgres(url: string, poolSize = 10): DatabaseHandle {
  // No JIT: PostgreSQL compiles a plan whose estimated cost is high, and for the dashboard's
  // statements at the province tier that took about 2 s each, longer than running them.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, Client: PreparingClient, options: withOption(url, '-c jit=off') });
  // An idle client losing its server (restart, shutdown) must not crash the process; the next
  // query gets a fresh connection or a clear error.
  pool.on('error', (err) => console.error('PostgreSQL pool: idle client error:', err.message));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, driver: 'postgres', close: () => db.destroy() };
}

/** Embedded PostgreSQL (PGlite, WASM). `dataDir` undefined keeps everything in memory (tests). */
export async function openPGlite(dataDir?: string): Promise<DatabaseHandle> {
  let dir: string | undefined;
  if (dataDir) {
    dir = join(dataDir, 'pglite');
    mkdirSync(dir, { recursive: true });
  }
  const pglite = await PGlite.create({
    ...(dir ? { dataDir: dir } : {}),
    extensions: { pg_trgm },
    parsers: { [INT8]: (v: string) => Number(v), [DATE]: (v: string) => v },
  });
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return { db, driver: 'pglite', close: () => db.destroy() };
}

export async function openDatabase(opts: { databaseUrl?: string | undefined; dataDir: string; poolSize?: number }) {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, opts.poolSize) : openPGlite(opts.dataDir);
}

/** Runs `fn` in a transaction, or inside the caller's transaction if one is already open. */
export async function inTransaction<T>(db: Executor, fn: (tx: Transaction<DB>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as Transaction<DB>);
  return db.transaction().execute(fn);
}
