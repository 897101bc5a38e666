import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, as, createTestApp, createTestDatabase, DANDONG, login, makeCadre, makeUnit, makeUser, seedXiangshan, SHIPU, XIANGSHAN, type Session } from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import { addCoverageRule, coverageReport, describeRule } from './coverage.ts';
import { coverageRuleInput } from '../../../contracts/coverage.ts';

let h: DatabaseHandle;
let app: App;
let s: Session;
let campaignId: number;
let shipuVillages: { id: number; name: string }[];

// Campaigns, targets and pairings are written directly here: this file tests the evaluation.
async function placeTargetsUnder(regionCode: string) {
  await sql`
    insert into contact_targets (kind, name, name_initials, region_code, region_path)
    select case when r.name like '%社区' then 'community' else 'village' end, r.name, '', r.code, r.path
      from regions r where r.parent_code = ${regionCode} and r.level = 'village'`.execute(h.db);
  return h.db.selectFrom('contact_targets').select(['id', 'name']).where('region_code', 'like', `${regionCode.slice(0, 9)}%`).orderBy('region_code').execute();
}
const pair = (cadreId: number, targetId: number, endsOn: string | null = null) =>
  h.db.insertInto('pairings').values({ campaign_id: campaignId, cadre_id: cadreId, target_id: targetId, starts_on: '2026-01-01', ends_on: endsOn }).execute();

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
  s = await login(app, (await makeUser(h.db, 'admin')).username);
  const county = await h.db.selectFrom('regions').select('path').where('code', '=', XIANGSHAN).executeTakeFirstOrThrow();
  campaignId = (await h.db.insertInto('campaigns').values({ name: '万名干部下基层', starts_on: '2026-01-01', ends_on: '2026-12-31', region_code: XIANGSHAN, region_path: county.path }).returning('id').executeTakeFirstOrThrow()).id;
  shipuVillages = await placeTargetsUnder(SHIPU);
  await placeTargetsUnder(DANDONG);
});
afterAll(async () => {
  await app.close();
  await h.close();
});

describe('coverage rules', () => {
  it('describes rules in the articles’ words', () => {
    expect(describeRule(coverageRuleInput.parse({ kind: 'target_cadres', params: { targetKinds: ['village', 'community'], min: 1, cadreRanks: ['county', 'section'] } })))
      .toBe('每个村/社区由 至少 1 名县级/科级干部联系');
    expect(describeRule(coverageRuleInput.parse({ kind: 'cadre_targets', params: { targetKinds: ['household'], min: 4, max: 6 } })))
      .toBe('每名干部联系农户 4–6 个');
  });

  it('refuses a rule whose maximum is below its minimum, naming the field', async () => {
    const res = await app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaignId}/coverage-rules`, headers: as(s), payload: { kind: 'cadre_targets', params: { targetKinds: ['household'], min: 6, max: 4 } } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.fields[0].field).toBe('body.params.max');
  });

  it('refuses a rule that contradicts one already there, and keeps only the first', async () => {
    const first = await app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaignId}/coverage-rules`, headers: as(s), payload: { kind: 'target_cadres', params: { targetKinds: ['building'], min: 2, max: 2 } } });
    expect(first.statusCode).toBe(201);
    expect(first.json().description).toBe('每个楼栋单元由 2 名干部联系');
    const clash = await app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaignId}/coverage-rules`, headers: as(s), payload: { kind: 'target_cadres', params: { targetKinds: ['building'], max: 1 } } });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().error.message).toContain('矛盾');
    const rules = await app.inject({ url: `/api/v1/campaigns/${campaignId}/coverage-rules`, headers: as(s) });
    expect(rules.json().filter((r: { params: { targetKinds: string[] } }) => r.params.targetKinds.includes('building'))).toHaveLength(1);
    const twice = await app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaignId}/coverage-rules`, headers: as(s), payload: { kind: 'target_cadres', params: { targetKinds: ['building'], min: 2, max: 2 } } });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.message).toContain('同样');
    const del = await app.inject({ method: 'DELETE', url: `/api/v1/campaigns/${campaignId}/coverage-rules/${first.json().id}`, headers: as(s) });
    expect(del.statusCode).toBe(204);
  });
});

describe('coverage report', () => {
  let section1: number;
  let section2: number;
  let general: number;
  beforeAll(async () => {
    const unit = await makeUnit(h.db, SHIPU, { name: '中共石浦镇委员会' });
    section1 = (await makeCadre(h.db, unit.id, { name: '林镇长', rank: 'section' })).id;
    section2 = (await makeCadre(h.db, unit.id, { name: '陈书记', rank: 'section' })).id;
    general = (await makeCadre(h.db, unit.id, { name: '王科员', rank: 'general' })).id;
    await h.db.insertInto('campaign_units').values({ campaign_id: campaignId, unit_id: unit.id }).execute();
    await addCoverageRule(h.db, admin, campaignId, { kind: 'target_cadres', params: { targetKinds: ['village', 'community'], min: 1, cadreRanks: ['county', 'section'] } });
    await addCoverageRule(h.db, admin, campaignId, { kind: 'cadre_targets', params: { targetKinds: ['village', 'community'], min: 2 } });
    await addCoverageRule(h.db, admin, campaignId, { kind: 'unit_leader_named' });
    // Two villages with a section-level cadre; one only with a general cadre; one whose pairing ended.
    await pair(section1, shipuVillages[0]!.id);
    await pair(section1, shipuVillages[1]!.id);
    await pair(general, shipuVillages[2]!.id);
    await pair(section2, shipuVillages[3]!.id, '2026-06-30');
  });

  it('counts covered and uncovered villages in a township, by rank, ignoring ended pairings', async () => {
    const r = await coverageReport(h.db, admin, campaignId, { region: SHIPU, violationsLimit: 1000 });
    const villages = r.rules[0]!;
    expect(villages.evaluated).toBe(shipuVillages.length);
    expect(villages.met).toBe(2);
    expect(villages.uncovered).toBe(shipuVillages.length - 2);
    const unmetIds = villages.violations.map((v) => v.id);
    expect(unmetIds).toContain(shipuVillages[2]!.id); // only a general cadre: does not count
    expect(unmetIds).toContain(shipuVillages[3]!.id); // pairing ended
    expect(unmetIds).not.toContain(shipuVillages[0]!.id);
    expect(villages.violations[0]!.explanation).toBe('现有 0 名符合条件的干部联系，要求 至少 1 名');
    expect(villages.status).toBe('red');
    // One row per village (the next level below the township).
    expect(villages.byRegion).toHaveLength(shipuVillages.length);
  });

  it('reports under-loaded cadres and units without a named leader', async () => {
    const r = await coverageReport(h.db, admin, campaignId, { region: SHIPU, violationsLimit: 100 });
    const load = r.rules[1]!;
    expect(load.evaluated).toBe(3);
    expect(load.met).toBe(1); // 林镇长 holds two villages
    expect(load.violations.map((v) => [v.name, v.count, v.problem])).toEqual(expect.arrayContaining([['陈书记', 0, 'uncovered'], ['王科员', 1, 'under']]));
    const leaders = r.rules[2]!;
    expect(leaders.evaluated).toBe(1);
    expect(leaders.violations[0]).toMatchObject({ kind: 'unit', name: '中共石浦镇委员会', explanation: '未明确责任领导' });
  });

  it('counts a team’s leader and members for the villages the team is paired with', async () => {
    const team = await h.db.insertInto('teams').values({ campaign_id: campaignId, name: '石浦调研组', leader_cadre_id: section2 }).returning('id').executeTakeFirstOrThrow();
    await h.db.insertInto('pairings').values({ campaign_id: campaignId, team_id: team.id, target_id: shipuVillages[4]!.id, starts_on: '2026-02-01' }).execute();
    const r = await coverageReport(h.db, admin, campaignId, { region: SHIPU, violationsLimit: 1000 });
    expect(r.rules[0]!.violations.map((v) => v.id)).not.toContain(shipuVillages[4]!.id);
    expect(r.rules[0]!.met).toBe(3);
  });

  it('rolls up per township at the county level', async () => {
    const res = await app.inject({ url: `/api/v1/campaigns/${campaignId}/coverage?violationsLimit=5`, headers: as(s) });
    expect(res.statusCode).toBe(200);
    const villages = res.json().rules[0];
    const rows = Object.fromEntries(villages.byRegion.map((r: { code: string; evaluated: number; unmet: number }) => [r.code, r]));
    expect(rows[SHIPU]).toMatchObject({ name: '石浦镇', evaluated: shipuVillages.length, unmet: shipuVillages.length - 3, status: 'red' });
    expect(rows[DANDONG].unmet).toBe(rows[DANDONG].evaluated);
    expect(villages.violations).toHaveLength(5);
    expect(villages.violationsTruncated).toBe(true);
  });

  it('keeps a township admin to their township: their own by default, another refused', async () => {
    const t = await login(app, (await makeUser(h.db, 'admin', { regionCode: DANDONG })).username);
    const own = await app.inject({ url: `/api/v1/campaigns/${campaignId}/coverage`, headers: as(t) });
    expect(own.statusCode).toBe(200);
    expect(own.json().region.code).toBe(DANDONG);
    expect(JSON.stringify(own.json())).not.toContain('石浦');
    const other = await app.inject({ url: `/api/v1/campaigns/${campaignId}/coverage?region=${SHIPU}`, headers: as(t) });
    expect(other.statusCode).toBe(404);
    const write = await app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaignId}/coverage-rules`, headers: as(t), payload: { kind: 'unit_leader_named' } });
    expect(write.statusCode).toBe(403);
    const cadre = await login(app, (await makeUser(h.db, 'cadre', { regionCode: SHIPU })).username);
    const cadreWrite = await app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaignId}/coverage-rules`, headers: as(cadre), payload: { kind: 'unit_leader_named' } });
    expect(cadreWrite.statusCode).toBe(403);
  });

  it('answers 404 for an unknown campaign and 400 for a region outside the campaign', async () => {
    expect((await app.inject({ url: '/api/v1/campaigns/999999/coverage', headers: as(s) })).statusCode).toBe(404);
    await h.db.insertInto('regions').values({ code: 'ELSEWHERE', name: '别处', level: 'province', parent_code: null, path: 'ELSEWHERE', depth: 0 }).execute();
    const res = await app.inject({ url: `/api/v1/campaigns/${campaignId}/coverage?region=ELSEWHERE`, headers: as(s) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.field).toBe('region');
  });
});
