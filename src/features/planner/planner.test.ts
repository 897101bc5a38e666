import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, as, createTestApp, createTestDatabase, DANDONG, login, makeCadre, makeUnit, makeUser, seedXiangshan, SHIPU, XIANGSHAN, type Session } from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import { addCoverageRule } from '../coverage/coverage.ts';
import { proposePlan } from './planner.ts';

let h: DatabaseHandle;
let app: App;
let s: Session;
let campaignId: number;
let shipuVillageCount: number;

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
  s = await login(app, (await makeUser(h.db, 'admin')).username);
  const county = await h.db.selectFrom('regions').select('path').where('code', '=', XIANGSHAN).executeTakeFirstOrThrow();
  campaignId = (await h.db.insertInto('campaigns').values({ name: '联镇带村', starts_on: '2026-01-01', ends_on: '2026-12-31', region_code: XIANGSHAN, region_path: county.path }).returning('id').executeTakeFirstOrThrow()).id;
  await sql`
    insert into contact_targets (kind, name, name_initials, region_code, region_path)
    select 'village', r.name, '', r.code, r.path from regions r
     where r.level = 'village' and (r.parent_code = ${SHIPU} or r.parent_code = ${DANDONG})`.execute(h.db);
  shipuVillageCount = (await h.db.selectFrom('regions').select((eb) => eb.fn.countAll<number>().as('n')).where('parent_code', '=', SHIPU).executeTakeFirstOrThrow()).n;
  // Shipu's committee has 10 section-level cadres; a county department answers for Shipu too.
  const shipu = await makeUnit(h.db, SHIPU, { name: '中共石浦镇委员会' });
  for (let i = 0; i < 10; i++) await makeCadre(h.db, shipu.id, { name: `石浦干部${i}`, rank: 'section' });
  const dept = await makeUnit(h.db, XIANGSHAN, { name: '象山县农业农村局', level: 'county' });
  for (let i = 0; i < 3; i++) await makeCadre(h.db, dept.id, { name: `农业局干部${i}`, rank: 'section' });
  const dandong = await makeUnit(h.db, DANDONG, { name: '中共丹东街道工委' });
  await makeCadre(h.db, dandong.id, { name: '丹东唯一干部', rank: 'section' });
  await h.db.insertInto('campaign_units').values([
    { campaign_id: campaignId, unit_id: shipu.id },
    { campaign_id: campaignId, unit_id: dept.id, responsible_regions: [SHIPU] },
    { campaign_id: campaignId, unit_id: dandong.id },
  ]).execute();
  await addCoverageRule(h.db, admin, campaignId, { kind: 'target_cadres', params: { targetKinds: ['village', 'community'], min: 1, cadreRanks: ['county', 'section'] } });
  await addCoverageRule(h.db, admin, campaignId, { kind: 'cadre_targets', params: { targetKinds: ['village', 'community'], max: 5 } });
});
afterAll(async () => {
  await app.close();
  await h.close();
});

describe('planning a campaign', () => {
  it('covers every Shipu village with Shipu’s own or its responsible department’s cadres, at most 5 each', async () => {
    const plan = await proposePlan(h.db, admin, campaignId, { region: SHIPU, compareBaseline: true });
    expect(plan.add).toHaveLength(shipuVillageCount);
    expect(new Set(plan.add.map((l) => l.targetId)).size).toBe(shipuVillageCount);
    expect(plan.add.every((l) => l.cadreName.startsWith('石浦干部') || l.cadreName.startsWith('农业局干部'))).toBe(true);
    const perCadre = new Map<number, number>();
    for (const l of plan.add) perCadre.set(l.cadreId, (perCadre.get(l.cadreId) ?? 0) + 1);
    expect(Math.max(...perCadre.values())).toBeLessThanOrEqual(5);
    // Own-township cadres are nearer (5 km) than the county department (20 km): they are used first.
    expect(plan.add.filter((l) => l.cadreName.startsWith('石浦干部')).length).toBeGreaterThanOrEqual(Math.min(50, shipuVillageCount) - 15);
    expect(plan.unmet).toEqual([]);
    expect(plan.add.every((l) => l.role === 'primary')).toBe(true); // one new cadre per village, none had a primary
    expect(plan.keep).toBe(0); // figures describe Shipu only
    expect(plan.baseline).not.toBeNull();
    expect(plan.stats.totalDistanceKm).toBeLessThanOrEqual(plan.baseline!.totalDistanceKm);
  });

  it('explains a township whose cadres cannot cover its villages', async () => {
    const res = await app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaignId}/plan`, headers: as(s), payload: { region: DANDONG } });
    expect(res.statusCode).toBe(200);
    const plan = res.json();
    expect(plan.add).toHaveLength(5); // the one cadre, up to the maximum of 5
    const unmet = plan.unmet.find((u: { ruleId: number; subject: string }) => u.subject === 'target');
    expect(unmet.regionName).toBe('丹东街道');
    expect(unmet.reason).toMatch(/^丹东街道：\d+ 个对象还缺 \d+ 人次/);
    expect(unmet.shortfall).toBe(unmet.count);
  });

  it('plans only the targets asked for, leaving today’s pairings alone', async () => {
    const villages = await h.db.selectFrom('contact_targets').select('id').where('region_code', 'like', '330225101%').orderBy('id').limit(3).execute();
    const cadre = await h.db.selectFrom('cadres').select('id').where('name', '=', '石浦干部0').executeTakeFirstOrThrow();
    await h.db.insertInto('pairings').values({ campaign_id: campaignId, cadre_id: cadre.id, target_id: villages[0]!.id, starts_on: '2026-01-01' }).execute();
    const plan = await proposePlan(h.db, admin, campaignId, { region: SHIPU, targetIds: [villages[1]!.id, villages[2]!.id] });
    expect(plan.keep).toBe(1);
    expect(plan.add.map((l) => l.targetId).sort()).toEqual([villages[1]!.id, villages[2]!.id].sort());
    const again = await proposePlan(h.db, admin, campaignId, { region: SHIPU, targetIds: [villages[0]!.id] });
    expect(again.add).toEqual([]); // already has its section-level cadre

  });

  it('refuses unknown targets, a campaign without rules, and callers without the right or the scope', async () => {
    const bad = await app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaignId}/plan`, headers: as(s), payload: { targetIds: [99999999] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.field).toBe('targetIds');
    const county = await h.db.selectFrom('regions').select('path').where('code', '=', XIANGSHAN).executeTakeFirstOrThrow();
    const empty = await h.db.insertInto('campaigns').values({ name: '无规则活动', starts_on: '2026-01-01', ends_on: '2026-12-31', region_code: XIANGSHAN, region_path: county.path }).returning('id').executeTakeFirstOrThrow();
    const noRules = await app.inject({ method: 'POST', url: `/api/v1/campaigns/${empty.id}/plan`, headers: as(s), payload: {} });
    expect(noRules.statusCode).toBe(400);
    expect(noRules.json().error.message).toContain('覆盖要求');
    const cadre = await login(app, (await makeUser(h.db, 'cadre', { regionCode: SHIPU })).username);
    expect((await app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaignId}/plan`, headers: as(cadre), payload: {} })).statusCode).toBe(403);
    const township = await login(app, (await makeUser(h.db, 'admin', { regionCode: DANDONG })).username);
    const out = await app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaignId}/plan`, headers: as(township), payload: { region: SHIPU } });
    expect(out.statusCode).toBe(404);
    const own = await app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaignId}/plan`, headers: as(township), payload: {} });
    expect(own.statusCode).toBe(200);
    expect(own.json().region.code).toBe(DANDONG);
    const malformed = await app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaignId}/plan`, headers: as(s), payload: { mode: 'everything', targetIds: 'all' } });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.details.fields.map((f: { field: string }) => f.field)).toEqual(expect.arrayContaining(['body.mode', 'body.targetIds']));
  });
});
