import {
  activity, activityListQuery, activitySummary, createActivity, syncActivitiesBody, syncActivitiesResult, updateActivity,
} from '../../../contracts/activities.ts';
import { errorBody, idParam, pageOf } from '../../../contracts/common.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { exportActivities } from './activity-sheet.ts';
import { createActivity as create, getActivity, listActivities, syncActivities, updateActivity as update, type ActivityDeps } from './activities.ts';
import { exportLimitFor } from '../exports/stream.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function registerActivityRoutes(app: App, { db, config }: AppDeps) {
  const deps: ActivityDeps = { integrity: config.integrity, log: (err, message) => app.log.error({ err }, message) };

  app.get('/api/v1/activities', {
    schema: {
      tags: ['activities'], summary: '工作记录列表 Field records: filter by kind, cadre, target, region, campaign, period, flagged',
      querystring: activityListQuery, response: { 200: pageOf(activitySummary), ...errors },
    },
  }, async (request) => listActivities(db, request.actor, request.query));

  app.get('/api/v1/activities/export.xlsx', {
    schema: {
      tags: ['activities'], summary: '导出工作记录 Export the filtered field records (.xlsx, streamed); over the export limit → 413 before any byte',
      produces: [XLSX], querystring: activityListQuery.omit({ page: true, pageSize: true }),
    },
  }, async (request, reply) => {
    const { stream } = await exportActivities(db, request.actor, request.query, { maxRows: exportLimitFor(config, request.actor) });
    return reply
      .type(XLSX)
      .header('content-disposition', `attachment; filename="activities.xlsx"; filename*=UTF-8''${encodeURIComponent('工作记录.xlsx')}`)
      .send(stream);
  });

  app.post('/api/v1/activities', {
    schema: {
      tags: ['activities'],
      summary: '填写工作记录 Record a field activity: 201 new; 200 when the same clientId and content is already stored; 409 (details.server) when the clientId holds other content',
      body: createActivity, response: { 200: activity, 201: activity, ...errors },
    },
  }, async (request, reply) => {
    const out = await create(db, request.actor, deps, request.body);
    return reply.status(out.status === 'stored' ? 201 : 200).send(out.activity);
  });

  app.post('/api/v1/sync/activities', {
    schema: {
      tags: ['activities'],
      summary: '离线同步工作记录 Offline sync: up to 100 records, each checked and stored on its own; per record stored | duplicate | conflict | rejected',
      body: syncActivitiesBody, response: { 200: syncActivitiesResult, ...errors },
    },
  }, async (request) => ({ results: await syncActivities(db, request.actor, deps, request.body.records) }));

  app.get('/api/v1/activities/:id', {
    schema: { tags: ['activities'], summary: '工作记录 Field record with participants, targets, photos, problems, matters and flags', params: idParam, response: { 200: activity, ...errors } },
  }, async (request) => getActivity(db, request.actor, request.params.id));

  app.patch('/api/v1/activities/:id', {
    schema: {
      tags: ['activities'], summary: '修改工作记录 Change a field record; version must be the one read (409 otherwise)',
      params: idParam, body: updateActivity, response: { 200: activity, ...errors },
    },
  }, async (request) => update(db, request.actor, deps, request.params.id, request.body));
}
