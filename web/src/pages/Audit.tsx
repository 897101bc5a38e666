import { ReloadOutlined } from '@ant-design/icons';
import { AutoComplete, Button, Popover, Table, Tag } from 'antd';
import type { TablePaginationConfig } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, type Page } from '../api.ts';
import { ExportButton } from '../components/ExportButton.tsx';
import { PageTitle } from '../components/Status.tsx';
import { useI18n, type Bilingual } from '../i18n.ts';
import { formatSeconds } from '../labels.ts';

type AuditEntry = {
  id: string;
  at: string;
  userId: number | null;
  username: string | null;
  ip: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  detail: unknown;
};

/** Known actions, for the filter's suggestions and a readable name next to the code. */
const actionLabels: Record<string, Bilingual> = {
  'auth.login': { zh: '登录', en: 'Log in' },
  'auth.logout': { zh: '退出', en: 'Log out' },
  'auth.login_failed': { zh: '登录失败', en: 'Failed login' },
  'auth.locked': { zh: '账号锁定', en: 'Account locked' },
  'auth.login_refused_locked': { zh: '锁定期间尝试登录', en: 'Login while locked' },
  'user.create': { zh: '新建账号', en: 'Create account' },
  'user.set_password': { zh: '设置密码', en: 'Set password' },
  'region.create': { zh: '新增网格/楼栋', en: 'Add grid/building' },
  'regions.import': { zh: '导入区划', en: 'Import regions' },
  'unit.create': { zh: '新建单位', en: 'Create unit' },
  'unit.update': { zh: '修改单位', en: 'Edit unit' },
  'cadre.create': { zh: '新建干部', en: 'Create cadre' },
  'cadre.update': { zh: '修改干部', en: 'Edit cadre' },
  'cadre.import': { zh: '导入干部', en: 'Import cadres' },
  'personal_data.reveal': { zh: '查看个人信息', en: 'View personal data' },
  'personal_data.export': { zh: '导出个人信息', en: 'Export personal data' },
  'demo.load': { zh: '加载演示数据', en: 'Load demo data' },
};

const actionColor = (a: string) => (a.startsWith('personal_data') ? 'red' : a.startsWith('auth.') ? (a === 'auth.login' || a === 'auth.logout' ? 'default' : 'orange') : 'blue');

export default function AuditPage() {
  const { t, lang } = useI18n();
  const [action, setAction] = useState('');
  const [actionInput, setActionInput] = useState('');
  const [paging, setPaging] = useState({ page: 1, pageSize: 50 });
  const [data, setData] = useState<Page<AuditEntry> | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setData(await api.get<Page<AuditEntry>>('/api/v1/audit', { action, ...paging }));
    } catch {
      /* shown by the API client */
    } finally {
      setLoading(false);
    }
  }, [action, paging]);

  useEffect(() => {
    void load();
  }, [load]);

  const onTable = (p: TablePaginationConfig) =>
    setPaging((f) => ({ page: p.pageSize !== f.pageSize ? 1 : (p.current ?? 1), pageSize: p.pageSize ?? f.pageSize }));

  const apply = (v: string) => {
    setAction(v.trim());
    setPaging((p) => ({ ...p, page: 1 }));
  };

  return (
    <div>
      <PageTitle title={t('auditTitle')} extra={<ExportButton path="/api/v1/audit/export.xlsx" query={{ action: action || undefined }} filename="审计日志.xlsx" testId="audit-export" />} />
      <div className="lx-toolbar">
        <AutoComplete
          style={{ width: 300 }}
          value={actionInput}
          onChange={(v: string) => setActionInput(v)}
          onSelect={(v: string) => apply(v)}
          allowClear
          onClear={() => apply('')}
          placeholder={t('auditActionPlaceholder')}
          options={Object.entries(actionLabels)
            .filter(([k, l]) => !actionInput || k.includes(actionInput) || l[lang].includes(actionInput))
            .map(([k, l]) => ({ value: k, label: `${k} · ${l[lang]}` }))}
          onKeyDown={(e) => {
            if (e.key === 'Enter') apply(actionInput);
          }}
        />
        <Button type="primary" onClick={() => apply(actionInput)}>
          {t('search')}
        </Button>
        <span className="lx-toolbar-spacer" />
        <Button icon={<ReloadOutlined />} onClick={() => void load()}>
          {t('refresh')}
        </Button>
      </div>
      <Table<AuditEntry>
        data-testid="audit-table"
        rowKey="id"
        size="small"
        bordered
        loading={loading}
        dataSource={data?.items ?? []}
        onChange={onTable}
        scroll={{ x: 1100 }}
        pagination={{ current: paging.page, pageSize: paging.pageSize, total: data?.total ?? 0, showSizeChanger: true, pageSizeOptions: [20, 50, 100, 200], showTotal: (total) => t('totalItems', { total }) }}
        columns={[
          { title: t('auditTime'), dataIndex: 'at', width: 160, render: (d: string) => formatSeconds(d) },
          { title: t('auditUser'), dataIndex: 'username', width: 120, render: (u: string | null) => u ?? <span className="lx-muted">{t('systemUser')}</span> },
          { title: t('auditIp'), dataIndex: 'ip', width: 130, render: (ip: string | null) => <span className="lx-phone">{ip ?? '—'}</span> },
          {
            title: t('auditAction'),
            dataIndex: 'action',
            width: 220,
            render: (a: string) => (
              <span>
                <Tag color={actionColor(a)}>{actionLabels[a]?.[lang] ?? a}</Tag>
                <span className="lx-muted" style={{ fontSize: 12 }}>
                  {a}
                </span>
              </span>
            ),
          },
          { title: t('auditEntity'), dataIndex: 'entity', width: 90 },
          { title: t('auditEntityId'), dataIndex: 'entityId', width: 130, render: (id: string | null) => <span className="lx-phone">{id ?? '—'}</span> },
          { title: t('auditDetail'), dataIndex: 'detail', render: (d: unknown) => <Detail value={d} /> },
        ]}
      />
    </div>
  );
}

function Detail({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="lx-muted">—</span>;
  const compact = JSON.stringify(value);
  if (compact.length <= 80) return <code className="lx-detail-json">{compact}</code>;
  return (
    <Popover content={<pre className="lx-detail-json">{JSON.stringify(value, null, 2)}</pre>} trigger="click" placement="left">
      <code className="lx-detail-json" style={{ cursor: 'pointer' }}>
        {compact.slice(0, 80)}…
      </code>
    </Popover>
  );
}
