import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorBody, idParam } from '../../../contracts/common.ts';
import { createdOpen311Key, createOpen311Key, open311Key } from '../../../contracts/ticket-api.ts';
import { AppError } from '../../errors.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { createOpen311Key as createKey, listOpen311Keys, revokeOpen311Key } from './keys.ts';
import {
  discovery, getRequest, listRequests, listServices, listUpdates, requestIdForToken, serviceDefinition, submitRequest,
  type Open311ErrorItem, type RequestsQuery, type SubmittedRequest, type UpdatesQuery,
} from './open311.ts';
import { toXml, type SparkValue } from './xml.ts';

// Open311 GeoReport v2 under /open311/v2 (no session: reads are public, a POST carries api_key),
// and the admin API for its keys under /api/v1/open311-keys. The Open311 routes live in their own
// plugin scope so that their errors are written in the spec's format ([{code, description}] or
// <errors><error>…) and form bodies are parsed only here.

export const OPEN311_PREFIX = '/open311/v2';
type Format = 'json' | 'xml';

/** Spark convention: the child element repeated inside each array-valued element. */
const itemNames = {
  services: 'service', attributes: 'attribute', values: 'value', service_requests: 'request', errors: 'error',
  endpoints: 'endpoint', formats: 'format', service_request_updates: 'request_update',
} as const;

function send(reply: FastifyReply, format: Format, root: keyof typeof itemNames | 'discovery' | 'service_definition', value: SparkValue, status = 200) {
  // Reads are public and no cookie is ever read here, so any web page may call the API.
  reply.status(status).header('cache-control', 'no-store').header('access-control-allow-origin', '*');
  if (format === 'json') return reply.type('application/json; charset=utf-8').send(JSON.stringify(value));
  return reply.type('text/xml; charset=utf-8').send(toXml(root, value, itemNames));
}

/** `employment.jobs.json` → the code and the format; anything but .json / .xml is not a resource. */
function splitFile(file: string, what: string): { name: string; format: Format } {
  const m = /^(.+)\.(json|xml)$/.exec(file);
  if (!m) throw new AppError('NOT_FOUND', `没有这个 Open311 资源：${what}/${file.slice(0, 60)}（应以 .json 或 .xml 结尾）`);
  return { name: m[1]!, format: m[2] as Format };
}

const formatOfUrl = (url: string): Format => (/\.json$/.test(url.split('?')[0] ?? '') ? 'json' : 'xml');
const query = (request: FastifyRequest) => request.query as Record<string, string | undefined>;

/** Query values as strings; an argument declared several times (service_code, status) is read as a comma list. */
function flatQuery(request: FastifyRequest): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(query(request)).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
}

/** A form (or JSON) body: plain fields once, attribute[code] and attribute[code][] collected by code. */
export function readSubmission(body: unknown): SubmittedRequest {
  const fields: Record<string, string> = {};
  const attributes: Record<string, string[]> = {};
  const add = (code: string, v: unknown) => {
    for (const x of Array.isArray(v) ? v : [v]) if (x !== null && x !== undefined && typeof x !== 'object') (attributes[code] ??= []).push(String(x));
  };
  const entries: [string, unknown][] = body instanceof URLSearchParams ? [...body.entries()] : Object.entries((body ?? {}) as Record<string, unknown>);
  for (const [k, v] of entries) {
    const m = /^attribute\[([^\]]+)\](?:\[\])?$/.exec(k);
    if (m) add(m[1]!, v);
    else if (k === 'attribute' && v && typeof v === 'object' && !Array.isArray(v)) for (const [code, x] of Object.entries(v)) add(code, x);
    else if (v !== null && v !== undefined && typeof v !== 'object') fields[k] = String(v);
    else if (Array.isArray(v) && v.length) fields[k] = String(v.at(-1));
  }
  return { fields, attributes };
}

function errorsOf(err: unknown): { status: number; errors: Open311ErrorItem[]; log: boolean } {
  if (err instanceof AppError) {
    const status = err.code === 'NOT_FOUND' ? 404 : err.code === 'FORBIDDEN' ? 403 : err.code === 'INTERNAL' ? 500 : 400;
    const listed = (err.details as { errors?: Open311ErrorItem[] } | undefined)?.errors;
    return { status, errors: listed ?? [{ code: status, description: err.message }], log: status === 500 };
  }
  const fe = err as FastifyError;
  const sqlState = (err as { code?: unknown }).code;
  if (typeof sqlState === 'string' && /^22[0-9A-Z]{3}$/.test(sqlState)) return { status: 400, errors: [{ code: 400, description: '输入的值超出了允许的范围或格式' }], log: true };
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    // GeoReport v2: 404 for what does not exist, 403 for the key, 400 for anything else.
    const status = fe.statusCode === 404 ? 404 : 400;
    const description = fe.statusCode === 413 ? '请求内容过大' : fe.statusCode === 415 ? `不支持的内容类型，请用 application/x-www-form-urlencoded` : fe.message;
    return { status, errors: [{ code: status, description }], log: false };
  }
  return { status: 500, errors: [{ code: 500, description: '服务器内部错误，已记录日志' }], log: true };
}

export function registerOpen311Routes(app: App, { db, key }: AppDeps) {
  void app.register(async (scope) => {
    // POST Service Request is sent as application/x-www-form-urlencoded (GeoReport v2).
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, new URLSearchParams(body as string));
    });
    scope.setErrorHandler((err, request, reply) => {
      const { status, errors, log } = errorsOf(err);
      if (log) request.log.error({ err }, 'open311 request failed');
      return send(reply, formatOfUrl(request.url), 'errors', errors, status);
    });

    const doc = (summary: string) => ({ schema: { tags: ['open311'], summary } });

    for (const format of ['json', 'xml'] as const) {
      scope.get(`/discovery.${format}`, doc(`Open311 服务发现 Service discovery (${format})`), async (request, reply) =>
        send(reply, format, 'discovery', await discovery(db, `${request.protocol}://${request.host}${OPEN311_PREFIX}`)));

      scope.get(`/services.${format}`, doc(`Open311 服务列表 Service list: the active leaf ticket categories (${format})`), async (_request, reply) =>
        send(reply, format, 'services', await listServices(db)));

      scope.post(`/requests.${format}`, doc(`Open311 提交诉求 POST Service Request, form-urlencoded, api_key required (${format})`), async (request, reply) => {
        // Fastify reads text/plain as a string and multipart as parts: neither is a form here.
        if (request.isMultipart() || typeof request.body === 'string' || Buffer.isBuffer(request.body)) {
          throw new AppError('VALIDATION_FAILED', '请用 application/x-www-form-urlencoded 提交（GeoReport v2）；照片请先上传，再以 media_url 给出网址');
        }
        return send(reply, format, 'service_requests', await submitRequest(db, key, readSubmission(request.body)));
      });

      scope.get(`/requests.${format}`, doc(`Open311 诉求列表 GET Service Requests: service_request_id, service_code, start_date, end_date, status; 90 days / 1000 rows (${format})`), async (request, reply) =>
        send(reply, format, 'service_requests', await listRequests(db, flatQuery(request) as RequestsQuery)));

      scope.get(`/servicerequestupdates.${format}`, doc(`Open311 办理进展 servicerequestupdates extension: start_date, end_date (${format})`), async (request, reply) =>
        send(reply, format, 'service_request_updates', await listUpdates(db, flatQuery(request) as UpdatesQuery)));
    }

    scope.get('/services/:file', doc('Open311 服务定义 Service definition: services/{service_code}.json|xml'), async (request, reply) => {
      const { name, format } = splitFile((request.params as { file: string }).file, 'services');
      return send(reply, format, 'service_definition', await serviceDefinition(db, name));
    });
    scope.get('/requests/:file', doc('Open311 单个诉求 GET Service Request: requests/{service_request_id}.json|xml'), async (request, reply) => {
      const { name, format } = splitFile((request.params as { file: string }).file, 'requests');
      return send(reply, format, 'service_requests', await getRequest(db, name));
    });
    scope.get('/tokens/:file', doc('Open311 凭令牌查编号 GET service_request_id from a token: tokens/{token}.json|xml'), async (request, reply) => {
      const { name, format } = splitFile((request.params as { file: string }).file, 'tokens');
      return send(reply, format, 'service_requests', await requestIdForToken(db, name));
    });

    // Anything else under the prefix (the web app's wildcard would otherwise answer it).
    scope.all('/*', { schema: { hide: true } }, async (request) => {
      throw new AppError('NOT_FOUND', `没有这个 Open311 资源：${request.method} ${request.url.split('?')[0]!.slice(0, 100)}`);
    });
  }, { prefix: OPEN311_PREFIX });

  const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
  app.get('/api/v1/open311-keys', {
    schema: { tags: ['open311'], summary: 'Open311 密钥列表 API keys (name, prefix, last use, revoked)', response: { 200: z.array(open311Key), ...errors } },
  }, async (request) => listOpen311Keys(db, request.actor));

  app.post('/api/v1/open311-keys', {
    schema: { tags: ['open311'], summary: '签发 Open311 密钥 Issue a key; the key is in this answer only', body: createOpen311Key, response: { 201: createdOpen311Key, ...errors } },
  }, async (request, reply) => reply.status(201).send(await createKey(db, request.actor, request.body)));

  app.post('/api/v1/open311-keys/:id/revoke', {
    schema: { tags: ['open311'], summary: '吊销 Open311 密钥 Revoke a key: its POSTs are refused with 403 from now on', params: idParam, response: { 200: open311Key, ...errors } },
  }, async (request) => revokeOpen311Key(db, request.actor, request.params.id));
}
