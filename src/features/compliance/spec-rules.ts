import type { RequirementRuleInput } from '../../../contracts/requirements.ts';

const visits = ['household_visit', 'talk', 'condolence'] as const;
const fieldKinds = ['household_visit', 'stay', 'forum', 'talk', 'consultation', 'policy_talk', 'condolence', 'onsite_office', 'enterprise_visit', 'project_visit', 'research'] as const;
const holidayTargets = { kinds: ['household'], tags: ['老党员', '困难户', '百岁老人'] } as const;

/**
 * Every duty SPEC §2 quotes, written as rules. A sentence with two counts is two rules. Where the
 * activity vocabulary has no kind of its own (公开日, 党员学习), the nearest kind stands in.
 */
export const specRules: { spec: string; rules: RequirementRuleInput[] }[] = [
  {
    spec: 'every village and community has at least one 县级 or 科级 cadre paired (coverage)',
    rules: [{
      name: '每个村（社区）至少有1名县级或科级干部联系', subject: 'target', measure: { kind: 'pairings' },
      cadres: { ranks: ['county', 'section'] }, targets: { kinds: ['village', 'community'] }, period: 'campaign', threshold: { op: 'at_least', value: 1 },
    }],
  },
  {
    spec: 'each cadre is paired with about 5 households and visits each at least 4 times a year',
    rules: [
      { name: '每名干部联系农户5户左右', subject: 'cadre', measure: { kind: 'pairings' }, targets: { kinds: ['household'] }, period: 'campaign', threshold: { op: 'between', min: 4, max: 6 } },
      { name: '每户每年走访至少4次', subject: 'pairing', measure: { kind: 'activities', activityKinds: [...visits] }, targets: { kinds: ['household'] }, period: 'year', threshold: { op: 'at_least', value: 4 } },
    ],
  },
  {
    spec: 'each department or township cadre contacts at least 2 villages and 4 households',
    rules: [
      { name: '部门、乡镇干部联系至少2个村', subject: 'cadre', measure: { kind: 'pairings' }, cadres: { unitLevels: ['county', 'township'] }, targets: { kinds: ['village', 'community'] }, period: 'campaign', threshold: { op: 'at_least', value: 2 } },
      { name: '部门、乡镇干部联系至少4户', subject: 'cadre', measure: { kind: 'pairings' }, cadres: { unitLevels: ['county', 'township'] }, targets: { kinds: ['household'] }, period: 'campaign', threshold: { op: 'at_least', value: 4 } },
    ],
  },
  {
    spec: 'stays (驻村蹲点) of at least 30 days a year, with 1–2 practical matters done per village',
    rules: [
      { name: '每年驻村蹲点至少30天', subject: 'cadre', cadres: { ranks: ['county'] }, measure: { kind: 'days', activityKinds: ['stay'] }, period: 'year', threshold: { op: 'at_least', value: 30 } },
      { name: '每个蹲点村办结实事1–2件', subject: 'target', measure: { kind: 'matters' }, targets: { kinds: ['village'] }, period: 'year', threshold: { op: 'at_least', value: 1 } },
    ],
  },
  {
    spec: 'deputy-section rank and above spend one third of their time at the grassroots and write 2–3 research reports a year',
    rules: [
      { name: '副科级以上干部三分之一时间下基层', subject: 'cadre', cadres: { ranks: ['city', 'county', 'section'] }, measure: { kind: 'days', activityKinds: [...fieldKinds] }, period: 'year', threshold: { op: 'at_least', value: 1 / 3, unit: 'working_day_fraction' } },
      { name: '每年撰写调研报告2–3篇', subject: 'cadre', cadres: { ranks: ['city', 'county', 'section'] }, measure: { kind: 'writings', writingKinds: ['research_report'] }, period: 'year', threshold: { op: 'at_least', value: 2 } },
    ],
  },
  {
    spec: 'village/community link cadres visit at least twice a week',
    rules: [{ name: '联村（社区）干部每周至少走访2次', subject: 'pairing', measure: { kind: 'activities', activityKinds: [...fieldKinds] }, targets: { kinds: ['village', 'community'] }, period: 'week', threshold: { op: 'at_least', value: 2 } }],
  },
  {
    spec: 'at least 1 day a week at the paired key project; at least monthly contact with the township; at least one report to the project’s leader (领导参阅) a month',
    rules: [
      { name: '每周至少1天在联系项目现场', subject: 'pairing', measure: { kind: 'days', activityKinds: ['project_visit', 'onsite_office', 'research'] }, targets: { kinds: ['project'] }, period: 'week', threshold: { op: 'at_least', value: 1 } },
      { name: '每月至少与项目所在乡镇对接1次', subject: 'pairing', measure: { kind: 'activities', activityKinds: ['forum', 'consultation', 'talk', 'onsite_office', 'research'], place: 'target_township' }, targets: { kinds: ['project'] }, period: 'month', threshold: { op: 'at_least', value: 1 } },
      { name: '每月至少报送领导参阅1篇', subject: 'pairing', measure: { kind: 'writings', writingKinds: ['leader_memo'] }, targets: { kinds: ['project'] }, period: 'month', threshold: { op: 'at_least', value: 1 } },
    ],
  },
  {
    spec: 'household and building visits are made by at least 2 cadres together',
    rules: [{ name: '入户走访须2名以上干部同行', subject: 'cadre', measure: { kind: 'activities', activityKinds: ['household_visit'], participants: { max: 1 } }, targets: { kinds: ['household', 'building'] }, period: 'month', threshold: { op: 'at_most', value: 0 } }],
  },
  {
    spec: 'a building unit is linked by 2 cadres',
    rules: [{ name: '每个楼栋单元由2名干部联系', subject: 'target', measure: { kind: 'pairings' }, targets: { kinds: ['building'] }, period: 'campaign', threshold: { op: 'at_least', value: 2 } }],
  },
  {
    spec: 'fixed days: reception on the 20th (接访日), disclosure on the 9th (公开日), Tuesday cadre activity day, Friday village office day, party study on the 15th',
    rules: [
      { name: '每月20日接访日', subject: 'cadre', measure: { kind: 'activities', activityKinds: ['reception'] }, on: { monthDays: [20] }, period: 'month', threshold: { op: 'at_least', value: 1 } },
      { name: '每月9日公开日', subject: 'target', measure: { kind: 'activities', activityKinds: ['onsite_office'] }, targets: { kinds: ['village', 'community'] }, on: { monthDays: [9] }, period: 'month', threshold: { op: 'at_least', value: 1 } },
      { name: '每周二干部活动日', subject: 'cadre', measure: { kind: 'days', activityKinds: [...fieldKinds] }, on: { weekdays: [2] }, period: 'week', threshold: { op: 'at_least', value: 1 } },
      { name: '每周五村级办公日', subject: 'cadre', measure: { kind: 'activities', activityKinds: ['onsite_office'] }, on: { weekdays: [5] }, period: 'week', threshold: { op: 'at_least', value: 1 } },
      { name: '每月15日党员学习日', subject: 'cadre', measure: { kind: 'activities', activityKinds: ['policy_talk'] }, on: { monthDays: [15] }, period: 'month', threshold: { op: 'at_least', value: 1 } },
    ],
  },
  {
    spec: 'holiday visits to old party members, hardship households and centenarians at 七一, 重阳 and 春节',
    rules: [
      { name: '七一走访慰问老党员', subject: 'target', measure: { kind: 'activities', activityKinds: ['condolence', 'household_visit'] }, targets: { kinds: ['household'], tags: ['老党员'] }, period: 'festival', festival: { name: 'qiyi', daysBefore: 10 }, threshold: { op: 'at_least', value: 1 } },
      { name: '重阳走访慰问', subject: 'target', measure: { kind: 'activities', activityKinds: ['condolence', 'household_visit'] }, targets: { ...holidayTargets, kinds: [...holidayTargets.kinds], tags: [...holidayTargets.tags] }, period: 'festival', festival: { name: 'chongyang', daysBefore: 3, daysAfter: 3 }, threshold: { op: 'at_least', value: 1 } },
      { name: '春节走访慰问', subject: 'target', measure: { kind: 'activities', activityKinds: ['condolence', 'household_visit'] }, targets: { kinds: [...holidayTargets.kinds], tags: [...holidayTargets.tags] }, period: 'festival', festival: { name: 'chunjie', daysBefore: 15 }, threshold: { op: 'at_least', value: 1 } },
    ],
  },
];
