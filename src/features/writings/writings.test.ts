import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WritingAction, WritingDto } from '../../../contracts/writings.ts';
import { admin, as, createTestApp, createTestDatabase, DANDONG, login, makeCadre, makeUnit, makeUser, seedXiangshan, SHIPU, XIANGSHAN, type Session } from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import { chinaToday, createCampaign } from '../campaigns/campaigns.ts';
import { createTeam } from '../campaigns/teams.ts';

const DANDONG_VILLAGE = '330225001003'; // 金秋社区
const SHIPU_VILLAGE = '330225101001'; // 海宁社区

let h: DatabaseHandle;
let app: App;
let campaignId: number;
let teamId: number;
let cadres: Record<'zhang' | 'li' | 'wang' | 'countyLead' | 'shipu', { id: number }>;
let villageTarget: number;
let shipuTarget: number;
const s = {} as Record<'zhang' | 'li' | 'leader' | 'countyAdmin' | 'townAdmin' | 'shipuAdmin' | 'shipuLeader' | 'leadership', Session>;

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
  const dandong = await makeUnit(h.db, DANDONG, { name: '丹东街道党工委' });
  const shipu = await makeUnit(h.db, SHIPU, { name: '石浦镇党委' });
  const countyDept = await makeUnit(h.db, XIANGSHAN, { name: '县发改局', level: 'county' });
  cadres = {
    zhang: await makeCadre(h.db, dandong.id, { name: '张明' }),
    li: await makeCadre(h.db, dandong.id, { name: '李华' }),
    wang: await makeCadre(h.db, dandong.id, { name: '王书记', rank: 'section' }),
    countyLead: await makeCadre(h.db, countyDept.id, { name: '陈县长', rank: 'county' }),
    shipu: await makeCadre(h.db, shipu.id, { name: '石浦周' }),
  };
  const today = chinaToday();
  campaignId = (await createCampaign(h.db, admin, { name: '蹲点调研', startsOn: `${today.slice(0, 4)}-01-01`, endsOn: `${today.slice(0, 4)}-12-31`, regionCode: XIANGSHAN })).id;
  // A county-led research group with a township cadre as member: its topic must reach him.
  teamId = (await createTeam(h.db, admin, campaignId, { name: '丹东调研组', kind: 'research', leaderCadreId: cadres.countyLead.id, memberIds: [cadres.zhang.id], joinedOn: `${today.slice(0, 4)}-01-01` })).id;
  const target = async (code: string, name: string) => {
    const r = await h.db.selectFrom('regions').select('path').where('code', '=', code).executeTakeFirstOrThrow();
    return (await h.db.insertInto('contact_targets').values({ kind: 'community', name, name_initials: '', region_code: code, region_path: r.path, updated_at: new Date() }).returning('id').executeTakeFirstOrThrow()).id;
  };
  villageTarget = await target(DANDONG_VILLAGE, '金秋社区');
  shipuTarget = await target(SHIPU_VILLAGE, '海宁社区');
  const users = {
    zhang: await makeUser(h.db, 'cadre', { unitId: dandong.id, cadreId: cadres.zhang.id }),
    li: await makeUser(h.db, 'cadre', { unitId: dandong.id, cadreId: cadres.li.id }),
    leader: await makeUser(h.db, 'unit_leader', { unitId: dandong.id, cadreId: cadres.wang.id }),
    countyAdmin: await makeUser(h.db, 'admin', { regionCode: XIANGSHAN }),
    townAdmin: await makeUser(h.db, 'admin', { regionCode: DANDONG }),
    shipuAdmin: await makeUser(h.db, 'admin', { regionCode: SHIPU }),
    shipuLeader: await makeUser(h.db, 'unit_leader', { unitId: shipu.id }),
    leadership: await makeUser(h.db, 'leadership', { regionCode: XIANGSHAN }),
  };
  for (const k of Object.keys(users) as (keyof typeof users)[]) s[k] = await login(app, users[k].username);
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const get = (who: Session, url: string) => app.inject({ url, headers: as(who) });
const post = (who: Session, url: string, payload?: object) => app.inject({ method: 'POST', url, headers: as(who), ...(payload ? { payload } : {}) });
const patch = (who: Session, url: string, payload: object) => app.inject({ method: 'PATCH', url, headers: as(who), payload });

async function draft(who: Session, over: object = {}): Promise<WritingDto> {
  const res = await post(who, '/api/v1/writings', { kind: 'diary', title: '蹲点手记：金秋社区的一天', body: '今天走访了三户困难群众。', campaignId, ...over });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}
const act = (who: Session, id: number, action: Exclude<WritingAction, 'edit'>) => {
  const body = action === 'review' ? { grade: '良', comment: '内容扎实' } : action === 'select' ? { selectedFor: '《县级领导蹲点手记》' } : undefined;
  return post(who, `/api/v1/writings/${id}/${action}`, body);
};
const audits = async (id: number) =>
  (await h.db.selectFrom('audit_log').select('action').where('entity', '=', 'writing').where('entity_id', '=', String(id)).orderBy('id').execute()).map((r) => r.action);

describe('writing flow', () => {
  it('goes draft → submitted → reviewed → selected, each step audited', async () => {
    const w = await draft(s.zhang, { targetId: villageTarget });
    expect(w).toMatchObject({ status: 'draft', authorCadreId: cadres.zhang.id, authorName: '张明', authorUnitName: '丹东街道党工委', targetName: '金秋社区', regionCode: DANDONG_VILLAGE, actions: ['edit', 'submit'] });

    const edited = await patch(s.zhang, `/api/v1/writings/${w.id}`, { body: '今天走访了三户困难群众，了解到饮水问题。' });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json().excerpt).toContain('饮水');

    const submitted = await act(s.zhang, w.id, 'submit');
    expect(submitted.statusCode, submitted.body).toBe(200);
    expect(submitted.json()).toMatchObject({ status: 'submitted', actions: ['withdraw'] });
    expect((await get(s.leader, `/api/v1/writings/${w.id}`)).json().actions).toEqual(['review']);

    const reviewed = await post(s.leader, `/api/v1/writings/${w.id}/review`, { grade: '优', comment: '问题找得准，建议可行。' });
    expect(reviewed.statusCode, reviewed.body).toBe(200);
    expect(reviewed.json()).toMatchObject({ status: 'reviewed', grade: '优', reviewComment: '问题找得准，建议可行。' });
    expect(reviewed.json().reviewedBy).not.toBeNull();

    const selected = await post(s.countyAdmin, `/api/v1/writings/${w.id}/select`, { selectedFor: '《县级领导蹲点手记》' });
    expect(selected.statusCode, selected.body).toBe(200);
    expect(selected.json()).toMatchObject({ status: 'selected', selectedFor: '《县级领导蹲点手记》', grade: '优', actions: [] });
    expect(await audits(w.id)).toEqual(['writing.create', 'writing.update', 'writing.submit', 'writing.review', 'writing.select']);
  });

  it('lets the author withdraw a submitted writing to change it, not after review', async () => {
    const w = await draft(s.zhang);
    expect((await act(s.zhang, w.id, 'submit')).statusCode).toBe(200);
    const back = await act(s.zhang, w.id, 'withdraw');
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json()).toMatchObject({ status: 'draft', submittedAt: null });
    expect((await patch(s.zhang, `/api/v1/writings/${w.id}`, { title: '改过的标题' })).statusCode).toBe(200);
    expect((await act(s.zhang, w.id, 'submit')).statusCode).toBe(200);
    expect((await act(s.leader, w.id, 'review')).statusCode).toBe(200);
    const late = await act(s.zhang, w.id, 'withdraw');
    expect(late.statusCode).toBe(409);
    expect(late.json().error.details.allowed).toEqual(['select']);
  });

  it('refuses every action its state does not allow with 409 listing the allowed ones, changing nothing', async () => {
    const expected: Record<string, WritingAction[]> = { draft: ['edit', 'submit'], submitted: ['withdraw', 'review'], reviewed: ['select'], selected: [] };
    const w = await draft(s.zhang);
    const path: [('submit' | 'review' | 'select') | null, string][] = [[null, 'draft'], ['submit', 'submitted'], ['review', 'reviewed'], ['select', 'selected']];
    for (const [step, status] of path) {
      if (step) expect((await act(step === 'submit' ? s.zhang : step === 'review' ? s.leader : s.countyAdmin, w.id, step)).statusCode).toBe(200);
      const before = await h.db.selectFrom('writings').selectAll().where('id', '=', w.id).executeTakeFirstOrThrow();
      const attempts: [WritingAction, () => Promise<{ statusCode: number; json: () => { error: { code: string; message: string; details: { allowed: string[]; status: string } } } }>][] = [
        ['edit', () => patch(s.zhang, `/api/v1/writings/${w.id}`, { title: '再改' })],
        ['submit', () => act(s.zhang, w.id, 'submit')],
        ['withdraw', () => act(s.zhang, w.id, 'withdraw')],
        ['review', () => act(s.leader, w.id, 'review')],
        ['select', () => act(s.countyAdmin, w.id, 'select')],
      ];
      for (const [action, attempt] of attempts) {
        if (expected[status]!.includes(action)) continue;
        const res = await attempt();
        expect(res.statusCode, `${action} in ${status}`).toBe(409);
        expect(res.json().error.code).toBe('CONFLICT');
        expect(res.json().error.details).toMatchObject({ status, allowed: expected[status] });
      }
      expect(await h.db.selectFrom('writings').selectAll().where('id', '=', w.id).executeTakeFirstOrThrow()).toEqual(before);
    }
  });

  it('refuses to review one’s own writing, and lets only the author edit or submit', async () => {
    const own = await draft(s.leader, { title: '王书记的调研报告', kind: 'research_report' });
    expect((await act(s.leader, own.id, 'submit')).statusCode).toBe(200);
    const res = await act(s.leader, own.id, 'review');
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toContain('自己');
    expect((await get(s.leader, `/api/v1/writings/${own.id}`)).json().actions).toEqual(['withdraw']);
    // Another reviewer may.
    expect((await act(s.leadership, own.id, 'review')).statusCode).toBe(200);

    const zhangs = await draft(s.zhang);
    expect((await patch(s.li, `/api/v1/writings/${zhangs.id}`, { title: '别人改' })).statusCode).toBe(403);
    expect((await act(s.li, zhangs.id, 'submit')).statusCode).toBe(403);
    expect((await act(s.zhang, zhangs.id, 'submit')).statusCode).toBe(200);
    // Cadres do not review; only the office selects.
    expect((await act(s.li, zhangs.id, 'review')).statusCode).toBe(403);
    expect((await act(s.leader, zhangs.id, 'review')).statusCode).toBe(200);
    expect((await act(s.leader, zhangs.id, 'select')).statusCode).toBe(403);
  });

  it('lets a unit leader record a writing for a cadre of the unit, and not for one outside it', async () => {
    const forLi = await draft(s.leader, { authorCadreId: cadres.li.id });
    expect(forLi).toMatchObject({ authorCadreId: cadres.li.id, actions: ['edit', 'submit'] });
    // The cadre it belongs to is its author too.
    expect((await get(s.li, `/api/v1/writings/${forLi.id}`)).json().actions).toEqual(['edit', 'submit']);
    const outside = await post(s.leader, '/api/v1/writings', { kind: 'diary', title: '越界', authorCadreId: cadres.shipu.id });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().error.details.field).toBe('authorCadreId');
    // A cadre writes only as themselves.
    expect((await post(s.zhang, '/api/v1/writings', { kind: 'diary', title: '代写', authorCadreId: cadres.li.id })).statusCode).toBe(403);
    // An account without a cadre must say whose it is.
    const noCadre = await post(s.townAdmin, '/api/v1/writings', { kind: 'diary', title: '无作者' });
    expect(noCadre.statusCode).toBe(400);
    expect(noCadre.json().error.details.field).toBe('authorCadreId');
  });
});

describe('research topics', () => {
  it('are assigned to a team, reach its members across units, and collect the reports answering them', async () => {
    expect((await post(s.zhang, '/api/v1/writings', { kind: 'research_topic', title: '自己出题', teamId })).statusCode).toBe(403);
    const res = await post(s.countyAdmin, '/api/v1/writings', { kind: 'research_topic', title: '海岛村集体经济发展路径', body: '请调研组于三个月内形成报告。', teamId });
    expect(res.statusCode, res.body).toBe(201);
    const topic: WritingDto = res.json();
    expect(topic).toMatchObject({ status: 'submitted', teamId, teamName: '丹东调研组', campaignId, actions: ['edit'] });
    expect(await audits(topic.id)).toEqual(['writing.assign_topic']);

    // 张明's account is scoped to his township unit; the team is led from a county department.
    const mine = await get(s.zhang, '/api/v1/writings?mine=true&kind=research_topic');
    expect(mine.json().items.map((w: WritingDto) => w.id)).toEqual([topic.id]);
    expect((await get(s.zhang, `/api/v1/writings/${topic.id}`)).json().actions).toEqual([]);
    // Not his unit's, not his team's: invisible to 李华.
    expect((await get(s.li, `/api/v1/writings/${topic.id}`)).statusCode).toBe(404);

    const report = await draft(s.zhang, { kind: 'research_report', title: '关于海岛村集体经济的调研报告', teamId, topicId: topic.id });
    expect(report).toMatchObject({ teamId, topicId: topic.id, campaignId });
    const withReports = (await get(s.countyAdmin, `/api/v1/writings/${topic.id}`)).json();
    expect(withReports.reports.map((r: { id: number }) => r.id)).toEqual([report.id]);
    expect((await get(s.countyAdmin, `/api/v1/writings?topicId=${topic.id}`)).json().total).toBe(1);

    // A topic is never reviewed or selected; its assigner may still edit it.
    const review = await act(s.leadership, topic.id, 'review');
    expect(review.statusCode).toBe(409);
    expect(review.json().error.details.allowed).toEqual(['edit']);
    expect((await patch(s.countyAdmin, `/api/v1/writings/${topic.id}`, { body: '请于六个月内形成报告。' })).statusCode).toBe(200);
  });

  it('is assigned to one cadre in scope', async () => {
    const res = await post(s.leader, '/api/v1/writings', { kind: 'research_topic', title: '社区养老服务现状', authorCadreId: cadres.li.id });
    expect(res.statusCode, res.body).toBe(201);
    expect((await get(s.li, '/api/v1/writings?mine=true&kind=research_topic')).json().items.map((w: WritingDto) => w.title)).toEqual(['社区养老服务现状']);
    expect((await post(s.leader, '/api/v1/writings', { kind: 'research_topic', title: '越界课题', authorCadreId: cadres.shipu.id })).statusCode).toBe(400);
  });
});

describe('scope', () => {
  it('answers 404 from outside the writing’s scope, for reading and for every action', async () => {
    const w = await draft(s.zhang);
    expect((await act(s.zhang, w.id, 'submit')).statusCode).toBe(200);
    for (const who of [s.shipuAdmin, s.shipuLeader]) {
      expect((await get(who, `/api/v1/writings/${w.id}`)).statusCode).toBe(404);
      expect((await patch(who, `/api/v1/writings/${w.id}`, { title: 'x' })).statusCode).toBe(404);
      expect((await act(who, w.id, 'review')).statusCode).toBe(404);
      expect((await act(who, w.id, 'withdraw')).statusCode).toBe(404);
      expect((await get(who, '/api/v1/writings?pageSize=200')).json().items.map((x: WritingDto) => x.id)).not.toContain(w.id);
    }
    expect((await act(s.shipuAdmin, w.id, 'select')).statusCode).toBe(404);
    // The township's own admin sees it (region scope: the author's unit lies in 丹东).
    expect((await get(s.townAdmin, `/api/v1/writings/${w.id}`)).statusCode).toBe(200);
  });

  it('refuses a target or topic outside the caller’s scope', async () => {
    const bad = await post(s.zhang, '/api/v1/writings', { kind: 'development_plan', title: '发展计划', targetId: shipuTarget });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.field).toBe('targetId');
    const shipuTopic = await post(s.shipuAdmin, '/api/v1/writings', { kind: 'research_topic', title: '石浦渔港', authorCadreId: cadres.shipu.id });
    expect(shipuTopic.statusCode, shipuTopic.body).toBe(201);
    const res = await post(s.zhang, '/api/v1/writings', { kind: 'research_report', title: '报告', topicId: shipuTopic.json().id });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.field).toBe('topicId');
  });

  it('refuses a region outside the caller’s region scope, on writing and on changing', async () => {
    const before = await h.db.selectFrom('writings').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const bad = await post(s.townAdmin, '/api/v1/writings', { kind: 'diary', title: '手记', authorCadreId: cadres.zhang.id, regionCode: SHIPU_VILLAGE });
    expect(bad.statusCode, bad.body).toBe(400);
    expect(bad.json().error.details.field).toBe('regionCode');
    expect(await h.db.selectFrom('writings').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).toEqual(before);
    const ok = await post(s.townAdmin, '/api/v1/writings', { kind: 'diary', title: '手记', authorCadreId: cadres.zhang.id, regionCode: DANDONG_VILLAGE });
    expect(ok.statusCode, ok.body).toBe(201);
    const change = await app.inject({ method: 'PATCH', url: `/api/v1/writings/${ok.json().id}`, headers: as(s.townAdmin), payload: { regionCode: SHIPU_VILLAGE } });
    expect(change.statusCode, change.body).toBe(400);
    expect(change.json().error.details.field).toBe('regionCode');
    expect((await h.db.selectFrom('writings').select('region_code').where('id', '=', ok.json().id).executeTakeFirstOrThrow()).region_code).toBe(DANDONG_VILLAGE);
  });
});

describe('bad input', () => {
  it.each([
    ['unknown kind', { kind: 'poem', title: '诗' }, 'body.kind'],
    ['empty title', { kind: 'diary', title: '   ' }, 'body.title'],
    ['body too long', { kind: 'diary', title: '长', body: '字'.repeat(50_001) }, 'body.body'],
    ['topic on a diary', { kind: 'diary', title: '手记', topicId: 1 }, 'body.topicId'],
    ['future date', { kind: 'diary', title: '明天的手记', writtenOn: '2999-01-01' }, 'writtenOn'],
    ['bad date', { kind: 'diary', title: '手记', writtenOn: '2026-02-30' }, 'body.writtenOn'],
  ])('refuses %s', async (_what, payload, field) => {
    const before = await h.db.selectFrom('writings').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const res = await post(s.zhang, '/api/v1/writings', payload);
    expect(res.statusCode, res.body).toBe(400);
    expect(JSON.stringify(res.json().error)).toContain(field);
    expect(await h.db.selectFrom('writings').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).toEqual(before);
  });

  it('refuses a topic id that points at something other than a research topic', async () => {
    const diary = await draft(s.zhang);
    const res = await post(s.zhang, '/api/v1/writings', { kind: 'research_report', title: '报告', topicId: diary.id });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('不是调研课题');
    const viaPatch = await draft(s.zhang, { kind: 'research_report', title: '报告二' });
    expect((await patch(s.zhang, `/api/v1/writings/${viaPatch.id}`, { topicId: diary.id })).statusCode).toBe(400);
  });

  it('refuses a grade not in the list, an empty comment, an empty selection, and submitting an empty body', async () => {
    const w = await draft(s.zhang);
    expect((await act(s.zhang, w.id, 'submit')).statusCode).toBe(200);
    for (const body of [{ grade: '甲', comment: '好' }, { grade: 'A', comment: '好' }, { grade: '优', comment: ' ' }, { comment: '好' }]) {
      const res = await post(s.leader, `/api/v1/writings/${w.id}/review`, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
    expect((await get(s.zhang, `/api/v1/writings/${w.id}`)).json().status).toBe('submitted');
    expect((await act(s.leader, w.id, 'review')).statusCode).toBe(200);
    expect((await post(s.countyAdmin, `/api/v1/writings/${w.id}/select`, { selectedFor: '' })).statusCode).toBe(400);

    const empty = await draft(s.zhang, { body: '' });
    const res = await act(s.zhang, empty.id, 'submit');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.field).toBe('body');
  });

  it('answers 404 for a writing that does not exist', async () => {
    expect((await get(s.countyAdmin, '/api/v1/writings/999999')).statusCode).toBe(404);
    expect((await act(s.leader, 999999, 'review')).statusCode).toBe(404);
  });
});

describe('list', () => {
  it('filters by kind, status, grade, author, team, target, period and region', async () => {
    const plan = await draft(s.li, { kind: 'development_plan', title: '金秋社区三年发展计划', targetId: villageTarget, writtenOn: '2026-01-15' });
    const q = async (who: Session, query: string) => (await get(who, `/api/v1/writings?pageSize=200&${query}`)).json() as { items: WritingDto[]; total: number };
    expect((await q(s.countyAdmin, 'kind=development_plan')).items.map((w) => w.id)).toEqual([plan.id]);
    expect((await q(s.countyAdmin, `targetId=${villageTarget}&kind=development_plan`)).total).toBe(1);
    expect((await q(s.countyAdmin, 'from=2026-01-01&to=2026-01-31')).items.map((w) => w.id)).toEqual([plan.id]);
    expect((await q(s.countyAdmin, `authorCadreId=${cadres.li.id}&kind=development_plan`)).total).toBe(1);
    expect((await q(s.countyAdmin, `teamId=${teamId}`)).items.every((w) => w.teamId === teamId)).toBe(true);
    const reviewed = await q(s.countyAdmin, 'grade=优');
    expect(reviewed.total).toBeGreaterThan(0);
    expect(reviewed.items.every((w) => w.grade === '优')).toBe(true);
    expect((await q(s.countyAdmin, 'status=draft')).items.every((w) => w.status === 'draft')).toBe(true);
    expect((await q(s.countyAdmin, `region=${DANDONG}&kind=development_plan`)).total).toBe(1);
    expect((await q(s.countyAdmin, `region=${SHIPU}&kind=development_plan`)).total).toBe(0);
    expect((await get(s.townAdmin, `/api/v1/writings?region=${SHIPU}`)).statusCode).toBe(404);
    expect((await get(s.countyAdmin, '/api/v1/writings?grade=甲')).statusCode).toBe(400);
    expect((await get(s.countyAdmin, '/api/v1/writings?kind=poem')).statusCode).toBe(400);
  });
});
