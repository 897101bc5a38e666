import { z } from 'zod';
import { errorBody } from '../../../contracts/common.ts';
import {
  campaignIdParam, complianceRowsPage, complianceRowsQuery, complianceSummary as summarySchema, complianceSummaryQuery, complianceWindows,
  previewRequirementRule, recomputeRequest, recomputeResult, requirementRuleDto, requirementRulePreview, ruleIdParam, saveRequirementRule, updateRequirementRule,
} from '../../../contracts/compliance-api.ts';
import type { Database } from '../../db/database.ts';
import type { App, AppDeps } from '../../http/types.ts';
import type { FastifyBaseLogger } from 'fastify';
import { recomputeCompliance } from './engine.ts';
import { createRule, deleteRule, getRule, listRules, ruleWindows, updateRule } from './rules.ts';
import { complianceSummary, listComplianceRows, previewRule, recompute } from './views.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };

/**
 * A saved rule's compliance is recounted inline, after the save has committed and before the
 * answer: one rule is a fraction of the full pass (the city tier recounts every rule in seconds, see
 * docs/PERFORMANCE.md), and the admin's next screen — the rule list with its counts, the compliance
 * views — then shows the rule as saved rather than empty. The save stands if the recount fails
 * (logged; the next recompute pass repairs it), so a failure is never reported as a failed save.
 */
async function recountRule(db: Database, log: FastifyBaseLogger, ruleId: number, active: boolean) {
  if (!active) return;
  try {
    await recomputeCompliance(db, { now: new Date(), ruleIds: [ruleId] });
  } catch (err) {
    log.error({ err, ruleId }, 'compliance recount after a rule save failed');
  }
}

export function registerComplianceRoutes(app: App, { db }: AppDeps) {
  app.get('/api/v1/campaigns/:id/requirement-rules', {
    schema: { tags: ['compliance'], summary: '硬性要求列表 Requirement rules of a campaign, with the counts of their current window', params: campaignIdParam, response: { 200: z.object({ items: z.array(requirementRuleDto) }), ...errors } },
  }, async (request) => ({ items: await listRules(db, request.actor, request.params.id) }));

  app.post('/api/v1/campaigns/:id/requirement-rules', {
    schema: { tags: ['compliance'], summary: '新建硬性要求 Create a requirement rule (its compliance is computed before the answer)', params: campaignIdParam, body: saveRequirementRule, response: { 201: requirementRuleDto, ...errors } },
  }, async (request, reply) => {
    const saved = await createRule(db, request.actor, request.params.id, request.body);
    await recountRule(db, request.log, saved.id, saved.active);
    return reply.status(201).send(await getRule(db, request.actor, saved.id));
  });

  app.post('/api/v1/campaigns/:id/requirement-rules/preview', {
    schema: { tags: ['compliance'], summary: '预览硬性要求 Evaluate an unsaved rule over its current window (nothing saved)', params: campaignIdParam, body: previewRequirementRule, response: { 200: requirementRulePreview, ...errors } },
  }, async (request) => previewRule(db, request.actor, request.params.id, request.body));

  app.get('/api/v1/requirement-rules/:id', {
    schema: { tags: ['compliance'], summary: '硬性要求 A requirement rule', params: ruleIdParam, response: { 200: requirementRuleDto, ...errors } },
  }, async (request) => getRule(db, request.actor, request.params.id));

  app.put('/api/v1/requirement-rules/:id', {
    schema: { tags: ['compliance'], summary: '修改或停用硬性要求 Change a rule (version must be the one read, 409 otherwise); active:false switches it off', params: ruleIdParam, body: updateRequirementRule, response: { 200: requirementRuleDto, ...errors } },
  }, async (request) => {
    const saved = await updateRule(db, request.actor, request.params.id, request.body);
    await recountRule(db, request.log, saved.id, saved.active);
    return getRule(db, request.actor, saved.id);
  });

  app.delete('/api/v1/requirement-rules/:id', {
    schema: { tags: ['compliance'], summary: '删除硬性要求 Delete a rule and the compliance kept for it', params: ruleIdParam, response: { 204: z.null(), ...errors } },
  }, async (request, reply) => {
    await deleteRule(db, request.actor, request.params.id);
    return reply.status(204).send(null);
  });

  app.get('/api/v1/requirement-rules/:id/windows', {
    schema: { tags: ['compliance'], summary: '考核周期 The windows of a rule that have started, newest first', params: ruleIdParam, response: { 200: complianceWindows, ...errors } },
  }, async (request) => ruleWindows(db, request.actor, request.params.id));

  app.get('/api/v1/compliance/rows', {
    schema: { tags: ['compliance'], summary: '达标情况 Compliance rows, worst first, in your scope', querystring: complianceRowsQuery, response: { 200: complianceRowsPage, ...errors } },
  }, async (request) => listComplianceRows(db, request.actor, request.query));

  app.get('/api/v1/compliance/summary', {
    schema: { tags: ['compliance'], summary: '达标汇总 Compliance rolled up by region or unit, one level at a time with a 本级 row', querystring: complianceSummaryQuery, response: { 200: summarySchema, ...errors } },
  }, async (request) => complianceSummary(db, request.actor, request.query));

  app.post('/api/v1/compliance/recompute', {
    schema: { tags: ['compliance'], summary: '重新计算 Recount compliance (admin)', body: recomputeRequest, response: { 200: recomputeResult, ...errors } },
  }, async (request) => recompute(db, request.actor, request.body));
}
