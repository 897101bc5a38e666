// Sending the queue. One run at a time per tab: check the session (it must be the account that
// captured the records), upload each record's photos (idempotent by content), send the records in
// batches (POST /sync/activities, idempotent by clientId) and store each result on its record.
// A network failure or a server error leaves records waiting for the next run; nothing is removed
// before the server has confirmed it.
import type { Me } from '../../../contracts/auth.ts';
import { activitySyncMax, type SyncActivitiesResult, type SyncActivityRecord } from '../../../contracts/activities.ts';
import type { PhotoDto } from '../../../contracts/photos.ts';
import { api, ApiError, setCsrfToken } from '../api.ts';
import { listRecords, notifyChange, pruneSynced, putRecord, type QueuedRecord } from './db.ts';

export type SyncOutcome =
  | { kind: 'done'; sent: number; synced: number; conflicts: number; rejected: number }
  | { kind: 'offline' }
  | { kind: 'needLogin' }
  | { kind: 'otherUser'; me: Me }
  | { kind: 'failed'; message: string };

const quiet = { quiet: true, noRedirect: true } as const;

/** The record as sent: the draft with its clientId and the server ids of its photos. */
export function payloadOf(r: QueuedRecord): SyncActivityRecord {
  return { ...r.draft, clientId: r.clientId, photoIds: r.photos.map((p) => p.photoId!).filter((id) => id !== undefined) };
}

let running: Promise<SyncOutcome> | null = null;

/** Sync the account's queue; a call during a run joins that run, and other tabs wait their turn. */
export function syncQueue(userId: number): Promise<SyncOutcome> {
  const withLock = async (): Promise<SyncOutcome> => {
    if (!navigator.locks) return run(userId);
    let out: SyncOutcome = { kind: 'failed', message: 'sync lock not granted' };
    await navigator.locks.request('lianxin-field-sync', async () => {
      out = await run(userId);
    });
    return out;
  };
  const p = running ?? withLock();
  if (!running) {
    running = p;
    void p.finally(() => {
      running = null;
    });
  }
  return p;
}

const isNetwork = (e: unknown) => e instanceof ApiError && e.code === 'NETWORK';
const isAuth = (e: unknown) => e instanceof ApiError && e.status === 401;

async function run(userId: number): Promise<SyncOutcome> {
  if (!navigator.onLine) return { kind: 'offline' };
  const pending = (await listRecords(userId)).filter((r) => r.state === 'waiting' || r.state === 'syncing');

  // The session decides whose records may go: never one account's records under another's login.
  let me: Me;
  try {
    me = await api.get<Me>('/api/v1/auth/me', undefined, quiet);
  } catch (e) {
    if (isNetwork(e)) return { kind: 'offline' };
    if (isAuth(e)) return { kind: 'needLogin' };
    return { kind: 'failed', message: (e as Error).message };
  }
  setCsrfToken(me.csrfToken);
  if (me.id !== userId) return { kind: 'otherUser', me };
  if (pending.length === 0) return { kind: 'done', sent: 0, synced: 0, conflicts: 0, rejected: 0 };

  const now = () => new Date().toISOString();
  for (const r of pending) await putRecord({ ...r, state: 'syncing', attempts: r.attempts + 1, updatedAt: now() });

  const ready: QueuedRecord[] = [];
  let rejected = 0;
  let stop: SyncOutcome | null = null;
  for (const r0 of pending) {
    const r: QueuedRecord = { ...r0, state: 'syncing', attempts: r0.attempts + 1 };
    if (stop) {
      await putRecord({ ...r, state: 'waiting' });
      continue;
    }
    try {
      for (const p of r.photos) {
        if (p.photoId !== undefined) continue;
        const form = new FormData();
        form.append('file', p.blob, p.name);
        try {
          const dto = await api.upload<PhotoDto>('/api/v1/photos', form, quiet);
          p.photoId = dto.id;
          await putRecord(r); // keep the id: a later run does not upload it again
        } catch (e) {
          // The server refused this picture (not an image, too large): the cadre must change it.
          if (e instanceof ApiError && e.status >= 400 && e.status < 500 && !isAuth(e)) {
            throw Object.assign(new Error(e.message), { photo: p.name });
          }
          throw e;
        }
      }
      ready.push(r);
    } catch (e) {
      if (isNetwork(e)) stop = { kind: 'offline' };
      else if (isAuth(e)) stop = { kind: 'needLogin' };
      const photo = (e as { photo?: string }).photo;
      if (photo) {
        rejected++;
        await putRecord({ ...r, state: 'rejected', errors: [{ field: 'photos', message: `照片 ${photo}：${(e as Error).message}` }], lastError: null, updatedAt: now() });
      } else {
        await putRecord({ ...r, state: 'waiting', lastError: (e as Error).message, updatedAt: now() });
        if (!stop) stop = { kind: 'failed', message: (e as Error).message };
      }
    }
  }

  let synced = 0;
  let conflicts = 0;
  for (let i = 0; i < ready.length; i += activitySyncMax) {
    const batch = ready.slice(i, i + activitySyncMax);
    if (stop && stop.kind !== 'failed') {
      for (const r of batch) await putRecord({ ...r, state: 'waiting' });
      continue;
    }
    let res: SyncActivitiesResult;
    try {
      res = await api.post<SyncActivitiesResult>('/api/v1/sync/activities', { records: batch.map(payloadOf) }, quiet);
    } catch (e) {
      if (isNetwork(e)) stop = { kind: 'offline' };
      else if (isAuth(e)) stop = { kind: 'needLogin' };
      else stop = { kind: 'failed', message: (e as Error).message };
      for (const r of batch) await putRecord({ ...r, state: 'waiting', lastError: (e as Error).message, updatedAt: now() });
      continue;
    }
    for (const [index, r] of batch.entries()) {
      const result = res.results.find((x) => x.clientId === r.clientId) ?? res.results.find((x) => x.index === index);
      const at = now();
      if (!result) {
        await putRecord({ ...r, state: 'waiting', lastError: '服务器未返回该记录的结果', updatedAt: at });
      } else if (result.status === 'stored' || result.status === 'duplicate') {
        synced++;
        await putRecord({ ...r, state: 'synced', serverId: result.id, syncedAt: at, updatedAt: at, lastError: null, errors: [], server: undefined });
      } else if (result.status === 'conflict') {
        conflicts++;
        await putRecord({ ...r, state: 'conflict', server: result.server, serverId: result.id, updatedAt: at, lastError: null });
      } else {
        rejected++;
        await putRecord({ ...r, state: 'rejected', errors: result.errors ?? [], updatedAt: at, lastError: null });
      }
    }
  }
  await pruneSynced(userId);
  notifyChange();
  return stop ?? { kind: 'done', sent: ready.length, synced, conflicts, rejected };
}
