// What the field pages read: the due list and the paired targets (from the server when online,
// saved to IndexedDB for offline use; from IndexedDB otherwise) and the account's queue.
import { createContext, createElement, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import type { CadrePairingDto } from '../../../contracts/campaigns.ts';
import type { DueList } from '../../../contracts/due.ts';
import { api, type Page } from '../api.ts';
import { countOthers, listRecords, loadDue, loadTargets, onChange, saveDue, saveTargets, type CachedTarget, type FieldUser, type QueuedRecord } from './db.ts';
import { useFieldSession } from './session.tsx';

type Loaded<T> = { value: T; savedAt: string | null; fromCache: boolean } | null;

const quiet = { quiet: true, noRedirect: true } as const;

/** The due list and paired targets for the signed-in cadre. */
function useLoadFieldData() {
  const { user, state } = useFieldSession();
  const [due, setDue] = useState<Loaded<DueList>>(null);
  const [targets, setTargets] = useState<Loaded<CachedTarget[]>>(null);
  const [loading, setLoading] = useState(true);

  const load = useCallback(
    async (u: FieldUser, live: boolean) => {
      setLoading(true);
      const fromCache = async () => {
        const [d, t] = await Promise.all([loadDue(u.id), loadTargets(u.id)]);
        setDue(d ? { value: d.value, savedAt: d.savedAt, fromCache: true } : null);
        setTargets(t ? { value: t.value, savedAt: t.savedAt, fromCache: true } : null);
      };
      try {
        if (!live || !u.cadreId) return await fromCache();
        const [d, p] = await Promise.all([
          api.get<DueList>('/api/v1/due', undefined, quiet),
          api.get<Page<CadrePairingDto>>(`/api/v1/cadres/${u.cadreId}/pairings`, { status: 'open', pageSize: 500 }, quiet),
        ]);
        const seen = new Set<number>();
        const list: CachedTarget[] = [];
        // Targets due soonest first, then the other pairings.
        for (const i of d.items) {
          if (seen.has(i.targetId)) continue;
          seen.add(i.targetId);
          list.push({ id: i.targetId, name: i.targetName, kind: i.targetKind, regionName: i.targetRegionName, campaignId: i.campaignId, campaignName: i.campaignName });
        }
        for (const x of p.items.filter((x) => x.current)) {
          if (seen.has(x.targetId)) continue;
          seen.add(x.targetId);
          list.push({ id: x.targetId, name: x.targetName, kind: x.targetKind, regionName: x.targetRegionName, campaignId: x.campaignId, campaignName: x.campaignName });
        }
        await Promise.all([saveDue(u.id, d), saveTargets(u.id, list)]);
        setDue({ value: d, savedAt: null, fromCache: false });
        setTargets({ value: list, savedAt: null, fromCache: false });
      } catch {
        await fromCache();
      } finally {
        setLoading(false);
      }
    },
    [],
  );

  useEffect(() => {
    if (!user || state === 'checking') return;
    void load(user, state === 'live');
  }, [user, state, load]);

  const refresh = useCallback(() => (user ? load(user, state === 'live') : Promise.resolve()), [user, state, load]);
  return { due, targets, loading, refresh };
}

type FieldData = ReturnType<typeof useLoadFieldData>;
const DataCtx = createContext<FieldData | null>(null);

/** Loads once for the whole field view (again when the session changes). */
export function FieldDataProvider({ children }: { children: ReactNode }) {
  return createElement(DataCtx.Provider, { value: useLoadFieldData() }, children);
}

export function useFieldData(): FieldData {
  const c = useContext(DataCtx);
  if (!c) throw new Error('useFieldData outside FieldDataProvider');
  return c;
}

/** The account's queued records (all states), newest first, following every change. */
export function useQueue(userId: number | undefined) {
  const [records, setRecords] = useState<QueuedRecord[] | null>(null);
  const [others, setOthers] = useState(0);
  useEffect(() => {
    if (userId === undefined) return;
    let alive = true;
    const reload = () => {
      void Promise.all([listRecords(userId), countOthers(userId)]).then(([r, o]) => {
        if (!alive) return;
        setRecords(r);
        setOthers(o);
      });
    };
    reload();
    const off = onChange(reload);
    return () => {
      alive = false;
      off();
    };
  }, [userId]);
  return { records, others };
}
