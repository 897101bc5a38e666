// The central access-control guarantee: an account scoped to 丹东街道 (DANDONG) sees nothing of
// 石浦镇 (SHIPU) through any endpoint, can write nothing there, and still sees its own records.
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { sql, type RawBuilder } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../src/db/database.ts';
import type { App } from '../src/http/types.ts';
import { systemActor } from '../src/features/auth/actor.ts';
import { createWriting } from '../src/features/writings/writings.ts';
import { createActivity } from '../src/features/activities/activities.ts';
import { createTicket } from '../src/features/tickets/tickets.ts';
import { createCommitment } from '../src/features/commitments/commitments.ts';
import { createCampaign } from '../src/features/campaigns/campaigns.ts';
import { createBulletin, publishBulletin } from '../src/features/bulletins/bulletins.ts';
import { createLinks, createSurvey, updateSurvey } from '../src/features/surveys/surveys.ts';
import { submitResponse } from '../src/features/surveys/public.ts';
import { testConfig, testKey } from './helpers.ts';
import {
  DANDONG, SHIPU, XIANGSHAN, as, createTestApp, createTestDatabase, login, makeCadre, makeUnit, makeUser, seedXiangshan, testDriver, uniq, type Session,
} from './helpers.ts';

const DANDONG_PHONE = '13812345678';
const DANDONG2_PHONE = '13812340002';
const SHIPU_PHONE = '13987654321';
const FULL_PHONES = [DANDONG_PHONE, DANDONG2_PHONE, SHIPU_PHONE];

let h: DatabaseHandle;
let app: App;
let dandongPath: string;
let units: { dandong: { id: number; code: string }; dandong2: { id: number; code: string }; shipu: { id: number; code: string } };
let cadres: { dandong: { id: number }; dandong2: { id: number }; shipu: { id: number } };
let users: Record<'cadre' | 'townAdmin' | 'leader' | 'shipuAdmin' | 'countyAdmin', { id: number; username: string }>;
const sessions = {} as Record<keyof typeof users, Session>;

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
  dandongPath = (await h.db.selectFrom('regions').select('path').where('code', '=', DANDONG).executeTakeFirstOrThrow()).path;

  const dandong = await makeUnit(h.db, DANDONG, { name: '丹东街道测试办' });
  const dandong2 = await makeUnit(h.db, DANDONG, { name: '丹东街道另一单位' });
  const shipu = await makeUnit(h.db, SHIPU, { name: '石浦镇测试办' });
  units = { dandong, dandong2, shipu };
  cadres = {
    dandong: await makeCadre(h.db, dandong.id, { name: '丹东甲', phone: DANDONG_PHONE }),
    dandong2: await makeCadre(h.db, dandong2.id, { name: '丹东乙', phone: DANDONG2_PHONE }),
    shipu: await makeCadre(h.db, shipu.id, { name: '石浦丙', phone: SHIPU_PHONE }),
  };
  users = {
    cadre: await makeUser(h.db, 'cadre', { regionCode: DANDONG }),
    townAdmin: await makeUser(h.db, 'admin', { regionCode: DANDONG }),
    leader: await makeUser(h.db, 'unit_leader', { unitId: dandong.id }),
    shipuAdmin: await makeUser(h.db, 'admin', { regionCode: SHIPU }),
    countyAdmin: await makeUser(h.db, 'admin', { regionCode: XIANGSHAN }),
  };
  for (const k of Object.keys(users) as (keyof typeof users)[]) sessions[k] = await login(app, users[k].username);
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const get = (s: Session, url: string) => app.inject({ method: 'GET', url, headers: { cookie: s.cookie } });
const send = (s: Session, method: 'POST' | 'PATCH', url: string, payload?: object, remoteAddress?: string) =>
  app.inject({ method, url, headers: as(s), ...(payload ? { payload } : {}), ...(remoteAddress ? { remoteAddress } : {}) });
const inDandong = (path: string) => path === dandongPath || path.startsWith(`${dandongPath}/`);
const regionPathOf = async (code: string) => (await h.db.selectFrom('regions').select('path').where('code', '=', code).executeTakeFirstOrThrow()).path;
/** Rows in a table, optionally only those matching a SQL condition. */
const count = async (table: 'cadres' | 'units' | 'users' | 'regions', where: RawBuilder<boolean> = sql<boolean>`true`) =>
  (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${where}`.execute(h.db)).rows[0]!.n;
const expectStatus = (res: { statusCode: number; body: string }, status: number) => expect(res.statusCode, res.body).toBe(status);

/** Uploads a one-sheet roster (the template's columns) as multipart/form-data, built by hand. */
async function importRoster(s: Session, rows: string[][]) {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('干部名册');
  ws.addRow(['姓名', '性别', '单位编码', '单位名称', '职级', '职务', '状态', '手机号']);
  for (const r of rows) ws.addRow(r);
  const file = Buffer.from(await wb.xlsx.writeBuffer());
  const boundary = '----lianxinScopeBoundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="roster.xlsx"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return app.inject({ method: 'POST', url: '/api/v1/cadres/import', headers: { ...as(s), 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
}

/** The two accounts under test: what each gets where a Shipu record is addressed by id. */
const viewers = [
  { label: 'a cadre-role account scoped to 丹东街道', key: 'cadre' as const, writeRefused: 403, revealRefused: 403 },
  { label: 'a township admin of 丹东街道', key: 'townAdmin' as const, writeRefused: 404, revealRefused: 404 },
];

describe.each(viewers)(`scope on ${testDriver}: $label`, ({ key, writeRefused, revealRefused }) => {
  const s = () => sessions[key];

  it('cannot reach Shipu regions by code (parent, detail, ancestors): 404', async () => {
    for (const url of [`/api/v1/regions?parent=${SHIPU}`, `/api/v1/regions/${SHIPU}`, `/api/v1/regions/${SHIPU}/ancestors`, '/api/v1/regions/330225101270']) {
      const res = await get(s(), url);
      expectStatus(res, 404);
      expect(res.json().error.code).toBe('NOT_FOUND');
      expect(res.body).not.toContain('石浦');
    }
  });

  it('reaches Dandong regions by code (parent, detail, ancestors)', async () => {
    const children = await get(s(), `/api/v1/regions?parent=${DANDONG}`);
    expectStatus(children, 200);
    expect(children.json().items.length).toBeGreaterThan(10);
    for (const r of children.json().items) expect(r.parentCode).toBe(DANDONG);
    const detail = await get(s(), `/api/v1/regions/${DANDONG}`);
    expectStatus(detail, 200);
    expect(detail.json()).toMatchObject({ code: DANDONG, name: '丹东街道' });
    const ancestors = await get(s(), '/api/v1/regions/330225001003/ancestors');
    expectStatus(ancestors, 200);
    // The chain starts at the top of the account's scope, not at the province.
    expect(ancestors.json().map((r: { code: string }) => r.code)).toEqual([DANDONG, '330225001003']);
  });

  it('finds no region outside Dandong by name search, and finds Dandong ones', async () => {
    const shipu = await get(s(), `/api/v1/regions?q=${encodeURIComponent('石浦')}`);
    expectStatus(shipu, 200);
    for (const r of shipu.json().items) expect(inDandong(r.path)).toBe(true);
    expect(shipu.json().total).toBe(shipu.json().items.length);

    const communities = await get(s(), `/api/v1/regions?q=${encodeURIComponent('社区')}&pageSize=1000`);
    expectStatus(communities, 200);
    expect(communities.json().items.length).toBeGreaterThan(5);
    for (const r of communities.json().items) expect(inDandong(r.path)).toBe(true);
    expect(communities.json().items.map((r: { name: string }) => r.name)).toContain('金秋社区');
    expect(communities.json().items.map((r: { name: string }) => r.name)).not.toContain('海宁社区'); // 石浦镇's
  });

  it('cannot list the county subtree (under=XIANGSHAN): 404; the Dandong subtree is listed', async () => {
    expectStatus(await get(s(), `/api/v1/regions?under=${XIANGSHAN}`), 404);
    const under = await get(s(), `/api/v1/regions?under=${DANDONG}&pageSize=1000`);
    expectStatus(under, 200);
    expect(under.json().items.length).toBeGreaterThan(10);
    for (const r of under.json().items) expect(inDandong(r.path)).toBe(true);
  });

  it('sees only Dandong at the top of the region tree and at township level', async () => {
    const top = await get(s(), '/api/v1/regions');
    expectStatus(top, 200);
    expect(top.json().items.map((r: { code: string }) => r.code)).toEqual([DANDONG]);
    const townships = await get(s(), '/api/v1/regions?level=township');
    expectStatus(townships, 200);
    expect(townships.json().items.map((r: { code: string }) => r.code)).toEqual([DANDONG]);
  });

  it('lists only Dandong units', async () => {
    const res = await get(s(), '/api/v1/units?pageSize=500');
    expectStatus(res, 200);
    const items = res.json().items as { id: number; regionCode: string }[];
    const ids = items.map((u) => u.id);
    expect(ids).toEqual(expect.arrayContaining([units.dandong.id, units.dandong2.id]));
    expect(ids).not.toContain(units.shipu.id);
    for (const u of items) expect(inDandong(await regionPathOf(u.regionCode))).toBe(true);
    const expected = await count('units', sql<boolean>`region_path = ${dandongPath} or region_path like ${`${dandongPath}/%`}`);
    expect(res.json().total).toBe(expected);

    const byCode = await get(s(), `/api/v1/units?q=${units.shipu.code}`);
    expect(byCode.json().items).toEqual([]);
    const byParent = await get(s(), `/api/v1/units?parentId=${units.shipu.id}`);
    expect(byParent.json().items).toEqual([]);
  });

  it('cannot open the Shipu unit or filter units by Shipu: 404; the Dandong ones open', async () => {
    expectStatus(await get(s(), `/api/v1/units/${units.shipu.id}`), 404);
    expectStatus(await get(s(), `/api/v1/units?region=${SHIPU}`), 404);
    const unit = await get(s(), `/api/v1/units/${units.dandong.id}`);
    expectStatus(unit, 200);
    expect(unit.json()).toMatchObject({ id: units.dandong.id, regionCode: DANDONG, cadreCount: 1 });
    const byRegion = await get(s(), `/api/v1/units?region=${DANDONG}&pageSize=500`);
    expectStatus(byRegion, 200);
    expect(byRegion.json().items.map((u: { id: number }) => u.id)).toContain(units.dandong.id);
  });

  it('lists only Dandong cadres, with a total that counts exactly those', async () => {
    const res = await get(s(), '/api/v1/cadres?pageSize=200');
    expectStatus(res, 200);
    const items = res.json().items as { id: number; regionCode: string; phoneMasked: string | null }[];
    const ids = items.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining([cadres.dandong.id, cadres.dandong2.id]));
    expect(ids).not.toContain(cadres.shipu.id);
    for (const c of items) expect(inDandong(await regionPathOf(c.regionCode))).toBe(true);
    const expected = (await h.db.selectFrom('cadres').innerJoin('units', 'units.id', 'cadres.unit_id')
      .select(sql<number>`count(*)`.as('n'))
      .where(sql<boolean>`units.region_path = ${dandongPath} or units.region_path like ${`${dandongPath}/%`}`)
      .executeTakeFirstOrThrow()).n;
    expect(res.json().total).toBe(expected);
    expect(items.length).toBe(expected);
    expect(items.find((c) => c.id === cadres.dandong.id)!.phoneMasked).toBe('138****5678');
  });

  it('cannot open the Shipu cadre or filter cadres by the Shipu unit or region: 404; the Dandong ones work', async () => {
    expectStatus(await get(s(), `/api/v1/cadres/${cadres.shipu.id}`), 404);
    expectStatus(await get(s(), `/api/v1/cadres?unitId=${units.shipu.id}`), 404);
    expectStatus(await get(s(), `/api/v1/cadres?region=${SHIPU}`), 404);
    const detail = await get(s(), `/api/v1/cadres/${cadres.dandong.id}`);
    expectStatus(detail, 200);
    expect(detail.json()).toMatchObject({ id: cadres.dandong.id, name: '丹东甲', phoneMasked: '138****5678' });
    const byUnit = await get(s(), `/api/v1/cadres?unitId=${units.dandong.id}`);
    expectStatus(byUnit, 200);
    expect(byUnit.json().items.map((c: { id: number }) => c.id)).toContain(cadres.dandong.id);
  });

  it('finds no Shipu cadre by name or phone search, and finds the Dandong one', async () => {
    for (const q of ['石浦丙', '石浦', SHIPU_PHONE, 'spb']) {
      const res = await get(s(), `/api/v1/cadres?q=${encodeURIComponent(q)}`);
      expectStatus(res, 200);
      expect(res.json().items, q).toEqual([]);
      expect(res.json().total).toBe(0);
    }
    for (const q of ['丹东甲', DANDONG_PHONE]) {
      const res = await get(s(), `/api/v1/cadres?q=${encodeURIComponent(q)}`);
      expect(res.json().items.map((c: { id: number }) => c.id), q).toEqual([cadres.dandong.id]);
    }
  });

  it(`cannot reveal the Shipu cadre's phone (${revealRefused}) and no reveal is logged`, async () => {
    const res = await send(s(), 'POST', `/api/v1/cadres/${cadres.shipu.id}/phone`, {});
    expectStatus(res, revealRefused);
    expect(res.body).not.toContain(SHIPU_PHONE);
    const logged = await h.db.selectFrom('audit_log').select('id')
      .where('action', '=', 'personal_data.reveal').where('entity_id', '=', String(cadres.shipu.id)).execute();
    expect(logged).toEqual([]);
  });

  it(`cannot edit the Shipu cadre (${writeRefused}); the row is unchanged`, async () => {
    const before = await h.db.selectFrom('cadres').selectAll().where('id', '=', cadres.shipu.id).executeTakeFirstOrThrow();
    const res = await send(s(), 'PATCH', `/api/v1/cadres/${cadres.shipu.id}`, { name: '被改名', position: '被改职务', phone: '13700000000' });
    expectStatus(res, writeRefused);
    const after = await h.db.selectFrom('cadres').selectAll().where('id', '=', cadres.shipu.id).executeTakeFirstOrThrow();
    expect(after).toEqual(before);
  });

  it('exports only Dandong cadres, with phones masked', async () => {
    const res = await get(s(), '/api/v1/cadres/export.xlsx');
    expectStatus(res, 200);
    expect(String(res.headers['content-type'])).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).getCell(1).text).toBe('姓名');
    expect(ws.getRow(1).getCell(8).text).toBe('手机号');
    const rows: { name: string; unitCode: string; phone: string }[] = [];
    ws.eachRow((row, n) => {
      if (n > 1) rows.push({ name: row.getCell(1).text, unitCode: row.getCell(3).text, phone: row.getCell(8).text });
    });
    const names = rows.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['丹东甲', '丹东乙']));
    expect(names).not.toContain('石浦丙');
    expect(rows.map((r) => r.unitCode)).not.toContain(units.shipu.code);
    const expected = (await get(s(), '/api/v1/cadres?pageSize=200')).json().total;
    expect(rows.length).toBe(expected);
    expect(rows.find((r) => r.name === '丹东甲')!.phone).toBe('138****5678');
    expect(rows.find((r) => r.name === '丹东乙')!.phone).toBe('138****0002');
    for (const r of rows) expect(r.phone === '' || /^1\d{2}\*{4}\d{4}$/.test(r.phone)).toBe(true);
    const allText = rows.map((r) => `${r.name} ${r.phone}`).join('\n');
    for (const p of FULL_PHONES) expect(allText).not.toContain(p);
  });

  it('cannot export the Shipu unit or region: 404', async () => {
    expectStatus(await get(s(), `/api/v1/cadres/export.xlsx?unitId=${units.shipu.id}`), 404);
    expectStatus(await get(s(), `/api/v1/cadres/export.xlsx?region=${SHIPU}`), 404);
  });

  it('never sees a full phone number in list or detail responses', async () => {
    const urls = [
      '/api/v1/cadres?pageSize=200', `/api/v1/cadres/${cadres.dandong.id}`, `/api/v1/cadres/${cadres.dandong2.id}`,
      `/api/v1/cadres?q=${DANDONG_PHONE}`, '/api/v1/units?pageSize=500', `/api/v1/units/${units.dandong.id}`,
    ];
    for (const url of urls) {
      const res = await get(s(), url);
      expectStatus(res, 200);
      for (const p of FULL_PHONES) expect(res.body, url).not.toContain(p);
    }
  });
});

describe('a cadre-role account may read but not write', () => {
  const s = () => sessions.cadre;

  it('is refused POST /api/v1/units with 403, and nothing is written', async () => {
    const before = await count('units');
    const res = await send(s(), 'POST', '/api/v1/units', { code: uniq('U'), name: '越权单位', level: 'township', regionCode: DANDONG });
    expectStatus(res, 403);
    expect(res.json().error.code).toBe('FORBIDDEN');
    expect(await count('units')).toBe(before);
  });

  it('is refused POST /api/v1/cadres with 403, even in its own township, and nothing is written', async () => {
    const before = await count('cadres');
    for (const unitId of [units.dandong.id, units.shipu.id]) {
      const res = await send(s(), 'POST', '/api/v1/cadres', { name: '越权干部', unitId, rank: 'general' });
      expectStatus(res, 403);
    }
    expect(await count('cadres')).toBe(before);
  });

  it('is refused editing or revealing the phone of a Dandong cadre with 403', async () => {
    const before = await h.db.selectFrom('cadres').selectAll().where('id', '=', cadres.dandong.id).executeTakeFirstOrThrow();
    expectStatus(await send(s(), 'PATCH', `/api/v1/cadres/${cadres.dandong.id}`, { position: '改了' }), 403);
    expect(await h.db.selectFrom('cadres').selectAll().where('id', '=', cadres.dandong.id).executeTakeFirstOrThrow()).toEqual(before);
    const reveal = await send(s(), 'POST', `/api/v1/cadres/${cadres.dandong.id}/phone`, {});
    expectStatus(reveal, 403);
    expect(reveal.body).not.toContain(DANDONG_PHONE);
    const unmasked = await get(s(), '/api/v1/cadres/export.xlsx?unmasked=true');
    expectStatus(unmasked, 403);
  });

  it('is refused POST /api/v1/regions/import and GET /api/v1/audit with 403', async () => {
    const before = await count('regions');
    const imp = await send(s(), 'POST', '/api/v1/regions/import', { code: '330225' });
    expectStatus(imp, 403);
    expect(await count('regions')).toBe(before);
    expectStatus(await get(s(), '/api/v1/audit'), 403);
  });

  it('is refused a roster import with 403, and nothing is written', async () => {
    const before = await count('cadres');
    const res = await importRoster(s(), [['越权导入', '', units.dandong.code, '', '一般干部', '', '', '']]);
    expectStatus(res, 403);
    expect(await count('cadres')).toBe(before);
  });

  it('is refused the account list and account details with 403', async () => {
    expectStatus(await get(s(), '/api/v1/users'), 403);
    expectStatus(await get(s(), `/api/v1/users/${users.cadre.id}`), 403);
  });
});

describe('a township admin writes only inside the township', () => {
  const s = () => sessions.townAdmin;

  it('cannot create a cadre in the Shipu unit: 400 and nothing inserted; in a Dandong unit: 201', async () => {
    const before = await count('cadres', sql<boolean>`unit_id = ${units.shipu.id}`);
    const res = await send(s(), 'POST', '/api/v1/cadres', { name: '越权干部', unitId: units.shipu.id, rank: 'general', phone: '13700000001' });
    expectStatus(res, 400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(await count('cadres', sql<boolean>`unit_id = ${units.shipu.id}`)).toBe(before);
    expect(await count('cadres', sql<boolean>`name = ${'越权干部'}`)).toBe(0);

    const ok = await send(s(), 'POST', '/api/v1/cadres', { name: '丹东新人', unitId: units.dandong2.id, rank: 'general' });
    expectStatus(ok, 201);
    expect(ok.json().unitId).toBe(units.dandong2.id);
  });

  it('cannot move a Dandong cadre into the Shipu unit: 400, unchanged', async () => {
    const before = await h.db.selectFrom('cadres').selectAll().where('id', '=', cadres.dandong2.id).executeTakeFirstOrThrow();
    const res = await send(s(), 'PATCH', `/api/v1/cadres/${cadres.dandong2.id}`, { unitId: units.shipu.id });
    expectStatus(res, 400);
    expect(await h.db.selectFrom('cadres').selectAll().where('id', '=', cadres.dandong2.id).executeTakeFirstOrThrow()).toEqual(before);
  });

  it('cannot create a unit in Shipu (400) or edit the Shipu unit (404); nothing changes', async () => {
    const before = await count('units');
    const res = await send(s(), 'POST', '/api/v1/units', { code: uniq('U'), name: '越权单位', level: 'township', regionCode: SHIPU });
    expectStatus(res, 400);
    expect(await count('units')).toBe(before);
    const unitBefore = await h.db.selectFrom('units').selectAll().where('id', '=', units.shipu.id).executeTakeFirstOrThrow();
    expectStatus(await send(s(), 'PATCH', `/api/v1/units/${units.shipu.id}`, { name: '被改名' }), 404);
    expect(await h.db.selectFrom('units').selectAll().where('id', '=', units.shipu.id).executeTakeFirstOrThrow()).toEqual(unitBefore);
    // A Dandong unit cannot be moved to Shipu either.
    expectStatus(await send(s(), 'PATCH', `/api/v1/units/${units.dandong2.id}`, { regionCode: SHIPU }), 400);
    expect((await h.db.selectFrom('units').select('region_code').where('id', '=', units.dandong2.id).executeTakeFirstOrThrow()).region_code).toBe(DANDONG);
  });

  it('cannot add a grid under a Shipu village: 404, nothing written', async () => {
    const before = await count('regions');
    const res = await send(s(), 'POST', '/api/v1/regions', { parentCode: '330225101001', level: 'grid', name: '越权网格' });
    expectStatus(res, 404);
    expect(await count('regions')).toBe(before);
  });

  it('cannot re-import division codes beyond the township (the county 330225, the city 3302): refused, nothing logged as imported', async () => {
    for (const code of ['330225', '3302']) {
      const before = await count('regions');
      const res = await send(s(), 'POST', '/api/v1/regions/import', { code });
      expect([403, 404], `${code}: ${res.statusCode} ${res.body.slice(0, 200)}`).toContain(res.statusCode);
      expect(await count('regions')).toBe(before);
    }
    const logged = await h.db.selectFrom('audit_log').select('id').where('action', '=', 'regions.import').where('user_id', '=', users.townAdmin.id).execute();
    expect(logged).toEqual([]);
  });

  it('cannot import cadres into the Shipu unit: 400 naming the row, nothing inserted', async () => {
    const before = await count('cadres');
    const res = await importRoster(s(), [['越权导入', '', units.shipu.code, '', '一般干部', '', '', '']]);
    expectStatus(res, 400);
    expect(res.json().error.code).toBe('IMPORT_REJECTED');
    expect(res.json().error.details.errors[0]).toMatchObject({ row: 2, field: '单位编码' });
    expect(await count('cadres')).toBe(before);
  });

  it('learns nothing about a Shipu cadre by importing a roster row with that cadre’s phone number', async () => {
    // Control: a phone already used in Dandong is refused, naming the Dandong cadre (in scope).
    const inScope = await importRoster(s(), [['重复号码', '', units.dandong.code, '', '一般干部', '', '', DANDONG_PHONE]]);
    expectStatus(inScope, 400);
    expect(inScope.body).toContain('丹东甲');

    const before = await count('cadres');
    const res = await importRoster(s(), [['探测号码', '', units.dandong.code, '', '一般干部', '', '', SHIPU_PHONE]]);
    expect(res.body).not.toContain('石浦丙');
    expect(res.body).not.toContain(`编号 ${cadres.shipu.id}`);
    if (res.statusCode !== 200) expect(await count('cadres')).toBe(before);
  });

  it('sees no Shipu accounts in the account list, and cannot open one (404)', async () => {
    const res = await get(s(), '/api/v1/users?pageSize=200');
    expectStatus(res, 200);
    const ids = res.json().items.map((u: { id: number }) => u.id);
    expect(ids).toEqual(expect.arrayContaining([users.cadre.id, users.townAdmin.id, users.leader.id]));
    expect(ids).not.toContain(users.shipuAdmin.id);
    expect(ids).not.toContain(users.countyAdmin.id);
    expectStatus(await get(s(), `/api/v1/users/${users.shipuAdmin.id}`), 404);
    expectStatus(await get(s(), `/api/v1/users/${users.countyAdmin.id}`), 404);
    const own = await get(s(), `/api/v1/users/${users.cadre.id}`);
    expectStatus(own, 200);
    expect(own.json().username).toBe(users.cadre.username);
  });

  it('reads no Shipu records in the audit log (their cadres, units, accounts), while Dandong ones are there', async () => {
    const own = await get(s(), `/api/v1/audit?entity=cadre&entityId=${cadres.dandong.id}`);
    expectStatus(own, 200);
    expect(own.json().items.length).toBeGreaterThan(0);
    expect(own.body).toContain('丹东甲');

    for (const query of [`entity=cadre&entityId=${cadres.shipu.id}`, `entity=unit&entityId=${units.shipu.id}`, `userId=${users.shipuAdmin.id}`, `entity=user&entityId=${users.shipuAdmin.id}`]) {
      const res = await get(s(), `/api/v1/audit?${query}`);
      expectStatus(res, 200);
      expect(res.json().items, query).toEqual([]);
    }
    const all = await get(s(), '/api/v1/audit?pageSize=200');
    for (const secret of ['石浦丙', '石浦镇测试办', users.shipuAdmin.username]) expect(all.body).not.toContain(secret);
  });

  it('reveals a Dandong cadre’s full phone and logs the reveal with who and from where', async () => {
    const res = await send(s(), 'POST', `/api/v1/cadres/${cadres.dandong.id}/phone`, { reason: '联系走访' }, '198.51.100.23');
    expectStatus(res, 200);
    expect(res.json()).toEqual({ id: cadres.dandong.id, phone: DANDONG_PHONE });
    const rows = await h.db.selectFrom('audit_log').selectAll()
      .where('action', '=', 'personal_data.reveal').where('entity_id', '=', String(cadres.dandong.id)).where('user_id', '=', users.townAdmin.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ entity: 'cadre', username: users.townAdmin.username, ip: '198.51.100.23' });
    // The log records that the number was seen, not the number.
    expect(JSON.stringify(rows[0]!.detail)).not.toContain(DANDONG_PHONE);
    const audit = await get(s(), '/api/v1/audit?pageSize=200');
    expectStatus(audit, 200);
    for (const p of FULL_PHONES) expect(audit.body).not.toContain(p);
  });
});

describe('a unit leader sees and writes only inside the unit', () => {
  const s = () => sessions.leader;

  it('lists only its unit and that unit’s cadres', async () => {
    const unitsRes = await get(s(), '/api/v1/units?pageSize=500');
    expect(unitsRes.json().items.map((u: { id: number }) => u.id)).toEqual([units.dandong.id]);
    const cadresRes = await get(s(), '/api/v1/cadres?pageSize=200');
    const ids = cadresRes.json().items.map((c: { id: number }) => c.id);
    expect(ids).toContain(cadres.dandong.id);
    expect(ids).not.toContain(cadres.dandong2.id);
    expect(ids).not.toContain(cadres.shipu.id);
    expectStatus(await get(s(), `/api/v1/cadres/${cadres.dandong2.id}`), 404);
    expectStatus(await get(s(), `/api/v1/units/${units.dandong2.id}`), 404);
  });

  it('reveals phones only in its unit', async () => {
    const own = await send(s(), 'POST', `/api/v1/cadres/${cadres.dandong.id}/phone`, {});
    expectStatus(own, 200);
    expect(own.json().phone).toBe(DANDONG_PHONE);
    for (const id of [cadres.dandong2.id, cadres.shipu.id]) {
      const res = await send(s(), 'POST', `/api/v1/cadres/${id}/phone`, {});
      expectStatus(res, 404);
      for (const p of FULL_PHONES) expect(res.body).not.toContain(p);
    }
  });

  it('creates cadres only in its unit: 400 elsewhere, nothing inserted', async () => {
    const before = await count('cadres');
    for (const unitId of [units.dandong2.id, units.shipu.id]) {
      expectStatus(await send(s(), 'POST', '/api/v1/cadres', { name: '越权干部', unitId, rank: 'general' }), 400);
    }
    expect(await count('cadres')).toBe(before);
    expectStatus(await send(s(), 'POST', '/api/v1/cadres', { name: '本单位新人', unitId: units.dandong.id, rank: 'general' }), 201);
  });
});

describe('public commitments (公开履职承诺) stay in scope', () => {
  it('a township admin and a unit leader neither see nor change another unit’s or township’s commitment: 404, nothing written', async () => {
    const sys = systemActor('scope-test');
    const campaignId = (await createCampaign(h.db, sys, { name: uniq('承诺活动'), startsOn: '2026-01-01', endsOn: '2027-12-31', regionCode: XIANGSHAN })).id;
    const pledge = { campaignId, title: uniq('承诺'), content: '内容', category: '基层治理', startsOn: '2026-01-01', dueOn: '2027-06-30', milestones: [{ title: '节点', plannedOn: '2026-06-01' }] };
    const shipu = await createCommitment(h.db, sys, { ...pledge, cadreId: cadres.shipu.id, regionCode: SHIPU });
    const other = await createCommitment(h.db, sys, { ...pledge, cadreId: cadres.dandong2.id, regionCode: DANDONG });
    const own = await createCommitment(h.db, sys, { ...pledge, cadreId: cadres.dandong.id, regionCode: DANDONG });
    const events = async () => (await sql<{ n: number }>`select count(*)::int as n from commitment_events`.execute(h.db)).rows[0]!.n;
    const before = await events();
    for (const [who, hidden] of [['townAdmin', shipu], ['leader', shipu], ['leader', other]] as const) {
      const s = sessions[who];
      const ids = (await get(s, '/api/v1/commitments?pageSize=200')).json().items.map((c: { id: number }) => c.id);
      expect(ids).not.toContain(hidden.id);
      expectStatus(await get(s, `/api/v1/commitments/${hidden.id}`), 404);
      expectStatus(await send(s, 'PATCH', `/api/v1/commitments/${hidden.id}`, { title: '越权修改' }), 404);
      expectStatus(await send(s, 'POST', `/api/v1/commitments/${hidden.id}/milestones`, { title: '越权节点', plannedOn: '2026-07-01' }), 404);
      expectStatus(await send(s, 'PATCH', `/api/v1/commitments/${hidden.id}/milestones/${hidden.milestones[0]!.id}`, { doneOn: '2026-07-01' }), 404);
      expectStatus(await send(s, 'POST', `/api/v1/commitments/${hidden.id}/progress`, { note: '越权' }), 404);
      expectStatus(await send(s, 'POST', `/api/v1/commitments/${hidden.id}/publish`, {}), 404);
    }
    expectStatus(await send(sessions.leader, 'POST', '/api/v1/commitments', { ...pledge, cadreId: cadres.dandong2.id, regionCode: DANDONG }), 400);
    expectStatus(await send(sessions.townAdmin, 'POST', '/api/v1/commitments', { ...pledge, cadreId: cadres.shipu.id, regionCode: SHIPU }), 400);
    expect(await events()).toBe(before);
    expectStatus(await get(sessions.leader, `/api/v1/commitments/${own.id}`), 200);
    expectStatus(await get(sessions.countyAdmin, `/api/v1/commitments/${shipu.id}`), 200);
  });
});

describe('双评 results stay in scope', () => {
  it('a township admin and a unit leader read only their own units’ ratings, cannot change the county’s round (403) and cannot see another township’s round (404)', async () => {
    const sys = systemActor('scope-test');
    const round = (title: string, regionCode: string) => ({ title, kind: 'public_unit' as const, regionCode, period: { kind: 'year' as const, year: 2026 }, questions: [{ dimension: '服务效能', text: '办事效率' }] });
    const county = await createSurvey(h.db, sys, round(uniq('县级双评'), XIANGSHAN));
    await updateSurvey(h.db, sys, county.id, { version: county.version, state: 'open' });
    const links = await createLinks(h.db, sys, county.id, { unitIds: [units.dandong.id, units.dandong2.id, units.shipu.id] });
    for (const [i, l] of links.entries()) {
      await submitResponse(h.db, testKey, testConfig().survey, l.token, { phone: `1370000000${i}`, answers: [{ questionId: county.questions[0]!.id, value: 'satisfied' }] });
    }
    const shipuRound = await createSurvey(h.db, sys, round(uniq('石浦双评'), SHIPU));
    const names = async (who: 'townAdmin' | 'leader' | 'countyAdmin') => (await get(sessions[who], `/api/v1/surveys/${county.id}/results`)).json().subjects.map((x: { name: string }) => x.name).sort();
    expect(await names('townAdmin')).toEqual(['丹东街道另一单位', '丹东街道测试办'].sort());
    expect(await names('leader')).toEqual(['丹东街道测试办']);
    expect(await names('countyAdmin')).toHaveLength(3);
    expect((await get(sessions.townAdmin, `/api/v1/surveys/${county.id}/links`)).json().map((l: { subjectName: string }) => l.subjectName)).not.toContain('石浦镇测试办');
    expectStatus(await send(sessions.townAdmin, 'PATCH', `/api/v1/surveys/${county.id}`, { version: 2, state: 'closed' }), 403);
    expectStatus(await send(sessions.townAdmin, 'POST', `/api/v1/surveys/${county.id}/links`, { unitIds: [units.dandong.id] }), 403);
    for (const url of [`/api/v1/surveys/${shipuRound.id}`, `/api/v1/surveys/${shipuRound.id}/results`, `/api/v1/surveys/${shipuRound.id}/links`, `/api/v1/surveys/${shipuRound.id}/flags`]) {
      expectStatus(await get(sessions.townAdmin, url), 404);
    }
    expectStatus(await send(sessions.townAdmin, 'PATCH', `/api/v1/surveys/${shipuRound.id}`, { version: 1, state: 'open' }), 404);
    expectStatus(await get(sessions.cadre, `/api/v1/surveys/${county.id}/results`), 403);
    expectStatus(await get(sessions.shipuAdmin, `/api/v1/surveys/${shipuRound.id}`), 200);
  });
});

describe('control: a county admin does see Shipu (the records the refusals hide exist)', () => {
  it('finds Shipu regions, units and cadres', async () => {
    const s = sessions.countyAdmin;
    expectStatus(await get(s, `/api/v1/regions/${SHIPU}`), 200);
    const q = await get(s, `/api/v1/regions?q=${encodeURIComponent('石浦')}`);
    expect(q.json().items.map((r: { code: string }) => r.code)).toContain(SHIPU);
    expectStatus(await get(s, `/api/v1/units/${units.shipu.id}`), 200);
    expectStatus(await get(s, `/api/v1/cadres/${cadres.shipu.id}`), 200);
    const search = await get(s, `/api/v1/cadres?q=${encodeURIComponent('石浦丙')}`);
    expect(search.json().items.map((c: { id: number }) => c.id)).toEqual([cadres.shipu.id]);
    const list = await get(s, '/api/v1/users?pageSize=200');
    expect(list.json().items.map((u: { id: number }) => u.id)).toContain(users.shipuAdmin.id);
  });
});

describe.each(viewers)(`writing and the due list on ${testDriver}: $label`, ({ key }) => {
  const s = () => sessions[key];

  it('cannot read, list, change or review a Shipu cadre’s writing, nor see the Shipu cadre’s due list: 404', async () => {
    const w = await createWriting(h.db, systemActor('test'), { kind: 'diary', title: '石浦蹲点手记', body: '渔港见闻', authorCadreId: cadres.shipu.id });
    expectStatus(await get(s(), `/api/v1/writings/${w.id}`), 404);
    expect((await get(s(), '/api/v1/writings?pageSize=200')).json().items.map((x: { id: number }) => x.id)).not.toContain(w.id);
    expectStatus(await get(s(), `/api/v1/writings?region=${SHIPU}`), 404);
    expectStatus(await send(s(), 'PATCH', `/api/v1/writings/${w.id}`, { title: '被改' }), 404);
    // A cadre-role account may not review at all (403); an admin finds nothing outside the scope (404).
    expectStatus(await send(s(), 'POST', `/api/v1/writings/${w.id}/review`, { grade: '优', comment: '越权评审' }), key === 'cadre' ? 403 : 404);
    expectStatus(await get(s(), `/api/v1/due?cadreId=${cadres.shipu.id}`), 404);
    expectStatus(await get(sessions.countyAdmin, `/api/v1/writings/${w.id}`), 200);
    expectStatus(await get(sessions.countyAdmin, `/api/v1/due?cadreId=${cadres.shipu.id}`), 200);
  });
});

describe.each(viewers)(`field records on ${testDriver}: $label`, ({ key }) => {
  const s = () => sessions[key];

  it('cannot list, open, change or record a Shipu activity: 404 / refused, nothing written', async () => {
    const shipuVillage = await h.db.selectFrom('regions').select(['code', 'path']).where('code', '=', '330225101001').executeTakeFirstOrThrow();
    const target = await h.db
      .insertInto('contact_targets')
      .values({ kind: 'household', name: uniq('石浦渔民'), name_initials: '', region_code: shipuVillage.code, region_path: shipuVillage.path, updated_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const when = new Date(Date.now() - 86_400_000).toISOString();
    const record = { kind: 'household_visit' as const, startsAt: when, endsAt: when, participantIds: [cadres.shipu.id], targetIds: [target.id] };
    const { activity } = await createActivity(h.db, systemActor('test'), { integrity: testConfig().integrity }, record);
    expectStatus(await get(s(), `/api/v1/activities/${activity.id}`), 404);
    expect((await get(s(), '/api/v1/activities?pageSize=200')).json().items.map((x: { id: number }) => x.id)).not.toContain(activity.id);
    expectStatus(await get(s(), `/api/v1/activities?region=${SHIPU}`), 404);
    expectStatus(await send(s(), 'PATCH', `/api/v1/activities/${activity.id}`, { version: 1, findings: '越权修改' }), 404);
    const before = (await sql<{ n: number }>`select count(*)::int as n from activities`.execute(h.db)).rows[0]!.n;
    const created = await send(s(), 'POST', '/api/v1/activities', record);
    expectStatus(created, 400);
    expect(created.body).not.toContain('石浦');
    const synced = await send(s(), 'POST', '/api/v1/sync/activities', { records: [{ ...record, clientId: randomUUID() }] });
    expect(synced.json().results[0].status).toBe('rejected');
    expect((await sql<{ n: number }>`select count(*)::int as n from activities`.execute(h.db)).rows[0]!.n).toBe(before);
    expectStatus(await get(sessions.countyAdmin, `/api/v1/activities/${activity.id}`), 200);
  });
});

describe.each(viewers)(`ticket measures and the ledger export on ${testDriver}: $label`, ({ key }) => {
  const s = () => sessions[key];

  it('counts and exports no Shipu ticket, and cannot name the Shipu region: 404', async () => {
    const t = await createTicket(h.db, systemActor('test'), testKey, {
      source: 'hotline', type: 'help', categoryCode: 'other', title: uniq('石浦求助'), content: '渔港求助', regionCode: SHIPU, requester: { name: '石浦丁', phone: SHIPU_PHONE },
    });
    const mine = (await get(s(), '/api/v1/tickets/measures')).json();
    const county = (await get(sessions.countyAdmin, '/api/v1/tickets/measures')).json();
    expect(county.overall.total - mine.overall.total).toBeGreaterThanOrEqual(1);
    expectStatus(await get(s(), `/api/v1/tickets/measures?region=${SHIPU}`), 404);
    expectStatus(await get(s(), `/api/v1/tickets/measures?region=${SHIPU}&groupBy=region`), 404);
    expectStatus(await get(s(), `/api/v1/tickets/export.xlsx?region=${SHIPU}`), 404);
    const res = await get(s(), '/api/v1/tickets/export.xlsx');
    expectStatus(res, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer);
    expect(wb.getWorksheet('问题台账')!.getColumn(1).values).not.toContain(t.trackingCode);
    expectStatus(await get(sessions.countyAdmin, `/api/v1/tickets/measures?region=${SHIPU}`), 200);
  });
});

describe.each(viewers)(`the ticket core on ${testDriver}: $label`, ({ key, revealRefused }) => {
  const s = () => sessions[key];
  const MISSING = 2_000_000_000;
  /** Two answers alike but for the id they name: out of scope cannot be told from missing. */
  const alike = (a: { statusCode: number; body: string }, b: { statusCode: number; body: string }, idA: number | string, idB: number | string) => {
    expect(a.statusCode, a.body).toBe(b.statusCode);
    expect(a.body.replaceAll(String(idA), '#')).toBe(b.body.replaceAll(String(idB), '#'));
  };
  /** Registered by the county office, which may dispatch anywhere in the county. */
  const register = async (payload: object) => {
    const res = await send(sessions.countyAdmin, 'POST', '/api/v1/tickets', { source: 'hotline', type: 'help', categoryCode: 'other', content: '诉求', ...payload });
    expectStatus(res, 201);
    return res.json() as { id: number; trackingCode: string };
  };
  const ticketEvents = async () => (await sql<{ n: number }>`select count(*)::int as n from ticket_events`.execute(h.db)).rows[0]!.n;

  it('cannot list, read, act on, reveal, find as similar, merge into or measure a Shipu ticket or unit: answered like a missing one, nothing written', async () => {
    const t = await register({ title: uniq('石浦求助'), regionCode: SHIPU, address: '渔港路1号', requester: { name: '石浦丁', phone: SHIPU_PHONE }, dispatch: { unitId: units.shipu.id } });
    const own = await register({ title: uniq('丹东求助'), regionCode: DANDONG, requester: { name: '丹东丁' } });
    const before = await ticketEvents();

    const ledger = await get(s(), '/api/v1/tickets?pageSize=200');
    expectStatus(ledger, 200);
    expect(ledger.body).toContain(own.trackingCode);
    expect(ledger.body).not.toContain(t.trackingCode);
    for (const url of [`/api/v1/tickets?q=${t.trackingCode}`, `/api/v1/tickets?unitId=${units.shipu.id}`, '/api/v1/tickets?source=hotline&state=dispatched&pageSize=200']) {
      const res = await get(s(), url);
      expectStatus(res, 200);
      expect(res.json().items.map((x: { id: number }) => x.id)).not.toContain(t.id);
    }
    expectStatus(await get(s(), `/api/v1/tickets?region=${SHIPU}`), 404);

    alike(await get(s(), `/api/v1/tickets/${t.id}`), await get(s(), `/api/v1/tickets/${MISSING}`), t.id, MISSING);
    for (const body of [{ action: 'supervise', level: 'yellow', note: '请加快' }, { action: 'sign' }, { action: 'close', reason: '撤回' }, { action: 'merge', intoTicketId: own.id }]) {
      alike(await send(s(), 'POST', `/api/v1/tickets/${t.id}/actions`, body), await send(s(), 'POST', `/api/v1/tickets/${MISSING}/actions`, body), t.id, MISSING);
    }
    const reveal = await send(s(), 'POST', `/api/v1/tickets/${t.id}/reveal-phone`, {});
    expectStatus(reveal, revealRefused);
    alike(reveal, await send(s(), 'POST', `/api/v1/tickets/${MISSING}/reveal-phone`, {}), t.id, MISSING);
    // Its own ticket cannot be merged into the Shipu one, nor dispatched to the Shipu unit, any more than to missing ones.
    alike(
      await send(s(), 'POST', `/api/v1/tickets/${own.id}/actions`, { action: 'merge', intoTicketId: t.id }),
      await send(s(), 'POST', `/api/v1/tickets/${own.id}/actions`, { action: 'merge', intoTicketId: MISSING }), t.id, MISSING,
    );
    alike(
      await send(s(), 'POST', `/api/v1/tickets/${own.id}/actions`, { action: 'dispatch', unitId: units.shipu.id }),
      await send(s(), 'POST', `/api/v1/tickets/${own.id}/actions`, { action: 'dispatch', unitId: MISSING }), units.shipu.id, MISSING,
    );

    for (const q of [`phone=${SHIPU_PHONE}`, `regionCode=${SHIPU}&categoryCode=other`, `regionCode=${SHIPU}&address=${encodeURIComponent('渔港路1号')}`]) {
      const res = await get(s(), `/api/v1/tickets/similar?${q}`);
      expectStatus(res, 200);
      expect(res.json()).toEqual([]);
    }
    alike(await get(s(), `/api/v1/tickets/measures?unitId=${units.shipu.id}`), await get(s(), `/api/v1/tickets/measures?unitId=${MISSING}`), units.shipu.id, MISSING);

    // The category tree is the deployment's, read by all; changing it or the deadline policy is not a township's.
    expectStatus(await get(s(), '/api/v1/ticket-categories'), 200);
    expectStatus(await send(s(), 'POST', '/api/v1/ticket-categories', { code: 'other.dandong', nameZh: '丹东自设' }), 403);
    expectStatus(await send(s(), 'PATCH', '/api/v1/ticket-categories/other', { nameZh: '改名' }), 403);

    expect(await ticketEvents()).toBe(before);
    expect((await get(sessions.countyAdmin, `/api/v1/tickets/${t.id}`)).statusCode).toBe(200);
    expectStatus(await get(sessions.countyAdmin, `/api/v1/tickets/measures?unitId=${units.shipu.id}`), 200);
  });

  it('may measure a unit outside its region that handles one of its tickets', async () => {
    const county = await makeUnit(h.db, XIANGSHAN, { name: uniq('县住建局'), level: 'county' });
    expectStatus(await get(s(), `/api/v1/tickets/measures?unitId=${county.id}`), 404);
    await register({ title: uniq('丹东求助'), regionCode: DANDONG, dispatch: { unitId: county.id } });
    const res = await get(s(), `/api/v1/tickets/measures?unitId=${county.id}`);
    expectStatus(res, 200);
    expect(res.json().overall.total).toBe(1);
  });
});

describe(`compliance (硬性要求) stays in scope on ${testDriver}`, () => {
  it('a township admin, a unit leader and a cadre see no Shipu compliance and cannot reach it by region, unit or campaign: 404, nothing written', async () => {
    const county = await h.db.selectFrom('regions').select('path').where('code', '=', XIANGSHAN).executeTakeFirstOrThrow();
    const campaign = (await h.db.insertInto('campaigns').values({ name: uniq('县级活动'), starts_on: '2026-01-01', ends_on: '2026-12-31', region_code: XIANGSHAN, region_path: county.path }).returning('id').executeTakeFirstOrThrow()).id;
    const shipuPath = (await h.db.selectFrom('regions').select('path').where('code', '=', SHIPU).executeTakeFirstOrThrow()).path;
    const shipuCampaign = (await h.db.insertInto('campaigns').values({ name: uniq('石浦活动'), starts_on: '2026-01-01', ends_on: '2026-12-31', region_code: SHIPU, region_path: shipuPath }).returning('id').executeTakeFirstOrThrow()).id;
    const household = async (village: string, name: string) => {
      const v = await h.db.selectFrom('regions').select(['code', 'path']).where('code', '=', village).executeTakeFirstOrThrow();
      return (await h.db.insertInto('contact_targets').values({ kind: 'household', name, name_initials: '', region_code: v.code, region_path: v.path, updated_at: new Date() }).returning('id').executeTakeFirstOrThrow()).id;
    };
    const dandongHome = await household('330225001003', uniq('丹东户'));
    const shipuHome = await household('330225101001', uniq('石浦户'));
    await h.db.insertInto('pairings').values([
      { campaign_id: campaign, cadre_id: cadres.dandong.id, target_id: dandongHome, starts_on: '2026-01-01' },
      { campaign_id: campaign, cadre_id: cadres.shipu.id, target_id: shipuHome, starts_on: '2026-01-01' },
    ]).execute();
    const rule = { name: uniq('每户每年走访'), subject: 'pairing', measure: { kind: 'activities', activityKinds: ['household_visit'] }, targets: { kinds: ['household'] }, period: 'year', threshold: { op: 'at_least', value: 4 } };
    const created = await send(sessions.countyAdmin, 'POST', `/api/v1/campaigns/${campaign}/requirement-rules`, { rule });
    expectStatus(created, 201);
    const shipuRule = await send(sessions.shipuAdmin, 'POST', `/api/v1/campaigns/${shipuCampaign}/requirement-rules`, { rule });
    expectStatus(shipuRule, 201);
    const all = await get(sessions.countyAdmin, `/api/v1/compliance/rows?campaignId=${campaign}`);
    expect(all.json().total).toBe(2);
    const before = (await sql<{ n: number }>`select count(*)::int as n from requirement_rules`.execute(h.db)).rows[0]!.n;

    for (const key of ['townAdmin', 'leader', 'cadre'] as const) {
      const s = sessions[key];
      const rows = await get(s, `/api/v1/compliance/rows?campaignId=${campaign}`);
      expectStatus(rows, 200);
      expect(rows.body).not.toContain('石浦');
      const summary = await get(s, `/api/v1/compliance/summary?campaignId=${campaign}`);
      expectStatus(summary, 200);
      expect(summary.json().total.total).toBeLessThanOrEqual(1);
      for (const url of [
        `/api/v1/compliance/rows?campaignId=${campaign}&regionCode=${SHIPU}`,
        `/api/v1/compliance/rows?campaignId=${campaign}&unitId=${units.shipu.id}`,
        `/api/v1/compliance/summary?campaignId=${campaign}&regionCode=${SHIPU}`,
        `/api/v1/compliance/summary?campaignId=${campaign}&by=unit&unitId=${units.shipu.id}`,
        `/api/v1/compliance/rows?campaignId=${shipuCampaign}`,
        `/api/v1/campaigns/${shipuCampaign}/requirement-rules`,
        `/api/v1/requirement-rules/${shipuRule.json().id}`,
        `/api/v1/requirement-rules/${shipuRule.json().id}/windows`,
      ]) expectStatus(await get(s, url), 404);
      const other = `/api/v1/requirement-rules/${shipuRule.json().id}`;
      expectStatus(await app.inject({ method: 'PUT', url: other, headers: as(s), payload: { rule, version: 1 } }), key === 'townAdmin' ? 404 : 403);
      expectStatus(await app.inject({ method: 'DELETE', url: other, headers: as(s) }), key === 'townAdmin' ? 404 : 403);
      expectStatus(await send(s, 'POST', `/api/v1/campaigns/${campaign}/requirement-rules`, { rule }), 403);
    }
    // The Dandong township admin sees the Dandong pairing only.
    expect((await get(sessions.townAdmin, `/api/v1/compliance/rows?campaignId=${campaign}`)).json().total).toBe(1);
    expect((await sql<{ n: number }>`select count(*)::int as n from requirement_rules`.execute(h.db)).rows[0]!.n).toBe(before);
  });
});

describe(`the campaign calendar stays in scope on ${testDriver}`, () => {
  it('a township admin, a unit leader and a cadre read the county calendar but change nothing (403), and reach no Shipu calendar or channel (404)', async () => {
    const countyPath = (await h.db.selectFrom('regions').select('path').where('code', '=', XIANGSHAN).executeTakeFirstOrThrow()).path;
    const shipuPath = (await h.db.selectFrom('regions').select('path').where('code', '=', SHIPU).executeTakeFirstOrThrow()).path;
    const campaign = (await h.db.insertInto('campaigns').values({ name: uniq('县级活动'), starts_on: '2026-01-01', ends_on: '2026-12-31', region_code: XIANGSHAN, region_path: countyPath }).returning('id').executeTakeFirstOrThrow()).id;
    const shipuCampaign = (await h.db.insertInto('campaigns').values({ name: uniq('石浦活动'), starts_on: '2026-01-01', ends_on: '2026-12-31', region_code: SHIPU, region_path: shipuPath }).returning('id').executeTakeFirstOrThrow()).id;
    const entry = { name: '接访日', schedule: { kind: 'month_day', monthDay: 20 } };
    expectStatus(await send(sessions.countyAdmin, 'POST', `/api/v1/campaigns/${campaign}/calendar`, entry), 201);
    const shipuEntry = await send(sessions.shipuAdmin, 'POST', `/api/v1/campaigns/${shipuCampaign}/calendar`, entry);
    expectStatus(shipuEntry, 201);
    const channel = await send(sessions.shipuAdmin, 'POST', '/api/v1/notification-channels', { name: uniq('石浦提醒'), url: 'https://example.org/hook', secret: 'x'.repeat(20) });
    expectStatus(channel, 201);
    const before = (await sql<{ n: number }>`select count(*)::int as n from calendar_entries`.execute(h.db)).rows[0]!.n;

    for (const key of ['townAdmin', 'leader', 'cadre'] as const) {
      const s = sessions[key];
      expectStatus(await get(s, `/api/v1/campaigns/${campaign}/calendar`), 200);
      for (const url of [
        `/api/v1/campaigns/${shipuCampaign}/calendar`,
        `/api/v1/campaigns/${shipuCampaign}/calendar/month?month=2026-10`,
        `/api/v1/calendar/upcoming?campaignId=${shipuCampaign}`,
      ]) expectStatus(await get(s, url), 404);
      expect((await get(s, '/api/v1/calendar/upcoming?days=60')).body).not.toContain('石浦活动');
      expectStatus(await send(s, 'POST', `/api/v1/campaigns/${campaign}/calendar`, entry), 403);
      const other = `/api/v1/campaigns/${shipuCampaign}/calendar/${shipuEntry.json().id}`;
      expectStatus(await app.inject({ method: 'PUT', url: other, headers: as(s), payload: { ...entry, version: 1 } }), key === 'townAdmin' ? 404 : 403);
      expectStatus(await app.inject({ method: 'DELETE', url: other, headers: as(s) }), key === 'townAdmin' ? 404 : 403);
      expectStatus(await get(s, `/api/v1/notification-channels/${channel.json().id}`), key === 'townAdmin' ? 404 : 403);
      expectStatus(await send(s, 'POST', `/api/v1/notification-channels/${channel.json().id}/test`), key === 'townAdmin' ? 404 : 403);
    }
    expect((await sql<{ n: number }>`select count(*)::int as n from calendar_entries`.execute(h.db)).rows[0]!.n).toBe(before);
  });
});

describe('the 1000-point assessment stays inside its region', () => {
  it('hides a Shipu scheme and Shipu decisions from Dandong accounts (404, unlisted), and lets nothing be written there', async () => {
    const scheme = await send(sessions.shipuAdmin, 'POST', '/api/v1/assessments', { year: 2026, name: uniq('石浦单位考核'), regionCode: SHIPU, subjectKind: 'unit', unitIds: [units.shipu.id] });
    expectStatus(scheme, 201);
    const { id, subjects } = scheme.json() as { id: number; subjects: { id: number }[] };
    const decision = await send(sessions.countyAdmin, 'POST', '/api/v1/assessment-decisions', { year: 2026, kind: 'criticize', cadreId: cadres.shipu.id, decision: '通报批评', decidedOn: '2026-11-01' });
    expectStatus(decision, 201);
    for (const key of ['townAdmin', 'leader', 'cadre'] as const) {
      const s = sessions[key];
      for (const url of [`/api/v1/assessments/${id}`, `/api/v1/assessments/${id}/ranking`, `/api/v1/assessments/${id}/subjects/${subjects[0]!.id}`, `/api/v1/assessment-decisions/${decision.json().id}`]) {
        expectStatus(await get(s, url), 404);
      }
      expect((await get(s, '/api/v1/assessments')).body).not.toContain('石浦单位考核');
      expect((await get(s, '/api/v1/assessment-decisions')).body).not.toContain('石浦丙');
    }
    expectStatus(await send(sessions.townAdmin, 'POST', `/api/v1/assessments/${id}/actions`, { action: 'start' }), 404);
    expectStatus(await app.inject({ method: 'PUT', url: `/api/v1/assessments/${id}/items`, headers: as(sessions.townAdmin), payload: { groups: [{ code: 'A', name: '综合', indicators: [{ code: 'A1', name: '实绩', weight: 1000, method: 'manual' }] }] } }), 404);
    expect((await sql<{ n: number }>`select count(*)::int as n from assessment_items where scheme_id = ${id}`.execute(h.db)).rows[0]!.n).toBe(0);
  });
});

describe(`statistics (统计) stay in scope on ${testDriver}`, () => {
  it('a township admin and a unit leader count no Shipu record and cannot reach Shipu by region, unit, records or comparison: 404; a cadre: 403', async () => {
    const shipuVillage = await h.db.selectFrom('regions').select(['code', 'path']).where('code', '=', '330225101001').executeTakeFirstOrThrow();
    const target = await h.db.insertInto('contact_targets')
      .values({ kind: 'household', name: uniq('石浦统计户'), name_initials: '', region_code: shipuVillage.code, region_path: shipuVillage.path, updated_at: new Date() })
      .returning('id').executeTakeFirstOrThrow();
    const when = new Date(Date.now() - 86_400_000).toISOString();
    await createActivity(h.db, systemActor('test'), { integrity: testConfig().integrity }, { kind: 'policy_talk', startsAt: when, endsAt: when, participantIds: [cadres.shipu.id], targetIds: [target.id], attendees: 40 });
    const q = 'from=2026-01-01&to=2026-12-31&figures=policyTalks';
    const county = (await get(sessions.countyAdmin, `/api/v1/statistics?${q}`)).json().figures[0].value as number;
    expect(county).toBeGreaterThanOrEqual(1);
    expectStatus(await get(sessions.countyAdmin, `/api/v1/statistics/records?${q}&figure=policyTalks&regionCode=${SHIPU}`), 200);
    for (const key of ['townAdmin', 'leader'] as const) {
      const s = sessions[key];
      expect((await get(s, `/api/v1/statistics?${q}`)).json().figures[0].value).toBe(0);
      expect((await get(s, `/api/v1/statistics/records?${q}&figure=policyTalks`)).json().total).toBe(0);
      expectStatus(await get(s, `/api/v1/statistics?${q}&regionCode=${SHIPU}`), 404);
      expectStatus(await get(s, `/api/v1/statistics?${q}&unitId=${units.shipu.id}`), 404);
      expectStatus(await get(s, `/api/v1/statistics/records?${q}&figure=policyTalks&regionCode=${SHIPU}`), 404);
      expectStatus(await get(s, `/api/v1/statistics/compare?${q}&against=regions&regionCodes=${DANDONG},${SHIPU}`), 404);
    }
    expectStatus(await get(sessions.cadre, `/api/v1/statistics?${q}`), 403);
  });
});

describe(`the dashboard (驾驶舱) stays in scope on ${testDriver}`, () => {
  it('a township admin and a unit leader see no Shipu region, unit or cadre and cannot ask for Shipu: 404; a cadre: 403', async () => {
    const q = 'from=2026-01-01&to=2026-12-31';
    for (const key of ['townAdmin', 'leader'] as const) {
      const s = sessions[key];
      const res = await get(s, `/api/v1/statistics/dashboard?${q}`);
      expectStatus(res, 200);
      const d = res.json() as { children: { code: string }[]; rankings: { units: { id: number }[]; cadres: { id: number }[] } };
      expect(d.children.some((c) => c.code === SHIPU)).toBe(false);
      expect(d.rankings.units.some((u) => u.id === units.shipu.id)).toBe(false);
      expect(d.rankings.cadres.some((c) => c.id === cadres.shipu.id)).toBe(false);
      expectStatus(await get(s, `/api/v1/statistics/dashboard?${q}&regionCode=${SHIPU}`), 404);
      expectStatus(await get(s, `/api/v1/statistics/dashboard?${q}&unitId=${units.shipu.id}`), 404);
    }
    expectStatus(await get(sessions.cadre, `/api/v1/statistics/dashboard?${q}`), 403);
  });
});

describe(`Excel exports (导出) stay in scope on ${testDriver}`, () => {
  it('a township admin cannot export Shipu from any ledger or statistics table: 404; a cadre is refused the statistics and the audit log: 403', async () => {
    const s = sessions.townAdmin;
    const period = 'from=2026-01-01&to=2026-12-31';
    for (const url of [
      `/api/v1/matters/export.xlsx?region=${SHIPU}`,
      `/api/v1/writings/export.xlsx?region=${SHIPU}`,
      `/api/v1/integrity/flags/export.xlsx?region=${SHIPU}`,
      `/api/v1/commitments/export.xlsx?region=${SHIPU}`,
      `/api/v1/commitments/export.xlsx?unitId=${units.shipu.id}`,
      `/api/v1/statistics/export?${period}&regionCode=${SHIPU}`,
      `/api/v1/statistics/export?${period}&unitId=${units.shipu.id}&table=months`,
      `/api/v1/statistics/export?${period}&regionCode=${SHIPU}&table=records&figure=policyTalks`,
    ]) expectStatus(await get(s, url), 404);
    expectStatus(await get(s, `/api/v1/statistics/export?${period}`), 200);
    expectStatus(await get(sessions.cadre, `/api/v1/statistics/export?${period}`), 403);
    expectStatus(await get(sessions.cadre, '/api/v1/audit/export.xlsx'), 403);
  });
});

describe(`bulletins (简报) stay in scope on ${testDriver}`, () => {
  it('a township admin cannot create, read, edit, publish, drill into or download a Shipu bulletin: 404; a cadre cannot write one: 403', async () => {
    const sys = systemActor('scope-test');
    const campaignId = (await createCampaign(h.db, sys, { name: uniq('简报活动'), startsOn: '2026-01-01', endsOn: '2027-12-31', regionCode: XIANGSHAN })).id;
    const draft = await createBulletin(h.db, sys, { campaignId, regionCode: SHIPU, from: '2026-01-01', to: '2026-06-30' });
    const published = await createBulletin(h.db, sys, { campaignId, regionCode: SHIPU, from: '2026-01-01', to: '2026-06-30' });
    await publishBulletin(h.db, sys, published.id);
    const s = sessions.townAdmin;
    expectStatus(await send(s, 'POST', '/api/v1/bulletins', { campaignId, regionCode: SHIPU, from: '2026-01-01', to: '2026-06-30' }), 404);
    for (const b of [draft, published]) {
      expectStatus(await get(s, `/api/v1/bulletins/${b.id}`), 404);
      expectStatus(await get(s, `/api/v1/bulletins/${b.id}/records?figure=stayDays`), 404);
      expectStatus(await get(s, `/api/v1/bulletins/${b.id}/docx`), 404);
      expectStatus(await send(s, 'PATCH', `/api/v1/bulletins/${b.id}`, { version: 1, title: '改' }), 404);
      expectStatus(await send(s, 'POST', `/api/v1/bulletins/${b.id}/publish`), 404);
    }
    const list = (await get(s, '/api/v1/bulletins?pageSize=200')).json() as { items: { regionCode: string }[] };
    expect(list.items.some((b) => b.regionCode === SHIPU)).toBe(false);
    expectStatus(await get(s, `/api/v1/bulletins?region=${SHIPU}`), 404);
    expectStatus(await get(sessions.shipuAdmin, `/api/v1/bulletins/${published.id}`), 200);
    expectStatus(await send(sessions.cadre, 'POST', '/api/v1/bulletins', { campaignId, regionCode: DANDONG, from: '2026-01-01', to: '2026-06-30' }), 403);
  });
});
