import { z } from 'zod';
import {
  calendarEntryDto, calendarEntryParams, calendarMonth as calendarMonthSchema, calendarMonthQuery, calendarUpcomingDays, channelDelivery, channelDto, saveCalendarEntry, saveChannel,
  updateCalendarEntry,
} from '../../../contracts/calendar.ts';
import { upcomingQuery } from '../../../contracts/compliance-api.ts';
import { errorBody, idParam } from '../../../contracts/common.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { calendarMonth, createCalendarEntry, deleteCalendarEntry, listCalendarEntries, upcomingDays, updateCalendarEntry as update } from './calendar.ts';
import { createChannel, deleteChannel, getChannel, listChannels, testChannel, updateChannel } from './channels.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const deleted = z.object({ deleted: z.literal(true) });

export function registerCalendarRoutes(app: App, { db, key }: AppDeps) {
  app.get('/api/v1/campaigns/:id/calendar', {
    schema: { tags: ['calendar'], summary: '活动日程 Fixed days and holiday visits of a campaign', params: idParam, response: { 200: z.object({ items: z.array(calendarEntryDto) }), ...errors } },
  }, async (request) => ({ items: await listCalendarEntries(db, request.actor, request.params.id) }));

  app.post('/api/v1/campaigns/:id/calendar', {
    schema: { tags: ['calendar'], summary: '新增日程 Add a fixed day or a holiday visit', params: idParam, body: saveCalendarEntry, response: { 201: calendarEntryDto, ...errors } },
  }, async (request, reply) => reply.status(201).send(await createCalendarEntry(db, request.actor, request.params.id, request.body)));

  app.put('/api/v1/campaigns/:id/calendar/:entryId', {
    schema: { tags: ['calendar'], summary: '修改日程 Edit an entry (version: the one you read; 409 when changed meanwhile)', params: calendarEntryParams, body: updateCalendarEntry, response: { 200: calendarEntryDto, ...errors } },
  }, async (request) => update(db, request.actor, request.params.id, request.params.entryId, request.body));

  app.delete('/api/v1/campaigns/:id/calendar/:entryId', {
    schema: { tags: ['calendar'], summary: '删除日程 Delete an entry', params: calendarEntryParams, response: { 200: deleted, ...errors } },
  }, async (request) => deleteCalendarEntry(db, request.actor, request.params.id, request.params.entryId));

  app.get('/api/v1/campaigns/:id/calendar/month', {
    schema: { tags: ['calendar'], summary: '日程月视图 Each day of the active entries in a month (inside the campaign), with public holidays', params: idParam, querystring: calendarMonthQuery, response: { 200: calendarMonthSchema, ...errors } },
  }, async (request) => calendarMonth(db, request.actor, request.params.id, request.query.month));

  app.get('/api/v1/calendar/upcoming', {
    schema: { tags: ['calendar'], summary: '近期固定日与节日走访 The caller’s upcoming fixed days and holiday visits', querystring: upcomingQuery, response: { 200: calendarUpcomingDays, ...errors } },
  }, async (request) => upcomingDays(db, request.actor, request.query));

  app.get('/api/v1/notification-channels', {
    schema: { tags: ['calendar'], summary: '通知渠道 Notification channels (the secret is never returned)', response: { 200: z.object({ items: z.array(channelDto) }), ...errors } },
  }, async (request) => ({ items: await listChannels(db, request.actor) }));

  app.post('/api/v1/notification-channels', {
    schema: { tags: ['calendar'], summary: '新增通知渠道 Add a webhook (URL and signing secret)', body: saveChannel, response: { 201: channelDto, ...errors } },
  }, async (request, reply) => reply.status(201).send(await createChannel(db, request.actor, key, request.body)));

  app.get('/api/v1/notification-channels/:id', {
    schema: { tags: ['calendar'], summary: '通知渠道 A channel with its last deliveries', params: idParam, response: { 200: channelDto, ...errors } },
  }, async (request) => getChannel(db, request.actor, request.params.id));

  app.put('/api/v1/notification-channels/:id', {
    schema: { tags: ['calendar'], summary: '修改通知渠道 Edit a channel (omit secret to keep it)', params: idParam, body: saveChannel, response: { 200: channelDto, ...errors } },
  }, async (request) => updateChannel(db, request.actor, key, request.params.id, request.body));

  app.delete('/api/v1/notification-channels/:id', {
    schema: { tags: ['calendar'], summary: '删除通知渠道 Delete a channel and its delivery log', params: idParam, response: { 200: deleted, ...errors } },
  }, async (request) => deleteChannel(db, request.actor, request.params.id));

  app.post('/api/v1/notification-channels/:id/test', {
    schema: { tags: ['calendar'], summary: '测试发送 Send a test message through the channel now', params: idParam, response: { 200: channelDelivery, ...errors } },
  }, async (request) => testChannel(db, request.actor, key, request.params.id));
}
