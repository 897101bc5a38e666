// Option lists built from the shared contracts' label tables, so the UI and the API agree.
import { roleLabels, roles, type Role } from '../../contracts/auth.ts';
import { pairingRoleLabels, pairingRoles } from '../../contracts/campaigns.ts';
import { cadreRankLabels, cadreRanks, cadreStatusLabels, cadreStatuses, genderLabels, genders, type CadreRank } from '../../contracts/cadres.ts';
import { projectLevelLabels, projectLevels, targetKindLabels, targetKinds, type TargetKind } from '../../contracts/targets.ts';
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

// ── Contact targets, campaigns, coverage ───────────────────────────────────────────────────────
export const targetKindOptions = (lang: Lang) => optionsOf(targetKinds, targetKindLabels, lang);
export const projectLevelOptions = (lang: Lang) => optionsOf(projectLevels, projectLevelLabels, lang);
export const pairingRoleOptions = (lang: Lang) => optionsOf(pairingRoles, pairingRoleLabels, lang);
export const targetKindLabel = (kind: string, lang: Lang) => targetKindLabels[kind as TargetKind]?.[lang] ?? kind;
export const rankLabel = (rank: string | null | undefined, lang: Lang) => (rank ? (cadreRankLabels[rank as CadreRank]?.[lang] ?? rank) : '');

export const kindColor: Record<TargetKind, string> = {
  village: 'green',
  community: 'cyan',
  building: 'geekblue',
  household: 'orange',
  enterprise: 'blue',
  project: 'magenta',
  talent: 'purple',
  graduate_official: 'gold',
  school: 'lime',
  person: 'default',
};

export type Rag = 'green' | 'amber' | 'red';
/** Red / amber / green: the tag colour and the plain colour for charts and cells. */
export const ragTagColor: Record<Rag, string> = { green: 'success', amber: 'warning', red: 'error' };
export const ragHex: Record<Rag, string> = { green: '#389e0d', amber: '#d48806', red: '#cf1322' };
export const ragBg: Record<Rag, string> = { green: '#f6ffed', amber: '#fffbe6', red: '#fff1f0' };

/** Money in fen, shown in 元 with the size people say it in (万元, 亿元). */
export function formatFen(fen: number | null | undefined, lang: Lang): string {
  if (fen === null || fen === undefined) return '';
  const yuan = fen / 100;
  const n = (v: number, digits: number) => v.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-US', { maximumFractionDigits: digits });
  if (lang === 'zh') {
    if (yuan >= 1e8) return `${n(yuan / 1e8, 2)} 亿元`;
    if (yuan >= 1e4) return `${n(yuan / 1e4, 2)} 万元`;
    return `${n(yuan, 2)} 元`;
  }
  if (yuan >= 1e6) return `CNY ${n(yuan / 1e6, 2)} million`;
  return `CNY ${n(yuan, 2)}`;
}
