import { Alert, Card, Empty, Skeleton } from 'antd';
import { useEffect, useState } from 'react';
import type { CampaignDto } from '../../../contracts/campaigns.ts';
import type { ComplianceRow } from '../../../contracts/compliance-api.ts';
import { api, ApiError, type Page } from '../api.ts';
import { CountBadges, compliancePaths, DutyRowBody, statusOrder } from './complianceCommon.tsx';
import { useComplianceText } from './complianceText.ts';
import './compliance.css';

// A cadre's compliance on their detail page: every rule of the running campaigns in its current
// window, at risk and missed first, with the explanation.

const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

export function CadreComplianceCard({ cadreId }: { cadreId: number }) {
  const { tc } = useComplianceText();
  const [rows, setRows] = useState<ComplianceRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    setRows(null);
    (async () => {
      const campaigns = await api.get<Page<CampaignDto>>('/api/v1/campaigns', { activeOn: today(), pageSize: 20 }, { quiet: true });
      const pages = await Promise.all(campaigns.items.map((c) => api.get<Page<ComplianceRow>>(compliancePaths.rows, { campaignId: c.id, cadreId, pageSize: 200 }, { quiet: true })));
      return pages.flatMap((p) => p.items).sort((a, b) => statusOrder.indexOf(a.status) - statusOrder.indexOf(b.status));
    })()
      .then((r) => !cancelled && setRows(r))
      .catch((e: unknown) => {
        if (cancelled) return;
        setRows([]);
        setError(e instanceof ApiError ? e.message : String(e));
      });
    return () => {
      cancelled = true;
    };
  }, [cadreId]);

  const counts = rows
    ? { met: rows.filter((r) => r.status === 'met').length, onTrack: rows.filter((r) => r.status === 'on_track').length, atRisk: rows.filter((r) => r.status === 'at_risk').length, missed: rows.filter((r) => r.status === 'missed').length }
    : null;
  return (
    <Card size="small" title={tc('cdTitle')} extra={counts && rows?.length ? <CountBadges counts={counts} /> : null} data-testid="cadre-compliance">
      {rows === null ? (
        <Skeleton active paragraph={{ rows: 2 }} />
      ) : error ? (
        <Alert type="warning" showIcon title={error} />
      ) : rows.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={tc('cdNone')} />
      ) : (
        rows.map((r) => (
          <div className="lx-duty" key={`${r.ruleId}-${r.subject}-${r.subjectId}-${r.windowKey}`}>
            <DutyRowBody row={r} />
          </div>
        ))
      )}
    </Card>
  );
}
