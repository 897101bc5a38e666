import { CheckCircleOutlined, WarningFilled } from '@ant-design/icons';
import { Alert, App as AntApp, Button, Form, Input, Modal, Tag, Tooltip } from 'antd';
import { Fragment, useState, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { checkKindLabels, type CheckKind, type EvidenceOf, type IntegrityFlagDto } from '../../../contracts/integrity.ts';
import { photoThumbUrl, photoUrl } from '../../../contracts/photos.ts';
import { api, ApiError } from '../api.ts';
import { useI18n, type Lang } from '../i18n.ts';
import { formatTime } from '../labels.ts';
import { PhotoStrip } from './PhotoStrip.tsx';

// The evidence of an integrity flag (防形式主义), said in words per check: "与 3.2 公里外的记录
// #123 相隔 20 分钟，折合 150 公里/小时". Record numbers become links. Clearing takes a reason.

export const checkKindColor: Record<CheckKind, string> = {
  duplicate_photo: 'magenta',
  far_from_target: 'orange',
  impossible_travel: 'red',
  late_entry: 'gold',
  backdated_burst: 'volcano',
  attendance_exceeds_population: 'purple',
  double_stay: 'geekblue',
};
export const checkKindLabel = (k: string, lang: Lang) => checkKindLabels[k as CheckKind]?.[lang] ?? k;

const num = (n: number, lang: Lang, digits = 1) => n.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-US', { maximumFractionDigits: digits });
export function formatDistance(m: number, lang: Lang): string {
  if (m < 1000) return lang === 'zh' ? `${Math.round(m)} 米` : `${Math.round(m)} m`;
  return lang === 'zh' ? `${num(m / 1000, lang)} 公里` : `${num(m / 1000, lang)} km`;
}

/** "#123" in a sentence becomes a link to record 123. */
function withLinks(text: string): ReactNode {
  const parts = text.split(/(#\d+)/);
  return parts.map((p, i) =>
    /^#\d+$/.test(p) ? (
      <Link key={i} to={`/activities/${p.slice(1)}`}>
        {p}
      </Link>
    ) : (
      <Fragment key={i}>{p}</Fragment>
    ),
  );
}

const basisLabel = { population: { zh: '常住人口', en: 'population' }, households: { zh: '户数', en: 'households' }, mixed: { zh: '人口（无人口数的按户数）', en: 'population (households where none)' } } as const;

/** The evidence of one flag as a sentence (and the shared photos for a duplicate). */
export function describeEvidence(kind: string, evidence: unknown, lang: Lang): { text: string; photos?: number[] } {
  const e = (evidence ?? {}) as Record<string, unknown>;
  const zh = lang === 'zh';
  // The server drops the other record's id when it lies outside the viewer's scope (otherHidden).
  const other = (x: { otherActivityId?: number | null }) =>
    x.otherActivityId != null ? (zh ? `记录 #${x.otherActivityId}` : `record #${x.otherActivityId}`) : zh ? '另一条记录（不在您的管辖范围内）' : 'another record (outside your scope)';
  try {
    switch (kind as CheckKind) {
      case 'duplicate_photo': {
        const x = e as EvidenceOf<'duplicate_photo'>;
        const n = x.photos?.length ?? 0;
        return {
          text: zh ? `与${other(x)} 使用了同一张照片${n > 1 ? `（共 ${n} 张）` : ''}` : `Shares ${n > 1 ? `${n} pictures` : 'a picture'} with ${other(x)}`,
          photos: x.photos?.map((p) => p.photoId),
        };
      }
      case 'far_from_target': {
        const x = e as EvidenceOf<'far_from_target'>;
        return {
          text: zh
            ? `定位距联系对象「${x.targetName}」${formatDistance(x.distanceM, lang)}，扣除定位精度后 ${formatDistance(x.beyondAccuracyM, lang)}，超过允许的 ${formatDistance(x.maxDistanceM, lang)}`
            : `The GPS fix is ${formatDistance(x.distanceM, lang)} from “${x.targetName}” (${formatDistance(x.beyondAccuracyM, lang)} beyond its accuracy), over the ${formatDistance(x.maxDistanceM, lang)} allowed`,
        };
      }
      case 'impossible_travel': {
        const x = e as EvidenceOf<'impossible_travel'>;
        if (x.speedKmh === null || x.minutes <= 0)
          return {
            text: zh
              ? `与 ${formatDistance(x.distanceM, lang)}外的${other(x)} 时间重叠`
              : `Overlaps in time with ${other(x)}, ${formatDistance(x.distanceM, lang)} away`,
          };
        return {
          text: zh
            ? `与 ${formatDistance(x.distanceM, lang)}外的${other(x)} 相隔 ${num(x.minutes, lang, 0)} 分钟，折合 ${num(x.speedKmh, lang, 0)} 公里/小时（上限 ${num(x.maxSpeedKmh, lang, 0)} 公里/小时）`
            : `${other(x).replace(/^./, (c) => c.toUpperCase())} is ${formatDistance(x.distanceM, lang)} away and ${num(x.minutes, lang, 0)} minutes apart: ${num(x.speedKmh, lang, 0)} km/h (limit ${num(x.maxSpeedKmh, lang, 0)} km/h)`,
        };
      }
      case 'late_entry': {
        const x = e as EvidenceOf<'late_entry'>;
        return {
          text: zh
            ? `活动结束于 ${formatTime(x.endsAt)}，${formatTime(x.recordedAt)} 才录入，晚了 ${num(x.daysLate, lang)} 天（超过 ${num(x.lateDays, lang)} 天即提示）`
            : `Ended ${formatTime(x.endsAt)}, entered ${formatTime(x.recordedAt)}: ${num(x.daysLate, lang)} days late (flagged after ${num(x.lateDays, lang)})`,
        };
      }
      case 'backdated_burst': {
        const x = e as EvidenceOf<'backdated_burst'>;
        return {
          text: zh
            ? `同一账号在 ${x.windowMinutes} 分钟内录入了 ${x.count} 条一天以前的记录（${x.burstCount} 条即提示）；本条录入时已过去 ${num(x.daysOld, lang)} 天`
            : `The same account entered ${x.count} back-dated records within ${x.windowMinutes} minutes (flagged at ${x.burstCount}); this one was ${num(x.daysOld, lang)} days old`,
        };
      }
      case 'attendance_exceeds_population': {
        const x = e as EvidenceOf<'attendance_exceeds_population'>;
        const places = (x.places ?? []).map((p) => p.name).join(zh ? '、' : ', ');
        const basis = basisLabel[x.basis]?.[lang] ?? x.basis;
        return {
          text: zh
            ? `参加 ${num(x.attendees, lang, 0)} 人次，超过 ${places || '所在村（社区）'} 的${basis} ${num(x.limit, lang, 0)}`
            : `${num(x.attendees, lang, 0)} attendees, more than the ${basis} of ${places || 'the place'} (${num(x.limit, lang, 0)})`,
        };
      }
      case 'double_stay': {
        const x = e as EvidenceOf<'double_stay'>;
        const days = x.from === x.to ? x.from : `${x.from}～${x.to}`;
        return {
          text: zh
            ? `同一干部 ${days} 还在另一个村蹲点（${other(x)}）`
            : `The same cadre also stayed in another village on ${days} (${other(x)})`,
        };
      }
    }
  } catch {
    /* evidence of an unexpected shape: shown raw below */
  }
  return { text: JSON.stringify(evidence) };
}

export function EvidenceText({ kind, evidence, showPhotos = true }: { kind: string; evidence: unknown; showPhotos?: boolean }) {
  const { lang } = useI18n();
  const d = describeEvidence(kind, evidence, lang);
  return (
    <div>
      <div>{withLinks(d.text)}</div>
      {showPhotos && d.photos?.length ? (
        <div style={{ marginTop: 6 }}>
          <PhotoStrip size={64} photos={d.photos.map((id) => ({ id, url: photoUrl(id), thumbUrl: photoThumbUrl(id), hasThumbnail: true, takenAt: null }))} />
        </div>
      ) : null}
    </div>
  );
}

export function CheckKindTag({ kind }: { kind: string }) {
  const { lang } = useI18n();
  const l = checkKindLabels[kind as CheckKind];
  return (
    <Tooltip title={l?.explain[lang]}>
      <Tag color={checkKindColor[kind as CheckKind] ?? 'default'} icon={<WarningFilled />} style={{ whiteSpace: 'normal' }}>
        {checkKindLabel(kind, lang)}
      </Tag>
    </Tooltip>
  );
}

export function FlagState({ clearedAt, clearedBy, clearReason }: { clearedAt: string | null; clearedBy?: string | null; clearReason: string | null }) {
  const { t } = useI18n();
  if (!clearedAt) return <Tag color="error">{t('flagOpen')}</Tag>;
  return (
    <Tooltip title={`${formatTime(clearedAt)}${clearedBy ? ` · ${clearedBy}` : ''}：${clearReason ?? ''}`}>
      <Tag color="success" icon={<CheckCircleOutlined />}>
        {t('flagCleared')}
      </Tag>
    </Tooltip>
  );
}

/** 核实并清除: a supervisor clears a flag with the reason (audited on the server). */
export function ClearFlagModal({ flagId, summary, onClose, onDone }: { flagId: number; summary?: ReactNode; onClose: () => void; onDone: (f: IntegrityFlagDto | null) => void }) {
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<{ reason: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal
      open
      title={t('clearFlagTitle')}
      okText={t('clearFlagOk')}
      cancelText={t('cancel')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={busy}
      destroyOnHidden
      data-testid="clear-flag-modal"
    >
      {summary ? <div style={{ marginBottom: 12 }}>{summary}</div> : null}
      {error ? <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} /> : null}
      <Form
        form={form}
        layout="vertical"
        onFinish={async (v) => {
          setBusy(true);
          setError(null);
          try {
            const f = await api.post<IntegrityFlagDto | undefined>(`/api/v1/integrity/flags/${flagId}/clear`, { reason: v.reason.trim() }, { quiet: true });
            void message.success(t('flagClearedDone'));
            onDone(f ?? null);
          } catch (e) {
            if (!(e instanceof ApiError && e.status === 401)) setError((e as Error).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        <Form.Item
          name="reason"
          label={t('clearReason')}
          extra={t('clearReasonHint')}
          rules={[
            { required: true, whitespace: true, message: t('clearReasonRequired') },
            { min: 4, message: t('clearReasonRequired') },
            { max: 500 },
          ]}
        >
          <Input.TextArea rows={3} maxLength={500} showCount data-testid="clear-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** The flags of one record, as on its detail page. */
export function ActivityFlags({
  flags,
  canClear,
  onCleared,
}: {
  flags: { id: number; checkKind: string; evidence: unknown; clearedAt: string | null; clearReason: string | null }[];
  canClear: boolean;
  onCleared: () => void;
}) {
  const { t } = useI18n();
  const [clearing, setClearing] = useState<(typeof flags)[number] | null>(null);
  return (
    <div data-testid="activity-flags">
      {flags.map((f) => (
        <div key={f.id} className={f.clearedAt ? 'lx-flag lx-flag-cleared' : 'lx-flag'}>
          <div className="lx-flag-head">
            <CheckKindTag kind={f.checkKind} />
            <FlagState clearedAt={f.clearedAt} clearReason={f.clearReason} />
            <span className="lx-toolbar-spacer" />
            {canClear && !f.clearedAt ? (
              <Button size="small" onClick={() => setClearing(f)} data-testid={`clear-flag-${f.id}`}>
                {t('clearFlag')}
              </Button>
            ) : null}
          </div>
          <EvidenceText kind={f.checkKind} evidence={f.evidence} />
          {f.clearedAt ? (
            <div className="lx-muted" style={{ marginTop: 4 }}>
              {t('clearedWithReason', { at: formatTime(f.clearedAt), reason: f.clearReason ?? '' })}
            </div>
          ) : null}
        </div>
      ))}
      {clearing ? (
        <ClearFlagModal
          flagId={clearing.id}
          summary={<EvidenceText kind={clearing.checkKind} evidence={clearing.evidence} showPhotos={false} />}
          onClose={() => setClearing(null)}
          onDone={() => {
            setClearing(null);
            onCleared();
          }}
        />
      ) : null}
    </div>
  );
}
