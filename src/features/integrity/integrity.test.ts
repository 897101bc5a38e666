import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckKind } from '../../../contracts/integrity.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import {
  DANDONG, SHIPU, XIANGSHAN, admin, as, createTestApp, createTestDatabase, login, makeCadre, makeUnit, makeUser, seedXiangshan, testConfig, testDriver, type Session,
} from '../../../test/helpers.ts';
import { checkActivity, checkPendingActivities, scanIntegrity, startIntegrityWorker } from './integrity.ts';
import { clearFlag } from './flags.ts';

// Each check fires on a case just past its threshold and stays quiet on one just short of it.
// Records are inserted with SQL (as the activity feature would) and checked incrementally right
// after, as the activity feature does after each write; the full scan must then agree.

const T = testConfig().integrity; // 3000 m, 80 km/h, 7 days, 5 within 30 minutes
const M_PER_DEG_LAT = (6371008.8 * Math.PI) / 180; // along a meridian the haversine is exact
const north = (lat: number, metres: number) => lat + metres / M_PER_DEG_LAT;
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const BASE = new Date('2025-03-03T01:00:00Z'); // 09:00 in China

let h: DatabaseHandle;
let app: App;
let villages: { dandong: string[]; shipu: string[] };
let unitDandong: number;
let unitShipu: number;
let recorder: number;

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db, { LIANXIN_INTEGRITY_INTERVAL_MS: '0' }); // no background checks: each test checks when it means to
  const villagesOf = async (township: string) =>
    (await h.db.selectFrom('regions').select('code').where('parent_code', '=', township).where('level', '=', 'village').orderBy('code').limit(4).execute()).map((r) => r.code);
  villages = { dandong: await villagesOf(DANDONG), shipu: await villagesOf(SHIPU) };
  unitDandong = (await makeUnit(h.db, DANDONG, { name: '丹东街道办' })).id;
  unitShipu = (await makeUnit(h.db, SHIPU, { name: '石浦镇办' })).id;
  recorder = (await makeUser(h.db, 'admin')).id;
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const cadre = async (unitId = unitDandong) => (await makeCadre(h.db, unitId, { name: `干部${randomBytes(2).toString('hex')}` })).id;

async function target(o: { kind?: 'village' | 'community' | 'household'; regionCode: string; lat?: number; lon?: number; attrs?: Record<string, unknown> }) {
  const region = await h.db.selectFrom('regions').select(['path', 'name']).where('code', '=', o.regionCode).executeTakeFirstOrThrow();
  const kind = o.kind ?? 'household';
  const row = await h.db.insertInto('contact_targets').values({
    kind, name: kind === 'household' ? `农户${randomBytes(2).toString('hex')}` : region.name, name_initials: 'x', region_code: o.regionCode, region_path: region.path,
    latitude: o.lat ?? null, longitude: o.lon ?? null, attrs: JSON.stringify(o.attrs ?? (kind === 'household' ? { head: '户主' } : {})), updated_at: new Date(),
  }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

async function photo() {
  return (await h.db.insertInto('photos').values({ sha256: randomBytes(32).toString('hex'), mime: 'image/jpeg', bytes: 100 }).returning('id').executeTakeFirstOrThrow()).id;
}

type NewRecord = {
  kind?: 'household_visit' | 'stay' | 'forum' | 'policy_talk';
  startsAt: Date;
  endsAt?: Date;
  regionCode?: string;
  cadreIds: number[];
  targetIds?: number[];
  photoIds?: number[];
  gps?: { lat: number; lon: number; acc?: number };
  attendees?: number;
  recordedAt?: Date;
  recordedBy?: number | null;
  /** false: leave it waiting for the background checks. */
  check?: boolean;
};

/** Inserts one record with its participants, targets and photos, then runs the incremental check (as an edit does). */
async function record(r: NewRecord) {
  const regionCode = r.regionCode ?? villages.dandong[0]!;
  const region = await h.db.selectFrom('regions').select('path').where('code', '=', regionCode).executeTakeFirstOrThrow();
  const endsAt = r.endsAt ?? new Date(r.startsAt.getTime() + HOUR);
  const { id } = await h.db.insertInto('activities').values({
    client_id: randomUUID(), client_hash: 'test', kind: r.kind ?? 'household_visit', starts_at: r.startsAt, ends_at: endsAt, region_code: regionCode, region_path: region.path,
    latitude: r.gps?.lat ?? null, longitude: r.gps?.lon ?? null, accuracy_m: r.gps ? (r.gps.acc ?? 0) : null, attendees: r.attendees ?? null,
    recorded_by: r.recordedBy === undefined ? recorder : r.recordedBy, recorded_at: r.recordedAt ?? new Date(endsAt.getTime() + 10 * 60_000),
  }).returning('id').executeTakeFirstOrThrow();
  for (const cadreId of r.cadreIds) {
    const unit = await h.db.selectFrom('cadres').innerJoin('units', 'units.id', 'cadres.unit_id').select('units.path').where('cadres.id', '=', cadreId).executeTakeFirstOrThrow();
    await h.db.insertInto('activity_participants').values({ activity_id: id, cadre_id: cadreId, unit_path: unit.path }).execute();
  }
  if (r.targetIds?.length) await h.db.insertInto('activity_targets').values(r.targetIds.map((t) => ({ activity_id: id, target_id: t }))).execute();
  if (r.photoIds?.length) await h.db.insertInto('activity_photos').values(r.photoIds.map((p, i) => ({ activity_id: id, photo_id: p, position: i }))).execute();
  if (r.check !== false) await checkActivity(h.db, T, id);
  return id;
}

const flagsOn = async (activityId: number, kind?: CheckKind) => {
  let q = h.db.selectFrom('integrity_flags').selectAll().where('activity_id', '=', activityId);
  if (kind) q = q.where('check_kind', '=', kind);
  return q.orderBy('id').execute();
};
const kindsOn = async (activityId: number) => (await flagsOn(activityId)).map((f) => f.check_kind).sort();

/** Every flag as a comparable line, ids and times left out. */
const snapshot = async () =>
  (await h.db.selectFrom('integrity_flags').select(['activity_id', 'check_kind', 'dedupe_key', 'cadre_id', 'evidence', 'region_path', 'cleared_at']).execute())
    .map((f) => JSON.stringify([f.activity_id, f.check_kind, f.dedupe_key, f.cadre_id, f.evidence, f.region_path, f.cleared_at !== null]))
    .sort();

describe(`integrity checks on ${testDriver}`, () => {
  it('duplicate_photo: the same photo on two records flags both, naming the other and the photo; different photos do not', async () => {
    const c = await cadre();
    const shared = await photo();
    const a = await record({ startsAt: new Date(BASE.getTime() - 40 * DAY), cadreIds: [c], photoIds: [shared, await photo()] });
    const b = await record({ startsAt: new Date(BASE.getTime() - 39 * DAY), cadreIds: [c], photoIds: [shared] });
    const other = await record({ startsAt: new Date(BASE.getTime() - 38 * DAY), cadreIds: [c], photoIds: [await photo()] });
    const sha = (await h.db.selectFrom('photos').select('sha256').where('id', '=', shared).executeTakeFirstOrThrow()).sha256;
    const [fa] = await flagsOn(a, 'duplicate_photo');
    const [fb] = await flagsOn(b, 'duplicate_photo');
    expect(fa?.evidence).toEqual({ otherActivityId: b, photos: [{ photoId: shared, sha256: sha }] });
    expect(fb?.evidence).toEqual({ otherActivityId: a, photos: [{ photoId: shared, sha256: sha }] });
    expect(fa?.dedupe_key).toBe(String(b));
    expect(await kindsOn(other)).toEqual([]);
  });

  it('far_from_target: 3.1 km from the target is flagged, 2.9 km is not, nor 3.1 km with 200 m accuracy', async () => {
    const c = await cadre();
    const lat = 29.48;
    const lon = 121.87;
    const t = await target({ regionCode: villages.dandong[0]!, lat, lon });
    const day = (n: number) => new Date(BASE.getTime() - (30 - n) * DAY);
    const far = await record({ startsAt: day(0), cadreIds: [c], targetIds: [t], gps: { lat: north(lat, 3100), lon } });
    const near = await record({ startsAt: day(1), cadreIds: [c], targetIds: [t], gps: { lat: north(lat, 2900), lon } });
    const fuzzy = await record({ startsAt: day(2), cadreIds: [c], targetIds: [t], gps: { lat: north(lat, 3100), lon, acc: 200 } });
    const [f] = await flagsOn(far, 'far_from_target');
    expect(f?.evidence).toMatchObject({ targetId: t, distanceM: 3100, beyondAccuracyM: 3100, maxDistanceM: 3000, target: { latitude: lat, longitude: lon } });
    expect(await kindsOn(near)).toEqual([]);
    expect(await kindsOn(fuzzy)).toEqual([]);
  });

  it('impossible_travel: 81 km in an hour flags both records for the cadre; 79 km does not', async () => {
    const fast = await cadre();
    const slow = await cadre();
    const lat = 29.3;
    const lon = 121.9;
    const start = new Date(BASE.getTime() - 20 * DAY);
    const a = await record({ startsAt: start, cadreIds: [fast], gps: { lat, lon } });
    const b = await record({ startsAt: new Date(start.getTime() + 2 * HOUR), cadreIds: [fast], gps: { lat: north(lat, 81_000), lon } });
    const c = await record({ startsAt: start, cadreIds: [slow], gps: { lat, lon } });
    const d = await record({ startsAt: new Date(start.getTime() + 2 * HOUR), cadreIds: [slow], gps: { lat: north(lat, 79_000), lon } });
    const [fa] = await flagsOn(a, 'impossible_travel');
    const [fb] = await flagsOn(b, 'impossible_travel');
    expect(fa).toMatchObject({ cadre_id: fast, dedupe_key: `${b}/${fast}` });
    expect(fa?.evidence).toMatchObject({ otherActivityId: b, cadreId: fast, distanceM: 81_000, minutes: 60, speedKmh: 81, first: { activityId: a, source: 'gps' }, second: { activityId: b } });
    expect(fb?.evidence).toMatchObject({ otherActivityId: a, speedKmh: 81 });
    expect(await kindsOn(c)).toEqual([]);
    expect(await kindsOn(d)).toEqual([]);
  });

  it('impossible_travel: records without GPS are placed at their targets; overlapping records have no time at all', async () => {
    const c = await cadre();
    const t1 = await target({ regionCode: villages.dandong[1]!, lat: 29.2, lon: 121.8 });
    const t2 = await target({ regionCode: villages.dandong[1]!, lat: north(29.2, 10_000), lon: 121.8 });
    const start = new Date(BASE.getTime() - 19 * DAY);
    const a = await record({ startsAt: start, endsAt: new Date(start.getTime() + 3 * HOUR), cadreIds: [c], targetIds: [t1] });
    const b = await record({ startsAt: new Date(start.getTime() + HOUR), cadreIds: [c], targetIds: [t2] });
    const [f] = await flagsOn(b, 'impossible_travel');
    expect(f?.evidence).toMatchObject({ otherActivityId: a, minutes: 0, speedKmh: null, distanceM: 10_000, first: { source: 'targets', accuracyM: null } });
  });

  it('late_entry: entered 8 days after the end is flagged; exactly 7 days is not', async () => {
    const c = await cadre();
    const ends = new Date(BASE.getTime() - 60 * DAY);
    const late = await record({ startsAt: new Date(ends.getTime() - HOUR), endsAt: ends, cadreIds: [c], recordedAt: new Date(ends.getTime() + 8 * DAY), recordedBy: null });
    const onTime = await record({ startsAt: new Date(ends.getTime() - HOUR), endsAt: ends, cadreIds: [c], recordedAt: new Date(ends.getTime() + 7 * DAY), recordedBy: null });
    const [f] = await flagsOn(late, 'late_entry');
    expect(f?.evidence).toEqual({ endsAt: ends.toISOString(), recordedAt: new Date(ends.getTime() + 8 * DAY).toISOString(), daysLate: 8, lateDays: 7 });
    expect(await kindsOn(onTime)).toEqual([]);
  });

  it('backdated_burst: 5 back-dated records within 30 minutes flag all 5; 4 in a window and a fifth 31 minutes later do not, nor 5 fresh ones', async () => {
    const c = await cadre();
    const burster = await makeUser(h.db, 'cadre', { cadreId: c });
    const calm = await makeUser(h.db, 'cadre');
    const prompt = await makeUser(h.db, 'cadre');
    const at = new Date(BASE.getTime() - 5 * DAY);
    const old = (n: number) => new Date(BASE.getTime() - (9 + n) * DAY); // more than a day old when entered, not 7 days late
    const burst: number[] = [];
    for (const m of [0, 7, 15, 22, 30]) {
      const entered = new Date(at.getTime() + m * 60_000);
      burst.push(await record({ startsAt: new Date(entered.getTime() - 3 * DAY), cadreIds: [c], recordedBy: burster.id, recordedAt: entered }));
    }
    const spaced: number[] = [];
    for (const m of [0, 10, 20, 30, 61]) {
      const entered = new Date(at.getTime() + m * 60_000);
      spaced.push(await record({ startsAt: new Date(entered.getTime() - 3 * DAY), cadreIds: [c], recordedBy: calm.id, recordedAt: entered }));
    }
    const fresh: number[] = [];
    for (const m of [0, 5, 10, 15, 20]) fresh.push(await record({ startsAt: old(0), endsAt: new Date(at.getTime() + m * 60_000 - 3 * HOUR), cadreIds: [c], recordedBy: prompt.id, recordedAt: new Date(at.getTime() + m * 60_000) }));
    for (const id of burst) {
      const [f] = await flagsOn(id, 'backdated_burst');
      expect(f?.evidence).toMatchObject({ recordedBy: burster.id, count: 5, windowMinutes: 30, burstCount: 5 });
      expect(f?.cadre_id).toBe(c);
    }
    for (const id of [...spaced, ...fresh]) expect(await flagsOn(id, 'backdated_burst')).toEqual([]);
  });

  it('attendance_exceeds_population: 301 attendees in a village of 300 people is flagged, 300 is not; households count where no population is recorded; the region’s place stands in when no village is named', async () => {
    const c = await cadre();
    const v = await target({ kind: 'village', regionCode: villages.shipu[0]!, attrs: { population: 300, households: 90 } });
    const hh = await target({ kind: 'village', regionCode: villages.shipu[1]!, attrs: { households: 100 } });
    await target({ kind: 'village', regionCode: villages.shipu[2]!, attrs: { population: 50 } });
    const day = (n: number) => new Date(BASE.getTime() - (80 - n) * DAY);
    const over = await record({ kind: 'forum', startsAt: day(0), regionCode: villages.shipu[0], cadreIds: [c], targetIds: [v], attendees: 301 });
    const full = await record({ kind: 'forum', startsAt: day(1), regionCode: villages.shipu[0], cadreIds: [c], targetIds: [v], attendees: 300 });
    const byHouseholds = await record({ kind: 'policy_talk', startsAt: day(2), regionCode: villages.shipu[1], cadreIds: [c], targetIds: [hh], attendees: 150 });
    const byRegion = await record({ kind: 'forum', startsAt: day(3), regionCode: villages.shipu[2], cadreIds: [c], attendees: 51 });
    expect((await flagsOn(over, 'attendance_exceeds_population'))[0]?.evidence).toMatchObject({ attendees: 301, limit: 300, basis: 'population', places: [{ targetId: v, population: 300, households: 90 }] });
    expect(await kindsOn(full)).toEqual([]);
    expect((await flagsOn(byHouseholds, 'attendance_exceeds_population'))[0]?.evidence).toMatchObject({ attendees: 150, limit: 100, basis: 'households' });
    expect((await flagsOn(byRegion, 'attendance_exceeds_population'))[0]?.evidence).toMatchObject({ attendees: 51, limit: 50 });
  });

  it('double_stay: stays on the same China day in two villages flag both; the next China day (23:30 → 00:30) and the same village do not', async () => {
    const c = await cadre();
    const [v1, v2] = villages.dandong;
    const d = (iso: string) => new Date(iso);
    const a = await record({ kind: 'stay', startsAt: d('2025-01-10T08:00:00+08:00'), endsAt: d('2025-01-10T12:00:00+08:00'), regionCode: v1, cadreIds: [c] });
    const b = await record({ kind: 'stay', startsAt: d('2025-01-10T19:00:00+08:00'), endsAt: d('2025-01-10T21:00:00+08:00'), regionCode: v2, cadreIds: [c] });
    const lateNight = await record({ kind: 'stay', startsAt: d('2025-01-12T18:00:00+08:00'), endsAt: d('2025-01-12T23:30:00+08:00'), regionCode: v1, cadreIds: [c] });
    const nextDay = await record({ kind: 'stay', startsAt: d('2025-01-13T00:30:00+08:00'), endsAt: d('2025-01-13T09:00:00+08:00'), regionCode: v2, cadreIds: [c] });
    const sameVillage = await record({ kind: 'stay', startsAt: d('2025-01-12T08:00:00+08:00'), endsAt: d('2025-01-12T10:00:00+08:00'), regionCode: v1, cadreIds: [c] });
    const [fa] = await flagsOn(a, 'double_stay');
    expect(fa).toMatchObject({ cadre_id: c, dedupe_key: `${b}/${c}` });
    expect(fa?.evidence).toMatchObject({ otherActivityId: b, cadreId: c, from: '2025-01-10', to: '2025-01-10' });
    expect((await flagsOn(b, 'double_stay'))[0]?.evidence).toMatchObject({ otherActivityId: a });
    for (const id of [lateNight, nextDay, sameVillage]) expect(await flagsOn(id, 'double_stay')).toEqual([]);
  });

  it('a record corrected so a flag no longer holds loses its open flag (and its partner’s); a cleared flag is kept', async () => {
    const c = await cadre();
    const p = await photo();
    const a = await record({ startsAt: new Date(BASE.getTime() - 90 * DAY), cadreIds: [c], photoIds: [p] });
    const b = await record({ startsAt: new Date(BASE.getTime() - 89 * DAY), cadreIds: [c], photoIds: [p] });
    const ends = new Date(BASE.getTime() - 88 * DAY);
    const late = await record({ startsAt: new Date(ends.getTime() - HOUR), endsAt: ends, cadreIds: [c], recordedAt: new Date(ends.getTime() + 10 * DAY), recordedBy: null });
    const [lateFlag] = await flagsOn(late, 'late_entry');
    await clearFlag(h.db, admin, lateFlag!.id, { reason: '已核实，系补录纸质台账' });

    await h.db.deleteFrom('activity_photos').where('activity_id', '=', b).execute();
    await h.db.updateTable('activities').set({ recorded_at: new Date(ends.getTime() + HOUR) }).where('id', '=', late).execute();
    await checkActivity(h.db, T, b);
    await checkActivity(h.db, T, late);
    expect(await flagsOn(a, 'duplicate_photo')).toEqual([]);
    expect(await flagsOn(b, 'duplicate_photo')).toEqual([]);
    const kept = await flagsOn(late, 'late_entry');
    expect(kept.map((f) => [f.id, f.clear_reason])).toEqual([[lateFlag!.id, '已核实，系补录纸质台账']]);

    // A record corrected out of a burst of exactly five takes the other four's flags with it.
    const user = await makeUser(h.db, 'cadre');
    const at = new Date(BASE.getTime() - 87 * DAY);
    const burst: number[] = [];
    for (const m of [0, 5, 10, 15, 20]) {
      const entered = new Date(at.getTime() + m * 60_000);
      burst.push(await record({ startsAt: new Date(entered.getTime() - 2 * DAY), cadreIds: [c], recordedBy: user.id, recordedAt: entered }));
    }
    for (const id of burst) expect(await flagsOn(id, 'backdated_burst')).toHaveLength(1);
    await h.db.updateTable('activities').set({ ends_at: at, starts_at: new Date(at.getTime() - HOUR) }).where('id', '=', burst[2]!).execute();
    await checkActivity(h.db, T, burst[2]!);
    for (const id of burst) expect(await flagsOn(id, 'backdated_burst')).toEqual([]);
  });

  it('the full scan finds exactly what the incremental checks found, and a re-scan changes nothing', async () => {
    const before = await snapshot();
    expect(before.length).toBeGreaterThan(10);
    await h.db.deleteFrom('integrity_flags').where('cleared_at', 'is', null).execute();
    const first = await scanIntegrity(h.db, T);
    expect(await snapshot()).toEqual(before);
    expect(first.added).toBe(before.filter((l) => l.endsWith('false]')).length);
    expect(first.scanned).toBeGreaterThan(30);
    const again = await scanIntegrity(h.db, T);
    expect([again.added, again.removed]).toEqual([0, 0]);
    expect(again.byKind).toEqual(first.byKind);
    expect(await snapshot()).toEqual(before);
    // and re-running the incremental check on every record changes nothing either
    for (const { id } of await h.db.selectFrom('activities').select('id').execute()) {
      expect(await checkActivity(h.db, T, id)).toEqual({ added: 0, updated: 0, removed: 0 });
    }
    expect(await snapshot()).toEqual(before);

    // The background path: every record waiting, checked in batches (small ones here, so that pairs
    // span batches), finds the same flags again; the full scan marks every waiting record checked.
    const pending = () => h.db.selectFrom('activities').select('id').where('integrity_checked_at', 'is', null).execute();
    await h.db.deleteFrom('integrity_flags').where('cleared_at', 'is', null).execute();
    await h.db.updateTable('activities').set({ integrity_checked_at: null }).execute();
    const drained = await checkPendingActivities(h.db, T, { limit: 7 });
    expect(drained.checked).toBe(first.scanned);
    expect(drained.added).toBe(first.added);
    expect(await pending()).toEqual([]);
    expect(await snapshot()).toEqual(before);
    expect(await checkPendingActivities(h.db, T)).toEqual({ checked: 0, added: 0, updated: 0, removed: 0 });
    await h.db.updateTable('activities').set({ integrity_checked_at: null }).execute();
    expect((await scanIntegrity(h.db, T)).added).toBe(0);
    expect(await pending()).toEqual([]);
  });

  it('a stored record waits for its checks until the background worker has run them', async () => {
    const c = await cadre();
    const ends = new Date(BASE.getTime() - 100 * DAY);
    const late = await record({ startsAt: new Date(ends.getTime() - HOUR), endsAt: ends, cadreIds: [c], recordedAt: new Date(ends.getTime() + 9 * DAY), recordedBy: null, check: false });
    const waiting = () => h.db.selectFrom('activities').select('integrity_checked_at').where('id', '=', late).executeTakeFirstOrThrow();
    expect(await flagsOn(late)).toEqual([]);
    expect((await waiting()).integrity_checked_at).toBeNull();
    const worker = startIntegrityWorker(h.db, T, { intervalMs: 60_000 });
    try {
      await worker.drain();
    } finally {
      await worker.stop();
    }
    expect(await kindsOn(late)).toEqual(['late_entry']);
    expect((await waiting()).integrity_checked_at).toBeInstanceOf(Date);
  });

  it('a cleared flag is not raised again by a scan, and its evidence is left as it was cleared', async () => {
    const [open] = await h.db.selectFrom('integrity_flags').selectAll().where('check_kind', '=', 'impossible_travel').where('cleared_at', 'is', null).limit(1).execute();
    await clearFlag(h.db, admin, open!.id, { reason: '同车前往，定位漂移' });
    await scanIntegrity(h.db, T);
    const rows = await h.db.selectFrom('integrity_flags').selectAll().where('activity_id', '=', open!.activity_id).where('check_kind', '=', 'impossible_travel').where('dedupe_key', '=', open!.dedupe_key).execute();
    expect(rows.map((r) => [r.id, r.clear_reason])).toEqual([[open!.id, '同车前往，定位漂移']]);
  });
});

describe(`integrity flags over HTTP on ${testDriver}`, () => {
  let sessions: Record<'dandongSupervisor' | 'shipuSupervisor' | 'cadre' | 'admin' | 'countySupervisor', Session>;
  let dandongFlag: number;
  let crossFlag: number;

  beforeAll(async () => {
    const mk = async (role: 'supervisor' | 'cadre' | 'admin', regionCode?: string) => login(app, (await makeUser(h.db, role, regionCode ? { regionCode } : {})).username);
    sessions = {
      dandongSupervisor: await mk('supervisor', DANDONG),
      shipuSupervisor: await mk('supervisor', SHIPU),
      countySupervisor: await mk('supervisor', XIANGSHAN),
      cadre: await mk('cadre', DANDONG),
      admin: await mk('admin'),
    };
    const c = await cadre();
    const ends = new Date(BASE.getTime() - 200 * DAY);
    const late = await record({ startsAt: new Date(ends.getTime() - HOUR), endsAt: ends, regionCode: villages.dandong[0], cadreIds: [c], recordedAt: new Date(ends.getTime() + 9 * DAY), recordedBy: null });
    dandongFlag = (await flagsOn(late, 'late_entry'))[0]!.id;
    const p = await photo();
    const d = await record({ startsAt: new Date(BASE.getTime() - 201 * DAY), regionCode: villages.dandong[0], cadreIds: [c], photoIds: [p] });
    await record({ startsAt: new Date(BASE.getTime() - 202 * DAY), regionCode: villages.shipu[0], cadreIds: [await cadre(unitShipu)], photoIds: [p] });
    crossFlag = (await flagsOn(d, 'duplicate_photo'))[0]!.id;
  });

  const get = (s: Session, url: string) => app.inject({ method: 'GET', url, headers: { cookie: s.cookie } });
  const post = (s: Session, url: string, payload?: object) => app.inject({ method: 'POST', url, headers: as(s), ...(payload ? { payload } : {}) });

  it('lists flags with filters; a township supervisor sees only its township’s records', async () => {
    const res = await get(sessions.dandongSupervisor, '/api/v1/integrity/flags?checkKind=late_entry&cleared=false&pageSize=200');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.items.some((f: { id: number }) => f.id === dandongFlag)).toBe(true);
    const dandongPath = (await h.db.selectFrom('regions').select('path').where('code', '=', DANDONG).executeTakeFirstOrThrow()).path;
    const paths = await h.db.selectFrom('integrity_flags').select(['id', 'region_path']).execute();
    const inDandong = new Set(paths.filter((p) => p.region_path.startsWith(`${dandongPath}/`)).map((p) => p.id));
    expect(body.items.every((f: { id: number; checkKind: string }) => inDandong.has(f.id) && f.checkKind === 'late_entry')).toBe(true);
    const all = (await get(sessions.dandongSupervisor, '/api/v1/integrity/flags?pageSize=200')).json();
    expect(all.total).toBe(inDandong.size);
    const shipu = (await get(sessions.shipuSupervisor, '/api/v1/integrity/flags?pageSize=200')).json();
    expect(shipu.items.some((f: { id: number }) => inDandong.has(f.id))).toBe(false);
    expect((await get(sessions.shipuSupervisor, `/api/v1/integrity/flags?region=${DANDONG}`)).statusCode).toBe(404);
    const item = body.items.find((f: { id: number }) => f.id === dandongFlag);
    expect(item.summary).toMatch(/^活动结束 9 天后才录入/);
  });

  it('filters by region, cadre, period and cleared state', async () => {
    const flag = await h.db.selectFrom('integrity_flags').selectAll().where('id', '=', dandongFlag).executeTakeFirstOrThrow();
    const a = await h.db.selectFrom('activities').select('starts_at').where('id', '=', flag.activity_id).executeTakeFirstOrThrow();
    const cadreId = (await h.db.selectFrom('activity_participants').select('cadre_id').where('activity_id', '=', flag.activity_id).executeTakeFirstOrThrow()).cadre_id;
    const day = new Date(a.starts_at.getTime() + 8 * HOUR).toISOString().slice(0, 10);
    const ids = async (q: string) => (await get(sessions.countySupervisor, `/api/v1/integrity/flags?pageSize=200&${q}`)).json().items.map((f: { id: number }) => f.id);
    expect(await ids(`cadreId=${cadreId}&from=${day}&to=${day}`)).toContain(dandongFlag);
    expect(await ids(`cadreId=${cadreId}&from=${new Date(a.starts_at.getTime() + 2 * DAY).toISOString().slice(0, 10)}`)).not.toContain(dandongFlag);
    expect(await ids(`region=${villages.dandong[0]}&cleared=false`)).toContain(dandongFlag);
    expect(await ids(`region=${villages.shipu[0]}`)).not.toContain(dandongFlag);
    expect(await ids('cleared=true')).not.toContain(dandongFlag);
  });

  it('refuses bad filters with 400 naming the field', async () => {
    for (const q of ['checkKind=nonsense', 'cleared=maybe', 'from=2025-13-01', 'cadreId=abc', 'pageSize=1000']) {
      const res = await get(sessions.admin, `/api/v1/integrity/flags?${q}`);
      expect(res.statusCode, q).toBe(400);
    }
  });

  it('shows one flag with its evidence and the records involved, hiding the other record outside the scope', async () => {
    const county = (await get(sessions.countySupervisor, `/api/v1/integrity/flags/${crossFlag}`)).json();
    expect(county.activities).toHaveLength(2);
    expect(county.hiddenActivities).toBe(0);
    expect(county.activities[0].participants[0].name).toMatch(/^干部/);
    expect(county.otherActivityId).toBe(county.activities[1].id);
    const town = await get(sessions.dandongSupervisor, `/api/v1/integrity/flags/${crossFlag}`);
    expect(town.statusCode, town.body).toBe(200);
    expect(town.json().activities).toHaveLength(1);
    expect(town.json().hiddenActivities).toBe(1);
    expect((await get(sessions.shipuSupervisor, `/api/v1/integrity/flags/${dandongFlag}`)).statusCode).toBe(404);
    expect((await get(sessions.admin, '/api/v1/integrity/flags/99999999')).statusCode).toBe(404);
  });

  it('a pair flag does not name or place the other record when it lies outside the viewer’s scope: not in the flag, the flag list or the record’s detail', async () => {
    const raw = await h.db.selectFrom('integrity_flags').select(['activity_id', 'evidence']).where('id', '=', crossFlag).executeTakeFirstOrThrow();
    const otherId = (raw.evidence as { otherActivityId: number }).otherActivityId;
    const county = (await get(sessions.countySupervisor, `/api/v1/integrity/flags/${crossFlag}`)).json();
    expect(county.evidence.otherActivityId).toBe(otherId);
    expect(county.summary).toContain(`#${otherId}`);
    const shown = [
      (await get(sessions.dandongSupervisor, `/api/v1/integrity/flags/${crossFlag}`)).json(),
      (await get(sessions.dandongSupervisor, `/api/v1/integrity/flags?activityId=${raw.activity_id}`)).json().items.find((f: { id: number }) => f.id === crossFlag),
    ];
    for (const f of shown) {
      expect(f.otherActivityId).toBeNull();
      expect(f.evidence).not.toHaveProperty('otherActivityId');
      expect(f.evidence).toMatchObject({ otherHidden: true, photos: [{ photoId: expect.any(Number) }] });
      expect(f.summary).not.toContain(`#${otherId}`);
      expect(f.summary).toContain('不在您的管辖范围内');
    }
    const detail = await get(sessions.dandongSupervisor, `/api/v1/activities/${raw.activity_id}`);
    expect(detail.statusCode, detail.body).toBe(200);
    const flag = detail.json().flags.find((f: { id: number }) => f.id === crossFlag);
    expect(flag.evidence).not.toHaveProperty('otherActivityId');
    expect(JSON.stringify(detail.json().flags)).not.toContain(`"otherActivityId":${otherId}`);
  });

  it('impossible travel and double stay keep the distance and the days but drop the other record’s id and place outside the scope', async () => {
    const c = await cadre();
    const lat = 29.5;
    const at = new Date(BASE.getTime() - 300 * DAY);
    const a = await record({ kind: 'stay', startsAt: at, regionCode: villages.dandong[0], cadreIds: [c], gps: { lat, lon: 121.9 } });
    const b = await record({ kind: 'stay', startsAt: new Date(at.getTime() + 2 * HOUR), regionCode: villages.shipu[0], cadreIds: [c], gps: { lat: north(lat, 200_000), lon: 121.9 } });
    const flags = (await get(sessions.dandongSupervisor, `/api/v1/integrity/flags?activityId=${a}&pageSize=200`)).json().items as { checkKind: string; evidence: Record<string, unknown>; otherActivityId: number | null }[];
    const travel = flags.find((f) => f.checkKind === 'impossible_travel');
    const stay = flags.find((f) => f.checkKind === 'double_stay');
    expect(travel?.evidence).toMatchObject({ distanceM: expect.any(Number), otherHidden: true, first: { activityId: a } });
    expect(JSON.stringify(travel)).not.toContain(String(north(lat, 200_000)).slice(0, 6));
    expect(JSON.stringify(travel)).not.toContain(`"activityId":${b}`);
    expect(stay?.evidence).toMatchObject({ from: expect.any(String), otherHidden: true });
    expect(stay?.evidence).not.toHaveProperty('otherVillagePath');
    for (const f of [travel, stay]) expect(f?.otherActivityId).toBeNull();
    const county = (await get(sessions.countySupervisor, `/api/v1/integrity/flags?activityId=${a}&pageSize=200`)).json().items as { otherActivityId: number | null }[];
    expect(county.map((f) => f.otherActivityId)).toContain(b);
  });

  it('clearing needs integrity.clear (403), the flag in scope (404) and a reason of 4 characters (400); it is audited; clearing twice is 409', async () => {
    const url = `/api/v1/integrity/flags/${dandongFlag}/clear`;
    expect((await post(sessions.cadre, url, { reason: '已核实情况属实' })).statusCode).toBe(403);
    expect((await post(sessions.shipuSupervisor, url, { reason: '已核实情况属实' })).statusCode).toBe(404);
    const short = await post(sessions.dandongSupervisor, url, { reason: ' 核实 ' });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.message).toContain('reason');
    expect((await post(sessions.dandongSupervisor, url, {})).statusCode).toBe(400);
    expect((await h.db.selectFrom('integrity_flags').select('cleared_at').where('id', '=', dandongFlag).executeTakeFirstOrThrow()).cleared_at).toBeNull();

    const ok = await post(sessions.dandongSupervisor, url, { reason: '系补录纸质台账，已核实' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ id: dandongFlag, clearReason: '系补录纸质台账，已核实' });
    expect(ok.json().clearedAt).not.toBeNull();
    const audit = await h.db.selectFrom('audit_log').selectAll().where('action', '=', 'integrity.clear').where('entity_id', '=', String(dandongFlag)).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).toMatchObject({ reason: '系补录纸质台账，已核实', checkKind: 'late_entry' });

    const again = await post(sessions.dandongSupervisor, url, { reason: '再次清除试试' });
    expect(again.statusCode).toBe(409);
    const listed = (await get(sessions.dandongSupervisor, `/api/v1/integrity/flags?cleared=true&pageSize=200`)).json();
    expect(listed.items.find((f: { id: number }) => f.id === dandongFlag)?.clearedBy).toBeTruthy();
  });

  it('the scan is for admins only and reports counts', async () => {
    expect((await post(sessions.dandongSupervisor, '/api/v1/integrity/scan')).statusCode).toBe(403);
    expect((await post(sessions.cadre, '/api/v1/integrity/scan')).statusCode).toBe(403);
    const res = await post(sessions.admin, '/api/v1/integrity/scan');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ added: 0, removed: 0 });
    expect(res.json().flagged).toBe(Object.values(res.json().byKind as Record<string, number>).reduce((s, n) => s + n, 0));
    expect((await h.db.selectFrom('integrity_flags').select('cleared_at').where('id', '=', dandongFlag).executeTakeFirstOrThrow()).cleared_at).not.toBeNull();
  });
});
