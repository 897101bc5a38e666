import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignPresets } from '../../../contracts/campaigns.ts';
import { admin, as, createTestApp, createTestDatabase, DANDONG, login, makeCadre, makeUnit, makeUser, seedXiangshan, SHIPU, XIANGSHAN, type Session } from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import { chinaToday, createCampaign } from './campaigns.ts';

const DANDONG_VILLAGE = '330225001003'; // 金秋社区
const SHIPU_VILLAGE = '330225101001'; // 海宁社区

let h: DatabaseHandle;
let app: App;
let county: Session; // an admin scoped to 象山县
let town: Session; // an admin scoped to 丹东街道
let units: { countyDept: { id: number }; countyDept2: { id: number }; dandong: { id: number }; shipu: { id: number } };

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const today = chinaToday();
const period = { startsOn: addDays(today, -100), endsOn: addDays(today, 265) };

const cixi = {
  name: '万名干部下基层',
  ...period,
  regionCode: XIANGSHAN,
  description: '干部下基层、联系服务群众',
  themes: ['联镇带村谋发展'],
  specialActions: [...campaignPresets.specialActions],
  cadreRoles: [...campaignPresets.cadreRoles],
  tasks: { enterprise: ['摸实情', '讲政策', '解难题', '推项目', '优环境'] },
};

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
  units = {
    countyDept: await makeUnit(h.db, XIANGSHAN, { name: '县发改局', level: 'county' }),
    countyDept2: await makeUnit(h.db, XIANGSHAN, { name: '县经信局', level: 'county' }),
    dandong: await makeUnit(h.db, DANDONG, { name: '丹东街道党工委' }),
    shipu: await makeUnit(h.db, SHIPU, { name: '石浦镇党委' }),
  };
  county = await login(app, (await makeUser(h.db, 'admin', { regionCode: XIANGSHAN })).username);
  town = await login(app, (await makeUser(h.db, 'admin', { regionCode: DANDONG })).username);
});
afterAll(async () => {
  await app.close();
  await h.close();
});

const post = (s: Session, url: string, payload: object) => app.inject({ method: 'POST', url, headers: as(s), payload });
const patch = (s: Session, url: string, payload: object) => app.inject({ method: 'PATCH', url, headers: as(s), payload });
const get = (s: Session, url: string) => app.inject({ url, headers: as(s) });
const fieldsOf = (res: { json: () => { error: { details: { fields: { field: string }[] } } } }) => res.json().error.details.fields.map((f) => f.field);

describe('campaigns', () => {
  it('creates a campaign with Cixi’s five actions, the five roles, enterprise tasks and units that answer for townships', async () => {
    const res = await post(county, '/api/v1/campaigns', {
      ...cixi,
      units: [
        { unitId: units.countyDept.id, responsibleRegions: [DANDONG, SHIPU] },
        { unitId: units.dandong.id, responsibleRegions: [DANDONG] },
      ],
    });
    expect(res.statusCode, res.body).toBe(201);
    const c = res.json();
    expect(c).toMatchObject({
      name: '万名干部下基层', regionCode: XIANGSHAN, regionName: '象山县', startsOn: period.startsOn, endsOn: period.endsOn,
      specialActions: ['城镇建设攻坚助推', '企业转型指导帮扶', '民生民意调研解难', '生态环境整治优化', '基层基础巩固提升'],
      cadreRoles: ['宣传员', '指导员', '规划员', '情报员', '服务员'],
      tasks: { enterprise: ['摸实情', '讲政策', '解难题', '推项目', '优环境'] },
      editable: true,
    });
    expect(c.units).toEqual([
      { unitId: units.countyDept.id, unitCode: expect.any(String), unitName: '县发改局', responsibleRegions: [{ code: DANDONG, name: '丹东街道' }, { code: SHIPU, name: '石浦镇' }] },
      { unitId: units.dandong.id, unitCode: expect.any(String), unitName: '丹东街道党工委', responsibleRegions: [{ code: DANDONG, name: '丹东街道' }] },
    ]);
    const audit = await h.db.selectFrom('audit_log').select(['action', 'region_path']).where('entity', '=', 'campaign').where('entity_id', '=', String(c.id)).execute();
    expect(audit).toEqual([{ action: 'campaign.create', region_path: '330000000000/330200000000/330225000000' }]);

    const again = await get(county, `/api/v1/campaigns/${c.id}`);
    expect(again.json()).toEqual(c);
  });

  it('refuses a period that ends before it starts, naming endsOn, on create and on edit', async () => {
    const bad = await post(county, '/api/v1/campaigns', { ...cixi, startsOn: '2026-06-01', endsOn: '2026-05-31' });
    expect(bad.statusCode).toBe(400);
    expect(fieldsOf(bad)).toEqual(['body.endsOn']);

    const c = (await post(county, '/api/v1/campaigns', { ...cixi, name: '期间测试' })).json();
    const edit = await patch(county, `/api/v1/campaigns/${c.id}`, { endsOn: addDays(period.startsOn, -1) });
    expect(edit.statusCode).toBe(400);
    expect(edit.json().error.details.field).toBe('endsOn');
    const both = await patch(county, `/api/v1/campaigns/${c.id}`, { startsOn: '2027-01-02', endsOn: '2027-01-01' });
    expect(fieldsOf(both)).toEqual(['body.endsOn']);
    expect((await get(county, `/api/v1/campaigns/${c.id}`)).json().endsOn).toBe(period.endsOn);
  });

  it('names each malformed field', async () => {
    const res = await post(county, '/api/v1/campaigns', {
      name: '', startsOn: '2026-13-01', regionCode: XIANGSHAN, cadreRoles: ['宣传员', '宣传员'], tasks: { spaceship: ['飞'] }, units: [{ unitId: 'x' }],
    });
    expect(res.statusCode).toBe(400);
    expect(fieldsOf(res)).toEqual(expect.arrayContaining(['body.name', 'body.startsOn', 'body.endsOn', 'body.cadreRoles', 'body.units.0.unitId']));
    expect(fieldsOf(res).some((f: string) => f.startsWith('body.tasks'))).toBe(true);
  });

  it('checks units against the caller’s scope and their townships against the campaign’s region', async () => {
    const outside = await post(county, '/api/v1/campaigns', { ...cixi, regionCode: DANDONG, units: [{ unitId: units.countyDept.id, responsibleRegions: [SHIPU] }] });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().error.details.field).toBe('units.0.responsibleRegions');
    const unknown = await post(county, '/api/v1/campaigns', { ...cixi, units: [{ unitId: units.countyDept.id, responsibleRegions: ['330225999000'] }] });
    expect(unknown.json().error.details.field).toBe('units.0.responsibleRegions');

    const notMine = await post(town, '/api/v1/campaigns', { ...cixi, regionCode: DANDONG, units: [{ unitId: units.dandong.id, responsibleRegions: [] }, { unitId: units.shipu.id, responsibleRegions: [] }] });
    expect(notMine.statusCode).toBe(400);
    expect(notMine.json().error.details.field).toBe('units.1.unitId');
    const region = await post(town, '/api/v1/campaigns', { ...cixi, regionCode: SHIPU });
    expect(region.statusCode).toBe(400);
    expect(region.json().error.details.field).toBe('regionCode');
    const countyByTown = await post(town, '/api/v1/campaigns', { ...cixi, regionCode: XIANGSHAN });
    expect(countyByTown.json().error.details.field).toBe('regionCode');
    expect(await h.db.selectFrom('campaigns').select('id').where('region_code', '=', SHIPU).execute()).toEqual([]);
  });

  it('shows a township admin its own campaigns and the county’s, not another township’s; the county’s read-only', async () => {
    const countyC = await createCampaign(h.db, admin, {
      ...cixi, name: '县级活动',
      units: [
        { unitId: units.countyDept.id, responsibleRegions: [DANDONG, SHIPU] },
        { unitId: units.countyDept2.id, responsibleRegions: [SHIPU] },
        { unitId: units.dandong.id, responsibleRegions: [DANDONG_VILLAGE] },
        { unitId: units.shipu.id, responsibleRegions: [SHIPU_VILLAGE] },
      ],
    });
    const own = await post(town, '/api/v1/campaigns', { ...cixi, name: '丹东街道活动', regionCode: DANDONG, units: [{ unitId: units.dandong.id, responsibleRegions: [DANDONG_VILLAGE] }] });
    expect(own.statusCode, own.body).toBe(201);
    const shipuC = await createCampaign(h.db, admin, { ...cixi, name: '石浦镇活动', regionCode: SHIPU });

    const list = (await get(town, '/api/v1/campaigns?pageSize=200')).json();
    const names = list.items.map((c: { name: string }) => c.name);
    expect(names).toEqual(expect.arrayContaining(['县级活动', '丹东街道活动']));
    expect(names).not.toContain('石浦镇活动');
    expect((await get(town, `/api/v1/campaigns/${shipuC.id}`)).statusCode).toBe(404);

    const seen = (await get(town, `/api/v1/campaigns/${countyC.id}`)).json();
    expect(seen.editable).toBe(false);
    // Of the county's units: the county department answering for 丹东 (with only 丹东 shown) and
    // the township's own unit; not the department that answers only for 石浦, nor 石浦's unit.
    expect(seen.units).toEqual([
      { unitId: units.countyDept.id, unitCode: expect.any(String), unitName: '县发改局', responsibleRegions: [{ code: DANDONG, name: '丹东街道' }] },
      { unitId: units.dandong.id, unitCode: expect.any(String), unitName: '丹东街道党工委', responsibleRegions: [{ code: DANDONG_VILLAGE, name: '金秋社区' }] },
    ]);
    const edit = await patch(town, `/api/v1/campaigns/${countyC.id}`, { name: '改名' });
    expect(edit.statusCode).toBe(403);
    const editShipu = await patch(town, `/api/v1/campaigns/${shipuC.id}`, { name: '改名' });
    expect(editShipu.statusCode).toBe(404);

    // The county admin sees all three and may edit the township's campaign too.
    const all = (await get(county, '/api/v1/campaigns?pageSize=200')).json().items.map((c: { name: string }) => c.name);
    expect(all).toEqual(expect.arrayContaining(['县级活动', '丹东街道活动', '石浦镇活动']));
    const ok = await patch(county, `/api/v1/campaigns/${own.json().id}`, { description: '县里补充说明' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().description).toBe('县里补充说明');

    const byRegion = (await get(county, `/api/v1/campaigns?region=${SHIPU}&pageSize=200`)).json().items.map((c: { name: string }) => c.name);
    expect(byRegion).toEqual(['石浦镇活动']);
    const active = (await get(county, `/api/v1/campaigns?activeOn=${addDays(period.endsOn, 1)}`)).json();
    expect(active.total).toBe(0);
  });

  it('edits the participating units as a whole list and the tasks', async () => {
    const c = (await post(county, '/api/v1/campaigns', { ...cixi, name: '单位调整', units: [{ unitId: units.countyDept.id, responsibleRegions: [DANDONG] }] })).json();
    const res = await patch(county, `/api/v1/campaigns/${c.id}`, {
      units: [{ unitId: units.countyDept2.id, responsibleRegions: [SHIPU] }],
      tasks: { enterprise: ['摸实情'], household: ['走访', '慰问'] },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().units.map((u: { unitId: number }) => u.unitId)).toEqual([units.countyDept2.id]);
    expect(res.json().tasks).toEqual({ enterprise: ['摸实情'], household: ['走访', '慰问'] });
    // Moving the campaign to 丹东 would leave 县经信局's 石浦 outside it.
    const move = await patch(county, `/api/v1/campaigns/${c.id}`, { regionCode: DANDONG });
    expect(move.statusCode).toBe(400);
    expect(move.json().error.details.field).toBe('regionCode');
    const audit = await h.db.selectFrom('audit_log').select('action').where('entity', '=', 'campaign').where('entity_id', '=', String(c.id)).execute();
    expect(audit.map((a) => a.action)).toEqual(['campaign.create', 'campaign.update']);
  });

  it('keeps participating units outside a township admin’s scope when they edit the list', async () => {
    const c = (await post(town, '/api/v1/campaigns', { ...cixi, name: '丹东联村', regionCode: DANDONG, units: [{ unitId: units.dandong.id, responsibleRegions: [DANDONG_VILLAGE] }] })).json();
    const withCounty = await patch(county, `/api/v1/campaigns/${c.id}`, {
      units: [{ unitId: units.dandong.id, responsibleRegions: [DANDONG_VILLAGE] }, { unitId: units.countyDept.id, responsibleRegions: [DANDONG_VILLAGE] }],
    });
    expect(withCounty.statusCode, withCounty.body).toBe(200);
    // The township admin sees the county department (it answers for their village) and may send the list back as shown.
    const seen = (await get(town, `/api/v1/campaigns/${c.id}`)).json();
    expect(seen.units.map((u: { unitId: number }) => u.unitId)).toEqual([units.countyDept.id, units.dandong.id]);
    const roundTrip = await patch(town, `/api/v1/campaigns/${c.id}`, { units: seen.units.map((u: { unitId: number; responsibleRegions: { code: string }[] }) => ({ unitId: u.unitId, responsibleRegions: u.responsibleRegions.map((r) => r.code) })) });
    expect(roundTrip.statusCode, roundTrip.body).toBe(200);
    // Emptying the list removes only what is theirs.
    const emptied = await patch(town, `/api/v1/campaigns/${c.id}`, { units: [] });
    expect(emptied.json().units.map((u: { unitId: number }) => u.unitId)).toEqual([units.countyDept.id]);
    const stored = await h.db.selectFrom('campaign_units').select(['unit_id', 'responsible_regions']).where('campaign_id', '=', c.id).execute();
    expect(stored).toEqual([{ unit_id: units.countyDept.id, responsible_regions: [DANDONG_VILLAGE] }]);
  });

  it('lets only admins write campaigns', async () => {
    for (const role of ['cadre', 'unit_leader', 'leadership'] as const) {
      const s = await login(app, (await makeUser(h.db, role, { regionCode: XIANGSHAN })).username);
      const res = await post(s, '/api/v1/campaigns', { ...cixi, name: `${role}建的活动` });
      expect(res.statusCode).toBe(403);
    }
    expect(await h.db.selectFrom('campaigns').select('id').where('name', 'like', '%建的活动').execute()).toEqual([]);
  });
});

describe('teams', () => {
  let campaignId: number;
  let cadres: { leader: { id: number }; a: { id: number }; b: { id: number }; shipu: { id: number }; retired: { id: number } };
  beforeAll(async () => {
    campaignId = (await createCampaign(h.db, admin, { ...cixi, name: '组团活动' })).id;
    cadres = {
      leader: await makeCadre(h.db, units.dandong.id, { name: '组长甲', rank: 'section' }),
      a: await makeCadre(h.db, units.dandong.id, { name: '组员乙' }),
      b: await makeCadre(h.db, units.dandong.id, { name: '组员丙' }),
      shipu: await makeCadre(h.db, units.shipu.id, { name: '石浦丁' }),
      retired: await makeCadre(h.db, units.dandong.id, { name: '退休戊' }),
    };
    await h.db.updateTable('cadres').set({ status: 'retired' }).where('id', '=', cadres.retired.id).execute();
  });

  it('creates a team with a leader and members, removes a member keeping history, and re-adds them', async () => {
    const res = await post(town, `/api/v1/campaigns/${campaignId}/teams`, { name: '丹东调研组', kind: 'research', leaderCadreId: cadres.leader.id, memberIds: [cadres.a.id, cadres.b.id] });
    expect(res.statusCode, res.body).toBe(201);
    const t = res.json();
    expect(t).toMatchObject({ name: '丹东调研组', kind: 'research', leaderCadreId: cadres.leader.id, leaderName: '组长甲' });
    expect(t.members.map((m: { name: string; leftOn: string | null }) => [m.name, m.leftOn])).toEqual([['组长甲', null], ['组员乙', null], ['组员丙', null]]);

    const removed = await app.inject({ method: 'DELETE', url: `/api/v1/campaigns/${campaignId}/teams/${t.id}/members/${cadres.a.id}`, headers: as(town) });
    expect(removed.statusCode, removed.body).toBe(200);
    const a = removed.json().members.find((m: { cadreId: number }) => m.cadreId === cadres.a.id);
    expect(a.leftOn).toBe(today);
    expect(await h.db.selectFrom('team_members').select('cadre_id').where('team_id', '=', t.id).execute()).toHaveLength(3);

    const back = await post(town, `/api/v1/campaigns/${campaignId}/teams/${t.id}/members`, { cadreId: cadres.a.id });
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json().members.filter((m: { cadreId: number }) => m.cadreId === cadres.a.id).map((m: { leftOn: string | null }) => m.leftOn)).toEqual([today, null]);
    const twice = await post(town, `/api/v1/campaigns/${campaignId}/teams/${t.id}/members`, { cadreId: cadres.a.id });
    expect(twice.statusCode).toBe(409);

    const leader = await app.inject({ method: 'DELETE', url: `/api/v1/campaigns/${campaignId}/teams/${t.id}/members/${cadres.leader.id}`, headers: as(town) });
    expect(leader.statusCode).toBe(400);
    const newLeader = await patch(town, `/api/v1/campaigns/${campaignId}/teams/${t.id}`, { leaderCadreId: cadres.b.id });
    expect(newLeader.json()).toMatchObject({ leaderCadreId: cadres.b.id, leaderName: '组员丙' });

    const audit = await h.db.selectFrom('audit_log').select(['action', 'region_path']).where('entity', '=', 'team').where('entity_id', '=', String(t.id)).orderBy('id').execute();
    expect(audit.map((x) => x.action)).toEqual(['team.create', 'team.member_remove', 'team.member_add', 'team.update']);
    expect(audit.every((x) => x.region_path === '330000000000/330200000000/330225000000')).toBe(true);
    expect((await get(town, `/api/v1/campaigns/${campaignId}/teams`)).json().items.map((x: { id: number }) => x.id)).toContain(t.id);
  });

  it('refuses members outside the caller’s scope, retired cadres, duplicate names and malformed bodies', async () => {
    const shipu = await post(town, `/api/v1/campaigns/${campaignId}/teams`, { name: '越权组', leaderCadreId: cadres.leader.id, memberIds: [cadres.a.id, cadres.shipu.id] });
    expect(shipu.statusCode).toBe(400);
    expect(shipu.json().error.details.field).toBe('memberIds.1');
    const retired = await post(town, `/api/v1/campaigns/${campaignId}/teams`, { name: '退休组', leaderCadreId: cadres.retired.id });
    expect(retired.statusCode).toBe(400);
    expect(retired.json().error.details.field).toBe('leaderCadreId');
    expect(await h.db.selectFrom('teams').select('id').where('name', 'in', ['越权组', '退休组']).execute()).toEqual([]);

    expect((await post(town, `/api/v1/campaigns/${campaignId}/teams`, { name: '重名组', leaderCadreId: cadres.leader.id })).statusCode).toBe(201);
    const dup = await post(town, `/api/v1/campaigns/${campaignId}/teams`, { name: '重名组', leaderCadreId: cadres.a.id });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.details.field).toBe('name');

    const malformed = await post(town, `/api/v1/campaigns/${campaignId}/teams`, { name: '', kind: 'party', leaderCadreId: -1, joinedOn: 'tomorrow' });
    expect(malformed.statusCode).toBe(400);
    expect(fieldsOf(malformed)).toEqual(expect.arrayContaining(['body.name', 'body.kind', 'body.leaderCadreId', 'body.joinedOn']));

    // 石浦's admin sees neither the campaign's 丹东 teams nor may change them.
    const shipuAdmin = await login(app, (await makeUser(h.db, 'admin', { regionCode: SHIPU })).username);
    const teams = (await get(shipuAdmin, `/api/v1/campaigns/${campaignId}/teams`)).json().items;
    expect(teams).toEqual([]);
    const firstTeam = (await get(town, `/api/v1/campaigns/${campaignId}/teams`)).json().items[0];
    expect((await get(shipuAdmin, `/api/v1/campaigns/${campaignId}/teams/${firstTeam.id}`)).statusCode).toBe(404);
    const add = await post(shipuAdmin, `/api/v1/campaigns/${campaignId}/teams/${firstTeam.id}/members`, { cadreId: cadres.shipu.id });
    expect(add.statusCode).toBe(404);

    const cadre = await login(app, (await makeUser(h.db, 'cadre', { regionCode: DANDONG })).username);
    expect((await post(cadre, `/api/v1/campaigns/${campaignId}/teams`, { name: '干部自建组', leaderCadreId: cadres.leader.id })).statusCode).toBe(403);
  });
});
