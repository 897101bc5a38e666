import { auditEntry, auditQuery } from '../../../contracts/auth.ts';
import { errorBody, pageOf } from '../../../contracts/common.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { listAudit } from './audit.ts';

export function registerAuditRoutes(app: App, { db }: AppDeps) {
  app.get('/api/v1/audit', {
    schema: {
      tags: ['audit'], summary: '审计日志 Audit log (admins)', querystring: auditQuery,
      response: { 200: pageOf(auditEntry), 400: errorBody, 401: errorBody, 403: errorBody },
    },
  }, async (request) => listAudit(db, request.actor, request.query));
}
