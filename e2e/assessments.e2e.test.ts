import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, launchBrowser, logIn, shots, startLianxin, type ApiSession, type Lianxin } from './harness.ts';

// The 1000-point assessment in Chromium: the demo's published scheme (tree with its formulas,
// ranking with its chart, rewards and penalties counted), then a new scheme built in the tree
// editor — the running total refuses 900 points and takes 1000 — started, auto-scored, and a
// manual score refused outside its range and taken inside it with a note.

const COUNTY = '330225000000';

let lianxin: Lianxin;
let baseUrl: string;
let browser: Browser;
let admin: ApiSession;

const newPage = () => browser.newPage({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1440, height: 1000 } });
const settled = (page: Page) => expect.poll(() => page.locator('.ant-spin-spinning, .ant-skeleton').count(), { timeout: 30_000 }).toBe(0);
/** The drawer has finished sliding in (a screenshot mid-animation is half transparent). */
const drawerStill = (page: Page) => page.waitForFunction(`!document.querySelector('.ant-drawer [class*="-motion-"], .ant-drawer[class*="-motion-"]')`, undefined, { timeout: 30_000 });

beforeAll(async () => {
  lianxin = await startLianxin('assessments', { startTimeoutMs: 230_000 });
  baseUrl = lianxin.baseUrl;
  browser = await launchBrowser();
  // Right after start the server may be busy with its first background passes: wait for an answer.
  await fetch(`${baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(240_000) });
  admin = await apiAs(browser, baseUrl, 'admin');
}, 520_000);

afterAll(async () => {
  await admin?.close();
  await browser?.close();
  await lianxin?.stop();
});

describe('the 1000-point assessment in Chromium', () => {
  it('lists the demo scheme with the year’s rewards and penalties, and shows its tree, ranking and decisions', async () => {
    const schemes = await admin.get<{ id: number; status: string; name: string }[]>('/api/v1/assessments');
    const demo = schemes.find((s) => s.status === 'published');
    expect(demo, JSON.stringify(schemes)).toBeTruthy();

    const page = await newPage();
    await logIn(page, baseUrl, 'admin');
    await page.goto(`${baseUrl}/assessments`);
    await page.getByTestId(`assessment-${demo!.id}`).waitFor({ timeout: 30_000 });
    await settled(page);
    expect(await page.getByTestId('decision-summary').innerText()).toMatch(/提拔重用 3/);
    await page.screenshot({ path: join(shots, 'assessments-list.png'), fullPage: true });

    await page.getByTestId(`assessment-${demo!.id}`).click();
    await page.getByTestId('assessment-tree').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('assessment-status').innerText()).toContain('已公布');
    expect(await page.getByTestId('assessment-tree').innerText()).toContain('得分 = 150 × min(1, 实际值 ÷ 100%)');
    await page.screenshot({ path: join(shots, 'assessment-tree.png'), fullPage: true });

    await page.getByRole('tab', { name: '排名' }).click();
    await page.getByTestId('ranking-table').waitFor({ timeout: 30_000 });
    await page.getByTestId('ranking-chart').locator('canvas').waitFor({ timeout: 30_000 });
    await settled(page);
    const firstRank = await page.getByTestId('ranking-table').locator('tbody tr').first().innerText();
    expect(firstRank).toMatch(/^1\s/);
    await page.screenshot({ path: join(shots, 'assessment-ranking.png'), fullPage: true });

    await page.getByRole('tab', { name: '评分' }).click();
    await page.getByTestId('subject-list').locator('tbody tr a').first().click();
    await page.getByTestId('score-sheet').waitFor({ timeout: 30_000 });
    await settled(page);
    await drawerStill(page);
    expect(await page.getByTestId('value-A1').innerText()).toMatch(/%.*=\s*\d+\s*÷\s*\d+/);
    await page.screenshot({ path: join(shots, 'assessment-sheet-approved.png') });
    await page.keyboard.press('Escape');

    await page.getByRole('tab', { name: '奖惩' }).click();
    await expect.poll(() => page.getByTestId('decision-list').innerText(), { timeout: 30_000 }).toContain('象委干〔');
    await settled(page);
    await page.screenshot({ path: join(shots, 'assessment-decisions.png'), fullPage: true });
    await page.close();
  });

  it('builds a tree with the running total, refuses 900 points, takes 1000, and scores with range checks', async () => {
    const created = await admin.post<{ id: number }>('/api/v1/assessments', { year: 2026, name: 'e2e 乡镇专项考核', regionCode: COUNTY, subjectKind: 'township', campaignId: null });
    const page = await newPage();
    await logIn(page, baseUrl, 'admin');
    await page.goto(`${baseUrl}/assessments/${created.id}`);
    await page.getByTestId('group-add').waitFor({ timeout: 30_000 });
    await page.getByTestId('group-add').click();
    await page.getByTestId('group-0-code').fill('A');
    await page.getByTestId('group-0-name').fill('综合工作');
    await page.getByTestId('ind-0-0-code').fill('A1');
    await page.getByTestId('ind-0-0-name').fill('工作实绩');
    await page.getByTestId('ind-0-0-weight').fill('900');
    await expect.poll(() => page.getByTestId('weight-total').innerText()).toContain('还差 100 分');
    await page.getByTestId('tree-save').click();
    await page.getByTestId('tree-error').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('tree-error').innerText()).toContain('合计为 900 分');
    await page.screenshot({ path: join(shots, 'assessment-tree-editor.png'), fullPage: true });

    await page.getByTestId('ind-0-0-weight').fill('1000');
    await expect.poll(() => page.getByTestId('weight-total').innerText()).toContain('1000 / 1000');
    await page.getByTestId('tree-save').click();
    await page.locator('.ant-message').getByText('指标体系已保存').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('tree-error').count()).toBe(0);

    await page.getByTestId('assessment-action-start').click();
    await expect.poll(() => page.getByTestId('assessment-status').innerText()).toContain('评分中');
    await page.getByRole('tab', { name: '评分' }).click();
    await page.getByTestId('subject-list').locator('tbody tr a').first().click();
    await page.getByTestId('manual-A1').waitFor({ timeout: 30_000 });
    await page.getByTestId('manual-A1-score').fill('1200');
    await page.getByTestId('manual-A1-save').click();
    await expect.poll(() => page.getByTestId('manual-A1-error').innerText(), { timeout: 30_000 }).toContain('应在 0～1000 分之间');
    await page.getByTestId('manual-A1-score').fill('860');
    await page.getByTestId('manual-A1-note').fill('查阅年度台账，实绩突出');
    await page.getByTestId('manual-A1-save').click();
    await expect.poll(() => page.getByTestId('sheet-total').innerText(), { timeout: 30_000 }).toBe('860');
    await drawerStill(page);
    await page.screenshot({ path: join(shots, 'assessment-sheet.png') });
    await page.close();
  });
});
