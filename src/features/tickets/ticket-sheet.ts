import { PassThrough, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import {
  closureTypeLabels, ticketOutcomeLabels, ticketRatingLabels, ticketSourceLabels, ticketStateLabels, ticketTypeLabels, ticketUrgencyLabels,
  type ClosureType, type TicketOutcome, type TicketRating, type TicketSource, type TicketState, type TicketType, type TicketUrgency,
} from '../../../contracts/tickets.ts';
import type { Executor } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import { styleHeader } from '../../lib/xlsx.ts';
import { can, type Actor } from '../auth/actor.ts';
import { filteredTickets, type TicketFilter } from './tickets.ts';
import { maskName } from '../../lib/personal-data.ts';

// The ledger (问题台账) as an .xlsx, streamed: exactly the rows the ledger shows for the same
// filters, one per ticket, oldest first; phones masked, times in China time.


const columns = [
  { key: 'trackingCode', header: '受理编号', width: 16 },
  { key: 'title', header: '标题', width: 24 },
  { key: 'source', header: '来源', width: 10 },
  { key: 'type', header: '类型', width: 6 },
  { key: 'category', header: '分类', width: 16 },
  { key: 'urgency', header: '紧急程度', width: 8 },
  { key: 'state', header: '状态', width: 8 },
  { key: 'region', header: '区划', width: 14 },
  { key: 'address', header: '地址', width: 24 },
  { key: 'requester', header: '诉求人', width: 10 },
  { key: 'phone', header: '电话', width: 14 },
  { key: 'unit', header: '承办单位', width: 18 },
  { key: 'assisting', header: '协办单位', width: 18 },
  { key: 'createdAt', header: '登记时间', width: 17 },
  { key: 'dispatchedAt', header: '交办时间', width: 17 },
  { key: 'dueAt', header: '办理期限', width: 17 },
  { key: 'resolvedAt', header: '办结时间', width: 17 },
  { key: 'closureType', header: '办结类型', width: 11 },
  { key: 'handlingDays', header: '办理工作日', width: 9 },
  { key: 'rating', header: '评价', width: 9 },
  { key: 'outcome', header: '结果', width: 10 },
  { key: 'supervision', header: '督办', width: 14 },
  { key: 'overdue', header: '逾期', width: 10 },
  { key: 'content', header: '诉求内容', width: 40 },
  { key: 'reply', header: '答复内容', width: 40 },
  { key: 'ratingComment', header: '评价意见', width: 24 },
] as const;

const chinaMinute = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
const at = (d: Date | null) => (d === null ? '' : chinaMinute.format(d));

type Row = {
  id: number; tracking_code: string; title: string; source: TicketSource; type: TicketType; urgency: TicketUrgency; state: TicketState;
  category_name: string | null; region_name: string | null; address: string; requester_anonymous: boolean; requester_name: string | null;
  target_name: string | null; requester_phone_masked: string | null; unit_name: string | null; assisting: string | null;
  created_at: Date; dispatched_at: Date | null; due_at: Date | null; resolved_at: Date | null; closure_type: ClosureType | null;
  handling_working_days: number | null; rating: TicketRating | null; outcome: TicketOutcome | null; open_level: string | null;
  any_level: string | null; resolved_on_time: boolean | null; content: string; reply: string | null; rating_comment: string | null;
};

const HANDLING = new Set<TicketState>(['dispatched', 'signed', 'in_progress', 'reopened']);
const levelLabel = (l: string | null) => (l === 'red' ? '红色督办' : l === 'yellow' ? '黄色督办' : '');

function overdueText(r: Row, now: Date): string {
  if (HANDLING.has(r.state) && r.due_at !== null && r.due_at.getTime() < now.getTime()) return '逾期未办结';
  if (r.resolved_at !== null && r.resolved_on_time === false) return '逾期办结';
  return '';
}

/** Counts first: over maxRows is refused (413) before any byte is sent. */
export async function exportTickets(
  db: Executor, actor: Actor, filter: TicketFilter, opts: { maxRows: number; now?: Date },
): Promise<{ rows: number; stream: Readable }> {
  const now = opts.now ?? new Date();
  // As in the ledger: the name in full only to those who may call the requester back.
  const reveal = can(actor, 'ticket.revealPhone');
  const requesterName = (r: Row) => {
    if (r.requester_anonymous) return '匿名';
    const name = r.requester_name ?? r.target_name;
    if (!name) return '';
    return reveal ? name : maskName(name);
  };
  const base = await filteredTickets(db, actor, filter, now);
  const { n } = await base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  if (Number(n) > opts.maxRows) {
    throw new AppError('EXPORT_TOO_LARGE', `导出 ${n} 行超过您的上限 ${opts.maxRows} 行，请缩小筛选范围`, { rows: Number(n), limit: opts.maxRows });
  }
  const select = [
    't.id', 't.tracking_code', 't.title', 't.source', 't.type', 't.urgency', 't.state', 't.address', 't.requester_anonymous', 't.requester_name',
    't.requester_phone_masked', 't.created_at', 't.dispatched_at', 't.due_at', 't.resolved_at', 't.closure_type', 't.handling_working_days',
    't.rating', 't.outcome', 't.resolved_on_time', 't.content', 't.reply', 't.rating_comment',
    'cat.name_zh as category_name', 'r.name as region_name', 'hu.name as unit_name',
    sql<string | null>`(select ct.name from contact_targets ct where ct.id = t.requester_target_id)`.as('target_name'),
    sql<string | null>`(select string_agg(u.name, '、' order by u.name) from ticket_assisting_units au join units u on u.id = au.unit_id where au.ticket_id = t.id)`.as('assisting'),
    // The highest level: red above yellow.
    sql<string | null>`(select case when bool_or(s.level = 'red') then 'red' when count(*) > 0 then 'yellow' end from ticket_supervisions s where s.ticket_id = t.id and s.replied_at is null)`.as('open_level'),
    sql<string | null>`(select case when bool_or(s.level = 'red') then 'red' when count(*) > 0 then 'yellow' end from ticket_supervisions s where s.ticket_id = t.id)`.as('any_level'),
  ] as const;

  const out = new PassThrough();
  const write = async () => {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
    const ws = wb.addWorksheet('问题台账');
    ws.columns = columns.map((c) => ({ header: c.header, key: c.key, width: c.width }));
    styleHeader(ws);
    ws.getRow(1).commit();
    let lastId = 0;
    for (;;) {
      const page = (await base.select(select).where('t.id', '>', lastId).orderBy('t.id').limit(1000).execute()) as Row[];
      for (const r of page) {
        const supervision = r.open_level ? levelLabel(r.open_level) : r.any_level ? `${levelLabel(r.any_level)}（已回复）` : '';
        ws.addRow({
          trackingCode: r.tracking_code, title: r.title, source: ticketSourceLabels[r.source].zh, type: ticketTypeLabels[r.type].zh,
          category: r.category_name ?? '', urgency: ticketUrgencyLabels[r.urgency].zh, state: ticketStateLabels[r.state].zh,
          region: r.region_name ?? '', address: r.address,
          requester: requesterName(r), phone: r.requester_anonymous ? '' : (r.requester_phone_masked ?? ''),
          unit: r.unit_name ?? '', assisting: r.assisting ?? '',
          createdAt: at(r.created_at), dispatchedAt: at(r.dispatched_at), dueAt: at(r.due_at), resolvedAt: at(r.resolved_at),
          closureType: r.closure_type ? closureTypeLabels[r.closure_type].zh : '', handlingDays: r.handling_working_days ?? '',
          rating: r.rating ? ticketRatingLabels[r.rating].zh : '', outcome: r.outcome ? ticketOutcomeLabels[r.outcome].zh : '',
          supervision, overdue: overdueText(r, now), content: r.content, reply: r.reply ?? '', ratingComment: r.rating_comment ?? '',
        }).commit();
      }
      if (page.length < 1000) break;
      lastId = page[page.length - 1]!.id;
    }
    await wb.commit();
  };
  write().catch((e: unknown) => out.destroy(e instanceof Error ? e : new Error(String(e))));
  return { rows: Number(n), stream: out };
}
