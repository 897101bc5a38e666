import { z } from 'zod';
import { dbId, dbIdQuery } from './common.ts';

export const roles = ['admin', 'unit_leader', 'cadre', 'handling_dept', 'supervisor', 'leadership', 'hotline_operator'] as const;
export const role = z.enum(roles);
export type Role = z.infer<typeof role>;
export const roleLabels: Record<Role, { zh: string; en: string }> = {
  admin: { zh: '活动办管理员', en: 'Campaign office admin' },
  unit_leader: { zh: '单位责任领导', en: 'Unit leader' },
  cadre: { zh: '干部', en: 'Cadre' },
  handling_dept: { zh: '承办单位', en: 'Handling department' },
  supervisor: { zh: '督查', en: 'Supervisor' },
  leadership: { zh: '领导', en: 'Leadership' },
  hotline_operator: { zh: '热线坐席', en: 'Hotline operator' },
};

// Who may do what: one table, read by the server (which decides) and the web app (which only
// hides what would be refused).
export const permissions = {
  'region.write': ['admin'],
  'unit.write': ['admin'],
  'cadre.write': ['admin', 'unit_leader'],
  'cadre.import': ['admin'],
  'cadre.revealPhone': ['admin', 'unit_leader', 'supervisor'],
  'user.manage': ['admin'],
  'audit.read': ['admin'],
  'target.write': ['admin', 'unit_leader'],
  'target.import': ['admin'],
  // Cadres visit the households they are paired with, so they may see their numbers (audited).
  'target.revealPersonal': ['admin', 'unit_leader', 'supervisor', 'cadre'],
  'campaign.write': ['admin'],
  'pairing.write': ['admin', 'unit_leader'],
  'planner.run': ['admin'],
  // Field records: cadres record their own work; leaders and the office may record for their cadres.
  'activity.write': ['admin', 'unit_leader', 'cadre'],
  'matter.write': ['admin', 'unit_leader', 'cadre'],
  'writing.write': ['admin', 'unit_leader', 'cadre'],
  'writing.review': ['admin', 'unit_leader', 'leadership'],
  'writing.select': ['admin'],
  'topic.assign': ['admin', 'unit_leader'],
  'integrity.clear': ['admin', 'supervisor'],
  // Tickets: anyone who meets the public registers what they hear; the office configures the loop.
  'ticket.register': ['admin', 'hotline_operator', 'cadre', 'unit_leader'],
  // Handlers call the requester back; the full number is revealed to them (audited).
  'ticket.revealPhone': ['admin', 'hotline_operator', 'supervisor', 'handling_dept', 'unit_leader'],
  'ticket.configure': ['admin'],
  'open311.keys': ['admin'],
  // Issue 6: the office composes duties and the calendar; leaders and supervisors follow compliance.
  'requirement.configure': ['admin'],
  'calendar.configure': ['admin'],
  'survey.configure': ['admin'],
  'survey.results': ['admin', 'unit_leader', 'supervisor', 'leadership'],
  'assessment.configure': ['admin'],
  // Assessors (考核组) enter scores with evidence; the leadership approves them.
  'assessment.score': ['admin', 'supervisor'],
  'assessment.approve': ['admin', 'leadership'],
  'commitment.write': ['admin', 'unit_leader'],
  // Bulletins (简报): the campaign office writes and publishes them; everyone in scope reads published ones.
  'bulletin.write': ['admin'],
  'bulletin.publish': ['admin'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof permissions;
export const roleMay = (r: Role, p: Permission) => (permissions[p] as readonly Role[]).includes(r);

/** At least 8 characters from at least 3 of: lower case, upper case, digits, symbols. */
export const password = z
  .string()
  .max(128, '密码最长128个字符')
  .refine((p) => p.length >= 8, '密码至少8个字符')
  .refine(
    (p) => [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((r) => r.test(p)).length >= 3,
    '密码须包含小写字母、大写字母、数字、符号中的至少三类',
  );

export const loginBody = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(128),
});

export const me = z.object({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string(),
  role,
  regionCode: z.string().nullable(),
  regionName: z.string().nullable(),
  unitId: z.number().int().nullable(),
  unitName: z.string().nullable(),
  cadreId: z.number().int().nullable(),
  csrfToken: z.string(),
});
export type Me = z.infer<typeof me>;

export const user = z.object({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string(),
  role,
  regionCode: z.string().nullable(),
  regionName: z.string().nullable(),
  unitId: z.number().int().nullable(),
  unitName: z.string().nullable(),
  cadreId: z.number().int().nullable(),
  disabled: z.boolean(),
  lockedUntil: z.string().nullable(),
  lastLoginAt: z.string().nullable(),
});
export type UserDto = z.infer<typeof user>;

export const createUser = z.object({
  username: z.string().trim().regex(/^[A-Za-z0-9_.-]{3,64}$/, '用户名为3–64位字母、数字、下划线、点或连字符'),
  displayName: z.string().trim().min(1).max(50),
  password,
  role,
  regionCode: z.string().max(64).nullable().optional(),
  unitId: dbId.nullable().optional(),
  cadreId: dbId.nullable().optional(),
});
export type CreateUser = z.input<typeof createUser>;

export const auditEntry = z.object({
  id: z.string(),
  at: z.string(),
  userId: z.number().int().nullable(),
  username: z.string().nullable(),
  ip: z.string().nullable(),
  action: z.string(),
  entity: z.string(),
  entityId: z.string().nullable(),
  detail: z.unknown(),
});

export const auditQuery = z.object({
  action: z.string().max(64).optional(),
  entity: z.string().max(64).optional(),
  entityId: z.string().max(64).optional(),
  userId: dbIdQuery.optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
