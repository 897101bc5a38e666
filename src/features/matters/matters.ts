import { sql } from 'kysely';
import {
  attachMatterPhotos as attachSchema, createMatter as createSchema, matterStatusLabels, matterTransitions, updateMatter as updateSchema,
  type AttachMatterPhotos, type CreateMatter, type FundsQuery, type FundsResult, type FundsRow, type MatterDto, type MatterListQuery,
  type MatterStatus, type MatterSummary, type UpdateMatter,
} from '../../../contracts/matters.ts';
import { photoThumbUrl, photoUrl } from '../../../contracts/photos.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import type { TargetKind } from '../../db/schema.ts';
import { AppError, notFound } from '../../errors.ts';
import { activityScope } from '../activities/scope.ts';
import { recordAudit } from '../audit/audit.ts';
import { assertCan, isUnder, type Actor } from '../auth/actor.ts';
import { campaignScope, chinaToday } from '../campaigns/campaigns.ts';
import { cadresInScope } from '../campaigns/teams.ts';
import { unusablePhotos } from '../photos/photos.ts';
import { pathUnder, regionScope } from '../regions/regions.ts';
import { parseInput } from '../targets/targets.ts';
import { matterScope } from './scope.ts';
import { queueRecordChange } from '../compliance/engine.ts';

// Practical matters (为民办实事) and their funds. A matter belongs to a contact target (its region
// is the target's, fixed at creation) and, normally, to the cadre who answers for it (its unit
// path is that cadre's unit at the time). Status moves promised → in_progress → done and never
// back (matterTransitions); done carries the day it was done. Evidence photos are attached with
// their stage (before / after). Who sees one: matterScope.

const invalid = (field: string, message: string) => new AppError('VALIDATION_FAILED', message, { field, fields: [{ field, message }] });

// ── Reading ──────────────────────────────────────────────────────────────────────────────────

function baseQuery(db: Executor, actor: Actor) {
  return db
    .selectFrom('practical_matters as m')
    .innerJoin('contact_targets as t', 't.id', 'm.target_id')
    .innerJoin('regions as r', 'r.code', 'm.region_code')
    .leftJoin('campaigns as cp', 'cp.id', 'm.campaign_id')
    .leftJoin('cadres as c', 'c.id', 'm.cadre_id')
    .leftJoin('units as u', 'u.id', 'c.unit_id')
    .where(matterScope(actor, 'm'));
}

const columns = [
  'm.id', 'm.campaign_id', 'cp.name as campaign_name', 'm.target_id', 't.kind as target_kind', 't.name as target_name', 'm.region_code',
  'r.name as region_name', 'm.activity_id', 'm.cadre_id', 'c.name as cadre_name', 'u.name as unit_name', 'm.title', 'm.description',
  'm.amount_fen', 'm.fund_source', 'm.status', 'm.promised_on', 'm.done_on', 'm.created_at', 'm.updated_at',
] as const;
const photoCount = sql<number>`(select count(*) from practical_matter_photos pc where pc.matter_id = m.id)`.as('photo_count');

type Row = {
  id: number; campaign_id: number | null; campaign_name: string | null; target_id: number; target_kind: TargetKind; target_name: string;
  region_code: string; region_name: string; activity_id: number | null; cadre_id: number | null; cadre_name: string | null;
  unit_name: string | null; title: string; description: string; amount_fen: number; fund_source: string; status: MatterStatus;
  promised_on: string; done_on: string | null; created_at: Date; updated_at: Date; photo_count: number;
};

const toSummary = (r: Row): MatterSummary => ({
  id: r.id,
  campaignId: r.campaign_id,
  campaignName: r.campaign_name,
  targetId: r.target_id,
  targetKind: r.target_kind,
  targetName: r.target_name,
  regionCode: r.region_code,
  regionName: r.region_name,
  activityId: r.activity_id,
  cadreId: r.cadre_id,
  cadreName: r.cadre_name,
  unitName: r.unit_name,
  title: r.title,
  amountFen: Number(r.amount_fen),
  fundSource: r.fund_source,
  status: r.status,
  promisedOn: r.promised_on,
  doneOn: r.done_on,
  photoCount: r.photo_count,
  updatedAt: r.updated_at.toISOString(),
});

export async function getMatter(db: Executor, actor: Actor, id: number): Promise<MatterDto> {
  const row = await baseQuery(db, actor).select(columns).select(photoCount).where('m.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('实事', id);
  const photos = await db
    .selectFrom('practical_matter_photos as mp')
    .innerJoin('photos as ph', 'ph.id', 'mp.photo_id')
    .select(['ph.id', 'ph.has_thumbnail', 'ph.taken_at', 'mp.stage'])
    .where('mp.matter_id', '=', id)
    .orderBy('mp.stage', 'desc') // before, then after
    .orderBy(sql`ph.taken_at asc nulls last`)
    .orderBy('ph.id')
    .execute();
  return {
    ...toSummary(row),
    description: row.description,
    nextStatuses: [...matterTransitions[row.status]],
    photos: photos.map((p) => ({
      id: p.id, url: photoUrl(p.id), thumbUrl: p.has_thumbnail ? photoThumbUrl(p.id) : null, hasThumbnail: p.has_thumbnail,
      takenAt: p.taken_at?.toISOString() ?? null, stage: p.stage,
    })),
    createdAt: row.created_at.toISOString(),
  };
}

/** A region the actor may see, by code, or NOT_FOUND. */
async function scopedRegion(db: Executor, actor: Actor, code: string) {
  const region = await db.selectFrom('regions').select(['code', 'name', 'path']).where('code', '=', code).where(regionScope(actor, 'regions.path')).executeTakeFirst();
  if (!region) throw notFound('区划', code);
  return region;
}

type Filter = Omit<MatterListQuery, 'page' | 'pageSize' | 'targetId' | 'cadreId'> & { targetId?: number | undefined; cadreId?: number | undefined };

/** Each filter is one indexed column: status (+ promised_on), target, region path, campaign, cadre, promised_on. */
export async function filtered(db: Executor, actor: Actor, f: Filter) {
  let q = baseQuery(db, actor);
  if (f.status) q = q.where('m.status', '=', f.status);
  if (f.targetId) q = q.where('m.target_id', '=', f.targetId);
  if (f.region) q = q.where(pathUnder('m.region_path', (await scopedRegion(db, actor, f.region)).path));
  if (f.campaignId) q = q.where('m.campaign_id', '=', f.campaignId);
  if (f.cadreId) q = q.where('m.cadre_id', '=', f.cadreId);
  if (f.from) q = q.where('m.promised_on', '>=', f.from);
  if (f.to) q = q.where('m.promised_on', '<=', f.to);
  return q;
}

export async function listMatters(db: Executor, actor: Actor, f: MatterListQuery) {
  const q = await filtered(db, actor, f);
  const [rows, count] = await Promise.all([
    q.select(columns).select(photoCount).orderBy('m.promised_on', 'desc').orderBy('m.id', 'desc').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toSummary), total: count.n, page: f.page, pageSize: f.pageSize };
}

// ── Funds ────────────────────────────────────────────────────────────────────────────────────

const TARGET_ROWS = 1000;
const sums = [
  sql<number>`count(*)::int`.as('count'),
  sql<number>`(count(*) filter (where m.status = 'done'))::int`.as('done_count'),
  sql<number>`coalesce(sum(m.amount_fen), 0)::bigint`.as('amount_fen'),
  sql<number>`coalesce(sum(m.amount_fen) filter (where m.status = 'done'), 0)::bigint`.as('done_amount_fen'),
] as const;
type Sums = { count: number; done_count: number; amount_fen: number; done_amount_fen: number };
const row = (key: string | null, name: string, s: Sums | undefined, self = false): FundsRow => ({
  key, name, self, count: s?.count ?? 0, doneCount: s?.done_count ?? 0, amountFen: Number(s?.amount_fen ?? 0), doneAmountFen: Number(s?.done_amount_fen ?? 0),
});

/**
 * Sums of practical matters' money per target, region, unit or campaign, over the actor's matters
 * and the filters. groupBy=region drills down one level: one row per child region of `region`
 * (default: the actor's own region, else the top of the tree) with everything beneath it, and a
 * 本级 row for matters of targets at that region itself.
 */
export async function matterFunds(db: Executor, actor: Actor, f: FundsQuery): Promise<FundsResult> {
  let parent: { code: string; name: string; path: string } | null = null;
  if (f.groupBy === 'region') {
    const code = f.region ?? actor.scope.regionPath?.split('/').pop();
    if (code) parent = await scopedRegion(db, actor, code);
    else {
      const roots = await db.selectFrom('regions').select(['code', 'name', 'path']).where('parent_code', 'is', null).limit(2).execute();
      if (roots.length === 1) parent = roots[0]!;
    }
  }
  // For groupBy=region the drill-down parent is the region filter.
  const q = await filtered(db, actor, { ...f, region: f.groupBy === 'region' ? parent?.code : f.region });
  const totals = await q.select(sums).executeTakeFirstOrThrow();
  let rows: FundsRow[] = [];
  let truncated = false;

  if (f.groupBy === 'region') {
    const depth = parent === null ? 1 : parent.path.split('/').length + 1;
    // A literal, not a parameter: select and group by must be the same expression.
    const child = sql<string>`split_part(m.region_path, '/', ${sql.lit(depth)})`;
    const got = await q.select(child.as('child')).select(sums).groupBy(child).execute();
    const byChild = new Map(got.map((g) => [g.child, g]));
    const children = await (parent === null
      ? db.selectFrom('regions').select(['code', 'name']).where('parent_code', 'is', null)
      : db.selectFrom('regions').select(['code', 'name']).where('parent_code', '=', parent.code)
    ).orderBy('code').execute();
    rows = children.map((c) => row(c.code, c.name, byChild.get(c.code)));
    // Matters under a child that the tree no longer lists (a region retired since) still count.
    const listed = new Set(children.map((c) => c.code));
    for (const g of got) if (g.child !== '' && !listed.has(g.child)) rows.push(row(g.child, g.child, g));
    if (parent && byChild.has('')) rows.push(row(parent.code, `${parent.name}（本级）`, byChild.get(''), true));
  } else if (f.groupBy === 'target') {
    const got = await q.select(['m.target_id', 't.name']).select(sums).groupBy(['m.target_id', 't.name'])
      .orderBy('amount_fen', 'desc').orderBy('m.target_id').limit(TARGET_ROWS + 1).execute();
    truncated = got.length > TARGET_ROWS;
    rows = got.slice(0, TARGET_ROWS).map((g) => row(String(g.target_id), g.name, g));
  } else if (f.groupBy === 'campaign') {
    const got = await q.select(['m.campaign_id', 'cp.name']).select(sums).groupBy(['m.campaign_id', 'cp.name']).orderBy('m.campaign_id').execute();
    rows = got.map((g) => (g.campaign_id === null ? row(null, '未关联活动', g) : row(String(g.campaign_id), g.name ?? String(g.campaign_id), g)));
  } else {
    // The unit the matter was recorded for: the last id of its unit path.
    const unit = sql<string | null>`split_part(m.unit_path, '/', -1)`;
    const got = await q.select(unit.as('unit')).select(sums).groupBy(unit).execute();
    const ids = got.flatMap((g) => (g.unit ? [Number(g.unit)] : []));
    const names = new Map((ids.length ? await db.selectFrom('units').select(['id', 'name']).where('id', '=', sql<number>`any(${ids}::int[])`).execute() : []).map((u) => [String(u.id), u.name]));
    rows = got.map((g) => (g.unit ? row(g.unit, names.get(g.unit) ?? g.unit, g) : row(null, '未指定干部', g)));
    rows.sort((a, b) => b.amountFen - a.amountFen || (a.key ?? '').localeCompare(b.key ?? ''));
  }
  return {
    groupBy: f.groupBy,
    region: parent ? { code: parent.code, name: parent.name } : null,
    rows,
    truncated,
    totalCount: totals.count,
    doneCount: totals.done_count,
    totalFen: Number(totals.amount_fen),
    doneTotalFen: Number(totals.done_amount_fen),
  };
}

// ── Writing ──────────────────────────────────────────────────────────────────────────────────

type Draft = {
  campaignId: number | null; cadreId: number | null; activityId: number | null; status: MatterStatus; promisedOn: string; doneOn: string | null;
};

/** Checks the references and dates of a new or changed matter; returns the cadre's unit path. */
async function checkDraft(db: Executor, actor: Actor, target: { name: string; region_path: string }, d: Draft, changed: Set<keyof Draft>) {
  let unitPath: string | null | undefined;
  if (changed.has('cadreId')) {
    if (d.cadreId === null) {
      // A matter with no cadre belongs to no unit: a unit's account would lose sight of it.
      if (actor.scope.unitPath !== null) throw invalid('cadreId', '请指定负责的干部（cadreId）');
      unitPath = null;
    } else {
      const cadre = (await cadresInScope(db, actor, [d.cadreId])).get(d.cadreId);
      if (!cadre) throw invalid('cadreId', `干部 ${d.cadreId} 不存在或不在您的管辖范围内`);
      unitPath = cadre.unit_path;
    }
  }
  if (changed.has('campaignId') && d.campaignId !== null) {
    const campaign = await db.selectFrom('campaigns').select(['name', 'region_path']).where('id', '=', d.campaignId).where(campaignScope(actor)).executeTakeFirst();
    if (!campaign) throw invalid('campaignId', `活动 ${d.campaignId} 不存在或不在您的管辖范围内`);
    if (!isUnder(target.region_path, campaign.region_path)) throw invalid('campaignId', `联系对象“${target.name}”不在活动“${campaign.name}”的区划之内`);
  }
  if (changed.has('activityId') && d.activityId !== null) {
    const activity = await db.selectFrom('activities as a').select('a.id').where('a.id', '=', d.activityId).where(activityScope(actor, 'a')).executeTakeFirst();
    if (!activity) throw invalid('activityId', `工作记录 ${d.activityId} 不存在或不在您的管辖范围内`);
  }
  const today = chinaToday();
  if (d.promisedOn > today) throw invalid('promisedOn', `承诺日期 ${d.promisedOn} 不能晚于今天（${today}）`);
  if (d.status === 'done') {
    if (d.doneOn === null) throw invalid('doneOn', '状态为“已办结”时须填写办结日期（doneOn）');
    if (d.doneOn > today) throw invalid('doneOn', `办结日期 ${d.doneOn} 不能晚于今天（${today}）`);
    if (d.doneOn < d.promisedOn) throw invalid('doneOn', `办结日期 ${d.doneOn} 早于承诺日期 ${d.promisedOn}`);
  } else if (d.doneOn !== null) {
    throw invalid('doneOn', `状态为“${matterStatusLabels[d.status].zh}”的实事不能有办结日期，办结时再填写`);
  }
  return unitPath;
}

async function assertPhotosUsable(db: Executor, actor: Actor, ids: number[], field: string) {
  const bad = await unusablePhotos(db, actor, ids);
  if (bad.length) throw invalid(field, `照片 ${bad.join('、')} 不存在或您无权使用（请先上传）`);
}

/** A new practical matter. Works inside a caller's transaction too (an activity's promised matters). */
export async function createMatter(db: Executor, actor: Actor, input: CreateMatter): Promise<MatterDto> {
  assertCan(actor, 'matter.write');
  const v = parseInput(createSchema, input);
  return inTransaction(db, async (tx) => {
    const target = await tx.selectFrom('contact_targets').select(['id', 'name', 'region_code', 'region_path'])
      .where('id', '=', v.targetId).where(regionScope(actor, 'contact_targets.region_path')).executeTakeFirst();
    if (!target) throw invalid('targetId', `联系对象 ${v.targetId} 不存在或不在您的管辖范围内`);
    const draft: Draft = {
      campaignId: v.campaignId ?? null, cadreId: v.cadreId === undefined ? actor.cadreId : v.cadreId, activityId: v.activityId ?? null,
      status: v.status, promisedOn: v.promisedOn, doneOn: v.doneOn ?? null,
    };
    const unitPath = (await checkDraft(tx, actor, target, draft, new Set(['cadreId', 'campaignId', 'activityId']))) ?? null;
    await assertPhotosUsable(tx, actor, v.photos.map((p) => p.photoId), 'photos');
    const { id } = await tx.insertInto('practical_matters').values({
      campaign_id: draft.campaignId, target_id: target.id, activity_id: draft.activityId, cadre_id: draft.cadreId, title: v.title,
      description: v.description, amount_fen: v.amountFen, fund_source: v.fundSource, status: draft.status, promised_on: draft.promisedOn,
      done_on: draft.doneOn, region_code: target.region_code, region_path: target.region_path, unit_path: unitPath, created_by: actor.userId,
      updated_at: new Date(),
    }).returning('id').executeTakeFirstOrThrow();
    await queueRecordChange(tx, 'matter', id);
    if (v.photos.length) {
      await tx.insertInto('practical_matter_photos').values(v.photos.map((p) => ({ matter_id: id, photo_id: p.photoId, stage: p.stage })))
        .onConflict((oc) => oc.doNothing()).execute();
    }
    await recordAudit(tx, actor, {
      action: 'matter.create', entity: 'practical_matter', entityId: id,
      detail: { targetId: target.id, title: v.title, amountFen: v.amountFen, fundSource: v.fundSource, status: draft.status, promisedOn: draft.promisedOn, doneOn: draft.doneOn, cadreId: draft.cadreId, campaignId: draft.campaignId, photos: v.photos },
      where: { regionPath: target.region_path, unitPath },
    });
    return getMatter(tx, actor, id);
  });
}

/** A matter the actor may see, locked for a change, or NOT_FOUND. */
async function lockedMatter(db: Executor, actor: Actor, id: number) {
  const m = await db.selectFrom('practical_matters as m').innerJoin('contact_targets as t', 't.id', 'm.target_id')
    .select(['m.id', 'm.campaign_id', 'm.cadre_id', 'm.activity_id', 'm.title', 'm.description', 'm.amount_fen', 'm.fund_source', 'm.status',
      'm.promised_on', 'm.done_on', 'm.region_path', 'm.unit_path', 't.name as target_name'])
    .where('m.id', '=', id).where(matterScope(actor, 'm')).forUpdate('m').executeTakeFirst();
  if (!m) throw notFound('实事', id);
  return m;
}

/**
 * Changes a matter. The status moves only along matterTransitions (409 naming where it may go);
 * moving to done needs doneOn. Only the fields sent change.
 */
export async function updateMatter(db: Executor, actor: Actor, id: number, input: UpdateMatter): Promise<MatterDto> {
  assertCan(actor, 'matter.write');
  const v = parseInput(updateSchema, input);
  return inTransaction(db, async (tx) => {
    const cur = await lockedMatter(tx, actor, id);
    const status = v.status ?? cur.status;
    if (status !== cur.status) {
      const allowed = matterTransitions[cur.status];
      if (!allowed.includes(status)) {
        const from = matterStatusLabels[cur.status].zh;
        throw new AppError('CONFLICT', allowed.length === 0
          ? `实事已${from}，状态不能再改为“${matterStatusLabels[status].zh}”`
          : `实事状态不能从“${from}”改为“${matterStatusLabels[status].zh}”，只能改为：${allowed.map((s) => `“${matterStatusLabels[s].zh}”（${s}）`).join('、')}`,
        { field: 'status', from: cur.status, to: status, allowed });
      }
    }
    const draft: Draft = {
      campaignId: v.campaignId === undefined ? cur.campaign_id : v.campaignId,
      cadreId: v.cadreId === undefined ? cur.cadre_id : v.cadreId,
      activityId: cur.activity_id,
      status,
      promisedOn: v.promisedOn ?? cur.promised_on,
      doneOn: v.doneOn === undefined ? cur.done_on : v.doneOn,
    };
    const changed = new Set<keyof Draft>();
    if (draft.cadreId !== cur.cadre_id) changed.add('cadreId');
    if (draft.campaignId !== cur.campaign_id) changed.add('campaignId');
    const unitPath = await checkDraft(tx, actor, { name: cur.target_name, region_path: cur.region_path }, draft, changed);
    const next = {
      campaign_id: draft.campaignId, cadre_id: draft.cadreId, title: v.title ?? cur.title, description: v.description ?? cur.description,
      amount_fen: v.amountFen ?? Number(cur.amount_fen), fund_source: v.fundSource ?? cur.fund_source, status, promised_on: draft.promisedOn,
      done_on: draft.doneOn, unit_path: unitPath === undefined ? cur.unit_path : unitPath,
    };
    const before: Record<string, unknown> = { ...cur, amount_fen: Number(cur.amount_fen) };
    const changes = Object.fromEntries(Object.entries(next).filter(([k, val]) => before[k] !== val).map(([k, val]) => [k, { from: before[k], to: val }]));
    if (Object.keys(changes).length === 0) return getMatter(tx, actor, id);
    await queueRecordChange(tx, 'matter', id);
    await tx.updateTable('practical_matters').set({ ...next, updated_at: new Date() }).where('id', '=', id).execute();
    await queueRecordChange(tx, 'matter', id);
    await recordAudit(tx, actor, {
      action: changes.status ? `matter.${status}` : 'matter.update', entity: 'practical_matter', entityId: id, detail: changes,
      where: { regionPath: cur.region_path, unitPath: next.unit_path },
    });
    return getMatter(tx, actor, id);
  });
}

/** Attaches uploaded photos as evidence before or after; a photo already attached at that stage stays once. */
export async function attachMatterPhotos(db: Executor, actor: Actor, id: number, input: AttachMatterPhotos): Promise<MatterDto> {
  assertCan(actor, 'matter.write');
  const v = parseInput(attachSchema, input);
  return inTransaction(db, async (tx) => {
    const cur = await lockedMatter(tx, actor, id);
    await assertPhotosUsable(tx, actor, v.photoIds, 'photoIds');
    const added = await tx.insertInto('practical_matter_photos').values([...new Set(v.photoIds)].map((photoId) => ({ matter_id: id, photo_id: photoId, stage: v.stage })))
      .onConflict((oc) => oc.doNothing()).returning('photo_id').execute();
    if (added.length) {
      await tx.updateTable('practical_matters').set({ updated_at: new Date() }).where('id', '=', id).execute();
      await recordAudit(tx, actor, {
        action: 'matter.attach_photos', entity: 'practical_matter', entityId: id, detail: { stage: v.stage, photoIds: added.map((a) => a.photo_id) },
        where: { regionPath: cur.region_path, unitPath: cur.unit_path },
      });
    }
    return getMatter(tx, actor, id);
  });
}

/** Takes a photo off a matter (both stages); the photo itself stays stored. */
export async function detachMatterPhoto(db: Executor, actor: Actor, id: number, photoId: number): Promise<MatterDto> {
  assertCan(actor, 'matter.write');
  return inTransaction(db, async (tx) => {
    const cur = await lockedMatter(tx, actor, id);
    const removed = await tx.deleteFrom('practical_matter_photos').where('matter_id', '=', id).where('photo_id', '=', photoId).returning('stage').execute();
    if (removed.length === 0) throw notFound('实事的照片', photoId);
    await tx.updateTable('practical_matters').set({ updated_at: new Date() }).where('id', '=', id).execute();
    await recordAudit(tx, actor, {
      action: 'matter.detach_photo', entity: 'practical_matter', entityId: id, detail: { photoId, stages: removed.map((r) => r.stage) },
      where: { regionPath: cur.region_path, unitPath: cur.unit_path },
    });
    return getMatter(tx, actor, id);
  });
}
