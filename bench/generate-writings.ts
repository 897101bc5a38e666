import { sql } from 'kysely';
import type { Database } from '../src/db/database.ts';

// Writings (手记、调研报告、发展规划) and practical matters (实事) for the statistics benchmark, on top of
// a tier's year of field records (bench/generate-activities.ts), derived set-based from the records
// so it costs seconds even at the province tier's 6,000,000: every other stay leaves a diary,
// every other research visit a research report, every third on-site office a development plan;
// every 25th household visit promises a practical matter for its household. Chosen by record id,
// so both drivers get the same rows. Status spread: writings 60% submitted, 30% reviewed, 10%
// selected; matters 60% done (within 0–39 days, never after `today`), 20% in progress, 20% promised.

export type WritingsInfo = { writings: number; matters: number };

export async function generateWritingsAndMatters(db: Database, campaignId: number, today: string): Promise<WritingsInfo> {
  // The first participant of each record (the recorder's cadre in the generator) is its author.
  const w = await sql<{ n: number }>`
    with src as (
      select a.id, a.kind, a.region_code, a.region_path, (a.starts_at at time zone 'Asia/Shanghai')::date as day, t.target_id,
        (select p.cadre_id from activity_participants p where p.activity_id = a.id order by p.cadre_id limit 1) as cadre_id,
        (select p.unit_path from activity_participants p where p.activity_id = a.id order by p.cadre_id limit 1) as unit_path
      from activities a left join lateral (select target_id from activity_targets at where at.activity_id = a.id order by target_id limit 1) t on true
      where a.campaign_id = ${campaignId}
        and ((a.kind = 'stay' and a.id % 2 = 0) or (a.kind = 'research' and a.id % 2 = 1) or (a.kind = 'onsite_office' and a.id % 3 = 0))
    ), ins as (
      insert into writings (kind, title, body, campaign_id, author_cadre_id, target_id, region_code, region_path, unit_path, status, grade, submitted_at, written_on)
      select case kind when 'stay' then 'diary' when 'research' then 'research_report' else 'development_plan' end,
        case kind when 'stay' then '驻村蹲点手记' when 'research' then '专题调研报告' else '村级发展规划' end || '（' || id || '）',
        '', ${campaignId}, cadre_id, target_id, region_code, region_path, unit_path,
        case when id % 10 < 6 then 'submitted' when id % 10 < 9 then 'reviewed' else 'selected' end,
        case when id % 10 < 6 then null else (array['优','良','中','差'])[1 + id % 4] end,
        day::timestamp at time zone 'Asia/Shanghai', day
      from src where cadre_id is not null
      returning 1
    ) select count(*)::int as n from ins`.execute(db);
  const m = await sql<{ n: number }>`
    with src as (
      select a.id, a.region_code, a.region_path, (a.starts_at at time zone 'Asia/Shanghai')::date as day, t.target_id,
        (select p.cadre_id from activity_participants p where p.activity_id = a.id order by p.cadre_id limit 1) as cadre_id,
        (select p.unit_path from activity_participants p where p.activity_id = a.id order by p.cadre_id limit 1) as unit_path
      from activities a join lateral (select target_id from activity_targets at where at.activity_id = a.id order by target_id limit 1) t on true
      where a.campaign_id = ${campaignId} and a.kind = 'household_visit' and a.id % 25 = 0 and a.starts_at < ${today}::date
    ), ins as (
      insert into practical_matters (campaign_id, target_id, activity_id, cadre_id, title, amount_fen, fund_source, status, promised_on, done_on, region_code, region_path, unit_path)
      select ${campaignId}, target_id, id, cadre_id,
        (array['修缮危旧房屋','协调医疗救助','落实低保待遇','帮助销售农产品','修复入户道路','安装路灯','协调就业岗位','解决饮水问题'])[1 + id % 8],
        (id % 7) * 50000 + (id % 3) * 10000, (array['帮扶资金','部门项目资金','社会捐助'])[1 + id % 3],
        case when (id / 25) % 10 < 6 then 'done' when (id / 25) % 10 < 8 then 'in_progress' else 'promised' end,
        day,
        case when (id / 25) % 10 < 6 then least(day + (id % 40)::int, greatest(day, ${today}::date)) end,
        region_code, region_path, unit_path
      from src where cadre_id is not null
      returning 1
    ) select count(*)::int as n from ins`.execute(db);
  return { writings: w.rows[0]!.n, matters: m.rows[0]!.n };
}
