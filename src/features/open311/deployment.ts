import { forbidden } from '../../errors.ts';
import type { Actor } from '../auth/actor.ts';
import type { Executor } from '../../db/database.ts';

/**
 * The deployment's top region: the deepest region that contains every other one (the single root,
 * then down while it has exactly one child) — the county for a county deployment whose table also
 * holds its province and city. null when the table holds several roots (or none).
 */
export async function topRegion(db: Executor): Promise<{ code: string; name: string; path: string } | null> {
  const roots = await db.selectFrom('regions').select(['code', 'name', 'path']).where('parent_code', 'is', null).where('valid_to', 'is', null).limit(2).execute();
  if (roots.length !== 1) return null;
  let top = roots[0]!;
  for (;;) {
    const kids = await db.selectFrom('regions').select(['code', 'name', 'path']).where('parent_code', '=', top.code).where('valid_to', 'is', null).limit(2).execute();
    if (kids.length !== 1) return top;
    top = kids[0]!;
  }
}

/**
 * Settings that hold for the whole deployment (Open311 keys, ticket categories, the deadline
 * policy) are changed only by an account whose scope is the whole deployment: unscoped, or scoped
 * to the top region or above. A township admin may not change what binds every other township.
 */
export async function assertCoversDeployment(db: Executor, actor: Actor, message: string): Promise<void> {
  if (actor.role === 'system') return;
  const { regionPath, unitPath } = actor.scope;
  const top = regionPath === null ? null : await topRegion(db);
  const coversAll = unitPath === null && (regionPath === null || (top !== null && (top.path === regionPath || top.path.startsWith(`${regionPath}/`))));
  if (!coversAll) throw forbidden(message);
}
