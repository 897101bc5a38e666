import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompiledQuery, sql, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryId, type RootOperationNode } from 'kysely';
import pg from 'pg';
import { openPostgres, type Database, type DatabaseHandle } from '../src/db/database.ts';
import type { PostgresServer } from '../test/postgres-server.ts';

// What the benchmark scripts (bench/run.ts, bench/planner.ts) share: cleanup of the resources they
// open, option checks, statistics, the machine description, EXPLAIN of a measure, the result files
// in bench/results/ and the generated blocks of docs/PERFORMANCE.md.

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const resultsDir = join(root, 'bench', 'results');
export const docFile = join(root, 'docs', 'PERFORMANCE.md');

export type Driver = 'pglite' | 'postgres';
export const driverLabel: Record<Driver, string> = { pglite: 'PGlite', postgres: 'PostgreSQL' };

// ---- Options
/** --driver pglite | postgres | both, as the list of drivers to measure. */
export function parseDrivers(v: string | undefined, usage: string): Driver[] {
  if (v === 'both') return ['pglite', 'postgres'];
  if (v === 'pglite' || v === 'postgres') return [v];
  throw new Error(`--driver must be pglite, postgres or both\n${usage}`);
}

/** An integer option checker whose errors end with the script's usage. */
export function intOptions(usage: string): (name: string, v: string, min: number) => number {
  return (name, v, min) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got "${v}"\n${usage}`);
    return n;
  };
}

// ---- Cleanup: every resource registers its release; run in reverse on success, error, signal or timeout.
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;
export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await withTimeout(fn(), 30_000, 'cleanup');
      } catch (e) {
        console.error('cleanup:', e instanceof Error ? e.message : e);
      }
    }
  })();
  return cleaning;
}

/** Cleans up and exits on an uncaught exception, SIGINT, SIGTERM, or once the whole run exceeds timeoutMs. */
export function installCleanupHandlers(timeoutMs: number): void {
  process.once('uncaughtException', (e) => {
    console.error(e);
    void cleanup().finally(() => process.exit(1));
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  setTimeout(() => {
    console.error(`\nbenchmark exceeded --timeout ${timeoutMs / 1000}s: stopping`);
    void cleanup().finally(() => process.exit(1));
  }, timeoutMs).unref();
}

/** Runs main, then the cleanup, and exits: 0 on success, 1 on failure. */
export async function runMain(main: () => Promise<void>): Promise<never> {
  let code = 0;
  try {
    await main();
  } catch (e) {
    // After a signal or the timeout, the failure is only the databases closing underneath.
    if (!cleaning) console.error(e);
    code = 1;
  } finally {
    await cleanup();
  }
  process.exit(code);
}

/** Wraps a release so it runs once, whether called at the end of its use or by the final cleanup. */
export function releaser(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  const release = () => (done ??= fn());
  cleanups.push(release);
  return release;
}

// ---- The throwaway PostgreSQL server
/**
 * Stops the PostgreSQL server. As root, test/postgres-server.ts runs the server through `runuser`,
 * and its stop() sends SIGINT to runuser, which blocks that signal: the server would keep running
 * and stop() would wait forever. So the postmaster itself (its pid from postmaster.pid) is asked
 * to shut down first: SIGTERM (smart shutdown) lets the pools, closed just before, finish their
 * disconnect; a fast shutdown (SIGINT) at once would send them an error they do not listen for.
 * Once the postmaster has exited, runuser exits too and stop() removes the temporary directory.
 */
export async function stopper(server: PostgresServer): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: server.url('postgres') });
  await client.connect();
  let postmaster: number | undefined;
  try {
    const dataDir = (await client.query<{ data_directory: string }>('show data_directory')).rows[0]!.data_directory;
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0) postmaster = pid;
  } finally {
    await client.end();
  }
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const signal = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  };
  return async () => {
    if (postmaster) {
      signal(postmaster, 'SIGTERM');
      for (const deadline = Date.now() + 10_000; alive(postmaster) && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 50));
      if (alive(postmaster)) signal(postmaster, 'SIGINT');
    }
    await withTimeout(server.stop(), 30_000, 'stopping PostgreSQL');
  };
}

/** (Re)creates database `name` on the server and opens a pool of 10 on it. */
export async function openFreshPostgres(server: PostgresServer, name: string): Promise<DatabaseHandle> {
  const admin = new pg.Client({ connectionString: server.url('postgres') });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name}`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return openPostgres(server.url(name), 10);
}

// ---- Statistics
/** Percentile by linear interpolation between closest ranks (R type 7). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  return sorted[lo]! + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]!) - sorted[lo]!);
}
export const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 0.5);
/** Milliseconds with two, one or no decimals. */
export const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));

// ---- Machine
export type Machine = { cpus: number; cpuModel: string; memoryGiB: number; node: string; postgres: string; pglite: string; pgliteServer: string; loadavg: number[] };
function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1]!.trim();
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? 'unknown';
}
function nproc(): number {
  try {
    return Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    return cpus().length;
  }
}
function pgliteVersion(): string {
  let dir = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@electric-sql/pglite') return pkg.version ?? 'unknown';
    }
  }
  return 'unknown';
}
/** The machine now; the server versions (postgres, pgliteServer) are left empty for the caller to fill in. */
export function describeMachine(): Machine {
  return {
    cpus: nproc(), cpuModel: cpuModel(), memoryGiB: totalmem() / 2 ** 30, node: process.version,
    postgres: '', pglite: pgliteVersion(), pgliteServer: '', loadavg: loadavg(),
  };
}
/** The one-line summary printed at the start of a run. */
export const machineLine = (m: Machine) => `${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB.toFixed(1)} GiB, Node ${m.node}, load ${m.loadavg.map((x) => x.toFixed(2)).join(' ')}`;
export const serverVersion = async (db: Database) => (await sql<{ server_version: string }>`show server_version`.execute(db)).rows[0]!.server_version;

// ---- EXPLAIN (ANALYZE, BUFFERS) of the statements a measure issues (--explain)
class Capture implements KyselyPlugin {
  readonly queries: { node: RootOperationNode; queryId: QueryId }[] = [];
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.queries.push({ node: args.node, queryId: args.queryId });
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs) {
    return args.result;
  }
}
export async function explain(m: { run: (db: Database) => Promise<unknown> }, db: Database): Promise<string> {
  const capture = new Capture();
  await m.run(db.withPlugin(capture));
  const out: string[] = [];
  for (const { node, queryId } of capture.queries) {
    const q = db.getExecutor().compileQuery(node, queryId);
    const plan = await db.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain (analyze, buffers) ${q.sql}`, [...q.parameters]));
    out.push(`-- ${q.sql}\n-- parameters: ${JSON.stringify(q.parameters)}\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}\n`);
  }
  return out.join('\n');
}

// ---- Result files (bench/results/) and docs/PERFORMANCE.md
/** An ISO date usable in a file name. */
export const fileStamp = (date: string) => date.replace(/[:.]/g, '-');

/** Writes bench/results/<name>, creating the directory; returns the file's path. */
export function writeResultFile(name: string, content: string): string {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, name);
  writeFileSync(file, content);
  return file;
}

/** The JSON result files in bench/results/ whose names match, newest first. */
export function loadResultFiles<T extends { date: string }>(names: RegExp): T[] {
  if (!existsSync(resultsDir)) return [];
  return readdirSync(resultsDir)
    .filter((f) => names.test(f))
    .map((f) => JSON.parse(readFileSync(join(resultsDir, f), 'utf8')) as T)
    .sort((a, b) => (a.date < b.date ? 1 : -1));
}

/**
 * Puts body between the begin and end markers of docs/PERFORMANCE.md, replacing what was there.
 * Without both markers, place decides where the block goes in the document (undefined when the
 * file does not exist yet) and returns the whole new document.
 */
export function writeDocBlock(begin: string, end: string, body: string, place: (doc: string | undefined, block: string) => string): void {
  const block = `${begin}\n${body}\n${end}`;
  const doc = existsSync(docFile) ? readFileSync(docFile, 'utf8') : undefined;
  if (doc !== undefined) {
    const a = doc.indexOf(begin);
    const b = doc.indexOf(end);
    if (a >= 0 && b > a) {
      writeFileSync(docFile, doc.slice(0, a) + block + doc.slice(b + end.length));
      return;
    }
  } else {
    mkdirSync(dirname(docFile), { recursive: true });
  }
  writeFileSync(docFile, place(doc, block));
}
