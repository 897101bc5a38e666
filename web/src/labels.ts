// Option lists built from the shared contracts' label tables, so the UI and the API agree.
import { roleLabels, roles, type Role } from '../../contracts/auth.ts';
import { cadreRankLabels, cadreRanks, cadreStatusLabels, cadreStatuses, genderLabels, genders } from '../../contracts/cadres.ts';
import { regionLevelLabels, type RegionLevel } from '../../contracts/regions.ts';
import { unitLevelLabels, unitLevels } from '../../contracts/units.ts';
import type { Bilingual, Lang } from './i18n.ts';

const optionsOf = <K extends string>(keys: readonly K[], labels: Record<K, Bilingual>, lang: Lang) =>
  keys.map((k) => ({ value: k, label: labels[k][lang] }));

export const rankOptions = (lang: Lang) => optionsOf(cadreRanks, cadreRankLabels, lang);
export const statusOptions = (lang: Lang) => optionsOf(cadreStatuses, cadreStatusLabels, lang);
export const genderOptions = (lang: Lang) => optionsOf(genders, genderLabels, lang);
export const unitLevelOptions = (lang: Lang) => optionsOf(unitLevels, unitLevelLabels, lang);
export const roleOptions = (lang: Lang) => optionsOf(roles, roleLabels, lang);

export const regionLevelLabel = (level: RegionLevel, lang: Lang) => regionLevelLabels[level]?.[lang] ?? level;
export const roleLabel = (role: Role, lang: Lang) => roleLabels[role]?.[lang] ?? role;

/** Tag colours for cadre status. */
export const statusColor: Record<string, string> = {
  active: 'green',
  second_line: 'gold',
  retired: 'default',
  transferred: 'default',
};

export const rankColor: Record<string, string> = {
  city: 'red',
  county: 'volcano',
  section: 'orange',
  general: 'blue',
  village: 'cyan',
};

const pad = (n: number) => String(n).padStart(2, '0');
/** 2026-03-05 14:07 in the browser's time zone. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
export function formatSeconds(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${formatTime(iso)}:${pad(d.getSeconds())}`;
}
