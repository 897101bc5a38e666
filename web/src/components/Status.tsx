import { Button, Result, Spin } from 'antd';
import type { ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';
import { useI18n } from '../i18n.ts';

export const PageSpin = () => (
  <div style={{ padding: 80, textAlign: 'center' }}>
    <Spin size="large" />
  </div>
);

export function NotFound() {
  const { t } = useI18n();
  const navigate = useNavigate();
  return (
    <Result
      status="404"
      title={t('notFoundTitle')}
      extra={
        <Button type="primary" onClick={() => navigate('/')}>
          {t('notFoundBack')}
        </Button>
      }
    />
  );
}

export function Forbidden() {
  const { t } = useI18n();
  const navigate = useNavigate();
  return (
    <Result
      status="403"
      title={t('forbiddenTitle')}
      subTitle={t('forbiddenText')}
      extra={
        <Button type="primary" onClick={() => navigate('/')}>
          {t('notFoundBack')}
        </Button>
      }
    />
  );
}

/** Page heading with optional buttons on the right. */
export function PageTitle({ title, extra }: { title: ReactNode; extra?: ReactNode }) {
  return (
    <div className="lx-page-title">
      <h2>{title}</h2>
      {extra ? <div>{extra}</div> : null}
    </div>
  );
}
