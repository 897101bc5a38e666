import QRCode from 'qrcode';
import { z } from 'zod';
import { dbIdQuery, errorBody, idParam } from '../../../contracts/common.ts';
import {
  createSurvey, createSurveyLinks, excludeSurveyResponses, publicSurvey, submitSurveyResponse, surveyDto, surveyFlag, surveyLink, surveyListQuery, surveyReceipt,
  surveyResults, surveyResultsQuery, updateSurvey,
} from '../../../contracts/surveys.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { publicSurvey as readPublicSurvey, submitResponse } from './public.ts';
import {
  createLinks, createSurvey as create, excludeResponses, getSurvey, linkToken, listLinks, listSurveys, surveyFlags, surveyResults as results, updateSurvey as update,
} from './surveys.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const tokenParam = z.object({ token: z.string().trim().regex(/^[A-Za-z0-9_-]{10,64}$/, '问卷链接格式不正确') });

export function registerSurveyRoutes(app: App, { db, key, config }: AppDeps) {
  // ---- The respondent's page: no login, no CSRF (no session to ride on) ----
  app.get('/api/v1/public/surveys/:token', {
    config: { public: true },
    schema: { tags: ['public'], summary: '双评问卷 The survey behind a link or QR code: questions, scale, the cadres or unit rated; whether it is open', params: tokenParam, response: { 200: publicSurvey, ...errors } },
  }, async (request) => readPublicSurvey(db, request.params.token));

  app.post('/api/v1/public/surveys/:token/responses', {
    config: { public: true },
    schema: {
      tags: ['public'], summary: '提交双评 Answer once per respondent (phone, kept only as a keyed hash), subject and round; a second → 409; each 不满意 becomes a rectification ticket',
      params: tokenParam, body: submitSurveyResponse, response: { 201: surveyReceipt, ...errors },
    },
  }, async (request, reply) => reply.status(201).send(await submitResponse(db, key, config.survey, request.params.token, request.body, { ip: request.ip })));

  // ---- The office ----
  app.get('/api/v1/surveys', {
    schema: { tags: ['surveys'], summary: '双评问卷列表 Survey rounds visible to the caller', querystring: surveyListQuery, response: { 200: z.array(surveyDto), ...errors } },
  }, async (request) => listSurveys(db, request.actor, request.query));

  app.post('/api/v1/surveys', {
    schema: { tags: ['surveys'], summary: '新建双评问卷 Create a round: kind, period, questions by dimension', body: createSurvey, response: { 201: surveyDto, ...errors } },
  }, async (request, reply) => reply.status(201).send(await create(db, request.actor, request.body)));

  app.get('/api/v1/surveys/:id', {
    schema: { tags: ['surveys'], summary: '双评问卷 One round with its questions', params: idParam, response: { 200: surveyDto, ...errors } },
  }, async (request) => getSurvey(db, request.actor, request.params.id));

  app.patch('/api/v1/surveys/:id', {
    schema: { tags: ['surveys'], summary: '修改双评问卷 Edit (questions and period only while unanswered), open or close', params: idParam, body: updateSurvey, response: { 200: surveyDto, ...errors } },
  }, async (request) => update(db, request.actor, request.params.id, request.body));

  app.get('/api/v1/surveys/:id/links', {
    schema: { tags: ['surveys'], summary: '问卷链接 Links per target or unit (token, public path, cadres rated)', params: idParam, response: { 200: z.array(surveyLink), ...errors } },
  }, async (request) => listLinks(db, request.actor, request.params.id));

  app.post('/api/v1/surveys/:id/links', {
    schema: { tags: ['surveys'], summary: '生成问卷链接 One link per target (cadre surveys) or unit; existing links are kept', params: idParam, body: createSurveyLinks, response: { 200: z.array(surveyLink), ...errors } },
  }, async (request) => createLinks(db, request.actor, request.params.id, request.body));

  app.get('/api/v1/surveys/:id/links/:linkId/qr.svg', {
    schema: { tags: ['surveys'], summary: '问卷二维码 The link as an SVG QR code (the public page /s/<token> on this server)', params: idParam.extend({ linkId: dbIdQuery }), produces: ['image/svg+xml'] },
  }, async (request, reply) => {
    const token = await linkToken(db, request.actor, request.params.id, request.params.linkId);
    const url = `${request.protocol}://${request.host}/s/${token}`;
    const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return reply.type('image/svg+xml').header('cache-control', 'private, max-age=3600').send(svg);
  });

  app.get('/api/v1/surveys/:id/results', {
    schema: { tags: ['surveys'], summary: '双评结果 满意率 per cadre / unit and dimension, with counts and comments (scoped; never who answered)', params: idParam, querystring: surveyResultsQuery, response: { 200: surveyResults, ...errors } },
  }, async (request) => results(db, request.actor, request.params.id, { excludeFlagged: request.query.excludeFlagged === 'true' }));

  app.get('/api/v1/surveys/:id/flags', {
    schema: { tags: ['surveys'], summary: '刷票疑点 Inflation flags with evidence (device, network, identical answers in a burst)', params: idParam, response: { 200: z.array(surveyFlag), ...errors } },
  }, async (request) => surveyFlags(db, request.actor, request.params.id));

  app.post('/api/v1/surveys/:id/exclusions', {
    schema: { tags: ['surveys'], summary: '剔除答卷 Leave responses out of the results (or count them again)', params: idParam, body: excludeSurveyResponses, response: { 200: z.object({ updated: z.number().int() }), ...errors } },
  }, async (request) => excludeResponses(db, request.actor, request.params.id, request.body));
}
