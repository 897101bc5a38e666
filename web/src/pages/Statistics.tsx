import { QuestionCircleOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, DatePicker, Drawer, Empty, Row, Segmented, Select, Space, Statistic, Table, Tabs, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import type { CampaignDto } from '../../../contracts/campaigns.ts';
import {
  figureDefinitions, figureKeys, type ComparisonResult, type FigureDefinition, type FigureKey, type FigureRecord, type FigureRecordsResult, type FigureValue, type StatisticsResult,
} from '../../../contracts/statistics.ts';
import { api, type Page } from '../api.ts';
import { useUrlFilters } from '../components/recordCommon.tsx';
import { RegionTreeSelect } from '../components/RegionTreeSelect.tsx';
import { UnitSelect } from '../components/RemoteSelect.tsx';
import { ExportButton, StatisticsExportMenu } from '../components/ExportButton.tsx';
import { PageTitle } from '../components/Status.tsx';
import { useStatsText, type StatsTextKey } from '../components/statisticsText.ts';
import type { Lang } from '../i18n.ts';

echarts.use([BarChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

// 统计: every figure the articles quote for a campaign (or all), a region, a unit and a period,
// each with its definition; a click lists exactly the records behind it (the server's drill-down,
// whose contributions add up to the figure). The 对比 tab sets the period against the previous one
// or last year's, or regions against each other. Filters live in the address, so a view can be linked.

type Group = FigureDefinition['group'];
const groups: { key: Group; label: StatsTextKey }[] = [
  { key: 'activities', label: 'statsGroupActivities' },
  { key: 'writings', label: 'statsGroupWritings' },
  { key: 'matters', label: 'statsGroupMatters' },
  { key: 'tickets', label: 'statsGroupTickets' },
  { key: 'people', label: 'statsGroupPeople' },
  { key: 'compliance', label: 'statsGroupCompliance' },
];

/** A figure as the articles write it: 471户, 6.5万元, 96.3%. */
export function formatFigure(key: FigureKey, value: number | null | undefined, lang: Lang): { number: string; unit: string } {
  const def = figureDefinitions[key];
  if (value === null || value === undefined) return { number: '—', unit: '' };
  if (def.format === 'rate') return { number: (value * 100).toFixed(1), unit: '%' };
  if (def.format === 'fen') {
    const yuan = value / 100;
    if (yuan >= 10_000) return { number: String(Math.round((yuan / 10_000) * 100) / 100), unit: lang === 'zh' ? '万元' : '×10k yuan' };
    return { number: String(Math.round(yuan * 100) / 100), unit: def.unit[lang] };
  }
  return { number: String(value), unit: def.unit[lang] };
}
const figureString = (f: FigureValue | undefined, lang: Lang) => {
  if (!f) return '—';
  const { number, unit } = formatFigure(f.key, f.value, lang);
  return unit === '%' ? `${number}%` : `${number}${lang === 'zh' ? '' : ' '}${unit}`;
};
const contributesText = (key: FigureKey, n: number | null, lang: Lang) => {
  if (n === null) return '';
  const def = figureDefinitions[key];
  if (def.format === 'rate') return n ? '✓' : '✗';
  if (def.format === 'fen') return `${(n / 100).toLocaleString()}${lang === 'zh' ? '元' : ' yuan'}`;
  return `${n}`;
};

const today = () => dayjs().format('YYYY-MM-DD');

export default function StatisticsPage() {
  const { st } = useStatsText();
  const { get, num, update } = useUrlFilters();
  const campaignId = num('campaign');
  const regionCode = get('region');
  const unitId = num('unit');
  const from = get('from') ?? dayjs().startOf('year').format('YYYY-MM-DD');
  const to = get('to') ?? today();
  const tab = get('tab') === 'compare' ? 'compare' : 'figures';
  const [campaigns, setCampaigns] = useState<CampaignDto[]>([]);

  useEffect(() => {
    api.get<Page<CampaignDto>>('/api/v1/campaigns', { pageSize: 100 }, { quiet: true }).then((p) => setCampaigns(p.items)).catch(() => undefined);
  }, []);
  const campaign = campaigns.find((c) => c.id === campaignId);

  const presets = useMemo(() => {
    const now = dayjs();
    const quarterStart = now.month(Math.floor(now.month() / 3) * 3).startOf('month');
    const list: { label: string; value: [Dayjs, Dayjs] }[] = [
      { label: st('statsThisMonth'), value: [now.startOf('month'), now] },
      { label: st('statsThisQuarter'), value: [quarterStart, now] },
      { label: st('statsThisYear'), value: [now.startOf('year'), now] },
    ];
    if (campaign) list.push({ label: st('statsSinceCampaign'), value: [dayjs(campaign.startsOn), dayjs(campaign.endsOn).isBefore(now) ? dayjs(campaign.endsOn) : now] });
    return list;
  }, [campaign, st]);

  const scope = { campaignId, regionCode, unitId, from, to };

  return (
    <div>
      <PageTitle title={st('statsTitle')} extra={<StatisticsExportMenu scope={scope} />} />
      <div className="lx-toolbar">
        <Select<number>
          allowClear
          placeholder={st('statsAllCampaigns')}
          style={{ width: 220 }}
          value={campaignId}
          onChange={(v) => update({ campaign: v ?? undefined })}
          options={campaigns.map((c) => ({ value: c.id, label: c.name }))}
          data-testid="stats-campaign"
        />
        <RegionTreeSelect placeholder={st('statsRegion')} style={{ width: 220 }} value={regionCode ?? null} maxLevel="village" onChange={(v) => update({ region: v ?? undefined })} />
        <UnitSelect placeholder={st('statsUnit')} style={{ width: 200 }} value={unitId ?? null} onChange={(v) => update({ unit: v ?? undefined })} />
        <DatePicker.RangePicker
          style={{ width: 250 }}
          allowClear={false}
          value={[dayjs(from), dayjs(to)]}
          format="YYYY-MM-DD"
          presets={presets}
          onChange={(v) => update({ from: v?.[0]?.format('YYYY-MM-DD'), to: v?.[1]?.format('YYYY-MM-DD') })}
          data-testid="stats-period"
        />
      </div>
      <Tabs
        activeKey={tab}
        onChange={(k) => update({ tab: k === 'compare' ? 'compare' : undefined })}
        items={[
          { key: 'figures', label: st('statsFigures'), children: <FiguresTab scope={scope} /> },
          { key: 'compare', label: st('statsCompare'), children: <CompareTab scope={scope} /> },
        ]}
      />
    </div>
  );
}

type Scope = { campaignId?: number | undefined; regionCode?: string | undefined; unitId?: number | undefined; from: string; to: string };

function FigureTitle({ k }: { k: FigureKey }) {
  const { lang } = useStatsText();
  const def = figureDefinitions[k];
  return (
    <Tooltip title={def.definition[lang]}>
      <span style={{ cursor: 'help' }}>
        {def[lang]} <QuestionCircleOutlined className="lx-muted" style={{ fontSize: 12 }} />
      </span>
    </Tooltip>
  );
}

function FiguresTab({ scope }: { scope: Scope }) {
  const { st, lang } = useStatsText();
  const [data, setData] = useState<StatisticsResult | null>(null);
  const [loading, setLoading] = useState(false);
  const [nonce, setNonce] = useState(0);
  const [open, setOpen] = useState<FigureKey | null>(null);

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    api.get<StatisticsResult>('/api/v1/statistics', scope)
      .then((r) => !cancelled && setData(r))
      .catch(() => !cancelled && setData(null))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
  }, [scope.campaignId, scope.regionCode, scope.unitId, scope.from, scope.to, nonce]);

  const byKey = new Map((data?.figures ?? []).map((f) => [f.key, f]));
  const s = data?.scope;
  const scopeName = s ? [s.campaign?.name, s.region?.name, s.unit?.name].filter(Boolean).join(' · ') || st('statsAll') : '';

  return (
    <div>
      <Space style={{ marginBottom: 12 }} wrap>
        {s ? <Typography.Text type="secondary" data-testid="stats-scope">{st('statsScope', { scope: scopeName, from: s.from, to: s.to })}</Typography.Text> : null}
        <Typography.Text type="secondary">· {st('statsClickHint')}</Typography.Text>
        <Button size="small" icon={<ReloadOutlined />} onClick={() => setNonce((n) => n + 1)} />
      </Space>
      {groups.map((g) => (
        <Card key={g.key} size="small" title={st(g.label)} style={{ marginBottom: 12 }} data-testid={`stats-group-${g.key}`}>
          <Row gutter={[12, 12]}>
            {figureKeys.filter((k) => figureDefinitions[k].group === g.key).map((k) => {
              const f = byKey.get(k);
              const { number, unit } = formatFigure(k, f?.value, lang);
              return (
                <Col xs={12} sm={8} lg={6} xl={4} key={k}>
                  <Card size="small" hoverable onClick={() => setOpen(k)} style={{ height: '100%' }} data-testid={`stats-figure-${k}`}>
                    <Statistic title={<FigureTitle k={k} />} value={number} suffix={unit} loading={loading && !data} />
                    {f && f.denominator !== undefined ? <div className="lx-muted" style={{ fontSize: 12 }}>{st('statsRateOf', { n: f.numerator ?? 0, d: f.denominator })}</div> : null}
                  </Card>
                </Col>
              );
            })}
          </Row>
        </Card>
      ))}
      <RecordsDrawer figure={open} scope={scope} onClose={() => setOpen(null)} />
    </div>
  );
}

function RecordsDrawer({ figure, scope, onClose }: { figure: FigureKey | null; scope: Scope; onClose: () => void }) {
  const { st, lang } = useStatsText();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [data, setData] = useState<FigureRecordsResult | null>(null);
  const [loading, setLoading] = useState(false);
  useEffect(() => setPage(1), [figure]);
  useEffect(() => {
    if (!figure) return;
    let cancelled = false;
    setLoading(true);
    api.get<FigureRecordsResult>('/api/v1/statistics/records', { ...scope, figure, page, pageSize })
      .then((r) => !cancelled && setData(r))
      .catch(() => !cancelled && setData(null))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
  }, [figure, page, pageSize, scope.campaignId, scope.regionCode, scope.unitId, scope.from, scope.to]);

  const def = figure ? figureDefinitions[figure] : null;
  const current = data && figure && data.figure.key === figure ? data : null;
  const columns: TableColumnsType<FigureRecord> = [
    { title: st('statsColDate'), dataIndex: 'date', width: 110 },
    { title: st('statsColTitle'), dataIndex: 'title', render: (t: string, r) => (r.link ? <Link to={r.link}>{t || `#${r.id}`}</Link> : t) },
    { title: st('statsColRegion'), dataIndex: 'regionName', width: 140 },
    { title: st('statsColPeople'), dataIndex: 'people', width: 180 },
    current?.items.some((i) => i.counted)
      ? { title: st('statsColCounted'), key: 'counted', width: 200, render: (_, r) => (r.counted ?? []).map((c) => <Tag key={c.id}>{c.name}</Tag>) }
      : { title: st('statsColContributes'), dataIndex: 'contributes', width: 110, align: 'right' as const, render: (n: number | null) => (figure ? contributesText(figure, n, lang) : '') },
  ];

  return (
    <Drawer open={figure !== null} onClose={onClose} size={960} destroyOnHidden
      extra={figure && def ? <ExportButton path="/api/v1/statistics/export" query={{ ...scope, table: 'records', figure }} filename={`${def.zh}明细.xlsx`} testId="stats-records-export" /> : null}
      title={def ? `${def[lang]}：${current ? figureString(current.figure, lang) : ''}` : ''}>
      {def ? <Alert type="info" showIcon title={`${st('statsDefinition')}：${def.definition[lang]}`} style={{ marginBottom: 12 }} /> : null}
      {current ? (
        <Space style={{ marginBottom: 8 }} data-testid="stats-records-summary">
          <Tag color="blue">{st('statsRecordCount', { n: current.total })}</Tag>
          {current.distinct !== undefined ? <Tag color="green">{st('statsDistinct', { n: current.distinct })}</Tag> : null}
        </Space>
      ) : null}
      <Table<FigureRecord>
        data-testid="stats-records"
        size="small"
        rowKey={(r) => `${r.kind}-${r.id}-${r.date}-${r.title}`}
        loading={loading}
        dataSource={current?.items ?? []}
        columns={columns}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} /> }}
        pagination={{ current: page, pageSize, total: current?.total ?? 0, showSizeChanger: true, pageSizeOptions: [20, 50, 100, 200], onChange: (p, s) => { setPage(p); setPageSize(s); } }}
      />
    </Drawer>
  );
}

type Against = 'previous' | 'lastYear' | 'regions';
const headline: FigureKey[] = ['householdsVisited', 'talkAttendance', 'hardshipHouseholdsComforted', 'condolenceMoneyFen', 'diaries', 'researchReports', 'mattersDone', 'matterFundsFen', 'problemsSolved', 'resolveRate', 'satisfactionRate', 'cadresDispatched', 'villagesCovered', 'complianceRate'];

function CompareTab({ scope }: { scope: Scope }) {
  const { st, lang } = useStatsText();
  const [against, setAgainst] = useState<Against>('previous');
  const [regionCodes, setRegionCodes] = useState<string[]>([]);
  const [data, setData] = useState<ComparisonResult | null>(null);
  const [loading, setLoading] = useState(false);
  const [chartKey, setChartKey] = useState<FigureKey>('householdsVisited');

  useEffect(() => {
    if (against === 'regions' && regionCodes.length < 2) {
      setData(null);
      return;
    }
    let cancelled = false;
    setLoading(true);
    api.get<ComparisonResult>('/api/v1/statistics/compare', {
      ...scope, ...(against === 'regions' ? { regionCode: undefined, regionCodes: regionCodes.join(',') } : {}), against, figures: headline.join(','),
    })
      .then((r) => !cancelled && setData(r))
      .catch(() => !cancelled && setData(null))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
  }, [against, regionCodes.join(','), scope.campaignId, scope.regionCode, scope.unitId, scope.from, scope.to]);

  type Row = { key: FigureKey };
  const cols = data?.columns ?? [];
  const change = new Map((data?.changes ?? []).map((c) => [c.key, c]));
  const columns: TableColumnsType<Row> = [
    { title: st('statsColFigure'), key: 'figure', fixed: 'left', width: 180, render: (_, r) => <FigureTitle k={r.key} /> },
    ...cols.map((c, i) => ({
      title: <span>{c.label}<br /><span className="lx-muted" style={{ fontSize: 11 }}>{c.from} ~ {c.to}</span></span>,
      key: `c${i}`,
      align: 'right' as const,
      render: (_: unknown, r: Row) => figureString(c.figures.find((f) => f.key === r.key), lang),
    })),
    ...(against === 'regions' ? [] : [
      {
        title: st('statsColDelta'), key: 'delta', align: 'right' as const, width: 120,
        render: (_: unknown, r: Row) => {
          const d = change.get(r.key)?.delta;
          if (d === null || d === undefined) return st('statsNone');
          const def = figureDefinitions[r.key];
          const sign = d > 0 ? '+' : d < 0 ? '−' : '';
          const text = def.format === 'rate'
            ? `${(Math.abs(d) * 100).toFixed(1)}${lang === 'zh' ? '个百分点' : ' pp'}`
            : figureString({ key: r.key, value: Math.abs(d) }, lang);
          return <span style={{ color: d > 0 ? '#389e0d' : d < 0 ? '#cf1322' : undefined }}>{sign}{text}</span>;
        },
      },
      {
        title: st('statsColRatio'), key: 'ratio', align: 'right' as const, width: 100,
        render: (_: unknown, r: Row) => {
          const x = change.get(r.key)?.ratio;
          return x === null || x === undefined ? st('statsNone') : `${x > 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
        },
      },
    ]),
  ];

  return (
    <div>
      <Space wrap style={{ marginBottom: 12 }}>
        <span>{st('statsAgainst')}</span>
        <Segmented<Against>
          value={against}
          onChange={setAgainst}
          options={[{ value: 'previous', label: st('statsPrevious') }, { value: 'lastYear', label: st('statsLastYear') }, { value: 'regions', label: st('statsRegions') }]}
          data-testid="stats-against"
        />
        {against === 'regions' ? (
          <RegionTreeSelect<true> multiple placeholder={st('statsPickRegions')} style={{ minWidth: 320 }} value={regionCodes} maxLevel="village" onChange={(v) => setRegionCodes((v ?? []).slice(0, 20))} />
        ) : null}
      </Space>
      {against === 'regions' && regionCodes.length < 2 ? <Alert type="info" showIcon title={st('statsPickRegionsHint')} style={{ marginBottom: 12 }} /> : null}
      {data ? (
        <Card size="small" style={{ marginBottom: 12 }}
          extra={<Select<FigureKey> size="small" style={{ width: 200 }} value={chartKey} onChange={setChartKey} options={headline.map((k) => ({ value: k, label: figureDefinitions[k][lang] }))} />}
          title={st('statsChartFigure')}>
          <CompareChart data={data} figure={chartKey} />
        </Card>
      ) : null}
      <Table<Row>
        data-testid="stats-compare"
        size="small"
        bordered
        rowKey="key"
        loading={loading}
        dataSource={data ? headline.map((key) => ({ key })) : []}
        columns={columns}
        pagination={false}
        scroll={{ x: 700 }}
      />
    </div>
  );
}

/** One bar per column (period or region) for the chosen figure. */
function CompareChart({ data, figure }: { data: ComparisonResult; figure: FigureKey }) {
  const { lang } = useStatsText();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const chart = echarts.init(box.current);
    const def = figureDefinitions[figure];
    const scale = (v: number | null) => (v === null ? null : def.format === 'rate' ? Math.round(v * 1000) / 10 : def.format === 'fen' ? v / 100 : v);
    chart.setOption({
      color: ['#1f5fae'],
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 8, right: 16, top: 24, bottom: 24, containLabel: true },
      xAxis: { type: 'category', data: data.columns.map((c) => c.label), axisLabel: { interval: 0, rotate: data.columns.length > 8 ? 30 : 0 } },
      yAxis: { type: 'value', name: def.format === 'rate' ? '%' : def.format === 'fen' ? (lang === 'zh' ? '元' : 'yuan') : def.unit[lang] },
      series: [{ name: def[lang], type: 'bar', barMaxWidth: 48, label: { show: true, position: 'top' }, data: data.columns.map((c) => scale(c.figures.find((f) => f.key === figure)?.value ?? null)) }],
    });
    const onResize = () => chart.resize();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      chart.dispose();
    };
  }, [data, figure, lang]);
  return <div ref={box} style={{ height: 280 }} data-testid="stats-compare-chart" />;
}
