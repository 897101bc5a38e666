import { z } from 'zod';
import { dbId } from './common.ts';

export const planRequest = z.object({
  region: z.string().max(64).optional().describe('plan only targets in this region subtree; default the campaign region within your scope'),
  mode: z.enum(['fill', 'replan']).default('fill').describe('fill: keep today’s pairings and add what is missing; replan: also end pairings outside a cadre’s zone'),
  targetIds: z.array(dbId).max(100_000).optional().describe('incremental: give cadres only to these targets (e.g. 200 newly added households)'),
  compareBaseline: z.boolean().default(false).describe('also run the first-fit baseline and report its figures'),
});
export type PlanRequest = z.input<typeof planRequest>;

const planStats = z.object({
  links: z.number().int(), cadresUsed: z.number().int(), minLoad: z.number().int(), maxLoad: z.number().int(),
  meanLoad: z.number(), totalDistanceKm: z.number(), unmetCount: z.number().int(), ms: z.number(),
});

export const proposedLink = z.object({
  targetId: z.number().int(), targetName: z.string(), targetKind: z.string(), targetRegion: z.string(),
  cadreId: z.number().int(), cadreName: z.string(), cadreRank: z.string(), unitName: z.string(),
  pairingId: z.number().int().optional(),
  role: z.enum(['primary', 'assisting']).describe('primary for the first new cadre of a target that has no primary contact yet'),
});

export const planProposal = z.object({
  campaignId: z.number().int(),
  region: z.object({ code: z.string(), name: z.string() }),
  add: z.array(proposedLink),
  end: z.array(proposedLink),
  keep: z.number().int(),
  unmet: z.array(z.object({
    ruleId: z.number().int(), description: z.string(), subject: z.enum(['target', 'cadre']),
    regionCode: z.string(), regionName: z.string(), count: z.number().int(), shortfall: z.number().int(), reason: z.string(),
    sampleIds: z.array(z.number().int()),
  })),
  stats: planStats,
  baseline: planStats.nullable(),
});
export type PlanProposal = z.infer<typeof planProposal>;

// Applying a reviewed (and edited) proposal is the campaign's pairing batch:
// POST /api/v1/campaigns/:id/pairings/batch — one transaction, all or nothing.
