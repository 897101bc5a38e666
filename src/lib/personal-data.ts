import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// Personal data (PIPL): AES-256-GCM at rest, a keyed hash for exact-match lookups and duplicate
// checks, and the masked form that views and exports show. Format: v1.<iv>.<tag>.<ciphertext>, base64.
export type PersonalDataKey = { encrypt: Buffer; hash: Buffer };

export function keyFromSecret(secret: Buffer): PersonalDataKey {
  if (secret.length !== 32) throw new Error('personal-data key must be 32 bytes');
  return {
    encrypt: createHmac('sha256', secret).update('lianxin/encrypt').digest(),
    hash: createHmac('sha256', secret).update('lianxin/hash').digest(),
  };
}

/** The key from LIANXIN_ENCRYPTION_KEY, or from a key file kept in the data directory (created once). */
export function loadPersonalDataKey(opts: { encryptionKey?: string | undefined; dataDir: string }): PersonalDataKey {
  if (opts.encryptionKey) return keyFromSecret(Buffer.from(opts.encryptionKey, 'base64'));
  const file = join(opts.dataDir, 'encryption.key');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  return keyFromSecret(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'));
}

export function encrypt(key: PersonalDataKey, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.encrypt, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
}

export function decrypt(key: PersonalDataKey, sealed: string): string {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('unknown personal-data format');
  const decipher = createDecipheriv('aes-256-gcm', key.encrypt, Buffer.from(iv, 'base64'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
}

export function blindIndex(key: PersonalDataKey, plain: string): string {
  return createHmac('sha256', key.hash).update(plain).digest('base64url');
}

/** 13812345678 → 138****5678 */
export function maskPhone(phone: string): string {
  if (phone.length < 8) return '*'.repeat(phone.length);
  return `${phone.slice(0, 3)}${'*'.repeat(phone.length - 7)}${phone.slice(-4)}`;
}

/** 张三 → 张*, 欧阳修 → 欧**: a requester's name shown to those who may not reveal it. */
export const maskName = (name: string) => (name.length <= 1 ? '*' : `${name[0]}${'*'.repeat(Math.min(name.length - 1, 3))}`);

/** 330225198001011234 → 330225********1234 */
export function maskIdNumber(id: string): string {
  if (id.length < 11) return '*'.repeat(id.length);
  return `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}`;
}

export type SealedPhone = { phone_enc: string; phone_masked: string; phone_hash: string };
export const sealPhone = (key: PersonalDataKey, phone: string): SealedPhone => ({
  phone_enc: encrypt(key, phone),
  phone_masked: maskPhone(phone),
  phone_hash: blindIndex(key, phone),
});
