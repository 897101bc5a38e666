import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import pg from 'pg';
import type { Role } from '../contracts/auth.ts';
import type { CadreRank } from '../contracts/cadres.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { openPGlite, openPostgres, type Database, type DatabaseHandle } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { createUser, scopeOf } from '../src/features/auth/accounts.ts';
import { systemActor, type Actor } from '../src/features/auth/actor.ts';
import { createCadre } from '../src/features/cadres/cadres.ts';
import { importRegions } from '../src/features/regions/regions.ts';
import { createUnit } from '../src/features/units/units.ts';
import { buildApp } from '../src/http/app.ts';
import type { App } from '../src/http/types.ts';
import { keyFromSecret, type PersonalDataKey } from '../src/lib/personal-data.ts';

export const testDriver = (process.env.LIANXIN_TEST_DB ?? 'pglite') as 'pglite' | 'postgres';

/**
 * A fresh, migrated database for one test file: an in-memory PGlite, or a clone of the migrated
 * template on the test PostgreSQL server. No database is shared between files.
 */
export async function createTestDatabase(): Promise<DatabaseHandle> {
  if (testDriver === 'pglite') {
    const h = await openPGlite();
    await migrateToLatest(h.db);
    return h;
  }
  const templateUrl = inject('pgTemplateUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const adminUrl = templateUrl.replace(/\/[^/]+$/, '/postgres');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name} template lianxin_template`);
  await admin.end();
  const h = openPostgres(templateUrl.replace(/\/[^/]+$/, `/${name}`), 5);
  return {
    ...h,
    close: async () => {
      await h.close();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export const testKey: PersonalDataKey = keyFromSecret(randomBytes(32));

export function testConfig(overrides: Record<string, string> = {}): Config {
  // No background supervision passes: a test runs the pass it means to, at the instant it chooses.
  return loadConfig({ LIANXIN_DATA_DIR: mkdtempSync(join(tmpdir(), 'lianxin-test-')), LOG_LEVEL: 'silent', LIANXIN_TICKET_SCHEDULER_INTERVAL_MS: '0', LIANXIN_CALENDAR_DIGEST_INTERVAL_MS: '0', LIANXIN_COMPLIANCE_INTERVAL_MS: '0', ...overrides });
}

export async function createTestApp(db: Database, overrides: Record<string, string> = {}): Promise<App> {
  const app = await buildApp({ db, config: testConfig(overrides), key: testKey }, { logger: false });
  await app.ready();
  return app;
}

export const admin = systemActor('test');

/** Xiangshan 象山县: real codes; two of its townships serve as "ours" and "theirs" in scope tests. */
export const XIANGSHAN = '330225000000';
export const DANDONG = '330225001000'; // 丹东街道
export const SHIPU = '330225101000'; // 石浦镇

export async function seedXiangshan(db: Database) {
  await importRegions(db, admin, '330225');
}

let seq = 0;
export const uniq = (prefix: string) => `${prefix}${Date.now().toString(36)}${(seq++).toString(36)}`;

export async function makeUnit(db: Database, regionCode: string, over: Partial<{ name: string; parentId: number; level: 'county' | 'township' }> = {}) {
  return createUnit(db, admin, {
    code: uniq('U'), name: over.name ?? uniq('测试单位'), level: over.level ?? 'township', regionCode, parentId: over.parentId ?? null,
  });
}

export async function makeCadre(db: Database, unitId: number, over: Partial<{ name: string; rank: CadreRank; phone: string | null }> = {}) {
  return createCadre(db, admin, testKey, {
    name: over.name ?? '张三', unitId, rank: over.rank ?? 'general', position: '科员', phone: over.phone === undefined ? null : over.phone,
  });
}

export const TEST_PASSWORD = 'Test#2026pass';

export async function makeUser(db: Database, role: Role, scope: { regionCode?: string; unitId?: number; cadreId?: number } = {}) {
  const username = uniq('u').toLowerCase();
  const user = await createUser(db, admin, { username, displayName: username, password: TEST_PASSWORD, role, regionCode: scope.regionCode ?? null, unitId: scope.unitId ?? null, cadreId: scope.cadreId ?? null });
  return { ...user, password: TEST_PASSWORD };
}

export async function actorFor(db: Database, user: { id: number; username: string; role: Role; regionCode: string | null; unitId: number | null; cadreId?: number | null }): Promise<Actor> {
  return { userId: user.id, username: user.username, role: user.role, ip: '127.0.0.1', cadreId: user.cadreId ?? null, scope: await scopeOf(db, { region_code: user.regionCode, unit_id: user.unitId }) };
}

export type Session = { cookie: string; csrf: string };

/** Logs in through the API and returns what a browser would send back. */
export async function login(app: App, username: string, password = TEST_PASSWORD): Promise<Session> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const cookies = res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  return { cookie: cookies, csrf: res.json().csrfToken };
}

/** Headers for a logged-in request; writes carry the CSRF token. */
export const as = (s: Session) => ({ cookie: s.cookie, 'x-csrf-token': s.csrf });
