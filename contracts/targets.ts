import { z } from 'zod';
import { checkCreditCode, checkIdNumber } from '../src/lib/validators.ts';
import { mobilePhone } from './cadres.ts';

// Contact targets (联系对象): what a cadre is paired with. SPEC §2.

export const targetKinds = ['village', 'community', 'building', 'household', 'enterprise', 'project', 'talent', 'graduate_official', 'school', 'person'] as const;
export const targetKind = z.enum(targetKinds);
export type TargetKind = z.infer<typeof targetKind>;
export const targetKindLabels: Record<TargetKind, { zh: string; en: string }> = {
  village: { zh: '村', en: 'Village' },
  community: { zh: '社区', en: 'Community' },
  building: { zh: '楼栋单元', en: 'Building unit' },
  household: { zh: '农户', en: 'Household' },
  enterprise: { zh: '企业', en: 'Enterprise' },
  project: { zh: '重点项目', en: 'Key project' },
  talent: { zh: '人才', en: 'Talent' },
  graduate_official: { zh: '大学生村官', en: 'College-graduate village official' },
  school: { zh: '学校', en: 'School' },
  person: { zh: '其他人员', en: 'Other person' },
};

/** Kinds that are a place of the region tree itself: one target per region, at this region level. */
export const placeKinds = ['village', 'community', 'building'] as const satisfies readonly TargetKind[];
export type PlaceKind = (typeof placeKinds)[number];
export const placeRegionLevel: Record<PlaceKind, 'village' | 'building'> = { village: 'village', community: 'village', building: 'building' };
export const isPlaceKind = (k: TargetKind): k is PlaceKind => (placeKinds as readonly string[]).includes(k);

/** Kinds that are people: they may carry an ID number (personal information under the PIPL). */
export const personKinds = ['household', 'talent', 'graduate_official', 'person'] as const satisfies readonly TargetKind[];

/** Tags offered per kind; any other short tag is accepted too. */
export const suggestedTags: Partial<Record<TargetKind, readonly string[]>> = {
  household: ['困难户', '低保', '五保', '老党员', '百岁老人', '留守', '残疾'],
  enterprise: ['规上工业', '专精特新', '科技型中小'],
};

export const projectLevels = ['province', 'city', 'county'] as const;
export const projectLevel = z.enum(projectLevels, { error: '项目级别应为 省重点 / 市重点 / 县重点' });
export type ProjectLevel = z.infer<typeof projectLevel>;
export const projectLevelLabels: Record<ProjectLevel, { zh: string; en: string }> = {
  province: { zh: '省重点', en: 'Provincial key project' },
  city: { zh: '市重点', en: 'City key project' },
  county: { zh: '县重点', en: 'County key project' },
};
/** Stages offered for a key project; free text is accepted. */
export const suggestedProjectStages = ['前期', '在建', '竣工', '投产'] as const;

const checked = (check: (v: string) => { ok: true } | { ok: false; reason: string }) => (v: string, ctx: z.RefinementCtx) => {
  const r = check(v);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: r.reason });
};
/** Resident ID number, GB 11643 check digit and birth date checked; `x` is read as `X`. */
export const idNumber = z.string().trim().toUpperCase().superRefine(checked(checkIdNumber));
/** Unified social credit code, GB 32100 check character checked. */
export const creditCode = z.string().trim().toUpperCase().superRefine(checked(checkCreditCode));

const text = (max: number) => z.string().trim().max(max, `最长${max}字`);
const count = z.number().int('应为整数').min(0, '不能为负数').max(10_000_000, '数值过大');
export const targetName = z.string().trim().min(1, '名称不能为空').max(100, '名称最长100字');
const tag = z.string().trim().min(1, '标签不能为空').max(20, '标签最长20字').regex(/^[^,，、;；\s]+$/, '标签中不能有逗号、顿号、分号或空格');
const tagList = z.array(tag).max(20, '最多20个标签');
const latitude = z.number().min(-90, '纬度应在 -90 到 90 之间').max(90, '纬度应在 -90 到 90 之间');
const longitude = z.number().min(-180, '经度应在 -180 到 180 之间').max(180, '经度应在 -180 到 180 之间');
/** Investment in fen (分), the one money unit of the platform. */
const investmentFen = z.number().int('投资额应为整数（分）').min(0, '投资额不能为负数').max(Number.MAX_SAFE_INTEGER, '投资额过大');

// Kind-specific attributes (stored as jsonb `attrs`); none of them is personal data.
export const householdMember = z.strictObject({
  name: z.string().trim().min(1, '成员姓名不能为空').max(50, '成员姓名最长50字'),
  relation: z.string().trim().min(1, '请填写与户主的关系').max(10, '关系最长10字'),
});
export const placeAttrs = z.strictObject({ population: count.optional().describe('常住人口'), households: count.optional().describe('户数') });
export const householdAttrs = z.strictObject({
  head: z.string().trim().min(1, '户主姓名不能为空').max(50, '户主姓名最长50字').describe('户主'),
  members: z.array(householdMember).max(30, '家庭成员最多30人').optional(),
}, { error: (iss) => (iss.code === 'invalid_type' ? '农户须填写 attrs.head（户主姓名）' : undefined) });
export const enterpriseAttrs = z.strictObject({ industry: text(50).optional().describe('行业'), contactPerson: text(50).optional().describe('联系人') });
export const projectAttrs = z.strictObject(
  { level: projectLevel, site: text(100).optional().describe('项目地点'), stage: text(50).optional().describe('建设阶段') },
  { error: (iss) => (iss.code === 'invalid_type' ? '重点项目须填写 attrs.level（项目级别）' : undefined) },
);
export const talentAttrs = z.strictObject({ field: text(50).optional().describe('专业领域'), employer: text(100).optional().describe('工作单位'), title: text(50).optional().describe('职称') });
export const graduateOfficialAttrs = z.strictObject({
  school: text(100).optional().describe('毕业院校'),
  major: text(50).optional().describe('专业'),
  post: text(50).optional().describe('任职'),
  since: z.number().int('应为年份').min(1990, '年份应在1990–2100之间').max(2100, '年份应在1990–2100之间').optional().describe('任职年份'),
});
export const schoolAttrs = z.strictObject({ stage: text(20).optional().describe('学段'), principal: text(50).optional().describe('校长') });
export const personAttrs = z.strictObject({ role: text(50).optional().describe('身份，如乡贤、退役军人'), note: text(200).optional().describe('备注') });

export const attrsByKind = {
  village: placeAttrs,
  community: placeAttrs,
  building: placeAttrs,
  household: householdAttrs,
  enterprise: enterpriseAttrs,
  project: projectAttrs,
  talent: talentAttrs,
  graduate_official: graduateOfficialAttrs,
  school: schoolAttrs,
  person: personAttrs,
} as const satisfies Record<TargetKind, z.ZodType>;

const common = {
  regionCode: z.string().trim().min(1, '区划代码不能为空').max(64, '区划代码过长'),
  address: text(200).default(''),
  tags: tagList.default([]),
  latitude: latitude.nullable().optional(),
  longitude: longitude.nullable().optional(),
};
const personal = { idNumber: idNumber.nullable().optional(), phone: mobilePhone.nullable().optional() };

const variant = <K extends TargetKind, S extends z.ZodRawShape>(kind: K, shape: S) =>
  z.strictObject({ kind: z.literal(kind), ...shape }, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? `${targetKindLabels[kind].zh}没有字段 ${iss.keys.join('、')}` : undefined),
  });

/**
 * A new target. Villages, communities and buildings are named after their region unless a name is
 * given; a household after its head (户主). Unknown fields are refused, so a field sent for the
 * wrong kind (a credit code on a household) is an error, not silently dropped.
 */
export const createTarget = z
  .discriminatedUnion('kind', [
    variant('village', { name: targetName.optional(), ...common, attrs: placeAttrs.default({}) }),
    variant('community', { name: targetName.optional(), ...common, attrs: placeAttrs.default({}) }),
    variant('building', { name: targetName.optional(), ...common, attrs: placeAttrs.default({}) }),
    variant('household', { name: targetName.optional(), ...common, attrs: householdAttrs, ...personal }),
    variant('enterprise', {
      name: targetName, ...common, creditCode, attrs: enterpriseAttrs.default({}),
      phone: mobilePhone.nullable().optional().describe('the contact person’s mobile'),
    }),
    variant('project', { name: targetName, ...common, investmentFen: investmentFen.nullable().optional(), attrs: projectAttrs }),
    variant('talent', { name: targetName, ...common, attrs: talentAttrs.default({}), ...personal }),
    variant('graduate_official', { name: targetName, ...common, attrs: graduateOfficialAttrs.default({}), ...personal }),
    variant('school', { name: targetName, ...common, attrs: schoolAttrs.default({}) }),
    variant('person', { name: targetName, ...common, attrs: personAttrs.default({}), ...personal }),
  ], { error: (iss) => (iss.code === 'invalid_union' ? `类型 kind 应为 ${targetKinds.join(' / ')} 之一` : undefined) })
  .superRefine((t, ctx) => {
    if ((t.latitude == null) !== (t.longitude == null)) ctx.addIssue({ code: 'custom', path: ['latitude'], message: '纬度和经度须同时填写或同时不填' });
  });
export type CreateTarget = z.input<typeof createTarget>;
export type NewTarget = z.output<typeof createTarget>;

/**
 * A change to a target; its kind never changes. `attrs` is merged into the current attributes (a
 * key set to null is removed) and the result is checked against the kind, as on creation.
 * `idNumber` or `phone` null clears it.
 */
export const updateTarget = z.strictObject({
  name: targetName.optional(),
  regionCode: common.regionCode.optional(),
  address: text(200).optional(),
  tags: tagList.optional(),
  latitude: latitude.nullable().optional(),
  longitude: longitude.nullable().optional(),
  attrs: z.record(z.string().max(40), z.unknown()).optional(),
  idNumber: idNumber.nullable().optional(),
  phone: mobilePhone.nullable().optional(),
  creditCode: creditCode.optional(),
  investmentFen: investmentFen.nullable().optional(),
}, { error: (iss) => (iss.code === 'unrecognized_keys' ? `不能修改字段 ${iss.keys.join('、')}（联系对象的类型不能改）` : undefined) });
export type UpdateTarget = z.input<typeof updateTarget>;

export const target = z.object({
  id: z.number().int(),
  kind: targetKind,
  name: z.string(),
  regionCode: z.string(),
  regionName: z.string(),
  address: z.string(),
  tags: z.array(z.string()),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  attrs: z.record(z.string(), z.unknown()).describe('kind-specific: see householdAttrs, enterpriseAttrs, projectAttrs …'),
  creditCode: z.string().nullable(),
  investmentFen: z.number().int().nullable(),
  idMasked: z.string().nullable().describe('e.g. 330225********1234; the full number only through /reveal, audited'),
  phoneMasked: z.string().nullable().describe('e.g. 138****5678; the full number only through /reveal, audited'),
  updatedAt: z.string(),
});
export type TargetDto = z.infer<typeof target>;

export const targetListQuery = z.object({
  q: z.string().trim().max(50).optional().describe('name or part of it, pinyin initials (zs finds 张三), or an exact phone, ID number or credit code'),
  kind: z.union([targetKind, z.array(targetKind).max(10)]).optional().describe('one kind, or several (kind=village&kind=community)'),
  tag: tag.optional(),
  region: z.string().max(64).optional().describe('targets in this region and below'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});
export type TargetListQuery = z.infer<typeof targetListQuery>;

export const personalField = z.enum(['idNumber', 'phone']);
export type PersonalField = z.infer<typeof personalField>;
export const revealRequest = z.object({ field: personalField, reason: z.string().trim().max(200).optional() });
export const revealed = z.object({ id: z.number().int(), field: personalField, value: z.string().nullable() });

export const ensurePlacesRequest = z.object({ regionCode: z.string().trim().min(1).max(64) });

/**
 * The .xlsx workbook: one sheet per kind, named by the kind's Chinese label (农户, 企业 …), with that
 * kind's columns. `key` is the field of `createTarget` the column fills (attrs.head …); `investmentWan`
 * is the investment in 万元, as people write it; `regionName` is shown for checking and not imported.
 */
export type TargetSheetColumn = { key: string; header: string; width: number; required?: boolean; text?: boolean };
const place = (nameHeader: string): TargetSheetColumn[] => [
  { key: 'name', header: nameHeader, width: 18 },
  { key: 'attrs.population', header: '常住人口', width: 10 },
  { key: 'attrs.households', header: '户数', width: 8 },
];
const personalColumns: TargetSheetColumn[] = [
  { key: 'idNumber', header: '身份证号', width: 22, text: true },
  { key: 'phone', header: '手机号', width: 15, text: true },
];
const whereColumns: TargetSheetColumn[] = [
  { key: 'regionCode', header: '区划代码', width: 16, required: true, text: true },
  { key: 'regionName', header: '区划名称', width: 16 },
  { key: 'address', header: '地址', width: 28 },
  { key: 'tags', header: '标签', width: 20 },
  { key: 'latitude', header: '纬度', width: 10 },
  { key: 'longitude', header: '经度', width: 10 },
];
export const targetSheetColumns: Record<TargetKind, readonly TargetSheetColumn[]> = {
  household: [
    { key: 'attrs.head', header: '户主', width: 12, required: true },
    { key: 'name', header: '户名', width: 12 },
    ...personalColumns,
    { key: 'attrs.members', header: '家庭成员', width: 30 },
    ...whereColumns,
  ],
  enterprise: [
    { key: 'name', header: '企业名称', width: 30, required: true },
    { key: 'creditCode', header: '统一社会信用代码', width: 22, required: true, text: true },
    { key: 'attrs.industry', header: '行业', width: 14 },
    { key: 'attrs.contactPerson', header: '联系人', width: 10 },
    { key: 'phone', header: '联系人手机号', width: 15, text: true },
    ...whereColumns,
  ],
  project: [
    { key: 'name', header: '项目名称', width: 30, required: true },
    { key: 'attrs.level', header: '项目级别', width: 10, required: true },
    { key: 'attrs.site', header: '项目地点', width: 20 },
    { key: 'attrs.stage', header: '建设阶段', width: 10 },
    { key: 'investmentWan', header: '总投资（万元）', width: 14 },
    ...whereColumns,
  ],
  village: [...place('村名称'), ...whereColumns],
  community: [...place('社区名称'), ...whereColumns],
  building: [...place('楼栋单元名称'), ...whereColumns],
  talent: [
    { key: 'name', header: '姓名', width: 12, required: true },
    { key: 'attrs.field', header: '专业领域', width: 14 },
    { key: 'attrs.employer', header: '工作单位', width: 24 },
    { key: 'attrs.title', header: '职称', width: 12 },
    ...personalColumns,
    ...whereColumns,
  ],
  graduate_official: [
    { key: 'name', header: '姓名', width: 12, required: true },
    { key: 'attrs.school', header: '毕业院校', width: 20 },
    { key: 'attrs.major', header: '专业', width: 14 },
    { key: 'attrs.post', header: '任职', width: 14 },
    { key: 'attrs.since', header: '任职年份', width: 10 },
    ...personalColumns,
    ...whereColumns,
  ],
  school: [
    { key: 'name', header: '学校名称', width: 24, required: true },
    { key: 'attrs.stage', header: '学段', width: 10 },
    { key: 'attrs.principal', header: '校长', width: 10 },
    ...whereColumns,
  ],
  person: [
    { key: 'name', header: '姓名', width: 12, required: true },
    { key: 'attrs.role', header: '身份', width: 14 },
    { key: 'attrs.note', header: '备注', width: 24 },
    ...personalColumns,
    ...whereColumns,
  ],
};
/** Sheet order in the template and the export. */
export const targetSheetKinds: readonly TargetKind[] = ['household', 'enterprise', 'project', 'village', 'community', 'building', 'talent', 'graduate_official', 'school', 'person'];

/** A row-level problem in an uploaded workbook: the sheet (kind), row as shown, Chinese column, reason. */
export const targetRowError = z.object({ sheet: z.string(), row: z.number().int(), field: z.string(), message: z.string() });
export type TargetRowError = z.infer<typeof targetRowError>;
