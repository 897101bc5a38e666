import { z } from 'zod';
import {
  assessmentActionBody, assessmentDetail, assessmentListQuery, assessmentSummary, assessmentTree, computeResult, createAssessment,
  createDecision, decision, decisionListQuery, decisionSummary, ranking, scoreInput, scoreSheet,
} from '../../../contracts/assessments.ts';
import { dbIdQuery, errorBody, idParam, pageOf } from '../../../contracts/common.ts';
import type { App, AppDeps } from '../../http/types.ts';
import {
  actOnAssessment, computeAutoScores, createAssessment as create, getAssessment, listAssessments, rankingOf, saveTree, scoreSheet as sheet, setScore,
} from './assessments.ts';
import { createDecision as addDecision, decisionSummary as summarise, getDecision, listDecisions } from './decisions.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const subjectParams = z.object({ id: dbIdQuery, subjectId: dbIdQuery });
const scoreParams = subjectParams.extend({ itemId: dbIdQuery });
const tags = ['assessments'];

export function registerAssessmentRoutes(app: App, { db }: AppDeps) {
  app.get('/api/v1/assessments', {
    schema: { tags, summary: '千分制考核方案 Assessment schemes in scope', querystring: assessmentListQuery, response: { 200: z.array(assessmentSummary), ...errors } },
  }, async (request) => listAssessments(db, request.actor, request.query));

  app.post('/api/v1/assessments', {
    schema: { tags, summary: '新建考核方案 Create a scheme (its assessed townships or units are fixed now)', body: createAssessment, response: { 201: assessmentDetail, ...errors } },
  }, async (request, reply) => reply.status(201).send(await create(db, request.actor, request.body)));

  app.get('/api/v1/assessments/:id', {
    schema: { tags, summary: '考核方案 A scheme: tree, subjects with totals, allowed actions', params: idParam, response: { 200: assessmentDetail, ...errors } },
  }, async (request) => getAssessment(db, request.actor, request.params.id));

  app.put('/api/v1/assessments/:id/items', {
    schema: { tags, summary: '保存指标体系 Replace the indicator tree (draft only; weights must sum to 1000)', params: idParam, body: assessmentTree, response: { 200: assessmentDetail, ...errors } },
  }, async (request) => saveTree(db, request.actor, request.params.id, request.body));

  app.post('/api/v1/assessments/:id/actions', {
    schema: { tags, summary: '流转 start / submit / approve / return (reason) / publish', params: idParam, body: assessmentActionBody, response: { 200: assessmentDetail, ...errors } },
  }, async (request) => actOnAssessment(db, request.actor, request.params.id, request.body.action, request.body.reason));

  app.post('/api/v1/assessments/:id/compute', {
    schema: { tags, summary: '计算自动指标 Compute every auto indicator from the data (scoring only)', params: idParam, response: { 200: computeResult, ...errors } },
  }, async (request) => computeAutoScores(db, request.actor, request.params.id));

  app.get('/api/v1/assessments/:id/ranking', {
    schema: { tags, summary: '排名 Ranking by total, ties sharing a rank', params: idParam, response: { 200: ranking, ...errors } },
  }, async (request) => rankingOf(db, request.actor, request.params.id));

  app.get('/api/v1/assessments/:id/subjects/:subjectId', {
    schema: { tags, summary: '评分表 Score sheet of one assessed township or unit', params: subjectParams, response: { 200: scoreSheet, ...errors } },
  }, async (request) => sheet(db, request.actor, request.params.id, request.params.subjectId));

  app.put('/api/v1/assessments/:id/subjects/:subjectId/scores/:itemId', {
    schema: { tags, summary: '录入评分 Enter a manual, bonus or deduction score with evidence', params: scoreParams, body: scoreInput, response: { 200: scoreSheet, ...errors } },
  }, async (request) => setScore(db, request.actor, request.params.id, request.params.subjectId, request.params.itemId, request.body));

  const decisionFilter = decisionListQuery.omit({ page: true, pageSize: true });
  app.get('/api/v1/assessment-decisions', {
    schema: { tags, summary: '奖惩记录 Rewards and penalties in scope', querystring: decisionListQuery, response: { 200: pageOf(decision), ...errors } },
  }, async (request) => listDecisions(db, request.actor, request.query));

  app.get('/api/v1/assessment-decisions/summary', {
    schema: { tags, summary: '奖惩统计 Counts by kind', querystring: decisionFilter, response: { 200: decisionSummary, ...errors } },
  }, async (request) => summarise(db, request.actor, request.query));

  app.get('/api/v1/assessment-decisions/:id', {
    schema: { tags, summary: '奖惩记录 One decision', params: idParam, response: { 200: decision, ...errors } },
  }, async (request) => getDecision(db, request.actor, request.params.id));

  app.post('/api/v1/assessment-decisions', {
    schema: { tags, summary: '登记奖惩 Record a reward or penalty for a cadre or a unit', body: createDecision, response: { 201: decision, ...errors } },
  }, async (request, reply) => reply.status(201).send(await addDecision(db, request.actor, request.body)));
}
