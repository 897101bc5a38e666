import { DatePicker } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import type { TablePaginationConfig } from 'antd';
import { useCallback, useEffect, useMemo, useState, type CSSProperties } from 'react';
import { useSearchParams } from 'react-router-dom';
import { activityKindLabels, activityKinds, type ActivityKind } from '../../../contracts/activities.ts';
import type { CampaignDto } from '../../../contracts/campaigns.ts';
import { topicStatusLabels, writingStatusLabels, type WritingGrade, type WritingKind, type WritingStatus } from '../../../contracts/writings.ts';
import { api, fieldErrors, type Page } from '../api.ts';
import { useI18n, type Lang } from '../i18n.ts';
import { RemoteSelect, type Option } from './RemoteSelect.tsx';

// Pieces the field-record pages share: filters kept in the address (so a detail page links back
// to the list as it was), money in 元 ↔ fen, dates, the campaign picker, the period filter.

/** Filters in the address: read one with get(), change several with update() (page back to 1). */
export function useUrlFilters() {
  const [params, setParams] = useSearchParams();
  const update = useCallback(
    (patch: Record<string, string | number | undefined | null>) =>
      setParams(
        (p) => {
          const next = new URLSearchParams(p);
          for (const [k, v] of Object.entries(patch)) {
            if (v === undefined || v === null || v === '') next.delete(k);
            else next.set(k, String(v));
          }
          if (!('page' in patch)) next.delete('page');
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  const get = useCallback((k: string) => params.get(k) ?? undefined, [params]);
  const num = useCallback((k: string) => Number(params.get(k)) || undefined, [params]);
  const page = Math.max(1, Number(params.get('page')) || 1);
  const pageSize = [20, 50, 100, 200].includes(Number(params.get('size'))) ? Number(params.get('size')) : 20;
  return { params, get, num, update, page, pageSize };
}

/**
 * One page of `path` for filters kept in the address (`useUrlFilters`): `queryKey` is the JSON of
 * the list's filters; the page reloads when they, the page or its size change. `onTable` is the
 * table's onChange: a new page size starts again from page 1.
 */
export function useUrlPagedList<T>(path: string, queryKey: string, paging: Pick<ReturnType<typeof useUrlFilters>, 'page' | 'pageSize' | 'update'>) {
  const { page, pageSize, update } = paging;
  const [data, setData] = useState<Page<T> | null>(null);
  const [loading, setLoading] = useState(false);
  const load = useCallback(async () => {
    setLoading(true);
    try {
      setData(await api.get<Page<T>>(path, { ...(JSON.parse(queryKey) as Record<string, string>), page, pageSize }));
    } catch {
      /* shown by the API client */
    } finally {
      setLoading(false);
    }
  }, [path, queryKey, page, pageSize]);
  useEffect(() => {
    void load();
  }, [load]);
  const onTable = (p: TablePaginationConfig) => {
    const size = p.pageSize ?? pageSize;
    update({ page: size !== pageSize ? 1 : (p.current ?? 1), size: size === 20 ? undefined : size });
  };
  return { data, loading, load, onTable };
}

/** Paging of a table whose page lives in the address. */
export function tablePaging(page: number, pageSize: number, total: number, t: (k: 'totalItems', v: { total: number }) => string) {
  return {
    current: page,
    pageSize,
    total,
    showSizeChanger: true,
    pageSizeOptions: [20, 50, 100, 200],
    showTotal: (n: number) => t('totalItems', { total: n }),
  };
}

/** 元 typed by a person → integer fen (no floating-point drift: 12.34 → 1234). */
export const yuanToFen = (yuan: number | null | undefined): number | null => (yuan === null || yuan === undefined ? null : Math.round(yuan * 100));
export const fenToYuan = (fen: number | null | undefined): number | null => (fen === null || fen === undefined ? null : fen / 100);
/** Exact 元 with two decimals and thousands separators: 65,000.00 元. */
export function formatYuan(fen: number | null | undefined, lang: Lang): string {
  if (fen === null || fen === undefined) return '';
  const s = (fen / 100).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return lang === 'zh' ? `${s} 元` : `CNY ${s}`;
}
/** 万元 with four decimals (10.8600 万元), the unit reports use. */
export function formatWan(fen: number | null | undefined, lang: Lang): string {
  if (fen === null || fen === undefined) return '';
  // English has no 万: the same sum in thousands.
  if (lang === 'en') return `CNY ${(fen / 100_000).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 3 })}k`;
  return `${(fen / 1_000_000).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 4 })} 万元`;
}

export const activityKindOptions = (lang: Lang) => activityKinds.map((k) => ({ value: k, label: activityKindLabels[k][lang] }));
export const activityKindLabel = (k: string, lang: Lang) => activityKindLabels[k as ActivityKind]?.[lang] ?? k;
export const activityKindColor: Record<ActivityKind, string> = {
  household_visit: 'orange',
  stay: 'red',
  forum: 'blue',
  talk: 'cyan',
  consultation: 'geekblue',
  policy_talk: 'purple',
  condolence: 'magenta',
  reception: 'gold',
  onsite_office: 'volcano',
  enterprise_visit: 'green',
  project_visit: 'lime',
  research: 'default',
};

export const writingKindColor: Record<WritingKind, string> = {
  diary: 'orange',
  research_topic: 'purple',
  research_report: 'blue',
  leader_memo: 'red',
  development_plan: 'green',
};
export const writingStatusColor: Record<WritingStatus, string> = { draft: 'default', submitted: 'processing', reviewed: 'cyan', selected: 'gold' };
export const gradeColor: Record<WritingGrade, string> = { 优: 'red', 良: 'orange', 中: 'blue', 差: 'default' };
/** A research topic's `submitted` reads 已下达 (issued). */
export const writingStatusLabel = (kind: WritingKind, status: WritingStatus, lang: Lang) =>
  (kind === 'research_topic' ? topicStatusLabels[status]?.[lang] : undefined) ?? writingStatusLabels[status][lang];

const pad = (n: number) => String(n).padStart(2, '0');
/** 2026-03-05 in the browser's time zone. */
export function formatDay(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
const hm = (d: Date) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;
/** 2026-03-05 09:00–11:30, or 2026-03-05 09:00 – 2026-03-07 17:00 across days. */
export function formatSpan(startsAt: string, endsAt: string): string {
  const a = new Date(startsAt);
  const b = new Date(endsAt);
  if (Number.isNaN(a.getTime()) || Number.isNaN(b.getTime())) return `${startsAt} – ${endsAt}`;
  if (formatDay(startsAt) === formatDay(endsAt)) return `${formatDay(startsAt)} ${hm(a)}–${hm(b)}`;
  return `${formatDay(startsAt)} ${hm(a)} – ${formatDay(endsAt)} ${hm(b)}`;
}

/** A refused request's field problems, without the `body.` the validator puts in front. */
export const bodyFieldErrors = (e: unknown) => fieldErrors(e).map((f) => ({ field: f.field.replace(/^body\./, ''), message: f.message }));

const campaignOption = (c: CampaignDto): Option<number> => ({
  value: c.id,
  label: (
    <span>
      {c.name} <span style={{ color: '#8c8c8c', fontSize: 12 }}>{c.startsOn.slice(0, 4)}</span>
    </span>
  ),
  title: c.name,
});

/** A campaign, or none (filters and optional links). */
export function CampaignPicker(props: { value?: number | null; onChange?: (v: number | null) => void; style?: CSSProperties; id?: string; placeholder?: string; initial?: { id: number; name: string } | null }) {
  const { t } = useI18n();
  const search = useMemo(
    () => async (q: string, signal: AbortSignal) => (await api.get<Page<CampaignDto>>('/api/v1/campaigns', { q, pageSize: 30 }, { signal, quiet: true })).items.map(campaignOption),
    [],
  );
  const resolve = useMemo(() => async (id: number) => campaignOption(await api.get<CampaignDto>(`/api/v1/campaigns/${id}`, undefined, { quiet: true })), []);
  return (
    <RemoteSelect<number>
      id={props.id}
      placeholder={props.placeholder ?? t('campaignFilter')}
      value={props.value}
      onChange={props.onChange}
      style={props.style}
      search={search}
      resolve={resolve}
      initial={props.initial ? { value: props.initial.id, label: props.initial.name, title: props.initial.name } : undefined}
    />
  );
}

/** From–to dates (YYYY-MM-DD) kept as two address parameters. */
export function PeriodFilter({ from, to, onChange, style }: { from?: string; to?: string; onChange: (from: string | undefined, to: string | undefined) => void; style?: CSSProperties }) {
  const { t } = useI18n();
  const value: [Dayjs | null, Dayjs | null] | null = from || to ? [from ? dayjs(from) : null, to ? dayjs(to) : null] : null;
  return (
    <DatePicker.RangePicker
      style={style}
      value={value}
      allowEmpty={[true, true]}
      placeholder={[t('periodFrom'), t('periodTo')]}
      format="YYYY-MM-DD"
      presets={[
        { label: t('thisWeek'), value: [dayjs().startOf('week'), dayjs()] },
        { label: t('thisMonth'), value: [dayjs().startOf('month'), dayjs()] },
        { label: t('thisYear'), value: [dayjs().startOf('year'), dayjs()] },
        { label: t('last30Days'), value: [dayjs().subtract(29, 'day'), dayjs()] },
      ]}
      onChange={(v) => onChange(v?.[0]?.format('YYYY-MM-DD') ?? undefined, v?.[1]?.format('YYYY-MM-DD') ?? undefined)}
    />
  );
}
