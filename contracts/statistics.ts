import { z } from 'zod';
import { dbIdQuery, pageOf, paging } from './common.ts';

// Traceable statistics (issue 7): every figure the articles quote, for a campaign (or all), a
// region subtree or a unit, and a period of China calendar days; each figure states its
// definition and lists exactly the records that make it (the drill-down). The dashboard, the
// comparisons and the bulletins are built from these figures.

/** What a figure's drill-down lists. */
export const figureRecordKinds = ['activity', 'writing', 'matter', 'ticket', 'pairing', 'team', 'compliance'] as const;
export type FigureRecordKind = (typeof figureRecordKinds)[number];

/** How a figure's value reads: a count with its unit, money in fen (shown in 元 / 万元), a rate 0–1. */
export type FigureFormat = 'count' | 'fen' | 'rate';

export const figureKeys = [
  // activities (by the China date they started)
  'stayDays', 'householdVisits', 'householdsVisited', 'forums', 'talkAttendance', 'hardshipHouseholdsComforted',
  'condolenceMoneyFen', 'policyTalks', 'consultationAttendance', 'attendance', 'receptions', 'onsiteOffices',
  'enterprisesVisited', 'projectsVisited', 'researchActivities', 'villagesCovered',
  // writings (by written_on, drafts left out)
  'diaries', 'researchTopics', 'researchReports', 'leaderMemos', 'developmentPlans',
  // practical matters and funds
  'mattersPromised', 'mattersDone', 'matterFundsFen',
  // tickets
  'ticketsRegistered', 'problemsSolved', 'resolveRate', 'onTimeRate', 'satisfactionRate',
  // people
  'cadresDispatched', 'teamsFormed',
  // compliance
  'complianceRate',
] as const;
export const figureKey = z.enum(figureKeys);
export type FigureKey = z.infer<typeof figureKey>;

export type FigureDefinition = {
  zh: string;
  en: string;
  /** The unit after the number, as the articles write it (天, 篇, 户, 人次, 元 …). */
  unit: { zh: string; en: string };
  format: FigureFormat;
  group: 'activities' | 'writings' | 'matters' | 'tickets' | 'people' | 'compliance';
  records: FigureRecordKind;
  /** The definition a reader needs, stated once and shown beside the figure. */
  definition: { zh: string; en: string };
};

/** A figure's value: rates carry their numerator and denominator; null = not computable (0 ÷ 0). */
export const figureValue = z.object({
  key: figureKey,
  value: z.number().nullable(),
  numerator: z.number().optional(),
  denominator: z.number().optional(),
});
export type FigureValue = z.infer<typeof figureValue>;

const day = z.iso.date({ message: '日期格式应为 YYYY-MM-DD' });

/** Which records a statistic covers. from/to are China calendar days, both included. */
export const statisticsScope = z.object({
  campaignId: dbIdQuery.optional().describe('one campaign; absent = all campaigns and records of none'),
  regionCode: z.string().regex(/^\d{6,20}$/, '区划代码应为数字').optional().describe('this region and the regions under it'),
  unitId: dbIdQuery.optional().describe('records a cadre of this unit (or a unit under it) took part in'),
  from: day,
  to: day,
}).refine((s) => s.to >= s.from, { path: ['to'], message: '结束日期不能早于开始日期' })
  .refine((s) => Date.parse(s.to) - Date.parse(s.from) <= 3660 * 86_400_000, { path: ['to'], message: '统计期最长10年' });
export type StatisticsScope = z.infer<typeof statisticsScope>;

export const statisticsQuery = statisticsScope.and(z.object({
  figures: z.string().optional().describe('comma-separated figure keys; absent = all'),
}));

export const statisticsResult = z.object({
  scope: z.object({
    campaign: z.object({ id: z.number().int(), name: z.string() }).nullable(),
    region: z.object({ code: z.string(), name: z.string() }).nullable(),
    unit: z.object({ id: z.number().int(), name: z.string() }).nullable(),
    from: z.string(),
    to: z.string(),
  }),
  figures: z.array(figureValue),
  computedAt: z.string(),
});
export type StatisticsResult = z.infer<typeof statisticsResult>;

/** The records behind one figure, a page at a time. */
export const figureRecordsQuery = statisticsScope.and(paging).and(z.object({ figure: figureKey }));

export const figureRecord = z.object({
  kind: z.enum(figureRecordKinds),
  id: z.number().int(),
  /** China date the record counts on. */
  date: z.string().nullable(),
  title: z.string(),
  regionName: z.string().nullable(),
  /** Cadres (names) who did it; masked per the caller's role like elsewhere. */
  people: z.string(),
  /** What this record adds to the figure (1 visit, 3 stay days, 200 元 = 20000 fen, 12 人次 …). */
  contributes: z.number().nullable(),
  /** For distinct counts (户, 家, 个): the counted thing this record reaches (a target, a village). */
  counted: z.array(z.object({ id: z.number().int(), name: z.string() })).optional(),
  /** Web path of the record's own page. */
  link: z.string().nullable(),
});
export type FigureRecord = z.infer<typeof figureRecord>;
export const figureRecordsResult = pageOf(figureRecord).extend({
  figure: figureValue,
  recordKind: z.enum(figureRecordKinds),
  /** For a distinct count: how many distinct things the listed records reach (= the figure). */
  distinct: z.number().int().optional(),
});
export type FigureRecordsResult = z.infer<typeof figureRecordsResult>;

// ── Comparisons ─────────────────────────────────────────────────────────────────────────────

/** Period over period (the same length just before, or the same days a year earlier) or region against region. */
export const comparisonQuery = statisticsScope.and(z.object({
  against: z.enum(['previous', 'lastYear', 'regions']).default('previous'),
  /** For against=regions: comma-separated region codes (2–20) compared over the same period. */
  regionCodes: z.string().optional(),
  figures: z.string().optional(),
}));
export const comparisonColumn = z.object({ label: z.string(), from: z.string(), to: z.string(), regionCode: z.string().nullable(), figures: z.array(figureValue) });
export const comparisonResult = z.object({
  against: z.enum(['previous', 'lastYear', 'regions']),
  columns: z.array(comparisonColumn),
  /** Per figure, the change of the first column against the second (period comparisons only). */
  changes: z.array(z.object({ key: figureKey, delta: z.number().nullable(), ratio: z.number().nullable() })),
});
export type ComparisonResult = z.infer<typeof comparisonResult>;

// ── Dashboard (驾驶舱) ─────────────────────────────────────────────────────────────────────

export const ragLevel = z.enum(['red', 'amber', 'green']);
export type RagLevel = z.infer<typeof ragLevel>;

export const dashboardQuery = statisticsScope;
export const dashboardResult = z.object({
  scope: statisticsResult.shape.scope,
  figures: z.array(figureValue),
  /** One level down the region tree (county → townships → villages), each with the headline figures. */
  children: z.array(z.object({ code: z.string(), name: z.string(), level: z.string(), figures: z.array(figureValue), rag: ragLevel })),
  /** Monthly (or daily for a period under 62 days) series of the headline figures. */
  trend: z.object({ granularity: z.enum(['day', 'month']), points: z.array(z.object({ period: z.string(), figures: z.array(figureValue) })) }),
  rankings: z.object({
    regions: z.array(z.object({ code: z.string(), name: z.string(), score: z.number(), rank: z.number().int() })),
    units: z.array(z.object({ id: z.number().int(), name: z.string(), score: z.number(), rank: z.number().int() })),
    cadres: z.array(z.object({ id: z.number().int(), name: z.string(), unitName: z.string(), score: z.number(), rank: z.number().int() })),
  }),
  warnings: z.array(z.object({ level: ragLevel, subject: z.string(), message: z.string(), link: z.string().nullable() })),
  computedAt: z.string(),
});
export type DashboardResult = z.infer<typeof dashboardResult>;

