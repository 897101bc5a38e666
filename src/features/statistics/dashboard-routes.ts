import { errorBody } from '../../../contracts/common.ts';
import { dashboardQuery, dashboardResult } from '../../../contracts/statistics.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { dashboard } from './dashboard.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody };

/** GET /api/v1/statistics/dashboard: the 驾驶舱 and the big screen read the same answer. */
export function registerDashboardRoutes(app: App, { db }: AppDeps) {
  app.get('/api/v1/statistics/dashboard', {
    schema: {
      tags: ['statistics'],
      summary: '驾驶舱 Dashboard: headline figures, the regions one level down with red/amber/green, the trend, rankings and warnings, in your scope',
      querystring: dashboardQuery,
      response: { 200: dashboardResult, ...errors },
    },
  }, async (request) => dashboard(db, request.actor, request.query));
}
