import { ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Col, Empty, Row, Segmented, Table, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import type { TicketListFilters, TicketSummary } from '../../../contracts/ticket-api.ts';
import { api, type Page, type Query } from '../api.ts';
import { useUrlFilters } from '../components/recordCommon.tsx';
import { RegionTreeSelect } from '../components/RegionTreeSelect.tsx';
import { UnitSelect } from '../components/RemoteSelect.tsx';
import { PageTitle } from '../components/Status.tsx';
import { DueDate, markBg, markHex, SuperviseTag, TicketCategorySelect, TicketLine, useTicketWords, type TicketWord } from '../components/ticketCommon.tsx';
import { useI18n } from '../i18n.ts';
import '../components/records.css';

// 督办看板: the open tickets against their deadlines, in four columns — due soon (amber), overdue
// with a yellow 督办, long overdue with a red 督办, and supervision notices nobody has answered —
// each with its count, then the same counts per handling unit. Region, unit and category narrow it;
// each card opens the ledger with the same filters.

const SHOWN = 200;
type ColumnKey = 'due_soon' | 'overdue' | 'long_overdue' | 'unreplied';
const columnsDef: { key: ColumnKey; label: TicketWord; filters: Partial<TicketListFilters>; color: string; bg: string }[] = [
  { key: 'due_soon', label: 'boardDueSoon', filters: { state: 'open', mark: 'due_soon' }, color: markHex.due_soon, bg: markBg.due_soon },
  { key: 'overdue', label: 'boardOverdue', filters: { state: 'open', mark: 'overdue' }, color: '#d4b106', bg: markBg.overdue },
  { key: 'long_overdue', label: 'boardLongOverdue', filters: { state: 'open', mark: 'long_overdue' }, color: markHex.long_overdue, bg: markBg.long_overdue },
  { key: 'unreplied', label: 'boardUnreplied', filters: { state: 'open', supervised: 'unreplied' }, color: '#1f5fae', bg: '#f0f5ff' },
];

type Lists = Record<ColumnKey, { items: TicketSummary[]; total: number }>;
type UnitRow = { key: string; name: string } & Record<ColumnKey, number>;

export default function SupervisionBoardPage() {
  const { t } = useI18n();
  const { tt, lang } = useTicketWords();
  const { get, num, update } = useUrlFilters();
  const region = get('region');
  const unitId = num('unitId');
  const category = get('category');
  const view = get('view') === 'units' ? 'units' : 'columns';
  const [lists, setLists] = useState<Lists | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const base = { region, unitId, category };
      const pages = await Promise.all(
        columnsDef.map((c) => api.get<Page<TicketSummary>>('/api/v1/tickets', { ...base, ...(c.filters as Query), pageSize: SHOWN }, { quiet: true })),
      );
      const got = Object.fromEntries(columnsDef.map((c, i) => [c.key, { items: pages[i]!.items, total: pages[i]!.total }])) as Lists;
      // "overdue" on the server means yellow and red; the yellow column keeps only the yellow ones.
      got.overdue = { items: got.overdue.items.filter((x) => x.deadlineMark === 'overdue'), total: Math.max(0, got.overdue.total - got.long_overdue.total) };
      setLists(got);
    } catch {
      /* shown by the API client */
    } finally {
      setLoading(false);
    }
  }, [region, unitId, category]);
  useEffect(() => {
    void load();
  }, [load]);

  const ledgerLink = (c: (typeof columnsDef)[number]) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...c.filters, region, unitId, category })) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    return `/tickets?${q.toString()}`;
  };

  // Per handling unit, from the tickets loaded (the first SHOWN of each column).
  const unitRows: UnitRow[] = (() => {
    if (!lists) return [];
    const rows = new Map<string, UnitRow>();
    for (const c of columnsDef) {
      for (const x of lists[c.key].items) {
        const key = String(x.handlingUnitId ?? 'none');
        const row = rows.get(key) ?? { key, name: x.handlingUnitName ?? tt('noUnit'), due_soon: 0, overdue: 0, long_overdue: 0, unreplied: 0 };
        row[c.key] += 1;
        rows.set(key, row);
      }
    }
    return [...rows.values()].sort((a, b) => b.long_overdue - a.long_overdue || b.overdue - a.overdue || b.unreplied - a.unreplied || b.due_soon - a.due_soon);
  })();
  const truncated = lists ? columnsDef.some((c) => lists[c.key].total > lists[c.key].items.length && c.key !== 'overdue') : false;

  const unitColumns: TableColumnsType<UnitRow> = [
    {
      title: tt('handlingUnit'),
      dataIndex: 'name',
      render: (n: string, r) => (r.key === 'none' ? <span className="lx-muted">{n}</span> : <Link to={`/tickets?state=open&unitId=${r.key}`}>{n}</Link>),
    },
    ...columnsDef.map((c) => ({
      title: <span style={{ color: c.color }}>{tt(c.label)}</span>,
      dataIndex: c.key,
      width: 150,
      align: 'right' as const,
      sorter: (a: UnitRow, b: UnitRow) => a[c.key] - b[c.key],
      render: (n: number) => (n ? <strong style={{ color: c.color }}>{n}</strong> : <span className="lx-muted">0</span>),
    })),
  ];

  return (
    <div>
      <PageTitle
        title={tt('boardTitle')}
        extra={
          <Button icon={<ReloadOutlined />} onClick={() => void load()} loading={loading}>
            {t('refresh')}
          </Button>
        }
      />
      <div className="lx-toolbar">
        <Segmented
          value={view}
          onChange={(v) => update({ view: v === 'units' ? 'units' : undefined })}
          options={[
            { value: 'columns', label: tt('boardAll') },
            { value: 'units', label: tt('boardByUnit') },
          ]}
          data-testid="board-view"
        />
        <RegionTreeSelect placeholder={tt('regionFilter')} style={{ width: 200 }} value={region ?? null} maxLevel="village" onChange={(v) => update({ region: v ?? undefined })} />
        <UnitSelect placeholder={tt('unitFilter')} style={{ width: 200 }} value={unitId ?? null} onChange={(v) => update({ unitId: v ?? undefined })} />
        <TicketCategorySelect placeholder={tt('categoryFilter')} includeInactive style={{ width: 160 }} value={category ?? null} onChange={(v) => update({ category: v ?? undefined })} />
      </div>
      <Row gutter={12} style={{ marginBottom: 12 }}>
        {columnsDef.map((c) => (
          <Col xs={12} lg={6} key={c.key}>
            <Card size="small" style={{ borderTop: `3px solid ${c.color}`, background: c.bg }} data-testid={`board-count-${c.key}`}>
              <div style={{ color: '#595959' }}>{tt(c.label)}</div>
              <Link to={ledgerLink(c)} style={{ fontSize: 28, fontWeight: 600, color: c.color }}>
                {lists ? lists[c.key].total : '—'}
              </Link>
              <span style={{ marginInlineStart: 4 }}>{lang === 'zh' ? '件' : ''}</span>
            </Card>
          </Col>
        ))}
      </Row>
      {view === 'units' ? (
        <>
          {truncated ? <div className="lx-muted" style={{ marginBottom: 8 }}>{tt('boardShown', { n: SHOWN })}</div> : null}
          <Table<UnitRow> data-testid="board-units" rowKey="key" size="small" bordered loading={loading} dataSource={unitRows} columns={unitColumns} pagination={unitRows.length > 50 ? { pageSize: 50 } : false} />
        </>
      ) : (
        <Row gutter={12} data-testid="board-columns">
          {columnsDef.map((c) => {
            const l = lists?.[c.key];
            return (
              <Col xs={24} md={12} xl={6} key={c.key}>
                <Card
                  size="small"
                  loading={loading && !lists}
                  title={
                    <span style={{ color: c.color }}>
                      {tt(c.label)} <Tag color="default">{l?.total ?? 0}</Tag>
                    </span>
                  }
                  extra={<Link to={ledgerLink(c)}>{tt('open')}</Link>}
                  style={{ borderTop: `3px solid ${c.color}` }}
                  styles={{ body: { maxHeight: 560, overflowY: 'auto', padding: '4px 8px' } }}
                  data-testid={`board-column-${c.key}`}
                >
                  {l?.items.length ? (
                    l.items.slice(0, 60).map((x) => (
                      <div key={x.id} style={{ padding: '6px 0', borderBottom: '1px solid #f0f0f0' }}>
                        <TicketLine t={x} />
                        <div style={{ display: 'flex', justifyContent: 'space-between', fontSize: 12, gap: 6 }}>
                          <span className="lx-muted" style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
                            {x.handlingUnitName ?? tt('notDispatched')}
                          </span>
                          <span style={{ whiteSpace: 'nowrap' }}>
                            {x.superviseLevel ? <SuperviseTag level={x.superviseLevel} lang={lang} /> : null}
                            <DueDate dueAt={x.dueAt} mark={x.deadlineMark} state={x.state} />
                          </span>
                        </div>
                      </div>
                    ))
                  ) : (
                    <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={tt('boardNothing')} />
                  )}
                  {l && l.total > Math.min(60, l.items.length) && l.items.length > 60 ? (
                    <div style={{ textAlign: 'center', padding: 6 }}>
                      <Link to={ledgerLink(c)}>{tt('boardShown', { n: 60 })} · {tt('open')}</Link>
                    </div>
                  ) : null}
                </Card>
              </Col>
            );
          })}
        </Row>
      )}
    </div>
  );
}
