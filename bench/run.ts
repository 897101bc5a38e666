import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openPGlite, type Database, type DatabaseHandle } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { scopeOf } from '../src/features/auth/accounts.ts';
import type { Actor } from '../src/features/auth/actor.ts';
import { listCadres } from '../src/features/cadres/cadres.ts';
import { listRegions } from '../src/features/regions/regions.ts';
import { startPostgres, type PostgresServer } from '../test/postgres-server.ts';
import { benchKey, generateTier, tiers, type TierInfo, type TierName } from './generate.ts';
import {
  cleanups, describeMachine, driverLabel, explain, fileStamp, fmt, installCleanupHandlers, intOptions, loadResultFiles, machineLine, median,
  openFreshPostgres, percentile, releaser, runMain, serverVersion, stopper, writeDocBlock, writeResultFile, type Driver, type Machine,
} from './harness.ts';

// The search benchmark: for each tier, the same generated data in an embedded PGlite and in a
// throwaway PostgreSQL server; each measure is warmed up, then timed with the two drivers taking
// turns, iteration by iteration, so that noise on this shared machine falls on both alike.
// Results go to bench/results/<date>.json (git-ignored) and into docs/PERFORMANCE.md.

const usage = `npm run bench -- [--tier county|city|all] [--iterations N] [--warmup N] [--budget SECONDS]
                     [--timeout SECONDS] [--pglite memory|disk] [--explain] [--no-write] [--aggregate K]`;

const { values: opts } = parseArgs({
  options: {
    tier: { type: 'string', default: 'all' },
    iterations: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '10' },
    budget: { type: 'string', default: '10' },
    timeout: { type: 'string', default: '900' },
    pglite: { type: 'string', default: 'memory' },
    explain: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    aggregate: { type: 'string', default: '5' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (opts.help) {
  console.log(usage);
  process.exit(0);
}
const intOpt = intOptions(usage);
const tierNames: TierName[] = opts.tier === 'all' ? ['county', 'city'] : opts.tier === 'county' || opts.tier === 'city' ? [opts.tier] : (() => { throw new Error(`--tier must be county, city or all\n${usage}`); })();
const iterations = intOpt('iterations', opts.iterations, 1);
const warmup = intOpt('warmup', opts.warmup, 0);
const budgetMs = intOpt('budget', opts.budget, 1) * 1000;
const timeoutMs = intOpt('timeout', opts.timeout, 10) * 1000;
const aggregateRuns = intOpt('aggregate', opts.aggregate, 1);
if (opts.pglite !== 'memory' && opts.pglite !== 'disk') throw new Error(`--pglite must be memory or disk\n${usage}`);
const pgliteStorage = opts.pglite;

installCleanupHandlers(timeoutMs);

// ---- Measures
type Measure = { id: string; label: string; run: (db: Database) => Promise<{ total: number }> };

function measures(info: TierInfo, regionActor: Actor, countyActor: Actor): Measure[] {
  const t = info.township;
  return [
    {
      id: 'regions.township',
      label: `regions under a township (${t.name}, ${t.villages} villages), page of 200`,
      run: (db) => listRegions(db, regionActor, { under: t.code, page: 1, pageSize: 200 }),
    },
    {
      id: 'regions.top',
      label: `regions under the ${info.tier} (${info.top.name}), page of 200`,
      run: (db) => listRegions(db, regionActor, { under: info.top.code, page: 1, pageSize: 200 }),
    },
    {
      id: 'cadres.name',
      label: `cadres by name fragment "${info.nameFragment}", page of 20`,
      run: (db) => listCadres(db, countyActor, benchKey, { q: info.nameFragment, page: 1, pageSize: 20 }),
    },
    {
      id: 'cadres.initials',
      label: `cadres by pinyin initials "${info.initials}", page of 20`,
      run: (db) => listCadres(db, countyActor, benchKey, { q: info.initials, page: 1, pageSize: 20 }),
    },
    {
      id: 'cadres.unit',
      label: `cadres in a unit subtree (${info.county.committeeUnitName}), page of 20`,
      run: (db) => listCadres(db, countyActor, benchKey, { unitId: info.county.committeeUnitId, page: 1, pageSize: 20 }),
    },
    {
      id: 'cadres.regionRank',
      label: `cadres in a region subtree (${t.name}) with rank = general, page of 20`,
      run: (db) => listCadres(db, countyActor, benchKey, { region: t.code, rank: 'general', page: 1, pageSize: 20 }),
    },
  ];
}

type Result = { tier: TierName; driver: Driver; measure: string; label: string; rows: number; n: number; median: number; p95: number; mean: number; min: number; max: number };
type RunFile = {
  date: string;
  machine: Machine;
  options: { tiers: TierName[]; iterations: number; warmup: number; budgetSeconds: number; pglite: 'memory' | 'disk' };
  generation: { tier: TierName; driver: Driver; ms: number; counts: TierInfo['counts'] }[];
  results: Result[];
};

async function timeMeasure(tier: TierName, m: Measure, dbs: Record<Driver, Database>): Promise<Result[]> {
  const drivers: Driver[] = ['pglite', 'postgres'];
  const rows: Partial<Record<Driver, number>> = {};
  for (const d of drivers) rows[d] = (await m.run(dbs[d])).total;
  if (rows.pglite !== rows.postgres) throw new Error(`${tier}/${m.id}: PGlite finds ${rows.pglite} rows, PostgreSQL ${rows.postgres}`);
  for (let i = 0; i < warmup; i++) for (const d of drivers) await m.run(dbs[d]);
  const samples: Record<Driver, number[]> = { pglite: [], postgres: [] };
  const start = performance.now();
  for (let i = 0; i < iterations && performance.now() - start < budgetMs; i++) {
    // Alternate which driver goes first, so neither always runs right after the other.
    for (const d of i % 2 === 0 ? drivers : [...drivers].reverse()) {
      const t0 = performance.now();
      await m.run(dbs[d]);
      samples[d].push(performance.now() - t0);
    }
  }
  return drivers.map((d) => {
    const s = samples[d].sort((a, b) => a - b);
    return {
      tier, driver: d, measure: m.id, label: m.label, rows: rows[d]!, n: s.length,
      median: percentile(s, 0.5), p95: percentile(s, 0.95), mean: s.reduce((a, b) => a + b, 0) / s.length, min: s[0]!, max: s[s.length - 1]!,
    };
  });
}

// ---- Output
function table(results: Result[], heading = true): string {
  const lines = heading ? ['| tier | measure | rows | PGlite median | PGlite p95 | PostgreSQL median | PostgreSQL p95 |', '|---|---|---:|---:|---:|---:|---:|'] : [];
  const keys = [...new Set(results.map((r) => `${r.tier}\u0000${r.measure}`))];
  for (const key of keys) {
    const [tier, measure] = key.split('\u0000') as [TierName, string];
    const of = (d: Driver) => results.find((r) => r.tier === tier && r.measure === measure && r.driver === d);
    const a = of('pglite');
    const b = of('postgres');
    const label = (a ?? b)!.label;
    const cell = (r: Result | undefined, f: 'median' | 'p95') => (r ? fmt(r[f]) : '–');
    lines.push(`| ${tier} | ${label} | ${(a ?? b)!.rows} | ${cell(a, 'median')} | ${cell(a, 'p95')} | ${cell(b, 'median')} | ${cell(b, 'p95')} |`);
  }
  return lines.join('\n');
}

function loadRuns(): RunFile[] {
  return loadResultFiles<RunFile>(/^run-.*\.json$/)
    .filter((r) => r.options.pglite === pgliteStorage)
    .slice(0, aggregateRuns);
}

/** Per tier × measure × driver: the median over runs of each run's median and p95. */
function aggregate(runs: RunFile[]): { results: Result[]; range: Map<string, [number, number]> } {
  const groups = new Map<string, Result[]>();
  for (const run of runs) for (const r of run.results) {
    const k = `${r.tier}\u0000${r.measure}\u0000${r.driver}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const range = new Map<string, [number, number]>();
  const results: Result[] = [];
  // Keep the order of the newest run.
  for (const [k, rs] of groups) {
    const medians = rs.map((r) => r.median);
    range.set(k, [Math.min(...medians), Math.max(...medians)]);
    results.push({ ...rs[0]!, n: rs.length, median: median(medians), p95: median(rs.map((r) => r.p95)), mean: NaN, min: Math.min(...medians), max: Math.max(...medians) });
  }
  return { results, range };
}

function machineTable(m: Machine): string {
  return [
    '| | |', '|---|---|',
    `| CPUs (\`nproc\`) | ${m.cpus} |`,
    `| CPU model (/proc/cpuinfo) | ${m.cpuModel} |`,
    `| memory | ${m.memoryGiB.toFixed(1)} GiB |`,
    `| Node.js | ${m.node} |`,
    `| PostgreSQL | ${m.postgres} |`,
    `| PGlite | ${m.pglite} (PostgreSQL ${m.pgliteServer} in WASM) |`,
  ].join('\n');
}

function generatedSection(run: RunFile, runs: RunFile[]): string {
  const agg = aggregate(runs);
  const rangeTable = (() => {
    const lines = ['| tier | measure | PGlite medians (min–max) | PostgreSQL medians (min–max) |', '|---|---|---:|---:|'];
    const keys = [...new Set(agg.results.map((r) => `${r.tier}\u0000${r.measure}`))];
    for (const key of keys) {
      const [tier, measure] = key.split('\u0000') as [TierName, string];
      const cell = (d: Driver) => {
        const r = agg.range.get(`${key}\u0000${d}`);
        return r ? `${fmt(r[0])}–${fmt(r[1])}` : '–';
      };
      const label = agg.results.find((r) => r.tier === tier && r.measure === measure)!.label;
      lines.push(`| ${tier} | ${label} | ${cell('pglite')} | ${cell('postgres')} |`);
    }
    return lines.join('\n');
  })();
  const gen = ['| tier | driver | regions | villages | units | cadres | open + migrate + generate + analyze (s) |', '|---|---|---:|---:|---:|---:|---:|',
    ...run.generation.map((g) => `| ${g.tier} | ${driverLabel[g.driver]} | ${g.counts.regions} | ${g.counts.villages} | ${g.counts.units} | ${g.counts.cadres} | ${(g.ms / 1000).toFixed(1)} |`)].join('\n');
  return [
    `### Across runs: median of ${runs.length} run${runs.length === 1 ? '' : 's'} (PGlite ${pgliteStorage === 'memory' ? 'in memory' : 'on disk'})`,
    '',
    `Runs: ${runs.map((r) => r.date).join(', ')}. Each cell is the median, over these runs, of the run's median (or p95), in ms.`,
    '',
    table(agg.results),
    '',
    'Spread of the per-run medians, in ms:',
    '',
    rangeTable,
    '',
    `### Latest run (${run.date}, ${run.options.iterations} iterations max, ${run.options.budgetSeconds} s budget per measure, ${run.options.warmup} warm-up)`,
    '',
    `Load average at start: ${run.machine.loadavg.map((x) => x.toFixed(2)).join(' / ')}.`,
    '',
    table(run.results),
    '',
    `Iterations completed: ${[...new Set(run.results.map((r) => r.n))].join(', ')}.`,
    '',
    gen,
    '',
    '### Machine',
    '',
    machineTable(run.machine),
  ].join('\n');
}

const BEGIN = '<!-- bench:begin (generated by `npm run bench`; edit outside these markers) -->';
const END = '<!-- bench:end -->';
function writeDoc(section: string) {
  writeDocBlock(BEGIN, END, section, (doc, block) => (doc !== undefined
    ? `${doc.trimEnd()}\n\n## Results\n\n${block}\n`
    : `# Performance\n\nRun \`npm run bench\` (see bench/run.ts).\n\n## Results\n\n${block}\n`));
}

// ---- Main
async function openDriver(driver: Driver, server: PostgresServer, tier: TierName): Promise<{ handle: DatabaseHandle; release: () => Promise<void> }> {
  if (driver === 'pglite') {
    const dir = pgliteStorage === 'disk' ? mkdtempSync(join(tmpdir(), 'lianxin-bench-')) : undefined;
    const removeDir = dir ? releaser(async () => rmSync(dir, { recursive: true, force: true })) : async () => undefined;
    const handle = await openPGlite(dir);
    const close = releaser(() => handle.close());
    return { handle, release: async () => { await close(); await removeDir(); } };
  }
  const handle = await openFreshPostgres(server, `lianxin_bench_${tier}`);
  return { handle, release: releaser(() => handle.close()) };
}

async function main() {
  const started = Date.now();
  const machine: Machine = describeMachine();
  console.log(`Lianxin benchmark: tiers ${tierNames.join(', ')}; up to ${iterations} iterations or ${budgetMs / 1000} s per measure; PGlite ${pgliteStorage === 'memory' ? 'in memory' : 'in a temporary directory'}`);
  console.log(machineLine(machine));

  const server = await startPostgres();
  cleanups.push(await stopper(server));

  const generation: RunFile['generation'] = [];
  const results: Result[] = [];
  const explained: string[] = [];
  for (const tier of tierNames) {
    const spec = tiers[tier];
    const handles = {} as Record<Driver, DatabaseHandle>;
    const releases: (() => Promise<void>)[] = [];
    const infos = {} as Record<Driver, TierInfo>;
    for (const driver of ['pglite', 'postgres'] as const) {
      const t0 = performance.now();
      const { handle: h, release } = await openDriver(driver, server, tier);
      releases.push(release);
      await migrateToLatest(h.db);
      infos[driver] = await generateTier(h.db, spec);
      await sql`analyze`.execute(h.db);
      const ms = performance.now() - t0;
      generation.push({ tier, driver, ms, counts: infos[driver].counts });
      handles[driver] = h;
      console.log(`${tier}: generated on ${driverLabel[driver]} in ${(ms / 1000).toFixed(1)} s: ${JSON.stringify(infos[driver].counts)}`);
    }
    if (JSON.stringify(infos.pglite) !== JSON.stringify(infos.postgres)) throw new Error(`${tier}: the generator made different data on the two drivers`);
    const info = infos.pglite;
    machine.postgres ||= await serverVersion(handles.postgres.db);
    machine.pgliteServer ||= await serverVersion(handles.pglite.db);

    // An administrator scoped to the tier's top region lists regions; one scoped to a county searches cadres.
    const actor = async (regionCode: string): Promise<Actor> => ({
      userId: null, username: 'bench', role: 'admin', ip: null, cadreId: null, scope: await scopeOf(handles.pglite.db, { region_code: regionCode, unit_id: null }),
    });
    const ms = measures(info, await actor(info.top.code), await actor(info.county.code));
    console.log(`${tier}: cadre searches scoped to ${info.county.name} (${info.county.cadres} cadres)`);
    const dbs = { pglite: handles.pglite.db, postgres: handles.postgres.db };
    for (const m of ms) {
      const rs = await timeMeasure(tier, m, dbs);
      results.push(...rs);
      const [a, b] = rs as [Result, Result];
      console.log(`  ${m.id.padEnd(18)} rows ${String(a.rows).padStart(5)}  PGlite ${fmt(a.median).padStart(6)} / ${fmt(a.p95).padStart(6)} ms  PostgreSQL ${fmt(b.median).padStart(6)} / ${fmt(b.p95).padStart(6)} ms  (median / p95, n=${a.n})`);
    }
    if (opts.explain) {
      for (const m of ms) for (const d of ['pglite', 'postgres'] as const) {
        explained.push(`==== ${tier} / ${m.id} / ${driverLabel[d]}: ${m.label}\n${await explain(m, dbs[d])}`);
      }
    }
    // Release this tier's databases before the next one.
    for (const release of releases) await release();
  }

  const run: RunFile = {
    date: new Date().toISOString(),
    machine,
    options: { tiers: tierNames, iterations, warmup, budgetSeconds: budgetMs / 1000, pglite: pgliteStorage as 'memory' | 'disk' },
    generation,
    results,
  };
  console.log(`\n${table(results)}\n`);
  if (!opts['no-write']) {
    const stamp = fileStamp(run.date);
    writeResultFile(`run-${stamp}.json`, `${JSON.stringify(run, null, 2)}\n`);
    if (explained.length) {
      const file = writeResultFile(`explain-${stamp}.txt`, explained.join('\n'));
      console.log(`EXPLAIN ANALYZE written to ${file}`);
    }
    const runs = loadRuns();
    writeDoc(generatedSection(run, runs));
    console.log(`Results written to bench/results/ and docs/PERFORMANCE.md (median over ${runs.length} run${runs.length === 1 ? '' : 's'})`);
  } else if (explained.length) {
    console.log(explained.join('\n'));
  }
  console.log(`Done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

await runMain(main);
