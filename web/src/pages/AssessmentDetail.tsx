import { DeleteOutlined, PlusOutlined, QuestionCircleOutlined } from '@ant-design/icons';
import {
  Alert, App as AntApp, Button, Card, Collapse, DatePicker, Descriptions, Drawer, Empty, Form, Input, InputNumber, Modal, Radio, Select, Space, Table, Tabs, Tag, Tooltip,
} from 'antd';
import type { TableColumnsType } from 'antd';
import dayjs from 'dayjs';
import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useParams } from 'react-router-dom';
import {
  assessmentActionLabels, assessmentStatusLabels, autoMeasureDefinitions, autoMeasures, decisionKindLabels, decisionKinds, describeFormula,
  formulaKindLabels, noDataRule, subjectKindLabels, TOTAL_WEIGHT, treeWeight,
  type AssessmentAction, type AssessmentDetailDto, type AssessmentItemDto, type AutoFormula, type AutoMeasure, type DecisionDto,
  type RankingDto, type ScoreSheetDto,
} from '../../../contracts/assessments.ts';
import { photoThumbUrl, photoUrl, type PhotoRef } from '../../../contracts/photos.ts';
import { api, request, type Page } from '../api.ts';
import { can, useMe } from '../auth.tsx';
import { PhotoStrip, PhotoUploader } from '../components/PhotoStrip.tsx';
import { CadreSelect, UnitSelect } from '../components/RemoteSelect.tsx';
import { ExportButton } from '../components/ExportButton.tsx';
import { NotFound, PageSpin, PageTitle } from '../components/Status.tsx';
import { useI18n } from '../i18n.ts';
import { useText } from './Assessments.tsx';

echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

// One scheme of the 1000-point assessment: its indicator tree (edited while a draft, with the
// running total against 1000), the score sheet of each assessed township or unit (auto values
// with the figures they came from, manual scores with evidence), the ranking, and the rewards and
// penalties decided on it. The server decides; the page only hides what would be refused.

type Indicator = { code: string; name: string; weight: number | null; method: 'auto' | 'manual'; measure?: AutoMeasure | undefined; formula?: AutoFormula | undefined; description?: string };
type Group = { code: string; name: string; indicators: Indicator[] };
type Adjust = { code: string; name: string; weight: number | null };
type Draft = { groups: Group[]; bonus: Adjust[]; deductions: Adjust[]; bonusCap: number; deductionCap: number };

const photoRefs = (ids: number[]): PhotoRef[] => ids.map((id) => ({ id, url: photoUrl(id), thumbUrl: photoThumbUrl(id), hasThumbnail: true, takenAt: null }));

function draftOf(d: AssessmentDetailDto): Draft {
  const groups = d.items.filter((i) => i.kind === 'group').map((g) => ({
    code: g.code, name: g.name,
    indicators: d.items.filter((i) => i.parentId === g.id).map((i) => ({
      code: i.code, name: i.name, weight: i.weight, method: i.method ?? 'manual', measure: i.measure ?? undefined, formula: i.formula ?? undefined, description: i.description,
    })),
  }));
  const adj = (k: 'bonus' | 'deduction') => d.items.filter((i) => i.kind === k).map((i) => ({ code: i.code, name: i.name, weight: i.weight }));
  return { groups, bonus: adj('bonus'), deductions: adj('deduction'), bonusCap: d.bonusCap, deductionCap: d.deductionCap };
}

export default function AssessmentDetailPage() {
  const id = Number(useParams().id);
  const tx = useText();
  const { l } = useI18n();
  const { message } = AntApp.useApp();
  const me = useMe();
  const [d, setD] = useState<AssessmentDetailDto | null | undefined>(undefined);
  const [tab, setTab] = useState('tree');
  const [returning, setReturning] = useState(false);
  const [busy, setBusy] = useState(false);
  const [nonce, setNonce] = useState(0);

  const load = useCallback(() => api.get<AssessmentDetailDto>(`/api/v1/assessments/${id}`).then(setD).catch(() => setD(null)), [id]);
  useEffect(() => {
    void load();
  }, [load, nonce]);

  if (d === undefined) return <PageSpin />;
  if (d === null) return <NotFound />;

  const act = async (action: AssessmentAction, reason?: string) => {
    setBusy(true);
    try {
      setD(await api.post<AssessmentDetailDto>(`/api/v1/assessments/${id}/actions`, { action, ...(reason ? { reason } : {}) }));
      message.success(l(assessmentActionLabels[action]));
      setNonce((n) => n + 1);
    } catch {
      /* shown by the api helper */
    } finally {
      setBusy(false);
    }
  };
  const compute = async () => {
    setBusy(true);
    try {
      const r = await api.post<{ computed: number }>(`/api/v1/assessments/${id}/compute`);
      message.success(tx(`已计算 ${r.computed} 项自动指标`, `${r.computed} auto scores computed`));
      setNonce((n) => n + 1);
    } catch {
      /* shown */
    } finally {
      setBusy(false);
    }
  };
  const canScore = d.status === 'scoring' && d.actions.includes('submit');

  return (
    <div>
      <PageTitle
        title={<span>{d.name} <Tag color={assessmentStatusLabels[d.status].color} data-testid="assessment-status">{l(assessmentStatusLabels[d.status])}</Tag></span>}
        extra={
          <Space wrap>
            {canScore ? <Button onClick={compute} loading={busy} data-testid="assessment-compute">{tx('计算自动指标', 'Compute auto indicators')}</Button> : null}
            {d.actions.map((a) => (
              <Button key={a} type={a === 'return' ? 'default' : 'primary'} danger={a === 'return'} loading={busy} data-testid={`assessment-action-${a}`}
                onClick={() => (a === 'return' ? setReturning(true) : void act(a))}>
                {l(assessmentActionLabels[a])}
              </Button>
            ))}
          </Space>
        }
      />
      <Descriptions size="small" column={{ xs: 1, md: 4 }} style={{ marginBottom: 12 }}>
        <Descriptions.Item label={tx('年度', 'Year')}>{d.year}</Descriptions.Item>
        <Descriptions.Item label={tx('考核区划', 'Region')}>{d.regionName}</Descriptions.Item>
        <Descriptions.Item label={tx('考核对象', 'Assessed')}>{l(subjectKindLabels[d.subjectKind])} × {d.subjectCount}</Descriptions.Item>
        <Descriptions.Item label={tx('指标分值合计', 'Weights')}>{d.weightTotal} / {TOTAL_WEIGHT}</Descriptions.Item>
      </Descriptions>
      {d.returnReason && d.status === 'scoring' ? <Alert type="warning" showIcon style={{ marginBottom: 12 }} message={tx(`已退回：${d.returnReason}`, `Returned: ${d.returnReason}`)} data-testid="assessment-returned" /> : null}
      {d.status === 'approved' || d.status === 'published' ? <Alert type="success" showIcon style={{ marginBottom: 12 }} message={tx('已审批，分数已冻结', 'Approved: scores are frozen')} /> : null}
      <Tabs activeKey={tab} onChange={setTab} items={[
        { key: 'tree', label: tx('指标体系', 'Indicators'), children: <TreeTab d={d} editable={d.status === 'draft' && d.actions.includes('start') && can(me, 'assessment.configure')} onSaved={setD} /> },
        { key: 'scores', label: tx('评分', 'Scoring'), children: <ScoresTab d={d} canScore={canScore} nonce={nonce} onChanged={() => void load()} /> },
        { key: 'ranking', label: tx('排名', 'Ranking'), children: <RankingTab id={id} nonce={nonce} /> },
        { key: 'decisions', label: tx('奖惩', 'Rewards & penalties'), children: <DecisionsTab d={d} canAdd={can(me, 'assessment.configure')} /> },
      ]} />
      <ReturnModal open={returning} onClose={() => setReturning(false)} onReturn={async (r) => { setReturning(false); await act('return', r); }} />
    </div>
  );
}

function ReturnModal({ open, onClose, onReturn }: { open: boolean; onClose: () => void; onReturn: (reason: string) => Promise<void> }) {
  const tx = useText();
  const [reason, setReason] = useState('');
  return (
    <Modal open={open} title={tx('退回评分', 'Return for rescoring')} onCancel={onClose} okButtonProps={{ disabled: !reason.trim(), danger: true }} onOk={() => void onReturn(reason)}>
      <Input.TextArea rows={3} value={reason} onChange={(e) => setReason(e.target.value)} placeholder={tx('退回理由（必填）', 'Reason (required)')} data-testid="assessment-return-reason" />
    </Modal>
  );
}

// ── The tree ────────────────────────────────────────────────────────────────────────────────

function MeasureHelp() {
  const tx = useText();
  const { lang } = useI18n();
  return (
    <Collapse size="small" style={{ marginBottom: 12 }} items={[{
      key: 'm', label: tx('自动指标口径与计分公式', 'Auto indicators: what is counted and how it is scored'),
      children: (
        <div data-testid="measure-definitions">
          {autoMeasures.map((m) => (
            <p key={m}><b>{lang === 'zh' ? autoMeasureDefinitions[m].zh : autoMeasureDefinitions[m].en}</b>：{lang === 'zh' ? autoMeasureDefinitions[m].defZh : autoMeasureDefinitions[m].defEn}</p>
          ))}
          <p><b>{tx('按目标比例', 'Ratio')}</b>：{lang === 'zh' ? formulaKindLabels.ratio.zh : formulaKindLabels.ratio.en}</p>
          <p><b>{tx('线性区间', 'Band')}</b>：{lang === 'zh' ? formulaKindLabels.band.zh : formulaKindLabels.band.en}</p>
          <p className="lx-muted">{lang === 'zh' ? noDataRule.zh : noDataRule.en}</p>
        </div>
      ),
    }]} />
  );
}

function ReadTree({ d }: { d: AssessmentDetailDto }) {
  const tx = useText();
  const { lang } = useI18n();
  const groups = d.items.filter((i) => i.kind === 'group');
  type R = AssessmentItemDto & { children?: R[] };
  const data: R[] = [
    ...groups.map((g) => ({ ...g, children: d.items.filter((i) => i.parentId === g.id) })),
    ...d.items.filter((i) => i.kind === 'bonus' || i.kind === 'deduction'),
  ];
  const columns: TableColumnsType<R> = [
    { title: tx('编码', 'Code'), dataIndex: 'code', width: 110 },
    { title: tx('名称', 'Name'), dataIndex: 'name', render: (n: string, r) => (r.kind === 'bonus' ? <span><Tag color="green">{tx('加分', 'Bonus')}</Tag>{n}</span> : r.kind === 'deduction' ? <span><Tag color="red">{tx('扣分', 'Deduction')}</Tag>{n}</span> : n) },
    { title: tx('分值', 'Weight'), dataIndex: 'weight', width: 90, align: 'right', render: (w: number, r) => (r.kind === 'bonus' || r.kind === 'deduction' ? `≤ ${w}` : w) },
    { title: tx('评分方式', 'Method'), dataIndex: 'method', width: 100, render: (m: string | null, r) => (r.kind === 'group' ? null : m === 'auto' ? <Tag color="blue">{tx('自动', 'Auto')}</Tag> : <Tag>{tx('人工', 'Manual')}</Tag>) },
    { title: tx('计分公式', 'Formula'), dataIndex: 'formulaText', render: (f: AssessmentItemDto['formulaText']) => (f ? (lang === 'zh' ? f.zh : f.en) : null) },
  ];
  if (d.items.length === 0) return <Empty description={tx('尚未设置指标', 'No indicators yet')} />;
  return (
    <>
      <Table rowKey="id" size="small" dataSource={data} columns={columns} pagination={false} expandable={{ defaultExpandAllRows: true }} data-testid="assessment-tree" />
      <p className="lx-muted" style={{ marginTop: 8 }}>{tx(`加分合计上限 ${d.bonusCap} 分，扣分合计上限 ${d.deductionCap} 分`, `Bonus capped at ${d.bonusCap}, deductions at ${d.deductionCap}`)}</p>
    </>
  );
}

const emptyIndicator = (): Indicator => ({ code: '', name: '', weight: null, method: 'manual' });

function TreeTab({ d, editable, onSaved }: { d: AssessmentDetailDto; editable: boolean; onSaved: (d: AssessmentDetailDto) => void }) {
  const tx = useText();
  const { lang } = useI18n();
  const { message } = AntApp.useApp();
  const [draft, setDraft] = useState<Draft>(() => draftOf(d));
  const [error, setError] = useState<{ field: string | null; message: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const total = treeWeight({ groups: draft.groups.map((g) => ({ indicators: g.indicators.map((i) => ({ weight: i.weight ?? 0 })) })) });
  if (!editable) return <><MeasureHelp /><ReadTree d={d} /></>;

  const setGroup = (gi: number, g: Partial<Group>) => setDraft((x) => ({ ...x, groups: x.groups.map((o, i) => (i === gi ? { ...o, ...g } : o)) }));
  const setInd = (gi: number, ii: number, v: Partial<Indicator>) =>
    setGroup(gi, { indicators: draft.groups[gi]!.indicators.map((o, i) => (i === ii ? { ...o, ...v } : o)) });
  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      const body = {
        ...draft,
        groups: draft.groups.map((g) => ({ ...g, indicators: g.indicators.map((i) => ({ ...i, weight: i.weight ?? 0, ...(i.method === 'manual' ? { measure: undefined, formula: undefined } : {}) })) })),
        bonus: draft.bonus.map((b) => ({ ...b, weight: b.weight ?? 0 })),
        deductions: draft.deductions.map((b) => ({ ...b, weight: b.weight ?? 0 })),
      };
      const saved = await request<AssessmentDetailDto>('PUT', `/api/v1/assessments/${d.id}/items`, { body, quiet: true });
      onSaved(saved);
      message.success(tx('指标体系已保存', 'Saved'));
    } catch (e) {
      const det = (e as { details?: { field?: string } }).details;
      setError({ field: det?.field ?? null, message: (e as Error).message });
    } finally {
      setSaving(false);
    }
  };
  const ok = total === TOTAL_WEIGHT;
  const diff = Math.round((TOTAL_WEIGHT - total) * 100) / 100;

  return (
    <div>
      <MeasureHelp />
      <Alert
        type={ok ? 'success' : 'warning'} showIcon style={{ marginBottom: 12 }} data-testid="weight-total"
        message={tx(`指标分值合计 ${total} / ${TOTAL_WEIGHT} 分${ok ? '' : diff > 0 ? `，还差 ${diff} 分` : `，超出 ${-diff} 分`}`, `Weights total ${total} / ${TOTAL_WEIGHT}${ok ? '' : diff > 0 ? `, ${diff} short` : `, ${-diff} over`}`)}
      />
      {error ? <Alert type="error" showIcon style={{ marginBottom: 12 }} message={error.message} description={error.field ? `${tx('字段', 'Field')}: ${error.field}` : undefined} data-testid="tree-error" /> : null}
      {draft.groups.map((g, gi) => {
        const gw = Math.round(g.indicators.reduce((a, i) => a + (i.weight ?? 0), 0) * 100) / 100;
        return (
          <Card key={gi} size="small" style={{ marginBottom: 12 }} data-testid={`group-${gi}`}
            title={
              <Space>
                <Input value={g.code} placeholder={tx('编码', 'Code')} style={{ width: 80 }} onChange={(e) => setGroup(gi, { code: e.target.value })} data-testid={`group-${gi}-code`} />
                <Input value={g.name} placeholder={tx('类别名称', 'Group name')} style={{ width: 220 }} onChange={(e) => setGroup(gi, { name: e.target.value })} data-testid={`group-${gi}-name`} />
                <Tag>{tx(`小计 ${gw} 分`, `Subtotal ${gw}`)}</Tag>
              </Space>
            }
            extra={<Button size="small" icon={<DeleteOutlined />} onClick={() => setDraft((x) => ({ ...x, groups: x.groups.filter((_, i) => i !== gi) }))}>{tx('删除类别', 'Remove group')}</Button>}>
            {g.indicators.map((ind, ii) => (
              <div key={ii} style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'center', marginBottom: 8 }} data-testid={`ind-${gi}-${ii}`}>
                <Input value={ind.code} placeholder={tx('编码', 'Code')} style={{ width: 80 }} onChange={(e) => setInd(gi, ii, { code: e.target.value })} data-testid={`ind-${gi}-${ii}-code`} />
                <Input value={ind.name} placeholder={tx('指标名称', 'Indicator')} style={{ width: 200 }} onChange={(e) => setInd(gi, ii, { name: e.target.value })} data-testid={`ind-${gi}-${ii}-name`} />
                <InputNumber value={ind.weight} min={0} max={1000} placeholder={tx('分值', 'Weight')} style={{ width: 100 }} onChange={(v) => setInd(gi, ii, { weight: v })} data-testid={`ind-${gi}-${ii}-weight`} />
                <Radio.Group size="small" value={ind.method} onChange={(e) => setInd(gi, ii, { method: e.target.value, ...(e.target.value === 'auto' ? { measure: ind.measure ?? 'coverage', formula: ind.formula ?? { kind: 'ratio', target: 1 } } : {}) })}
                  options={[{ value: 'auto', label: tx('自动', 'Auto') }, { value: 'manual', label: tx('人工', 'Manual') }]} optionType="button" />
                {ind.method === 'auto' ? (
                  <>
                    <Select size="small" style={{ width: 150 }} value={ind.measure} onChange={(m) => setInd(gi, ii, { measure: m })}
                      options={autoMeasures.map((m) => ({ value: m, label: lang === 'zh' ? autoMeasureDefinitions[m].zh : autoMeasureDefinitions[m].en }))} />
                    <Select size="small" style={{ width: 120 }} value={ind.formula?.kind ?? 'ratio'}
                      onChange={(k) => setInd(gi, ii, { formula: k === 'band' ? { kind: 'band', floor: 0, target: ind.formula?.target ?? 1 } : { kind: 'ratio', target: ind.formula?.target ?? 1 } })}
                      options={[{ value: 'ratio', label: tx('按目标比例', 'Ratio') }, { value: 'band', label: tx('线性区间', 'Band') }]} />
                    {ind.formula?.kind === 'band' ? (
                      <InputNumber size="small" style={{ width: 110 }} addonBefore={tx('起评', 'Floor')} value={ind.formula.floor} min={0} step={0.05}
                        onChange={(v) => setInd(gi, ii, { formula: { ...(ind.formula as Extract<AutoFormula, { kind: 'band' }>), floor: v ?? 0 } })} />
                    ) : null}
                    <InputNumber size="small" style={{ width: 120 }} addonBefore={tx('目标', 'Target')} value={ind.formula?.target} min={0} step={0.05}
                      onChange={(v) => setInd(gi, ii, { formula: { ...(ind.formula ?? { kind: 'ratio' }), target: v ?? 0 } as AutoFormula })} />
                    {ind.measure && ind.formula ? <span className="lx-muted" style={{ fontSize: 12 }}>{(() => { const f = describeFormula(ind.measure, ind.weight ?? 0, ind.formula); return lang === 'zh' ? f.zh : f.en; })()}</span> : null}
                  </>
                ) : null}
                <Button size="small" type="text" icon={<DeleteOutlined />} onClick={() => setGroup(gi, { indicators: g.indicators.filter((_, i) => i !== ii) })} />
              </div>
            ))}
            <Button size="small" icon={<PlusOutlined />} onClick={() => setGroup(gi, { indicators: [...g.indicators, emptyIndicator()] })} data-testid={`group-${gi}-add`}>{tx('添加指标', 'Add indicator')}</Button>
          </Card>
        );
      })}
      <Button icon={<PlusOutlined />} style={{ marginBottom: 16 }} onClick={() => setDraft((x) => ({ ...x, groups: [...x.groups, { code: '', name: '', indicators: [emptyIndicator()] }] }))} data-testid="group-add">{tx('添加指标类别', 'Add group')}</Button>
      {(['bonus', 'deductions'] as const).map((k) => (
        <Card key={k} size="small" style={{ marginBottom: 12 }}
          title={<Space>{k === 'bonus' ? tx('加分项', 'Bonus items') : tx('扣分项', 'Deduction items')}
            <InputNumber size="small" min={0} max={1000} addonBefore={tx('合计上限', 'Cap')} value={k === 'bonus' ? draft.bonusCap : draft.deductionCap}
              onChange={(v) => setDraft((x) => ({ ...x, [k === 'bonus' ? 'bonusCap' : 'deductionCap']: v ?? 0 }))} /></Space>}>
          {draft[k].map((a, ai) => (
            <Space key={ai} style={{ marginBottom: 8 }}>
              <Input value={a.code} placeholder={tx('编码', 'Code')} style={{ width: 80 }} onChange={(e) => setDraft((x) => ({ ...x, [k]: x[k].map((o, i) => (i === ai ? { ...o, code: e.target.value } : o)) }))} />
              <Input value={a.name} placeholder={tx('名称', 'Name')} style={{ width: 240 }} onChange={(e) => setDraft((x) => ({ ...x, [k]: x[k].map((o, i) => (i === ai ? { ...o, name: e.target.value } : o)) }))} />
              <InputNumber value={a.weight} min={0} max={1000} addonBefore={tx('最多', 'Max')} style={{ width: 130 }} onChange={(v) => setDraft((x) => ({ ...x, [k]: x[k].map((o, i) => (i === ai ? { ...o, weight: v } : o)) }))} />
              <Button size="small" type="text" icon={<DeleteOutlined />} onClick={() => setDraft((x) => ({ ...x, [k]: x[k].filter((_, i) => i !== ai) }))} />
            </Space>
          ))}
          <div><Button size="small" icon={<PlusOutlined />} onClick={() => setDraft((x) => ({ ...x, [k]: [...x[k], { code: '', name: '', weight: null }] }))}>{tx('添加', 'Add')}</Button></div>
        </Card>
      ))}
      <Button type="primary" onClick={save} loading={saving} data-testid="tree-save">{tx('保存指标体系', 'Save the tree')}</Button>
    </div>
  );
}

// ── Scores ──────────────────────────────────────────────────────────────────────────────────

function ScoresTab({ d, canScore, nonce, onChanged }: { d: AssessmentDetailDto; canScore: boolean; nonce: number; onChanged: () => void }) {
  const tx = useText();
  const [open, setOpen] = useState<number | null>(null);
  const expected = d.items.filter((i) => i.kind === 'indicator').length;
  const columns: TableColumnsType<AssessmentDetailDto['subjects'][number]> = [
    { title: tx('考核对象', 'Assessed'), dataIndex: 'name', render: (n: string, r) => <a onClick={() => setOpen(r.id)} data-testid={`subject-${r.regionCode ?? r.unitId}`}>{n}</a> },
    { title: tx('已评指标', 'Scored'), dataIndex: 'scored', width: 120, render: (n: number) => <Tag color={n === expected ? 'green' : 'orange'}>{n} / {expected}</Tag> },
    { title: tx('总分', 'Total'), dataIndex: 'total', width: 120, align: 'right', render: (t: number) => t.toFixed(2) },
  ];
  return (
    <>
      <Table rowKey="id" size="small" dataSource={d.subjects} columns={columns} pagination={false} data-testid="subject-list" />
      <Drawer open={open !== null} size={Math.min(1200, window.innerWidth - 40)} onClose={() => { setOpen(null); onChanged(); }} title={tx('评分表', 'Score sheet')} destroyOnHidden>
        {open !== null ? <Sheet d={d} subjectId={open} canScore={canScore} nonce={nonce} /> : null}
      </Drawer>
    </>
  );
}

function Sheet({ d, subjectId, canScore, nonce }: { d: AssessmentDetailDto; subjectId: number; canScore: boolean; nonce: number }) {
  const tx = useText();
  const { lang } = useI18n();
  const [sheet, setSheet] = useState<ScoreSheetDto | null>(null);
  useEffect(() => {
    api.get<ScoreSheetDto>(`/api/v1/assessments/${d.id}/subjects/${subjectId}`).then(setSheet).catch(() => undefined);
  }, [d.id, subjectId, nonce]);
  if (!sheet) return <PageSpin />;
  const byId = new Map(d.items.map((i) => [i.id, i]));
  type R = ScoreSheetDto['scores'][number] & { item: AssessmentItemDto };
  const rows: R[] = sheet.scores.map((s) => ({ ...s, item: byId.get(s.itemId)! })).filter((r) => r.item);
  const columns: TableColumnsType<R> = [
    { title: tx('指标', 'Indicator'), width: 220, render: (_, r) => (
      <span>
        {r.item.kind === 'bonus' ? <Tag color="green">{tx('加分', 'Bonus')}</Tag> : r.item.kind === 'deduction' ? <Tag color="red">{tx('扣分', 'Deduction')}</Tag> : null}
        <b>{r.item.code}</b> {r.item.name}
        {r.item.formulaText ? <Tooltip title={lang === 'zh' ? r.item.formulaText.zh : r.item.formulaText.en}> <QuestionCircleOutlined className="lx-muted" /></Tooltip> : null}
      </span>
    ) },
    { title: tx('分值', 'Weight'), width: 70, align: 'right', render: (_, r) => r.item.weight },
    { title: tx('实际值（依据）', 'Value (inputs)'), width: 200, render: (_, r) => (r.item.method === 'auto' ? (
      <span data-testid={`value-${r.item.code}`}>
        {r.valueText ?? '—'}
        {r.numerator !== null ? <span className="lx-muted" style={{ fontSize: 12 }}> {r.denominator !== null ? `= ${r.numerator} ÷ ${r.denominator}` : (r.item.measure === 'funds' ? `(${tx('合计', 'sum')} ${r.numerator / 100}${tx('元', ' yuan')})` : `(${tx('计数', 'count')} ${r.numerator})`)}</span> : null}
      </span>
    ) : <span className="lx-muted">{tx('人工评分', 'Manual')}</span>) },
    { title: tx('得分', 'Score'), width: 300, render: (_, r) => (r.item.method === 'auto' || !canScore ? (
      <span>
        <b data-testid={`score-${r.item.code}`}>{r.score === null ? '—' : r.score}</b>
        {r.note ? <span className="lx-muted"> · {r.note}</span> : null}
        {r.photoIds.length ? <div style={{ marginTop: 4 }}><PhotoStrip photos={photoRefs(r.photoIds)} size={48} /></div> : null}
      </span>
    ) : <ManualScore schemeId={d.id} subjectId={subjectId} row={r} max={r.item.weight} onSaved={setSheet} />) },
    { title: tx('录入', 'Entered'), width: 150, render: (_, r) => (r.enteredAt ? <span className="lx-muted" style={{ fontSize: 12 }}>{r.enteredBy ?? ''}<br />{new Date(r.enteredAt).toLocaleString()}</span> : null) },
  ];
  return (
    <div data-testid="score-sheet">
      <Descriptions size="small" column={4} style={{ marginBottom: 12 }}>
        <Descriptions.Item label={tx('考核对象', 'Assessed')}>{sheet.subject.name}</Descriptions.Item>
        <Descriptions.Item label={tx('指标得分', 'Indicators')}>{sheet.base}</Descriptions.Item>
        <Descriptions.Item label={tx('加分 / 扣分', 'Bonus / deduction')}>+{sheet.bonus} / −{sheet.deduction}</Descriptions.Item>
        <Descriptions.Item label={tx('总分', 'Total')}><b data-testid="sheet-total">{sheet.total}</b></Descriptions.Item>
      </Descriptions>
      <Table rowKey="itemId" size="small" dataSource={rows} columns={columns} pagination={false} scroll={{ x: 'max-content' }} />
    </div>
  );
}

function ManualScore({ schemeId, subjectId, row, max, onSaved }: { schemeId: number; subjectId: number; row: ScoreSheetDto['scores'][number] & { item: AssessmentItemDto }; max: number; onSaved: (s: ScoreSheetDto) => void }) {
  const tx = useText();
  const { message } = AntApp.useApp();
  const [score, setScore] = useState<number | null>(row.score);
  const [note, setNote] = useState(row.note);
  const [photos, setPhotos] = useState<PhotoRef[]>(photoRefs(row.photoIds));
  const [err, setErr] = useState<string | null>(null);
  const save = async () => {
    setErr(null);
    try {
      const s = await request<ScoreSheetDto>('PUT', `/api/v1/assessments/${schemeId}/subjects/${subjectId}/scores/${row.itemId}`, { body: { score: score ?? 0, note, photoIds: photos.map((p) => p.id) }, quiet: true });
      onSaved(s);
      message.success(tx('已保存', 'Saved'));
    } catch (e) {
      setErr((e as Error).message);
    }
  };
  return (
    <div data-testid={`manual-${row.item.code}`}>
      <Space.Compact style={{ width: '100%' }}>
        <InputNumber value={score} onChange={setScore} placeholder={`0～${max}`} style={{ width: 90 }} status={err ? 'error' : undefined} data-testid={`manual-${row.item.code}-score`} />
        <Input value={note} onChange={(e) => setNote(e.target.value)} placeholder={tx('评分依据', 'Evidence note')} data-testid={`manual-${row.item.code}-note`} />
        <Button type="primary" onClick={save} data-testid={`manual-${row.item.code}-save`}>{tx('保存', 'Save')}</Button>
      </Space.Compact>
      {err ? <div style={{ color: '#b7202e', fontSize: 12 }} data-testid={`manual-${row.item.code}-error`}>{err}</div> : null}
      <div style={{ marginTop: 4 }}><PhotoUploader value={photos} onChange={setPhotos} max={20} /></div>
    </div>
  );
}

// ── Ranking ─────────────────────────────────────────────────────────────────────────────────

function RankingTab({ id, nonce }: { id: number; nonce: number }) {
  const tx = useText();
  const [r, setR] = useState<RankingDto | null>(null);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    api.get<RankingDto>(`/api/v1/assessments/${id}/ranking`).then(setR).catch(() => undefined);
  }, [id, nonce]);
  const rows = useMemo(() => r?.rows ?? [], [r]);
  useEffect(() => {
    if (!box.current || rows.length === 0) return;
    const chart = echarts.init(box.current);
    chart.setOption({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: rows.map((x) => x.name), axisLabel: { rotate: rows.length > 8 ? 35 : 0, interval: 0, fontSize: 11 } },
      yAxis: { type: 'value' },
      series: [{ type: 'bar', barMaxWidth: 32, data: rows.map((x) => ({ value: x.total, itemStyle: { color: x.rank <= 3 ? '#b7202e' : '#1f5fae' } })), label: { show: true, position: 'top', fontSize: 10 } }],
    });
    const onResize = () => chart.resize();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      chart.dispose();
    };
  }, [rows, tx]);
  if (!r) return <PageSpin />;
  const columns: TableColumnsType<RankingDto['rows'][number]> = [
    { title: tx('名次', 'Rank'), dataIndex: 'rank', width: 70, render: (n: number) => <b>{n}</b> },
    { title: tx('考核对象', 'Assessed'), dataIndex: 'name' },
    { title: tx('指标得分', 'Indicators'), dataIndex: 'base', width: 110, align: 'right' },
    { title: tx('加分', 'Bonus'), dataIndex: 'bonus', width: 80, align: 'right', render: (n: number) => (n ? `+${n}` : '—') },
    { title: tx('扣分', 'Deduction'), dataIndex: 'deduction', width: 80, align: 'right', render: (n: number) => (n ? `−${n}` : '—') },
    { title: tx('总分', 'Total'), dataIndex: 'total', width: 100, align: 'right', render: (n: number) => <b>{n.toFixed(2)}</b> },
    { title: tx('已评', 'Scored'), width: 90, render: (_, x) => `${x.scored} / ${x.expected}` },
  ];
  return (
    <div>
      {!r.final ? <Alert type="info" showIcon style={{ marginBottom: 12 }} message={tx('排名为评分过程中的暂定结果，审批后为正式结果', 'Provisional until approved')} /> : null}
      <div style={{ textAlign: 'right', marginBottom: 8 }}>
        <ExportButton path={`/api/v1/assessments/${id}/ranking/export.xlsx`} filename="考核排名.xlsx" testId="ranking-export" />
      </div>
      <div ref={box} style={{ height: 300, marginBottom: 12 }} data-testid="ranking-chart" />
      <Table rowKey="subjectId" size="small" dataSource={rows} columns={columns} pagination={false} data-testid="ranking-table" />
    </div>
  );
}

// ── Rewards and penalties ───────────────────────────────────────────────────────────────────

function DecisionsTab({ d, canAdd }: { d: AssessmentDetailDto; canAdd: boolean }) {
  const tx = useText();
  const { l } = useI18n();
  const { message } = AntApp.useApp();
  const [page, setPage] = useState<Page<DecisionDto> | null>(null);
  const [adding, setAdding] = useState(false);
  const [form] = Form.useForm();
  const who = Form.useWatch('who', form) as 'cadre' | 'unit' | undefined;
  const load = useCallback(() => api.get<Page<DecisionDto>>('/api/v1/assessment-decisions', { schemeId: d.id, pageSize: 200 }).then(setPage).catch(() => undefined), [d.id]);
  useEffect(() => {
    void load();
  }, [load]);
  const add = async () => {
    const v = await form.validateFields();
    try {
      await api.post('/api/v1/assessment-decisions', {
        schemeId: d.id, year: d.year, kind: v.kind, decision: v.decision, reference: v.reference ?? '', decidedOn: (v.decidedOn as dayjs.Dayjs).format('YYYY-MM-DD'),
        ...(v.who === 'cadre' ? { cadreId: v.cadreId } : { unitId: v.unitId }),
      });
      message.success(tx('已登记', 'Recorded'));
      setAdding(false);
      form.resetFields();
      void load();
    } catch {
      /* shown */
    }
  };
  const columns: TableColumnsType<DecisionDto> = [
    { title: tx('对象', 'Who'), dataIndex: 'name', render: (n: string, r) => <span>{n} <span className="lx-muted">{r.cadreId ? tx('（干部）', '(cadre)') : tx('（单位）', '(unit)')}</span></span> },
    { title: tx('类型', 'Kind'), dataIndex: 'kind', width: 110, render: (k: DecisionDto['kind']) => <Tag color={decisionKindLabels[k].penalty ? 'red' : 'green'}>{l(decisionKindLabels[k])}</Tag> },
    { title: tx('决定', 'Decision'), dataIndex: 'decision' },
    { title: tx('日期', 'Date'), dataIndex: 'decidedOn', width: 110 },
    { title: tx('文号', 'Reference'), dataIndex: 'reference', width: 180 },
  ];
  const counts = new Map<string, number>();
  for (const x of page?.items ?? []) counts.set(x.kind, (counts.get(x.kind) ?? 0) + 1);
  return (
    <div>
      <Space style={{ marginBottom: 12 }} wrap>
        {decisionKinds.filter((k) => counts.get(k)).map((k) => <Tag key={k} color={decisionKindLabels[k].penalty ? 'red' : 'green'}>{l(decisionKindLabels[k])} {counts.get(k)}</Tag>)}
        {canAdd ? <Button icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="decision-add">{tx('登记奖惩', 'Record a decision')}</Button> : null}
      </Space>
      <Table rowKey="id" size="small" dataSource={page?.items ?? []} loading={page === null} columns={columns} pagination={false} data-testid="decision-list" />
      <Modal open={adding} title={tx('登记奖惩', 'Record a decision')} onCancel={() => setAdding(false)} onOk={add} destroyOnHidden>
        <Form form={form} layout="vertical" initialValues={{ who: 'cadre', kind: 'promote', decidedOn: dayjs() }}>
          <Form.Item name="who" label={tx('对象', 'Who')}><Radio.Group options={[{ value: 'cadre', label: tx('干部', 'Cadre') }, { value: 'unit', label: tx('单位', 'Unit') }]} /></Form.Item>
          {who === 'unit'
            ? <Form.Item name="unitId" label={tx('单位', 'Unit')} rules={[{ required: true }]}><UnitSelect /></Form.Item>
            : <Form.Item name="cadreId" label={tx('干部', 'Cadre')} rules={[{ required: true }]}><CadreSelect /></Form.Item>}
          <Form.Item name="kind" label={tx('类型', 'Kind')}><Select options={decisionKinds.map((k) => ({ value: k, label: l(decisionKindLabels[k]) }))} /></Form.Item>
          <Form.Item name="decision" label={tx('决定内容', 'Decision')} rules={[{ required: true }]}><Input.TextArea rows={2} maxLength={1000} /></Form.Item>
          <Form.Item name="decidedOn" label={tx('决定日期', 'Date')} rules={[{ required: true }]}><DatePicker /></Form.Item>
          <Form.Item name="reference" label={tx('文号', 'Reference')}><Input maxLength={100} placeholder="象委干〔2026〕号" /></Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
