import { sql, type Insertable } from 'kysely';
import type { CoverageRuleInput } from '../contracts/coverage.ts';
import type { Database } from '../src/db/database.ts';
import type { ContactTargetsTable } from '../src/db/schema.ts';
import { systemActor } from '../src/features/auth/actor.ts';
import { nameInitials } from '../src/features/cadres/cadres.ts';
import { addCoverageRule } from '../src/features/coverage/coverage.ts';
import { makeNamer, seededRandom } from '../src/features/demo/names.ts';
import { blindIndex, encrypt, maskIdNumber, sealPhone, type PersonalDataKey } from '../src/lib/personal-data.ts';
import { creditCodeCheckChar, idNumberCheckChar } from '../src/lib/validators.ts';
import { benchKey, type TierInfo } from './generate.ts';

// Contact targets, a campaign and its coverage rules on top of a generated tier (bench/generate.ts),
// for the planner and target-search benchmark (bench/planner.ts). Seeded like the tier, so both
// drivers get the same rows with the same ids. Rows are written in bulk, not through createTarget:
// a village or community target per village-level region, households spread over the villages,
// enterprises and key projects; then one campaign for the whole tier with every township
// committee and department taking part, and the articles' coverage rules (added by addCoverageRule).

/** place: the prefix of the enterprises' names (东营 when not given). */
export type TargetSpec = { households: number; enterprises: number; projects: number; seed: number; place?: string };
export const cityTargets: TargetSpec = { households: 50_000, enterprises: 1_000, projects: 100, seed: 37050 };
/** The province tier: SPEC §3's 1,000,000 households, enterprises and projects in the city tier's proportion. */
export const provinceTargets: TargetSpec = { households: 1_000_000, enterprises: 20_000, projects: 2_000, seed: 33050, place: '浙江' };

export type TargetsInfo = {
  counts: { village: number; community: number; household: number; enterprise: number; project: number };
  campaignId: number;
  campaign: { units: number; townshipUnits: number; departmentUnits: number; rules: number };
  /** Search terms drawn from the household names: the commonest 2-character prefix and initials prefixes. */
  search: { nameFragment: string; initials2: string; initials3: string };
};

type RegionRow = { code: string; name: string; level: string; parent_code: string | null; path: string };

const householdTags: [string, number][] = [['困难户', 0.06], ['低保', 0.05], ['五保', 0.01], ['老党员', 0.07], ['百岁老人', 0.002], ['留守', 0.04], ['残疾', 0.03]];
const enterpriseTags: [string, number][] = [['规上工业', 0.3], ['专精特新', 0.08], ['科技型中小', 0.15]];
const industries = ['石油化工', '石油装备', '橡胶轮胎', '新材料', '纺织', '食品加工', '造纸', '有色金属', '电子信息', '生物医药', '现代物流', '建材', '农业科技', '海洋渔业'];
const brandChars = '华泰鲁丰胜利黄河海科万达利华瑞正和大富亿维金岭恒源宏信齐鑫润通兴盛广新天成东方汇远'.split('');
const projectKinds = ['高端石化产业园', '新能源装备制造基地', '港口码头改扩建', '盐碱地综合利用示范', '黄河三角洲生态保护', '现代物流园', '智慧农业示范园', '污水处理厂提标改造', '城乡供水一体化', '新材料产业园', '光伏发电', '冷链仓储中心'];
const projectStages = ['前期', '在建', '在建', '竣工', '投产'];

const isCommunity = (name: string) => /社区|居委会|居民委员会/.test(name);

const mostFrequent = (xs: string[]) => {
  const counts = new Map<string, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
};

async function insertBatches(db: Database, rows: Insertable<ContactTargetsTable>[], size = 1000) {
  for (let i = 0; i < rows.length; i += size) await db.insertInto('contact_targets').values(rows.slice(i, i + size)).execute();
}

/** Generates the targets, the campaign and its rules into a database that holds a generated tier. */
export async function generateTargets(db: Database, tier: TierInfo, spec: TargetSpec = cityTargets, key: PersonalDataKey = benchKey): Promise<TargetsInfo> {
  const random = seededRandom(spec.seed);
  const namer = makeNamer(random);
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const now = new Date();
  const regions: RegionRow[] = await db.selectFrom('regions').select(['code', 'name', 'level', 'parent_code', 'path'])
    .where((eb) => eb.or([eb('path', '=', tier.top.path), eb('path', 'like', `${tier.top.path}/%`)])).orderBy('code').execute();
  const byCode = new Map(regions.map((r) => [r.code, r]));
  const villages = regions.filter((r) => r.level === 'village');
  const townships = regions.filter((r) => r.level === 'township');
  const countyOf = (r: RegionRow) => r.path.split('/')[2] ?? r.code;

  // ---- Villages and communities: the region itself.
  const counts = { village: 0, community: 0, household: 0, enterprise: 0, project: 0 };
  // Households per village: a weight between 0.4 and 1.6 each, rounded so they sum exactly.
  const weights = villages.map(() => 0.4 + 1.2 * random());
  const total = weights.reduce((a, b) => a + b, 0);
  const perVillage = weights.map((w) => Math.floor((w / total) * spec.households));
  for (let i = 0, missing = spec.households - perVillage.reduce((a, b) => a + b, 0); missing > 0; i++, missing--) perVillage[i % perVillage.length]!++;

  const placeRows: Insertable<ContactTargetsTable>[] = villages.map((v, i) => {
    const kind = isCommunity(v.name) ? 'community' : 'village';
    counts[kind]++;
    const households = perVillage[i]!;
    return {
      kind, name: v.name, name_initials: nameInitials(v.name), region_code: v.code, region_path: v.path,
      attrs: JSON.stringify({ households, population: households * between(2, 4) }), updated_at: now,
    };
  });
  await insertBatches(db, placeRows);

  // ---- Households: head of household as the name, tags on a share, ID number and phone sealed on most.
  const usedIds = new Set<string>();
  const idNumber = (county: string) => {
    for (;;) {
      const birth = new Date(Date.UTC(between(1935, 2000), between(0, 11), between(1, 28)));
      const first17 = `${county.slice(0, 6)}${birth.toISOString().slice(0, 10).replaceAll('-', '')}${String(between(0, 999)).padStart(3, '0')}`;
      const id = first17 + idNumberCheckChar(first17);
      if (!usedIds.has(id)) {
        usedIds.add(id);
        return id;
      }
    }
  };
  const householdRows: Insertable<ContactTargetsTable>[] = [];
  const householdNames: string[] = [];
  villages.forEach((v, vi) => {
    for (let k = 0; k < perVillage[vi]!; k++) {
      const head = namer.name();
      householdNames.push(head);
      const tags = householdTags.filter(([, p]) => random() < p).map(([t]) => t);
      const members = Array.from({ length: between(0, 3) }, (_, m) => ({ name: namer.name(), relation: m === 0 ? '配偶' : '子女' }));
      const id = random() < 0.7 ? idNumber(countyOf(v)) : null;
      const phone = random() < 0.6 ? namer.phone() : null;
      householdRows.push({
        kind: 'household', name: head, name_initials: nameInitials(head), region_code: v.code, region_path: v.path,
        address: `${v.name.replace(/(村民委员会|村委会|居民委员会|居委会)$/, '')}${k + 1}号`, tags,
        attrs: JSON.stringify({ head, members }),
        ...(id ? { id_enc: encrypt(key, id), id_masked: maskIdNumber(id), id_hash: blindIndex(key, id) } : {}),
        ...(phone ? sealPhone(key, phone) : {}),
        updated_at: now,
      });
    }
  });
  counts.household = householdRows.length;
  await insertBatches(db, householdRows);

  // ---- Enterprises: at a township (industrial park) or a village, with a valid, unique credit code.
  const creditChars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const usedCodes = new Set<string>();
  const enterpriseRows: Insertable<ContactTargetsTable>[] = [];
  for (let i = 0; i < spec.enterprises; i++) {
    const at = random() < 0.4 ? townships[between(0, townships.length - 1)]! : villages[between(0, villages.length - 1)]!;
    let code = '';
    do {
      const first17 = `91${countyOf(at).slice(0, 6)}${Array.from({ length: 9 }, () => creditChars[between(0, 9)]).join('')}`;
      code = first17 + creditCodeCheckChar(first17);
    } while (usedCodes.has(code));
    usedCodes.add(code);
    const industry = namer.pick(industries);
    const name = `${spec.place ?? '东营'}${namer.pick(brandChars)}${namer.pick(brandChars)}${industry}有限公司`;
    enterpriseRows.push({
      kind: 'enterprise', name, name_initials: nameInitials(name), region_code: at.code, region_path: at.path,
      tags: enterpriseTags.filter(([, p]) => random() < p).map(([t]) => t), credit_code: code,
      attrs: JSON.stringify({ industry, contactPerson: namer.name() }), ...sealPhone(key, namer.phone()), updated_at: now,
    });
  }
  counts.enterprise = enterpriseRows.length;
  await insertBatches(db, enterpriseRows);

  // ---- Key projects: at a township or a village.
  const projectRows: Insertable<ContactTargetsTable>[] = [];
  for (let i = 0; i < spec.projects; i++) {
    const at = random() < 0.5 ? townships[between(0, townships.length - 1)]! : villages[between(0, villages.length - 1)]!;
    const township = at.level === 'township' ? at : byCode.get(at.parent_code!)!;
    const name = `${township.name}${namer.pick(projectKinds)}项目`;
    const level = random() < 0.15 ? 'province' : random() < 0.5 ? 'city' : 'county';
    projectRows.push({
      kind: 'project', name, name_initials: nameInitials(name), region_code: at.code, region_path: at.path,
      investment_fen: between(5_000, 500_000) * 1_000_000, // 5,000万 to 50亿 yuan
      attrs: JSON.stringify({ level, site: at.name, stage: namer.pick(projectStages) }), updated_at: now,
    });
  }
  counts.project = projectRows.length;
  await insertBatches(db, projectRows);

  // ---- The campaign, for the whole tier, and its participating units: every township committee
  // answers for its own township; every county department for 1–2 townships of its county and
  // every city department for 1–2 townships anywhere in the city, dealt round-robin so each
  // township gets its share of departments.
  const top = byCode.get(tier.top.code)!;
  const [campaign] = await db.insertInto('campaigns').values({
    name: `${top.name}“千名干部进万家”结对联系活动`, starts_on: '2026-01-01', ends_on: '2026-12-31',
    region_code: top.code, region_path: top.path, description: 'bench: planner at city tier',
    themes: ['定人定点', '结对联系'], special_actions: [], cadre_roles: ['政策宣传员', '信息联络员', '矛盾调解员', '发展服务员', '民生帮扶员'],
    tasks: JSON.stringify({ household: ['摸实情', '讲政策', '解难题'], enterprise: ['摸实情', '讲政策', '解难题', '推项目', '优环境'] }), updated_at: now,
  }).returning('id').execute();
  const campaignId = campaign!.id;
  const units = await db.selectFrom('units').select(['id', 'code', 'level', 'region_code']).orderBy('id').execute();
  const townshipsOfCounty = new Map<string, RegionRow[]>();
  for (const t of townships) townshipsOfCounty.set(t.parent_code!, [...(townshipsOfCounty.get(t.parent_code!) ?? []), t]);
  const cityTownships = new Map<string, RegionRow[]>();
  const townshipsOfCity = (code: string) => {
    let ts = cityTownships.get(code);
    if (!ts) cityTownships.set(code, (ts = townships.filter((t) => t.path.includes(`/${code}/`))));
    return ts;
  };
  const dealt = new Map<string, number>();
  const deal = (pool: RegionRow[], key: string) => {
    const at = dealt.get(key) ?? 0;
    const n = random() < 0.5 ? 1 : 2;
    dealt.set(key, at + n);
    return [...new Set(Array.from({ length: n }, (_, i) => pool[(at + i) % pool.length]!.code))];
  };
  const campaignUnits: { campaign_id: number; unit_id: number; responsible_regions: string[] }[] = [];
  let townshipUnits = 0;
  let departmentUnits = 0;
  for (const u of units) {
    const isDept = /-D\d+$/.test(u.code);
    if (u.level === 'township') {
      campaignUnits.push({ campaign_id: campaignId, unit_id: u.id, responsible_regions: [u.region_code] });
      townshipUnits++;
    } else if (isDept) {
      // A city-level department of a city under the top region (province tier) answers within its city.
      const pool = u.level === 'city' ? (u.region_code === top.code ? townships : townshipsOfCity(u.region_code)) : townshipsOfCounty.get(u.region_code) ?? [];
      if (pool.length === 0) continue;
      campaignUnits.push({ campaign_id: campaignId, unit_id: u.id, responsible_regions: deal(pool, u.region_code) });
      departmentUnits++;
    }
  }
  for (let i = 0; i < campaignUnits.length; i += 500) await db.insertInto('campaign_units').values(campaignUnits.slice(i, i + 500)).execute();

  const rules: CoverageRuleInput[] = [
    { kind: 'target_cadres', params: { targetKinds: ['village', 'community'], min: 1, cadreRanks: ['county', 'section'] } },
    { kind: 'target_cadres', params: { targetKinds: ['household'], min: 2 } },
    { kind: 'cadre_targets', params: { targetKinds: ['household'], min: 4, max: 6 } },
    { kind: 'cadre_targets', params: { targetKinds: ['village', 'community'], min: 2, unitLevels: ['county', 'township'] } },
    { kind: 'target_cadres', params: { targetKinds: ['enterprise'], min: 1 } },
    { kind: 'target_cadres', params: { targetKinds: ['project'], min: 1, cadreRanks: ['county', 'section'] } },
  ];
  const actor = systemActor('bench');
  for (const r of rules) await addCoverageRule(db, actor, campaignId, r);

  return {
    counts,
    campaignId,
    campaign: { units: campaignUnits.length, townshipUnits, departmentUnits, rules: rules.length },
    search: {
      nameFragment: mostFrequent(householdNames.filter((n) => n.length >= 3).map((n) => n.slice(0, 2))),
      initials2: mostFrequent(householdNames.map((n) => nameInitials(n).slice(0, 2))),
      initials3: mostFrequent(householdNames.filter((n) => n.length >= 3).map((n) => nameInitials(n).slice(0, 3))),
    },
  };
}

/** Checks the generated data the way the benchmark relies on it (a cheap guard against generator drift). */
export async function checkTargets(db: Database, tier: TierInfo, info: TargetsInfo): Promise<void> {
  const rows = await sql<{ kind: string; n: number }>`select kind, count(*)::int as n from contact_targets group by kind`.execute(db);
  const got = Object.fromEntries(rows.rows.map((r) => [r.kind, r.n]));
  for (const [kind, n] of Object.entries(info.counts)) {
    if ((got[kind] ?? 0) !== n) throw new Error(`contact_targets: ${got[kind] ?? 0} ${kind}, expected ${n}`);
  }
  if (info.counts.village + info.counts.community !== tier.counts.villages) {
    throw new Error(`${info.counts.village + info.counts.community} village/community targets for ${tier.counts.villages} villages`);
  }
}
