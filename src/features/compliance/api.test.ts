import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DANDONG, SHIPU, XIANGSHAN, as, createTestApp, createTestDatabase, login, makeCadre, makeUnit, makeUser, seedXiangshan, testConfig, testDriver, uniq, type Session,
} from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import { systemActor } from '../auth/actor.ts';
import { createActivity } from '../activities/activities.ts';
import { complianceRate } from './views.ts';

// The compliance API on a small county: two townships (丹东 ours, 石浦 theirs), a county campaign
// and a 石浦 township campaign, rules saved through the API and counted by the real engine.

let h: DatabaseHandle;
let app: App;
let campaignId: number;
let shipuCampaignId: number;
let otherCampaignTeam: number;
let teamId: number;
const ids = {} as { dUnit: number; sUnit: number; dA: number; dB: number; sC: number; hD1: number; hD2: number; hS1: number; dVillage: string; sVillage: string };
const s = {} as Record<'county' | 'dandong' | 'shipu' | 'leader' | 'cadre' | 'unlinked', Session>;

const req = (who: Session, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
  app.inject({ method, url, headers: as(who), ...(payload === undefined ? {} : { payload }) });
const fieldsOf = (res: { json: () => { error: { details?: { fields?: { field: string }[] } } } }) => (res.json().error.details?.fields ?? []).map((f) => f.field);
const auditCount = async (action: string, entityId?: number) =>
  (await sql<{ n: number }>`select count(*)::int as n from audit_log where action = ${action} and (${entityId ?? null}::text is null or entity_id = ${String(entityId ?? '')})`.execute(h.db)).rows[0]!.n;
const ruleCount = async () => (await sql<{ n: number }>`select count(*)::int as n from requirement_rules`.execute(h.db)).rows[0]!.n;

const pairingsRule = (over: object = {}) => ({
  rule: { name: '每名干部联系农户至少2户', subject: 'cadre', measure: { kind: 'pairings' }, targets: { kinds: ['household'] }, period: 'campaign', threshold: { op: 'at_least', value: 2 }, ...over },
});
const visitsRule = (over: object = {}) => ({
  rule: { name: '每户每月走访至少1次', subject: 'pairing', measure: { kind: 'activities', activityKinds: ['household_visit'] }, targets: { kinds: ['household'] }, period: 'month', threshold: { op: 'at_least', value: 1 }, ...over },
});

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
  const region = async (code: string) => h.db.selectFrom('regions').select(['code', 'path']).where('code', '=', code).executeTakeFirstOrThrow();
  const county = await region(XIANGSHAN);
  const shipu = await region(SHIPU);
  const village = async (parent: string) => h.db.selectFrom('regions').select(['code', 'path']).where('parent_code', '=', parent).orderBy('code').executeTakeFirstOrThrow();
  const dv = await village(DANDONG);
  const sv = await village(SHIPU);
  ids.dVillage = dv.code;
  ids.sVillage = sv.code;

  campaignId = (await h.db.insertInto('campaigns').values({ name: '万名干部下基层', starts_on: '2026-01-01', ends_on: '2026-12-31', region_code: XIANGSHAN, region_path: county.path, cadre_roles: ['联络员', '指导员'] }).returning('id').executeTakeFirstOrThrow()).id;
  shipuCampaignId = (await h.db.insertInto('campaigns').values({ name: '石浦镇自办活动', starts_on: '2026-01-01', ends_on: '2026-12-31', region_code: SHIPU, region_path: shipu.path }).returning('id').executeTakeFirstOrThrow()).id;

  ids.dUnit = (await makeUnit(h.db, DANDONG, { name: '丹东街道办' })).id;
  ids.sUnit = (await makeUnit(h.db, SHIPU, { name: '石浦镇政府' })).id;
  await h.db.insertInto('campaign_units').values([{ campaign_id: campaignId, unit_id: ids.dUnit }, { campaign_id: campaignId, unit_id: ids.sUnit }]).execute();
  ids.dA = (await makeCadre(h.db, ids.dUnit, { name: '丹东甲', rank: 'section' })).id;
  ids.dB = (await makeCadre(h.db, ids.dUnit, { name: '丹东乙' })).id;
  ids.sC = (await makeCadre(h.db, ids.sUnit, { name: '石浦丙' })).id;

  const target = async (name: string, v: { code: string; path: string }, tags: string[]) =>
    (await h.db.insertInto('contact_targets').values({ kind: 'household', name, name_initials: '', region_code: v.code, region_path: v.path, tags, updated_at: new Date() }).returning('id').executeTakeFirstOrThrow()).id;
  ids.hD1 = await target('丹东李户', dv, ['老党员']);
  ids.hD2 = await target('丹东王户', dv, []);
  ids.hS1 = await target('石浦陈户', sv, ['困难户']);
  const pair = (cadreId: number, targetId: number, cadreRole: string | null = null) =>
    h.db.insertInto('pairings').values({ campaign_id: campaignId, cadre_id: cadreId, target_id: targetId, starts_on: '2026-01-01', cadre_role: cadreRole }).execute();
  await pair(ids.dA, ids.hD1, '联络员');
  await pair(ids.dA, ids.hD2);
  await pair(ids.dB, ids.hD2);
  await pair(ids.sC, ids.hS1);
  teamId = (await h.db.insertInto('teams').values({ campaign_id: campaignId, name: '第1组团', leader_cadre_id: ids.dB }).returning('id').executeTakeFirstOrThrow()).id;
  await h.db.insertInto('team_members').values({ team_id: teamId, cadre_id: ids.dB, joined_on: '2026-01-01' }).execute();
  otherCampaignTeam = (await h.db.insertInto('teams').values({ campaign_id: shipuCampaignId, name: '石浦组团', leader_cadre_id: ids.sC }).returning('id').executeTakeFirstOrThrow()).id;

  // dA visits 丹东李户 this month: that pairing has met the monthly rule.
  const when = new Date(Date.now() - 3_600_000).toISOString();
  await createActivity(h.db, systemActor('test'), { integrity: testConfig().integrity }, { kind: 'household_visit', campaignId, startsAt: when, endsAt: when, participantIds: [ids.dA], targetIds: [ids.hD1] });

  const users = {
    county: await makeUser(h.db, 'admin', { regionCode: XIANGSHAN }),
    dandong: await makeUser(h.db, 'admin', { regionCode: DANDONG }),
    shipu: await makeUser(h.db, 'admin', { regionCode: SHIPU }),
    leader: await makeUser(h.db, 'unit_leader', { unitId: ids.dUnit }),
    cadre: await makeUser(h.db, 'cadre', { regionCode: DANDONG, cadreId: ids.dA }),
    unlinked: await makeUser(h.db, 'cadre', { regionCode: DANDONG }),
  };
  for (const k of Object.keys(users) as (keyof typeof users)[]) s[k] = await login(app, users[k].username);
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

describe(`requirement rules on ${testDriver}`, () => {
  let ruleId: number;

  it('creates a rule, audits it and counts it before answering', async () => {
    const res = await req(s.county, 'POST', `/api/v1/campaigns/${campaignId}/requirement-rules`, pairingsRule());
    expect(res.statusCode, res.body).toBe(201);
    const r = res.json();
    ruleId = r.id;
    expect(r).toMatchObject({ campaignId, version: 1, active: true, atRiskDays: 7, summary: expect.stringContaining('至少2个') });
    // dA holds 2 households (met); dB and sC hold 1 each (at risk while the campaign is open).
    expect(r.current).toEqual({ met: 1, onTrack: 0, atRisk: 2, missed: 0 });
    expect(await auditCount('requirement_rule.create', ruleId)).toBe(1);
    const list = await req(s.county, 'GET', `/api/v1/campaigns/${campaignId}/requirement-rules`);
    expect(list.json().items.map((x: { id: number }) => x.id)).toContain(ruleId);
  });

  it('changes a rule with the version read; a stale version is 409 and changes nothing', async () => {
    const ok = await req(s.county, 'PUT', `/api/v1/requirement-rules/${ruleId}`, { ...pairingsRule({ threshold: { op: 'at_least', value: 1 } }), version: 1 });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ version: 2, current: { met: 3, atRisk: 0 } });
    const stale = await req(s.county, 'PUT', `/api/v1/requirement-rules/${ruleId}`, { ...pairingsRule({ name: '旧版本上的修改' }), version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.details).toMatchObject({ field: 'version', currentVersion: 2 });
    const now = await req(s.county, 'GET', `/api/v1/requirement-rules/${ruleId}`);
    expect(now.json()).toMatchObject({ version: 2, rule: { name: '每名干部联系农户至少2户', threshold: { value: 1 } } });
    expect(await auditCount('requirement_rule.update', ruleId)).toBe(1);
  });

  it('deactivates a rule (views leave it out) and deletes it with its compliance', async () => {
    const off = await req(s.county, 'PUT', `/api/v1/requirement-rules/${ruleId}`, { ...pairingsRule({ threshold: { op: 'at_least', value: 1 } }), active: false, version: 2 });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json()).toMatchObject({ active: false, current: null, version: 3 });
    expect(await auditCount('requirement_rule.deactivate', ruleId)).toBe(1);
    const sum = await req(s.county, 'GET', `/api/v1/compliance/summary?campaignId=${campaignId}`);
    expect(sum.json().byRule.map((b: { ruleId: number }) => b.ruleId)).not.toContain(ruleId);
    // Asked for by id it is still there, with its history.
    const rows = await req(s.county, 'GET', `/api/v1/compliance/rows?campaignId=${campaignId}&ruleId=${ruleId}`);
    expect(rows.json().total).toBe(3);

    const del = await req(s.county, 'DELETE', `/api/v1/requirement-rules/${ruleId}`);
    expect(del.statusCode, del.body).toBe(204);
    expect((await req(s.county, 'GET', `/api/v1/requirement-rules/${ruleId}`)).statusCode).toBe(404);
    const left = await sql<{ n: number }>`select count(*)::int as n from compliance_results where rule_id = ${ruleId}`.execute(h.db);
    expect(left.rows[0]!.n).toBe(0);
    expect(await auditCount('requirement_rule.delete', ruleId)).toBe(1);
    expect((await req(s.county, 'DELETE', `/api/v1/requirement-rules/${ruleId}`)).statusCode).toBe(404);
  });

  it('refuses references the database does not know, every one at its field, and saves nothing', async () => {
    const before = await ruleCount();
    const res = await req(s.county, 'POST', `/api/v1/campaigns/${campaignId}/requirement-rules`, pairingsRule({
      cadres: { unitIds: [ids.dUnit, 2_000_000_000], teamIds: [teamId, otherCampaignTeam], cadreRoles: ['联络员', '宣传员'] },
      targets: { kinds: ['household'], tags: ['老党员', '百岁老人'] },
    }));
    expect(res.statusCode, res.body).toBe(400);
    expect(fieldsOf(res)).toEqual(['rule.cadres.unitIds.1', 'rule.cadres.teamIds.1', 'rule.cadres.cadreRoles.1', 'rule.targets.tags.1']);
    expect(res.body).toContain('宣传员');
    expect(res.body).toContain('百岁老人');
    // The same checks on a change and in the preview.
    const created = await req(s.county, 'POST', `/api/v1/campaigns/${campaignId}/requirement-rules`, pairingsRule({ name: uniq('规则') }));
    expect(created.statusCode).toBe(201);
    const put = await req(s.county, 'PUT', `/api/v1/requirement-rules/${created.json().id}`, { ...pairingsRule({ cadres: { teamIds: [otherCampaignTeam] } }), version: 1 });
    expect(put.statusCode).toBe(400);
    expect(fieldsOf(put)).toEqual(['rule.cadres.teamIds.0']);
    const preview = await req(s.county, 'POST', `/api/v1/campaigns/${campaignId}/requirement-rules/preview`, pairingsRule({ targets: { kinds: ['household'], tags: ['没人有的标签'] } }));
    expect(preview.statusCode).toBe(400);
    expect(fieldsOf(preview)).toEqual(['rule.targets.tags.0']);
    expect(await ruleCount()).toBe(before + 1);
    expect((await req(s.county, 'GET', `/api/v1/requirement-rules/${created.json().id}`)).json().version).toBe(1);
    expect((await req(s.county, 'DELETE', `/api/v1/requirement-rules/${created.json().id}`)).statusCode).toBe(204);
  });

  it.each([
    ['an unknown measure kind', pairingsRule({ measure: { kind: 'visits' } }), 'body.rule.measure.kind'],
    ['an unknown activity kind', visitsRule({ measure: { kind: 'activities', activityKinds: ['picnic'] } }), 'body.rule.measure.activityKinds.0'],
    ['a contradiction (max below min)', pairingsRule({ threshold: { op: 'between', min: 6, max: 4 } }), 'body.rule.threshold.max'],
    ['a festival on a monthly rule', visitsRule({ festival: { name: 'qiyi' } }), 'body.rule.festival'],
    ['an unknown field', pairingsRule({ colour: 'red' }), 'body.rule'],
    ['a NUL in the name', pairingsRule({ name: '规则\u0000' }), 'body.rule.name'],
    ['a NUL in a tag', pairingsRule({ targets: { kinds: ['household'], tags: ['老\u0000党员'] } }), 'body.rule.targets.tags.0'],
    ['a negative at-risk day count', { ...pairingsRule(), atRiskDays: -1 }, 'body.atRiskDays'],
  ])('refuses %s with the field named', async (_label, body, field) => {
    const before = await ruleCount();
    const res = await req(s.county, 'POST', `/api/v1/campaigns/${campaignId}/requirement-rules`, body);
    expect(res.statusCode, res.body).toBe(400);
    expect(fieldsOf(res)).toContain(field);
    expect(await ruleCount()).toBe(before);
  });

  it('needs requirement.configure and a campaign of the caller’s own region', async () => {
    const before = await ruleCount();
    const url = `/api/v1/campaigns/${campaignId}/requirement-rules`;
    expect((await req(s.leader, 'POST', url, pairingsRule())).statusCode).toBe(403);
    expect((await req(s.cadre, 'POST', url, pairingsRule())).statusCode).toBe(403);
    // A township admin reads the county campaign's rules but may not change them.
    expect((await req(s.dandong, 'GET', url)).statusCode).toBe(200);
    expect((await req(s.dandong, 'POST', url, pairingsRule())).statusCode).toBe(403);
    expect((await req(s.dandong, 'POST', `${url}/preview`, pairingsRule())).statusCode).toBe(403);
    // Another township's own campaign does not exist for it.
    const shipuRule = await req(s.shipu, 'POST', `/api/v1/campaigns/${shipuCampaignId}/requirement-rules`, pairingsRule());
    expect(shipuRule.statusCode, shipuRule.body).toBe(201);
    const id = shipuRule.json().id;
    for (const [method, u, body] of [
      ['GET', `/api/v1/campaigns/${shipuCampaignId}/requirement-rules`, undefined],
      ['POST', `/api/v1/campaigns/${shipuCampaignId}/requirement-rules`, pairingsRule()],
      ['POST', `/api/v1/campaigns/${shipuCampaignId}/requirement-rules/preview`, pairingsRule()],
      ['GET', `/api/v1/requirement-rules/${id}`, undefined],
      ['PUT', `/api/v1/requirement-rules/${id}`, { ...pairingsRule(), version: 1 }],
      ['DELETE', `/api/v1/requirement-rules/${id}`, undefined],
      ['GET', `/api/v1/requirement-rules/${id}/windows`, undefined],
      ['GET', `/api/v1/compliance/rows?campaignId=${shipuCampaignId}`, undefined],
      ['GET', `/api/v1/compliance/summary?campaignId=${shipuCampaignId}`, undefined],
      ['POST', '/api/v1/compliance/recompute', { campaignId: shipuCampaignId }],
    ] as const) {
      const res = await req(s.dandong, method, u, body);
      expect(res.statusCode, `${method} ${u}: ${res.body}`).toBe(404);
      expect(res.body).not.toContain('石浦');
    }
    expect(await ruleCount()).toBe(before + 1);
    expect((await req(s.shipu, 'DELETE', `/api/v1/requirement-rules/${id}`)).statusCode).toBe(204);
  });

  it('lists the windows of a rule that have started, newest first, naming the current one', async () => {
    const res = await req(s.county, 'POST', `/api/v1/campaigns/${campaignId}/requirement-rules`, visitsRule({ name: uniq('月度') }));
    expect(res.statusCode, res.body).toBe(201);
    const w = await req(s.dandong, 'GET', `/api/v1/requirement-rules/${res.json().id}/windows`);
    expect(w.statusCode).toBe(200);
    const list = w.json() as { windowKey: string; name: string; current: boolean }[];
    const month = new Date().toISOString().slice(0, 7);
    expect(list[0]).toMatchObject({ windowKey: month, name: '本月', current: true });
    expect(list.at(-1)).toMatchObject({ windowKey: '2026-01', current: false });
    expect(list.filter((x) => x.current)).toHaveLength(1);
    expect((await req(s.county, 'DELETE', `/api/v1/requirement-rules/${res.json().id}`)).statusCode).toBe(204);
  });
});

describe(`compliance views on ${testDriver}`, () => {
  let cadreRule: number;
  let pairingRule: number;
  beforeAll(async () => {
    const a = await req(s.county, 'POST', `/api/v1/campaigns/${campaignId}/requirement-rules`, pairingsRule({ name: '视图：每名干部联系农户至少2户' }));
    const b = await req(s.county, 'POST', `/api/v1/campaigns/${campaignId}/requirement-rules`, visitsRule({ name: '视图：每户每月走访至少1次' }));
    expect(a.statusCode, a.body).toBe(201);
    expect(b.statusCode, b.body).toBe(201);
    cadreRule = a.json().id;
    pairingRule = b.json().id;
  });
  const rows = async (who: Session, q = '') => {
    const res = await req(who, 'GET', `/api/v1/compliance/rows?campaignId=${campaignId}&pageSize=200${q}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { total: number; items: { ruleId: number; subjectName: string; cadreId: number | null; status: string; regionCode: string | null; unitName: string | null }[] };
  };

  it('lists rows worst first, each explained, as far as the caller sees', async () => {
    const all = await rows(s.county);
    // 3 cadres + 4 pairings.
    expect(all.total).toBe(7);
    const rank = { missed: 0, at_risk: 1, on_track: 2, met: 3 } as Record<string, number>;
    const ranks = all.items.map((r) => rank[r.status]!);
    expect(ranks).toEqual([...ranks].sort((x, y) => x - y));
    const met = all.items.find((r) => r.ruleId === pairingRule && r.status === 'met');
    expect(met?.subjectName).toContain('丹东李户');

    const dandong = await rows(s.dandong);
    expect(dandong.total).toBe(5);
    expect(dandong.items.every((r) => !r.subjectName.includes('石浦'))).toBe(true);
    const shipu = await rows(s.shipu);
    expect(shipu.total).toBe(2);
    expect(shipu.items.every((r) => r.subjectName.includes('石浦'))).toBe(true);
    const leader = await rows(s.leader);
    expect(leader.items.every((r) => r.unitName === '丹东街道办')).toBe(true);
    expect(leader.total).toBe(5);
    // A cadre sees rows about themself (their cadre row and their two pairings), nobody else's.
    const cadre = await rows(s.cadre);
    expect(cadre.total).toBe(3);
    expect(cadre.items.every((r) => r.cadreId === ids.dA)).toBe(true);
    expect((await rows(s.unlinked)).total).toBe(0);
    // Filters.
    expect((await rows(s.county, `&ruleId=${cadreRule}`)).total).toBe(3);
    expect((await rows(s.county, '&subject=pairing')).total).toBe(4);
    expect((await rows(s.county, '&status=met&status=missed')).items.every((r) => r.status === 'met' || r.status === 'missed')).toBe(true);
    expect((await rows(s.county, `&regionCode=${SHIPU}`)).total).toBe(2);
    expect((await rows(s.county, `&unitId=${ids.dUnit}`)).total).toBe(5);
    expect((await rows(s.county, `&cadreId=${ids.dB}`)).total).toBe(2);
    expect((await rows(s.county, `&targetId=${ids.hD2}`)).total).toBe(2);
    expect((await rows(s.county, '&windowKey=2026-03')).items.every((r) => r.ruleId === pairingRule)).toBe(true);
  });

  it('refuses bad query parameters and answers out-of-scope places like missing ones', async () => {
    for (const [q, field] of [
      ['status=done', 'querystring.status'],
      ['windowKey=last-month', 'querystring.windowKey'],
      ['subject=household', 'querystring.subject'],
      ['regionCode=abc', 'querystring.regionCode'],
      ['unitId=0', 'querystring.unitId'],
      ['pageSize=1000', 'querystring.pageSize'],
    ] as const) {
      const res = await req(s.county, 'GET', `/api/v1/compliance/rows?campaignId=${campaignId}&${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(fieldsOf(res)[0]).toBe(field);
    }
    expect((await req(s.county, 'GET', '/api/v1/compliance/rows')).statusCode).toBe(400);
    expect((await req(s.county, 'GET', `/api/v1/compliance/summary?campaignId=${campaignId}&by=town`)).statusCode).toBe(400);
    expect((await req(s.dandong, 'GET', `/api/v1/compliance/rows?campaignId=${campaignId}&regionCode=${SHIPU}`)).statusCode).toBe(404);
    expect((await req(s.dandong, 'GET', `/api/v1/compliance/rows?campaignId=${campaignId}&unitId=${ids.sUnit}`)).statusCode).toBe(404);
    expect((await req(s.dandong, 'GET', `/api/v1/compliance/summary?campaignId=${campaignId}&regionCode=${SHIPU}`)).statusCode).toBe(404);
    expect((await req(s.dandong, 'GET', `/api/v1/compliance/summary?campaignId=${campaignId}&by=unit&unitId=${ids.sUnit}`)).statusCode).toBe(404);
    expect((await req(s.county, 'GET', `/api/v1/compliance/rows?campaignId=${campaignId}&ruleId=2000000000`)).statusCode).toBe(404);
  });

  it('rolls up by region and by unit one level at a time; the rows and 本级 add up to the total and to the rows', async () => {
    const sumOf = (list: { counts: Record<string, number> }[], k: string) => list.reduce((n, r) => n + r.counts[k]!, 0);
    for (const [who, expected] of [[s.county, 7], [s.dandong, 5], [s.shipu, 2]] as const) {
      const res = await req(who, 'GET', `/api/v1/compliance/summary?campaignId=${campaignId}`);
      expect(res.statusCode, res.body).toBe(200);
      const sum = res.json();
      expect(sum.total.total).toBe(expected);
      for (const k of ['met', 'onTrack', 'atRisk', 'missed', 'total']) expect(sumOf(sum.rows, k)).toBe(sum.total[k]);
      expect(sumOf(sum.byRule, 'total')).toBe(expected);
      expect(sum.total.total).toBe((await rows(who)).total);
    }
    const county = (await req(s.county, 'GET', `/api/v1/compliance/summary?campaignId=${campaignId}`)).json();
    expect(county.parent.key).toBe(XIANGSHAN);
    const row = (code: string) => county.rows.find((r: { key: string }) => r.key === code);
    // Cadre rows sit at the unit's township, pairing rows at the village: 丹东 has 2 cadres + 3 pairings.
    expect(row(DANDONG).counts.total).toBe(5);
    expect(row(SHIPU).counts.total).toBe(2);
    expect(row(SHIPU).hasChildren).toBe(true);
    // Drill down into 丹东: the villages, and a 本级 row for the cadres whose unit sits at the township.
    const down = (await req(s.county, 'GET', `/api/v1/compliance/summary?campaignId=${campaignId}&regionCode=${DANDONG}`)).json();
    expect(down.total.total).toBe(5);
    const own = down.rows.find((r: { own: boolean }) => r.own);
    expect(own).toMatchObject({ key: DANDONG, name: expect.stringContaining('本级') });
    expect(own.counts.total).toBe(2);
    expect(down.rows.find((r: { key: string }) => r.key === ids.dVillage).counts.total).toBe(3);
    for (const k of ['met', 'onTrack', 'atRisk', 'missed', 'total']) expect(sumOf(down.rows, k)).toBe(down.total[k]);

    const byUnit = (await req(s.county, 'GET', `/api/v1/compliance/summary?campaignId=${campaignId}&by=unit`)).json();
    expect(byUnit.rows.map((r: { key: string }) => Number(r.key)).sort()).toEqual([ids.dUnit, ids.sUnit].sort());
    for (const k of ['met', 'onTrack', 'atRisk', 'missed', 'total']) expect(sumOf(byUnit.rows, k)).toBe(byUnit.total[k]);
    const mine = (await req(s.leader, 'GET', `/api/v1/compliance/summary?campaignId=${campaignId}&by=unit`)).json();
    expect(mine.parent.key).toBe(String(ids.dUnit));
    expect(mine.total.total).toBe(5);
    expect(mine.rows).toEqual([expect.objectContaining({ own: true, counts: expect.objectContaining({ total: 5 }) })]);
  });

  it('the rate is met ÷ (met + missed), the same in the summary and in complianceRate', async () => {
    const sum = (await req(s.county, 'GET', `/api/v1/compliance/summary?campaignId=${campaignId}`)).json();
    const t = sum.total;
    expect(t.decided).toBe(t.met + t.missed);
    expect(t.rate).toBe(t.decided === 0 ? null : Math.round((t.met / t.decided) * 10_000) / 10_000);
    // The current windows: this month's (the pairing rule) and the campaign's (the cadre rule) are the ones ending from this month's end.
    const today = new Date();
    const monthEnd = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
    const rate = await complianceRate(h.db, { campaignId, windowEndFrom: monthEnd });
    expect(rate.met).toBe(t.met);
    expect(rate.total).toBe(t.decided);
    // Ended windows only: March has ended, so every pairing row there is settled.
    const march = await complianceRate(h.db, { campaignId, windowEndFrom: '2026-03-01', windowEndTo: '2026-03-31' });
    expect(march.total).toBe(4);
    expect(march.rate).toBe(0);
    const dandong = await h.db.selectFrom('regions').select('path').where('code', '=', DANDONG).executeTakeFirstOrThrow();
    expect((await complianceRate(h.db, { campaignId, regionPath: dandong.path, windowEndFrom: '2026-03-01', windowEndTo: '2026-03-31' })).total).toBe(3);
  });

  it('previews an unsaved rule without saving anything, cut to the caller’s sight', async () => {
    const before = await ruleCount();
    const stored = (await sql<{ n: number }>`select count(*)::int as n from compliance_results`.execute(h.db)).rows[0]!.n;
    const res = await req(s.county, 'POST', `/api/v1/campaigns/${campaignId}/requirement-rules/preview`, visitsRule({ name: '预览' }));
    expect(res.statusCode, res.body).toBe(200);
    const p = res.json();
    expect(p.window).toMatchObject({ windowKey: new Date().toISOString().slice(0, 7), current: true, name: '本月' });
    expect(p.counts.total).toBe(4);
    expect(p.counts.met).toBe(1);
    expect(p.sample.at(-1)).toMatchObject({ status: 'met', subjectName: expect.stringContaining('丹东李户') });
    expect(p.sample[0].explanation).toBeTruthy();
    expect(await ruleCount()).toBe(before);
    expect((await sql<{ n: number }>`select count(*)::int as n from compliance_results`.execute(h.db)).rows[0]!.n).toBe(stored);
    const shipu = (await req(s.shipu, 'POST', `/api/v1/campaigns/${shipuCampaignId}/requirement-rules/preview`, visitsRule())).json();
    expect(shipu.counts.total).toBe(0);
  });

  it('recomputes for an admin only, audited; rule ids must be the campaign’s', async () => {
    expect((await req(s.leader, 'POST', '/api/v1/compliance/recompute', { campaignId })).statusCode).toBe(403);
    expect((await req(s.dandong, 'POST', '/api/v1/compliance/recompute', { campaignId })).statusCode).toBe(403);
    const bad = await req(s.county, 'POST', '/api/v1/compliance/recompute', { campaignId, ruleIds: [cadreRule, 2_000_000_000] });
    expect(bad.statusCode).toBe(400);
    expect(fieldsOf(bad)).toEqual(['ruleIds.1']);
    expect(fieldsOf(await req(s.county, 'POST', '/api/v1/compliance/recompute', { ruleIds: [cadreRule] }))).toEqual(['campaignId']);
    expect(fieldsOf(await req(s.county, 'POST', '/api/v1/compliance/recompute', { campaignId: 0 }))).toEqual(['body.campaignId']);
    const before = await auditCount('compliance.recompute');
    const ok = await req(s.county, 'POST', '/api/v1/compliance/recompute', { campaignId });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().rules).toBe(2);
    const all = await req(s.county, 'POST', '/api/v1/compliance/recompute', {});
    expect(all.statusCode).toBe(200);
    expect(await auditCount('compliance.recompute')).toBe(before + 2);
    expect((await rows(s.county)).total).toBe(7);
  });
});
