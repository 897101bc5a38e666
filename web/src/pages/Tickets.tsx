import { DownloadOutlined, PhoneOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Input, Select, Table } from 'antd';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import type { TicketSummary } from '../../../contracts/ticket-api.ts';
import { deadlineMarkLabels } from '../../../contracts/tickets.ts';
import { download, withQuery, type Query } from '../api.ts';
import { useMe } from '../auth.tsx';
import { PeriodFilter, tablePaging, useUrlFilters, useUrlPagedList } from '../components/recordCommon.tsx';
import { RegionTreeSelect } from '../components/RegionTreeSelect.tsx';
import { UnitSelect } from '../components/RemoteSelect.tsx';
import { PageTitle } from '../components/Status.tsx';
import { sourceOptions, stateOptions, ticketFiltersFromUrl, TicketCategorySelect, typeOptions, urgencyOptions, useTicketColumns, useTicketWords } from '../components/ticketCommon.tsx';
import { useI18n } from '../i18n.ts';
import '../components/records.css';

// 问题台账: every ticket the caller may see, filtered by state (or all open ones), type, category
// (with its children), handling unit, region (and below), the period it was registered in, where
// it stands against its deadline, supervision, and a tracking code or words of the title. All
// filters live in the address, so a link or a reload shows the same list; the Excel export takes
// the same query.

export default function TicketsPage() {
  const { t } = useI18n();
  const { tt, lang } = useTicketWords();
  const me = useMe();
  const navigate = useNavigate();
  const { get, num, update, page, pageSize } = useUrlFilters();
  const query = ticketFiltersFromUrl(get, num);
  const key = JSON.stringify(query);
  const { data, loading, load, onTable } = useUrlPagedList<TicketSummary>('/api/v1/tickets', key, { page, pageSize, update });
  const columns = useTicketColumns();
  const [qInput, setQInput] = useState(query.q ?? '');
  useEffect(() => setQInput(query.q ?? ''), [query.q]);
  const [exporting, setExporting] = useState(false);

  const exportQuery = query as Query;
  const exportHref = withQuery('/api/v1/tickets/export.xlsx', exportQuery);
  const save = async () => {
    setExporting(true);
    try {
      await download('/api/v1/tickets/export.xlsx', { query: exportQuery, filename: '问题台账.xlsx' });
    } catch {
      /* shown by the API client */
    } finally {
      setExporting(false);
    }
  };

  const markOptions = [
    { value: 'due_soon', label: deadlineMarkLabels.due_soon[lang] },
    { value: 'overdue', label: deadlineMarkLabels.overdue[lang] },
    { value: 'long_overdue', label: deadlineMarkLabels.long_overdue[lang] },
    { value: 'late', label: tt('markLate') },
  ];

  return (
    <div>
      <PageTitle
        title={tt('ledgerTitle')}
        extra={
          <div style={{ display: 'flex', gap: 8 }}>
            {me.role === 'hotline_operator' || me.role === 'admin' ? (
              <Button icon={<PhoneOutlined />} onClick={() => navigate('/hotline')}>
                {tt('hotlineTitle')}
              </Button>
            ) : null}
            <Button
              icon={<DownloadOutlined />}
              href={exportHref}
              loading={exporting}
              onClick={(e) => {
                e.preventDefault();
                void save();
              }}
              data-testid="ticket-export"
            >
              {tt('exportExcel')}
            </Button>
          </div>
        }
      />
      <div className="lx-toolbar" data-testid="ticket-filters">
        <Input.Search
          placeholder={tt('searchPlaceholder')}
          allowClear
          style={{ width: 220 }}
          value={qInput}
          onChange={(e) => setQInput(e.target.value)}
          onSearch={(v) => update({ q: v.trim() || undefined })}
          data-testid="ticket-search"
        />
        <Select
          placeholder={tt('state')}
          allowClear
          style={{ width: 110 }}
          value={query.state}
          options={stateOptions(lang, tt('openStates'))}
          onChange={(v?: string) => update({ state: v })}
          data-testid="filter-state"
        />
        <Select placeholder={tt('typeFilter')} allowClear style={{ width: 100 }} value={query.type} options={typeOptions(lang)} onChange={(v?: string) => update({ type: v })} data-testid="filter-type" />
        <TicketCategorySelect placeholder={tt('categoryFilter')} includeInactive style={{ width: 150 }} value={query.category ?? null} onChange={(v) => update({ category: v ?? undefined })} />
        <Select placeholder={tt('urgencyFilter')} allowClear style={{ width: 100 }} value={query.urgency} options={urgencyOptions(lang)} onChange={(v?: string) => update({ urgency: v })} />
        <UnitSelect placeholder={tt('unitFilter')} style={{ width: 180 }} value={num('unitId') ?? null} onChange={(v) => update({ unitId: v ?? undefined })} />
        <RegionTreeSelect placeholder={tt('regionFilter')} style={{ width: 180 }} value={query.region ?? null} maxLevel="village" onChange={(v) => update({ region: v ?? undefined })} />
        <PeriodFilter from={query.from} to={query.to} onChange={(f, x) => update({ from: f, to: x })} style={{ width: 240 }} />
        <Select placeholder={tt('markFilter')} allowClear style={{ width: 170 }} value={query.mark} options={markOptions} onChange={(v?: string) => update({ mark: v })} data-testid="filter-mark" />
        <Select
          placeholder={tt('superviseFilter')}
          allowClear
          style={{ width: 130 }}
          value={query.supervised}
          options={[
            { value: 'yes', label: tt('supervisedYes') },
            { value: 'unreplied', label: tt('supervisedUnreplied') },
          ]}
          onChange={(v?: string) => update({ supervised: v })}
        />
        <Select placeholder={tt('sourceFilter')} allowClear style={{ width: 120 }} value={query.source} options={sourceOptions(lang)} onChange={(v?: string) => update({ source: v })} />
        <Button
          onClick={() => {
            setQInput('');
            update({ q: undefined, state: undefined, type: undefined, category: undefined, urgency: undefined, unitId: undefined, region: undefined, from: undefined, to: undefined, mark: undefined, supervised: undefined, source: undefined });
          }}
        >
          {t('reset')}
        </Button>
        <span className="lx-toolbar-spacer" />
        <Button icon={<ReloadOutlined />} onClick={() => void load()}>
          {t('refresh')}
        </Button>
      </div>
      <Table<TicketSummary>
        data-testid="ticket-table"
        rowKey="id"
        size="small"
        bordered
        loading={loading}
        dataSource={data?.items ?? []}
        columns={columns}
        onChange={onTable}
        scroll={{ x: 1500 }}
        pagination={tablePaging(page, pageSize, data?.total ?? 0, t)}
      />
    </div>
  );
}
