import { ExportOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, AutoComplete, Button, Checkbox, DatePicker, Form, Input, Modal, Progress, Select, Space, Table, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import {
  commitmentStatuses, commitmentStatusLabels, suggestedCommitmentCategories, type CommitmentDto, type CommitmentStatus, type CommitmentSummary, type CreateCommitment,
} from '../../../contracts/commitments.ts';
import { api } from '../api.ts';
import { can, useMe } from '../auth.tsx';
import { useCommitmentText } from '../components/commitmentText.ts';
import { bodyFieldErrors, CampaignPicker, tablePaging, useUrlFilters, useUrlPagedList } from '../components/recordCommon.tsx';
import { RegionTreeSelect } from '../components/RegionTreeSelect.tsx';
import { CadreSelect } from '../components/RemoteSelect.tsx';
import { ExportButton } from '../components/ExportButton.tsx';
import { PageTitle } from '../components/Status.tsx';
import { StatusTags } from './PublicCommitments.tsx';

// 履职承诺 (staff): the commitments in the caller's scope, filtered by status, publication,
// campaign and leader name or title; a new one is created here and edited in CommitmentDetail.

export default function CommitmentsPage() {
  const me = useMe();
  const { ct, l } = useCommitmentText();
  const { get, num, update, page, pageSize } = useUrlFilters();
  const [creating, setCreating] = useState(false);
  const status = (commitmentStatuses as readonly string[]).includes(get('status') ?? '') ? (get('status') as CommitmentStatus) : undefined;
  const query = { status, published: get('published'), campaignId: num('campaign'), q: get('q') };
  const { data, loading, onTable } = useUrlPagedList<CommitmentSummary>('/api/v1/commitments', JSON.stringify(query), { page, pageSize, update });

  const columns: TableColumnsType<CommitmentSummary> = [
    {
      title: ct('leader'), key: 'leader', width: 170,
      render: (_, c) => <div><strong>{c.leaderName}</strong><div style={{ color: '#8c8c8c', fontSize: 12 }}>{c.leaderPosition}</div></div>,
    },
    { title: ct('unit'), dataIndex: 'unitName', width: 180, ellipsis: true },
    {
      title: ct('titleField'), dataIndex: 'title',
      render: (v: string, c) => <Link to={`/commitments/${c.id}`} data-testid="commitment-link">{v}</Link>,
    },
    { title: ct('category'), dataIndex: 'category', width: 110, render: (v: string) => <Tag>{v}</Tag> },
    { title: ct('period'), key: 'period', width: 190, render: (_, c) => `${c.startsOn} ~ ${c.dueOn}` },
    { title: ct('progress'), dataIndex: 'progress', width: 150, render: (v: number, c) => <Progress percent={v} size="small" status={c.status === 'overdue' ? 'exception' : c.status === 'honoured' ? 'success' : 'normal'} /> },
    { title: ct('status'), dataIndex: 'status', width: 150, render: (_, c) => <StatusTags status={c.status} adjusted={c.adjusted} /> },
    { title: ct('published'), dataIndex: 'published', width: 80, render: (v: boolean) => (v ? <Tag color="green">{ct('published')}</Tag> : <Tag>{ct('draft')}</Tag>) },
  ];

  return (
    <div>
      <PageTitle
        title={ct('title')}
        extra={
          <Space>
            <ExportButton path="/api/v1/commitments/export.xlsx" query={query} filename="履职承诺.xlsx" testId="commitment-export" />
            <a href="/pledges" target="_blank" rel="noreferrer"><Button icon={<ExportOutlined />}>{ct('publicPage')}</Button></a>
            {can(me, 'commitment.write') ? <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="commitment-create">{ct('create')}</Button> : null}
          </Space>
        }
      />
      <Space wrap style={{ marginBottom: 12 }}>
        <Select allowClear placeholder={ct('allStatuses')} style={{ width: 140 }} value={status} onChange={(v?: string) => update({ status: v })}
          options={commitmentStatuses.map((s) => ({ value: s, label: l(commitmentStatusLabels[s]) }))} />
        <Select allowClear placeholder={ct('allPublished')} style={{ width: 140 }} value={get('published')} onChange={(v?: string) => update({ published: v })}
          options={[{ value: 'true', label: ct('published') }, { value: 'false', label: ct('draft') }]} />
        <CampaignPicker style={{ width: 240 }} value={num('campaign') ?? null} onChange={(v) => update({ campaign: v ?? undefined })} />
        <Input.Search allowClear placeholder={ct('searchStaff')} style={{ width: 220 }} defaultValue={get('q')} onSearch={(v) => update({ q: v.trim() || undefined })} />
      </Space>
      <Table<CommitmentSummary>
        rowKey="id"
        size="small"
        loading={loading}
        columns={columns}
        dataSource={data?.items ?? []}
        pagination={tablePaging(page, pageSize, data?.total ?? 0, (_k, v) => ct('totalItems', v))}
        onChange={onTable}
        scroll={{ x: 1100 }}
      />
      {creating ? <CreateModal onClose={() => setCreating(false)} /> : null}
    </div>
  );
}

type Values = { campaignId: number; cadreId: number; regionCode: string; title: string; content: string; category: string; period: [Dayjs, Dayjs]; publish: boolean };

function CreateModal({ onClose }: { onClose: () => void }) {
  const { ct } = useCommitmentText();
  const navigate = useNavigate();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (v: Values) => {
    const body: CreateCommitment = {
      campaignId: v.campaignId, cadreId: v.cadreId, regionCode: v.regionCode, title: v.title, content: v.content, category: v.category,
      startsOn: v.period[0].format('YYYY-MM-DD'), dueOn: v.period[1].format('YYYY-MM-DD'), publish: v.publish ?? false,
    };
    setBusy(true);
    setError(null);
    try {
      const c = await api.post<CommitmentDto>('/api/v1/commitments', body, { quiet: true });
      navigate(`/commitments/${c.id}`);
    } catch (e) {
      setError((e as Error).message);
      const mapped = bodyFieldErrors(e).map((f) => ({ name: f.field === 'startsOn' || f.field === 'dueOn' ? 'period' : f.field.split('.')[0]!, errors: [f.message] }));
      if (mapped.length) form.setFields(mapped as Parameters<typeof form.setFields>[0]);
    } finally {
      setBusy(false);
    }
  };
  const req = [{ required: true, message: ct('required') }];
  return (
    <Modal open title={ct('create')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={busy} okText={ct('save')} cancelText={ct('cancel')} width={640} destroyOnHidden>
      {error ? <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} /> : null}
      <Form<Values> form={form} layout="vertical" onFinish={submit} initialValues={{ category: suggestedCommitmentCategories[0], publish: false }}>
        <Form.Item name="campaignId" label={ct('campaign')} rules={req}><CampaignPicker /></Form.Item>
        <Form.Item name="cadreId" label={ct('leader')} rules={req}><CadreSelect /></Form.Item>
        <Form.Item name="regionCode" label={ct('region')} rules={req}><RegionTreeSelect /></Form.Item>
        <Form.Item name="title" label={ct('titleField')} rules={req}><Input maxLength={100} showCount /></Form.Item>
        <Form.Item name="content" label={ct('content')} rules={req}><Input.TextArea rows={4} maxLength={4000} /></Form.Item>
        <Form.Item name="category" label={ct('category')} rules={req}>
          <AutoComplete options={suggestedCommitmentCategories.map((c) => ({ value: c }))} />
        </Form.Item>
        <Form.Item name="period" label={ct('period')} rules={req}><DatePicker.RangePicker style={{ width: '100%' }} /></Form.Item>
        <Form.Item name="publish" valuePropName="checked"><Checkbox>{ct('publishNow')}</Checkbox></Form.Item>
      </Form>
    </Modal>
  );
}
