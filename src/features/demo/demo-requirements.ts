import { sql } from 'kysely';
import { complianceStatuses, requirementRule, type ComplianceStatus } from '../../../contracts/requirements.ts';
import type { Executor } from '../../db/database.ts';
import type { Actor } from '../auth/actor.ts';
import { recomputeCompliance } from '../compliance/engine.ts';
import { specRules } from '../compliance/spec-rules.ts';

// The demo campaign's requirement rules: every SPEC §2 duty as data (spec-rules.ts), stored as an
// admin would save them, then the compliance counted from the demo's records for every window
// from the campaign start (20 March) up to today. The demo campaign's 五员 roles are not named by
// any of the SPEC duties, so the rules apply as written.

export type DemoRequirementsResult = { rules: number; rows: number; byStatus: Record<ComplianceStatus, number> };

export async function loadDemoRequirements(tx: Executor, actor: Actor, ctx: { campaignId: number; now: Date }): Promise<DemoRequirementsResult> {
  const rules = specRules.flatMap((s) => s.rules).map((r) => requirementRule.parse(r));
  let sort = 0;
  for (const rule of rules) {
    // Fixed days and holiday visits warn three days ahead; the rest a week before the window ends.
    const atRiskDays = rule.period === 'week' || rule.period === 'festival' || rule.on ? 3 : 7;
    await tx.insertInto('requirement_rules').values({
      campaign_id: ctx.campaignId, name: rule.name, rule: JSON.stringify(rule), at_risk_days: atRiskDays, sort: sort++, created_by: actor.userId, updated_at: ctx.now,
    }).execute();
  }
  const { rows } = await recomputeCompliance(tx, { now: ctx.now, campaignId: ctx.campaignId });
  // Every demo record written above queued its recount; the full count just made covers them all,
  // so the first server start does not recount the whole demo again through the drain.
  await tx.deleteFrom('compliance_pending').execute();
  const counts = await sql<{ status: ComplianceStatus; n: number }>`
    select cr.status, count(*)::int as n from compliance_results cr join requirement_rules r on r.id = cr.rule_id
    where r.campaign_id = ${ctx.campaignId} group by cr.status`.execute(tx);
  const byStatus = Object.fromEntries(complianceStatuses.map((s) => [s, 0])) as Record<ComplianceStatus, number>;
  for (const c of counts.rows) byStatus[c.status] = c.n;
  return { rules: rules.length, rows, byStatus };
}
