import { AimOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, Col, DatePicker, Divider, Form, Input, InputNumber, Modal, Row, Select, Space } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useRef, useState } from 'react';
import { attendeeKinds, moneyKinds, type ActivityDto, type ActivityKind, type CreateActivity, type UpdateActivity } from '../../../contracts/activities.ts';
import { suggestedFundSources } from '../../../contracts/matters.ts';
import type { PhotoRef } from '../../../contracts/photos.ts';
import { api, ApiError } from '../api.ts';
import { useMe } from '../auth.tsx';
import { useI18n } from '../i18n.ts';
import { activityKindOptions, bodyFieldErrors, CampaignPicker, fenToYuan, yuanToFen } from './recordCommon.tsx';
import { CadresSelect, TargetsSelect, targetOption } from './RecordPickers.tsx';
import { PhotoUploader } from './PhotoStrip.tsx';
import { RegionTreeSelect } from './RegionTreeSelect.tsx';
import type { Option } from './RemoteSelect.tsx';

// 新增 / 修改工作记录 on the desktop: every field of the API's create. A new record carries a
// client id made when the form opens, so pressing 保存 twice (or a retry after a lost answer)
// stores it once. A change sends the version it read; someone else's change in between is a 409,
// shown as is.

type MatterRow = { title?: string; targetId?: number | null; amountYuan?: number | null; fundSource?: string };
type Values = {
  kind: ActivityKind;
  campaignId: number | null;
  title: string;
  span: [Dayjs, Dayjs] | null;
  participantIds: number[];
  targetIds: number[];
  regionCode: string | null;
  place: string;
  latitude: number | null;
  longitude: number | null;
  accuracyM: number | null;
  findings: string;
  actions: string;
  attendees: number | null;
  moneyYuan: number | null;
  problems: string[];
  matters: MatterRow[];
};

/** A v4 UUID, also where crypto.randomUUID is missing (plain http on an intranet address). */
export function newClientId(): string {
  if (typeof crypto.randomUUID === 'function' && window.isSecureContext) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const iso = (d: Dayjs) => d.format('YYYY-MM-DDTHH:mm:ssZ');

export function ActivityModal({
  activity,
  defaults,
  onCancel,
  onDone,
}: {
  activity: ActivityDto | null;
  /** Prefill of a new record (e.g. the target whose page it was opened from). */
  defaults?: { targetIds?: number[]; targetLabels?: Option<number>[]; campaignId?: number | null; participants?: Option<number>[] };
  onCancel: () => void;
  onDone: (saved: ActivityDto) => void;
}) {
  const me = useMe();
  const { t, lang } = useI18n();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // A 409: the record as it is on the server now, to show in place of the stale copy.
  const [newer, setNewer] = useState<ActivityDto | null>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) errorRef.current?.scrollIntoView({ block: 'nearest' });
  }, [error]);
  const [photos, setPhotos] = useState<PhotoRef[]>(() => activity?.photos ?? []);
  const [clientId] = useState(newClientId);
  const [targetLabels, setTargetLabels] = useState<Option<number>[]>(
    () => (activity ? activity.targets.map((x) => targetOption(x, lang)) : (defaults?.targetLabels ?? [])),
  );
  const [locating, setLocating] = useState(false);
  const kind = Form.useWatch('kind', form);
  const targetIds = Form.useWatch('targetIds', form);

  const initial: Values = useMemo(
    () =>
      activity
        ? {
            kind: activity.kind,
            campaignId: activity.campaignId,
            title: activity.title,
            span: [dayjs(activity.startsAt), dayjs(activity.endsAt)],
            participantIds: activity.participants.map((p) => p.cadreId),
            targetIds: activity.targets.map((x) => x.id),
            regionCode: activity.regionCode,
            place: activity.place,
            latitude: activity.latitude,
            longitude: activity.longitude,
            accuracyM: activity.accuracyM,
            findings: activity.findings,
            actions: activity.actions,
            attendees: activity.attendees,
            moneyYuan: fenToYuan(activity.moneyFen),
            problems: [],
            matters: [],
          }
        : {
            kind: 'household_visit',
            campaignId: defaults?.campaignId ?? null,
            title: '',
            span: [dayjs().subtract(1, 'hour').startOf('minute'), dayjs().startOf('minute')],
            participantIds: defaults?.participants ? defaults.participants.map((o) => o.value) : me.cadreId ? [me.cadreId] : [],
            targetIds: defaults?.targetIds ?? [],
            regionCode: null,
            place: '',
            latitude: null,
            longitude: null,
            accuracyM: null,
            findings: '',
            actions: '',
            attendees: null,
            moneyYuan: null,
            problems: [],
            matters: [],
          },
    [activity, defaults, me.cadreId],
  );

  const participantLabels: Option<number>[] = activity
    ? activity.participants.map((p) => ({ value: p.cadreId, label: p.name, title: `${p.name}（${p.unitName}）` }))
    : (defaults?.participants ?? (me.cadreId ? [{ value: me.cadreId, label: me.displayName, title: me.displayName }] : []));

  const hasAttendees = !!kind && attendeeKinds.includes(kind);
  const hasMoney = !!kind && moneyKinds.includes(kind);
  const chosenTargets = targetLabels.filter((o) => (targetIds ?? []).includes(o.value));

  const locate = () => {
    if (!navigator.geolocation) {
      void message.warning(t('gpsUnavailable'));
      return;
    }
    setLocating(true);
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setLocating(false);
        form.setFieldsValue({
          latitude: Number(pos.coords.latitude.toFixed(6)),
          longitude: Number(pos.coords.longitude.toFixed(6)),
          accuracyM: Math.round(pos.coords.accuracy),
        });
      },
      (err) => {
        setLocating(false);
        void message.warning(`${t('gpsUnavailable')}（${err.message}）`);
      },
      { enableHighAccuracy: true, timeout: 15_000 },
    );
  };

  const submit = async (v: Values) => {
    if (!v.span) return;
    const common = {
      campaignId: v.campaignId ?? null,
      kind: v.kind,
      title: (v.title ?? '').trim(),
      startsAt: iso(v.span[0]),
      endsAt: iso(v.span[1]),
      participantIds: v.participantIds ?? [],
      targetIds: v.targetIds ?? [],
      regionCode: v.regionCode || null,
      place: (v.place ?? '').trim(),
      latitude: v.latitude ?? null,
      longitude: v.longitude ?? null,
      accuracyM: v.accuracyM ?? null,
      findings: (v.findings ?? '').trim(),
      actions: (v.actions ?? '').trim(),
      attendees: attendeeKinds.includes(v.kind) ? (v.attendees ?? null) : null,
      moneyFen: moneyKinds.includes(v.kind) ? yuanToFen(v.moneyYuan) : null,
      photoIds: photos.map((p) => p.id),
    };
    setBusy(true);
    setError(null);
    try {
      let saved: ActivityDto;
      if (activity) {
        const body: UpdateActivity = { ...common, version: activity.version };
        saved = await api.patch<ActivityDto>(`/api/v1/activities/${activity.id}`, body, { quiet: true });
      } else {
        const body: CreateActivity = {
          ...common,
          clientId,
          problems: (v.problems ?? []).map((x) => (x ?? '').trim()).filter(Boolean),
          matters: (v.matters ?? [])
            .filter((m) => m?.title?.trim())
            .map((m) => ({ title: m.title!.trim(), targetId: m.targetId ?? 0, amountFen: yuanToFen(m.amountYuan) ?? 0, fundSource: (m.fundSource ?? '').trim() })),
        };
        saved = await api.post<ActivityDto>('/api/v1/activities', body, { quiet: true });
      }
      void message.success(activity ? t('saved') : t('activityCreated'));
      onDone(saved);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      setError((e as Error).message);
      const server = e instanceof ApiError && e.status === 409 ? (e.details as { server?: ActivityDto } | undefined)?.server : undefined;
      setNewer(server ?? null);
      const mapped = bodyFieldErrors(e)
        .map((x) => {
          const [top, i, sub] = x.field.split('.');
          if (top === 'startsAt' || top === 'endsAt') return { name: ['span'], errors: [x.message] };
          if (top === 'moneyFen') return { name: ['moneyYuan'], errors: [x.message] };
          if ((top === 'problems' || top === 'matters') && i !== undefined) {
            const name: (string | number)[] = [top, Number(i)];
            if (sub) name.push(sub === 'amountFen' ? 'amountYuan' : sub);
            return { name, errors: [x.message] };
          }
          if (top && top in initial) return { name: [top], errors: [x.message] };
          return null;
        })
        .filter((x): x is { name: (string | number)[]; errors: string[] } => !!x);
      if (mapped.length) form.setFields(mapped as Parameters<typeof form.setFields>[0]);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={activity ? `${t('editActivity')} #${activity.id}` : t('newActivity')}
      onCancel={onCancel}
      onOk={() => form.submit()}
      okText={t('save')}
      cancelText={t('cancel')}
      confirmLoading={busy}
      destroyOnHidden
      width={900}
      maskClosable={false}
      data-testid="activity-modal"
    >
      <div ref={errorRef}>
        {error ? (
          <Alert
            type="error"
            showIcon
            title={error}
            style={{ marginBottom: 12 }}
            closable
            onClose={() => setError(null)}
            action={
              newer ? (
                <Button size="small" onClick={() => onDone(newer)}>
                  {t('showLatestVersion')}
                </Button>
              ) : undefined
            }
            data-testid="activity-form-error"
          />
        ) : null}
      </div>
      <Form<Values> form={form} layout="vertical" onFinish={submit} initialValues={initial} requiredMark="optional" className="lx-record-form">
        <Row gutter={16}>
          <Col xs={24} md={8}>
            <Form.Item name="kind" label={t('activityKind')} rules={[{ required: true, message: t('required') }]}>
              <Select options={activityKindOptions(lang)} data-testid="activity-kind" />
            </Form.Item>
          </Col>
          <Col xs={24} md={16}>
            <Form.Item name="span" label={t('activitySpan')} rules={[{ required: true, message: t('required') }]} extra={kind === 'stay' ? t('staySpanHint') : undefined}>
              <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} disabledDate={(d) => d.isAfter(dayjs(), 'day')} />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="title" label={t('activityTitle')} rules={[{ max: 200 }]}>
              <Input maxLength={200} placeholder={t('activityTitlePlaceholder')} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="campaignId" label={t('campaign')}>
              <CampaignPicker placeholder={t('campaignOptional')} initial={activity?.campaignId ? { id: activity.campaignId, name: activity.campaignName ?? '' } : null} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="participantIds" label={t('participants')} rules={[{ required: true, type: 'array', min: 1, message: t('participantsRequired') }]} extra={t('participantsHint')}>
          <CadresSelect initial={participantLabels} />
        </Form.Item>
        <Form.Item label={t('activityTargets')} required={false} extra={t('activityTargetsHint')}>
          <Form.Item name="targetIds" noStyle>
            <TargetsSelect initial={targetLabels} onChange={(_, chosen) => setTargetLabels((old) => [...old.filter((o) => !chosen.some((c) => c.value === o.value)), ...chosen])} />
          </Form.Item>
        </Form.Item>
        <Row gutter={16}>
          <Col xs={24} md={10}>
            <Form.Item name="regionCode" label={t('activityRegion')} extra={t('activityRegionHint')}>
              <RegionTreeSelect maxLevel="grid" style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={24} md={14}>
            <Form.Item name="place" label={t('activityPlace')} rules={[{ max: 200 }]}>
              <Input maxLength={200} placeholder={t('activityPlacePlaceholder')} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item label={t('gpsPosition')} extra={t('gpsHint')}>
          <Space wrap>
            <Form.Item name="latitude" noStyle>
              <InputNumber min={-90} max={90} step={0.000001} placeholder={t('latitude')} style={{ width: 150 }} />
            </Form.Item>
            <Form.Item name="longitude" noStyle>
              <InputNumber min={-180} max={180} step={0.000001} placeholder={t('longitude')} style={{ width: 150 }} />
            </Form.Item>
            <Form.Item name="accuracyM" noStyle>
              <InputNumber min={0} max={100000} placeholder={t('accuracyM')} style={{ width: 130 }} suffix="m" />
            </Form.Item>
            <Button icon={<AimOutlined />} loading={locating} onClick={locate}>
              {t('useMyLocation')}
            </Button>
          </Space>
        </Form.Item>
        <Form.Item name="findings" label={t('findings')} rules={[{ max: 10000 }]}>
          <Input.TextArea rows={3} maxLength={10000} showCount placeholder={t('findingsPlaceholder')} />
        </Form.Item>
        <Form.Item name="actions" label={t('actionsDone')} rules={[{ max: 10000 }]}>
          <Input.TextArea rows={3} maxLength={10000} showCount placeholder={t('actionsDonePlaceholder')} />
        </Form.Item>
        {hasAttendees || hasMoney ? (
          <Row gutter={16}>
            {hasAttendees ? (
              <Col xs={24} md={8}>
                <Form.Item name="attendees" label={t('attendees')} rules={[{ type: 'integer', min: 0, message: t('nonNegativeInteger') }]}>
                  <InputNumber min={0} precision={0} style={{ width: '100%' }} suffix={t('personTimes')} />
                </Form.Item>
              </Col>
            ) : null}
            {hasMoney ? (
              <Col xs={24} md={8}>
                <Form.Item name="moneyYuan" label={t('condolenceMoney')} rules={[{ type: 'number', min: 0, message: t('nonNegativeMoney') }]}>
                  <InputNumber min={0} precision={2} step={100} style={{ width: '100%' }} suffix={t('yuan')} />
                </Form.Item>
              </Col>
            ) : null}
          </Row>
        ) : null}
        <Form.Item label={t('photos')}>
          <PhotoUploader value={photos} onChange={setPhotos} max={50} />
        </Form.Item>
        {activity ? (
          <Alert type="info" showIcon title={t('problemsMattersNotEdited')} />
        ) : (
          <>
            <Divider titlePlacement="start" plain>
              {t('problemsFound')}
            </Divider>
            <Form.List name="problems">
              {(rows, { add, remove }) => (
                <>
                  {rows.map((row, i) => (
                    <Space key={row.key} align="start" style={{ display: 'flex', marginBottom: 6 }}>
                      <span className="lx-muted" style={{ lineHeight: '32px', width: 20 }}>
                        {i + 1}.
                      </span>
                      <Form.Item name={row.name} noStyle rules={[{ required: true, whitespace: true, message: t('required') }]}>
                        <Input style={{ width: 720 }} maxLength={2000} placeholder={t('problemPlaceholder')} />
                      </Form.Item>
                      <Button type="text" icon={<DeleteOutlined />} onClick={() => remove(row.name)} aria-label={t('remove')} />
                    </Space>
                  ))}
                  <Button size="small" icon={<PlusOutlined />} onClick={() => add('')} data-testid="add-problem">
                    {t('addProblem')}
                  </Button>
                </>
              )}
            </Form.List>
            <Divider titlePlacement="start" plain>
              {t('mattersPromised')}
            </Divider>
            <Form.List name="matters">
              {(rows, { add, remove }) => (
                <>
                  {rows.map((row) => (
                    <Space key={row.key} align="start" wrap style={{ display: 'flex', marginBottom: 6 }}>
                      <Form.Item name={[row.name, 'title']} noStyle rules={[{ required: true, whitespace: true, message: t('required') }]}>
                        <Input style={{ width: 250 }} maxLength={200} placeholder={t('matterTitle')} />
                      </Form.Item>
                      <Form.Item name={[row.name, 'targetId']} noStyle rules={[{ required: true, message: t('required') }]}>
                        <Select style={{ width: 200 }} placeholder={t('matterTarget')} options={chosenTargets} notFoundContent={t('chooseTargetsFirst')} />
                      </Form.Item>
                      <Form.Item name={[row.name, 'amountYuan']} noStyle>
                        <InputNumber min={0} precision={2} style={{ width: 150 }} placeholder={t('amount')} suffix={t('yuan')} />
                      </Form.Item>
                      <Form.Item name={[row.name, 'fundSource']} noStyle>
                        <Select style={{ width: 140 }} placeholder={t('fundSource')} options={suggestedFundSources.map((x) => ({ value: x, label: x }))} allowClear />
                      </Form.Item>
                      <Button type="text" icon={<DeleteOutlined />} onClick={() => remove(row.name)} aria-label={t('remove')} />
                    </Space>
                  ))}
                  <Button size="small" icon={<PlusOutlined />} onClick={() => add({ title: '', targetId: chosenTargets.length === 1 ? chosenTargets[0]!.value : null })}>
                    {t('addMatter')}
                  </Button>
                </>
              )}
            </Form.List>
          </>
        )}
      </Form>
    </Modal>
  );
}
