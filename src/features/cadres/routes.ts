import { z } from 'zod';
import { cadre, cadreListQuery, createCadre, updateCadre } from '../../../contracts/cadres.ts';
import { errorBody, idParam, pageOf } from '../../../contracts/common.ts';
import { AppError } from '../../errors.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { createCadre as create, getCadre, listCadres, revealCadrePhone, updateCadre as update } from './cadres.ts';
import { cadreTemplate, exportCadres, importCadres } from './cadre-sheet.ts';
import { exportLimitFor } from '../exports/stream.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 413: errorBody };
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const attachment = (name: string) => `attachment; filename="cadres.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`;

export function registerCadreRoutes(app: App, { db, key, config }: AppDeps) {
  app.get('/api/v1/cadres', {
    schema: { tags: ['cadres'], summary: '干部列表 Cadres: search, filter, page', querystring: cadreListQuery, response: { 200: pageOf(cadre), ...errors } },
  }, async (request) => listCadres(db, request.actor, key, request.query));

  app.get('/api/v1/cadres/template.xlsx', {
    schema: { tags: ['cadres'], summary: '干部名册导入模板 Import template (.xlsx)', produces: [XLSX] },
  }, async (_request, reply) => reply.type(XLSX).header('content-disposition', attachment('干部名册导入模板.xlsx')).send(await cadreTemplate()));

  app.get('/api/v1/cadres/export.xlsx', {
    schema: {
      tags: ['cadres'], summary: '导出干部名册 Export the filtered roster (.xlsx, streamed)', produces: [XLSX],
      querystring: cadreListQuery.omit({ page: true, pageSize: true }).extend({
        unmasked: z.enum(['true', 'false']).optional().describe('full phone numbers; roles that may reveal them only; audited'),
      }),
    },
  }, async (request, reply) => {
    const { unmasked, ...filter } = request.query;
    const { stream } = await exportCadres(db, request.actor, key, filter, { maxRows: exportLimitFor(config, request.actor), unmasked: unmasked === 'true' });
    return reply.type(XLSX).header('content-disposition', attachment('干部名册.xlsx')).send(stream);
  });

  app.post('/api/v1/cadres/import', {
    schema: {
      tags: ['cadres'], summary: '导入干部名册 Import a roster (.xlsx, multipart field "file"); all or nothing', consumes: ['multipart/form-data'],
      response: { 200: z.object({ imported: z.number().int() }), ...errors },
    },
  }, async (request) => {
    if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', '请以 multipart/form-data 上传，文件字段名为 file');
    const file = await request.file();
    if (!file || file.fieldname !== 'file') throw new AppError('VALIDATION_FAILED', '缺少上传文件（字段名 file）', { field: 'file' });
    const buffer = await file.toBuffer();
    return importCadres(db, request.actor, key, buffer);
  });

  app.get('/api/v1/cadres/:id', {
    schema: { tags: ['cadres'], summary: '干部 Cadre (phone masked)', params: idParam, response: { 200: cadre, ...errors } },
  }, async (request) => getCadre(db, request.actor, request.params.id));

  app.post('/api/v1/cadres', {
    schema: { tags: ['cadres'], summary: '新建干部 Create a cadre', body: createCadre, response: { 201: cadre, ...errors } },
  }, async (request, reply) => reply.status(201).send(await create(db, request.actor, key, request.body)));

  app.patch('/api/v1/cadres/:id', {
    schema: { tags: ['cadres'], summary: '修改干部 Edit a cadre', params: idParam, body: updateCadre, response: { 200: cadre, ...errors } },
  }, async (request) => update(db, request.actor, key, request.params.id, request.body));

  app.post('/api/v1/cadres/:id/phone', {
    schema: {
      tags: ['cadres'], summary: '查看完整手机号 Reveal the full phone number (audited)', params: idParam,
      body: z.object({ reason: z.string().max(200).optional() }).optional(),
      response: { 200: z.object({ id: z.number().int(), phone: z.string().nullable() }), ...errors },
    },
  }, async (request) => revealCadrePhone(db, request.actor, key, request.params.id, request.body?.reason));
}
