import { Spin, TreeSelect } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState, type CSSProperties } from 'react';
import type { RegionDto, RegionLevel } from '../../../contracts/regions.ts';
import { api, type Page } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { regionLevelLabel } from '../labels.ts';

// The region tree as a select: the roots of the caller's scope, children loaded when a node opens
// (as on the regions page), and a name search against the server when the user types. A value set
// from outside (a saved filter, a record being edited) is located by its ancestors, so the
// select shows its name and opens the tree where it is.

const levelOrder: RegionLevel[] = ['province', 'city', 'county', 'township', 'village', 'grid', 'building'];
const deeper = (a: RegionLevel, b: RegionLevel) => levelOrder.indexOf(a) > levelOrder.indexOf(b);

type TreeNode = { value: string; title: string; level: RegionLevel; isLeaf: boolean; selectable: boolean; children?: TreeNode[] };

type Props<M extends boolean> = {
  value?: (M extends true ? string[] : string) | null;
  onChange?: (value: (M extends true ? string[] : string) | null) => void;
  multiple?: M;
  placeholder?: string;
  style?: CSSProperties;
  id?: string;
  allowClear?: boolean;
  disabled?: boolean;
  /** Regions at this level are shown as leaves (nothing below them is loaded). */
  maxLevel?: RegionLevel;
  /** Only regions at these levels can be chosen (others only open). */
  selectableLevels?: RegionLevel[];
  /** Start the tree under this region (e.g. a campaign's region) instead of the scope roots. */
  root?: string;
  size?: 'small' | 'middle' | 'large';
};

const childrenOf = async (code: string) => (await api.get<Page<RegionDto>>('/api/v1/regions', { parent: code, pageSize: 1000 }, { quiet: true })).items;

export function RegionTreeSelect<M extends boolean = false>({
  value,
  onChange,
  multiple,
  placeholder,
  style,
  id,
  allowClear = true,
  disabled,
  maxLevel,
  selectableLevels,
  root,
  size,
}: Props<M>) {
  const { t, lang } = useI18n();
  const [roots, setRoots] = useState<RegionDto[] | null>(null);
  const [children, setChildren] = useState<Record<string, RegionDto[]>>({});
  const [expanded, setExpanded] = useState<string[]>([]);
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<RegionDto[] | null>(null);
  const [searching, setSearching] = useState(false);
  // Names of values picked from search results (not yet in the loaded tree).
  const [names, setNames] = useState<Record<string, RegionDto>>({});
  const childrenRef = useRef(children);
  childrenRef.current = children;

  const loadChildren = useCallback(async (code: string) => {
    if (childrenRef.current[code]) return childrenRef.current[code]!;
    const kids = await childrenOf(code);
    childrenRef.current = { ...childrenRef.current, [code]: kids };
    setChildren((c) => ({ ...c, [code]: kids }));
    return kids;
  }, []);

  // Roots; while there is a single node on a level, open it so that the tree starts where the work is.
  useEffect(() => {
    let cancelled = false;
    (async () => {
      let level = root
        ? [await api.get<RegionDto>(`/api/v1/regions/${encodeURIComponent(root)}`, undefined, { quiet: true })]
        : (await api.get<Page<RegionDto>>('/api/v1/regions', undefined, { quiet: true })).items;
      if (cancelled) return;
      setRoots(level);
      const open: string[] = [];
      for (let depth = 0; depth < 3; depth++) {
        const only = level.length === 1 ? level[0] : undefined;
        if (!only || only.childCount === 0 || (maxLevel && !deeper(maxLevel, only.level))) break;
        level = await loadChildren(only.code);
        if (cancelled) return;
        open.push(only.code);
      }
      setExpanded((e) => Array.from(new Set([...e, ...open])));
    })().catch(() => setRoots([]));
    return () => {
      cancelled = true;
    };
  }, [root, maxLevel, loadChildren]);

  const values = useMemo(() => (value == null ? [] : Array.isArray(value) ? (value as string[]) : [value as string]), [value]);

  // Locate values that are not in the loaded tree yet: load the path down to them.
  useEffect(() => {
    if (!roots) return;
    const known = new Set<string>(roots.map((r) => r.code));
    for (const kids of Object.values(childrenRef.current)) for (const k of kids) known.add(k.code);
    const missing = values.filter((v) => !known.has(v));
    if (missing.length === 0) return;
    let cancelled = false;
    (async () => {
      const open: string[] = [];
      for (const code of missing.slice(0, 20)) {
        const chain = await api.get<RegionDto[]>(`/api/v1/regions/${encodeURIComponent(code)}/ancestors`, undefined, { quiet: true }).catch(() => [] as RegionDto[]);
        const last = chain[chain.length - 1];
        if (last) setNames((n) => ({ ...n, [last.code]: last }));
        const start = chain.findIndex((r) => roots.some((x) => x.code === r.code));
        if (start < 0) continue;
        for (const a of chain.slice(start, -1)) {
          await loadChildren(a.code);
          open.push(a.code);
        }
      }
      if (!cancelled) setExpanded((e) => Array.from(new Set([...e, ...open])));
    })().catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [roots, values, loadChildren]);

  // Search by name on the server as the user types.
  useEffect(() => {
    const q = search.trim();
    if (!q) {
      setFound(null);
      return;
    }
    const ctrl = new AbortController();
    const timer = window.setTimeout(() => {
      setSearching(true);
      api
        .get<Page<RegionDto>>('/api/v1/regions', { q, under: root, pageSize: 50 }, { signal: ctrl.signal, quiet: true })
        .then((p) => setFound(p.items.filter((r) => !maxLevel || !deeper(r.level, maxLevel))))
        .catch(() => undefined)
        .finally(() => setSearching(false));
    }, 250);
    return () => {
      ctrl.abort();
      window.clearTimeout(timer);
    };
  }, [search, root, maxLevel]);

  const selectable = useCallback((r: RegionDto) => !selectableLevels || selectableLevels.includes(r.level), [selectableLevels]);

  const treeData = useMemo<TreeNode[]>(() => {
    const node = (r: RegionDto, kids?: TreeNode[]): TreeNode => ({
      value: r.code,
      title: r.name,
      level: r.level,
      isLeaf: r.childCount === 0 || (!!maxLevel && !deeper(maxLevel, r.level)),
      selectable: selectable(r),
      children: kids,
    });
    if (found) {
      // Search results as a flat list; the chosen values stay in the data so their names show.
      const rows = found.map((r) => ({ ...node(r), isLeaf: true }));
      for (const v of values) {
        const r = names[v];
        if (r && !found.some((f) => f.code === v)) rows.push({ ...node(r), isLeaf: true });
      }
      return rows;
    }
    const build = (rows: RegionDto[]): TreeNode[] => rows.map((r) => node(r, children[r.code] ? build(children[r.code]!) : undefined));
    const tree = build(roots ?? []);
    // Values picked from a search whose place in the tree is not loaded: keep their names visible.
    const inTree = new Set<string>();
    const walk = (ns: TreeNode[]) => ns.forEach((n) => (inTree.add(n.value), n.children && walk(n.children)));
    walk(tree);
    for (const v of values) {
      const r = names[v];
      if (r && !inTree.has(v)) tree.push({ ...node(r), isLeaf: true });
    }
    return tree;
  }, [found, roots, children, values, names, maxLevel, selectable]);

  return (
    <TreeSelect<string | string[]>
      id={id}
      size={size}
      value={multiple ? values : (values[0] ?? undefined)}
      multiple={multiple}
      treeCheckable={false}
      disabled={disabled}
      allowClear={allowClear}
      placeholder={placeholder ?? t('regionSelectPlaceholder')}
      style={style}
      treeData={treeData}
      treeExpandedKeys={found ? [] : expanded}
      onTreeExpand={(keys) => setExpanded(keys.map(String))}
      treeLoadedKeys={Object.keys(children)}
      loadData={async (n) => {
        await loadChildren(String(n.value));
      }}
      showSearch={{ searchValue: search, onSearch: setSearch, filterTreeNode: false, autoClearSearchValue: true }}
      treeTitleRender={(n) => (
        <span>
          {String(n.title)}
          <span className="lx-tree-title-level">{regionLevelLabel((n as unknown as TreeNode).level, lang)}</span>
        </span>
      )}
      notFoundContent={searching || roots === null ? <Spin size="small" /> : t('noData')}
      popupMatchSelectWidth={false}
      listHeight={360}
      styles={{ popup: { root: { minWidth: 260 } } }}
      onChange={(v) => {
        setSearch('');
        if (multiple) {
          const list = (Array.isArray(v) ? v : v ? [v] : []).map(String);
          for (const code of list) {
            const r = found?.find((f) => f.code === code);
            if (r) setNames((m) => ({ ...m, [code]: r }));
          }
          (onChange as ((v: string[] | null) => void) | undefined)?.(list);
        } else {
          const code = v == null ? null : String(v);
          const r = code ? found?.find((f) => f.code === code) : undefined;
          if (r) setNames((m) => ({ ...m, [r.code]: r }));
          (onChange as ((v: string | null) => void) | undefined)?.(code);
        }
      }}
    />
  );
}
