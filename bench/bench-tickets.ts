import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { ticketListQuery, type TicketListFilters } from '../contracts/ticket-api.ts';
import { openPGlite, type Database, type DatabaseHandle } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import type { Actor } from '../src/features/auth/actor.ts';
import { ticketMeasures } from '../src/features/tickets/measures.ts';
import { listTickets } from '../src/features/tickets/tickets.ts';
import { startPostgres, type PostgresServer } from '../test/postgres-server.ts';
import { generateTier, tiers } from './generate.ts';
import { generateTickets, type TicketsInfo } from './generate-tickets.ts';
import {
  parseDrivers, cleanups, describeMachine, driverLabel, explain, fileStamp, fmt, installCleanupHandlers, intOptions, machineLine, median, openFreshPostgres, releaser,
  runMain, serverVersion, stopper, writeDocBlock, writeResultFile, type Driver, type Machine,
} from './harness.ts';

// The ticket benchmark (issue 5, "Performance"): the city tier with a year of tickets
// (bench/generate-tickets.ts: 30,000 tickets, about 300,000 events), then
//  1. the ledger (listTickets: a page of 20 and the total) with each filter alone, pairs, and all
//     at once, by the city office (unscoped) and by a county supervisor (scoped to a county);
//  2. the measures (ticketMeasures) for everything, the city, a county and a township × a month, a quarter,
//     the year and all time × no grouping, by unit, by region and by month.
// Each combination: one warm-up, then --runs timed runs; the median is reported. Target: under
// 200 ms median on PostgreSQL for every combination. --explain prints EXPLAIN ANALYZE of the
// combinations that miss it.
// Run: npm run bench:tickets -- [--driver pglite|postgres|both] [--runs N] [--explain] [--no-write]

const usage = 'node bin/run-ts.mjs bench/bench-tickets.ts [--driver pglite|postgres|both] [--runs N] [--timeout SECONDS] [--explain] [--no-write]';
const { values: opts } = parseArgs({
  options: {
    driver: { type: 'string', default: 'both' },
    runs: { type: 'string', default: '5' },
    timeout: { type: 'string', default: '3600' },
    explain: { type: 'boolean', default: false },
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
installCleanupHandlers(timeoutMs);

const TARGET_MS = 200;
const secs = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
const int = (n: number) => Math.round(n).toLocaleString('en-US');

type Case = { group: 'ledger' | 'measures'; name: string; run: (db: Database) => Promise<unknown> };
type CaseResult = { group: Case['group']; name: string; medianMs: number; minMs: number; maxMs: number; rows: number };
type DriverResult = { driver: Driver; generationMs: number; cases: CaseResult[] };
type RunFile = { date: string; machine: Machine; runs: number; data: TicketsInfo; results: DriverResult[]; totalMs: number };

async function openDriver(driver: Driver, server: PostgresServer | undefined): Promise<DatabaseHandle> {
  const handle = driver === 'pglite' ? await openPGlite() : await openFreshPostgres(server!, 'lianxin_bench_tickets');
  return { ...handle, close: releaser(() => handle.close()) };
}

/** The combinations measured; the same on both drivers. */
async function cases(db: Database, info: TicketsInfo): Promise<Case[]> {
  const now = new Date(info.now);
  const office = await db.selectFrom('users').select('id').where('username', '=', 'bench-office').executeTakeFirstOrThrow();
  const county = await db.selectFrom('regions').select(['code', 'path']).where('code', '=', info.sample.countyCode).executeTakeFirstOrThrow();
  const city: Actor = { userId: office.id, username: 'bench-office', role: 'admin', scope: { regionPath: null, unitPath: null }, ip: null, cadreId: null };
  const countySupervisor: Actor = { userId: null, username: 'bench-county-supervisor', role: 'supervisor', scope: { regionPath: county.path, unitPath: null }, ip: null, cadreId: null };
  const year = info.now.slice(0, 4);
  const periods = { month: { from: `${year}-11-01`, to: `${year}-11-30` }, quarter: { from: `${year}-10-01`, to: `${year}-12-31` }, year: { from: `${year}-01-01`, to: `${year}-12-31` } };
  const s = info.sample;

  const ledger = (name: string, f: TicketListFilters, actor = city): Case => ({
    group: 'ledger', name: `${actor === city ? '' : '[county supervisor] '}${name}`,
    run: async (d) => (await listTickets(d, actor, ticketListQuery.parse(f), { now })).total,
  });
  const singles: [string, TicketListFilters][] = [
    ['(no filter)', {}], ['state=open', { state: 'open' }], ['state=closed', { state: 'closed' }], ['state=reopened', { state: 'reopened' }],
    ['type=complaint', { type: 'complaint' }], ['source=hotline', { source: 'hotline' }], ['category=infrastructure (and children)', { category: 'infrastructure' }],
    ['category=infrastructure.water', { category: 'infrastructure.water' }], ['urgency=critical', { urgency: 'critical' }], [`unitId (${s.unitName})`, { unitId: s.unitId }],
    ['region=county', { region: s.countyCode }], ['region=township', { region: s.townshipCode }], ['period=month', periods.month], ['period=quarter', periods.quarter],
    ['period=year', periods.year], ['mark=due_soon', { mark: 'due_soon' }], ['mark=overdue', { mark: 'overdue' }], ['mark=long_overdue', { mark: 'long_overdue' }],
    ['mark=late', { mark: 'late' }], ['supervised=yes', { supervised: 'yes' }], ['supervised=unreplied', { supervised: 'unreplied' }], [`q=${s.word}`, { q: s.word }],
    ['q=tracking code', { q: s.trackingCode }], ['page 50', { page: 50 }],
  ];
  const pairs: [string, TicketListFilters][] = [
    ['state=open + region=county', { state: 'open', region: s.countyCode }], ['type=complaint + region=township', { type: 'complaint', region: s.townshipCode }],
    ['category=infrastructure + period=month', { category: 'infrastructure', ...periods.month }], ['unitId + state=open', { unitId: s.unitId, state: 'open' }],
    ['region=county + mark=overdue', { region: s.countyCode, mark: 'overdue' }], [`q=${s.word} + region=county`, { q: s.word, region: s.countyCode }],
    ['source=hotline + period=quarter', { source: 'hotline', ...periods.quarter }], ['mark=late + period=year', { mark: 'late', ...periods.year }],
    ['state=closed + supervised=yes', { state: 'closed', supervised: 'yes' }], ['unitId + period=month', { unitId: s.unitId, ...periods.month }],
    ['region=township + period=quarter', { region: s.townshipCode, ...periods.quarter }], ['urgency=urgent + mark=overdue', { urgency: 'urgent', mark: 'overdue' }],
  ];
  const all: [string, TicketListFilters][] = [
    ['all: state, type, source, category, urgency, region=county, year, mark=late, supervised, q', {
      state: 'closed', type: 'complaint', source: 'hotline', category: 'infrastructure', urgency: 'normal', region: s.countyCode, ...periods.year, mark: 'late', supervised: 'yes', q: s.word,
    }],
    ['all: state=open, category, unitId, region=township, quarter, mark=overdue', { state: 'open', category: 'infrastructure', unitId: s.unitId, region: s.townshipCode, ...periods.quarter, mark: 'overdue' }],
  ];
  const list = [...singles, ...pairs, ...all].map(([n, f]) => ledger(n, f));
  for (const [n, f] of [['(no filter)', {}], ['state=open', { state: 'open' }], ['mark=overdue', { mark: 'overdue' }], ['region=township + period=month', { region: s.townshipCode, ...periods.month }]] as [string, TicketListFilters][]) {
    list.push(ledger(n, f, countySupervisor));
  }

  const measures: Case[] = [];
  const regions: [string, string | undefined][] = [['all', undefined], ['city', s.cityCode], ['county', s.countyCode], ['township', s.townshipCode]];
  const ps: [string, { from?: string; to?: string }][] = [['all time', {}], ['month', periods.month], ['quarter', periods.quarter], ['year', periods.year]];
  for (const [rn, region] of regions) {
    for (const [pn, p] of ps) {
      for (const groupBy of ['none', 'unit', 'region', 'month'] as const) {
        const q = { ...(region ? { region } : {}), ...p, groupBy };
        measures.push({ group: 'measures', name: `${rn} × ${pn} × by ${groupBy}`, run: async (d) => (await ticketMeasures(d, city, q, now)).rows.length });
      }
    }
  }
  measures.push({ group: 'measures', name: `unit (${s.unitName}) × year × by month`, run: async (d) => (await ticketMeasures(d, city, { unitId: s.unitId, ...periods.year, groupBy: 'month' }, now)).rows.length });
  measures.push({ group: 'measures', name: '[county supervisor] year × by region', run: async (d) => (await ticketMeasures(d, countySupervisor, { ...periods.year, groupBy: 'region' }, now)).rows.length });
  return [...list, ...measures];
}

async function measure(db: Database, driver: Driver, info: TicketsInfo, generationMs: number): Promise<DriverResult> {
  const label = driverLabel[driver].padEnd(10);
  const out: CaseResult[] = [];
  for (const c of await cases(db, info)) {
    const rows = Number(await c.run(db)); // warm-up
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await c.run(db);
      times.push(performance.now() - t0);
    }
    const r = { group: c.group, name: c.name, medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times), rows };
    out.push(r);
    console.log(`  ${label} ${c.group.padEnd(8)} ${fmt(r.medianMs).padStart(7)} ms  ${c.name} (${int(rows)})${r.medianMs > TARGET_MS ? '  ← over 200 ms' : ''}`);
    if (opts.explain && r.medianMs > TARGET_MS) console.log(await explain(c, db));
  }
  return { driver, generationMs, cases: out };
}

const BEGIN = '<!-- bench-tickets:begin (generated by `npm run bench:tickets`; edit outside these markers) -->';
const END = '<!-- bench-tickets:end -->';
const HEADING = '## Tickets: the ledger and the measures (city tier, a year of tickets)';

function render(file: RunFile): string {
  const m = file.machine;
  const r = (d: Driver) => file.results.find((x) => x.driver === d);
  const cols = drivers.filter((d) => r(d));
  const names = r(cols[0]!)!.cases;
  const cell = (d: Driver, i: number) => {
    const x = r(d)!.cases[i]!;
    return d === 'postgres' && x.medianMs > TARGET_MS ? `**${fmt(x.medianMs)}**` : fmt(x.medianMs);
  };
  const table = (group: Case['group']) => [
    `| ${group === 'ledger' ? 'ledger filters (page of 20 + total)' : 'measures: region × period × grouping'} | rows | ${cols.map((d) => `${driverLabel[d]} ms`).join(' | ')} |`,
    `|---|---:|${cols.map(() => '---:').join('|')}|`,
    ...names.flatMap((c, i) => (c.group === group ? [`| ${c.name} | ${int(c.rows)} | ${cols.map((d) => cell(d, i)).join(' | ')} |`] : [])),
  ];
  const worst = (d: Driver) => Math.max(...r(d)!.cases.map((c) => c.medianMs));
  const over = (d: Driver) => r(d)!.cases.filter((c) => c.medianMs > TARGET_MS).length;
  return [
    `Measured ${file.date.slice(0, 10)} on ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB.toFixed(1)} GiB, Node ${m.node}; PostgreSQL ${m.postgres || '–'}, PGlite ${m.pglite} (server ${m.pgliteServer || '–'}); load average at the start ${m.loadavg.map((x) => x.toFixed(1)).join(' ')}.`,
    `Data: ${int(file.data.counts.tickets)} tickets registered over ${file.data.now.slice(0, 4)} with ${int(file.data.counts.events)} events and ${int(file.data.counts.supervisions)} supervision notices on the city tier (${int(file.data.counts.open)} still open at the end of the year, ${int(file.data.counts.overdueOpen)} of them overdue); each through the state machine (bench/generate-tickets.ts).`,
    `Median of ${file.runs} runs after one warm-up, in ms; the city office (unscoped) unless marked. Target: under ${TARGET_MS} ms on PostgreSQL (a miss in bold).`,
    '',
    `| | ${cols.map((d) => driverLabel[d]).join(' | ')} |`,
    `|---|${cols.map(() => '---:').join('|')}|`,
    `| slowest combination | ${cols.map((d) => `${fmt(worst(d))} ms`).join(' | ')} |`,
    `| combinations over ${TARGET_MS} ms | ${cols.map((d) => `${over(d)} of ${r(d)!.cases.length}`).join(' | ')} |`,
    `| data generation (tier and tickets) | ${cols.map((d) => `${secs(r(d)!.generationMs)} s`).join(' | ')} |`,
    '',
    ...table('ledger'),
    '',
    ...table('measures'),
  ].join('\n');
}

async function main() {
  const started = Date.now();
  const machine = describeMachine();
  console.log(`Ticket benchmark: city tier + a year of tickets, ${drivers.map((d) => driverLabel[d]).join(' + ')}, ${runs} run(s) per combination`);
  console.log(machineLine(machine));
  let server: PostgresServer | undefined;
  if (drivers.includes('postgres')) {
    server = await startPostgres();
    cleanups.push(await stopper(server));
  }
  const results: DriverResult[] = [];
  let info: TicketsInfo | undefined;
  for (const d of drivers) {
    const t0 = performance.now();
    const h = await openDriver(d, server);
    await migrateToLatest(h.db);
    const tier = await generateTier(h.db, tiers.city);
    const gen = await generateTickets(h.db, tier);
    await sql`analyze`.execute(h.db);
    const generationMs = performance.now() - t0;
    console.log(`generated on ${driverLabel[d]} in ${secs(generationMs)} s: ${JSON.stringify(gen.counts)}`);
    if (info && JSON.stringify(info) !== JSON.stringify(gen)) throw new Error('the generator made different data on the two drivers');
    info = gen;
    if (d === 'postgres') machine.postgres = await serverVersion(h.db);
    else machine.pgliteServer = await serverVersion(h.db);
    results.push(await measure(h.db, d, gen, generationMs));
    await h.close();
  }
  const file: RunFile = { date: new Date().toISOString(), machine, runs, data: info!, results, totalMs: Date.now() - started };
  const body = render(file);
  console.log(`\n${body}\n`);
  if (!opts['no-write']) {
    console.log(`wrote ${writeResultFile(`tickets-${fileStamp(file.date)}.json`, `${JSON.stringify(file, null, 2)}\n`)}`);
    writeDocBlock(BEGIN, END, body, (doc = '# Performance\n', block) => (doc.includes(HEADING)
      ? doc.replace(HEADING, `${HEADING}\n\n${block}\n`)
      : `${doc.trimEnd()}\n\n${HEADING}\n\n${block}\n`));
  }
}

await runMain(main);
