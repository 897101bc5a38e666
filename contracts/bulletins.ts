import { z } from 'zod';
import { dbId, dbIdQuery, pageOf, paging, storableString } from './common.ts';
import { figureKey, figureRecord, figureValue, type FigureKey } from './statistics.ts';
import { writingKind } from './writings.ts';

// Bulletins (简报, issue 7): a numbered report (第N期) for a campaign, a region and a period. A draft
// is generated from the statistics (the figures paragraph in the articles' style, a ranking of
// the child regions, charts, selected writings as highlights) and edited before publishing;
// publishing freezes a snapshot (figures, final text, the records behind each figure).

const day = z.iso.date({ message: '日期格式应为 YYYY-MM-DD' });
const text = (max: number) => storableString.pipe(z.string().max(max, `最长${max}个字`));

export const bulletinStatuses = ['draft', 'published'] as const;
export const bulletinStatus = z.enum(bulletinStatuses);
export type BulletinStatus = z.infer<typeof bulletinStatus>;
export const bulletinStatusLabels: Record<BulletinStatus, { zh: string; en: string }> = {
  draft: { zh: '草稿', en: 'Draft' },
  published: { zh: '已印发', en: 'Published' },
};

export const bulletinHighlight = z.object({
  writingId: z.number().int(),
  kind: writingKind,
  title: z.string(),
  author: z.string(),
  regionName: z.string().nullable(),
  writtenOn: z.string(),
  excerpt: z.string(),
});
export type BulletinHighlight = z.infer<typeof bulletinHighlight>;

/** Child regions ranked by one figure, with a few more figures as columns. */
export const bulletinRanking = z.object({
  title: z.string(),
  by: figureKey,
  columns: z.array(figureKey),
  rows: z.array(z.object({ rank: z.number().int(), code: z.string(), name: z.string(), values: z.array(z.number().nullable()) })),
});
export type BulletinRanking = z.infer<typeof bulletinRanking>;

export const bulletinChart = z.object({
  id: z.string(),
  title: z.string(),
  type: z.enum(['bar', 'line']),
  categories: z.array(z.string()),
  series: z.array(z.object({ name: z.string(), figure: figureKey, data: z.array(z.number()) })),
});
export type BulletinChart = z.infer<typeof bulletinChart>;

export const bulletinSections = z.object({
  /** The opening paragraph (what the campaign did in the period). */
  intro: z.string(),
  /** The statistics paragraph, generated from the figures, editable. */
  statistics: z.string(),
  highlights: z.array(bulletinHighlight),
  ranking: bulletinRanking.nullable(),
  charts: z.array(bulletinChart),
  closing: z.string(),
});
export type BulletinSections = z.infer<typeof bulletinSections>;

/** A piece of the statistics paragraph that stands for a figure (the web makes it a link). */
export const bulletinFigureLink = z.object({ figure: figureKey, text: z.string() });

const bulletinBase = z.object({
  id: z.number().int(),
  campaignId: z.number().int(),
  campaignName: z.string(),
  number: z.number().int(),
  regionCode: z.string(),
  regionName: z.string(),
  from: z.string(),
  to: z.string(),
  issuedOn: z.string(),
  masthead: z.string(),
  title: z.string(),
  office: z.string(),
  status: bulletinStatus,
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  publishedAt: z.string().nullable(),
});
export const bulletinSummary = bulletinBase;
export type BulletinSummary = z.infer<typeof bulletinSummary>;

export const bulletin = bulletinBase.extend({
  sections: bulletinSections,
  /** Draft: computed now from the records; published: the snapshot. */
  figures: z.array(figureValue),
  links: z.array(bulletinFigureLink),
  /** True for a draft: figures are live and may change until publishing. */
  live: z.boolean(),
  computedAt: z.string(),
  allowed: z.object({ edit: z.boolean(), publish: z.boolean() }),
});
export type BulletinDto = z.infer<typeof bulletin>;

export const createBulletin = z.object({
  campaignId: dbId,
  regionCode: z.string().regex(/^\d{6,20}$/, '区划代码应为数字'),
  from: day,
  to: day,
  issuedOn: day.optional().describe('印发日期; absent = today'),
  title: text(200).pipe(z.string().trim().min(1, '标题不能为空')).optional(),
  office: text(100).pipe(z.string().trim().min(1, '发文机关不能为空')).optional(),
  masthead: text(60).pipe(z.string().trim().min(1, '报头不能为空')).optional(),
  /** Writings to feature; absent = the selected (入选) diaries and reports of the region and period. */
  highlightIds: z.array(dbId).max(20, '亮点最多20篇').optional(),
}).refine((b) => b.to >= b.from, { path: ['to'], message: '结束日期不能早于开始日期' });
export type CreateBulletin = z.infer<typeof createBulletin>;

export const updateBulletin = z.object({
  /** The version read; a stale one is a 409 and nothing changes. */
  version: z.number().int().min(1),
  title: text(200).pipe(z.string().trim().min(1, '标题不能为空')).optional(),
  office: text(100).pipe(z.string().trim().min(1, '发文机关不能为空')).optional(),
  masthead: text(60).pipe(z.string().trim().min(1, '报头不能为空')).optional(),
  issuedOn: day.optional(),
  intro: text(5000).optional(),
  statistics: text(5000).optional(),
  closing: text(5000).optional(),
  /** The featured writings in order, each with an optional edited excerpt. */
  highlights: z.array(z.object({ writingId: dbId, excerpt: text(1000).optional() })).max(20, '亮点最多20篇').optional(),
  /** Regenerate the statistics paragraph, ranking and charts from the figures as of now. */
  regenerate: z.boolean().optional(),
});
export type UpdateBulletin = z.infer<typeof updateBulletin>;

export const bulletinListQuery = paging.extend({
  campaignId: dbIdQuery.optional(),
  region: z.string().regex(/^\d{6,20}$/, '区划代码应为数字').optional().describe('bulletins of this region and the regions under it'),
  status: bulletinStatus.optional(),
});
export type BulletinListQuery = z.infer<typeof bulletinListQuery>;

export const bulletinRecordsQuery = paging.extend({ figure: figureKey });
export const bulletinRecordsResult = pageOf(figureRecord).extend({
  figure: figureValue,
  recordKind: figureRecord.shape.kind,
  /** Published: records stored at publishing; the ids stay even if the records changed since. */
  frozen: z.boolean(),
});
export type BulletinRecordsResult = z.infer<typeof bulletinRecordsResult>;

/** Writings that may be featured in a bulletin (the picker on the edit page). */
export const bulletinCandidatesResult = z.object({ items: z.array(bulletinHighlight.extend({ status: z.string() })) });

/** Where each figure's phrase sits in a (possibly edited) paragraph: pieces for the web and the docx. */
export function splitByLinks(text: string, links: { figure: FigureKey; text: string }[]): { text: string; figure?: FigureKey }[] {
  const found = links
    .map((l) => ({ ...l, at: text.indexOf(l.text) }))
    .filter((l) => l.at >= 0)
    .sort((a, b) => a.at - b.at);
  const out: { text: string; figure?: FigureKey }[] = [];
  let pos = 0;
  for (const l of found) {
    if (l.at < pos) continue;
    if (l.at > pos) out.push({ text: text.slice(pos, l.at) });
    out.push({ text: l.text, figure: l.figure });
    pos = l.at + l.text.length;
  }
  if (pos < text.length) out.push({ text: text.slice(pos) });
  return out;
}
