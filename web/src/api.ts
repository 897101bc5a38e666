// The one way the web app talks to the server. Same-origin cookies carry the session; writes echo
// the CSRF token (double submit). Errors arrive as { error: { code, message, details } }: the
// message is written for people, so it is shown as is. Files (.xlsx) come through download(), which
// takes the same error path, so a refusal is shown rather than saved.
import { translate } from './i18n.ts';

export type Page<T> = { items: T[]; total: number; page: number; pageSize: number };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Handlers = {
  /** Show an error message (antd message.error from the App context). */
  error: (message: string) => void;
  /** The session is gone: drop the user and go to the login page. */
  unauthorized: (error: ApiError) => void;
};

let handlers: Handlers = {
  error: (m) => console.error(m),
  unauthorized: () => {
    if (location.pathname !== '/login') location.assign('/login');
  },
};
export const setApiHandlers = (h: Partial<Handlers>) => {
  handlers = { ...handlers, ...h };
};

let csrfToken: string | null = null;
export const setCsrfToken = (token: string | null) => {
  csrfToken = token;
};

function cookieCsrf(): string | null {
  const m = /(?:^|;\s*)lx_csrf=([^;]*)/.exec(document.cookie);
  return m?.[1] ? decodeURIComponent(m[1]) : null;
}
export const currentCsrfToken = () => csrfToken ?? cookieCsrf();

export type Query = Record<string, string | number | boolean | null | undefined>;

/** `/api/v1/x` + `?a=1&b=2`, leaving out empty values. */
export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

export type RequestOptions = {
  query?: Query;
  body?: unknown;
  form?: FormData;
  /** Do not show the error message (the caller shows it its own way). */
  quiet?: boolean;
  /** A 401 here is an answer (login), not a lost session. */
  noRedirect?: boolean;
  signal?: AbortSignal;
};

async function send(method: string, path: string, opts: RequestOptions, headers: Record<string, string>): Promise<Response> {
  let body: BodyInit | undefined;
  if (opts.form) body = opts.form;
  else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  if (method !== 'GET' && method !== 'HEAD') {
    const token = currentCsrfToken();
    if (token) headers['X-CSRF-Token'] = token;
  }
  try {
    return await fetch(withQuery(path, opts.query), { method, headers, body, credentials: 'same-origin', signal: opts.signal });
  } catch (e) {
    throw networkFailure(e, opts);
  }
}

function networkFailure(e: unknown, opts: RequestOptions): unknown {
  if ((e as Error).name === 'AbortError') return e;
  const err = new ApiError(0, 'NETWORK', translate('networkError'));
  if (!opts.quiet) handlers.error(err.message);
  return err;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A refused request: 401 ends the session (unless noRedirect), anything else shows the message. */
function failure(res: Response, data: unknown, opts: RequestOptions): ApiError {
  const e = (data as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
  const err = new ApiError(res.status, e?.code ?? 'HTTP_' + res.status, e?.message ?? translate('serverError', { status: res.status }), e?.details);
  if (res.status === 401 && !opts.noRedirect) {
    setCsrfToken(null);
    handlers.unauthorized(err);
    return err;
  }
  if (!opts.quiet) handlers.error(err.message);
  return err;
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await send(method, path, opts, { Accept: 'application/json' });
  if (res.status === 204) return undefined as T;
  const data = parseJson(await res.text());
  if (res.ok) return data as T;
  throw failure(res, data, opts);
}

/** The file name a Content-Disposition header gives in `filename*=UTF-8''…`, if any. */
export function dispositionFilename(header: string | null): string | null {
  const m = header ? /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header) : null;
  if (!m?.[1]) return null;
  try {
    return decodeURIComponent(m[1].trim().replace(/^"(.*)"$/, '$1')) || null;
  } catch {
    return null;
  }
}

export type DownloadOptions = Pick<RequestOptions, 'query' | 'quiet' | 'noRedirect' | 'signal'> & {
  /** Used when the response names no file (Content-Disposition filename*). */
  filename: string;
};

/**
 * Fetch a file and hand it to the browser as a download. A refusal (413 too large, 404 out of scope,
 * 401 session gone …) takes the same path as request(): the server's message is shown, never saved
 * as a file. Resolves with the file name used.
 */
export async function download(path: string, opts: DownloadOptions): Promise<string> {
  const res = await send('GET', path, opts, {});
  if (!res.ok) throw failure(res, parseJson(await res.text().catch(() => '')), opts);
  let blob: Blob;
  try {
    blob = await res.blob();
  } catch (e) {
    throw networkFailure(e, opts);
  }
  const name = dispositionFilename(res.headers.get('Content-Disposition')) ?? opts.filename;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Give the browser time to start reading the blob before letting it go.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}

export const api = {
  get: <T>(path: string, query?: Query, opts?: Omit<RequestOptions, 'query'>) => request<T>('GET', path, { ...opts, query }),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, { ...opts, body }),
  patch: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PATCH', path, { ...opts, body }),
  upload: <T>(path: string, form: FormData, opts?: RequestOptions) => request<T>('POST', path, { ...opts, form }),
  del: <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, opts),
};

/** The per-field problems of a refused request (details.fields, or details.field with the message). */
export function fieldErrors(e: unknown): { field: string; message: string }[] {
  if (!(e instanceof ApiError)) return [];
  const d = e.details as { field?: unknown; fields?: unknown } | undefined;
  if (Array.isArray(d?.fields)) {
    return (d.fields as { field?: unknown; message?: unknown }[])
      .filter((f) => typeof f.field === 'string' && f.field)
      .map((f) => ({ field: String(f.field), message: String(f.message ?? e.message) }));
  }
  return typeof d?.field === 'string' && d.field ? [{ field: d.field, message: e.message }] : [];
}
