// UI strings, Chinese first. Every string the app shows comes from here or from the shared
// contracts' label tables ({ zh, en }). `{name}` placeholders are filled by t(key, vars).
import { createContext, createElement, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

export type Lang = 'zh' | 'en';
export type Bilingual = { zh: string; en: string };

const zh = {
  appName: '连心',
  appTitle: '连心 · 干部下基层联系服务群众平台',
  appSubtitle: '干部下基层联系服务群众平台',

  // navigation
  navOverview: '首页',
  navRegions: '区划',
  navUnits: '单位',
  navCadres: '干部',
  navUsers: '账号',
  navAudit: '审计日志',

  // header
  logout: '退出',
  scope: '管辖范围',
  scopeAll: '全部',
  language: '语言',
  loggedOut: '已退出登录',

  // login
  loginTitle: '账号登录',
  username: '用户名',
  password: '密码',
  login: '登录',
  usernameRequired: '请输入用户名',
  passwordRequired: '请输入密码',
  loginFooter: '本系统仅限授权人员使用，所有操作均记入审计日志',
  sessionExpiredTitle: '超时退出',
  loginAgain: '请重新登录',

  // common
  search: '搜索',
  reset: '重置',
  refresh: '刷新',
  actions: '操作',
  edit: '编辑',
  create: '新建',
  save: '保存',
  cancel: '取消',
  ok: '确定',
  close: '关闭',
  all: '全部',
  none: '无',
  loading: '加载中…',
  noData: '暂无数据',
  totalItems: '共 {total} 条',
  saved: '已保存',
  created: '已创建',
  required: '此项为必填',
  notFoundTitle: '页面不存在',
  notFoundBack: '返回首页',
  forbiddenTitle: '无权访问',
  forbiddenText: '您的角色无权访问此页面',
  code: '编码',
  name: '名称',
  level: '层级',
  region: '区划',
  unit: '单位',
  clear: '清除',
  networkError: '无法连接服务器，请检查网络后重试',
  serverError: '服务器错误（{status}）',
  yes: '是',
  no: '否',

  // overview
  overviewTitle: '工作概况',
  statTownships: '乡镇（街道）',
  statVillages: '村（社区）',
  statUnits: '单位',
  statCadres: '干部',
  unitGe: '个',
  unitPerson: '人',
  cadresByRank: '干部职级分布',
  chartPersons: '人数',
  welcome: '欢迎您，{name}',
  scopeLine: '您的管辖范围：{scope}',
  accountCard: '当前账号',

  // regions
  regionTree: '区划树',
  regionDetail: '区划详情',
  regionSelectHint: '请在左侧区划树中选择一个区划查看详情',
  regionName: '区划名称',
  regionCode: '区划代码',
  regionLevel: '区划层级',
  regionPath: '所属路径',
  regionChildren: '下级区划数',
  regionValidFrom: '启用日期',
  regionValidTo: '停用日期',
  regionSearch: '查找村（社区）',
  regionSearchPlaceholder: '输入村（社区）名称',
  regionSearchResults: '查找结果',
  locate: '定位',
  addLocalRegion: '新增网格 / 楼栋单元',
  localRegionLevel: '类型',
  localRegionName: '名称',
  localRegionParent: '上级区划',
  localRegionNamePlaceholder: '例如：第一网格、3幢1单元',
  regionEmpty: '您的管辖范围内暂无区划数据',

  // units
  unitsTitle: '单位管理',
  unitSearchPlaceholder: '单位名称 / 编码',
  unitLevelFilter: '单位层级',
  newUnit: '新建单位',
  editUnit: '编辑单位',
  unitCode: '单位编码',
  unitName: '单位名称',
  unitLevel: '层级',
  unitRegion: '所在区划',
  unitParent: '上级单位',
  unitLeader: '责任领导',
  unitCadreCount: '干部人数',
  unitCodeHint: '字母、数字、下划线或连字符，创建后不可修改',
  regionSelectPlaceholder: '输入区划名称搜索',
  unitSelectPlaceholder: '输入单位名称搜索',
  cadreSelectPlaceholder: '输入干部姓名搜索',

  // cadres
  cadresTitle: '干部名册',
  cadreSearchPlaceholder: '姓名 / 拼音首字母 / 手机号',
  rankFilter: '职级',
  statusFilter: '状态',
  unitFilter: '所在单位',
  newCadre: '新建干部',
  editCadre: '编辑干部',
  downloadTemplate: '下载模板',
  exportExcel: '导出 Excel',
  importExcel: '导入 Excel',
  importing: '正在导入…',
  importDone: '已导入 {n} 人',
  importRejectedTitle: '导入失败：未导入任何数据',
  importRejectedText: '文件中有以下问题，请修改后重新导入（整份文件未导入任何数据）：',
  importRow: '行号',
  importField: '列',
  importMessage: '问题',
  cadreName: '姓名',
  cadreGender: '性别',
  cadreUnit: '单位',
  cadreRank: '职级',
  cadrePosition: '职务',
  cadreStatus: '状态',
  cadrePhone: '手机号',
  cadreUpdatedAt: '更新时间',
  phoneView: '查看',
  phoneKeepHint: '不修改请留空',
  phoneInvalid: '手机号应为11位数字，以13–19开头',
  revealTitle: '查看完整手机号',
  revealNotice: '手机号属于个人信息。查看完整号码将记入审计日志（查看人、时间、事由）。',
  revealReason: '查看事由',
  revealReasonPlaceholder: '例如：联系走访安排',
  revealConfirm: '查看',
  revealAudited: '本次查看已记入审计日志',
  revealNone: '未登记手机号',

  // users
  usersTitle: '账号管理',
  newUser: '新建账号',
  displayName: '姓名',
  role: '角色',
  userRegion: '管辖区划',
  userUnit: '所属单位',
  userStatus: '状态',
  lastLogin: '最近登录',
  userActive: '正常',
  userDisabled: '已停用',
  userLocked: '已锁定',
  passwordHint: '至少8位，包含小写字母、大写字母、数字、符号中的至少三类',
  passwordWeak: '密码至少8位，且须包含小写字母、大写字母、数字、符号中的至少三类',
  usernameHint: '3–64位字母、数字、下划线、点或连字符',
  usernameInvalid: '用户名为3–64位字母、数字、下划线、点或连字符',
  scopeHint: '账号只能看到所选区划和单位范围内的数据；两者都选时须同时满足',

  // audit
  auditTitle: '审计日志',
  auditTime: '时间',
  auditUser: '用户',
  auditIp: 'IP 地址',
  auditAction: '操作',
  auditEntity: '对象',
  auditEntityId: '对象编号',
  auditDetail: '详情',
  auditActionPlaceholder: '按操作筛选，如 cadre.update',
  systemUser: '系统',
} as const;

export type MessageKey = keyof typeof zh;

const en: Record<MessageKey, string> = {
  appName: 'Lianxin',
  appTitle: 'Lianxin · Cadres at the Grassroots',
  appSubtitle: 'Cadres at the grassroots, serving the people',

  navOverview: 'Overview',
  navRegions: 'Regions',
  navUnits: 'Units',
  navCadres: 'Cadres',
  navUsers: 'Accounts',
  navAudit: 'Audit log',

  logout: 'Log out',
  scope: 'Scope',
  scopeAll: 'All',
  language: 'Language',
  loggedOut: 'Logged out',

  loginTitle: 'Sign in',
  username: 'Username',
  password: 'Password',
  login: 'Log in',
  usernameRequired: 'Enter your username',
  passwordRequired: 'Enter your password',
  loginFooter: 'Authorised users only. All actions are recorded in the audit log.',
  sessionExpiredTitle: 'Session timed out',
  loginAgain: 'Please log in again',

  search: 'Search',
  reset: 'Reset',
  refresh: 'Refresh',
  actions: 'Actions',
  edit: 'Edit',
  create: 'Create',
  save: 'Save',
  cancel: 'Cancel',
  ok: 'OK',
  close: 'Close',
  all: 'All',
  none: 'None',
  loading: 'Loading…',
  noData: 'No data',
  totalItems: '{total} in total',
  saved: 'Saved',
  created: 'Created',
  required: 'Required',
  notFoundTitle: 'Page not found',
  notFoundBack: 'Back to overview',
  forbiddenTitle: 'No access',
  forbiddenText: 'Your role may not open this page',
  code: 'Code',
  name: 'Name',
  level: 'Level',
  region: 'Region',
  unit: 'Unit',
  clear: 'Clear',
  networkError: 'Cannot reach the server. Check the network and try again.',
  serverError: 'Server error ({status})',
  yes: 'Yes',
  no: 'No',

  overviewTitle: 'Overview',
  statTownships: 'Townships / streets',
  statVillages: 'Villages / communities',
  statUnits: 'Units',
  statCadres: 'Cadres',
  unitGe: '',
  unitPerson: '',
  cadresByRank: 'Cadres by rank',
  chartPersons: 'Cadres',
  welcome: 'Welcome, {name}',
  scopeLine: 'Your scope: {scope}',
  accountCard: 'Your account',

  regionTree: 'Region tree',
  regionDetail: 'Region details',
  regionSelectHint: 'Select a region in the tree to see its details',
  regionName: 'Name',
  regionCode: 'Division code',
  regionLevel: 'Level',
  regionPath: 'Path',
  regionChildren: 'Sub-regions',
  regionValidFrom: 'Valid from',
  regionValidTo: 'Valid to',
  regionSearch: 'Find a village / community',
  regionSearchPlaceholder: 'Village or community name',
  regionSearchResults: 'Results',
  locate: 'Locate',
  addLocalRegion: 'Add grid / building unit',
  localRegionLevel: 'Type',
  localRegionName: 'Name',
  localRegionParent: 'Parent',
  localRegionNamePlaceholder: 'e.g. Grid 1, Building 3 Unit 1',
  regionEmpty: 'No regions in your scope yet',

  unitsTitle: 'Units',
  unitSearchPlaceholder: 'Unit name / code',
  unitLevelFilter: 'Unit level',
  newUnit: 'New unit',
  editUnit: 'Edit unit',
  unitCode: 'Unit code',
  unitName: 'Unit name',
  unitLevel: 'Level',
  unitRegion: 'Region',
  unitParent: 'Parent unit',
  unitLeader: 'Leader',
  unitCadreCount: 'Cadres',
  unitCodeHint: 'Letters, digits, underscore or hyphen; cannot be changed later',
  regionSelectPlaceholder: 'Type a region name',
  unitSelectPlaceholder: 'Type a unit name',
  cadreSelectPlaceholder: 'Type a cadre name',

  cadresTitle: 'Cadre roster',
  cadreSearchPlaceholder: 'Name / pinyin initials / phone',
  rankFilter: 'Rank',
  statusFilter: 'Status',
  unitFilter: 'Unit',
  newCadre: 'New cadre',
  editCadre: 'Edit cadre',
  downloadTemplate: 'Template',
  exportExcel: 'Export Excel',
  importExcel: 'Import Excel',
  importing: 'Importing…',
  importDone: '{n} cadres imported',
  importRejectedTitle: 'Import failed: nothing was imported',
  importRejectedText: 'The file has these problems. Fix them and import again (nothing from the file was imported):',
  importRow: 'Row',
  importField: 'Column',
  importMessage: 'Problem',
  cadreName: 'Name',
  cadreGender: 'Gender',
  cadreUnit: 'Unit',
  cadreRank: 'Rank',
  cadrePosition: 'Position',
  cadreStatus: 'Status',
  cadrePhone: 'Phone',
  cadreUpdatedAt: 'Updated',
  phoneView: 'View',
  phoneKeepHint: 'Leave empty to keep',
  phoneInvalid: 'A mobile number has 11 digits and starts with 13–19',
  revealTitle: 'View full phone number',
  revealNotice: 'Phone numbers are personal information. Viewing the full number is recorded in the audit log (who, when, why).',
  revealReason: 'Reason',
  revealReasonPlaceholder: 'e.g. arranging a visit',
  revealConfirm: 'View',
  revealAudited: 'This view has been recorded in the audit log',
  revealNone: 'No phone number on file',

  usersTitle: 'Accounts',
  newUser: 'New account',
  displayName: 'Name',
  role: 'Role',
  userRegion: 'Region scope',
  userUnit: 'Unit',
  userStatus: 'Status',
  lastLogin: 'Last login',
  userActive: 'Active',
  userDisabled: 'Disabled',
  userLocked: 'Locked',
  passwordHint: 'At least 8 characters from 3 of: lower case, upper case, digits, symbols',
  passwordWeak: 'At least 8 characters from 3 of: lower case, upper case, digits, symbols',
  usernameHint: '3–64 letters, digits, underscore, dot or hyphen',
  usernameInvalid: 'Username: 3–64 letters, digits, underscore, dot or hyphen',
  scopeHint: 'The account sees only data in the chosen region and unit; with both, records must lie in both',

  auditTitle: 'Audit log',
  auditTime: 'Time',
  auditUser: 'User',
  auditIp: 'IP address',
  auditAction: 'Action',
  auditEntity: 'Entity',
  auditEntityId: 'Entity ID',
  auditDetail: 'Detail',
  auditActionPlaceholder: 'Filter by action, e.g. cadre.update',
  systemUser: 'System',
};

const dictionaries: Record<Lang, Record<MessageKey, string>> = { zh, en };
const STORAGE_KEY = 'lianxin.lang';

export function storedLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

/** Translate outside React (the API client). */
export function translate(key: MessageKey, vars?: Record<string, string | number>, lang: Lang = storedLang()): string {
  let s: string = dictionaries[lang][key];
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

type I18n = {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: (key: MessageKey, vars?: Record<string, string | number>) => string;
  /** Pick the current language from a contract label ({ zh, en }). */
  l: (label: Bilingual | undefined | null) => string;
};

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(storedLang);
  const setLang = useCallback((next: Lang) => {
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      /* private mode: the choice lasts for this page only */
    }
    document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
    document.title = translate('appTitle', undefined, next);
    setLangState(next);
  }, []);
  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang,
      t: (key, vars) => translate(key, vars, lang),
      l: (label) => (label ? label[lang] : ''),
    }),
    [lang, setLang],
  );
  return createElement(I18nContext.Provider, { value }, children);
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}
