import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { requirementRule } from '../contracts/requirements.ts';
import { loadConfig } from '../src/config.ts';
import { openPGlite, type Database, type DatabaseHandle } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { createActivity } from '../src/features/activities/activities.ts';
import { systemActor } from '../src/features/auth/actor.ts';
import { drainCompliancePending, queueComplianceChange, recomputeCompliance } from '../src/features/compliance/engine.ts';
import { specRules } from '../src/features/compliance/spec-rules.ts';
import { seededRandom } from '../src/features/demo/names.ts';
import { startPostgres, type PostgresServer } from '../test/postgres-server.ts';
import { cityActivities, generateActivities } from './generate-activities.ts';
import { generatePairings, type PairingsInfo } from './generate-pairings.ts';
import { cityTargets, generateTargets } from './generate-targets.ts';
import { generateTier, tiers } from './generate.ts';
import {
  cleanups, describeMachine, driverLabel, fileStamp, fmt, installCleanupHandlers, intOptions, machineLine, median, openFreshPostgres, parseDrivers, percentile,
  releaser, runMain, serverVersion, stopper, writeDocBlock, writeResultFile, type Driver, type Machine,
} from './harness.ts';

// The compliance benchmark (issue 6, "Performance"): the city tier (Dongying: 10,000 cadres, 50,000
// households, 1,921 villages and communities, 100 key projects) with a year of field records in
// 2026 (bench/generate-activities.ts: 300,000 records), every household, village and project paired
// (bench/generate-pairings.ts), and every SPEC §2 duty as a rule (src/features/compliance/spec-rules.ts).
// "Now" is fixed at 2026-11-22 10:00 China time, so every window from January to November is kept.
//  1. the full recompute (recomputeCompliance over every rule): a rebuild from an empty table, and
//     again over its own result (the steady-state pass: open windows only), --runs times each,
//     median; then each rule alone (rebuilt);
//  2. incremental: a new household visit written through createActivity (which queues the change
//     in its own statement), then the drain (drainCompliancePending) — time from the write to the
//     compliance rows updated, over --samples records, median and p95; the pairing's yearly count
//     is checked to have grown by one each time.
// Targets: full recompute under 5 s on PostgreSQL; write → rows updated under 1 s.
// Run: npm run bench:compliance -- [--driver pglite|postgres|both] [--runs N] [--samples N] [--no-write]

const usage = 'node bin/run-ts.mjs bench/compliance.ts [--tier city|county] [--driver pglite|postgres|both] [--runs N] [--samples N] [--timeout SECONDS] [--no-write]';
const { values: opts } = parseArgs({
  options: {
    driver: { type: 'string', default: 'both' },
    runs: { type: 'string', default: '3' },
    samples: { type: 'string', default: '30' },
    tier: { type: 'string', default: 'city' },
    timeout: { type: 'string', default: '5400' },
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
if (opts.tier !== 'city' && opts.tier !== 'county') throw new Error(`--tier must be city or county\n${usage}`);
const tierName = opts.tier;
installCleanupHandlers(timeoutMs);

const NOW = new Date('2026-11-22T10:00:00+08:00');
const FULL_TARGET_MS = 5000;
const INCREMENTAL_TARGET_MS = 1000;
const secs = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const integrity = loadConfig({}).integrity;

type Data = { cadres: number; households: number; activities: number; pairings: PairingsInfo; rules: number };
type DriverResult = {
  driver: Driver;
  generationMs: number;
  full: { coldMs: number[]; warmMs: number[]; rows: number; stored: number };
  perRule: { name: string; ms: number; rows: number }[];
  incremental: { samples: number; writeMedianMs: number; drainMedianMs: number; medianMs: number; p95Ms: number; maxMs: number; queuedByWrite: boolean; counted: number };
};
type RunFile = { date: string; machine: Machine; tier: string; now: string; runs: number; data: Data; results: DriverResult[]; totalMs: number };

async function openDriver(driver: Driver, server: PostgresServer | undefined): Promise<DatabaseHandle> {
  const handle = driver === 'pglite' ? await openPGlite() : await openFreshPostgres(server!, `lianxin_bench_compliance_${tierName}`);
  return { ...handle, close: releaser(() => handle.close()) };
}

async function generate(db: Database): Promise<Data> {
  const tier = await generateTier(db, tiers[tierName]);
  // The county tier: SPEC §3's figures a tenth of the city's (5,000 households for 1,000 cadres).
  const targets = await generateTargets(db, tier, tierName === 'city' ? cityTargets : { households: 5_000, enterprises: 100, projects: 10, seed: 33022 });
  const acts = await generateActivities(db, tier, { ...cityActivities, year: 2026 });
  const pairings = await generatePairings(db, targets.campaignId);
  const rules = specRules.flatMap((s) => s.rules).map((r) => requirementRule.parse(r));
  let sort = 0;
  for (const rule of rules) {
    await db.insertInto('requirement_rules').values({ campaign_id: targets.campaignId, name: rule.name, rule: JSON.stringify(rule), sort: ++sort, updated_at: new Date('2026-01-01T00:00:00Z') }).execute();
  }
  return { cadres: tier.counts.cadres, households: targets.counts.household, activities: acts.counts.activities, pairings, rules: rules.length };
}

const stored = async (db: Database) => (await sql<{ n: number }>`select count(*)::int as n from compliance_results`.execute(db)).rows[0]!.n;

async function measure(db: Database, driver: Driver, generationMs: number): Promise<DriverResult> {
  const label = driverLabel[driver].padEnd(10);
  // ---- Full recompute
  const coldMs: number[] = [];
  const warmMs: number[] = [];
  let rows = 0;
  for (let run = 1; run <= runs; run++) {
    await sql`delete from compliance_results`.execute(db);
    const t0 = performance.now();
    const r = await recomputeCompliance(db, { now: NOW, rebuild: true });
    coldMs.push(performance.now() - t0);
    rows = r.rows;
    const t1 = performance.now();
    const w = await recomputeCompliance(db, { now: NOW });
    warmMs.push(performance.now() - t1);
    console.log(`  ${label} full recompute run ${run}: rebuild from empty ${secs(coldMs.at(-1)!)} s (${int(r.rows)} rows, ${r.rules} rules), steady state ${secs(warmMs.at(-1)!)} s (${int(w.rows)} rows)`);
  }
  const full = { coldMs, warmMs, rows, stored: await stored(db) };

  // ---- Each rule alone, from empty
  await sql`delete from compliance_results`.execute(db);
  const rules = await db.selectFrom('requirement_rules').select(['id', 'name']).orderBy('sort').execute();
  const perRule: DriverResult['perRule'] = [];
  for (const rule of rules) {
    const t0 = performance.now();
    const r = await recomputeCompliance(db, { now: NOW, ruleIds: [rule.id], rebuild: true });
    perRule.push({ name: rule.name, ms: performance.now() - t0, rows: r.rows });
    console.log(`  ${label} ${fmt(perRule.at(-1)!.ms).padStart(7)} ms  ${rule.name} (${int(r.rows)} rows)`);
  }

  // ---- Incremental: write a visit, drain, check the pairing's yearly count grew by one.
  const yearly = await db.selectFrom('requirement_rules').select('id').where('name', '=', '每户每年走访至少4次').executeTakeFirstOrThrow();
  const pairs = await db.selectFrom('pairings as p').innerJoin('contact_targets as t', 't.id', 'p.target_id')
    .innerJoin('cadres as c', 'c.id', 'p.cadre_id')
    // A record names serving cadres only (a transferred or retired one is refused).
    .select(['p.cadre_id', 'p.target_id']).where('t.kind', '=', 'household').where('c.status', 'not in', ['transferred', 'retired']).orderBy('p.id').execute();
  const random = seededRandom(20261122);
  const actor = systemActor('bench');
  const countOf = async (cadreId: number, targetId: number) => (await db.selectFrom('compliance_results').select('count')
    .where('rule_id', '=', yearly.id).where('window_key', '=', '2026').where('cadre_id', '=', cadreId).where('target_id', '=', targetId).executeTakeFirst())?.count ?? 0;
  const writeTimes: number[] = [];
  const drainTimes: number[] = [];
  const totals: number[] = [];
  let queuedByWrite = true;
  let counted = 0;
  await drainCompliancePending(db, { now: NOW });
  for (let i = 0; i < samples + 3; i++) {
    const p = pairs[Math.floor(random() * pairs.length)]!;
    const before = await countOf(p.cadre_id!, p.target_id);
    const at = new Date(NOW.getTime() - (i + 1) * 60_000).toISOString();
    const t0 = performance.now();
    await createActivity(db, actor, { integrity }, { kind: 'household_visit', startsAt: at, endsAt: at, participantIds: [p.cadre_id!], targetIds: [p.target_id] });
    const t1 = performance.now();
    const pending = (await sql<{ n: number }>`select count(*)::int as n from compliance_pending`.execute(db)).rows[0]!.n;
    if (pending === 0) {
      // The write did not queue its change (engine not hooked into activities yet): queue it as it would.
      queuedByWrite = false;
      await queueComplianceChange(db, { cadreIds: [p.cadre_id!], targetIds: [p.target_id], day: '2026-11-22' });
    }
    const t2 = performance.now();
    await drainCompliancePending(db, { now: NOW });
    const t3 = performance.now();
    if (i < 3) continue; // warm-up
    if ((await countOf(p.cadre_id!, p.target_id)) === before + 1) counted++;
    writeTimes.push(t1 - t0);
    drainTimes.push(t3 - t2);
    totals.push(t1 - t0 + (t3 - t2));
  }
  const sorted = [...totals].sort((a, b) => a - b);
  const incremental = {
    samples, writeMedianMs: median(writeTimes), drainMedianMs: median(drainTimes), medianMs: percentile(sorted, 0.5), p95Ms: percentile(sorted, 0.95), maxMs: sorted.at(-1)!, queuedByWrite, counted,
  };
  console.log(`  ${label} write → rows updated × ${samples}: median ${fmt(incremental.medianMs)} ms (write ${fmt(incremental.writeMedianMs)}, drain ${fmt(incremental.drainMedianMs)}), p95 ${fmt(incremental.p95Ms)}, max ${fmt(incremental.maxMs)}; counted ${counted}/${samples}${queuedByWrite ? '' : ' (queued by the bench)'}`);
  return { driver, generationMs, full, perRule, incremental };
}

const BEGIN = `<!-- bench-compliance-${tierName}:begin (generated by \`npm run bench:compliance -- --tier ${tierName}\`; edit outside these markers) -->`;
const END = `<!-- bench-compliance-${tierName}:end -->`;
const HEADING = `### Compliance at the ${tierName} tier (generated)`;

function render(file: RunFile): string {
  const m = file.machine;
  const cols = drivers.filter((d) => file.results.some((x) => x.driver === d));
  const r = (d: Driver) => file.results.find((x) => x.driver === d)!;
  const row = (name: string, f: (x: DriverResult) => string) => `| ${name} | ${cols.map((d) => f(r(d))).join(' | ')} |`;
  const bold = (d: Driver, ms: number, target: number, s: string) => (d === 'postgres' && ms > target ? `**${s}**` : s);
  const d = file.data;
  return [
    `Measured ${file.date.slice(0, 10)} on ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB.toFixed(1)} GiB, Node ${m.node}; PostgreSQL ${m.postgres || '–'}, PGlite ${m.pglite} (server ${m.pgliteServer || '–'}); load average at the start ${m.loadavg.map((x) => x.toFixed(1)).join(' ')}.`,
    `Data: the ${file.tier} tier with ${int(d.cadres)} cadres, ${int(d.households)} households and ${int(d.activities)} field records in 2026; ${int(d.pairings.households)} household, ${int(d.pairings.villages)} village/community and ${int(d.pairings.projects)} project pairings (${Math.round(d.pairings.visitedShare * 100)}% with the cadre who visited most); the ${d.rules} rules of every SPEC §2 duty (spec-rules.ts); "now" 2026-11-22, so every window from January on is kept.`,
    `Targets: full recompute under ${FULL_TARGET_MS / 1000} s and a new record's compliance updated under ${INCREMENTAL_TARGET_MS / 1000} s on PostgreSQL (a miss in bold).`,
    '',
    `| | ${cols.map((x) => driverLabel[x]).join(' | ')} |`,
    `|---|${cols.map(() => '---:').join('|')}|`,
    row(`full recompute from scratch (rebuild: every window, from an empty table), median of ${file.runs}`, (x) => bold(x.driver, median(x.full.coldMs), FULL_TARGET_MS, `${secs(median(x.full.coldMs))} s`)),
    row(`full recompute over its own result (steady state: open windows only), median of ${file.runs}`, (x) => bold(x.driver, median(x.full.warmMs), FULL_TARGET_MS, `${secs(median(x.full.warmMs))} s`)),
    row('compliance rows stored', (x) => int(x.full.stored)),
    row(`new visit → its compliance updated (write + drain), median / p95 of ${file.results[0]?.incremental.samples ?? 0}`, (x) => bold(x.driver, x.incremental.p95Ms, INCREMENTAL_TARGET_MS, `${fmt(x.incremental.medianMs)} / ${fmt(x.incremental.p95Ms)} ms`)),
    row('… of which the write (createActivity, median)', (x) => `${fmt(x.incremental.writeMedianMs)} ms`),
    row('… of which the drain (drainCompliancePending, median)', (x) => `${fmt(x.incremental.drainMedianMs)} ms`),
    row('visits seen in the pairing’s yearly count', (x) => `${x.incremental.counted} / ${x.incremental.samples}${x.incremental.queuedByWrite ? '' : ' (queued by the bench)'}`),
    row('data generation', (x) => `${secs(x.generationMs)} s`),
    '',
    'Each rule alone, rebuilt from an empty table (the rebuild is their sum):',
    '',
    `| rule | rows | ${cols.map((x) => `${driverLabel[x]} ms`).join(' | ')} |`,
    `|---|---:|${cols.map(() => '---:').join('|')}|`,
    ...r(cols[0]!).perRule.map((p, i) => `| ${p.name} | ${int(p.rows)} | ${cols.map((x) => fmt(r(x).perRule[i]!.ms)).join(' | ')} |`),
  ].join('\n');
}

async function main() {
  const started = Date.now();
  const machine = describeMachine();
  console.log(`Compliance benchmark: ${tierName} tier, ${drivers.map((d) => driverLabel[d]).join(' + ')}, ${runs} run(s), ${samples} incremental samples`);
  console.log(machineLine(machine));
  let server: PostgresServer | undefined;
  if (drivers.includes('postgres')) {
    server = await startPostgres();
    cleanups.push(await stopper(server));
  }
  const results: DriverResult[] = [];
  let data: Data | undefined;
  for (const d of drivers) {
    const t0 = performance.now();
    const h = await openDriver(d, server);
    await migrateToLatest(h.db);
    const gen = await generate(h.db);
    await sql`analyze`.execute(h.db);
    const generationMs = performance.now() - t0;
    console.log(`generated on ${driverLabel[d]} in ${secs(generationMs)} s: ${JSON.stringify(gen)}`);
    if (data && JSON.stringify(data) !== JSON.stringify(gen)) throw new Error('the generator made different data on the two drivers');
    data = gen;
    if (d === 'postgres') machine.postgres = await serverVersion(h.db);
    else machine.pgliteServer = await serverVersion(h.db);
    results.push(await measure(h.db, d, generationMs));
    await h.close();
  }
  const file: RunFile = { date: new Date().toISOString(), machine, tier: tierName, now: NOW.toISOString(), runs, data: data!, results, totalMs: Date.now() - started };
  const body = render(file);
  console.log(`\n${body}\n`);
  if (!opts['no-write']) {
    console.log(`wrote ${writeResultFile(`compliance-${fileStamp(file.date)}.json`, `${JSON.stringify(file, null, 2)}\n`)}`);
    writeDocBlock(BEGIN, END, body, (doc = '# Performance\n', block) => (doc.includes(HEADING)
      ? doc.replace(HEADING, `${HEADING}\n\n${block}\n`)
      : `${doc.trimEnd()}\n\n${HEADING}\n\n${block}\n`));
  }
}

await runMain(main);
