import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import type { ChannelDelivery, ChannelDto, SaveChannel } from '../../../contracts/calendar.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { AppError, notFound } from '../../errors.ts';
import { decrypt, encrypt, type PersonalDataKey } from '../../lib/personal-data.ts';
import { recordAudit } from '../audit/audit.ts';
import { assertCan, isUnder, type Actor } from '../auth/actor.ts';
import { notifyUsers } from '../notifications/notifications.ts';

// Notification channels. A message goes to a person in-app (always) and through every active
// channel an admin configured. Today the one external kind is a webhook: JSON POSTed to a URL,
// signed with HMAC-SHA256 under a per-channel secret, so the receiver (a 政务 IM bot, an SMS
// gateway's relay, an OA system) can check it came from Lianxin. An SMS gateway or a 政务 IM
// (浙政钉 and the like) would plug in as another NotificationChannel implementation with its own
// row kind; none is sent in tests. Each send through a channel is one row in
// notification_deliveries (attempts, HTTP status, error), unique per channel and dedupe key.

export type ChannelMessage = {
  event: string;
  title: string;
  body: string;
  link?: string | null;
  /** In-app recipients (accounts). */
  userIds: readonly number[];
  cadreId: number | null;
  cadreName: string | null;
  /** Per recipient and occasion: a repeated send is a no-op. */
  dedupeKey: string | null;
  /** Structured content for machine receivers (the digest's items). */
  data?: unknown;
  /** The delivery row's id, sent along so the receiver can deduplicate. */
  deliveryId?: string;
};

export type DeliveryResult = { ok: boolean; attempts: number; httpStatus: number | null; error: string | null };

export interface NotificationChannel {
  readonly kind: string;
  send(msg: ChannelMessage): Promise<DeliveryResult>;
}

/** In-app notifications (the web's bell). */
export class InAppChannel implements NotificationChannel {
  readonly kind = 'in_app';
  constructor(private readonly db: Executor) {}
  async send(msg: ChannelMessage): Promise<DeliveryResult> {
    await notifyUsers(this.db, msg.userIds, { kind: msg.event, title: msg.title, body: msg.body, link: msg.link ?? null, dedupeKey: msg.dedupeKey });
    return { ok: true, attempts: 1, httpStatus: null, error: null };
  }
}

export const SIGNATURE_HEADER = 'x-lianxin-signature';
export const TIMESTAMP_HEADER = 'x-lianxin-timestamp';

/** The signature a receiver recomputes: hex HMAC-SHA256 of "<timestamp>.<raw body>" under the secret. */
export const signWebhook = (secret: string, timestamp: string, body: string) => `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;

export type WebhookOptions = { url: string; secret: string; timeoutMs: number; maxAttempts: number; retryDelayMs?: number };

/** POSTs the message as JSON; retries network errors, timeouts, 429 and 5xx up to maxAttempts. */
export class WebhookChannel implements NotificationChannel {
  readonly kind = 'webhook';
  constructor(private readonly o: WebhookOptions) {}
  async send(msg: ChannelMessage): Promise<DeliveryResult> {
    const body = JSON.stringify({
      event: msg.event, deliveryId: msg.deliveryId ?? null, sentAt: new Date().toISOString(),
      title: msg.title, body: msg.body, link: msg.link ?? null, cadre: msg.cadreId === null ? null : { id: msg.cadreId, name: msg.cadreName }, data: msg.data ?? null,
    });
    let last: DeliveryResult = { ok: false, attempts: 0, httpStatus: null, error: null };
    for (let attempt = 1; attempt <= this.o.maxAttempts; attempt++) {
      const ts = String(Math.floor(Date.now() / 1000));
      try {
        const res = await fetch(this.o.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8', [SIGNATURE_HEADER]: signWebhook(this.o.secret, ts, body), [TIMESTAMP_HEADER]: ts, 'x-lianxin-event': msg.event, 'user-agent': 'Lianxin-Webhook/1' },
          body,
          signal: AbortSignal.timeout(this.o.timeoutMs),
          redirect: 'manual',
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return { ok: true, attempts: attempt, httpStatus: res.status, error: null };
        last = { ok: false, attempts: attempt, httpStatus: res.status, error: `对方返回 HTTP ${res.status}` };
        if (res.status !== 429 && res.status < 500) return last; // the receiver refused it: sending again changes nothing
      } catch (e) {
        const timeout = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
        last = { ok: false, attempts: attempt, httpStatus: null, error: timeout ? `超时（${this.o.timeoutMs}毫秒）未响应` : `无法连接：${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}` };
      }
      if (attempt < this.o.maxAttempts && this.o.retryDelayMs) await new Promise((r) => setTimeout(r, this.o.retryDelayMs! * attempt));
    }
    return last;
  }
}

// ── Channel rows ────────────────────────────────────────────────────────────────────────────

export type ChannelRow = {
  id: number; kind: 'webhook'; name: string; url: string; secret_enc: string; timeout_ms: number; max_attempts: number; active: boolean;
  region_code: string | null; region_path: string | null; created_at: Date; updated_at: Date;
};
const channelColumns = ['id', 'kind', 'name', 'url', 'secret_enc', 'timeout_ms', 'max_attempts', 'active', 'region_code', 'region_path', 'created_at', 'updated_at'] as const;

/** The implementation for a configured row. */
export function channelFor(row: ChannelRow, key: PersonalDataKey, retryDelayMs = 1000): NotificationChannel {
  return new WebhookChannel({ url: row.url, secret: decrypt(key, row.secret_enc), timeoutMs: row.timeout_ms, maxAttempts: row.max_attempts, retryDelayMs });
}

/** A channel serves the cadres whose unit lies in its region (everyone when it has none). */
export const channelServes = (row: Pick<ChannelRow, 'region_path'>, unitRegionPath: string) => row.region_path === null || isUnder(unitRegionPath, row.region_path);

export async function activeChannels(db: Executor): Promise<ChannelRow[]> {
  return db.selectFrom('notification_channels').select(channelColumns).where('active', '=', true).orderBy('id').execute();
}

/**
 * Sends one message through one channel and records it. With a dedupe key, a delivery already
 * recorded for the channel (by this pass or another process) is not sent again: returns null.
 */
export async function deliver(db: Executor, row: ChannelRow, channel: NotificationChannel, msg: ChannelMessage, now = new Date()): Promise<DeliveryResult | null> {
  const ins = await db.insertInto('notification_deliveries').values({
    channel_id: row.id, channel_kind: channel.kind, event: msg.event, dedupe_key: msg.dedupeKey, user_id: msg.userIds[0] ?? null, cadre_id: msg.cadreId,
    title: msg.title, status: 'pending', created_at: now,
  }).onConflict((oc) => oc.columns(['channel_id', 'dedupe_key']).where('dedupe_key', 'is not', null).doNothing()).returning('id').executeTakeFirst();
  if (!ins) return null;
  let result: DeliveryResult;
  try {
    result = await channel.send({ ...msg, deliveryId: String(ins.id) });
  } catch (e) {
    result = { ok: false, attempts: 1, httpStatus: null, error: e instanceof Error ? e.message : String(e) };
  }
  await db.updateTable('notification_deliveries').set({
    status: result.ok ? 'sent' : 'failed', attempts: result.attempts, http_status: result.httpStatus, error: result.error?.slice(0, 500) ?? null, finished_at: new Date(),
  }).where('id', '=', ins.id).execute();
  return result;
}

// ── Configuring channels (admins) ───────────────────────────────────────────────────────────

function visibleTo(actor: Actor) {
  const s = actor.scope.regionPath;
  return s === null ? sql<boolean>`true` : sql<boolean>`(notification_channels.region_path = ${s} or notification_channels.region_path like ${`${s}/%`})`;
}

type DeliveryRow = {
  id: string; channel_id: number | null; channel_kind: string; event: string; cadre_id: number | null; cadre_name: string | null; title: string;
  status: 'pending' | 'sent' | 'failed'; attempts: number; http_status: number | null; error: string | null; created_at: Date; finished_at: Date | null;
};
const deliveryDto = (r: DeliveryRow): ChannelDelivery => ({
  id: String(r.id), channelId: r.channel_id, channelKind: r.channel_kind, event: r.event, cadreId: r.cadre_id, cadreName: r.cadre_name, title: r.title,
  status: r.status, attempts: r.attempts, httpStatus: r.http_status, error: r.error, createdAt: r.created_at.toISOString(), finishedAt: r.finished_at?.toISOString() ?? null,
});

async function lastDeliveries(db: Executor, channelIds: number[], per = 10): Promise<Map<number, ChannelDelivery[]>> {
  const out = new Map<number, ChannelDelivery[]>();
  if (channelIds.length === 0) return out;
  const { rows } = await sql<DeliveryRow>`
    select d.id, d.channel_id, d.channel_kind, d.event, d.cadre_id, c.name as cadre_name, d.title, d.status, d.attempts, d.http_status, d.error, d.created_at, d.finished_at
    from unnest(${channelIds}::int[]) as ch(id)
    cross join lateral (select * from notification_deliveries x where x.channel_id = ch.id order by x.created_at desc, x.id desc limit ${per}) d
    left join cadres c on c.id = d.cadre_id
    order by d.channel_id, d.created_at desc, d.id desc`.execute(db);
  for (const r of rows) {
    const l = out.get(r.channel_id!) ?? [];
    l.push(deliveryDto(r));
    out.set(r.channel_id!, l);
  }
  return out;
}

const toDto = (r: ChannelRow, deliveries: ChannelDelivery[]): ChannelDto => ({
  id: r.id, kind: r.kind, name: r.name, url: r.url, secretSet: r.secret_enc !== '', timeoutMs: r.timeout_ms, maxAttempts: r.max_attempts, active: r.active,
  regionCode: r.region_code, lastDeliveries: deliveries, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
});

export async function listChannels(db: Executor, actor: Actor): Promise<ChannelDto[]> {
  assertCan(actor, 'calendar.configure');
  const rows = await db.selectFrom('notification_channels').select(channelColumns).where(visibleTo(actor)).orderBy('id').execute();
  const d = await lastDeliveries(db, rows.map((r) => r.id));
  return rows.map((r) => toDto(r, d.get(r.id) ?? []));
}

async function visibleChannel(db: Executor, actor: Actor, id: number): Promise<ChannelRow> {
  assertCan(actor, 'calendar.configure');
  const row = await db.selectFrom('notification_channels').select(channelColumns).where('id', '=', id).where(visibleTo(actor)).executeTakeFirst();
  if (!row) throw notFound('通知渠道', id);
  return row;
}

export async function getChannel(db: Executor, actor: Actor, id: number): Promise<ChannelDto> {
  const row = await visibleChannel(db, actor, id);
  return toDto(row, (await lastDeliveries(db, [id], 20)).get(id) ?? []);
}

/** The channel's secret and URL never go into the audit log: only that they were set or changed. */
const auditDetail = (input: SaveChannel) => ({ kind: input.kind, name: input.name, urlHost: new URL(input.url).host, secretChanged: input.secret !== undefined, timeoutMs: input.timeoutMs, maxAttempts: input.maxAttempts, active: input.active });

export async function createChannel(db: Executor, actor: Actor, key: PersonalDataKey, input: SaveChannel): Promise<ChannelDto> {
  assertCan(actor, 'calendar.configure');
  if (!input.secret) throw new AppError('VALIDATION_FAILED', '新建渠道需要签名密钥 secret（至少16个字符）', { field: 'body.secret', errors: [{ field: 'body.secret', message: '必填' }] });
  const secret = input.secret;
  return inTransaction(db, async (tx) => {
    const regionPath = actor.scope.regionPath;
    const row = await tx.insertInto('notification_channels').values({
      kind: input.kind, name: input.name, url: input.url, secret_enc: encrypt(key, secret), timeout_ms: input.timeoutMs, max_attempts: input.maxAttempts, active: input.active,
      region_code: regionPath?.split('/').at(-1) ?? null, region_path: regionPath, created_by: actor.userId,
    }).returning(channelColumns).executeTakeFirstOrThrow();
    await recordAudit(tx, actor, { action: 'channel.create', entity: 'notification_channel', entityId: row.id, detail: auditDetail(input), where: { regionPath, unitPath: null } });
    return toDto(row, []);
  });
}

export async function updateChannel(db: Executor, actor: Actor, key: PersonalDataKey, id: number, input: SaveChannel): Promise<ChannelDto> {
  return inTransaction(db, async (tx) => {
    const cur = await visibleChannel(tx, actor, id);
    const row = await tx.updateTable('notification_channels').set({
      kind: input.kind, name: input.name, url: input.url, timeout_ms: input.timeoutMs, max_attempts: input.maxAttempts, active: input.active, updated_at: new Date(),
      ...(input.secret ? { secret_enc: encrypt(key, input.secret) } : {}),
    }).where('id', '=', id).returning(channelColumns).executeTakeFirstOrThrow();
    await recordAudit(tx, actor, { action: 'channel.update', entity: 'notification_channel', entityId: id, detail: auditDetail(input), where: { regionPath: cur.region_path, unitPath: null } });
    return toDto(row, (await lastDeliveries(tx, [id])).get(id) ?? []);
  });
}

export async function deleteChannel(db: Executor, actor: Actor, id: number): Promise<{ deleted: true }> {
  return inTransaction(db, async (tx) => {
    const cur = await visibleChannel(tx, actor, id);
    await tx.deleteFrom('notification_channels').where('id', '=', id).execute();
    await recordAudit(tx, actor, { action: 'channel.delete', entity: 'notification_channel', entityId: id, detail: { name: cur.name }, where: { regionPath: cur.region_path, unitPath: null } });
    return { deleted: true as const };
  });
}

/** Sends a test message through the channel now (no retry delay) and returns the recorded delivery. */
export async function testChannel(db: Executor, actor: Actor, key: PersonalDataKey, id: number): Promise<ChannelDelivery> {
  const row = await visibleChannel(db, actor, id);
  await recordAudit(db, actor, { action: 'channel.test', entity: 'notification_channel', entityId: id, where: { regionPath: row.region_path, unitPath: null } });
  await deliver(db, row, channelFor(row, key, 0), {
    event: 'channel.test', title: `连心平台测试消息：${row.name}`, body: `这是一条测试消息，由 ${actor.username} 于 ${new Date().toISOString()} 发送。收到即说明地址与签名密钥配置正确。`,
    userIds: actor.userId === null ? [] : [actor.userId], cadreId: null, cadreName: null, dedupeKey: null,
  });
  return (await lastDeliveries(db, [id], 1)).get(id)![0]!;
}
