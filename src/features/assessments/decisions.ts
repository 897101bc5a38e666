import { sql } from 'kysely';
import {
  createDecision as createSchema, decisionKindLabels, decisionKinds,
  type CreateDecision, type DecisionDto, type DecisionKind, type DecisionSummaryDto,
} from '../../../contracts/assessments.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { pathUnder } from '../../db/paths.ts';
import { AppError, notFound } from '../../errors.ts';
import { recordAudit } from '../audit/audit.ts';
import { assertCan, isUnder, type Actor } from '../auth/actor.ts';

// Rewards and penalties (奖惩) decided on the assessment, per cadre or per unit, with the decision,
// its date and its reference (文号), so "promoted 35, removed 8" is a count over these rows.
// A decision lives where its cadre's unit (or its unit) lies; it is seen inside that region.

const invalid = (field: string, message: string) => new AppError('VALIDATION_FAILED', message, { field, fields: [{ field, message }] });

type Row = {
  id: number; scheme_id: number | null; year: number; kind: DecisionKind; cadre_id: number | null; unit_id: number | null; name: string;
  decision: string; decided_on: string; reference: string; created_at: Date;
};
const toDto = (r: Row): DecisionDto => ({
  id: r.id, schemeId: r.scheme_id, year: r.year, kind: r.kind, penalty: decisionKindLabels[r.kind].penalty, cadreId: r.cadre_id, unitId: r.unit_id,
  name: r.name, decision: r.decision, decidedOn: r.decided_on, reference: r.reference, createdAt: r.created_at.toISOString(),
});

function scoped(db: Executor, actor: Actor) {
  let q = db.selectFrom('assessment_decisions');
  if (actor.scope.regionPath !== null) q = q.where(pathUnder('region_path', actor.scope.regionPath));
  if (actor.scope.unitPath !== null) q = q.where(pathUnder('unit_path', actor.scope.unitPath));
  return q;
}

export type DecisionFilter = { year?: number | undefined; kind?: DecisionKind | undefined; schemeId?: number | undefined };
const filtered = (db: Executor, actor: Actor, f: DecisionFilter) => {
  let q = scoped(db, actor);
  if (f.year !== undefined) q = q.where('year', '=', f.year);
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.schemeId !== undefined) q = q.where('scheme_id', '=', f.schemeId);
  return q;
};

export async function listDecisions(db: Executor, actor: Actor, f: DecisionFilter & { page: number; pageSize: number }) {
  const q = filtered(db, actor, f);
  const [rows, count] = await Promise.all([
    q.selectAll().orderBy('decided_on', 'desc').orderBy('id', 'desc').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map((r) => toDto(r as Row)), total: Number(count.n), page: f.page, pageSize: f.pageSize };
}

export async function decisionSummary(db: Executor, actor: Actor, f: DecisionFilter): Promise<DecisionSummaryDto> {
  const rows = await filtered(db, actor, f).select(['kind', sql<number>`count(*)::int`.as('n')]).groupBy('kind').execute();
  const by = new Map(rows.map((r) => [r.kind, Number(r.n)]));
  const byKind = decisionKinds.map((kind) => ({ kind, count: by.get(kind) ?? 0 }));
  const sum = (penalty: boolean) => byKind.filter((k) => decisionKindLabels[k.kind].penalty === penalty).reduce((a, k) => a + k.count, 0);
  return { total: sum(false) + sum(true), rewards: sum(false), penalties: sum(true), byKind };
}

export async function createDecision(db: Executor, actor: Actor, input: CreateDecision): Promise<DecisionDto> {
  assertCan(actor, 'assessment.configure');
  const v = createSchema.parse(input);
  const { regionPath, unitPath } = actor.scope;
  const inScope = (p: { region_path: string; path: string }) => (regionPath === null || isUnder(p.region_path, regionPath)) && (unitPath === null || isUnder(p.path, unitPath));
  return inTransaction(db, async (tx) => {
    let who: { name: string; region_path: string; unit_path: string };
    if (v.cadreId !== undefined) {
      const c = await tx.selectFrom('cadres').innerJoin('units', 'units.id', 'cadres.unit_id')
        .select(['cadres.name', 'units.region_path', 'units.path']).where('cadres.id', '=', v.cadreId).executeTakeFirst();
      if (!c || !inScope(c)) throw invalid('cadreId', `干部（${v.cadreId}）不存在或不在您的管辖范围内`);
      who = { name: c.name, region_path: c.region_path, unit_path: c.path };
    } else {
      const u = await tx.selectFrom('units').select(['name', 'region_path', 'path']).where('id', '=', v.unitId!).executeTakeFirst();
      if (!u || !inScope(u)) throw invalid('unitId', `单位（${v.unitId}）不存在或不在您的管辖范围内`);
      who = { name: u.name, region_path: u.region_path, unit_path: u.path };
    }
    if (v.schemeId !== null) {
      const s = await tx.selectFrom('assessment_schemes').select(['region_path', 'year']).where('id', '=', v.schemeId).executeTakeFirst();
      if (!s || !(regionPath === null || isUnder(s.region_path, regionPath) || isUnder(regionPath, s.region_path))) throw invalid('schemeId', `考核方案（${v.schemeId}）不存在或不在您的管辖范围内`);
      if (s.year !== v.year) throw invalid('year', `年度（${v.year}）与考核方案的年度（${s.year}）不一致`);
    }
    const row = await tx.insertInto('assessment_decisions').values({
      scheme_id: v.schemeId, year: v.year, kind: v.kind, cadre_id: v.cadreId ?? null, unit_id: v.unitId ?? null, name: who.name,
      region_path: who.region_path, unit_path: who.unit_path, decision: v.decision, decided_on: v.decidedOn, reference: v.reference, created_by: actor.userId,
    }).returningAll().executeTakeFirstOrThrow();
    await recordAudit(tx, actor, { action: 'assessment_decision.create', entity: 'assessment_decision', entityId: row.id, detail: { kind: v.kind, name: who.name, reference: v.reference }, where: { regionPath: who.region_path, unitPath: who.unit_path } });
    return toDto(row as Row);
  });
}

export async function getDecision(db: Executor, actor: Actor, id: number): Promise<DecisionDto> {
  const row = await scoped(db, actor).selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('奖惩记录', id);
  return toDto(row as Row);
}
