// The one way the web app talks to the server. Same-origin cookies carry the session; writes echo
// the CSRF token (double submit). Errors arrive as { error: { code, message, details } }: the
// message is written for people, so it is shown as is.
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

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
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

  let res: Response;
  try {
    res = await fetch(withQuery(path, opts.query), { method, headers, body, credentials: 'same-origin', signal: opts.signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    const err = new ApiError(0, 'NETWORK', translate('networkError'));
    if (!opts.quiet) handlers.error(err.message);
    throw err;
  }

  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (res.ok) return data as T;

  const e = (data as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
  const err = new ApiError(res.status, e?.code ?? 'HTTP_' + res.status, e?.message ?? translate('serverError', { status: res.status }), e?.details);
  if (res.status === 401 && !opts.noRedirect) {
    setCsrfToken(null);
    handlers.unauthorized(err);
    throw err;
  }
  if (!opts.quiet) handlers.error(err.message);
  throw err;
}

export const api = {
  get: <T>(path: string, query?: Query, opts?: Omit<RequestOptions, 'query'>) => request<T>('GET', path, { ...opts, query }),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, { ...opts, body }),
  patch: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PATCH', path, { ...opts, body }),
  upload: <T>(path: string, form: FormData, opts?: RequestOptions) => request<T>('POST', path, { ...opts, form }),
};
