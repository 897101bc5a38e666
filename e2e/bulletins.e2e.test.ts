import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, launchBrowser, logIn, shots, startLianxin, type ApiSession, type Lianxin } from './harness.ts';

// Bulletins (简报, issue 7 item 3) in Chromium on the demo data: the office generates a draft for
// the county from the list page, opens it (laid out like the printed bulletin), clicks a figure in
// the statistics paragraph and sees the records behind it, edits the title, publishes it after a
// confirmation, downloads it as Word (a real .docx with the same paragraph), and after publishing
// a figure's records are those frozen with it. Screenshots of each.

let lianxin: Lianxin;
let baseUrl: string;
let browser: Browser;
let admin: ApiSession;

const newPage = () => browser.newPage({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
const settled = (page: Page) => expect.poll(() => page.locator('.ant-spin-spinning, .ant-skeleton').count(), { timeout: 30_000 }).toBe(0);

beforeAll(async () => {
  lianxin = await startLianxin('bulletins', { startTimeoutMs: 230_000 });
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
}, 460_000);

afterAll(async () => {
  await admin?.close();
  await browser?.close();
  await lianxin?.stop();
});

describe('bulletins in Chromium', () => {
  it('the office generates, reads, drills into, edits, publishes and downloads a bulletin', async () => {
    const page = await newPage();
    await logIn(page, baseUrl, 'admin');
    await page.goto(`${baseUrl}/bulletins`);
    await settled(page);
    await page.getByTestId('bulletin-create').click();
    await page.locator('#campaignId').click();
    await page.keyboard.type('蹲点');
    await page.locator('.ant-select-item-option', { hasText: '蹲点' }).first().click();
    await page.locator('#regionCode').click();
    await page.keyboard.type('象山');
    // Under load the tree may still be filtering when the option is clicked; choosing closes the dropdown, so click until it does.
    const county = page.locator('.ant-select-tree-node-content-wrapper', { hasText: '象山县' }).filter({ visible: true }).first();
    await county.click();
    await expect.poll(async () => {
      if (await county.isVisible()) await county.click({ timeout: 2_000 }).catch(() => undefined);
      return county.isVisible();
    }, { timeout: 30_000 }).toBe(false);
    await page.screenshot({ path: join(shots, 'bulletins-create.png') });
    await page.getByRole('button', { name: '生成草稿' }).click();
    await page.waitForURL(/\/bulletins\/\d+$/, { timeout: 60_000 });
    await settled(page);
    const paper = page.getByTestId('bulletin-paper');
    await expect.poll(() => paper.innerText(), { timeout: 30_000 }).toMatch(/第\d+期/);
    const statistics = page.getByTestId('bulletin-statistics').first();
    expect(await statistics.innerText()).toMatch(/^截至\d+月\d+日，全县/);
    expect(await statistics.innerText()).toMatch(/走访农户\d+户/);
    await expect.poll(() => page.getByTestId('bulletin-chart').count()).toBeGreaterThan(0);
    await page.waitForTimeout(300); // charts draw
    await page.screenshot({ path: join(shots, 'bulletins-draft.png'), fullPage: true });

    // A figure in the paragraph opens the records behind it.
    const visits = statistics.locator('[data-figure="householdsVisited"]');
    const phrase = await visits.innerText();
    await visits.click();
    const drawer = page.locator('.bulletin-records-drawer');
    await expect.poll(() => drawer.innerText(), { timeout: 30_000 }).toContain('走访农户');
    await expect.poll(() => page.getByTestId('bulletin-records').locator('tbody tr.ant-table-row').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.screenshot({ path: join(shots, 'bulletins-records-draft.png') });
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('bulletin-records').isVisible()).toBe(false);

    // Edit the title (and keep the paragraph), then publish after the confirmation.
    await page.getByTestId('bulletin-edit').click();
    await page.getByTestId('bulletin-title-input').fill('全县蹲点调研活动取得阶段性成效（E2E）');
    await page.screenshot({ path: join(shots, 'bulletins-edit.png'), fullPage: true });
    await page.getByTestId('bulletin-save').click();
    await expect.poll(() => page.getByTestId('bulletin-title').innerText(), { timeout: 30_000 }).toBe('全县蹲点调研活动取得阶段性成效（E2E）');
    await page.getByTestId('bulletin-publish').click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: '印发' }).click();
    await expect.poll(() => page.locator('.ant-tag', { hasText: '已印发' }).count(), { timeout: 60_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('bulletin-publish').count()).toBe(0);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(shots, 'bulletins-published.png'), fullPage: true });

    // The published figure still opens its (frozen) records.
    await page.getByTestId('bulletin-statistics').first().locator('[data-figure="householdsVisited"]').click();
    await expect.poll(() => drawer.innerText(), { timeout: 30_000 }).toContain('印发时计入该数字的记录');
    await expect.poll(() => page.getByTestId('bulletin-records').locator('tbody tr.ant-table-row').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.screenshot({ path: join(shots, 'bulletins-records-published.png') });
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('bulletin-records').isVisible()).toBe(false);

    // Word.
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('bulletin-docx').click()]);
    expect(dl.suggestedFilename()).toMatch(/第\d+期\.docx$/);
    const zip = await JSZip.loadAsync(readFileSync((await dl.path())!));
    const doc = await zip.file('word/document.xml')!.async('string');
    const text = [...doc.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('');
    expect(text).toContain(phrase);
    expect(text).toContain('全县蹲点调研活动取得阶段性成效（E2E）');
    expect(doc).toContain('仿宋_GB2312');
    await page.close();
  }, 240_000);

  it('the list shows the bulletin as published', async () => {
    const page = await newPage();
    await logIn(page, baseUrl, 'admin');
    await page.goto(`${baseUrl}/bulletins`);
    await settled(page);
    await expect.poll(() => page.getByTestId('bulletin-link').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await page.locator('.ant-table').innerText()).toContain('已印发');
    await page.screenshot({ path: join(shots, 'bulletins-list.png') });
    await page.close();
  }, 120_000);
});
