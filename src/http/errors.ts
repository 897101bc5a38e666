import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import { AppError, type ErrorCode } from '../errors.ts';

// The one table from application error codes to HTTP. The compiler checks it covers every code.
const statusOf: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  IMPORT_REJECTED: 400,
  UNAUTHENTICATED: 401,
  SESSION_EXPIRED: 401,
  INVALID_CREDENTIALS: 401,
  ACCOUNT_LOCKED: 401,
  CSRF_FAILED: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  EXPORT_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL: 500,
};

const send = (reply: FastifyReply, status: number, code: string, message: string, details?: unknown) =>
  reply.status(status).type('application/json; charset=utf-8').send({ error: { code, message, ...(details === undefined ? {} : { details }) } });

type Issue = { path: PropertyKey[]; message: string };
const describeIssues = (where: string, issues: Issue[]) =>
  issues.map((i) => ({ field: [where, ...i.path.map(String)].filter(Boolean).join('.'), message: i.message }));

export function errorHandler(err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (err instanceof AppError) return send(reply, statusOf[err.code], err.code, err.message, err.details);

  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = (err as FastifyError).validationContext ?? 'body';
    const fields = err.validation.map((v) => ({
      field: [where, ...String(v.instancePath ?? '').split('/').filter(Boolean)].join('.'),
      message: v.message ?? 'invalid',
    }));
    const first = fields[0];
    return send(reply, 400, 'VALIDATION_FAILED', first ? `字段 ${first.field} 不正确：${first.message}` : '请求格式不正确', { fields });
  }
  if (err instanceof ZodError) {
    const fields = describeIssues('', err.issues);
    return send(reply, 400, 'VALIDATION_FAILED', `字段 ${fields[0]?.field ?? ''} 不正确：${fields[0]?.message ?? ''}`, { fields });
  }
  if (isResponseSerializationError(err)) {
    request.log.error({ err, issues: err.cause.issues }, 'response did not match its schema');
    return send(reply, 500, 'INTERNAL', '服务器内部错误');
  }

  const fe = err as FastifyError;
  const status = fe.statusCode ?? 500;
  if (status === 413 || fe.code === 'FST_REQ_FILE_TOO_LARGE' || fe.code === 'FST_FILES_LIMIT') {
    return send(reply, 413, 'PAYLOAD_TOO_LARGE', '上传内容过大，超过了允许的大小', { code: fe.code });
  }
  if (status === 415) return send(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', `不支持的内容类型：${request.headers['content-type'] ?? '（无）'}`);
  if (status >= 400 && status < 500) {
    // Fastify's own 4xx (malformed JSON, empty body …): its message is safe and says what is wrong.
    return send(reply, status, status === 404 ? 'NOT_FOUND' : 'VALIDATION_FAILED', fe.message, fe.code ? { code: fe.code } : undefined);
  }
  // A value the contracts let through but PostgreSQL refused (SQLSTATE class 22, data exception:
  // out of range, bad encoding …) is still the caller's input, not a server fault. Logged, so the
  // contract that missed it can be tightened.
  const sqlState = (err as { code?: unknown }).code;
  if (typeof sqlState === 'string' && /^22[0-9A-Z]{3}$/.test(sqlState)) {
    request.log.warn({ err }, 'input refused by the database');
    return send(reply, 400, 'VALIDATION_FAILED', '输入的值超出了允许的范围或格式，请检查后重试', { sqlState });
  }
  request.log.error({ err }, 'unhandled error');
  return send(reply, 500, 'INTERNAL', '服务器内部错误，已记录日志');
}
