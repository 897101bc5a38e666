import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, csrfHeaders, json, launchBrowser, shots, startLianxin, submitLogin, type Lianxin } from './harness.ts';

// The cadre's field view (/m) as a phone uses it: installed app shell from the service worker,
// records captured with no network into IndexedDB, synced when the network returns, each stored
// once however often it is sent; a conflict shown to the cadre; a session that ended while offline.

const phone = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' };
// 象山县 丹东街道, roughly: the demo county's seat.
const position = { latitude: 29.4769, longitude: 121.8692, accuracy: 15 };

// Browser globals used inside page.evaluate: the e2e files compile without the DOM library.
type IdbRequest<T> = { result: T; error: unknown; onsuccess: (() => void) | null; onerror: (() => void) | null };
type IdbStore = { get(key: string): IdbRequest<Queued | undefined>; put(value: unknown): IdbRequest<unknown> };
type Idb = { transaction(store: string, mode?: 'readwrite'): { objectStore(store: string): IdbStore } };
type Queued = { draft: Record<string, unknown>; photos: { photoId?: number }[]; state: string; syncedAt?: string };
declare const indexedDB: { open(name: string): IdbRequest<Idb> };
declare const navigator: { serviceWorker?: { controller: unknown } };

let lianxin: Lianxin;
let baseUrl: string;
let browser: Browser;
let cadre: { id: number; username: string };

/** The demo cadre (`cadre`, same password as admin) and the cadre it is linked with. */
async function demoCadre(): Promise<{ id: number; username: string }> {
  const session = await apiAs(browser, baseUrl, 'cadre');
  await session.close();
  if (!session.me.cadreId) throw new Error('the demo account cadre is not linked with a cadre');
  return { id: session.me.cadreId, username: 'cadre' };
}

async function phoneContext(): Promise<BrowserContext> {
  return browser.newContext({ ...phone, geolocation: position, permissions: ['geolocation'] });
}

/** On the login page: the demo cadre signs in. */
const logIn = (page: Page) => submitLogin(page, cadre.username);

/** Logged in, on /m, the page controlled by the service worker and the due list shown. */
async function openFieldView(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/login`);
  await logIn(page);
  await page.goto(`${baseUrl}/m`);
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 60_000 });
  await page.getByTestId('due-item').first().waitFor({ timeout: 30_000 });
  return page;
}

const tinyJpeg = (r: number, g: number, b: number) => sharp({ create: { width: 64, height: 48, channels: 3, background: { r, g, b } } }).jpeg({ quality: 80 }).toBuffer();

const queueItem = (page: Page, clientId: string) => page.locator(`[data-testid=queue-item][data-client-id="${clientId}"]`);
const stateOf = (page: Page, clientId: string) => queueItem(page, clientId).getAttribute('data-state', { timeout: 1_000 }).catch(() => null);

/** The newest record in the queue that is not yet synced: its client id. */
async function newestWaiting(page: Page): Promise<string> {
  const item = page.locator('[data-testid=queue-item][data-state=waiting]').first();
  await item.waitFor({ timeout: 15_000 });
  return (await item.getAttribute('data-client-id'))!;
}

type Summary = { id: number; clientId: string; photoCount: number; moneyFen: number | null };
/** The demo cadre's records with this client id, among those that started since yesterday (China time). */
async function recordsWithClientId(context: BrowserContext, clientId: string): Promise<Summary[]> {
  const from = new Date(Date.now() + 8 * 3_600_000 - 86_400_000).toISOString().slice(0, 10);
  const page = await json<{ items: Summary[]; total: number }>(await context.request.get(`${baseUrl}/api/v1/activities`, { params: { cadreId: cadre.id, from, pageSize: 200 } }));
  expect(page.total).toBeLessThanOrEqual(200);
  return page.items.filter((a) => a.clientId === clientId);
}

/** A queued record's stored row, read from the app's IndexedDB. */
function readQueued(page: Page, clientId: string) {
  return page.evaluate(
    (id) =>
      new Promise<Queued | undefined>((resolve, reject) => {
        const open = indexedDB.open('lianxin-field');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('records').objectStore('records').get(id);
          get.onsuccess = () => resolve(get.result);
          get.onerror = () => reject(get.error);
        };
      }),
    clientId,
  );
}

/** Put a synced record back to waiting, as if the phone had not seen the server's answer. */
function replayQueued(page: Page, clientId: string) {
  return page.evaluate(
    (id) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('lianxin-field');
        open.onsuccess = () => {
          const store = open.result.transaction('records', 'readwrite').objectStore('records');
          const get = store.get(id);
          get.onsuccess = () => {
            const put = store.put({ ...get.result, state: 'waiting' });
            put.onsuccess = () => {
              new BroadcastChannel('lianxin-field').postMessage('change');
              resolve();
            };
            put.onerror = () => reject(put.error);
          };
        };
        open.onerror = () => reject(open.error);
      }),
    clientId,
  );
}

/** Controls of the field view smaller than a thumb (44 × 44 CSS px), described for the failure message. */
function smallTouchTargets(page: Page) {
  return page.evaluate(() => {
    type El = { tagName: string; className: unknown; textContent: string | null; closest(s: string): unknown; getBoundingClientRect(): { width: number; height: number } };
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<El> } }).document;
    const small: string[] = [];
    for (const el of doc.querySelectorAll('.lxm button, .lxm a, .lxm input:not([type=file]), .lxm textarea, .lxm [role=radio]')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      // Inputs inside a select or an affixed box: the box around them is the target.
      if (el.tagName === 'INPUT' && el.closest('.ant-select, .ant-input-affix-wrapper')) continue;
      if (r.height < 44 || r.width < 44) small.push(`${el.tagName} "${(el.textContent ?? '').trim().slice(0, 12)}" ${Math.round(r.width)}×${Math.round(r.height)} ${String(el.className).slice(0, 40)}`);
    }
    return small;
  });
}

beforeAll(async () => {
  lianxin = await startLianxin('field');
  baseUrl = lianxin.baseUrl;
  browser = await launchBrowser();
  cadre = await demoCadre();
});

afterAll(async () => {
  await browser?.close();
  await lianxin?.stop();
});

describe('the field view on a phone', () => {
  it('serves an installable manifest and a service worker that is revalidated on each load', async () => {
    const context = await browser.newContext();
    const manifest = await context.request.get(`${baseUrl}/manifest.webmanifest`);
    expect(manifest.headers()['content-type']).toMatch(/application\/manifest\+json/);
    expect(manifest.headers()['cache-control']).toBe('no-cache');
    const m = (await manifest.json()) as { short_name: string; start_url: string; display: string; icons: { sizes: string }[] };
    expect(m).toMatchObject({ short_name: '连心', start_url: '/m', display: 'standalone' });
    expect(m.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    const sw = await context.request.get(`${baseUrl}/sw.js`);
    expect(sw.status()).toBe(200);
    expect(sw.headers()['cache-control']).toBe('no-cache');
    await context.close();
  });

  it('links the desktop and the field view both ways for an account with a cadre', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/login`);
    await logIn(page);
    expect(new URL(page.url()).pathname).toBe('/');
    await page.getByRole('menuitem', { name: '移动端 / 现场记录' }).click();
    await page.waitForURL((u) => u.pathname === '/m');
    await page.getByTestId('due-item').first().waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: '电脑版' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await context.close();
  });

  it('takes a cadre who signs in on a phone straight to the field view (on a desktop: the overview, above)', async () => {
    const context = await phoneContext();
    const page = await context.newPage();
    await page.goto(`${baseUrl}/`);
    await logIn(page);
    await page.waitForURL((u) => u.pathname === '/m');
    await page.getByTestId('due-item').first().waitFor({ timeout: 30_000 });
    await context.close();
  });

  it('records a visit with a photo offline, syncs it when the network returns, and stores it once however often it is sent', async () => {
    const context = await phoneContext();
    const page = await openFieldView(context);
    await page.screenshot({ path: join(shots, 'field-tasks.png') });

    // No network: the app shell still loads, from the service worker.
    await context.setOffline(true);
    await page.reload();
    await page.getByTestId('offline-banner').waitFor({ timeout: 30_000 });
    await page.getByTestId('due-item').first().waitFor();
    expect(await page.getByTestId('net-state').innerText()).toBe('离线');

    // Tap the most urgent target: the form opens with it chosen.
    await page.getByTestId('due-item').first().click();
    await page.getByTestId('record-form').waitFor();
    const targetId = Number(new URL(page.url()).searchParams.get('targetId'));
    expect(targetId).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=target-chips] [aria-pressed=true]').count()).toBe(1);
    await page.getByTestId('kind-household_visit').click();
    await page.getByTestId('findings').fill('户主反映村道路灯不亮，夜间出行不便；已登记，联系村委会落实。');
    await page.getByTestId('locate').click();
    await page.getByTestId('geo').waitFor();
    expect(await page.getByTestId('geo').innerText()).toMatch(/精度约 15 米/);
    await page.getByTestId('photo-input').setInputFiles({ name: 'visit.jpg', mimeType: 'image/jpeg', buffer: await tinyJpeg(40, 110, 190) });
    await page.locator('[data-testid=photo-thumbs] img').first().waitFor();
    await page.getByTestId('add-problem').click();
    await page.getByTestId('problem-0').fill('村道路灯损坏三盏');
    expect(await smallTouchTargets(page)).toEqual([]);
    await page.getByTestId('photo-thumbs').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'field-record-offline.png') });
    await page.getByTestId('save-record').click();

    const clientId = await newestWaiting(page);
    const queued = await readQueued(page, clientId);
    expect(queued?.state).toBe('waiting');
    expect(queued?.photos).toHaveLength(1);
    await page.screenshot({ path: join(shots, 'field-queue-waiting.png') });

    // The network returns: the queue sends itself.
    await context.setOffline(false);
    await expect.poll(() => stateOf(page, clientId), { timeout: 60_000 }).toBe('synced');
    await page.screenshot({ path: join(shots, 'field-queue-synced.png') });

    const stored = await recordsWithClientId(context, clientId);
    expect(stored).toHaveLength(1);
    const detail = await json<{ targets: { id: number }[]; photos: { id: number }[]; latitude: number | null; accuracyM: number | null; findings: string; problems: { description: string }[] }>(
      await context.request.get(`${baseUrl}/api/v1/activities/${stored[0]!.id}`),
    );
    expect(detail.targets.map((t) => t.id)).toEqual([targetId]);
    expect(detail.photos).toHaveLength(1);
    expect(detail.latitude).toBeCloseTo(position.latitude, 4);
    expect(detail.accuracyM).toBe(15);
    expect(detail.findings).toMatch(/路灯不亮/);
    expect(detail.problems.map((p) => p.description)).toEqual(['村道路灯损坏三盏']);

    // Sent again by the phone (it never saw the answer) …
    const firstSync = (await readQueued(page, clientId))?.syncedAt;
    await replayQueued(page, clientId);
    // The queue may send it by itself before the button is pressed (its timer, the online event):
    // either way it must be sent again and end synced, and the server must still hold one record.
    await page.getByTestId('sync-now').click({ timeout: 2_000 }).catch(() => undefined);
    await expect
      .poll(async () => { const q = await readQueued(page, clientId); return q?.state === 'synced' && q.syncedAt !== firstSync; }, { timeout: 30_000 })
      .toBe(true);
    // … and twice more straight to the API with the very record the queue holds.
    const again = await readQueued(page, clientId);
    const record = { ...again!.draft, clientId, photoIds: again!.photos.map((p) => p.photoId) };
    for (let i = 0; i < 2; i++) {
      const res = await json<{ results: { status: string; id?: number }[] }>(
        await context.request.post(`${baseUrl}/api/v1/sync/activities`, { headers: await csrfHeaders(context, baseUrl), data: { records: [record] } }),
      );
      expect(res.results[0]).toMatchObject({ status: 'duplicate', id: stored[0]!.id });
    }
    expect(await recordsWithClientId(context, clientId)).toHaveLength(1);

    await page.getByTestId('tab-recent').click();
    await page.getByTestId('recent-item').first().waitFor();
    await page.screenshot({ path: join(shots, 'field-recent.png') });
    await context.close();
  });

  it('shows a conflict with both versions and keeps the cadre’s record as a new one on request', async () => {
    const context = await phoneContext();
    const page = await openFieldView(context);
    await context.setOffline(true);
    await page.getByTestId('tab-record').click();
    await page.getByTestId('record-form').waitFor();
    await page.getByTestId('kind-condolence').click();
    await page.locator('[data-testid=target-chips] button').first().click();
    await page.getByTestId('money').fill('500.5');
    await page.getByTestId('findings').fill('走访慰问困难户，送去慰问金。');
    await page.getByTestId('save-record').click();
    const clientId = await newestWaiting(page);

    // Meanwhile the same client id reached the server with other content (another copy of the app).
    const mine = await readQueued(page, clientId);
    expect(mine!.draft.moneyFen).toBe(50050);
    const other = { ...mine!.draft, clientId, photoIds: [], findings: '另一台设备上的内容', moneyFen: 20000 };
    const first = await json<{ results: { status: string }[] }>(
      await context.request.post(`${baseUrl}/api/v1/sync/activities`, { headers: await csrfHeaders(context, baseUrl), data: { records: [other] } }),
    );
    expect(first.results[0]!.status).toBe('stored');

    await context.setOffline(false);
    await expect.poll(() => stateOf(page, clientId), { timeout: 60_000 }).toBe('conflict');
    const conflict = queueItem(page, clientId).getByTestId('conflict');
    expect(await conflict.innerText()).toMatch(/另一台设备上的内容/);
    expect(await conflict.innerText()).toMatch(/¥500\.50/);
    await page.screenshot({ path: join(shots, 'field-conflict.png') });

    await conflict.getByRole('button', { name: '保留我的（另存为新记录）' }).click();
    // Kept under a new client id, and synced; the server's copy is untouched.
    await expect.poll(() => queueItem(page, clientId).count()).toBe(0);
    await expect.poll(() => page.locator('[data-testid=queue-item][data-state=synced]').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const kept = await page.locator('[data-testid=queue-item][data-state=synced]').first().getAttribute('data-client-id');
    expect(kept).not.toBe(clientId);
    expect((await recordsWithClientId(context, kept!))[0]?.moneyFen).toBe(50050);
    expect((await recordsWithClientId(context, clientId))[0]?.moneyFen).toBe(20000);
    await context.close();
  });

  it('shows a record the server refused with its reasons, and sends it again once corrected', async () => {
    const context = await phoneContext();
    const page = await openFieldView(context);
    await page.getByTestId('tab-record').click();
    await page.getByTestId('kind-forum').click();
    await page.locator('[data-testid=target-chips] button').first().click();
    await page.getByTestId('attendees').fill('26');
    // Named and typed as a JPEG, but not a picture: the phone cannot tell, the server can.
    await page.getByTestId('photo-input').setInputFiles({ name: 'broken.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('这不是照片') });
    await page.getByTestId('save-record').click();

    const item = page.locator('[data-testid=queue-item][data-state=rejected]').first();
    await item.waitFor({ timeout: 30_000 });
    const clientId = (await item.getAttribute('data-client-id'))!;
    expect(await item.getByTestId('rejected-reasons').innerText()).toMatch(/broken\.jpg/);
    expect(await recordsWithClientId(context, clientId)).toHaveLength(0);
    await page.screenshot({ path: join(shots, 'field-rejected.png') });

    await item.getByRole('button', { name: '修改后重新提交' }).click();
    await page.getByTestId('record-form').waitFor();
    await page.getByRole('button', { name: '删除照片' }).click();
    await page.getByTestId('save-record').click();
    await expect.poll(() => stateOf(page, clientId), { timeout: 30_000 }).toBe('synced');
    const stored = await recordsWithClientId(context, clientId);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.photoCount).toBe(0);
    await context.close();
  });

  it('keeps records captured while the session ended and sends them after the cadre logs in again', async () => {
    const context = await phoneContext();
    const page = await openFieldView(context);
    await context.setOffline(true);
    await page.getByTestId('tab-record').click();
    await page.getByTestId('kind-talk').click();
    await page.locator('[data-testid=target-chips] button').first().click();
    await page.getByTestId('attendees').fill('3');
    await page.getByTestId('save-record').click();
    const clientId = await newestWaiting(page);

    // The session ends while the phone is offline (here: its cookies are gone).
    await context.clearCookies();
    await context.setOffline(false);
    await page.getByTestId('expired-banner').waitFor({ timeout: 30_000 });
    expect(await stateOf(page, clientId)).toBe('waiting');
    await page.screenshot({ path: join(shots, 'field-session-expired.png') });

    await page.getByTestId('expired-banner').getByRole('button', { name: '重新登录' }).click();
    await logIn(page);
    await page.waitForURL((u) => u.pathname === '/m');
    await page.getByTestId('tab-queue').click();
    await expect.poll(() => stateOf(page, clientId), { timeout: 60_000 }).toBe('synced');
    expect(await recordsWithClientId(context, clientId)).toHaveLength(1);
    await context.close();
  });
});
