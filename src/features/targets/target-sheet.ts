import { PassThrough, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import {
  createTarget as createTargetSchema, isPlaceKind, projectLevelLabels, suggestedProjectStages, suggestedTags, targetKindLabels,
  targetSheetColumns, targetSheetKinds, type NewTarget, type ProjectLevel, type TargetKind, type TargetRowError, type TargetSheetColumn,
} from '../../../contracts/targets.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import { decrypt, type PersonalDataKey } from '../../lib/personal-data.ts';
import { recordAudit } from '../audit/audit.ts';
import { assertCan, type Actor } from '../auth/actor.ts';
import { checkDrafts, filteredTargets, orConflict, targetRow, withRegionName, type TargetFilter } from './targets.ts';
import { cellText, styleHeader } from '../../lib/xlsx.ts';

// The target registry as .xlsx: one sheet per kind, named by the kind's Chinese label (农户, 企业 …)
// with that kind's columns (contracts/targets.ts). Import is all or nothing with row-level errors;
// export is streamed, personal data masked.
export const MAX_IMPORT_ROWS = 20_000;
const NOTES_SHEET = '填写说明';
const kindBySheet = new Map(targetSheetKinds.map((k) => [targetKindLabels[k].zh, k]));
const levelByLabel = new Map(Object.entries(projectLevelLabels).map(([k, v]) => [v.zh, k as ProjectLevel]));
const FEN_PER_WAN = 1_000_000;
const NUMERIC = new Set(['latitude', 'longitude', 'attrs.population', 'attrs.households', 'attrs.since', 'investmentWan']);

function addSheet(wb: ExcelJS.Workbook | ExcelJS.stream.xlsx.WorkbookWriter, kind: TargetKind) {
  const ws = wb.addWorksheet(targetKindLabels[kind].zh);
  const cols = targetSheetColumns[kind];
  ws.columns = cols.map((c) => ({ header: c.header, key: c.key, width: c.width, ...(c.text ? { style: { numFmt: '@' } } : {}) }));
  styleHeader(ws);
  const header = ws.getRow(1);
  cols.forEach((c, i) => {
    if (c.required) header.getCell(i + 1).font = { bold: true, color: { argb: 'FFC00000' } };
  });
  return ws;
}

const notes: [string, string][] = [
  ['工作表', `每类联系对象一张表，表名即类型：${targetSheetKinds.map((k) => targetKindLabels[k].zh).join('、')}。不需要的表可以删除或留空；“${NOTES_SHEET}”不导入。`],
  ['红色表头', '必填列'],
  ['区划代码', '12位统计用区划代码，或网格、楼栋单元的本地编码；须在您的管辖范围内。村、社区对应村（社区）级区划，楼栋单元对应楼栋单元，每处只登记一次；农户登记在村（社区）、网格或楼栋单元上。'],
  ['区划名称', '仅供核对，导入时按区划代码匹配'],
  ['村名称 / 社区名称 / 楼栋单元名称', '可空，默认为区划名称'],
  ['户主 / 户名', '户主必填；户名可空，默认为户主姓名'],
  ['家庭成员', '姓名（关系），多人用顿号分隔，如：李四（妻）、张小明（子）'],
  ['身份证号', '18位，末位校验码按 GB 11643 核验；请以文本格式填写。加密保存，列表和导出中脱敏显示'],
  ['手机号 / 联系人手机号', '11位手机号；加密保存，脱敏显示'],
  ['统一社会信用代码', '18位，校验码按 GB 32100 核验；不能与已登记的企业重复'],
  ['项目级别', Object.values(projectLevelLabels).map((l) => l.zh).join(' / ')],
  ['建设阶段', `如 ${suggestedProjectStages.join('、')}`],
  ['总投资（万元）', '数字，可有小数'],
  ['标签', `多个标签用顿号分隔。农户常用：${suggestedTags.household!.join('、')}；企业常用：${suggestedTags.enterprise!.join('、')}`],
  ['纬度 / 经度', '可空；填写时两项都填，如 29.47 / 121.87'],
  ['', '文件中任何一行有误，整个文件都不会导入；请按错误提示（工作表、行号、列、原因）修改后重新上传。每张表第1行为表头。'],
];
const examples: [string, string][] = [
  ['农户示例', '户主 王大伯；身份证号 33022519800101123X；手机号 13800000000；家庭成员 李阿姨（妻）；区划代码 330225001202；标签 困难户、老党员'],
  ['企业示例', '企业名称 象山某某水产有限公司；统一社会信用代码 91330225MA2AB1CD0W；行业 水产加工；联系人 陈经理；区划代码 330225101000；标签 规上工业'],
];

export async function targetTemplate(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  for (const kind of targetSheetKinds) addSheet(wb, kind);
  const ws = wb.addWorksheet(NOTES_SHEET);
  ws.columns = [{ header: '列', width: 24 }, { header: '说明', width: 100 }];
  ws.addRows([...notes, ...examples]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}


/** 李四（妻）、张小明（子） → [{ name: 李四, relation: 妻 }, …]; null if a part is not name（relation）. */
function parseMembers(text: string): { name: string; relation: string }[] | null {
  const members = [];
  for (const part of text.split(/[、,，;；\n]+/).map((p) => p.trim()).filter(Boolean)) {
    const m = /^(.+?)\s*[（(]\s*(.+?)\s*[)）]$/.exec(part);
    if (!m) return null;
    members.push({ name: m[1]!, relation: m[2]! });
  }
  return members;
}

const setPath = (obj: Record<string, unknown>, path: string, value: unknown) => {
  const [head, sub] = path.split('.') as [string, string | undefined];
  if (sub === undefined) obj[head] = value;
  else (obj[head] as Record<string, unknown>)[sub] = value;
};

/** The column a createTarget field comes from, for the error report. */
function headerOf(kind: TargetKind, field: string): string {
  const key = field === 'investmentFen' ? 'investmentWan' : field;
  const col = targetSheetColumns[kind].find((c) => key === c.key || key.startsWith(`${c.key}.`));
  return col?.header ?? field;
}

type Located = { sheet: string; row: number; kind: TargetKind };

/** One spreadsheet row as a createTarget body; cell problems go to `err`. */
function rowBody(kind: TargetKind, r: ExcelJS.Row, cols: [TargetSheetColumn, number][], err: (field: string, message: string) => void) {
  const body: Record<string, unknown> = { kind, attrs: {} };
  for (const [c, col] of cols) {
    const cell = r.getCell(col).value;
    const text = cellText(cell);
    if (text === '' || c.key === 'regionName') continue;
    if (c.key === 'idNumber' && typeof cell === 'number') {
      err(c.header, '身份证号被存成了数字，末几位已丢失：请把该列设为文本格式后重新填写');
    } else if (NUMERIC.has(c.key)) {
      const n = typeof cell === 'number' ? cell : Number(text.replace(/,/g, ''));
      if (!Number.isFinite(n)) err(c.header, `“${text}”不是数字`);
      else if (c.key === 'investmentWan') body.investmentFen = Math.round(n * FEN_PER_WAN);
      else setPath(body, c.key, n);
    } else if (c.key === 'tags') {
      body.tags = text.split(/[、,，;；\s]+/).filter(Boolean);
    } else if (c.key === 'attrs.members') {
      const members = parseMembers(text);
      if (members) setPath(body, c.key, members);
      else err(c.header, `“${text}”格式不对，应写成 姓名（关系），多人用顿号分隔，如 李四（妻）、张小明（子）`);
    } else if (c.key === 'attrs.level') {
      setPath(body, c.key, levelByLabel.get(text) ?? text);
    } else {
      setPath(body, c.key, c.key === 'phone' ? text.replace(/[\s-]/g, '') : text);
    }
  }
  return body;
}

/** Every row of every kind's sheet, checked on its own; what the database says comes later. */
function readWorkbook(wb: ExcelJS.Workbook) {
  const errors: TargetRowError[] = [];
  const drafts: NewTarget[] = [];
  const where: Located[] = [];
  let sheets = 0;
  for (const ws of wb.worksheets) {
    const sheet = ws.name.trim();
    const kind = kindBySheet.get(sheet);
    if (sheet === NOTES_SHEET) continue;
    if (!kind) {
      if (ws.actualRowCount > 0) errors.push({ sheet, row: 1, field: '工作表', message: `无法识别工作表“${sheet}”：表名应为 ${[...kindBySheet.keys()].join('、')} 之一` });
      continue;
    }
    sheets++;
    const headerIndex = new Map<string, number>();
    ws.getRow(1).eachCell((cell, col) => headerIndex.set(cellText(cell.value), col));
    const cols = targetSheetColumns[kind].flatMap((c): [TargetSheetColumn, number][] => (headerIndex.has(c.header) ? [[c, headerIndex.get(c.header)!]] : []));
    const missing = targetSheetColumns[kind].filter((c) => c.required && !headerIndex.has(c.header));
    if (missing.length) {
      for (const m of missing) errors.push({ sheet, row: 1, field: m.header, message: '表头缺少此列，请使用下载的模板' });
      continue;
    }
    ws.eachRow({ includeEmpty: false }, (r, row) => {
      if (row === 1 || cols.every(([, col]) => cellText(r.getCell(col).value) === '')) return;
      const before = errors.length;
      const body = rowBody(kind, r, cols, (field, message) => errors.push({ sheet, row, field, message }));
      const parsed = createTargetSchema.safeParse(body);
      if (!parsed.success) {
        for (const i of parsed.error.issues) errors.push({ sheet, row, field: headerOf(kind, i.path.map(String).join('.')), message: i.message });
      }
      if (parsed.success && errors.length === before) {
        drafts.push(parsed.data);
        where.push({ sheet, row, kind });
      }
    });
  }
  if (sheets === 0 && errors.length === 0) {
    throw new AppError('IMPORT_REJECTED', `文件中没有可导入的工作表：表名应为 ${[...kindBySheet.keys()].join('、')} 之一。请使用下载的模板`, { errors: [] });
  }
  return { errors, drafts, where };
}

/** The same credit code or place twice in one file: the second names the first. */
function duplicatesInFile(drafts: NewTarget[], where: Located[]): TargetRowError[] {
  const errors: TargetRowError[] = [];
  const seen = new Map<string, Located>();
  drafts.forEach((d, i) => {
    const at = where[i]!;
    const [field, value] = d.kind === 'enterprise' ? ['creditCode', d.creditCode]
      : isPlaceKind(d.kind) ? ['regionCode', d.regionCode]
        : d.kind === 'household' && d.idNumber ? ['idNumber', d.idNumber] : [];
    if (!field) return;
    const first = seen.get(`${field}:${value}`);
    if (!first) seen.set(`${field}:${value}`, at);
    else {
      const what = { creditCode: `统一社会信用代码 ${value}`, regionCode: `区划 ${value}（每个村、社区、楼栋单元只登记一次）`, idNumber: '户主身份证号' }[field];
      const place = first.sheet === at.sheet ? `第${first.row}行` : `“${first.sheet}”表第${first.row}行`;
      errors.push({ sheet: at.sheet, row: at.row, field: headerOf(at.kind, field), message: `${what}与${place}重复` });
    }
  });
  return errors;
}

const rowsWithErrors = (errors: TargetRowError[]) => new Set(errors.map((e) => `${e.sheet}:${e.row}`)).size;
const sheetOrder = (s: string) => targetSheetKinds.findIndex((k) => targetKindLabels[k].zh === s);

function reject(errors: TargetRowError[]): never {
  errors.sort((a, b) => sheetOrder(a.sheet) - sheetOrder(b.sheet) || a.row - b.row);
  throw new AppError('IMPORT_REJECTED', `文件有 ${rowsWithErrors(errors)} 行错误，未导入任何数据。请修改后重新上传`, { errors });
}

/** The deepest region path that contains all of these. */
function commonAncestor(paths: string[]): string | null {
  if (paths.length === 0) return null;
  let parts = paths[0]!.split('/');
  for (const p of paths.slice(1)) {
    const other = p.split('/');
    let n = 0;
    while (n < parts.length && parts[n] === other[n]) n++;
    parts = parts.slice(0, n);
  }
  return parts.length ? parts.join('/') : null;
}

/**
 * Imports targets of any kinds. Every row is checked first; if any row is wrong the whole file is
 * rejected with each bad row's sheet, number, column and reason, and nothing is written.
 */
export async function importTargets(db: Executor, actor: Actor, key: PersonalDataKey, file: Buffer) {
  assertCan(actor, 'target.import');
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(file as unknown as ExcelJS.Buffer);
  } catch {
    throw new AppError('VALIDATION_FAILED', '无法读取文件：请上传 Excel .xlsx 文件（可先下载模板）', { field: 'file' });
  }
  const { errors, drafts, where } = readWorkbook(wb);
  errors.push(...duplicatesInFile(drafts, where));
  if (drafts.length + rowsWithErrors(errors) > MAX_IMPORT_ROWS) {
    throw new AppError('PAYLOAD_TOO_LARGE', `一次最多导入 ${MAX_IMPORT_ROWS} 行，请拆分文件`);
  }
  if (drafts.length === 0 && errors.length === 0) {
    throw new AppError('IMPORT_REJECTED', '文件中没有数据行（每张表第1行为表头，从第2行开始填写）', { errors: [] });
  }

  return inTransaction(db, async (tx) => {
    const { regions, problems } = await checkDrafts(tx, actor, key, drafts);
    for (const p of problems) {
      const at = where[p.index]!;
      errors.push({ sheet: at.sheet, row: at.row, field: headerOf(at.kind, p.field), message: p.message });
    }
    if (errors.length) reject(errors);
    const now = new Date();
    const rows = drafts.map((d) => targetRow(key, d, regions.get(d.regionCode)!, now));
    for (let i = 0; i < rows.length; i += 500) await orConflict(tx.insertInto('contact_targets').values(rows.slice(i, i + 500)).execute());
    const byKind: Partial<Record<TargetKind, number>> = {};
    for (const d of drafts) byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;
    await recordAudit(tx, actor, {
      action: 'target.import', entity: 'contact_target', detail: { rows: rows.length, byKind },
      where: { regionPath: commonAncestor(rows.map((r) => r.region_path)), unitPath: null },
    });
    return { imported: rows.length, byKind };
  });
}

type ExportRow = {
  id: number; kind: TargetKind; name: string; region_code: string; region_name: string; address: string; tags: string[];
  latitude: number | null; longitude: number | null; attrs: Record<string, unknown>; credit_code: string | null; investment_fen: number | null;
  id_masked: string | null; id_enc: string | null; phone_masked: string | null; phone_enc: string | null;
};

function sheetValues(t: ExportRow, key: PersonalDataKey, unmasked: boolean): Record<string, unknown> {
  const attrs = t.attrs;
  const members = Array.isArray(attrs.members) ? (attrs.members as { name: string; relation: string }[]).map((m) => `${m.name}（${m.relation}）`).join('、') : '';
  const values: Record<string, unknown> = {
    name: t.name,
    regionCode: t.region_code,
    regionName: t.region_name,
    address: t.address,
    tags: t.tags.join('、'),
    latitude: t.latitude,
    longitude: t.longitude,
    creditCode: t.credit_code,
    investmentWan: t.investment_fen === null ? null : Number(t.investment_fen) / FEN_PER_WAN,
    idNumber: unmasked && t.id_enc ? decrypt(key, t.id_enc) : t.id_masked,
    phone: unmasked && t.phone_enc ? decrypt(key, t.phone_enc) : t.phone_masked,
  };
  for (const [k, v] of Object.entries(attrs)) values[`attrs.${k}`] = v;
  values['attrs.members'] = members;
  if (typeof attrs.level === 'string') values['attrs.level'] = projectLevelLabels[attrs.level as ProjectLevel]?.zh ?? attrs.level;
  return values;
}

/**
 * The filtered registry as a streamed .xlsx, one sheet per kind present, written a page of rows at
 * a time. All checks (scope, size limit, role) run before the first byte, so a refused export is an
 * error, never a partial file. ID and phone numbers are masked unless `unmasked` and the role may
 * reveal them (audited).
 */
export async function exportTargets(
  db: Executor, actor: Actor, key: PersonalDataKey, filter: TargetFilter,
  opts: { maxRows: number; unmasked?: boolean },
): Promise<{ rows: number; stream: Readable }> {
  const base = await filteredTargets(db, actor, key, filter);
  const counts = await base.select(['contact_targets.kind', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('contact_targets.kind').execute();
  const n = counts.reduce((s, c) => s + Number(c.n), 0);
  if (n > opts.maxRows) {
    throw new AppError('EXPORT_TOO_LARGE', `导出 ${n} 行超过您的上限 ${opts.maxRows} 行，请缩小筛选范围`, { rows: n, limit: opts.maxRows });
  }
  const unmasked = opts.unmasked === true;
  if (unmasked) {
    assertCan(actor, 'target.revealPersonal');
    await recordAudit(db, actor, { action: 'personal_data.export', entity: 'contact_target', detail: { fields: ['idNumber', 'phone'], rows: n, filter }, where: { regionPath: actor.scope.regionPath, unitPath: null } });
  }
  const present = new Set(counts.map((c) => c.kind));
  const kinds = targetSheetKinds.filter((k) => present.has(k));
  if (kinds.length === 0) kinds.push([filter.kind ?? 'household'].flat()[0]!);

  const out = new PassThrough();
  const write = async () => {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
    for (const kind of kinds) {
      const ws = addSheet(wb, kind);
      ws.getRow(1).commit();
      let lastId = 0;
      for (;;) {
        const page = await withRegionName(base)
          .select([
            'contact_targets.id', 'contact_targets.kind', 'contact_targets.name', 'contact_targets.region_code', 'regions.name as region_name',
            'contact_targets.address', 'contact_targets.tags', 'contact_targets.latitude', 'contact_targets.longitude', 'contact_targets.attrs',
            'contact_targets.credit_code', 'contact_targets.investment_fen', 'contact_targets.id_masked', 'contact_targets.id_enc',
            'contact_targets.phone_masked', 'contact_targets.phone_enc',
          ])
          .where('contact_targets.kind', '=', kind)
          .where('contact_targets.id', '>', lastId)
          .orderBy('contact_targets.id')
          .limit(1000)
          .execute();
        for (const t of page) ws.addRow(sheetValues(t, key, unmasked)).commit();
        if (page.length < 1000) break;
        lastId = page[page.length - 1]!.id;
      }
      ws.commit();
    }
    await wb.commit();
  };
  write().catch((e: unknown) => out.destroy(e instanceof Error ? e : new Error(String(e))));
  return { rows: n, stream: out };
}
