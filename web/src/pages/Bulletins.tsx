import { PlusOutlined } from '@ant-design/icons';
import { Alert, Button, DatePicker, Form, Input, Modal, Select, Space, Table, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { bulletinStatuses, bulletinStatusLabels, type BulletinDto, type BulletinStatus, type BulletinSummary, type CreateBulletin } from '../../../contracts/bulletins.ts';
import { api } from '../api.ts';
import { can, useMe } from '../auth.tsx';
import { useI18n } from '../i18n.ts';
import { bodyFieldErrors, CampaignPicker, tablePaging, useUrlFilters, useUrlPagedList } from '../components/recordCommon.tsx';
import { RegionTreeSelect } from '../components/RegionTreeSelect.tsx';
import { PageTitle } from '../components/Status.tsx';

// 简报: the bulletins in the caller's scope (drafts only for those who write them), newest first;
// a new one is generated here from the figures of a campaign, region and period and then edited,
// published and downloaded on BulletinDetail.

const words = {
  title: { zh: '简报', en: 'Bulletins' },
  create: { zh: '新建简报', en: 'New bulletin' },
  number: { zh: '期数', en: 'Issue' },
  headline: { zh: '标题', en: 'Title' },
  region: { zh: '区划', en: 'Region' },
  period: { zh: '统计期', en: 'Period' },
  issuedOn: { zh: '印发日期', en: 'Issued on' },
  status: { zh: '状态', en: 'Status' },
  campaign: { zh: '活动', en: 'Campaign' },
  allStatuses: { zh: '全部状态', en: 'All statuses' },
  office: { zh: '发文机关', en: 'Issuing office' },
  officeHint: { zh: '不填则为“区划＋活动名称＋活动办公室”', en: 'Default: region + campaign + office' },
  titleHint: { zh: '不填则自动生成', en: 'Generated when empty' },
  required: { zh: '必填', en: 'Required' },
  generate: { zh: '生成草稿', en: 'Generate draft' },
  cancel: { zh: '取消', en: 'Cancel' },
  total: { zh: '共 {n} 期', en: '{n} issues' },
  issue: { zh: '第{n}期', en: 'No. {n}' },
} as const;

export function useBulletinText() {
  const { lang, l } = useI18n();
  return { bt: (k: keyof typeof words, n?: number | string) => words[k][lang].replace('{n}', String(n ?? '')), l, lang };
}

export const statusTag = (s: BulletinStatus, label: string) => <Tag color={s === 'published' ? 'red' : 'default'}>{label}</Tag>;

export default function BulletinsPage() {
  const me = useMe();
  const { bt, l } = useBulletinText();
  const { get, num, update, page, pageSize } = useUrlFilters();
  const [creating, setCreating] = useState(false);
  const status = (bulletinStatuses as readonly string[]).includes(get('status') ?? '') ? (get('status') as BulletinStatus) : undefined;
  const query = { status, campaignId: num('campaign') };
  const { data, loading, onTable } = useUrlPagedList<BulletinSummary>('/api/v1/bulletins', JSON.stringify(query), { page, pageSize, update });

  const columns: TableColumnsType<BulletinSummary> = [
    { title: bt('number'), dataIndex: 'number', width: 90, render: (n: number) => bt('issue', n) },
    { title: bt('headline'), dataIndex: 'title', render: (v: string, b) => <Link to={`/bulletins/${b.id}`} data-testid="bulletin-link">{v}</Link> },
    { title: bt('campaign'), dataIndex: 'campaignName', width: 180, ellipsis: true },
    { title: bt('region'), dataIndex: 'regionName', width: 120 },
    { title: bt('period'), key: 'period', width: 200, render: (_, b) => `${b.from} ~ ${b.to}` },
    { title: bt('issuedOn'), dataIndex: 'issuedOn', width: 110 },
    { title: bt('status'), dataIndex: 'status', width: 90, render: (s: BulletinStatus) => statusTag(s, l(bulletinStatusLabels[s])) },
  ];

  return (
    <div>
      <PageTitle
        title={bt('title')}
        extra={can(me, 'bulletin.write') ? <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="bulletin-create">{bt('create')}</Button> : null}
      />
      <Space wrap style={{ marginBottom: 12 }}>
        <Select allowClear placeholder={bt('allStatuses')} style={{ width: 140 }} value={status} onChange={(v?: string) => update({ status: v })}
          options={bulletinStatuses.map((s) => ({ value: s, label: l(bulletinStatusLabels[s]) }))} />
        <CampaignPicker style={{ width: 260 }} value={num('campaign') ?? null} onChange={(v) => update({ campaign: v ?? undefined })} />
      </Space>
      <Table<BulletinSummary>
        rowKey="id"
        size="small"
        loading={loading}
        columns={columns}
        dataSource={data?.items ?? []}
        pagination={tablePaging(page, pageSize, data?.total ?? 0, (_k, v) => bt('total', v.total))}
        onChange={onTable}
        scroll={{ x: 1000 }}
      />
      {creating ? <CreateModal onClose={() => setCreating(false)} /> : null}
    </div>
  );
}

type Values = { campaignId: number; regionCode: string; period: [Dayjs, Dayjs]; title?: string; office?: string };

function CreateModal({ onClose }: { onClose: () => void }) {
  const { bt } = useBulletinText();
  const navigate = useNavigate();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (v: Values) => {
    const body: CreateBulletin = {
      campaignId: v.campaignId, regionCode: v.regionCode, from: v.period[0].format('YYYY-MM-DD'), to: v.period[1].format('YYYY-MM-DD'),
      ...(v.title?.trim() ? { title: v.title.trim() } : {}), ...(v.office?.trim() ? { office: v.office.trim() } : {}),
    };
    setBusy(true);
    setError(null);
    try {
      const b = await api.post<BulletinDto>('/api/v1/bulletins', body, { quiet: true });
      navigate(`/bulletins/${b.id}`);
    } catch (e) {
      setError((e as Error).message);
      const mapped = bodyFieldErrors(e).map((f) => ({ name: f.field === 'from' || f.field === 'to' ? 'period' : f.field.split('.')[0]!, errors: [f.message] }));
      if (mapped.length) form.setFields(mapped as Parameters<typeof form.setFields>[0]);
    } finally {
      setBusy(false);
    }
  };
  const req = [{ required: true, message: bt('required') }];
  return (
    <Modal open title={bt('create')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={busy} okText={bt('generate')} cancelText={bt('cancel')} width={600} destroyOnHidden>
      {error ? <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} /> : null}
      <Form<Values> form={form} layout="vertical" onFinish={submit} initialValues={{ period: [dayjs().startOf('year'), dayjs()] }}>
        <Form.Item name="campaignId" label={bt('campaign')} rules={req}><CampaignPicker /></Form.Item>
        <Form.Item name="regionCode" label={bt('region')} rules={req}><RegionTreeSelect /></Form.Item>
        <Form.Item name="period" label={bt('period')} rules={req}><DatePicker.RangePicker style={{ width: '100%' }} /></Form.Item>
        <Form.Item name="title" label={bt('headline')} extra={bt('titleHint')}><Input maxLength={200} /></Form.Item>
        <Form.Item name="office" label={bt('office')} extra={bt('officeHint')}><Input maxLength={100} /></Form.Item>
      </Form>
    </Modal>
  );
}
