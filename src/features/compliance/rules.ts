import { sql } from 'kysely';
import {
  saveRequirementRule as saveSchema,
  updateRequirementRule as updateSchema,
  type RequirementRuleDto,
} from '../../../contracts/compliance-api.ts';
import { describeRequirementRule, festivalLabels, requirementRule, type RequirementRule } from '../../../contracts/requirements.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { AppError, forbidden, notFound } from '../../errors.ts';
import { chinaDate } from '../../lib/workdays.ts';
import { recordAudit } from '../audit/audit.ts';
import { assertCan, isUnder, type Actor } from '../auth/actor.ts';
import { visibleCampaign, type CampaignRow } from '../campaigns/campaigns.ts';
import { unitScope } from '../units/units.ts';
import { campaignWindows, windowName, type PeriodWindow } from './periods.ts';
import { complianceScope } from './views.ts';
import type { z } from 'zod';

// Requirement rules stored per campaign (issue 6 item 1): the office composes them as data
// (contracts/requirements.ts); here they are checked against the database — the units, teams,
// 五员 roles and tags they name must exist — stored with a version, and every change is audited.
// Reading the rules needs only sight of the campaign (leaders follow compliance by rule); changing
// them needs requirement.configure and the campaign organised inside the caller's region, as for
// the campaign itself. Compliance is recomputed by the caller after the save commits (routes.ts).

type SaveInput = z.input<typeof saveSchema>;
type UpdateInput = z.input<typeof updateSchema>;
type FieldIssue = { field: string; message: string };

const invalid = (issues: FieldIssue[]) =>
  new AppError('VALIDATION_FAILED', issues.length === 1 ? issues[0]!.message : `${issues[0]!.message}（另有${issues.length - 1}处错误）`, { field: issues[0]!.field, fields: issues });

/** The campaign when the actor may change its rules: 404 out of sight, 403 when organised above the caller. */
export async function configurableCampaign(db: Executor, actor: Actor, campaignId: number): Promise<CampaignRow> {
  assertCan(actor, 'requirement.configure');
  const c = await visibleCampaign(db, actor, campaignId);
  if (actor.scope.regionPath !== null && !isUnder(c.region_path, actor.scope.regionPath)) {
    throw forbidden('该活动由上级组织，您只能查看其硬性要求，不能修改');
  }
  return c;
}

/**
 * What the rule names must exist: units the actor may see, teams of this campaign, 五员 roles of
 * this campaign, tags some target carries. Every problem at once, each at its field.
 */
export async function checkRuleReferences(db: Executor, actor: Actor, campaign: CampaignRow, rule: RequirementRule, prefix = 'rule'): Promise<void> {
  const issues: FieldIssue[] = [];
  const c = rule.cadres;
  if (c.unitIds) {
    const ids = c.unitIds;
    const found = new Set((await db.selectFrom('units').select('units.id').where('units.id', '=', sql<number>`any(${ids}::int[])`).where(unitScope(actor)).execute()).map((u) => u.id));
    ids.forEach((id, i) => {
      if (!found.has(id)) issues.push({ field: `${prefix}.cadres.unitIds.${i}`, message: `单位 ${id} 不存在或不在您的管辖范围内` });
    });
  }
  if (c.teamIds) {
    const ids = c.teamIds;
    const found = new Set((await db.selectFrom('teams').select('id').where('id', '=', sql<number>`any(${ids}::int[])`).where('campaign_id', '=', campaign.id).execute()).map((t) => t.id));
    ids.forEach((id, i) => {
      if (!found.has(id)) issues.push({ field: `${prefix}.cadres.teamIds.${i}`, message: `组团 ${id} 不是活动“${campaign.name}”的组团` });
    });
  }
  if (c.cadreRoles) {
    c.cadreRoles.forEach((r, i) => {
      if (!campaign.cadre_roles.includes(r)) {
        const known = campaign.cadre_roles.length ? `（本活动的角色：${campaign.cadre_roles.join('、')}）` : '（本活动未设五员角色）';
        issues.push({ field: `${prefix}.cadres.cadreRoles.${i}`, message: `五员角色“${r}”不是本活动的角色${known}` });
      }
    });
  }
  const tags = rule.targets.tags;
  if (tags && issues.every((i) => !i.field.startsWith(`${prefix}.targets.tags`))) {
    // One probe per tag on the GIN index; the lists are short (≤ 20).
    const carried = new Set(
      (await sql<{ tag: string }>`select t.tag from unnest(${tags}::text[]) as t(tag)
        where exists (select 1 from contact_targets ct where ct.tags @> array[t.tag])`.execute(db)).rows.map((r) => r.tag),
    );
    tags.forEach((t, i) => {
      if (!carried.has(t)) issues.push({ field: `${prefix}.targets.tags.${i}`, message: `没有联系对象带有标签“${t}”` });
    });
  }
  if (issues.length) throw invalid(issues);
}

// ── Reading ─────────────────────────────────────────────────────────────────────────────────

type RuleRow = { id: number; campaign_id: number; rule: unknown; at_risk_days: number; active: boolean; version: number; created_at: Date; updated_at: Date };
const ruleColumns = ['id', 'campaign_id', 'rule', 'at_risk_days', 'active', 'version', 'created_at', 'updated_at'] as const;

/** The stored rule, parsed again (defaults of a later contract filled in). */
export const parseStoredRule = (raw: unknown): RequirementRule => requirementRule.parse(typeof raw === 'string' ? JSON.parse(raw) : raw);

/**
 * The window of a rule that views show by default: the one holding `today`, else the last one that
 * has started (between festivals, after the campaign), else the first (before the campaign).
 */
export function currentWindow(rule: RequirementRule, campaign: Pick<CampaignRow, 'starts_on' | 'ends_on'>, today: string): PeriodWindow | null {
  const all = campaignWindows(rule.period, { startsOn: campaign.starts_on, endsOn: campaign.ends_on }, rule.festival);
  return all.find((w) => w.start <= today && today <= w.end) ?? all.filter((w) => w.start <= today).at(-1) ?? all[0] ?? null;
}

export const windowLabel = (rule: RequirementRule, w: PeriodWindow, today: string) => windowName(w, today, rule.festival ? festivalLabels[rule.festival.name].zh : undefined);

type Counts = NonNullable<RequirementRuleDto['current']>;

/** Counts over each rule's current window, as far as the actor sees the subjects. */
async function currentCounts(db: Executor, actor: Actor, campaign: CampaignRow, rows: { id: number; rule: RequirementRule }[], now: Date): Promise<Map<number, Counts>> {
  const out = new Map<number, Counts>();
  const today = chinaDate(now);
  const pairs = rows.flatMap((r) => {
    const w = currentWindow(r.rule, campaign, today);
    return w ? [sql`(${r.id}::int, ${w.key}::text)`] : [];
  });
  if (pairs.length === 0) return out;
  const got = await db.selectFrom('compliance_results as r')
    .select(['r.rule_id', 'r.status', sql<number>`count(*)::int`.as('n')])
    .where(sql<boolean>`(r.rule_id, r.window_key) in (${sql.join(pairs)})`)
    .where(complianceScope(actor, 'r'))
    .groupBy(['r.rule_id', 'r.status'])
    .execute();
  for (const g of got) {
    const c = out.get(g.rule_id) ?? { met: 0, onTrack: 0, atRisk: 0, missed: 0 };
    const key = ({ met: 'met', on_track: 'onTrack', at_risk: 'atRisk', missed: 'missed' } as const)[g.status];
    c[key] += Number(g.n);
    out.set(g.rule_id, c);
  }
  return out;
}

function toDto(r: RuleRow, rule: RequirementRule, current: Counts | null): RequirementRuleDto {
  return {
    id: r.id,
    campaignId: r.campaign_id,
    rule,
    summary: describeRequirementRule(rule),
    atRiskDays: r.at_risk_days,
    active: r.active,
    version: r.version,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    current,
  };
}

/** The campaign's rules in their order, each with the counts of its current window in the actor's sight. */
export async function listRules(db: Executor, actor: Actor, campaignId: number, now = new Date()): Promise<RequirementRuleDto[]> {
  const campaign = await visibleCampaign(db, actor, campaignId);
  const rows = await db.selectFrom('requirement_rules').select(ruleColumns).where('campaign_id', '=', campaignId).orderBy('sort').orderBy('id').execute();
  const parsed = rows.map((r) => ({ row: r, id: r.id, rule: parseStoredRule(r.rule) }));
  const counts = await currentCounts(db, actor, campaign, parsed, now);
  return parsed.map((p) => toDto(p.row, p.rule, p.row.active ? (counts.get(p.id) ?? { met: 0, onTrack: 0, atRisk: 0, missed: 0 }) : null));
}

/** A rule with its campaign, when the actor sees the campaign; else NOT_FOUND. */
export async function visibleRule(db: Executor, actor: Actor, id: number, forUpdate = false) {
  let q = db.selectFrom('requirement_rules').select(ruleColumns).where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('硬性要求', id);
  try {
    const campaign = await visibleCampaign(db, actor, row.campaign_id);
    return { row, campaign, rule: parseStoredRule(row.rule) };
  } catch (e) {
    if (e instanceof AppError && e.code === 'NOT_FOUND') throw notFound('硬性要求', id);
    throw e;
  }
}

export async function getRule(db: Executor, actor: Actor, id: number, now = new Date()): Promise<RequirementRuleDto> {
  const { row, campaign, rule } = await visibleRule(db, actor, id);
  const counts = await currentCounts(db, actor, campaign, [{ id, rule }], now);
  return toDto(row, rule, row.active ? (counts.get(id) ?? { met: 0, onTrack: 0, atRisk: 0, missed: 0 }) : null);
}

// ── Writing ─────────────────────────────────────────────────────────────────────────────────

const where = (c: CampaignRow) => ({ regionPath: c.region_path, unitPath: null });

export async function createRule(db: Executor, actor: Actor, campaignId: number, input: SaveInput): Promise<RequirementRuleDto> {
  assertCan(actor, 'requirement.configure');
  const data = saveSchema.parse(input);
  return inTransaction(db, async (tx) => {
    const campaign = await configurableCampaign(tx, actor, campaignId);
    await checkRuleReferences(tx, actor, campaign, data.rule);
    const sort = await tx.selectFrom('requirement_rules').select(sql<number>`coalesce(max(sort), 0) + 1`.as('n')).where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
    const { id } = await tx.insertInto('requirement_rules').values({
      campaign_id: campaignId,
      name: data.rule.name,
      rule: JSON.stringify(data.rule),
      at_risk_days: data.atRiskDays,
      active: data.active,
      sort: Number(sort.n),
      created_by: actor.userId,
      updated_at: new Date(),
    }).returning('id').executeTakeFirstOrThrow();
    await recordAudit(tx, actor, { action: 'requirement_rule.create', entity: 'requirement_rule', entityId: id, detail: { campaignId, ...data }, where: where(campaign) });
    return getRule(tx, actor, id);
  });
}

/**
 * Changes a rule; `version` must be the one read (409 otherwise, nothing changed). active:false
 * deactivates it: its stored compliance stays (history), but views and roll-ups leave it out.
 */
export async function updateRule(db: Executor, actor: Actor, id: number, input: UpdateInput): Promise<RequirementRuleDto> {
  assertCan(actor, 'requirement.configure');
  const data = updateSchema.parse(input);
  return inTransaction(db, async (tx) => {
    const { row, campaign, rule: before } = await visibleRule(tx, actor, id, true);
    await configurableCampaign(tx, actor, campaign.id);
    if (row.version !== data.version) {
      throw new AppError('CONFLICT', `硬性要求已被他人修改（当前版本 ${row.version}，您读取的是 ${data.version}），请刷新后重试`, { field: 'version', currentVersion: row.version });
    }
    await checkRuleReferences(tx, actor, campaign, data.rule);
    await tx.updateTable('requirement_rules').set({
      name: data.rule.name,
      rule: JSON.stringify(data.rule),
      at_risk_days: data.atRiskDays,
      active: data.active,
      version: row.version + 1,
      updated_at: new Date(),
    }).where('id', '=', id).execute();
    await recordAudit(tx, actor, {
      action: row.active && !data.active ? 'requirement_rule.deactivate' : 'requirement_rule.update',
      entity: 'requirement_rule',
      entityId: id,
      detail: { before: { rule: before, atRiskDays: row.at_risk_days, active: row.active, version: row.version }, after: { rule: data.rule, atRiskDays: data.atRiskDays, active: data.active } },
      where: where(campaign),
    });
    return getRule(tx, actor, id);
  });
}

/** Removes a rule and the compliance kept for it (cascade), audited with the rule as it was. */
export async function deleteRule(db: Executor, actor: Actor, id: number): Promise<void> {
  assertCan(actor, 'requirement.configure');
  await inTransaction(db, async (tx) => {
    const { row, campaign, rule } = await visibleRule(tx, actor, id, true);
    await configurableCampaign(tx, actor, campaign.id);
    const n = await tx.selectFrom('compliance_results').select(sql<number>`count(*)::int`.as('n')).where('rule_id', '=', id).executeTakeFirstOrThrow();
    try {
      await tx.deleteFrom('requirement_rules').where('id', '=', id).execute();
    } catch (e) {
      if ((e as { code?: unknown }).code === '23503') throw new AppError('CONFLICT', `硬性要求“${rule.name}”已被其他记录（如考核指标）引用，不能删除；可改为停用`, { field: 'id' });
      throw e;
    }
    await recordAudit(tx, actor, {
      action: 'requirement_rule.delete', entity: 'requirement_rule', entityId: id,
      detail: { campaignId: campaign.id, rule, atRiskDays: row.at_risk_days, active: row.active, version: row.version, complianceRowsRemoved: Number(n.n) },
      where: where(campaign),
    });
  });
}

/** The windows a rule has (those that have started, newest first), named for people. */
export async function ruleWindows(db: Executor, actor: Actor, id: number, now = new Date()) {
  const { rule, campaign } = await visibleRule(db, actor, id);
  const today = chinaDate(now);
  const current = currentWindow(rule, campaign, today);
  const all = campaignWindows(rule.period, { startsOn: campaign.starts_on, endsOn: campaign.ends_on }, rule.festival);
  const shown = all.filter((w) => w.start <= today || w.key === current?.key);
  return shown.reverse().map((w) => ({ windowKey: w.key, start: w.start, end: w.end, name: windowLabel(rule, w, today), current: w.key === current?.key }));
}
