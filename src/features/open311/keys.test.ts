import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Open311KeyDto } from '../../../contracts/ticket-api.ts';
import { as, createTestApp, createTestDatabase, DANDONG, login, makeUnit, makeUser, seedXiangshan, XIANGSHAN, type Session } from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import { systemActor } from '../auth/actor.ts';
import { createOpen311Key, hashApiKey } from './keys.ts';

// The admin API for Open311 keys: issued once, stored hashed, revoked (never deleted), audited,
// and only for an admin whose scope is the whole deployment.

let h: DatabaseHandle;
let app: App;
let s: Record<'county' | 'township' | 'hotline' | 'dept', Session>;

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
  const unit = await makeUnit(h.db, XIANGSHAN, { name: '县水务集团', level: 'county' });
  s = {
    county: await login(app, (await makeUser(h.db, 'admin', { regionCode: XIANGSHAN })).username),
    township: await login(app, (await makeUser(h.db, 'admin', { regionCode: DANDONG })).username),
    hotline: await login(app, (await makeUser(h.db, 'hotline_operator', { regionCode: XIANGSHAN })).username),
    dept: await login(app, (await makeUser(h.db, 'handling_dept', { unitId: unit.id })).username),
  };
});

afterAll(async () => {
  await app?.close();
  await h?.close();
});

const issue = (who: Session, payload: unknown) => app.inject({ method: 'POST', url: '/api/v1/open311-keys', headers: as(who), payload: payload as object });
const list = (who: Session) => app.inject({ method: 'GET', url: '/api/v1/open311-keys', headers: { cookie: who.cookie } });
const revoke = (who: Session, id: number | string) => app.inject({ method: 'POST', url: `/api/v1/open311-keys/${id}/revoke`, headers: as(who) });

describe('Open311 keys', () => {
  it('issues a key shown once, stores only its hash and prefix, lists it without the key, and audits', async () => {
    const res = await issue(s.county, { name: '  民生e点通  ' });
    expect(res.statusCode, res.body).toBe(201);
    const k = res.json();
    expect(k.apiKey).toMatch(/^lx311_[A-Za-z0-9_-]{43}$/);
    expect(k).toMatchObject({ name: '民生e点通', keyPrefix: k.apiKey.slice(0, 12), revokedAt: null, lastUsedAt: null });
    const row = await h.db.selectFrom('open311_keys').selectAll().where('id', '=', k.id).executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(hashApiKey(k.apiKey));
    expect(JSON.stringify(row)).not.toContain(k.apiKey);

    const listed = list(s.county);
    const items = (await listed).json() as Open311KeyDto[];
    expect(items.find((i) => i.id === k.id)).toEqual({ id: k.id, name: '民生e点通', keyPrefix: k.keyPrefix, createdAt: k.createdAt, revokedAt: null, lastUsedAt: null });
    expect((await listed).body).not.toContain(k.apiKey);

    const audit = await h.db.selectFrom('audit_log').select(['action', 'detail']).where('entity', '=', 'open311_key').where('entity_id', '=', String(k.id)).execute();
    expect(audit.map((a) => a.action)).toEqual(['open311_key.create']);
    expect(JSON.stringify(audit)).not.toContain(k.apiKey);
  });

  it('revokes once (then 409), audited; an unknown id is 404; the revoked key no longer posts', async () => {
    const k = (await issue(s.county, { name: '测试客户端' })).json();
    const r = await revoke(s.county, k.id);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().revokedAt).not.toBeNull();
    const again = await revoke(s.county, k.id);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('CONFLICT');
    expect((await revoke(s.county, 999_999)).statusCode).toBe(404);
    expect((await revoke(s.county, 'abc')).statusCode).toBe(400);
    const audit = await h.db.selectFrom('audit_log').select('action').where('entity', '=', 'open311_key').where('entity_id', '=', String(k.id)).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['open311_key.create', 'open311_key.revoke']);
    const post = await app.inject({
      method: 'POST', url: '/open311/v2/requests.json', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ api_key: k.apiKey, service_code: 'other', address_string: '丹东街道' }).toString(),
    });
    expect(post.statusCode).toBe(403);
  });

  it('refuses bad input with 400 naming the field; nothing is issued', async () => {
    const before = (await list(s.county)).json().length;
    for (const payload of [{}, { name: '' }, { name: '   ' }, { name: 'x'.repeat(61) }, { name: 'ok', extra: 1 }, { name: 42 }, { name: 'a\u0000b' }]) {
      const res = await issue(s.county, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect((await list(s.county)).json().length).toBe(before);
  });

  it('only an admin over the whole deployment manages keys: other roles and a township admin get 403, no session 401', async () => {
    const k = (await issue(s.county, { name: '范围测试' })).json();
    for (const who of [s.hotline, s.dept, s.township]) {
      expect((await list(who)).statusCode).toBe(403);
      expect((await issue(who, { name: '越权' })).statusCode).toBe(403);
      expect((await revoke(who, k.id)).statusCode).toBe(403);
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/open311-keys' })).statusCode).toBe(401);
    const row = await h.db.selectFrom('open311_keys').select('revoked_at').where('id', '=', k.id).executeTakeFirstOrThrow();
    expect(row.revoked_at).toBeNull();
    expect(await h.db.selectFrom('open311_keys').select('id').where('name', '=', '越权').execute()).toEqual([]);
  });

  it('the CLI path (system actor) validates the name like the API', async () => {
    const k = await createOpen311Key(h.db, systemActor('cli'), { name: 'CLI 客户端' });
    expect(k.apiKey.startsWith(k.keyPrefix)).toBe(true);
    await expect(createOpen311Key(h.db, systemActor('cli'), { name: '' })).rejects.toThrow();
  });
});
