// Shared pieces of the compliance pages: the API paths, the status tag and count badges, and the
// red/amber/green stacked bars. Status words and colours come from contracts/requirements.ts.
import { Tag, Tooltip } from 'antd';
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import type { ComplianceCounts, ComplianceRow, RequirementRuleDto } from '../../../contracts/compliance-api.ts';
import { complianceStatusLabels, type ComplianceStatus } from '../../../contracts/requirements.ts';
import { api } from '../api.ts';
import { useComplianceText } from './complianceText.ts';

echarts.use([BarChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

/** Where the compliance API lives (contracts/compliance-api.ts). */
export const compliancePaths = {
  rules: (campaignId: number) => `/api/v1/campaigns/${campaignId}/requirement-rules`,
  rule: (id: number) => `/api/v1/requirement-rules/${id}`,
  preview: (campaignId: number) => `/api/v1/campaigns/${campaignId}/requirement-rules/preview`,
  windows: (id: number) => `/api/v1/requirement-rules/${id}/windows`,
  rows: '/api/v1/compliance/rows',
  summary: '/api/v1/compliance/summary',
  upcoming: '/api/v1/calendar/upcoming',
};

/** A list answer, bare or as { items }. */
export const itemsOf = <T,>(r: T[] | { items: T[] }): T[] => (Array.isArray(r) ? r : r.items);

export async function loadRules(campaignId: number, signal?: AbortSignal): Promise<RequirementRuleDto[]> {
  return itemsOf(await api.get<RequirementRuleDto[] | { items: RequirementRuleDto[] }>(compliancePaths.rules(campaignId), undefined, { quiet: true, signal }));
}

/** Most pressing first: at risk, missed, on track, met. */
export const statusOrder: ComplianceStatus[] = ['at_risk', 'missed', 'on_track', 'met'];
/** Worst first, as the server sorts previews and the status filter lists them. */
export const statusSeverity: ComplianceStatus[] = ['missed', 'at_risk', 'on_track', 'met'];

export const statusHex: Record<ComplianceStatus, string> = { met: '#389e0d', on_track: '#95de64', at_risk: '#d48806', missed: '#cf1322' };
const statusTag: Record<ComplianceStatus, string> = { met: 'success', on_track: 'green', at_risk: 'warning', missed: 'error' };
const countKey: Record<ComplianceStatus, 'met' | 'onTrack' | 'atRisk' | 'missed'> = { met: 'met', on_track: 'onTrack', at_risk: 'atRisk', missed: 'missed' };
export const countOf = (c: Pick<ComplianceCounts, 'met' | 'onTrack' | 'atRisk' | 'missed'>, s: ComplianceStatus) => c[countKey[s]];

export function StatusTag({ status }: { status: ComplianceStatus }) {
  const { lang } = useComplianceText();
  return (
    <Tag color={statusTag[status]} style={{ marginInlineEnd: 0 }} data-testid={`status-${status}`}>
      {complianceStatusLabels[status][lang]}
    </Tag>
  );
}

/** The four counts as coloured badges (zeros left faint). */
export function CountBadges({ counts, compact }: { counts: Pick<ComplianceCounts, 'met' | 'onTrack' | 'atRisk' | 'missed'>; compact?: boolean }) {
  const { lang } = useComplianceText();
  return (
    <span className="lx-compliance-badges" style={{ display: 'inline-flex', gap: 4, flexWrap: 'wrap' }}>
      {statusSeverity.map((s) => {
        const n = countOf(counts, s);
        return (
          <Tooltip key={s} title={complianceStatusLabels[s][lang]}>
            <Tag color={n ? statusTag[s] : undefined} style={{ marginInlineEnd: 0, opacity: n ? 1 : 0.45 }} data-testid={`count-${s}`}>
              {compact ? '' : `${complianceStatusLabels[s][lang]} `}
              <strong>{n}</strong>
            </Tag>
          </Tooltip>
        );
      })}
    </span>
  );
}

export const pct = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(1)}%`);

/** count / required as a person reads it: 2 / ≥4, 3 / ≤2, 5 / 4–6. */
export function requiredText(min: number | null, max: number | null): string {
  if (min !== null && max !== null) return min === max ? `${min}` : `${min}–${max}`;
  if (min !== null) return `≥${min}`;
  if (max !== null) return `≤${max}`;
  return '—';
}

/** Horizontal stacked bars, one per row: missed (red), at risk (amber), on track and met (greens). */
export function StackedBars({ rows, onClick, height }: { rows: { key: string; name: string; counts: ComplianceCounts }[]; onClick?: (key: string) => void; height?: number }) {
  const { lang } = useComplianceText();
  const box = useRef<HTMLDivElement>(null);
  const click = useRef(onClick);
  click.current = onClick;
  useEffect(() => {
    if (!box.current) return;
    const chart = echarts.init(box.current);
    const shown = rows.slice(0, 30).reverse();
    const order: ComplianceStatus[] = ['missed', 'at_risk', 'on_track', 'met'];
    chart.setOption({
      // Shares, so a level with 400 subjects and one with 30 read side by side; counts in the tooltip.
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        formatter: (ps: { dataIndex: number; seriesIndex: number; marker: string; seriesName: string }[]) => {
          const r = shown[ps[0]?.dataIndex ?? 0];
          if (!r) return '';
          const lines = ps.map((p) => `${p.marker}${p.seriesName} ${countOf(r.counts, order[p.seriesIndex]!)}`);
          return [`<b>${r.name}</b>（${r.counts.total}）`, ...lines].join('<br/>');
        },
      },
      legend: { bottom: 0 },
      grid: { left: 8, right: 24, top: 8, bottom: 32, containLabel: true },
      xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
      yAxis: { type: 'category', data: shown.map((r) => r.name), axisLabel: { width: 140, overflow: 'truncate' } },
      series: order.map((s) => ({
        name: complianceStatusLabels[s][lang],
        type: 'bar',
        stack: 'all',
        barMaxWidth: 22,
        itemStyle: { color: statusHex[s] },
        data: shown.map((r) => (r.counts.total ? Math.round((countOf(r.counts, s) / r.counts.total) * 1000) / 10 : 0)),
      })),
    });
    chart.on('click', (p) => {
      const r = shown[p.dataIndex as number];
      if (r) click.current?.(r.key);
    });
    const onResize = () => chart.resize();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      chart.dispose();
    };
  }, [rows, lang]);
  const h = height ?? Math.max(160, Math.min(rows.length, 30) * 30 + 60);
  return <div ref={box} style={{ height: h }} data-testid="compliance-chart" />;
}

/** One row's statuses as a thin stacked bar (red, amber, greens), proportional to its rows. */
export function RagBar({ counts }: { counts: ComplianceCounts }) {
  const { lang } = useComplianceText();
  if (!counts.total) return <div style={{ height: 10, background: '#f5f5f5', borderRadius: 2, minWidth: 80 }} />;
  return (
    <Tooltip title={statusSeverity.map((s) => `${complianceStatusLabels[s][lang]} ${countOf(counts, s)}`).join(' · ')}>
      <div style={{ display: 'flex', height: 10, borderRadius: 2, overflow: 'hidden', minWidth: 80 }}>
        {statusSeverity.map((s) => {
          const n = countOf(counts, s);
          return n ? <div key={s} style={{ flex: n, background: statusHex[s] }} /> : null;
        })}
      </div>
    </Tooltip>
  );
}

/** One compliance row as a duty: status, rule, done / required, the explanation, whom and when (the cadre card and 我的任务). */
export function DutyRowBody({ row: r }: { row: ComplianceRow }) {
  return (
    <>
      <div className="lx-duty-head">
        <StatusTag status={r.status} />
        <strong className="lx-duty-title">{r.ruleName}</strong>
        <span className="lx-duty-count">
          {r.count} / {requiredText(r.requiredMin, r.requiredMax)}
        </span>
      </div>
      <div className="lx-duty-text">{r.explanation}</div>
      <div className="lx-muted lx-duty-meta">
        {r.subject !== 'cadre' ? `${r.subjectName} · ` : ''}
        {r.windowStart} ~ {r.windowEnd}
      </div>
    </>
  );
}
