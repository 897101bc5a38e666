import { DownOutlined, PlusOutlined, ReloadOutlined, TrophyOutlined } from '@ant-design/icons';
import { Button, Dropdown, Segmented, Select, Space, Switch, Table, Tag, Tooltip } from 'antd';
import type { TableColumnsType } from 'antd';
import { Link, useNavigate } from 'react-router-dom';
import {
  writingGrades,
  writingKindLabels,
  writingKinds,
  writingStatusLabels,
  writingStatuses,
  type WritingGrade,
  type WritingKind,
  type WritingStatus,
  type WritingSummary,
} from '../../../contracts/writings.ts';
import { can, useMe } from '../auth.tsx';
import { CampaignPicker, gradeColor, PeriodFilter, tablePaging, useUrlFilters, useUrlPagedList, writingKindColor, writingStatusColor, writingStatusLabel } from '../components/recordCommon.tsx';
import { CadreSelect } from '../components/RemoteSelect.tsx';
import { ExportButton } from '../components/ExportButton.tsx';
import { PageTitle } from '../components/Status.tsx';
import { useI18n } from '../i18n.ts';
import '../components/records.css';

// 文稿: diaries, research topics and reports, memos and plans, with their review state and grade.

const isOf = <T extends string>(list: readonly T[], v: string | undefined): v is T => !!v && (list as readonly string[]).includes(v);

export default function WritingsPage() {
  const me = useMe();
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const { get, num, update, page, pageSize } = useUrlFilters();

  const kind = get('kind');
  const status = get('status');
  const grade = get('grade');
  const query = {
    kind: isOf(writingKinds, kind) ? kind : undefined,
    status: isOf(writingStatuses, status) ? status : undefined,
    grade: isOf(writingGrades, grade) ? grade : undefined,
    authorCadreId: num('author'),
    campaignId: num('campaign'),
    mine: get('mine') === 'true' ? 'true' : undefined,
    from: get('from'),
    to: get('to'),
  };
  const key = JSON.stringify(query);

  const { data, loading, load, onTable } = useUrlPagedList<WritingSummary>('/api/v1/writings', key, { page, pageSize, update });

  const columns: TableColumnsType<WritingSummary> = [
    {
      title: t('writingTitle'),
      dataIndex: 'title',
      width: 300,
      render: (s: string, r) => (
        <Tooltip title={r.excerpt || undefined} placement="topLeft">
          <Link to={`/writings/${r.id}`} style={{ fontWeight: 500 }} data-testid={`writing-link-${r.id}`}>
            {s}
          </Link>
        </Tooltip>
      ),
    },
    { title: t('writingKind'), dataIndex: 'kind', width: 100, render: (k: WritingKind) => <Tag color={writingKindColor[k]}>{writingKindLabels[k][lang]}</Tag> },
    {
      title: t('writingAuthor'),
      key: 'author',
      width: 200,
      ellipsis: true,
      render: (_, r) =>
        r.teamId ? (
          <span>
            <Tag color="purple">{t('team')}</Tag>
            {r.teamName}
          </span>
        ) : r.authorCadreId ? (
          <span>
            <Link to={`/cadres/${r.authorCadreId}`}>{r.authorName}</Link>
            {r.authorUnitName ? <span className="lx-muted"> · {r.authorUnitName}</span> : null}
          </span>
        ) : (
          <span className="lx-muted">—</span>
        ),
    },
    {
      title: t('writingStatus'),
      dataIndex: 'status',
      width: 90,
      render: (s: WritingStatus, r) => <Tag color={writingStatusColor[s]}>{writingStatusLabel(r.kind, s, lang)}</Tag>,
    },
    { title: t('gradeShort'), dataIndex: 'grade', width: 64, align: 'center', render: (g: WritingGrade | null) => (g ? <Tag color={gradeColor[g]}>{g}</Tag> : <span className="lx-muted">—</span>) },
    {
      title: t('selectedFor'),
      dataIndex: 'selectedFor',
      width: 170,
      ellipsis: true,
      render: (s: string | null) => (s ? <span><TrophyOutlined style={{ color: '#d48806' }} /> {s}</span> : <span className="lx-muted">—</span>),
    },
    {
      title: t('aboutTarget'),
      key: 'about',
      width: 150,
      ellipsis: true,
      render: (_, r) => (r.targetId ? <Link to={`/targets/${r.targetId}`}>{r.targetName}</Link> : r.regionName ?? <span className="lx-muted">—</span>),
    },
    { title: t('campaign'), dataIndex: 'campaignName', width: 160, ellipsis: true, render: (s: string | null) => s ?? <span className="lx-muted">—</span> },
    { title: t('writtenOn'), dataIndex: 'writtenOn', width: 105 },
  ];

  const newItems = writingKinds
    .filter((k) => (k === 'research_topic' ? can(me, 'topic.assign') : can(me, 'writing.write')))
    .map((k) => ({ key: k, label: k === 'research_topic' ? t('assignTopic') : writingKindLabels[k][lang] }));

  return (
    <div>
      <PageTitle
        title={t('writingsTitle')}
        extra={
          <Space>
            <ExportButton path="/api/v1/writings/export.xlsx" query={query} filename="调研文稿.xlsx" testId="writing-export" />
            {newItems.length ? (
              <Dropdown menu={{ items: newItems, onClick: ({ key: k }) => navigate(`/writings/new?kind=${k}`) }}>
                <Button type="primary" icon={<PlusOutlined />} data-testid="writing-new">
                  {t('newWriting')} <DownOutlined />
                </Button>
              </Dropdown>
            ) : null}
          </Space>
        }
      />
      <div className="lx-toolbar">
        <Segmented
          value={query.kind ?? 'all'}
          onChange={(v) => update({ kind: v === 'all' ? undefined : v })}
          options={[{ value: 'all', label: t('all') }, ...writingKinds.map((k) => ({ value: k, label: writingKindLabels[k][lang] }))]}
          data-testid="writing-kind-filter"
        />
      </div>
      <div className="lx-toolbar">
        <Select
          placeholder={t('writingStatus')}
          allowClear
          style={{ width: 110 }}
          value={query.status}
          options={writingStatuses.map((s) => ({ value: s, label: writingStatusLabels[s][lang] }))}
          onChange={(v?: string) => update({ status: v })}
        />
        <Select placeholder={t('grade')} allowClear style={{ width: 110 }} value={query.grade} options={writingGrades.map((g) => ({ value: g, label: g }))} onChange={(v?: string) => update({ grade: v })} />
        <CadreSelect placeholder={t('writingAuthor')} style={{ width: 170 }} value={query.authorCadreId ?? null} onChange={(v) => update({ author: v ?? undefined })} />
        <CampaignPicker style={{ width: 200 }} value={query.campaignId ?? null} onChange={(v) => update({ campaign: v ?? undefined })} />
        <PeriodFilter from={query.from} to={query.to} onChange={(f, x) => update({ from: f, to: x })} style={{ width: 250 }} />
        {me.cadreId ? (
          <span>
            <Switch size="small" checked={query.mine === 'true'} onChange={(c) => update({ mine: c ? 'true' : undefined })} /> {t('onlyMine')}
          </span>
        ) : null}
        <Button onClick={() => update({ kind: undefined, status: undefined, grade: undefined, author: undefined, campaign: undefined, mine: undefined, from: undefined, to: undefined })}>
          {t('reset')}
        </Button>
        <span className="lx-toolbar-spacer" />
        <Button icon={<ReloadOutlined />} onClick={() => void load()}>
          {t('refresh')}
        </Button>
      </div>
      <Table<WritingSummary>
        data-testid="writing-table"
        rowKey="id"
        size="small"
        bordered
        loading={loading}
        dataSource={data?.items ?? []}
        columns={columns}
        onChange={onTable}
        scroll={{ x: 1350 }}
        pagination={tablePaging(page, pageSize, data?.total ?? 0, t)}
      />
    </div>
  );
}
