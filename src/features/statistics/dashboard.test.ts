import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardResult, FigureValue } from '../../../contracts/statistics.ts';
import {
  DANDONG, SHIPU, XIANGSHAN, actorFor, admin, as, createTestApp, createTestDatabase, login, makeCadre, makeUnit, makeUser, seedXiangshan, testConfig, testDriver, testKey, type Session,
} from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import { createActivity } from '../activities/activities.ts';
import type { Actor } from '../auth/actor.ts';
import { createTicket } from '../tickets/tickets.ts';
import { dashboard, judge, rankBy, trendPeriods } from './dashboard.ts';

// The dashboard on a small county whose every number is known: three townships with compliance
// at exactly 90% (石浦, green), 70% (丹东, amber) and 50% (a third, red); five cadres whose field
// records tie; one overdue ticket and one open integrity flag.

let h: DatabaseHandle;
let app: App;
let campaignId: number;
let third: { code: string; name: string; path: string };
const ids = {} as Record<'dUnit' | 'sUnit' | 'cUnit' | 'dA' | 'dB' | 'sC' | 'cD' | 'cE' | 'hD1' | 'hS1' | 'stay', number>;
const s = {} as Record<'county' | 'shipu' | 'cadre', Session>;
let countyActor: Actor;
const YEAR = { from: '2026-01-01', to: '2026-06-30' };
const NOW = new Date('2026-06-30T12:00:00+08:00');

const fig = (list: FigureValue[], key: string) => list.find((f) => f.key === key);
const fieldsOf = (res: { json: () => { error: { details?: { fields?: { field: string }[] } } } }) => (res.json().error.details?.fields ?? []).map((f) => f.field);
const child = (d: DashboardResult, code: string) => d.children.find((c) => c.code === code)!;

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
  const region = (code: string) => h.db.selectFrom('regions').select(['code', 'name', 'path']).where('code', '=', code).executeTakeFirstOrThrow();
  const village = (parent: string) => h.db.selectFrom('regions').select(['code', 'name', 'path']).where('parent_code', '=', parent).orderBy('code').executeTakeFirstOrThrow();
  const county = await region(XIANGSHAN);
  const dandong = await region(DANDONG);
  const shipu = await region(SHIPU);
  third = await h.db.selectFrom('regions').select(['code', 'name', 'path']).where('parent_code', '=', XIANGSHAN).where('code', 'not in', [DANDONG, SHIPU])
    .orderBy('code').executeTakeFirstOrThrow();
  const dv = await village(DANDONG);
  const sv = await village(SHIPU);

  campaignId = (await h.db.insertInto('campaigns').values({ name: '万名干部下基层', starts_on: '2026-01-01', ends_on: '2026-12-31', region_code: XIANGSHAN, region_path: county.path })
    .returning('id').executeTakeFirstOrThrow()).id;
  ids.dUnit = (await makeUnit(h.db, DANDONG, { name: '丹东街道办' })).id;
  ids.sUnit = (await makeUnit(h.db, SHIPU, { name: '石浦镇政府' })).id;
  ids.cUnit = (await makeUnit(h.db, XIANGSHAN, { name: '县农业农村局', level: 'county' })).id;
  await h.db.insertInto('campaign_units').values([
    { campaign_id: campaignId, unit_id: ids.dUnit }, { campaign_id: campaignId, unit_id: ids.sUnit }, { campaign_id: campaignId, unit_id: ids.cUnit, responsible_regions: [SHIPU] },
  ]).execute();
  ids.dA = (await makeCadre(h.db, ids.dUnit, { name: '丹东甲' })).id;
  ids.dB = (await makeCadre(h.db, ids.dUnit, { name: '丹东乙' })).id;
  ids.sC = (await makeCadre(h.db, ids.sUnit, { name: '石浦丙' })).id;
  ids.cD = (await makeCadre(h.db, ids.cUnit, { name: '农业丁' })).id;
  ids.cE = (await makeCadre(h.db, ids.cUnit, { name: '农业戊' })).id;

  const target = async (name: string, v: { code: string; path: string }) =>
    (await h.db.insertInto('contact_targets').values({ kind: 'household', name, name_initials: '', region_code: v.code, region_path: v.path, tags: [], updated_at: new Date() }).returning('id').executeTakeFirstOrThrow()).id;
  ids.hD1 = await target('丹东李户', dv);
  ids.hS1 = await target('石浦陈户', sv);

  const deps = { integrity: testConfig().integrity };
  const record = async (kind: 'stay' | 'household_visit', startsAt: string, endsAt: string, participantIds: number[], targetIds: number[]) =>
    (await createActivity(h.db, admin, deps, { kind, campaignId, startsAt, endsAt, participantIds, targetIds })).activity.id;
  // 丹东: a 3-day stay (dA) in March and a visit (dA + dB); 石浦: two visits to one household in April (sC, then cD).
  ids.stay = await record('stay', '2026-03-10T09:00:00+08:00', '2026-03-12T17:00:00+08:00', [ids.dA], [ids.hD1]);
  await record('household_visit', '2026-03-15T10:00:00+08:00', '2026-03-15T11:00:00+08:00', [ids.dA, ids.dB], [ids.hD1]);
  await record('household_visit', '2026-04-02T10:00:00+08:00', '2026-04-02T11:00:00+08:00', [ids.sC], [ids.hS1]);
  await record('household_visit', '2026-04-03T10:00:00+08:00', '2026-04-03T11:00:00+08:00', [ids.cD], [ids.hS1]);
  // Outside the period: counted nowhere.
  await record('household_visit', '2026-07-03T10:00:00+08:00', '2026-07-03T11:00:00+08:00', [ids.cE], [ids.hS1]);

  // Compliance of a cadre rule, decided rows written as the engine keeps them: 石浦 9/10, 丹东 7/10, the third 1/2.
  const ruleId = (await h.db.insertInto('requirement_rules').values({ campaign_id: campaignId, name: '每月走访', rule: JSON.stringify({ subject: 'cadre' }) })
    .returning('id').executeTakeFirstOrThrow()).id;
  const units = await h.db.selectFrom('units').select(['id', 'path']).execute();
  const unitPath = (id: number) => units.find((u) => u.id === id)!.path;
  let subject = 0;
  // A cadre rule has one row per cadre and window (the engine's): a cadre missing several misses several months.
  const rows = (regionPath: string, met: number, missedBy: number[], unitId: number) => [
    ...Array.from({ length: met }, () => ({ status: 'met' as const, cadre: null as number | null, month: 3 })),
    ...missedBy.map((c, i) => ({ status: 'missed' as const, cadre: c, month: 3 + missedBy.slice(0, i).filter((x) => x === c).length })),
  ].map((r) => ({
    rule_id: ruleId, window_key: `2026-0${r.month}`, subject_id: ++subject, window_start: `2026-0${r.month}-01`, window_end: `2026-0${r.month}-28`, subject_name: `对象${subject}`,
    count: r.status === 'met' ? 1 : 0, required_min: 1, required_max: null, status: r.status, reason: '', explanation: '',
    cadre_id: r.cadre, unit_id: unitId, unit_path: unitPath(unitId), region_path: regionPath, computed_at: new Date(),
  }));
  await h.db.insertInto('compliance_results').values([
    ...rows(shipu.path, 9, [ids.sC], ids.sUnit),
    ...rows(dandong.path, 7, [ids.dA, ids.dA, ids.dA], ids.dUnit),
    ...rows(third.path, 1, [ids.cD], ids.cUnit),
  ]).execute();

  // An open ticket dispatched to 石浦镇政府 in May, long past its deadline by the end of June.
  const hotline = await actorFor(h.db, await makeUser(h.db, 'hotline_operator', { regionCode: XIANGSHAN }));
  await createTicket(h.db, hotline, testKey, {
    source: 'hotline', type: 'consult', categoryCode: 'infrastructure.water', urgency: 'normal', title: '咨询停水安排', content: '请问何时恢复供水？',
    requester: { name: '林秀英', phone: '13957410001' }, regionCode: SHIPU, address: '金秋路8号', campaignId, dispatch: { unitId: ids.sUnit },
  }, { now: new Date('2026-05-06T09:00:00+08:00') });

  // One integrity flag nobody has cleared, on the stay (those the checks raised as the records went in are cleared).
  // The records are marked checked first: the app's background worker would otherwise re-check them and remove the flag as stale.
  await h.db.updateTable('activities').set({ integrity_checked_at: new Date() }).execute();
  await h.db.updateTable('integrity_flags').set({ cleared_at: new Date(), clear_reason: '测试' }).execute();
  await h.db.insertInto('integrity_flags').values({ activity_id: ids.stay, check_kind: 'double_stay', evidence: JSON.stringify({}), region_path: dandong.path }).execute();

  const users = {
    county: await makeUser(h.db, 'leadership', { regionCode: XIANGSHAN }),
    shipu: await makeUser(h.db, 'admin', { regionCode: SHIPU }),
    cadre: await makeUser(h.db, 'cadre', { unitId: ids.dUnit, cadreId: ids.dA }),
  };
  countyActor = await actorFor(h.db, users.county);
  for (const k of Object.keys(users) as (keyof typeof users)[]) s[k] = await login(app, users[k].username);
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const get = (who: Session | null, query: Record<string, string | number>) =>
  app.inject({ method: 'GET', url: `/api/v1/statistics/dashboard?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}`, headers: who ? as(who) : {} });

describe('the rules, pure', () => {
  it('judges red/amber/green at the stated thresholds, the worse measure winning', () => {
    const f = (compliance: number | null, onTime: number | null): FigureValue[] => [{ key: 'complianceRate', value: compliance }, { key: 'onTimeRate', value: onTime }];
    expect(judge(f(0.9, null)).rag).toBe('green');
    expect(judge(f(0.8999, null)).rag).toBe('amber');
    expect(judge(f(0.7, null)).rag).toBe('amber');
    expect(judge(f(0.6999, null)).rag).toBe('red');
    expect(judge(f(null, 0.9)).rag).toBe('green');
    expect(judge(f(null, 0.8)).rag).toBe('amber');
    expect(judge(f(null, 0.7999)).rag).toBe('red');
    expect(judge(f(0.95, 0.79))).toEqual({ rag: 'red', reasons: ['按期办结率79.0%（低于80.0%）'] });
    expect(judge(f(0.75, 0.85))).toEqual({ rag: 'amber', reasons: ['履职达标率75.0%（低于90.0%）', '按期办结率85.0%（低于90.0%）'] });
    expect(judge(f(null, null)).rag).toBe('amber');
  });

  it('ranks ties together (1, 1, 3)', () => {
    expect(rankBy([{ score: 5 }, { score: 3 }, { score: 3 }, { score: 1 }]).map((x) => x.rank)).toEqual([1, 2, 2, 4]);
    expect(rankBy([])).toEqual([]);
  });

  it('trends daily up to 61 days, monthly beyond', () => {
    expect(trendPeriods('2026-03-01', '2026-04-30')).toMatchObject({ granularity: 'day' });
    expect(trendPeriods('2026-03-01', '2026-04-30').periods).toHaveLength(61);
    expect(trendPeriods('2026-03-01', '2026-05-01')).toEqual({ granularity: 'month', periods: ['2026-03', '2026-04', '2026-05'] });
    expect(trendPeriods('2025-12-15', '2026-01-02').periods.at(-1)).toBe('2026-01-02');
    expect(trendPeriods('2025-11-15', '2026-02-01').periods).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
  });
});

describe(`the dashboard on ${testDriver}`, () => {
  let d: DashboardResult;
  beforeAll(async () => {
    d = await dashboard(h.db, countyActor, { campaignId, ...YEAR }, NOW);
  });

  it('gives the headline figures of the scope', () => {
    expect(d.scope).toMatchObject({ campaign: { id: campaignId }, region: { code: XIANGSHAN }, from: YEAR.from, to: YEAR.to });
    expect(fig(d.figures, 'stayDays')?.value).toBe(3);
    expect(fig(d.figures, 'householdsVisited')?.value).toBe(2);
    expect(fig(d.figures, 'complianceRate')).toMatchObject({ numerator: 17, denominator: 22, value: 0.7727 });
  });

  it('shows every township one level down with its figures and RAG by the stated rule', async () => {
    const townships = await h.db.selectFrom('regions').select('code').where('parent_code', '=', XIANGSHAN).execute();
    expect(d.children.map((c) => c.code).sort()).toEqual(townships.map((t) => t.code).sort());
    expect(fig(child(d, DANDONG).figures, 'stayDays')?.value).toBe(3);
    expect(fig(child(d, SHIPU).figures, 'householdsVisited')?.value).toBe(1);
    expect(child(d, SHIPU)).toMatchObject({ rag: 'green', ragReasons: [], level: 'township' });
    expect(child(d, DANDONG)).toMatchObject({ rag: 'amber', ragReasons: ['履职达标率70.0%（低于90.0%）'] });
    expect(child(d, third.code)).toMatchObject({ rag: 'red', ragReasons: ['履职达标率50.0%（低于70.0%）'] });
  });

  it('trends by month over the period, zero months included', () => {
    expect(d.trend.granularity).toBe('month');
    expect(d.trend.points.map((p) => p.period)).toEqual(['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06']);
    expect(d.trend.points.map((p) => fig(p.figures, 'stayDays')?.value)).toEqual([0, 0, 3, 0, 0, 0]);
    expect(d.trend.points.map((p) => fig(p.figures, 'householdsVisited')?.value)).toEqual([0, 0, 1, 1, 0, 0]);
  });

  it('ranks regions by compliance, units by participations per cadre, cadres by records, ties sharing a rank', () => {
    expect(d.rankings.regions).toEqual([
      { code: SHIPU, name: expect.any(String), score: 90, rank: 1 },
      { code: DANDONG, name: expect.any(String), score: 70, rank: 2 },
      { code: third.code, name: third.name, score: 50, rank: 3 },
    ]);
    // Participations (人次) per cadre in post: 丹东街道办 3 (one record with both its cadres) ÷ 2,
    // 石浦镇政府 1 ÷ 1, 县农业农村局 1 ÷ 2 (it answers for 石浦 in the campaign).
    expect(d.rankings.units.map((u) => [u.name, u.score, u.rank])).toEqual([['丹东街道办', 1.5, 1], ['石浦镇政府', 1, 2], ['县农业农村局', 0.5, 3]]);
    expect(d.rankings.cadresRanked).toBe(5);
    expect(d.rankings.cadres.map((c) => [c.name, c.score, c.rank])).toEqual([
      // Ties in registration order (丹东乙, 石浦丙, 农业丁 were registered in that order).
      ['丹东甲', 2, 1], ['丹东乙', 1, 2], ['石浦丙', 1, 2], ['农业丁', 1, 2], ['农业戊', 0, 5],
    ]);
  });

  it('warns red first: regions below thresholds, cadres with missed duties, overdue tickets, open flags — each with a link', () => {
    const w = (subject: string) => d.warnings.find((x) => x.subject === subject);
    expect(w(third.name)).toMatchObject({ level: 'red', link: expect.stringContaining(`region=${third.code}`) });
    expect(w('丹东甲')).toEqual({ level: 'red', subject: '丹东甲', message: '履职要求未达标3项', link: `/cadres/${ids.dA}` });
    expect(w('石浦丙')).toMatchObject({ level: 'amber', message: '履职要求未达标1项' });
    expect(w('石浦镇政府')).toEqual({ level: 'amber', subject: '石浦镇政府', message: '超期未办结工单1件', link: `/tickets?state=open&mark=overdue&unitId=${ids.sUnit}` });
    expect(w('防形式主义核查：重复蹲点')).toMatchObject({ level: 'amber', message: '未核销的疑点1条', link: '/integrity?check=double_stay' });
    const levels = d.warnings.map((x) => x.level);
    expect(levels.indexOf('amber')).toBeGreaterThan(levels.lastIndexOf('red'));
  });

  it('trends by day for a short period', async () => {
    const march = await dashboard(h.db, countyActor, { campaignId, from: '2026-03-01', to: '2026-03-31' }, NOW);
    expect(march.trend.granularity).toBe('day');
    expect(march.trend.points).toHaveLength(31);
    expect(fig(march.trend.points.find((p) => p.period === '2026-03-10')!.figures, 'stayDays')?.value).toBe(3);
  });

  it('drills down: a township shows its villages and only its own records', async () => {
    const shipu = await dashboard(h.db, countyActor, { campaignId, regionCode: SHIPU, ...YEAR }, NOW);
    expect(shipu.scope.region?.code).toBe(SHIPU);
    expect(shipu.children.every((c) => c.level === 'village')).toBe(true);
    expect(fig(shipu.figures, 'stayDays')?.value).toBe(0);
    expect(fig(shipu.figures, 'householdsVisited')?.value).toBe(1);
    // 石浦镇政府 and 县农业农村局 (which answers for 石浦); 丹东 is not in sight.
    expect(shipu.rankings.units.map((u) => u.name).sort()).toEqual(['县农业农村局', '石浦镇政府'].sort());
    expect(shipu.warnings.some((x) => x.subject === '丹东甲')).toBe(false);
  });
});

describe(`GET /api/v1/statistics/dashboard on ${testDriver}`, () => {
  it('answers the same as the domain function', async () => {
    const res = await get(s.county, { campaignId, ...YEAR });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as DashboardResult;
    expect(fig(body.figures, 'stayDays')?.value).toBe(3);
    expect(body.children.length).toBeGreaterThan(2);
  });

  it('keeps a township account inside its township: its own by default, another township is 404', async () => {
    const own = await get(s.shipu, YEAR);
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json().scope.region.code).toBe(SHIPU);
    expect(fig(own.json().figures, 'stayDays')?.value).toBe(0);
    const other = await get(s.shipu, { regionCode: DANDONG, ...YEAR });
    expect(other.statusCode).toBe(404);
    const county = await get(s.shipu, { regionCode: XIANGSHAN, ...YEAR });
    expect(county.statusCode).toBe(404);
  });

  it('refuses bad input with the field at fault', async () => {
    const backwards = await get(s.county, { from: '2026-06-30', to: '2026-01-01' });
    expect(backwards.statusCode).toBe(400);
    expect(fieldsOf(backwards)).toEqual(['querystring.to']);
    const badDate = await get(s.county, { from: '2026-13-01', to: '2026-12-31' });
    expect(badDate.statusCode).toBe(400);
    expect(fieldsOf(badDate)).toContain('querystring.from');
    expect((await get(s.county, { to: '2026-12-31' })).statusCode).toBe(400);
    expect((await get(s.county, { regionCode: 'abc', ...YEAR })).statusCode).toBe(400);
    expect((await get(s.county, { campaignId: 999_999, ...YEAR })).statusCode).toBe(404);
    expect((await get(s.county, { regionCode: '999999999999', ...YEAR })).statusCode).toBe(404);
  });

  it('is for staff, not for a cadre or an anonymous caller', async () => {
    expect((await get(s.cadre, YEAR)).statusCode).toBe(403);
    expect((await get(null, YEAR)).statusCode).toBe(401);
  });
});

describe(`the cadre ranking of a scope with more cadres than both ends show, on ${testDriver}`, () => {
  // 25 cadres of one unit in a campaign of their own, with 5, 5, 4, 4, 4, 3, … 0 records: the
  // ranking shows the top ten and the bottom ten, each with its position among all 25 and its
  // rank (one more than the cadres scoring higher), in (score desc, cadre number) order.
  const scores = [5, 5, 4, 4, 4, 3, 3, 3, 3, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  let ranked: DashboardResult['rankings'];
  let warnings: DashboardResult['warnings'];
  // Missed duties of 排名00 … 排名13 (the rest none).
  const missed = [1, 3, 2, 2, 1, 2, 2, 1, 2, 1, 2, 1, 1, 3];
  const idOf: { id: number; name: string; score: number; missed: number }[] = [];
  beforeAll(async () => {
    const own = (await h.db.insertInto('campaigns').values({ name: '排名专项', starts_on: '2026-01-01', ends_on: '2026-12-31', region_code: XIANGSHAN, region_path: (await h.db.selectFrom('regions').select('path').where('code', '=', XIANGSHAN).executeTakeFirstOrThrow()).path })
      .returning('id').executeTakeFirstOrThrow()).id;
    const unitId = (await makeUnit(h.db, third.code, { name: '排名镇政府' })).id;
    await h.db.insertInto('campaign_units').values({ campaign_id: own, unit_id: unitId }).execute();
    const village = await h.db.selectFrom('regions').select(['code', 'path']).where('parent_code', '=', third.code).orderBy('code').executeTakeFirstOrThrow();
    const household = (await h.db.insertInto('contact_targets').values({ kind: 'household', name: '排名户', name_initials: '', region_code: village.code, region_path: village.path, tags: [], updated_at: new Date() })
      .returning('id').executeTakeFirstOrThrow()).id;
    const deps = { integrity: testConfig().integrity };
    // Created in reverse name order, so ids do not follow names.
    const cadres = idOf;
    for (let i = scores.length - 1; i >= 0; i--) {
      const name = `排名${String(i).padStart(2, '0')}`;
      cadres.push({ id: (await makeCadre(h.db, unitId, { name })).id, name, score: scores[i]!, missed: missed[i] ?? 0 });
    }
    let day = 1;
    for (const c of cadres) {
      for (let k = 0; k < c.score; k++, day++) {
        const d = `2026-04-${String(1 + (day % 28)).padStart(2, '0')}`;
        await createActivity(h.db, admin, deps, { kind: 'household_visit', campaignId: own, startsAt: `${d}T${String(8 + (day % 9)).padStart(2, '0')}:00:00+08:00`, endsAt: `${d}T${String(8 + (day % 9)).padStart(2, '0')}:30:00+08:00`, participantIds: [c.id], targetIds: [household] });
      }
    }
    // Missed duties of a cadre rule of the campaign for the first fourteen cadres, ties crossing the tenth place.
    const ruleId = (await h.db.insertInto('requirement_rules').values({ campaign_id: own, name: '每周走访', rule: JSON.stringify({ subject: 'cadre' }) })
      .returning('id').executeTakeFirstOrThrow()).id;
    const unitPath = (await h.db.selectFrom('units').select('path').where('id', '=', unitId).executeTakeFirstOrThrow()).path;
    let subject = 0;
    await h.db.insertInto('compliance_results').values(cadres.flatMap((c) => {
      return Array.from({ length: c.missed }, (_, k) => ({
        rule_id: ruleId, window_key: `2026-0${3 + k}`, subject_id: ++subject, window_start: `2026-0${3 + k}-01`, window_end: `2026-0${3 + k}-28`, subject_name: `对象${subject}`,
        count: 0, required_min: 1, required_max: null, status: 'missed' as const, reason: '', explanation: '',
        cadre_id: c.id, unit_id: unitId, unit_path: unitPath, region_path: third.path, computed_at: new Date(),
      }));
    })).execute();
    const d = await dashboard(h.db, countyActor, { campaignId: own, ...YEAR }, NOW);
    ranked = d.rankings;
    warnings = d.warnings;
  });

  it('shows the top and bottom ten with ranks that ties share', () => {
    expect(ranked.cadresRanked).toBe(25);
    const rankOf = (s: number) => 1 + scores.filter((x) => x > s).length;
    // (score desc, cadre number): ids run against the names, so 排名01 comes before 排名00.
    const order = [...idOf].sort((a, b) => b.score - a.score || a.id - b.id);
    expect(order[0]!.name).toBe('排名01');
    const shown = [...order.slice(0, 10), ...order.slice(15)];
    expect(ranked.cadres.map((c) => [c.name, c.score, c.rank])).toEqual(shown.map((c) => [c.name, c.score, rankOf(c.score)]));
    expect(ranked.cadres.slice(0, 3).map((c) => c.rank)).toEqual([1, 1, 3]);
    expect(ranked.cadres.slice(-10).every((c) => c.rank === 17 || c.name === '排名12')).toBe(true);
    expect(ranked.cadres.find((c) => c.name === '排名12')).toMatchObject({ score: 1, rank: 13 });
  });

  it('warns of the ten cadres missing most duties (ties by cadre number) and how many more have some', () => {
    const byCadre = warnings.filter((w) => w.link?.startsWith('/cadres/') || w.subject === '其他干部');
    expect(byCadre.map((w) => [w.subject, w.message])).toEqual([
      ...['13', '01'].map((n) => [`排名${n}`, '履职要求未达标3项']),
      ...['10', '08', '06', '05', '03', '02'].map((n) => [`排名${n}`, '履职要求未达标2项']),
      ...['12', '11'].map((n) => [`排名${n}`, '履职要求未达标1项']),
      ['其他干部', '另有4名干部有未达标的履职要求'],
    ]);
    expect(byCadre[0]).toMatchObject({ level: 'red' });
    expect(byCadre[2]).toMatchObject({ level: 'amber' });
  });
});
