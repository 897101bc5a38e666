import { sql } from 'kysely';
import { pathUnder } from '../../db/paths.ts';
import type { Actor } from '../auth/actor.ts';

// Who sees a field record (activity, and what hangs off it: photos, problems, flags).
// - An account tied to a unit sees the records its unit's cadres took part in (a group visit is
//   seen by every participant's unit), wherever they happened.
// - An account scoped by region only sees the records that happened in its region.
// - An unscoped account sees everything.
// The participant's unit path is stored on the participant row at the time of the record, so a
// cadre who later moves units leaves their past records with the unit they worked for then.

/** SQL condition on an activities alias: the record is visible to the actor. */
export function activityScope(actor: Actor, alias = 'a') {
  const { regionPath, unitPath } = actor.scope;
  if (unitPath !== null) {
    return sql<boolean>`exists (select 1 from activity_participants sp where sp.activity_id = ${sql.ref(`${alias}.id`)} and ${pathUnder('sp.unit_path', unitPath)})`;
  }
  if (regionPath !== null) return pathUnder(`${alias}.region_path`, regionPath);
  return sql<boolean>`true`;
}
