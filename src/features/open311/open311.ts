import { randomBytes } from 'node:crypto';
import { int4Max } from '../../../contracts/common.ts';
import { createTicket as createTicketContract, requesterPhone } from '../../../contracts/ticket-api.ts';
import {
  ticketRatingLabels, ticketStateLabels, ticketTypeLabels, ticketUrgencyLabels,
  type TicketRating, type TicketState, type TicketType, type TicketUrgency,
} from '../../../contracts/tickets.ts';
import type { Executor } from '../../db/database.ts';
import { pathUnder } from '../../db/paths.ts';
import { AppError } from '../../errors.ts';
import type { PersonalDataKey } from '../../lib/personal-data.ts';
import { limitDays } from '../tickets/deadlines.ts';
import { createTicket, loadPolicy } from '../tickets/tickets.ts';
import { topRegion } from './deployment.ts';
import { open311Actor, verifyApiKey } from './keys.ts';
import type { SparkObject } from './xml.ts';

// Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2) over the ticket loop, plus the
// servicerequestupdates extension (mySociety's, used by FixMyStreet). Decisions the spec leaves to
// the server, written down once:
//
// - Services are the active leaf categories of the ticket category tree; `group` is the parent's
//   name. Every service has the same three optional attributes (serviceAttributes): the ticket
//   type (default 求助), its urgency (default 一般) and the region code where the problem is.
// - A request is placed in a region: the `region_code` attribute, else `jurisdiction_id` when it is
//   a division code (6, 9 or 12 digits) of a region we hold, else the deployment's top region (the
//   deepest region containing all others, e.g. the county). Address and coordinates are kept as
//   given; the dispatcher places the ticket more precisely when dispatching.
// - Only tickets that came in through Open311 are public (GET requests, requests/{id},
//   servicerequestupdates): tickets from visits, the hotline or letters stay inside. The
//   requester's name, phone and email are never returned; email is not stored at all.
// - Status: resolved and closed tickets are `closed`, every other state `open`.
// - POST answers with service_request_id at once (type realtime) and also with the token it
//   stored, so a client that keeps tokens can resolve them through tokens/{token}.

/** One error as GeoReport v2 writes it; `code` is the HTTP status. */
export type Open311ErrorItem = { code: number; description: string };

const statusCode = { VALIDATION_FAILED: 400, FORBIDDEN: 403, NOT_FOUND: 404 } as const;
const fail = (code: keyof typeof statusCode, errors: string[]) =>
  new AppError(code, errors[0]!, { errors: errors.map((description) => ({ code: statusCode[code], description })) });

// ---- Dates ----------------------------------------------------------------------------------

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The longest span one GET requests or updates call may cover (GeoReport v2, Response Volume). */
export const MAX_SPAN_DAYS = 90;
/** The most rows one call returns (GeoReport v2: "first 1000 requests"). */
export const MAX_ROWS = 1000;

/** W3C date-time (www.w3.org/TR/NOTE-datetime) in China time: 2026-05-01T09:30:00+08:00. */
export const w3c = (at: Date): string => `${new Date(at.getTime() + 8 * HOUR).toISOString().slice(0, 19)}+08:00`;
const w3cOrNull = (at: Date | null | undefined) => (at ? w3c(at) : null);

const W3C_INPUT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2})))?$/;

/**
 * A start_date / end_date: a W3C date-time with its zone (Z or ±hh:mm), or a bare date read as
 * the start of that China day. A '+' sent unencoded in a query string arrives as a space; it is
 * read as the '+' it was.
 */
export function parseW3c(field: string, raw: string): Date {
  const value = raw.trim().replace(/ (\d{2}:\d{2})$/, '+$1');
  const m = W3C_INPUT.exec(value);
  const bad = () => fail('VALIDATION_FAILED', [`${field} 应为 W3C 日期时间格式（如 2026-05-01T00:00:00+08:00 或 2026-05-01T00:00:00Z），收到「${raw.slice(0, 40)}」`]);
  if (!m) throw bad();
  const [, y, mo, d, h, mi, s, zone, zh, zm] = m;
  const daysInMonth = new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate();
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > daysInMonth) throw bad();
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59)) throw bad();
  if (zone && zone !== 'Z' && (Number(zh) > 14 || Number(zm) > 59)) throw bad();
  const at = Date.parse(h === undefined ? `${value}T00:00:00+08:00` : value);
  if (Number.isNaN(at)) throw bad();
  return new Date(at);
}

/**
 * The period a listing covers. GeoReport v2: when no dates are given, the most recent 90 days;
 * given both, they may not span more than 90 days; given one, 90 days from (or up to) it.
 */
export function period(q: { start_date?: string | undefined; end_date?: string | undefined }, now: Date): { from: Date; to: Date } {
  const start = q.start_date ? parseW3c('start_date', q.start_date) : null;
  const end = q.end_date ? parseW3c('end_date', q.end_date) : null;
  if (start && end) {
    if (end < start) throw fail('VALIDATION_FAILED', ['end_date 早于 start_date']);
    if (end.getTime() - start.getTime() > MAX_SPAN_DAYS * DAY) throw fail('VALIDATION_FAILED', [`start_date 到 end_date 不能超过 ${MAX_SPAN_DAYS} 天`]);
    return { from: start, to: end };
  }
  if (start) return { from: start, to: new Date(start.getTime() + MAX_SPAN_DAYS * DAY) };
  if (end) return { from: new Date(end.getTime() - MAX_SPAN_DAYS * DAY), to: end };
  return { from: new Date(now.getTime() - MAX_SPAN_DAYS * DAY), to: now };
}

/** The pagination extension (page, page_size), widely implemented; page_size is at most 1000. */
function paging(q: { page?: string | undefined; page_size?: string | undefined }) {
  const num = (field: string, raw: string | undefined, max: number, fallback: number) => {
    if (raw === undefined) return fallback;
    if (!/^\d{1,7}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw fail('VALIDATION_FAILED', [`${field} 应为 1 到 ${max} 的整数`]);
    return Number(raw);
  };
  const pageSize = num('page_size', q.page_size, MAX_ROWS, MAX_ROWS);
  return { limit: pageSize, offset: (num('page', q.page, 100_000, 1) - 1) * pageSize };
}

// ---- Services ---------------------------------------------------------------------------------

export type Open311Service = {
  service_code: string;
  service_name: string;
  description: string;
  metadata: boolean;
  type: 'realtime';
  keywords: string;
  group: string;
};

type Category = { code: string; parent_code: string | null; name_zh: string; name_en: string; sort: number; active: boolean };
type ServiceInfo = Open311Service & { nameEn: string };

/** Active leaf categories in tree order; a category under an inactive one is inactive too. */
async function services(db: Executor): Promise<ServiceInfo[]> {
  const rows: Category[] = await db.selectFrom('ticket_categories').select(['code', 'parent_code', 'name_zh', 'name_en', 'sort', 'active']).execute();
  const children = new Map<string | null, Category[]>();
  for (const r of rows) children.set(r.parent_code, [...(children.get(r.parent_code) ?? []), r]);
  const out: ServiceInfo[] = [];
  const walk = (parent: Category | null) => {
    const kids = (children.get(parent?.code ?? null) ?? []).filter((c) => c.active).sort((a, b) => a.sort - b.sort || a.code.localeCompare(b.code));
    for (const c of kids) {
      if ((children.get(c.code) ?? []).some((k) => k.active)) {
        walk(c);
        continue;
      }
      const group = parent?.name_zh ?? c.name_zh;
      out.push({
        service_code: c.code,
        service_name: c.name_zh,
        description: parent ? `${parent.name_zh} · ${c.name_zh}${c.name_en ? `（${c.name_en}）` : ''}` : `${c.name_zh}${c.name_en ? `（${c.name_en}）` : ''}`,
        metadata: true,
        type: 'realtime',
        keywords: [...new Set([c.name_zh, c.name_en, parent?.name_zh, parent?.name_en].filter((k): k is string => !!k))].join(', '),
        group,
        nameEn: c.name_en,
      });
    }
  };
  walk(null);
  return out;
}

export async function listServices(db: Executor): Promise<Open311Service[]> {
  return (await services(db)).map(({ nameEn: _nameEn, ...s }) => s);
}

async function findService(db: Executor, code: string): Promise<ServiceInfo> {
  const s = (await services(db)).find((x) => x.service_code === code);
  if (!s) throw fail('NOT_FOUND', [`service_code「${code.slice(0, 100)}」不存在或已停用；可用的服务见 services.json`]);
  return s;
}

/** The ticket types a public client may choose: 举报 (reports naming people) goes to the hotline, not to a public list. */
const publicTypes = ['consult', 'help', 'complaint', 'suggestion'] as const satisfies readonly TicketType[];
const urgencies = ['normal', 'urgent', 'critical'] as const satisfies readonly TicketUrgency[];

/** The attributes of every service (GeoReport v2, GET Service Definition). All optional. */
export const serviceAttributes = [
  {
    variable: true, code: 'type', datatype: 'singlevaluelist', required: false, datatype_description: null, order: 1,
    description: '诉求类型，不填为求助（Request type; help when omitted）',
    values: publicTypes.map((k) => ({ key: k, name: `${ticketTypeLabels[k].zh}（${ticketTypeLabels[k].en}）` })),
  },
  {
    variable: true, code: 'urgency', datatype: 'singlevaluelist', required: false, datatype_description: null, order: 2,
    description: '紧急程度，不填为一般（Urgency; normal when omitted）',
    values: urgencies.map((k) => ({ key: k, name: `${ticketUrgencyLabels[k].zh}（${ticketUrgencyLabels[k].en}）` })),
  },
  {
    variable: true, code: 'region_code', datatype: 'string', required: false,
    datatype_description: '统计用区划代码，12位（如 330225101000），也可写6位或9位前缀', order: 3,
    description: '问题所在的乡镇（街道）或村（社区）；不填则按 jurisdiction_id 或本平台所辖区划登记（Division code of the place）',
  },
] as const;

export async function serviceDefinition(db: Executor, code: string): Promise<SparkObject> {
  const s = await findService(db, code);
  return { service_code: s.service_code, attributes: serviceAttributes };
}

// ---- Discovery --------------------------------------------------------------------------------

export const SPECIFICATION = 'http://wiki.open311.org/GeoReport_v2';

/** Service Discovery (wiki.open311.org/Service_Discovery). `changeset` moves when a category is added. */
export async function discovery(db: Executor, endpointUrl: string): Promise<SparkObject> {
  const last = await db.selectFrom('ticket_categories').select((eb) => eb.fn.max('created_at').as('at')).executeTakeFirst();
  const changeset = w3c(last?.at ? new Date(last.at) : new Date(0));
  return {
    changeset,
    contact: '连心平台 Open311 接口：请联系本平台管理员（活动办）。Contact the platform administrator.',
    key_service: 'API 密钥由平台管理员签发（系统管理 → Open311 密钥，或服务器上运行 lianxin open311 key add 名称）。Keys are issued by the platform administrator.',
    endpoints: [{ specification: SPECIFICATION, url: endpointUrl, changeset, type: 'production', formats: ['text/xml', 'application/json'] }],
  };
}

// ---- Regions ----------------------------------------------------------------------------------

/** 6, 9 or 12 digits: a county, township or full division code, padded to 12 digits. */
const divisionCode = (v: string) => (/^(\d{6}|\d{9}|\d{12})$/.test(v) ? v.padEnd(12, '0') : null);

async function regionByCode(db: Executor, code: string) {
  return db.selectFrom('regions').select(['code', 'name', 'path']).where('code', '=', code).where('valid_to', 'is', null).executeTakeFirst();
}

/**
 * jurisdiction_id: a division code we hold narrows to that region; an unknown division code is
 * 404 (GeoReport v2); anything else (a domain name, as the spec suggests) is ignored — this
 * endpoint serves one deployment.
 */
async function jurisdiction(db: Executor, raw: string | undefined) {
  if (!raw) return null;
  const code = divisionCode(raw.trim());
  if (!code) return null;
  const region = await regionByCode(db, code);
  if (!region) throw fail('NOT_FOUND', [`jurisdiction_id「${raw.slice(0, 40)}」不是本平台的区划`]);
  return region;
}

// ---- Requests: submitting ---------------------------------------------------------------------

/** A submitted form: each field once (the last value wins), attributes by code. */
export type SubmittedRequest = { fields: Record<string, string | undefined>; attributes: Record<string, string[]> };

const present = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
const cjk = /[\u3400-\u9fff]/;

/** A phone as people type it (+86, spaces, brackets) reduced to what the ticket contract accepts. */
const normalisePhone = (raw: string) => raw.replace(/[\s().]/g, '').replace(/^(?:\+|00)?86(?=1\d{10}$)/, '');

export type SubmitResult = { service_request_id: string; token: string; service_notice: string; account_id: string | null };

/** POST requests: the api_key, then every problem with the form at once, then the ticket. */
export async function submitRequest(db: Executor, key: PersonalDataKey, form: SubmittedRequest, now = new Date()): Promise<SubmitResult[]> {
  const f = Object.fromEntries(Object.entries(form.fields).map(([k, v]) => [k, present(v)]));
  const holder = await verifyApiKey(db, f.api_key, now);

  const problems: string[] = [];
  if (!f.service_code) problems.push('缺少 service_code：请从 services.json 中选择服务');
  let lat: number | null = null;
  let lng: number | null = null;
  if (f.lat !== undefined || f.long !== undefined) {
    if (f.lat === undefined || f.long === undefined) problems.push('lat 和 long 须同时提供');
    else {
      lat = Number(f.lat);
      lng = Number(f.long);
      if (!/^-?\d+(\.\d+)?$/.test(f.lat) || lat < -90 || lat > 90) problems.push('lat 应为 -90 到 90 的十进制纬度（WGS84）');
      if (!/^-?\d+(\.\d+)?$/.test(f.long) || lng < -180 || lng > 180) problems.push('long 应为 -180 到 180 的十进制经度（WGS84）');
    }
  }
  if (f.lat === undefined && f.long === undefined && !f.address_string && !f.address_id) {
    problems.push('缺少位置：须提供 lat 和 long，或 address_string，或 address_id');
  }
  if (f.media_url !== undefined && !isWebUrl(f.media_url)) problems.push('media_url 应为 http 或 https 网址，最长 1000 字符');
  if (f.description !== undefined && f.description.length > 4000) problems.push('description 最长 4000 字符');
  if (problems.length) throw fail('VALIDATION_FAILED', problems);

  const service = await findService(db, f.service_code!);
  const juris = await jurisdiction(db, f.jurisdiction_id);

  const attr = (code: string) => present(form.attributes[code]?.at(-1));
  const type = attr('type') ?? 'help';
  if (!(publicTypes as readonly string[]).includes(type)) problems.push(`attribute[type] 应为 ${publicTypes.join(' / ')}`);
  const urgency = attr('urgency') ?? 'normal';
  if (!(urgencies as readonly string[]).includes(urgency)) problems.push(`attribute[urgency] 应为 ${urgencies.join(' / ')}`);
  let region = juris;
  const regionAttr = attr('region_code');
  if (regionAttr !== undefined) {
    const code = divisionCode(regionAttr);
    const r = code ? await regionByCode(db, code) : undefined;
    if (!r) problems.push(`attribute[region_code]「${regionAttr.slice(0, 40)}」不是本平台的区划代码`);
    else if (juris && !(r.path === juris.path || r.path.startsWith(`${juris.path}/`))) problems.push(`attribute[region_code] ${r.code} 不在 jurisdiction_id ${juris.code} 之内`);
    else region = r;
  }
  region ??= await topRegion(db);
  if (!region && !problems.length) problems.push('缺少 jurisdiction_id：本平台有多个顶级区划，请提供区划代码');

  const given = f.first_name ?? '';
  const family = f.last_name ?? '';
  const name = (cjk.test(given + family) ? `${family}${given}` : `${given} ${family}`).trim() || null;
  const phone = f.phone === undefined ? null : normalisePhone(f.phone);
  if (phone !== null && !requesterPhone.safeParse(phone).success) problems.push('phone 应为手机号或座机号（7–15位数字，可含 +86、空格、连字符）');
  if (problems.length) throw fail('VALIDATION_FAILED', problems);

  const description = f.description;
  const address = f.address_string ?? (f.address_id ? `地址编号 ${f.address_id}` : '');
  const firstLine = description?.split(/\r?\n/)[0]?.trim().slice(0, 60);
  const input = {
    source: 'open311' as const,
    type: type as TicketType,
    categoryCode: service.service_code,
    urgency: urgency as TicketUrgency,
    title: (firstLine ? `${service.service_name}：${firstLine}` : `${service.service_name}${address ? `：${address.slice(0, 60)}` : ''}`).slice(0, 100),
    content: description ?? `${service.service_name}（通过 Open311 提交，未填写描述）`,
    requester: { name, phone, anonymous: !name && !phone },
    regionCode: region!.code,
    address,
    lat,
    lng,
    attachmentIds: [],
  };
  // The ticket contract checks what Open311 does not (lengths, storable text); name its fields as the client sent them.
  const checked = createTicketContract.safeParse(input);
  if (!checked.success) {
    const addressField = f.address_string ? 'address_string' : 'address_id';
    const asSent: Record<string, string> = { title: description ? 'description' : addressField, content: 'description', requester: 'first_name / last_name', address: addressField, lng: 'long' };
    throw fail('VALIDATION_FAILED', [...new Set(checked.error.issues.map((i) => `${asSent[String(i.path[0])] ?? String(i.path.join('.'))}：${i.message}`))]);
  }

  const token = randomBytes(12).toString('base64url');
  const ticket = await createTicket(db, open311Actor(holder), key, input, { now, open311KeyId: holder.id, open311Token: token, mediaUrl: f.media_url });
  const days = limitDays(input.type, input.urgency, await loadPolicy(db));
  const limit = days === 0 ? '当日办结' : `${days} 个工作日内办结`;
  return [{
    service_request_id: String(ticket.id),
    token,
    service_notice: `已受理，查询码 ${ticket.trackingCode}。按规定自交办之日起${limit}。${phone ? '诉求人可凭查询码和手机号后4位查询办理进度、评价办理结果。' : ''}`,
    account_id: f.account_id ?? null,
  }];
}

function isWebUrl(v: string) {
  if (v.length > 1000 || v.includes('\u0000')) return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

// ---- Requests: reading ------------------------------------------------------------------------

const closedStates: readonly TicketState[] = ['resolved', 'closed'];
const statusOf = (state: TicketState) => (closedStates.includes(state) ? 'closed' : 'open');

export type Open311Request = {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string | null;
  service_name: string;
  service_code: string;
  description: string;
  agency_responsible: string | null;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: string | null;
  address: string | null;
  address_id: string | null;
  zipcode: string | null;
  lat: number | null;
  long: number | null;
  media_url: string | null;
};

/** The public tickets: those that came in through Open311. No column about the requester is selected. */
function publicRequests(db: Executor) {
  return db.selectFrom('tickets as t')
    .innerJoin('ticket_categories as c', 'c.code', 't.category_code')
    .leftJoin('units as u', 'u.id', 't.handling_unit_id')
    .where('t.source', '=', 'open311')
    .select([
      't.id', 't.state', 't.reply', 't.merged_into_id', 't.category_code', 'c.name_zh as service_name', 't.content', 'u.name as unit_name',
      't.created_at', 't.updated_at', 't.resolved_at', 't.closed_at', 't.due_at', 't.address', 't.lat', 't.lng', 't.media_url',
    ]);
}
type RequestRow = Awaited<ReturnType<ReturnType<typeof publicRequests>['executeTakeFirstOrThrow']>>;

function toRequest(r: RequestRow): Open311Request {
  const status = statusOf(r.state);
  const notes = r.merged_into_id !== null ? '已与相同诉求合并办理' : r.reply ?? ticketStateLabels[r.state].zh;
  const closedAt = r.resolved_at ?? r.closed_at;
  return {
    service_request_id: String(r.id),
    status,
    status_notes: notes,
    service_name: r.service_name,
    service_code: r.category_code,
    description: r.content,
    agency_responsible: r.unit_name,
    service_notice: null,
    requested_datetime: w3c(r.created_at),
    // GeoReport v2: for a closed request, the time it was closed.
    updated_datetime: w3c(status === 'closed' && closedAt ? closedAt : r.updated_at),
    expected_datetime: w3cOrNull(r.due_at),
    address: r.address || null,
    address_id: null,
    zipcode: null,
    lat: r.lat,
    long: r.lng,
    media_url: r.media_url,
  };
}

export type RequestsQuery = Partial<Record<'jurisdiction_id' | 'service_request_id' | 'service_code' | 'start_date' | 'end_date' | 'status' | 'page' | 'page_size', string>>;

const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const ticketId = (v: string) => (/^\d{1,10}$/.test(v) && Number(v) >= 1 && Number(v) <= int4Max ? Number(v) : null);

/** GET requests: by ids (which overrides every other argument), or by service, status and period. */
export async function listRequests(db: Executor, q: RequestsQuery, now = new Date()): Promise<Open311Request[]> {
  const clean = Object.fromEntries(Object.entries(q).map(([k, v]) => [k, present(v)])) as RequestsQuery;
  const { limit, offset } = paging(clean);
  let query = publicRequests(db);
  if (clean.service_request_id) {
    const raw = list(clean.service_request_id);
    const bad = raw.filter((v) => ticketId(v) === null);
    if (bad.length) throw fail('VALIDATION_FAILED', [`service_request_id 中「${bad[0]!.slice(0, 20)}」不是有效的编号`]);
    if (raw.length > MAX_ROWS) throw fail('VALIDATION_FAILED', [`service_request_id 一次最多 ${MAX_ROWS} 个`]);
    query = query.where('t.id', 'in', raw.map(Number));
  } else {
    const juris = await jurisdiction(db, clean.jurisdiction_id);
    if (juris) query = query.where(pathUnder('t.region_path', juris.path));
    const codes = list(clean.service_code);
    if (codes.some((c) => c.includes('\u0000'))) throw fail('VALIDATION_FAILED', ['service_code 不能包含空字符（U+0000）']);
    if (codes.length) query = query.where('t.category_code', 'in', codes);
    const statuses = list(clean.status);
    const wrong = statuses.find((s) => s !== 'open' && s !== 'closed');
    if (wrong !== undefined) throw fail('VALIDATION_FAILED', [`status 应为 open 或 closed（可用逗号分隔），收到「${wrong.slice(0, 20)}」`]);
    if (statuses.length === 1) query = query.where('t.state', statuses[0] === 'closed' ? 'in' : 'not in', closedStates);
    const { from, to } = period(clean, now);
    query = query.where('t.created_at', '>=', from).where('t.created_at', '<=', to);
  }
  const rows = await query.orderBy('t.created_at', 'desc').orderBy('t.id', 'desc').limit(limit).offset(offset).execute();
  return rows.map(toRequest);
}

export async function getRequest(db: Executor, rawId: string): Promise<Open311Request[]> {
  const id = ticketId(rawId);
  const row = id === null ? undefined : await publicRequests(db).where('t.id', '=', id).executeTakeFirst();
  if (!row) throw fail('NOT_FOUND', [`service_request_id「${rawId.slice(0, 20)}」不存在`]);
  return [toRequest(row)];
}

/** GET tokens/{token}: the request a token stands for. */
export async function requestIdForToken(db: Executor, token: string): Promise<{ service_request_id: string; token: string }[]> {
  const row = token.length <= 64 && !token.includes('\u0000')
    ? await db.selectFrom('tickets').select('id').where('open311_token', '=', token).where('source', '=', 'open311').executeTakeFirst()
    : undefined;
  if (!row) throw fail('NOT_FOUND', [`token「${token.slice(0, 20)}」不存在`]);
  return [{ service_request_id: String(row.id), token }];
}

// ---- servicerequestupdates (extension) --------------------------------------------------------

export type Open311Update = {
  update_id: string;
  service_request_id: string;
  status: 'OPEN' | 'CLOSED';
  updated_datetime: string;
  description: string;
  media_url: string | null;
};

/**
 * What the public reads for each event, without officials' names or internal notes. Events not
 * listed (supervision, extension requests, assisting units) are internal and left out.
 */
const updateText: Record<string, (e: { data: Record<string, unknown>; note: string | null; toState: TicketState }) => string> = {
  register: () => '已受理登记',
  dispatch: () => '已交办承办单位',
  transfer: () => '已改派承办单位',
  return: () => '承办单位退回，待重新交办',
  sign: () => '承办单位已签收',
  start: () => '开始办理',
  // The machine keeps the reply to the requester as the note of these two events.
  resolve: (e) => `已办结：${e.note ?? ''}`,
  fix_on_spot: (e) => `已现场办结：${e.note ?? ''}`,
  approve_extension: () => '办理期限已延长',
  rate: (e) => {
    const rating = typeof e.data.rating === 'string' && e.data.rating in ticketRatingLabels ? ticketRatingLabels[e.data.rating as TicketRating].zh : null;
    return `诉求人评价${rating ? `：${rating}` : ''}${e.toState === 'closed' ? '' : '，重新办理'}`;
  },
  close: () => '已办结归档',
  merge: () => '已与相同诉求合并办理',
};
const publicActions = Object.keys(updateText);

export type UpdatesQuery = Partial<Record<'jurisdiction_id' | 'start_date' | 'end_date' | 'page' | 'page_size', string>>;

/** GET servicerequestupdates: the public events of public tickets in the period, oldest first. */
export async function listUpdates(db: Executor, q: UpdatesQuery, now = new Date()): Promise<Open311Update[]> {
  const clean = Object.fromEntries(Object.entries(q).map(([k, v]) => [k, present(v)])) as UpdatesQuery;
  const { limit, offset } = paging(clean);
  const { from, to } = period(clean, now);
  let query = db.selectFrom('ticket_events as e')
    .innerJoin('tickets as t', 't.id', 'e.ticket_id')
    .where('t.source', '=', 'open311')
    .where('e.action', 'in', publicActions)
    .where('e.at', '>=', from).where('e.at', '<=', to)
    .select(['e.id', 'e.ticket_id', 'e.action', 'e.to_state', 'e.at', 'e.data', 'e.note']);
  const juris = await jurisdiction(db, clean.jurisdiction_id);
  if (juris) query = query.where(pathUnder('t.region_path', juris.path));
  const rows = await query.orderBy('e.at').orderBy('e.id').limit(limit).offset(offset).execute();
  return rows.map((r) => ({
    update_id: String(r.id),
    service_request_id: String(r.ticket_id),
    status: statusOf(r.to_state) === 'closed' ? 'CLOSED' : 'OPEN',
    updated_datetime: w3c(r.at),
    description: updateText[r.action]!({ data: (r.data ?? {}) as Record<string, unknown>, note: r.note, toState: r.to_state }),
    media_url: null,
  }));
}
