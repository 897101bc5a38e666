import { z } from 'zod';
import { dbIdQuery, errorBody, idParam, pageOf } from '../../../contracts/common.ts';
import { attachMatterPhotos, createMatter, fundsQuery, fundsResult, matter, matterListQuery, matterSummary, updateMatter } from '../../../contracts/matters.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { attachMatterPhotos as attach, createMatter as create, detachMatterPhoto, getMatter, listMatters, matterFunds, updateMatter as update } from './matters.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };

export function registerMatterRoutes(app: App, { db }: AppDeps) {
  app.get('/api/v1/matters', {
    schema: { tags: ['matters'], summary: '实事列表 Practical matters: filter by status, target, region, campaign, cadre, promised period', querystring: matterListQuery, response: { 200: pageOf(matterSummary), ...errors } },
  }, async (request) => listMatters(db, request.actor, request.query));

  app.get('/api/v1/matters/funds', {
    schema: { tags: ['matters'], summary: '资金汇总 Funds summed per target, region (drill-down: children + 本级), unit or campaign', querystring: fundsQuery, response: { 200: fundsResult, ...errors } },
  }, async (request) => matterFunds(db, request.actor, request.query));

  app.post('/api/v1/matters', {
    schema: { tags: ['matters'], summary: '新建实事 Record a practical matter', body: createMatter, response: { 201: matter, ...errors } },
  }, async (request, reply) => reply.status(201).send(await create(db, request.actor, request.body)));

  app.get('/api/v1/matters/:id', {
    schema: { tags: ['matters'], summary: '实事 A practical matter with its evidence photos', params: idParam, response: { 200: matter, ...errors } },
  }, async (request) => getMatter(db, request.actor, request.params.id));

  app.patch('/api/v1/matters/:id', {
    schema: { tags: ['matters'], summary: '修改实事 Change a matter; status promised → in_progress → done (409 otherwise)', params: idParam, body: updateMatter, response: { 200: matter, ...errors } },
  }, async (request) => update(db, request.actor, request.params.id, request.body));

  app.post('/api/v1/matters/:id/photos', {
    schema: { tags: ['matters'], summary: '添加佐证照片 Attach uploaded photos before or after', params: idParam, body: attachMatterPhotos, response: { 200: matter, ...errors } },
  }, async (request) => attach(db, request.actor, request.params.id, request.body));

  app.delete('/api/v1/matters/:id/photos/:photoId', {
    schema: {
      tags: ['matters'], summary: '移除佐证照片 Take a photo off a matter (the photo stays stored)',
      params: z.object({ id: dbIdQuery, photoId: dbIdQuery }), response: { 200: matter, ...errors },
    },
  }, async (request) => detachMatterPhoto(db, request.actor, request.params.id, request.params.photoId));
}
