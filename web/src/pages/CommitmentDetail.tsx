import { CheckOutlined, EditOutlined, ExportOutlined, PlusOutlined, SendOutlined, TrophyOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, Card, Col, DatePicker, Descriptions, Empty, Form, Image, Input, InputNumber, Modal, Progress, Radio, Row, Select, Space, Spin, Table, Tag, Timeline, Upload } from 'antd';
import type { TableColumnsType } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import type { CommitmentDto, MilestoneDto, MilestoneInput, SetProgress, UpdateCommitment, UpdateMilestone } from '../../../contracts/commitments.ts';
import type { PhotoDto } from '../../../contracts/photos.ts';
import { api, ApiError, request } from '../api.ts';
import { can, useMe } from '../auth.tsx';
import { adjustedFieldKey, useCommitmentText } from '../components/commitmentText.ts';
import { bodyFieldErrors, formatDay } from '../components/recordCommon.tsx';
import { NotFound } from '../components/Status.tsx';
import { StatusTags } from './PublicCommitments.tsx';

// One commitment for staff: its text, progress and milestones, with the editor — publish, edit a
// draft or adjust a published one (with the reason), add a milestone or mark one done with its
// evidence and photos, set progress by hand or go back to the milestones, honour it.

const day = (d: Dayjs | null | undefined) => (d ? d.format('YYYY-MM-DD') : undefined);

export default function CommitmentDetailPage() {
  const { id } = useParams<{ id: string }>();
  const me = useMe();
  const { ct } = useCommitmentText();
  const { modal, message } = AntApp.useApp();
  const [c, setC] = useState<CommitmentDto | null>(null);
  const [missing, setMissing] = useState(false);
  const [dialog, setDialog] = useState<null | 'edit' | 'progress' | 'honour' | 'milestone' | { milestone: MilestoneDto }>(null);
  const load = useCallback(async () => {
    try {
      setC(await api.get<CommitmentDto>(`/api/v1/commitments/${id}`, undefined, { quiet: true }));
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 400)) setMissing(true);
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);
  if (missing) return <NotFound />;
  if (!c) return <Spin style={{ display: 'block', marginTop: 60 }} />;
  const writable = can(me, 'commitment.write') && c.status !== 'honoured';

  const publish = () =>
    modal.confirm({
      title: ct('publish'), content: ct('publishConfirm'), okText: ct('publish'), cancelText: ct('cancel'),
      onOk: async () => {
        setC(await api.post<CommitmentDto>(`/api/v1/commitments/${c.id}/publish`, {}));
        message.success(ct('published'));
      },
    });

  const columns: TableColumnsType<MilestoneDto> = [
    { title: '#', dataIndex: 'seq', width: 44 },
    { title: ct('milestoneTitle'), dataIndex: 'title', render: (v: string, m) => <span>{v} {m.late ? <Tag color="error">{ct('late')}</Tag> : null}</span> },
    { title: ct('plannedOn'), dataIndex: 'plannedOn', width: 110 },
    { title: ct('doneOn'), dataIndex: 'doneOn', width: 120, render: (v: string | null) => (v ? <Tag color="success">{v}</Tag> : <Tag>{ct('notDone')}</Tag>) },
    { title: ct('evidence'), dataIndex: 'evidence', ellipsis: true },
    {
      title: ct('photos'), key: 'photos', width: 150,
      render: (_, m) => (
        <Image.PreviewGroup>
          <Space size={4} wrap>{m.photos.map((p) => <Image key={p.id} width={40} height={30} style={{ objectFit: 'cover' }} src={p.thumbUrl ?? p.url} preview={{ src: p.url }} />)}</Space>
        </Image.PreviewGroup>
      ),
    },
    { title: ct('links'), key: 'links', width: 160, render: (_, m) => m.links.map((k) => <Tag key={`${k.kind}${k.id}`} color="blue">{ct(k.kind)} {k.label}</Tag>) },
    {
      title: '', key: 'op', width: 110,
      render: (_, m) => (writable ? (
        <Button size="small" type={m.doneOn ? 'default' : 'primary'} ghost={!m.doneOn} icon={m.doneOn ? <EditOutlined /> : <CheckOutlined />} onClick={() => setDialog({ milestone: m })} data-testid="milestone-edit">
          {m.doneOn ? ct('editMilestone') : ct('markDone')}
        </Button>
      ) : null),
    },
  ];

  return (
    <div>
      <Space style={{ marginBottom: 8 }}>
        <Link to="/commitments">← {ct('title')}</Link>
      </Space>
      <Card
        title={<Space wrap><span data-testid="commitment-title">{c.title}</span><StatusTags status={c.status} adjusted={c.adjusted} />{c.published ? <Tag color="green">{ct('published')}</Tag> : <Tag>{ct('draft')}</Tag>}</Space>}
        extra={
          <Space wrap>
            {c.published ? <a href={`/pledges/${c.id}`} target="_blank" rel="noreferrer"><Button icon={<ExportOutlined />}>{ct('publicPage')}</Button></a> : null}
            {writable && !c.published ? <Button type="primary" icon={<SendOutlined />} onClick={publish} data-testid="commitment-publish">{ct('publish')}</Button> : null}
            {writable ? <Button icon={<EditOutlined />} onClick={() => setDialog('edit')}>{c.published ? ct('adjust') : ct('edit')}</Button> : null}
            {writable ? <Button onClick={() => setDialog('progress')}>{ct('setProgress')}</Button> : null}
            {writable && c.published ? <Button icon={<TrophyOutlined />} onClick={() => setDialog('honour')}>{ct('honour')}</Button> : null}
          </Space>
        }
      >
        <Row gutter={24}>
          <Col xs={24} lg={16}>
            <Descriptions size="small" column={{ xs: 1, sm: 2 }}>
              <Descriptions.Item label={ct('leader')}>{c.leaderName}（{c.leaderPosition}）</Descriptions.Item>
              <Descriptions.Item label={ct('unit')}>{c.unitName}</Descriptions.Item>
              <Descriptions.Item label={ct('region')}>{c.regionName}</Descriptions.Item>
              <Descriptions.Item label={ct('campaign')}>{c.campaignName}</Descriptions.Item>
              <Descriptions.Item label={ct('category')}>{c.category}</Descriptions.Item>
              <Descriptions.Item label={ct('period')}>{c.startsOn} ~ {c.dueOn}</Descriptions.Item>
            </Descriptions>
            <p style={{ whiteSpace: 'pre-wrap', lineHeight: 1.8 }}>{c.content}</p>
          </Col>
          <Col xs={24} lg={8}>
            <Progress type="dashboard" percent={c.progress} status={c.status === 'overdue' ? 'exception' : c.status === 'honoured' ? 'success' : 'normal'} data-testid="commitment-progress" />
            <div style={{ color: '#8c8c8c', fontSize: 12 }}>
              {c.progressSource === 'explicit' ? ct('progressSourceExplicit', { reason: c.progressReason ?? '' }) : c.progressSource === 'honoured' ? ct('progressSourceHonoured') : ct('milestonesDone', { done: c.milestonesDone, total: c.milestoneCount })}
            </div>
          </Col>
        </Row>
      </Card>

      <Card
        title={ct('milestones')}
        style={{ marginTop: 12 }}
        extra={writable ? <Button type="primary" icon={<PlusOutlined />} onClick={() => setDialog('milestone')} data-testid="milestone-add">{ct('addMilestone')}</Button> : null}
      >
        <Table<MilestoneDto> rowKey="id" size="small" columns={columns} dataSource={c.milestones} pagination={false} locale={{ emptyText: <Empty description={ct('noMilestones')} /> }} scroll={{ x: 900 }} />
      </Card>

      <Row gutter={12} style={{ marginTop: 12 }}>
        <Col xs={24} lg={12}>
          <Card title={ct('log')} size="small">
            <Timeline
              items={c.events.map((e) => ({
                color: e.kind === 'honour' ? 'green' : e.kind === 'adjust' ? 'orange' : 'blue',
                children: <div><div style={{ color: '#8c8c8c', fontSize: 12 }}>{formatDay(e.at)} · {e.username}</div>{e.summary}</div>,
              }))}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={ct('adjustments')} size="small">
            {c.adjustments.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} /> : c.adjustments.map((a, i) => (
              <div key={i} style={{ marginBottom: 10 }}>
                <div style={{ color: '#8c8c8c', fontSize: 12 }}>{formatDay(a.at)} · {a.username}</div>
                {Object.keys(a.after).map((k) => (
                  <div key={k}>{ct(adjustedFieldKey[k] ?? 'fieldTitle')}：<del>{String(a.before[k])}</del> → <strong>{String(a.after[k])}</strong></div>
                ))}
                <div>{ct('reason')}：{a.reason}</div>
              </div>
            ))}
          </Card>
        </Col>
      </Row>

      {dialog === 'edit' ? <EditDialog c={c} onClose={() => setDialog(null)} onSaved={setC} /> : null}
      {dialog === 'progress' ? <ProgressDialog c={c} onClose={() => setDialog(null)} onSaved={setC} /> : null}
      {dialog === 'honour' ? <HonourDialog c={c} onClose={() => setDialog(null)} onSaved={setC} /> : null}
      {dialog === 'milestone' ? <MilestoneDialog c={c} onClose={() => setDialog(null)} onSaved={setC} /> : null}
      {dialog !== null && typeof dialog === 'object' ? <MilestoneDialog c={c} milestone={dialog.milestone} onClose={() => setDialog(null)} onSaved={setC} /> : null}
    </div>
  );
}

type DialogProps = { c: CommitmentDto; onClose: () => void; onSaved: (c: CommitmentDto) => void };

/** A modal form whose submit posts and maps the server's field errors onto the form. */
function useSubmit<V>(form: ReturnType<typeof Form.useForm<V>>[0], send: (v: V) => Promise<CommitmentDto>, { onClose, onSaved }: Pick<DialogProps, 'onClose' | 'onSaved'>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (v: V) => {
    setBusy(true);
    setError(null);
    try {
      onSaved(await send(v));
      onClose();
    } catch (e) {
      setError((e as Error).message);
      const mapped = bodyFieldErrors(e).map((f) => ({ name: f.field.split('.')[0]!, errors: [f.message] }));
      if (mapped.length) form.setFields(mapped as Parameters<typeof form.setFields>[0]);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit };
}

function EditDialog(props: DialogProps) {
  const { c } = props;
  const { ct } = useCommitmentText();
  type V = { title: string; content: string; category: string; startsOn: Dayjs; dueOn: Dayjs; reason?: string };
  const [form] = Form.useForm<V>();
  const { busy, error, submit } = useSubmit<V>(form, (v) => {
    const body: UpdateCommitment = { title: v.title, content: v.content, category: v.category, startsOn: day(v.startsOn)!, dueOn: day(v.dueOn)!, ...(v.reason ? { reason: v.reason } : {}) };
    return api.patch<CommitmentDto>(`/api/v1/commitments/${c.id}`, body, { quiet: true });
  }, props);
  return (
    <Modal open title={c.published ? ct('adjust') : ct('edit')} onCancel={props.onClose} onOk={() => form.submit()} confirmLoading={busy} okText={ct('save')} cancelText={ct('cancel')} width={620}>
      {error ? <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} /> : null}
      <Form<V> form={form} layout="vertical" onFinish={submit} initialValues={{ title: c.title, content: c.content, category: c.category, startsOn: dayjs(c.startsOn), dueOn: dayjs(c.dueOn) }}>
        <Form.Item name="title" label={ct('titleField')} rules={[{ required: true }]}><Input maxLength={100} /></Form.Item>
        <Form.Item name="content" label={ct('content')} rules={[{ required: true }]}><Input.TextArea rows={4} /></Form.Item>
        <Form.Item name="category" label={ct('category')} rules={[{ required: true }]}><Input maxLength={20} /></Form.Item>
        <Space>
          <Form.Item name="startsOn" label={ct('startsOn')}><DatePicker /></Form.Item>
          <Form.Item name="dueOn" label={ct('dueOn')}><DatePicker /></Form.Item>
        </Space>
        {c.published ? (
          <Form.Item name="reason" label={ct('reason')} extra={ct('reasonHelp')} rules={[{ required: true, whitespace: true, message: ct('required') }]}>
            <Input.TextArea rows={2} maxLength={500} />
          </Form.Item>
        ) : null}
      </Form>
    </Modal>
  );
}

function ProgressDialog(props: DialogProps) {
  const { c } = props;
  const { ct } = useCommitmentText();
  type V = { mode: 'milestones' | 'explicit' | 'note'; percent?: number; reason?: string; note?: string };
  const [form] = Form.useForm<V>();
  const mode = Form.useWatch('mode', form);
  const { busy, error, submit } = useSubmit<V>(form, (v) => {
    const body: SetProgress = v.mode === 'explicit' ? { percent: v.percent ?? 0, reason: v.reason ?? '' } : v.mode === 'milestones' ? { percent: null } : {};
    if (v.note) body.note = v.note;
    return api.post<CommitmentDto>(`/api/v1/commitments/${c.id}/progress`, body, { quiet: true });
  }, props);
  return (
    <Modal open title={ct('setProgress')} onCancel={props.onClose} onOk={() => form.submit()} confirmLoading={busy} okText={ct('save')} cancelText={ct('cancel')}>
      {error ? <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} /> : null}
      <Form<V> form={form} layout="vertical" onFinish={submit} initialValues={{ mode: c.progressSource === 'explicit' ? 'explicit' : 'note', percent: c.progress }}>
        <Form.Item name="mode" label={ct('progressMode')}>
          <Radio.Group options={[{ value: 'note', label: ct('note') }, { value: 'explicit', label: ct('explicit') }, { value: 'milestones', label: ct('byMilestones') }]} />
        </Form.Item>
        {mode === 'explicit' ? (
          <>
            <Form.Item name="percent" label={ct('percent')} rules={[{ required: true }]}><InputNumber min={0} max={100} precision={0} /></Form.Item>
            <Form.Item name="reason" label={ct('progressReason')} rules={[{ required: true, whitespace: true, message: ct('required') }]}><Input maxLength={500} /></Form.Item>
          </>
        ) : null}
        <Form.Item name="note" label={ct('note')} rules={mode === 'note' ? [{ required: true, whitespace: true, message: ct('required') }] : []}><Input.TextArea rows={3} maxLength={1000} /></Form.Item>
      </Form>
    </Modal>
  );
}

function HonourDialog(props: DialogProps) {
  const { c } = props;
  const { ct } = useCommitmentText();
  type V = { honouredOn: Dayjs; note?: string };
  const [form] = Form.useForm<V>();
  const { busy, error, submit } = useSubmit<V>(form, (v) => api.post<CommitmentDto>(`/api/v1/commitments/${c.id}/honour`, { honouredOn: day(v.honouredOn), note: v.note ?? '' }, { quiet: true }), props);
  return (
    <Modal open title={ct('honour')} onCancel={props.onClose} onOk={() => form.submit()} confirmLoading={busy} okText={ct('honour')} cancelText={ct('cancel')}>
      {error ? <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} /> : null}
      <Form<V> form={form} layout="vertical" onFinish={submit} initialValues={{ honouredOn: dayjs() }}>
        <Form.Item name="honouredOn" label={ct('honouredOn')} rules={[{ required: true }]}><DatePicker /></Form.Item>
        <Form.Item name="note" label={ct('honourNote')}><Input.TextArea rows={3} maxLength={1000} /></Form.Item>
      </Form>
    </Modal>
  );
}

/** Adds a milestone, or changes one (marking it done with evidence and photos). */
function MilestoneDialog(props: DialogProps & { milestone?: MilestoneDto }) {
  const { c, milestone: m } = props;
  const { ct } = useCommitmentText();
  type V = { title: string; plannedOn: Dayjs; doneOn?: Dayjs | null; evidence?: string; matterIds?: string[]; ticketIds?: string[] };
  const [form] = Form.useForm<V>();
  const [photos, setPhotos] = useState<PhotoDto[]>([]);
  const [uploading, setUploading] = useState(false);
  const ids = (v?: string[]) => (v ?? []).map(Number).filter((n) => Number.isInteger(n) && n > 0);
  const { busy, error, submit } = useSubmit<V>(form, (v) => {
    const common = { evidence: v.evidence ?? '', photoIds: photos.map((p) => p.id), matterIds: ids(v.matterIds), ticketIds: ids(v.ticketIds) };
    if (m) {
      const body: UpdateMilestone = { title: v.title, plannedOn: day(v.plannedOn)!, doneOn: day(v.doneOn) ?? null, ...common };
      return api.patch<CommitmentDto>(`/api/v1/commitments/${c.id}/milestones/${m.id}`, body, { quiet: true });
    }
    const body: MilestoneInput = { title: v.title, plannedOn: day(v.plannedOn)!, doneOn: day(v.doneOn) ?? null, ...common };
    return api.post<CommitmentDto>(`/api/v1/commitments/${c.id}/milestones`, body, { quiet: true });
  }, props);
  const upload = async (file: File) => {
    setUploading(true);
    try {
      const form = new FormData();
      form.append('file', file);
      const p = await request<PhotoDto>('POST', '/api/v1/photos', { form });
      setPhotos((list) => (list.some((x) => x.id === p.id) ? list : [...list, p]));
    } finally {
      setUploading(false);
    }
  };
  return (
    <Modal open title={m ? (m.doneOn ? ct('editMilestone') : ct('markDone')) : ct('addMilestone')} onCancel={props.onClose} onOk={() => form.submit()} confirmLoading={busy} okText={ct('save')} cancelText={ct('cancel')} width={600}>
      {error ? <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} data-testid="milestone-error" /> : null}
      <Form<V>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={m ? { title: m.title, plannedOn: dayjs(m.plannedOn), doneOn: m.doneOn ? dayjs(m.doneOn) : dayjs(), evidence: m.evidence } : { plannedOn: dayjs(), doneOn: null }}
      >
        <Form.Item name="title" label={ct('milestoneTitle')} rules={[{ required: true, whitespace: true, message: ct('required') }]}><Input maxLength={100} data-testid="milestone-title" /></Form.Item>
        <Space wrap>
          <Form.Item name="plannedOn" label={ct('plannedOn')} rules={[{ required: true }]} extra={`${c.startsOn} ~ ${c.dueOn}`}><DatePicker data-testid="milestone-planned" /></Form.Item>
          <Form.Item name="doneOn" label={ct('doneOn')}><DatePicker data-testid="milestone-done" /></Form.Item>
        </Space>
        <Form.Item name="evidence" label={ct('evidence')}><Input.TextArea rows={3} maxLength={1000} data-testid="milestone-evidence" /></Form.Item>
        <Form.Item label={ct('photos')}>
          <Space wrap>
            {photos.map((p) => <Image key={p.id} width={64} height={48} style={{ objectFit: 'cover' }} src={p.thumbUrl ?? p.url} />)}
            <Upload accept="image/jpeg,image/png,image/heic" showUploadList={false} beforeUpload={(f) => { void upload(f); return false; }}>
              <Button icon={<UploadOutlined />} loading={uploading}>{ct('upload')}</Button>
            </Upload>
          </Space>
        </Form.Item>
        <Space wrap style={{ width: '100%' }}>
          <Form.Item name="matterIds" label={ct('matterIds')}><Select mode="tags" style={{ minWidth: 220 }} placeholder={ct('idsPlaceholder')} open={false} /></Form.Item>
          <Form.Item name="ticketIds" label={ct('ticketIds')}><Select mode="tags" style={{ minWidth: 220 }} placeholder={ct('idsPlaceholder')} open={false} /></Form.Item>
        </Space>
      </Form>
    </Modal>
  );
}
