import { sql } from 'kysely';
import {
  createBulletin as createSchema, updateBulletin as updateSchema,
  type BulletinDto, type BulletinHighlight, type BulletinListQuery, type BulletinRecordsResult, type BulletinSections, type BulletinSummary,
  type CreateBulletin, type UpdateBulletin,
} from '../../../contracts/bulletins.ts';
import { figureKeys, type FigureKey, type FigureRecord, type FigureRecordKind, type FigureValue } from '../../../contracts/statistics.ts';
import { inTransaction, type Executor } from '../../db/database.ts';
import { pathUnder } from '../../db/paths.ts';
import { AppError, notFound } from '../../errors.ts';
import { recordAudit } from '../audit/audit.ts';
import { activityScope } from '../activities/scope.ts';
import { assertCan, can, isUnder, type Actor } from '../auth/actor.ts';
import { campaignScope, chinaToday, visibleCampaign } from '../campaigns/campaigns.ts';
import { matterScope } from '../matters/scope.ts';
import { regionScope } from '../regions/regions.ts';
import { computeFigures, figureRecordIds, type FigureFilter } from '../statistics/figures.ts';
import { parseInput } from '../targets/targets.ts';
import { ticketScope } from '../tickets/tickets.ts';
import { writingScope } from '../writings/writings.ts';
import { bulletinCharts, childRanking, statisticsParagraph, type StatisticsText } from './generate.ts';

// Bulletins (简报). Numbered per campaign from a counter row (`insert … on conflict do update …
// returning`, which locks the row until the creating transaction ends: concurrent creates get N and
// N+1, a rolled-back create gives its number back). The figures are those of the bulletin's
// region (its whole subtree, not cut to the writer's unit) and campaign over its period.
//
// A draft keeps its sections; while its statistics paragraph is the generated one (not edited by
// hand) it is regenerated from the live figures whenever it is read, so a draft always reads the
// current numbers. Publishing recomputes everything once (figures, paragraph unless edited,
// ranking, charts), stores that snapshot with the ids of the records behind every figure, and
// from then on the bulletin is read only from the snapshot (triggers refuse changes to it).
//
// Who reads: a bulletin is visible when its campaign is visible and its region lies inside the
// caller's region scope or contains it (a township reads the county's bulletin, as it is sent
// down); drafts only to those who may write bulletins. The drill-down lists a figure's records cut
// to what the caller may see of each kind.

export const DEFAULT_MASTHEAD = '“万名干部下基层”活动简报';

const invalid = (field: string, message: string) => new AppError('VALIDATION_FAILED', message, { field, fields: [{ field, message }] });

/** What is stored in bulletins.sections: the contract's sections plus the paragraph last generated. */
type StoredSections = BulletinSections & { generated: string };
type SnapshotSections = BulletinSections & { links: StatisticsText['links'] };

type Row = {
  id: number; campaign_id: number; campaign_name: string; campaign_starts_on: string; number: number; region_code: string; region_name: string;
  region_path: string; period_from: string; period_to: string; issued_on: string; masthead: string; title: string; office: string; sections: unknown;
  status: 'draft' | 'published'; version: number; created_at: Date; updated_at: Date; published_at: Date | null;
};

/** The bulletin is visible: its campaign is, and its region is inside the caller's region or contains it. */
function bulletinScope(actor: Actor, alias = 'b') {
  const s = actor.scope.regionPath;
  const col = `${alias}.region_path`;
  const region = s === null ? sql<boolean>`true` : (() => {
    const parts = s.split('/');
    const ancestors = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    return sql<boolean>`(${pathUnder(col, s)} or ${sql.ref(col)} in (${sql.join(ancestors)}))`;
  })();
  const drafts = can(actor, 'bulletin.write') ? sql<boolean>`true` : sql<boolean>`${sql.ref(`${alias}.status`)} = 'published'`;
  return sql<boolean>`(${region} and ${drafts} and ${campaignScope(actor, 'cp.region_path')})`;
}

const select = (db: Executor) => db.selectFrom('bulletins as b')
  .innerJoin('campaigns as cp', 'cp.id', 'b.campaign_id')
  .innerJoin('regions as r', 'r.code', 'b.region_code')
  .select([
    'b.id', 'b.campaign_id', 'cp.name as campaign_name', 'cp.starts_on as campaign_starts_on', 'b.number', 'b.region_code', 'r.name as region_name',
    'b.region_path', 'b.period_from', 'b.period_to', 'b.issued_on', 'b.masthead', 'b.title', 'b.office', 'b.sections', 'b.status', 'b.version',
    'b.created_at', 'b.updated_at', 'b.published_at',
  ]);

const summary = (r: Row): BulletinSummary => ({
  id: r.id, campaignId: r.campaign_id, campaignName: r.campaign_name, number: r.number, regionCode: r.region_code, regionName: r.region_name,
  from: r.period_from, to: r.period_to, issuedOn: r.issued_on, masthead: r.masthead, title: r.title, office: r.office, status: r.status,
  version: r.version, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(), publishedAt: r.published_at?.toISOString() ?? null,
});

const filterOf = (b: { campaign_id: number; region_path: string; period_from: string; period_to: string }): FigureFilter => ({
  campaignId: b.campaign_id, regionPath: b.region_path, unitPath: null, from: b.period_from, to: b.period_to,
});

// ── Generation ────────────────────────────────────────────────────────────────────────────────

type Place = { campaignId: number; campaignStartsOn: string; regionPath: string; regionName: string; from: string; to: string; issuedOn: string };

async function liveFigures(db: Executor, p: Place): Promise<FigureValue[]> {
  const filter: FigureFilter = { campaignId: p.campaignId, regionPath: p.regionPath, unitPath: null, from: p.from, to: p.to };
  return (await computeFigures(db, filter, figureKeys))[0]!.figures;
}

const paragraphOf = (p: Place, figures: FigureValue[]) =>
  statisticsParagraph({ figures, regionName: p.regionName, from: p.from, to: p.to, campaignStartsOn: p.campaignStartsOn, issuedOn: p.issuedOn });

/** Ranking and charts: the child regions (with names) and, for a period over a month, the months. */
async function rankingAndCharts(db: Executor, p: Place) {
  const filter: FigureFilter = { campaignId: p.campaignId, regionPath: p.regionPath, unitPath: null, from: p.from, to: p.to };
  const keys: FigureKey[] = ['householdsVisited', 'stayDays', 'diaries', 'problemsSolved'];
  const code = p.regionPath.split('/').pop()!;
  const hasChildren = await db.selectFrom('regions').select('code').where('parent_code', '=', code).limit(1).executeTakeFirst();
  const groups = hasChildren ? await computeFigures(db, filter, keys, 'childRegion') : [];
  const names = new Map(groups.length
    ? (await db.selectFrom('regions').select(['code', 'name']).where('code', '=', sql<string>`any(${groups.map((g) => g.group)}::text[])`).execute()).map((r) => [r.code, r.name])
    : []);
  const children = groups.map((g) => ({ code: g.group, name: names.get(g.group) ?? g.group, figures: g.figures }))
    // Regions where nothing happened add only noise to a printed table.
    .filter((c) => c.figures.some((f) => (f.value ?? 0) > 0));
  const months = p.from.slice(0, 7) === p.to.slice(0, 7) ? [] : (await computeFigures(db, filter, ['stayDays', 'householdsVisited'], 'month')).map((g) => ({ period: g.group, figures: g.figures }));
  const topChildren = [...children].sort((a, b) => (b.figures[0]?.value ?? 0) - (a.figures[0]?.value ?? 0)).slice(0, 15);
  return { ranking: childRanking(children, p.regionName), charts: bulletinCharts(topChildren, months) };
}

const excerptOf = (body: string, max = 150) => {
  const flat = body.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const end = Math.max(cut.lastIndexOf('。'), cut.lastIndexOf('！'), cut.lastIndexOf('？'));
  return end > max / 2 ? cut.slice(0, end + 1) : `${cut}……`;
};

/** Writings as highlights: the ids given (any submitted writing of the region), else the selected diaries and reports of the period. */
async function highlightsOf(db: Executor, p: Place, ids: { writingId: number; excerpt?: string | undefined }[] | undefined, field: string): Promise<BulletinHighlight[]> {
  let q = db.selectFrom('writings as w')
    .leftJoin('cadres as c', 'c.id', 'w.author_cadre_id')
    .leftJoin('teams as t', 't.id', 'w.team_id')
    .leftJoin('regions as r', 'r.code', 'w.region_code')
    .select(['w.id', 'w.kind', 'w.title', 'w.body', 'w.written_on', 'c.name as cadre_name', 't.name as team_name', 'r.name as region_name'])
    .where(pathUnder('w.region_path', p.regionPath))
    .where('w.status', '<>', 'draft');
  if (ids !== undefined) {
    const wanted = [...new Set(ids.map((i) => i.writingId))];
    if (wanted.length === 0) return [];
    const rows = await q.where('w.id', '=', sql<number>`any(${wanted}::int[])`).execute();
    const found = new Map(rows.map((r) => [r.id, r]));
    const missing = wanted.filter((id) => !found.has(id));
    if (missing.length) throw invalid(field, `文稿 ${missing.join('、')} 不存在、尚未提交或不在本期简报的区划内`);
    return ids.map((i) => {
      const r = found.get(i.writingId)!;
      return { writingId: r.id, kind: r.kind, title: r.title, author: r.cadre_name ?? r.team_name ?? '', regionName: r.region_name, writtenOn: r.written_on, excerpt: i.excerpt ?? excerptOf(r.body) };
    });
  }
  q = q.where('w.status', '=', 'selected').where('w.kind', 'in', ['diary', 'research_report'])
    .where('w.written_on', '>=', p.from).where('w.written_on', '<=', p.to)
    .where((eb) => eb.or([eb('w.campaign_id', '=', p.campaignId), eb('w.campaign_id', 'is', null)]));
  const rows = await q.orderBy(sql`w.selected_at desc nulls last`).orderBy('w.id', 'desc').limit(5).execute();
  return rows.map((r) => ({ writingId: r.id, kind: r.kind, title: r.title, author: r.cadre_name ?? r.team_name ?? '', regionName: r.region_name, writtenOn: r.written_on, excerpt: excerptOf(r.body) }));
}

const introOf = (p: Place, campaignName: string) =>
  `${p.from.slice(0, 4)}年以来，${p.regionName}深入开展“${campaignName}”活动，各级干部沉下身子、走进群众，面对面听民声、实打实解民忧，活动取得阶段性成效。`;

async function generate(db: Executor, p: Place, campaignName: string, highlightIds: number[] | undefined): Promise<{ sections: StoredSections; figures: FigureValue[] }> {
  const [figures, { ranking, charts }, highlights] = await Promise.all([
    liveFigures(db, p), rankingAndCharts(db, p), highlightsOf(db, p, highlightIds?.map((writingId) => ({ writingId })), 'highlightIds'),
  ]);
  const para = paragraphOf(p, figures);
  return { sections: { intro: introOf(p, campaignName), statistics: para.text, generated: para.text, highlights, ranking, charts, closing: '' }, figures };
}

// ── Reading ───────────────────────────────────────────────────────────────────────────────────

const placeOf = (r: Row): Place => ({
  campaignId: r.campaign_id, campaignStartsOn: r.campaign_starts_on, regionPath: r.region_path, regionName: r.region_name, from: r.period_from, to: r.period_to, issuedOn: r.issued_on,
});

const allowedFor = (actor: Actor, r: Row) => ({
  edit: r.status === 'draft' && can(actor, 'bulletin.write'),
  publish: r.status === 'draft' && can(actor, 'bulletin.publish'),
});

/** `known`: the live figures when the caller has just computed them. */
async function toDto(db: Executor, actor: Actor, r: Row, known?: FigureValue[]): Promise<BulletinDto> {
  if (r.status === 'published') {
    const snap = await db.selectFrom('bulletin_snapshots').select(['figures', 'sections', 'published_at']).where('bulletin_id', '=', r.id).executeTakeFirstOrThrow();
    const { links, ...sections } = snap.sections as SnapshotSections;
    return { ...summary(r), sections, figures: snap.figures as FigureValue[], links, live: false, computedAt: snap.published_at.toISOString(), allowed: allowedFor(actor, r) };
  }
  const stored = r.sections as StoredSections;
  const place = placeOf(r);
  const figures = known ?? await liveFigures(db, place);
  const para = paragraphOf(place, figures);
  const { generated, ...sections } = stored;
  // An unedited paragraph follows the live figures; an edited one stays as written.
  if (stored.statistics === generated) sections.statistics = para.text;
  return { ...summary(r), sections, figures, links: para.links, live: true, computedAt: new Date().toISOString(), allowed: allowedFor(actor, r) };
}

async function visibleRow(db: Executor, actor: Actor, id: number): Promise<Row> {
  const r = await select(db).where('b.id', '=', id).where(bulletinScope(actor)).executeTakeFirst();
  if (!r) throw notFound('简报', id);
  return r;
}

export async function getBulletin(db: Executor, actor: Actor, id: number): Promise<BulletinDto> {
  return toDto(db, actor, await visibleRow(db, actor, id));
}

export async function listBulletins(db: Executor, actor: Actor, f: BulletinListQuery) {
  let q = db.selectFrom('bulletins as b').innerJoin('campaigns as cp', 'cp.id', 'b.campaign_id').where(bulletinScope(actor));
  if (f.campaignId) q = q.where('b.campaign_id', '=', f.campaignId);
  if (f.status) q = q.where('b.status', '=', f.status);
  if (f.region) {
    const region = await db.selectFrom('regions').select('path').where('code', '=', f.region).where(regionScope(actor, 'regions.path')).executeTakeFirst();
    if (!region) throw notFound('区划', f.region);
    q = q.where(pathUnder('b.region_path', region.path));
  }
  const ids = q.select('b.id');
  const [rows, count] = await Promise.all([
    select(db).where('b.id', 'in', ids).orderBy('b.issued_on', 'desc').orderBy('b.campaign_id').orderBy('b.number', 'desc')
      .limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
    q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(summary), total: count.n, page: f.page, pageSize: f.pageSize };
}

// ── Writing ───────────────────────────────────────────────────────────────────────────────────

export type WriteOptions = { now?: Date };

export async function createBulletin(db: Executor, actor: Actor, input: CreateBulletin, opts: WriteOptions = {}): Promise<BulletinDto> {
  assertCan(actor, 'bulletin.write');
  const v = parseInput(createSchema, input);
  const now = opts.now ?? new Date();
  const campaign = await visibleCampaign(db, actor, v.campaignId);
  const region = await db.selectFrom('regions').select(['code', 'name', 'path']).where('code', '=', v.regionCode).where(regionScope(actor, 'regions.path')).executeTakeFirst();
  if (!region) throw notFound('区划', v.regionCode);
  if (!isUnder(region.path, campaign.region_path)) throw invalid('regionCode', `区划“${region.name}”不在活动“${campaign.name}”的区划之内`);
  const issuedOn = v.issuedOn ?? chinaToday(now);
  const place: Place = { campaignId: campaign.id, campaignStartsOn: campaign.starts_on, regionPath: region.path, regionName: region.name, from: v.from, to: v.to, issuedOn };
  // Generated before the number is taken, so the counter row stays locked only for the insert.
  const { sections, figures } = await generate(db, place, campaign.name, v.highlightIds);
  const office = v.office ?? `${region.name}“${campaign.name}”活动办公室`;
  const title = v.title ?? `${region.name}“${campaign.name}”活动进展情况`;
  return inTransaction(db, async (tx) => {
    const { last_number: number } = await tx.insertInto('bulletin_counters').values({ campaign_id: campaign.id, last_number: 1 })
      .onConflict((oc) => oc.column('campaign_id').doUpdateSet({ last_number: sql`bulletin_counters.last_number + 1` }))
      .returning('last_number').executeTakeFirstOrThrow();
    const { id } = await tx.insertInto('bulletins').values({
      campaign_id: campaign.id, number, region_code: region.code, region_path: region.path, period_from: v.from, period_to: v.to, issued_on: issuedOn,
      masthead: v.masthead ?? DEFAULT_MASTHEAD, title, office, sections: JSON.stringify(sections), created_by: actor.userId, created_at: now, updated_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    await recordAudit(tx, actor, {
      action: 'bulletin.create', entity: 'bulletin', entityId: id,
      detail: { campaignId: campaign.id, number, regionCode: region.code, from: v.from, to: v.to, title },
      where: { regionPath: region.path, unitPath: null },
    });
    return toDto(tx, actor, await visibleRow(tx, actor, id), figures);
  });
}

/** The draft locked for a change: 404 out of scope, 409 when published or when the version is stale. */
async function lockedDraft(db: Executor, actor: Actor, id: number, version: number | undefined): Promise<Row> {
  const r = await select(db).where('b.id', '=', id).where(bulletinScope(actor)).forUpdate('b').executeTakeFirst();
  if (!r) throw notFound('简报', id);
  if (r.status === 'published') throw new AppError('CONFLICT', `第${r.number}期简报已于 ${r.published_at!.toISOString().slice(0, 10)} 印发，不能再修改`, { status: r.status });
  if (version !== undefined && r.version !== version) {
    throw new AppError('CONFLICT', `简报已被他人修改（当前版本 ${r.version}，您读取的是 ${version}），请刷新后重试`, { field: 'version', currentVersion: r.version });
  }
  return r;
}

export async function updateBulletin(db: Executor, actor: Actor, id: number, input: UpdateBulletin, opts: WriteOptions = {}): Promise<BulletinDto> {
  assertCan(actor, 'bulletin.write');
  const v = parseInput(updateSchema, input);
  const now = opts.now ?? new Date();
  return inTransaction(db, async (tx) => {
    const r = await lockedDraft(tx, actor, id, v.version);
    const place = { ...placeOf(r), issuedOn: v.issuedOn ?? r.issued_on };
    let sections = r.sections as StoredSections;
    if (v.regenerate) {
      const { sections: fresh } = await generate(tx, place, r.campaign_name, sections.highlights.map((h) => h.writingId));
      sections = { ...fresh, intro: sections.intro, closing: sections.closing, highlights: sections.highlights };
    } else if (v.statistics !== undefined && v.statistics === paragraphOf(place, await liveFigures(tx, place)).text) {
      // Sent back unchanged from what the page showed: still the generated paragraph.
      sections = { ...sections, statistics: sections.generated };
    } else if (v.statistics !== undefined) {
      sections = { ...sections, statistics: v.statistics };
    }
    if (v.intro !== undefined) sections = { ...sections, intro: v.intro };
    if (v.closing !== undefined) sections = { ...sections, closing: v.closing };
    if (v.highlights !== undefined) sections = { ...sections, highlights: await highlightsOf(tx, place, v.highlights, 'highlights') };
    const changes = {
      title: v.title ?? r.title, office: v.office ?? r.office, masthead: v.masthead ?? r.masthead, issued_on: place.issuedOn,
    };
    await tx.updateTable('bulletins').set({ ...changes, sections: JSON.stringify(sections), version: r.version + 1, updated_at: now }).where('id', '=', id).execute();
    await recordAudit(tx, actor, {
      action: 'bulletin.update', entity: 'bulletin', entityId: id,
      detail: { version: r.version + 1, fields: Object.keys(v).filter((k) => k !== 'version') },
      where: { regionPath: r.region_path, unitPath: null },
    });
    return getBulletin(tx, actor, id);
  });
}

/** Publishes a draft: the snapshot of figures, final sections and every figure's record ids. */
export async function publishBulletin(db: Executor, actor: Actor, id: number, version?: number, opts: WriteOptions = {}): Promise<BulletinDto> {
  assertCan(actor, 'bulletin.publish');
  const now = opts.now ?? new Date();
  return inTransaction(db, async (tx) => {
    const r = await lockedDraft(tx, actor, id, version);
    const place = placeOf(r);
    const stored = r.sections as StoredSections;
    const figures = await liveFigures(tx, place);
    const para = paragraphOf(place, figures);
    const { ranking, charts } = await rankingAndCharts(tx, place);
    const { generated, ...rest } = stored;
    const sections: SnapshotSections = {
      ...rest, ranking, charts, links: para.links,
      statistics: stored.statistics === generated ? para.text : stored.statistics,
    };
    const filter = filterOf(r);
    const records: { bulletin_id: number; figure: string; record_kind: FigureRecordKind; record_ids: number[] }[] = [];
    for (const key of figureKeys) {
      const { kind, ids } = await figureRecordIds(tx, filter, key);
      records.push({ bulletin_id: id, figure: key, record_kind: kind, record_ids: ids });
    }
    await tx.insertInto('bulletin_snapshots').values({
      bulletin_id: id, figures: JSON.stringify(figures), sections: JSON.stringify(sections),
      scope: JSON.stringify({ campaign: { id: r.campaign_id, name: r.campaign_name }, region: { code: r.region_code, name: r.region_name }, from: r.period_from, to: r.period_to }),
      published_at: now,
    }).execute();
    for (const rec of records) await tx.insertInto('bulletin_snapshot_records').values(rec).execute();
    await tx.updateTable('bulletins').set({ status: 'published', published_at: now, published_by: actor.userId, version: r.version + 1, updated_at: now }).where('id', '=', id).execute();
    await recordAudit(tx, actor, {
      action: 'bulletin.publish', entity: 'bulletin', entityId: id,
      detail: { number: r.number, campaignId: r.campaign_id, figures: Object.fromEntries(figures.map((f) => [f.key, f.value])) },
      where: { regionPath: r.region_path, unitPath: null },
    });
    return getBulletin(tx, actor, id);
  });
}

// ── Drill-down ────────────────────────────────────────────────────────────────────────────────

const day = (d: Date | string | null) => (d === null ? null : typeof d === 'string' ? d : new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(d));

/** The records of one kind with these ids that the caller may see, in the ids' order. */
async function describeRecords(db: Executor, actor: Actor, kind: FigureRecordKind, ids: number[]): Promise<FigureRecord[]> {
  if (ids.length === 0) return [];
  const idList = sql<number>`any(${ids}::int[])`;
  let rows: FigureRecord[];
  switch (kind) {
    case 'activity': {
      const rs = await db.selectFrom('activities as a').leftJoin('regions as r', 'r.code', 'a.region_code')
        .select(['a.id', 'a.title', 'a.kind', 'a.starts_at', 'a.stay_days', 'a.attendees', 'r.name as region_name',
          sql<string>`(select string_agg(c.name, '、' order by c.name) from activity_participants p join cadres c on c.id = p.cadre_id where p.activity_id = a.id)`.as('people')])
        .where('a.id', '=', idList).where(activityScope(actor, 'a')).execute();
      rows = rs.map((a) => ({ kind, id: a.id, date: day(a.starts_at), title: a.title, regionName: a.region_name, people: a.people ?? '', contributes: null, link: `/activities/${a.id}` }));
      break;
    }
    case 'writing': {
      const rs = await db.selectFrom('writings as w').leftJoin('cadres as c', 'c.id', 'w.author_cadre_id').leftJoin('teams as t', 't.id', 'w.team_id').leftJoin('regions as r', 'r.code', 'w.region_code')
        .select(['w.id', 'w.title', 'w.written_on', 'c.name as cadre_name', 't.name as team_name', 'r.name as region_name'])
        .where('w.id', '=', idList).where(writingScope(actor, 'w')).execute();
      rows = rs.map((w) => ({ kind, id: w.id, date: w.written_on, title: w.title, regionName: w.region_name, people: w.cadre_name ?? w.team_name ?? '', contributes: 1, link: `/writings/${w.id}` }));
      break;
    }
    case 'matter': {
      const rs = await db.selectFrom('practical_matters as m').leftJoin('cadres as c', 'c.id', 'm.cadre_id').leftJoin('regions as r', 'r.code', 'm.region_code')
        .select(['m.id', 'm.title', 'm.promised_on', 'm.done_on', 'm.amount_fen', 'c.name as cadre_name', 'r.name as region_name'])
        .where('m.id', '=', idList).where(matterScope(actor, 'm')).execute();
      rows = rs.map((m) => ({ kind, id: m.id, date: m.done_on ?? m.promised_on, title: m.title, regionName: m.region_name, people: m.cadre_name ?? '', contributes: m.amount_fen, link: `/matters/${m.id}` }));
      break;
    }
    case 'ticket': {
      const rs = await db.selectFrom('tickets as t').leftJoin('regions as r', 'r.code', 't.region_code')
        .select(['t.id', 't.title', 't.tracking_code', 't.created_at', 'r.name as region_name'])
        .where('t.id', '=', idList).where(ticketScope(actor, 't')).execute();
      rows = rs.map((t) => ({ kind, id: t.id, date: day(t.created_at), title: `${t.tracking_code} ${t.title}`, regionName: t.region_name, people: '', contributes: 1, link: `/tickets/${t.id}` }));
      break;
    }
    case 'pairing': {
      const rs = await db.selectFrom('pairings as p').innerJoin('contact_targets as ct', 'ct.id', 'p.target_id').leftJoin('cadres as c', 'c.id', 'p.cadre_id').leftJoin('teams as t', 't.id', 'p.team_id')
        .select(['p.id', 'p.starts_on', 'ct.name as target_name', 'c.name as cadre_name', 't.name as team_name'])
        .where('p.id', '=', idList).where(regionScope(actor, 'ct.region_path')).execute();
      rows = rs.map((p) => ({ kind, id: p.id, date: p.starts_on, title: `结对：${p.cadre_name ?? p.team_name ?? ''} ↔ ${p.target_name}`, regionName: null, people: p.cadre_name ?? p.team_name ?? '', contributes: null, link: null }));
      break;
    }
    case 'team': {
      const rs = await db.selectFrom('teams as t').select(['t.id', 't.name', 't.created_at']).where('t.id', '=', idList).execute();
      rows = rs.map((t) => ({ kind, id: t.id, date: day(t.created_at), title: t.name, regionName: null, people: '', contributes: 1, link: null }));
      break;
    }
    default: {
      // complianceRate keeps the subjects (cadres) of the compliance rows.
      const rs = await db.selectFrom('cadres as c').innerJoin('units as u', 'u.id', 'c.unit_id').select(['c.id', 'c.name', 'u.name as unit_name'])
        .where('c.id', '=', idList).where(actor.scope.unitPath === null ? sql<boolean>`true` : pathUnder('u.path', actor.scope.unitPath)).execute();
      rows = rs.map((c) => ({ kind, id: c.id, date: null, title: `${c.name}（${c.unit_name}）`, regionName: null, people: c.name, contributes: null, link: `/cadres/${c.id}` }));
    }
  }
  const order = new Map(ids.map((id, i) => [id, i]));
  return rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

/** The records behind one figure: published = the ids stored at publishing; draft = as of now. */
export async function bulletinRecords(db: Executor, actor: Actor, id: number, q: { figure: FigureKey; page: number; pageSize: number }): Promise<BulletinRecordsResult> {
  const r = await visibleRow(db, actor, id);
  let kind: FigureRecordKind;
  let ids: number[];
  let figure: FigureValue;
  if (r.status === 'published') {
    const rec = await db.selectFrom('bulletin_snapshot_records').select(['record_kind', 'record_ids']).where('bulletin_id', '=', id).where('figure', '=', q.figure).executeTakeFirst();
    const snap = await db.selectFrom('bulletin_snapshots').select('figures').where('bulletin_id', '=', id).executeTakeFirstOrThrow();
    kind = (rec?.record_kind ?? 'activity') as FigureRecordKind;
    ids = rec?.record_ids ?? [];
    figure = (snap.figures as FigureValue[]).find((f) => f.key === q.figure) ?? { key: q.figure, value: null };
  } else {
    ({ kind, ids } = await figureRecordIds(db, filterOf(r), q.figure));
    figure = (await computeFigures(db, filterOf(r), [q.figure]))[0]!.figures[0]!;
  }
  // Cut to what the caller may see, then paged (a page of ids at a time for big figures).
  const visible = await visibleIds(db, actor, kind, ids);
  const pageIds = visible.slice((q.page - 1) * q.pageSize, q.page * q.pageSize);
  return { items: await describeRecords(db, actor, kind, pageIds), total: visible.length, page: q.page, pageSize: q.pageSize, figure, recordKind: kind, frozen: r.status === 'published' };
}

/** The ids the caller may see (unscoped callers: all of them, without a query). */
async function visibleIds(db: Executor, actor: Actor, kind: FigureRecordKind, ids: number[]): Promise<number[]> {
  if ((actor.scope.regionPath === null && actor.scope.unitPath === null) || ids.length === 0 || kind === 'team') return ids;
  const idList = sql<number>`any(${ids}::int[])`;
  let rows: { id: number }[];
  switch (kind) {
    case 'activity': rows = await db.selectFrom('activities as a').select('a.id').where('a.id', '=', idList).where(activityScope(actor, 'a')).execute(); break;
    case 'writing': rows = await db.selectFrom('writings as w').select('w.id').where('w.id', '=', idList).where(writingScope(actor, 'w')).execute(); break;
    case 'matter': rows = await db.selectFrom('practical_matters as m').select('m.id').where('m.id', '=', idList).where(matterScope(actor, 'm')).execute(); break;
    case 'ticket': rows = await db.selectFrom('tickets as t').select('t.id').where('t.id', '=', idList).where(ticketScope(actor, 't')).execute(); break;
    case 'pairing': rows = await db.selectFrom('pairings as p').innerJoin('contact_targets as ct', 'ct.id', 'p.target_id').select('p.id').where('p.id', '=', idList).where(regionScope(actor, 'ct.region_path')).execute(); break;
    default: rows = await db.selectFrom('cadres as c').innerJoin('units as u', 'u.id', 'c.unit_id').select('c.id').where('c.id', '=', idList)
      .where(actor.scope.unitPath === null ? sql<boolean>`true` : pathUnder('u.path', actor.scope.unitPath)).execute();
  }
  const keep = new Set(rows.map((x) => x.id));
  return ids.filter((x) => keep.has(x));
}
