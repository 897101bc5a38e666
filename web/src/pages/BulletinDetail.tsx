import { ArrowLeftOutlined, DeleteOutlined, DownloadOutlined, EditOutlined, SendOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, DatePicker, Drawer, Empty, Form, Input, Popconfirm, Select, Space, Spin, Table, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { bulletinStatusLabels, splitByLinks, type BulletinChart, type BulletinDto, type BulletinHighlight, type BulletinRecordsResult, type UpdateBulletin } from '../../../contracts/bulletins.ts';
import { figureDefinitions, type FigureKey, type FigureRecord } from '../../../contracts/statistics.ts';
import { writingKindLabels } from '../../../contracts/writings.ts';
import { api, ApiError, download, type Page } from '../api.ts';
import { bodyFieldErrors } from '../components/recordCommon.tsx';
import { figureText } from '../components/dashboardCommon.tsx';
import { useBulletinText, statusTag } from './Bulletins.tsx';

// One bulletin, laid out like the printed 简报: the red masthead, 第N期, the issuing office and
// date above a red rule, the headline, the paragraphs; every figure in the statistics paragraph
// is a link that opens the records behind it (a draft: as of now; a published bulletin: the
// records stored when it was published). A draft is edited in place and published after a
// confirmation; either downloads as Word.

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, SVGRenderer]);

const fullDate = (d: string) => `${Number(d.slice(0, 4))}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;
const numerals = ['一', '二', '三', '四', '五'];


function Chart({ chart }: { chart: BulletinChart }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const c = echarts.init(ref.current, null, { renderer: 'svg' });
    c.setOption({
      animation: false,
      title: { text: chart.title, left: 'center', textStyle: { fontSize: 15 } },
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 48, right: 24, top: 48, bottom: chart.categories.length > 8 ? 72 : 48 },
      xAxis: { type: 'category', data: chart.categories, axisLabel: { interval: 0, rotate: chart.categories.length > 8 ? 40 : 0 } },
      yAxis: { type: 'value' },
      series: chart.series.map((s) => ({ name: s.name, type: chart.type, data: s.data, label: chart.type === 'bar' && chart.categories.length <= 12 ? { show: true, position: 'top' } : undefined })),
    });
    const resize = () => c.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      c.dispose();
    };
  }, [chart]);
  return <div ref={ref} style={{ width: '100%', height: 320, margin: '12px 0' }} data-testid="bulletin-chart" />;
}

const paper: React.CSSProperties = {
  background: '#fff', maxWidth: 820, margin: '0 auto', padding: '48px 64px 64px', boxShadow: '0 2px 12px rgba(0,0,0,0.12)',
  fontFamily: '"仿宋_GB2312", "仿宋", FangSong, STFangsong, "Noto Serif CJK SC", serif', fontSize: 18, lineHeight: 1.9, color: '#1f1f1f',
};
const titleFont = '"方正小标宋简体", "华文中宋", STZhongsong, "宋体", SimSun, "Noto Serif CJK SC", serif';
const para: React.CSSProperties = { textIndent: '2em', margin: '0 0 4px', textAlign: 'justify' };
const heading: React.CSSProperties = { ...para, fontFamily: '"黑体", SimHei, "Noto Sans CJK SC", sans-serif', margin: '16px 0 6px' };

type EditValues = { title: string; office: string; masthead: string; issuedOn: Dayjs; intro: string; statistics: string; closing: string };

export default function BulletinDetailPage() {
  const { id } = useParams();
  const { bt, l, lang } = useBulletinText();
  const zh = lang === 'zh';
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const [b, setB] = useState<BulletinDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [figure, setFigure] = useState<FigureKey | null>(null);
  const [highlights, setHighlights] = useState<BulletinHighlight[]>([]);
  const [form] = Form.useForm<EditValues>();

  const load = useCallback(async () => {
    try {
      setB(await api.get<BulletinDto>(`/api/v1/bulletins/${id}`, undefined, { quiet: true }));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [id]);
  useEffect(() => { void load(); }, [load]);

  const startEdit = () => {
    if (!b) return;
    form.setFieldsValue({ title: b.title, office: b.office, masthead: b.masthead, issuedOn: dayjs(b.issuedOn), intro: b.sections.intro, statistics: b.sections.statistics, closing: b.sections.closing });
    setHighlights(b.sections.highlights);
    setEditing(true);
  };

  const save = async (v: EditValues) => {
    if (!b) return;
    const body: UpdateBulletin = {
      version: b.version, title: v.title, office: v.office, masthead: v.masthead, issuedOn: v.issuedOn.format('YYYY-MM-DD'),
      intro: v.intro ?? '', statistics: v.statistics ?? '', closing: v.closing ?? '',
      highlights: highlights.map((h) => ({ writingId: h.writingId, excerpt: h.excerpt })),
    };
    setBusy(true);
    try {
      setB(await api.patch<BulletinDto>(`/api/v1/bulletins/${b.id}`, body, { quiet: true }));
      setEditing(false);
      message.success(zh ? '已保存' : 'Saved');
    } catch (e) {
      message.error((e as Error).message);
      const mapped = bodyFieldErrors(e).filter((f) => f.field !== 'version').map((f) => ({ name: f.field.split('.')[0]!, errors: [f.message] }));
      if (mapped.length) form.setFields(mapped as Parameters<typeof form.setFields>[0]);
    } finally {
      setBusy(false);
    }
  };

  const publish = async () => {
    if (!b) return;
    setBusy(true);
    try {
      setB(await api.post<BulletinDto>(`/api/v1/bulletins/${b.id}/publish`, { version: b.version }, { quiet: true }));
      message.success(zh ? `第${b.number}期已印发` : `Issue ${b.number} published`);
    } catch (e) {
      message.error((e as Error).message);
      if (e instanceof ApiError && e.status === 409) void load();
    } finally {
      setBusy(false);
    }
  };

  const regenerate = async () => {
    if (!b) return;
    setBusy(true);
    try {
      setB(await api.patch<BulletinDto>(`/api/v1/bulletins/${b.id}`, { version: b.version, regenerate: true }, { quiet: true }));
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (error) return <Alert type="error" showIcon title={error} action={<Button onClick={() => navigate('/bulletins')}>{bt('title')}</Button>} />;
  if (!b) return <Spin />;
  const s = b.sections;
  let n = 0;

  return (
    <div>
      <Space wrap style={{ marginBottom: 16, width: '100%', justifyContent: 'space-between' }}>
        <Space>
          <Link to="/bulletins"><Button icon={<ArrowLeftOutlined />}>{bt('title')}</Button></Link>
          {statusTag(b.status, l(bulletinStatusLabels[b.status]))}
          {b.live ? <Tag color="blue">{zh ? `草稿数据实时计算（${dayjs(b.computedAt).format('HH:mm')}）` : 'Live figures'}</Tag> : <Tag color="gold">{zh ? `印发时数据已固定（${dayjs(b.publishedAt).format('YYYY-MM-DD HH:mm')}）` : 'Figures frozen at publishing'}</Tag>}
        </Space>
        <Space>
          {b.allowed.edit && !editing ? <Button icon={<EditOutlined />} onClick={startEdit} data-testid="bulletin-edit">{zh ? '编辑' : 'Edit'}</Button> : null}
          {b.allowed.edit && !editing ? <Button onClick={regenerate} loading={busy}>{zh ? '按最新数据重新生成' : 'Regenerate'}</Button> : null}
          {b.allowed.publish && !editing ? (
            <Popconfirm
              title={zh ? `印发第${b.number}期简报？` : `Publish issue ${b.number}?`}
              description={zh ? '印发后数据和正文固定，不能再修改。' : 'Figures and text are frozen after publishing.'}
              okText={zh ? '印发' : 'Publish'} cancelText={zh ? '取消' : 'Cancel'} onConfirm={publish}
            >
              <Button type="primary" danger icon={<SendOutlined />} loading={busy} data-testid="bulletin-publish">{zh ? '印发' : 'Publish'}</Button>
            </Popconfirm>
          ) : null}
          <Button
            icon={<DownloadOutlined />}
            data-testid="bulletin-docx"
            onClick={() => void download(`/api/v1/bulletins/${b.id}/docx`, { filename: `简报第${b.number}期.docx` }).catch(() => undefined)}
          >
            {zh ? '下载 Word' : 'Download Word'}
          </Button>
        </Space>
      </Space>

      {editing ? (
        <div style={{ maxWidth: 820, margin: '0 auto 16px', background: '#fff', padding: 24 }}>
          <Form<EditValues> form={form} layout="vertical" onFinish={save}>
            <Form.Item name="masthead" label={zh ? '报头' : 'Masthead'} rules={[{ required: true }]}><Input maxLength={60} /></Form.Item>
            <Space style={{ width: '100%' }} styles={{ item: { flex: 1 } }}>
              <Form.Item name="office" label={zh ? '发文机关' : 'Issuing office'} rules={[{ required: true }]}><Input maxLength={100} /></Form.Item>
              <Form.Item name="issuedOn" label={zh ? '印发日期' : 'Issued on'} rules={[{ required: true }]}><DatePicker /></Form.Item>
            </Space>
            <Form.Item name="title" label={zh ? '标题' : 'Title'} rules={[{ required: true }]}><Input maxLength={200} data-testid="bulletin-title-input" /></Form.Item>
            <Form.Item name="intro" label={zh ? '导语' : 'Introduction'}><Input.TextArea autoSize={{ minRows: 2 }} maxLength={5000} /></Form.Item>
            <Form.Item name="statistics" label={zh ? '数据段落' : 'Figures paragraph'} extra={zh ? '未修改时随最新数据自动更新；修改后按所写保存。数字短语保留原样即可继续点击查看明细。' : 'Follows the live figures until edited.'}>
              <Input.TextArea autoSize={{ minRows: 4 }} maxLength={5000} data-testid="bulletin-statistics-input" />
            </Form.Item>
            <Form.Item label={zh ? '工作亮点（入选文稿）' : 'Highlights'}>
              {highlights.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} /> : null}
              {highlights.map((h, i) => (
                <div key={h.writingId} style={{ marginBottom: 8 }}>
                  <Space><strong>{h.title}</strong><span>{h.author}</span><Button size="small" icon={<DeleteOutlined />} onClick={() => setHighlights(highlights.filter((x) => x.writingId !== h.writingId))} /></Space>
                  <Input.TextArea autoSize value={h.excerpt} maxLength={1000} onChange={(e) => setHighlights(highlights.map((x, j) => (j === i ? { ...x, excerpt: e.target.value } : x)))} />
                </div>
              ))}
              <WritingAdder regionCode={b.regionCode} exclude={highlights.map((h) => h.writingId)} onAdd={(h) => setHighlights([...highlights, h])} />
            </Form.Item>
            <Form.Item name="closing" label={zh ? '结束语' : 'Closing'}><Input.TextArea autoSize={{ minRows: 2 }} maxLength={5000} /></Form.Item>
            <Space>
              <Button type="primary" htmlType="submit" loading={busy} data-testid="bulletin-save">{zh ? '保存' : 'Save'}</Button>
              <Button onClick={() => setEditing(false)}>{zh ? '取消' : 'Cancel'}</Button>
            </Space>
          </Form>
        </div>
      ) : null}

      <div style={paper} data-testid="bulletin-paper">
        <div style={{ textAlign: 'center', color: '#e60012', fontFamily: titleFont, fontSize: 40, letterSpacing: 2, lineHeight: 1.3 }}>{b.masthead}</div>
        <div style={{ textAlign: 'center', margin: '10px 0 18px' }}>{bt('issue', b.number)}</div>
        <div style={{ display: 'flex', justifyContent: 'space-between', borderBottom: '3px solid #e60012', paddingBottom: 6, marginBottom: 28 }}>
          <span>{b.office}</span><span>{fullDate(b.issuedOn)}</span>
        </div>
        <h1 style={{ textAlign: 'center', fontFamily: titleFont, fontSize: 28, fontWeight: 'normal', margin: '0 0 24px', lineHeight: 1.5 }} data-testid="bulletin-title">{b.title}</h1>
        {s.intro.split(/\n+/).filter(Boolean).map((p, i) => <p key={`i${i}`} style={para}>{p}</p>)}
        {s.statistics.split(/\n+/).filter(Boolean).map((p, i) => (
          <p key={`s${i}`} style={para} data-testid="bulletin-statistics">
            {splitByLinks(p, b.links).map((piece, j) => (piece.figure ? (
              <a key={j} onClick={() => setFigure(piece.figure!)} style={{ color: '#b7202e', borderBottom: '1px dashed #b7202e', cursor: 'pointer' }} data-figure={piece.figure} title={figureDefinitions[piece.figure].definition[lang]}>{piece.text}</a>
            ) : <span key={j}>{piece.text}</span>))}
          </p>
        ))}
        {s.ranking && s.ranking.rows.length ? (
          <>
            <p style={heading}>{numerals[n++]}、{s.ranking.title}</p>
            <Table
              size="small"
              pagination={false}
              rowKey="code"
              bordered
              dataSource={s.ranking.rows}
              style={{ fontFamily: 'inherit', margin: '8px 0 16px' }}
              data-testid="bulletin-ranking"
              columns={[
                { title: zh ? '名次' : 'Rank', dataIndex: 'rank', width: 60, align: 'center' },
                { title: zh ? '地区' : 'Region', dataIndex: 'name', width: 130 },
                ...s.ranking.columns.map((k, i) => ({ title: `${figureDefinitions[k][lang]}（${figureDefinitions[k].unit[lang]}）`, key: k, align: 'right' as const, render: (_: unknown, r: { values: (number | null)[] }) => r.values[i] ?? '—' })),
              ]}
            />
          </>
        ) : null}
        {s.charts.length ? (
          <>
            <p style={heading}>{numerals[n++]}、{zh ? '图表' : 'Charts'}</p>
            {s.charts.map((c) => <Chart key={c.id} chart={c} />)}
          </>
        ) : null}
        {s.highlights.length ? (
          <>
            <p style={heading}>{numerals[n++]}、{zh ? '工作亮点' : 'Highlights'}</p>
            {s.highlights.map((h) => (
              <div key={h.writingId} data-testid="bulletin-highlight">
                <p style={{ ...para, fontFamily: '"楷体_GB2312", "楷体", KaiTi, serif', fontWeight: 'bold' }}>
                  <Link to={`/writings/${h.writingId}`} style={{ color: 'inherit' }}>{h.title}</Link>
                  <span style={{ fontWeight: 'normal' }}>（{h.author}{h.regionName ? `，${h.regionName}` : ''}，{l(writingKindLabels[h.kind])}）</span>
                </p>
                <p style={para}>{h.excerpt}</p>
              </div>
            ))}
          </>
        ) : null}
        {s.closing.split(/\n+/).filter(Boolean).map((p, i) => <p key={`c${i}`} style={para}>{p}</p>)}
      </div>
      <RecordsDrawer bulletin={b} figure={figure} onClose={() => setFigure(null)} />
    </div>
  );
}

/** Adds a submitted writing of the bulletin's region as a highlight. */
function WritingAdder({ regionCode, exclude, onAdd }: { regionCode: string; exclude: number[]; onAdd: (h: BulletinHighlight) => void }) {
  const { lang } = useBulletinText();
  type W = { id: number; kind: BulletinHighlight['kind']; title: string; authorName?: string | null; teamName?: string | null; regionName: string | null; writtenOn: string; excerpt?: string; status: string };
  const [options, setOptions] = useState<W[]>([]);
  const load = async () => {
    const page = await api.get<Page<W>>('/api/v1/writings', { region: regionCode, pageSize: 100 }, { quiet: true }).catch(() => null);
    setOptions((page?.items ?? []).filter((w) => w.status !== 'draft' && !exclude.includes(w.id)));
  };
  return (
    <Select<number>
      showSearch={{ optionFilterProp: 'label' }}
      placeholder={lang === 'zh' ? '添加文稿（按标题搜索）' : 'Add a writing'}
      style={{ width: '100%' }}
      value={null}
      onFocus={() => void load()}
      options={options.map((w) => ({ value: w.id, label: `${w.title}（${w.authorName ?? w.teamName ?? ''}，${w.writtenOn}）` }))}
      onChange={(id) => {
        const w = options.find((x) => x.id === id);
        if (w) onAdd({ writingId: w.id, kind: w.kind, title: w.title, author: w.authorName ?? w.teamName ?? '', regionName: w.regionName, writtenOn: w.writtenOn, excerpt: w.excerpt ?? '' });
      }}
    />
  );
}

/** The records behind one figure of the bulletin (published: as stored at publishing). */
function RecordsDrawer({ bulletin, figure, onClose }: { bulletin: BulletinDto; figure: FigureKey | null; onClose: () => void }) {
  const { lang } = useBulletinText();
  const zh = lang === 'zh';
  const [page, setPage] = useState(1);
  const [data, setData] = useState<BulletinRecordsResult | null>(null);
  const [loading, setLoading] = useState(false);
  useEffect(() => setPage(1), [figure]);
  useEffect(() => {
    if (!figure) return;
    const ctrl = new AbortController();
    setLoading(true);
    api.get<BulletinRecordsResult>(`/api/v1/bulletins/${bulletin.id}/records`, { figure, page, pageSize: 20 }, { signal: ctrl.signal })
      .then(setData)
      .catch(() => undefined)
      .finally(() => !ctrl.signal.aborted && setLoading(false));
    return () => ctrl.abort();
  }, [bulletin.id, figure, page]);
  const def = figure ? figureDefinitions[figure] : null;
  const columns: TableColumnsType<FigureRecord> = [
    { title: zh ? '日期' : 'Date', dataIndex: 'date', width: 100 },
    { title: zh ? '记录' : 'Record', dataIndex: 'title', render: (t: string, r) => (r.link ? <Link to={r.link}>{t || '—'}</Link> : t || '—') },
    { title: zh ? '地点' : 'Place', dataIndex: 'regionName', width: 130, ellipsis: true },
    { title: zh ? '人员' : 'People', dataIndex: 'people', width: 140, ellipsis: true },
  ];
  return (
    <Drawer open={figure !== null} onClose={onClose} size={900} rootClassName="bulletin-records-drawer" title={def ? `${def[lang]}：${data && data.figure.key === figure ? figureText(data.figure, lang) : ''}` : ''} destroyOnHidden>
      {def ? <Alert type="info" showIcon title={def.definition[lang]} style={{ marginBottom: 12 }} /> : null}
      {data?.frozen ? <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={zh ? '以下为印发时计入该数字的记录（此后新增或修改的记录不影响本期简报）' : 'The records counted when this bulletin was published'} /> : null}
      <Table<FigureRecord>
        size="small"
        rowKey={(r) => `${r.kind}-${r.id}`}
        loading={loading}
        columns={columns}
        dataSource={data?.items ?? []}
        data-testid="bulletin-records"
        pagination={{ current: page, pageSize: 20, total: data?.total ?? 0, onChange: setPage, showSizeChanger: false, size: 'small' }}
      />
    </Drawer>
  );
}
