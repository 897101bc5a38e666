import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input } from 'antd';
import { useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { ApiError } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { BrandMark, LanguageSwitch } from '../components/AppLayout.tsx';
import { PageSpin } from '../components/Status.tsx';
import { useI18n } from '../i18n.ts';

type Fields = { username: string; password: string };

export function LoginPage() {
  const { me, login, endedBy, clearEnded } = useAuth();
  const { t } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<Fields>();
  const from = (location.state as { from?: string } | null)?.from ?? '/';

  if (me === undefined) return <PageSpin />;
  if (me) return <Navigate to={landingAfterLogin(from, me.cadreId !== null)} replace />;

  const submit = async (v: Fields) => {
    setBusy(true);
    setError(null);
    try {
      const m = await login(v.username, v.password);
      navigate(landingAfterLogin(from, m.cadreId !== null), { replace: true });
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
      form.resetFields(['password']);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="lx-login">
      <div style={{ position: 'absolute', top: 16, right: 20 }}>
        <LanguageSwitch dark />
      </div>
      <div className="lx-login-head">
        <BrandMark size={52} />
        <h1>{t('appName')}</h1>
        <p>{t('appSubtitle')}</p>
      </div>
      <Card className="lx-login-card" title={t('loginTitle')}>
        {endedBy && !error ? (
          <Alert
            type="warning"
            showIcon
            title={t('sessionExpiredTitle')}
            description={endedBy.message}
            style={{ marginBottom: 16 }}
            closable={{ onClose: clearEnded }}
          />
        ) : null}
        {error ? <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} role="alert" /> : null}
        <Form<Fields> form={form} layout="vertical" onFinish={submit} requiredMark={false} autoComplete="on">
          <Form.Item name="username" label={t('username')} rules={[{ required: true, message: t('usernameRequired') }]}>
            <Input id="username" prefix={<UserOutlined />} autoComplete="username" autoFocus size="large" />
          </Form.Item>
          <Form.Item name="password" label={t('password')} rules={[{ required: true, message: t('passwordRequired') }]}>
            <Input.Password id="password" prefix={<LockOutlined />} autoComplete="current-password" size="large" />
          </Form.Item>
          <Form.Item style={{ marginBottom: 0 }}>
            <Button type="primary" htmlType="submit" block size="large" loading={busy}>
              {t('login')}
            </Button>
          </Form.Item>
        </Form>
      </Card>
      <div className="lx-login-foot">{t('loginFooter')}</div>
    </div>
  );
}

/**
 * Where to go after signing in: back where the user was sent from; a cadre on a phone-sized
 * screen who came to the site root goes to the field view (/m), which is made for the village.
 */
function landingAfterLogin(from: string, hasCadre: boolean): string {
  const target = from.startsWith('/login') ? '/' : from;
  if (target === '/' && hasCadre && window.matchMedia('(max-width: 767px)').matches) return '/m';
  return target;
}
