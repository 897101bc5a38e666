import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityKinds, type ActivityDto, type CreateActivity } from '../../../contracts/activities.ts';
import {
  actorFor, admin, as, createTestApp, createTestDatabase, DANDONG, login, makeCadre, makeUnit, makeUser, seedXiangshan, SHIPU, testConfig, XIANGSHAN, type Session,
} from '../../../test/helpers.ts';
import type { Database, DatabaseHandle } from '../../db/database.ts';
import type { TargetKind } from '../../db/schema.ts';
import type { App } from '../../http/types.ts';
import { chinaDate } from '../../lib/workdays.ts';
import { createCampaign } from '../campaigns/campaigns.ts';
import { updateCadre } from '../cadres/cadres.ts';
import { testKey } from '../../../test/helpers.ts';
import { checkPendingActivities } from '../integrity/integrity.ts';
import { createActivity, updateActivity } from './activities.ts';

const DANDONG_VILLAGE = '330225001003'; // 金秋社区
const SHIPU_VILLAGE = '330225101001'; // 海宁社区
const DAY = 86_400_000;

/** A China date n days ago, at a China wall-clock time, as ISO-8601 with +08:00. */
const daysAgo = (n: number, time = '10:00') => `${chinaDate(new Date(Date.now() - n * DAY))}T${time}:00+08:00`;

async function makeTarget(db: Database, kind: TargetKind, regionCode: string, name: string) {
  const region = await db.selectFrom('regions').select('path').where('code', '=', regionCode).executeTakeFirstOrThrow();
  return db
    .insertInto('contact_targets')
    .values({ kind, name, name_initials: '', region_code: regionCode, region_path: region.path, updated_at: new Date() })
    .returning(['id', 'name'])
    .executeTakeFirstOrThrow();
}

/** Photos are uploaded through another feature; the tests insert the rows. */
let photoSeq = 0;
async function makePhoto(db: Database, uploadedBy: number | null) {
  const r = await db
    .insertInto('photos')
    .values({ sha256: `test-${photoSeq++}-${randomUUID()}`, mime: 'image/jpeg', bytes: 1000, uploaded_by: uploadedBy })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (uploadedBy !== null) await db.insertInto('photo_uploads').values({ user_id: uploadedBy, photo_id: r.id }).execute();
  return r.id;
}

let h: DatabaseHandle;
let app: App;
let units: Record<'dandong' | 'shipu' | 'county', { id: number }>;
let cadres: Record<'zhang' | 'li' | 'retired' | 'shipu' | 'countyLead', { id: number }>;
let targets: Record<'household' | 'village' | 'shipuHousehold', { id: number }>;
let users: Record<'town' | 'shipuAdmin' | 'countyAdmin' | 'cadre' | 'countyLeader' | 'dandongLeader', { id: number; username: string }>;
const s = {} as Record<keyof typeof users, Session>;
let campaignId: number;

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db, { LIANXIN_INTEGRITY_INTERVAL_MS: '0' }); // the tests run the background checks themselves
  units = {
    dandong: await makeUnit(h.db, DANDONG, { name: '丹东街道党工委' }),
    shipu: await makeUnit(h.db, SHIPU, { name: '石浦镇党委' }),
    county: await makeUnit(h.db, XIANGSHAN, { name: '县发改局', level: 'county' }),
  };
  cadres = {
    zhang: await makeCadre(h.db, units.dandong.id, { name: '张明' }),
    li: await makeCadre(h.db, units.dandong.id, { name: '李华' }),
    retired: await makeCadre(h.db, units.dandong.id, { name: '退休老王' }),
    shipu: await makeCadre(h.db, units.shipu.id, { name: '石浦周' }),
    countyLead: await makeCadre(h.db, units.county.id, { name: '陈局长', rank: 'county' }),
  };
  await updateCadre(h.db, admin, testKey, cadres.retired.id, { status: 'retired' });
  targets = {
    household: await makeTarget(h.db, 'household', DANDONG_VILLAGE, '林阿婆家'),
    village: await makeTarget(h.db, 'community', DANDONG_VILLAGE, '金秋社区'),
    shipuHousehold: await makeTarget(h.db, 'household', SHIPU_VILLAGE, '石浦渔民家'),
  };
  users = {
    town: await makeUser(h.db, 'admin', { regionCode: DANDONG }),
    shipuAdmin: await makeUser(h.db, 'admin', { regionCode: SHIPU }),
    countyAdmin: await makeUser(h.db, 'admin', { regionCode: XIANGSHAN }),
    cadre: await makeUser(h.db, 'cadre', { unitId: units.dandong.id, cadreId: cadres.zhang.id }),
    countyLeader: await makeUser(h.db, 'unit_leader', { unitId: units.county.id }),
    dandongLeader: await makeUser(h.db, 'unit_leader', { unitId: units.dandong.id }),
  };
  for (const k of Object.keys(users) as (keyof typeof users)[]) s[k] = await login(app, users[k].username);
  campaignId = (await createCampaign(h.db, admin, {
    name: '干部下基层', startsOn: chinaDate(new Date(Date.now() - 100 * DAY)), endsOn: chinaDate(new Date(Date.now() + 100 * DAY)), regionCode: XIANGSHAN,
  })).id;
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const post = (who: Session, url: string, payload: unknown) => app.inject({ method: 'POST', url, headers: as(who), payload: payload as object });
const patch = (who: Session, url: string, payload: object) => app.inject({ method: 'PATCH', url, headers: as(who), payload });
const get = (who: Session, url: string) => app.inject({ url, headers: as(who) });

const visit = (over: Partial<CreateActivity> = {}): CreateActivity => ({
  kind: 'household_visit',
  startsAt: daysAgo(1, '09:00'),
  endsAt: daysAgo(1, '10:00'),
  participantIds: [cadres.zhang.id],
  targetIds: [targets.household.id],
  findings: '林阿婆腿脚不便，想申请居家养老服务',
  ...over,
});

const counts = async () => {
  const n = async (t: 'activities' | 'activity_participants' | 'activity_targets' | 'activity_photos' | 'activity_problems' | 'practical_matters') =>
    Number((await h.db.selectFrom(t).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
  const audits = Number((await h.db.selectFrom('audit_log').select(sql<number>`count(*)`.as('n')).where('action', 'like', 'activity.%').executeTakeFirstOrThrow()).n);
  return {
    activities: await n('activities'), participants: await n('activity_participants'), targets: await n('activity_targets'), photos: await n('activity_photos'),
    problems: await n('activity_problems'), matters: await n('practical_matters'), audits,
  };
};

async function created(who: Session, body: CreateActivity): Promise<ActivityDto> {
  const res = await post(who, '/api/v1/activities', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

describe('recording', () => {
  it('records every kind, with attendees for meetings and money for condolence visits', async () => {
    for (const kind of activityKinds) {
      const extra: Partial<CreateActivity> =
        kind === 'forum' || kind === 'policy_talk' ? { attendees: 35 } : kind === 'condolence' ? { moneyFen: 50_000 } : {};
      const a = await created(s.town, visit({ kind, title: `${kind} 记录`, ...extra }));
      expect(a.kind).toBe(kind);
      expect(a.attendees).toBe(extra.attendees ?? null);
      expect(a.moneyFen).toBe(extra.moneyFen ?? null);
      expect(a.stayDays).toBe(kind === 'stay' ? 1 : 0);
      expect(a.regionCode).toBe(DANDONG_VILLAGE);
      expect(a.participants).toEqual([{ cadreId: cadres.zhang.id, name: '张明', unitName: '丹东街道党工委' }]);
      expect(a.targets).toEqual([{ id: targets.household.id, kind: 'household', name: '林阿婆家', regionName: '金秋社区' }]);
      expect(a.version).toBe(1);
    }
  });

  it('stores photos in order, problems and promised practical matters, and an audit entry, in one go', async () => {
    const p1 = await makePhoto(h.db, users.town.id);
    const p2 = await makePhoto(h.db, users.town.id);
    const a = await created(s.town, visit({
      campaignId, targetIds: [targets.household.id, targets.village.id], photoIds: [p2, p1],
      latitude: 29.47, longitude: 121.87, accuracyM: 12,
      problems: ['村道路灯不亮', '垃圾清运不及时'],
      matters: [{ title: '安装扶手', targetId: targets.household.id, amountFen: 120_000, fundSource: '民政' }],
    }));
    // The answer to the create is the record as a later read shows it.
    expect((await get(s.town, `/api/v1/activities/${a.id}`)).json()).toEqual(a);
    expect(a.photos.map((p) => p.id)).toEqual([p2, p1]);
    expect(a.photos[0]!.url).toBe(`/api/v1/photos/${p2}`);
    expect(a.problems.map((p) => p.description)).toEqual(['村道路灯不亮', '垃圾清运不及时']);
    expect(a.matters).toEqual([expect.objectContaining({ title: '安装扶手', status: 'promised', amountFen: 120_000 })]);
    expect(a.campaignId).toBe(campaignId);
    expect(a.latitude).toBe(29.47);
    const m = await h.db.selectFrom('practical_matters').selectAll().where('activity_id', '=', a.id).executeTakeFirstOrThrow();
    expect(m).toMatchObject({
      target_id: targets.household.id, cadre_id: cadres.zhang.id, status: 'promised', promised_on: chinaDate(new Date(a.startsAt)), region_code: DANDONG_VILLAGE,
      campaign_id: campaignId, created_by: users.town.id,
    });
    const audit = await h.db.selectFrom('audit_log').selectAll().where('action', '=', 'activity.create').where('entity_id', '=', String(a.id)).executeTakeFirstOrThrow();
    expect(audit.user_id).toBe(users.town.id);
    expect(audit.region_path).toMatch(/330225001003$/);
    expect(audit.unit_path).toBeTruthy();
  });

  it('credits each participant of a group visit', async () => {
    const a = await created(s.town, visit({ kind: 'forum', attendees: 20, participantIds: [cadres.zhang.id, cadres.li.id] }));
    for (const c of [cadres.zhang, cadres.li]) {
      const list = (await get(s.town, `/api/v1/activities?cadreId=${c.id}&pageSize=200`)).json();
      expect(list.items.map((i: { id: number }) => i.id)).toContain(a.id);
    }
    expect(a.participants.map((p) => p.cadreId).sort()).toEqual([cadres.zhang.id, cadres.li.id].sort());
  });

  it('counts the distinct China calendar days a stay covers', async () => {
    const three = await created(s.town, visit({ kind: 'stay', startsAt: daysAgo(6, '08:00'), endsAt: daysAgo(4, '18:00') }));
    expect(three.stayDays).toBe(3);
    // 23:30 to 00:30 China time: two China days, though one UTC day (15:30Z–16:30Z).
    const midnight = await created(s.town, visit({ kind: 'stay', startsAt: daysAgo(3, '23:30'), endsAt: daysAgo(2, '00:30') }));
    expect(midnight.stayDays).toBe(2);
    // 07:00 to 09:00 China time: one China day, though two UTC days (23:00Z–01:00Z).
    const morning = await created(s.town, visit({ kind: 'stay', startsAt: daysAgo(2, '07:00'), endsAt: daysAgo(2, '09:00') }));
    expect(morning.stayDays).toBe(1);
  });

  it('lets a cadre account record its own work, with a place region and no target', async () => {
    const a = await created(s.cadre, visit({ kind: 'research', targetIds: [], regionCode: DANDONG_VILLAGE, place: '金秋社区文化礼堂' }));
    expect(a.regionCode).toBe(DANDONG_VILLAGE);
    expect(a.targets).toEqual([]);
  });

  it('stores a record that then waits for its integrity checks, which flag it in the background', async () => {
    const res = await post(s.town, '/api/v1/activities', visit({ startsAt: daysAgo(9, '09:00'), endsAt: daysAgo(9, '10:00') }));
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as number;
    expect(res.json().flags).toEqual([]);
    const waiting = async () => (await h.db.selectFrom('activities').select('integrity_checked_at').where('id', '=', id).executeTakeFirstOrThrow()).integrity_checked_at;
    expect(await waiting()).toBeNull();
    expect((await checkPendingActivities(h.db, testConfig().integrity)).checked).toBeGreaterThanOrEqual(1);
    expect(await waiting()).toBeInstanceOf(Date);
    const detail = await get(s.town, `/api/v1/activities/${id}`);
    expect(detail.json().flags.map((f: { checkKind: string }) => f.checkKind)).toContain('late_entry');
  });

  it('stores a change even when its integrity checks fail; it stays waiting for them', async () => {
    const logged: string[] = [];
    const actor = await actorFor(h.db, { ...users.town, role: 'admin', regionCode: DANDONG, unitId: null });
    const deps = { integrity: testConfig().integrity, log: (_e: unknown, m: string) => logged.push(m), check: async () => { throw new Error('check exploded'); } };
    const out = await createActivity(h.db, actor, deps, visit());
    await checkPendingActivities(h.db, deps.integrity);
    const changed = await updateActivity(h.db, actor, deps, out.activity.id, { version: 1, findings: '补充了走访情况' });
    expect(changed.version).toBe(2);
    expect(logged).toEqual([`integrity checks failed for activity ${out.activity.id}`]);
    const row = await h.db.selectFrom('activities').select(['findings', 'integrity_checked_at']).where('id', '=', out.activity.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ findings: '补充了走访情况', integrity_checked_at: null });
  });
});

describe('bad input: a clear error naming the field, and nothing stored', () => {
  const refused = async (who: Session, body: unknown, field: string, status = 400) => {
    const before = await counts();
    const res = await post(who, '/api/v1/activities', body);
    expect(res.statusCode, res.body).toBe(status);
    const fields = (res.json().error.details?.fields ?? [{ field: res.json().error.details?.field }]).map((f: { field: string }) => f.field);
    expect(fields).toContain(field);
    expect(await counts()).toEqual(before);
    return res.json().error.message as string;
  };

  it('refuses a future date', async () => {
    const soon = new Date(Date.now() + 3600_000).toISOString();
    expect(await refused(s.town, visit({ startsAt: soon, endsAt: soon }), 'startsAt')).toMatch(/晚于现在/);
  });
  it('refuses an end before the start', async () => {
    await refused(s.town, visit({ startsAt: daysAgo(1, '10:00'), endsAt: daysAgo(1, '09:00') }), 'body.endsAt');
  });
  it('refuses a target outside the caller’s scope, and an unknown one', async () => {
    expect(await refused(s.town, visit({ targetIds: [targets.household.id, targets.shipuHousehold.id] }), 'targetIds.1')).toMatch(/不存在或不在您的管辖范围内/);
    await refused(s.town, visit({ targetIds: [99_999] }), 'targetIds.0');
  });
  it('refuses a cadre outside the caller’s scope', async () => {
    await refused(s.town, visit({ participantIds: [cadres.zhang.id, cadres.shipu.id] }), 'participantIds.1');
  });
  it('refuses a retired cadre', async () => {
    expect(await refused(s.town, visit({ participantIds: [cadres.retired.id] }), 'participantIds.0')).toMatch(/已退休/);
  });
  it('refuses negative money and attendance, money outside condolence visits, attendance outside meetings', async () => {
    await refused(s.town, visit({ kind: 'condolence', moneyFen: -1 }), 'body.moneyFen');
    await refused(s.town, visit({ kind: 'forum', attendees: -3 }), 'body.attendees');
    await refused(s.town, visit({ kind: 'forum', attendees: 2.5 }), 'body.attendees');
    expect(await refused(s.town, visit({ kind: 'household_visit', moneyFen: 100 }), 'moneyFen')).toMatch(/实事/);
    await refused(s.town, visit({ kind: 'household_visit', attendees: 3 }), 'attendees');
  });
  it('refuses an unknown photo and one uploaded by someone else', async () => {
    await refused(s.town, visit({ photoIds: [99_999] }), 'photoIds.0');
    const theirs = await makePhoto(h.db, users.shipuAdmin.id);
    await refused(s.town, visit({ photoIds: [theirs] }), 'photoIds.0');
  });
  it('accepts a photo whose bytes this account uploaded too, though someone else sent them first', async () => {
    const shared = await makePhoto(h.db, users.shipuAdmin.id);
    await refused(s.town, visit({ photoIds: [shared] }), 'photoIds.0');
    await h.db.insertInto('photo_uploads').values({ user_id: users.town.id, photo_id: shared }).execute();
    const a = await created(s.town, visit({ photoIds: [shared] }));
    expect(a.photos.map((p) => p.id)).toEqual([shared]);
  });
  it('refuses a cadre account recording for someone else', async () => {
    expect(await refused(s.cadre, visit({ participantIds: [cadres.li.id] }), 'participantIds')).toMatch(/本人/);
  });
  it('refuses half a position, no place at all, and a matter for a target not visited', async () => {
    await refused(s.town, visit({ latitude: 29.5 }), 'body.longitude');
    await refused(s.town, visit({ targetIds: [] }), 'body.targetIds');
    await refused(s.town, visit({ matters: [{ title: '修路', targetId: targets.village.id }] }), 'body.matters.0.targetId');
  });
  it('refuses a campaign out of reach, and a record outside the campaign period', async () => {
    await refused(s.town, visit({ campaignId: 99_999 }), 'campaignId');
    await refused(s.town, visit({ campaignId, startsAt: daysAgo(150), endsAt: daysAgo(150, '11:00') }), 'startsAt');
  });
  it('refuses a role without activity.write', async () => {
    const sup = await login(app, (await makeUser(h.db, 'supervisor', { regionCode: DANDONG })).username);
    const before = await counts();
    expect((await post(sup, '/api/v1/activities', visit())).statusCode).toBe(403);
    expect(await counts()).toEqual(before);
  });
});

describe('clientId: a record sent twice is stored once', () => {
  it('answers a resend with the stored record and a changed resend with a conflict', async () => {
    const clientId = randomUUID();
    const first = await post(s.town, '/api/v1/activities', visit({ clientId }));
    expect(first.statusCode).toBe(201);
    const before = await counts();
    // Same content, other spelling of the same instants and defaults given explicitly.
    const again = await post(s.town, '/api/v1/activities', { ...visit({ clientId, title: '', problems: [] }), startsAt: new Date(visit().startsAt).toISOString() });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    const changed = await post(s.town, '/api/v1/activities', visit({ clientId, findings: '另一份内容' }));
    expect(changed.statusCode).toBe(409);
    expect(changed.json().error.details.server.id).toBe(first.json().id);
    expect(changed.json().error.details.server.findings).toBe(visit().findings);
    expect(await counts()).toEqual(before);
  });
});

describe('offline sync', () => {
  it('stores the good records, rejects the bad ones with reasons, and stores a resend once', async () => {
    const good1 = visit({ clientId: randomUUID() });
    const good2 = visit({ clientId: randomUUID(), kind: 'talk', attendees: 1 });
    const records = [
      good1,
      { ...visit(), clientId: randomUUID(), kind: 'party' }, // not a kind
      visit({ clientId: randomUUID(), startsAt: new Date(Date.now() + 7200_000).toISOString(), endsAt: new Date(Date.now() + 7300_000).toISOString() }),
      good2,
      'not a record',
      visit(), // no clientId
      visit({ clientId: randomUUID(), targetIds: [targets.shipuHousehold.id] }),
    ];
    const before = await counts();
    const res = await post(s.town, '/api/v1/sync/activities', { records });
    expect(res.statusCode, res.body).toBe(200);
    const results = res.json().results as { index: number; status: string; clientId: string | null; id?: number; errors?: { field: string }[] }[];
    expect(results.map((r) => r.status)).toEqual(['stored', 'rejected', 'rejected', 'stored', 'rejected', 'rejected', 'rejected']);
    expect(results[1]!.errors!.map((e) => e.field)).toContain('kind');
    expect(results[2]!.errors!.map((e) => e.field)).toContain('startsAt');
    expect(results[5]!.errors!.map((e) => e.field)).toContain('clientId');
    expect(results[6]!.errors!.map((e) => e.field)).toContain('targetIds.0');
    expect(results[0]!.clientId).toBe(good1.clientId);
    const after = await counts();
    expect(after.activities).toBe(before.activities + 2);
    expect(after.audits).toBe(before.audits + 2);

    const again = await post(s.town, '/api/v1/sync/activities', { records: [good1, good2] });
    expect(again.json().results.map((r: { status: string; id: number }) => [r.status, r.id])).toEqual([['duplicate', results[0]!.id], ['duplicate', results[3]!.id]]);
    expect(await counts()).toEqual(after);

    const conflict = await post(s.town, '/api/v1/sync/activities', { records: [{ ...good1, findings: '离线时改过的内容' }] });
    const [c] = conflict.json().results;
    expect(c.status).toBe('conflict');
    expect(c.server.findings).toBe(good1.findings);
    expect(await counts()).toEqual(after);
    const stored = await get(s.town, `/api/v1/activities/${results[0]!.id}`);
    expect(stored.json().findings).toBe(good1.findings);
  });

  it('refuses a malformed batch as a whole', async () => {
    expect((await post(s.town, '/api/v1/sync/activities', [visit()])).statusCode).toBe(400);
    expect((await post(s.town, '/api/v1/sync/activities', { records: 'x' })).statusCode).toBe(400);
    const before = await counts();
    const tooMany = Array.from({ length: 101 }, () => visit({ clientId: randomUUID() }));
    expect((await post(s.town, '/api/v1/sync/activities', { records: tooMany })).statusCode).toBe(400);
    expect(await counts()).toEqual(before);
  });
});

describe('reading and scope', () => {
  let dandongVisit: ActivityDto;
  let shipuVisit: ActivityDto;
  let groupElsewhere: ActivityDto;
  beforeAll(async () => {
    dandongVisit = await created(s.town, visit({ kind: 'enterprise_visit', targetIds: [targets.village.id], campaignId, startsAt: daysAgo(40), endsAt: daysAgo(40, '11:00') }));
    shipuVisit = await created(s.shipuAdmin, visit({ participantIds: [cadres.shipu.id], targetIds: [targets.shipuHousehold.id], startsAt: daysAgo(41), endsAt: daysAgo(41, '11:00') }));
    // The county department's lead visits a 石浦 household with the 石浦 cadre.
    groupElsewhere = await created(s.countyAdmin, visit({
      kind: 'condolence', moneyFen: 80_000, participantIds: [cadres.countyLead.id, cadres.shipu.id], targetIds: [targets.shipuHousehold.id],
      startsAt: daysAgo(42), endsAt: daysAgo(42, '11:00'),
    }));
  });
  const ids = async (who: Session, query = '') => {
    const res = await get(who, `/api/v1/activities?pageSize=200${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().items as { id: number }[]).map((i) => i.id);
  };

  it('shows a township only its own records; 404 for another township’s', async () => {
    const town = await ids(s.town);
    expect(town).toContain(dandongVisit.id);
    expect(town).not.toContain(shipuVisit.id);
    expect(town).not.toContain(groupElsewhere.id);
    expect((await get(s.town, `/api/v1/activities/${shipuVisit.id}`)).statusCode).toBe(404);
    expect((await get(s.shipuAdmin, `/api/v1/activities/${dandongVisit.id}`)).statusCode).toBe(404);
    expect(await ids(s.shipuAdmin)).toEqual(expect.arrayContaining([shipuVisit.id, groupElsewhere.id]));
    expect(await ids(s.countyAdmin)).toEqual(expect.arrayContaining([dandongVisit.id, shipuVisit.id, groupElsewhere.id]));
  });

  it('shows a unit leader their cadres’ group visit elsewhere, and nothing else', async () => {
    expect(await ids(s.countyLeader)).toEqual([groupElsewhere.id]);
    expect((await get(s.countyLeader, `/api/v1/activities/${groupElsewhere.id}`)).json().participants).toHaveLength(2);
    expect((await get(s.countyLeader, `/api/v1/activities/${shipuVisit.id}`)).statusCode).toBe(404);
    expect(await ids(s.countyLeader, `&region=${SHIPU}`)).toEqual([groupElsewhere.id]);
    expect(await ids(s.dandongLeader)).not.toContain(groupElsewhere.id);
  });

  it('filters by kind, cadre, target, region, campaign, period and flags', async () => {
    expect(await ids(s.countyAdmin, '&kind=condolence&kind=enterprise_visit')).toEqual(expect.arrayContaining([dandongVisit.id, groupElsewhere.id]));
    expect(await ids(s.countyAdmin, '&kind=condolence')).not.toContain(dandongVisit.id);
    expect(await ids(s.countyAdmin, `&cadreId=${cadres.countyLead.id}`)).toEqual([groupElsewhere.id]);
    expect(await ids(s.countyAdmin, `&targetId=${targets.shipuHousehold.id}&from=${daysAgo(42).slice(0, 10)}&to=${daysAgo(41).slice(0, 10)}`)).toEqual([shipuVisit.id, groupElsewhere.id]);
    expect(await ids(s.countyAdmin, `&region=${SHIPU}&to=${daysAgo(42).slice(0, 10)}`)).toEqual([groupElsewhere.id]);
    expect(await ids(s.countyAdmin, `&campaignId=${campaignId}&from=${daysAgo(40).slice(0, 10)}&to=${daysAgo(40).slice(0, 10)}`)).toEqual([dandongVisit.id]);
    // The integrity checks may flag these back-dated records; start from none open on this one.
    await h.db.updateTable('integrity_flags').set({ cleared_at: new Date(), clear_reason: '测试前清除' }).where('activity_id', '=', shipuVisit.id).where('cleared_at', 'is', null).execute();
    expect(await ids(s.countyAdmin, '&flagged=true')).not.toContain(shipuVisit.id);
    expect(await ids(s.countyAdmin, '&flagged=false')).toContain(shipuVisit.id);
    const regionPath = (await h.db.selectFrom('activities').select('region_path').where('id', '=', shipuVisit.id).executeTakeFirstOrThrow()).region_path;
    const flag = await h.db
      .insertInto('integrity_flags')
      .values({ activity_id: shipuVisit.id, check_kind: 'attendance_exceeds_population', dedupe_key: 'test', evidence: JSON.stringify({ attendees: 900 }), region_path: regionPath })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await ids(s.countyAdmin, '&flagged=true')).toContain(shipuVisit.id);
    expect(await ids(s.countyAdmin, '&flagged=false')).not.toContain(shipuVisit.id);
    const detail = (await get(s.countyAdmin, `/api/v1/activities/${shipuVisit.id}`)).json() as ActivityDto;
    expect(detail.flags).toContainEqual({ id: flag.id, checkKind: 'attendance_exceeds_population', evidence: { attendees: 900 }, clearedAt: null, clearReason: null });
    const list = (await get(s.countyAdmin, `/api/v1/activities?targetId=${targets.shipuHousehold.id}&to=${daysAgo(41).slice(0, 10)}&from=${daysAgo(41).slice(0, 10)}`)).json();
    expect(list.items[0].openFlagCount).toBe(1);
    await h.db.updateTable('integrity_flags').set({ cleared_at: new Date(), clear_reason: '已核实' }).where('id', '=', flag.id).execute();
    expect(await ids(s.countyAdmin, '&flagged=true')).not.toContain(shipuVisit.id);
  });

  it('exports the filtered records as a ledger, and refuses one over the limit before any byte', async () => {
    const res = await get(s.countyAdmin, `/api/v1/activities/export.xlsx?region=${SHIPU}&to=${daysAgo(41).slice(0, 10)}`);
    expect(res.statusCode, res.body).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer);
    const ws = wb.getWorksheet('工作记录')!;
    expect(ws.getRow(1).getCell(2).value).toBe('类型');
    const rows = ws.getRows(2, ws.rowCount - 1)!.map((r) => [r.getCell(1).value, r.getCell(2).value, r.getCell(9).value, r.getCell(12).value]);
    expect(rows).toEqual([
      [shipuVisit.id, '走访入户', '石浦周', null],
      [groupElsewhere.id, '走访慰问', '石浦周、陈局长', 800],
    ].sort((a, b) => Number(a[0]) - Number(b[0])));
    const town = await get(s.town, '/api/v1/activities/export.xlsx');
    const tw = new ExcelJS.Workbook();
    await tw.xlsx.load(town.rawPayload as unknown as ExcelJS.Buffer);
    const townIds = tw.getWorksheet('工作记录')!.getColumn(1).values.slice(2);
    expect(townIds).toContain(dandongVisit.id);
    expect(townIds).not.toContain(shipuVisit.id);
    const small = await createTestApp(h.db, { LIANXIN_EXPORT_MAX_ROWS: '1' });
    const tooMany = await small.inject({ url: '/api/v1/activities/export.xlsx', headers: as(s.countyAdmin) });
    await small.close();
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json().error.code).toBe('EXPORT_TOO_LARGE');
  });

  it('refuses a region filter outside a township admin’s region', async () => {
    expect((await get(s.town, `/api/v1/activities?region=${SHIPU}`)).statusCode).toBe(404);
    expect((await get(s.town, '/api/v1/activities?kind=party')).statusCode).toBe(400);
  });
});

describe('changing a record', () => {
  it('changes with the version read, refuses a stale version, and recomputes stay days', async () => {
    const a = await created(s.town, visit({ kind: 'stay', startsAt: daysAgo(5, '08:00'), endsAt: daysAgo(5, '18:00') }));
    const res = await patch(s.town, `/api/v1/activities/${a.id}`, { version: 1, endsAt: daysAgo(3, '18:00'), findings: '住了三天', participantIds: [cadres.zhang.id, cadres.li.id] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ version: 2, stayDays: 3, findings: '住了三天' });
    expect(res.json().participants).toHaveLength(2);
    const stale = await patch(s.town, `/api/v1/activities/${a.id}`, { version: 1, findings: '旧版本上的修改' });
    expect(stale.statusCode).toBe(409);
    expect((await get(s.town, `/api/v1/activities/${a.id}`)).json().findings).toBe('住了三天');
    const audits = await h.db.selectFrom('audit_log').select('detail').where('action', '=', 'activity.update').where('entity_id', '=', String(a.id)).execute();
    expect(audits).toHaveLength(1);
  });

  it('checks a change like a new record, and answers 404 outside the scope', async () => {
    const a = await created(s.town, visit());
    const before = await counts();
    expect((await patch(s.town, `/api/v1/activities/${a.id}`, { version: 1, targetIds: [targets.shipuHousehold.id] })).statusCode).toBe(400);
    expect((await patch(s.town, `/api/v1/activities/${a.id}`, { version: 1, startsAt: new Date(Date.now() + 3600_000).toISOString(), endsAt: new Date(Date.now() + 7200_000).toISOString() })).statusCode).toBe(400);
    expect((await patch(s.shipuAdmin, `/api/v1/activities/${a.id}`, { version: 1, findings: 'x' })).statusCode).toBe(404);
    expect(await counts()).toEqual(before);
    expect((await get(s.town, `/api/v1/activities/${a.id}`)).json().version).toBe(1);
  });

  it('lets a cadre change only records they took part in', async () => {
    const theirs = await created(s.town, visit({ participantIds: [cadres.li.id] }));
    expect((await patch(s.cadre, `/api/v1/activities/${theirs.id}`, { version: 1, findings: 'x' })).statusCode).toBe(403);
    const mine = await created(s.cadre, visit());
    expect((await patch(s.cadre, `/api/v1/activities/${mine.id}`, { version: 1, findings: '补充' })).statusCode).toBe(200);
  });
});

describe('OpenAPI', () => {
  it('describes the activity endpoints', async () => {
    const doc = (await app.inject({ url: '/api/openapi.json' })).json();
    for (const p of ['/api/v1/activities', '/api/v1/activities/{id}', '/api/v1/sync/activities']) expect(doc.paths[p], p).toBeDefined();
  });
});
