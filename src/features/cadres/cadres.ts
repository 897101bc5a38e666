import { sql } from 'kysely';
import { pinyin } from 'pinyin-pro';
import { cadreRank, cadreStatus, createCadre as createCadreSchema, type CadreDto, type CadreListQuery, type CreateCadre, type UpdateCadre } from '../../../contracts/cadres.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { AppError, notFound } from '../../errors.ts';
import { blindIndex, decrypt, sealPhone, type PersonalDataKey } from '../../lib/personal-data.ts';
import { recordAudit, unitPlace } from '../audit/audit.ts';
import { assertCan, type Actor } from '../auth/actor.ts';
import { escapeLike, pathUnder, regionScope } from '../regions/regions.ts';
import { unitScope } from '../units/units.ts';

/** Pinyin initials for search: 张三 → zs, 曾小贤 → zxx (surnames read as surnames). */
export const nameInitials = (name: string) =>
  pinyin(name, { pattern: 'first', toneType: 'none', type: 'array', surname: 'head' }).join('').toLowerCase().replace(/[^a-z]/g, '');

function scoped(db: Executor, actor: Actor) {
  return db.selectFrom('cadres').innerJoin('units', 'units.id', 'cadres.unit_id').where(unitScope(actor));
}

const columns = [
  'cadres.id',
  'cadres.name',
  'cadres.gender',
  'cadres.unit_id',
  'units.name as unit_name',
  'units.code as unit_code',
  'units.region_code',
  'cadres.rank',
  'cadres.position',
  'cadres.status',
  'cadres.phone_masked',
  'cadres.updated_at',
] as const;

type Row = {
  id: number; name: string; gender: 'male' | 'female' | null; unit_id: number; unit_name: string; unit_code: string;
  region_code: string; rank: CadreDto['rank']; position: string; status: CadreDto['status']; phone_masked: string | null; updated_at: Date;
};
const toDto = (r: Row): CadreDto => ({
  id: r.id,
  name: r.name,
  gender: r.gender,
  unitId: r.unit_id,
  unitName: r.unit_name,
  unitCode: r.unit_code,
  regionCode: r.region_code,
  rank: r.rank,
  position: r.position,
  status: r.status,
  phoneMasked: r.phone_masked,
  updatedAt: r.updated_at.toISOString(),
});

export async function getCadre(db: Executor, actor: Actor, id: number): Promise<CadreDto> {
  const row = await scoped(db, actor).select(columns).where('cadres.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('干部', id);
  return toDto(row);
}

export type CadreFilter = Omit<CadreListQuery, 'page' | 'pageSize'>;

/** The filtered, scoped query behind the list, the export and the search benchmark. */
export async function filteredCadres(db: Executor, actor: Actor, key: PersonalDataKey, f: CadreFilter) {
  let q = scoped(db, actor);
  if (f.unitId) {
    const unit = await db.selectFrom('units').select('path').where('id', '=', f.unitId).where(unitScope(actor)).executeTakeFirst();
    if (!unit) throw notFound('单位', f.unitId);
    q = q.where(pathUnder('units.path', unit.path));
  }
  if (f.region) {
    const region = await db.selectFrom('regions').select('path').where('code', '=', f.region).where(regionScope(actor, 'regions.path')).executeTakeFirst();
    if (!region) throw notFound('区划', f.region);
    q = q.where(pathUnder('units.region_path', region.path));
  }
  if (f.rank) q = q.where('cadres.rank', '=', f.rank);
  if (f.status) q = q.where('cadres.status', '=', f.status);
  const text = f.q?.trim();
  if (text) {
    if (/^1\d{10}$/.test(text)) q = q.where('cadres.phone_hash', '=', blindIndex(key, text));
    // Letters are pinyin initials (zs → 张三): a prefix match on an indexed column.
    else if (/^[a-z]+$/i.test(text)) q = q.where('cadres.name_initials', 'like', `${text.toLowerCase()}%`);
    else q = q.where('cadres.name', 'like', `%${escapeLike(text)}%`);
  }
  return q;
}

export async function listCadres(db: Executor, actor: Actor, key: PersonalDataKey, f: CadreListQuery) {
  const q = await filteredCadres(db, actor, key, f);
  const [rows, count] = await Promise.all([
    q.select(columns).orderBy('cadres.id').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toDto), total: count.n, page: f.page, pageSize: f.pageSize };
}

async function assertUnitInScope(db: Executor, actor: Actor, unitId: number, field = 'unitId') {
  const unit = await db.selectFrom('units').select('id').where('id', '=', unitId).where(unitScope(actor)).executeTakeFirst();
  if (!unit) throw new AppError('VALIDATION_FAILED', `单位 ${unitId} 不存在或不在您的管辖范围内`, { field });
}

export async function createCadre(db: Executor, actor: Actor, key: PersonalDataKey, input: CreateCadre): Promise<CadreDto> {
  assertCan(actor, 'cadre.write');
  const data = createCadreSchema.parse(input);
  return inTransaction(db, async (tx) => {
    await assertUnitInScope(tx, actor, data.unitId);
    const { id } = await tx
      .insertInto('cadres')
      .values({
        name: data.name,
        name_initials: nameInitials(data.name),
        gender: data.gender ?? null,
        unit_id: data.unitId,
        rank: data.rank,
        position: data.position,
        status: data.status,
        ...(data.phone ? sealPhone(key, data.phone) : {}),
        updated_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(tx, actor, { action: 'cadre.create', entity: 'cadre', entityId: id, detail: { ...data, phone: data.phone ? '(encrypted)' : null }, where: await unitPlace(tx, data.unitId) });
    return getCadre(tx, actor, id);
  });
}

export async function updateCadre(db: Executor, actor: Actor, key: PersonalDataKey, id: number, input: UpdateCadre): Promise<CadreDto> {
  assertCan(actor, 'cadre.write');
  return inTransaction(db, async (tx) => {
    const before = await getCadre(tx, actor, id);
    if (input.unitId !== undefined) await assertUnitInScope(tx, actor, input.unitId);
    const set: Record<string, unknown> = { updated_at: new Date() };
    if (input.name !== undefined) Object.assign(set, { name: input.name, name_initials: nameInitials(input.name) });
    if (input.gender !== undefined) set.gender = input.gender;
    if (input.unitId !== undefined) set.unit_id = input.unitId;
    if (input.rank !== undefined) set.rank = cadreRank.parse(input.rank);
    if (input.position !== undefined) set.position = input.position;
    if (input.status !== undefined) set.status = cadreStatus.parse(input.status);
    if (input.phone !== undefined) {
      Object.assign(set, input.phone ? sealPhone(key, input.phone) : { phone_enc: null, phone_masked: null, phone_hash: null });
    }
    await tx.updateTable('cadres').set(set).where('id', '=', id).execute();
    const { phone, ...changes } = input;
    await recordAudit(tx, actor, {
      action: 'cadre.update',
      entity: 'cadre',
      entityId: id,
      detail: { before: { ...before, phoneMasked: undefined }, changes: { ...changes, ...(phone !== undefined ? { phone: '(changed)' } : {}) } },
      where: await unitPlace(tx, input.unitId ?? before.unitId),
    });
    return getCadre(tx, actor, id);
  });
}

/** The full phone number, for roles that need it; each reveal is written to the audit log. */
export async function revealCadrePhone(db: Executor, actor: Actor, key: PersonalDataKey, id: number, reason?: string) {
  assertCan(actor, 'cadre.revealPhone');
  return inTransaction(db, async (tx) => {
    const row = await scoped(tx, actor).select(['cadres.id', 'cadres.phone_enc', 'cadres.unit_id']).where('cadres.id', '=', id).executeTakeFirst();
    if (!row) throw notFound('干部', id);
    const phone = row.phone_enc ? decrypt(key, row.phone_enc) : null;
    await recordAudit(tx, actor, { action: 'personal_data.reveal', entity: 'cadre', entityId: id, detail: { field: 'phone', reason: reason ?? null }, where: await unitPlace(tx, row.unit_id) });
    return { id, phone };
  });
}
