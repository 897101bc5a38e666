import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { figureDefinitions, figureKeys } from '../../../contracts/statistics.ts';
import {
  as, createTestApp, createTestDatabase, DANDONG, login, makeCadre, makeUnit, makeUser, seedXiangshan, SHIPU, testConfig, XIANGSHAN, type Session,
} from '../../../test/helpers.ts';
import type { Database, DatabaseHandle } from '../../db/database.ts';
import type { TargetKind } from '../../db/schema.ts';
import type { App } from '../../http/types.ts';
import type { Actor } from '../auth/actor.ts';
import { chinaToday } from '../campaigns/campaigns.ts';
import { exportLimitFor } from './stream.ts';

// The ledgers' Excel exports: a real workbook with the list's rows under Chinese headers, the
// caller's scope (another township's rows absent, its region 404), bad filters 400, and over the
// caller's limit a 413 that names the numbers — with no file.

const DANDONG_VILLAGE = '330225001003'; // 金秋社区
const SHIPU_VILLAGE = '330225101001'; // 海宁社区
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const today = chinaToday();

async function makeTarget(db: Database, kind: TargetKind, regionCode: string, name: string) {
  const region = await db.selectFrom('regions').select('path').where('code', '=', regionCode).executeTakeFirstOrThrow();
  return db.insertInto('contact_targets').values({ kind, name, name_initials: '', region_code: regionCode, region_path: region.path, updated_at: new Date() })
    .returning(['id', 'name']).executeTakeFirstOrThrow();
}

let h: DatabaseHandle;
let app: App;
const s = {} as Record<'admin' | 'dandongAdmin' | 'shipuAdmin' | 'cadre', Session>;
let campaignId: number;
let shipuCampaignId: number;

const post = async (who: Session, url: string, payload: object) => {
  const res = await app.inject({ method: 'POST', url, headers: as(who), payload });
  expect(res.statusCode, `${url} ${res.body}`).toBeLessThan(300);
  return res.json() as { id: number };
};

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
  const units = { dandong: await makeUnit(h.db, DANDONG, { name: '丹东街道党工委' }), shipu: await makeUnit(h.db, SHIPU, { name: '石浦镇党委' }) };
  const zhang = await makeCadre(h.db, units.dandong.id, { name: '张明' });
  const zhou = await makeCadre(h.db, units.shipu.id, { name: '周海' });
  const users = {
    admin: await makeUser(h.db, 'admin'),
    dandongAdmin: await makeUser(h.db, 'admin', { regionCode: DANDONG }),
    shipuAdmin: await makeUser(h.db, 'admin', { regionCode: SHIPU }),
    cadre: await makeUser(h.db, 'cadre', { regionCode: DANDONG, cadreId: zhang.id }),
  };
  for (const k of Object.keys(users) as (keyof typeof users)[]) s[k] = await login(app, users[k].username);

  const period = { startsOn: addDays(today, -300), endsOn: addDays(today, 60) };
  campaignId = (await post(s.admin, '/api/v1/campaigns', { name: '干部下基层', ...period, regionCode: XIANGSHAN })).id;
  shipuCampaignId = (await post(s.admin, '/api/v1/campaigns', { name: '石浦渔港专项', ...period, regionCode: SHIPU })).id;
  const lin = await makeTarget(h.db, 'household', DANDONG_VILLAGE, '林阿婆家');
  const fisher = await makeTarget(h.db, 'household', SHIPU_VILLAGE, '石浦渔民家');

  await post(s.admin, '/api/v1/matters', { campaignId, targetId: lin.id, cadreId: zhang.id, title: '修缮屋顶', amountFen: 1_234_567, fundSource: '财政', promisedOn: addDays(today, -20) });
  await post(s.admin, '/api/v1/matters', { campaignId, targetId: fisher.id, cadreId: zhou.id, title: '渔港路灯', amountFen: 50_000, promisedOn: addDays(today, -10) });
  const diary = await post(s.admin, '/api/v1/writings', { kind: 'diary', title: '金秋社区蹲点手记', body: '今天走访了林阿婆家。', authorCadreId: zhang.id, targetId: lin.id, writtenOn: addDays(today, -5) });
  await post(s.admin, `/api/v1/writings/${diary.id}/submit`, {});
  await post(s.admin, '/api/v1/writings', { kind: 'development_plan', title: '金秋社区发展计划', body: '三年计划。', authorCadreId: zhang.id, targetId: lin.id, writtenOn: addDays(today, -4) });
  await post(s.admin, '/api/v1/writings', { kind: 'research_report', title: '渔港调研报告', body: '渔港的情况。', authorCadreId: zhou.id, targetId: fisher.id, writtenOn: addDays(today, -3) });
  await post(s.admin, `/api/v1/campaigns/${campaignId}/pairings`, { targetId: lin.id, cadreId: zhang.id });
  await post(s.admin, `/api/v1/campaigns/${campaignId}/pairings`, { targetId: fisher.id, cadreId: zhou.id });
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

async function sheet(who: Session, url: string, name: string) {
  const res = await app.inject({ url, headers: { cookie: who.cookie } });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toContain('spreadsheetml');
  expect(res.headers['content-disposition']).toContain("filename*=UTF-8''");
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer);
  const ws = wb.getWorksheet(name);
  expect(ws, `worksheet ${name}`).toBeDefined();
  const headers = (ws!.getRow(1).values as unknown[]).slice(1) as string[];
  const rows = (ws!.rowCount > 1 ? ws!.getRows(2, ws!.rowCount - 1) ?? [] : []).map((r) => Object.fromEntries(headers.map((hd, i) => [hd, r.getCell(i + 1).value])));
  return { headers, rows, ws: ws! };
}
const status = async (who: Session | null, url: string) => (await app.inject({ url, headers: who ? { cookie: who.cookie } : {} })).statusCode;

describe('ledger exports', () => {
  it('practical matters: headers, money in yuan, the caller’s township only', async () => {
    const all = await sheet(s.admin, '/api/v1/matters/export.xlsx', '实事台账');
    expect(all.headers.slice(0, 6)).toEqual(['编号', '实事名称', '状态', '对象类型', '联系对象', '区划']);
    expect(all.rows.map((r) => r['实事名称']).sort()).toEqual(['修缮屋顶', '渔港路灯']);
    const roof = all.rows.find((r) => r['实事名称'] === '修缮屋顶')!;
    expect(roof).toMatchObject({ 状态: '已承诺', 对象类型: '农户', 联系对象: '林阿婆家', 承诺干部: '张明', '资金（元）': 12345.67, 资金来源: '财政' });
    expect(all.ws.getRow(2).getCell(10).numFmt).toBe('#,##0.00');
    const town = await sheet(s.dandongAdmin, '/api/v1/matters/export.xlsx', '实事台账');
    expect(town.rows.map((r) => r['实事名称'])).toEqual(['修缮屋顶']);
    expect((await sheet(s.admin, `/api/v1/matters/export.xlsx?region=${SHIPU}`, '实事台账')).rows.map((r) => r['实事名称'])).toEqual(['渔港路灯']);
    expect(await status(s.dandongAdmin, `/api/v1/matters/export.xlsx?region=${SHIPU}`)).toBe(404);
    expect(await status(s.admin, '/api/v1/matters/export.xlsx?from=2025-13-01')).toBe(400);
    expect(await status(s.admin, '/api/v1/matters/export.xlsx?status=lost')).toBe(400);
    expect(await status(null, '/api/v1/matters/export.xlsx')).toBe(401);
  });

  it('writings: the list’s rows and filters, another township’s absent', async () => {
    const all = await sheet(s.admin, '/api/v1/writings/export.xlsx', '调研文稿');
    expect(all.headers).toEqual(expect.arrayContaining(['类型', '标题', '状态', '作者', '成文日期', '字数']));
    expect(all.rows).toHaveLength(3);
    expect((await sheet(s.admin, '/api/v1/writings/export.xlsx?kind=diary', '调研文稿')).rows.map((r) => [r['类型'], r['标题'], r['作者']]))
      .toEqual([['蹲点手记', '金秋社区蹲点手记', '张明']]);
    expect((await sheet(s.shipuAdmin, '/api/v1/writings/export.xlsx', '调研文稿')).rows.map((r) => r['标题'])).toEqual(['渔港调研报告']);
    expect(await status(s.shipuAdmin, `/api/v1/writings/export.xlsx?region=${DANDONG}`)).toBe(404);
    expect(await status(s.admin, '/api/v1/writings/export.xlsx?from=2026-01-01&to=yesterday')).toBe(400);
  });

  it('pairings: a campaign’s pairings in the caller’s scope; a campaign out of sight 404', async () => {
    const all = await sheet(s.admin, `/api/v1/campaigns/${campaignId}/pairings/export.xlsx`, '结对台账');
    expect(all.rows.map((r) => r['联系对象']).sort()).toEqual(['林阿婆家', '石浦渔民家']);
    expect((await sheet(s.dandongAdmin, `/api/v1/campaigns/${campaignId}/pairings/export.xlsx`, '结对台账')).rows.map((r) => [r['联系对象'], r['联系干部']]))
      .toEqual([['林阿婆家', '张明']]);
    expect(await status(s.dandongAdmin, `/api/v1/campaigns/${shipuCampaignId}/pairings/export.xlsx`)).toBe(404);
    expect(await status(s.admin, '/api/v1/campaigns/999999/pairings/export.xlsx')).toBe(404);
    expect(await status(s.admin, `/api/v1/campaigns/${campaignId}/pairings/export.xlsx?status=gone`)).toBe(400);
  });

  it('audit log: admins only, the writes above listed', async () => {
    const all = await sheet(s.admin, '/api/v1/audit/export.xlsx?entity=practical_matter', '审计日志');
    expect(all.headers).toEqual(['编号', '时间', '账号', '地址', '操作', '对象', '对象编号', '详情']);
    expect(all.rows.length).toBeGreaterThanOrEqual(2);
    expect(await status(s.cadre, '/api/v1/audit/export.xlsx')).toBe(403);
    expect(await status(s.admin, '/api/v1/audit/export.xlsx?userId=abc')).toBe(400);
  });

  it('integrity flags, compliance rows and commitments: workbooks with the list’s headers; bad and out-of-scope filters refused', async () => {
    expect((await sheet(s.admin, '/api/v1/integrity/flags/export.xlsx', '预警台账')).headers.slice(0, 4)).toEqual(['编号', '核查项', '说明', '干部']);
    expect(await status(s.admin, '/api/v1/integrity/flags/export.xlsx?checkKind=nonsense')).toBe(400);
    expect(await status(s.dandongAdmin, `/api/v1/integrity/flags/export.xlsx?region=${SHIPU}`)).toBe(404);
    const rows = await sheet(s.admin, `/api/v1/compliance/rows/export.xlsx?campaignId=${campaignId}`, '履职达标');
    expect(rows.headers).toEqual(expect.arrayContaining(['硬性要求', '对象', '完成', '状态', '说明']));
    expect(await status(s.admin, '/api/v1/compliance/rows/export.xlsx')).toBe(400);
    expect(await status(s.dandongAdmin, `/api/v1/compliance/rows/export.xlsx?campaignId=${shipuCampaignId}`)).toBe(404);
    expect((await sheet(s.admin, '/api/v1/commitments/export.xlsx', '履职承诺')).headers).toEqual(expect.arrayContaining(['承诺人', '承诺事项', '状态', '进度']));
    expect(await status(s.shipuAdmin, `/api/v1/commitments/export.xlsx?region=${DANDONG}`)).toBe(404);
    expect(await status(s.admin, '/api/v1/surveys/999999/results/export.xlsx')).toBe(404);
    expect(await status(s.admin, '/api/v1/assessments/999999/ranking/export.xlsx')).toBe(404);
  });

  it('over the caller’s limit: 413 with the numbers and what to do, no workbook; each role its own limit', async () => {
    const small = await createTestApp(h.db, { LIANXIN_EXPORT_MAX_ROWS: '1' });
    try {
      const res = await small.inject({ url: '/api/v1/matters/export.xlsx', headers: { cookie: s.admin.cookie } });
      expect(res.statusCode).toBe(413);
      expect(res.headers['content-type']).toContain('application/json');
      expect(res.headers['content-disposition']).toBeUndefined();
      expect(res.json().error).toMatchObject({ code: 'EXPORT_TOO_LARGE', message: '将导出 2 行，超过您的导出上限 1 行，请缩小时间或区划范围', details: { rows: 2, limit: 1 } });
      // Narrowed to one township it fits.
      expect((await small.inject({ url: `/api/v1/matters/export.xlsx?region=${DANDONG}`, headers: { cookie: s.admin.cookie } })).statusCode).toBe(200);
    } finally {
      await small.close();
    }
    // A cadre's own limit is lower than the office's: the cadre is refused what the admin gets.
    const tiers = await createTestApp(h.db, { LIANXIN_EXPORT_MAX_ROWS_CADRE: '1' });
    try {
      const byCadre = await tiers.inject({ url: '/api/v1/writings/export.xlsx', headers: { cookie: s.cadre.cookie } });
      expect(byCadre.statusCode).toBe(413);
      expect(byCadre.json().error.details).toEqual({ rows: 2, limit: 1 });
      expect((await tiers.inject({ url: '/api/v1/writings/export.xlsx', headers: { cookie: s.dandongAdmin.cookie } })).statusCode).toBe(200);
    } finally {
      await tiers.close();
    }
  });
});

describe('exportLimitFor', () => {
  const config = testConfig({ LIANXIN_EXPORT_MAX_ROWS: '1000', LIANXIN_EXPORT_MAX_ROWS_UNIT: '100', LIANXIN_EXPORT_MAX_ROWS_CADRE: '10' });
  const actor = (role: Actor['role']): Actor => ({ userId: 1, username: 'x', role, scope: { regionPath: null, unitPath: null }, ip: null, cadreId: null });
  it('gives office roles the full limit, unit accounts and cadres less, never more than the office limit', () => {
    expect(['admin', 'leadership', 'supervisor', 'system'].map((r) => exportLimitFor(config, actor(r as Actor['role'])))).toEqual([1000, 1000, 1000, 1000]);
    expect(['unit_leader', 'handling_dept', 'hotline_operator'].map((r) => exportLimitFor(config, actor(r as Actor['role'])))).toEqual([100, 100, 100]);
    expect(exportLimitFor(config, actor('cadre'))).toBe(10);
    expect(exportLimitFor(testConfig({ LIANXIN_EXPORT_MAX_ROWS: '5' }), actor('cadre'))).toBe(5);
    expect(exportLimitFor(testConfig(), actor('admin'))).toBe(200_000);
  });
});

describe('statistics export', () => {
  const period = () => `from=${addDays(today, -60)}&to=${today}`;
  const url = (q: string) => `/api/v1/statistics/export?${period()}&${q}`;

  it('table=figures: one row per figure with value, unit and definition', async () => {
    const { headers, rows } = await sheet(s.admin, url('table=figures'), '统计指标');
    expect(headers).toEqual(['指标', '数值', '单位', '分子', '分母', '口径']);
    expect(rows).toHaveLength(figureKeys.length);
    const promised = rows.find((r) => r['指标'] === figureDefinitions.mattersPromised.zh)!;
    expect(promised).toMatchObject({ 数值: 2, 口径: figureDefinitions.mattersPromised.definition.zh });
    expect(rows.find((r) => r['指标'] === figureDefinitions.diaries.zh)!['数值']).toBe(1);
    expect(rows.find((r) => r['指标'] === figureDefinitions.matterFundsFen.zh)!['单位']).toBe('元');
    // A township admin's figures are its own.
    const town = await sheet(s.dandongAdmin, url('table=figures&figures=mattersPromised,researchReports'), '统计指标');
    expect(town.rows.map((r) => [r['指标'], r['数值']])).toEqual([[figureDefinitions.mattersPromised.zh, 1], [figureDefinitions.researchReports.zh, 0]]);
  });

  it('table=regions and table=months: a row per child region or month, a column per figure', async () => {
    const regions = await sheet(s.admin, url(`table=regions&regionCode=${XIANGSHAN}&figures=mattersPromised`), '分区划统计');
    expect(regions.headers).toEqual(['区划', `${figureDefinitions.mattersPromised.zh}（${figureDefinitions.mattersPromised.unit.zh}）`]);
    const byName = Object.fromEntries(regions.rows.map((r) => [r['区划'], r[regions.headers[1]!]]));
    expect(byName['丹东街道']).toBe(1);
    expect(byName['石浦镇']).toBe(1);
    const months = await sheet(s.admin, url('table=months&figures=mattersPromised,diaries'), '分月统计');
    expect(months.rows.length).toBeGreaterThanOrEqual(2);
    expect(months.rows.reduce((n, r) => n + Number(r[months.headers[1]!] ?? 0), 0)).toBe(2);
  });

  it('table=records: the records behind a figure; table=compare: this period against the previous', async () => {
    const records = await sheet(s.admin, url('table=records&figure=mattersPromised'), `${figureDefinitions.mattersPromised.zh}明细`);
    expect(records.rows.map((r) => r['记录']).sort()).toEqual(['修缮屋顶', '渔港路灯']);
    expect((await sheet(s.shipuAdmin, url('table=records&figure=mattersPromised'), `${figureDefinitions.mattersPromised.zh}明细`)).rows.map((r) => r['记录'])).toEqual(['渔港路灯']);
    const compare = await sheet(s.admin, url('table=compare&figures=mattersPromised'), '对比');
    expect(compare.headers.slice(0, 3)).toEqual(['指标', '单位', `本期（${addDays(today, -60)}至${today}）`]);
    expect(compare.rows[0]).toMatchObject({ 指标: figureDefinitions.mattersPromised.zh, 增减: 2 });
  });

  it('refuses bad and out-of-scope requests with the statistics API’s errors, and over the limit before any byte', async () => {
    const noFigure = await app.inject({ url: url('table=records'), headers: { cookie: s.admin.cookie } });
    expect(noFigure.statusCode).toBe(400);
    expect(noFigure.json().error.details.field).toBe('figure');
    expect(await status(s.admin, url('table=pie'))).toBe(400);
    expect(await status(s.admin, url('figures=nonsense'))).toBe(400);
    expect(await status(s.admin, `/api/v1/statistics/export?from=${today}&to=${addDays(today, -1)}`)).toBe(400);
    expect(await status(s.dandongAdmin, url(`regionCode=${SHIPU}`))).toBe(404);
    expect(await status(s.admin, url('campaignId=999999'))).toBe(404);
    expect(await status(s.cadre, url('table=figures'))).toBe(403);
    const small = await createTestApp(h.db, { LIANXIN_EXPORT_MAX_ROWS: '1' });
    try {
      const res = await small.inject({ url: url('table=records&figure=mattersPromised'), headers: { cookie: s.admin.cookie } });
      expect(res.statusCode).toBe(413);
      expect(res.json().error.details).toEqual({ rows: 2, limit: 1 });
    } finally {
      await small.close();
    }
  });
});
