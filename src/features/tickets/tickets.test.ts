import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateTicket, TicketDto } from '../../../contracts/ticket-api.ts';
import {
  actorFor, as, createTestApp, createTestDatabase, DANDONG, login, makeCadre, makeUnit, makeUser, seedXiangshan, SHIPU, testKey, XIANGSHAN, type Session,
} from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import type { Actor } from '../auth/actor.ts';
import { actOnTicket, createTicket, getTicket, listTickets, similarTickets } from './tickets.ts';

// The ticket core: registering, the loop through the API, refusals with nothing changed, scope.

const VILLAGE = '330225001003'; // 金秋社区, under 丹东街道
let h: DatabaseHandle;
let app: App;
let units: Record<'water' | 'roads' | 'shipu', { id: number }>;
let users: Record<'hotline' | 'water' | 'roads' | 'supervisor' | 'shipuHotline' | 'cadre', Awaited<ReturnType<typeof makeUser>>>;
let s: Record<keyof typeof users, Session>;
let actors: Record<keyof typeof users, Actor>;
let cadreId: number;

// Dispatched on Monday 2026-11-16 10:00 China time: a complaint (10 working days) is due Mon 11-30.
const MON = new Date('2026-11-16T02:00:00Z');
const at = (iso: string) => new Date(iso);

const base = (over: Partial<CreateTicket> = {}): CreateTicket => ({
  source: 'hotline', type: 'complaint', categoryCode: 'infrastructure.water', urgency: 'normal', title: '金秋社区停水三天', content: '小区连续三天停水，无人答复。',
  requester: { name: '林秀英', phone: '13957412345' }, regionCode: VILLAGE, address: '金秋路8号', ...over,
});

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
  units = {
    water: await makeUnit(h.db, XIANGSHAN, { name: '县水务集团', level: 'county' }),
    roads: await makeUnit(h.db, XIANGSHAN, { name: '县交通运输局', level: 'county' }),
    shipu: await makeUnit(h.db, SHIPU, { name: '石浦镇政府' }),
  };
  cadreId = (await makeCadre(h.db, units.roads.id, { name: '王强' })).id;
  users = {
    hotline: await makeUser(h.db, 'hotline_operator', { regionCode: XIANGSHAN }),
    water: await makeUser(h.db, 'handling_dept', { unitId: units.water.id }),
    roads: await makeUser(h.db, 'handling_dept', { unitId: units.roads.id }),
    supervisor: await makeUser(h.db, 'supervisor', { regionCode: XIANGSHAN }),
    shipuHotline: await makeUser(h.db, 'hotline_operator', { regionCode: SHIPU }),
    cadre: await makeUser(h.db, 'cadre', { unitId: units.roads.id, cadreId }),
  };
  s = {} as typeof s;
  actors = {} as typeof actors;
  for (const k of Object.keys(users) as (keyof typeof users)[]) {
    s[k] = await login(app, users[k].username);
    actors[k] = await actorFor(h.db, users[k]);
  }
});

afterAll(async () => {
  await app?.close();
  await h?.close();
});

const count = async (table: 'tickets' | 'ticket_events') => Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(h.db)).rows[0]!.n);

describe('registering and the loop', () => {
  it('intake and dispatch in one step: deadlines in working days, the unit is told', async () => {
    const t = await createTicket(h.db, actors.hotline, testKey, base({ dispatch: { unitId: units.water.id } }), { now: MON });
    expect(t.state).toBe('dispatched');
    expect(t.trackingCode).toMatch(/^LX[0-9A-Z]{8}$/);
    expect(t.handlingUnitName).toBe('县水务集团');
    expect(t.dueAt).toBe('2026-11-30T15:59:59.999Z');
    expect(t.signDueAt).toBe('2026-11-17T15:59:59.999Z');
    expect(t.events.map((e) => e.action)).toEqual(['register', 'dispatch']);
    expect(t.requesterPhoneMasked).toBe('139****2345');
    const note = await h.db.selectFrom('notifications').selectAll().where('user_id', '=', users.water.id).where('ticket_id', '=', t.id).execute();
    expect(note).toHaveLength(1);
    expect(note[0]!.title).toContain(t.trackingCode);
  });

  it('through the API: sign, start, resolve, rate → closed, every step an event', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/v1/tickets', headers: as(s.hotline), payload: base({ title: '道路塌陷', categoryCode: 'infrastructure.roads', dispatch: { unitId: units.roads.id } }) });
    expect(created.statusCode).toBe(201);
    let t = created.json() as TicketDto;
    const act = async (who: Session, body: Record<string, unknown>) => app.inject({ method: 'POST', url: `/api/v1/tickets/${t.id}/actions`, headers: as(who), payload: { version: t.version, ...body } });
    for (const body of [{ action: 'sign' }, { action: 'start' }, { action: 'resolve', closureType: 'substantive', reply: '已修复路面。' }]) {
      const res = await act(s.roads, body);
      expect(res.statusCode, res.body).toBe(200);
      t = res.json();
    }
    expect(t.state).toBe('resolved');
    expect(t.reply).toBe('已修复路面。');
    expect(t.handlingWorkingDays).toBe(0);
    const rated = await act(s.hotline, { action: 'rate', rating: 'basically_satisfied', comment: '回访：基本满意' });
    expect(rated.statusCode).toBe(200);
    t = rated.json();
    expect(t).toMatchObject({ state: 'closed', outcome: 'basically_satisfied', rating: 'basically_satisfied', ratingComment: '回访：基本满意' });
    expect(t.events.map((e) => `${e.action}:${e.toState}`)).toEqual(['register:registered', 'dispatch:dispatched', 'sign:signed', 'start:in_progress', 'resolve:resolved', 'rate:closed']);
    expect(t.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.allowedActions).toEqual([]);
  });

  it('an action the state does not allow is 409 and lists what is allowed; nothing changes', async () => {
    const t = await createTicket(h.db, actors.hotline, testKey, base({ dispatch: { unitId: units.water.id } }));
    const events = await count('ticket_events');
    const res = await app.inject({ method: 'POST', url: `/api/v1/tickets/${t.id}/actions`, headers: as(s.water), payload: { action: 'resolve', closureType: 'substantive', reply: 'x' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toContain('此时您可以：签收、退回');
    expect(res.json().error.details.allowed).toEqual(['sign', 'return', 'reply_supervision']);
    expect(await count('ticket_events')).toBe(events);
    expect((await getTicket(h.db, actors.water, testKey, t.id)).state).toBe('dispatched');
  });

  it('a role not allowed is 403; another unit cannot act on a ticket it does not hold', async () => {
    const t = await createTicket(h.db, actors.hotline, testKey, base({ dispatch: { unitId: units.water.id } }));
    const byCadre = await app.inject({ method: 'POST', url: `/api/v1/tickets/${t.id}/actions`, headers: as(s.supervisor), payload: { action: 'sign' } });
    expect(byCadre.statusCode).toBe(403);
    // The roads department does not hold it, so it does not even see it.
    const byOther = await app.inject({ method: 'POST', url: `/api/v1/tickets/${t.id}/actions`, headers: as(s.roads), payload: { action: 'sign' } });
    expect(byOther.statusCode).toBe(404);
  });

  it('a stale version is 409 and nothing changes', async () => {
    const t = await createTicket(h.db, actors.hotline, testKey, base({ dispatch: { unitId: units.water.id } }));
    await actOnTicket(h.db, actors.water, testKey, t.id, { action: 'sign', version: t.version });
    const res = await app.inject({ method: 'POST', url: `/api/v1/tickets/${t.id}/actions`, headers: as(s.water), payload: { action: 'return', reason: '不属本单位', version: t.version } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.details.field).toBe('version');
  });

  it('two actions at once on one ticket: exactly one is taken, the other is 409, one event', async () => {
    const events = async (id: number) => Number((await sql<{ n: number }>`select count(*)::int as n from ticket_events where ticket_id = ${id}`.execute(h.db)).rows[0]!.n);
    const act = (id: number, body: object) => app.inject({ method: 'POST', url: `/api/v1/tickets/${id}/actions`, headers: as(s.water), payload: body });
    // Two signatures, no version given: the second finds the ticket signed.
    const a = await createTicket(h.db, actors.hotline, testKey, base({ dispatch: { unitId: units.water.id } }));
    const signs = await Promise.all([act(a.id, { action: 'sign' }), act(a.id, { action: 'sign' })]);
    expect(signs.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(await events(a.id)).toBe(3);
    // Sign and return at the version both saw: the second finds the version moved.
    const b = await createTicket(h.db, actors.hotline, testKey, base({ dispatch: { unitId: units.water.id } }));
    const both = await Promise.all([act(b.id, { action: 'sign', version: b.version }), act(b.id, { action: 'return', reason: '不属本单位', version: b.version })]);
    expect(await events(b.id)).toBe(3);
    const after = await h.db.selectFrom('tickets').select(['state', 'version']).where('id', '=', b.id).executeTakeFirstOrThrow();
    expect(after.version).toBe(b.version + 1);
    // Whichever came first was taken. A sign first leaves the return a stale version (409); a
    // return first takes the ticket out of the unit's sight, so the late sign finds nothing (404).
    const [sign, ret] = both.map((r) => r.statusCode);
    if (after.state === 'signed') expect([sign, ret]).toEqual([200, 409]);
    else {
      expect(after.state).toBe('registered');
      expect([sign, ret]).toEqual([404, 200]);
    }
  });

  it('return, re-dispatch, assisting unit, transfer', async () => {
    const t = await createTicket(h.db, actors.hotline, testKey, base({ dispatch: { unitId: units.roads.id } }), { now: MON });
    const returned = await actOnTicket(h.db, actors.roads, testKey, t.id, { action: 'return', reason: '供水问题不属交通局' }, { now: at('2026-11-17T03:00:00Z') });
    expect(returned.state).toBe('registered');
    expect(returned.handlingUnitId).toBeNull();
    // Once returned, the roads department no longer sees it.
    await expect(getTicket(h.db, actors.roads, testKey, t.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const again = await actOnTicket(h.db, actors.hotline, testKey, t.id, { action: 'dispatch', unitId: units.water.id }, { now: at('2026-11-17T04:00:00Z') });
    expect(again).toMatchObject({ state: 'dispatched', handlingUnitName: '县水务集团', dueAt: '2026-12-01T15:59:59.999Z' });
    const assisted = await actOnTicket(h.db, actors.hotline, testKey, t.id, { action: 'add_assisting_unit', unitId: units.roads.id });
    expect(assisted.assistingUnits.map((u) => u.name)).toEqual(['县交通运输局']);
    expect((await getTicket(h.db, actors.roads, testKey, t.id)).id).toBe(t.id); // the assisting unit sees it
    const twice = await app.inject({ method: 'POST', url: `/api/v1/tickets/${t.id}/actions`, headers: as(s.hotline), payload: { action: 'add_assisting_unit', unitId: units.roads.id } });
    expect(twice.statusCode).toBe(409);
    const transferred = await actOnTicket(h.db, actors.hotline, testKey, t.id, { action: 'transfer', unitId: units.roads.id, reason: '涉及道路开挖' });
    expect(transferred.handlingUnitName).toBe('县交通运输局');
  });

  it('extension: requested before the deadline and approved moves it; after the deadline it is refused', async () => {
    const t = await createTicket(h.db, actors.hotline, testKey, base({ dispatch: { unitId: units.water.id } }), { now: MON });
    await actOnTicket(h.db, actors.water, testKey, t.id, { action: 'sign' }, { now: MON });
    await actOnTicket(h.db, actors.water, testKey, t.id, { action: 'request_extension', workingDays: 5, reason: '需更换主管道' }, { now: at('2026-11-20T02:00:00Z') });
    const approved = await actOnTicket(h.db, actors.supervisor, testKey, t.id, { action: 'approve_extension' }, { now: at('2026-11-20T03:00:00Z') });
    expect(approved.dueAt).toBe('2026-12-07T15:59:59.999Z');
    expect(approved.pendingExtensionDays).toBeNull();
    await expect(actOnTicket(h.db, actors.water, testKey, t.id, { action: 'request_extension', workingDays: 3, reason: '再延' }, { now: at('2026-12-08T02:00:00Z') }))
      .rejects.toMatchObject({ code: 'CONFLICT', details: { refusal: 'extension_after_deadline' } });
  });

  it('unsatisfied reopens once, the second unsatisfied closes', async () => {
    let t = await createTicket(h.db, actors.hotline, testKey, base({ dispatch: { unitId: units.water.id } }), { now: MON });
    for (const body of [{ action: 'sign' }, { action: 'resolve', closureType: 'substantive', reply: '已恢复供水' }] as const) t = await actOnTicket(h.db, actors.water, testKey, t.id, body, { now: MON });
    t = await actOnTicket(h.db, actors.hotline, testKey, t.id, { action: 'rate', rating: 'unsatisfied', comment: '水压仍很低' }, { now: at('2026-11-18T02:00:00Z') });
    expect(t).toMatchObject({ state: 'reopened', reopenCount: 1, handlingUnitName: '县水务集团' });
    t = await actOnTicket(h.db, actors.water, testKey, t.id, { action: 'resolve', closureType: 'substantive', reply: '已加压' }, { now: at('2026-11-19T02:00:00Z') });
    t = await actOnTicket(h.db, actors.hotline, testKey, t.id, { action: 'rate', rating: 'unsatisfied' }, { now: at('2026-11-20T02:00:00Z') });
    expect(t).toMatchObject({ state: 'closed', outcome: 'unsatisfied' });
  });

  it('a cadre fixes on the spot what they found on a visit (即知即改)', async () => {
    const t = await createTicket(h.db, actors.cadre, testKey, base({ source: 'visit', type: 'help', title: '路灯不亮', categoryCode: 'infrastructure.lighting', fixOnSpot: { closureType: 'substantive', reply: '现场联系电工已修复' } }));
    expect(t).toMatchObject({ state: 'resolved', foundByCadreId: cadreId, reply: '现场联系电工已修复' });
    expect(t.events.map((e) => e.action)).toEqual(['register', 'fix_on_spot']);
    // Someone who did not find it cannot.
    const res = await app.inject({ method: 'POST', url: '/api/v1/tickets', headers: as(s.hotline), payload: base({ fixOnSpot: { closureType: 'substantive', reply: 'x' } }) });
    expect(res.statusCode).toBe(403);
  });

  it('duplicates are merged and suggested', async () => {
    const first = await createTicket(h.db, actors.hotline, testKey, base({ requester: { name: '赵', phone: '13800001111' } }));
    const second = await createTicket(h.db, actors.hotline, testKey, base({ requester: { name: '赵', phone: '13800001111' } }));
    expect(second.repeatOfId).toBe(first.id);
    const similar = await similarTickets(h.db, actors.hotline, testKey, { phone: '13800001111', regionCode: VILLAGE, categoryCode: 'infrastructure.water' });
    expect(similar.map((x) => x.id)).toEqual(expect.arrayContaining([first.id, second.id]));
    expect(similar.find((x) => x.id === first.id)!.reasons).toContain('same_requester');
    const merged = await actOnTicket(h.db, actors.hotline, testKey, second.id, { action: 'merge', intoTicketId: first.id, note: '同一诉求' });
    expect(merged).toMatchObject({ state: 'closed', outcome: 'merged', mergedIntoId: first.id });
    const self = await app.inject({ method: 'POST', url: `/api/v1/tickets/${first.id}/actions`, headers: as(s.hotline), payload: { action: 'merge', intoTicketId: first.id } });
    expect(self.statusCode).toBe(400);
  });

  it('refusals write nothing: no event, notification, assisting unit, supervision or audit row, the ticket unchanged', async () => {
    const t = await createTicket(h.db, actors.hotline, testKey, base({ dispatch: { unitId: units.water.id } }), { now: MON });
    await actOnTicket(h.db, actors.water, testKey, t.id, { action: 'sign' }, { now: MON });
    await actOnTicket(h.db, actors.hotline, testKey, t.id, { action: 'add_assisting_unit', unitId: units.roads.id }, { now: MON });
    const closed = await createTicket(h.db, actors.hotline, testKey, base());
    await actOnTicket(h.db, actors.hotline, testKey, closed.id, { action: 'merge', intoTicketId: t.id }, { now: MON });
    const snapshot = async () => {
      const n = (q: ReturnType<typeof sql<{ n: number }>>) => q.execute(h.db).then((r) => Number(r.rows[0]!.n));
      return {
        events: await n(sql`select count(*)::int as n from ticket_events`),
        notifications: await n(sql`select count(*)::int as n from notifications`),
        assisting: await n(sql`select count(*)::int as n from ticket_assisting_units`),
        supervisions: await n(sql`select count(*)::int as n from ticket_supervisions`),
        audit: await n(sql`select count(*)::int as n from audit_log where entity = 'ticket'`),
        ticket: await h.db.selectFrom('tickets').select(['state', 'version', 'handling_unit_id', 'due_at', 'pending_extension_days', 'merged_into_id']).where('id', '=', t.id).executeTakeFirstOrThrow(),
      };
    };
    const before = await snapshot();
    const late = at('2026-12-08T02:00:00Z'); // past the deadline of Mon 11-30
    for (const [who, body, code, now] of [
      [actors.hotline, { action: 'merge', intoTicketId: closed.id }, 'CONFLICT', undefined],
      [actors.hotline, { action: 'transfer', unitId: 999_999, reason: '改派' }, 'VALIDATION_FAILED', undefined],
      [actors.hotline, { action: 'add_assisting_unit', unitId: units.roads.id }, 'CONFLICT', undefined],
      [actors.hotline, { action: 'add_assisting_unit', unitId: 999_999 }, 'VALIDATION_FAILED', undefined],
      [actors.water, { action: 'request_extension', workingDays: 3, reason: '需更换主管道' }, 'CONFLICT', late],
      [actors.water, { action: 'supervise', level: 'yellow', note: '自己督办自己' }, 'FORBIDDEN', undefined],
      [actors.water, { action: 'reply_supervision', note: '已整改' }, 'CONFLICT', undefined],
      [actors.hotline, { action: 'rate', rating: 'satisfied' }, 'CONFLICT', undefined],
      [actors.water, { action: 'sign' }, 'CONFLICT', undefined],
    ] as const) {
      await expect(actOnTicket(h.db, who, testKey, t.id, body, { now: now ?? MON }), JSON.stringify(body)).rejects.toMatchObject({ code });
    }
    expect(await snapshot()).toEqual(before);
  });

  it('the event log cannot be changed, even by SQL', async () => {
    await expect(sql`update ticket_events set note = 'x'`.execute(h.db)).rejects.toThrow(/immutable/);
    await expect(sql`delete from ticket_events`.execute(h.db)).rejects.toThrow(/immutable/);
  });
});

describe('bad input: a clear error and nothing written', () => {
  const post = (payload: unknown, who: keyof typeof users = 'hotline') => app.inject({ method: 'POST', url: '/api/v1/tickets', headers: as(s[who]), payload: payload as object });

  it.each([
    ['unknown category', { categoryCode: 'no.such' }, 400, 'categoryCode'],
    ['unknown unit', { dispatch: { unitId: 999_999 } }, 400, 'unitId'],
    ['unknown region', { regionCode: '110000000000' }, 400, 'regionCode'],
    ['unknown target', { requester: { targetId: 999_999 } }, 400, 'requester.targetId'],
    ['a bad phone', { requester: { phone: '12' } }, 400, 'requester.phone'],
    ['an id beyond int4', { dispatch: { unitId: 2 ** 31 } }, 400, 'dispatch.unitId'],
    ['a NUL in text', { title: 'a\u0000b' }, 400, 'title'],
    ['an unknown type', { type: 'praise' }, 400, 'type'],
    ['an unknown photo', { attachmentIds: [999_999] }, 400, 'attachmentIds'],
  ])('%s', async (_what, over, status, field) => {
    const [tickets, events] = [await count('tickets'), await count('ticket_events')];
    const res = await post(base(over as Partial<CreateTicket>));
    expect(res.statusCode, res.body).toBe(status);
    expect(JSON.stringify(res.json().error)).toContain(field);
    expect([await count('tickets'), await count('ticket_events')]).toEqual([tickets, events]);
  });

  it('a role that may not register is 403', async () => {
    expect((await post(base(), 'supervisor')).statusCode).toBe(403);
  });

  it('bad action bodies', async () => {
    const t = await createTicket(h.db, actors.hotline, testKey, base({ dispatch: { unitId: units.water.id } }));
    for (const [payload, status] of [
      [{ action: 'fly' }, 400],
      [{ action: 'request_extension', workingDays: 0, reason: 'x' }, 400],
      [{ action: 'return', reason: '' }, 400],
      [{ action: 'sign', extra: 1 }, 400],
    ] as const) {
      const res = await app.inject({ method: 'POST', url: `/api/v1/tickets/${t.id}/actions`, headers: as(s.water), payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/tickets/99999999999', headers: as(s.water) })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/api/v1/tickets?from=2026-11-10&to=2026-11-01', headers: as(s.hotline) })).statusCode).toBe(400);
  });
});

describe('scope', () => {
  it('a region account outside the place sees nothing of it', async () => {
    const t = await createTicket(h.db, actors.hotline, testKey, base({ dispatch: { unitId: units.water.id } }));
    for (const [method, url, payload] of [
      ['GET', `/api/v1/tickets/${t.id}`, undefined],
      ['POST', `/api/v1/tickets/${t.id}/actions`, { action: 'supervise', level: 'yellow', note: '请加快' }],
      ['POST', `/api/v1/tickets/${t.id}/reveal-phone`, {}],
    ] as const) {
      const res = await app.inject({ method, url, headers: as(s.shipuHotline), ...(payload ? { payload } : {}) });
      expect(res.statusCode, url).toBe(404);
    }
    const list = await listTickets(h.db, actors.shipuHotline, { page: 1, pageSize: 200 });
    expect(list.items.find((x) => x.id === t.id)).toBeUndefined();
    // Nor can it register a ticket in a region it does not cover.
    const res = await app.inject({ method: 'POST', url: '/api/v1/tickets', headers: as(s.shipuHotline), payload: base() });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.field).toBe('regionCode');
  });

  it('a repeat found across regions, or a merge into a ticket held by another unit, is not named to those who cannot see it', async () => {
    const phone = '13955550001';
    const first = await createTicket(h.db, actors.hotline, testKey, base({ requester: { name: '蒋', phone } }));
    // Shipu's operator registers the same requester and category: a repeat, of a ticket outside Shipu.
    const again = await createTicket(h.db, actors.shipuHotline, testKey, base({ regionCode: SHIPU, requester: { name: '蒋', phone } }));
    expect(again.repeatOfId).toBeNull();
    expect(again.events[0]!.data).not.toHaveProperty('repeatOfId');
    expect(JSON.stringify(again)).not.toContain(first.trackingCode);
    const byCounty = await getTicket(h.db, actors.hotline, testKey, again.id);
    expect(byCounty.repeatOfId).toBe(first.id);
    expect(byCounty.events[0]!.data.repeatOfId).toBe(first.id);

    // Merged into a ticket the roads department holds: the water company, which held the duplicate, is not told which.
    const dup = await createTicket(h.db, actors.hotline, testKey, base({ dispatch: { unitId: units.water.id } }));
    const into = await createTicket(h.db, actors.hotline, testKey, base({ dispatch: { unitId: units.roads.id } }));
    await actOnTicket(h.db, actors.hotline, testKey, dup.id, { action: 'merge', intoTicketId: into.id });
    const byWater = await app.inject({ method: 'GET', url: `/api/v1/tickets/${dup.id}`, headers: as(s.water) });
    expect(byWater.statusCode).toBe(200);
    expect(byWater.json()).toMatchObject({ state: 'closed', outcome: 'merged', mergedIntoId: null });
    expect(byWater.body).not.toContain(into.trackingCode);
    expect(byWater.json().events.at(-1).data).not.toHaveProperty('intoTicketId');
    expect((await app.inject({ method: 'GET', url: `/api/v1/tickets/${into.id}`, headers: as(s.water) })).statusCode).toBe(404);
    const byHotline = await getTicket(h.db, actors.hotline, testKey, dup.id);
    expect(byHotline.mergedIntoId).toBe(into.id);
    expect(byHotline.events.at(-1)!.data).toMatchObject({ intoTicketId: into.id, intoTrackingCode: into.trackingCode });
  });

  it('the inbox lists what the unit holds; the ledger filters combine', async () => {
    const t = await createTicket(h.db, actors.hotline, testKey, base({ title: '收件箱测试', dispatch: { unitId: units.water.id } }));
    const inbox = await listTickets(h.db, actors.water, { inbox: 'mine', state: 'dispatched', page: 1, pageSize: 200 });
    expect(inbox.items.map((x) => x.id)).toContain(t.id);
    expect(inbox.items.every((x) => x.handlingUnitId === units.water.id)).toBe(true);
    const byCode = await listTickets(h.db, actors.hotline, { q: t.trackingCode.toLowerCase(), page: 1, pageSize: 20 });
    expect(byCode.items.map((x) => x.id)).toEqual([t.id]);
    const filtered = await listTickets(h.db, actors.hotline, { region: DANDONG, type: 'complaint', category: 'infrastructure', unitId: units.water.id, state: 'open', page: 1, pageSize: 200 });
    expect(filtered.items.map((x) => x.id)).toContain(t.id);
    expect(filtered.items.every((x) => x.categoryCode.startsWith('infrastructure') && x.type === 'complaint')).toBe(true);
  });

  it('the photos attached to a ticket are open to those who see the ticket, and to no one else', async () => {
    const photo = (await h.db.insertInto('photos').values({ sha256: `ticket-photo-${Date.now()}`, mime: 'image/jpeg', bytes: 1000, uploaded_by: users.cadre.id })
      .returning('id').executeTakeFirstOrThrow()).id;
    await h.db.insertInto('photo_uploads').values({ user_id: users.cadre.id, photo_id: photo }).execute();
    const t = await createTicket(h.db, actors.cadre, testKey, base({ source: 'visit', title: '井盖缺失', attachmentIds: [photo] }));
    await actOnTicket(h.db, actors.hotline, testKey, t.id, { action: 'dispatch', unitId: units.water.id });
    const info = (who: Session) => app.inject({ method: 'GET', url: `/api/v1/photos/${photo}/info`, headers: as(who) });
    const byWater = await info(s.water);
    expect(byWater.statusCode, byWater.body).toBe(200);
    expect((await getTicket(h.db, actors.water, testKey, t.id)).attachments.map((a) => a.id)).toEqual([photo]);
    expect((await info(s.shipuHotline)).statusCode).toBe(404);
  });

  it('the full phone is in no answer but the audited reveal: ledger, detail, duplicates, notices, events, audit', async () => {
    const phone = '13966667777';
    const t = await createTicket(h.db, actors.hotline, testKey, base({ requester: { name: '钱', phone }, dispatch: { unitId: units.water.id } }));
    await actOnTicket(h.db, actors.supervisor, testKey, t.id, { action: 'supervise', level: 'yellow', note: '请尽快回电' });
    const answers = await Promise.all([
      app.inject({ method: 'GET', url: `/api/v1/tickets?q=${t.trackingCode}`, headers: as(s.water) }),
      app.inject({ method: 'GET', url: `/api/v1/tickets/${t.id}`, headers: as(s.water) }),
      app.inject({ method: 'GET', url: `/api/v1/tickets/similar?phone=${phone}`, headers: as(s.hotline) }),
      app.inject({ method: 'GET', url: '/api/v1/notifications?pageSize=100', headers: as(s.water) }),
    ]);
    for (const res of answers) {
      expect(res.statusCode, res.body).toBe(200);
      expect(res.body).toContain(t.trackingCode);
      expect(res.body).not.toContain(phone);
      expect(res.body).not.toContain(phone.slice(3)); // no unmasked tail either
    }
    const stored = await sql<{ body: string }>`select coalesce((select string_agg(data::text, ' ') from ticket_events where ticket_id = ${t.id}), '')
      || coalesce((select string_agg(detail::text, ' ') from audit_log where entity = 'ticket' and entity_id = ${String(t.id)}), '') as body`.execute(h.db);
    expect(stored.rows[0]!.body).not.toContain(phone);
  });

  it('the phone is masked; revealing it is audited and needs the permission', async () => {
    const t = await createTicket(h.db, actors.hotline, testKey, base({ dispatch: { unitId: units.water.id } }));
    const res = await app.inject({ method: 'POST', url: `/api/v1/tickets/${t.id}/reveal-phone`, headers: as(s.water), payload: {} });
    expect(res.json()).toEqual({ id: t.id, phone: '13957412345' });
    const audit = await h.db.selectFrom('audit_log').select('action').where('entity', '=', 'ticket').where('entity_id', '=', String(t.id)).where('action', '=', 'personal_data.reveal').execute();
    expect(audit).toHaveLength(1);
    const cadre = await app.inject({ method: 'POST', url: `/api/v1/tickets/${t.id}/reveal-phone`, headers: as(s.cadre), payload: {} });
    expect(cadre.statusCode).toBe(403);
  });
});
