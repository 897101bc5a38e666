import { AlertOutlined, DesktopOutlined, QuestionCircleOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, Breadcrumb, Button, Card, Col, DatePicker, Drawer, Empty, List, Row, Segmented, Space, Spin, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import type { RegionDto } from '../../../contracts/regions.ts';
import { figureDefinitions, type DashboardResult, type FigureKey, type FigureRecord, type FigureRecordsResult } from '../../../contracts/statistics.ts';
import { api } from '../api.ts';
import { useMe } from '../auth.tsx';
import { CampaignSelect, useCampaignParam } from '../components/CampaignSelect.tsx';
import {
  ChildrenBars, chartUnit, figureName, figureOf, figureParts, figureText, presetLabels, presetOf, presetPeriod, ragHexes, rankingRules, ragRule, ragWords,
  TrendLines, useDashboard, type Preset,
} from '../components/dashboardCommon.tsx';
import { PageTitle } from '../components/Status.tsx';
import { useI18n } from '../i18n.ts';
import { regionLevelLabel } from '../labels.ts';

// 驾驶舱: one scope (campaign, region, period) at a glance — the headline figures (a click lists the
// records behind one), the regions one level down coloured red/amber/green (a click drills down,
// the breadcrumb climbs back), the trend, rankings and warnings. The scope lives in the address, so
// a view can be linked; 大屏 opens the same scope full screen.

type Rankings = DashboardResult['rankings'];
const chartFigures: FigureKey[] = ['householdsVisited', 'stayDays', 'complianceRate', 'onTimeRate', 'matterFundsFen'];
const trendFigures: FigureKey[] = ['householdsVisited', 'stayDays', 'forums', 'problemsSolved', 'mattersDone'];
const tableFigures: FigureKey[] = ['householdsVisited', 'stayDays', 'forums', 'mattersDone', 'complianceRate', 'onTimeRate'];

export default function DashboardPage() {
  const { lang } = useI18n();
  const zh = lang === 'zh';
  const me = useMe();
  const { id: campaignId, campaign, select, params, setParams } = useCampaignParam();
  const region = params.get('region') ?? undefined;
  const fallback = presetPeriod('year');
  const from = params.get('from') ?? fallback.from;
  const to = params.get('to') ?? fallback.to;
  const query = useMemo(() => (campaignId ? { campaignId, regionCode: region, from, to } : null), [campaignId, region, from, to]);
  const { data, error, loading, reload } = useDashboard(query);
  const [chartFigure, setChartFigure] = useState<FigureKey>('householdsVisited');
  const [drawer, setDrawer] = useState<FigureKey | null>(null);
  const [chain, setChain] = useState<RegionDto[]>([]);

  const update = (patch: Record<string, string | undefined>) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      for (const [k, v] of Object.entries(patch)) {
        if (v === undefined || v === '') next.delete(k);
        else next.set(k, v);
      }
      return next;
    });
  const drill = (code: string) => update({ region: code });

  // The breadcrumb: from the campaign's region (or the user's own, inside it) down to here.
  const here = region ?? data?.scope.region?.code ?? campaign?.regionCode;
  useEffect(() => {
    if (!here) return;
    let cancelled = false;
    api
      .get<RegionDto[]>(`/api/v1/regions/${encodeURIComponent(here)}/ancestors`, undefined, { quiet: true })
      .then((rows) => {
        if (cancelled) return;
        const starts = [campaign?.regionCode, me.regionCode].map((c) => rows.findIndex((r) => r.code === c)).filter((i) => i >= 0);
        setChain(rows.slice(starts.length ? Math.max(...starts) : 0));
      })
      .catch(() => setChain([]));
    return () => {
      cancelled = true;
    };
  }, [here, campaign?.regionCode, me.regionCode]);

  const preset = presetOf(from, to, campaign);
  const bigScreen = `/bigscreen?${new URLSearchParams(Object.entries({ campaign: campaignId ? String(campaignId) : '', region: region ?? '', from, to }).filter(([, v]) => v)).toString()}`;
  const level = chain.at(-1)?.level;

  return (
    <div data-testid="dashboard-page">
      <PageTitle
        title={zh ? '驾驶舱' : 'Dashboard'}
        extra={
          <Space>
            <Button icon={<ReloadOutlined />} onClick={reload} loading={loading}>{zh ? '刷新' : 'Refresh'}</Button>
            <Link to={bigScreen} target="_blank" data-testid="dashboard-bigscreen-link">
              <Button type="primary" icon={<DesktopOutlined />}>{zh ? '大屏' : 'Big screen'}</Button>
            </Link>
          </Space>
        }
      />
      <Card size="small" style={{ marginBottom: 16 }} styles={{ body: { display: 'flex', flexWrap: 'wrap', gap: 12, alignItems: 'center' } }}>
        <CampaignSelect value={campaignId} onChange={(v) => v && select(v, { region: null })} style={{ width: 300 }} />
        <Segmented<Preset | 'custom'>
          value={preset ?? 'custom'}
          onChange={(p) => p !== 'custom' && update(presetPeriod(p, campaign))}
          options={[...(Object.keys(presetLabels) as Preset[]).map((p) => ({ value: p, label: presetLabels[p][lang] })), { value: 'custom', label: zh ? '自定义' : 'Custom', disabled: true }]}
          data-testid="dashboard-presets"
        />
        <DatePicker.RangePicker
          value={[dayjs(from), dayjs(to)]}
          allowClear={false}
          format="YYYY-MM-DD"
          onChange={(v) => v?.[0] && v[1] && update({ from: v[0].format('YYYY-MM-DD'), to: v[1].format('YYYY-MM-DD') })}
        />
        <span className="lx-toolbar-spacer" style={{ flex: 1 }} />
        <span style={{ display: 'inline-flex', alignItems: 'center', gap: 8 }}>
        <Breadcrumb
          data-testid="dashboard-breadcrumb"
          items={chain.map((r, i) => ({
            key: r.code,
            title: i === chain.length - 1 ? <strong>{r.name}</strong> : <a onClick={() => drill(r.code)} data-testid={`dashboard-crumb-${r.code}`}>{r.name}</a>,
          }))}
        />
        {level ? <span className="lx-muted">{regionLevelLabel(level, lang)}</span> : null}
        </span>
      </Card>

      {error ? <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} /> : null}
      {!data ? (
        <Card><Spin spinning={loading}><Empty description={loading ? (zh ? '正在计算…' : 'Computing…') : undefined} /></Spin></Card>
      ) : (
        <Spin spinning={loading}>
          <HeadlineCards data={data} onOpen={setDrawer} />
          <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
            <Col xs={24} xl={14}>
              <Card
                size="small"
                title={<span>{zh ? '下级区划' : 'One level down'} <Tooltip title={ragRule[lang]}><QuestionCircleOutlined className="lx-muted" /></Tooltip></span>}
                extra={<Segmented<FigureKey> size="small" value={chartFigure} onChange={setChartFigure} options={chartFigures.map((k) => ({ value: k, label: figureName(k, lang) }))} />}
              >
                {data.children.length ? (
                  <>
                    <ChildrenBars children={data.children} figure={chartFigure} lang={lang} height={data.children.length > 20 ? Math.min(30, data.children.length) * 18 + 60 : 300} onPick={drill} />
                    <ChildrenTable data={data} onPick={drill} />
                  </>
                ) : (
                  <Empty description={zh ? '本级没有下级区划' : 'No regions below this one'} />
                )}
              </Card>
            </Col>
            <Col xs={24} xl={10}>
              <Warnings warnings={data.warnings} />
            </Col>
            <Col span={24}>
              <Card size="small" title={`${zh ? '趋势' : 'Trend'}（${data.trend.granularity === 'month' ? (zh ? '按月' : 'monthly') : (zh ? '按日' : 'daily')}）`}>
                <TrendLines trend={data.trend} figures={trendFigures} lang={lang} height={280} />
              </Card>
            </Col>
            <Col span={24}>
              <RankingCards rankings={data.rankings} onPickRegion={drill} />
            </Col>
          </Row>
          <div className="lx-muted" style={{ marginTop: 8, fontSize: 12 }}>
            {zh ? '计算于' : 'Computed at'} {dayjs(data.computedAt).format('YYYY-MM-DD HH:mm:ss')} · {ragRule[lang]}
          </div>
        </Spin>
      )}
      <RecordsDrawer figure={drawer} query={query} onClose={() => setDrawer(null)} />
    </div>
  );
}

function HeadlineCards({ data, onOpen }: { data: DashboardResult; onOpen: (k: FigureKey) => void }) {
  const { lang } = useI18n();
  return (
    <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(max(170px, calc((100% - 48px) / 5)), 1fr))', gap: 12 }} data-testid="dashboard-figures">
      {data.figures.map((f) => {
        const p = figureParts(f, lang);
        const def = figureDefinitions[f.key];
        return (
          <Card key={f.key} size="small" hoverable onClick={() => onOpen(f.key)} data-testid={`figure-${f.key}`} styles={{ body: { padding: '12px 16px' } }}>
            <div className="lx-muted" style={{ fontSize: 13 }}>
              {def[lang]}{' '}
              <Tooltip title={def.definition[lang]}>
                <QuestionCircleOutlined style={{ fontSize: 12 }} onClick={(e) => e.stopPropagation()} />
              </Tooltip>
            </div>
            <div style={{ marginTop: 4 }}>
              <span style={{ fontSize: 28, fontWeight: 600, color: '#b7202e' }} data-testid={`figure-value-${f.key}`}>{p.number}</span>
              <span style={{ marginLeft: 4 }}>{p.unit}</span>
            </div>
            {f.denominator !== undefined && def.format === 'rate' ? (
              <div className="lx-muted" style={{ fontSize: 12 }}>{f.numerator} / {f.denominator}</div>
            ) : null}
          </Card>
        );
      })}
    </div>
  );
}

type Child = DashboardResult['children'][number];
function ChildrenTable({ data, onPick }: { data: DashboardResult; onPick: (code: string) => void }) {
  const { lang } = useI18n();
  const columns: TableColumnsType<Child> = [
    { title: lang === 'zh' ? '区划' : 'Region', dataIndex: 'name', fixed: 'left', width: 130, render: (n: string, c) => <a onClick={() => onPick(c.code)} data-testid={`dashboard-child-${c.code}`}>{n}</a> },
    {
      title: lang === 'zh' ? '状态' : 'Status', dataIndex: 'rag', width: 80,
      sorter: (a, b) => ['green', 'amber', 'red'].indexOf(a.rag) - ['green', 'amber', 'red'].indexOf(b.rag),
      render: (_: unknown, c) => (
        <Tooltip title={c.ragReasons.join('；') || undefined}>
          <Tag color={ragHexes[c.rag]} style={{ marginInlineEnd: 0 }}>{ragWords[c.rag][lang]}</Tag>
        </Tooltip>
      ),
    },
    ...tableFigures.map((k) => ({
      title: `${figureName(k, lang)}`,
      key: k,
      align: 'right' as const,
      sorter: (a: Child, b: Child) => (figureOf(a.figures, k)?.value ?? -1) - (figureOf(b.figures, k)?.value ?? -1),
      render: (_: unknown, c: Child) => figureText(figureOf(c.figures, k), lang),
    })),
  ];
  return <Table<Child> size="small" rowKey="code" columns={columns} dataSource={data.children} pagination={data.children.length > 10 ? { pageSize: 10, size: 'small' } : false} scroll={{ x: 760 }} style={{ marginTop: 8 }} />;
}

function Warnings({ warnings }: { warnings: DashboardResult['warnings'] }) {
  const { lang } = useI18n();
  const zh = lang === 'zh';
  return (
    <Card size="small" title={<span><AlertOutlined style={{ color: '#cf1322' }} /> {zh ? '预警' : 'Warnings'}（{warnings.length}）</span>} styles={{ body: { maxHeight: 560, overflow: 'auto', padding: '4px 12px' } }}>
      {warnings.length === 0 ? <Empty description={zh ? '没有预警' : 'Nothing to warn about'} /> : (
        <List
          size="small"
          dataSource={warnings}
          data-testid="dashboard-warnings"
          renderItem={(w) => (
            <List.Item style={{ alignItems: 'flex-start' }}>
              <Space align="start">
                <Tag color={ragHexes[w.level]} style={{ marginInlineEnd: 0 }}>{ragWords[w.level][lang]}</Tag>
                <span>
                  {w.link ? <Link to={w.link}><strong>{w.subject}</strong></Link> : <strong>{w.subject}</strong>}
                  <span className="lx-muted">：{w.message}</span>
                </span>
              </Space>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}

function RankingCards({ rankings, onPickRegion }: { rankings: Rankings; onPickRegion: (code: string) => void }) {
  const { lang } = useI18n();
  const zh = lang === 'zh';
  const rankCell = (r: number) => <span style={{ fontWeight: r <= 3 ? 700 : 400, color: r <= 3 ? '#b7202e' : undefined }}>{r}</span>;
  const half = rankings.cadresRanked > rankings.cadres.length ? rankings.cadres.length : Math.ceil(rankings.cadres.length / 2);
  const top = rankings.cadresRanked > 20 ? rankings.cadres.slice(0, 10) : rankings.cadres.slice(0, half);
  const bottom = rankings.cadresRanked > 20 ? rankings.cadres.slice(10) : rankings.cadres.slice(half);
  type CadreRow = Rankings['cadres'][number];
  const cadreColumns: TableColumnsType<CadreRow> = [
    { title: zh ? '名次' : 'Rank', dataIndex: 'rank', width: 60, render: rankCell },
    { title: zh ? '干部' : 'Cadre', dataIndex: 'name', render: (n: string, c) => <Link to={`/cadres/${c.id}`}>{n}</Link> },
    { title: zh ? '单位' : 'Unit', dataIndex: 'unitName', ellipsis: true },
    { title: zh ? '记录' : 'Records', dataIndex: 'score', align: 'right', width: 70 },
  ];
  const title = (t: string, rule: { zh: string; en: string }) => <span>{t} <Tooltip title={rule[lang]}><QuestionCircleOutlined className="lx-muted" /></Tooltip></span>;
  return (
    <Row gutter={[16, 16]} data-testid="dashboard-rankings">
      <Col xs={24} lg={8}>
        <Card size="small" title={title(zh ? '区划排名' : 'Regions', rankingRules.regions)}>
          <Table
            size="small" rowKey="code" pagination={false} scroll={{ y: 320 }} dataSource={rankings.regions}
            columns={[
              { title: zh ? '名次' : 'Rank', dataIndex: 'rank', width: 60, render: rankCell },
              { title: zh ? '区划' : 'Region', dataIndex: 'name', render: (n: string, r: Rankings['regions'][number]) => <a onClick={() => onPickRegion(r.code)}>{n}</a> },
              { title: zh ? '履职达标率' : 'Compliance', dataIndex: 'score', align: 'right', render: (v: number) => `${v.toFixed(1)}%` },
            ]}
          />
        </Card>
      </Col>
      <Col xs={24} lg={8}>
        <Card size="small" title={title(zh ? '单位排名' : 'Units', rankingRules.units)}>
          <Table
            size="small" rowKey="id" pagination={false} scroll={{ y: 320 }} dataSource={rankings.units}
            columns={[
              { title: zh ? '名次' : 'Rank', dataIndex: 'rank', width: 60, render: rankCell },
              { title: zh ? '单位' : 'Unit', dataIndex: 'name', ellipsis: true },
              { title: zh ? '人均参加人次' : 'Per cadre (times)', dataIndex: 'score', align: 'right', render: (v: number) => v.toFixed(2) },
            ]}
          />
        </Card>
      </Col>
      <Col xs={24} lg={8}>
        <Card size="small" title={title(zh ? `干部排名（共${rankings.cadresRanked}人）` : `Cadres (${rankings.cadresRanked})`, rankingRules.cadres)}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{zh ? '前列' : 'Top'}</Typography.Text>
          <Table<CadreRow> size="small" rowKey="id" pagination={false} dataSource={top} columns={cadreColumns} data-testid="dashboard-cadres-top" />
          {bottom.length ? (
            <>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>{zh ? '后列' : 'Bottom'}</Typography.Text>
              <Table<CadreRow> size="small" rowKey="id" pagination={false} dataSource={bottom} columns={cadreColumns} showHeader={false} data-testid="dashboard-cadres-bottom" />
            </>
          ) : null}
        </Card>
      </Col>
    </Row>
  );
}

/** The records behind one figure (GET /api/v1/statistics/records), a page at a time. */
function RecordsDrawer({ figure, query, onClose }: { figure: FigureKey | null; query: { campaignId?: number; regionCode?: string; from: string; to: string } | null; onClose: () => void }) {
  const { lang } = useI18n();
  const zh = lang === 'zh';
  const [page, setPage] = useState(1);
  const [data, setData] = useState<FigureRecordsResult | null>(null);
  const [loading, setLoading] = useState(false);
  useEffect(() => setPage(1), [figure]);
  useEffect(() => {
    if (!figure || !query) return;
    const ctrl = new AbortController();
    setLoading(true);
    api
      .get<FigureRecordsResult>('/api/v1/statistics/records', { ...query, figure, page, pageSize: 20 }, { signal: ctrl.signal })
      .then(setData)
      .catch(() => undefined)
      .finally(() => !ctrl.signal.aborted && setLoading(false));
    return () => ctrl.abort();
  }, [figure, query, page]);
  const def = figure ? figureDefinitions[figure] : null;
  const columns: TableColumnsType<FigureRecord> = [
    { title: zh ? '日期' : 'Date', dataIndex: 'date', width: 100 },
    { title: zh ? '记录' : 'Record', dataIndex: 'title', render: (t: string, r) => (r.link ? <Link to={r.link}>{t || '—'}</Link> : t || '—') },
    { title: zh ? '地点' : 'Place', dataIndex: 'regionName', width: 120, ellipsis: true },
    { title: zh ? '人员' : 'People', dataIndex: 'people', width: 140, ellipsis: true },
    {
      title: zh ? '计入' : 'Adds', dataIndex: 'contributes', width: 110, align: 'right',
      render: (v: number | null, r) => (r.counted?.length ? r.counted.map((c) => c.name).join('、') : v === null ? '—' : figure ? figureText({ key: figure, value: v }, lang) : v),
    },
  ];
  return (
    <Drawer open={figure !== null} onClose={onClose} width={900} title={def ? `${def[lang]}：${data && data.figure.key === figure ? figureText(data.figure, lang) : ''}` : ''} destroyOnHidden>
      {def ? <Alert type="info" showIcon message={def.definition[lang]} style={{ marginBottom: 12 }} /> : null}
      {data?.distinct !== undefined ? <div style={{ marginBottom: 8 }}>{zh ? `以下记录共涉及 ${data.distinct} ${def ? chartUnit(figure!, lang) : ''}（去重）` : `These records reach ${data.distinct} distinct`}</div> : null}
      <Table<FigureRecord>
        size="small"
        rowKey={(r) => `${r.kind}-${r.id}`}
        loading={loading}
        columns={columns}
        dataSource={data?.items ?? []}
        data-testid="dashboard-records"
        pagination={{ current: page, pageSize: 20, total: data?.total ?? 0, onChange: setPage, showSizeChanger: false, size: 'small' }}
      />
    </Drawer>
  );
}
