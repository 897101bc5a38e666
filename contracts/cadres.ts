import { z } from 'zod';
import { dbId, dbIdQuery } from './common.ts';

export const cadreRanks = ['city', 'county', 'section', 'general', 'village'] as const;
export const cadreRank = z.enum(cadreRanks);
export type CadreRank = z.infer<typeof cadreRank>;
export const cadreRankLabels: Record<CadreRank, { zh: string; en: string }> = {
  city: { zh: '市级', en: 'City level' },
  county: { zh: '县级', en: 'County level' },
  section: { zh: '科级', en: 'Section level' },
  general: { zh: '一般干部', en: 'General cadre' },
  village: { zh: '村干部', en: 'Village cadre' },
};

export const cadreStatuses = ['active', 'second_line', 'retired', 'transferred'] as const;
export const cadreStatus = z.enum(cadreStatuses);
export type CadreStatus = z.infer<typeof cadreStatus>;
export const cadreStatusLabels: Record<CadreStatus, { zh: string; en: string }> = {
  active: { zh: '在职', en: 'In post' },
  second_line: { zh: '二线', en: 'Second line' },
  retired: { zh: '退休', en: 'Retired' },
  transferred: { zh: '调离', en: 'Transferred' },
};

export const genders = ['male', 'female'] as const;
export const genderLabels = { male: { zh: '男', en: 'Male' }, female: { zh: '女', en: 'Female' } } as const;

/** Mainland mobile number: 11 digits starting with 1[3-9]. */
export const mobilePhone = z
  .string()
  .trim()
  .regex(/^1[3-9]\d{9}$/, '手机号应为11位数字，以13–19开头');

export const cadre = z.object({
  id: z.number().int(),
  name: z.string(),
  gender: z.enum(genders).nullable(),
  unitId: z.number().int(),
  unitName: z.string(),
  unitCode: z.string(),
  regionCode: z.string(),
  rank: cadreRank,
  position: z.string(),
  status: cadreStatus,
  phoneMasked: z.string().nullable().describe('e.g. 138****5678; the full number only through /phone, audited'),
  updatedAt: z.string(),
});
export type CadreDto = z.infer<typeof cadre>;

export const cadreListQuery = z.object({
  q: z.string().trim().max(50).optional().describe('name, part of a name, or pinyin initials (zs finds 张三)'),
  unitId: dbIdQuery.optional().describe('this unit and the units under it'),
  region: z.string().max(64).optional().describe('cadres of units whose jurisdiction lies in this subtree'),
  rank: cadreRank.optional(),
  status: cadreStatus.optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});
export type CadreListQuery = z.infer<typeof cadreListQuery>;

export const createCadre = z.object({
  name: z.string().trim().min(1).max(50),
  gender: z.enum(genders).nullable().optional(),
  unitId: dbId,
  rank: cadreRank,
  position: z.string().trim().max(100).default(''),
  status: cadreStatus.default('active'),
  phone: mobilePhone.nullable().optional(),
});
export type CreateCadre = z.input<typeof createCadre>;

export const updateCadre = createCadre.partial();
export type UpdateCadre = z.input<typeof updateCadre>;

/** Headers of the cadre roster (.xlsx), in column order. The template and the export use them. */
export const cadreSheetColumns = [
  { key: 'name', header: '姓名', width: 12 },
  { key: 'gender', header: '性别', width: 6 },
  { key: 'unitCode', header: '单位编码', width: 16 },
  { key: 'unitName', header: '单位名称', width: 28 },
  { key: 'rank', header: '职级', width: 10 },
  { key: 'position', header: '职务', width: 24 },
  { key: 'status', header: '状态', width: 8 },
  { key: 'phone', header: '手机号', width: 16 },
] as const;
