// Strings of the statistics page (统计), Chinese first; the language is the app's (useI18n).
// Figure names, units and definitions come from contracts/statistics.ts (figureDefinitions).
import { useCallback } from 'react';
import { useI18n } from '../i18n.ts';

const zh = {
  statsTitle: '统计',
  statsAllCampaigns: '全部活动',
  statsRegion: '区划（默认本级管辖）',
  statsUnit: '单位',
  statsFigures: '指标',
  statsCompare: '对比',
  statsThisMonth: '本月',
  statsThisQuarter: '本季度',
  statsThisYear: '本年',
  statsSinceCampaign: '活动以来',
  statsGroupActivities: '走访服务',
  statsGroupWritings: '调研成果',
  statsGroupMatters: '实事项目',
  statsGroupTickets: '诉求办理',
  statsGroupPeople: '干部力量',
  statsGroupCompliance: '履职达标',
  statsScope: '统计范围：{scope}，{from} 至 {to}',
  statsAll: '全部管辖范围',
  statsClickHint: '点击指标查看构成该数字的全部记录',
  statsRecords: '明细记录',
  statsRecordCount: '共 {n} 条记录',
  statsDistinct: '去重后计 {n}',
  statsRateOf: '{n} / {d}',
  statsColDate: '日期',
  statsColTitle: '记录',
  statsColRegion: '区划',
  statsColPeople: '干部 / 单位',
  statsColContributes: '计入',
  statsColCounted: '计入对象',
  statsDefinition: '口径',
  statsAgainst: '对比方式',
  statsPrevious: '环比（上一等长周期）',
  statsLastYear: '同比（去年同期）',
  statsRegions: '区划对比',
  statsPickRegions: '选择2至20个区划',
  statsPickRegionsHint: '请选择至少2个区划进行对比',
  statsColFigure: '指标',
  statsColDelta: '增减',
  statsColRatio: '增幅',
  statsChartFigure: '图表指标',
  statsNone: '—',
};

const en: Record<keyof typeof zh, string> = {
  statsTitle: 'Statistics',
  statsAllCampaigns: 'All campaigns',
  statsRegion: 'Region (default: your own)',
  statsUnit: 'Unit',
  statsFigures: 'Figures',
  statsCompare: 'Compare',
  statsThisMonth: 'This month',
  statsThisQuarter: 'This quarter',
  statsThisYear: 'This year',
  statsSinceCampaign: 'Since the campaign began',
  statsGroupActivities: 'Field work',
  statsGroupWritings: 'Research and writing',
  statsGroupMatters: 'Practical matters',
  statsGroupTickets: 'Requests handled',
  statsGroupPeople: 'People',
  statsGroupCompliance: 'Compliance',
  statsScope: 'Scope: {scope}, {from} to {to}',
  statsAll: 'everything you oversee',
  statsClickHint: 'Click a figure to list every record behind it',
  statsRecords: 'Records',
  statsRecordCount: '{n} records',
  statsDistinct: '{n} distinct',
  statsRateOf: '{n} / {d}',
  statsColDate: 'Date',
  statsColTitle: 'Record',
  statsColRegion: 'Region',
  statsColPeople: 'Cadres / unit',
  statsColContributes: 'Adds',
  statsColCounted: 'Counted',
  statsDefinition: 'Definition',
  statsAgainst: 'Compare with',
  statsPrevious: 'Previous period of the same length',
  statsLastYear: 'Same days last year',
  statsRegions: 'Regions',
  statsPickRegions: 'Pick 2 to 20 regions',
  statsPickRegionsHint: 'Pick at least two regions to compare',
  statsColFigure: 'Figure',
  statsColDelta: 'Change',
  statsColRatio: 'Change %',
  statsChartFigure: 'Chart figure',
  statsNone: '—',
};

export type StatsTextKey = keyof typeof zh;
const dict = { zh, en };

export function useStatsText() {
  const { lang } = useI18n();
  const st = useCallback(
    (key: StatsTextKey, vars?: Record<string, string | number>) => {
      let s: string = dict[lang][key];
      if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
      return s;
    },
    [lang],
  );
  return { st, lang };
}
