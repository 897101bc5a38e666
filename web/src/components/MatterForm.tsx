import { CheckOutlined, EditOutlined, PlayCircleOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, AutoComplete, Button, Card, Col, DatePicker, Descriptions, Drawer, Form, Input, InputNumber, Modal, Result, Row, Select, Space, Spin, Tag } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import {
  evidenceStageLabels,
  evidenceStages,
  matterStatusLabels,
  matterStatuses,
  suggestedFundSources,
  type CreateMatter,
  type EvidenceStage,
  type MatterDto,
  type MatterStatus,
  type UpdateMatter,
} from '../../../contracts/matters.ts';
import type { PhotoRef } from '../../../contracts/photos.ts';
import { api, ApiError } from '../api.ts';
import { can, useMe } from '../auth.tsx';
import { useI18n } from '../i18n.ts';
import { formatTime, kindColor, targetKindLabel } from '../labels.ts';
import { PhotoStrip, PhotoUploader } from './PhotoStrip.tsx';
import { bodyFieldErrors, CampaignPicker, fenToYuan, formatYuan, yuanToFen } from './recordCommon.tsx';
import { TargetSelect } from './RecordPickers.tsx';
import { CadreSelect } from './RemoteSelect.tsx';

// 实事 (practical matters): the form to record or change one, and the drawer that shows it with its
// evidence photos before and after and moves its status along (已承诺 → 推进中 → 已办结 with the date).

export const matterStatusColor: Record<MatterStatus, string> = { promised: 'blue', in_progress: 'gold', done: 'green' };

type Values = {
  campaignId: number | null;
  targetId: number | null;
  cadreId: number | null;
  title: string;
  description: string;
  amountYuan: number | null;
  fundSource: string;
  status: MatterStatus;
  promisedOn: Dayjs | null;
  doneOn: Dayjs | null;
};

const day = (d: Dayjs | null | undefined) => (d ? d.format('YYYY-MM-DD') : null);

export function MatterModal({ matter, defaults, onCancel, onDone }: { matter: MatterDto | null; defaults?: { targetId?: number; campaignId?: number | null }; onCancel: () => void; onDone: (m: MatterDto) => void }) {
  const me = useMe();
  const { t, lang } = useI18n();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [before, setBefore] = useState<PhotoRef[]>([]);
  const [after, setAfter] = useState<PhotoRef[]>([]);
  const status = Form.useWatch('status', form);

  const initial: Values = matter
    ? {
        campaignId: matter.campaignId,
        targetId: matter.targetId,
        cadreId: matter.cadreId,
        title: matter.title,
        description: matter.description,
        amountYuan: fenToYuan(matter.amountFen),
        fundSource: matter.fundSource,
        status: matter.status,
        promisedOn: dayjs(matter.promisedOn),
        doneOn: matter.doneOn ? dayjs(matter.doneOn) : null,
      }
    : {
        campaignId: defaults?.campaignId ?? null,
        targetId: defaults?.targetId ?? null,
        cadreId: me.cadreId,
        title: '',
        description: '',
        amountYuan: null,
        fundSource: '',
        status: 'promised',
        promisedOn: dayjs(),
        doneOn: null,
      };
  // A change moves the status only along the allowed steps; a new matter may start anywhere.
  const statusChoices: MatterStatus[] = matter ? [matter.status, ...matter.nextStatuses] : [...matterStatuses];

  const submit = async (v: Values) => {
    const common = {
      campaignId: v.campaignId ?? null,
      cadreId: v.cadreId ?? null,
      title: v.title.trim(),
      description: (v.description ?? '').trim(),
      amountFen: yuanToFen(v.amountYuan) ?? 0,
      fundSource: (v.fundSource ?? '').trim(),
      status: v.status,
      promisedOn: day(v.promisedOn)!,
      doneOn: v.status === 'done' ? day(v.doneOn) : null,
    };
    setBusy(true);
    setError(null);
    try {
      let saved: MatterDto;
      if (matter) {
        const body: UpdateMatter = { ...common };
        if (body.status === matter.status) delete body.status;
        saved = await api.patch<MatterDto>(`/api/v1/matters/${matter.id}`, body, { quiet: true });
      } else {
        const body: CreateMatter = {
          ...common,
          targetId: v.targetId ?? 0,
          photos: [...before.map((p) => ({ photoId: p.id, stage: 'before' as const })), ...after.map((p) => ({ photoId: p.id, stage: 'after' as const }))],
        };
        saved = await api.post<MatterDto>('/api/v1/matters', body, { quiet: true });
      }
      void message.success(matter ? t('saved') : t('created'));
      onDone(saved);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      setError((e as Error).message);
      const mapped = bodyFieldErrors(e)
        .map((x) => {
          const top = x.field.split('.')[0]!;
          if (top === 'amountFen') return { name: ['amountYuan'], errors: [x.message] };
          if (top in initial) return { name: [top], errors: [x.message] };
          return null;
        })
        .filter((x): x is { name: string[]; errors: string[] } => !!x);
      if (mapped.length) form.setFields(mapped as Parameters<typeof form.setFields>[0]);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={matter ? `${t('editMatter')} · ${matter.title}` : t('newMatter')}
      onCancel={onCancel}
      onOk={() => form.submit()}
      okText={t('save')}
      cancelText={t('cancel')}
      confirmLoading={busy}
      destroyOnHidden
      width={760}
      maskClosable={false}
      data-testid="matter-modal"
    >
      {error ? <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} closable onClose={() => setError(null)} /> : null}
      <Form<Values> form={form} layout="vertical" initialValues={initial} onFinish={submit} requiredMark="optional">
        <Form.Item name="title" label={t('matterTitle')} rules={[{ required: true, whitespace: true, message: t('required') }, { max: 100 }]}>
          <Input maxLength={100} placeholder={t('matterTitlePlaceholder')} />
        </Form.Item>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="targetId" label={t('matterTarget')} rules={[{ required: true, message: t('required') }]} extra={matter ? t('matterTargetFixed') : undefined}>
              <TargetSelect disabled={!!matter} initial={matter ? { id: matter.targetId, kind: matter.targetKind, name: matter.targetName } : null} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="cadreId" label={t('matterCadre')}>
              <CadreSelect />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="amountYuan" label={t('amount')} rules={[{ type: 'number', min: 0, message: t('nonNegativeMoney') }]}>
              <InputNumber min={0} precision={2} step={1000} style={{ width: '100%' }} suffix={t('yuan')} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="fundSource" label={t('fundSource')} rules={[{ max: 50 }]}>
              <AutoComplete options={suggestedFundSources.map((x) => ({ value: x }))} placeholder={t('fundSourcePlaceholder')} />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={16}>
          <Col xs={24} md={8}>
            <Form.Item name="status" label={t('matterStatus')} rules={[{ required: true }]}>
              <Select options={statusChoices.map((s) => ({ value: s, label: matterStatusLabels[s][lang] }))} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="promisedOn" label={t('promisedOn')} rules={[{ required: true, message: t('required') }]}>
              <DatePicker style={{ width: '100%' }} disabledDate={(d) => d.isAfter(dayjs(), 'day')} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item
              name="doneOn"
              label={t('doneOn')}
              dependencies={['status', 'promisedOn']}
              rules={[
                ({ getFieldValue }) => ({
                  validator: (_, v: Dayjs | null) => {
                    if (getFieldValue('status') !== 'done') return Promise.resolve();
                    if (!v) return Promise.reject(new Error(t('doneOnRequired')));
                    const p = getFieldValue('promisedOn') as Dayjs | null;
                    if (p && v.isBefore(p, 'day')) return Promise.reject(new Error(t('doneBeforePromised')));
                    return Promise.resolve();
                  },
                }),
              ]}
            >
              <DatePicker style={{ width: '100%' }} disabled={status !== 'done'} disabledDate={(d) => d.isAfter(dayjs(), 'day')} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="campaignId" label={t('campaign')}>
          <CampaignPicker placeholder={t('campaignOptional')} initial={matter?.campaignId ? { id: matter.campaignId, name: matter.campaignName ?? '' } : null} />
        </Form.Item>
        <Form.Item name="description" label={t('description')} rules={[{ max: 2000 }]}>
          <Input.TextArea rows={3} maxLength={2000} showCount />
        </Form.Item>
        {matter ? null : (
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Form.Item label={t('photosBefore')}>
                <PhotoUploader value={before} onChange={setBefore} max={25} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item label={t('photosAfter')}>
                <PhotoUploader value={after} onChange={setAfter} max={25} />
              </Form.Item>
            </Col>
          </Row>
        )}
      </Form>
    </Modal>
  );
}

/** One matter in a drawer: its fields, photos before and after, the next status step. */
export function MatterDrawer({ id, onClose, onChanged }: { id: number; onClose: () => void; onChanged: () => void }) {
  const me = useMe();
  const { t, lang } = useI18n();
  const { message } = AntApp.useApp();
  const [m, setM] = useState<MatterDto | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [finishing, setFinishing] = useState(false);
  const [doneOn, setDoneOn] = useState<Dayjs | null>(dayjs());
  const [busy, setBusy] = useState(false);
  const [adding, setAdding] = useState<EvidenceStage | null>(null);
  const [newPhotos, setNewPhotos] = useState<PhotoRef[]>([]);
  const canWrite = can(me, 'matter.write');

  const load = useCallback(async () => {
    try {
      setM(await api.get<MatterDto>(`/api/v1/matters/${id}`, undefined, { quiet: true }));
    } catch (e) {
      setError((e as Error).message);
      setM(null);
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);

  const move = async (status: MatterStatus, date?: string) => {
    setBusy(true);
    try {
      const saved = await api.patch<MatterDto>(`/api/v1/matters/${id}`, { status, ...(date ? { doneOn: date } : {}) });
      setM(saved);
      setFinishing(false);
      void message.success(t('matterStatusChanged', { status: matterStatusLabels[status][lang] }));
      onChanged();
    } catch {
      /* shown by the API client (409 says which step is allowed) */
    } finally {
      setBusy(false);
    }
  };

  const attach = async () => {
    if (!adding || !newPhotos.length) return;
    setBusy(true);
    try {
      const saved = await api.post<MatterDto>(`/api/v1/matters/${id}/photos`, { photoIds: newPhotos.map((p) => p.id), stage: adding });
      setM(saved);
      setAdding(null);
      setNewPhotos([]);
      onChanged();
    } catch {
      /* shown by the API client */
    } finally {
      setBusy(false);
    }
  };

  return (
    <Drawer open width={640} onClose={onClose} title={m ? m.title : t('matterTitle')} data-testid="matter-drawer" extra={m && canWrite ? <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>{t('edit')}</Button> : null}>
      {m === undefined ? (
        <Spin />
      ) : m === null ? (
        <Result status="warning" title={error ?? t('notFoundTitle')} />
      ) : (
        <>
          <Descriptions
            bordered
            size="small"
            column={1}
            styles={{ label: { width: 100, whiteSpace: 'nowrap' } }}
            items={[
              { key: 'status', label: t('matterStatus'), children: <Tag color={matterStatusColor[m.status]}>{matterStatusLabels[m.status][lang]}</Tag> },
              {
                key: 'target',
                label: t('matterTarget'),
                children: (
                  <span>
                    <Tag color={kindColor[m.targetKind]}>{targetKindLabel(m.targetKind, lang)}</Tag>
                    <Link to={`/targets/${m.targetId}`}>{m.targetName}</Link> <span className="lx-muted">· {m.regionName}</span>
                  </span>
                ),
              },
              { key: 'cadre', label: t('matterCadre'), children: m.cadreId ? <span><Link to={`/cadres/${m.cadreId}`}>{m.cadreName}</Link>{m.unitName ? <span className="lx-muted"> · {m.unitName}</span> : null}</span> : <span className="lx-muted">—</span> },
              { key: 'amount', label: t('amount'), children: formatYuan(m.amountFen, lang) },
              { key: 'source', label: t('fundSource'), children: m.fundSource || <span className="lx-muted">—</span> },
              { key: 'promised', label: t('promisedOn'), children: m.promisedOn },
              { key: 'done', label: t('doneOn'), children: m.doneOn ?? <span className="lx-muted">—</span> },
              { key: 'campaign', label: t('campaign'), children: m.campaignId ? <Link to={`/campaigns/${m.campaignId}`}>{m.campaignName}</Link> : <span className="lx-muted">—</span> },
              { key: 'activity', label: t('fromActivity'), children: m.activityId ? <Link to={`/activities/${m.activityId}`}>#{m.activityId}</Link> : <span className="lx-muted">—</span> },
              { key: 'desc', label: t('description'), children: m.description ? <div className="lx-prose">{m.description}</div> : <span className="lx-muted">—</span> },
              { key: 'updated', label: t('cadreUpdatedAt'), children: formatTime(m.updatedAt) },
            ]}
          />
          {canWrite && m.nextStatuses.length ? (
            <Space style={{ marginTop: 12 }} wrap>
              {m.nextStatuses.includes('in_progress') ? (
                <Button type="primary" icon={<PlayCircleOutlined />} loading={busy} onClick={() => void move('in_progress')} data-testid="matter-start">
                  {t('matterStart')}
                </Button>
              ) : null}
              {m.nextStatuses.includes('done') ? (
                finishing ? (
                  <Space>
                    <DatePicker value={doneOn} onChange={setDoneOn} disabledDate={(d) => d.isAfter(dayjs(), 'day') || d.isBefore(dayjs(m.promisedOn), 'day')} />
                    <Button type="primary" loading={busy} disabled={!doneOn} onClick={() => doneOn && void move('done', doneOn.format('YYYY-MM-DD'))}>
                      {t('ok')}
                    </Button>
                    <Button onClick={() => setFinishing(false)}>{t('cancel')}</Button>
                  </Space>
                ) : (
                  <Button type="primary" icon={<CheckOutlined />} onClick={() => setFinishing(true)} data-testid="matter-finish">
                    {t('matterFinish')}
                  </Button>
                )
              ) : null}
            </Space>
          ) : null}
          {evidenceStages.map((stage) => {
            const ps = m.photos.filter((p) => p.stage === stage);
            return (
              <Card
                key={stage}
                size="small"
                style={{ marginTop: 16 }}
                title={`${evidenceStageLabels[stage][lang]}（${ps.length}）`}
                extra={
                  canWrite && adding !== stage ? (
                    <Button size="small" onClick={() => { setAdding(stage); setNewPhotos([]); }}>
                      {t('photoAdd')}
                    </Button>
                  ) : null
                }
              >
                <PhotoStrip photos={ps} size={110} />
                {adding === stage ? (
                  <div style={{ marginTop: 12 }}>
                    <PhotoUploader value={newPhotos} onChange={setNewPhotos} max={50} />
                    <Space style={{ marginTop: 8 }}>
                      <Button type="primary" disabled={!newPhotos.length} loading={busy} onClick={() => void attach()}>
                        {t('attachPhotos', { n: newPhotos.length })}
                      </Button>
                      <Button onClick={() => setAdding(null)}>{t('cancel')}</Button>
                    </Space>
                  </div>
                ) : null}
              </Card>
            );
          })}
          {editing ? (
            <MatterModal
              matter={m}
              onCancel={() => setEditing(false)}
              onDone={(saved) => {
                setEditing(false);
                setM(saved);
                onChanged();
              }}
            />
          ) : null}
        </>
      )}
    </Drawer>
  );
}
