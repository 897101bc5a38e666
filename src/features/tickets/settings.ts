import type { z } from 'zod';
import type { createTicketCategory, TicketCategoryDto, updateTicketCategory } from '../../../contracts/ticket-api.ts';
import { ticketDeadlinePolicy, type TicketDeadlinePolicy } from '../../../contracts/tickets.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { AppError, notFound } from '../../errors.ts';
import { recordAudit } from '../audit/audit.ts';
import { assertCan, type Actor } from '../auth/actor.ts';
import { assertCoversDeployment } from '../open311/deployment.ts';
import { escapeLike } from '../regions/regions.ts';

// The configurable parts of the ticket loop: the category tree and the deadline policy. Both are
// deployment-wide; the office (ticket.configure) changes them, every change is audited. A category
// is never deleted: deactivating hides it (and its children) from intake, while tickets already
// filed under it keep it.

type CreateCategory = z.output<typeof createTicketCategory>;
type UpdateCategory = z.output<typeof updateTicketCategory>;

const invalid = (field: string, message: string) => new AppError('VALIDATION_FAILED', message, { field, fields: [{ field, message }] });

type CategoryRow = { code: string; parent_code: string | null; name_zh: string; name_en: string; sort: number; active: boolean };
const toDto = (r: CategoryRow): TicketCategoryDto => ({ code: r.code, parentCode: r.parent_code, nameZh: r.name_zh, nameEn: r.name_en, sort: r.sort, active: r.active });
const categoryColumns = ['code', 'parent_code', 'name_zh', 'name_en', 'sort', 'active'] as const;

/**
 * A new category. A child's code extends its parent's (`housing` → `housing.rental`), so "a
 * category and its children" stays one prefix match in the ledger; a top-level code has no dot.
 */
export async function createCategory(db: Executor, actor: Actor, input: CreateCategory): Promise<TicketCategoryDto> {
  assertCan(actor, 'ticket.configure');
  await assertCoversDeployment(db, actor, '工单分类和办理时限对全平台有效，只有管辖全平台的管理员可以修改');
  const parentCode = input.parentCode ?? null;
  return inTransaction(db, async (tx) => {
    if (parentCode !== null) {
      const parent = await tx.selectFrom('ticket_categories').select(['code', 'active']).where('code', '=', parentCode).executeTakeFirst();
      if (!parent) throw invalid('parentCode', `上级分类「${parentCode}」不存在`);
      if (!parent.active) throw invalid('parentCode', `上级分类「${parentCode}」已停用，不能在其下新增分类`);
      if (!input.code.startsWith(`${parentCode}.`) || input.code.slice(parentCode.length + 1).includes('.')) {
        throw invalid('code', `下级分类的编码应为「${parentCode}.」加一段编码，如 ${parentCode}.other`);
      }
    } else if (input.code.includes('.')) {
      throw invalid('code', '顶级分类的编码不能含点（.）；下级分类请填写上级分类（parentCode）');
    }
    const row = await tx
      .insertInto('ticket_categories')
      .values({ code: input.code, parent_code: parentCode, name_zh: input.nameZh, name_en: input.nameEn, sort: input.sort })
      .onConflict((oc) => oc.column('code').doNothing())
      .returning(categoryColumns)
      .executeTakeFirst();
    if (!row) throw new AppError('CONFLICT', `分类编码「${input.code}」已存在`, { field: 'code' });
    await recordAudit(tx, actor, { action: 'ticket_category.create', entity: 'ticket_category', entityId: row.code, detail: { after: toDto(row) } });
    return toDto(row);
  });
}

/**
 * Renames, re-sorts, deactivates or reactivates a category. Deactivating one deactivates its
 * children too (intake offers neither); a child cannot be reactivated under an inactive parent.
 */
export async function updateCategory(db: Executor, actor: Actor, code: string, patch: UpdateCategory): Promise<TicketCategoryDto> {
  assertCan(actor, 'ticket.configure');
  await assertCoversDeployment(db, actor, '工单分类和办理时限对全平台有效，只有管辖全平台的管理员可以修改');
  return inTransaction(db, async (tx) => {
    const before = await tx.selectFrom('ticket_categories').select(categoryColumns).where('code', '=', code).forUpdate().executeTakeFirst();
    if (!before) throw notFound('分类', code);
    const set: Partial<Omit<CategoryRow, 'code' | 'parent_code'>> = {};
    if (patch.nameZh !== undefined) set.name_zh = patch.nameZh;
    if (patch.nameEn !== undefined) set.name_en = patch.nameEn;
    if (patch.sort !== undefined) set.sort = patch.sort;
    if (patch.active !== undefined) set.active = patch.active;
    if (Object.keys(set).length === 0) return toDto(before);
    if (patch.active === true && !before.active && before.parent_code !== null) {
      const parent = await tx.selectFrom('ticket_categories').select('active').where('code', '=', before.parent_code).executeTakeFirstOrThrow();
      if (!parent.active) throw invalid('active', `上级分类「${before.parent_code}」已停用，请先启用上级分类`);
    }
    const after = await tx.updateTable('ticket_categories').set(set).where('code', '=', code).returning(categoryColumns).executeTakeFirstOrThrow();
    let alsoDeactivated: string[] = [];
    if (patch.active === false && before.active) {
      const children = await tx
        .updateTable('ticket_categories')
        .set({ active: false })
        .where('code', 'like', `${escapeLike(code)}.%`)
        .where('active', '=', true)
        .returning('code')
        .execute();
      alsoDeactivated = children.map((c) => c.code).sort();
    }
    await recordAudit(tx, actor, {
      action: 'ticket_category.update', entity: 'ticket_category', entityId: code,
      detail: { before: toDto(before), after: toDto(after), ...(alsoDeactivated.length ? { alsoDeactivated } : {}) },
    });
    return toDto(after);
  });
}

/** The deadline policy in force (row 1 of ticket_settings); any signed-in account may read it. */
export async function getPolicy(db: Executor): Promise<TicketDeadlinePolicy> {
  const row = await db.selectFrom('ticket_settings').select('policy').where('id', '=', 1).executeTakeFirstOrThrow();
  return ticketDeadlinePolicy.parse(row.policy);
}

/**
 * Replaces the deadline policy. It applies to dispatches from now on: deadlines already set stay
 * (the ticket's due_at is fixed when it is dispatched).
 */
export async function savePolicy(db: Executor, actor: Actor, policy: TicketDeadlinePolicy): Promise<TicketDeadlinePolicy> {
  assertCan(actor, 'ticket.configure');
  await assertCoversDeployment(db, actor, '工单分类和办理时限对全平台有效，只有管辖全平台的管理员可以修改');
  const next = ticketDeadlinePolicy.parse(policy);
  return inTransaction(db, async (tx) => {
    const before = await tx.selectFrom('ticket_settings').select('policy').where('id', '=', 1).forUpdate().executeTakeFirstOrThrow();
    await tx.updateTable('ticket_settings').set({ policy: JSON.stringify(next), updated_at: new Date(), updated_by: actor.userId }).where('id', '=', 1).execute();
    await recordAudit(tx, actor, { action: 'ticket_policy.update', entity: 'ticket_settings', entityId: 1, detail: { before: before.policy, after: next } });
    return next;
  });
}
