import { sql } from 'kysely';
import { createTarget, type NewTarget } from '../../../contracts/targets.ts';
import type { Executor } from '../../db/database.ts';
import type { PersonalDataKey } from '../../lib/personal-data.ts';
import { creditCodeCheckChar, idNumberCheckChar } from '../../lib/validators.ts';
import type { Actor } from '../auth/actor.ts';
import { addCoverageRule } from '../coverage/coverage.ts';
import { applyPairingChanges } from '../pairings/pairings.ts';
import { proposePlan } from '../planner/planner.ts';
import { ensurePlaceTargets, targetRow } from '../targets/targets.ts';
import { makeNamer } from './names.ts';

// The demo campaign, after the Xiangshan article (2007): 联镇带村谋发展，蹲点联系办实事 — county
// leaders lead 18 research groups (调研组) to 18 villages; departments and township committees pair
// with villages, households, enterprises and key projects. Pairings come from the planner, applied
// through the same batch as the UI uses, with two townships' households left for the admin to plan,
// so the coverage dashboard shows real gaps.

const householdTags = ['困难户', '低保', '五保', '老党员', '百岁老人', '留守', '残疾'];
const industries = ['水产加工', '针织服装', '机械制造', '文旅民宿', '汽配模具', '电子元件', '海洋渔业'];
const enterpriseTags = ['规上工业', '专精特新', '科技型中小'];
const projects: [name: string, level: 'province' | 'city' | 'county', stage: string, yuan: number][] = [
  ['象山港疏港高速配套工程', 'province', '在建', 1_280_000_000], ['石浦渔港经济区改造', 'city', '在建', 460_000_000],
  ['影视城三期', 'city', '前期', 350_000_000], ['西周镇生态农业园', 'county', '在建', 86_000_000],
  ['爵溪针织产业园扩建', 'county', '在建', 120_000_000], ['高塘岛海水淡化站', 'county', '前期', 42_000_000],
  ['县城污水管网提升', 'county', '竣工', 65_000_000], ['鹤浦海岛旅游码头', 'city', '在建', 98_000_000],
];

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** An ID number (GB 11643) of someone registered in Xiangshan, with a valid check character. */
function idNumberFor(random: () => number): string {
  const year = 1935 + Math.floor(random() * 70);
  const body = `330225${year}${pad(1 + Math.floor(random() * 12), 2)}${pad(1 + Math.floor(random() * 28), 2)}${pad(Math.floor(random() * 1000), 3)}`;
  return body + idNumberCheckChar(body);
}

/** A unified social credit code (GB 32100) registered in Xiangshan, with a valid check character. */
function creditCodeFor(random: () => number): string {
  const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  let body = '91330225';
  while (body.length < 17) body += chars[Math.floor(random() * chars.length)];
  return body + creditCodeCheckChar(body);
}

export async function loadDemoCampaign(tx: Executor, actor: Actor, key: PersonalDataKey, random: () => number) {
  const namer = makeNamer(random);
  const countyCode = '330225000000';
  const county = await tx.selectFrom('regions').select(['code', 'name', 'path', 'level']).where('code', '=', countyCode).executeTakeFirstOrThrow();
  const townships = await tx.selectFrom('regions').select(['code', 'name', 'path']).where('parent_code', '=', countyCode).orderBy('code').execute();
  const villages = await tx.selectFrom('regions').select(['code', 'name', 'path', 'level']).where('level', '=', 'village').where('path', 'like', `${county.path}/%`).orderBy('code').execute();

  // Targets: every village and community; 2,400 households; 60 enterprises; 8 key projects.
  await ensurePlaceTargets(tx, actor, countyCode);
  const drafts: { draft: NewTarget; region: (typeof villages)[number] }[] = [];
  for (let i = 0; i < 2400; i++) {
    const v = villages[Math.floor(random() * villages.length)]!;
    const head = namer.name();
    const tags = householdTags.filter(() => random() < 0.12);
    drafts.push({
      region: v,
      draft: createTarget.parse({
        kind: 'household', regionCode: v.code, address: `${v.name}${1 + Math.floor(random() * 300)}号`, tags,
        attrs: { head, members: [{ name: namer.name(), relation: '配偶' }] }, idNumber: idNumberFor(random), phone: namer.phone(),
      }),
    });
  }
  for (let i = 0; i < 60; i++) {
    const v = villages[Math.floor(random() * villages.length)]!;
    const industry = namer.pick(industries);
    drafts.push({
      region: v,
      draft: createTarget.parse({
        kind: 'enterprise', name: `象山${namer.name().slice(1)}${industry}有限公司`, regionCode: v.code, creditCode: creditCodeFor(random),
        tags: enterpriseTags.filter(() => random() < 0.3), attrs: { industry, contactPerson: namer.name() },
      }),
    });
  }
  projects.forEach(([name, level, stage, yuan], i) => {
    const t = townships[(i * 5) % townships.length]!;
    drafts.push({
      region: { ...t, level: 'township' as const },
      draft: createTarget.parse({ kind: 'project', name, regionCode: t.code, investmentFen: yuan * 100, attrs: { level, site: t.name, stage } }),
    });
  });
  const now = new Date();
  const rows = drafts.map(({ draft, region }) => targetRow(key, draft, { ...region, level: region.level as 'village' }, now));
  for (let i = 0; i < rows.length; i += 500) await tx.insertInto('contact_targets').values(rows.slice(i, i + 500)).execute();

  // The campaign, its units and the townships each answers for.
  const campaign = await tx
    .insertInto('campaigns')
    .values({
      name: '联镇带村谋发展，蹲点联系办实事', starts_on: '2026-03-20', ends_on: '2026-12-31', region_code: countyCode, region_path: county.path,
      description: '县四套班子成员带领各部门和镇乡（街道）负责同志，联镇带村、蹲点调研，听民声解民忧，送温暖谋发展。',
      themes: ['联镇带村谋发展', '蹲点联系办实事'],
      special_actions: ['城镇建设攻坚助推', '企业转型指导帮扶', '民生民意调研解难', '生态环境整治优化', '基层基础巩固提升'],
      cadre_roles: ['宣传员', '指导员', '规划员', '情报员', '服务员'],
      tasks: JSON.stringify({ enterprise: ['摸实情', '讲政策', '解难题', '推项目', '优环境'], household: ['走访慰问', '宣讲政策', '收集诉求'] }),
      // Xiangshan: each cadre visits each paired household at least 4 times a year; link cadres see their village twice a week.
      visit_frequency: JSON.stringify({ household: { times: 4, per: 'year' }, village: { times: 2, per: 'week' }, community: { times: 2, per: 'week' }, enterprise: { times: 1, per: 'month' }, project: { times: 4, per: 'month' } }),
      updated_at: now,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
  const units = await tx.selectFrom('units').select(['id', 'level', 'region_code', 'parent_id']).orderBy('id').execute();
  const townshipCodes = townships.map((t) => t.code);
  let d = 0;
  await tx.insertInto('campaign_units').values(units.map((u) => ({
    campaign_id: campaign.id,
    unit_id: u.id,
    // Township committees answer for their township; each department for one township (联镇);
    // the county committee's leaders for the whole county.
    responsible_regions: u.level === 'township' ? [u.region_code] : u.parent_id === null ? townshipCodes : [townshipCodes[d++ % townshipCodes.length]!],
  }))).execute();

  // The articles' coverage rules.
  const rules = [
    { kind: 'target_cadres', description: '每个村（社区）至少有1名县级或科级干部联系', params: { targetKinds: ['village', 'community'], min: 1, cadreRanks: ['county', 'section'] } },
    { kind: 'target_cadres', description: '每户由2名以上干部结对联系', params: { targetKinds: ['household'], min: 2 } },
    { kind: 'cadre_targets', description: '每名干部联系农户5户左右，不超过6户', params: { targetKinds: ['household'], max: 6 } },
    { kind: 'target_cadres', description: '每个规上、专精特新企业有干部联系', params: { targetKinds: ['enterprise'], min: 1 } },
    { kind: 'target_cadres', description: '每个重点项目有县级或科级干部联系', params: { targetKinds: ['project'], min: 1, cadreRanks: ['county', 'section'] } },
    { kind: 'unit_leader_named', description: '每个参加单位明确责任领导', params: {} },
  ] as const;
  for (const r of rules) await addCoverageRule(tx, actor, campaign.id, r as Parameters<typeof addCoverageRule>[3]);

  // 18 research groups (调研组), each led by a county leader, each to one village of its township.
  const leaders = await tx.selectFrom('cadres').select('id').where('rank', '=', 'county').orderBy('id').limit(18).execute();
  const rootUnit = units.find((u) => u.parent_id === null)!;
  const members = await tx.selectFrom('cadres').select('id').where('rank', '=', 'section').where('unit_id', '!=', rootUnit.id).orderBy('id').limit(18 * 6).execute();
  for (let i = 0; i < leaders.length; i++) {
    const t = townships[i]!;
    const team = await tx.insertInto('teams').values({ campaign_id: campaign.id, name: `${t.name}调研组`, kind: 'research', leader_cadre_id: leaders[i]!.id }).returning('id').executeTakeFirstOrThrow();
    await tx.insertInto('team_members').values([leaders[i]!, ...members.slice(i * 6, i * 6 + 6)].map((m) => ({ team_id: team.id, cadre_id: m.id, joined_on: '2026-03-20' }))).execute();
    const village = await tx.selectFrom('contact_targets').select('id').where('region_path', 'like', `${t.path}/%`).where('kind', 'in', ['village', 'community']).orderBy('region_code').limit(1).executeTakeFirstOrThrow();
    await tx.insertInto('pairings').values({ campaign_id: campaign.id, target_id: village.id, team_id: team.id, starts_on: '2026-03-20', created_by: null }).execute();
  }

  // The planner fills the rest; two townships' households are left for the office to plan.
  const plan = await proposePlan(tx, actor, campaign.id, {});
  const held = new Set(townships.slice(-2).map((t) => t.path));
  const kindOf = new Map((await tx.selectFrom('contact_targets').select(['id', 'kind', 'region_path']).execute()).map((t) => [t.id, t]));
  const add = plan.add
    .filter((l) => !(l.targetKind === 'household' && [...held].some((p) => kindOf.get(l.targetId)!.region_path.startsWith(`${p}/`))))
    .map((l) => ({ targetId: l.targetId, cadreId: l.cadreId, startsOn: '2026-03-20' }));
  const applied = await applyPairingChanges(tx, actor, campaign.id, { add });
  if (!applied.applied) throw new Error(`demo pairings refused: ${JSON.stringify(applied.errors.slice(0, 3))}`);
  await sql`analyze`.execute(tx);
  return { campaignId: campaign.id, targets: rows.length + villages.length, pairings: applied.added.length + leaders.length };
}
