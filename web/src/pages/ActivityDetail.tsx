import { ArrowLeftOutlined, EditOutlined, EnvironmentOutlined, FileAddOutlined, WarningFilled } from '@ant-design/icons';
import { Alert, Button, Card, Col, Descriptions, Empty, Result, Row, Table, Tag } from 'antd';
import type { DescriptionsProps } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router-dom';
import { attendeeKinds, moneyKinds, type ActivityDto } from '../../../contracts/activities.ts';
import { matterStatusLabels } from '../../../contracts/matters.ts';
import { api, ApiError } from '../api.ts';
import { can, useMe } from '../auth.tsx';
import { ActivityModal } from '../components/ActivityForm.tsx';
import { ActivityFlags } from '../components/IntegrityEvidence.tsx';
import { matterStatusColor } from '../components/MatterForm.tsx';
import { PhotoStrip } from '../components/PhotoStrip.tsx';
import { ProblemTicketModal } from '../components/ProblemTicketModal.tsx';
import { activityKindColor, activityKindLabel, formatSpan, formatYuan } from '../components/recordCommon.tsx';
import { PageSpin, PageTitle } from '../components/Status.tsx';
import { useI18n } from '../i18n.ts';
import { formatTime, kindColor, targetKindLabel } from '../labels.ts';
import '../components/records.css';

export default function ActivityDetailPage() {
  const { id } = useParams();
  const me = useMe();
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const [activity, setActivity] = useState<ActivityDto | null | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [editing, setEditing] = useState(false);
  const [ticketing, setTicketing] = useState<ActivityDto['problems'][number] | null>(null);

  const load = useCallback(async () => {
    try {
      setActivity(await api.get<ActivityDto>(`/api/v1/activities/${id}`, undefined, { quiet: true }));
    } catch (e) {
      setError(e instanceof ApiError ? e : null);
      setActivity(null);
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  // /activities/12#flags (from the list's flag marker) scrolls to the flags once they are shown.
  useEffect(() => {
    if (activity && location.hash === '#flags') document.getElementById('flags')?.scrollIntoView({ behavior: 'smooth' });
  }, [activity, location.hash]);

  if (activity === undefined) return <PageSpin />;
  if (activity === null)
    return (
      <Result
        status={error?.status === 404 ? '404' : 'warning'}
        title={error?.message ?? t('notFoundTitle')}
        extra={<Button onClick={() => navigate('/activities')}>{t('backToActivities')}</Button>}
      />
    );

  const a = activity;
  const openFlags = a.flags.filter((f) => !f.clearedAt);
  const muted = <span className="lx-muted">—</span>;
  const items: DescriptionsProps['items'] = [
    { key: 'kind', label: t('activityKind'), children: <Tag color={activityKindColor[a.kind]}>{activityKindLabel(a.kind, lang)}</Tag> },
    {
      key: 'when',
      label: t('activitySpan'),
      children: (
        <span>
          {formatSpan(a.startsAt, a.endsAt)}
          {a.stayDays > 0 ? <Tag style={{ marginInlineStart: 8 }}>{t('stayDaysN', { n: a.stayDays })}</Tag> : null}
        </span>
      ),
    },
    { key: 'campaign', label: t('campaign'), children: a.campaignId ? <Link to={`/campaigns/${a.campaignId}`}>{a.campaignName}</Link> : muted },
    { key: 'region', label: t('activityRegion'), children: a.regionName },
    { key: 'place', label: t('activityPlace'), children: a.place || muted },
    {
      key: 'gps',
      label: t('gpsPosition'),
      children:
        a.latitude !== null && a.longitude !== null ? (
          <span>
            <EnvironmentOutlined /> {a.latitude.toFixed(6)}, {a.longitude.toFixed(6)}
            {a.accuracyM !== null ? <span className="lx-muted">（±{Math.round(a.accuracyM)} m）</span> : null}
          </span>
        ) : (
          muted
        ),
    },
  ];
  if (attendeeKinds.includes(a.kind) || a.attendees !== null) items.push({ key: 'attendees', label: t('attendees'), children: a.attendees !== null ? `${a.attendees.toLocaleString()} ${t('personTimes')}` : muted });
  if (moneyKinds.includes(a.kind) || a.moneyFen !== null) items.push({ key: 'money', label: t('condolenceMoney'), children: a.moneyFen !== null ? formatYuan(a.moneyFen, lang) : muted });
  items.push(
    { key: 'recorded', label: t('recordedAt'), children: `${formatTime(a.recordedAt)}${a.recordedBy ? ` · ${a.recordedBy}` : ''}` },
    { key: 'updated', label: t('cadreUpdatedAt'), children: `${formatTime(a.updatedAt)} · ${t('versionN', { n: a.version })}` },
  );

  const text = (s: string) => (s ? <div className="lx-prose">{s}</div> : <span className="lx-muted">{t('notFilled')}</span>);

  return (
    <div>
      <PageTitle
        title={
          <span>
            <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)} aria-label={t('back')} style={{ marginInlineEnd: 4 }} />
            {a.title || `${activityKindLabel(a.kind, lang)} · ${formatSpan(a.startsAt, a.endsAt).slice(0, 10)}`}
            <span className="lx-muted" style={{ fontWeight: 400, fontSize: 14, marginInlineStart: 8 }}>
              #{a.id}
            </span>
          </span>
        }
        extra={
          can(me, 'activity.write') ? (
            <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="activity-edit">
              {t('edit')}
            </Button>
          ) : null
        }
      />
      {openFlags.length ? (
        <Alert
          type="warning"
          showIcon
          icon={<WarningFilled />}
          style={{ marginBottom: 16 }}
          title={t('activityHasFlags', { n: openFlags.length })}
          action={
            <Button size="small" onClick={() => document.getElementById('flags')?.scrollIntoView({ behavior: 'smooth' })}>
              {t('viewEvidence')}
            </Button>
          }
        />
      ) : null}
      <Card size="small" title={t('activityInfo')} style={{ marginBottom: 16 }}>
        <Descriptions bordered size="small" column={{ xs: 1, md: 2, xl: 3 }} items={items} data-testid="activity-fields" />
      </Card>
      <Row gutter={16}>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('participantsN', { n: a.participants.length })} style={{ marginBottom: 16 }}>
            {a.participants.map((p) => (
              <div key={p.cadreId} className="lx-line">
                <Link to={`/cadres/${p.cadreId}`} style={{ fontWeight: 500 }}>
                  {p.name}
                </Link>
                <span className="lx-muted"> · {p.unitName}</span>
              </div>
            ))}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('activityTargetsN', { n: a.targets.length })} style={{ marginBottom: 16 }}>
            {a.targets.length ? (
              a.targets.map((x) => (
                <div key={x.id} className="lx-line">
                  <Tag color={kindColor[x.kind]}>{targetKindLabel(x.kind, lang)}</Tag>
                  <Link to={`/targets/${x.id}`} style={{ fontWeight: 500 }}>
                    {x.name}
                  </Link>
                  <span className="lx-muted"> · {x.regionName}</span>
                </div>
              ))
            ) : (
              <span className="lx-muted">{t('noTargetsPlaceOnly')}</span>
            )}
          </Card>
        </Col>
      </Row>
      <Row gutter={16}>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('findings')} style={{ marginBottom: 16 }}>
            {text(a.findings)}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('actionsDone')} style={{ marginBottom: 16 }}>
            {text(a.actions)}
          </Card>
        </Col>
      </Row>
      <Card size="small" title={t('photosN', { n: a.photos.length })} style={{ marginBottom: 16 }}>
        <PhotoStrip photos={a.photos} size={132} testId="activity-photos" />
      </Card>
      <Row gutter={16}>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('problemsFoundN', { n: a.problems.length })} style={{ marginBottom: 16 }}>
            {a.problems.length ? (
              <ol className="lx-problems">
                {a.problems.map((p) => (
                  <li key={p.id} data-testid={`problem-${p.id}`}>
                    {p.description}{' '}
                    {p.ticketId ? (
                      <Link to={`/tickets/${p.ticketId}`} data-testid={`problem-ticket-link-${p.id}`}>
                        <Tag color="blue">{t('ticketN', { n: p.ticketId })}</Tag>
                      </Link>
                    ) : (
                      <>
                        <Tag>{t('noTicketYet')}</Tag>
                        {can(me, 'ticket.register') ? (
                          <Button size="small" type="link" icon={<FileAddOutlined />} onClick={() => setTicketing(p)} data-testid={`problem-register-${p.id}`}>
                            {t('registerAsTicket')}
                          </Button>
                        ) : null}
                      </>
                    )}
                  </li>
                ))}
              </ol>
            ) : (
              <span className="lx-muted">{t('noProblems')}</span>
            )}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('mattersPromisedN', { n: a.matters.length })} style={{ marginBottom: 16 }}>
            {a.matters.length ? (
              <Table
                size="small"
                rowKey="id"
                pagination={false}
                dataSource={a.matters}
                columns={[
                  { title: t('matterTitle'), dataIndex: 'title', render: (s: string, m) => <Link to={`/matters?open=${m.id}`}>{s}</Link> },
                  { title: t('matterStatus'), dataIndex: 'status', width: 90, render: (s: keyof typeof matterStatusColor) => <Tag color={matterStatusColor[s]}>{matterStatusLabels[s as keyof typeof matterStatusLabels]?.[lang] ?? s}</Tag> },
                  { title: t('amount'), dataIndex: 'amountFen', width: 130, align: 'right', render: (f: number) => formatYuan(f, lang) },
                ]}
              />
            ) : (
              <span className="lx-muted">{t('noMatters')}</span>
            )}
          </Card>
        </Col>
      </Row>
      <div id="flags">
        <Card
          size="small"
          title={
            <span>
              {t('integrityFlags')} <span className="lx-muted" style={{ fontWeight: 400 }}>{t('integrityFlagsSummary', { open: openFlags.length, cleared: a.flags.length - openFlags.length })}</span>
            </span>
          }
          style={{ marginBottom: 16 }}
        >
          {a.flags.length ? (
            <ActivityFlags flags={a.flags} canClear={can(me, 'integrity.clear')} onCleared={() => void load()} />
          ) : (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noFlags')} />
          )}
        </Card>
      </div>
      {ticketing ? <ProblemTicketModal activity={a} problem={ticketing} onClose={() => setTicketing(null)} onCreated={() => void load()} /> : null}
      {editing ? (
        <ActivityModal
          activity={a}
          onCancel={() => setEditing(false)}
          onDone={(saved) => {
            setEditing(false);
            setActivity(saved);
          }}
        />
      ) : null}
    </div>
  );
}
