import { sql } from 'kysely';
import type { AutoFormula, AutoMeasure } from '../../../contracts/assessments.ts';
import type { Executor } from '../../db/database.ts';
import { pathUnder } from '../../db/paths.ts';
import { chinaDayStart } from '../../lib/workdays.ts';
import { complianceRate } from '../compliance/views.ts';

// The data behind the auto indicators (contracts/assessments.ts `autoMeasureDefinitions` says
// the same in words). Each returns the value and the figures it came from, so a score can be traced.
//
// Compliance is the compliance views' own rate (complianceRate), so the two never disagree.

export type MeasureSubject = {
  /** The township's region path, or the unit's jurisdiction (coverage counts targets there). */
  regionPath: string;
  /** Set for a unit: records are attributed by unit path instead of region path. */
  unitPath: string | null;
};
export type MeasureContext = { year: number; campaignId: number | null };
export type Measured = { value: number | null; numerator: number | null; denominator: number | null };

const textArray = (xs: readonly string[]) => sql`${sql.val(xs)}::text[]`;
const rate = (num: number, den: number): Measured => ({ value: den === 0 ? null : num / den, numerator: num, denominator: den });

export async function measure(db: Executor, m: AutoMeasure, f: AutoFormula, s: MeasureSubject, ctx: MeasureContext): Promise<Measured> {
  const from = `${ctx.year}-01-01`;
  const to = `${ctx.year}-12-31`;
  const under = (regionColumn: string, unitColumn: string) => (s.unitPath === null ? pathUnder(regionColumn, s.regionPath) : pathUnder(unitColumn, s.unitPath));

  switch (m) {
    case 'coverage': {
      const kinds = f.targetKinds?.length ? sql`and t.kind = any(${textArray(f.targetKinds)})` : sql``;
      const campaign = ctx.campaignId === null ? sql`` : sql`and p.campaign_id = ${ctx.campaignId}`;
      const r = (await sql<{ num: number; den: number }>`
        select count(*)::int as den,
               count(*) filter (where exists (select 1 from pairings p where p.target_id = t.id and p.ends_on is null ${campaign}))::int as num
          from contact_targets t
         where ${pathUnder('t.region_path', s.regionPath)} ${kinds}`.execute(db)).rows[0]!;
      return rate(Number(r.num), Number(r.den));
    }
    case 'compliance': {
      const r = await complianceRate(db, {
        ...(ctx.campaignId === null ? {} : { campaignId: ctx.campaignId }),
        ...(s.unitPath === null ? { regionPath: s.regionPath } : { unitPath: s.unitPath }),
        windowEndFrom: from, windowEndTo: to,
      });
      return rate(r.met, r.total);
    }
    case 'on_time':
    case 'satisfaction': {
      const r = (await sql<{ resolved: number; on_time: number; rated: number; satisfied: number }>`
        select count(*) filter (where t.resolved_at is not null)::int as resolved,
               count(*) filter (where t.resolved_at is not null and t.resolved_on_time is true)::int as on_time,
               count(*) filter (where t.rating is not null)::int as rated,
               count(*) filter (where t.rating in ('satisfied', 'basically_satisfied'))::int as satisfied
          from tickets t
         where t.merged_into_id is null
           and t.created_at >= ${chinaDayStart(from)} and t.created_at < ${chinaDayStart(`${ctx.year + 1}-01-01`)}
           and ${under('t.region_path', 't.handling_unit_path')}`.execute(db)).rows[0]!;
      return m === 'on_time' ? rate(Number(r.on_time), Number(r.resolved)) : rate(Number(r.satisfied), Number(r.rated));
    }
    case 'reports': {
      const kinds = f.writingKinds?.length ? f.writingKinds : ['research_report', 'leader_memo'];
      const r = (await sql<{ n: number }>`
        select count(*)::int as n from writings w
         where w.kind = any(${textArray(kinds)}) and w.status in ('submitted', 'reviewed', 'selected')
           and w.written_on between ${from}::date and ${to}::date
           and ${under('w.region_path', 'w.unit_path')}`.execute(db)).rows[0]!;
      return { value: Number(r.n), numerator: Number(r.n), denominator: null };
    }
    case 'funds': {
      const r = (await sql<{ fen: number }>`
        select coalesce(sum(pm.amount_fen), 0)::float8 as fen from practical_matters pm
         where pm.status = 'done' and pm.done_on between ${from}::date and ${to}::date
           and ${under('pm.region_path', 'pm.unit_path')}`.execute(db)).rows[0]!;
      return { value: Number(r.fen), numerator: Number(r.fen), denominator: null };
    }
  }
}
