import { CheckCircleOutlined, PlayCircleOutlined, WarningOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, Card, Checkbox, Col, ConfigProvider, Empty, Input, Popconfirm, Radio, Result, Row, Select, Space, Statistic, Table, Tabs, Tag, Tooltip } from 'antd';
import type { TableColumnsType } from 'antd';
import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import type { PairingChangesResult, PairingItemError, PairingRole } from '../../../contracts/campaigns.ts';
import type { CadreDto } from '../../../contracts/cadres.ts';
import type { PlanProposal } from '../../../contracts/planner.ts';
import { api, ApiError } from '../api.ts';
import { can, useMe } from '../auth.tsx';
import { CampaignSelect, useCampaignParam } from '../components/CampaignSelect.tsx';
import { RegionTreeSelect } from '../components/RegionTreeSelect.tsx';
import { CadreSelect } from '../components/RemoteSelect.tsx';
import { PageTitle } from '../components/Status.tsx';
import { useI18n, type MessageKey } from '../i18n.ts';
import { kindColor, pairingRoleOptions, rankColor, rankLabel, targetKindLabel } from '../labels.ts';
import type { TargetKind } from '../../../contracts/targets.ts';

// 结对规划: run the planner for a campaign and a region, compare with the first-fit baseline, read
// the rules it cannot meet and why, edit the proposal (drop rows, change a row's cadre or role,
// keep or skip endings) and apply it in one all-or-nothing request.

type ProposedLink = PlanProposal['add'][number];
type AddRow = ProposedLink & { key: number; role: PairingRole; originalCadreId: number };
type EndRow = ProposedLink & { key: number; reason: string };
type Stats = PlanProposal['stats'];
type Mode = 'fill' | 'replan';

const statRows: { key: keyof Stats; label: MessageKey; better: 'up' | 'down' | null; digits?: number }[] = [
  { key: 'links', label: 'statLinks', better: null },
  { key: 'cadresUsed', label: 'statCadresUsed', better: null },
  { key: 'minLoad', label: 'statMinLoad', better: 'up' },
  { key: 'maxLoad', label: 'statMaxLoad', better: 'down' },
  { key: 'meanLoad', label: 'statMeanLoad', better: null, digits: 2 },
  { key: 'totalDistanceKm', label: 'statDistance', better: 'down', digits: 1 },
  { key: 'unmetCount', label: 'statUnmet', better: 'down' },
  { key: 'ms', label: 'statMs', better: null, digits: 0 },
];

export default function PlannerPage() {
  const me = useMe();
  const { t, lang } = useI18n();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const { id: campaignId, campaign, none, select } = useCampaignParam();
  const [region, setRegion] = useState<string | null>(null);
  const [mode, setMode] = useState<Mode>('fill');
  const [baseline, setBaseline] = useState(true);
  const [running, setRunning] = useState(false);
  const [runError, setRunError] = useState<string | null>(null);
  const [plan, setPlan] = useState<PlanProposal | null>(null);
  const [adds, setAdds] = useState<AddRow[]>([]);
  const [ends, setEnds] = useState<EndRow[]>([]);
  const [addKeys, setAddKeys] = useState<number[]>([]);
  const [endKeys, setEndKeys] = useState<number[]>([]);
  const [applying, setApplying] = useState(false);
  const [refused, setRefused] = useState<{ message: string; errors: (PairingItemError & { rowKey: number; label: string })[] } | null>(null);
  const [applied, setApplied] = useState<{ added: number; ended: number } | null>(null);
  const [tab, setTab] = useState<'add' | 'end'>('add');
  const canApply = can(me, 'pairing.write');

  const run = async () => {
    if (!campaignId) return;
    setRunning(true);
    setRunError(null);
    setRefused(null);
    setApplied(null);
    try {
      const p = await api.post<PlanProposal>(`/api/v1/campaigns/${campaignId}/plan`, { region: region ?? undefined, mode, compareBaseline: baseline }, { quiet: true });
      // The server proposes the role: primary only where a target has no primary contact yet.
      const rows = p.add.map((a, i) => ({ ...a, key: i, role: a.role as PairingRole, originalCadreId: a.cadreId }));
      setPlan(p);
      setAdds(rows);
      setAddKeys(rows.map((r) => r.key));
      const endRows = p.end.map((e, i) => ({ ...e, key: i, reason: t('defaultEndReason') }));
      setEnds(endRows);
      setEndKeys(endRows.map((r) => r.key));
      setTab(rows.length || !endRows.length ? 'add' : 'end');
    } catch (e) {
      setPlan(null);
      if (e instanceof ApiError) setRunError(e.message);
    } finally {
      setRunning(false);
    }
  };

  const changeCadre = async (row: AddRow, cadreId: number | null) => {
    if (!cadreId || cadreId === row.cadreId) return;
    setAdds((xs) => xs.map((x) => (x.key === row.key ? { ...x, cadreId } : x)));
    try {
      const c = await api.get<CadreDto>(`/api/v1/cadres/${cadreId}`, undefined, { quiet: true });
      setAdds((xs) => xs.map((x) => (x.key === row.key && x.cadreId === cadreId ? { ...x, cadreName: c.name, cadreRank: c.rank, unitName: c.unitName } : x)));
    } catch {
      /* the row keeps the id; the server checks it on apply */
    }
  };

  const apply = async () => {
    if (!campaignId || !plan) return;
    const chosenAdds = adds.filter((a) => addKeys.includes(a.key));
    const chosenEnds = ends.filter((e) => endKeys.includes(e.key));
    const body = {
      add: chosenAdds.map((a) => ({ targetId: a.targetId, cadreId: a.cadreId, role: a.role })),
      end: chosenEnds.map((e) => ({ pairingId: e.pairingId!, reason: e.reason.trim() || t('defaultEndReason') })),
    };
    setApplying(true);
    setRefused(null);
    try {
      const res = await api.post<PairingChangesResult>(`/api/v1/campaigns/${campaignId}/pairings/batch`, body, { quiet: true });
      setApplied({ added: res.added.length, ended: res.ended.length });
      void message.success(t('planApplied', { added: res.added.length, ended: res.ended.length }));
      setPlan(null);
    } catch (e) {
      if (e instanceof ApiError) {
        const errors = ((e.details as { errors?: PairingItemError[] } | undefined)?.errors ?? []).map((x) => {
          const row = x.op === 'add' ? chosenAdds[x.index] : chosenEnds[x.index];
          return { ...x, rowKey: row?.key ?? -1, label: row ? `${row.targetName} · ${row.cadreName}` : `#${x.index + 1}` };
        });
        setRefused({ message: e.message, errors });
        if (errors[0]) setTab(errors[0].op);
      }
    } finally {
      setApplying(false);
    }
  };

  const badAdds = useMemo(() => new Set(refused?.errors.filter((e) => e.op === 'add').map((e) => e.rowKey)), [refused]);
  const badEnds = useMemo(() => new Set(refused?.errors.filter((e) => e.op === 'end').map((e) => e.rowKey)), [refused]);

  const addColumns: TableColumnsType<AddRow> = [
    {
      title: t('targetName'),
      dataIndex: 'targetName',
      width: 180,
      render: (n: string, r) => (
        <span>
          <Link to={`/targets/${r.targetId}`} target="_blank">
            {n}
          </Link>
          {badAdds.has(r.key) ? <WarningOutlined style={{ color: '#cf1322', marginInlineStart: 6 }} /> : null}
        </span>
      ),
    },
    { title: t('targetKind'), dataIndex: 'targetKind', width: 90, render: (k: string) => <Tag color={kindColor[k as TargetKind]}>{targetKindLabel(k, lang)}</Tag> },
    { title: t('targetRegion'), dataIndex: 'targetRegion', width: 120, ellipsis: true },
    {
      title: t('cadre'),
      dataIndex: 'cadreId',
      width: 250,
      render: (_: number, r) => (
        <Space size={4}>
          <CadreSelect
            size="small"
            allowClear={false}
            value={r.cadreId}
            initial={{ value: r.cadreId, label: r.cadreName }}
            onChange={(v) => void changeCadre(r, v)}
            style={{ width: 200 }}
            status={badAdds.has(r.key) ? 'error' : undefined}
          />
          {r.cadreId !== r.originalCadreId ? (
            <Tooltip title={t('cadreChanged')}>
              <Tag color="blue" style={{ marginInlineEnd: 0 }}>
                {t('changed')}
              </Tag>
            </Tooltip>
          ) : null}
        </Space>
      ),
    },
    { title: t('cadreRank'), dataIndex: 'cadreRank', width: 90, render: (k: string) => <Tag color={rankColor[k]}>{rankLabel(k, lang)}</Tag> },
    { title: t('cadreUnit'), dataIndex: 'unitName', ellipsis: true },
    {
      title: t('pairingRole'),
      dataIndex: 'role',
      width: 120,
      render: (role: PairingRole, r) => (
        <Select<PairingRole>
          size="small"
          value={role}
          options={pairingRoleOptions(lang)}
          style={{ width: 104 }}
          onChange={(v) => setAdds((xs) => xs.map((x) => (x.key === r.key ? { ...x, role: v } : x)))}
        />
      ),
    },
  ];

  const endColumns: TableColumnsType<EndRow> = [
    {
      title: t('targetName'),
      dataIndex: 'targetName',
      width: 180,
      render: (n: string, r) => (
        <span>
          <Link to={`/targets/${r.targetId}`} target="_blank">
            {n}
          </Link>
          {badEnds.has(r.key) ? <WarningOutlined style={{ color: '#cf1322', marginInlineStart: 6 }} /> : null}
        </span>
      ),
    },
    { title: t('targetKind'), dataIndex: 'targetKind', width: 90, render: (k: string) => <Tag color={kindColor[k as TargetKind]}>{targetKindLabel(k, lang)}</Tag> },
    { title: t('targetRegion'), dataIndex: 'targetRegion', width: 120, ellipsis: true },
    {
      title: t('cadre'),
      dataIndex: 'cadreName',
      width: 110,
      render: (n: string, r) => (
        <Link to={`/cadres/${r.cadreId}`} target="_blank">
          {n}
        </Link>
      ),
    },
    { title: t('cadreRank'), dataIndex: 'cadreRank', width: 90, render: (k: string) => <Tag color={rankColor[k]}>{rankLabel(k, lang)}</Tag> },
    { title: t('cadreUnit'), dataIndex: 'unitName', ellipsis: true },
    {
      title: t('endReason'),
      dataIndex: 'reason',
      width: 200,
      render: (v: string, r) => (
        <Input size="small" value={v} maxLength={200} onChange={(e) => setEnds((xs) => xs.map((x) => (x.key === r.key ? { ...x, reason: e.target.value } : x)))} />
      ),
    },
  ];

  if (none)
    return (
      <div>
        <PageTitle title={t('plannerTitle')} />
        <Result status="info" title={t('noCampaigns')} />
      </div>
    );

  const chosenAdds = addKeys.length;
  const chosenEnds = endKeys.length;

  return (
    <div>
      <PageTitle title={t('plannerTitle')} />
      <Card size="small" style={{ marginBottom: 16 }}>
        <div className="lx-toolbar" style={{ marginBottom: 0, rowGap: 12 }}>
          <span>{t('campaign')}：</span>
          <CampaignSelect
            value={campaignId}
            initial={campaign}
            onChange={(v) => {
              if (!v) return;
              select(v);
              setRegion(null);
              setPlan(null);
              setApplied(null);
            }}
            style={{ width: 260 }}
          />
          <span style={{ marginInlineStart: 8 }}>{t('planRegion')}：</span>
          {campaign ? (
            <RegionTreeSelect
              key={campaign.regionCode}
              root={me.regionCode ?? campaign.regionCode}
              value={region}
              onChange={setRegion}
              maxLevel="village"
              placeholder={t('planRegionDefault', { name: me.regionName ?? campaign.regionName })}
              style={{ width: 200 }}
            />
          ) : (
            <Select disabled style={{ width: 200 }} />
          )}
          <span style={{ marginInlineStart: 8 }}>{t('planMode')}：</span>
          <Radio.Group
            optionType="button"
            buttonStyle="solid"
            value={mode}
            onChange={(e) => setMode(e.target.value as Mode)}
            options={[
              { value: 'fill', label: <Tooltip title={t('modeFillHint')}>{t('modeFill')}</Tooltip> },
              { value: 'replan', label: <Tooltip title={t('modeReplanHint')}>{t('modeReplan')}</Tooltip> },
            ]}
          />
          <Checkbox checked={baseline} onChange={(e) => setBaseline(e.target.checked)}>
            {t('compareBaseline')}
          </Checkbox>
          <span className="lx-toolbar-spacer" />
          <Button type="primary" icon={<PlayCircleOutlined />} loading={running} disabled={!campaignId} onClick={() => void run()} data-testid="plan-run">
            {t('planRun')}
          </Button>
        </div>
        <div className="lx-muted" style={{ fontSize: 12, marginTop: 8 }}>
          {t(mode === 'fill' ? 'modeFillHint' : 'modeReplanHint')}
        </div>
      </Card>

      {runError ? <Alert type="error" showIcon title={t('planFailed')} description={runError} style={{ marginBottom: 16 }} data-testid="plan-error" /> : null}
      {applied ? (
        <Result
          status="success"
          title={t('planApplied', { added: applied.added, ended: applied.ended })}
          extra={[
            <Button key="cov" type="primary" onClick={() => navigate(`/coverage?campaign=${campaignId}${region ? `&region=${region}` : ''}`)}>
              {t('viewCoverage')}
            </Button>,
            <Button key="again" onClick={() => void run()}>
              {t('planAgain')}
            </Button>,
          ]}
          data-testid="plan-applied"
        />
      ) : null}
      {!plan && !applied && !runError && !running ? (
        <Card size="small">
          <Empty description={t('planEmpty')} />
        </Card>
      ) : null}

      {plan ? (
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={9}>
            <Card size="small" title={t('planStats', { region: plan.region.name })} style={{ height: '100%' }}>
              <Row gutter={8} style={{ marginBottom: 12 }}>
                <Col span={8}>
                  <Statistic title={t('planAdd')} value={plan.add.length} styles={{ content: { color: '#389e0d' } }} />
                </Col>
                <Col span={8}>
                  <Statistic title={t('planEnd')} value={plan.end.length} styles={{ content: { color: plan.end.length ? '#cf1322' : undefined } }} />
                </Col>
                <Col span={8}>
                  <Statistic title={t('planKeep')} value={plan.keep} />
                </Col>
              </Row>
              <StatsTable stats={plan.stats} baseline={plan.baseline} />
            </Card>
          </Col>
          <Col xs={24} xl={15}>
            <UnmetCard plan={plan} />
          </Col>
          <Col span={24}>
            <Card
              size="small"
              title={t('planDiff')}
              extra={
                canApply ? (
                  <Popconfirm
                    title={t('planApplyConfirm', { added: chosenAdds, ended: chosenEnds })}
                    description={t('planApplyConfirmText')}
                    okText={t('planApply')}
                    cancelText={t('cancel')}
                    onConfirm={apply}
                    disabled={chosenAdds + chosenEnds === 0}
                  >
                    <Button type="primary" icon={<CheckCircleOutlined />} loading={applying} disabled={chosenAdds + chosenEnds === 0} data-testid="plan-apply">
                      {t('planApplyN', { added: chosenAdds, ended: chosenEnds })}
                    </Button>
                  </Popconfirm>
                ) : null
              }
            >
              {refused ? (
                <Alert
                  type="error"
                  showIcon
                  closable
                  onClose={() => setRefused(null)}
                  title={t('planRefused')}
                  description={
                    <>
                      <div style={{ marginBottom: 8 }}>{refused.message}</div>
                      {refused.errors.length ? (
                        <Table<PairingItemError & { rowKey: number; label: string }>
                          data-testid="plan-errors"
                          size="small"
                          rowKey={(e) => `${e.op}-${e.index}-${e.field}`}
                          dataSource={refused.errors}
                          pagination={refused.errors.length > 8 ? { pageSize: 8, size: 'small', showSizeChanger: false } : false}
                          columns={[
                            { title: t('errorOp'), dataIndex: 'op', width: 70, render: (op: 'add' | 'end') => <Tag color={op === 'add' ? 'green' : 'red'}>{t(op === 'add' ? 'planAdd' : 'planEnd')}</Tag> },
                            { title: t('errorIndex'), dataIndex: 'index', width: 70, align: 'right', render: (i: number) => i + 1 },
                            { title: t('errorRow'), dataIndex: 'label', width: 220 },
                            { title: t('importField'), dataIndex: 'field', width: 100 },
                            { title: t('importMessage'), dataIndex: 'message' },
                          ]}
                        />
                      ) : null}
                    </>
                  }
                  style={{ marginBottom: 12 }}
                />
              ) : null}
              {/* Ticked rows are the normal case here: no selection colour, only dropped rows fade. */}
              <ConfigProvider theme={{ components: { Table: { rowSelectedBg: '#ffffff', rowSelectedHoverBg: '#fafafa' } } }}>
              <Tabs
                activeKey={tab}
                onChange={(k) => setTab(k as 'add' | 'end')}
                items={[
                  {
                    key: 'add',
                    label: (
                      <span>
                        {t('planAdd')} <Tag color="green">{chosenAdds} / {adds.length}</Tag>
                      </span>
                    ),
                    children: (
                      <Table<AddRow>
                        data-testid="plan-add-table"
                        className="lx-plan-table"
                        rowKey="key"
                        size="small"
                        bordered
                        dataSource={adds}
                        columns={addColumns}
                        scroll={{ x: 1100 }}
                        rowSelection={{ selectedRowKeys: addKeys, onChange: (keys) => setAddKeys(keys.map(Number)), columnTitle: undefined }}
                        rowClassName={(r) => (badAdds.has(r.key) ? 'lx-row-error' : addKeys.includes(r.key) ? '' : 'lx-row-dropped')}
                        pagination={{ pageSize: 20, size: 'small', showSizeChanger: true, pageSizeOptions: [20, 50, 100], showTotal: (n) => t('totalItems', { total: n }) }}
                        locale={{ emptyText: t('planNoAdds') }}
                      />
                    ),
                  },
                  {
                    key: 'end',
                    label: (
                      <span>
                        {t('planEnd')} <Tag color="red">{chosenEnds} / {ends.length}</Tag>
                      </span>
                    ),
                    children: (
                      <Table<EndRow>
                        data-testid="plan-end-table"
                        className="lx-plan-table"
                        rowKey="key"
                        size="small"
                        bordered
                        dataSource={ends}
                        columns={endColumns}
                        scroll={{ x: 1000 }}
                        rowSelection={{ selectedRowKeys: endKeys, onChange: (keys) => setEndKeys(keys.map(Number)) }}
                        rowClassName={(r) => (badEnds.has(r.key) ? 'lx-row-error' : endKeys.includes(r.key) ? '' : 'lx-row-dropped')}
                        pagination={{ pageSize: 20, size: 'small', showSizeChanger: true, pageSizeOptions: [20, 50, 100] }}
                        locale={{ emptyText: mode === 'fill' ? t('planNoEndsFill') : t('planNoEnds') }}
                      />
                    ),
                  },
                ]}
              />
              </ConfigProvider>
              <div className="lx-muted" style={{ fontSize: 12 }}>
                {t('planDiffHint')}
              </div>
            </Card>
          </Col>
        </Row>
      ) : null}
    </div>
  );
}

function StatsTable({ stats, baseline }: { stats: Stats; baseline: Stats | null }) {
  const { t } = useI18n();
  const fmt = (v: number, digits = 0) => v.toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: digits });
  type Row = (typeof statRows)[number];
  const columns: TableColumnsType<Row> = [
    { title: t('statMetric'), dataIndex: 'label', render: (l: MessageKey) => t(l) },
    { title: t('planThis'), key: 'plan', align: 'right', render: (_, r) => <strong>{fmt(stats[r.key], r.digits)}</strong> },
    ...(baseline
      ? [
          { title: t('planBaseline'), key: 'base', align: 'right' as const, render: (_: unknown, r: Row) => fmt(baseline[r.key], r.digits) },
          {
            title: t('planDelta'),
            key: 'delta',
            align: 'right' as const,
            render: (_: unknown, r: Row) => {
              const d = stats[r.key] - baseline[r.key];
              if (r.key === 'ms' || Math.abs(d) < 1e-9) return <span className="lx-muted">{r.key === 'ms' ? '' : '='}</span>;
              const good = r.better === null ? null : (r.better === 'up') === d > 0;
              return <span style={{ color: good === null ? undefined : good ? '#389e0d' : '#cf1322' }}>{`${d > 0 ? '+' : ''}${fmt(d, r.digits)}`}</span>;
            },
          },
        ]
      : []),
  ];
  return <Table<Row> data-testid="plan-stats" rowKey="key" size="small" bordered pagination={false} dataSource={statRows} columns={columns} />;
}

function UnmetCard({ plan }: { plan: PlanProposal }) {
  const { t } = useI18n();
  type Unmet = PlanProposal['unmet'][number];
  return (
    <Card
      size="small"
      title={
        <span>
          {t('planUnmet')}{' '}
          {plan.unmet.length ? <Tag color="red">{plan.unmet.length}</Tag> : <Tag color="green">{t('planAllMet')}</Tag>}
        </span>
      }
      style={{ height: '100%' }}
    >
      {plan.unmet.length === 0 ? (
        <Result status="success" title={t('planAllMetText')} style={{ padding: 24 }} />
      ) : (
        <Table<Unmet>
          data-testid="plan-unmet"
          size="small"
          rowKey={(u) => `${u.ruleId}-${u.regionCode}-${u.subject}`}
          dataSource={plan.unmet}
          pagination={plan.unmet.length > 8 ? { pageSize: 8, size: 'small', showSizeChanger: false } : false}
          expandable={{
            rowExpandable: (u) => u.sampleIds.length > 0,
            expandedRowRender: (u) => (
              <span>
                {t('unmetSamples')}：
                {u.sampleIds.map((id) => (
                  <Link key={id} to={u.subject === 'target' ? `/targets/${id}` : `/cadres/${id}`} target="_blank" style={{ marginInlineEnd: 8 }}>
                    #{id}
                  </Link>
                ))}
              </span>
            ),
          }}
          columns={[
            { title: t('ruleDescription'), dataIndex: 'description', width: 170, ellipsis: { showTitle: true } },
            { title: t('region'), dataIndex: 'regionName', width: 90 },
            { title: t('subject'), dataIndex: 'subject', width: 70, render: (s: Unmet['subject']) => t(s === 'target' ? 'subjectTarget' : 'subjectCadre') },
            { title: t('unmetCount'), dataIndex: 'count', width: 76, align: 'right' },
            { title: t('shortfall'), dataIndex: 'shortfall', width: 60, align: 'right' },
            // The reason starts with the township's name, which has a column of its own.
            { title: t('reason'), dataIndex: 'reason', render: (r: string, u) => (r.startsWith(`${u.regionName}：`) ? r.slice(u.regionName.length + 1) : r) },
          ]}
        />
      )}
    </Card>
  );
}
