import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, logIn, shots, startLianxin, type Lianxin } from './harness.ts';

// Public commitments (公开履职承诺) seen from outside: the 丹东街道 unit leader (demo login
// `unitleader`) adds a milestone already done, with its evidence and a photo, to the unit's
// published pledge; the public page shows it to a phone with no login.

const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };
const desk = { viewport: { width: 1440, height: 1000 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };
const PLEDGE = '建成丹东街道便民服务中心';
const MILESTONE = '窗口人员业务培训';
const EVIDENCE = '已组织窗口人员集中培训两天，32人参训并通过考核';

let lianxin: Lianxin;
let baseUrl: string;
let browser: Browser;
let photoPath: string;

const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());

beforeAll(async () => {
  lianxin = await startLianxin('commitments', { startTimeoutMs: 560_000 });
  baseUrl = lianxin.baseUrl;
  browser = await launchBrowser();
  photoPath = join(mkdtempSync(join(tmpdir(), 'lianxin-e2e-photo-')), 'training.jpg');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><rect width="800" height="600" fill="#dfe9f3"/><rect x="80" y="120" width="640" height="360" rx="24" fill="#b7202e"/><circle cx="400" cy="300" r="90" fill="#fff"/></svg>`;
  writeFileSync(photoPath, await sharp(Buffer.from(svg)).jpeg().toBuffer());
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await lianxin?.stop();
}, 300_000);

describe('public commitments', () => {
  it('a unit leader adds a milestone done; the public page shows it without login', async () => {
    const context = await browser.newContext(desk);
    context.setDefaultTimeout(90_000);
    context.setDefaultNavigationTimeout(120_000);
    const page = await context.newPage();
    await logIn(page, baseUrl, 'unitleader');
    await page.goto(`${baseUrl}/commitments`);
    await page.getByText(PLEDGE).first().waitFor();
    await page.locator('.ant-table .ant-spin-spinning').waitFor({ state: 'detached' });
    await page.screenshot({ path: join(shots, 'commitments-list-desktop.png') });

    await page.getByText(PLEDGE).first().click();
    await page.getByTestId('commitment-title').filter({ hasText: PLEDGE }).waitFor();
    await page.getByTestId('milestone-add').click();
    await page.locator('#title').fill(MILESTONE);
    for (const id of ['#plannedOn', '#doneOn']) {
      await page.locator(id).click();
      await page.locator(id).fill(today);
      await page.locator(id).press('Enter');
    }
    await page.locator('#evidence').fill(EVIDENCE);
    await page.locator('.ant-modal input[type=file]').setInputFiles(photoPath);
    await page.locator('.ant-modal .ant-image img').first().waitFor();
    await page.locator('.ant-modal').getByRole('button', { name: '保存' }).click();
    await page.locator('.ant-modal').waitFor({ state: 'detached' });
    const row = page.locator('tr', { hasText: MILESTONE });
    await row.waitFor();
    expect(await row.textContent()).toContain(today);
    expect(await page.getByTestId('commitment-progress').textContent()).toMatch(/67%|66%/);
    await page.screenshot({ path: join(shots, 'commitment-detail-desktop.png'), fullPage: true });
    const id = /\/commitments\/(\d+)/.exec(page.url())![1]!;
    await context.close();

    // The public, on a phone, with no session at all.
    const anon = await browser.newContext(phone);
    anon.setDefaultTimeout(90_000);
    const mobile = await anon.newPage();
    await mobile.goto(`${baseUrl}/pledges`);
    await mobile.getByTestId('pledge-item').first().waitFor();
    expect(await mobile.getByTestId('pledge-item').count()).toBeGreaterThanOrEqual(9);
    await mobile.screenshot({ path: join(shots, 'pledges-list-phone.png') });
    // The unit's draft is not public.
    expect(await mobile.getByText('老旧小区物业服务全覆盖').count()).toBe(0);

    await mobile.getByText(PLEDGE).click();
    await mobile.getByTestId('pledge-detail').waitFor();
    expect(mobile.url()).toBe(`${baseUrl}/pledges/${id}`);
    const milestone = mobile.getByTestId('pledge-milestone').filter({ hasText: MILESTONE });
    await milestone.waitFor();
    expect(await milestone.textContent()).toContain(EVIDENCE);
    await milestone.locator('img').first().waitFor();
    expect(await milestone.locator('img').first().evaluate((img) => { const i = img as unknown as { complete: boolean; naturalWidth: number }; return i.complete && i.naturalWidth > 0; })).toBe(true);
    expect(await mobile.locator('body').textContent()).toContain(`新增节点“${MILESTONE}”`);
    await mobile.screenshot({ path: join(shots, 'pledge-detail-phone.png'), fullPage: true });
    // Nothing on the page asks for a login, and no account name appears in the log.
    expect(mobile.url()).not.toContain('/login');
    expect(await mobile.locator('body').textContent()).not.toContain('unitleader');
    await anon.close();

    const deskAnon = await browser.newContext(desk);
    deskAnon.setDefaultTimeout(90_000);
    const deskPage = await deskAnon.newPage();
    await deskPage.goto(`${baseUrl}/pledges?status=adjusted`);
    await deskPage.getByTestId('pledge-item').first().waitFor();
    await deskPage.screenshot({ path: join(shots, 'pledges-adjusted-desktop.png') });
    await deskPage.getByTestId('pledge-item').first().click();
    await deskPage.getByText('此承诺公开后作过调整').waitFor();
    await deskPage.screenshot({ path: join(shots, 'pledge-adjusted-desktop.png'), fullPage: true });
    await deskAnon.close();
  }, 600_000);
});
