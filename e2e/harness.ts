import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { chromium, type APIResponse, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Me } from '../contracts/auth.ts';

// What every end-to-end file needs: its own Lianxin started by the real CLI on a fresh data
// directory, Debian's Chromium, and sessions for set-up steps. Each file starts its own server.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The admin's password, and that of every account the tests make. */
export const PASSWORD = 'E2e#Demo2026';
export const shots = join(import.meta.dirname, 'screenshots');

export type Lianxin = { baseUrl: string; stop(): Promise<void> };

/**
 * `npm start`'s own path: `lianxin start` on a data directory. By default the directory is a copy
 * of the demo built once for the run (e2e/global-setup.ts); `fresh` starts on an empty one, so the
 * first start loads the demo itself, as `npm start` does on a new machine.
 * `name` names the temporary data directory; a server that fails to start is stopped and its
 * directory removed before the error is thrown.
 */
export async function startLianxin(name: string, opts: { startTimeoutMs?: number; fresh?: boolean } = {}): Promise<Lianxin> {
  mkdirSync(shots, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), `lianxin-e2e-${name}-`));
  if (!opts.fresh) cpSync(inject('demoTemplate'), dataDir, { recursive: true });
  const server = spawn(process.execPath, ['bin/lianxin.mjs', 'start'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LIANXIN_DATA_DIR: dataDir, LIANXIN_ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = async () => {
    server.kill('SIGTERM');
    await new Promise((r) => (server.exitCode !== null || server.signalCode !== null ? r(null) : server.once('exit', r)));
    rmSync(dataDir, { recursive: true, force: true });
  };
  let out = '';
  try {
    const baseUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), opts.startTimeoutMs ?? 200_000);
      const onData = (d: Buffer) => {
        out += String(d);
        const m = /running: (http:\/\/localhost:\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      server.stdout.on('data', onData);
      server.stderr.on('data', onData);
      server.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
    });
    return { baseUrl, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

export async function json<T>(res: APIResponse): Promise<T> {
  if (!res.ok()) throw new Error(`${res.url()} → ${res.status()} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The CSRF header for API writes made with a context's session cookies (beside the browser). */
export async function csrfHeaders(context: BrowserContext, baseUrl: string): Promise<Record<string, string>> {
  const token = (await context.cookies(baseUrl)).find((c) => c.name === 'lx_csrf')?.value;
  return token ? { 'x-csrf-token': decodeURIComponent(token) } : {};
}

export type ApiSession = {
  context: BrowserContext;
  /** The account as the login answered it. */
  me: Me;
  get<T>(path: string, params?: Record<string, string | number | boolean>): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
  close(): Promise<void>;
};

/** An API session beside the browser (for set-up steps a test is not about): logged in, writes carrying the CSRF token. */
export async function apiAs(browser: Browser, baseUrl: string, username: string): Promise<ApiSession> {
  const context = await browser.newContext();
  const me = await json<Me>(await context.request.post(`${baseUrl}/api/v1/auth/login`, { data: { username, password: PASSWORD } }));
  return {
    context,
    me,
    get: async <T>(path: string, params?: Record<string, string | number | boolean>) => json<T>(await context.request.get(`${baseUrl}${path}`, { params })),
    post: async <T>(path: string, body: unknown) => json<T>(await context.request.post(`${baseUrl}${path}`, { data: body, headers: await csrfHeaders(context, baseUrl) })),
    close: () => context.close(),
  };
}

/** On the login page (or sent to it): sign in and wait to be let in. */
export async function submitLogin(page: Page, username: string): Promise<void> {
  await page.locator('#username').waitFor({ timeout: 30_000 }).catch(async (e: unknown) => {
    await page.screenshot({ path: join(shots, `login-failed-${username}.png`) });
    console.log(page.url(), (await page.content()).slice(0, 2000));
    throw e;
  });
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

/** Open the login page and sign in. */
export async function logIn(page: Page, baseUrl: string, username: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await submitLogin(page, username);
}
