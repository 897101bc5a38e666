import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadlineMarks, ticketOutcomes, ticketSources, ticketStates, type TicketActorRole, type TicketState } from '../../../contracts/tickets.ts';
import { as, createTestApp, createTestDatabase, login, testConfig, testKey } from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import { nextState, type TicketCommand, type TicketSnapshot } from '../tickets/machine.ts';
import { loadDemo, type DemoResult } from './demo.ts';

// The demo county's tickets: every ticket's event log, replayed through the state machine from
// 'registered', gives its state and its columns; the mix of states, outcomes and marks is what a
// county's ledger looks like; problems found on visits are linked; the ticket logins work.

const PASSWORD = 'Demo#2026pass';
const TODAY = '2026-11-22';
let h: DatabaseHandle;
let app: App;
let demo: DemoResult;

beforeAll(async () => {
  h = await createTestDatabase();
  demo = await loadDemo(h.db, testKey, { adminPassword: PASSWORD, today: TODAY, integrity: testConfig().integrity });
  app = await createTestApp(h.db);
}, 300_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
});

type Ev = { ticket_id: number; seq: number; action: string; from_state: TicketState | null; to_state: TicketState; actor_role: string; at: Date; note: string | null; data: Record<string, unknown> };

/** The command an event records (its note is the reason, reply or comment). */
function commandOf(e: Ev): TicketCommand {
  const note = e.note ?? '';
  const d = e.data;
  switch (e.action) {
    case 'dispatch': return { action: 'dispatch', unitId: d.unitId as number };
    case 'transfer': return { action: 'transfer', unitId: d.unitId as number, reason: note };
    case 'resolve':
    case 'fix_on_spot': return { action: e.action, closureType: d.closureType as 'substantive', reply: note };
    case 'return': return { action: 'return', reason: note };
    case 'add_assisting_unit': return { action: 'add_assisting_unit', unitId: d.unitId as number };
    case 'request_extension': return { action: 'request_extension', workingDays: d.workingDays as number, reason: note };
    case 'refuse_extension': return { action: 'refuse_extension', reason: note };
    case 'rate': return { action: 'rate', rating: d.rating as 'satisfied' };
    case 'close': return { action: 'close', reason: note };
    case 'merge': return { action: 'merge', intoTicketId: d.intoTicketId as number };
    case 'supervise': return { action: 'supervise', level: d.level as 'yellow', note };
    case 'reply_supervision': return { action: 'reply_supervision', note };
    default: return { action: e.action as 'sign' };
  }
}

describe('demo tickets', () => {
  it('replays every ticket’s event log through the state machine to its state and columns', async () => {
    const tickets = await h.db.selectFrom('tickets').selectAll().orderBy('id').execute();
    const events = await sql<Ev>`select ticket_id, seq, action, from_state, to_state, actor_role, at, note, data from ticket_events order by ticket_id, seq`.execute(h.db);
    const byTicket = new Map<number, Ev[]>();
    for (const e of events.rows) byTicket.set(e.ticket_id, [...(byTicket.get(e.ticket_id) ?? []), e]);
    expect(tickets.length).toBe(demo.tickets.tickets);
    for (const t of tickets) {
      const log = byTicket.get(t.id) ?? [];
      const where = `ticket ${t.id} (${t.tracking_code})`;
      expect(log[0], where).toMatchObject({ seq: 1, action: 'register', from_state: null, to_state: 'registered' });
      expect(log.map((e) => e.seq), where).toEqual(log.map((_, i) => i + 1));
      const s: TicketSnapshot = {
        id: t.id, state: 'registered', type: t.type, urgency: t.urgency, handlingUnitId: null, foundByCadreId: t.found_by_cadre_id, dispatchedAt: null, dueAt: null,
        reopenCount: 0, pendingExtension: null,
      };
      const seen = { signedAt: null as Date | null, resolvedAt: null as Date | null, closedAt: null as Date | null, outcome: null as string | null, rating: null as string | null, resolvedOnTime: null as boolean | null };
      let last = log[0]!.at.getTime();
      for (const e of log.slice(1)) {
        expect(e.at.getTime(), `${where} seq ${e.seq} goes back in time`).toBeGreaterThanOrEqual(last);
        last = e.at.getTime();
        const role = e.actor_role as TicketActorRole;
        const tr = nextState(s, commandOf(e), { role, unitId: role === 'handling_dept' || role === 'unit_leader' ? s.handlingUnitId : null, cadreId: t.found_by_cadre_id }, { now: e.at });
        if (!tr.ok) throw new Error(`${where} seq ${e.seq} ${e.action} refused on replay: ${tr.message}`);
        expect([e.from_state, e.to_state], `${where} seq ${e.seq}`).toEqual([tr.event.from, tr.event.to]);
        const p = tr.patch;
        Object.assign(s, {
          state: tr.state, ...(p.handlingUnitId !== undefined ? { handlingUnitId: p.handlingUnitId } : {}), ...(p.dispatchedAt !== undefined ? { dispatchedAt: p.dispatchedAt } : {}),
          ...(p.dueAt !== undefined ? { dueAt: p.dueAt } : {}), ...(p.reopenCount !== undefined ? { reopenCount: p.reopenCount } : {}),
          ...(p.pendingExtension !== undefined ? { pendingExtension: p.pendingExtension } : {}),
        });
        for (const k of Object.keys(seen) as (keyof typeof seen)[]) if (p[k] !== undefined) (seen as Record<string, unknown>)[k] = p[k];
      }
      expect(t.state, where).toBe(s.state);
      expect({ unit: t.handling_unit_id, due: t.due_at?.getTime() ?? null, dispatched: t.dispatched_at?.getTime() ?? null, reopen: t.reopen_count, ext: t.pending_extension_days }, where).toEqual({
        unit: s.handlingUnitId, due: s.dueAt?.getTime() ?? null, dispatched: s.dispatchedAt?.getTime() ?? null, reopen: s.reopenCount, ext: s.pendingExtension?.workingDays ?? null,
      });
      expect({ signed: t.signed_at?.getTime() ?? null, resolved: t.resolved_at?.getTime() ?? null, closed: t.closed_at?.getTime() ?? null, outcome: t.outcome, rating: t.rating, onTime: t.resolved_on_time }, where).toEqual({
        signed: seen.signedAt?.getTime() ?? null, resolved: seen.resolvedAt?.getTime() ?? null, closed: seen.closedAt?.getTime() ?? null, outcome: seen.outcome, rating: seen.rating, onTime: seen.resolvedOnTime,
      });
      expect(t.updated_at.getTime(), where).toBe(last);
      expect(t.version, where).toBe(log.length);
      if (t.first_dispatched_at) expect(log.some((e) => e.action === 'dispatch' && e.at.getTime() === t.first_dispatched_at!.getTime()), where).toBe(true);
    }
  });

  it('has a county’s mix: about 3,000 a year, every source, state and outcome, open ones in every deadline mark', async () => {
    const { tickets } = demo.tickets;
    const days = (Date.parse(`${TODAY}T00:00:00+08:00`) - Date.parse('2026-03-20T00:00:00+08:00')) / 86_400_000;
    expect(tickets).toBeGreaterThan((2500 * days) / 365);
    expect(tickets).toBeLessThan((3500 * days) / 365);
    const count = async (col: 'state' | 'source' | 'outcome' | 'type' | 'urgency') =>
      Object.fromEntries((await sql<{ k: string; n: number }>`select ${sql.ref(col)} as k, count(*)::int as n from tickets group by 1`.execute(h.db)).rows.map((r) => [r.k, r.n]));
    const states = await count('state');
    for (const s of ticketStates) expect(states[s] ?? 0, s).toBeGreaterThan(0);
    expect(states.closed).toBeGreaterThan(tickets * 0.8);
    const sources = await count('source');
    for (const s of ticketSources.filter((x) => x !== 'open311')) expect(sources[s] ?? 0, s).toBeGreaterThan(0);
    const outcomes = await count('outcome');
    for (const o of ticketOutcomes) expect(outcomes[o] ?? 0, o).toBeGreaterThan(0);
    expect(Object.keys(await count('type')).sort()).toEqual(['complaint', 'consult', 'help', 'report', 'suggestion']);
    expect(Object.keys(await count('urgency')).sort()).toEqual(['critical', 'normal', 'urgent']);

    const marks = Object.fromEntries((await sql<{ k: string; n: number }>`select deadline_mark as k, count(*)::int as n from tickets
      where state in ('dispatched','signed','in_progress','reopened') group by 1`.execute(h.db)).rows.map((r) => [r.k, r.n]));
    for (const m of deadlineMarks) expect(marks[m] ?? 0, m).toBeGreaterThan(0);

    const [f] = (await sql<Record<string, number>>`select
      count(*) filter (where action = 'return')::int as returns, count(*) filter (where action = 'transfer')::int as transfers,
      count(*) filter (where action = 'add_assisting_unit')::int as assisting, count(*) filter (where action = 'approve_extension')::int as approved,
      count(*) filter (where action = 'refuse_extension')::int as refused, count(*) filter (where action = 'fix_on_spot')::int as fixed,
      count(*) filter (where action = 'supervise' and actor_role = 'system')::int as auto, count(*) filter (where action = 'supervise' and actor_role = 'supervisor')::int as manual,
      count(*) filter (where action = 'reply_supervision')::int as replies, count(*) filter (where action = 'rate' and to_state = 'reopened')::int as reopened
      from ticket_events`.execute(h.db)).rows;
    for (const [k, n] of Object.entries(f!)) expect(n, k).toBeGreaterThan(0);
    const [late] = (await sql<{ signed_late: number; resolved_late: number; repeats: number }>`select
      count(*) filter (where signed_at > sign_due_at)::int as signed_late, count(*) filter (where resolved_on_time = false)::int as resolved_late,
      count(*) filter (where repeat_of_id is not null)::int as repeats from tickets`.execute(h.db)).rows;
    expect(late!.signed_late).toBeGreaterThan(0);
    expect(late!.resolved_late).toBeGreaterThan(0);
    expect(late!.repeats).toBeGreaterThan(0);
  });

  it('keeps supervisions, assisting units and merges consistent with the log', async () => {
    const [bad] = (await sql<Record<string, number>>`select
      (select count(*) from ticket_events e where e.action = 'supervise'
        and not exists (select 1 from ticket_supervisions s where s.id = (e.data->>'supervisionId')::int and s.ticket_id = e.ticket_id and s.issued_at = e.at))::int as supervise,
      (select count(*) from ticket_events e where e.action = 'reply_supervision'
        and not exists (select 1 from ticket_supervisions s where s.id = (e.data->>'supervisionId')::int and s.replied_at = e.at))::int as replies,
      (select count(*) from ticket_supervisions s where s.replied_at is not null
        and not exists (select 1 from ticket_events e where e.action = 'reply_supervision' and (e.data->>'supervisionId')::int = s.id))::int as orphan_replies,
      (select count(*) from ticket_assisting_units a where not exists (select 1 from ticket_events e where e.ticket_id = a.ticket_id and e.action = 'add_assisting_unit' and (e.data->>'unitId')::int = a.unit_id))::int as assisting,
      (select count(*) from tickets t join tickets o on o.id = t.merged_into_id where o.created_at > t.created_at)::int as merged_forward,
      (select count(*) from tickets t where t.repeat_of_id is not null and not exists (select 1 from tickets o where o.id = t.repeat_of_id
        and o.category_code = t.category_code and o.created_at <= t.created_at and o.created_at >= t.created_at - interval '30 days'
        and (o.requester_phone_hash = t.requester_phone_hash or o.requester_target_id = t.requester_target_id)))::int as repeats,
      (select count(*) from tickets where state <> 'registered' and handling_unit_id is not null and handling_unit_path is null)::int as unit_path`.execute(h.db)).rows;
    expect(bad).toEqual({ supervise: 0, replies: 0, orphan_replies: 0, assisting: 0, merged_forward: 0, repeats: 0, unit_path: 0 });
  });

  it('links the problems found on visits to their tickets', async () => {
    const [p] = (await sql<{ linked: number; total: number; wrong: number }>`select count(p.ticket_id)::int as linked, count(*)::int as total,
      count(*) filter (where p.ticket_id is not null and (t.activity_id is distinct from p.activity_id or t.source not in ('visit', 'forum') or t.found_by_cadre_id is null))::int as wrong
      from activity_problems p left join tickets t on t.id = p.ticket_id`.execute(h.db)).rows;
    expect(p!.linked).toBe(demo.tickets.linkedProblems);
    expect(p!.linked).toBeGreaterThan(p!.total / 3);
    expect(p!.wrong).toBe(0);
  });

  it('gives the hotline, handler and supervisor logins their work', async () => {
    expect(demo.tickets.logins).toMatchObject({ hotline: 'hotline', supervisor: 'supervisor', handler: { username: 'handler' } });
    const handler = await login(app, 'handler', PASSWORD);
    const inbox = await app.inject({ url: '/api/v1/tickets?inbox=mine&state=open', headers: as(handler) });
    expect(inbox.statusCode, inbox.body).toBe(200);
    expect(inbox.json().total).toBeGreaterThan(0);
    const supervisor = await login(app, 'supervisor', PASSWORD);
    const overdue = await app.inject({ url: '/api/v1/tickets?mark=overdue', headers: as(supervisor) });
    expect(overdue.statusCode, overdue.body).toBe(200);
    expect(overdue.json().total).toBeGreaterThan(0);
    const hotline = await login(app, 'hotline', PASSWORD);
    const all = await app.inject({ url: '/api/v1/tickets?pageSize=5', headers: as(hotline) });
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json().total).toBe(demo.tickets.tickets);
    const one = await app.inject({ url: `/api/v1/tickets/${all.json().items[0].id}`, headers: as(hotline) });
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json().events.length).toBeGreaterThan(0);
  });
});
