import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openPGlite, type Database, type DatabaseHandle } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { systemActor } from '../src/features/auth/actor.ts';
import { createBulletin, getBulletin, publishBulletin } from '../src/features/bulletins/bulletins.ts';
import { bulletinDocx } from '../src/features/bulletins/docx.ts';
import { computeFigures, figureRecordIds, type FigureFilter } from '../src/features/statistics/figures.ts';
import { figureKeys } from '../contracts/statistics.ts';
import { startPostgres, type PostgresServer } from '../test/postgres-server.ts';
import { cityActivities, generateActivities } from './generate-activities.ts';
import { cityTargets, generateTargets } from './generate-targets.ts';
import { generateTier, tiers } from './generate.ts';
import {
  cleanups, describeMachine, driverLabel, fileStamp, fmt, installCleanupHandlers, intOptions, machineLine, median, openFreshPostgres, parseDrivers,
  releaser, runMain, serverVersion, stopper, writeDocBlock, writeResultFile, type Driver, type Machine,
} from './harness.ts';

// The bulletin benchmark (issue 7, "Performance"): a bulletin (简报) for the whole top region of a
// tier over 2026-01-01 … 2026-11-21, on the city tier (Dongying: 10,000 cadres, 50,000 households,
// 300,000 field records in 2026) or the county tier. Per run, timed separately:
//  1. create: the draft generated from the figures (every figure, the child-region ranking, the
//     monthly trend, the highlights), numbered, stored, and read back (the figures live);
//  2. docx: the .docx of that draft with its charts rendered server side (ECharts SSR → sharp PNG);
//  3. publish: the snapshot, i.e. every figure again plus the ids of the records behind each one.
// "Generation, .docx included" is 1 + 2; the target is under 2 s. Median of --runs.
// Run: npm run bench:bulletins -- [--tier city|county] [--driver pglite|postgres|both] [--runs N]

const usage = 'node bin/run-ts.mjs bench/bulletins.ts [--tier city|county] [--driver pglite|postgres|both] [--runs N] [--timeout SECONDS] [--no-write]';
const { values: opts } = parseArgs({
  options: {
    driver: { type: 'string', default: 'both' },
    runs: { type: 'string', default: '5' },
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
const timeoutMs = intOpt('timeout', opts.timeout, 10) * 1000;
if (opts.tier !== 'city' && opts.tier !== 'county') throw new Error(`--tier must be city or county\n${usage}`);
const tierName = opts.tier;
installCleanupHandlers(timeoutMs);

const TARGET_MS = 2000;
const FROM = '2026-01-01';
const TO = '2026-11-21';
const secs = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
const int = (n: number) => Math.round(n).toLocaleString('en-US');

type Data = { cadres: number; households: number; activities: number; region: string; campaignId: number; regionCode: string };
type Run = { createMs: number; docxMs: number; publishMs: number; docxBytes: number; paragraphChars: number; snapshotIds: number };
/** Where the time goes: the statistics calls a bulletin makes, each alone (median of the runs). */
type Parts = { figuresMs: number[]; childRegionsMs: number[]; monthsMs: number[]; recordIdsMs: number[] };
type DriverResult = { driver: Driver; generationMs: number; runs: Run[]; parts: Parts };
type RunFile = { date: string; machine: Machine; tier: string; runs: number; data: Data; results: DriverResult[]; totalMs: number };

async function openDriver(driver: Driver, server: PostgresServer | undefined): Promise<DatabaseHandle> {
  const handle = driver === 'pglite' ? await openPGlite() : await openFreshPostgres(server!, `lianxin_bench_bulletins_${tierName}`);
  return { ...handle, close: releaser(() => handle.close()) };
}

async function generate(db: Database): Promise<Data> {
  const tier = await generateTier(db, tiers[tierName]);
  const targets = await generateTargets(db, tier, tierName === 'city' ? cityTargets : { households: 5_000, enterprises: 100, projects: 10, seed: 33022 });
  const acts = await generateActivities(db, tier, { ...cityActivities, year: 2026 });
  // The generator writes records of no campaign; a bulletin is a campaign's, so they become the tier's campaign's.
  await sql`update activities set campaign_id = ${targets.campaignId} where campaign_id is null`.execute(db);
  return { cadres: tier.counts.cadres, households: targets.counts.household, activities: acts.counts.activities, region: tier.top.name, campaignId: targets.campaignId, regionCode: tier.top.code };
}

async function measure(db: Database, driver: Driver, data: Data, generationMs: number): Promise<DriverResult> {
  const label = driverLabel[driver].padEnd(10);
  const actor = systemActor('bench');
  const out: Run[] = [];
  const parts: Parts = { figuresMs: [], childRegionsMs: [], monthsMs: [], recordIdsMs: [] };
  const region = await db.selectFrom('regions').select('path').where('code', '=', data.regionCode).executeTakeFirstOrThrow();
  const filter: FigureFilter = { campaignId: data.campaignId, regionPath: region.path, unitPath: null, from: FROM, to: TO };
  const time = async (into: number[], f: () => Promise<unknown>) => {
    const t = performance.now();
    await f();
    into.push(performance.now() - t);
  };
  for (let i = 0; i < runs; i++) {
    await time(parts.figuresMs, () => computeFigures(db, filter, figureKeys));
    await time(parts.childRegionsMs, () => computeFigures(db, filter, ['householdsVisited', 'stayDays', 'diaries', 'problemsSolved'], 'childRegion'));
    await time(parts.monthsMs, () => computeFigures(db, filter, ['stayDays', 'householdsVisited'], 'month'));
    await time(parts.recordIdsMs, async () => { for (const k of figureKeys) await figureRecordIds(db, filter, k); });
  }
  console.log(`  ${label} alone: every figure ${fmt(median(parts.figuresMs))} ms, by child region ${fmt(median(parts.childRegionsMs))} ms, by month ${fmt(median(parts.monthsMs))} ms, every figure's record ids ${fmt(median(parts.recordIdsMs))} ms`);
  for (let i = 0; i <= runs; i++) {
    const t0 = performance.now();
    const draft = await createBulletin(db, actor, { campaignId: data.campaignId, regionCode: data.regionCode, from: FROM, to: TO, issuedOn: '2026-11-22' });
    const t1 = performance.now();
    const file = await bulletinDocx(draft);
    const t2 = performance.now();
    await publishBulletin(db, actor, draft.id);
    const t3 = performance.now();
    const ids = (await sql<{ n: number }>`select coalesce(sum(cardinality(record_ids)), 0)::int as n from bulletin_snapshot_records where bulletin_id = ${draft.id}`.execute(db)).rows[0]!.n;
    await getBulletin(db, actor, draft.id);
    const run = { createMs: t1 - t0, docxMs: t2 - t1, publishMs: t3 - t2, docxBytes: file.length, paragraphChars: draft.sections.statistics.length, snapshotIds: ids };
    console.log(`  ${label} ${i === 0 ? 'warm-up' : `run ${i}`}: create ${fmt(run.createMs)} ms, docx ${fmt(run.docxMs)} ms (${int(file.length)} bytes), publish ${fmt(run.publishMs)} ms (${int(ids)} record ids); 第${draft.number}期`);
    if (i > 0) out.push(run);
  }
  return { driver, generationMs, runs: out, parts };
}

const BEGIN = `<!-- bench-bulletins-${tierName}:begin (generated by \`npm run bench:bulletins -- --tier ${tierName}\`; edit outside these markers) -->`;
const END = `<!-- bench-bulletins-${tierName}:end -->`;
const HEADING = `### Bulletins at the ${tierName} tier (generated)`;

function render(file: RunFile): string {
  const m = file.machine;
  const cols = drivers.filter((d) => file.results.some((x) => x.driver === d));
  const r = (d: Driver) => file.results.find((x) => x.driver === d)!;
  const med = (x: DriverResult, f: (run: Run) => number) => median(x.runs.map(f));
  const row = (name: string, f: (x: DriverResult) => string) => `| ${name} | ${cols.map((d) => f(r(d))).join(' | ')} |`;
  const bold = (ms: number, s: string) => (ms > TARGET_MS ? `**${s}**` : s);
  const d = file.data;
  return [
    `Measured ${file.date.slice(0, 10)} on ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB.toFixed(1)} GiB, Node ${m.node}; PostgreSQL ${m.postgres || '–'}, PGlite ${m.pglite} (server ${m.pgliteServer || '–'}); load average at the start ${m.loadavg.map((x) => x.toFixed(1)).join(' ')}.`,
    `Data: the ${file.tier} tier (${d.region}) with ${int(d.cadres)} cadres, ${int(d.households)} households and ${int(d.activities)} field records in 2026, all in the tier's campaign. One bulletin for ${d.region} over ${FROM} … ${TO}: every figure, the child-region ranking, the monthly trend, two charts.`,
    `Target: generation with the .docx under ${TARGET_MS / 1000} s (a miss in bold). Median of ${file.runs} runs after a warm-up.`,
    '',
    `| | ${cols.map((x) => driverLabel[x]).join(' | ')} |`,
    `|---|${cols.map(() => '---:').join('|')}|`,
    row('generation with the .docx (create the draft + the .docx)', (x) => bold(med(x, (q) => q.createMs + q.docxMs), `${fmt(med(x, (q) => q.createMs + q.docxMs))} ms`)),
    row('… create: figures, ranking, trend, highlights, number, store, read back', (x) => `${fmt(med(x, (q) => q.createMs))} ms`),
    row('… .docx with two charts (ECharts SSR → PNG)', (x) => `${fmt(med(x, (q) => q.docxMs))} ms`),
    row('… … of which computeFigures, every figure (alone)', (x) => `${fmt(median(x.parts.figuresMs))} ms`),
    row('… … of which computeFigures by child region, 4 figures (alone)', (x) => `${fmt(median(x.parts.childRegionsMs))} ms`),
    row('… … of which computeFigures by month, 2 figures (alone)', (x) => `${fmt(median(x.parts.monthsMs))} ms`),
    row('publish: the snapshot with every figure’s record ids', (x) => `${fmt(med(x, (q) => q.publishMs))} ms`),
    row('… of which figureRecordIds for every figure (alone)', (x) => `${fmt(median(x.parts.recordIdsMs))} ms`),
    row('record ids stored in the snapshot', (x) => int(x.runs[0]?.snapshotIds ?? 0)),
    row('.docx size', (x) => `${int(x.runs[0]?.docxBytes ?? 0)} bytes`),
    row('data generation', (x) => `${secs(x.generationMs)} s`),
  ].join('\n');
}

async function main() {
  const started = Date.now();
  const machine = describeMachine();
  console.log(`Bulletin benchmark: ${tierName} tier, ${drivers.map((d) => driverLabel[d]).join(' + ')}, ${runs} run(s)`);
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
    data = gen;
    if (d === 'postgres') machine.postgres = await serverVersion(h.db);
    else machine.pgliteServer = await serverVersion(h.db);
    results.push(await measure(h.db, d, gen, generationMs));
    await h.close();
  }
  const file: RunFile = { date: new Date().toISOString(), machine, tier: tierName, runs, data: data!, results, totalMs: Date.now() - started };
  const body = render(file);
  console.log(`\n${body}\n`);
  if (!opts['no-write']) {
    console.log(`wrote ${writeResultFile(`bulletins-${tierName}-${fileStamp(file.date)}.json`, `${JSON.stringify(file, null, 2)}\n`)}`);
    writeDocBlock(BEGIN, END, body, (doc = '# Performance\n', block) => (doc.includes(HEADING)
      ? doc.replace(HEADING, `${HEADING}\n\n${block}\n`)
      : `${doc.trimEnd()}\n\n${HEADING}\n\n${block}\n`));
  }
}

await runMain(main);
