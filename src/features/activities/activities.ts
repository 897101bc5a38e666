import { createHash, randomUUID } from 'node:crypto';
import { sql, type Expression } from 'kysely';
import {
  activityKindLabels,
  attendeeKinds,
  activityClockSkewMs,
  createActivity as createActivitySchema,
  moneyKinds,
  syncActivityRecord,
  updateActivity as updateActivitySchema,
  type ActivityDto,
  type ActivityKind,
  type ActivityListQuery,
  type ActivitySummary,
  type CreateActivity,
  type SyncActivityResult,
  type UpdateActivity,
} from '../../../contracts/activities.ts';
import type { CheckKind } from '../../../contracts/integrity.ts';
import { photoThumbUrl, photoUrl } from '../../../contracts/photos.ts';
import { photoScope } from '../photos/photos.ts';
import type { IntegrityThresholds } from '../../config.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import type { TargetKind } from '../../db/schema.ts';
import { AppError, notFound } from '../../errors.ts';
import { chinaDate } from '../../lib/workdays.ts';
import { recordAudit } from '../audit/audit.ts';
import { assertCan, isUnder, type Actor } from '../auth/actor.ts';
import { campaignScope } from '../campaigns/campaigns.ts';
import { checkActivity } from '../integrity/integrity.ts';
import { redactEvidence, visibleOthers } from '../integrity/flags.ts';
import { pathUnder, regionScope } from '../regions/regions.ts';
import { unitScope } from '../units/units.ts';
import { activityScope } from './scope.ts';
import { queueRecordChange } from '../compliance/engine.ts';

// Field work records (工作记录): who went (participants, each credited), to whom (targets), when,
// where, what was learned and done, people reached, money handed over, photos, problems found and
// practical matters promised. A record is checked whole before anything is written and written in
// one transaction with its audit entry; integrity checks run after it is stored (in the background
// for a new record, see integrity.ts) and only flag.
//
// Rules: activity.write; a cadre account records only work it took part in; every participant is a
// cadre in the actor's scope and still serving; every target and the place lie in the actor's
// region scope (and in the campaign's region when a campaign is given); nothing in the future
// (beyond a few minutes of clock drift); people reached only for meetings and talks; money only
// for condolence visits (other spending is a practical matter with its fund source); photos the
// actor uploaded or already sees on a record.
//
// Idempotence: the client's id (clientId) is unique. The same clientId with the same content (the
// canonical JSON of the record, times normalised) is the record already stored; with other content
// it is a conflict and nothing changes.

export type ActivityDeps = {
  integrity: IntegrityThresholds;
  /** Where a failed integrity check is reported; the record stays stored. */
  log?: (err: unknown, message: string) => void;
  /** The integrity checks to run after a write (default: all of them); tests pass a failing one. */
  check?: typeof checkActivity;
};

type Data = ReturnType<typeof createActivitySchema.parse>;
type FieldError = { field: string; message: string };

const DAY = 86_400_000;
const isUniqueViolation = (e: unknown) => typeof e === 'object' && e !== null && (e as { code?: unknown }).code === '23505';

/** A refused record: every problem found, the first in the message. */
export function invalid(errors: FieldError[]) {
  const [first] = errors;
  const message = errors.length === 1 ? first!.message : `${first!.message}（另有 ${errors.length - 1} 处问题）`;
  return new AppError('VALIDATION_FAILED', message, { field: first!.field, fields: errors });
}

// ── Content hash ─────────────────────────────────────────────────────────────────────────────

const canonical = (v: unknown): string => {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined && o[k] !== null).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
};

/** sha256 of the record as submitted (defaults applied, times in UTC), without its clientId. */
export function contentHash(data: Data): string {
  const { clientId: _, ...rest } = data;
  const normal = { ...rest, startsAt: new Date(data.startsAt).toISOString(), endsAt: new Date(data.endsAt).toISOString() };
  return createHash('sha256').update(canonical(normal)).digest('hex');
}

/** Distinct China calendar days from start to end, both included. */
export function chinaDaysCovered(startsAt: Date, endsAt: Date): number {
  const a = Date.parse(`${chinaDate(startsAt)}T00:00:00Z`);
  const b = Date.parse(`${chinaDate(endsAt)}T00:00:00Z`);
  return Math.round((b - a) / DAY) + 1;
}

const stayDaysOf = (kind: ActivityKind, startsAt: Date, endsAt: Date) => (kind === 'stay' ? chinaDaysCovered(startsAt, endsAt) : 0);

// ── Checking ─────────────────────────────────────────────────────────────────────────────────

/** The fields the checks look at; on an update, the record as it would be after the change. */
type Draft = {
  kind: ActivityKind;
  campaignId: number | null;
  startsAt: string | Date;
  endsAt: string | Date;
  participantIds: number[];
  targetIds: number[];
  regionCode: string | null;
  attendees: number | null;
  moneyFen: number | null;
  photoIds: number[];
};

type Checked = {
  startsAt: Date;
  endsAt: Date;
  stayDays: number;
  region: { code: string; path: string; name: string };
  participants: { cadreId: number; unitPath: string; name: string; unitName: string }[];
  targets: Map<number, { id: number; kind: TargetKind; name: string; region_code: string; region_path: string; region_name: string }>;
  campaignName: string | null;
  photos: Map<number, { id: number; has_thumbnail: boolean; taken_at: string | null }>;
};

/**
 * Checks a record against the database and the clock; returns what the write needs or throws a
 * VALIDATION_FAILED naming every field at fault. `keep` are the participant unit paths and photos
 * already on the record being changed (still allowed).
 */
async function checkDraft(
  db: Executor,
  actor: Actor,
  d: Draft,
  keep: { unitPaths: Map<number, string>; photoIds: Set<number> } = { unitPaths: new Map(), photoIds: new Set() },
): Promise<Checked> {
  const errors: FieldError[] = [];
  const fail = (field: string, message: string) => errors.push({ field, message });
  const startsAt = new Date(d.startsAt);
  const endsAt = new Date(d.endsAt);
  const latest = Date.now() + activityClockSkewMs;
  if (startsAt.getTime() > latest) fail('startsAt', `开始时间 ${chinaTime(startsAt)} 晚于现在：不能记录尚未发生的工作`);
  if (endsAt.getTime() > latest) fail('endsAt', `结束时间 ${chinaTime(endsAt)} 晚于现在：不能记录尚未发生的工作`);
  if (endsAt < startsAt) fail('endsAt', `结束时间 ${chinaTime(endsAt)} 早于开始时间 ${chinaTime(startsAt)}`);
  const label = activityKindLabels[d.kind].zh;
  if (d.attendees !== null && !attendeeKinds.includes(d.kind)) {
    fail('attendees', `${label}不记录参加人次；人次只用于${attendeeKinds.map((k) => activityKindLabels[k].zh).join('、')}`);
  }
  if (d.moneyFen !== null && !moneyKinds.includes(d.kind)) {
    fail('moneyFen', `${label}不记录慰问金；慰问金只用于走访慰问，其他支出请登记为实事（含金额和资金来源）`);
  }
  if (actor.role === 'cadre') {
    if (actor.cadreId === null) fail('participantIds', '您的账号未关联干部，不能填写工作记录，请联系管理员');
    else if (!d.participantIds.includes(actor.cadreId)) fail('participantIds', '干部账号只能填写本人参加的工作记录：参加干部中须有您本人');
  }

  // Everything the checks need in one statement: one round trip, one pooled connection.
  // A list nobody asked for is a constant: less for the planner.
  const rows = <T>(q: Expression<unknown>, wanted = true) => (wanted ? sql<T[]>`coalesce((select json_agg(x) from (${q}) x), '[]'::json)` : sql<T[]>`'[]'::json`);
  const found = await db
    .selectNoFrom([
      rows<{ id: number; name: string; status: string; unit_path: string; unit_name: string }>(db
        .selectFrom('cadres')
        .innerJoin('units', 'units.id', 'cadres.unit_id')
        .select(['cadres.id', 'cadres.name', 'cadres.status', 'units.path as unit_path', 'units.name as unit_name'])
        .where('cadres.id', '=', sql<number>`any(${d.participantIds}::int[])`)
        .where(unitScope(actor))).as('cadres'),
      rows<{ id: number; kind: TargetKind; name: string; region_code: string; region_path: string; region_name: string }>(db
        .selectFrom('contact_targets as t')
        .innerJoin('regions as tr', 'tr.code', 't.region_code')
        .select(['t.id', 't.kind', 't.name', 't.region_code', 't.region_path', 'tr.name as region_name'])
        .where('t.id', '=', sql<number>`any(${d.targetIds}::int[])`)
        .where(regionScope(actor, 't.region_path')), d.targetIds.length > 0).as('targets'),
      rows<{ code: string; path: string; name: string }>(db
        .selectFrom('regions').select(['code', 'path', 'name']).where('code', '=', d.regionCode ?? '').where(regionScope(actor, 'regions.path')), d.regionCode !== null).as('regions'),
      rows<{ id: number; name: string; region_path: string; starts_on: string; ends_on: string }>(db
        .selectFrom('campaigns').select(['id', 'name', 'region_path', 'starts_on', 'ends_on']).where('id', '=', d.campaignId ?? 0).where(campaignScope(actor)), d.campaignId !== null).as('campaigns'),
      rows<{ id: number; has_thumbnail: boolean; taken_at: string | null }>(usablePhotos(db, actor, d.photoIds), d.photoIds.length > 0).as('photos'),
    ])
    .executeTakeFirstOrThrow();
  const { cadres, targets, photos } = found;
  const region = d.regionCode === null ? undefined : found.regions[0];
  const campaign = d.campaignId === null ? undefined : found.campaigns[0];

  const cadreById = new Map(cadres.map((c) => [c.id, c]));
  const participants: Checked['participants'] = [];
  d.participantIds.forEach((id, i) => {
    const c = cadreById.get(id);
    if (!c) return fail(`participantIds.${i}`, `干部 ${id} 不存在或不在您的管辖范围内`);
    if (c.status === 'retired' || c.status === 'transferred') {
      return fail(`participantIds.${i}`, `干部 ${c.name} 已${c.status === 'retired' ? '退休' : '调离'}，不能作为参加干部`);
    }
    participants.push({ cadreId: id, unitPath: keep.unitPaths.get(id) ?? c.unit_path, name: c.name, unitName: c.unit_name });
  });
  const targetById = new Map(targets.map((t) => [t.id, t]));
  d.targetIds.forEach((id, i) => {
    if (!targetById.has(id)) fail(`targetIds.${i}`, `联系对象 ${id} 不存在或不在您的管辖范围内`);
  });
  if (d.regionCode !== null && !region) fail('regionCode', `区划 ${d.regionCode} 不存在或不在您的管辖范围内`);
  const photoById = new Map(photos.map((p) => [p.id, p]));
  const usable = new Set([...photoById.keys(), ...keep.photoIds]);
  d.photoIds.forEach((id, i) => {
    if (!usable.has(id)) fail(`photoIds.${i}`, `照片 ${id} 不存在或不能使用（须是您上传的照片，或您能查看的记录中的照片）`);
  });

  const first = targetById.get(d.targetIds[0]!);
  const place = region ?? (first ? { code: first.region_code, path: first.region_path, name: first.region_name } : undefined);
  if (d.campaignId !== null) {
    if (!campaign) fail('campaignId', `活动 ${d.campaignId} 不存在或不在您的管辖范围内`);
    else {
      d.targetIds.forEach((id, i) => {
        const t = targetById.get(id);
        if (t && !isUnder(t.region_path, campaign.region_path)) fail(`targetIds.${i}`, `联系对象“${t.name}”不在活动“${campaign.name}”的区划之内`);
      });
      if (region && !isUnder(region.path, campaign.region_path)) fail('regionCode', `地点区划不在活动“${campaign.name}”的区划之内`);
      const day = chinaDate(startsAt);
      if (day < campaign.starts_on || day > campaign.ends_on) {
        fail('startsAt', `日期 ${day} 不在活动“${campaign.name}”期间（${campaign.starts_on} 至 ${campaign.ends_on}）内`);
      }
    }
  }
  if (errors.length > 0) throw invalid(errors);
  return {
    startsAt, endsAt, stayDays: stayDaysOf(d.kind, startsAt, endsAt), region: place!, participants, targets: targetById, campaignName: campaign?.name ?? null, photos: photoById,
  };
}

const chinaTime = (at: Date) => at.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });

/** Photos the actor may attach: uploaded by this account, or on a record (or matter) the actor sees. */
function usablePhotos(db: Executor, actor: Actor, ids: number[]) {
  let q = db.selectFrom('photos as ph').select(['ph.id', 'ph.has_thumbnail', 'ph.taken_at']).where('ph.id', '=', sql<number>`any(${ids}::int[])`);
  // Any account that uploaded the same bytes may use them (photo_uploads), not only the first.
  if (actor.role !== 'system') q = q.where(photoScope(actor, 'ph'));
  return q;
}

// ── Reading ──────────────────────────────────────────────────────────────────────────────────

type JsonTime = string | null;
type DetailRow = {
  id: number; client_id: string; version: number; campaign_id: number | null; campaign_name: string | null; kind: ActivityKind; title: string;
  starts_at: Date; ends_at: Date; stay_days: number; region_code: string; region_name: string; place: string; latitude: number | null;
  longitude: number | null; accuracy_m: number | null; findings: string; actions: string; attendees: number | null; money_fen: number | null;
  recorded_at: Date; recorded_by_name: string | null; updated_at: Date;
  participants: { cadreId: number; name: string; unitName: string }[];
  targets: { id: number; kind: TargetKind; name: string; regionName: string }[];
  photos: { id: number; hasThumbnail: boolean; takenAt: JsonTime }[];
  problems: { id: number; description: string; ticketId: number | null }[];
  matters: { id: number; title: string; status: 'promised' | 'in_progress' | 'done'; amountFen: number }[];
  flags: { id: number; checkKind: string; evidence: unknown; clearedAt: JsonTime; clearReason: string | null }[];
};

const iso = (t: JsonTime) => (t === null ? null : new Date(t).toISOString());

const toDto = (r: DetailRow): ActivityDto => ({
  id: r.id,
  clientId: r.client_id,
  version: r.version,
  campaignId: r.campaign_id,
  campaignName: r.campaign_name,
  kind: r.kind,
  title: r.title,
  startsAt: r.starts_at.toISOString(),
  endsAt: r.ends_at.toISOString(),
  stayDays: r.stay_days,
  regionCode: r.region_code,
  regionName: r.region_name,
  place: r.place,
  latitude: r.latitude,
  longitude: r.longitude,
  accuracyM: r.accuracy_m,
  findings: r.findings,
  actions: r.actions,
  attendees: r.attendees,
  moneyFen: r.money_fen === null ? null : Number(r.money_fen),
  participants: r.participants,
  targets: r.targets,
  photos: r.photos.map((p) => ({ id: p.id, url: photoUrl(p.id), thumbUrl: photoThumbUrl(p.id), hasThumbnail: p.hasThumbnail, takenAt: iso(p.takenAt) })),
  problems: r.problems,
  matters: r.matters.map((m) => ({ ...m, amountFen: Number(m.amountFen) })),
  flags: r.flags.map((f) => ({ ...f, clearedAt: iso(f.clearedAt) })),
  recordedAt: r.recorded_at.toISOString(),
  recordedBy: r.recorded_by_name,
  updatedAt: r.updated_at.toISOString(),
});

const jsonList = <T>(query: ReturnType<typeof sql>) => sql<T[]>`coalesce((${query}), '[]'::json)`;

/** One record and everything hanging off it, in one query. Not visible = not found. */
async function loadActivity(db: Executor, actor: Actor, id: number): Promise<ActivityDto | undefined> {
  const row = await db
    .selectFrom('activities as a')
    .innerJoin('regions as r', 'r.code', 'a.region_code')
    .leftJoin('campaigns as cp', 'cp.id', 'a.campaign_id')
    .leftJoin('users as ru', 'ru.id', 'a.recorded_by')
    .select([
      'a.id', 'a.client_id', 'a.version', 'a.campaign_id', 'cp.name as campaign_name', 'a.kind', 'a.title', 'a.starts_at', 'a.ends_at', 'a.stay_days',
      'a.region_code', 'r.name as region_name', 'a.place', 'a.latitude', 'a.longitude', 'a.accuracy_m', 'a.findings', 'a.actions', 'a.attendees',
      'a.money_fen', 'a.recorded_at', 'ru.display_name as recorded_by_name', 'a.updated_at',
      jsonList<DetailRow['participants'][number]>(sql`select json_agg(json_build_object('cadreId', c.id, 'name', c.name, 'unitName', coalesce(pu.name, '')) order by c.id)
        from activity_participants ap join cadres c on c.id = ap.cadre_id left join units pu on pu.path = ap.unit_path where ap.activity_id = a.id`).as('participants'),
      jsonList<DetailRow['targets'][number]>(sql`select json_agg(json_build_object('id', t.id, 'kind', t.kind, 'name', t.name, 'regionName', tr.name) order by t.id)
        from activity_targets at join contact_targets t on t.id = at.target_id join regions tr on tr.code = t.region_code where at.activity_id = a.id`).as('targets'),
      jsonList<DetailRow['photos'][number]>(sql`select json_agg(json_build_object('id', p.id, 'hasThumbnail', p.has_thumbnail, 'takenAt', p.taken_at) order by ap.position, p.id)
        from activity_photos ap join photos p on p.id = ap.photo_id where ap.activity_id = a.id`).as('photos'),
      jsonList<DetailRow['problems'][number]>(sql`select json_agg(json_build_object('id', pr.id, 'description', pr.description, 'ticketId', pr.ticket_id) order by pr.id)
        from activity_problems pr where pr.activity_id = a.id`).as('problems'),
      jsonList<DetailRow['matters'][number]>(sql`select json_agg(json_build_object('id', m.id, 'title', m.title, 'status', m.status, 'amountFen', m.amount_fen) order by m.id)
        from practical_matters m where m.activity_id = a.id`).as('matters'),
      jsonList<DetailRow['flags'][number]>(sql`select json_agg(json_build_object('id', f.id, 'checkKind', f.check_kind, 'evidence', f.evidence, 'clearedAt', f.cleared_at, 'clearReason', f.clear_reason) order by f.id)
        from integrity_flags f where f.activity_id = a.id`).as('flags'),
    ])
    .where('a.id', '=', id)
    .where(activityScope(actor, 'a'))
    .executeTakeFirst();
  if (!row) return undefined;
  // A pair flag's other record may lie outside the actor's scope: its id and position are not shown.
  const r = row as DetailRow;
  const flags = r.flags.map((f) => ({ check_kind: f.checkKind as CheckKind, evidence: f.evidence as Record<string, unknown> }));
  const visible = await visibleOthers(db, actor, flags);
  return toDto({ ...r, flags: r.flags.map((f, i) => ({ ...f, evidence: redactEvidence(flags[i]!.check_kind, flags[i]!.evidence, visible) })) });
}

export async function getActivity(db: Executor, actor: Actor, id: number): Promise<ActivityDto> {
  const dto = await loadActivity(db, actor, id);
  if (!dto) throw notFound('工作记录', id);
  return dto;
}

/** Records the actor sees, newest first; each filter rides an index (see 0003_field_records). */
export async function listActivities(db: Executor, actor: Actor, f: ActivityListQuery) {
  const q = await filteredActivities(db, actor, f);
  const [rows, count] = await Promise.all([
    q.select(summaryColumns).orderBy('a.starts_at', 'desc').orderBy('a.id', 'desc').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toSummary), total: Number(count.n), page: f.page, pageSize: f.pageSize };
}

export type ActivityFilter = Omit<ActivityListQuery, 'page' | 'pageSize'>;

/** The records the actor sees that pass the filters (no columns selected yet). */
export async function filteredActivities(db: Executor, actor: Actor, f: ActivityFilter) {
  let q = db.selectFrom('activities as a').innerJoin('regions as r', 'r.code', 'a.region_code').where(activityScope(actor, 'a'));
  if (f.kind !== undefined) q = q.where('a.kind', '=', sql<ActivityKind>`any(${Array.isArray(f.kind) ? f.kind : [f.kind]}::text[])`);
  if (f.cadreId !== undefined) q = q.where('a.id', 'in', (eb) => eb.selectFrom('activity_participants').select('activity_id').where('cadre_id', '=', f.cadreId!));
  if (f.targetId !== undefined) q = q.where('a.id', 'in', (eb) => eb.selectFrom('activity_targets').select('activity_id').where('target_id', '=', f.targetId!));
  if (f.campaignId !== undefined) q = q.where('a.campaign_id', '=', f.campaignId);
  if (f.region !== undefined) {
    // A unit's accounts follow their cadres anywhere; a region's accounts filter within their region.
    let rq = db.selectFrom('regions').select('path').where('code', '=', f.region);
    if (actor.scope.unitPath === null) rq = rq.where(regionScope(actor, 'regions.path'));
    const region = await rq.executeTakeFirst();
    if (!region) throw notFound('区划', f.region);
    q = q.where(pathUnder('a.region_path', region.path));
  }
  if (f.from !== undefined) q = q.where('a.starts_at', '>=', new Date(`${f.from}T00:00:00+08:00`));
  if (f.to !== undefined) q = q.where('a.starts_at', '<', new Date(Date.parse(`${f.to}T00:00:00+08:00`) + DAY));
  if (f.flagged !== undefined) {
    const open = sql<boolean>`a.id in (select activity_id from integrity_flags where cleared_at is null)`;
    q = q.where(f.flagged ? open : sql<boolean>`not ${open}`);
  }
  return q;
}

export const summaryColumns = [
  'a.id', 'a.client_id', 'a.kind', 'a.title', 'a.starts_at', 'a.ends_at', 'a.stay_days', 'a.region_code', 'r.name as region_name', 'a.place',
  'a.attendees', 'a.money_fen', 'a.campaign_id', 'a.recorded_at',
  jsonList<ActivitySummary['participants'][number]>(sql`select json_agg(json_build_object('cadreId', c.id, 'name', c.name) order by c.id)
    from activity_participants ap join cadres c on c.id = ap.cadre_id where ap.activity_id = a.id`).as('participants'),
  jsonList<ActivitySummary['targets'][number]>(sql`select json_agg(json_build_object('id', t.id, 'kind', t.kind, 'name', t.name) order by t.id)
    from activity_targets at join contact_targets t on t.id = at.target_id where at.activity_id = a.id`).as('targets'),
  sql<number>`(select count(*) from activity_photos ap where ap.activity_id = a.id)`.as('photo_count'),
  sql<number | null>`(select ap.photo_id from activity_photos ap where ap.activity_id = a.id order by ap.position, ap.photo_id limit 1)`.as('first_photo_id'),
  sql<number>`(select count(*) from activity_problems pr where pr.activity_id = a.id)`.as('problem_count'),
  sql<number>`(select count(*) from integrity_flags f where f.activity_id = a.id and f.cleared_at is null)`.as('open_flag_count'),
] as const;

export type SummaryRow = {
  id: number; client_id: string; kind: ActivityKind; title: string; starts_at: Date; ends_at: Date; stay_days: number; region_code: string; region_name: string;
  place: string; attendees: number | null; money_fen: number | null; campaign_id: number | null; recorded_at: Date;
  participants: ActivitySummary['participants']; targets: ActivitySummary['targets']; photo_count: number; first_photo_id: number | null;
  problem_count: number; open_flag_count: number;
};

export const toSummary = (r: SummaryRow): ActivitySummary => ({
    id: r.id,
    clientId: r.client_id,
    kind: r.kind,
    title: r.title,
    startsAt: r.starts_at.toISOString(),
    endsAt: r.ends_at.toISOString(),
    stayDays: r.stay_days,
    regionCode: r.region_code,
    regionName: r.region_name,
    place: r.place,
    attendees: r.attendees,
    moneyFen: r.money_fen === null ? null : Number(r.money_fen),
    campaignId: r.campaign_id,
    participants: r.participants,
    targets: r.targets,
    photoCount: Number(r.photo_count),
    firstPhotoId: r.first_photo_id,
    problemCount: Number(r.problem_count),
    openFlagCount: Number(r.open_flag_count),
    recordedAt: r.recorded_at.toISOString(),
});

// ── Writing ──────────────────────────────────────────────────────────────────────────────────

export type StoreOutcome =
  | { status: 'stored' | 'duplicate'; activity: ActivityDto }
  /** `server` is null when the record holding the clientId is not one the actor may see. */
  | { status: 'conflict'; server: ActivityDto | null };

/** Runs the integrity checks; says whether they may have raised flags (then they are read back). */
async function afterWrite(db: Executor, deps: ActivityDeps, id: number): Promise<boolean> {
  try {
    const counts: unknown = await (deps.check ?? checkActivity)(db, deps.integrity, id);
    const c = counts as { added?: unknown; updated?: unknown } | undefined;
    return !(typeof c?.added === 'number' && typeof c.updated === 'number' && c.added + c.updated === 0);
  } catch (e) {
    // Flags never block a record: it is stored; the scan will look at it again.
    (deps.log ?? ((err, m) => console.error(m, err)))(e, `integrity checks failed for activity ${id}`);
    return false;
  }
}

async function priorOutcome(db: Executor, actor: Actor, clientId: string, hash: string): Promise<StoreOutcome | undefined> {
  const prior = await db.selectFrom('activities').select(['id', 'client_hash']).where('client_id', '=', clientId).executeTakeFirst();
  if (!prior) return undefined;
  const dto = await loadActivity(db, actor, prior.id);
  if (prior.client_hash === hash && dto) return { status: 'duplicate', activity: dto };
  return { status: 'conflict', server: dto ?? null };
}

/** Checks and stores one parsed record (see the rules above); never throws for a clientId clash. */
async function store(db: Executor, actor: Actor, deps: ActivityDeps, data: Data): Promise<StoreOutcome> {
  const hash = contentHash(data);
  if (data.clientId !== undefined) {
    const prior = await priorOutcome(db, actor, data.clientId, hash);
    if (prior) return prior;
  }
  const checked = await checkDraft(db, actor, {
    kind: data.kind, campaignId: data.campaignId ?? null, startsAt: data.startsAt, endsAt: data.endsAt, participantIds: data.participantIds,
    targetIds: data.targetIds, regionCode: data.regionCode ?? null, attendees: data.attendees ?? null, moneyFen: data.moneyFen ?? null, photoIds: data.photoIds,
  });
  const clientId = data.clientId ?? randomUUID();
  let written: Written;
  try {
    written = await writeNew(db, actor, data, checked, clientId, hash);
  } catch (e) {
    // Two sends of one record racing: the loser answers like a resend.
    if (isUniqueViolation(e) && data.clientId !== undefined) {
      const prior = await priorOutcome(db, actor, data.clientId, hash);
      if (prior) return prior;
    }
    throw e;
  }
  // The record as stored, from what was just checked and written: no second read.
  const byId = <T extends { id: number }>(xs: T[]) => [...xs].sort((x, y) => x.id - y.id);
  const activity: ActivityDto = {
    id: written.id,
    clientId,
    version: 1,
    campaignId: data.campaignId ?? null,
    campaignName: checked.campaignName,
    kind: data.kind,
    title: data.title,
    startsAt: checked.startsAt.toISOString(),
    endsAt: checked.endsAt.toISOString(),
    stayDays: checked.stayDays,
    regionCode: checked.region.code,
    regionName: checked.region.name,
    place: data.place,
    latitude: data.latitude ?? null,
    longitude: data.longitude ?? null,
    accuracyM: data.accuracyM ?? null,
    findings: data.findings,
    actions: data.actions,
    attendees: data.attendees ?? null,
    moneyFen: data.moneyFen ?? null,
    participants: [...checked.participants].sort((x, y) => x.cadreId - y.cadreId).map((p) => ({ cadreId: p.cadreId, name: p.name, unitName: p.unitName })),
    targets: byId([...checked.targets.values()]).map((t) => ({ id: t.id, kind: t.kind, name: t.name, regionName: t.region_name })),
    photos: data.photoIds.map((id) => {
      const p = checked.photos.get(id);
      return { id, url: photoUrl(id), thumbUrl: photoThumbUrl(id), hasThumbnail: p?.has_thumbnail ?? false, takenAt: p?.taken_at ? new Date(p.taken_at).toISOString() : null };
    }),
    problems: written.problems.map((p) => ({ id: p.id, description: p.description, ticketId: null })),
    matters: written.matters.map((m) => ({ id: m.id, title: m.title, status: 'promised' as const, amountFen: Number(m.amountFen) })),
    // A new record has no flags yet: its checks run in the background (checkPendingActivities).
    flags: [],
    recordedAt: new Date(written.recorded_at).toISOString(),
    recordedBy: written.recorded_by_name,
    updatedAt: new Date(written.updated_at).toISOString(),
  };
  return { status: 'stored', activity };
}

type Written = {
  id: number; recorded_at: Date; updated_at: Date; recorded_by_name: string | null;
  problems: { id: number; description: string }[]; matters: { id: number; title: string; amountFen: number }[];
};

/**
 * The record, its lists and its audit entry in one statement: the inserts share the new id through
 * CTEs, and a single statement is all or nothing by itself — one round trip instead of six.
 */
async function writeNew(tx: Executor, actor: Actor, data: Data, c: Checked, clientId: string, hash: string): Promise<Written> {
  const lead = c.participants[0]!;
  const promisedOn = chinaDate(c.startsAt);
  const matterTargets = data.matters.map((m) => c.targets.get(m.targetId)!);
  const detail = {
    clientId, kind: data.kind, startsAt: c.startsAt.toISOString(), participantIds: data.participantIds, targetIds: data.targetIds,
    photos: data.photoIds.length, problems: data.problems.length, matters: data.matters.length,
  };
  const { rows } = await sql<Written>`
    with a as (
      insert into activities (client_id, client_hash, campaign_id, kind, title, starts_at, ends_at, stay_days, region_code, region_path, place,
        latitude, longitude, accuracy_m, findings, actions, attendees, money_fen, recorded_by)
      values (${clientId}, ${hash}, ${data.campaignId ?? null}, ${data.kind}, ${data.title}, ${c.startsAt}, ${c.endsAt}, ${c.stayDays}, ${c.region.code},
        ${c.region.path}, ${data.place}, ${data.latitude ?? null}, ${data.longitude ?? null}, ${data.accuracyM ?? null}, ${data.findings}, ${data.actions},
        ${data.attendees ?? null}, ${data.moneyFen ?? null}, ${actor.userId})
      returning id, recorded_at, updated_at
    ),
    p as (
      insert into activity_participants (activity_id, cadre_id, unit_path)
      select a.id, x.cadre_id, x.unit_path from a, unnest(${c.participants.map((x) => x.cadreId)}::int[], ${c.participants.map((x) => x.unitPath)}::text[]) as x(cadre_id, unit_path)
    ),
    t as (insert into activity_targets (activity_id, target_id) select a.id, x.id from a, unnest(${data.targetIds}::int[]) as x(id)),
    ph as (
      insert into activity_photos (activity_id, photo_id, position)
      select a.id, x.id, x.n - 1 from a, unnest(${data.photoIds}::int[]) with ordinality as x(id, n)
    ),
    pr as (
      insert into activity_problems (activity_id, description)
      select a.id, x.d from a, unnest(${data.problems}::text[]) with ordinality as x(d, n) order by x.n
      returning id, description
    ),
    m as (
      insert into practical_matters (campaign_id, target_id, activity_id, cadre_id, title, description, amount_fen, fund_source, status, promised_on,
        region_code, region_path, unit_path, created_by)
      select ${data.campaignId ?? null}::int, x.target_id, a.id, ${lead.cadreId}::int, x.title, x.description, x.amount_fen, x.fund_source, 'promised', ${promisedOn}::date,
        x.region_code, x.region_path, ${lead.unitPath}::text, ${actor.userId}::int
      from a, unnest(${data.matters.map((x) => x.targetId)}::int[], ${data.matters.map((x) => x.title)}::text[], ${data.matters.map((x) => x.description)}::text[],
        ${data.matters.map((x) => x.amountFen)}::bigint[], ${data.matters.map((x) => x.fundSource)}::text[], ${matterTargets.map((x) => x.region_code)}::text[],
        ${matterTargets.map((x) => x.region_path)}::text[]) with ordinality as x(target_id, title, description, amount_fen, fund_source, region_code, region_path, n)
      order by x.n
      returning id, title, amount_fen
    ),
    -- What compliance must recount (every day a stay covers), in the same statement.
    cq as (
      insert into compliance_pending (campaign_id, cadre_id, target_id, day, record_kind)
      select ${data.campaignId ?? null}::int, x.cadre_id, x.target_id, (${c.startsAt}::timestamptz at time zone 'Asia/Shanghai')::date + g.i, k.kind
      from a, (select unnest(${c.participants.map((x) => x.cadreId)}::int[]) as cadre_id, null::int as target_id
        union all select null::int, unnest(${data.targetIds}::int[])) x, generate_series(0, greatest(${c.stayDays}::int, 1) - 1) g(i),
        unnest(${[`activity:${data.kind}`, ...(data.matters.length > 0 ? ['matter'] : [])]}::text[]) k(kind)
    ),
    -- The entry recordAudit writes, in the same statement.
    au as (
      insert into audit_log (user_id, username, ip, action, entity, entity_id, detail, region_path, unit_path)
      select ${actor.userId}::int, ${actor.username}, ${actor.ip}, 'activity.create', 'activity', a.id::text, ${JSON.stringify(detail)}::jsonb, ${c.region.path}, ${lead.unitPath} from a
    )
    select a.id, a.recorded_at, a.updated_at, (select display_name from users where id = ${actor.userId}::int) as recorded_by_name,
      coalesce((select json_agg(json_build_object('id', pr.id, 'description', pr.description) order by pr.id) from pr), '[]'::json) as problems,
      coalesce((select json_agg(json_build_object('id', m.id, 'title', m.title, 'amountFen', m.amount_fen) order by m.id) from m), '[]'::json) as matters
    from a`.execute(tx);
  return rows[0]!;
}

async function writeLists(tx: Executor, id: number, participants: Checked['participants'] | undefined, targetIds: number[] | undefined, photoIds: number[] | undefined) {
  if (participants !== undefined && participants.length > 0) {
    await tx.insertInto('activity_participants').values(participants.map((p) => ({ activity_id: id, cadre_id: p.cadreId, unit_path: p.unitPath }))).execute();
  }
  if (targetIds !== undefined && targetIds.length > 0) {
    await tx.insertInto('activity_targets').values(targetIds.map((target_id) => ({ activity_id: id, target_id }))).execute();
  }
  if (photoIds !== undefined && photoIds.length > 0) {
    await tx.insertInto('activity_photos').values(photoIds.map((photo_id, position) => ({ activity_id: id, photo_id, position }))).execute();
  }
}

/**
 * Records a field activity. `status` says whether it is new (stored) or the one already stored
 * under its clientId (duplicate); the same clientId with other content is a 409 with the server copy.
 */
export async function createActivity(db: Executor, actor: Actor, deps: ActivityDeps, input: CreateActivity): Promise<{ status: 'stored' | 'duplicate'; activity: ActivityDto }> {
  assertCan(actor, 'activity.write');
  const out = await store(db, actor, deps, createActivitySchema.parse(input));
  if (out.status === 'conflict') {
    throw new AppError('CONFLICT', `clientId ${input.clientId} 已用于另一条内容不同的记录，未作任何更改`, { field: 'clientId', server: out.server });
  }
  return out;
}

/**
 * The offline batch: each record is checked and stored on its own (its own transaction), so a bad
 * record is returned with its reasons while the good ones are stored.
 */
export async function syncActivities(db: Executor, actor: Actor, deps: ActivityDeps, records: unknown[]): Promise<SyncActivityResult[]> {
  assertCan(actor, 'activity.write');
  const results: SyncActivityResult[] = [];
  for (const [index, record] of records.entries()) {
    const rawId = (record as { clientId?: unknown } | null)?.clientId;
    const clientId = typeof rawId === 'string' ? rawId : null;
    const parsed = syncActivityRecord.safeParse(record);
    if (!parsed.success) {
      results.push({ index, clientId, status: 'rejected', errors: parsed.error.issues.map((i) => ({ field: i.path.map(String).join('.') || 'record', message: i.message })) });
      continue;
    }
    try {
      const out = await store(db, actor, deps, parsed.data);
      if (out.status === 'conflict') results.push({ index, clientId, status: 'conflict', ...(out.server ? { id: out.server.id, server: out.server } : {}) });
      else results.push({ index, clientId, status: out.status, id: out.activity.id });
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      const d = e.details as { fields?: FieldError[]; field?: string } | undefined;
      results.push({ index, clientId, status: 'rejected', errors: d?.fields ?? [{ field: d?.field ?? 'record', message: e.message }] });
    }
  }
  return results;
}

/**
 * Changes a record. `version` must be the one read (else 409, nothing changed). Lists given
 * replace the stored ones; a participant kept keeps the unit they were credited to.
 */
export async function updateActivity(db: Executor, actor: Actor, deps: ActivityDeps, id: number, input: UpdateActivity): Promise<ActivityDto> {
  assertCan(actor, 'activity.write');
  const data = updateActivitySchema.parse(input);
  const current = await getActivity(db, actor, id);
  if (current.version !== data.version) {
    throw new AppError('CONFLICT', `工作记录已被他人修改（当前版本 ${current.version}，您读取的是 ${data.version}），请刷新后重试`, { field: 'version', server: current });
  }
  if (actor.role === 'cadre' && !current.participants.some((p) => p.cadreId === actor.cadreId)) {
    throw new AppError('FORBIDDEN', '干部账号只能修改本人参加的工作记录');
  }
  const stored = await db
    .selectFrom('activity_participants')
    .select(['cadre_id', 'unit_path'])
    .where('activity_id', '=', id)
    .execute();
  const draft: Draft = {
    kind: data.kind ?? current.kind,
    campaignId: data.campaignId !== undefined ? data.campaignId : current.campaignId,
    startsAt: data.startsAt ?? current.startsAt,
    endsAt: data.endsAt ?? current.endsAt,
    participantIds: data.participantIds ?? current.participants.map((p) => p.cadreId),
    targetIds: data.targetIds ?? current.targets.map((t) => t.id),
    // Without a new regionCode the place stays where it was unless the targets change.
    regionCode: data.regionCode !== undefined ? data.regionCode : data.targetIds !== undefined ? null : current.regionCode,
    attendees: data.attendees !== undefined ? data.attendees : current.attendees,
    moneyFen: data.moneyFen !== undefined ? data.moneyFen : current.moneyFen,
    photoIds: data.photoIds ?? current.photos.map((p) => p.id),
  };
  if (draft.targetIds.length === 0 && draft.regionCode === null) {
    throw invalid([{ field: 'targetIds', message: '请至少选择一个联系对象，或填写地点所在区划（regionCode）' }]);
  }
  const checked = await checkDraft(db, actor, draft, {
    unitPaths: new Map(stored.map((p) => [p.cadre_id, p.unit_path])),
    photoIds: new Set(current.photos.map((p) => p.id)),
  });
  const changed = Object.keys(data).filter((k) => k !== 'version');
  await inTransaction(db, async (tx) => {
    const res = await tx
      .updateTable('activities')
      .set({
        kind: draft.kind,
        campaign_id: draft.campaignId,
        starts_at: checked.startsAt,
        ends_at: checked.endsAt,
        stay_days: checked.stayDays,
        region_code: checked.region.code,
        region_path: checked.region.path,
        attendees: draft.attendees,
        money_fen: draft.moneyFen,
        ...(data.title !== undefined ? { title: data.title } : {}),
        ...(data.place !== undefined ? { place: data.place } : {}),
        ...(data.latitude !== undefined ? { latitude: data.latitude, longitude: data.longitude ?? null } : {}),
        ...(data.accuracyM !== undefined ? { accuracy_m: data.accuracyM } : {}),
        ...(data.findings !== undefined ? { findings: data.findings } : {}),
        ...(data.actions !== undefined ? { actions: data.actions } : {}),
        version: sql<number>`version + 1`,
        updated_at: new Date(),
        // Back in the queue: if the check below is lost, the background worker still runs it.
        integrity_checked_at: null,
      })
      .where('id', '=', id)
      .where('version', '=', data.version)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new AppError('CONFLICT', '工作记录刚被他人修改，请刷新后重试', { field: 'version' });
    // The old lists and days are still stored here, the new ones after writeLists: both are recounted.
    await queueRecordChange(tx, 'activity', id);
    if (data.participantIds !== undefined) await tx.deleteFrom('activity_participants').where('activity_id', '=', id).execute();
    if (data.targetIds !== undefined) await tx.deleteFrom('activity_targets').where('activity_id', '=', id).execute();
    if (data.photoIds !== undefined) await tx.deleteFrom('activity_photos').where('activity_id', '=', id).execute();
    await writeLists(tx, id, data.participantIds !== undefined ? checked.participants : undefined, data.targetIds, data.photoIds);
    await queueRecordChange(tx, 'activity', id);
    await recordAudit(tx, actor, {
      action: 'activity.update', entity: 'activity', entityId: id, detail: { changed, version: data.version + 1 },
      where: { regionPath: checked.region.path, unitPath: checked.participants[0]!.unitPath },
    });
  });
  await afterWrite(db, deps, id);
  return getActivity(db, actor, id);
}
