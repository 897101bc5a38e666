import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTicketDeadlinePolicy, type TicketDeadlinePolicy } from '../../../contracts/tickets.ts';
import { actorFor, as, createTestApp, DANDONG, createTestDatabase, login, makeUser, seedXiangshan, testKey, XIANGSHAN, type Session } from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import { createTicket, listCategories, loadPolicy } from './tickets.ts';

// Configuring the loop: the category tree (added, renamed, deactivated with its children, old
// tickets untouched) and the deadline policy; admins only, every change audited.

let h: DatabaseHandle;
let app: App;
let s: Record<'admin' | 'hotline' | 'supervisor' | 'townAdmin', Session>;
let hotline: Awaited<ReturnType<typeof makeUser>>;

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
  const admin = await makeUser(h.db, 'admin');
  hotline = await makeUser(h.db, 'hotline_operator', { regionCode: XIANGSHAN });
  const supervisor = await makeUser(h.db, 'supervisor');
  const townAdmin = await makeUser(h.db, 'admin', { regionCode: DANDONG });
  s = { admin: await login(app, admin.username), hotline: await login(app, hotline.username), supervisor: await login(app, supervisor.username), townAdmin: await login(app, townAdmin.username) };
});

afterAll(async () => {
  await app?.close();
  await h?.close();
});

const post = (who: Session, payload: unknown) => app.inject({ method: 'POST', url: '/api/v1/ticket-categories', headers: as(who), payload: payload as object });
const patch = (who: Session, code: string, payload: unknown) => app.inject({ method: 'PATCH', url: `/api/v1/ticket-categories/${code}`, headers: as(who), payload: payload as object });
const audits = (entity: string, entityId: string) => h.db.selectFrom('audit_log').selectAll().where('entity', '=', entity).where('entity_id', '=', entityId).orderBy('id').execute();

describe('categories', () => {
  it('adds a top-level category and a child under it, audited', async () => {
    const top = await post(s.admin, { code: 'culture', nameZh: '文化体育', nameEn: 'Culture and sport', sort: 20 });
    expect(top.statusCode, top.body).toBe(201);
    expect(top.json()).toEqual({ code: 'culture', parentCode: null, nameZh: '文化体育', nameEn: 'Culture and sport', sort: 20, active: true });
    const child = await post(s.admin, { code: 'culture.venues', parentCode: 'culture', nameZh: '文体场馆' });
    expect(child.statusCode, child.body).toBe(201);
    expect(child.json()).toMatchObject({ parentCode: 'culture', nameEn: '', sort: 0 });
    expect((await listCategories(h.db)).map((c) => c.code)).toEqual(expect.arrayContaining(['culture', 'culture.venues']));
    expect(await audits('ticket_category', 'culture.venues')).toHaveLength(1);
  });

  it('refuses an unknown parent, a code not under its parent, a duplicate, and bad fields', async () => {
    const before = (await listCategories(h.db)).length;
    const noParent = await post(s.admin, { code: 'nowhere.x', parentCode: 'nowhere', nameZh: '无' });
    expect(noParent.statusCode).toBe(400);
    expect(noParent.json().error.details.field).toBe('parentCode');
    const wrongPrefix = await post(s.admin, { code: 'housing_rent', parentCode: 'housing', nameZh: '租房' });
    expect(wrongPrefix.statusCode).toBe(400);
    expect(wrongPrefix.json().error.details.field).toBe('code');
    expect((await post(s.admin, { code: 'housing.rent.deep', parentCode: 'housing', nameZh: '租房' })).statusCode).toBe(400);
    expect((await post(s.admin, { code: 'a.b', nameZh: '无上级' })).json().error.details.field).toBe('code');
    const dup = await post(s.admin, { code: 'housing.property', parentCode: 'housing', nameZh: '物业' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.message).toContain('housing.property');
    expect((await post(s.admin, { code: 'Bad Code', nameZh: '错' })).statusCode).toBe(400);
    expect((await post(s.admin, { code: 'ok', nameZh: '' })).statusCode).toBe(400);
    expect((await post(s.admin, { code: 'ok', nameZh: '名\u0000称' })).statusCode).toBe(400);
    expect((await post(s.admin, { code: 'ok', nameZh: '名称', sort: 2147483648 })).statusCode).toBe(400);
    expect((await post(s.admin, { code: 'ok', nameZh: '名称', extra: 1 })).statusCode).toBe(400);
    expect((await listCategories(h.db)).length).toBe(before);
  });

  it('deactivating hides a category and its children from intake; tickets already filed keep it', async () => {
    const actor = await actorFor(h.db, hotline);
    const input = {
      source: 'hotline' as const, type: 'help' as const, categoryCode: 'environment.noise', title: '夜间施工噪声', content: '工地夜间施工。', regionCode: XIANGSHAN,
    };
    const old = await createTicket(h.db, actor, testKey, input);
    const res = await patch(s.admin, 'environment', { active: false });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().active).toBe(false);
    const cats = new Map((await listCategories(h.db)).map((c) => [c.code, c]));
    expect(cats.get('environment.noise')?.active).toBe(false);
    expect(cats.get('environment.waste')?.active).toBe(false);
    expect(cats.get('housing')?.active).toBe(true);
    const [entry] = await audits('ticket_category', 'environment');
    expect(entry!.detail).toMatchObject({ before: { active: true }, after: { active: false }, alsoDeactivated: expect.arrayContaining(['environment.noise']) });
    // Intake refuses it; the old ticket still reads with its category.
    await expect(createTicket(h.db, actor, testKey, input)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const read = await app.inject({ url: `/api/v1/tickets/${old.id}`, headers: as(s.hotline) });
    expect(read.json()).toMatchObject({ categoryCode: 'environment.noise', categoryName: '噪声扰民' });
    // A child cannot come back before its parent; after it, it can.
    expect((await patch(s.admin, 'environment.noise', { active: true })).json().error.details.field).toBe('active');
    expect((await patch(s.admin, 'environment', { active: true })).statusCode).toBe(200);
    expect((await patch(s.admin, 'environment.noise', { active: true, nameZh: '噪声污染', sort: 3 })).json()).toMatchObject({ active: true, nameZh: '噪声污染', sort: 3 });
    // No child under an inactive parent.
    await patch(s.admin, 'culture', { active: false });
    expect((await post(s.admin, { code: 'culture.books', parentCode: 'culture', nameZh: '图书' })).json().error.details.field).toBe('parentCode');
  });

  it('answers an unknown category with 404 and bad fields with 400', async () => {
    expect((await patch(s.admin, 'nothing.here', { nameZh: '无' })).statusCode).toBe(404);
    expect((await patch(s.admin, 'housing', { nameZh: '' })).statusCode).toBe(400);
    expect((await patch(s.admin, 'housing', { active: 'no' })).statusCode).toBe(400);
    expect((await patch(s.admin, 'housing', { parentCode: 'other' })).statusCode).toBe(400);
    expect((await patch(s.admin, 'HOUSING', { nameZh: '住房' })).statusCode).toBe(400);
    expect((await patch(s.admin, 'housing', { nameZh: '住\u0000房' })).statusCode).toBe(400);
  });

  it('is for admins only', async () => {
    expect((await post(s.hotline, { code: 'sports', nameZh: '体育' })).statusCode).toBe(403);
    expect((await patch(s.supervisor, 'housing', { nameZh: '住房保障' })).statusCode).toBe(403);
    // A township admin may not change what binds every other township.
    expect((await post(s.townAdmin, { code: 'sports', nameZh: '体育' })).statusCode).toBe(403);
    expect((await patch(s.townAdmin, 'housing', { nameZh: '住房保障' })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/api/v1/ticket-categories', payload: { code: 'sports', nameZh: '体育' } })).statusCode).toBe(401);
    // A session without the CSRF token cannot write.
    expect((await app.inject({ method: 'POST', url: '/api/v1/ticket-categories', headers: { cookie: s.admin.cookie }, payload: { code: 'sports', nameZh: '体育' } })).statusCode).toBe(403);
    expect((await listCategories(h.db)).find((c) => c.code === 'sports')).toBeUndefined();
  });
});

describe('the deadline policy', () => {
  const get = (who: Session) => app.inject({ url: '/api/v1/ticket-settings/policy', headers: as(who) });
  const put = (who: Session, payload: unknown) => app.inject({ method: 'PUT', url: '/api/v1/ticket-settings/policy', headers: as(who), payload: payload as object });
  const changed: TicketDeadlinePolicy = { ...defaultTicketDeadlinePolicy, byType: { ...defaultTicketDeadlinePolicy.byType, complaint: 7 }, longOverdueDays: 5 };

  it('reads the defaults, replaces them (audited), and the ticket domain uses the new ones', async () => {
    expect((await get(s.hotline)).json()).toEqual(defaultTicketDeadlinePolicy);
    const res = await put(s.admin, changed);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual(changed);
    expect(await loadPolicy(h.db)).toEqual(changed);
    expect((await get(s.supervisor)).json()).toEqual(changed);
    const [entry] = await audits('ticket_settings', '1');
    expect(entry!.detail).toMatchObject({ before: { byType: { complaint: 10 } }, after: { byType: { complaint: 7 }, longOverdueDays: 5 } });
  });

  it('refuses an invalid policy, naming the field, and keeps the one in force', async () => {
    const bad = [
      { ...changed, byType: { ...changed.byType, help: -1 } },
      { ...changed, byType: { ...changed.byType, help: 2.5 } },
      { ...changed, byType: { consult: 3, help: 5, complaint: 10, report: 10 } },
      { ...changed, signDays: 31 },
      { ...changed, maxExtensionDays: 0 },
      { ...changed, surprise: 1 },
      { ...changed, byUrgency: { urgent: 1, critical: 2147483648 } },
    ];
    for (const body of bad) {
      const res = await put(s.admin, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.details.fields[0].field).toMatch(/^body/);
    }
    expect((await put(s.admin, { ...changed, signDays: 31 })).json().error.details.fields[0].field).toBe('body.signDays');
    expect(await loadPolicy(h.db)).toEqual(changed);
  });

  it('is changed by admins only', async () => {
    expect((await put(s.hotline, defaultTicketDeadlinePolicy)).statusCode).toBe(403);
    expect((await put(s.supervisor, defaultTicketDeadlinePolicy)).statusCode).toBe(403);
    expect((await put(s.townAdmin, defaultTicketDeadlinePolicy)).statusCode).toBe(403);
    expect((await app.inject({ url: '/api/v1/ticket-settings/policy' })).statusCode).toBe(401);
    expect(await loadPolicy(h.db)).toEqual(changed);
  });
});
