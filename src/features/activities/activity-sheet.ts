import { PassThrough, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { activityKindLabels } from '../../../contracts/activities.ts';
import type { Executor } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import { styleHeader } from '../../lib/xlsx.ts';
import type { Actor } from '../auth/actor.ts';
import { filteredActivities, summaryColumns, toSummary, type ActivityFilter, type SummaryRow } from './activities.ts';

// The filtered field records as an .xlsx ledger (工作记录台账), streamed: one row per record, the
// participants and targets joined by 、, times in China time, money in yuan.

const columns = [
  { key: 'id', header: '编号', width: 8 },
  { key: 'kind', header: '类型', width: 10 },
  { key: 'title', header: '标题', width: 20 },
  { key: 'startsAt', header: '开始时间', width: 17 },
  { key: 'endsAt', header: '结束时间', width: 17 },
  { key: 'stayDays', header: '驻村天数', width: 8 },
  { key: 'regionName', header: '地点区划', width: 14 },
  { key: 'place', header: '地点', width: 18 },
  { key: 'participants', header: '参加干部', width: 20 },
  { key: 'targets', header: '联系对象', width: 24 },
  { key: 'attendees', header: '参加人次', width: 8 },
  { key: 'moneyYuan', header: '慰问金（元）', width: 11 },
  { key: 'photos', header: '照片', width: 6 },
  { key: 'problems', header: '发现问题', width: 8 },
  { key: 'flags', header: '未处理预警', width: 9 },
  { key: 'findings', header: '了解情况', width: 40 },
  { key: 'actions', header: '开展工作', width: 40 },
  { key: 'recordedAt', header: '填报时间', width: 17 },
] as const;

const chinaMinute = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
const at = (iso: string) => chinaMinute.format(new Date(iso));

/** Counts first: over maxRows is refused (413) before any byte is sent. */
export async function exportActivities(db: Executor, actor: Actor, filter: ActivityFilter, opts: { maxRows: number }): Promise<{ rows: number; stream: Readable }> {
  const base = await filteredActivities(db, actor, filter);
  const { n } = await base.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  if (Number(n) > opts.maxRows) {
    throw new AppError('EXPORT_TOO_LARGE', `导出 ${n} 行超过您的上限 ${opts.maxRows} 行，请缩小筛选范围`, { rows: Number(n), limit: opts.maxRows });
  }
  const out = new PassThrough();
  const write = async () => {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
    const ws = wb.addWorksheet('工作记录');
    ws.columns = columns.map((c) => ({ header: c.header, key: c.key, width: c.width }));
    styleHeader(ws);
    ws.getRow(1).commit();
    let lastId = 0;
    for (;;) {
      const page = await base.select([...summaryColumns, 'a.findings', 'a.actions']).where('a.id', '>', lastId).orderBy('a.id').limit(1000).execute();
      for (const row of page) {
        const r = toSummary(row as SummaryRow);
        ws.addRow({
          id: r.id, kind: activityKindLabels[r.kind].zh, title: r.title, startsAt: at(r.startsAt), endsAt: at(r.endsAt), stayDays: r.stayDays,
          regionName: r.regionName, place: r.place, participants: r.participants.map((p) => p.name).join('、'), targets: r.targets.map((t) => t.name).join('、'),
          attendees: r.attendees ?? '', moneyYuan: r.moneyFen === null ? '' : r.moneyFen / 100, photos: r.photoCount, problems: r.problemCount, flags: r.openFlagCount,
          findings: row.findings, actions: row.actions, recordedAt: at(r.recordedAt),
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
