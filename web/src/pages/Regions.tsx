import { AimOutlined, PlusOutlined } from '@ant-design/icons';
import { App as AntApp, Breadcrumb, Button, Card, Col, Descriptions, Empty, Form, Input, Modal, Radio, Row, Spin, Table, Tag, Tree } from 'antd';
import type { TreeDataNode } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { RegionDto } from '../../../contracts/regions.ts';
import { api, type Page } from '../api.ts';
import { can, useMe } from '../auth.tsx';
import { PageTitle } from '../components/Status.tsx';
import { useI18n } from '../i18n.ts';
import { regionLevelLabel } from '../labels.ts';

type LocalLevel = 'grid' | 'building';

const childrenOf = async (code: string) =>
  (await api.get<Page<RegionDto>>('/api/v1/regions', { parent: code, pageSize: 1000 })).items;

export default function RegionsPage() {
  const me = useMe();
  const { t, lang } = useI18n();
  const { message } = AntApp.useApp();
  const treeBox = useRef<HTMLDivElement>(null);

  const [roots, setRoots] = useState<RegionDto[] | null>(null);
  const [children, setChildren] = useState<Record<string, RegionDto[]>>({});
  const [byCode, setByCode] = useState<Record<string, RegionDto>>({});
  const [expanded, setExpanded] = useState<string[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [ancestors, setAncestors] = useState<RegionDto[]>([]);

  const [q, setQ] = useState('');
  const [results, setResults] = useState<RegionDto[] | null>(null);
  const [resultTotal, setResultTotal] = useState(0);
  const [searching, setSearching] = useState(false);

  const [adding, setAdding] = useState(false);

  // `weak`: rows from /ancestors, which carry no child count; they never replace a full row.
  const remember = useCallback((rows: RegionDto[], weak = false) => {
    setByCode((m) => {
      const next = { ...m };
      for (const r of rows) if (!weak || !next[r.code]) next[r.code] = r;
      return next;
    });
  }, []);

  useEffect(() => {
    api
      .get<Page<RegionDto>>('/api/v1/regions')
      .then(async (page) => {
        setRoots(page.items);
        remember(page.items);
        // While there is a single node on a level (province › city › county, or the caller's own
        // region), open it straight away so that the tree starts where the work is.
        let level = page.items;
        const open: string[] = [];
        for (let depth = 0; depth < 4; depth++) {
          const only = level.length === 1 ? level[0] : undefined;
          if (!only || only.childCount === 0) break;
          const kids = await childrenOf(only.code);
          remember(kids);
          setChildren((c) => ({ ...c, [only.code]: kids }));
          open.push(only.code);
          level = kids;
        }
        setExpanded(open);
      })
      .catch(() => setRoots([]));
  }, [remember]);

  const loadChildren = useCallback(
    async (code: string, force = false) => {
      if (!force && children[code]) return children[code];
      const kids = await childrenOf(code);
      remember(kids);
      setChildren((c) => ({ ...c, [code]: kids }));
      return kids;
    },
    [children, remember],
  );

  // Ancestors of the selected region, for the path shown in the details.
  useEffect(() => {
    if (!selected) return;
    let cancelled = false;
    Promise.all([
      api.get<RegionDto>(`/api/v1/regions/${encodeURIComponent(selected)}`, undefined, { quiet: true }),
      api.get<RegionDto[]>(`/api/v1/regions/${encodeURIComponent(selected)}/ancestors`, undefined, { quiet: true }),
    ])
      .then(([region, chain]) => {
        if (cancelled) return;
        setAncestors(chain);
        remember(chain, true);
        remember([region]);
      })
      .catch(() => undefined);
    void loadChildren(selected).catch(() => undefined);
    return () => {
      cancelled = true;
    };
    // loadChildren changes whenever children do; only the selection matters here.
     
  }, [selected]);

  const treeData = useMemo(() => {
    const build = (rows: RegionDto[]): TreeDataNode[] =>
      rows.map((r) => ({
        key: r.code,
        isLeaf: r.childCount === 0,
        title: (
          <span>
            {r.name}
            <span className="lx-tree-title-level">{regionLevelLabel(r.level, lang)}</span>
          </span>
        ),
        children: children[r.code] ? build(children[r.code]!) : undefined,
      }));
    return build(roots ?? []);
  }, [roots, children, lang]);

  const locate = async (code: string) => {
    const chain = await api.get<RegionDto[]>(`/api/v1/regions/${encodeURIComponent(code)}/ancestors`);
    remember(chain, true);
    const open = chain.slice(0, -1).map((r) => r.code);
    for (const c of open) await loadChildren(c);
    setExpanded((e) => Array.from(new Set([...e, ...open])));
    setSelected(code);
    // Scroll the tree's own box (not the page) so that the located node is in the middle.
    // Twice: the tree animates the opening of nodes, which moves the target for a moment.
    const centre = () => {
      const box = treeBox.current;
      const node = box?.querySelector<HTMLElement>('.ant-tree-node-selected');
      if (!box || !node) return;
      const top = node.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
      box.scrollTop = Math.max(0, top - box.clientHeight / 2);
    };
    window.setTimeout(centre, 150);
    window.setTimeout(centre, 600);
  };

  const search = async (text: string) => {
    const v = text.trim();
    setQ(v);
    if (!v) {
      setResults(null);
      return;
    }
    setSearching(true);
    try {
      const page = await api.get<Page<RegionDto>>('/api/v1/regions', { q: v, level: 'village', pageSize: 50 });
      setResults(page.items);
      setResultTotal(page.total);
      remember(page.items);
      // Names of the townships, so that two villages of the same name can be told apart.
      const missing = Array.from(new Set(page.items.map((r) => r.parentCode).filter((c): c is string => !!c && !byCode[c]))).slice(0, 20);
      const parents = await Promise.all(missing.map((c) => api.get<RegionDto>(`/api/v1/regions/${encodeURIComponent(c)}`, undefined, { quiet: true }).catch(() => null)));
      remember(parents.filter((p): p is RegionDto => !!p));
    } finally {
      setSearching(false);
    }
  };

  const current = selected ? byCode[selected] : undefined;
  const chain = current && ancestors[ancestors.length - 1]?.code === current.code ? ancestors : current ? [current] : [];
  const canAdd = can(me, 'region.write') && (current?.level === 'village' || current?.level === 'grid');

  const onAdded = async (r: RegionDto) => {
    setAdding(false);
    void message.success(t('created'));
    const parent = r.parentCode!;
    await loadChildren(parent, true);
    setByCode((m) => {
      const p = m[parent];
      return p ? { ...m, [parent]: { ...p, childCount: p.childCount + 1 } } : m;
    });
    const patch = (rows: RegionDto[]) => rows.map((x) => (x.code === parent ? { ...x, childCount: x.childCount + 1 } : x));
    setRoots((rs) => (rs ? patch(rs) : rs));
    setChildren((c) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, patch(v)])));
    setExpanded((e) => (e.includes(parent) ? e : [...e, parent]));
  };

  return (
    <div>
      <PageTitle title={t('navRegions')} />
      <Row gutter={16}>
        <Col xs={24} lg={10} xl={9}>
          <Card title={t('regionTree')} size="small" styles={{ body: { padding: 12 } }}>
            <Input.Search
              placeholder={t('regionSearchPlaceholder')}
              allowClear
              enterButton={t('search')}
              onSearch={search}
              loading={searching}
              style={{ marginBottom: 8 }}
              aria-label={t('regionSearch')}
            />
            {results ? (
              <div style={{ marginBottom: 8, border: '1px solid #f0f0f0', borderRadius: 4 }}>
                <div className="lx-muted" style={{ padding: '6px 12px', borderBottom: '1px solid #f0f0f0' }}>
                  {t('regionSearchResults')}：{q} · {t('totalItems', { total: resultTotal })}
                </div>
                {results.length === 0 ? (
                  <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noData')} />
                ) : (
                  <ul className="lx-result-list" data-testid="region-search-results">
                    {results.map((r) => {
                      const parent = r.parentCode ? byCode[r.parentCode] : undefined;
                      return (
                        <li key={r.code} onClick={() => void locate(r.code)}>
                          <span>
                            {r.name} <span className="lx-muted">{parent ? parent.name : ''}</span>
                          </span>
                          <Button type="link" size="small" icon={<AimOutlined />}>
                            {t('locate')}
                          </Button>
                        </li>
                      );
                    })}
                  </ul>
                )}
              </div>
            ) : null}
            {roots === null ? (
              <div style={{ padding: 40, textAlign: 'center' }}>
                <Spin />
              </div>
            ) : roots.length === 0 ? (
              <Empty description={t('regionEmpty')} />
            ) : (
              <div ref={treeBox} style={{ maxHeight: results ? 'max(240px, calc(100vh - 470px))' : 'max(320px, calc(100vh - 230px))', overflow: 'auto' }}>
              <Tree
                showLine
                blockNode
                virtual={false}
                treeData={treeData}
                expandedKeys={expanded}
                loadedKeys={Object.keys(children)}
                selectedKeys={selected ? [selected] : []}
                onExpand={(keys) => setExpanded(keys.map(String))}
                onSelect={(keys) => {
                  const k = keys[0];
                  if (k !== undefined) setSelected(String(k));
                }}
                loadData={async (node) => {
                  await loadChildren(String(node.key));
                }}
                data-testid="region-tree"
              />
              </div>
            )}
          </Card>
        </Col>
        <Col xs={24} lg={14} xl={15}>
          <Card
            title={t('regionDetail')}
            size="small"
            extra={
              canAdd ? (
                <Button type="primary" size="small" icon={<PlusOutlined />} onClick={() => setAdding(true)}>
                  {t('addLocalRegion')}
                </Button>
              ) : null
            }
          >
            {!current ? (
              <Empty description={t('regionSelectHint')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
            ) : (
              <>
                <Breadcrumb
                  style={{ marginBottom: 12 }}
                  items={chain.map((a) => ({
                    key: a.code,
                    title: a.code === current.code ? a.name : <a onClick={() => setSelected(a.code)}>{a.name}</a>,
                  }))}
                />
                <Descriptions
                  bordered
                  size="small"
                  column={{ xs: 1, sm: 2 }}
                  items={[
                    { key: 'name', label: t('regionName'), children: current.name },
                    { key: 'code', label: t('regionCode'), children: <span className="lx-phone">{current.code}</span> },
                    { key: 'level', label: t('regionLevel'), children: <Tag>{regionLevelLabel(current.level, lang)}</Tag> },
                    { key: 'count', label: t('regionChildren'), children: current.childCount },
                    {
                      key: 'path',
                      label: t('regionPath'),
                      span: 2,
                      children: chain.map((a) => a.name).join(' / '),
                    },
                    { key: 'from', label: t('regionValidFrom'), children: current.validFrom },
                    { key: 'to', label: t('regionValidTo'), children: current.validTo ?? '—' },
                  ]}
                />
                {current.childCount > 0 ? (
                  <Table<RegionDto>
                    style={{ marginTop: 16 }}
                    size="small"
                    rowKey="code"
                    loading={!children[current.code]}
                    dataSource={children[current.code] ?? []}
                    pagination={{ pageSize: 15, hideOnSinglePage: true, showSizeChanger: false, size: 'small' }}
                    onRow={(r) => ({ onClick: () => void locate(r.code), style: { cursor: 'pointer' } })}
                    columns={[
                      { title: t('regionName'), dataIndex: 'name' },
                      { title: t('regionCode'), dataIndex: 'code', render: (c: string) => <span className="lx-phone">{c}</span> },
                      { title: t('regionLevel'), dataIndex: 'level', render: (l: RegionDto['level']) => regionLevelLabel(l, lang) },
                      { title: t('regionChildren'), dataIndex: 'childCount', align: 'right', width: 110 },
                    ]}
                  />
                ) : null}
              </>
            )}
          </Card>
        </Col>
      </Row>
      {current && adding ? <AddLocalRegion parent={current} onCancel={() => setAdding(false)} onDone={onAdded} /> : null}
    </div>
  );
}

function AddLocalRegion({ parent, onCancel, onDone }: { parent: RegionDto; onCancel: () => void; onDone: (r: RegionDto) => void }) {
  const { t, lang } = useI18n();
  const [form] = Form.useForm<{ level: LocalLevel; name: string }>();
  const [busy, setBusy] = useState(false);
  const levels: LocalLevel[] = parent.level === 'village' ? ['grid', 'building'] : ['building'];
  return (
    <Modal
      open
      title={t('addLocalRegion')}
      onCancel={onCancel}
      okText={t('save')}
      cancelText={t('cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{ level: levels[0] }}
        onFinish={async (v) => {
          setBusy(true);
          try {
            onDone(await api.post<RegionDto>('/api/v1/regions', { parentCode: parent.code, level: v.level, name: v.name.trim() }));
          } catch {
            /* shown by the API client */
          } finally {
            setBusy(false);
          }
        }}
      >
        <Form.Item label={t('localRegionParent')}>
          {parent.name} <span className="lx-muted">{parent.code}</span>
        </Form.Item>
        <Form.Item name="level" label={t('localRegionLevel')} rules={[{ required: true, message: t('required') }]}>
          <Radio.Group options={levels.map((l) => ({ value: l, label: regionLevelLabel(l, lang) }))} optionType="button" />
        </Form.Item>
        <Form.Item name="name" label={t('localRegionName')} rules={[{ required: true, whitespace: true, message: t('required') }, { max: 100 }]}>
          <Input placeholder={t('localRegionNamePlaceholder')} maxLength={100} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
