import { PlusOutlined, WarningFilled } from '@ant-design/icons';
import { Badge, Button, Card, Empty, Space, Table, Tabs, Tag, Tooltip } from 'antd';
import type { TableColumnsType } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import type { ActivitySummary } from '../../../contracts/activities.ts';
import { dueStateLabels, visitPeriodLabels, type DueItem, type DueList, type DueState } from '../../../contracts/due.ts';
import { matterStatusLabels, type MatterStatus, type MatterSummary } from '../../../contracts/matters.ts';
import type { TargetKind } from '../../../contracts/targets.ts';
import { writingKindLabels, type WritingGrade, type WritingSummary } from '../../../contracts/writings.ts';
import { api, type Page, type Query } from '../api.ts';
import { can, useMe } from '../auth.tsx';
import { useI18n } from '../i18n.ts';
import { kindColor, targetKindLabel } from '../labels.ts';
import { ActivityModal } from './ActivityForm.tsx';
import { MatterModal, matterStatusColor } from './MatterForm.tsx';
import { activityKindColor, activityKindLabel, formatSpan, formatYuan, gradeColor, writingStatusColor, writingStatusLabel } from './recordCommon.tsx';
import type { Option } from './RemoteSelect.tsx';
import { targetOption } from './RecordPickers.tsx';
import './records.css';

// 工作记录 on a target's and a cadre's page: the target's activities and practical matters; the
// cadre's visits due, activities, writing and matters. Each table pages on the server and links to
// the full list with the same filter.

function usePage<T>(path: string, query: Query, pageSize = 10) {
  const [page, setPage] = useState(1);
  const [data, setData] = useState<Page<T> | null>(null);
  const [loading, setLoading] = useState(false);
  const key = JSON.stringify(query);
  const load = useCallback(async () => {
    setLoading(true);
    try {
      setData(await api.get<Page<T>>(path, { ...(JSON.parse(key) as Query), page, pageSize }, { quiet: true }));
    } catch {
      setData({ items: [], total: 0, page: 1, pageSize });
    } finally {
      setLoading(false);
    }
  }, [path, key, page, pageSize]);
  useEffect(() => {
    void load();
  }, [load]);
  const pagination = (data?.total ?? 0) > pageSize ? { current: page, pageSize, total: data?.total ?? 0, size: 'small' as const, showSizeChanger: false, onChange: setPage } : (false as const);
  return { data, loading, load, pagination };
}

function ActivityTable({ query, reloadKey }: { query: Query; reloadKey?: number }) {
  const { t, lang } = useI18n();
  const { data, loading, load, pagination } = usePage<ActivitySummary>('/api/v1/activities', query);
  useEffect(() => {
    if (reloadKey) void load();
  }, [reloadKey, load]);
  const columns: TableColumnsType<ActivitySummary> = [
    { title: t('activityWhen'), key: 'when', width: 170, render: (_, r) => <Link to={`/activities/${r.id}`}>{formatSpan(r.startsAt, r.endsAt)}</Link> },
    { title: t('activityKind'), dataIndex: 'kind', width: 100, render: (k: ActivitySummary['kind']) => <Tag color={activityKindColor[k]}>{activityKindLabel(k, lang)}</Tag> },
    {
      title: t('activityTitleTargets'),
      key: 'what',
      ellipsis: true,
      render: (_, r) => r.title || r.targets.map((x) => x.name).join('、') || <span className="lx-muted">—</span>,
    },
    { title: t('participants'), key: 'who', width: 150, ellipsis: true, render: (_, r) => r.participants.map((p) => p.name).join('、') },
    { title: t('photos'), dataIndex: 'photoCount', width: 60, align: 'right', render: (n: number) => n || <span className="lx-muted">—</span> },
    {
      title: t('integrityShort'),
      dataIndex: 'openFlagCount',
      width: 80,
      render: (n: number) => (n ? <Tag color="error" icon={<WarningFilled />}>{t('flagsN', { n })}</Tag> : <span className="lx-muted">—</span>),
    },
  ];
  return (
    <Table<ActivitySummary>
      size="small"
      rowKey="id"
      loading={loading}
      dataSource={data?.items ?? []}
      columns={columns}
      pagination={pagination}
      scroll={{ x: 800 }}
      locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noActivities')} /> }}
      data-testid="field-activities"
    />
  );
}

function MatterTable({ query, reloadKey }: { query: Query; reloadKey?: number }) {
  const { t, lang } = useI18n();
  const { data, loading, load, pagination } = usePage<MatterSummary>('/api/v1/matters', query);
  useEffect(() => {
    if (reloadKey) void load();
  }, [reloadKey, load]);
  const columns: TableColumnsType<MatterSummary> = [
    { title: t('matterTitle'), dataIndex: 'title', ellipsis: true, render: (s: string, r) => <Link to={`/matters?open=${r.id}`}>{s}</Link> },
    { title: t('matterTarget'), dataIndex: 'targetName', width: 150, ellipsis: true, render: (s: string, r) => <Link to={`/targets/${r.targetId}`}>{s}</Link> },
    { title: t('amount'), dataIndex: 'amountFen', width: 130, align: 'right', render: (f: number) => (f ? formatYuan(f, lang) : <span className="lx-muted">—</span>) },
    { title: t('matterStatus'), dataIndex: 'status', width: 90, render: (s: MatterStatus) => <Tag color={matterStatusColor[s]}>{matterStatusLabels[s][lang]}</Tag> },
    { title: t('promisedOn'), dataIndex: 'promisedOn', width: 105 },
    { title: t('doneOn'), dataIndex: 'doneOn', width: 105, render: (d: string | null) => d ?? <span className="lx-muted">—</span> },
  ];
  return (
    <Table<MatterSummary>
      size="small"
      rowKey="id"
      loading={loading}
      dataSource={data?.items ?? []}
      columns={columns}
      pagination={pagination}
      scroll={{ x: 750 }}
      locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noMatters')} /> }}
    />
  );
}

function WritingTable({ query }: { query: Query }) {
  const { t, lang } = useI18n();
  const { data, loading, pagination } = usePage<WritingSummary>('/api/v1/writings', query);
  const columns: TableColumnsType<WritingSummary> = [
    { title: t('writingTitle'), dataIndex: 'title', ellipsis: true, render: (s: string, r) => <Link to={`/writings/${r.id}`}>{s}</Link> },
    { title: t('writingKind'), dataIndex: 'kind', width: 100, render: (k: WritingSummary['kind']) => writingKindLabels[k][lang] },
    { title: t('writingStatus'), dataIndex: 'status', width: 90, render: (s: WritingSummary['status'], r) => <Tag color={writingStatusColor[s]}>{writingStatusLabel(r.kind, s, lang)}</Tag> },
    { title: t('gradeShort'), dataIndex: 'grade', width: 64, align: 'center', render: (g: WritingGrade | null) => (g ? <Tag color={gradeColor[g]}>{g}</Tag> : <span className="lx-muted">—</span>) },
    { title: t('writtenOn'), dataIndex: 'writtenOn', width: 105 },
  ];
  return (
    <Table<WritingSummary>
      size="small"
      rowKey="id"
      loading={loading}
      dataSource={data?.items ?? []}
      columns={columns}
      pagination={pagination}
      locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noWritings')} /> }}
    />
  );
}

export const dueStateColor: Record<DueState, string> = { overdue: 'error', due_this_week: 'warning', due_this_month: 'processing', later: 'default', met: 'success' };

/** 应走访: per pairing, the visits its campaign asks for this period and when the next is due. */
export function DueTable({ cadreId, onRecord }: { cadreId?: number; onRecord?: (d: DueItem) => void }) {
  const { t, lang } = useI18n();
  const [due, setDue] = useState<DueList | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    api
      .get<DueList>('/api/v1/due', { cadreId }, { quiet: true })
      .then((d) => !cancelled && setDue(d))
      .catch((e: Error) => !cancelled && setFailed(e.message));
    return () => {
      cancelled = true;
    };
  }, [cadreId]);
  if (failed) return <span className="lx-muted">{failed}</span>;
  const columns: TableColumnsType<DueItem> = [
    { title: t('dueState'), dataIndex: 'state', width: 110, render: (s: DueState) => <Badge status={dueStateColor[s] as 'error'} text={dueStateLabels[s][lang]} /> },
    {
      title: t('targetName'),
      key: 'target',
      width: 200,
      render: (_, r) => (
        <span>
          <Tag color={kindColor[r.targetKind as TargetKind]} style={{ fontSize: 11, lineHeight: '16px', padding: '0 3px', marginInlineEnd: 4 }}>
            {targetKindLabel(r.targetKind, lang)}
          </Tag>
          <Link to={`/targets/${r.targetId}`}>{r.targetName}</Link>
          <span className="lx-muted" style={{ fontSize: 12 }}> {r.targetRegionName}</span>
        </span>
      ),
    },
    {
      title: t('visitFrequency'),
      key: 'freq',
      width: 110,
      render: (_, r) => (lang === 'zh' ? `${visitPeriodLabels[r.frequency.per].zh} ${r.frequency.times} 次` : `${r.frequency.times} × ${visitPeriodLabels[r.frequency.per].en}`),
    },
    { title: t('duePeriod'), key: 'period', width: 190, render: (_, r) => `${r.periodStart} ～ ${r.periodEnd}` },
    {
      title: t('doneRequired'),
      key: 'done',
      width: 120,
      align: 'center',
      render: (_, r) => (
        <span style={{ color: r.done >= r.required ? '#389e0d' : undefined }}>
          {r.done} / {r.required}
        </span>
      ),
    },
    { title: t('nextDueOn'), dataIndex: 'nextDueOn', width: 105, render: (d: string | null) => d ?? <span className="lx-muted">—</span> },
    { title: t('lastVisitOn'), dataIndex: 'lastVisitOn', width: 105, render: (d: string | null) => d ?? <span className="lx-muted">—</span> },
    {
      title: t('pairingVia'),
      key: 'via',
      width: 130,
      ellipsis: true,
      render: (_, r) => (r.via === 'team' ? <span><Tag color="purple">{t('team')}</Tag>{r.teamName}</span> : t('viaDirect')),
    },
  ];
  if (onRecord)
    columns.push({
      title: t('actions'),
      key: 'rec',
      width: 90,
      render: (_, r) =>
        r.state === 'met' ? null : (
          <Button size="small" type="link" onClick={() => onRecord(r)}>
            {t('recordVisit')}
          </Button>
        ),
    });
  return (
    <div>
      {due ? (
        <Space wrap style={{ marginBottom: 8 }}>
          {(['overdue', 'due_this_week', 'due_this_month', 'later', 'met'] as DueState[]).map((s) => (
            <Tag key={s} color={dueStateColor[s]}>
              {dueStateLabels[s][lang]} {due.counts[s] ?? 0}
            </Tag>
          ))}
          {due.withoutFrequency ? (
            <Tooltip title={t('withoutFrequencyHint')}>
              <span className="lx-muted">{t('withoutFrequency', { n: due.withoutFrequency })}</span>
            </Tooltip>
          ) : null}
          <span className="lx-muted">{t('asOfDate', { d: due.asOf })}</span>
        </Space>
      ) : null}
      <Table<DueItem>
        size="small"
        rowKey="pairingId"
        loading={!due}
        dataSource={due?.items ?? []}
        columns={columns}
        pagination={(due?.items.length ?? 0) > 10 ? { pageSize: 10, size: 'small', showSizeChanger: false } : false}
        scroll={{ x: 1050 }}
        rowClassName={(r) => (r.state === 'overdue' ? 'lx-row-error' : '')}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('nothingDue')} /> }}
        data-testid="due-table"
      />
    </div>
  );
}

/** The field records on a target's page. */
export function TargetFieldRecords({ target }: { target: { id: number; kind: TargetKind; name: string; regionName: string } }) {
  const me = useMe();
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const [tab, setTab] = useState('activities');
  const [creating, setCreating] = useState<'activity' | 'matter' | null>(null);
  const [reload, setReload] = useState(0);
  const label: Option<number> = targetOption(target, lang);
  return (
    <Card
      size="small"
      title={t('fieldRecords')}
      style={{ marginTop: 16 }}
      data-testid="target-field-records"
      extra={
        <Space>
          {tab === 'activities' && can(me, 'activity.write') ? (
            <Button size="small" icon={<PlusOutlined />} onClick={() => setCreating('activity')}>
              {t('newActivity')}
            </Button>
          ) : null}
          {tab === 'matters' && can(me, 'matter.write') ? (
            <Button size="small" icon={<PlusOutlined />} onClick={() => setCreating('matter')}>
              {t('newMatter')}
            </Button>
          ) : null}
          <Button size="small" type="link" onClick={() => navigate(tab === 'matters' ? `/matters?target=${target.id}` : `/activities?target=${target.id}`)}>
            {t('viewAll')}
          </Button>
        </Space>
      }
    >
      <Tabs
        size="small"
        activeKey={tab}
        onChange={setTab}
        items={[
          { key: 'activities', label: t('navActivities'), children: <ActivityTable query={{ targetId: target.id }} reloadKey={reload} /> },
          { key: 'matters', label: t('navMatters'), children: <MatterTable query={{ targetId: target.id }} reloadKey={reload} /> },
        ]}
      />
      {creating === 'activity' ? (
        <ActivityModal
          activity={null}
          defaults={{ targetIds: [target.id], targetLabels: [label] }}
          onCancel={() => setCreating(null)}
          onDone={() => {
            setCreating(null);
            setReload((n) => n + 1);
          }}
        />
      ) : null}
      {creating === 'matter' ? (
        <MatterModal
          matter={null}
          defaults={{ targetId: target.id }}
          onCancel={() => setCreating(null)}
          onDone={() => {
            setCreating(null);
            setReload((n) => n + 1);
          }}
        />
      ) : null}
    </Card>
  );
}

/** The field records on a cadre's page: what is due, what was done, what was written. */
export function CadreFieldRecords({ cadre }: { cadre: { id: number; name: string } }) {
  const cadreId = cadre.id;
  const me = useMe();
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const [tab, setTab] = useState('due');
  const [recording, setRecording] = useState<DueItem | null>(null);
  const [reload, setReload] = useState(0);
  const allLink: Record<string, string> = {
    due: '',
    activities: `/activities?cadre=${cadreId}`,
    writings: `/writings?author=${cadreId}`,
    matters: `/matters?cadre=${cadreId}`,
  };
  return (
    <Card
      size="small"
      title={t('fieldRecords')}
      style={{ marginTop: 16 }}
      data-testid="cadre-field-records"
      extra={
        allLink[tab] ? (
          <Button size="small" type="link" onClick={() => navigate(allLink[tab]!)}>
            {t('viewAll')}
          </Button>
        ) : null
      }
    >
      <Tabs
        size="small"
        activeKey={tab}
        onChange={setTab}
        items={[
          { key: 'due', label: t('dueList'), children: <DueTable cadreId={cadreId} onRecord={can(me, 'activity.write') ? setRecording : undefined} /> },
          { key: 'activities', label: t('navActivities'), children: <ActivityTable query={{ cadreId }} reloadKey={reload} /> },
          { key: 'writings', label: t('navWritings'), children: <WritingTable query={{ authorCadreId: cadreId }} /> },
          { key: 'matters', label: t('navMatters'), children: <MatterTable query={{ cadreId }} /> },
        ]}
      />
      {recording ? (
        <ActivityModal
          activity={null}
          defaults={{
            targetIds: [recording.targetId],
            targetLabels: [targetOption({ id: recording.targetId, kind: recording.targetKind, name: recording.targetName, regionName: recording.targetRegionName }, lang)],
            campaignId: recording.campaignId,
            participants: [{ value: cadreId, label: cadre.name, title: cadre.name }],
          }}
          onCancel={() => setRecording(null)}
          onDone={() => {
            setRecording(null);
            setReload((n) => n + 1);
          }}
        />
      ) : null}
    </Card>
  );
}
