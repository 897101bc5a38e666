import { createUnit, unit, unitListQuery, updateUnit } from '../../../contracts/units.ts';
import { errorBody, idParam, pageOf } from '../../../contracts/common.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { createUnit as create, getUnit, listUnits, updateUnit as update } from './units.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };

export function registerUnitRoutes(app: App, { db }: AppDeps) {
  app.get('/api/v1/units', {
    schema: { tags: ['units'], summary: '单位列表 Units', querystring: unitListQuery, response: { 200: pageOf(unit), ...errors } },
  }, async (request) => listUnits(db, request.actor, request.query));

  app.get('/api/v1/units/:id', {
    schema: { tags: ['units'], summary: '单位 Unit', params: idParam, response: { 200: unit, ...errors } },
  }, async (request) => getUnit(db, request.actor, request.params.id));

  app.post('/api/v1/units', {
    schema: { tags: ['units'], summary: '新建单位 Create a unit', body: createUnit, response: { 201: unit, ...errors } },
  }, async (request, reply) => reply.status(201).send(await create(db, request.actor, request.body)));

  app.patch('/api/v1/units/:id', {
    schema: { tags: ['units'], summary: '修改单位 Edit a unit', params: idParam, body: updateUnit, response: { 200: unit, ...errors } },
  }, async (request) => update(db, request.actor, request.params.id, request.body));
}
