import { DownloadOutlined, DownOutlined, EditOutlined, FileExcelOutlined, HomeOutlined, PlusOutlined, ReloadOutlined, UploadOutlined } from '@ant-design/icons';
import { App as AntApp, AutoComplete, Badge, Button, Dropdown, Input, Modal, Table, Tabs, Tag, Upload } from 'antd';
import type { TableColumnsType, TablePaginationConfig } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import {
  projectLevelLabels,
  suggestedTags,
  targetKindLabels,
  targetKinds,
  type PersonalField,
  type ProjectLevel,
  type TargetDto,
  type TargetKind,
  type TargetRowError,
} from '../../../contracts/targets.ts';
import { api, ApiError, download, type Page } from '../api.ts';
import { can, useMe } from '../auth.tsx';
import { RegionTreeSelect } from '../components/RegionTreeSelect.tsx';
import { ImportErrorsModal, type ImportRejection } from '../components/ImportErrorsModal.tsx';
import { PageTitle } from '../components/Status.tsx';
import { attrFields, hasPersonal, hasPhone, MaskedValue, TargetModal, TargetRevealModal } from '../components/TargetForm.tsx';
import { useI18n } from '../i18n.ts';
import { formatFen, formatTime, targetKindLabel } from '../labels.ts';

// 联系对象 registry: one tab per kind, filtered by region subtree, name / pinyin initials and tag,
// paged on the server. The filters live in the address, so that a target's page links back to
// the list as it was.

const isKind = (k: string | null): k is TargetKind => !!k && (targetKinds as readonly string[]).includes(k);
const projectLevelColor: Record<ProjectLevel, string> = { province: 'red', city: 'volcano', county: 'orange' };

export default function TargetsPage() {
  const me = useMe();
  const { t, lang } = useI18n();
  const { message } = AntApp.useApp();
  const [params, setParams] = useSearchParams();
  const kindParam = params.get('kind');
  const kind: TargetKind = isKind(kindParam) ? kindParam : 'village';
  const q = params.get('q') ?? '';
  const region = params.get('region') ?? undefined;
  const tag = params.get('tag') ?? undefined;
  const page = Math.max(1, Number(params.get('page')) || 1);
  const pageSize = [20, 50, 100, 200].includes(Number(params.get('size'))) ? Number(params.get('size')) : 20;

  const [qInput, setQInput] = useState(q);
  const [tagInput, setTagInput] = useState(tag ?? '');
  const [data, setData] = useState<Page<TargetDto> | null>(null);
  const [counts, setCounts] = useState<Partial<Record<TargetKind, number>>>({});
  const [loading, setLoading] = useState(false);
  const [editing, setEditing] = useState<TargetDto | 'new' | null>(null);
  const [revealing, setRevealing] = useState<{ target: TargetDto; field: PersonalField } | null>(null);
  const [importing, setImporting] = useState(false);
  const [fetching, setFetching] = useState<'export' | 'template' | null>(null);
  const [rejected, setRejected] = useState<ImportRejection<TargetRowError> | null>(null);
  const [placing, setPlacing] = useState(false);

  const canWrite = can(me, 'target.write');
  const canImport = can(me, 'target.import');
  const canReveal = can(me, 'target.revealPersonal');

  useEffect(() => setQInput(q), [q]);
  useEffect(() => setTagInput(tag ?? ''), [tag]);

  const update = useCallback(
    (patch: Record<string, string | number | undefined | null>) =>
      setParams(
        (p) => {
          const next = new URLSearchParams(p);
          for (const [k, v] of Object.entries(patch)) {
            if (v === undefined || v === null || v === '') next.delete(k);
            else next.set(k, String(v));
          }
          if (!('page' in patch)) next.delete('page');
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );

  const filter = useMemo(() => ({ q, region, tag }), [q, region, tag]);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setData(await api.get<Page<TargetDto>>('/api/v1/targets', { ...filter, kind, page, pageSize }));
    } catch {
      /* shown by the API client */
    } finally {
      setLoading(false);
    }
  }, [filter, kind, page, pageSize]);

  useEffect(() => {
    void load();
  }, [load]);

  // How many of each kind match the filters, for the tabs.
  useEffect(() => {
    let cancelled = false;
    Promise.all(
      targetKinds.map((k) =>
        api
          .get<Page<TargetDto>>('/api/v1/targets', { ...filter, kind: k, pageSize: 1 }, { quiet: true })
          .then((p) => [k, p.total] as const)
          .catch(() => [k, undefined] as const),
      ),
    )
      .then((rows) => {
        if (!cancelled) setCounts(Object.fromEntries(rows.filter(([, n]) => n !== undefined)));
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [filter]);

  const onTable = (p: TablePaginationConfig) => {
    const size = p.pageSize ?? pageSize;
    update({ page: size !== pageSize ? 1 : (p.current ?? 1), size: size === 20 ? undefined : size });
  };

  const upload = async (file: File) => {
    const form = new FormData();
    form.append('file', file);
    setImporting(true);
    try {
      const res = await api.upload<{ imported: number; byKind: Partial<Record<TargetKind, number>> }>('/api/v1/targets/import', form, { quiet: true });
      const parts = Object.entries(res.byKind)
        .filter(([, n]) => n)
        .map(([k, n]) => `${targetKindLabel(k, lang)} ${n}`)
        .join(lang === 'zh' ? '、' : ', ');
      void message.success(t('targetImportDone', { n: res.imported }) + (parts ? `（${parts}）` : ''));
      void load();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'IMPORT_REJECTED') {
        setRejected({ message: e.message, errors: (e.details as { errors?: TargetRowError[] } | undefined)?.errors ?? [] });
      } else if (e instanceof ApiError && e.status !== 401) {
        void message.error(e.message);
      }
    } finally {
      setImporting(false);
    }
  };

  const save = async (which: 'export' | 'template', opts?: { allKinds?: boolean; unmasked?: boolean }) => {
    setFetching(which);
    try {
      if (which === 'template') await download('/api/v1/targets/template.xlsx', { filename: '联系对象导入模板.xlsx' });
      else
        await download('/api/v1/targets/export.xlsx', {
          query: { ...filter, kind: opts?.allKinds ? undefined : kind, unmasked: opts?.unmasked ? 'true' : undefined },
          filename: '联系对象.xlsx',
        });
    } catch {
      /* shown by the API client */
    } finally {
      setFetching(null);
    }
  };

  const columns = useMemo(() => {
    const cols: TableColumnsType<TargetDto> = [
      {
        title: kind === 'household' ? t('householdHead') : t('targetName'),
        dataIndex: 'name',
        width: kind === 'enterprise' || kind === 'project' ? 220 : 140,
        fixed: 'left',
        render: (n: string, r) => (
          <Link to={`/targets/${r.id}`} style={{ fontWeight: 500 }}>
            {n}
          </Link>
        ),
      },
    ];
    if (kind === 'household') {
      cols.push({
        title: t('members'),
        key: 'members',
        width: 200,
        ellipsis: true,
        render: (_, r) => {
          const ms = (r.attrs.members as { name: string; relation: string }[] | undefined) ?? [];
          return ms.length ? ms.map((m) => `${m.name}（${m.relation}）`).join('、') : <span className="lx-muted">—</span>;
        },
      });
    }
    if (kind === 'enterprise') {
      cols.push({ title: t('creditCode'), dataIndex: 'creditCode', width: 190, render: (c: string | null) => <span className="lx-phone">{c}</span> });
    }
    for (const f of attrFields[kind]) {
      if (kind === 'household' && f.key === 'head') continue;
      cols.push({
        title: t(f.label),
        key: `attr-${f.key}`,
        width: f.width,
        ellipsis: f.type === 'text',
        align: f.type === 'int' ? 'right' : undefined,
        render: (_, r) => {
          const v = r.attrs[f.key];
          if (v === undefined || v === null || v === '') return <span className="lx-muted">—</span>;
          if (f.type === 'projectLevel') return <Tag color={projectLevelColor[v as ProjectLevel]}>{projectLevelLabels[v as ProjectLevel]?.[lang] ?? String(v)}</Tag>;
          return String(v);
        },
      });
    }
    if (kind === 'project') {
      cols.push({ title: t('investment'), dataIndex: 'investmentFen', width: 130, align: 'right', render: (f: number | null) => formatFen(f, lang) || <span className="lx-muted">—</span> });
    }
    if (hasPersonal(kind)) {
      cols.push({
        title: t('idNumber'),
        dataIndex: 'idMasked',
        width: 230,
        render: (v: string | null, r) => <MaskedValue value={v} canReveal={canReveal} onReveal={() => setRevealing({ target: r, field: 'idNumber' })} testId={`reveal-id-${r.id}`} />,
      });
    }
    if (hasPhone(kind)) {
      cols.push({
        title: kind === 'enterprise' ? t('contactPhone') : t('cadrePhone'),
        dataIndex: 'phoneMasked',
        width: 170,
        render: (v: string | null, r) => <MaskedValue value={v} canReveal={canReveal} onReveal={() => setRevealing({ target: r, field: 'phone' })} testId={`reveal-phone-${r.id}`} />,
      });
    }
    cols.push(
      { title: t('targetRegion'), dataIndex: 'regionName', width: 130, ellipsis: true },
      { title: t('address'), dataIndex: 'address', ellipsis: true, render: (a: string) => a || <span className="lx-muted">—</span> },
      {
        title: t('tags'),
        dataIndex: 'tags',
        width: 180,
        render: (tags: string[]) =>
          tags.length ? (
            tags.map((x) => (
              <Tag key={x} style={{ cursor: 'pointer', marginInlineEnd: 4 }} onClick={() => update({ tag: x })}>
                {x}
              </Tag>
            ))
          ) : (
            <span className="lx-muted">—</span>
          ),
      },
      { title: t('cadreUpdatedAt'), dataIndex: 'updatedAt', width: 130, render: (d: string) => <span className="lx-muted">{formatTime(d)}</span> },
    );
    if (canWrite) {
      cols.push({
        title: t('actions'),
        key: 'actions',
        width: 80,
        fixed: 'right',
        render: (_, r) => (
          <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setEditing(r)}>
            {t('edit')}
          </Button>
        ),
      });
    }
    return cols;
  }, [kind, t, lang, canReveal, canWrite, update]);

  const scrollX = columns.reduce((s, c) => s + (typeof c.width === 'number' ? c.width : 160), 0);
  const tagOptions = Array.from(new Set([...(suggestedTags[kind] ?? []), ...(data?.items.flatMap((r) => r.tags) ?? [])])).map((x) => ({ value: x }));

  return (
    <div>
      <PageTitle
        title={t('targetsTitle')}
        extra={
          <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
            {canWrite && (kind === 'village' || kind === 'community') ? (
              <Button icon={<HomeOutlined />} onClick={() => setPlacing(true)}>
                {t('registerPlaces')}
              </Button>
            ) : null}
            {canWrite ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="target-new">
                {t('newTarget')} · {targetKindLabels[kind][lang]}
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
                <Button icon={<UploadOutlined />} loading={importing} data-testid="target-import">
                  {importing ? t('importing') : t('importExcel')}
                </Button>
              </Upload>
            ) : null}
            <Button icon={<FileExcelOutlined />} loading={fetching === 'template'} onClick={() => void save('template')} data-testid="target-template">
              {t('downloadTemplate')}
            </Button>
            <Dropdown
              menu={{
                items: [
                  { key: 'kind', label: t('exportThisKind', { kind: targetKindLabels[kind][lang] }) },
                  { key: 'all', label: t('exportAllKinds') },
                  ...(canReveal ? [{ type: 'divider' as const }, { key: 'unmasked', label: t('exportUnmasked'), danger: true }] : []),
                ],
                onClick: ({ key }) => {
                  if (key === 'unmasked') {
                    Modal.confirm({
                      title: t('exportUnmasked'),
                      content: t('exportUnmaskedNotice'),
                      okText: t('exportExcel'),
                      cancelText: t('cancel'),
                      onOk: () => save('export', { unmasked: true }),
                    });
                  } else void save('export', { allKinds: key === 'all' });
                },
              }}
            >
              <Button icon={<DownloadOutlined />} loading={fetching === 'export'} data-testid="target-export">
                {t('exportExcel')} <DownOutlined />
              </Button>
            </Dropdown>
          </div>
        }
      />
      <Tabs
        activeKey={kind}
        onChange={(k) => update({ kind: k, tag: undefined })}
        size="small"
        style={{ marginBottom: 4 }}
        items={targetKinds.map((k) => ({
          key: k,
          label: (
            <span data-testid={`kind-tab-${k}`}>
              {targetKindLabels[k][lang]}
              {counts[k] !== undefined ? <Badge count={counts[k]} showZero overflowCount={99999} color={k === kind ? '#b7202e' : '#bfbfbf'} size="small" style={{ marginInlineStart: 6 }} /> : null}
            </span>
          ),
        }))}
      />
      <div className="lx-toolbar">
        <RegionTreeSelect
          placeholder={t('regionFilter')}
          style={{ width: 240 }}
          value={region ?? null}
          maxLevel="building"
          onChange={(v) => update({ region: v ?? undefined })}
        />
        <Input.Search
          placeholder={t('targetSearchPlaceholder')}
          allowClear
          style={{ width: 260 }}
          value={qInput}
          onChange={(e) => setQInput(e.target.value)}
          onSearch={(v) => update({ q: v.trim() })}
          data-testid="target-search"
        />
        <AutoComplete
          placeholder={t('tagFilter')}
          allowClear
          style={{ width: 150 }}
          value={tagInput}
          options={tagOptions}
          onChange={(v: string | undefined) => {
            setTagInput(v ?? '');
            if (!v) update({ tag: undefined });
          }}
          onSelect={(v: string | undefined) => update({ tag: v })}
          onKeyDown={(e) => {
            if (e.key === 'Enter') update({ tag: tagInput.trim() || undefined });
          }}
          onBlur={() => {
            if ((tagInput.trim() || undefined) !== tag) update({ tag: tagInput.trim() || undefined });
          }}
        />
        <Button
          onClick={() => {
            setQInput('');
            setTagInput('');
            update({ q: undefined, region: undefined, tag: undefined });
          }}
        >
          {t('reset')}
        </Button>
        <span className="lx-toolbar-spacer" />
        <Button icon={<ReloadOutlined />} onClick={() => void load()}>
          {t('refresh')}
        </Button>
      </div>
      <Table<TargetDto>
        data-testid="target-table"
        rowKey="id"
        size="small"
        bordered
        loading={loading}
        dataSource={data?.items ?? []}
        columns={columns}
        onChange={onTable}
        scroll={{ x: Math.max(scrollX, 900) }}
        pagination={{
          current: page,
          pageSize,
          total: data?.total ?? 0,
          showSizeChanger: true,
          showQuickJumper: true,
          pageSizeOptions: [20, 50, 100, 200],
          showTotal: (total) => t('totalItems', { total }),
        }}
      />
      {editing ? (
        <TargetModal
          kind={editing === 'new' ? kind : editing.kind}
          target={editing === 'new' ? null : editing}
          defaultRegion={region ?? null}
          onCancel={() => setEditing(null)}
          onDone={() => {
            setEditing(null);
            void load();
          }}
        />
      ) : null}
      {revealing ? <TargetRevealModal target={revealing.target} field={revealing.field} onClose={() => setRevealing(null)} /> : null}
      {placing ? (
        <RegisterPlacesModal
          defaultRegion={region ?? me.regionCode}
          onClose={() => setPlacing(false)}
          onDone={() => {
            setPlacing(false);
            void load();
          }}
        />
      ) : null}
      <ImportErrorsModal rejected={rejected} onClose={() => setRejected(null)} width={780} sheet />
    </div>
  );
}

/** 登记辖区内全部村（社区）: one target per village and community under a region. */
function RegisterPlacesModal({ defaultRegion, onClose, onDone }: { defaultRegion: string | null; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const [code, setCode] = useState<string | null>(defaultRegion);
  const [busy, setBusy] = useState(false);
  return (
    <Modal
      open
      title={t('registerPlaces')}
      onCancel={onClose}
      okText={t('ok')}
      cancelText={t('cancel')}
      okButtonProps={{ disabled: !code }}
      confirmLoading={busy}
      onOk={async () => {
        if (!code) return;
        setBusy(true);
        try {
          const res = await api.post<{ created: number }>('/api/v1/targets/places', { regionCode: code });
          void message.success(t('registerPlacesDone', { n: res.created }));
          onDone();
        } catch {
          /* shown by the API client */
        } finally {
          setBusy(false);
        }
      }}
    >
      <p className="lx-muted">{t('registerPlacesHint')}</p>
      <RegionTreeSelect value={code} onChange={setCode} maxLevel="township" style={{ width: '100%' }} />
    </Modal>
  );
}

