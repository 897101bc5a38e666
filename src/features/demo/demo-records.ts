import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { ActivityKind, WritingGrade, WritingKind, WritingStatus } from '../../db/schema.ts';
import type { Executor } from '../../db/database.ts';
import { createUser } from '../auth/accounts.ts';
import type { Actor } from '../auth/actor.ts';
import { chinaToday } from '../campaigns/campaigns.ts';
import { calendarPeriod, slots as periodSlots } from '../due/due.ts';
import { seededRandom } from './names.ts';

// A plausible year of field work in the demo campaign, so that the lists, the due list and the
// statistics show real figures: stays of the 18 research groups in their villages, visits of the
// link cadres to their villages (forums, policy talks, consultations, on-site offices), the paired
// cadres' household visits and heart-to-heart talks (often two together), condolence visits with
// money to hardship households at the festivals, enterprise and project visits, receptions at the
// township offices; problems found, practical matters with their funds, and writing in every state
// of review. Written straight into the tables in bulk (the HTTP path is measured by the benchmark),
// deterministic (seeded), from the campaign start to yesterday.
//
// It also gives the targets approximate positions (township centres as on a map of Xiangshan,
// villages within a few kilometres, households beside their village) and the villages a population,
// so that GPS fixes and attendance mean something.
//
// Every cadre keeps a plausible day: at most one township a day, activities at least 45 minutes
// apart, stays blocking whole days. So the integrity checks find nothing in the ordinary records,
// and exactly the few planted below (see `plantSuspicious`):
//   • late entry: 3 records entered 12–20 days after they happened;
//   • back-dated burst: 6 records 2–9 days old, entered by the office account within 20 minutes;
//   • double stay: one cadre with stay days in two villages on the same day;
//   • attendance exceeding the population: a forum with more people than the village has;
//   • impossible travel: one cadre in 石浦 and in 西周 (about 45 km) 20 minutes apart, by GPS;
//   • far from target: a household visit whose GPS fix is about 8 km from the household.
// (Duplicate photos need picture bytes in the photo store; the demo adds no photos.)

const pad2 = (n: number) => String(n).padStart(2, '0');
const DAY = 86_400_000;
const toDay = (d: string) => Date.parse(`${d}T00:00:00Z`) / DAY;
const fromDay = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);
/** A China wall-clock time on a China date. */
const at = (day: string, minutes: number) => new Date(`${day}T${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}:00+08:00`);

/** Approximate centres of Xiangshan's townships (by the last digits of the division code). */
const townshipCentres: Record<string, [number, number]> = {
  '001': [29.477, 121.877], '002': [29.475, 121.845], '003': [29.462, 121.958], '101': [29.207, 121.951], '102': [29.601, 121.722],
  '103': [29.125, 121.968], '104': [29.532, 121.802], '105': [29.552, 121.752], '106': [29.432, 121.733], '107': [29.272, 121.852],
  '108': [29.472, 121.998], '109': [29.421, 121.802], '110': [29.332, 121.781], '201': [29.402, 121.928], '202': [29.362, 121.872],
  '203': [29.582, 121.852], '204': [29.302, 121.732], '205': [29.102, 121.902],
};
const COUNTY_CENTRE: [number, number] = [29.477, 121.877];

const stayNotes = [
  '与村两委班子逐户走访，摸清了村里的产业底子和群众最关心的几件事。',
  '住在村民家中，晚上召集党员和村民代表拉家常，听到了不少平时听不到的意见。',
  '实地查看了村道、水渠和渔港码头，和村干部一起理出了今年要办的实事清单。',
  '重点走访了留守老人和困难家庭，了解看病、出行和冬季取暖等实际困难。',
];
const householdFindings = [
  '老人身体尚可，子女在外打工，希望村里的卫生室能定期送药上门。', '家中房屋年久失修，雨季漏水，已登记危房改造需求。',
  '孩子今年上高中，学费有压力，已告知教育资助政策。', '种植的柑橘销路不畅，希望帮助对接电商平台。', '家庭收入稳定，对村里的环境整治很满意。',
  '户主患慢性病，医保报销流程不熟悉，现场帮助办理了备案。', '希望村口路灯能早日修好，晚上出行不便。', '渔船更新改造补贴的申请材料已帮助准备齐全。',
];
const villageFindings = [
  '村集体经济收入偏低，群众希望盘活闲置校舍发展民宿。', '村道硬化尚有约1.2公里未完成，雨天出行困难。', '饮用水管网老化，夏季用水高峰时水压不足。',
  '渔业合作社运转良好，希望扩建冷库。', '文化礼堂使用率不高，群众希望多开展文艺活动。', '垃圾分类设施不足，部分自然村仍有乱堆乱放。',
  '村里年轻人外出多，老人照料是突出问题，建议办居家养老服务站。',
];
const enterpriseFindings = [
  '企业订单饱满，但招工难，希望协调职业学校定向培养。', '企业计划技改扩产，需要协调用地指标。', '出口受汇率影响，利润下降，已宣讲稳外贸扶持政策。',
  '企业融资需求约500万元，已对接县农商行。', '电力增容申请已受理，协调供电公司加快办理。',
];
const projectFindings = ['项目进度符合计划，施工现场安全管理规范。', '征迁尚有3户未签约，需镇村协同做好工作。', '材料价格上涨，建设单位希望调整付款节点。', '项目用地报批材料已齐全，等待省厅批复。'];
const problemTexts = [
  '村道路灯损坏多处，夜间出行不安全', '自来水水压不足，高处住户用水困难', '危房需改造，户主无力承担', '排水沟堵塞，雨天积水进屋',
  '医保报销手续复杂，老人办理困难', '农产品滞销，缺少销售渠道', '河道垃圾清理不及时', '渔船停泊区缺少安全护栏', '留守儿童放学后无人照看',
  '村卫生室药品种类不足', '企业用工缺口较大', '企业融资成本偏高',
];
const householdMatters: [string, number, number][] = [
  ['危房改造', 20_000, 60_000], ['助学资助', 3_000, 8_000], ['安装适老扶手和防滑地面', 2_000, 6_000], ['更换老旧电线', 1_500, 4_000], ['大病医疗救助', 5_000, 30_000],
];
const villageMatters: [string, number, number][] = [
  ['村道硬化', 80_000, 300_000], ['饮用水管网改造', 60_000, 250_000], ['安装太阳能路灯', 15_000, 50_000], ['文化礼堂修缮', 30_000, 120_000],
  ['居家养老服务站建设', 40_000, 150_000], ['渔港码头护栏', 10_000, 40_000], ['垃圾分类亭建设', 8_000, 30_000], ['河道清淤', 20_000, 90_000],
];
const fundSources = ['财政资金', '部门帮扶资金', '社会捐助', '村集体自筹'];
const festivals = ['2026-06-19', '2026-09-25', '2026-10-01', '2026-03-20'];

/** Deterministic UUID (version 4 layout) from the seeded generator. */
function uuidFrom(random: () => number) {
  const b = Array.from({ length: 16 }, () => Math.floor(random() * 256));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

type Target = { id: number; kind: string; name: string; region_code: string; region_path: string; tags: string[]; address: string; township: string; lat: number; lon: number };
type Cadre = { id: number; name: string; unit_id: number; unit_path: string; rank: string };
type Act = {
  clientId: string; kind: ActivityKind; title: string; startsAt: Date; endsAt: Date; stayDays: number; regionCode: string; regionPath: string; place: string;
  lat: number | null; lon: number | null; acc: number | null; findings: string; actions: string; attendees: number | null; moneyFen: number | null;
  recordedBy: number | null; recordedAt: Date; participants: number[]; targets: number[]; problems: string[];
  matter?: { title: string; targetId: number; amountFen: number; fundSource: string; status: 'promised' | 'in_progress' | 'done'; promisedOn: string; doneOn: string | null; regionCode: string; regionPath: string };
};

export type DemoRecordsResult = {
  activities: number; stayDays: number; writings: number; matters: number; problems: number; suspicious: number;
  cadreLogin: { username: string; cadreName: string; unitName: string };
};

export async function loadDemoRecords(
  tx: Executor, actor: Actor, opts: { campaignId: number; officeUserId: number; password: string; today?: string },
): Promise<DemoRecordsResult> {
  const random = seededRandom(20260320);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const chance = (p: number) => random() < p;

  const campaign = await tx.selectFrom('campaigns').select(['id', 'starts_on', 'ends_on']).where('id', '=', opts.campaignId).executeTakeFirstOrThrow();
  const yesterday = fromDay(toDay(opts.today ?? chinaToday()) - 1);
  const first = campaign.starts_on;
  const last = yesterday < campaign.ends_on ? yesterday : campaign.ends_on;
  const span = toDay(last) - toDay(first) + 1;
  const now = new Date();

  // ── Positions and populations ──────────────────────────────────────────────────────────────
  const raw = await tx.selectFrom('contact_targets').select(['id', 'kind', 'name', 'region_code', 'region_path', 'tags', 'address']).orderBy('id').execute();
  const villagePos = new Map<string, [number, number]>();
  const jitter = (deg: number) => (random() * 2 - 1) * deg;
  const townshipOf = (path: string) => path.split('/')[3]?.slice(6, 9) ?? '';
  const targets = new Map<number, Target>();
  const placeKinds = new Set(['village', 'community']);
  // Places first, so households can sit beside their village.
  for (const t of [...raw.filter((r) => placeKinds.has(r.kind)), ...raw.filter((r) => !placeKinds.has(r.kind))]) {
    const centre = townshipCentres[townshipOf(t.region_path)] ?? COUNTY_CENTRE;
    let pos: [number, number];
    if (placeKinds.has(t.kind)) {
      pos = [centre[0] + jitter(0.03), centre[1] + jitter(0.035)];
      villagePos.set(t.region_code, pos);
    } else if (t.kind === 'project') {
      pos = [centre[0] + jitter(0.01), centre[1] + jitter(0.01)];
    } else {
      const v = villagePos.get(t.region_code) ?? centre;
      pos = [v[0] + jitter(0.003), v[1] + jitter(0.003)];
    }
    targets.set(t.id, { ...t, township: townshipOf(t.region_path), lat: Number(pos[0].toFixed(6)), lon: Number(pos[1].toFixed(6)) });
  }
  const population = new Map<number, number>();
  const rows = [...targets.values()];
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000).map((t) => {
      const pop = placeKinds.has(t.kind) ? between(700, 3200) : null;
      if (pop !== null) population.set(t.id, pop);
      return sql`(${t.id}::int, ${t.lat}::float8, ${t.lon}::float8, ${pop}::int, ${pop === null ? null : Math.round(pop / between(25, 32) * 10)}::int)`;
    });
    await sql`update contact_targets t set latitude = v.lat, longitude = v.lon,
        attrs = case when v.pop is null then t.attrs else t.attrs || jsonb_build_object('population', v.pop, 'households', v.hh) end
      from (values ${sql.join(chunk)}) as v(id, lat, lon, pop, hh) where t.id = v.id`.execute(tx);
  }

  // ── Who is paired with what ────────────────────────────────────────────────────────────────
  const cadreRows = await tx.selectFrom('cadres').innerJoin('units', 'units.id', 'cadres.unit_id')
    .select(['cadres.id', 'cadres.name', 'cadres.unit_id', 'units.path as unit_path', 'cadres.rank']).orderBy('cadres.id').execute();
  const cadres = new Map<number, Cadre>(cadreRows.map((c) => [c.id, c]));
  const pairings = await tx.selectFrom('pairings').select(['target_id', 'cadre_id', 'team_id']).where('campaign_id', '=', campaign.id).where('ends_on', 'is', null).orderBy('id').execute();
  const teams = await tx.selectFrom('teams').select(['id', 'name', 'leader_cadre_id']).where('campaign_id', '=', campaign.id).orderBy('id').execute();
  const members = await tx.selectFrom('team_members').select(['team_id', 'cadre_id']).where('left_on', 'is', null).orderBy('id').execute();
  const byTarget = new Map<number, number[]>();
  for (const p of pairings) if (p.cadre_id !== null) byTarget.set(p.target_id, [...(byTarget.get(p.target_id) ?? []), p.cadre_id]);

  // The demo cadre account: the cadre with the widest mix of pairings (households and a village or enterprise).
  const kindsOf = new Map<number, Set<string>>();
  for (const p of pairings) if (p.cadre_id !== null) kindsOf.set(p.cadre_id, (kindsOf.get(p.cadre_id) ?? new Set()).add(targets.get(p.target_id)!.kind));
  const countOf = (id: number) => pairings.filter((p) => p.cadre_id === id).length;
  const demoCadreId = [...kindsOf.entries()]
    .map(([id, ks]) => ({ id, score: ks.size * 100 + Math.min(countOf(id), 8) }))
    .sort((a, b) => b.score - a.score || a.id - b.id)[0]!.id;
  const demoCadre = cadres.get(demoCadreId)!;
  const unitName = (await tx.selectFrom('units').select('name').where('id', '=', demoCadre.unit_id).executeTakeFirstOrThrow()).name;
  const cadreUser = await createUser(tx, actor, { username: 'cadre', displayName: demoCadre.name, password: opts.password, role: 'cadre', unitId: demoCadre.unit_id, cadreId: demoCadre.id });

  // ── A day per cadre: one township, slots at least 45 minutes apart, stays take the whole day ──
  const slots = [8 * 60 + 30, 10 * 60 + 30, 14 * 60 + 30, 16 * 60 + 30];
  const busy = new Map<string, { township: string; slots: Set<number>; stay: boolean }>();
  const dayKey = (c: number, d: string) => `${c}|${d}`;
  const free = (cs: number[], day: string, township: string, slot: number) => cs.every((c) => {
    const b = busy.get(dayKey(c, day));
    return !b || (!b.stay && b.township === township && !b.slots.has(slot));
  });
  const take = (cs: number[], day: string, township: string, slot: number) => {
    for (const c of cs) {
      const b = busy.get(dayKey(c, day)) ?? { township, slots: new Set<number>(), stay: false };
      b.slots.add(slot);
      busy.set(dayKey(c, day), b);
    }
  };
  const randomDay = (from = first, to = last) => {
    const lo = Math.max(toDay(from), toDay(first));
    const hi = Math.min(toDay(to), toDay(last));
    if (hi < lo) return null;
    for (let i = 0; i < 4; i++) {
      const d = lo + Math.floor(random() * (hi - lo + 1));
      const dow = new Date(d * DAY).getUTCDay();
      if ((dow !== 0 && dow !== 6) || chance(0.15)) return fromDay(d);
    }
    return fromDay(lo + Math.floor(random() * (hi - lo + 1)));
  };
  /** A free day and slot for all of `cs` in `township`, near `around` when given. */
  const book = (cs: number[], township: string, window?: [string, string]) => {
    for (let attempt = 0; attempt < 25; attempt++) {
      const day = randomDay(window?.[0], window?.[1]);
      if (day === null) return null;
      const slot = between(0, slots.length - 1);
      if (free(cs, day, township, slot)) {
        take(cs, day, township, slot);
        return { day, start: slots[slot]! + between(0, 10) };
      }
    }
    return null;
  };

  const acts: Act[] = [];
  const recordedBy = (cs: number[]) => (cs.includes(demoCadreId) ? cadreUser.id : opts.officeUserId);
  // The office's planted burst (below) is typed in at this time; ordinary entries keep an hour away.
  const burstAt = at(last, 16 * 60);
  const recordedAfter = (end: Date) => {
    const lag = chance(0.75) ? between(5, 360) : between(360, 3 * 24 * 60);
    let t = new Date(end.getTime() + lag * 60_000);
    if (Math.abs(t.getTime() - burstAt.getTime()) < 3600_000) t = new Date(burstAt.getTime() + 3600_000);
    return t > now ? new Date(now.getTime() - between(1, 60) * 60_000) : t;
  };
  const gps = (t: Target) => (chance(0.7)
    ? { lat: Number((t.lat + jitter(0.0006)).toFixed(6)), lon: Number((t.lon + jitter(0.0006)).toFixed(6)), acc: between(5, 40) }
    : { lat: null, lon: null, acc: null });
  const add = (a: Omit<Act, 'clientId' | 'recordedAt' | 'recordedBy' | 'stayDays' | 'lat' | 'lon' | 'acc'> & { stayDays?: number; gpsOf?: Target | null }) => {
    const { gpsOf, ...rest } = a;
    const pos = gpsOf ? gps(gpsOf) : { lat: null, lon: null, acc: null };
    acts.push({ ...rest, ...pos, stayDays: a.stayDays ?? 0, clientId: uuidFrom(random), recordedBy: recordedBy(a.participants), recordedAt: recordedAfter(a.endsAt) });
  };
  const matterFor = (t: Target, day: string, list: [string, number, number][]) => {
    const [title, lo, hi] = pick(list);
    const amountFen = Math.round(between(lo, hi) / 100) * 100 * 100;
    const age = toDay(last) - toDay(day);
    const status = age < 20 ? 'promised' : age < 60 && chance(0.5) ? 'in_progress' : chance(0.85) ? 'done' : 'in_progress';
    const doneOn = status === 'done' ? fromDay(Math.min(toDay(day) + between(7, Math.max(8, age)), toDay(last))) : null;
    return { title: `${t.name}${title}`, targetId: t.id, amountFen, fundSource: pick(fundSources), status, promisedOn: day, doneOn, regionCode: t.region_code, regionPath: t.region_path } as const;
  };

  // 1. The research groups stay in their villages (驻村蹲点) and hold research forums there.
  const teamVillage = new Map(pairings.filter((p) => p.team_id !== null).map((p) => [p.team_id!, targets.get(p.target_id)!]));
  for (const team of teams) {
    const village = teamVillage.get(team.id);
    if (!village) continue;
    const crew = members.filter((m) => m.team_id === team.id).map((m) => m.cadre_id);
    const others = crew.filter((c) => c !== team.leader_cadre_id);
    for (let s = 0; s < between(5, 8); s++) {
      const people = [team.leader_cadre_id, ...others.filter(() => chance(0.35)).slice(0, 2)];
      const days = between(1, 3);
      for (let attempt = 0; attempt < 20; attempt++) {
        const d0 = randomDay(first, fromDay(toDay(last) - days + 1));
        if (d0 === null) break;
        const ds = Array.from({ length: days }, (_, i) => fromDay(toDay(d0) + i));
        if (!ds.every((d) => people.every((c) => !busy.has(dayKey(c, d))))) continue;
        for (const d of ds) for (const c of people) busy.set(dayKey(c, d), { township: village.township, slots: new Set(), stay: true });
        add({
          kind: 'stay', title: `${village.name}驻村蹲点`, startsAt: at(ds[0]!, 8 * 60 + between(0, 60)), endsAt: at(ds.at(-1)!, 17 * 60 + between(0, 60)), stayDays: days,
          regionCode: village.region_code, regionPath: village.region_path, place: village.name, gpsOf: village, findings: pick(stayNotes), actions: '形成问题清单，明确责任人和完成时限。',
          attendees: null, moneyFen: null, participants: people, targets: [village.id], problems: chance(0.5) ? [pick(problemTexts)] : [],
        });
        break;
      }
    }
    for (let f = 0; f < between(3, 5); f++) {
      const people = [team.leader_cadre_id, ...others.filter(() => chance(0.5))];
      const when = book(people, village.township);
      if (!when) continue;
      const kind = pick(['forum', 'research', 'consultation'] as const);
      const starts = at(when.day, when.start);
      add({
        kind, title: `${team.name}${kind === 'forum' ? '座谈会' : kind === 'research' ? '专题调研' : '民情恳谈会'}`, startsAt: starts, endsAt: new Date(starts.getTime() + between(45, 75) * 60_000),
        regionCode: village.region_code, regionPath: village.region_path, place: `${village.name}村委会`, gpsOf: village, findings: pick(villageFindings),
        actions: '现场交办，限期答复。', attendees: kind === 'research' ? null : between(15, 60), moneyFen: null, participants: people, targets: [village.id],
        problems: chance(0.4) ? [pick(problemTexts)] : [], ...(chance(0.35) ? { matter: matterFor(village, when.day, villageMatters) } : {}),
      });
    }
  }

  // 2. Link cadres in their villages: forums, policy talks, consultations, on-site offices, research, short stays.
  for (const p of pairings) {
    const t = targets.get(p.target_id)!;
    if (p.cadre_id === null || !placeKinds.has(t.kind)) continue;
    for (let i = 0; i < between(3, 7); i++) {
      const kind = pick(['forum', 'forum', 'policy_talk', 'policy_talk', 'consultation', 'onsite_office', 'onsite_office', 'research', 'research', 'stay'] as const);
      if (kind === 'stay') {
        const d = randomDay();
        if (d === null || busy.has(dayKey(p.cadre_id, d))) continue;
        busy.set(dayKey(p.cadre_id, d), { township: t.township, slots: new Set(), stay: true });
        add({
          kind, title: `${t.name}驻村`, startsAt: at(d, 8 * 60 + between(0, 45)), endsAt: at(d, 17 * 60 + between(0, 60)), stayDays: 1, regionCode: t.region_code, regionPath: t.region_path,
          place: t.name, gpsOf: t, findings: pick(stayNotes), actions: '', attendees: null, moneyFen: null, participants: [p.cadre_id], targets: [t.id], problems: [],
        });
        continue;
      }
      const when = book([p.cadre_id], t.township);
      if (!when) continue;
      const starts = at(when.day, when.start);
      const attendees = kind === 'forum' ? between(15, 60) : kind === 'policy_talk' ? between(30, 150) : kind === 'consultation' ? between(10, 40) : kind === 'onsite_office' ? between(5, 25) : null;
      const title = { forum: '村民座谈会', policy_talk: '政策宣讲', consultation: '民情恳谈会', onsite_office: '现场办公', research: '蹲点调研' }[kind];
      add({
        kind, title: `${t.name}${title}`, startsAt: starts, endsAt: new Date(starts.getTime() + between(45, 75) * 60_000), regionCode: t.region_code, regionPath: t.region_path,
        place: `${t.name}${kind === 'onsite_office' ? '便民服务中心' : '文化礼堂'}`, gpsOf: t, findings: pick(villageFindings), actions: kind === 'onsite_office' ? '现场协调解决，群众满意。' : '',
        attendees, moneyFen: null, participants: [p.cadre_id], targets: [t.id], problems: chance(0.25) ? [pick(problemTexts)] : [],
        ...(chance(0.12) ? { matter: matterFor(t, when.day, villageMatters) } : {}),
      });
    }
  }

  // 3. Households: their paired cadres visit, often together; talks; condolence visits to hardship households.
  for (const [targetId, cs] of byTarget) {
    const t = targets.get(targetId)!;
    if (t.kind !== 'household') continue;
    const n = pick([0, 1, 1, 2, 2, 2, 3, 3, 4]);
    const hardship = t.tags.some((tag) => tag === '困难户' || tag === '低保' || tag === '五保');
    const visits: { kind: ActivityKind; window?: [string, string] }[] = Array.from({ length: n }, () => ({ kind: chance(0.25) ? 'talk' : 'household_visit' }));
    if (hardship) {
      const f = pick(festivals);
      visits.push({ kind: 'condolence', window: [fromDay(toDay(f) - 7), f] });
    }
    for (const v of visits) {
      const people = cs.length > 1 && chance(0.5) ? cs : [pick(cs)];
      const when = book(people, t.township, v.window);
      if (!when) continue;
      const starts = at(when.day, when.start);
      const head = t.name;
      add({
        kind: v.kind, title: v.kind === 'condolence' ? `走访慰问${head}` : v.kind === 'talk' ? `与${head}谈心谈话` : `走访${head}`,
        startsAt: starts, endsAt: new Date(starts.getTime() + between(30, 60) * 60_000), regionCode: t.region_code, regionPath: t.region_path, place: t.address || t.name,
        gpsOf: t, findings: pick(householdFindings), actions: v.kind === 'condolence' ? '送上慰问金和米面油，叮嘱注意身体。' : '',
        attendees: v.kind === 'talk' ? between(1, 3) : null, moneyFen: v.kind === 'condolence' ? between(3, 10) * 100 * 100 : null,
        participants: people, targets: [t.id], problems: chance(0.12) ? [pick(problemTexts)] : [], ...(chance(0.05) ? { matter: matterFor(t, when.day, householdMatters) } : {}),
      });
    }
  }

  // 4. Enterprises and key projects.
  for (const p of pairings) {
    const t = targets.get(p.target_id)!;
    if (p.cadre_id === null || (t.kind !== 'enterprise' && t.kind !== 'project')) continue;
    const n = t.kind === 'enterprise' ? between(3, 7) : between(8, 14);
    for (let i = 0; i < n; i++) {
      const when = book([p.cadre_id], t.township);
      if (!when) continue;
      const starts = at(when.day, when.start);
      add({
        kind: t.kind === 'enterprise' ? 'enterprise_visit' : 'project_visit', title: `${t.kind === 'enterprise' ? '走访' : '服务'}${t.name}`, startsAt: starts,
        endsAt: new Date(starts.getTime() + between(45, 75) * 60_000), regionCode: t.region_code, regionPath: t.region_path, place: t.name, gpsOf: t,
        findings: pick(t.kind === 'enterprise' ? enterpriseFindings : projectFindings), actions: '问题已梳理，提交县有关部门协调。', attendees: null, moneyFen: null,
        participants: [p.cadre_id], targets: [t.id], problems: chance(0.2) ? [pick(problemTexts.slice(-2))] : [],
      });
    }
  }

  // 5. Receptions (接访) at the township offices: a paired cadre receives a household of the township.
  const households = [...byTarget.keys()].map((id) => targets.get(id)!).filter((t) => t.kind === 'household');
  for (let i = 0; i < 90; i++) {
    const t = pick(households);
    const c = pick(byTarget.get(t.id)!);
    const when = book([c], t.township);
    if (!when) continue;
    const starts = at(when.day, when.start);
    add({
      kind: 'reception', title: `接待${t.name}来访`, startsAt: starts, endsAt: new Date(starts.getTime() + between(20, 45) * 60_000), regionCode: t.region_code, regionPath: t.region_path,
      place: '镇（街道）信访接待室', gpsOf: null, findings: pick(householdFindings), actions: '登记诉求，三日内答复。', attendees: between(1, 4), moneyFen: null,
      participants: [c], targets: [t.id], problems: chance(0.4) ? [pick(problemTexts)] : [],
    });
  }

  // 6. The demo cadre keeps up with the campaign's visit frequency: every slot of the last few weeks
  // (weekly and monthly targets) or of the campaign (quarterly and yearly ones) has its visit, but for
  // a few left for the due list to show.
  const frequency = (await tx.selectFrom('campaigns').select('visit_frequency').where('id', '=', campaign.id).executeTakeFirstOrThrow()).visit_frequency;
  const visitedOn = (targetId: number) => acts.filter((a) => a.participants.includes(demoCadreId) && a.targets.includes(targetId) && a.kind !== 'reception')
    .map((a) => chinaToday(a.startsAt));
  for (const p of pairings.filter((x) => x.cadre_id === demoCadreId)) {
    const t = targets.get(p.target_id)!;
    const f = frequency[t.kind as keyof typeof frequency];
    if (!f) continue;
    const since = f.per === 'week' || f.per === 'month' ? fromDay(Math.max(toDay(first), toDay(last) - 42)) : first;
    const seen = new Set<string>();
    for (let d = toDay(since); d <= toDay(last); d++) {
      const period = calendarPeriod(fromDay(d), f.per);
      if (seen.has(period[0])) continue;
      seen.add(period[0]);
      for (const [s0, e0] of periodSlots(period, f.per, f.times)) {
        const from = s0 < first ? first : s0;
        const to = e0 > last ? last : e0;
        if (to < from || visitedOn(t.id).some((v) => v >= from && v <= to)) continue;
        if (!chance(e0 > last ? 0.5 : 0.9)) continue;
        const when = book([demoCadreId], t.township, [from, to]);
        if (!when) continue;
        const starts = at(when.day, when.start);
        const kind: ActivityKind = t.kind === 'household' ? (chance(0.3) ? 'talk' : 'household_visit') : t.kind === 'project' ? 'project_visit' : t.kind === 'enterprise' ? 'enterprise_visit' : pick(['research', 'onsite_office', 'forum'] as const);
        add({
          kind, title: `${kind === 'talk' ? '谈心谈话：' : '走访'}${t.name}`, startsAt: starts, endsAt: new Date(starts.getTime() + between(40, 70) * 60_000), regionCode: t.region_code,
          regionPath: t.region_path, place: t.address || t.name, gpsOf: t, findings: pick(t.kind === 'household' ? householdFindings : t.kind === 'project' ? projectFindings : villageFindings),
          actions: '', attendees: kind === 'talk' ? 1 : kind === 'forum' ? between(15, 40) : kind === 'onsite_office' ? between(5, 15) : null, moneyFen: null,
          participants: [demoCadreId], targets: [t.id], problems: chance(0.1) ? [pick(problemTexts)] : [],
        });
      }
    }
  }

  const suspicious = plantSuspicious();

  // ── Insert in bulk ─────────────────────────────────────────────────────────────────────────
  acts.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  const idOf = new Map<string, number>();
  const CHUNK = 1000;
  for (let i = 0; i < acts.length; i += CHUNK) {
    const chunk = acts.slice(i, i + CHUNK);
    const inserted = await tx.insertInto('activities').values(chunk.map((a) => ({
      client_id: a.clientId, client_hash: createHash('sha256').update(JSON.stringify({ ...a, matter: undefined })).digest('hex'), campaign_id: campaign.id, kind: a.kind,
      title: a.title, starts_at: a.startsAt, ends_at: a.endsAt, stay_days: a.stayDays, region_code: a.regionCode, region_path: a.regionPath, place: a.place,
      latitude: a.lat, longitude: a.lon, accuracy_m: a.acc, findings: a.findings, actions: a.actions, attendees: a.attendees, money_fen: a.moneyFen,
      recorded_by: a.recordedBy, recorded_at: a.recordedAt, updated_at: a.recordedAt,
    }))).returning(['id', 'client_id']).execute();
    for (const r of inserted) idOf.set(r.client_id, r.id);
  }
  const chunked = async <T>(list: T[], insert: (chunk: T[]) => Promise<unknown>) => {
    for (let i = 0; i < list.length; i += CHUNK) await insert(list.slice(i, i + CHUNK));
  };
  const participants = acts.flatMap((a) => a.participants.map((c) => ({ activity_id: idOf.get(a.clientId)!, cadre_id: c, unit_path: cadres.get(c)!.unit_path })));
  await chunked(participants, (c) => tx.insertInto('activity_participants').values(c).execute());
  await chunked(acts.flatMap((a) => a.targets.map((t) => ({ activity_id: idOf.get(a.clientId)!, target_id: t }))), (c) => tx.insertInto('activity_targets').values(c).execute());
  const problems = acts.flatMap((a) => a.problems.map((d) => ({ activity_id: idOf.get(a.clientId)!, description: d, created_at: a.recordedAt })));
  await chunked(problems, (c) => tx.insertInto('activity_problems').values(c).execute());
  const matters = acts.flatMap((a) => (a.matter ? [{ a, m: a.matter }] : []));
  await chunked(matters, (c) => tx.insertInto('practical_matters').values(c.map(({ a, m }) => ({
    campaign_id: campaign.id, target_id: m.targetId, activity_id: idOf.get(a.clientId)!, cadre_id: a.participants[0]!, title: m.title,
    description: `${a.findings}经研究，列入为民办实事项目。`, amount_fen: m.amountFen, fund_source: m.fundSource, status: m.status, promised_on: m.promisedOn,
    done_on: m.doneOn, region_code: m.regionCode, region_path: m.regionPath, unit_path: cadres.get(a.participants[0]!)!.unit_path, created_by: a.recordedBy,
    created_at: a.recordedAt, updated_at: a.recordedAt,
  }))).execute());

  const writings = await loadDemoWritings();
  await sql`analyze`.execute(tx);
  return {
    activities: acts.length, stayDays: acts.reduce((n, a) => n + a.stayDays * a.participants.length, 0), writings, matters: matters.length, problems: problems.length,
    suspicious, cadreLogin: { username: 'cadre', cadreName: demoCadre.name, unitName },
  };

  // ── The planted records (see the module comment) ───────────────────────────────────────────
  function plantSuspicious() {
    const before = acts.length;
    const freeDay = (cs: number[], from: string, to: string) => {
      for (let d = toDay(to); d >= toDay(from); d--) if (cs.every((c) => !busy.has(dayKey(c, fromDay(d))))) return fromDay(d);
      return null;
    };
    const claim = (cs: number[], day: string, township: string) => cs.forEach((c) => busy.set(dayKey(c, day), { township, slots: new Set([0, 1, 2, 3]), stay: true }));
    const linkPairs = pairings.filter((p) => p.cadre_id !== null && placeKinds.has(targets.get(p.target_id)!.kind));
    const householdPairs = pairings.filter((p) => p.cadre_id !== null && targets.get(p.target_id)!.kind === 'household');
    const base = (t: Target, kind: ActivityKind, cadreId: number, day: string, minutes: number, length = 60) => ({
      kind, title: `${t.name}${kind === 'forum' ? '村民座谈会' : kind === 'stay' ? '驻村' : '走访'}`, startsAt: at(day, minutes), endsAt: at(day, minutes + length),
      regionCode: t.region_code, regionPath: t.region_path, place: t.name, findings: pick(t.kind === 'household' ? householdFindings : villageFindings), actions: '',
      attendees: null as number | null, moneyFen: null, participants: [cadreId], targets: [t.id], problems: [] as string[],
    });
    const push = (a: ReturnType<typeof base> & { stayDays?: number }, recordedAt: Date, pos: { lat: number; lon: number; acc: number } | null = null, by = opts.officeUserId) => {
      acts.push({ ...a, stayDays: a.stayDays ?? 0, lat: pos?.lat ?? null, lon: pos?.lon ?? null, acc: pos?.acc ?? null, clientId: uuidFrom(random), recordedBy: by, recordedAt });
    };
    const recent = (daysAgo: number) => fromDay(toDay(last) - daysAgo);
    const pairAt = (list: typeof pairings, i: number) => list[Math.floor(list.length * i)]!;

    // Late entries: three records typed in 12–20 days after the visit.
    for (const [i, lateDays] of [[0.11, 12], [0.37, 16], [0.73, 20]] as const) {
      const p = pairAt(householdPairs, i);
      const t = targets.get(p.target_id)!;
      const day = freeDay([p.cadre_id!], recent(60), recent(30));
      if (!day) continue;
      claim([p.cadre_id!], day, t.township);
      const a = base(t, 'household_visit', p.cadre_id!, day, 9 * 60 + 30);
      push(a, new Date(a.endsAt.getTime() + lateDays * DAY));
    }
    // A back-dated burst: six visits 2–9 days old entered by the office account within 20 minutes.
    for (let k = 0; k < 6; k++) {
      const p = pairAt(householdPairs, 0.2 + k * 0.09);
      const t = targets.get(p.target_id)!;
      const day = freeDay([p.cadre_id!], recent(9), recent(3));
      if (!day) continue;
      claim([p.cadre_id!], day, t.township);
      push(base(t, 'household_visit', p.cadre_id!, day, 10 * 60), new Date(burstAt.getTime() + k * 3.5 * 60_000));
    }
    // Double stay: one link cadre with a stay day in two villages on the same day.
    const stayer = pairAt(linkPairs, 0.5);
    const v1 = targets.get(stayer.target_id)!;
    const v2 = [...targets.values()].find((t) => placeKinds.has(t.kind) && t.township === v1.township && t.id !== v1.id) ?? targets.get(pairAt(linkPairs, 0.6).target_id)!;
    const stayDay = freeDay([stayer.cadre_id!], recent(40), recent(20));
    if (stayDay) {
      claim([stayer.cadre_id!], stayDay, v1.township);
      for (const [v, from, to] of [[v1, 8 * 60, 12 * 60], [v2, 13 * 60, 18 * 60]] as const) {
        const a = { ...base(v, 'stay', stayer.cadre_id!, stayDay, from, to - from), stayDays: 1 };
        push(a, new Date(a.endsAt.getTime() + 2 * 3600_000), { lat: v.lat, lon: v.lon, acc: 20 });
      }
    }
    // Attendance beyond the village's population.
    const crowd = pairAt(linkPairs, 0.25);
    const cv = targets.get(crowd.target_id)!;
    const crowdDay = freeDay([crowd.cadre_id!], recent(50), recent(25));
    if (crowdDay) {
      claim([crowd.cadre_id!], crowdDay, cv.township);
      const a = { ...base(cv, 'forum', crowd.cadre_id!, crowdDay, 14 * 60 + 30), attendees: (population.get(cv.id) ?? 1000) * 2 + 37 };
      push(a, new Date(a.endsAt.getTime() + 3600_000));
    }
    // Impossible travel: a county-wide cadre in 石浦 and, 20 minutes later, in 西周.
    const shipu = [...targets.values()].find((t) => placeKinds.has(t.kind) && t.township === '101')!;
    const xizhou = [...targets.values()].find((t) => placeKinds.has(t.kind) && t.township === '102')!;
    const traveller = teams[0]?.leader_cadre_id ?? crowd.cadre_id!;
    const travelDay = freeDay([traveller], recent(35), recent(15));
    if (travelDay) {
      claim([traveller], travelDay, '');
      const a1 = base(shipu, 'research', traveller, travelDay, 9 * 60, 60);
      const a2 = base(xizhou, 'research', traveller, travelDay, 10 * 60 + 20, 60);
      push(a1, new Date(a1.endsAt.getTime() + 3600_000), { lat: shipu.lat, lon: shipu.lon, acc: 15 });
      push(a2, new Date(a2.endsAt.getTime() + 3600_000), { lat: xizhou.lat, lon: xizhou.lon, acc: 15 });
    }
    // A GPS fix about 8 km from the household visited.
    const far = pairAt(householdPairs, 0.9);
    const ft = targets.get(far.target_id)!;
    const farDay = freeDay([far.cadre_id!], recent(30), recent(10));
    if (farDay) {
      claim([far.cadre_id!], farDay, ft.township);
      const a = base(ft, 'household_visit', far.cadre_id!, farDay, 15 * 60);
      push(a, new Date(a.endsAt.getTime() + 1800_000), { lat: Number((ft.lat + 0.072).toFixed(6)), lon: ft.lon, acc: 10 });
    }
    return acts.length - before;
  }

  // ── Writing: topics for the groups, their reports, diaries, memos and development plans ─────
  async function loadDemoWritings() {
    type W = {
      kind: WritingKind; title: string; body: string; author: number | null; team: number | null; topicKey?: number; target: number | null;
      regionCode: string | null; unitPath: string; regionPath: string; writtenOn: string; createdBy: number | null; status: WritingStatus;
    };
    const unitRegion = new Map((await tx.selectFrom('units').select(['path', 'region_path']).execute()).map((u) => [u.path, u.region_path]));
    const list: W[] = [];
    const stateFor = (writtenOn: string): WritingStatus => {
      if (toDay(last) - toDay(writtenOn) < 10) return chance(0.5) ? 'draft' : 'submitted';
      return pick(['draft', 'submitted', 'submitted', 'reviewed', 'reviewed', 'reviewed', 'reviewed', 'selected', 'selected'] as const);
    };
    const dayIn = (from: string, to: string) => fromDay(between(toDay(from), Math.max(toDay(from), toDay(to))));
    const mid = fromDay(toDay(first) + Math.floor(span / 2));
    const paragraphs = (xs: string[]) => xs.join('\n\n');

    teams.forEach((team, i) => {
      const village = teamVillage.get(team.id);
      const leader = cadres.get(team.leader_cadre_id)!;
      const place = { unitPath: leader.unit_path, regionPath: unitRegion.get(leader.unit_path)! };
      const topicDay = fromDay(Math.min(toDay(first) + 10, toDay(last)));
      const topicIndex = list.length;
      list.push({
        kind: 'research_topic', title: `${village?.name ?? team.name}${pick(['村集体经济发展路径', '海洋渔业转型升级', '美丽乡村建设与乡村旅游', '农村养老服务体系', '基层治理现代化'])}研究`,
        body: '请调研组围绕村情民意深入蹲点调研，摸清现状、找准问题、提出可操作的对策建议，于活动期内形成调研报告。', author: null, team: team.id, target: village?.id ?? null,
        regionCode: village?.region_code ?? null, ...place, writtenOn: topicDay, createdBy: opts.officeUserId, status: 'submitted',
      });
      if (toDay(last) - toDay(topicDay) > 30) {
        list.push({
          kind: 'research_report', title: `关于${village?.name ?? team.name}发展情况的调研报告`, topicKey: topicIndex,
          body: paragraphs([`${team.name}先后${between(4, 8)}次深入${village?.name ?? '联系村'}蹲点，召开座谈会${between(2, 5)}场，走访农户${between(30, 80)}户。`,
            `一、基本情况。${pick(villageFindings)}`, `二、存在问题。${pick(villageFindings)}${pick(villageFindings)}`,
            '三、对策建议。一是盘活集体资产，二是完善基础设施，三是健全服务体系。']),
          author: team.leader_cadre_id, team: team.id, target: village?.id ?? null, regionCode: village?.region_code ?? null, ...place,
          writtenOn: dayIn(mid, last), createdBy: null, status: 'draft',
        });
      }
      for (let k = 0; k < between(2, 4); k++) {
        list.push({
          kind: 'diary', title: `蹲点手记：${pick(['夜宿', '走村', '听民声', '渔港边', '田间地头'])}${village?.name ?? ''}${['（一）', '（二）', '（三）', '（四）'][k]}`,
          body: paragraphs([pick(stayNotes), pick(householdFindings), '群众的事无小事。这次蹲点让我更加体会到，只有沉下去，才能听到真话、摸到实情。']),
          author: team.leader_cadre_id, team: null, target: village?.id ?? null, regionCode: village?.region_code ?? null, ...place, writtenOn: dayIn(first, last), createdBy: null, status: 'draft',
        });
      }
      if (i < 15) {
        list.push({
          kind: 'leader_memo', title: `关于${pick(['加快渔区转型', '破解农村养老难题', '盘活闲置农房', '提升村级集体经济'])}的建议`,
          body: paragraphs([pick(villageFindings), '建议县级层面统筹资金、出台政策，由相关部门牵头落实。']), author: team.leader_cadre_id, team: null, target: null, regionCode: null,
          ...place, writtenOn: dayIn(mid, last), createdBy: null, status: 'draft',
        });
      }
    });
    const linkPairs = pairings.filter((p) => p.cadre_id !== null && placeKinds.has(targets.get(p.target_id)!.kind));
    for (let k = 0; k < 110; k++) {
      const p = linkPairs[Math.floor(random() * linkPairs.length)]!;
      const c = cadres.get(p.cadre_id!)!;
      const t = targets.get(p.target_id)!;
      const plan = k % 4 === 0;
      list.push({
        kind: plan ? 'development_plan' : 'diary', title: plan ? `${t.name}三年发展计划（2026—2028年）` : `${t.name}蹲点感悟`,
        body: plan
          ? paragraphs([`一、发展基础。${t.name}常住人口约${population.get(t.id) ?? 1500}人。${pick(villageFindings)}`, '二、发展目标。到2028年，村集体经济年收入突破50万元。', '三、主要举措。发展特色产业，完善基础设施，提升公共服务。'])
          : paragraphs([pick(stayNotes), pick(householdFindings)]),
        author: c.id, team: null, target: t.id, regionCode: t.region_code, unitPath: c.unit_path, regionPath: unitRegion.get(c.unit_path)!, writtenOn: dayIn(first, last),
        createdBy: c.id === demoCadreId ? cadreUser.id : null, status: 'draft',
      });
    }
    for (const w of list) if (w.kind !== 'research_topic') w.status = stateFor(w.writtenOn);

    const grades: WritingGrade[] = ['优', '良', '良', '良', '中', '中', '优', '差'];
    const comments: Record<WritingGrade, string> = { 优: '调研深入，问题找得准，建议有针对性，可供决策参考。', 良: '内容扎实，建议进一步细化措施。', 中: '情况反映较全面，但分析不够深入。', 差: '内容空泛，缺少一手材料，请补充调研。' };
    const ids: number[] = [];
    for (const w of list) {
      const reviewed = w.status === 'reviewed' || w.status === 'selected';
      const grade = reviewed ? (w.status === 'selected' ? '优' : pick(grades)) : null;
      const submittedAt = w.status === 'draft' ? null : at(w.writtenOn, 20 * 60);
      const reviewedAt = reviewed ? new Date(Math.min(submittedAt!.getTime() + between(1, 10) * DAY, now.getTime() - 3600_000)) : null;
      const row = await tx.insertInto('writings').values({
        kind: w.kind, title: w.title, body: w.body, campaign_id: campaign.id, author_cadre_id: w.author, team_id: w.team, topic_id: w.topicKey !== undefined ? ids[w.topicKey]! : null,
        target_id: w.target, region_code: w.regionCode, region_path: w.regionPath, unit_path: w.unitPath, status: w.status, grade, review_comment: grade ? comments[grade] : null,
        reviewed_by: reviewed ? opts.officeUserId : null, reviewed_at: reviewedAt, submitted_at: submittedAt,
        selected_for: w.status === 'selected' ? (w.kind === 'diary' ? '《县级领导蹲点手记》' : w.kind === 'leader_memo' ? '《领导参阅》' : '《蹲点调研工作简报》') : null,
        selected_at: w.status === 'selected' ? new Date(Math.min(reviewedAt!.getTime() + DAY, now.getTime() - 1800_000)) : null, written_on: w.writtenOn, created_by: w.createdBy,
        created_at: at(w.writtenOn, 19 * 60), updated_at: reviewedAt ?? submittedAt ?? at(w.writtenOn, 19 * 60),
      }).returning('id').executeTakeFirstOrThrow();
      ids.push(row.id);
    }
    return list.length;
  }
}
