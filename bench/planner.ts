import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import type { PlanProposal } from '../contracts/planner.ts';
import { openPGlite, type Database, type DatabaseHandle } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { scopeOf } from '../src/features/auth/accounts.ts';
import type { Actor } from '../src/features/auth/actor.ts';
import { proposePlan } from '../src/features/planner/planner.ts';
import { listTargets } from '../src/features/targets/targets.ts';
import { startPostgres, type PostgresServer } from '../test/postgres-server.ts';
import { generateTargets, checkTargets, type TargetsInfo } from './generate-targets.ts';
import { benchKey, generateTier, tiers, type TierInfo } from './generate.ts';
import {
  parseDrivers, cleanups, describeMachine, driverLabel, explain, fileStamp, fmt, installCleanupHandlers, intOptions, loadResultFiles, machineLine, median,
  openFreshPostgres, percentile, releaser, root, runMain, serverVersion, stopper, writeDocBlock, writeResultFile, type Driver, type Machine,
} from './harness.ts';

// The planner and target-search benchmark (issue 3, "Performance"): the city tier of bench/generate.ts
// plus 1,921 village/community targets, 50,000 households, 1,000 enterprises and 100 key projects on
// the real Dongying region codes, one campaign with the articles' coverage rules; then
//  1. proposePlan for the whole city with compareBaseline, N runs per driver: the whole call (loading,
//     planner, baseline, describing) and the core times it reports, and the quality of both plans,
//     checked against the proposal itself and against what capacity allows;
//  2. target search over the households (listTargets: name fragment, pinyin initials), page of 20.
// Run: node bin/run-ts.mjs bench/planner.ts [--driver pglite|postgres|both] [--runs N] …

const usage = `node bin/run-ts.mjs bench/planner.ts [--driver pglite|postgres|both] [--runs N] [--iterations N] [--warmup N]
                                  [--timeout SECONDS] [--no-search] [--no-plan] [--explain] [--no-write] [--aggregate K]`;

const { values: opts } = parseArgs({
  options: {
    driver: { type: 'string', default: 'both' },
    runs: { type: 'string', default: '3' },
    iterations: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '10' },
    timeout: { type: 'string', default: '1800' },
    'no-search': { type: 'boolean', default: false },
    'no-plan': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    explain: { type: 'boolean', default: false },
    aggregate: { type: 'string', default: '3' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (opts.help) {
  console.log(usage);
  process.exit(0);
}
const intOpt = intOptions(usage);
const drivers = parseDrivers(opts.driver, usage);
const runs = intOpt('runs', opts.runs, 1);
const iterations = intOpt('iterations', opts.iterations, 1);
const warmup = intOpt('warmup', opts.warmup, 0);
const timeoutMs = intOpt('timeout', opts.timeout, 10) * 1000;
const aggregateRuns = intOpt('aggregate', opts.aggregate, 1);

installCleanupHandlers(timeoutMs);

async function openDriver(driver: Driver, server: PostgresServer | undefined): Promise<DatabaseHandle> {
  if (driver === 'pglite') {
    const handle = await openPGlite();
    releaser(() => handle.close());
    return handle;
  }
  const handle = await openFreshPostgres(server!, 'lianxin_bench_planner');
  releaser(() => handle.close());
  return handle;
}

// ---- What was measured: the commit, and a hash of the measured source files, which other sessions
// may be changing while this runs. Only runs of the same code are aggregated.
const measuredFiles = ['src/features/planner/plan.ts', 'src/features/planner/planner.ts', 'src/features/targets/targets.ts'];
function codeVersion(): { commit: string; sourceHash: string } {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  const h = createHash('sha256');
  for (const f of measuredFiles) h.update(readFileSync(join(root, f)));
  return { commit, sourceHash: h.digest('hex').slice(0, 12) };
}

// ---- Formatting
const secs = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
const int = (n: number) => Math.round(n).toLocaleString('en-US');

// ---- What the plan should achieve: the campaign's cadres and targets as the planner loads them,
// and for each rule the shortfall no plan can avoid.
type BenchCadre = { id: number; rank: string; unitLevel: string; zones: string[] };
type BenchTarget = { id: number; kind: string; path: string };
type Universe = { cadres: BenchCadre[]; targets: BenchTarget[] };
type RuleRow = { id: number; kind: string; description: string; params: { targetKinds: string[]; min?: number; max?: number; cadreRanks?: string[]; unitLevels?: string[] } };

async function loadUniverse(db: Database, campaignId: number): Promise<Universe & { rules: RuleRow[] }> {
  const rules = (await db.selectFrom('coverage_rules').select(['id', 'kind', 'description', 'params']).where('campaign_id', '=', campaignId).orderBy('id').execute()) as unknown as RuleRow[];
  const rows = await sql<{ id: number; rank: string; level: string; region_path: string; zones: string[] | null }>`
    select c.id, c.rank, u.level, u.region_path,
           (select array_agg(r.path order by r.path) from regions r where r.code = any(cu.responsible_regions)) as zones
      from cadres c join units u on u.id = c.unit_id join campaign_units cu on cu.unit_id = u.id and cu.campaign_id = ${campaignId}
     where c.status = 'active' order by c.id`.execute(db);
  const cadres = rows.rows.map((r) => ({ id: r.id, rank: r.rank, unitLevel: r.level, zones: r.zones?.length ? r.zones : [r.region_path] }));
  const targets = (await db.selectFrom('contact_targets').select(['id', 'kind', 'region_path']).orderBy('id').execute()).map((t) => ({ id: t.id, kind: t.kind, path: t.region_path }));
  return { cadres, targets, rules };
}

const isUnder = (path: string, base: string) => path === base || path.startsWith(`${base}/`);
const townshipOf = (path: string) => path.split('/').slice(0, 4).join('/');

/** Max flow (Dinic) on a small dense graph given as an adjacency list of edges with capacities. */
function maxFlow(n: number, edges: [number, number, number][], s: number, t: number): number {
  const head = new Array<number>(n).fill(-1);
  const to: number[] = [];
  const cap: number[] = [];
  const next: number[] = [];
  const addEdge = (u: number, v: number, c: number) => {
    to.push(v); cap.push(c); next.push(head[u]!); head[u] = to.length - 1;
    to.push(u); cap.push(0); next.push(head[v]!); head[v] = to.length - 1;
  };
  for (const [u, v, c] of edges) addEdge(u, v, c);
  let flow = 0;
  const level = new Array<number>(n);
  const it = new Array<number>(n);
  const bfs = () => {
    level.fill(-1);
    level[s] = 0;
    const queue = [s];
    for (let q = 0; q < queue.length; q++) {
      const u = queue[q]!;
      for (let e = head[u]!; e !== -1; e = next[e]!) if (cap[e]! > 0 && level[to[e]!] === -1) { level[to[e]!] = level[u]! + 1; queue.push(to[e]!); }
    }
    return level[t] !== -1;
  };
  const dfs = (u: number, f: number): number => {
    if (u === t) return f;
    for (; it[u] !== -1; it[u] = next[it[u]!]!) {
      const e = it[u]!;
      const v = to[e]!;
      if (cap[e]! > 0 && level[v] === level[u]! + 1) {
        const d = dfs(v, Math.min(f, cap[e]!));
        if (d > 0) { cap[e] = cap[e]! - d; cap[e ^ 1] = cap[e ^ 1]! + d; return d; }
      }
    }
    return 0;
  };
  while (bfs()) {
    for (let i = 0; i < n; i++) it[i] = head[i]!;
    for (let f = dfs(s, Infinity); f > 0; f = dfs(s, Infinity)) flow += f;
  }
  return flow;
}

type Bound = { ruleId: number; description: string; shortfall: number; how: string };
/**
 * The shortfall each rule must have whatever the plan: a target with fewer eligible cadres in reach
 * than its minimum, a cadre with fewer targets in reach than theirs, and for households (the only
 * kind with a per-cadre maximum) the max flow from cadres (capacity = maximum) to townships
 * (demand = minimum × households).
 */
function capacityBounds(u: Universe, rules: RuleRow[]): Bound[] {
  const out: Bound[] = [];
  const zoneKey = (c: BenchCadre) => c.zones.join(',');
  const covers = (c: BenchCadre, path: string) => c.zones.some((z) => isUnder(path, z));
  // Targets of one region share their reach: count eligible cadres once per region path.
  for (const r of rules) {
    const p = r.params;
    if (r.kind === 'target_cadres' && (p.min ?? 0) > 0) {
      const eligible = u.cadres.filter((c) => !p.cadreRanks || p.cadreRanks.includes(c.rank));
      const reach = new Map<string, number>();
      let short = 0;
      const targets = u.targets.filter((t) => p.targetKinds.includes(t.kind));
      for (const t of targets) {
        let n = reach.get(t.path);
        if (n === undefined) reach.set(t.path, (n = eligible.filter((c) => covers(c, t.path)).length));
        short += Math.max(0, p.min! - n);
      }
      let how = 'targets with fewer eligible cadres in reach than the minimum';
      // The per-cadre maximum of a cadre rule over the same kinds caps what cadres can give.
      const capRule = rules.find((o) => o.kind === 'cadre_targets' && o.params.max !== undefined && !o.params.cadreRanks && !o.params.unitLevels
        && p.targetKinds.every((k) => o.params.targetKinds.includes(k)));
      if (capRule) {
        const groups = new Map<string, BenchCadre[]>();
        for (const c of eligible) groups.set(zoneKey(c), [...(groups.get(zoneKey(c)) ?? []), c]);
        const demand = new Map<string, number>();
        for (const t of targets) demand.set(townshipOf(t.path), (demand.get(townshipOf(t.path)) ?? 0) + p.min!);
        const gs = [...groups.values()];
        const ts = [...demand.keys()];
        const s = 0;
        const sink = 1 + gs.length + ts.length;
        const edges: [number, number, number][] = [];
        gs.forEach((g, i) => {
          edges.push([s, 1 + i, g.length * capRule.params.max!]);
          ts.forEach((tp, j) => { if (g[0]!.zones.some((z) => isUnder(tp, z) || isUnder(z, tp))) edges.push([1 + i, 1 + gs.length + j, Number.MAX_SAFE_INTEGER]); });
        });
        ts.forEach((tp, j) => edges.push([1 + gs.length + j, sink, demand.get(tp)!]));
        const flow = maxFlow(sink + 1, edges, s, sink);
        const needed = [...demand.values()].reduce((a, b) => a + b, 0);
        if (needed - flow > short) {
          short = needed - flow;
          how = `max flow: ${int(needed)} links needed, at most ${int(flow)} possible with ${int(eligible.length)} cadres × ${capRule.params.max} in their zones`;
        }
      }
      out.push({ ruleId: r.id, description: r.description, shortfall: short, how });
    } else if (r.kind === 'cadre_targets' && (p.min ?? 0) > 0) {
      const inRule = u.cadres.filter((c) => (!p.cadreRanks || p.cadreRanks.includes(c.rank)) && (!p.unitLevels || p.unitLevels.includes(c.unitLevel)));
      const targets = u.targets.filter((t) => p.targetKinds.includes(t.kind));
      const reach = new Map<string, number>();
      let short = 0;
      for (const c of inRule) {
        let n = reach.get(zoneKey(c));
        if (n === undefined) reach.set(zoneKey(c), (n = targets.filter((t) => covers(c, t.path)).length));
        short += Math.max(0, p.min! - n);
      }
      out.push({ ruleId: r.id, description: r.description, shortfall: short, how: 'cadres with fewer targets in reach than the minimum' });
    }
  }
  return out;
}

/** The proposal checked on its own terms: per-rule shortfall recounted from its links, loads per kind. */
type Check = {
  perRule: { ruleId: number; description: string; reported: number; recounted: number }[];
  householdMaxPerCadre: number; cadresOverHouseholdMax: number;
  villageCadres: { min: number; median: number; max: number; over10: number };
  recountedUnmet: number;
};
function checkProposal(p: PlanProposal, u: Universe, rules: RuleRow[]): Check {
  const cadreById = new Map(u.cadres.map((c) => [c.id, c]));
  const byTarget = new Map<number, number[]>();
  const byCadre = new Map<number, number[]>();
  const targetKind = new Map(u.targets.map((t) => [t.id, t.kind]));
  for (const l of p.add) {
    byTarget.set(l.targetId, [...(byTarget.get(l.targetId) ?? []), l.cadreId]);
    byCadre.set(l.cadreId, [...(byCadre.get(l.cadreId) ?? []), l.targetId]);
  }
  const reported = new Map<number, number>();
  for (const x of p.unmet) reported.set(x.ruleId, (reported.get(x.ruleId) ?? 0) + x.shortfall);
  const perRule = rules.filter((r) => r.kind !== 'unit_leader_named').map((r) => {
    const q = r.params;
    let short = 0;
    if (r.kind === 'target_cadres') {
      for (const t of u.targets) {
        if (!q.targetKinds.includes(t.kind)) continue;
        const n = (byTarget.get(t.id) ?? []).filter((cid) => !q.cadreRanks || q.cadreRanks.includes(cadreById.get(cid)!.rank)).length;
        short += Math.max(0, (q.min ?? 0) - n);
      }
    } else {
      for (const c of u.cadres) {
        if ((q.cadreRanks && !q.cadreRanks.includes(c.rank)) || (q.unitLevels && !q.unitLevels.includes(c.unitLevel))) continue;
        const n = (byCadre.get(c.id) ?? []).filter((tid) => q.targetKinds.includes(targetKind.get(tid)!)).length;
        short += Math.max(0, (q.min ?? 0) - n);
      }
    }
    return { ruleId: r.id, description: r.description, reported: reported.get(r.id) ?? 0, recounted: short };
  });
  const households = u.cadres.map((c) => (byCadre.get(c.id) ?? []).filter((tid) => targetKind.get(tid) === 'household').length);
  const villageCounts = u.targets.filter((t) => t.kind === 'village' || t.kind === 'community').map((t) => byTarget.get(t.id)?.length ?? 0).sort((a, b) => a - b);
  return {
    perRule,
    householdMaxPerCadre: Math.max(...households),
    cadresOverHouseholdMax: households.filter((n) => n > 6).length,
    villageCadres: { min: villageCounts[0]!, median: median(villageCounts), max: villageCounts[villageCounts.length - 1]!, over10: villageCounts.filter((n) => n > 10).length },
    recountedUnmet: perRule.reduce((a, r) => a + r.recounted, 0),
  };
}

// ---- Search measures
type SearchMeasure = { id: string; label: string; run: (db: Database) => Promise<{ total: number }> };
type SearchResult = { driver: Driver; measure: string; label: string; rows: number; n: number; median: number; p95: number; mean: number; max: number };

async function timeSearch(m: SearchMeasure, dbs: Partial<Record<Driver, Database>>): Promise<SearchResult[]> {
  const rows: Partial<Record<Driver, number>> = {};
  for (const d of drivers) rows[d] = (await m.run(dbs[d]!)).total;
  if (drivers.length === 2 && rows.pglite !== rows.postgres) throw new Error(`${m.id}: PGlite finds ${rows.pglite} rows, PostgreSQL ${rows.postgres}`);
  for (let i = 0; i < warmup; i++) for (const d of drivers) await m.run(dbs[d]!);
  const samples: Record<Driver, number[]> = { pglite: [], postgres: [] };
  for (let i = 0; i < iterations; i++) {
    for (const d of i % 2 === 0 ? drivers : [...drivers].reverse()) {
      const t0 = performance.now();
      await m.run(dbs[d]!);
      samples[d].push(performance.now() - t0);
    }
  }
  return drivers.map((d) => {
    const s = samples[d].sort((a, b) => a - b);
    return { driver: d, measure: m.id, label: m.label, rows: rows[d]!, n: s.length, median: percentile(s, 0.5), p95: percentile(s, 0.95), mean: s.reduce((a, b) => a + b, 0) / s.length, max: s[s.length - 1]! };
  });
}

// ---- Result file and document
type PlanStats = PlanProposal['stats'];
type PlanRun = { driver: Driver; run: number; wallMs: number; plannerMs: number; baselineMs: number; stats: PlanStats; baseline: PlanStats };
type RunFile = {
  date: string;
  code?: { commit: string; sourceHash: string };
  machine: Machine;
  options: { drivers: Driver[]; runs: number; iterations: number; warmup: number };
  data: { tier: TierInfo['counts']; targets: TargetsInfo['counts']; campaign: TargetsInfo['campaign']; plannerCadres: number; plannerTargets: number };
  generation: { driver: Driver; ms: number }[];
  plan: PlanRun[];
  unmet: { ruleId: number; description: string; shortfall: number; bound: number; boundHow: string; recounted: number }[];
  check: Check | null;
  /** Set when two proposals of the run differ (driver or run), which they should not. */
  planMismatch?: string | null;
  search: SearchResult[];
};

function planTable(plan: PlanRun[], unit: string): string {
  const lines = [
    `| driver | ${unit} | \`proposePlan\` whole call | planner core (\`stats.ms\`) | baseline core (\`baseline.ms\`) | rest: loading, scope, describing |`,
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const d of ['pglite', 'postgres'] as const) {
    const rs = plan.filter((r) => r.driver === d);
    if (!rs.length) continue;
    const cell = (xs: number[]) => `${secs(median(xs))} s (${secs(Math.min(...xs))}–${secs(Math.max(...xs))})`;
    lines.push(`| ${driverLabel[d]} | ${rs.length} | ${cell(rs.map((r) => r.wallMs))} | ${cell(rs.map((r) => r.plannerMs))} | ${cell(rs.map((r) => r.baselineMs))} | ${cell(rs.map((r) => r.wallMs - r.plannerMs - r.baselineMs))} |`);
  }
  return lines.join('\n');
}

/** The result files of this script, newest first. */
function loadRuns(): RunFile[] {
  return loadResultFiles<RunFile>(/^planner-\d.*\.json$/);
}

/** Per measure and driver over several files: the median of the per-run medians and p95s, and the spread of the medians. */
function searchAcrossRuns(files: RunFile[]): string {
  const lines = ['| measure | rows | PGlite median | PGlite p95 | PGlite medians (min–max) | PostgreSQL median | PostgreSQL p95 | PostgreSQL medians (min–max) |', '|---|---:|---:|---:|---:|---:|---:|---:|'];
  const all = files.flatMap((f) => f.search);
  for (const id of [...new Set(files[0]!.search.map((r) => r.measure))]) {
    const first = all.find((r) => r.measure === id)!;
    const cells = (['pglite', 'postgres'] as const).map((d) => {
      const rs = all.filter((r) => r.measure === id && r.driver === d);
      if (!rs.length) return '– | – | –';
      const ms = rs.map((r) => r.median);
      return `${fmt(median(ms))} | ${fmt(median(rs.map((r) => r.p95)))} | ${fmt(Math.min(...ms))}–${fmt(Math.max(...ms))}`;
    });
    lines.push(`| ${first.label} | ${first.rows} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

function qualityTable(file: RunFile): string {
  const r = file.plan[0]!;
  const bound = file.unmet.reduce((a, u) => a + u.bound, 0);
  const row = (label: string, f: (s: PlanStats) => string, b = '') => `| ${label} | ${f(r.stats)} | ${f(r.baseline)} | ${b} |`;
  return [
    '| | planner | baseline (first fit) | least possible |',
    '|---|---:|---:|---:|',
    row('rules unmet (`unmetCount`, total shortfall)', (s) => int(s.unmetCount), int(bound)),
    row('links', (s) => int(s.links)),
    row('cadres used', (s) => `${int(s.cadresUsed)} of ${int(file.data.plannerCadres)}`),
    row('load per cadre: min / max / mean', (s) => `${s.minLoad} / ${s.maxLoad} / ${s.meanLoad.toFixed(2)}`),
    row('total travel distance', (s) => `${int(s.totalDistanceKm)} km`),
    row('travel per link', (s) => `${(s.totalDistanceKm / Math.max(s.links, 1)).toFixed(1)} km`),
  ].join('\n');
}

function unmetTable(file: RunFile): string {
  return [
    '| rule | planner shortfall | recounted from the proposal | least possible | why the least possible |',
    '|---|---:|---:|---:|---|',
    ...file.unmet.map((u) => `| ${u.description} | ${int(u.shortfall)} | ${int(u.recounted)} | ${int(u.bound)} | ${u.boundHow} |`),
  ].join('\n');
}

function searchTable(results: SearchResult[]): string {
  const lines = ['| measure | rows | PGlite median | PGlite p95 | PostgreSQL median | PostgreSQL p95 |', '|---|---:|---:|---:|---:|---:|'];
  for (const id of [...new Set(results.map((r) => r.measure))]) {
    const of = (d: Driver) => results.find((r) => r.measure === id && r.driver === d);
    const a = of('pglite');
    const b = of('postgres');
    const c = (x: SearchResult | undefined, f: 'median' | 'p95') => (x ? fmt(x[f]) : '–');
    lines.push(`| ${(a ?? b)!.label} | ${(a ?? b)!.rows} | ${c(a, 'median')} | ${c(a, 'p95')} | ${c(b, 'median')} | ${c(b, 'p95')} |`);
  }
  return lines.join('\n');
}

function section(file: RunFile, files: RunFile[]): string {
  const m = file.machine;
  const across: string[] = [];
  if (files.length > 1) {
    across.push(
      `### Across runs: the newest ${files.length} runs of this script`,
      '',
      `Runs (same measured sources, hash ${file.code?.sourceHash ?? '?'}): ${files.map((f) => `${f.date} (load ${f.machine.loadavg[0]!.toFixed(2)})`).join(', ')}.`,
    );
    const plan = files.flatMap((f) => f.plan);
    if (plan.length) across.push('', '**Planner time**, median over every `proposePlan` call of these runs (min–max):', '', planTable(plan, 'calls'));
    if (files.every((f) => f.search.length)) across.push('', '**Target search**, ms: the median over runs of each run\'s median and p95, and the spread of the per-run medians:', '', searchAcrossRuns(files));
    across.push('');
  }
  const parts = [
    ...across,
    `### Latest run (${file.date})`,
    '',
    `Data: ${int(file.data.tier.regions)} regions, ${int(file.data.tier.units)} units, ${int(file.data.tier.cadres)} cadres; targets: ${int(file.data.targets.village)} villages + ${int(file.data.targets.community)} communities, ${int(file.data.targets.household)} households, ${int(file.data.targets.enterprise)} enterprises, ${int(file.data.targets.project)} projects. Campaign: ${file.data.campaign.units} units (${file.data.campaign.townshipUnits} township committees, ${file.data.campaign.departmentUnits} departments), ${file.data.campaign.rules} rules; the planner sees ${int(file.data.plannerCadres)} cadres in post and ${int(file.data.plannerTargets)} targets.`,
    '',
    `Code: commit ${file.code?.commit ?? '?'} plus working tree; measured sources (${measuredFiles.map((f) => `\`${f.split('/').pop()}\``).join(', ')}) hash ${file.code?.sourceHash ?? '?'}.`,
    `Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB.toFixed(1)} GiB, Node ${m.node}, PostgreSQL ${m.postgres || '–'}, PGlite ${m.pglite} (PostgreSQL ${m.pgliteServer || '–'} in WASM); load average at start ${m.loadavg.map((x) => x.toFixed(2)).join(' / ')}.`,
    `Generation (open + migrate + tier + targets + campaign + analyze): ${file.generation.map((g) => `${driverLabel[g.driver]} ${secs(g.ms)} s`).join(', ')}.`,
  ];
  if (file.plan.length) {
    parts.push(
      '',
      `**Planner time**, median of ${file.options.runs} run${file.options.runs === 1 ? '' : 's'} per driver (min–max), city region, \`compareBaseline: true\`:`,
      '',
      planTable(file.plan, 'runs'),
      '',
      file.planMismatch ? `**Plan quality** of the first run (the proposals were not all the same: ${file.planMismatch}):` : '**Plan quality** (the same links on both drivers and in every run):',
      '',
      qualityTable(file),
      '',
      'Shortfall per rule:',
      '',
      unmetTable(file),
    );
    if (file.check) {
      const c = file.check;
      parts.push('', `Checks on the proposal: most households per cadre ${c.householdMaxPerCadre} (cadres over the maximum of 6: ${c.cadresOverHouseholdMax}); cadres per village/community min ${c.villageCadres.min}, median ${c.villageCadres.median}, max ${c.villageCadres.max} (${c.villageCadres.over10} places with more than 10).`);
    }
  }
  if (file.search.length) {
    parts.push('', `**Target search**, \`listTargets\` as an admin scoped to the city, page of 20 with the total; ${file.options.iterations} iterations per driver after ${file.options.warmup} warm-up, drivers alternating; ms:`, '', searchTable(file.search));
  }
  return parts.join('\n');
}

const BEGIN = '<!-- bench-planner:begin (generated by `node bin/run-ts.mjs bench/planner.ts`; edit outside these markers) -->';
const END = '<!-- bench-planner:end -->';
const HEADING = '## Planner and target search (city tier)';
function writeDoc(body: string) {
  writeDocBlock(BEGIN, END, body, (doc = '# Performance\n', block) => (doc.includes(HEADING)
    ? doc.replace(HEADING, `${HEADING}\n\n${block}\n`)
    : `${doc.trimEnd()}\n\n${HEADING}\n\n${block}\n`));
}

// ---- Main
async function main() {
  const started = Date.now();
  const version = codeVersion();
  const machine: Machine = describeMachine();
  console.log(`Planner benchmark: city tier, ${drivers.map((d) => driverLabel[d]).join(' + ')}, ${runs} planner run(s), ${iterations} search iterations`);
  console.log(machineLine(machine));

  let server: PostgresServer | undefined;
  if (drivers.includes('postgres')) {
    server = await startPostgres();
    cleanups.push(await stopper(server));
  }
  const dbs: Partial<Record<Driver, Database>> = {};
  const generation: RunFile['generation'] = [];
  let tier: TierInfo | undefined;
  let targets: TargetsInfo | undefined;
  for (const d of drivers) {
    const t0 = performance.now();
    const h = await openDriver(d, server);
    await migrateToLatest(h.db);
    const ti = await generateTier(h.db, tiers.city);
    const tg = await generateTargets(h.db, ti);
    await checkTargets(h.db, ti, tg);
    await sql`analyze`.execute(h.db);
    const ms = performance.now() - t0;
    generation.push({ driver: d, ms });
    console.log(`generated on ${driverLabel[d]} in ${secs(ms)} s: ${JSON.stringify(ti.counts)} ${JSON.stringify(tg.counts)} campaign ${JSON.stringify(tg.campaign)}`);
    if (tier && JSON.stringify([tier, targets]) !== JSON.stringify([ti, tg])) throw new Error('the generator made different data on the two drivers');
    tier = ti;
    targets = tg;
    dbs[d] = h.db;
    if (d === 'postgres') machine.postgres = await serverVersion(h.db);
    else machine.pgliteServer = await serverVersion(h.db);
  }
  const first = dbs[drivers[0]!]!;
  const actor: Actor = { userId: null, username: 'bench', role: 'admin', ip: null, cadreId: null, scope: await scopeOf(first, { region_code: tier!.top.code, unit_id: null }) };

  const universe = await loadUniverse(first, targets!.campaignId);
  const bounds = capacityBounds(universe, universe.rules);
  console.log(`planner sees ${universe.cadres.length} cadres, ${universe.targets.length} targets; least possible shortfall ${bounds.reduce((a, b) => a + b.shortfall, 0)}`);

  const plan: PlanRun[] = [];
  let check: Check | null = null;
  let unmet: RunFile['unmet'] = [];
  let mismatch: string | null = null;
  if (!opts['no-plan']) {
    const seen = new Map<string, string>();
    for (let i = 0; i < runs; i++) {
      for (const d of i % 2 === 0 ? drivers : [...drivers].reverse()) {
        const t0 = performance.now();
        const p = await proposePlan(dbs[d]!, actor, targets!.campaignId, { compareBaseline: true });
        const wallMs = performance.now() - t0;
        const { ms: plannerMs, ...stats } = p.stats;
        const { ms: baselineMs, ...baseline } = p.baseline!;
        plan.push({ driver: d, run: i + 1, wallMs, plannerMs, baselineMs, stats: p.stats, baseline: p.baseline! });
        console.log(`  plan ${driverLabel[d].padEnd(10)} run ${i + 1}: ${secs(wallMs)} s whole, planner ${secs(plannerMs)} s, baseline ${secs(baselineMs)} s; planner ${JSON.stringify(stats)}; baseline ${JSON.stringify(baseline)}`);
        // The plan should not depend on the driver or the run: the links themselves are compared.
        const fingerprint = createHash('sha256').update(JSON.stringify([p.add.map((l) => [l.targetId, l.cadreId]), p.unmet.map((u) => [u.ruleId, u.regionCode, u.shortfall]), baseline])).digest('hex');
        for (const [other, f] of seen) {
          if (f !== fingerprint && !mismatch) {
            mismatch = `run ${i + 1} on ${driverLabel[d]} proposed other links than ${other}`;
            console.warn(`warning: ${mismatch}`);
          }
        }
        seen.set(`${driverLabel[d]} run ${i + 1}`, fingerprint);
        if (!check) {
          check = checkProposal(p, universe, universe.rules);
          unmet = check.perRule.map((r) => {
            const b = bounds.find((x) => x.ruleId === r.ruleId);
            return { ruleId: r.ruleId, description: r.description, shortfall: r.reported, recounted: r.recounted, bound: b?.shortfall ?? 0, boundHow: b?.how ?? '' };
          });
          for (const u of unmet) console.log(`    rule ${u.ruleId} ${u.description}: planner ${u.shortfall}, recounted ${u.recounted}, least possible ${u.bound} (${u.boundHow})`);
          console.log(`    households per cadre max ${check.householdMaxPerCadre} (${check.cadresOverHouseholdMax} over 6); cadres per village ${JSON.stringify(check.villageCadres)}`);
        }
      }
    }
  }

  const search: SearchResult[] = [];
  const explained: string[] = [];
  if (!opts['no-search']) {
    const s = targets!.search;
    const q = (text: string, kind?: 'household') => (db: Database) => listTargets(db, actor, benchKey, { q: text, ...(kind ? { kind } : {}), page: 1, pageSize: 20 });
    const measures: SearchMeasure[] = [
      { id: 'households.name', label: `households by name fragment "${s.nameFragment}"`, run: q(s.nameFragment, 'household') },
      { id: 'households.initials2', label: `households by pinyin initials "${s.initials2}"`, run: q(s.initials2, 'household') },
      { id: 'households.initials3', label: `households by pinyin initials "${s.initials3}"`, run: q(s.initials3, 'household') },
      { id: 'targets.name', label: `all targets by name fragment "${s.nameFragment}" (no kind filter)`, run: q(s.nameFragment) },
    ];
    for (const m of measures) {
      const rs = await timeSearch(m, dbs);
      search.push(...rs);
      if (opts.explain) for (const d of drivers) explained.push(`==== ${m.id} / ${driverLabel[d]}: ${m.label}\n${await explain(m, dbs[d]!)}`);
      console.log(`  ${m.id.padEnd(22)} rows ${String(rs[0]!.rows).padStart(5)}  ${rs.map((r) => `${driverLabel[r.driver]} ${fmt(r.median)} / ${fmt(r.p95)} ms`).join('  ')}  (median / p95, n=${rs[0]!.n})`);
    }
  }

  if (codeVersion().sourceHash !== version.sourceHash) console.warn(`warning: ${measuredFiles.join(', ')} changed during the run; figures may mix versions`);
  const file: RunFile = {
    date: new Date().toISOString(),
    code: version,
    machine,
    options: { drivers, runs, iterations, warmup },
    data: { tier: tier!.counts, targets: targets!.counts, campaign: targets!.campaign, plannerCadres: universe.cadres.length, plannerTargets: universe.targets.length },
    generation, plan, unmet, check, search, planMismatch: mismatch,
  };
  console.log(`\n${section(file, [file])}\n`);
  if (!opts['no-write']) {
    writeResultFile(`planner-${fileStamp(file.date)}.json`, `${JSON.stringify(file, null, 2)}\n`);
    // Only complete runs (both drivers, planner and search) are aggregated with this one.
    const complete = (f: RunFile) => f.options.drivers.length === 2 && f.plan.length > 0 && f.search.length > 0 && f.code?.sourceHash === version.sourceHash;
    const body = section(file, complete(file) ? loadRuns().filter(complete).slice(0, aggregateRuns) : [file]);
    if (explained.length) writeResultFile(`planner-explain-${fileStamp(file.date)}.txt`, explained.join('\n'));
    writeDoc(body);
    console.log('Results written to bench/results/ and docs/PERFORMANCE.md');
  } else if (explained.length) {
    console.log(explained.join('\n'));
  }
  console.log(`Done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

await runMain(main);
