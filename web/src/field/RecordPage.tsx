// 记一笔: the record form. Saving writes the record, with its photos as Blobs, to the queue in
// IndexedDB (online or not) under a client-generated id; the sync sends it. Opened with
// ?targetId=&campaignId= from the task list, or ?edit=<clientId> for a record the server refused.
import { AimOutlined, CameraOutlined, CloseOutlined, DeleteOutlined, PlusOutlined, SearchOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, Input, Select, Tag } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useLocation, useNavigate, useSearchParams } from 'react-router-dom';
import { activityKindLabels, activityKinds, attendeeKinds, moneyKinds, type ActivityKind } from '../../../contracts/activities.ts';
import { photoMimes } from '../../../contracts/photos.ts';
import type { TargetDto } from '../../../contracts/targets.ts';
import { api, type Page } from '../api.ts';
import { kindColor, targetKindLabel } from '../labels.ts';
import { useFieldData } from './data.ts';
import { getRecord, putRecord, type CachedTarget, type QueuedPhoto, type QueuedRecord, type RecordDraft } from './db.ts';
import type { FieldOutletContext } from './FieldApp.tsx';
import { daysInclusive, fenToYuan, isoWithOffset, localDate, localDateTime, parseLocal, stayRange, yuanToFen } from './form.ts';
import { BlobThumb } from './parts.tsx';
import { useFieldSession } from './session.tsx';
import { useFieldText, type FieldKey } from './strings.ts';
import { newClientId } from './uuid.ts';

type Matter = { title: string; targetId: number | null; amount: string; fund: string };
type Geo = { lat: number; lng: number; acc: number };
type Form = {
  kind: ActivityKind | null;
  targetIds: number[];
  campaignId: number | null;
  start: string;
  end: string;
  stayFrom: string;
  stayTo: string;
  place: string;
  geo: Geo | null;
  findings: string;
  actions: string;
  attendees: string;
  money: string;
  problems: string[];
  matters: Matter[];
  photos: QueuedPhoto[];
};

function emptyForm(): Form {
  const now = new Date();
  const hourAgo = new Date(now.getTime() - 60 * 60_000);
  return {
    kind: null,
    targetIds: [],
    campaignId: null,
    start: localDateTime(hourAgo),
    end: localDateTime(now),
    stayFrom: localDate(now),
    stayTo: localDate(now),
    place: '',
    geo: null,
    findings: '',
    actions: '',
    attendees: '',
    money: '',
    problems: [],
    matters: [],
    photos: [],
  };
}

function formOf(r: QueuedRecord): Form {
  const d = r.draft;
  const s = new Date(d.startsAt);
  const e = new Date(d.endsAt);
  return {
    kind: d.kind,
    targetIds: d.targetIds ?? [],
    campaignId: d.campaignId ?? null,
    start: localDateTime(s),
    end: localDateTime(e),
    stayFrom: localDate(s),
    stayTo: localDate(e),
    place: d.place ?? '',
    geo: d.latitude != null && d.longitude != null ? { lat: d.latitude, lng: d.longitude, acc: d.accuracyM ?? 0 } : null,
    findings: d.findings ?? '',
    actions: d.actions ?? '',
    attendees: d.attendees == null ? '' : String(d.attendees),
    money: fenToYuan(d.moneyFen),
    problems: d.problems ?? [],
    matters: (d.matters ?? []).map((m) => ({ title: m.title, targetId: m.targetId, amount: fenToYuan(m.amountFen ?? 0), fund: m.fundSource ?? '' })),
    photos: r.photos,
  };
}

const acceptTypes = [...photoMimes].join(',');
const isPhoto = (f: File) => (photoMimes as readonly string[]).includes(f.type) || /\.(jpe?g|png|heic)$/i.test(f.name);

type Errors = Partial<Record<string, FieldKey>>;

export default function RecordPage({ sync }: { sync: FieldOutletContext }) {
  const { ft, lang, l } = useFieldText();
  const { user, state, online } = useFieldSession();
  const { targets } = useFieldData();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const editId = params.get('edit');
  const [form, setForm] = useState<Form>(emptyForm);
  const [editing, setEditing] = useState<QueuedRecord | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  const [found, setFound] = useState<CachedTarget[]>([]);
  const [saving, setSaving] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const mine = useMemo(() => targets?.value ?? [], [targets]);

  // Start from the task tapped, the record being edited, or nothing.
  const fresh = (location.state as { fresh?: number } | null)?.fresh;
  useEffect(() => {
    setErrors({});
    if (editId) {
      void getRecord(editId).then((r) => {
        if (!r || r.userId !== user?.id) return;
        setEditing(r);
        setForm(formOf(r));
      });
      return;
    }
    setEditing(null);
    const f = emptyForm();
    const targetId = Number(params.get('targetId'));
    const campaignId = Number(params.get('campaignId'));
    if (targetId > 0) f.targetIds = [targetId];
    if (campaignId > 0) f.campaignId = campaignId;
    setForm(f);
  }, [editId, params, fresh, user?.id]);

  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));
  const known = useMemo(() => {
    const m = new Map<number, CachedTarget>();
    for (const t of [...mine, ...found]) m.set(t.id, t);
    return m;
  }, [mine, found]);
  // Names of targets outside my list: from the search, or as saved with the record being edited.
  const nameOf = (id: number) => known.get(id)?.name ?? (editing ? editing.targetNames[editing.draft.targetIds?.indexOf(id) ?? -1] : undefined) ?? `#${id}`;

  const toggleTarget = (t: CachedTarget) => {
    setForm((f) => {
      const on = f.targetIds.includes(t.id);
      const targetIds = on ? f.targetIds.filter((x) => x !== t.id) : [...f.targetIds, t.id];
      return { ...f, targetIds, campaignId: f.campaignId ?? (on ? null : t.campaignId), matters: f.matters.map((m) => (on && m.targetId === t.id ? { ...m, targetId: null } : m)) };
    });
  };

  const kind = form.kind;
  const isStay = kind === 'stay';
  const wantsAttendees = !!kind && attendeeKinds.includes(kind);
  const wantsMoney = !!kind && moneyKinds.includes(kind);

  const [geoBusy, setGeoBusy] = useState(false);
  const [geoError, setGeoError] = useState<string | null>(null);
  const locate = () => {
    if (!('geolocation' in navigator)) {
      setGeoError(ft('locateUnsupported'));
      return;
    }
    setGeoBusy(true);
    setGeoError(null);
    navigator.geolocation.getCurrentPosition(
      (p) => {
        setGeoBusy(false);
        set('geo', { lat: Number(p.coords.latitude.toFixed(6)), lng: Number(p.coords.longitude.toFixed(6)), acc: Math.round(p.coords.accuracy) });
      },
      (e) => {
        setGeoBusy(false);
        setGeoError(ft('locateFailed', { reason: e.message || String(e.code) }));
      },
      { enableHighAccuracy: true, timeout: 20_000, maximumAge: 60_000 },
    );
  };

  const addPhotos = (files: FileList | null) => {
    if (!files) return;
    const added: QueuedPhoto[] = [];
    for (const f of Array.from(files)) {
      if (!isPhoto(f)) {
        void message.error(ft('photoBadType', { name: f.name }));
        continue;
      }
      added.push({ key: newClientId(), name: f.name || 'photo.jpg', type: f.type, size: f.size, blob: f });
    }
    setForm((x) => ({ ...x, photos: [...x.photos, ...added] }));
    if (fileInput.current) fileInput.current.value = '';
  };

  /** The record as it will be sent, or the fields at fault. */
  const build = (): { draft: RecordDraft } | { errors: Errors } => {
    const errs: Errors = {};
    if (!form.kind) errs.kind = 'kindRequired';
    if (form.targetIds.length === 0) errs.targetIds = 'noTargets';
    let startsAt: Date | undefined;
    let endsAt: Date | undefined;
    const now = new Date();
    if (isStay) {
      if (daysInclusive(form.stayFrom, form.stayTo) === 0) errs.time = parseLocal(form.stayFrom) && parseLocal(form.stayTo) ? 'endBeforeStart' : 'timeRequired';
      else ({ startsAt, endsAt } = stayRange(form.stayFrom, form.stayTo, now)!);
      if (parseLocal(form.stayFrom) && parseLocal(form.stayFrom)! > now) errs.time = 'inFuture';
    } else {
      startsAt = parseLocal(form.start);
      endsAt = parseLocal(form.end);
      if (!startsAt || !endsAt) errs.time = 'timeRequired';
      else if (endsAt < startsAt) errs.time = 'endBeforeStart';
      else if (endsAt.getTime() > now.getTime() + 60_000) errs.time = 'inFuture';
    }
    let attendees: number | null = null;
    if (wantsAttendees && form.attendees.trim() !== '') {
      attendees = /^\d{1,7}$/.test(form.attendees.trim()) ? Number(form.attendees.trim()) : NaN;
      if (Number.isNaN(attendees)) errs.attendees = 'attendeesInvalid';
    }
    let moneyFen: number | null = null;
    if (wantsMoney) {
      const v = yuanToFen(form.money);
      if (v === undefined) errs.money = 'moneyInvalid';
      else moneyFen = v;
    }
    const matters = form.matters.map((m, i) => {
      if (!m.title.trim()) errs[`matters.${i}.title`] = 'matterTitleRequired';
      if (!m.targetId || !form.targetIds.includes(m.targetId)) errs[`matters.${i}.targetId`] = 'noTargets';
      const amountFen = yuanToFen(m.amount);
      if (amountFen === undefined) errs[`matters.${i}.amount`] = 'moneyInvalid';
      return { title: m.title.trim(), targetId: m.targetId ?? 0, amountFen: amountFen ?? 0, fundSource: m.fund.trim() };
    });
    if (Object.keys(errs).length > 0 || !startsAt || !endsAt || !form.kind) return { errors: errs };
    const draft: RecordDraft = {
      kind: form.kind,
      campaignId: form.campaignId,
      startsAt: isoWithOffset(startsAt),
      endsAt: isoWithOffset(endsAt),
      participantIds: [user!.cadreId!],
      targetIds: form.targetIds,
      place: form.place.trim(),
      latitude: form.geo?.lat ?? null,
      longitude: form.geo?.lng ?? null,
      accuracyM: form.geo?.acc ?? null,
      findings: form.findings.trim(),
      actions: form.actions.trim(),
      attendees: wantsAttendees ? attendees : null,
      moneyFen: wantsMoney ? moneyFen : null,
      problems: form.problems.map((p) => p.trim()).filter(Boolean),
      matters,
    };
    return { draft };
  };

  const save = async () => {
    if (!user?.cadreId) return;
    const built = build();
    if ('errors' in built) {
      setErrors(built.errors);
      void message.error(ft('fixErrors'));
      return;
    }
    setSaving(true);
    try {
      const now = new Date().toISOString();
      const targetNames = form.targetIds.map((id) => nameOf(id));
      // Photos changed: their server ids no longer describe this record only if the blobs changed,
      // and uploads are idempotent, so ids of kept photos stay valid.
      const rec: QueuedRecord = editing
        ? { ...editing, draft: built.draft, photos: form.photos, targetNames, state: 'waiting', errors: [], lastError: null, updatedAt: now }
        : { clientId: newClientId(), userId: user.id, cadreId: user.cadreId, draft: built.draft, photos: form.photos, targetNames, state: 'waiting', createdAt: now, updatedAt: now, attempts: 0 };
      await putRecord(rec);
      void message.success(ft('savedQueued'));
      navigate('/m/queue');
      if (online && state === 'live') void sync.syncNow();
    } finally {
      setSaving(false);
    }
  };

  const searchTargets = async (q: string) => {
    if (!q.trim()) return;
    const page = await api.get<Page<TargetDto>>('/api/v1/targets', { q: q.trim(), pageSize: 20 }, { quiet: true, noRedirect: true }).catch(() => null);
    setFound((page?.items ?? []).map((t) => ({ id: t.id, name: t.name, kind: t.kind, regionName: t.regionName, campaignId: null, campaignName: null })));
  };

  const err = (k: string) => (errors[k] ? <div className="lxm-error">{ft(errors[k])}</div> : null);
  const chosenOutside = form.targetIds.filter((id) => !mine.some((t) => t.id === id));

  return (
    <div className="lxm-form" data-testid="record-form">
      <h1 className="lxm-h1">{editing ? ft('editTitle') : ft('recordTitle')}</h1>
      {editing?.state === 'rejected' && editing.errors?.length ? (
        <Alert type="error" showIcon title={ft('rejectedReasons')} description={<ul className="lxm-list">{editing.errors.map((e, i) => <li key={i}>{e.message}</li>)}</ul>} />
      ) : null}

      <Field label={ft('kind')} error={err('kind')}>
        <div className="lxm-kinds" role="radiogroup" aria-label={ft('kind')}>
          {activityKinds.map((k) => (
            <button
              key={k}
              type="button"
              role="radio"
              aria-checked={form.kind === k}
              className={form.kind === k ? 'lxm-kind lxm-kind-on' : 'lxm-kind'}
              data-testid={`kind-${k}`}
              onClick={() => set('kind', k)}
            >
              {l(activityKindLabels[k])}
            </button>
          ))}
        </div>
      </Field>

      <Field label={ft('targets')} error={err('targetIds')}>
        {mine.length > 0 ? <div className="lxm-muted lxm-small">{ft('myTargets')}</div> : null}
        <div className="lxm-chips" data-testid="target-chips">
          {mine.map((t) => (
            <button key={t.id} type="button" className={form.targetIds.includes(t.id) ? 'lxm-chip lxm-chip-on' : 'lxm-chip'} aria-pressed={form.targetIds.includes(t.id)} onClick={() => toggleTarget(t)}>
              <Tag color={kindColor[t.kind]}>{targetKindLabel(t.kind, lang)}</Tag>
              {t.name}
            </button>
          ))}
          {chosenOutside.map((id) => (
            <button key={id} type="button" className="lxm-chip lxm-chip-on" aria-pressed onClick={() => setForm((f) => ({ ...f, targetIds: f.targetIds.filter((x) => x !== id) }))}>
              {nameOf(id)} <CloseOutlined />
            </button>
          ))}
        </div>
        {online ? (
          <>
            <Input.Search size="large" placeholder={ft('searchTargets')} enterButton={<SearchOutlined />} onSearch={(q) => void searchTargets(q)} />
            {found.length > 0 ? (
              <div className="lxm-chips">
                {found
                  .filter((t) => !form.targetIds.includes(t.id))
                  .map((t) => (
                    <button key={t.id} type="button" className="lxm-chip" onClick={() => toggleTarget(t)}>
                      <Tag color={kindColor[t.kind]}>{targetKindLabel(t.kind, lang)}</Tag>
                      {t.name} <span className="lxm-muted lxm-small">{t.regionName}</span>
                    </button>
                  ))}
              </div>
            ) : null}
          </>
        ) : (
          <div className="lxm-muted lxm-small">{ft('searchOffline')}</div>
        )}
      </Field>

      <Field label={ft('time')} error={err('time')}>
        {isStay ? (
          <div className="lxm-row2">
            <label>
              <span className="lxm-muted lxm-small">{ft('stayFrom')}</span>
              <Input size="large" type="date" value={form.stayFrom} max={localDate()} onChange={(e) => set('stayFrom', e.target.value)} data-testid="stay-from" />
            </label>
            <label>
              <span className="lxm-muted lxm-small">{ft('stayTo')}</span>
              <Input size="large" type="date" value={form.stayTo} max={localDate()} onChange={(e) => set('stayTo', e.target.value)} data-testid="stay-to" />
            </label>
            <div className="lxm-stay-days">{ft('stayDays', { days: daysInclusive(form.stayFrom, form.stayTo) })}</div>
          </div>
        ) : (
          <div className="lxm-row2">
            <label>
              <span className="lxm-muted lxm-small">{ft('start')}</span>
              <Input size="large" type="datetime-local" value={form.start} onChange={(e) => set('start', e.target.value)} data-testid="time-start" />
            </label>
            <label>
              <span className="lxm-muted lxm-small">{ft('end')}</span>
              <Input size="large" type="datetime-local" value={form.end} onChange={(e) => set('end', e.target.value)} data-testid="time-end" />
            </label>
          </div>
        )}
      </Field>

      <Field label={ft('place')}>
        <div className="lxm-place">
          <Input size="large" value={form.place} placeholder={ft('placeHolder')} onChange={(e) => set('place', e.target.value)} maxLength={200} data-testid="place" />
          <Button size="large" icon={<AimOutlined />} loading={geoBusy} onClick={locate} data-testid="locate">
            {geoBusy ? ft('locating') : ft('locate')}
          </Button>
        </div>
        {form.geo ? (
          <div className="lxm-geo" data-testid="geo">
            {ft('located', { lat: form.geo.lat.toFixed(5), lng: form.geo.lng.toFixed(5), acc: form.geo.acc })}
            <Button type="link" onClick={() => set('geo', null)}>
              {ft('clearLocation')}
            </Button>
          </div>
        ) : null}
        {geoError ? <div className="lxm-error">{geoError}</div> : null}
      </Field>

      <Field label={ft('findings')}>
        <Input.TextArea value={form.findings} placeholder={ft('findingsHolder')} autoSize={{ minRows: 3, maxRows: 10 }} maxLength={10_000} onChange={(e) => set('findings', e.target.value)} data-testid="findings" />
      </Field>
      <Field label={ft('actions')}>
        <Input.TextArea value={form.actions} placeholder={ft('actionsHolder')} autoSize={{ minRows: 2, maxRows: 8 }} maxLength={10_000} onChange={(e) => set('actions', e.target.value)} data-testid="actions" />
      </Field>

      {wantsAttendees ? (
        <Field label={ft('attendees')} error={err('attendees')}>
          <Input size="large" inputMode="numeric" value={form.attendees} onChange={(e) => set('attendees', e.target.value)} data-testid="attendees" />
        </Field>
      ) : null}
      {wantsMoney ? (
        <Field label={ft('money')} error={err('money')}>
          <Input size="large" inputMode="decimal" prefix="¥" value={form.money} onChange={(e) => set('money', e.target.value)} data-testid="money" />
        </Field>
      ) : null}

      <Field label={ft('problems')}>
        {form.problems.map((p, i) => (
          <div key={i} className="lxm-line">
            <Input.TextArea value={p} placeholder={ft('problemHolder')} autoSize={{ minRows: 2, maxRows: 6 }} maxLength={2000} onChange={(e) => set('problems', form.problems.map((x, j) => (j === i ? e.target.value : x)))} data-testid={`problem-${i}`} />
            <Button size="large" type="text" danger icon={<DeleteOutlined />} aria-label={ft('removeRow')} onClick={() => set('problems', form.problems.filter((_, j) => j !== i))} />
          </div>
        ))}
        <Button size="large" block icon={<PlusOutlined />} onClick={() => set('problems', [...form.problems, ''])} data-testid="add-problem">
          {ft('addProblem')}
        </Button>
      </Field>

      <Field label={ft('matters')}>
        {form.matters.map((m, i) => {
          const setM = (patch: Partial<Matter>) => set('matters', form.matters.map((x, j) => (j === i ? { ...x, ...patch } : x)));
          return (
            <div key={i} className="lxm-matter">
              <div className="lxm-line">
                <Input size="large" value={m.title} placeholder={ft('matterTitle')} status={errors[`matters.${i}.title`] ? 'error' : undefined} onChange={(e) => setM({ title: e.target.value })} />
                <Button size="large" type="text" danger icon={<DeleteOutlined />} aria-label={ft('removeRow')} onClick={() => set('matters', form.matters.filter((_, j) => j !== i))} />
              </div>
              <Select
                size="large"
                style={{ width: '100%' }}
                placeholder={ft('matterTarget')}
                value={m.targetId ?? undefined}
                status={errors[`matters.${i}.targetId`] ? 'error' : undefined}
                options={form.targetIds.map((id) => ({ value: id, label: nameOf(id) }))}
                onChange={(v: number) => setM({ targetId: v })}
              />
              <div className="lxm-row2">
                <Input size="large" inputMode="decimal" prefix="¥" placeholder={ft('matterAmount')} value={m.amount} status={errors[`matters.${i}.amount`] ? 'error' : undefined} onChange={(e) => setM({ amount: e.target.value })} />
                <Input size="large" placeholder={ft('matterFund')} value={m.fund} maxLength={100} onChange={(e) => setM({ fund: e.target.value })} />
              </div>
              {err(`matters.${i}.title`)}
              {err(`matters.${i}.amount`)}
            </div>
          );
        })}
        <Button size="large" block icon={<PlusOutlined />} onClick={() => set('matters', [...form.matters, { title: '', targetId: form.targetIds.length === 1 ? form.targetIds[0]! : null, amount: '', fund: '' }])}>
          {ft('addMatter')}
        </Button>
      </Field>

      <Field label={ft('photos')} error={err('photos')}>
        <div className="lxm-photos" data-testid="photo-thumbs">
          {form.photos.map((p) => (
            <div key={p.key} className="lxm-photo">
              <BlobThumb blob={p.blob} alt={p.name} />
              <button type="button" className="lxm-photo-x" aria-label={ft('removePhoto')} onClick={() => set('photos', form.photos.filter((x) => x.key !== p.key))}>
                <CloseOutlined />
              </button>
            </div>
          ))}
          <button type="button" className="lxm-photo lxm-photo-add" onClick={() => fileInput.current?.click()} data-testid="add-photo">
            <CameraOutlined />
            <span>{ft('addPhoto')}</span>
          </button>
        </div>
        <input ref={fileInput} type="file" accept={acceptTypes} capture="environment" multiple hidden onChange={(e) => addPhotos(e.target.files)} data-testid="photo-input" />
      </Field>

      <div className="lxm-save">
        <Button type="primary" size="large" block loading={saving} onClick={() => void save()} data-testid="save-record" disabled={!user?.cadreId}>
          {ft('saveQueue')}
        </Button>
        <div className="lxm-muted lxm-small">{ft('saveHint')}</div>
      </div>
    </div>
  );
}

function Field({ label, error, children }: { label: string; error?: React.ReactNode; children: React.ReactNode }) {
  return (
    <section className="lxm-field">
      <div className="lxm-label">{label}</div>
      {children}
      {error}
    </section>
  );
}
