import { ReloadOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Badge, Button, Space, Table, Tabs } from 'antd';
import type { TableColumnsType } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { TicketListFilters, TicketSummary } from '../../../contracts/ticket-api.ts';
import { ticketActionLabels, type TicketAction } from '../../../contracts/tickets.ts';
import { api, ApiError, type Page, type Query } from '../api.ts';
import { useMe } from '../auth.tsx';
import { tablePaging, useUrlFilters, useUrlPagedList } from '../components/recordCommon.tsx';
import { PageTitle } from '../components/Status.tsx';
import { TicketActionModal, type ActionTarget } from '../components/TicketActions.tsx';
import { useTicketColumns, useTicketWords, type TicketWord } from '../components/ticketCommon.tsx';
import { useI18n } from '../i18n.ts';
import '../components/records.css';

// 我的待办: the tickets the caller's unit holds or assists (inbox=mine), in tabs by where they
// stand — to sign, signed, in progress, reopened, supervision to answer, overdue, resolved and
// waiting for the rating, closed — each with its count. Signing, returning, starting and
// resolving are offered on the row; the server still decides (a refusal shows its message).

type InboxTab = { key: string; label: TicketWord; filters: Partial<TicketListFilters>; actions: TicketAction[] };
const tabs: InboxTab[] = [
  { key: 'to_sign', label: 'tabToSign', filters: { state: 'dispatched' }, actions: ['sign', 'return'] },
  { key: 'signed', label: 'tabSigned', filters: { state: 'signed' }, actions: ['start', 'resolve', 'return'] },
  { key: 'in_progress', label: 'tabInProgress', filters: { state: 'in_progress' }, actions: ['resolve'] },
  { key: 'reopened', label: 'tabReopened', filters: { state: 'reopened' }, actions: ['start', 'resolve'] },
  { key: 'unreplied', label: 'tabUnreplied', filters: { supervised: 'unreplied', state: 'open' }, actions: ['reply_supervision'] },
  { key: 'overdue', label: 'tabOverdue', filters: { mark: 'overdue', state: 'open' }, actions: [] },
  { key: 'resolved', label: 'tabResolved', filters: { state: 'resolved' }, actions: [] },
  { key: 'closed', label: 'tabClosed', filters: { state: 'closed' }, actions: [] },
];

export default function TicketInboxPage() {
  const me = useMe();
  const { tt } = useTicketWords();
  // The inbox is a unit's: an account without one has none (the server says so too).
  if (!me.unitId)
    return (
      <div>
        <PageTitle title={tt('inboxTitle')} />
        <Alert type="info" showIcon title={tt('inboxNoUnit')} />
      </div>
    );
  return <Inbox />;
}

function Inbox() {
  const { t } = useI18n();
  const { tt, lang } = useTicketWords();
  const { message } = AntApp.useApp();
  const { get, update, page, pageSize } = useUrlFilters();
  const tab = tabs.find((x) => x.key === get('tab')) ?? tabs[0]!;
  const key = JSON.stringify({ ...tab.filters, inbox: 'mine' });
  const { data, loading, load, onTable } = useUrlPagedList<TicketSummary>('/api/v1/tickets', key, { page, pageSize, update });
  const [counts, setCounts] = useState<Record<string, number>>({});
  const [acting, setActing] = useState<{ ticket: ActionTarget; action: TicketAction } | null>(null);
  const [refused, setRefused] = useState<string | null>(null);

  // One count per tab (a page of one row each: its total).
  const loadCounts = useCallback(async () => {
    const pairs = await Promise.all(
      tabs.map(async (x) => {
        try {
          const p = await api.get<Page<TicketSummary>>('/api/v1/tickets', { ...(x.filters as Query), inbox: 'mine', pageSize: 1 }, { quiet: true });
          return [x.key, p.total] as const;
        } catch {
          return [x.key, 0] as const;
        }
      }),
    );
    setCounts(Object.fromEntries(pairs));
  }, []);
  useEffect(() => {
    void loadCounts();
  }, [loadCounts]);

  const reload = () => {
    void load();
    void loadCounts();
  };

  const sign = async (r: TicketSummary) => {
    try {
      await api.post(`/api/v1/tickets/${r.id}/actions`, { action: 'sign' }, { quiet: true });
      void message.success(tt('actionDone', { what: ticketActionLabels.sign[lang] }));
      setRefused(null);
    } catch (e) {
      if (e instanceof ApiError && e.status !== 401) setRefused(`${r.trackingCode}：${e.message}`);
    }
    reload();
  };

  const extra: TableColumnsType<TicketSummary> = useMemo(
    () =>
      tab.actions.length
        ? [
            {
              title: t('actions'),
              key: 'actions',
              width: 190,
              render: (_: unknown, r: TicketSummary) => (
                <Space size={4} wrap>
                  {tab.actions.map((a) => (
                    <Button
                      key={a}
                      size="small"
                      type={a === 'sign' || a === 'resolve' ? 'primary' : 'default'}
                      danger={a === 'return'}
                      data-testid={`inbox-${a}-${r.id}`}
                      onClick={() => (a === 'sign' ? void sign(r) : setActing({ ticket: r, action: a }))}
                    >
                      {ticketActionLabels[a][lang]}
                    </Button>
                  ))}
                </Space>
              ),
            },
          ]
        : [],
    // sign is recreated each render; the tab and language decide the column.
    [tab, lang, t],
  );
  // The row's actions right after its code: they are what the inbox is for.
  const all = useTicketColumns();
  const columns = [all[0]!, ...extra, ...all.slice(1)];

  return (
    <div>
      <PageTitle
        title={tt('inboxTitle')}
        extra={
          <Button icon={<ReloadOutlined />} onClick={reload}>
            {t('refresh')}
          </Button>
        }
      />
      {refused ? <Alert type="warning" showIcon title={refused} closable onClose={() => setRefused(null)} style={{ marginBottom: 12 }} data-testid="inbox-refused" /> : null}
      <Tabs
        activeKey={tab.key}
        onChange={(k) => update({ tab: k === tabs[0]!.key ? undefined : k })}
        items={tabs.map((x) => ({
          key: x.key,
          label: (
            <span data-testid={`inbox-tab-${x.key}`}>
              {tt(x.label)}{' '}
              <Badge count={counts[x.key] ?? 0} showZero overflowCount={999} color={counts[x.key] && ['to_sign', 'overdue', 'unreplied'].includes(x.key) ? '#cf1322' : '#bfbfbf'} />
            </span>
          ),
        }))}
      />
      <Table<TicketSummary>
        data-testid="inbox-table"
        rowKey="id"
        size="small"
        bordered
        loading={loading}
        dataSource={data?.items ?? []}
        columns={columns}
        onChange={onTable}
        scroll={{ x: 1500 + (tab.actions.length ? 190 : 0) }}
        pagination={tablePaging(page, pageSize, data?.total ?? 0, t)}
      />
      {acting ? (
        <TicketActionModal
          ticket={acting.ticket}
          action={acting.action}
          onClose={() => setActing(null)}
          onDone={() => {
            setActing(null);
            setRefused(null);
            reload();
          }}
          onRefused={(m) => {
            setActing(null);
            setRefused(`${acting.ticket.trackingCode}：${m}`);
            reload();
          }}
        />
      ) : null}
    </div>
  );
}
