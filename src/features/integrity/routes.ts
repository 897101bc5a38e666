import { errorBody, idParam, pageOf } from '../../../contracts/common.ts';
import { clearFlag, flagListQuery, integrityFlag, integrityFlagDetail, scanResult } from '../../../contracts/integrity.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { clearFlag as clear, getFlag, listFlags, runScan } from './flags.ts';
import { startIntegrityWorker } from './integrity.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };

export function registerIntegrityRoutes(app: App, { db, config }: AppDeps) {
  // New and changed records wait for their checks (activities.integrity_checked_at null); this
  // process checks them in batches in the background, off the request path.
  if (config.integrityIntervalMs > 0) {
    const worker = startIntegrityWorker(db, config.integrity, { intervalMs: config.integrityIntervalMs, log: (err, message) => app.log.error({ err }, message) });
    app.addHook('onClose', async () => worker.stop());
  }

  app.get('/api/v1/integrity/flags', {
    schema: { tags: ['integrity'], summary: '预警列表 Integrity flags on the records you may see: filter by check, cleared, region, cadre, record, period', querystring: flagListQuery, response: { 200: pageOf(integrityFlag), ...errors } },
  }, async (request) => listFlags(db, request.actor, request.query));

  app.get('/api/v1/integrity/flags/:id', {
    schema: { tags: ['integrity'], summary: '预警 One flag with its evidence and the records involved', params: idParam, response: { 200: integrityFlagDetail, ...errors } },
  }, async (request) => getFlag(db, request.actor, request.params.id));

  app.post('/api/v1/integrity/flags/:id/clear', {
    schema: { tags: ['integrity'], summary: '清除预警 Clear a flag with a reason (audited); a cleared flag is never raised again', params: idParam, body: clearFlag, response: { 200: integrityFlag, ...errors } },
  }, async (request) => clear(db, request.actor, request.params.id, request.body));

  app.post('/api/v1/integrity/scan', {
    schema: { tags: ['integrity'], summary: '全面检查 Run every check over every record (admins); idempotent', response: { 200: scanResult, ...errors } },
  }, async (request) => runScan(db, request.actor, config.integrity));
}
