import { DownloadOutlined, DownOutlined } from '@ant-design/icons';
import { Button, Dropdown } from 'antd';
import { useState } from 'react';
import { download, withQuery, type Query } from '../api.ts';
import { useI18n } from '../i18n.ts';

/**
 * 导出 Excel for a list page: the list's own filters sent to its export endpoint. A refusal (too many
 * rows for the caller's limit, out of scope) is shown by the API client; nothing is saved then.
 */
export function ExportButton({ path, query, filename, testId }: { path: string; query?: Query; filename: string; testId?: string }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    try {
      await download(path, { query: query ?? {}, filename });
    } catch {
      /* shown by the API client */
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button
      icon={<DownloadOutlined />}
      href={withQuery(path, query ?? {})}
      loading={busy}
      onClick={(e) => {
        e.preventDefault();
        void save();
      }}
      data-testid={testId ?? 'export-xlsx'}
    >
      {t('exportExcel')}
    </Button>
  );
}

const statisticsTables = [
  { key: 'figures', zh: '统计指标（含口径）', en: 'Figures (with definitions)', file: '统计指标' },
  { key: 'regions', zh: '按下级区划', en: 'By child region', file: '分区划统计' },
  { key: 'months', zh: '按月', en: 'By month', file: '分月统计' },
  { key: 'compare', zh: '与上期对比', en: 'Against the previous period', file: '统计对比' },
] as const;

/**
 * 导出 Excel on the statistics page: the figures, by child region, by month, or against the
 * previous period, for the page's scope (GET /api/v1/statistics/export?table=…).
 */
export function StatisticsExportMenu({ scope }: { scope: Query }) {
  const { t, lang } = useI18n();
  const [busy, setBusy] = useState(false);
  const save = async (key: string) => {
    const table = statisticsTables.find((x) => x.key === key)!;
    setBusy(true);
    try {
      await download('/api/v1/statistics/export', { query: { ...scope, table: table.key }, filename: `${table.file}.xlsx` });
    } catch {
      /* shown by the API client */
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dropdown menu={{ items: statisticsTables.map((x) => ({ key: x.key, label: x[lang] })), onClick: ({ key }) => void save(key) }}>
      <Button icon={<DownloadOutlined />} loading={busy} data-testid="stats-export">
        {t('exportExcel')} <DownOutlined />
      </Button>
    </Dropdown>
  );
}
