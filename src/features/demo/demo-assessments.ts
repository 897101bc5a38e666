import type { AssessmentTree, DecisionKind } from '../../../contracts/assessments.ts';
import type { Executor } from '../../db/database.ts';
import type { Actor } from '../auth/actor.ts';
import { chinaToday } from '../campaigns/campaigns.ts';
import { actOnAssessment, computeAutoScores, createAssessment, rankingOf, saveTree, setScore } from '../assessments/assessments.ts';
import { createDecision } from '../assessments/decisions.ts';
import { seededRandom } from './names.ts';

// The demo county's 1000-point assessment of its townships for the current year: auto indicators
// computed from the demo's pairings, compliance, tickets, reports and funds; manual ones, bonus and
// deduction items scored with notes; approved and published; rewards and penalties decided on the
// ranking (the top township's cadres promoted and commended, the last one criticised).

const tree: AssessmentTree = {
  groups: [
    {
      code: 'A', name: '联系服务群众', indicators: [
        { code: 'A1', name: '结对联系覆盖率', weight: 150, method: 'auto', measure: 'coverage', formula: { kind: 'ratio', target: 1 } },
        { code: 'A2', name: '硬性要求达标率', weight: 150, method: 'auto', measure: 'compliance', formula: { kind: 'ratio', target: 0.15 } },
        { code: 'A3', name: '办实事资金', weight: 100, method: 'auto', measure: 'funds', formula: { kind: 'ratio', target: 1_000_000 } },
      ],
    },
    {
      code: 'B', name: '民情办理质效', indicators: [
        { code: 'B1', name: '按期办结率', weight: 100, method: 'auto', measure: 'on_time', formula: { kind: 'ratio', target: 0.95 } },
        { code: 'B2', name: '群众满意率', weight: 100, method: 'auto', measure: 'satisfaction', formula: { kind: 'band', floor: 0.6, target: 0.95 } },
      ],
    },
    {
      code: 'C', name: '调查研究与作风建设', indicators: [
        { code: 'C1', name: '蹲点手记与调研成果', weight: 100, method: 'auto', measure: 'reports', formula: { kind: 'ratio', target: 8, writingKinds: ['diary', 'research_report', 'leader_memo'] } },
        { code: 'C2', name: '作风建设', weight: 150, method: 'manual', description: '查阅台账、暗访、群众座谈' },
        { code: 'C3', name: '特色工作与创新', weight: 150, method: 'manual', description: '经验做法被上级推广等' },
      ],
    },
  ],
  bonus: [
    { code: 'J1', name: '获市级以上表彰', weight: 20 },
    { code: 'J2', name: '经验做法被市级以上推广', weight: 15 },
  ],
  deductions: [
    { code: 'K1', name: '被市级以上通报批评', weight: 30 },
    { code: 'K2', name: '发生形式主义问题被查实', weight: 20 },
  ],
  bonusCap: 30,
  deductionCap: 50,
};

export type DemoAssessmentsResult = { schemeId: number; townships: number; decisions: number };

export async function loadDemoAssessments(tx: Executor, actor: Actor, opts: { campaignId: number; countyCode: string; today?: string }): Promise<DemoAssessmentsResult> {
  const random = seededRandom(20261122);
  const today = opts.today ?? chinaToday();
  const year = Number(today.slice(0, 4));
  const scheme = await createAssessment(tx, actor, {
    year, name: `${year}年度乡镇（街道）千分制考核`, regionCode: `${opts.countyCode}000000`.slice(0, 12), campaignId: opts.campaignId, subjectKind: 'township',
  });
  const d = await saveTree(tx, actor, scheme.id, tree);
  await actOnAssessment(tx, actor, scheme.id, 'start');
  await computeAutoScores(tx, actor, scheme.id);
  const item = (code: string) => d.items.find((i) => i.code === code)!.id;
  const notes = ['查阅工作台账，记录完整', '暗访三个村，群众反映较好', '座谈会材料齐全', '个别村记录不够及时', '整改到位'];
  for (const [n, subj] of d.subjects.entries()) {
    await setScore(tx, actor, scheme.id, subj.id, item('C2'), { score: 110 + Math.round(random() * 38), note: notes[n % notes.length]! });
    await setScore(tx, actor, scheme.id, subj.id, item('C3'), { score: 95 + Math.round(random() * 50), note: '特色工作材料' });
    if (n % 5 === 1) await setScore(tx, actor, scheme.id, subj.id, item('J1'), { score: 20, note: '获市级先进集体' });
    if (n % 7 === 3) await setScore(tx, actor, scheme.id, subj.id, item('J2'), { score: 10, note: '经验在全市推广' });
    if (n % 6 === 4) await setScore(tx, actor, scheme.id, subj.id, item('K1'), { score: 15, note: '市纪委通报一起' });
    if (n % 9 === 2) await setScore(tx, actor, scheme.id, subj.id, item('K2'), { score: 10, note: '走访记录后补被查实' });
  }
  await actOnAssessment(tx, actor, scheme.id, 'submit');
  await actOnAssessment(tx, actor, scheme.id, 'approve');
  await actOnAssessment(tx, actor, scheme.id, 'publish');

  // Decisions on the ranking: the first township's party committee and cadres, and the last one's.
  const ranking = await rankingOf(tx, actor, scheme.id);
  const top = d.subjects.find((x) => x.id === ranking.rows[0]!.subjectId)!;
  const bottom = d.subjects.find((x) => x.id === ranking.rows[ranking.rows.length - 1]!.subjectId)!;
  const unitOf = (regionCode: string | null) => tx.selectFrom('units').select('id').where('region_code', '=', regionCode!).where('level', '=', 'township').orderBy('id').executeTakeFirst();
  const cadresOf = async (unitId: number, n: number) => (await tx.selectFrom('cadres').select('id').where('unit_id', '=', unitId).where('status', '=', 'active').orderBy('id').limit(n).execute()).map((c) => c.id);
  const reference = (n: number) => `象委干〔${year}〕${n}号`;
  let decisions = 0;
  const decide = async (kind: DecisionKind, who: { cadreId: number } | { unitId: number }, decision: string, ref: number) => {
    await createDecision(tx, actor, { schemeId: scheme.id, year, kind, ...who, decision, decidedOn: today, reference: reference(ref) });
    decisions++;
  };
  const topUnit = await unitOf(top.regionCode);
  const bottomUnit = await unitOf(bottom.regionCode);
  if (topUnit) {
    await decide('commend', { unitId: topUnit.id }, `${year}年度千分制考核第一名，评为优秀等次`, 31);
    for (const c of await cadresOf(topUnit.id, 3)) await decide('promote', { cadreId: c }, '考核优秀，列入提拔重用人选', 32);
  }
  if (bottomUnit) {
    await decide('criticize', { unitId: bottomUnit.id }, `${year}年度千分制考核末位，全县通报批评`, 33);
    const [first, second] = await cadresOf(bottomUnit.id, 2);
    if (first) await decide('reassign', { cadreId: first }, '履职不力，调整岗位', 34);
    if (second) await decide('admonish', { cadreId: second }, '联系群众不到位，诫勉谈话', 35);
  }
  return { schemeId: scheme.id, townships: d.subjects.length, decisions };
}
