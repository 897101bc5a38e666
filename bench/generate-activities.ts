import { sql } from 'kysely';
import type { ActivityKind } from '../contracts/activities.ts';
import type { CheckKind } from '../contracts/integrity.ts';
import type { Database } from '../src/db/database.ts';
import { seededRandom } from '../src/features/demo/names.ts';
import type { TierInfo } from './generate.ts';

// A year of field records (工作记录) on top of a generated tier and its targets (bench/generate.ts,
// bench/generate-targets.ts), for the integrity benchmark (bench/integrity.ts). Seeded, so both
// drivers get the same rows with the same ids. Rows are built here and written in batches of
// 5,000 through jsonb_to_recordset (one parameter a batch: fast on PGlite as on PostgreSQL).
//
// Positions: townships get a centre inside Dongying's box, villages lie within ~4 km of it and
// households within ~300 m of their village. Each cadre works in one home township (its
// township's, or the first township its department answers for) and visits three villages there
// on 30 distinct days of 2025; 15% of records have a second cadre of the same unit. 40% carry a
// GPS fix near the first target, half carry one or two photos of their own. Entry is within
// hours for most, one to five days later for 12%, 8–40 days later for 3%.
//
// Planted anomalies, a small share, each known by id so the benchmark can check they are found:
// shared photos, fixes 5–15 km off, a second record 20 minutes later 50 km away, bursts of six
// back-dated entries within 20 minutes, meetings larger than their village, a second stay in
// another village the same day.

/**
 * campaignId: the campaign the records belong to (none when not given). fastLoad: drop the
 * tables' plain indexes for the load and build them again after it (PostgreSQL, millions of rows).
 */
export type ActivitySpec = { perCadre: number; seed: number; year: number; campaignId?: number; fastLoad?: boolean };
export const cityActivities: ActivitySpec = { perCadre: 30, seed: 20250, year: 2025 };

export type ActivitiesInfo = {
  counts: { activities: number; participants: number; targets: number; photos: number; withGps: number; users: number };
  /** Records planted to trip each check (the activity that should carry the flag). */
  planted: Partial<Record<CheckKind, number[]>>;
};

const kindWeights: [ActivityKind, number][] = [
  ['household_visit', 40], ['talk', 15], ['stay', 8], ['forum', 6], ['policy_talk', 4], ['consultation', 3], ['condolence', 6],
  ['reception', 3], ['onsite_office', 3], ['enterprise_visit', 4], ['project_visit', 3], ['research', 5],
];
const meetingKinds = new Set<ActivityKind>(['forum', 'policy_talk', 'consultation', 'reception', 'onsite_office']);
const householdKinds = new Set<ActivityKind>(['household_visit', 'talk', 'condolence']);

type Place = { id: number; lat: number; lon: number };
type Village = { code: string; path: string; target: Place & { population: number }; households: Place[] };
type Row = {
  id: number; client_id: string; kind: ActivityKind; starts_at: string; ends_at: string; stay_days: number; region_code: string; region_path: string;
  latitude: number | null; longitude: number | null; accuracy_m: number | null; attendees: number | null; recorded_by: number; recorded_at: string;
};

const CHINA = 8 * 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Inserts rows given as objects; `columns` names each column with its SQL type ("id int, name text"). */
async function bulk<T extends object>(db: Database, table: string, columns: string, rows: T[], size = 5000, map: (row: T) => object = (r) => r) {
  const names = sql.raw(columns.split(',').map((c) => c.trim().split(' ')[0]).join(', '));
  for (let i = 0; i < rows.length; i += size) {
    await sql`insert into ${sql.table(table)} (${names}) select ${names} from jsonb_to_recordset(${JSON.stringify(rows.slice(i, i + size).map(map))}::jsonb) as x(${sql.raw(columns)})`.execute(db);
  }
}

/** Gives targets positions, creates an account per cadre, and writes the year of records. */
export async function generateActivities(db: Database, tier: TierInfo, spec: ActivitySpec = cityActivities): Promise<ActivitiesInfo> {
  const random = seededRandom(spec.seed);
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const totalWeight = kindWeights.reduce((s, [, w]) => s + w, 0);
  const pickKind = () => {
    let r = random() * totalWeight;
    for (const [k, w] of kindWeights) if ((r -= w) < 0) return k;
    return 'household_visit';
  };

  // ---- Positions
  const regions = await db.selectFrom('regions').select(['code', 'level', 'parent_code', 'path'])
    .where((eb) => eb.or([eb('path', '=', tier.top.path), eb('path', 'like', `${tier.top.path}/%`)])).where('level', 'in', ['township', 'village']).orderBy('code').execute();
  const centre = new Map<string, { lat: number; lon: number }>();
  for (const t of regions.filter((r) => r.level === 'township')) centre.set(t.code, { lat: 36.95 + random() * 1.1, lon: 118.15 + random() * 1.0 });
  const targets = await db.selectFrom('contact_targets').select(['id', 'kind', 'region_code', 'attrs']).where('kind', 'in', ['village', 'community', 'household']).orderBy('id').execute();
  const villages = new Map<string, Village>();
  const placeOf = new Map<string, { lat: number; lon: number }>();
  for (const v of regions.filter((r) => r.level === 'village')) {
    const c = centre.get(v.parent_code!)!;
    placeOf.set(v.code, { lat: c.lat + (random() - 0.5) * 0.07, lon: c.lon + (random() - 0.5) * 0.09 });
  }
  const positions: { id: number; lat: number; lon: number }[] = [];
  for (const t of targets) {
    const p = placeOf.get(t.region_code);
    if (!p) continue;
    const v = villages.get(t.region_code) ?? { code: t.region_code, path: regions.find((r) => r.code === t.region_code)?.path ?? '', target: undefined as never, households: [] };
    villages.set(t.region_code, v);
    if (t.kind === 'household') {
      const h = { id: t.id, lat: p.lat + (random() - 0.5) * 0.006, lon: p.lon + (random() - 0.5) * 0.007 };
      v.households.push(h);
      positions.push(h);
    } else {
      const population = Number((t.attrs as { population?: number }).population ?? 100);
      v.target = { id: t.id, lat: p.lat, lon: p.lon, population };
      positions.push(v.target);
    }
  }
  const regionPath = new Map(regions.map((r) => [r.code, r.path]));
  for (const v of villages.values()) v.path = regionPath.get(v.code)!;
  for (let i = 0; i < positions.length; i += 10_000) {
    await sql`update contact_targets t set latitude = x.lat, longitude = x.lon
      from jsonb_to_recordset(${JSON.stringify(positions.slice(i, i + 10_000))}::jsonb) as x(id int, lat float8, lon float8) where t.id = x.id`.execute(db);
  }
  const villagesOf = new Map<string, Village[]>();
  for (const v of villages.values()) {
    if (!v.target) continue;
    const township = v.code.slice(0, 9).padEnd(12, '0');
    villagesOf.set(township, [...(villagesOf.get(township) ?? []), v]);
  }

  // ---- Cadres, their home township, an account each
  const cadres = await sql<{ id: number; unit_id: number; unit_path: string; level: string; region_code: string; zones: string[] | null }>`
    select c.id, c.unit_id, u.path as unit_path, u.level, u.region_code,
      (select cu.responsible_regions from campaign_units cu where cu.unit_id = u.id order by cu.campaign_id limit 1) as zones
    from cadres c join units u on u.id = c.unit_id order by c.id`.execute(db);
  const townships = [...villagesOf.keys()].sort();
  const byUnit = new Map<number, number[]>();
  for (const c of cadres.rows) byUnit.set(c.unit_id, [...(byUnit.get(c.unit_id) ?? []), c.id]);
  const unitPath = new Map(cadres.rows.map((c) => [c.id, c.unit_path]));
  const home = new Map<number, Village[]>();
  for (const c of cadres.rows) {
    const t = c.level === 'township' ? c.region_code : c.zones?.find((z) => villagesOf.has(z)) ?? pick(townships);
    const pool = villagesOf.get(t) ?? villagesOf.get(pick(townships))!;
    home.set(c.id, Array.from({ length: 3 }, () => pick(pool)));
  }
  const firstUser = Number((await sql<{ n: number }>`select coalesce(max(id), 0)::int as n from users`.execute(db)).rows[0]!.n) + 1;
  const userOf = new Map(cadres.rows.map((c, i) => [c.id, firstUser + i]));
  await bulk(db, 'users', 'id int, username text, password_hash text, display_name text, role text, cadre_id int',
    cadres.rows.map((c, i) => ({ id: firstUser + i, username: `bench${c.id}`, password_hash: 'x', display_name: `干部${c.id}`, role: 'cadre', cadre_id: c.id })));
  await sql`select setval(pg_get_serial_sequence('users', 'id'), (select max(id) from users))`.execute(db);

  // ---- The records
  const rows: Row[] = [];
  const participants: { activity_id: number; cadre_id: number; unit_path: string }[] = [];
  const links: { activity_id: number; target_id: number }[] = [];
  const photoLinks: { activity_id: number; photo_id: number; position: number }[] = [];
  const planted: Record<CheckKind, number[]> = {
    duplicate_photo: [], far_from_target: [], impossible_travel: [], late_entry: [], backdated_burst: [], attendance_exceeds_population: [], double_stay: [],
  };
  const jan1 = Date.UTC(spec.year, 0, 1) - CHINA; // 00:00 on 1 January, China time
  const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  let photoId = 0;
  const add = (o: { cadreId: number; co: number | null; kind: ActivityKind; village: Village; start: number; end: number; gps: boolean; photos: number; recordedAt: number; target?: Place; attendees?: number | null }) => {
    const id = rows.length + 1;
    const target = o.target ?? (householdKinds.has(o.kind) && o.village.households.length ? pick(o.village.households) : o.village.target);
    const fix = o.gps ? { lat: target.lat + (random() - 0.5) * 0.0005, lon: target.lon + (random() - 0.5) * 0.0006, acc: between(8, 40) } : null;
    const attendees = o.attendees !== undefined ? o.attendees : meetingKinds.has(o.kind) ? between(8, Math.max(8, Math.floor(o.village.target.population * 0.8))) : null;
    rows.push({
      id, client_id: uuid(id), kind: o.kind, starts_at: iso(o.start), ends_at: iso(o.end), stay_days: o.kind === 'stay' ? 1 : 0,
      region_code: o.village.code, region_path: o.village.path, latitude: fix?.lat ?? null, longitude: fix?.lon ?? null, accuracy_m: fix?.acc ?? null,
      attendees, recorded_by: userOf.get(o.cadreId)!, recorded_at: iso(o.recordedAt),
    });
    participants.push({ activity_id: id, cadre_id: o.cadreId, unit_path: unitPath.get(o.cadreId)! });
    if (o.co !== null) participants.push({ activity_id: id, cadre_id: o.co, unit_path: unitPath.get(o.co)! });
    links.push({ activity_id: id, target_id: target.id });
    for (let k = 0; k < o.photos; k++) photoLinks.push({ activity_id: id, photo_id: ++photoId, position: k });
    return id;
  };
  const entryDelay = () => {
    const r = random();
    if (r < 0.85) return between(10, 360) * 60_000;
    if (r < 0.97) return between(26, 120) * 3600_000;
    return between(8 * 24, 40 * 24) * 3600_000;
  };

  for (const c of cadres.rows) {
    const days = new Set<number>();
    while (days.size < spec.perCadre) days.add(between(0, 364));
    for (const day of [...days].sort((a, b) => a - b)) {
      const kind = pickKind();
      const dayStart = jan1 + day * 86_400_000;
      const start = kind === 'stay' ? dayStart + 8 * 3600_000 : dayStart + (8 * 60 + between(0, 8 * 60)) * 60_000;
      const end = kind === 'stay' ? dayStart + 20 * 3600_000 : start + between(30, 180) * 60_000;
      const mates = byUnit.get(c.unit_id)!;
      const co = random() < 0.15 && mates.length > 1 ? pick(mates.filter((m) => m !== c.id)) : null;
      add({ cadreId: c.id, co, kind, village: pick(home.get(c.id)!), start, end, gps: random() < 0.4, photos: random() < 0.5 ? between(1, 2) : 0, recordedAt: end + entryDelay() });
    }
  }

  // ---- Planted anomalies
  const some = <T>(xs: T[], n: number) => Array.from({ length: n }, () => pick(xs));
  const withPhotos = [...new Set(photoLinks.map((p) => p.activity_id))];
  const photoOf = new Map(photoLinks.map((p) => [p.activity_id, p.photo_id]));
  for (const id of some(rows.map((r) => r.id), 300)) {
    const from = pick(withPhotos);
    if (from === id || photoLinks.some((p) => p.activity_id === id && p.photo_id === photoOf.get(from))) continue;
    photoLinks.push({ activity_id: id, photo_id: photoOf.get(from)!, position: 9 });
    planted.duplicate_photo.push(id, from);
  }
  for (const r of some(rows.filter((x) => x.latitude !== null), 300)) {
    r.latitude = r.latitude! + (random() < 0.5 ? -1 : 1) * (0.05 + random() * 0.09);
    planted.far_from_target.push(r.id);
  }
  for (const r of some(rows.filter((x) => meetingKinds.has(x.kind)), 300)) {
    const v = villages.get(r.region_code)!;
    const target = links[r.id - 1]!;
    if (target.target_id !== v.target.id) continue;
    r.attendees = v.target.population + between(10, 50);
    planted.attendance_exceeds_population.push(r.id);
  }
  // Bursts: six of one cadre's records entered three minutes apart, two days after the last one ended.
  for (const c of some(cadres.rows, 100)) {
    const own = rows.filter((r) => r.recorded_by === userOf.get(c.id)).slice(0, 6);
    const base = Math.max(...own.map((r) => Date.parse(r.ends_at))) + 2 * 86_400_000;
    own.forEach((r, k) => { r.recorded_at = iso(base + k * 3 * 60_000); planted.backdated_burst.push(r.id); });
  }
  // A second record 20 minutes after one with a fix, 50 km east or west of it (150 km/h); a second stay the same day in another village.
  const extraTravel = 200;
  const extraStays = 100;
  for (const r of some(rows.filter((x) => x.latitude !== null), extraTravel)) {
    const cadreId = participants.find((p) => p.activity_id === r.id)!.cadre_id;
    const end = Date.parse(r.ends_at);
    const v = villages.get(r.region_code)!;
    const far = { id: v.target.id, lat: r.latitude!, lon: r.longitude! + (r.longitude! > 118.65 ? -0.57 : 0.57) };
    const id = add({ cadreId, co: null, kind: 'household_visit', village: v, start: end + 20 * 60_000, end: end + 80 * 60_000, gps: true, photos: 0, recordedAt: end + 3 * 3600_000, target: far, attendees: null });
    rows[id - 1]!.latitude = far.lat;
    rows[id - 1]!.longitude = far.lon;
    links[links.length - 1]!.target_id = v.target.id;
    planted.impossible_travel.push(r.id, id);
  }
  for (const r of some(rows.filter((x) => x.kind === 'stay'), extraStays)) {
    const p = participants.find((x) => x.activity_id === r.id)!;
    const pool = villagesOf.get(r.region_code.slice(0, 9).padEnd(12, '0'))!.filter((v) => v.code !== r.region_code);
    if (!pool.length) continue;
    const start = Date.parse(r.starts_at) + 13 * 3600_000;
    const id = add({ cadreId: p.cadre_id, co: null, kind: 'stay', village: pick(pool), start, end: start + 2 * 3600_000, gps: false, photos: 0, recordedAt: start + 3 * 3600_000 });
    planted.double_stay.push(r.id, id);
  }
  for (const r of rows) if (Date.parse(r.recorded_at) - Date.parse(r.ends_at) > 7 * 86_400_000) planted.late_entry.push(r.id);

  // ---- Write
  const tables = ['photos', 'activities', 'activity_participants', 'activity_targets', 'activity_photos'];
  // Indexes not behind a constraint (primary keys and unique constraints stay), to build again after the load.
  const dropped = spec.fastLoad ? (await sql<{ name: string; def: string }>`
    select i.indexname as name, i.indexdef as def from pg_indexes i
    where i.schemaname = current_schema() and i.tablename = any(${tables}::text[])
      and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`.execute(db)).rows : [];
  for (const ix of dropped) await sql`drop index ${sql.id(ix.name)}`.execute(db);
  const photos = Array.from({ length: photoId }, (_, i) => ({ id: i + 1, sha256: (i + 1).toString(16).padStart(64, '0'), mime: 'image/jpeg', bytes: 200_000 }));
  await bulk(db, 'photos', 'id int, sha256 text, mime text, bytes int', photos);
  await bulk(db, 'activities',
    `id int, client_id uuid, client_hash text, kind text, starts_at timestamptz, ends_at timestamptz, stay_days int, region_code text, region_path text, latitude float8, longitude float8, accuracy_m float8, attendees int, recorded_by int, recorded_at timestamptz${spec.campaignId === undefined ? '' : ', campaign_id int'}`,
    rows, 5000, spec.campaignId === undefined ? (r) => ({ ...r, client_hash: 'bench' }) : (r) => ({ ...r, client_hash: 'bench', campaign_id: spec.campaignId }));
  await bulk(db, 'activity_participants', 'activity_id int, cadre_id int, unit_path text', participants);
  await bulk(db, 'activity_targets', 'activity_id int, target_id int', links);
  await bulk(db, 'activity_photos', 'activity_id int, photo_id int, position int', photoLinks);
  for (const ix of dropped) await sql.raw(ix.def).execute(db);
  for (const t of ['photos', 'activities']) await sql`select setval(pg_get_serial_sequence(${t}, 'id'), (select max(id) from ${sql.table(t)}))`.execute(db);

  for (const k of Object.keys(planted) as CheckKind[]) planted[k] = [...new Set(planted[k])].sort((a, b) => a - b);
  return {
    counts: { activities: rows.length, participants: participants.length, targets: links.length, photos: photoLinks.length, withGps: rows.filter((r) => r.latitude !== null).length, users: cadres.rows.length },
    planted,
  };
}
