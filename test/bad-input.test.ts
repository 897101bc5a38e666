// Input PostgreSQL would refuse must be refused before it: an id beyond int4 or a NUL character
// (U+0000) in text used to reach the database and answer 500. Each is a 400 naming the field.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../src/db/database.ts';
import type { App } from '../src/http/types.ts';
import { as, createTestApp, createTestDatabase, DANDONG, login, makeCadre, makeUnit, makeUser, seedXiangshan, testDriver, type Session } from './helpers.ts';

const BIG = 99_999_999_999;
const NUL = 'a\u0000b';
const VILLAGE = '330225001003';

let h: DatabaseHandle;
let app: App;
let s: Session;
let cadreId: number;
let targetId: number;

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db, { LIANXIN_INTEGRITY_INTERVAL_MS: '0' });
  const unit = await makeUnit(h.db, DANDONG);
  cadreId = (await makeCadre(h.db, unit.id)).id;
  const region = await h.db.selectFrom('regions').select('path').where('code', '=', VILLAGE).executeTakeFirstOrThrow();
  targetId = (await h.db.insertInto('contact_targets')
    .values({ kind: 'household', name: '测试农户', name_initials: '', region_code: VILLAGE, region_path: region.path, updated_at: new Date() })
    .returning('id').executeTakeFirstOrThrow()).id;
  s = await login(app, (await makeUser(h.db, 'admin', { regionCode: DANDONG })).username);
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const visit = (o: object = {}) => ({
  kind: 'household_visit', startsAt: '2025-03-01T09:00:00+08:00', endsAt: '2025-03-01T10:00:00+08:00', participantIds: [cadreId], targetIds: [targetId], ...o,
});
const matter = (o: object = {}) => ({ title: '修路', targetId, amountFen: 100, promisedOn: '2025-03-01', ...o });
const diary = (o: object = {}) => ({ kind: 'diary', title: '手记', body: '正文', authorCadreId: cadreId, ...o });
const rule = (o: object = {}) => ({ name: '每户每年走访至少4次', subject: 'pairing', measure: { kind: 'activities', activityKinds: ['household_visit'] }, targets: { kinds: ['household'] }, period: 'year', threshold: { op: 'at_least', value: 4 }, ...o });
const ticket = (o: object = {}) => ({ source: 'hotline', type: 'help', categoryCode: 'other', title: '求助', content: '内容', regionCode: VILLAGE, ...o });

/** [method, url, body, the field the 400 must name]; built once the fixtures exist. */
const cases = (): [string, string, object | undefined, string][] => [
  ['GET', `/api/v1/activities/${BIG}`, undefined, 'params.id'],
  ['PATCH', `/api/v1/activities/${BIG}`, { version: 1 }, 'params.id'],
  ['PATCH', '/api/v1/activities/1', { version: BIG }, 'body.version'],
  ['GET', `/api/v1/activities?cadreId=${BIG}`, undefined, 'querystring.cadreId'],
  ['GET', `/api/v1/activities?targetId=${BIG}`, undefined, 'querystring.targetId'],
  ['GET', `/api/v1/activities?campaignId=${BIG}`, undefined, 'querystring.campaignId'],
  ['GET', `/api/v1/activities?region=${encodeURIComponent(NUL)}`, undefined, 'querystring.region'],
  ['GET', `/api/v1/activities/export.xlsx?cadreId=${BIG}`, undefined, 'querystring.cadreId'],
  ['POST', '/api/v1/activities', visit({ title: NUL }), 'body.title'],
  ['POST', '/api/v1/activities', visit({ findings: NUL }), 'body.findings'],
  ['POST', '/api/v1/activities', visit({ problems: [NUL] }), 'body.problems.0'],
  ['POST', '/api/v1/activities', visit({ regionCode: NUL }), 'body.regionCode'],
  ['POST', '/api/v1/activities', visit({ matters: [{ title: '修路', targetId, fundSource: NUL }] }), 'body.matters.0.fundSource'],
  ['POST', '/api/v1/activities', visit({ participantIds: [BIG] }), 'body.participantIds.0'],
  ['POST', '/api/v1/activities', visit({ targetIds: [BIG] }), 'body.targetIds.0'],
  ['POST', '/api/v1/activities', visit({ photoIds: [BIG] }), 'body.photoIds.0'],
  ['POST', '/api/v1/activities', visit({ campaignId: BIG }), 'body.campaignId'],
  ['GET', `/api/v1/photos/${BIG}`, undefined, 'params.id'],
  ['GET', `/api/v1/photos/${BIG}/thumb`, undefined, 'params.id'],
  ['GET', `/api/v1/photos/${BIG}/info`, undefined, 'params.id'],
  ['GET', `/api/v1/matters/${BIG}`, undefined, 'params.id'],
  ['PATCH', `/api/v1/matters/${BIG}`, { title: '修路' }, 'params.id'],
  ['PATCH', '/api/v1/matters/1', { description: NUL }, 'body.description'],
  ['GET', `/api/v1/matters?cadreId=${BIG}`, undefined, 'querystring.cadreId'],
  ['GET', `/api/v1/matters?region=${encodeURIComponent(NUL)}`, undefined, 'querystring.region'],
  ['GET', `/api/v1/matters/funds?campaignId=${BIG}`, undefined, 'querystring.campaignId'],
  ['GET', `/api/v1/matters/funds?groupBy=region&region=${encodeURIComponent(NUL)}`, undefined, 'querystring.region'],
  ['POST', '/api/v1/matters', matter({ title: NUL }), 'body.title'],
  ['POST', '/api/v1/matters', matter({ targetId: BIG }), 'body.targetId'],
  ['POST', '/api/v1/matters', matter({ cadreId: BIG }), 'body.cadreId'],
  ['POST', '/api/v1/matters', matter({ photos: [{ photoId: BIG, stage: 'before' }] }), 'body.photos.0.photoId'],
  ['POST', `/api/v1/matters/${BIG}/photos`, { photoIds: [1], stage: 'before' }, 'params.id'],
  ['POST', '/api/v1/matters/1/photos', { photoIds: [BIG], stage: 'before' }, 'body.photoIds.0'],
  ['DELETE', `/api/v1/matters/1/photos/${BIG}`, undefined, 'params.photoId'],
  ['GET', `/api/v1/writings/${BIG}`, undefined, 'params.id'],
  ['GET', `/api/v1/writings?topicId=${BIG}`, undefined, 'querystring.topicId'],
  ['GET', `/api/v1/writings?region=${encodeURIComponent(NUL)}`, undefined, 'querystring.region'],
  ['POST', '/api/v1/writings', diary({ title: NUL }), 'body.title'],
  ['POST', '/api/v1/writings', diary({ body: NUL }), 'body.body'],
  ['POST', '/api/v1/writings', diary({ authorCadreId: BIG }), 'body.authorCadreId'],
  ['POST', '/api/v1/writings', diary({ targetId: BIG }), 'body.targetId'],
  ['POST', '/api/v1/writings', { kind: 'research_topic', title: '课题', teamId: BIG }, 'body.teamId'],
  ['PATCH', `/api/v1/writings/${BIG}`, { title: '手记' }, 'params.id'],
  ['PATCH', '/api/v1/writings/1', { body: NUL }, 'body.body'],
  ['POST', `/api/v1/writings/${BIG}/submit`, {}, 'params.id'],
  ['POST', '/api/v1/writings/1/review', { grade: '良', comment: NUL }, 'body.comment'],
  ['POST', '/api/v1/writings/1/select', { selectedFor: NUL }, 'body.selectedFor'],
  ['GET', `/api/v1/due?cadreId=${BIG}`, undefined, 'querystring.cadreId'],
  ['GET', `/api/v1/integrity/flags?activityId=${BIG}`, undefined, 'querystring.activityId'],
  ['GET', `/api/v1/integrity/flags?region=${encodeURIComponent(NUL)}`, undefined, 'querystring.region'],
  ['GET', `/api/v1/integrity/flags/${BIG}`, undefined, 'params.id'],
  ['POST', '/api/v1/integrity/flags/1/clear', { reason: `已核实${NUL}` }, 'body.reason'],
  // Older endpoints: ids in bodies and query strings are bounded the same way.
  ['GET', `/api/v1/cadres?unitId=${BIG}`, undefined, 'querystring.unitId'],
  ['GET', `/api/v1/units?parentId=${BIG}`, undefined, 'querystring.parentId'],
  ['GET', `/api/v1/campaigns/1/pairings?cadreId=${BIG}`, undefined, 'querystring.cadreId'],
  ['POST', '/api/v1/campaigns/1/pairings', { targetId: BIG, cadreId }, 'body.targetId'],
  ['POST', '/api/v1/campaigns/1/pairings/transfer', { fromCadreId: BIG, toCadreId: cadreId }, 'body.fromCadreId'],
  ['POST', '/api/v1/campaigns/1/teams', { name: '调研组', kind: 'group', leaderCadreId: BIG }, 'body.leaderCadreId'],
  ['POST', '/api/v1/users', { username: 'bigid', displayName: '测试', password: 'Test#2026pass', role: 'cadre', unitId: BIG }, 'body.unitId'],
  // The ticket loop (issue 5).
  ['GET', `/api/v1/tickets/${BIG}`, undefined, 'params.id'],
  ['GET', `/api/v1/tickets?unitId=${BIG}`, undefined, 'querystring.unitId'],
  ['GET', `/api/v1/tickets?region=${encodeURIComponent(NUL)}`, undefined, 'querystring.region'],
  ['GET', `/api/v1/tickets?q=${encodeURIComponent(NUL)}`, undefined, 'querystring.q'],
  ['GET', '/api/v1/tickets?state=lost', undefined, 'querystring.state'],
  ['GET', '/api/v1/tickets?mark=red', undefined, 'querystring.mark'],
  ['GET', '/api/v1/tickets?from=2026-02-30', undefined, 'querystring.from'],
  ['GET', '/api/v1/tickets?to=yesterday', undefined, 'querystring.to'],
  ['GET', `/api/v1/tickets?category=${encodeURIComponent(NUL)}`, undefined, 'querystring.category'],
  ['GET', `/api/v1/tickets/similar?targetId=${BIG}`, undefined, 'querystring.targetId'],
  ['GET', `/api/v1/tickets/similar?regionCode=${encodeURIComponent(NUL)}`, undefined, 'querystring.regionCode'],
  ['GET', `/api/v1/tickets/similar?address=${encodeURIComponent(NUL)}`, undefined, 'querystring.address'],
  ['GET', `/api/v1/tickets/export.xlsx?unitId=${BIG}`, undefined, 'querystring.unitId'],
  ['GET', '/api/v1/tickets/export.xlsx?to=2026-13-01', undefined, 'querystring.to'],
  ['GET', `/api/v1/writings/export.xlsx?authorCadreId=${BIG}`, undefined, 'querystring.authorCadreId'],
  ['GET', `/api/v1/matters/export.xlsx?region=${encodeURIComponent(NUL)}`, undefined, 'querystring.region'],
  ['GET', `/api/v1/campaigns/${BIG}/pairings/export.xlsx`, undefined, 'params.id'],
  ['GET', `/api/v1/integrity/flags/export.xlsx?cadreId=${BIG}`, undefined, 'querystring.cadreId'],
  ['GET', `/api/v1/compliance/rows/export.xlsx?campaignId=${BIG}`, undefined, 'querystring.campaignId'],
  ['GET', `/api/v1/commitments/export.xlsx?unitId=${BIG}`, undefined, 'querystring.unitId'],
  ['GET', '/api/v1/statistics/export?from=2026-01-01&to=2026-02-30', undefined, 'querystring.to'],
  // Bulletins (issue 7).
  ['GET', `/api/v1/bulletins/${BIG}`, undefined, 'params.id'],
  ['GET', `/api/v1/bulletins?campaignId=${BIG}`, undefined, 'querystring.campaignId'],
  ['GET', '/api/v1/bulletins?status=lost', undefined, 'querystring.status'],
  ['GET', '/api/v1/bulletins/1/records?figure=nonsense', undefined, 'querystring.figure'],
  ['POST', '/api/v1/bulletins', { campaignId: BIG, regionCode: '330225000000', from: '2026-01-01', to: '2026-02-01' }, 'body.campaignId'],
  ['POST', '/api/v1/bulletins', { campaignId: 1, regionCode: '330225000000', from: '2026-03-01', to: '2026-02-01' }, 'body.to'],
  ['POST', '/api/v1/bulletins', { campaignId: 1, regionCode: '330225000000', from: '2026-01-01', to: '2026-02-01', title: `简报${NUL}` }, 'body.title'],
  ['PATCH', '/api/v1/bulletins/1', { version: 1, statistics: `数据${NUL}` }, 'body.statistics'],
  ['GET', `/api/v1/tickets/measures?unitId=${BIG}`, undefined, 'querystring.unitId'],
  ['GET', `/api/v1/tickets/measures?region=${encodeURIComponent(NUL)}`, undefined, 'querystring.region'],
  ['GET', '/api/v1/tickets/measures?groupBy=week', undefined, 'querystring.groupBy'],
  ['GET', '/api/v1/tickets/measures?from=2026-02-30', undefined, 'querystring.from'],
  ['POST', '/api/v1/tickets', ticket({ title: NUL }), 'body.title'],
  ['POST', '/api/v1/tickets', ticket({ content: NUL }), 'body.content'],
  ['POST', '/api/v1/tickets', ticket({ address: NUL }), 'body.address'],
  ['POST', '/api/v1/tickets', ticket({ regionCode: NUL }), 'body.regionCode'],
  ['POST', '/api/v1/tickets', ticket({ requester: { name: NUL } }), 'body.requester.name'],
  ['POST', '/api/v1/tickets', ticket({ requester: { targetId: BIG } }), 'body.requester.targetId'],
  ['POST', '/api/v1/tickets', ticket({ urgency: 'soon' }), 'body.urgency'],
  ['POST', '/api/v1/tickets', ticket({ activityId: BIG }), 'body.activityId'],
  ['POST', '/api/v1/tickets', ticket({ problemId: BIG }), 'body.problemId'],
  ['POST', '/api/v1/tickets', ticket({ campaignId: BIG }), 'body.campaignId'],
  ['POST', '/api/v1/tickets', ticket({ attachmentIds: [BIG] }), 'body.attachmentIds.0'],
  ['POST', '/api/v1/tickets', ticket({ dispatch: { unitId: BIG } }), 'body.dispatch.unitId'],
  ['POST', `/api/v1/tickets/${BIG}/actions`, { action: 'sign' }, 'params.id'],
  ['POST', '/api/v1/tickets/1/actions', { action: 'sign', version: BIG }, 'body.version'],
  ['POST', '/api/v1/tickets/1/actions', { action: 'dispatch', unitId: BIG }, 'body.unitId'],
  ['POST', '/api/v1/tickets/1/actions', { action: 'merge', intoTicketId: BIG }, 'body.intoTicketId'],
  ['POST', '/api/v1/tickets/1/actions', { action: 'reply_supervision', supervisionId: BIG, note: '已整改' }, 'body.supervisionId'],
  ['POST', '/api/v1/tickets/1/actions', { action: 'resolve', closureType: 'substantive', reply: '已修', attachmentIds: [BIG] }, 'body.attachmentIds.0'],
  ['POST', '/api/v1/tickets/1/actions', { action: 'resolve', closureType: 'partly', reply: '已修' }, 'body.closureType'],
  ['POST', '/api/v1/tickets/1/actions', { action: 'return', reason: NUL }, 'body.reason'],
  ['POST', '/api/v1/tickets/1/actions', { action: 'rate', rating: 'great' }, 'body.rating'],
  ['POST', '/api/v1/tickets/1/actions', { action: 'supervise', level: 'orange', note: '请加快' }, 'body.level'],
  ['POST', `/api/v1/tickets/${BIG}/reveal-phone`, {}, 'params.id'],
  // 双评 (issue 6): the office's endpoints and the respondent's page.
  ['GET', `/api/v1/surveys?campaignId=${BIG}`, undefined, 'querystring.campaignId'],
  ['GET', `/api/v1/surveys/${BIG}/results`, undefined, 'params.id'],
  ['POST', '/api/v1/surveys', { title: NUL, kind: 'public_unit', regionCode: DANDONG, period: { kind: 'year', year: 2026 }, questions: [{ dimension: '服务效能', text: '办事效率' }] }, 'body.title'],
  ['POST', '/api/v1/surveys/1/links', { unitIds: [BIG] }, 'body.unitIds.0'],
  ['POST', '/api/v1/surveys/1/exclusions', { responseIds: [BIG], excluded: true }, 'body.responseIds.0'],
  ['POST', '/api/v1/public/surveys/AAAAAAAAAAAAAAAAAAAAAAAA/responses', { phone: '13957400001', answers: [{ questionId: BIG, value: 'satisfied' }] }, 'body.answers.0.questionId'],
  ['POST', '/api/v1/public/surveys/AAAAAAAAAAAAAAAAAAAAAAAA/responses', { phone: '13957400001', answers: [{ questionId: 1, value: 'satisfied', comment: NUL }] }, 'body.answers.0.comment'],
  ['GET', `/api/v1/public/tickets/${encodeURIComponent(NUL)}?phone=1234`, undefined, 'params.code'],
  ['GET', '/api/v1/public/tickets/LX23456789?phone=12a4', undefined, 'querystring.phone'],
  ['POST', '/api/v1/public/tickets/LX23456789/rating', { phone: '1234', rating: 'great' }, 'body.rating'],
  ['POST', '/api/v1/public/tickets/LX23456789/rating', { phone: '1234', rating: 'satisfied', comment: NUL }, 'body.comment'],
  ['POST', '/api/v1/ticket-categories', { code: 'other.x', nameZh: NUL }, 'body.nameZh'],
  ['PATCH', `/api/v1/ticket-categories/${encodeURIComponent(NUL)}`, { nameZh: '其他' }, 'params.code'],
  ['PATCH', '/api/v1/ticket-categories/other', { sort: BIG }, 'body.sort'],
  ['POST', '/api/v1/notifications/99999999999999999999/read', {}, 'params.id'],
  ['POST', '/api/v1/notifications/9999999999999999999/read', {}, 'params.id'],
  ['GET', '/api/v1/notifications?unread=maybe', undefined, 'querystring.unread'],
  ['POST', `/api/v1/open311-keys/${BIG}/revoke`, {}, 'params.id'],
  ['POST', '/api/v1/open311-keys', { name: NUL }, 'body.name'],
  ['GET', `/api/v1/commitments/${BIG}`, undefined, 'params.id'],
  ['GET', `/api/v1/commitments?unitId=${BIG}`, undefined, 'querystring.unitId'],
  ['POST', '/api/v1/commitments', { campaignId: 1, cadreId, regionCode: VILLAGE, content: '内容', category: '为民办实事', startsOn: '2026-01-01', dueOn: '2026-12-31', title: NUL }, 'body.title'],
  ['POST', '/api/v1/commitments', { campaignId: 1, regionCode: VILLAGE, title: '承诺', content: '内容', category: '为民办实事', startsOn: '2026-01-01', dueOn: '2026-12-31', cadreId: BIG }, 'body.cadreId'],
  ['POST', '/api/v1/commitments', { campaignId: 1, cadreId, regionCode: VILLAGE, title: '承诺', content: '内容', category: '为民办实事', startsOn: '2026-01-01', dueOn: '2026-12-31', milestones: [{ title: '节点', plannedOn: '2026-03-01', photoIds: [BIG] }] }, 'body.milestones.0.photoIds.0'],
  ['PATCH', '/api/v1/commitments/1', { content: NUL }, 'body.content'],
  ['PATCH', `/api/v1/commitments/1/milestones/${BIG}`, { doneOn: '2026-03-01' }, 'params.milestoneId'],
  ['POST', '/api/v1/commitments/1/progress', { percent: 150, reason: '超额' }, 'body.percent'],
  ['GET', `/api/v1/public/commitments/${BIG}`, undefined, 'params.id'],
  ['GET', `/api/v1/public/commitments?q=${encodeURIComponent(NUL)}`, undefined, 'querystring.q'],
  // Requirement rules and compliance (issue 6).
  ['GET', `/api/v1/campaigns/${BIG}/requirement-rules`, undefined, 'params.id'],
  ['POST', '/api/v1/campaigns/1/requirement-rules', { rule: rule({ name: NUL }) }, 'body.rule.name'],
  ['POST', '/api/v1/campaigns/1/requirement-rules', { rule: rule({ cadres: { unitIds: [BIG] } }) }, 'body.rule.cadres.unitIds.0'],
  ['POST', '/api/v1/campaigns/1/requirement-rules/preview', { rule: rule({ targets: { kinds: ['household'], tags: [NUL] } }) }, 'body.rule.targets.tags.0'],
  ['GET', `/api/v1/requirement-rules/${BIG}`, undefined, 'params.id'],
  ['PUT', `/api/v1/requirement-rules/${BIG}`, { rule: rule(), version: 1 }, 'params.id'],
  ['PUT', '/api/v1/requirement-rules/1', { rule: rule(), version: BIG }, 'body.version'],
  ['DELETE', `/api/v1/requirement-rules/${BIG}`, undefined, 'params.id'],
  ['GET', `/api/v1/requirement-rules/${BIG}/windows`, undefined, 'params.id'],
  ['GET', `/api/v1/compliance/rows?campaignId=1&cadreId=${BIG}`, undefined, 'querystring.cadreId'],
  ['GET', `/api/v1/compliance/rows?campaignId=1&windowKey=${encodeURIComponent(NUL)}`, undefined, 'querystring.windowKey'],
  ['GET', `/api/v1/compliance/summary?campaignId=${BIG}`, undefined, 'querystring.campaignId'],
  ['POST', '/api/v1/compliance/recompute', { campaignId: BIG }, 'body.campaignId'],
  // The campaign calendar and notification channels (issue 6).
  ['GET', `/api/v1/campaigns/${BIG}/calendar`, undefined, 'params.id'],
  ['POST', '/api/v1/campaigns/1/calendar', { name: NUL, schedule: { kind: 'weekday', weekday: 2 } }, 'body.name'],
  ['POST', '/api/v1/campaigns/1/calendar', { name: '接访日', schedule: { kind: 'month_day', monthDay: 20 }, cadres: { unitIds: [BIG] } }, 'body.cadres.unitIds.0'],
  ['PUT', `/api/v1/campaigns/1/calendar/${BIG}`, { name: '接访日', schedule: { kind: 'month_day', monthDay: 20 }, version: 1 }, 'params.entryId'],
  ['GET', `/api/v1/calendar/upcoming?campaignId=${BIG}`, undefined, 'querystring.campaignId'],
  ['POST', '/api/v1/notification-channels', { name: NUL, url: 'https://example.org/hook', secret: 'x'.repeat(16) }, 'body.name'],
  ['POST', `/api/v1/notification-channels/${BIG}/test`, undefined, 'params.id'],
  // Statistics (issue 7).
  ['GET', `/api/v1/statistics?from=2026-01-01&to=2026-01-31&campaignId=${BIG}`, undefined, 'querystring.campaignId'],
  ['GET', `/api/v1/statistics/records?from=2026-01-01&to=2026-01-31&figure=forums&unitId=${BIG}`, undefined, 'querystring.unitId'],
  ['GET', `/api/v1/statistics/compare?from=2026-01-01&to=2026-01-31&regionCode=${encodeURIComponent(NUL)}`, undefined, 'querystring.regionCode'],
  ['GET', `/api/v1/statistics/dashboard?from=2026-01-01&to=2026-01-31&campaignId=${BIG}`, undefined, 'querystring.campaignId'],
  ['GET', '/api/v1/statistics/dashboard?from=2026-02-01&to=2026-01-31', undefined, 'querystring.to'],
];

describe(`input the database cannot take on ${testDriver}`, () => {
  it('ids beyond int4 and text with a NUL character are a 400 naming the field, never a 500, and nothing is written', async () => {
    const rows = async () => Promise.all((['activities', 'tickets', 'ticket_events', 'ticket_categories'] as const).map(async (t) =>
      Number((await h.db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)));
    const before = await rows();
    for (const [method, url, payload, field] of cases()) {
      const res = await app.inject({ method: method as 'GET', url, headers: as(s), ...(payload ? { payload } : {}) });
      expect(res.statusCode, `${method} ${url} ${JSON.stringify(payload)}: ${res.body}`).toBe(400);
      const fields = (res.json().error.details.fields as { field: string }[]).map((f) => f.field);
      expect(fields, `${method} ${url}`).toEqual([field]);
    }
    expect(await rows()).toEqual(before);
  });

  it('an offline batch rejects such records with their fields and stores the good one', async () => {
    const good = randomUUID();
    const res = await app.inject({
      method: 'POST', url: '/api/v1/sync/activities', headers: as(s),
      payload: { records: [visit({ clientId: randomUUID(), actions: NUL }), visit({ clientId: randomUUID(), targetIds: [BIG] }), visit({ clientId: good })] },
    });
    expect(res.statusCode, res.body).toBe(200);
    const [a, b, c] = res.json().results;
    expect(a).toMatchObject({ status: 'rejected', errors: [{ field: 'actions' }] });
    expect(b).toMatchObject({ status: 'rejected', errors: [{ field: 'targetIds.0' }] });
    expect(c).toMatchObject({ status: 'stored', clientId: good });
  });
});
