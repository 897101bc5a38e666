import { join } from 'node:path';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  commitment, commitmentListQuery, commitmentSummary, createCommitment, honourCommitment, milestoneInput, milestoneParam, publicCommitment,
  publicCommitmentOptions, publicCommitmentQuery, publicCommitmentSummary, setProgress, updateCommitment, updateMilestone,
} from '../../../contracts/commitments.ts';
import { dbIdQuery, errorBody, idParam, pageOf } from '../../../contracts/common.ts';
import { AppError } from '../../errors.ts';
import type { App, AppDeps } from '../../http/types.ts';
import type { Actor } from '../auth/actor.ts';
import { fsPhotoStore, type PhotoStore } from '../../lib/photo-store.ts';
import {
  addMilestone, commitmentPhotoId, createCommitment as create, getCommitment, honourCommitment as honour, listCommitments, publishCommitment,
  setProgress as progress, updateCommitment as update, updateMilestone as changeMilestone,
} from './commitments.ts';
import { getPublicCommitment, listPublicCommitments, publicCommitmentOptions as options, renderPhoto } from './public.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const photoParams = z.object({ id: dbIdQuery, photoId: dbIdQuery });
const photoQuery = z.object({ thumb: z.enum(['1']).optional().describe('a 480 px copy instead of 1600 px') });

export function registerCommitmentRoutes(app: App, { db, config }: AppDeps, store: PhotoStore = fsPhotoStore(join(config.dataDir, 'photos'))) {
  app.get('/api/v1/commitments', {
    schema: { tags: ['commitments'], summary: '履职承诺列表 Commitments: filter by campaign, region, unit, leader, status, published, name/title', querystring: commitmentListQuery, response: { 200: pageOf(commitmentSummary), ...errors } },
  }, async (request) => listCommitments(db, request.actor, request.query));

  app.post('/api/v1/commitments', {
    schema: { tags: ['commitments'], summary: '录入承诺 A leader’s commitment with its milestones (draft unless publish)', body: createCommitment, response: { 201: commitment, ...errors } },
  }, async (request, reply) => reply.status(201).send(await create(db, request.actor, request.body)));

  app.get('/api/v1/commitments/:id', {
    schema: { tags: ['commitments'], summary: '履职承诺 A commitment with milestones, adjustments and its progress log', params: idParam, response: { 200: commitment, ...errors } },
  }, async (request) => getCommitment(db, request.actor, request.params.id));

  app.patch('/api/v1/commitments/:id', {
    schema: { tags: ['commitments'], summary: '修改/调整承诺 Edit a draft; once published a change is an adjustment with a reason; honoured → 409', params: idParam, body: updateCommitment, response: { 200: commitment, ...errors } },
  }, async (request) => update(db, request.actor, request.params.id, request.body));

  app.post('/api/v1/commitments/:id/publish', {
    schema: { tags: ['commitments'], summary: '公开发布 Publish a draft (then it is on the public page)', params: idParam, response: { 200: commitment, ...errors } },
  }, async (request) => publishCommitment(db, request.actor, request.params.id));

  app.post('/api/v1/commitments/:id/milestones', {
    schema: { tags: ['commitments'], summary: '新增节点 Add a milestone (planned within the commitment’s dates)', params: idParam, body: milestoneInput, response: { 200: commitment, ...errors } },
  }, async (request) => addMilestone(db, request.actor, request.params.id, request.body));

  app.patch('/api/v1/commitments/:id/milestones/:milestoneId', {
    schema: { tags: ['commitments'], summary: '更新节点 Change a milestone or mark it done; photos and links sent are added', params: milestoneParam, body: updateMilestone, response: { 200: commitment, ...errors } },
  }, async (request) => changeMilestone(db, request.actor, request.params.id, request.params.milestoneId, request.body));

  app.post('/api/v1/commitments/:id/progress', {
    schema: { tags: ['commitments'], summary: '更新进度 Set progress with a reason, go back to milestones (null), or note progress', params: idParam, body: setProgress, response: { 200: commitment, ...errors } },
  }, async (request) => progress(db, request.actor, request.params.id, request.body));

  app.post('/api/v1/commitments/:id/honour', {
    schema: { tags: ['commitments'], summary: '兑现 Mark honoured (every milestone done, else 409)', params: idParam, body: honourCommitment, response: { 200: commitment, ...errors } },
  }, async (request) => honour(db, request.actor, request.params.id, request.body));

  // ── Public: no login ──
  app.get('/api/v1/public/commitments', {
    config: { public: true },
    schema: { tags: ['public'], summary: '公开履职承诺 Published commitments by region, unit, status, leader name', querystring: publicCommitmentQuery, response: { 200: pageOf(publicCommitmentSummary), ...errors } },
  }, async (request) => listPublicCommitments(db, request.query));

  app.get('/api/v1/public/commitments/options', {
    config: { public: true },
    schema: { tags: ['public'], summary: '筛选项 Regions, units and categories that have published commitments', response: { 200: publicCommitmentOptions, ...errors } },
  }, async () => options(db));

  app.get('/api/v1/public/commitments/:id', {
    config: { public: true },
    schema: { tags: ['public'], summary: '公开履职承诺详情 A published commitment: milestones, photos, adjustments, progress log', params: idParam, response: { 200: publicCommitment, ...errors } },
  }, async (request) => getPublicCommitment(db, request.params.id));

  const servePhoto = async (actor: Actor | null, params: { id: number; photoId: number }, thumb: boolean, reply: FastifyReply) => {
    const photoId = await commitmentPhotoId(db, actor, params.id, params.photoId);
    const out = await renderPhoto(db, store, photoId, thumb ? 480 : 1600);
    if (!out) throw new AppError('NOT_FOUND', `照片（${photoId}）的格式无法在网页显示（HEIC），请上传 JPEG 或 PNG`, { id: photoId });
    reply.header('cache-control', `${actor === null ? 'public' : 'private'}, max-age=86400`).header('x-content-type-options', 'nosniff');
    return reply.type('image/jpeg').send(out.bytes);
  };
  app.get('/api/v1/public/commitments/:id/photos/:photoId', {
    config: { public: true },
    schema: { tags: ['public'], summary: '承诺节点照片 A milestone photo of a published commitment, re-encoded without EXIF', params: photoParams, querystring: photoQuery, response: { 200: z.any(), ...errors } },
  }, (request, reply) => servePhoto(null, request.params, request.query.thumb === '1', reply));
  app.get('/api/v1/commitments/:id/photos/:photoId', {
    schema: { tags: ['commitments'], summary: '承诺节点照片 A milestone photo (staff, any commitment in scope)', params: photoParams, querystring: photoQuery, response: { 200: z.any(), ...errors } },
  }, (request, reply) => servePhoto(request.actor, request.params, request.query.thumb === '1', reply));
}
