import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { AuthProvider, can, useAuth, type Permission } from './auth.tsx';
import { AppLayout } from './components/AppLayout.tsx';
import { Forbidden, NotFound, PageSpin } from './components/Status.tsx';
import { translate, useI18n } from './i18n.ts';
import { LoginPage } from './pages/Login.tsx';

const OverviewPage = lazy(() => import('./pages/Overview.tsx'));
const RegionsPage = lazy(() => import('./pages/Regions.tsx'));
const UnitsPage = lazy(() => import('./pages/Units.tsx'));
const CadresPage = lazy(() => import('./pages/Cadres.tsx'));
const UsersPage = lazy(() => import('./pages/Users.tsx'));
const AuditPage = lazy(() => import('./pages/Audit.tsx'));
const CadreDetailPage = lazy(() => import('./pages/CadreDetail.tsx'));
const TargetsPage = lazy(() => import('./pages/Targets.tsx'));
const TargetDetailPage = lazy(() => import('./pages/TargetDetail.tsx'));
const CampaignsPage = lazy(() => import('./pages/Campaigns.tsx'));
const CampaignDetailPage = lazy(() => import('./pages/CampaignDetail.tsx'));
const CoveragePage = lazy(() => import('./pages/Coverage.tsx'));
const PlannerPage = lazy(() => import('./pages/Planner.tsx'));
const ActivitiesPage = lazy(() => import('./pages/Activities.tsx'));
const ActivityDetailPage = lazy(() => import('./pages/ActivityDetail.tsx'));
const MattersPage = lazy(() => import('./pages/Matters.tsx'));
const WritingsPage = lazy(() => import('./pages/Writings.tsx'));
const WritingDetailPage = lazy(() => import('./pages/WritingDetail.tsx'));
const IntegrityFlagsPage = lazy(() => import('./pages/IntegrityFlags.tsx'));
const TicketsPage = lazy(() => import('./pages/Tickets.tsx'));
const TicketDetailPage = lazy(() => import('./pages/TicketDetail.tsx'));
const TicketInboxPage = lazy(() => import('./pages/TicketInbox.tsx'));
const SupervisionBoardPage = lazy(() => import('./pages/SupervisionBoard.tsx'));
const HotlinePage = lazy(() => import('./pages/Hotline.tsx'));
const TicketMeasuresPage = lazy(() => import('./pages/TicketMeasures.tsx'));
const TicketSettingsPage = lazy(() => import('./pages/TicketSettings.tsx'));
const RequirementRulesPage = lazy(() => import('./pages/RequirementRules.tsx'));
const CompliancePage = lazy(() => import('./pages/Compliance.tsx'));
const DashboardPage = lazy(() => import('./pages/Dashboard.tsx'));
const StatisticsPage = lazy(() => import('./pages/Statistics.tsx'));
const BulletinsPage = lazy(() => import('./pages/Bulletins.tsx'));
const BulletinDetailPage = lazy(() => import('./pages/BulletinDetail.tsx'));
// 大屏: full screen, outside the app layout (logged in).
const BigScreenPage = lazy(() => import('./pages/BigScreen.tsx'));
const MyDutiesPage = lazy(() => import('./pages/MyDuties.tsx'));
const AssessmentsPage = lazy(() => import('./pages/Assessments.tsx'));
const AssessmentDetailPage = lazy(() => import('./pages/AssessmentDetail.tsx'));
const Open311KeysPage = lazy(() => import('./pages/Open311Keys.tsx'));
const NotificationChannelsPage = lazy(() => import('./pages/NotificationChannels.tsx'));
// The requester's tracking page: public (no login), its own shell.
const TrackTicketPage = lazy(() => import('./pages/TrackTicket.tsx'));
// 双评: the respondent's page behind a link or QR code (public, no login).
const PublicSurveyPage = lazy(() => import('./pages/PublicSurvey.tsx'));
// 公开履职承诺: the public commitments page (no login).
const PublicCommitmentsPage = lazy(() => import('./pages/PublicCommitments.tsx'));
const CommitmentsPage = lazy(() => import('./pages/Commitments.tsx'));
const CommitmentDetailPage = lazy(() => import('./pages/CommitmentDetail.tsx'));
const SurveysPage = lazy(() => import('./pages/Surveys.tsx'));
const SurveyDetailPage = lazy(() => import('./pages/SurveyDetail.tsx'));
// The cadre's field view: its own shell, works offline (no RequireAuth: it checks the session itself).
const FieldApp = lazy(() => import('./field/FieldApp.tsx'));

const theme = {
  token: {
    colorPrimary: '#b7202e',
    colorLink: '#1f5fae',
    borderRadius: 4,
    fontSize: 14,
  },
  components: {
    Layout: { headerBg: '#b7202e', siderBg: '#ffffff', bodyBg: '#f2f3f5' },
    Menu: { itemSelectedBg: '#fbeaea', itemSelectedColor: '#b7202e' },
    Table: { headerBg: '#f7f7f8', cellPaddingBlockSM: 6 },
  },
};

export function Root() {
  const { lang } = useI18n();
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = translate('appTitle', undefined, lang);
  }, [lang]);
  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} theme={theme} button={{ autoInsertSpace: false }}>
      <AntApp>
        <BrowserRouter>
          <AuthProvider>
            <AppRoutes />
          </AuthProvider>
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  );
}

function RequireAuth({ children }: { children: ReactNode }) {
  const { me, loggedOut } = useAuth();
  const location = useLocation();
  if (me === undefined) return <PageSpin />;
  if (me === null) return <Navigate to="/login" replace state={loggedOut ? undefined : { from: location.pathname + location.search }} />;
  return children;
}

function Allowed({ permission, children }: { permission: Permission; children: ReactNode }) {
  const { me } = useAuth();
  return can(me, permission) ? children : <Forbidden />;
}

function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/m/*" element={<Lazy><FieldApp /></Lazy>} />
      <Route path="/track" element={<Lazy><TrackTicketPage /></Lazy>} />
      <Route path="/track/:code" element={<Lazy><TrackTicketPage /></Lazy>} />
      <Route path="/s/:token" element={<Lazy><PublicSurveyPage /></Lazy>} />
      <Route path="/pledges" element={<Lazy><PublicCommitmentsPage /></Lazy>} />
      <Route path="/pledges/:id" element={<Lazy><PublicCommitmentsPage /></Lazy>} />
      <Route path="/bigscreen" element={<RequireAuth><Lazy><BigScreenPage /></Lazy></RequireAuth>} />
      <Route
        element={
          <RequireAuth>
            <AppLayout />
          </RequireAuth>
        }
      >
        <Route index element={<Lazy><OverviewPage /></Lazy>} />
        <Route path="regions" element={<Lazy><RegionsPage /></Lazy>} />
        <Route path="units" element={<Lazy><UnitsPage /></Lazy>} />
        <Route path="cadres" element={<Lazy><CadresPage /></Lazy>} />
        <Route path="cadres/:id" element={<Lazy><CadreDetailPage /></Lazy>} />
        <Route path="targets" element={<Lazy><TargetsPage /></Lazy>} />
        <Route path="targets/:id" element={<Lazy><TargetDetailPage /></Lazy>} />
        <Route path="campaigns" element={<Lazy><CampaignsPage /></Lazy>} />
        <Route path="campaigns/:id" element={<Lazy><CampaignDetailPage /></Lazy>} />
        <Route path="coverage" element={<Lazy><CoveragePage /></Lazy>} />
        <Route path="activities" element={<Lazy><ActivitiesPage /></Lazy>} />
        <Route path="activities/:id" element={<Lazy><ActivityDetailPage /></Lazy>} />
        <Route path="matters" element={<Lazy><MattersPage /></Lazy>} />
        <Route path="commitments" element={<Lazy><CommitmentsPage /></Lazy>} />
        <Route path="commitments/:id" element={<Lazy><CommitmentDetailPage /></Lazy>} />
        <Route path="writings" element={<Lazy><WritingsPage /></Lazy>} />
        <Route path="writings/:id" element={<Lazy><WritingDetailPage /></Lazy>} />
        <Route path="tickets" element={<Lazy><TicketsPage /></Lazy>} />
        <Route path="tickets/:id" element={<Lazy><TicketDetailPage /></Lazy>} />
        <Route path="inbox" element={<Lazy><TicketInboxPage /></Lazy>} />
        <Route path="supervision" element={<Lazy><SupervisionBoardPage /></Lazy>} />
        <Route path="hotline" element={<Lazy><HotlinePage /></Lazy>} />
        <Route path="ticket-measures" element={<Lazy><TicketMeasuresPage /></Lazy>} />
        <Route path="surveys" element={<Allowed permission="survey.results"><Lazy><SurveysPage /></Lazy></Allowed>} />
        <Route path="surveys/:id" element={<Allowed permission="survey.results"><Lazy><SurveyDetailPage /></Lazy></Allowed>} />
        <Route path="requirement-rules" element={<Lazy><RequirementRulesPage /></Lazy>} />
        <Route path="compliance" element={<Lazy><CompliancePage /></Lazy>} />
        <Route path="dashboard" element={<Lazy><DashboardPage /></Lazy>} />
        <Route path="statistics" element={<Lazy><StatisticsPage /></Lazy>} />
        <Route path="bulletins" element={<Lazy><BulletinsPage /></Lazy>} />
        <Route path="bulletins/:id" element={<Lazy><BulletinDetailPage /></Lazy>} />
        <Route path="duties" element={<Lazy><MyDutiesPage /></Lazy>} />
        <Route path="assessments" element={<Lazy><AssessmentsPage /></Lazy>} />
        <Route path="assessments/:id" element={<Lazy><AssessmentDetailPage /></Lazy>} />
        <Route path="ticket-settings" element={<Allowed permission="ticket.configure"><Lazy><TicketSettingsPage /></Lazy></Allowed>} />
        <Route path="open311-keys" element={<Allowed permission="open311.keys"><Lazy><Open311KeysPage /></Lazy></Allowed>} />
        <Route path="notification-channels" element={<Allowed permission="calendar.configure"><Lazy><NotificationChannelsPage /></Lazy></Allowed>} />
        <Route path="integrity" element={<Allowed permission="integrity.clear"><Lazy><IntegrityFlagsPage /></Lazy></Allowed>} />
        <Route path="planner" element={<Allowed permission="planner.run"><Lazy><PlannerPage /></Lazy></Allowed>} />
        <Route path="users" element={<Allowed permission="user.manage"><Lazy><UsersPage /></Lazy></Allowed>} />
        <Route path="audit" element={<Allowed permission="audit.read"><Lazy><AuditPage /></Lazy></Allowed>} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

const Lazy = ({ children }: { children: ReactNode }) => <Suspense fallback={<PageSpin />}>{children}</Suspense>;
