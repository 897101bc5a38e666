import { z } from 'zod';

// Photos of field work: stored once per content (sha256), EXIF time and position read where the
// camera wrote them, a JPEG thumbnail for lists where the server can decode the picture.

export const photoMimes = ['image/jpeg', 'image/png', 'image/heic'] as const;
export const photoMime = z.enum(photoMimes);
export type PhotoMime = z.infer<typeof photoMime>;

/** Longest side of a thumbnail, in pixels. */
export const thumbnailSize = 320;

/**
 * POST /api/v1/photos — multipart/form-data with one file field `file`. The type is read from the
 * file's first bytes (JPEG, PNG, HEIC), never from its name. 201 when new; 200 with the stored photo
 * when the same bytes were uploaded before (an offline client may resend safely).
 */
export const photo = z.object({
  id: z.number().int(),
  sha256: z.string().describe('hex sha256 of the bytes: the storage key'),
  mime: photoMime,
  bytes: z.number().int(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  takenAt: z.string().nullable().describe('EXIF DateTimeOriginal, ISO-8601; null when the camera wrote none'),
  latitude: z.number().nullable().describe('EXIF GPS, WGS-84'),
  longitude: z.number().nullable(),
  hasThumbnail: z.boolean().describe('false when the server cannot decode the format (HEIC without HEVC support): show a placeholder'),
  url: z.string().describe('/api/v1/photos/:id'),
  thumbUrl: z.string().nullable().describe('/api/v1/photos/:id/thumb, null when hasThumbnail is false'),
  createdAt: z.string(),
});
export type PhotoDto = z.infer<typeof photo>;

/** A photo as it hangs off a record (activity or practical matter). */
export const photoRef = z.object({
  id: z.number().int(),
  url: z.string(),
  thumbUrl: z.string().nullable(),
  hasThumbnail: z.boolean(),
  takenAt: z.string().nullable(),
});
export type PhotoRef = z.infer<typeof photoRef>;

export const photoUrl = (id: number) => `/api/v1/photos/${id}`;
export const photoThumbUrl = (id: number) => `/api/v1/photos/${id}/thumb`;
