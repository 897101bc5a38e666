import { CheckCircleFilled, LinkOutlined, MergeCellsOutlined, PhoneOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, Card, Checkbox, Col, Empty, Form, Input, Radio, Row, Spin, Tag } from 'antd';
import type { InputRef } from 'antd';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Link } from 'react-router-dom';
import type { CreateTicket, SimilarTicket, TicketDto } from '../../../contracts/ticket-api.ts';
import { ticketTypeLabels, ticketTypes, ticketUrgencies, ticketUrgencyLabels, type TicketType, type TicketUrgency } from '../../../contracts/tickets.ts';
import { api, ApiError } from '../api.ts';
import { useMe } from '../auth.tsx';
import { bodyFieldErrors } from '../components/recordCommon.tsx';
import { RegionTreeSelect } from '../components/RegionTreeSelect.tsx';
import { UnitSelect } from '../components/RemoteSelect.tsx';
import { Forbidden, PageTitle } from '../components/Status.tsx';
import { StateTag, TicketCategorySelect, useTicketWords, type TicketWord } from '../components/ticketCommon.tsx';
import { formatTime } from '../labels.ts';
import '../components/records.css';

// 热线受理: the operator types while the caller talks. Keyboard first: the phone field has the
// focus, Tab walks the fields in the order of the call, Alt+1…5 picks the type, Alt+7/8/9 the
// urgency, Ctrl+Enter submits. As soon as the phone, region, address or category are known, the
// requests of the last 30 days from the same requester, place or category are shown: the call may
// be merged into one of them instead of opening a second ticket. Choosing a handling unit makes
// intake and dispatch one step. The tracking code is then shown large, to read to the caller, and
// the form is ready for the next call.

type Values = {
  phone?: string;
  name?: string;
  anonymous?: boolean;
  type?: TicketType;
  urgency: TicketUrgency;
  categoryCode?: string;
  regionCode?: string;
  address?: string;
  title?: string;
  content?: string;
  unitId?: number | null;
  dispatchNote?: string;
};
const initial: Values = { urgency: 'normal', anonymous: false };

/** Server field → form field. */
const fieldOf: Record<string, keyof Values> = {
  'requester.phone': 'phone',
  'requester.name': 'name',
  'dispatch.unitId': 'unitId',
  'dispatch.note': 'dispatchNote',
  categoryCode: 'categoryCode',
  regionCode: 'regionCode',
  address: 'address',
  title: 'title',
  content: 'content',
  type: 'type',
  urgency: 'urgency',
};

const reasonWord: Record<SimilarTicket['reasons'][number], TicketWord> = { same_requester: 'sameRequester', same_place: 'samePlace', same_category: 'sameCategory' };
const reasonColor: Record<SimilarTicket['reasons'][number], string> = { same_requester: 'red', same_place: 'orange', same_category: 'blue' };
const phoneLike = (p: string | undefined) => !!p && /^[0-9-]{7,20}$/.test(p.trim()) && (p.match(/\d/g)?.length ?? 0) >= 7;

type Done = { ticket: TicketDto; mergedInto: { id: number; trackingCode: string } | null };

export default function HotlinePage() {
  const me = useMe();
  // Intake with dispatch is the operators' (and the office's) work.
  if (me.role !== 'hotline_operator' && me.role !== 'admin') return <Forbidden />;
  return <Intake />;
}

function Intake() {
  const { tt, lang } = useTicketWords();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const phoneRef = useRef<InputRef>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Done | null>(null);
  const [similar, setSimilar] = useState<SimilarTicket[] | null>(null);
  const [searching, setSearching] = useState(false);
  const [mergeInto, setMergeInto] = useState<{ id: number; trackingCode: string } | null>(null);

  const phone = Form.useWatch('phone', form);
  const regionCode = Form.useWatch('regionCode', form);
  const address = Form.useWatch('address', form);
  const categoryCode = Form.useWatch('categoryCode', form);
  const unitId = Form.useWatch('unitId', form);

  // Possible duplicates as soon as something to compare is known (debounced while typing).
  useEffect(() => {
    const q = {
      phone: phoneLike(phone) ? phone!.trim() : undefined,
      regionCode: regionCode || undefined,
      address: address && address.trim().length >= 2 ? address.trim() : undefined,
      categoryCode: categoryCode || undefined,
    };
    if (!q.phone && !q.regionCode && !q.address && !q.categoryCode) {
      setSimilar(null);
      return;
    }
    const ctrl = new AbortController();
    const timer = window.setTimeout(() => {
      setSearching(true);
      api
        .get<SimilarTicket[]>('/api/v1/tickets/similar', q, { signal: ctrl.signal, quiet: true })
        .then(setSimilar)
        .catch(() => undefined)
        .finally(() => setSearching(false));
    }, 350);
    return () => {
      ctrl.abort();
      window.clearTimeout(timer);
    };
  }, [phone, regionCode, address, categoryCode]);

  const reset = () => {
    form.resetFields();
    setMergeInto(null);
    setSimilar(null);
    window.setTimeout(() => phoneRef.current?.focus(), 0);
  };

  const submit = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const body: CreateTicket = {
      source: 'hotline',
      type: v.type!,
      urgency: v.urgency,
      categoryCode: v.categoryCode!,
      title: v.title!.trim(),
      content: v.content!.trim(),
      requester: { name: v.name?.trim() || null, phone: v.phone?.trim() || null, anonymous: !!v.anonymous },
      regionCode: v.regionCode!,
      address: v.address?.trim() ?? '',
      dispatch: v.unitId && !mergeInto ? { unitId: v.unitId, note: v.dispatchNote?.trim() || undefined } : undefined,
    };
    setBusy(true);
    try {
      let ticket = await api.post<TicketDto>('/api/v1/tickets', body, { quiet: true });
      if (mergeInto) ticket = await api.post<TicketDto>(`/api/v1/tickets/${ticket.id}/actions`, { action: 'merge', intoTicketId: mergeInto.id, version: ticket.version });
      setDone({ ticket, mergedInto: mergeInto });
      reset();
    } catch (e) {
      if (!(e instanceof ApiError) || e.status === 401) return;
      const fields = bodyFieldErrors(e)
        .map((f) => ({ name: fieldOf[f.field], errors: [f.message] }))
        .filter((f): f is { name: keyof Values; errors: string[] } => !!f.name);
      if (fields.length) form.setFields(fields);
      else void message.error(e.message);
    } finally {
      setBusy(false);
    }
  };

  // Alt+1…5: type; Alt+7/8/9: urgency; Ctrl+Enter: submit (from any field).
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
      e.preventDefault();
      void submit();
      return;
    }
    if (!e.altKey) return;
    const d = /^Digit(\d)$/.exec(e.code)?.[1];
    if (!d) return;
    const n = Number(d);
    if (n >= 1 && n <= ticketTypes.length) {
      e.preventDefault();
      form.setFieldValue('type', ticketTypes[n - 1]);
      form.setFields([{ name: 'type', errors: [] }]);
    } else if (n >= 7 && n <= 9) {
      e.preventDefault();
      form.setFieldValue('urgency', ticketUrgencies[n - 7]);
    }
  };

  const req = (what: TicketWord) => [{ required: true, whitespace: true, message: tt('fieldRequired', { what: tt(what) }) }];
  const submitLabel = mergeInto ? tt('submitMerge', { code: mergeInto.trackingCode }) : unitId ? tt('submitDispatch') : tt('submitRegister');

  return (
    <div onKeyDown={onKeyDown}>
      <PageTitle title={<span><PhoneOutlined /> {tt('hotlineTitle')}</span>} />
      <Alert type="info" showIcon title={tt('hotlineHint')} style={{ marginBottom: 12 }} />
      <Row gutter={16}>
        <Col xs={24} xl={14}>
          <Card size="small">
            <Form<Values> form={form} layout="vertical" initialValues={initial} requiredMark data-testid="hotline-form" onFinish={() => void submit()}>
              <Row gutter={12}>
                <Col span={10}>
                  <Form.Item name="phone" label={tt('callerPhone')} rules={[{ pattern: /^[0-9-]{7,20}$/, message: lang === 'zh' ? '电话应为7–15位数字，可含连字符' : '7–15 digits, dashes allowed' }]}>
                    <Input ref={phoneRef} autoFocus inputMode="tel" maxLength={20} className="lx-phone" data-testid="hotline-phone" />
                  </Form.Item>
                </Col>
                <Col span={9}>
                  <Form.Item name="name" label={tt('callerName')}>
                    <Input maxLength={50} data-testid="hotline-name" />
                  </Form.Item>
                </Col>
                <Col span={5}>
                  <Form.Item name="anonymous" label=" " valuePropName="checked">
                    <Checkbox>{tt('anonymous')}</Checkbox>
                  </Form.Item>
                </Col>
              </Row>
              <Form.Item name="type" label={`${tt('type')}（Alt+1…5）`} rules={[{ required: true, message: tt('fieldRequired', { what: tt('type') }) }]}>
                <Radio.Group
                  optionType="button"
                  buttonStyle="solid"
                  data-testid="hotline-type"
                  options={ticketTypes.map((x, i) => ({ value: x, label: `${i + 1} ${ticketTypeLabels[x][lang]}` }))}
                />
              </Form.Item>
              <Form.Item name="urgency" label={`${tt('urgency')}（Alt+7/8/9）`}>
                <Radio.Group
                  optionType="button"
                  buttonStyle="solid"
                  data-testid="hotline-urgency"
                  options={ticketUrgencies.map((x, i) => ({ value: x, label: `${i + 7} ${ticketUrgencyLabels[x][lang]}` }))}
                />
              </Form.Item>
              <Row gutter={12}>
                <Col span={12}>
                  <Form.Item name="categoryCode" label={tt('category')} rules={[{ required: true, message: tt('fieldRequired', { what: tt('category') }) }]}>
                    <TicketCategorySelect id="hotline-category" placeholder={tt('categoryPlaceholder')} />
                  </Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name="regionCode" label={tt('region')} rules={[{ required: true, message: tt('fieldRequired', { what: tt('region') }) }]}>
                    <RegionTreeSelect id="hotline-region" />
                  </Form.Item>
                </Col>
              </Row>
              <Form.Item name="address" label={tt('address')}>
                <Input maxLength={200} placeholder={tt('addressPlaceholder')} data-testid="hotline-address" />
              </Form.Item>
              <Form.Item name="title" label={tt('title')} rules={req('title')}>
                <Input maxLength={100} showCount placeholder={tt('titlePlaceholder')} data-testid="hotline-title" />
              </Form.Item>
              <Form.Item name="content" label={tt('content')} rules={req('content')}>
                <Input.TextArea rows={5} maxLength={4000} showCount placeholder={tt('contentPlaceholder')} data-testid="hotline-content" />
              </Form.Item>
              <Row gutter={12}>
                <Col span={12}>
                  <Form.Item name="unitId" label={tt('dispatchTo')} extra={mergeInto ? undefined : tt('dispatchLater')}>
                    <UnitSelect id="hotline-unit" disabled={!!mergeInto} />
                  </Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name="dispatchNote" label={tt('dispatchNote')}>
                    <Input maxLength={500} disabled={!unitId || !!mergeInto} data-testid="hotline-dispatch-note" />
                  </Form.Item>
                </Col>
              </Row>
              {mergeInto ? (
                <Alert
                  type="warning"
                  showIcon
                  title={tt('mergingInto', { code: mergeInto.trackingCode })}
                  action={<Button size="small" onClick={() => setMergeInto(null)}>{tt('mergeCancel')}</Button>}
                  style={{ marginBottom: 12 }}
                  data-testid="hotline-merging"
                />
              ) : null}
              <Button type="primary" htmlType="submit" loading={busy} size="large" data-testid="hotline-submit">
                {submitLabel}（Ctrl+Enter）
              </Button>
            </Form>
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          {done ? <DoneCard done={done} onNext={() => { setDone(null); reset(); }} /> : null}
          <Card
            size="small"
            title={
              <span>
                {tt('similarTitle')} {searching ? <Spin size="small" /> : similar ? <Tag color={similar.length ? 'orange' : 'default'}>{similar.length}</Tag> : null}
              </span>
            }
            data-testid="hotline-similar"
          >
            {similar === null ? (
              <span className="lx-muted">{tt('similarHint')}</span>
            ) : similar.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={tt('similarNone')} />
            ) : (
              similar.map((s) => (
                <div key={s.id} data-testid={`similar-${s.id}`} style={{ padding: '8px 0', borderBottom: '1px solid #f0f0f0', background: mergeInto?.id === s.id ? '#fffbe6' : undefined }}>
                  <div style={{ display: 'flex', gap: 6, alignItems: 'baseline' }}>
                    <span className="lx-phone">{s.trackingCode}</span>
                    <StateTag state={s.state} lang={lang} />
                    <span style={{ flex: 1 }} />
                    {s.reasons.map((r) => (
                      <Tag key={r} color={reasonColor[r]} style={{ marginInlineEnd: 0 }}>
                        {tt(reasonWord[r])}
                      </Tag>
                    ))}
                  </div>
                  <div style={{ fontWeight: 500 }}>{s.title}</div>
                  <div className="lx-muted" style={{ fontSize: 12 }}>
                    {[formatTime(s.createdAt), s.categoryName, [s.regionName, s.address].filter(Boolean).join(' '), s.handlingUnitName].filter(Boolean).join(' · ')}
                  </div>
                  <div style={{ marginTop: 4, display: 'flex', gap: 8 }}>
                    <Button
                      size="small"
                      icon={<MergeCellsOutlined />}
                      type={mergeInto?.id === s.id ? 'primary' : 'default'}
                      disabled={s.state === 'closed' || s.state === 'resolved'}
                      onClick={() => {
                        setMergeInto(mergeInto?.id === s.id ? null : { id: s.id, trackingCode: s.trackingCode });
                        form.setFieldValue('unitId', null);
                      }}
                      data-testid={`similar-merge-${s.id}`}
                    >
                      {mergeInto?.id === s.id ? tt('mergeCancel') : tt('mergeHere')}
                    </Button>
                    <Link to={`/tickets/${s.id}`} target="_blank">
                      <LinkOutlined /> {tt('open')}
                    </Link>
                  </div>
                </div>
              ))
            )}
          </Card>
        </Col>
      </Row>
    </div>
  );
}

/** The ticket just registered: its tracking code large, to read to the caller. */
function DoneCard({ done, onNext }: { done: Done; onNext: () => void }) {
  const { tt, lang } = useTicketWords();
  const k = done.ticket;
  return (
    <Card size="small" style={{ marginBottom: 16, borderColor: '#95de64', background: '#f6ffed' }} data-testid="hotline-done">
      <div style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
        <CheckCircleFilled style={{ color: '#389e0d', fontSize: 20 }} />
        <strong>{tt('registered')}</strong>
        <StateTag state={k.state} lang={lang} />
      </div>
      <div className="lx-muted" style={{ marginTop: 6 }}>{tt('readTrackingCode')}</div>
      <div className="lx-phone" data-testid="hotline-tracking-code" style={{ fontSize: 40, fontWeight: 700, letterSpacing: 3, color: '#b7202e', lineHeight: 1.3 }}>
        {done.mergedInto ? done.mergedInto.trackingCode : k.trackingCode}
      </div>
      {done.mergedInto ? (
        <div>{tt('mergedNote', { code: done.mergedInto.trackingCode })}（{k.trackingCode}）</div>
      ) : k.handlingUnitName ? (
        <div data-testid="hotline-dispatched">{tt('dispatchedTo', { unit: k.handlingUnitName, due: formatTime(k.dueAt) })}</div>
      ) : null}
      <div style={{ marginTop: 8, display: 'flex', gap: 8 }}>
        <Link to={`/tickets/${k.id}`} data-testid="hotline-open-ticket">{tt('openTicket')}</Link>
        <Button size="small" onClick={onNext}>{tt('nextCall')}</Button>
      </div>
    </Card>
  );
}
