import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketDto } from '../../../contracts/ticket-api.ts';
import {
  actorFor, as, createTestApp, createTestDatabase, DANDONG, login, makeUnit, makeUser, seedXiangshan, SHIPU, testKey, XIANGSHAN, type Session,
} from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import { createTicket } from '../tickets/tickets.ts';
import { submitRequest, w3c } from './open311.ts';
import { asText, readXml, sparkOf } from './xml-reader.ts';

// Open311 GeoReport v2 under /open311/v2, every endpoint in JSON and XML (the XML read back by a
// strict reader and compared field by field with the JSON), the errors in the spec's format, and
// a request followed from POST to closed through the ticket loop.

const ARRAYS = ['services', 'attributes', 'values', 'service_requests', 'errors', 'endpoints', 'formats', 'service_request_updates'];
const NAME = '欧阳修远';
const PHONE = '13957418866';
const EMAIL = 'ouyang@example.com';

let h: DatabaseHandle;
let app: App;
let apiKey: string;
let keyId: number;
let adminS: Session;
let hotline: Session;
let hotlineUser: Awaited<ReturnType<typeof makeUser>>;
let water: Session;
let waterUnit: { id: number };

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
  waterUnit = await makeUnit(h.db, XIANGSHAN, { name: '县水务集团', level: 'county' });
  adminS = await login(app, (await makeUser(h.db, 'admin', { regionCode: XIANGSHAN })).username);
  hotlineUser = await makeUser(h.db, 'hotline_operator', { regionCode: XIANGSHAN });
  hotline = await login(app, hotlineUser.username);
  water = await login(app, (await makeUser(h.db, 'handling_dept', { unitId: waterUnit.id })).username);
  const res = await app.inject({ method: 'POST', url: '/api/v1/open311-keys', headers: as(adminS), payload: { name: '宁波民生e点通' } });
  expect(res.statusCode, res.body).toBe(201);
  ({ apiKey, id: keyId } = res.json());
});

afterAll(async () => {
  await app?.close();
  await h?.close();
});

const get = (path: string) => app.inject({ method: 'GET', url: `/open311/v2/${path}` });
const form = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
const post = (format: 'json' | 'xml', fields: Record<string, string>) =>
  app.inject({ method: 'POST', url: `/open311/v2/requests.${format}`, headers: form, payload: new URLSearchParams(fields).toString() });
const good = (over: Record<string, string> = {}) => ({
  api_key: apiKey, service_code: 'infrastructure.water', lat: '29.4766', long: '121.8693', address_string: '丹东街道金秋路8号',
  description: '金秋路8号连续三天停水\n无人答复', first_name: '修远', last_name: '欧阳', phone: PHONE, email: EMAIL, media_url: 'https://img.example.com/p/1.jpg', ...over,
});
const ticketCount = async () => Number((await sql<{ n: number }>`select count(*)::int as n from tickets`.execute(h.db)).rows[0]!.n);

/** The JSON answer, after checking its content type. */
function json(res: Awaited<ReturnType<typeof get>>, status = 200) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  return res.json();
}
/** The XML answer read back strictly, as its Spark-convention value; `root` is the top element's name. */
function xml(res: Awaited<ReturnType<typeof get>>, root: string, status = 200) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toBe('text/xml; charset=utf-8');
  const doc = readXml(res.body);
  expect(doc.name).toBe(root);
  return sparkOf(doc, ARRAYS);
}
/** Both formats of a GET, checked to carry the same data; the JSON value is returned. */
async function both(path: string, root: string, status = 200) {
  const j = json(await get(`${path}.json`), status);
  expect(xml(await get(`${path}.xml`), root, status)).toEqual(asText(j));
  return j;
}
function expectErrors(body: unknown, code: number, pattern: RegExp) {
  expect(Array.isArray(body)).toBe(true);
  const errors = body as { code: number; description: string }[];
  expect(errors.length).toBeGreaterThan(0);
  for (const e of errors) expect(e.code).toBe(code);
  expect(errors.map((e) => e.description).join(' | ')).toMatch(pattern);
}

describe('discovery, services and service definitions', () => {
  it('the OpenAPI document lists the Open311 routes and the key API', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      '/open311/v2/discovery.json', '/open311/v2/services.xml', '/open311/v2/services/{file}', '/open311/v2/requests.json', '/open311/v2/tokens/{file}',
      '/open311/v2/servicerequestupdates.xml', '/api/v1/open311-keys', '/api/v1/open311-keys/{id}/revoke',
    ]));
    expect(doc.paths['/open311/v2/requests.xml']!.post).toBeDefined();
  });

  it('discovery.json and discovery.xml name the GeoReport v2 endpoint and both formats', async () => {
    const d = await both('discovery', 'discovery');
    expect(Object.keys(d).sort()).toEqual(['changeset', 'contact', 'endpoints', 'key_service']);
    expect(d.endpoints).toHaveLength(1);
    expect(d.endpoints[0]).toMatchObject({ specification: 'http://wiki.open311.org/GeoReport_v2', type: 'production', formats: ['text/xml', 'application/json'] });
    expect(d.endpoints[0].url).toMatch(/^http:\/\/[^/]+\/open311\/v2$/);
    expect(d.changeset).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
  });

  it('services are the active leaf categories with their group, in JSON and XML', async () => {
    const list = await both('services', 'services') as Record<string, unknown>[];
    const codes = list.map((s) => s.service_code);
    expect(codes).toContain('infrastructure.water');
    expect(codes).toContain('other');
    expect(codes).not.toContain('infrastructure');
    expect(list.find((s) => s.service_code === 'infrastructure.water')).toEqual({
      service_code: 'infrastructure.water', service_name: '供水', description: '基础设施 · 供水（Water supply）', metadata: true, type: 'realtime',
      keywords: '供水, Water supply, 基础设施, Infrastructure', group: '基础设施',
    });
    expect(list.find((s) => s.service_code === 'other')).toMatchObject({ group: '其他' });
    for (const s of list) expect(Object.keys(s).sort()).toEqual(['description', 'group', 'keywords', 'metadata', 'service_code', 'service_name', 'type']);
  });

  it('a deactivated category, or one under a deactivated parent, is no longer a service', async () => {
    await h.db.updateTable('ticket_categories').set({ active: false }).where('code', 'in', ['employment.jobs', 'education']).execute();
    try {
      const codes = (json(await get('services.json')) as { service_code: string }[]).map((s) => s.service_code);
      expect(codes).not.toContain('employment.jobs');
      expect(codes).toContain('employment.wages');
      expect(codes.filter((c) => c.startsWith('education'))).toEqual([]);
      expectErrors(json(await get('services/education.enrolment.json'), 404), 404, /education\.enrolment/);
    } finally {
      await h.db.updateTable('ticket_categories').set({ active: true }).where('code', 'in', ['employment.jobs', 'education']).execute();
    }
  });

  it('a service definition lists the three optional attributes with their values, in JSON and XML', async () => {
    const d = await both('services/infrastructure.water', 'service_definition');
    expect(d.service_code).toBe('infrastructure.water');
    expect(d.attributes.map((a: { code: string }) => a.code)).toEqual(['type', 'urgency', 'region_code']);
    expect(d.attributes.map((a: { order: number }) => a.order)).toEqual([1, 2, 3]);
    for (const a of d.attributes) expect(a).toMatchObject({ variable: true, required: false });
    expect(d.attributes[0].datatype).toBe('singlevaluelist');
    expect(d.attributes[0].values.map((v: { key: string }) => v.key)).toEqual(['consult', 'help', 'complaint', 'suggestion']);
    expect(d.attributes[1].values.map((v: { key: string }) => v.key)).toEqual(['normal', 'urgent', 'critical']);
    expect(d.attributes[2]).toMatchObject({ datatype: 'string' });
  });

  it('an unknown service code is 404 with the spec’s error body, in both formats; an unknown format is 404', async () => {
    expectErrors(json(await get('services/no.such.json'), 404), 404, /no\.such/);
    const x = xml(await get('services/no.such.xml'), 'errors', 404) as { code: string; description: string }[];
    expect(x).toEqual([{ code: '404', description: expect.stringContaining('no.such') }]);
    xml(await get('services/infrastructure.water.html'), 'errors', 404);
    xml(await get('nothing-here.xml'), 'errors', 404);
    expectErrors(json(await get('nothing-here.json'), 404), 404, /没有这个 Open311 资源/);
  });
});

describe('POST requests', () => {
  it('creates an open311 ticket and answers service_request_id, token, service_notice, account_id; GET shows it without personal data', async () => {
    const before = new Date();
    const res = await post('json', good({ account_id: 'acct-7' }));
    const body = json(res);
    expect(body).toHaveLength(1);
    expect(Object.keys(body[0]).sort()).toEqual(['account_id', 'service_notice', 'service_request_id', 'token']);
    expect(body[0].account_id).toBe('acct-7');
    expect(body[0].service_request_id).toMatch(/^\d+$/);
    expect(body[0].service_notice).toMatch(/^已受理，查询码 LX[0-9A-Z]{8}。按规定自交办之日起5 个工作日内办结。/);

    const t = await h.db.selectFrom('tickets').selectAll().where('id', '=', Number(body[0].service_request_id)).executeTakeFirstOrThrow();
    expect(t).toMatchObject({
      source: 'open311', type: 'help', urgency: 'normal', category_code: 'infrastructure.water', region_code: XIANGSHAN, state: 'registered',
      requester_name: NAME, requester_phone_masked: '139****8866', address: '丹东街道金秋路8号', lat: 29.4766, lng: 121.8693,
      media_url: 'https://img.example.com/p/1.jpg', open311_key_id: keyId, open311_token: body[0].token, content: '金秋路8号连续三天停水\n无人答复',
      title: '供水：金秋路8号连续三天停水',
    });
    expect(t.requester_phone_enc).not.toContain(PHONE);
    const key = await h.db.selectFrom('open311_keys').select('last_used_at').where('id', '=', keyId).executeTakeFirstOrThrow();
    expect(key.last_used_at!.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    const audit = await h.db.selectFrom('audit_log').select(['username', 'action']).where('entity', '=', 'ticket').where('entity_id', '=', String(t.id)).execute();
    expect(audit).toEqual([{ username: 'open311:宁波民生e点通', action: 'ticket.create' }]);

    const one = await both(`requests/${t.id}`, 'service_requests');
    expect(one).toEqual([{
      service_request_id: String(t.id), status: 'open', status_notes: '已登记', service_name: '供水', service_code: 'infrastructure.water',
      description: '金秋路8号连续三天停水\n无人答复', agency_responsible: null, service_notice: null,
      requested_datetime: w3c(t.created_at), updated_datetime: w3c(t.updated_at), expected_datetime: null,
      address: '丹东街道金秋路8号', address_id: null, zipcode: null, lat: 29.4766, long: 121.8693, media_url: 'https://img.example.com/p/1.jpg',
    }]);
    expect(one[0].requested_datetime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    for (const path of [`requests/${t.id}.json`, `requests/${t.id}.xml`, 'requests.json', 'requests.xml', 'servicerequestupdates.json']) {
      const text = (await get(path)).body;
      for (const secret of [NAME, '修远', PHONE, '8866', EMAIL, 'acct-7']) expect(text, `${path} leaks ${secret}`).not.toContain(secret);
    }

    // The token stands for the request, in both formats.
    expect(await both(`tokens/${body[0].token}`, 'service_requests')).toEqual([{ service_request_id: String(t.id), token: body[0].token }]);
  });

  it('answers in XML too, and takes the attributes: type, urgency and the region inside the jurisdiction', async () => {
    const res = await post('xml', {
      ...good(), jurisdiction_id: '330225', 'attribute[type]': 'complaint', 'attribute[urgency]': 'urgent', 'attribute[region_code]': DANDONG,
    });
    const [r] = xml(res, 'service_requests') as { service_request_id: string; token: string; service_notice: string; account_id: string }[];
    expect(r).toMatchObject({ service_request_id: expect.stringMatching(/^\d+$/), account_id: '' });
    expect(r!.service_notice).toContain('1 个工作日内办结');
    const t = await h.db.selectFrom('tickets').select(['type', 'urgency', 'region_code']).where('id', '=', Number(r!.service_request_id)).executeTakeFirstOrThrow();
    expect(t).toEqual({ type: 'complaint', urgency: 'urgent', region_code: DANDONG });
  });

  it('a jurisdiction_id that is a division code places the ticket there; one that is a domain name is ignored; a JSON body is accepted too', async () => {
    const [a] = json(await post('json', good({ jurisdiction_id: SHIPU, address_string: '石浦镇', lat: '', long: '' })));
    expect((await h.db.selectFrom('tickets').select('region_code').where('id', '=', Number(a.service_request_id)).executeTakeFirstOrThrow()).region_code).toBe(SHIPU);
    const res = await app.inject({ method: 'POST', url: '/open311/v2/requests.json', payload: { ...good({ jurisdiction_id: 'xiangshan.gov.cn' }), attribute: { urgency: 'critical' } } });
    const [b] = json(res);
    const t = await h.db.selectFrom('tickets').select(['region_code', 'urgency']).where('id', '=', Number(b.service_request_id)).executeTakeFirstOrThrow();
    expect(t).toEqual({ region_code: XIANGSHAN, urgency: 'critical' });
    expect(b.service_notice).toContain('当日办结');
  });

  it('refuses without api_key, with a wrong one and with a revoked one (403), in the spec’s format; nothing is created', async () => {
    const n = await ticketCount();
    const { api_key: _k, ...noKey } = good();
    expectErrors(json(await post('json', noKey), 403), 403, /api_key/);
    const x = xml(await post('xml', good({ api_key: 'lx311_wrong' })), 'errors', 403) as { code: string }[];
    expect(x).toEqual([{ code: '403', description: expect.stringContaining('api_key') }]);

    const issued = await app.inject({ method: 'POST', url: '/api/v1/open311-keys', headers: as(adminS), payload: { name: '将被吊销' } });
    const k = issued.json();
    json(await post('json', good({ api_key: k.apiKey })));
    const afterOne = await ticketCount();
    expect((await app.inject({ method: 'POST', url: `/api/v1/open311-keys/${k.id}/revoke`, headers: as(adminS) })).statusCode).toBe(200);
    expectErrors(json(await post('json', good({ api_key: k.apiKey })), 403), 403, /无效或已被吊销/);
    expect(await ticketCount()).toBe(n + 1);
    expect(afterOne).toBe(n + 1);
  });

  it('refuses bad forms with 400 (404 for an unknown service or jurisdiction), listing every problem; nothing is created', async () => {
    const n = await ticketCount();
    const { service_code: _s, lat: _a, long: _b, address_string: _c, ...bare } = good();
    const missing = json(await post('json', bare), 400) as { code: number; description: string }[];
    expect(missing.map((e) => e.description)).toEqual([expect.stringContaining('缺少 service_code'), expect.stringContaining('缺少位置')]);
    expect(xml(await post('xml', bare), 'errors', 400)).toEqual(asText(missing));
    const cases: [Record<string, string>, number, RegExp][] = [
      [good({ service_code: 'no.such' }), 404, /service_code「no\.such」不存在/],
      [good({ service_code: 'infrastructure' }), 404, /不存在或已停用/],
      [good({ lat: '29.5', long: '' }), 400, /lat 和 long 须同时提供/],
      [good({ lat: '95', long: '121' }), 400, /lat 应为/],
      [good({ lat: 'north', long: '121' }), 400, /lat 应为/],
      [good({ 'attribute[type]': 'report' }), 400, /attribute\[type\]/],
      [good({ 'attribute[urgency]': 'asap' }), 400, /attribute\[urgency\]/],
      [good({ 'attribute[region_code]': '999999999999' }), 400, /attribute\[region_code\]/],
      [good({ jurisdiction_id: DANDONG, 'attribute[region_code]': SHIPU }), 400, /不在 jurisdiction_id/],
      [good({ jurisdiction_id: '330225999000' }), 404, /jurisdiction_id/],
      [good({ phone: '12' }), 400, /phone/],
      [good({ media_url: 'javascript:alert(1)' }), 400, /media_url/],
      [good({ description: '长'.repeat(4001) }), 400, /description 最长 4000/],
      [good({ first_name: '名'.repeat(60) }), 400, /first_name \/ last_name/],
      // A NUL character is named as the field it came in, not as a database error.
      [good({ media_url: 'https://img.example.com/p/1\u0000.jpg' }), 400, /media_url/],
      [{ ...good({ address_string: '', lat: '', long: '', description: '' }), address_id: 'A\u00001' }, 400, /^address_id：/],
    ];
    for (const [fields, status, pattern] of cases) {
      const res = await post('json', fields);
      expect(res.statusCode, `${JSON.stringify(fields).slice(0, 200)} → ${res.body}`).toBe(status);
      expectErrors(res.json(), status, pattern);
    }
    expect(await ticketCount()).toBe(n);
  });

  it('a body that is neither a form nor JSON is 400 in the spec’s format; nothing is created', async () => {
    const n = await ticketCount();
    const plain = await app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: { 'content-type': 'text/plain' }, payload: 'api_key=x' });
    expectErrors(json(plain, 400), 400, /application\/x-www-form-urlencoded/);
    const boundary = 'b0undary';
    const multipart = await app.inject({
      method: 'POST', url: '/open311/v2/requests.xml', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="api_key"\r\n\r\n${apiKey}\r\n--${boundary}--\r\n`,
    });
    expect(xml(multipart, 'errors', 400)).toEqual([{ code: '400', description: expect.stringContaining('x-www-form-urlencoded') }]);
    expect(await ticketCount()).toBe(n);
  });

  it('an address_id alone is a location; a phone written with +86 and spaces is read', async () => {
    const [r] = json(await post('json', { api_key: apiKey, service_code: 'other', address_id: 'A-1001', phone: '+86 139 5741 8866' }));
    const t = await h.db.selectFrom('tickets').select(['address', 'requester_phone_masked', 'requester_anonymous', 'content', 'title']).where('id', '=', Number(r.service_request_id)).executeTakeFirstOrThrow();
    expect(t).toEqual({ address: '地址编号 A-1001', requester_phone_masked: '139****8866', requester_anonymous: false, content: '其他（通过 Open311 提交，未填写描述）', title: '其他：地址编号 A-1001' });
  });
});

describe('GET requests', () => {
  let ids: Record<'roads' | 'water' | 'old', string>;
  let internal: TicketDto;

  beforeAll(async () => {
    const make = async (over: Record<string, string>, now?: Date) => (await submitRequest(h.db, testKey, { fields: good(over), attributes: {} }, now))[0]!.service_request_id;
    ids = {
      roads: await make({ service_code: 'infrastructure.roads', description: '道路塌陷' }),
      water: await make({ description: '水压太低' }),
      old: await make({ description: '一百天前的诉求' }, new Date(Date.now() - 100 * 86_400_000)),
    };
    internal = await createTicket(h.db, await actorFor(h.db, hotlineUser), testKey, {
      source: 'hotline', type: 'complaint', categoryCode: 'infrastructure.water', title: '热线工单', content: '热线来电，不公开', regionCode: DANDONG, requester: { name: '林秀英' },
    });
  });

  const idsOf = (list: { service_request_id: string }[]) => list.map((r) => r.service_request_id);

  it('lists the open311 requests of the last 90 days, newest first, the same in JSON and XML; other channels and older requests stay out', async () => {
    const list = await both('requests', 'service_requests');
    const got = idsOf(list);
    expect(got).toEqual(expect.arrayContaining([ids.roads, ids.water]));
    expect(got).not.toContain(ids.old);
    expect(got).not.toContain(String(internal.id));
    expect(got.indexOf(ids.water)).toBeLessThan(got.indexOf(ids.roads));
    expect((await get('requests.json')).body).not.toContain('热线来电');
    expectErrors(json(await get(`requests/${internal.id}.json`), 404), 404, /不存在/);
    xml(await get(`requests/${internal.id}.xml`), 'errors', 404);
  });

  it('filters by service_code (comma list), status and dates; service_request_id overrides every other argument', async () => {
    expect(idsOf(json(await get('requests.json?service_code=infrastructure.roads')))).toEqual([ids.roads]);
    expect(idsOf(json(await get('requests.json?service_code=infrastructure.roads,other')))).not.toContain(ids.water);
    expect(idsOf(json(await get('requests.json?status=open')))).toContain(ids.water);
    expect(idsOf(json(await get('requests.json?status=closed')))).not.toContain(ids.water);
    expect(idsOf(json(await get('requests.json?status=open,closed')))).toContain(ids.water);
    // Declared several times is the same as a comma list.
    expect(idsOf(json(await get('requests.json?service_code=infrastructure.roads&service_code=other')))).toEqual(idsOf(json(await get('requests.json?service_code=infrastructure.roads,other'))));
    expect((await get('requests.json')).headers['access-control-allow-origin']).toBe('*');
    const old = new Date(Date.now() - 100 * 86_400_000);
    const from = encodeURIComponent(w3c(new Date(old.getTime() - 86_400_000)));
    const to = encodeURIComponent(w3c(new Date(old.getTime() + 86_400_000)));
    expect(idsOf(json(await get(`requests.json?start_date=${from}&end_date=${to}`)))).toEqual([ids.old]);
    // Only a start date: the 90 days after it.
    expect(idsOf(json(await get(`requests.json?start_date=${from}`)))).toEqual([ids.old]);
    // An unencoded + arrives as a space and is read as the + it was.
    expect(idsOf(json(await get(`requests.json?start_date=${w3c(new Date(old.getTime() - 86_400_000)).replace('+', '%20')}`)))).toEqual([ids.old]);
    const byIds = json(await get(`requests.json?service_request_id=${ids.old},${ids.roads},${internal.id}&service_code=other&status=closed`));
    expect(idsOf(byIds).sort()).toEqual([ids.old, ids.roads].sort());
    expect(idsOf(json(await get('requests.json?page_size=1')))).toHaveLength(1);
    // jurisdiction_id narrows to a region: 石浦镇 holds only the request placed there earlier.
    const inShipu = idsOf(json(await get(`requests.json?jurisdiction_id=${SHIPU}`)));
    expect(inShipu.length).toBeGreaterThan(0);
    const regions = await h.db.selectFrom('tickets').select('region_code').where('id', 'in', inShipu.map(Number)).execute();
    expect(new Set(regions.map((r) => r.region_code))).toEqual(new Set([SHIPU]));
  });

  it('refuses bad filters with 400 in the spec’s format', async () => {
    const cases: [string, RegExp][] = [
      ['start_date=yesterday', /start_date 应为 W3C/],
      ['start_date=2026-02-30T00:00:00Z', /start_date/],
      ['end_date=2026-05-01T25:00:00Z', /end_date/],
      ['start_date=2026-05-01T00:00:00', /start_date/],
      ['start_date=2026-01-01T00:00:00Z&end_date=2026-05-01T00:00:00Z', /不能超过 90 天/],
      ['start_date=2026-05-01T00:00:00Z&end_date=2026-04-01T00:00:00Z', /早于/],
      ['status=pending', /status 应为 open 或 closed/],
      ['service_request_id=abc', /service_request_id/],
      ['service_request_id=99999999999', /service_request_id/],
      ['page_size=5000', /page_size/],
      ['page=0', /page/],
      ['service_code=infrastructure.water%00', /service_code/],
    ];
    for (const [q, pattern] of cases) expectErrors(json(await get(`requests.json?${q}`), 400), 400, pattern);
    const x = xml(await get('requests.xml?status=pending'), 'errors', 400);
    expect(x).toEqual([{ code: '400', description: expect.stringContaining('status') }]);
    expectErrors(json(await get('requests.json?jurisdiction_id=330225999000'), 404), 404, /jurisdiction_id/);
  });

  it('unknown request ids and tokens are 404', async () => {
    for (const path of ['requests/99999', 'requests/abc', 'requests/99999999999', 'tokens/no-such-token', 'tokens/a%00b']) {
      expectErrors(json(await get(`${path}.json`), 404), 404, /不存在/);
      xml(await get(`${path}.xml`), 'errors', 404);
    }
  });
});

describe('from open to closed, and the updates extension', () => {
  it('dispatch, sign, start, resolve: the request turns closed with the reply, the unit and the deadline; each step is an update', async () => {
    const started = new Date(Date.now() - 1000);
    const [r] = json(await post('json', good({ description: '消防栓漏水' })));
    const id = Number(r.service_request_id);
    let t = (await app.inject({ method: 'GET', url: `/api/v1/tickets/${id}`, headers: { cookie: hotline.cookie } })).json() as TicketDto;
    const act = async (who: Session, body: Record<string, unknown>) => {
      const res = await app.inject({ method: 'POST', url: `/api/v1/tickets/${id}/actions`, headers: as(who), payload: { version: t.version, ...body } });
      expect(res.statusCode, res.body).toBe(200);
      t = res.json();
    };
    await act(hotline, { action: 'dispatch', unitId: waterUnit.id, note: '内部交办意见：请速办' });
    let [req] = json(await get(`requests/${id}.json`));
    expect(req).toMatchObject({ status: 'open', status_notes: '已交办', agency_responsible: '县水务集团', expected_datetime: w3c(new Date(t.dueAt!)) });
    expect(req.expected_datetime).toMatch(/T23:59:59\+08:00$/);
    await act(water, { action: 'sign' });
    await act(water, { action: 'start' });
    await act(water, { action: 'resolve', closureType: 'substantive', reply: '已更换消防栓阀门。' });
    [req] = await both(`requests/${id}`, 'service_requests');
    expect(req).toMatchObject({ status: 'closed', status_notes: '已更换消防栓阀门。', agency_responsible: '县水务集团', updated_datetime: w3c(new Date(t.resolvedAt!)) });
    expect(idsOfStatus(json(await get('requests.json?status=closed')))).toContain(String(id));
    expect(idsOfStatus(json(await get('requests.json?status=open')))).not.toContain(String(id));

    const q = `start_date=${encodeURIComponent(w3c(started))}`;
    const j = json(await get(`servicerequestupdates.json?${q}`)) as Record<string, string>[];
    expect(xml(await get(`servicerequestupdates.xml?${q}`), 'service_request_updates')).toEqual(asText(j));
    const mine = j.filter((u) => u.service_request_id === String(id));
    expect(mine.map((u) => [u.status, u.description])).toEqual([
      ['OPEN', '已受理登记'], ['OPEN', '已交办承办单位'], ['OPEN', '承办单位已签收'], ['OPEN', '开始办理'], ['CLOSED', '已办结：已更换消防栓阀门。'],
    ]);
    for (const u of mine) {
      expect(Object.keys(u).sort()).toEqual(['description', 'media_url', 'service_request_id', 'status', 'update_id', 'updated_datetime']);
      expect(u.updated_datetime).toMatch(/\+08:00$/);
    }
    expect(JSON.stringify(j)).not.toContain('内部交办意见');
    // Oldest first, ids distinct.
    expect(new Set(mine.map((u) => u.update_id)).size).toBe(5);

    // The telephone 回访 records the rating: still closed, one more update; a supervision stays internal.
    await act(hotline, { action: 'rate', rating: 'satisfied' });
    const after = json(await get(`servicerequestupdates.json?${q}`)) as Record<string, string>[];
    expect(after.filter((u) => u.service_request_id === String(id)).map((u) => [u.status, u.description]).at(-1)).toEqual(['CLOSED', '诉求人评价：满意']);
    expect((json(await get(`requests/${id}.json`)) as { status: string }[])[0]!.status).toBe('closed');
  });

  it('updates refuse bad dates like requests do', async () => {
    expectErrors(json(await get('servicerequestupdates.json?end_date=tomorrow'), 400), 400, /end_date/);
    xml(await get('servicerequestupdates.xml?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z'), 'errors', 400);
  });
});

const idsOfStatus = (list: { service_request_id: string }[]) => list.map((r) => r.service_request_id);
