import { sql } from 'kysely';
import { ticketHeldStates } from '../../../contracts/tickets.ts';
import type { CalendarUpcomingDay, DigestResult } from '../../../contracts/calendar.ts';
import type { Executor } from '../../db/database.ts';
import type { App, AppDeps } from '../../http/types.ts';
import type { PersonalDataKey } from '../../lib/personal-data.ts';
import { chinaDate, chinaDayStart } from '../../lib/workdays.ts';
import { addDays } from '../compliance/periods.ts';
import { processName } from '../tickets/scheduler.ts';
import { activeEntries, cadreInfo, pairedTargetCounts, unitPaths, upcomingFor, type CampaignBrief } from './calendar.ts';
import { activeChannels, channelFor, channelServes, deliver, InAppChannel, type ChannelMessage, type ChannelRow, type NotificationChannel } from './channels.ts';

// The daily digest (每日提醒): once per China day, for each cadre in post with an account, one
// in-app notification and one delivery through each active channel serving them, listing
//   - today's and tomorrow's fixed days that apply to them,
//   - holiday visits whose window is within the next N days (with how many paired targets carry the tags),
//   - their compliance rows at risk in windows open today (compliance_results, filled by the compliance pass),
//   - tickets waiting for their unit, when their account handles tickets.
// A cadre with nothing to be told gets nothing. The day is claimed in scheduler_ticks (job
// calendar-digest, tick = the China day's start) so one process sends it; a claim left unfinished
// longer than the lease (the process died) may be taken over, and the dedupe keys on
// notifications and deliveries make the second pass send only what the first did not.

export const DIGEST_JOB = 'calendar-digest';
const LEASE_MS = 30 * 60_000;
/** After this many failures in a row in one pass, a channel is not tried again in that pass (recorded as failed). */
const CHANNEL_BREAK = 3;

export type DigestOptions = {
  /** The China date the digest is for (default: today at `now`). */
  date?: string;
  now?: Date;
  /** Holiday visits whose window starts within this many days. */
  holidayDays: number;
  key: PersonalDataKey;
  processName?: string;
  /** Pause before a webhook retry (× attempt); 0 in tests. */
  retryDelayMs?: number;
  /** Channel implementations by row (tests may substitute); default channelFor. */
  channelOf?: (row: ChannelRow) => NotificationChannel;
};

type Recipient = { userId: number; cadreId: number; role: string; unitId: number | null };

const md = (d: string) => `${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;

/** Claims the day and, if this process won it, sends the digest. */
export async function runDigest(db: Executor, opts: DigestOptions): Promise<DigestResult> {
  const now = opts.now ?? new Date();
  const date = opts.date ?? chinaDate(now);
  const tickAt = chinaDayStart(date);
  const name = opts.processName ?? processName();
  const claim = await sql<{ job: string }>`
    insert into scheduler_ticks as s (job, tick_at, claimed_by, claimed_at) values (${DIGEST_JOB}, ${tickAt}, ${name}, ${now})
    on conflict (job, tick_at) do update set claimed_by = excluded.claimed_by, claimed_at = excluded.claimed_at
      where s.finished_at is null and s.claimed_at < ${new Date(now.getTime() - LEASE_MS)}
    returning job`.execute(db);
  if (claim.rows.length === 0) return { date, ran: false, reason: `${date} 的每日提醒已发送过或正在发送（每天只发一次）`, cadres: 0, notifications: 0, deliveries: 0, failures: 0 };
  const started = performance.now();
  const stats = await digestPass(db, { ...opts, date, now });
  await sql`update scheduler_ticks set finished_at = ${new Date()}, stats = ${JSON.stringify({ ...stats, ms: Math.round(performance.now() - started) })}::jsonb
    where job = ${DIGEST_JOB} and tick_at = ${tickAt}`.execute(db);
  return stats;
}

/** The pass itself, without the claim (idempotent through the dedupe keys). */
export async function digestPass(db: Executor, opts: DigestOptions & { date: string; now: Date }): Promise<DigestResult> {
  const { date } = opts;
  const tomorrow = addDays(date, 1);
  const horizon = addDays(date, Math.max(1, opts.holidayDays));
  const result: DigestResult = { date, ran: true, reason: null, cadres: 0, notifications: 0, deliveries: 0, failures: 0 };

  const recipients = await db.selectFrom('users').innerJoin('cadres', 'cadres.id', 'users.cadre_id')
    .select(['users.id as userId', 'users.cadre_id as cadreId', 'users.role', 'users.unit_id as unitId'])
    .where('users.disabled', '=', false).where('cadres.status', '=', 'active').orderBy('users.cadre_id').orderBy('users.id').execute() as Recipient[];
  if (recipients.length === 0) return result;
  const cadreIds = [...new Set(recipients.map((r) => r.cadreId))];
  const cadres = await cadreInfo(db, cadreIds);

  // Campaigns running in the horizon with calendar entries, and which of the recipients take part in each.
  const campaigns: CampaignBrief[] = await db.selectFrom('campaigns').select(['id', 'name', 'starts_on', 'ends_on'])
    .where('starts_on', '<=', horizon).where('ends_on', '>=', date)
    .where((eb) => eb.exists(eb.selectFrom('calendar_entries').select('id').whereRef('calendar_entries.campaign_id', '=', 'campaigns.id').where('active', '=', true)))
    .execute();
  const entries = await activeEntries(db, campaigns);
  const paths = await unitPaths(db, entries);
  const campaignIds = campaigns.map((c) => c.id);
  const { rows: takesPart } = campaignIds.length === 0 ? { rows: [] } : await sql<{ cadre_id: number; campaign_id: number }>`
    select distinct cd.id as cadre_id, cu.campaign_id
    from cadres cd join units un on un.id = cd.unit_id
    join campaign_units cu on cu.campaign_id = any(${campaignIds}::int[])
    join units pu on pu.id = cu.unit_id
    where cd.id = any(${cadreIds}::int[]) and (un.path = pu.path or un.path like pu.path || '/%')
    union
    select p.cadre_id, p.campaign_id from pairings p
    where p.ends_on is null and p.campaign_id = any(${campaignIds}::int[]) and p.cadre_id = any(${cadreIds}::int[])
    union
    select tm.cadre_id, p.campaign_id from pairings p join team_members tm on tm.team_id = p.team_id and tm.left_on is null
    where p.ends_on is null and p.campaign_id = any(${campaignIds}::int[]) and tm.cadre_id = any(${cadreIds}::int[])`.execute(db);
  const campaignsOf = new Map<number, Set<number>>();
  for (const r of takesPart) (campaignsOf.get(r.cadre_id) ?? campaignsOf.set(r.cadre_id, new Set()).get(r.cadre_id)!).add(r.campaign_id);

  // Holiday-visit target counts, one query per festival entry in the horizon (not one per cadre).
  const counts = new Map<number, Map<number, number>>();
  for (const e of entries) {
    if (e.schedule.kind === 'festival' && e.targets) counts.set(e.id, await pairedTargetCounts(db, e.campaign_id, cadreIds, e.targets));
  }

  const { rows: atRisk } = await sql<{ cadre_id: number; rule_name: string; explanation: string; window_end: string }>`
    select cr.cadre_id, r.name as rule_name, cr.explanation, cr.window_end::text as window_end
    from compliance_results cr join requirement_rules r on r.id = cr.rule_id
    where cr.cadre_id = any(${cadreIds}::int[]) and cr.status = 'at_risk' and cr.window_start <= ${date}::date and cr.window_end >= ${date}::date
    order by cr.cadre_id, cr.window_end, r.name`.execute(db);
  const riskOf = new Map<number, typeof atRisk>();
  for (const r of atRisk) (riskOf.get(r.cadre_id) ?? riskOf.set(r.cadre_id, []).get(r.cadre_id)!).push(r);

  const ticketUnits = [...new Set(recipients.filter((r) => (r.role === 'handling_dept' || r.role === 'unit_leader') && r.unitId !== null).map((r) => r.unitId!))];
  const { rows: ticketRows } = ticketUnits.length === 0 ? { rows: [] } : await sql<{ unit_id: number; n: number; overdue: number }>`
    select handling_unit_id as unit_id, count(*)::int as n, count(*) filter (where deadline_mark in ('overdue', 'long_overdue'))::int as overdue
    from tickets where handling_unit_id = any(${ticketUnits}::int[]) and state = any(${[...ticketHeldStates]}::text[])
    group by handling_unit_id`.execute(db);
  const ticketsOf = new Map(ticketRows.map((r) => [r.unit_id, r]));

  const channels = await activeChannels(db);
  const impls = new Map(channels.map((c) => [c.id, opts.channelOf ? opts.channelOf(c) : channelFor(c, opts.key, opts.retryDelayMs ?? 1000)]));
  const failuresInRow = new Map<number, number>();
  const inApp = new InAppChannel(db);

  // One message per cadre, to each of their accounts (a cadre may have two, say a cadre and a unit-leader account).
  const byCadre = new Map<number, Recipient[]>();
  for (const r of recipients) (byCadre.get(r.cadreId) ?? byCadre.set(r.cadreId, []).get(r.cadreId)!).push(r);

  for (const [cadreId, accounts] of byCadre) {
    const cadre = cadres.get(cadreId);
    if (!cadre) continue;
    const mine = entries.filter((e) => campaignsOf.get(cadreId)?.has(e.campaign_id));
    // Counts are already loaded: upcomingFor is given the entries without targets and the count is added below.
    const days = await upcomingFor(db, mine.map((e) => (e.schedule.kind === 'festival' ? { ...e, targets: null } : e)), { start: date, end: horizon }, cadre, paths);
    const fixed = days.filter((d) => d.kind === 'fixed_day' && d.date <= tomorrow);
    const visits = days.filter((d) => d.kind === 'festival').map((d): CalendarUpcomingDay & { tags?: string[] } => {
      const e = mine.find((x) => x.id === d.entryId)!;
      if (!e.targets) return d;
      const n = counts.get(e.id)?.get(cadreId) ?? 0;
      return { ...d, targetCount: n, tags: e.targets.tags };
    });
    const risks = riskOf.get(cadreId) ?? [];
    const tickets = accounts.map((a) => (a.unitId !== null && (a.role === 'handling_dept' || a.role === 'unit_leader') ? ticketsOf.get(a.unitId) : undefined)).find((t) => t);
    if (fixed.length + visits.length + risks.length === 0 && !tickets) continue;

    const lines: string[] = [];
    for (const d of fixed) lines.push(`${d.date === date ? '今天' : '明天'}（${md(d.date)}）是${d.name}${d.restDay ? '（节假日，日期不变）' : ''}${d.description ? `：${d.description}` : ''}`);
    for (const v of visits) {
      const who = v.targetCount !== null ? `，您结对的对象中有${v.targetCount}个${v.tags?.join('、') ?? '对象'}` : '';
      lines.push(`${v.name}：${md(v.startsOn)}至${md(v.endsOn)}（节日当天${md(v.date)}）${who}`);
    }
    for (const r of risks) lines.push(`【有风险】${r.rule_name}：${r.explanation}`);
    if (tickets) lines.push(`待办工单${tickets.n}件${tickets.overdue ? `，其中逾期${tickets.overdue}件` : ''}`);
    const heads = [...fixed.map((d) => d.name), ...visits.map((v) => v.name)];
    if (risks.length) heads.push(`${risks.length}项要求有风险`);
    if (tickets) heads.push(`待办工单${tickets.n}件`);
    const msg: ChannelMessage = {
      event: 'calendar.digest',
      title: `每日提醒（${md(date)}）：${[...new Set(heads)].join(' · ')}`,
      body: lines.join('\n'),
      link: '/duties',
      userIds: accounts.map((a) => a.userId),
      cadreId,
      cadreName: cadre.name,
      dedupeKey: `calendar-digest:${date}`,
      data: { date, fixedDays: fixed, holidayVisits: visits, atRisk: risks.map((r) => ({ rule: r.rule_name, explanation: r.explanation, windowEnd: r.window_end })), tickets: tickets ?? null },
    };
    result.cadres++;
    const before = await db.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', sql<number>`any(${msg.userIds}::int[])`).where('dedupe_key', '=', msg.dedupeKey).executeTakeFirstOrThrow();
    await inApp.send(msg);
    result.notifications += msg.userIds.length - Number(before.n);

    for (const ch of channels) {
      if (!channelServes(ch, cadre.unitRegionPath)) continue;
      const perChannel = { ...msg, dedupeKey: `calendar-digest:${date}:cadre:${cadreId}` };
      const broken = (failuresInRow.get(ch.id) ?? 0) >= CHANNEL_BREAK;
      const impl: NotificationChannel = broken
        ? { kind: ch.kind, send: async () => ({ ok: false, attempts: 0, httpStatus: null, error: `本轮该渠道已连续失败${CHANNEL_BREAK}次，未再尝试` }) }
        : impls.get(ch.id)!;
      const r = await deliver(db, ch, impl, perChannel, opts.now);
      if (!r) continue;
      result.deliveries++;
      if (!r.ok) result.failures++;
      failuresInRow.set(ch.id, r.ok ? 0 : (failuresInRow.get(ch.id) ?? 0) + 1);
    }
  }
  return result;
}

export type DigestScheduler = { stop: () => Promise<void> };

/**
 * Every `intervalMs`, once the China clock has passed `hour`, tries to claim today's digest; the
 * first process to claim it sends it and every other try that day is a cheap no-op.
 */
export function startDigestScheduler(db: Executor, opts: { intervalMs: number; hour: number; holidayDays: number; key: PersonalDataKey; log: (err: unknown, m: string) => void }): DigestScheduler {
  let stopped = false;
  let running: Promise<unknown> | undefined;
  const turn = async () => {
    const now = new Date();
    const chinaHour = (now.getUTCHours() + 8) % 24;
    if (chinaHour < opts.hour) return;
    try {
      await runDigest(db, { now, holidayDays: opts.holidayDays, key: opts.key });
    } catch (e) {
      if (!stopped) opts.log(e, 'calendar digest failed; the next interval tries again');
    }
  };
  const timer = setInterval(() => {
    running ??= turn().finally(() => { running = undefined; });
  }, opts.intervalMs);
  timer.unref();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

export function registerCalendarDigest(app: App, { db, config, key }: AppDeps): void {
  if (config.calendarDigestIntervalMs <= 0) return;
  const s = startDigestScheduler(db, {
    intervalMs: config.calendarDigestIntervalMs, hour: config.calendarDigestHour, holidayDays: config.calendarHolidayDays, key,
    log: (err, message) => app.log.error({ err }, message),
  });
  app.addHook('onClose', async () => s.stop());
}
