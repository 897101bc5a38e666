import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import exifr from 'exifr';
import { sql } from 'kysely';
import sharp, { type Metadata } from 'sharp';
import { photoThumbUrl, photoUrl, thumbnailSize, type PhotoDto, type PhotoMime } from '../../../contracts/photos.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { AppError, forbidden, notFound } from '../../errors.ts';
import { originalKey, thumbKey, type PhotoStore } from '../../lib/photo-store.ts';
import { recordAudit } from '../audit/audit.ts';
import { activityScope } from '../activities/scope.ts';
import { can, type Actor } from '../auth/actor.ts';
import { matterScope } from '../matters/scope.ts';
import { ticketScope } from '../tickets/tickets.ts';

// Photos of field work. The bytes are stored once per content under their sha256 (PhotoStore);
// the row keeps what the integrity checks and the lists need: type, size, EXIF time and position,
// whether a thumbnail exists. Uploading the same bytes again returns the stored photo, so an
// offline client may resend an upload safely; each account that sent it is recorded
// (photo_uploads), because a photo reused by a second cadre is exactly what the duplicate-photo
// check looks for, and that cadre must be able to attach it to the record.
//
// Who sees a photo: an account that uploaded it, or anyone who sees a record it is attached to
// (an activity by activityScope, a practical matter by matterScope, a ticket by ticketScope). An
// unscoped account sees all.

// ── Type, metadata, thumbnail ────────────────────────────────────────────────────────────────

/** HEIF brands that mean HEVC-coded images (iPhone photos: major brand heic, compatible mif1). */
const hevcBrands = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs']);
/** Generic HEIF brands: HEIC unless the file says it is AVIF (AV1-coded, a different format). */
const heifBrands = new Set(['mif1', 'msf1']);
const avifBrands = new Set(['avif', 'avis']);

/** The image type from the first bytes; the file name and the client's content type are not trusted. */
export function detectImageType(b: Buffer): PhotoMime | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  // ISO base media file: a leading `ftyp` box with the major brand and the compatible brands.
  if (b.length >= 16 && b.toString('latin1', 4, 8) === 'ftyp') {
    const size = Math.min(b.readUInt32BE(0), b.length);
    const major = b.toString('latin1', 8, 12);
    const compatible: string[] = [];
    for (let i = 16; i + 4 <= size; i += 4) compatible.push(b.toString('latin1', i, i + 4));
    const brands = [major, ...compatible];
    if (brands.some((x) => hevcBrands.has(x))) return 'image/heic';
    if (heifBrands.has(major) && !brands.some((x) => avifBrands.has(x))) return 'image/heic';
  }
  return null;
}

// A decompression bomb (a tiny PNG claiming 50,000 × 50,000 pixels) is refused before decoding.
const sharpOptions = { limitInputPixels: 150_000_000 };

type Inspected = {
  width: number | null; height: number | null; takenAt: Date | null; latitude: number | null; longitude: number | null; thumbnail: Buffer | null;
};

const exifDate = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/;
const exifOffset = /^[+-]\d{2}:\d{2}$/;

/**
 * EXIF DateTimeOriginal is the camera's wall-clock time without a zone. Unless the camera also
 * wrote OffsetTimeOriginal, it is read as China time (+08:00): the platform's cadres take their
 * photos in China, and reading it as the server's zone would shift every photo by eight hours.
 */
export function exifTime(value: unknown, offset: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const m = exifDate.exec(value.trim());
  if (!m) return null;
  const zone = typeof offset === 'string' && exifOffset.test(offset.trim()) ? offset.trim() : '+08:00';
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${zone}`);
  const year = d.getUTCFullYear();
  return Number.isNaN(d.getTime()) || year < 1990 || year > 2100 ? null : d;
}

const exifFields = ['DateTimeOriginal', 'OffsetTimeOriginal', 'CreateDate', 'OffsetTimeDigitized', 'GPSLatitude', 'GPSLatitudeRef', 'GPSLongitude', 'GPSLongitudeRef'];

async function readExif(block: Buffer | undefined) {
  // sharp hands over the EXIF block of JPEG, PNG and HEIC alike (a JPEG's starts with "Exif\0\0");
  // exifr reads only that block. Its own container parsers are not given untrusted files: on a
  // HEIC with a zero-length box it loops forever.
  const tiff = block && block.length > 8 ? (block.toString('latin1', 0, 6) === 'Exif\0\0' ? block.subarray(6) : block) : undefined;
  if (!tiff) return { takenAt: null, latitude: null, longitude: null };
  let tags: Record<string, unknown> | undefined;
  try {
    tags = await (exifr.parse(tiff, { pick: exifFields, reviveValues: false }) as Promise<Record<string, unknown> | undefined>);
  } catch {
    tags = undefined; // no EXIF, or EXIF we cannot read: the photo is still a photo
  }
  if (!tags) return { takenAt: null, latitude: null, longitude: null };
  const takenAt = exifTime(tags.DateTimeOriginal, tags.OffsetTimeOriginal) ?? exifTime(tags.CreateDate, tags.OffsetTimeDigitized);
  const lat = typeof tags.latitude === 'number' && Number.isFinite(tags.latitude) ? tags.latitude : null;
  const lon = typeof tags.longitude === 'number' && Number.isFinite(tags.longitude) ? tags.longitude : null;
  // 0,0 is what a phone writes when it had no fix; it is not a place in China.
  const valid = lat !== null && lon !== null && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 && !(lat === 0 && lon === 0);
  return { takenAt, latitude: valid ? lat : null, longitude: valid ? lon : null };
}

/**
 * Size, EXIF and a thumbnail. JPEG and PNG are always decodable, so one that cannot be read is
 * refused. The prebuilt sharp reads a HEIC's header (size, EXIF) but has no HEVC decoder, so a
 * HEIC photo normally gets no thumbnail (hasThumbnail false: the UI shows a placeholder).
 */
async function inspect(bytes: Buffer, mime: PhotoMime): Promise<Inspected> {
  let meta: Metadata | null = null;
  try {
    meta = await sharp(bytes, sharpOptions).metadata();
  } catch {
    if (mime !== 'image/heic') throw new AppError('UNSUPPORTED_MEDIA_TYPE', `文件已损坏，无法读取${mime === 'image/png' ? ' PNG' : ' JPEG'} 图片`);
  }
  let thumbnail: Buffer | null = null;
  try {
    thumbnail = await sharp(bytes, sharpOptions)
      .rotate() // EXIF orientation: the thumbnail shows the picture the right way up
      .resize(thumbnailSize, thumbnailSize, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 80 })
      .toBuffer();
  } catch {
    if (mime !== 'image/heic') throw new AppError('UNSUPPORTED_MEDIA_TYPE', `文件已损坏，无法解码${mime === 'image/png' ? ' PNG' : ' JPEG'} 图片`);
  }
  const shown = meta?.autoOrient ?? meta; // width and height as displayed (EXIF orientation applied)
  const exif = await readExif(meta?.exif);
  return { width: shown?.width ?? null, height: shown?.height ?? null, thumbnail, ...exif };
}

// ── Reading ──────────────────────────────────────────────────────────────────────────────────

/** SQL condition on a photos alias: the photo is visible to the actor (see the comment at the top). */
export function photoScope(actor: Actor, alias = 'ph') {
  const { regionPath, unitPath } = actor.scope;
  if (regionPath === null && unitPath === null) return sql<boolean>`true`;
  const id = sql.ref(`${alias}.id`);
  const own = actor.userId === null ? sql<boolean>`false` : sql<boolean>`exists (select 1 from photo_uploads pu where pu.user_id = ${actor.userId} and pu.photo_id = ${id})`;
  return sql<boolean>`(${own}
    or exists (select 1 from activity_photos sap join activities sa on sa.id = sap.activity_id where sap.photo_id = ${id} and ${activityScope(actor, 'sa')})
    or exists (select 1 from practical_matter_photos smp join practical_matters sm on sm.id = smp.matter_id where smp.photo_id = ${id} and ${matterScope(actor, 'sm')})
    or exists (select 1 from ticket_attachments sta join tickets st on st.id = sta.ticket_id where sta.photo_id = ${id} and ${ticketScope(actor, 'st')}))`;
}

const columns = ['ph.id', 'ph.sha256', 'ph.mime', 'ph.bytes', 'ph.width', 'ph.height', 'ph.taken_at', 'ph.latitude', 'ph.longitude', 'ph.has_thumbnail', 'ph.created_at'] as const;
const bareColumns = ['id', 'sha256', 'mime', 'bytes', 'width', 'height', 'taken_at', 'latitude', 'longitude', 'has_thumbnail', 'created_at'] as const;
type Row = {
  id: number; sha256: string; mime: PhotoMime; bytes: number; width: number | null; height: number | null; taken_at: Date | null;
  latitude: number | null; longitude: number | null; has_thumbnail: boolean; created_at: Date;
};

const toDto = (r: Row): PhotoDto => ({
  id: r.id,
  sha256: r.sha256,
  mime: r.mime,
  bytes: r.bytes,
  width: r.width,
  height: r.height,
  takenAt: r.taken_at?.toISOString() ?? null,
  latitude: r.latitude,
  longitude: r.longitude,
  hasThumbnail: r.has_thumbnail,
  url: photoUrl(r.id),
  thumbUrl: r.has_thumbnail ? photoThumbUrl(r.id) : null,
  createdAt: r.created_at.toISOString(),
});

export async function getPhoto(db: Executor, actor: Actor, id: number): Promise<PhotoDto> {
  const row = await db.selectFrom('photos as ph').select(columns).where('ph.id', '=', id).where(photoScope(actor)).executeTakeFirst();
  if (!row) throw notFound('照片', id);
  return toDto(row);
}

/**
 * Photo ids the actor may attach to a record: existing and visible to the actor. Returns the
 * missing or hidden ones (empty when all are usable), for the caller to name in its error.
 */
export async function unusablePhotos(db: Executor, actor: Actor, ids: number[]): Promise<number[]> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return [];
  const rows = await db.selectFrom('photos as ph').select('ph.id').where('ph.id', '=', sql<number>`any(${wanted}::int[])`).where(photoScope(actor)).execute();
  const found = new Set(rows.map((r) => r.id));
  return wanted.filter((id) => !found.has(id));
}

export type PhotoContent = { stream: Readable; mime: string; sha256: string; bytes: number | null };

/** The original bytes or the thumbnail, if the actor may see the photo. */
export async function openPhoto(db: Executor, store: PhotoStore, actor: Actor, id: number, variant: 'original' | 'thumb'): Promise<PhotoContent> {
  const row = await db.selectFrom('photos as ph').select(['ph.sha256', 'ph.mime', 'ph.bytes', 'ph.has_thumbnail']).where('ph.id', '=', id).where(photoScope(actor)).executeTakeFirst();
  if (!row) throw notFound('照片', id);
  if (variant === 'thumb' && !row.has_thumbnail) {
    throw new AppError('NOT_FOUND', `照片（${id}）没有缩略图：服务器无法解码这种格式（HEIC），请显示占位图或打开原图`, { id, hasThumbnail: false });
  }
  const stream = await store.get(variant === 'original' ? originalKey(row.sha256) : thumbKey(row.sha256));
  if (!stream) throw new AppError('INTERNAL', `照片（${id}）的文件缺失`, { id });
  return variant === 'original'
    ? { stream, mime: row.mime, sha256: row.sha256, bytes: row.bytes }
    : { stream, mime: 'image/jpeg', sha256: row.sha256, bytes: null };
}

// ── Upload ───────────────────────────────────────────────────────────────────────────────────

export const canUploadPhotos = (actor: Actor) => can(actor, 'activity.write') || can(actor, 'matter.write');

export function assertCanUploadPhotos(actor: Actor) {
  if (!canUploadPhotos(actor)) throw forbidden('您的角色无权上传照片（需要记录工作或实事的权限）');
}

/**
 * Stores an uploaded photo. `created` is false when the same bytes were stored before (by anyone):
 * the stored photo is returned and the actor recorded as one of its uploaders.
 * The files are written before the row: a failure after that leaves an unreferenced file that
 * nothing can reach (no row names it) and the next upload of the same bytes reuses.
 */
export async function uploadPhoto(db: Executor, store: PhotoStore, actor: Actor, bytes: Buffer): Promise<{ photo: PhotoDto; created: boolean }> {
  assertCanUploadPhotos(actor);
  if (bytes.length === 0) throw new AppError('VALIDATION_FAILED', '上传的文件是空的', { field: 'file' });
  const mime = detectImageType(bytes);
  if (!mime) throw new AppError('UNSUPPORTED_MEDIA_TYPE', '不是 JPEG/PNG/HEIC 图片', { field: 'file' });
  const sha256 = createHash('sha256').update(bytes).digest('hex');

  const existing = await db.selectFrom('photos as ph').select(columns).where('ph.sha256', '=', sha256).executeTakeFirst();
  if (existing) {
    // The row exists, so the file was stored; put it again anyway should the store have lost it.
    await store.put(originalKey(sha256), bytes);
    await inTransaction(db, async (tx) => {
      await recordUploader(tx, actor, existing.id);
      await recordAudit(tx, actor, { action: 'photo.upload', entity: 'photo', entityId: existing.id, detail: { sha256, bytes: bytes.length, duplicate: true }, where: actor.scope });
    });
    return { photo: toDto(existing), created: false };
  }

  const info = await inspect(bytes, mime);
  await store.put(originalKey(sha256), bytes);
  if (info.thumbnail) await store.put(thumbKey(sha256), info.thumbnail);
  return inTransaction(db, async (tx) => {
    const inserted = await tx
      .insertInto('photos')
      .values({
        sha256, mime, bytes: bytes.length, width: info.width, height: info.height, taken_at: info.takenAt,
        latitude: info.latitude, longitude: info.longitude, has_thumbnail: info.thumbnail !== null, uploaded_by: actor.userId,
      })
      // Two uploads of the same bytes at once: the second finds the first's row.
      .onConflict((oc) => oc.column('sha256').doNothing())
      .returning(bareColumns)
      .executeTakeFirst();
    const row = inserted ?? (await tx.selectFrom('photos as ph').select(columns).where('ph.sha256', '=', sha256).executeTakeFirstOrThrow());
    await recordUploader(tx, actor, row.id);
    await recordAudit(tx, actor, {
      action: 'photo.upload', entity: 'photo', entityId: row.id,
      detail: { sha256, mime, bytes: bytes.length, takenAt: row.taken_at?.toISOString() ?? null, hasGps: row.latitude !== null, hasThumbnail: row.has_thumbnail, duplicate: !inserted },
      where: actor.scope,
    });
    return { photo: toDto(row), created: inserted !== undefined };
  });
}

async function recordUploader(db: Executor, actor: Actor, photoId: number) {
  if (actor.userId === null) return;
  await db.insertInto('photo_uploads').values({ user_id: actor.userId, photo_id: photoId }).onConflict((oc) => oc.columns(['user_id', 'photo_id']).doNothing()).execute();
}
