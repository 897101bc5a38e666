import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateTicket, TicketMeasuresResult, TicketMeasuresRow } from '../../../contracts/ticket-api.ts';
import {
  actorFor, admin, as, createTestApp, createTestDatabase, DANDONG, login, makeCadre, makeUnit, makeUser, seedXiangshan, SHIPU, testKey, XIANGSHAN, type Session,
} from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import type { Actor } from '../auth/actor.ts';
import { measureDefinitions, ticketMeasures } from './measures.ts';
import { actOnTicket, createTicket } from './tickets.ts';

// The measures on a hand-built month of tickets whose every figure is known: built through the
// ticket domain with a controlled clock (March 2025 has no public holiday; a 咨询 is due 3 working
// days after dispatch, signing 1).

const china = (s: string) => new Date(`${s}+08:00`);
const NOW = china('2025-03-20T12:00');
const MARCH = { from: '2025-03-01', to: '2025-03-31' };

let h: DatabaseHandle;
let app: App;
let unitA: number;
let unitB: number;
let ids: Record<string, number>;
let actors: Record<'hotline' | 'deptA' | 'deptB' | 'cadre' | 'shipuAdmin', Actor>;
let s: Record<'admin' | 'deptA' | 'shipuAdmin' | 'cadre', Session>;

const base = (over: Partial<CreateTicket> = {}): CreateTicket => ({
  source: 'hotline', type: 'consult', categoryCode: 'infrastructure.water', urgency: 'normal', title: '咨询停水安排', content: '请问何时恢复供水？',
  requester: { name: '林秀英', phone: '13957410001' }, regionCode: DANDONG, address: '金秋路8号', ...over,
});

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
  unitA = (await makeUnit(h.db, XIANGSHAN, { name: '县水务集团', level: 'county' })).id;
  unitB = (await makeUnit(h.db, SHIPU, { name: '石浦镇政府' })).id;
  const unitC = (await makeUnit(h.db, SHIPU, { name: '石浦镇农办' })).id;
  const cadreId = (await makeCadre(h.db, unitC, { name: '王强' })).id;
  const users = {
    admin: await makeUser(h.db, 'admin'),
    hotline: await makeUser(h.db, 'hotline_operator', { regionCode: XIANGSHAN }),
    deptA: await makeUser(h.db, 'handling_dept', { unitId: unitA }),
    deptB: await makeUser(h.db, 'handling_dept', { unitId: unitB }),
    cadre: await makeUser(h.db, 'cadre', { unitId: unitC, cadreId }),
    shipuAdmin: await makeUser(h.db, 'admin', { regionCode: SHIPU }),
  };
  actors = {
    hotline: await actorFor(h.db, users.hotline), deptA: await actorFor(h.db, users.deptA), deptB: await actorFor(h.db, users.deptB),
    cadre: await actorFor(h.db, users.cadre), shipuAdmin: await actorFor(h.db, users.shipuAdmin),
  };
  s = { admin: await login(app, users.admin.username), deptA: await login(app, users.deptA.username), shipuAdmin: await login(app, users.shipuAdmin.username), cadre: await login(app, users.cadre.username) };

  const op = actors.hotline;
  const act = (who: Actor, id: number, at: string, body: Parameters<typeof actOnTicket>[4]) => actOnTicket(h.db, who, testKey, id, body, { now: china(at) });
  const create = async (at: string, over: Partial<CreateTicket>, who = op) => (await createTicket(h.db, who, testKey, base(over), { now: china(at) })).id;

  // T1: signed and resolved in time, satisfied; 1 working day from dispatch to resolution.
  const t1 = await create('2025-03-03T09:00', { dispatch: { unitId: unitA } });
  await act(actors.deptA, t1, '2025-03-03T11:00', { action: 'sign' });
  await act(actors.deptA, t1, '2025-03-04T15:00', { action: 'resolve', closureType: 'substantive', reply: '已恢复供水。' });
  await act(op, t1, '2025-03-05T10:00', { action: 'rate', rating: 'satisfied' });
  // T2: signed late (due 03-04), resolved late (due 03-06) after 7 working days, basically satisfied.
  const t2 = await create('2025-03-03T09:30', { regionCode: SHIPU, requester: { name: '陈海', phone: '13957410002' }, dispatch: { unitId: unitB } });
  await act(actors.deptB, t2, '2025-03-05T09:00', { action: 'sign' });
  await act(actors.deptB, t2, '2025-03-12T16:00', { action: 'resolve', closureType: 'interim', reply: '已协调。' });
  await act(op, t2, '2025-03-13T10:00', { action: 'rate', rating: 'basically_satisfied' });
  // T3: signed in time, resolved, rated unsatisfied → reopened (due again 03-11), still open: overdue.
  const t3 = await create('2025-03-04T09:00', { requester: { name: '张丽', phone: '13957410003' }, dispatch: { unitId: unitA } });
  await act(actors.deptA, t3, '2025-03-04T11:00', { action: 'sign' });
  await act(actors.deptA, t3, '2025-03-05T10:00', { action: 'resolve', closureType: 'procedural', reply: '已答复。' });
  await act(op, t3, '2025-03-06T10:00', { action: 'rate', rating: 'unsatisfied' });
  // T4: dispatched 03-05 (due 03-10), never signed: overdue.
  const t4 = await create('2025-03-05T09:00', { requester: { name: '李明', phone: '13957410004' }, dispatch: { unitId: unitA } });
  // T5: at the county itself (本级), the same requester and category as T1 within 30 days: a repeat.
  const t5 = await create('2025-03-05T11:00', { regionCode: XIANGSHAN });
  // T6: a duplicate merged into T5: left out of every figure.
  const t6 = await create('2025-03-06T09:00', { requester: { name: '赵六', phone: '13957410006' } });
  await act(op, t6, '2025-03-06T10:00', { action: 'merge', intoTicketId: t5 });
  // T7: registered in February: outside the period.
  const t7 = await create('2025-02-27T09:00', { requester: { name: '钱七', phone: '13957410007' }, dispatch: { unitId: unitA } });
  await act(actors.deptA, t7, '2025-02-27T10:00', { action: 'sign' });
  await act(actors.deptA, t7, '2025-02-28T10:00', { action: 'resolve', closureType: 'substantive', reply: '已处理。' });
  // T8: found on a visit and fixed on the spot: resolved on time, no dispatch.
  const t8 = await create('2025-03-06T15:00', { source: 'visit', regionCode: SHIPU, requester: { anonymous: true }, fixOnSpot: { closureType: 'substantive', reply: '当场修好。' } }, actors.cadre);
  ids = { t1, t2, t3, t4, t5, t6, t7, t8 };
});

afterAll(async () => {
  await app?.close();
  await h?.close();
});

const zero: Omit<TicketMeasuresRow, 'key' | 'name'> = {
  total: 0, dispatched: 0, signedOnTime: 0, signRate: null, resolved: 0, resolveRate: null, resolvedOnTime: 0, onTimeRate: null, rated: 0, satisfied: 0,
  basicallySatisfied: 0, unsatisfied: 0, satisfactionRate: null, meanHandlingDays: null, overdueOpen: 0, resolvedLate: 0, repeatRequests: 0,
};

describe('the measures', () => {
  it('counts each figure over the tickets registered in the period, merged ones left out', async () => {
    const m = await ticketMeasures(h.db, admin, MARCH, NOW);
    expect(m.overall).toEqual({
      key: null, name: '合计', total: 6, dispatched: 4, signedOnTime: 2, signRate: 0.5, resolved: 3, resolveRate: 0.5, resolvedOnTime: 2, onTimeRate: 0.6667,
      rated: 3, satisfied: 1, basicallySatisfied: 1, unsatisfied: 1, satisfactionRate: 0.6667, meanHandlingDays: 4, overdueOpen: 2, resolvedLate: 1, repeatRequests: 1,
    });
    expect(m.rows).toEqual([]);
    expect(m.definitions).toBe(measureDefinitions);
    expect(m.definitions.map((d) => d.key)).toEqual(['total', 'signRate', 'resolveRate', 'onTimeRate', 'satisfactionRate', 'meanHandlingDays', 'overdueOpen', 'repeatRequests']);
    // February alone: T7, resolved on time in 1 working day, never rated.
    const feb = await ticketMeasures(h.db, admin, { from: '2025-02-01', to: '2025-02-28' }, NOW);
    expect(feb.overall).toMatchObject({ total: 1, dispatched: 1, signedOnTime: 1, resolved: 1, resolvedOnTime: 1, onTimeRate: 1, rated: 0, satisfactionRate: null, meanHandlingDays: 1 });
    // An empty period: rates are null, not 0.
    const empty = await ticketMeasures(h.db, admin, { from: '2024-01-01', to: '2024-01-31' }, NOW);
    expect(empty.overall).toEqual({ key: null, name: '合计', ...zero });
    // One day: T1 and T2 (both 03-03).
    expect((await ticketMeasures(h.db, admin, { from: '2025-03-03', to: '2025-03-03' }, NOW)).overall.total).toBe(2);
  });

  it('counts open tickets past their deadline as of now', async () => {
    // T4 is due at the end of 03-10, T3's second round at the end of 03-11.
    expect((await ticketMeasures(h.db, admin, MARCH, china('2025-03-10T18:00'))).overall.overdueOpen).toBe(0);
    expect((await ticketMeasures(h.db, admin, MARCH, china('2025-03-11T08:00'))).overall.overdueOpen).toBe(1);
    expect((await ticketMeasures(h.db, admin, MARCH, china('2025-03-12T08:00'))).overall.overdueOpen).toBe(2);
  });

  it('groups by handling unit, with the tickets no unit holds on their own row', async () => {
    const m = await ticketMeasures(h.db, admin, { ...MARCH, groupBy: 'unit' }, NOW);
    expect(m.overall.total).toBe(6);
    expect(m.rows.map((r) => [r.key, r.name, r.total])).toEqual([[String(unitA), '县水务集团', 3], [null, '未交办', 2], [String(unitB), '石浦镇政府', 1]]);
    expect(m.rows[0]).toMatchObject({ dispatched: 3, signedOnTime: 2, signRate: 0.6667, resolved: 1, overdueOpen: 2, meanHandlingDays: 1, rated: 2, satisfactionRate: 0.5 });
    expect(m.rows[2]).toMatchObject({ signedOnTime: 0, signRate: 0, resolvedLate: 1, onTimeRate: 0, meanHandlingDays: 7 });
    // The unitId filter counts the same tickets as that unit's row.
    const a = await ticketMeasures(h.db, admin, { ...MARCH, unitId: unitA }, NOW);
    expect(a.overall).toEqual({ ...m.rows[0], key: null, name: '合计' });
  });

  it('drills down a region: its child regions, every one listed, and a 本级 row', async () => {
    const m = await ticketMeasures(h.db, admin, { ...MARCH, region: XIANGSHAN, groupBy: 'region' }, NOW);
    expect(m.overall.total).toBe(6);
    const byKey = new Map(m.rows.map((r) => [r.key, r]));
    expect(byKey.get(DANDONG)).toMatchObject({ name: '丹东街道', total: 3, overdueOpen: 2 });
    expect(byKey.get(SHIPU)).toMatchObject({ name: '石浦镇', total: 2, resolved: 2 });
    expect(m.rows.at(-1)).toMatchObject({ key: XIANGSHAN, name: '象山县（本级）', total: 1, repeatRequests: 1 });
    expect(m.rows.length).toBeGreaterThan(10); // every township of Xiangshan, most with zeros
    expect(m.rows.filter((r) => r.total > 0)).toHaveLength(3);
    expect(m.rows.reduce((n, r) => n + r.total, 0)).toBe(6);
    // With no region named, an unscoped account drills down from the deployment's top region (the
    // county here), not from the province above it that the region table also holds.
    const top = await ticketMeasures(h.db, admin, { ...MARCH, groupBy: 'region' }, NOW);
    expect(top.rows.map((r) => r.key)).toEqual(m.rows.map((r) => r.key));
    // A township admin's drill-down starts at the township; its tickets all lie at the township itself.
    const town = await ticketMeasures(h.db, actors.shipuAdmin, { ...MARCH, groupBy: 'region' }, NOW);
    expect(town.overall.total).toBe(2);
    expect(town.rows.at(-1)).toMatchObject({ key: SHIPU, name: '石浦镇（本级）', total: 2 });
  });

  it('groups by month of registration, listing the empty months of the period', async () => {
    const m = await ticketMeasures(h.db, admin, { from: '2025-01-15', to: '2025-03-31', groupBy: 'month' }, NOW);
    expect(m.rows.map((r) => [r.key, r.total])).toEqual([['2025-01', 0], ['2025-02', 1], ['2025-03', 6]]);
    expect(m.overall.total).toBe(7);
    const open = await ticketMeasures(h.db, admin, { groupBy: 'month' }, NOW);
    expect(open.rows.map((r) => r.key)).toEqual(['2025-02', '2025-03']);
  });

  it('counts only what the caller may see', async () => {
    // A unit account: the tickets its unit handles.
    expect((await ticketMeasures(h.db, actors.deptA, MARCH, NOW)).overall).toMatchObject({ total: 3, dispatched: 3 });
    expect((await ticketMeasures(h.db, actors.deptB, MARCH, NOW)).overall).toMatchObject({ total: 1, resolvedLate: 1 });
    // The cadre who found T8 (his unit registered it).
    expect((await ticketMeasures(h.db, actors.cadre, MARCH, NOW)).overall).toMatchObject({ total: 1, resolved: 1, resolvedOnTime: 1, meanHandlingDays: null });
    // A township admin: the tickets in the township.
    expect((await ticketMeasures(h.db, actors.shipuAdmin, MARCH, NOW)).overall).toMatchObject({ total: 2 });
    expect(ids.t6).toBeGreaterThan(0);
  });
});

describe('GET /api/v1/tickets/measures', () => {
  const get = (who: Session, query: string) => app.inject({ url: `/api/v1/tickets/measures?${query}`, headers: as(who) });

  it('answers with the overall row, the rows and the definitions', async () => {
    const res = await get(s.admin, 'from=2025-03-01&to=2025-03-31&groupBy=unit');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as TicketMeasuresResult;
    expect(body.overall).toMatchObject({ total: 6, resolved: 3, satisfactionRate: 0.6667 });
    expect(body.rows).toHaveLength(3);
    expect(body.definitions.every((d) => d.zh.length > 20 && d.en.length > 20)).toBe(true);
    expect((await get(s.deptA, 'from=2025-03-01&to=2025-03-31')).json().overall.total).toBe(3);
  });

  it('refuses bad input, naming the field', async () => {
    const backwards = await get(s.admin, 'from=2025-03-31&to=2025-03-01');
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error.details.field).toBe('to');
    expect(backwards.json().error.message).toContain('结束日期');
    const badDate = await get(s.admin, 'from=2025-02-30');
    expect(badDate.statusCode).toBe(400);
    expect(badDate.json().error.details.fields[0].field).toBe('querystring.from');
    expect((await get(s.admin, 'groupBy=cadre')).statusCode).toBe(400);
    expect((await get(s.admin, 'unitId=2147483648')).statusCode).toBe(400);
    expect((await get(s.admin, 'unitId=abc')).statusCode).toBe(400);
    expect((await get(s.admin, 'region=3302%0025000000')).statusCode).toBe(400);
  });

  it('answers an unknown region or unit, and a region outside the caller’s, with 404', async () => {
    expect((await get(s.admin, 'region=999999999999')).statusCode).toBe(404);
    expect((await get(s.admin, 'unitId=999999')).statusCode).toBe(404);
    const outside = await get(s.shipuAdmin, `region=${DANDONG}`);
    expect(outside.statusCode).toBe(404);
    expect(outside.json().error.code).toBe('NOT_FOUND');
    expect((await get(s.shipuAdmin, `region=${DANDONG}&groupBy=region`)).statusCode).toBe(404);
    expect((await get(s.shipuAdmin, `region=${SHIPU}`)).statusCode).toBe(200);
  });

  it('needs a login', async () => {
    expect((await app.inject({ url: '/api/v1/tickets/measures' })).statusCode).toBe(401);
  });
});
