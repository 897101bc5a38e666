import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateTicket, TicketSummary } from '../../../contracts/ticket-api.ts';
import {
  actorFor, as, createTestApp, createTestDatabase, DANDONG, login, makeUnit, makeUser, seedXiangshan, SHIPU, testKey, XIANGSHAN, type Session,
} from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import type { Actor } from '../auth/actor.ts';
import { actOnTicket, createTicket } from './tickets.ts';

// The ledger's Excel export: the same rows as the ledger for the same filters, Chinese headers,
// phones masked, names masked for those who may not reveal them, the caller's scope, and a
// refusal over the export limit before any byte.

const china = (s: string) => new Date(`${s}+08:00`);
let h: DatabaseHandle;
let app: App;
let unitA: number;
let s: Record<'admin' | 'supervisor' | 'shipuAdmin' | 'cadre', Session>;
let op: Actor;

const base = (over: Partial<CreateTicket> = {}): CreateTicket => ({
  source: 'hotline', type: 'complaint', categoryCode: 'infrastructure.water', urgency: 'normal', title: '停水', content: '小区停水三天。',
  requester: { name: '林秀英', phone: '13957412345' }, regionCode: DANDONG, address: '金秋路8号', ...over,
});

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
  unitA = (await makeUnit(h.db, XIANGSHAN, { name: '县水务集团', level: 'county' })).id;
  const hotline = await makeUser(h.db, 'hotline_operator', { regionCode: XIANGSHAN });
  const dept = await makeUser(h.db, 'handling_dept', { unitId: unitA });
  const users = {
    admin: await makeUser(h.db, 'admin'), supervisor: await makeUser(h.db, 'supervisor', { regionCode: XIANGSHAN }), shipuAdmin: await makeUser(h.db, 'admin', { regionCode: SHIPU }),
    cadre: await makeUser(h.db, 'cadre', { regionCode: XIANGSHAN }),
  };
  s = { admin: await login(app, users.admin.username), supervisor: await login(app, users.supervisor.username), shipuAdmin: await login(app, users.shipuAdmin.username), cadre: await login(app, users.cadre.username) };
  op = await actorFor(h.db, hotline);
  const deptActor = await actorFor(h.db, dept);
  const sup = await actorFor(h.db, users.supervisor);

  // Dispatched 2025-03-03, resolved late 2025-03-20 (a complaint is due in 10 working days: 03-17), supervised red.
  const late = await createTicket(h.db, op, testKey, base({ title: '停水三天无人管', dispatch: { unitId: unitA } }), { now: china('2025-03-03T10:00') });
  await actOnTicket(h.db, deptActor, testKey, late.id, { action: 'sign' }, { now: china('2025-03-03T11:00') });
  await actOnTicket(h.db, sup, testKey, late.id, { action: 'supervise', level: 'red', note: '请立即处理' }, { now: china('2025-03-18T09:00') });
  await actOnTicket(h.db, deptActor, testKey, late.id, { action: 'resolve', closureType: 'substantive', reply: '已恢复供水。' }, { now: china('2025-03-20T10:00') });
  await actOnTicket(h.db, op, testKey, late.id, { action: 'rate', rating: 'basically_satisfied', comment: '慢了点' }, { now: china('2025-03-21T10:00') });
  // Open and overdue.
  await createTicket(h.db, op, testKey, base({ title: '水压太低', urgency: 'urgent', requester: { name: '欧阳修', phone: '0574-65718899' }, dispatch: { unitId: unitA } }), { now: china('2025-03-05T10:00') });
  // Registered, anonymous, in Shipu, another type and category.
  await createTicket(h.db, op, testKey, base({ title: '路灯不亮', type: 'suggestion', categoryCode: 'infrastructure.lighting', regionCode: SHIPU, requester: { anonymous: true } }), { now: china('2025-03-06T10:00') });
  // Registered in April.
  await createTicket(h.db, op, testKey, base({ title: '四月停水', requester: { name: '张三', phone: '13900001111' } }), { now: china('2025-04-02T10:00') });
});

afterAll(async () => {
  await app?.close();
  await h?.close();
});

async function sheet(who: Session, query: string) {
  const res = await app.inject({ url: `/api/v1/tickets/export.xlsx?${query}`, headers: as(who) });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toContain('spreadsheetml');
  expect(res.headers['content-disposition']).toContain('filename*=UTF-8');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer);
  const ws = wb.getWorksheet('问题台账')!;
  const headers = (ws.getRow(1).values as unknown[]).slice(1) as string[];
  const rows = ws.getRows(2, Math.max(ws.rowCount - 1, 0)) ?? [];
  return rows.map((r) => Object.fromEntries(headers.map((hd, i) => [hd, r.getCell(i + 1).value]))) as Record<string, unknown>[];
}
const ledger = async (who: Session, query: string) => {
  const res = await app.inject({ url: `/api/v1/tickets?pageSize=200&${query}`, headers: as(who) });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().items as TicketSummary[]).map((t) => t.trackingCode).sort();
};

describe('GET /api/v1/tickets/export.xlsx', () => {
  it('has the ledger columns in Chinese, phones masked, labels and China times', async () => {
    const res = await app.inject({ url: '/api/v1/tickets/export.xlsx?q=停水三天', headers: as(s.admin) });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer);
    const headers = (wb.getWorksheet('问题台账')!.getRow(1).values as unknown[]).slice(1);
    expect(headers.slice(0, 12)).toEqual(['受理编号', '标题', '来源', '类型', '分类', '紧急程度', '状态', '区划', '地址', '诉求人', '电话', '承办单位']);
    expect(headers).toEqual(expect.arrayContaining(['登记时间', '交办时间', '办理期限', '办结时间', '办结类型', '评价', '督办', '逾期']));
    const [row] = await sheet(s.admin, `q=${encodeURIComponent('停水三天')}`);
    expect(row).toMatchObject({
      标题: '停水三天无人管', 来源: '热线', 类型: '投诉', 分类: '供水', 紧急程度: '一般', 状态: '已关闭', 区划: '丹东街道', 地址: '金秋路8号', 诉求人: '林秀英', 电话: '139****2345',
      承办单位: '县水务集团', 登记时间: '2025-03-03 10:00', 交办时间: '2025-03-03 10:00', 办理期限: '2025-03-17 23:59', 办结时间: '2025-03-20 10:00', 办结类型: '实质性办结',
      评价: '基本满意', 督办: '红色督办', 逾期: '逾期办结', 评价意见: '慢了点',
    });
    expect(JSON.stringify(await sheet(s.admin, ''))).not.toMatch(/13957412345|65718899/);
  });

  it('exports exactly the ledger’s rows for the same filters', async () => {
    for (const query of [
      '', 'from=2025-03-01&to=2025-03-31', 'state=open', 'state=closed', 'type=suggestion', 'category=infrastructure', 'category=infrastructure.lighting',
      `region=${SHIPU}`, `region=${DANDONG}&from=2025-03-04`, `unitId=${unitA}`, 'mark=late', 'urgency=urgent', 'supervised=yes', 'source=hotline&to=2025-03-05',
    ]) {
      const rows = await sheet(s.admin, query);
      expect(rows.map((r) => r['受理编号']).sort(), query).toEqual(await ledger(s.admin, query));
    }
    expect(await sheet(s.admin, 'from=2025-03-01&to=2025-03-31')).toHaveLength(3);
    expect(await sheet(s.admin, 'type=consult')).toEqual([]);
    const overdue = await sheet(s.admin, 'state=open&unitId=' + unitA);
    expect(overdue.map((r) => [r['标题'], r['逾期'], r['诉求人'], r['电话']])).toEqual([['水压太低', '逾期未办结', '欧阳修', '057*****8899']]);
    expect((await sheet(s.admin, 'type=suggestion'))[0]).toMatchObject({ 诉求人: '匿名', 电话: null, 承办单位: null, 状态: '已登记' });
  });

  it('masks names for those who may not reveal them, and keeps to the caller’s scope', async () => {
    expect((await sheet(s.cadre, `q=${encodeURIComponent('水压')}`)).map((r) => r['诉求人'])).toEqual(['欧**']);
    const town = await sheet(s.shipuAdmin, '');
    expect(town.map((r) => r['标题'])).toEqual(['路灯不亮']);
    expect((await app.inject({ url: `/api/v1/tickets/export.xlsx?region=${DANDONG}`, headers: as(s.shipuAdmin) })).statusCode).toBe(404);
  });

  it('refuses bad filters and an export over the limit before any byte', async () => {
    const backwards = await app.inject({ url: '/api/v1/tickets/export.xlsx?from=2025-03-31&to=2025-03-01', headers: as(s.admin) });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error.details.field).toBe('to');
    for (const q of ['state=lost', 'unitId=2147483648', 'from=2025-13-01', `region=${encodeURIComponent('33\u00000')}`]) {
      const res = await app.inject({ url: `/api/v1/tickets/export.xlsx?${q}`, headers: as(s.admin) });
      expect([400], q).toContain(res.statusCode);
    }
    expect((await app.inject({ url: '/api/v1/tickets/export.xlsx?region=999999999999', headers: as(s.admin) })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/v1/tickets/export.xlsx' })).statusCode).toBe(401);
    const small = await createTestApp(h.db, { LIANXIN_EXPORT_MAX_ROWS: '2' });
    const tooMany = await small.inject({ url: '/api/v1/tickets/export.xlsx', headers: as(s.admin) });
    const fits = await small.inject({ url: `/api/v1/tickets/export.xlsx?unitId=${unitA}`, headers: as(s.admin) });
    await small.close();
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json().error).toMatchObject({ code: 'EXPORT_TOO_LARGE', details: { rows: 4, limit: 2 } });
    expect(fits.statusCode).toBe(200);
  });
});
