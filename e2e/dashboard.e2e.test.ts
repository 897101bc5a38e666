import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardResult, FigureKey } from '../contracts/statistics.ts';
import { apiAs, launchBrowser, logIn, PASSWORD, shots, startLianxin, type ApiSession, type Lianxin } from './harness.ts';

// The dashboard (驾驶舱) and the big screen (大屏) in Chromium on the demo county: a county leader
// reads the headline figures (the same numbers GET /api/v1/statistics/dashboard gives), opens the
// records behind one, drills into a township and climbs back by the breadcrumb; the big screen
// at exactly 1920×1080. Screenshots of each.

const COUNTY = '330225000000';
const SHIPU = '330225101000';

let lianxin: Lianxin;
let baseUrl: string;
let browser: Browser;
let admin: ApiSession;
let leader: ApiSession;
let campaign: { id: number; name: string };
const from = '2026-01-01';
const to = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

const newPage = (viewport = { width: 1440, height: 1000 }) => browser.newPage({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport });
const settled = (page: Page) => expect.poll(() => page.locator('.ant-spin-spinning').count(), { timeout: 60_000 }).toBe(0);
const value = (d: DashboardResult, key: FigureKey) => d.figures.find((f) => f.key === key)!.value!;
const shown = async (page: Page, testId: string) => Number((await page.getByTestId(testId).innerText()).replace(/,/g, ''));

beforeAll(async () => {
  lianxin = await startLianxin('dashboard', { startTimeoutMs: 230_000 });
  baseUrl = lianxin.baseUrl;
  browser = await launchBrowser();
  for (let attempt = 1; ; attempt++) {
    try {
      admin = await apiAs(browser, baseUrl, 'admin');
      break;
    } catch (e) {
      if (attempt >= 5) throw e;
    }
  }
  const running = await admin.get<{ items: { id: number; name: string }[] }>('/api/v1/campaigns', { activeOn: to, pageSize: 1 });
  campaign = running.items[0]!;
  await admin.post('/api/v1/users', { username: 'e2e-dash-leader', displayName: '县领导乙', password: PASSWORD, role: 'leadership', regionCode: COUNTY });
  leader = await apiAs(browser, baseUrl, 'e2e-dash-leader');
}, 460_000);

afterAll(async () => {
  await leader?.close();
  await admin?.close();
  await browser?.close();
  await lianxin?.stop();
});

describe('the dashboard in Chromium', () => {
  it('shows the figures the API gives, opens the records behind one, drills into a township and back', async () => {
    const county = await leader.get<DashboardResult>('/api/v1/statistics/dashboard', { campaignId: campaign.id, from, to });
    const shipu = await leader.get<DashboardResult>('/api/v1/statistics/dashboard', { campaignId: campaign.id, regionCode: SHIPU, from, to });
    expect(value(county, 'householdsVisited')).toBeGreaterThan(0);
    expect(county.children.length).toBeGreaterThan(10);

    const page = await newPage();
    await logIn(page, baseUrl, 'e2e-dash-leader');
    await page.goto(`${baseUrl}/dashboard?campaign=${campaign.id}&from=${from}&to=${to}`);
    await page.getByTestId('figure-value-householdsVisited').waitFor({ timeout: 60_000 });
    await settled(page);
    for (const key of ['householdsVisited', 'stayDays', 'forums', 'talkAttendance', 'problemsSolved', 'mattersDone'] as FigureKey[]) {
      expect(await shown(page, `figure-value-${key}`), key).toBe(value(county, key));
    }
    expect(await page.getByTestId('figure-value-complianceRate').innerText()).toBe((value(county, 'complianceRate') * 100).toFixed(1));
    await expect.poll(() => page.getByTestId('dashboard-breadcrumb').innerText(), { timeout: 60_000 }).toContain('象山县');
    await expect.poll(() => page.getByTestId('dashboard-warnings').locator('.ant-list-item').count(), { timeout: 30_000 }).toBe(county.warnings.length);
    await page.screenshot({ path: join(shots, 'dashboard-county.png'), fullPage: true });

    // The records behind 走访农户: the drawer lists them and states the distinct count.
    await page.getByTestId('figure-householdsVisited').click();
    await expect.poll(() => page.getByTestId('dashboard-records').locator('tbody tr.ant-table-row').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.screenshot({ path: join(shots, 'dashboard-records.png') });
    await page.keyboard.press('Escape');

    // Drill into 石浦镇: its villages, its own figures.
    await page.getByTestId(`dashboard-child-${SHIPU}`).click();
    await page.waitForURL((u) => u.searchParams.get('region') === SHIPU);
    await expect.poll(() => page.getByTestId('dashboard-breadcrumb').innerText(), { timeout: 60_000 }).toContain('石浦镇');
    await expect.poll(() => shown(page, 'figure-value-householdsVisited'), { timeout: 60_000 }).toBe(value(shipu, 'householdsVisited'));
    await settled(page);
    expect(await shown(page, 'figure-value-stayDays')).toBe(value(shipu, 'stayDays'));
    expect(shipu.children.every((c) => c.level === 'village')).toBe(true);
    await page.screenshot({ path: join(shots, 'dashboard-township.png'), fullPage: true });

    // And back up by the breadcrumb.
    await page.getByTestId(`dashboard-crumb-${COUNTY}`).click();
    await page.waitForURL((u) => u.searchParams.get('region') === COUNTY);
    await expect.poll(() => shown(page, 'figure-value-householdsVisited'), { timeout: 60_000 }).toBe(value(county, 'householdsVisited'));
    await page.close();
  });

  it('the big screen fills 1920×1080 with the campaign title, a clock and the same figures', async () => {
    const county = await leader.get<DashboardResult>('/api/v1/statistics/dashboard', { campaignId: campaign.id, from, to });
    const page = await newPage({ width: 1920, height: 1080 });
    await logIn(page, baseUrl, 'e2e-dash-leader');
    await page.goto(`${baseUrl}/bigscreen?campaign=${campaign.id}&from=${from}&to=${to}`);
    await page.getByTestId('bigscreen-figure-householdsVisited').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('bigscreen-title').innerText(), { timeout: 30_000 }).toBe(campaign.name);
    const number = async (key: FigureKey) => Number((await page.getByTestId(`bigscreen-figure-${key}`).locator('.bs-number').innerText()).replace(/,/g, ''));
    expect(await number('householdsVisited')).toBe(value(county, 'householdsVisited'));
    expect(await number('stayDays')).toBe(value(county, 'stayDays'));
    expect(await page.getByTestId('bigscreen-clock').innerText()).toMatch(/\d{2}:\d{2}:\d{2}/);
    // Exactly the viewport: nothing scrolls.
    const box = await page.getByTestId('bigscreen').boundingBox();
    expect(box).toMatchObject({ x: 0, y: 0, width: 1920, height: 1080 });
    expect(await page.evaluate('[document.documentElement.scrollWidth, document.documentElement.scrollHeight]')).toEqual([1920, 1080]);
    await page.waitForTimeout(800); // the charts' entry animation
    await page.screenshot({ path: join(shots, 'bigscreen.png') });
    await page.close();
  });
});
