import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './database.ts';
import * as m0001 from './migrations/0001_foundation.ts';
import * as m0002 from './migrations/0002_targets_pairing.ts';
import * as m0003 from './migrations/0003_field_records.ts';
import * as m0004p from './migrations/0004_photos_matters.ts';
import * as m0004w from './migrations/0004_writings.ts';
import * as m0005i from './migrations/0005_integrity.ts';
import * as m0006q from './migrations/0006_integrity_queue.ts';
import * as m0007t from './migrations/0007_tickets.ts';
import * as m0008r from './migrations/0008_requirements.ts';
import * as m0009c from './migrations/0009_calendar.ts';
import * as m0010s from './migrations/0010_surveys.ts';
import * as m0011a from './migrations/0011_assessments.ts';
import * as m0012p from './migrations/0012_commitments.ts';
import * as m0013b from './migrations/0013_bulletins.ts';
import * as m0014s from './migrations/0014_statistics.ts';
import * as m0015k from './migrations/0015_compliance_pending_kind.ts';
import * as m0016r from './migrations/0016_statistics_rollups.ts';
import * as m0017s from './migrations/0017_stat_reach_shared.ts';
import * as m0018c from './migrations/0018_stat_compliance_area.ts';
import * as m0019d from './migrations/0019_stat_reach_day.ts';
import * as m0020c from './migrations/0020_stat_cadre_year.ts';
import * as m0021m from './migrations/0021_stat_missed_windows.ts';
import * as m0022r from './migrations/0022_stat_reach_mask.ts';
import * as m0023w from './migrations/0023_stat_whole_tree.ts';
import * as m0024c from './migrations/0024_stat_compliance_county.ts';
import * as m0025r from './migrations/0025_stat_reach_mask_up.ts';
import * as m0026d from './migrations/0026_stat_day_up.ts';

// Migrations are listed by hand, in order: the list is the schema's history.
const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_targets_pairing': m0002,
  '0003_field_records': m0003,
  '0004_photos_matters': m0004p,
  '0004_writings': m0004w,
  '0005_integrity': m0005i,
  '0006_integrity_queue': m0006q,
  '0007_tickets': m0007t,
  '0008_requirements': m0008r,
  '0009_calendar': m0009c,
  '0010_surveys': m0010s,
  '0011_assessments': m0011a,
  '0012_commitments': m0012p,
  '0013_bulletins': m0013b,
  '0014_statistics': m0014s,
  '0015_compliance_pending_kind': m0015k,
  '0016_statistics_rollups': m0016r,
  '0017_stat_reach_shared': m0017s,
  '0018_stat_compliance_area': m0018c,
  '0019_stat_reach_day': m0019d,
  '0020_stat_cadre_year': m0020c,
  '0021_stat_missed_windows': m0021m,
  '0022_stat_reach_mask': m0022r,
  '0023_stat_whole_tree': m0023w,
  '0024_stat_compliance_county': m0024c,
  '0025_stat_reach_mask_up': m0025r,
  '0026_stat_day_up': m0026d,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Database): Promise<string[]> {
  const migrator = new Migrator({ db, provider, migrationTableName: 'schema_migrations', migrationLockTableName: 'schema_migrations_lock' });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
