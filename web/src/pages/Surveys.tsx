import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { App, AutoComplete, Button, Card, Checkbox, DatePicker, Form, Input, InputNumber, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import type { FormInstance } from 'antd';
import type { Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import {
  defaultSurveyDimensions, surveyKindLabels, surveyKinds, surveyStateLabels, type CreateSurvey, type SurveyDto, type SurveyKind, type SurveyState,
} from '../../../contracts/surveys.ts';
import { api, fieldErrors } from '../api.ts';
import { can, useAuth } from '../auth.tsx';

// 双评: the rounds the caller can see, and the builder (questions by dimension, a period).

export const stateColor: Record<SurveyState, string> = { draft: 'default', open: 'green', closed: 'red' };

export type QuestionRow = { dimension: string; text: string; required: boolean; allowComment: boolean };
export const defaultQuestions: QuestionRow[] = [
  { dimension: '责任担当', text: '联系干部是否主动上门、倾听诉求、帮助解决实际困难', required: true, allowComment: true },
  { dimension: '服务效能', text: '反映的问题是否得到及时有效办理', required: true, allowComment: true },
  { dimension: '作风形象', text: '工作作风是否务实、廉洁、文明', required: true, allowComment: true },
];

/** The question list of the builder: dimension, text, required, comment allowed. */
export function QuestionsEditor() {
  return (
    <Form.List name="questions">
      {(fields, { add, remove }) => (
        <>
          {fields.map((f, i) => (
            <Space key={f.key} align="start" style={{ display: 'flex', marginBottom: 4 }} wrap>
              <span style={{ lineHeight: '32px', width: 24 }}>{i + 1}.</span>
              <Form.Item name={[f.name, 'dimension']} rules={[{ required: true, message: '请填写维度' }]} style={{ marginBottom: 4 }}>
                <AutoComplete style={{ width: 120 }} placeholder="维度" options={defaultSurveyDimensions.map((d) => ({ value: d }))} />
              </Form.Item>
              <Form.Item name={[f.name, 'text']} rules={[{ required: true, message: '请填写题目' }]} style={{ marginBottom: 4 }}>
                <Input style={{ width: 380 }} placeholder="题目" maxLength={200} data-testid={`question-text-${i}`} />
              </Form.Item>
              <Form.Item name={[f.name, 'required']} valuePropName="checked" style={{ marginBottom: 4 }}>
                <Checkbox>必答</Checkbox>
              </Form.Item>
              <Form.Item name={[f.name, 'allowComment']} valuePropName="checked" style={{ marginBottom: 4 }}>
                <Checkbox>可填意见</Checkbox>
              </Form.Item>
              <Button icon={<DeleteOutlined />} onClick={() => remove(f.name)} disabled={fields.length <= 1} aria-label="删除题目" />
            </Space>
          ))}
          <Button icon={<PlusOutlined />} onClick={() => add({ dimension: '服务效能', text: '', required: true, allowComment: true })}>添加题目</Button>
        </>
      )}
    </Form.List>
  );
}

type Builder = {
  title: string; kind: SurveyKind; campaignId?: number; regionCode: string; intro?: string; periodKind: 'month' | 'quarter' | 'year' | 'custom';
  year: number; month?: number; quarter?: number; range?: [Dayjs, Dayjs]; questions: QuestionRow[];
};

export function periodOf(v: Pick<Builder, 'periodKind' | 'year' | 'month' | 'quarter' | 'range'>): CreateSurvey['period'] {
  switch (v.periodKind) {
    case 'month': return { kind: 'month', year: v.year, month: v.month ?? 1 };
    case 'quarter': return { kind: 'quarter', year: v.year, quarter: v.quarter ?? 1 };
    case 'year': return { kind: 'year', year: v.year };
    default: return { kind: 'custom', startsOn: v.range?.[0]?.format('YYYY-MM-DD') ?? '', endsOn: v.range?.[1]?.format('YYYY-MM-DD') ?? '' };
  }
}

/** Shows the server's field errors on the builder's fields (body.questions.0.text → questions[0].text). */
export function showFieldErrors(form: FormInstance, e: unknown) {
  const fields = fieldErrors(e).map((f) => {
    const path = f.field.replace(/^body\./, '').split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    const name = path[0] === 'period' ? ['periodKind'] : path;
    return { name, errors: [f.message] };
  });
  try {
    form.setFields(fields as Parameters<FormInstance['setFields']>[0]);
  } catch {
    /* a field the form does not show: the message is shown anyway */
  }
}

function SurveyBuilder({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { me } = useAuth();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<Builder>();
  const [campaigns, setCampaigns] = useState<{ id: number; name: string }[]>([]);
  const [saving, setSaving] = useState(false);
  const periodKind = Form.useWatch('periodKind', form);
  useEffect(() => {
    if (!open) return;
    api.get<{ items: { id: number; name: string }[] }>('/api/v1/campaigns', { pageSize: 100 }, { quiet: true }).then((r) => setCampaigns(r.items)).catch(() => setCampaigns([]));
  }, [open]);
  const now = new Date();
  const submit = async (v: Builder) => {
    setSaving(true);
    try {
      const s = await api.post<SurveyDto>('/api/v1/surveys', {
        title: v.title, kind: v.kind, campaignId: v.campaignId ?? null, regionCode: v.regionCode, intro: v.intro ?? '', period: periodOf(v), questions: v.questions,
      }, { quiet: true });
      message.success('问卷已创建');
      onClose();
      navigate(`/surveys/${s.id}`);
    } catch (e) {
      message.error((e as Error).message);
      showFieldErrors(form, e);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal title="新建双评问卷" open={open} onCancel={onClose} width={860} okText="创建" onOk={() => form.submit()} confirmLoading={saving} destroyOnHidden>
      <Form<Builder>
        form={form} layout="vertical" onFinish={submit}
        initialValues={{
          title: `${now.getFullYear()}年${now.getMonth() + 1}月群众评干部`, kind: 'public_cadre', regionCode: me?.regionCode ?? '', periodKind: 'month',
          year: now.getFullYear(), month: now.getMonth() + 1, quarter: Math.floor(now.getMonth() / 3) + 1, questions: defaultQuestions,
        }}
      >
        <Space wrap align="start">
          <Form.Item name="title" label="问卷标题" rules={[{ required: true, message: '请填写问卷标题' }]}><Input style={{ width: 320 }} maxLength={100} data-testid="survey-title" /></Form.Item>
          <Form.Item name="kind" label="评价类型"><Select style={{ width: 160 }} options={surveyKinds.map((k) => ({ value: k, label: surveyKindLabels[k].zh }))} /></Form.Item>
          <Form.Item name="campaignId" label="所属活动"><Select allowClear style={{ width: 220 }} options={campaigns.map((c) => ({ value: c.id, label: c.name }))} /></Form.Item>
        </Space>
        <Space wrap align="start">
          <Form.Item name="regionCode" label="组织区划（代码）" rules={[{ required: true, message: '请填写区划代码' }]}><Input style={{ width: 160 }} /></Form.Item>
          <Form.Item name="periodKind" label="评价周期">
            <Select style={{ width: 120 }} options={[{ value: 'month', label: '月度' }, { value: 'quarter', label: '季度' }, { value: 'year', label: '年度' }, { value: 'custom', label: '自定日期' }]} />
          </Form.Item>
          {periodKind !== 'custom' && <Form.Item name="year" label="年份"><InputNumber min={2000} max={2100} /></Form.Item>}
          {periodKind === 'month' && <Form.Item name="month" label="月份"><InputNumber min={1} max={12} /></Form.Item>}
          {periodKind === 'quarter' && <Form.Item name="quarter" label="季度"><InputNumber min={1} max={4} /></Form.Item>}
          {periodKind === 'custom' && <Form.Item name="range" label="起止日期" rules={[{ required: true, message: '请选择起止日期' }]}><DatePicker.RangePicker /></Form.Item>}
        </Space>
        <Form.Item name="intro" label="说明（显示在答卷页顶部）"><Input.TextArea rows={2} maxLength={1000} /></Form.Item>
        <Typography.Text strong>题目（评价等级：满意 / 基本满意 / 不满意）</Typography.Text>
        <div style={{ marginTop: 8 }}><QuestionsEditor /></div>
      </Form>
    </Modal>
  );
}

export default function SurveysPage() {
  const { me } = useAuth();
  const [rows, setRows] = useState<SurveyDto[]>([]);
  const [loading, setLoading] = useState(true);
  const [building, setBuilding] = useState(false);
  const [state, setState] = useState<SurveyState | undefined>();
  const load = useCallback(() => {
    setLoading(true);
    api.get<SurveyDto[]>('/api/v1/surveys', { state }).then(setRows).catch(() => setRows([])).finally(() => setLoading(false));
  }, [state]);
  useEffect(load, [load]);
  return (
    <Card
      title="双评（群众评干部 · 企业评部门）"
      extra={
        <Space>
          <Select allowClear placeholder="状态" style={{ width: 120 }} value={state} onChange={setState} options={(['draft', 'open', 'closed'] as const).map((s) => ({ value: s, label: surveyStateLabels[s].zh }))} />
          {can(me, 'survey.configure') && <Button type="primary" icon={<PlusOutlined />} onClick={() => setBuilding(true)} data-testid="new-survey">新建问卷</Button>}
        </Space>
      }
    >
      <Table<SurveyDto>
        rowKey="id" size="middle" loading={loading} dataSource={rows} pagination={false}
        columns={[
          { title: '问卷', dataIndex: 'title', render: (t: string, r) => <Link to={`/surveys/${r.id}`}>{t}</Link> },
          { title: '类型', dataIndex: 'kind', render: (k: SurveyKind) => surveyKindLabels[k].zh },
          { title: '周期', dataIndex: 'periodLabel' },
          { title: '区划', dataIndex: 'regionName' },
          { title: '活动', dataIndex: 'campaignName', render: (v: string | null) => v ?? '—' },
          { title: '状态', dataIndex: 'state', render: (s: SurveyState) => <Tag color={stateColor[s]}>{surveyStateLabels[s].zh}</Tag> },
          { title: '链接', dataIndex: 'linkCount', align: 'right' },
          { title: '答卷', dataIndex: 'responseCount', align: 'right' },
          { title: '疑点', dataIndex: 'flaggedCount', align: 'right', render: (n: number) => (n ? <Tag color="orange">{n}</Tag> : 0) },
        ]}
      />
      <SurveyBuilder open={building} onClose={() => { setBuilding(false); load(); }} />
    </Card>
  );
}
