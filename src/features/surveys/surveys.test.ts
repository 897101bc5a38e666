import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateSurvey, PublicSurvey, SurveyDto, SurveyFlag, SurveyLink, SurveyResults } from '../../../contracts/surveys.ts';
import { admin, as, createTestApp, createTestDatabase, DANDONG, login, makeCadre, makeUnit, makeUser, seedXiangshan, type Session, SHIPU, testConfig, testKey, XIANGSHAN } from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import { submitResponse } from './public.ts';

// 双评 end to end through the API: the office builds a round and its links; the public answer by
// phone, once per subject and round; each 不满意 becomes a ticket in the same transaction; bad
// input saves nothing; inflation is flagged and can be excluded; results are scoped and anonymous.

let h: DatabaseHandle;
let app: App;
let office: Session;
let townOffice: Session;
let shipuLeader: Session;
let cadreSession: Session;
let agricultureId: number;
let tourismId: number;
let zhang: number;
let li: number;
let villageId: number;
let dandongVillageId: number;
let campaignId: number;

const PHONE = '13957400001';

const template = (over: Partial<CreateSurvey> = {}): CreateSurvey => ({
  title: '2026年11月群众评干部', kind: 'public_cadre', regionCode: XIANGSHAN, period: { kind: 'month', year: 2026, month: 11 },
  questions: [
    { dimension: '责任担当', text: '联系干部是否主动上门、解决问题', required: true, allowComment: true },
    { dimension: '服务效能', text: '办事是否及时高效', required: true, allowComment: true },
    { dimension: '作风形象', text: '工作作风是否务实清廉', required: false, allowComment: false },
  ],
  ...over,
});

async function place(name: string, regionCode: string) {
  const r = await h.db.selectFrom('regions').select(['code', 'path']).where('code', '=', regionCode).executeTakeFirstOrThrow();
  return (await h.db.insertInto('contact_targets').values({ kind: 'village', name, name_initials: 'x', region_code: r.code, region_path: r.path, updated_at: new Date() }).returning('id').executeTakeFirstOrThrow()).id;
}

const post = (who: Session | null, url: string, payload: unknown) => app.inject({ method: 'POST', url, headers: who ? as(who) : {}, payload: payload as object });
const get = (who: Session | null, url: string) => app.inject({ url, headers: who ? as(who) : {} });
const patch = (who: Session, url: string, payload: unknown) => app.inject({ method: 'PATCH', url, headers: as(who), payload: payload as object });

async function openSurvey(over: Partial<CreateSurvey> = {}) {
  const created = await post(office, '/api/v1/surveys', { ...template(over), campaignId });
  expect(created.statusCode, created.body).toBe(201);
  const s = created.json<SurveyDto>();
  const opened = await patch(office, `/api/v1/surveys/${s.id}`, { version: s.version, state: 'open' });
  expect(opened.statusCode, opened.body).toBe(200);
  return opened.json<SurveyDto>();
}

const answersFor = (s: SurveyDto, values: string[], comments: (string | undefined)[] = []) =>
  s.questions.slice(0, values.length).map((q, i) => ({ questionId: q.id, value: values[i], ...(comments[i] ? { comment: comments[i] } : {}) }));
const respond = (token: string, payload: unknown, ip = '10.0.0.1') => app.inject({ method: 'POST', url: `/api/v1/public/surveys/${token}/responses`, payload: payload as object, remoteAddress: ip });
const counts = async () => ({
  responses: Number((await h.db.selectFrom('survey_responses').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
  tickets: Number((await h.db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
});

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db, { LIANXIN_SURVEY_DEVICE_MAX: '3', LIANXIN_SURVEY_BURST_COUNT: '5', LIANXIN_SURVEY_BURST_MINUTES: '10' });
  agricultureId = (await makeUnit(h.db, XIANGSHAN, { name: '县农业农村局', level: 'county' })).id;
  tourismId = (await makeUnit(h.db, DANDONG, { name: '丹东街道办事处' })).id;
  zhang = (await makeCadre(h.db, agricultureId, { name: '张建国' })).id;
  li = (await makeCadre(h.db, agricultureId, { name: '李秀梅' })).id;
  villageId = await place('石浦镇东门村', SHIPU);
  dandongVillageId = await place('丹东街道后山村', DANDONG);
  const county = await h.db.selectFrom('regions').select('path').where('code', '=', XIANGSHAN).executeTakeFirstOrThrow();
  campaignId = (await h.db.insertInto('campaigns').values({ name: '双联双促', starts_on: '2026-01-01', ends_on: '2026-12-31', region_code: XIANGSHAN, region_path: county.path, updated_at: new Date() }).returning('id').executeTakeFirstOrThrow()).id;
  await h.db.insertInto('pairings').values([
    { campaign_id: campaignId, target_id: villageId, cadre_id: zhang, starts_on: '2026-01-01' },
    { campaign_id: campaignId, target_id: villageId, cadre_id: li, starts_on: '2026-01-01' },
    { campaign_id: campaignId, target_id: dandongVillageId, cadre_id: li, starts_on: '2026-01-01' },
  ]).execute();
  office = await login(app, (await makeUser(h.db, 'admin', { regionCode: XIANGSHAN })).username);
  townOffice = await login(app, (await makeUser(h.db, 'admin', { regionCode: SHIPU })).username);
  shipuLeader = await login(app, (await makeUser(h.db, 'leadership', { regionCode: SHIPU })).username);
  cadreSession = await login(app, (await makeUser(h.db, 'cadre', { regionCode: XIANGSHAN, cadreId: zhang })).username);
  void admin;
});

afterAll(async () => {
  await app?.close();
  await h?.close();
});

describe('building a round', () => {
  it('creates a survey with questions by dimension and its period, edits it while unanswered, opens it', async () => {
    const res = await post(office, '/api/v1/surveys', template({ period: { kind: 'quarter', year: 2026, quarter: 4 } }));
    expect(res.statusCode, res.body).toBe(201);
    const s = res.json<SurveyDto>();
    expect(s).toMatchObject({ state: 'draft', startsOn: '2026-10-01', endsOn: '2026-12-31', periodLabel: '2026年第4季度', regionName: '象山县' });
    expect(s.questions.map((q) => q.dimension)).toEqual(['责任担当', '服务效能', '作风形象']);
    const edited = await patch(office, `/api/v1/surveys/${s.id}`, { version: s.version, questions: [{ dimension: '服务效能', text: '办事效率' }] });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json<SurveyDto>().questions).toHaveLength(1);
    const stale = await patch(office, `/api/v1/surveys/${s.id}`, { version: s.version, state: 'open' });
    expect(stale.statusCode).toBe(409);
  });

  it('refuses bad templates, naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ ...template(), questions: [] }, 'questions'],
      [{ ...template(), period: { kind: 'month', year: 2026, month: 13 } }, 'period'],
      [{ ...template(), period: { kind: 'custom', startsOn: '2026-11-30', endsOn: '2026-11-01' } }, 'period'],
      [{ ...template(), kind: 'everyone' }, 'kind'],
      [{ ...template(), questions: [{ dimension: '', text: '题目' }] }, 'questions'],
    ];
    for (const [payload, field] of cases) {
      const res = await post(office, '/api/v1/surveys', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.body).toContain(field);
    }
    const outOfScope = await post(townOffice, '/api/v1/surveys', template());
    expect(outOfScope.statusCode).toBe(400);
    expect(outOfScope.json().error.details.field).toBe('regionCode');
    expect((await post(cadreSession, '/api/v1/surveys', template())).statusCode).toBe(403);
  });

  it('makes one link per target (cadre survey) and a QR code for it; a unit link is refused there', async () => {
    const s = await openSurvey();
    const res = await post(office, `/api/v1/surveys/${s.id}/links`, { targetIds: [villageId, villageId] });
    expect(res.statusCode, res.body).toBe(200);
    const [link] = res.json<SurveyLink[]>();
    expect(link!.token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(link!.cadreNames.sort()).toEqual(['张建国', '李秀梅'].sort());
    expect((await post(office, `/api/v1/surveys/${s.id}/links`, { unitIds: [agricultureId] })).statusCode).toBe(400);
    const qr = await get(office, `/api/v1/surveys/${s.id}/links/${link!.id}/qr.svg`);
    expect(qr.statusCode).toBe(200);
    expect(qr.headers['content-type']).toContain('image/svg+xml');
    expect(qr.body).toContain('<svg');
    // A township admin cannot change the county's round.
    expect((await post(townOffice, `/api/v1/surveys/${s.id}/links`, { targetIds: [villageId] })).statusCode).toBe(403);
  });
});

describe('answering', () => {
  let s: SurveyDto;
  let token: string;
  beforeAll(async () => {
    s = await openSurvey({ title: '答题测试' });
    token = (await post(office, `/api/v1/surveys/${s.id}/links`, { targetIds: [villageId] })).json<SurveyLink[]>()[0]!.token;
  });

  it('shows the public page without a login: questions, scale, the cadres serving the place', async () => {
    const res = await get(null, `/api/v1/public/surveys/${token}`);
    expect(res.statusCode, res.body).toBe(200);
    const p = res.json<PublicSurvey>();
    expect(p).toMatchObject({ open: true, placeName: '石浦镇东门村', periodLabel: '2026年11月' });
    expect(p.subjects.map((x) => x.name).sort()).toEqual(['张建国', '李秀梅'].sort());
    expect(p.scale.map((x) => x.label)).toEqual(['满意', '基本满意', '不满意']);
    expect((await get(null, '/api/v1/public/surveys/nosuchtoken0000000000')).statusCode).toBe(404);
  });

  it('refuses bad answers naming the question or field, and saves nothing', async () => {
    const before = await counts();
    const good = { phone: PHONE, subject: `cadre:${zhang}`, answers: answersFor(s, ['satisfied', 'unsatisfied']) };
    const cases: [unknown, number, string][] = [
      [{ ...good, phone: '1234' }, 400, 'phone'],
      [{ ...good, answers: [...good.answers, { questionId: 999_999, value: 'satisfied' }] }, 400, '999999'],
      [{ ...good, answers: good.answers.slice(0, 1) }, 400, '办事是否及时高效'],
      [{ ...good, answers: [{ ...good.answers[0], value: 'great' }, good.answers[1]] }, 400, 'value'],
      [{ ...good, subject: undefined }, 400, '请选择要评价的干部'],
      [{ ...good, subject: 'cadre:999999' }, 400, 'subject'],
      [{ ...good, answers: [...good.answers, { questionId: s.questions[2]!.id, value: 'satisfied', comment: '很好' }] }, 400, '不接受文字意见'],
    ];
    for (const [payload, status, text] of cases) {
      const res = await respond(token, payload);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.body).toContain(text);
    }
    expect(await counts()).toEqual(before);
  });

  it('takes one answer per respondent per cadre and round; each 不满意 is a ticket in the same transaction; no phone is stored', async () => {
    const before = await counts();
    const res = await respond(token, { phone: PHONE, deviceId: 'dev-aaaaaaaa', subject: `cadre:${zhang}`, answers: answersFor(s, ['satisfied', 'unsatisfied'], [undefined, '办证跑了三趟']) });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ subjectName: '张建国', answered: 2, rectifications: 1 });
    expect(await counts()).toEqual({ responses: before.responses + 1, tickets: before.tickets + 1 });

    const answer = await h.db.selectFrom('survey_answers').selectAll().where('value', '=', 'unsatisfied').where('ticket_id', 'is not', null).orderBy('id', 'desc').executeTakeFirstOrThrow();
    const ticket = await h.db.selectFrom('tickets').selectAll().where('id', '=', answer.ticket_id!).executeTakeFirstOrThrow();
    expect(ticket).toMatchObject({ title: '双评不满意：张建国 服务效能', category_code: 'evaluation', source: 'web', type: 'complaint', requester_anonymous: true, region_code: SHIPU, campaign_id: campaignId });
    expect(ticket.content).toContain('办证跑了三趟');
    expect(ticket.requester_phone_hash).toBeNull();

    const row = await h.db.selectFrom('survey_responses').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(PHONE);
    expect(JSON.stringify(row)).not.toContain('10.0.0');

    const again = await respond(token, { phone: PHONE, subject: `cadre:${zhang}`, answers: answersFor(s, ['satisfied', 'satisfied']) });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toContain('每人每期只能评价一次');
    expect(again.json().error.message).toContain('张建国');
    expect(await counts()).toEqual({ responses: before.responses + 1, tickets: before.tickets + 1 });
    // Another cadre serving the same place may be rated by the same person.
    expect((await respond(token, { phone: PHONE, subject: `cadre:${li}`, answers: answersFor(s, ['basic', 'satisfied']) })).statusCode).toBe(201);
  });

  it('refuses answers to a closed round and to a draft', async () => {
    const closing = await openSurvey({ title: '即将关闭' });
    const t = (await post(office, `/api/v1/surveys/${closing.id}/links`, { targetIds: [villageId] })).json<SurveyLink[]>()[0]!.token;
    const current = (await get(office, `/api/v1/surveys/${closing.id}`)).json<SurveyDto>();
    expect((await patch(office, `/api/v1/surveys/${closing.id}`, { version: current.version, state: 'closed' })).statusCode).toBe(200);
    const res = await respond(t, { phone: PHONE, subject: `cadre:${zhang}`, answers: answersFor(closing, ['satisfied', 'satisfied']) });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toContain('已关闭');
    expect((await get(null, `/api/v1/public/surveys/${t}`)).json<PublicSurvey>().open).toBe(false);
  });
});

describe('inflation, results and scope', () => {
  let s: SurveyDto;
  let token: string;
  let unitToken: string;
  beforeAll(async () => {
    s = await openSurvey({ title: '结果测试' });
    const links = (await post(office, `/api/v1/surveys/${s.id}/links`, { targetIds: [villageId, dandongVillageId] })).json<SurveyLink[]>();
    token = links.find((l) => l.targetId === villageId)!.token;
    // Five identical all-满意 answers for 张建国 within ten minutes, then one 25 minutes later.
    const t0 = new Date();
    for (let i = 0; i < 5; i++) {
      await submitResponse(h.db, testKey, testConfig().survey, token, { phone: `1390000000${i}`, subject: `cadre:${zhang}`, answers: answersFor(s, ['satisfied', 'satisfied', 'satisfied']) }, { now: new Date(t0.getTime() - (30 - i * 2) * 60_000), ip: `172.16.${i}.9` });
    }
    await submitResponse(h.db, testKey, testConfig().survey, token, { phone: '13900000009', subject: `cadre:${zhang}`, answers: answersFor(s, ['satisfied', 'satisfied', 'satisfied']) }, { now: t0, ip: '172.16.9.9' });
    // Four from one device (threshold 3), rating 李秀梅 at the Dandong village.
    const dandongToken = links.find((l) => l.targetId === dandongVillageId)!.token;
    for (let i = 0; i < 4; i++) {
      const r = await respond(dandongToken, { phone: `1380000000${i}`, deviceId: 'same-device-01', subject: `cadre:${li}`, answers: answersFor(s, ['basic', i === 0 ? 'unsatisfied' : 'satisfied']) }, `192.168.1.${i}`);
      expect(r.statusCode, r.body).toBe(201);
    }
    const unitSurvey = await openSurvey({ title: '企业评部门', kind: 'enterprise_unit' });
    unitToken = (await post(office, `/api/v1/surveys/${unitSurvey.id}/links`, { unitIds: [agricultureId] })).json<SurveyLink[]>()[0]!.token;
  });

  it('flags the burst and the device with evidence, for the office only', async () => {
    const res = await get(office, `/api/v1/surveys/${s.id}/flags`);
    expect(res.statusCode, res.body).toBe(200);
    const flags = res.json<SurveyFlag[]>();
    const burst = flags.filter((f) => f.kinds.some((k) => k.kind === 'burst'));
    expect(burst).toHaveLength(5);
    expect(burst[0]!.kinds.find((k) => k.kind === 'burst')!.explanation).toContain('10 分钟内');
    const device = flags.filter((f) => f.kinds.some((k) => k.kind === 'device'));
    expect(device).toHaveLength(4);
    expect(device[0]!.kinds[0]!.explanation).toContain('4 份');
    expect(JSON.stringify(flags)).not.toMatch(/1390000000|192\.168/);
    expect((await get(shipuLeader, `/api/v1/surveys/${s.id}/flags`)).statusCode).toBe(403);
  });

  it('gives 满意率 per cadre and dimension; excluded responses leave the results', async () => {
    const res = await get(office, `/api/v1/surveys/${s.id}/results`);
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json<SurveyResults>();
    const z = r.subjects.find((x) => x.name === '张建国')!;
    expect(z).toMatchObject({ responses: 6, satisfied: 18, basic: 0, unsatisfied: 0, rate: 1 });
    const l = r.subjects.find((x) => x.name === '李秀梅')!;
    expect(l).toMatchObject({ responses: 4, satisfied: 3, basic: 4, unsatisfied: 1, rate: 0.875 });
    expect(l.dimensions.find((d) => d.dimension === '服务效能')).toMatchObject({ satisfied: 3, unsatisfied: 1, rate: 0.75 });
    expect(r.total).toMatchObject({ responses: 10, flagged: 9, excluded: 0 });
    expect(r.comments.some((c) => c.value === 'unsatisfied' && c.ticketCode)).toBe(true);
    const text = JSON.stringify(r);
    const hashes = await h.db.selectFrom('survey_responses').select(['respondent_hash', 'device_hash']).execute();
    for (const x of hashes) {
      expect(text).not.toContain(x.respondent_hash);
      if (x.device_hash) expect(text).not.toContain(x.device_hash);
    }

    const preview = (await get(office, `/api/v1/surveys/${s.id}/results?excludeFlagged=true`)).json<SurveyResults>();
    expect(preview.subjects.find((x) => x.name === '张建国')!.responses).toBe(1);
    const flagged = (await get(office, `/api/v1/surveys/${s.id}/flags`)).json<SurveyFlag[]>().map((f) => f.responseId);
    const ex = await post(office, `/api/v1/surveys/${s.id}/exclusions`, { responseIds: flagged, excluded: true });
    expect(ex.statusCode, ex.body).toBe(200);
    const after = (await get(office, `/api/v1/surveys/${s.id}/results`)).json<SurveyResults>();
    expect(after.total).toMatchObject({ responses: 1, excluded: 9 });
    expect((await post(office, `/api/v1/surveys/${s.id}/exclusions`, { responseIds: [999_999], excluded: true })).statusCode).toBe(400);
  });

  it('cuts results to the caller’s scope; outsiders get 404 and other roles 403', async () => {
    const r = (await get(shipuLeader, `/api/v1/surveys/${s.id}/results?excludeFlagged=false`)).json<SurveyResults>();
    // Only ratings given at places in 石浦镇: 李秀梅's Dandong ratings are outside.
    expect(r.subjects.map((x) => x.name)).toEqual(['张建国']);
    expect((await get(cadreSession, `/api/v1/surveys/${s.id}/results`)).statusCode).toBe(403);
    const townSurvey = await post(townOffice, '/api/v1/surveys', template({ regionCode: SHIPU, title: '石浦镇自己的问卷' }));
    expect(townSurvey.statusCode, townSurvey.body).toBe(201);
    const dandongLeader = await login(app, (await makeUser(h.db, 'leadership', { regionCode: DANDONG })).username);
    expect((await get(dandongLeader, `/api/v1/surveys/${townSurvey.json<SurveyDto>().id}/results`)).statusCode).toBe(404);
    expect((await get(dandongLeader, '/api/v1/surveys')).json<SurveyDto[]>().map((x) => x.title)).not.toContain('石浦镇自己的问卷');
  });

  it('rates a department through its unit link (enterprises)', async () => {
    const p = (await get(null, `/api/v1/public/surveys/${unitToken}`)).json<PublicSurvey>();
    expect(p.subjects).toEqual([expect.objectContaining({ key: `unit:${agricultureId}`, name: '县农业农村局' })]);
    const res = await respond(unitToken, { phone: PHONE, answers: p.questions.slice(0, 2).map((q) => ({ questionId: q.id, value: 'unsatisfied' })) });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().rectifications).toBe(2);
    const t = await h.db.selectFrom('tickets').select(['title', 'region_code']).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(t).toEqual({ title: '双评不满意：县农业农村局 服务效能', region_code: XIANGSHAN });
    expect((await respond(unitToken, { phone: PHONE, subject: `unit:${tourismId}`, answers: [] })).statusCode).toBe(400);
  });
});
