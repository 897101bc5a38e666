import type { Executor } from '../../db/database.ts';
import type { Actor } from '../auth/actor.ts';
import { createBulletin, publishBulletin, updateBulletin } from '../bulletins/bulletins.ts';
import { chinaToday } from '../campaigns/campaigns.ts';

// Demo bulletins for the Xiangshan campaign: 第1期 and 第2期 published at the start of the month
// after their period (figures from the campaign's start to the end of that month), and 第3期 a
// draft up to yesterday, ready to be edited and published.

const masthead = '“联镇带村谋发展 蹲点联系办实事”活动简报';
const office = '象山县主题实践活动办公室';

/** The last day of the month `back` months before `today`'s month. */
const monthEnd = (today: string, back: number) => {
  const [y, m] = today.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 - back + 1, 0)).toISOString().slice(0, 10);
};
const dayAfter = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

export async function loadDemoBulletins(tx: Executor, actor: Actor, ctx: { campaignId: number; today?: string }): Promise<{ published: number; drafts: number }> {
  const today = ctx.today ?? chinaToday();
  const campaign = await tx.selectFrom('campaigns').select(['starts_on', 'region_code']).where('id', '=', ctx.campaignId).executeTakeFirstOrThrow();
  const issues = [
    { to: monthEnd(today, 2), title: '全县蹲点调研活动扎实开局', closing: '下一步，各级领导干部要继续沉下身子、深入一线，把蹲点调研的成果转化为推动发展、服务群众的实际成效。' },
    { to: monthEnd(today, 1), title: '县乡两级领导干部蹲点调研活动扎实推进', closing: '各镇乡（街道）要对照活动要求，查漏补缺，确保联系村（社区）走访全覆盖、困难群众慰问不漏户。' },
  ].filter((i) => i.to >= campaign.starts_on);
  let published = 0;
  for (const i of issues) {
    const issuedOn = dayAfter(i.to);
    const now = new Date(`${issuedOn}T10:00:00+08:00`);
    const b = await createBulletin(tx, actor, { campaignId: ctx.campaignId, regionCode: campaign.region_code, from: campaign.starts_on, to: i.to, issuedOn, masthead, office, title: i.title }, { now });
    const edited = await updateBulletin(tx, actor, b.id, { version: b.version, closing: i.closing }, { now });
    await publishBulletin(tx, actor, b.id, edited.version, { now });
    published++;
  }
  const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  if (yesterday < campaign.starts_on) return { published, drafts: 0 };
  await createBulletin(tx, actor, { campaignId: ctx.campaignId, regionCode: campaign.region_code, from: campaign.starts_on, to: yesterday, masthead, office, title: '蹲点调研活动取得阶段性成效' });
  return { published, drafts: 1 };
}
