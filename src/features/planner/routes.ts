import { errorBody, idParam } from '../../../contracts/common.ts';
import { planProposal, planRequest } from '../../../contracts/planner.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { proposePlan } from './planner.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };

export function registerPlannerRoutes(app: App, { db }: AppDeps) {
  app.post('/api/v1/campaigns/:id/plan', {
    schema: {
      tags: ['planner'], summary: '结对规划 Propose pairings that meet the coverage rules (nothing is written)',
      params: idParam, body: planRequest, response: { 200: planProposal, ...errors },
    },
  }, async (request) => proposePlan(db, request.actor, request.params.id, request.body));
}
