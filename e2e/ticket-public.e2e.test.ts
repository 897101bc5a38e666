import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, launchBrowser, logIn, PASSWORD, shots, startLianxin, type Lianxin } from './harness.ts';

// The ticket loop seen from outside (issue 5): a requester follows a resolved ticket on the public
// page with no login (wrong phone digits refused, the reply shown, rated once), an admin issues an
// Open311 key that a client then uses, and the measures and settings pages show the numbers.

const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };
const desk = { viewport: { width: 1440, height: 1000 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };
const REPLY = '已安排养护队修复村口至码头路段的坑洼路面，并增设两盏路灯，欢迎监督。';

let lianxin: Lianxin;
let baseUrl: string;
let browser: Browser;

type Ticket = { id: number; trackingCode: string; state: string; version: number };
let ticket: Ticket;
/** A second ticket, for the lockout after wrong digits. */
let other: Ticket;

beforeAll(async () => {
  lianxin = await startLianxin('ticket-public');
  baseUrl = lianxin.baseUrl;
  browser = await launchBrowser();

  // A hotline ticket with the requester's phone, dispatched at intake, signed and resolved by the
  // handling unit's account.
  const admin = await apiAs(browser, baseUrl, 'admin');
  const units = await admin.get<{ items: { id: number; name: string; regionCode: string }[] }>('/api/v1/units?pageSize=5');
  const unit = units.items[0]!;
  await admin.post('/api/v1/users', { username: 'e2e-handler', displayName: '承办员小周', password: PASSWORD, role: 'handling_dept', unitId: unit.id });
  ticket = await admin.post<Ticket>('/api/v1/tickets', {
    source: 'hotline',
    type: 'help',
    categoryCode: 'infrastructure.roads',
    title: '村口至码头道路坑洼，夜间无照明',
    content: '村口到码头的路有多处坑洼，晚上没有路灯，老人出行不便，希望尽快修复。',
    requester: { name: '王秀英', phone: '13805745678' },
    regionCode: unit.regionCode,
    address: '村口至码头',
    dispatch: { unitId: unit.id, note: '请核实后修复' },
  });
  other = await admin.post<Ticket>('/api/v1/tickets', {
    source: 'hotline',
    type: 'consult',
    categoryCode: 'social_security.pension',
    title: '咨询城乡居民养老保险缴费档次',
    content: '想了解今年城乡居民养老保险的缴费档次和补贴标准。',
    requester: { name: '李建国', phone: '13905741234' },
    regionCode: unit.regionCode,
  });
  await admin.close();

  const handler = await apiAs(browser, baseUrl, 'e2e-handler');
  await handler.post(`/api/v1/tickets/${ticket.id}/actions`, { action: 'sign' });
  const resolved = await handler.post<Ticket>(`/api/v1/tickets/${ticket.id}/actions`, { action: 'resolve', closureType: 'substantive', reply: REPLY });
  expect(resolved.state).toBe('resolved');
  await handler.close();
});

afterAll(async () => {
  await browser?.close();
  await lianxin?.stop();
});

describe('the ticket loop in Chromium', () => {
  it('lets the requester follow the ticket without logging in, and rate it once', async () => {
    const context = await browser.newContext(phone);
    const page = await context.newPage();
    await page.goto(`${baseUrl}/track/${encodeURIComponent(ticket.trackingCode)}`);
    // No login page: the public page is outside the signed-in app.
    await page.getByTestId('track-phone').waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe(`/track/${encodeURIComponent(ticket.trackingCode)}`);
    expect(await page.getByTestId('track-code').inputValue()).toBe(ticket.trackingCode);

    // Wrong digits: the same answer as an unknown code.
    await page.getByTestId('track-phone').fill('0000');
    await page.getByTestId('track-submit').click();
    await expect.poll(() => page.getByTestId('track-error').innerText()).toMatch(/未找到该诉求/);
    await page.screenshot({ path: join(shots, 'track-wrong-digits.png') });

    // The right digits: the steps, the handling unit and the reply.
    await page.getByTestId('track-phone').fill('5678');
    await page.getByTestId('track-submit').click();
    await page.getByTestId('track-ticket').waitFor();
    expect(await page.getByTestId('track-reply').innerText()).toContain(REPLY);
    expect(await page.getByTestId('track-steps').innerText()).toMatch(/已办结/);
    expect(await page.getByTestId('track-unit').innerText()).not.toBe('');
    expect(await page.content()).not.toContain('13805745678');
    await page.screenshot({ path: join(shots, 'track-resolved.png'), fullPage: true });

    // Rate 满意 with a comment: the form goes, the rating stays.
    await page.getByTestId('track-rating-choice').getByText('满意', { exact: true }).click();
    await page.getByTestId('track-comment').fill('修得很快，谢谢！');
    await page.getByTestId('track-rate-submit').click();
    await page.getByTestId('track-rating').waitFor();
    expect(await page.getByTestId('track-rating').innerText()).toMatch(/满意/);
    expect(await page.getByTestId('track-rate').count()).toBe(0);
    expect(await page.getByTestId('track-thanks').innerText()).toMatch(/感谢/);
    await page.screenshot({ path: join(shots, 'track-rated.png'), fullPage: true });
    // The same page in English, through the app's language switch.
    await page.getByText('EN', { exact: true }).click();
    await expect.poll(() => page.getByTestId('track-rating').innerText()).toMatch(/Your rating\s*Satisfied/);
    await page.screenshot({ path: join(shots, 'track-rated-en.png'), fullPage: true });

    // A second rating is refused by the server (the page no longer offers one).
    const again = await context.request.post(`${baseUrl}/api/v1/public/tickets/${encodeURIComponent(ticket.trackingCode)}/rating`, { data: { phone: '5678', rating: 'unsatisfied' } });
    expect(again.status()).toBe(409);
    await context.close();
  });

  it('locks a tracking code after five wrong tries, even for the right digits, and says so', async () => {
    const context = await browser.newContext(phone);
    const path = `${baseUrl}/api/v1/public/tickets/${encodeURIComponent(other.trackingCode)}`;
    for (let i = 0; i < 5; i++) expect((await context.request.get(`${path}?phone=9999`)).status()).toBe(404);
    const page = await context.newPage();
    await page.goto(`${baseUrl}/track/${encodeURIComponent(other.trackingCode)}`);
    await page.getByTestId('track-phone').fill('1234');
    await page.getByTestId('track-submit').click();
    await expect.poll(() => page.getByTestId('track-error').innerText()).toMatch(/错误次数过多.*锁定/);
    expect(await page.getByTestId('track-ticket').count()).toBe(0);
    await page.screenshot({ path: join(shots, 'track-locked.png') });
    await context.close();
  });

  it('shows the handling unit its new ticket under the header bell, and opens it from there', async (ctx) => {
    const context = await browser.newContext(desk);
    const probe = await context.request.get(`${baseUrl}/api/v1/notifications/unread-count`);
    // 401 (not logged in) means the route exists; 404 means the notification routes have not landed.
    if (probe.status() === 404) ctx.skip();
    const page = await context.newPage();
    await logIn(page, baseUrl, 'e2e-handler');
    const bell = page.getByTestId('notification-bell');
    await expect.poll(async () => Number((await bell.locator('.ant-badge-count').textContent().catch(() => '0'))?.replace(/\D/g, '') || 0), { timeout: 30_000 }).toBeGreaterThan(0);
    await bell.click();
    const item = page.getByTestId('notification-list').locator('.lx-bell-item', { hasText: ticket.trackingCode }).first();
    await item.waitFor();
    await page.screenshot({ path: join(shots, 'notification-bell.png') });
    await item.click();
    await page.waitForURL((u) => u.pathname === `/tickets/${ticket.id}`);
    await context.close();
  });

  it('issues an Open311 key in the admin UI, shown once, which a client can then use', async () => {
    const context = await browser.newContext(desk);
    const page = await context.newPage();
    await logIn(page, baseUrl, 'admin');
    await page.goto(`${baseUrl}/open311-keys`);
    await page.getByTestId('key-new').click();
    await page.getByTestId('key-name').fill('i象山市民App');
    await page.getByRole('dialog').getByRole('button', { name: '发放密钥' }).click();
    const secret = page.getByTestId('key-secret');
    await secret.waitFor();
    const apiKey = (await secret.innerText()).trim();
    expect(apiKey.length).toBeGreaterThan(16);
    await page.screenshot({ path: join(shots, 'open311-key-issued.png') });
    await page.getByTestId('key-done').click();
    expect(await page.getByTestId('key-table').innerText()).toMatch(/i象山市民App/);
    // The list never shows the key again.
    expect(await page.content()).not.toContain(apiKey);

    const posted = await context.request.post(`${baseUrl}/open311/v2/requests.json`, {
      form: { api_key: apiKey, service_code: 'infrastructure.lighting', description: '码头东侧路灯不亮已一周', address_string: '石浦镇码头东侧' },
    });
    expect(posted.ok(), await posted.text()).toBe(true);
    const body = (await posted.json()) as { service_request_id?: string; token?: string }[];
    expect(body[0]?.service_request_id ?? body[0]?.token).toBeTruthy();

    const refused = await context.request.post(`${baseUrl}/open311/v2/requests.json`, { form: { api_key: 'not-a-key', service_code: 'infrastructure.lighting', description: 'x', address_string: 'y' } });
    expect(refused.status()).toBe(403);

    // Revoked in the UI: the same key is refused from then on.
    await page.locator('[data-testid^="key-revoke-"]').first().click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: '停用' }).click();
    await expect.poll(() => page.getByTestId('key-table').innerText()).toMatch(/已停用/);
    const revoked = await context.request.post(`${baseUrl}/open311/v2/requests.json`, { form: { api_key: apiKey, service_code: 'infrastructure.lighting', description: '再报一次', address_string: '石浦镇码头东侧' } });
    expect(revoked.status()).toBe(403);
    await context.close();
  });

  it('shows the measures with their numbers, and the settings with the default deadlines', async () => {
    const context = await browser.newContext(desk);
    const page = await context.newPage();
    await logIn(page, baseUrl, 'admin');
    await page.goto(`${baseUrl}/ticket-measures?group=unit`);
    const total = page.getByTestId('measure-total');
    await expect.poll(async () => Number((await total.locator('.ant-statistic-content-value').innerText()).replace(/\D/g, '')), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('measure-satisfactionRate').innerText()).toMatch(/\d+(\.\d)?%/);
    await page.getByTestId('measures-table').locator('tbody tr.ant-table-row').first().waitFor();
    await page.getByTestId('measures-chart').locator('canvas').waitFor();
    await page.screenshot({ path: join(shots, 'ticket-measures.png'), fullPage: true });

    // By region: the county's townships, and down into one of them.
    await page.getByTestId('measures-group').getByText('按区划').click();
    const drill = page.getByTestId('measures-table').locator('[data-testid^="measures-drill-"]').first();
    await drill.waitFor({ timeout: 30_000 });
    const before = await page.getByTestId('measures-table').innerText();
    await drill.click();
    await page.getByTestId('measures-up').waitFor();
    await expect.poll(() => page.getByTestId('measures-table').innerText()).not.toBe(before);
    expect(new URL(page.url()).searchParams.get('region')).toBeTruthy();

    await page.goto(`${baseUrl}/ticket-settings`);
    await page.getByTestId('category-table').getByText('基础设施').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(shots, 'ticket-settings-categories.png') });
    // A new child category under 基础设施: its code extends the parent's.
    await page.getByTestId('category-add-child-infrastructure').click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('#code').fill('bridges');
    await dialog.locator('#nameZh').fill('桥梁涵洞');
    await dialog.locator('#nameEn').fill('Bridges');
    await dialog.getByRole('button', { name: '保存' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const cats = await page.request.get(`${baseUrl}/api/v1/ticket-categories`);
    expect(((await cats.json()) as { code: string; parentCode: string | null }[]).find((c) => c.code === 'infrastructure.bridges')?.parentCode).toBe('infrastructure');
    await page.getByTestId('settings-policy-tab').click();
    const form = page.getByTestId('policy-form');
    await form.waitFor();
    expect(await page.getByTestId('policy-byType-complaint').inputValue()).toBe('10');
    expect(await form.innerText()).toMatch(/特急当日/);
    await page.screenshot({ path: join(shots, 'ticket-settings-policy.png'), fullPage: true });
    // Change one limit and save: the server keeps it; then back to the defaults.
    const complaint = page.getByTestId('policy-byType-complaint');
    await complaint.fill('8');
    await page.getByTestId('policy-save').click();
    await expect.poll(async () => ((await (await page.request.get(`${baseUrl}/api/v1/ticket-settings/policy`)).json()) as { byType: { complaint: number } }).byType.complaint).toBe(8);
    await page.getByTestId('policy-defaults').click();
    expect(await complaint.inputValue()).toBe('10');
    await page.getByTestId('policy-save').click();
    await expect.poll(async () => ((await (await page.request.get(`${baseUrl}/api/v1/ticket-settings/policy`)).json()) as { byType: { complaint: number } }).byType.complaint).toBe(10);
    await context.close();
  });
});
