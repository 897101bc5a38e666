import { z } from 'zod';
import { cadreRank } from './cadres.ts';
import { unitLevel } from './units.ts';

// Coverage rules (覆盖要求) are data, composed per campaign. Three shapes cover the articles:
//  - target_cadres: each target of these kinds has between min and max paired cadres (of these ranks);
//  - cadre_targets: each cadre (of these ranks / unit levels) has between min and max targets of these kinds;
//  - unit_leader_named: each participating unit has its responsible leader (责任领导) named.
export const targetKindsForRules = z.enum(['village', 'community', 'building', 'household', 'enterprise', 'project', 'talent', 'graduate_official', 'school', 'person']);

const range = z.object({ min: z.number().int().min(0).max(1000).optional(), max: z.number().int().min(0).max(10_000).optional() });
const checkRange = (r: { min?: number | undefined; max?: number | undefined }, ctx: z.RefinementCtx) => {
  if (r.min === undefined && r.max === undefined) ctx.addIssue({ code: 'custom', path: ['min'], message: '至少填写下限或上限之一' });
  if (r.min !== undefined && r.max !== undefined && r.min > r.max) ctx.addIssue({ code: 'custom', path: ['max'], message: `上限 ${r.max} 小于下限 ${r.min}，规则自相矛盾` });
};

export const targetCadresParams = range
  .extend({
    targetKinds: z.array(targetKindsForRules).min(1),
    targetTags: z.array(z.string().min(1).max(20)).max(20).optional(),
    cadreRanks: z.array(cadreRank).min(1).optional(),
  })
  .superRefine(checkRange);
export const cadreTargetsParams = range
  .extend({
    targetKinds: z.array(targetKindsForRules).min(1),
    targetTags: z.array(z.string().min(1).max(20)).max(20).optional(),
    cadreRanks: z.array(cadreRank).min(1).optional(),
    unitLevels: z.array(unitLevel).min(1).optional(),
  })
  .superRefine(checkRange);

export const coverageRuleInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('target_cadres'), description: z.string().max(200).default(''), params: targetCadresParams }),
  z.object({ kind: z.literal('cadre_targets'), description: z.string().max(200).default(''), params: cadreTargetsParams }),
  z.object({ kind: z.literal('unit_leader_named'), description: z.string().max(200).default(''), params: z.object({}).default({}) }),
]);
export type CoverageRuleInput = z.input<typeof coverageRuleInput>;
export type CoverageRuleParsed = z.output<typeof coverageRuleInput>;

export const coverageRule = z.object({
  id: z.number().int(),
  campaignId: z.number().int(),
  kind: z.enum(['target_cadres', 'cadre_targets', 'unit_leader_named']),
  description: z.string(),
  params: z.record(z.string(), z.unknown()),
});
export type CoverageRuleDto = z.infer<typeof coverageRule>;

export const ragStatus = z.enum(['green', 'amber', 'red']);

export const coverageViolation = z.object({
  kind: z.enum(['target', 'cadre', 'unit']),
  id: z.number().int(),
  name: z.string(),
  regionCode: z.string().nullable(),
  count: z.number().int(),
  problem: z.enum(['uncovered', 'under', 'over']),
  explanation: z.string(),
});

export const coverageRegionRow = z.object({
  code: z.string(),
  name: z.string(),
  level: z.string(),
  evaluated: z.number().int(),
  unmet: z.number().int(),
  status: ragStatus,
});

export const ruleCoverage = z.object({
  rule: coverageRule,
  evaluated: z.number().int(),
  met: z.number().int(),
  uncovered: z.number().int(),
  under: z.number().int(),
  over: z.number().int(),
  status: ragStatus,
  violations: z.array(coverageViolation),
  violationsTruncated: z.boolean(),
  byRegion: z.array(coverageRegionRow),
});

export const coverageReport = z.object({
  campaignId: z.number().int(),
  region: z.object({ code: z.string(), name: z.string(), level: z.string() }),
  rules: z.array(ruleCoverage),
  status: ragStatus,
});
export type CoverageReport = z.infer<typeof coverageReport>;

export const coverageQuery = z.object({
  region: z.string().max(64).optional().describe('region subtree to look at; default the campaign region (or your own scope inside it)'),
  violationsLimit: z.coerce.number().int().min(0).max(1000).default(100),
});
