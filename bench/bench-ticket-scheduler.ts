import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openPGlite, type Database, type DatabaseHandle } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { runSupervisionTick, type TickStats } from '../src/features/tickets/scheduler.ts';
import { startPostgres, type PostgresServer } from '../test/postgres-server.ts';
import { generateOpenTickets, type OpenTicketsInfo } from './generate-open-tickets.ts';
import {
  parseDrivers, cleanups, describeMachine, driverLabel, fileStamp, fmt, installCleanupHandlers, intOptions, machineLine, median, openFreshPostgres, releaser,
  runMain, serverVersion, stopper, writeResultFile, type Driver, type Machine,
} from './harness.ts';

// The scheduler benchmark (issue 5, "Performance": one pass over 100,000 open tickets in under
// 10 s). bench/generate-open-tickets.ts makes the open tickets with deadlines from 20 days past to
// 20 days ahead (around 国庆 2026), then per run:
//  - cold: the first pass over them (every mark set; a yellow and often a red 督办 due for every
//    overdue ticket, of which one batch, SUPERVISE_BATCH, is issued with its events and notices:
//    the worst case, as after a long outage or an import);
//  - catch-up: the passes of the next ticks, a minute apart, until every notice due is issued;
//  - steady: the pass one minute later (next to nothing new: the pass every minute in production);
//  - next day: the pass a day later (the tickets that fell overdue or long overdue overnight).
// Between runs the supervisions, their events and notices are removed and the marks reset.
// Run: node bin/run-ts.mjs bench/bench-ticket-scheduler.ts [--driver pglite|postgres|both] [--runs N] [--tickets N]

const usage = 'node bin/run-ts.mjs bench/bench-ticket-scheduler.ts [--driver pglite|postgres|both] [--runs N] [--tickets N] [--timeout SECONDS]';
const { values: opts } = parseArgs({
  options: {
    driver: { type: 'string', default: 'both' },
    runs: { type: 'string', default: '3' },
    tickets: { type: 'string', default: '100000' },
    timeout: { type: 'string', default: '3600' },
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
const open = intOpt('tickets', opts.tickets, 1000);
installCleanupHandlers(intOpt('timeout', opts.timeout, 10) * 1000);

/** Tuesday after National Day 2026, mid-morning in China: holidays lie within the deadlines' span. */
const NOW = new Date('2026-10-13T10:00:00+08:00');
const MIN = 60_000;
const passNames = ['cold', 'catch-up', 'steady', 'next day'] as const;

type PassResult = { ms: number[]; marksMs: number[]; supervisionMs: number[]; stats: Omit<TickStats, 'ms' | 'marksMs' | 'supervisionMs'> };
type DriverResult = { driver: Driver; generationMs: number; passes: Record<string, PassResult> };
type RunFile = { date: string; machine: Machine; data: OpenTicketsInfo; results: DriverResult[] };

async function openDriver(driver: Driver, server: PostgresServer | undefined): Promise<DatabaseHandle> {
  const handle = driver === 'pglite' ? await openPGlite() : await openFreshPostgres(server!, 'lianxin_bench_scheduler');
  return { ...handle, close: releaser(() => handle.close()) };
}

async function reset(db: Database) {
  await sql`delete from notifications`.execute(db);
  await sql`alter table ticket_events disable trigger ticket_events_no_change`.execute(db);
  await sql`delete from ticket_events where action = 'supervise'`.execute(db);
  await sql`alter table ticket_events enable trigger ticket_events_no_change`.execute(db);
  await sql`delete from ticket_supervisions`.execute(db);
  await sql`delete from scheduler_ticks`.execute(db);
  await sql`update tickets set deadline_mark = 'on_time' where deadline_mark <> 'on_time'`.execute(db);
  await sql`vacuum analyze`.execute(db);
}

async function measure(db: Database, driver: Driver, generationMs: number): Promise<DriverResult> {
  const out: DriverResult = { driver, generationMs, passes: {} };
  for (let run = 1; run <= runs; run++) {
    await reset(db);
    let minute = 0;
    const pass = async (name: (typeof passNames)[number], at: Date) => {
      const t0 = performance.now();
      const r = await runSupervisionTick(db, { now: at, processName: 'bench', intervalMs: MIN });
      const ms = performance.now() - t0;
      if (!r.ran) throw new Error(`${name}: the tick did not run (${r.reason})`);
      const { ms: _inner, marksMs, supervisionMs, ...stats } = r.stats;
      const acc = (out.passes[name] ??= { ms: [], marksMs: [], supervisionMs: [], stats });
      acc.ms.push(ms);
      acc.marksMs.push(marksMs);
      acc.supervisionMs.push(supervisionMs);
      console.log(`  ${driverLabel[driver].padEnd(10)} run ${run} ${name.padEnd(8)} ${fmt(ms).padStart(7)} ms (marks ${marksMs}, notices ${supervisionMs})  marks changed ${JSON.stringify(stats.marks)} yellow ${stats.yellow} red ${stats.red} notifications ${stats.notifications}${stats.more ? ' (more to come)' : ''}`);
      return stats.more;
    };
    // The first pass, then the next ticks until the backlog of notices is issued.
    let more = await pass('cold', NOW);
    while (more) more = await pass('catch-up', new Date(NOW.getTime() + ++minute * MIN));
    await pass('steady', new Date(NOW.getTime() + ++minute * MIN));
    more = await pass('next day', new Date(NOW.getTime() + 24 * 60 * MIN));
    for (let k = 1; more; k++) more = await pass('catch-up', new Date(NOW.getTime() + (24 * 60 + k) * MIN));
  }
  return out;
}

await runMain(async () => {
  const machine = describeMachine();
  console.log(machineLine(machine));
  let server: PostgresServer | undefined;
  if (drivers.includes('postgres')) {
    server = await startPostgres();
    cleanups.push(await stopper(server));
  }
  const results: DriverResult[] = [];
  let data: OpenTicketsInfo | undefined;
  for (const d of drivers) {
    const h = await openDriver(d, server);
    await migrateToLatest(h.db);
    if (d === 'postgres') machine.postgres = await serverVersion(h.db);
    else machine.pgliteServer = await serverVersion(h.db);
    const t0 = performance.now();
    data = await generateOpenTickets(h.db, { open, closed: Math.round(open / 5), now: NOW });
    const generationMs = performance.now() - t0;
    console.log(`${driverLabel[d]}: ${data.open.toLocaleString('en-US')} open and ${data.closed.toLocaleString('en-US')} closed tickets, ${data.units} units, ${data.supervisors} supervisors in ${(generationMs / 1000).toFixed(1)} s`);
    results.push(await measure(h.db, d, generationMs));
    await h.close();
  }
  console.log(`\nOne scheduler pass over ${open.toLocaleString('en-US')} open tickets, median of ${runs} run${runs > 1 ? 's' : ''} (ms):`);
  console.log(`| pass | ${results.map((r) => `${driverLabel[r.driver]} (marks + notices)`).join(' | ')} | yellow / red / notifications |`);
  console.log(`|---|${results.map(() => '---:').join('|')}|---|`);
  for (const name of passNames) {
    if (!results.some((r) => r.passes[name])) continue;
    const cell = (r: DriverResult) => {
      const x = r.passes[name];
      return x ? `${fmt(median(x.ms))} (${fmt(median(x.marksMs))} + ${fmt(median(x.supervisionMs))})${x.ms.length > runs ? `, ${x.ms.length / runs} per run, max ${fmt(Math.max(...x.ms))}` : ''}` : '–';
    };
    const s = results.find((r) => r.passes[name])!.passes[name]!.stats;
    console.log(`| ${name} | ${results.map(cell).join(' | ')} | ${s.yellow} / ${s.red} / ${s.notifications}${s.more ? ' (batch full: the rest in the next passes)' : ''} |`);
  }
  const file: RunFile = { date: new Date().toISOString(), machine, data: data!, results };
  console.log(`wrote ${writeResultFile(`scheduler-${fileStamp(file.date)}.json`, `${JSON.stringify(file, null, 2)}\n`)}`);
});
