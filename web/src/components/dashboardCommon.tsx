// Shared pieces of the dashboard (驾驶舱) and the big screen (大屏): the query in the address, the
// period presets, how a figure reads (count with its unit, 元 / 万元, %), and the ECharts charts of
// the children (coloured red/amber/green) and of the trend, in a light or a dark theme.
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import dayjs from 'dayjs';
import { useCallback, useEffect, useRef, useState } from 'react';
import { figureDefinitions, type DashboardResult, type FigureKey, type FigureValue, type RagLevel } from '../../../contracts/statistics.ts';
import { api, ApiError } from '../api.ts';
import type { Lang } from '../i18n.ts';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

export const ragHexes: Record<RagLevel, string> = { green: '#389e0d', amber: '#d48806', red: '#cf1322' };
export const ragHexesDark: Record<RagLevel, string> = { green: '#52c41a', amber: '#faad14', red: '#ff4d4f' };
export const ragWords: Record<RagLevel, { zh: string; en: string }> = {
  green: { zh: '良好', en: 'Good' },
  amber: { zh: '关注', en: 'Watch' },
  red: { zh: '预警', en: 'Alert' },
};

/** The stated rules, shown beside what they judge (the server's dashboard.ts applies them). */
export const ragRule = {
  zh: '红黄绿规则：履职达标率 ≥90% 绿、≥70% 黄、否则红；按期办结率 ≥90% 绿、≥80% 黄、否则红；取两者中较差者，两者均无数据时为黄。',
  en: 'RAG rule: compliance ≥90% green, ≥70% amber, else red; on-time resolution ≥90% green, ≥80% amber, else red; the worse of the two; amber when neither can be judged.',
};
export const rankingRules = {
  regions: { zh: '按履职达标率排名（无已判定履职要求的不排）', en: 'By compliance rate (regions with no decided duty are not ranked)' },
  units: { zh: '按人均参加工作记录人次排名（单位及下级单位干部参加记录的人次 ÷ 在职干部数）', en: 'By field-record participations per cadre in post (times its cadres took part ÷ cadres in post)' },
  cadres: { zh: '按参加的工作记录数排名，显示前十名和后十名；并列同名次', en: 'By field records taken part in; top and bottom ten; ties share a rank' },
};

/** What the two pages ask the server: from the address, with the defaults filled in. */
export type DashQuery = { campaignId?: number; regionCode?: string; from: string; to: string };

export type Preset = 'month' | 'quarter' | 'year' | 'last30' | 'campaign';
export const presetLabels: Record<Preset, { zh: string; en: string }> = {
  month: { zh: '本月', en: 'This month' },
  quarter: { zh: '本季度', en: 'This quarter' },
  year: { zh: '本年', en: 'This year' },
  last30: { zh: '近30天', en: 'Last 30 days' },
  campaign: { zh: '活动全程', en: 'Whole campaign' },
};

const fmt = (d: dayjs.Dayjs) => d.format('YYYY-MM-DD');
/** The period of a preset, ending today (or at the campaign's end). */
export function presetPeriod(p: Preset, campaign?: { startsOn: string; endsOn: string } | null): { from: string; to: string } {
  const today = dayjs();
  switch (p) {
    case 'month': return { from: fmt(today.startOf('month')), to: fmt(today) };
    case 'quarter': return { from: fmt(today.month(Math.floor(today.month() / 3) * 3).startOf('month')), to: fmt(today) };
    case 'last30': return { from: fmt(today.subtract(29, 'day')), to: fmt(today) };
    case 'campaign':
      if (campaign) return { from: campaign.startsOn, to: campaign.endsOn < fmt(today) ? campaign.endsOn : fmt(today) };
      return { from: fmt(today.startOf('year')), to: fmt(today) };
    default: return { from: fmt(today.startOf('year')), to: fmt(today) };
  }
}
export const presetOf = (from: string, to: string, campaign?: { startsOn: string; endsOn: string } | null): Preset | undefined =>
  (Object.keys(presetLabels) as Preset[]).find((p) => {
    const x = presetPeriod(p, campaign);
    return x.from === from && x.to === to;
  });

/** The dashboard for a query; `refreshMs` reloads it on a timer (the big screen). */
export function useDashboard(q: DashQuery | null, refreshMs?: number) {
  const [data, setData] = useState<DashboardResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [nonce, setNonce] = useState(0);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const key = JSON.stringify(q);
  useEffect(() => {
    if (!q) return;
    const ctrl = new AbortController();
    setLoading(true);
    api
      .get<DashboardResult>('/api/v1/statistics/dashboard', { campaignId: q.campaignId, regionCode: q.regionCode, from: q.from, to: q.to }, { quiet: true, signal: ctrl.signal })
      .then((r) => {
        setData(r);
        setError(null);
      })
      .catch((e) => {
        if (ctrl.signal.aborted) return;
        setError(e instanceof ApiError ? e.message : String(e));
      })
      .finally(() => !ctrl.signal.aborted && setLoading(false));
    return () => ctrl.abort();
  }, [key, nonce]);
  useEffect(() => {
    if (!refreshMs) return;
    const timer = setInterval(reload, refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs, reload]);
  return { data, error, loading, reload };
}

// ── Reading a figure ───────────────────────────────────────────────────────────────────────

export const figureName = (key: FigureKey, lang: Lang) => figureDefinitions[key][lang];

/** The number and its unit as the articles write them: 471户, 6.5万元, 92.3%. */
export function figureParts(f: FigureValue | undefined, lang: Lang): { number: string; unit: string } {
  if (!f) return { number: '—', unit: '' };
  const def = figureDefinitions[f.key];
  if (f.value === null) return { number: '—', unit: '' };
  if (def.format === 'rate') return { number: (f.value * 100).toFixed(1), unit: '%' };
  if (def.format === 'fen') {
    const yuan = f.value / 100;
    if (Math.abs(yuan) >= 10_000) return { number: trim((yuan / 10_000).toFixed(yuan >= 1_000_000 ? 0 : 2)), unit: lang === 'zh' ? '万元' : '×10k yuan' };
    return { number: trim(yuan.toFixed(2)), unit: def.unit[lang] };
  }
  return { number: f.value.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-US'), unit: def.unit[lang] };
}
const trim = (s: string) => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);
export const figureText = (f: FigureValue | undefined, lang: Lang) => {
  const p = figureParts(f, lang);
  return `${p.number}${p.unit}`;
};
export const figureOf = (list: FigureValue[], key: FigureKey) => list.find((f) => f.key === key);
/** A figure's value as a chart reads it: rates in %, money in 万元. */
export function chartValue(f: FigureValue | undefined): number | null {
  if (!f || f.value === null) return null;
  const def = figureDefinitions[f.key];
  if (def.format === 'rate') return Math.round(f.value * 1000) / 10;
  if (def.format === 'fen') return Math.round(f.value / 100) / 10_000;
  return f.value;
}
export const chartUnit = (key: FigureKey, lang: Lang) => {
  const def = figureDefinitions[key];
  return def.format === 'rate' ? '%' : def.format === 'fen' ? (lang === 'zh' ? '万元' : '×10k yuan') : def.unit[lang];
};

// ── Charts ──────────────────────────────────────────────────────────────────────────────────

type Theme = 'light' | 'dark';
const axisColor = (t: Theme) => (t === 'dark' ? '#9fb3d1' : '#595959');
const splitColor = (t: Theme) => (t === 'dark' ? 'rgba(159,179,209,0.15)' : '#f0f0f0');

function useChart(build: (chart: echarts.ECharts) => void, deps: unknown[]) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const chart = echarts.init(box.current);
    build(chart);
    const onResize = () => chart.resize();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      chart.dispose();
    };
  }, deps);
  return box;
}

/** The children as bars of one figure, each bar in its region's RAG colour; a click drills down. */
export function ChildrenBars(props: {
  children: DashboardResult['children']; figure: FigureKey; lang: Lang; theme?: Theme; height: number | string; fontSize?: number;
  onPick?: (code: string) => void; testId?: string;
}) {
  const { children, figure, lang, theme = 'light', fontSize = 12 } = props;
  const pick = useRef(props.onPick);
  pick.current = props.onPick;
  const colors = theme === 'dark' ? ragHexesDark : ragHexes;
  const box = useChart((chart) => {
    const all = children.map((c) => ({ c, v: chartValue(figureOf(c.figures, figure)) ?? 0 })).sort((a, b) => b.v - a.v);
    // Many children (a township's villages) read better as horizontal bars, the first 30 shown.
    const horizontal = all.length > 20;
    const rows = horizontal ? all.slice(0, 30) : all;
    const categoryAxis = {
      type: 'category',
      data: (horizontal ? [...rows].reverse() : rows).map((r) => r.c.name),
      axisLabel: { color: axisColor(theme), interval: 0, rotate: !horizontal && rows.length > 8 ? 40 : 0, fontSize: horizontal ? Math.max(10, fontSize - 2) : fontSize, width: 90, overflow: 'truncate' },
      axisLine: { lineStyle: { color: splitColor(theme) } },
    };
    const valueAxis = {
      type: 'value',
      name: chartUnit(figure, lang),
      nameTextStyle: { color: axisColor(theme), fontSize },
      axisLabel: { color: axisColor(theme), fontSize },
      splitLine: { lineStyle: { color: splitColor(theme) } },
    };
    const shown = horizontal ? [...rows].reverse() : rows;
    chart.setOption({
      textStyle: { fontSize },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        formatter: (ps: { dataIndex: number }[]) => {
          const r = shown[ps[0]?.dataIndex ?? 0];
          if (!r) return '';
          const lines = r.c.figures.filter((f) => ['householdsVisited', 'stayDays', 'complianceRate', 'onTimeRate'].includes(f.key))
            .map((f) => `${figureName(f.key, lang)}：${figureText(f, lang)}`);
          return [`<b>${r.c.name}</b>（${ragWords[r.c.rag][lang]}）`, ...lines, ...r.c.ragReasons].join('<br/>');
        },
      },
      grid: { left: 8, right: horizontal ? 36 : 16, top: 24, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: [{
        type: 'bar',
        barMaxWidth: 36,
        data: shown.map((r) => ({ value: r.v, itemStyle: { color: colors[r.c.rag], borderRadius: horizontal ? [0, 3, 3, 0] : [3, 3, 0, 0] } })),
        label: { show: rows.length <= 30, position: horizontal ? 'right' : 'top', color: axisColor(theme), fontSize: Math.max(10, fontSize - 2) },
      }],
    });
    chart.on('click', (p) => {
      const r = shown[p.dataIndex as number];
      if (r) pick.current?.(r.c.code);
    });
  }, [children, figure, lang, theme, fontSize]);
  return <div ref={box} style={{ height: props.height, width: '100%', cursor: props.onPick ? 'pointer' : undefined }} data-testid={props.testId ?? 'dashboard-children-chart'} />;
}

const seriesColors = ['#b7202e', '#1f5fae', '#d48806', '#389e0d', '#722ed1', '#13a8a8'];
const seriesColorsDark = ['#ff7875', '#69b1ff', '#ffd666', '#95de64', '#b37feb', '#5cdbd3'];

/** The trend: one line per figure over the days or months of the period. */
export function TrendLines(props: { trend: DashboardResult['trend']; figures: FigureKey[]; lang: Lang; theme?: Theme; height: number | string; fontSize?: number }) {
  const { trend, figures, lang, theme = 'light', fontSize = 12 } = props;
  const box = useChart((chart) => {
    const labels = trend.points.map((p) => (trend.granularity === 'month' ? p.period : p.period.slice(5)));
    chart.setOption({
      color: theme === 'dark' ? seriesColorsDark : seriesColors,
      textStyle: { fontSize },
      tooltip: { trigger: 'axis' },
      legend: { top: 0, textStyle: { color: axisColor(theme), fontSize } },
      grid: { left: 8, right: 16, top: fontSize * 3, bottom: 8, containLabel: true },
      xAxis: { type: 'category', boundaryGap: false, data: labels, axisLabel: { color: axisColor(theme), fontSize }, axisLine: { lineStyle: { color: splitColor(theme) } } },
      yAxis: { type: 'value', axisLabel: { color: axisColor(theme), fontSize }, splitLine: { lineStyle: { color: splitColor(theme) } } },
      series: figures.map((k) => ({
        name: `${figureName(k, lang)}（${chartUnit(k, lang)}）`,
        type: 'line',
        smooth: true,
        symbolSize: 6,
        areaStyle: theme === 'dark' ? { opacity: 0.08 } : undefined,
        data: trend.points.map((p) => chartValue(figureOf(p.figures, k))),
      })),
    });
  }, [trend, figures.join(','), lang, theme, fontSize]);
  return <div ref={box} style={{ height: props.height, width: '100%' }} data-testid="dashboard-trend-chart" />;
}
