import { z } from 'zod';

export const regionLevels = ['province', 'city', 'county', 'township', 'village', 'grid', 'building'] as const;
export const regionLevel = z.enum(regionLevels);
export type RegionLevel = z.infer<typeof regionLevel>;

export const regionLevelLabels: Record<RegionLevel, { zh: string; en: string }> = {
  province: { zh: '省', en: 'Province' },
  city: { zh: '市', en: 'City' },
  county: { zh: '县（市、区）', en: 'County' },
  township: { zh: '乡镇（街道）', en: 'Township / street' },
  village: { zh: '村（社区）', en: 'Village / community' },
  grid: { zh: '网格', en: 'Grid' },
  building: { zh: '楼栋单元', en: 'Building unit' },
};

export const region = z.object({
  code: z.string(),
  name: z.string(),
  level: regionLevel,
  parentCode: z.string().nullable(),
  path: z.string(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  childCount: z.number().int(),
});
export type RegionDto = z.infer<typeof region>;

export const regionListQuery = z.object({
  parent: z.string().max(64).optional().describe('list the children of this region; omitted: the roots of your scope'),
  under: z.string().max(64).optional().describe('list the whole subtree under this region'),
  level: regionLevel.optional(),
  q: z.string().max(50).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(1000).default(200),
});

export const createLocalRegion = z.object({
  parentCode: z.string().min(1).max(64),
  level: z.enum(['grid', 'building']),
  name: z.string().trim().min(1).max(100),
  code: z
    .string()
    .regex(/^[0-9A-Za-z-]{1,64}$/, '编码只能包含字母、数字和连字符')
    .optional(),
  validFrom: z.iso.date().optional(),
});
export type CreateLocalRegion = z.infer<typeof createLocalRegion>;
