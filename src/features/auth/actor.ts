import type { Role } from '../../../contracts/auth.ts';
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
};

/** The CLI and the demo loader act as the system: unlimited scope, still audited. */
export const systemActor = (what = 'system'): Actor => ({
  userId: null,
  username: what,
  role: 'system',
  scope: { regionPath: null, unitPath: null },
  ip: null,
});

// Who may do what. One table, so a reviewer can read the policy in one place.
const permissions = {
  'region.write': ['admin'],
  'unit.write': ['admin'],
  'cadre.write': ['admin', 'unit_leader'],
  'cadre.import': ['admin'],
  'cadre.revealPhone': ['admin', 'unit_leader', 'supervisor'],
  'user.manage': ['admin'],
  'audit.read': ['admin'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof permissions;

export function can(actor: Actor, permission: Permission): boolean {
  return actor.role === 'system' || (permissions[permission] as readonly string[]).includes(actor.role);
}

export function assertCan(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) throw forbidden();
}

export const isUnder = (path: string, scopePath: string) => path === scopePath || path.startsWith(`${scopePath}/`);

export type Services = { key: PersonalDataKey };
