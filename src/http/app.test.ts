import Fastify from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DANDONG, as, createTestApp, createTestDatabase, login, makeUnit, makeUser, seedXiangshan, testDriver, type Session } from '../../test/helpers.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { errorHandler } from './errors.ts';
import { logSafeUrl } from './app.ts';
import type { App } from './types.ts';

let h: DatabaseHandle;
let app: App;
let smallUploads: App;
let adminSession: Session;
beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
  smallUploads = await createTestApp(h.db, { LIANXIN_UPLOAD_MAX_BYTES: '2048' });
  adminSession = await login(app, (await makeUser(h.db, 'admin')).username);
});
afterAll(async () => {
  await smallUploads?.close();
  await app?.close();
  await h?.close();
});

/** An error body is JSON of the documented shape and leaks nothing about the server's insides. */
function expectCleanError(res: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number) {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
  const body = JSON.parse(res.body) as { error: { code: unknown; message: unknown } };
  expect(typeof body.error.code).toBe('string');
  expect(typeof body.error.message).toBe('string');
  expect((body.error.message as string).length).toBeGreaterThan(0);
  expect(res.body).not.toMatch(/\bat \S+ \(|\n\s+at /); // stack frames
  expect(res.body).not.toMatch(/\/work\/|node_modules|\.ts:\d+|\.js:\d+/); // file paths
  expect(res.body).not.toContain('"stack"');
  return body.error as { code: string; message: string; details?: Record<string, unknown> };
}

const cadreCount = async () => (await h.db.selectFrom('cadres').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n;

function multipart(field: string, filename: string, content: Buffer, contentType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet') {
  const boundary = '----lianxinTestBoundary7MA4YWxkTrZu0gW';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe(`meta endpoints on ${testDriver}`, () => {
  it('answers GET /api/health with 200 {status: ok} without a login', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok' });
  });

  it('serves an OpenAPI 3 document listing the cadre routes and the request schema of POST /api/v1/cadres', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/cadres', '/api/v1/cadres/{id}', '/api/v1/auth/login']));
    const post = doc.paths['/api/v1/cadres'].post;
    expect(post).toBeDefined();
    const schema = post.requestBody.content['application/json'].schema;
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['rank', 'unitId', 'name']));
    expect(schema.required).toEqual(expect.arrayContaining(['rank', 'unitId', 'name']));
    expect(doc.paths['/api/v1/cadres/{id}'].get).toBeDefined();
    expect(doc.paths['/api/v1/cadres/{id}'].patch).toBeDefined();
  });

  it('serves the API documentation as HTML at /api/docs', async () => {
    let res = await app.inject({ method: 'GET', url: '/api/docs' });
    if (res.statusCode >= 300 && res.statusCode < 400) {
      const location = String(res.headers.location);
      res = await app.inject({ method: 'GET', url: location.startsWith('/') ? location : `/api/${location.replace(/^\.\//, '')}` });
    }
    if (res.statusCode === 404) res = await app.inject({ method: 'GET', url: '/api/docs/' });
    expect(res.statusCode).toBe(200);
    expect(String(res.headers['content-type'])).toMatch(/text\/html/);
    expect(res.body).toMatch(/<html/i);
  });
});

describe('request errors', () => {
  it('answers a malformed JSON body with 400 and a JSON error without a stack trace', async () => {
    const res = await app.inject({
      method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"username": "admin", "password": ',
    });
    const err = expectCleanError(res, 400);
    expect(err.code).toBe('VALIDATION_FAILED');
  });

  it('answers a wrongly typed field with 400 naming body.unitId', async () => {
    const before = await cadreCount();
    const res = await app.inject({
      method: 'POST', url: '/api/v1/cadres', headers: as(adminSession), payload: { name: '李四', unitId: 'abc', rank: 'general' },
    });
    const err = expectCleanError(res, 400);
    expect(err.code).toBe('VALIDATION_FAILED');
    const fields = (err.details as { fields: { field: string; message: string }[] }).fields;
    expect(fields[0]!.field).toBe('body.unitId');
    expect(fields[0]!.message.length).toBeGreaterThan(0);
    expect(err.message).toContain('body.unitId');
    expect(await cadreCount()).toBe(before);
  });

  it('names a wrongly typed query parameter as querystring.<name>', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/cadres?pageSize=abc', headers: { cookie: adminSession.cookie } });
    const err = expectCleanError(res, 400);
    const fields = (err.details as { fields: { field: string }[] }).fields;
    expect(fields[0]!.field).toBe('querystring.pageSize');
  });

  it('refuses a body larger than 1 MiB with 413 PAYLOAD_TOO_LARGE', async () => {
    const payload = JSON.stringify({ username: 'admin', password: 'x'.repeat(1024 * 1024 + 10) });
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload });
    const err = expectCleanError(res, 413);
    expect(err.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers an unknown /api path with a 404 JSON error', async () => {
    for (const url of ['/api/nope', '/api/v2/cadres']) {
      const err = expectCleanError(await app.inject({ method: 'GET', url }), 404);
      expect(err.code).toBe('NOT_FOUND');
    }
    const signedIn = await app.inject({ method: 'GET', url: '/api/v1/no-such-thing', headers: { cookie: adminSession.cookie } });
    expect(expectCleanError(signedIn, 404).code).toBe('NOT_FOUND');
  });

  it('refuses every /api/v1 route except login and the requester’s public page with 401 when not signed in', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, ops]) => Object.keys(ops).filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m)).map((m) => ({ method: m.toUpperCase(), path })));
    // The document is where the list comes from; make sure it is the real one.
    expect(routes.length).toBeGreaterThanOrEqual(20);
    expect(routes).toContainEqual({ method: 'POST', path: '/api/v1/cadres/import' });
    expect(routes).toContainEqual({ method: 'GET', path: '/api/v1/audit' });

    // Public by design: the requester follows and rates a ticket with its code and phone digits.
    const open = ['POST /api/v1/auth/login', 'GET /api/v1/public/tickets/{code}', 'POST /api/v1/public/tickets/{code}/rating',
      // Public commitments (公开履职承诺): published pledges for anyone.
      'GET /api/v1/public/commitments', 'GET /api/v1/public/commitments/options', 'GET /api/v1/public/commitments/{id}', 'GET /api/v1/public/commitments/{id}/photos/{photoId}',
      // 双评: the respondent's page behind a link or QR code.
      'GET /api/v1/public/surveys/{token}', 'POST /api/v1/public/surveys/{token}/responses'];
    for (const r of open) expect(routes.map((x) => `${x.method} ${x.path}`)).toContain(r);
    const checked: string[] = [];
    for (const { method, path } of routes) {
      if (open.includes(`${method} ${path}`)) continue;
      const url = path.replace('{id}', '1').replace('{code}', DANDONG);
      for (const cookie of [undefined, 'lx_session=forged-token']) {
        const res = await app.inject({ method: method as 'GET', url, ...(cookie ? { headers: { cookie } } : {}) });
        expect(res.statusCode, `${method} ${url} with cookie ${cookie}`).toBe(401);
        expect(res.json().error.code).toBe('UNAUTHENTICATED');
      }
      checked.push(`${method} ${path}`);
    }
    expect(checked.length).toBe(routes.length - open.length);
  });

  it('answers login with wrong credentials with 401, not with a demand to log in first', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'nobody-here', password: 'x' } });
    expect(expectCleanError(res, 401).code).toBe('INVALID_CREDENTIALS');
  });
});

describe('database refusals', () => {
  it('answers a value the database refuses as bad data (SQLSTATE class 22) with 400, and any other database error with 500', async () => {
    // A bare server with the app's error handler: the contracts stop such input before the
    // database on every real route, so this is the net behind them.
    const bare = Fastify({ logger: false });
    bare.setErrorHandler(errorHandler);
    bare.get('/bad-number', async () => (await sql`select ${'12ab'}::int as n`.execute(h.db)).rows);
    bare.get('/missing-table', async () => (await sql`select * from no_such_table`.execute(h.db)).rows);
    try {
      const bad = await bare.inject({ method: 'GET', url: '/bad-number' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { sqlState: '22P02' } });
      const broken = await bare.inject({ method: 'GET', url: '/missing-table' });
      expect(broken.statusCode).toBe(500);
      expect(broken.json().error.code).toBe('INTERNAL');
    } finally {
      await bare.close();
    }
  });
});

describe('uploads', () => {
  it('refuses an upload larger than LIANXIN_UPLOAD_MAX_BYTES with 413 and imports nothing', async () => {
    const before = await cadreCount();
    const { payload, headers } = multipart('file', 'roster.xlsx', Buffer.alloc(4096, 0x41));
    const res = await smallUploads.inject({ method: 'POST', url: '/api/v1/cadres/import', headers: { ...headers, ...as(adminSession) }, payload });
    const err = expectCleanError(res, 413);
    expect(err.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await cadreCount()).toBe(before);
  });

  it('accepts an upload under the limit past the size check (an unreadable file is then a 400, not a 413)', async () => {
    const { payload, headers } = multipart('file', 'roster.xlsx', Buffer.alloc(1000, 0x41));
    const res = await smallUploads.inject({ method: 'POST', url: '/api/v1/cadres/import', headers: { ...headers, ...as(adminSession) }, payload });
    const err = expectCleanError(res, 400);
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.details).toMatchObject({ field: 'file' });
  });

  it('refuses a JSON POST to the import with 415 and a message asking for multipart/form-data', async () => {
    const before = await cadreCount();
    const res = await app.inject({ method: 'POST', url: '/api/v1/cadres/import', headers: as(adminSession), payload: { rows: [] } });
    const err = expectCleanError(res, 415);
    expect(err.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(err.message).toContain('multipart/form-data');
    expect(await cadreCount()).toBe(before);
  });

  it('refuses a plain-text POST to the import with 415 asking for multipart/form-data', async () => {
    const res = await app.inject({
      method: 'POST', url: '/api/v1/cadres/import', headers: { ...as(adminSession), 'content-type': 'text/plain' }, payload: '姓名,职级\n张三,科级',
    });
    const err = expectCleanError(res, 415);
    expect(err.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(err.message).toContain('multipart/form-data');
  });

  it('refuses a multipart upload whose field is not "file" with 400 naming the field', async () => {
    const { payload, headers } = multipart('attachment', 'roster.xlsx', Buffer.alloc(100, 0x41));
    const res = await app.inject({ method: 'POST', url: '/api/v1/cadres/import', headers: { ...headers, ...as(adminSession) }, payload });
    const err = expectCleanError(res, 400);
    expect(err.message).toContain('file');
  });

  it('imports a real roster through multipart (so the refusals above are about size and type, not the route)', async () => {
    const unit = await makeUnit(h.db, DANDONG);
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('干部名册');
    ws.addRow(['姓名', '性别', '单位编码', '单位名称', '职级', '职务', '状态', '手机号']);
    ws.addRow(['王五', '男', unit.code, '', '一般干部', '科员', '在职', '']);
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    const before = await cadreCount();
    const { payload, headers } = multipart('file', 'roster.xlsx', file);
    const res = await app.inject({ method: 'POST', url: '/api/v1/cadres/import', headers: { ...headers, ...as(adminSession) }, payload });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ imported: 1 });
    expect(await cadreCount()).toBe(before + 1);
  });
});

describe('request log', () => {
  it('masks phone numbers in the query string, and leaves paths alone', () => {
    expect(logSafeUrl('/api/v1/tickets/similar?phone=13957412345&regionCode=330225001003')).toBe('/api/v1/tickets/similar?phone=****2345&regionCode=330225001003');
    expect(logSafeUrl('/api/v1/tickets/similar?address=x&phone=0574-65712345')).toBe('/api/v1/tickets/similar?address=x&phone=****2345');
    expect(logSafeUrl('/api/v1/public/tickets/LX2345ABCD?phone=1234')).toBe('/api/v1/public/tickets/LX2345ABCD?phone=****');
    expect(logSafeUrl('/api/v1/tickets/2147483647')).toBe('/api/v1/tickets/2147483647');
  });
});
