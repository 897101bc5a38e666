import { ApiOutlined, DeleteOutlined, EditOutlined, PlusOutlined, ReloadOutlined, SendOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, Form, Input, InputNumber, Modal, Popconfirm, Space, Switch, Table, Tag, Tooltip } from 'antd';
import type { TableColumnsType } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import type { ChannelDelivery, ChannelDto } from '../../../contracts/calendar.ts';
import { api, request } from '../api.ts';
import { bodyFieldErrors } from '../components/recordCommon.tsx';
import { PageTitle } from '../components/Status.tsx';
import { useI18n } from '../i18n.ts';
import { formatTime } from '../labels.ts';

// Notification channels (permission calendar.configure): where the daily digest goes besides the
// in-app bell. A webhook gets each cadre's digest as signed JSON (X-Lianxin-Signature:
// sha256=HMAC(secret, timestamp + "." + body)); the secret is write-only: never shown again.

type FormValues = { name: string; url: string; secret?: string; timeoutMs: number; maxAttempts: number; active: boolean };

const statusTag = (d: ChannelDelivery, L: (zh: string, en: string) => string) =>
  d.status === 'sent' ? <Tag color="green">{L('成功', 'Sent')}</Tag> : d.status === 'failed' ? <Tag color="red">{L('失败', 'Failed')}</Tag> : <Tag>{L('发送中', 'Pending')}</Tag>;

export default function NotificationChannelsPage() {
  const { lang, t } = useI18n();
  const L = (zh: string, en: string) => (lang === 'en' ? en : zh);
  const { message } = AntApp.useApp();
  const [items, setItems] = useState<ChannelDto[]>([]);
  const [loading, setLoading] = useState(false);
  const [editing, setEditing] = useState<ChannelDto | 'new' | null>(null);
  const [testing, setTesting] = useState<number | null>(null);
  const [expanded, setExpanded] = useState<readonly React.Key[]>([]);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const list = (await api.get<{ items: ChannelDto[] }>('/api/v1/notification-channels')).items;
      setItems(list);
      // The delivery log of each channel is open by default: it is what an admin comes here to check.
      setExpanded(list.filter((c) => c.lastDeliveries.length > 0).map((c) => c.id));
    } catch {
      /* shown by the API client */
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const test = async (c: ChannelDto) => {
    setTesting(c.id);
    try {
      const d = await api.post<ChannelDelivery>(`/api/v1/notification-channels/${c.id}/test`);
      if (d.status === 'sent') void message.success(L(`测试消息已送达（HTTP ${d.httpStatus}）`, `Delivered (HTTP ${d.httpStatus})`));
      else void message.error(L(`测试失败：${d.error ?? ''}（尝试${d.attempts}次）`, `Failed: ${d.error ?? ''} (${d.attempts} attempts)`));
      await load();
    } catch {
      /* shown by the API client */
    } finally {
      setTesting(null);
    }
  };
  const remove = async (c: ChannelDto) => {
    try {
      await api.del(`/api/v1/notification-channels/${c.id}`);
      await load();
    } catch {
      /* shown by the API client */
    }
  };

  const deliveryColumns: TableColumnsType<ChannelDelivery> = [
    { title: L('时间', 'Time'), dataIndex: 'createdAt', width: 160, render: formatTime },
    { title: L('内容', 'Message'), dataIndex: 'title', ellipsis: true },
    { title: L('干部', 'Cadre'), dataIndex: 'cadreName', width: 90, render: (n: string | null) => n ?? <span className="lx-muted">—</span> },
    { title: L('结果', 'Result'), key: 'status', width: 80, render: (_, d) => statusTag(d, L) },
    { title: L('尝试', 'Attempts'), dataIndex: 'attempts', width: 60 },
    { title: 'HTTP', dataIndex: 'httpStatus', width: 60, render: (s: number | null) => s ?? '—' },
    { title: L('错误', 'Error'), dataIndex: 'error', ellipsis: true, render: (e: string | null) => (e ? <span style={{ color: '#cf1322' }}>{e}</span> : null) },
  ];

  const columns: TableColumnsType<ChannelDto> = [
    { title: L('名称', 'Name'), dataIndex: 'name', render: (n: string, c) => <span><ApiOutlined /> <strong>{n}</strong> {c.active ? null : <Tag>{L('停用', 'Inactive')}</Tag>}</span> },
    { title: L('地址', 'URL'), dataIndex: 'url', ellipsis: true, render: (u: string) => <code>{u}</code> },
    { title: L('签名密钥', 'Secret'), dataIndex: 'secretSet', width: 100, render: (s: boolean) => (s ? <Tag color="blue">{L('已设置', 'Set')}</Tag> : <Tag color="red">{L('未设置', 'Missing')}</Tag>) },
    { title: L('超时/重试', 'Timeout / tries'), key: 'limits', width: 120, render: (_, c) => `${c.timeoutMs / 1000}s × ${c.maxAttempts}` },
    {
      title: L('最近一次', 'Last delivery'),
      key: 'last',
      width: 220,
      render: (_, c) => {
        const d = c.lastDeliveries[0];
        return d ? <span>{statusTag(d, L)} <span className="lx-muted" style={{ fontSize: 12 }}>{formatTime(d.createdAt)}</span></span> : <span className="lx-muted">{L('尚未发送', 'Never')}</span>;
      },
    },
    {
      title: t('actions'),
      key: 'ops',
      width: 190,
      render: (_, c) => (
        <Space size={4}>
          <Button size="small" icon={<SendOutlined />} loading={testing === c.id} onClick={() => void test(c)} data-testid={`channel-test-${c.id}`}>
            {L('测试发送', 'Test')}
          </Button>
          <Tooltip title={L('编辑', 'Edit')}>
            <Button size="small" type="text" icon={<EditOutlined />} onClick={() => setEditing(c)} />
          </Tooltip>
          <Popconfirm title={L(`删除渠道“${c.name}”及其发送记录？`, `Delete “${c.name}” and its log?`)} okButtonProps={{ danger: true }} onConfirm={() => remove(c)}>
            <Button size="small" type="text" danger icon={<DeleteOutlined />} />
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <div>
      <PageTitle
        title={L('通知渠道', 'Notification channels')}
        extra={
          <Space>
            <Button icon={<ReloadOutlined />} onClick={() => void load()}>{t('refresh')}</Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="channel-new">{L('新增 Webhook', 'Add webhook')}</Button>
          </Space>
        }
      />
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 12 }}
        message={L('每日提醒除站内通知外，还会通过这里启用的渠道逐人推送（每人每天每个渠道一次）。', 'Besides the in-app bell, the daily digest goes out through each active channel here (once per person, day and channel).')}
        description={L(
          'Webhook 以 JSON POST 发送，请求头 X-Lianxin-Signature 为 sha256=HMAC-SHA256(密钥, 时间戳 + "." + 请求体)，X-Lianxin-Timestamp 为秒级时间戳；接收方据此验签。短信、政务钉钉等渠道可按同一接口接入。',
          'Webhooks receive JSON; X-Lianxin-Signature is sha256=HMAC-SHA256(secret, timestamp + "." + body), X-Lianxin-Timestamp the Unix time. SMS or 政务 IM plug in through the same interface.',
        )}
      />
      <Table<ChannelDto>
        data-testid="channel-table"
        rowKey="id"
        size="small"
        bordered
        loading={loading}
        dataSource={items}
        columns={columns}
        pagination={false}
        expandable={{
          expandedRowKeys: expanded,
          onExpandedRowsChange: (keys) => setExpanded(keys),
          rowExpandable: (c) => c.lastDeliveries.length > 0,
          expandedRowRender: (c) => <Table<ChannelDelivery> rowKey="id" size="small" dataSource={c.lastDeliveries} columns={deliveryColumns} pagination={false} />,
        }}
      />
      {editing ? (
        <ChannelModal
          channel={editing === 'new' ? null : editing}
          onCancel={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            void load();
          }}
        />
      ) : null}
    </div>
  );
}

function ChannelModal({ channel, onCancel, onDone }: { channel: ChannelDto | null; onCancel: () => void; onDone: () => void }) {
  const { lang } = useI18n();
  const L = (zh: string, en: string) => (lang === 'en' ? en : zh);
  const [form] = Form.useForm<FormValues>();
  const [busy, setBusy] = useState(false);
  const submit = async (v: FormValues) => {
    setBusy(true);
    const body = { kind: 'webhook', name: v.name, url: v.url, timeoutMs: v.timeoutMs, maxAttempts: v.maxAttempts, active: v.active, ...(v.secret ? { secret: v.secret } : {}) };
    try {
      if (channel) await request('PUT', `/api/v1/notification-channels/${channel.id}`, { body, quiet: true });
      else await api.post('/api/v1/notification-channels', body, { quiet: true });
      onDone();
    } catch (e) {
      const errs = bodyFieldErrors(e);
      if (errs.length) form.setFields(errs.map((f) => ({ name: f.field as keyof FormValues, errors: [f.message] })));
      else if (e instanceof Error) form.setFields([{ name: 'url', errors: [e.message] }]);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={channel ? L(`修改渠道：${channel.name}`, `Edit ${channel.name}`) : L('新增 Webhook 渠道', 'New webhook')} onCancel={onCancel} onOk={() => form.submit()} confirmLoading={busy} destroyOnHidden width={560}>
      <Form
        form={form}
        layout="vertical"
        initialValues={channel ? { name: channel.name, url: channel.url, timeoutMs: channel.timeoutMs, maxAttempts: channel.maxAttempts, active: channel.active } : { timeoutMs: 5000, maxAttempts: 3, active: true }}
        onFinish={(v) => void submit(v)}
      >
        <Form.Item name="name" label={L('名称', 'Name')} rules={[{ required: true, whitespace: true }]}>
          <Input maxLength={50} placeholder={L('县政务钉钉提醒机器人', 'County IM bot')} data-testid="channel-name" />
        </Form.Item>
        <Form.Item name="url" label={L('接收地址（URL）', 'URL')} rules={[{ required: true, whitespace: true }]}>
          <Input maxLength={500} placeholder="https://…" data-testid="channel-url" />
        </Form.Item>
        <Form.Item
          name="secret"
          label={L('签名密钥', 'Signing secret')}
          rules={channel ? [] : [{ required: true, min: 16, message: L('至少16个字符', 'At least 16 characters') }]}
          extra={channel ? L('留空则保留原密钥；密钥保存后不再显示', 'Leave empty to keep the current one; never shown again') : L('至少16个字符，加密保存，保存后不再显示', 'At least 16 characters; stored encrypted, never shown again')}
        >
          <Input.Password maxLength={200} autoComplete="new-password" data-testid="channel-secret" />
        </Form.Item>
        <Space>
          <Form.Item name="timeoutMs" label={L('超时（毫秒）', 'Timeout (ms)')}>
            <InputNumber min={500} max={30000} step={500} />
          </Form.Item>
          <Form.Item name="maxAttempts" label={L('最多尝试次数', 'Attempts')}>
            <InputNumber min={1} max={5} />
          </Form.Item>
          <Form.Item name="active" label={L('启用', 'Active')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Space>
      </Form>
    </Modal>
  );
}
