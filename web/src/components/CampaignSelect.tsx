import { useEffect, useMemo, useState, type CSSProperties } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { CampaignDto } from '../../../contracts/campaigns.ts';
import { api, type Page } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { RemoteSelect, type Option } from './RemoteSelect.tsx';

const option = (c: CampaignDto): Option<number> => ({
  value: c.id,
  label: (
    <span>
      {c.name} <span style={{ color: '#8c8c8c', fontSize: 12 }}>{c.regionName} · {c.startsOn.slice(0, 4)}</span>
    </span>
  ),
  title: c.name,
});

export function CampaignSelect(props: { value?: number | null; onChange?: (v: number | null) => void; style?: CSSProperties; initial?: CampaignDto | null }) {
  const { t } = useI18n();
  const search = useMemo(
    () => async (q: string, signal: AbortSignal) => (await api.get<Page<CampaignDto>>('/api/v1/campaigns', { q, pageSize: 30 }, { signal, quiet: true })).items.map(option),
    [],
  );
  const resolve = useMemo(() => async (id: number) => option(await api.get<CampaignDto>(`/api/v1/campaigns/${id}`, undefined, { quiet: true })), []);
  return (
    <RemoteSelect<number>
      placeholder={t('campaignSelectPlaceholder')}
      allowClear={false}
      value={props.value}
      onChange={props.onChange}
      style={props.style}
      search={search}
      resolve={resolve}
      initial={props.initial ? option(props.initial) : undefined}
    />
  );
}

/**
 * The campaign a page is about: `?campaign=` in the address, else the first running campaign the
 * user can see (else the first). Returns the id, the loaded campaign, and a setter that keeps the
 * address in step. `none` is true when the user can see no campaign at all.
 */
export function useCampaignParam() {
  const [params, setParams] = useSearchParams();
  const id = Number(params.get('campaign')) || null;
  const [campaign, setCampaign] = useState<CampaignDto | null>(null);
  const [none, setNone] = useState(false);

  useEffect(() => {
    if (id) return;
    let cancelled = false;
    const today = new Date().toISOString().slice(0, 10);
    (async () => {
      const running = await api.get<Page<CampaignDto>>('/api/v1/campaigns', { activeOn: today, pageSize: 1 }, { quiet: true });
      const any = running.items[0] ? running : await api.get<Page<CampaignDto>>('/api/v1/campaigns', { pageSize: 1 }, { quiet: true });
      if (cancelled) return;
      const first = any.items[0];
      if (first) {
        setCampaign(first);
        setParams((p) => {
          const next = new URLSearchParams(p);
          next.set('campaign', String(first.id));
          return next;
        }, { replace: true });
      } else setNone(true);
    })().catch(() => setNone(true));
    return () => {
      cancelled = true;
    };
  }, [id, setParams]);

  useEffect(() => {
    if (!id || campaign?.id === id) return;
    let cancelled = false;
    api
      .get<CampaignDto>(`/api/v1/campaigns/${id}`)
      .then((c) => {
        if (!cancelled) setCampaign(c);
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [id, campaign?.id]);

  const select = (next: number | null, extra?: Record<string, string | null>) =>
    setParams((p) => {
      const q = new URLSearchParams(p);
      if (next) q.set('campaign', String(next));
      else q.delete('campaign');
      for (const [k, v] of Object.entries(extra ?? {})) {
        if (v === null) q.delete(k);
        else q.set(k, v);
      }
      return q;
    });

  return { id, campaign: campaign && campaign.id === id ? campaign : null, none, select, params, setParams };
}
