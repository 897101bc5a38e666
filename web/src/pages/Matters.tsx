import { ArrowUpOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Col, Row, Segmented, Select, Statistic, Table, Tabs, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { fundsGroupings, matterStatusLabels, matterStatuses, type FundsGrouping, type FundsResult, type FundsRow, type MatterListQuery, type MatterStatus, type MatterSummary } from '../../../contracts/matters.ts';
import { api } from '../api.ts';
import { can, useMe } from '../auth.tsx';
import { MatterDrawer, MatterModal, matterStatusColor } from '../components/MatterForm.tsx';
import { CampaignPicker, formatWan, formatYuan, PeriodFilter, tablePaging, useUrlFilters, useUrlPagedList } from '../components/recordCommon.tsx';
import { TargetSelect } from '../components/RecordPickers.tsx';
import { RegionTreeSelect } from '../components/RegionTreeSelect.tsx';
import { CadreSelect } from '../components/RemoteSelect.tsx';
import { ExportButton } from '../components/ExportButton.tsx';
import { PageTitle } from '../components/Status.tsx';
import { useI18n, type MessageKey } from '../i18n.ts';
import { kindColor, targetKindLabel } from '../labels.ts';
import '../components/records.css';

// 实事: the practical matters promised and done, and the funds they carry summed per region, unit,
// campaign or target. `?view=funds` shows the sums; `?open=12` opens matter 12 in a drawer.

const groupLabel: Record<FundsGrouping, MessageKey> = { region: 'byRegion', unit: 'byUnit', campaign: 'byCampaign', target: 'byTarget' };

export default function MattersPage() {
  const { t } = useI18n();
  const { get, update } = useUrlFilters();
  const view = get('view') === 'funds' ? 'funds' : 'list';
  return (
    <div>
      <PageTitle title={t('mattersTitle')} />
      <Tabs
        activeKey={view}
        onChange={(k) => update({ view: k === 'funds' ? 'funds' : undefined, open: undefined, group: undefined })}
        items={[
          { key: 'list', label: t('mattersList'), children: view === 'list' ? <MatterList /> : null },
          { key: 'funds', label: <span data-testid="funds-tab">{t('fundsSummary')}</span>, children: view === 'funds' ? <Funds /> : null },
        ]}
      />
    </div>
  );
}

function MatterList() {
  const me = useMe();
  const { t, lang } = useI18n();
  const { get, num, update, page, pageSize } = useUrlFilters();
  const [creating, setCreating] = useState(false);
  const open = num('open');

  const query: Partial<MatterListQuery> = {
    status: (matterStatuses as readonly string[]).includes(get('status') ?? '') ? (get('status') as MatterStatus) : undefined,
    targetId: num('target'),
    region: get('region'),
    campaignId: num('campaign'),
    cadreId: num('cadre'),
    from: get('from'),
    to: get('to'),
  };
  const key = JSON.stringify(query);

  const { data, loading, load, onTable } = useUrlPagedList<MatterSummary>('/api/v1/matters', key, { page, pageSize, update });

  const columns: TableColumnsType<MatterSummary> = [
    {
      title: t('matterTitle'),
      dataIndex: 'title',
      width: 240,
      render: (s: string, r) => (
        <a onClick={() => update({ open: r.id, page: get('page') })} style={{ fontWeight: 500 }} data-testid={`matter-open-${r.id}`}>
          {s}
        </a>
      ),
    },
    {
      title: t('matterTarget'),
      key: 'target',
      width: 200,
      render: (_, r) => (
        <span>
          <Tag color={kindColor[r.targetKind]} style={{ fontSize: 11, lineHeight: '16px', padding: '0 3px', marginInlineEnd: 4 }}>
            {targetKindLabel(r.targetKind, lang)}
          </Tag>
          <Link to={`/targets/${r.targetId}`}>{r.targetName}</Link>
        </span>
      ),
    },
    { title: t('targetRegion'), dataIndex: 'regionName', width: 120, ellipsis: true },
    {
      title: t('matterCadre'),
      key: 'cadre',
      width: 170,
      ellipsis: true,
      render: (_, r) => (r.cadreId ? <span><Link to={`/cadres/${r.cadreId}`}>{r.cadreName}</Link>{r.unitName ? <span className="lx-muted"> · {r.unitName}</span> : null}</span> : <span className="lx-muted">—</span>),
    },
    { title: t('amount'), dataIndex: 'amountFen', width: 130, align: 'right', render: (f: number) => (f ? formatYuan(f, lang) : <span className="lx-muted">—</span>) },
    { title: t('fundSource'), dataIndex: 'fundSource', width: 110, ellipsis: true, render: (s: string) => s || <span className="lx-muted">—</span> },
    { title: t('matterStatus'), dataIndex: 'status', width: 90, render: (s: MatterStatus) => <Tag color={matterStatusColor[s]}>{matterStatusLabels[s][lang]}</Tag> },
    { title: t('promisedOn'), dataIndex: 'promisedOn', width: 110 },
    { title: t('doneOn'), dataIndex: 'doneOn', width: 110, render: (d: string | null) => d ?? <span className="lx-muted">—</span> },
    { title: t('photos'), dataIndex: 'photoCount', width: 70, align: 'right', render: (n: number) => n || <span className="lx-muted">—</span> },
    { title: t('fromActivity'), dataIndex: 'activityId', width: 90, render: (a: number | null) => (a ? <Link to={`/activities/${a}`}>#{a}</Link> : <span className="lx-muted">—</span>) },
  ];

  return (
    <div>
      <div className="lx-toolbar">
        <Select
          placeholder={t('matterStatus')}
          allowClear
          style={{ width: 120 }}
          value={query.status}
          options={matterStatuses.map((s) => ({ value: s, label: matterStatusLabels[s][lang] }))}
          onChange={(v?: string) => update({ status: v })}
        />
        <TargetSelect placeholder={t('filterTarget')} style={{ width: 190 }} value={query.targetId ?? null} onChange={(v) => update({ target: v ?? undefined })} />
        <CadreSelect placeholder={t('filterCadre')} style={{ width: 160 }} value={query.cadreId ?? null} onChange={(v) => update({ cadre: v ?? undefined })} />
        <RegionTreeSelect placeholder={t('regionFilter')} style={{ width: 200 }} value={query.region ?? null} maxLevel="village" onChange={(v) => update({ region: v ?? undefined })} />
        <CampaignPicker style={{ width: 200 }} value={query.campaignId ?? null} onChange={(v) => update({ campaign: v ?? undefined })} />
        <PeriodFilter from={query.from} to={query.to} onChange={(f, x) => update({ from: f, to: x })} style={{ width: 250 }} />
        <Button onClick={() => update({ status: undefined, target: undefined, cadre: undefined, region: undefined, campaign: undefined, from: undefined, to: undefined })}>{t('reset')}</Button>
        <span className="lx-toolbar-spacer" />
        <Button icon={<ReloadOutlined />} onClick={() => void load()}>
          {t('refresh')}
        </Button>
        <ExportButton path="/api/v1/matters/export.xlsx" query={query} filename="实事台账.xlsx" testId="matter-export" />
        {can(me, 'matter.write') ? (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="matter-new">
            {t('newMatter')}
          </Button>
        ) : null}
      </div>
      <Table<MatterSummary>
        data-testid="matter-table"
        rowKey="id"
        size="small"
        bordered
        loading={loading}
        dataSource={data?.items ?? []}
        columns={columns}
        onChange={onTable}
        scroll={{ x: 1450 }}
        pagination={tablePaging(page, pageSize, data?.total ?? 0, t)}
      />
      {creating ? (
        <MatterModal
          matter={null}
          defaults={{ targetId: query.targetId, campaignId: query.campaignId ?? null }}
          onCancel={() => setCreating(false)}
          onDone={(m) => {
            setCreating(false);
            void load();
            update({ open: m.id, page: get('page') });
          }}
        />
      ) : null}
      {open ? <MatterDrawer key={open} id={open} onClose={() => update({ open: undefined, page: get('page') })} onChanged={() => void load()} /> : null}
    </div>
  );
}

/** 资金汇总: funds per region (drilling down), unit, campaign or target, in 万元 and exact 元. */
function Funds() {
  const { t, lang } = useI18n();
  const { get, num, update } = useUrlFilters();
  const groupBy: FundsGrouping = (fundsGroupings as readonly string[]).includes(get('group') ?? '') ? (get('group') as FundsGrouping) : 'region';
  const region = get('region');
  const campaignId = num('campaign');
  const status = get('status');
  const from = get('from');
  const to = get('to');
  const [data, setData] = useState<FundsResult | null>(null);
  const [loading, setLoading] = useState(false);
  const [trail, setTrail] = useState<{ code: string | undefined; name: string }[]>([]);

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    api
      .get<FundsResult>('/api/v1/matters/funds', { groupBy, region, campaignId, status, from, to })
      .then((r) => !cancelled && setData(r))
      .catch(() => undefined)
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
  }, [groupBy, region, campaignId, status, from, to]);

  const drill = (r: FundsRow) => {
    if (groupBy !== 'region' || r.self || !r.key) return;
    setTrail((x) => [...x, { code: region, name: data?.region?.name ?? '' }]);
    update({ region: r.key });
  };
  const up = () => {
    const last = trail[trail.length - 1];
    setTrail((x) => x.slice(0, -1));
    update({ region: last?.code });
  };

  const pct = (a: number, b: number) => (b ? `${Math.round((a / b) * 100)}%` : '—');
  const columns: TableColumnsType<FundsRow> = [
    {
      title: t(groupLabel[groupBy]),
      dataIndex: 'name',
      render: (n: string, r) => {
        if (r.self) return <span>{n} <Tag>{t('regionSelf')}</Tag></span>;
        if (groupBy === 'region' && r.key) return <a onClick={() => drill(r)}>{n}</a>;
        if (groupBy === 'target' && r.key) return <Link to={`/targets/${r.key}`}>{n}</Link>;
        if (groupBy === 'campaign' && r.key) return <Link to={`/campaigns/${r.key}`}>{n}</Link>;
        return n || <span className="lx-muted">{t('notSet')}</span>;
      },
    },
    { title: t('matterCount'), dataIndex: 'count', width: 90, align: 'right', sorter: (a, b) => a.count - b.count },
    { title: t('doneCount'), dataIndex: 'doneCount', width: 100, align: 'right', render: (n: number, r) => `${n}（${pct(n, r.count)}）` },
    {
      title: t('fundsWan'),
      dataIndex: 'amountFen',
      width: 130,
      align: 'right',
      defaultSortOrder: 'descend',
      sorter: (a, b) => a.amountFen - b.amountFen,
      render: (f: number) => <strong>{formatWan(f, lang)}</strong>,
    },
    { title: t('fundsYuan'), dataIndex: 'amountFen', key: 'yuan', width: 160, align: 'right', render: (f: number) => formatYuan(f, lang) },
    { title: t('doneFundsWan'), dataIndex: 'doneAmountFen', width: 130, align: 'right', render: (f: number) => formatWan(f, lang) },
  ];

  return (
    <div>
      <div className="lx-toolbar">
        <Segmented
          value={groupBy}
          onChange={(v) => {
            setTrail([]);
            update({ group: v === 'region' ? undefined : v });
          }}
          options={(['region', 'unit', 'campaign', 'target'] as const).map((g) => ({ value: g, label: t(groupLabel[g]) }))}
          data-testid="funds-group"
        />
        <RegionTreeSelect placeholder={t('regionFilter')} style={{ width: 200 }} value={region ?? null} maxLevel="village" onChange={(v) => { setTrail([]); update({ region: v ?? undefined }); }} />
        <CampaignPicker style={{ width: 200 }} value={campaignId ?? null} onChange={(v) => update({ campaign: v ?? undefined })} />
        <Select
          placeholder={t('matterStatus')}
          allowClear
          style={{ width: 120 }}
          value={status}
          options={matterStatuses.map((s) => ({ value: s, label: matterStatusLabels[s][lang] }))}
          onChange={(v?: string) => update({ status: v })}
        />
        <PeriodFilter from={from} to={to} onChange={(f, x) => update({ from: f, to: x })} style={{ width: 250 }} />
        {groupBy === 'region' && trail.length ? (
          <Button icon={<ArrowUpOutlined />} onClick={up}>
            {t('upOneLevel')}
          </Button>
        ) : null}
      </div>
      <Row gutter={16} style={{ marginBottom: 16 }}>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('matterCount')} value={data?.totalCount ?? 0} suffix={t('unitJian')} loading={loading && !data} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('doneCount')} value={data?.doneCount ?? 0} suffix={t('unitJian')} loading={loading && !data} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small" data-testid="funds-total">
            <Statistic title={t('fundsTotal')} value={formatWan(data?.totalFen ?? 0, lang)} loading={loading && !data} />
            <div className="lx-muted" style={{ fontSize: 12 }}>{formatYuan(data?.totalFen ?? 0, lang)}</div>
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('doneFundsTotal')} value={formatWan(data?.doneTotalFen ?? 0, lang)} loading={loading && !data} />
            <div className="lx-muted" style={{ fontSize: 12 }}>{formatYuan(data?.doneTotalFen ?? 0, lang)}</div>
          </Card>
        </Col>
      </Row>
      {data?.truncated ? <div className="lx-muted" style={{ marginBottom: 8 }}>{t('fundsTruncated', { n: data.rows.length.toLocaleString() })}</div> : null}
      {groupBy === 'region' && data?.region ? (
        <div style={{ marginBottom: 8 }}>
          {t('fundsIn', { name: data.region.name })}
        </div>
      ) : null}
      <Table<FundsRow>
        data-testid="funds-table"
        rowKey={(r) => `${r.key ?? 'none'}-${r.self ? 'self' : ''}`}
        size="small"
        bordered
        loading={loading}
        dataSource={data?.rows ?? []}
        columns={columns}
        pagination={(data?.rows.length ?? 0) > 50 ? { pageSize: 50, showSizeChanger: false } : false}
        summary={() =>
          data ? (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0}>
                <strong>{t('total')}</strong>
              </Table.Summary.Cell>
              <Table.Summary.Cell index={1} align="right">{data.totalCount}</Table.Summary.Cell>
              <Table.Summary.Cell index={2} align="right">{`${data.doneCount}（${pct(data.doneCount, data.totalCount)}）`}</Table.Summary.Cell>
              <Table.Summary.Cell index={3} align="right"><strong>{formatWan(data.totalFen, lang)}</strong></Table.Summary.Cell>
              <Table.Summary.Cell index={4} align="right">{formatYuan(data.totalFen, lang)}</Table.Summary.Cell>
              <Table.Summary.Cell index={5} align="right">{formatWan(data.doneTotalFen, lang)}</Table.Summary.Cell>
            </Table.Summary.Row>
          ) : null
        }
      />
    </div>
  );
}
