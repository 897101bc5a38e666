// The field view's own storage, in IndexedDB: the queue of records captured on the phone (with
// their photos as Blobs) and a small cache of what the cadre needs offline (the last due list and
// the paired targets). The service worker caches only the app shell; nothing from /api/ goes
// through it, so what is kept offline is exactly what this file writes.
//
// Rules: a record leaves the queue only after the server has confirmed it (synced), and synced
// records are pruned to a short history; every row carries the account that captured it, and only
// that account's session ever sends it.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ActivityDto, SyncActivityRecord } from '../../../contracts/activities.ts';
import type { DueList } from '../../../contracts/due.ts';
import type { TargetKind } from '../../../contracts/targets.ts';

export const DB_NAME = 'lianxin-field';
const DB_VERSION = 1;
/** Synced records kept per account, newest first, for the "recorded" list when offline. */
export const SYNCED_HISTORY = 30;

export type QueueState = 'waiting' | 'syncing' | 'synced' | 'conflict' | 'rejected';

export type QueuedPhoto = {
  /** Local key (uuid), for thumbnails and removal before sending. */
  key: string;
  name: string;
  type: string;
  size: number;
  blob: Blob;
  /** The server's id once uploaded (uploads are idempotent by content, so a resend is safe). */
  photoId?: number;
};

/** What the form produced: the record as it will be sent, without clientId and photoIds. */
export type RecordDraft = Omit<SyncActivityRecord, 'clientId' | 'photoIds'>;

export type QueuedRecord = {
  clientId: string;
  /** The account that captured it; only that account's session sends it. */
  userId: number;
  cadreId: number;
  draft: RecordDraft;
  photos: QueuedPhoto[];
  /** Names of the targets, for lists shown offline. */
  targetNames: string[];
  state: QueueState;
  createdAt: string;
  updatedAt: string;
  attempts: number;
  /** Why the last attempt did not finish (network, server error); the record stays waiting. */
  lastError?: string | null;
  /** rejected: the server's reasons, per field. */
  errors?: { field: string; message: string }[];
  /** conflict: the server's copy stored under the same clientId. */
  server?: ActivityDto;
  serverId?: number;
  syncedAt?: string;
};

export type CachedTarget = { id: number; name: string; kind: TargetKind; regionName: string; campaignId: number | null; campaignName: string | null };
export type FieldUser = { id: number; username: string; displayName: string; cadreId: number | null; unitName: string | null; regionName: string | null };

type Cached = { key: string; savedAt: string; value: unknown };

interface FieldDb extends DBSchema {
  records: { key: string; value: QueuedRecord; indexes: { byUser: number } };
  cache: { key: string; value: Cached };
}

let dbPromise: Promise<IDBPDatabase<FieldDb>> | null = null;
export function fieldDb(): Promise<IDBPDatabase<FieldDb>> {
  dbPromise ??= openDB<FieldDb>(DB_NAME, DB_VERSION, {
    upgrade(db) {
      const records = db.createObjectStore('records', { keyPath: 'clientId' });
      records.createIndex('byUser', 'userId');
      db.createObjectStore('cache', { keyPath: 'key' });
    },
  });
  return dbPromise;
}

// ── change notifications (this tab and others) ───────────────────────────────────────────────
const local = new EventTarget();
const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('lianxin-field');
channel?.addEventListener('message', () => local.dispatchEvent(new Event('change')));
export function notifyChange() {
  local.dispatchEvent(new Event('change'));
  channel?.postMessage('change');
}
export function onChange(fn: () => void): () => void {
  local.addEventListener('change', fn);
  return () => local.removeEventListener('change', fn);
}

// ── queue ────────────────────────────────────────────────────────────────────────────────────
const byNewest = (a: QueuedRecord, b: QueuedRecord) => b.createdAt.localeCompare(a.createdAt);

export async function listRecords(userId: number): Promise<QueuedRecord[]> {
  const db = await fieldDb();
  return (await db.getAllFromIndex('records', 'byUser', userId)).sort(byNewest);
}

/** Records of other accounts on this phone (shown as a count, never sent under this login). */
export async function countOthers(userId: number): Promise<number> {
  const db = await fieldDb();
  const all = await db.getAll('records');
  return all.filter((r) => r.userId !== userId && r.state !== 'synced').length;
}

export async function getRecord(clientId: string): Promise<QueuedRecord | undefined> {
  return (await fieldDb()).get('records', clientId);
}

export async function putRecord(r: QueuedRecord): Promise<void> {
  await (await fieldDb()).put('records', r);
  notifyChange();
}

/**
 * Remove a record from the queue. Only for records the server has (synced, pruned history) or that
 * the cadre chose to discard after seeing the server's copy (conflict).
 */
export async function deleteRecord(clientId: string): Promise<void> {
  await (await fieldDb()).delete('records', clientId);
  notifyChange();
}

/** Keep the newest SYNCED_HISTORY synced records of an account; the server has the others. */
export async function pruneSynced(userId: number): Promise<void> {
  const db = await fieldDb();
  const synced = (await db.getAllFromIndex('records', 'byUser', userId)).filter((r) => r.state === 'synced').sort((a, b) => (b.syncedAt ?? '').localeCompare(a.syncedAt ?? ''));
  const tx = db.transaction('records', 'readwrite');
  for (const r of synced.slice(SYNCED_HISTORY)) await tx.store.delete(r.clientId);
  await tx.done;
}

// ── offline cache ────────────────────────────────────────────────────────────────────────────
async function getCached<T>(key: string): Promise<{ value: T; savedAt: string } | null> {
  const row = await (await fieldDb()).get('cache', key);
  return row ? { value: row.value as T, savedAt: row.savedAt } : null;
}
async function setCached(key: string, value: unknown): Promise<void> {
  await (await fieldDb()).put('cache', { key, value, savedAt: new Date().toISOString() });
}

export const loadDue = (userId: number) => getCached<DueList>(`${userId}:due`);
export const saveDue = (userId: number, due: DueList) => setCached(`${userId}:due`, due);
export const loadTargets = (userId: number) => getCached<CachedTarget[]>(`${userId}:targets`);
export const saveTargets = (userId: number, targets: CachedTarget[]) => setCached(`${userId}:targets`, targets);
/** The last account that used the field view here: who is working while offline. */
export const loadLastUser = () => getCached<FieldUser>('lastUser');
export const saveLastUser = (u: FieldUser) => setCached('lastUser', u);
