import { PlusOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Card, Col, Form, Input, InputNumber, Modal, Row, Select, Statistic, Table, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import {
  assessmentStatusLabels, decisionKindLabels, subjectKindLabels,
  type AssessmentDetailDto, type AssessmentSummaryDto, type DecisionSummaryDto, type SubjectKind,
} from '../../../contracts/assessments.ts';
import { api, fieldErrors } from '../api.ts';
import { can, useMe } from '../auth.tsx';
import { RegionSelect } from '../components/RemoteSelect.tsx';
import { PageTitle } from '../components/Status.tsx';
import { useI18n } from '../i18n.ts';

// 千分制考核: the schemes in scope by year, a new scheme (its assessed townships or units are fixed
// when it is created), and the year's rewards and penalties counted by kind.

const thisYear = new Date().getFullYear();
export const useText = () => {
  const { lang } = useI18n();
  return (zh: string, en: string) => (lang === 'zh' ? zh : en);
};

export default function AssessmentsPage() {
  const tx = useText();
  const { l } = useI18n();
  const me = useMe();
  const navigate = useNavigate();
  const [year, setYear] = useState<number>(thisYear);
  const [rows, setRows] = useState<AssessmentSummaryDto[] | null>(null);
  const [summary, setSummary] = useState<DecisionSummaryDto | null>(null);
  const [creating, setCreating] = useState(false);

  useEffect(() => {
    setRows(null);
    api.get<AssessmentSummaryDto[]>('/api/v1/assessments', { year }).then(setRows).catch(() => setRows([]));
    api.get<DecisionSummaryDto>('/api/v1/assessment-decisions/summary', { year }).then(setSummary).catch(() => setSummary(null));
  }, [year]);

  const columns: TableColumnsType<AssessmentSummaryDto> = [
    { title: tx('方案', 'Scheme'), dataIndex: 'name', render: (n: string, r) => <Link to={`/assessments/${r.id}`} data-testid={`assessment-${r.id}`}>{n}</Link> },
    { title: tx('年度', 'Year'), dataIndex: 'year', width: 80 },
    { title: tx('考核区划', 'Region'), dataIndex: 'regionName', width: 140 },
    { title: tx('考核对象', 'Assessed'), width: 160, render: (_, r) => `${l(subjectKindLabels[r.subjectKind])} × ${r.subjectCount}` },
    { title: tx('状态', 'Status'), dataIndex: 'status', width: 110, render: (s: AssessmentSummaryDto['status']) => <Tag color={assessmentStatusLabels[s].color}>{l(assessmentStatusLabels[s])}</Tag> },
    { title: tx('更新时间', 'Updated'), dataIndex: 'updatedAt', width: 170, render: (d: string) => new Date(d).toLocaleString() },
  ];

  return (
    <div>
      <PageTitle
        title={tx('千分制考核', '1000-point assessment')}
        extra={
          <span style={{ display: 'inline-flex', gap: 8 }}>
            <InputNumber value={year} min={2000} max={2100} onChange={(v) => v && setYear(v)} addonBefore={tx('年度', 'Year')} data-testid="assessment-year" />
            {can(me, 'assessment.configure') ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="assessment-new">{tx('新建考核方案', 'New scheme')}</Button>
            ) : null}
          </span>
        }
      />
      <Row gutter={16} style={{ marginBottom: 16 }}>
        <Col xs={12} md={4}><Card size="small"><Statistic title={tx('考核方案', 'Schemes')} value={rows?.length ?? 0} /></Card></Col>
        <Col xs={12} md={4}><Card size="small"><Statistic title={tx('奖励类决定', 'Rewards')} value={summary?.rewards ?? 0} valueStyle={{ color: '#389e0d' }} /></Card></Col>
        <Col xs={12} md={4}><Card size="small"><Statistic title={tx('惩戒类决定', 'Penalties')} value={summary?.penalties ?? 0} valueStyle={{ color: '#b7202e' }} /></Card></Col>
        <Col xs={24} md={12}>
          <Card size="small" title={tx(`${year}年奖惩（按类型）`, `Decisions in ${year} by kind`)} data-testid="decision-summary">
            {summary?.byKind.map((k) => (
              <Tag key={k.kind} color={decisionKindLabels[k.kind].penalty ? 'red' : 'green'} style={{ marginBottom: 4 }}>
                {l(decisionKindLabels[k.kind])} {k.count}
              </Tag>
            ))}
          </Card>
        </Col>
      </Row>
      <Table rowKey="id" loading={rows === null} dataSource={rows ?? []} columns={columns} pagination={false} size="middle" data-testid="assessment-list" />
      <CreateScheme open={creating} year={year} onClose={() => setCreating(false)} onCreated={(d) => navigate(`/assessments/${d.id}`)} />
    </div>
  );
}

function CreateScheme({ open, year, onClose, onCreated }: { open: boolean; year: number; onClose: () => void; onCreated: (d: AssessmentDetailDto) => void }) {
  const tx = useText();
  const { l } = useI18n();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const kind = Form.useWatch('subjectKind', form) as SubjectKind | undefined;
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      const d = await api.post<AssessmentDetailDto>('/api/v1/assessments', { ...v, campaignId: null }, { quiet: true });
      onCreated(d);
    } catch (e) {
      const f = fieldErrors(e);
      if (f.length) form.setFields(f.map((x) => ({ name: x.field.split('.')[0]!, errors: [x.message] })));
      else message.error((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={open} title={tx('新建考核方案', 'New scheme')} onCancel={onClose} onOk={submit} confirmLoading={busy} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ year, subjectKind: 'township', name: `${year}年度乡镇（街道）千分制考核` }}>
        <Form.Item name="name" label={tx('方案名称', 'Name')} rules={[{ required: true }]}><Input maxLength={100} /></Form.Item>
        <Form.Item name="year" label={tx('年度', 'Year')} rules={[{ required: true }]}><InputNumber min={2000} max={2100} /></Form.Item>
        <Form.Item name="regionCode" label={tx('考核区划（县）', 'Assessing region (county)')} rules={[{ required: true }]}><RegionSelect /></Form.Item>
        <Form.Item name="subjectKind" label={tx('考核对象', 'Assessed')}>
          <Select options={(['township', 'unit'] as const).map((k) => ({ value: k, label: l(subjectKindLabels[k]) }))} />
        </Form.Item>
        {kind === 'unit' ? (
          <Form.Item name="unitLevel" label={tx('单位层级', 'Unit level')} rules={[{ required: true }]}>
            <Select options={[{ value: 'county', label: tx('县级部门', 'County departments') }, { value: 'township', label: tx('乡镇单位', 'Township units') }]} />
          </Form.Item>
        ) : null}
      </Form>
    </Modal>
  );
}
