import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { checkKinds, type CheckKind } from '../contracts/integrity.ts';
import { loadConfig } from '../src/config.ts';
import { openPGlite, type Database, type DatabaseHandle } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { checkActivity, scanIntegrity } from '../src/features/integrity/integrity.ts';
import { seededRandom } from '../src/features/demo/names.ts';
import { startPostgres, type PostgresServer } from '../test/postgres-server.ts';
import { generateActivities, type ActivitiesInfo } from './generate-activities.ts';
import { generateTargets } from './generate-targets.ts';
import { generateTier, tiers } from './generate.ts';
import {
  parseDrivers, cleanups, describeMachine, driverLabel, fileStamp, fmt, installCleanupHandlers, intOptions, machineLine, median, openFreshPostgres, percentile, releaser,
  runMain, serverVersion, stopper, writeDocBlock, writeResultFile, type Driver, type Machine,
} from './harness.ts';

// The integrity benchmark (issue 4, "Performance"): the city tier (Dongying, 10,000 cadres, 50,000
// households) with a year of field records (bench/generate-activities.ts: 300,000 records and a few
// hundred planted anomalies), then
//  1. the full scan (scanIntegrity): from an empty flag table, then twice again over its own
//     result (nothing to change: idempotent), N rounds per driver; each check alone once;
//  2. checkActivity, the incremental check run after every write, on a sample of records;
//  3. whether every planted anomaly was flagged.
// Run: node bin/run-ts.mjs bench/integrity.ts [--driver pglite|postgres|both] [--runs N] [--samples N]

const usage = 'node bin/run-ts.mjs bench/integrity.ts [--driver pglite|postgres|both] [--runs N] [--samples N] [--timeout SECONDS] [--no-write]';
const { values: opts } = parseArgs({
  options: {
    driver: { type: 'string', default: 'both' },
    runs: { type: 'string', default: '3' },
    samples: { type: 'string', default: '1000' },
    timeout: { type: 'string', default: '3600' },
    'no-write': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (opts.help) {
  console.log(usage);
  process.exit(0);
}
const intOpt = intOptions(usage);
const drivers = parseDrivers(opts.driver, usage);
const runs = intOpt('runs', opts.runs, 1);
const samples = intOpt('samples', opts.samples, 1);
const timeoutMs = intOpt('timeout', opts.timeout, 10) * 1000;
installCleanupHandlers(timeoutMs);

const thresholds = loadConfig({}).integrity;
const secs = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
const int = (n: number) => Math.round(n).toLocaleString('en-US');

type DriverResult = {
  driver: Driver;
  generationMs: number;
  scans: { run: number; coldMs: number; rescanMs: number[]; added: number; rescanChanges: number }[];
  perCheckMs: Record<CheckKind, number>;
  flags: Record<CheckKind, number>;
  recall: Record<CheckKind, { planted: number; found: number }>;
  incremental: { samples: number; medianMs: number; p90Ms: number; p99Ms: number; maxMs: number; changes: number };
};
type RunFile = { date: string; machine: Machine; thresholds: typeof thresholds; data: ActivitiesInfo['counts']; planted: Record<string, number>; results: DriverResult[]; totalMs: number };

async function openDriver(driver: Driver, server: PostgresServer | undefined): Promise<DatabaseHandle> {
  const handle = driver === 'pglite' ? await openPGlite() : await openFreshPostgres(server!, 'lianxin_bench_integrity');
  return { ...handle, close: releaser(() => handle.close()) };
}

async function measure(db: Database, driver: Driver, info: ActivitiesInfo, generationMs: number): Promise<DriverResult> {
  const label = driverLabel[driver].padEnd(10);
  const scans: DriverResult['scans'] = [];
  for (let run = 1; run <= runs; run++) {
    await sql`delete from integrity_flags`.execute(db);
    const cold = await scanIntegrity(db, thresholds);
    const rescanMs: number[] = [];
    let rescanChanges = 0;
    for (let k = 0; k < 2; k++) {
      const again = await scanIntegrity(db, thresholds);
      rescanMs.push(again.ms);
      rescanChanges += again.added + again.removed;
    }
    scans.push({ run, coldMs: cold.ms, rescanMs, added: cold.added, rescanChanges });
    console.log(`  ${label} scan ${run}: ${secs(cold.ms)} s from empty (${int(cold.added)} flags), re-scans ${rescanMs.map(secs).join(' s, ')} s (${rescanChanges} changes)`);
  }
  const flags = Object.fromEntries(checkKinds.map((k) => [k, 0])) as Record<CheckKind, number>;
  for (const r of (await sql<{ k: CheckKind; n: number }>`select check_kind as k, count(*)::int as n from integrity_flags group by 1`.execute(db)).rows) flags[r.k] = r.n;

  const recall = {} as DriverResult['recall'];
  for (const k of checkKinds) {
    const ids = info.planted[k] ?? [];
    const found = ids.length
      ? (await sql<{ n: number }>`select count(distinct activity_id)::int as n from integrity_flags where check_kind = ${k} and activity_id in (${sql.join(ids)})`.execute(db)).rows[0]!.n
      : 0;
    recall[k] = { planted: ids.length, found };
  }

  const perCheckMs = {} as Record<CheckKind, number>;
  for (const k of checkKinds) {
    const t0 = performance.now();
    await scanIntegrity(db, thresholds, { kinds: [k] });
    perCheckMs[k] = performance.now() - t0;
  }
  console.log(`  ${label} each check alone (re-scan): ${checkKinds.map((k) => `${k} ${secs(perCheckMs[k])} s`).join(', ')}`);

  // The incremental check on a sample of records, as after an edit that changes nothing.
  const random = seededRandom(4242);
  const max = info.counts.activities;
  const ids = Array.from({ length: samples }, () => 1 + Math.floor(random() * max));
  for (const id of ids.slice(0, 20)) await checkActivity(db, thresholds, id); // warm-up
  const times: number[] = [];
  let changes = 0;
  for (const id of ids) {
    const t0 = performance.now();
    const r = await checkActivity(db, thresholds, id);
    times.push(performance.now() - t0);
    changes += r.added + r.updated + r.removed;
  }
  times.sort((a, b) => a - b);
  const incremental = { samples, medianMs: percentile(times, 0.5), p90Ms: percentile(times, 0.9), p99Ms: percentile(times, 0.99), maxMs: times.at(-1)!, changes };
  console.log(`  ${label} checkActivity × ${samples}: median ${fmt(incremental.medianMs)} ms, p90 ${fmt(incremental.p90Ms)}, p99 ${fmt(incremental.p99Ms)}, max ${fmt(incremental.maxMs)} (${changes} changes)`);
  return { driver, generationMs, scans, perCheckMs, flags, recall, incremental };
}

const BEGIN = '<!-- bench-integrity:begin (generated by `node bin/run-ts.mjs bench/integrity.ts`; edit outside these markers) -->';
const END = '<!-- bench-integrity:end -->';
const HEADING = '## Integrity checks (city tier, a year of records)';

function render(file: RunFile): string {
  const m = file.machine;
  const r = (d: Driver) => file.results.find((x) => x.driver === d);
  const cols = drivers.filter((d) => r(d));
  const row = (label: string, f: (x: DriverResult) => string) => `| ${label} | ${cols.map((d) => f(r(d)!)).join(' | ')} |`;
  const lines = [
    `Measured ${file.date.slice(0, 10)} on ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB.toFixed(1)} GiB, Node ${m.node}; PostgreSQL ${m.postgres || '–'}, PGlite ${m.pglite} (server ${m.pgliteServer || '–'}); load average at the start ${m.loadavg.map((x) => x.toFixed(1)).join(' ')}.`,
    `Data: ${int(file.data.activities)} records (${int(file.data.participants)} participants, ${int(file.data.targets)} target links, ${int(file.data.photos)} photo links, ${int(file.data.withGps)} with GPS) by 10,000 cadres over 2025, on the city tier's 1,921 villages and 50,000 households.`,
    `Thresholds: ${thresholds.maxDistanceMeters} m, ${thresholds.maxSpeedKmh} km/h, ${thresholds.lateDays} days late, ${thresholds.burstCount} back-dated entries within ${thresholds.burstMinutes} minutes.`,
    '',
    `| | ${cols.map((d) => driverLabel[d]).join(' | ')} |`,
    `|---|${cols.map(() => '---:').join('|')}|`,
    row(`full scan from an empty flag table, median of ${runs}`, (x) => `${secs(median(x.scans.map((s) => s.coldMs)))} s`),
    row(`re-scan over its own result (nothing changes), median of ${runs * 2}`, (x) => `${secs(median(x.scans.flatMap((s) => s.rescanMs)))} s`),
    row('changes made by the re-scans', (x) => String(x.scans.reduce((s, y) => s + y.rescanChanges, 0))),
    row(`checkActivity, median / p90 / p99 of ${samples} records`, (x) => `${fmt(x.incremental.medianMs)} / ${fmt(x.incremental.p90Ms)} / ${fmt(x.incremental.p99Ms)} ms`),
    row('changes made by those incremental checks (should be 0: they agree with the scan)', (x) => String(x.incremental.changes)),
    row('data generation (tier, targets, records)', (x) => `${secs(x.generationMs)} s`),
    '',
    'Each check alone (a re-scan limited to that check), and the open flags it leaves; planted anomalies found:',
    '',
    `| check | ${cols.map((d) => `${driverLabel[d]} s`).join(' | ')} | flags | planted found |`,
    `|---|${cols.map(() => '---:').join('|')}|---:|---:|`,
    ...checkKinds.map((k) => {
      const x = r(cols[0]!)!;
      return `| ${k} | ${cols.map((d) => secs(r(d)!.perCheckMs[k])).join(' | ')} | ${int(x.flags[k])} | ${x.recall[k].found} / ${x.recall[k].planted} |`;
    }),
  ];
  return lines.join('\n');
}

async function main() {
  const started = Date.now();
  const machine = describeMachine();
  console.log(`Integrity benchmark: city tier + a year of records, ${drivers.map((d) => driverLabel[d]).join(' + ')}, ${runs} run(s), ${samples} incremental samples`);
  console.log(machineLine(machine));
  let server: PostgresServer | undefined;
  if (drivers.includes('postgres')) {
    server = await startPostgres();
    cleanups.push(await stopper(server));
  }
  const results: DriverResult[] = [];
  let info: ActivitiesInfo | undefined;
  for (const d of drivers) {
    const t0 = performance.now();
    const h = await openDriver(d, server);
    await migrateToLatest(h.db);
    const tier = await generateTier(h.db, tiers.city);
    await generateTargets(h.db, tier);
    const gen = await generateActivities(h.db, tier);
    await sql`analyze`.execute(h.db);
    const generationMs = performance.now() - t0;
    console.log(`generated on ${driverLabel[d]} in ${secs(generationMs)} s: ${JSON.stringify(gen.counts)}; planted ${JSON.stringify(Object.fromEntries(Object.entries(gen.planted).map(([k, v]) => [k, v.length])))}`);
    if (info && JSON.stringify(info) !== JSON.stringify(gen)) throw new Error('the generator made different data on the two drivers');
    info = gen;
    if (d === 'postgres') machine.postgres = await serverVersion(h.db);
    else machine.pgliteServer = await serverVersion(h.db);
    results.push(await measure(h.db, d, gen, generationMs));
    await h.close();
  }
  const file: RunFile = {
    date: new Date().toISOString(), machine, thresholds, data: info!.counts,
    planted: Object.fromEntries(Object.entries(info!.planted).map(([k, v]) => [k, v.length])), results, totalMs: Date.now() - started,
  };
  const body = render(file);
  console.log(`\n${body}\n`);
  if (!opts['no-write']) {
    console.log(`wrote ${writeResultFile(`integrity-${fileStamp(file.date)}.json`, `${JSON.stringify(file, null, 2)}\n`)}`);
    writeDocBlock(BEGIN, END, body, (doc = '# Performance\n', block) => (doc.includes(HEADING)
      ? doc.replace(HEADING, `${HEADING}\n\n${block}\n`)
      : `${doc.trimEnd()}\n\n${HEADING}\n\n${block}\n`));
  }
}

await runMain(main);
