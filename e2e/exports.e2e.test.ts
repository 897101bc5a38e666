import { join } from 'node:path';
import { tmpdir } from 'node:os';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, logIn, shots, startLianxin, type Lianxin } from './harness.ts';

// 导出 Excel in Chromium on the demo data: the office downloads the practical-matters ledger with
// the page's filters and the statistics by month; each download is a workbook with the rows.

let lianxin: Lianxin;
let baseUrl: string;
let browser: Browser;

const newPage = () => browser.newPage({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1440, height: 900 }, acceptDownloads: true });
const settled = (page: Page) => expect.poll(() => page.locator('.ant-spin-spinning, .ant-skeleton').count(), { timeout: 30_000 }).toBe(0);

async function workbook(page: Page, click: () => Promise<void>) {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), click()]);
  const file = join(tmpdir(), `lx-e2e-${Date.now()}-${download.suggestedFilename()}`);
  await download.saveAs(file);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  return { name: download.suggestedFilename(), wb };
}

beforeAll(async () => {
  lianxin = await startLianxin('exports', { startTimeoutMs: 230_000 });
  baseUrl = lianxin.baseUrl;
  browser = await launchBrowser();
}, 260_000);

afterAll(async () => {
  await browser?.close();
  await lianxin?.stop();
});

describe('Excel exports in Chromium', () => {
  it('the matters ledger downloads with the page’s filter, as a workbook of those rows', async () => {
    const page = await newPage();
    await logIn(page, baseUrl, 'admin');
    await page.goto(`${baseUrl}/matters?status=done`);
    await settled(page);
    await expect.poll(() => page.getByTestId('matter-table').locator('tbody tr.ant-table-row').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.screenshot({ path: join(shots, 'exports-matters.png') });
    const { name, wb } = await workbook(page, () => page.getByTestId('matter-export').click());
    expect(name).toBe('实事台账.xlsx');
    const ws = wb.getWorksheet('实事台账')!;
    expect(ws.rowCount).toBeGreaterThan(1);
    const statusCol = (ws.getRow(1).values as unknown[]).indexOf('状态');
    const statuses = new Set(ws.getRows(2, ws.rowCount - 1)!.map((r) => r.getCell(statusCol).value));
    expect([...statuses]).toEqual(['已办结']);
    await page.close();
  }, 120_000);

  it('the statistics page exports the figures by month', async () => {
    const page = await newPage();
    await logIn(page, baseUrl, 'admin');
    await page.goto(`${baseUrl}/statistics`);
    await settled(page);
    await page.getByTestId('stats-export').hover();
    await page.locator('.ant-dropdown-menu-item', { hasText: '按月' }).waitFor({ state: 'visible', timeout: 10_000 });
    await page.waitForTimeout(300); // the menu's opening animation
    await page.screenshot({ path: join(shots, 'exports-statistics-menu.png') });
    const { name, wb } = await workbook(page, () => page.locator('.ant-dropdown-menu-item', { hasText: '按月' }).click());
    expect(name).toBe('分月统计.xlsx');
    const ws = wb.getWorksheet('分月统计')!;
    expect(ws.getRow(1).getCell(1).value).toBe('月份');
    expect(ws.rowCount).toBeGreaterThan(1);
    await page.close();
  }, 120_000);
});
