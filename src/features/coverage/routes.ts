import { z } from 'zod';
import { errorBody, idParam } from '../../../contracts/common.ts';
import { coverageQuery, coverageReport as coverageReportSchema, coverageRule, coverageRuleInput } from '../../../contracts/coverage.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { addCoverageRule, coverageReport, deleteCoverageRule, listCoverageRules } from './coverage.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };

export function registerCoverageRoutes(app: App, { db }: AppDeps) {
  app.get('/api/v1/campaigns/:id/coverage-rules', {
    schema: { tags: ['coverage'], summary: '覆盖要求 Coverage rules of a campaign', params: idParam, response: { 200: z.array(coverageRule), ...errors } },
  }, async (request) => listCoverageRules(db, request.actor, request.params.id));

  app.post('/api/v1/campaigns/:id/coverage-rules', {
    schema: {
      tags: ['coverage'], summary: '新增覆盖要求 Add a coverage rule; contradictory rules are refused with 409',
      params: idParam, body: coverageRuleInput, response: { 201: coverageRule, ...errors },
    },
  }, async (request, reply) => reply.status(201).send(await addCoverageRule(db, request.actor, request.params.id, request.body)));

  app.delete('/api/v1/campaigns/:id/coverage-rules/:ruleId', {
    schema: {
      tags: ['coverage'], summary: '删除覆盖要求 Remove a coverage rule',
      params: z.object({ id: z.coerce.number().int().positive(), ruleId: z.coerce.number().int().positive() }),
      response: { 204: z.null(), ...errors },
    },
  }, async (request, reply) => {
    await deleteCoverageRule(db, request.actor, request.params.id, request.params.ruleId);
    return reply.status(204).send(null);
  });

  app.get('/api/v1/campaigns/:id/coverage', {
    schema: {
      tags: ['coverage'], summary: '覆盖情况 Coverage of a region subtree: unmet targets and cadres, counts per child region, red/amber/green',
      params: idParam, querystring: coverageQuery, response: { 200: coverageReportSchema, ...errors },
    },
  }, async (request) => coverageReport(db, request.actor, request.params.id, request.query));
}
