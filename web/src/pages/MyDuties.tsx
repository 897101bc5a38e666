import { CalendarOutlined, CheckCircleOutlined, FileTextOutlined, FlagOutlined, HomeOutlined, MobileOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, Empty, Result, Row, Skeleton, Tag } from 'antd';
import { useEffect, useState, type ReactNode } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import type { CalendarUpcomingDay } from '../../../contracts/calendar.ts';
import type { CampaignDto } from '../../../contracts/campaigns.ts';
import type { ComplianceRow } from '../../../contracts/compliance-api.ts';
import { dueStateLabels, type DueItem, type DueList } from '../../../contracts/due.ts';
import type { TicketSummary } from '../../../contracts/ticket-api.ts';
import { ticketStateLabels } from '../../../contracts/tickets.ts';
import { api, ApiError, type Page } from '../api.ts';
import { useMe } from '../auth.tsx';
import { compliancePaths, DutyRowBody, statusOrder } from '../components/complianceCommon.tsx';
import { useComplianceText } from '../components/complianceText.ts';
import { PageTitle } from '../components/Status.tsx';
import { formatTime, targetKindLabel } from '../labels.ts';
import '../components/compliance.css';

// 我的任务: everything due for the signed-in cadre, on one page that reads on a phone — their
// requirement rules in the current periods (at risk first), the visits due to their targets, the
// fixed days and holiday visits ahead, and the tickets awaiting their unit. Each part loads on its
// own; one that fails says why and the others still show.

type Part<T> = { data: T } | { error: string } | null;
const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
const dayDiff = (date: string) => Math.round((Date.parse(date) - Date.parse(today())) / 86_400_000);
const dueColor: Record<DueItem['state'], string> = { overdue: 'error', due_this_week: 'warning', due_this_month: 'processing', later: 'default', met: 'success' };

function load<T>(f: () => Promise<T>, set: (p: Part<T>) => void) {
  f()
    .then((data) => set({ data }))
    .catch((e: unknown) => set({ error: e instanceof ApiError ? e.message : String(e) }));
}

export default function MyDutiesPage() {
  const { tc, lang } = useComplianceText();
  const me = useMe();
  const navigate = useNavigate();
  const [rows, setRows] = useState<Part<ComplianceRow[]>>(null);
  const [due, setDue] = useState<Part<DueList>>(null);
  const [upcoming, setUpcoming] = useState<Part<CalendarUpcomingDay[]>>(null);
  const [tickets, setTickets] = useState<Part<TicketSummary[]>>(null);
  const [allDays, setAllDays] = useState(false);
  const [allRules, setAllRules] = useState(false);

  useEffect(() => {
    if (!me.cadreId) return;
    const cadreId = me.cadreId;
    const quiet = { quiet: true } as const;
    load(async () => {
      const campaigns = await api.get<Page<CampaignDto>>('/api/v1/campaigns', { activeOn: today(), pageSize: 20 }, quiet);
      const pages = await Promise.all(
        campaigns.items.map((c) => api.get<Page<ComplianceRow>>(compliancePaths.rows, { campaignId: c.id, cadreId, pageSize: 200 }, quiet).catch(() => null)),
      );
      return pages.flatMap((p) => p?.items ?? []).sort((a, b) => statusOrder.indexOf(a.status) - statusOrder.indexOf(b.status) || a.windowEnd.localeCompare(b.windowEnd));
    }, setRows);
    load(() => api.get<DueList>('/api/v1/due', undefined, quiet), setDue);
    load(() => api.get<CalendarUpcomingDay[]>(compliancePaths.upcoming, { days: 30 }, quiet), setUpcoming);
    load(async () => (await api.get<Page<TicketSummary>>('/api/v1/tickets', { inbox: 'mine', state: 'open', pageSize: 20 }, quiet)).items, setTickets);
  }, [me.cadreId]);

  if (!me.cadreId)
    return (
      <div>
        <PageTitle title={tc('mdTitle')} />
        <Result status="info" title={tc('mdNoCadre')} />
      </div>
    );

  const ok = <T,>(p: Part<T>): T | undefined => (p && 'data' in p ? p.data : undefined);
  const pressing = ok(rows)?.filter((r) => r.status === 'at_risk' || r.status === 'missed').length ?? 0;
  // Visits that need going soon (overdue, this week, this month); later ones are listed, not counted.
  const visitsDue = ok(due)?.items.filter((i) => i.state !== 'met' && i.state !== 'later') ?? [];
  const counts = { risk: pressing, visits: visitsDue.length, days: ok(upcoming)?.length ?? 0, tickets: ok(tickets)?.length ?? 0 };
  const allLoaded = [rows, due, upcoming, tickets].every((p) => p !== null);

  return (
    <div className="lx-duties" data-testid="my-duties">
      <PageTitle
        title={tc('mdTitle')}
        extra={
          <Button icon={<MobileOutlined />} onClick={() => navigate('/m')}>
            {tc('mdRecord')}
          </Button>
        }
      />
      {allLoaded ? (
        <Alert
          type={counts.risk || counts.visits || counts.tickets ? 'warning' : 'success'}
          showIcon
          style={{ marginBottom: 12 }}
          title={counts.risk || counts.visits || counts.days || counts.tickets ? tc('mdSummary', counts) : tc('mdAllGood')}
          data-testid="duties-summary"
        />
      ) : null}
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={12}>
          <Section icon={<FlagOutlined />} title={tc('mdCompliance')} part={rows} empty={tc('mdComplianceNone')} testId="duties-compliance">
            {(xs) => {
              // What needs doing first (at risk, missed); the rest — on track or met — one tap away.
              const pressingRows = xs.filter((r) => r.status === 'at_risk' || r.status === 'missed');
              const head = allRules ? xs : pressingRows.length ? pressingRows : xs.slice(0, 5);
              const rest = xs.length - head.length;
              return [
              ...head.map((r) => (
                <Item key={`${r.ruleId}-${r.subject}-${r.subjectId}-${r.windowKey}`} testId={`duty-rule-${r.ruleId}`}>
                  <DutyRowBody row={r} />
                </Item>
              )),
              rest > 0 || allRules ? (
                <div key="more" style={{ paddingTop: 6 }}>
                  <a onClick={() => setAllRules((x) => !x)} data-testid="duties-compliance-more">
                    {allRules ? tc('mdFewer') : tc('mdMoreRules', { n: rest })}
                  </a>
                </div>
              ) : null,
              ];
            }}
          </Section>
        </Col>
        <Col xs={24} lg={12}>
          <Section
            icon={<HomeOutlined />}
            title={tc('mdVisits')}
            part={due}
            empty={tc('mdVisitsNone')}
            testId="duties-visits"
            isEmpty={(d) => d.items.length === 0}
          >
            {(d) => {
              const open = d.items.filter((i) => i.state !== 'met');
              if (!open.length) return <Empty image={<CheckCircleOutlined style={{ fontSize: 40, color: '#389e0d' }} />} description={tc('mdVisitsAllMet', { n: d.items.length })} />;
              return open.map((i) => (
                <Item key={i.pairingId} testId={`duty-visit-${i.pairingId}`}>
                  <div className="lx-duty-head">
                    <Tag color={dueColor[i.state]} style={{ marginInlineEnd: 0 }}>
                      {dueStateLabels[i.state][lang]}
                    </Tag>
                    <Link className="lx-duty-title" to={`/targets/${i.targetId}`}>
                      {i.targetName}
                    </Link>
                    <span className="lx-duty-count">{i.nextDueOn ? tc('mdVisitsNext', { date: i.nextDueOn }) : ''}</span>
                  </div>
                  <div className="lx-duty-text">{tc('mdVisitsDone', { done: i.done, required: i.required })}</div>
                  <div className="lx-muted lx-duty-meta">
                    {targetKindLabel(i.targetKind, lang)} · {i.targetRegionName}
                    {i.teamName ? ` · ${i.teamName}` : ''}
                  </div>
                </Item>
              ));
            }}
          </Section>
        </Col>
        <Col xs={24} lg={12}>
          <Section
            icon={<FileTextOutlined />}
            title={tc('mdTickets')}
            part={tickets}
            empty={tc('mdTicketsNone')}
            testId="duties-tickets"
            explainError={(m) => (/单位/.test(m) ? tc('mdTicketsNoUnit') : null)}
          >
            {(xs) =>
              xs.map((t) => (
                <Item key={t.id}>
                  <div className="lx-duty-head">
                    <Tag color={t.deadlineMark === 'on_time' ? 'default' : t.deadlineMark === 'due_soon' ? 'warning' : 'error'} style={{ marginInlineEnd: 0 }}>
                      {ticketStateLabels[t.state][lang]}
                    </Tag>
                    <Link className="lx-duty-title" to={`/tickets/${t.id}`}>
                      {t.title}
                    </Link>
                  </div>
                  <div className="lx-muted lx-duty-meta">
                    {t.trackingCode} · {t.regionName}
                    {t.dueAt ? ` · ${lang === 'zh' ? '时限' : 'due'} ${formatTime(t.dueAt)}` : ''}
                  </div>
                </Item>
              ))
            }
          </Section>
        </Col>
        <Col xs={24} lg={12}>
          <Section icon={<CalendarOutlined />} title={tc('mdUpcoming')} part={upcoming} empty={tc('mdUpcomingNone')} testId="duties-upcoming">
            {(xs) => [
              ...(allDays ? xs : xs.slice(0, 5)).map((u) => {
                const n = dayDiff(u.date);
                return (
                  <Item key={`${u.entryId}-${u.date}`}>
                    <div className="lx-duty-head">
                      <Tag color={u.kind === 'festival' ? 'red' : 'blue'} style={{ marginInlineEnd: 0 }}>
                        {u.date.slice(5)}
                      </Tag>
                      <strong className="lx-duty-title">{u.name}</strong>
                      <span className="lx-duty-count">{n <= 0 ? tc('mdToday') : n === 1 ? tc('mdTomorrow') : tc('mdInDays', { n })}</span>
                    </div>
                    {u.description ? <div className="lx-duty-text">{u.description}</div> : null}
                    <div className="lx-muted lx-duty-meta">
                      {u.campaignName}
                      {u.startsOn !== u.endsOn ? ` · ${u.startsOn} ~ ${u.endsOn}` : ''}
                      {u.targetCount ? (lang === 'zh' ? ` · 涉及联系对象 ${u.targetCount} 个` : ` · ${u.targetCount} targets`) : ''}
                    </div>
                  </Item>
                );
              }),
              xs.length > 5 ? (
                <div key="more" style={{ paddingTop: 6 }}>
                  <a onClick={() => setAllDays((x) => !x)} data-testid="duties-upcoming-more">
                    {allDays ? tc('mdFewer') : tc('mdMore', { n: xs.length - 5 })}
                  </a>
                </div>
              ) : null,
            ]}
          </Section>
        </Col>
      </Row>
    </div>
  );
}

function Section<T>({
  icon, title, part, empty, children, testId, isEmpty, explainError,
}: {
  icon: ReactNode;
  title: string;
  part: Part<T>;
  empty: string;
  children: (data: T) => ReactNode;
  testId: string;
  isEmpty?: (data: T) => boolean;
  explainError?: (message: string) => string | null;
}) {
  const { tc } = useComplianceText();
  const body = (() => {
    if (part === null) return <Skeleton active paragraph={{ rows: 3 }} />;
    if ('error' in part) {
      const explained = explainError?.(part.error);
      return explained ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={explained} /> : <Alert type="warning" showIcon title={tc('mdUnavailable', { message: part.error })} />;
    }
    const none = isEmpty ? isEmpty(part.data) : Array.isArray(part.data) && part.data.length === 0;
    return none ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={empty} /> : children(part.data);
  })();
  const n = part && 'data' in part && Array.isArray(part.data) ? part.data.length : null;
  return (
    <Card
      size="small"
      title={
        <span>
          {icon} {title}
          {n ? <Tag style={{ marginInlineStart: 8 }}>{n}</Tag> : null}
        </span>
      }
      style={{ height: '100%' }}
      styles={{ body: { padding: '4px 12px 8px' } }}
      data-testid={testId}
    >
      {body}
    </Card>
  );
}

function Item({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <div className="lx-duty" data-testid={testId}>
      {children}
    </div>
  );
}
