import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createUser as createUserSchema, type CreateUser, type Me, type UserDto } from '../../../contracts/auth.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import type { User } from '../../db/schema.ts';
import { AppError, notFound } from '../../errors.ts';
import { recordAudit } from '../audit/audit.ts';
import { regionScope } from '../regions/regions.ts';
import { unitScope } from '../units/units.ts';
import { assertCan, isUnder, type Actor, type Scope } from './actor.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

export type AuthPolicy = { lockoutAttempts: number; lockoutMinutes: number; sessionIdleMinutes: number };

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The scope an account acts in: its region's path and/or its unit's path. */
export async function scopeOf(db: Executor, user: Pick<User, 'region_code' | 'unit_id'>): Promise<Scope> {
  const region = user.region_code
    ? await db.selectFrom('regions').select('path').where('code', '=', user.region_code).executeTakeFirst()
    : undefined;
  const unit = user.unit_id ? await db.selectFrom('units').select(['path', 'region_path']).where('id', '=', user.unit_id).executeTakeFirst() : undefined;
  // An account tied only to a unit sees that unit's jurisdiction, not the whole country.
  return { regionPath: region?.path ?? unit?.region_path ?? null, unitPath: unit?.path ?? null };
}

export type LoginResult = { token: string; csrfToken: string; userId: number };

/**
 * Checks a password. Five failures in a row lock the account for 15 minutes (configurable); a
 * locked account is refused even with the right password, and says until when.
 */
export async function login(db: Executor, policy: AuthPolicy, username: string, password: string, ip: string | null): Promise<LoginResult> {
  const user = await db.selectFrom('users').selectAll().where('username', '=', username.toLowerCase()).executeTakeFirst();
  const actor: Actor = { userId: user?.id ?? null, username, role: 'system', scope: { regionPath: null, unitPath: null }, ip, cadreId: null };
  if (!user || user.disabled) {
    // Same work and same answer as a wrong password, so usernames cannot be probed.
    await verifyPassword(password, 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
    await recordAudit(db, actor, { action: 'auth.login_failed', entity: 'user', entityId: user?.id ?? null, detail: { reason: user ? 'disabled' : 'unknown_user' } });
    throw new AppError('INVALID_CREDENTIALS', `用户名或密码错误（连续${policy.lockoutAttempts}次错误将锁定${policy.lockoutMinutes}分钟）`);
  }
  const now = new Date();
  if (user.locked_until && user.locked_until > now) {
    await recordAudit(db, actor, { action: 'auth.login_refused_locked', entity: 'user', entityId: user.id, where: await scopeOf(db, user) });
    throw new AppError('ACCOUNT_LOCKED', `账号已锁定，请于 ${fmtTime(user.locked_until)} 后再试`, { lockedUntil: user.locked_until.toISOString() });
  }
  if (!(await verifyPassword(password, user.password_hash))) {
    const failures = user.failed_logins + 1;
    const lock = failures >= policy.lockoutAttempts;
    const lockedUntil = lock ? new Date(now.getTime() + policy.lockoutMinutes * 60_000) : null;
    await db.updateTable('users').set({ failed_logins: lock ? 0 : failures, locked_until: lockedUntil }).where('id', '=', user.id).execute();
    await recordAudit(db, actor, { action: lock ? 'auth.locked' : 'auth.login_failed', entity: 'user', entityId: user.id, detail: { failures }, where: await scopeOf(db, user) });
    if (lock) throw new AppError('ACCOUNT_LOCKED', `连续${policy.lockoutAttempts}次密码错误，账号已锁定${policy.lockoutMinutes}分钟`, { lockedUntil: lockedUntil!.toISOString() });
    // The same answer as for an unknown account, so usernames cannot be probed.
    throw new AppError('INVALID_CREDENTIALS', `用户名或密码错误（连续${policy.lockoutAttempts}次错误将锁定${policy.lockoutMinutes}分钟）`);
  }
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  await inTransaction(db, async (tx) => {
    await tx.updateTable('users').set({ failed_logins: 0, locked_until: null, last_login_at: now }).where('id', '=', user.id).execute();
    await tx.insertInto('sessions').values({ id: sha256(token), user_id: user.id, csrf_token: csrfToken, ip, last_seen_at: now }).execute();
    await recordAudit(tx, { ...actor, username: user.username }, { action: 'auth.login', entity: 'user', entityId: user.id, where: await scopeOf(tx, user) });
  });
  return { token, csrfToken, userId: user.id };
}

const fmtTime = (d: Date) => d.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });

export type SessionInfo = { actor: Actor; csrfToken: string; sessionId: string };

/**
 * The session behind a cookie token. A session idle longer than the policy allows is ended here;
 * every authenticated request moves its idle clock on.
 */
export async function resolveSession(db: Executor, policy: AuthPolicy, token: string, ip: string | null): Promise<SessionInfo> {
  const id = sha256(token);
  // The session, its account and the account's scope in one query (every request runs it).
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .leftJoin('regions', 'regions.code', 'users.region_code')
    .leftJoin('units', 'units.id', 'users.unit_id')
    .select([
      'sessions.id', 'sessions.csrf_token', 'sessions.last_seen_at', 'users.id as user_id', 'users.username', 'users.role', 'users.cadre_id', 'users.disabled',
      'regions.path as region_path', 'units.path as unit_path', 'units.region_path as unit_region_path',
    ])
    .where('sessions.id', '=', id)
    .executeTakeFirst();
  if (!row || row.disabled) throw new AppError('UNAUTHENTICATED', '请先登录');
  const now = Date.now();
  if (now - row.last_seen_at.getTime() > policy.sessionIdleMinutes * 60_000) {
    await db.deleteFrom('sessions').where('id', '=', id).execute();
    throw new AppError('SESSION_EXPIRED', `超过${policy.sessionIdleMinutes}分钟未操作，已自动退出，请重新登录`);
  }
  // Touch at most once a minute: fewer writes, same effect for a 30-minute window.
  if (now - row.last_seen_at.getTime() > 60_000) {
    await db.updateTable('sessions').set({ last_seen_at: new Date(now) }).where('id', '=', id).execute();
  }
  // As scopeOf: an account tied only to a unit sees that unit's jurisdiction.
  const scope: Scope = { regionPath: row.region_path ?? row.unit_region_path ?? null, unitPath: row.unit_path ?? null };
  return {
    sessionId: id,
    csrfToken: row.csrf_token,
    actor: { userId: row.user_id, username: row.username, role: row.role, scope, ip, cadreId: row.cadre_id },
  };
}

export async function logout(db: Executor, actor: Actor, sessionId: string) {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
  await recordAudit(db, actor, { action: 'auth.logout', entity: 'user', entityId: actor.userId, where: actor.scope });
}

export async function describeMe(db: Executor, userId: number, csrfToken: string): Promise<Me> {
  const u = await db
    .selectFrom('users')
    .leftJoin('regions', 'regions.code', 'users.region_code')
    .leftJoin('units', 'units.id', 'users.unit_id')
    .select(['users.id', 'users.username', 'users.display_name', 'users.role', 'users.region_code', 'regions.name as region_name', 'users.unit_id', 'units.name as unit_name', 'users.cadre_id'])
    .where('users.id', '=', userId)
    .executeTakeFirstOrThrow();
  return {
    id: u.id, username: u.username, displayName: u.display_name, role: u.role, regionCode: u.region_code, regionName: u.region_name,
    unitId: u.unit_id, unitName: u.unit_name, cadreId: u.cadre_id, csrfToken,
  };
}

const toUserDto = (u: User & { region_name: string | null; unit_name: string | null }): UserDto => ({
  id: u.id, username: u.username, displayName: u.display_name, role: u.role, regionCode: u.region_code, regionName: u.region_name,
  unitId: u.unit_id, unitName: u.unit_name,
  cadreId: u.cadre_id, disabled: u.disabled, lockedUntil: u.locked_until?.toISOString() ?? null, lastLoginAt: u.last_login_at?.toISOString() ?? null,
});

/**
 * Creates an account. A scoped admin can only create accounts inside their own scope, never one
 * that sees more than they do.
 */
export async function createUser(db: Executor, actor: Actor, input: CreateUser): Promise<UserDto> {
  assertCan(actor, 'user.manage');
  const data = createUserSchema.parse(input);
  return inTransaction(db, async (tx) => {
    const username = data.username.toLowerCase();
    if (await tx.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst()) {
      throw new AppError('CONFLICT', `用户名 ${username} 已被使用`, { field: 'username' });
    }
    if (data.regionCode) {
      const r = await tx.selectFrom('regions').select('path').where('code', '=', data.regionCode).where(regionScope(actor, 'regions.path')).executeTakeFirst();
      if (!r) throw new AppError('VALIDATION_FAILED', `区划 ${data.regionCode} 不存在或不在您的管辖范围内`, { field: 'regionCode' });
    }
    if (data.unitId) {
      const u = await tx.selectFrom('units').select('id').where('id', '=', data.unitId).where(unitScope(actor)).executeTakeFirst();
      if (!u) throw new AppError('VALIDATION_FAILED', `单位 ${data.unitId} 不存在或不在您的管辖范围内`, { field: 'unitId' });
    }
    if (data.cadreId) {
      const c = await tx.selectFrom('cadres').innerJoin('units', 'units.id', 'cadres.unit_id').select('cadres.id').where('cadres.id', '=', data.cadreId).where(unitScope(actor)).executeTakeFirst();
      if (!c) throw new AppError('VALIDATION_FAILED', `干部 ${data.cadreId} 不存在或不在您的管辖范围内`, { field: 'cadreId' });
    }
    const newScope = await scopeOf(tx, { region_code: data.regionCode ?? null, unit_id: data.unitId ?? null });
    const within = (mine: string | null, theirs: string | null) => mine === null || (theirs !== null && isUnder(theirs, mine));
    if (!within(actor.scope.regionPath, newScope.regionPath) || !within(actor.scope.unitPath, newScope.unitPath)) {
      throw new AppError('VALIDATION_FAILED', '新账号的管辖范围不能超出您自己的范围：请指定区划或单位', { field: 'regionCode' });
    }
    const inserted = await tx
      .insertInto('users')
      .values({
        username, display_name: data.displayName, password_hash: await hashPassword(data.password), role: data.role,
        region_code: data.regionCode ?? null, unit_id: data.unitId ?? null, cadre_id: data.cadreId ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const row = await tx
      .selectFrom('users')
      .leftJoin('regions', 'regions.code', 'users.region_code')
      .leftJoin('units', 'units.id', 'users.unit_id')
      .selectAll('users')
      .select(['regions.name as region_name', 'units.name as unit_name'])
      .where('users.id', '=', inserted.id)
      .executeTakeFirstOrThrow();
    await recordAudit(tx, actor, { action: 'user.create', entity: 'user', entityId: row.id, detail: { username, role: data.role, regionCode: data.regionCode ?? null, unitId: data.unitId ?? null }, where: newScope });
    return toUserDto(row);
  });
}

function usersInScope(db: Executor, actor: Actor) {
  let q = db.selectFrom('users').leftJoin('regions', 'regions.code', 'users.region_code').leftJoin('units', 'units.id', 'users.unit_id');
  const p = actor.scope.regionPath;
  if (p !== null) {
    const path = sql`coalesce(regions.path, units.region_path)`;
    q = q.where(sql<boolean>`(${path} = ${p} or ${path} like ${`${p}/%`})`);
  }
  if (actor.scope.unitPath !== null) q = q.where(unitScope(actor));
  return q;
}

/** Accounts whose scope lies inside the actor's. */
export async function listUsers(db: Executor, actor: Actor, page: number, pageSize: number) {
  assertCan(actor, 'user.manage');
  const q = usersInScope(db, actor);
  const [rows, count] = await Promise.all([
    q.selectAll('users').select(['regions.name as region_name', 'units.name as unit_name']).orderBy('users.id').limit(pageSize).offset((page - 1) * pageSize).execute(),
    q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toUserDto), total: count.n, page, pageSize };
}

export async function getUser(db: Executor, actor: Actor, id: number): Promise<UserDto> {
  assertCan(actor, 'user.manage');
  const row = await usersInScope(db, actor).selectAll('users').select(['regions.name as region_name', 'units.name as unit_name']).where('users.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('账号', id);
  return toUserDto(row);
}

/** Sets a password (CLI `user passwd`, admin reset); ends the account's sessions and clears a lock. */
export async function setPassword(db: Executor, actor: Actor, userId: number, password: string) {
  await inTransaction(db, async (tx) => {
    await tx.updateTable('users').set({ password_hash: await hashPassword(password), failed_logins: 0, locked_until: null }).where('id', '=', userId).execute();
    await tx.deleteFrom('sessions').where('user_id', '=', userId).execute();
    const user = await tx.selectFrom('users').select(['region_code', 'unit_id']).where('id', '=', userId).executeTakeFirstOrThrow();
    await recordAudit(tx, actor, { action: 'user.set_password', entity: 'user', entityId: userId, where: await scopeOf(tx, user) });
  });
}
