import { PassThrough, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { FastifyReply } from 'fastify';
import type { Config } from '../../config.ts';
import { AppError } from '../../errors.ts';
import { styleHeader } from '../../lib/xlsx.ts';
import type { Actor } from '../auth/actor.ts';

// One way to stream a ledger or a statistics table as .xlsx: count first and refuse over the
// caller's limit before any byte; then pull rows a keyset page at a time, commit each row to the
// stream writer (no shared-strings table, so nothing grows with the row count) and wait for the
// client when the socket is behind. A failure after the first byte destroys the stream, and
// Fastify then destroys the socket: the client sees a broken download, never a short file that
// looks complete.

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export type ExportColumn<R> = {
  header: string;
  width?: number;
  value: (r: R) => ExcelJS.CellValue;
  /** Excel number format, e.g. MONEY for yuan; a function when rows differ (a column of mixed figures). */
  numFmt?: string | ((r: R) => string | undefined);
};

export type SheetSpec<R> = {
  sheet: string;
  columns: readonly ExportColumn<R>[];
  /** How many rows the export will have: checked against the limit before anything is sent. */
  count: () => Promise<number>;
  /** The rows after `last` (null: from the start) in a stable key order, at most `limit`. */
  page: (last: R | null, limit: number) => Promise<R[]>;
  batch?: number;
};

export const MONEY = '#,##0.00';
export const PERCENT = '0.0%';

const chinaMinuteFmt = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
/** An instant as China wall time to the minute ("2026-11-22 09:30"); '' for none. */
export const chinaMinute = (d: Date | string | null | undefined) => (d === null || d === undefined ? '' : chinaMinuteFmt.format(new Date(d)));
/** Fen as yuan (a number, shown with MONEY); '' for none. */
export const yuan = (fen: number | string | null | undefined) => (fen === null || fen === undefined ? '' : Number(fen) / 100);
const thousands = (n: number) => n.toLocaleString('en-US');

/**
 * The most rows one export may have for this account. Office roles (活动办, 领导, 督查) read whole
 * ledgers of a county or city, so theirs is LIANXIN_EXPORT_MAX_ROWS; unit accounts and hotline
 * operators export their own unit's lists (…_UNIT); a cadre exports their own records (…_CADRE).
 * No tier exceeds the office limit, so lowering it lowers them all.
 */
export function exportLimitFor(config: Config, actor: Actor): number {
  const l = config.exportLimits;
  switch (actor.role) {
    case 'system': case 'admin': case 'leadership': case 'supervisor': return l.office;
    case 'cadre': return Math.min(l.cadre, l.office);
    default: return Math.min(l.unit, l.office);
  }
}

export function tooLarge(rows: number, limit: number): AppError {
  return new AppError('EXPORT_TOO_LARGE', `将导出 ${thousands(rows)} 行，超过您的导出上限 ${thousands(limit)} 行，请缩小时间或区划范围`, { rows, limit });
}

/** Waits until the reader has taken what is buffered, or the stream is gone. */
function drained(s: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { s.off('drain', done); s.off('close', done); resolve(); };
    s.on('drain', done);
    s.on('close', done);
  });
}

/** Counts, refuses over maxRows (413, nothing sent), and returns the .xlsx as a stream being written. */
export async function streamSheet<R>(spec: SheetSpec<R>, maxRows: number): Promise<{ rows: number; stream: Readable }> {
  const rows = Number(await spec.count());
  if (rows > maxRows) throw tooLarge(rows, maxRows);
  const batch = spec.batch ?? 1000;
  const out = new PassThrough();
  const write = async () => {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    const ws = wb.addWorksheet(spec.sheet);
    ws.columns = spec.columns.map((c, i) => ({ header: c.header, key: `c${i}`, width: c.width ?? 12, ...(typeof c.numFmt === 'string' ? { style: { numFmt: c.numFmt } } : {}) }));
    const perRow = spec.columns.flatMap((c, i) => (typeof c.numFmt === 'function' ? [{ i: i + 1, fmt: c.numFmt }] : []));
    styleHeader(ws);
    ws.getRow(1).commit();
    let last: R | null = null;
    let written = 0;
    for (;;) {
      const page = await spec.page(last, batch);
      for (const r of page) {
        const row = ws.addRow(spec.columns.map((c) => c.value(r) ?? ''));
        for (const { i, fmt } of perRow) {
          const f = fmt(r);
          if (f) row.getCell(i).numFmt = f;
        }
        row.commit();
      }
      written += page.length;
      if (page.length < batch) break;
      last = page[page.length - 1]!;
      if (out.destroyed) throw new Error('导出已中断：客户端已断开');
      if (out.writableNeedDrain) await drained(out);
    }
    await wb.commit();
    return written;
  };
  write().catch((e: unknown) => out.destroy(e instanceof Error ? e : new Error(String(e))));
  return { rows, stream: out };
}

/** Sheets of rows already computed (statistics, rankings): the same limit and writer. */
export function rowsSheet<R>(sheet: string, columns: readonly ExportColumn<R>[], rows: readonly R[]): SheetSpec<R> {
  let pos = 0;
  return {
    sheet, columns,
    count: async () => rows.length,
    page: async (last, limit) => {
      if (last === null) pos = 0;
      const out = rows.slice(pos, pos + limit);
      pos += out.length;
      return out;
    },
  };
}

/** Sends the stream as an attachment named in Chinese (with an ASCII fallback). */
export function sendXlsx(reply: FastifyReply, stream: Readable, asciiName: string, zhName: string) {
  return reply
    .type(XLSX_TYPE)
    .header('content-disposition', `attachment; filename="${asciiName}.xlsx"; filename*=UTF-8''${encodeURIComponent(`${zhName}.xlsx`)}`)
    .header('cache-control', 'no-store')
    .send(stream);
}
