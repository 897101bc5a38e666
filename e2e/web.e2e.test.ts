import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, logIn, shots, startLianxin, type Lianxin } from './harness.ts';

let lianxin: Lianxin;
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  lianxin = await startLianxin('web', { fresh: true, startTimeoutMs: 600_000 });
  baseUrl = lianxin.baseUrl;
  browser = await launchBrowser();
}, 620_000);

afterAll(async () => {
  await browser?.close();
  await lianxin?.stop();
});

describe('Lianxin in Chromium', () => {
  it('sends a visitor at the site root to the login page', async () => {
    const page = await browser.newPage({ locale: 'zh-CN' });
    const res = await page.goto(`${baseUrl}/`);
    expect(res?.status()).toBe(200);
    await page.waitForURL((u) => u.pathname === '/login');
    // The login page is loaded lazily: wait for it to render rather than racing it.
    await page.locator('#username').waitFor({ timeout: 30_000 });
    expect(await page.locator('#username').count()).toBe(1);
    await page.screenshot({ path: join(shots, 'login.png') });
    await page.close();
  });

  it('refuses a wrong password with a Chinese message on the login page', async () => {
    const page = await browser.newPage({ locale: 'zh-CN' });
    await page.goto(`${baseUrl}/login`);
    await page.fill('#username', 'admin');
    await page.fill('#password', 'not-the-password');
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.getByText('用户名或密码错误').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(shots, 'login-error.png') });
    await page.close();
  });

  it('logs in and opens the cadre list of the demo county, phones masked', async () => {
    const page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 1440, height: 900 } });
    await logIn(page, baseUrl, 'admin');
    await page.goto(`${baseUrl}/cadres`);
    const table = page.getByTestId('cadre-table');
    await table.locator('tbody tr.ant-table-row').first().waitFor();
    const rows = await table.locator('tbody tr.ant-table-row').count();
    expect(rows).toBeGreaterThan(5);
    const text = await table.innerText();
    expect(text).toMatch(/中共象山县/);
    expect(text).toMatch(/1\d{2}\*{4}\d{4}/); // masked phones
    expect(text).not.toMatch(/1[3-9]\d{9}/); // no full phone number anywhere
    await expect.poll(() => page.getByText(/共\s*1,?000\s*条/).count()).toBeGreaterThan(0);

    await page.getByTestId('cadre-search').locator('input').fill('陈');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await table.locator('tbody tr.ant-table-row td:first-child').allInnerTexts()).every((n) => n.includes('陈'))).toBe(true);
    await page.screenshot({ path: join(shots, 'cadres.png') });
    await page.close();
  });

  it('shows the demo campaign’s coverage, red where two townships’ households are not yet paired', async () => {
    const page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 1440, height: 1000 } });
    await logIn(page, baseUrl, 'admin');
    await page.goto(`${baseUrl}/coverage`);
    const cards = page.getByTestId('coverage-cards');
    await expect.poll(() => cards.getByText('每户由2名以上干部结对联系').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('coverage-status').innerText()).toMatch(/未达标/);
    const regions = page.getByTestId('coverage-regions');
    expect(await regions.getByText('高塘岛乡').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(shots, 'coverage.png'), fullPage: true });
    await page.close();
  });

  it('runs the planner, which proposes cadres for the unpaired households', async () => {
    const page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 1440, height: 1000 } });
    await logIn(page, baseUrl, 'admin');
    await page.goto(`${baseUrl}/planner`);
    const run = page.getByTestId('plan-run');
    await expect.poll(() => run.isEnabled(), { timeout: 30_000 }).toBe(true);
    await run.click();
    const table = page.getByTestId('plan-add-table');
    await table.locator('tbody tr.ant-table-row').first().waitFor({ timeout: 60_000 });
    expect(await table.innerText()).toMatch(/农户/);
    expect(await page.getByTestId('plan-apply').isEnabled()).toBe(true);
    await page.screenshot({ path: join(shots, 'planner.png') });
    await page.close();
  });

  it('shows Xiangshan’s real townships in the region tree', async () => {
    const page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 1440, height: 900 } });
    await logIn(page, baseUrl, 'admin');
    await page.goto(`${baseUrl}/regions`);
    const tree = page.getByTestId('region-tree');
    await expect.poll(() => tree.getByText('石浦镇').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await tree.getByText('丹东街道').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(shots, 'regions.png') });
    await page.close();
  });

  // Field records (issue 4): the demo's season of field work with its planted suspicious records.
  const fieldPage = () => browser.newPage({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1440, height: 1000 } });

  it('lists the demo’s field records, opens a flagged one and clears its flag with a reason', async () => {
    const page = await fieldPage();
    await logIn(page, baseUrl, 'admin');
    await page.goto(`${baseUrl}/activities`);
    const table = page.getByTestId('activity-table');
    await table.locator('tbody tr.ant-table-row').first().waitFor({ timeout: 30_000 });
    expect(await table.locator('tbody tr.ant-table-row').count()).toBeGreaterThan(5);
    expect(await table.innerText()).toMatch(/走访入户|座谈会|谈心谈话|驻村蹲点/);
    await page.screenshot({ path: join(shots, 'activities.png') });

    // Only the records with an open integrity flag: each row carries the red marker.
    await page.getByTestId('filter-flagged').getByText('有疑点').click();
    await expect.poll(() => page.url()).toContain('flagged=true');
    const marker = table.locator('[data-testid^="flag-marker-"]').first();
    await marker.waitFor({ timeout: 30_000 });
    const rows = await table.locator('tbody tr.ant-table-row').count();
    expect(await table.locator('[data-testid^="flag-marker-"]').count()).toBe(rows);

    await table.locator('[data-testid^="activity-link-"]').first().click();
    await page.waitForURL(/\/activities\/\d+/);
    const flags = page.getByTestId('activity-flags');
    await flags.waitFor({ timeout: 30_000 });
    expect(await flags.innerText()).toMatch(/待核实/);
    expect(await page.getByTestId('activity-fields').innerText()).toMatch(/类型/);
    await page.screenshot({ path: join(shots, 'activity-flagged.png'), fullPage: true });

    await flags.locator('[data-testid^="clear-flag-"]').first().click();
    await page.getByTestId('clear-reason').fill('经电话核实，当天确实在该村开展工作');
    await page.getByRole('button', { name: '清除', exact: true }).click();
    await expect.poll(() => flags.getByText('经电话核实').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await flags.innerText()).toMatch(/已清除/);
    await page.close();
  });

  it('shows the integrity board with the evidence of each check in words', async () => {
    const page = await fieldPage();
    await logIn(page, baseUrl, 'admin');
    await page.goto(`${baseUrl}/integrity?check=impossible_travel`);
    const table = page.getByTestId('flag-table');
    await table.locator('tbody tr.ant-table-row').first().waitFor({ timeout: 30_000 });
    const text = await table.innerText();
    // The planted impossible journey: km apart, minutes between, the speed it would take.
    expect(text).toMatch(/公里外的记录 #\d+ 相隔 \d+ 分钟，折合 [\d,]+ 公里\/小时/);

    // All checks: the other planted kinds are there too.
    await page.goto(`${baseUrl}/integrity`);
    await expect.poll(async () => /补录过晚|集中补录|重复蹲点|人次超人口|定位偏离/.test(await table.innerText()), { timeout: 30_000 }).toBe(true);
    await page.screenshot({ path: join(shots, 'integrity.png') });
    await page.close();
  });

  it('sums the funds of practical matters per unit in 万元 and 元', async () => {
    const page = await fieldPage();
    await logIn(page, baseUrl, 'admin');
    await page.goto(`${baseUrl}/matters?view=funds&group=unit`);
    const table = page.getByTestId('funds-table');
    await table.locator('tbody tr.ant-table-row').first().waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('funds-total').innerText()).toMatch(/万元[\s\S]*元/);
    expect(await table.innerText()).toMatch(/合计/);
    await page.screenshot({ path: join(shots, 'funds.png') });
    await page.close();
  });

  it('reviews a submitted diary with a grade and selects it for the compilation', async () => {
    const page = await fieldPage();
    await logIn(page, baseUrl, 'admin');
    await page.goto(`${baseUrl}/writings?kind=diary&status=submitted`);
    const table = page.getByTestId('writing-table');
    await table.locator('[data-testid^="writing-link-"]').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(shots, 'writings.png') });
    await table.locator('[data-testid^="writing-link-"]').first().click();
    await page.waitForURL(/\/writings\/\d+/);
    await page.getByTestId('writing-review').click();
    await page.getByTestId('review-grade').getByText('优', { exact: true }).click();
    await page.getByTestId('review-comment').fill('写出了群众的真实感受，细节扎实。');
    await page.getByRole('button', { name: '提交评审' }).click();
    const result = page.getByTestId('writing-review-result');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.innerText()).toMatch(/优[\s\S]*细节扎实/);

    await page.getByTestId('writing-select').click();
    await page.getByRole('button', { name: '确认入选' }).click();
    const selected = page.getByTestId('writing-selected-for');
    await selected.waitFor({ timeout: 30_000 });
    expect(await selected.innerText()).toMatch(/《县级领导蹲点手记》/);
    expect(await page.getByTestId('writing-actions').innerText()).not.toMatch(/评审|入选/);
    await page.screenshot({ path: join(shots, 'writing-reviewed.png'), fullPage: true });
    await page.close();
  });
});
