import type { z } from 'zod';
import { auditQuery } from '../../../contracts/auth.ts';
import { pairingListQuery } from '../../../contracts/campaigns.ts';
import { commitmentListQuery } from '../../../contracts/commitments.ts';
import { idParam } from '../../../contracts/common.ts';
import { complianceRowsQuery } from '../../../contracts/compliance-api.ts';
import { flagListQuery } from '../../../contracts/integrity.ts';
import { matterListQuery } from '../../../contracts/matters.ts';
import { surveyResultsQuery } from '../../../contracts/surveys.ts';
import { writingListQuery } from '../../../contracts/writings.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { chinaToday } from '../campaigns/campaigns.ts';
import { exportAudit, exportCommitments, exportComplianceRows, exportFlags, exportMatters, exportPairings, exportWritings } from './ledgers.ts';
import { exportLimitFor, sendXlsx, XLSX_TYPE } from './stream.ts';
import { exportStatistics, statisticsExportQuery } from './statistics-sheet.ts';
import { exportRanking, exportSurveyResults } from './tables.ts';

// Excel exports of the ledgers whose list pages had none: the list's own query string (without
// paging), the list's scope, streamed; over the caller's limit → 413 before any byte.

const noPage = <T extends z.ZodObject>(q: T) => q.omit({ page: true, pageSize: true });
const summary = (zh: string, en: string) => `导出${zh} Export ${en} (.xlsx, streamed, the list's filters); over the caller's export limit → 413 before any byte`;

export function registerExportRoutes(app: App, { db, config }: AppDeps) {
  const limit = (actor: Parameters<typeof exportLimitFor>[1]) => ({ maxRows: exportLimitFor(config, actor) });

  app.get('/api/v1/writings/export.xlsx', {
    schema: { tags: ['writings'], summary: summary('调研文稿', 'writings'), produces: [XLSX_TYPE], querystring: noPage(writingListQuery) },
  }, async (request, reply) => {
    const { stream } = await exportWritings(db, request.actor, request.query, limit(request.actor));
    return sendXlsx(reply, stream, 'writings', '调研文稿');
  });

  app.get('/api/v1/matters/export.xlsx', {
    schema: { tags: ['matters'], summary: summary('实事台账', 'practical matters'), produces: [XLSX_TYPE], querystring: noPage(matterListQuery) },
  }, async (request, reply) => {
    const { stream } = await exportMatters(db, request.actor, request.query, limit(request.actor));
    return sendXlsx(reply, stream, 'matters', '实事台账');
  });

  app.get('/api/v1/campaigns/:id/pairings/export.xlsx', {
    schema: { tags: ['pairings'], summary: summary('结对台账', 'a campaign’s pairings'), produces: [XLSX_TYPE], params: idParam, querystring: pairingListQuery.omit({ page: true, pageSize: true }) },
  }, async (request, reply) => {
    const { stream } = await exportPairings(db, request.actor, request.params.id, request.query, limit(request.actor));
    return sendXlsx(reply, stream, 'pairings', '结对台账');
  });

  app.get('/api/v1/integrity/flags/export.xlsx', {
    schema: { tags: ['integrity'], summary: summary('防形式主义预警', 'integrity flags'), produces: [XLSX_TYPE], querystring: noPage(flagListQuery) },
  }, async (request, reply) => {
    const { stream } = await exportFlags(db, request.actor, request.query, limit(request.actor));
    return sendXlsx(reply, stream, 'integrity-flags', '预警台账');
  });

  app.get('/api/v1/compliance/rows/export.xlsx', {
    schema: { tags: ['compliance'], summary: summary('履职达标', 'compliance rows'), produces: [XLSX_TYPE], querystring: complianceRowsQuery.omit({ page: true, pageSize: true }) },
  }, async (request, reply) => {
    const { stream } = await exportComplianceRows(db, request.actor, request.query, limit(request.actor));
    return sendXlsx(reply, stream, 'compliance', '履职达标');
  });

  app.get('/api/v1/audit/export.xlsx', {
    schema: { tags: ['audit'], summary: summary('审计日志', 'the audit log (admins)'), produces: [XLSX_TYPE], querystring: noPage(auditQuery) },
  }, async (request, reply) => {
    const { stream } = await exportAudit(db, request.actor, request.query, limit(request.actor));
    return sendXlsx(reply, stream, 'audit', '审计日志');
  });

  app.get('/api/v1/commitments/export.xlsx', {
    schema: { tags: ['commitments'], summary: summary('履职承诺', 'commitments'), produces: [XLSX_TYPE], querystring: noPage(commitmentListQuery) },
  }, async (request, reply) => {
    const { stream } = await exportCommitments(db, request.actor, request.query, limit(request.actor), chinaToday());
    return sendXlsx(reply, stream, 'commitments', '履职承诺');
  });

  app.get('/api/v1/surveys/:id/results/export.xlsx', {
    schema: { tags: ['surveys'], summary: summary('双评结果', 'a survey’s results per subject'), produces: [XLSX_TYPE], params: idParam, querystring: surveyResultsQuery },
  }, async (request, reply) => {
    const { stream } = await exportSurveyResults(db, request.actor, request.params.id, { excludeFlagged: request.query.excludeFlagged === 'true' }, limit(request.actor));
    return sendXlsx(reply, stream, 'survey-results', '双评结果');
  });

  app.get('/api/v1/assessments/:id/ranking/export.xlsx', {
    schema: { tags: ['assessments'], summary: summary('考核排名', 'an assessment’s ranking'), produces: [XLSX_TYPE], params: idParam },
  }, async (request, reply) => {
    const { stream } = await exportRanking(db, request.actor, request.params.id, limit(request.actor));
    return sendXlsx(reply, stream, 'ranking', '考核排名');
  });

  app.get('/api/v1/statistics/export', {
    schema: {
      tags: ['statistics'],
      summary: '导出统计 Export a statistics table (.xlsx): table=figures (value, unit, definition per figure) | regions (by child region) | months | records (figure=…: the records behind it) | compare (against=previous|lastYear|regions); the statistics API’s scope and errors; over the export limit → 413',
      produces: [XLSX_TYPE], querystring: statisticsExportQuery,
    },
  }, async (request, reply) => {
    const { stream, name } = await exportStatistics(db, request.actor, request.query, limit(request.actor));
    return sendXlsx(reply, stream, `statistics-${request.query.table}`, name);
  });
}
