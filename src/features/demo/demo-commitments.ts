import type { CreateCommitment } from '../../../contracts/commitments.ts';
import type { Executor } from '../../db/database.ts';
import { createUser } from '../auth/accounts.ts';
import type { Actor } from '../auth/actor.ts';
import { chinaToday } from '../campaigns/campaigns.ts';
import { addMilestone, createCommitment, honourCommitment, setProgress, updateCommitment, updateMilestone } from '../commitments/commitments.ts';

// Public commitments (公开履职承诺) of the demo county's leaders: ten pledges by county leaders and
// township leaders, in every state — in progress, honoured, overdue, adjusted (with the reason),
// progress set by hand, one draft — written through the domain functions with each step on its
// own day (WriteOptions.now), so the public log reads like a real history. Dates are relative to
// the day the demo is built. Also the 丹东街道 unit leader's login (`unitleader`).

export type DemoCommitmentsResult = { commitments: number; published: number; login: { username: string; unitName: string } };

const DAY = 86_400_000;
const shift = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
/** An instant on a China calendar day, at a given hour there. */
const at = (day: string, hour = 10) => new Date(Date.parse(`${day}T00:00:00+08:00`) + hour * 3_600_000);

type Step =
  | { day: number; do: 'done'; milestone: number; evidence: string; matter?: boolean }
  | { day: number; do: 'adjust'; dueOn: number; reason: string }
  | { day: number; do: 'progress'; percent: number | null; reason?: string; note?: string }
  | { day: number; do: 'note'; note: string }
  | { day: number; do: 'add'; title: string; planned: number }
  | { day: number; do: 'honour'; note: string };

type Spec = {
  leader: 'county0' | 'county1' | 'county2' | 'dandong' | 'town1' | 'town2' | 'town3' | 'town4';
  region: 'county' | 'dandong' | 'town1' | 'town2' | 'town3' | 'town4';
  title: string; content: string; category: string;
  /** Days relative to today. */
  start: number; due: number;
  milestones: [title: string, planned: number][];
  draft?: boolean;
  steps: Step[];
};

const specs: Spec[] = [
  {
    leader: 'county0', region: 'county', category: '优化营商环境', start: -150, due: 40,
    title: '企业开办全程网办，一个工作日办结', content: '牵头县市场监管局、税务局等部门，推动企业开办“一件事”全程网上办理，压缩至一个工作日内办结，年内走访重点企业不少于30家、协调解决问题不少于20个。',
    milestones: [['梳理企业开办事项清单', -130], ['上线“一件事”办理专区', -80], ['走访重点企业30家', -20], ['全县推广并开展满意度回访', 30]],
    steps: [{ day: -128, do: 'done', milestone: 1, evidence: '清单共梳理事项23项，已在政务服务网公布' }, { day: -75, do: 'done', milestone: 2, evidence: '专区已上线，累计办件412件' }, { day: -18, do: 'done', milestone: 3, evidence: '走访企业32家，收集问题27个，已解决21个' }],
  },
  {
    leader: 'county1', region: 'town1', category: '为民办实事', start: -200, due: -20,
    title: '渔港老旧小区改造，惠及居民600户', content: '推动老旧小区雨污分流、屋面防漏和适老化改造，加装路灯和监控，年底前完成并交付使用。',
    milestones: [['完成入户意见征集', -180], ['施工招标及进场', -120], ['竣工验收', -30]],
    steps: [{ day: -175, do: 'done', milestone: 1, evidence: '入户征求意见586户，同意率97%' }, { day: -118, do: 'done', milestone: 2, evidence: '已完成招标，施工单位进场' }, { day: -28, do: 'done', milestone: 3, evidence: '通过竣工验收，居民代表参加', matter: true }, { day: -25, do: 'honour', note: '工程已交付使用' }],
  },
  {
    leader: 'county2', region: 'town2', category: '基层治理', start: -180, due: -10,
    title: '矛盾纠纷“一站式”调处中心实体化运行', content: '整合综治、信访、司法、调解等力量，实现群众诉求“只进一扇门、最多跑一地”。',
    milestones: [['场地改造完成', -150], ['多部门人员入驻', -90], ['运行机制制度化', -20]],
    steps: [{ day: -148, do: 'done', milestone: 1, evidence: '场地改造完成，面积420平方米' }, { day: -85, do: 'done', milestone: 2, evidence: '6个部门12名人员常驻' }, { day: -15, do: 'note', note: '制度文件正在征求意见，较计划延后' }],
  },
  {
    leader: 'dandong', region: 'dandong', category: '为民办实事', start: -60, due: 60,
    title: '建成丹东街道便民服务中心', content: '整合社保、医保、户籍、不动产登记等窗口，实现群众办事“一站式”服务，工作日延时至晚7点。',
    milestones: [['选址并完成设计', -40], ['装修施工', 20]],
    steps: [{ day: -38, do: 'done', milestone: 1, evidence: '设计方案经街道党工委会议通过' }],
  },
  {
    leader: 'town1', region: 'town1', category: '乡村振兴', start: -120, due: -5,
    title: '建设村级共富工坊3个，带动就业150人', content: '依托村集体闲置用房，引进来料加工企业，吸纳低收入农户和留守妇女就近就业。',
    milestones: [['确定工坊选址', -100], ['引进合作企业', -40], ['三个工坊投产', -10]],
    steps: [{ day: -98, do: 'done', milestone: 1, evidence: '三个村均已确定场地' }, { day: -20, do: 'adjust', dueOn: 45, reason: '合作企业受订单影响推迟入驻，经党委会研究期限顺延50天' }],
  },
  {
    leader: 'town2', region: 'town2', category: '民生保障', start: -90, due: 75,
    title: '农村饮用水达标提标工程覆盖12个村', content: '新建改造供水管网，年内实现12个村饮用水达标，水质定期公开。',
    milestones: [['管网设计', -60], ['管网铺设', 40]],
    steps: [{ day: -30, do: 'progress', percent: 60, reason: '资金已拨付六成，8个村管网已铺设', note: '管网铺设按片区推进' }],
  },
  {
    leader: 'town3', region: 'town3', category: '为民办实事', start: -240, due: -40,
    title: '修建村道4.5公里，解决群众出行难', content: '对三个偏远自然村的村道进行硬化拓宽，增设会车点和安全护栏。',
    milestones: [['立项与资金落实', -210], ['路基施工', -120], ['路面硬化及验收', -50]],
    steps: [
      { day: -205, do: 'done', milestone: 1, evidence: '县交通局批复立项' }, { day: -115, do: 'done', milestone: 2, evidence: '路基完成' },
      { day: -45, do: 'done', milestone: 3, evidence: '验收合格，通车', matter: true }, { day: -44, do: 'honour', note: '村道已通车' },
    ],
  },
  {
    leader: 'town4', region: 'town4', category: '作风建设', start: -100, due: 30,
    title: '班子成员每月驻村不少于5天，走访农户全覆盖', content: '镇班子成员每月驻村蹲点不少于5天，年内走访辖区农户全覆盖，群众诉求件件有回音。',
    milestones: [['制定驻村计划', -95], ['走访完成三分之一', -60], ['走访完成三分之二', -20], ['全覆盖并公开走访情况', 25], ['群众满意度测评', 29]],
    steps: [{ day: -94, do: 'done', milestone: 1, evidence: '驻村计划已公示' }, { day: -55, do: 'done', milestone: 2, evidence: '已走访农户1240户' }, { day: -5, do: 'add', title: '召开走访问题整改推进会', planned: 10 }],
  },
  {
    leader: 'dandong', region: 'dandong', category: '基层治理', start: -10, due: 150, draft: true,
    title: '老旧小区物业服务全覆盖', content: '推动无物业小区引入物业或实行自治管理。', milestones: [['摸底调查', 20]], steps: [],
  },
  {
    leader: 'county0', region: 'county', category: '优化营商环境', start: -3, due: 120,
    title: '涉企政策“免申即享”清单扩大到50项', content: '梳理涉企奖补政策，能免申的一律免申，资金直达企业。',
    milestones: [['政策梳理', 30], ['系统对接', 80], ['全面实施', 115]], steps: [],
  },
];

export async function loadDemoCommitments(tx: Executor, actor: Actor, ctx: { campaignId: number; password: string; today?: string }): Promise<DemoCommitmentsResult> {
  const today = ctx.today ?? chinaToday();
  const root = await tx.selectFrom('units').select(['id', 'region_code']).where('parent_id', 'is', null).orderBy('id').executeTakeFirstOrThrow();
  const countyLeaders = await tx.selectFrom('cadres').select('id').where('unit_id', '=', root.id).where('rank', '=', 'county').orderBy('id').limit(3).execute();
  const townships = await tx.selectFrom('units').select(['id', 'name', 'region_code', 'leader_cadre_id']).where('level', '=', 'township').where('leader_cadre_id', 'is not', null).orderBy('region_code').limit(5).execute();
  if (countyLeaders.length < 3 || townships.length < 5) return { commitments: 0, published: 0, login: { username: '', unitName: '' } };
  const [dandong, t1, t2, t3, t4] = townships as [typeof townships[number], ...typeof townships];
  const leaders: Record<Spec['leader'], number> = {
    county0: countyLeaders[0]!.id, county1: countyLeaders[1]!.id, county2: countyLeaders[2]!.id,
    dandong: dandong.leader_cadre_id!, town1: t1!.leader_cadre_id!, town2: t2!.leader_cadre_id!, town3: t3!.leader_cadre_id!, town4: t4!.leader_cadre_id!,
  };
  const regions: Record<Spec['region'], string> = {
    county: root.region_code, dandong: dandong.region_code, town1: t1!.region_code, town2: t2!.region_code, town3: t3!.region_code, town4: t4!.region_code,
  };

  let published = 0;
  for (const spec of specs) {
    const startsOn = shift(today, spec.start);
    const input: CreateCommitment = {
      campaignId: ctx.campaignId, cadreId: leaders[spec.leader], regionCode: regions[spec.region], title: spec.title, content: spec.content, category: spec.category,
      startsOn, dueOn: shift(today, spec.due), milestones: spec.milestones.map(([title, planned]) => ({ title, plannedOn: shift(today, planned) })), publish: !spec.draft,
    };
    const c = await createCommitment(tx, actor, input, { now: at(startsOn, 9) });
    if (!spec.draft) published++;
    for (const step of spec.steps) {
      const day = shift(today, step.day);
      const now = { now: at(day, 16) };
      if (step.do === 'done') {
        const m = c.milestones[step.milestone - 1]!;
        // A practical matter done in the commitment's region fulfils it, when the demo has one.
        const matter = step.matter
          ? await tx.selectFrom('practical_matters').select('id').where('status', '=', 'done').where('region_path', 'like', `%${regions[spec.region]}%`).orderBy('id').executeTakeFirst()
          : undefined;
        await updateMilestone(tx, actor, c.id, m.id, { doneOn: day, evidence: step.evidence, ...(matter ? { matterIds: [matter.id] } : {}) }, now);
      } else if (step.do === 'adjust') {
        await updateCommitment(tx, actor, c.id, { dueOn: shift(today, step.dueOn), reason: step.reason }, now);
      } else if (step.do === 'progress') {
        await setProgress(tx, actor, c.id, { percent: step.percent, ...(step.reason ? { reason: step.reason } : {}), ...(step.note ? { note: step.note } : {}) }, now);
      } else if (step.do === 'note') {
        await setProgress(tx, actor, c.id, { note: step.note }, now);
      } else if (step.do === 'add') {
        await addMilestone(tx, actor, c.id, { title: step.title, plannedOn: shift(today, step.planned) }, now);
      } else {
        await honourCommitment(tx, actor, c.id, { honouredOn: day, note: step.note }, now);
      }
    }
  }
  await createUser(tx, actor, { username: 'unitleader', displayName: `${dandong.name}责任领导`, password: ctx.password, role: 'unit_leader', unitId: dandong.id });
  return { commitments: specs.length, published, login: { username: 'unitleader', unitName: dandong.name } };
}
