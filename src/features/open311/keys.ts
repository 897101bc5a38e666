import { createHash, randomBytes } from 'node:crypto';
import { createOpen311Key as createOpen311KeyContract, type Open311KeyDto } from '../../../contracts/ticket-api.ts';
import type { Executor } from '../../db/database.ts';
import { inTransaction } from '../../db/database.ts';
import { AppError, notFound } from '../../errors.ts';
import { recordAudit } from '../audit/audit.ts';
import { assertCan, systemActor, type Actor } from '../auth/actor.ts';
import { assertCoversDeployment } from './deployment.ts';

// Open311 API keys (GeoReport v2 "api_key"): issued by an admin to a partner system, shown once,
// stored as a SHA-256 hash (a key is 32 random bytes, so a plain hash is enough — there is nothing
// to guess), listed by name and prefix, revoked but never deleted (tickets keep pointing at the key
// that sent them).

const PREFIX = 'lx311_';
/** How much of the key is kept in clear to tell keys apart in the list. */
const SHOWN = PREFIX.length + 6;

export const hashApiKey = (apiKey: string) => createHash('sha256').update(apiKey, 'utf8').digest('hex');

type KeyRow = { id: number; name: string; key_prefix: string; created_at: Date; revoked_at: Date | null; last_used_at: Date | null };
const toDto = (r: KeyRow): Open311KeyDto => ({
  id: r.id,
  name: r.name,
  keyPrefix: r.key_prefix,
  createdAt: r.created_at.toISOString(),
  revokedAt: r.revoked_at?.toISOString() ?? null,
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
});
const columns = ['id', 'name', 'key_prefix', 'created_at', 'revoked_at', 'last_used_at'] as const;

/**
 * A key creates tickets anywhere in the deployment, so only an admin whose scope is the whole
 * deployment (unscoped, or scoped to the top region or above) manages keys; a township admin does not.
 */
async function assertManagesKeys(db: Executor, actor: Actor) {
  assertCan(actor, 'open311.keys');
  await assertCoversDeployment(db, actor, 'Open311 密钥在全平台有效，只有管辖全平台的管理员可以签发、查看或吊销');
}

export async function listOpen311Keys(db: Executor, actor: Actor): Promise<Open311KeyDto[]> {
  await assertManagesKeys(db, actor);
  const rows = await db.selectFrom('open311_keys').select(columns).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  return rows.map(toDto);
}

/** Issues a key. The key itself is in the answer only; it cannot be shown again. */
export async function createOpen311Key(db: Executor, actor: Actor, input: { name: string }): Promise<Open311KeyDto & { apiKey: string }> {
  await assertManagesKeys(db, actor);
  // The route has checked the body already; the CLI comes here directly.
  const { name } = createOpen311KeyContract.parse(input);
  const apiKey = PREFIX + randomBytes(32).toString('base64url');
  return inTransaction(db, async (tx) => {
    const row = await tx.insertInto('open311_keys')
      .values({ name, key_hash: hashApiKey(apiKey), key_prefix: apiKey.slice(0, SHOWN), created_by: actor.userId })
      .returning(columns).executeTakeFirstOrThrow();
    await recordAudit(tx, actor, { action: 'open311_key.create', entity: 'open311_key', entityId: row.id, detail: { name, keyPrefix: row.key_prefix } });
    return { ...toDto(row), apiKey };
  });
}

export async function revokeOpen311Key(db: Executor, actor: Actor, id: number): Promise<Open311KeyDto> {
  await assertManagesKeys(db, actor);
  return inTransaction(db, async (tx) => {
    const row = await tx.selectFrom('open311_keys').select(columns).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw notFound('Open311 密钥', id);
    if (row.revoked_at) throw new AppError('CONFLICT', `Open311 密钥「${row.name}」已于 ${row.revoked_at.toISOString()} 吊销`, { revokedAt: row.revoked_at.toISOString() });
    const updated = await tx.updateTable('open311_keys').set({ revoked_at: new Date() }).where('id', '=', id).returning(columns).executeTakeFirstOrThrow();
    await recordAudit(tx, actor, { action: 'open311_key.revoke', entity: 'open311_key', entityId: id, detail: { name: row.name, keyPrefix: row.key_prefix } });
    return toDto(updated);
  });
}

export type ApiKeyHolder = { id: number; name: string };

/**
 * The key a POST carries: missing, unknown or revoked is 403 (GeoReport v2, "General Errors").
 * A good key has its last use stamped.
 */
export async function verifyApiKey(db: Executor, apiKey: string | undefined, now = new Date()): Promise<ApiKeyHolder> {
  if (!apiKey) throw new AppError('FORBIDDEN', '缺少 api_key：提交诉求须携带平台管理员签发的 Open311 API 密钥');
  const row = await db.updateTable('open311_keys').set({ last_used_at: now })
    .where('key_hash', '=', hashApiKey(apiKey)).where('revoked_at', 'is', null)
    .returning(['id', 'name']).executeTakeFirst();
  if (!row) throw new AppError('FORBIDDEN', 'api_key 无效或已被吊销');
  return row;
}

/** The actor an Open311 key acts as: the system, named after the key, so audit rows say which client wrote. */
export const open311Actor = (holder: ApiKeyHolder): Actor => systemActor(`open311:${holder.name}`);
