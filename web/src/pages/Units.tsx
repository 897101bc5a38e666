import { EditOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Form, Input, Modal, Select, Table, Tag } from 'antd';
import { useState } from 'react';
import { unitLevelLabels, type UnitDto, type UnitLevel } from '../../../contracts/units.ts';
import { api } from '../api.ts';
import { can, useMe } from '../auth.tsx';
import { CadreSelect, RegionSelect, UnitSelect } from '../components/RemoteSelect.tsx';
import { PageTitle } from '../components/Status.tsx';
import { usePagedList } from '../components/usePagedList.ts';
import { useI18n } from '../i18n.ts';
import { unitLevelOptions } from '../labels.ts';

type Filters = { q: string; level: UnitLevel | undefined; page: number; pageSize: number };

const levelColor: Record<UnitLevel, string> = { city: 'red', county: 'volcano', township: 'blue', village: 'cyan' };

export default function UnitsPage() {
  const me = useMe();
  const { t, lang } = useI18n();
  const { filters, setFilters, data, loading, load, onTable } = usePagedList<UnitDto, Filters>('/api/v1/units', { q: '', level: undefined, page: 1, pageSize: 20 });
  const [editing, setEditing] = useState<UnitDto | 'new' | null>(null);
  const [qInput, setQInput] = useState('');
  const canWrite = can(me, 'unit.write');

  return (
    <div>
      <PageTitle
        title={t('unitsTitle')}
        extra={
          canWrite ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
              {t('newUnit')}
            </Button>
          ) : null
        }
      />
      <div className="lx-toolbar">
        <Input.Search
          placeholder={t('unitSearchPlaceholder')}
          allowClear
          style={{ width: 260 }}
          value={qInput}
          onChange={(e) => setQInput(e.target.value)}
          onSearch={(v) => setFilters((f) => ({ ...f, q: v.trim(), page: 1 }))}
        />
        <Select<UnitLevel>
          placeholder={t('unitLevelFilter')}
          allowClear
          style={{ width: 140 }}
          value={filters.level}
          options={unitLevelOptions(lang)}
          onChange={(v) => setFilters((f) => ({ ...f, level: v ?? undefined, page: 1 }))}
        />
        <Button
          onClick={() => {
            setQInput('');
            setFilters((f) => ({ ...f, q: '', level: undefined, page: 1 }));
          }}
        >
          {t('reset')}
        </Button>
        <span className="lx-toolbar-spacer" />
        <Button icon={<ReloadOutlined />} onClick={() => void load()}>
          {t('refresh')}
        </Button>
      </div>
      <Table<UnitDto>
        data-testid="unit-table"
        rowKey="id"
        size="small"
        bordered
        loading={loading}
        dataSource={data?.items ?? []}
        onChange={onTable}
        pagination={{
          current: filters.page,
          pageSize: filters.pageSize,
          total: data?.total ?? 0,
          showSizeChanger: true,
          pageSizeOptions: [20, 50, 100],
          showTotal: (total) => t('totalItems', { total }),
        }}
        scroll={{ x: 900 }}
        columns={[
          { title: t('unitCode'), dataIndex: 'code', width: 150, render: (c: string) => <span className="lx-phone">{c}</span> },
          { title: t('unitName'), dataIndex: 'name' },
          {
            title: t('unitLevel'),
            dataIndex: 'level',
            width: 90,
            render: (l: UnitLevel) => <Tag color={levelColor[l]}>{unitLevelLabels[l]?.[lang] ?? l}</Tag>,
          },
          { title: t('unitRegion'), dataIndex: 'regionName', width: 160 },
          { title: t('unitLeader'), dataIndex: 'leaderName', width: 110, render: (n: string | null) => n ?? <span className="lx-muted">—</span> },
          { title: t('unitCadreCount'), dataIndex: 'cadreCount', width: 96, align: 'right' },
          ...(canWrite
            ? [
                {
                  title: t('actions'),
                  key: 'actions',
                  width: 80,
                  render: (_: unknown, u: UnitDto) => (
                    <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setEditing(u)}>
                      {t('edit')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      {editing ? (
        <UnitModal
          unit={editing === 'new' ? null : editing}
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

type UnitForm = { code: string; name: string; level: UnitLevel; parentId: number | null; regionCode: string | null; leaderCadreId: number | null };

function UnitModal({ unit, onCancel, onDone }: { unit: UnitDto | null; onCancel: () => void; onDone: () => void }) {
  const { t, lang } = useI18n();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<UnitForm>();
  const [busy, setBusy] = useState(false);

  const submit = async (v: UnitForm) => {
    setBusy(true);
    try {
      if (unit) {
        await api.patch(`/api/v1/units/${unit.id}`, {
          name: v.name.trim(),
          level: v.level,
          regionCode: v.regionCode ?? undefined,
          leaderCadreId: v.leaderCadreId ?? null,
        });
        void message.success(t('saved'));
      } else {
        await api.post('/api/v1/units', {
          code: v.code.trim(),
          name: v.name.trim(),
          level: v.level,
          regionCode: v.regionCode,
          ...(v.parentId ? { parentId: v.parentId } : {}),
        });
        void message.success(t('created'));
      }
      onDone();
    } catch {
      /* shown by the API client */
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={unit ? `${t('editUnit')} · ${unit.name}` : t('newUnit')}
      onCancel={onCancel}
      onOk={() => form.submit()}
      okText={t('save')}
      cancelText={t('cancel')}
      confirmLoading={busy}
      destroyOnHidden
      width={560}
    >
      <Form<UnitForm>
        form={form}
        layout="horizontal"
        labelCol={{ span: 6 }}
        wrapperCol={{ span: 18 }}
        onFinish={submit}
        initialValues={
          unit
            ? { code: unit.code, name: unit.name, level: unit.level, parentId: unit.parentId, regionCode: unit.regionCode, leaderCadreId: unit.leaderCadreId }
            : { level: 'county' }
        }
      >
        <Form.Item
          name="code"
          label={t('unitCode')}
          extra={unit ? undefined : t('unitCodeHint')}
          rules={[{ required: true, message: t('required') }, { pattern: /^[0-9A-Za-z_-]{1,40}$/, message: t('unitCodeHint') }]}
        >
          <Input disabled={!!unit} maxLength={40} />
        </Form.Item>
        <Form.Item name="name" label={t('unitName')} rules={[{ required: true, whitespace: true, message: t('required') }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="level" label={t('unitLevel')} rules={[{ required: true, message: t('required') }]}>
          <Select options={unitLevelOptions(lang)} />
        </Form.Item>
        {unit ? null : (
          <Form.Item name="parentId" label={t('unitParent')}>
            <UnitSelect />
          </Form.Item>
        )}
        <Form.Item name="regionCode" label={t('unitRegion')} rules={[{ required: true, message: t('required') }]}>
          <RegionSelect />
        </Form.Item>
        {unit ? (
          <Form.Item name="leaderCadreId" label={t('unitLeader')}>
            <CadreSelect unitId={unit.id} />
          </Form.Item>
        ) : null}
      </Form>
    </Modal>
  );
}
