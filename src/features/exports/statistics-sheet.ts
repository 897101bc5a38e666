import { z } from 'zod';
import { figureDefinitions, figureKey, statisticsScope, type FigureKey, type FigureRecord, type FigureValue } from '../../../contracts/statistics.ts';
import type { Executor } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import type { Actor } from '../auth/actor.ts';
import { compareFigures } from '../statistics/comparisons.ts';
import { computeFigures, parseFigureKeys, resolveStatisticsScope } from '../statistics/figures.ts';
import { figureRecordsFor } from '../statistics/records.ts';
import { MONEY, PERCENT, rowsSheet, streamSheet, type ExportColumn } from './stream.ts';

// The statistics tables as .xlsx: the figures (one row per figure with its value, unit and
// definition), the figures by child region or by month (one row per region or month, one column
// per figure), one figure's records (the drill-down, walked a page at a time), and a comparison.
// Scope, 404s and 400s are the statistics API's own (resolveStatisticsScope, parseFigureKeys).

export const statisticsTables = ['figures', 'regions', 'months', 'records', 'compare'] as const;
export const statisticsExportQuery = statisticsScope.and(z.object({
  table: z.enum(statisticsTables, { error: 'table 应为 figures / regions / months / records / compare' }).default('figures'),
  figures: z.string().max(2000).optional().describe('comma-separated figure keys; absent = all'),
  figure: figureKey.optional().describe('table=records: the figure whose records are listed'),
  against: z.enum(['previous', 'lastYear', 'regions']).default('previous').describe('table=compare'),
  regionCodes: z.string().max(500).optional().describe('table=compare&against=regions: 2–20 region codes'),
}));
export type StatisticsExportQuery = z.output<typeof statisticsExportQuery>;

type Opts = { maxRows: number };

/** A figure's value as a cell: yuan for money, a 0–1 number for a rate (shown as %), else the count. */
const cell = (f: FigureValue | undefined) => {
  if (!f || f.value === null) return '';
  return figureDefinitions[f.key].format === 'fen' ? f.value / 100 : f.value;
};
const fmtOf = (key: FigureKey) => ({ fen: MONEY, rate: PERCENT, count: undefined })[figureDefinitions[key].format];
const unitOf = (key: FigureKey) => (figureDefinitions[key].format === 'fen' ? '元' : figureDefinitions[key].format === 'rate' ? '%' : figureDefinitions[key].unit.zh);
const figureColumn = <R>(key: FigureKey, get: (r: R) => FigureValue | undefined): ExportColumn<R> => {
  const numFmt = fmtOf(key);
  return { header: `${figureDefinitions[key].zh}（${unitOf(key)}）`, width: 14, value: (r) => cell(get(r)), ...(numFmt ? { numFmt } : {}) };
};

export async function exportStatistics(db: Executor, actor: Actor, q: StatisticsExportQuery, o: Opts) {
  const keys = parseFigureKeys(q.figures);
  const { filter } = await resolveStatisticsScope(db, actor, q);
  const byKey = (fs: FigureValue[]) => new Map(fs.map((f) => [f.key, f]));

  if (q.table === 'figures') {
    const [row] = await computeFigures(db, filter, keys);
    const columns: ExportColumn<FigureValue>[] = [
      { header: '指标', width: 16, value: (f) => figureDefinitions[f.key].zh },
      { header: '数值', width: 14, value: (f) => cell(f), numFmt: (f) => fmtOf(f.key) },
      { header: '单位', width: 8, value: (f) => unitOf(f.key) },
      { header: '分子', width: 9, value: (f) => f.numerator ?? '' },
      { header: '分母', width: 9, value: (f) => f.denominator ?? '' },
      { header: '口径', width: 70, value: (f) => figureDefinitions[f.key].definition.zh },
    ];
    return { ...(await streamSheet(rowsSheet('统计指标', columns, row!.figures), o.maxRows)), name: '统计指标' };
  }

  if (q.table === 'regions' || q.table === 'months') {
    const groups = await computeFigures(db, filter, keys, q.table === 'regions' ? 'childRegion' : 'month');
    const names = q.table === 'regions' && groups.length
      ? new Map((await db.selectFrom('regions').select(['code', 'name']).where('code', 'in', groups.map((g) => g.group)).execute()).map((r) => [r.code, r.name]))
      : new Map<string, string>();
    type G = { group: string; figures: Map<FigureKey, FigureValue> };
    const rows: G[] = groups.map((g) => ({ group: g.group, figures: byKey(g.figures) }));
    const columns: ExportColumn<G>[] = [
      q.table === 'regions'
        ? { header: '区划', width: 14, value: (g) => names.get(g.group) ?? g.group }
        : { header: '月份', width: 9, value: (g) => g.group },
      ...keys.map((k) => figureColumn<G>(k, (g) => g.figures.get(k))),
    ];
    const name = q.table === 'regions' ? '分区划统计' : '分月统计';
    return { ...(await streamSheet(rowsSheet(name, columns, rows), o.maxRows)), name };
  }

  if (q.table === 'compare') {
    const res = await compareFigures(db, actor, q);
    type C = { key: FigureKey };
    const cols = res.columns.map((c) => ({ ...c, byKey: byKey(c.figures) }));
    const changes = new Map(res.changes.map((c) => [c.key, c]));
    const columns: ExportColumn<C>[] = [
      { header: '指标', width: 16, value: (r) => figureDefinitions[r.key].zh },
      { header: '单位', width: 8, value: (r) => unitOf(r.key) },
      ...cols.map((c): ExportColumn<C> => ({ header: `${c.label}（${c.from}至${c.to}）`, width: 18, value: (r) => cell(c.byKey.get(r.key)), numFmt: (r) => fmtOf(r.key) })),
      ...(res.changes.length ? [
        { header: '增减', width: 10, numFmt: (r: C) => fmtOf(r.key), value: (r: C) => { const d = changes.get(r.key)?.delta; return d === null || d === undefined ? '' : figureDefinitions[r.key].format === 'fen' ? d / 100 : d; } },
        { header: '增减幅度', width: 10, numFmt: PERCENT, value: (r: C) => changes.get(r.key)?.ratio ?? '' },
      ] : []),
    ];
    return { ...(await streamSheet(rowsSheet('对比', columns, keys.map((key) => ({ key }))), o.maxRows)), name: '统计对比' };
  }

  // table=records: the drill-down, a page at a time in the API's order.
  if (!q.figure) {
    throw new AppError('VALIDATION_FAILED', '导出统计明细须指定指标（figure）', { field: 'figure', fields: [{ field: 'figure', message: '导出统计明细须指定指标（figure）' }] });
  }
  const key = q.figure;
  const def = figureDefinitions[key];
  const PAGE = 1000;
  const first = await figureRecordsFor(db, filter, key, 1, PAGE);
  let next = 1;
  const columns: ExportColumn<FigureRecord>[] = [
    { header: '日期', width: 11, value: (r) => r.date ?? '' },
    { header: '记录', width: 30, value: (r) => r.title },
    { header: '区划', width: 12, value: (r) => r.regionName ?? '' },
    { header: '干部', width: 18, value: (r) => r.people },
    { header: def.format === 'fen' ? '计入（元）' : def.format === 'rate' ? '计入分子' : `计入（${def.unit.zh}）`, width: 10,
      value: (r) => (r.contributes === null ? '' : def.format === 'fen' ? r.contributes / 100 : r.contributes), ...(def.format === 'fen' ? { numFmt: MONEY } : {}) },
    { header: '计入对象', width: 24, value: (r) => (r.counted ?? []).map((c) => c.name).join('、') },
    { header: '编号', width: 8, value: (r) => r.id },
  ];
  return {
    ...(await streamSheet<FigureRecord>({
      sheet: `${def.zh}明细`.slice(0, 31), columns,
      count: async () => first.total,
      page: async (last) => {
        if (last === null) { next = 2; return first.items; }
        return (await figureRecordsFor(db, filter, key, next++, PAGE)).items;
      },
      batch: PAGE,
    }, o.maxRows)),
    name: `${def.zh}明细`,
  };
}
