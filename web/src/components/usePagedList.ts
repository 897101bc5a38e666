import type { TablePaginationConfig } from 'antd';
import { useCallback, useEffect, useState, type Dispatch, type SetStateAction } from 'react';
import { api, type Page, type Query } from '../api.ts';

/** What a paged list keeps: its own filters plus the page being shown. */
export type Paging = { page: number; pageSize: number };

/**
 * One page of `path` at a time: every key of `filters` (page and pageSize
 * included) goes to the server as a query parameter, and the page reloads
 * whenever the filters change. `onTable` is the table's onChange: a new page
 * size starts again from page 1.
 */
export function usePagedList<T, F extends Paging & Query>(
  path: string,
  initial: F,
): {
  filters: F;
  setFilters: Dispatch<SetStateAction<F>>;
  data: Page<T> | null;
  loading: boolean;
  load: () => Promise<void>;
  onTable: (p: TablePaginationConfig) => void;
} {
  const [filters, setFilters] = useState<F>(initial);
  const [data, setData] = useState<Page<T> | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setData(await api.get<Page<T>>(path, filters));
    } catch {
      /* shown by the API client */
    } finally {
      setLoading(false);
    }
  }, [path, filters]);

  useEffect(() => {
    void load();
  }, [load]);

  const onTable = (p: TablePaginationConfig) =>
    setFilters((f) => ({ ...f, page: p.pageSize !== f.pageSize ? 1 : (p.current ?? 1), pageSize: p.pageSize ?? f.pageSize }));

  return { filters, setFilters, data, loading, load, onTable };
}
