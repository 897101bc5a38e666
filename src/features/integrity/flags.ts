import { sql } from 'kysely';
import type { ActivityKind } from '../../../contracts/activities.ts';
import type { TargetKind } from '../../../contracts/targets.ts';
import {
  pairCheckKinds, type CheckKind, type ClearFlag, type FlagListQuery, type IntegrityFlagDetail, type IntegrityFlagDto, type InvolvedActivity, type ScanResult,
} from '../../../contracts/integrity.ts';
import type { IntegrityThresholds } from '../../config.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { pathUnder } from '../../db/paths.ts';
import { AppError, forbidden, notFound } from '../../errors.ts';
import { activityScope } from '../activities/scope.ts';
import { recordAudit } from '../audit/audit.ts';
import { assertCan, type Actor } from '../auth/actor.ts';
import { regionScope } from '../regions/regions.ts';
import { scanIntegrity } from './integrity.ts';

// Reading and clearing integrity flags. A flag is seen by whoever sees the record it is on
// (activityScope); clearing needs integrity.clear (supervisors and the office), a reason, and is
// audited. A cleared flag stays cleared: clearing it again is a conflict.

type FlagRow = {
  id: number;
  check_kind: CheckKind;
  activity_id: number;
  cadre_id: number | null;
  cadre_name: string | null;
  evidence: Record<string, unknown>;
  created_at: Date;
  cleared_at: Date | null;
  cleared_by_name: string | null;
  clear_reason: string | null;
  a_kind: ActivityKind;
  a_title: string;
  a_starts_at: Date;
  a_ends_at: Date;
  a_region_code: string;
  a_region_name: string;
  a_place: string;
};

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v));
const km = (m: unknown) => (num(m) / 1000).toFixed(1);

/** The other record of a pair check, by number when the reader may see it. */
const other = (e: Record<string, unknown>) => (e.otherActivityId === undefined ? '另一条记录（不在您的管辖范围内）' : `记录 #${String(e.otherActivityId)} `);

/** One line for lists, in the users' language. */
export function summarize(kind: CheckKind, e: Record<string, unknown>): string {
  switch (kind) {
    case 'duplicate_photo': {
      const n = Array.isArray(e.photos) ? e.photos.length : 1;
      return `与${other(e)}使用同一张照片${n > 1 ? `（共 ${n} 张）` : ''}`;
    }
    case 'far_from_target':
      return `定位距联系对象「${String(e.targetName)}」${km(e.distanceM)} 公里（扣除定位精度后 ${km(e.beyondAccuracyM)} 公里，允许 ${km(e.maxDistanceM)} 公里）`;
    case 'impossible_travel':
      return e.speedKmh === null || e.speedKmh === undefined
        ? `与${other(e)}时间重叠，两地相距 ${km(e.distanceM)} 公里`
        : `与${other(e)}相距 ${km(e.distanceM)} 公里，间隔 ${String(e.minutes)} 分钟，需时速 ${String(e.speedKmh)} 公里（上限 ${String(e.maxSpeedKmh)}）`;
    case 'late_entry':
      return `活动结束 ${String(e.daysLate)} 天后才录入（超过 ${String(e.lateDays)} 天）`;
    case 'backdated_burst':
      return `该账号在 ${String(e.windowMinutes)} 分钟内集中补录了 ${String(e.count)} 条一天以前的记录`;
    case 'attendance_exceeds_population':
      return `参加 ${String(e.attendees)} 人次，超过${e.basis === 'population' ? '常住人口' : e.basis === 'households' ? '户数' : '人口（户数）'} ${String(e.limit)}`;
    case 'double_stay':
      return `${String(e.from)}${e.to !== e.from ? ` 至 ${String(e.to)}` : ''} 同时在另一个村蹲点（${other(e).trim()}）`;
  }
}

const otherActivityOf = (kind: CheckKind, e: Record<string, unknown>) =>
  pairCheckKinds.includes(kind) && typeof e.otherActivityId === 'number' ? e.otherActivityId : null;

/** Of the other records that pair flags point at, those the actor may see. */
export async function visibleOthers(db: Executor, actor: Actor, flags: { check_kind: CheckKind; evidence: Record<string, unknown> }[]): Promise<Set<number>> {
  const ids = [...new Set(flags.map((f) => otherActivityOf(f.check_kind, f.evidence)).filter((id): id is number => id !== null))];
  if (!ids.length) return new Set();
  const rows = await db.selectFrom('activities as a').select('a.id').where('a.id', 'in', ids).where(activityScope(actor, 'a')).execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * A pair flag's evidence as the actor may see it: when the other record lies outside the actor's
 * scope, the fact, the distance and the times stay, its id and position go (`otherHidden: true`).
 */
export function redactEvidence(kind: CheckKind, e: Record<string, unknown>, visible: Set<number>): Record<string, unknown> {
  const other = otherActivityOf(kind, e);
  if (other === null || visible.has(other)) return e;
  const { otherActivityId: _, ...rest } = e;
  if (kind === 'impossible_travel') {
    const hide = (p: unknown) => {
      const q = (p ?? {}) as Record<string, unknown>;
      if (q.activityId !== other) return q;
      return Object.fromEntries(Object.entries(q).filter(([k]) => k === 'startsAt' || k === 'endsAt'));
    };
    return { ...rest, first: hide(rest.first), second: hide(rest.second), otherHidden: true };
  }
  if (kind === 'double_stay') {
    const { otherVillagePath: __, ...kept } = rest;
    return { ...kept, otherHidden: true };
  }
  return { ...rest, otherHidden: true };
}

function toDto(raw: FlagRow, visible: Set<number>): IntegrityFlagDto {
  const r = { ...raw, evidence: redactEvidence(raw.check_kind, raw.evidence, visible) };
  return {
    id: r.id,
    checkKind: r.check_kind,
    activityId: r.activity_id,
    activity: {
      id: r.activity_id, kind: r.a_kind, title: r.a_title, startsAt: r.a_starts_at.toISOString(), endsAt: r.a_ends_at.toISOString(),
      regionCode: r.a_region_code, regionName: r.a_region_name, place: r.a_place,
    },
    cadreId: r.cadre_id,
    cadreName: r.cadre_name,
    otherActivityId: otherActivityOf(r.check_kind, r.evidence),
    summary: summarize(r.check_kind, r.evidence),
    evidence: r.evidence,
    createdAt: r.created_at.toISOString(),
    clearedAt: r.cleared_at?.toISOString() ?? null,
    clearedBy: r.cleared_by_name,
    clearReason: r.clear_reason,
  };
}

/** Flags on records the actor may see. */
const visibleFlags = (db: Executor, actor: Actor) =>
  db.selectFrom('integrity_flags as f')
    .innerJoin('activities as a', 'a.id', 'f.activity_id')
    .where(activityScope(actor, 'a'));

const withDetails = (q: ReturnType<typeof visibleFlags>) =>
  q.innerJoin('regions as r', 'r.code', 'a.region_code')
    .leftJoin('cadres as c', 'c.id', 'f.cadre_id')
    .leftJoin('users as u', 'u.id', 'f.cleared_by')
    .select([
      'f.id', 'f.check_kind', 'f.activity_id', 'f.cadre_id', 'c.name as cadre_name', 'f.evidence', 'f.created_at', 'f.cleared_at', 'u.display_name as cleared_by_name', 'f.clear_reason',
      'a.kind as a_kind', 'a.title as a_title', 'a.starts_at as a_starts_at', 'a.ends_at as a_ends_at', 'a.region_code as a_region_code', 'r.name as a_region_name', 'a.place as a_place',
    ]);

/** The China day's start (00:00 UTC+8) of a YYYY-MM-DD date. */
const chinaDayStart = (date: string) => `${date}T00:00:00+08:00`;

export async function listFlags(db: Executor, actor: Actor, f: FlagListQuery) {
  const q = await filteredFlags(db, actor, f);
  const [rows, count] = await Promise.all([
    withDetails(q).orderBy('f.created_at', 'desc').orderBy('f.id', 'desc').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const visible = await visibleOthers(db, actor, rows as FlagRow[]);
  return { items: rows.map((r) => toDto(r as FlagRow, visible)), total: Number(count.n), page: f.page, pageSize: f.pageSize };
}

/** The flags the list (and its export) shows for the filters; `f` flags, `a` their records. */
export async function filteredFlags(db: Executor, actor: Actor, f: Omit<FlagListQuery, 'page' | 'pageSize'>) {
  let q = visibleFlags(db, actor);
  const kinds = f.checkKind === undefined ? [] : [f.checkKind].flat();
  if (kinds.length) q = q.where('f.check_kind', 'in', kinds);
  if (f.cleared !== undefined) q = q.where('f.cleared_at', f.cleared ? 'is not' : 'is', null);
  if (f.region) {
    const region = await db.selectFrom('regions').select('path').where('code', '=', f.region).where(regionScope(actor, 'regions.path')).executeTakeFirst();
    if (!region) throw notFound('区划', f.region);
    q = q.where(pathUnder('f.region_path', region.path));
  }
  if (f.cadreId !== undefined) {
    const cadreId = f.cadreId;
    q = q.where((eb) => eb.or([
      eb('f.cadre_id', '=', cadreId),
      eb.exists(eb.selectFrom('activity_participants as p').select('p.activity_id').whereRef('p.activity_id', '=', 'f.activity_id').where('p.cadre_id', '=', cadreId)),
    ]));
  }
  if (f.activityId !== undefined) q = q.where('f.activity_id', '=', f.activityId);
  if (f.from) q = q.where('a.starts_at', '>=', new Date(chinaDayStart(f.from)));
  if (f.to) q = q.where('a.starts_at', '<', sql<Date>`${chinaDayStart(f.to)}::timestamptz + interval '1 day'`);
  return q;
}

async function findFlag(db: Executor, actor: Actor, id: number): Promise<FlagRow> {
  const row = await withDetails(visibleFlags(db, actor).where('f.id', '=', id)).executeTakeFirst();
  if (!row) throw notFound('预警', id);
  return row as FlagRow;
}

/** The records a flag involves, as far as the actor may see them, with what judging needs. */
async function involvedActivities(db: Executor, actor: Actor, ids: number[]): Promise<InvolvedActivity[]> {
  const rows = await db.selectFrom('activities as a')
    .innerJoin('regions as r', 'r.code', 'a.region_code')
    .leftJoin('users as u', 'u.id', 'a.recorded_by')
    .where('a.id', 'in', ids)
    .where(activityScope(actor, 'a'))
    .select([
      'a.id', 'a.kind', 'a.title', 'a.starts_at', 'a.ends_at', 'a.region_code', 'r.name as region_name', 'a.place', 'a.latitude', 'a.longitude', 'a.accuracy_m', 'a.attendees',
      'a.recorded_at', 'u.display_name as recorded_by',
    ])
    .execute();
  if (!rows.length) return [];
  const found = rows.map((r) => r.id);
  const [participants, targets] = await Promise.all([
    db.selectFrom('activity_participants as p').innerJoin('cadres as c', 'c.id', 'p.cadre_id')
      .select(['p.activity_id', 'p.cadre_id', 'c.name']).where('p.activity_id', 'in', found).orderBy('c.name').orderBy('p.cadre_id').execute(),
    db.selectFrom('activity_targets as at').innerJoin('contact_targets as t', 't.id', 'at.target_id')
      .select(['at.activity_id', 't.id', 't.kind', 't.name', 't.latitude', 't.longitude']).where('at.activity_id', 'in', found).orderBy('t.id').execute(),
  ]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    if (!r) return [];
    return [{
      id: r.id, kind: r.kind, title: r.title, startsAt: r.starts_at.toISOString(), endsAt: r.ends_at.toISOString(), regionCode: r.region_code, regionName: r.region_name,
      place: r.place, latitude: r.latitude, longitude: r.longitude, accuracyM: r.accuracy_m, attendees: r.attendees,
      participants: participants.filter((p) => p.activity_id === id).map((p) => ({ cadreId: p.cadre_id, name: p.name })),
      targets: targets.filter((t) => t.activity_id === id).map((t) => ({ id: t.id, kind: t.kind as TargetKind, name: t.name, latitude: t.latitude, longitude: t.longitude })),
      recordedAt: r.recorded_at.toISOString(), recordedBy: r.recorded_by,
    }];
  });
}

export async function getFlag(db: Executor, actor: Actor, id: number): Promise<IntegrityFlagDetail> {
  const row = await findFlag(db, actor, id);
  const flag = toDto(row, await visibleOthers(db, actor, [row]));
  const other = otherActivityOf(row.check_kind, row.evidence);
  const ids = other === null ? [flag.activityId] : [flag.activityId, other];
  const activities = await involvedActivities(db, actor, ids);
  return { ...flag, activities, hiddenActivities: ids.length - activities.length };
}

export async function clearFlag(db: Executor, actor: Actor, id: number, body: ClearFlag): Promise<IntegrityFlagDto> {
  assertCan(actor, 'integrity.clear');
  const reason = body.reason.trim();
  if ([...reason].length < 4) throw new AppError('VALIDATION_FAILED', '字段 reason 不正确：请填写清除理由（至少4个字）', { field: 'reason' });
  return inTransaction(db, async (tx) => {
    const flag = await findFlag(tx, actor, id);
    if (flag.cleared_at) throw new AppError('CONFLICT', `该预警已于 ${flag.cleared_at.toISOString()} 由 ${flag.cleared_by_name ?? '系统'} 清除`, { clearedAt: flag.cleared_at.toISOString() });
    const done = await tx.updateTable('integrity_flags')
      .set({ cleared_at: sql<Date>`now()`, cleared_by: actor.userId, clear_reason: reason })
      .where('id', '=', id).where('cleared_at', 'is', null)
      .returning('region_path').executeTakeFirst();
    if (!done) throw new AppError('CONFLICT', '该预警已被他人清除');
    await recordAudit(tx, actor, {
      action: 'integrity.clear', entity: 'integrity_flag', entityId: id,
      detail: { checkKind: flag.check_kind, activityId: flag.activity_id, reason },
      where: { regionPath: done.region_path, unitPath: null },
    });
    const row = await findFlag(tx, actor, id);
    return toDto(row, await visibleOthers(tx, actor, [row]));
  });
}

/** The full scan on request: admins only (it reads every record, whatever the admin's scope). */
export async function runScan(db: Executor, actor: Actor, thresholds: IntegrityThresholds): Promise<ScanResult> {
  if (actor.role !== 'admin' && actor.role !== 'system') throw forbidden('只有活动办管理员可以运行全面检查');
  const result = await scanIntegrity(db, thresholds);
  await recordAudit(db, actor, { action: 'integrity.scan', entity: 'integrity_flag', detail: { added: result.added, removed: result.removed, flagged: result.flagged } });
  return result;
}
