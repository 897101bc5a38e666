import { parseArgs } from 'node:util';
import { ZodError } from 'zod';
import { role as roleSchema, roles } from '../../contracts/auth.ts';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { openDatabase, type DatabaseHandle } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { AppError } from '../errors.ts';
import { createUser, setPassword } from '../features/auth/accounts.ts';
import { systemActor } from '../features/auth/actor.ts';
import { generatePassword } from '../features/auth/passwords.ts';
import { hasAnyUser, loadDemo } from '../features/demo/demo.ts';
import { scanIntegrity } from '../features/integrity/integrity.ts';
import { recomputeCompliance } from '../features/compliance/engine.ts';
import { createOpen311Key } from '../features/open311/keys.ts';
import { importRegions } from '../features/regions/regions.ts';
import { processName, runSupervisionTick } from '../features/tickets/scheduler.ts';
import { runDigest } from '../features/calendar/digest.ts';
import { buildApp } from '../http/app.ts';
import { loadPersonalDataKey } from '../lib/personal-data.ts';

const usage = `lianxin — 连心 干部下基层联系服务群众平台

Usage:
  lianxin start                      migrate, load the demo county on first run, then serve
  lianxin serve                      migrate and serve the API and web app on $PORT (default 3000)
  lianxin migrate                    apply database migrations
  lianxin regions import CODE        load division codes under a province (33), city (3705) or county (330225)
  lianxin user add USERNAME --role ROLE [--name NAME] [--region CODE] [--unit ID] [--password PW]
  lianxin user passwd USERNAME [--password PW]
  lianxin demo                       load the demo county (Xiangshan 象山县) into an empty database
  lianxin integrity scan             run every integrity check (防形式主义) over every record; idempotent
  lianxin tickets tick               run the ticket supervision pass (督办: deadline marks, automatic notices) now
  lianxin open311 key add NAME       issue an Open311 API key for a partner system (printed once)
  lianxin calendar digest [--date YYYY-MM-DD]  send the daily digest (每日提醒) for a China day now, once per day
  lianxin compliance recompute [--campaign N] [--rebuild]  recount every active requirement rule's compliance (open windows and
                                     windows not counted since they ended; --rebuild: every window up to today, from scratch)

Environment: DATABASE_URL (PostgreSQL; unset = embedded PGlite in LIANXIN_DATA_DIR, default ./data),
PORT, LIANXIN_ADMIN_PASSWORD (the demo admin's password; generated and printed once when unset).
Roles: ${roles.join(', ')}`;

async function withDatabase<T>(config: Config, fn: (h: DatabaseHandle) => Promise<T>): Promise<T> {
  const handle = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize });
  try {
    const applied = await migrateToLatest(handle.db);
    if (applied.length) console.log(`Applied migrations: ${applied.join(', ')}`);
    return await fn(handle);
  } finally {
    await handle.close();
  }
}

function printDemoLogin(url: string, password: string | null) {
  console.log(`\n  连心 Lianxin is running: ${url}`);
  console.log(`  Demo login 演示账号: admin / ${password ?? '(the password printed on first start; reset with: npx lianxin user passwd admin)'}`);
  console.log('  Cadre login 干部账号 (mobile view, due list): cadre / the same password 密码同上');
  console.log('  Ticket loop 问题台账: hotline 热线话务员, handler 承办单位, supervisor 督办 / the same password 密码同上');
  console.log(`  Requesters follow a ticket 群众查询: ${url}/track\n`);
}

async function serve(config: Config, opts: { demo: boolean }) {
  const handle = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize });
  await migrateToLatest(handle.db);
  const key = loadPersonalDataKey(config);
  let demoPassword: string | null = config.adminPassword ?? null;
  if (opts.demo && !(await hasAnyUser(handle.db))) {
    console.log('First start: loading the demo county 象山县 (18 townships, 410 villages, 1,000 cadres) …');
    const demo = await loadDemo(handle.db, key, { adminPassword: config.adminPassword });
    demoPassword = demo.adminPassword;
  }
  const app = await buildApp({ db: handle.db, config, key });
  const close = async () => {
    await app.close();
    await handle.close();
    process.exit(0);
  };
  process.once('SIGINT', close);
  process.once('SIGTERM', close);
  await app.listen({ port: config.port, host: config.host });
  const port = (app.server.address() as { port: number }).port;
  const url = `http://localhost:${port}`;
  if (opts.demo) printDemoLogin(url, demoPassword);
  else console.log(`连心 Lianxin listening on ${url}`);
}

export async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string' }, name: { type: 'string' }, region: { type: 'string' }, unit: { type: 'string' },
      password: { type: 'string' }, help: { type: 'boolean', short: 'h' }, date: { type: 'string' }, campaign: { type: 'string' }, rebuild: { type: 'boolean' },
    },
  });
  const [command, sub, arg] = positionals;
  if (!command || values.help) {
    console.log(usage);
    return;
  }
  try {
    const config = loadConfig();
    switch (command) {
      case 'start':
        return await serve(config, { demo: true });
      case 'serve':
        return await serve(config, { demo: false });
      case 'migrate': {
        await withDatabase(config, async () => undefined);
        console.log('Database is at the latest schema.');
        return;
      }
      case 'regions': {
        if (sub !== 'import' || !arg) throw new UsageError('lianxin regions import CODE');
        const result = await withDatabase(config, ({ db }) => importRegions(db, systemActor('cli'), arg));
        console.log(`Imported ${result.code}:`, result.counts);
        return;
      }
      case 'user': {
        if (!arg || (sub !== 'add' && sub !== 'passwd')) throw new UsageError('lianxin user add USERNAME --role ROLE | lianxin user passwd USERNAME');
        const password = values.password ?? generatePassword();
        await withDatabase(config, async ({ db }) => {
          if (sub === 'add') {
            const role = roleSchema.parse(values.role);
            const u = await createUser(db, systemActor('cli'), {
              username: arg, displayName: values.name ?? arg, password, role,
              regionCode: values.region ?? null, unitId: values.unit ? Number(values.unit) : null,
            });
            console.log(`Created ${u.username} (${u.role}), id ${u.id}.`);
          } else {
            const u = await db.selectFrom('users').select('id').where('username', '=', arg.toLowerCase()).executeTakeFirst();
            if (!u) throw new AppError('NOT_FOUND', `No account named ${arg}`);
            await setPassword(db, systemActor('cli'), u.id, password);
            console.log(`Password of ${arg} changed; its sessions were ended.`);
          }
        });
        if (!values.password) console.log(`Password (shown once): ${password}`);
        return;
      }
      case 'demo': {
        const r = await withDatabase(config, ({ db }) => loadDemo(db, loadPersonalDataKey(config), { adminPassword: config.adminPassword }));
        console.log(`Demo county 象山县 loaded: ${r.villages} villages, ${r.units} units, ${r.cadres} cadres, ${r.targets} contact targets, ${r.pairings} pairings in the demo campaign.`);
        console.log(`Field work: ${r.records.activities} records, ${r.records.writings} writings, ${r.records.matters} practical matters.`);
        console.log(`Admin login: admin / ${r.adminPassword}${r.passwordWasGenerated ? '   (shown once: write it down)' : ''}`);
        console.log(`Cadre login: cadre (${r.records.cadreLogin.cadreName}, ${r.records.cadreLogin.unitName}) / the same password`);
        console.log(`Tickets: ${r.tickets.tickets}; logins hotline, handler (${r.tickets.logins.handler.unitName}), supervisor / the same password`);
        return;
      }
      case 'integrity': {
        if (sub !== 'scan') throw new UsageError('lianxin integrity scan');
        const r = await withDatabase(config, ({ db }) => scanIntegrity(db, config.integrity));
        console.log(`Checked ${r.scanned} records in ${r.ms} ms: ${r.added} flags raised, ${r.removed} no longer holding removed; ${r.flagged} open flags.`);
        console.log(Object.entries(r.byKind).map(([k, n]) => `  ${k}: ${n}`).join('\n'));
        return;
      }
      case 'open311': {
        const name = positionals.slice(3).join(' ');
        if (sub !== 'key' || arg !== 'add' || !name) throw new UsageError('lianxin open311 key add NAME');
        const k = await withDatabase(config, ({ db }) => createOpen311Key(db, systemActor('cli'), { name }));
        console.log(`Issued Open311 key ${k.id} "${k.name}" (${k.keyPrefix}…). The key (shown once, store it now):\n${k.apiKey}`);
        return;
      }
      case 'tickets': {
        if (sub !== 'tick') throw new UsageError('lianxin tickets tick');
        const r = await withDatabase(config, ({ db }) => runSupervisionTick(db, {
          now: new Date(), processName: `cli:${processName()}`, intervalMs: config.ticketSchedulerIntervalMs || 60_000, unratedCloseDays: config.ticketUnratedCloseDays,
        }));
        if (!r.ran) {
          console.log(r.reason === 'claimed'
            ? `The pass for the tick of ${r.tickAt.toISOString()} has already run; the next tick runs it again.`
            : 'Another pass is still running; nothing done.');
          return;
        }
        const s = r.stats;
        console.log(`Supervision pass in ${s.ms} ms: marks changed ${Object.entries(s.marks).map(([k, n]) => `${k} ${n}`).join(', ')}; `
          + `${s.yellow} yellow and ${s.red} red notices, ${s.notifications} notifications; ${s.closedUnrated} closed unrated${s.closeFailures ? ` (${s.closeFailures} left for the next pass)` : ''}.`
          + (s.more ? ' More notices are due than one pass issues: the next passes issue the rest.' : ''));
        return;
      }
      case 'calendar': {
        if (sub !== 'digest' || (values.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.date))) throw new UsageError('lianxin calendar digest [--date YYYY-MM-DD]');
        const key = loadPersonalDataKey(config);
        const r = await withDatabase(config, ({ db }) => runDigest(db, { date: values.date, holidayDays: config.calendarHolidayDays, key, processName: `cli:${processName()}` }));
        console.log(r.ran
          ? `Digest for ${r.date}: ${r.cadres} cadres, ${r.notifications} in-app notifications, ${r.deliveries} channel deliveries (${r.failures} failed).`
          : `${r.reason}; nothing sent.`);
        return;
      }
      case 'compliance': {
        const campaignId = values.campaign === undefined ? undefined : Number(values.campaign);
        if (sub !== 'recompute' || (campaignId !== undefined && !(Number.isInteger(campaignId) && campaignId > 0))) throw new UsageError('lianxin compliance recompute [--campaign N] [--rebuild]');
        const r = await withDatabase(config, ({ db }) => recomputeCompliance(db, { now: new Date(), rebuild: values.rebuild === true, ...(campaignId !== undefined ? { campaignId } : {}) }));
        console.log(`Recounted ${r.rules} requirement rules in ${r.ms} ms: ${r.rows} compliance rows written.`);
        return;
      }
      default:
        throw new UsageError(`unknown command "${command}"\n\n${usage}`);
    }
  } catch (e) {
    if (e instanceof UsageError) console.error(`Usage: ${e.message}`);
    else if (e instanceof ConfigError) console.error(e.message);
    else if (e instanceof AppError) console.error(`${e.code}: ${e.message}`);
    else if (e instanceof ZodError) console.error(e.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('\n'));
    else if (e instanceof Error && e.message.startsWith('The database already')) console.error(e.message);
    else throw e;
    process.exitCode = 1;
  }
}

class UsageError extends Error {}
