import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { requirementRule } from '../contracts/requirements.ts';
import { openPGlite, openPostgres, type Database, type DatabaseHandle } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { systemActor } from '../src/features/auth/actor.ts';
import { recomputeCompliance } from '../src/features/compliance/engine.ts';
import { specRules } from '../src/features/compliance/spec-rules.ts';
import { dashboard, headlineKeys, trendPeriods } from '../src/features/statistics/dashboard.ts';
import { computeFigures, type FigureFilter } from '../src/features/statistics/figures.ts';
import { startPostgres, type PostgresServer } from '../test/postgres-server.ts';
import { cityActivities, generateActivities } from './generate-activities.ts';
import { generatePairings } from './generate-pairings.ts';
import { cityTargets, generateTargets, provinceTargets } from './generate-targets.ts';
import { generateTickets } from './generate-tickets.ts';
import { generateWritingsAndMatters } from './generate-writings.ts';
import { generateTier, tiers } from './generate.ts';
import {
  cleanups, describeMachine, driverLabel, fileStamp, fmt, installCleanupHandlers, intOptions, machineLine, openFreshPostgres, parseDrivers, percentile,
  releaser, runMain, serverVersion, stopper, writeDocBlock, writeResultFile, type Driver, type Machine,
} from './harness.ts';

// The statistics benchmark (issue 7, "Performance"): the dashboard (驾驶舱, dashboard() in
// src/features/statistics/dashboard.ts) over a matrix of regions and periods, on the city tier
// (Dongying: 10,000 cadres, 50,000 households, 300,000 field records and 30,000 tickets in 2026)
// and the province tier (Zhejiang: 200,000 cadres, 25,547 villages and communities, 1,000,000
// households, 6,000,000 field records and 600,000 tickets in 2026; PostgreSQL only). Per tier:
// the tier, its targets and campaign, a year of records in the campaign, every household, village
// and project paired, the year's tickets (the demo's ticket engine, up to "now"), writings and
// practical matters derived from the records, and compliance rebuilt for every SPEC §2 rule.
// "Now" is 2026-11-22 10:00 China time.
// Timed: (a) the first dashboard call after generation (whatever the statistics part prepares on
// first use is in it); (b) --samples steady calls per cell, --runs passes over the matrix: median
// and p95 per cell and p95 over every call; (c) once per cell, the three computeFigures calls the
// dashboard makes (headline figures; by child region; by month or day), to show where time goes.
// Targets: p95 under 300 ms on PostgreSQL and 1 s on PGlite (city), under 1 s on PostgreSQL (province).
// Run: npm run bench:statistics -- [--tier city|province|all] [--driver pglite|postgres|both] [--runs N] [--samples N] [--no-write]
// The province tier needs a bigger heap: NODE_OPTIONS=--max-old-space-size=14000.
// --database-url (PostgreSQL) and --pglite-dir (PGlite), one tier: generate into that database
// once and keep it; a later run with the same one migrates it to the current code and measures
// without generating again (the province tier takes over an hour to generate, the city on PGlite
// half an hour). The generation figures reported are the stored ones.

const usage = 'node bin/run-ts.mjs bench/statistics.ts [--tier city|province|all] [--driver pglite|postgres|both] [--runs N] [--samples N] [--cell-budget SECONDS] [--timeout SECONDS] [--database-url URL] [--pglite-dir DIR] [--no-write]';
const { values: opts } = parseArgs({
  options: {
    driver: { type: 'string', default: 'both' },
    runs: { type: 'string', default: '1' },
    samples: { type: 'string', default: '10' },
    'cell-budget': { type: 'string', default: '120' },
    tier: { type: 'string', default: 'city' },
    timeout: { type: 'string', default: '10800' },
    'database-url': { type: 'string' },
    'pglite-dir': { type: 'string' },
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
// A cell stops sampling once its calls took this long (at least 2 calls): slow cells would otherwise take hours.
const cellBudgetMs = intOpt('cell-budget', opts['cell-budget']!, 1) * 1000;
const timeoutMs = intOpt('timeout', opts.timeout, 10) * 1000;
if (!['city', 'province', 'all'].includes(opts.tier!)) throw new Error(`--tier must be city, province or all\n${usage}`);
type StatsTier = 'city' | 'province';
const tierNames: StatsTier[] = opts.tier === 'all' ? ['city', 'province'] : [opts.tier as StatsTier];
const keptUrl = opts['database-url'];
const keptDir = opts['pglite-dir'];
if ((keptUrl || keptDir) && tierNames.length !== 1) throw new Error(`--database-url and --pglite-dir need one --tier\n${usage}`);
const kept = (d: Driver) => (d === 'postgres' ? keptUrl : keptDir);
installCleanupHandlers(timeoutMs);

const NOW = new Date('2026-11-22T10:00:00+08:00');
const TODAY = '2026-11-22';
const target = (tier: StatsTier, d: Driver) => (tier === 'city' && d === 'postgres' ? 300 : 1000);
const periods = [
  { name: 'year to date', from: '2026-01-01', to: '2026-11-21' },
  { name: 'a month', from: '2026-10-01', to: '2026-10-31' },
  { name: 'a week', from: '2026-11-09', to: '2026-11-15' },
];
const secs = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
const int = (n: number) => Math.round(n).toLocaleString('en-US');

type Region = { role: string; code: string; name: string; path: string };
type Data = {
  cadres: number; villages: number; households: number; enterprises: number; projects: number; activities: number; participants: number;
  pairings: number; tickets: number; ticketEvents: number; writings: number; matters: number; complianceRows: number; rules: number;
  campaignId: number; regions: Region[];
};
type Step = { name: string; ms: number };
type Cell = { region: string; period: string; calls: number; medianMs: number; p95Ms: number; maxMs: number; figuresMs: number; childRegionsMs: number; trendMs: number; children: number };
type DriverResult = { driver: Driver; steps: Step[]; generationMs: number; firstCallMs: number; cells: Cell[]; p95AllMs: number; medianAllMs: number };
type RunFile = { date: string; machine: Machine; tier: StatsTier; runs: number; samples: number; commit: string; data: Data; results: DriverResult[]; totalMs: number };

async function openDriver(tier: StatsTier, driver: Driver, server: PostgresServer | undefined): Promise<DatabaseHandle> {
  const handle = driver === 'postgres' && keptUrl ? openPostgres(keptUrl, 10) : driver === 'pglite' ? await openPGlite(keptDir) : await openFreshPostgres(server!, `lianxin_bench_statistics_${tier}`);
  return { ...handle, close: releaser(() => handle.close()) };
}

type Kept = { data: Data; steps: Step[]; generationMs: number; at: string };
async function keptGeneration(db: Database, tier: StatsTier): Promise<Kept | undefined> {
  await sql`create table if not exists bench_statistics_generated (tier text primary key, run jsonb not null)`.execute(db);
  const row = (await sql<{ run: Kept }>`select run from bench_statistics_generated where tier = ${tier}`.execute(db)).rows[0];
  return row?.run;
}
async function keepGeneration(db: Database, tier: StatsTier, run: Kept): Promise<void> {
  await sql`insert into bench_statistics_generated (tier, run) values (${tier}, ${JSON.stringify(run)}::jsonb)`.execute(db);
}

const count = async (db: Database, table: string) => (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db)).rows[0]!.n;

async function generate(db: Database, tierName: StatsTier, driver: Driver, steps: Step[]): Promise<Data> {
  const step = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const r = await f();
    steps.push({ name, ms: performance.now() - t0 });
    console.log(`    ${name}: ${secs(steps.at(-1)!.ms)} s`);
    return r;
  };
  const province = tierName === 'province';
  const tier = await step('tier (regions, units, cadres)', () => generateTier(db, tiers[tierName]));
  const targets = await step('targets and campaign', () => generateTargets(db, tier, province ? provinceTargets : cityTargets));
  // Records and tickets in the tier's campaign: the dashboard is asked for the campaign.
  const acts = await step('field records', () => generateActivities(db, tier, { ...cityActivities, year: 2026, campaignId: targets.campaignId, fastLoad: province && driver === 'postgres' }));
  const pairings = await step('pairings', () => generatePairings(db, targets.campaignId));
  const tickets = await step('tickets', () => generateTickets(db, tier, { count: province ? 600_000 : 30_000, seed: province ? 33051 : 37052, year: 2026, until: NOW.toISOString(), campaignId: targets.campaignId }));
  const writings = await step('writings and practical matters', () => generateWritingsAndMatters(db, targets.campaignId, TODAY));
  const rules = specRules.flatMap((s) => s.rules).map((r) => requirementRule.parse(r));
  let sort = 0;
  for (const rule of rules) {
    await db.insertInto('requirement_rules').values({ campaign_id: targets.campaignId, name: rule.name, rule: JSON.stringify(rule), sort: ++sort, updated_at: new Date('2026-01-01T00:00:00Z') }).execute();
  }
  await step('analyze', () => sql`analyze`.execute(db));
  const compliance = await step('compliance rebuilt (every rule, every window)', () => recomputeCompliance(db, { now: NOW, rebuild: true }));
  await step('analyze', () => sql`analyze`.execute(db));

  // The regions of the matrix: the top, a child, for the province the county below that city, a township.
  const regionOf = async (role: string, code: string): Promise<Region> => {
    const r = await db.selectFrom('regions').select(['code', 'name', 'path']).where('code', '=', code).executeTakeFirstOrThrow();
    return { role, ...r };
  };
  const regions: Region[] = [await regionOf(province ? 'province' : 'city', tier.top.code)];
  if (province) regions.push(await regionOf('city', tier.county.path.split('/').at(-2)!));
  regions.push(await regionOf('county', tier.county.code), await regionOf('township', tier.township.code));
  return {
    cadres: tier.counts.cadres, villages: tier.counts.villages, households: targets.counts.household, enterprises: targets.counts.enterprise, projects: targets.counts.project,
    activities: acts.counts.activities, participants: acts.counts.participants, pairings: pairings.households + pairings.villages + pairings.projects,
    tickets: tickets.counts.tickets, ticketEvents: tickets.counts.events, writings: writings.writings, matters: writings.matters,
    complianceRows: await count(db, 'compliance_results'), rules: compliance.rules, campaignId: targets.campaignId, regions,
  };
}

async function measure(db: Database, tierName: StatsTier, driver: Driver, data: Data, steps: Step[], generationMs: number): Promise<DriverResult> {
  const label = driverLabel[driver].padEnd(10);
  const actor = systemActor('bench');
  const ask = (r: Region, p: (typeof periods)[number]) => dashboard(db, actor, { campaignId: data.campaignId, regionCode: r.code, from: p.from, to: p.to }, NOW);
  const t0 = performance.now();
  const first = await ask(data.regions[0]!, periods[0]!);
  const firstCallMs = performance.now() - t0;
  console.log(`  ${label} first dashboard call (${data.regions[0]!.name}, ${periods[0]!.name}): ${fmt(firstCallMs)} ms; ${first.children.length} children, householdsVisited ${first.figures.find((f) => f.key === 'householdsVisited')?.value}`);

  const cells = data.regions.flatMap((r) => periods.map((p) => ({ r, p, times: [] as number[], parts: { figuresMs: 0, childRegionsMs: 0, trendMs: 0 }, children: 0 })));
  // Where the time goes: the three computeFigures calls of the dashboard, each alone, once per cell.
  for (const c of cells) {
    const filter: FigureFilter = { campaignId: data.campaignId, regionPath: c.r.path, unitPath: null, from: c.p.from, to: c.p.to };
    const keys = [...headlineKeys];
    const time = async (f: () => Promise<unknown>) => {
      const t = performance.now();
      await f();
      return performance.now() - t;
    };
    c.parts.figuresMs = await time(() => computeFigures(db, filter, keys, 'none'));
    c.parts.childRegionsMs = await time(() => computeFigures(db, filter, keys, 'childRegion'));
    c.parts.trendMs = await time(() => computeFigures(db, filter, keys, trendPeriods(c.p.from, c.p.to).granularity));
  }
  for (let run = 1; run <= runs; run++) {
    for (const c of cells) {
      const cellStart = performance.now();
      for (let i = 0; i < samples && (i < 2 || performance.now() - cellStart < cellBudgetMs); i++) {
        const t = performance.now();
        const res = await ask(c.r, c.p);
        c.times.push(performance.now() - t);
        c.children = res.children.length;
      }
      if (run === runs) {
        const s = [...c.times].sort((a, b) => a - b);
        console.log(`  ${label} ${c.r.name} × ${c.p.name}: median ${fmt(percentile(s, 0.5))} ms, p95 ${fmt(percentile(s, 0.95))} ms (figures ${fmt(c.parts.figuresMs)}, by child ${fmt(c.parts.childRegionsMs)}, trend ${fmt(c.parts.trendMs)})`);
      }
    }
  }
  const all = cells.flatMap((c) => c.times).sort((a, b) => a - b);
  return {
    driver, steps, generationMs, firstCallMs,
    cells: cells.map((c) => {
      const s = [...c.times].sort((a, b) => a - b);
      return { region: `${c.r.name} (${c.r.role})`, period: `${c.p.name} ${c.p.from}…${c.p.to}`, calls: c.times.length, medianMs: percentile(s, 0.5), p95Ms: percentile(s, 0.95), maxMs: s.at(-1)!, ...c.parts, children: c.children };
    }),
    p95AllMs: percentile(all, 0.95), medianAllMs: percentile(all, 0.5),
  };
}

const markers = (tier: StatsTier) => ({
  begin: `<!-- bench-statistics-${tier}:begin (generated by \`npm run bench:statistics -- --tier ${tier}\`; edit outside these markers) -->`,
  end: `<!-- bench-statistics-${tier}:end -->`,
});
const SECTION = '## Statistics and the dashboard (issue 7)';

function render(file: RunFile): string {
  const m = file.machine;
  const cols = file.results.map((x) => x.driver);
  const r = (d: Driver) => file.results.find((x) => x.driver === d)!;
  const d = file.data;
  const bold = (drv: Driver, ms: number, s: string) => (ms > target(file.tier, drv) ? `**${s}**` : s);
  const lines = [
    `Measured ${file.date.slice(0, 10)} at commit ${file.commit} on ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB.toFixed(1)} GiB, Node ${m.node}; PostgreSQL ${m.postgres || '–'}, PGlite ${m.pglite} (server ${m.pgliteServer || '–'}); load average at the start ${m.loadavg.map((x) => x.toFixed(1)).join(' ')}.`,
    `Data: the ${file.tier} tier (${d.regions[0]!.name}) with ${int(d.cadres)} cadres, ${int(d.villages)} villages and communities, ${int(d.households)} households, ${int(d.enterprises)} enterprises and ${int(d.projects)} projects; ${int(d.pairings)} pairings; ${int(d.activities)} field records in 2026 (${int(d.participants)} participations) in the tier's campaign; ${int(d.tickets)} tickets (${int(d.ticketEvents)} events) registered 2026-01-01 … 2026-11-22; ${int(d.writings)} writings and ${int(d.matters)} practical matters; ${int(d.complianceRows)} compliance rows from ${d.rules} rules.`,
    `Target: p95 under ${target(file.tier, 'postgres')} ms on PostgreSQL${file.tier === 'city' ? ` and ${target('city', 'pglite')} ms on PGlite` : ''} for every cell (a miss in bold). ${file.samples} calls per cell × ${file.runs} pass(es)${file.results.some((x) => x.cells.some((c) => c.calls < file.samples * file.runs)) ? ` (fewer where a cell's calls passed ${cellBudgetMs / 1000} s; the calls column says how many)` : ''}.`,
    '',
    `| | ${cols.map((x) => driverLabel[x]).join(' | ')} |`,
    `|---|${cols.map(() => '---:').join('|')}|`,
    `| p95 over every call (median) | ${cols.map((x) => `${bold(x, r(x).p95AllMs, `${fmt(r(x).p95AllMs)} ms`)} (${fmt(r(x).medianAllMs)} ms)`).join(' | ')} |`,
    `| first dashboard call after generation (${d.regions[0]!.name}, year to date) | ${cols.map((x) => `${fmt(r(x).firstCallMs)} ms`).join(' | ')} |`,
    `| data generation | ${cols.map((x) => `${secs(r(x).generationMs)} s`).join(' | ')} |`,
    ...r(cols[0]!).steps.map((s, i) => `| … ${s.name} | ${cols.map((x) => `${secs(r(x).steps[i]?.ms ?? NaN)} s`).join(' | ')} |`),
    '',
    `Per cell: dashboard median / p95, and the three computeFigures calls it makes, each alone once (headline figures; by child region; trend by month or day):`,
    '',
    `| region | period | children | calls | ${cols.map((x) => `${driverLabel[x]} median / p95 | ${driverLabel[x]} figures / by child / trend`).join(' | ')} |`,
    `|---|---|---:|---:|${cols.map(() => '---:|---:').join('|')}|`,
    ...r(cols[0]!).cells.map((c, i) => `| ${c.region} | ${c.period} | ${c.children} | ${cols.map((x) => r(x).cells[i]!.calls).join(' / ')} | ${cols.map((x) => {
      const cx = r(x).cells[i]!;
      return `${fmt(cx.medianMs)} / ${bold(x, cx.p95Ms, fmt(cx.p95Ms))} ms | ${fmt(cx.figuresMs)} / ${fmt(cx.childRegionsMs)} / ${fmt(cx.trendMs)} ms`;
    }).join(' | ')} |`),
  ];
  return lines.join('\n');
}

async function commitOf(): Promise<string> {
  const { execFileSync } = await import('node:child_process');
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'contracts'], { encoding: 'utf8' }).trim();
    return dirty ? `${head} (with uncommitted changes in src/)` : head;
  } catch {
    return 'unknown';
  }
}

async function runTier(tierName: StatsTier, server: PostgresServer | undefined) {
  const started = Date.now();
  const machine = describeMachine();
  const commit = await commitOf();
  const tierDrivers = tierName === 'province' ? drivers.filter((d) => d === 'postgres') : drivers;
  if (tierDrivers.length === 0) {
    console.log('province tier: PostgreSQL only, skipped');
    return;
  }
  console.log(`\nStatistics benchmark: ${tierName} tier, ${tierDrivers.map((d) => driverLabel[d]).join(' + ')}, ${samples} samples × ${runs} pass(es), commit ${commit}`);
  console.log(machineLine(machine));
  const results: DriverResult[] = [];
  let data: Data | undefined;
  for (const d of tierDrivers) {
    const t0 = performance.now();
    const h = await openDriver(tierName, d, server);
    await migrateToLatest(h.db);
    const keptRun = kept(d) ? await keptGeneration(h.db, tierName) : undefined;
    if (keptRun) console.log(`  measuring the ${tierName} tier kept in ${kept(d)}, generated ${keptRun.at}`);
    else console.log(`  generating on ${driverLabel[d]}`);
    const steps: Step[] = keptRun?.steps ?? [];
    const gen = keptRun?.data ?? (await generate(h.db, tierName, d, steps));
    const generationMs = keptRun?.generationMs ?? performance.now() - t0;
    if (kept(d) && !keptRun) await keepGeneration(h.db, tierName, { data: gen, steps, generationMs, at: new Date().toISOString() });
    console.log(`  generated on ${driverLabel[d]} in ${secs(generationMs)} s: ${JSON.stringify({ ...gen, regions: gen.regions.map((r) => r.name) })}`);
    if (data && JSON.stringify({ ...data, complianceRows: 0 }) !== JSON.stringify({ ...gen, complianceRows: 0 })) console.warn('  the generator made different data on the two drivers');
    data = gen;
    if (d === 'postgres') machine.postgres = await serverVersion(h.db);
    else machine.pgliteServer = await serverVersion(h.db);
    results.push(await measure(h.db, tierName, d, gen, steps, generationMs));
    await h.close();
  }
  const file: RunFile = { date: new Date().toISOString(), machine, tier: tierName, runs, samples, commit, data: data!, results, totalMs: Date.now() - started };
  const body = render(file);
  console.log(`\n${body}\n`);
  if (!opts['no-write']) {
    console.log(`wrote ${writeResultFile(`statistics-${tierName}-${fileStamp(file.date)}.json`, `${JSON.stringify(file, null, 2)}\n`)}`);
    const { begin, end } = markers(tierName);
    const heading = `### The dashboard at the ${tierName} tier (generated)`;
    writeDocBlock(begin, end, body, (doc = '# Performance\n', block) => {
      if (doc.includes(heading)) return doc.replace(heading, `${heading}\n\n${block}\n`);
      const withSection = doc.includes(SECTION) ? doc : `${doc.trimEnd()}\n\n${SECTION}\n`;
      return `${withSection.trimEnd()}\n\n${heading}\n\n${block}\n`;
    });
  }
}

async function main() {
  let server: PostgresServer | undefined;
  if (drivers.includes('postgres') && !keptUrl) {
    server = await startPostgres();
    cleanups.push(await stopper(server));
  }
  for (const t of tierNames) await runTier(t, server);
}

await runMain(main);
