import { z } from 'zod';
import { dbId, dbIdQuery } from './common.ts';
import { cadreRank } from './cadres.ts';

// Campaigns (活动), teams (组团 / 调研组 / 专题服务组) and pairings (结对): request and response shapes.

/** The kinds of contact target a campaign can list tasks for (the contact_targets.kind values). */
export const campaignTargetKinds = ['village', 'community', 'building', 'household', 'enterprise', 'project', 'talent', 'graduate_official', 'school', 'person'] as const;
export const campaignTargetKind = z.enum(campaignTargetKinds);
export type CampaignTargetKind = z.infer<typeof campaignTargetKind>;

/** Presets from the source articles, offered by the UI when setting up a campaign. */
export const campaignPresets = {
  /** Cixi's five special actions (五大专项行动). */
  specialActions: ['城镇建设攻坚助推', '企业转型指导帮扶', '民生民意调研解难', '生态环境整治优化', '基层基础巩固提升'],
  /** The five roles a cadre plays (五员). */
  cadreRoles: ['宣传员', '指导员', '规划员', '情报员', '服务员'],
  /** Dongying's task list for enterprises. */
  tasks: { enterprise: ['摸实情', '讲政策', '解难题', '推项目', '优环境'] } as Partial<Record<CampaignTargetKind, string[]>>,
} as const;

/** A calendar date, YYYY-MM-DD. */
export const calendarDate = z.iso.date('日期格式应为 YYYY-MM-DD');

const label = z.string().trim().min(1).max(50);
const distinct = (list: string[]) => new Set(list).size === list.length;
const labelList = (max: number) => z.array(label).max(max).refine(distinct, '不能有重复项');

export const campaignUnitInput = z.object({
  unitId: dbId,
  /** Region codes (normally townships) this unit answers for in the campaign (联镇); under the campaign's region. */
  responsibleRegions: z.array(z.string().min(1).max(64)).max(1000).refine(distinct, '不能有重复项').default([]),
});

/** How often a paired cadre should visit a target of a kind (e.g. a household 4 times a year). */
export const visitPeriods = ['week', 'month', 'quarter', 'year'] as const;
export const visitPeriod = z.enum(visitPeriods);
export type VisitPeriod = z.infer<typeof visitPeriod>;
export const visitFrequency = z.object({ times: z.number().int().min(1).max(31), per: visitPeriod });
export type VisitFrequency = z.infer<typeof visitFrequency>;
const visitFrequencies = z.partialRecord(campaignTargetKind, visitFrequency);

const campaignFields = z.object({
  name: z.string().trim().min(1).max(100),
  startsOn: calendarDate,
  endsOn: calendarDate,
  regionCode: z.string().min(1).max(64).describe('the organising region; must be in your scope'),
  description: z.string().trim().max(5000).default(''),
  themes: labelList(50).default([]),
  specialActions: labelList(50).default([]).describe('专项行动, e.g. Cixi’s five'),
  cadreRoles: labelList(20).default([]).describe('the roles cadres play (五员); a pairing’s cadreRole is one of them'),
  tasks: z.partialRecord(campaignTargetKind, labelList(50)).default({}).describe('task list per target kind'),
  visitFrequency: visitFrequencies.default({}).describe('per target kind: how often a paired cadre visits, e.g. {"household":{"times":4,"per":"year"}}'),
  units: z
    .array(campaignUnitInput)
    .max(2000)
    .refine((us) => distinct(us.map((u) => String(u.unitId))), '同一单位不能重复列出')
    .default([])
    .describe('participating units and the townships each answers for'),
});

const periodOrder = (v: { startsOn?: string | undefined; endsOn?: string | undefined }, ctx: z.RefinementCtx) => {
  if (v.startsOn && v.endsOn && v.endsOn < v.startsOn) {
    ctx.addIssue({ code: 'custom', path: ['endsOn'], message: `结束日期 ${v.endsOn} 早于开始日期 ${v.startsOn}` });
  }
};

export const createCampaign = campaignFields.superRefine(periodOrder);
export type CreateCampaign = z.input<typeof createCampaign>;

/** Every field optional; `units`, when given, replaces the whole list. */
export const updateCampaign = z
  .object({
    name: campaignFields.shape.name,
    startsOn: calendarDate,
    endsOn: calendarDate,
    regionCode: campaignFields.shape.regionCode,
    description: z.string().trim().max(5000),
    themes: labelList(50),
    specialActions: labelList(50),
    cadreRoles: labelList(20),
    tasks: z.partialRecord(campaignTargetKind, labelList(50)),
    visitFrequency: visitFrequencies,
    units: campaignFields.shape.units.removeDefault(),
  })
  .partial()
  .superRefine(periodOrder);
export type UpdateCampaign = z.input<typeof updateCampaign>;

export const campaignUnit = z.object({
  unitId: z.number().int(),
  unitCode: z.string(),
  unitName: z.string(),
  responsibleRegions: z.array(z.object({ code: z.string(), name: z.string() })),
});

export const campaign = z.object({
  id: z.number().int(),
  name: z.string(),
  startsOn: z.string(),
  endsOn: z.string(),
  regionCode: z.string(),
  regionName: z.string(),
  description: z.string(),
  themes: z.array(z.string()),
  specialActions: z.array(z.string()),
  cadreRoles: z.array(z.string()),
  tasks: z.record(z.string(), z.array(z.string())),
  visitFrequency: z.record(z.string(), visitFrequency),
  units: z.array(campaignUnit).describe('the participating units in your scope or answering for a region in your scope'),
  editable: z.boolean().describe('whether you may edit it: campaign.write and the campaign’s region inside your scope'),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CampaignDto = z.infer<typeof campaign>;

export const campaignListQuery = z.object({
  q: z.string().trim().max(50).optional().describe('part of the name'),
  region: z.string().max(64).optional().describe('campaigns organised in this region subtree'),
  activeOn: calendarDate.optional().describe('campaigns whose period includes this date'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});
export type CampaignListQuery = z.infer<typeof campaignListQuery>;

// ── Teams ────────────────────────────────────────────────────────────────────────────────────

export const teamKinds = ['group', 'research', 'service'] as const;
export const teamKind = z.enum(teamKinds);
export type TeamKind = z.infer<typeof teamKind>;
export const teamKindLabels: Record<TeamKind, { zh: string; en: string }> = {
  group: { zh: '组团', en: 'Group' },
  research: { zh: '调研组', en: 'Research group' },
  service: { zh: '专题服务组', en: 'Service group' },
};

export const teamMember = z.object({
  cadreId: z.number().int(),
  name: z.string(),
  rank: cadreRank,
  unitId: z.number().int(),
  unitName: z.string(),
  joinedOn: z.string(),
  leftOn: z.string().nullable(),
});

export const team = z.object({
  id: z.number().int(),
  campaignId: z.number().int(),
  name: z.string(),
  kind: teamKind,
  leaderCadreId: z.number().int(),
  leaderName: z.string(),
  members: z.array(teamMember).describe('every period of membership, current and past (leftOn set)'),
  createdAt: z.string(),
});
export type TeamDto = z.infer<typeof team>;

export const createTeam = z.object({
  name: z.string().trim().min(1).max(100),
  kind: teamKind.default('group'),
  leaderCadreId: dbId,
  memberIds: z.array(dbId).max(500).default([]).describe('besides the leader, who is always a member'),
  joinedOn: calendarDate.optional().describe('default: today, or the campaign start if later'),
});
export type CreateTeam = z.input<typeof createTeam>;

export const updateTeam = z
  .object({ name: createTeam.shape.name, kind: teamKind, leaderCadreId: dbId })
  .partial();
export type UpdateTeam = z.input<typeof updateTeam>;

export const addTeamMember = z.object({ cadreId: dbId, joinedOn: calendarDate.optional() });
export type AddTeamMember = z.input<typeof addTeamMember>;
export const removeTeamMemberQuery = z.object({ leftOn: calendarDate.optional().describe('default: today') });

export const teamParams = z.object({ id: dbIdQuery, teamId: dbIdQuery });
export const teamMemberParams = teamParams.extend({ cadreId: dbIdQuery });

// ── Pairings ─────────────────────────────────────────────────────────────────────────────────

export const pairingRoles = ['primary', 'assisting'] as const;
export const pairingRole = z.enum(pairingRoles);
export type PairingRole = z.infer<typeof pairingRole>;
export const pairingRoleLabels: Record<PairingRole, { zh: string; en: string }> = {
  primary: { zh: '主要联系', en: 'Primary' },
  assisting: { zh: '协助联系', en: 'Assisting' },
};

export const createPairing = z
  .object({
    targetId: dbId,
    cadreId: dbId.optional(),
    teamId: dbId.optional(),
    role: pairingRole.default('primary'),
    cadreRole: label.nullable().optional().describe('one of the campaign’s cadreRoles (五员)'),
    startsOn: calendarDate.optional().describe('default: today, or the campaign start if later; within the campaign period'),
  })
  .superRefine((v, ctx) => {
    if ((v.cadreId === undefined) === (v.teamId === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['cadreId'], message: '请指定干部（cadreId）或组团（teamId），二者选一' });
    }
  });
export type CreatePairing = z.input<typeof createPairing>;

export const endPairing = z.object({
  endsOn: calendarDate.optional().describe('default: today (not before the start, not after the campaign end)'),
  reason: z.string().trim().min(1).max(200).describe('why it ended, e.g. 干部调离, 调整结对'),
});
export type EndPairing = z.input<typeof endPairing>;

export const pairingEndItem = endPairing.extend({ pairingId: dbId });

export const pairingChanges = z.object({
  add: z.array(createPairing).max(100_000).default([]),
  end: z.array(pairingEndItem).max(100_000).default([]),
});
export type PairingChanges = z.input<typeof pairingChanges>;

export const transferPairings = z.object({
  fromCadreId: dbId,
  toCadreId: dbId,
  on: calendarDate.optional().describe('the day the old pairings end and the new ones start; default today'),
  reason: z.string().trim().min(1).max(200).default('干部调整，结对移交'),
  targetIds: z.array(dbId).max(10_000).optional().describe('only these targets; default all the cadre’s open pairings in the campaign'),
});
export type TransferPairings = z.input<typeof transferPairings>;

/** One item of a batch that cannot be applied; nothing of the batch is written when there is any. */
export const pairingItemError = z.object({
  op: z.enum(['add', 'end']),
  index: z.number().int(),
  field: z.string(),
  message: z.string(),
  code: z.enum(['VALIDATION_FAILED', 'CONFLICT', 'NOT_FOUND']),
});
export type PairingItemError = z.infer<typeof pairingItemError>;

export const pairingChangesResult = z.object({
  added: z.array(z.number().int()).describe('ids of the new pairings, in the order of `add`'),
  ended: z.array(z.number().int()).describe('ids of the ended pairings, in the order of `end`'),
});
export type PairingChangesResult = z.infer<typeof pairingChangesResult>;

export const pairing = z.object({
  id: z.number().int(),
  campaignId: z.number().int(),
  campaignName: z.string(),
  targetId: z.number().int(),
  targetKind: campaignTargetKind,
  targetName: z.string(),
  targetRegionCode: z.string(),
  targetRegionName: z.string(),
  cadreId: z.number().int().nullable(),
  cadreName: z.string().nullable(),
  cadreRank: cadreRank.nullable(),
  cadreUnitId: z.number().int().nullable(),
  cadreUnitName: z.string().nullable(),
  teamId: z.number().int().nullable(),
  teamName: z.string().nullable(),
  teamLeaderName: z.string().nullable(),
  role: pairingRole,
  cadreRole: z.string().nullable(),
  startsOn: z.string(),
  endsOn: z.string().nullable(),
  endReason: z.string().nullable(),
  open: z.boolean().describe('not ended'),
  createdAt: z.string(),
});
export type PairingDto = z.infer<typeof pairing>;

/** A cadre's pairing: their own, or their team's while they were a member. */
export const cadrePairing = pairing.extend({
  via: z.enum(['direct', 'team']),
  current: z.boolean().describe('open, and for a team pairing the cadre is still a member'),
});
export type CadrePairingDto = z.infer<typeof cadrePairing>;

export const pairingStatus = z.enum(['open', 'ended', 'all']);

export const pairingListQuery = z.object({
  kind: campaignTargetKind.optional().describe('target kind'),
  region: z.string().max(64).optional().describe('targets in this region subtree'),
  cadreId: dbIdQuery.optional().describe('this cadre’s pairings, direct or through a team'),
  teamId: dbIdQuery.optional(),
  targetId: dbIdQuery.optional(),
  status: pairingStatus.default('all'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});
export type PairingListQuery = z.infer<typeof pairingListQuery>;

export const pairingHistoryQuery = z.object({
  campaignId: dbIdQuery.optional(),
  status: pairingStatus.default('all'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});
export type PairingHistoryQuery = z.infer<typeof pairingHistoryQuery>;

export const campaignPairingParams = z.object({ id: dbIdQuery, pairingId: dbIdQuery });
