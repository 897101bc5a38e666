import { PlusOutlined, ReloadOutlined, WarningFilled } from '@ant-design/icons';
import { Button, Segmented, Select, Table, Tag, Tooltip } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { attendeeKinds, type ActivityListParams, type ActivitySummary } from '../../../contracts/activities.ts';
import { photoThumbUrl, photoUrl } from '../../../contracts/photos.ts';
import { can, useMe } from '../auth.tsx';
import { ActivityModal } from '../components/ActivityForm.tsx';
import { PhotoThumb } from '../components/PhotoStrip.tsx';
import { activityKindColor, activityKindLabel, activityKindOptions, CampaignPicker, formatSpan, formatYuan, PeriodFilter, tablePaging, useUrlFilters, useUrlPagedList } from '../components/recordCommon.tsx';
import { TargetSelect } from '../components/RecordPickers.tsx';
import { RegionTreeSelect } from '../components/RegionTreeSelect.tsx';
import { CadreSelect } from '../components/RemoteSelect.tsx';
import { PageTitle } from '../components/Status.tsx';
import { useI18n } from '../i18n.ts';
import { kindColor, targetKindLabel } from '../labels.ts';
import '../components/records.css';

// 工作记录: every activity the caller may see, filtered by kind, cadre, target, region, campaign,
// period and open integrity flags; the filters live in the address.

export default function ActivitiesPage() {
  const me = useMe();
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const { get, num, update, page, pageSize } = useUrlFilters();
  const [creating, setCreating] = useState(false);

  const kind = get('kind');
  const cadreId = num('cadre');
  const targetId = num('target');
  const region = get('region');
  const campaignId = num('campaign');
  const from = get('from');
  const to = get('to');
  const flagged = get('flagged');

  const query: ActivityListParams = {
    kind: kind as ActivityListParams['kind'],
    cadreId,
    targetId,
    region,
    campaignId,
    from,
    to,
    flagged: flagged === 'true' || flagged === 'false' ? flagged : undefined,
  };
  const queryKey = JSON.stringify(query);

  const { data, loading, load, onTable } = useUrlPagedList<ActivitySummary>('/api/v1/activities', queryKey, { page, pageSize, update });

  const columns: TableColumnsType<ActivitySummary> = [
    {
      title: t('activityWhen'),
      key: 'when',
      width: 185,
      render: (_, r) => (
        <Link to={`/activities/${r.id}`} data-testid={`activity-link-${r.id}`} style={{ whiteSpace: 'nowrap' }}>
          {formatSpan(r.startsAt, r.endsAt)}
        </Link>
      ),
    },
    {
      title: t('activityKind'),
      dataIndex: 'kind',
      width: 110,
      render: (k: ActivitySummary['kind'], r) => (
        <span>
          <Tag color={activityKindColor[k]}>{activityKindLabel(k, lang)}</Tag>
          {r.stayDays > 0 ? <span className="lx-muted">{t('stayDaysN', { n: r.stayDays })}</span> : null}
        </span>
      ),
    },
    {
      title: t('activityTitleTargets'),
      key: 'what',
      width: 240,
      render: (_, r) => (
        <div>
          {r.title ? <div style={{ fontWeight: 500 }}>{r.title}</div> : null}
          <div>
            {r.targets.slice(0, 4).map((x) => (
              <Link key={x.id} to={`/targets/${x.id}`} style={{ marginInlineEnd: 8, whiteSpace: 'nowrap' }}>
                <Tag color={kindColor[x.kind]} style={{ marginInlineEnd: 2, fontSize: 11, lineHeight: '16px', padding: '0 3px' }}>
                  {targetKindLabel(x.kind, lang)}
                </Tag>
                {x.name}
              </Link>
            ))}
            {r.targets.length > 4 ? <span className="lx-muted">{t('andNMore', { n: r.targets.length - 4 })}</span> : null}
            {!r.title && !r.targets.length ? <span className="lx-muted">—</span> : null}
          </div>
        </div>
      ),
    },
    {
      title: t('participants'),
      key: 'who',
      width: 140,
      render: (_, r) => (
        <span>
          {r.participants.slice(0, 3).map((p, i) => (
            <span key={p.cadreId}>
              {i ? '、' : ''}
              <Link to={`/cadres/${p.cadreId}`}>{p.name}</Link>
            </span>
          ))}
          {r.participants.length > 3 ? <span className="lx-muted">{t('andNMore', { n: r.participants.length - 3 })}</span> : null}
        </span>
      ),
    },
    {
      title: t('activityPlace'),
      key: 'place',
      width: 150,
      ellipsis: true,
      render: (_, r) => (
        <Tooltip title={[r.regionName, r.place].filter(Boolean).join(' · ')}>
          <span>
            {r.regionName}
            {r.place ? <span className="lx-muted"> · {r.place}</span> : null}
          </span>
        </Tooltip>
      ),
    },
    {
      title: t('attendees'),
      dataIndex: 'attendees',
      width: 70,
      align: 'right',
      render: (n: number | null, r) => (n !== null ? n.toLocaleString() : attendeeKinds.includes(r.kind) ? <span className="lx-muted">—</span> : null),
    },
    { title: t('moneyHanded'), dataIndex: 'moneyFen', width: 110, align: 'right', render: (f: number | null) => (f !== null ? formatYuan(f, lang) : null) },
    {
      title: t('photos'),
      key: 'photos',
      width: 80,
      render: (_, r) => (
        <PhotoThumb
          count={r.photoCount}
          photo={r.firstPhotoId ? { id: r.firstPhotoId, url: photoUrl(r.firstPhotoId), thumbUrl: photoThumbUrl(r.firstPhotoId), hasThumbnail: true, takenAt: null } : null}
        />
      ),
    },
    {
      title: t('problemsShort'),
      dataIndex: 'problemCount',
      width: 60,
      align: 'right',
      render: (n: number) => (n ? n : <span className="lx-muted">—</span>),
    },
    {
      title: t('integrityShort'),
      dataIndex: 'openFlagCount',
      width: 90,
      fixed: 'right',
      render: (n: number, r) =>
        n ? (
          <Tooltip title={t('openFlagsTip', { n })}>
            <Tag color="error" icon={<WarningFilled />} style={{ cursor: 'pointer' }} onClick={() => navigate(`/activities/${r.id}#flags`)} data-testid={`flag-marker-${r.id}`}>
              {t('flagsN', { n })}
            </Tag>
          </Tooltip>
        ) : (
          <span className="lx-muted">—</span>
        ),
    },
  ];

  return (
    <div>
      <PageTitle
        title={t('activitiesTitle')}
        extra={
          <div style={{ display: 'flex', gap: 8 }}>
            {can(me, 'activity.write') ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="activity-new">
                {t('newActivity')}
              </Button>
            ) : null}
          </div>
        }
      />
      <div className="lx-toolbar">
        <Select
          placeholder={t('activityKind')}
          allowClear
          style={{ width: 130 }}
          value={kind}
          options={activityKindOptions(lang)}
          onChange={(v?: string) => update({ kind: v })}
          data-testid="filter-kind"
        />
        <CadreSelect placeholder={t('filterCadre')} style={{ width: 170 }} value={cadreId ?? null} onChange={(v) => update({ cadre: v ?? undefined })} />
        <TargetSelect placeholder={t('filterTarget')} style={{ width: 190 }} value={targetId ?? null} onChange={(v) => update({ target: v ?? undefined })} />
        <RegionTreeSelect placeholder={t('regionFilter')} style={{ width: 200 }} value={region ?? null} maxLevel="village" onChange={(v) => update({ region: v ?? undefined })} />
        <CampaignPicker style={{ width: 200 }} value={campaignId ?? null} onChange={(v) => update({ campaign: v ?? undefined })} />
        <PeriodFilter from={from} to={to} onChange={(f, x) => update({ from: f, to: x })} style={{ width: 250 }} />
        <Segmented
          value={flagged ?? 'all'}
          onChange={(v) => update({ flagged: v === 'all' ? undefined : v })}
          options={[
            { value: 'all', label: t('all') },
            { value: 'true', label: t('flaggedOnly') },
            { value: 'false', label: t('unflagged') },
          ]}
          data-testid="filter-flagged"
        />
        <Button onClick={() => update({ kind: undefined, cadre: undefined, target: undefined, region: undefined, campaign: undefined, from: undefined, to: undefined, flagged: undefined })}>
          {t('reset')}
        </Button>
        <span className="lx-toolbar-spacer" />
        <Button icon={<ReloadOutlined />} onClick={() => void load()}>
          {t('refresh')}
        </Button>
      </div>
      <Table<ActivitySummary>
        data-testid="activity-table"
        rowKey="id"
        size="small"
        bordered
        loading={loading}
        dataSource={data?.items ?? []}
        columns={columns}
        onChange={onTable}
        scroll={{ x: 1240 }}
        rowClassName={(r) => (r.openFlagCount ? 'lx-row-flagged' : '')}
        pagination={tablePaging(page, pageSize, data?.total ?? 0, t)}
      />
      {creating ? (
        <ActivityModal
          activity={null}
          defaults={{ campaignId: campaignId ?? null }}
          onCancel={() => setCreating(false)}
          onDone={(saved) => {
            setCreating(false);
            navigate(`/activities/${saved.id}`);
          }}
        />
      ) : null}
    </div>
  );
}
