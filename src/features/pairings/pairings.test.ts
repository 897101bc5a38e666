import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignPresets } from '../../../contracts/campaigns.ts';
import { admin, as, createTestApp, createTestDatabase, DANDONG, login, makeCadre, makeUnit, makeUser, seedXiangshan, SHIPU, XIANGSHAN, type Session } from '../../../test/helpers.ts';
import type { Database, DatabaseHandle } from '../../db/database.ts';
import type { TargetKind } from '../../db/schema.ts';
import type { App } from '../../http/types.ts';
import { chinaToday, createCampaign } from '../campaigns/campaigns.ts';
import { createTeam } from '../campaigns/teams.ts';
import { applyPairingChanges, createPairing } from './pairings.ts';

const DANDONG_VILLAGE = '330225001003'; // 金秋社区
const DANDONG_VILLAGE2 = '330225001004'; // 丹峰社区
const SHIPU_VILLAGE = '330225101001'; // 海宁社区

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const today = chinaToday();
const period = { startsOn: addDays(today, -200), endsOn: addDays(today, 165) };

/** Contact targets are another feature's; the tests insert the rows they need directly. */
async function makeTarget(db: Database, kind: TargetKind, regionCode: string, name: string) {
  const region = await db.selectFrom('regions').select('path').where('code', '=', regionCode).executeTakeFirstOrThrow();
  return db
    .insertInto('contact_targets')
    .values({ kind, name, name_initials: '', region_code: regionCode, region_path: region.path, updated_at: new Date() })
    .returning(['id', 'name'])
    .executeTakeFirstOrThrow();
}

let h: DatabaseHandle;
let app: App;
let county: Session;
let town: Session; // admin of 丹东街道
let campaignId: number;
let units: { countyDept: { id: number }; dandong: { id: number }; shipu: { id: number } };
let cadres: Record<'zhang' | 'li' | 'wang' | 'zhao' | 'countyLead' | 'shipu', { id: number }>;
let targets: Record<'village' | 'enterprise' | 'household' | 'household2' | 'household3' | 'shipuHousehold' | 'village2', { id: number; name: string }>;

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
  units = {
    countyDept: await makeUnit(h.db, XIANGSHAN, { name: '县发改局', level: 'county' }),
    dandong: await makeUnit(h.db, DANDONG, { name: '丹东街道党工委' }),
    shipu: await makeUnit(h.db, SHIPU, { name: '石浦镇党委' }),
  };
  cadres = {
    zhang: await makeCadre(h.db, units.dandong.id, { name: '张明', rank: 'section' }),
    li: await makeCadre(h.db, units.dandong.id, { name: '李华', rank: 'general' }),
    wang: await makeCadre(h.db, units.dandong.id, { name: '王强', rank: 'general' }),
    zhao: await makeCadre(h.db, units.dandong.id, { name: '赵敏', rank: 'general' }),
    countyLead: await makeCadre(h.db, units.countyDept.id, { name: '陈局长', rank: 'county' }),
    shipu: await makeCadre(h.db, units.shipu.id, { name: '石浦周', rank: 'section' }),
  };
  targets = {
    village: await makeTarget(h.db, 'community', DANDONG_VILLAGE, '金秋社区'),
    village2: await makeTarget(h.db, 'community', DANDONG_VILLAGE2, '丹峰社区'),
    enterprise: await makeTarget(h.db, 'enterprise', DANDONG_VILLAGE, '象山针织有限公司'),
    household: await makeTarget(h.db, 'household', DANDONG_VILLAGE, '林阿婆家'),
    household2: await makeTarget(h.db, 'household', DANDONG_VILLAGE, '郑大伯家'),
    household3: await makeTarget(h.db, 'household', DANDONG_VILLAGE2, '吴家'),
    shipuHousehold: await makeTarget(h.db, 'household', SHIPU_VILLAGE, '石浦渔民家'),
  };
  campaignId = (await createCampaign(h.db, admin, {
    name: '干部下基层服务在一线', ...period, regionCode: XIANGSHAN,
    specialActions: [...campaignPresets.specialActions], cadreRoles: [...campaignPresets.cadreRoles], tasks: { enterprise: ['摸实情', '讲政策', '解难题', '推项目', '优环境'] },
  })).id;
  county = await login(app, (await makeUser(h.db, 'admin', { regionCode: XIANGSHAN })).username);
  town = await login(app, (await makeUser(h.db, 'admin', { regionCode: DANDONG })).username);
});
afterAll(async () => {
  await app.close();
  await h.close();
});

const post = (s: Session, url: string, payload: object) => app.inject({ method: 'POST', url, headers: as(s), payload });
const get = (s: Session, url: string) => app.inject({ url, headers: as(s) });
const pairingsUrl = () => `/api/v1/campaigns/${campaignId}/pairings`;
const countPairings = async () => (await h.db.selectFrom('pairings').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;

describe('pairings', () => {
  it('pairs, ends, re-pairs and transfers, and both sides keep the history', async () => {
    const first = await post(town, pairingsUrl(), { targetId: targets.enterprise.id, cadreId: cadres.zhang.id, cadreRole: '指导员', startsOn: addDays(today, -150) });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({
      targetName: '象山针织有限公司', targetKind: 'enterprise', targetRegionName: '金秋社区', cadreName: '张明', cadreRank: 'section', cadreUnitName: '丹东街道党工委',
      role: 'primary', cadreRole: '指导员', startsOn: addDays(today, -150), endsOn: null, open: true, teamId: null,
    });
    const firstId = first.json().id;

    const ended = await post(town, `${pairingsUrl()}/${firstId}/end`, { endsOn: addDays(today, -100), reason: '调整联系企业' });
    expect(ended.statusCode, ended.body).toBe(200);
    expect(ended.json()).toMatchObject({ endsOn: addDays(today, -100), endReason: '调整联系企业', open: false });
    const again = await post(town, `${pairingsUrl()}/${firstId}/end`, { reason: '再结束一次' });
    expect(again.statusCode).toBe(409);

    // Re-pairing may not reach back into the ended period; from its end on it may.
    const overlap = await post(town, pairingsUrl(), { targetId: targets.enterprise.id, cadreId: cadres.zhang.id, startsOn: addDays(today, -120) });
    expect(overlap.statusCode).toBe(400);
    expect(overlap.json().error.details.field).toBe('startsOn');
    const repair = await post(town, pairingsUrl(), { targetId: targets.enterprise.id, cadreId: cadres.zhang.id, cadreRole: '服务员', startsOn: addDays(today, -90) });
    expect(repair.statusCode, repair.body).toBe(201);
    expect((await post(town, pairingsUrl(), { targetId: targets.household.id, cadreId: cadres.zhang.id, role: 'assisting', startsOn: addDays(today, -90) })).statusCode).toBe(201);

    // 张明 is transferred: his open pairings go to 李华 from ten days ago.
    const on = addDays(today, -10);
    const transfer = await post(town, `${pairingsUrl()}/transfer`, { fromCadreId: cadres.zhang.id, toCadreId: cadres.li.id, on, reason: '张明调离' });
    expect(transfer.statusCode, transfer.body).toBe(200);
    expect(transfer.json().added).toHaveLength(2);
    expect(transfer.json().ended).toHaveLength(2);

    const history = (await get(town, `/api/v1/targets/${targets.enterprise.id}/pairings`)).json();
    expect(history.items.map((p: { cadreName: string; startsOn: string; endsOn: string | null; endReason: string | null; cadreRole: string | null }) => [p.cadreName, p.startsOn, p.endsOn, p.endReason, p.cadreRole])).toEqual([
      ['李华', on, null, null, '服务员'],
      ['张明', addDays(today, -90), on, '张明调离', '服务员'],
      ['张明', addDays(today, -150), addDays(today, -100), '调整联系企业', '指导员'],
    ]);
    const openOnly = (await get(town, `/api/v1/targets/${targets.enterprise.id}/pairings?status=open`)).json();
    expect(openOnly.items.map((p: { cadreName: string }) => p.cadreName)).toEqual(['李华']);

    const zhang = (await get(town, `/api/v1/cadres/${cadres.zhang.id}/pairings`)).json();
    expect(zhang.total).toBe(3);
    expect(zhang.items.every((p: { current: boolean; via: string }) => !p.current && p.via === 'direct')).toBe(true);
    expect((await get(town, `/api/v1/cadres/${cadres.zhang.id}/pairings?status=open`)).json().total).toBe(0);
    const li = (await get(town, `/api/v1/cadres/${cadres.li.id}/pairings?status=open`)).json();
    expect(li.items.map((p: { targetName: string; role: string }) => [p.targetName, p.role]).sort()).toEqual([['林阿婆家', 'assisting'], ['象山针织有限公司', 'primary']]);

    const audit = await h.db.selectFrom('audit_log').select(['action', 'region_path']).where('entity', '=', 'pairing').where('entity_id', '=', String(firstId)).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['pairing.create', 'pairing.end']);
    expect(audit[0]!.region_path).toBe('330000000000/330200000000/330225000000/330225001000/330225001003');
    expect(await h.db.selectFrom('audit_log').select('action').where('action', '=', 'pairing.transfer').execute()).toHaveLength(1);
  });

  it('pairs a team with a village; its members see it among their targets while they are members', async () => {
    const team = await createTeam(h.db, admin, campaignId, { name: '丹峰组团', leaderCadreId: cadres.countyLead.id, memberIds: [cadres.wang.id, cadres.zhao.id], joinedOn: addDays(today, -60) });
    const res = await post(county, pairingsUrl(), { targetId: targets.village2.id, teamId: team.id, startsOn: addDays(today, -60) });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ teamId: team.id, teamName: '丹峰组团', teamLeaderName: '陈局长', cadreId: null, targetName: '丹峰社区' });
    const dup = await post(county, pairingsUrl(), { targetId: targets.village2.id, teamId: team.id });
    expect(dup.statusCode).toBe(409);

    const removed = await app.inject({ method: 'DELETE', url: `/api/v1/campaigns/${campaignId}/teams/${team.id}/members/${cadres.zhao.id}?leftOn=${addDays(today, -5)}`, headers: as(county) });
    expect(removed.statusCode, removed.body).toBe(200);
    const wang = (await get(town, `/api/v1/cadres/${cadres.wang.id}/pairings`)).json();
    expect(wang.items.map((p: { teamName: string; via: string; current: boolean }) => [p.teamName, p.via, p.current])).toEqual([['丹峰组团', 'team', true]]);
    const zhao = (await get(town, `/api/v1/cadres/${cadres.zhao.id}/pairings`)).json();
    expect(zhao.items.map((p: { teamName: string; via: string; current: boolean }) => [p.teamName, p.via, p.current])).toEqual([['丹峰组团', 'team', false]]);
    expect((await get(town, `/api/v1/cadres/${cadres.zhao.id}/pairings?status=ended`)).json().total).toBe(1);
    expect((await get(town, `/api/v1/cadres/${cadres.zhao.id}/pairings?status=open`)).json().total).toBe(0);
    // The campaign list filtered by cadre finds team pairings too.
    const byCadre = (await get(county, `${pairingsUrl()}?cadreId=${cadres.wang.id}`)).json();
    expect(byCadre.items.map((p: { teamId: number | null }) => p.teamId)).toEqual([team.id]);
  });

  it('applies a batch all or nothing: one bad item and nothing is written, every bad item named by index and field', async () => {
    const before = await countPairings();
    const auditBefore = (await h.db.selectFrom('audit_log').select('id').execute()).length;
    const bad = await post(town, `${pairingsUrl()}/batch`, {
      add: [
        { targetId: targets.household2.id, cadreId: cadres.wang.id },
        { targetId: targets.household3.id, cadreId: cadres.wang.id, cadreRole: '宣讲员' },
        { targetId: targets.shipuHousehold.id, cadreId: cadres.wang.id },
        { targetId: targets.household3.id, cadreId: cadres.zhao.id, startsOn: addDays(period.endsOn, 1) },
      ],
      end: [{ pairingId: 99_999_999, reason: '不存在' }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.errors.map((e: { op: string; index: number; field: string }) => [e.op, e.index, e.field])).toEqual([
      ['end', 0, 'pairingId'],
      ['add', 1, 'cadreRole'],
      ['add', 2, 'targetId'],
      ['add', 3, 'startsOn'],
    ]);
    expect(await countPairings()).toBe(before);
    expect((await h.db.selectFrom('audit_log').select('id').execute()).length).toBe(auditBefore);

    // The same through the domain function the planner calls: errors returned, nothing written.
    const out = await applyPairingChanges(h.db, admin, campaignId, { add: [{ targetId: targets.household2.id, cadreId: cadres.wang.id }, { targetId: targets.household2.id, cadreId: cadres.wang.id }] });
    expect(out.applied).toBe(false);
    expect(out.errors).toEqual([{ op: 'add', index: 1, field: 'cadreId', message: '本批中重复的结对', code: 'CONFLICT' }]);
    const malformed = await applyPairingChanges(h.db, admin, campaignId, { add: [{ targetId: targets.household2.id }, { targetId: -1, cadreId: cadres.wang.id }] } as never);
    expect(malformed.errors.map((e) => [e.index, e.field])).toEqual([[0, 'cadreId'], [1, 'targetId']]);
    expect(await countPairings()).toBe(before);

    // A good batch: end one pairing and re-pair the target, plus two new ones, in one go.
    const open = (await get(town, `${pairingsUrl()}?targetId=${targets.household.id}&status=open`)).json().items[0];
    const good = await post(town, `${pairingsUrl()}/batch`, {
      end: [{ pairingId: open.id, reason: '调整' }],
      add: [
        { targetId: targets.household.id, cadreId: cadres.wang.id, role: 'primary', cadreRole: '服务员' },
        { targetId: targets.household2.id, cadreId: cadres.wang.id },
        { targetId: targets.household2.id, cadreId: cadres.zhao.id, role: 'assisting' },
      ],
    });
    expect(good.statusCode, good.body).toBe(200);
    expect(good.json().added).toHaveLength(3);
    expect(good.json().ended).toEqual([open.id]);
    expect(await countPairings()).toBe(before + 3);
    const households = (await get(town, `${pairingsUrl()}?kind=household&status=open&region=${DANDONG_VILLAGE}`)).json();
    expect(households.items.map((p: { targetName: string; cadreName: string }) => `${p.targetName}:${p.cadreName}`).sort()).toEqual(['林阿婆家:王强', '郑大伯家:王强', '郑大伯家:赵敏']);
    expect(await h.db.selectFrom('audit_log').select('action').where('action', '=', 'pairing.batch').execute()).toHaveLength(1);
  });

  it('answers a duplicate open pairing with 409 and writes nothing', async () => {
    const first = await createPairing(h.db, admin, campaignId, { targetId: targets.village.id, cadreId: cadres.zhao.id });
    const before = await countPairings();
    const dup = await post(town, pairingsUrl(), { targetId: targets.village.id, cadreId: cadres.zhao.id, role: 'assisting' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.details.field).toBe('cadreId');
    expect(await countPairings()).toBe(before);
    // Another cadre for the same target is fine; the same cadre once the first has ended, too.
    expect((await post(town, pairingsUrl(), { targetId: targets.village.id, cadreId: cadres.wang.id })).statusCode).toBe(201);
    await post(town, `${pairingsUrl()}/${first.id}/end`, { reason: '结束' });
    expect((await post(town, pairingsUrl(), { targetId: targets.village.id, cadreId: cadres.zhao.id })).statusCode).toBe(201);
  });

  it('keeps a 丹东 admin from pairing 石浦 cadres or targets and from seeing 石浦 pairings', async () => {
    const shipuPairing = await createPairing(h.db, admin, campaignId, { targetId: targets.shipuHousehold.id, cadreId: cadres.shipu.id });
    const before = await countPairings();

    const cadre = await post(town, pairingsUrl(), { targetId: targets.household3.id, cadreId: cadres.shipu.id });
    expect(cadre.statusCode).toBe(400);
    expect(cadre.json().error.details.field).toBe('cadreId');
    const target = await post(town, pairingsUrl(), { targetId: targets.shipuHousehold.id, cadreId: cadres.wang.id });
    expect(target.statusCode).toBe(400);
    expect(target.json().error.details.field).toBe('targetId');
    const countyCadre = await post(town, pairingsUrl(), { targetId: targets.household3.id, cadreId: cadres.countyLead.id });
    expect(countyCadre.json().error.details.field).toBe('cadreId');
    const end = await post(town, `${pairingsUrl()}/${shipuPairing.id}/end`, { reason: '越权' });
    expect(end.statusCode).toBe(404);
    const transfer = await post(town, `${pairingsUrl()}/transfer`, { fromCadreId: cadres.shipu.id, toCadreId: cadres.wang.id });
    expect(transfer.statusCode).toBe(400);
    expect(await countPairings()).toBe(before);
    expect((await h.db.selectFrom('pairings').select('ends_on').where('id', '=', shipuPairing.id).executeTakeFirstOrThrow()).ends_on).toBeNull();

    const all = (await get(town, `${pairingsUrl()}?pageSize=500`)).json();
    expect(all.items.map((p: { id: number }) => p.id)).not.toContain(shipuPairing.id);
    expect(all.items.every((p: { targetRegionCode: string }) => p.targetRegionCode.startsWith('330225001'))).toBe(true);
    // The county cadre's team pairing with a 丹东 village is visible from the target's side.
    expect(all.items.some((p: { teamLeaderName: string | null }) => p.teamLeaderName === '陈局长')).toBe(true);
    expect((await get(town, `${pairingsUrl()}/${shipuPairing.id}`)).statusCode).toBe(404);
    expect((await get(town, `/api/v1/targets/${targets.shipuHousehold.id}/pairings`)).statusCode).toBe(404);
    expect((await get(town, `/api/v1/cadres/${cadres.shipu.id}/pairings`)).statusCode).toBe(404);
    expect((await get(town, `${pairingsUrl()}?region=${SHIPU}`)).statusCode).toBe(404);
    const countyView = (await get(county, `${pairingsUrl()}?region=${SHIPU}`)).json();
    expect(countyView.items.map((p: { id: number }) => p.id)).toEqual([shipuPairing.id]);

    // A 石浦-scoped unit leader sees their cadre's pairing and nothing of 丹东.
    const leader = await login(app, (await makeUser(h.db, 'unit_leader', { unitId: units.shipu.id })).username);
    const theirs = (await get(leader, `${pairingsUrl()}?pageSize=500`)).json();
    expect(theirs.items.map((p: { id: number }) => p.id)).toEqual([shipuPairing.id]);
  });

  it('checks roles, periods and the campaign’s region', async () => {
    const role = await post(county, pairingsUrl(), { targetId: targets.household3.id, cadreId: cadres.li.id, cadreRole: '观察员' });
    expect(role.statusCode).toBe(400);
    expect(role.json().error.details.field).toBe('cadreRole');
    const early = await post(county, pairingsUrl(), { targetId: targets.household3.id, cadreId: cadres.li.id, startsOn: addDays(period.startsOn, -1) });
    expect(early.json().error.details.field).toBe('startsOn');
    const dandongCampaign = await createCampaign(h.db, admin, { name: '丹东专项', ...period, regionCode: DANDONG });
    const outside = await post(county, `/api/v1/campaigns/${dandongCampaign.id}/pairings`, { targetId: targets.shipuHousehold.id, cadreId: cadres.shipu.id });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().error.details.field).toBe('targetId');
    // A pairing whose dates no longer fit stops the campaign's period from shrinking past it.
    const p = (await post(county, `/api/v1/campaigns/${dandongCampaign.id}/pairings`, { targetId: targets.household3.id, cadreId: cadres.li.id, startsOn: addDays(today, -30) })).json();
    expect(p.startsOn).toBe(addDays(today, -30));
    const shrink = await app.inject({ method: 'PATCH', url: `/api/v1/campaigns/${dandongCampaign.id}`, headers: as(county), payload: { startsOn: addDays(today, -20) } });
    expect(shrink.statusCode).toBe(400);
    expect(shrink.json().error.details.field).toBe('startsOn');
    const late = await post(county, `/api/v1/campaigns/${dandongCampaign.id}/pairings/${p.id}/end`, { endsOn: addDays(today, 1), reason: '未来' });
    expect(late.json().error.details.field).toBe('endsOn');
  });

  it('refuses writes from the cadre role with 403 and malformed bodies with 400 naming the fields', async () => {
    const before = await countPairings();
    const cadre = await login(app, (await makeUser(h.db, 'cadre', { regionCode: DANDONG })).username);
    expect((await post(cadre, pairingsUrl(), { targetId: targets.household3.id, cadreId: cadres.li.id })).statusCode).toBe(403);
    expect((await post(cadre, `${pairingsUrl()}/batch`, { add: [{ targetId: targets.household3.id, cadreId: cadres.li.id }] })).statusCode).toBe(403);
    expect((await post(cadre, `${pairingsUrl()}/transfer`, { fromCadreId: cadres.li.id, toCadreId: cadres.wang.id })).statusCode).toBe(403);
    const anyPairing = (await get(county, pairingsUrl())).json().items[0];
    expect((await post(cadre, `${pairingsUrl()}/${anyPairing.id}/end`, { reason: '干部自己结束' })).statusCode).toBe(403);
    // Reading is allowed in scope.
    expect((await get(cadre, pairingsUrl())).statusCode).toBe(200);

    const both = await post(town, pairingsUrl(), { targetId: targets.household3.id, cadreId: cadres.li.id, teamId: 1 });
    expect(both.statusCode).toBe(400);
    expect(both.json().error.details.fields.map((f: { field: string }) => f.field)).toEqual(['body.cadreId']);
    const fields = await post(town, pairingsUrl(), { targetId: 'abc', cadreId: cadres.li.id, role: 'boss', startsOn: '2026-02-30' });
    expect(fields.statusCode).toBe(400);
    expect(fields.json().error.details.fields.map((f: { field: string }) => f.field)).toEqual(expect.arrayContaining(['body.targetId', 'body.role', 'body.startsOn']));
    const batch = await post(town, `${pairingsUrl()}/batch`, { add: [{ targetId: targets.household3.id, cadreId: cadres.li.id }, { cadreId: 'x' }], end: [{ pairingId: 1 }] });
    expect(batch.statusCode).toBe(400);
    expect(batch.json().error.details.fields.map((f: { field: string }) => f.field)).toEqual(expect.arrayContaining(['body.add.1.targetId', 'body.add.1.cadreId', 'body.end.0.reason']));
    const end = await post(town, `${pairingsUrl()}/${anyPairing.id}/end`, {});
    expect(end.json().error.details.fields.map((f: { field: string }) => f.field)).toEqual(['body.reason']);
    expect(await countPairings()).toBe(before);
  });
});
