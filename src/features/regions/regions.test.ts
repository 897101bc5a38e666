import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, as, createTestApp, createTestDatabase, DANDONG, login, makeUser, SHIPU, XIANGSHAN, type Session } from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import { villageDisplayName } from './division-data.ts';
import { createLocalRegion, importRegions, listRegions } from './regions.ts';

let h: DatabaseHandle;
let app: App;
let adminSession: Session;
beforeAll(async () => {
  h = await createTestDatabase();
  app = await createTestApp(h.db);
  const u = await makeUser(h.db, 'admin');
  adminSession = await login(app, u.username);
});
afterAll(async () => {
  await app.close();
  await h.close();
});

describe('importing division codes', () => {
  it('loads Xiangshan with its 18 townships and 410 villages, and again without duplicating', async () => {
    const first = await importRegions(h.db, admin, '330225');
    expect(first.counts).toEqual({ province: 1, city: 1, county: 1, township: 18, village: 410 });
    await importRegions(h.db, admin, '330225');
    const n = await h.db.selectFrom('regions').select((eb) => eb.fn.countAll<number>().as('n')).where('path', 'like', '%330225000000%').executeTakeFirstOrThrow();
    expect(n.n).toBe(1 + 18 + 410);
  });

  it('loads Dongying (3705): 7 districts/counties and 1,921 villages/communities', async () => {
    const r = await importRegions(h.db, admin, '3705');
    expect(r.counts.county).toBe(7);
    expect(r.counts.village).toBe(1921);
    const townships = await listRegions(h.db, admin, { under: '370500000000', level: 'township', page: 1, pageSize: 1000 });
    expect(townships.total).toBe(r.counts.township);
  });

  it('rejects a code that is not 2, 4 or 6 digits, and one that does not exist', async () => {
    await expect(importRegions(h.db, admin, '33a')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(importRegions(h.db, admin, '9999')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('is reachable through the API for admins and names the field at fault', async () => {
    const bad = await app.inject({ method: 'POST', url: '/api/v1/regions/import', headers: as(adminSession), payload: { code: 'abc' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.fields[0].field).toBe('body.code');
    const ok = await app.inject({ method: 'POST', url: '/api/v1/regions/import', headers: as(adminSession), payload: { code: '330225' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().counts.village).toBe(410);
  });

  it('turns committee names into the names people use', () => {
    expect(villageDisplayName('张庄村委会')).toBe('张庄村');
    expect(villageDisplayName('东河村民委员会')).toBe('东河村');
    expect(villageDisplayName('金秋社区居委会')).toBe('金秋社区');
    expect(villageDisplayName('丹峰社区')).toBe('丹峰社区');
  });
});

describe('browsing the tree', () => {
  it('lists a township’s villages as children and the whole subtree under the county', async () => {
    const children = await listRegions(h.db, admin, { parent: SHIPU, page: 1, pageSize: 1000 });
    expect(children.total).toBeGreaterThan(10);
    expect(children.items.every((r) => r.parentCode === SHIPU && r.level === 'village')).toBe(true);
    const subtree = await listRegions(h.db, admin, { under: XIANGSHAN, page: 1, pageSize: 1 });
    expect(subtree.total).toBe(18 + 410);
  });

  it('shows a township account only its own township as the root, with its villages below', async () => {
    const u = await makeUser(h.db, 'cadre', { regionCode: DANDONG });
    const s = await login(app, u.username);
    const roots = await app.inject({ url: '/api/v1/regions', headers: as(s) });
    expect(roots.json().items.map((r: { code: string }) => r.code)).toEqual([DANDONG]);
    expect(roots.json().items[0].childCount).toBeGreaterThan(0);
    const villages = await app.inject({ url: `/api/v1/regions?parent=${DANDONG}&pageSize=1000`, headers: as(s) });
    expect(villages.json().total).toBe(roots.json().items[0].childCount);
    const crumbs = await app.inject({ url: `/api/v1/regions/${villages.json().items[0].code}/ancestors`, headers: as(s) });
    expect(crumbs.json().map((r: { code: string }) => r.code)).toEqual([DANDONG, villages.json().items[0].code]);
  });

  it('answers 400 for a page size beyond the limit', async () => {
    const res = await app.inject({ url: '/api/v1/regions?pageSize=5000', headers: as(adminSession) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.fields[0].field).toBe('querystring.pageSize');
  });
});

describe('grids and building units below a village', () => {
  it('adds a grid under a village and a building under the grid with local codes', async () => {
    const village = (await listRegions(h.db, admin, { parent: DANDONG, page: 1, pageSize: 1 })).items[0]!;
    const grid = await createLocalRegion(h.db, admin, { parentCode: village.code, level: 'grid', name: '第一网格' });
    expect(grid.code).toBe(`${village.code}-G01`);
    expect(grid.path).toBe(`${village.path}/${grid.code}`);
    const building = await createLocalRegion(h.db, admin, { parentCode: grid.code, level: 'building', name: '1幢1单元' });
    expect(building.parentCode).toBe(grid.code);
    const under = await listRegions(h.db, admin, { under: village.code, page: 1, pageSize: 10 });
    expect(under.items.map((r) => r.code)).toEqual([grid.code, building.code]);
  });

  it('refuses a grid under a township, a duplicate code, and a parent outside the caller’s scope', async () => {
    const r1 = await app.inject({ method: 'POST', url: '/api/v1/regions', headers: as(adminSession), payload: { parentCode: SHIPU, level: 'grid', name: '错误网格' } });
    expect(r1.statusCode).toBe(400);
    expect(r1.json().error.details.field).toBe('parentCode');

    const village = (await listRegions(h.db, admin, { parent: SHIPU, page: 1, pageSize: 1 })).items[0]!;
    const ok = await app.inject({ method: 'POST', url: '/api/v1/regions', headers: as(adminSession), payload: { parentCode: village.code, level: 'grid', name: '网格A', code: 'GRID-A' } });
    expect(ok.statusCode).toBe(201);
    const dup = await app.inject({ method: 'POST', url: '/api/v1/regions', headers: as(adminSession), payload: { parentCode: village.code, level: 'grid', name: '网格B', code: 'GRID-A' } });
    expect(dup.statusCode).toBe(409);

    const townshipAdmin = await makeUser(h.db, 'admin', { regionCode: DANDONG });
    const s = await login(app, townshipAdmin.username);
    const out = await app.inject({ method: 'POST', url: '/api/v1/regions', headers: as(s), payload: { parentCode: village.code, level: 'grid', name: '越权网格' } });
    expect(out.statusCode).toBe(404);
    const rows = await h.db.selectFrom('regions').select('code').where('name', '=', '越权网格').execute();
    expect(rows).toEqual([]);
  });

  it('rejects an empty name and a code with symbols, naming the field', async () => {
    const village = (await listRegions(h.db, admin, { parent: DANDONG, page: 1, pageSize: 1 })).items[0]!;
    const r = await app.inject({ method: 'POST', url: '/api/v1/regions', headers: as(adminSession), payload: { parentCode: village.code, level: 'grid', name: '  ', code: 'a%b' } });
    expect(r.statusCode).toBe(400);
    const fields = r.json().error.details.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['body.name', 'body.code']));
  });
});
