import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultTicketDeadlinePolicy, type TicketState } from '../../../contracts/tickets.ts';
import { openPostgres, type Database, type DatabaseHandle } from '../../db/database.ts';
import { chinaDate } from '../../lib/workdays.ts';
import { DANDONG, SHIPU, XIANGSHAN, createTestDatabase, makeCadre, makeUnit, makeUser, seedXiangshan, testDriver } from '../../../test/helpers.ts';
import { deadlineMark, type MarkThresholds } from './deadlines.ts';
import { markCutoffs, runSupervisionTick, supervisionPass, updateDeadlineMarks } from './scheduler.ts';

// The supervision scheduler against a real database: marks equal deadlineMark() around holidays
// and 调休, yellow then red 督办 exactly once per deadline with their events and notices, a new
// yellow after the deadline moves, and one pass per tick however many processes race for it.

const HOUR = 3600_000;
const MIN = 60_000;
const china = (s: string) => new Date(`${s}+08:00`);
const endOf = (date: string) => china(`${date}T23:59:59.999`);

let h: DatabaseHandle;
let shipuUnit: { id: number; path: string };
let dandongUnit: number;
let users: Record<'dept' | 'leader' | 'cadre' | 'supAll' | 'supCounty' | 'supDandong' | 'supDisabled' | 'otherDept', number>;

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  const u = await makeUnit(h.db, SHIPU, { name: '石浦镇办' });
  shipuUnit = { id: u.id, path: (await h.db.selectFrom('units').select('path').where('id', '=', u.id).executeTakeFirstOrThrow()).path };
  dandongUnit = (await makeUnit(h.db, DANDONG, { name: '丹东街道办' })).id;
  const cadre = await makeCadre(h.db, u.id);
  users = {
    dept: (await makeUser(h.db, 'handling_dept', { unitId: u.id })).id,
    leader: (await makeUser(h.db, 'unit_leader', { unitId: u.id })).id,
    cadre: (await makeUser(h.db, 'cadre', { unitId: u.id, cadreId: cadre.id })).id,
    supAll: (await makeUser(h.db, 'supervisor')).id,
    supCounty: (await makeUser(h.db, 'supervisor', { regionCode: XIANGSHAN })).id,
    supDandong: (await makeUser(h.db, 'supervisor', { regionCode: DANDONG })).id,
    supDisabled: (await makeUser(h.db, 'supervisor')).id,
    otherDept: (await makeUser(h.db, 'handling_dept', { unitId: dandongUnit })).id,
  };
  await h.db.updateTable('users').set({ disabled: true }).where('id', '=', users.supDisabled).execute();
});
afterAll(async () => {
  await h?.close();
});

/** A ticket as the ticket domain leaves it after a dispatch (inserted directly: only the scheduler is under test). */
async function ticket(o: { dueAt: Date | null; state?: TicketState; unit?: { id: number; path: string } | null }) {
  const region = await h.db.selectFrom('regions').select('path').where('code', '=', SHIPU).executeTakeFirstOrThrow();
  const unit = o.unit === undefined ? shipuUnit : o.unit;
  const row = await h.db.insertInto('tickets').values({
    tracking_code: randomBytes(6).toString('hex'), source: 'hotline', type: 'help', category_code: 'other', urgency: 'normal',
    title: `路灯不亮${randomBytes(2).toString('hex')}`, content: '村口路灯坏了', region_code: SHIPU, region_path: region.path,
    handling_unit_id: unit?.id ?? null, handling_unit_path: unit?.path ?? null, state: o.state ?? 'signed', due_at: o.dueAt,
    dispatched_at: o.dueAt ? new Date(o.dueAt.getTime() - 5 * 24 * HOUR) : null, created_at: new Date(), updated_at: new Date(),
  }).returning('id').executeTakeFirstOrThrow();
  await h.db.insertInto('ticket_events').values({
    ticket_id: row.id, seq: 1, action: 'dispatch', from_state: 'registered', to_state: o.state ?? 'signed', actor_role: 'admin', actor_name: '测试', at: new Date(),
  }).execute();
  return row.id;
}

const thresholdSets: MarkThresholds[] = [
  defaultTicketDeadlinePolicy, // amber 1 working day ahead, red 3 after
  { dueSoonDays: 0, longOverdueDays: 1 },
  { dueSoonDays: 3, longOverdueDays: 5 },
];

// Instants around 国庆 2026 (10-01…10-07 off, Saturday 10-10 worked, Friday 09-25 中秋 off, Sunday
// 09-20 worked), 春节 2026 (02-15…02-23 off) and the end of the calendar's known years.
const nows = [
  '2026-02-13T16:00', '2026-02-14T09:00', '2026-02-23T23:59:59.999', '2026-02-24T00:00', '2026-02-25T10:00',
  '2026-09-19T12:00', '2026-09-20T08:00', '2026-09-24T18:00', '2026-09-25T12:00', '2026-09-28T09:00',
  '2026-09-30T10:00', '2026-10-01T00:00', '2026-10-05T12:00', '2026-10-07T23:59:59.999', '2026-10-08T00:00:00.001',
  '2026-10-09T17:30', '2026-10-10T12:00', '2026-10-11T12:00', '2026-10-12T08:00', '2026-10-14T15:00',
  '2026-12-30T10:00', '2026-12-31T23:00',
].map(china);

describe('deadline marks', () => {
  it('the cut-offs split deadlines exactly as deadlineMark() does, hour by hour through holidays and 调休', () => {
    // Every hour of 2026-02-10…02-28 and 2026-09-15…10-20 as now, every end of day and some
    // mid-day deadlines within three weeks either side.
    const spans = [['2026-02-10', '2026-02-28'], ['2026-09-15', '2026-10-20']] as const;
    let compared = 0;
    for (const [from, to] of spans) {
      for (let now = china(`${from}T00:30`); now <= china(`${to}T23:30`); now = new Date(now.getTime() + 7 * HOUR)) {
        for (const t of thresholdSets) {
          const c = markCutoffs(now, t);
          for (let d = -21; d <= 21; d++) {
            const day = chinaDate(new Date(now.getTime() + d * 24 * HOUR));
            for (const dueAt of [endOf(day), china(`${day}T10:00`), china(`${day}T00:00`)]) {
              const sqlMark = dueAt < c.longOverdueBefore ? 'long_overdue' : dueAt < c.overdueBefore ? 'overdue' : dueAt < c.dueSoonBefore ? 'due_soon' : 'on_time';
              expect(sqlMark, `due ${dueAt.toISOString()} at ${now.toISOString()} with ${JSON.stringify(t)}`).toBe(deadlineMark(dueAt, now, t));
              compared++;
            }
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(50_000);
  });

  it('the database marks equal deadlineMark() for deadlines around 国庆 and 春节 2026', async () => {
    const dues: Date[] = [];
    for (const [from, days] of [['2026-02-01', 40], ['2026-09-10', 50], ['2026-12-20', 25]] as const) {
      for (let i = 0; i < days; i++) {
        const day = chinaDate(new Date(china(`${from}T12:00`).getTime() + i * 24 * HOUR));
        dues.push(endOf(day), china(`${day}T09:00`));
      }
    }
    const ids: number[] = [];
    for (const dueAt of dues) ids.push(await ticket({ dueAt }));
    const extra = [
      ...nows.flatMap((n) => [new Date(n.getTime() - 1), n, new Date(n.getTime() + 1)]).map((dueAt) => ticket({ dueAt })),
    ];
    ids.push(...(await Promise.all(extra)));
    const noDeadline = await ticket({ dueAt: null, state: 'registered', unit: null });
    const closed = await ticket({ dueAt: china('2026-01-05T12:00'), state: 'closed' });
    for (const now of nows) {
      for (const t of thresholdSets) {
        await updateDeadlineMarks(h.db, now, t);
        const rows = await h.db.selectFrom('tickets').select(['id', 'due_at', 'deadline_mark']).where('id', 'in', ids).execute();
        const wrong = rows.filter((r) => r.deadline_mark !== deadlineMark(r.due_at!, now, t));
        expect(wrong.map((r) => `${r.due_at!.toISOString()} → ${r.deadline_mark}, expected ${deadlineMark(r.due_at!, now, t)}`), `at ${now.toISOString()} with ${JSON.stringify(t)}`).toEqual([]);
        expect(rows).toHaveLength(ids.length);
      }
    }
    const other = await h.db.selectFrom('tickets').select(['id', 'deadline_mark']).where('id', 'in', [noDeadline, closed]).orderBy('id').execute();
    // No deadline: on time; a closed ticket is left as it was (the marks are for open tickets).
    expect(other.map((r) => r.deadline_mark)).toEqual(['on_time', 'on_time']);
    // A second run at the same instant changes nothing.
    const again = await updateDeadlineMarks(h.db, nows.at(-1)!, thresholdSets.at(-1)!);
    expect(again).toEqual({ on_time: 0, due_soon: 0, overdue: 0, long_overdue: 0 });
    // Clean up so the supervision tests below start from their own tickets.
    await h.db.updateTable('tickets').set({ state: 'closed' }).where('id', 'in', ids).execute();
  });
});

async function supervisionsOf(ticketId: number) {
  return h.db.selectFrom('ticket_supervisions').select(['level', 'automatic', 'due_at', 'note']).where('ticket_id', '=', ticketId).orderBy('id').execute();
}
async function eventsOf(ticketId: number) {
  return h.db.selectFrom('ticket_events').select(['seq', 'action', 'from_state', 'to_state', 'actor_role', 'actor_name', 'actor_user_id', 'data']).where('ticket_id', '=', ticketId).orderBy('seq').execute();
}
async function noticesOf(ticketId: number) {
  return h.db.selectFrom('notifications').select(['user_id', 'kind', 'title', 'body', 'link', 'dedupe_key']).where('ticket_id', '=', ticketId).orderBy('user_id').orderBy('id').execute();
}

/** A tick at `now` under a name of its own (each call claims a fresh tick: one minute apart). */
const tick = (db: Database, now: Date, name = 'test') => runSupervisionTick(db, { now, processName: name, intervalMs: MIN, policy: defaultTicketDeadlinePolicy });

describe('automatic supervision (督办)', () => {
  it('yellow at the deadline and red three working days later, each once, with its event and notices', async () => {
    // Due Wednesday 2026-09-30: National Day follows, so the third working day after is 10-10 (调休 Saturday).
    const dueAt = endOf('2026-09-30');
    const id = await ticket({ dueAt, state: 'in_progress' });
    const before = await tick(h.db, china('2026-09-30T12:00'));
    expect(before.ran).toBe(true);
    expect(await supervisionsOf(id)).toEqual([]);
    expect((await h.db.selectFrom('tickets').select('deadline_mark').where('id', '=', id).executeTakeFirstOrThrow()).deadline_mark).toBe('due_soon');

    const y = await tick(h.db, china('2026-10-01T00:01'));
    expect(y.ran && y.stats.yellow).toBeGreaterThanOrEqual(1);
    for (const later of ['2026-10-01T00:02', '2026-10-05T08:00', '2026-10-10T23:59']) await tick(h.db, china(later));
    let sups = await supervisionsOf(id);
    expect(sups).toEqual([{ level: 'yellow', automatic: true, due_at: dueAt, note: '已超过办理期限（2026-09-30）仍未办结，系统自动黄色督办' }]);

    await tick(h.db, china('2026-10-11T00:00:00.5'));
    for (const later of ['2026-10-11T09:00', '2026-10-20T09:00']) await tick(h.db, china(later));
    sups = await supervisionsOf(id);
    expect(sups.map((s) => s.level)).toEqual(['yellow', 'red']);
    expect(sups[1]!.note).toBe('超过办理期限（2026-09-30）3个工作日仍未办结，系统自动红色督办');

    const events = await eventsOf(id);
    expect(events.map((e) => [e.seq, e.action])).toEqual([[1, 'dispatch'], [2, 'supervise'], [3, 'supervise']]);
    for (const e of events.slice(1)) {
      expect(e).toMatchObject({ from_state: 'in_progress', to_state: 'in_progress', actor_role: 'system', actor_name: '系统', actor_user_id: null });
    }
    expect(events.slice(1).map((e) => e.data)).toMatchObject([{ level: 'yellow', automatic: true }, { level: 'red', automatic: true }]);
    expect((await h.db.selectFrom('tickets').select('deadline_mark').where('id', '=', id).executeTakeFirstOrThrow()).deadline_mark).toBe('long_overdue');

    // The unit's handling and leader accounts and the supervisors over 石浦 (unscoped, county);
    // not the unit's cadre, another unit, a supervisor of 丹东, nor a disabled account.
    const notices = await noticesOf(id);
    const expected = [users.dept, users.leader, users.supAll, users.supCounty].sort((a, b) => a - b);
    expect(notices.filter((n) => n.kind === 'ticket.supervised.yellow').map((n) => n.user_id)).toEqual(expected);
    expect(notices.filter((n) => n.kind === 'ticket.supervised.red').map((n) => n.user_id)).toEqual(expected);
    expect(notices).toHaveLength(8);
    expect(notices[0]).toMatchObject({ link: `/tickets/${id}` });
    expect(notices[0]!.title).toMatch(/^工单 [0-9a-f]{12} 逾期，(黄|红)色督办：路灯不亮/);
    expect(notices[0]!.body).toContain('已超过办理期限（2026-09-30）');
  });

  it('a ticket found long overdue at its first pass gets yellow and red together, in order', async () => {
    const id = await ticket({ dueAt: endOf('2026-03-02') });
    const r = await tick(h.db, china('2026-03-20T10:00'));
    expect(r.ran).toBe(true);
    expect((await supervisionsOf(id)).map((s) => s.level)).toEqual(['yellow', 'red']);
    expect((await eventsOf(id)).map((e) => [e.seq, (e.data as { level?: string }).level ?? null])).toEqual([[1, null], [2, 'yellow'], [3, 'red']]);
    await tick(h.db, china('2026-03-20T10:05'));
    expect(await supervisionsOf(id)).toHaveLength(2);
  });

  it('more notices than one batch: the longest overdue first, the rest in the next passes, none twice', async () => {
    const ids = [
      await ticket({ dueAt: endOf('2026-07-01') }),
      await ticket({ dueAt: endOf('2026-07-02') }),
      await ticket({ dueAt: endOf('2026-07-03') }),
    ];
    const pass = (minute: number) => runSupervisionTick(h.db, { now: china(`2026-07-20T09:${String(minute).padStart(2, '0')}`), processName: 't', intervalMs: MIN, superviseBatch: 4 });
    const counts = async () => Promise.all(ids.map(async (id) => (await supervisionsOf(id)).map((s) => s.level).join('+')));
    const first = await pass(1);
    expect(first.ran && first.stats).toMatchObject({ yellow: 2, red: 2, more: true });
    expect(await counts()).toEqual(['yellow+red', 'yellow+red', '']);
    const second = await pass(2);
    expect(second.ran && second.stats).toMatchObject({ yellow: 1, red: 1, more: false });
    const third = await pass(3);
    expect(third.ran && third.stats).toMatchObject({ yellow: 0, red: 0, more: false });
    expect(await counts()).toEqual(['yellow+red', 'yellow+red', 'yellow+red']);
    for (const id of ids) expect((await eventsOf(id)).map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('after an approved extension moves the deadline, a new overdue gets a new yellow', async () => {
    const firstDue = endOf('2026-11-02');
    const id = await ticket({ dueAt: firstDue });
    await tick(h.db, china('2026-11-03T09:00'));
    expect((await supervisionsOf(id)).map((s) => s.level)).toEqual(['yellow']);
    // An extension of 5 working days, as the ticket domain writes it when approved.
    const newDue = endOf('2026-11-09');
    await h.db.updateTable('tickets').set({ due_at: newDue, extension_count: 1 }).where('id', '=', id).execute();
    const moved = await tick(h.db, china('2026-11-04T09:00'));
    expect(moved.ran && moved.stats.yellow).toBe(0);
    expect((await h.db.selectFrom('tickets').select('deadline_mark').where('id', '=', id).executeTakeFirstOrThrow()).deadline_mark).toBe('on_time');
    await tick(h.db, china('2026-11-10T00:00:01'));
    const sups = await supervisionsOf(id);
    expect(sups.map((s) => [s.level, s.due_at])).toEqual([['yellow', firstDue], ['yellow', newDue]]);
    expect((await noticesOf(id)).filter((n) => n.user_id === users.dept)).toHaveLength(2);
  });

  it('tickets no longer waiting for handling get nothing; a ticket without a handling unit notifies the supervisors only', async () => {
    const resolved = await ticket({ dueAt: endOf('2026-04-01'), state: 'resolved' });
    const closed = await ticket({ dueAt: endOf('2026-04-01'), state: 'closed' });
    const unheld = await ticket({ dueAt: endOf('2026-04-01'), state: 'registered', unit: null });
    await tick(h.db, china('2026-04-03T09:00'));
    expect(await supervisionsOf(resolved)).toEqual([]);
    expect(await supervisionsOf(closed)).toEqual([]);
    expect((await supervisionsOf(unheld)).map((s) => s.level)).toEqual(['yellow']);
    expect((await noticesOf(unheld)).map((n) => n.user_id)).toEqual([users.supAll, users.supCounty].sort((a, b) => a - b));
  });
});

describe('closing unrated tickets', () => {
  it('a resolved ticket nobody rated is closed as unrated after the waiting working days, through the state machine', async () => {
    // Resolved Tuesday 2026-09-29: with 3 working days to wait (09-30, 10-08, 10-09) it closes from 10-10 on.
    const id = await ticket({ dueAt: endOf('2026-10-09'), state: 'resolved' });
    await h.db.updateTable('tickets').set({ resolved_at: china('2026-09-29T15:00'), closure_type: 'substantive', reply: '已修复' }).where('id', '=', id).execute();
    const waiting = await runSupervisionTick(h.db, { now: china('2026-10-09T23:00'), processName: 't', intervalMs: MIN, unratedCloseDays: 3 });
    expect(waiting.ran && waiting.stats.closedUnrated).toBe(0);
    const closing = await runSupervisionTick(h.db, { now: china('2026-10-10T00:05'), processName: 't', intervalMs: MIN, unratedCloseDays: 3 });
    expect(closing.ran && closing.stats).toMatchObject({ closedUnrated: 1, closeFailures: 0 });
    const row = await h.db.selectFrom('tickets').select(['state', 'outcome', 'closed_at']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'closed', outcome: 'unrated', closed_at: china('2026-10-10T00:05') });
    const last = (await eventsOf(id)).at(-1)!;
    expect(last).toMatchObject({ action: 'close', from_state: 'resolved', to_state: 'closed', actor_role: 'system', actor_name: '系统' });
    // Without the setting nothing is closed.
    const other = await ticket({ dueAt: endOf('2026-10-09'), state: 'resolved' });
    await h.db.updateTable('tickets').set({ resolved_at: china('2026-09-29T15:00') }).where('id', '=', other).execute();
    await runSupervisionTick(h.db, { now: china('2026-10-20T09:00'), processName: 't', intervalMs: MIN });
    expect((await h.db.selectFrom('tickets').select('state').where('id', '=', other).executeTakeFirstOrThrow()).state).toBe('resolved');
  });
});

describe('one pass per tick', () => {
  it('a tick is claimed once: the same tick again is refused, and the claim records its statistics', async () => {
    const now = china('2026-05-06T10:00:30');
    const first = await tick(h.db, now, 'a');
    const second = await tick(h.db, new Date(now.getTime() + 20_000), 'b');
    expect(first.ran).toBe(true);
    expect(second).toMatchObject({ ran: false, reason: 'claimed' });
    const row = await h.db.selectFrom('scheduler_ticks').selectAll().where('job', '=', 'ticket-supervision').where('tick_at', '=', china('2026-05-06T10:00')).executeTakeFirstOrThrow();
    expect(row.claimed_by).toBe('a');
    expect(row.finished_at).not.toBeNull();
    expect(row.stats).toMatchObject({ yellow: expect.any(Number), marks: expect.any(Object) });
  });

  it('while another claim is unfinished within its lease no tick runs; after the lease one does', async () => {
    const stuck = china('2026-05-07T10:00');
    await h.db.insertInto('scheduler_ticks').values({ job: 'ticket-supervision', tick_at: stuck, claimed_by: 'crashed', claimed_at: stuck }).execute();
    expect(await tick(h.db, china('2026-05-07T10:05'))).toMatchObject({ ran: false, reason: 'busy' });
    expect((await tick(h.db, china('2026-05-07T10:11'))).ran).toBe(true);
  });

  it('racing passes for the same tick: exactly one runs, nothing is issued twice', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => ticket({ dueAt: endOf(i % 2 ? '2026-06-01' : '2026-06-10') })));
    // On PostgreSQL, a second, independent pool races the first (as a second server process would).
    let other: DatabaseHandle | undefined;
    if (testDriver === 'postgres') {
      const name = (await sql<{ db: string }>`select current_database() as db`.execute(h.db)).rows[0]!.db;
      other = openPostgres(inject('pgTemplateUrl').replace(/\/[^/]+$/, `/${name}`), 4);
    }
    try {
      const dbs = [h.db, other?.db ?? h.db];
      const now = china('2026-06-15T09:00:10');
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => runSupervisionTick(dbs[i % 2]!, { now, processName: `p${i}`, intervalMs: MIN })));
      expect(results.filter((r) => r.ran)).toHaveLength(1);
      expect(results.filter((r) => !r.ran).map((r) => !r.ran && r.reason)).toEqual(Array(7).fill('claimed'));
      const counts = await h.db.selectFrom('ticket_supervisions').select(['level', (eb) => eb.fn.countAll<number>().as('n')]).where('ticket_id', 'in', ids).groupBy('level').orderBy('level').execute();
      // 06-01 + 3 working days = 06-04 (red by 06-15); 06-10's third working day is 06-15 itself.
      expect(counts.map((c) => [c.level, Number(c.n)])).toEqual([['red', 10], ['yellow', 20]]);

      // Passes that overlap anyway (a lease taken over from a slow process): the work itself
      // is idempotent, so running it concurrently from both pools adds nothing.
      const later = china('2026-06-20T09:00');
      const overlapped = await Promise.all([0, 1, 2, 3].map((i) => supervisionPass(dbs[i % 2]!, { now: later, policy: defaultTicketDeadlinePolicy })));
      expect(overlapped.reduce((n, s) => n + s.yellow + s.red, 0)).toBe(10); // the 06-10 ones turn red, once
      const sups = await h.db.selectFrom('ticket_supervisions').select(['ticket_id', 'level']).where('ticket_id', 'in', ids).execute();
      expect(sups).toHaveLength(40);
      const events = await h.db.selectFrom('ticket_events').select(['ticket_id', 'seq']).where('ticket_id', 'in', ids).where('action', '=', 'supervise').execute();
      expect(events).toHaveLength(40);
      // The first pass gave each of the four recipients 30 notices: more than DIGEST_AFTER, so one
      // summary each; the overlapping passes' 10 reds went out one by one, each once.
      const digests = await h.db.selectFrom('notifications').select(['user_id', 'kind', 'title', 'body', 'link', 'ticket_id'])
        .where('dedupe_key', '=', `supervise-digest:${now.getTime()}`).orderBy('user_id').execute();
      expect(digests.map((d) => d.user_id)).toEqual([users.dept, users.leader, users.supAll, users.supCounty].sort((a, b) => a - b));
      expect(digests.find((d) => d.user_id === users.dept)).toEqual({
        user_id: users.dept, kind: 'ticket.supervised.digest', title: '督办汇总：30 件工单逾期未办结', ticket_id: null, link: '/inbox',
        body: '本次自动督办：黄色督办 20 件，红色督办 10 件。请在待办工单中查看并督促办理。',
      });
      expect(digests.find((d) => d.user_id === users.supAll)?.link).toBe('/supervision');
      const notices = await h.db.selectFrom('notifications').select(['user_id', 'kind', 'dedupe_key']).where('ticket_id', 'in', ids).execute();
      expect(notices).toHaveLength(10 * 4);
      expect(notices.every((n) => n.kind === 'ticket.supervised.red')).toBe(true);
      expect(new Set(notices.map((n) => `${n.user_id}/${n.dedupe_key}`)).size).toBe(notices.length);
    } finally {
      await other?.close();
    }
  });
});
