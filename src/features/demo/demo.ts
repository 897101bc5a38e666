import { sql } from 'kysely';
import type { CadreRank } from '../../../contracts/cadres.ts';
import { loadConfig, type IntegrityThresholds } from '../../config.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { sealPhone, type PersonalDataKey } from '../../lib/personal-data.ts';
import { recordAudit } from '../audit/audit.ts';
import { createUser } from '../auth/accounts.ts';
import { systemActor } from '../auth/actor.ts';
import { generatePassword } from '../auth/passwords.ts';
import { nameInitials } from '../cadres/cadres.ts';
import { scanIntegrity } from '../integrity/integrity.ts';
import { importRegions } from '../regions/regions.ts';
import { loadDemoCampaign } from './demo-campaign.ts';
import { loadDemoRecords, type DemoRecordsResult } from './demo-records.ts';
import { loadDemoTickets, type DemoTicketsResult } from './demo-tickets.ts';
import { loadDemoCommitments, type DemoCommitmentsResult } from './demo-commitments.ts';
import { loadDemoAssessments } from './demo-assessments.ts';
import { loadDemoBulletins } from './demo-bulletins.ts';
import { loadDemoCalendar } from './demo-calendar.ts';
import { loadDemoSurveys } from './demo-surveys.ts';
import { loadDemoRequirements } from './demo-requirements.ts';
import { commonPositions, makeNamer, seededRandom } from './names.ts';

// The demo county: Xiangshan 象山县 (330225), its real 18 townships and 410 villages from the
// national division codes, about 40 units and 1,000 cadres with plausible names and ranks.
export const DEMO_COUNTY = '330225';

const countyDepartments: [code: string, name: string][] = [
  ['XWB', '中共象山县委办公室'], ['ZFB', '象山县人民政府办公室'], ['ZZB', '中共象山县委组织部'], ['XCB', '中共象山县委宣传部'],
  ['TZB', '中共象山县委统战部'], ['ZFW', '中共象山县委政法委员会'], ['JW', '中共象山县纪律检查委员会'], ['FGJ', '象山县发展和改革局'],
  ['JYJ', '象山县教育局'], ['KJJ', '象山县科学技术局'], ['JXJ', '象山县经济和信息化局'], ['MZJ', '象山县民政局'],
  ['CZJ', '象山县财政局'], ['RSJ', '象山县人力资源和社会保障局'], ['ZRJ', '象山县自然资源和规划局'], ['ZJJ', '象山县住房和城乡建设局'],
  ['JTJ', '象山县交通运输局'], ['SLJ', '象山县水利局'], ['NYJ', '象山县农业农村局'], ['HYJ', '象山县海洋与渔业局'],
  ['SWJ', '象山县商务局'], ['WSJ', '象山县卫生健康局'], ['SCJ', '象山县市场监督管理局'], ['XFJ', '象山县信访局'],
];

const positions: Record<CadreRank, string[]> = {
  city: ['市委常委'],
  county: ['县委常委', '副县长', '县委常委、组织部部长', '县人大常委会副主任', '县政协副主席', '县委常委、宣传部部长'],
  ...commonPositions,
};

export type DemoResult = {
  adminPassword: string; passwordWasGenerated: boolean; units: number; cadres: number; villages: number; targets: number; pairings: number;
  /** A year of field work in the demo campaign, and the demo cadre's login (same password as admin). */
  records: DemoRecordsResult;
  /** Tickets since the campaign began, and the hotline, handler and supervisor logins (same password as admin). */
  tickets: DemoTicketsResult;
  /** Public commitments of the county's leaders, and the 丹东街道 unit leader's login (same password as admin). */
  commitments: DemoCommitmentsResult;
};

export async function hasAnyUser(db: Executor) {
  return (await db.selectFrom('users').select('id').limit(1).execute()).length > 0;
}

/** Loads the demo county. Refuses to run twice: it is for an empty database. */
export async function loadDemo(db: Executor, key: PersonalDataKey, opts: { adminPassword?: string | undefined; integrity?: IntegrityThresholds; today?: string } = {}): Promise<DemoResult> {
  const actor = systemActor('demo');
  if (await hasAnyUser(db)) throw new Error('The database already has accounts; the demo loads only into an empty database.');
  const regions = await importRegions(db, actor, DEMO_COUNTY);
  const random = seededRandom(330225);
  const namer = makeNamer(random);

  return inTransaction(db, async (tx) => {
    const countyCode = '330225000000';
    const countyPath = (await tx.selectFrom('regions').select('path').where('code', '=', countyCode).executeTakeFirstOrThrow()).path;
    const townships = await tx.selectFrom('regions').select(['code', 'name', 'path']).where('parent_code', '=', countyCode).orderBy('code').execute();

    // Units: the county committee at the top, county departments and township committees under it.
    const root = await tx.insertInto('units').values({ code: 'XS', name: '中共象山县委员会', level: 'county', parent_id: null, path: '', region_code: countyCode, region_path: countyPath }).returning('id').executeTakeFirstOrThrow();
    await tx.updateTable('units').set({ path: String(root.id) }).where('id', '=', root.id).execute();
    const units: { id: number; kind: 'root' | 'dept' | 'township'; size: number }[] = [{ id: root.id, kind: 'root', size: 30 }];
    for (const [code, name] of countyDepartments) {
      const u = await tx.insertInto('units').values({ code: `XS-${code}`, name, level: 'county', parent_id: root.id, path: '', region_code: countyCode, region_path: countyPath }).returning('id').executeTakeFirstOrThrow();
      units.push({ id: u.id, kind: 'dept', size: 0 });
    }
    for (const t of townships) {
      const isStreet = t.name.endsWith('街道');
      const name = isStreet ? `中共象山县${t.name}工作委员会` : `中共象山县${t.name}委员会`;
      const u = await tx.insertInto('units').values({ code: `XS-${t.code.slice(6, 9)}`, name, level: 'township', parent_id: root.id, path: '', region_code: t.code, region_path: t.path }).returning('id').executeTakeFirstOrThrow();
      units.push({ id: u.id, kind: 'township', size: 0 });
    }
    await tx.updateTable('units').set({ path: sql`${String(root.id)} || '/' || id::text` }).where('parent_id', '=', root.id).execute();

    // 1,000 cadres: ~30 county-level leaders in the committee, departments of 15–25, townships of
    // 20–30 staff plus their village cadres.
    const rows: { unitId: number; rank: CadreRank }[] = [];
    for (let i = 0; i < 30; i++) rows.push({ unitId: root.id, rank: 'county' });
    for (const u of units.filter((x) => x.kind === 'dept')) {
      const n = 15 + Math.floor(random() * 8);
      for (let i = 0; i < n; i++) rows.push({ unitId: u.id, rank: i < 4 ? 'section' : random() < 0.2 ? 'section' : 'general' });
    }
    const townshipUnits = units.filter((x) => x.kind === 'township');
    let t = 0;
    while (rows.length < 1000) {
      const u = townshipUnits[t++ % townshipUnits.length]!;
      const already = rows.filter((r) => r.unitId === u.id).length;
      rows.push({ unitId: u.id, rank: already < 5 ? 'section' : already < 18 ? 'general' : 'village' });
    }
    const usedPhones = new Set<string>();
    const now = new Date();
    const values = rows.map((r) => {
      const name = namer.name();
      let phone = namer.phone();
      while (usedPhones.has(phone)) phone = namer.phone();
      usedPhones.add(phone);
      const status = r.rank === 'general' && random() < 0.05 ? 'second_line' : 'active';
      return {
        name, name_initials: nameInitials(name), gender: namer.gender(), unit_id: r.unitId, rank: r.rank,
        position: namer.pick(positions[r.rank]), status: status as 'active' | 'second_line', ...sealPhone(key, phone), updated_at: now,
      };
    });
    for (let i = 0; i < values.length; i += 250) await tx.insertInto('cadres').values(values.slice(i, i + 250)).execute();

    // Each unit's responsible leader (责任领导): its highest-ranked cadre.
    await sql`
      update units set leader_cadre_id = (
        select c.id from cadres c where c.unit_id = units.id
        order by case c.rank when 'city' then 0 when 'county' then 1 when 'section' then 2 when 'general' then 3 else 4 end, c.id
        limit 1)`.execute(tx);

    const campaign = await loadDemoCampaign(tx, actor, key, random);

    const adminPassword = opts.adminPassword ?? generatePassword();
    const office = await createUser(tx, actor, { username: 'admin', displayName: '象山县活动办管理员', password: adminPassword, role: 'admin' });
    const records = await loadDemoRecords(tx, actor, { campaignId: campaign.campaignId, officeUserId: office.id, password: adminPassword, ...(opts.today ? { today: opts.today } : {}) });
    const tickets = await loadDemoTickets(tx, actor, key, { campaignId: campaign.campaignId, officeUserId: office.id, password: adminPassword, ...(opts.today ? { today: opts.today } : {}) });
    // 双评: a round with responses; each 不满意 is a ticket too, so the demo's ticket count includes them.
    const surveys = await loadDemoSurveys(tx, actor, key, { campaignId: campaign.campaignId, thresholds: loadConfig().survey, ...(opts.today ? { today: opts.today } : {}) });
    tickets.tickets += surveys.tickets;
    const commitments = await loadDemoCommitments(tx, actor, { campaignId: campaign.campaignId, password: adminPassword, ...(opts.today ? { today: opts.today } : {}) });
    await loadDemoCalendar(tx, actor, { campaignId: campaign.campaignId });
    // The SPEC duties as requirement rules, with their compliance counted from the records above.
    await loadDemoRequirements(tx, actor, { campaignId: campaign.campaignId, now: opts.today ? new Date(`${opts.today}T12:00:00+08:00`) : new Date() });
    // The 1000-point assessment, last: its auto indicators read the compliance, tickets, writing and funds above.
    await loadDemoAssessments(tx, actor, { campaignId: campaign.campaignId, countyCode: DEMO_COUNTY, ...(opts.today ? { today: opts.today } : {}) });
    await loadDemoBulletins(tx, actor, { campaignId: campaign.campaignId, ...(opts.today ? { today: opts.today } : {}) });
    // Flags on the demo records, so the supervisors' view has something to show from the start.
    await scanIntegrity(tx, opts.integrity ?? loadConfig().integrity);
    await recordAudit(tx, actor, { action: 'demo.load', entity: 'system', detail: { county: DEMO_COUNTY, units: units.length, cadres: values.length, ...campaign, ...records, tickets: tickets.tickets } });
    return {
      adminPassword, passwordWasGenerated: !opts.adminPassword, units: units.length, cadres: values.length, villages: regions.counts.village ?? 0, targets: campaign.targets,
      pairings: campaign.pairings, records, tickets, commitments,
    };
  });
}
