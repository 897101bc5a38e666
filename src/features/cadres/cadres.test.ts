import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cadreSheetColumns } from '../../../contracts/cadres.ts';
import { admin, as, createTestApp, createTestDatabase, DANDONG, login, makeCadre, makeUnit, makeUser, seedXiangshan, SHIPU, testKey, type Session } from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { UnitDto } from '../../../contracts/units.ts';
import type { App } from '../../http/types.ts';
import { decrypt } from '../../lib/personal-data.ts';
import { listCadres, nameInitials } from './cadres.ts';

let h: DatabaseHandle;
let app: App;
let s: Session;
let unit: UnitDto;
beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db, { LIANXIN_EXPORT_MAX_ROWS: '10' });
  s = await login(app, (await makeUser(h.db, 'admin')).username);
  unit = await makeUnit(h.db, DANDONG, { name: '丹东街道党工委' });
});
afterAll(async () => {
  await app.close();
  await h.close();
});

async function xlsx(rows: (string | number | null)[][], headers: string[] = cadreSheetColumns.map((c) => c.header)) {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('干部名册');
  ws.addRow(headers);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function multipart(file: Buffer, filename = 'roster.xlsx') {
  const boundary = '----lianxin-test-boundary';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n`;
  return { payload: Buffer.concat([Buffer.from(head), file, Buffer.from(`\r\n--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function upload(session: Session, file: Buffer) {
  const { payload, contentType } = multipart(file);
  return app.inject({ method: 'POST', url: '/api/v1/cadres/import', headers: { ...as(session), 'content-type': contentType }, payload });
}

const countCadres = async () => (await h.db.selectFrom('cadres').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;

describe('cadres', () => {
  it('stores the phone encrypted, shows it masked, and audits each reveal', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/cadres', headers: as(s), payload: { name: '王建国', unitId: unit.id, rank: 'section', position: '副主任', phone: '13812345678' } });
    expect(res.statusCode).toBe(201);
    const c = res.json();
    expect(c.phoneMasked).toBe('138****5678');
    expect(JSON.stringify(c)).not.toContain('13812345678');
    const row = await h.db.selectFrom('cadres').selectAll().where('id', '=', c.id).executeTakeFirstOrThrow();
    expect(row.phone_enc).not.toContain('13812345678');
    expect(decrypt(testKey, row.phone_enc!)).toBe('13812345678');

    const list = await app.inject({ url: `/api/v1/cadres?unitId=${unit.id}`, headers: as(s) });
    expect(list.body).not.toContain('13812345678');

    const reveal = await app.inject({ method: 'POST', url: `/api/v1/cadres/${c.id}/phone`, headers: as(s), payload: { reason: '联系走访安排' } });
    expect(reveal.json()).toEqual({ id: c.id, phone: '13812345678' });
    const audit = await h.db.selectFrom('audit_log').selectAll().where('action', '=', 'personal_data.reveal').where('entity_id', '=', String(c.id)).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.ip).toBeTruthy();
    expect(audit[0]!.detail).toMatchObject({ field: 'phone', reason: '联系走访安排' });
  });

  it('finds cadres by name fragment, pinyin initials and exact phone', async () => {
    const u = await makeUnit(h.db, SHIPU);
    await makeCadre(h.db, u.id, { name: '张三' });
    await makeCadre(h.db, u.id, { name: '曾小贤', phone: '13900001111' });
    await makeCadre(h.db, u.id, { name: '李四' });
    const names = async (q: string) => (await listCadres(h.db, admin, testKey, { q, unitId: u.id, page: 1, pageSize: 20 })).items.map((c) => c.name);
    expect(await names('zs')).toEqual(['张三']);
    expect(await names('ZXX')).toEqual(['曾小贤']);
    expect(await names('小贤')).toEqual(['曾小贤']);
    expect(await names('13900001111')).toEqual(['曾小贤']);
    expect(await names('%')).toEqual([]);
    expect(nameInitials('欧阳娜娜')).toBe('oynn');
  });

  it('filters by rank and status and pages with a total', async () => {
    const u = await makeUnit(h.db, SHIPU);
    for (let i = 0; i < 7; i++) await makeCadre(h.db, u.id, { name: `科级${i}`, rank: 'section' });
    await makeCadre(h.db, u.id, { name: '村干部甲', rank: 'village' });
    const page2 = await app.inject({ url: `/api/v1/cadres?unitId=${u.id}&rank=section&page=2&pageSize=5`, headers: as(s) });
    expect(page2.json()).toMatchObject({ total: 7, page: 2, pageSize: 5 });
    expect(page2.json().items).toHaveLength(2);
    const bad = await app.inject({ url: `/api/v1/cadres?rank=general_secretary&pageSize=0`, headers: as(s) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.fields.map((f: { field: string }) => f.field)).toEqual(expect.arrayContaining(['querystring.rank', 'querystring.pageSize']));
  });

  it('edits a cadre, moving them to another unit, with the change audited', async () => {
    const c = await makeCadre(h.db, unit.id, { name: '调动前' });
    const other = await makeUnit(h.db, SHIPU);
    const res = await app.inject({ method: 'PATCH', url: `/api/v1/cadres/${c.id}`, headers: as(s), payload: { name: '调动后', unitId: other.id, status: 'second_line' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: '调动后', unitId: other.id, status: 'second_line' });
    const bad = await app.inject({ method: 'PATCH', url: `/api/v1/cadres/${c.id}`, headers: as(s), payload: { phone: '12345' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.fields[0].field).toBe('body.phone');
    const missing = await app.inject({ method: 'PATCH', url: '/api/v1/cadres/99999999', headers: as(s), payload: { name: 'x' } });
    expect(missing.statusCode).toBe(404);
  });
});

describe('the cadre roster in Excel', () => {
  it('offers a template whose headers are Chinese', async () => {
    const res = await app.inject({ url: '/api/v1/cadres/template.xlsx', headers: as(s) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer);
    const headers = (wb.worksheets[0]!.getRow(1).values as string[]).slice(1);
    expect(headers).toEqual(['姓名', '性别', '单位编码', '单位名称', '职级', '职务', '状态', '手机号']);
  });

  it('imports a good file whole', async () => {
    const before = await countCadres();
    const file = await xlsx([
      ['赵一', '男', unit.code, '', '科级', '主任', '在职', '13700000001'],
      ['钱二', '女', '', '丹东街道党工委', '一般干部', '科员', '', '137-0000-0002'],
      ['孙三', '', unit.code, '', '村干部', '', '二线', null],
    ]);
    const res = await upload(s, file);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ imported: 3 });
    expect(await countCadres()).toBe(before + 3);
    const qian = (await listCadres(h.db, admin, testKey, { q: '钱二', page: 1, pageSize: 5 })).items[0]!;
    expect(qian).toMatchObject({ gender: 'female', rank: 'general', status: 'active', phoneMasked: '137****0002', unitId: unit.id });
  });

  it('rejects a bad file whole, naming each bad row and why, and imports nothing', async () => {
    const before = await countCadres();
    const file = await xlsx([
      ['好人', '男', unit.code, '', '科级', '', '', '13700000011'],
      ['', '男', unit.code, '', '科级', '', '', ''],
      ['坏职级', '男', unit.code, '', '处级', '', '', ''],
      ['坏单位', '', 'NO-SUCH-UNIT', '', '科级', '', '', ''],
      ['坏手机', '', unit.code, '', '科级', '', '', '1234'],
      ['重复手机', '', unit.code, '', '科级', '', '', '13700000011'],
      ['老手机', '', unit.code, '', '科级', '', '', '13700000001'],
    ]);
    const res = await upload(s, file);
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('IMPORT_REJECTED');
    const errors: { row: number; field: string; message: string }[] = body.error.details.errors;
    expect(errors.map((e) => [e.row, e.field])).toEqual([
      [3, '姓名'], [4, '职级'], [5, '单位编码'], [6, '手机号'], [7, '手机号'], [8, '手机号'],
    ]);
    expect(errors.find((e) => e.row === 4)!.message).toContain('处级');
    expect(errors.find((e) => e.row === 7)!.message).toContain('第2行');
    expect(errors.find((e) => e.row === 8)!.message).toContain('赵一');
    expect(await countCadres()).toBe(before);
  });

  it('rejects a file that is not a spreadsheet, a sheet without the headers, and an empty sheet', async () => {
    const notXlsx = await upload(s, Buffer.from('name,unit\n张三,1\n'));
    expect(notXlsx.statusCode).toBe(400);
    expect(notXlsx.json().error.message).toContain('.xlsx');
    const wrongHeaders = await upload(s, await xlsx([['张三', '1']], ['name', 'unit']));
    expect(wrongHeaders.statusCode).toBe(400);
    expect(wrongHeaders.json().error.message).toContain('姓名');
    const empty = await upload(s, await xlsx([]));
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.code).toBe('IMPORT_REJECTED');
  });

  it('lets only admins import', async () => {
    const leader = await login(app, (await makeUser(h.db, 'unit_leader', { unitId: unit.id })).username);
    const res = await upload(leader, await xlsx([['周五', '', unit.code, '', '科级', '', '', '']]));
    expect(res.statusCode).toBe(403);
  });

  it('exports the filtered roster with phones masked, and refuses an export over the caller’s limit', async () => {
    const u = await makeUnit(h.db, SHIPU, { name: '导出测试单位' });
    await makeCadre(h.db, u.id, { name: '吴六', rank: 'section', phone: '15912345678' });
    await makeCadre(h.db, u.id, { name: '郑七', rank: 'general' });
    const res = await app.inject({ url: `/api/v1/cadres/export.xlsx?unitId=${u.id}`, headers: as(s) });
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer);
    const ws = wb.worksheets[0]!;
    const rows = ws.getSheetValues().slice(2).map((r) => Array.from({ length: 8 }, (_, i) => (r as unknown[])[i + 1] ?? ''));
    expect(rows).toEqual([
      ['吴六', '', u.code, '导出测试单位', '科级', '科员', '在职', '159****5678'],
      ['郑七', '', u.code, '导出测试单位', '一般干部', '科员', '在职', ''],
    ]);

    const tooMany = await app.inject({ url: '/api/v1/cadres/export.xlsx', headers: as(s) });
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.headers['content-type']).toContain('application/json');
    expect(tooMany.json().error.code).toBe('EXPORT_TOO_LARGE');
  });
});
