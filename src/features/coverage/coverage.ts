import { sql, type RawBuilder } from 'kysely';
import { cadreRankLabels, type CadreRank } from '../../../contracts/cadres.ts';
import { unitLevelLabels } from '../../../contracts/units.ts';
import { coverageRuleInput, type CoverageReport, type CoverageRuleDto, type CoverageRuleInput } from '../../../contracts/coverage.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { pathUnder } from '../../db/paths.ts';
import { AppError, notFound } from '../../errors.ts';
import { recordAudit } from '../audit/audit.ts';
import { assertCan, isUnder, type Actor } from '../auth/actor.ts';
import { targetKindLabels } from '../../../contracts/targets.ts';

// Coverage (覆盖): are the campaign's targets and cadres paired as its rules require?
// A pairing counts while open (ends_on is null). A team pairing counts for its leader and every
// current member. Only cadres in post (在职) count.

type CampaignRow = { id: number; name: string; region_code: string; region_path: string };

/**
 * A campaign the actor takes part in: one inside their region, or one whose region contains it
 * (a township admin sees the county campaign, limited to their township).
 */
export async function campaignForActor(db: Executor, actor: Actor, id: number): Promise<CampaignRow> {
  const c = await db.selectFrom('campaigns').select(['id', 'name', 'region_code', 'region_path']).where('id', '=', id).executeTakeFirst();
  const p = actor.scope.regionPath;
  if (!c || (p !== null && !isUnder(c.region_path, p) && !isUnder(p, c.region_path))) throw notFound('活动', id);
  return c;
}

const toRuleDto = (r: { id: number; campaign_id: number; kind: CoverageRuleDto['kind']; description: string; params: Record<string, unknown> }): CoverageRuleDto => ({
  id: r.id, campaignId: r.campaign_id, kind: r.kind, description: r.description, params: r.params,
});

export async function listCoverageRules(db: Executor, actor: Actor, campaignId: number): Promise<CoverageRuleDto[]> {
  await campaignForActor(db, actor, campaignId);
  const rows = await db.selectFrom('coverage_rules').selectAll().where('campaign_id', '=', campaignId).orderBy('id').execute();
  return rows.map(toRuleDto);
}

type Parsed = ReturnType<typeof coverageRuleInput.parse>;
export type RangeRule = Extract<Parsed, { kind: 'target_cadres' | 'cadre_targets' }>;

const overlaps = (a: readonly string[] | undefined, b: readonly string[] | undefined) => !a || !b || a.some((x) => b.includes(x));

/**
 * Two rules of the same shape over the same targets and cadres contradict each other when one's
 * maximum is below the other's minimum: no pairing could ever satisfy both.
 */
export function findContradiction(rule: RangeRule, others: RangeRule[]): string | null {
  for (const o of others) {
    if (o.kind !== rule.kind) continue;
    if (!o.params.targetKinds.some((k) => (rule.params.targetKinds as readonly string[]).includes(k))) continue;
    if (!overlaps(o.params.cadreRanks, rule.params.cadreRanks) || !overlaps(o.params.targetTags, rule.params.targetTags)) continue;
    const lo = Math.max(o.params.min ?? 0, rule.params.min ?? 0);
    const hi = Math.min(o.params.max ?? Infinity, rule.params.max ?? Infinity);
    if (lo > hi) {
      const what = rule.kind === 'target_cadres' ? '每个对象的联系干部数' : '每名干部的联系对象数';
      return `与已有规则“${describeRule(o)}”矛盾：${what}不可能同时不少于 ${lo} 且不多于 ${hi}`;
    }
  }
  return null;
}

async function campaignForWrite(db: Executor, actor: Actor, campaignId: number) {
  assertCan(actor, 'campaign.write');
  const campaign = await campaignForActor(db, actor, campaignId);
  if (actor.scope.regionPath !== null && !isUnder(campaign.region_path, actor.scope.regionPath)) {
    throw new AppError('FORBIDDEN', '只有活动所属区划的管理员可以修改覆盖要求');
  }
  return campaign;
}

export async function addCoverageRule(db: Executor, actor: Actor, campaignId: number, input: CoverageRuleInput): Promise<CoverageRuleDto> {
  assertCan(actor, 'campaign.write');
  const rule = coverageRuleInput.parse(input);
  return inTransaction(db, async (tx) => {
    const campaign = await campaignForWrite(tx, actor, campaignId);
    const same = (await tx.selectFrom('coverage_rules').select(['kind', 'params']).where('campaign_id', '=', campaignId).where('kind', '=', rule.kind).execute())
      .find((r) => JSON.stringify(coverageRuleInput.parse({ kind: r.kind, params: r.params }).params) === JSON.stringify(rule.params));
    if (same) throw new AppError('CONFLICT', '该活动已有同样的覆盖要求', { field: 'params' });
    if (rule.kind !== 'unit_leader_named') {
      const existing = (await tx.selectFrom('coverage_rules').select(['kind', 'params', 'description']).where('campaign_id', '=', campaignId).execute())
        .filter((r) => r.kind === rule.kind)
        .map((r) => coverageRuleInput.parse({ kind: r.kind, description: r.description, params: r.params }) as RangeRule);
      const clash = findContradiction(rule, existing);
      if (clash) throw new AppError('CONFLICT', clash, { field: 'params' });
    }
    const description = rule.description || describeRule(rule);
    const row = await tx
      .insertInto('coverage_rules')
      .values({ campaign_id: campaignId, kind: rule.kind, params: JSON.stringify(rule.params), description })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, actor, { action: 'coverage_rule.create', entity: 'campaign', entityId: campaignId, detail: { rule: row.id, kind: rule.kind, params: rule.params }, where: { regionPath: campaign.region_path, unitPath: null } });
    return toRuleDto(row);
  });
}

export async function deleteCoverageRule(db: Executor, actor: Actor, campaignId: number, ruleId: number): Promise<void> {
  await inTransaction(db, async (tx) => {
    const campaign = await campaignForWrite(tx, actor, campaignId);
    const gone = await tx.deleteFrom('coverage_rules').where('id', '=', ruleId).where('campaign_id', '=', campaignId).returning('id').executeTakeFirst();
    if (!gone) throw notFound('覆盖要求', ruleId);
    await recordAudit(tx, actor, { action: 'coverage_rule.delete', entity: 'campaign', entityId: campaignId, detail: { rule: ruleId }, where: { regionPath: campaign.region_path, unitPath: null } });
  });
}

const kindsText = (kinds: readonly string[]) => kinds.map((k) => targetKindLabels[k as keyof typeof targetKindLabels]?.zh ?? k).join('/');
const ranksText = (ranks: readonly CadreRank[] | undefined) => (ranks ? ranks.map((r) => cadreRankLabels[r].zh).join('/') : '');
const rangeText = (p: { min?: number | undefined; max?: number | null | undefined }) =>
  p.min !== undefined && p.max != null ? (p.min === p.max ? `${p.min}` : `${p.min}–${p.max}`) : p.max == null ? `至少 ${p.min ?? 0}` : `至多 ${p.max}`;

/** The rule in the words of the articles: 每个村/社区由 至少 1 名县级/科级干部联系. */
export function describeRule(rule: Parsed): string {
  if (rule.kind === 'unit_leader_named') return '每个参加单位明确责任领导';
  const tags = rule.params.targetTags?.length ? `（${rule.params.targetTags.join('、')}）` : '';
  if (rule.kind === 'target_cadres') {
    return `每个${kindsText(rule.params.targetKinds)}${tags}由 ${rangeText(rule.params)} 名${ranksText(rule.params.cadreRanks)}干部联系`;
  }
  const levels = rule.params.unitLevels?.map((l) => unitLevelLabels[l].zh).join('/');
  const who = `${ranksText(rule.params.cadreRanks)}${levels ? `（${levels}单位）` : ''}干部`;
  return `每名${who}联系${kindsText(rule.params.targetKinds)}${tags} ${rangeText(rule.params)} 个`;
}

// ---- evaluation -------------------------------------------------------------------------------

const textArray = (xs: readonly string[]) => sql`${sql.val(xs)}::text[]`;

/** Open links target → cadre in a campaign, through direct pairings and through teams. */
export const openLinks = (campaignId: number) => sql`
  select p.target_id, p.cadre_id from pairings p
   where p.campaign_id = ${campaignId} and p.ends_on is null and p.cadre_id is not null
  union
  select p.target_id, tm.cadre_id from pairings p join team_members tm on tm.team_id = p.team_id and tm.left_on is null
   where p.campaign_id = ${campaignId} and p.ends_on is null
  union
  select p.target_id, t.leader_cadre_id from pairings p join teams t on t.id = p.team_id
   where p.campaign_id = ${campaignId} and p.ends_on is null`;

type Counted = { id: number; name: string; region_code: string | null; region_path: string; n: number };

function statusOf(evaluated: number, unmet: number): 'green' | 'amber' | 'red' {
  if (unmet === 0) return 'green';
  return unmet / Math.max(evaluated, 1) <= 0.1 ? 'amber' : 'red';
}

/** Each target of the rule's kinds in the subtree, with how many (rank-matching) cadres are linked. */
function targetCounts(campaignId: number, regionPath: string, rule: Extract<Parsed, { kind: 'target_cadres' }>['params']) {
  const rankFilter = rule.cadreRanks ? sql`and c.rank = any(${textArray(rule.cadreRanks)})` : sql``;
  const tagFilter = rule.targetTags?.length ? sql`and t.tags && ${textArray(rule.targetTags)}` : sql``;
  return sql<Counted>`
    with links as (${openLinks(campaignId)}),
    counts as (
      select l.target_id, count(distinct l.cadre_id)::int as n
        from links l join cadres c on c.id = l.cadre_id
       where c.status = 'active' ${rankFilter}
       group by l.target_id)
    select t.id, t.name, t.region_code, t.region_path, coalesce(counts.n, 0) as n
      from contact_targets t left join counts on counts.target_id = t.id
     where t.kind = any(${textArray(rule.targetKinds)}) and ${pathUnder('t.region_path', regionPath)} ${tagFilter}`;
}

/** Cadres counted by a campaign: its participating units' cadres, or all in its region if none are named. */
const campaignCadres = (campaignId: number, campaignPath: string) => sql`
  (c.unit_id in (select unit_id from campaign_units where campaign_id = ${campaignId})
   or (not exists (select 1 from campaign_units where campaign_id = ${campaignId}) and ${pathUnder('u.region_path', campaignPath)}))`;

/** Each eligible cadre whose unit lies in the subtree, with how many matching targets they hold. */
function cadreCounts(campaignId: number, campaignPath: string, regionPath: string, rule: Extract<Parsed, { kind: 'cadre_targets' }>['params']) {
  const rankFilter = rule.cadreRanks ? sql`and c.rank = any(${textArray(rule.cadreRanks)})` : sql``;
  const levelFilter = rule.unitLevels ? sql`and u.level = any(${textArray(rule.unitLevels)})` : sql``;
  const tagFilter = rule.targetTags?.length ? sql`and t.tags && ${textArray(rule.targetTags)}` : sql``;
  return sql<Counted>`
    with links as (${openLinks(campaignId)}),
    counts as (
      select l.cadre_id, count(distinct l.target_id)::int as n
        from links l join contact_targets t on t.id = l.target_id
       where t.kind = any(${textArray(rule.targetKinds)}) ${tagFilter}
       group by l.cadre_id)
    select c.id, c.name, u.region_code, u.region_path, coalesce(counts.n, 0) as n
      from cadres c join units u on u.id = c.unit_id left join counts on counts.cadre_id = c.id
     where c.status = 'active' ${rankFilter} ${levelFilter}
       and ${pathUnder('u.region_path', regionPath)} and ${campaignCadres(campaignId, campaignPath)}`;
}

function unitLeaders(campaignId: number, campaignPath: string, regionPath: string) {
  return sql<Counted>`
    select u.id, u.name, u.region_code, u.region_path, case when u.leader_cadre_id is null then 0 else 1 end as n
      from units u
     where ${pathUnder('u.region_path', regionPath)}
       and (u.id in (select unit_id from campaign_units where campaign_id = ${campaignId})
            or (not exists (select 1 from campaign_units where campaign_id = ${campaignId}) and ${pathUnder('u.region_path', campaignPath)}))`;
}

/**
 * Aggregates per-item counts in SQL: totals, the worst items, and a row per child region of the
 * subtree (the next level of the tree), so 50,000 households never travel to JavaScript.
 */
async function summarise(db: Executor, counted: RawBuilder<Counted>, regionPath: string, range: { min: number; max: number | null }, limit: number) {
  const childSegment = regionPath.split('/').length + 1; // split_part is 1-based
  const max = range.max ?? 2_147_483_647;
  const totals = (await sql<{ evaluated: number; uncovered: number; under: number; over: number }>`
    select count(*)::int as evaluated,
           count(*) filter (where x.n = 0 and ${range.min} > 0)::int as uncovered,
           count(*) filter (where x.n > 0 and x.n < ${range.min})::int as under,
           count(*) filter (where x.n > ${max})::int as over
      from (${counted}) x`.execute(db)).rows[0]!;
  const violations = limit === 0 ? [] : (await sql<Counted & { problem: 'uncovered' | 'under' | 'over' }>`
    select x.*, case when x.n = 0 and ${range.min} > 0 then 'uncovered' when x.n < ${range.min} then 'under' else 'over' end as problem
      from (${counted}) x
     where x.n < ${range.min} or x.n > ${max}
     order by x.n, x.region_path, x.id limit ${limit + 1}`.execute(db)).rows;
  const byRegion = (await sql<{ code: string; name: string; level: string; evaluated: number; unmet: number }>`
    select r.code, r.name, r.level, count(*)::int as evaluated,
           count(*) filter (where x.n < ${range.min} or x.n > ${max})::int as unmet
      from (${counted}) x join regions r on r.code = split_part(x.region_path, '/', ${childSegment})
     group by r.code, r.name, r.level order by r.code`.execute(db)).rows;
  return { totals, violations, byRegion };
}

export async function coverageReport(db: Executor, actor: Actor, campaignId: number, opts: { region?: string | undefined; violationsLimit: number }): Promise<CoverageReport> {
  const campaign = await campaignForActor(db, actor, campaignId);
  // The requested region, else the campaign's, but never beyond the actor's own scope.
  const scopePath = actor.scope.regionPath;
  let code = opts.region ?? campaign.region_code;
  if (!opts.region && scopePath !== null && isUnder(scopePath, campaign.region_path)) code = scopePath.split('/').pop()!;
  const region = await db.selectFrom('regions').select(['code', 'name', 'level', 'path']).where('code', '=', code).executeTakeFirst();
  if (!region || (scopePath !== null && !isUnder(region.path, scopePath))) throw notFound('区划', code);
  if (!isUnder(region.path, campaign.region_path)) {
    throw new AppError('VALIDATION_FAILED', `区划“${region.name}”不在活动“${campaign.name}”的范围内`, { field: 'region' });
  }

  const rows = await db.selectFrom('coverage_rules').selectAll().where('campaign_id', '=', campaignId).orderBy('id').execute();
  const rules: CoverageReport['rules'] = [];
  for (const row of rows) {
    const rule = coverageRuleInput.parse({ kind: row.kind, description: row.description, params: row.params });
    const item = rule.kind === 'target_cadres' ? 'target' : rule.kind === 'cadre_targets' ? 'cadre' : 'unit';
    const counted =
      rule.kind === 'target_cadres' ? targetCounts(campaignId, region.path, rule.params)
      : rule.kind === 'cadre_targets' ? cadreCounts(campaignId, campaign.region_path, region.path, rule.params)
      : unitLeaders(campaignId, campaign.region_path, region.path);
    const range = rule.kind === 'unit_leader_named' ? { min: 1, max: null } : { min: rule.params.min ?? 0, max: rule.params.max ?? null };
    const { totals, violations, byRegion } = await summarise(db, counted, region.path, range, opts.violationsLimit);
    const unmet = totals.uncovered + totals.under + totals.over;
    const want = rangeText(range);
    rules.push({
      rule: toRuleDto(row),
      evaluated: totals.evaluated,
      met: totals.evaluated - unmet,
      uncovered: totals.uncovered,
      under: totals.under,
      over: totals.over,
      status: statusOf(totals.evaluated, unmet),
      violationsTruncated: violations.length > opts.violationsLimit,
      violations: violations.slice(0, opts.violationsLimit).map((v) => ({
        kind: item,
        id: v.id,
        name: v.name,
        regionCode: v.region_code,
        count: v.n,
        problem: v.problem,
        explanation:
          item === 'unit' ? '未明确责任领导'
          : item === 'target' ? `现有 ${v.n} 名符合条件的干部联系，要求 ${want} 名`
          : `现联系 ${v.n} 个，要求 ${want} 个`,
      })),
      byRegion: byRegion.map((r) => ({ ...r, status: statusOf(r.evaluated, r.unmet) })),
    });
  }
  const status = rules.some((r) => r.status === 'red') ? 'red' : rules.some((r) => r.status === 'amber') ? 'amber' : 'green';
  return { campaignId, region: { code: region.code, name: region.name, level: region.level }, rules, status };
}
