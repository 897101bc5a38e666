import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { chinaDate, chinaDayStart } from '../../lib/workdays.ts';
import { processName } from '../tickets/scheduler.ts';
import { refreshRollups } from '../statistics/rollups.ts';
import { drainCompliancePending, refreshOpenWindows } from './engine.ts';

// The compliance scheduler of one server process. Every interval (500 ms by default, so a written
// record shows in compliance within a second) it drains the pending changes; several processes
// share the queue (skip locked), and a crash rolls a drain back with its queue rows. Once per China
// day one process — the one whose claim in scheduler_ticks succeeds — reclassifies the rows of open
// windows (at risk depends on the days left; a window that ended gets its final status). Each
// turn then brings the statistics rollups up to the records.

export const REFRESH_JOB = 'compliance-refresh';

export type ComplianceTick = { drained: { changes: number; rows: number }; refreshed: { rows: number } | null };

/** One turn at `now`: drain, then the day's refresh if no process has claimed it yet. */
export async function runComplianceTick(db: Executor, opts: { now: Date; processName: string }): Promise<ComplianceTick> {
  const drained = await drainCompliancePending(db, { now: opts.now });
  const day = chinaDayStart(chinaDate(opts.now));
  const claim = await sql<{ tick_at: Date }>`
    insert into scheduler_ticks (job, tick_at, claimed_by, claimed_at) values (${REFRESH_JOB}, ${day}, ${opts.processName}, ${opts.now})
    on conflict (job, tick_at) do nothing returning tick_at`.execute(db);
  if (claim.rows.length === 0) return { drained, refreshed: null };
  const started = performance.now();
  try {
    const refreshed = await refreshOpenWindows(db, { now: opts.now });
    await sql`update scheduler_ticks set finished_at = ${new Date()}, stats = ${JSON.stringify({ ...refreshed, ms: Math.round(performance.now() - started) })}::jsonb
      where job = ${REFRESH_JOB} and tick_at = ${day}`.execute(db);
    return { drained, refreshed };
  } catch (e) {
    // Unclaimed again, so the next turn tries the day's refresh once more.
    await sql`delete from scheduler_ticks where job = ${REFRESH_JOB} and tick_at = ${day}`.execute(db);
    throw e;
  }
}

export type ComplianceScheduler = { runNow: () => Promise<ComplianceTick | undefined>; stop: () => Promise<void> };

export function startComplianceScheduler(db: Executor, opts: { intervalMs: number; log?: (err: unknown, message: string) => void }): ComplianceScheduler {
  const name = processName();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<ComplianceTick | undefined> | undefined;
  const log = opts.log ?? ((err, m) => console.error(m, err));
  const turn = async () => {
    let tick: ComplianceTick | undefined;
    try {
      tick = await runComplianceTick(db, { now: new Date(), processName: name });
    } catch (e) {
      if (!stopped) log(e, 'compliance pass failed; the pending changes are tried again at the next turn');
    }
    // The statistics rollups ride on the same turn (after the compliance rows it wrote), so a
    // dashboard read rarely finds keys left to recount.
    try {
      await refreshRollups(db);
    } catch (e) {
      if (!stopped) log(e, 'statistics rollup refresh failed; the queued keys are recounted at the next turn or read');
    }
    return tick;
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
    timer = setTimeout(() => void run(), opts.intervalMs);
    timer.unref();
  };
  schedule();
  return {
    runNow: () => run(),
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/** Starts this process's compliance scheduler with the server (unless the interval is 0) and stops it on close. */
export function registerComplianceScheduler(app: App, { db, config }: AppDeps): void {
  if (config.complianceIntervalMs <= 0) return;
  const scheduler = startComplianceScheduler(db, { intervalMs: config.complianceIntervalMs, log: (err, message) => app.log.error({ err }, message) });
  app.addHook('onClose', async () => scheduler.stop());
}
