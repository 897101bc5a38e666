import { z } from 'zod';
import { createLocalRegion, region, regionListQuery } from '../../../contracts/regions.ts';
import { errorBody, pageOf } from '../../../contracts/common.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { createLocalRegion as createLocal, getRegion, importRegions, listRegions, regionAncestors } from './regions.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const codeParam = z.object({ code: z.string().min(1).max(64) });

export function registerRegionRoutes(app: App, { db }: AppDeps) {
  app.get('/api/v1/regions', {
    schema: { tags: ['regions'], summary: '区划列表 Regions: children, subtree or search', querystring: regionListQuery, response: { 200: pageOf(region), ...errors } },
  }, async (request) => listRegions(db, request.actor, request.query));

  app.get('/api/v1/regions/:code', {
    schema: { tags: ['regions'], summary: '区划 Region', params: codeParam, response: { 200: region, ...errors } },
  }, async (request) => getRegion(db, request.actor, request.params.code));

  app.get('/api/v1/regions/:code/ancestors', {
    schema: { tags: ['regions'], summary: '上级区划链 Path from the top of your scope', params: codeParam, response: { 200: z.array(region), ...errors } },
  }, async (request) => regionAncestors(db, request.actor, request.params.code));

  app.post('/api/v1/regions', {
    schema: { tags: ['regions'], summary: '新建网格或楼栋单元 Add a grid or building unit', body: createLocalRegion, response: { 201: region, ...errors } },
  }, async (request, reply) => reply.status(201).send(await createLocal(db, request.actor, request.body)));

  app.post('/api/v1/regions/import', {
    schema: {
      tags: ['regions'], summary: '导入国家统计区划 Import division codes (province, city or county)',
      body: z.object({ code: z.string().regex(/^(\d{2}|\d{4}|\d{6}|\d{12})$/, '应为2、4、6或12位数字') }),
      response: { 200: z.object({ code: z.string(), counts: z.record(z.string(), z.number()) }), ...errors },
    },
  }, async (request) => importRegions(db, request.actor, request.body.code));
}
