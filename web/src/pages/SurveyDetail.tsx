import { PrinterOutlined, QrcodeOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Descriptions, Form, Modal, Select, Space, Switch, Table, Tabs, Tag, Typography } from 'antd';
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import {
  surveyAnswerLabels, surveyFlagLabels, surveyKindLabels, surveyLinkSubject, surveyStateLabels, type SurveyAnswerValue, type SurveyDto, type SurveyFlag,
  type SurveyLink, type SurveyResults,
} from '../../../contracts/surveys.ts';
import { api, type Page } from '../api.ts';
import { can, useAuth } from '../auth.tsx';
import { ExportButton } from '../components/ExportButton.tsx';
import { QuestionsEditor, showFieldErrors, stateColor, type QuestionRow } from './Surveys.tsx';

echarts.use([BarChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

// One 双评 round: its questions (editable while unanswered; open / close), its links and QR codes
// (printable), the results (满意率 per dimension and per cadre or unit, comments with the ticket each
// 不满意 raised) and, for the office, the inflation flags with exclusion.

const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
const valueColor: Record<SurveyAnswerValue, string> = { satisfied: 'green', basic: 'blue', unsatisfied: 'red' };

function DimensionBars({ results }: { results: SurveyResults }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current);
    const dims = results.dimensions.map((d) => d.dimension);
    const series = (['satisfied', 'basic', 'unsatisfied'] as const).map((v) => ({
      name: surveyAnswerLabels[v].zh, type: 'bar' as const, stack: 'n', barMaxWidth: 36,
      itemStyle: { color: { satisfied: '#389e0d', basic: '#4096ff', unsatisfied: '#cf1322' }[v] },
      data: results.dimensions.map((d) => d[v]),
    }));
    chart.setOption({
      tooltip: { trigger: 'axis', formatter: (ps: { axisValue: string; seriesName: string; value: number }[]) => {
        const d = results.dimensions.find((x) => x.dimension === ps[0]?.axisValue);
        return `${ps[0]?.axisValue} 满意率 ${pct(d?.rate ?? null)}<br/>${ps.map((p) => `${p.seriesName}：${p.value}`).join('<br/>')}`;
      } },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: dims.map((d) => `${d}\n${pct(results.dimensions.find((x) => x.dimension === d)?.rate ?? null)}`) },
      yAxis: { type: 'value', name: '答题数' },
      series,
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [results]);
  return <div ref={ref} style={{ height: 280 }} data-testid="dimension-bars" />;
}

function ResultsTab({ survey }: { survey: SurveyDto }) {
  const [excludeFlagged, setExcludeFlagged] = useState(false);
  const [r, setR] = useState<SurveyResults | null>(null);
  useEffect(() => {
    api.get<SurveyResults>(`/api/v1/surveys/${survey.id}/results`, { excludeFlagged }).then(setR).catch(() => setR(null));
  }, [survey.id, excludeFlagged]);
  if (!r) return null;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Space wrap>
        <Descriptions size="small" column={5} items={[
          { label: '答卷', children: r.total.responses },
          { label: '满意率', children: <strong data-testid="overall-rate">{pct(r.total.rate)}</strong> },
          { label: '满意 / 基本满意 / 不满意', children: `${r.total.satisfied} / ${r.total.basic} / ${r.total.unsatisfied}` },
          { label: '疑点答卷', children: r.total.flagged },
          { label: '已剔除', children: r.total.excluded },
        ]} />
        <span><Switch size="small" checked={excludeFlagged} onChange={setExcludeFlagged} /> 不计全部疑点答卷</span>
        <ExportButton path={`/api/v1/surveys/${survey.id}/results/export.xlsx`} query={{ excludeFlagged }} filename="双评结果.xlsx" testId="survey-results-export" />
      </Space>
      <Typography.Text type="secondary">满意率 =（满意 + 基本满意）÷ 全部答题；被评价方看不到答卷人的任何信息。</Typography.Text>
      {r.dimensions.length > 0 && <DimensionBars results={r} />}
      <Table
        rowKey="key" size="small" dataSource={r.subjects} pagination={{ pageSize: 20 }} data-testid="subject-results"
        columns={[
          { title: survey.kind === 'public_cadre' ? '干部' : '单位（部门）', dataIndex: 'name' },
          { title: '所在单位', dataIndex: 'unitName' },
          { title: '答卷', dataIndex: 'responses', align: 'right' },
          { title: '满意率', dataIndex: 'rate', align: 'right', render: (v: number | null) => <strong style={{ color: v !== null && v < 0.8 ? '#cf1322' : undefined }}>{pct(v)}</strong> },
          ...r.dimensions.map((d, i) => ({
            title: d.dimension, key: d.dimension, align: 'right' as const,
            render: (_: unknown, s: SurveyResults['subjects'][number]) => pct(s.dimensions[i]?.rate ?? null),
          })),
          { title: '不满意', dataIndex: 'unsatisfied', align: 'right', render: (n: number) => (n ? <Tag color="red">{n}</Tag> : 0) },
        ]}
      />
      <Card size="small" title={`意见与整改（${r.comments.length}）`}>
        <Table
          rowKey={(_, i) => String(i)} size="small" dataSource={r.comments} pagination={{ pageSize: 10 }} data-testid="survey-comments"
          columns={[
            { title: '日期', dataIndex: 'submittedOn', width: 110 },
            { title: '对象', dataIndex: 'subjectName' },
            { title: '维度', dataIndex: 'dimension' },
            { title: '评价', dataIndex: 'value', render: (v: SurveyAnswerValue) => <Tag color={valueColor[v]}>{surveyAnswerLabels[v].zh}</Tag> },
            { title: '意见', dataIndex: 'comment' },
            { title: '整改工单', dataIndex: 'ticketId', render: (id: number | null, c) => (id ? <Link to={`/tickets/${id}`}>{c.ticketCode}</Link> : '—') },
          ]}
        />
      </Card>
    </Space>
  );
}

function LinksTab({ survey, editable, onChange }: { survey: SurveyDto; editable: boolean; onChange: () => void }) {
  const { message } = App.useApp();
  const [links, setLinks] = useState<SurveyLink[]>([]);
  const [options, setOptions] = useState<{ value: number; label: string }[]>([]);
  const [picked, setPicked] = useState<number[]>([]);
  const byTarget = surveyLinkSubject(survey.kind) === 'target';
  const load = useCallback(() => {
    api.get<SurveyLink[]>(`/api/v1/surveys/${survey.id}/links`).then(setLinks).catch(() => setLinks([]));
  }, [survey.id]);
  useEffect(load, [load]);
  const search = (q: string) => {
    const path = byTarget ? '/api/v1/targets' : '/api/v1/units';
    api.get<Page<{ id: number; name: string; regionName: string }>>(path, { q, pageSize: 50 }, { quiet: true })
      .then((p) => setOptions(p.items.map((x) => ({ value: x.id, label: `${x.name}（${x.regionName}）` }))))
      .catch(() => setOptions([]));
  };
  // The first page of choices when the tab opens; typing searches again.
  const searchRef = useRef(search);
  searchRef.current = search;
  useEffect(() => searchRef.current(''), [byTarget]);
  const create = async () => {
    try {
      const r = await api.post<SurveyLink[]>(`/api/v1/surveys/${survey.id}/links`, byTarget ? { targetIds: picked } : { unitIds: picked });
      setLinks(r);
      setPicked([]);
      message.success('链接已生成');
      onChange();
    } catch { /* shown by the api helper */ }
  };
  const origin = window.location.origin;
  return (
    <>
      {editable && (
        <Space className="lx-no-print" style={{ marginBottom: 12 }} wrap>
          <Select
            mode="multiple" showSearch filterOption={false} onSearch={search} style={{ minWidth: 360 }} value={picked} onChange={setPicked} options={options}
            placeholder={byTarget ? '选择联系对象（其联系干部接受评价）' : '选择单位（部门）'} data-testid="link-subjects"
          />
          <Button type="primary" icon={<QrcodeOutlined />} onClick={create} disabled={picked.length === 0} data-testid="make-links">生成链接和二维码</Button>
          <Button icon={<PrinterOutlined />} onClick={() => window.print()}>打印二维码</Button>
        </Space>
      )}
      <div className="lx-qr-grid" style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(220px, 1fr))', gap: 12 }}>
        {links.map((l) => (
          <Card key={l.id} size="small" className="lx-qr-card" data-testid={`link-${l.id}`}>
            <div style={{ textAlign: 'center' }}>
              <Typography.Text strong>{survey.title}</Typography.Text>
              <img src={`/api/v1/surveys/${survey.id}/links/${l.id}/qr.svg`} alt={`二维码：${l.subjectName}`} style={{ width: 180, height: 180, display: 'block', margin: '8px auto' }} />
              <div><strong>{l.subjectName}</strong> <Typography.Text type="secondary">{l.regionName}</Typography.Text></div>
              {byTarget && <div style={{ fontSize: 12 }}>评价对象：{l.cadreNames.join('、') || '（暂无联系干部）'}</div>}
              <Typography.Text copyable={{ text: `${origin}${l.path}` }} style={{ fontSize: 11 }} className="lx-no-print">{l.path}</Typography.Text>
              <div style={{ fontSize: 12, color: '#888' }} className="lx-no-print">已收答卷 {l.responseCount}</div>
            </div>
          </Card>
        ))}
      </div>
      {links.length === 0 && <Typography.Text type="secondary">还没有链接。{byTarget ? '为联系对象（村、社区、企业等）生成链接，群众扫码评价为其服务的干部。' : '为单位生成链接，扫码评价该单位。'}</Typography.Text>}
      <style>{'@media print { .lx-no-print, .ant-layout-sider, .ant-layout-header, .ant-tabs-nav { display: none !important; } .lx-qr-card { break-inside: avoid; } }'}</style>
    </>
  );
}

function FlagsTab({ survey, onChange }: { survey: SurveyDto; onChange: () => void }) {
  const { message } = App.useApp();
  const [flags, setFlags] = useState<SurveyFlag[]>([]);
  const [selected, setSelected] = useState<number[]>([]);
  const load = useCallback(() => {
    api.get<SurveyFlag[]>(`/api/v1/surveys/${survey.id}/flags`).then(setFlags).catch(() => setFlags([]));
  }, [survey.id]);
  useEffect(load, [load]);
  const mark = async (excluded: boolean) => {
    try {
      await api.post(`/api/v1/surveys/${survey.id}/exclusions`, { responseIds: selected, excluded });
      message.success(excluded ? '已剔除，不计入结果' : '已恢复计入结果');
      setSelected([]);
      load();
      onChange();
    } catch { /* shown */ }
  };
  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        <Button danger disabled={selected.length === 0} onClick={() => mark(true)} data-testid="exclude-flagged">剔除所选（不计入结果）</Button>
        <Button disabled={selected.length === 0} onClick={() => mark(false)}>恢复计入</Button>
        <Typography.Text type="secondary">阈值见服务器配置（LIANXIN_SURVEY_*）；证据只显示分组标识，不显示号码、设备或地址。</Typography.Text>
      </Space>
      <Table<SurveyFlag>
        rowKey="responseId" size="small" dataSource={flags} data-testid="survey-flags"
        rowSelection={{ selectedRowKeys: selected, onChange: (k) => setSelected(k as number[]) }}
        columns={[
          { title: '答卷', dataIndex: 'responseId', width: 80 },
          { title: '对象', dataIndex: 'subjectName' },
          { title: '提交时间', dataIndex: 'submittedAt', render: (t: string) => new Date(t).toLocaleString('zh-CN', { hour12: false }) },
          { title: '疑点', key: 'kinds', render: (_, f) => f.kinds.map((k) => <div key={k.kind}><Tag color="orange">{surveyFlagLabels[k.kind].zh}</Tag>{k.explanation}</div>) },
          { title: '状态', dataIndex: 'excluded', render: (x: boolean) => (x ? <Tag>已剔除</Tag> : <Tag color="blue">计入</Tag>) },
        ]}
      />
    </>
  );
}

export default function SurveyDetailPage() {
  const { id } = useParams<{ id: string }>();
  const { me } = useAuth();
  const { message } = App.useApp();
  const [survey, setSurvey] = useState<SurveyDto | null>(null);
  const [editing, setEditing] = useState(false);
  const [form] = Form.useForm<{ questions: QuestionRow[] }>();
  const load = useCallback(() => {
    api.get<SurveyDto>(`/api/v1/surveys/${id}`).then(setSurvey).catch(() => setSurvey(null));
  }, [id]);
  useEffect(load, [load]);
  if (!survey) return null;
  const editable = can(me, 'survey.configure');
  const setState = async (state: 'open' | 'closed') => {
    try {
      setSurvey(await api.patch<SurveyDto>(`/api/v1/surveys/${survey.id}`, { version: survey.version, state }));
      message.success(state === 'open' ? '问卷已开放' : '问卷已关闭');
    } catch { /* shown */ }
  };
  const saveQuestions = async (v: { questions: QuestionRow[] }) => {
    try {
      setSurvey(await api.patch<SurveyDto>(`/api/v1/surveys/${survey.id}`, { version: survey.version, questions: v.questions }, { quiet: true }));
      setEditing(false);
    } catch (e) {
      message.error((e as Error).message);
      showFieldErrors(form, e);
    }
  };
  return (
    <Card
      title={<Space><Link to="/surveys">双评</Link>/<span>{survey.title}</span><Tag color={stateColor[survey.state]}>{surveyStateLabels[survey.state].zh}</Tag></Space>}
      extra={editable && (
        <Space className="lx-no-print">
          {survey.state !== 'open' && <Button type="primary" onClick={() => setState('open')} data-testid="open-survey">开放答卷</Button>}
          {survey.state === 'open' && <Button danger onClick={() => setState('closed')}>关闭问卷</Button>}
        </Space>
      )}
    >
      <Descriptions size="small" column={4} style={{ marginBottom: 12 }} className="lx-no-print" items={[
        { label: '类型', children: surveyKindLabels[survey.kind].zh },
        { label: '周期', children: `${survey.periodLabel}（${survey.startsOn} 至 ${survey.endsOn}）` },
        { label: '区划', children: survey.regionName },
        { label: '活动', children: survey.campaignName ?? '—' },
      ]} />
      <Tabs
        defaultActiveKey={survey.responseCount > 0 ? 'results' : 'questions'}
        items={[
          {
            key: 'questions', label: `题目（${survey.questions.length}）`,
            children: (
              <>
                {survey.responseCount > 0 && <Alert type="info" showIcon message="已有人作答，题目和周期不能再修改。" style={{ marginBottom: 12 }} />}
                <Table
                  rowKey="id" size="small" pagination={false} dataSource={survey.questions}
                  columns={[
                    { title: '序号', dataIndex: 'position', width: 60 },
                    { title: '维度', dataIndex: 'dimension', width: 120 },
                    { title: '题目', dataIndex: 'text' },
                    { title: '必答', dataIndex: 'required', width: 70, render: (b: boolean) => (b ? '是' : '否') },
                    { title: '可填意见', dataIndex: 'allowComment', width: 90, render: (b: boolean) => (b ? '是' : '否') },
                  ]}
                />
                {editable && survey.responseCount === 0 && <Button style={{ marginTop: 12 }} onClick={() => { form.setFieldsValue({ questions: survey.questions }); setEditing(true); }}>修改题目</Button>}
                <Modal title="修改题目" open={editing} onCancel={() => setEditing(false)} onOk={() => form.submit()} width={860} destroyOnHidden>
                  <Form form={form} onFinish={saveQuestions} preserve={false}><QuestionsEditor /></Form>
                </Modal>
              </>
            ),
          },
          ...(editable ? [{ key: 'links', label: `链接与二维码（${survey.linkCount}）`, children: <LinksTab survey={survey} editable={editable} onChange={load} /> }] : []),
          { key: 'results', label: `结果（${survey.responseCount}）`, children: <ResultsTab key={survey.version + survey.responseCount} survey={survey} /> },
          ...(editable ? [{ key: 'flags', label: `疑点（${survey.flaggedCount}）`, children: <FlagsTab survey={survey} onChange={load} /> }] : []),
        ]}
      />
    </Card>
  );
}
