import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Form, Input, Modal, Select, Table, Tag } from 'antd';
import { useState } from 'react';
import type { Role, UserDto } from '../../../contracts/auth.ts';
import { api } from '../api.ts';
import { RegionSelect, UnitSelect } from '../components/RemoteSelect.tsx';
import { PageTitle } from '../components/Status.tsx';
import { usePagedList, type Paging } from '../components/usePagedList.ts';
import { useI18n } from '../i18n.ts';
import { formatTime, roleLabel, roleOptions } from '../labels.ts';

export default function UsersPage() {
  const { t, lang } = useI18n();
  const { filters: paging, data, loading, load, onTable } = usePagedList<UserDto, Paging>('/api/v1/users', { page: 1, pageSize: 20 });
  const [creating, setCreating] = useState(false);

  const now = Date.now();
  return (
    <div>
      <PageTitle
        title={t('usersTitle')}
        extra={
          <div style={{ display: 'flex', gap: 8 }}>
            <Button icon={<ReloadOutlined />} onClick={() => void load()}>
              {t('refresh')}
            </Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
              {t('newUser')}
            </Button>
          </div>
        }
      />
      <Table<UserDto>
        data-testid="user-table"
        rowKey="id"
        size="small"
        bordered
        loading={loading}
        dataSource={data?.items ?? []}
        onChange={onTable}
        pagination={{ current: paging.page, pageSize: paging.pageSize, total: data?.total ?? 0, showSizeChanger: true, showTotal: (total) => t('totalItems', { total }) }}
        columns={[
          { title: t('username'), dataIndex: 'username', width: 160, render: (u: string) => <span className="lx-phone">{u}</span> },
          { title: t('displayName'), dataIndex: 'displayName', width: 200 },
          { title: t('role'), dataIndex: 'role', width: 150, render: (r: Role) => <Tag color={r === 'admin' ? 'red' : 'blue'}>{roleLabel(r, lang)}</Tag> },
          {
            title: t('userRegion'),
            dataIndex: 'regionCode',
            render: (c: string | null, u: UserDto) =>
              c ? (
                <span>
                  {u.regionName ?? ''} <span className="lx-muted lx-phone">{c}</span>
                </span>
              ) : (
                <span className="lx-muted">{t('scopeAll')}</span>
              ),
          },
          {
            title: t('userUnit'),
            dataIndex: 'unitId',
            render: (id: number | null, u: UserDto) => (id ? (u.unitName ?? `#${id}`) : <span className="lx-muted">—</span>),
          },
          {
            title: t('userStatus'),
            key: 'status',
            width: 100,
            render: (_: unknown, u: UserDto) =>
              u.disabled ? (
                <Tag>{t('userDisabled')}</Tag>
              ) : u.lockedUntil && new Date(u.lockedUntil).getTime() > now ? (
                <Tag color="orange">{t('userLocked')}</Tag>
              ) : (
                <Tag color="green">{t('userActive')}</Tag>
              ),
          },
          { title: t('lastLogin'), dataIndex: 'lastLoginAt', width: 150, render: (d: string | null) => (d ? formatTime(d) : <span className="lx-muted">—</span>) },
        ]}
      />
      {creating ? (
        <CreateUserModal
          onCancel={() => setCreating(false)}
          onDone={() => {
            setCreating(false);
            void load();
          }}
        />
      ) : null}
    </div>
  );
}

type UserForm = { username: string; displayName: string; password: string; role: Role; regionCode: string | null; unitId: number | null };

const strongEnough = (p: string) => p.length >= 8 && [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((r) => r.test(p)).length >= 3;

function CreateUserModal({ onCancel, onDone }: { onCancel: () => void; onDone: () => void }) {
  const { t, lang } = useI18n();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<UserForm>();
  const [busy, setBusy] = useState(false);

  const submit = async (v: UserForm) => {
    setBusy(true);
    try {
      await api.post('/api/v1/users', {
        username: v.username.trim(),
        displayName: v.displayName.trim(),
        password: v.password,
        role: v.role,
        ...(v.regionCode ? { regionCode: v.regionCode } : {}),
        ...(v.unitId ? { unitId: v.unitId } : {}),
      });
      void message.success(t('created'));
      onDone();
    } catch {
      /* shown by the API client */
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open title={t('newUser')} onCancel={onCancel} onOk={() => form.submit()} okText={t('save')} cancelText={t('cancel')} confirmLoading={busy} destroyOnHidden width={560}>
      <Form<UserForm> form={form} layout="horizontal" labelCol={{ span: 5 }} wrapperCol={{ span: 19 }} onFinish={submit} initialValues={{ role: 'cadre' }} autoComplete="off">
        <Form.Item
          name="username"
          label={t('username')}
          extra={t('usernameHint')}
          rules={[{ required: true, message: t('required') }, { pattern: /^[A-Za-z0-9_.-]{3,64}$/, message: t('usernameInvalid') }]}
        >
          <Input maxLength={64} autoComplete="off" />
        </Form.Item>
        <Form.Item name="displayName" label={t('displayName')} rules={[{ required: true, whitespace: true, message: t('required') }]}>
          <Input maxLength={50} />
        </Form.Item>
        <Form.Item
          name="password"
          label={t('password')}
          extra={t('passwordHint')}
          rules={[
            { required: true, message: t('required') },
            { validator: async (_, v: string | undefined) => (!v || strongEnough(v) ? undefined : Promise.reject(new Error(t('passwordWeak')))) },
          ]}
        >
          <Input.Password maxLength={128} autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="role" label={t('role')} rules={[{ required: true, message: t('required') }]}>
          <Select options={roleOptions(lang)} />
        </Form.Item>
        <Form.Item name="regionCode" label={t('userRegion')}>
          <RegionSelect />
        </Form.Item>
        <Form.Item name="unitId" label={t('userUnit')} extra={t('scopeHint')}>
          <UnitSelect />
        </Form.Item>
      </Form>
    </Modal>
  );
}
