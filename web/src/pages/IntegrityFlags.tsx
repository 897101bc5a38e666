import { ReloadOutlined, ScanOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Segmented, Select, Space, Table, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { checkKindLabels, checkKinds, type CheckKind, type IntegrityFlagDto, type ScanResult } from '../../../contracts/integrity.ts';
import { api } from '../api.ts';
import { can, useMe } from '../auth.tsx';
import { CheckKindTag, ClearFlagModal, EvidenceText, FlagState } from '../components/IntegrityEvidence.tsx';
import { activityKindColor, activityKindLabel, formatSpan, PeriodFilter, tablePaging, useUrlFilters, useUrlPagedList } from '../components/recordCommon.tsx';
import { RegionTreeSelect } from '../components/RegionTreeSelect.tsx';
import { CadreSelect } from '../components/RemoteSelect.tsx';
import { ExportButton } from '../components/ExportButton.tsx';
import { PageTitle } from '../components/Status.tsx';
import { useI18n } from '../i18n.ts';
import { formatTime } from '../labels.ts';
import '../components/records.css';

// 核查 (防形式主义): the flags the integrity checks raised, with their evidence in words; a
// supervisor checks each one and clears it with a reason, or leaves it open.

export default function IntegrityFlagsPage() {
  const me = useMe();
  const { t, lang } = useI18n();
  const { message } = AntApp.useApp();
  const { get, num, update, page, pageSize } = useUrlFilters();
  const [clearing, setClearing] = useState<IntegrityFlagDto | null>(null);
  const [scanning, setScanning] = useState(false);
  const canClear = can(me, 'integrity.clear');

  const kind = get('check');
  const state = get('state') ?? 'open';
  const query = {
    checkKind: kind && (checkKinds as readonly string[]).includes(kind) ? kind : undefined,
    cleared: state === 'open' ? 'false' : state === 'cleared' ? 'true' : undefined,
    region: get('region'),
    cadreId: num('cadre'),
    from: get('from'),
    to: get('to'),
  };
  const key = JSON.stringify(query);

  const { data, loading, load, onTable } = useUrlPagedList<IntegrityFlagDto>('/api/v1/integrity/flags', key, { page, pageSize, update });

  const scan = async () => {
    setScanning(true);
    try {
      const r = await api.post<ScanResult>('/api/v1/integrity/scan');
      void message.success(t('scanDone', { scanned: r.scanned.toLocaleString(), flagged: r.flagged.toLocaleString(), added: r.added, removed: r.removed, s: (r.ms / 1000).toFixed(1) }));
      void load();
    } catch {
      /* shown by the API client */
    } finally {
      setScanning(false);
    }
  };

  const columns: TableColumnsType<IntegrityFlagDto> = [
    { title: t('checkKind'), dataIndex: 'checkKind', width: lang === 'zh' ? 130 : 170, render: (k: CheckKind) => <CheckKindTag kind={k} /> },
    {
      title: t('flaggedRecord'),
      key: 'activity',
      width: 260,
      render: (_, r) => (
        <div>
          <Link to={`/activities/${r.activityId}`} style={{ fontWeight: 500 }} data-testid={`flag-activity-${r.id}`}>
            #{r.activityId} {r.activity.title || activityKindLabel(r.activity.kind, lang)}
          </Link>
          <div className="lx-muted" style={{ fontSize: 12 }}>
            <Tag color={activityKindColor[r.activity.kind]} style={{ fontSize: 11, lineHeight: '16px', padding: '0 3px' }}>
              {activityKindLabel(r.activity.kind, lang)}
            </Tag>
            {formatSpan(r.activity.startsAt, r.activity.endsAt)} · {r.activity.regionName}
          </div>
        </div>
      ),
    },
    { title: t('flagCadre'), key: 'cadre', width: 90, render: (_, r) => (r.cadreId ? <Link to={`/cadres/${r.cadreId}`}>{r.cadreName}</Link> : <span className="lx-muted">—</span>) },
    { title: t('evidence'), key: 'evidence', render: (_, r) => <EvidenceText kind={r.checkKind} evidence={r.evidence} showPhotos={false} /> },
    { title: t('flaggedAt'), dataIndex: 'createdAt', width: 130, render: (d: string) => <span className="lx-muted">{formatTime(d)}</span> },
    {
      title: t('flagState'),
      key: 'state',
      width: 180,
      render: (_, r) => (
        <div>
          <FlagState clearedAt={r.clearedAt} clearedBy={r.clearedBy} clearReason={r.clearReason} />
          {r.clearedAt ? (
            <div className="lx-muted" style={{ fontSize: 12 }}>
              {r.clearedBy}：{r.clearReason}
            </div>
          ) : null}
        </div>
      ),
    },
  ];
  if (canClear)
    columns.push({
      title: t('actions'),
      key: 'actions',
      width: lang === 'zh' ? 110 : 150,
      fixed: 'right',
      render: (_, r) =>
        r.clearedAt ? null : (
          <Button size="small" onClick={() => setClearing(r)} data-testid={`clear-flag-${r.id}`}>
            {t('clearFlag')}
          </Button>
        ),
    });

  return (
    <div>
      <PageTitle
        title={t('integrityTitle')}
        extra={
          <Space>
            <ExportButton path="/api/v1/integrity/flags/export.xlsx" query={query} filename="预警台账.xlsx" testId="flag-export" />
            {me.role === 'admin' ? (
              <Button icon={<ScanOutlined />} loading={scanning} onClick={() => void scan()}>
                {t('rescan')}
              </Button>
            ) : null}
          </Space>
        }
      />
      <div className="lx-toolbar">
        <Segmented
          value={state}
          onChange={(v) => update({ state: v === 'open' ? undefined : v })}
          options={[
            { value: 'open', label: t('flagOpen') },
            { value: 'cleared', label: t('flagCleared') },
            { value: 'all', label: t('all') },
          ]}
          data-testid="flag-state-filter"
        />
        <Select
          placeholder={t('checkKind')}
          allowClear
          style={{ width: 150 }}
          value={query.checkKind}
          options={checkKinds.map((k) => ({ value: k, label: checkKindLabels[k][lang] }))}
          onChange={(v?: string) => update({ check: v })}
        />
        <RegionTreeSelect placeholder={t('regionFilter')} style={{ width: 200 }} value={query.region ?? null} maxLevel="village" onChange={(v) => update({ region: v ?? undefined })} />
        <CadreSelect placeholder={t('filterCadre')} style={{ width: 160 }} value={query.cadreId ?? null} onChange={(v) => update({ cadre: v ?? undefined })} />
        <PeriodFilter from={query.from} to={query.to} onChange={(f, x) => update({ from: f, to: x })} style={{ width: 250 }} />
        <Button onClick={() => update({ check: undefined, state: undefined, region: undefined, cadre: undefined, from: undefined, to: undefined })}>{t('reset')}</Button>
        <span className="lx-toolbar-spacer" />
        <Button icon={<ReloadOutlined />} onClick={() => void load()}>
          {t('refresh')}
        </Button>
      </div>
      <Table<IntegrityFlagDto>
        data-testid="flag-table"
        rowKey="id"
        size="small"
        bordered
        loading={loading}
        dataSource={data?.items ?? []}
        columns={columns}
        onChange={onTable}
        scroll={{ x: 1250 }}
        pagination={tablePaging(page, pageSize, data?.total ?? 0, t)}
      />
      {clearing ? (
        <ClearFlagModal
          flagId={clearing.id}
          summary={
            <div>
              <CheckKindTag kind={clearing.checkKind} />
              <Link to={`/activities/${clearing.activityId}`}>#{clearing.activityId}</Link>
              <div style={{ marginTop: 6 }}>
                <EvidenceText kind={clearing.checkKind} evidence={clearing.evidence} />
              </div>
            </div>
          }
          onClose={() => setClearing(null)}
          onDone={() => {
            setClearing(null);
            void load();
          }}
        />
      ) : null}
    </div>
  );
}
