import { ArrowUpOutlined, ReloadOutlined, SettingOutlined } from '@ant-design/icons';
import { Alert, Breadcrumb, Button, Card, Col, Empty, Row, Segmented, Select, Space, Statistic, Table, Tag, Tooltip } from 'antd';
import type { TableColumnsType } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import type { ComplianceRow, ComplianceSummary, RequirementRuleDto } from '../../../contracts/compliance-api.ts';
import { complianceStatusLabels, complianceStatuses, type ComplianceStatus } from '../../../contracts/requirements.ts';
import { api, ApiError, type Page } from '../api.ts';
import { can, useMe } from '../auth.tsx';
import { CampaignSelect, useCampaignParam } from '../components/CampaignSelect.tsx';
import { compliancePaths, countOf, loadRules, pct, RagBar, requiredText, StackedBars, statusHex, statusSeverity, StatusTag } from '../components/complianceCommon.tsx';
import { useComplianceText } from '../components/complianceText.ts';
import { ExportButton } from '../components/ExportButton.tsx';
import { PageTitle } from '../components/Status.tsx';
import { formatTime } from '../labels.ts';

// 履职达标: a campaign's compliance by the region tree or the unit tree, one level at a time
// (the summary endpoint gives the children and a 本级 row), red/amber/green; below, the rows of
// the level in sight, worst first, filtered by status. A rule and a window (this month, last
// month, last year …) narrow both. Everything lives in the address, so a view can be linked.

type Window = { windowKey: string; start: string; end: string; name: string; current: boolean };
type SummaryRow = ComplianceSummary['rows'][number];
type By = 'region' | 'unit';

export default function CompliancePage() {
  const { tc, lang } = useComplianceText();
  const me = useMe();
  const navigate = useNavigate();
  const { id: campaignId, none, select, params, setParams } = useCampaignParam();
  const ruleId = Number(params.get('rule')) || undefined;
  const windowKey = params.get('window') ?? undefined;
  const by: By = params.get('by') === 'unit' ? 'unit' : 'region';
  const at = params.get('at') ?? undefined;
  const status = (complianceStatuses as readonly string[]).includes(params.get('status') ?? '') ? (params.get('status') as ComplianceStatus) : undefined;
  const page = Math.max(1, Number(params.get('page')) || 1);

  const update = useCallback(
    (patch: Record<string, string | number | undefined>) =>
      setParams(
        (p) => {
          const next = new URLSearchParams(p);
          for (const [k, v] of Object.entries(patch)) {
            if (v === undefined || v === '') next.delete(k);
            else next.set(k, String(v));
          }
          if (!('page' in patch)) next.delete('page');
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );

  const [rules, setRules] = useState<RequirementRuleDto[] | null>(null);
  const [windows, setWindows] = useState<Window[]>([]);
  const [summary, setSummary] = useState<ComplianceSummary | null>(null);
  const [summaryError, setSummaryError] = useState<string | null>(null);
  const [rows, setRows] = useState<Page<ComplianceRow> | null>(null);
  const [loading, setLoading] = useState(false);
  const [rowsLoading, setRowsLoading] = useState(false);
  const [trail, setTrail] = useState<{ key: string; name: string }[]>([]);
  const [nonce, setNonce] = useState(0);
  const [showZero, setShowZero] = useState(false);

  useEffect(() => {
    if (!campaignId) return;
    const ctrl = new AbortController();
    setRules(null);
    loadRules(campaignId, ctrl.signal)
      .then(setRules)
      .catch(() => !ctrl.signal.aborted && setRules([]));
    return () => ctrl.abort();
  }, [campaignId]);

  useEffect(() => {
    setWindows([]);
    if (!ruleId) return;
    const ctrl = new AbortController();
    api
      .get<Window[]>(compliancePaths.windows(ruleId), undefined, { quiet: true, signal: ctrl.signal })
      .then(setWindows)
      .catch(() => undefined);
    return () => ctrl.abort();
  }, [ruleId]);

  const scopeQuery = useMemo(() => (by === 'region' ? { regionCode: at } : { unitId: at ? Number(at) || undefined : undefined }), [by, at]);

  useEffect(() => {
    if (!campaignId) return;
    const ctrl = new AbortController();
    setLoading(true);
    api
      .get<ComplianceSummary>(compliancePaths.summary, { campaignId, ruleId, by, windowKey, ...scopeQuery }, { quiet: true, signal: ctrl.signal })
      .then((s) => {
        setSummary(s);
        setSummaryError(null);
        setTrail((tr) => {
          const i = tr.findIndex((x) => x.key === s.parent.key);
          return i >= 0 ? tr.slice(0, i + 1) : [...(at ? tr : []), { key: s.parent.key, name: s.parent.name }];
        });
      })
      .catch((e: unknown) => {
        if (ctrl.signal.aborted) return;
        setSummary(null);
        setSummaryError(e instanceof ApiError ? e.message : String(e));
      })
      .finally(() => !ctrl.signal.aborted && setLoading(false));
    return () => ctrl.abort();
  }, [campaignId, ruleId, by, windowKey, scopeQuery, at, nonce]);

  useEffect(() => {
    if (!campaignId) return;
    const ctrl = new AbortController();
    setRowsLoading(true);
    api
      .get<Page<ComplianceRow>>(compliancePaths.rows, { campaignId, ruleId, status, windowKey, ...scopeQuery, page, pageSize: 20 }, { quiet: true, signal: ctrl.signal })
      .then(setRows)
      .catch(() => !ctrl.signal.aborted && setRows(null))
      .finally(() => !ctrl.signal.aborted && setRowsLoading(false));
    return () => ctrl.abort();
  }, [campaignId, ruleId, status, windowKey, scopeQuery, page, nonce]);

  const drill = (r: SummaryRow) => {
    if (r.own || r.key === summary?.parent.key) return;
    setTrail((tr) => [...tr]);
    update({ at: r.key });
  };
  const goTo = (key: string, i: number) => {
    setTrail((tr) => tr.slice(0, i + 1));
    update({ at: i === 0 ? undefined : key || undefined });
  };

  const total = summary?.total;
  const withRows = useMemo(() => summary?.rows.filter((r) => r.counts.total) ?? [], [summary]);
  const zero = (summary?.rows.length ?? 0) - withRows.length;
  const rule = rules?.find((r) => r.id === ruleId);
  const noRules = rules !== null && rules.length === 0;

  const summaryColumns: TableColumnsType<SummaryRow> = [
    {
      title: tc('cpArea'),
      dataIndex: 'name',
      width: 220,
      render: (n: string, r) =>
        r.own ? (
          <Tooltip title={tc('cpOwnHelp')}>
            <span>
              {n} <Tag style={{ marginInlineStart: 4 }}>{tc('cpOwn')}</Tag>
            </span>
          </Tooltip>
        ) : (
          <a onClick={() => drill(r)} data-testid={`compliance-drill-${r.key}`}>
            {n}
          </a>
        ),
    },
    { title: '', key: 'bar', render: (_, r) => <RagBar counts={r.counts} /> },
    ...statusSeverity.map((s) => ({
      title: complianceStatusLabels[s][lang],
      key: s,
      width: 84,
      align: 'right' as const,
      sorter: (a: SummaryRow, b: SummaryRow) => countOf(a.counts, s) - countOf(b.counts, s),
      render: (_: unknown, r: SummaryRow) => {
        const n = countOf(r.counts, s);
        return n ? <span style={{ color: statusHex[s], fontWeight: s === 'missed' || s === 'at_risk' ? 600 : 400 }}>{n}</span> : <span className="lx-muted">0</span>;
      },
    })),
    { title: tc('cpTotal'), key: 'total', width: 80, align: 'right', render: (_, r) => r.counts.total },
    {
      title: <Tooltip title={tc('rateHelp')}>{tc('rate')}</Tooltip>,
      key: 'rate',
      width: 90,
      align: 'right',
      sorter: (a, b) => (a.counts.rate ?? -1) - (b.counts.rate ?? -1),
      render: (_, r) => pct(r.counts.rate),
    },
  ];

  const rowColumns: TableColumnsType<ComplianceRow> = [
    { title: lang === 'zh' ? '状态' : 'Status', dataIndex: 'status', width: 90, render: (s: ComplianceStatus) => <StatusTag status={s} /> },
    {
      title: tc('cpSubject'),
      dataIndex: 'subjectName',
      width: 220,
      render: (n: string, r) =>
        r.cadreId ? (
          <Link to={`/cadres/${r.cadreId}`} data-testid={`compliance-cadre-${r.cadreId}`}>
            {n}
          </Link>
        ) : r.targetId ? (
          <Link to={`/targets/${r.targetId}`}>{n}</Link>
        ) : (
          n
        ),
    },
    ...(ruleId ? [] : [{ title: tc('cpRule'), dataIndex: 'ruleName', width: 200, ellipsis: true }]),
    {
      title: tc('cpCount'),
      key: 'count',
      width: 100,
      align: 'right',
      render: (_, r) => (
        <span style={{ whiteSpace: 'nowrap' }}>
          <strong>{r.count}</strong> / {requiredText(r.requiredMin, r.requiredMax)}
        </span>
      ),
    },
    { title: tc('cpExplanation'), dataIndex: 'explanation', render: (x: string) => <span style={{ fontSize: 13 }}>{x}</span> },
    {
      title: tc('cpWhere'),
      key: 'where',
      width: 200,
      render: (_, r) => <span className="lx-muted" style={{ fontSize: 12 }}>{[r.unitName, r.regionName].filter(Boolean).join(' · ')}</span>,
    },
  ];

  if (none)
    return (
      <div>
        <PageTitle title={tc('cpTitle')} />
        <Empty description={tc('rulesNoCampaign')} />
      </div>
    );

  return (
    <div>
      <PageTitle
        title={tc('cpTitle')}
        extra={
          can(me, 'requirement.configure') && campaignId ? (
            <Button icon={<SettingOutlined />} onClick={() => navigate(`/requirement-rules?campaign=${campaignId}`)}>
              {tc('rulesTitle')}
            </Button>
          ) : null
        }
      />
      <div className="lx-toolbar" data-testid="compliance-toolbar">
        <CampaignSelect
          value={campaignId}
          onChange={(v) => {
            setTrail([]);
            select(v, { rule: null, window: null, at: null, page: null, status: null });
          }}
          style={{ width: 260 }}
        />
        <Select<number | 0>
          style={{ width: 300 }}
          value={ruleId ?? 0}
          loading={rules === null}
          data-testid="compliance-rule"
          popupMatchSelectWidth={420}
          onChange={(v) => update({ rule: v || undefined, window: undefined })}
          options={[
            { value: 0, label: tc('cpAllRules') },
            ...(rules ?? []).map((r) => {
              const c = summary?.byRule.find((b) => b.ruleId === r.id)?.counts;
              return {
                value: r.id,
                label: (
                  <span style={{ display: 'flex', justifyContent: 'space-between', gap: 8 }}>
                    <span style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>{r.rule.name}</span>
                    {c && (c.missed || c.atRisk) ? (
                      <span style={{ whiteSpace: 'nowrap', fontSize: 12 }}>
                        {c.missed ? <span style={{ color: statusHex.missed }}>{c.missed}</span> : null}
                        {c.missed && c.atRisk ? ' / ' : null}
                        {c.atRisk ? <span style={{ color: statusHex.at_risk }}>{c.atRisk}</span> : null}
                      </span>
                    ) : null}
                  </span>
                ),
                title: r.summary,
              };
            }),
          ]}
        />
        <Tooltip title={ruleId ? undefined : tc('cpWindowNeedsRule')}>
          <Select<string>
            style={{ width: 220 }}
            disabled={!ruleId}
            value={windowKey ?? ''}
            data-testid="compliance-window"
            onChange={(v) => update({ window: v || undefined })}
            options={[
              { value: '', label: tc('cpWindowCurrent') },
              ...windows.map((w) => ({ value: w.windowKey, label: `${w.name}${w.current ? `（${tc('cpWindowCurrent')}）` : ''}` })),
            ]}
          />
        </Tooltip>
        <Segmented<By>
          value={by}
          onChange={(v) => {
            setTrail([]);
            update({ by: v === 'region' ? undefined : v, at: undefined });
          }}
          options={[
            { value: 'region', label: tc('cpByRegion') },
            { value: 'unit', label: tc('cpByUnit') },
          ]}
          data-testid="compliance-by"
        />
        <span className="lx-toolbar-spacer" />
        <Button icon={<ReloadOutlined />} onClick={() => setNonce((n) => n + 1)} aria-label={lang === 'zh' ? '刷新' : 'Refresh'} />
      </div>

      {rule ? <Alert type="info" showIcon style={{ marginBottom: 12 }} title={<span><strong>{rule.rule.name}</strong>：{rule.summary}</span>} description={rule.rule.description || undefined} /> : null}
      {noRules ? (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          title={tc('cpNoRules')}
          action={can(me, 'requirement.configure') ? <Button size="small" onClick={() => navigate(`/requirement-rules?campaign=${campaignId}`)}>{tc('cpNoRulesAdmin')}</Button> : undefined}
        />
      ) : null}
      {summaryError ? <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={summaryError} /> : null}

      <Row gutter={[12, 12]} style={{ marginBottom: 12 }} data-testid="compliance-cards">
        <Col xs={12} sm={8} lg={4}>
          <Card size="small" style={{ height: '100%' }}>
            <Statistic title={<Tooltip title={tc('rateHelp')}>{tc('rate')}</Tooltip>} value={pct(total?.rate)} loading={loading && !summary} />
            {total ? <div className="lx-muted" style={{ fontSize: 12 }}>{tc('cpDecided', { met: total.met, decided: total.decided })}</div> : null}
          </Card>
        </Col>
        {statusSeverity.map((s) => (
          <Col xs={12} sm={8} lg={4} key={s}>
            <Card
              size="small"
              hoverable
              style={{ height: '100%', borderColor: status === s ? statusHex[s] : undefined }}
              onClick={() => update({ status: status === s ? undefined : s })}
              data-testid={`compliance-card-${s}`}
            >
              <Statistic title={complianceStatusLabels[s][lang]} value={total ? countOf(total, s) : 0} styles={{ content: { color: statusHex[s] } }} loading={loading && !summary} />
            </Card>
          </Col>
        ))}
        <Col xs={12} sm={8} lg={4}>
          <Card size="small" style={{ height: '100%' }}>
            <Statistic title={tc('cpTotal')} value={total?.total ?? 0} loading={loading && !summary} />
          </Card>
        </Col>
      </Row>

      <Card
        size="small"
        style={{ marginBottom: 12 }}
        title={
          <Breadcrumb
            data-testid="compliance-trail"
            items={trail.map((x, i) => ({
              key: x.key || `top-${i}`,
              title: i === trail.length - 1 ? <strong>{x.name}</strong> : <a onClick={() => goTo(x.key, i)}>{x.name}</a>,
            }))}
          />
        }
        extra={
          trail.length > 1 ? (
            <Button size="small" icon={<ArrowUpOutlined />} onClick={() => goTo(trail[trail.length - 2]!.key, trail.length - 2)} data-testid="compliance-up">
              {tc('cpBack')}
            </Button>
          ) : null
        }
      >
        {summary && summary.rows.some((r) => r.counts.total) ? (
          <Row gutter={16}>
            <Col xs={24} xl={10}>
              <StackedBars
                rows={withRows}
                onClick={(key) => {
                  const r = summary.rows.find((x) => x.key === key);
                  if (r) drill(r);
                }}
              />
            </Col>
            <Col xs={24} xl={14}>
              <SummaryTable rows={showZero ? summary.rows : withRows} columns={summaryColumns} loading={loading} />
              {zero ? (
                <div className="lx-muted" style={{ fontSize: 12, marginTop: 6 }} data-testid="compliance-zero">
                  {tc('cpZeroChildren', { n: zero })}{' '}
                  <a onClick={() => setShowZero((x) => !x)}>{showZero ? tc('cpHideZero') : tc('cpShowZero')}</a>
                </div>
              ) : null}
            </Col>
          </Row>
        ) : (
          <SummaryTable rows={summary?.rows ?? []} columns={summaryColumns} loading={loading} />
        )}
      </Card>

      <Card
        size="small"
        title={tc('cpRows')}
        extra={
          <Space>
            <ExportButton path="/api/v1/compliance/rows/export.xlsx" query={{ campaignId, ruleId, status, windowKey, ...scopeQuery }} filename="履职达标.xlsx" testId="compliance-export" />
            <Segmented<string>
              size="small"
              value={status ?? ''}
              onChange={(v) => update({ status: v || undefined })}
              data-testid="compliance-status"
              options={[
                { value: '', label: tc('cpStatusAll') },
                ...statusSeverity.map((s) => ({ value: s, label: `${complianceStatusLabels[s][lang]}${total ? ` ${countOf(total, s)}` : ''}` })),
              ]}
            />
          </Space>
        }
      >
        <Table<ComplianceRow>
          data-testid="compliance-rows"
          rowKey={(r) => `${r.ruleId}-${r.subject}-${r.subjectId}-${r.windowKey}`}
          size="small"
          loading={rowsLoading}
          dataSource={rows?.items ?? []}
          columns={rowColumns}
          scroll={{ x: 1000 }}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={noRules ? tc('cpNoRules') : tc('cpNoRows')} /> }}
          pagination={{
            current: page,
            pageSize: 20,
            total: rows?.total ?? 0,
            showSizeChanger: false,
            showTotal: (n) => (lang === 'zh' ? `共 ${n} 条` : `${n} rows`),
            onChange: (p) => update({ page: p === 1 ? undefined : p }),
          }}
        />
        {rows?.items[0] ? (
          <div className="lx-muted" style={{ fontSize: 12, marginTop: 4 }}>
            {tc('cpComputed', { time: formatTime(rows.items[0].computedAt) })}
          </div>
        ) : null}
      </Card>
    </div>
  );
}

function SummaryTable({ rows, columns, loading }: { rows: SummaryRow[]; columns: TableColumnsType<SummaryRow>; loading: boolean }) {
  const { tc } = useComplianceText();
  return (
    <Table<SummaryRow>
      data-testid="compliance-summary"
      rowKey={(r) => `${r.own ? 'own-' : ''}${r.key}`}
      size="small"
      loading={loading}
      dataSource={rows}
      columns={columns}
      scroll={{ x: 760 }}
      pagination={rows.length > 30 ? { pageSize: 30, showSizeChanger: false } : false}
      locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={tc('cpNoSummary')} /> }}
    />
  );
}
