import { ArrowLeftOutlined, BarChartOutlined, EditOutlined, FlagOutlined, NodeIndexOutlined } from '@ant-design/icons';
import { Button, Card, Col, Descriptions, Empty, Input, Result, Row, Table, Tag } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import type { CampaignDto } from '../../../contracts/campaigns.ts';
import { api, ApiError } from '../api.ts';
import { can, useMe } from '../auth.tsx';
import { CampaignModal, campaignPhase, NumberedTags, phaseColor, phaseLabel } from '../components/CampaignForm.tsx';
import { CoverageRulesCard } from '../components/CoverageRules.tsx';
import { CampaignCalendar } from '../components/CampaignCalendar.tsx';
import { ExportButton } from '../components/ExportButton.tsx';
import { PageSpin, PageTitle } from '../components/Status.tsx';
import { useI18n } from '../i18n.ts';
import { formatTime, kindColor, targetKindLabel } from '../labels.ts';
import type { TargetKind } from '../../../contracts/targets.ts';

type UnitRow = CampaignDto['units'][number];

export default function CampaignDetailPage() {
  const { id } = useParams();
  const me = useMe();
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const [campaign, setCampaign] = useState<CampaignDto | null | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [editing, setEditing] = useState(false);
  const [unitQ, setUnitQ] = useState('');

  const load = useCallback(async () => {
    try {
      setCampaign(await api.get<CampaignDto>(`/api/v1/campaigns/${id}`, undefined, { quiet: true }));
    } catch (e) {
      setError(e instanceof ApiError ? e : null);
      setCampaign(null);
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  if (campaign === undefined) return <PageSpin />;
  if (campaign === null)
    return (
      <Result
        status={error?.status === 404 ? '404' : 'warning'}
        title={error?.message ?? t('notFoundTitle')}
        extra={<Button onClick={() => navigate('/campaigns')}>{t('backToCampaigns')}</Button>}
      />
    );

  const phase = campaignPhase(campaign);
  const editable = campaign.editable && can(me, 'campaign.write');
  const tasks = Object.entries(campaign.tasks).filter(([, xs]) => xs.length);
  const units = unitQ ? campaign.units.filter((u) => u.unitName.includes(unitQ) || u.unitCode.includes(unitQ) || u.responsibleRegions.some((r) => r.name.includes(unitQ))) : campaign.units;
  const townships = new Set(campaign.units.flatMap((u) => u.responsibleRegions.map((r) => r.code))).size;

  return (
    <div>
      <PageTitle
        title={
          <span>
            <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate('/campaigns')} aria-label={t('back')} style={{ marginInlineEnd: 4 }} />
            {campaign.name}
            <Tag color={phaseColor[phase]} style={{ marginInlineStart: 8, verticalAlign: 'middle' }}>
              {t(phaseLabel[phase])}
            </Tag>
          </span>
        }
        extra={
          <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
            <Button icon={<BarChartOutlined />} onClick={() => navigate(`/coverage?campaign=${campaign.id}`)} data-testid="goto-coverage">
              {t('navCoverage')}
            </Button>
            <Button icon={<FlagOutlined />} onClick={() => navigate(`/requirement-rules?campaign=${campaign.id}`)} data-testid="goto-requirement-rules">
              {t('navRequirementRules')}
            </Button>
            <ExportButton path={`/api/v1/campaigns/${campaign.id}/pairings/export.xlsx`} filename="结对台账.xlsx" testId="pairing-export" />
            {can(me, 'planner.run') ? (
              <Button icon={<NodeIndexOutlined />} onClick={() => navigate(`/planner?campaign=${campaign.id}`)} data-testid="goto-planner">
                {t('navPlanner')}
              </Button>
            ) : null}
            {editable ? (
              <Button type="primary" icon={<EditOutlined />} onClick={() => setEditing(true)}>
                {t('edit')}
              </Button>
            ) : null}
          </div>
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('campaignInfo')} style={{ height: '100%' }}>
            <Descriptions
              bordered
              size="small"
              column={1}
              styles={{ label: { width: 150, whiteSpace: 'nowrap' } }}
              items={[
                { key: 'period', label: t('campaignPeriod'), children: `${campaign.startsOn} ~ ${campaign.endsOn}` },
                { key: 'region', label: t('campaignRegion'), children: campaign.regionName },
                { key: 'desc', label: t('description'), children: campaign.description || <span className="lx-muted">—</span> },
                { key: 'themes', label: t('themes'), children: campaign.themes.length ? campaign.themes.map((x) => <Tag key={x} color="red">{x}</Tag>) : <span className="lx-muted">—</span> },
                { key: 'actions', label: t('specialActions'), children: <NumberedTags items={campaign.specialActions} color="volcano" /> },
                { key: 'roles', label: t('cadreRoles'), children: campaign.cadreRoles.length ? campaign.cadreRoles.map((x) => <Tag key={x} color="gold">{x}</Tag>) : <span className="lx-muted">—</span> },
                { key: 'updated', label: t('cadreUpdatedAt'), children: <span className="lx-muted">{formatTime(campaign.updatedAt)}</span> },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('taskLists')} style={{ height: '100%' }}>
            {tasks.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noTasks')} />
            ) : (
              <Descriptions
                bordered
                size="small"
                column={1}
                styles={{ label: { width: 150, whiteSpace: 'nowrap' } }}
                items={tasks.map(([k, xs]) => ({
                  key: k,
                  label: <Tag color={kindColor[k as TargetKind]}>{targetKindLabel(k, lang)}</Tag>,
                  children: <NumberedTags items={xs} />,
                }))}
              />
            )}
          </Card>
        </Col>
        <Col span={24}>
          <CoverageRulesCard campaignId={campaign.id} editable={editable} />
        </Col>
        <Col span={24}>
          <Card
            size="small"
            title={
              <span>
                {t('participatingUnits')}{' '}
                <span className="lx-muted" style={{ fontWeight: 400, fontSize: 13 }}>
                  {t('unitsSummary', { units: campaign.units.length, townships })}
                </span>
              </span>
            }
            extra={<Input.Search size="small" allowClear placeholder={t('unitSearchPlaceholder')} onSearch={(v) => setUnitQ(v.trim())} style={{ width: 220 }} />}
          >
            <Table<UnitRow>
              data-testid="campaign-units"
              rowKey="unitId"
              size="small"
              dataSource={units}
              pagination={units.length > 15 ? { pageSize: 15, size: 'small', showSizeChanger: false } : false}
              columns={[
                { title: t('unitName'), dataIndex: 'unitName', width: 280 },
                { title: t('unitCode'), dataIndex: 'unitCode', width: 120, render: (c: string) => <span className="lx-phone">{c}</span> },
                {
                  title: t('responsibleRegions'),
                  dataIndex: 'responsibleRegions',
                  render: (rs: UnitRow['responsibleRegions']) =>
                    rs.length ? rs.map((r) => <Tag key={r.code}>{r.name}</Tag>) : <span className="lx-muted">{t('ownRegion')}</span>,
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24}>
          <CampaignCalendar campaignId={campaign.id} startsOn={campaign.startsOn} endsOn={campaign.endsOn} editable={campaign.editable && can(me, 'calendar.configure')} />
        </Col>
      </Row>
      {editing ? (
        <CampaignModal
          campaign={campaign}
          defaultRegion={campaign.regionCode}
          onCancel={() => setEditing(false)}
          onDone={(c) => {
            setEditing(false);
            setCampaign(c);
          }}
        />
      ) : null}
    </div>
  );
}
