import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicSurvey, SurveyDto, SurveyLink } from '../contracts/surveys.ts';
import { apiAs, launchBrowser, logIn, shots, startLianxin, type ApiSession, type Lianxin } from './harness.ts';

// 双评 in Chromium: a member of the public opens the link of the demo's round on a phone, rates a
// cadre (one 不满意 with a comment), and is refused a second rating of the same cadre in the round;
// the office sees the results with the bars per dimension, the comment with its rectification
// ticket, the flags (the demo's burst) and the printable QR codes. Screenshots of each.

const PHONE = '13957498765';

let lianxin: Lianxin;
let baseUrl: string;
let browser: Browser;
let admin: ApiSession;
let survey: SurveyDto;
let link: SurveyLink;
let page0: PublicSurvey;

const phonePage = () => browser.newPage({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
const desktop = () => browser.newPage({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1440, height: 1000 } });
const settled = (page: Page) => expect.poll(() => page.locator('.ant-spin-spinning, .ant-skeleton').count(), { timeout: 30_000 }).toBe(0);

beforeAll(async () => {
  lianxin = await startLianxin('surveys', { startTimeoutMs: 480_000 });
  baseUrl = lianxin.baseUrl;
  browser = await launchBrowser();
  // Right after the demo loads the server may still be busy with its first background passes
  // (one PGlite connection): try the login again rather than fail on a slow machine.
  for (let i = 0; ; i++) {
    try {
      admin = await apiAs(browser, baseUrl, 'admin');
      break;
    } catch (e) {
      if (i >= 5) throw e;
    }
  }
  const rounds = await admin.get<SurveyDto[]>('/api/v1/surveys');
  survey = rounds.find((s) => s.kind === 'public_cadre' && s.state === 'open')!;
  expect(survey).toBeTruthy();
  expect(survey.responseCount).toBeGreaterThan(0);
  const links = await admin.get<SurveyLink[]>(`/api/v1/surveys/${survey.id}/links`);
  link = links.find((l) => l.cadreNames.length >= 2) ?? links[0]!;
  page0 = await admin.get<PublicSurvey>(`/api/v1/public/surveys/${link.token}`);
}, 600_000);

afterAll(async () => {
  await admin?.close();
  await browser?.close();
  await lianxin?.stop();
});

/** Fills the phone page: the cadre, 满意 / 不满意 (with a comment) / 基本满意, the phone, and submits. */
async function answer(page: Page, subjectKey: string) {
  await page.goto(`${baseUrl}/s/${link.token}`);
  await page.getByTestId('survey-submit').waitFor({ timeout: 30_000 });
  await page.getByTestId(`subject-${subjectKey}`).click();
  const [q1, q2, q3] = page0.questions;
  await page.getByTestId(`question-${q1!.id}`).getByText('满意', { exact: true }).click();
  await page.getByTestId(`question-${q2!.id}`).getByText('不满意', { exact: true }).click();
  await page.getByTestId(`question-${q2!.id}`).locator('textarea').fill('路灯报修两周没人来修，希望尽快落实');
  if (q3) await page.getByTestId(`question-${q3.id}`).getByText('基本满意', { exact: true }).click();
  await page.getByTestId('survey-phone').fill(PHONE);
  await page.getByTestId('survey-submit').click();
}

describe('双评 on a phone and in the office', () => {
  const subject = () => page0.subjects[page0.subjects.length - 1]!;

  it('a member of the public rates a cadre on a phone; the 不满意 becomes a rectification ticket', async () => {
    const page = await phonePage();
    await page.goto(`${baseUrl}/s/${link.token}`);
    await page.getByTestId('survey-submit').waitFor({ timeout: 30_000 });
    expect(await page.locator('body').innerText()).toContain(survey.title);
    // Nothing wider than the phone: no sideways scrolling.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(shots, 'survey-public-phone.png'), fullPage: true });

    await answer(page, subject().key);
    const done = page.getByTestId('survey-done');
    await done.waitFor({ timeout: 30_000 });
    expect(await done.innerText()).toMatch(/提交成功[\s\S]*整改工单/);
    await page.screenshot({ path: join(shots, 'survey-public-done.png'), fullPage: true });
    await page.close();
  });

  it('refuses a second rating of the same cadre in the round, with the reason', async () => {
    const page = await phonePage();
    await answer(page, subject().key);
    const error = page.getByTestId('survey-error');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.innerText()).toContain('每人每期只能评价一次');
    expect(await error.innerText()).toContain(subject().name);
    await page.screenshot({ path: join(shots, 'survey-public-refused.png'), fullPage: true });
    await page.close();
  });

  it('the office sees 满意率 per dimension and per cadre, the comment with its ticket, the flags and the QR codes', async () => {
    const page = await desktop();
    await logIn(page, baseUrl, 'admin');
    await page.goto(`${baseUrl}/surveys`);
    await page.getByText(survey.title).first().waitFor({ timeout: 30_000 });
    await settled(page);
    await page.screenshot({ path: join(shots, 'survey-list.png') });

    await page.goto(`${baseUrl}/surveys/${survey.id}`);
    await page.getByTestId('dimension-bars').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('subject-results').innerText(), { timeout: 30_000 }).toContain(subject().name);
    const comments = page.getByTestId('survey-comments');
    await expect.poll(() => comments.innerText(), { timeout: 30_000 }).toContain('路灯报修两周没人来修');
    await page.waitForTimeout(500); // the bars animate in
    await page.screenshot({ path: join(shots, 'survey-results.png'), fullPage: true });

    // The comment's ticket is in the ticket loop, titled after the cadre and the dimension.
    const row = comments.locator('tr', { hasText: '路灯报修两周没人来修' });
    await row.locator('a').click();
    await expect.poll(() => page.locator('body').innerText(), { timeout: 30_000 }).toContain(`双评不满意：${subject().name} ${page0.questions[1]!.dimension}`);
    await settled(page);
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(shots, 'survey-ticket.png') });

    await page.goto(`${baseUrl}/surveys/${survey.id}`);
    await page.getByRole('tab', { name: /疑点/ }).click();
    await expect.poll(() => page.getByTestId('survey-flags').innerText(), { timeout: 30_000 }).toMatch(/短时间内相同答案/);
    await page.screenshot({ path: join(shots, 'survey-flags.png') });

    await page.getByRole('tab', { name: /链接与二维码/ }).click();
    const card = page.getByTestId(`link-${link.id}`);
    await card.waitFor({ timeout: 30_000 });
    // Every card's QR code (an SVG drawn by the server) has loaded.
    await expect.poll(() => page.locator('.lx-qr-card img').evaluateAll((imgs) => imgs.every((i) => { const img = i as unknown as { complete: boolean; naturalWidth: number }; return img.complete && img.naturalWidth > 0; })), { timeout: 60_000 }).toBe(true);
    expect(await card.innerText()).toContain(link.subjectName);
    await page.screenshot({ path: join(shots, 'survey-links.png') });
    await page.close();
  });
});
