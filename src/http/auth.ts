import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Executor } from '../db/database.ts';
import { AppError } from '../errors.ts';
import { resolveSession, type AuthPolicy } from '../features/auth/accounts.ts';
import type { Actor } from '../features/auth/actor.ts';

export const SESSION_COOKIE = 'lx_session';
export const CSRF_COOKIE = 'lx_csrf';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
    sessionId: string;
  }
  interface FastifyContextConfig {
    /** Route needs no login (login itself, health, the requester's public pages). */
    public?: boolean;
  }
}

export const policyOf = (config: Config): AuthPolicy => ({
  lockoutAttempts: config.lockoutAttempts,
  lockoutMinutes: config.lockoutMinutes,
  sessionIdleMinutes: config.sessionIdleMinutes,
});

export function setSessionCookies(reply: FastifyReply, config: Config, token: string, csrfToken: string) {
  const base = { path: '/', sameSite: 'strict' as const, secure: config.secureCookies };
  reply.setCookie(SESSION_COOKIE, token, { ...base, httpOnly: true });
  // Readable by the web app, which echoes it in the X-CSRF-Token header (double submit).
  reply.setCookie(CSRF_COOKIE, csrfToken, { ...base, httpOnly: false });
}

export function clearSessionCookies(reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
  reply.clearCookie(CSRF_COOKIE, { path: '/' });
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Every /api/v1 route needs a live session unless marked public; writes also need the CSRF token. */
export function registerAuthHook(app: FastifyInstance, db: Executor, config: Config) {
  const policy = policyOf(config);
  app.addHook('preValidation', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.url.startsWith('/api/v1/') || request.routeOptions.config?.public) return;
    const token = request.cookies[SESSION_COOKIE];
    if (!token) throw new AppError('UNAUTHENTICATED', '请先登录');
    let session;
    try {
      session = await resolveSession(db, policy, token, request.ip);
    } catch (e) {
      clearSessionCookies(reply);
      throw e;
    }
    if (!SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] !== session.csrfToken) {
      throw new AppError('CSRF_FAILED', '请求缺少有效的 CSRF 令牌（X-CSRF-Token），请刷新页面后重试');
    }
    request.actor = session.actor;
    request.sessionId = session.sessionId;
  });
}
