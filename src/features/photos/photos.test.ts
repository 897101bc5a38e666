import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PhotoDto } from '../../../contracts/photos.ts';
import {
  actorFor, as, createTestApp, createTestDatabase, DANDONG, login, makeCadre, makeUnit, makeUser, seedXiangshan, SHIPU, testDriver, type Session,
} from '../../../test/helpers.ts';
import type { Database, DatabaseHandle } from '../../db/database.ts';
import type { TargetKind } from '../../db/schema.ts';
import type { App } from '../../http/types.ts';
import { chinaToday } from '../campaigns/campaigns.ts';
import { createMatter } from '../matters/matters.ts';
import { detectImageType, exifTime } from './photos.ts';

const SHIPU_VILLAGE = '330225101001';

/** A 640 × 480 JPEG whose EXIF says it was taken 2026-03-14 09:30 (China) at 29°28'30"N 121°52'12"E. */
async function jpegWithExif(colour = { r: 200, g: 60, b: 40 }) {
  return sharp({ create: { width: 640, height: 480, channels: 3, background: colour } })
    .withExif({
      IFD0: { Make: 'Lianxin test' },
      IFD2: { DateTimeOriginal: '2026:03:14 09:30:00' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '29/1 28/1 30/1', GPSLongitudeRef: 'E', GPSLongitude: '121/1 52/1 12/1' },
    })
    .jpeg({ quality: 85 })
    .toBuffer();
}
const png = () => sharp({ create: { width: 300, height: 200, channels: 4, background: { r: 10, g: 200, b: 90, alpha: 1 } } }).png().toBuffer();
/** A real HEIC (HEVC-coded, brand heic) made with libheif's heif-enc from a JPEG with the EXIF above. */
const heic = readFileSync(new URL('../../../test/fixtures/photo-gps.heic', import.meta.url));
/** Only an ftyp box with brand heic and nothing decodable after it. */
const bareHeic = () => Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(16, 0)]);

function multipart(content: Buffer, { field = 'file', filename = 'photo.jpg', contentType = 'image/jpeg' } = {}) {
  const boundary = '----lianxinPhotoBoundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function makeTarget(db: Database, kind: TargetKind, regionCode: string, name: string) {
  const region = await db.selectFrom('regions').select('path').where('code', '=', regionCode).executeTakeFirstOrThrow();
  return db.insertInto('contact_targets').values({ kind, name, name_initials: '', region_code: regionCode, region_path: region.path, updated_at: new Date() })
    .returning(['id', 'name']).executeTakeFirstOrThrow();
}

/** Every file under a directory, relative paths. */
function filesUnder(dir: string, prefix = ''): string[] {
  let out: string[] = [];
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      out = e.isDirectory() ? out.concat(filesUnder(join(dir, e.name), `${prefix}${e.name}/`)) : out.concat(`${prefix}${e.name}`);
    }
  } catch {
    return [];
  }
  return out;
}

let h: DatabaseHandle;
let app: App;
let dataDir: string;
const s = {} as Record<'cadre' | 'cadre2' | 'townAdmin' | 'supervisor' | 'shipuCadre' | 'shipuAdmin', Session>;
let users: Record<keyof typeof s, { id: number; username: string; role: 'cadre' | 'admin' | 'supervisor'; regionCode: string | null; unitId: number | null; cadreId: number | null }>;
let shipuCadreId: number;
let shipuTargetId: number;
let dandongRegionPath: string;

beforeAll(async () => {
  h = await createTestDatabase();
  await seedXiangshan(h.db);
  dataDir = mkdtempSync(join(tmpdir(), 'lianxin-photos-'));
  app = await createTestApp(h.db, { LIANXIN_DATA_DIR: dataDir });
  const dandong = await makeUnit(h.db, DANDONG, { name: '丹东街道党工委' });
  const shipu = await makeUnit(h.db, SHIPU, { name: '石浦镇党委' });
  const zhang = await makeCadre(h.db, dandong.id, { name: '张明' });
  const li = await makeCadre(h.db, dandong.id, { name: '李华' });
  const zhou = await makeCadre(h.db, shipu.id, { name: '周海' });
  shipuCadreId = zhou.id;
  users = {
    cadre: await makeUser(h.db, 'cadre', { regionCode: DANDONG, cadreId: zhang.id }),
    cadre2: await makeUser(h.db, 'cadre', { regionCode: DANDONG, cadreId: li.id }),
    townAdmin: await makeUser(h.db, 'admin', { regionCode: DANDONG }),
    supervisor: await makeUser(h.db, 'supervisor', { regionCode: DANDONG }),
    shipuCadre: await makeUser(h.db, 'cadre', { regionCode: SHIPU, cadreId: zhou.id }),
    shipuAdmin: await makeUser(h.db, 'admin', { regionCode: SHIPU }),
  } as typeof users;
  for (const k of Object.keys(users) as (keyof typeof users)[]) s[k] = await login(app, users[k].username);
  shipuTargetId = (await makeTarget(h.db, 'household', SHIPU_VILLAGE, '石浦渔民家')).id;
  dandongRegionPath = (await h.db.selectFrom('regions').select('path').where('code', '=', DANDONG).executeTakeFirstOrThrow()).path;
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const upload = (who: Session, content: Buffer, opts?: Parameters<typeof multipart>[1]) => {
  const { payload, headers } = multipart(content, opts);
  return app.inject({ method: 'POST', url: '/api/v1/photos', headers: { ...as(who), ...headers }, payload });
};
const get = (who: Session, url: string, headers: Record<string, string> = {}) => app.inject({ url, headers: { cookie: who.cookie, ...headers } });
const photoRows = async () => (await h.db.selectFrom('photos').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
const expectStatus = (res: { statusCode: number; body: string }, status: number) => expect(res.statusCode, res.body).toBe(status);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe(`photo type detection (${testDriver})`, () => {
  it('reads JPEG, PNG and HEIC from the first bytes and nothing else', async () => {
    expect(detectImageType(await jpegWithExif())).toBe('image/jpeg');
    expect(detectImageType(await png())).toBe('image/png');
    expect(detectImageType(heic)).toBe('image/heic');
    expect(detectImageType(bareHeic())).toBe('image/heic');
    // AVIF is HEIF with AV1 inside, not HEIC: refused (the column allows only the three types).
    const avif = await sharp({ create: { width: 16, height: 16, channels: 3, background: 'red' } }).heif({ compression: 'av1' }).toBuffer();
    expect(avif.toString('latin1', 4, 12)).toBe('ftypavif');
    expect(detectImageType(avif)).toBeNull();
    expect(detectImageType(Buffer.from('hello, this is text'))).toBeNull();
    expect(detectImageType(Buffer.from([0xff, 0xd8]))).toBeNull();
  });

  it('reads EXIF time as China time unless the camera wrote its offset', () => {
    expect(exifTime('2026:03:14 09:30:00', undefined)?.toISOString()).toBe('2026-03-14T01:30:00.000Z');
    expect(exifTime('2026:03:14 09:30:00', '+02:00')?.toISOString()).toBe('2026-03-14T07:30:00.000Z');
    expect(exifTime('0000:00:00 00:00:00', undefined)).toBeNull();
    expect(exifTime('garbage', undefined)).toBeNull();
  });
});

describe(`POST /api/v1/photos (${testDriver})`, () => {
  let jpegPhoto: PhotoDto;
  let jpeg: Buffer;

  it('stores a JPEG with its EXIF time and GPS position, a 320 px thumbnail, under its sha256', async () => {
    jpeg = await jpegWithExif();
    const res = await upload(s.cadre, jpeg);
    expectStatus(res, 201);
    jpegPhoto = res.json();
    expect(jpegPhoto).toMatchObject({
      sha256: sha(jpeg), mime: 'image/jpeg', bytes: jpeg.length, width: 640, height: 480, takenAt: '2026-03-14T01:30:00.000Z', hasThumbnail: true,
      url: `/api/v1/photos/${jpegPhoto.id}`, thumbUrl: `/api/v1/photos/${jpegPhoto.id}/thumb`,
    });
    expect(jpegPhoto.latitude).toBeCloseTo(29 + 28 / 60 + 30 / 3600, 6);
    expect(jpegPhoto.longitude).toBeCloseTo(121 + 52 / 60 + 12 / 3600, 6);
    const hash = sha(jpeg);
    expect(readFileSync(join(dataDir, 'photos', hash.slice(0, 2), hash)).equals(jpeg)).toBe(true);
    expect(statSync(join(dataDir, 'photos', 'thumbs', hash.slice(0, 2), hash)).size).toBeGreaterThan(0);
    expect(filesUnder(join(dataDir, 'photos')).some((f) => f.endsWith('.tmp'))).toBe(false);
    const audit = await h.db.selectFrom('audit_log').select(['action', 'user_id']).where('entity', '=', 'photo').where('entity_id', '=', String(jpegPhoto.id)).execute();
    expect(audit).toEqual([{ action: 'photo.upload', user_id: users.cadre.id }]);
  });

  it('serves the original and the thumbnail with their type and immutable cache headers', async () => {
    const res = await get(s.cadre, jpegPhoto.url);
    expectStatus(res, 200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    expect(res.rawPayload.equals(jpeg)).toBe(true);
    const thumb = await get(s.cadre, jpegPhoto.thumbUrl!);
    expectStatus(thumb, 200);
    expect(thumb.headers['content-type']).toBe('image/jpeg');
    const meta = await sharp(thumb.rawPayload).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 320, 240]);
    const again = await get(s.cadre, jpegPhoto.url, { 'if-none-match': String(res.headers.etag) });
    expectStatus(again, 304);
    const info = await get(s.cadre, `/api/v1/photos/${jpegPhoto.id}/info`);
    expect(info.json()).toEqual(jpegPhoto);
  });

  it('answers the same bytes again with 200 and the stored photo: one row, one file', async () => {
    const before = await photoRows();
    const res = await upload(s.cadre, jpeg, { filename: 'retry.jpg' });
    expectStatus(res, 200);
    expect(res.json().id).toBe(jpegPhoto.id);
    expect(await photoRows()).toBe(before);
    expect(filesUnder(join(dataDir, 'photos')).filter((f) => f.endsWith(sha(jpeg)))).toHaveLength(2); // original + thumbnail
  });

  it('lets a second cadre who uploads the same picture see and use it', async () => {
    expectStatus(await get(s.cadre2, jpegPhoto.url), 404);
    const res = await upload(s.cadre2, jpeg);
    expectStatus(res, 200);
    expect(res.json().id).toBe(jpegPhoto.id);
    expectStatus(await get(s.cadre2, jpegPhoto.url), 200);
    const uploaders = await h.db.selectFrom('photo_uploads').select('user_id').where('photo_id', '=', jpegPhoto.id).orderBy('user_id').execute();
    expect(uploaders.map((u) => u.user_id)).toEqual([users.cadre.id, users.cadre2.id].sort((a, b) => a - b));
  });

  it('stores a PNG with a thumbnail and no EXIF', async () => {
    const res = await upload(s.cadre, await png(), { filename: 'x.png', contentType: 'image/png' });
    expectStatus(res, 201);
    expect(res.json()).toMatchObject({ mime: 'image/png', width: 300, height: 200, takenAt: null, latitude: null, longitude: null, hasThumbnail: true });
    const thumb = await get(s.cadre, res.json().thumbUrl);
    expect((await sharp(thumb.rawPayload).metadata()).width).toBe(300); // never enlarged
  });

  it('stores a real HEIC with its size and EXIF but no thumbnail (the bundled libheif has no HEVC decoder)', async () => {
    const res = await upload(s.cadre, heic, { filename: 'IMG_0001.HEIC', contentType: 'image/heic' });
    expectStatus(res, 201);
    const p: PhotoDto = res.json();
    expect(p).toMatchObject({ mime: 'image/heic', width: 64, height: 48, takenAt: '2026-03-14T01:30:00.000Z', hasThumbnail: false, thumbUrl: null });
    expect(p.latitude).toBeCloseTo(29.475, 6);
    const original = await get(s.cadre, p.url);
    expectStatus(original, 200);
    expect(original.headers['content-type']).toBe('image/heic');
    const thumb = await get(s.cadre, `/api/v1/photos/${p.id}/thumb`);
    expectStatus(thumb, 404);
    expect(thumb.json().error.message).toContain('缩略图');
  });

  it('accepts a HEIC whose header alone is readable: no size, no thumbnail', async () => {
    const res = await upload(s.cadre, bareHeic(), { filename: 'bare.heic' });
    expectStatus(res, 201);
    expect(res.json()).toMatchObject({ mime: 'image/heic', width: null, height: null, hasThumbnail: false });
  });

  it('refuses a text file named .jpg with 415, whatever the client says it is, and stores nothing', async () => {
    const before = await photoRows();
    const files = filesUnder(join(dataDir, 'photos')).length;
    const res = await upload(s.cadre, Buffer.from('这不是照片，只是一个改了扩展名的文本文件。'), { filename: 'photo.jpg', contentType: 'image/jpeg' });
    expectStatus(res, 415);
    expect(res.json().error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', message: '不是 JPEG/PNG/HEIC 图片' });
    expect(await photoRows()).toBe(before);
    expect(filesUnder(join(dataDir, 'photos')).length).toBe(files);
  });

  it('refuses a file that starts like a JPEG but cannot be read, and stores nothing', async () => {
    const before = await photoRows();
    const res = await upload(s.cadre, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 7)]));
    expectStatus(res, 415);
    expect(res.json().error.message).toContain('损坏');
    expect(await photoRows()).toBe(before);
  });

  it('refuses an empty file, a missing file field, a JSON body, an account without the right, and a visitor', async () => {
    expectStatus(await upload(s.cadre, Buffer.alloc(0)), 400);
    const wrong = await upload(s.cadre, await png(), { field: 'photo' });
    expectStatus(wrong, 400);
    expect(wrong.json().error.details.field).toBe('file');
    const json = await app.inject({ method: 'POST', url: '/api/v1/photos', headers: as(s.cadre), payload: { file: 'x' } });
    expectStatus(json, 415);
    expectStatus(await upload(s.supervisor, await png()), 403);
    const { payload, headers } = multipart(await png());
    expectStatus(await app.inject({ method: 'POST', url: '/api/v1/photos', headers, payload }), 401);
  });

  it('hides a photo from another township, also when it hangs off their matter', async () => {
    for (const url of [jpegPhoto.url, jpegPhoto.thumbUrl!, `/api/v1/photos/${jpegPhoto.id}/info`]) {
      expectStatus(await get(s.shipuCadre, url), 404);
      expectStatus(await get(s.shipuAdmin, url), 404);
    }
    expectStatus(await get(s.cadre, '/api/v1/photos/99999999'), 404);
    // A Shipu photo on a Shipu matter: the Shipu admin (not the uploader) sees it, Dandong does not.
    const shipuPhoto: PhotoDto = (await upload(s.shipuCadre, await jpegWithExif({ r: 1, g: 2, b: 3 }))).json();
    expectStatus(await get(s.shipuAdmin, shipuPhoto.url), 404);
    await createMatter(h.db, await actorFor(h.db, users.shipuCadre), {
      targetId: shipuTargetId, cadreId: shipuCadreId, title: '修缮渔港栈桥', amountFen: 100, promisedOn: chinaToday(), photos: [{ photoId: shipuPhoto.id, stage: 'before' }],
    });
    expectStatus(await get(s.shipuAdmin, shipuPhoto.url), 200);
    expectStatus(await get(s.townAdmin, shipuPhoto.url), 404);
    expectStatus(await get(s.cadre, shipuPhoto.url), 404);
  });

  it('shows a photo to whoever sees the activity it is attached to', async () => {
    expectStatus(await get(s.townAdmin, jpegPhoto.url), 404);
    // Activities are another feature's; the row is inserted directly.
    const { id } = await h.db.insertInto('activities').values({
      client_id: randomUUID(), client_hash: 'x', kind: 'household_visit', starts_at: new Date(), ends_at: new Date(), region_code: DANDONG, region_path: dandongRegionPath,
    }).returning('id').executeTakeFirstOrThrow();
    await h.db.insertInto('activity_photos').values({ activity_id: id, photo_id: jpegPhoto.id }).execute();
    expectStatus(await get(s.townAdmin, jpegPhoto.url), 200);
    expectStatus(await get(s.shipuAdmin, jpegPhoto.url), 404);
  });
});

describe(`photo size limit (${testDriver})`, () => {
  let small: App;
  beforeAll(async () => {
    small = await createTestApp(h.db, { LIANXIN_PHOTO_MAX_BYTES: '2048' });
  });
  afterAll(async () => small?.close());

  it('refuses a photo over LIANXIN_PHOTO_MAX_BYTES with 413 naming the limit in MB, and stores nothing', async () => {
    const session = await login(small, users.cadre.username);
    const big = await jpegWithExif({ r: 9, g: 99, b: 199 });
    expect(big.length).toBeGreaterThan(2048);
    const before = await photoRows();
    const { payload, headers } = multipart(big);
    const res = await small.inject({ method: 'POST', url: '/api/v1/photos', headers: { ...as(session), ...headers }, payload });
    expectStatus(res, 413);
    expect(res.json().error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: '照片不能超过 0.00195 MB' });
    expect(await photoRows()).toBe(before);
  });
});
