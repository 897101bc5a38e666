import { CheckCircleFilled } from '@ant-design/icons';
import { Alert, Button, Col, Form, Input, Modal, Radio, Row, Select } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { ActivityDto } from '../../../contracts/activities.ts';
import type { CreateTicket, TicketDto } from '../../../contracts/ticket-api.ts';
import {
  closureTypeLabels,
  closureTypes,
  ticketActionLabels,
  ticketActionRoles,
  ticketTypeLabels,
  ticketTypes,
  ticketUrgencies,
  ticketUrgencyLabels,
  type ClosureType,
  type TicketType,
  type TicketUrgency,
} from '../../../contracts/tickets.ts';
import { api, ApiError } from '../api.ts';
import { useMe } from '../auth.tsx';
import { useI18n } from '../i18n.ts';
import { formatTime, targetKindLabel } from '../labels.ts';
import { bodyFieldErrors } from './recordCommon.tsx';
import { UnitSelect } from './RemoteSelect.tsx';
import { StateTag, TicketCategorySelect, useTicketWords, type TicketWord } from './ticketCommon.tsx';

// 发现问题 → 工单: a problem recorded on a visit becomes a ticket linked to the visit and to the
// problem, registered only, dispatched to a unit at once, or fixed on the spot (即知即改) by a cadre
// who took part in the visit. The region is the visit's; the requester one of its targets.

type Mode = 'register' | 'dispatch' | 'fix';
type Values = {
  title: string;
  content: string;
  type: TicketType;
  categoryCode?: string | null;
  urgency: TicketUrgency;
  /** 0: no contact target. */
  targetId: number;
  mode: Mode;
  unitId?: number | null;
  dispatchNote?: string;
  closureType: ClosureType;
  reply?: string;
};

/** Server field → form field (the rest are shown above the form). */
const fieldOf: Record<string, keyof Values> = {
  title: 'title',
  content: 'content',
  type: 'type',
  categoryCode: 'categoryCode',
  urgency: 'urgency',
  'requester.targetId': 'targetId',
  'dispatch.unitId': 'unitId',
  'dispatch.note': 'dispatchNote',
  fixOnSpot: 'mode',
  'fixOnSpot.closureType': 'closureType',
  'fixOnSpot.reply': 'reply',
};

/** The kinds a person asking for something stands for; other targets (a village, a project) rarely do. */
const requesterKinds = new Set(['household', 'enterprise']);

export function ProblemTicketModal({
  activity,
  problem,
  onClose,
  onCreated,
}: {
  activity: ActivityDto;
  problem: { id: number; description: string };
  onClose: () => void;
  /** The ticket was registered (the caller reloads the visit: the problem is now linked). */
  onCreated: (ticket: TicketDto) => void;
}) {
  const me = useMe();
  const { t, lang } = useI18n();
  const { tt } = useTicketWords();
  const [form] = Form.useForm<Values>();
  const mode = Form.useWatch('mode', form);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<TicketDto | null>(null);

  const mayDispatch = ticketActionRoles.dispatch.includes(me.role);
  // Only a cadre who took part in the visit fixes its problem on the spot (the server checks too).
  const mayFix = me.cadreId !== null && ticketActionRoles.fix_on_spot.includes(me.role) && activity.participants.some((p) => p.cadreId === me.cadreId);
  const firstRequester = activity.targets.find((x) => requesterKinds.has(x.kind));
  const initial: Values = {
    title: Array.from(problem.description.trim()).slice(0, 30).join(''),
    content: problem.description,
    type: 'help',
    urgency: 'normal',
    targetId: firstRequester?.id ?? 0,
    mode: 'register',
    closureType: 'substantive',
  };

  const submit = async (v: Values) => {
    const body: CreateTicket = {
      source: 'visit',
      type: v.type,
      urgency: v.urgency,
      categoryCode: v.categoryCode ?? '',
      title: v.title.trim(),
      content: v.content.trim(),
      requester: { targetId: v.targetId || null, anonymous: false },
      regionCode: activity.regionCode,
      activityId: activity.id,
      problemId: problem.id,
      dispatch: v.mode === 'dispatch' && v.unitId ? { unitId: v.unitId, note: v.dispatchNote?.trim() || undefined } : undefined,
      fixOnSpot: v.mode === 'fix' ? { closureType: v.closureType, reply: (v.reply ?? '').trim() } : undefined,
    };
    setBusy(true);
    setError(null);
    try {
      const ticket = await api.post<TicketDto>('/api/v1/tickets', body, { quiet: true });
      setDone(ticket);
      onCreated(ticket);
    } catch (e) {
      if (!(e instanceof ApiError)) {
        setError(e instanceof Error ? e.message : String(e));
        return;
      }
      if (e.status === 401) return;
      const fields = bodyFieldErrors(e)
        .map((f) => ({ name: fieldOf[f.field], errors: [f.message] }))
        .filter((f): f is { name: keyof Values; errors: string[] } => !!f.name);
      if (fields.length) form.setFields(fields);
      // A problem already linked (409), a visit out of reach, a refused fix: not one field's fault.
      else setError(e.message);
    } finally {
      setBusy(false);
    }
  };

  const req = (what: TicketWord) => [{ required: true, whitespace: true, message: tt('fieldRequired', { what: tt(what) }) }];

  if (done) {
    return (
      <Modal open title={t('problemTicketTitle')} onCancel={onClose} footer={<Button type="primary" onClick={onClose}>{t('close')}</Button>} destroyOnHidden data-testid="problem-ticket-modal">
        <div data-testid="problem-ticket-done" style={{ padding: '8px 0' }}>
          <div style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
            <CheckCircleFilled style={{ color: '#389e0d', fontSize: 20 }} />
            <strong>{t('problemTicketDone')}</strong>
            <StateTag state={done.state} lang={lang} />
          </div>
          <div className="lx-muted" style={{ marginTop: 8 }}>{tt('trackingCode')}</div>
          <div className="lx-phone" data-testid="problem-ticket-code" style={{ fontSize: 32, fontWeight: 700, letterSpacing: 3, color: '#b7202e', lineHeight: 1.3 }}>
            {done.trackingCode}
          </div>
          {done.state === 'resolved' ? (
            <div>{t('problemTicketFixed')}</div>
          ) : done.handlingUnitName ? (
            <div data-testid="problem-ticket-dispatched">{tt('dispatchedTo', { unit: done.handlingUnitName, due: formatTime(done.dueAt) })}</div>
          ) : null}
          <div style={{ marginTop: 8 }}>
            <Link to={`/tickets/${done.id}`} data-testid="problem-ticket-open">
              {tt('openTicket')}
            </Link>
          </div>
        </div>
      </Modal>
    );
  }

  const submitLabel = mode === 'dispatch' ? tt('submitDispatch') : mode === 'fix' ? ticketActionLabels.fix_on_spot[lang] : tt('submitRegister');
  return (
    <Modal
      open
      title={t('problemTicketTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={submitLabel}
      okButtonProps={{ 'data-testid': 'problem-ticket-submit' }}
      cancelText={t('cancel')}
      confirmLoading={busy}
      destroyOnHidden
      width={760}
      maskClosable={false}
      data-testid="problem-ticket-modal"
    >
      <div className="lx-muted" style={{ marginBottom: 4 }}>{t('problemTicketProblem')}</div>
      <div className="lx-prose" style={{ marginBottom: 12, padding: '6px 10px', background: '#fafafa', borderRadius: 4 }}>
        {problem.description}
      </div>
      {error ? <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="problem-ticket-error" /> : null}
      <Form<Values> form={form} layout="vertical" initialValues={initial} requiredMark onFinish={(v) => void submit(v)} data-testid="problem-ticket-form">
        <Form.Item name="title" label={tt('title')} rules={req('title')}>
          <Input maxLength={100} showCount data-testid="problem-ticket-title" />
        </Form.Item>
        <Form.Item name="content" label={tt('content')} rules={req('content')}>
          <Input.TextArea rows={3} maxLength={4000} showCount data-testid="problem-ticket-content" />
        </Form.Item>
        <Form.Item name="type" label={tt('type')} rules={[{ required: true, message: tt('fieldRequired', { what: tt('type') }) }]}>
          <Radio.Group optionType="button" buttonStyle="solid" options={ticketTypes.map((x) => ({ value: x, label: ticketTypeLabels[x][lang] }))} data-testid="problem-ticket-type" />
        </Form.Item>
        <Row gutter={12}>
          <Col xs={24} md={12}>
            <Form.Item name="categoryCode" label={tt('category')} rules={[{ required: true, message: tt('fieldRequired', { what: tt('category') }) }]}>
              <TicketCategorySelect id="problem-ticket-category" placeholder={tt('categoryPlaceholder')} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="urgency" label={tt('urgency')}>
              <Radio.Group optionType="button" buttonStyle="solid" options={ticketUrgencies.map((x) => ({ value: x, label: ticketUrgencyLabels[x][lang] }))} />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={12}>
          <Col xs={24} md={12}>
            <Form.Item name="targetId" label={tt('requester')}>
              <Select
                id="problem-ticket-requester"
                options={[
                  { value: 0, label: t('problemTicketNoRequester') },
                  ...activity.targets.map((x) => ({ value: x.id, label: `${x.name}（${targetKindLabel(x.kind, lang)}）` })),
                ]}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item label={tt('region')} extra={t('problemTicketRegionHint')}>
              <Input value={activity.regionName} disabled data-testid="problem-ticket-region" />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="mode" label={t('problemTicketHandling')}>
          <Radio.Group
            optionType="button"
            data-testid="problem-ticket-mode"
            options={[
              { value: 'register', label: t('problemTicketRegisterOnly') },
              ...(mayDispatch ? [{ value: 'dispatch', label: t('problemTicketDispatch') }] : []),
              ...(mayFix ? [{ value: 'fix', label: t('problemTicketFixOnSpot') }] : []),
            ]}
          />
        </Form.Item>
        {mode === 'dispatch' ? (
          <Row gutter={12}>
            <Col xs={24} md={12}>
              <Form.Item name="unitId" label={tt('dispatchTo')} rules={[{ required: true, message: tt('fieldRequired', { what: tt('dispatchTo') }) }]}>
                <UnitSelect id="problem-ticket-unit" />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="dispatchNote" label={tt('dispatchNote')}>
                <Input maxLength={500} data-testid="problem-ticket-dispatch-note" />
              </Form.Item>
            </Col>
          </Row>
        ) : null}
        {mode === 'fix' ? (
          <>
            <Alert type="info" showIcon title={t('problemTicketFixHint')} style={{ marginBottom: 12 }} />
            <Form.Item name="closureType" label={tt('closureType')} rules={[{ required: true }]}>
              <Radio.Group optionType="button" options={closureTypes.map((c) => ({ value: c, label: closureTypeLabels[c][lang] }))} />
            </Form.Item>
            <Form.Item name="reply" label={tt('replyText')} rules={req('replyText')}>
              <Input.TextArea rows={3} maxLength={2000} showCount placeholder={tt('replyPlaceholder')} data-testid="problem-ticket-reply" />
            </Form.Item>
          </>
        ) : null}
      </Form>
    </Modal>
  );
}
