import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirementRule, type RequirementRule } from '../../../contracts/requirements.ts';
import { actorFor, admin, createTestDatabase, DANDONG, makeCadre, makeUnit, makeUser, seedXiangshan, SHIPU, testConfig, XIANGSHAN } from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { ActivityKind, TargetKind } from '../../db/schema.ts';
import { createActivity } from '../activities/activities.ts';
import { createCampaign } from '../campaigns/campaigns.ts';
import { createTeam } from '../campaigns/teams.ts';
import { createMatter } from '../matters/matters.ts';
import { createPairing, endPairing } from '../pairings/pairings.ts';
import { createWriting, submitWriting } from '../writings/writings.ts';
import { drainCompliancePending, evaluateRule, loadRules, recomputeCompliance, refreshOpenWindows } from './engine.ts';
import { runComplianceTick } from './scheduler.ts';

// The compliance engine over a small Xiangshan campaign; every record is written through its
// feature's domain function (so the queueing of changes is exercised too).

const VILLAGE = '330225001003'; // 金秋社区 (丹东街道)
const OTHER_VILLAGE = '330225001004'; // 丹峰社区 (丹东街道)
const china = (s: string) => new Date(`${s}+08:00`);
const NOW = china('2026-11-22T10:00:00');

let h: DatabaseHandle;
let campaignId: number;
const c = {} as Record<'zhang' | 'li' | 'chen' | 'wang', number>;
const t = {} as Record<'lin' | 'zheng' | 'wu' | 'village' | 'village2' | 'project' | 'building', number>;
let teamId: number;
let dandongUnit: number;
const deps = { integrity: testConfig().integrity };

async function makeTarget(kind: TargetKind, name: string, code = VILLAGE, tags: string[] = []) {
  const r = await h.db.selectFrom('regions').select('path').where('code', '=', code).executeTakeFirstOrThrow();
  return (await h.db.insertInto('contact_targets').values({ kind, name, name_initials: '', region_code: code, region_path: r.path, tags, updated_at: new Date() })
    .returning('id').executeTakeFirstOrThrow()).id;
}
async function act(at: string, participantIds: number[], targetIds: number[], kind: ActivityKind = 'household_visit', over: { endsAt?: string; regionCode?: string } = {}) {
  const out = await createActivity(h.db, admin, deps, {
    campaignId, kind, startsAt: china(at).toISOString(), endsAt: china(over.endsAt ?? at).toISOString(), participantIds, targetIds,
    ...(over.regionCode ? { regionCode: over.regionCode } : {}),
  });
  return out.activity.id;
}
// Rules as literal data (readonly consts included): the contract parses them.
const rule = (r: unknown): RequirementRule => requirementRule.parse(r);
async function evaluate(r: unknown, windowKey?: string, now = NOW) {
  return evaluateRule(h.db, campaignId, rule(r), 7, { now, ...(windowKey ? { windowKey } : {}) });
}
async function store(r: unknown, atRiskDays = 7) {
  const parsed = rule(r);
  return (await h.db.insertInto('requirement_rules').values({ campaign_id: campaignId, name: parsed.name, rule: JSON.stringify(parsed), at_risk_days: atRiskDays, updated_at: new Date('2026-01-01T00:00:00Z') })
    .returning('id').executeTakeFirstOrThrow()).id;
}
const rowsOf = (ruleId: number, windowKey?: string) => {
  let q = h.db.selectFrom('compliance_results').selectAll().where('rule_id', '=', ruleId);
  if (windowKey) q = q.where('window_key', '=', windowKey);
  return q.orderBy('window_key').orderBy('subject_id').execute();
};

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  const dandong = await makeUnit(h.db, DANDONG, { name: '丹东街道党工委' });
  dandongUnit = dandong.id;
  const county = await makeUnit(h.db, XIANGSHAN, { name: '县民政局', level: 'county' });
  const shipu = await makeUnit(h.db, SHIPU, { name: '石浦镇党委' });
  c.zhang = (await makeCadre(h.db, dandong.id, { name: '张明', rank: 'section' })).id;
  c.li = (await makeCadre(h.db, dandong.id, { name: '李华', rank: 'general' })).id;
  c.chen = (await makeCadre(h.db, county.id, { name: '陈局长', rank: 'county' })).id;
  c.wang = (await makeCadre(h.db, shipu.id, { name: '王石浦', rank: 'general' })).id; // takes no part
  campaignId = (await createCampaign(h.db, admin, { name: '走亲连心', startsOn: '2026-01-01', endsOn: '2026-12-31', regionCode: XIANGSHAN })).id;
  t.lin = await makeTarget('household', '林阿婆家', VILLAGE, ['老党员']);
  t.zheng = await makeTarget('household', '郑大伯家');
  t.wu = await makeTarget('household', '吴家');
  t.village = await makeTarget('community', '金秋社区');
  t.village2 = await makeTarget('community', '丹峰社区', OTHER_VILLAGE);
  t.project = await makeTarget('project', '海港码头项目', OTHER_VILLAGE);
  t.building = await makeTarget('building', '1号楼', DANDONG);
  const pair = (targetId: number, cadreId: number, startsOn = '2026-01-01') => createPairing(h.db, admin, campaignId, { targetId, cadreId, startsOn });
  await pair(t.lin, c.zhang);
  await pair(t.zheng, c.zhang, '2026-11-16');
  await pair(t.village, c.chen);
  await pair(t.project, c.li);
  await pair(t.building, c.zhang);
  const wu = await pair(t.wu, c.li);
  await endPairing(h.db, admin, campaignId, wu.id, { endsOn: '2026-06-01', reason: '调整' });
  teamId = (await createTeam(h.db, admin, campaignId, { name: '民政调研组', kind: 'research', leaderCadreId: c.chen, memberIds: [c.li], joinedOn: '2026-01-01' })).id;
  await createPairing(h.db, admin, campaignId, { targetId: t.village2, teamId, startsOn: '2026-01-01' });

  // 林阿婆家: two visits by 张明 this year (one with 李华), a reception that is no visit, and a visit by 李华 alone.
  await act('2026-02-10T09:00:00', [c.zhang], [t.lin]);
  await act('2026-05-20T09:00:00', [c.zhang, c.li], [t.lin], 'condolence');
  await act('2026-08-05T09:00:00', [c.zhang], [t.lin], 'reception');
  await act('2026-11-05T09:00:00', [c.li], [t.lin]);
  // Reception days: the 20th counts, the 19th does not.
  await act('2026-11-20T09:00:00', [c.zhang], [], 'reception', { regionCode: VILLAGE });
  await act('2026-11-19T09:00:00', [c.zhang], [], 'reception', { regionCode: VILLAGE });
  // A three-day stay in 金秋社区 by 陈局长 (11–13 November), and a forum in the project's township without the project.
  await act('2026-11-11T09:00:00', [c.chen], [t.village], 'stay', { endsAt: '2026-11-13T17:00:00' });
  await act('2026-11-03T10:00:00', [c.li], [], 'forum', { regionCode: OTHER_VILLAGE });
  // 郑大伯家, paired from 16 November: one visit after.
  await act('2026-11-17T09:00:00', [c.zhang], [t.zheng]);
  // Writings: a submitted research report counts, a draft does not.
  const clerk = await actorFor(h.db, await makeUser(h.db, 'admin', { regionCode: XIANGSHAN }));
  const report = await createWriting(h.db, clerk, { kind: 'research_report', title: '养老服务调研', body: '全县养老服务现状与建议。', authorCadreId: c.zhang, campaignId, writtenOn: '2026-09-01' });
  await submitWriting(h.db, clerk, report.id);
  await createWriting(h.db, admin, { kind: 'research_report', title: '草稿', authorCadreId: c.zhang, campaignId, writtenOn: '2026-09-02' });
  // Matters for 金秋社区: one done in October, one still promised.
  await createMatter(h.db, admin, { campaignId, targetId: t.village, cadreId: c.chen, title: '修路灯', status: 'done', promisedOn: '2026-09-01', doneOn: '2026-10-10' });
  await createMatter(h.db, admin, { campaignId, targetId: t.village, cadreId: c.chen, title: '修水渠', promisedOn: '2026-10-15' });
  await h.db.deleteFrom('compliance_pending').execute();
});

afterAll(async () => {
  await h?.close();
});

const visits = { kind: 'activities', activityKinds: ['household_visit', 'talk', 'condolence'] } as const;
const byName = (rows: { subject_name: string }[], name: string) => rows.find((r) => r.subject_name.includes(name));

describe('counting each measure', () => {
  it('counts a pairing’s visits: its cadre’s, to its target, of the kinds named', async () => {
    const { window, rows } = await evaluate({ name: '每户每年走访至少4次', subject: 'pairing', measure: visits, targets: { kinds: ['household'] }, period: 'year', threshold: { op: 'at_least', value: 4 } });
    expect(window?.key).toBe('2026');
    const lin = rows.find((r) => r.target_id === t.lin)!;
    expect(lin).toMatchObject({ subject_name: '金秋社区 林阿婆家（张明）', count: 2, status: 'at_risk', reason: 'pace', cadre_id: c.zhang });
    expect(lin.explanation).toBe('金秋社区 林阿婆家（张明）：今年已开展活动2次，要求4次；剩余40天，按目前进度难以完成');
    // The pairing with 吴家 ended on 1 June: judged over January–May, the year's 4 prorated to 2, and missed.
    const wu = rows.find((r) => r.target_id === t.wu)!;
    expect(wu).toMatchObject({ window_start: '2026-01-01', window_end: '2026-05-31', count: 0, required_min: 2, status: 'missed' });
    expect(wu.explanation).toContain('按覆盖天数折算');
  });

  it('prorates a pairing made inside the window by the days it covers (rounded up)', async () => {
    const { rows } = await evaluate({ name: '每月走访2次', subject: 'pairing', measure: visits, targets: { kinds: ['household'] }, period: 'month', threshold: { op: 'at_least', value: 2 } });
    const zheng = rows.find((r) => r.target_id === t.zheng)!;
    // 16–30 November is 15 of 30 days: 2 × ½ = 1 visit, made on the 17th.
    expect(zheng).toMatchObject({ window_start: '2026-11-16', window_end: '2026-11-30', required_min: 1, count: 1, status: 'met' });
    expect(zheng.explanation).toContain('结对覆盖11月16日至11月30日');
  });

  it('counts only the fixed days: a reception on the 20th, not on the 19th', async () => {
    const { rows } = await evaluate({ name: '每月20日接访日', subject: 'cadre', measure: { kind: 'activities', activityKinds: ['reception'] }, on: { monthDays: [20] }, period: 'month', threshold: { op: 'at_least', value: 1 } });
    expect(byName(rows, '张明')).toMatchObject({ count: 1, status: 'met' });
    // Cadres taking part: paired, team members, staff of campaign units; 王石浦 is none of these.
    expect(rows.map((r) => r.subject_name).sort()).toEqual(['张明', '李华', '陈局长'].sort());
  });

  it('counts by participants: visits made alone against an upper bound of none', async () => {
    const { rows } = await evaluate({ name: '入户走访须2名以上干部同行', subject: 'cadre', measure: { kind: 'activities', activityKinds: ['household_visit', 'condolence'], participants: { max: 1 } }, targets: { kinds: ['household'] }, period: 'year', threshold: { op: 'at_most', value: 0 } });
    // 张明 alone twice (February, 17 November; May was with 李华, August a reception); 李华 alone once in November.
    expect(byName(rows, '张明')).toMatchObject({ count: 2, status: 'missed', reason: 'over_limit' });
    expect(byName(rows, '李华')).toMatchObject({ count: 1, status: 'missed' });
    const together = await evaluate({ name: '同行', subject: 'cadre', measure: { kind: 'activities', activityKinds: ['household_visit', 'condolence'], participants: { min: 2 } }, period: 'year', threshold: { op: 'at_least', value: 1 } });
    expect(byName(together.rows, '张明')).toMatchObject({ count: 1, status: 'met' });
    expect(byName(together.rows, '陈局长')).toMatchObject({ count: 0 });
  });

  it('counts by place: a meeting in the project’s township counts for the project pairing', async () => {
    const r = { name: '每月与项目所在乡镇对接', subject: 'pairing', measure: { kind: 'activities', activityKinds: ['forum'], place: 'target_township' }, targets: { kinds: ['project'] }, period: 'month', threshold: { op: 'at_least', value: 1 } } as const;
    expect((await evaluate(r)).rows).toMatchObject([{ target_id: t.project, count: 1, status: 'met' }]);
    const atTarget = await evaluate({ ...r, measure: { ...r.measure, place: 'target' } });
    expect(atTarget.rows).toMatchObject([{ target_id: t.project, count: 0 }]);
  });

  it('counts the days a stay covers, distinct targets visited, writings handed in and matters done', async () => {
    const days = await evaluate({ name: '驻村', subject: 'cadre', measure: { kind: 'days', activityKinds: ['stay'] }, period: 'month', threshold: { op: 'at_least', value: 5 } });
    expect(byName(days.rows, '陈局长')).toMatchObject({ count: 3 });
    const tue = await evaluate({ name: '周三', subject: 'cadre', measure: { kind: 'days', activityKinds: ['stay'] }, on: { weekdays: [3] }, period: 'week', threshold: { op: 'at_least', value: 1 } }, '2026-W46');
    expect(byName(tue.rows, '陈局长')).toMatchObject({ count: 1, status: 'met' }); // Wednesday the 11th only
    const visited = await evaluate({ name: '走访对象', subject: 'cadre', measure: { kind: 'targets_visited', activityKinds: ['household_visit', 'condolence'] }, targets: { kinds: ['household'] }, period: 'year', threshold: { op: 'at_least', value: 2 } });
    expect(byName(visited.rows, '张明')).toMatchObject({ count: 2 }); // 林阿婆家 and 郑大伯家
    const reports = await evaluate({ name: '调研报告', subject: 'cadre', measure: { kind: 'writings', writingKinds: ['research_report'] }, period: 'year', threshold: { op: 'at_least', value: 2 } });
    expect(byName(reports.rows, '张明')).toMatchObject({ count: 1 });
    const matters = await evaluate({ name: '实事', subject: 'target', measure: { kind: 'matters' }, targets: { kinds: ['community'] }, period: 'year', threshold: { op: 'at_least', value: 1 } });
    expect(matters.rows.find((r) => r.target_id === t.village)).toMatchObject({ count: 1, status: 'met', subject_name: '金秋社区' });
    const promised = await evaluate({ name: '实事', subject: 'target', measure: { kind: 'matters', statuses: ['promised'] }, targets: { kinds: ['community'] }, period: 'month', threshold: { op: 'at_least', value: 1 } }, '2026-10');
    expect(promised.rows.find((r) => r.target_id === t.village)).toMatchObject({ count: 1 });
  });

  it('counts per team and per unit through their members and staff', async () => {
    const team = await evaluate({ name: '组团走访', subject: 'team', measure: { kind: 'activities', activityKinds: ['household_visit', 'stay', 'forum'] }, period: 'month', threshold: { op: 'at_least', value: 3 } });
    // 李华's visit and forum, 陈局长's stay.
    expect(team.rows).toMatchObject([{ subject_name: '民政调研组', team_id: teamId, count: 3, status: 'met' }]);
    await h.db.insertInto('campaign_units').values({ campaign_id: campaignId, unit_id: dandongUnit }).execute();
    try {
      const unit = await evaluate({ name: '单位走访', subject: 'unit', measure: { kind: 'activities', activityKinds: ['household_visit'] }, period: 'month', threshold: { op: 'at_least', value: 1 } });
      expect(unit.rows).toMatchObject([{ subject_name: '丹东街道党工委', unit_id: dandongUnit, count: 2 }]);
    } finally {
      await h.db.deleteFrom('campaign_units').where('campaign_id', '=', campaignId).execute();
    }
  });

  it('holds pairings as a state at the window’s end or today', async () => {
    const r = { name: '村至少有1名县级或科级干部联系', subject: 'target', measure: { kind: 'pairings' }, cadres: { ranks: ['county', 'section'] }, targets: { kinds: ['community'] }, period: 'month', threshold: { op: 'at_least', value: 1 } } as const;
    const { rows } = await evaluate(r);
    expect(rows.find((x) => x.target_id === t.village)).toMatchObject({ count: 1, status: 'met' });
    // 丹峰社区 is the team's: its leader 陈局长 is a county cadre.
    expect(rows.find((x) => x.target_id === t.village2)).toMatchObject({ count: 1, status: 'met' });
    const direct = await evaluate({ ...r, measure: { kind: 'pairings', via: 'direct' } });
    expect(direct.rows.find((x) => x.target_id === t.village2)).toMatchObject({ count: 0, status: 'at_risk', reason: 'state_unmet' });
    // 李华 held 吴家 until 1 June: at the end of May, not at the end of June.
    const li = { name: '户数', subject: 'cadre', measure: { kind: 'pairings', via: 'direct' }, targets: { kinds: ['household'] }, period: 'month', threshold: { op: 'at_least', value: 1 } } as const;
    expect(byName((await evaluate(li, '2026-05')).rows, '李华')).toMatchObject({ count: 1, status: 'met' });
    expect(byName((await evaluate(li, '2026-06')).rows, '李华')).toMatchObject({ count: 0, status: 'missed' });
  });
});

describe('stored compliance', () => {
  it('keeps every window up to today, ended ones too, and removes a deleted rule’s rows', async () => {
    const id = await store({ name: '每户每月走访', subject: 'pairing', measure: visits, targets: { kinds: ['household'] }, period: 'month', threshold: { op: 'at_least', value: 1 } });
    const out = await recomputeCompliance(h.db, { now: NOW, ruleIds: [id] });
    expect(out.rules).toBe(1);
    const rows = await rowsOf(id);
    expect([...new Set(rows.map((r) => r.window_key))]).toEqual(['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11']);
    // Last month is still readable, with its final status.
    expect((await rowsOf(id, '2026-02')).find((r) => r.target_id === t.lin)).toMatchObject({ count: 1, status: 'met' });
    expect((await rowsOf(id, '2026-10')).find((r) => r.target_id === t.lin)).toMatchObject({ count: 0, status: 'missed' });
    // 吴家's pairing ended on 1 June: no rows after May.
    expect((await rowsOf(id, '2026-07')).some((r) => r.target_id === t.wu)).toBe(false);
    // A second pass over unchanged records rewrites only the open window.
    const again = await recomputeCompliance(h.db, { now: NOW, ruleIds: [id] });
    expect(again.rows).toBe((await rowsOf(id, '2026-11')).length);
    // Several rules at once (counted two at a time): the rows counted add up over both.
    const cadreRule = await store({ name: '每人每月走访', subject: 'cadre', measure: visits, period: 'month', threshold: { op: 'at_least', value: 1 } });
    const both = await recomputeCompliance(h.db, { now: NOW, ruleIds: [id, cadreRule], rebuild: true });
    expect(both).toMatchObject({ rules: 2, rows: (await rowsOf(id)).length + (await rowsOf(cadreRule)).length });
    await h.db.deleteFrom('requirement_rules').where('id', 'in', [id, cadreRule]).execute();
    expect(await rowsOf(id)).toEqual([]);
  });

  it('recounts incrementally exactly the rows a new record touches', async () => {
    const id = await store({ name: '每户每月走访', subject: 'pairing', measure: visits, targets: { kinds: ['household'] }, period: 'month', threshold: { op: 'at_least', value: 1 } });
    const cadreRule = await store({ name: '每人每月走访', subject: 'cadre', measure: visits, period: 'month', threshold: { op: 'at_least', value: 1 } });
    // Counts writings only: a visit cannot change it, so the drain leaves its rows (张明's too).
    const diaryRule = await store({ name: '每人每月手记', subject: 'cadre', measure: { kind: 'writings', writingKinds: ['diary'] }, period: 'month', threshold: { op: 'at_least', value: 1 } });
    await recomputeCompliance(h.db, { now: NOW, ruleIds: [id, cadreRule, diaryRule] });
    await drainCompliancePending(h.db, { now: NOW }); // what the set-up queued (pairings reach every rule)
    expect((await rowsOf(diaryRule, '2026-11')).map((r) => r.subject_name)).toContain('张明');
    const before = [...(await rowsOf(id)), ...(await rowsOf(cadreRule))];
    const later = new Date(NOW.getTime() + 60_000);
    // 张明 visits 林阿婆家 on 18 November.
    await act('2026-11-18T09:00:00', [c.zhang], [t.lin]);
    expect(Number((await h.db.selectFrom('compliance_pending').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBeGreaterThan(0);
    const drained = await drainCompliancePending(h.db, { now: later });
    expect(drained.changes).toBeGreaterThan(0);
    expect(await h.db.selectFrom('compliance_pending').selectAll().execute()).toEqual([]);
    const after = [...(await rowsOf(id)), ...(await rowsOf(cadreRule)), ...(await rowsOf(diaryRule))];
    const touched = after.filter((r) => r.computed_at.getTime() === later.getTime()).map((r) => `${r.rule_id}/${r.window_key}/${r.subject_name}`).sort();
    // The November rows of 张明 and of his household pairings only.
    expect(touched).toEqual([`${cadreRule}/2026-11/张明`, `${id}/2026-11/金秋社区 林阿婆家（张明）`, `${id}/2026-11/金秋社区 郑大伯家（张明）`].sort());
    expect(after.find((r) => r.rule_id === id && r.window_key === '2026-11' && r.target_id === t.lin)).toMatchObject({ count: 1, status: 'met' });
    expect(before.length + (await rowsOf(diaryRule)).length).toBe(after.length);
    await h.db.deleteFrom('requirement_rules').where('id', 'in', [id, cadreRule, diaryRule]).execute();
  });

  it('refreshes open windows as days pass: on track in March, at risk in June, without recounting', async () => {
    const id = await store({ name: '每户每年走访4次', subject: 'pairing', measure: { kind: 'activities', activityKinds: ['talk'] }, targets: { kinds: ['household'] }, period: 'year', threshold: { op: 'at_least', value: 4 } });
    await recomputeCompliance(h.db, { now: china('2026-03-01T09:00:00'), ruleIds: [id] });
    const march = (await rowsOf(id, '2026')).find((r) => r.target_id === t.lin)!;
    expect(march).toMatchObject({ count: 0, status: 'on_track' });
    const refreshed = await refreshOpenWindows(h.db, { now: china('2026-06-01T09:00:00') });
    expect(refreshed.rows).toBeGreaterThan(0);
    const june = (await rowsOf(id, '2026')).find((r) => r.target_id === t.lin)!;
    expect(june).toMatchObject({ count: 0, status: 'at_risk', reason: 'pace' });
    expect(june.explanation).toContain('剩余214天');
    await h.db.deleteFrom('requirement_rules').where('id', '=', id).execute();
  });

  it('stores the SPEC rules as data and reads them back', async () => {
    const id = await store({ name: '每年撰写调研报告2–3篇', subject: 'cadre', cadres: { ranks: ['city', 'county', 'section'] }, measure: { kind: 'writings', writingKinds: ['research_report'] }, period: 'year', threshold: { op: 'at_least', value: 2 } });
    const [loaded] = await loadRules(h.db, { ruleIds: [id] });
    expect(loaded).toMatchObject({ id, campaignId, atRiskDays: 7, rule: { subject: 'cadre', measure: { statuses: ['submitted', 'reviewed', 'selected'] } } });
    await recomputeCompliance(h.db, { now: NOW, ruleIds: [id] });
    // Cadres of rank 科级 and above taking part: 张明 (one report handed in, a draft not counted) and 陈局长.
    expect((await rowsOf(id)).map((r) => [r.subject_name, r.count])).toEqual([['张明', 1], ['陈局长', 0]]);
    await h.db.deleteFrom('requirement_rules').where('id', '=', id).execute();
  });

  it('runs the scheduler’s turn: drains every time, refreshes once per China day whichever process claims it', async () => {
    const id = await store({ name: '每户每年交谈', subject: 'pairing', measure: { kind: 'activities', activityKinds: ['talk'] }, targets: { kinds: ['household'] }, period: 'year', threshold: { op: 'at_least', value: 4 } });
    await recomputeCompliance(h.db, { now: china('2026-03-01T09:00:00'), ruleIds: [id] });
    await act('2026-11-19T15:00:00', [c.zhang], [t.lin], 'talk');
    const first = await runComplianceTick(h.db, { now: china('2026-11-20T08:00:00'), processName: 'a' });
    expect(first.drained.changes).toBeGreaterThan(0);
    expect(first.refreshed?.rows).toBeGreaterThan(0);
    expect((await rowsOf(id, '2026')).find((r) => r.target_id === t.lin)).toMatchObject({ count: 1 });
    const second = await runComplianceTick(h.db, { now: china('2026-11-20T20:00:00'), processName: 'b' });
    expect(second).toEqual({ drained: { changes: 0, rows: 0 }, refreshed: null });
    expect((await runComplianceTick(h.db, { now: china('2026-11-21T08:00:00'), processName: 'b' })).refreshed).not.toBeNull();
    await h.db.deleteFrom('requirement_rules').where('id', '=', id).execute();
  });

  it('full pass: recounts open windows and windows last counted before they ended, keeps those counted after; rebuild recounts all', async () => {
    const id = await store({ name: '每人每月走访', subject: 'cadre', measure: visits, period: 'month', threshold: { op: 'at_least', value: 1 } });
    const oct20 = china('2026-10-20T09:00:00');
    await recomputeCompliance(h.db, { now: oct20, ruleIds: [id] });
    const perWindow = (await rowsOf(id, '2026-10')).length;
    expect((await rowsOf(id, '2026-10')).find((r) => r.cadre_id === c.zhang)).toMatchObject({ count: 0, status: 'at_risk' });
    // On 22 November: October (counted while open) and November are counted; September (counted after it ended) is not.
    const again = await recomputeCompliance(h.db, { now: NOW, ruleIds: [id] });
    expect(again.rows).toBe(2 * perWindow);
    const rows = await rowsOf(id);
    expect(rows.filter((r) => r.computed_at.getTime() === NOW.getTime()).map((r) => r.window_key).sort()).toEqual([...Array(perWindow).fill('2026-10'), ...Array(perWindow).fill('2026-11')]);
    expect((await rowsOf(id, '2026-10')).find((r) => r.cadre_id === c.zhang)).toMatchObject({ status: 'missed' });
    // A September visit whose queued change is lost: the full pass does not see it, a rebuild does.
    await act('2026-09-10T09:00:00', [c.zhang], [t.lin]);
    await h.db.deleteFrom('compliance_pending').execute();
    const sept = async () => (await rowsOf(id, '2026-09')).find((r) => r.cadre_id === c.zhang)!.count;
    const before = await sept();
    await recomputeCompliance(h.db, { now: NOW, ruleIds: [id] });
    expect(await sept()).toBe(before);
    const rebuilt = await recomputeCompliance(h.db, { now: NOW, ruleIds: [id], rebuild: true });
    expect(rebuilt.rows).toBe(rows.length);
    expect(await sept()).toBe(before + 1);
    // Later the same day: November's unchanged rows are left as they are; a renamed cadre's row is rewritten, a stored row of no subject removed.
    await h.db.updateTable('cadres').set({ name: '张明明' }).where('id', '=', c.zhang).execute();
    await h.db.insertInto('compliance_results').values({ ...(await rowsOf(id, '2026-11'))[0]!, subject_id: 999_999, cadre_id: null }).execute();
    const later = new Date(NOW.getTime() + 1500);
    await recomputeCompliance(h.db, { now: later, ruleIds: [id] });
    const nov = await rowsOf(id, '2026-11');
    expect(nov.filter((r) => r.computed_at.getTime() === later.getTime()).map((r) => r.subject_name)).toEqual(['张明明']);
    expect(nov.map((r) => r.subject_id)).not.toContain(999_999);
    expect(nov).toHaveLength(perWindow);
    await h.db.updateTable('cadres').set({ name: '张明' }).where('id', '=', c.zhang).execute();
    // Editing the rule makes the next full pass recount every window.
    await h.db.updateTable('requirement_rules').set({ updated_at: new Date(NOW.getTime() + 1000) }).where('id', '=', id).execute();
    expect((await recomputeCompliance(h.db, { now: new Date(NOW.getTime() + 2000), ruleIds: [id] })).rows).toBe(rows.length);
    await h.db.deleteFrom('requirement_rules').where('id', '=', id).execute();
  });
});
