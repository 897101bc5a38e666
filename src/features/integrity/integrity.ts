import { sql, type RawBuilder } from 'kysely';
import { checkKinds, type CheckKind, type ScanResult } from '../../../contracts/integrity.ts';
import type { IntegrityThresholds } from '../../config.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { BACKDATED_AFTER, checks, METRES_PER_DEGREE, type Focus, type ScanContext } from './checks.ts';

// Integrity checks (防形式主义): flag, never block. Flags live in integrity_flags, one row per
// (record, check, dedupe_key): dedupe_key is the other record's id for a pair check (with the
// cadre's id for per-cadre pairs), the target's id for a far fix, '' otherwise. Writing the flags
// that hold now:
// - a new flag is inserted; an open flag whose evidence changed gets the new evidence;
// - a cleared flag is never touched again: a re-scan finds it by its key and leaves it cleared,
//   even when its evidence has changed (the clearing was about that pair, target or record);
// - an open flag that no longer holds (the record was corrected) is removed: flags are findings
//   about the data as it is, and the record's own history is in the audit log. Cleared flags are
//   kept whatever happens, as the trail of who judged what.

const pairKeyedOnId: CheckKind[] = ['duplicate_photo'];
const pairKeyedOnIdAndCadre: CheckKind[] = ['impossible_travel', 'double_stay'];

const freshFlags = (t: IntegrityThresholds, focus: Focus, ctx: ScanContext, kinds: readonly CheckKind[]) =>
  sql.join(kinds.map((k, i) => sql`select * from (${checks[k](t, focus, ctx)}) as ${sql.raw(`c${i}`)}`), sql` union all `);

type WriteCounts = { added: number; updated: number; removed: number };

/**
 * Inserts the flags that hold and removes the open ones in `stale` (a query of flag ids that the
 * checks just re-evaluated) that no longer hold; one statement, so one snapshot.
 */
async function writeFlags(db: Executor, fresh: RawBuilder<unknown>, stale: RawBuilder<unknown>): Promise<WriteCounts> {
  const { rows } = await sql<{ added: number; updated: number; removed: number }>`
    with fresh as materialized (${fresh}),
    ins as (
      insert into integrity_flags (activity_id, check_kind, cadre_id, dedupe_key, evidence, region_path)
      select activity_id, check_kind, cadre_id, dedupe_key, evidence, region_path from fresh
      on conflict (activity_id, check_kind, dedupe_key) do update
        set evidence = excluded.evidence, cadre_id = excluded.cadre_id, region_path = excluded.region_path
        where integrity_flags.cleared_at is null
          and (integrity_flags.evidence <> excluded.evidence or integrity_flags.region_path <> excluded.region_path
            or integrity_flags.cadre_id is distinct from excluded.cadre_id)
      returning (xmax = 0) as inserted
    ),
    del as (
      delete from integrity_flags f
      where f.cleared_at is null and f.id in (${stale})
        and not exists (select 1 from fresh n where n.activity_id = f.activity_id and n.check_kind = f.check_kind and n.dedupe_key = f.dedupe_key)
      returning 1
    )
    select (select count(*) from ins where inserted)::int as added, (select count(*) from ins where not inserted)::int as updated,
      (select count(*) from del)::int as removed`.execute(db);
  return rows[0]!;
}

/**
 * Runs every check for one new or changed record and records the flags it raises, on it and on
 * the records it pairs with; open flags the change made untrue are removed. Reads only the
 * record's indexed neighbours (its photos' other records, its cadres' records, its account's
 * entries around the same time), so it can run after every write.
 */
export async function checkActivity(db: Executor, thresholds: IntegrityThresholds, activityId: number): Promise<WriteCounts> {
  const focus = { activityIds: [activityId] };
  const id = String(activityId);
  // Which checks can hold for this record at all: the others would return nothing (and a flag of
  // theirs that the record still carries is removed as stale), so they are not run. A back-dated
  // burst can also change for the record's neighbours when it leaves one, which it can only do if
  // it was flagged for one.
  const facts = await sql<{ kind: string; photos: boolean; gps: boolean; placed: boolean; late: boolean; burst: boolean; meeting: boolean }>`
    select a.kind,
      exists (select 1 from activity_photos ap where ap.activity_id = a.id) as photos,
      a.latitude is not null as gps,
      a.latitude is not null or exists (
        select 1 from activity_targets at join contact_targets tg on tg.id = at.target_id where at.activity_id = a.id and tg.latitude is not null) as placed,
      a.recorded_at > a.ends_at + make_interval(days => ${sql.lit(thresholds.lateDays)}) as late,
      a.recorded_by is not null and (a.recorded_at > a.ends_at + ${BACKDATED_AFTER}
        or exists (select 1 from integrity_flags f where f.activity_id = a.id and f.check_kind = 'backdated_burst')) as burst,
      coalesce(a.attendees, 0) > 0 as meeting
    from activities a where a.id = ${activityId}`.execute(db);
  const f = facts.rows[0];
  if (!f) return { added: 0, updated: 0, removed: 0 }; // deleted: its flags went with it
  const kinds = checkKinds.filter((k) => ({
    duplicate_photo: f.photos,
    far_from_target: f.gps,
    impossible_travel: f.placed,
    late_entry: f.late,
    backdated_burst: f.burst,
    attendance_exceeds_population: f.meeting,
    double_stay: f.kind === 'stay',
  })[k]);
  const w = sql.raw(`interval '${Math.trunc(thresholds.burstMinutes)} minutes'`);
  const stale = sql`
    select id from integrity_flags where activity_id = ${activityId}
    union all
    select id from integrity_flags where dedupe_key = ${id} and check_kind in (${sql.join(pairKeyedOnId)})
    union all
    select id from integrity_flags where dedupe_key like ${`${id}/%`} and check_kind in (${sql.join(pairKeyedOnIdAndCadre)})
    ${f.burst ? sql`
    union all
    select g.id from activities f
    join activities b on b.recorded_by = f.recorded_by and b.recorded_at between f.recorded_at - ${w} and f.recorded_at + ${w}
    join integrity_flags g on g.activity_id = b.id and g.check_kind = 'backdated_burst'
    where f.id = ${activityId} and b.id <> ${activityId}` : sql``}`;
  const fresh = kinds.length
    ? freshFlags(thresholds, focus, { travelHorizonSeconds: null }, kinds)
    : sql`select null::int as activity_id, null::text as check_kind, null::int as cadre_id, null::text as dedupe_key, null::jsonb as evidence, null::text as region_path where false`;
  return writeFlags(db, fresh, stale);
}

const none: WriteCounts = { added: 0, updated: 0, removed: 0 };

/**
 * checkActivity for a batch of records in one statement: every check, focused on the batch, so the
 * planning is paid once per batch instead of once per record. The flags re-evaluated are those on
 * the records, those of other records pointing at them, and back-dated bursts around them.
 */
export async function checkActivities(db: Executor, thresholds: IntegrityThresholds, activityIds: number[]): Promise<WriteCounts> {
  if (activityIds.length === 0) return none;
  const ids = sql`${activityIds}::int[]`;
  const w = sql.raw(`interval '${Math.trunc(thresholds.burstMinutes)} minutes'`);
  // A pair key is '<id>' or '<id>/<cadre>': the second as a range on the pattern index.
  const stale = sql`
    select id from integrity_flags where activity_id = any(${ids})
    union all
    select id from integrity_flags where dedupe_key <> '' and dedupe_key = any(${activityIds.map(String)}::text[]) and check_kind in (${sql.join(pairKeyedOnId)})
    union all
    select g.id from unnest(${ids}) as i(id)
    join integrity_flags g on g.dedupe_key <> '' and g.dedupe_key ~>=~ (i.id::text || '/') and g.dedupe_key ~<~ (i.id::text || '0')
    where g.check_kind in (${sql.join(pairKeyedOnIdAndCadre)})
    union all
    select g.id from activities f
    join activities b on b.recorded_by = f.recorded_by and b.recorded_at between f.recorded_at - ${w} and f.recorded_at + ${w}
    join integrity_flags g on g.activity_id = b.id and g.check_kind = 'backdated_burst'
    where f.id = any(${ids})`;
  return writeFlags(db, freshFlags(thresholds, { activityIds }, { travelHorizonSeconds: null }, checkKinds), stale);
}

export type PendingResult = WriteCounts & { checked: number };

/**
 * Checks up to `limit` records waiting for their integrity checks (integrity_checked_at null) and
 * marks them checked, in one transaction: a batch is checked and marked whole or not at all.
 * `skipLocked` (the background worker) leaves records another process is checking to it; without
 * it (a caller that needs the flags now) waits for that process instead.
 */
export async function checkPendingBatch(db: Executor, thresholds: IntegrityThresholds, opts: { limit?: number; skipLocked?: boolean } = {}): Promise<PendingResult> {
  return inTransaction(db, async (tx) => {
    // As in the full scan, JIT compiling costs more than it saves here; and the batch is planned
    // for its own ids every time (a statement prepared on the connection could otherwise fall
    // back to a generic plan that knows nothing of the batch).
    await sql`select set_config('jit', 'off', true), set_config('plan_cache_mode', 'force_custom_plan', true)`.execute(tx);
    const { rows } = await sql<{ id: number }>`
      select id from activities where integrity_checked_at is null order by id limit ${opts.limit ?? 500}
      for update ${opts.skipLocked ? sql`skip locked` : sql``}`.execute(tx);
    const ids = rows.map((r) => r.id);
    if (ids.length === 0) return { checked: 0, ...none };
    const counts = await checkActivities(tx, thresholds, ids);
    await sql`update activities set integrity_checked_at = now() where id = any(${ids}::int[])`.execute(tx);
    return { checked: ids.length, ...counts };
  });
}

/** Checks every record waiting for its checks, batch after batch, until none waits. */
export async function checkPendingActivities(db: Executor, thresholds: IntegrityThresholds, opts: { limit?: number } = {}): Promise<PendingResult> {
  const total: PendingResult = { checked: 0, ...none };
  for (;;) {
    const r = await checkPendingBatch(db, thresholds, opts);
    if (r.checked === 0) return total;
    total.checked += r.checked;
    total.added += r.added;
    total.updated += r.updated;
    total.removed += r.removed;
  }
}

export type IntegrityWorker = { drain: () => Promise<void>; stop: () => Promise<void> };

/**
 * The background worker of one server process: every `intervalMs` it checks the waiting records
 * in batches (several processes share the queue through skip locked). A failed batch is logged and
 * tried again at the next turn: its records are still waiting.
 */
export function startIntegrityWorker(
  db: Executor, thresholds: IntegrityThresholds, opts: { intervalMs?: number; limit?: number; log?: (err: unknown, message: string) => void } = {},
): IntegrityWorker {
  const interval = opts.intervalMs ?? 500;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const turn = async () => {
    try {
      for (;;) {
        if (stopped) return;
        const r = await checkPendingBatch(db, thresholds, { limit: opts.limit, skipLocked: true });
        if (r.checked < (opts.limit ?? 500)) return;
      }
    } catch (e) {
      if (!stopped) (opts.log ?? ((err, m) => console.error(m, err)))(e, 'integrity checks of waiting records failed; they will be tried again');
    }
  };
  const run = () => {
    running ??= turn().finally(() => {
      running = undefined;
      schedule();
    });
    return running;
  };
  const schedule = () => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void run(), interval);
    timer.unref();
  };
  schedule();
  return {
    drain: async () => {
      await running;
      await run();
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/**
 * The longest time between two records that could still be impossible travel: no two places in
 * the data are farther apart than the box around all of them measured along its sides (a path
 * along a meridian and a parallel is never shorter than the great circle), and covering that at
 * maxSpeedKmh takes this long. null when no record has a place.
 */
async function travelHorizonSeconds(db: Executor, t: IntegrityThresholds): Promise<number | null> {
  const { rows } = await sql<{ dlat: number | null; dlon: number | null }>`
    select max(lat) - min(lat) as dlat, max(lon) - min(lon) as dlon from (
      select latitude as lat, longitude as lon from activities where latitude is not null
      union all
      select latitude, longitude from contact_targets where latitude is not null
    ) p`.execute(db);
  const { dlat, dlon } = rows[0] ?? { dlat: null, dlon: null };
  if (dlat === null || dlon === null) return null;
  const boundM = (Number(dlat) + Number(dlon)) * METRES_PER_DEGREE + 1;
  return Math.ceil((boundM / 1000 / t.maxSpeedKmh) * 3600) + 1;
}

export type ScanOptions = { kinds?: readonly CheckKind[] };

/**
 * Every check over every record, in set-based SQL, in one statement: inserts the flags that hold,
 * refreshes open flags' evidence, removes open flags that no longer hold. Idempotent: a second
 * run changes nothing. Cleared flags stay cleared.
 */
export async function scanIntegrity(db: Executor, thresholds: IntegrityThresholds, opts: ScanOptions = {}): Promise<ScanResult> {
  const started = performance.now();
  const kinds = opts.kinds ?? checkKinds;
  const ctx: ScanContext = { travelHorizonSeconds: kinds.includes('impossible_travel') ? await travelHorizonSeconds(db, thresholds) : null };
  const stale = sql`select id from integrity_flags where check_kind in (${sql.join(kinds)})`;
  const counts = await inTransaction(db, async (tx) => {
    // JIT compiling these statements costs seconds and saves none; sorts and hashes of a few
    // hundred thousand rows fit in 64 MB instead of spilling to disk. Both for this transaction.
    await sql`select set_config('jit', 'off', true), set_config('work_mem', '64MB', true)`.execute(tx);
    // Every record is looked at: those waiting for their checks are done. Marked before the flags
    // are computed, so a record stored in between is marked only if this scan sees it.
    if (kinds.length === checkKinds.length) await sql`update activities set integrity_checked_at = now() where integrity_checked_at is null`.execute(tx);
    // The flags that hold are collected first: a plain SELECT may run in parallel on PostgreSQL,
    // one that feeds an INSERT in the same statement may not.
    await sql`drop table if exists integrity_fresh`.execute(tx);
    await sql`create temporary table integrity_fresh on commit drop as ${freshFlags(thresholds, null, ctx, kinds)}`.execute(tx);
    return writeFlags(tx, sql`select * from integrity_fresh`, stale);
  });
  const [scanned, open] = await Promise.all([
    db.selectFrom('activities').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    db.selectFrom('integrity_flags').select(['check_kind', (eb) => eb.fn.countAll<number>().as('n')]).where('cleared_at', 'is', null).groupBy('check_kind').execute(),
  ]);
  const byKind = Object.fromEntries(checkKinds.map((k) => [k, 0])) as Record<CheckKind, number>;
  for (const r of open) byKind[r.check_kind] = Number(r.n);
  return {
    scanned: Number(scanned.n),
    flagged: Object.values(byKind).reduce((s, n) => s + n, 0),
    added: counts.added,
    removed: counts.removed,
    byKind,
    ms: Math.round(performance.now() - started),
  };
}
