import { ArrowLeftOutlined, EnvironmentOutlined, EyeOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, Card, Col, Descriptions, Empty, Result, Row, Tag, Tooltip, Typography } from 'antd';
import type { DescriptionsProps } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import type { TicketDto } from '../../../contracts/ticket-api.ts';
import { closureTypeLabels, superviseLevelLabels, ticketOutcomeLabels, ticketRatingLabels, ticketSourceLabels } from '../../../contracts/tickets.ts';
import { api, ApiError } from '../api.ts';
import { can, useMe } from '../auth.tsx';
import { PhotoStrip } from '../components/PhotoStrip.tsx';
import { PageSpin, PageTitle } from '../components/Status.tsx';
import { TicketActions } from '../components/TicketActions.tsx';
import { DueDate, MarkTag, StateTag, superviseColor, TypeTag, UrgencyTag, useTicketWords } from '../components/ticketCommon.tsx';
import { TicketTimeline } from '../components/TicketTimeline.tsx';
import { useI18n } from '../i18n.ts';
import { formatTime } from '../labels.ts';
import '../components/records.css';

// One ticket: the facts, what the requester asked, the reply and rating, the log of everything
// done to it, its supervision notices with their replies, and the actions the caller may take now.
// An action refused because the ticket changed meanwhile (409) shows the server's message, which
// names what may be done now, and the page reloads.

export default function TicketDetailPage() {
  const { id } = useParams();
  const me = useMe();
  const { t } = useI18n();
  const { tt, lang } = useTicketWords();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const [ticket, setTicket] = useState<TicketDto | null | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [refused, setRefused] = useState<string | null>(null);
  const [phone, setPhone] = useState<string | null>(null);
  const [revealing, setRevealing] = useState(false);

  const load = useCallback(async () => {
    try {
      setTicket(await api.get<TicketDto>(`/api/v1/tickets/${id}`, undefined, { quiet: true }));
    } catch (e) {
      setError(e instanceof ApiError ? e : null);
      setTicket(null);
    }
  }, [id]);
  useEffect(() => {
    setPhone(null);
    void load();
  }, [load]);

  if (ticket === undefined) return <PageSpin />;
  if (ticket === null)
    return (
      <Result
        status={error?.status === 404 ? '404' : 'warning'}
        title={error?.message ?? t('notFoundTitle')}
        extra={<Button onClick={() => navigate('/tickets')}>{tt('backToLedger')}</Button>}
      />
    );

  const k = ticket;
  const muted = <span className="lx-muted">—</span>;
  const reveal = async () => {
    setRevealing(true);
    try {
      const r = await api.post<{ phone: string | null }>(`/api/v1/tickets/${k.id}/reveal-phone`, undefined);
      setPhone(r.phone ?? '');
      void message.info(tt('revealAudited'));
    } catch {
      /* shown by the API client */
    } finally {
      setRevealing(false);
    }
  };

  const requester = (
    <span data-testid="ticket-requester">
      {k.requesterAnonymous ? <Tag>{tt('anonymous')}</Tag> : null}
      {k.requesterTargetId ? <Link to={`/targets/${k.requesterTargetId}`}>{k.requesterTargetName ?? k.requesterName}</Link> : (k.requesterName ?? (k.requesterAnonymous ? null : muted))}
      {k.requesterPhoneMasked ? (
        <span style={{ marginInlineStart: 8, whiteSpace: 'nowrap' }}>
          {phone !== null ? (
            <Typography.Text copyable className="lx-phone" data-testid="ticket-phone-full">
              {phone}
            </Typography.Text>
          ) : (
            <span className="lx-phone" data-testid="ticket-phone">
              {k.requesterPhoneMasked}
            </span>
          )}
          {phone === null && can(me, 'ticket.revealPhone') ? (
            <Tooltip title={tt('revealAudited')}>
              <Button type="link" size="small" icon={<EyeOutlined />} loading={revealing} onClick={() => void reveal()} data-testid="ticket-reveal" style={{ paddingInline: 4, height: 20 }}>
                {tt('revealPhone')}
              </Button>
            </Tooltip>
          ) : null}
        </span>
      ) : null}
    </span>
  );

  const units: Record<number, string> = {};
  if (k.handlingUnitId && k.handlingUnitName) units[k.handlingUnitId] = k.handlingUnitName;
  for (const u of k.assistingUnits) units[u.id] = u.name;

  const facts: DescriptionsProps['items'] = [
    { key: 'code', label: tt('trackingCode'), children: <Typography.Text copyable className="lx-phone" data-testid="ticket-code">{k.trackingCode}</Typography.Text> },
    { key: 'state', label: tt('state'), children: <span><StateTag state={k.state} lang={lang} /><MarkTag mark={k.deadlineMark} lang={lang} /></span> },
    { key: 'source', label: tt('source'), children: ticketSourceLabels[k.source][lang] },
    { key: 'type', label: tt('type'), children: <TypeTag type={k.type} lang={lang} /> },
    { key: 'category', label: tt('category'), children: k.categoryName },
    { key: 'urgency', label: tt('urgency'), children: <UrgencyTag urgency={k.urgency} lang={lang} /> },
    { key: 'requester', label: tt('requester'), children: requester },
    { key: 'registered', label: tt('registeredAt'), children: formatTime(k.createdAt) },
    { key: 'unit', label: tt('handlingUnit'), children: <span data-testid="ticket-unit">{k.handlingUnitName ?? <span className="lx-muted">{tt('notDispatched')}</span>}</span> },
  ];
  if (k.assistingUnits.length) facts.push({ key: 'assisting', label: tt('assistingUnits'), children: k.assistingUnits.map((u) => u.name).join('、') });
  if (k.dispatchedAt) facts.push({ key: 'dispatched', label: tt('dispatchedAt'), children: formatTime(k.dispatchedAt) });
  if (k.signDueAt && !k.signedAt) facts.push({ key: 'signDue', label: tt('signDueAt'), children: formatTime(k.signDueAt) });
  if (k.signedAt) facts.push({ key: 'signed', label: tt('signedAt'), children: formatTime(k.signedAt) });
  facts.push({
    key: 'due',
    label: tt('dueAt'),
    children: (
      <span data-testid="ticket-due">
        <DueDate dueAt={k.dueAt} mark={k.deadlineMark} state={k.state} withTime />
        {k.dueBeyondCalendar ? <Tooltip title={tt('beyondCalendar')}><Tag style={{ marginInlineStart: 4 }}>*</Tag></Tooltip> : null}
        {k.pendingExtensionDays ? <Tag color="orange" style={{ marginInlineStart: 4 }}>{tt('pendingExtension', { n: k.pendingExtensionDays })}</Tag> : null}
      </span>
    ),
  });
  if (k.resolvedAt) facts.push({ key: 'resolved', label: tt('resolvedAt'), children: <span>{formatTime(k.resolvedAt)}{k.handlingWorkingDays !== null ? <span className="lx-muted">（{tt('handlingDays', { n: k.handlingWorkingDays })}）</span> : null}</span> });
  if (k.closedAt) facts.push({ key: 'closed', label: tt('closedAt'), children: <span>{formatTime(k.closedAt)}{k.outcome ? <Tag style={{ marginInlineStart: 6 }}>{ticketOutcomeLabels[k.outcome][lang]}</Tag> : null}</span> });
  if (k.superviseLevel) facts.push({ key: 'sup', label: tt('supervise'), children: <Tag color={superviseColor[k.superviseLevel]}>{superviseLevelLabels[k.superviseLevel][lang]}</Tag> });
  if (k.foundByCadreId) facts.push({ key: 'found', label: tt('foundBy'), children: <Link to={`/cadres/${k.foundByCadreId}`}>{k.foundByCadreName}</Link> });
  if (k.activityId) facts.push({ key: 'activity', label: tt('fromVisit'), children: <Link to={`/activities/${k.activityId}`}>#{k.activityId}</Link> });
  if (k.mergedIntoId) facts.push({ key: 'merged', label: tt('mergedInto'), children: <Link to={`/tickets/${k.mergedIntoId}`}>{tt('ticketN', { id: k.mergedIntoId })}</Link> });
  if (k.repeatOfId) facts.push({ key: 'repeat', label: tt('repeatOf'), children: <Link to={`/tickets/${k.repeatOfId}`}>{tt('ticketN', { id: k.repeatOfId })}</Link> });

  return (
    <div>
      <PageTitle
        title={
          <span>
            <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)} aria-label={t('back')} style={{ marginInlineEnd: 4 }} />
            {k.title}
            <span className="lx-muted lx-phone" style={{ fontWeight: 400, fontSize: 14, marginInlineStart: 8 }}>
              {k.trackingCode}
            </span>
            <span style={{ marginInlineStart: 8, verticalAlign: 'middle' }}>
              <StateTag state={k.state} lang={lang} />
            </span>
          </span>
        }
        extra={
          <Button icon={<ReloadOutlined />} onClick={() => void load()}>
            {t('refresh')}
          </Button>
        }
      />
      {refused ? <Alert type="warning" showIcon title={refused} description={tt('refusedReloaded')} closable onClose={() => setRefused(null)} style={{ marginBottom: 12 }} data-testid="ticket-refused" /> : null}
      <Row gutter={16}>
        <Col xs={24} xl={15}>
          <Card size="small" title={tt('content')} style={{ marginBottom: 16 }}>
            <div className="lx-prose" data-testid="ticket-content">{k.content}</div>
            <div style={{ marginTop: 10 }}>
              <EnvironmentOutlined /> {[k.regionName, k.address].filter(Boolean).join(' · ') || muted}
              {k.lat !== null && k.lng !== null ? <span className="lx-muted"> （{k.lat.toFixed(6)}, {k.lng.toFixed(6)}）</span> : null}
            </div>
            {k.attachments.length ? (
              <div style={{ marginTop: 12 }}>
                <PhotoStrip photos={k.attachments} size={88} testId="ticket-attachments" />
              </div>
            ) : null}
            {k.mediaUrl ? (
              <div style={{ marginTop: 8 }}>
                <a href={k.mediaUrl} target="_blank" rel="noreferrer">{k.mediaUrl}</a>
              </div>
            ) : null}
          </Card>
          {k.reply || k.rating ? (
            <Card size="small" title={tt('reply')} style={{ marginBottom: 16 }} data-testid="ticket-reply">
              {k.closureType ? <Tag color="green">{closureTypeLabels[k.closureType][lang]}</Tag> : null}
              {k.resolvedAt ? <span className="lx-muted">{formatTime(k.resolvedAt)}</span> : null}
              {k.reply ? <div className="lx-prose" style={{ marginTop: 6 }}>{k.reply}</div> : null}
              {k.rating ? (
                <div style={{ marginTop: 10 }}>
                  {tt('rating')}：<Tag color={k.rating === 'unsatisfied' ? 'red' : 'green'}>{ticketRatingLabels[k.rating][lang]}</Tag>
                  {k.ratedAt ? <span className="lx-muted">{formatTime(k.ratedAt)}</span> : null}
                  {k.ratingComment ? <div className="lx-prose">{k.ratingComment}</div> : null}
                </div>
              ) : null}
            </Card>
          ) : null}
          <Card size="small" title={tt('timeline')} style={{ marginBottom: 16 }}>
            <TicketTimeline events={k.events} units={units} />
          </Card>
        </Col>
        <Col xs={24} xl={9}>
          <Card size="small" title={tt('actionsTitle')} style={{ marginBottom: 16 }}>
            <TicketActions
              ticket={k}
              onChanged={(next) => {
                setRefused(null);
                setTicket(next);
              }}
              onRefused={(m) => {
                setRefused(m);
                void load();
              }}
            />
          </Card>
          <Card size="small" title={tt('basics')} style={{ marginBottom: 16 }}>
            <Descriptions size="small" column={1} items={facts} data-testid="ticket-facts" />
          </Card>
          <Card size="small" title={tt('supervisions')} style={{ marginBottom: 16 }} data-testid="ticket-supervisions">
            {k.supervisions.length ? (
              k.supervisions.map((s) => (
                <div key={s.id} style={{ borderInlineStart: `3px solid ${s.level === 'red' ? '#cf1322' : '#d4b106'}`, paddingInlineStart: 8, marginBottom: 12 }}>
                  <div>
                    <Tag color={superviseColor[s.level]}>{superviseLevelLabels[s.level][lang]}</Tag>
                    <span className="lx-muted" style={{ fontSize: 12 }}>
                      {formatTime(s.issuedAt)} · {s.automatic ? tt('autoSupervision') : (s.issuedByName ?? '—')}
                      {s.dueAt ? ` · ${tt('replyDueAt')} ${formatTime(s.dueAt)}` : ''}
                    </span>
                  </div>
                  <div className="lx-prose">{s.note}</div>
                  {s.repliedAt ? (
                    <div style={{ background: '#f6ffed', padding: '4px 8px', marginTop: 4, borderRadius: 3 }}>
                      <span className="lx-muted" style={{ fontSize: 12 }}>
                        {tt('supervisionReply')} · {s.repliedByName ?? '—'} · {formatTime(s.repliedAt)}
                      </span>
                      <div className="lx-prose">{s.reply}</div>
                    </div>
                  ) : (
                    <Tag color="orange" style={{ marginTop: 4 }}>{tt('notReplied')}</Tag>
                  )}
                </div>
              ))
            ) : (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={tt('noSupervisions')} />
            )}
          </Card>
        </Col>
      </Row>
    </div>
  );
}
