import { describe, expect, it } from 'vitest';
import { ticketActions, ticketStates, type TicketAction, type TicketActorRole, type TicketState } from '../../../contracts/tickets.ts';
import { allowedActions, nextState, type Refusal, type TicketActor, type TicketCommand, type TicketSnapshot, type Transition } from './machine.ts';

const china = (local: string) => new Date(`${local}+08:00`);
const endOf = (date: string) => china(`${date}T23:59:59.999`);

const UNIT = 7;
const FINDER = 42;
const dispatchedAt = china('2026-09-30T10:00:00');
const now = china('2026-10-08T10:00:00'); // 1st working day after dispatch, before the deadline

const ticket = (state: TicketState, over: Partial<TicketSnapshot> = {}): TicketSnapshot => {
  const held = state !== 'registered';
  return {
    id: 1, state, type: 'complaint', urgency: 'normal', foundByCadreId: FINDER, reopenCount: 0, pendingExtension: null,
    handlingUnitId: held ? UNIT : null, dispatchedAt: held ? dispatchedAt : null, dueAt: held ? endOf('2026-10-20') : null,
    ...over,
  };
};
const actor = (role: TicketActorRole, over: Partial<TicketActor> = {}): TicketActor => ({ role, unitId: UNIT, cadreId: FINDER, ...over });

const commands: Record<TicketAction, TicketCommand> = {
  dispatch: { action: 'dispatch', unitId: UNIT },
  sign: { action: 'sign' },
  start: { action: 'start' },
  resolve: { action: 'resolve', closureType: 'substantive', reply: '已修复路灯' },
  fix_on_spot: { action: 'fix_on_spot', closureType: 'substantive', reply: '现场协调解决' },
  return: { action: 'return', reason: '不属于本单位职责' },
  transfer: { action: 'transfer', unitId: 8, reason: '改由水务局办理' },
  add_assisting_unit: { action: 'add_assisting_unit', unitId: 9 },
  request_extension: { action: 'request_extension', workingDays: 3, reason: '需协调多个部门' },
  approve_extension: { action: 'approve_extension' },
  refuse_extension: { action: 'refuse_extension', reason: '时限足够' },
  rate: { action: 'rate', rating: 'satisfied' },
  close: { action: 'close', reason: '匿名诉求，无法回访' },
  merge: { action: 'merge', intoTicketId: 2 },
  supervise: { action: 'supervise', level: 'yellow', note: '请加快办理' },
  reply_supervision: { action: 'reply_supervision', note: '已安排人员' },
};

const ok = (r: Transition | Refusal): Transition => {
  if (!r.ok) throw new Error(`refused: ${r.code} ${r.message}`);
  return r;
};
const refusal = (r: Transition | Refusal): Refusal => {
  if (r.ok) throw new Error(`allowed: ${r.event.action} → ${r.state}`);
  return r;
};

// What each role may do in each state (ticket held by the actor's unit, found by the actor,
// inside the return window, before the deadline, no extension pending). Written out by hand as the
// specification; the sweep below checks the machine against every cell.
const expected: Record<TicketState, Partial<Record<TicketActorRole, string>>> = {
  registered: { admin: 'dispatch merge supervise', hotline_operator: 'dispatch merge', supervisor: 'supervise', leadership: 'fix_on_spot supervise', cadre: 'fix_on_spot', unit_leader: 'fix_on_spot', system: 'supervise' },
  dispatched: {
    admin: 'transfer add_assisting_unit merge supervise', hotline_operator: 'transfer add_assisting_unit merge', supervisor: 'supervise', leadership: 'supervise', system: 'supervise',
    unit_leader: 'sign return add_assisting_unit reply_supervision', handling_dept: 'sign return reply_supervision',
  },
  signed: {
    admin: 'transfer add_assisting_unit merge supervise', hotline_operator: 'transfer add_assisting_unit merge', supervisor: 'supervise', leadership: 'supervise', system: 'supervise',
    unit_leader: 'start resolve return add_assisting_unit request_extension reply_supervision', handling_dept: 'start resolve return request_extension reply_supervision',
  },
  in_progress: {
    admin: 'transfer add_assisting_unit merge supervise', hotline_operator: 'transfer add_assisting_unit merge', supervisor: 'supervise', leadership: 'supervise', system: 'supervise',
    unit_leader: 'resolve add_assisting_unit request_extension reply_supervision', handling_dept: 'resolve request_extension reply_supervision',
  },
  reopened: {
    admin: 'transfer add_assisting_unit merge supervise', hotline_operator: 'transfer add_assisting_unit merge', supervisor: 'supervise', leadership: 'supervise', system: 'supervise',
    unit_leader: 'start resolve add_assisting_unit request_extension reply_supervision', handling_dept: 'start resolve request_extension reply_supervision',
  },
  resolved: { admin: 'close', hotline_operator: 'rate close', public: 'rate', system: 'close' },
  closed: {},
};
const allRoles: TicketActorRole[] = ['admin', 'unit_leader', 'cadre', 'handling_dept', 'supervisor', 'leadership', 'hotline_operator', 'public', 'system'];
const sorted = (s: string | undefined) => (s ?? '').split(' ').filter(Boolean).sort();

describe('ticket state machine: every action in every state for every role', () => {
  for (const state of ticketStates) {
    for (const role of allRoles) {
      it(`${state} × ${role}`, () => {
        const t = ticket(state);
        const a = actor(role);
        expect([...allowedActions(t, a, { now })].sort()).toEqual(sorted(expected[state][role]));
        for (const action of ticketActions) {
          const r = nextState(t, commands[action], a, { now });
          if (sorted(expected[state][role]).includes(action)) {
            expect(r.ok, `${action} should be allowed`).toBe(true);
          } else {
            const x = refusal(r);
            expect(['FORBIDDEN', 'CONFLICT']).toContain(x.errorCode);
            expect(x.allowed.sort()).toEqual(sorted(expected[state][role]));
            expect(x.message).toMatch(/[\u4e00-\u9fff]/);
          }
        }
      });
    }
  }

  it('answers 403 for a role that may never take the action, 409 with the allowed list for a wrong state', () => {
    const byCadre = refusal(nextState(ticket('registered'), commands.dispatch, actor('cadre'), { now }));
    expect(byCadre).toMatchObject({ code: 'role_not_allowed', errorCode: 'FORBIDDEN', allowed: ['fix_on_spot'] });
    const signTwice = refusal(nextState(ticket('signed'), commands.sign, actor('handling_dept'), { now }));
    expect(signTwice.code).toBe('not_allowed_in_state');
    expect(signTwice.errorCode).toBe('CONFLICT');
    expect(signTwice.message).toContain('已签收');
    expect(signTwice.allowed.sort()).toEqual(sorted('start resolve return request_extension reply_supervision'));
  });

  it('lets only the handling unit act as handler', () => {
    for (const role of ['handling_dept', 'unit_leader'] as const) {
      const r = refusal(nextState(ticket('dispatched'), commands.sign, actor(role, { unitId: 99 }), { now }));
      expect(r).toMatchObject({ code: 'not_handling_unit', errorCode: 'FORBIDDEN', allowed: [] });
    }
  });
});

describe('dispatch, sign, start, resolve', () => {
  it('walks the main loop and records each step', () => {
    const d = ok(nextState(ticket('registered'), { action: 'dispatch', unitId: UNIT, note: ' 请尽快办理 ' }, actor('hotline_operator'), { now: dispatchedAt }));
    expect(d.state).toBe('dispatched');
    expect(d.patch).toMatchObject({ state: 'dispatched', handlingUnitId: UNIT, dispatchedAt, dueAt: endOf('2026-10-20'), signDueAt: endOf('2026-10-08') });
    expect(d.event).toMatchObject({ action: 'dispatch', from: 'registered', to: 'dispatched', actorRole: 'hotline_operator', at: dispatchedAt, note: '请尽快办理' });

    expect(ok(nextState(ticket('dispatched'), commands.sign, actor('handling_dept'), { now })).patch).toEqual({ state: 'signed', signedAt: now });
    expect(ok(nextState(ticket('signed'), commands.start, actor('handling_dept'), { now })).state).toBe('in_progress');
    const r = ok(nextState(ticket('in_progress'), commands.resolve, actor('handling_dept'), { now }));
    expect(r.patch).toMatchObject({ state: 'resolved', closureType: 'substantive', resolvedAt: now });
    expect(r.event.note).toBe('已修复路灯');
  });

  it('gives 特急 a same-day deadline at dispatch', () => {
    const at = china('2026-11-19T15:00:00');
    const d = ok(nextState(ticket('registered', { urgency: 'critical' }), commands.dispatch, actor('admin'), { now: at }));
    expect(d.patch.dueAt).toEqual(endOf('2026-11-19'));
  });

  it('refuses a resolution without a reply (400, naming the field)', () => {
    const r = refusal(nextState(ticket('in_progress'), { action: 'resolve', closureType: 'interim', reply: '  ' }, actor('handling_dept'), { now }));
    expect(r).toMatchObject({ code: 'invalid_input', errorCode: 'VALIDATION_FAILED', field: 'reply' });
  });
});

describe('即知即改', () => {
  it('lets the cadre who found it resolve it on the spot', () => {
    const r = ok(nextState(ticket('registered'), commands.fix_on_spot, actor('cadre'), { now }));
    expect(r.patch).toMatchObject({ state: 'resolved', closureType: 'substantive', resolvedAt: now });
  });

  it('refuses another cadre, and a ticket nobody found on a visit', () => {
    expect(refusal(nextState(ticket('registered'), commands.fix_on_spot, actor('cadre', { cadreId: 43 }), { now })).code).toBe('not_finder');
    expect(refusal(nextState(ticket('registered', { foundByCadreId: null }), commands.fix_on_spot, actor('cadre'), { now })).code).toBe('not_finder');
  });
});

describe('return of a wrong dispatch', () => {
  it('goes back to the dispatcher within 2 working days, with a reason', () => {
    const r = ok(nextState(ticket('dispatched'), commands.return, actor('handling_dept'), { now: china('2026-10-09T17:00:00') }));
    expect(r.patch).toMatchObject({ state: 'registered', handlingUnitId: null, dueAt: null, dispatchedAt: null });
    expect(r.event).toMatchObject({ note: '不属于本单位职责', data: { fromUnitId: UNIT } });
  });

  it('is refused on the 3rd working day (the 调休 Saturday after 国庆)', () => {
    const r = refusal(nextState(ticket('dispatched'), commands.return, actor('handling_dept'), { now: china('2026-10-10T09:00:00') }));
    expect(r).toMatchObject({ code: 'return_window_passed', errorCode: 'CONFLICT' });
    expect(r.allowed).not.toContain('return');
    expect(r.allowed).toContain('sign');
  });

  it('needs a reason', () => {
    const r = refusal(nextState(ticket('signed'), { action: 'return', reason: '' }, actor('handling_dept'), { now }));
    expect(r).toMatchObject({ code: 'invalid_input', field: 'reason' });
  });
});

describe('transfer and assisting units', () => {
  it('moves the ticket to another unit with a fresh deadline', () => {
    const r = ok(nextState(ticket('in_progress'), commands.transfer, actor('admin'), { now }));
    expect(r.patch).toMatchObject({ state: 'dispatched', handlingUnitId: 8, dispatchedAt: now, dueAt: endOf('2026-10-21') });
    expect(r.event.data).toMatchObject({ unitId: 8, fromUnitId: UNIT });
  });

  it('refuses the same unit', () => {
    expect(refusal(nextState(ticket('signed'), { action: 'transfer', unitId: UNIT, reason: 'x' }, actor('admin'), { now })).field).toBe('unitId');
    expect(refusal(nextState(ticket('signed'), { action: 'add_assisting_unit', unitId: UNIT }, actor('admin'), { now })).field).toBe('unitId');
  });

  it('adds an assisting unit without changing the state', () => {
    const r = ok(nextState(ticket('signed'), commands.add_assisting_unit, actor('unit_leader'), { now }));
    expect(r).toMatchObject({ state: 'signed', patch: {}, event: { from: 'signed', to: 'signed', data: { unitId: 9 } } });
  });
});

describe('extensions', () => {
  it('are requested before the deadline and approved from the old deadline', () => {
    const req = ok(nextState(ticket('in_progress'), commands.request_extension, actor('handling_dept'), { now }));
    expect(req.patch).toEqual({ pendingExtension: { workingDays: 3, requestedAt: now } });
    const pending = ticket('in_progress', { pendingExtension: { workingDays: 3, requestedAt: now } });
    expect(refusal(nextState(pending, commands.request_extension, actor('handling_dept'), { now })).code).toBe('extension_pending');
    expect(allowedActions(pending, actor('supervisor'), { now }).sort()).toEqual(['approve_extension', 'refuse_extension', 'supervise']);
    const ap = ok(nextState(pending, commands.approve_extension, actor('supervisor'), { now }));
    expect(ap.patch).toMatchObject({ dueAt: endOf('2026-10-23'), pendingExtension: null });
    expect(ok(nextState(pending, commands.refuse_extension, actor('admin'), { now })).patch).toEqual({ pendingExtension: null });
  });

  it('are refused after the deadline, and when none is pending', () => {
    const late = refusal(nextState(ticket('in_progress'), commands.request_extension, actor('handling_dept'), { now: china('2026-10-21T08:00:00') }));
    expect(late).toMatchObject({ code: 'extension_after_deadline', errorCode: 'CONFLICT' });
    expect(late.allowed).not.toContain('request_extension');
    expect(ok(nextState(ticket('in_progress'), commands.request_extension, actor('handling_dept'), { now: china('2026-10-20T23:59:00') })).ok).toBe(true);
    expect(refusal(nextState(ticket('in_progress'), commands.approve_extension, actor('admin'), { now })).code).toBe('no_extension_pending');
  });

  it('are bounded in length', () => {
    for (const workingDays of [0, 16, 1.5]) {
      const r = refusal(nextState(ticket('in_progress'), { action: 'request_extension', workingDays, reason: '协调' }, actor('handling_dept'), { now }));
      expect(r.field).toBe('workingDays');
    }
  });
});

describe('rating, reopening and closing', () => {
  it('closes on satisfied and basically satisfied', () => {
    for (const rating of ['satisfied', 'basically_satisfied'] as const) {
      const r = ok(nextState(ticket('resolved'), { action: 'rate', rating, comment: '谢谢' }, actor('public'), { now }));
      expect(r.patch).toMatchObject({ state: 'closed', rating, outcome: rating, closedAt: now });
    }
  });

  it('reopens once on unsatisfied, with a fresh deadline, and closes as unsatisfied the second time', () => {
    const first = ok(nextState(ticket('resolved'), { action: 'rate', rating: 'unsatisfied' }, actor('public'), { now }));
    expect(first.patch).toMatchObject({ state: 'reopened', reopenCount: 1, resolvedAt: null, dueAt: endOf('2026-10-21') });
    const again = ok(nextState(ticket('resolved', { reopenCount: 1 }), { action: 'rate', rating: 'unsatisfied' }, actor('public'), { now }));
    expect(again.patch).toMatchObject({ state: 'closed', outcome: 'unsatisfied', rating: 'unsatisfied' });
  });

  it('sends a problem fixed on the spot back to the dispatcher when rated unsatisfied', () => {
    const r = ok(nextState(ticket('resolved', { handlingUnitId: null, dispatchedAt: null, dueAt: null }), { action: 'rate', rating: 'unsatisfied' }, actor('public'), { now }));
    expect(r.patch).toMatchObject({ state: 'registered', reopenCount: 1 });
  });

  it('refuses a second rating', () => {
    const r = refusal(nextState(ticket('closed'), commands.rate, actor('public'), { now }));
    expect(r).toMatchObject({ code: 'not_allowed_in_state', errorCode: 'CONFLICT', allowed: [] });
  });

  it('closes unrated with a reason', () => {
    expect(ok(nextState(ticket('resolved'), commands.close, actor('system'), { now })).patch).toMatchObject({ state: 'closed', outcome: 'unrated' });
    expect(refusal(nextState(ticket('resolved'), { action: 'close', reason: '' }, actor('admin'), { now })).field).toBe('reason');
  });
});

describe('merge and supervision', () => {
  it('merges a duplicate into another ticket, never into itself', () => {
    const r = ok(nextState(ticket('dispatched'), commands.merge, actor('hotline_operator'), { now }));
    expect(r.patch).toMatchObject({ state: 'closed', outcome: 'merged', mergedIntoId: 2 });
    expect(refusal(nextState(ticket('dispatched'), { action: 'merge', intoTicketId: 1 }, actor('admin'), { now })).field).toBe('intoTicketId');
  });

  it('records supervision and its reply without changing the state', () => {
    const s = ok(nextState(ticket('in_progress'), { action: 'supervise', level: 'red', note: '严重逾期' }, actor('system'), { now }));
    expect(s).toMatchObject({ state: 'in_progress', patch: {}, event: { action: 'supervise', data: { level: 'red' }, note: '严重逾期' } });
    expect(ok(nextState(ticket('in_progress'), commands.reply_supervision, actor('handling_dept'), { now })).event.note).toBe('已安排人员');
    expect(refusal(nextState(ticket('in_progress'), { action: 'supervise', level: 'yellow', note: '' }, actor('supervisor'), { now })).field).toBe('note');
  });
});
