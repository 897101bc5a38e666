import { sql } from 'kysely';
import type { Database } from '../src/db/database.ts';

// Pairings (结对) for the compliance benchmark, on top of a tier, its targets and campaign
// (bench/generate-targets.ts) and a year of field records (bench/generate-activities.ts), as SPEC §3
// sizes the city tier: every household paired (50,000, about 5 per cadre), every village and
// community paired with a 县级 or 科级 cadre, every key project with one. Set-based and
// deterministic (ties broken by id), so both drivers get the same rows:
//  - a household or a village goes to the cadre who visited it most in the records (so visits
//    count for pairings as they would), else round-robin over the eligible cadres;
//  - projects are dealt round-robin over 县级 and 科级 cadres.
// Every pairing starts with the campaign; 五员 roles are dealt in turn.

export type PairingsInfo = { households: number; villages: number; projects: number; visitedShare: number };

export async function generatePairings(db: Database, campaignId: number): Promise<PairingsInfo> {
  const campaign = await db.selectFrom('campaigns').select(['starts_on', 'cadre_roles']).where('id', '=', campaignId).executeTakeFirstOrThrow();
  const roles = campaign.cadre_roles;
  // Fresh tables: without statistics the visits join below can pick a nested loop over 300,000 records.
  await sql`analyze cadres, contact_targets, activity_targets, activity_participants`.execute(db);
  const pairKinds = async (kinds: string[], ranks: string[] | null) => {
    const rankCond = ranks ? sql`c.rank = any(${ranks}::text[])` : sql`true`;
    const r = await sql<{ n: number; visited: number }>`
      with eligible as (
        select c.id, row_number() over (order by c.id) - 1 as i from cadres c where ${rankCond}
      ), wanted as (
        select t.id, row_number() over (order by t.id) - 1 as i from contact_targets t where t.kind = any(${kinds}::text[])
      ), visits as (
        select at.target_id, ap.cadre_id, count(*) as n
          from activity_targets at join activity_participants ap on ap.activity_id = at.activity_id
          join wanted w on w.id = at.target_id join eligible e on e.id = ap.cadre_id
         group by at.target_id, ap.cadre_id
      ), best as (
        select distinct on (target_id) target_id, cadre_id from visits order by target_id, n desc, cadre_id
      ), chosen as (
        -- Round-robin as a join (a subquery per target over the eligible cadres took minutes at the city tier).
        select w.id as target_id, coalesce(b.cadre_id, e.id) as cadre_id, w.i, b.cadre_id is not null as visited
          from wanted w left join best b on b.target_id = w.id
          left join eligible e on e.i = w.i % (select count(*) from eligible)
      ), ins as (
        insert into pairings (campaign_id, target_id, cadre_id, role, cadre_role, starts_on)
        select ${campaignId}, target_id, cadre_id, 'primary', (${roles}::text[])[1 + (i % ${Math.max(roles.length, 1)})], ${campaign.starts_on}::date
          from chosen order by target_id
        returning 1
      )
      select (select count(*) from ins)::int as n, (select count(*) from chosen where visited)::int as visited`.execute(db);
    return r.rows[0]!;
  };
  const households = await pairKinds(['household'], null);
  const villages = await pairKinds(['village', 'community'], ['county', 'section']);
  const projects = await pairKinds(['project'], ['county', 'section']);
  return {
    households: households.n,
    villages: villages.n,
    projects: projects.n,
    visitedShare: Math.round(((households.visited + villages.visited) / Math.max(1, households.n + villages.n)) * 1000) / 1000,
  };
}
