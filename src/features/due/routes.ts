import { errorBody } from '../../../contracts/common.ts';
import { dueList, dueQuery } from '../../../contracts/due.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { dueForCadre } from './due.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody };

export function registerDueRoutes(app: App, { db }: AppDeps) {
  app.get('/api/v1/due', {
    schema: {
      tags: ['due'], summary: '我的待走访 What is due: per open pairing, the visits required this period, done, and when the next is due (default: your own cadre)',
      querystring: dueQuery, response: { 200: dueList, ...errors },
    },
  }, async (request) => dueForCadre(db, request.actor, request.query));
}
