import { sql } from 'kysely';
import { pathUnder } from '../../db/paths.ts';
import type { Actor } from '../auth/actor.ts';

// Who sees a practical matter (实事), and its evidence photos — the same rule as for the field
// records it comes from (activityScope):
// - An account tied to a unit sees the matters its unit's cadres answer for (unit_path is the
//   cadre's unit when the matter was recorded), wherever the target is: a county department's
//   cadre promises things in the townships. A matter with no cadre belongs to no unit.
// - An account scoped by region only sees the matters of targets in its region (region_path is
//   the target's region).
// - An unscoped account sees everything.

/** SQL condition on a practical_matters alias: the matter is visible to the actor. */
export function matterScope(actor: Actor, alias = 'm') {
  const { regionPath, unitPath } = actor.scope;
  if (unitPath !== null) return pathUnder(`${alias}.unit_path`, unitPath); // null unit_path: not visible
  if (regionPath !== null) return pathUnder(`${alias}.region_path`, regionPath);
  return sql<boolean>`true`;
}
