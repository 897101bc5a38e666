import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Input, Table, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import type { CampaignDto } from '../../../contracts/campaigns.ts';
import { can, useMe } from '../auth.tsx';
import { CampaignModal, campaignPhase, phaseColor, phaseLabel } from '../components/CampaignForm.tsx';
import { PageTitle } from '../components/Status.tsx';
import { usePagedList } from '../components/usePagedList.ts';
import { useI18n } from '../i18n.ts';

type Filters = { q: string; page: number; pageSize: number };

export default function CampaignsPage() {
  const me = useMe();
  const { t } = useI18n();
  const navigate = useNavigate();
  const { filters, setFilters, data, loading, load, onTable } = usePagedList<CampaignDto, Filters>('/api/v1/campaigns', { q: '', page: 1, pageSize: 20 });
  const [qInput, setQInput] = useState('');
  const [creating, setCreating] = useState(false);

  const columns: TableColumnsType<CampaignDto> = [
    {
      title: t('campaignName'),
      dataIndex: 'name',
      width: 240,
      render: (n: string, c) => (
        <Link to={`/campaigns/${c.id}`} style={{ fontWeight: 500 }}>
          {n}
        </Link>
      ),
    },
    {
      title: t('campaignPhase'),
      key: 'phase',
      width: 90,
      render: (_, c) => {
        const p = campaignPhase(c);
        return <Tag color={phaseColor[p]}>{t(phaseLabel[p])}</Tag>;
      },
    },
    { title: t('campaignPeriod'), key: 'period', width: 200, render: (_, c) => `${c.startsOn} ~ ${c.endsOn}` },
    { title: t('campaignRegion'), dataIndex: 'regionName', width: 120 },
    { title: t('participatingUnits'), key: 'units', width: 100, align: 'right', render: (_, c) => c.units.length },
    {
      title: t('themes'),
      dataIndex: 'themes',
      ellipsis: true,
      render: (xs: string[]) => (xs.length ? xs.map((x) => <Tag key={x}>{x}</Tag>) : <span className="lx-muted">—</span>),
    },
    {
      title: t('actions'),
      key: 'actions',
      width: 200,
      render: (_, c) => (
        <span style={{ whiteSpace: 'nowrap' }}>
          <Button type="link" size="small" onClick={() => navigate(`/campaigns/${c.id}`)}>
            {t('details')}
          </Button>
          <Button type="link" size="small" onClick={() => navigate(`/coverage?campaign=${c.id}`)}>
            {t('navCoverage')}
          </Button>
          {can(me, 'planner.run') ? (
            <Button type="link" size="small" onClick={() => navigate(`/planner?campaign=${c.id}`)}>
              {t('navPlanner')}
            </Button>
          ) : null}
        </span>
      ),
    },
  ];

  return (
    <div>
      <PageTitle
        title={t('campaignsTitle')}
        extra={
          can(me, 'campaign.write') ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="campaign-new">
              {t('newCampaign')}
            </Button>
          ) : null
        }
      />
      <div className="lx-toolbar">
        <Input.Search
          placeholder={t('campaignSearchPlaceholder')}
          allowClear
          style={{ width: 260 }}
          value={qInput}
          onChange={(e) => setQInput(e.target.value)}
          onSearch={(v) => setFilters((f) => ({ ...f, q: v.trim(), page: 1 }))}
        />
        <span className="lx-toolbar-spacer" />
        <Button icon={<ReloadOutlined />} onClick={() => void load()}>
          {t('refresh')}
        </Button>
      </div>
      <Table<CampaignDto>
        data-testid="campaign-table"
        rowKey="id"
        size="small"
        bordered
        loading={loading}
        dataSource={data?.items ?? []}
        columns={columns}
        onChange={onTable}
        scroll={{ x: 1000 }}
        pagination={{
          current: filters.page,
          pageSize: filters.pageSize,
          total: data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (total) => t('totalItems', { total }),
        }}
      />
      {creating ? (
        <CampaignModal
          campaign={null}
          defaultRegion={me.regionCode}
          onCancel={() => setCreating(false)}
          onDone={(c) => {
            setCreating(false);
            navigate(`/campaigns/${c.id}`);
          }}
        />
      ) : null}
    </div>
  );
}
