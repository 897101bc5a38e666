import JSZip from 'jszip';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateActivity } from '../../../contracts/activities.ts';
import type { BulletinDto, BulletinRecordsResult } from '../../../contracts/bulletins.ts';
import type { TargetKind } from '../../../contracts/targets.ts';
import {
  admin, as, createTestApp, createTestDatabase, DANDONG, login, makeCadre, makeUnit, makeUser, seedXiangshan, SHIPU, testConfig, XIANGSHAN, type Session,
} from '../../../test/helpers.ts';
import type { Database, DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import { createActivity } from '../activities/activities.ts';
import { chinaToday, createCampaign } from '../campaigns/campaigns.ts';
import { createBulletin } from './bulletins.ts';

const DANDONG_VILLAGE = '330225001003';
const DAY = 86_400_000;
const chinaDay = (n: number) => chinaToday(new Date(Date.now() - n * DAY));
const daysAgo = (n: number, time = '10:00') => `${chinaDay(n)}T${time}:00+08:00`;

let h: DatabaseHandle;
let app: App;
let campaignId: number;
let cadreId: number;
let household: { id: number };
let hardship: { id: number };
const s = {} as Record<'county' | 'town' | 'shipu' | 'leadership' | 'cadre', Session>;

async function makeTarget(db: Database, kind: TargetKind, regionCode: string, name: string, tags: string[] = []) {
  const region = await db.selectFrom('regions').select('path').where('code', '=', regionCode).executeTakeFirstOrThrow();
  return db.insertInto('contact_targets')
    .values({ kind, name, name_initials: '', region_code: regionCode, region_path: region.path, tags, updated_at: new Date() })
    .returning(['id', 'name']).executeTakeFirstOrThrow();
}

const deps = () => ({ integrity: testConfig().integrity });
const record = (over: Partial<CreateActivity>) => createActivity(h.db, admin, deps(), {
  kind: 'household_visit', startsAt: daysAgo(3, '09:00'), endsAt: daysAgo(3, '10:00'), participantIds: [cadreId], targetIds: [household.id], campaignId, ...over,
});

const post = (who: Session, url: string, payload?: unknown) => app.inject({ method: 'POST', url, headers: as(who), ...(payload === undefined ? {} : { payload: payload as object }) });
const patch = (who: Session, url: string, payload: unknown) => app.inject({ method: 'PATCH', url, headers: as(who), payload: payload as object });
const get = (who: Session, url: string) => app.inject({ url, headers: as(who) });
const base = () => ({ campaignId, regionCode: DANDONG, from: chinaDay(60), to: chinaDay(0) });

async function create(who: Session, over: Record<string, unknown> = {}) {
  const res = await post(who, '/api/v1/bulletins', { ...base(), ...over });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as BulletinDto;
}
const figure = (b: BulletinDto, key: string) => b.figures.find((f) => f.key === key)?.value;

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
  const unit = await makeUnit(h.db, DANDONG, { name: '丹东街道党工委' });
  cadreId = (await makeCadre(h.db, unit.id, { name: '张明' })).id;
  household = await makeTarget(h.db, 'household', DANDONG_VILLAGE, '林阿婆家');
  hardship = await makeTarget(h.db, 'household', DANDONG_VILLAGE, '陈大伯家', ['困难户']);
  campaignId = (await createCampaign(h.db, admin, { name: '万名干部下基层', startsOn: chinaDay(60), endsOn: chinaDay(-100), regionCode: XIANGSHAN })).id;
  const users = {
    county: await makeUser(h.db, 'admin', { regionCode: XIANGSHAN }),
    town: await makeUser(h.db, 'admin', { regionCode: DANDONG }),
    shipu: await makeUser(h.db, 'admin', { regionCode: SHIPU }),
    leadership: await makeUser(h.db, 'leadership', { regionCode: XIANGSHAN }),
    cadre: await makeUser(h.db, 'cadre', { unitId: unit.id, cadreId }),
  };
  for (const k of Object.keys(users) as (keyof typeof users)[]) s[k] = await login(app, users[k].username);
  await record({});
  await record({ targetIds: [hardship.id], startsAt: daysAgo(5, '09:00'), endsAt: daysAgo(5, '11:00') });
  await record({ kind: 'condolence', targetIds: [hardship.id], moneyFen: 50_000, startsAt: daysAgo(4, '09:00'), endsAt: daysAgo(4, '10:00') });
  await record({ kind: 'stay', targetIds: [], regionCode: DANDONG_VILLAGE, startsAt: daysAgo(10, '08:00'), endsAt: daysAgo(8, '18:00') });
  const wrote = await h.db.insertInto('writings').values({
    kind: 'diary', title: '金秋社区蹲点手记', body: '三天里走了十几户人家。林阿婆说，最盼的是有人来陪她说说话。我们把居家养老服务的申请表带到了她家门口。',
    campaign_id: campaignId, author_cadre_id: cadreId, region_code: DANDONG_VILLAGE, region_path: (await h.db.selectFrom('regions').select('path').where('code', '=', DANDONG_VILLAGE).executeTakeFirstOrThrow()).path,
    unit_path: (await h.db.selectFrom('units').select('path').where('id', '=', unit.id).executeTakeFirstOrThrow()).path, status: 'selected', grade: '优', written_on: chinaDay(7), selected_at: new Date(), updated_at: new Date(),
  }).returning('id').executeTakeFirstOrThrow();
  expect(wrote.id).toBeGreaterThan(0);
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

describe('bulletins', () => {
  it('numbers bulletins per campaign without gaps, concurrent creates getting N and N+1', async () => {
    const first = await createBulletin(h.db, admin, { ...base() });
    const [a, b] = await Promise.all([createBulletin(h.db, admin, { ...base() }), createBulletin(h.db, admin, { ...base() })]);
    expect([first.number, ...[a.number, b.number].sort()]).toEqual([first.number, first.number + 1, first.number + 2]);
    // A create that fails (out of the campaign's region) gives no number away.
    const other = await createCampaign(h.db, admin, { name: '石浦专项', startsOn: chinaDay(30), endsOn: chinaDay(-30), regionCode: SHIPU });
    await expect(createBulletin(h.db, admin, { ...base(), campaignId: other.id })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await createBulletin(h.db, admin, { ...base(), campaignId: other.id, regionCode: SHIPU })).number).toBe(1);
    expect((await createBulletin(h.db, admin, { ...base() })).number).toBe(first.number + 3);
  });

  it('generates a draft from the figures of its region and period, with highlights, and follows the live figures until edited', async () => {
    const b = await create(s.town);
    expect(b).toMatchObject({ status: 'draft', live: true, version: 1, regionName: '丹东街道', masthead: '“万名干部下基层”活动简报', allowed: { edit: true, publish: true } });
    expect(b.office).toBe('丹东街道“万名干部下基层”活动办公室');
    expect(figure(b, 'householdsVisited')).toBe(2);
    expect(figure(b, 'stayDays')).toBe(3);
    expect(b.sections.statistics).toBe(`截至${Number(chinaDay(0).slice(5, 7))}月${Number(chinaDay(0).slice(8, 10))}日，全街道走访村（社区）1个，累计进村蹲点调研时间达3天，撰写驻村蹲点手记1篇，走访农户2户，慰问困难户1户，发放慰问金500元。`);
    expect(b.links.map((l) => l.figure)).toEqual(['villagesCovered', 'stayDays', 'diaries', 'householdsVisited', 'hardshipHouseholdsComforted', 'condolenceMoneyFen']);
    expect(b.sections.highlights.map((x) => [x.title, x.author])).toEqual([['金秋社区蹲点手记', '张明']]);
    await record({ startsAt: daysAgo(2, '09:00'), endsAt: daysAgo(2, '10:00'), targetIds: [household.id, hardship.id] });
    const again = (await get(s.town, `/api/v1/bulletins/${b.id}`)).json() as BulletinDto;
    expect(again.sections.statistics).toContain('走访农户2户'); // distinct households: the same two
    expect(figure(again, 'householdVisits')).toBe(figure(b, 'householdVisits')! + 1);
  });

  it('edits a draft under optimistic locking; a stale version is a 409 and changes nothing', async () => {
    const b = await create(s.town);
    const edited = await patch(s.town, `/api/v1/bulletins/${b.id}`, { version: 1, title: '丹东街道干部下基层简报', statistics: `据统计，${b.sections.statistics}`, closing: '下一步，继续扎实推进。' });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({ version: 2, title: '丹东街道干部下基层简报', sections: { closing: '下一步，继续扎实推进。' } });
    expect(edited.json().sections.statistics.startsWith('据统计，截至')).toBe(true);
    const stale = await patch(s.town, `/api/v1/bulletins/${b.id}`, { version: 1, title: '别人的标题' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.details).toMatchObject({ field: 'version', currentVersion: 2 });
    expect((await get(s.town, `/api/v1/bulletins/${b.id}`)).json().title).toBe('丹东街道干部下基层简报');
    const bad = await patch(s.town, `/api/v1/bulletins/${b.id}`, { version: 2, highlights: [{ writingId: 999_999 }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.field).toBe('highlights');
    const none = await patch(s.town, `/api/v1/bulletins/${b.id}`, { version: 2, highlights: [] });
    expect(none.json()).toMatchObject({ version: 3, sections: { highlights: [] } });
    // Regenerating puts the generated paragraph back (it then follows the live figures again).
    const again = await patch(s.town, `/api/v1/bulletins/${b.id}`, { version: 3, regenerate: true });
    expect(again.json()).toMatchObject({ version: 4, sections: { statistics: b.sections.statistics, closing: '下一步，继续扎实推进。' } });
  });

  it('publishes an immutable snapshot: later records change neither its figures nor its drill-down', async () => {
    const b = await create(s.county, { regionCode: XIANGSHAN });
    expect(b.sections.ranking?.rows.map((r) => r.name)).toEqual(['丹东街道']);
    const pub = await post(s.county, `/api/v1/bulletins/${b.id}/publish`, { version: b.version });
    expect(pub.statusCode, pub.body).toBe(200);
    const published = pub.json() as BulletinDto;
    expect(published).toMatchObject({ status: 'published', live: false, allowed: { edit: false, publish: false } });
    const visits = figure(published, 'householdVisits')!;
    const drill = (await get(s.county, `/api/v1/bulletins/${b.id}/records?figure=householdVisits&pageSize=200`)).json() as BulletinRecordsResult;
    expect(drill).toMatchObject({ frozen: true, recordKind: 'activity', total: visits });
    const ids = drill.items.map((i) => i.id);

    // A record added after publishing, and one of its records changed.
    const later = await record({ startsAt: daysAgo(1, '09:00'), endsAt: daysAgo(1, '10:00') });
    await h.db.updateTable('activities').set({ title: '改过的标题' }).where('id', '=', ids[0]!).execute();
    const after = (await get(s.county, `/api/v1/bulletins/${b.id}`)).json() as BulletinDto;
    expect(figure(after, 'householdVisits')).toBe(visits);
    expect(after.sections).toEqual(published.sections);
    const drillAfter = (await get(s.county, `/api/v1/bulletins/${b.id}/records?figure=householdVisits&pageSize=200`)).json() as BulletinRecordsResult;
    expect(drillAfter.items.map((i) => i.id)).toEqual(ids);
    expect(drillAfter.items.map((i) => i.id)).not.toContain(later.activity.id);
    expect(drillAfter.items[0]!.title).toBe('改过的标题');
    // A draft over the same place and period sees the new record.
    const draft = await create(s.county, { regionCode: XIANGSHAN });
    expect(figure(draft, 'householdVisits')).toBe(visits + 1);
    const live = (await get(s.county, `/api/v1/bulletins/${draft.id}/records?figure=householdVisits&pageSize=200`)).json() as BulletinRecordsResult;
    expect(live.frozen).toBe(false);
    expect(live.items.map((i) => i.id)).toContain(later.activity.id);

    // Publishing twice and editing a published bulletin: 409.
    expect((await post(s.county, `/api/v1/bulletins/${b.id}/publish`)).statusCode).toBe(409);
    expect((await patch(s.county, `/api/v1/bulletins/${b.id}`, { version: published.version, title: '改' })).statusCode).toBe(409);

    // The triggers refuse a direct change of the snapshot or of the published bulletin.
    await expect(sql`update bulletin_snapshots set figures = '[]'::jsonb where bulletin_id = ${b.id}`.execute(h.db)).rejects.toThrow(/immutable/);
    await expect(sql`update bulletin_snapshot_records set record_ids = '{}' where bulletin_id = ${b.id}`.execute(h.db)).rejects.toThrow(/immutable/);
    await expect(sql`delete from bulletin_snapshot_records where bulletin_id = ${b.id}`.execute(h.db)).rejects.toThrow(/immutable/);
    await expect(sql`update bulletins set title = 'x' where id = ${b.id}`.execute(h.db)).rejects.toThrow(/immutable/);
    await expect(sql`delete from bulletins where id = ${b.id}`.execute(h.db)).rejects.toThrow(/immutable/);
  });

  it('exports a real .docx in the 公文 layout with the paragraph, fonts with fallbacks and a chart', async () => {
    const b = await create(s.county, { regionCode: XIANGSHAN, from: chinaDay(45) });
    const res = await get(s.county, `/api/v1/bulletins/${b.id}/docx`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('wordprocessingml.document');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="bulletin-${b.number}.docx"; filename*=UTF-8''${encodeURIComponent(`“万名干部下基层”活动简报第${b.number}期.docx`)}`);
    const zip = await JSZip.loadAsync(res.rawPayload);
    const doc = await zip.file('word/document.xml')!.async('string');
    const textOf = (xml: string) => [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('');
    const text = textOf(doc);
    expect(text).toContain(b.sections.statistics);
    expect(text).toContain(`第${b.number}期`);
    expect(text).toContain('象山县“万名干部下基层”活动办公室');
    expect(doc).toContain('w:eastAsia="仿宋_GB2312"');
    expect(doc).toContain('w:eastAsia="方正小标宋简体"');
    expect(doc).toMatch(/w:color w:val="FF0000"/);
    expect(doc).toContain('<w:pgSz w:w="11906" w:h="16838"');
    const fonts = await zip.file('word/fontTable.xml')!.async('string');
    expect(fonts).toContain('<w:font w:name="方正小标宋简体"><w:altName w:val="宋体"/>');
    expect(fonts).toContain('<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>');
    const media = Object.keys(zip.files).filter((f) => f.startsWith('word/media/'));
    expect(media.length).toBe(b.sections.charts.length);
    expect(b.sections.charts.length).toBeGreaterThan(0);
    expect((await zip.file(media[0]!)!.async('nodebuffer')).subarray(1, 4).toString()).toBe('PNG');
    const footer = await zip.file('word/footer1.xml')!.async('string');
    expect(footer).toContain('PAGE');
  });
});

describe('bulletins: bad input and scope', () => {
  it('refuses unknown campaigns and regions (404), a period ending before it starts (400 to), a region outside the scope (404)', async () => {
    const unknownCampaign = await post(s.county, '/api/v1/bulletins', { ...base(), campaignId: 999_999 });
    expect(unknownCampaign.statusCode).toBe(404);
    const unknownRegion = await post(s.county, '/api/v1/bulletins', { ...base(), regionCode: '330225999999' });
    expect(unknownRegion.statusCode).toBe(404);
    const backwards = await post(s.county, '/api/v1/bulletins', { ...base(), from: chinaDay(1), to: chinaDay(5) });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error.details.fields.map((f: { field: string }) => f.field)).toContain('body.to');
    const outside = await post(s.shipu, '/api/v1/bulletins', base());
    expect(outside.statusCode).toBe(404);
    const noTitle = await post(s.county, '/api/v1/bulletins', { ...base(), title: '  ' });
    expect(noTitle.statusCode).toBe(400);
    const badHighlight = await post(s.county, '/api/v1/bulletins', { ...base(), highlightIds: [999_999] });
    expect(badHighlight.statusCode).toBe(400);
    expect(badHighlight.json().error.details.field).toBe('highlightIds');
    expect((await get(s.county, '/api/v1/bulletins/1/records?figure=nonsense')).statusCode).toBe(400);
    expect((await get(s.county, '/api/v1/bulletins/999999')).statusCode).toBe(404);
  });

  it('lets only writers write, shows drafts only to them and bulletins only within the scope', async () => {
    expect((await post(s.cadre, '/api/v1/bulletins', base())).statusCode).toBe(403);
    expect((await post(s.leadership, '/api/v1/bulletins', base())).statusCode).toBe(403);
    const draft = await create(s.town);
    const published = await create(s.town);
    const pp = await post(s.town, `/api/v1/bulletins/${published.id}/publish`);
    expect(pp.statusCode, pp.body).toBe(200);
    // Leadership reads published bulletins, never drafts.
    expect((await get(s.leadership, `/api/v1/bulletins/${draft.id}`)).statusCode).toBe(404);
    expect((await get(s.leadership, `/api/v1/bulletins/${published.id}`)).statusCode).toBe(200);
    expect((await post(s.leadership, `/api/v1/bulletins/${draft.id}/publish`)).statusCode).toBe(403);
    const list = (await get(s.leadership, '/api/v1/bulletins?pageSize=200')).json();
    expect(list.items.every((b: { status: string }) => b.status === 'published')).toBe(true);
    expect(list.items.map((b: { id: number }) => b.id)).toContain(published.id);
    // Another township sees neither.
    expect((await get(s.shipu, `/api/v1/bulletins/${published.id}`)).statusCode).toBe(404);
    expect((await get(s.shipu, `/api/v1/bulletins/${published.id}/docx`)).statusCode).toBe(404);
    expect((await get(s.shipu, `/api/v1/bulletins/${published.id}/records?figure=stayDays`)).statusCode).toBe(404);
    expect((await patch(s.shipu, `/api/v1/bulletins/${draft.id}`, { version: 1, title: 'x' })).statusCode).toBe(404);
    expect((await get(s.shipu, `/api/v1/bulletins?region=${DANDONG}`)).statusCode).toBe(404);
    const shipuList = (await get(s.shipu, '/api/v1/bulletins?pageSize=200')).json();
    expect(shipuList.items.map((b: { regionCode: string }) => b.regionCode)).not.toContain(DANDONG);
    // The township reads the county's published bulletin (sent down), its drill-down cut to the township.
    const county = await create(s.county, { regionCode: XIANGSHAN });
    await post(s.county, `/api/v1/bulletins/${county.id}/publish`);
    expect((await get(s.shipu, `/api/v1/bulletins/${county.id}`)).statusCode).toBe(200);
    const cut = (await get(s.shipu, `/api/v1/bulletins/${county.id}/records?figure=householdVisits`)).json() as BulletinRecordsResult;
    expect(cut.total).toBe(0);
    expect(cut.figure.value).toBeGreaterThan(0);
  });
});
