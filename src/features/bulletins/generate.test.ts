import { describe, expect, it } from 'vitest';
import type { FigureValue } from '../../../contracts/statistics.ts';
import { splitByLinks } from '../../../contracts/bulletins.ts';
import { childRanking, formatMoney, statisticsParagraph, wholeRegion } from './generate.ts';

const article: FigureValue[] = [
  { key: 'cadresDispatched', value: 1000 }, { key: 'teamsFormed', value: 18 }, { key: 'stayDays', value: 219 }, { key: 'diaries', value: 36 },
  { key: 'researchReports', value: 18 }, { key: 'forums', value: 78 }, { key: 'householdsVisited', value: 471 }, { key: 'talkAttendance', value: 874 },
  { key: 'hardshipHouseholdsComforted', value: 120 }, { key: 'condolenceMoneyFen', value: 6_500_000 }, { key: 'policyTalks', value: 34 },
  { key: 'consultationAttendance', value: 1170 }, { key: 'problemsSolved', value: 66 }, { key: 'mattersDone', value: 187 },
  { key: 'matterFundsFen', value: 1_086_000_000 }, { key: 'developmentPlans', value: 406 },
  // Zero and not computable figures are left out.
  { key: 'enterprisesVisited', value: 0 }, { key: 'resolveRate', value: null },
];

describe('the statistics paragraph', () => {
  it('reads like the Xiangshan article for its figures', () => {
    const p = statisticsParagraph({ figures: article, regionName: '象山县', from: '2026-03-22', to: '2026-11-20', campaignStartsOn: '2026-03-22', issuedOn: '2026-11-22' });
    expect(p.text).toBe(
      '截至11月20日，全县共下派干部1000名，组建工作组18个，累计进村蹲点调研时间达219天，撰写驻村蹲点手记36篇，形成调研报告18篇，召开座谈会78次，'
      + '走访农户471户，与群众谈心874人次，慰问困难户120户，发放慰问金6.5万元，进行主题宣讲34次，恳谈1170人次，解决实际问题66个。'
      + '已落实实事项目187件、项目扶助资金1086万元，帮助制定发展计划406个。',
    );
    expect(p.links.find((l) => l.figure === 'condolenceMoneyFen')).toEqual({ figure: 'condolenceMoneyFen', text: '发放慰问金6.5万元' });
    expect(p.links.map((l) => l.figure)).not.toContain('enterprisesVisited');
  });

  it('names a period that does not start with the campaign, the year when not the year of issue, and rates', () => {
    const p = statisticsParagraph({
      figures: [{ key: 'householdsVisited', value: 12 }, { key: 'resolveRate', value: 0.9234, numerator: 12, denominator: 13 }, { key: 'satisfactionRate', value: 1 }],
      regionName: '丹东街道', from: '2025-11-01', to: '2025-11-30', campaignStartsOn: '2025-03-01', issuedOn: '2026-01-05',
    });
    expect(p.text).toBe('2025年11月1日至2025年11月30日，全街道走访农户12户。问题办结率92.3%，群众满意率100%。');
  });

  it('says so when nothing was recorded', () => {
    const p = statisticsParagraph({ figures: [], regionName: '石浦镇', from: '2026-01-01', to: '2026-01-31', campaignStartsOn: '2026-01-01', issuedOn: '2026-02-01' });
    expect(p.text).toBe('截至1月31日，全镇暂无可统计的下基层工作记录。');
  });

  it('writes money as a report does', () => {
    expect(formatMoney(500_000)).toBe('5000元');
    expect(formatMoney(12_345)).toBe('123元');
    expect(formatMoney(1_050)).toBe('10.5元');
    expect(formatMoney(6_500_000)).toBe('6.5万元');
    expect(formatMoney(3_256_700)).toBe('3.26万元');
    expect(formatMoney(12_340_000)).toBe('12.3万元');
    expect(formatMoney(2_367_000_000)).toBe('2367万元');
    expect(wholeRegion('象山县')).toBe('全县');
    expect(wholeRegion('东营市')).toBe('全市');
    expect(wholeRegion('鹿城区')).toBe('全区');
  });

  it('finds each figure in an edited paragraph, and only once', () => {
    const links = [{ figure: 'stayDays' as const, text: '累计进村蹲点调研时间达219天' }, { figure: 'diaries' as const, text: '撰写驻村蹲点手记36篇' }];
    expect(splitByLinks('据统计，累计进村蹲点调研时间达219天，另撰写驻村蹲点手记36篇。', links)).toEqual([
      { text: '据统计，' }, { text: '累计进村蹲点调研时间达219天', figure: 'stayDays' }, { text: '，另' }, { text: '撰写驻村蹲点手记36篇', figure: 'diaries' }, { text: '。' },
    ]);
    expect(splitByLinks('全部改写了。', links)).toEqual([{ text: '全部改写了。' }]);
  });

  it('ranks child regions, ties sharing a rank', () => {
    const f = (h: number, s: number): FigureValue[] => [{ key: 'householdsVisited', value: h }, { key: 'stayDays', value: s }];
    const r = childRanking([{ code: 'a', name: '甲镇', figures: f(3, 1) }, { code: 'b', name: '乙镇', figures: f(9, 0) }, { code: 'c', name: '丙镇', figures: f(3, 1) }], '象山县')!;
    expect(r.rows.map((x) => [x.rank, x.name])).toEqual([[1, '乙镇'], [2, '丙镇'], [2, '甲镇']]);
  });
});
