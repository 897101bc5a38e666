import { ReloadOutlined } from '@ant-design/icons';
import { Alert, Breadcrumb, Button, Card, Col, Empty, Progress, Result, Row, Space, Spin, Table, Tabs, Tag, Tooltip } from 'antd';
import type { TableColumnsType } from 'antd';
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import type { CoverageReport } from '../../../contracts/coverage.ts';
import type { RegionDto } from '../../../contracts/regions.ts';
import { api, ApiError, type Page } from '../api.ts';
import { useMe } from '../auth.tsx';
import { CampaignSelect, useCampaignParam } from '../components/CampaignSelect.tsx';
import { ruleText } from '../components/CoverageRules.tsx';
import { PageTitle } from '../components/Status.tsx';
import { useI18n, type MessageKey } from '../i18n.ts';
import { ragBg, ragHex, ragTagColor, regionLevelLabel, type Rag } from '../labels.ts';

echarts.use([BarChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

type RuleCoverage = CoverageReport['rules'][number];
type Violation = RuleCoverage['violations'][number];
type ChildRow = { code: string; name: string; level: string; cells: Record<number, { evaluated: number; unmet: number; status: Rag } | undefined>; status: Rag; unmet: number };

const ragLabel: Record<Rag, MessageKey> = { green: 'ragGreen', amber: 'ragAmber', red: 'ragRed' };
const problemLabel: Record<Violation['problem'], MessageKey> = { uncovered: 'problemUncovered', under: 'problemUnder', over: 'problemOver' };
const problemColor: Record<Violation['problem'], string> = { uncovered: 'red', under: 'orange', over: 'purple' };
const worst = (xs: Rag[]): Rag => (xs.includes('red') ? 'red' : xs.includes('amber') ? 'amber' : 'green');
const SELF = '__self__';
const seriesColors = ['#b7202e', '#1f5fae', '#d48806', '#389e0d', '#722ed1', '#13a8a8', '#eb2f96', '#595959'];

export default function CoveragePage() {
  const me = useMe();
  const { t, lang } = useI18n();
  const { id: campaignId, campaign, none, select, params } = useCampaignParam();
  const region = params.get('region');
  const [report, setReport] = useState<CoverageReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [chain, setChain] = useState<RegionDto[]>([]);
  const [names, setNames] = useState<Record<string, string>>({});
  const [activeRule, setActiveRule] = useState<string | undefined>(undefined);

  const load = useCallback(async () => {
    if (!campaignId) return;
    setLoading(true);
    setError(null);
    try {
      const r = await api.get<CoverageReport>(`/api/v1/campaigns/${campaignId}/coverage`, { region: region ?? undefined, violationsLimit: 100 }, { quiet: true });
      setReport(r);
    } catch (e) {
      setReport(null);
      if (e instanceof ApiError) setError(e.message);
    } finally {
      setLoading(false);
    }
  }, [campaignId, region]);

  useEffect(() => {
    void load();
  }, [load]);

  // The path from the starting region (the campaign's, or the user's own scope inside it) down to here.
  const here = report?.region.code;
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

  // Names of the places the violations are in (the report gives codes): the villages under this
  // region in one request, then the few others one by one.
  useEffect(() => {
    if (!report) return;
    const codes = new Set(report.rules.flatMap((r) => r.violations.map((v) => v.regionCode)).filter((c): c is string => !!c));
    const known: Record<string, string> = {};
    for (const r of report.rules) for (const row of r.byRegion) known[row.code] = row.name;
    known[report.region.code] = report.region.name;
    let cancelled = false;
    (async () => {
      const missing = () => [...codes].filter((c) => !known[c]);
      if (missing().length > 10) {
        const page = await api.get<Page<RegionDto>>('/api/v1/regions', { under: report.region.code, level: 'village', pageSize: 1000 }, { quiet: true }).catch(() => null);
        for (const r of page?.items ?? []) known[r.code] = r.name;
      }
      const rest = missing().slice(0, 40);
      const found = await Promise.all(rest.map((c) => api.get<RegionDto>(`/api/v1/regions/${encodeURIComponent(c)}`, undefined, { quiet: true }).catch(() => null)));
      for (const r of found) if (r) known[r.code] = r.name;
      if (!cancelled) setNames(known);
    })().catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [report]);

  const drill = (code: string | null) => select(campaignId, { region: code });

  const children = useMemo<ChildRow[]>(() => {
    if (!report) return [];
    const rows = new Map<string, ChildRow>();
    for (const rc of report.rules) {
      for (const b of rc.byRegion) {
        const row = rows.get(b.code) ?? { code: b.code, name: b.name, level: b.level, cells: {}, status: 'green' as Rag, unmet: 0 };
        row.cells[rc.rule.id] = { evaluated: b.evaluated, unmet: b.unmet, status: b.status };
        row.unmet += b.unmet;
        rows.set(b.code, row);
      }
    }
    // Items placed at this region itself (e.g. the cadres of a township's own units when looking at
    // the township) fall in no child region: they get a row of their own, so the rows add up.
    const self: ChildRow = { code: SELF, name: t('thisLevel', { name: report.region.name }), level: 'self', cells: {}, status: 'green', unmet: 0 };
    for (const rc of report.rules) {
      const evaluated = rc.evaluated - rc.byRegion.reduce((n, b) => n + b.evaluated, 0);
      const unmet = rc.uncovered + rc.under + rc.over - rc.byRegion.reduce((n, b) => n + b.unmet, 0);
      if (evaluated > 0) {
        self.cells[rc.rule.id] = { evaluated, unmet, status: unmet === 0 ? 'green' : unmet / evaluated <= 0.1 ? 'amber' : 'red' };
        self.unmet += unmet;
      }
    }
    const list = [...rows.values()].sort((a, b) => a.code.localeCompare(b.code));
    if (Object.keys(self.cells).length) list.unshift(self);
    return list.map((r) => ({ ...r, status: worst(Object.values(r.cells).map((c) => c?.status ?? 'green')) }));
  }, [report, t]);

  const ruleTitle = (rc: RuleCoverage) => rc.rule.description || ruleText(rc.rule, lang);

  const childColumns: TableColumnsType<ChildRow> = [
    {
      title: t('childRegion'),
      dataIndex: 'name',
      fixed: 'left',
      width: 160,
      render: (n: string, r) =>
        r.level === 'building' || r.code === SELF ? (
          <span className="lx-muted">{n}</span>
        ) : (
          <a onClick={() => drill(r.code)} data-testid={`drill-${r.code}`}>
            {n}
          </a>
        ),
    },
    {
      title: t('overallStatus'),
      dataIndex: 'status',
      width: 90,
      align: 'center',
      render: (s: Rag) => <Tag color={ragTagColor[s]}>{t(ragLabel[s])}</Tag>,
    },
    ...(report?.rules ?? []).map((rc, i) => ({
      title: (
        <Tooltip title={ruleTitle(rc)}>
          <span>
            {t('ruleN', { n: i + 1 })}
          </span>
        </Tooltip>
      ),
      key: `rule-${rc.rule.id}`,
      width: 96,
      align: 'center' as const,
      onCell: (r: ChildRow) => {
        const c = r.cells[rc.rule.id];
        return { style: c ? { background: ragBg[c.status], color: ragHex[c.status] } : undefined };
      },
      render: (_: unknown, r: ChildRow) => {
        const c = r.cells[rc.rule.id];
        if (!c) return <span className="lx-muted">—</span>;
        return (
          <Tooltip title={t('cellTooltip', { unmet: c.unmet, evaluated: c.evaluated })}>
            <span style={{ fontWeight: c.unmet ? 600 : 400 }}>
              {c.unmet} / {c.evaluated}
            </span>
          </Tooltip>
        );
      },
    })),
  ];

  if (none)
    return (
      <div>
        <PageTitle title={t('coverageTitle')} />
        <Result status="info" title={t('noCampaigns')} />
      </div>
    );

  return (
    <div>
      <PageTitle
        title={t('coverageTitle')}
        extra={
          <Space wrap>
            <CampaignSelect value={campaignId} initial={campaign} onChange={(v) => v && select(v, { region: null })} style={{ width: 300 }} />
            <Button icon={<ReloadOutlined />} onClick={() => void load()}>
              {t('refresh')}
            </Button>
          </Space>
        }
      />
      <Card size="small" style={{ marginBottom: 16 }} styles={{ body: { display: 'flex', alignItems: 'center', gap: 16, flexWrap: 'wrap' } }}>
        <Breadcrumb
          data-testid="coverage-breadcrumb"
          items={(chain.length ? chain : report ? [{ code: report.region.code, name: report.region.name } as RegionDto] : []).map((r, i, all) => ({
            key: r.code,
            title: i === all.length - 1 ? <strong>{r.name}</strong> : <a onClick={() => drill(r.code)}>{r.name}</a>,
          }))}
        />
        {report ? (
          <>
            <span className="lx-muted">{regionLevelLabel(report.region.level as RegionDto['level'], lang)}</span>
            <span className="lx-toolbar-spacer" />
            <span>
              {t('overallStatus')}：
              <Tag color={ragTagColor[report.status]} style={{ fontSize: 14, padding: '2px 10px' }} data-testid="coverage-status">
                {t(ragLabel[report.status])}
              </Tag>
            </span>
          </>
        ) : null}
      </Card>
      {error ? <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} /> : null}
      {!report ? (
        loading || !error ? (
          <div style={{ padding: 60, textAlign: 'center' }}>
            <Spin />
          </div>
        ) : null
      ) : report.rules.length === 0 ? (
        <Result status="info" title={t('noRules')} extra={<Link to={`/campaigns/${report.campaignId}`}>{t('setRules')}</Link>} />
      ) : (
        <Spin spinning={loading}>
          <Row gutter={[16, 16]} data-testid="coverage-cards">
            {report.rules.map((rc, i) => (
              <Col key={rc.rule.id} xs={24} md={12} xl={8}>
                <RuleCard rc={rc} n={i + 1} title={ruleTitle(rc)} active={activeRule === String(rc.rule.id)} onClick={() => setActiveRule(String(rc.rule.id))} />
              </Col>
            ))}
            <Col span={24}>
              <Card size="small" title={t('unmetByRegion')}>
                {children.every((r) => r.unmet === 0) ? (
                  <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={children.length ? t('noViolations') : t('noChildRegions')} />
                ) : (
                  <UnmetChart report={report} rows={children.filter((r) => r.code !== SELF)} onPick={drill} />
                )}
              </Card>
            </Col>
            <Col span={24}>
              <Card size="small" title={t('childRegions')}>
                {children.length === 0 ? (
                  <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noChildRegions')} />
                ) : (
                  <Table<ChildRow>
                    data-testid="coverage-regions"
                    rowKey="code"
                    size="small"
                    bordered
                    dataSource={children}
                    columns={childColumns}
                    scroll={{ x: 260 + 96 * report.rules.length }}
                    pagination={children.length > 30 ? { pageSize: 30, size: 'small', showSizeChanger: false } : false}
                  />
                )}
              </Card>
            </Col>
            <Col span={24}>
              <Violations report={report} names={names} active={activeRule} onActive={setActiveRule} ruleTitle={ruleTitle} />
            </Col>
          </Row>
        </Spin>
      )}
    </div>
  );
}

function RuleCard({ rc, n, title, active, onClick }: { rc: RuleCoverage; n: number; title: string; active: boolean; onClick: () => void }) {
  const { t } = useI18n();
  const percent = rc.evaluated ? Math.floor((rc.met / rc.evaluated) * 1000) / 10 : 100;
  // Nothing to count here (e.g. no building units in this region): neither met nor missed.
  const empty = rc.evaluated === 0;
  const colour = empty ? '#bfbfbf' : ragHex[rc.status];
  const stat = (label: MessageKey, value: number, color?: string) => (
    <div style={{ textAlign: 'center', flex: 1, minWidth: 0 }}>
      <div className="lx-muted" style={{ fontSize: 12, whiteSpace: 'nowrap' }}>
        {t(label)}
      </div>
      <div style={{ fontSize: 17, fontWeight: 600, color: value && color ? color : undefined }}>{value.toLocaleString()}</div>
    </div>
  );
  return (
    <Card
      size="small"
      hoverable
      onClick={onClick}
      data-testid={`rule-card-${rc.rule.id}`}
      style={{ borderTop: `3px solid ${colour}`, height: '100%', ...(active ? { boxShadow: `0 0 0 1px ${colour}` } : {}) }}
      title={
        <Tooltip title={title}>
          <span>
            <span className="lx-muted">{t('ruleN', { n })} · </span>
            {title}
          </span>
        </Tooltip>
      }
      extra={empty ? <Tag>{t('ragNone')}</Tag> : <Tag color={ragTagColor[rc.status]}>{t(ragLabel[rc.status])}</Tag>}
    >
      <div style={{ display: 'flex', alignItems: 'center', gap: 12 }}>
        <Progress type="circle" size={60} percent={empty ? 0 : percent} strokeColor={colour} format={(p) => (empty ? '—' : `${p}%`)} />
        <div style={{ display: 'flex', flex: 1, gap: 2 }}>
          {stat('evaluated', rc.evaluated)}
          {stat('met', rc.met, '#389e0d')}
          {stat('problemUncovered', rc.uncovered, '#cf1322')}
          {stat('problemUnder', rc.under, '#d46b08')}
          {stat('problemOver', rc.over, '#722ed1')}
        </div>
      </div>
    </Card>
  );
}

function UnmetChart({ report, rows, onPick }: { report: CoverageReport; rows: ChildRow[]; onPick: (code: string) => void }) {
  const { t, lang } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const shown = useMemo(() => rows.slice(0, 40), [rows]);
  const pick = useRef(onPick);
  pick.current = onPick;
  useEffect(() => {
    if (!box.current) return;
    const chart = echarts.init(box.current);
    chart.setOption({
      color: seriesColors,
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { type: 'scroll', bottom: 0 },
      grid: { left: 8, right: 16, top: 16, bottom: 32, containLabel: true },
      xAxis: { type: 'category', data: shown.map((r) => r.name), axisLabel: { rotate: shown.length > 14 ? 40 : 0, interval: 0, fontSize: 11 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: report.rules.map((rc, i) => ({
        name: `${t('ruleN', { n: i + 1 })} ${rc.rule.description || ruleText(rc.rule, lang)}`.slice(0, 28),
        type: 'bar',
        stack: 'unmet',
        barMaxWidth: 36,
        data: shown.map((r) => r.cells[rc.rule.id]?.unmet ?? 0),
      })),
    });
    chart.on('click', (p) => {
      const row = shown[p.dataIndex ?? -1];
      if (row && row.level !== 'building') pick.current(row.code);
    });
    const onResize = () => chart.resize();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      chart.dispose();
    };
  }, [report, shown, t, lang]);
  return (
    <>
      <div ref={box} style={{ height: 320 }} data-testid="coverage-chart" />
      {rows.length > shown.length ? <div className="lx-muted" style={{ fontSize: 12 }}>{t('chartFirstN', { n: shown.length, total: rows.length })}</div> : null}
    </>
  );
}

function Violations({
  report,
  names,
  active,
  onActive,
  ruleTitle,
}: {
  report: CoverageReport;
  names: Record<string, string>;
  active: string | undefined;
  onActive: (k: string) => void;
  ruleTitle: (rc: RuleCoverage) => string;
}) {
  const { t } = useI18n();
  const withProblems = report.rules.filter((r) => r.violations.length > 0);
  const key = active && withProblems.some((r) => String(r.rule.id) === active) ? active : withProblems[0] ? String(withProblems[0].rule.id) : undefined;
  const columns: TableColumnsType<Violation> = [
    { title: t('problem'), dataIndex: 'problem', width: 90, render: (p: Violation['problem']) => <Tag color={problemColor[p]}>{t(problemLabel[p])}</Tag> },
    {
      title: t('subject'),
      dataIndex: 'kind',
      width: 80,
      render: (k: Violation['kind']) => t(k === 'target' ? 'subjectTarget' : k === 'cadre' ? 'subjectCadre' : 'subjectUnit'),
    },
    {
      title: t('name'),
      dataIndex: 'name',
      width: 200,
      render: (n: string, v) =>
        v.kind === 'target' ? (
          <Link to={`/targets/${v.id}`}>{n}</Link>
        ) : v.kind === 'cadre' ? (
          <Link to={`/cadres/${v.id}`}>{n}</Link>
        ) : (
          n
        ),
    },
    { title: t('region'), dataIndex: 'regionCode', width: 140, render: (c: string | null) => (c ? (names[c] ?? <span className="lx-phone lx-muted">{c}</span>) : '—') },
    { title: t('linkedCount'), dataIndex: 'count', width: 80, align: 'right' },
    { title: t('explanation'), dataIndex: 'explanation' },
  ];
  return (
    <Card size="small" title={t('violations')} data-testid="coverage-violations">
      {withProblems.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noViolations')} />
      ) : (
        <Tabs
          activeKey={key}
          onChange={onActive}
          size="small"
          items={withProblems.map((rc) => {
            const n = report.rules.indexOf(rc) + 1;
            const total = rc.uncovered + rc.under + rc.over;
            return {
              key: String(rc.rule.id),
              label: (
                <Tooltip title={ruleTitle(rc)}>
                  <span>
                    {t('ruleN', { n })} <Tag color={ragTagColor[rc.status]} style={{ marginInlineStart: 4 }}>{total}</Tag>
                  </span>
                </Tooltip>
              ),
              children: (
                <>
                  <div style={{ marginBottom: 8 }}>
                    <strong>{ruleTitle(rc)}</strong>
                    {rc.violationsTruncated ? <span className="lx-muted" style={{ marginInlineStart: 12 }}>{t('violationsTruncated', { n: rc.violations.length, total })}</span> : null}
                  </div>
                  <Table<Violation>
                    rowKey={(v) => `${v.kind}-${v.id}`}
                    size="small"
                    dataSource={rc.violations}
                    columns={columns}
                    pagination={rc.violations.length > 15 ? { pageSize: 15, size: 'small', showSizeChanger: false } : false}
                  />
                </>
              ),
            };
          })}
        />
      )}
    </Card>
  );
}
