import {
  submitSurveyResponse, surveyAnswerLabels, surveyAnswerValues, surveyKindLabels, type PublicSurvey, type SurveyKind, type SurveyReceipt,
} from '../../../contracts/surveys.ts';
import type { SurveyThresholds } from '../../config.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import { blindIndex, type PersonalDataKey } from '../../lib/personal-data.ts';
import { recordAudit } from '../audit/audit.ts';
import { systemActor, type Actor } from '../auth/actor.ts';
import { chinaToday } from '../campaigns/campaigns.ts';
import { parseInput } from '../targets/targets.ts';
import { createTicket } from '../tickets/tickets.ts';
import { servingCadres } from './surveys.ts';

// The respondent's page (/s/:token, no login). The token names one link (a target or a unit) of
// one survey round. The phone is checked and kept only as a keyed hash (per survey, so rounds
// cannot be joined on it); the device id and the /24 network are kept as keyed hashes too, for the
// inflation checks. Everything — the response, its answers, a rectification ticket per 不满意 and
// the flags — is written in one transaction.

const invalid = (field: string, message: string) => new AppError('VALIDATION_FAILED', message, { field, fields: [{ field, message }] });
const unknownLink = () => new AppError('NOT_FOUND', '问卷链接无效或已失效，请核对链接或重新扫码');

type LinkRow = {
  link_id: number; survey_id: number; target_id: number | null; unit_id: number | null; title: string; intro: string; kind: SurveyKind; state: 'draft' | 'open' | 'closed';
  period_kind: string; starts_on: string; ends_on: string; campaign_id: number | null;
};

async function linkOf(db: Executor, token: string): Promise<LinkRow> {
  const l = await db.selectFrom('survey_links as l').innerJoin('surveys as s', 's.id', 'l.survey_id')
    .select(['l.id as link_id', 's.id as survey_id', 'l.target_id', 'l.unit_id', 's.title', 's.intro', 's.kind', 's.state', 's.period_kind', 's.starts_on', 's.ends_on', 's.campaign_id'])
    .where('l.token', '=', token).executeTakeFirst();
  if (!l) throw unknownLink();
  return l;
}

function closedReason(l: LinkRow, today: string): string | null {
  if (l.state === 'draft') return '本问卷尚未开放，请稍后再来';
  if (l.state === 'closed') return '本期问卷已关闭，不能再提交评价';
  if (today < l.starts_on) return `本期问卷自 ${l.starts_on} 起开放`;
  if (today > l.ends_on) return `本期问卷已于 ${l.ends_on} 结束`;
  return null;
}

const periodLabel = (l: LinkRow) => {
  const [y, m] = l.starts_on.split('-').map(Number) as [number, number];
  if (l.period_kind === 'month') return `${y}年${m}月`;
  if (l.period_kind === 'quarter') return `${y}年第${Math.floor((m - 1) / 3) + 1}季度`;
  if (l.period_kind === 'year') return `${y}年度`;
  return `${l.starts_on} 至 ${l.ends_on}`;
};

type Subject = { key: string; kind: 'cadre' | 'unit'; name: string; detail: string; cadreId: number | null; unitId: number; unitPath: string; regionPath: string; regionCode: string };

async function subjectsOf(db: Executor, l: LinkRow, today: string): Promise<{ placeName: string; subjects: Subject[] }> {
  if (l.target_id !== null) {
    const t = await db.selectFrom('contact_targets').select(['name', 'region_code', 'region_path']).where('id', '=', l.target_id).executeTakeFirstOrThrow();
    const cadres = await servingCadres(db, [l.target_id], today);
    return {
      placeName: t.name,
      subjects: cadres.map((c) => ({
        key: `cadre:${c.id}`, kind: 'cadre', name: c.name, detail: [c.unit_name, c.position].filter(Boolean).join(' '), cadreId: c.id, unitId: c.unit_id, unitPath: c.unit_path,
        regionPath: t.region_path, regionCode: t.region_code,
      })),
    };
  }
  const u = await db.selectFrom('units as u').innerJoin('regions as g', 'g.code', 'u.region_code').select(['u.id', 'u.name', 'u.path', 'u.region_code', 'u.region_path', 'g.name as region_name'])
    .where('u.id', '=', l.unit_id!).executeTakeFirstOrThrow();
  return { placeName: u.name, subjects: [{ key: `unit:${u.id}`, kind: 'unit', name: u.name, detail: u.region_name, cadreId: null, unitId: u.id, unitPath: u.path, regionPath: u.region_path, regionCode: u.region_code }] };
}

export async function publicSurvey(db: Executor, token: string, now = new Date()): Promise<PublicSurvey> {
  const l = await linkOf(db, token);
  const today = chinaToday(now);
  const { placeName, subjects } = await subjectsOf(db, l, today);
  const questions = await db.selectFrom('survey_questions').select(['id', 'dimension', 'text', 'required', 'allow_comment']).where('survey_id', '=', l.survey_id).orderBy('position').execute();
  const reason = closedReason(l, today);
  return {
    title: l.title, intro: l.intro, kind: l.kind, periodLabel: periodLabel(l), open: reason === null, closedReason: reason, placeName,
    subjects: subjects.map((s) => ({ key: s.key, kind: s.kind, name: s.name, detail: s.detail })),
    questions: questions.map((q) => ({ id: q.id, dimension: q.dimension, text: q.text, required: q.required, allowComment: q.allow_comment })),
    scale: surveyAnswerValues.map((value) => ({ value, label: surveyAnswerLabels[value].zh })),
  };
}

/** 10.1.2.3 → 10.1.2.0/24; IPv6 → its /64; an IPv4-mapped IPv6 address counts as IPv4. */
export function networkOf(ip: string | null | undefined): string | null {
  if (!ip) return null;
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/i.exec(ip);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  if (ip.includes(':')) {
    const [head] = ip.split('::');
    const groups = (head ?? '').split(':').filter(Boolean);
    return `${groups.slice(0, 4).join(':')}::/64`;
  }
  return null;
}

type FlagRow = { response_id: number; survey_id: number; kind: 'device' | 'network' | 'burst'; evidence: string };

/** The inflation checks for one new response, over its round; flags every response in the group. */
async function flagInflation(tx: Executor, t: SurveyThresholds, r: { id: number; surveyId: number; subjectKey: string; deviceHash: string | null; ipNet: string | null; signature: string; allSatisfied: boolean }, now: Date) {
  const flags: FlagRow[] = [];
  const group = async (kind: 'device' | 'network', column: 'device_hash' | 'ip_net', value: string | null, max: number) => {
    if (value === null) return;
    const ids = await tx.selectFrom('survey_responses').select('id').where('survey_id', '=', r.surveyId).where(column, '=', value).execute();
    if (ids.length <= max) return;
    const evidence = JSON.stringify({ group: value.slice(0, 6), count: ids.length, threshold: max });
    for (const { id } of ids) flags.push({ response_id: id, survey_id: r.surveyId, kind, evidence });
  };
  await group('device', 'device_hash', r.deviceHash, t.deviceMax);
  await group('network', 'ip_net', r.ipNet, t.networkMax);
  if (r.allSatisfied) {
    const since = new Date(now.getTime() - t.burstMinutes * 60_000);
    const ids = await tx.selectFrom('survey_responses').select(['id', 'submitted_at']).where('survey_id', '=', r.surveyId).where('subject_key', '=', r.subjectKey)
      .where('signature', '=', r.signature).where('all_satisfied', '=', true).where('submitted_at', '>=', since).where('submitted_at', '<=', now).orderBy('submitted_at').execute();
    if (ids.length >= t.burstCount) {
      const evidence = JSON.stringify({ count: ids.length, minutes: t.burstMinutes, threshold: t.burstCount, from: ids[0]!.submitted_at.toISOString(), to: now.toISOString() });
      for (const { id } of ids) flags.push({ response_id: id, survey_id: r.surveyId, kind: 'burst', evidence });
    }
  }
  if (flags.length === 0) return;
  await tx.insertInto('survey_flags').values(flags.map((f) => ({ ...f, created_at: now })))
    .onConflict((oc) => oc.columns(['response_id', 'kind']).doUpdateSet({ evidence: (eb) => eb.ref('excluded.evidence') })).execute();
}

export async function submitResponse(
  db: Executor, key: PersonalDataKey, thresholds: SurveyThresholds, token: string, input: unknown, opts: { now?: Date; ip?: string | null } = {},
): Promise<SurveyReceipt> {
  const v = parseInput(submitSurveyResponse, input);
  const now = opts.now ?? new Date();
  const today = chinaToday(now);
  return inTransaction(db, async (tx) => {
    const l = await linkOf(tx, token);
    // Lock the round, so a survey closed meanwhile takes no answer and the flags count in order.
    const s = await tx.selectFrom('surveys').select(['state', 'region_path']).where('id', '=', l.survey_id).forUpdate().executeTakeFirstOrThrow();
    const reason = closedReason({ ...l, state: s.state }, today);
    if (reason) throw new AppError('CONFLICT', reason, { field: 'survey' });

    const { subjects } = await subjectsOf(tx, l, today);
    let subject: Subject | undefined;
    if (l.target_id !== null) {
      if (!v.subject) throw invalid('subject', '请选择要评价的干部');
      subject = subjects.find((x) => x.key === v.subject);
      if (!subject) throw invalid('subject', `评价对象（${v.subject}）不是为该联系对象服务的干部`);
    } else {
      subject = subjects[0]!;
      if (v.subject && v.subject !== subject.key) throw invalid('subject', `评价对象（${v.subject}）与链接所属单位不符`);
    }

    const questions = await tx.selectFrom('survey_questions').select(['id', 'position', 'dimension', 'text', 'required', 'allow_comment']).where('survey_id', '=', l.survey_id).orderBy('position').execute();
    const byId = new Map(questions.map((q) => [q.id, q]));
    const seen = new Set<number>();
    v.answers.forEach((a, i) => {
      const q = byId.get(a.questionId);
      if (!q) throw invalid(`answers.${i}.questionId`, `第${i + 1}项答案对应的题目（${a.questionId}）不在本问卷中`);
      if (seen.has(a.questionId)) throw invalid(`answers.${i}.questionId`, `第${q.position}题「${q.text}」重复作答`);
      seen.add(a.questionId);
      if (a.comment && !q.allow_comment) throw invalid(`answers.${i}.comment`, `第${q.position}题「${q.text}」不接受文字意见`);
    });
    const missing = questions.find((q) => q.required && !seen.has(q.id));
    if (missing) throw invalid('answers', `请回答第${missing.position}题「${missing.text}」`);

    const answers = v.answers.map((a) => ({ ...a, q: byId.get(a.questionId)! })).sort((a, b) => a.q.position - b.q.position);
    const signature = answers.map((a) => `${a.questionId}=${a.value}`).join(';');
    const allSatisfied = answers.every((a) => a.value === 'satisfied');
    const net = networkOf(opts.ip);
    const deviceHash = v.deviceId ? blindIndex(key, `survey-device:${v.deviceId}`) : null;
    const ipNet = net ? blindIndex(key, `survey-net:${net}`) : null;
    const inserted = await tx.insertInto('survey_responses').values({
      survey_id: l.survey_id, link_id: l.link_id, subject_kind: subject.kind, cadre_id: subject.cadreId, unit_id: subject.unitId, subject_key: subject.key,
      region_path: subject.regionPath, unit_path: subject.unitPath, respondent_hash: blindIndex(key, `survey:${l.survey_id}:${v.phone}`), device_hash: deviceHash,
      ip_net: ipNet, signature, all_satisfied: allSatisfied, submitted_at: now,
    }).onConflict((oc) => oc.columns(['survey_id', 'subject_key', 'respondent_hash']).doNothing()).returning('id').executeTakeFirst();
    if (!inserted) {
      throw new AppError('CONFLICT', `您本期（${periodLabel(l)}）已对「${subject.name}」作过评价，每人每期只能评价一次`, { field: 'phone' });
    }

    const sys = systemActor('双评');
    const who = l.kind === 'enterprise_unit' ? '企业' : '群众';
    let rectifications = 0;
    for (const a of answers) {
      let ticketId: number | null = null;
      if (a.value === 'unsatisfied') {
        const title = `双评不满意：${subject.name} ${a.q.dimension}`.slice(0, 100);
        const content = `${l.title}（${periodLabel(l)}，${surveyKindLabels[l.kind].zh}）第${a.q.position}题「${a.q.text}」评价为不满意。` + (a.comment ? `${who}意见：${a.comment}` : `${who}未填写意见。`);
        const t = await createTicket(tx, sys, key, {
          source: 'web', type: 'complaint', categoryCode: 'evaluation', title, content, requester: { anonymous: true }, regionCode: subject.regionCode, campaignId: l.campaign_id,
        }, { now });
        ticketId = t.id;
        rectifications++;
      }
      await tx.insertInto('survey_answers').values({ response_id: inserted.id, question_id: a.questionId, value: a.value, comment: a.comment || null, ticket_id: ticketId }).execute();
    }

    await flagInflation(tx, thresholds, { id: inserted.id, surveyId: l.survey_id, subjectKey: subject.key, deviceHash, ipNet, signature, allSatisfied }, now);
    // The respondent stays anonymous: no address in the audit row either.
    const respondent: Actor = systemActor('双评答卷人（公开页）');
    await recordAudit(tx, respondent, {
      action: 'survey.respond', entity: 'survey_response', entityId: inserted.id,
      detail: { surveyId: l.survey_id, subject: subject.key, answers: answers.length, unsatisfied: rectifications },
      where: { regionPath: subject.regionPath, unitPath: subject.unitPath },
    });
    return {
      subjectName: subject.name, answered: answers.length, rectifications,
      message: rectifications > 0 ? `感谢您的评价！您的 ${rectifications} 项“不满意”意见已转为整改工单，将督促落实。` : '感谢您的评价！',
    };
  });
}
