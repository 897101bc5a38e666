import { sql } from 'kysely';
import type { VisitFrequency } from '../../../contracts/campaigns.ts';
import { dueStates, visitActivityKinds, type DueItem, type DueList, type DueQuery, type DueState } from '../../../contracts/due.ts';
import type { Executor } from '../../db/database.ts';
import type { TargetKind } from '../../db/schema.ts';
import { AppError, notFound } from '../../errors.ts';
import type { Actor } from '../auth/actor.ts';
import { chinaToday } from '../campaigns/campaigns.ts';
import { cadresInScope } from '../campaigns/teams.ts';

// "What is due for me": the rules (period, slots, what counts as a visit, states) are written out
// in contracts/due.ts. A pairing covers the days from starts_on up to the day before ends_on — the
// day it ends belongs to whoever takes over (a transfer ends one and starts the next that day) —
// and a team member counts from joined_on up to the day before left_on, the same way.

// ── Calendar arithmetic on YYYY-MM-DD strings (China dates; no time zone involved) ─────────────

const DAY = 86_400_000;
const toDay = (d: string) => Date.parse(`${d}T00:00:00Z`) / DAY;
const fromDay = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);
const addDays = (d: string, n: number) => fromDay(toDay(d) + n);
const max = (a: string, b: string) => (a > b ? a : b);
const min = (a: string, b: string) => (a < b ? a : b);
/** The last day of the month that is `months` after the month of `d` (0: d's own month). */
const monthEnd = (d: string, months = 0) => {
  const y = Number(d.slice(0, 4));
  const m = Number(d.slice(5, 7)) - 1 + months;
  return fromDay(Date.UTC(y, m + 1, 1) / DAY - 1);
};
const monthStart = (d: string) => `${d.slice(0, 7)}-01`;

/** The calendar period of `per` that holds `day`: [start, end]. Weeks start on Monday. */
export function calendarPeriod(day: string, per: VisitFrequency['per']): [string, string] {
  switch (per) {
    case 'week': {
      const monday = addDays(day, -((new Date(toDay(day) * DAY).getUTCDay() + 6) % 7));
      return [monday, addDays(monday, 6)];
    }
    case 'month':
      return [monthStart(day), monthEnd(day)];
    case 'quarter': {
      const q = Math.floor((Number(day.slice(5, 7)) - 1) / 3) * 3 + 1;
      const start = `${day.slice(0, 4)}-${String(q).padStart(2, '0')}-01`;
      return [start, monthEnd(start, 2)];
    }
    case 'year':
      return [`${day.slice(0, 4)}-01-01`, `${day.slice(0, 4)}-12-31`];
  }
}

/** The period split into `times` equal slots: [start, end] of each. By whole months when they divide evenly, else by days. */
export function slots(period: [string, string], per: VisitFrequency['per'], times: number): [string, string][] {
  const [start, end] = period;
  const months = per === 'year' ? 12 : per === 'quarter' ? 3 : 0;
  const ends: string[] = [];
  if (months > 0 && months % times === 0) {
    for (let k = 1; k <= times; k++) ends.push(monthEnd(start, (k * months) / times - 1));
  } else {
    const days = toDay(end) - toDay(start) + 1;
    for (let k = 1; k <= times; k++) ends.push(addDays(start, Math.ceil((k * days) / times) - 1));
  }
  return ends.map((e, k) => [k === 0 ? start : addDays(ends[k - 1]!, 1), e]);
}

export type PairingWindow = { campaignStartsOn: string; campaignEndsOn: string; pairingStartsOn: string; pairingEndsOn: string | null };

/** The schedule of one pairing on `asOf`: the clipped period and the due date of each required visit. */
export function schedule(asOf: string, f: VisitFrequency, w: PairingWindow) {
  const period = calendarPeriod(asOf, f.per);
  const start = max(period[0], max(w.campaignStartsOn, w.pairingStartsOn));
  let end = min(period[1], w.campaignEndsOn);
  if (w.pairingEndsOn !== null) end = min(end, addDays(w.pairingEndsOn, -1));
  // A slot is owed when the pairing covers at least half of it; if none is, the last one it touches
  // (so a pairing made late in the period still owes one visit, and one made 12 days before the end
  // of a quarter does not owe that quarter's).
  const days = (a: string, b: string) => toDay(b) - toDay(a) + 1;
  const touched = slots(period, f.per, f.times).filter(([s, e]) => e >= start && s <= end);
  let owed = touched.filter(([s, e]) => 2 * days(max(s, start), min(e, end)) >= days(s, e));
  if (owed.length === 0 && touched.length > 0) owed = [touched.at(-1)!];
  return { periodStart: start, periodEnd: end, dues: owed.map(([, e]) => min(e, end)) };
}

/** The state of a pairing given its due dates and the visits done, on `asOf`. */
export function dueState(asOf: string, dues: string[], done: number): { state: DueState; nextDueOn: string | null } {
  if (done >= dues.length) return { state: 'met', nextDueOn: null };
  const next = dues[done]!;
  if (next < asOf) return { state: 'overdue', nextDueOn: next };
  if (next <= calendarPeriod(asOf, 'week')[1]) return { state: 'due_this_week', nextDueOn: next };
  if (next <= monthEnd(asOf)) return { state: 'due_this_month', nextDueOn: next };
  return { state: 'later', nextDueOn: next };
}

// ── The list ─────────────────────────────────────────────────────────────────────────────────

export async function dueForCadre(db: Executor, actor: Actor, q: DueQuery): Promise<DueList> {
  const cadreId = q.cadreId ?? actor.cadreId;
  if (cadreId === null) throw new AppError('VALIDATION_FAILED', '您的账号未关联干部，无法列出应走访的对象；请指定干部（cadreId）', { field: 'cadreId' });
  // Your own list always; another cadre's only within your scope (and it answers like a missing one otherwise).
  if (cadreId !== actor.cadreId && !(await cadresInScope(db, actor, [cadreId])).has(cadreId)) throw notFound('干部', cadreId);
  const cadre = await db.selectFrom('cadres').innerJoin('units', 'units.id', 'cadres.unit_id')
    .select(['cadres.id', 'cadres.name', 'units.name as unit_name']).where('cadres.id', '=', cadreId).executeTakeFirst();
  if (!cadre) throw notFound('干部', cadreId);
  const asOf = q.asOf ?? chinaToday();

  const pairings = await db
    .selectFrom('pairings as p')
    .innerJoin('campaigns as cp', 'cp.id', 'p.campaign_id')
    .innerJoin('contact_targets as t', 't.id', 'p.target_id')
    .innerJoin('regions as tr', 'tr.code', 't.region_code')
    .leftJoin('teams as tm', 'tm.id', 'p.team_id')
    .select([
      'p.id', 'p.campaign_id', 'cp.name as campaign_name', 'cp.starts_on as campaign_starts_on', 'cp.ends_on as campaign_ends_on', 'cp.visit_frequency',
      'p.target_id', 't.name as target_name', 't.kind as target_kind', 'tr.name as target_region_name', 'p.cadre_id', 'p.team_id', 'tm.name as team_name',
      'p.starts_on', 'p.ends_on',
    ])
    .where('cp.starts_on', '<=', asOf)
    .where('cp.ends_on', '>=', asOf)
    .where('p.starts_on', '<=', asOf)
    .where((eb) => eb.or([eb('p.ends_on', 'is', null), eb('p.ends_on', '>', asOf)]))
    .where(sql<boolean>`(p.cadre_id = ${cadreId} or (p.team_id is not null and exists (select 1 from team_members m where m.team_id = p.team_id
      and m.cadre_id = ${cadreId} and m.joined_on <= ${asOf} and (m.left_on is null or m.left_on > ${asOf}))))`)
    .orderBy('p.id')
    .execute();

  let withoutFrequency = 0;
  const planned = pairings.flatMap((p) => {
    const f = (p.visit_frequency as Partial<Record<TargetKind, VisitFrequency>>)[p.target_kind];
    if (!f) {
      withoutFrequency++;
      return [];
    }
    const s = schedule(asOf, f, { campaignStartsOn: p.campaign_starts_on, campaignEndsOn: p.campaign_ends_on, pairingStartsOn: p.starts_on, pairingEndsOn: p.ends_on });
    return [{ p, f, ...s }];
  });

  // The cadre's visits to these targets over the span of all the periods: one query, counted here.
  const visits = new Map<number, string[]>(); // target → China dates of visits
  if (planned.length > 0) {
    const from = planned.map((x) => x.periodStart).reduce(min);
    const to = min(planned.map((x) => x.periodEnd).reduce(max), asOf);
    const rows = await db
      .selectFrom('activities as a')
      .innerJoin('activity_participants as ap', 'ap.activity_id', 'a.id')
      .innerJoin('activity_targets as at', 'at.activity_id', 'a.id')
      .select(['at.target_id', 'a.starts_at'])
      .where('ap.cadre_id', '=', cadreId)
      .where('at.target_id', '=', sql<number>`any(${[...new Set(planned.map((x) => x.p.target_id))]}::int[])`)
      .where('a.kind', 'in', [...visitActivityKinds])
      .where('a.starts_at', '>=', new Date(`${from}T00:00:00+08:00`))
      .where('a.starts_at', '<', new Date(`${addDays(to, 1)}T00:00:00+08:00`))
      .execute();
    for (const r of rows) {
      const list = visits.get(r.target_id) ?? [];
      list.push(chinaToday(new Date(r.starts_at)));
      visits.set(r.target_id, list);
    }
  }

  const items: DueItem[] = planned.map(({ p, f, periodStart, periodEnd, dues }) => {
    const inPeriod = (visits.get(p.target_id) ?? []).filter((d) => d >= periodStart && d <= min(periodEnd, asOf)).sort();
    const { state, nextDueOn } = dueState(asOf, dues, inPeriod.length);
    return {
      pairingId: p.id, campaignId: p.campaign_id, campaignName: p.campaign_name, targetId: p.target_id, targetName: p.target_name, targetKind: p.target_kind,
      targetRegionName: p.target_region_name, via: p.cadre_id === cadreId ? 'direct' : 'team', teamId: p.team_id, teamName: p.team_name,
      frequency: f, periodStart, periodEnd, required: dues.length, done: inPeriod.length, lastVisitOn: inPeriod.at(-1) ?? null, nextDueOn, state,
    };
  });
  const rank = new Map(dueStates.map((s, i) => [s, i]));
  items.sort((a, b) => rank.get(a.state)! - rank.get(b.state)! || (a.nextDueOn ?? '').localeCompare(b.nextDueOn ?? '') || a.targetName.localeCompare(b.targetName, 'zh'));
  const counts = Object.fromEntries(dueStates.map((s) => [s, items.filter((i) => i.state === s).length])) as Record<DueState, number>;
  return { cadre: { id: cadre.id, name: cadre.name, unitName: cadre.unit_name }, asOf, items, counts, withoutFrequency };
}
