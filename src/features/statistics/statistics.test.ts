import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateActivity } from '../../../contracts/activities.ts';
import { figureDefinitions, figureKeys, type FigureKey, type FigureRecordsResult, type StatisticsResult, type ComparisonResult } from '../../../contracts/statistics.ts';
import {
  actorFor, admin, as, createTestApp, createTestDatabase, DANDONG, login, makeCadre, makeUnit, makeUser, seedXiangshan, SHIPU, testConfig, XIANGSHAN, type Session,
} from '../../../test/helpers.ts';
import type { Database, DatabaseHandle } from '../../db/database.ts';
import type { TargetKind } from '../../db/schema.ts';
import type { App } from '../../http/types.ts';
import { createActivity } from '../activities/activities.ts';
import { createCampaign } from '../campaigns/campaigns.ts';
import { addTeamMember, createTeam } from '../campaigns/teams.ts';
import { createMatter } from '../matters/matters.ts';
import { createPairing } from '../pairings/pairings.ts';
import { createWriting } from '../writings/writings.ts';
import { lastYearPeriod, previousPeriod } from './comparisons.ts';
import { computeFigures, figureRecordIds, resolveStatisticsScope, type FigureFilter } from './figures.ts';
import { figureRecordsFor } from './records.ts';

// A small known world (Sept–Oct 2026 is the period; some records fall just outside it), built
// with the domain functions; tickets and compliance rows are written as the state machine and the
// engine leave them (their columns), since only those columns are read.

const DANDONG_VILLAGE = '330225001003'; // 金秋社区
const DANDONG_VILLAGE2 = '330225001004'; // 丹峰社区
const SHIPU_VILLAGE = '330225101001'; // 海宁社区
const FROM = '2026-09-01';
const TO = '2026-10-31';

let h: DatabaseHandle;
let app: App;
let campaignId: number;
let shipuCampaignId: number;
let units: Record<'dandong' | 'shipu' | 'county', { id: number }>;
let cadres: Record<'zhang' | 'li' | 'zhou' | 'chen', { id: number }>;
let targets: Record<'h1' | 'h2' | 'h3' | 'ent' | 'proj', { id: number }>;
const s = {} as Record<'county' | 'dandong' | 'shipu' | 'leader' | 'cadre', Session>;
let dandongActor: Awaited<ReturnType<typeof actorFor>>;

async function makeTarget(db: Database, kind: TargetKind, regionCode: string, name: string, tags: string[] = []) {
  const region = await db.selectFrom('regions').select('path').where('code', '=', regionCode).executeTakeFirstOrThrow();
  return db.insertInto('contact_targets').values({ kind, name, name_initials: '', region_code: regionCode, region_path: region.path, tags, updated_at: new Date() })
    .returning(['id', 'name']).executeTakeFirstOrThrow();
}

const deps = () => ({ integrity: testConfig().integrity, log: () => {} });
async function act(over: Partial<CreateActivity> & Pick<CreateActivity, 'kind' | 'participantIds'>, day: string, campaign: number | null = campaignId) {
  return (await createActivity(h.db, admin, deps(), {
    campaignId: campaign, startsAt: `${day}T09:00:00+08:00`, endsAt: `${day}T10:00:00+08:00`, clientId: randomUUID(), ...over,
  })).activity;
}

async function region(code: string) {
  return (await h.db.selectFrom('regions').select('path').where('code', '=', code).executeTakeFirstOrThrow()).path;
}

async function ticket(regionCode: string, created: string, cols: Record<string, unknown> = {}) {
  const cat = await h.db.selectFrom('ticket_categories').select('code').orderBy('code').executeTakeFirstOrThrow();
  const r = await h.db.insertInto('tickets').values({
    tracking_code: `LX${randomUUID().slice(0, 8).toUpperCase()}`, source: 'hotline', type: 'help', category_code: cat.code, urgency: 'normal',
    title: `工单${created}`, content: '路灯不亮', region_code: regionCode, region_path: await region(regionCode), state: 'registered',
    campaign_id: campaignId, finder_unit_path: null, created_at: `${created}T10:00:00+08:00`, updated_at: new Date(), ...cols,
  } as never).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

// Only the author submits (writings.ts); the state it leaves is what the figures read.
const submitted = (id: number) => h.db.updateTable('writings').set({ status: 'submitted', submitted_at: new Date() }).where('id', '=', id).execute();

const all: FigureFilter = { campaignId: null, regionPath: null, unitPath: null, from: FROM, to: TO };
const value = (rows: { group: string; figures: { key: string; value: number | null }[] }[], key: FigureKey, group = '') =>
  rows.find((r) => r.group === group)!.figures.find((f) => f.key === key)!.value;

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db, { LIANXIN_INTEGRITY_INTERVAL_MS: '0', LIANXIN_COMPLIANCE_INTERVAL_MS: '0', LIANXIN_TICKET_SCHEDULER_INTERVAL_MS: '0' });
  units = {
    dandong: await makeUnit(h.db, DANDONG, { name: '丹东街道党工委' }),
    shipu: await makeUnit(h.db, SHIPU, { name: '石浦镇党委' }),
    county: await makeUnit(h.db, XIANGSHAN, { name: '县发改局', level: 'county' }),
  };
  cadres = {
    zhang: await makeCadre(h.db, units.dandong.id, { name: '张明' }),
    li: await makeCadre(h.db, units.dandong.id, { name: '李华' }),
    zhou: await makeCadre(h.db, units.shipu.id, { name: '周海' }),
    chen: await makeCadre(h.db, units.county.id, { name: '陈局长', rank: 'county' }),
  };
  targets = {
    h1: await makeTarget(h.db, 'household', DANDONG_VILLAGE, '林阿婆家', ['困难户']),
    h2: await makeTarget(h.db, 'household', DANDONG_VILLAGE2, '吴家'),
    h3: await makeTarget(h.db, 'household', SHIPU_VILLAGE, '石浦渔民家', ['困难户']),
    ent: await makeTarget(h.db, 'enterprise', DANDONG, '象山针织有限公司'),
    proj: await makeTarget(h.db, 'project', XIANGSHAN, '县城污水管网'),
  };
  campaignId = (await createCampaign(h.db, admin, { name: '干部下基层', startsOn: '2026-01-01', endsOn: '2026-12-31', regionCode: XIANGSHAN })).id;
  shipuCampaignId = (await createCampaign(h.db, admin, { name: '石浦渔港专项', startsOn: '2026-01-01', endsOn: '2026-12-31', regionCode: SHIPU })).id;

  const { zhang, li, zhou, chen } = cadres;
  await act({ kind: 'household_visit', participantIds: [zhang.id], targetIds: [targets.h1.id] }, '2026-09-05');
  await act({ kind: 'household_visit', participantIds: [zhang.id, li.id], targetIds: [targets.h1.id, targets.h2.id] }, '2026-09-20');
  await act({ kind: 'household_visit', participantIds: [zhou.id], targetIds: [targets.h3.id] }, '2026-10-03');
  await act({ kind: 'condolence', participantIds: [zhang.id], targetIds: [targets.h1.id], moneyFen: 50_000 }, '2026-10-10');
  await act({ kind: 'condolence', participantIds: [chen.id], targetIds: [targets.h2.id], moneyFen: 20_000 }, '2026-10-11');
  await act({ kind: 'talk', participantIds: [li.id], regionCode: DANDONG_VILLAGE, attendees: 12 }, '2026-09-08');
  await act({ kind: 'stay', participantIds: [zhang.id], regionCode: DANDONG_VILLAGE, startsAt: '2026-10-01T08:00:00+08:00', endsAt: '2026-10-03T18:00:00+08:00' }, '2026-10-01');
  await act({ kind: 'forum', participantIds: [chen.id], regionCode: DANDONG, attendees: 30 }, '2026-10-15');
  await act({ kind: 'enterprise_visit', participantIds: [chen.id], targetIds: [targets.ent.id] }, '2026-09-12');
  await act({ kind: 'household_visit', participantIds: [zhang.id], targetIds: [targets.h2.id] }, '2026-08-20'); // before the period
  // Last day of the period, 23:30 China time (15:30 UTC): still in it.
  await act({ kind: 'household_visit', participantIds: [zhou.id], targetIds: [targets.h3.id], startsAt: '2026-10-31T23:30:00+08:00', endsAt: '2026-10-31T23:50:00+08:00' }, '2026-10-31', shipuCampaignId);

  const diary = await createWriting(h.db, admin, { kind: 'diary', title: '蹲点手记一', authorCadreId: zhang.id, targetId: targets.h1.id, writtenOn: '2026-09-10', campaignId });
  await submitted(diary.id);
  await createWriting(h.db, admin, { kind: 'diary', title: '草稿手记', authorCadreId: li.id, targetId: targets.h2.id, writtenOn: '2026-09-11', campaignId });
  const plan = await createWriting(h.db, admin, { kind: 'development_plan', title: '金秋社区发展计划', authorCadreId: zhang.id, targetId: targets.h1.id, writtenOn: '2026-10-05', campaignId });
  await submitted(plan.id);
  const report = await createWriting(h.db, admin, { kind: 'research_report', title: '渔港调研报告', authorCadreId: zhou.id, targetId: targets.h3.id, writtenOn: '2026-10-06', campaignId });
  await submitted(report.id);

  await createMatter(h.db, admin, { campaignId, targetId: targets.h1.id, cadreId: zhang.id, title: '修缮危房', amountFen: 1_000_000, status: 'done', promisedOn: '2026-09-05', doneOn: '2026-10-20' });
  await createMatter(h.db, admin, { campaignId, targetId: targets.h3.id, cadreId: zhou.id, title: '渔船修理', amountFen: 500_000, promisedOn: '2026-10-01' });
  await createMatter(h.db, admin, { campaignId, targetId: targets.h2.id, cadreId: li.id, title: '门前路灯', amountFen: 200_000, status: 'done', promisedOn: '2026-07-01', doneOn: '2026-09-15' });

  const dandongPath = (await h.db.selectFrom('units').select('path').where('id', '=', units.dandong.id).executeTakeFirstOrThrow()).path;
  await ticket(DANDONG_VILLAGE, '2026-09-10', { state: 'closed', resolved_at: '2026-09-20T10:00:00+08:00', resolved_on_time: true, rating: 'satisfied', handling_unit_id: units.dandong.id, handling_unit_path: dandongPath });
  await ticket(SHIPU_VILLAGE, '2026-10-02');
  await ticket(DANDONG_VILLAGE2, '2026-08-15', { state: 'closed', resolved_at: '2026-09-03T10:00:00+08:00', resolved_on_time: false, rating: 'unsatisfied' });

  await createPairing(h.db, admin, campaignId, { targetId: targets.h1.id, cadreId: zhang.id, startsOn: '2026-08-01' });
  const ended = await createPairing(h.db, admin, campaignId, { targetId: targets.h2.id, cadreId: li.id, startsOn: '2026-01-01' });
  await h.db.updateTable('pairings').set({ ends_on: '2026-09-01', end_reason: '调整' }).where('id', '=', ended.id).execute(); // last day 31 August
  const team = await createTeam(h.db, admin, campaignId, { name: '渔港服务组', leaderCadreId: chen.id, joinedOn: '2026-11-01' });
  await addTeamMember(h.db, admin, campaignId, team.id, { cadreId: zhou.id, joinedOn: '2026-10-15' });
  await h.db.updateTable('teams').set({ created_at: new Date('2026-09-01T09:00:00+08:00') }).where('id', '=', team.id).execute();
  await createPairing(h.db, admin, campaignId, { targetId: targets.h3.id, teamId: team.id, startsOn: '2026-09-01' });

  const rule = await h.db.insertInto('requirement_rules').values({ campaign_id: campaignId, name: '每月走访', rule: JSON.stringify({ subject: 'cadre' }) }).returning('id').executeTakeFirstOrThrow();
  const teamRule = await h.db.insertInto('requirement_rules').values({ campaign_id: campaignId, name: '组团每月', rule: JSON.stringify({ subject: 'team' }) }).returning('id').executeTakeFirstOrThrow();
  const unitPathOf = async (id: number) => (await h.db.selectFrom('units').select('path').where('id', '=', id).executeTakeFirstOrThrow()).path;
  const row = async (ruleId: number, cadre: { id: number }, unitId: number, regionCode: string, start: string, end: string, status: 'met' | 'missed' | 'on_track') =>
    h.db.insertInto('compliance_results').values({
      rule_id: ruleId, window_key: `${start}~${end}`, subject_id: cadre.id, window_start: start, window_end: end, subject_name: `干部${cadre.id}`, count: 1,
      required_min: 1, required_max: null, status, reason: '', explanation: '', cadre_id: cadre.id, unit_id: unitId, unit_path: await unitPathOf(unitId), region_path: await region(regionCode),
    }).execute();
  await row(rule.id, zhang, units.dandong.id, DANDONG, '2026-09-01', '2026-09-30', 'met');
  await row(rule.id, li, units.dandong.id, DANDONG, '2026-09-01', '2026-09-30', 'missed');
  await row(rule.id, zhang, units.dandong.id, DANDONG, '2026-10-01', '2026-10-31', 'met');
  await row(rule.id, zhou, units.shipu.id, SHIPU, '2026-11-01', '2026-11-30', 'met'); // after the period
  await row(rule.id, li, units.dandong.id, DANDONG, '2026-10-15', '2026-12-31', 'missed'); // open at the period's end, already decided
  await row(rule.id, zhou, units.shipu.id, SHIPU, '2026-10-01', '2026-10-31', 'on_track'); // undecided
  await row(teamRule.id, chen, units.county.id, XIANGSHAN, '2026-10-01', '2026-10-31', 'met'); // a team subject: not a cadre rule

  const users = {
    county: await makeUser(h.db, 'admin', { regionCode: XIANGSHAN }),
    dandong: await makeUser(h.db, 'admin', { regionCode: DANDONG }),
    shipu: await makeUser(h.db, 'admin', { regionCode: SHIPU }),
    leader: await makeUser(h.db, 'unit_leader', { unitId: units.dandong.id }),
    cadre: await makeUser(h.db, 'cadre', { unitId: units.dandong.id, cadreId: zhang.id }),
  };
  for (const k of Object.keys(users) as (keyof typeof users)[]) s[k] = await login(app, users[k].username);
  dandongActor = await actorFor(h.db, users.dandong);
}, 120_000);

afterAll(async () => {
  await app?.close();
  await h?.close();
});

describe('figures over the known world', () => {
  it('computes every figure the articles quote, exactly', async () => {
    const [row] = await computeFigures(h.db, all, figureKeys);
    const v = Object.fromEntries(row!.figures.map((f) => [f.key, f.value]));
    expect(v).toMatchObject({
      householdVisits: 4, householdsVisited: 3, hardshipHouseholdsComforted: 1, condolenceMoneyFen: 70_000, talkAttendance: 12, attendance: 42,
      stayDays: 3, forums: 1, enterprisesVisited: 1, projectsVisited: 0, villagesCovered: 3, policyTalks: 0,
      diaries: 1, developmentPlans: 1, researchReports: 1, researchTopics: 0,
      mattersPromised: 2, mattersDone: 2, matterFundsFen: 1_200_000,
      ticketsRegistered: 2, problemsSolved: 2, resolveRate: 0.5, onTimeRate: 1, satisfactionRate: 1,
      cadresDispatched: 2, teamsFormed: 1, complianceRate: 0.5,
    });
    const compliance = row!.figures.find((f) => f.key === 'complianceRate')!;
    expect([compliance.numerator, compliance.denominator]).toEqual([2, 4]);
  });

  it('filters by campaign, unit and region', async () => {
    const [c] = await computeFigures(h.db, { ...all, campaignId }, ['householdVisits', 'householdsVisited']);
    expect(c!.figures.map((f) => f.value)).toEqual([3, 3]);
    const dandongUnit = (await h.db.selectFrom('units').select('path').where('id', '=', units.dandong.id).executeTakeFirstOrThrow()).path;
    const [u] = await computeFigures(h.db, { ...all, unitPath: dandongUnit }, ['householdVisits', 'condolenceMoneyFen', 'stayDays', 'cadresDispatched', 'ticketsRegistered', 'complianceRate']);
    expect(u!.figures.map((f) => f.value)).toEqual([2, 50_000, 3, 1, 1, 0.5]);
    const [r] = await computeFigures(h.db, { ...all, regionPath: await region(SHIPU) }, ['householdVisits', 'cadresDispatched', 'teamsFormed', 'researchReports']);
    expect(r!.figures.map((f) => f.value)).toEqual([2, 1, 1, 1]);
  });

  it('groups by child region with zero rows, and by month and day', async () => {
    const kids = await computeFigures(h.db, all, ['householdVisits', 'householdsVisited'], 'childRegion');
    const townships = await h.db.selectFrom('regions').select('code').where('parent_code', '=', XIANGSHAN).execute();
    expect(kids.map((k) => k.group).sort()).toEqual(townships.map((t) => t.code).sort());
    expect(value(kids, 'householdVisits', DANDONG)).toBe(2);
    expect(value(kids, 'householdsVisited', DANDONG)).toBe(2);
    expect(value(kids, 'householdVisits', SHIPU)).toBe(2);
    expect(kids.filter((k) => k.figures[0]!.value === 0)).toHaveLength(townships.length - 2);

    const months = await computeFigures(h.db, all, ['householdVisits', 'cadresDispatched', 'teamsFormed', 'mattersDone', 'problemsSolved', 'complianceRate'], 'month');
    expect(months.map((m) => m.group)).toEqual(['2026-09', '2026-10']);
    expect(months.map((m) => m.figures.map((f) => f.value))).toEqual([
      [2, 1, 1, 1, 2, 0.5], // Sept: zhang alone is paired (zhou joins the team in October)
      [2, 2, 1, 1, 0, 0.5],
    ]);
    const days = await computeFigures(h.db, { ...all, from: '2026-10-30', to: '2026-11-02' }, ['householdVisits'], 'day');
    expect(days.map((d) => [d.group, d.figures[0]!.value])).toEqual([['2026-10-30', 0], ['2026-10-31', 1], ['2026-11-01', 0], ['2026-11-02', 0]]);
    // Zhang serves throughout; Zhou joins the paired team on 15 October; Li's pairing ended in August.
    const served = await computeFigures(h.db, { ...all, from: '2026-08-30', to: '2026-08-31' }, ['cadresDispatched'], 'day');
    expect(served.map((d) => d.figures[0]!.value)).toEqual([2, 2]);
    const byDay = await computeFigures(h.db, { ...all, from: '2026-10-13', to: '2026-10-16' }, ['cadresDispatched'], 'day');
    expect(byDay.map((d) => [d.group, d.figures[0]!.value])).toEqual([['2026-10-13', 1], ['2026-10-14', 1], ['2026-10-15', 2], ['2026-10-16', 2]]);
    const [sept1] = await computeFigures(h.db, { ...all, from: '2026-09-01', to: '2026-09-01' }, ['cadresDispatched'], 'day');
    expect(sept1!.figures[0]!.value).toBe(1); // Li's last day was 31 August
    await expect(computeFigures(h.db, { ...all, from: '2025-01-01', to: '2026-10-31' }, ['householdVisits'], 'day')).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'to' } });
  });
});

describe('drill-down', () => {
  it('lists exactly the records behind every figure: contributions sum to the figure, distinct counts match', async () => {
    for (const key of figureKeys) {
      const seen: FigureRecordsResult['items'] = [];
      let total = 0;
      let figure: FigureRecordsResult['figure'] | undefined;
      for (let page = 1; ; page++) {
        const r = await figureRecordsFor(h.db, all, key, page, 2);
        seen.push(...r.items);
        total = r.total;
        figure = r.figure;
        expect(r.recordKind).toBe(figureDefinitions[key].records);
        if (r.items.length < 2) break;
      }
      expect(seen, key).toHaveLength(total);
      const sum = seen.reduce((a, i) => a + (i.contributes ?? 0), 0);
      const distinct = new Set(seen.flatMap((i) => (i.counted ?? []).map((c) => c.id))).size;
      if (figureDefinitions[key].format === 'rate') {
        expect([sum, total], key).toEqual([figure!.numerator, figure!.denominator]);
      } else if (seen.some((i) => i.counted !== undefined)) {
        expect(distinct, key).toBe(figure!.value);
      } else {
        expect(sum, key).toBe(figure!.value);
      }
      const ids = await figureRecordIds(h.db, all, key);
      expect(ids.kind).toBe(figureDefinitions[key].records);
      expect(ids.ids.length, key).toBe(new Set(seen.map((i) => i.id)).size);
    }
  });

  it('gives each record its date, region, people and link', async () => {
    const r = await figureRecordsFor(h.db, all, 'hardshipHouseholdsComforted', 1, 20);
    expect(r.items).toEqual([expect.objectContaining({ kind: 'activity', date: '2026-10-10', people: '张明', contributes: null, counted: [{ id: targets.h1.id, name: '林阿婆家' }], link: expect.stringMatching(/^\/activities\/\d+$/) })]);
    expect(r.distinct).toBe(1);
    const funds = await figureRecordsFor(h.db, all, 'matterFundsFen', 1, 20);
    expect(funds.items.map((i) => [i.title, i.contributes])).toEqual([['门前路灯', 200_000], ['修缮危房', 1_000_000]]);
  });
});

describe('scope', () => {
  it('a township admin gets their township by default and cannot ask for another (404)', async () => {
    const { filter, scope } = await resolveStatisticsScope(h.db, dandongActor, { from: FROM, to: TO });
    expect(filter.regionPath).toBe(await region(DANDONG));
    expect(scope.region).toEqual({ code: DANDONG, name: expect.any(String) });
    await expect(resolveStatisticsScope(h.db, dandongActor, { from: FROM, to: TO, regionCode: SHIPU })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(resolveStatisticsScope(h.db, dandongActor, { from: FROM, to: TO, campaignId: shipuCampaignId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('over HTTP: figures within scope, records, 404 outside, 403 for a cadre', async () => {
    const q = `from=${FROM}&to=${TO}`;
    const mine = await app.inject({ method: 'GET', url: `/api/v1/statistics?${q}&figures=householdVisits,householdsVisited`, headers: as(s.dandong) });
    expect(mine.statusCode).toBe(200);
    const body = mine.json<StatisticsResult>();
    expect(body.figures.map((f) => f.value)).toEqual([2, 2]);
    expect(body.scope.region?.code).toBe(DANDONG);

    const leader = await app.inject({ method: 'GET', url: `/api/v1/statistics?${q}&figures=householdVisits`, headers: as(s.leader) });
    expect(leader.json<StatisticsResult>().figures[0]!.value).toBe(2);
    expect(leader.json<StatisticsResult>().scope.unit?.id).toBe(units.dandong.id);

    const other = await app.inject({ method: 'GET', url: `/api/v1/statistics?${q}&regionCode=${SHIPU}`, headers: as(s.dandong) });
    expect(other.statusCode).toBe(404);
    const otherUnit = await app.inject({ method: 'GET', url: `/api/v1/statistics?${q}&unitId=${units.shipu.id}`, headers: as(s.leader) });
    expect(otherUnit.statusCode).toBe(404);
    const recs = await app.inject({ method: 'GET', url: `/api/v1/statistics/records?${q}&figure=householdVisits&regionCode=${SHIPU}`, headers: as(s.dandong) });
    expect(recs.statusCode).toBe(404);
    const cadre = await app.inject({ method: 'GET', url: `/api/v1/statistics?${q}`, headers: as(s.cadre) });
    expect(cadre.statusCode).toBe(403);

    const list = await app.inject({ method: 'GET', url: `/api/v1/statistics/records?${q}&figure=householdsVisited&pageSize=1`, headers: as(s.county) });
    expect(list.statusCode).toBe(200);
    const lb = list.json<FigureRecordsResult>();
    expect([lb.total, lb.items.length, lb.distinct, lb.figure.value]).toEqual([4, 1, 3, 3]);
  });

  it('refuses bad input with the field at fault', async () => {
    const bad = async (url: string, status: number, field?: string) => {
      const res = await app.inject({ method: 'GET', url, headers: as(s.county) });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(status);
      if (field) expect(res.body).toContain(field);
    };
    await bad(`/api/v1/statistics?from=2026-10-01&to=2026-09-01`, 400, 'to');
    await bad(`/api/v1/statistics?from=2026-10-01`, 400, 'to');
    await bad(`/api/v1/statistics?from=2026-13-01&to=2026-12-01`, 400, 'from');
    await bad(`/api/v1/statistics?from=${FROM}&to=${TO}&figures=householdVisits,bogus`, 400, 'bogus');
    await bad(`/api/v1/statistics?from=${FROM}&to=${TO}&campaignId=999999`, 404);
    await bad(`/api/v1/statistics?from=${FROM}&to=${TO}&regionCode=330225999999`, 404);
    await bad(`/api/v1/statistics?from=${FROM}&to=${TO}&regionCode=abc`, 400, 'regionCode');
    await bad(`/api/v1/statistics?from=${FROM}&to=${TO}&unitId=999999`, 404);
    await bad(`/api/v1/statistics/records?from=${FROM}&to=${TO}&figure=nope`, 400, 'figure');
    await bad(`/api/v1/statistics/records?from=${FROM}&to=${TO}`, 400, 'figure');
    await bad(`/api/v1/statistics/compare?from=${FROM}&to=${TO}&against=regions&regionCodes=${DANDONG}`, 400, 'regionCodes');
    await bad(`/api/v1/statistics/compare?from=${FROM}&to=${TO}&against=sideways`, 400, 'against');
  });
});

describe('comparisons', () => {
  it('computes the previous period and the same days last year', () => {
    expect(previousPeriod('2026-10-01', '2026-10-31')).toEqual({ from: '2026-08-31', to: '2026-09-30' });
    expect(lastYearPeriod('2028-02-01', '2028-02-29')).toEqual({ from: '2027-02-01', to: '2027-02-28' });
  });

  it('period over period, with delta and ratio', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/statistics/compare?from=2026-10-01&to=2026-10-31&figures=householdVisits,condolenceMoneyFen,resolveRate', headers: as(s.county) });
    expect(res.statusCode).toBe(200);
    const c = res.json<ComparisonResult>();
    expect(c.columns.map((x) => [x.label, x.from, x.to, x.figures.map((f) => f.value)])).toEqual([
      ['本期', '2026-10-01', '2026-10-31', [2, 70_000, 0]],
      ['上期', '2026-08-31', '2026-09-30', [2, 0, 1]],
    ]);
    expect(c.changes).toEqual([
      { key: 'householdVisits', delta: 0, ratio: 0 },
      { key: 'condolenceMoneyFen', delta: 70_000, ratio: null },
      { key: 'resolveRate', delta: -1, ratio: -1 },
    ]);
  });

  it('region against region, each scope-checked', async () => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/statistics/compare?from=${FROM}&to=${TO}&against=regions&regionCodes=${DANDONG},${SHIPU}&figures=householdVisits`, headers: as(s.county) });
    expect(res.statusCode).toBe(200);
    expect(res.json<ComparisonResult>().columns.map((x) => [x.regionCode, x.figures[0]!.value])).toEqual([[DANDONG, 2], [SHIPU, 2]]);
    const refused = await app.inject({ method: 'GET', url: `/api/v1/statistics/compare?from=${FROM}&to=${TO}&against=regions&regionCodes=${DANDONG_VILLAGE},${SHIPU}`, headers: as(s.dandong) });
    expect(refused.statusCode).toBe(404);
  });
});
