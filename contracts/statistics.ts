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
  children: z.array(z.object({
    code: z.string(), name: z.string(), level: z.string(), figures: z.array(figureValue), rag: ragLevel,
    /** Why the region is not green (the measures below their thresholds), empty when green. */
    ragReasons: z.array(z.string()),
  })),
  /** Monthly (or daily for a period under 62 days) series of the headline figures. */
  trend: z.object({ granularity: z.enum(['day', 'month']), points: z.array(z.object({ period: z.string(), figures: z.array(figureValue) })) }),
  rankings: z.object({
    regions: z.array(z.object({ code: z.string(), name: z.string(), score: z.number(), rank: z.number().int() })),
    units: z.array(z.object({ id: z.number().int(), name: z.string(), score: z.number(), rank: z.number().int() })),
    cadres: z.array(z.object({ id: z.number().int(), name: z.string(), unitName: z.string(), score: z.number(), rank: z.number().int() })),
    /** How many cadres were ranked (cadres lists the top and the bottom ten of them). */
    cadresRanked: z.number().int(),
  }),
  warnings: z.array(z.object({ level: ragLevel, subject: z.string(), message: z.string(), link: z.string().nullable() })),
  computedAt: z.string(),
});
export type DashboardResult = z.infer<typeof dashboardResult>;


// ── Definitions (shown beside every figure; the SQL in src/features/statistics/figures.ts) ──

const actDay = { zh: '按开始时间的北京时间日期计入统计期（含起止日）', en: 'counted by the China date it started (period ends included)' };
const act = (zhWhat: string, enWhat: string) => ({ zh: `${zhWhat}；${actDay.zh}。按单位统计时，为该单位（含下级）干部参加的记录。`, en: `${enWhat}; ${actDay.en}. For a unit: records a cadre of the unit (or a unit under it) took part in.` });
const wr = (zhKind: string, enKind: string) => ({
  zh: `统计期内撰写（按撰写日期）的${zhKind}篇数，已提交、已评阅或已选用的均计，草稿不计。按区划、单位统计时按撰写时记录的区划和作者单位。`,
  en: `${enKind} written in the period (by the date written), submitted, reviewed or selected; drafts are left out. Region and unit are those recorded on the writing.`,
});

export const figureDefinitions: Record<FigureKey, FigureDefinition> = {
  stayDays: { zh: '驻村蹲点天数', en: 'Stay days', unit: { zh: '天', en: 'days' }, format: 'count', group: 'activities', records: 'activity',
    definition: act('“驻村蹲点”记录覆盖的北京时间自然日数之和（每条记录按其起止时间覆盖的不同日期计，多人同去一条记录只计一次）', 'Sum over 驻村蹲点 (stay) records of the China calendar days each covers (a record with several cadres counts once)') },
  householdVisits: { zh: '走访入户次数', en: 'Household visits', unit: { zh: '次', en: 'visits' }, format: 'count', group: 'activities', records: 'activity',
    definition: act('“走访入户”记录的条数', 'Number of 走访入户 (household visit) records') },
  householdsVisited: { zh: '走访农户', en: 'Households visited', unit: { zh: '户', en: 'households' }, format: 'count', group: 'activities', records: 'activity',
    definition: act('“走访入户”记录所联系的农户（联系对象类别为农户）去重后的户数，同一户走访多次只计一户', 'Distinct households (targets of kind household) reached by 走访入户 records; a household visited several times counts once') },
  forums: { zh: '召开座谈会', en: 'Forums held', unit: { zh: '次', en: 'times' }, format: 'count', group: 'activities', records: 'activity',
    definition: act('“座谈会”记录的条数', 'Number of 座谈会 (forum) records') },
  talkAttendance: { zh: '与群众谈心', en: 'Heart-to-heart talks', unit: { zh: '人次', en: 'person-times' }, format: 'count', group: 'activities', records: 'activity',
    definition: act('“谈心谈话”记录所填参加人次之和（未填人次的记录不计）', 'Sum of the attendance (人次) entered on 谈心谈话 (talk) records (records without attendance add nothing)') },
  hardshipHouseholdsComforted: { zh: '慰问困难户', en: 'Hardship households comforted', unit: { zh: '户', en: 'households' }, format: 'count', group: 'activities', records: 'activity',
    definition: act('“走访慰问”记录所联系的、带“困难户”标签的农户去重后的户数', 'Distinct households tagged 困难户 reached by 走访慰问 (condolence) records') },
  condolenceMoneyFen: { zh: '发放慰问金', en: 'Condolence money', unit: { zh: '元', en: 'yuan' }, format: 'fen', group: 'activities', records: 'activity',
    definition: act('“走访慰问”记录所填慰问金之和（以分存储，显示为元或万元）', 'Sum of the money entered on 走访慰问 (condolence) records (stored in fen, shown in 元 / 万元)') },
  policyTalks: { zh: '主题宣讲', en: 'Policy talks', unit: { zh: '次', en: 'times' }, format: 'count', group: 'activities', records: 'activity',
    definition: act('“主题宣讲”记录的条数', 'Number of 主题宣讲 (policy talk) records') },
  consultationAttendance: { zh: '恳谈', en: 'Consultation attendance', unit: { zh: '人次', en: 'person-times' }, format: 'count', group: 'activities', records: 'activity',
    definition: act('“恳谈会”记录所填参加人次之和', 'Sum of the attendance entered on 恳谈会 (consultation) records') },
  attendance: { zh: '参与群众', en: 'Attendance', unit: { zh: '人次', en: 'person-times' }, format: 'count', group: 'activities', records: 'activity',
    definition: act('各类记录所填参加人次之和（座谈会、谈心谈话、恳谈会、主题宣讲、接访、现场办公）', 'Sum of the attendance entered on every record (forums, talks, consultations, policy talks, receptions, on-site offices)') },
  receptions: { zh: '接待群众来访', en: 'Receptions', unit: { zh: '次', en: 'times' }, format: 'count', group: 'activities', records: 'activity',
    definition: act('“接访”记录的条数', 'Number of 接访 (reception) records') },
  onsiteOffices: { zh: '现场办公', en: 'On-site offices', unit: { zh: '次', en: 'times' }, format: 'count', group: 'activities', records: 'activity',
    definition: act('“现场办公”记录的条数', 'Number of 现场办公 (on-site office) records') },
  enterprisesVisited: { zh: '走访企业', en: 'Enterprises visited', unit: { zh: '家', en: 'enterprises' }, format: 'count', group: 'activities', records: 'activity',
    definition: act('“走访企业”记录所联系的企业去重后的家数', 'Distinct enterprises reached by 走访企业 (enterprise visit) records') },
  projectsVisited: { zh: '服务重点项目', en: 'Projects visited', unit: { zh: '个', en: 'projects' }, format: 'count', group: 'activities', records: 'activity',
    definition: act('“服务项目”记录所联系的重点项目去重后的个数', 'Distinct key projects reached by 服务项目 (project visit) records') },
  researchActivities: { zh: '开展调研', en: 'Research visits', unit: { zh: '次', en: 'times' }, format: 'count', group: 'activities', records: 'activity',
    definition: act('“调研”记录的条数', 'Number of 调研 (research) records') },
  villagesCovered: { zh: '覆盖村（社区）', en: 'Villages covered', unit: { zh: '个', en: 'villages' }, format: 'count', group: 'activities', records: 'activity',
    definition: act('有记录发生地位于其中的村（社区）去重后的个数（发生地在乡镇及以上的记录不计入任何村）', 'Distinct villages and communities some record happened in (a record placed at a township or above covers no village)') },
  diaries: { zh: '撰写驻村蹲点手记', en: 'Diaries', unit: { zh: '篇', en: 'pieces' }, format: 'count', group: 'writings', records: 'writing', definition: wr('蹲点手记', 'Diaries') },
  researchTopics: { zh: '调研课题', en: 'Research topics', unit: { zh: '个', en: 'topics' }, format: 'count', group: 'writings', records: 'writing', definition: wr('调研课题', 'Research topics') },
  researchReports: { zh: '形成调研报告', en: 'Research reports', unit: { zh: '篇', en: 'reports' }, format: 'count', group: 'writings', records: 'writing', definition: wr('调研报告', 'Research reports') },
  leaderMemos: { zh: '领导参阅', en: 'Memos to leaders', unit: { zh: '篇', en: 'memos' }, format: 'count', group: 'writings', records: 'writing', definition: wr('领导参阅', 'Memos to leaders') },
  developmentPlans: { zh: '帮助制定发展计划', en: 'Development plans', unit: { zh: '个', en: 'plans' }, format: 'count', group: 'writings', records: 'writing', definition: wr('发展计划', 'Development plans') },
  mattersPromised: { zh: '承诺实事项目', en: 'Matters promised', unit: { zh: '件', en: 'matters' }, format: 'count', group: 'matters', records: 'matter',
    definition: { zh: '承诺日期在统计期内的实事项目件数（不论当前状态）。按单位统计时按实事记录的单位。', en: 'Practical matters promised (by the promise date) in the period, whatever their state now. A unit: the unit recorded on the matter.' } },
  mattersDone: { zh: '落实实事项目', en: 'Matters done', unit: { zh: '件', en: 'matters' }, format: 'count', group: 'matters', records: 'matter',
    definition: { zh: '已办结且办结日期在统计期内的实事项目件数。', en: 'Practical matters done, with the completion date in the period.' } },
  matterFundsFen: { zh: '项目扶助资金', en: 'Matter funds', unit: { zh: '元', en: 'yuan' }, format: 'fen', group: 'matters', records: 'matter',
    definition: { zh: '统计期内办结的实事项目（同“落实实事项目”）所填资金之和（以分存储，显示为元或万元）。', en: 'Sum of the funds of the matters done in the period (as “Matters done”), stored in fen, shown in 元 / 万元.' } },
  ticketsRegistered: { zh: '受理群众诉求', en: 'Tickets registered', unit: { zh: '件', en: 'tickets' }, format: 'count', group: 'tickets', records: 'ticket',
    definition: { zh: '统计期内登记的工单数（按登记时间的北京时间日期）；已合并到其他工单的重复件不计。按单位统计时为该单位发现或承办的工单。', en: 'Tickets registered in the period (China date of registration); duplicates merged into another ticket are left out. A unit: tickets its cadres found or it handles.' } },
  problemsSolved: { zh: '解决实际问题', en: 'Problems solved', unit: { zh: '个', en: 'problems' }, format: 'count', group: 'tickets', records: 'ticket',
    definition: { zh: '办结时间（北京时间日期）在统计期内的工单数，不论何时登记；因不满意重办、尚未再次办结的不计。', en: 'Tickets resolved in the period (China date of resolution), whenever registered; a ticket reopened after an unsatisfied rating counts again only once resolved again.' } },
  resolveRate: { zh: '办结率', en: 'Resolution rate', unit: { zh: '%', en: '%' }, format: 'rate', group: 'tickets', records: 'ticket',
    definition: { zh: '办结率 = 办结数 ÷ 受理量，只统计统计期内登记的工单（与工单考核指标的定义相同）；受理量为0时不计算。', en: 'Resolved ÷ registered, over the tickets registered in the period (as in the ticket measures); none when nothing was registered.' } },
  onTimeRate: { zh: '按期办结率', en: 'On-time rate', unit: { zh: '%', en: '%' }, format: 'rate', group: 'tickets', records: 'ticket',
    definition: { zh: '按期办结率 = 按期办结数 ÷ 办结数，只统计统计期内登记的工单；即知即改视为按期；办结数为0时不计算。', en: 'Resolved by the deadline ÷ resolved, over the tickets registered in the period; fixed on the spot counts as on time; none when nothing was resolved.' } },
  satisfactionRate: { zh: '满意率', en: 'Satisfaction rate', unit: { zh: '%', en: '%' }, format: 'rate', group: 'tickets', records: 'ticket',
    definition: { zh: '满意率 =（满意 + 基本满意）÷ 已评价数，只统计统计期内登记的工单，以最近一次评价为准；已评价数为0时不计算。', en: '(Satisfied + basically satisfied) ÷ rated, over the tickets registered in the period, by the latest rating; none when nothing was rated.' } },
  cadresDispatched: { zh: '下派干部', en: 'Cadres dispatched', unit: { zh: '名', en: 'cadres' }, format: 'count', group: 'people', records: 'pairing',
    definition: { zh: '统计期内至少有一天处于结对状态的干部去重人数：本人直接结对，或作为组团成员随组团结对（在组期间）。按区划统计时按结对对象所在区划，按单位统计时按干部现属单位。', en: 'Distinct cadres with a pairing open on at least one day of the period: paired directly, or a member of a paired team while a member. Region: the paired target’s region; unit: the cadre’s current unit.' } },
  teamsFormed: { zh: '组建工作组', en: 'Teams formed', unit: { zh: '个', en: 'teams' }, format: 'count', group: 'people', records: 'team',
    definition: { zh: '截至统计期末已组建（按创建日期）的组团、调研组、专题服务组个数。按区划统计时计入组长单位所在区划和组团结对对象所在区划；按单位统计时按组长单位。', en: 'Teams (groups, research and service teams) formed by the end of the period (creation date). Region: the leader’s unit’s region and the regions of the team’s paired targets; unit: the leader’s unit.' } },
  complianceRate: { zh: '履职达标率', en: 'Compliance rate', unit: { zh: '%', en: '%' }, format: 'rate', group: 'compliance', records: 'compliance',
    definition: { zh: '达标率 = 达标数 ÷（达标数 + 未达标数），统计启用的、按干部考核的硬性要求的结果：考核周期在统计期内结束的，以及统计期末仍在进行但已确定达标或未达标的；进度正常、有风险的不计。', en: 'Met ÷ (met + missed) over the results of active requirement rules judged per cadre, for windows ending in the period and windows still open at its end whose outcome is already settled; on-track and at-risk rows are not yet decided.' } },
};
