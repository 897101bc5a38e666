import { z } from 'zod';
import { createUser, loginBody, me, pageOf, user, idParam } from '../../../contracts/index.ts';
import { errorBody } from '../../../contracts/common.ts';
import { clearSessionCookies, setSessionCookies } from '../../http/auth.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { createUser as createUserFn, describeMe, getUser, listUsers, login, logout } from './accounts.ts';
import { policyOf } from '../../http/auth.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };

export function registerAuthRoutes(app: App, { db, config }: AppDeps) {
  app.post('/api/v1/auth/login', {
    config: { public: true },
    schema: { tags: ['auth'], summary: '登录 Log in', body: loginBody, response: { 200: me, ...errors } },
  }, async (request, reply) => {
    const result = await login(db, policyOf(config), request.body.username, request.body.password, request.ip);
    setSessionCookies(reply, config, result.token, result.csrfToken);
    return describeMe(db, result.userId, result.csrfToken);
  });

  app.post('/api/v1/auth/logout', {
    schema: { tags: ['auth'], summary: '退出 Log out', response: { 204: z.null(), ...errors } },
  }, async (request, reply) => {
    await logout(db, request.actor, request.sessionId);
    clearSessionCookies(reply);
    return reply.status(204).send(null);
  });

  app.get('/api/v1/auth/me', {
    schema: { tags: ['auth'], summary: '当前账号 The signed-in account', response: { 200: me, ...errors } },
  }, async (request) => {
    const session = await db.selectFrom('sessions').select('csrf_token').where('id', '=', request.sessionId).executeTakeFirstOrThrow();
    return describeMe(db, request.actor.userId!, session.csrf_token);
  });

  app.get('/api/v1/users', {
    schema: {
      tags: ['users'], summary: '账号列表 Accounts in your scope',
      querystring: z.object({ page: z.coerce.number().int().min(1).default(1), pageSize: z.coerce.number().int().min(1).max(200).default(20) }),
      response: { 200: pageOf(user), ...errors },
    },
  }, async (request) => listUsers(db, request.actor, request.query.page, request.query.pageSize));

  app.get('/api/v1/users/:id', {
    schema: { tags: ['users'], summary: '账号 Account', params: idParam, response: { 200: user, ...errors } },
  }, async (request) => getUser(db, request.actor, request.params.id));

  app.post('/api/v1/users', {
    schema: { tags: ['users'], summary: '新建账号 Create an account', body: createUser, response: { 201: user, ...errors } },
  }, async (request, reply) => reply.status(201).send(await createUserFn(db, request.actor, request.body)));
}
