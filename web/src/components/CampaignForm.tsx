import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, DatePicker, Form, Input, InputNumber, Modal, Select, Space, Tag } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { campaignPresets, visitPeriods, type CampaignDto, type CampaignTargetKind, type VisitFrequency, type VisitPeriod } from '../../../contracts/campaigns.ts';
import { visitPeriodLabels } from '../../../contracts/due.ts';
import { api, fieldErrors } from '../api.ts';
import { useI18n, type MessageKey } from '../i18n.ts';
import { targetKindOptions } from '../labels.ts';
import { RegionTreeSelect } from './RegionTreeSelect.tsx';
import { UnitSelect } from './RemoteSelect.tsx';

// Create or edit a campaign: period, region, themes, Cixi's special actions, 五员, a task list per
// target kind, and the participating units with the townships each answers for.

type UnitRow = { unitId?: number | null; responsibleRegions?: string[] };
type TaskRow = { kind?: CampaignTargetKind; tasks?: string[] };
type FrequencyRow = { kind?: CampaignTargetKind; times?: number | null; per?: VisitPeriod };
type CampaignForm = {
  name: string;
  period: [Dayjs, Dayjs] | null;
  regionCode: string | null;
  description?: string;
  themes: string[];
  specialActions: string[];
  cadreRoles: string[];
  tasks: TaskRow[];
  frequencies: FrequencyRow[];
  units: UnitRow[];
};

const today = () => dayjs().format('YYYY-MM-DD');

export type CampaignPhase = 'upcoming' | 'running' | 'ended';
export function campaignPhase(c: Pick<CampaignDto, 'startsOn' | 'endsOn'>): CampaignPhase {
  const d = today();
  return d < c.startsOn ? 'upcoming' : d > c.endsOn ? 'ended' : 'running';
}
export const phaseColor: Record<CampaignPhase, string> = { upcoming: 'blue', running: 'green', ended: 'default' };
export const phaseLabel: Record<CampaignPhase, MessageKey> = { upcoming: 'phaseUpcoming', running: 'phaseRunning', ended: 'phaseEnded' };

export function CampaignModal({ campaign, defaultRegion, onCancel, onDone }: { campaign: CampaignDto | null; defaultRegion: string | null; onCancel: () => void; onDone: (c: CampaignDto) => void }) {
  const { t, lang } = useI18n();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<CampaignForm>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const regionCode = Form.useWatch('regionCode', form);

  const initial: CampaignForm = campaign
    ? {
        name: campaign.name,
        period: [dayjs(campaign.startsOn), dayjs(campaign.endsOn)],
        regionCode: campaign.regionCode,
        description: campaign.description,
        themes: campaign.themes,
        specialActions: campaign.specialActions,
        cadreRoles: campaign.cadreRoles,
        tasks: Object.entries(campaign.tasks).map(([kind, tasks]) => ({ kind: kind as CampaignTargetKind, tasks })),
        frequencies: Object.entries(campaign.visitFrequency ?? {}).map(([kind, f]) => ({ kind: kind as CampaignTargetKind, times: f.times, per: f.per })),
        units: campaign.units.map((u) => ({ unitId: u.unitId, responsibleRegions: u.responsibleRegions.map((r) => r.code) })),
      }
    : {
        name: '',
        period: [dayjs().startOf('year'), dayjs().endOf('year')],
        regionCode: defaultRegion,
        description: '',
        themes: [],
        specialActions: [],
        cadreRoles: [...campaignPresets.cadreRoles],
        tasks: [{ kind: 'enterprise', tasks: [...(campaignPresets.tasks.enterprise ?? [])] }],
        frequencies: [],
        units: [],
      };

  const submit = async (v: CampaignForm) => {
    const tasks: Partial<Record<CampaignTargetKind, string[]>> = {};
    for (const row of v.tasks ?? []) if (row?.kind && row.tasks?.length) tasks[row.kind] = row.tasks.map((x) => x.trim()).filter(Boolean);
    const visitFrequency: Partial<Record<CampaignTargetKind, VisitFrequency>> = {};
    for (const row of v.frequencies ?? []) if (row?.kind && row.times && row.per) visitFrequency[row.kind] = { times: row.times, per: row.per };
    const body = {
      name: v.name.trim(),
      startsOn: v.period?.[0]?.format('YYYY-MM-DD'),
      endsOn: v.period?.[1]?.format('YYYY-MM-DD'),
      regionCode: v.regionCode,
      description: (v.description ?? '').trim(),
      themes: v.themes ?? [],
      specialActions: v.specialActions ?? [],
      cadreRoles: v.cadreRoles ?? [],
      tasks,
      visitFrequency,
      units: (v.units ?? []).filter((u) => u?.unitId).map((u) => ({ unitId: u.unitId!, responsibleRegions: u.responsibleRegions ?? [] })),
    };
    setBusy(true);
    setError(null);
    try {
      const saved = campaign
        ? await api.patch<CampaignDto>(`/api/v1/campaigns/${campaign.id}`, body, { quiet: true })
        : await api.post<CampaignDto>('/api/v1/campaigns', body, { quiet: true });
      void message.success(campaign ? t('saved') : t('created'));
      onDone(saved);
    } catch (e) {
      setError((e as Error).message);
      const mapped = fieldErrors(e)
        .map((x) => {
          const top = x.field.split('.')[0]!;
          if (top === 'startsOn' || top === 'endsOn') return { name: ['period'], errors: [x.message] };
          if (['name', 'regionCode', 'description', 'themes', 'specialActions', 'cadreRoles'].includes(top)) return { name: [top], errors: [x.message] };
          if (top === 'visitFrequency') return { name: ['frequencies'], errors: [x.message] };
          return null;
        })
        .filter((x): x is { name: string[]; errors: string[] } => !!x);
      if (mapped.length) form.setFields(mapped as Parameters<typeof form.setFields>[0]);
    } finally {
      setBusy(false);
    }
  };

  const presetOptions = (xs: readonly string[]) => xs.map((x) => ({ value: x, label: x }));

  return (
    <Modal
      open
      title={campaign ? `${t('editCampaign')} · ${campaign.name}` : t('newCampaign')}
      onCancel={onCancel}
      onOk={() => form.submit()}
      okText={t('save')}
      cancelText={t('cancel')}
      confirmLoading={busy}
      destroyOnHidden
      width={820}
      data-testid="campaign-modal"
    >
      {error ? <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} closable onClose={() => setError(null)} /> : null}
      <Form<CampaignForm> form={form} layout="horizontal" labelCol={{ span: 4 }} wrapperCol={{ span: 20 }} onFinish={submit} initialValues={initial}>
        <Form.Item name="name" label={t('campaignName')} rules={[{ required: true, whitespace: true, message: t('required') }, { max: 100 }]}>
          <Input maxLength={100} placeholder={t('campaignNamePlaceholder')} />
        </Form.Item>
        <Form.Item name="period" label={t('campaignPeriod')} rules={[{ required: true, message: t('required') }]}>
          <DatePicker.RangePicker format="YYYY-MM-DD" />
        </Form.Item>
        <Form.Item name="regionCode" label={t('campaignRegion')} rules={[{ required: true, message: t('required') }]} extra={t('campaignRegionHint')}>
          <RegionTreeSelect maxLevel="township" style={{ width: 320 }} />
        </Form.Item>
        <Form.Item name="description" label={t('description')} rules={[{ max: 5000 }]}>
          <Input.TextArea rows={2} maxLength={5000} />
        </Form.Item>
        <Form.Item name="themes" label={t('themes')}>
          <Select mode="tags" tokenSeparators={['，', ',', '、']} placeholder={t('tagsPlaceholder')} open={false} suffixIcon={null} />
        </Form.Item>
        <Form.Item name="specialActions" label={t('specialActions')} extra={t('specialActionsHint')}>
          <Select mode="tags" tokenSeparators={['，', ',', '、']} options={presetOptions(campaignPresets.specialActions)} />
        </Form.Item>
        <Form.Item name="cadreRoles" label={t('cadreRoles')} extra={t('cadreRolesHint')}>
          <Select mode="tags" tokenSeparators={['，', ',', '、']} options={presetOptions(campaignPresets.cadreRoles)} />
        </Form.Item>
        <Form.Item label={t('taskLists')}>
          <Form.List name="tasks">
            {(rows, { add, remove }) => (
              <>
                {rows.map((row) => (
                  <Space key={row.key} align="start" style={{ display: 'flex', marginBottom: 6 }}>
                    <Form.Item name={[row.name, 'kind']} noStyle>
                      <Select style={{ width: 130 }} options={targetKindOptions(lang)} placeholder={t('targetKind')} />
                    </Form.Item>
                    <Form.Item name={[row.name, 'tasks']} noStyle>
                      <Select mode="tags" style={{ width: 430 }} tokenSeparators={['，', ',', '、']} placeholder={t('tasksPlaceholder')} open={false} suffixIcon={null} />
                    </Form.Item>
                    <Button type="text" icon={<DeleteOutlined />} onClick={() => remove(row.name)} aria-label={t('remove')} />
                  </Space>
                ))}
                <Button size="small" icon={<PlusOutlined />} onClick={() => add({ kind: undefined, tasks: [] })}>
                  {t('addTaskList')}
                </Button>
              </>
            )}
          </Form.List>
        </Form.Item>
        <Form.Item label={t('visitFrequency')} extra={t('visitFrequencyHint')}>
          <Form.List
            name="frequencies"
            rules={[
              {
                validator: async (_, rows: FrequencyRow[] | undefined) => {
                  const kinds = (rows ?? []).map((r) => r?.kind).filter(Boolean);
                  if (new Set(kinds).size !== kinds.length) throw new Error(t('visitFrequencyDuplicate'));
                },
              },
            ]}
          >
            {(rows, { add, remove }, { errors }) => (
              <>
                {rows.map((row) => (
                  <Space key={row.key} align="start" style={{ display: 'flex', marginBottom: 6 }} data-testid="visit-frequency-row">
                    <Form.Item name={[row.name, 'kind']} noStyle rules={[{ required: true, message: t('required') }]}>
                      <Select style={{ width: 130 }} options={targetKindOptions(lang)} placeholder={t('targetKind')} />
                    </Form.Item>
                    <Form.Item name={[row.name, 'per']} noStyle rules={[{ required: true, message: t('required') }]}>
                      <Select style={{ width: 110 }} options={visitPeriods.map((p) => ({ value: p, label: visitPeriodLabels[p][lang] }))} />
                    </Form.Item>
                    <Form.Item name={[row.name, 'times']} noStyle rules={[{ required: true, message: t('required') }]}>
                      <InputNumber min={1} max={31} precision={0} style={{ width: 110 }} suffix={t('timesSuffix')} />
                    </Form.Item>
                    <Button type="text" icon={<DeleteOutlined />} onClick={() => remove(row.name)} aria-label={t('remove')} />
                  </Space>
                ))}
                <Button size="small" icon={<PlusOutlined />} onClick={() => add({ kind: undefined, times: 1, per: 'month' })} data-testid="add-visit-frequency">
                  {t('addVisitFrequency')}
                </Button>
                <Form.ErrorList errors={errors} />
              </>
            )}
          </Form.List>
        </Form.Item>
        <Form.Item label={t('participatingUnits')} extra={t('participatingUnitsHint')}>
          <Form.List name="units">
            {(rows, { add, remove }) => (
              <>
                {rows.map((row) => (
                  <Space key={row.key} align="start" style={{ display: 'flex', marginBottom: 6 }}>
                    <Form.Item name={[row.name, 'unitId']} noStyle>
                      <UnitSelect style={{ width: 250 }} />
                    </Form.Item>
                    <Form.Item name={[row.name, 'responsibleRegions']} noStyle>
                      <RegionTreeSelect
                        multiple
                        root={regionCode ?? undefined}
                        maxLevel="township"
                        placeholder={t('responsibleRegions')}
                        style={{ width: 310 }}
                      />
                    </Form.Item>
                    <Button type="text" icon={<DeleteOutlined />} onClick={() => remove(row.name)} aria-label={t('remove')} />
                  </Space>
                ))}
                <Button size="small" icon={<PlusOutlined />} onClick={() => add({ unitId: null, responsibleRegions: [] })}>
                  {t('addUnit')}
                </Button>
              </>
            )}
          </Form.List>
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Tags numbered 1, 2, 3 … (a task list, the special actions). */
export function NumberedTags({ items, color }: { items: string[]; color?: string }) {
  if (!items.length) return <span className="lx-muted">—</span>;
  return (
    <span>
      {items.map((x, i) => (
        <Tag key={x} color={color} style={{ marginBottom: 4 }}>
          {i + 1}. {x}
        </Tag>
      ))}
    </span>
  );
}

