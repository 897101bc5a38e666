import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { figureKeys, type FigureKey } from '../../../contracts/statistics.ts';
import { admin, createTestDatabase, makeCadre, makeUnit, seedXiangshan, XIANGSHAN } from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import { seededRandom } from '../demo/names.ts';
import { createCampaign } from '../campaigns/campaigns.ts';
import { computeFigures, type FigureFilter, type FigureGrouping } from './figures.ts';
import { systemActor } from '../auth/actor.ts';
import { cadreParticipations, missedByCadre, rankings, unitParticipations } from './dashboard.ts';
import { areaSegments, MISSED_BITS, refreshRollups, rollupLimits, rollupsAnswer, TOTAL_GROUP } from './rollups.ts';

// The rollups must equal the records: a random world of every kind of record the figures count
// (field records with participants and targets, writings, matters, tickets, compliance rows)
// over a year's end, then edits, moves and deletes; after each step every figure, for every
// filter and grouping the rollups answer, must equal the recount from the records.

const figuresWithoutPairings = figureKeys.filter((k) => k !== 'cadresDispatched' && k !== 'teamsFormed');
const kinds = ['household_visit', 'stay', 'forum', 'talk', 'consultation', 'policy_talk', 'condolence', 'reception', 'onsite_office', 'enterprise_visit', 'project_visit', 'research'] as const;

let h: DatabaseHandle;
let campaigns: number[];
let places: { code: string; path: string; level: string }[];
let cadres: { id: number; unitPath: string }[];
let targets: { id: number; kind: string }[];
let townships: { code: string; path: string }[];
let rules: number[];
const random = seededRandom(20261122);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
/** A day from 2025-11-20 to 2026-02-10: across a year's end and several month ends. */
const day = () => new Date(Date.UTC(2025, 10, 20) + int(0, 82) * 86_400_000).toISOString().slice(0, 10);
const campaign = () => (random() < 0.2 ? null : pick(campaigns));

async function addActivities(n: number) {
  for (let i = 0; i < n; i++) {
    const kind = pick(kinds);
    const place = pick(places);
    const d = day();
    // Some at 23:30 China time (15:30 UTC the same date): the China day, not the UTC one, counts.
    const at = random() < 0.2 ? `${d}T23:30:00+08:00` : `${d}T0${int(7, 9)}:00:00+08:00`;
    const body = { kind, d, place: place.code, i, r: random() };
    const a = await h.db.insertInto('activities').values({
      client_id: randomUUID(), client_hash: createHash('sha256').update(JSON.stringify(body)).digest('hex'), campaign_id: campaign(), kind, title: kind,
      starts_at: at, ends_at: at, stay_days: kind === 'stay' ? int(1, 3) : 0, region_code: place.code, region_path: place.path,
      attendees: random() < 0.7 ? int(0, 40) : null, money_fen: kind === 'condolence' ? int(0, 3) * 10_000 : null,
    } as never).returning('id').executeTakeFirstOrThrow();
    const people = [...new Set([pick(cadres), pick(cadres), pick(cadres)].slice(0, int(1, 3)))];
    await h.db.insertInto('activity_participants').values(people.map((c) => ({ activity_id: a.id, cadre_id: c.id, unit_path: c.unitPath }))).execute();
    const reached = [...new Set([pick(targets), pick(targets)].slice(0, int(0, 2)))];
    if (reached.length) await h.db.insertInto('activity_targets').values(reached.map((t) => ({ activity_id: a.id, target_id: t.id }))).execute();
  }
}

async function addOthers(n: number) {
  const cat = await h.db.selectFrom('ticket_categories').select('code').orderBy('code').executeTakeFirstOrThrow();
  const author = await h.db.selectFrom('cadres').select(['id', 'unit_id']).executeTakeFirstOrThrow();
  const unitPath = cadres[0]!.unitPath;
  for (let i = 0; i < n; i++) {
    const place = pick(places);
    const status = pick(['draft', 'submitted', 'reviewed', 'selected'] as const);
    await h.db.insertInto('writings').values({
      kind: pick(['diary', 'research_topic', 'research_report', 'leader_memo', 'development_plan']), title: `手记${i}`, author_cadre_id: author.id,
      campaign_id: campaign(), region_code: place.code, region_path: place.path, unit_path: unitPath, status, grade: status === 'reviewed' || status === 'selected' ? '良' : null, written_on: day(),
    } as never).execute();
    const promised = day();
    const done = random() < 0.5;
    await h.db.insertInto('practical_matters').values({
      campaign_id: campaign(), target_id: pick(targets).id, cadre_id: pick(cadres).id, title: `实事${i}`, amount_fen: int(0, 5) * 100_000,
      status: done ? 'done' : pick(['promised', 'in_progress']), promised_on: promised, done_on: done ? (promised > '2026-01-15' ? promised : '2026-01-31') : null,
      region_code: place.code, region_path: place.path, unit_path: random() < 0.5 ? unitPath : null,
    } as never).execute();
    const created = day();
    const resolved = random() < 0.6 ? `${created > '2026-01-31' ? created : '2026-01-31'}T${random() < 0.3 ? '23:40' : '10:00'}:00+08:00` : null;
    await h.db.insertInto('tickets').values({
      tracking_code: `LX${randomUUID().slice(0, 8).toUpperCase()}`, source: 'hotline', type: 'help', category_code: cat.code, urgency: 'normal',
      title: `工单${i}`, content: '路灯不亮', region_code: place.code, region_path: place.path, state: resolved ? 'closed' : 'registered',
      campaign_id: campaign(), created_at: `${created}T${random() < 0.3 ? '23:50' : '09:00'}:00+08:00`, updated_at: new Date(),
      resolved_at: resolved, resolved_on_time: resolved ? random() < 0.6 : null, rating: resolved && random() < 0.7 ? pick(['satisfied', 'basically_satisfied', 'unsatisfied']) : null,
    } as never).execute();
  }
}

async function addCompliance() {
  // Months, a quarter and a week across the year's end (its bit lies in the year it starts).
  const windows: [string, string][] = [['2025-12-01', '2025-12-31'], ['2026-01-01', '2026-01-31'], ['2026-02-01', '2026-02-28'], ['2026-01-01', '2026-03-31'], ['2025-12-29', '2026-01-04']];
  for (const ruleId of rules) {
    for (const [start, end] of windows) {
      for (const c of cadres) {
        const place = pick(townships);
        await h.db.insertInto('compliance_results').values({
          rule_id: ruleId, window_key: `${start}~${end}`, subject_id: c.id, window_start: start, window_end: end, subject_name: `干部${c.id}`, count: 1,
          required_min: 1, required_max: null, status: pick(['met', 'missed', 'on_track', 'at_risk']), reason: '', explanation: '', cadre_id: c.id, unit_path: c.unitPath,
          region_path: random() < 0.1 ? null : random() < 0.5 ? place.path : pick(places).path,
        }).execute();
      }
    }
  }
}

/** Every filter and grouping the rollups answer, compared with the recount from the records. */
async function expectRollupsEqualRecords(step: string) {
  const seg = await areaSegments(h.db);
  const county = places.find((p) => p.code === XIANGSHAN)!;
  const periods: [string, string][] = [
    ['2025-11-20', '2026-02-10'], ['2025-12-01', '2026-01-31'], ['2025-12-15', '2026-01-10'], ['2026-01-01', '2026-01-01'], ['2025-12-31', '2025-12-31'], ['2026-01-05', '2026-02-27'],
    // Four whole months and ten days of a month with records after them (its subjects found by month set).
    ['2025-08-01', '2025-12-10'],
  ];
  // The top of the tree (a whole tree, read per cadre from stat_cadre_root), the city (its counties
  // read from stat_compliance_county), the county (its townships from stat_compliance) and two townships.
  const regions = [null, county.path.split('/')[0]!, county.path.split('/').slice(0, 2).join('/'), county.path, townships[0]!.path, townships[1]!.path];
  let compared = 0;
  let missedSeen = 0;
  let cadresSeen = 0;
  let rankedSeen = 0;
  for (const [from, to] of periods) {
    for (const regionPath of regions) {
      for (const campaignId of [null, campaigns[0]!]) {
        const filter: FigureFilter = { campaignId, regionPath, unitPath: null, from, to };
        // The dashboard's rankings and missed-duty warnings, from the rollups and from the records.
        const ordered = async (rel: ReturnType<typeof cadreParticipations>, cols: string) =>
          (await sql<Record<string, unknown>>`select * from (${rel}) x order by ${sql.raw(cols)}`.execute(h.db)).rows;
        const cadres = await ordered(cadreParticipations(filter, seg), 'cadre_id');
        expect(cadres, `${step}: participations per cadre ${JSON.stringify(filter)}`).toEqual(await ordered(cadreParticipations(filter, null), 'cadre_id'));
        expect(await ordered(unitParticipations(filter, seg), 'unit_path'), `${step}: participations per unit ${JSON.stringify(filter)}`)
          .toEqual(await ordered(unitParticipations(filter, null), 'unit_path'));
        cadresSeen += cadres.length;
        // The rankings the same from the rollups and the records, the scores joined to the cadres or the unranked left out.
        const ranked = await rankings(h.db, systemActor('test'), filter, seg, true);
        for (const [s, leaveOut] of [[seg, false], [null, true], [null, false]] as const) {
          expect(await rankings(h.db, systemActor('test'), filter, s, leaveOut), `${step}: rankings ${JSON.stringify(filter)} ${s} ${leaveOut}`).toEqual(ranked);
        }
        rankedSeen += ranked.cadres.length;
        const missed = await ordered(await missedByCadre(h.db, filter, seg), 'cadre_id');
        expect(missed, `${step}: missed duties ${JSON.stringify(filter)}`).toEqual(await ordered(await missedByCadre(h.db, filter, null), 'cadre_id'));
        missedSeen += missed.length;
        const groupings: FigureGrouping[] = ['none', 'month', 'day', 'childRegion'];
        for (const grouping of groupings) {
          const childSegment = grouping === 'childRegion' ? (regionPath ?? county.path).split('/').length + 1 : null;
          // A township's villages are below the areas: counted from the records, but for 履职达标率.
          const villages = townships.some((t) => t.path === regionPath) && grouping === 'childRegion';
          expect(rollupsAnswer(seg, filter, childSegment), `${step}: the rollups answer ${JSON.stringify(filter)} ${grouping}`).toBe(!villages);
          const rolled = await computeFigures(h.db, filter, figuresWithoutPairings, grouping);
          const recounted = await computeFigures(h.db, filter, figuresWithoutPairings, grouping, { source: 'records' });
          expect(rolled, `${step}: ${JSON.stringify(filter)} by ${grouping}`).toEqual(recounted);
          compared++;
          if (grouping === 'childRegion') {
            // With the total group (one pass over the rollups): the children as without it, and the
            // total as grouping 'none' counts the records.
            const withTotal = await computeFigures(h.db, filter, figuresWithoutPairings, grouping, { total: true });
            expect(withTotal.filter((g) => g.group !== TOTAL_GROUP), `${step}: ${JSON.stringify(filter)} children beside the total`).toEqual(recounted);
            const whole = await computeFigures(h.db, filter, figuresWithoutPairings, 'none', { source: 'records' });
            expect(withTotal.find((g) => g.group === TOTAL_GROUP)?.figures, `${step}: ${JSON.stringify(filter)} total`).toEqual(whole[0]!.figures);
          }
        }
      }
    }
  }
  expect(missedSeen, `${step}: some cadres have missed duties`).toBeGreaterThan(10);
  expect(cadresSeen, `${step}: some cadres have records`).toBeGreaterThan(10);
  expect(rankedSeen, `${step}: some cadres are ranked`).toBeGreaterThan(10);
  return compared;
}

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  places = await h.db.selectFrom('regions').select(['code', 'path', 'level']).where('path', 'like', `%${XIANGSHAN}%`).orderBy('code').execute();
  townships = places.filter((p) => p.level === 'township').slice(0, 3);
  // Records in three townships, their villages, and the county itself.
  places = places.filter((p) => p.code === XIANGSHAN || townships.some((t) => p.path === t.path || p.path.startsWith(`${t.path}/`))).slice(0, 40);
  const unitA = await makeUnit(h.db, townships[0]!.code, { name: '甲镇党委' });
  const unitB = await makeUnit(h.db, townships[1]!.code, { name: '乙镇党委' });
  const unitC = await makeUnit(h.db, XIANGSHAN, { name: '县直部门', level: 'county' });
  const pathOf = async (id: number) => (await h.db.selectFrom('units').select('path').where('id', '=', id).executeTakeFirstOrThrow()).path;
  cadres = [];
  for (const u of [unitA, unitB, unitC]) {
    for (let i = 0; i < 3; i++) cadres.push({ id: (await makeCadre(h.db, u.id, { name: `干部${u.id}-${i}` })).id, unitPath: await pathOf(u.id) });
  }
  targets = [];
  for (let i = 0; i < 12; i++) {
    const kind = i < 8 ? 'household' : i < 10 ? 'enterprise' : 'project';
    const place = pick(places);
    const t = await h.db.insertInto('contact_targets').values({
      kind, name: `对象${i}`, name_initials: '', region_code: place.code, region_path: place.path, tags: kind === 'household' && i % 2 === 0 ? ['困难户'] : [], updated_at: new Date(),
    } as never).returning('id').executeTakeFirstOrThrow();
    targets.push({ id: t.id, kind });
  }
  campaigns = [
    (await createCampaign(h.db, admin, { name: '干部下基层', startsOn: '2025-11-01', endsOn: '2026-12-31', regionCode: XIANGSHAN })).id,
    (await createCampaign(h.db, admin, { name: '专项行动', startsOn: '2025-11-01', endsOn: '2026-12-31', regionCode: XIANGSHAN })).id,
  ];
  rules = [];
  for (const [name, subject, active] of [['每月走访', 'cadre', true], ['组团', 'team', true], ['停用', 'cadre', false]] as const) {
    rules.push((await h.db.insertInto('requirement_rules').values({ campaign_id: pick(campaigns), name, rule: JSON.stringify({ subject }), active } as never).returning('id').executeTakeFirstOrThrow()).id);
  }
  await addActivities(160);
  await addOthers(40);
  await addCompliance();
}, 300_000);

afterAll(async () => {
  await h?.close();
});

const limitBefore = rollupLimits.subjectRecountUpToKeys;

describe('statistics rollups', () => {
  it('are built on first use and equal the records for every filter and grouping', async () => {
    const first = await refreshRollups(h.db);
    expect(first).toMatchObject({ rebuilt: true });
    expect(first.segments).toBe(townships[0]!.path.split('/').length);
    const counts = await sql<{ d: number; r: number; c: number; k: number }>`
      select (select count(*)::int from stat_day) as d, (select count(*)::int from stat_reach) as r,
        (select count(*)::int from stat_compliance) as c, (select count(*)::int from stat_cadre_year) as k`.execute(h.db);
    expect(counts.rows[0]!.d).toBeGreaterThan(50);
    expect(counts.rows[0]!.r).toBeGreaterThan(10);
    expect(counts.rows[0]!.c).toBeGreaterThan(5);
    expect(counts.rows[0]!.k).toBeGreaterThan(20);
    // Subjects reached in several areas or campaigns (merged before counting) and subjects with one row.
    const shared = await sql<{ yes: number; no: number }>`select count(*) filter (where shared)::int as yes, count(*) filter (where not shared)::int as no from stat_reach`.execute(h.db);
    expect(shared.rows[0]!.yes).toBeGreaterThan(5);
    expect(shared.rows[0]!.no).toBeGreaterThan(5);
    expect(await expectRollupsEqualRecords('built')).toBeGreaterThan(100);
  }, 300_000);

  // The same edits twice: distinct reach recounted per subject reached on the days touched (as
  // after a few writes), then per area and year (as after a bulk change).
  for (const [label, upTo] of [['after edits, reach recounted per subject', Infinity], ['after edits, reach recounted per area and year', 0]] as const) {
    it(`stay equal through inserts, edits that move records, deletes and re-tagged targets (${label})`, async () => {
      rollupLimits.subjectRecountUpToKeys = upTo;
      try {
        await addActivities(30);
        await addOthers(10);
        // Move records across days, areas and campaigns; change what they count.
        const moved = await h.db.selectFrom('activities').select('id').orderBy('id').limit(25).execute();
        for (const [i, a] of moved.entries()) {
          const place = pick(places);
          await h.db.updateTable('activities').set({
            starts_at: `${day()}T10:00:00+08:00`, ends_at: `${day() > '2026-02-11' ? '2026-02-11' : '2026-02-11'}T10:00:00+08:00`, region_code: place.code, region_path: place.path,
            campaign_id: i % 3 === 0 ? null : pick(campaigns), kind: pick(kinds), attendees: int(0, 9),
          } as never).where('id', '=', a.id).execute();
        }
        await h.db.deleteFrom('activities').where('id', 'in', moved.slice(0, 5).map((a) => a.id)).execute();
        const some = await h.db.selectFrom('activity_participants').select(['activity_id', 'cadre_id']).orderBy('activity_id', 'desc').limit(5).execute();
        for (const p of some) await h.db.deleteFrom('activity_participants').where('activity_id', '=', p.activity_id).where('cadre_id', '=', p.cadre_id).execute();
        await h.db.deleteFrom('activity_targets').where('activity_id', 'in', (await h.db.selectFrom('activity_targets').select('activity_id').limit(5).execute()).map((r) => r.activity_id)).execute();
        // A cadre retired and one moved to the third unit: out of the ranking, and ranked there.
        await h.db.updateTable('cadres').set({ status: 'retired' }).where('id', '=', cadres[0]!.id).execute();
        await sql`update cadres set unit_id = (select unit_id from cadres where id = ${cadres[8]!.id}) where id = ${cadres[1]!.id}`.execute(h.db);
        // 困难户 added to and taken from households already visited.
        await sql`update contact_targets set tags = case when tags = '{}' then array['困难户'] else '{}' end where kind = 'household'`.execute(h.db);
        await sql`update writings set status = case when status = 'draft' then 'submitted' else 'draft' end, written_on = written_on + 3 where id % 3 = 0 and status in ('draft', 'submitted')`.execute(h.db);
        await sql`update practical_matters set status = 'done', done_on = promised_on + 40 where status <> 'done' and id % 2 = 0`.execute(h.db);
        await sql`update tickets set resolved_at = created_at + interval '20 days', resolved_on_time = true, rating = 'satisfied', state = 'closed' where resolved_at is null and id % 2 = 0`.execute(h.db);
        await sql`update tickets set merged_into_id = (select min(id) from tickets) where id % 7 = 0 and id <> (select min(id) from tickets)`.execute(h.db);
        await sql`update compliance_results set status = case when status = 'met' then 'missed' else 'met' end where subject_id % 2 = 0`.execute(h.db);
        await sql`update compliance_results set region_path = ${townships[2]!.path} where subject_id % 3 = 0`.execute(h.db);
        await sql`delete from compliance_results where window_start = '2026-02-01' and subject_id % 4 = 0`.execute(h.db);
        // The inactive cadre rule switched on, the active one off: their missed rows swap in the warnings.
        await sql`update requirement_rules set active = not active where (rule ->> 'subject') = 'cadre'`.execute(h.db);
        // A cadre rule moved to the other campaign: its windows are numbered again there.
        await sql`update requirement_rules set campaign_id = case when campaign_id = ${campaigns[0]!}::int then ${campaigns[1]!}::int else ${campaigns[0]!}::int end
          where id = (select min(id) from requirement_rules where (rule ->> 'subject') = 'cadre')`.execute(h.db);
        await sql`delete from tickets where id % 11 = 0 and id not in (select merged_into_id from tickets where merged_into_id is not null)`.execute(h.db);

        const pending = await sql<{ n: number }>`select (select count(*) from stat_pending) + (select count(*) from stat_compliance_pending) as n`.execute(h.db);
        expect(Number(pending.rows[0]!.n)).toBeGreaterThan(0);
        const refreshed = await refreshRollups(h.db);
        expect(refreshed).toMatchObject({ rebuilt: false });
        expect(refreshed.days).toBeGreaterThan(0);
        expect(refreshed.compliance).toBeGreaterThan(0);
        expect(await expectRollupsEqualRecords(label)).toBeGreaterThan(100);
      } finally {
        rollupLimits.subjectRecountUpToKeys = limitBefore;
      }
    }, 300_000);
  }

  it('count missed duties from the compliance rows for a campaign-year with more windows than a row has bits', async () => {
    await refreshRollups(h.db);
    // As if 2026 had more windows than bits: its windows numbered beyond them (the rows' bits then stand for nothing).
    const shifted = await sql`update stat_missed_window set bit = bit + ${MISSED_BITS} where year = 2026`.execute(h.db);
    expect(Number(shifted.numAffectedRows)).toBeGreaterThan(3);
    expect(await expectRollupsEqualRecords('2026 beyond the bits')).toBeGreaterThan(100);
    // A window missed for the first time is numbered after them, beyond the bits too, and counted.
    const rule = (await sql<{ id: number }>`select id from requirement_rules where active and (rule ->> 'subject') = 'cadre' order by id limit 1`.execute(h.db)).rows[0]!.id;
    await h.db.insertInto('compliance_results').values(cadres.slice(0, 4).map((c) => ({
      rule_id: rule, window_key: '2026-01-12~2026-01-18', subject_id: c.id, window_start: '2026-01-12', window_end: '2026-01-18', subject_name: `干部${c.id}`, count: 0,
      required_min: 1, required_max: null, status: 'missed' as const, reason: '', explanation: '', cadre_id: c.id, unit_path: c.unitPath, region_path: townships[0]!.path,
    }))).execute();
    expect(await refreshRollups(h.db)).toMatchObject({ rebuilt: false });
    const numbered = await sql<{ bit: number }>`select bit from stat_missed_window where window_start = '2026-01-12'`.execute(h.db);
    expect(numbered.rows[0]!.bit).toBeGreaterThanOrEqual(MISSED_BITS);
    expect(await expectRollupsEqualRecords('a new window beyond the bits')).toBeGreaterThan(100);
  }, 300_000);

  it('are what the figures read: a rollup row changed behind their back shows, and a region change rebuilds them', async () => {
    // An area's figures read stat_day and stat_month; the whole tree's, stat_day_up (its days summed at the top).
    const { area } = (await sql<{ area: string }>`select area from stat_day where day between '2025-11-20' and '2025-11-30' and cardinality(string_to_array(area, '/')) = (select area_segments from stat_rollup_state) limit 1`.execute(h.db)).rows[0]!;
    const period = { campaignId: null, unitPath: null, from: '2025-11-20', to: '2026-02-10' };
    const inArea: FigureFilter = { ...period, regionPath: area };
    const whole: FigureFilter = { ...period, regionPath: null };
    const keys: FigureKey[] = ['stayDays'];
    const stays = async (f: FigureFilter) => (await computeFigures(h.db, f, keys))[0]!.figures[0]!.value as number;
    const [areaTruth, wholeTruth] = [await stays(inArea), await stays(whole)];
    await sql`update stat_day set stay_days = stay_days + 1000 where ctid = (select ctid from stat_day where day between '2025-11-20' and '2025-11-30' and area = ${area} limit 1)`.execute(h.db);
    await sql`insert into stat_month (campaign_id, area, month, stay_days) values (0, ${area}, '2025-12-01', 1000)
      on conflict (campaign_id, month, area) do update set stay_days = stat_month.stay_days + 1000`.execute(h.db);
    await sql`update stat_day_up set stay_days = stay_days + 1000 where ctid = (select ctid from stat_day_up where cut = 1 and day between '2025-11-20' and '2026-02-10' limit 1)`.execute(h.db);
    expect(await stays(inArea)).toBe(areaTruth + 2000);
    expect(await stays(whole)).toBe(wholeTruth + 1000);
    // Any change to the region tree (here a name) makes the next read rebuild from the records.
    await sql`update regions set name = name where code = ${XIANGSHAN}`.execute(h.db);
    expect(await stays(inArea)).toBe(areaTruth);
    expect(await stays(whole)).toBe(wholeTruth);
  }, 120_000);

  it('rebuild once when asked side by side inside one transaction (one session: the advisory lock does not separate them)', async () => {
    const filter: FigureFilter = { campaignId: null, regionPath: null, unitPath: null, from: '2025-12-01', to: '2026-01-31' };
    const recounted = await computeFigures(h.db, filter, figuresWithoutPairings, 'month', { source: 'records' });
    await sql`delete from stat_rollup_state`.execute(h.db);
    await h.db.transaction().execute(async (tx) => {
      const [a, b, c, d] = await Promise.all([
        refreshRollups(tx), refreshRollups(tx), computeFigures(tx, filter, figuresWithoutPairings, 'month'), computeFigures(tx, filter, figuresWithoutPairings, 'none'),
      ]);
      expect([a.rebuilt, b.rebuilt]).toEqual([true, false]);
      expect(c).toEqual(recounted);
      expect(d).toEqual(await computeFigures(tx, filter, figuresWithoutPairings, 'none', { source: 'records' }));
    });
  }, 120_000);

  it('leave unit-filtered and village-level questions to the records', async () => {
    const seg = await areaSegments(h.db);
    const village = places.find((p) => p.level === 'village')!;
    expect(rollupsAnswer(seg, { campaignId: null, regionPath: village.path, unitPath: null, from: '2026-01-01', to: '2026-01-31' }, null)).toBe(false);
    expect(rollupsAnswer(seg, { campaignId: null, regionPath: null, unitPath: cadres[0]!.unitPath, from: '2026-01-01', to: '2026-01-31' }, null)).toBe(false);
    expect(rollupsAnswer(seg, { campaignId: null, regionPath: townships[0]!.path, unitPath: null, from: '2026-01-01', to: '2026-01-31' }, townships[0]!.path.split('/').length + 1)).toBe(false);
  });
});
