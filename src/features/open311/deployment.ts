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
