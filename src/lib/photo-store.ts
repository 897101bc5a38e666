import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';

// Where photo bytes live. Keys are content hashes, so a stored object never changes and a second
// put of the same key is a no-op in effect. This is the whole interface the photo feature uses: an
// object store (S3, MinIO, OSS) can replace the filesystem by implementing these three methods.

/** `<sha256>` for an original, `thumbs/<sha256>` for its thumbnail. */
export type PhotoKey = string;

export interface PhotoStore {
  put(key: PhotoKey, bytes: Buffer): Promise<void>;
  /** The stored bytes as a stream, or null when there is no such object. */
  get(key: PhotoKey): Promise<Readable | null>;
  has(key: PhotoKey): Promise<boolean>;
}

const keyPattern = /^(?:thumbs\/)?[0-9a-f]{64}$/;

export const originalKey = (sha256: string): PhotoKey => sha256;
export const thumbKey = (sha256: string): PhotoKey => `thumbs/${sha256}`;

/**
 * Files under `root` (normally `<dataDir>/photos`): `<root>/<aa>/<sha256>` and
 * `<root>/thumbs/<aa>/<sha256>`, fanned out by the first two hex digits so no directory grows huge.
 * A write goes to a temporary file in the same directory and is renamed into place, so a reader
 * never sees half a file and a crash leaves at most a stray temporary file.
 */
export function fsPhotoStore(root: string): PhotoStore {
  const pathOf = (key: PhotoKey) => {
    // Keys come from hashes we computed, but a bad key must never become a path outside root.
    if (!keyPattern.test(key)) throw new Error(`invalid photo key: ${key}`);
    const slash = key.lastIndexOf('/');
    const name = key.slice(slash + 1);
    return join(root, key.slice(0, slash + 1), name.slice(0, 2), name);
  };
  const has = async (key: PhotoKey) => {
    try {
      return (await stat(pathOf(key))).isFile();
    } catch {
      return false;
    }
  };
  return {
    has,
    async put(key, bytes) {
      const path = pathOf(key);
      if (await has(key)) return;
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(tmp, bytes, { flag: 'wx' });
        await rename(tmp, path);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
    },
    async get(key) {
      if (!(await has(key))) return null;
      return createReadStream(pathOf(key));
    },
  };
}
