import { sql } from 'kysely';
import { defaultTicketDeadlinePolicy, type TicketSource } from '../contracts/tickets.ts';
import type { Database } from '../src/db/database.ts';
import {
  defaultSimRates, simulateAll, ticketText, trackingCodes, typeFor, writeTickets, type SimOperator, type SimPerson, type SimTicket, type SimWorld, type TicketDraft,
} from '../src/features/demo/demo-tickets.ts';
import { leafCategories } from '../src/features/demo/ticket-texts.ts';
import { makeNamer, seededRandom } from '../src/features/demo/names.ts';
import { sealPhone } from '../src/lib/personal-data.ts';
import { benchKey, type TierInfo } from './generate.ts';

// A year of tickets (工单) for the city tier (bench/generate.ts: Dongying, its counties, townships
// and 1,921 villages, and their units): 30,000 tickets registered over 2025 from the hotline, the
// web form, letters, enterprises and visits, each driven through the real state machine by the
// demo's engine (src/features/demo/demo-tickets.ts) with somewhat busier handling than the demo
// (more supervision, assisting units, extensions and transfers), about 300,000 events in all,
// written in bulk. Routed to the village's township committee, a department of its county, or a
// city department. Simulated once per process and reused for the second driver (the tier's ids are
// the same on both), so both databases get the same rows.

/**
 * until: when the simulation stands (default: the year's last working evening, 31 December 17:00
 * China time); campaignId: the campaign the tickets are registered under (none when not given).
 */
export type TicketSpec = { count: number; seed: number; year: number; until?: string; campaignId?: number };
export const cityTickets: TicketSpec = { count: 30_000, seed: 37051, year: 2025 };

export type TicketsInfo = {
  counts: { tickets: number; events: number; supervisions: number; open: number; overdueOpen: number };
  /** When the year's data stands (the `now` of the simulation and of the measures). */
  now: string;
  /** What the filters in the benchmark look for: a busy county department, a busy township, a title word and a tracking code. */
  sample: { cityCode: string; unitId: number; unitName: string; countyCode: string; townshipCode: string; word: string; trackingCode: string };
};

const busierRates = {
  ...defaultSimRates, wrongDispatchReturned: 0.1, transferred: 0.1, assisting: 0.45, started: 0.95, extension: 0.25, late: 0.25, stalled: 0.05,
  manualSupervision: 0.5, supervisionReplied: 0.85,
};

let simulated: { key: string; sims: SimTicket[]; sample: TicketsInfo['sample'] } | undefined;

/** Users the simulation acts as: one hotline operator, the city's office, one supervisor. */
async function benchUsers(db: Database, tier: TierInfo) {
  const hash = 'scrypt$bench$not-a-login';
  const rows = await db.insertInto('users').values([
    { username: 'bench-hotline', password_hash: hash, display_name: '市热线话务员', role: 'hotline_operator', region_code: tier.top.code },
    { username: 'bench-office', password_hash: hash, display_name: '市活动办', role: 'admin', region_code: null },
    { username: 'bench-supervisor', password_hash: hash, display_name: '市督查室', role: 'supervisor', region_code: tier.top.code },
  ]).returning(['id', 'username', 'display_name']).execute();
  return rows;
}

/** Generates the year of tickets into a database holding the tier (and nothing ticket-related yet). */
export async function generateTickets(db: Database, tier: TierInfo, spec: TicketSpec = cityTickets): Promise<TicketsInfo> {
  const users = await benchUsers(db, tier);
  const now = new Date(spec.until ?? `${spec.year}-12-31T17:00:00+08:00`);
  const key = JSON.stringify({ spec, tier: tier.counts, users: users.map((u) => u.id) });
  if (simulated?.key !== key) simulated = { key, ...(await simulate(db, tier, spec, now, users)) };
  const written = await writeTickets(db, simulated.sims);
  await sql`analyze`.execute(db);
  const held = new Set(['dispatched', 'signed', 'in_progress', 'reopened']);
  const open = simulated.sims.filter((s) => s.row.state !== 'closed' && s.row.state !== 'resolved');
  return {
    counts: {
      tickets: written.tickets, events: written.events, supervisions: written.supervisions, open: open.length,
      overdueOpen: open.filter((s) => held.has(s.row.state as string) && (s.row.due_at as Date) < now).length,
    },
    now: now.toISOString(),
    sample: simulated.sample,
  };
}

async function simulate(db: Database, tier: TierInfo, spec: TicketSpec, now: Date, users: { id: number; username: string; display_name: string }[]) {
  const random = seededRandom(spec.seed);
  const namer = makeNamer(random);
  const chance = (p: number) => random() < p;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const units = await db.selectFrom('units').select(['id', 'name', 'path', 'level', 'region_code', 'parent_id']).orderBy('id').execute();
  const unitById = new Map(units.map((u) => [u.id, u]));
  const regions = await db.selectFrom('regions').select(['code', 'name', 'path', 'level', 'parent_code'])
    .where((eb) => eb.or([eb('path', '=', tier.top.path), eb('path', 'like', `${tier.top.path}/%`)])).orderBy('code').execute();
  const regionByCode = new Map(regions.map((r) => [r.code, r]));
  const villages = regions.filter((r) => r.level === 'village');
  const root = units.find((u) => u.parent_id === null)!;
  // At the province tier the county committees sit under city committees (units of level 'city'
  // under the root that have departments): their parents, and the departments' parents, are those.
  const province = regionByCode.get(root.region_code)?.level === 'province';
  const countyParents = new Set(province ? units.filter((u) => u.parent_id === root.id && u.level === 'city' && u.region_code !== root.region_code).map((u) => u.id) : [root.id]);
  const cityDepts = units.filter((u) => u.parent_id === root.id && u.level === 'city' && (!province || u.region_code === root.region_code));
  const committeeOf = new Map(units.filter((u) => u.parent_id !== null && countyParents.has(u.parent_id) && u.level === 'county').map((u) => [u.region_code, u]));
  const deptsOf = new Map<number, typeof units>();
  for (const u of units) if (u.level === 'county' && u.parent_id !== null && !countyParents.has(u.parent_id)) deptsOf.set(u.parent_id, [...(deptsOf.get(u.parent_id) ?? []), u]);
  const townshipUnit = new Map(units.filter((u) => u.level === 'township').map((u) => [u.region_code, u]));
  const countyOf = (village: { parent_code: string | null }) => regionByCode.get(regionByCode.get(village.parent_code!)?.parent_code ?? '')?.code ?? tier.county.code;

  const [hotline, office, supervisor] = users as [typeof users[0], typeof users[0], typeof users[0]];
  const operators: SimOperator[] = [
    { userId: hotline.id, name: hotline.display_name, role: 'hotline_operator' }, { userId: hotline.id, name: hotline.display_name, role: 'hotline_operator' },
    { userId: office.id, name: office.display_name, role: 'admin' },
  ];
  const staffOf = new Map<number, SimPerson>();
  let supervisionId = 0;
  const codes = new Map<number, string>();
  const allDepts = [...cityDepts, ...[...deptsOf.values()].flat()];
  const world: SimWorld = {
    now, policy: defaultTicketDeadlinePolicy, random, rates: busierRates,
    unitPath: (id) => unitById.get(id)!.path,
    unitName: (id) => unitById.get(id)!.name,
    staff: (id) => {
      let s = staffOf.get(id);
      if (!s) staffOf.set(id, (s = { userId: null, name: namer.name() }));
      return s;
    },
    otherUnit: (id) => {
      const u = unitById.get(id)!;
      const siblings = deptsOf.get(u.parent_id ?? -1) ?? allDepts;
      let o = pick(siblings);
      for (let i = 0; o.id === id && i < 10; i++) o = pick(allDepts);
      return o.id === id ? root.id : o.id;
    },
    operator: () => pick(operators),
    supervisor: { userId: supervisor.id, name: supervisor.display_name },
    nextSupervisionId: () => ++supervisionId,
    trackingCodeOf: (id) => codes.get(id)!,
    unitUsers: () => [],
    supervisorUsers: [],
  };
  // Each category goes to one department of a county (by its position), so departments differ in load.
  const categoryIndex = new Map(leafCategories.map((c, i) => [c, i]));
  const route = (category: string, village: (typeof villages)[number]) => {
    const r = random();
    const township = townshipUnit.get(village.parent_code ?? '');
    if (township && r < 0.4) return township.id;
    const committee = committeeOf.get(countyOf(village));
    const depts = committee ? deptsOf.get(committee.id) ?? [] : [];
    if (depts.length && r < 0.9) return depts[(categoryIndex.get(category) ?? 0) % Math.min(depts.length, 20)]!.id;
    return cityDepts[(categoryIndex.get(category) ?? 0) % Math.min(cityDepts.length, 25)]!.id;
  };

  const first = Date.parse(`${spec.year}-01-01T00:00:00+08:00`);
  const pending: Omit<TicketDraft, 'id' | 'trackingCode'>[] = [];
  const people: { name: string; phone: ReturnType<typeof sealPhone> }[] = [];
  for (let i = 0; i < spec.count; i++) {
    const r = random();
    const source: TicketSource = r < 0.5 ? 'hotline' : r < 0.72 ? 'web' : r < 0.82 ? 'letter_visit' : r < 0.9 ? 'enterprise' : 'visit';
    const createdAt = new Date(first + random() * (now.getTime() - first - 3_600_000));
    const category = source === 'enterprise' ? pick(leafCategories.filter((c) => c.startsWith('enterprise.'))) : pick(leafCategories);
    const type = typeFor(random, category);
    const village = pick(villages);
    // One in ten asks again (a repeat request, a few of them merged as duplicates).
    let person = people.length && chance(0.1) ? pick(people.slice(-300)) : undefined;
    const anonymous = !person && chance(0.08);
    if (!person && !anonymous) {
      person = { name: namer.name(), phone: sealPhone(benchKey, namer.phone()) };
      people.push(person);
    }
    const { title, content } = ticketText(random, category, source, type, village.name);
    const op = source === 'hotline' || source === 'web' ? operators[0]! : operators[2]!;
    pending.push({
      source, type, categoryCode: category, urgency: chance(0.02) ? 'critical' : chance(0.1) ? 'urgent' : 'normal', title, content,
      requesterTargetId: null, requesterName: person?.name ?? null, requesterAnonymous: anonymous, phone: person?.phone ?? null,
      regionCode: village.code, regionPath: village.path, address: `${village.name}${1 + Math.floor(random() * 200)}号`, lat: null, lng: null, campaignId: spec.campaignId ?? null, activityId: null,
      finder: null, createdAt, registeredBy: { role: op.role, person: { userId: op.userId, name: op.name }, unitPath: null },
      unitId: route(category, village), duplicateOf: null, fixOnSpot: false, stall: createdAt.getTime() > now.getTime() - 20 * 86_400_000 && chance(0.1),
    });
  }
  pending.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const codeList = trackingCodes(random, pending.length);
  const lastOf = new Map<string, number>();
  const drafts: TicketDraft[] = pending.map((p, k) => {
    const id = k + 1;
    codes.set(id, codeList[k]!);
    // The same requester again within a day about the same category: a duplicate, merged.
    const same = p.phone ? lastOf.get(`${p.phone.phone_hash}|${p.categoryCode}`) : undefined;
    if (p.phone) lastOf.set(`${p.phone.phone_hash}|${p.categoryCode}`, id);
    const dup = same !== undefined && p.createdAt.getTime() - pending[same - 1]!.createdAt.getTime() < 86_400_000 ? same : null;
    return { ...p, id, trackingCode: codeList[k]!, duplicateOf: dup };
  });
  const sims = simulateAll(drafts, world);

  // What the benchmark's filters look for.
  const load = new Map<number, number>();
  for (const d of drafts) load.set(d.unitId, (load.get(d.unitId) ?? 0) + 1);
  const countyDept = [...load].filter(([id]) => unitById.get(id)!.level === 'county').sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
  const unit = unitById.get(countyDept)!;
  // The busiest township of that department's county.
  const townships = new Map<string, number>();
  for (const d of drafts) {
    const t = regionByCode.get(d.regionCode)!.parent_code!;
    if (regionByCode.get(t)?.parent_code === unit.region_code) townships.set(t, (townships.get(t) ?? 0) + 1);
  }
  const township = [...townships].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
  return {
    sims,
    sample: { cityCode: tier.top.code, unitId: unit.id, unitName: unit.name, countyCode: unit.region_code, townshipCode: township, word: '路灯', trackingCode: codeList[Math.floor(codeList.length / 2)]! },
  };
}
