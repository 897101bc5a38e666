import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DueItem, DueList } from '../../../contracts/due.ts';
import { admin, as, createTestApp, createTestDatabase, DANDONG, login, makeCadre, makeUnit, makeUser, seedXiangshan, SHIPU, XIANGSHAN, type Session } from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { ActivityKind, TargetKind } from '../../db/schema.ts';
import type { App } from '../../http/types.ts';
import { createCampaign } from '../campaigns/campaigns.ts';
import { createTeam } from '../campaigns/teams.ts';
import { calendarPeriod, dueState, schedule, slots } from './due.ts';

const DANDONG_VILLAGE = '330225001003'; // 金秋社区

describe('calendar', () => {
  it('takes weeks from Monday to Sunday', () => {
    expect(calendarPeriod('2026-11-22', 'week')).toEqual(['2026-11-16', '2026-11-22']); // a Sunday
    expect(calendarPeriod('2026-11-23', 'week')).toEqual(['2026-11-23', '2026-11-29']); // a Monday
    expect(calendarPeriod('2026-01-01', 'week')).toEqual(['2025-12-29', '2026-01-04']); // across the year
    expect(calendarPeriod('2026-02-14', 'month')).toEqual(['2026-02-01', '2026-02-28']);
    expect(calendarPeriod('2028-02-14', 'month')).toEqual(['2028-02-01', '2028-02-29']);
    expect(calendarPeriod('2026-08-09', 'quarter')).toEqual(['2026-07-01', '2026-09-30']);
    expect(calendarPeriod('2026-08-09', 'year')).toEqual(['2026-01-01', '2026-12-31']);
  });

  it('splits a period into equal slots: by months when they divide, else by days', () => {
    expect(slots(['2026-01-01', '2026-12-31'], 'year', 4).map(([, e]) => e)).toEqual(['2026-03-31', '2026-06-30', '2026-09-30', '2026-12-31']);
    expect(slots(['2026-01-01', '2026-12-31'], 'year', 2)).toEqual([['2026-01-01', '2026-06-30'], ['2026-07-01', '2026-12-31']]);
    expect(slots(['2026-07-01', '2026-09-30'], 'quarter', 3).map(([, e]) => e)).toEqual(['2026-07-31', '2026-08-31', '2026-09-30']);
    expect(slots(['2026-11-16', '2026-11-22'], 'week', 2)).toEqual([['2026-11-16', '2026-11-19'], ['2026-11-20', '2026-11-22']]);
    const five = slots(['2026-01-01', '2026-12-31'], 'year', 5);
    expect(five).toHaveLength(5);
    expect(five.at(-1)![1]).toBe('2026-12-31');
  });

  it('requires only the slots a late pairing or an early campaign end leaves', () => {
    const w = { campaignStartsOn: '2026-01-01', campaignEndsOn: '2026-11-30', pairingStartsOn: '2026-08-01', pairingEndsOn: null };
    expect(schedule('2026-08-10', { times: 4, per: 'year' }, w)).toEqual({ periodStart: '2026-08-01', periodEnd: '2026-11-30', dues: ['2026-09-30', '2026-11-30'] });
    // Twelve days of the first quarter are not half of it: nothing owed for it.
    const late = { campaignStartsOn: '2026-03-20', campaignEndsOn: '2026-12-31', pairingStartsOn: '2026-03-20', pairingEndsOn: null };
    expect(schedule('2026-04-02', { times: 4, per: 'year' }, late).dues).toEqual(['2026-06-30', '2026-09-30', '2026-12-31']);
    // A pairing made in the last days of the year still owes its one visit.
    expect(schedule('2026-12-20', { times: 1, per: 'year' }, { ...late, pairingStartsOn: '2026-12-15' }).dues).toEqual(['2026-12-31']);
    // A pairing made on a Friday owes the week's second visit only.
    const friday = { ...late, pairingStartsOn: '2026-11-20' };
    expect(schedule('2026-11-21', { times: 2, per: 'week' }, friday)).toEqual({ periodStart: '2026-11-20', periodEnd: '2026-11-22', dues: ['2026-11-22'] });
  });

  it('states what is due relative to the day', () => {
    const dues = ['2026-03-31', '2026-06-30', '2026-09-30', '2026-12-31'];
    expect(dueState('2026-05-10', dues, 1)).toEqual({ state: 'later', nextDueOn: '2026-06-30' });
    expect(dueState('2026-06-25', dues, 1)).toEqual({ state: 'due_this_month', nextDueOn: '2026-06-30' });
    expect(dueState('2026-06-29', dues, 1)).toEqual({ state: 'due_this_week', nextDueOn: '2026-06-30' });
    expect(dueState('2026-06-30', dues, 1)).toEqual({ state: 'due_this_week', nextDueOn: '2026-06-30' });
    expect(dueState('2026-07-01', dues, 1)).toEqual({ state: 'overdue', nextDueOn: '2026-06-30' });
    expect(dueState('2026-07-01', dues, 4)).toEqual({ state: 'met', nextDueOn: null });
  });
});

let h: DatabaseHandle;
let app: App;
let campaignId: number;
let cadres: Record<'zhang' | 'li' | 'lead' | 'shipu', { id: number; unitPath: string }>;
let t: Record<'household' | 'household2' | 'village' | 'school' | 'endedHousehold' | 'teamVillage', number>;
let pairing: Record<'household' | 'teamVillage', number>;
const s = {} as Record<'zhang' | 'townAdmin' | 'shipuAdmin' | 'noCadre', Session>;

async function makeTarget(kind: TargetKind, name: string, code = DANDONG_VILLAGE) {
  const r = await h.db.selectFrom('regions').select('path').where('code', '=', code).executeTakeFirstOrThrow();
  return (await h.db.insertInto('contact_targets').values({ kind, name, name_initials: '', region_code: code, region_path: r.path, updated_at: new Date() }).returning('id').executeTakeFirstOrThrow()).id;
}
async function pair(targetId: number, who: { cadreId?: number; teamId?: number }, startsOn = '2026-01-01', endsOn: string | null = null) {
  return (await h.db.insertInto('pairings').values({
    campaign_id: campaignId, target_id: targetId, cadre_id: who.cadreId ?? null, team_id: who.teamId ?? null, starts_on: startsOn, ends_on: endsOn, end_reason: endsOn ? '调整' : null,
  }).returning('id').executeTakeFirstOrThrow()).id;
}
/** Field records are another feature's; the tests insert the rows they need directly. */
async function visit(at: string, cadre: { id: number; unitPath: string }, targetIds: number[], kind: ActivityKind = 'household_visit') {
  const r = await h.db.selectFrom('regions').select('path').where('code', '=', DANDONG_VILLAGE).executeTakeFirstOrThrow();
  const a = await h.db.insertInto('activities').values({
    client_id: randomUUID(), client_hash: 'x', campaign_id: campaignId, kind, starts_at: at, ends_at: at, region_code: DANDONG_VILLAGE, region_path: r.path,
  }).returning('id').executeTakeFirstOrThrow();
  await h.db.insertInto('activity_participants').values({ activity_id: a.id, cadre_id: cadre.id, unit_path: cadre.unitPath }).execute();
  await h.db.insertInto('activity_targets').values(targetIds.map((id) => ({ activity_id: a.id, target_id: id }))).execute();
}

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
  const dandong = await makeUnit(h.db, DANDONG, { name: '丹东街道党工委' });
  const shipu = await makeUnit(h.db, SHIPU, { name: '石浦镇党委' });
  const countyDept = await makeUnit(h.db, XIANGSHAN, { name: '县民政局', level: 'county' });
  const pathOf = async (unitId: number) => (await h.db.selectFrom('units').select('path').where('id', '=', unitId).executeTakeFirstOrThrow()).path;
  const withPath = async (c: { id: number; unitId: number }) => ({ id: c.id, unitPath: await pathOf(c.unitId) });
  cadres = {
    zhang: await withPath(await makeCadre(h.db, dandong.id, { name: '张明' })),
    li: await withPath(await makeCadre(h.db, dandong.id, { name: '李华' })),
    lead: await withPath(await makeCadre(h.db, countyDept.id, { name: '陈局长', rank: 'county' })),
    shipu: await withPath(await makeCadre(h.db, shipu.id, { name: '石浦周' })),
  };
  campaignId = (await createCampaign(h.db, admin, {
    name: '走亲连心', startsOn: '2026-01-01', endsOn: '2026-12-31', regionCode: XIANGSHAN,
    visitFrequency: { household: { times: 4, per: 'year' }, community: { times: 2, per: 'week' } },
  })).id;
  t = {
    household: await makeTarget('household', '林阿婆家'),
    household2: await makeTarget('household', '郑大伯家'),
    village: await makeTarget('community', '金秋社区'),
    school: await makeTarget('school', '丹东小学'),
    endedHousehold: await makeTarget('household', '吴家'),
    teamVillage: await makeTarget('community', '丹峰社区', '330225001004'),
  };
  const team = await createTeam(h.db, admin, campaignId, { name: '民政调研组', kind: 'research', leaderCadreId: cadres.lead.id, memberIds: [cadres.zhang.id, cadres.li.id], joinedOn: '2026-01-01' });
  // 李华 left the team in October.
  await h.db.updateTable('team_members').set({ left_on: '2026-10-01' }).where('team_id', '=', team.id).where('cadre_id', '=', cadres.li.id).execute();
  pairing = {
    household: await pair(t.household, { cadreId: cadres.zhang.id }),
    teamVillage: await pair(t.teamVillage, { teamId: team.id }),
  };
  await pair(t.household2, { cadreId: cadres.zhang.id }, '2026-08-01');
  await pair(t.village, { cadreId: cadres.zhang.id });
  await pair(t.school, { cadreId: cadres.zhang.id }); // the campaign sets no frequency for schools
  await pair(t.endedHousehold, { cadreId: cadres.zhang.id }, '2026-01-01', '2026-03-01');

  // 林阿婆家: a visit in February; one in May with a colleague; a reception (接访) that is not a visit.
  await visit('2026-02-10T09:00:00+08:00', cadres.zhang, [t.household]);
  await visit('2026-05-20T09:00:00+08:00', cadres.zhang, [t.household, t.household2], 'condolence');
  await visit('2026-08-05T09:00:00+08:00', cadres.zhang, [t.household], 'reception');
  // Someone else's visit does not count for 张明.
  await visit('2026-08-06T09:00:00+08:00', cadres.li, [t.household]);
  // 金秋社区 around the week of Monday 16 November: late Sunday the 15th (China time) is last week;
  // ten past midnight on Monday the 16th (still Sunday in UTC) is this week.
  await visit('2026-11-15T23:30:00+08:00', cadres.zhang, [t.village], 'stay');
  await visit('2026-11-16T00:10:00+08:00', cadres.zhang, [t.village], 'stay');
  // The team's village: a forum in the second quarter… and this week, by 张明.
  await visit('2026-11-17T15:00:00+08:00', cadres.zhang, [t.teamVillage], 'forum');

  const users = {
    zhang: await makeUser(h.db, 'cadre', { unitId: dandong.id, cadreId: cadres.zhang.id }),
    townAdmin: await makeUser(h.db, 'admin', { regionCode: DANDONG }),
    shipuAdmin: await makeUser(h.db, 'admin', { regionCode: SHIPU }),
    noCadre: await makeUser(h.db, 'unit_leader', { unitId: dandong.id }),
  };
  for (const k of Object.keys(users) as (keyof typeof users)[]) s[k] = await login(app, users[k].username);
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const due = async (who: Session, query: string) => {
  const res = await app.inject({ url: `/api/v1/due?${query}`, headers: as(who) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as DueList;
};
const byTarget = (list: DueList, targetId: number) => list.items.find((i) => i.targetId === targetId);

describe('GET /due', () => {
  it('lists the caller’s own open pairings with what each needs this period', async () => {
    const list = await due(s.zhang, 'asOf=2026-11-22');
    expect(list.cadre).toMatchObject({ id: cadres.zhang.id, name: '张明', unitName: '丹东街道党工委' });
    expect(list.asOf).toBe('2026-11-22');
    // The household: 4 a year, 2 visits made (February; the May condolence visit); not the reception, not 李华's visit.
    expect(byTarget(list, t.household)).toMatchObject<Partial<DueItem>>({
      pairingId: pairing.household, via: 'direct', frequency: { times: 4, per: 'year' }, periodStart: '2026-01-01', periodEnd: '2026-12-31',
      required: 4, done: 2, lastVisitOn: '2026-05-20', nextDueOn: '2026-09-30', state: 'overdue',
    });
    // Paired in August: two slots left in the year; the May visit was before the pairing.
    expect(byTarget(list, t.household2)).toMatchObject({ periodStart: '2026-08-01', required: 2, done: 0, nextDueOn: '2026-09-30', state: 'overdue' });
    // The ended pairing is gone; the school has no frequency and is only counted.
    expect(byTarget(list, t.endedHousehold)).toBeUndefined();
    expect(byTarget(list, t.school)).toBeUndefined();
    expect(list.withoutFrequency).toBe(1);
    expect(list.counts.overdue).toBe(2);
    // Most urgent first.
    expect(list.items[0]!.state).toBe('overdue');
  });

  it('counts a week from Monday, China time', async () => {
    const sunday = byTarget(await due(s.zhang, 'asOf=2026-11-22'), t.village)!;
    expect(sunday).toMatchObject({ periodStart: '2026-11-16', periodEnd: '2026-11-22', required: 2, done: 1, lastVisitOn: '2026-11-16', nextDueOn: '2026-11-22', state: 'due_this_week' });
    const lastSunday = byTarget(await due(s.zhang, 'asOf=2026-11-15'), t.village)!;
    expect(lastSunday).toMatchObject({ periodStart: '2026-11-09', periodEnd: '2026-11-15', done: 1, lastVisitOn: '2026-11-15', nextDueOn: '2026-11-15', state: 'due_this_week' });
    const monday = byTarget(await due(s.zhang, 'asOf=2026-11-23'), t.village)!;
    expect(monday).toMatchObject({ periodStart: '2026-11-23', periodEnd: '2026-11-29', done: 0, nextDueOn: '2026-11-26', state: 'due_this_week' });
    const friday = byTarget(await due(s.zhang, 'asOf=2026-11-27'), t.village)!;
    expect(friday).toMatchObject({ done: 0, nextDueOn: '2026-11-26', state: 'overdue' });
  });

  it('includes a team’s pairing for its current members only', async () => {
    const mine = byTarget(await due(s.zhang, 'asOf=2026-11-22'), t.teamVillage)!;
    expect(mine).toMatchObject({ pairingId: pairing.teamVillage, via: 'team', teamName: '民政调研组', done: 1, nextDueOn: '2026-11-22', state: 'due_this_week' });
    // 李华 left on 1 October: listed before, not after.
    expect(byTarget(await due(s.townAdmin, `cadreId=${cadres.li.id}&asOf=2026-09-30`), t.teamVillage)).toMatchObject({ via: 'team', done: 0, state: 'due_this_week' });
    expect(byTarget(await due(s.townAdmin, `cadreId=${cadres.li.id}&asOf=2026-10-01`), t.teamVillage)).toBeUndefined();
  });

  it('drops pairings that ended and campaigns not running that day', async () => {
    expect(byTarget(await due(s.zhang, 'asOf=2026-02-28'), t.endedHousehold)).toMatchObject({ periodEnd: '2026-02-28', nextDueOn: '2026-02-28', state: 'due_this_week' });
    expect(byTarget(await due(s.zhang, 'asOf=2026-03-01'), t.endedHousehold)).toBeUndefined();
    expect((await due(s.zhang, 'asOf=2027-01-05')).items).toEqual([]);
  });

  it('shows another cadre’s list only within the caller’s scope', async () => {
    expect((await due(s.townAdmin, `cadreId=${cadres.zhang.id}&asOf=2026-11-22`)).items.length).toBeGreaterThan(0);
    const outside = await app.inject({ url: `/api/v1/due?cadreId=${cadres.zhang.id}`, headers: as(s.shipuAdmin) });
    expect(outside.statusCode).toBe(404);
    const missing = await app.inject({ url: '/api/v1/due?cadreId=999999', headers: as(s.townAdmin) });
    expect(missing.statusCode).toBe(404);
  });

  it('refuses an account without a cadre, and bad query values', async () => {
    const res = await app.inject({ url: '/api/v1/due', headers: as(s.noCadre) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('未关联干部');
    for (const q of ['asOf=2026-13-01', 'asOf=tomorrow', 'cadreId=abc', 'cadreId=-1']) {
      expect((await app.inject({ url: `/api/v1/due?${q}`, headers: as(s.zhang) })).statusCode, q).toBe(400);
    }
    expect((await app.inject({ url: '/api/v1/due' })).statusCode).toBe(401);
  });
});
