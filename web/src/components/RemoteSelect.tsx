import { Select, Spin } from 'antd';
import { useEffect, useMemo, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import type { CadreDto } from '../../../contracts/cadres.ts';
import type { RegionDto } from '../../../contracts/regions.ts';
import type { UnitDto } from '../../../contracts/units.ts';
import { api, type Page } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { regionLevelLabel } from '../labels.ts';

export type Option<V> = { value: V; label: ReactNode; title?: string };

type RemoteSelectProps<V extends string | number> = {
  value?: V | null;
  onChange?: (value: V | null) => void;
  placeholder?: string;
  style?: CSSProperties;
  id?: string;
  allowClear?: boolean;
  disabled?: boolean;
  /** Options for a search text (empty: the first few). */
  search: (q: string, signal: AbortSignal) => Promise<Option<V>[]>;
  /** The label of a value set from outside (editing a record). */
  resolve?: (value: V) => Promise<Option<V> | null>;
  /** The option of the initial value when the caller already knows its label (saves a request). */
  initial?: Option<V>;
  size?: 'small' | 'middle' | 'large';
  status?: 'error' | 'warning';
};

/** A searchable select whose options come from the server as the user types. */
export function RemoteSelect<V extends string | number>({ value, onChange, placeholder, style, id, allowClear = true, disabled, search, resolve, initial, size, status }: RemoteSelectProps<V>) {
  const { t } = useI18n();
  const [options, setOptions] = useState<Option<V>[]>([]);
  const [known, setKnown] = useState<Option<V> | null>(initial ?? null);
  const [loading, setLoading] = useState(false);
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const timer = useRef<number | undefined>(undefined);

  // Search as the user types (debounced), and once when the list opens.
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

  useEffect(() => {
    if (value === undefined || value === null || !resolve) return;
    if (options.some((o) => o.value === value) || known?.value === value) return;
    let cancelled = false;
    resolve(value)
      .then((o) => {
        if (!cancelled && o) setKnown(o);
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [value, resolve, options, known]);

  const merged = useMemo(() => {
    if (known && !options.some((o) => o.value === known.value)) return [known, ...options];
    return options;
  }, [known, options]);

  return (
    <Select<V>
      id={id}
      showSearch={{ filterOption: false, onSearch: setQ }}
      allowClear={allowClear}
      disabled={disabled}
      value={value ?? undefined}
      placeholder={placeholder}
      style={style}
      size={size}
      status={status}
      options={merged}
      optionLabelProp="label"
      onOpenChange={setOpen}
      onChange={(v, option) => {
        const picked = Array.isArray(option) ? undefined : option;
        if (picked) setKnown(picked as Option<V>);
        onChange?.(v ?? null);
      }}
      onClear={() => onChange?.(null)}
      notFoundContent={loading ? <Spin size="small" /> : t('noData')}
      popupMatchSelectWidth={false}
    />
  );
}

const unitOption = (u: UnitDto): Option<number> => ({ value: u.id, label: u.name, title: `${u.name}（${u.code}）` });

export function UnitSelect(props: Omit<RemoteSelectProps<number>, 'search' | 'resolve'>) {
  const { t } = useI18n();
  const search = useMemo(
    () => async (q: string, signal: AbortSignal) =>
      (await api.get<Page<UnitDto>>('/api/v1/units', { q, pageSize: 30 }, { signal, quiet: true })).items.map(unitOption),
    [],
  );
  const resolve = useMemo(() => async (id: number) => unitOption(await api.get<UnitDto>(`/api/v1/units/${id}`, undefined, { quiet: true })), []);
  return <RemoteSelect<number> placeholder={t('unitSelectPlaceholder')} {...props} search={search} resolve={resolve} />;
}

export function RegionSelect(props: Omit<RemoteSelectProps<string>, 'search' | 'resolve'>) {
  const { t, lang } = useI18n();
  const regionOption = useMemo(
    () =>
      (r: RegionDto): Option<string> => ({
        value: r.code,
        label: (
          <span>
            {r.name} <span style={{ color: '#8c8c8c', fontSize: 12 }}>{regionLevelLabel(r.level, lang)} · {r.code}</span>
          </span>
        ),
        title: r.name,
      }),
    [lang],
  );
  const search = useMemo(
    () => async (q: string, signal: AbortSignal) => {
      const page = q
        ? await api.get<Page<RegionDto>>('/api/v1/regions', { q, pageSize: 30 }, { signal, quiet: true })
        : await api.get<Page<RegionDto>>('/api/v1/regions', { pageSize: 30 }, { signal, quiet: true });
      return page.items.map(regionOption);
    },
    [regionOption],
  );
  const resolve = useMemo(
    () => async (code: string) => regionOption(await api.get<RegionDto>(`/api/v1/regions/${encodeURIComponent(code)}`, undefined, { quiet: true })),
    [regionOption],
  );
  return <RemoteSelect<string> placeholder={t('regionSelectPlaceholder')} {...props} search={search} resolve={resolve} />;
}

export function CadreSelect({ unitId, ...props }: Omit<RemoteSelectProps<number>, 'search' | 'resolve'> & { unitId?: number }) {
  const { t } = useI18n();
  const option = (c: CadreDto): Option<number> => ({ value: c.id, label: `${c.name}（${c.position || c.unitName}）` });
  const search = useMemo(
    () => async (q: string, signal: AbortSignal) =>
      (await api.get<Page<CadreDto>>('/api/v1/cadres', { q, unitId, pageSize: 30 }, { signal, quiet: true })).items.map(option),
    [unitId],
  );
  const resolve = useMemo(() => async (id: number) => option(await api.get<CadreDto>(`/api/v1/cadres/${id}`, undefined, { quiet: true })), []);
  return <RemoteSelect<number> placeholder={t('cadreSelectPlaceholder')} {...props} search={search} resolve={resolve} />;
}
