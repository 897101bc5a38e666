import { App as AntApp, Button, Form, Input, InputNumber, Modal, Radio, Select, Space } from 'antd';
import { useMemo, useState } from 'react';
import type { PhotoRef } from '../../../contracts/photos.ts';
import type { TicketDto, TicketSummary } from '../../../contracts/ticket-api.ts';
import {
  closureTypeLabels,
  closureTypes,
  superviseLevelLabels,
  superviseLevels,
  ticketActionLabels,
  ticketRatingLabels,
  ticketRatings,
  type TicketAction,
} from '../../../contracts/tickets.ts';
import { api, ApiError, type Page } from '../api.ts';
import { formatTime } from '../labels.ts';
import { PhotoUploader } from './PhotoStrip.tsx';
import { bodyFieldErrors } from './recordCommon.tsx';
import { RemoteSelect, UnitSelect, type Option } from './RemoteSelect.tsx';
import { useTicketWords } from './ticketCommon.tsx';

// The actions a ticket offers the caller now (`allowedActions`, decided by the server's machine),
// each with its own small form. The version the caller saw goes with the action, so a ticket
// someone else changed meanwhile is refused (409) rather than overwritten; the refusal's message
// (which lists what may be done now) is shown and the ticket reloads.

/** The order buttons appear in: the main path first. */
const order: TicketAction[] = [
  'sign', 'start', 'resolve', 'dispatch', 'fix_on_spot', 'reply_supervision', 'request_extension', 'approve_extension', 'refuse_extension',
  'rate', 'close', 'transfer', 'add_assisting_unit', 'return', 'supervise', 'merge',
];
const primary = new Set<TicketAction>(['sign', 'start', 'resolve', 'dispatch', 'fix_on_spot', 'reply_supervision', 'approve_extension', 'rate']);
const danger = new Set<TicketAction>(['return', 'refuse_extension']);

const formFields = new Set(['unitId', 'note', 'reason', 'reply', 'closureType', 'workingDays', 'rating', 'comment', 'level', 'intoTicketId', 'supervisionId']);
type FormValues = {
  unitId?: number;
  note?: string;
  reason?: string;
  reply?: string;
  closureType?: string;
  workingDays?: number;
  rating?: string;
  comment?: string;
  level?: string;
  intoTicketId?: number;
  supervisionId?: number;
};

/** The one ticket an action is about: the full ticket on its page, a row of a list inline. */
export type ActionTarget = Pick<TicketSummary, 'id' | 'trackingCode' | 'title'> & { version?: number; supervisions?: TicketDto['supervisions'] };

/** The form of one action in a modal; resolves with the changed ticket, or reports a refusal. */
export function TicketActionModal({
  ticket,
  action,
  onClose,
  onDone,
  onRefused,
}: {
  ticket: ActionTarget;
  action: TicketAction;
  onClose: () => void;
  onDone: (t: TicketDto) => void;
  /** Refused as a whole (409 state or version, 403, 404): the message to show; the caller reloads. */
  onRefused: (message: string) => void;
}) {
  const { tt, lang } = useTicketWords();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<FormValues>();
  const [busy, setBusy] = useState(false);
  const [photos, setPhotos] = useState<PhotoRef[]>([]);
  const label = ticketActionLabels[action][lang];
  const req = (what: string) => [{ required: true, whitespace: true, message: tt('fieldRequired', { what }) }];

  const unreplied = (ticket.supervisions ?? []).filter((s) => !s.repliedAt);

  const submit = async () => {
    const v = await form.validateFields();
    const body: Record<string, unknown> = { action, ...v };
    for (const k of Object.keys(body)) if (body[k] === undefined || body[k] === '') delete body[k];
    if (action === 'resolve' || action === 'fix_on_spot') body.attachmentIds = photos.map((p) => p.id);
    if (ticket.version !== undefined) body.version = ticket.version;
    setBusy(true);
    try {
      const t = await api.post<TicketDto>(`/api/v1/tickets/${ticket.id}/actions`, body, { quiet: true });
      void message.success(tt('actionDone', { what: label }));
      onDone(t);
    } catch (e) {
      if (!(e instanceof ApiError) || e.status === 401) return;
      const fields = bodyFieldErrors(e).filter((f) => formFields.has(f.field));
      if (e.status === 400 && fields.length) {
        form.setFields(fields.map((f) => ({ name: f.field as keyof FormValues, errors: [f.message] })));
      } else {
        onRefused(e.message);
      }
    } finally {
      setBusy(false);
    }
  };

  const fields = (() => {
    const note = (what = tt('note')) => (
      <Form.Item name="note" label={what}>
        <Input.TextArea rows={3} maxLength={1000} showCount data-testid="action-note" />
      </Form.Item>
    );
    const reason = (
      <Form.Item name="reason" label={tt('reason')} rules={req(tt('reason'))}>
        <Input.TextArea rows={3} maxLength={1000} showCount data-testid="action-reason" />
      </Form.Item>
    );
    const unit = (what: string) => (
      <Form.Item name="unitId" label={what} rules={[{ required: true, message: tt('fieldRequired', { what }) }]}>
        <UnitSelect id="action-unit" style={{ width: '100%' }} />
      </Form.Item>
    );
    switch (action) {
      case 'dispatch':
        return (
          <>
            {unit(tt('targetUnit'))}
            {note(tt('dispatchNote'))}
          </>
        );
      case 'sign':
      case 'start':
      case 'approve_extension':
        return note();
      case 'resolve':
      case 'fix_on_spot':
        return (
          <>
            <Form.Item name="closureType" label={tt('closureType')} initialValue="substantive" rules={[{ required: true }]}>
              <Radio.Group optionType="button" options={closureTypes.map((c) => ({ value: c, label: closureTypeLabels[c][lang] }))} />
            </Form.Item>
            <Form.Item name="reply" label={tt('replyText')} rules={req(tt('replyText'))}>
              <Input.TextArea rows={5} maxLength={2000} showCount placeholder={tt('replyPlaceholder')} data-testid="action-reply" />
            </Form.Item>
            <Form.Item label={tt('attachments')}>
              <PhotoUploader value={photos} onChange={setPhotos} max={20} />
            </Form.Item>
          </>
        );
      case 'return':
      case 'refuse_extension':
      case 'close':
        return reason;
      case 'transfer':
        return (
          <>
            {unit(tt('targetUnit'))}
            {reason}
          </>
        );
      case 'add_assisting_unit':
        return (
          <>
            {unit(tt('assistingUnit'))}
            {note()}
          </>
        );
      case 'request_extension':
        return (
          <>
            <Form.Item name="workingDays" label={tt('workingDays')} rules={[{ required: true, message: tt('fieldRequired', { what: tt('workingDays') }) }]}>
              <InputNumber min={1} max={365} precision={0} style={{ width: 160 }} data-testid="action-days" />
            </Form.Item>
            {reason}
          </>
        );
      case 'rate':
        return (
          <>
            <Form.Item name="rating" label={tt('rating')} rules={[{ required: true, message: tt('fieldRequired', { what: tt('rating') }) }]}>
              <Radio.Group optionType="button" options={ticketRatings.map((r) => ({ value: r, label: ticketRatingLabels[r][lang] }))} />
            </Form.Item>
            <Form.Item name="comment" label={tt('ratingComment')}>
              <Input.TextArea rows={3} maxLength={500} showCount />
            </Form.Item>
          </>
        );
      case 'merge':
        return (
          <>
            <Form.Item name="intoTicketId" label={tt('intoTicket')} rules={[{ required: true, message: tt('fieldRequired', { what: tt('intoTicket') }) }]}>
              <TicketSelect exclude={ticket.id} />
            </Form.Item>
            {note()}
          </>
        );
      case 'supervise':
        return (
          <>
            <Form.Item name="level" label={tt('level')} initialValue="yellow" rules={[{ required: true }]}>
              <Radio.Group optionType="button" options={superviseLevels.map((l) => ({ value: l, label: superviseLevelLabels[l][lang] }))} />
            </Form.Item>
            <Form.Item name="note" label={tt('superviseNote')} rules={req(tt('superviseNote'))}>
              <Input.TextArea rows={3} maxLength={1000} showCount data-testid="action-note" />
            </Form.Item>
          </>
        );
      case 'reply_supervision':
        return (
          <>
            {unreplied.length > 1 ? (
              <Form.Item name="supervisionId" label={tt('whichSupervision')} initialValue={unreplied[0]!.id}>
                <Select
                  options={unreplied.map((s) => ({
                    value: s.id,
                    label: `${superviseLevelLabels[s.level][lang]} · ${formatTime(s.issuedAt)} · ${s.note.slice(0, 30)}`,
                  }))}
                />
              </Form.Item>
            ) : null}
            <Form.Item name="note" label={tt('supervisionReplyText')} rules={req(tt('supervisionReplyText'))}>
              <Input.TextArea rows={4} maxLength={1000} showCount data-testid="action-note" />
            </Form.Item>
          </>
        );
    }
  })();

  return (
    <Modal
      open
      title={`${label} · ${ticket.trackingCode}`}
      onCancel={onClose}
      onOk={() => void submit().catch(() => undefined)}
      okText={label}
      cancelText={lang === 'zh' ? '取消' : 'Cancel'}
      confirmLoading={busy}
      okButtonProps={{ danger: danger.has(action), 'data-testid': 'action-ok' }}
      destroyOnHidden
      width={action === 'resolve' || action === 'fix_on_spot' ? 640 : 520}
    >
      <div className="lx-muted" style={{ marginBottom: 12 }}>
        {ticket.title}
      </div>
      <Form form={form} layout="vertical" requiredMark={false} data-testid={`action-form-${action}`}>
        {fields}
      </Form>
    </Modal>
  );
}

/** Another ticket, found by its tracking code or title (merging a duplicate). */
function TicketSelect({ value, onChange, exclude }: { value?: number; onChange?: (v: number | null) => void; exclude: number }) {
  const { tt } = useTicketWords();
  const option = (t: TicketSummary): Option<number> => ({ value: t.id, label: `${t.trackingCode} ${t.title}`, title: t.title });
  const search = useMemo(
    () => async (q: string, signal: AbortSignal) =>
      (await api.get<Page<TicketSummary>>('/api/v1/tickets', { q: q || undefined, state: 'open', pageSize: 20 }, { signal, quiet: true })).items
        .filter((t) => t.id !== exclude)
        .map(option),
    [exclude],
  );
  return <RemoteSelect<number> value={value} onChange={onChange} search={search} placeholder={tt('searchTicket')} style={{ width: '100%' }} />;
}

/** The buttons for what the caller may do now, each opening its form. */
export function TicketActions({ ticket, onChanged, onRefused }: { ticket: TicketDto; onChanged: (t: TicketDto) => void; onRefused: (message: string) => void }) {
  const { tt, lang } = useTicketWords();
  const [open, setOpen] = useState<TicketAction | null>(null);
  const actions = order.filter((a) => ticket.allowedActions.includes(a));
  if (!actions.length) return <span className="lx-muted" data-testid="ticket-no-actions">{tt('noActions')}</span>;
  return (
    <>
      <Space wrap data-testid="ticket-actions">
        {actions.map((a) => (
          <Button key={a} type={primary.has(a) ? 'primary' : 'default'} danger={danger.has(a)} onClick={() => setOpen(a)} data-testid={`action-${a}`}>
            {ticketActionLabels[a][lang]}
          </Button>
        ))}
      </Space>
      {open ? (
        <TicketActionModal
          ticket={ticket}
          action={open}
          onClose={() => setOpen(null)}
          onDone={(t) => {
            setOpen(null);
            onChanged(t);
          }}
          onRefused={(m) => {
            setOpen(null);
            onRefused(m);
          }}
        />
      ) : null}
    </>
  );
}
