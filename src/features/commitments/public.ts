import { sql } from 'kysely';
import sharp from 'sharp';
import { publicPhotoUrl, type PublicCommitmentDto, type PublicCommitmentOptions, type PublicCommitmentQuery } from '../../../contracts/commitments.ts';
import type { Executor } from '../../db/database.ts';
import { pathUnder } from '../../db/paths.ts';
import { AppError, notFound } from '../../errors.ts';
import { originalKey, type PhotoStore } from '../../lib/photo-store.ts';
import { chinaToday } from '../campaigns/campaigns.ts';
import { joined, loadMilestones, milestoneCounts, sharedSummary, statusSql, summaryColumns } from './commitments.ts';

// The public pages (no login): published commitments only. Of people only the leader's name, post
// and unit appear: no cadre or account ids, no usernames in the log, ticket links by their state
// only (a ticket's title may name the requester), photos re-encoded without EXIF (no GPS).

const published = (db: Executor) => joined(db).where('c.published_at', 'is not', null);

export async function listPublicCommitments(db: Executor, f: PublicCommitmentQuery) {
  const today = chinaToday();
  let q = published(db);
  if (f.region) {
    const region = await db.selectFrom('regions').select('path').where('code', '=', f.region).executeTakeFirst();
    if (!region) throw notFound('区划', f.region);
    q = q.where(pathUnder('c.region_path', region.path));
  }
  if (f.unitId) {
    const unit = await db.selectFrom('units').select('path').where('id', '=', f.unitId).executeTakeFirst();
    if (!unit) throw notFound('单位', f.unitId);
    q = q.where(pathUnder('c.unit_path', unit.path));
  }
  if (f.status) q = q.where(statusSql('c', today), '=', f.status);
  if (f.q) q = q.where('cd.name', 'like', `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
  const [rows, count] = await Promise.all([
    q.select(summaryColumns).select(milestoneCounts).orderBy('c.due_on').orderBy('c.id').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((r) => ({ ...sharedSummary(r, today), publishedAt: r.published_at!.toISOString() })),
    total: count.n, page: f.page, pageSize: f.pageSize,
  };
}

/** The regions and units that have published commitments, and their categories: the page's filters. */
export async function publicCommitmentOptions(db: Executor): Promise<PublicCommitmentOptions> {
  const [regions, units, categories] = await Promise.all([
    published(db).select(['r.code', 'r.name', sql<number>`count(*)::int`.as('count')]).groupBy(['r.code', 'r.name']).orderBy('r.code').execute(),
    published(db).select(['u.id', 'u.name', sql<number>`count(*)::int`.as('count')]).groupBy(['u.id', 'u.name']).orderBy('u.id').execute(),
    published(db).select('c.category').distinct().orderBy('c.category').execute(),
  ]);
  return { regions, units, categories: categories.map((c) => c.category) };
}

export async function getPublicCommitment(db: Executor, id: number): Promise<PublicCommitmentDto> {
  const today = chinaToday();
  const row = await published(db).select(summaryColumns).select(milestoneCounts).where('c.id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', `没有找到公开的履职承诺（${id}）`);
  const milestones = (await loadMilestones(db, id, today)).map((m) => ({
    ...m,
    photos: m.photos.map((p) => ({ id: p.id, url: publicPhotoUrl(id, p.id) })),
    links: m.links.map((l) => (l.kind === 'matter' ? { kind: l.kind, label: l.label, status: l.status } : { kind: l.kind, label: '群众诉求工单', status: l.status })),
  }));
  const adjustments = await db.selectFrom('commitment_adjustments').select(['at', 'reason', 'before', 'after']).where('commitment_id', '=', id).orderBy('id').execute();
  // Edits of the draft happened before anyone could see it: not part of the public record.
  const events = await db.selectFrom('commitment_events').select(['at', 'kind', 'summary']).where('commitment_id', '=', id).where('kind', '!=', 'edit').orderBy('id').execute();
  return {
    ...sharedSummary(row, today),
    publishedAt: row.published_at!.toISOString(),
    content: row.content,
    campaignName: row.campaign_name,
    progressReason: row.progress_reason,
    milestones,
    adjustments: adjustments.map((a) => ({ at: a.at.toISOString(), reason: a.reason, before: a.before, after: a.after })),
    events: events.map((e) => ({ at: e.at.toISOString(), kind: e.kind, summary: e.summary })),
  };
}

/**
 * A photo's bytes for a commitment page: re-encoded as a JPEG at most `width` wide, which drops
 * EXIF (time, GPS). null when the format cannot be decoded (HEIC without HEVC).
 */
export async function renderPhoto(db: Executor, store: PhotoStore, photoId: number, width: number): Promise<{ bytes: Buffer; sha256: string } | null> {
  const row = await db.selectFrom('photos').select(['sha256']).where('id', '=', photoId).executeTakeFirstOrThrow();
  const stream = await store.get(originalKey(row.sha256));
  if (!stream) throw new AppError('INTERNAL', `照片（${photoId}）的文件缺失`, { id: photoId });
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  try {
    const bytes = await sharp(Buffer.concat(chunks), { limitInputPixels: 150_000_000 }).rotate().resize({ width, withoutEnlargement: true }).jpeg({ quality: 80 }).toBuffer();
    return { bytes, sha256: row.sha256 };
  } catch {
    return null;
  }
}
