import type { SurveyAnswerValue } from '../../../contracts/surveys.ts';
import type { SurveyThresholds } from '../../config.ts';
import type { Executor } from '../../db/database.ts';
import type { PersonalDataKey } from '../../lib/personal-data.ts';
import type { Actor } from '../auth/actor.ts';
import { chinaToday } from '../campaigns/campaigns.ts';
import { publicSurvey, submitResponse } from '../surveys/public.ts';
import { createLinks, createSurvey, updateSurvey } from '../surveys/surveys.ts';
import { seededRandom } from './names.ts';

// One 双评 round in the demo campaign: this month the public rate the cadres serving six villages,
// and this quarter enterprises rate six county departments. Answers go through the public page's
// own function (submitResponse), so every 不满意 is a rectification ticket and the inflation checks
// run; one burst of identical all-满意 answers from one phone-shaped device is there to be flagged.

export type DemoSurveysResult = { surveys: number; responses: number; tickets: number; flagged: number };

const comments: Record<string, string[]> = {
  责任担当: ['反映的问题一直没人回音', '说好来看看，后来再没来过', '遇事推诿，让我们找别的部门'],
  服务效能: ['办事要跑好几趟，材料一次说不清', '答复太慢，拖了一个多月', '审批时间太长，影响企业开工'],
  作风形象: ['态度生硬，不耐烦', '来了就拍照，没听我们说完', '工作时间找不到人'],
};

const at = (day: string, minutes: number) => new Date(new Date(`${day}T08:00:00+08:00`).getTime() + minutes * 60_000);

export async function loadDemoSurveys(
  tx: Executor, actor: Actor, key: PersonalDataKey, ctx: { campaignId: number; today?: string; thresholds: SurveyThresholds },
): Promise<DemoSurveysResult> {
  const today = ctx.today ?? chinaToday();
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const random = seededRandom(6_2026);
  const questions = [
    { dimension: '责任担当', text: '联系干部是否主动上门、倾听诉求、帮助解决实际困难', required: true, allowComment: true },
    { dimension: '服务效能', text: '反映的问题是否得到及时有效办理', required: true, allowComment: true },
    { dimension: '作风形象', text: '工作作风是否务实、廉洁、文明', required: true, allowComment: true },
  ];
  const open = async (input: Parameters<typeof createSurvey>[2]) => {
    const s = await createSurvey(tx, actor, input);
    await updateSurvey(tx, actor, s.id, { version: s.version, state: 'open' });
    return s;
  };
  const cadreRound = await open({
    title: `${y}年${m}月群众评干部`, kind: 'public_cadre', campaignId: ctx.campaignId, regionCode: '330225000000', period: { kind: 'month', year: y, month: m },
    intro: '请对为本村（社区）服务的联系干部作出评价。您的手机号只用于防止重复评价，被评价的干部看不到您的任何信息。', questions,
  });
  const unitRound = await open({
    title: `${y}年第${Math.floor((m - 1) / 3) + 1}季度企业评部门`, kind: 'enterprise_unit', campaignId: ctx.campaignId, regionCode: '330225000000',
    period: { kind: 'quarter', year: y, quarter: Math.floor((m - 1) / 3) + 1 },
    intro: '请企业对县级部门的营商环境和服务作出评价。', questions: questions.map((q) => ({ ...q, text: q.dimension === '责任担当' ? '部门是否主动靠前服务企业' : q.dimension === '服务效能' ? '审批办事是否便捷高效' : '工作人员是否清正廉洁、热情规范' })),
  });

  // Six villages with cadres paired directly, each in a different township.
  const paired = await tx.selectFrom('contact_targets as t').select(['t.id', 't.region_path']).where('t.kind', 'in', ['village', 'community'])
    .where((eb) => eb.exists(eb.selectFrom('pairings as p').select('p.id').whereRef('p.target_id', '=', 't.id').where('p.campaign_id', '=', ctx.campaignId).where('p.ends_on', 'is', null).where('p.cadre_id', 'is not', null)))
    .orderBy('t.id').execute();
  const townships = new Set<string>();
  const villages = paired.filter((t) => {
    const township = t.region_path.split('/').slice(0, 4).join('/');
    if (townships.has(township) || townships.size >= 6) return false;
    townships.add(township);
    return true;
  });
  const depts = await tx.selectFrom('units').select('id').where('code', 'in', ['XS-NYJ', 'XS-SCJ', 'XS-ZJJ', 'XS-ZRJ', 'XS-JXJ', 'XS-RSJ']).orderBy('id').execute();
  const cadreLinks = await createLinks(tx, actor, cadreRound.id, { targetIds: villages.map((v) => v.id) });
  const unitLinks = await createLinks(tx, actor, unitRound.id, { unitIds: depts.map((u) => u.id) });

  let responses = 0;
  let tickets = 0;
  let phoneSeq = 0;
  const phone = () => `139${String(57_000_000 + phoneSeq++ * 7919).padStart(8, '0')}`;
  const pick = (): SurveyAnswerValue => {
    const r = random();
    return r < 0.66 ? 'satisfied' : r < 0.92 ? 'basic' : 'unsatisfied';
  };
  const answerOne = async (token: string, qids: number[], dims: string[], subject: string | undefined, when: Date, opts: { all?: SurveyAnswerValue; deviceId?: string; ip?: string } = {}) => {
    const answers = qids.map((questionId, i) => {
      const value = opts.all ?? pick();
      const list = comments[dims[i]!]!;
      const comment = value === 'unsatisfied' ? list[Math.floor(random() * list.length)] : undefined;
      return { questionId, value, ...(comment ? { comment } : {}) };
    });
    const r = await submitResponse(tx, key, ctx.thresholds, token, { phone: phone(), deviceId: opts.deviceId ?? `demo-device-${phoneSeq}`, answers, ...(subject ? { subject } : {}) }, { now: when, ip: opts.ip ?? `10.${phoneSeq % 200}.${Math.floor(phoneSeq / 200)}.7` });
    responses++;
    tickets += r.rectifications;
  };

  // Answers spread over the days of this month before today (today itself on the 1st), during the day.
  const days = Array.from({ length: Math.max(1, d - 1) }, (_, i) => `${y}-${String(m).padStart(2, '0')}-${String(i + 1).padStart(2, '0')}`);
  const someDay = () => days[Math.floor(random() * days.length)]!;
  const cq = cadreRound.questions.map((q) => q.id);
  const cdims = cadreRound.questions.map((q) => q.dimension);
  for (const link of cadreLinks) {
    const page = await publicSurvey(tx, link.token, at(today, 0));
    for (const s of page.subjects.slice(0, 3)) {
      const n = 4 + Math.floor(random() * 5);
      for (let i = 0; i < n; i++) {
        const day = someDay();
        await answerOne(link.token, cq, cdims, s.key, at(day, Math.floor(random() * 600)));
      }
    }
  }
  // The burst: six identical all-满意 answers for one cadre within eight minutes, from one device.
  const burstLink = cadreLinks[0];
  if (burstLink) {
    const page = await publicSurvey(tx, burstLink.token, at(today, 0));
    const s = page.subjects[0];
    if (s) for (let i = 0; i < 6; i++) await answerOne(burstLink.token, cq, cdims, s.key, at(days[0]!, 120 + i * 1.5), { all: 'satisfied', deviceId: 'demo-burst-device', ip: '10.250.1.20' });
  }
  const uq = unitRound.questions.map((q) => q.id);
  const udims = unitRound.questions.map((q) => q.dimension);
  for (const link of unitLinks) {
    const n = 5 + Math.floor(random() * 6);
    for (let i = 0; i < n; i++) {
      const day = someDay();
      await answerOne(link.token, uq, udims, undefined, at(day, Math.floor(random() * 600)));
    }
  }
  const flagged = Number((await tx.selectFrom('survey_flags').select((eb) => eb.fn.count<number>('response_id').distinct().as('n')).executeTakeFirstOrThrow()).n);
  return { surveys: 2, responses, tickets, flagged };
}
