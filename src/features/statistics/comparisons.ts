import type { z } from 'zod';
import type { ComparisonResult, comparisonQuery, FigureKey, FigureValue } from '../../../contracts/statistics.ts';
import type { Executor } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import type { Actor } from '../auth/actor.ts';
import { computeFigures, parseFigureKeys, resolveStatisticsScope } from './figures.ts';

// Comparisons (issue 7 item 4): the period against the same length just before it (环比) or the
// same days a year earlier (同比), and regions against each other over one period. Every column is
// computed by computeFigures with the caller's scope applied, so a comparison can show nothing
// the caller could not read figure by figure.

export type ComparisonQuery = z.output<typeof comparisonQuery>;

const invalid = (field: string, message: string) => new AppError('VALIDATION_FAILED', message, { field, fields: [{ field, message }] });

const dayMs = 86_400_000;
const toMs = (d: string) => Date.parse(`${d}T00:00:00Z`);
const fromMs = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The period of the same length ending the day before `from`. */
export function previousPeriod(from: string, to: string): { from: string; to: string } {
  const len = (toMs(to) - toMs(from)) / dayMs + 1;
  return { from: fromMs(toMs(from) - len * dayMs), to: fromMs(toMs(from) - dayMs) };
}

/** The same days a year earlier (29 February becomes the 28th). */
export function lastYearPeriod(from: string, to: string): { from: string; to: string } {
  const back = (d: string) => {
    const y = Number(d.slice(0, 4)) - 1;
    const md = d.slice(5) === '02-29' ? '02-28' : d.slice(5);
    return `${y}-${md}`;
  };
  return { from: back(from), to: back(to) };
}

/** Change of a against b: delta = a − b; ratio = (a − b) ÷ b (null when either is null or b is 0). */
export function change(key: FigureKey, a: FigureValue | undefined, b: FigureValue | undefined): ComparisonResult['changes'][number] {
  const av = a?.value ?? null;
  const bv = b?.value ?? null;
  if (av === null || bv === null) return { key, delta: null, ratio: null };
  const delta = Math.round((av - bv) * 10_000) / 10_000;
  return { key, delta, ratio: bv === 0 ? null : Math.round(((av - bv) / bv) * 10_000) / 10_000 };
}

export async function compareFigures(db: Executor, actor: Actor, q: ComparisonQuery): Promise<ComparisonResult> {
  const keys = parseFigureKeys(q.figures);
  const { filter, scope } = await resolveStatisticsScope(db, actor, q);

  if (q.against === 'regions') {
    const codes = [...new Set((q.regionCodes ?? '').split(',').map((s) => s.trim()).filter(Boolean))];
    if (codes.length < 2 || codes.length > 20) throw invalid('regionCodes', `请选择2至20个区划进行对比（当前${codes.length}个）`);
    const bad = codes.filter((c) => !/^\d{6,20}$/.test(c));
    if (bad.length) throw invalid('regionCodes', `区划代码应为数字：${bad.join('、')}`);
    const columns: ComparisonResult['columns'] = [];
    for (const code of codes) {
      // Each region scope-checked like a single request (404 for one outside the caller's scope).
      const r = await resolveStatisticsScope(db, actor, { ...q, regionCode: code });
      const [row] = await computeFigures(db, r.filter, keys);
      columns.push({ label: r.scope.region?.name ?? code, from: q.from, to: q.to, regionCode: code, figures: row!.figures });
    }
    return { against: 'regions', columns, changes: [] };
  }

  const other = q.against === 'lastYear' ? lastYearPeriod(q.from, q.to) : previousPeriod(q.from, q.to);
  const [cur] = await computeFigures(db, filter, keys);
  const [prev] = await computeFigures(db, { ...filter, ...other }, keys);
  const regionCode = scope.region?.code ?? null;
  const columns: ComparisonResult['columns'] = [
    { label: '本期', from: q.from, to: q.to, regionCode, figures: cur!.figures },
    { label: q.against === 'lastYear' ? '去年同期' : '上期', from: other.from, to: other.to, regionCode, figures: prev!.figures },
  ];
  const byKey = (fs: FigureValue[]) => new Map(fs.map((f) => [f.key, f]));
  const a = byKey(cur!.figures);
  const b = byKey(prev!.figures);
  return { against: q.against, columns, changes: keys.map((k) => change(k, a.get(k), b.get(k))) };
}
