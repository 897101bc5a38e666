import { sql } from 'kysely';
import type {
  CalendarCadres, CalendarEntryDto, CalendarMonth, CalendarSchedule, CalendarTargets, SaveCalendarEntry, UpdateCalendarEntry,
} from '../../../contracts/calendar.ts';
import type { CalendarUpcomingDay } from '../../../contracts/calendar.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { pathUnder } from '../../db/paths.ts';
import { AppError, forbidden, notFound } from '../../errors.ts';
import { recordAudit } from '../audit/audit.ts';
import { assertCan, isUnder, type Actor } from '../auth/actor.ts';
import { campaignScope, chinaToday, visibleCampaign, type CampaignRow } from '../campaigns/campaigns.ts';
import { addDays, type DateRange } from '../compliance/periods.ts';
import { describeEntry, festivalWindows, holidaysIn, isRestDay, occurrences } from './expand.ts';

// The campaign calendar: fixed days and holiday visits as data per campaign (calendar_entries),
// the month view, and a person's upcoming days. Reading needs only sight of the campaign (a cadre
// reads their campaign's calendar); changing it needs calendar.configure and the campaign's region
// inside the caller's scope, as for the campaign itself (a township admin reads the county's
// calendar but may not change it: 403).

type EntryRow = {
  id: number; campaign_id: number; name: string; kind: string; schedule: CalendarSchedule; cadres: CalendarCadres; targets: CalendarTargets | null;
  description: string; active: boolean; version: number; created_at: Date; updated_at: Date;
};
const entryColumns = ['id', 'campaign_id', 'name', 'kind', 'schedule', 'cadres', 'targets', 'description', 'active', 'version', 'created_at', 'updated_at'] as const;

const toDto = (r: EntryRow): CalendarEntryDto => ({
  id: r.id, campaignId: r.campaign_id, name: r.name, schedule: r.schedule, cadres: r.cadres, targets: r.targets, description: r.description, active: r.active,
  summary: describeEntry(r.schedule, r.cadres, r.targets), version: r.version, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
});

const clip = (range: DateRange, c: { starts_on: string; ends_on: string }): DateRange => ({
  start: range.start > c.starts_on ? range.start : c.starts_on,
  end: range.end < c.ends_on ? range.end : c.ends_on,
});

export async function listCalendarEntries(db: Executor, actor: Actor, campaignId: number): Promise<CalendarEntryDto[]> {
  await visibleCampaign(db, actor, campaignId);
  const rows = await db.selectFrom('calendar_entries').select(entryColumns).where('campaign_id', '=', campaignId).orderBy('sort').orderBy('id').execute();
  return rows.map(toDto);
}

async function editableCampaign(db: Executor, actor: Actor, campaignId: number): Promise<CampaignRow> {
  assertCan(actor, 'calendar.configure');
  const c = await visibleCampaign(db, actor, campaignId);
  if (actor.scope.regionPath !== null && !isUnder(c.region_path, actor.scope.regionPath)) throw forbidden('只有活动所在地区的管理员可以修改活动日程');
  return c;
}

/** Units named in the cadre filter must exist and lie in the caller's scope. */
async function checkUnits(db: Executor, actor: Actor, cadres: CalendarCadres) {
  if (!cadres.unitIds) return;
  let q = db.selectFrom('units').select('id').where('id', '=', sql<number>`any(${cadres.unitIds}::int[])`);
  if (actor.scope.unitPath !== null) q = q.where(pathUnder('units.path', actor.scope.unitPath));
  if (actor.scope.regionPath !== null) q = q.where(pathUnder('units.region_path', actor.scope.regionPath));
  const found = new Set((await q.execute()).map((r) => r.id));
  const missing = cadres.unitIds.filter((id) => !found.has(id));
  if (missing.length) throw new AppError('VALIDATION_FAILED', `单位 ${missing.join('、')} 不存在或不在您的管辖范围内`, { field: 'cadres.unitIds', errors: [{ field: 'cadres.unitIds', message: `单位 ${missing.join('、')} 不存在` }] });
}

const where = (c: CampaignRow) => ({ regionPath: c.region_path, unitPath: null });

export async function createCalendarEntry(db: Executor, actor: Actor, campaignId: number, input: SaveCalendarEntry, now = new Date()): Promise<CalendarEntryDto> {
  return inTransaction(db, async (tx) => {
    const c = await editableCampaign(tx, actor, campaignId);
    await checkUnits(tx, actor, input.cadres);
    const sort = await tx.selectFrom('calendar_entries').select((eb) => eb.fn.coalesce(eb.fn.max('sort'), eb.lit(0)).as('m')).where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
    const row = await tx.insertInto('calendar_entries').values({
      campaign_id: campaignId, name: input.name, kind: input.schedule.kind, schedule: JSON.stringify(input.schedule), cadres: JSON.stringify(input.cadres),
      targets: input.targets ? JSON.stringify(input.targets) : null, description: input.description, active: input.active, sort: Number(sort.m) + 1,
      created_by: actor.userId, created_at: now, updated_at: now,
    }).returning(entryColumns).executeTakeFirstOrThrow();
    await recordAudit(tx, actor, { action: 'calendar.create', entity: 'calendar_entry', entityId: row.id, detail: { campaignId, ...input }, where: where(c) });
    return toDto(row);
  });
}

export async function updateCalendarEntry(db: Executor, actor: Actor, campaignId: number, entryId: number, input: UpdateCalendarEntry, now = new Date()): Promise<CalendarEntryDto> {
  return inTransaction(db, async (tx) => {
    const c = await editableCampaign(tx, actor, campaignId);
    const cur = await tx.selectFrom('calendar_entries').select(['version']).where('id', '=', entryId).where('campaign_id', '=', campaignId).forUpdate().executeTakeFirst();
    if (!cur) throw notFound('日程', entryId);
    if (cur.version !== input.version) throw new AppError('CONFLICT', `日程已被他人修改（当前版本 ${cur.version}，您读取的是 ${input.version}），请刷新后重试`, { field: 'version' });
    await checkUnits(tx, actor, input.cadres);
    const row = await tx.updateTable('calendar_entries').set({
      name: input.name, kind: input.schedule.kind, schedule: JSON.stringify(input.schedule), cadres: JSON.stringify(input.cadres),
      targets: input.targets ? JSON.stringify(input.targets) : null, description: input.description, active: input.active,
      version: cur.version + 1, updated_at: now,
    }).where('id', '=', entryId).returning(entryColumns).executeTakeFirstOrThrow();
    const { version: _v, ...detail } = input;
    await recordAudit(tx, actor, { action: 'calendar.update', entity: 'calendar_entry', entityId: entryId, detail: { campaignId, ...detail }, where: where(c) });
    return toDto(row);
  });
}

export async function deleteCalendarEntry(db: Executor, actor: Actor, campaignId: number, entryId: number): Promise<{ deleted: true }> {
  return inTransaction(db, async (tx) => {
    const c = await editableCampaign(tx, actor, campaignId);
    const row = await tx.deleteFrom('calendar_entries').where('id', '=', entryId).where('campaign_id', '=', campaignId).returning(['name', 'schedule']).executeTakeFirst();
    if (!row) throw notFound('日程', entryId);
    await recordAudit(tx, actor, { action: 'calendar.delete', entity: 'calendar_entry', entityId: entryId, detail: { campaignId, name: row.name, schedule: row.schedule }, where: where(c) });
    return { deleted: true as const };
  });
}

/** The month view: each day of each active entry inside the campaign, and the month's public holidays. */
export async function calendarMonth(db: Executor, actor: Actor, campaignId: number, month: string): Promise<CalendarMonth> {
  const c = await visibleCampaign(db, actor, campaignId);
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  const monthRange = { start: `${month}-01`, end: addDays(m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`, -1) };
  const range = clip(monthRange, c);
  const rows = await db.selectFrom('calendar_entries').select(entryColumns).where('campaign_id', '=', campaignId).where('active', '=', true).orderBy('sort').orderBy('id').execute();
  const out: CalendarMonth['occurrences'] = [];
  for (const r of rows) {
    for (const o of occurrences(r.schedule, range)) {
      out.push({ date: o.date, entryId: r.id, name: r.name, kind: r.schedule.kind, festivalDate: o.festivalDate, restDay: isRestDay(o.date) });
    }
  }
  out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return { month, campaign: { startsOn: c.starts_on, endsOn: c.ends_on }, occurrences: out, holidays: holidaysIn(monthRange) };
}

// ── Whom an entry applies to ────────────────────────────────────────────────────────────────

export type CadreInfo = { id: number; name: string; rank: string; unitId: number; unitPath: string; unitLevel: string; unitName: string; unitRegionPath: string };

export async function cadreInfo(db: Executor, cadreIds: readonly number[]): Promise<Map<number, CadreInfo>> {
  if (cadreIds.length === 0) return new Map();
  const rows = await db.selectFrom('cadres').innerJoin('units', 'units.id', 'cadres.unit_id')
    .select(['cadres.id', 'cadres.name', 'cadres.rank', 'cadres.unit_id', 'units.path', 'units.level', 'units.name as unit_name', 'units.region_path'])
    .where('cadres.id', '=', sql<number>`any(${[...cadreIds]}::int[])`).execute();
  return new Map(rows.map((r) => [r.id, { id: r.id, name: r.name, rank: r.rank, unitId: r.unit_id, unitPath: r.path, unitLevel: r.level, unitName: r.unit_name, unitRegionPath: r.region_path }]));
}

/** Paths of the units named by entries' cadre filters (a filter names a unit and the units under it). */
export async function unitPaths(db: Executor, entries: readonly { cadres: CalendarCadres }[]): Promise<Map<number, string>> {
  const ids = [...new Set(entries.flatMap((e) => e.cadres.unitIds ?? []))];
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('units').select(['id', 'path']).where('id', '=', sql<number>`any(${ids}::int[])`).execute();
  return new Map(rows.map((r) => [r.id, r.path]));
}

export function entryApplies(cadres: CalendarCadres, c: CadreInfo, paths: Map<number, string>): boolean {
  if (cadres.ranks && !cadres.ranks.includes(c.rank as never)) return false;
  if (cadres.unitLevels && !cadres.unitLevels.includes(c.unitLevel as never)) return false;
  if (cadres.unitIds && !cadres.unitIds.some((id) => { const p = paths.get(id); return p !== undefined && isUnder(c.unitPath, p); })) return false;
  return true;
}

export type CampaignBrief = { id: number; name: string; starts_on: string; ends_on: string };

/**
 * The campaigns a cadre takes part in over a range: their unit is (under) a participating unit,
 * or they hold an open pairing in it, directly or through a team.
 */
export async function cadreCampaigns(db: Executor, cadreId: number, range: DateRange, actor?: Actor): Promise<CampaignBrief[]> {
  let q = db.selectFrom('campaigns as c').select(['c.id', 'c.name', 'c.starts_on', 'c.ends_on'])
    .where('c.starts_on', '<=', range.end).where('c.ends_on', '>=', range.start)
    .where(sql<boolean>`(
      exists (select 1 from campaign_units cu join units pu on pu.id = cu.unit_id join cadres cd on cd.id = ${cadreId} join units cu2 on cu2.id = cd.unit_id
              where cu.campaign_id = c.id and (cu2.path = pu.path or cu2.path like pu.path || '/%'))
      or exists (select 1 from pairings p where p.campaign_id = c.id and p.cadre_id = ${cadreId} and p.ends_on is null)
      or exists (select 1 from pairings p join team_members tm on tm.team_id = p.team_id and tm.left_on is null
                 where p.campaign_id = c.id and tm.cadre_id = ${cadreId} and p.ends_on is null))`);
  if (actor) q = q.where(campaignScope(actor, 'c.region_path'));
  return q.orderBy('c.id').execute();
}

/**
 * How many of the cadre's targets in open pairings (direct or through a team) of the campaign
 * match a holiday visit's targets (any of the tags, of the kinds), per cadre.
 */
export async function pairedTargetCounts(db: Executor, campaignId: number, cadreIds: readonly number[], targets: CalendarTargets): Promise<Map<number, number>> {
  if (cadreIds.length === 0) return new Map();
  const tagCond = targets.tags ? sql`t.tags && ${targets.tags}::text[]` : sql`true`;
  const kindCond = targets.kinds ? sql`t.kind = any(${targets.kinds}::text[])` : sql`true`;
  const { rows } = await sql<{ cadre_id: number; n: number }>`
    select x.cadre_id, count(distinct x.target_id)::int as n from (
      select p.cadre_id, p.target_id from pairings p where p.campaign_id = ${campaignId} and p.ends_on is null and p.cadre_id = any(${[...cadreIds]}::int[])
      union all
      select tm.cadre_id, p.target_id from pairings p join team_members tm on tm.team_id = p.team_id and tm.left_on is null
      where p.campaign_id = ${campaignId} and p.ends_on is null and tm.cadre_id = any(${[...cadreIds]}::int[])
    ) x join contact_targets t on t.id = x.target_id
    where ${tagCond} and ${kindCond}
    group by x.cadre_id`.execute(db);
  return new Map(rows.map((r) => [r.cadre_id, r.n]));
}

// ── Upcoming days ───────────────────────────────────────────────────────────────────────────

type ActiveEntry = EntryRow & { campaign: CampaignBrief };

async function activeEntries(db: Executor, campaigns: readonly CampaignBrief[]): Promise<ActiveEntry[]> {
  if (campaigns.length === 0) return [];
  const byId = new Map(campaigns.map((c) => [c.id, c]));
  const rows = await db.selectFrom('calendar_entries').select(entryColumns)
    .where('campaign_id', '=', sql<number>`any(${campaigns.map((c) => c.id)}::int[])`).where('active', '=', true)
    .orderBy('campaign_id').orderBy('sort').orderBy('id').execute();
  return rows.map((r) => ({ ...r, campaign: byId.get(r.campaign_id)! }));
}

const targetWords = (t: CalendarTargets) => (t.tags ? t.tags.join('、') : '结对对象');

/**
 * The days of `entries` in the range, for a cadre (entries that apply to them, with their matching
 * paired targets counted) or for an overseer (cadre null: every entry, no counts). Fixed days give
 * one item per date; a holiday visit one item per festival window, dated on the festival.
 */
export async function upcomingFor(db: Executor, entries: readonly ActiveEntry[], range: DateRange, cadre: CadreInfo | null, known?: Map<number, string>): Promise<CalendarUpcomingDay[]> {
  const paths = known ?? (await unitPaths(db, entries));
  const out: CalendarUpcomingDay[] = [];
  for (const e of entries) {
    if (cadre && !entryApplies(e.cadres, cadre, paths)) continue;
    const r = clip(range, e.campaign);
    if (r.start > r.end) continue;
    const base = { entryId: e.id, name: e.name, campaignId: e.campaign.id, campaignName: e.campaign.name };
    if (e.schedule.kind !== 'festival') {
      for (const o of occurrences(e.schedule, r)) {
        out.push({ ...base, date: o.date, kind: 'fixed_day', description: e.description, startsOn: o.date, endsOn: o.date, festivalDate: null, restDay: isRestDay(o.date), targetCount: null });
      }
      continue;
    }
    const windows = festivalWindows(e.schedule, r);
    if (windows.length === 0) continue;
    let targetCount: number | null = null;
    let description = e.description;
    if (cadre && e.targets) {
      targetCount = (await pairedTargetCounts(db, e.campaign.id, [cadre.id], e.targets)).get(cadre.id) ?? 0;
      description = `${description ? `${description}。` : ''}您结对的对象中有${targetCount}个${targetWords(e.targets)}`;
    }
    for (const w of windows) {
      out.push({ ...base, date: w.festivalDate, kind: 'festival', description, startsOn: w.start, endsOn: w.end, festivalDate: w.festivalDate, restDay: isRestDay(w.festivalDate), targetCount });
    }
  }
  return out.sort((a, b) => (a.startsOn < b.startsOn ? -1 : a.startsOn > b.startsOn ? 1 : a.entryId - b.entryId));
}

/**
 * GET /calendar/upcoming: the caller's next `days` days. An account linked to a cadre gets the
 * entries of the campaigns that cadre takes part in that apply to them (rank, unit level, unit);
 * any other account the entries of every campaign it sees (an overseer's view).
 */
export async function upcomingDays(db: Executor, actor: Actor, q: { days: number; campaignId?: number | undefined }, now = new Date()): Promise<CalendarUpcomingDay[]> {
  const today = chinaToday(now);
  const range = { start: today, end: addDays(today, q.days - 1) };
  if (q.campaignId !== undefined) await visibleCampaign(db, actor, q.campaignId);
  let campaigns: CampaignBrief[];
  let cadre: CadreInfo | null = null;
  if (actor.cadreId !== null) {
    cadre = (await cadreInfo(db, [actor.cadreId])).get(actor.cadreId) ?? null;
    campaigns = cadre ? await cadreCampaigns(db, cadre.id, range, actor) : [];
  } else {
    campaigns = await db.selectFrom('campaigns').select(['id', 'name', 'starts_on', 'ends_on']).where(campaignScope(actor))
      .where('starts_on', '<=', range.end).where('ends_on', '>=', range.start).orderBy('id').execute();
  }
  if (q.campaignId !== undefined) campaigns = campaigns.filter((c) => c.id === q.campaignId);
  return upcomingFor(db, await activeEntries(db, campaigns), range, cadre);
}

export { activeEntries };
