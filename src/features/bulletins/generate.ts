import type { BulletinChart, BulletinRanking } from '../../../contracts/bulletins.ts';
import type { FigureKey, FigureValue } from '../../../contracts/statistics.ts';

// The statistics paragraph of a bulletin, written the way the articles write their figures:
// “截至11月20日，全县共下派干部1000名，组建工作组18个，累计进村蹲点调研时间达219天，撰写驻村蹲点手记36篇
// ……发放慰问金6.5万元……解决实际问题66个。” Zero figures are left out; money reads in 元 below
// 1万 and in 万元 above it, rounded the way a report does; rates in per cent with one decimal.
// Every phrase remembers its figure, so the web can make the number a link to its records.

/** One phrase per figure, in the articles' order; `{n}` is the number with its unit. */
const phrases: { key: FigureKey; text: (n: string) => string; unit: string; money?: boolean }[] = [
  { key: 'cadresDispatched', text: (n) => `共下派干部${n}`, unit: '名' },
  { key: 'teamsFormed', text: (n) => `组建工作组${n}`, unit: '个' },
  { key: 'villagesCovered', text: (n) => `走访村（社区）${n}`, unit: '个' },
  { key: 'stayDays', text: (n) => `累计进村蹲点调研时间达${n}`, unit: '天' },
  { key: 'diaries', text: (n) => `撰写驻村蹲点手记${n}`, unit: '篇' },
  { key: 'researchTopics', text: (n) => `确定调研课题${n}`, unit: '个' },
  { key: 'researchReports', text: (n) => `形成调研报告${n}`, unit: '篇' },
  { key: 'forums', text: (n) => `召开座谈会${n}`, unit: '次' },
  { key: 'householdsVisited', text: (n) => `走访农户${n}`, unit: '户' },
  { key: 'talkAttendance', text: (n) => `与群众谈心${n}`, unit: '人次' },
  { key: 'hardshipHouseholdsComforted', text: (n) => `慰问困难户${n}`, unit: '户' },
  { key: 'condolenceMoneyFen', text: (n) => `发放慰问金${n}`, unit: '', money: true },
  { key: 'policyTalks', text: (n) => `进行主题宣讲${n}`, unit: '次' },
  { key: 'consultationAttendance', text: (n) => `恳谈${n}`, unit: '人次' },
  { key: 'enterprisesVisited', text: (n) => `走访企业${n}`, unit: '家' },
  { key: 'projectsVisited', text: (n) => `走访项目工地${n}`, unit: '个' },
  { key: 'onsiteOffices', text: (n) => `现场办公${n}`, unit: '次' },
  { key: 'receptions', text: (n) => `接待来访群众${n}`, unit: '次' },
  { key: 'ticketsRegistered', text: (n) => `收集问题诉求${n}`, unit: '件' },
  { key: 'problemsSolved', text: (n) => `解决实际问题${n}`, unit: '个' },
];

/** The second sentence: practical matters, funds and plans (“落实实事项目187件、项目扶助资金1086万元，帮助制定发展计划406个”). */
const matterPhrases: typeof phrases = [
  { key: 'mattersDone', text: (n) => `落实实事项目${n}`, unit: '件' },
  { key: 'matterFundsFen', text: (n) => `项目扶助资金${n}`, unit: '', money: true },
  { key: 'developmentPlans', text: (n) => `帮助制定发展计划${n}`, unit: '个' },
  { key: 'leaderMemos', text: (n) => `报送领导参阅${n}`, unit: '篇' },
];

const ratePhrases: { key: FigureKey; label: string }[] = [
  { key: 'resolveRate', label: '问题办结率' },
  { key: 'onTimeRate', label: '按期办结率' },
  { key: 'satisfactionRate', label: '群众满意率' },
  { key: 'complianceRate', label: '硬性要求达标率' },
];

const trim = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);

/** Money in fen as a report writes it: 5000元, 6.5万元, 12.3万元, 1086万元. */
export function formatMoney(fen: number): string {
  const yuan = fen / 100;
  if (yuan < 10_000) return `${trim(yuan.toFixed(yuan < 100 ? 2 : 0))}元`;
  const wan = yuan / 10_000;
  const digits = wan >= 100 ? 0 : wan >= 10 ? 1 : 2;
  return `${trim(wan.toFixed(digits))}万元`;
}

export const formatRate = (r: number) => `${trim((r * 100).toFixed(1))}%`;

/** “全县”, “全镇”, “全街道” … from the region's name. */
export function wholeRegion(name: string): string {
  for (const suffix of ['街道', '社区', '县', '区', '市', '省', '镇', '乡', '村']) if (name.endsWith(suffix)) return `全${suffix}`;
  return name;
}

/** “11月20日”, or “2025年11月20日” when not in the year of issue. */
export function chinaDate(day: string, issuedYear?: string): string {
  const [y, m, d] = day.split('-');
  return `${y === issuedYear ? '' : `${y}年`}${Number(m)}月${Number(d)}日`;
}

export type StatisticsText = { text: string; links: { figure: FigureKey; text: string }[] };

export type ParagraphInput = {
  figures: FigureValue[];
  regionName: string;
  from: string;
  to: string;
  /** The campaign's first day: a period starting there reads “截至…”, else “…至…”. */
  campaignStartsOn: string;
  issuedOn: string;
};

/** The statistics paragraph and, per figure, the phrase that stands for it. */
export function statisticsParagraph(p: ParagraphInput): StatisticsText {
  const value = new Map(p.figures.map((f) => [f.key, f.value]));
  const links: StatisticsText['links'] = [];
  const render = (list: typeof phrases) => list.flatMap((ph) => {
    const v = value.get(ph.key);
    if (v === null || v === undefined || v === 0) return [];
    const t = ph.text(ph.money ? formatMoney(v) : `${v}${ph.unit}`);
    links.push({ figure: ph.key, text: t });
    return [{ figure: ph.key, text: t }];
  });
  const year = p.issuedOn.slice(0, 4);
  const when = p.from <= p.campaignStartsOn ? `截至${chinaDate(p.to, year)}` : `${chinaDate(p.from, year)}至${chinaDate(p.to, year)}`;
  const where = wholeRegion(p.regionName);
  const sentences: string[] = [];
  const main = render(phrases);
  sentences.push(main.length ? `${when}，${where}${main.map((m) => m.text).join('，')}。` : `${when}，${where}暂无可统计的下基层工作记录。`);
  const matters = render(matterPhrases);
  if (matters.length) {
    // The articles join the matter and its funds with “、”, the rest with “，”.
    const joined = matters.map((m, i) => (i === 0 ? (m.figure === 'matterFundsFen' ? `落实${m.text}` : m.text) : `${m.figure === 'matterFundsFen' ? '、' : '，'}${m.text}`)).join('');
    sentences.push(`已${joined}。`);
  }
  const rates = ratePhrases.flatMap((r) => {
    const v = value.get(r.key);
    if (v === null || v === undefined) return [];
    const t = `${r.label}${formatRate(v)}`;
    links.push({ figure: r.key, text: t });
    return [t];
  });
  if (rates.length) sentences.push(`${rates.join('，')}。`);
  return { text: sentences.join(''), links };
}


export const rankingColumns: FigureKey[] = ['householdsVisited', 'stayDays', 'diaries', 'problemsSolved'];
const columnLabels: Partial<Record<FigureKey, string>> = {
  householdsVisited: '走访农户（户）', stayDays: '蹲点调研（天）', diaries: '蹲点手记（篇）', problemsSolved: '解决问题（个）',
};
export const rankingColumnLabel = (k: FigureKey) => columnLabels[k] ?? k;

/** Child regions ranked by households visited (ties: stay days, then name). */
export function childRanking(rows: { code: string; name: string; figures: FigureValue[] }[], regionName: string): BulletinRanking | null {
  if (rows.length === 0) return null;
  const val = (r: (typeof rows)[number], k: FigureKey) => r.figures.find((f) => f.key === k)?.value ?? 0;
  const sorted = [...rows].sort((a, b) => val(b, 'householdsVisited') - val(a, 'householdsVisited') || val(b, 'stayDays') - val(a, 'stayDays') || a.name.localeCompare(b.name, 'zh'));
  let rank = 0;
  let prev: string | null = null;
  return {
    title: `${regionName}各地走访情况排名`,
    by: 'householdsVisited',
    columns: rankingColumns,
    rows: sorted.map((r, i) => {
      const key = `${val(r, 'householdsVisited')}/${val(r, 'stayDays')}`;
      if (key !== prev) rank = i + 1;
      prev = key;
      return { rank, code: r.code, name: r.name, values: rankingColumns.map((k) => r.figures.find((f) => f.key === k)?.value ?? null) };
    }),
  };
}

/** Two charts: households visited and stay days by child region; stay days and diaries by month. */
export function bulletinCharts(children: { name: string; figures: FigureValue[] }[], months: { period: string; figures: FigureValue[] }[]): BulletinChart[] {
  const v = (fs: FigureValue[], k: FigureKey) => fs.find((f) => f.key === k)?.value ?? 0;
  const charts: BulletinChart[] = [];
  if (children.length) {
    charts.push({
      id: 'regions', title: '各地走访农户与蹲点天数', type: 'bar', categories: children.map((c) => c.name),
      series: [
        { name: '走访农户（户）', figure: 'householdsVisited', data: children.map((c) => v(c.figures, 'householdsVisited')) },
        { name: '蹲点调研（天）', figure: 'stayDays', data: children.map((c) => v(c.figures, 'stayDays')) },
      ],
    });
  }
  if (months.length > 1) {
    charts.push({
      id: 'trend', title: '逐月工作量', type: 'line', categories: months.map((m) => `${Number(m.period.slice(5, 7))}月`),
      series: [
        { name: '蹲点调研（天）', figure: 'stayDays', data: months.map((m) => v(m.figures, 'stayDays')) },
        { name: '走访农户（户）', figure: 'householdsVisited', data: months.map((m) => v(m.figures, 'householdsVisited')) },
      ],
    });
  }
  return charts;
}
