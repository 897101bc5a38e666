import { Select, Spin, Tag } from 'antd';
import { useEffect, useMemo, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import type { CadreDto } from '../../../contracts/cadres.ts';
import type { TargetDto, TargetKind } from '../../../contracts/targets.ts';
import { api, type Page } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { kindColor, targetKindLabel } from '../labels.ts';
import { RemoteSelect, type Option } from './RemoteSelect.tsx';

// Pickers for field records: several cadres (a group visit credits each), several targets, one
// target. Options come from the server as the user types; labels of values already chosen are
// kept, so a record being edited shows names without asking again.

type MultiProps = {
  value?: number[];
  /** The chosen values, and the options (with labels) of those known. */
  onChange?: (value: number[], chosen: Option<number>[]) => void;
  placeholder?: string;
  style?: CSSProperties;
  id?: string;
  disabled?: boolean;
  /** Labels known in advance for values set from outside (the record being edited). */
  initial?: Option<number>[];
  status?: 'error' | 'warning';
};

function MultiRemoteSelect({ value, onChange, placeholder, style, id, disabled, initial, status, search }: MultiProps & { search: (q: string, signal: AbortSignal) => Promise<Option<number>[]> }) {
  const { t } = useI18n();
  const [options, setOptions] = useState<Option<number>[]>([]);
  const [known, setKnown] = useState<Map<number, Option<number>>>(() => new Map((initial ?? []).map((o) => [o.value, o])));
  const [loading, setLoading] = useState(false);
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const timer = useRef<number | undefined>(undefined);

  // Labels handed in later (a record loaded after the form opened).
  const initialKey = (initial ?? []).map((o) => o.value).join(',');
  useEffect(() => {
    if (!initial?.length) return;
    setKnown((m) => {
      const next = new Map(m);
      for (const o of initial) if (!next.has(o.value)) next.set(o.value, o);
      return next;
    });
    // initial is rebuilt on each render of the caller; its values are what matter.
  }, [initialKey]);

  useEffect(() => {
    if (!open) return;
    const ctrl = new AbortController();
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      setLoading(true);
      search(q.trim(), ctrl.signal)
        .then(setOptions)
        .catch(() => undefined)
        .finally(() => setLoading(false));
    }, 250);
    return () => {
      ctrl.abort();
      window.clearTimeout(timer.current);
    };
  }, [q, open, search]);

  const merged = useMemo(() => {
    const seen = new Set(options.map((o) => o.value));
    const chosen = (value ?? []).map((v) => known.get(v)).filter((o): o is Option<number> => !!o && !seen.has(o.value));
    return [...chosen, ...options];
  }, [options, known, value]);

  return (
    <Select<number[]>
      id={id}
      mode="multiple"
      showSearch={{ filterOption: false, onSearch: setQ }}
      allowClear
      disabled={disabled}
      value={value ?? []}
      placeholder={placeholder}
      style={style}
      status={status}
      options={merged}
      optionLabelProp="label"
      onOpenChange={setOpen}
      onChange={(v, picked) => {
        const list = (Array.isArray(picked) ? picked : [picked]) as (Option<number> | undefined)[];
        const next = new Map(known);
        for (const o of list) if (o && o.value !== undefined) next.set(o.value, o);
        setKnown(next);
        onChange?.(
          v,
          v.map((x) => next.get(x)).filter((o): o is Option<number> => !!o),
        );
      }}
      notFoundContent={loading ? <Spin size="small" /> : t('noData')}
      popupMatchSelectWidth={false}
    />
  );
}

export const cadreOption = (c: Pick<CadreDto, 'id' | 'name' | 'position' | 'unitName'>): Option<number> => ({
  value: c.id,
  label: c.name,
  title: `${c.name}（${c.position || c.unitName}）`,
});

/** Several cadres; the list shows each one's position or unit. */
export function CadresSelect(props: MultiProps) {
  const { t } = useI18n();
  const search = useMemo(
    () => async (q: string, signal: AbortSignal) =>
      (await api.get<Page<CadreDto>>('/api/v1/cadres', { q, pageSize: 30 }, { signal, quiet: true })).items.map((c) => ({
        ...cadreOption(c),
        label: (
          <span>
            {c.name} <span className="lx-muted" style={{ fontSize: 12 }}>{c.position || c.unitName}</span>
          </span>
        ) as ReactNode,
      })),
    [],
  );
  return <MultiRemoteSelect placeholder={t('cadreSelectPlaceholder')} {...props} search={search} />;
}

export type TargetRef = { id: number; kind: TargetKind | string; name: string; regionName?: string | null };

function useTargetSearch(kinds?: TargetKind[], region?: string | null) {
  const { lang } = useI18n();
  return useMemo(
    () => async (q: string, signal: AbortSignal) => {
      const lists = await Promise.all(
        (kinds?.length ? kinds : [undefined]).map((kind) =>
          api.get<Page<TargetDto>>('/api/v1/targets', { q, kind, region: region ?? undefined, pageSize: kinds && kinds.length > 1 ? 10 : 30 }, { signal, quiet: true }),
        ),
      );
      return lists.flatMap((p) => p.items).map((x) => targetOption(x, lang));
    },
    [kinds, region, lang],
  );
}

export const targetOption = (x: TargetRef, lang: 'zh' | 'en'): Option<number> => ({
  value: x.id,
  label: (
    <span>
      {x.kind ? (
        <Tag color={kindColor[x.kind as TargetKind]} style={{ marginInlineEnd: 4, fontSize: 11, lineHeight: '16px', padding: '0 4px' }}>
          {targetKindLabel(x.kind, lang)}
        </Tag>
      ) : null}
      {x.name}
      {x.regionName ? <span className="lx-muted" style={{ fontSize: 12 }}> {x.regionName}</span> : null}
    </span>
  ),
  title: x.name,
});

/** Several contact targets of any kind (or of `kinds`), optionally under a region. */
export function TargetsSelect({ kinds, region, ...props }: MultiProps & { kinds?: TargetKind[]; region?: string | null }) {
  const { t } = useI18n();
  const search = useTargetSearch(kinds, region);
  return <MultiRemoteSelect placeholder={t('targetSelectPlaceholder')} {...props} search={search} />;
}

/** One contact target. */
export function TargetSelect({
  value,
  onChange,
  style,
  id,
  placeholder,
  initial,
  disabled,
  kinds,
}: {
  value?: number | null;
  onChange?: (v: number | null) => void;
  style?: CSSProperties;
  id?: string;
  placeholder?: string;
  initial?: TargetRef | null;
  disabled?: boolean;
  kinds?: TargetKind[];
}) {
  const { t, lang } = useI18n();
  const search = useTargetSearch(kinds);
  const resolve = useMemo(() => async (tid: number) => targetOption(await api.get<TargetDto>(`/api/v1/targets/${tid}`, undefined, { quiet: true }), lang), [lang]);
  return (
    <RemoteSelect<number>
      id={id}
      value={value}
      onChange={onChange}
      style={style}
      disabled={disabled}
      placeholder={placeholder ?? t('targetSelectPlaceholder')}
      search={search}
      resolve={resolve}
      initial={initial ? targetOption(initial, lang) : undefined}
    />
  );
}
