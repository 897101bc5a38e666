import { DownloadOutlined, EditOutlined, EyeOutlined, FileExcelOutlined, PlusOutlined, ReloadOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, App as AntApp, Button, Form, Input, Modal, Radio, Select, Table, Tag, Typography, Upload } from 'antd';
import type { TablePaginationConfig } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import {
  cadreRankLabels,
  cadreStatusLabels,
  genderLabels,
  type CadreDto,
  type CadreRank,
  type CadreStatus,
} from '../../../contracts/cadres.ts';
import type { RowError } from '../../../contracts/common.ts';
import { api, ApiError, download, type Page } from '../api.ts';
import { can, useMe } from '../auth.tsx';
import { UnitSelect } from '../components/RemoteSelect.tsx';
import { ImportErrorsModal, type ImportRejection } from '../components/ImportErrorsModal.tsx';
import { PageTitle } from '../components/Status.tsx';
import { useI18n } from '../i18n.ts';
import { formatTime, genderOptions, rankColor, rankOptions, statusColor, statusOptions } from '../labels.ts';

type Filters = {
  q: string;
  rank: CadreRank | undefined;
  status: CadreStatus | undefined;
  unitId: number | undefined;
  page: number;
  pageSize: number;
};

const initialFilters: Filters = { q: '', rank: undefined, status: undefined, unitId: undefined, page: 1, pageSize: 20 };

export default function CadresPage() {
  const me = useMe();
  const { t, lang } = useI18n();
  const { message } = AntApp.useApp();
  const [filters, setFilters] = useState<Filters>(initialFilters);
  const [qInput, setQInput] = useState('');
  const [data, setData] = useState<Page<CadreDto> | null>(null);
  const [loading, setLoading] = useState(false);
  const [editing, setEditing] = useState<CadreDto | 'new' | null>(null);
  const [revealing, setRevealing] = useState<CadreDto | null>(null);
  const [importing, setImporting] = useState(false);
  const [fetching, setFetching] = useState<'export' | 'template' | null>(null);
  const [rejected, setRejected] = useState<ImportRejection<RowError> | null>(null);

  const canWrite = can(me, 'cadre.write');
  const canImport = can(me, 'cadre.import');
  const canReveal = can(me, 'cadre.revealPhone');

  const query = useMemo(
    () => ({ q: filters.q, rank: filters.rank, status: filters.status, unitId: filters.unitId }),
    [filters.q, filters.rank, filters.status, filters.unitId],
  );

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setData(await api.get<Page<CadreDto>>('/api/v1/cadres', { ...query, page: filters.page, pageSize: filters.pageSize }));
    } catch {
      /* shown by the API client */
    } finally {
      setLoading(false);
    }
  }, [query, filters.page, filters.pageSize]);

  useEffect(() => {
    void load();
  }, [load]);

  const onTable = (p: TablePaginationConfig) =>
    setFilters((f) => ({ ...f, page: p.pageSize !== f.pageSize ? 1 : (p.current ?? 1), pageSize: p.pageSize ?? f.pageSize }));

  const upload = async (file: File) => {
    const form = new FormData();
    form.append('file', file);
    setImporting(true);
    try {
      const res = await api.upload<{ imported: number }>('/api/v1/cadres/import', form, { quiet: true });
      void message.success(t('importDone', { n: res.imported }));
      setFilters((f) => ({ ...f, page: 1 }));
      void load();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'IMPORT_REJECTED') {
        const errors = (e.details as { errors?: RowError[] } | undefined)?.errors ?? [];
        setRejected({ message: e.message, errors });
      } else if (e instanceof ApiError) {
        if (e.status !== 401) void message.error(e.message);
      }
    } finally {
      setImporting(false);
    }
  };

  // Fetched rather than linked, so that a refusal (too many rows, session gone, unit out of scope)
  // shows its message instead of being saved as the file.
  const save = async (which: 'export' | 'template') => {
    setFetching(which);
    try {
      if (which === 'export') await download('/api/v1/cadres/export.xlsx', { query, filename: '干部名册.xlsx' });
      else await download('/api/v1/cadres/template.xlsx', { filename: '干部名册导入模板.xlsx' });
    } catch {
      /* shown by the API client */
    } finally {
      setFetching(null);
    }
  };

  const columns = [
    {
      title: t('cadreName'),
      dataIndex: 'name',
      width: 100,
      fixed: 'left' as const,
      render: (n: string, c: CadreDto) => (
        <Link to={`/cadres/${c.id}`} style={{ fontWeight: 500 }}>
          {n}
        </Link>
      ),
    },
    {
      title: t('cadreGender'),
      dataIndex: 'gender',
      width: 72,
      render: (g: CadreDto['gender']) => (g ? genderLabels[g][lang] : <span className="lx-muted">—</span>),
    },
    { title: t('cadreUnit'), dataIndex: 'unitName', ellipsis: true },
    {
      title: t('cadreRank'),
      dataIndex: 'rank',
      width: 110,
      render: (r: CadreRank) => <Tag color={rankColor[r]}>{cadreRankLabels[r]?.[lang] ?? r}</Tag>,
    },
    { title: t('cadrePosition'), dataIndex: 'position', ellipsis: true, render: (p: string) => p || <span className="lx-muted">—</span> },
    {
      title: t('cadreStatus'),
      dataIndex: 'status',
      width: 90,
      render: (s: CadreStatus) => <Tag color={statusColor[s]}>{cadreStatusLabels[s]?.[lang] ?? s}</Tag>,
    },
    {
      title: t('cadrePhone'),
      dataIndex: 'phoneMasked',
      width: 180,
      render: (p: string | null, c: CadreDto) =>
        p ? (
          <span style={{ whiteSpace: 'nowrap' }}>
            <span className="lx-phone">{p}</span>
            {canReveal ? (
              <Button type="link" size="small" icon={<EyeOutlined />} onClick={() => setRevealing(c)} data-testid={`reveal-${c.id}`} style={{ paddingInline: 4, marginInlineStart: 4, height: 20 }}>
                {t('phoneView')}
              </Button>
            ) : null}
          </span>
        ) : (
          <span className="lx-muted">—</span>
        ),
    },
    { title: t('cadreUpdatedAt'), dataIndex: 'updatedAt', width: 140, render: (d: string) => <span className="lx-muted">{formatTime(d)}</span> },
    ...(canWrite
      ? [
          {
            title: t('actions'),
            key: 'actions',
            width: 80,
            fixed: 'right' as const,
            render: (_: unknown, c: CadreDto) => (
              <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setEditing(c)}>
                {t('edit')}
              </Button>
            ),
          },
        ]
      : []),
  ];

  return (
    <div>
      <PageTitle
        title={t('cadresTitle')}
        extra={
          <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
            {canWrite ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
                {t('newCadre')}
              </Button>
            ) : null}
            {canImport ? (
              <Upload
                accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                showUploadList={false}
                maxCount={1}
                beforeUpload={(file) => {
                  void upload(file);
                  return false;
                }}
              >
                <Button icon={<UploadOutlined />} loading={importing}>
                  {importing ? t('importing') : t('importExcel')}
                </Button>
              </Upload>
            ) : null}
            <Button icon={<FileExcelOutlined />} loading={fetching === 'template'} onClick={() => void save('template')} data-testid="template-link">
              {t('downloadTemplate')}
            </Button>
            <Button icon={<DownloadOutlined />} loading={fetching === 'export'} onClick={() => void save('export')} data-testid="export-link">
              {t('exportExcel')}
            </Button>
          </div>
        }
      />
      <div className="lx-toolbar">
        <Input.Search
          placeholder={t('cadreSearchPlaceholder')}
          allowClear
          style={{ width: 260 }}
          value={qInput}
          onChange={(e) => setQInput(e.target.value)}
          onSearch={(v) => setFilters((f) => ({ ...f, q: v.trim(), page: 1 }))}
          data-testid="cadre-search"
        />
        <Select<CadreRank>
          placeholder={t('rankFilter')}
          allowClear
          style={{ width: 130 }}
          value={filters.rank}
          options={rankOptions(lang)}
          onChange={(v) => setFilters((f) => ({ ...f, rank: v ?? undefined, page: 1 }))}
        />
        <Select<CadreStatus>
          placeholder={t('statusFilter')}
          allowClear
          style={{ width: 110 }}
          value={filters.status}
          options={statusOptions(lang)}
          onChange={(v) => setFilters((f) => ({ ...f, status: v ?? undefined, page: 1 }))}
        />
        <UnitSelect
          placeholder={t('unitFilter')}
          style={{ width: 240 }}
          value={filters.unitId ?? null}
          onChange={(v) => setFilters((f) => ({ ...f, unitId: v ?? undefined, page: 1 }))}
        />
        <Button
          onClick={() => {
            setQInput('');
            setFilters((f) => ({ ...initialFilters, pageSize: f.pageSize }));
          }}
        >
          {t('reset')}
        </Button>
        <span className="lx-toolbar-spacer" />
        <Button icon={<ReloadOutlined />} onClick={() => void load()}>
          {t('refresh')}
        </Button>
      </div>
      <Table<CadreDto>
        data-testid="cadre-table"
        rowKey="id"
        size="small"
        bordered
        loading={loading}
        dataSource={data?.items ?? []}
        columns={columns}
        onChange={onTable}
        scroll={{ x: 1100 }}
        pagination={{
          current: filters.page,
          pageSize: filters.pageSize,
          total: data?.total ?? 0,
          showSizeChanger: true,
          showQuickJumper: true,
          pageSizeOptions: [20, 50, 100, 200],
          showTotal: (total) => t('totalItems', { total }),
        }}
      />
      {editing ? (
        <CadreModal
          cadre={editing === 'new' ? null : editing}
          defaultUnitId={filters.unitId ?? me.unitId}
          onCancel={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            void load();
          }}
        />
      ) : null}
      {revealing ? <RevealPhoneModal cadre={revealing} onClose={() => setRevealing(null)} /> : null}
      <ImportErrorsModal rejected={rejected} onClose={() => setRejected(null)} width={720} />
    </div>
  );
}

type CadreForm = {
  name: string;
  gender: 'male' | 'female' | null;
  unitId: number | null;
  rank: CadreRank;
  position: string;
  status: CadreStatus;
  phone: string;
};

const PHONE = /^1[3-9]\d{9}$/;

export function CadreModal({ cadre, defaultUnitId, onCancel, onDone }: { cadre: CadreDto | null; defaultUnitId: number | null; onCancel: () => void; onDone: () => void }) {
  const { t, lang } = useI18n();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<CadreForm>();
  const [busy, setBusy] = useState(false);

  const submit = async (v: CadreForm) => {
    const phone = v.phone?.trim();
    const body = {
      name: v.name.trim(),
      gender: v.gender ?? null,
      unitId: v.unitId,
      rank: v.rank,
      position: (v.position ?? '').trim(),
      status: v.status,
      ...(phone ? { phone } : {}),
    };
    setBusy(true);
    try {
      if (cadre) {
        await api.patch(`/api/v1/cadres/${cadre.id}`, body);
        void message.success(t('saved'));
      } else {
        await api.post('/api/v1/cadres', body);
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
      title={cadre ? `${t('editCadre')} · ${cadre.name}` : t('newCadre')}
      onCancel={onCancel}
      onOk={() => form.submit()}
      okText={t('save')}
      cancelText={t('cancel')}
      confirmLoading={busy}
      destroyOnHidden
      width={560}
    >
      <Form<CadreForm>
        form={form}
        layout="horizontal"
        labelCol={{ span: 5 }}
        wrapperCol={{ span: 19 }}
        onFinish={submit}
        initialValues={
          cadre
            ? { name: cadre.name, gender: cadre.gender, unitId: cadre.unitId, rank: cadre.rank, position: cadre.position, status: cadre.status, phone: '' }
            : { rank: 'general', status: 'active', gender: null, unitId: defaultUnitId, position: '', phone: '' }
        }
      >
        <Form.Item name="name" label={t('cadreName')} rules={[{ required: true, whitespace: true, message: t('required') }]}>
          <Input maxLength={50} />
        </Form.Item>
        <Form.Item name="gender" label={t('cadreGender')}>
          <Radio.Group options={genderOptions(lang)} />
        </Form.Item>
        <Form.Item name="unitId" label={t('cadreUnit')} rules={[{ required: true, message: t('required') }]}>
          <UnitSelect />
        </Form.Item>
        <Form.Item name="rank" label={t('cadreRank')} rules={[{ required: true, message: t('required') }]}>
          <Select options={rankOptions(lang)} />
        </Form.Item>
        <Form.Item name="position" label={t('cadrePosition')}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="status" label={t('cadreStatus')} rules={[{ required: true, message: t('required') }]}>
          <Select options={statusOptions(lang)} />
        </Form.Item>
        <Form.Item
          name="phone"
          label={t('cadrePhone')}
          extra={cadre?.phoneMasked ? `${cadre.phoneMasked} · ${t('phoneKeepHint')}` : undefined}
          rules={[{ validator: async (_, v: string | undefined) => (!v || PHONE.test(v.trim()) ? undefined : Promise.reject(new Error(t('phoneInvalid')))) }]}
        >
          <Input maxLength={11} inputMode="numeric" placeholder={cadre?.phoneMasked ? t('phoneKeepHint') : undefined} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function RevealPhoneModal({ cadre, onClose }: { cadre: CadreDto; onClose: () => void }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [phone, setPhone] = useState<string | null | undefined>(undefined);

  const reveal = async () => {
    setBusy(true);
    try {
      const res = await api.post<{ id: number; phone: string | null }>(`/api/v1/cadres/${cadre.id}/phone`, reason.trim() ? { reason: reason.trim() } : {});
      setPhone(res.phone);
    } catch {
      /* shown by the API client */
    } finally {
      setBusy(false);
    }
  };

  const shown = phone !== undefined;
  return (
    <Modal
      open
      title={`${t('revealTitle')} · ${cadre.name}`}
      onCancel={onClose}
      width={440}
      footer={
        shown ? (
          <Button type="primary" onClick={onClose}>
            {t('close')}
          </Button>
        ) : (
          <>
            <Button onClick={onClose}>{t('cancel')}</Button>
            <Button type="primary" loading={busy} onClick={() => void reveal()}>
              {t('revealConfirm')}
            </Button>
          </>
        )
      }
    >
      {shown ? (
        <div style={{ textAlign: 'center', padding: '8px 0' }}>
          {phone ? (
            <Typography.Text copyable className="lx-phone-big" data-testid="revealed-phone">
              {phone}
            </Typography.Text>
          ) : (
            <span className="lx-muted">{t('revealNone')}</span>
          )}
          <Alert type="info" showIcon title={t('revealAudited')} style={{ marginTop: 16, textAlign: 'left' }} />
        </div>
      ) : (
        <>
          <Alert type="warning" showIcon title={t('revealNotice')} style={{ marginBottom: 16 }} />
          <div style={{ marginBottom: 12 }}>
            {t('cadrePhone')}：<span className="lx-phone">{cadre.phoneMasked}</span>
          </div>
          <div style={{ marginBottom: 6 }}>{t('revealReason')}</div>
          <Input.TextArea
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            maxLength={200}
            rows={2}
            placeholder={t('revealReasonPlaceholder')}
            id="reveal-reason"
          />
        </>
      )}
    </Modal>
  );
}
