import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { openPGlite, openPostgres, type DatabaseHandle } from '../src/db/database.ts';
import { startPostgres } from '../test/postgres-server.ts';
import { openFreshPostgres, stopper } from './harness.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { systemActor } from '../src/features/auth/actor.ts';
import { exportAudit } from '../src/features/exports/ledgers.ts';

// Memory and time of a streamed export: N audit entries (generated set-based) exported through the
// same code as GET /api/v1/audit/export.xlsx into a sink that counts bytes, with heap and RSS
// sampled every 20 ms; then, for contrast, the same rows loaded whole into an in-memory workbook.
//   npm run bench:exports -- [--rows 100000] [--driver pglite|postgres] [--database-url postgres://…]
// (default: in-memory PGlite; --driver postgres starts a throwaway server unless a URL is given)

const usage = 'usage: bench/exports.ts [--rows N] [--driver pglite|postgres] [--database-url postgres://…] [--skip-in-memory]';
const { values } = parseArgs({ options: {
  rows: { type: 'string', default: '100000' }, driver: { type: 'string', default: 'pglite' }, 'database-url': { type: 'string' }, 'skip-in-memory': { type: 'boolean', default: false },
} });
const rows = Number(values.rows);
if (!Number.isInteger(rows) || rows < 1) throw new Error(`--rows must be a positive integer\n${usage}`);

const mb = (n: number) => Math.round(n / 1e5) / 10;
function sampler() {
  const base = process.memoryUsage();
  let heap = base.heapUsed;
  let rss = base.rss;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    heap = Math.max(heap, m.heapUsed);
    rss = Math.max(rss, m.rss);
  }, 20);
  return () => {
    clearInterval(timer);
    const m = process.memoryUsage();
    return { heapBaseMb: mb(base.heapUsed), heapPeakMb: mb(Math.max(heap, m.heapUsed)), rssBaseMb: mb(base.rss), rssPeakMb: mb(Math.max(rss, m.rss)) };
  };
}

if (values.driver !== 'pglite' && values.driver !== 'postgres') throw new Error(`--driver must be pglite or postgres\n${usage}`);
const onPostgres = values.driver === 'postgres' || values['database-url'] !== undefined;
let stopServer: (() => Promise<void>) | undefined;
let h: DatabaseHandle;
if (values['database-url']) h = openPostgres(values['database-url'], 2);
else if (onPostgres) {
  const server = await startPostgres();
  stopServer = await stopper(server);
  h = await openFreshPostgres(server, 'bench_exports');
} else h = await openPGlite();
try {
  await migrateToLatest(h.db);
  await sql`delete from audit_log where action = 'bench.export'`.execute(h.db);
  const t0 = Date.now();
  await sql`insert into audit_log (at, username, ip, action, entity, entity_id, detail)
    select timestamptz '2026-01-01 00:00:00+08' + g * interval '1 minute', 'bench', '10.0.0.1', 'bench.export', 'practical_matter', g::text,
      jsonb_build_object('title', '修缮屋顶第' || g || '号', 'amountFen', g * 100)
    from generate_series(1, ${rows}) g`.execute(h.db);
  console.log(`generated ${rows.toLocaleString('en-US')} audit entries in ${((Date.now() - t0) / 1000).toFixed(1)} s on ${onPostgres ? 'PostgreSQL' : 'PGlite'}`);
  global.gc?.();

  // Streamed, as the route does it.
  let stop = sampler();
  let t = Date.now();
  const { stream } = await exportAudit(h.db, systemActor('bench'), { action: 'bench.export' }, { maxRows: rows });
  let bytes = 0;
  await pipeline(stream, new Writable({ write(chunk: Buffer, _e, cb) { bytes += chunk.length; cb(); } }));
  const streamed = { seconds: (Date.now() - t) / 1000, bytes, ...stop() };
  console.log('streamed  ', JSON.stringify(streamed));

  if (!values['skip-in-memory']) {
    global.gc?.();
    // In memory: every row fetched, then a whole workbook built and written to a buffer.
    stop = sampler();
    t = Date.now();
    const all = await h.db.selectFrom('audit_log').select(['id', 'at', 'username', 'ip', 'action', 'entity', 'entity_id', 'detail']).where('action', '=', 'bench.export').orderBy('id').execute();
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('审计日志');
    ws.addRow(['编号', '时间', '账号', '地址', '操作', '对象', '对象编号', '详情']);
    for (const r of all) ws.addRow([Number(r.id), r.at.toISOString(), r.username, r.ip, r.action, r.entity, r.entity_id, JSON.stringify(r.detail)]);
    const buf = await wb.xlsx.writeBuffer();
    const inMemory = { seconds: (Date.now() - t) / 1000, bytes: buf.byteLength, ...stop() };
    console.log('in memory ', JSON.stringify(inMemory));
  }
  await sql`delete from audit_log where action = 'bench.export'`.execute(h.db);
} finally {
  await h.close();
  await stopServer?.();
}
