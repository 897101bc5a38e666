import { sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FundsResult, MatterDto } from '../../../contracts/matters.ts';
import {
  actorFor, admin, as, createTestApp, createTestDatabase, DANDONG, login, makeCadre, makeUnit, makeUser, seedXiangshan, SHIPU, testDriver, XIANGSHAN, type Session,
} from '../../../test/helpers.ts';
import type { Database, DatabaseHandle } from '../../db/database.ts';
import type { TargetKind } from '../../db/schema.ts';
import type { App } from '../../http/types.ts';
import { chinaToday, createCampaign } from '../campaigns/campaigns.ts';
import { createMatter } from './matters.ts';

const DANDONG_VILLAGE = '330225001003'; // 金秋社区
const DANDONG_VILLAGE2 = '330225001004'; // 丹峰社区
const SHIPU_VILLAGE = '330225101001'; // 海宁社区

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const today = chinaToday();

async function makeTarget(db: Database, kind: TargetKind, regionCode: string, name: string) {
  const region = await db.selectFrom('regions').select('path').where('code', '=', regionCode).executeTakeFirstOrThrow();
  return db.insertInto('contact_targets').values({ kind, name, name_initials: '', region_code: regionCode, region_path: region.path, updated_at: new Date() })
    .returning(['id', 'name']).executeTakeFirstOrThrow();
}

let h: DatabaseHandle;
let app: App;
const s = {} as Record<'cadre' | 'townAdmin' | 'countyAdmin' | 'leader' | 'supervisor' | 'shipuAdmin' | 'shipuCadre', Session>;
let cadres: Record<'zhang' | 'li' | 'county' | 'zhou', { id: number }>;
let units: Record<'dandong' | 'county' | 'shipu', { id: number }>;
let targets: Record<'household' | 'household2' | 'enterprise' | 'countyProject' | 'shipuHousehold', { id: number; name: string }>;
let campaignId: number;
let shipuCampaignId: number;

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
  units = {
    dandong: await makeUnit(h.db, DANDONG, { name: '丹东街道党工委' }),
    county: await makeUnit(h.db, XIANGSHAN, { name: '县农业农村局', level: 'county' }),
    shipu: await makeUnit(h.db, SHIPU, { name: '石浦镇党委' }),
  };
  cadres = {
    zhang: await makeCadre(h.db, units.dandong.id, { name: '张明' }),
    li: await makeCadre(h.db, units.dandong.id, { name: '李华' }),
    county: await makeCadre(h.db, units.county.id, { name: '陈局长', rank: 'county' }),
    zhou: await makeCadre(h.db, units.shipu.id, { name: '周海' }),
  };
  targets = {
    household: await makeTarget(h.db, 'household', DANDONG_VILLAGE, '林阿婆家'),
    household2: await makeTarget(h.db, 'household', DANDONG_VILLAGE2, '吴家'),
    enterprise: await makeTarget(h.db, 'enterprise', DANDONG, '象山针织有限公司'), // at the township itself
    countyProject: await makeTarget(h.db, 'project', XIANGSHAN, '县城污水管网'), // at the county itself
    shipuHousehold: await makeTarget(h.db, 'household', SHIPU_VILLAGE, '石浦渔民家'),
  };
  const period = { startsOn: addDays(today, -300), endsOn: addDays(today, 60) };
  campaignId = (await createCampaign(h.db, admin, { name: '干部下基层', ...period, regionCode: XIANGSHAN })).id;
  shipuCampaignId = (await createCampaign(h.db, admin, { name: '石浦渔港专项', ...period, regionCode: SHIPU })).id;
  const users = {
    cadre: await makeUser(h.db, 'cadre', { regionCode: DANDONG, cadreId: cadres.zhang.id }),
    townAdmin: await makeUser(h.db, 'admin', { regionCode: DANDONG }),
    countyAdmin: await makeUser(h.db, 'admin', { regionCode: XIANGSHAN }),
    leader: await makeUser(h.db, 'unit_leader', { unitId: units.county.id }),
    supervisor: await makeUser(h.db, 'supervisor', { regionCode: DANDONG }),
    shipuAdmin: await makeUser(h.db, 'admin', { regionCode: SHIPU }),
    shipuCadre: await makeUser(h.db, 'cadre', { regionCode: SHIPU, cadreId: cadres.zhou.id }),
  };
  for (const k of Object.keys(users) as (keyof typeof users)[]) s[k] = await login(app, users[k].username);
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const post = (who: Session, url: string, payload: object) => app.inject({ method: 'POST', url, headers: as(who), payload });
const patch = (who: Session, url: string, payload: object) => app.inject({ method: 'PATCH', url, headers: as(who), payload });
const get = (who: Session, url: string) => app.inject({ url, headers: { cookie: who.cookie } });
const expectStatus = (res: { statusCode: number; body: string }, status: number) => expect(res.statusCode, res.body).toBe(status);
const matterCount = async () => (await h.db.selectFrom('practical_matters').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
const auditActions = async (id: number) =>
  (await h.db.selectFrom('audit_log').select('action').where('entity', '=', 'practical_matter').where('entity_id', '=', String(id)).orderBy('id').execute()).map((a) => a.action);

async function uploadPng(who: Session, seed: number) {
  const bytes = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: seed, g: 100, b: 50 } } }).png().toBuffer();
  const boundary = '----lianxinMatterBoundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.png"\r\nContent-Type: image/png\r\n\r\n`), bytes, Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const res = await app.inject({ method: 'POST', url: '/api/v1/photos', headers: { ...as(who), 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
  expectStatus(res, 201);
  return res.json().id as number;
}

describe(`practical matters (${testDriver})`, () => {
  let matter: MatterDto;

  it('records a matter for a target in scope, defaulting the cadre to the caller’s own, audited', async () => {
    const res = await post(s.cadre, '/api/v1/matters', {
      campaignId, targetId: targets.household.id, title: '修缮危旧房屋', description: '屋顶漏雨，联系施工队', amountFen: 1_250_000, fundSource: '财政资金', promisedOn: addDays(today, -30),
    });
    expectStatus(res, 201);
    matter = res.json();
    expect(matter).toMatchObject({
      campaignId, campaignName: '干部下基层', targetId: targets.household.id, targetName: '林阿婆家', targetKind: 'household', regionCode: DANDONG_VILLAGE,
      cadreId: cadres.zhang.id, cadreName: '张明', unitName: '丹东街道党工委', title: '修缮危旧房屋', amountFen: 1_250_000, fundSource: '财政资金',
      status: 'promised', doneOn: null, nextStatuses: ['in_progress'], photos: [], photoCount: 0,
    });
    expect(await auditActions(matter.id)).toEqual(['matter.create']);
    expect((await get(s.townAdmin, `/api/v1/matters/${matter.id}`)).json()).toEqual(matter);
  });

  it('refuses every bad input with 400 naming the field, and stores nothing', async () => {
    const good = { targetId: targets.household.id, title: '安装路灯', amountFen: 100, promisedOn: today };
    const cases: [object, string][] = [
      [{ ...good, amountFen: -1 }, 'amountFen'],
      [{ ...good, amountFen: 12.5 }, 'amountFen'],
      [{ ...good, title: '  ' }, 'title'],
      [{ ...good, promisedOn: '2026-13-01' }, 'promisedOn'],
      [{ ...good, promisedOn: addDays(today, 1) }, 'promisedOn'],
      [{ ...good, status: 'finished' }, 'status'],
      [{ ...good, status: 'done' }, 'doneOn'],
      [{ ...good, status: 'done', promisedOn: addDays(today, -5), doneOn: addDays(today, -6) }, 'doneOn'],
      [{ ...good, status: 'done', doneOn: addDays(today, 1) }, 'doneOn'],
      [{ ...good, doneOn: today }, 'doneOn'],
      [{ ...good, targetId: targets.shipuHousehold.id }, 'targetId'],
      [{ ...good, targetId: 99_999_999 }, 'targetId'],
      [{ ...good, cadreId: cadres.zhou.id }, 'cadreId'],
      [{ ...good, campaignId: shipuCampaignId }, 'campaignId'],
      [{ ...good, activityId: 99_999_999 }, 'activityId'],
      [{ ...good, photos: [{ photoId: 99_999_999, stage: 'before' }] }, 'photos'],
      [{ ...good, photos: [{ photoId: 1, stage: 'during' }] }, 'photos'],
      [{ ...good, region: DANDONG }, 'region'],
    ];
    const before = await matterCount();
    for (const [body, field] of cases) {
      const res = await post(s.cadre, '/api/v1/matters', body);
      expectStatus(res, 400);
      const err = res.json().error;
      expect(JSON.stringify(err.details), JSON.stringify(body)).toContain(field);
      expect(err.message).toMatch(/[\u4e00-\u9fa5]/);
    }
    expect(await matterCount()).toBe(before);
  });

  it('refuses writing to a role without matter.write', async () => {
    expectStatus(await post(s.supervisor, '/api/v1/matters', { targetId: targets.household.id, title: '安装路灯', amountFen: 0, promisedOn: today }), 403);
  });

  it('moves promised → in_progress → done and refuses any other change with 409 naming the allowed next state', async () => {
    const url = `/api/v1/matters/${matter.id}`;
    const skip = await patch(s.cadre, url, { status: 'done', doneOn: today });
    expectStatus(skip, 409);
    expect(skip.json().error.message).toContain('推进中');
    expect(skip.json().error.details).toMatchObject({ from: 'promised', to: 'done', allowed: ['in_progress'] });

    const started = await patch(s.cadre, url, { status: 'in_progress' });
    expectStatus(started, 200);
    expect(started.json()).toMatchObject({ status: 'in_progress', nextStatuses: ['done'] });

    const back = await patch(s.cadre, url, { status: 'promised' });
    expectStatus(back, 409);
    expect(back.json().error.message).toContain('已办结');

    expectStatus(await patch(s.cadre, url, { status: 'done' }), 400); // doneOn missing
    expectStatus(await patch(s.cadre, url, { status: 'done', doneOn: addDays(today, -31) }), 400); // before promisedOn
    const done = await patch(s.cadre, url, { status: 'done', doneOn: today, amountFen: 1_300_000 });
    expectStatus(done, 200);
    expect(done.json()).toMatchObject({ status: 'done', doneOn: today, amountFen: 1_300_000, nextStatuses: [] });

    const reopen = await patch(s.cadre, url, { status: 'in_progress' });
    expectStatus(reopen, 409);
    expect(reopen.json().error.details.allowed).toEqual([]);
    expectStatus(await patch(s.cadre, url, { doneOn: null }), 400);
    expectStatus(await patch(s.cadre, url, { targetId: targets.household2.id }), 400);
    expect(await auditActions(matter.id)).toEqual(['matter.create', 'matter.in_progress', 'matter.done']);
    // A change that changes nothing writes nothing.
    expectStatus(await patch(s.cadre, url, { title: '修缮危旧房屋' }), 200);
    expect(await auditActions(matter.id)).toHaveLength(3);
  });

  it('attaches evidence photos before and after, once each; refuses photos the caller may not use', async () => {
    const before = await uploadPng(s.cadre, 1);
    const after = await uploadPng(s.cadre, 2);
    const url = `/api/v1/matters/${matter.id}/photos`;
    expectStatus(await post(s.cadre, url, { photoIds: [before], stage: 'before' }), 200);
    const res = await post(s.cadre, url, { photoIds: [after, after], stage: 'after' });
    expectStatus(res, 200);
    expectStatus(await post(s.cadre, url, { photoIds: [after], stage: 'after' }), 200);
    const m: MatterDto = (await get(s.cadre, `/api/v1/matters/${matter.id}`)).json();
    expect(m.photos.map((p) => [p.id, p.stage])).toEqual([[before, 'before'], [after, 'after']]);
    expect(m.photoCount).toBe(2);
    // The town admin did not upload them, but sees them through the matter.
    expectStatus(await get(s.townAdmin, `/api/v1/photos/${before}`), 200);

    const theirs = await uploadPng(s.shipuCadre, 3);
    const refused = await post(s.cadre, url, { photoIds: [theirs], stage: 'before' });
    expectStatus(refused, 400);
    expect(refused.json().error.message).toContain(String(theirs));
    expectStatus(await post(s.cadre, url, { photoIds: [], stage: 'before' }), 400);
    expectStatus(await post(s.cadre, url, { photoIds: [before], stage: 'during' }), 400);

    const removed = await app.inject({ method: 'DELETE', url: `${url}/${after}`, headers: as(s.cadre) });
    expectStatus(removed, 200);
    expect(removed.json().photos.map((p: { id: number }) => p.id)).toEqual([before]);
    expectStatus(await app.inject({ method: 'DELETE', url: `${url}/${after}`, headers: as(s.cadre) }), 404);
    expect(await auditActions(matter.id)).toEqual(['matter.create', 'matter.in_progress', 'matter.done', 'matter.attach_photos', 'matter.attach_photos', 'matter.detach_photo']);
  });

  it('hides a matter from another township: 404 on read and write, absent from lists and sums', async () => {
    for (const who of [s.shipuAdmin, s.shipuCadre]) {
      expectStatus(await get(who, `/api/v1/matters/${matter.id}`), 404);
      expectStatus(await patch(who, `/api/v1/matters/${matter.id}`, { title: '改' }), 404);
      expectStatus(await post(who, `/api/v1/matters/${matter.id}/photos`, { photoIds: [1], stage: 'before' }), 404);
      expect((await get(who, '/api/v1/matters')).json().items.map((m: MatterDto) => m.id)).not.toContain(matter.id);
      expect((await get(who, '/api/v1/matters/funds?groupBy=target')).json().rows.map((r: { key: string }) => r.key)).not.toContain(String(targets.household.id));
    }
    expectStatus(await get(s.shipuAdmin, `/api/v1/matters?region=${DANDONG}`), 404);
    expectStatus(await get(s.townAdmin, '/api/v1/matters/99999999'), 404);
  });
});

describe(`practical matter lists and funds (${testDriver})`, () => {
  // Hand-made figures: [target, cadre, campaign, amount, status, promised days ago]
  let ids: Record<string, number>;

  beforeAll(async () => {
    await h.db.deleteFrom('practical_matter_photos').execute();
    await h.db.deleteFrom('practical_matters').execute();
    const sys = admin;
    const make = async (targetId: number, cadreId: number | null, campaign: number | null, amountFen: number, status: 'promised' | 'in_progress' | 'done', daysAgo: number) =>
      (await createMatter(h.db, sys, {
        targetId, cadreId, campaignId: campaign, title: `实事${amountFen}`, amountFen, fundSource: '财政资金', status, promisedOn: addDays(today, -daysAgo),
        doneOn: status === 'done' ? addDays(today, -daysAgo + 1) : null,
      })).id;
    ids = {
      a: await make(targets.household.id, cadres.zhang.id, campaignId, 100_000, 'done', 40), // 金秋社区, 丹东
      b: await make(targets.household.id, cadres.li.id, campaignId, 50_000, 'promised', 10), // 金秋社区, 丹东
      c: await make(targets.household2.id, cadres.county.id, campaignId, 30_000, 'in_progress', 20), // 丹峰社区, county unit
      d: await make(targets.enterprise.id, cadres.zhang.id, null, 20_000, 'done', 5), // 丹东街道 itself
      e: await make(targets.countyProject.id, cadres.county.id, campaignId, 1_000_000, 'promised', 3), // 象山县 itself
      f: await make(targets.shipuHousehold.id, cadres.zhou.id, shipuCampaignId, 7_000, 'done', 15), // 石浦
      g: await make(targets.shipuHousehold.id, null, null, 3_000, 'promised', 100), // 石浦, no cadre
    };
  });

  const listIds = async (who: Session, query: string) => {
    const res = await get(who, `/api/v1/matters?${query}`);
    expectStatus(res, 200);
    return (res.json().items as MatterDto[]).map((m) => m.id).sort((x, y) => x - y);
  };
  const sorted = (...xs: number[]) => xs.sort((x, y) => x - y);

  it('filters by status, target, region subtree, campaign, cadre and period, within scope', async () => {
    expect(await listIds(s.countyAdmin, '')).toEqual(sorted(ids.a!, ids.b!, ids.c!, ids.d!, ids.e!, ids.f!, ids.g!));
    expect(await listIds(s.townAdmin, '')).toEqual(sorted(ids.a!, ids.b!, ids.c!, ids.d!));
    expect(await listIds(s.shipuAdmin, '')).toEqual(sorted(ids.f!, ids.g!));
    // A county unit's leader sees its own cadre's matters, wherever they are; not a matter with no cadre.
    expect(await listIds(s.leader, '')).toEqual(sorted(ids.c!, ids.e!));
    expect(await listIds(s.countyAdmin, 'status=done')).toEqual(sorted(ids.a!, ids.d!, ids.f!));
    expect(await listIds(s.countyAdmin, `targetId=${targets.household.id}`)).toEqual(sorted(ids.a!, ids.b!));
    expect(await listIds(s.countyAdmin, `region=${DANDONG_VILLAGE2}`)).toEqual([ids.c!]);
    expect(await listIds(s.countyAdmin, `region=${SHIPU}`)).toEqual(sorted(ids.f!, ids.g!));
    expect(await listIds(s.countyAdmin, `campaignId=${campaignId}`)).toEqual(sorted(ids.a!, ids.b!, ids.c!, ids.e!));
    expect(await listIds(s.countyAdmin, `cadreId=${cadres.zhang.id}`)).toEqual(sorted(ids.a!, ids.d!));
    expect(await listIds(s.countyAdmin, `from=${addDays(today, -20)}&to=${addDays(today, -5)}`)).toEqual(sorted(ids.b!, ids.c!, ids.d!, ids.f!));
    expect(await listIds(s.townAdmin, `status=done&cadreId=${cadres.zhang.id}&from=${addDays(today, -40)}`)).toEqual(sorted(ids.a!, ids.d!));
    const page = (await get(s.countyAdmin, '/api/v1/matters?pageSize=2&page=2')).json();
    expect([page.total, page.items.length]).toEqual([7, 2]);
    expectStatus(await get(s.countyAdmin, '/api/v1/matters?status=bad'), 400);
    expectStatus(await get(s.countyAdmin, '/api/v1/matters?from=yesterday'), 400);
  });

  const funds = async (who: Session, query: string): Promise<FundsResult> => {
    const res = await get(who, `/api/v1/matters/funds?${query}`);
    expectStatus(res, 200);
    return res.json();
  };
  const row = (r: FundsResult, key: string | null) => r.rows.find((x) => x.key === key);

  it('sums per region as a drill-down: each child with everything below it, plus 本级', async () => {
    const county = await funds(s.countyAdmin, 'groupBy=region');
    expect(county.region).toEqual({ code: XIANGSHAN, name: '象山县' });
    expect(row(county, DANDONG)).toMatchObject({ count: 4, doneCount: 2, amountFen: 200_000, doneAmountFen: 120_000, self: false }); // a b c d
    expect(row(county, SHIPU)).toMatchObject({ count: 2, doneCount: 1, amountFen: 10_000, doneAmountFen: 7_000 }); // f g
    expect(row(county, XIANGSHAN)).toMatchObject({ name: '象山县（本级）', self: true, count: 1, amountFen: 1_000_000 }); // e
    expect(county.rows.filter((r) => !r.self).length).toBeGreaterThan(10); // every township listed, most with 0
    expect([county.totalCount, county.doneCount, county.totalFen, county.doneTotalFen]).toEqual([7, 3, 1_210_000, 127_000]);
    expect(county.rows.reduce((n, r) => n + r.amountFen, 0)).toBe(county.totalFen);

    const town = await funds(s.townAdmin, 'groupBy=region'); // default: the caller's own region
    expect(town.region?.code).toBe(DANDONG);
    expect(row(town, DANDONG_VILLAGE)).toMatchObject({ count: 2, amountFen: 150_000, doneAmountFen: 100_000 });
    expect(row(town, DANDONG_VILLAGE2)).toMatchObject({ count: 1, amountFen: 30_000, doneAmountFen: 0 });
    expect(row(town, DANDONG)).toMatchObject({ self: true, count: 1, amountFen: 20_000 });
    expect(town.totalFen).toBe(200_000);
    const doneOnly = await funds(s.countyAdmin, `groupBy=region&region=${DANDONG}&status=done`);
    expect(doneOnly.totalFen).toBe(120_000);
    expectStatus(await get(s.townAdmin, `/api/v1/matters/funds?groupBy=region&region=${SHIPU}`), 404);
  });

  it('sums per target, unit and campaign', async () => {
    const byTarget = await funds(s.countyAdmin, 'groupBy=target');
    expect(byTarget.rows.map((r) => [r.name, r.count, r.amountFen])).toEqual([
      ['县城污水管网', 1, 1_000_000], ['林阿婆家', 2, 150_000], ['吴家', 1, 30_000], ['象山针织有限公司', 1, 20_000], ['石浦渔民家', 2, 10_000],
    ]);
    expect(byTarget.truncated).toBe(false);

    const byUnit = await funds(s.countyAdmin, 'groupBy=unit');
    expect(row(byUnit, String(units.county.id))).toMatchObject({ name: '县农业农村局', count: 2, amountFen: 1_030_000 }); // c e
    expect(row(byUnit, String(units.dandong.id))).toMatchObject({ name: '丹东街道党工委', count: 3, amountFen: 170_000, doneAmountFen: 120_000 }); // a b d
    expect(row(byUnit, String(units.shipu.id))).toMatchObject({ count: 1, amountFen: 7_000 }); // f
    expect(row(byUnit, null)).toMatchObject({ name: '未指定干部', count: 1, amountFen: 3_000 }); // g

    const byCampaign = await funds(s.countyAdmin, 'groupBy=campaign');
    expect(row(byCampaign, String(campaignId))).toMatchObject({ name: '干部下基层', count: 4, amountFen: 1_180_000, doneAmountFen: 100_000 }); // a b c e
    expect(row(byCampaign, String(shipuCampaignId))).toMatchObject({ count: 1, amountFen: 7_000 }); // f
    expect(row(byCampaign, null)).toMatchObject({ name: '未关联活动', count: 2, amountFen: 23_000 }); // d g

    const period = await funds(s.townAdmin, `groupBy=campaign&from=${addDays(today, -20)}&to=${addDays(today, -5)}`);
    expect(period.totalFen).toBe(100_000); // b c d
    const leader = await funds(s.leader, 'groupBy=unit');
    expect(leader.rows.map((r) => [r.key, r.amountFen])).toEqual([[String(units.county.id), 1_030_000]]);
    expectStatus(await get(s.countyAdmin, '/api/v1/matters/funds?groupBy=village'), 400);
  });

  it('answers each list filter from an index', async () => {
    // Planner choices on a tiny table say nothing, so sequential scans are switched off: a filter
    // with no usable index would still show a Seq Scan on practical_matters.
    const filters: Record<string, string> = {
      status: "m.status = 'done'", target: `m.target_id = ${targets.household.id}`, region: "(m.region_path = '330000000000/330200000000/330225000000' or m.region_path like '330000000000/330200000000/330225000000/%')",
      campaign: `m.campaign_id = ${campaignId}`, cadre: `m.cadre_id = ${cadres.zhang.id}`, period: `m.promised_on between '${addDays(today, -20)}' and '${today}'`,
      unit: "(m.unit_path = '1' or m.unit_path like '1/%')",
    };
    await h.db.transaction().execute(async (tx) => {
      await sql`set local enable_seqscan = off`.execute(tx);
      for (const [name, where] of Object.entries(filters)) {
        const plan = (await sql<{ 'QUERY PLAN': string }>`explain select m.id from practical_matters m where ${sql.raw(where)}`.execute(tx)).rows.map((r) => r['QUERY PLAN']).join('\n');
        expect(plan, name).not.toContain('Seq Scan');
        expect(plan, name).toMatch(/Index|Bitmap/);
      }
    });
  });
});

describe(`matters created through the domain (${testDriver})`, () => {
  it('requires a cadre when a unit account records a matter, so it does not vanish from its own view', async () => {
    const leader = await actorFor(h.db, { ...(await makeUser(h.db, 'unit_leader', { unitId: units.county.id })), cadreId: null });
    await expect(createMatter(h.db, leader, { targetId: targets.household.id, title: '送医上门', promisedOn: today })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const m = await createMatter(h.db, leader, { targetId: targets.household.id, cadreId: cadres.county.id, title: '送医上门', promisedOn: today });
    expect(m.unitName).toBe('县农业农村局');
  });
});
