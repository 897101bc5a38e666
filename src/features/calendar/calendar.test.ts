import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import chineseDays from 'chinese-days';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SaveCalendarEntry } from '../../../contracts/calendar.ts';
import {
  actorFor, admin, as, createTestApp, createTestDatabase, login, makeCadre, makeUnit, makeUser, seedXiangshan, SHIPU, testKey, XIANGSHAN, type Session,
} from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import type { Actor } from '../auth/actor.ts';
import { createCampaign } from '../campaigns/campaigns.ts';
import { importRegions } from '../regions/regions.ts';
import { createCalendarEntry, upcomingDays } from './calendar.ts';
import { createChannel } from './channels.ts';
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from './channels.ts';
import { digestPass, runDigest } from './digest.ts';
import { festivalWindows, occurrences } from './expand.ts';

// The campaign calendar: dates (lunar festivals, month ends), the CRUD API with its scope and bad
// input, a cadre's upcoming days against another county's, and the daily digest: once per day
// however many passes race, signed webhooks checked by a real HTTP server, a failing one recorded.

describe('dates', () => {
  it('computes the lunar festivals with chinese-days', () => {
    const chongyang = festivalWindows({ kind: 'festival', festival: 'chongyang', daysBefore: 0, daysAfter: 0 }, { start: '2026-01-01', end: '2026-12-31' });
    expect(chongyang.map((w) => w.festivalDate)).toEqual(['2026-10-18']);
    expect(chineseDays.getLunarDate('2026-10-18')).toMatchObject({ lunarMon: 9, lunarDay: 9 });
    const chunjie = festivalWindows({ kind: 'festival', festival: 'chunjie', daysBefore: 0, daysAfter: 0 }, { start: '2027-01-01', end: '2027-12-31' });
    expect(chunjie.map((w) => w.festivalDate)).toEqual(['2027-02-06']);
    expect(chineseDays.getLunarDate('2027-02-06')).toMatchObject({ lunarMon: 1, lunarDay: 1 });
    expect(festivalWindows({ kind: 'festival', festival: 'qiyi', daysBefore: 2, daysAfter: 1 }, { start: '2026-06-30', end: '2026-06-30' }))
      .toEqual([{ festivalDate: '2026-07-01', start: '2026-06-29', end: '2026-07-02' }]);
  });

  it('reaches a 春节 window across New Year from the year before', () => {
    // 春节 2027 is 6 February: 30 days before is 7 January, found from a range starting in 2026.
    const w = occurrences({ kind: 'festival', festival: 'chunjie', daysBefore: 30, daysAfter: 2 }, { start: '2026-12-30', end: '2027-01-08' });
    expect(w[0]).toEqual({ date: '2027-01-07', festivalDate: '2027-02-06' });
    expect(w).toHaveLength(2);
  });

  it('expands weekdays and month days across month and year ends', () => {
    const tuesdays = occurrences({ kind: 'weekday', weekday: 2 }, { start: '2026-11-25', end: '2027-01-06' }).map((o) => o.date);
    expect(tuesdays).toEqual(['2026-12-01', '2026-12-08', '2026-12-15', '2026-12-22', '2026-12-29', '2027-01-05']);
    const fridays = occurrences({ kind: 'weekday', weekday: 5 }, { start: '2026-11-27', end: '2026-12-04' }).map((o) => o.date);
    expect(fridays).toEqual(['2026-11-27', '2026-12-04']);
    expect(occurrences({ kind: 'month_day', monthDay: 20 }, { start: '2026-11-21', end: '2027-01-20' }).map((o) => o.date)).toEqual(['2026-12-20', '2027-01-20']);
    // The 31st falls on the last day of shorter months (February in a common and a leap year).
    expect(occurrences({ kind: 'month_day', monthDay: 31 }, { start: '2027-01-15', end: '2027-05-01' }).map((o) => o.date))
      .toEqual(['2027-01-31', '2027-02-28', '2027-03-31', '2027-04-30']);
    expect(occurrences({ kind: 'month_day', monthDay: 30 }, { start: '2028-02-01', end: '2028-02-29' }).map((o) => o.date)).toEqual(['2028-02-29']);
    expect(occurrences({ kind: 'month_day', monthDay: 9 }, { start: '2026-11-10', end: '2026-12-08' })).toEqual([]);
  });
});

let h: DatabaseHandle;
let app: App;
let campaignId: number;
let otherCampaignId: number;
let countyCadre: { id: number; user: number };
let generalCadre: { id: number; user: number };
let farCadre: { id: number; user: number };
let countyUnit: number;
const s = {} as Record<'admin' | 'townAdmin' | 'farAdmin' | 'cadre' | 'far', Session>;
const actors = {} as Record<'county' | 'general' | 'far' | 'admin', Actor>;
const NINGHAI = '330226000000';
const NINGHAI_TOWN = '330226001000';

async function target(name: string, tags: string[]) {
  const r = await h.db.selectFrom('regions').select('path').where('code', '=', SHIPU).executeTakeFirstOrThrow();
  return (await h.db.insertInto('contact_targets').values({ kind: 'household', name, name_initials: '', region_code: SHIPU, region_path: r.path, tags, updated_at: new Date() }).returning('id').executeTakeFirstOrThrow()).id;
}
async function pair(cid: number, targetId: number, cadreId: number) {
  await h.db.insertInto('pairings').values({ campaign_id: cid, target_id: targetId, cadre_id: cadreId, starts_on: '2026-01-01' }).execute();
}

const spec: SaveCalendarEntry[] = [
  { name: '接访日', schedule: { kind: 'month_day', monthDay: 20 }, cadres: {}, targets: null, description: '在联系点接待群众来访', active: true },
  { name: '公开日', schedule: { kind: 'month_day', monthDay: 9 }, cadres: {}, targets: null, description: '', active: true },
  { name: '县级干部调研日', schedule: { kind: 'weekday', weekday: 2 }, cadres: { ranks: ['county'] }, targets: null, description: '', active: true },
  { name: '重阳走访', schedule: { kind: 'festival', festival: 'chongyang', daysBefore: 7, daysAfter: 3 }, cadres: {}, targets: { tags: ['老党员', '困难户', '百岁老人'] }, description: '慰问老党员、困难户和百岁老人', active: true },
];

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  await importRegions(h.db, admin, '330226');
  app = await createTestApp(h.db);
  countyUnit = (await makeUnit(h.db, XIANGSHAN, { name: '县农业农村局', level: 'county' })).id;
  const town = (await makeUnit(h.db, SHIPU, { name: '石浦镇' })).id;
  const far = (await makeUnit(h.db, NINGHAI_TOWN, { name: '宁海某镇' })).id;
  const cc = await makeCadre(h.db, countyUnit, { name: '王县长', rank: 'county' });
  const gc = await makeCadre(h.db, town, { name: '李干事', rank: 'general' });
  const fc = await makeCadre(h.db, far, { name: '赵宁海', rank: 'county' });
  const uc = await makeUser(h.db, 'cadre', { unitId: countyUnit, cadreId: cc.id });
  const ug = await makeUser(h.db, 'cadre', { unitId: town, cadreId: gc.id });
  const uf = await makeUser(h.db, 'cadre', { unitId: far, cadreId: fc.id });
  countyCadre = { id: cc.id, user: uc.id };
  generalCadre = { id: gc.id, user: ug.id };
  farCadre = { id: fc.id, user: uf.id };
  const adminUser = await makeUser(h.db, 'admin', { regionCode: XIANGSHAN });
  const townAdmin = await makeUser(h.db, 'admin', { regionCode: SHIPU });
  const farAdmin = await makeUser(h.db, 'admin', { regionCode: NINGHAI });
  actors.admin = await actorFor(h.db, adminUser);
  actors.county = await actorFor(h.db, uc);
  actors.general = await actorFor(h.db, ug);
  actors.far = await actorFor(h.db, uf);
  campaignId = (await createCampaign(h.db, admin, { name: '象山连心', startsOn: '2026-01-01', endsOn: '2027-12-31', regionCode: XIANGSHAN, units: [{ unitId: countyUnit, responsibleRegions: [SHIPU] }, { unitId: town, responsibleRegions: [] }] })).id;
  otherCampaignId = (await createCampaign(h.db, admin, { name: '宁海活动', startsOn: '2026-01-01', endsOn: '2027-12-31', regionCode: NINGHAI, units: [{ unitId: far, responsibleRegions: [] }] })).id;
  for (const e of spec) await createCalendarEntry(h.db, admin, campaignId, e);
  await createCalendarEntry(h.db, admin, otherCampaignId, { ...spec[0]!, name: '宁海接访日' });
  // The general cadre holds two tagged households and one untagged; the county cadre none.
  await pair(campaignId, await target('张阿婆户', ['老党员']), gc.id);
  await pair(campaignId, await target('陈大伯户', ['困难户', '低保']), gc.id);
  await pair(campaignId, await target('普通户', []), gc.id);
  s.admin = await login(app, adminUser.username);
  s.townAdmin = await login(app, townAdmin.username);
  s.farAdmin = await login(app, farAdmin.username);
  s.cadre = await login(app, ug.username);
  s.far = await login(app, uf.username);
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

describe('calendar entries API', () => {
  const url = () => `/api/v1/campaigns/${campaignId}/calendar`;
  it('lists, creates, edits and deletes entries, audited', async () => {
    const list = await app.inject({ method: 'GET', url: url(), headers: as(s.cadre) });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((e: { summary: string }) => e.summary)).toContain('重阳（农历九月初九）前7天至后3天 · 全体干部 · 老党员、困难户、百岁老人');
    const created = await app.inject({ method: 'POST', url: url(), headers: as(s.admin), payload: { name: '学习日', schedule: { kind: 'month_day', monthDay: 15 } } });
    expect(created.statusCode).toBe(201);
    const e = created.json();
    expect(e).toMatchObject({ name: '学习日', cadres: {}, targets: null, active: true, version: 1, summary: '每月15日 · 全体干部' });
    const edited = await app.inject({ method: 'PUT', url: `${url()}/${e.id}`, headers: as(s.admin), payload: { name: '党员学习日', schedule: { kind: 'month_day', monthDay: 15 }, cadres: { unitIds: [countyUnit] }, version: 1 } });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({ name: '党员学习日', version: 2, summary: '每月15日 · 指定1个单位' });
    const stale = await app.inject({ method: 'PUT', url: `${url()}/${e.id}`, headers: as(s.admin), payload: { name: 'x', schedule: { kind: 'weekday', weekday: 1 }, version: 1 } });
    expect(stale.statusCode).toBe(409);
    const del = await app.inject({ method: 'DELETE', url: `${url()}/${e.id}`, headers: as(s.admin) });
    expect(del.statusCode).toBe(200);
    const audit = await h.db.selectFrom('audit_log').select('action').where('entity', '=', 'calendar_entry').where('entity_id', '=', String(e.id)).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['calendar.create', 'calendar.update', 'calendar.delete']);
    expect((await app.inject({ method: 'DELETE', url: `${url()}/${e.id}`, headers: as(s.admin) })).statusCode).toBe(404);
  });

  it('refuses a cadre (403), a township admin on the county campaign (403), another county (404)', async () => {
    const body = { name: '接访日', schedule: { kind: 'month_day', monthDay: 20 } };
    expect((await app.inject({ method: 'POST', url: url(), headers: as(s.cadre), payload: body })).statusCode).toBe(403);
    const town = await app.inject({ method: 'POST', url: url(), headers: as(s.townAdmin), payload: body });
    expect(town.statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: url(), headers: as(s.townAdmin) })).statusCode).toBe(200);
    for (const [method, u] of [['GET', url()], ['POST', url()], ['GET', `${url()}/month?month=2026-10`]] as const) {
      const r = await app.inject({ method, url: u, headers: as(s.farAdmin), ...(method === 'POST' ? { payload: body } : {}) });
      expect(r.statusCode, `${method} ${u}`).toBe(404);
    }
    expect((await app.inject({ method: 'GET', url: `/api/v1/campaigns/${otherCampaignId}/calendar`, headers: as(s.cadre) })).statusCode).toBe(404);
  });

  it('names the field at fault and saves nothing', async () => {
    const before = await h.db.selectFrom('calendar_entries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const cases: [unknown, string][] = [
      [{ name: '', schedule: { kind: 'weekday', weekday: 2 } }, 'name'],
      [{ name: '周八', schedule: { kind: 'weekday', weekday: 8 } }, 'schedule.weekday'],
      [{ name: '零日', schedule: { kind: 'month_day', monthDay: 0 } }, 'schedule.monthDay'],
      [{ name: '端午', schedule: { kind: 'festival', festival: 'duanwu' } }, 'festival'],
      [{ name: '节前', schedule: { kind: 'festival', festival: 'qiyi', daysBefore: -1 } }, 'schedule.daysBefore'],
      [{ name: '每年', schedule: { kind: 'yearly' } }, 'schedule.kind'],
      [{ name: '职级', schedule: { kind: 'weekday', weekday: 2 }, cadres: { ranks: ['mayor'] } }, 'ranks'],
      [{ name: '多余', schedule: { kind: 'weekday', weekday: 2 }, cadres: { roles: ['x'] } }, 'roles'],
      [{ name: '空标签', schedule: { kind: 'weekday', weekday: 2 }, targets: { tags: [] } }, 'targets.tags'],
      [{ name: '单位', schedule: { kind: 'weekday', weekday: 2 }, cadres: { unitIds: [999999] } }, 'cadres.unitIds'],
    ];
    for (const [payload, field] of cases) {
      const r = await app.inject({ method: 'POST', url: url(), headers: as(s.admin), payload: payload as object });
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.body, JSON.stringify(payload)).toContain(field);
    }
    expect((await app.inject({ method: 'GET', url: `${url()}/month?month=2026-13`, headers: as(s.admin) })).body).toContain('month');
    expect((await app.inject({ method: 'GET', url: '/api/v1/calendar/upcoming?days=400', headers: as(s.cadre) })).body).toContain('days');
    const after = await h.db.selectFrom('calendar_entries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('gives the month view with festival windows and holidays', async () => {
    const r = await app.inject({ method: 'GET', url: `${url()}/month?month=2026-10`, headers: as(s.cadre) });
    expect(r.statusCode).toBe(200);
    const m = r.json();
    const names = (d: string) => m.occurrences.filter((o: { date: string }) => o.date === d).map((o: { name: string }) => o.name);
    expect(names('2026-10-09')).toEqual(['公开日']);
    expect(names('2026-10-18')).toEqual(['重阳走访']);
    expect(names('2026-10-20').sort()).toEqual(['县级干部调研日', '接访日', '重阳走访'].sort());
    expect(names('2026-10-22')).toEqual([]);
    expect(m.holidays.map((x: { date: string }) => x.date)).toContain('2026-10-01');
  });
});

describe('upcoming days', () => {
  const now = new Date('2026-10-10T09:00:00+08:00');
  it('gives a cadre only the entries for their rank, and counts their tagged paired targets', async () => {
    const general = await upcomingDays(h.db, actors.general, { days: 30 }, now);
    expect(general.filter((d) => d.kind === 'fixed_day').map((d) => `${d.date} ${d.name}`)).toEqual(['2026-10-20 接访日']);
    const visit = general.find((d) => d.kind === 'festival')!;
    expect(visit).toMatchObject({ date: '2026-10-18', startsOn: '2026-10-11', endsOn: '2026-10-21', targetCount: 2, campaignName: '象山连心' });
    expect(visit.description).toContain('您结对的对象中有2个老党员、困难户、百岁老人');
    const county = await upcomingDays(h.db, actors.county, { days: 30 }, now);
    expect(county.filter((d) => d.name === '县级干部调研日').map((d) => d.date)).toEqual(['2026-10-13', '2026-10-20', '2026-10-27', '2026-11-03']);
    expect(county.find((d) => d.kind === 'festival')!.targetCount).toBe(0);
  });

  it('shows another county’s cadre only their own campaign, and hides ours (404)', async () => {
    const far = await upcomingDays(h.db, actors.far, { days: 30 }, now);
    expect(far.map((d) => d.name)).toEqual(['宁海接访日']);
    const res = await app.inject({ method: 'GET', url: `/api/v1/calendar/upcoming?days=30&campaignId=${campaignId}`, headers: as(s.far) });
    expect(res.statusCode).toBe(404);
    const mine = await app.inject({ method: 'GET', url: `/api/v1/calendar/upcoming?days=60&campaignId=${campaignId}`, headers: as(s.cadre) });
    expect(mine.statusCode).toBe(200);
    expect(mine.json().every((d: { campaignId: number }) => d.campaignId === campaignId)).toBe(true);
    expect(mine.json().some((d: { name: string }) => d.name === '接访日')).toBe(true);
  });
});

describe('daily digest', () => {
  const secret = 'test-secret-0123456789';
  let server: Server;
  let base: string;
  const received: { path: string; verified: boolean; body: { event: string; cadre: { id: number } | null; title: string; body: string } }[] = [];
  const readBody = (req: IncomingMessage) => new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });

  beforeAll(async () => {
    server = createServer((req, res) => {
      void readBody(req).then((raw) => {
        const ts = String(req.headers[TIMESTAMP_HEADER]);
        const verified = req.headers[SIGNATURE_HEADER] === signWebhook(secret, ts, raw);
        received.push({ path: req.url ?? '', verified, body: JSON.parse(raw) });
        res.statusCode = req.url === '/fail' ? 500 : verified ? 200 : 401;
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await createChannel(h.db, actors.admin, testKey, { kind: 'webhook', name: '政务钉钉机器人', url: `${base}/hook`, secret, timeoutMs: 2000, maxAttempts: 3, active: true });
    await createChannel(h.db, actors.admin, testKey, { kind: 'webhook', name: '坏掉的网关', url: `${base}/fail`, secret, timeoutMs: 2000, maxAttempts: 2, active: true });
    // A compliance row at risk for the general cadre in a window open on the digest's day.
    const rule = await h.db.insertInto('requirement_rules').values({ campaign_id: campaignId, name: '每月走访农户', rule: JSON.stringify({}) } as never).returning('id').executeTakeFirstOrThrow();
    await h.db.insertInto('compliance_results').values({
      rule_id: rule.id, window_key: '2026-10', subject_id: generalCadre.id, window_start: '2026-10-01', window_end: '2026-10-31', subject_name: '李干事', count: 1, required_min: 4,
      required_max: null, status: 'at_risk', reason: 'pace', explanation: '本月已走访1次，要求4次；剩余12天', cadre_id: generalCadre.id,
    } as never).execute();
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
  });

  it('sends once per day however many passes race, signed, and records a failing webhook without stopping', async () => {
    const date = '2026-10-20';
    const now = new Date('2026-10-20T07:30:00+08:00');
    const opts = { date, now, holidayDays: 7, key: testKey, retryDelayMs: 0 };
    const [a, b] = await Promise.all([runDigest(h.db, { ...opts, processName: 'p1' }), runDigest(h.db, { ...opts, processName: 'p2' })]);
    expect([a.ran, b.ran].sort()).toEqual([false, true]);
    const ran = a.ran ? a : b;
    // Three cadres with accounts take part: the two of our campaign and the Ninghai one (its own 接访日);
    // the channels were set up by Xiangshan's admin, so they serve Xiangshan's two cadres only.
    expect(ran).toMatchObject({ cadres: 3, notifications: 3, deliveries: 4, failures: 2 });

    const notes = await h.db.selectFrom('notifications').select(['user_id', 'title', 'body']).where('dedupe_key', '=', `calendar-digest:${date}`).execute();
    expect(notes).toHaveLength(3);
    const general = notes.find((n) => n.user_id === generalCadre.user)!;
    expect(general.title).toBe('每日提醒（10月20日）：接访日 · 重阳走访 · 1项要求有风险');
    expect(general.body).toContain('今天（10月20日）是接访日');
    expect(general.body).toContain('您结对的对象中有2个老党员、困难户、百岁老人');
    expect(general.body).toContain('【有风险】每月走访农户：本月已走访1次，要求4次；剩余12天');
    expect(notes.find((n) => n.user_id === countyCadre.user)!.title).toContain('县级干部调研日');
    expect(notes.find((n) => n.user_id === farCadre.user)!.title).toBe('每日提醒（10月20日）：宁海接访日');

    const good = received.filter((r) => r.path === '/hook');
    expect(good).toHaveLength(2);
    expect(good.every((r) => r.verified && r.body.event === 'calendar.digest')).toBe(true);
    expect(good.map((r) => r.body.cadre!.id).sort()).toEqual([countyCadre.id, generalCadre.id].sort());
    // The failing one was tried twice per cadre (maxAttempts 2), then given up and recorded.
    expect(received.filter((r) => r.path === '/fail')).toHaveLength(4);
    const failed = await h.db.selectFrom('notification_deliveries').select(['status', 'attempts', 'http_status', 'error']).where('status', '=', 'failed').execute();
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatchObject({ attempts: 2, http_status: 500, error: '对方返回 HTTP 500' });

    // A later try the same day, and a pass re-run after a takeover, send nothing again.
    expect((await runDigest(h.db, { ...opts, processName: 'p3' })).ran).toBe(false);
    expect(await digestPass(h.db, { ...opts })).toMatchObject({ cadres: 3, notifications: 0, deliveries: 0 });
    expect(received).toHaveLength(6);
  });

  it('shows channels to admins without the secret, and test-sends through one', async () => {
    const list = await app.inject({ method: 'GET', url: '/api/v1/notification-channels', headers: as(s.admin) });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(secret);
    const [hook] = list.json().items;
    expect(hook).toMatchObject({ name: '政务钉钉机器人', secretSet: true, regionCode: XIANGSHAN });
    expect(hook.lastDeliveries[0]).toMatchObject({ status: 'sent', event: 'calendar.digest', attempts: 1, httpStatus: 200 });
    const stored = await h.db.selectFrom('notification_channels').select('secret_enc').where('id', '=', hook.id).executeTakeFirstOrThrow();
    expect(stored.secret_enc).not.toContain(secret);
    const t = await app.inject({ method: 'POST', url: `/api/v1/notification-channels/${hook.id}/test`, headers: as(s.admin) });
    expect(t.statusCode).toBe(200);
    expect(t.json()).toMatchObject({ status: 'sent', event: 'channel.test' });
    expect(received.at(-1)).toMatchObject({ path: '/hook', verified: true });
    expect((await app.inject({ method: 'GET', url: '/api/v1/notification-channels', headers: as(s.cadre) })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: `/api/v1/notification-channels/${hook.id}`, headers: as(s.farAdmin) })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: `/api/v1/notification-channels/${hook.id}/test`, headers: as(s.farAdmin) })).statusCode).toBe(404);
    const bad = await app.inject({ method: 'POST', url: '/api/v1/notification-channels', headers: as(s.admin), payload: { name: '无密钥', url: 'ftp://x' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('url');
    const noSecret = await app.inject({ method: 'POST', url: '/api/v1/notification-channels', headers: as(s.admin), payload: { name: '无密钥', url: 'https://example.org/hook' } });
    expect(noSecret.statusCode).toBe(400);
    expect(noSecret.body).toContain('secret');
    const audit = await h.db.selectFrom('audit_log').select(['action', 'detail']).where('entity', '=', 'notification_channel').execute();
    expect(audit.map((a) => a.action)).toContain('channel.test');
    expect(JSON.stringify(audit)).not.toContain(secret);
  });

  it('records an unreachable webhook as failed', async () => {
    const dead = await createChannel(h.db, actors.admin, testKey, { kind: 'webhook', name: '无人监听', url: 'http://127.0.0.1:9/hook', secret, timeoutMs: 1000, maxAttempts: 1, active: true });
    const t = await app.inject({ method: 'POST', url: `/api/v1/notification-channels/${dead.id}/test`, headers: as(s.admin) });
    expect(t.statusCode).toBe(200);
    expect(t.json()).toMatchObject({ status: 'failed', attempts: 1, httpStatus: null });
    expect(t.json().error).toMatch(/无法连接|超时/);
  });
});


