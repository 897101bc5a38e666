import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, launchBrowser, logIn, PASSWORD, shots, startLianxin, type ApiSession, type Lianxin } from './harness.ts';

// Duties and how they are met (issue 6 item 7) in Chromium on the demo data: the office composes a
// requirement rule field by field and watches the live preview change as it types, then saves it
// and finds it in the list; a leader drills the compliance view down the region tree and opens a
// cadre; the demo cadre opens 我的任务 on a desktop and on a phone. Screenshots of each.

const COUNTY = '330225000000';

let lianxin: Lianxin;
let baseUrl: string;
let browser: Browser;
let admin: ApiSession;
let campaignId = 0;
const ruleName = `E2E每月走访${Date.now() % 100_000}`;

const newPage = (viewport = { width: 1440, height: 1000 }) => browser.newPage({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport, isMobile: viewport.width < 600, hasTouch: viewport.width < 600 });

/** Nothing on the page is loading (screenshots show the data, not a spinner). */
const settled = (page: Page) => expect.poll(() => page.locator('.ant-spin-spinning, .ant-skeleton').count(), { timeout: 30_000 }).toBe(0);

/** An antd InputNumber by its test id (the id sits on the input or on its wrapper). */
const numberInput = (page: Page, id: string) => page.locator(`input[data-testid="${id}"], [data-testid="${id}"] input`).first();

/** The preview's counts line once it shows numbers: "共 N 个考核对象 … 未达标 a 有风险 b 进度正常 c 已达标 d". */
const previewCounts = (page: Page) => page.getByTestId('preview-counts').innerText().catch(() => '');

beforeAll(async () => {
  lianxin = await startLianxin('compliance', { startTimeoutMs: 230_000 });
  baseUrl = lianxin.baseUrl;
  browser = await launchBrowser();
  // Right after start the server may still be counting the demo's compliance: the first login can wait.
  for (let attempt = 1; ; attempt++) {
    try {
      admin = await apiAs(browser, baseUrl, 'admin');
      break;
    } catch (e) {
      if (attempt >= 5) throw e;
    }
  }
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  const running = await admin.get<{ items: { id: number; name: string }[] }>('/api/v1/campaigns', { activeOn: today, pageSize: 5 });
  campaignId = running.items[0]!.id;
  await admin.post('/api/v1/users', { username: 'e2e-leader', displayName: '县领导甲', password: PASSWORD, role: 'leadership', regionCode: COUNTY });
}, 460_000);

afterAll(async () => {
  await admin?.close();
  await browser?.close();
  await lianxin?.stop();
});

describe('requirement rules and compliance in Chromium', () => {
  it('the office composes a rule, sees the live preview follow the threshold, is stopped at the field at fault, saves it and finds it in the list', async () => {
    const page = await newPage();
    await logIn(page, baseUrl, 'admin');
    await page.goto(`${baseUrl}/requirement-rules?campaign=${campaignId}`);
    await expect.poll(() => page.getByTestId('rules-table').isVisible(), { timeout: 30_000 }).toBe(true);
    await settled(page);
    await page.screenshot({ path: join(shots, 'compliance-rules.png'), fullPage: true });

    await page.getByTestId('rule-new').click();
    const drawer = page.getByTestId('rule-drawer');
    await expect.poll(() => drawer.isVisible(), { timeout: 30_000 }).toBe(true);
    await page.getByTestId('rule-name').fill(ruleName);
    await drawer.getByText('每月', { exact: true }).click();

    // At least 1 visit a month: the preview shows the window and its counts.
    await numberInput(page, 'rule-threshold-value').fill('1');
    await expect.poll(() => page.getByTestId('preview-window').innerText(), { timeout: 30_000 }).toMatch(/本期|不在任何考核期/);
    await expect.poll(() => previewCounts(page), { timeout: 30_000 }).toMatch(/共 \d+ 个考核对象/);
    const loose = await previewCounts(page);

    // At least 20 a month: far fewer meet it; the preview follows as the admin types.
    await numberInput(page, 'rule-threshold-value').fill('20');
    await expect.poll(() => page.getByTestId('rule-live-summary').innerText()).toContain('至少20次');
    await expect.poll(() => previewCounts(page), { timeout: 30_000 }).not.toBe(loose);
    await settled(page);
    await page.screenshot({ path: join(shots, 'compliance-rule-editor.png'), fullPage: false });

    // "At least 0" is no requirement: the threshold field says so, and nothing is saved.
    await numberInput(page, 'rule-threshold-value').fill('0');
    await page.getByTestId('rule-save').click();
    const fieldError = drawer.locator('.ant-form-item-has-error').filter({ hasText: '总能满足' });
    await expect.poll(() => fieldError.count()).toBe(1);
    await page.screenshot({ path: join(shots, 'compliance-rule-error.png'), fullPage: false });

    // A tag no target carries: only the server knows; its refusal (to the preview) is shown at the tags field.
    await numberInput(page, 'rule-threshold-value').fill('3');
    await page.getByTestId('rule-tags').click();
    await page.keyboard.type('没有这个标签');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    const tagsError = drawer.locator('.ant-form-item-has-error').filter({ hasText: '没有联系对象带有标签“没有这个标签”' });
    await expect.poll(() => tagsError.count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => tagsError.locator('.ant-form-item-explain-error').isVisible()).toBe(true);
    await expect.poll(() => page.getByTestId('preview-refused').isVisible()).toBe(true);
    // The help text has faded in (antd's motion classes gone) before the screenshot.
    await expect.poll(() => tagsError.locator('[class*="ant-show-help"][class*="-appear"], [class*="ant-show-help"][class*="-enter"]').count()).toBe(0);
    await page.screenshot({ path: join(shots, 'compliance-rule-server-error.png'), fullPage: false });
    await page.getByTestId('rule-tags').locator('.ant-select-selection-item-remove').click();
    await expect.poll(() => drawer.locator('.ant-form-item-has-error').count(), { timeout: 30_000 }).toBe(0);

    // Days a month, as a share of working days (1/3 of the time at the grassroots).
    await drawer.getByText('天数（不同日历日）', { exact: true }).click();
    await drawer.getByText('占工作日的比例', { exact: true }).click();
    await drawer.getByRole('button', { name: '1/3' }).click();
    await expect.poll(() => page.getByTestId('rule-live-summary').innerText()).toContain('工作日的三分之一');
    await expect.poll(() => drawer.locator('.ant-form-item-has-error').count()).toBe(0);
    await expect.poll(() => previewCounts(page), { timeout: 30_000 }).toMatch(/共 \d+ 个考核对象/);

    // Back to visits, 2 a month, and save.
    await drawer.getByText('活动次数', { exact: true }).click();
    await drawer.getByText('数量（次）').click();
    await numberInput(page, 'rule-threshold-value').fill('2');
    await expect.poll(() => page.getByTestId('rule-live-summary').innerText()).toContain('至少2次');
    await page.getByTestId('rule-save').click();
    await expect.poll(() => drawer.isVisible(), { timeout: 30_000 }).toBe(false);
    const row = page.getByTestId('rules-table').locator('tr', { hasText: ruleName });
    // The list is read again after the save; the server may be recounting the new rule's
    // compliance and the statistics rollups on its one PGlite connection first.
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1);
    expect(await row.innerText()).toMatch(/每名干部：每月走访入户至少2次/);
    await settled(page);
    await page.screenshot({ path: join(shots, 'compliance-rules-saved.png'), fullPage: true });
    await page.close();
  });

  it('a leader drills the compliance view down the region tree and opens a cadre', async () => {
    const rules = await admin.get<{ items: { id: number; rule: { name: string } }[] }>(`/api/v1/campaigns/${campaignId}/requirement-rules`);
    const rule = rules.items.find((r) => r.rule.name === ruleName)!;
    const page = await newPage();
    await logIn(page, baseUrl, 'e2e-leader');
    await page.goto(`${baseUrl}/compliance?campaign=${campaignId}&rule=${rule.id}`);
    const summary = page.getByTestId('compliance-summary');
    await expect.poll(() => summary.locator('a[data-testid^="compliance-drill-"]').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await settled(page);
    await page.screenshot({ path: join(shots, 'compliance-view.png'), fullPage: true });

    // Drill into the child with the most rows.
    const top = await page.getByTestId('compliance-trail').innerText();
    await summary.locator('a[data-testid^="compliance-drill-"]').first().click();
    await expect.poll(() => page.getByTestId('compliance-trail').innerText()).not.toBe(top);
    await expect.poll(() => page.getByTestId('compliance-trail').locator('.ant-breadcrumb-link, li').count()).toBeGreaterThan(1);
    await settled(page);

    // Only the rows of one status (the one most rows have), then a cadre's page.
    const cards = await Promise.all((['missed', 'at_risk', 'on_track', 'met'] as const).map(async (s) => [s, Number(await page.getByTestId(`compliance-card-${s}`).locator('.ant-statistic-content-value').innerText())] as const));
    const [status] = cards.reduce((a, b) => (b[1] > a[1] ? b : a));
    const word = { missed: '未达标', at_risk: '有风险', on_track: '进度正常', met: '已达标' }[status];
    await page.getByTestId('compliance-status').getByText(word).click();
    await page.waitForURL(new RegExp(`status=${status}`));
    const rowsTable = page.getByTestId('compliance-rows');
    await expect.poll(async () => [...new Set(await rowsTable.locator('[data-testid^="status-"]').allInnerTexts())], { timeout: 30_000 }).toEqual([word]);
    await settled(page);
    await page.screenshot({ path: join(shots, 'compliance-drilled.png'), fullPage: true });
    const cadreLink = rowsTable.locator('a[data-testid^="compliance-cadre-"]').first();
    {
      await cadreLink.click();
      await page.waitForURL(/\/cadres\/\d+/);
      await expect.poll(() => page.getByTestId('cadre-compliance').innerText(), { timeout: 30_000 }).toContain(ruleName);
      await settled(page);
      await page.screenshot({ path: join(shots, 'compliance-cadre.png'), fullPage: true });
    }
    await page.close();
  });

  it('the demo cadre opens 我的任务 on a desktop and on a phone', async () => {
    for (const [name, viewport] of [['desktop', { width: 1440, height: 1000 }], ['phone', { width: 390, height: 844 }]] as const) {
      const page = await newPage(viewport);
      await logIn(page, baseUrl, 'cadre');
      await page.goto(`${baseUrl}/duties`);
      await expect.poll(() => page.getByTestId('duties-summary').isVisible(), { timeout: 30_000 }).toBe(true);
      await settled(page);
      for (const part of ['duties-visits', 'duties-upcoming', 'duties-tickets']) expect(await page.getByTestId(part).isVisible()).toBe(true);
      // Nothing wider than the screen on a phone.
      // (a string, evaluated in the page: the e2e files are type-checked without the DOM library)
      if (name === 'phone') expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(viewport.width + 1);
      await page.screenshot({ path: join(shots, `compliance-duties-${name}.png`), fullPage: true });
      // The cadre's own compliance with the rule saved above is listed (at risk first; the rest one tap away).
      const more = page.getByTestId('duties-compliance-more');
      if (await more.count()) await more.click();
      await expect.poll(() => page.getByTestId('duties-compliance').innerText()).toContain(ruleName);
      await page.close();
    }
  });
});
