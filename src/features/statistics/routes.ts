import { comparisonQuery, comparisonResult, figureRecordsQuery, figureRecordsResult, statisticsQuery, statisticsResult } from '../../../contracts/statistics.ts';
import { errorBody } from '../../../contracts/common.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { compareFigures } from './comparisons.ts';
import { computeFigures, parseFigureKeys, resolveStatisticsScope } from './figures.ts';
import { listFigureRecords } from './records.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody };

export function registerStatisticsRoutes(app: App, { db }: AppDeps) {
  app.get('/api/v1/statistics', {
    schema: {
      tags: ['statistics'],
      summary: '统计 Figures for a campaign (or all), region subtree or unit and a period, each with its definition (GET /api/v1/statistics/records lists the records behind one)',
      querystring: statisticsQuery, response: { 200: statisticsResult, ...errors },
    },
  }, async (request) => {
    const keys = parseFigureKeys(request.query.figures);
    const { filter, scope } = await resolveStatisticsScope(db, request.actor, request.query);
    const [row] = await computeFigures(db, filter, keys);
    return { scope, figures: row!.figures, computedAt: new Date().toISOString() };
  });

  app.get('/api/v1/statistics/records', {
    schema: {
      tags: ['statistics'],
      summary: '统计明细 The records behind one figure, paged, each with what it contributes (their sum, or the distinct things counted, is the figure)',
      querystring: figureRecordsQuery, response: { 200: figureRecordsResult, ...errors },
    },
  }, async (request) => listFigureRecords(db, request.actor, request.query));

  app.get('/api/v1/statistics/compare', {
    schema: {
      tags: ['statistics'],
      summary: '对比 Period over period (previous / lastYear) or region against region (2–20 codes), with delta and ratio',
      querystring: comparisonQuery, response: { 200: comparisonResult, ...errors },
    },
  }, async (request) => compareFigures(db, request.actor, request.query));
}
