import type { TableColumnsType } from 'antd';
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import type { PairingDto } from '../../../contracts/campaigns.ts';
import { api, type Page } from '../api.ts';
import type { useI18n } from '../i18n.ts';

/** How many pairings a detail page fetches at once; beyond this the table says it shows the first ones only. */
export const PAIRING_HISTORY_LIMIT = 500;

/**
 * Every pairing at `path`, open and ended alike: `rows` is null while loading
 * (and empty after an error, which the API client shows), `total` what the server counts.
 */
export function usePairingHistory<T>(path: string): { rows: T[] | null; total: number } {
  const [rows, setRows] = useState<T[] | null>(null);
  const [total, setTotal] = useState(0);

  useEffect(() => {
    let cancelled = false;
    api
      .get<Page<T>>(path, { status: 'all', pageSize: PAIRING_HISTORY_LIMIT })
      .then((p) => {
        if (cancelled) return;
        setRows(p.items);
        setTotal(p.total);
      })
      .catch(() => setRows([]));
    return () => {
      cancelled = true;
    };
  }, [path]);

  return { rows, total };
}

/** The columns every pairing-history table ends with: the campaign, and when and why the pairing started and ended. */
export function pairingTailColumns<T extends PairingDto>(t: ReturnType<typeof useI18n>['t'], endReasonWidth?: number): TableColumnsType<T> {
  return [
    { title: t('campaign'), dataIndex: 'campaignName', width: 180, ellipsis: true, render: (n: string, r) => <Link to={`/campaigns/${r.campaignId}`}>{n}</Link> },
    { title: t('startsOn'), dataIndex: 'startsOn', width: 110 },
    { title: t('endsOn'), dataIndex: 'endsOn', width: 110, render: (d: string | null) => d ?? <span className="lx-muted">—</span> },
    { title: t('endReason'), dataIndex: 'endReason', ...(endReasonWidth === undefined ? {} : { width: endReasonWidth }), ellipsis: true, render: (d: string | null) => d ?? <span className="lx-muted">—</span> },
  ];
}
