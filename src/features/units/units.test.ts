import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, as, createTestApp, createTestDatabase, DANDONG, login, makeCadre, makeUnit, makeUser, seedXiangshan, SHIPU, uniq, XIANGSHAN, type Session } from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import { listUnits } from './units.ts';

let h: DatabaseHandle;
let app: App;
let s: Session;
beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
  s = await login(app, (await makeUser(h.db, 'admin')).username);
});
afterAll(async () => {
  await app.close();
  await h.close();
});

describe('units', () => {
  it('creates a unit tree and lists a subtree by region', async () => {
    const county = await app.inject({ method: 'POST', url: '/api/v1/units', headers: as(s), payload: { code: uniq('XW'), name: '中共测试县委', level: 'county', regionCode: XIANGSHAN } });
    expect(county.statusCode).toBe(201);
    const town = await app.inject({ method: 'POST', url: '/api/v1/units', headers: as(s), payload: { code: uniq('TW'), name: '中共丹东街道工委', level: 'township', regionCode: DANDONG, parentId: county.json().id } });
    expect(town.statusCode).toBe(201);
    expect(town.json()).toMatchObject({ parentId: county.json().id, regionCode: DANDONG, regionName: '丹东街道', cadreCount: 0 });
    const path = (await h.db.selectFrom('units').select('path').where('id', '=', town.json().id).executeTakeFirstOrThrow()).path;
    expect(path).toBe(`${county.json().id}/${town.json().id}`);

    const inDandong = await app.inject({ url: `/api/v1/units?region=${DANDONG}&pageSize=200`, headers: as(s) });
    const ids = inDandong.json().items.map((u: { id: number }) => u.id);
    expect(ids).toContain(town.json().id);
    expect(ids).not.toContain(county.json().id);
  });

  it('names a responsible leader only from the unit’s own cadres', async () => {
    const unit = await makeUnit(h.db, SHIPU, { name: '石浦镇党委' });
    const other = await makeUnit(h.db, SHIPU);
    const own = await makeCadre(h.db, unit.id, { name: '李书记', rank: 'section' });
    const stranger = await makeCadre(h.db, other.id);
    const bad = await app.inject({ method: 'PATCH', url: `/api/v1/units/${unit.id}`, headers: as(s), payload: { leaderCadreId: stranger.id } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.field).toBe('leaderCadreId');
    const ok = await app.inject({ method: 'PATCH', url: `/api/v1/units/${unit.id}`, headers: as(s), payload: { leaderCadreId: own.id } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ leaderCadreId: own.id, leaderName: '李书记', cadreCount: 1 });
    const audit = await h.db.selectFrom('audit_log').select(['action', 'entity_id']).where('action', '=', 'unit.update').where('entity_id', '=', String(unit.id)).execute();
    expect(audit).toHaveLength(1);
  });

  it('rejects a duplicate code with 409, an unknown region or parent with 400, bad fields by name', async () => {
    const code = uniq('DUP');
    const first = await app.inject({ method: 'POST', url: '/api/v1/units', headers: as(s), payload: { code, name: '甲', level: 'township', regionCode: SHIPU } });
    expect(first.statusCode).toBe(201);
    const dup = await app.inject({ method: 'POST', url: '/api/v1/units', headers: as(s), payload: { code, name: '乙', level: 'township', regionCode: SHIPU } });
    expect(dup.statusCode).toBe(409);
    const region = await app.inject({ method: 'POST', url: '/api/v1/units', headers: as(s), payload: { code: uniq('R'), name: '丙', level: 'township', regionCode: '999999999999' } });
    expect(region.statusCode).toBe(400);
    expect(region.json().error.details.field).toBe('regionCode');
    const parent = await app.inject({ method: 'POST', url: '/api/v1/units', headers: as(s), payload: { code: uniq('P'), name: '丁', level: 'township', regionCode: SHIPU, parentId: 99999999 } });
    expect(parent.statusCode).toBe(400);
    expect(parent.json().error.details.field).toBe('parentId');
    const fields = await app.inject({ method: 'POST', url: '/api/v1/units', headers: as(s), payload: { code: 'has space', name: '', level: 'galaxy', regionCode: SHIPU } });
    expect(fields.statusCode).toBe(400);
    expect(fields.json().error.details.fields.map((f: { field: string }) => f.field)).toEqual(expect.arrayContaining(['body.code', 'body.name', 'body.level']));
    expect(await h.db.selectFrom('units').select('id').where('name', 'in', ['乙', '丙', '丁']).execute()).toEqual([]);
  });

  it('keeps a township admin to units in their township, for reads and writes', async () => {
    const mine = await makeUnit(h.db, DANDONG);
    const theirs = await makeUnit(h.db, SHIPU);
    const t = await login(app, (await makeUser(h.db, 'admin', { regionCode: DANDONG })).username);
    expect((await app.inject({ url: `/api/v1/units/${theirs.id}`, headers: as(t) })).statusCode).toBe(404);
    expect((await app.inject({ url: `/api/v1/units/${mine.id}`, headers: as(t) })).statusCode).toBe(200);
    const patch = await app.inject({ method: 'PATCH', url: `/api/v1/units/${theirs.id}`, headers: as(t), payload: { name: '改名' } });
    expect(patch.statusCode).toBe(404);
    const create = await app.inject({ method: 'POST', url: '/api/v1/units', headers: as(t), payload: { code: uniq('X'), name: '越权单位', level: 'township', regionCode: SHIPU } });
    expect(create.statusCode).toBe(400);
    const list = await app.inject({ url: '/api/v1/units?pageSize=500', headers: as(t) });
    expect(list.json().items.every((u: { regionCode: string }) => u.regionCode.startsWith('330225001'))).toBe(true);
    expect(list.json().items.map((u: { id: number }) => u.id)).toContain(mine.id);
  });

  it('lets only admins write units', async () => {
    const leader = await login(app, (await makeUser(h.db, 'leadership')).username);
    const r = await app.inject({ method: 'POST', url: '/api/v1/units', headers: as(leader), payload: { code: uniq('L'), name: '领导建的单位', level: 'county', regionCode: XIANGSHAN } });
    expect(r.statusCode).toBe(403);
    expect((await listUnits(h.db, admin, { q: '领导建的单位', page: 1, pageSize: 10 })).total).toBe(0);
  });
});
