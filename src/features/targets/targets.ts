import { sql, type Insertable } from 'kysely';
import type { ZodType } from 'zod';
import { regionLevelLabels, type RegionLevel } from '../../../contracts/regions.ts';
import {
  createTarget as createTargetSchema, isPlaceKind, placeRegionLevel, targetKindLabels, updateTarget as updateTargetSchema,
  type CreateTarget, type NewTarget, type PersonalField, type TargetDto, type TargetKind, type TargetListQuery, type UpdateTarget,
} from '../../../contracts/targets.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import type { ContactTargetsTable } from '../../db/schema.ts';
import { AppError, notFound, type ErrorCode } from '../../errors.ts';
import { blindIndex, decrypt, encrypt, maskIdNumber, sealPhone, type PersonalDataKey } from '../../lib/personal-data.ts';
import { checkCreditCode, checkIdNumber } from '../../lib/validators.ts';
import { recordAudit } from '../audit/audit.ts';
import { assertCan, type Actor } from '../auth/actor.ts';
import { nameInitials } from '../cadres/cadres.ts';
import { escapeLike, pathUnder, regionScope } from '../regions/regions.ts';

// Contact targets (联系对象). A target lies at a region; an account sees and writes only targets
// whose region lies in its scope. Villages, communities and buildings are the region itself.

function scoped(db: Executor, actor: Actor) {
  return db.selectFrom('contact_targets').where(regionScope(actor, 'contact_targets.region_path'));
}
type TargetQuery = ReturnType<typeof scoped>;

/** The region's name is joined for the rows shown, not for counting them. */
export const withRegionName = (q: TargetQuery) => q.innerJoin('regions', 'regions.code', 'contact_targets.region_code');

const columns = [
  'contact_targets.id', 'contact_targets.kind', 'contact_targets.name', 'contact_targets.region_code', 'regions.name as region_name',
  'contact_targets.address', 'contact_targets.tags', 'contact_targets.latitude', 'contact_targets.longitude', 'contact_targets.attrs',
  'contact_targets.credit_code', 'contact_targets.investment_fen', 'contact_targets.id_masked', 'contact_targets.phone_masked',
  'contact_targets.updated_at',
] as const;

type Row = {
  id: number; kind: TargetKind; name: string; region_code: string; region_name: string; address: string; tags: string[];
  latitude: number | null; longitude: number | null; attrs: Record<string, unknown>; credit_code: string | null;
  investment_fen: number | null; id_masked: string | null; phone_masked: string | null; updated_at: Date;
};
export const toTargetDto = (r: Row): TargetDto => ({
  id: r.id,
  kind: r.kind,
  name: r.name,
  regionCode: r.region_code,
  regionName: r.region_name,
  address: r.address,
  tags: r.tags,
  latitude: r.latitude,
  longitude: r.longitude,
  attrs: r.attrs,
  creditCode: r.credit_code,
  investmentFen: r.investment_fen === null ? null : Number(r.investment_fen),
  idMasked: r.id_masked,
  phoneMasked: r.phone_masked,
  updatedAt: r.updated_at.toISOString(),
});

export async function getTarget(db: Executor, actor: Actor, id: number): Promise<TargetDto> {
  const row = await withRegionName(scoped(db, actor)).select(columns).where('contact_targets.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('联系对象', id);
  return toTargetDto(row);
}

export type TargetFilter = Omit<TargetListQuery, 'page' | 'pageSize'>;

/** The filtered, scoped query behind the list, the export and the search benchmark. */
export async function filteredTargets(db: Executor, actor: Actor, key: PersonalDataKey, f: TargetFilter): Promise<TargetQuery> {
  let q = scoped(db, actor);
  if (f.region) {
    const region = await db.selectFrom('regions').select('path').where('code', '=', f.region).where(regionScope(actor, 'regions.path')).executeTakeFirst();
    if (!region) throw notFound('区划', f.region);
    q = q.where(pathUnder('contact_targets.region_path', region.path));
  }
  const kinds = f.kind === undefined ? [] : [f.kind].flat();
  if (kinds.length) q = q.where('contact_targets.kind', 'in', kinds);
  if (f.tag) q = q.where(sql<boolean>`contact_targets.tags @> array[${f.tag}]::text[]`);
  const text = f.q?.trim();
  if (text) {
    const upper = text.toUpperCase();
    // An exact identifier finds its one target: a credit code in the clear, ID and phone by blind index.
    if (checkCreditCode(upper).ok || checkIdNumber(upper).ok) {
      q = q.where((eb) => eb.or([eb('contact_targets.credit_code', '=', upper), eb('contact_targets.id_hash', '=', blindIndex(key, upper))]));
    } else if (/^1\d{10}$/.test(text)) q = q.where('contact_targets.phone_hash', '=', blindIndex(key, text));
    // Letters are pinyin initials (zs → 张三): a prefix match on an indexed column.
    else if (/^[a-z]+$/i.test(text)) q = q.where('contact_targets.name_initials', 'like', `${text.toLowerCase()}%`);
    // Under three characters pg_trgm has no trigram to look up, so its index would hand back every
    // row to recheck (twice the time of a plain scan); the expression keeps the planner off it.
    else if ([...text].length < 3) q = q.where(sql<string>`(contact_targets.name || '')`, 'like', `%${escapeLike(text)}%`);
    else q = q.where('contact_targets.name', 'like', `%${escapeLike(text)}%`);
  }
  return q;
}

/** The page by primary key, then the count: fast when the filter can use an index or matches many. */
async function pageThenCount(q: TargetQuery, offset: number, limit: number) {
  const rows = await withRegionName(q).select(columns).orderBy('contact_targets.id').limit(limit).offset(offset).execute();
  // A short page is the last one, so it gives the total without counting.
  const total = rows.length < limit && (rows.length > 0 || offset === 0)
    ? offset + rows.length
    : (await q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n;
  return { rows, total };
}

/** The page and the count from one scan: for text searches, which scan the table anyway. */
async function pageAndCountInOnePass(db: Executor, q: TargetQuery, offset: number, limit: number) {
  const page = q
    .select(['contact_targets.id as page_id', sql<number>`count(*) over ()`.as('total')])
    .orderBy('contact_targets.id').limit(limit).offset(offset)
    .as('page');
  const rows = await db.selectFrom(page)
    .innerJoin('contact_targets', 'contact_targets.id', 'page.page_id')
    .innerJoin('regions', 'regions.code', 'contact_targets.region_code')
    .select([...columns, 'page.total'])
    .orderBy('contact_targets.id')
    .execute();
  const total = rows[0]?.total ?? (offset === 0 ? 0 : (await q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
  return { rows, total: Number(total) };
}

export async function listTargets(db: Executor, actor: Actor, key: PersonalDataKey, f: TargetListQuery) {
  const q = await filteredTargets(db, actor, key, f);
  const offset = (f.page - 1) * f.pageSize;
  // A name fragment has no index to use (below three characters not even pg_trgm), so a page and a
  // separate count would scan the table twice. Initials and identifiers are indexed: page, then count
  // (PostgreSQL 15 would otherwise walk the whole primary key for the window count).
  const text = f.q?.trim() ?? '';
  const nameFragment = text !== '' && !/^[a-z]+$/i.test(text) && !/^[0-9A-Za-z]{11,18}$/.test(text);
  const { rows, total } = nameFragment
    ? await pageAndCountInOnePass(db, q, offset, f.pageSize)
    : await pageThenCount(q, offset, f.pageSize);
  return { items: rows.map(toTargetDto), total, page: f.page, pageSize: f.pageSize };
}

/** Parses with a contract schema, refusing with a 400 that names the first wrong field. */
export function parseInput<S extends ZodType>(schema: S, input: unknown): ReturnType<S['parse']> {
  const r = schema.safeParse(input);
  if (r.success) return r.data as ReturnType<S['parse']>;
  const fields = r.error.issues.map((i) => ({ field: i.path.map(String).join('.') || (i.code === 'unrecognized_keys' ? i.keys.join(',') : ''), message: i.message }));
  const first = fields[0]!;
  throw new AppError('VALIDATION_FAILED', `字段 ${first.field} 不正确：${first.message}`, { field: first.field, fields });
}

// ---- checks shared by create, update and import ----

export type TargetPlace = { code: string; path: string; level: RegionLevel; name: string };
/** One thing wrong with one draft target: `index` into the drafts, `field` a createTarget key. */
export type Problem = { index: number; field: string; code: ErrorCode; message: string };
type Holder = { id: number; name: string; visible: boolean };

/** The regions among `codes` that exist and lie in the actor's scope. */
export async function regionsInScope(db: Executor, actor: Actor, codes: string[]): Promise<Map<string, TargetPlace>> {
  const found = new Map<string, TargetPlace>();
  const unique = [...new Set(codes)];
  for (let i = 0; i < unique.length; i += 1000) {
    const rows = await db.selectFrom('regions').select(['code', 'path', 'level', 'name'])
      .where('code', 'in', unique.slice(i, i + 1000)).where(regionScope(actor, 'regions.path')).execute();
    for (const r of rows) found.set(r.code, r);
  }
  return found;
}

/** Why a target of `kind` cannot lie at `region`, or null. */
function regionMismatch(kind: TargetKind, region: TargetPlace): string | null {
  const here = `“${region.name}”（${region.code}）是${regionLevelLabels[region.level].zh}级区划`;
  if (isPlaceKind(kind) && region.level !== placeRegionLevel[kind]) {
    return `${targetKindLabels[kind].zh}须对应${regionLevelLabels[placeRegionLevel[kind]].zh}级区划，${here}`;
  }
  // A household lives in a village: the planner and the coverage counts rely on it.
  if (kind === 'household' && !['village', 'grid', 'building'].includes(region.level)) {
    return `农户须登记在村（社区）、网格或楼栋单元上，${here}`;
  }
  return null;
}

/** Targets (of `kinds`) that already hold one of `values` in `column`, but for `exceptId`. */
async function holders(db: Executor, actor: Actor, column: 'region_code' | 'credit_code' | 'id_hash', kinds: TargetKind[], values: string[], exceptId?: number) {
  const found = new Map<string, Holder>();
  const unique = [...new Set(values)];
  for (let i = 0; i < unique.length; i += 1000) {
    let q = db.selectFrom('contact_targets')
      .select(['id', 'name', column, regionScope(actor, 'contact_targets.region_path').as('visible')])
      .where(column, 'in', unique.slice(i, i + 1000))
      .where('kind', 'in', kinds);
    if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
    for (const r of await q.execute()) found.set(r[column]!, r);
  }
  return found;
}

const householdIdHash = (key: PersonalDataKey, d: NewTarget) => (d.kind === 'household' && d.idNumber ? blindIndex(key, d.idNumber) : undefined);

/**
 * Everything the database says is wrong with these drafts: unknown or out-of-scope regions, a
 * region of the wrong level, a place, credit code or household head's ID number already
 * registered. Checked against every target, but only targets the caller may see are named.
 */
export async function checkDrafts(db: Executor, actor: Actor, key: PersonalDataKey, drafts: NewTarget[], exceptId?: number) {
  const problems: Problem[] = [];
  const regions = await regionsInScope(db, actor, drafts.map((d) => d.regionCode));
  const places = await holders(db, actor, 'region_code', ['village', 'community', 'building'], drafts.filter((d) => isPlaceKind(d.kind)).map((d) => d.regionCode), exceptId);
  const creditCodes = await holders(db, actor, 'credit_code', ['enterprise'], drafts.flatMap((d) => (d.kind === 'enterprise' ? [d.creditCode] : [])), exceptId);
  const heads = await holders(db, actor, 'id_hash', ['household'], drafts.flatMap((d) => householdIdHash(key, d) ?? []), exceptId);
  drafts.forEach((d, index) => {
    const add = (field: string, code: ErrorCode, message: string) => problems.push({ index, field, code, message });
    const region = regions.get(d.regionCode);
    const mismatch = region && regionMismatch(d.kind, region);
    if (!region) add('regionCode', 'VALIDATION_FAILED', `区划代码 ${d.regionCode} 不存在或不在您的管辖范围内`);
    else if (mismatch) add('regionCode', 'VALIDATION_FAILED', mismatch);
    const place = isPlaceKind(d.kind) ? places.get(d.regionCode) : undefined;
    if (place) add('regionCode', 'CONFLICT', `区划 ${d.regionCode} 已登记为联系对象“${place.name}”（编号 ${place.id}），每个村（社区）、楼栋单元只登记一次`);
    const firm = d.kind === 'enterprise' ? creditCodes.get(d.creditCode) : undefined;
    if (firm && d.kind === 'enterprise') {
      add('creditCode', 'CONFLICT', firm.visible ? `统一社会信用代码 ${d.creditCode} 已登记为“${firm.name}”（编号 ${firm.id}）` : `统一社会信用代码 ${d.creditCode} 已被其他联系对象使用`);
    }
    const hash = householdIdHash(key, d);
    const head = hash ? heads.get(hash) : undefined;
    if (head) add('idNumber', 'CONFLICT', head.visible ? `该身份证号已是农户“${head.name}”（编号 ${head.id}）的户主，同一人不能登记为两户` : '该身份证号已登记为其他农户的户主');
  });
  return { regions, problems };
}

const throwFirst = (problems: Problem[]) => {
  const p = problems[0];
  if (p) throw new AppError(p.code, p.message, { field: p.field });
};

/** The default name: a place is named after its region, a household after its head. */
function nameOf(d: NewTarget, region: TargetPlace): string {
  if (d.name) return d.name;
  return d.kind === 'household' ? d.attrs.head : region.name;
}

const sealIdNumber = (key: PersonalDataKey, id: string) => ({ id_enc: encrypt(key, id), id_masked: maskIdNumber(id), id_hash: blindIndex(key, id) });

/** The row for a checked draft; personal data sealed (ciphertext, mask, blind index). */
export function targetRow(key: PersonalDataKey, d: NewTarget, region: TargetPlace, now: Date): Insertable<ContactTargetsTable> {
  const name = nameOf(d, region);
  return {
    kind: d.kind,
    name,
    name_initials: nameInitials(name),
    region_code: region.code,
    region_path: region.path,
    address: d.address,
    tags: [...new Set(d.tags)],
    latitude: d.latitude ?? null,
    longitude: d.longitude ?? null,
    attrs: JSON.stringify(d.attrs),
    credit_code: d.kind === 'enterprise' ? d.creditCode : null,
    investment_fen: d.kind === 'project' ? (d.investmentFen ?? null) : null,
    ...('idNumber' in d && d.idNumber ? sealIdNumber(key, d.idNumber) : {}),
    ...('phone' in d && d.phone ? sealPhone(key, d.phone) : {}),
    updated_at: now,
  };
}

/** Two writers racing past the checks meet the unique indexes: still a 409 naming the field. */
export async function orConflict<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (e) {
    const err = e as { code?: string; constraint?: string; message?: string };
    if (err.code !== '23505') throw e;
    const credit = `${err.constraint ?? ''}${err.message ?? ''}`.includes('credit_code');
    throw new AppError('CONFLICT', credit ? '统一社会信用代码已被其他联系对象使用' : '该区划已登记为联系对象', { field: credit ? 'creditCode' : 'regionCode' });
  }
}

/** Personal data never goes into the audit log, only whether it was given. */
function auditable(d: Record<string, unknown>) {
  const { idNumber, phone, ...rest } = d;
  return { ...rest, ...(idNumber !== undefined ? { idNumber: idNumber === null ? '(cleared)' : '(encrypted)' } : {}), ...(phone !== undefined ? { phone: phone === null ? '(cleared)' : '(encrypted)' } : {}) };
}

export async function createTarget(db: Executor, actor: Actor, key: PersonalDataKey, input: CreateTarget): Promise<TargetDto> {
  assertCan(actor, 'target.write');
  const draft = parseInput(createTargetSchema, input);
  return inTransaction(db, async (tx) => {
    const { regions, problems } = await checkDrafts(tx, actor, key, [draft]);
    throwFirst(problems);
    const region = regions.get(draft.regionCode)!;
    const { id } = await orConflict(tx.insertInto('contact_targets').values(targetRow(key, draft, region, new Date())).returning('id').executeTakeFirstOrThrow());
    await recordAudit(tx, actor, { action: 'target.create', entity: 'contact_target', entityId: id, detail: auditable(draft), where: { regionPath: region.path, unitPath: null } });
    return getTarget(tx, actor, id);
  });
}

/** The target as a createTarget body, with `patch` applied, so one schema checks both. */
function mergedDraft(before: TargetDto, patch: ReturnType<typeof updateTargetSchema.parse>) {
  const attrs: Record<string, unknown> = { ...before.attrs, ...patch.attrs };
  for (const [k, v] of Object.entries(attrs)) if (v === null) delete attrs[k];
  // A household named after its head follows the head when it changes.
  const followsHead = before.kind === 'household' && before.name === before.attrs.head && patch.name === undefined;
  const { attrs: _attrs, ...fields } = patch;
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  return {
    kind: before.kind,
    name: followsHead ? undefined : before.name,
    regionCode: before.regionCode,
    address: before.address,
    tags: before.tags,
    latitude: before.latitude,
    longitude: before.longitude,
    attrs,
    ...(before.kind === 'enterprise' ? { creditCode: before.creditCode } : {}),
    ...(before.kind === 'project' ? { investmentFen: before.investmentFen } : {}),
    ...defined,
  };
}

export async function updateTarget(db: Executor, actor: Actor, key: PersonalDataKey, id: number, input: UpdateTarget): Promise<TargetDto> {
  assertCan(actor, 'target.write');
  const patch = parseInput(updateTargetSchema, input);
  return inTransaction(db, async (tx) => {
    const before = await getTarget(tx, actor, id);
    const draft = parseInput(createTargetSchema, mergedDraft(before, patch));
    const { regions, problems } = await checkDrafts(tx, actor, key, [draft], id);
    throwFirst(problems);
    const region = regions.get(draft.regionCode)!;
    const { kind: _kind, ...row } = targetRow(key, draft, region, new Date());
    // Personal data changes only when given: the stored values are not decrypted to re-check them.
    const set = {
      ...row,
      ...(patch.idNumber === null ? { id_enc: null, id_masked: null, id_hash: null } : {}),
      ...(patch.phone === null ? { phone_enc: null, phone_masked: null, phone_hash: null } : {}),
    };
    if (patch.idNumber === undefined) for (const k of ['id_enc', 'id_masked', 'id_hash'] as const) delete set[k];
    if (patch.phone === undefined) for (const k of ['phone_enc', 'phone_masked', 'phone_hash'] as const) delete set[k];
    await orConflict(tx.updateTable('contact_targets').set(set).where('id', '=', id).execute());
    await recordAudit(tx, actor, {
      action: 'target.update', entity: 'contact_target', entityId: id,
      detail: { before: { ...before, idMasked: undefined, phoneMasked: undefined }, changes: auditable(patch) },
      where: { regionPath: region.path, unitPath: null },
    });
    return getTarget(tx, actor, id);
  });
}

/** The full ID or phone number, for roles that need it; each reveal is written to the audit log. */
export async function revealTargetPersonalData(db: Executor, actor: Actor, key: PersonalDataKey, id: number, field: PersonalField, reason?: string) {
  assertCan(actor, 'target.revealPersonal');
  return inTransaction(db, async (tx) => {
    const row = await scoped(tx, actor)
      .select(['contact_targets.id', 'contact_targets.region_path', 'contact_targets.id_enc', 'contact_targets.phone_enc'])
      .where('contact_targets.id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('联系对象', id);
    const sealed = field === 'idNumber' ? row.id_enc : row.phone_enc;
    await recordAudit(tx, actor, {
      action: 'personal_data.reveal', entity: 'contact_target', entityId: id, detail: { field, reason: reason ?? null },
      where: { regionPath: row.region_path, unitPath: null },
    });
    return { id, field, value: sealed ? decrypt(key, sealed) : null };
  });
}

/**
 * Registers every village and community under `regionCode` as a target (community when the name
 * ends with 社区), skipping those already registered. The planner needs every place to be a target.
 */
export async function ensurePlaceTargets(db: Executor, actor: Actor, regionCode: string): Promise<{ created: number }> {
  assertCan(actor, 'target.write');
  return inTransaction(db, async (tx) => {
    const region = (await regionsInScope(tx, actor, [regionCode])).get(regionCode);
    if (!region) throw new AppError('VALIDATION_FAILED', `区划代码 ${regionCode} 不存在或不在您的管辖范围内`, { field: 'regionCode' });
    const missing = await tx.selectFrom('regions').select(['code', 'name'])
      .where('level', '=', 'village')
      .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', sql<string>`current_date`)]))
      .where(pathUnder('regions.path', region.path))
      .where(({ not, exists, selectFrom }) => not(exists(
        selectFrom('contact_targets').select('contact_targets.id')
          .whereRef('contact_targets.region_code', '=', 'regions.code')
          .where('contact_targets.kind', 'in', ['village', 'community', 'building']),
      )))
      .execute();
    if (missing.length === 0) return { created: 0 };
    const initials = JSON.stringify(missing.map((r) => ({ code: r.code, initials: nameInitials(r.name) })));
    const result = await sql`
      insert into contact_targets (kind, name, name_initials, region_code, region_path)
      select case when r.name like '%社区%' or r.name like '%居委会%' then 'community' else 'village' end, r.name, i.initials, r.code, r.path
      from jsonb_to_recordset(${initials}::jsonb) as i(code text, initials text)
      join regions r on r.code = i.code
      on conflict (region_code) where kind in ('village', 'community', 'building') do nothing`.execute(tx);
    const created = Number(result.numAffectedRows ?? 0);
    await recordAudit(tx, actor, { action: 'target.ensure_places', entity: 'contact_target', detail: { regionCode, created }, where: { regionPath: region.path, unitPath: null } });
    return { created };
  });
}
