import { z } from 'zod';
import {
  addTeamMember, campaign, campaignListQuery, createCampaign, createTeam, removeTeamMemberQuery, team, teamMemberParams, teamParams, updateCampaign, updateTeam,
} from '../../../contracts/campaigns.ts';
import { errorBody, idParam, pageOf } from '../../../contracts/common.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { createCampaign as create, getCampaign, listCampaigns, updateCampaign as update } from './campaigns.ts';
import { addTeamMember as addMember, createTeam as createT, getTeam, listTeams, removeTeamMember, updateTeam as updateT } from './teams.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };

export function registerCampaignRoutes(app: App, { db }: AppDeps) {
  app.get('/api/v1/campaigns', {
    schema: { tags: ['campaigns'], summary: '活动列表 Campaigns you take part in or organise', querystring: campaignListQuery, response: { 200: pageOf(campaign), ...errors } },
  }, async (request) => listCampaigns(db, request.actor, request.query));

  app.get('/api/v1/campaigns/:id', {
    schema: { tags: ['campaigns'], summary: '活动 Campaign', params: idParam, response: { 200: campaign, ...errors } },
  }, async (request) => getCampaign(db, request.actor, request.params.id));

  app.post('/api/v1/campaigns', {
    schema: { tags: ['campaigns'], summary: '新建活动 Create a campaign', body: createCampaign, response: { 201: campaign, ...errors } },
  }, async (request, reply) => reply.status(201).send(await create(db, request.actor, request.body)));

  app.patch('/api/v1/campaigns/:id', {
    schema: { tags: ['campaigns'], summary: '修改活动 Edit a campaign (units, when given, replace the list)', params: idParam, body: updateCampaign, response: { 200: campaign, ...errors } },
  }, async (request) => update(db, request.actor, request.params.id, request.body));

  app.get('/api/v1/campaigns/:id/teams', {
    schema: { tags: ['campaigns'], summary: '组团列表 Teams of a campaign', params: idParam, response: { 200: z.object({ items: z.array(team) }), ...errors } },
  }, async (request) => ({ items: await listTeams(db, request.actor, request.params.id) }));

  app.post('/api/v1/campaigns/:id/teams', {
    schema: { tags: ['campaigns'], summary: '新建组团 Create a team (组团 / 调研组 / 专题服务组)', params: idParam, body: createTeam, response: { 201: team, ...errors } },
  }, async (request, reply) => reply.status(201).send(await createT(db, request.actor, request.params.id, request.body)));

  app.get('/api/v1/campaigns/:id/teams/:teamId', {
    schema: { tags: ['campaigns'], summary: '组团 Team with its members, current and past', params: teamParams, response: { 200: team, ...errors } },
  }, async (request) => getTeam(db, request.actor, request.params.id, request.params.teamId));

  app.patch('/api/v1/campaigns/:id/teams/:teamId', {
    schema: { tags: ['campaigns'], summary: '修改组团 Edit a team (name, kind, leader)', params: teamParams, body: updateTeam, response: { 200: team, ...errors } },
  }, async (request) => updateT(db, request.actor, request.params.id, request.params.teamId, request.body));

  app.post('/api/v1/campaigns/:id/teams/:teamId/members', {
    schema: { tags: ['campaigns'], summary: '加入组团 Add a member', params: teamParams, body: addTeamMember, response: { 200: team, ...errors } },
  }, async (request) => addMember(db, request.actor, request.params.id, request.params.teamId, request.body));

  app.delete('/api/v1/campaigns/:id/teams/:teamId/members/:cadreId', {
    schema: { tags: ['campaigns'], summary: '退出组团 Remove a member (sets leftOn; history kept)', params: teamMemberParams, querystring: removeTeamMemberQuery, response: { 200: team, ...errors } },
  }, async (request) => removeTeamMember(db, request.actor, request.params.id, request.params.teamId, request.params.cadreId, request.query.leftOn));
}
