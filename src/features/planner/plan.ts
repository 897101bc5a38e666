import type { CadreRank } from '../../../contracts/cadres.ts';
import type { UnitLevel } from '../../../contracts/units.ts';

// The pairing planner's core: a pure function from targets, cadres, today's links and the coverage
// rules to a proposal. No database here, so it is tested and benchmarked directly.
//
// Method: greedy in order of scarcity with load balancing, then a fill pass for cadres below
// their minimum. 1) Today's links are kept (unless they leave a cadre's zone, when re-planning).
// 2) Targets short of cadres are served scarcest-first (fewest eligible cadres); for each, the
// cheapest eligible cadre is taken: least loaded relative to the cadre's maximum, then nearest.
// 3) Cadres below a minimum take the nearest targets still below their own maximum. Whatever is
// still unmet is explained, grouped by township.

export type PlanTarget = {
  id: number; name: string; kind: string; tags: readonly string[]; regionPath: string;
  latitude?: number | null; longitude?: number | null;
};
export type PlanCadre = {
  id: number; name: string; rank: CadreRank; unitLevel: UnitLevel;
  /** Where the cadre may be paired: region paths (the unit's responsible townships, or its own region). */
  zonePaths: readonly string[];
  /** Where the cadre starts from (the unit's or home township's region path). */
  homePath: string;
  latitude?: number | null; longitude?: number | null;
};
export type PlanLink = { targetId: number; cadreId: number; pairingId?: number | undefined; viaTeam?: boolean | undefined };

type Range = { min?: number | undefined; max?: number | undefined };
export type PlanRule =
  | { id: number; description: string; kind: 'target_cadres'; params: Range & { targetKinds: readonly string[]; targetTags?: readonly string[] | undefined; cadreRanks?: readonly CadreRank[] | undefined } }
  | { id: number; description: string; kind: 'cadre_targets'; params: Range & { targetKinds: readonly string[]; targetTags?: readonly string[] | undefined; cadreRanks?: readonly CadreRank[] | undefined; unitLevels?: readonly UnitLevel[] | undefined } };

export type Unmet = {
  ruleId: number; description: string; subject: 'target' | 'cadre';
  /** The township (or the closest region) the shortfall is in. */
  regionPath: string;
  ids: number[]; shortfall: number; reason: string;
};

export type PlanResult = {
  keep: PlanLink[]; add: PlanLink[]; end: PlanLink[]; unmet: Unmet[];
  stats: { links: number; cadresUsed: number; minLoad: number; maxLoad: number; meanLoad: number; totalDistanceKm: number; unmetCount: number };
};

export type PlanInput = {
  targets: readonly PlanTarget[];
  cadres: readonly PlanCadre[];
  existing: readonly PlanLink[];
  rules: readonly PlanRule[];
  /** Only these targets get new cadres (incremental planning); others keep what they have. */
  onlyTargetIds?: ReadonlySet<number> | undefined;
  /** End today's direct links that lie outside the cadre's zone. */
  replanOutOfZone?: boolean | undefined;
  /** Greedy baseline for comparison: first eligible cadre in id order, no balancing, no distance. */
  baseline?: boolean | undefined;
};

const isUnder = (path: string, base: string) => path === base || path.startsWith(`${base}/`);

/** Nominal distance in km by where two places part in the region tree, or by coordinates when both have them. */
export function distanceKm(
  a: { path: string; latitude?: number | null | undefined; longitude?: number | null | undefined },
  b: { path: string; latitude?: number | null | undefined; longitude?: number | null | undefined },
): number {
  if (a.latitude != null && a.longitude != null && b.latitude != null && b.longitude != null) {
    const rad = Math.PI / 180;
    const dLat = (b.latitude - a.latitude) * rad;
    const dLng = (b.longitude - a.longitude) * rad;
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLng / 2) ** 2;
    return 2 * 6371 * Math.asin(Math.sqrt(h));
  }
  const x = a.path.split('/');
  const y = b.path.split('/');
  let common = 0;
  while (common < x.length && common < y.length && x[common] === y[common]) common++;
  // common segments: 0 none, 1 province, 2 city, 3 county, 4 township, 5 village
  return [300, 150, 60, 20, 5, 0][Math.min(common, 5)]!;
}

/** The township (4th segment) a path lies in, or the deepest region it has above that. */
const townshipOf = (path: string) => path.split('/').slice(0, 4).join('/');

export function planPairings(input: PlanInput): PlanResult {
  const targetRules = input.rules.filter((r): r is Extract<PlanRule, { kind: 'target_cadres' }> => r.kind === 'target_cadres');
  const cadreRules = input.rules.filter((r): r is Extract<PlanRule, { kind: 'cadre_targets' }> => r.kind === 'cadre_targets');
  const targetById = new Map(input.targets.map((t) => [t.id, t]));
  const cadreById = new Map(input.cadres.map((c) => [c.id, c]));

  const targetMatches = (rule: { params: { targetKinds: readonly string[]; targetTags?: readonly string[] | undefined } }, t: PlanTarget) =>
    rule.params.targetKinds.includes(t.kind) && (!rule.params.targetTags?.length || rule.params.targetTags.some((g) => t.tags.includes(g)));
  const cadreMatchesTargetRule = (rule: Extract<PlanRule, { kind: 'target_cadres' }>, c: PlanCadre) => !rule.params.cadreRanks || rule.params.cadreRanks.includes(c.rank);
  const cadreInRule = (rule: Extract<PlanRule, { kind: 'cadre_targets' }>, c: PlanCadre) =>
    (!rule.params.cadreRanks || rule.params.cadreRanks.includes(c.rank)) && (!rule.params.unitLevels || rule.params.unitLevels.includes(c.unitLevel));
  const inZone = (c: PlanCadre, t: PlanTarget) => c.zonePaths.some((z) => isUnder(t.regionPath, z));

  // ---- state: links per target and per cadre ----
  const linked = new Map<number, Set<number>>(); // target → cadres
  const held = new Map<number, Set<number>>(); // cadre → targets
  const link = (targetId: number, cadreId: number) => {
    (linked.get(targetId) ?? linked.set(targetId, new Set()).get(targetId)!).add(cadreId);
    (held.get(cadreId) ?? held.set(cadreId, new Set()).get(cadreId)!).add(targetId);
  };
  const keep: PlanLink[] = [];
  const end: PlanLink[] = [];
  for (const l of input.existing) {
    const c = cadreById.get(l.cadreId);
    const t = targetById.get(l.targetId);
    if (input.replanOutOfZone && !l.viaTeam && c && t && !inZone(c, t)) {
      end.push(l);
      continue;
    }
    keep.push(l);
    link(l.targetId, l.cadreId);
  }

  // How many targets a cadre holds under a cadre rule, and whether one more would break a maximum.
  const heldCount = (cadreId: number, rule: Extract<PlanRule, { kind: 'cadre_targets' }>) => {
    let n = 0;
    for (const tid of held.get(cadreId) ?? []) {
      const t = targetById.get(tid);
      if (t && targetMatches(rule, t)) n++;
    }
    return n;
  };
  const cadreRulesFor = new Map<number, Extract<PlanRule, { kind: 'cadre_targets' }>[]>();
  for (const c of input.cadres) cadreRulesFor.set(c.id, cadreRules.filter((r) => cadreInRule(r, c)));
  // Load per (rule, cadre), counted once from today's links and kept up to date on each new link.
  const loads = new Map<number, Map<number, number>>(cadreRules.map((r) => [r.id, new Map()]));
  const loadOf = (cadreId: number, rule: Extract<PlanRule, { kind: 'cadre_targets' }>) => {
    const perRule = loads.get(rule.id)!;
    let v = perRule.get(cadreId);
    if (v === undefined) perRule.set(cadreId, (v = heldCount(cadreId, rule)));
    return v;
  };
  const canTake = (c: PlanCadre, t: PlanTarget) => {
    for (const r of cadreRulesFor.get(c.id)!) {
      if (targetMatches(r, t) && r.params.max !== undefined && loadOf(c.id, r) >= r.params.max) return false;
    }
    return true;
  };
  /** Load relative to capacity for this target's kind: 0 = idle, 1 = full. */
  const pressure = (c: PlanCadre, t: PlanTarget) => {
    let p = 0;
    for (const r of cadreRulesFor.get(c.id)!) {
      if (!targetMatches(r, t)) continue;
      const cap = r.params.max ?? Math.max((r.params.min ?? 0) * 2, 10);
      p = Math.max(p, loadOf(c.id, r) / cap);
    }
    return p + (held.get(c.id)?.size ?? 0) * 0.001;
  };
  const addLink = (t: PlanTarget, c: PlanCadre, add: PlanLink[]) => {
    link(t.id, c.id);
    add.push({ targetId: t.id, cadreId: c.id });
    for (const r of cadreRulesFor.get(c.id)!) if (targetMatches(r, t)) loads.get(r.id)!.set(c.id, loadOf(c.id, r) + 1);
  };
  const countMatching = (t: PlanTarget, rule: Extract<PlanRule, { kind: 'target_cadres' }>) => {
    let n = 0;
    for (const cid of linked.get(t.id) ?? []) {
      const c = cadreById.get(cid);
      if (c && cadreMatchesTargetRule(rule, c)) n++;
    }
    return n;
  };

  // Candidate cadres by zone path, so a target looks only at cadres whose zone contains it.
  const byZone = new Map<string, PlanCadre[]>();
  for (const c of input.cadres) for (const z of c.zonePaths) (byZone.get(z) ?? byZone.set(z, []).get(z)!).push(c);
  const candidatesOf = (t: PlanTarget) => {
    const out: PlanCadre[] = [];
    const parts = t.regionPath.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const zone = byZone.get(parts.slice(0, i).join('/'));
      if (zone) out.push(...zone);
    }
    return out;
  };
  // Households of one village share their candidates and distances: cache both by region path.
  const poolCache = new Map<string, PlanCadre[]>();
  const poolFor = (t: PlanTarget, rule: Extract<PlanRule, { kind: 'target_cadres' }>) => {
    const key = `${rule.id}|${t.regionPath}`;
    let pool = poolCache.get(key);
    if (!pool) poolCache.set(key, (pool = candidatesOf(t).filter((c) => cadreMatchesTargetRule(rule, c))));
    return pool;
  };
  // Two-level cache: this runs millions of times at city tier, so no key strings are built.
  const distanceCache = new Map<string, Map<string, number>>();
  const travel = (c: PlanCadre, t: PlanTarget) => {
    if (c.latitude != null && t.latitude != null) return distanceKm({ path: c.homePath, latitude: c.latitude, longitude: c.longitude }, { path: t.regionPath, latitude: t.latitude, longitude: t.longitude });
    let fromHome = distanceCache.get(c.homePath);
    if (!fromHome) distanceCache.set(c.homePath, (fromHome = new Map()));
    let d = fromHome.get(t.regionPath);
    if (d === undefined) fromHome.set(t.regionPath, (d = distanceKm({ path: c.homePath }, { path: t.regionPath })));
    return d;
  };

  const add: PlanLink[] = [];
  const unmet: Unmet[] = [];
  const may = (t: PlanTarget) => !input.onlyTargetIds || input.onlyTargetIds.has(t.id);

  // ---- 1. targets short of cadres, scarcest first; stricter rules (with rank filters) first ----
  const orderedTargetRules = [...targetRules].sort((a, b) => Number(!!b.params.cadreRanks) - Number(!!a.params.cadreRanks));
  for (const rule of orderedTargetRules) {
    const min = rule.params.min ?? 0;
    if (min === 0) continue;
    const needy = input.targets.filter((t) => targetMatches(rule, t) && may(t) && countMatching(t, rule) < min);
    const pools = new Map(needy.map((t) => [t.id, poolFor(t, rule)]));
    needy.sort((a, b) => pools.get(a.id)!.length - pools.get(b.id)!.length || a.id - b.id);
    const short = new Map<string, { ids: number[]; missing: number; pool: Set<number> }>();
    for (const t of needy) {
      const pool = pools.get(t.id)!;
      let have = countMatching(t, rule);
      while (have < min) {
        let best: PlanCadre | undefined;
        let bestCost = Infinity;
        for (const c of pool) {
          if (linked.get(t.id)?.has(c.id) || !canTake(c, t)) continue;
          if (input.baseline) {
            if (!best || c.id < best.id) best = c;
            continue;
          }
          // Travel first, load second: a full cadre costs as much as 10 km more travel, so load is
          // balanced among cadres at a similar distance without sending anyone across the county.
          const cost = pressure(c, t) * 10 + travel(c, t);
          if (cost < bestCost) {
            bestCost = cost;
            best = c;
          }
        }
        if (!best) break;
        addLink(t, best, add);
        have++;
      }
      if (have < min) {
        const key = townshipOf(t.regionPath);
        const s = short.get(key) ?? short.set(key, { ids: [], missing: 0, pool: new Set() }).get(key)!;
        s.ids.push(t.id);
        s.missing += min - have;
        for (const c of pool) s.pool.add(c.id);
      }
    }
    for (const [regionPath, s] of short) {
      unmet.push({
        ruleId: rule.id, description: rule.description, subject: 'target', regionPath, ids: s.ids, shortfall: s.missing,
        reason: s.pool.size === 0
          ? `${s.ids.length} 个对象在任何符合条件干部的负责范围之外（没有可安排的干部）`
          : `${s.ids.length} 个对象还缺 ${s.missing} 人次：可安排的 ${s.pool.size} 名符合条件干部已达联系上限`,
      });
    }
  }

  // Targets sorted by path: everything under a region is one contiguous run (binary search).
  const sortedTargets = [...input.targets].sort((a, b) => (a.regionPath < b.regionPath ? -1 : a.regionPath > b.regionPath ? 1 : a.id - b.id));
  const lowerBound = (key: string) => {
    let lo = 0;
    let hi = sortedTargets.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sortedTargets[mid]!.regionPath < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const targetsUnder = (path: string) => {
    const out: PlanTarget[] = [];
    for (let i = lowerBound(path); i < sortedTargets.length && sortedTargets[i]!.regionPath.startsWith(path); i++) {
      if (isUnder(sortedTargets[i]!.regionPath, path)) out.push(sortedTargets[i]!);
    }
    return out;
  };
  // Cadres who start from the same place with the same zone see the same targets, in tiers of
  // equal distance, nearest first (the baseline: one tier in id order).
  const tierCache = new Map<string, PlanTarget[][]>();
  const optionTiers = (c: PlanCadre, rule: Extract<PlanRule, { kind: 'cadre_targets' }>) => {
    const key = `${rule.id}|${c.homePath}|${c.zonePaths.join(',')}`;
    let tiers = tierCache.get(key);
    if (!tiers) {
      const options = [...new Set(c.zonePaths.flatMap((z) => targetsUnder(z)))].filter((t) => targetMatches(rule, t) && may(t));
      if (input.baseline) tiers = [options.sort((a, b) => a.id - b.id)];
      else {
        const byDistance = new Map<number, PlanTarget[]>();
        for (const t of options) {
          const d = distanceKm({ path: c.homePath, latitude: c.latitude, longitude: c.longitude }, { path: t.regionPath, latitude: t.latitude, longitude: t.longitude });
          (byDistance.get(d) ?? byDistance.set(d, []).get(d)!).push(t);
        }
        tiers = [...byDistance.entries()].sort((a, b) => a[0] - b[0]).map(([, ts]) => ts);
      }
      tierCache.set(key, tiers);
    }
    return tiers;
  };

  // ---- 2. cadres below a minimum take the nearest targets still below their maximum ----
  const targetMax = (t: PlanTarget) => {
    let m = Infinity;
    for (const r of targetRules) if (targetMatches(r, t) && r.params.max !== undefined) m = Math.min(m, r.params.max);
    return m;
  };
  for (const rule of cadreRules) {
    const min = rule.params.min ?? 0;
    if (min === 0) continue;
    const short = new Map<string, { ids: number[]; missing: number }>();
    for (const c of input.cadres) {
      if (!cadreInRule(rule, c)) continue;
      let have = loadOf(c.id, rule);
      if (have < min) {
        // Nearest tier first; within a tier the target with the fewest cadres, so cadres of one
        // township spread over its villages instead of all taking the same two.
        for (const tier of optionTiers(c, rule)) {
          while (have < min) {
            let best: PlanTarget | undefined;
            let fewest = Infinity;
            for (const t of tier) {
              const n = linked.get(t.id)?.size ?? 0;
              if (n >= fewest || linked.get(t.id)?.has(c.id) || n >= targetMax(t) || !canTake(c, t)) continue;
              best = t;
              fewest = n;
              if (input.baseline) break;
            }
            if (!best) break;
            addLink(best, c, add);
            have++;
          }
          if (have >= min) break;
        }
      }
      if (have < min) {
        const key = townshipOf(c.homePath);
        const s = short.get(key) ?? short.set(key, { ids: [], missing: 0 }).get(key)!;
        s.ids.push(c.id);
        s.missing += min - have;
      }
    }
    for (const [regionPath, s] of short) {
      unmet.push({
        ruleId: rule.id, description: rule.description, subject: 'cadre', regionPath, ids: s.ids, shortfall: s.missing,
        reason: `${s.ids.length} 名干部还缺 ${s.missing} 个联系对象：负责范围内可联系的对象不足或已达上限`,
      });
    }
  }

  // ---- statistics ----
  const counted = input.cadres.map((c) => held.get(c.id)?.size ?? 0);
  const used = counted.filter((n) => n > 0);
  let totalDistanceKm = 0;
  for (const l of [...keep, ...add]) {
    const c = cadreById.get(l.cadreId);
    const t = targetById.get(l.targetId);
    if (c && t) totalDistanceKm += travel(c, t);
  }
  return {
    keep, add, end, unmet,
    stats: {
      links: keep.length + add.length,
      cadresUsed: used.length,
      minLoad: counted.length ? Math.min(...counted) : 0,
      maxLoad: counted.length ? Math.max(...counted) : 0,
      meanLoad: counted.length ? counted.reduce((a, b) => a + b, 0) / counted.length : 0,
      totalDistanceKm: Math.round(totalDistanceKm),
      unmetCount: unmet.reduce((a, u) => a + u.shortfall, 0),
    },
  };
}
