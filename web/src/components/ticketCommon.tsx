import { Tag, Tooltip, TreeSelect } from 'antd';
import type { TableColumnsType } from 'antd';
import { useCallback, useEffect, useMemo, useState, type CSSProperties, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import type { TicketCategoryDto, TicketListFilters, TicketSummary } from '../../../contracts/ticket-api.ts';
import {
  deadlineMarkLabels,
  superviseLevelLabels,
  ticketSourceLabels,
  ticketSources,
  ticketStateLabels,
  ticketStates,
  ticketTypeLabels,
  ticketTypes,
  ticketUrgencies,
  ticketUrgencyLabels,
  type DeadlineMark,
  type SuperviseLevel,
  type TicketSource,
  type TicketState,
  type TicketType,
  type TicketUrgency,
} from '../../../contracts/tickets.ts';
import { api } from '../api.ts';
import { useI18n, type Lang } from '../i18n.ts';
import { formatTime } from '../labels.ts';
import { formatDay } from './recordCommon.tsx';

// What the ticket pages share: their words (zh first, en for the language switch), tag colours,
// the due date in its deadline colour, the category tree picker, the ledger filters read from the
// address and the ledger's columns.

// The ticket pages' own words. They live here rather than in i18n.ts so the ticket loop's
// vocabulary stays in one place; the language comes from the same useI18n switch.
const words = {
  ledgerTitle: ['问题台账', 'Ticket ledger'],
  inboxTitle: ['我的待办', 'My inbox'],
  boardTitle: ['督办看板', 'Supervision board'],
  hotlineTitle: ['热线受理', 'Hotline intake'],
  trackingCode: ['受理编号', 'Tracking code'],
  title: ['标题', 'Title'],
  type: ['类型', 'Type'],
  source: ['来源', 'Source'],
  category: ['分类', 'Category'],
  urgency: ['紧急程度', 'Urgency'],
  state: ['状态', 'State'],
  handlingUnit: ['承办单位', 'Handling unit'],
  assistingUnits: ['协办单位', 'Assisting units'],
  dueAt: ['办理期限', 'Due'],
  signDueAt: ['签收期限', 'Sign by'],
  supervise: ['督办', 'Supervision'],
  region: ['所在区划', 'Region'],
  address: ['地址', 'Address'],
  registeredAt: ['登记时间', 'Registered'],
  dispatchedAt: ['交办时间', 'Dispatched'],
  signedAt: ['签收时间', 'Signed'],
  resolvedAt: ['办结时间', 'Resolved'],
  closedAt: ['关闭时间', 'Closed'],
  requester: ['诉求人', 'Requester'],
  requesterPhone: ['联系电话', 'Phone'],
  anonymous: ['匿名', 'Anonymous'],
  content: ['诉求内容', 'Request'],
  attachments: ['附件', 'Attachments'],
  reply: ['答复', 'Reply'],
  rating: ['评价', 'Rating'],
  closureType: ['办结类型', 'Closure type'],
  outcome: ['结果', 'Outcome'],
  allStates: ['全部状态', 'All states'],
  openStates: ['未办结', 'Open'],
  mark: ['期限', 'Deadline'],
  markLate: ['曾超期', 'Late at some point'],
  supervisedYes: ['已督办', 'Supervised'],
  supervisedUnreplied: ['督办未回复', 'Supervision unreplied'],
  searchPlaceholder: ['受理编号 / 标题', 'Tracking code / title'],
  exportExcel: ['导出Excel', 'Export Excel'],
  exporting: ['正在导出…', 'Exporting…'],
  unitFilter: ['承办单位', 'Handling unit'],
  regionFilter: ['所在区划', 'Region'],
  categoryFilter: ['问题分类', 'Category'],
  typeFilter: ['类型', 'Type'],
  urgencyFilter: ['紧急程度', 'Urgency'],
  markFilter: ['期限', 'Deadline'],
  superviseFilter: ['督办', 'Supervision'],
  sourceFilter: ['来源', 'Source'],
  notDispatched: ['未交办', 'Not dispatched'],
  reopened: ['重办{n}次', 'Reopened {n}×'],
  pendingExtension: ['延期待批 {n} 个工作日', 'Extension of {n} working days pending'],
  beyondCalendar: ['期限超出日历已知年份，按周末推算', 'The deadline lies beyond the known calendar years; weekends only'],
  backToLedger: ['返回问题台账', 'Back to the ledger'],
  basics: ['基本信息', 'Details'],
  timeline: ['办理过程', 'Timeline'],
  supervisions: ['督办通知', 'Supervision notices'],
  noSupervisions: ['无督办', 'None'],
  actionsTitle: ['办理', 'Handle'],
  noActions: ['当前状态下您没有可办理的操作', 'Nothing for you to do in this state'],
  revealPhone: ['显示号码', 'Show number'],
  revealAudited: ['查看完整号码将记入审计日志', 'Viewing the full number is recorded in the audit log'],
  place: ['地点', 'Place'],
  coordinates: ['坐标', 'Coordinates'],
  foundBy: ['发现人', 'Found by'],
  fromVisit: ['来自走访', 'From visit'],
  mergedInto: ['已合并到', 'Merged into'],
  repeatOf: ['重复诉求', 'Repeat of'],
  autoSupervision: ['系统自动', 'Automatic'],
  supervisionReply: ['回复', 'Reply'],
  notReplied: ['未回复', 'Not replied'],
  replyDueAt: ['回复期限', 'Reply by'],
  issuedBy: ['督办人', 'Issued by'],
  handlingDays: ['办理用时 {n} 个工作日', '{n} working days to handle'],
  unitN: ['单位 #{id}', 'Unit #{id}'],
  ticketN: ['工单 #{id}', 'Ticket #{id}'],
  // actions
  note: ['说明', 'Note'],
  dispatchNote: ['交办意见', 'Instructions'],
  reason: ['理由', 'Reason'],
  replyText: ['答复内容', 'Reply to the requester'],
  replyPlaceholder: ['向诉求人答复的内容：办理情况、结果、依据', 'What was done, the result and the grounds, as told to the requester'],
  workingDays: ['延期工作日', 'Working days'],
  unit: ['单位', 'Unit'],
  targetUnit: ['承办单位', 'Handling unit'],
  assistingUnit: ['协办单位', 'Assisting unit'],
  level: ['督办级别', 'Level'],
  superviseNote: ['督办意见', 'Supervision note'],
  supervisionReplyText: ['督办回复', 'Reply'],
  whichSupervision: ['回复哪条督办', 'Which notice'],
  intoTicket: ['合并到工单', 'Merge into'],
  ratingComment: ['评价意见', 'Comment'],
  fieldRequired: ['请填写{what}', 'Please fill in {what}'],
  actionDone: ['已{what}', '{what}: done'],
  refusedReloaded: ['操作未执行，已刷新为最新状态', 'Not done; the ticket was reloaded'],
  searchTicket: ['输入受理编号或标题搜索', 'Search by tracking code or title'],
  // inbox
  tabToSign: ['待签收', 'To sign'],
  tabSigned: ['已签收', 'Signed'],
  tabInProgress: ['办理中', 'In progress'],
  tabReopened: ['重办', 'Reopened'],
  tabResolved: ['已办结待评价', 'Resolved, awaiting rating'],
  tabUnreplied: ['督办待回复', 'Supervision to answer'],
  tabOverdue: ['已逾期', 'Overdue'],
  tabClosed: ['已关闭', 'Closed'],
  inboxNoUnit: ['您的账号未关联单位，没有待办工单', 'Your account has no unit, so no inbox'],
  open: ['查看', 'Open'],
  // board
  boardDueSoon: ['即将到期', 'Due soon'],
  boardOverdue: ['已逾期 · 黄色督办', 'Overdue · yellow'],
  boardLongOverdue: ['严重逾期 · 红色督办', 'Long overdue · red'],
  boardUnreplied: ['督办未回复', 'Unreplied supervision'],
  boardByUnit: ['按承办单位', 'By handling unit'],
  boardShown: ['显示前 {n} 件', 'First {n} shown'],
  boardNothing: ['无', 'None'],
  boardAll: ['全部', 'All'],
  unitTotal: ['合计', 'Total'],
  noUnit: ['（未交办）', '(not dispatched)'],
  // hotline
  hotlineHint: ['Tab 依次填写，Alt+1…5 选类型，Alt+7/8/9 选紧急程度，Ctrl+Enter 提交', 'Tab through the fields; Alt+1…5 picks the type, Alt+7/8/9 the urgency, Ctrl+Enter submits'],
  callerPhone: ['来电号码', 'Caller’s phone'],
  callerName: ['诉求人姓名', 'Caller’s name'],
  titlePlaceholder: ['一句话概括诉求', 'The request in one line'],
  contentPlaceholder: ['诉求人反映的情况、诉求，按原话记录要点', 'What the caller reports and asks for, in their words'],
  categoryPlaceholder: ['输入分类名称搜索', 'Type to search the categories'],
  addressPlaceholder: ['村（社区）、路、门牌号等', 'Village, street, house number'],
  dispatchTo: ['交办单位', 'Dispatch to'],
  dispatchLater: ['不选则只登记，稍后交办', 'Leave empty to register only'],
  submitRegister: ['登记', 'Register'],
  submitDispatch: ['登记并交办', 'Register and dispatch'],
  submitMerge: ['登记并合并到 {code}', 'Register and merge into {code}'],
  similarTitle: ['可能重复的诉求（近30天）', 'Possible duplicates (last 30 days)'],
  similarHint: ['填写来电号码、区划、地址或分类后自动查找', 'Shown once the phone, region, address or category is filled in'],
  similarNone: ['未发现相似诉求', 'No similar requests'],
  sameRequester: ['同一诉求人', 'Same requester'],
  samePlace: ['同一地点', 'Same place'],
  sameCategory: ['同一分类', 'Same category'],
  mergeHere: ['合并到此单', 'Merge into this'],
  mergeCancel: ['取消合并', 'Do not merge'],
  mergingInto: ['本次来电将登记后合并到 {code}', 'This call will be registered and merged into {code}'],
  registered: ['已登记', 'Registered'],
  readTrackingCode: ['请向来电人告知受理编号', 'Read the tracking code to the caller'],
  dispatchedTo: ['已交办：{unit}，办理期限 {due}', 'Dispatched to {unit}, due {due}'],
  mergedNote: ['已合并到 {code}，请告知来电人按该编号查询', 'Merged into {code}: give the caller that code'],
  nextCall: ['下一个来电', 'Next call'],
  openTicket: ['查看工单', 'Open the ticket'],
} as const satisfies Record<string, readonly [string, string]>;
export type TicketWord = keyof typeof words;

const fill = (s: string, vars?: Record<string, string | number>) => (vars ? Object.entries(vars).reduce((x, [k, v]) => x.replaceAll(`{${k}}`, String(v)), s) : s);

/** The ticket pages' words in the current language: tt('trackingCode'), tt('reopened', { n: 1 }). */
export function useTicketWords() {
  const { lang } = useI18n();
  const tt = useCallback((k: TicketWord, vars?: Record<string, string | number>) => fill(words[k][lang === 'zh' ? 0 : 1], vars), [lang]);
  return { tt, lang };
}

// ---- Tags and colours ------------------------------------------------------------------------

export const stateColor: Record<TicketState, string> = {
  registered: 'default',
  dispatched: 'blue',
  signed: 'cyan',
  in_progress: 'processing',
  resolved: 'green',
  reopened: 'magenta',
  closed: 'default',
};
export const typeColor: Record<TicketType, string> = { consult: 'blue', help: 'cyan', complaint: 'volcano', report: 'purple', suggestion: 'green' };
export const urgencyColor: Record<TicketUrgency, string> = { normal: 'default', urgent: 'orange', critical: 'red' };
/** Amber when due soon, yellow 督办 when overdue, red 督办 when long overdue. */
export const markHex: Record<DeadlineMark, string> = { on_time: 'inherit', due_soon: '#d48806', overdue: '#ad8b00', long_overdue: '#cf1322' };
export const markBg: Record<DeadlineMark, string> = { on_time: 'transparent', due_soon: '#fff7e6', overdue: '#feffe6', long_overdue: '#fff1f0' };
export const markTagColor: Record<DeadlineMark, string> = { on_time: 'default', due_soon: 'orange', overdue: 'yellow', long_overdue: 'red' };
export const superviseColor: Record<SuperviseLevel, string> = { yellow: 'gold', red: 'red' };

export const StateTag = ({ state, lang }: { state: TicketState; lang: Lang }) => (
  <Tag color={stateColor[state]} data-testid="ticket-state">
    {ticketStateLabels[state][lang]}
  </Tag>
);
export const TypeTag = ({ type, lang }: { type: TicketType; lang: Lang }) => <Tag color={typeColor[type]}>{ticketTypeLabels[type][lang]}</Tag>;
export const UrgencyTag = ({ urgency, lang }: { urgency: TicketUrgency; lang: Lang }) =>
  urgency === 'normal' ? <span>{ticketUrgencyLabels.normal[lang]}</span> : <Tag color={urgencyColor[urgency]}>{ticketUrgencyLabels[urgency][lang]}</Tag>;
export const SuperviseTag = ({ level, lang }: { level: SuperviseLevel | null; lang: Lang }) =>
  level ? <Tag color={superviseColor[level]}>{superviseLevelLabels[level][lang]}</Tag> : <span className="lx-muted">—</span>;
export const MarkTag = ({ mark, lang }: { mark: DeadlineMark; lang: Lang }) =>
  mark === 'on_time' ? null : <Tag color={markTagColor[mark]}>{deadlineMarkLabels[mark][lang]}</Tag>;

/** States whose deadline still runs (the colour means something only while a unit holds it). */
const running = new Set<TicketState>(['registered', 'dispatched', 'signed', 'in_progress', 'reopened']);

/** The due date, in the colour of its deadline mark while the ticket is open. */
export function DueDate({ dueAt, mark, state, withTime }: { dueAt: string | null; mark: DeadlineMark; state: TicketState; withTime?: boolean }) {
  const { lang } = useI18n();
  if (!dueAt) return <span className="lx-muted">—</span>;
  const live = running.has(state) && mark !== 'on_time';
  const text = withTime ? formatTime(dueAt) : formatDay(dueAt);
  if (!live) return <span>{text}</span>;
  return (
    <Tooltip title={deadlineMarkLabels[mark][lang]}>
      <span data-testid="due-mark" data-mark={mark} style={{ color: markHex[mark], background: markBg[mark], fontWeight: 600, padding: '1px 4px', borderRadius: 3 }}>
        {text}
      </span>
    </Tooltip>
  );
}

// ---- Categories ------------------------------------------------------------------------------

let categoriesOnce: Promise<TicketCategoryDto[]> | null = null;
/** The category list (flat, parents first), fetched once per page load. */
export function useTicketCategories(): TicketCategoryDto[] {
  const [list, setList] = useState<TicketCategoryDto[]>([]);
  useEffect(() => {
    let cancelled = false;
    categoriesOnce ??= api.get<TicketCategoryDto[]>('/api/v1/ticket-categories', undefined, { quiet: true }).catch((e: unknown) => {
      categoriesOnce = null;
      throw e;
    });
    categoriesOnce.then((l) => !cancelled && setList(l)).catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, []);
  return list;
}

type CategoryNode = { value: string; title: string; children?: CategoryNode[]; disabled?: boolean };

/** A category from the configured tree; typing searches the names. */
export function TicketCategorySelect({
  value,
  onChange,
  style,
  id,
  placeholder,
  includeInactive,
  status,
}: {
  value?: string | null;
  onChange?: (v: string | null) => void;
  style?: CSSProperties;
  id?: string;
  placeholder?: string;
  /** Filters may look for categories no longer offered for new tickets. */
  includeInactive?: boolean;
  status?: 'error' | 'warning';
}) {
  const { lang } = useI18n();
  const list = useTicketCategories();
  const tree = useMemo(() => {
    const byCode = new Map<string, CategoryNode>();
    const roots: CategoryNode[] = [];
    for (const c of list) {
      if (!c.active && !includeInactive) continue;
      const node: CategoryNode = { value: c.code, title: lang === 'zh' ? c.nameZh : c.nameEn || c.nameZh };
      byCode.set(c.code, node);
      const parent = c.parentCode ? byCode.get(c.parentCode) : undefined;
      if (parent) (parent.children ??= []).push(node);
      else roots.push(node);
    }
    return roots;
  }, [list, lang, includeInactive]);
  return (
    <TreeSelect
      id={id}
      value={value ?? undefined}
      onChange={(v?: string) => onChange?.(v ?? null)}
      treeData={tree}
      allowClear
      showSearch={{ treeNodeFilterProp: 'title' }}
      placeholder={placeholder}
      style={style}
      status={status}
      popupMatchSelectWidth={false}
      treeDefaultExpandAll={false}
    />
  );
}

// ---- The ledger's filters and columns ----------------------------------------------------------

const oneOf = <T extends string>(values: readonly T[], v: string | undefined): T | undefined => (v !== undefined && (values as readonly string[]).includes(v) ? (v as T) : undefined);
export const ledgerMarks = ['due_soon', 'overdue', 'long_overdue', 'late'] as const;
export type LedgerMark = (typeof ledgerMarks)[number];

/** The ledger's filters as kept in the address (the same names the API takes). */
export function ticketFiltersFromUrl(get: (k: string) => string | undefined, num: (k: string) => number | undefined): TicketListFilters {
  const state = get('state');
  return {
    state: state === 'open' ? 'open' : oneOf(ticketStates, state),
    type: oneOf(ticketTypes, get('type')),
    source: oneOf(ticketSources, get('source')),
    urgency: oneOf(ticketUrgencies, get('urgency')),
    category: get('category'),
    unitId: num('unitId'),
    region: get('region'),
    from: get('from'),
    to: get('to'),
    mark: oneOf(ledgerMarks, get('mark')),
    supervised: oneOf(['yes', 'unreplied'] as const, get('supervised')),
    q: get('q'),
  };
}

export const stateOptions = (lang: Lang, openLabel: string) => [
  { value: 'open', label: openLabel },
  ...ticketStates.map((s) => ({ value: s, label: ticketStateLabels[s][lang] })),
];
export const typeOptions = (lang: Lang) => ticketTypes.map((v) => ({ value: v, label: ticketTypeLabels[v][lang] }));
export const urgencyOptions = (lang: Lang) => ticketUrgencies.map((v) => ({ value: v, label: ticketUrgencyLabels[v][lang] }));
export const sourceOptions = (lang: Lang) => ticketSources.map((v) => ({ value: v, label: ticketSourceLabels[v as TicketSource][lang] }));

/** The ledger's columns; `extra` columns (the inbox's inline actions) go at the end. */
export function useTicketColumns(extra: TableColumnsType<TicketSummary> = []): TableColumnsType<TicketSummary> {
  const { tt, lang } = useTicketWords();
  const muted = <span className="lx-muted">—</span>;
  return [
    {
      title: tt('trackingCode'),
      dataIndex: 'trackingCode',
      width: 150,
      fixed: 'left',
      render: (c: string, r) => (
        <Link to={`/tickets/${r.id}`} className="lx-phone" data-testid={`ticket-link-${r.id}`}>
          {c}
        </Link>
      ),
    },
    {
      title: tt('title'),
      dataIndex: 'title',
      width: 240,
      ellipsis: true,
      render: (s: string, r) => (
        <span title={s}>
          {r.reopenCount > 0 ? <Tag color="magenta">{tt('reopened', { n: r.reopenCount })}</Tag> : null}
          {s}
        </span>
      ),
    },
    { title: tt('type'), dataIndex: 'type', width: lang === 'zh' ? 80 : 140, render: (v: TicketType) => <TypeTag type={v} lang={lang} /> },
    { title: tt('category'), dataIndex: 'categoryName', width: 110, ellipsis: true },
    { title: tt('urgency'), dataIndex: 'urgency', width: 80, render: (v: TicketUrgency) => <UrgencyTag urgency={v} lang={lang} /> },
    { title: tt('state'), dataIndex: 'state', width: lang === 'zh' ? 90 : 110, render: (v: TicketState) => <StateTag state={v} lang={lang} /> },
    { title: tt('handlingUnit'), dataIndex: 'handlingUnitName', width: 160, ellipsis: true, render: (s: string | null) => s ?? <span className="lx-muted">{tt('notDispatched')}</span> },
    {
      title: tt('dueAt'),
      dataIndex: 'dueAt',
      width: 110,
      render: (d: string | null, r) => (
        <span>
          <DueDate dueAt={d} mark={r.deadlineMark} state={r.state} />
          {r.pendingExtensionDays ? (
            <Tooltip title={tt('pendingExtension', { n: r.pendingExtensionDays })}>
              <Tag style={{ marginInlineStart: 4 }}>+{r.pendingExtensionDays}</Tag>
            </Tooltip>
          ) : null}
        </span>
      ),
    },
    { title: tt('supervise'), dataIndex: 'superviseLevel', width: 100, render: (v: SuperviseLevel | null) => <SuperviseTag level={v} lang={lang} /> },
    { title: tt('region'), dataIndex: 'regionName', width: 120, ellipsis: true, render: (s: string) => s || muted },
    { title: tt('registeredAt'), dataIndex: 'createdAt', width: 140, render: (s: string) => formatTime(s) },
    ...extra,
  ];
}

/** A title line for a ticket: code and title, used in lists of tickets other than the ledger. */
export function TicketLine({ t, right }: { t: Pick<TicketSummary, 'id' | 'trackingCode' | 'title'>; right?: ReactNode }) {
  return (
    <div className="lx-line" style={{ display: 'flex', gap: 6, alignItems: 'baseline' }}>
      <Link to={`/tickets/${t.id}`} className="lx-phone">
        {t.trackingCode}
      </Link>
      <span style={{ flex: 1, minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={t.title}>
        {t.title}
      </span>
      {right}
    </div>
  );
}
