import { KeyOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, Form, Input, Modal, Popconfirm, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import type { Open311KeyDto } from '../../../contracts/ticket-api.ts';
import { api } from '../api.ts';
import { bodyFieldErrors } from '../components/recordCommon.tsx';
import { PageTitle } from '../components/Status.tsx';
import { useTicketText } from '../components/ticketLoopText.ts';
import { useI18n } from '../i18n.ts';
import { formatTime } from '../labels.ts';

// Open311 API keys (permission open311.keys): one per client application. The key itself is shown
// once, when issued (the server keeps only its hash); revoking is immediate and final.

type Created = Open311KeyDto & { apiKey: string };

export default function Open311KeysPage() {
  const { tt } = useTicketText();
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const [keys, setKeys] = useState<Open311KeyDto[] | null>(null);
  const [loading, setLoading] = useState(false);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const r = await api.get<Open311KeyDto[] | { items: Open311KeyDto[] }>('/api/v1/open311-keys');
      setKeys(Array.isArray(r) ? r : r.items);
    } catch {
      /* shown by the API client */
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const revoke = async (k: Open311KeyDto) => {
    try {
      await api.post(`/api/v1/open311-keys/${k.id}/revoke`);
      void message.success(tt('keysRevokedDone'));
      await load();
    } catch {
      /* shown by the API client */
    }
  };

  const endpoint = `${location.origin}/open311/v2/`;
  const columns: TableColumnsType<Open311KeyDto> = [
    { title: tt('keysName'), dataIndex: 'name', render: (n: string) => <strong>{n}</strong> },
    { title: tt('keysPrefix'), dataIndex: 'keyPrefix', width: 160, render: (p: string) => <code>{p}…</code> },
    { title: tt('keysCreated'), dataIndex: 'createdAt', width: 160, render: formatTime },
    { title: tt('keysLastUsed'), dataIndex: 'lastUsedAt', width: 160, render: (s: string | null) => (s ? formatTime(s) : <span className="lx-muted">{tt('keysNeverUsed')}</span>) },
    {
      title: tt('keysStatus'),
      dataIndex: 'revokedAt',
      width: 170,
      render: (r: string | null) =>
        r ? (
          <span>
            <Tag>{tt('keysRevoked')}</Tag>
            <span className="lx-muted" style={{ fontSize: 12 }}>{formatTime(r)}</span>
          </span>
        ) : (
          <Tag color="green">{tt('keysActive')}</Tag>
        ),
    },
    {
      title: t('actions'),
      key: 'ops',
      width: 90,
      render: (_, k) =>
        k.revokedAt ? null : (
          <Popconfirm title={tt('keysRevokeConfirm')} okText={tt('keysRevoke')} okButtonProps={{ danger: true }} cancelText={t('cancel')} onConfirm={() => revoke(k)}>
            <a style={{ color: '#cf1322' }} data-testid={`key-revoke-${k.id}`}>
              {tt('keysRevoke')}
            </a>
          </Popconfirm>
        ),
    },
  ];

  return (
    <div>
      <PageTitle
        title={tt('keysTitle')}
        extra={
          <span style={{ display: 'flex', gap: 8 }}>
            <Button icon={<ReloadOutlined />} onClick={() => void load()}>
              {t('refresh')}
            </Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="key-new">
              {tt('keysNew')}
            </Button>
          </span>
        }
      />
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 12 }}
        message={tt('keysIntro')}
        description={
          <span>
            {tt('keysEndpoint')}：<Typography.Text copyable code>{endpoint}</Typography.Text>{' '}
            <a href="/open311/v2/discovery.json" target="_blank" rel="noreferrer">
              discovery.json
            </a>
          </span>
        }
      />
      <Table<Open311KeyDto> data-testid="key-table" rowKey="id" size="small" bordered loading={loading} dataSource={keys ?? []} columns={columns} pagination={false} />
      {creating ? (
        <NewKeyModal
          onCancel={() => setCreating(false)}
          onDone={(k) => {
            setCreating(false);
            setCreated(k);
            void load();
          }}
        />
      ) : null}
      {created ? (
        <Modal
          open
          title={
            <span>
              <KeyOutlined /> {tt('keysCreatedTitle')} · {created.name}
            </span>
          }
          closable={false}
          maskClosable={false}
          keyboard={false}
          footer={
            <Button type="primary" onClick={() => setCreated(null)} data-testid="key-done">
              {tt('keysDone')}
            </Button>
          }
          width={600}
        >
          <Alert type="warning" showIcon message={tt('keysShownOnce')} style={{ marginBottom: 16 }} />
          <Typography.Paragraph
            copyable={{ text: created.apiKey, tooltips: [t('ok'), tt('keysCopied')] }}
            code
            style={{ fontSize: 15, wordBreak: 'break-all' }}
            data-testid="key-secret"
          >
            {created.apiKey}
          </Typography.Paragraph>
        </Modal>
      ) : null}
    </div>
  );
}

function NewKeyModal({ onCancel, onDone }: { onCancel: () => void; onDone: (k: Created) => void }) {
  const { tt } = useTicketText();
  const { t } = useI18n();
  const [form] = Form.useForm<{ name: string }>();
  const [busy, setBusy] = useState(false);
  const submit = async (v: { name: string }) => {
    setBusy(true);
    try {
      onDone(await api.post<Created>('/api/v1/open311-keys', { name: v.name.trim() }));
    } catch (e) {
      const f = bodyFieldErrors(e).find((x) => x.field === 'name');
      if (f) form.setFields([{ name: 'name', errors: [f.message] }]);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={tt('keysNew')} onCancel={onCancel} onOk={() => form.submit()} okText={tt('keysNew')} cancelText={t('cancel')} confirmLoading={busy} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)}>
        <Form.Item name="name" label={tt('keysName')} rules={[{ required: true, whitespace: true, message: t('required') }]}>
          <Input maxLength={60} placeholder={tt('keysNamePlaceholder')} autoFocus data-testid="key-name" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
