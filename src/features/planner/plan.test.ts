import { describe, expect, it } from 'vitest';
import { distanceKm, planPairings, type PlanCadre, type PlanRule, type PlanTarget } from './plan.ts';

// Pure tests of the planner core on a small county: two townships, villages and households.
const county = '33/3302/330225';
const tA = `${county}/A`;
const tB = `${county}/B`;
const village = (id: number, town: string, n: number): PlanTarget => ({ id, name: `村${id}`, kind: 'village', tags: [], regionPath: `${town}/${town.slice(-1)}${n}` });
const household = (id: number, villagePath: string, tags: string[] = []): PlanTarget => ({ id, name: `户${id}`, kind: 'household', tags, regionPath: villagePath });
const cadre = (id: number, rank: PlanCadre['rank'], zone: string, unitLevel: PlanCadre['unitLevel'] = 'township'): PlanCadre =>
  ({ id, name: `干部${id}`, rank, unitLevel, zonePaths: [zone], homePath: zone });

const villageRule: PlanRule = { id: 1, description: '每村至少1名县级/科级干部', kind: 'target_cadres', params: { targetKinds: ['village'], min: 1, cadreRanks: ['county', 'section'] } };
const householdLoad: PlanRule = { id: 2, description: '每名干部联系农户4–6户', kind: 'cadre_targets', params: { targetKinds: ['household'], min: 4, max: 6 } };
const householdPair: PlanRule = { id: 3, description: '每户至少2名干部', kind: 'target_cadres', params: { targetKinds: ['household'], min: 2 } };

describe('planPairings', () => {
  it('gives every village a section-level cadre of its own township, spreading the load', () => {
    const targets = [1, 2, 3, 4].map((n) => village(n, tA, n)).concat([5, 6].map((n) => village(n, tB, n)));
    const cadres = [cadre(101, 'section', tA), cadre(102, 'section', tA), cadre(103, 'general', tA), cadre(201, 'section', tB)];
    const plan = planPairings({ targets, cadres, existing: [], rules: [villageRule] });
    expect(plan.unmet).toEqual([]);
    expect(plan.add).toHaveLength(6);
    for (const l of plan.add) {
      const c = cadres.find((x) => x.id === l.cadreId)!;
      const t = targets.find((x) => x.id === l.targetId)!;
      expect(c.rank).toBe('section');
      expect(t.regionPath.startsWith(c.zonePaths[0]!)).toBe(true); // stays in the unit's township
    }
    const loads = [101, 102].map((id) => plan.add.filter((l) => l.cadreId === id).length);
    expect(loads).toEqual([2, 2]); // balanced, not 4 and 0
  });

  it('says which township lacks eligible cadres and by how many', () => {
    const targets = [1, 2, 3].map((n) => village(n, tB, n));
    const cadres = [cadre(201, 'general', tB), cadre(101, 'section', tA)];
    const plan = planPairings({ targets, cadres, existing: [], rules: [villageRule] });
    expect(plan.add).toEqual([]);
    expect(plan.unmet).toHaveLength(1);
    expect(plan.unmet[0]).toMatchObject({ ruleId: 1, subject: 'target', regionPath: tB, shortfall: 3, ids: [1, 2, 3] });
    expect(plan.unmet[0]!.reason).toContain('没有可安排的干部');
  });

  it('respects each cadre’s maximum and reports the households left over', () => {
    const v = `${tA}/A1`;
    const targets = Array.from({ length: 10 }, (_, i) => household(i + 1, v));
    const cadres = [cadre(1, 'general', tA), cadre(2, 'general', tA), cadre(3, 'general', tA)];
    const plan = planPairings({ targets, cadres, existing: [], rules: [householdPair, householdLoad] });
    const perCadre = cadres.map((c) => plan.add.filter((l) => l.cadreId === c.id).length);
    expect(Math.max(...perCadre)).toBeLessThanOrEqual(6);
    expect(plan.add).toHaveLength(18); // 3 cadres × 6 = capacity
    const shortfall = plan.unmet.find((u) => u.ruleId === 3)!;
    expect(shortfall.shortfall).toBe(20 - 18);
    expect(shortfall.reason).toContain('已达联系上限');
  });

  it('keeps today’s links and plans only the targets asked for (incremental)', () => {
    const v = `${tA}/A1`;
    const old = [household(1, v), household(2, v)];
    const fresh = [household(3, v), household(4, v)];
    const cadres = [cadre(1, 'general', tA), cadre(2, 'general', tA)];
    const existing = [{ targetId: 1, cadreId: 1, pairingId: 11 }, { targetId: 2, cadreId: 2, pairingId: 12 }];
    const plan = planPairings({ targets: [...old, ...fresh], cadres, existing, rules: [householdPair], onlyTargetIds: new Set([3, 4]) });
    expect(plan.keep).toHaveLength(2);
    expect(new Set(plan.add.map((l) => l.targetId))).toEqual(new Set([3, 4]));
    expect(plan.add).toHaveLength(4);
    expect(plan.unmet.filter((u) => u.ids.includes(1) || u.ids.includes(2))).toEqual([]); // not planned, not reported
  });

  it('ends links outside the cadre’s zone when re-planning', () => {
    const targets = [village(1, tB, 1)];
    const cadres = [cadre(101, 'section', tA), cadre(201, 'section', tB)];
    const plan = planPairings({ targets, cadres, existing: [{ targetId: 1, cadreId: 101, pairingId: 9 }], rules: [villageRule], replanOutOfZone: true });
    expect(plan.end).toEqual([{ targetId: 1, cadreId: 101, pairingId: 9 }]);
    expect(plan.add).toEqual([{ targetId: 1, cadreId: 201 }]);
  });

  it('travels less and balances better than the first-fit baseline', () => {
    const towns = [tA, tB];
    const targets: PlanTarget[] = [];
    let id = 1;
    for (const town of towns) for (let v = 1; v <= 2; v++) for (let h = 0; h < 5; h++) targets.push(household(id++, `${town}/${town.slice(-1)}${v}`));
    const cadres = [cadre(1, 'general', county, 'county'), cadre(2, 'general', county, 'county'), ...[3, 4, 5].map((i) => cadre(i, 'general', tA)), ...[6, 7, 8].map((i) => cadre(i, 'general', tB))];
    const rules = [householdPair, householdLoad];
    const smart = planPairings({ targets, cadres, existing: [], rules });
    const naive = planPairings({ targets, cadres, existing: [], rules, baseline: true });
    expect(smart.stats.unmetCount).toBeLessThanOrEqual(naive.stats.unmetCount);
    expect(smart.stats.totalDistanceKm).toBeLessThan(naive.stats.totalDistanceKm);
    expect(smart.stats.maxLoad - smart.stats.minLoad).toBeLessThanOrEqual(naive.stats.maxLoad - naive.stats.minLoad);
  });

  it('spreads cadres who each need two villages over all the township’s villages', () => {
    const targets = Array.from({ length: 10 }, (_, i) => village(i + 1, tA, i + 1));
    const cadres = Array.from({ length: 10 }, (_, i) => cadre(100 + i, 'general', tA));
    const rule: PlanRule = { id: 9, description: '每名干部联系2个村', kind: 'cadre_targets', params: { targetKinds: ['village'], min: 2 } };
    const plan = planPairings({ targets, cadres, existing: [], rules: [rule] });
    expect(plan.add).toHaveLength(20);
    const perVillage = targets.map((t) => plan.add.filter((l) => l.targetId === t.id).length);
    expect(Math.max(...perVillage)).toBe(2);
    expect(Math.min(...perVillage)).toBe(2);
  });

  it('measures distance by coordinates when both ends have them, else by the region tree', () => {
    expect(distanceKm({ path: `${tA}/A1` }, { path: `${tA}/A1` })).toBe(0);
    expect(distanceKm({ path: `${tA}/A1` }, { path: `${tA}/A2` })).toBe(5);
    expect(distanceKm({ path: tA }, { path: `${tB}/B1` })).toBe(20);
    const km = distanceKm({ path: 'x', latitude: 29.47, longitude: 121.87 }, { path: 'y', latitude: 29.2, longitude: 121.95 });
    expect(km).toBeGreaterThan(25);
    expect(km).toBeLessThan(35);
  });
});
