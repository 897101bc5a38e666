import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTicketDeadlinePolicy } from '../../../contracts/tickets.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import { SHIPU, as, createTestApp, createTestDatabase, login, makeUnit, makeUser, seedXiangshan, type Session } from '../../../test/helpers.ts';
import { runSupervisionTick } from '../tickets/scheduler.ts';
import { notifyUsers } from './notifications.ts';

// The notifications API: each account reads and marks only its own; another account's
// notification is 404 and stays unread; bad ids and queries are 400 naming the field.

let h: DatabaseHandle;
let app: App;
let me: { id: number; username: string };
let other: { id: number; username: string };
let mine: Session;
let theirs: Session;

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
  me = await makeUser(h.db, 'supervisor');
  other = await makeUser(h.db, 'supervisor');
  mine = await login(app, me.username);
  theirs = await login(app, other.username);
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const get = (s: Session, url: string) => app.inject({ method: 'GET', url, headers: as(s) });
const post = (s: Session, url: string) => app.inject({ method: 'POST', url, headers: as(s) });

async function send(userIds: number[], title: string) {
  await notifyUsers(h.db, userIds, { kind: 'test', title, body: `${title}的正文`, link: '/somewhere', dedupeKey: `test:${randomBytes(4).toString('hex')}` });
}

describe('notifications API', () => {
  it('lists only the caller\'s own, newest first, with the unread filter, paging and the unread count', async () => {
    await send([me.id], '第一条');
    await send([me.id, other.id], '第二条');
    await send([other.id], '别人的');
    await send([me.id], '第三条');
    const all = await get(mine, '/api/v1/notifications');
    expect(all.statusCode).toBe(200);
    const body = all.json();
    expect(body).toMatchObject({ total: 3, page: 1, pageSize: 20 });
    expect(body.items.map((n: { title: string }) => n.title)).toEqual(['第三条', '第二条', '第一条']);
    expect(body.items[0]).toEqual({
      id: expect.stringMatching(/^\d+$/), kind: 'test', title: '第三条', body: '第三条的正文', ticketId: null, link: '/somewhere', createdAt: expect.any(String), readAt: null,
    });
    const page2 = (await get(mine, '/api/v1/notifications?page=2&pageSize=2')).json();
    expect(page2).toMatchObject({ total: 3, page: 2, pageSize: 2 });
    expect(page2.items.map((n: { title: string }) => n.title)).toEqual(['第一条']);
    expect((await get(mine, '/api/v1/notifications/unread-count')).json()).toEqual({ count: 3 });
    expect((await get(theirs, '/api/v1/notifications/unread-count')).json()).toEqual({ count: 2 });
  });

  it('marks one read (keeping the first reading time), and the unread filter and count follow', async () => {
    const list = (await get(mine, '/api/v1/notifications?unread=1')).json();
    const first = list.items[0];
    const read = await post(mine, `/api/v1/notifications/${first.id}/read`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ id: first.id, readAt: expect.any(String) });
    const again = await post(mine, `/api/v1/notifications/${first.id}/read`);
    expect(again.json().readAt).toBe(read.json().readAt);
    const unread = (await get(mine, '/api/v1/notifications?unread=1')).json();
    expect(unread.total).toBe(list.total - 1);
    expect(unread.items.map((n: { id: string }) => n.id)).not.toContain(first.id);
    expect((await get(mine, '/api/v1/notifications?unread=0')).json().total).toBe(list.total);
    expect((await get(mine, '/api/v1/notifications/unread-count')).json()).toEqual({ count: list.total - 1 });
  });

  it('another account\'s notification is 404 and stays unread; read-all touches only the caller\'s', async () => {
    const theirList = (await get(theirs, '/api/v1/notifications')).json();
    const theirId = theirList.items[0].id;
    const res = await post(mine, `/api/v1/notifications/${theirId}/read`);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
    expect((await get(theirs, '/api/v1/notifications/unread-count')).json()).toEqual({ count: 2 });

    const all = await post(mine, '/api/v1/notifications/read-all');
    expect(all.statusCode).toBe(200);
    expect(all.json()).toEqual({ updated: 2 });
    expect((await get(mine, '/api/v1/notifications/unread-count')).json()).toEqual({ count: 0 });
    expect((await post(mine, '/api/v1/notifications/read-all')).json()).toEqual({ updated: 0 });
    expect((await get(theirs, '/api/v1/notifications/unread-count')).json()).toEqual({ count: 2 });
  });

  it('refuses bad ids and queries with 400 naming the field; a missing id is 404', async () => {
    for (const id of ['abc', '0', '-1', '1.5', '01', '99999999999999999999', '9223372036854775808']) {
      const res = await post(mine, `/api/v1/notifications/${id}/read`);
      expect(res.statusCode, id).toBe(400);
      expect(JSON.stringify(res.json().error), id).toContain('id');
    }
    // Beyond int4 but a valid bigserial id: simply not there.
    for (const id of ['2147483648', '9223372036854775807']) expect((await post(mine, `/api/v1/notifications/${id}/read`)).statusCode, id).toBe(404);
    for (const q of ['unread=maybe', 'page=0', 'pageSize=1000', 'page=abc']) {
      const res = await get(mine, `/api/v1/notifications?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(JSON.stringify(res.json().error), q).toContain(q.split('=')[0]);
    }
  });

  it('needs a session, and the CSRF token for marking read', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/notifications' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/v1/notifications/unread-count' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/api/v1/notifications/read-all' })).statusCode).toBe(401);
    const noCsrf = await app.inject({ method: 'POST', url: '/api/v1/notifications/read-all', headers: { cookie: mine.cookie } });
    expect(noCsrf.statusCode).toBe(403);
  });

  it('a supervision notice from the scheduler reaches the handling unit\'s account, which reads it here', async () => {
    const unit = await makeUnit(h.db, SHIPU);
    const dept = await makeUser(h.db, 'handling_dept', { unitId: unit.id });
    const region = await h.db.selectFrom('regions').select('path').where('code', '=', SHIPU).executeTakeFirstOrThrow();
    const unitPath = (await h.db.selectFrom('units').select('path').where('id', '=', unit.id).executeTakeFirstOrThrow()).path;
    const t = await h.db.insertInto('tickets').values({
      tracking_code: 'LXTEST0001', source: 'hotline', type: 'help', category_code: 'other', urgency: 'normal', title: '井盖缺失', content: '路口井盖缺失',
      region_code: SHIPU, region_path: region.path, handling_unit_id: unit.id, handling_unit_path: unitPath, state: 'signed',
      due_at: new Date('2026-03-02T23:59:59.999+08:00'), created_at: new Date(), updated_at: new Date(),
    }).returning('id').executeTakeFirstOrThrow();
    await runSupervisionTick(h.db, { now: new Date('2026-03-03T09:00:00+08:00'), processName: 'test', intervalMs: 60_000, policy: defaultTicketDeadlinePolicy });
    const s = await login(app, dept.username);
    const list = (await get(s, '/api/v1/notifications?unread=1')).json();
    expect(list.items).toEqual([expect.objectContaining({
      kind: 'ticket.supervised.yellow', title: '工单 LXTEST0001 逾期，黄色督办：井盖缺失', ticketId: t.id, link: `/tickets/${t.id}`, readAt: null,
    })]);
    expect(list.items[0].body).toContain('已超过办理期限（2026-03-02）');
    // The unscoped supervisors got it too.
    expect((await get(mine, '/api/v1/notifications/unread-count')).json()).toEqual({ count: 1 });
  });
});
