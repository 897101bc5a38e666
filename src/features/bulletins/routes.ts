import { z } from 'zod';
import {
  bulletin, bulletinListQuery, bulletinRecordsQuery, bulletinRecordsResult, bulletinSummary, createBulletin, updateBulletin,
} from '../../../contracts/bulletins.ts';
import { errorBody, idParam, pageOf } from '../../../contracts/common.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { bulletinRecords, createBulletin as create, getBulletin, listBulletins, publishBulletin, updateBulletin as update } from './bulletins.ts';
import { bulletinDocx } from './docx.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const publishBody = z.object({ version: z.number().int().min(1).optional().describe('the version read; a stale one is a 409') }).nullish();

/** RFC 5987: an ASCII fallback name and the Chinese one percent-encoded. */
export const docxDisposition = (name: string, ascii: string) => `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;

export function registerBulletinRoutes(app: App, { db }: AppDeps) {
  app.get('/api/v1/bulletins', {
    schema: { tags: ['bulletins'], summary: '简报列表 Bulletins: by campaign, region subtree, status (drafts only for writers)', querystring: bulletinListQuery, response: { 200: pageOf(bulletinSummary), ...errors } },
  }, async (request) => listBulletins(db, request.actor, request.query));

  app.post('/api/v1/bulletins', {
    schema: { tags: ['bulletins'], summary: '新建简报 A draft generated from the figures, numbered 第N期 in its campaign', body: createBulletin, response: { 201: bulletin, ...errors } },
  }, async (request, reply) => reply.status(201).send(await create(db, request.actor, request.body)));

  app.get('/api/v1/bulletins/:id', {
    schema: { tags: ['bulletins'], summary: '简报 A bulletin: a draft with live figures, a published one as its snapshot', params: idParam, response: { 200: bulletin, ...errors } },
  }, async (request) => getBulletin(db, request.actor, request.params.id));

  app.patch('/api/v1/bulletins/:id', {
    schema: { tags: ['bulletins'], summary: '修改简报 Edit a draft (version must match; published → 409)', params: idParam, body: updateBulletin, response: { 200: bulletin, ...errors } },
  }, async (request) => update(db, request.actor, request.params.id, request.body));

  app.post('/api/v1/bulletins/:id/publish', {
    schema: { tags: ['bulletins'], summary: '印发 Publish: freeze the figures, text and each figure’s records (twice → 409)', params: idParam, body: publishBody, response: { 200: bulletin, ...errors } },
  }, async (request) => publishBulletin(db, request.actor, request.params.id, request.body?.version));

  app.get('/api/v1/bulletins/:id/records', {
    schema: { tags: ['bulletins'], summary: '简报指标明细 The records behind a figure (published: as stored at publishing)', params: idParam, querystring: bulletinRecordsQuery, response: { 200: bulletinRecordsResult, ...errors } },
  }, async (request) => bulletinRecords(db, request.actor, request.params.id, request.query));

  app.get('/api/v1/bulletins/:id/docx', {
    schema: { tags: ['bulletins'], summary: '下载 Word The bulletin as a .docx in the 公文 layout', params: idParam },
  }, async (request, reply) => {
    const b = await getBulletin(db, request.actor, request.params.id);
    const file = await bulletinDocx(b);
    return reply.type(DOCX)
      .header('content-disposition', docxDisposition(`${b.masthead}第${b.number}期.docx`, `bulletin-${b.number}.docx`))
      .send(file);
  });
}
