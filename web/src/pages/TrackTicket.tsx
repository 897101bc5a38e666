import { CheckCircleFilled, SearchOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Descriptions, Form, Input, Radio, Steps, Tag, Timeline } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import type { PublicTicket } from '../../../contracts/ticket-api.ts';
import {
  closureTypeLabels, ticketActionLabels, ticketRatingLabels, ticketRatings, ticketTypeLabels, type TicketAction, type TicketRating, type TicketState,
} from '../../../contracts/tickets.ts';
import { api, ApiError } from '../api.ts';
import { BrandMark, LanguageSwitch } from '../components/AppLayout.tsx';
import { formatDay } from '../components/recordCommon.tsx';
import { useTicketText, type TicketTextKey } from '../components/ticketLoopText.ts';
import '../components/ticketLoop.css';

// The requester's page (no login): the tracking code and the last four digits of the phone given
// at registration show how far the request has come, the reply, and the one-time rating. The
// digits stay in the page's memory, never in the address, so a shared link does not carry them.

type Lookup = { code: string; phone: string };
type Failure = { status: number; message: string };

const ratingColor: Record<TicketRating, string> = { satisfied: 'green', basically_satisfied: 'blue', unsatisfied: 'red' };

/** The five steps a requester sees: the steps before `current` are done; `current` is under way or awaited. */
function stepOf(t: PublicTicket): { current: number; status: 'wait' | 'process' | 'finish' } {
  const byState: Record<TicketState, { current: number; status: 'wait' | 'process' | 'finish' }> = {
    registered: { current: 1, status: 'wait' },
    dispatched: { current: 2, status: 'wait' },
    signed: { current: 2, status: 'process' },
    in_progress: { current: 2, status: 'process' },
    reopened: { current: 2, status: 'process' },
    resolved: { current: 4, status: 'wait' },
    closed: { current: 5, status: 'finish' },
  };
  return byState[t.state];
}

export default function TrackTicketPage() {
  const { tt, lang } = useTicketText();
  const params = useParams<{ code?: string }>();
  const navigate = useNavigate();
  const [form] = Form.useForm<Lookup>();
  const [lookup, setLookup] = useState<Lookup | null>(null);
  const [ticket, setTicket] = useState<PublicTicket | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    document.title = `${tt('trackBrand')} · ${lang === 'zh' ? '连心' : 'Lianxin'}`;
  }, [tt, lang]);

  const load = useCallback(
    async (l: Lookup) => {
      setLoading(true);
      setFailure(null);
      try {
        const t = await api.get<PublicTicket>(`/api/v1/public/tickets/${encodeURIComponent(l.code)}`, { phone: l.phone }, { quiet: true, noRedirect: true });
        setTicket(t);
        setLookup(l);
      } catch (e) {
        setTicket(null);
        setFailure(describeFailure(e, tt));
      } finally {
        setLoading(false);
      }
    },
    [tt],
  );

  const submit = (v: Lookup) => {
    const code = v.code.trim();
    if (params.code !== code) navigate(`/track/${encodeURIComponent(code)}`, { replace: true });
    void load({ code, phone: v.phone.trim() });
  };

  return (
    <div className="lx-track">
      <header className="lx-track-head">
        <BrandMark size={28} />
        <span className="lx-track-brand">{lang === 'zh' ? '连心' : 'Lianxin'}</span>
        <span className="lx-track-sub">{tt('trackBrand')}</span>
        <span style={{ marginLeft: 'auto' }}>
          <LanguageSwitch dark />
        </span>
      </header>
      <main className="lx-track-main">
        {ticket && lookup ? (
          <TicketView
            ticket={ticket}
            lookup={lookup}
            onReload={() => load(lookup)}
            onAnother={() => {
              setTicket(null);
              setLookup(null);
              form.resetFields();
              navigate('/track', { replace: true });
            }}
          />
        ) : (
          <Card className="lx-track-card" data-testid="track-lookup">
            <p className="lx-track-intro">{tt('trackIntro')}</p>
            {failure ? (
              <Alert
                type={failure.status === 429 ? 'warning' : 'error'}
                showIcon
                message={failure.message}
                style={{ marginBottom: 16 }}
                data-testid="track-error"
              />
            ) : null}
            <Form<Lookup> form={form} layout="vertical" initialValues={{ code: params.code ?? '', phone: '' }} onFinish={submit} requiredMark={false}>
              <Form.Item name="code" label={tt('trackCode')} rules={[{ required: true, whitespace: true, message: tt('trackCodeRequired') }]}>
                <Input size="large" placeholder={tt('trackCodePlaceholder')} autoComplete="off" autoCapitalize="characters" spellCheck={false} data-testid="track-code" maxLength={40} />
              </Form.Item>
              <Form.Item name="phone" label={tt('trackPhone')} rules={[{ required: true, pattern: /^\s*\d{4}\s*$/, message: tt('trackPhoneInvalid') }]}>
                <Input size="large" placeholder={tt('trackPhonePlaceholder')} inputMode="numeric" autoComplete="off" maxLength={4} data-testid="track-phone" />
              </Form.Item>
              <Button type="primary" size="large" htmlType="submit" block icon={<SearchOutlined />} loading={loading} data-testid="track-submit">
                {tt('trackSubmit')}
              </Button>
            </Form>
          </Card>
        )}
        <footer className="lx-track-foot">{tt('trackFooter')}</footer>
      </main>
    </div>
  );
}

function describeFailure(e: unknown, tt: (k: TicketTextKey) => string): Failure {
  if (!(e instanceof ApiError)) return { status: 0, message: String(e) };
  if (e.status === 404) return { status: 404, message: tt('trackNotFound') };
  if (e.status === 429) return { status: 429, message: e.message && e.code !== 'HTTP_429' ? e.message : tt('trackLocked') };
  if (e.status === 400) return { status: 400, message: e.message || tt('trackNoPhone') };
  return { status: e.status, message: e.message };
}

function TicketView({ ticket, lookup, onReload, onAnother }: { ticket: PublicTicket; lookup: Lookup; onReload: () => Promise<void>; onAnother: () => void }) {
  const { tt, l } = useTicketText();
  const [justRated, setJustRated] = useState<'ok' | 'already' | null>(null);
  const { current, status } = stepOf(ticket);
  const closedUnrated = ticket.state === 'closed' && !ticket.rating;
  const steps: TicketTextKey[] = ['trackStepRegistered', 'trackStepDispatched', 'trackStepHandling', 'trackStepResolved', closedUnrated ? 'trackStepClosed' : 'trackStepRated'];
  const actionLabel = (a: string) => (a === 'register' ? tt('trackRegister') : (l(ticketActionLabels[a as TicketAction]) || a));

  return (
    <>
      <Card className="lx-track-card" data-testid="track-ticket">
        <div className="lx-track-code">
          {tt('trackCode')} <strong>{ticket.trackingCode}</strong>
        </div>
        <h1 className="lx-track-title">{ticket.title}</h1>
        <Steps
          className="lx-track-steps"
          size="small"
          responsive={false}
          labelPlacement="vertical"
          current={current}
          status={status}
          items={steps.map((k) => ({ title: tt(k) }))}
          data-testid="track-steps"
        />
        {ticket.state === 'reopened' ? <Alert type="info" showIcon message={tt('trackReopened')} style={{ marginTop: 12 }} /> : null}
        <Descriptions column={1} size="small" className="lx-track-facts" style={{ marginTop: 16 }}>
          <Descriptions.Item label={tt('trackType')}>
            {l(ticketTypeLabels[ticket.type])} · {ticket.categoryName}
          </Descriptions.Item>
          <Descriptions.Item label={tt('trackCreated')}>{formatDay(ticket.createdAt)}</Descriptions.Item>
          <Descriptions.Item label={tt('trackUnit')}>
            <span data-testid="track-unit">{ticket.handlingUnitName ?? <span className="lx-muted">{tt('trackUnitPending')}</span>}</span>
          </Descriptions.Item>
          {ticket.dueAt ? <Descriptions.Item label={tt('trackDue')}>{formatDay(ticket.dueAt)}</Descriptions.Item> : null}
          {ticket.resolvedAt ? <Descriptions.Item label={tt('trackResolvedAt')}>{formatDay(ticket.resolvedAt)}</Descriptions.Item> : null}
          {ticket.closureType ? <Descriptions.Item label={tt('trackClosure')}>{l(closureTypeLabels[ticket.closureType])}</Descriptions.Item> : null}
        </Descriptions>
      </Card>

      <Card className="lx-track-card" title={tt('trackReply')} size="small">
        {ticket.reply ? (
          <div className="lx-track-reply" data-testid="track-reply">
            {ticket.reply}
          </div>
        ) : (
          <span className="lx-muted">{tt('trackNoReply')}</span>
        )}
      </Card>

      {justRated ? (
        <Alert
          type={justRated === 'ok' ? 'success' : 'warning'}
          showIcon
          message={tt(justRated === 'ok' ? 'trackRated' : 'trackAlreadyRated')}
          className="lx-track-card"
          data-testid="track-thanks"
        />
      ) : null}
      {ticket.rating ? (
        <Card className="lx-track-card" size="small" data-testid="track-rating">
          <div style={{ display: 'flex', alignItems: 'center', gap: 8, flexWrap: 'wrap' }}>
            <CheckCircleFilled style={{ color: '#389e0d', fontSize: 18 }} />
            <span>{tt('trackYourRating')}</span>
            <Tag color={ratingColor[ticket.rating]} style={{ fontSize: 14, padding: '2px 10px' }}>
              {l(ticketRatingLabels[ticket.rating])}
            </Tag>
          </div>
          {ticket.ratingComment ? <div className="lx-track-comment">{ticket.ratingComment}</div> : null}
        </Card>
      ) : null}

      {ticket.canRate ? (
        <RatingForm
          code={ticket.trackingCode}
          phone={lookup.phone}
          onRated={setJustRated}
          onDone={onReload}
        />
      ) : null}

      <Card className="lx-track-card" title={tt('trackTimeline')} size="small">
        <Timeline
          items={ticket.timeline.map((e) => ({
            children: (
              <span>
                <span className="lx-track-when">{formatDay(e.at)}</span> {actionLabel(e.action)}
              </span>
            ),
          }))}
        />
      </Card>

      <Button block size="large" onClick={onAnother} style={{ marginBottom: 8 }}>
        {tt('trackAgain')}
      </Button>
    </>
  );
}

function RatingForm({ code, phone, onRated, onDone }: { code: string; phone: string; onRated: (how: 'ok' | 'already') => void; onDone: () => Promise<void> }) {
  const { tt, l } = useTicketText();
  const [form] = Form.useForm<{ rating: TicketRating; comment?: string }>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (v: { rating: TicketRating; comment?: string }) => {
    setSaving(true);
    setError(null);
    try {
      await api.post(`/api/v1/public/tickets/${encodeURIComponent(code)}/rating`, { phone, rating: v.rating, comment: v.comment?.trim() || undefined }, { quiet: true, noRedirect: true });
      onRated('ok');
      await onDone();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        onRated('already');
        await onDone();
      } else if (e instanceof ApiError && e.status === 429) setError(tt('trackLocked'));
      else setError(e instanceof Error ? e.message : String(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Card className="lx-track-card lx-track-rate" title={tt('trackRateTitle')} size="small" data-testid="track-rate">
      <p className="lx-muted" style={{ marginTop: 0 }}>{tt('trackRateHint')}</p>
      {error ? <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} data-testid="track-rate-error" /> : null}
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false}>
        <Form.Item name="rating" label={tt('trackRating')} rules={[{ required: true, message: tt('trackRatingRequired') }]}>
          <Radio.Group optionType="button" buttonStyle="solid" size="large" className="lx-track-ratings" data-testid="track-rating-choice">
            {ticketRatings.map((r) => (
              <Radio.Button key={r} value={r}>
                {l(ticketRatingLabels[r])}
              </Radio.Button>
            ))}
          </Radio.Group>
        </Form.Item>
        <Form.Item name="comment" label={tt('trackComment')}>
          <Input.TextArea rows={3} maxLength={500} showCount placeholder={tt('trackCommentPlaceholder')} data-testid="track-comment" />
        </Form.Item>
        <Button type="primary" size="large" block htmlType="submit" loading={saving} data-testid="track-rate-submit">
          {tt('trackRateSubmit')}
        </Button>
      </Form>
    </Card>
  );
}

