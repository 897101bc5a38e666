import { hostname } from 'node:os';
import { sql } from 'kysely';
import { ticketHandlingStates, type DeadlineMark, type TicketDeadlinePolicy } from '../../../contracts/tickets.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { addWorkingDays, chinaDate, chinaDayStart, isWorkingDay } from '../../lib/workdays.ts';
import type { MarkThresholds } from './deadlines.ts';
import { applyCommand, loadPolicy } from './tickets.ts';

// The supervision scheduler (督办): on every tick, one pass over the open tickets, set-based,
// (1) refreshes each ticket's deadline mark (on time / due soon / overdue / long overdue),
// (2) issues the automatic yellow 督办 at the deadline and the red one after the further working
//     days, each once per deadline (a unique index), with its event on the ticket's log and
//     in-app notices to the handling unit and the supervisors over it,
// (3) optionally closes resolved tickets nobody rated after the waiting time, as unrated.
// Several server processes may share one PostgreSQL database: each tick is claimed by inserting
// its row in scheduler_ticks, and only the process whose insert succeeded runs the pass. The pass
// is idempotent anyway, so a pass repeated after a crash changes nothing twice.

export const SUPERVISION_JOB = 'ticket-supervision';
/** A claimed tick not finished after this long is taken as dead: later ticks run again. */
export const TICK_LEASE_MS = 10 * 60_000;
/** Tick rows are kept this long, as the record of who ran what. */
const TICK_KEEP_MS = 7 * 86_400_000;
/** At most this many unrated tickets are closed per pass (each one goes through the state machine). */
const CLOSE_BATCH = 500;
/**
 * A person who would get more notices than this from one pass (after an outage, or a supervisor
 * over a whole county) gets one summary instead, pointing to their inbox or the supervision board.
 */
export const DIGEST_AFTER = 10;
/**
 * At most this many notices per pass, the longest overdue first: a pass after an outage (or the
 * first over imported tickets) stays short and holds its row locks briefly; the rest follow in the
 * next ticks, a minute apart.
 */
export const SUPERVISE_BATCH = 20_000;

const DAY = 86_400_000;
const shift = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

/**
 * The smallest date X such that `n` working days after X is today or later, where n ≥ 1: a
 * deadline (or resolution) on a day before X ended its n further working days before today.
 * With w₁ > w₂ > … the working days before today, X = wₙ.
 */
function nthWorkingDayBack(today: string, n: number): string {
  let date = today;
  for (let left = n; left > 0;) {
    date = shift(date, -1);
    if (isWorkingDay(date)) left--;
  }
  return date;
}

export type MarkCutoffs = {
  /** Due before this instant: long overdue (red). */
  longOverdueBefore: Date;
  /** Due before this instant (now): overdue (yellow). */
  overdueBefore: Date;
  /** Due before this instant (and not overdue): due soon (amber); otherwise on time. */
  dueSoonBefore: Date;
};

/**
 * Working days cannot be computed in SQL, but the marks are monotone in the deadline, so three
 * instants computed here from `now` split every deadline the way deadlineMark() does:
 * - due soon iff the deadline's day is at most dueSoonDays working days after today, i.e. before
 *   the (dueSoonDays + 1)th working day after today;
 * - long overdue iff now is past the end of the longOverdueDays-th working day after the
 *   deadline's day, i.e. that working day is before today, i.e. the deadline's day is before the
 *   longOverdueDays-th working day counted back from yesterday.
 */
export function markCutoffs(now: Date, t: MarkThresholds): MarkCutoffs {
  const today = chinaDate(now);
  return {
    longOverdueBefore: chinaDayStart(nthWorkingDayBack(today, t.longOverdueDays)),
    overdueBefore: now,
    dueSoonBefore: chinaDayStart(addWorkingDays(today, t.dueSoonDays + 1).date),
  };
}

/** The instant before which a resolution is older than `days` working days at `now` (days ≥ 1). */
export const unratedCloseBefore = (now: Date, days: number) => chinaDayStart(nthWorkingDayBack(chinaDate(now), days));

const handling = sql.join(ticketHandlingStates.map((s) => sql.lit(s)));

/** The SQL expression of a ticket's mark for the cut-offs (alias t). */
function markSql(c: MarkCutoffs) {
  return sql<DeadlineMark>`case
    when t.due_at is null then 'on_time'
    when t.due_at < ${c.longOverdueBefore} then 'long_overdue'
    when t.due_at < ${c.overdueBefore} then 'overdue'
    when t.due_at < ${c.dueSoonBefore} then 'due_soon'
    else 'on_time' end`;
}

export type MarkChanges = Record<DeadlineMark, number>;

/** Sets deadline_mark on every ticket waiting for handling whose mark changed; counts by new mark. */
export async function updateDeadlineMarks(db: Executor, now: Date, t: MarkThresholds): Promise<MarkChanges> {
  const { rows } = await sql<{ mark: DeadlineMark; n: number }>`
    with changed as (
      update tickets u set deadline_mark = m.mark
      from (select t.id, ${markSql(markCutoffs(now, t))} as mark from tickets t where t.state in (${handling})) m
      where u.id = m.id and u.deadline_mark <> m.mark
      returning u.deadline_mark as mark
    )
    select mark, count(*)::int as n from changed group by mark`.execute(db);
  const out: MarkChanges = { on_time: 0, due_soon: 0, overdue: 0, long_overdue: 0 };
  for (const r of rows) out[r.mark] = r.n;
  return out;
}

/** More notices were due than one batch: the rest follow in the next passes. */
export type SupervisionCounts = { yellow: number; red: number; notifications: number; more: boolean };

/**
 * Issues the automatic supervision notices due at `now`: yellow for every ticket waiting for
 * handling past its deadline, red for those past the long-overdue cut-off; at most one of each
 * per ticket and deadline (an approved extension moves the deadline, so a new overdue gets a new
 * yellow). Each notice appends a 'supervise' event to the ticket's log and notifies the handling
 * unit's accounts and the supervisors whose scope covers the ticket, once (dedupe key); a person
 * who would get more than DIGEST_AFTER notices from this pass gets one summary instead.
 */
export async function issueAutomaticSupervisions(db: Executor, now: Date, t: MarkThresholds, batch = SUPERVISE_BATCH): Promise<SupervisionCounts> {
  const c = markCutoffs(now, t);
  return inTransaction(db, async (tx) => {
    const due = sql`
      select t.id, t.due_at, l.level
      from tickets t cross join (values ('yellow'), ('red')) as l(level)
      where t.state in (${handling}) and t.due_at < ${c.overdueBefore}
        and (l.level = 'yellow' or t.due_at < ${c.longOverdueBefore})
        and not exists (select 1 from ticket_supervisions s
          where s.automatic and s.ticket_id = t.id and s.level = l.level and s.due_at = t.due_at)
      order by t.due_at, t.id, l.level desc
      limit ${batch}`;
    // The tickets about to get a notice are locked first, in id order, as every other writer of
    // a ticket's event log locks its row before taking the next seq; the statement below then
    // reads them as they are once locked.
    const locked = await sql<{ id: number }>`
      select id from tickets where id in (select id from (${due}) d) order by id for update`.execute(tx);
    if (locked.rows.length === 0) return { yellow: 0, red: 0, notifications: 0, more: false };
    const day = (col: string) => sql`to_char(${sql.ref(col)} + interval '8 hours', 'YYYY-MM-DD')`;
    const { rows } = await sql<{ yellow: number; red: number; notifications: number }>`
      with due as materialized (${due}),
      ins as (
        insert into ticket_supervisions (ticket_id, level, automatic, due_at, note, issued_at)
        select d.id, d.level, true, d.due_at,
          case d.level
            when 'yellow' then '已超过办理期限（' || ${day('d.due_at')} || '）仍未办结，系统自动黄色督办'
            else '超过办理期限（' || ${day('d.due_at')} || '）' || ${t.longOverdueDays}::int || '个工作日仍未办结，系统自动红色督办' end,
          ${now}
        from due d
        order by d.id, d.level = 'red'
        on conflict (ticket_id, level, due_at) where automatic do nothing
        returning id, ticket_id, level, due_at, note
      ),
      issued as materialized (
        select i.*, t.state, t.title, t.tracking_code, t.handling_unit_id, t.handling_unit_path, t.region_path,
          row_number() over (partition by i.ticket_id order by case i.level when 'yellow' then 0 else 1 end) as k
        from ins i join tickets t on t.id = i.ticket_id
      ),
      ev as (
        insert into ticket_events (ticket_id, seq, action, from_state, to_state, actor_user_id, actor_role, actor_name, at, note, data)
        select i.ticket_id, coalesce((select max(e.seq) from ticket_events e where e.ticket_id = i.ticket_id), 0) + i.k,
          'supervise', i.state, i.state, null, 'system', '系统', ${now}, i.note,
          jsonb_build_object('level', i.level, 'automatic', true, 'supervisionId', i.id, 'dueAt', i.due_at)
        from issued i
        returning 1
      ),
      -- Supervisors are matched once per distinct place (region, unit), not once per notice.
      places as materialized (
        select distinct i.region_path, coalesce(i.handling_unit_path, '') as unit_path from issued i
      ),
      place_supervisors as materialized (
        select p.region_path, p.unit_path, u.id as user_id
        from places p
        join users u on u.role = 'supervisor' and not u.disabled
        left join regions r on r.code = u.region_code
        left join units un on un.id = u.unit_id
        where (u.region_code is null or p.region_path = r.path or p.region_path like r.path || '/%')
          and (u.unit_id is null or p.unit_path = un.path or p.unit_path like un.path || '/%')
      ),
      -- A unit's accounts and the supervisors are different roles: no one is both.
      recipients as materialized (
        select i.id as supervision_id, i.level, u.id as user_id, u.role
        from issued i join users u on u.unit_id = i.handling_unit_id and u.role in ('handling_dept', 'unit_leader') and not u.disabled
        union all
        select i.id, i.level, s.user_id, 'supervisor'
        from issued i join place_supervisors s on s.region_path = i.region_path and s.unit_path = coalesce(i.handling_unit_path, '')
      ),
      per_user as materialized (
        select r.user_id, r.role, count(*)::int as n,
          count(*) filter (where r.level = 'yellow')::int as yellow, count(*) filter (where r.level = 'red')::int as red
        from recipients r
        group by r.user_id, r.role
      ),
      sent as (
        insert into notifications (user_id, kind, title, body, ticket_id, link, dedupe_key, created_at)
        select r.user_id, 'ticket.supervised.' || i.level,
          '工单 ' || i.tracking_code || ' 逾期，' || case i.level when 'yellow' then '黄色' else '红色' end || '督办：' || i.title,
          '工单 ' || i.tracking_code || '：' || i.note || '。请尽快办理，并在工单中回复督办。',
          i.ticket_id, '/tickets/' || i.ticket_id,
          'supervise:' || i.ticket_id || ':' || i.level || ':' || (extract(epoch from i.due_at) * 1000)::bigint,
          ${now}::timestamptz
        from recipients r join issued i on i.id = r.supervision_id join per_user p on p.user_id = r.user_id
        where p.n <= ${DIGEST_AFTER}
        union all
        select p.user_id, 'ticket.supervised.digest',
          '督办汇总：' || p.n || ' 件工单逾期未办结',
          '本次自动督办：黄色督办 ' || p.yellow || ' 件，红色督办 ' || p.red || ' 件。请在' || case p.role when 'supervisor' then '督办看板' else '待办工单' end || '中查看并督促办理。',
          null::int, case p.role when 'supervisor' then '/supervision' else '/inbox' end,
          'supervise-digest:' || ${now.getTime()}::bigint,
          ${now}::timestamptz
        from per_user p
        where p.n > ${DIGEST_AFTER}
        on conflict (user_id, dedupe_key) where dedupe_key is not null do nothing
        returning 1
      )
      select (select count(*) from issued where level = 'yellow')::int as yellow,
        (select count(*) from issued where level = 'red')::int as red,
        (select count(*) from sent)::int as notifications,
        (select count(*) from ev)::int as events`.execute(tx);
    const r = rows[0]!;
    return { yellow: r.yellow, red: r.red, notifications: r.notifications, more: r.yellow + r.red >= batch };
  });
}

export type TickStats = {
  marks: MarkChanges;
  yellow: number;
  red: number;
  notifications: number;
  /** Notices still due beyond this pass's batch (issued by the next passes). */
  more: boolean;
  closedUnrated: number;
  /** Tickets the unrated close refused or failed on (left for the next pass). */
  closeFailures: number;
  /** Time spent on the marks, on the notices (ms), and on the whole pass with the claim (ms). */
  marksMs: number;
  supervisionMs: number;
  ms: number;
};

export type TickResult =
  | { ran: true; tickAt: Date; stats: TickStats }
  | { ran: false; tickAt: Date; reason: 'claimed' | 'busy' };

export type TickOptions = {
  now: Date;
  /** Who runs the pass (host:pid), recorded with the claim. */
  processName: string;
  intervalMs: number;
  /** Close resolved tickets nobody rated after this many working days (0 or absent: never). */
  unratedCloseDays?: number;
  policy?: TicketDeadlinePolicy;
  /** At most this many supervision notices in one pass (default SUPERVISE_BATCH). */
  superviseBatch?: number;
};

/** The tick an instant belongs to: the instant floored to the interval. */
export const tickOf = (now: Date, intervalMs: number) => new Date(Math.floor(now.getTime() / intervalMs) * intervalMs);

/**
 * Claims the tick `now` falls in and, if this process won it, runs the pass and records its
 * statistics. A tick already claimed (by another process, or earlier by this one) is not run
 * again; nor is any tick while another claim is unfinished and younger than the lease.
 */
export async function runSupervisionTick(db: Executor, opts: TickOptions): Promise<TickResult> {
  const interval = Math.max(1000, opts.intervalMs);
  const tickAt = tickOf(opts.now, interval);
  const lease = new Date(opts.now.getTime() - TICK_LEASE_MS);
  const claim = await sql<{ tick_at: Date }>`
    insert into scheduler_ticks (job, tick_at, claimed_by, claimed_at)
    select ${SUPERVISION_JOB}, ${tickAt}, ${opts.processName}, ${opts.now}
    where not exists (select 1 from scheduler_ticks s
      where s.job = ${SUPERVISION_JOB} and s.finished_at is null and s.claimed_at > ${lease} and s.tick_at <> ${tickAt})
    on conflict (job, tick_at) do nothing
    returning tick_at`.execute(db);
  if (claim.rows.length === 0) {
    const mine = await sql<{ n: number }>`select count(*)::int as n from scheduler_ticks where job = ${SUPERVISION_JOB} and tick_at = ${tickAt}`.execute(db);
    return { ran: false, tickAt, reason: mine.rows[0]!.n > 0 ? 'claimed' : 'busy' };
  }
  const started = performance.now();
  const stats = await supervisionPass(db, opts);
  stats.ms = Math.round(performance.now() - started);
  await sql`
    update scheduler_ticks set finished_at = ${new Date(opts.now.getTime() + stats.ms)}, stats = ${JSON.stringify(stats)}::jsonb
    where job = ${SUPERVISION_JOB} and tick_at = ${tickAt}`.execute(db);
  await sql`delete from scheduler_ticks where job = ${SUPERVISION_JOB} and tick_at < ${new Date(opts.now.getTime() - TICK_KEEP_MS)}`.execute(db);
  return { ran: true, tickAt, stats };
}

const SYSTEM = { role: 'system', userId: null, name: '系统', unitId: null, cadreId: null } as const;

/** The pass itself, without the claim: marks and supervisions in one transaction, then the unrated closes. */
export async function supervisionPass(db: Executor, opts: Pick<TickOptions, 'now' | 'unratedCloseDays' | 'policy' | 'superviseBatch'>): Promise<TickStats> {
  const policy = opts.policy ?? (await loadPolicy(db));
  const { marks, sup, marksMs, supervisionMs } = await inTransaction(db, async (tx) => {
    // One big set-based pass: JIT compiling costs more than it saves here; and each statement is
    // planned for this pass's instants (a statement prepared on the connection may otherwise fall
    // back to a generic plan: in the benchmark one such plan took ten minutes instead of one second).
    await sql`select set_config('jit', 'off', true), set_config('plan_cache_mode', 'force_custom_plan', true)`.execute(tx);
    const t0 = performance.now();
    const marks = await updateDeadlineMarks(tx, opts.now, policy);
    const t1 = performance.now();
    const sup = await issueAutomaticSupervisions(tx, opts.now, policy, opts.superviseBatch);
    return { marks, sup, marksMs: Math.round(t1 - t0), supervisionMs: Math.round(performance.now() - t1) };
  });
  let closedUnrated = 0;
  let closeFailures = 0;
  if (opts.unratedCloseDays) {
    const before = unratedCloseBefore(opts.now, opts.unratedCloseDays);
    const { rows } = await sql<{ id: number }>`
      select id from tickets where state = 'resolved' and resolved_at < ${before} order by resolved_at, id limit ${CLOSE_BATCH}`.execute(db);
    for (const { id } of rows) {
      try {
        // Through the state machine, one ticket at a time: a rating that arrives meanwhile wins.
        await applyCommand(db, id, { action: 'close', reason: `办结后${opts.unratedCloseDays}个工作日内未评价，系统自动关闭` }, SYSTEM, opts.now);
        closedUnrated++;
      } catch {
        closeFailures++; // rated or changed meanwhile, or refused: the next pass looks again
      }
    }
  }
  return { marks, yellow: sup.yellow, red: sup.red, notifications: sup.notifications, more: sup.more, closedUnrated, closeFailures, marksMs, supervisionMs, ms: 0 };
}

/** This process's name in the tick claims. */
export const processName = () => `${hostname()}:${process.pid}`;

export type TicketScheduler = { stop: () => Promise<void>; runNow: () => Promise<TickResult | undefined> };

/**
 * Runs a pass every `intervalMs`, a second after each tick boundary (so processes whose clocks
 * differ by less than that claim the same tick), until stopped. Failures are logged; the next
 * tick tries again.
 */
export function startTicketScheduler(
  db: Executor,
  opts: { intervalMs: number; unratedCloseDays?: number; log?: (err: unknown, message: string) => void },
): TicketScheduler {
  const name = processName();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<TickResult | undefined> | undefined;
  const log = opts.log ?? ((err, m) => console.error(m, err));
  const turn = async (): Promise<TickResult | undefined> => {
    try {
      return await runSupervisionTick(db, { now: new Date(), processName: name, intervalMs: opts.intervalMs, unratedCloseDays: opts.unratedCloseDays });
    } catch (e) {
      if (!stopped) log(e, 'ticket supervision pass failed; the next tick tries again');
      return undefined;
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
    const wait = opts.intervalMs - (Date.now() % opts.intervalMs) + 1000;
    timer = setTimeout(() => void run(), wait);
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

/** Starts this process's scheduler with the server (unless the interval is 0) and stops it on close. */
export function registerTicketScheduler(app: App, { db, config }: AppDeps): void {
  if (config.ticketSchedulerIntervalMs <= 0) return;
  const scheduler = startTicketScheduler(db, {
    intervalMs: config.ticketSchedulerIntervalMs,
    unratedCloseDays: config.ticketUnratedCloseDays,
    log: (err, message) => app.log.error({ err }, message),
  });
  app.addHook('onClose', async () => scheduler.stop());
}
