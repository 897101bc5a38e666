import { z } from 'zod';
import { dbId, dbIdQuery } from './common.ts';

export const unitLevels = ['city', 'county', 'township', 'village'] as const;
export const unitLevel = z.enum(unitLevels);
export type UnitLevel = z.infer<typeof unitLevel>;
export const unitLevelLabels: Record<UnitLevel, { zh: string; en: string }> = {
  city: { zh: '市级', en: 'City' },
  county: { zh: '县级', en: 'County' },
  township: { zh: '乡镇级', en: 'Township' },
  village: { zh: '村级', en: 'Village' },
};

export const unit = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  level: unitLevel,
  parentId: z.number().int().nullable(),
  regionCode: z.string(),
  regionName: z.string(),
  leaderCadreId: z.number().int().nullable(),
  leaderName: z.string().nullable(),
  cadreCount: z.number().int(),
});
export type UnitDto = z.infer<typeof unit>;

export const unitListQuery = z.object({
  q: z.string().max(50).optional(),
  level: unitLevel.optional(),
  region: z.string().max(64).optional().describe('units whose jurisdiction lies in this region subtree'),
  parentId: dbIdQuery.optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(20),
});

export const createUnit = z.object({
  code: z.string().trim().regex(/^[0-9A-Za-z_-]{1,40}$/, '单位编码只能包含字母、数字、下划线和连字符，最长40位'),
  name: z.string().trim().min(1).max(100),
  level: unitLevel,
  parentId: dbId.nullable().optional(),
  regionCode: z.string().min(1).max(64),
});
export type CreateUnit = z.infer<typeof createUnit>;

export const updateUnit = z
  .object({
    name: z.string().trim().min(1).max(100),
    level: unitLevel,
    regionCode: z.string().min(1).max(64),
    leaderCadreId: dbId.nullable(),
  })
  .partial();
export type UpdateUnit = z.infer<typeof updateUnit>;
