import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComparisonResult, FigureRecordsResult, StatisticsResult } from '../contracts/statistics.ts';
import { apiAs, launchBrowser, logIn, shots, startLianxin, type ApiSession, type Lianxin } from './harness.ts';

// The statistics page (统计) in Chromium on the demo county: the office reads the figures (the
// numbers GET /api/v1/statistics gives), opens the records behind one (as many as the API lists,
// and for a distinct count the same distinct total), then compares the period with the previous
// one. Screenshots of each.

let lianxin: Lianxin;
let baseUrl: string;
let browser: Browser;
let admin: ApiSession;
let campaign: { id: number; name: string };
const from = '2026-01-01';
const to = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

const newPage = (viewport = { width: 1440, height: 1000 }) => browser.newPage({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport });
const settled = (page: Page) => expect.poll(() => page.locator('.ant-spin-spinning, .ant-skeleton').count(), { timeout: 60_000 }).toBe(0);

beforeAll(async () => {
  lianxin = await startLianxin('statistics', { startTimeoutMs: 230_000 });
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
}, 460_000);

afterAll(async () => {
  await admin?.close();
  await browser?.close();
  await lianxin?.stop();
});

describe('statistics in Chromium', () => {
  it('shows the figures the API gives and lists exactly the records behind one', async () => {
    const q = { campaignId: campaign.id, from, to };
    const stats = await admin.get<StatisticsResult>('/api/v1/statistics', q);
    const households = stats.figures.find((f) => f.key === 'householdsVisited')!.value!;
    const visits = stats.figures.find((f) => f.key === 'householdVisits')!.value!;
    expect(households).toBeGreaterThan(0);
    const records = await admin.get<FigureRecordsResult>('/api/v1/statistics/records', { ...q, figure: 'householdsVisited', pageSize: 1 });
    expect(records.distinct).toBe(households);

    const page = await newPage();
    await logIn(page, baseUrl, 'admin');
    await page.goto(`${baseUrl}/statistics?campaign=${campaign.id}&from=${from}&to=${to}`);
    await expect.poll(() => page.getByTestId('stats-scope').innerText(), { timeout: 60_000 }).toContain(campaign.name);
    await settled(page);
    // The card groups thousands (1,664); the number is the same.
    const card = async (key: string) => (await page.getByTestId(`stats-figure-${key}`).innerText()).replace(/,/g, '');
    await expect.poll(() => card('householdsVisited')).toContain(`${households}户`);
    expect(await card('householdVisits')).toContain(`${visits}次`);
    await page.screenshot({ path: join(shots, 'statistics-figures.png'), fullPage: true });

    await page.getByTestId('stats-figure-householdsVisited').click();
    const summary = page.getByTestId('stats-records-summary');
    await expect.poll(() => summary.innerText(), { timeout: 60_000 }).toContain(`共 ${records.total} 条记录`);
    expect(await summary.innerText()).toContain(`去重后计 ${households}`);
    await settled(page);
    expect(await page.getByTestId('stats-records').locator('tbody tr.ant-table-row').count()).toBe(Math.min(20, records.total));
    await page.screenshot({ path: join(shots, 'statistics-records.png') });
    await page.close();
  });

  it('compares the period with the previous one', async () => {
    const cmp = await admin.get<ComparisonResult>('/api/v1/statistics/compare', { campaignId: campaign.id, from: '2026-10-01', to: '2026-10-31', figures: 'householdsVisited' });
    expect(cmp.columns.map((c) => [c.from, c.to])).toEqual([['2026-10-01', '2026-10-31'], ['2026-08-31', '2026-09-30']]);

    const page = await newPage();
    await logIn(page, baseUrl, 'admin');
    await page.goto(`${baseUrl}/statistics?campaign=${campaign.id}&from=2026-10-01&to=2026-10-31&tab=compare`);
    await expect.poll(() => page.getByTestId('stats-compare').locator('tbody tr.ant-table-row').count(), { timeout: 60_000 }).toBeGreaterThan(5);
    await settled(page);
    const first = page.getByTestId('stats-compare').locator('tbody tr.ant-table-row').first();
    const v = cmp.columns.map((c) => c.figures[0]!.value!);
    expect(await first.innerText()).toContain(`${v[0]}户`);
    expect(await first.innerText()).toContain(`${v[1]}户`);
    await page.screenshot({ path: join(shots, 'statistics-compare.png'), fullPage: true });
    await page.close();
  });
});
