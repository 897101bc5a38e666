import {
  cadrePairing, campaignPairingParams, createPairing, endPairing, pairing, pairingChanges, pairingChangesResult, pairingHistoryQuery, pairingListQuery, transferPairings,
} from '../../../contracts/campaigns.ts';
import { errorBody, idParam, pageOf } from '../../../contracts/common.ts';
import type { App, AppDeps } from '../../http/types.ts';
import {
  applyPairingChanges, batchError, cadrePairings, createPairing as create, endPairing as end, getPairing, listCampaignPairings, targetPairings, transferPairings as transfer,
} from './pairings.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };

export function registerPairingRoutes(app: App, { db }: AppDeps) {
  app.get('/api/v1/campaigns/:id/pairings', {
    schema: { tags: ['pairings'], summary: '结对列表 Pairings of a campaign: filter by target kind, region, cadre, team, open/ended', params: idParam, querystring: pairingListQuery, response: { 200: pageOf(pairing), ...errors } },
  }, async (request) => listCampaignPairings(db, request.actor, request.params.id, request.query));

  app.post('/api/v1/campaigns/:id/pairings', {
    schema: { tags: ['pairings'], summary: '结对 Pair a cadre or a team with a target', params: idParam, body: createPairing, response: { 201: pairing, ...errors } },
  }, async (request, reply) => reply.status(201).send(await create(db, request.actor, request.params.id, request.body)));

  app.post('/api/v1/campaigns/:id/pairings/batch', {
    schema: {
      tags: ['pairings'], summary: '批量调整结对 Apply adds and ends in one transaction, all or nothing; refused items listed in error.details.errors (op, index, field, message)',
      params: idParam, body: pairingChanges, response: { 200: pairingChangesResult, ...errors },
    },
  }, async (request) => {
    const out = await applyPairingChanges(db, request.actor, request.params.id, request.body);
    if (!out.applied) throw batchError(out.errors);
    return { added: out.added, ended: out.ended };
  });

  app.post('/api/v1/campaigns/:id/pairings/transfer', {
    schema: { tags: ['pairings'], summary: '结对移交 End one cadre’s pairings and pair another cadre with the same targets, in one transaction', params: idParam, body: transferPairings, response: { 200: pairingChangesResult, ...errors } },
  }, async (request) => {
    const out = await transfer(db, request.actor, request.params.id, request.body);
    return { added: out.added, ended: out.ended };
  });

  app.get('/api/v1/campaigns/:id/pairings/:pairingId', {
    schema: { tags: ['pairings'], summary: '结对 Pairing', params: campaignPairingParams, response: { 200: pairing, ...errors } },
  }, async (request) => getPairing(db, request.actor, request.params.pairingId, request.params.id));

  app.post('/api/v1/campaigns/:id/pairings/:pairingId/end', {
    schema: { tags: ['pairings'], summary: '结束结对 End a pairing (kept as history)', params: campaignPairingParams, body: endPairing, response: { 200: pairing, ...errors } },
  }, async (request) => end(db, request.actor, request.params.id, request.params.pairingId, request.body));

  app.get('/api/v1/targets/:id/pairings', {
    schema: { tags: ['pairings'], summary: '联系对象的结对历史 Who was linked with a target when', params: idParam, querystring: pairingHistoryQuery, response: { 200: pageOf(pairing), ...errors } },
  }, async (request) => targetPairings(db, request.actor, request.params.id, request.query));

  app.get('/api/v1/cadres/:id/pairings', {
    schema: { tags: ['pairings'], summary: '干部的联系对象 A cadre’s targets now and before (direct and through teams)', params: idParam, querystring: pairingHistoryQuery, response: { 200: pageOf(cadrePairing), ...errors } },
  }, async (request) => cadrePairings(db, request.actor, request.params.id, request.query));
}
