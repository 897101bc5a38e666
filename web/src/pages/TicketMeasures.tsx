import { ArrowUpOutlined, QuestionCircleOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Col, Collapse, Descriptions, Empty, Row, Segmented, Statistic, Table, Tooltip } from 'antd';
import type { TableColumnsType } from 'antd';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { TicketMeasuresResult, TicketMeasuresRow } from '../../../contracts/ticket-api.ts';
import { api } from '../api.ts';
import { PeriodFilter, useUrlFilters } from '../components/recordCommon.tsx';
import { RegionTreeSelect } from '../components/RegionTreeSelect.tsx';
import { UnitSelect } from '../components/RemoteSelect.tsx';
import { PageTitle } from '../components/Status.tsx';
import { useTicketText, type TicketTextKey } from '../components/ticketLoopText.ts';
import '../components/ticketLoop.css';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

// 办理质效: the measures of the ticket loop for a scope (region, handling unit) and a period, with
// their written definitions from the server, grouped by unit, by child region (drilling down) or
// by month. Filters live in the address, so a view can be linked.

type Grouping = 'unit' | 'region' | 'month';
const groupings: Grouping[] = ['region', 'unit', 'month'];
const groupLabel: Record<Grouping, TicketTextKey> = { unit: 'measuresGroupUnit', region: 'measuresGroupRegion', month: 'measuresGroupMonth' };
const groupColumn: Record<Grouping, TicketTextKey> = { unit: 'measuresColUnit', region: 'measuresColRegion', month: 'measuresColMonth' };
type Measure = keyof TicketMeasuresRow;
const label: Partial<Record<Measure, TicketTextKey>> = {
  total: 'measuresTotal',
  signRate: 'measuresSignRate',
  resolveRate: 'measuresResolveRate',
  onTimeRate: 'measuresOnTimeRate',
  satisfactionRate: 'measuresSatisfaction',
  meanHandlingDays: 'measuresMeanDays',
  overdueOpen: 'measuresOverdue',
  resolvedLate: 'measuresResolvedLate',
  repeatRequests: 'measuresRepeat',
  rated: 'measuresRated',
};

const pct = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(1)}%`);
const days = (d: number | null | undefined) => (d === null || d === undefined ? '—' : d.toFixed(1));
const norm = (k: string) => k.replace(/[_\s-]/g, '').toLowerCase();

export default function TicketMeasuresPage() {
  const { tt, lang } = useTicketText();
  const { get, num, update } = useUrlFilters();
  const groupBy: Grouping = (groupings as string[]).includes(get('group') ?? '') ? (get('group') as Grouping) : 'region';
  const region = get('region');
  const unitId = num('unit');
  const from = get('from');
  const to = get('to');
  const [data, setData] = useState<TicketMeasuresResult | null>(null);
  const [loading, setLoading] = useState(false);
  const [trail, setTrail] = useState<{ code: string | undefined; name: string }[]>([]);
  const [nonce, setNonce] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    api
      .get<TicketMeasuresResult>('/api/v1/tickets/measures', { region, unitId, from, to, groupBy })
      .then((r) => !cancelled && setData(r))
      .catch(() => undefined)
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
  }, [region, unitId, from, to, groupBy, nonce]);

  /** The server's written definition of a measure, in the page's language. */
  const definition = useMemo(() => {
    const byKey = new Map((data?.definitions ?? []).map((d) => [norm(d.key), d]));
    return (m: Measure) => {
      const d = byKey.get(norm(m));
      return d ? (lang === 'zh' ? d.zh : d.en) : undefined;
    };
  }, [data, lang]);
  const title = (m: Measure): ReactNode => {
    const text = tt(label[m] ?? 'measuresName');
    const def = definition(m);
    return def ? (
      <Tooltip title={def}>
        <span style={{ cursor: 'help' }}>
          {text} <QuestionCircleOutlined className="lx-muted" style={{ fontSize: 12 }} />
        </span>
      </Tooltip>
    ) : (
      text
    );
  };

  const drill = (r: TicketMeasuresRow) => {
    if (groupBy !== 'region' || !r.key || r.key === region) return;
    setTrail((x) => [...x, { code: region, name: r.name }]);
    update({ region: r.key });
  };
  const up = () => {
    const last = trail[trail.length - 1];
    setTrail((x) => x.slice(0, -1));
    update({ region: last?.code });
  };

  const o = data?.overall;
  const rateCell = (n: number, d: number, r: number | null) => (
    <Tooltip title={tt('measuresOfTotal', { n, d })}>
      <span>{pct(r)}</span>
    </Tooltip>
  );
  const columns: TableColumnsType<TicketMeasuresRow> = [
    {
      title: tt(groupColumn[groupBy]),
      dataIndex: 'name',
      fixed: 'left',
      width: 180,
      render: (n: string, r) =>
        groupBy === 'region' && r.key && r.key !== region ? (
          <a onClick={() => drill(r)} data-testid={`measures-drill-${r.key}`}>
            {n}
          </a>
        ) : (
          n || <span className="lx-muted">{tt('measuresNotSet')}</span>
        ),
    },
    { title: title('total'), dataIndex: 'total', width: 90, align: 'right', sorter: (a, b) => a.total - b.total },
    { title: title('signRate'), key: 'signRate', width: 110, align: 'right', sorter: (a, b) => (a.signRate ?? -1) - (b.signRate ?? -1), render: (_, r) => rateCell(r.signedOnTime, r.dispatched, r.signRate) },
    { title: title('resolveRate'), key: 'resolveRate', width: 100, align: 'right', sorter: (a, b) => (a.resolveRate ?? -1) - (b.resolveRate ?? -1), render: (_, r) => rateCell(r.resolved, r.total, r.resolveRate) },
    { title: title('onTimeRate'), key: 'onTimeRate', width: 110, align: 'right', sorter: (a, b) => (a.onTimeRate ?? -1) - (b.onTimeRate ?? -1), render: (_, r) => rateCell(r.resolvedOnTime, r.resolved, r.onTimeRate) },
    {
      title: title('satisfactionRate'),
      key: 'satisfactionRate',
      width: 100,
      align: 'right',
      sorter: (a, b) => (a.satisfactionRate ?? -1) - (b.satisfactionRate ?? -1),
      render: (_, r) => rateCell(r.satisfied + r.basicallySatisfied, r.rated, r.satisfactionRate),
    },
    { title: title('meanHandlingDays'), dataIndex: 'meanHandlingDays', width: 120, align: 'right', render: days, sorter: (a, b) => (a.meanHandlingDays ?? -1) - (b.meanHandlingDays ?? -1) },
    {
      title: title('overdueOpen'),
      dataIndex: 'overdueOpen',
      width: 100,
      align: 'right',
      sorter: (a, b) => a.overdueOpen - b.overdueOpen,
      render: (n: number) => (n ? <span style={{ color: '#cf1322', fontWeight: 600 }}>{n}</span> : 0),
    },
    { title: title('resolvedLate'), dataIndex: 'resolvedLate', width: 90, align: 'right', sorter: (a, b) => a.resolvedLate - b.resolvedLate },
    { title: title('repeatRequests'), dataIndex: 'repeatRequests', width: 90, align: 'right', sorter: (a, b) => a.repeatRequests - b.repeatRequests },
  ];

  const card = (m: Measure, value: ReactNode, sub?: ReactNode, colour?: string) => (
    <Col xs={12} sm={8} lg={6} xl={3} key={m}>
      <Card size="small" className="lx-measure-card" style={{ height: '100%' }} data-testid={`measure-${m}`}>
        <Statistic title={title(m)} value={value as string} valueStyle={colour ? { color: colour } : undefined} loading={loading && !data} />
        {sub ? <div className="lx-measure-sub">{sub}</div> : null}
      </Card>
    </Col>
  );

  return (
    <div>
      <PageTitle title={tt('measuresTitle')} />
      <div className="lx-toolbar">
        <Segmented<Grouping>
          value={groupBy}
          onChange={(v) => {
            setTrail([]);
            update({ group: v === 'region' ? undefined : v });
          }}
          options={groupings.map((g) => ({ value: g, label: tt(groupLabel[g]) }))}
          data-testid="measures-group"
        />
        <RegionTreeSelect
          placeholder={tt('measuresRegionFilter')}
          style={{ width: 200 }}
          value={region ?? null}
          maxLevel="village"
          onChange={(v) => {
            setTrail([]);
            update({ region: v ?? undefined });
          }}
        />
        <UnitSelect placeholder={tt('measuresUnitFilter')} style={{ width: 200 }} value={unitId ?? null} onChange={(v) => update({ unit: v ?? undefined })} />
        <PeriodFilter from={from} to={to} onChange={(f, x) => update({ from: f, to: x })} style={{ width: 250 }} />
        {groupBy === 'region' && trail.length ? (
          <Button icon={<ArrowUpOutlined />} onClick={up} data-testid="measures-up">
            {tt('measuresUp')}
          </Button>
        ) : null}
        <span className="lx-toolbar-spacer" />
        <Button icon={<ReloadOutlined />} onClick={() => setNonce((n) => n + 1)} />
      </div>

      <Row gutter={[12, 12]} style={{ marginBottom: 12 }} data-testid="measures-cards">
        {card('total', o?.total ?? 0, o ? `${tt('measuresRated')} ${o.rated}` : undefined)}
        {card('signRate', pct(o?.signRate), o ? tt('measuresOfTotal', { n: o.signedOnTime, d: o.dispatched }) : undefined)}
        {card('resolveRate', pct(o?.resolveRate), o ? tt('measuresOfTotal', { n: o.resolved, d: o.total }) : undefined)}
        {card('onTimeRate', pct(o?.onTimeRate), o ? tt('measuresOfTotal', { n: o.resolvedOnTime, d: o.resolved }) : undefined)}
        {card('satisfactionRate', pct(o?.satisfactionRate), o ? tt('measuresOfTotal', { n: o.satisfied + o.basicallySatisfied, d: o.rated }) : undefined, '#389e0d')}
        {card('meanHandlingDays', days(o?.meanHandlingDays), tt('measuresWorkDays'))}
        {card('overdueOpen', o?.overdueOpen ?? 0, o ? `${tt('measuresResolvedLate')} ${o.resolvedLate}` : undefined, o?.overdueOpen ? '#cf1322' : undefined)}
        {card('repeatRequests', o?.repeatRequests ?? 0)}
      </Row>

      {data && data.rows.length > 0 ? (
        <Card size="small" style={{ marginBottom: 12 }}>
          <MeasuresChart rows={data.rows} line={groupBy === 'month'} />
        </Card>
      ) : null}

      <Table<TicketMeasuresRow>
        data-testid="measures-table"
        rowKey={(r) => r.key ?? '__none__'}
        size="small"
        bordered
        loading={loading}
        dataSource={data?.rows ?? []}
        columns={columns}
        scroll={{ x: 1100 }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={tt('measuresNoRows')} /> }}
        pagination={(data?.rows.length ?? 0) > 50 ? { pageSize: 50, showSizeChanger: false } : false}
        summary={() =>
          o && data?.rows.length ? (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0}>
                <strong>{tt('measuresOverall')}</strong>
              </Table.Summary.Cell>
              <Table.Summary.Cell index={1} align="right">{o.total}</Table.Summary.Cell>
              <Table.Summary.Cell index={2} align="right">{pct(o.signRate)}</Table.Summary.Cell>
              <Table.Summary.Cell index={3} align="right">{pct(o.resolveRate)}</Table.Summary.Cell>
              <Table.Summary.Cell index={4} align="right">{pct(o.onTimeRate)}</Table.Summary.Cell>
              <Table.Summary.Cell index={5} align="right">{pct(o.satisfactionRate)}</Table.Summary.Cell>
              <Table.Summary.Cell index={6} align="right">{days(o.meanHandlingDays)}</Table.Summary.Cell>
              <Table.Summary.Cell index={7} align="right">{o.overdueOpen}</Table.Summary.Cell>
              <Table.Summary.Cell index={8} align="right">{o.resolvedLate}</Table.Summary.Cell>
              <Table.Summary.Cell index={9} align="right">{o.repeatRequests}</Table.Summary.Cell>
            </Table.Summary.Row>
          ) : null
        }
      />

      {data?.definitions.length ? (
        <Collapse
          size="small"
          style={{ marginTop: 12, background: '#fff' }}
          items={[
            {
              key: 'defs',
              label: tt('measuresDefinitions'),
              children: (
                <Descriptions column={1} size="small" bordered data-testid="measures-definitions">
                  {data.definitions.map((d) => (
                    <Descriptions.Item key={d.key} label={label[d.key as Measure] ? tt(label[d.key as Measure]!) : d.key} styles={{ label: { width: 150 } }}>
                      {lang === 'zh' ? d.zh : d.en}
                    </Descriptions.Item>
                  ))}
                </Descriptions>
              ),
            },
          ]}
        />
      ) : null}
    </div>
  );
}

/** 受理量 as bars, 按期办结率 and 满意率 as lines on a percent axis; months read left to right. */
function MeasuresChart({ rows, line }: { rows: TicketMeasuresRow[]; line: boolean }) {
  const { tt, lang } = useTicketText();
  const box = useRef<HTMLDivElement>(null);
  const shown = useMemo(() => (line ? rows : [...rows].sort((a, b) => b.total - a.total)).slice(0, 40), [rows, line]);
  useEffect(() => {
    if (!box.current) return;
    const chart = echarts.init(box.current);
    const rate = (r: number | null) => (r === null ? null : Math.round(r * 1000) / 10);
    chart.setOption({
      color: ['#1f5fae', '#d48806', '#389e0d', '#b7202e'],
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { bottom: 0 },
      grid: { left: 8, right: 16, top: 24, bottom: 36, containLabel: true },
      xAxis: { type: 'category', data: shown.map((r) => r.name || tt('measuresNotSet')), axisLabel: { rotate: shown.length > 12 ? 35 : 0, interval: 0, fontSize: 11 } },
      yAxis: [
        { type: 'value', minInterval: 1, name: tt('measuresTotal') },
        { type: 'value', min: 0, max: 100, name: '%', splitLine: { show: false } },
      ],
      series: [
        { name: tt('measuresTotal'), type: 'bar', barMaxWidth: 32, data: shown.map((r) => r.total) },
        { name: tt('measuresOnTimeRate'), type: 'line', yAxisIndex: 1, connectNulls: true, data: shown.map((r) => rate(r.onTimeRate)) },
        { name: tt('measuresSatisfaction'), type: 'line', yAxisIndex: 1, connectNulls: true, data: shown.map((r) => rate(r.satisfactionRate)) },
        { name: tt('measuresOverdue'), type: line ? 'line' : 'bar', barMaxWidth: 32, data: shown.map((r) => r.overdueOpen) },
      ],
    });
    const onResize = () => chart.resize();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      chart.dispose();
    };
  }, [shown, line, tt, lang]);
  return <div ref={box} style={{ height: 300 }} data-testid="measures-chart" />;
}
