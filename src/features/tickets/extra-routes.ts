import { z } from 'zod';
import { errorBody, storableString } from '../../../contracts/common.ts';
import {
  categoryCode, createTicketCategory, publicRating, publicTicket, publicTicketQuery, ticketCategory, ticketListQuery, ticketMeasuresQuery,
  ticketMeasuresResult, updateTicketCategory,
} from '../../../contracts/ticket-api.ts';
import { ticketDeadlinePolicy } from '../../../contracts/tickets.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { ticketMeasures } from './measures.ts';
import { publicTicket as readPublicTicket, PublicLockedError, ratePublicTicket } from './public.ts';
import { createCategory, getPolicy, savePolicy, updateCategory } from './settings.ts';
import { exportTickets } from './ticket-sheet.ts';
import { exportLimitFor } from '../exports/stream.ts';

// The ticket loop's measures, ledger export, requester's public page and configuration. The core
// ticket routes (intake, ledger, detail, actions, categories list) are in routes.ts.

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const codeParam = z.object({ code: storableString.trim().min(1).max(40, '受理编号最长40个字符') });

export function registerTicketExtraRoutes(app: App, { db, config, key }: AppDeps) {
  app.get('/api/v1/tickets/measures', {
    schema: {
      tags: ['tickets'],
      summary: '考核指标 Measures (及时签收率, 办结率, 按期办结率, 满意率, mean handling days, overdue, repeats) over tickets registered in [from, to], overall and by unit, child region (+ 本级) or month; with written definitions',
      querystring: ticketMeasuresQuery, response: { 200: ticketMeasuresResult, ...errors },
    },
  }, async (request) => ticketMeasures(db, request.actor, request.query, new Date()));

  app.get('/api/v1/tickets/export.xlsx', {
    schema: {
      tags: ['tickets'], summary: '导出问题台账 Export the ledger with the same filters (.xlsx, streamed, phones masked); over the export limit → 413 before any byte',
      produces: [XLSX], querystring: ticketListQuery.omit({ page: true, pageSize: true }),
    },
  }, async (request, reply) => {
    const { stream } = await exportTickets(db, request.actor, request.query, { maxRows: exportLimitFor(config, request.actor) });
    return reply
      .type(XLSX)
      .header('content-disposition', `attachment; filename="tickets.xlsx"; filename*=UTF-8''${encodeURIComponent('问题台账.xlsx')}`)
      .send(stream);
  });

  // ---- The requester's page: no login, no CSRF (no session to ride on) ----
  // No AppError code maps to 429, so the lock is answered here, in the usual error shape.
  const locked = (e: PublicLockedError) => ({ error: { code: 'TOO_MANY_ATTEMPTS', message: e.message, details: { lockedUntil: e.lockedUntil.toISOString() } } });
  const publicErrors = { ...errors, 429: errorBody };

  app.get('/api/v1/public/tickets/:code', {
    config: { public: true },
    schema: {
      tags: ['public'], summary: '诉求人查询 Follow a ticket by tracking code and the last 4 digits of the phone; wrong digits answer like an unknown code; 5 wrong tries lock the code for 15 minutes (429)',
      params: codeParam, querystring: publicTicketQuery, response: { 200: publicTicket, ...publicErrors },
    },
  }, async (request, reply) => {
    try {
      return await readPublicTicket(db, key, request.params.code, request.query.phone);
    } catch (e) {
      if (e instanceof PublicLockedError) return reply.status(429).send(locked(e));
      throw e;
    }
  });

  app.post('/api/v1/public/tickets/:code/rating', {
    config: { public: true },
    schema: {
      tags: ['public'], summary: '诉求人评价 Rate the reply once (满意 / 基本满意 close the ticket; the first 不满意 reopens it); a second rating → 409',
      params: codeParam, body: publicRating, response: { 200: publicTicket, ...publicErrors },
    },
  }, async (request, reply) => {
    try {
      return await ratePublicTicket(db, key, request.params.code, request.body, { ip: request.ip });
    } catch (e) {
      if (e instanceof PublicLockedError) return reply.status(429).send(locked(e));
      throw e;
    }
  });

  // ---- Configuration ----
  app.post('/api/v1/ticket-categories', {
    schema: { tags: ['tickets'], summary: '新增分类 Add a category (a child’s code extends its parent’s); duplicate code → 409', body: createTicketCategory, response: { 201: ticketCategory, ...errors } },
  }, async (request, reply) => reply.status(201).send(await createCategory(db, request.actor, request.body)));

  app.patch('/api/v1/ticket-categories/:code', {
    schema: {
      tags: ['tickets'], summary: '修改分类 Rename, re-sort, deactivate (with its children; old tickets keep it) or reactivate a category',
      params: z.object({ code: categoryCode }), body: updateTicketCategory, response: { 200: ticketCategory, ...errors },
    },
  }, async (request) => updateCategory(db, request.actor, request.params.code, request.body));

  app.get('/api/v1/ticket-settings/policy', {
    schema: { tags: ['tickets'], summary: '办理时限 The deadline policy in working days', response: { 200: ticketDeadlinePolicy, ...errors } },
  }, async () => getPolicy(db));

  app.put('/api/v1/ticket-settings/policy', {
    schema: { tags: ['tickets'], summary: '修改办理时限 Replace the deadline policy (applies to dispatches from now on)', body: ticketDeadlinePolicy, response: { 200: ticketDeadlinePolicy, ...errors } },
  }, async (request) => savePolicy(db, request.actor, request.body));
}
