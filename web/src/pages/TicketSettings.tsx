import { PlusOutlined, ReloadOutlined, UndoOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, Card, Col, Form, Input, InputNumber, Modal, Row, Spin, Switch, Table, Tabs, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { TicketCategoryDto } from '../../../contracts/ticket-api.ts';
import {
  defaultTicketDeadlinePolicy, ticketTypeLabels, ticketTypes, ticketUrgencyLabels, type TicketDeadlinePolicy,
} from '../../../contracts/tickets.ts';
import { api, request } from '../api.ts';
import { bodyFieldErrors, useUrlFilters } from '../components/recordCommon.tsx';
import { PageTitle } from '../components/Status.tsx';
import { useTicketText } from '../components/ticketLoopText.ts';
import { useI18n } from '../i18n.ts';
import '../components/ticketLoop.css';

// 诉求配置 (permission ticket.configure): the category tree (which also is the Open311 service
// list) and the deadline policy in working days. Codes are stable once saved; labels may change;
// a category is disabled rather than deleted, so registered tickets keep theirs.

export default function TicketSettingsPage() {
  const { tt } = useTicketText();
  const { get, update } = useUrlFilters();
  const tab = get('tab') === 'policy' ? 'policy' : 'categories';
  return (
    <div>
      <PageTitle title={tt('settingsTitle')} />
      <Tabs
        activeKey={tab}
        onChange={(k) => update({ tab: k === 'policy' ? 'policy' : undefined })}
        items={[
          { key: 'categories', label: tt('settingsCategories'), children: tab === 'categories' ? <Categories /> : null },
          { key: 'policy', label: <span data-testid="settings-policy-tab">{tt('settingsPolicy')}</span>, children: tab === 'policy' ? <PolicyForm /> : null },
        ]}
      />
    </div>
  );
}

type CategoryRow = TicketCategoryDto & { children?: CategoryRow[] };
type Editing = { category: TicketCategoryDto | null; parentCode: string | null };

/** Categories as a tree, parents before children and each level in its order. */
function treeOf(list: TicketCategoryDto[]): CategoryRow[] {
  const byParent = new Map<string | null, TicketCategoryDto[]>();
  const codes = new Set(list.map((c) => c.code));
  for (const c of list) {
    const p = c.parentCode && codes.has(c.parentCode) ? c.parentCode : null;
    byParent.set(p, [...(byParent.get(p) ?? []), c]);
  }
  const build = (p: string | null): CategoryRow[] =>
    (byParent.get(p) ?? [])
      .sort((a, b) => a.sort - b.sort || a.code.localeCompare(b.code))
      .map((c) => {
        const children = build(c.code);
        return children.length ? { ...c, children } : { ...c };
      });
  return build(null);
}

function Categories() {
  const { tt, lang } = useTicketText();
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const [list, setList] = useState<TicketCategoryDto[] | null>(null);
  const [loading, setLoading] = useState(false);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [toggling, setToggling] = useState<string | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const r = await api.get<TicketCategoryDto[] | { items: TicketCategoryDto[] }>('/api/v1/ticket-categories');
      setList(Array.isArray(r) ? r : r.items);
    } catch {
      /* shown by the API client */
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const tree = useMemo(() => treeOf(list ?? []), [list]);
  const toggle = async (c: TicketCategoryDto, active: boolean) => {
    setToggling(c.code);
    try {
      await api.patch(`/api/v1/ticket-categories/${encodeURIComponent(c.code)}`, { active });
      void message.success(t('saved'));
      await load();
    } catch {
      /* shown by the API client */
    } finally {
      setToggling(null);
    }
  };

  const columns: TableColumnsType<CategoryRow> = [
    {
      title: tt('categoryName'),
      dataIndex: 'nameZh',
      render: (n: string, c) => (
        <span style={c.active ? undefined : { color: '#8c8c8c' }}>
          {lang === 'en' && c.nameEn ? c.nameEn : n}
          {c.active ? null : <Tag style={{ marginInlineStart: 8 }}>{tt('categoryDisabled')}</Tag>}
        </span>
      ),
    },
    { title: lang === 'en' ? tt('categoryName') + ' (中文)' : tt('categoryNameEn'), key: 'other', width: 200, render: (_, c) => <span className="lx-muted">{lang === 'en' ? c.nameZh : c.nameEn}</span> },
    { title: tt('categoryCode'), dataIndex: 'code', width: 260, render: (s: string) => <code style={{ fontSize: 12 }}>{s}</code> },
    { title: tt('categorySort'), dataIndex: 'sort', width: 70, align: 'right' },
    {
      title: tt('categoryActive'),
      dataIndex: 'active',
      width: 80,
      render: (a: boolean, c) => <Switch size="small" checked={a} loading={toggling === c.code} onChange={(v) => void toggle(c, v)} data-testid={`category-active-${c.code}`} />,
    },
    {
      title: t('actions'),
      key: 'ops',
      width: 160,
      render: (_, c) => (
        <span style={{ display: 'flex', gap: 12 }}>
          <a onClick={() => setEditing({ category: c, parentCode: c.parentCode })}>{t('edit')}</a>
          {c.parentCode ? null : (
            <a onClick={() => setEditing({ category: null, parentCode: c.code })} data-testid={`category-add-child-${c.code}`}>
              {tt('categoryAddChild')}
            </a>
          )}
        </span>
      ),
    },
  ];

  return (
    <div>
      <div className="lx-toolbar">
        <span className="lx-muted">{tt('categoryHint')}</span>
        <span className="lx-toolbar-spacer" />
        <Button icon={<ReloadOutlined />} onClick={() => void load()}>
          {t('refresh')}
        </Button>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ category: null, parentCode: null })} data-testid="category-new">
          {tt('categoryAdd')}
        </Button>
      </div>
      <Table<CategoryRow>
        data-testid="category-table"
        rowKey="code"
        size="small"
        bordered
        loading={loading}
        dataSource={tree}
        columns={columns}
        pagination={false}
        expandable={{ defaultExpandAllRows: false }}
      />
      {editing ? (
        <CategoryModal
          editing={editing}
          parents={tree.map((c) => ({ code: c.code, name: lang === 'en' && c.nameEn ? c.nameEn : c.nameZh }))}
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

type CategoryForm = { code: string; nameZh: string; nameEn: string; sort: number };

function CategoryModal({ editing, parents, onCancel, onDone }: { editing: Editing; parents: { code: string; name: string }[]; onCancel: () => void; onDone: () => void }) {
  const { tt } = useTicketText();
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<CategoryForm>();
  const [busy, setBusy] = useState(false);
  const { category, parentCode } = editing;
  const prefix = parentCode ? `${parentCode}.` : '';
  const parentName = parentCode ? (parents.find((p) => p.code === parentCode)?.name ?? parentCode) : tt('categoryTop');

  const submit = async (v: CategoryForm) => {
    setBusy(true);
    try {
      if (category) {
        await api.patch(`/api/v1/ticket-categories/${encodeURIComponent(category.code)}`, { nameZh: v.nameZh.trim(), nameEn: (v.nameEn ?? '').trim(), sort: v.sort ?? 0 });
        void message.success(t('saved'));
      } else {
        await api.post('/api/v1/ticket-categories', { code: prefix + v.code.trim(), parentCode: parentCode ?? null, nameZh: v.nameZh.trim(), nameEn: (v.nameEn ?? '').trim(), sort: v.sort ?? 0 });
        void message.success(t('created'));
      }
      onDone();
    } catch (e) {
      const fields = bodyFieldErrors(e).filter((f) => ['code', 'nameZh', 'nameEn', 'sort'].includes(f.field));
      if (fields.length) form.setFields(fields.map((f) => ({ name: f.field as keyof CategoryForm, errors: [f.message] })));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={category ? `${tt('categoryEdit')} · ${category.nameZh}` : tt('categoryNew')}
      onCancel={onCancel}
      onOk={() => form.submit()}
      okText={t('save')}
      cancelText={t('cancel')}
      confirmLoading={busy}
      destroyOnHidden
      width={560}
    >
      <Form<CategoryForm>
        form={form}
        layout="horizontal"
        labelCol={{ span: 6 }}
        wrapperCol={{ span: 18 }}
        onFinish={(v) => void submit(v)}
        initialValues={category ? { code: category.code, nameZh: category.nameZh, nameEn: category.nameEn, sort: category.sort } : { sort: 0, nameEn: '' }}
        data-testid="category-form"
      >
        <Form.Item label={tt('categoryParent')}>
          <span>{parentName}</span>
        </Form.Item>
        <Form.Item
          name="code"
          label={tt('categoryCode')}
          extra={category ? undefined : tt('categoryCodeHelp')}
          rules={category ? [] : [{ required: true, message: t('required') }, { pattern: /^[a-z0-9_]{1,40}$/, message: tt('categoryCodeHelp') }]}
        >
          <Input disabled={!!category} addonBefore={category || !prefix ? undefined : prefix} maxLength={40} />
        </Form.Item>
        <Form.Item name="nameZh" label={tt('categoryName')} rules={[{ required: true, whitespace: true, message: t('required') }, { max: 30 }]}>
          <Input maxLength={30} />
        </Form.Item>
        <Form.Item name="nameEn" label={tt('categoryNameEn')}>
          <Input maxLength={60} />
        </Form.Item>
        <Form.Item name="sort" label={tt('categorySort')}>
          <InputNumber min={0} max={10000} precision={0} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function PolicyForm() {
  const { tt, l } = useTicketText();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<TicketDeadlinePolicy>();
  const [policy, setPolicy] = useState<TicketDeadlinePolicy | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let cancelled = false;
    api
      .get<TicketDeadlinePolicy>('/api/v1/ticket-settings/policy')
      .then((p) => !cancelled && setPolicy(p))
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, []);

  const save = async (v: TicketDeadlinePolicy) => {
    setBusy(true);
    try {
      const saved = await request<TicketDeadlinePolicy>('PUT', '/api/v1/ticket-settings/policy', { body: v });
      setPolicy(saved ?? v);
      void message.success(tt('policySaved'));
    } catch (e) {
      const fields = bodyFieldErrors(e);
      if (fields.length) form.setFields(fields.map((f) => ({ name: f.field.split('.') as never, errors: [f.message] })));
    } finally {
      setBusy(false);
    }
  };

  if (!policy) return <Spin style={{ display: 'block', padding: 40 }} />;

  const daysInput = (name: (string | number)[], label: ReactNode, help?: string, min = 0, max = 365) => (
    <Form.Item name={name} label={label} extra={help} rules={[{ required: true, type: 'integer', min, max }]}>
      <InputNumber min={min} max={max} precision={0} addonAfter={tt('policyDays')} style={{ width: '100%', maxWidth: 190 }} data-testid={`policy-${name.join('-')}`} />
    </Form.Item>
  );
  const dflt = defaultTicketDeadlinePolicy;
  const d = (n: number) => <span className="lx-muted" style={{ fontSize: 12 }}>（{n === 0 ? tt('policySameDay') : n}）</span>;

  return (
    <Form<TicketDeadlinePolicy> form={form} layout="vertical" initialValues={policy} onFinish={(v) => void save(v)} data-testid="policy-form">
      <Alert type="info" showIcon message={tt('policyIntro')} style={{ marginBottom: 16 }} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card size="small" title={tt('policyByType')} style={{ height: '100%' }}>
            <Row gutter={16}>
              {ticketTypes.map((k) => (
                <Col xs={12} md={8} key={k}>
                  {daysInput(['byType', k], <span>{l(ticketTypeLabels[k])} {d(dflt.byType[k])}</span>)}
                </Col>
              ))}
            </Row>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={tt('policyByUrgency')} style={{ height: '100%' }}>
            <Row gutter={16}>
              {(['critical', 'urgent'] as const).map((k) => (
                <Col xs={12} md={8} key={k}>
                  {daysInput(['byUrgency', k], <span>{l(ticketUrgencyLabels[k])} {d(dflt.byUrgency[k])}</span>)}
                </Col>
              ))}
            </Row>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={tt('policyProcess')} style={{ height: '100%' }}>
            {daysInput(['signDays'], <span>{tt('policySignDays')} {d(dflt.signDays)}</span>, tt('policySignHelp'), 0, 30)}
            {daysInput(['returnDays'], <span>{tt('policyReturnDays')} {d(dflt.returnDays)}</span>, tt('policyReturnHelp'), 0, 30)}
            {daysInput(['maxExtensionDays'], <span>{tt('policyMaxExtension')} {d(dflt.maxExtensionDays)}</span>, tt('policyMaxExtensionHelp'), 1, 365)}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={tt('policySupervision')} style={{ height: '100%' }}>
            {daysInput(['dueSoonDays'], <span>{tt('policyDueSoon')} {d(dflt.dueSoonDays)}</span>, tt('policyDueSoonHelp'), 0, 30)}
            {daysInput(['longOverdueDays'], <span>{tt('policyLongOverdue')} {d(dflt.longOverdueDays)}</span>, tt('policyLongOverdueHelp'), 1, 365)}
          </Card>
        </Col>
      </Row>
      <div style={{ display: 'flex', gap: 8, marginTop: 16 }}>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="policy-save">
          {tt('policySave')}
        </Button>
        <Button icon={<UndoOutlined />} onClick={() => form.setFieldsValue(defaultTicketDeadlinePolicy)} data-testid="policy-defaults">
          {tt('policyDefaults')}
        </Button>
      </div>
    </Form>
  );
}
