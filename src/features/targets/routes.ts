import { z } from 'zod';
import { errorBody, idParam, pageOf } from '../../../contracts/common.ts';
import { createTarget, ensurePlacesRequest, revealed, revealRequest, target, targetKind, targetListQuery, updateTarget } from '../../../contracts/targets.ts';
import { AppError } from '../../errors.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { exportTargets, importTargets, targetTemplate } from './target-sheet.ts';
import { createTarget as create, ensurePlaceTargets, getTarget, listTargets, revealTargetPersonalData, updateTarget as update } from './targets.ts';
import { exportLimitFor } from '../exports/stream.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 413: errorBody };
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const attachment = (name: string) => `attachment; filename="targets.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`;

export function registerTargetRoutes(app: App, { db, key, config }: AppDeps) {
  app.get('/api/v1/targets', {
    schema: { tags: ['targets'], summary: '联系对象列表 Contact targets: search, filter, page', querystring: targetListQuery, response: { 200: pageOf(target), ...errors } },
  }, async (request) => listTargets(db, request.actor, key, request.query));

  app.get('/api/v1/targets/template.xlsx', {
    schema: { tags: ['targets'], summary: '联系对象导入模板 Import template (.xlsx, one sheet per kind)', produces: [XLSX] },
  }, async (_request, reply) => reply.type(XLSX).header('content-disposition', attachment('联系对象导入模板.xlsx')).send(await targetTemplate()));

  app.get('/api/v1/targets/export.xlsx', {
    schema: {
      tags: ['targets'], summary: '导出联系对象 Export the filtered registry (.xlsx, streamed, one sheet per kind)', produces: [XLSX],
      querystring: targetListQuery.omit({ page: true, pageSize: true }).extend({
        unmasked: z.enum(['true', 'false']).optional().describe('full ID and phone numbers; roles that may reveal them only; audited'),
      }),
    },
  }, async (request, reply) => {
    const { unmasked, ...filter } = request.query;
    const { stream } = await exportTargets(db, request.actor, key, filter, { maxRows: exportLimitFor(config, request.actor), unmasked: unmasked === 'true' });
    return reply.type(XLSX).header('content-disposition', attachment('联系对象.xlsx')).send(stream);
  });

  app.post('/api/v1/targets/import', {
    schema: {
      tags: ['targets'], summary: '导入联系对象 Import targets (.xlsx, multipart field "file"); all or nothing', consumes: ['multipart/form-data'],
      response: { 200: z.object({ imported: z.number().int(), byKind: z.partialRecord(targetKind, z.number().int()) }), ...errors },
    },
  }, async (request) => {
    if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', '请以 multipart/form-data 上传，文件字段名为 file');
    const file = await request.file();
    if (!file || file.fieldname !== 'file') throw new AppError('VALIDATION_FAILED', '缺少上传文件（字段名 file）', { field: 'file' });
    return importTargets(db, request.actor, key, await file.toBuffer());
  });

  app.post('/api/v1/targets/places', {
    schema: {
      tags: ['targets'], summary: '登记辖区内全部村（社区） Register every village and community under a region as a target',
      body: ensurePlacesRequest, response: { 200: z.object({ created: z.number().int() }), ...errors },
    },
  }, async (request) => ensurePlaceTargets(db, request.actor, request.body.regionCode));

  app.get('/api/v1/targets/:id', {
    schema: { tags: ['targets'], summary: '联系对象 Contact target (personal data masked)', params: idParam, response: { 200: target, ...errors } },
  }, async (request) => getTarget(db, request.actor, request.params.id));

  app.post('/api/v1/targets', {
    schema: { tags: ['targets'], summary: '新建联系对象 Create a contact target', body: createTarget, response: { 201: target, ...errors } },
  }, async (request, reply) => reply.status(201).send(await create(db, request.actor, key, request.body)));

  app.patch('/api/v1/targets/:id', {
    schema: { tags: ['targets'], summary: '修改联系对象 Edit a contact target', params: idParam, body: updateTarget, response: { 200: target, ...errors } },
  }, async (request) => update(db, request.actor, key, request.params.id, request.body));

  app.post('/api/v1/targets/:id/reveal', {
    schema: {
      tags: ['targets'], summary: '查看完整身份证号或手机号 Reveal the full ID or phone number (audited)', params: idParam,
      body: revealRequest, response: { 200: revealed, ...errors },
    },
  }, async (request) => revealTargetPersonalData(db, request.actor, key, request.params.id, request.body.field, request.body.reason));
}
