import { CalendarOutlined, DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { App as AntApp, Badge, Button, Calendar, Card, Col, Empty, Form, Input, InputNumber, List, Modal, Popconfirm, Row, Select, Space, Switch, Tag, Tooltip } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import 'dayjs/locale/zh-cn';
import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  calendarEntryKindLabels, weekdayLabels, type CalendarEntryDto, type CalendarEntryKind, type CalendarMonth, type CalendarSchedule, type SaveCalendarEntry,
} from '../../../contracts/calendar.ts';
import { cadreRankLabels, cadreRanks } from '../../../contracts/cadres.ts';
import { festivalLabels, festivals, type Festival } from '../../../contracts/requirements.ts';
import { unitLevelLabels, unitLevels } from '../../../contracts/units.ts';
import { api, request } from '../api.ts';
import { useI18n } from '../i18n.ts';

// The campaign calendar (活动日程): a month view of the fixed days (接访日, 公开日, 党员活动日 …)
// and the festival windows of holiday visits, with public holidays marked (a fixed day keeps its
// date on a holiday), and beside it the entries themselves; admins of the campaign's region edit them.

const kindColor: Record<CalendarEntryKind, string> = { month_day: 'blue', weekday: 'green', festival: 'volcano' };

type FormValues = {
  name: string; kind: CalendarEntryKind; weekday?: number; monthDay?: number; festival?: Festival; daysBefore?: number; daysAfter?: number;
  ranks?: string[]; unitLevels?: string[]; tags?: string[]; description?: string; active: boolean;
};

function toBody(v: FormValues): SaveCalendarEntry {
  const schedule: CalendarSchedule = v.kind === 'weekday' ? { kind: 'weekday', weekday: v.weekday ?? 2 }
    : v.kind === 'month_day' ? { kind: 'month_day', monthDay: v.monthDay ?? 1 }
      : { kind: 'festival', festival: v.festival ?? 'chunjie', daysBefore: v.daysBefore ?? 0, daysAfter: v.daysAfter ?? 0 };
  const cadres: SaveCalendarEntry['cadres'] = {};
  if (v.ranks?.length) cadres.ranks = v.ranks as never;
  if (v.unitLevels?.length) cadres.unitLevels = v.unitLevels as never;
  return { name: v.name, schedule, cadres, targets: v.tags?.length ? { tags: v.tags } : null, description: v.description ?? '', active: v.active };
}

function fromEntry(e: CalendarEntryDto | null): FormValues {
  if (!e) return { name: '', kind: 'month_day', monthDay: 20, active: true, daysBefore: 7, daysAfter: 0 };
  const s = e.schedule;
  return {
    name: e.name, kind: s.kind, active: e.active, description: e.description,
    ...(s.kind === 'weekday' ? { weekday: s.weekday } : s.kind === 'month_day' ? { monthDay: s.monthDay } : { festival: s.festival, daysBefore: s.daysBefore, daysAfter: s.daysAfter }),
    ...(e.cadres.ranks ? { ranks: e.cadres.ranks } : {}), ...(e.cadres.unitLevels ? { unitLevels: e.cadres.unitLevels } : {}), ...(e.targets?.tags ? { tags: e.targets.tags } : {}),
  };
}

export function CampaignCalendar({ campaignId, startsOn, endsOn, editable }: { campaignId: number; startsOn: string; endsOn: string; editable: boolean }) {
  const { lang } = useI18n();
  const L = (zh: string, en: string) => (lang === 'en' ? en : zh);
  const { message } = AntApp.useApp();
  // Month and weekday names, and weeks from Monday, follow the language (the app sets no global dayjs locale).
  const locale = lang === 'en' ? 'en' : 'zh-cn';
  const today = dayjs();
  const initial = today.isBefore(startsOn) ? dayjs(startsOn) : today.isAfter(endsOn) ? dayjs(endsOn) : today;
  const [picked, setValue] = useState<Dayjs>(initial);
  const value = picked.locale(locale);
  const month = value.format('YYYY-MM');
  const [data, setData] = useState<CalendarMonth | null>(null);
  const [entries, setEntries] = useState<CalendarEntryDto[]>([]);
  const [editing, setEditing] = useState<CalendarEntryDto | 'new' | null>(null);

  const loadEntries = useCallback(async () => {
    try {
      setEntries((await api.get<{ items: CalendarEntryDto[] }>(`/api/v1/campaigns/${campaignId}/calendar`)).items);
    } catch {
      /* shown by the API client */
    }
  }, [campaignId]);
  const loadMonth = useCallback(async () => {
    try {
      setData(await api.get<CalendarMonth>(`/api/v1/campaigns/${campaignId}/calendar/month`, { month }));
    } catch {
      /* shown by the API client */
    }
  }, [campaignId, month]);
  useEffect(() => {
    void loadEntries();
  }, [loadEntries]);
  useEffect(() => {
    void loadMonth();
  }, [loadMonth]);

  const byDate = useMemo(() => {
    const m = new Map<string, CalendarMonth['occurrences']>();
    for (const o of data?.occurrences ?? []) m.set(o.date, [...(m.get(o.date) ?? []), o]);
    return m;
  }, [data]);
  const holidays = useMemo(() => new Map((data?.holidays ?? []).map((h) => [h.date, h.name])), [data]);

  const remove = async (e: CalendarEntryDto) => {
    try {
      await api.del(`/api/v1/campaigns/${campaignId}/calendar/${e.id}`);
      void message.success(L('已删除', 'Deleted'));
      await Promise.all([loadEntries(), loadMonth()]);
    } catch {
      /* shown by the API client */
    }
  };

  const cell = (d: Dayjs) => {
    const key = d.format('YYYY-MM-DD');
    const list = byDate.get(key) ?? [];
    const holiday = holidays.get(key);
    return (
      <div className="lx-cal-cell" data-testid={`cal-${key}`}>
        {holiday ? <div style={{ color: '#cf1322', fontSize: 11 }}>{holiday}</div> : null}
        {list.map((o) => (
          <Tooltip key={o.entryId} title={o.festivalDate ? `${o.name}：${L('节日当天', 'festival day')} ${o.festivalDate}` : o.restDay ? L('节假日，日期不变', 'rest day, date kept') : o.name}>
            <Tag color={kindColor[o.kind]} style={{ marginInlineEnd: 2, marginBottom: 2, fontSize: 11, lineHeight: '16px', paddingInline: 4, fontWeight: o.festivalDate === key ? 700 : 400 }}>
              {o.name}
              {o.restDay && o.kind !== 'festival' ? '·休' : ''}
            </Tag>
          </Tooltip>
        ))}
      </div>
    );
  };

  return (
    <Card
      size="small"
      data-testid="campaign-calendar"
      title={
        <span>
          <CalendarOutlined /> {L('活动日程：固定日与节日走访', 'Calendar: fixed days and holiday visits')}
        </span>
      }
      extra={
        <Space size={4} wrap>
          {(Object.keys(kindColor) as CalendarEntryKind[]).map((k) => (
            <Tag key={k} color={kindColor[k]}>{calendarEntryKindLabels[k][lang === 'en' ? 'en' : 'zh']}</Tag>
          ))}
        </Space>
      }
    >
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <Calendar
            value={value}
            onPanelChange={(d) => setValue(d)}
            onSelect={(d) => setValue(d)}
            validRange={[dayjs(startsOn).locale(locale), dayjs(endsOn).locale(locale)]}
            cellRender={(d, info) => (info.type === 'date' ? cell(d) : info.originNode)}
          />
        </Col>
        <Col xs={24} xl={8}>
          <List<CalendarEntryDto>
            size="small"
            bordered
            data-testid="calendar-entries"
            header={
              <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
                <strong>{L('日程设置', 'Entries')}</strong>
                {editable ? (
                  <Button size="small" type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="calendar-add">
                    {L('新增', 'Add')}
                  </Button>
                ) : null}
              </div>
            }
            locale={{ emptyText: <Empty description={L('尚未设置固定日或节日走访', 'No entries yet')} /> }}
            dataSource={entries}
            renderItem={(e) => (
              <List.Item
                actions={editable ? [
                  <a key="edit" onClick={() => setEditing(e)} aria-label={L('编辑', 'Edit')}><EditOutlined /></a>,
                  <Popconfirm key="del" title={L(`删除日程“${e.name}”？`, `Delete “${e.name}”?`)} onConfirm={() => remove(e)} okButtonProps={{ danger: true }}>
                    <a style={{ color: '#cf1322' }} aria-label={L('删除', 'Delete')}><DeleteOutlined /></a>
                  </Popconfirm>,
                ] : []}
              >
                <List.Item.Meta
                  title={
                    <span>
                      <Badge color={e.active ? kindColor[e.schedule.kind] : '#bbb'} /> {e.name}
                      {e.active ? null : <Tag style={{ marginInlineStart: 6 }}>{L('停用', 'Inactive')}</Tag>}
                    </span>
                  }
                  description={
                    <span style={{ fontSize: 12 }}>
                      {e.summary}
                      {e.description ? <div className="lx-muted">{e.description}</div> : null}
                    </span>
                  }
                />
              </List.Item>
            )}
          />
        </Col>
      </Row>
      {editing ? (
        <EntryModal
          campaignId={campaignId}
          entry={editing === 'new' ? null : editing}
          onCancel={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            void loadEntries();
            void loadMonth();
          }}
        />
      ) : null}
    </Card>
  );
}

function EntryModal({ campaignId, entry, onCancel, onDone }: { campaignId: number; entry: CalendarEntryDto | null; onCancel: () => void; onDone: () => void }) {
  const { lang } = useI18n();
  const L = (zh: string, en: string) => (lang === 'en' ? en : zh);
  const zhEn = lang === 'en' ? 'en' : 'zh';
  const [form] = Form.useForm<FormValues>();
  const kind = Form.useWatch('kind', form) ?? fromEntry(entry).kind;
  const [busy, setBusy] = useState(false);
  const submit = async (v: FormValues) => {
    setBusy(true);
    try {
      const body = toBody(v);
      if (entry) await request('PUT', `/api/v1/campaigns/${campaignId}/calendar/${entry.id}`, { body: { ...body, version: entry.version } });
      else await api.post(`/api/v1/campaigns/${campaignId}/calendar`, body);
      onDone();
    } catch {
      /* shown by the API client */
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={entry ? L(`修改日程：${entry.name}`, `Edit: ${entry.name}`) : L('新增日程', 'New entry')} onCancel={onCancel} onOk={() => form.submit()} confirmLoading={busy} destroyOnHidden width={560}>
      <Form form={form} layout="vertical" initialValues={fromEntry(entry)} onFinish={(v) => void submit(v)} data-testid="calendar-form">
        <Form.Item name="name" label={L('名称', 'Name')} rules={[{ required: true, whitespace: true, message: L('请填写名称', 'Required') }]}>
          <Input maxLength={30} placeholder="接访日 / 公开日 / 重阳走访" data-testid="calendar-name" />
        </Form.Item>
        <Space align="start" wrap>
          <Form.Item name="kind" label={L('类型', 'Kind')}>
            <Select style={{ width: 150 }} options={(Object.keys(kindColor) as CalendarEntryKind[]).map((k) => ({ value: k, label: calendarEntryKindLabels[k][zhEn] }))} />
          </Form.Item>
          {kind === 'weekday' ? (
            <Form.Item name="weekday" label={L('星期', 'Weekday')} rules={[{ required: true }]}>
              <Select style={{ width: 120 }} options={[1, 2, 3, 4, 5, 6, 7].map((d) => ({ value: d, label: weekdayLabels[d] }))} />
            </Form.Item>
          ) : kind === 'month_day' ? (
            <Form.Item name="monthDay" label={L('每月几日', 'Day of month')} rules={[{ required: true }]} extra={L('遇节假日日期不变；小月没有的日期落在月末', 'Kept on holidays; a day the month lacks falls on its last day')}>
              <InputNumber min={1} max={31} style={{ width: 120 }} />
            </Form.Item>
          ) : (
            <>
              <Form.Item name="festival" label={L('节日', 'Festival')} rules={[{ required: true }]}>
                <Select style={{ width: 120 }} options={festivals.map((f) => ({ value: f, label: festivalLabels[f].zh }))} />
              </Form.Item>
              <Form.Item name="daysBefore" label={L('节前天数', 'Days before')}>
                <InputNumber min={0} max={30} style={{ width: 90 }} />
              </Form.Item>
              <Form.Item name="daysAfter" label={L('节后天数', 'Days after')}>
                <InputNumber min={0} max={30} style={{ width: 90 }} />
              </Form.Item>
            </>
          )}
        </Space>
        <Space align="start" wrap>
          <Form.Item name="ranks" label={L('适用职级（不选为全部）', 'Ranks (empty: all)')}>
            <Select mode="multiple" allowClear style={{ width: 240 }} options={cadreRanks.map((r) => ({ value: r, label: cadreRankLabels[r][zhEn] }))} />
          </Form.Item>
          <Form.Item name="unitLevels" label={L('单位层级（不选为全部）', 'Unit levels (empty: all)')}>
            <Select mode="multiple" allowClear style={{ width: 240 }} options={unitLevels.map((l) => ({ value: l, label: unitLevelLabels[l][zhEn] }))} />
          </Form.Item>
        </Space>
        {kind === 'festival' ? (
          <Form.Item name="tags" label={L('走访对象标签', 'Target tags')}>
            <Select mode="tags" allowClear options={['老党员', '困难户', '百岁老人', '低保', '五保', '留守'].map((x) => ({ value: x, label: x }))} />
          </Form.Item>
        ) : null}
        <Form.Item name="description" label={L('说明', 'Description')}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
        <Form.Item name="active" label={L('启用', 'Active')} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Modal>
  );
}
