import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, createTestApp, createTestDatabase, login, testConfig, testKey } from '../../../test/helpers.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { App } from '../../http/types.ts';
import { loadDemo, type DemoResult } from './demo.ts';

// The demo county with its year of field work: loaded once (it is large), then checked for what
// the UI, the due list and the integrity checks rely on.

const PASSWORD = 'Demo#2026pass';
const TODAY = '2026-11-22';
let h: DatabaseHandle;
let app: App;
let demo: DemoResult;

beforeAll(async () => {
  h = await createTestDatabase();
  demo = await loadDemo(h.db, testKey, { adminPassword: PASSWORD, today: TODAY, integrity: testConfig().integrity });
  app = await createTestApp(h.db);
}, 240_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const rows = async <T>(q: ReturnType<typeof sql<T>>) => (await q.execute(h.db)).rows;

describe('demo field records', () => {
  it('covers every kind of activity, inside the campaign and before today', async () => {
    expect(demo.records.activities).toBeGreaterThan(3000);
    const kinds = await rows(sql<{ kind: string; n: number }>`select kind, count(*)::int as n from activities group by kind`);
    expect(kinds.map((k) => k.kind).sort()).toEqual([
      'condolence', 'consultation', 'enterprise_visit', 'forum', 'household_visit', 'onsite_office', 'policy_talk', 'project_visit', 'reception', 'research', 'stay', 'talk',
    ]);
    const [span] = await rows(sql<{ first: Date; last: Date; late: number }>`select min(starts_at) as first, max(ends_at) as last,
      count(*) filter (where recorded_at < ends_at)::int as late from activities`);
    expect(span!.first.getTime()).toBeGreaterThanOrEqual(new Date('2026-03-20T00:00:00+08:00').getTime());
    expect(span!.last.getTime()).toBeLessThan(new Date(`${TODAY}T00:00:00+08:00`).getTime());
    expect(span!.late).toBe(0);
    // Money only on condolence visits, people reached only on meetings and talks, stays count days.
    const [shape] = await rows(sql<{ money: number; att: number; stays: number }>`select
      count(*) filter (where money_fen is not null and kind <> 'condolence')::int as money,
      count(*) filter (where attendees is not null and kind not in ('forum','talk','consultation','policy_talk','reception','onsite_office'))::int as att,
      count(*) filter (where (kind = 'stay') <> (stay_days > 0))::int as stays from activities`);
    expect(shape).toEqual({ money: 0, att: 0, stays: 0 });
  });

  it('credits cadres paired with the targets they visited (but for planted records)', async () => {
    const [unpaired] = await rows(sql<{ n: number }>`select count(*)::int as n from activities a
      join activity_participants ap on ap.activity_id = a.id join activity_targets at on at.activity_id = a.id
      where not exists (select 1 from integrity_flags f where f.activity_id = a.id) and not exists (select 1 from pairings p where p.target_id = at.target_id and (p.cadre_id = ap.cadre_id
        or exists (select 1 from team_members m where m.team_id = p.team_id and m.cadre_id = ap.cadre_id)))`);
    expect(unpaired!.n).toBe(0);
  });

  it('has problems, practical matters with funds, and writing in every state', async () => {
    expect(demo.records.problems).toBeGreaterThan(100);
    const matters = await rows(sql<{ status: string }>`select distinct status from practical_matters`);
    expect(matters.map((m) => m.status).sort()).toEqual(['done', 'in_progress', 'promised']);
    const writings = await rows(sql<{ kind: string; status: string }>`select distinct kind, status from writings where kind <> 'research_topic'`);
    for (const status of ['draft', 'submitted', 'reviewed', 'selected']) expect(writings.some((w) => w.status === status), status).toBe(true);
    const topics = await rows(sql<{ n: number; answered: number }>`select count(*)::int as n,
      (select count(distinct topic_id)::int from writings where topic_id is not null) as answered from writings where kind = 'research_topic'`);
    expect(topics[0]!.n).toBe(18);
    expect(topics[0]!.answered).toBe(18);
  });

  it('flags exactly the planted suspicious records', async () => {
    const flags = await rows(sql<{ check_kind: string; n: number }>`select check_kind, count(*)::int as n from integrity_flags group by check_kind order by check_kind`);
    expect(Object.fromEntries(flags.map((f) => [f.check_kind, f.n]))).toEqual({
      attendance_exceeds_population: 1, backdated_burst: 6, double_stay: 2, far_from_target: 1, impossible_travel: 2, late_entry: 3,
    });
    expect(demo.records.suspicious).toBe(15);
  });

  it('gives the demo cadre a login with a due list', async () => {
    expect(demo.records.cadreLogin.username).toBe('cadre');
    const s = await login(app, 'cadre', PASSWORD);
    const res = await app.inject({ url: `/api/v1/due?asOf=${TODAY}`, headers: as(s) });
    expect(res.statusCode, res.body).toBe(200);
    const list = res.json();
    expect(list.cadre.name).toBe(demo.records.cadreLogin.cadreName);
    expect(list.items.length).toBeGreaterThan(2);
    expect(list.items.some((i: { done: number }) => i.done > 0)).toBe(true);
    const mine = await app.inject({ url: '/api/v1/writings?mine=true', headers: as(s) });
    expect(mine.statusCode).toBe(200);
  });
});

describe('demo public commitments', () => {
  it('has published commitments in every state on the public page, the draft only for staff, and the unit leader’s login', async () => {
    expect(demo.commitments).toMatchObject({ commitments: 10, published: 9, login: { username: 'unitleader' } });
    const res = await app.inject({ url: '/api/v1/public/commitments?pageSize=100' });
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json().items as { status: string; adjusted: boolean; progressSource: string }[];
    expect(items).toHaveLength(9);
    expect(new Set(items.map((i) => i.status))).toEqual(new Set(['in_progress', 'honoured', 'overdue', 'adjusted']));
    expect(items.some((i) => i.progressSource === 'explicit')).toBe(true);
    const s = await login(app, 'unitleader', PASSWORD);
    const mine = (await app.inject({ url: '/api/v1/commitments?pageSize=100', headers: as(s) })).json();
    expect(mine.total).toBe(2);
    expect(mine.items.some((i: { published: boolean }) => !i.published)).toBe(true);
  });
});

describe('demo calendar', () => {
  it('carries the SPEC fixed days and holiday visits, 重阳 on its lunar date', async () => {
    const s = await login(app, 'admin', PASSWORD);
    const campaignId = (await app.inject({ url: '/api/v1/campaigns', headers: as(s) })).json().items[0].id;
    const entries = (await app.inject({ url: `/api/v1/campaigns/${campaignId}/calendar`, headers: as(s) })).json().items as { name: string }[];
    expect(entries.map((e) => e.name)).toEqual(['接访日', '公开日', '党员活动日', '村务办公日', '学习日', '七一走访', '重阳走访', '春节走访']);
    const oct = (await app.inject({ url: `/api/v1/campaigns/${campaignId}/calendar/month?month=2026-10`, headers: as(s) })).json();
    expect(oct.occurrences.filter((o: { festivalDate: string | null }) => o.festivalDate === '2026-10-18')).toHaveLength(11);
  });
});

describe('demo compliance', () => {
  it('stores every SPEC duty as a rule, with met, on track, at risk and missed in the current windows and last month kept', async () => {
    expect((await rows<{ n: number }>(sql`select count(*)::int as n from requirement_rules`))[0]!.n).toBe(23);
    const current = await rows<{ status: string }>(sql`select distinct status from compliance_results where window_start <= ${TODAY} and window_end >= ${TODAY}`);
    expect(new Set(current.map((r) => r.status))).toEqual(new Set(['met', 'on_track', 'at_risk', 'missed']));
    const october = await rows<{ n: number }>(sql`select count(*)::int as n from compliance_results where window_key = '2026-10' and status in ('met', 'missed')`);
    expect(october[0]!.n).toBeGreaterThan(0);
  });
});

describe('demo bulletins', () => {
  it('has 第1期 and 第2期 published and 第3期 as a draft, the published ones with their records frozen', async () => {
    const s = await login(app, 'admin', PASSWORD);
    const list = (await app.inject({ url: '/api/v1/bulletins?pageSize=50', headers: as(s) })).json().items as { number: number; status: string }[];
    expect(list.map((b) => [b.number, b.status]).sort()).toEqual([[1, 'published'], [2, 'published'], [3, 'draft']]);
    const frozen = await rows<{ n: number }>(sql`select count(*)::int as n from bulletin_snapshot_records`);
    expect(frozen[0]!.n).toBeGreaterThan(0);
  });
});
