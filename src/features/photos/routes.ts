import { join } from 'node:path';
import { z } from 'zod';
import { errorBody, idParam } from '../../../contracts/common.ts';
import { photo } from '../../../contracts/photos.ts';
import { AppError } from '../../errors.ts';
import type { App, AppDeps } from '../../http/types.ts';
import { fsPhotoStore, type PhotoStore } from '../../lib/photo-store.ts';
import { assertCanUploadPhotos, getPhoto, openPhoto, uploadPhoto } from './photos.ts';

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 413: errorBody, 415: errorBody };

/** The limit as people read it: 15 MB, 0.5 MB. */
const megabytes = (bytes: number) => `${Number((bytes / 1024 / 1024).toPrecision(3))} MB`;

/** The store defaults to files under the data directory; an object store can be passed instead. */
export function registerPhotoRoutes(app: App, { db, config }: AppDeps, store: PhotoStore = fsPhotoStore(join(config.dataDir, 'photos'))) {
  app.post('/api/v1/photos', {
    schema: {
      tags: ['photos'], consumes: ['multipart/form-data'],
      summary: '上传照片 Upload a photo (multipart field "file"; JPEG, PNG or HEIC by content). 201 new; 200 when the same bytes were uploaded before',
      response: { 200: photo, 201: photo, ...errors },
    },
  }, async (request, reply) => {
    assertCanUploadPhotos(request.actor); // before reading megabytes we would refuse anyway
    if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', '请以 multipart/form-data 上传，文件字段名为 file');
    const tooLarge = () => new AppError('PAYLOAD_TOO_LARGE', `照片不能超过 ${megabytes(config.photoMaxBytes)}`, { maxBytes: config.photoMaxBytes });
    let bytes: Buffer;
    try {
      const file = await request.file({ limits: { fileSize: config.photoMaxBytes, files: 1 } });
      if (!file || file.fieldname !== 'file') throw new AppError('VALIDATION_FAILED', '缺少上传文件（字段名 file）', { field: 'file' });
      bytes = await file.toBuffer();
    } catch (err) {
      if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
      throw err;
    }
    const { photo: dto, created } = await uploadPhoto(db, store, request.actor, bytes);
    return reply.status(created ? 201 : 200).send(dto);
  });

  app.get('/api/v1/photos/:id/info', {
    schema: { tags: ['photos'], summary: '照片信息 A photo’s type, size, EXIF time and position', params: idParam, response: { 200: photo, ...errors } },
  }, async (request) => getPhoto(db, request.actor, request.params.id));

  // Content-addressed, so the bytes behind an id never change: cache for a year. `private`, since
  // who may see a photo depends on the session.
  for (const variant of ['original', 'thumb'] as const) {
    app.get(variant === 'original' ? '/api/v1/photos/:id' : '/api/v1/photos/:id/thumb', {
      schema: {
        tags: ['photos'], params: idParam, response: { 200: z.any(), ...errors },
        summary: variant === 'original' ? '照片原图 The photo’s bytes' : '缩略图 The 320 px JPEG thumbnail (404 when the format could not be decoded: show a placeholder)',
      },
    }, async (request, reply) => {
      const content = await openPhoto(db, store, request.actor, request.params.id, variant);
      const etag = `"${content.sha256}${variant === 'thumb' ? '-t' : ''}"`;
      reply.header('cache-control', 'private, max-age=31536000, immutable').header('etag', etag).header('x-content-type-options', 'nosniff');
      if (request.headers['if-none-match'] === etag) {
        content.stream.destroy();
        return reply.status(304).send();
      }
      if (content.bytes !== null) reply.header('content-length', content.bytes);
      return reply.type(content.mime).send(content.stream);
    });
  }
}
