import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, createTestApp, createTestDatabase, login, makeUser, type Session } from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import { errorHandler } from '../../http/errors.ts';
import type { App } from '../../http/types.ts';
import { sendXlsx, streamSheet, type ExportColumn } from './stream.ts';

// The stream itself: 100,000 rows come back whole (written a page at a time, never held), and a
// failure after the first byte reaches the client as a broken download, not a short workbook.

const ROWS = 100_000;
let h: DatabaseHandle;
let app: App;
let admin: Session;

beforeAll(async () => {
  h = await createTestDatabase();
  app = await createTestApp(h.db);
  admin = await login(app, (await makeUser(h.db, 'admin')).username);
  // Set-based: 100,000 audit entries in one statement.
  await sql`insert into audit_log (at, user_id, username, ip, action, entity, entity_id, detail)
    select timestamptz '2026-01-01 00:00:00+08' + g * interval '1 minute', null, 'bench', '10.0.0.1', 'bench.row', 'bench', g::text, jsonb_build_object('n', g)
    from generate_series(1, ${ROWS}) g`.execute(h.db);
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

/** Counts the data rows of a workbook with the streaming reader (the test holds no row either). */
async function countRows(buf: Buffer): Promise<{ sheets: number; rows: number; first: unknown[]; last: unknown[] }> {
  const input = new PassThrough();
  input.end(buf);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, { worksheets: 'emit', sharedStrings: 'cache', styles: 'ignore', hyperlinks: 'ignore' });
  let sheets = 0;
  let rows = 0;
  let first: unknown[] = [];
  let last: unknown[] = [];
  for await (const ws of reader) {
    sheets++;
    for await (const row of ws) {
      if (row.number === 1) continue;
      rows++;
      const values = (row.values as unknown[]).slice(1);
      if (rows === 1) first = values;
      last = values;
    }
  }
  return { sheets, rows, first, last };
}

describe('streamed export', () => {
  it(`writes ${ROWS.toLocaleString('en-US')} rows, every one read back in order`, async () => {
    const res = await app.inject({ url: '/api/v1/audit/export.xlsx?action=bench.row', headers: as(admin) });
    expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
    const got = await countRows(res.rawPayload);
    expect(got.sheets).toBe(1);
    expect(got.rows).toBe(ROWS);
    expect(got.first.slice(4, 7)).toEqual(['bench.row', 'bench', '1']);
    expect(got.last.slice(4, 7)).toEqual(['bench.row', 'bench', String(ROWS)]);
  });

  it('refuses the same export over the limit before any byte', async () => {
    const small = await createTestApp(h.db, { LIANXIN_EXPORT_MAX_ROWS: '99999' });
    try {
      const res = await small.inject({ url: '/api/v1/audit/export.xlsx?action=bench.row', headers: as(admin) });
      expect(res.statusCode).toBe(413);
      expect(res.json().error.message).toBe('将导出 100,000 行，超过您的导出上限 99,999 行，请缩小时间或区划范围');
    } finally {
      await small.close();
    }
  });

  it('aborts the download when the database fails midway: the client gets an error, not a complete file', async () => {
    const server = Fastify();
    server.setErrorHandler(errorHandler);
    type R = { n: number };
    // Text that does not compress away, so bytes are on the wire before the failure.
    const columns: ExportColumn<R>[] = [{ header: '序号', value: (r) => r.n }, { header: '摘要', value: (r) => createHash('sha256').update(String(r.n)).digest('hex') }];
    server.get('/broken.xlsx', async (_request, reply) => {
      const { stream } = await streamSheet<R>({
        sheet: '测试', columns,
        count: async () => 50_000,
        page: async (last, limit) => {
          await new Promise((resolve) => setTimeout(resolve, 5)); // as a query would, let the writer's streams run
          const start = last?.n ?? 0;
          if (start >= 20_000) throw new Error('connection lost');
          return Array.from({ length: limit }, (_, i) => ({ n: start + i + 1 }));
        },
      }, 100_000);
      return sendXlsx(reply, stream, 'broken', '测试');
    });
    await server.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = server.server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/broken.xlsx`);
      // The headers went out with the first bytes, so the status is 200 — but the body never completes.
      expect(res.status).toBe(200);
      let received = 0;
      const read = (async () => {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) received += chunk.byteLength;
      })();
      await expect(read).rejects.toThrow();
      expect(received).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });
});
