import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssessmentDetailDto, AssessmentTree, RankingDto, ScoreSheetDto } from '../../../contracts/assessments.ts';
import { formulaScore } from '../../../contracts/assessments.ts';
import {
  actorFor, admin, as, createTestApp, createTestDatabase, DANDONG, login, makeCadre, makeUnit, makeUser, seedXiangshan, SHIPU, testKey, XIANGSHAN, type Session,
} from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import { createCampaign } from '../campaigns/campaigns.ts';
import { importRegions } from '../regions/regions.ts';
import { createTicket } from '../tickets/tickets.ts';

const NINGHAI = '330226000000'; // another county
const DANDONG_VILLAGE = '330225001003';
const YEAR = 2026;

let h: DatabaseHandle;
let app: App;
const s = {} as Record<'county' | 'dandong' | 'shipu' | 'ninghai' | 'leader' | 'supervisor' | 'cadre', Session>;
let dandongPath: string;
let units: Record<'dandong' | 'shipu', { id: number }>;
let cadres: Record<'dandong' | 'shipu', { id: number }>;
let campaignId: number;

const get = (who: Session, url: string) => app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });
const send = (who: Session, method: 'POST' | 'PUT', url: string, payload?: object) => app.inject({ method, url, headers: as(who), ...(payload ? { payload } : {}) });
const expectStatus = (res: { statusCode: number; body: string }, status: number) => expect(res.statusCode, res.body).toBe(status);
const count = async (table: 'assessment_items' | 'assessment_scores' | 'assessment_schemes' | 'assessment_decisions', schemeId?: number) => {
  let q = h.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
  if (schemeId !== undefined && table !== 'assessment_decisions' && table !== 'assessment_schemes') q = q.where('scheme_id', '=', schemeId);
  return Number((await q.executeTakeFirstOrThrow()).n);
};

/** A tree with every auto measure plus manual, bonus and deduction items; weights sum to 1000. */
const tree = (over: Partial<AssessmentTree> = {}): AssessmentTree => ({
  groups: [
    {
      code: 'A', name: '联系服务', indicators: [
        { code: 'A1', name: '结对覆盖率', weight: 200, method: 'auto', measure: 'coverage', formula: { kind: 'ratio', target: 1 } },
        { code: 'A2', name: '硬性要求达标率', weight: 200, method: 'auto', measure: 'compliance', formula: { kind: 'band', floor: 0.5, target: 0.9 } },
        { code: 'A3', name: '调研成果', weight: 100, method: 'auto', measure: 'reports', formula: { kind: 'ratio', target: 4 } },
        { code: 'A4', name: '实事资金', weight: 100, method: 'auto', measure: 'funds', formula: { kind: 'ratio', target: 10_000 } },
      ],
    },
    {
      code: 'B', name: '办理成效', indicators: [
        { code: 'B1', name: '按期办结率', weight: 150, method: 'auto', measure: 'on_time', formula: { kind: 'ratio', target: 0.95 } },
        { code: 'B2', name: '群众满意率', weight: 150, method: 'auto', measure: 'satisfaction', formula: { kind: 'ratio', target: 0.9 } },
        { code: 'B3', name: '作风建设', weight: 100, method: 'manual' },
      ],
    },
  ],
  bonus: [{ code: 'J1', name: '获上级表彰', weight: 20 }],
  deductions: [{ code: 'K1', name: '被通报批评', weight: 30 }],
  bonusCap: 30, deductionCap: 50,
  ...over,
});

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  await importRegions(h.db, admin, '330226');
  app = await createTestApp(h.db);
  dandongPath = (await h.db.selectFrom('regions').select('path').where('code', '=', DANDONG).executeTakeFirstOrThrow()).path;
  units = { dandong: await makeUnit(h.db, DANDONG, { name: '丹东街道党工委' }), shipu: await makeUnit(h.db, SHIPU, { name: '石浦镇党委' }) };
  cadres = { dandong: await makeCadre(h.db, units.dandong.id, { name: '张明' }), shipu: await makeCadre(h.db, units.shipu.id, { name: '周海' }) };
  const users = {
    county: await makeUser(h.db, 'admin', { regionCode: XIANGSHAN }),
    dandong: await makeUser(h.db, 'admin', { regionCode: DANDONG }),
    shipu: await makeUser(h.db, 'admin', { regionCode: SHIPU }),
    ninghai: await makeUser(h.db, 'admin', { regionCode: NINGHAI }),
    leader: await makeUser(h.db, 'leadership', { regionCode: XIANGSHAN }),
    supervisor: await makeUser(h.db, 'supervisor', { regionCode: XIANGSHAN }),
    cadre: await makeUser(h.db, 'cadre', { regionCode: XIANGSHAN }),
  };
  for (const k of Object.keys(users) as (keyof typeof users)[]) s[k] = await login(app, users[k].username);
  campaignId = (await createCampaign(h.db, admin, { name: '干部下基层', startsOn: `${YEAR}-01-01`, endsOn: `${YEAR}-12-31`, regionCode: XIANGSHAN })).id;

  // Dandong's data: 2 households, 1 paired; 4 compliance rows, 3 met; 2 reports submitted (1 draft,
  // 1 last year); 5000 yuan done (1000 promised only); 4 tickets, 3 resolved (2 on time), 2 rated (1 satisfied).
  const village = await h.db.selectFrom('regions').select(['code', 'path']).where('code', '=', DANDONG_VILLAGE).executeTakeFirstOrThrow();
  const [t1, t2] = await h.db.insertInto('contact_targets').values(['林家', '吴家'].map((name) => ({ kind: 'household' as const, name, name_initials: '', region_code: village.code, region_path: village.path, updated_at: new Date() })))
    .returning('id').execute();
  await h.db.insertInto('pairings').values({ campaign_id: campaignId, target_id: t1!.id, cadre_id: cadres.dandong.id, starts_on: `${YEAR}-01-10` }).execute();
  await h.db.insertInto('pairings').values({ campaign_id: campaignId, target_id: t2!.id, cadre_id: cadres.dandong.id, starts_on: `${YEAR}-01-10`, ends_on: `${YEAR}-02-01`, end_reason: '调整' }).execute();
  const rule = await h.db.insertInto('requirement_rules').values({ campaign_id: campaignId, name: '每月走访', rule: '{}', updated_at: new Date() }).returning('id').executeTakeFirstOrThrow();
  await h.db.insertInto('compliance_results').values(['met', 'met', 'met', 'missed', 'missed'].map((status, i) => ({
    rule_id: rule.id, window_key: i === 4 ? '2025-12' : `${YEAR}-0${i + 1}`, subject_id: cadres.dandong.id, window_start: i === 4 ? '2025-12-01' : `${YEAR}-0${i + 1}-01`,
    window_end: i === 4 ? '2025-12-31' : `${YEAR}-0${i + 1}-28`, subject_name: '张明', count: 1, required_min: 1, required_max: null, status: status as 'met' | 'missed',
    reason: '', explanation: '', cadre_id: cadres.dandong.id, unit_id: units.dandong.id, region_path: dandongPath, computed_at: new Date(),
  }))).execute();
  const writing = (status: 'draft' | 'submitted' | 'reviewed', written_on: string) => ({
    kind: 'research_report' as const, title: '调研', author_cadre_id: cadres.dandong.id, region_code: DANDONG, region_path: dandongPath, unit_path: String(units.dandong.id),
    status, grade: status === 'reviewed' ? ('良' as const) : null, written_on, updated_at: new Date(),
  });
  await h.db.insertInto('writings').values([writing('submitted', `${YEAR}-03-01`), writing('reviewed', `${YEAR}-04-01`), writing('draft', `${YEAR}-05-01`), writing('submitted', '2025-06-01')]).execute();
  const matter = (amount_fen: number, status: 'done' | 'promised', done_on: string | null) => ({
    target_id: t1!.id, title: '修路', amount_fen, status, promised_on: `${YEAR}-01-05`, done_on, region_code: village.code, region_path: village.path, updated_at: new Date(),
  });
  await h.db.insertInto('practical_matters').values([matter(300_000, 'done', `${YEAR}-03-01`), matter(200_000, 'done', `${YEAR}-06-01`), matter(100_000, 'promised', null)]).execute();
  const op = await actorFor(h.db, await makeUser(h.db, 'hotline_operator', { regionCode: XIANGSHAN }));
  const outcomes = [
    { resolved: true, onTime: true, rating: 'satisfied' as const },
    { resolved: true, onTime: true, rating: 'unsatisfied' as const },
    { resolved: true, onTime: false, rating: null },
    { resolved: false, onTime: null, rating: null },
  ];
  for (const o of outcomes) {
    const t = await createTicket(h.db, op, testKey, {
      source: 'hotline', type: 'complaint', categoryCode: 'infrastructure.water', title: '停水', content: '小区停水。', requester: { name: '林秀英', phone: '13957412345' },
      regionCode: DANDONG, dispatch: { unitId: units.dandong.id },
    });
    // The outcome columns as the state machine leaves them (the measures read only these).
    await h.db.updateTable('tickets').set({ resolved_at: o.resolved ? new Date() : null, resolved_on_time: o.onTime, rating: o.rating }).where('id', '=', t.id).execute();
  }
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

async function newScheme(who: Session = s.county, body: object = {}): Promise<AssessmentDetailDto> {
  const res = await send(who, 'POST', '/api/v1/assessments', { year: YEAR, name: `${YEAR}年度乡镇千分制考核`, regionCode: XIANGSHAN, campaignId, subjectKind: 'township', ...body });
  expectStatus(res, 201);
  return res.json();
}

describe('the indicator tree', () => {
  it('creates a scheme for every township of the county', async () => {
    const scheme = await newScheme();
    const townships = await h.db.selectFrom('regions').select('code').where('level', '=', 'township').where('path', 'like', `%/${XIANGSHAN}/%`).execute();
    expect(scheme.subjects.map((x) => x.regionCode).sort()).toEqual(townships.map((t) => t.code).sort());
    expect(scheme).toMatchObject({ status: 'draft', weightTotal: 0, actions: ['start'] });
  });

  it('refuses weights that do not sum to 1000, with the sum and the difference at the field; nothing saved', async () => {
    const scheme = await newScheme();
    const short = tree();
    short.groups[1]!.indicators[2]!.weight = 85;
    const res = await send(s.county, 'PUT', `/api/v1/assessments/${scheme.id}/items`, short);
    expectStatus(res, 400);
    expect(res.json().error.message).toContain('合计为 985 分');
    expect(res.json().error.message).toContain('还差 15 分');
    expect(res.json().error.details).toMatchObject({ field: 'groups', sum: 985, difference: 15 });
    const over = tree();
    over.groups[0]!.indicators[0]!.weight = 210;
    const res2 = await send(s.county, 'PUT', `/api/v1/assessments/${scheme.id}/items`, over);
    expectStatus(res2, 400);
    expect(res2.json().error.message).toContain('超出 10 分');
    expect(await count('assessment_items', scheme.id)).toBe(0);
  });

  it('refuses duplicate codes naming both places, and an auto indicator without a formula; nothing saved', async () => {
    const scheme = await newScheme();
    const dup = tree();
    dup.groups[1]!.indicators[2]!.code = 'a1';
    const res = await send(s.county, 'PUT', `/api/v1/assessments/${scheme.id}/items`, dup);
    expectStatus(res, 400);
    expect(res.json().error.details.field).toBe('groups.1.indicators.2.code');
    expect(res.json().error.message).toContain('groups.0.indicators.0.code');
    const noFormula = tree();
    delete noFormula.groups[0]!.indicators[0]!.formula;
    const res2 = await send(s.county, 'PUT', `/api/v1/assessments/${scheme.id}/items`, noFormula);
    expectStatus(res2, 400);
    expect(res2.body).toContain('groups.0.indicators.0.formula');
    const badBand = tree();
    badBand.groups[0]!.indicators[1]!.formula = { kind: 'band', floor: 0.9, target: 0.5 };
    expectStatus(await send(s.county, 'PUT', `/api/v1/assessments/${scheme.id}/items`, badBand), 400);
    expect(await count('assessment_items', scheme.id)).toBe(0);
  });

  it('saves a valid tree with its formulas stated, and replaces it whole on the next save', async () => {
    const scheme = await newScheme();
    const res = await send(s.county, 'PUT', `/api/v1/assessments/${scheme.id}/items`, tree());
    expectStatus(res, 200);
    const d: AssessmentDetailDto = res.json();
    expect(d.weightTotal).toBe(1000);
    expect(d.items.filter((i) => i.kind === 'group').map((g) => [g.code, g.weight])).toEqual([['A', 600], ['B', 400]]);
    const a1 = d.items.find((i) => i.code === 'A1')!;
    expect(a1.formulaText?.zh).toBe('结对覆盖率：得分 = 200 × min(1, 实际值 ÷ 100%)');
    expect(d.items.find((i) => i.code === 'A2')!.formulaText?.en).toContain('≤ 50% scores 0');
    const two = tree({ groups: [{ code: 'X', name: '唯一', indicators: [{ code: 'X1', name: '综合', weight: 1000, method: 'manual' }] }] });
    expectStatus(await send(s.county, 'PUT', `/api/v1/assessments/${scheme.id}/items`, two), 200);
    expect(await count('assessment_items', scheme.id)).toBe(2 + 2);
  });

  it('scores by the formula: ratio capped at the weight, band linear between floor and target, no data scores 0', () => {
    expect(formulaScore('coverage', 200, { kind: 'ratio', target: 1 }, 0.5)).toBe(100);
    expect(formulaScore('reports', 100, { kind: 'ratio', target: 4 }, 6)).toBe(100);
    expect(formulaScore('compliance', 200, { kind: 'band', floor: 0.5, target: 0.9 }, 0.75)).toBe(125);
    expect(formulaScore('compliance', 200, { kind: 'band', floor: 0.5, target: 0.9 }, 0.4)).toBe(0);
    expect(formulaScore('funds', 100, { kind: 'ratio', target: 10_000 }, 500_000)).toBe(50);
    expect(formulaScore('on_time', 150, { kind: 'ratio', target: 0.95 }, null)).toBe(0);
  });
});

describe('scoring, approval and the ranking', () => {
  let scheme: AssessmentDetailDto;
  let dandong: number;
  let shipu: number;
  const item = (code: string) => scheme.items.find((i) => i.code === code)!.id;
  const score = (who: Session, subjectId: number, code: string, body: object) =>
    send(who, 'PUT', `/api/v1/assessments/${scheme.id}/subjects/${subjectId}/scores/${item(code)}`, body);
  const act = (who: Session, action: string, reason?: string) => send(who, 'POST', `/api/v1/assessments/${scheme.id}/actions`, { action, ...(reason ? { reason } : {}) });

  beforeAll(async () => {
    scheme = await newScheme();
    scheme = (await send(s.county, 'PUT', `/api/v1/assessments/${scheme.id}/items`, tree())).json();
    dandong = scheme.subjects.find((x) => x.regionCode === DANDONG)!.id;
    shipu = scheme.subjects.find((x) => x.regionCode === SHIPU)!.id;
  });

  it('refuses to approve, submit or score a draft (409 naming the state), and computes nothing in draft', async () => {
    const res = await act(s.leader, 'approve');
    expectStatus(res, 409);
    expect(res.json().error.message).toContain('草稿');
    expect(res.json().error.details.allowed).toEqual(['start']);
    expectStatus(await score(s.supervisor, dandong, 'B3', { score: 50 }), 409);
    expectStatus(await send(s.supervisor, 'POST', `/api/v1/assessments/${scheme.id}/compute`), 409);
    expect(await count('assessment_scores', scheme.id)).toBe(0);
  });

  it('lets only the roles that may: a cadre cannot start (403), a supervisor cannot approve (403)', async () => {
    expectStatus(await act(s.cadre, 'start'), 403);
    expectStatus(await act(s.county, 'start'), 200);
    expectStatus(await act(s.supervisor, 'approve'), 403);
    expectStatus(await score(s.cadre, dandong, 'B3', { score: 50 }), 403);
    expectStatus(await score(s.leader, dandong, 'B3', { score: 50 }), 403);
  });

  it('computes every auto indicator from the data, keeping its inputs', async () => {
    const res = await send(s.supervisor, 'POST', `/api/v1/assessments/${scheme.id}/compute`);
    expectStatus(res, 200);
    expect(res.json()).toMatchObject({ indicators: 6, subjects: scheme.subjects.length, computed: 6 * scheme.subjects.length });
    const sheet: ScoreSheetDto = (await get(s.county, `/api/v1/assessments/${scheme.id}/subjects/${dandong}`)).json();
    const row = (code: string) => sheet.scores.find((r) => r.itemId === item(code))!;
    expect(row('A1')).toMatchObject({ numerator: 1, denominator: 2, value: 0.5, score: 100, valueText: '50%' });
    expect(row('A2')).toMatchObject({ numerator: 3, denominator: 4, value: 0.75, score: 125 });
    expect(row('A3')).toMatchObject({ numerator: 2, value: 2, score: 50 });
    expect(row('A4')).toMatchObject({ value: 500_000, score: 50, valueText: '5000元' });
    expect(row('B1')).toMatchObject({ numerator: 2, denominator: 3, score: Math.round(150 * (2 / 3 / 0.95) * 100) / 100 });
    expect(row('B2')).toMatchObject({ numerator: 1, denominator: 2, score: Math.round(150 * (0.5 / 0.9) * 100) / 100 });
    expect(row('B3').score).toBeNull();
    const shipuSheet: ScoreSheetDto = (await get(s.county, `/api/v1/assessments/${scheme.id}/subjects/${shipu}`)).json();
    expect(shipuSheet.scores.find((r) => r.itemId === item('A1'))).toMatchObject({ value: null, score: 0, note: '无数据', denominator: 0 });
  });

  it('refuses a manual score outside 0..weight naming the indicator and range, an auto one by hand, unknown photos; nothing saved', async () => {
    const res = await score(s.supervisor, dandong, 'B3', { score: 120, note: '过高' });
    expectStatus(res, 400);
    expect(res.json().error.message).toBe('「B3 作风建设」的分数应在 0～100 分之间（收到 120）');
    expect(res.json().error.details).toMatchObject({ field: 'score', itemCode: 'B3', min: 0, max: 100 });
    expectStatus(await score(s.supervisor, dandong, 'B3', { score: -1 }), 400);
    expectStatus(await score(s.supervisor, dandong, 'K1', { score: 31 }), 400);
    const auto = await score(s.supervisor, dandong, 'A1', { score: 10 });
    expectStatus(auto, 400);
    expect(auto.json().error.message).toContain('自动指标');
    const photos = await score(s.supervisor, dandong, 'B3', { score: 80, photoIds: [999_999] });
    expectStatus(photos, 400);
    expect(photos.json().error.details.field).toBe('photoIds');
    const stored = await h.db.selectFrom('assessment_scores').select('score').where('subject_id', '=', dandong).where('item_id', '=', item('B3')).executeTakeFirst();
    expect(stored).toBeUndefined();
  });

  it('takes manual scores with a note, bonus and deduction capped in the total', async () => {
    const res = await score(s.supervisor, dandong, 'B3', { score: 90, note: '查阅台账，作风扎实' });
    expectStatus(res, 200);
    expectStatus(await score(s.supervisor, dandong, 'J1', { score: 20, note: '省级表彰' }), 200);
    expectStatus(await score(s.supervisor, dandong, 'K1', { score: 5, note: '一次通报' }), 200);
    const sheet: ScoreSheetDto = (await score(s.supervisor, dandong, 'B3', { score: 92.5, note: '复核' })).json();
    expect(sheet.scores.find((r) => r.itemId === item('B3'))).toMatchObject({ score: 92.5, note: '复核' });
    expect(sheet.bonus).toBe(20);
    expect(sheet.deduction).toBe(5);
    expect(sheet.total).toBeCloseTo(sheet.base + 15, 2);
  });

  it('refuses to submit while an indicator is unscored, naming the subject', async () => {
    const res = await act(s.supervisor, 'submit');
    expectStatus(res, 409);
    expect(res.json().error.message).toContain('缺 1 项');
    expect(res.json().error.message).toContain('石浦镇');
  });

  it('submits, is returned with a reason (required), resubmits, is approved, then freezes; the ranking shares ranks on ties', async () => {
    for (const x of scheme.subjects) if (x.id !== dandong) expectStatus(await score(s.supervisor, x.id, 'B3', { score: x.id === shipu ? 60 : 50 }), 200);
    expectStatus(await act(s.supervisor, 'submit'), 200);
    expectStatus(await score(s.supervisor, dandong, 'B3', { score: 10 }), 409);
    expectStatus(await act(s.leader, 'return'), 400);
    const back = await act(s.leader, 'return', '石浦镇作风评分依据不足');
    expectStatus(back, 200);
    expect(back.json()).toMatchObject({ status: 'scoring', returnReason: '石浦镇作风评分依据不足' });
    expectStatus(await score(s.supervisor, shipu, 'B3', { score: 55, note: '补充材料' }), 200);
    expectStatus(await act(s.supervisor, 'submit'), 200);
    const approved = await act(s.leader, 'approve');
    expectStatus(approved, 200);
    expect(approved.json()).toMatchObject({ status: 'approved', actions: ['publish'] });

    // Frozen: no score, no recompute, no tree change.
    const frozen = await score(s.supervisor, dandong, 'B3', { score: 10 });
    expectStatus(frozen, 409);
    expect(frozen.json().error.message).toContain('已审批');
    expectStatus(await send(s.supervisor, 'POST', `/api/v1/assessments/${scheme.id}/compute`), 409);
    expectStatus(await send(s.county, 'PUT', `/api/v1/assessments/${scheme.id}/items`, tree()), 409);
    expectStatus(await act(s.leader, 'approve'), 409);

    expectStatus(await act(s.leader, 'publish'), 200);
    const ranking: RankingDto = (await get(s.dandong, `/api/v1/assessments/${scheme.id}/ranking`)).json();
    expect(ranking.final).toBe(true);
    expect(ranking.rows[0]).toMatchObject({ rank: 1, subjectId: dandong, scored: 7, expected: 7 });
    expect(ranking.rows[1]).toMatchObject({ rank: 2, subjectId: shipu, total: 55 });
    // Every other township scored the same 50: one shared rank, 3.
    const rest = ranking.rows.slice(2);
    expect(rest.length).toBeGreaterThan(1);
    expect(new Set(rest.map((r) => r.rank))).toEqual(new Set([3]));

    const audit = await h.db.selectFrom('audit_log').select('action').where('entity', '=', 'assessment_scheme').where('entity_id', '=', String(scheme.id)).execute();
    const actions = audit.map((a) => a.action);
    for (const a of ['assessment.create', 'assessment.tree', 'assessment.start', 'assessment.compute', 'assessment.score', 'assessment.submit', 'assessment.return', 'assessment.approve', 'assessment.publish']) {
      expect(actions).toContain(a);
    }
  });
});

describe('scope', () => {
  let county: AssessmentDetailDto;
  let shipuScheme: AssessmentDetailDto;
  let ninghai: AssessmentDetailDto;
  beforeAll(async () => {
    county = await newScheme();
    shipuScheme = await newScheme(s.shipu, { regionCode: SHIPU, campaignId: null, subjectKind: 'unit', unitIds: [units.shipu.id] });
    ninghai = await newScheme(s.ninghai, { regionCode: NINGHAI, campaignId: null });
  });

  it('a county admin sees its county’s schemes; another county’s answer 404 and are not listed', async () => {
    const list = (await get(s.county, '/api/v1/assessments')).json() as { id: number }[];
    expect(list.map((x) => x.id)).toContain(county.id);
    expect(list.map((x) => x.id)).toContain(shipuScheme.id);
    expect(list.map((x) => x.id)).not.toContain(ninghai.id);
    for (const url of [`/api/v1/assessments/${ninghai.id}`, `/api/v1/assessments/${ninghai.id}/ranking`, `/api/v1/assessments/${ninghai.id}/subjects/${ninghai.subjects[0]!.id}`]) {
      expectStatus(await get(s.county, url), 404);
    }
    expectStatus(await send(s.county, 'PUT', `/api/v1/assessments/${ninghai.id}/items`, tree()), 404);
    expectStatus(await send(s.county, 'POST', `/api/v1/assessments/${ninghai.id}/actions`, { action: 'start' }), 404);
    expect(await count('assessment_items', ninghai.id)).toBe(0);
  });

  it('a township admin reads the county scheme but cannot change it (403); another township’s scheme is 404', async () => {
    expectStatus(await get(s.dandong, `/api/v1/assessments/${county.id}`), 200);
    expect((await get(s.dandong, `/api/v1/assessments/${county.id}`)).json().actions).toEqual([]);
    expectStatus(await send(s.dandong, 'PUT', `/api/v1/assessments/${county.id}/items`, tree()), 403);
    expectStatus(await get(s.dandong, `/api/v1/assessments/${shipuScheme.id}`), 404);
    expect(((await get(s.dandong, '/api/v1/assessments')).json() as { id: number }[]).map((x) => x.id)).not.toContain(shipuScheme.id);
    expectStatus(await send(s.dandong, 'PUT', `/api/v1/assessments/${shipuScheme.id}/subjects/${shipuScheme.subjects[0]!.id}/scores/1`, { score: 1 }), 404);
  });

  it('cannot create a scheme for a region outside scope (404), nor with units outside it (400)', async () => {
    expectStatus(await send(s.dandong, 'POST', '/api/v1/assessments', { year: YEAR, name: '越权', regionCode: SHIPU, subjectKind: 'township' }), 404);
    const res = await send(s.dandong, 'POST', '/api/v1/assessments', { year: YEAR, name: '越权', regionCode: DANDONG, subjectKind: 'unit', unitIds: [units.shipu.id] });
    expectStatus(res, 400);
    expect(res.json().error.details.field).toBe('unitIds');
  });
});

describe('bad input reaching for the database', () => {
  it('answers ids beyond int4 and NUL characters with a 400 naming the field, not a database error', async () => {
    const big = 99_999_999_999;
    const bad = [
      await get(s.county, `/api/v1/assessments/${big}`),
      await get(s.county, `/api/v1/assessments/1/subjects/${big}`),
      await send(s.county, 'PUT', `/api/v1/assessments/1/subjects/1/scores/${big}`, { score: 1 }),
      await send(s.county, 'POST', '/api/v1/assessments', { year: YEAR, name: 'a\u0000b', regionCode: XIANGSHAN, subjectKind: 'township' }),
      await send(s.county, 'POST', '/api/v1/assessments', { year: YEAR, name: '单位考核', regionCode: XIANGSHAN, subjectKind: 'unit', unitIds: [big] }),
      await send(s.county, 'POST', '/api/v1/assessment-decisions', { year: YEAR, kind: 'commend', cadreId: big, decision: '评优', decidedOn: `${YEAR}-11-01` }),
      await send(s.county, 'POST', '/api/v1/assessment-decisions', { year: YEAR, kind: 'commend', cadreId: cadres.dandong.id, decision: 'a\u0000b', decidedOn: `${YEAR}-11-01` }),
      await get(s.county, `/api/v1/assessment-decisions?schemeId=${big}`),
    ];
    for (const res of bad) {
      expectStatus(res, 400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
  });
});

describe('rewards and penalties', () => {
  it('records decisions per cadre and unit, lists and counts them by kind, within scope', async () => {
    const base = { year: YEAR, decidedOn: `${YEAR}-11-01`, reference: '象委干〔2026〕12号' };
    const before = await count('assessment_decisions');
    for (let i = 0; i < 3; i++) expectStatus(await send(s.county, 'POST', '/api/v1/assessment-decisions', { ...base, kind: 'promote', cadreId: cadres.dandong.id, decision: '考核优秀，提拔重用' }), 201);
    expectStatus(await send(s.county, 'POST', '/api/v1/assessment-decisions', { ...base, kind: 'dismiss', cadreId: cadres.shipu.id, decision: '考核末位，免职' }), 201);
    const unit = await send(s.county, 'POST', '/api/v1/assessment-decisions', { ...base, kind: 'criticize', unitId: units.shipu.id, decision: '通报批评' });
    expectStatus(unit, 201);
    expect(unit.json()).toMatchObject({ name: '石浦镇党委', penalty: true });

    const sum = (await get(s.county, `/api/v1/assessment-decisions/summary?year=${YEAR}`)).json();
    expect(sum).toMatchObject({ total: 5, rewards: 3, penalties: 2 });
    expect(sum.byKind.find((k: { kind: string }) => k.kind === 'promote').count).toBe(3);
    expect(sum.byKind.find((k: { kind: string }) => k.kind === 'dismiss').count).toBe(1);
    const dandongList = (await get(s.dandong, '/api/v1/assessment-decisions')).json();
    expect(dandongList.total).toBe(3);
    expect((await get(s.dandong, `/api/v1/assessment-decisions/${unit.json().id}`)).statusCode).toBe(404);
    expect((await get(s.county, `/api/v1/assessment-decisions?kind=dismiss`)).json().items.map((d: { name: string }) => d.name)).toEqual(['周海']);
    expect(await count('assessment_decisions')).toBe(before + 5);
  });

  it('refuses a cadre outside scope, both or neither of cadre and unit, a bad date; nothing saved', async () => {
    const before = await count('assessment_decisions');
    const base = { year: YEAR, decidedOn: `${YEAR}-11-01`, kind: 'commend', decision: '评优' };
    const out = await send(s.dandong, 'POST', '/api/v1/assessment-decisions', { ...base, cadreId: cadres.shipu.id });
    expectStatus(out, 400);
    expect(out.json().error.details.field).toBe('cadreId');
    expectStatus(await send(s.county, 'POST', '/api/v1/assessment-decisions', { ...base, cadreId: cadres.shipu.id, unitId: units.shipu.id }), 400);
    expectStatus(await send(s.county, 'POST', '/api/v1/assessment-decisions', { ...base }), 400);
    expectStatus(await send(s.county, 'POST', '/api/v1/assessment-decisions', { ...base, cadreId: cadres.shipu.id, decidedOn: '2026-13-01' }), 400);
    expectStatus(await send(s.county, 'POST', '/api/v1/assessment-decisions', { ...base, cadreId: cadres.shipu.id, kind: 'fired' }), 400);
    expectStatus(await send(s.supervisor, 'POST', '/api/v1/assessment-decisions', { ...base, cadreId: cadres.shipu.id }), 403);
    expect(await count('assessment_decisions')).toBe(before);
  });
});
