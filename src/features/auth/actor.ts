import { roleMay, type Permission, type Role } from '../../../contracts/auth.ts';
import type { PersonalDataKey } from '../../lib/personal-data.ts';
import { forbidden } from '../../errors.ts';

// Who is acting, and what they may see. Scope is a region subtree (by materialised path) and/or a
// unit subtree; when both are set a record must lie in both. null means no limit on that axis.
export type Scope = { regionPath: string | null; unitPath: string | null };

export type Actor = {
  userId: number | null;
  username: string;
  role: Role | 'system';
  scope: Scope;
  ip: string | null;
  /** The cadre this account belongs to (a cadre's own records), when it is linked to one. */
  cadreId: number | null;
};

/** The CLI and the demo loader act as the system: unlimited scope, still audited. */
export const systemActor = (what = 'system'): Actor => ({
  userId: null,
  username: what,
  role: 'system',
  scope: { regionPath: null, unitPath: null },
  ip: null,
  cadreId: null,
});

export type { Permission };

export function can(actor: Actor, permission: Permission): boolean {
  return actor.role === 'system' || roleMay(actor.role, permission);
}

export function assertCan(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) throw forbidden();
}

export const isUnder = (path: string, scopePath: string) => path === scopePath || path.startsWith(`${scopePath}/`);

export type Services = { key: PersonalDataKey };
