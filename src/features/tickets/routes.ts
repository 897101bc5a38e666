import { z } from 'zod';
import { errorBody, idParam, pageOf } from '../../../contracts/common.ts';
import {
  createTicket, similarTicket, similarTicketsQuery, ticketActionRequest, ticketCategory, ticketDto, ticketListQuery, ticketSummary,
} from '../../../contracts/ticket-api.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { actOnTicket, createTicket as create, getTicket, listCategories, listTickets, revealRequesterPhone, similarTickets } from './tickets.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };

export function registerTicketRoutes(app: App, { db, key }: AppDeps) {
  app.get('/api/v1/tickets', {
    schema: {
      tags: ['tickets'], summary: '问题台账 The ledger: filter by state, type, source, category, urgency, unit, region, period, deadline mark, supervision, text; inbox=mine for a handling unit',
      querystring: ticketListQuery, response: { 200: pageOf(ticketSummary), ...errors },
    },
  }, async (request) => listTickets(db, request.actor, request.query));

  app.get('/api/v1/tickets/similar', {
    schema: {
      tags: ['tickets'], summary: '疑似重复 Possible duplicates from the last 30 days: same requester, place, or category in the region',
      querystring: similarTicketsQuery, response: { 200: z.array(similarTicket), ...errors },
    },
  }, async (request) => similarTickets(db, request.actor, key, request.query));

  app.post('/api/v1/tickets', {
    schema: { tags: ['tickets'], summary: '登记工单 Register a ticket; optionally dispatch it at once or fix it on the spot (即知即改)', body: createTicket, response: { 201: ticketDto, ...errors } },
  }, async (request, reply) => reply.status(201).send(await create(db, request.actor, key, request.body)));

  app.get('/api/v1/tickets/:id', {
    schema: { tags: ['tickets'], summary: '工单 A ticket with its event log, supervision notices and the actions the caller may take', params: idParam, response: { 200: ticketDto, ...errors } },
  }, async (request) => getTicket(db, request.actor, key, request.params.id));

  app.post('/api/v1/tickets/:id/actions', {
    schema: {
      tags: ['tickets'], summary: '办理 Take an action (dispatch, sign, resolve, return, transfer, extension, rate, merge, supervise …); 409 lists what is allowed',
      params: idParam, body: ticketActionRequest, response: { 200: ticketDto, ...errors },
    },
  }, async (request) => actOnTicket(db, request.actor, key, request.params.id, request.body));

  app.post('/api/v1/tickets/:id/reveal-phone', {
    schema: { tags: ['tickets'], summary: '查看诉求人电话 The requester’s full phone number (audited)', params: idParam, response: { 200: z.object({ id: z.number().int(), phone: z.string().nullable() }), ...errors } },
  }, async (request) => revealRequesterPhone(db, request.actor, key, request.params.id));

  app.get('/api/v1/ticket-categories', {
    schema: { tags: ['tickets'], summary: '工单分类 The category tree, flat, parents first (inactive ones flagged)', response: { 200: z.array(ticketCategory), ...errors } },
  }, async () => listCategories(db));
}
