import { sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommitmentDto, PublicCommitmentDto } from '../../../contracts/commitments.ts';
import {
  admin, as, createTestApp, createTestDatabase, DANDONG, login, makeCadre, makeUnit, makeUser, seedXiangshan, SHIPU, XIANGSHAN, type Session,
} from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import { chinaToday, createCampaign } from '../campaigns/campaigns.ts';
import { statusOf } from './commitments.ts';

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const today = chinaToday();
const DANDONG_VILLAGE = '330225001003';

let h: DatabaseHandle;
let app: App;
const s = {} as Record<'countyAdmin' | 'townAdmin' | 'leader' | 'otherLeader' | 'shipuAdmin' | 'cadre', Session>;
let cadres: Record<'secretary' | 'deputy' | 'shipu', { id: number }>;
let campaignId: number;

const post = (who: Session, url: string, payload: unknown) => app.inject({ method: 'POST', url, headers: as(who), payload: payload as object });
const patch = (who: Session, url: string, payload: unknown) => app.inject({ method: 'PATCH', url, headers: as(who), payload: payload as object });
const get = (who: Session | null, url: string) => app.inject({ method: 'GET', url, ...(who ? { headers: as(who) } : {}) });

const base = () => ({
  campaignId, cadreId: cadres.secretary.id, regionCode: DANDONG, title: '三个月内建成丹东街道便民服务中心', content: '整合社保、医保、户籍等窗口，实现“一站式”办理。',
  category: '为民办实事', startsOn: addDays(today, -30), dueOn: addDays(today, 60),
  milestones: [
    { title: '选址并完成设计', plannedOn: addDays(today, -20), doneOn: addDays(today, -18), evidence: '设计方案已通过街道党工委会议' },
    { title: '装修施工', plannedOn: addDays(today, 20) },
  ],
});

async function create(who: Session, over: Record<string, unknown> = {}) {
  const res = await post(who, '/api/v1/commitments', { ...base(), ...over });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as CommitmentDto;
}

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
  const units = {
    dandong: await makeUnit(h.db, DANDONG, { name: '丹东街道党工委' }),
    shipu: await makeUnit(h.db, SHIPU, { name: '石浦镇党委' }),
  };
  cadres = {
    secretary: await makeCadre(h.db, units.dandong.id, { name: '王书记', rank: 'section' }),
    deputy: await makeCadre(h.db, units.dandong.id, { name: '赵副主任', phone: '13957412345' }),
    shipu: await makeCadre(h.db, units.shipu.id, { name: '周镇长', rank: 'section' }),
  };
  campaignId = (await createCampaign(h.db, admin, { name: '干部下基层', startsOn: addDays(today, -300), endsOn: addDays(today, 200), regionCode: XIANGSHAN })).id;
  const users = {
    countyAdmin: await makeUser(h.db, 'admin', { regionCode: XIANGSHAN }),
    townAdmin: await makeUser(h.db, 'admin', { regionCode: DANDONG }),
    leader: await makeUser(h.db, 'unit_leader', { unitId: units.dandong.id }),
    otherLeader: await makeUser(h.db, 'unit_leader', { unitId: units.shipu.id }),
    shipuAdmin: await makeUser(h.db, 'admin', { regionCode: SHIPU }),
    cadre: await makeUser(h.db, 'cadre', { regionCode: DANDONG, cadreId: cadres.deputy.id }),
  };
  for (const k of Object.keys(users) as (keyof typeof users)[]) s[k] = await login(app, users[k].username);
});

afterAll(async () => {
  await app?.close();
  await h?.close();
});

describe('commitments: staff API', () => {
  it('creates a draft with milestones; progress comes from the milestones done; every write is audited and logged', async () => {
    const c = await create(s.leader);
    expect(c).toMatchObject({ published: false, status: 'in_progress', adjusted: false, progress: 50, progressSource: 'milestones', milestoneCount: 2, milestonesDone: 1, leaderName: '王书记', unitName: '丹东街道党工委', regionName: '丹东街道' });
    expect(c.milestones.map((m) => [m.seq, m.title, m.doneOn !== null])).toEqual([[1, '选址并完成设计', true], [2, '装修施工', false]]);
    expect(c.events.map((e) => e.kind)).toEqual(['create']);
    const audit = await h.db.selectFrom('audit_log').select('action').where('entity', '=', 'commitment').where('entity_id', '=', String(c.id)).execute();
    expect(audit.map((a) => a.action)).toEqual(['commitment.create']);
  });

  it('lets a unit leader pledge only for cadres of the unit, and hides other units’ commitments (404)', async () => {
    const res = await post(s.otherLeader, '/api/v1/commitments', { ...base(), cadreId: cadres.secretary.id });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.field).toBe('cadreId');
    const c = await create(s.leader);
    for (const who of [s.otherLeader, s.shipuAdmin]) {
      expect((await get(who, `/api/v1/commitments/${c.id}`)).statusCode).toBe(404);
      expect((await post(who, `/api/v1/commitments/${c.id}/milestones`, { title: 'x', plannedOn: today })).statusCode).toBe(404);
      expect((await patch(who, `/api/v1/commitments/${c.id}`, { title: '改' })).statusCode).toBe(404);
      expect((await post(who, `/api/v1/commitments/${c.id}/publish`, {})).statusCode).toBe(404);
      expect((await get(who, `/api/v1/commitments?unitId=${c.unitId}`)).statusCode).toBe(404);
      const list = (await get(who, '/api/v1/commitments?pageSize=200')).json();
      expect(list.items.map((i: { id: number }) => i.id)).not.toContain(c.id);
    }
    // The county admin and the township admin see it.
    expect((await get(s.countyAdmin, `/api/v1/commitments/${c.id}`)).statusCode).toBe(200);
    expect((await get(s.townAdmin, `/api/v1/commitments/${c.id}`)).statusCode).toBe(200);
    // A township admin cannot pledge for a place in another township.
    const other = await post(s.townAdmin, '/api/v1/commitments', { ...base(), regionCode: SHIPU });
    expect(other.statusCode).toBe(400);
    expect(other.json().error.details.field).toBe('regionCode');
  });

  it('refuses writes to a role without commitment.write (403), reading is allowed in scope', async () => {
    const c = await create(s.leader);
    expect((await post(s.cadre, '/api/v1/commitments', base())).statusCode).toBe(403);
    expect((await post(s.cadre, `/api/v1/commitments/${c.id}/milestones`, { title: 'x', plannedOn: today })).statusCode).toBe(403);
    expect((await get(s.cadre, `/api/v1/commitments/${c.id}`)).statusCode).toBe(200);
  });

  it('names the field of each bad input and saves nothing', async () => {
    const count = async () => (await h.db.selectFrom('commitments').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
    const before = await count();
    const cases: [Record<string, unknown>, string][] = [
      [{ dueOn: addDays(today, -31) }, 'dueOn'],
      [{ milestones: [{ title: '太早', plannedOn: addDays(today, -40) }] }, 'milestones.0.plannedOn'],
      [{ milestones: [{ title: 'ok', plannedOn: today }, { title: '太晚', plannedOn: addDays(today, 61) }] }, 'milestones.1.plannedOn'],
      [{ milestones: [{ title: '未来完成', plannedOn: today, doneOn: addDays(today, 1) }] }, 'milestones.0.doneOn'],
      [{ milestones: [{ title: '照片', plannedOn: today, photoIds: [999999] }] }, 'milestones.0.photoIds'],
      [{ milestones: [{ title: '实事', plannedOn: today, matterIds: [999999] }] }, 'milestones.0.matterIds'],
      [{ milestones: [{ title: '工单', plannedOn: today, ticketIds: [999999] }] }, 'milestones.0.ticketIds'],
      [{ title: '' }, 'title'],
      [{ startsOn: '2026-02-30' }, 'startsOn'],
      [{ campaignId: 999999 }, 'campaignId'],
      [{ regionCode: '999999999999' }, 'regionCode'],
      [{ cadreId: 999999 }, 'cadreId'],
      [{ extra: 1 }, 'extra'],
    ];
    for (const [over, field] of cases) {
      const res = await post(s.countyAdmin, '/api/v1/commitments', { ...base(), ...over });
      expect(res.statusCode, JSON.stringify(over)).toBe(400);
      expect(JSON.stringify(res.json().error.details), JSON.stringify(over)).toContain(field);
      expect(res.json().error.message).toMatch(/[\u4e00-\u9fa5]/);
    }
    expect(await count()).toBe(before);

    const c = await create(s.countyAdmin);
    const progress = await post(s.countyAdmin, `/api/v1/commitments/${c.id}/progress`, { percent: 101, reason: 'x' });
    expect(progress.statusCode).toBe(400);
    expect(JSON.stringify(progress.json().error.details)).toContain('percent');
    const noReason = await post(s.countyAdmin, `/api/v1/commitments/${c.id}/progress`, { percent: 80 });
    expect(noReason.json().error.details.field).toBe('reason');
    const late = await post(s.countyAdmin, `/api/v1/commitments/${c.id}/milestones`, { title: '超期节点', plannedOn: addDays(today, 90) });
    expect(late.json().error.details.field).toBe('plannedOn');
    // Shortening the period past a milestone is refused, naming the milestone.
    const shorter = await patch(s.countyAdmin, `/api/v1/commitments/${c.id}`, { dueOn: addDays(today, 10) });
    expect(shorter.statusCode).toBe(400);
    expect(shorter.json().error.message).toContain('装修施工');
    const after = (await get(s.countyAdmin, `/api/v1/commitments/${c.id}`)).json() as CommitmentDto;
    expect(after.milestones).toHaveLength(2);
    expect(after.progress).toBe(50);
    expect(after.dueOn).toBe(c.dueOn);
  });

  it('publishes; a later change is an adjustment with its reason; an honoured commitment cannot change', async () => {
    const c = await create(s.leader);
    const draftEdit = (await patch(s.leader, `/api/v1/commitments/${c.id}`, { category: '基层治理' })).json() as CommitmentDto;
    expect(draftEdit.adjusted).toBe(false);
    expect((await post(s.leader, `/api/v1/commitments/${c.id}/publish`, {})).json().published).toBe(true);
    expect((await post(s.leader, `/api/v1/commitments/${c.id}/publish`, {})).statusCode).toBe(409);

    const noReason = await patch(s.leader, `/api/v1/commitments/${c.id}`, { dueOn: addDays(today, 90) });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.details.field).toBe('reason');
    const adjusted = (await patch(s.leader, `/api/v1/commitments/${c.id}`, { dueOn: addDays(today, 90), reason: '施工单位变更，工期顺延一个月' })).json() as CommitmentDto;
    expect(adjusted).toMatchObject({ status: 'adjusted', adjusted: true, dueOn: addDays(today, 90) });
    expect(adjusted.adjustments).toEqual([expect.objectContaining({ reason: '施工单位变更，工期顺延一个月', before: { dueOn: c.dueOn }, after: { dueOn: addDays(today, 90) } })]);

    const explicit = (await post(s.leader, `/api/v1/commitments/${c.id}/progress`, { percent: 70, reason: '主体装修已完成七成' })).json() as CommitmentDto;
    expect(explicit).toMatchObject({ progress: 70, progressSource: 'explicit', progressReason: '主体装修已完成七成' });
    const back = (await post(s.leader, `/api/v1/commitments/${c.id}/progress`, { percent: null, note: '按节点计算' })).json() as CommitmentDto;
    expect(back).toMatchObject({ progress: 50, progressSource: 'milestones' });

    const open = await post(s.leader, `/api/v1/commitments/${c.id}/honour`, { honouredOn: today });
    expect(open.statusCode).toBe(409);
    expect(open.json().error.message).toContain('装修施工');
    const m2 = c.milestones[1]!;
    const done = (await patch(s.leader, `/api/v1/commitments/${c.id}/milestones/${m2.id}`, { doneOn: today, evidence: '已投入使用' })).json() as CommitmentDto;
    expect(done.progress).toBe(100);
    const honoured = (await post(s.leader, `/api/v1/commitments/${c.id}/honour`, { honouredOn: today, note: '按期兑现' })).json() as CommitmentDto;
    expect(honoured).toMatchObject({ status: 'honoured', progress: 100, progressSource: 'honoured', honouredOn: today });
    expect(honoured.events.map((e) => e.kind)).toEqual(['create', 'edit', 'publish', 'adjust', 'progress', 'progress', 'milestone_done', 'honour']);

    const refused = await patch(s.leader, `/api/v1/commitments/${c.id}`, { title: '改标题', reason: 'x' });
    expect(refused.statusCode).toBe(409);
    expect((await post(s.leader, `/api/v1/commitments/${c.id}/milestones`, { title: '再加', plannedOn: today })).statusCode).toBe(409);
    expect((await get(s.leader, `/api/v1/commitments/${c.id}`)).json().title).toBe(c.title);
  });

  it('keeps the progress log append-only (the database refuses changes)', async () => {
    const c = await create(s.leader);
    await expect(sql`update commitment_events set summary = 'x' where commitment_id = ${c.id}`.execute(h.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from commitment_events where commitment_id = ${c.id}`.execute(h.db)).rejects.toThrow(/append-only/);
  });

  it('filters the staff list by status, published and name', async () => {
    const overdue = await create(s.leader, { title: '逾期承诺', startsOn: addDays(today, -60), dueOn: addDays(today, -1), milestones: [] });
    const page = (await get(s.leader, '/api/v1/commitments?status=overdue&pageSize=200')).json();
    expect(page.items.map((i: { id: number }) => i.id)).toContain(overdue.id);
    expect(page.items.every((i: { status: string }) => i.status === 'overdue')).toBe(true);
    const drafts = (await get(s.leader, '/api/v1/commitments?published=false&q=王书记&pageSize=200')).json();
    expect(drafts.total).toBeGreaterThan(0);
    expect(drafts.items.every((i: { published: boolean; leaderName: string }) => !i.published && i.leaderName === '王书记')).toBe(true);
    expect(statusOf({ honoured_on: null, due_on: addDays(today, -1), adjustment_count: 1 }, today)).toBe('overdue');
  });
});

describe('commitments: public page', () => {
  it('shows only published commitments, without login, with no personal data beyond name, post and unit', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3a7' } }).withExif({ IFD0: { Copyright: 'secret-exif' } }).jpeg().toBuffer();
    const boundary = 'commitmentboundary';
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`), jpeg, Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const up = await app.inject({ method: 'POST', url: '/api/v1/photos', headers: { ...as(s.leader), 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
    expect(up.statusCode, up.body).toBeLessThan(300);
    const photoId = up.json().id as number;

    const draft = await create(s.leader, { title: '草稿承诺不公开', cadreId: cadres.deputy.id });
    const pub = await create(s.leader, { title: '公开承诺', cadreId: cadres.deputy.id, regionCode: DANDONG_VILLAGE, publish: true });
    const m1 = pub.milestones[1]!;
    await patch(s.leader, `/api/v1/commitments/${pub.id}/milestones/${m1.id}`, { doneOn: today, evidence: '完工', photoIds: [photoId] });

    const list = await get(null, '/api/v1/public/commitments?pageSize=100');
    expect(list.statusCode).toBe(200);
    const ids = list.json().items.map((i: { id: number }) => i.id);
    expect(ids).toContain(pub.id);
    expect(ids).not.toContain(draft.id);
    expect((await get(null, `/api/v1/public/commitments/${draft.id}`)).statusCode).toBe(404);
    const byName = (await get(null, `/api/v1/public/commitments?q=${encodeURIComponent('赵副')}`)).json();
    expect(byName.items.map((i: { id: number }) => i.id)).toEqual([pub.id]);
    const byRegion = (await get(null, `/api/v1/public/commitments?region=${SHIPU}`)).json();
    expect(byRegion.items.map((i: { id: number }) => i.id)).not.toContain(pub.id);

    const detail = await get(null, `/api/v1/public/commitments/${pub.id}`);
    expect(detail.statusCode).toBe(200);
    const d = detail.json() as PublicCommitmentDto;
    expect(d).toMatchObject({ leaderName: '赵副主任', leaderPosition: '科员', unitName: '丹东街道党工委', progress: 100 });
    expect(d.milestones[1]!.photos).toHaveLength(1);
    const text = detail.body;
    for (const secret of ['13957412345', '4****', 'cadreId', 'username', 'userId', 'createdBy', 'phone']) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/"username"|"cadreId"|"unitId"/);

    const img = await get(null, d.milestones[1]!.photos[0]!.url);
    expect(img.statusCode).toBe(200);
    expect(img.headers['content-type']).toBe('image/jpeg');
    expect(img.rawPayload.includes(Buffer.from('secret-exif'))).toBe(false);
    expect(jpeg.includes(Buffer.from('secret-exif'))).toBe(true);
    // A photo of a draft, or not on that commitment, is not served publicly.
    expect((await get(null, `/api/v1/public/commitments/${draft.id}/photos/${photoId}`)).statusCode).toBe(404);
    // Staff see it through the staff route; other units do not.
    expect((await get(s.leader, `/api/v1/commitments/${pub.id}/photos/${photoId}?thumb=1`)).statusCode).toBe(200);
    expect((await get(s.otherLeader, `/api/v1/commitments/${pub.id}/photos/${photoId}`)).statusCode).toBe(404);

    const opts = (await get(null, '/api/v1/public/commitments/options')).json();
    expect(opts.units.map((u: { name: string }) => u.name)).toContain('丹东街道党工委');
    expect(JSON.stringify(opts)).not.toContain('草稿');
  });

  it('shows an adjustment publicly with the text before and the reason, and never the draft’s edits', async () => {
    const c = await create(s.leader, { publish: false });
    await patch(s.leader, `/api/v1/commitments/${c.id}`, { title: '草稿里改过的标题' });
    await post(s.leader, `/api/v1/commitments/${c.id}/publish`, {});
    await patch(s.leader, `/api/v1/commitments/${c.id}`, { title: '调整后的标题', reason: '范围扩大到全街道' });
    const d = (await get(null, `/api/v1/public/commitments/${c.id}`)).json() as PublicCommitmentDto;
    expect(d.adjusted).toBe(true);
    expect(d.adjustments).toEqual([expect.objectContaining({ reason: '范围扩大到全街道', before: { title: '草稿里改过的标题' }, after: { title: '调整后的标题' } })]);
    expect(d.events.map((e) => e.kind)).not.toContain('edit');
  });

  it('answers bad public queries with 400 naming the field', async () => {
    const res = await get(null, '/api/v1/public/commitments?status=nope&pageSize=1000');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/status|pageSize/);
    expect((await get(null, '/api/v1/public/commitments/abc')).statusCode).toBe(400);
  });
});
