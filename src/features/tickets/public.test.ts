import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateTicket, PublicTicket } from '../../../contracts/ticket-api.ts';
import { actorFor, createTestApp, createTestDatabase, DANDONG, makeUnit, makeUser, seedXiangshan, testKey, XIANGSHAN } from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import type { Actor } from '../auth/actor.ts';
import { LOCK_MINUTES, publicTicket } from './public.ts';
import { actOnTicket, createTicket } from './tickets.ts';

// The requester's page without a login: the code and the phone's last four digits open it; wrong
// digits answer exactly like an unknown code; five wrong tries lock the code; a rating is taken
// once, as the requester, audited; nothing names an official or shows an internal note.

let h: DatabaseHandle;
let app: App;
let unitId: number;
let op: Actor;
let dept: Actor;
let supervisor: Actor;

const base = (over: Partial<CreateTicket> = {}): CreateTicket => ({
  source: 'hotline', type: 'help', categoryCode: 'infrastructure.lighting', title: '村口路灯不亮', content: '村口三盏路灯坏了一个月。',
  requester: { name: '林秀英', phone: '13957412345' }, regionCode: DANDONG, address: '金秋路8号', ...over,
});

/** A ticket dispatched, signed and resolved (the usual state a requester rates). */
async function resolvedTicket(over: Partial<CreateTicket> = {}) {
  const t = await createTicket(h.db, op, testKey, base({ dispatch: { unitId, note: '内部交办意见：请王科长牵头' }, ...over }));
  await actOnTicket(h.db, dept, testKey, t.id, { action: 'sign', note: '内部备注：已安排' });
  await actOnTicket(h.db, supervisor, testKey, t.id, { action: 'supervise', level: 'yellow', note: '督办意见不该出现' });
  await actOnTicket(h.db, dept, testKey, t.id, { action: 'resolve', closureType: 'substantive', reply: '已更换路灯，恢复照明。' });
  return t;
}

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
  unitId = (await makeUnit(h.db, XIANGSHAN, { name: '县城管局', level: 'county' })).id;
  const hotline = await makeUser(h.db, 'hotline_operator', { regionCode: XIANGSHAN });
  await h.db.updateTable('users').set({ display_name: '坐席周敏' }).where('id', '=', hotline.id).execute();
  const deptUser = await makeUser(h.db, 'handling_dept', { unitId });
  await h.db.updateTable('users').set({ display_name: '承办人吴刚' }).where('id', '=', deptUser.id).execute();
  op = await actorFor(h.db, hotline);
  dept = await actorFor(h.db, deptUser);
  supervisor = await actorFor(h.db, await makeUser(h.db, 'supervisor', { regionCode: XIANGSHAN }));
});

afterAll(async () => {
  await app?.close();
  await h?.close();
});

const view = (code: string, phone: string) => app.inject({ url: `/api/v1/public/tickets/${encodeURIComponent(code)}?phone=${encodeURIComponent(phone)}` });
const rate = (code: string, payload: unknown) => app.inject({ method: 'POST', url: `/api/v1/public/tickets/${encodeURIComponent(code)}/rating`, payload: payload as object });
const ticketRow = (id: number) => h.db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('following a ticket', () => {
  it('opens with the code and the last four digits, without a login, naming no official', async () => {
    const t = await resolvedTicket();
    const res = await view(t.trackingCode, '2345');
    expect(res.statusCode, res.body).toBe(200);
    const p = res.json() as PublicTicket;
    expect(p).toMatchObject({
      trackingCode: t.trackingCode, title: '村口路灯不亮', type: 'help', categoryName: '路灯照明', state: 'resolved', handlingUnitName: '县城管局',
      closureType: 'substantive', reply: '已更换路灯，恢复照明。', rating: null, canRate: true,
    });
    expect(p.timeline.map((e) => [e.action, e.toState])).toEqual([['register', 'registered'], ['dispatch', 'dispatched'], ['sign', 'signed'], ['resolve', 'resolved']]);
    expect(Object.keys(p.timeline[0]!).sort()).toEqual(['action', 'at', 'toState']);
    for (const secret of ['坐席周敏', '承办人吴刚', '内部', '林秀英', '13957412345', '139****2345', '督办', 'supervise', '不该出现']) expect(res.body).not.toContain(secret);
    // The code as a person might type it: lower case, with a dash or spaces.
    expect((await view(`${t.trackingCode.slice(0, 5).toLowerCase()}-${t.trackingCode.slice(5)}`, '2345')).statusCode).toBe(200);
  });

  it('takes the last four digits of a landline too', async () => {
    const t = await createTicket(h.db, op, testKey, base({ requester: { name: '王五', phone: '0574-65718899' } }));
    expect((await view(t.trackingCode, '8899')).statusCode).toBe(200);
    expect((await view(t.trackingCode, '0574')).statusCode).toBe(404);
  });

  it('answers wrong digits, an unknown code and a ticket without a phone alike', async () => {
    const t = await createTicket(h.db, op, testKey, base());
    const noPhone = await createTicket(h.db, op, testKey, base({ requester: { name: '匿名来电', phone: null } }));
    const wrong = await view(t.trackingCode, '0000');
    const unknown = await view('LX23456789', '2345');
    const none = await view(noPhone.trackingCode, '0000');
    for (const res of [wrong, unknown, none]) {
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual(unknown.json());
    }
    expect(unknown.json().error.message).toContain('后4位');
  });

  it('locks a code after five wrong tries for fifteen minutes (429), and a right try clears the count', async () => {
    const t = await createTicket(h.db, op, testKey, base());
    for (let i = 0; i < 3; i++) expect((await view(t.trackingCode, '1111')).statusCode).toBe(404);
    expect((await ticketRow(t.id)).public_failures).toBe(3);
    expect((await view(t.trackingCode, '2345')).statusCode).toBe(200);
    expect((await ticketRow(t.id)).public_failures).toBe(0);
    for (let i = 0; i < 5; i++) expect((await view(t.trackingCode, '1111')).statusCode).toBe(404);
    const locked = await view(t.trackingCode, '2345');
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('TOO_MANY_ATTEMPTS');
    expect(locked.json().error.message).toContain('已锁定');
    const until = (await ticketRow(t.id)).public_locked_until!;
    expect(until.getTime() - Date.now()).toBeGreaterThan((LOCK_MINUTES - 1) * 60_000);
    expect((await rate(t.trackingCode, { phone: '2345', rating: 'satisfied' })).statusCode).toBe(429);
    // Once the time has passed, the right digits open it again and clear the lock.
    const later = new Date(until.getTime() + 1000);
    expect((await publicTicket(h.db, testKey, t.trackingCode, '2345', later)).trackingCode).toBe(t.trackingCode);
    expect(await ticketRow(t.id)).toMatchObject({ public_failures: 0, public_locked_until: null });
    // Another code is not affected by this one's lock.
    const other = await createTicket(h.db, op, testKey, base());
    expect((await view(other.trackingCode, '2345')).statusCode).toBe(200);
  });

  it('refuses malformed input', async () => {
    const t = await createTicket(h.db, op, testKey, base());
    for (const phone of ['', '123', '12345', 'abcd', '12\u000034']) expect((await view(t.trackingCode, phone)).statusCode).toBe(400);
    expect((await app.inject({ url: `/api/v1/public/tickets/${t.trackingCode}` })).statusCode).toBe(400);
    expect((await view('x'.repeat(41), '2345')).statusCode).toBe(400);
    expect((await view('LX\u00002345678', '2345')).statusCode).toBe(400);
    expect((await ticketRow(t.id)).public_failures).toBe(0);
  });
});

describe('rating', () => {
  it('rates once: satisfied closes the ticket, audited as the requester; a second rating is 409', async () => {
    const t = await resolvedTicket();
    const res = await rate(t.trackingCode, { phone: '2345', rating: 'satisfied', comment: '  修得很快，谢谢！ ' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ state: 'closed', rating: 'satisfied', ratingComment: '修得很快，谢谢！', canRate: false });
    expect(res.json().timeline.at(-1)).toMatchObject({ action: 'rate', toState: 'closed' });
    const event = await h.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', t.id).orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(event).toMatchObject({ action: 'rate', actor_role: 'public', actor_name: '诉求人', actor_user_id: null });
    const audit = await h.db.selectFrom('audit_log').selectAll().where('entity', '=', 'ticket').where('entity_id', '=', String(t.id)).where('action', '=', 'ticket.rate').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ user_id: null, username: '诉求人（公开查询页）', detail: { via: 'public', rating: 'satisfied', state: 'closed' } });
    const events = await h.db.selectFrom('ticket_events').select('id').where('ticket_id', '=', t.id).execute();
    const again = await rate(t.trackingCode, { phone: '2345', rating: 'unsatisfied' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.details.refusal).toBe('not_allowed_in_state');
    expect((await ticketRow(t.id)).rating).toBe('satisfied');
    // Nothing written: no second event, no second audit row.
    expect(await h.db.selectFrom('ticket_events').select('id').where('ticket_id', '=', t.id).execute()).toEqual(events);
    expect(await h.db.selectFrom('audit_log').select('id').where('entity', '=', 'ticket').where('entity_id', '=', String(t.id)).where('action', '=', 'ticket.rate').execute()).toHaveLength(1);
  });

  it('the first unsatisfied rating reopens the ticket; it cannot be rated again until resolved again', async () => {
    const t = await resolvedTicket();
    const res = await rate(t.trackingCode, { phone: '2345', rating: 'unsatisfied', comment: '晚上还是不亮' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ state: 'reopened', rating: 'unsatisfied', canRate: false, reply: null, resolvedAt: null });
    expect((await rate(t.trackingCode, { phone: '2345', rating: 'satisfied' })).statusCode).toBe(409);
    expect((await ticketRow(t.id)).state).toBe('reopened');
  });

  it('refuses a rating before the ticket is resolved, with wrong digits, or malformed, changing nothing', async () => {
    const open = await createTicket(h.db, op, testKey, base({ dispatch: { unitId } }));
    expect((await rate(open.trackingCode, { phone: '2345', rating: 'satisfied' })).statusCode).toBe(409);
    const t = await resolvedTicket();
    const wrong = await rate(t.trackingCode, { phone: '9999', rating: 'satisfied' });
    expect(wrong.statusCode).toBe(404);
    expect((await ticketRow(t.id)).public_failures).toBe(1);
    for (const body of [
      { phone: '2345', rating: 'great' },
      { phone: '2345' },
      { phone: '234', rating: 'satisfied' },
      { phone: '2345', rating: 'satisfied', comment: '好\u0000' },
      { phone: '2345', rating: 'satisfied', comment: '长'.repeat(501) },
      { phone: '2345', rating: 'satisfied', extra: true },
    ]) {
      expect((await rate(t.trackingCode, body)).statusCode, JSON.stringify(body)).toBe(400);
    }
    expect(await ticketRow(t.id)).toMatchObject({ state: 'resolved', rating: null });
    // No CSRF token is needed: there is no session to ride on.
    expect((await rate(t.trackingCode, { phone: '2345', rating: 'basically_satisfied' })).json()).toMatchObject({ state: 'closed', rating: 'basically_satisfied' });
  });
});
