import { sql, type RawBuilder } from 'kysely';
import type { z } from 'zod';
import {
  previewRequirementRule,
  recomputeRequest,
  type ComplianceCounts,
  type ComplianceRow,
  type ComplianceRowsQuery,
  type ComplianceSummary,
  type ComplianceSummaryQuery,
  type RequirementRulePreview,
} from '../../../contracts/compliance-api.ts';
import { complianceStatuses, type ComplianceStatus, type RequirementRule } from '../../../contracts/requirements.ts';
import type { Executor } from '../../db/database.ts';
import { pathUnder } from '../../db/paths.ts';
import { AppError, notFound } from '../../errors.ts';
import { chinaDate } from '../../lib/workdays.ts';
import { recordAudit } from '../audit/audit.ts';
import { assertCan, isUnder, type Actor } from '../auth/actor.ts';
import { visibleCampaign, type CampaignRow } from '../campaigns/campaigns.ts';
import { regionScope } from '../regions/regions.ts';
import { unitScope } from '../units/units.ts';
import { evaluateRule, recomputeCompliance, type EvaluatedRow } from './engine.ts';
import { checkRuleReferences, configurableCampaign, currentWindow, parseStoredRule, windowLabel } from './rules.ts';

// What people read of the stored compliance (issue 6 item 2): the rows (worst first), the roll-up
// by region or unit one level at a time with a 本级 row, the live preview of an unsaved rule, and
// the compliance rate the assessment uses. Everything is cut to the caller's sight:
//   - a cadre's account (role cadre): rows about the cadre (cadre_id, which pairing rows carry too)
//     and about the teams the cadre is or was a member of;
//   - an account tied to a unit: rows whose unit_path lies under its unit (cadre, pairing, team and
//     unit subjects; a target row has no unit and is left out);
//   - an account scoped by region: rows whose region_path lies under its region;
//   - an unscoped account: every row.
// Rules that are switched off are left out unless asked for by ruleId.

/** SQL condition on a compliance_results alias: the row is visible to the actor. */
export function complianceScope(actor: Actor, alias = 'r'): RawBuilder<boolean> {
  const col = (c: string) => sql.ref(`${alias}.${c}`);
  if (actor.role === 'cadre') {
    if (actor.cadreId === null) return sql<boolean>`false`;
    return sql<boolean>`(${col('cadre_id')} = ${actor.cadreId}
      or ${col('team_id')} in (select tm.team_id from team_members tm where tm.cadre_id = ${actor.cadreId}))`;
  }
  const { regionPath, unitPath } = actor.scope;
  if (unitPath !== null) return pathUnder(`${alias}.unit_path`, unitPath);
  if (regionPath !== null) return pathUnder(`${alias}.region_path`, regionPath);
  return sql<boolean>`true`;
}

/** The same decision for a row in memory (the preview's rows are not stored). */
function visibleRow(actor: Actor, r: Pick<EvaluatedRow, 'cadre_id' | 'team_id' | 'unit_path' | 'region_path'>, teams: Set<number>): boolean {
  if (actor.role === 'cadre') return actor.cadreId !== null && (r.cadre_id === actor.cadreId || (r.team_id != null && teams.has(r.team_id)));
  const { regionPath, unitPath } = actor.scope;
  if (unitPath !== null) return r.unit_path != null && isUnder(r.unit_path, unitPath);
  if (regionPath !== null) return r.region_path != null && isUnder(r.region_path, regionPath);
  return true;
}

const invalid = (field: string, message: string) => new AppError('VALIDATION_FAILED', message, { field, fields: [{ field, message }] });

// ── Counts and the rate ─────────────────────────────────────────────────────────────────────

type Tally = Record<ComplianceStatus, number>;
const emptyTally = (): Tally => ({ met: 0, on_track: 0, at_risk: 0, missed: 0 });
const add = (into: Tally, from: Partial<Tally>) => {
  for (const s of complianceStatuses) into[s] += from[s] ?? 0;
  return into;
};
/** Rate = met ÷ (met + missed): see complianceCounts in contracts/compliance-api.ts. */
export const rateOf = (met: number, decided: number) => (decided === 0 ? null : Math.round((met / decided) * 10_000) / 10_000);
export function toCounts(t: Tally): ComplianceCounts {
  const decided = t.met + t.missed;
  return { met: t.met, onTrack: t.on_track, atRisk: t.at_risk, missed: t.missed, total: t.met + t.on_track + t.at_risk + t.missed, decided, rate: rateOf(t.met, decided) };
}

/**
 * The compliance rate (达标率) for the assessment: met ÷ (met + missed) over the stored rows of
 * active rules, optionally of one campaign, under a unit path and/or a region path, and of windows
 * ending within [windowEndFrom, windowEndTo] (China dates, both included). `total` is met + missed
 * (rows whose outcome is settled); rate is null when it is 0. No actor: the caller decides scope.
 */
export async function complianceRate(
  db: Executor,
  f: { campaignId?: number; unitPath?: string; regionPath?: string; windowEndFrom?: string; windowEndTo?: string },
): Promise<{ met: number; total: number; rate: number | null }> {
  let q = db.selectFrom('compliance_results as r').innerJoin('requirement_rules as rr', 'rr.id', 'r.rule_id').where('rr.active', '=', true)
    .where('r.status', 'in', ['met', 'missed']);
  if (f.campaignId !== undefined) q = q.where('rr.campaign_id', '=', f.campaignId);
  if (f.unitPath !== undefined) q = q.where(pathUnder('r.unit_path', f.unitPath));
  if (f.regionPath !== undefined) q = q.where(pathUnder('r.region_path', f.regionPath));
  if (f.windowEndFrom !== undefined) q = q.where('r.window_end', '>=', f.windowEndFrom);
  if (f.windowEndTo !== undefined) q = q.where('r.window_end', '<=', f.windowEndTo);
  const c = await q.select([
    sql<number>`(count(*) filter (where r.status = 'met'))::int`.as('met'),
    sql<number>`count(*)::int`.as('total'),
  ]).executeTakeFirstOrThrow();
  const met = Number(c.met);
  const total = Number(c.total);
  return { met, total, rate: rateOf(met, total) };
}

// ── Which rows: rule × window ───────────────────────────────────────────────────────────────

type LoadedRule = { id: number; name: string; rule: RequirementRule; active: boolean };

/** The rules a view covers (active ones, or the one asked for) and the window of each. */
async function selection(db: Executor, campaign: CampaignRow, q: { ruleId?: number | undefined; windowKey?: string | undefined }, today: string) {
  let rq = db.selectFrom('requirement_rules').select(['id', 'name', 'rule', 'active']).where('campaign_id', '=', campaign.id);
  rq = q.ruleId !== undefined ? rq.where('id', '=', q.ruleId) : rq.where('active', '=', true);
  const rows = await rq.orderBy('sort').orderBy('id').execute();
  if (q.ruleId !== undefined && rows.length === 0) throw notFound('硬性要求', q.ruleId);
  const rules: LoadedRule[] = rows.map((r) => ({ id: r.id, name: r.name, rule: parseStoredRule(r.rule), active: r.active }));
  const pairs = rules.flatMap((r) => {
    const key = q.windowKey ?? currentWindow(r.rule, campaign, today)?.key;
    return key ? [sql`(${r.id}::int, ${key}::text)`] : [];
  });
  const cond = pairs.length ? sql<boolean>`(r.rule_id, r.window_key) in (${sql.join(pairs)})` : sql<boolean>`false`;
  return { rules, cond };
}

const statusRank = sql<number>`case r.status when 'missed' then 0 when 'at_risk' then 1 when 'on_track' then 2 else 3 end`;

/** The rows of a campaign's compliance, worst first, filtered and paged, as far as the actor sees. */
export async function listComplianceRows(db: Executor, actor: Actor, f: ComplianceRowsQuery, now = new Date()) {
  const q = await filteredComplianceRows(db, actor, f, now);
  const [rows, count] = await Promise.all([
    q.innerJoin('requirement_rules as rr', 'rr.id', 'r.rule_id')
      .leftJoin('units as u', 'u.id', 'r.unit_id')
      .leftJoin('regions as g', 'g.path', 'r.region_path')
      .select([
        'r.rule_id', 'rr.name as rule_name', sql<string>`rr.rule->>'subject'`.as('subject'), sql<string>`rr.rule->>'period'`.as('period'),
        'r.subject_id', 'r.subject_name', 'r.cadre_id', 'r.target_id', 'r.team_id', 'r.unit_id', 'u.name as unit_name', 'g.code as region_code', 'g.name as region_name',
        'r.window_key', sql<string>`r.window_start::text`.as('window_start'), sql<string>`r.window_end::text`.as('window_end'),
        'r.count', 'r.required_min', 'r.required_max', 'r.status', 'r.explanation', 'r.computed_at',
      ])
      .orderBy(statusRank).orderBy('r.rule_id').orderBy('r.subject_name').orderBy('r.subject_id')
      .limit(f.pageSize).offset((f.page - 1) * f.pageSize)
      .execute(),
    q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  const items: ComplianceRow[] = rows.map((r) => ({
    ruleId: r.rule_id,
    ruleName: r.rule_name,
    subject: r.subject as ComplianceRow['subject'],
    subjectId: r.subject_id,
    subjectName: r.subject_name,
    cadreId: r.cadre_id,
    targetId: r.target_id,
    teamId: r.team_id,
    unitId: r.unit_id,
    unitName: r.unit_name,
    regionCode: r.region_code,
    regionName: r.region_name,
    period: r.period as ComplianceRow['period'],
    windowKey: r.window_key,
    windowStart: r.window_start,
    windowEnd: r.window_end,
    count: r.count,
    requiredMin: r.required_min,
    requiredMax: r.required_max,
    status: r.status,
    explanation: r.explanation,
    computedAt: new Date(r.computed_at).toISOString(),
  }));
  return { items, total: Number(count.n), page: f.page, pageSize: f.pageSize };
}

/** The rows the list (and its export) shows for the filters; `r` is compliance_results. */
export async function filteredComplianceRows(db: Executor, actor: Actor, f: Omit<ComplianceRowsQuery, 'page' | 'pageSize'>, now = new Date()) {
  const campaign = await visibleCampaign(db, actor, f.campaignId);
  const { cond } = await selection(db, campaign, f, chinaDate(now));
  let q = db.selectFrom('compliance_results as r').where(cond).where(complianceScope(actor, 'r'));
  if (f.subject) q = q.where(sql<boolean>`(select rr.rule->>'subject' from requirement_rules rr where rr.id = r.rule_id) = ${f.subject}`);
  if (f.status !== undefined) {
    const list = Array.isArray(f.status) ? f.status : [f.status];
    q = q.where('r.status', 'in', list);
  }
  if (f.regionCode) {
    const region = await db.selectFrom('regions').select('path').where('code', '=', f.regionCode).where(regionScope(actor, 'regions.path')).executeTakeFirst();
    if (!region) throw notFound('区划', f.regionCode);
    q = q.where(pathUnder('r.region_path', region.path));
  }
  if (f.unitId !== undefined) {
    const unit = await db.selectFrom('units').select('path').where('id', '=', f.unitId).where(unitScope(actor)).executeTakeFirst();
    if (!unit) throw notFound('单位', f.unitId);
    q = q.where(pathUnder('r.unit_path', unit.path));
  }
  if (f.cadreId !== undefined) q = q.where('r.cadre_id', '=', f.cadreId);
  if (f.targetId !== undefined) q = q.where('r.target_id', '=', f.targetId);
  if (f.teamId !== undefined) q = q.where('r.team_id', '=', f.teamId);
  return q;
}

// ── Roll-up ─────────────────────────────────────────────────────────────────────────────────

type Node = { key: string; name: string; path: string; hasChildren: boolean };

/**
 * Compliance rolled up by the region tree or the unit tree, one level at a time: a row per child of
 * the parent (every child, with zeros) and a 本级 row for subjects at the parent itself. Rows and
 * 本级 add up to `total`. By unit, only rows with a unit count (target rows have none).
 */
export async function complianceSummary(db: Executor, actor: Actor, f: ComplianceSummaryQuery, now = new Date()): Promise<ComplianceSummary> {
  const campaign = await visibleCampaign(db, actor, f.campaignId);
  const { rules, cond } = await selection(db, campaign, f, chinaDate(now));
  const by = f.by ?? 'region';
  const pathCol = by === 'region' ? 'r.region_path' : 'r.unit_path';

  let parent: { key: string; name: string; path: string | null };
  let children: Node[];
  if (by === 'region') {
    let region: { code: string; name: string; path: string } | undefined;
    if (f.regionCode) {
      region = await db.selectFrom('regions').select(['code', 'name', 'path']).where('code', '=', f.regionCode).where(regionScope(actor, 'regions.path')).executeTakeFirst();
      if (!region) throw notFound('区划', f.regionCode);
    } else {
      // The deeper of the caller's region and the campaign's: a township admin starts at the
      // township inside the county campaign, a county admin at the county.
      const own = actor.scope.regionPath;
      const path = own !== null && isUnder(own, campaign.region_path) ? own : campaign.region_path;
      region = await db.selectFrom('regions').select(['code', 'name', 'path']).where('path', '=', path).executeTakeFirstOrThrow();
    }
    parent = { key: region.code, name: region.name, path: region.path };
    children = (await db.selectFrom('regions as c').select(['c.code', 'c.name', 'c.path',
      sql<boolean>`exists (select 1 from regions g where g.parent_code = c.code)`.as('has_children')])
      .where('c.parent_code', '=', region.code).orderBy('c.code').execute())
      .map((c) => ({ key: c.code, name: c.name, path: c.path, hasChildren: Boolean(c.has_children) }));
  } else {
    let unit: { id: number; name: string; path: string } | undefined;
    const ownUnit = actor.scope.unitPath?.split('/').pop();
    const unitId = f.unitId ?? (ownUnit ? Number(ownUnit) : undefined);
    if (unitId !== undefined) {
      unit = await db.selectFrom('units').select(['id', 'name', 'path']).where('id', '=', unitId).where(unitScope(actor)).executeTakeFirst();
      if (!unit) throw notFound('单位', unitId);
    }
    const childQuery = db.selectFrom('units as c').select(['c.id', 'c.name', 'c.path',
      sql<boolean>`exists (select 1 from units g where g.parent_id = c.id)`.as('has_children')]);
    if (unit) {
      parent = { key: String(unit.id), name: unit.name, path: unit.path };
      children = (await childQuery.where('c.parent_id', '=', unit.id).orderBy('c.path').execute())
        .map((c) => ({ key: String(c.id), name: c.name, path: c.path, hasChildren: Boolean(c.has_children) }));
    } else {
      // No unit of its own: the top of the unit tree, as the rows in sight reach it.
      parent = { key: '', name: '全部单位', path: null };
      const tops = await db.selectFrom('compliance_results as r').where(cond).where(complianceScope(actor, 'r')).where('r.unit_path', 'is not', null)
        .select(sql<string>`split_part(r.unit_path, '/', 1)`.as('top')).distinct().execute();
      const ids = tops.map((t) => Number(t.top)).filter((n) => Number.isInteger(n) && n > 0);
      children = ids.length === 0 ? [] : (await childQuery.where('c.id', '=', sql<number>`any(${ids}::int[])`).orderBy('c.path').execute())
        .map((c) => ({ key: String(c.id), name: c.name, path: c.path, hasChildren: Boolean(c.has_children) }));
    }
  }

  let q = db.selectFrom('compliance_results as r').where(cond).where(complianceScope(actor, 'r'));
  q = parent.path === null ? q.where(sql.ref(pathCol), 'is not', null) : q.where(pathUnder(pathCol, parent.path));
  const groups = await q.select([sql<string>`${sql.ref(pathCol)}`.as('path'), 'r.rule_id', 'r.status', sql<number>`count(*)::int`.as('n')])
    .groupBy([sql.ref(pathCol), 'r.rule_id', 'r.status']).execute();

  const total = emptyTally();
  const own = emptyTally();
  const perChild = new Map<string, Tally>(children.map((c) => [c.key, emptyTally()]));
  const perRule = new Map<number, Tally>();
  const childByPath = new Map(children.map((c) => [c.path, c.key]));
  const depth = parent.path === null ? 0 : parent.path.split('/').length;
  let ownSeen = false;
  for (const g of groups) {
    const n = Number(g.n);
    const one = { [g.status]: n } as Partial<Tally>;
    add(total, one);
    const r = perRule.get(g.rule_id) ?? emptyTally();
    perRule.set(g.rule_id, add(r, one));
    if (parent.path !== null && g.path === parent.path) {
      add(own, one);
      ownSeen = true;
      continue;
    }
    const childPath = g.path.split('/').slice(0, depth + 1).join('/');
    let key = childByPath.get(childPath);
    if (key === undefined) {
      // Under a child the tree no longer lists (retired since): a row of its own, keyed by its code.
      key = childPath.split('/').pop()!;
      if (!perChild.has(key)) {
        perChild.set(key, emptyTally());
        children.push({ key, name: key, path: childPath, hasChildren: false });
        childByPath.set(childPath, key);
      }
    }
    add(perChild.get(key)!, one);
  }

  const rows: ComplianceSummary['rows'] = children.map((c) => ({ key: c.key, name: c.name, own: false, hasChildren: c.hasChildren, counts: toCounts(perChild.get(c.key)!) }));
  if (ownSeen) rows.push({ key: parent.key, name: `${parent.name}（本级）`, own: true, hasChildren: false, counts: toCounts(own) });
  const names = new Map(rules.map((r) => [r.id, r.name]));
  return {
    parent: { key: parent.key, name: parent.name },
    total: toCounts(total),
    rows,
    byRule: rules.map((r) => ({ ruleId: r.id, ruleName: names.get(r.id)!, counts: toCounts(perRule.get(r.id) ?? emptyTally()) })),
  };
}

// ── Preview ─────────────────────────────────────────────────────────────────────────────────

const worst: Record<ComplianceStatus, number> = { missed: 0, at_risk: 1, on_track: 2, met: 3 };

/** The rule as typed, evaluated now over its current window; nothing is saved. Counts and the 50 worst rows in the actor's sight. */
export async function previewRule(db: Executor, actor: Actor, campaignId: number, input: z.input<typeof previewRequirementRule>, now = new Date()): Promise<RequirementRulePreview> {
  assertCan(actor, 'requirement.configure');
  const data = previewRequirementRule.parse(input);
  const campaign = await configurableCampaign(db, actor, campaignId);
  await checkRuleReferences(db, actor, campaign, data.rule);
  const today = chinaDate(now);
  const w = currentWindow(data.rule, campaign, today);
  const result = await evaluateRule(db, campaignId, data.rule, data.atRiskDays, { now, ...(w ? { windowKey: w.key } : {}) });
  const teams = new Set<number>();
  if (actor.role === 'cadre' && actor.cadreId !== null) {
    for (const t of await db.selectFrom('team_members').select('team_id').where('cadre_id', '=', actor.cadreId).execute()) teams.add(t.team_id);
  }
  const seen = result.rows.filter((r) => visibleRow(actor, r, teams));
  const tally = emptyTally();
  for (const r of seen) tally[r.status] += 1;
  const sample = [...seen].sort((a, b) => worst[a.status] - worst[b.status] || a.subject_name.localeCompare(b.subject_name, 'zh-CN')).slice(0, 50);

  const unitIds = [...new Set(sample.flatMap((r) => (r.unit_id == null ? [] : [r.unit_id])))];
  const regionPaths = [...new Set(sample.flatMap((r) => (r.region_path == null ? [] : [r.region_path])))];
  const units = new Map((unitIds.length ? await db.selectFrom('units').select(['id', 'name']).where('id', '=', sql<number>`any(${unitIds}::int[])`).execute() : []).map((u) => [u.id, u.name]));
  const regions = new Map((regionPaths.length ? await db.selectFrom('regions').select(['path', 'code', 'name']).where('path', '=', sql<string>`any(${regionPaths}::text[])`).execute() : []).map((g) => [g.path, g]));
  const win = result.window;
  return {
    window: win ? { windowKey: win.key, start: win.start, end: win.end, name: windowLabel(data.rule, win, today), current: today >= win.start && today <= win.end } : null,
    counts: toCounts(tally),
    sample: sample.map((r) => {
      const g = r.region_path == null ? undefined : regions.get(r.region_path);
      return {
        ruleName: data.rule.name,
        subject: data.rule.subject,
        subjectId: r.subject_id,
        subjectName: r.subject_name,
        cadreId: r.cadre_id ?? null,
        targetId: r.target_id ?? null,
        teamId: r.team_id ?? null,
        unitId: r.unit_id ?? null,
        unitName: r.unit_id == null ? null : (units.get(r.unit_id) ?? null),
        regionCode: g?.code ?? null,
        regionName: g?.name ?? null,
        period: data.rule.period,
        windowKey: r.window_key,
        windowStart: String(r.window_start),
        windowEnd: String(r.window_end),
        count: r.count,
        requiredMin: r.required_min ?? null,
        requiredMax: r.required_max ?? null,
        status: r.status,
        explanation: r.explanation,
      };
    }),
  };
}

// ── Recompute ───────────────────────────────────────────────────────────────────────────────

/** Recounts one campaign (all its rules or ruleIds) or every campaign the admin may configure; audited. */
export async function recompute(db: Executor, actor: Actor, input: z.input<typeof recomputeRequest>, now = new Date()) {
  assertCan(actor, 'requirement.configure');
  const data = recomputeRequest.parse(input);
  if (data.ruleIds && data.campaignId === undefined) throw invalid('campaignId', '指定规则 ruleIds 时须同时指定活动 campaignId');
  let campaignIds: number[] | null;
  if (data.campaignId !== undefined) {
    await configurableCampaign(db, actor, data.campaignId);
    if (data.ruleIds) {
      const ids = data.ruleIds;
      const found = new Set((await db.selectFrom('requirement_rules').select('id').where('id', '=', sql<number>`any(${ids}::int[])`).where('campaign_id', '=', data.campaignId).execute()).map((r) => r.id));
      const fields = ids.flatMap((id, i) => (found.has(id) ? [] : [{ field: `ruleIds.${i}`, message: `规则 ${id} 不是本活动的硬性要求` }]));
      if (fields.length) throw new AppError('VALIDATION_FAILED', fields[0]!.message, { field: fields[0]!.field, fields });
    }
    campaignIds = [data.campaignId];
  } else if (actor.scope.regionPath === null) {
    campaignIds = null;
  } else {
    campaignIds = (await db.selectFrom('campaigns').select('id').where(pathUnder('region_path', actor.scope.regionPath)).orderBy('id').execute()).map((c) => c.id);
  }
  const sum = { rules: 0, rows: 0, ms: 0 };
  const started = Date.now();
  if (campaignIds === null) Object.assign(sum, await recomputeCompliance(db, { now }));
  else {
    for (const campaignId of campaignIds) {
      const r = await recomputeCompliance(db, { now, campaignId, ...(data.ruleIds ? { ruleIds: data.ruleIds } : {}) });
      sum.rules += r.rules;
      sum.rows += r.rows;
    }
  }
  sum.ms = Math.round(Date.now() - started);
  await recordAudit(db, actor, { action: 'compliance.recompute', entity: 'campaign', entityId: data.campaignId ?? null, detail: { ...data, ...sum }, where: { regionPath: actor.scope.regionPath, unitPath: null } });
  return sum;
}
