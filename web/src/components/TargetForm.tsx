import { DeleteOutlined, EyeOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, AutoComplete, Button, Col, Form, Input, InputNumber, Modal, Row, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import {
  creditCode as creditCodeSchema,
  idNumber as idNumberSchema,
  isPlaceKind,
  personKinds,
  suggestedProjectStages,
  suggestedTags,
  targetKindLabels,
  type PersonalField,
  type TargetDto,
  type TargetKind,
} from '../../../contracts/targets.ts';
import { api, fieldErrors } from '../api.ts';
import { useI18n, type MessageKey } from '../i18n.ts';
import { projectLevelOptions } from '../labels.ts';
import { RegionTreeSelect } from './RegionTreeSelect.tsx';

// What is special about each kind of contact target: its attributes (contracts/targets.ts attrs),
// whether it carries an ID number and phone (people) or a credit code (enterprises), and the form
// to create or edit one. Shared by the registry and the target's own page.

export type AttrField = { key: string; label: MessageKey; type: 'text' | 'int' | 'year' | 'projectLevel' | 'stage'; required?: boolean; max?: number; width?: number };

export const attrFields: Record<TargetKind, AttrField[]> = {
  village: [
    { key: 'population', label: 'attrPopulation', type: 'int', width: 90 },
    { key: 'households', label: 'attrHouseholds', type: 'int', width: 80 },
  ],
  community: [
    { key: 'population', label: 'attrPopulation', type: 'int', width: 90 },
    { key: 'households', label: 'attrHouseholds', type: 'int', width: 80 },
  ],
  building: [
    { key: 'population', label: 'attrPopulation', type: 'int', width: 90 },
    { key: 'households', label: 'attrHouseholds', type: 'int', width: 80 },
  ],
  household: [{ key: 'head', label: 'attrHead', type: 'text', required: true, max: 50, width: 90 }],
  enterprise: [
    { key: 'industry', label: 'attrIndustry', type: 'text', max: 50, width: 110 },
    { key: 'contactPerson', label: 'attrContactPerson', type: 'text', max: 50, width: 90 },
  ],
  project: [
    { key: 'level', label: 'attrProjectLevel', type: 'projectLevel', required: true, width: 100 },
    { key: 'site', label: 'attrSite', type: 'text', max: 100, width: 140 },
    { key: 'stage', label: 'attrStage', type: 'stage', max: 50, width: 80 },
  ],
  talent: [
    { key: 'field', label: 'attrField', type: 'text', max: 50, width: 110 },
    { key: 'employer', label: 'attrEmployer', type: 'text', max: 100, width: 160 },
    { key: 'title', label: 'attrTitle', type: 'text', max: 50, width: 100 },
  ],
  graduate_official: [
    { key: 'school', label: 'attrSchool', type: 'text', max: 100, width: 130 },
    { key: 'major', label: 'attrMajor', type: 'text', max: 50, width: 100 },
    { key: 'post', label: 'attrPost', type: 'text', max: 50, width: 110 },
    { key: 'since', label: 'attrSince', type: 'year', width: 80 },
  ],
  school: [
    { key: 'stage', label: 'attrSchoolStage', type: 'text', max: 20, width: 80 },
    { key: 'principal', label: 'attrPrincipal', type: 'text', max: 50, width: 90 },
  ],
  person: [
    { key: 'role', label: 'attrRole', type: 'text', max: 50, width: 110 },
    { key: 'note', label: 'attrNote', type: 'text', max: 200, width: 200 },
  ],
};

export const hasPersonal = (k: TargetKind) => (personKinds as readonly string[]).includes(k);
/** Kinds that carry a phone number: people, and an enterprise's contact person. */
export const hasPhone = (k: TargetKind) => hasPersonal(k) || k === 'enterprise';
/** The name is required except where it defaults (a place's region name, a household's head). */
const nameOptional = (k: TargetKind) => isPlaceKind(k) || k === 'household';
/** The region level a place target must sit at. */
export const placeLevelOf = (k: TargetKind) => (k === 'building' ? 'building' : k === 'village' || k === 'community' ? 'village' : undefined);

type Member = { name?: string; relation?: string };
type TargetForm = {
  name?: string;
  regionCode: string | null;
  address?: string;
  tags: string[];
  latitude?: number | null;
  longitude?: number | null;
  idNumber?: string;
  phone?: string;
  creditCode?: string;
  investmentYuan?: number | null;
  attrs: Record<string, unknown> & { members?: Member[] };
};

const PHONE = /^1[3-9]\d{9}$/;
const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
const clean = (v: unknown) => (typeof v === 'string' ? v.trim() : v);

export function TargetModal({
  kind,
  target,
  defaultRegion,
  onCancel,
  onDone,
}: {
  kind: TargetKind;
  target: TargetDto | null;
  defaultRegion?: string | null;
  onCancel: () => void;
  onDone: (t: TargetDto) => void;
}) {
  const { t, lang } = useI18n();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<TargetForm>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const fields = attrFields[kind];
  const personal = hasPersonal(kind);
  const phone = hasPhone(kind);
  const placeLevel = placeLevelOf(kind);

  const initial: TargetForm = target
    ? {
        name: target.name,
        regionCode: target.regionCode,
        address: target.address,
        tags: target.tags,
        latitude: target.latitude,
        longitude: target.longitude,
        idNumber: '',
        phone: '',
        creditCode: target.creditCode ?? '',
        investmentYuan: target.investmentFen === null ? null : target.investmentFen / 100,
        attrs: { ...target.attrs, members: (target.attrs.members as Member[] | undefined) ?? [] },
      }
    : { regionCode: defaultRegion ?? null, tags: [], address: '', attrs: { members: [] }, latitude: null, longitude: null };

  const submit = async (v: TargetForm) => {
    const attrs: Record<string, unknown> = {};
    for (const f of fields) {
      const x = clean(v.attrs?.[f.key]);
      if (!blank(x)) attrs[f.key] = x;
      else if (target) attrs[f.key] = null; // a cleared attribute is removed
    }
    if (kind === 'household') {
      const members = (v.attrs?.members ?? [])
        .filter((m) => !blank(m?.name))
        .map((m) => ({ name: String(m.name).trim(), relation: String(m.relation ?? '').trim() }));
      attrs.members = members.length ? members : target ? null : undefined;
      if (attrs.members === undefined) delete attrs.members;
    }
    const body: Record<string, unknown> = {
      regionCode: v.regionCode,
      address: (v.address ?? '').trim(),
      tags: v.tags ?? [],
      latitude: v.latitude ?? null,
      longitude: v.longitude ?? null,
      attrs,
    };
    const name = (v.name ?? '').trim();
    if (name) body.name = name;
    if (personal && !blank(v.idNumber)) body.idNumber = clean(v.idNumber);
    if (phone && !blank(v.phone)) body.phone = clean(v.phone);
    if (kind === 'enterprise' && (!target || clean(v.creditCode) !== target.creditCode)) body.creditCode = clean(v.creditCode);
    if (kind === 'project') body.investmentFen = v.investmentYuan === null || v.investmentYuan === undefined ? null : Math.round(v.investmentYuan * 100);
    setBusy(true);
    setError(null);
    try {
      const saved = target
        ? await api.patch<TargetDto>(`/api/v1/targets/${target.id}`, body, { quiet: true })
        : await api.post<TargetDto>('/api/v1/targets', { kind, ...body }, { quiet: true });
      void message.success(target ? t('saved') : t('created'));
      onDone(saved);
    } catch (e) {
      const errs = fieldErrors(e);
      const known = new Set(['name', 'regionCode', 'address', 'tags', 'latitude', 'longitude', 'idNumber', 'phone', 'creditCode']);
      const mapped = errs
        .map((x) => {
          const path = x.field.split('.');
          if (x.field === 'investmentFen') return { name: ['investmentYuan'], errors: [x.message] };
          if (path[0] === 'attrs' && path.length >= 2) return { name: path.map((p) => (/^\d+$/.test(p) ? Number(p) : p)), errors: [x.message] };
          if (known.has(path[0]!)) return { name: [path[0]!], errors: [x.message] };
          return null;
        })
        .filter((x): x is { name: (string | number)[]; errors: string[] } => !!x);
      if (mapped.length) form.setFields(mapped);
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const kindLabel = targetKindLabels[kind][lang];
  const tagOptions = (suggestedTags[kind] ?? []).map((x) => ({ value: x, label: x }));

  return (
    <Modal
      open
      title={target ? `${t('editTarget')} · ${target.name}` : `${t('newTarget')} · ${kindLabel}`}
      onCancel={onCancel}
      onOk={() => form.submit()}
      okText={t('save')}
      cancelText={t('cancel')}
      confirmLoading={busy}
      destroyOnHidden
      width={680}
      data-testid="target-modal"
    >
      {error ? <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} closable onClose={() => setError(null)} /> : null}
      <Form<TargetForm> form={form} layout="horizontal" labelCol={{ span: 5 }} wrapperCol={{ span: 19 }} onFinish={submit} initialValues={initial}>
        {kind === 'household'
          ? fields.map((f) => <AttrItem key={f.key} field={f} />)
          : null}
        <Form.Item
          name="name"
          label={kind === 'household' ? t('householdName') : t('targetName')}
          extra={nameOptional(kind) ? (kind === 'household' ? t('householdNameHint') : t('placeNameHint')) : undefined}
          rules={nameOptional(kind) ? [{ max: 100 }] : [{ required: true, whitespace: true, message: t('required') }, { max: 100 }]}
        >
          <Input maxLength={100} />
        </Form.Item>
        {kind === 'enterprise' ? (
          <Form.Item
            name="creditCode"
            label={t('creditCode')}
            rules={[
              { required: true, whitespace: true, message: t('required') },
              {
                validator: async (_, v: string | undefined) => {
                  if (blank(v)) return;
                  const r = creditCodeSchema.safeParse(v);
                  if (!r.success) throw new Error(r.error.issues[0]?.message ?? t('creditCodeInvalid'));
                },
              },
            ]}
          >
            <Input maxLength={18} style={{ fontFamily: 'ui-monospace, monospace' }} placeholder="91330225MA2XXXXXXX" />
          </Form.Item>
        ) : null}
        {kind !== 'household' ? fields.map((f) => <AttrItem key={f.key} field={f} />) : null}
        {kind === 'project' ? (
          <Form.Item name="investmentYuan" label={t('investment')} extra={<InvestmentHint />}>
            <InputNumber<number>
              min={0}
              precision={2}
              step={10000}
              style={{ width: 240 }}
              suffix={t('yuan')}
              formatter={(v) => (v === undefined || v === null || v === ('' as unknown) ? '' : `${v}`.replace(/\B(?=(\d{3})+(?!\d))/g, ','))}
              parser={(v) => Number((v ?? '').replace(/,/g, '')) as number}
            />
          </Form.Item>
        ) : null}
        {kind === 'household' ? (
          <Form.Item label={t('members')}>
            <Form.List name={['attrs', 'members']}>
              {(items, { add, remove }) => (
                <>
                  {items.map((item) => (
                    <Space key={item.key} align="baseline" style={{ display: 'flex', marginBottom: 4 }}>
                      <Form.Item name={[item.name, 'name']} noStyle rules={[{ max: 50 }]}>
                        <Input placeholder={t('memberName')} style={{ width: 160 }} maxLength={50} />
                      </Form.Item>
                      <Form.Item name={[item.name, 'relation']} noStyle rules={[{ max: 10 }]}>
                        <AutoComplete
                          placeholder={t('memberRelation')}
                          style={{ width: 120 }}
                          options={['配偶', '子女', '父母', '孙子女', '兄弟姐妹', '其他'].map((x) => ({ value: x }))}
                        />
                      </Form.Item>
                      <Button type="text" size="small" icon={<DeleteOutlined />} onClick={() => remove(item.name)} aria-label={t('remove')} />
                    </Space>
                  ))}
                  <Button size="small" icon={<PlusOutlined />} onClick={() => add({ name: '', relation: '' })}>
                    {t('addMember')}
                  </Button>
                </>
              )}
            </Form.List>
          </Form.Item>
        ) : null}
        <Form.Item
          name="regionCode"
          label={t('targetRegion')}
          rules={[{ required: true, message: t('required') }]}
          extra={placeLevel ? t('placeRegionHint', { level: placeLevel === 'building' ? t('levelBuilding') : t('levelVillage') }) : undefined}
        >
          <RegionTreeSelect maxLevel={placeLevel ?? 'building'} selectableLevels={placeLevel ? [placeLevel] : undefined} />
        </Form.Item>
        <Form.Item name="address" label={t('address')} rules={[{ max: 200 }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="tags" label={t('tags')} extra={tagOptions.length ? t('tagsHint') : undefined}>
          <Select mode="tags" options={tagOptions} tokenSeparators={[',', '，', '、', ' ']} placeholder={t('tagsPlaceholder')} />
        </Form.Item>
        {personal ? (
          <Form.Item
            name="idNumber"
            label={t('idNumber')}
            extra={target?.idMasked ? `${target.idMasked} · ${t('phoneKeepHint')}` : t('idNumberHint')}
            rules={[
              {
                validator: async (_, v: string | undefined) => {
                  if (blank(v)) return;
                  const r = idNumberSchema.safeParse(v);
                  if (!r.success) throw new Error(r.error.issues[0]?.message ?? t('idNumberInvalid'));
                },
              },
            ]}
          >
            <Input maxLength={18} style={{ fontFamily: 'ui-monospace, monospace' }} placeholder={target?.idMasked ? t('phoneKeepHint') : undefined} autoComplete="off" />
          </Form.Item>
        ) : null}
        {phone ? (
          <Form.Item
            name="phone"
            label={kind === 'enterprise' ? t('contactPhone') : t('cadrePhone')}
            extra={target?.phoneMasked ? `${target.phoneMasked} · ${t('phoneKeepHint')}` : undefined}
            rules={[{ validator: async (_, v: string | undefined) => (blank(v) || PHONE.test(String(v).trim()) ? undefined : Promise.reject(new Error(t('phoneInvalid')))) }]}
          >
            <Input maxLength={11} inputMode="numeric" placeholder={target?.phoneMasked ? t('phoneKeepHint') : undefined} autoComplete="off" />
          </Form.Item>
        ) : null}
        <Form.Item label={t('coordinates')} extra={t('coordinatesHint')}>
          <Row gutter={8}>
            <Col span={12}>
              <Form.Item name="latitude" noStyle>
                <InputNumber<number> min={-90} max={90} step={0.000001} style={{ width: '100%' }} placeholder={t('latitude')} />
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item name="longitude" noStyle>
                <InputNumber<number> min={-180} max={180} step={0.000001} style={{ width: '100%' }} placeholder={t('longitude')} />
              </Form.Item>
            </Col>
          </Row>
        </Form.Item>
      </Form>
    </Modal>
  );
}

function InvestmentHint() {
  const { t } = useI18n();
  return (
    <Form.Item noStyle shouldUpdate={(a: TargetForm, b: TargetForm) => a.investmentYuan !== b.investmentYuan}>
      {({ getFieldValue }) => {
        const y = getFieldValue('investmentYuan') as number | null | undefined;
        if (y === null || y === undefined) return t('investmentHint');
        const wan = y / 1e4;
        return `${t('investmentHint')} · ${wan.toLocaleString('zh-CN', { maximumFractionDigits: 2 })} 万元${y >= 1e8 ? ` · ${(y / 1e8).toLocaleString('zh-CN', { maximumFractionDigits: 2 })} 亿元` : ''}`;
      }}
    </Form.Item>
  );
}

function AttrItem({ field }: { field: AttrField }) {
  const { t, lang } = useI18n();
  const rules = field.required ? [{ required: true, whitespace: true, message: t('required') }] : [];
  const name = ['attrs', field.key];
  switch (field.type) {
    case 'int':
      return (
        <Form.Item name={name} label={t(field.label)}>
          <InputNumber<number> min={0} precision={0} style={{ width: 160 }} />
        </Form.Item>
      );
    case 'year':
      return (
        <Form.Item name={name} label={t(field.label)}>
          <InputNumber<number> min={1990} max={2100} precision={0} style={{ width: 160 }} />
        </Form.Item>
      );
    case 'projectLevel':
      return (
        <Form.Item name={name} label={t(field.label)} rules={[{ required: true, message: t('required') }]}>
          <Select options={projectLevelOptions(lang)} style={{ width: 200 }} />
        </Form.Item>
      );
    case 'stage':
      return (
        <Form.Item name={name} label={t(field.label)} rules={[{ max: field.max ?? 50 }]}>
          <AutoComplete options={suggestedProjectStages.map((x) => ({ value: x }))} style={{ width: 200 }} />
        </Form.Item>
      );
    default:
      return (
        <Form.Item name={name} label={t(field.label)} rules={[...rules, { max: field.max ?? 100 }]}>
          <Input maxLength={field.max ?? 100} />
        </Form.Item>
      );
  }
}

/** The full ID number or phone of a target, on request, with a reason; the server audits it. */
export function TargetRevealModal({ target, field, onClose }: { target: TargetDto; field: PersonalField; onClose: () => void }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [value, setValue] = useState<string | null | undefined>(undefined);
  const label = field === 'idNumber' ? t('idNumber') : target.kind === 'enterprise' ? t('contactPhone') : t('cadrePhone');
  const masked = field === 'idNumber' ? target.idMasked : target.phoneMasked;

  const reveal = async () => {
    setBusy(true);
    try {
      const res = await api.post<{ id: number; field: PersonalField; value: string | null }>(`/api/v1/targets/${target.id}/reveal`, {
        field,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      });
      setValue(res.value);
    } catch {
      /* shown by the API client */
    } finally {
      setBusy(false);
    }
  };

  const shown = value !== undefined;
  return (
    <Modal
      open
      title={`${t('revealPersonalTitle', { field: label })} · ${target.name}`}
      onCancel={onClose}
      width={460}
      footer={
        shown ? (
          <Button type="primary" onClick={onClose}>
            {t('close')}
          </Button>
        ) : (
          <>
            <Button onClick={onClose}>{t('cancel')}</Button>
            <Button type="primary" loading={busy} onClick={() => void reveal()} data-testid="reveal-confirm">
              {t('revealConfirm')}
            </Button>
          </>
        )
      }
    >
      {shown ? (
        <div style={{ textAlign: 'center', padding: '8px 0' }}>
          {value ? (
            <Typography.Text copyable className="lx-phone-big" data-testid="revealed-value" style={field === 'idNumber' ? { fontSize: 22 } : undefined}>
              {value}
            </Typography.Text>
          ) : (
            <span className="lx-muted">{t('revealNothing')}</span>
          )}
          <Alert type="info" showIcon title={t('revealAudited')} style={{ marginTop: 16, textAlign: 'left' }} />
        </div>
      ) : (
        <>
          <Alert type="warning" showIcon title={t('revealPersonalNotice')} style={{ marginBottom: 16 }} />
          <div style={{ marginBottom: 12 }}>
            {label}：<span className="lx-phone">{masked}</span>
          </div>
          <div style={{ marginBottom: 6 }}>{t('revealReason')}</div>
          <Input.TextArea value={reason} onChange={(e) => setReason(e.target.value)} maxLength={200} rows={2} placeholder={t('revealReasonPlaceholder')} />
        </>
      )}
    </Modal>
  );
}

/** A masked value with a 查看 button when the user may reveal it. */
export function MaskedValue({ value, canReveal, onReveal, testId }: { value: string | null; canReveal: boolean; onReveal: () => void; testId?: string }) {
  const { t } = useI18n();
  if (!value) return <span className="lx-muted">—</span>;
  return (
    <span style={{ whiteSpace: 'nowrap' }}>
      <span className="lx-phone">{value}</span>
      {canReveal ? (
        <Button type="link" size="small" icon={<EyeOutlined />} onClick={onReveal} data-testid={testId} style={{ paddingInline: 4, marginInlineStart: 4, height: 20 }}>
          {t('phoneView')}
        </Button>
      ) : null}
    </span>
  );
}
