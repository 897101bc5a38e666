import { sql } from 'kysely';
import { cadreRankLabels } from '../../../contracts/cadres.ts';
import { pairingRoleLabels } from '../../../contracts/campaigns.ts';
import { commitmentStatusLabels } from '../../../contracts/commitments.ts';
import { checkKindLabels, type CheckKind } from '../../../contracts/integrity.ts';
import { matterStatusLabels, type MatterStatus } from '../../../contracts/matters.ts';
import { complianceStatusLabels, requirementPeriodLabels, requirementSubjectLabels, type ComplianceStatus, type RequirementPeriod, type RequirementSubject } from '../../../contracts/requirements.ts';
import { targetKindLabels, type TargetKind } from '../../../contracts/targets.ts';
import { writingGradeLabels, writingKindLabels, writingStatusLabels, type WritingGrade, type WritingKind, type WritingStatus } from '../../../contracts/writings.ts';
import type { Executor } from '../../db/database.ts';
import { filteredAudit, type AuditFilter } from '../audit/audit.ts';
import type { Actor } from '../auth/actor.ts';
import { filteredCommitments, milestoneCounts, progressOf, statusOf, summaryColumns as commitmentColumns, type SummaryRow as CommitmentRow } from '../commitments/commitments.ts';
import { filteredComplianceRows } from '../compliance/views.ts';
import { filteredFlags, summarize } from '../integrity/flags.ts';
import { filtered as filteredMatters } from '../matters/matters.ts';
import { filteredCampaignPairings } from '../pairings/pairings.ts';
import { filteredWritings } from '../writings/writings.ts';
import { chinaMinute, MONEY, streamSheet, yuan, type ExportColumn } from './stream.ts';
import type { ComplianceRowsQuery } from '../../../contracts/compliance-api.ts';
import type { CommitmentListQuery } from '../../../contracts/commitments.ts';
import type { FlagListQuery } from '../../../contracts/integrity.ts';
import type { MatterListQuery } from '../../../contracts/matters.ts';
import type { PairingListQuery } from '../../../contracts/campaigns.ts';
import type { WritingListQuery } from '../../../contracts/writings.ts';

// The ledgers that have a list page: each export takes the list's own filters (through the same
// filtered query the list uses, so scope and 404s are the list's) and walks it by id.

type Opts = { maxRows: number };
type NoPage<T> = Omit<T, 'page' | 'pageSize'>;
const countAll = () => sql<number>`count(*)`.as('n');

// ── 调研文稿 writings ────────────────────────────────────────────────────────────────────────

type WritingRow = {
  id: number; kind: WritingKind; title: string; status: WritingStatus; grade: WritingGrade | null; campaign_name: string | null;
  author_name: string | null; author_unit_name: string | null; team_name: string | null; target_name: string | null; region_name: string | null;
  selected_for: string | null; written_on: string; submitted_at: Date | null; chars: number;
};
const writingColumns: ExportColumn<WritingRow>[] = [
  { header: '编号', width: 8, value: (r) => r.id },
  { header: '类型', width: 10, value: (r) => writingKindLabels[r.kind].zh },
  { header: '标题', width: 30, value: (r) => r.title },
  { header: '状态', width: 8, value: (r) => writingStatusLabels[r.status].zh },
  { header: '评定', width: 6, value: (r) => (r.grade ? writingGradeLabels[r.grade].zh : '') },
  { header: '作者', width: 10, value: (r) => r.author_name ?? '' },
  { header: '作者单位', width: 18, value: (r) => r.author_unit_name ?? '' },
  { header: '调研组', width: 16, value: (r) => r.team_name ?? '' },
  { header: '活动', width: 18, value: (r) => r.campaign_name ?? '' },
  { header: '联系对象', width: 14, value: (r) => r.target_name ?? '' },
  { header: '区划', width: 12, value: (r) => r.region_name ?? '' },
  { header: '入选', width: 12, value: (r) => r.selected_for ?? '' },
  { header: '成文日期', width: 11, value: (r) => r.written_on },
  { header: '提交时间', width: 17, value: (r) => chinaMinute(r.submitted_at) },
  { header: '字数', width: 7, value: (r) => r.chars },
];

export async function exportWritings(db: Executor, actor: Actor, f: NoPage<WritingListQuery>, o: Opts) {
  const q = await filteredWritings(db, actor, f);
  return streamSheet<WritingRow>({
    sheet: '调研文稿', columns: writingColumns,
    count: () => q.select(countAll()).executeTakeFirstOrThrow().then((r) => Number(r.n)),
    page: async (last, limit) => (await q.select([
      'w.id', 'w.kind', 'w.title', 'w.status', 'w.grade', 'cp.name as campaign_name', 'ac.name as author_name', 'au.name as author_unit_name',
      'tm.name as team_name', 't.name as target_name', 'r.name as region_name', 'w.selected_for', 'w.written_on', 'w.submitted_at',
      sql<number>`char_length(w.body)`.as('chars'),
    ]).where('w.id', '>', last?.id ?? 0).orderBy('w.id').limit(limit).execute()) as WritingRow[],
  }, o.maxRows);
}

// ── 实事台账 practical matters ───────────────────────────────────────────────────────────────

type MatterRow = {
  id: number; title: string; status: MatterStatus; target_kind: TargetKind; target_name: string; region_name: string; campaign_name: string | null;
  cadre_name: string | null; unit_name: string | null; amount_fen: number | string; fund_source: string; promised_on: string; done_on: string | null; description: string;
};
const matterColumns: ExportColumn<MatterRow>[] = [
  { header: '编号', width: 8, value: (r) => r.id },
  { header: '实事名称', width: 28, value: (r) => r.title },
  { header: '状态', width: 8, value: (r) => matterStatusLabels[r.status].zh },
  { header: '对象类型', width: 8, value: (r) => targetKindLabels[r.target_kind].zh },
  { header: '联系对象', width: 16, value: (r) => r.target_name },
  { header: '区划', width: 12, value: (r) => r.region_name },
  { header: '活动', width: 18, value: (r) => r.campaign_name ?? '' },
  { header: '承诺干部', width: 10, value: (r) => r.cadre_name ?? '' },
  { header: '干部单位', width: 18, value: (r) => r.unit_name ?? '' },
  { header: '资金（元）', width: 13, value: (r) => yuan(r.amount_fen), numFmt: MONEY },
  { header: '资金来源', width: 14, value: (r) => r.fund_source },
  { header: '承诺日期', width: 11, value: (r) => r.promised_on },
  { header: '办结日期', width: 11, value: (r) => r.done_on ?? '' },
  { header: '内容', width: 40, value: (r) => r.description },
];

export async function exportMatters(db: Executor, actor: Actor, f: NoPage<MatterListQuery>, o: Opts) {
  const q = await filteredMatters(db, actor, f);
  return streamSheet<MatterRow>({
    sheet: '实事台账', columns: matterColumns,
    count: () => q.select(countAll()).executeTakeFirstOrThrow().then((r) => Number(r.n)),
    page: async (last, limit) => (await q.select([
      'm.id', 'm.title', 'm.status', 't.kind as target_kind', 't.name as target_name', 'r.name as region_name', 'cp.name as campaign_name',
      'c.name as cadre_name', 'u.name as unit_name', 'm.amount_fen', 'm.fund_source', 'm.promised_on', 'm.done_on', 'm.description',
    ]).where('m.id', '>', last?.id ?? 0).orderBy('m.id').limit(limit).execute()) as MatterRow[],
  }, o.maxRows);
}

// ── 结对台账 a campaign's pairings ────────────────────────────────────────────────────────────

type PairingRow = {
  id: number; target_kind: TargetKind; target_name: string; target_region_name: string; cadre_name: string | null; cadre_rank: keyof typeof cadreRankLabels | null;
  cadre_unit_name: string | null; team_name: string | null; team_leader_name: string | null; role: keyof typeof pairingRoleLabels; cadre_role: string | null;
  starts_on: string; ends_on: string | null; end_reason: string | null;
};
const pairingColumns: ExportColumn<PairingRow>[] = [
  { header: '编号', width: 8, value: (r) => r.id },
  { header: '对象类型', width: 8, value: (r) => targetKindLabels[r.target_kind].zh },
  { header: '联系对象', width: 18, value: (r) => r.target_name },
  { header: '区划', width: 12, value: (r) => r.target_region_name },
  { header: '联系干部', width: 10, value: (r) => r.cadre_name ?? '' },
  { header: '职级', width: 8, value: (r) => (r.cadre_rank ? cadreRankLabels[r.cadre_rank].zh : '') },
  { header: '干部单位', width: 18, value: (r) => r.cadre_unit_name ?? '' },
  { header: '组团', width: 16, value: (r) => r.team_name ?? '' },
  { header: '组长', width: 10, value: (r) => r.team_leader_name ?? '' },
  { header: '角色', width: 8, value: (r) => pairingRoleLabels[r.role].zh },
  { header: '五员', width: 8, value: (r) => r.cadre_role ?? '' },
  { header: '开始日期', width: 11, value: (r) => r.starts_on },
  { header: '结束日期', width: 11, value: (r) => r.ends_on ?? '' },
  { header: '结束原因', width: 16, value: (r) => r.end_reason ?? '' },
];

export async function exportPairings(db: Executor, actor: Actor, campaignId: number, f: NoPage<PairingListQuery>, o: Opts) {
  const q = await filteredCampaignPairings(db, actor, campaignId, f);
  return streamSheet<PairingRow>({
    sheet: '结对台账', columns: pairingColumns,
    count: () => q.select(countAll()).executeTakeFirstOrThrow().then((r) => Number(r.n)),
    page: async (last, limit) => (await q.select([
      'p.id', 't.kind as target_kind', 't.name as target_name', 'tr.name as target_region_name', 'c.name as cadre_name', 'c.rank as cadre_rank',
      'cu.name as cadre_unit_name', 'tm.name as team_name', 'tl.name as team_leader_name', 'p.role', 'p.cadre_role', 'p.starts_on', 'p.ends_on', 'p.end_reason',
    ]).where('p.id', '>', last?.id ?? 0).orderBy('p.id').limit(limit).execute()) as PairingRow[],
  }, o.maxRows);
}

// ── 防形式主义预警 integrity flags ─────────────────────────────────────────────────────────────

type FlagRow = {
  id: number; check_kind: CheckKind; evidence: Record<string, unknown>; cadre_name: string | null; a_id: number; a_title: string; a_starts_at: Date;
  region_name: string; created_at: Date; cleared_at: Date | null; cleared_by_name: string | null; clear_reason: string | null;
};
const flagColumns: ExportColumn<FlagRow>[] = [
  { header: '编号', width: 8, value: (r) => r.id },
  { header: '核查项', width: 14, value: (r) => checkKindLabels[r.check_kind].zh },
  { header: '说明', width: 40, value: (r) => summarize(r.check_kind, r.evidence) },
  { header: '干部', width: 10, value: (r) => r.cadre_name ?? '' },
  { header: '工作记录编号', width: 10, value: (r) => r.a_id },
  { header: '工作记录', width: 24, value: (r) => r.a_title },
  { header: '开始时间', width: 17, value: (r) => chinaMinute(r.a_starts_at) },
  { header: '区划', width: 12, value: (r) => r.region_name },
  { header: '预警时间', width: 17, value: (r) => chinaMinute(r.created_at) },
  { header: '状态', width: 8, value: (r) => (r.cleared_at ? '已清除' : '待处理') },
  { header: '清除人', width: 10, value: (r) => r.cleared_by_name ?? '' },
  { header: '清除时间', width: 17, value: (r) => chinaMinute(r.cleared_at) },
  { header: '清除理由', width: 30, value: (r) => r.clear_reason ?? '' },
];

export async function exportFlags(db: Executor, actor: Actor, f: NoPage<FlagListQuery>, o: Opts) {
  const q = await filteredFlags(db, actor, f);
  return streamSheet<FlagRow>({
    sheet: '预警台账', columns: flagColumns,
    count: () => q.select(countAll()).executeTakeFirstOrThrow().then((r) => Number(r.n)),
    page: async (last, limit) => (await q
      .innerJoin('regions as r', 'r.code', 'a.region_code')
      .leftJoin('cadres as c', 'c.id', 'f.cadre_id')
      .leftJoin('users as u', 'u.id', 'f.cleared_by')
      .select([
        'f.id', 'f.check_kind', 'f.evidence', 'c.name as cadre_name', 'a.id as a_id', 'a.title as a_title', 'a.starts_at as a_starts_at', 'r.name as region_name',
        'f.created_at', 'f.cleared_at', 'u.display_name as cleared_by_name', 'f.clear_reason',
      ]).where('f.id', '>', last?.id ?? 0).orderBy('f.id').limit(limit).execute()) as FlagRow[],
  }, o.maxRows);
}

// ── 履职达标 compliance rows ──────────────────────────────────────────────────────────────────

type ComplianceExportRow = {
  rule_id: number; window_key: string; subject_id: number; rule_name: string; subject: RequirementSubject; period: RequirementPeriod; subject_name: string;
  unit_name: string | null; region_name: string | null; window_start: string; window_end: string; count: number; required_min: number | null;
  required_max: number | null; status: ComplianceStatus; explanation: string; computed_at: Date;
};
const complianceColumns: ExportColumn<ComplianceExportRow>[] = [
  { header: '硬性要求', width: 24, value: (r) => r.rule_name },
  { header: '对象类型', width: 8, value: (r) => requirementSubjectLabels[r.subject]?.zh ?? r.subject },
  { header: '对象', width: 14, value: (r) => r.subject_name },
  { header: '单位', width: 18, value: (r) => r.unit_name ?? '' },
  { header: '区划', width: 12, value: (r) => r.region_name ?? '' },
  { header: '周期', width: 8, value: (r) => requirementPeriodLabels[r.period]?.zh ?? r.period },
  { header: '起', width: 11, value: (r) => r.window_start },
  { header: '止', width: 11, value: (r) => r.window_end },
  { header: '完成', width: 7, value: (r) => r.count },
  { header: '要求至少', width: 8, value: (r) => r.required_min ?? '' },
  { header: '要求至多', width: 8, value: (r) => r.required_max ?? '' },
  { header: '状态', width: 9, value: (r) => complianceStatusLabels[r.status].zh },
  { header: '说明', width: 40, value: (r) => r.explanation },
  { header: '计算时间', width: 17, value: (r) => chinaMinute(r.computed_at) },
];

export async function exportComplianceRows(db: Executor, actor: Actor, f: NoPage<ComplianceRowsQuery>, o: Opts, now = new Date()) {
  const q = await filteredComplianceRows(db, actor, f, now);
  return streamSheet<ComplianceExportRow>({
    sheet: '履职达标', columns: complianceColumns,
    count: () => q.select(countAll()).executeTakeFirstOrThrow().then((r) => Number(r.n)),
    page: async (last, limit) => {
      let p = q.innerJoin('requirement_rules as rr', 'rr.id', 'r.rule_id')
        .leftJoin('units as u', 'u.id', 'r.unit_id')
        .leftJoin('regions as g', 'g.path', 'r.region_path')
        .select([
          'r.rule_id', 'r.window_key', 'r.subject_id', 'rr.name as rule_name', sql<string>`rr.rule->>'subject'`.as('subject'), sql<string>`rr.rule->>'period'`.as('period'),
          'r.subject_name', 'u.name as unit_name', 'g.name as region_name', sql<string>`r.window_start::text`.as('window_start'), sql<string>`r.window_end::text`.as('window_end'),
          'r.count', 'r.required_min', 'r.required_max', 'r.status', 'r.explanation', 'r.computed_at',
        ]);
      // Keyset on the primary key (rule, window, subject).
      if (last) p = p.where(sql<boolean>`(r.rule_id, r.window_key, r.subject_id) > (${last.rule_id}, ${last.window_key}, ${last.subject_id})`);
      return (await p.orderBy('r.rule_id').orderBy('r.window_key').orderBy('r.subject_id').limit(limit).execute()) as ComplianceExportRow[];
    },
  }, o.maxRows);
}

// ── 审计日志 audit log ────────────────────────────────────────────────────────────────────────

type AuditRow = { id: string; at: Date; username: string | null; ip: string | null; action: string; entity: string; entity_id: string | null; detail: unknown };
const auditColumns: ExportColumn<AuditRow>[] = [
  { header: '编号', width: 9, value: (r) => Number(r.id) },
  { header: '时间', width: 17, value: (r) => chinaMinute(r.at) },
  { header: '账号', width: 12, value: (r) => r.username ?? '' },
  { header: '地址', width: 15, value: (r) => r.ip ?? '' },
  { header: '操作', width: 22, value: (r) => r.action },
  { header: '对象', width: 14, value: (r) => r.entity },
  { header: '对象编号', width: 10, value: (r) => r.entity_id ?? '' },
  { header: '详情', width: 50, value: (r) => (r.detail === null || r.detail === undefined ? '' : JSON.stringify(r.detail)) },
];

export async function exportAudit(db: Executor, actor: Actor, f: NoPage<AuditFilter>, o: Opts) {
  const q = filteredAudit(db, actor, f);
  return streamSheet<AuditRow>({
    sheet: '审计日志', columns: auditColumns,
    count: () => q.select(countAll()).executeTakeFirstOrThrow().then((r) => Number(r.n)),
    page: async (last, limit) => (await q.select(['id', 'at', 'username', 'ip', 'action', 'entity', 'entity_id', 'detail'])
      .where(sql<boolean>`id > ${last?.id ?? '0'}::bigint`).orderBy('id').limit(limit).execute()) as AuditRow[],
  }, o.maxRows);
}

// ── 公开履职承诺 commitments ───────────────────────────────────────────────────────────────────

type CommitmentExportRow = CommitmentRow & { today: string };
const commitmentExportColumns: ExportColumn<CommitmentExportRow>[] = [
  { header: '编号', width: 8, value: (r) => r.id },
  { header: '承诺人', width: 10, value: (r) => r.leader_name },
  { header: '职务', width: 16, value: (r) => r.leader_position },
  { header: '单位', width: 18, value: (r) => r.unit_name },
  { header: '区划', width: 12, value: (r) => r.region_name },
  { header: '活动', width: 18, value: (r) => r.campaign_name },
  { header: '承诺事项', width: 30, value: (r) => r.title },
  { header: '类别', width: 10, value: (r) => r.category },
  { header: '开始日期', width: 11, value: (r) => r.starts_on },
  { header: '承诺期限', width: 11, value: (r) => r.due_on },
  { header: '状态', width: 8, value: (r) => commitmentStatusLabels[statusOf(r, r.today)].zh },
  { header: '进度', width: 7, value: (r) => progressOf(r).progress / 100, numFmt: '0%' },
  { header: '节点', width: 8, value: (r) => `${r.milestones_done}/${r.milestone_count}` },
  { header: '兑现日期', width: 11, value: (r) => r.honoured_on ?? '' },
  { header: '公开', width: 6, value: (r) => (r.published_at ? '已公开' : '未公开') },
  { header: '调整次数', width: 8, value: (r) => r.adjustment_count },
];

export async function exportCommitments(db: Executor, actor: Actor, f: NoPage<CommitmentListQuery>, o: Opts, today: string) {
  const q = await filteredCommitments(db, actor, f, today);
  return streamSheet<CommitmentExportRow>({
    sheet: '履职承诺', columns: commitmentExportColumns,
    count: () => q.select(countAll()).executeTakeFirstOrThrow().then((r) => Number(r.n)),
    page: async (last, limit) => ((await q.select(commitmentColumns).select(milestoneCounts)
      .where('c.id', '>', last?.id ?? 0).orderBy('c.id').limit(limit).execute()) as CommitmentRow[]).map((r) => ({ ...r, today })),
  }, o.maxRows);
}
