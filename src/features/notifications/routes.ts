import { z } from 'zod';
import { errorBody, pageOf, paging } from '../../../contracts/common.ts';
import { notification } from '../../../contracts/ticket-api.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { listNotifications, markAllNotificationsRead, markNotificationRead, unreadCount } from './notifications.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody };

const int8Max = 9_223_372_036_854_775_807n;
/**
 * Notification ids are bigserial: digits within int8, kept as a string end to end. Only a 19-digit
 * id passes the pattern and may still exceed int8; a longer one gets the pattern's message alone.
 */
const notificationIdParam = z.object({
  id: z.string().regex(/^[1-9][0-9]{0,18}$/, '通知编号应为正整数')
    .refine((v) => !/^[0-9]{19}$/.test(v) || BigInt(v) <= int8Max, `通知编号超出范围（最大 ${int8Max}）`),
});
const notificationListQuery = paging.extend({
  unread: z.enum(['1', '0', 'true', 'false'], { error: 'unread 应为 1 或 0' }).optional().transform((v) => v === '1' || v === 'true'),
});

export function registerNotificationRoutes(app: App, { db }: AppDeps) {
  app.get('/api/v1/notifications', {
    schema: { tags: ['notifications'], summary: '我的通知 Your own in-app notifications (督办, 交办 …), newest first; unread=1 for the unread only', querystring: notificationListQuery, response: { 200: pageOf(notification), ...errors } },
  }, async (request) => listNotifications(db, request.actor, request.query));

  app.get('/api/v1/notifications/unread-count', {
    schema: { tags: ['notifications'], summary: '未读通知数 How many of your notifications are unread', response: { 200: z.object({ count: z.number().int() }), ...errors } },
  }, async (request) => unreadCount(db, request.actor));

  app.post('/api/v1/notifications/read-all', {
    schema: { tags: ['notifications'], summary: '全部已读 Mark all your notifications read', response: { 200: z.object({ updated: z.number().int() }), ...errors } },
  }, async (request) => markAllNotificationsRead(db, request.actor));

  app.post('/api/v1/notifications/:id/read', {
    schema: { tags: ['notifications'], summary: '标为已读 Mark one of your notifications read (another account\'s answers 404)', params: notificationIdParam, response: { 200: notification, ...errors } },
  }, async (request) => markNotificationRead(db, request.actor, request.params.id));
}
