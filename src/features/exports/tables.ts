import type { RankingRowDto } from '../../../contracts/assessments.ts';
import type { SurveyResults } from '../../../contracts/surveys.ts';
import type { Executor } from '../../db/database.ts';
import { rankingOf } from '../assessments/assessments.ts';
import type { Actor } from '../auth/actor.ts';
import { surveyResults } from '../surveys/surveys.ts';
import { PERCENT, rowsSheet, streamSheet, type ExportColumn } from './stream.ts';

// Tables a page computes whole (a survey's results, an assessment's ranking): the same domain
// function the page calls, written through the same sheet writer and limit.

type Opts = { maxRows: number };
type SubjectRow = SurveyResults['subjects'][number];

/** 双评 results: one row per rated cadre or unit, the overall tally and 满意率 per dimension. */
export async function exportSurveyResults(db: Executor, actor: Actor, surveyId: number, q: { excludeFlagged?: boolean }, o: Opts) {
  const res = await surveyResults(db, actor, surveyId, q);
  const dims = res.dimensions.map((d) => d.dimension);
  const columns: ExportColumn<SubjectRow>[] = [
    { header: '测评对象', width: 14, value: (r) => r.name },
    { header: '类型', width: 6, value: (r) => (r.kind === 'cadre' ? '干部' : '单位') },
    { header: '单位', width: 18, value: (r) => r.unitName },
    { header: '答卷', width: 7, value: (r) => r.responses },
    { header: '满意', width: 7, value: (r) => r.satisfied },
    { header: '基本满意', width: 8, value: (r) => r.basic },
    { header: '不满意', width: 7, value: (r) => r.unsatisfied },
    { header: '满意率', width: 8, value: (r) => r.rate ?? '', numFmt: PERCENT },
    ...dims.map((dim): ExportColumn<SubjectRow> => ({
      header: `${dim}满意率`, width: 12, numFmt: PERCENT, value: (r) => r.dimensions.find((d) => d.dimension === dim)?.rate ?? '',
    })),
  ];
  return { title: res.title, ...(await streamSheet(rowsSheet('测评结果', columns, res.subjects), o.maxRows)) };
}

const rankingColumns: ExportColumn<RankingRowDto>[] = [
  { header: '名次', width: 6, value: (r) => r.rank },
  { header: '考核对象', width: 20, value: (r) => r.name },
  { header: '指标得分', width: 9, value: (r) => r.base, numFmt: '0.00' },
  { header: '加分', width: 8, value: (r) => r.bonus, numFmt: '0.00' },
  { header: '扣分', width: 8, value: (r) => r.deduction, numFmt: '0.00' },
  { header: '总分', width: 9, value: (r) => r.total, numFmt: '0.00' },
  { header: '已评指标', width: 8, value: (r) => r.scored },
  { header: '应评指标', width: 8, value: (r) => r.expected },
];

/** 千分制考核 ranking as the page shows it. */
export async function exportRanking(db: Executor, actor: Actor, schemeId: number, o: Opts) {
  const ranking = await rankingOf(db, actor, schemeId);
  return streamSheet(rowsSheet(ranking.final ? '考核排名' : '考核排名（未发布）', rankingColumns, ranking.rows), o.maxRows);
}
