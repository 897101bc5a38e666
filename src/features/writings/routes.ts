import { errorBody, idParam, pageOf } from '../../../contracts/common.ts';
import { createWriting, reviewWriting, selectWriting, updateWriting, writing, writingListQuery, writingSummary } from '../../../contracts/writings.ts';
import type { App, AppDeps } from '../../http/types.ts';
import {
  createWriting as create, getWriting, listWritings, reviewWriting as review, selectWriting as select, submitWriting, updateWriting as update, withdrawWriting,
} from './writings.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };

export function registerWritingRoutes(app: App, { db }: AppDeps) {
  app.get('/api/v1/writings', {
    schema: { tags: ['writings'], summary: '文稿列表 Writings: diaries, topics, reports, memos, plans; filter by kind, status, grade, author, team, topic, campaign, target, region, period', querystring: writingListQuery, response: { 200: pageOf(writingSummary), ...errors } },
  }, async (request) => listWritings(db, request.actor, request.query));

  app.post('/api/v1/writings', {
    schema: { tags: ['writings'], summary: '新建文稿 Write a draft; a research topic (topic.assign) is issued to a cadre or a team at once', body: createWriting, response: { 201: writing, ...errors } },
  }, async (request, reply) => reply.status(201).send(await create(db, request.actor, request.body)));

  app.get('/api/v1/writings/:id', {
    schema: { tags: ['writings'], summary: '文稿 Writing with its review, the reports answering a topic, and what you may do now', params: idParam, response: { 200: writing, ...errors } },
  }, async (request) => getWriting(db, request.actor, request.params.id));

  app.patch('/api/v1/writings/:id', {
    schema: { tags: ['writings'], summary: '修改文稿 Edit: the author, in draft only (a topic: its assigner); 409 lists what the state allows', params: idParam, body: updateWriting, response: { 200: writing, ...errors } },
  }, async (request) => update(db, request.actor, request.params.id, request.body));

  app.post('/api/v1/writings/:id/submit', {
    schema: { tags: ['writings'], summary: '提交 Submit a draft for review (the author)', params: idParam, response: { 200: writing, ...errors } },
  }, async (request) => submitWriting(db, request.actor, request.params.id));

  app.post('/api/v1/writings/:id/withdraw', {
    schema: { tags: ['writings'], summary: '撤回 Take a submitted writing back to draft before anyone reviews it (the author)', params: idParam, response: { 200: writing, ...errors } },
  }, async (request) => withdrawWriting(db, request.actor, request.params.id));

  app.post('/api/v1/writings/:id/review', {
    schema: { tags: ['writings'], summary: '评审 Grade a submitted writing (优/良/中/差) with a comment; never your own', params: idParam, body: reviewWriting, response: { 200: writing, ...errors } },
  }, async (request) => review(db, request.actor, request.params.id, request.body));

  app.post('/api/v1/writings/:id/select', {
    schema: { tags: ['writings'], summary: '入选 Select a reviewed writing for a bulletin or a compilation', params: idParam, body: selectWriting, response: { 200: writing, ...errors } },
  }, async (request) => select(db, request.actor, request.params.id, request.body));
}
