import type { IntegrityThresholds } from '../../config.ts';
import type { Executor } from '../../db/database.ts';

// Integrity checks (防形式主义). Placeholder signature for the activity feature to call; the checks
// themselves are being written (issue 4, item 6).

/** Runs every check for one new or changed activity and records the flags it raises. */
export async function checkActivity(_db: Executor, _thresholds: IntegrityThresholds, _activityId: number): Promise<void> {}
