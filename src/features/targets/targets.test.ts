import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetSheetColumns, type TargetKind } from '../../../contracts/targets.ts';
import {
  admin, as, createTestApp, createTestDatabase, DANDONG, login, makeUser, seedXiangshan, SHIPU, testDriver, testKey, type Session,
} from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import { decrypt } from '../../lib/personal-data.ts';
import { creditCodeCheckChar, idNumberCheckChar } from '../../lib/validators.ts';
import { createLocalRegion } from '../regions/regions.ts';
import { createTarget, ensurePlaceTargets, listTargets } from './targets.ts';

// Real-shaped identifiers: the check character computed by the national algorithms.
const idNo = (first17: string) => first17 + idNumberCheckChar(first17);
const credit = (first17: string) => first17 + creditCodeCheckChar(first17);
let serial = 0;
/** A fresh, valid credit code for each call. */
const nextCredit = () => credit(`91330225MA2${String(++serial).padStart(6, '0')}`);

const ZHANG_ID = '33022519800101123X';
const ZHANG_PHONE = '13812345678';
const DANDONG_VILLAGE = '330225001202'; // 下半河村
const DANDONG_COMMUNITY = '330225001003'; // 金秋社区
const SHIPU_VILLAGE = '330225101200'; // 东门渔村

let h: DatabaseHandle;
let app: App;
let s: Session; // an unscoped admin
let town: Session; // an admin of 丹东街道 only
let shipuTargetId: number;

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  app = await createTestApp(h.db);
  s = await login(app, (await makeUser(h.db, 'admin')).username);
  town = await login(app, (await makeUser(h.db, 'admin', { regionCode: DANDONG })).username);
  shipuTargetId = (await createTarget(h.db, admin, testKey, {
    kind: 'household', regionCode: SHIPU_VILLAGE, attrs: { head: '石浦户主' }, idNumber: idNo('33022519700505002'), phone: '13987654321', tags: ['困难户'],
  })).id;
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const post = (session: Session, url: string, payload: object) => app.inject({ method: 'POST', url, headers: as(session), payload });
const patch = (session: Session, url: string, payload: object) => app.inject({ method: 'PATCH', url, headers: as(session), payload });
const get = (session: Session, url: string) => app.inject({ url, headers: { cookie: session.cookie } });
const expectStatus = (res: { statusCode: number; body: string }, status: number) => expect(res.statusCode, res.body.slice(0, 500)).toBe(status);
const countTargets = async () => (await h.db.selectFrom('contact_targets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
const names = async (query: string, session = s) => {
  const res = await get(session, `/api/v1/targets?pageSize=200&${query}`);
  expectStatus(res, 200);
  return (res.json().items as { name: string }[]).map((t) => t.name);
};

describe(`contact targets on ${testDriver}`, () => {
  it('creates a target of every kind, with the kind’s own fields', async () => {
    const building = await createLocalRegion(h.db, admin, { parentCode: DANDONG_COMMUNITY, level: 'building', name: '金秋花园1幢1单元' });
    const bodies: Record<TargetKind, object> = {
      village: { kind: 'village', regionCode: DANDONG_VILLAGE, attrs: { population: 1200, households: 410 } },
      community: { kind: 'community', regionCode: DANDONG_COMMUNITY },
      building: { kind: 'building', regionCode: building.code },
      household: {
        kind: 'household', regionCode: DANDONG_VILLAGE, idNumber: ZHANG_ID.toLowerCase(), phone: ZHANG_PHONE, tags: ['困难户', '老党员'],
        attrs: { head: '张三', members: [{ name: '李梅', relation: '妻' }] }, address: '下半河村12号', latitude: 29.47, longitude: 121.87,
      },
      enterprise: { kind: 'enterprise', name: '象山海宝水产有限公司', regionCode: DANDONG, creditCode: '91350100m000100y43', tags: ['规上工业'], attrs: { industry: '水产加工', contactPerson: '陈经理' } },
      project: { kind: 'project', name: '丹东滨海大道改造工程', regionCode: DANDONG, investmentFen: 1_250_000_000_00, attrs: { level: 'city', site: '滨海大道', stage: '在建' } },
      talent: { kind: 'talent', name: '王博士', regionCode: DANDONG, attrs: { field: '海洋生物', employer: '宁波大学', title: '副教授' }, phone: '13700000001' },
      graduate_official: { kind: 'graduate_official', name: '刘青', regionCode: DANDONG_VILLAGE, attrs: { school: '浙江大学', post: '村主任助理', since: 2024 } },
      school: { kind: 'school', name: '丹城第二小学', regionCode: DANDONG, attrs: { stage: '小学', principal: '周校长' } },
      person: { kind: 'person', name: '黄乡贤', regionCode: DANDONG_VILLAGE, attrs: { role: '乡贤' } },
    };
    const created: Record<string, Record<string, unknown>> = {};
    for (const [kind, body] of Object.entries(bodies)) {
      const res = await post(s, '/api/v1/targets', body);
      expectStatus(res, 201);
      expect(res.json().kind).toBe(kind);
      created[kind] = res.json();
    }
    expect(created.village).toMatchObject({ name: '下半河村', regionName: '下半河村', attrs: { population: 1200, households: 410 } });
    expect(created.community).toMatchObject({ name: '金秋社区' });
    expect(created.building).toMatchObject({ name: '金秋花园1幢1单元', regionCode: building.code });
    expect(created.household).toMatchObject({
      name: '张三', tags: ['困难户', '老党员'], idMasked: '330225********123X', phoneMasked: '138****5678', latitude: 29.47,
      attrs: { head: '张三', members: [{ name: '李梅', relation: '妻' }] },
    });
    expect(created.enterprise).toMatchObject({ creditCode: '91350100M000100Y43', attrs: { industry: '水产加工' } });
    expect(created.project).toMatchObject({ investmentFen: 125_000_000_000, attrs: { level: 'city', stage: '在建' } });
    expect(created.graduate_official).toMatchObject({ attrs: { since: 2024 } });

    // Personal data: ciphertext at rest, masked in the answer.
    expect(JSON.stringify(created.household)).not.toContain('198001011');
    const row = await h.db.selectFrom('contact_targets').selectAll().where('id', '=', created.household!.id as number).executeTakeFirstOrThrow();
    expect(row.id_enc).not.toContain('19800101');
    expect(decrypt(testKey, row.id_enc!)).toBe(ZHANG_ID);
    expect(row.name_initials).toBe('zs');
    const audit = await h.db.selectFrom('audit_log').selectAll().where('action', '=', 'target.create').where('entity_id', '=', String(row.id)).executeTakeFirstOrThrow();
    expect(audit.region_path).toBe(row.region_path);
    expect(audit.unit_path).toBeNull();
    expect(JSON.stringify(audit.detail)).not.toContain('19800101');
  });

  it('refuses an invalid ID number or credit code with a 400 naming the field and the reason', async () => {
    const before = await countTargets();
    const badId = await post(s, '/api/v1/targets', { kind: 'household', regionCode: DANDONG_VILLAGE, attrs: { head: '错号' }, idNumber: '330225198001011234' });
    expectStatus(badId, 400);
    expect(badId.json().error.details.fields[0]).toMatchObject({ field: 'body.idNumber', message: '校验码错误：第18位应为 X，实为 4' });
    expect(badId.json().error.message).toContain('body.idNumber');

    const badDate = await post(s, '/api/v1/targets', { kind: 'person', name: '错日期', regionCode: DANDONG, idNumber: idNo('33022519800231001') });
    expectStatus(badDate, 400);
    expect(badDate.json().error.message).toContain('19800231 不是有效日期');

    const badCredit = await post(s, '/api/v1/targets', { kind: 'enterprise', name: '错码企业', regionCode: DANDONG, creditCode: '91350100M000100Y44' });
    expectStatus(badCredit, 400);
    expect(badCredit.json().error.details.fields[0]).toMatchObject({ field: 'body.creditCode', message: '校验码错误：第18位应为 3，实为 4' });

    const noCredit = await post(s, '/api/v1/targets', { kind: 'enterprise', name: '无码企业', regionCode: DANDONG });
    expectStatus(noCredit, 400);
    expect(noCredit.json().error.details.fields[0].field).toBe('body.creditCode');

    const wrongKindField = await post(s, '/api/v1/targets', { kind: 'household', regionCode: DANDONG_VILLAGE, attrs: { head: '某' }, creditCode: nextCredit() });
    expectStatus(wrongKindField, 400);
    expect(wrongKindField.json().error.message).toContain('creditCode');

    const badPhone = await post(s, '/api/v1/targets', { kind: 'talent', name: '某人才', regionCode: DANDONG, phone: '12345' });
    expectStatus(badPhone, 400);
    expect(badPhone.json().error.details.fields[0].field).toBe('body.phone');

    const halfCoords = await post(s, '/api/v1/targets', { kind: 'school', name: '半坐标学校', regionCode: DANDONG, latitude: 29.4 });
    expectStatus(halfCoords, 400);
    expect(halfCoords.json().error.message).toContain('纬度和经度');

    const badLevel = await post(s, '/api/v1/targets', { kind: 'project', name: '某项目', regionCode: DANDONG, attrs: { level: 'national' } });
    expectStatus(badLevel, 400);
    expect(badLevel.json().error.details.fields[0]).toMatchObject({ field: 'body.attrs.level', message: expect.stringContaining('省重点') });
    expect(await countTargets()).toBe(before);
  });

  it('refuses an unknown region, a region of the wrong level and a place registered twice, naming regionCode', async () => {
    const unknown = await post(s, '/api/v1/targets', { kind: 'school', name: '无区划学校', regionCode: '330225999999' });
    expectStatus(unknown, 400);
    expect(unknown.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'regionCode' }, message: expect.stringContaining('330225999999') });

    const villageAtTownship = await post(s, '/api/v1/targets', { kind: 'village', regionCode: DANDONG });
    expectStatus(villageAtTownship, 400);
    expect(villageAtTownship.json().error.details.field).toBe('regionCode');
    expect(villageAtTownship.json().error.message).toContain('丹东街道');

    const householdAtTownship = await post(s, '/api/v1/targets', { kind: 'household', regionCode: DANDONG, attrs: { head: '街道户' } });
    expectStatus(householdAtTownship, 400);
    expect(householdAtTownship.json().error.message).toContain('农户须登记在村');

    const twice = await post(s, '/api/v1/targets', { kind: 'community', regionCode: DANDONG_COMMUNITY, name: '金秋社区（重复）' });
    expectStatus(twice, 409);
    expect(twice.json().error).toMatchObject({ code: 'CONFLICT', details: { field: 'regionCode' }, message: expect.stringContaining('金秋社区') });
  });

  it('refuses a duplicate credit code with a 409 naming the field and the enterprise that has it', async () => {
    const code = nextCredit();
    expectStatus(await post(s, '/api/v1/targets', { kind: 'enterprise', name: '先登记的企业', regionCode: DANDONG, creditCode: code }), 201);
    const dup = await post(s, '/api/v1/targets', { kind: 'enterprise', name: '后登记的企业', regionCode: DANDONG, creditCode: code.toLowerCase() });
    expectStatus(dup, 409);
    expect(dup.json().error).toMatchObject({ code: 'CONFLICT', details: { field: 'creditCode' } });
    expect(dup.json().error.message).toContain('先登记的企业');
    expect(await names(`q=${encodeURIComponent('后登记')}`)).toEqual([]);

    // One person heads one household; the same person may also be registered as, say, a 乡贤.
    const twice = await post(s, '/api/v1/targets', { kind: 'household', regionCode: DANDONG_VILLAGE, attrs: { head: '张三' }, idNumber: ZHANG_ID });
    expectStatus(twice, 409);
    expect(twice.json().error).toMatchObject({ code: 'CONFLICT', details: { field: 'idNumber' }, message: expect.stringContaining('“张三”') });
    expect(twice.body).not.toContain(ZHANG_ID);
    const asPerson = await post(s, '/api/v1/targets', { kind: 'person', name: '张三', regionCode: DANDONG_VILLAGE, idNumber: ZHANG_ID, attrs: { role: '退役军人' } });
    expectStatus(asPerson, 201);
    await h.db.deleteFrom('contact_targets').where('id', '=', asPerson.json().id).execute();
  });

  it('finds targets by name fragment, pinyin initials, tag, kind, region subtree and exact identifiers', async () => {
    for (const [head, tags] of [['张思', ['低保']], ['王山', ['五保', '困难户']], ['李四', []]] as const) {
      await createTarget(h.db, admin, testKey, { kind: 'household', regionCode: DANDONG_VILLAGE, attrs: { head }, tags: [...tags] });
    }
    expect(await names('q=zs&kind=household')).toEqual(['张三', '张思']);
    expect(await names('q=ZS&kind=household')).toEqual(['张三', '张思']);
    expect(await names(`q=${encodeURIComponent('海宝')}`)).toEqual(['象山海宝水产有限公司']);
    expect(await names(`q=${encodeURIComponent('%')}`)).toEqual([]);
    expect(await names(`tag=${encodeURIComponent('困难户')}&region=${DANDONG}`)).toEqual(['张三', '王山']);
    expect(await names(`tag=${encodeURIComponent('困难户')}`)).toEqual(['石浦户主', '张三', '王山']);
    expect(await names('kind=village&kind=community')).toEqual(['下半河村', '金秋社区']);
    expect(await names(`region=${DANDONG_COMMUNITY}`)).toEqual(['金秋社区', '金秋花园1幢1单元']);
    expect(await names(`region=${SHIPU}`)).toEqual(['石浦户主']);
    expect(await names(`q=${ZHANG_ID.toLowerCase()}`)).toEqual(['张三']);
    expect(await names(`q=${ZHANG_PHONE}`)).toEqual(['张三']);
    expect(await names('q=91350100M000100Y43')).toEqual(['象山海宝水产有限公司']);
    const page = await listTargets(h.db, admin, testKey, { kind: 'household', page: 2, pageSize: 2 });
    expect(page).toMatchObject({ total: 5, page: 2, pageSize: 2 });
    expect(page.items).toHaveLength(2);
    // A text search finds its page and total in one pass; past the end the total still counts.
    const second = await listTargets(h.db, admin, testKey, { q: 'zs', kind: 'household', page: 2, pageSize: 1 });
    expect(second).toMatchObject({ total: 2, items: [{ name: '张思' }] });
    expect(await listTargets(h.db, admin, testKey, { q: 'zs', kind: 'household', page: 3, pageSize: 1 })).toMatchObject({ total: 2, items: [] });
    expect(await listTargets(h.db, admin, testKey, { q: '没有这个人', page: 1, pageSize: 20 })).toMatchObject({ total: 0, items: [] });
    expect(await listTargets(h.db, admin, testKey, { kind: 'household', page: 9, pageSize: 20 })).toMatchObject({ total: 5, items: [] });
  });

  it('shows ID and phone numbers masked in list and detail, and reveals them only on request, audited', async () => {
    const [zhang] = (await listTargets(h.db, admin, testKey, { q: '张三', page: 1, pageSize: 1 })).items;
    const list = await get(s, '/api/v1/targets?kind=household');
    const detail = await get(s, `/api/v1/targets/${zhang!.id}`);
    for (const res of [list, detail]) {
      expectStatus(res, 200);
      expect(res.body).not.toContain(ZHANG_ID);
      expect(res.body).not.toContain(ZHANG_PHONE);
      expect(res.body).toContain('330225********123X');
    }
    const id = await post(s, `/api/v1/targets/${zhang!.id}/reveal`, { field: 'idNumber', reason: '办理低保复核' });
    expectStatus(id, 200);
    expect(id.json()).toEqual({ id: zhang!.id, field: 'idNumber', value: ZHANG_ID });
    const phone = await post(s, `/api/v1/targets/${zhang!.id}/reveal`, { field: 'phone' });
    expect(phone.json().value).toBe(ZHANG_PHONE);
    const audits = await h.db.selectFrom('audit_log').selectAll().where('action', '=', 'personal_data.reveal').where('entity', '=', 'contact_target').where('entity_id', '=', String(zhang!.id)).orderBy('id').execute();
    expect(audits.map((a) => a.detail)).toEqual([{ field: 'idNumber', reason: '办理低保复核' }, { field: 'phone', reason: null }]);
    expect(audits[0]!.ip).toBeTruthy();
    expect(audits[0]!.region_path).toMatch(new RegExp(`/${DANDONG_VILLAGE}$`));

    // A cadre visits paired households and may reveal (audited); leadership reads masked only.
    const cadre = await login(app, (await makeUser(h.db, 'cadre', { regionCode: DANDONG })).username);
    expectStatus(await post(cadre, `/api/v1/targets/${zhang!.id}/reveal`, { field: 'phone' }), 200);
    const leadership = await login(app, (await makeUser(h.db, 'leadership')).username);
    expectStatus(await post(leadership, `/api/v1/targets/${zhang!.id}/reveal`, { field: 'phone' }), 403);
    expectStatus(await post(leadership, '/api/v1/targets', { kind: 'school', name: '领导建的学校', regionCode: DANDONG }), 403);
  });

  it('edits a target: attributes merged and checked for the kind, personal data replaced or cleared, duplicates refused', async () => {
    const t = await createTarget(h.db, admin, testKey, {
      kind: 'household', regionCode: DANDONG_VILLAGE, attrs: { head: '钱五', members: [{ name: '钱小五', relation: '子' }] }, idNumber: idNo('33022519650303001'), phone: '13600000005',
    });
    const res = await patch(s, `/api/v1/targets/${t.id}`, { attrs: { head: '钱伍' }, phone: '13600000006', idNumber: null, tags: ['低保', '低保'] });
    expectStatus(res, 200);
    expect(res.json()).toMatchObject({ name: '钱伍', attrs: { head: '钱伍', members: [{ name: '钱小五', relation: '子' }] }, phoneMasked: '136****0006', idMasked: null, tags: ['低保'] });
    const row = await h.db.selectFrom('contact_targets').select(['id_enc', 'id_hash', 'phone_enc', 'name_initials']).where('id', '=', t.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ id_enc: null, id_hash: null, name_initials: 'qw' });
    expect(decrypt(testKey, row.phone_enc!)).toBe('13600000006');

    const badAttr = await patch(s, `/api/v1/targets/${t.id}`, { attrs: { industry: '养殖' } });
    expectStatus(badAttr, 400);
    expect(badAttr.json().error.message).toContain('industry');
    const badField = await patch(s, `/api/v1/targets/${t.id}`, { creditCode: nextCredit() });
    expectStatus(badField, 400);
    expect(badField.json().error.message).toContain('creditCode');
    const badId = await patch(s, `/api/v1/targets/${t.id}`, { idNumber: '330225196503030010' });
    expectStatus(badId, 400);
    expect(badId.json().error.details.fields[0].field).toBe('body.idNumber');

    const ent = await createTarget(h.db, admin, testKey, { kind: 'enterprise', name: '改码企业', regionCode: DANDONG, creditCode: nextCredit() });
    const dup = await patch(s, `/api/v1/targets/${ent.id}`, { creditCode: '91350100M000100Y43' });
    expectStatus(dup, 409);
    expect(dup.json().error.details.field).toBe('creditCode');
    const same = await patch(s, `/api/v1/targets/${ent.id}`, { creditCode: ent.creditCode!, attrs: { industry: '新材料' } });
    expectStatus(same, 200);
    expect(same.json().attrs).toEqual({ industry: '新材料' });
    const moved = await patch(s, `/api/v1/targets/${ent.id}`, { regionCode: '330225999999' });
    expectStatus(moved, 400);
    expect(moved.json().error.details.field).toBe('regionCode');
    expectStatus(await patch(s, '/api/v1/targets/99999999', { name: 'x' }), 404);
    const audit = await h.db.selectFrom('audit_log').select('detail').where('action', '=', 'target.update').where('entity_id', '=', String(t.id)).executeTakeFirstOrThrow();
    expect(JSON.stringify(audit.detail)).not.toContain('13600000006');
  });
});

async function workbook(sheets: Record<string, (string | number | null)[][]>, headers: Partial<Record<string, string[]>> = {}) {
  const wb = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const ws = wb.addWorksheet(name);
    const kind = ({ 农户: 'household', 企业: 'enterprise', 重点项目: 'project', 村: 'village', 社区: 'community' } as Record<string, TargetKind>)[name];
    ws.addRow(headers[name] ?? (kind ? targetSheetColumns[kind].map((c) => c.header) : ['名称']));
    for (const r of rows) ws.addRow(r);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function upload(session: Session, file: Buffer) {
  const boundary = '----lianxin-targets-boundary';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="targets.xlsx"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const payload = Buffer.concat([Buffer.from(head), file, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return app.inject({ method: 'POST', url: '/api/v1/targets/import', headers: { ...as(session), 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
}

async function readXlsx(raw: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(raw as unknown as ExcelJS.Buffer);
  return wb;
}
const sheetRows = (ws: ExcelJS.Worksheet) => ws.getSheetValues().slice(1).map((r) => (r as unknown[]).slice(1).map((v) => v ?? ''));

// Household columns: 户主 户名 身份证号 手机号 家庭成员 区划代码 区划名称 地址 标签 纬度 经度
// Enterprise columns: 企业名称 统一社会信用代码 行业 联系人 联系人手机号 区划代码 区划名称 地址 标签 纬度 经度
describe(`the target registry in Excel on ${testDriver}`, () => {
  it('offers a template with one sheet per kind and Chinese headers', async () => {
    const res = await get(s, '/api/v1/targets/template.xlsx');
    expectStatus(res, 200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const wb = await readXlsx(res.rawPayload);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['农户', '企业', '重点项目', '村', '社区', '楼栋单元', '人才', '大学生村官', '学校', '其他人员', '填写说明']);
    expect(sheetRows(wb.getWorksheet('农户')!)[0]).toEqual(['户主', '户名', '身份证号', '手机号', '家庭成员', '区划代码', '区划名称', '地址', '标签', '纬度', '经度']);
    expect(sheetRows(wb.getWorksheet('企业')!)[0]).toEqual(['企业名称', '统一社会信用代码', '行业', '联系人', '联系人手机号', '区划代码', '区划名称', '地址', '标签', '纬度', '经度']);
  });

  it('imports a good workbook of several kinds whole', async () => {
    const before = await countTargets();
    const code = nextCredit();
    const file = await workbook({
      农户: [
        ['孙大伯', '', idNo('33022519550707001'), '137-0000-1111', '孙大妈（妻）、孙小明（孙）', DANDONG_VILLAGE, '下半河村', '下半河村8号', '困难户、百岁老人', 29.5, 121.9],
        ['周阿婆', '周家', '', '', '', '330225001203', '', '', '', null, null],
      ],
      企业: [['丹城新材料有限公司', code.toLowerCase(), '新材料', '吴总', '13500000002', DANDONG, '', '', '专精特新，规上工业', null, null]],
      重点项目: [['丹东港区扩建', '省重点', '丹东港', '前期', 12345.67, DANDONG, '', '', '', null, null]],
      村: [['', '', '', '330225001204']],
    }, { 村: ['村名称', '常住人口', '户数', '区划代码'] });
    const res = await upload(s, file);
    expectStatus(res, 200);
    expect(res.json()).toEqual({ imported: 5, byKind: { household: 2, enterprise: 1, project: 1, village: 1 } });
    expect(await countTargets()).toBe(before + 5);
    const sun = (await listTargets(h.db, admin, testKey, { q: '孙大伯', page: 1, pageSize: 1 })).items[0]!;
    expect(sun).toMatchObject({ tags: ['困难户', '百岁老人'], phoneMasked: '137****1111', idMasked: '330225********0014', attrs: { members: [{ name: '孙大妈', relation: '妻' }, { name: '孙小明', relation: '孙' }] } });
    expect((await listTargets(h.db, admin, testKey, { q: '周家', page: 1, pageSize: 1 })).items[0]!.attrs).toEqual({ head: '周阿婆' });
    const project = (await listTargets(h.db, admin, testKey, { q: '港区', page: 1, pageSize: 1 })).items[0]!;
    expect(project).toMatchObject({ investmentFen: 12_345_670_000, attrs: { level: 'province', site: '丹东港', stage: '前期' } });
    expect((await listTargets(h.db, admin, testKey, { q: code, page: 1, pageSize: 1 })).items[0]!.tags).toEqual(['专精特新', '规上工业']);
    expect((await listTargets(h.db, admin, testKey, { region: '330225001204', page: 1, pageSize: 5 })).items.map((t) => t.name)).toEqual(['后山村']);
  });

  it('rejects a bad workbook whole, naming sheet, row, Chinese column and reason, and imports nothing', async () => {
    const before = await countTargets();
    const code = nextCredit();
    const file = await workbook({
      农户: [
        ['好户', '', idNo('33022519600101001'), '', '', DANDONG_VILLAGE, '', '', '', null, null],
        ['错号户', '', '330225196001010010', '', '', DANDONG_VILLAGE, '', '', '', null, null],
        ['', '', '', '', '', DANDONG_VILLAGE, '', '', '', null, null],
        ['外地户', '', '', '', '', '110105001001', '', '', '', null, null],
        ['成员户', '', '', '', '王五', DANDONG_VILLAGE, '', '', '', null, null],
        ['重号户', '', idNo('33022519600101001'), '', '', DANDONG_VILLAGE, '', '', '', null, null],
        ['老户', '', ZHANG_ID, '', '', DANDONG_VILLAGE, '', '', '', null, null],
      ],
      企业: [
        ['甲企业', code, '', '', '', DANDONG, '', '', '', null, null],
        ['乙企业', code, '', '', '', DANDONG, '', '', '', null, null],
        ['老企业', '91350100M000100Y43', '', '', '', DANDONG, '', '', '', null, null],
        ['坏码企业', '91350100M000100Y40', '', '', '', DANDONG, '', '', '', 91, 121],
      ],
      社区: [['', '', '', DANDONG_COMMUNITY]],
    }, { 社区: ['社区名称', '常住人口', '户数', '区划代码'] });
    const res = await upload(s, file);
    expectStatus(res, 400);
    const body = res.json();
    expect(body.error.code).toBe('IMPORT_REJECTED');
    const errors: { sheet: string; row: number; field: string; message: string }[] = body.error.details.errors;
    expect(errors.map((e) => [e.sheet, e.row, e.field])).toEqual([
      ['农户', 3, '身份证号'],
      ['农户', 4, '户主'],
      ['农户', 5, '区划代码'],
      ['农户', 6, '家庭成员'],
      ['农户', 7, '身份证号'],
      ['农户', 8, '身份证号'],
      ['企业', 3, '统一社会信用代码'],
      ['企业', 4, '统一社会信用代码'],
      ['企业', 5, '纬度'],
      ['企业', 5, '统一社会信用代码'],
      ['社区', 2, '区划代码'],
    ]);
    const at = (sheet: string, row: number) => errors.filter((e) => e.sheet === sheet && e.row === row).map((e) => e.message).join(' | ');
    expect(at('农户', 3)).toBe('校验码错误：第18位应为 9，实为 0');
    expect(at('农户', 5)).toContain('110105001001 不存在或不在您的管辖范围内');
    expect(at('农户', 6)).toContain('姓名（关系）');
    expect(at('农户', 7)).toBe('户主身份证号与第2行重复');
    expect(at('农户', 8)).toContain('“张三”');
    expect(at('企业', 3)).toContain('第2行');
    expect(at('企业', 4)).toContain('象山海宝水产有限公司');
    expect(at('企业', 5)).toContain('校验码错误');
    expect(at('社区', 2)).toContain('已登记');
    expect(await countTargets()).toBe(before);
  });

  it('rejects a file that is not a spreadsheet, missing headers, unknown sheets and empty sheets; only admins import', async () => {
    const notXlsx = await upload(s, Buffer.from('户主,区划代码\n张三,1\n'));
    expectStatus(notXlsx, 400);
    expect(notXlsx.json().error.message).toContain('.xlsx');
    const noHeaders = await upload(s, await workbook({ 农户: [['张三']] }, { 农户: ['姓名'] }));
    expectStatus(noHeaders, 400);
    expect(noHeaders.json().error.details.errors).toEqual(expect.arrayContaining([expect.objectContaining({ sheet: '农户', row: 1, field: '户主' })]));
    const unknownSheet = await upload(s, await workbook({ Sheet1: [['张三']] }));
    expectStatus(unknownSheet, 400);
    expect(unknownSheet.json().error.details.errors[0]).toMatchObject({ sheet: 'Sheet1', field: '工作表' });
    const empty = await upload(s, await workbook({ 农户: [] }));
    expectStatus(empty, 400);
    expect(empty.json().error.code).toBe('IMPORT_REJECTED');
    const leader = await login(app, (await makeUser(h.db, 'unit_leader')).username);
    expectStatus(await upload(leader, await workbook({ 农户: [['某', '', '', '', '', DANDONG_VILLAGE]] })), 403);
  });

  it('exports the filtered registry with personal data masked, unmasked only for roles that may reveal (audited), within the row limit', async () => {
    const res = await get(s, `/api/v1/targets/export.xlsx?region=${DANDONG_VILLAGE}&kind=household`);
    expectStatus(res, 200);
    const wb = await readXlsx(res.rawPayload);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['农户']);
    const rows = sheetRows(wb.worksheets[0]!);
    const zhang = rows.find((r) => r[0] === '张三')!;
    expect(zhang.slice(0, 9)).toEqual(['张三', '张三', '330225********123X', '138****5678', '李梅（妻）', DANDONG_VILLAGE, '下半河村', '下半河村12号', '困难户、老党员']);
    expect(res.body).not.toContain(ZHANG_PHONE);

    const all = await get(s, `/api/v1/targets/export.xlsx?region=${DANDONG}`);
    expectStatus(all, 200);
    const sheets = (await readXlsx(all.rawPayload)).worksheets.map((w) => w.name);
    expect(sheets).toEqual(expect.arrayContaining(['农户', '企业', '重点项目', '村', '社区', '楼栋单元']));
    const projects = sheetRows((await readXlsx(all.rawPayload)).getWorksheet('重点项目')!);
    expect(projects.find((r) => r[0] === '丹东港区扩建')!.slice(0, 5)).toEqual(['丹东港区扩建', '省重点', '丹东港', '前期', 12345.67]);

    const unmasked = await get(s, `/api/v1/targets/export.xlsx?q=${ZHANG_PHONE}&unmasked=true`);
    expectStatus(unmasked, 200);
    expect(sheetRows((await readXlsx(unmasked.rawPayload)).worksheets[0]!)[1]!.slice(2, 4)).toEqual([ZHANG_ID, ZHANG_PHONE]);
    expect(await h.db.selectFrom('audit_log').select('id').where('action', '=', 'personal_data.export').where('entity', '=', 'contact_target').execute()).toHaveLength(1);
    const leadership = await login(app, (await makeUser(h.db, 'leadership')).username);
    expectStatus(await get(leadership, '/api/v1/targets/export.xlsx?unmasked=true&kind=school'), 403);

    const small = await createTestApp(h.db, { LIANXIN_EXPORT_MAX_ROWS: '3' });
    const tooMany = await small.inject({ url: '/api/v1/targets/export.xlsx', headers: { cookie: s.cookie } });
    await small.close();
    expectStatus(tooMany, 413);
    expect(tooMany.headers['content-type']).toContain('application/json');
    expect(tooMany.json().error.code).toBe('EXPORT_TOO_LARGE');
  });
});

describe(`scope on ${testDriver}: a 丹东街道 admin and 石浦镇 targets`, () => {
  it('lists only its own targets, and cannot see, filter by, edit or reveal a Shipu one: 404', async () => {
    const res = await get(town, '/api/v1/targets?pageSize=200');
    expectStatus(res, 200);
    const items = res.json().items as { id: number; regionCode: string; name: string }[];
    expect(items.length).toBeGreaterThan(5);
    expect(res.json().total).toBe(items.length);
    for (const t of items) expect(t.regionCode.startsWith('330225001')).toBe(true);
    expect(items.map((t) => t.id)).not.toContain(shipuTargetId);
    expect(await names(`tag=${encodeURIComponent('困难户')}`, town)).not.toContain('石浦户主');
    expect(await names('q=13987654321', town)).toEqual([]);

    expectStatus(await get(town, `/api/v1/targets/${shipuTargetId}`), 404);
    expectStatus(await get(town, `/api/v1/targets?region=${SHIPU}`), 404);
    const edit = await patch(town, `/api/v1/targets/${shipuTargetId}`, { address: '改地址' });
    expectStatus(edit, 404);
    expect(edit.body).not.toContain('石浦户主');
    const reveal = await post(town, `/api/v1/targets/${shipuTargetId}/reveal`, { field: 'phone' });
    expectStatus(reveal, 404);
    expect(reveal.body).not.toContain('13987654321');
    const after = await h.db.selectFrom('contact_targets').select('address').where('id', '=', shipuTargetId).executeTakeFirstOrThrow();
    expect(after.address).toBe('');
  });

  it('cannot create, move or import targets into Shipu (400 naming regionCode), nor register its villages', async () => {
    const before = await countTargets();
    const create = await post(town, '/api/v1/targets', { kind: 'school', name: '石浦的学校', regionCode: SHIPU });
    expectStatus(create, 400);
    expect(create.json().error.details.field).toBe('regionCode');
    const mine = await post(town, '/api/v1/targets', { kind: 'school', name: '丹东的学校', regionCode: DANDONG });
    expectStatus(mine, 201);
    const move = await patch(town, `/api/v1/targets/${mine.json().id}`, { regionCode: SHIPU });
    expectStatus(move, 400);
    expect(move.json().error.details.field).toBe('regionCode');
    const imported = await upload(town, await workbook({ 农户: [['石浦新户', '', '', '', '', SHIPU_VILLAGE, '', '', '', null, null]] }));
    expectStatus(imported, 400);
    expect(imported.json().error.details.errors[0]).toMatchObject({ sheet: '农户', row: 2, field: '区划代码' });
    const places = await post(town, '/api/v1/targets/places', { regionCode: SHIPU });
    expectStatus(places, 400);
    expect(places.json().error.details.field).toBe('regionCode');
    // A Shipu credit code is refused without naming the Shipu enterprise.
    const code = nextCredit();
    await createTarget(h.db, admin, testKey, { kind: 'enterprise', name: '石浦秘密企业', regionCode: SHIPU, creditCode: code });
    const dup = await post(town, '/api/v1/targets', { kind: 'enterprise', name: '丹东企业', regionCode: DANDONG, creditCode: code });
    expectStatus(dup, 409);
    expect(dup.body).not.toContain('石浦秘密企业');
    expect(await countTargets()).toBe(before + 2);

    const exported = await get(town, '/api/v1/targets/export.xlsx?tag=' + encodeURIComponent('困难户'));
    expectStatus(exported, 200);
    const rows = (await readXlsx(exported.rawPayload)).worksheets.flatMap((w) => sheetRows(w).slice(1));
    expect(rows.map((r) => r[0])).not.toContain('石浦户主');
    expect(rows.length).toBeGreaterThan(0);

    const audit = await h.db.selectFrom('audit_log').select('region_path').where('action', '=', 'target.create').where('entity_id', '=', String(mine.json().id)).executeTakeFirstOrThrow();
    expect(audit.region_path).toMatch(new RegExp(`/${DANDONG}$`));
  });
});

describe(`registering villages and communities on ${testDriver}`, () => {
  it('registers every village and community under a region once, community by name', async () => {
    const existing = await names('kind=village&kind=community', town);
    const res = await post(town, '/api/v1/targets/places', { regionCode: DANDONG });
    expectStatus(res, 200);
    expect(res.json().created).toBe(28 - existing.length);
    const villages = await listTargets(h.db, admin, testKey, { kind: ['village', 'community'], region: DANDONG, page: 1, pageSize: 200 });
    expect(villages.total).toBe(28);
    expect(villages.items.filter((t) => t.kind === 'community')).toHaveLength(12);
    for (const t of villages.items) expect(t.kind === 'community').toBe(t.name.endsWith('社区'));
    expect(await names(`q=${encodeURIComponent('梅溪')}`, town)).toEqual(['梅溪村']);
    expect(await names('q=mx&kind=village', town)).toEqual(['梅溪村']);
    expect(await ensurePlaceTargets(h.db, admin, DANDONG)).toEqual({ created: 0 });
    expect(await names(`region=${SHIPU}&kind=village`)).toEqual([]);
  });
});

describe(`bad input on ${testDriver}`, () => {
  it('answers oversized and malformed input with a 4xx naming the field, and writes nothing', async () => {
    const before = await countTargets();
    const cases: [string, string, object | string, number, string?][] = [
      ['POST', '/api/v1/targets', { kind: 'school', name: '校'.repeat(101), regionCode: DANDONG }, 400, 'body.name'],
      ['POST', '/api/v1/targets', { kind: 'household', regionCode: DANDONG_VILLAGE, attrs: { head: '多标签' }, tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 400, 'body.tags'],
      ['POST', '/api/v1/targets', { kind: 'household', regionCode: DANDONG_VILLAGE, attrs: { head: '坏标签' }, tags: ['困难户，低保'] }, 400, 'body.tags.0'],
      ['POST', '/api/v1/targets', { kind: 'spaceship', name: 'x', regionCode: DANDONG }, 400],
      ['POST', '/api/v1/targets', { kind: 'school', name: 'x', regionCode: DANDONG, latitude: '29.4', longitude: 121 }, 400, 'body.latitude'],
      ['POST', '/api/v1/targets', { kind: 'school', name: 'x', regionCode: DANDONG, latitude: 91, longitude: 121 }, 400, 'body.latitude'],
      ['POST', '/api/v1/targets', { kind: 'project', name: 'x', regionCode: DANDONG, investmentFen: -1, attrs: { level: 'city' } }, 400, 'body.investmentFen'],
      ['POST', '/api/v1/targets', { kind: 'project', name: 'x', regionCode: DANDONG, investmentFen: 1.5, attrs: { level: 'city' } }, 400, 'body.investmentFen'],
      ['POST', '/api/v1/targets', { kind: 'household', regionCode: DANDONG_VILLAGE, attrs: { head: '大户', members: Array.from({ length: 31 }, () => ({ name: '成员', relation: '子' })) } }, 400, 'body.attrs.members'],
      ['POST', '/api/v1/targets', '{"kind": "school", "name": ', 400],
      ['POST', '/api/v1/targets', { kind: 'school', name: 'x'.repeat(1024 * 1024) }, 413],
      ['PATCH', '/api/v1/targets/abc', { name: 'x' }, 400, 'params.id'],
      ['PATCH', `/api/v1/targets/${shipuTargetId}`, { kind: 'enterprise' }, 400],
      ['POST', `/api/v1/targets/${shipuTargetId}/reveal`, { field: 'address' }, 400, 'body.field'],
      ['GET', '/api/v1/targets?pageSize=1000', '', 400, 'querystring.pageSize'],
      ['GET', '/api/v1/targets?kind=spaceship', '', 400],
      ['GET', `/api/v1/targets?q=${'长'.repeat(51)}`, '', 400, 'querystring.q'],
    ];
    for (const [method, url, payload, status, field] of cases) {
      const res = await app.inject({
        method: method as 'POST', url, headers: { ...as(s), ...(typeof payload === 'string' && payload ? { 'content-type': 'application/json' } : {}) },
        ...(method === 'GET' ? {} : { payload: payload as string }),
      });
      expect(res.statusCode, `${method} ${url}: ${res.body.slice(0, 300)}`).toBe(status);
      expect(res.json().error.code).toBeTruthy();
      expect(res.body).not.toMatch(/at .*\.ts:\d+/);
      if (field) expect(res.json().error.details.fields.map((f: { field: string }) => f.field), `${method} ${url}`).toContain(field);
    }
    expect(await countTargets()).toBe(before);
  });
});
