import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DANDONG, SHIPU, TEST_PASSWORD, as, createTestApp, createTestDatabase, login, makeUnit, makeUser, seedXiangshan, testDriver, uniq, type Session,
} from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';

let h: DatabaseHandle;
let app: App;
beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const postLogin = (username: string, password: string, remoteAddress = '127.0.0.1') =>
  app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, remoteAddress });
const me = (s: Session) => app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: s.cookie } });
const userRow = (id: number) => h.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const sessionCount = async (userId: number) =>
  (await h.db.selectFrom('sessions').select(sql<number>`count(*)`.as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow()).n;
const unitCount = async () => (await h.db.selectFrom('units').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n;
const newUnitBody = () => ({ code: uniq('U'), name: uniq('单位'), level: 'township', regionCode: DANDONG });

describe(`login on ${testDriver}`, () => {
  it('returns the account and sets an HttpOnly SameSite=Strict session cookie and a readable CSRF cookie', async () => {
    const u = await makeUser(h.db, 'admin', { regionCode: DANDONG });
    const res = await postLogin(u.username, TEST_PASSWORD);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ id: u.id, username: u.username, role: 'admin', regionCode: DANDONG, regionName: '丹东街道' });
    expect(typeof body.csrfToken).toBe('string');
    expect(body.csrfToken.length).toBeGreaterThan(10);

    const session = res.cookies.find((c) => c.name === 'lx_session');
    const csrf = res.cookies.find((c) => c.name === 'lx_csrf');
    expect(session).toBeDefined();
    expect(session!.httpOnly).toBe(true);
    expect(session!.sameSite).toBe('Strict');
    expect(session!.path).toBe('/');
    expect(csrf).toBeDefined();
    expect(csrf!.httpOnly).toBeFalsy();
    expect(csrf!.sameSite).toBe('Strict');
    expect(csrf!.value).toBe(body.csrfToken);
    // The token itself never sits in the database, only its hash.
    const rows = await h.db.selectFrom('sessions').select('id').where('user_id', '=', u.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).not.toBe(session!.value);
  });

  it('refuses a wrong password with 401 INVALID_CREDENTIALS and counts the failure', async () => {
    const u = await makeUser(h.db, 'cadre', { regionCode: DANDONG });
    const res = await postLogin(u.username, 'Wrong#pass1');
    expect(res.statusCode).toBe(401);
    const err = res.json().error;
    expect(err.code).toBe('INVALID_CREDENTIALS');
    expect(err.message).toMatch(/^用户名或密码错误/);
    expect(err.details).toBeUndefined();
    expect((await userRow(u.id)).failed_logins).toBe(1);
    expect(res.cookies.find((c) => c.name === 'lx_session')).toBeUndefined();
    expect(await sessionCount(u.id)).toBe(0);
  });

  it('refuses an unknown username with 401 INVALID_CREDENTIALS and the same wording as a wrong password', async () => {
    const res = await postLogin(uniq('nobody'), 'Wrong#pass1');
    expect(res.statusCode).toBe(401);
    const err = res.json().error;
    expect(err.code).toBe('INVALID_CREDENTIALS');
    expect(err.message).toMatch(/^用户名或密码错误/);
    // Byte for byte what a known account with a wrong password gets: usernames cannot be probed.
    const known = await makeUser(h.db, 'cadre', { regionCode: DANDONG });
    const wrong = await postLogin(known.username, 'Wrong#pass1');
    expect(res.body).toBe(wrong.body);
    expect(res.cookies.find((c) => c.name === 'lx_session')).toBeUndefined();
  });

  it('treats the username case-insensitively', async () => {
    const u = await makeUser(h.db, 'cadre', { regionCode: DANDONG });
    const res = await postLogin(u.username.toUpperCase(), TEST_PASSWORD);
    expect(res.statusCode).toBe(200);
    expect(res.json().id).toBe(u.id);
  });

  it('refuses a disabled account with 401 INVALID_CREDENTIALS even with the right password, and ends its live sessions', async () => {
    const u = await makeUser(h.db, 'cadre', { regionCode: DANDONG });
    const s = await login(app, u.username);
    expect((await me(s)).statusCode).toBe(200);
    await h.db.updateTable('users').set({ disabled: true }).where('id', '=', u.id).execute();

    const res = await postLogin(u.username, TEST_PASSWORD);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('INVALID_CREDENTIALS');
    expect(res.json().error.message).toMatch(/^用户名或密码错误/);
    expect(res.cookies.find((c) => c.name === 'lx_session')).toBeUndefined();
    expect((await me(s)).statusCode).toBe(401);
  });
});

describe('lockout', () => {
  it('locks the account for 15 minutes after 5 wrong passwords, refuses the right one while locked, and allows it once the lock has passed', async () => {
    const u = await makeUser(h.db, 'cadre', { regionCode: DANDONG });
    for (let i = 1; i <= 4; i++) {
      const res = await postLogin(u.username, `Wrong#pass${i}`);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('INVALID_CREDENTIALS');
      expect((await userRow(u.id)).failed_logins).toBe(i);
    }
    const fifth = await postLogin(u.username, 'Wrong#pass5');
    expect(fifth.statusCode).toBe(401);
    expect(fifth.json().error.code).toBe('ACCOUNT_LOCKED');
    const lockedUntil = new Date(fifth.json().error.details.lockedUntil).getTime();
    expect(Math.abs(lockedUntil - (Date.now() + 15 * 60_000))).toBeLessThan(60_000);
    expect((await userRow(u.id)).locked_until?.getTime()).toBe(lockedUntil);

    const right = await postLogin(u.username, TEST_PASSWORD);
    expect(right.statusCode).toBe(401);
    expect(right.json().error.code).toBe('ACCOUNT_LOCKED');
    expect(new Date(right.json().error.details.lockedUntil).getTime()).toBe(lockedUntil);
    expect(right.cookies.find((c) => c.name === 'lx_session')).toBeUndefined();
    expect(await sessionCount(u.id)).toBe(0);

    // The lock runs out.
    await h.db.updateTable('users').set({ locked_until: new Date(Date.now() - 60_000) }).where('id', '=', u.id).execute();
    const wrongAfter = await postLogin(u.username, 'Wrong#again1');
    expect(wrongAfter.json().error.code).toBe('INVALID_CREDENTIALS');
    expect((await userRow(u.id)).failed_logins).toBe(1);

    const ok = await postLogin(u.username, TEST_PASSWORD);
    expect(ok.statusCode).toBe(200);
    const row = await userRow(u.id);
    expect(row.failed_logins).toBe(0);
    expect(row.locked_until).toBeNull();
    expect(row.last_login_at).not.toBeNull();

    // A fresh count of five starts after a successful login.
    const next = await postLogin(u.username, 'Wrong#again2');
    expect(next.json().error.code).toBe('INVALID_CREDENTIALS');
    expect((await userRow(u.id)).failed_logins).toBe(1);
  });

  it('counts failures per account: another account is not locked by them', async () => {
    const a = await makeUser(h.db, 'cadre', { regionCode: DANDONG });
    const b = await makeUser(h.db, 'cadre', { regionCode: DANDONG });
    for (let i = 0; i < 5; i++) await postLogin(a.username, 'Wrong#pass1');
    expect((await postLogin(a.username, TEST_PASSWORD)).json().error.code).toBe('ACCOUNT_LOCKED');
    expect((await postLogin(b.username, TEST_PASSWORD)).statusCode).toBe(200);
  });
});

describe('sessions', () => {
  it('ends a session idle for 31 minutes: 401 SESSION_EXPIRED and the session row is deleted', async () => {
    const u = await makeUser(h.db, 'cadre', { regionCode: DANDONG });
    const s = await login(app, u.username);
    expect(await sessionCount(u.id)).toBe(1);
    await h.db.updateTable('sessions').set({ last_seen_at: new Date(Date.now() - 31 * 60_000) }).where('user_id', '=', u.id).execute();

    const res = await me(s);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('SESSION_EXPIRED');
    expect(await sessionCount(u.id)).toBe(0);
    // Cookies are cleared so the browser stops sending the dead token.
    const cleared = res.cookies.find((c) => c.name === 'lx_session');
    expect(cleared?.value ?? '').toBe('');

    const again = await me(s);
    expect(again.statusCode).toBe(401);
    expect(again.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('keeps a session seen 29 minutes ago and moves its idle clock on', async () => {
    const u = await makeUser(h.db, 'cadre', { regionCode: DANDONG });
    const s = await login(app, u.username);
    const before = new Date(Date.now() - 29 * 60_000);
    await h.db.updateTable('sessions').set({ last_seen_at: before }).where('user_id', '=', u.id).execute();

    const res = await me(s);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: u.id, username: u.username, csrfToken: s.csrf });
    const row = await h.db.selectFrom('sessions').select('last_seen_at').where('user_id', '=', u.id).executeTakeFirstOrThrow();
    expect(row.last_seen_at.getTime()).toBeGreaterThan(before.getTime() + 20 * 60_000);
  });

  it('refuses a request with a made-up session token with 401 UNAUTHENTICATED', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: 'lx_session=not-a-real-token' } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('ends the session on logout: the same cookie is then refused with 401', async () => {
    const u = await makeUser(h.db, 'cadre', { regionCode: DANDONG });
    const s = await login(app, u.username);
    const other = await login(app, u.username); // a second browser stays signed in
    expect((await me(s)).statusCode).toBe(200);

    const out = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: as(s) });
    expect(out.statusCode).toBe(204);
    const res = await me(s);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('UNAUTHENTICATED');
    expect(await sessionCount(u.id)).toBe(1);
    expect((await me(other)).statusCode).toBe(200);
  });
});

describe('CSRF', () => {
  it('refuses a write without the X-CSRF-Token header with 403 CSRF_FAILED and writes nothing', async () => {
    const u = await makeUser(h.db, 'admin');
    const s = await login(app, u.username);
    const before = await unitCount();
    const res = await app.inject({ method: 'POST', url: '/api/v1/units', headers: { cookie: s.cookie }, payload: newUnitBody() });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('CSRF_FAILED');
    expect(await unitCount()).toBe(before);
  });

  it('refuses a write with a wrong X-CSRF-Token with 403 CSRF_FAILED and writes nothing', async () => {
    const u = await makeUser(h.db, 'admin');
    const s = await login(app, u.username);
    const other = await login(app, (await makeUser(h.db, 'admin')).username);
    const before = await unitCount();
    for (const token of ['wrong-token', other.csrf, '']) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/units', headers: { cookie: s.cookie, 'x-csrf-token': token }, payload: newUnitBody() });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('CSRF_FAILED');
    }
    expect(await unitCount()).toBe(before);
  });

  it('accepts the same write with the session’s token, and a GET needs no token', async () => {
    const u = await makeUser(h.db, 'admin');
    const s = await login(app, u.username);
    const before = await unitCount();
    const ok = await app.inject({ method: 'POST', url: '/api/v1/units', headers: as(s), payload: newUnitBody() });
    expect(ok.statusCode).toBe(201);
    expect(await unitCount()).toBe(before + 1);
    const list = await app.inject({ method: 'GET', url: '/api/v1/units', headers: { cookie: s.cookie } });
    expect(list.statusCode).toBe(200);
  });

  it('refuses logout without the CSRF token, and the session stays alive', async () => {
    const u = await makeUser(h.db, 'cadre', { regionCode: DANDONG });
    const s = await login(app, u.username);
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie: s.cookie } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('CSRF_FAILED');
    expect((await me(s)).statusCode).toBe(200);
  });
});

describe('accounts', () => {
  const createBody = (over: Record<string, unknown> = {}) => ({
    username: uniq('new').toLowerCase(), displayName: '新账号', password: 'Good#pass2026', role: 'cadre', regionCode: DANDONG, ...over,
  });

  it.each(['short1A', 'alllowercase1', 'NoDigitsHere'])('refuses the weak password %s with 400 naming body.password', async (password) => {
    const adminUser = await makeUser(h.db, 'admin');
    const s = await login(app, adminUser.username);
    const body = createBody({ password });
    const res = await app.inject({ method: 'POST', url: '/api/v1/users', headers: as(s), payload: body });
    expect(res.statusCode).toBe(400);
    const err = res.json().error;
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.details.fields.map((f: { field: string }) => f.field)).toContain('body.password');
    expect(err.message).toContain('body.password');
    expect(await h.db.selectFrom('users').select('id').where('username', '=', body.username).executeTakeFirst()).toBeUndefined();
  });

  it('creates an account with a good password (201), which can then log in; a duplicate username is refused with 409', async () => {
    const adminUser = await makeUser(h.db, 'admin');
    const s = await login(app, adminUser.username);
    const body = createBody();
    const res = await app.inject({ method: 'POST', url: '/api/v1/users', headers: as(s), payload: body });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ username: body.username, role: 'cadre', regionCode: DANDONG, disabled: false });
    expect(JSON.stringify(res.json())).not.toContain('Good#pass2026');
    const row = await h.db.selectFrom('users').select('password_hash').where('username', '=', body.username).executeTakeFirstOrThrow();
    expect(row.password_hash).not.toContain('Good#pass2026');
    expect((await postLogin(body.username, 'Good#pass2026')).statusCode).toBe(200);

    const dup = await app.inject({ method: 'POST', url: '/api/v1/users', headers: as(s), payload: { ...body, username: body.username.toUpperCase() } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('CONFLICT');
    const n = await h.db.selectFrom('users').select(sql<number>`count(*)`.as('n')).where('username', '=', body.username).executeTakeFirstOrThrow();
    expect(n.n).toBe(1);
  });

  it('refuses a township admin creating an account with no region (wider than theirs) with 400, and writes nothing', async () => {
    const township = await makeUser(h.db, 'admin', { regionCode: DANDONG });
    const s = await login(app, township.username);
    const body = createBody({ regionCode: null, role: 'admin' });
    const res = await app.inject({ method: 'POST', url: '/api/v1/users', headers: as(s), payload: body });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(await h.db.selectFrom('users').select('id').where('username', '=', body.username).executeTakeFirst()).toBeUndefined();
  });

  it('refuses a township admin creating an account in another township with 400, and writes nothing', async () => {
    const township = await makeUser(h.db, 'admin', { regionCode: DANDONG });
    const s = await login(app, township.username);
    const body = createBody({ regionCode: SHIPU });
    const res = await app.inject({ method: 'POST', url: '/api/v1/users', headers: as(s), payload: body });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(await h.db.selectFrom('users').select('id').where('username', '=', body.username).executeTakeFirst()).toBeUndefined();

    const shipuUnit = await makeUnit(h.db, SHIPU);
    const viaUnit = createBody({ regionCode: null, unitId: shipuUnit.id });
    const res2 = await app.inject({ method: 'POST', url: '/api/v1/users', headers: as(s), payload: viaUnit });
    expect(res2.statusCode).toBe(400);
    expect(await h.db.selectFrom('users').select('id').where('username', '=', viaUnit.username).executeTakeFirst()).toBeUndefined();
  });

  it('lets a township admin create an account inside the township (a village under it)', async () => {
    const township = await makeUser(h.db, 'admin', { regionCode: DANDONG });
    const s = await login(app, township.username);
    const res = await app.inject({ method: 'POST', url: '/api/v1/users', headers: as(s), payload: createBody({ regionCode: '330225001003' }) });
    expect(res.statusCode).toBe(201);
    expect(res.json().regionCode).toBe('330225001003');
  });

  it('shows a township admin only the accounts in that township', async () => {
    const township = await makeUser(h.db, 'admin', { regionCode: DANDONG });
    const inDandong = await makeUser(h.db, 'cadre', { regionCode: DANDONG });
    const dandongUnit = await makeUnit(h.db, DANDONG);
    const inDandongUnit = await makeUser(h.db, 'unit_leader', { unitId: dandongUnit.id });
    const inShipu = await makeUser(h.db, 'cadre', { regionCode: SHIPU });
    const shipuUnit = await makeUnit(h.db, SHIPU);
    const inShipuUnit = await makeUser(h.db, 'unit_leader', { unitId: shipuUnit.id });
    const unscoped = await makeUser(h.db, 'admin');
    const s = await login(app, township.username);

    const res = await app.inject({ method: 'GET', url: '/api/v1/users?pageSize=200', headers: { cookie: s.cookie } });
    expect(res.statusCode).toBe(200);
    const { items, total } = res.json() as { items: { id: number; regionCode: string | null; unitId: number | null }[]; total: number };
    const ids = items.map((i) => i.id);
    expect(ids).toEqual(expect.arrayContaining([township.id, inDandong.id, inDandongUnit.id]));
    for (const outside of [inShipu.id, inShipuUnit.id, unscoped.id]) expect(ids).not.toContain(outside);
    expect(total).toBe(items.length);
    for (const item of items) {
      const regionCode = item.regionCode
        ?? (await h.db.selectFrom('units').select('region_code').where('id', '=', item.unitId!).executeTakeFirstOrThrow()).region_code;
      expect(regionCode.startsWith('330225001')).toBe(true);
    }
    // An account outside the township is reported like a missing one.
    const detail = await app.inject({ method: 'GET', url: `/api/v1/users/${inShipu.id}`, headers: { cookie: s.cookie } });
    expect(detail.statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/api/v1/users/${inDandong.id}`, headers: { cookie: s.cookie } })).statusCode).toBe(200);
  });

  it('refuses account management to a non-admin role with 403', async () => {
    const cadre = await makeUser(h.db, 'cadre', { regionCode: DANDONG });
    const s = await login(app, cadre.username);
    expect((await app.inject({ method: 'GET', url: '/api/v1/users', headers: { cookie: s.cookie } })).statusCode).toBe(403);
    const body = createBody();
    const res = await app.inject({ method: 'POST', url: '/api/v1/users', headers: as(s), payload: body });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('FORBIDDEN');
    expect(await h.db.selectFrom('users').select('id').where('username', '=', body.username).executeTakeFirst()).toBeUndefined();
  });
});

describe('audit log', () => {
  type Entry = { userId: number | null; username: string | null; ip: string | null; action: string; entity: string; entityId: string | null };
  const audit = async (s: Session, query: string) => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/audit?${query}`, headers: { cookie: s.cookie } });
    expect(res.statusCode).toBe(200);
    return res.json().items as Entry[];
  };

  it('refuses the audit log to a cadre with 403', async () => {
    const cadre = await makeUser(h.db, 'cadre', { regionCode: DANDONG });
    const s = await login(app, cadre.username);
    const res = await app.inject({ method: 'GET', url: '/api/v1/audit', headers: { cookie: s.cookie } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('FORBIDDEN');
  });

  it('records logins, failed logins and writes with who and from which address', async () => {
    const reader = await makeUser(h.db, 'admin');
    const rs = await login(app, reader.username);
    const actor = await makeUser(h.db, 'admin');

    const bad = await postLogin(actor.username, 'Wrong#pass1', '203.0.113.7');
    expect(bad.statusCode).toBe(401);
    const ok = await postLogin(actor.username, TEST_PASSWORD, '203.0.113.8');
    expect(ok.statusCode).toBe(200);
    const s: Session = { cookie: ok.cookies.map((c) => `${c.name}=${c.value}`).join('; '), csrf: ok.json().csrfToken };
    const unitBody = newUnitBody();
    const created = await app.inject({ method: 'POST', url: '/api/v1/units', headers: as(s), remoteAddress: '203.0.113.9', payload: unitBody });
    expect(created.statusCode).toBe(201);
    const unknown = uniq('ghost');
    await postLogin(unknown, 'Wrong#pass1', '203.0.113.10');

    const failed = await audit(rs, `action=auth.login_failed&entityId=${actor.id}`);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ entity: 'user', entityId: String(actor.id), username: actor.username, ip: '203.0.113.7' });

    const logins = await audit(rs, `action=auth.login&userId=${actor.id}`);
    expect(logins).toHaveLength(1);
    expect(logins[0]).toMatchObject({ userId: actor.id, username: actor.username, ip: '203.0.113.8', entityId: String(actor.id) });

    const writes = await audit(rs, `action=unit.create&entityId=${created.json().id}`);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ userId: actor.id, username: actor.username, ip: '203.0.113.9', entity: 'unit' });

    const ghost = (await audit(rs, 'action=auth.login_failed&pageSize=200')).filter((e) => e.username === unknown);
    expect(ghost).toHaveLength(1);
    expect(ghost[0]).toMatchObject({ userId: null, ip: '203.0.113.10' });
  });
});
