import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import autocannon, { type Result } from 'autocannon';
import Fastify from 'fastify';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { openPGlite, openPostgres, type Database, type DatabaseHandle } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { createUser } from '../src/features/auth/accounts.ts';
import { systemActor } from '../src/features/auth/actor.ts';
import { createCadre } from '../src/features/cadres/cadres.ts';
import { importRegions } from '../src/features/regions/regions.ts';
import { createUnit } from '../src/features/units/units.ts';
import { buildApp } from '../src/http/app.ts';
import { keyFromSecret } from '../src/lib/personal-data.ts';
import { startPostgres } from '../test/postgres-server.ts';
import {
  parseDrivers, cleanups, describeMachine, driverLabel, fileStamp, installCleanupHandlers, intOptions, machineLine, median, releaser, root, runMain, stopper,
  writeDocBlock, writeResultFile, type Driver, type Machine,
} from './harness.ts';

// Activity creation over HTTP (issue 4, "Performance"): POST /api/v1/activities as 20 cadres at
// once — each connection logged in once as its own cadre account, sending its CSRF token — so every
// request goes through the session and scope lookup, zod validation, the participant, target and
// campaign checks, one statement writing the record with its audit row, and the answer. The
// integrity checks run in the same server process in the background (batches every 0.5 s, see
// startIntegrityWorker), so they load the machine as in production; after each run the records
// still waiting for them are counted, to show the checks keep up.
// Beside it, in the same run and the same server process, a bare Fastify route that inserts the same
// JSON body as one row: through `pg` (pool of 10, as the app) on PostgreSQL, through its own PGlite
// on PGlite. The server runs in a child process so that autocannon (this process) does not share its
// event loop; routes and drivers take turns run by run. Run:
//   node bin/run-ts.mjs bench/activities.ts [--runs 3] [--duration 10] [--connections 20] [--no-write]

const usage = 'node bin/run-ts.mjs bench/activities.ts [--runs N] [--duration SECONDS] [--warmup SECONDS] [--connections N] [--driver pglite|postgres|both] [--no-write]';
const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '20' },
    driver: { type: 'string', default: 'both' },
    timeout: { type: 'string', default: '900' },
    'no-write': { type: 'boolean', default: false },
    serve: { type: 'string' },
    url: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});

const POOL = 10;
const XIANGSHAN = '330225000000';
const DANDONG = '330225001000';

// ---- The server (child process)
type Ready = { app: number; bare: number; sessions: { cookie: string; csrf: string; cadreId: number; targetId: number }[]; server: string };

async function seed(db: Database, clients: number) {
  const system = systemActor('bench');
  const key = keyFromSecret(randomBytes(32));
  await importRegions(db, system, '330225');
  const county = await createUnit(db, system, { code: 'B-COUNTY', name: '县委组织部', level: 'county', regionCode: XIANGSHAN, parentId: null });
  const town = await createUnit(db, system, { code: 'B-DANDONG', name: '丹东街道党工委', level: 'township', regionCode: DANDONG, parentId: county.id });
  const villages = await db.selectFrom('regions').select(['code', 'path']).where('parent_code', '=', DANDONG).orderBy('code').execute();
  const accounts = [];
  for (let i = 0; i < clients; i++) {
    const cadre = await createCadre(db, system, key, { name: `干部${i + 1}`, unitId: town.id, rank: 'general', position: '科员', phone: null });
    const village = villages[i % villages.length]!;
    const target = await db
      .insertInto('contact_targets')
      .values({ kind: 'household', name: `农户${i + 1}`, name_initials: '', region_code: village.code, region_path: village.path, updated_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const user = await createUser(db, system, {
      username: `bench-cadre-${i + 1}`, displayName: `干部${i + 1}`, password: 'Bench#2026pass', role: 'cadre', unitId: town.id, cadreId: cadre.id,
    });
    accounts.push({ username: user.username, cadreId: cadre.id, targetId: target.id });
  }
  return accounts;
}

async function serve(driver: Driver, url: string | undefined, clients: number) {
  const h: DatabaseHandle = driver === 'pglite' ? await openPGlite() : openPostgres(url!, POOL);
  await migrateToLatest(h.db);
  const accounts = await seed(h.db, clients);
  const config = loadConfig({ LIANXIN_DATA_DIR: mkdtempSync(join(tmpdir(), 'lianxin-bench-')), LOG_LEVEL: 'silent', ...(url ? { DATABASE_URL: url } : {}) });
  const app = await buildApp({ db: h.db, config, key: keyFromSecret(randomBytes(32)) }, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const sessions: Ready['sessions'] = [];
  for (const a of accounts) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: a.username, password: 'Bench#2026pass' } });
    if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
    sessions.push({ cookie: res.cookies.map((c) => `${c.name}=${c.value}`).join('; '), csrf: res.json().csrfToken, cadreId: a.cadreId, targetId: a.targetId });
  }

  // The bare route: parse the JSON body, insert it as one row, answer the id.
  const bare = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  const create = 'create table bench_bare (id serial primary key, body jsonb not null, created_at timestamptz not null default now())';
  const insert = 'insert into bench_bare (body) values ($1) returning id';
  if (driver === 'postgres') {
    const pool = new pg.Pool({ connectionString: url, max: POOL });
    await pool.query(create);
    bare.post('/bare', async (request, reply) => reply.status(201).send({ id: (await pool.query<{ id: number }>(insert, [request.body])).rows[0]!.id }));
  } else {
    const lite = await PGlite.create();
    await lite.query(create);
    bare.post('/bare', async (request, reply) => reply.status(201).send({ id: (await lite.query<{ id: number }>(insert, [request.body])).rows[0]!.id }));
  }
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const server = driver === 'postgres' ? ((await h.db.selectNoFrom((eb) => eb.fn<string>('version', []).as('v')).executeTakeFirstOrThrow()).v.split(' on ')[0]!) : 'PGlite';
  const port = (s: { server: { address(): unknown } }) => (s.server.address() as { port: number }).port;
  const ready: Ready = { app: port(app), bare: port(bare), sessions, server };
  process.send!(ready);
  process.on('message', async (m) => {
    if (m === 'pending') {
      const r = await h.db.selectFrom('activities').select((eb) => eb.fn.countAll<string>().as('n')).where('integrity_checked_at', 'is', null).executeTakeFirstOrThrow();
      process.send!({ pending: Number(r.n) });
      return;
    }
    await bare.close();
    await app.close();
    await h.close();
    process.exit(0);
  });
}

// ---- The load (this process)
const routes = ['bare', 'activity'] as const;
type Route = (typeof routes)[number];
const routeLabel: Record<Route, string> = { bare: 'bare route (one insert)', activity: 'POST /api/v1/activities' };
/** pending: records still waiting for their integrity checks right after the run. */
type Figure = { driver: Driver; route: Route; run: number; rps: number; p50: number; p99: number; requests: number; non2xx: number; errors: number; pending?: number };

const body = (cadreId: number, targetId: number) => {
  const end = Date.now() - 60 * 60_000;
  return JSON.stringify({
    kind: 'household_visit',
    title: '入户走访',
    startsAt: new Date(end - 45 * 60_000).toISOString(),
    endsAt: new Date(end).toISOString(),
    participantIds: [cadreId],
    targetIds: [targetId],
    findings: '老人独居，腿脚不便，希望有人定期上门。',
    actions: '登记需求，联系社区志愿者每周上门一次。',
  });
};

async function load(ready: Ready, route: Route, seconds: number, connections: number): Promise<Result> {
  let next = 0;
  return autocannon({
    url: route === 'bare' ? `http://127.0.0.1:${ready.bare}/bare` : `http://127.0.0.1:${ready.app}/api/v1/activities`,
    method: 'POST',
    connections,
    duration: seconds,
    setupClient: (client) => {
      // Each connection is one cadre, logged in once.
      const s = ready.sessions[next++ % ready.sessions.length]!;
      client.setHeaders({ 'content-type': 'application/json', cookie: s.cookie, 'x-csrf-token': s.csrf });
      client.setBody(body(s.cadreId, s.targetId));
    },
  });
}

async function startServer(driver: Driver, url: string | undefined, clients: number): Promise<{ ready: Ready; stop: () => Promise<void>; pending: () => Promise<number> }> {
  const child: ChildProcess = fork(join(root, 'bin', 'run-ts.mjs'), ['bench/activities.ts', '--serve', driver, ...(url ? ['--url', url] : []), '--connections', String(clients)], {
    cwd: root, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Ready));
    child.once('exit', (code) => reject(new Error(`${driver} server exited (${code}) before it was ready`)));
  });
  const stop = releaser(async () => {
    if (child.exitCode === null) {
      child.send('stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
  });
  const pending = () => new Promise<number>((resolve) => {
    child.once('message', (m) => resolve((m as { pending: number }).pending));
    child.send('pending');
  });
  return { ready, stop, pending };
}

const BEGIN = '<!-- bench-activities:begin (generated by `node bin/run-ts.mjs bench/activities.ts`; edit outside these markers) -->';
const END = '<!-- bench-activities:end -->';
const HEADING = '## Activity creation over HTTP';

type ResultFile = { date: string; machine: Machine; options: { runs: number; duration: number; warmup: number; connections: number }; figures: Figure[] };

function summary(file: ResultFile) {
  const drivers = [...new Set(file.figures.map((f) => f.driver))];
  const rows = ['| driver | route | requests/s | p50 (ms) | p99 (ms) | share of bare throughput |', '|---|---|---:|---:|---:|---:|'];
  for (const d of drivers) {
    const of = (route: Figure['route']) => file.figures.filter((f) => f.driver === d && f.route === route);
    const bareRps = median(of('bare').map((f) => f.rps));
    for (const route of routes) {
      const fs = of(route);
      if (fs.length === 0) continue;
      const rps = median(fs.map((f) => f.rps));
      rows.push(`| ${driverLabel[d]} | ${routeLabel[route]} | ${rps.toFixed(0)} | ${median(fs.map((f) => f.p50)).toFixed(1)} | ${median(fs.map((f) => f.p99)).toFixed(1)} | ${route === 'bare' ? '' : `${((rps / bareRps) * 100).toFixed(0)} %`} |`);
    }
  }
  const m = file.machine;
  return [
    `Run ${file.date}: medians of ${file.options.runs} runs of ${file.options.duration} s each (after ${file.options.warmup} s of warm-up per route), ${file.options.connections} connections, routes and drivers in turn.`,
    '',
    ...rows,
    '',
    `Machine: ${machineLine(m)}; PostgreSQL ${m.postgres || '—'}; PGlite ${m.pglite}.`,
    '',
    'Every run, per route and driver (requests/s · p99 ms):',
    '',
    ...drivers.flatMap((d) => routes.map((route) => `- ${driverLabel[d]} ${route}: ${file.figures.filter((f) => f.driver === d && f.route === route).map((f) => `${f.rps.toFixed(0)} · ${f.p99.toFixed(0)}`).join(', ')}`)),
    '',
    `Records still waiting for their integrity checks right after each run (of the run's requests): ${drivers.map((d) => `${driverLabel[d]} ${file.figures.filter((f) => f.driver === d && f.pending !== undefined).map((f) => `${f.pending} of ${f.requests}`).join(', ')}`).join('; ')}.`,
  ].join('\n');
}

async function main() {
  const intOpt = intOptions(usage);
  const runs = intOpt('runs', opts.runs, 1);
  const duration = intOpt('duration', opts.duration, 1);
  const warmup = intOpt('warmup', opts.warmup, 0);
  const connections = intOpt('connections', opts.connections, 1);
  installCleanupHandlers(intOpt('timeout', opts.timeout, 10) * 1000);
  const drivers = parseDrivers(opts.driver, usage);
  const machine = describeMachine();
  console.log(`Activity creation over HTTP: ${drivers.map((d) => driverLabel[d]).join(' + ')}, ${runs} runs × ${duration} s, ${connections} connections`);
  console.log(machineLine(machine));

  const servers = new Map<Driver, Awaited<ReturnType<typeof startServer>>>();
  if (drivers.includes('postgres')) {
    const pgServer = await startPostgres();
    cleanups.push(await stopper(pgServer));
    const admin = new pg.Client({ connectionString: pgServer.url('postgres') });
    await admin.connect();
    await admin.query('create database bench_activities');
    await admin.end();
    servers.set('postgres', await startServer('postgres', pgServer.url('bench_activities'), connections));
    machine.postgres = servers.get('postgres')!.ready.server.replace(/^PostgreSQL /, '');
  }
  if (drivers.includes('pglite')) servers.set('pglite', await startServer('pglite', undefined, connections));

  const figures: Figure[] = [];
  for (const d of drivers) {
    for (const route of routes) if (warmup > 0) await load(servers.get(d)!.ready, route, warmup, connections);
  }
  for (let run = 1; run <= runs; run++) {
    for (const d of drivers) {
      for (const route of routes) {
        const r = await load(servers.get(d)!.ready, route, duration, connections);
        const f: Figure = { driver: d, route, run, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total, non2xx: r.non2xx, errors: r.errors + r.timeouts };
        if (route === 'activity') f.pending = await servers.get(d)!.pending();
        console.log(`run ${run} ${driverLabel[d].padEnd(10)} ${route.padEnd(8)} ${f.rps.toFixed(0).padStart(6)} req/s  p50 ${f.p50.toFixed(1)} ms  p99 ${f.p99.toFixed(1)} ms  (${f.requests} requests, ${f.non2xx} non-2xx, ${f.errors} errors${f.pending === undefined ? '' : `, ${f.pending} waiting for integrity checks`})`);
        if (f.non2xx > 0 || f.errors > 0) throw new Error(`${route} on ${driverLabel[d]}: ${f.non2xx} non-2xx answers, ${f.errors} errors — the figures would not be honest; status codes: ${JSON.stringify(r.statusCodeStats)}`);
        figures.push(f);
      }
    }
  }
  for (const s of servers.values()) await s.stop();

  const file: ResultFile = { date: new Date().toISOString(), machine, options: { runs, duration, warmup, connections }, figures };
  console.log(`\n${summary(file)}`);
  if (!opts['no-write']) {
    console.log(`\nwrote ${writeResultFile(`activities-${fileStamp(file.date)}.json`, JSON.stringify(file, null, 2))}`);
    writeDocBlock(BEGIN, END, summary(file), (doc = '# Performance\n', block) => (doc.includes(HEADING)
      ? doc.replace(HEADING, `${HEADING}\n\n${block}\n`)
      : `${doc.trimEnd()}\n\n${HEADING}\n\n${block}\n`));
  }
}

if (opts.serve) {
  void serve(opts.serve as Driver, opts.url, Number(opts.connections)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  void runMain(main);
}
