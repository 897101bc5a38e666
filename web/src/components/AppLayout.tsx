import {
  AimOutlined,
  ApiOutlined,
  AlertOutlined,
  CustomerServiceOutlined,
  InboxOutlined,
  ProfileOutlined,
  ApartmentOutlined,
  AuditOutlined,
  BankOutlined,
  BarChartOutlined,
  CarryOutOutlined,
  FundOutlined,
  TrophyOutlined,
  ScheduleOutlined,
  ContactsOutlined,
  DashboardOutlined,
  FlagOutlined,
  FileTextOutlined,
  GiftOutlined,
  ReadOutlined,
  SafetyCertificateOutlined,
  HeartOutlined,
  LikeOutlined,
  LineChartOutlined,
  SettingOutlined,
  MobileOutlined,
  NodeIndexOutlined,
  LogoutOutlined,
  TeamOutlined,
  UserOutlined,
  UserSwitchOutlined,
  SendOutlined,
  FundProjectionScreenOutlined,
  NotificationOutlined,
} from '@ant-design/icons';
import { App as AntApp, Button, Layout, Menu, Segmented, Tag, Tooltip } from 'antd';
import type { MenuProps } from 'antd';
import { useState } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router-dom';
import { can, useAuth, useMe, type Permission } from '../auth.tsx';
import type { Role } from '../../../contracts/auth.ts';
import { useI18n, type Lang, type MessageKey } from '../i18n.ts';
import { roleLabel } from '../labels.ts';
import { NotificationBell } from './NotificationBell.tsx';

const { Header, Sider, Content } = Layout;

type NavItem = { path: string; label: MessageKey; icon: React.ReactNode; permission?: Permission; roles?: readonly Role[] };
const nav: NavItem[] = [
  { path: '/', label: 'navOverview', icon: <DashboardOutlined /> },
  { path: '/dashboard', label: 'navDashboard', icon: <FundProjectionScreenOutlined />, roles: ['unit_leader', 'leadership', 'supervisor', 'admin'] },
  { path: '/statistics', label: 'navStatistics', icon: <LineChartOutlined />, roles: ['unit_leader', 'leadership', 'supervisor', 'admin', 'handling_dept', 'hotline_operator'] },
  { path: '/bulletins', label: 'navBulletins', icon: <NotificationOutlined /> },
  { path: '/regions', label: 'navRegions', icon: <ApartmentOutlined /> },
  { path: '/units', label: 'navUnits', icon: <BankOutlined /> },
  { path: '/cadres', label: 'navCadres', icon: <TeamOutlined /> },
  { path: '/targets', label: 'navTargets', icon: <ContactsOutlined /> },
  { path: '/campaigns', label: 'navCampaigns', icon: <FlagOutlined /> },
  { path: '/coverage', label: 'navCoverage', icon: <BarChartOutlined /> },
  { path: '/compliance', label: 'navCompliance', icon: <FundOutlined />, roles: ['unit_leader', 'leadership', 'supervisor', 'admin'] },
  { path: '/assessments', label: 'navAssessments', icon: <TrophyOutlined />, roles: ['unit_leader', 'leadership', 'supervisor', 'admin'] },
  { path: '/requirement-rules', label: 'navRequirementRules', icon: <ScheduleOutlined />, permission: 'requirement.configure' },
  { path: '/activities', label: 'navActivities', icon: <FileTextOutlined /> },
  { path: '/matters', label: 'navMatters', icon: <GiftOutlined /> },
  { path: '/commitments', label: 'navCommitments', icon: <AimOutlined /> },
  { path: '/writings', label: 'navWritings', icon: <ReadOutlined /> },
  { path: '/tickets', label: 'navTickets', icon: <ProfileOutlined /> },
  { path: '/inbox', label: 'navTicketInbox', icon: <InboxOutlined />, roles: ['handling_dept', 'unit_leader'] },
  { path: '/supervision', label: 'navSupervision', icon: <AlertOutlined />, roles: ['supervisor', 'leadership', 'admin'] },
  { path: '/hotline', label: 'navHotline', icon: <CustomerServiceOutlined />, roles: ['hotline_operator', 'admin'] },
  { path: '/ticket-measures', label: 'navTicketMeasures', icon: <LineChartOutlined /> },
  { path: '/surveys', label: 'navSurveys', icon: <LikeOutlined />, permission: 'survey.results' },
  { path: '/ticket-settings', label: 'navTicketSettings', icon: <SettingOutlined />, permission: 'ticket.configure' },
  { path: '/open311-keys', label: 'navOpen311Keys', icon: <ApiOutlined />, permission: 'open311.keys' },
  { path: '/notification-channels', label: 'navNotificationChannels', icon: <SendOutlined />, permission: 'calendar.configure' },
  { path: '/integrity', label: 'navIntegrity', icon: <SafetyCertificateOutlined />, permission: 'integrity.clear' },
  { path: '/planner', label: 'navPlanner', icon: <NodeIndexOutlined />, permission: 'planner.run' },
  { path: '/users', label: 'navUsers', icon: <UserSwitchOutlined />, permission: 'user.manage' },
  { path: '/audit', label: 'navAudit', icon: <AuditOutlined />, permission: 'audit.read' },
];

export function BrandMark({ size = 30 }: { size?: number }) {
  return (
    <svg className="lx-brand-mark" width={size} height={size} viewBox="0 0 64 64" aria-hidden="true">
      <rect width="64" height="64" rx="12" fill="#fff" />
      <path d="M32 50 14 33a10 10 0 0 1 14-14l4 4 4-4a10 10 0 0 1 14 14Z" fill="#b7202e" />
    </svg>
  );
}

export function LanguageSwitch({ dark }: { dark?: boolean }) {
  const { lang, setLang } = useI18n();
  return (
    <Segmented<Lang>
      size="small"
      value={lang}
      onChange={setLang}
      options={[
        { value: 'zh', label: '中文' },
        { value: 'en', label: 'EN' },
      ]}
      style={dark ? { background: 'rgba(255,255,255,0.2)' } : undefined}
      aria-label="language"
    />
  );
}

export function AppLayout() {
  const me = useMe();
  const { logout } = useAuth();
  const { t, lang } = useI18n();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const location = useLocation();
  const [collapsed, setCollapsed] = useState(false);

  // A cadre's own targets, for accounts linked with a cadre.
  const mine: NavItem | null = me.cadreId ? { path: `/cadres/${me.cadreId}`, label: 'navMyTargets', icon: <HeartOutlined /> } : null;
  // Everything due for a cadre (我的任务): compliance, visits, fixed days, tickets.
  const duties: NavItem | null = me.cadreId ? { path: '/duties', label: 'navMyDuties', icon: <CarryOutOutlined /> } : null;
  const entries = mine && duties ? [nav[0]!, duties, mine, ...nav.slice(1)] : nav;
  // The cadre's mobile field view (/m, its own shell outside this layout).
  const field: NavItem | null = me.cadreId ? { path: '/m', label: 'navField', icon: <MobileOutlined /> } : null;
  const items: MenuProps['items'] = entries
    .filter((n) => (!n.permission || can(me, n.permission)) && (!n.roles || n.roles.includes(me.role)))
    .map((n) => ({ key: n.path, icon: n.icon, label: t(n.label) }))
    .concat(field ? [{ key: field.path, icon: field.icon, label: t(field.label) }] : []);
  const selected = entries
    .map((n) => n.path)
    .filter((p) => (p === '/' ? location.pathname === '/' : location.pathname === p || location.pathname.startsWith(p + '/')))
    .sort((x, y) => y.length - x.length)
    .slice(0, 1);

  const scope = [me.regionName, me.unitName].filter(Boolean).join(' · ') || t('scopeAll');

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Header className="lx-header">
        <div className="lx-brand">
          <BrandMark />
          <span className="lx-brand-name">{t('appName')}</span>
          <span className="lx-brand-sub">{t('appSubtitle')}</span>
        </div>
        <div className="lx-header-right">
          <span data-testid="current-user">
            <UserOutlined /> {me.displayName}
          </span>
          <Tag color="gold" style={{ marginInlineEnd: 0 }}>
            {roleLabel(me.role, lang)}
          </Tag>
          <Tooltip title={t('scope')}>
            <span className="lx-user-scope">{scope}</span>
          </Tooltip>
          <NotificationBell />
          <LanguageSwitch dark />
          <Button
            type="text"
            size="small"
            icon={<LogoutOutlined />}
            onClick={async () => {
              await logout();
              void message.success(t('loggedOut'));
            }}
          >
            {t('logout')}
          </Button>
        </div>
      </Header>
      <Layout>
        <Sider className="lx-sider" width={184} collapsible collapsed={collapsed} onCollapse={setCollapsed} theme="light" breakpoint="lg">
          <Menu
            mode="inline"
            selectedKeys={selected}
            items={items}
            onClick={({ key }) => navigate(key)}
            style={{ borderInlineEnd: 0, paddingTop: 8 }}
          />
        </Sider>
        <Content className="lx-content">
          <Outlet />
        </Content>
      </Layout>
    </Layout>
  );
}
