import { PassThrough, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import {
  cadreRankLabels, cadreSheetColumns, cadreStatusLabels, genderLabels, mobilePhone,
  type CadreRank, type CadreStatus,
} from '../../../contracts/cadres.ts';
import type { RowError } from '../../../contracts/common.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import { decrypt, sealPhone, type PersonalDataKey } from '../../lib/personal-data.ts';
import { recordAudit } from '../audit/audit.ts';
import { assertCan, type Actor } from '../auth/actor.ts';
import { unitScope } from '../units/units.ts';
import { filteredCadres, nameInitials, type CadreFilter } from './cadres.ts';
import { cellText, styleHeader } from '../../lib/xlsx.ts';

// The cadre roster as .xlsx: a template, an all-or-nothing import with row-level errors, and a
// streamed export. Headers are the users' own Chinese words (contracts/cadres.ts).
const reverse = <K extends string>(labels: Record<K, { zh: string }>) =>
  new Map(Object.entries<{ zh: string }>(labels).map(([k, v]) => [v.zh, k as K]));
const rankByLabel = reverse<CadreRank>(cadreRankLabels);
const statusByLabel = reverse<CadreStatus>(cadreStatusLabels);
const genderByLabel = reverse<'male' | 'female'>(genderLabels);

export const MAX_IMPORT_ROWS = 20_000;


export async function cadreTemplate(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('干部名册');
  ws.columns = cadreSheetColumns.map((c) => ({ header: c.header, key: c.key, width: c.width }));
  styleHeader(ws);
  ws.addRow({ name: '张三', gender: '男', unitCode: 'XS-ZZB', unitName: '中共象山县委组织部', rank: '科级', position: '副部长', status: '在职', phone: '13800000000' });
  const notes = wb.addWorksheet('填写说明');
  notes.columns = [{ header: '列', width: 12 }, { header: '说明', width: 80 }];
  notes.addRows([
    ['姓名', '必填，1–50个字'],
    ['性别', '男 / 女，可空'],
    ['单位编码', '单位编码与单位名称至少填一项；优先按编码匹配'],
    ['单位名称', '按名称匹配时，名称须在您的管辖范围内唯一'],
    ['职级', Object.values(cadreRankLabels).map((l) => l.zh).join(' / ')],
    ['职务', '可空，最长100字'],
    ['状态', `${Object.values(cadreStatusLabels).map((l) => l.zh).join(' / ')}；空为在职`],
    ['手机号', '11位手机号，可空；加密保存，列表中脱敏显示'],
    ['', '文件中任何一行有误，整个文件都不会导入；请按错误提示修改后重新上传。第一张工作表为数据，第1行为表头。'],
  ]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}


type ParsedRow = { row: number; name: string; gender: 'male' | 'female' | null; unitId: number; rank: CadreRank; position: string; status: CadreStatus; phone: string | null };

/**
 * Imports a roster. Every row is checked first; if any row is wrong the whole file is rejected
 * with each bad row's number and reason, and nothing is written.
 */
export async function importCadres(db: Executor, actor: Actor, key: PersonalDataKey, file: Buffer) {
  assertCan(actor, 'cadre.import');
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(file as unknown as ExcelJS.Buffer);
  } catch {
    throw new AppError('VALIDATION_FAILED', '无法读取文件：请上传 Excel .xlsx 文件（可先下载模板）', { field: 'file' });
  }
  const ws = wb.worksheets[0];
  if (!ws) throw new AppError('VALIDATION_FAILED', '文件中没有工作表', { field: 'file' });

  const headerIndex = new Map<string, number>();
  ws.getRow(1).eachCell((cell, col) => headerIndex.set(cellText(cell.value), col));
  const missing = ['姓名', '职级'].filter((h) => !headerIndex.has(h));
  if (!headerIndex.has('单位编码') && !headerIndex.has('单位名称')) missing.push('单位编码/单位名称');
  if (missing.length) {
    throw new AppError('IMPORT_REJECTED', `表头缺少：${missing.join('、')}。请使用下载的模板`, { errors: missing.map((m) => ({ row: 1, field: m, message: '缺少此列' })) });
  }
  const get = (r: ExcelJS.Row, header: string) => {
    const col = headerIndex.get(header);
    return col ? cellText(r.getCell(col).value) : '';
  };

  // Units the actor may put cadres into, by code and by (unique) name.
  const units = await db.selectFrom('units').select(['units.id', 'units.code', 'units.name']).where(unitScope(actor)).execute();
  const byCode = new Map(units.map((u) => [u.code, u.id]));
  const byName = new Map<string, number | 'ambiguous'>();
  for (const u of units) byName.set(u.name, byName.has(u.name) ? 'ambiguous' : u.id);

  const errors: RowError[] = [];
  const rows: ParsedRow[] = [];
  const phonesInFile = new Map<string, number>();
  const err = (row: number, field: string, message: string) => errors.push({ row, field, message });

  ws.eachRow({ includeEmpty: false }, (r, rowNumber) => {
    if (rowNumber === 1) return;
    const name = get(r, '姓名');
    const values = cadreSheetColumns.map((c) => get(r, c.header));
    if (values.every((v) => v === '')) return;
    const before = errors.length;
    if (!name) err(rowNumber, '姓名', '姓名不能为空');
    else if (name.length > 50) err(rowNumber, '姓名', '姓名最长50个字');

    const genderText = get(r, '性别');
    const gender = genderText ? genderByLabel.get(genderText) : null;
    if (gender === undefined) err(rowNumber, '性别', `“${genderText}”不是有效的性别，应为 男 或 女`);

    const unitCode = get(r, '单位编码');
    const unitName = get(r, '单位名称');
    let unitId: number | undefined;
    if (unitCode) {
      unitId = byCode.get(unitCode);
      if (unitId === undefined) err(rowNumber, '单位编码', `单位编码“${unitCode}”不存在或不在您的管辖范围内`);
    } else if (unitName) {
      const found = byName.get(unitName);
      if (found === 'ambiguous') err(rowNumber, '单位名称', `有多个单位名为“${unitName}”，请填写单位编码`);
      else if (found === undefined) err(rowNumber, '单位名称', `单位“${unitName}”不存在或不在您的管辖范围内`);
      else unitId = found;
    } else err(rowNumber, '单位编码', '单位编码和单位名称至少填一项');

    const rankText = get(r, '职级');
    const rank = rankByLabel.get(rankText);
    if (!rank) err(rowNumber, '职级', rankText ? `“${rankText}”不是有效的职级，应为 ${[...rankByLabel.keys()].join(' / ')}` : '职级不能为空');

    const statusText = get(r, '状态');
    const status = statusText ? statusByLabel.get(statusText) : 'active';
    if (!status) err(rowNumber, '状态', `“${statusText}”不是有效的状态，应为 ${[...statusByLabel.keys()].join(' / ')}`);

    const position = get(r, '职务');
    if (position.length > 100) err(rowNumber, '职务', '职务最长100字');

    const phoneText = get(r, '手机号').replace(/[\s-]/g, '');
    let phone: string | null = null;
    if (phoneText) {
      const parsed = mobilePhone.safeParse(phoneText);
      if (!parsed.success) err(rowNumber, '手机号', `“${phoneText}”不是有效的手机号：${parsed.error.issues[0]?.message}`);
      else if (phonesInFile.has(phoneText)) err(rowNumber, '手机号', `与第${phonesInFile.get(phoneText)}行的手机号重复`);
      else {
        phone = parsed.data;
        phonesInFile.set(phoneText, rowNumber);
      }
    }
    if (errors.length === before) {
      rows.push({ row: rowNumber, name, gender: gender ?? null, unitId: unitId!, rank: rank!, position, status: status!, phone });
    }
  });

  if (rows.length + new Set(errors.map((e) => e.row)).size > MAX_IMPORT_ROWS) {
    throw new AppError('PAYLOAD_TOO_LARGE', `一次最多导入 ${MAX_IMPORT_ROWS} 行，请拆分文件`);
  }
  if (rows.length === 0 && errors.length === 0) {
    throw new AppError('IMPORT_REJECTED', '文件中没有数据行（第1行为表头，从第2行开始填写）', { errors: [] });
  }

  return inTransaction(db, async (tx) => {
    // Phones already in the roster: a second import of the same people would duplicate them.
    const sealed = rows.map((r) => (r.phone ? sealPhone(key, r.phone) : null));
    const hashes = sealed.flatMap((s) => (s ? [s.phone_hash] : []));
    const existing = new Map<string, { id: number; name: string; visible: boolean }>();
    for (let i = 0; i < hashes.length; i += 1000) {
      // Checked against every cadre (no duplicates anywhere), but only cadres the caller may see are named.
      const found = await tx
        .selectFrom('cadres')
        .innerJoin('units', 'units.id', 'cadres.unit_id')
        .select(['cadres.id', 'cadres.name', 'cadres.phone_hash', unitScope(actor).as('visible')])
        .where('cadres.phone_hash', 'in', hashes.slice(i, i + 1000))
        .execute();
      for (const f of found) existing.set(f.phone_hash!, f);
    }
    rows.forEach((r, i) => {
      const hit = sealed[i] && existing.get(sealed[i]!.phone_hash);
      if (!hit) return;
      err(r.row, '手机号', hit.visible ? `该手机号已属于干部“${hit.name}”（编号 ${hit.id}），不能重复导入` : '该手机号已被其他干部使用，不能重复导入');
    });
    if (errors.length) {
      errors.sort((a, b) => a.row - b.row);
      throw new AppError('IMPORT_REJECTED', `文件有 ${new Set(errors.map((e) => e.row)).size} 行错误，未导入任何数据。请修改后重新上传`, { errors });
    }
    const now = new Date();
    const values = rows.map((r, i) => ({
      name: r.name,
      name_initials: nameInitials(r.name),
      gender: r.gender,
      unit_id: r.unitId,
      rank: r.rank,
      position: r.position,
      status: r.status,
      ...(sealed[i] ?? {}),
      updated_at: now,
    }));
    for (let i = 0; i < values.length; i += 500) await tx.insertInto('cadres').values(values.slice(i, i + 500)).execute();
    await recordAudit(tx, actor, { action: 'cadre.import', entity: 'cadre', detail: { rows: values.length }, where: actor.scope });
    return { imported: values.length };
  });
}

/**
 * The filtered roster as a streamed .xlsx, written a page of rows at a time, so a large roster
 * never sits in memory. All checks (scope, size limit, role) run before the first byte, so a
 * refused export is an error, never a partial file. Phones are masked unless `unmasked` and the
 * role may see them (audited).
 */
export async function exportCadres(
  db: Executor, actor: Actor, key: PersonalDataKey, filter: CadreFilter,
  opts: { maxRows: number; unmasked?: boolean },
): Promise<{ rows: number; stream: Readable }> {
  const base = await filteredCadres(db, actor, key, filter);
  const { n } = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  if (n > opts.maxRows) {
    throw new AppError('EXPORT_TOO_LARGE', `导出 ${n} 行超过您的上限 ${opts.maxRows} 行，请缩小筛选范围`, { rows: n, limit: opts.maxRows });
  }
  const unmasked = opts.unmasked === true;
  if (unmasked) {
    assertCan(actor, 'cadre.revealPhone');
    await recordAudit(db, actor, { action: 'personal_data.export', entity: 'cadre', detail: { field: 'phone', rows: n, filter }, where: actor.scope });
  }
  const out = new PassThrough();
  const write = async () => {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
  const ws = wb.addWorksheet('干部名册');
  ws.columns = cadreSheetColumns.map((c) => ({ header: c.header, key: c.key, width: c.width }));
  styleHeader(ws);
  ws.getRow(1).commit();
  let lastId = 0;
  for (;;) {
    const page = await base
      .select(['cadres.id', 'cadres.name', 'cadres.gender', 'units.code as unit_code', 'units.name as unit_name', 'cadres.rank', 'cadres.position', 'cadres.status', 'cadres.phone_masked', 'cadres.phone_enc'])
      .where('cadres.id', '>', lastId)
      .orderBy('cadres.id')
      .limit(1000)
      .execute();
    for (const c of page) {
      ws.addRow({
        name: c.name,
        gender: c.gender ? genderLabels[c.gender].zh : '',
        unitCode: c.unit_code,
        unitName: c.unit_name,
        rank: cadreRankLabels[c.rank].zh,
        position: c.position,
        status: cadreStatusLabels[c.status].zh,
        phone: unmasked && c.phone_enc ? decrypt(key, c.phone_enc) : (c.phone_masked ?? ''),
      }).commit();
    }
    if (page.length < 1000) break;
    lastId = page[page.length - 1]!.id;
  }
  await wb.commit();
  };
  write().catch((e: unknown) => out.destroy(e instanceof Error ? e : new Error(String(e))));
  return { rows: n, stream: out };
}
