import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, launchBrowser, logIn, PASSWORD, shots, startLianxin, type ApiSession, type Lianxin } from './harness.ts';

// The ticket loop in Chromium (issue 5): a hotline call with a possible duplicate shown, registered
// and dispatched in one step; the handling unit signs it in its inbox and resolves it; the ledger
// shows it resolved. A stale action (the ticket changed in another window) is refused with the
// server's message and the page reloads. Screenshots of the ledger, detail, hotline and board.

const COUNTY = '330225000000';
const CALLER = '13905741234';

let lianxin: Lianxin;
let baseUrl: string;
let browser: Browser;
let admin: ApiSession;
let unit: { id: number; name: string };
let earlier: { id: number; trackingCode: string };

type Ticket = { id: number; trackingCode: string; state: string; version: number; allowedActions: string[] };

const newPage = () => browser.newPage({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1440, height: 1000 } });

/** Nothing on the page is loading (screenshots show the data, not a spinner). */
const settled = (page: Page) => expect.poll(() => page.locator('.ant-spin-spinning, .ant-skeleton').count(), { timeout: 30_000 }).toBe(0);

beforeAll(async () => {
  lianxin = await startLianxin('tickets', { startTimeoutMs: 230_000 });
  baseUrl = lianxin.baseUrl;
  browser = await launchBrowser();
  admin = await apiAs(browser, baseUrl, 'admin');
  // A handling unit, its handler and a hotline operator, made for this test.
  const units = await admin.get<{ items: { id: number; name: string }[] }>('/api/v1/units', { q: '住房', pageSize: 5 });
  const any = units.items[0] ?? (await admin.get<{ items: { id: number; name: string }[] }>('/api/v1/units', { pageSize: 5 })).items.at(-1)!;
  unit = { id: any.id, name: any.name };
  await admin.post('/api/v1/users', { username: 'e2e-hotline', displayName: '热线坐席甲', password: PASSWORD, role: 'hotline_operator', regionCode: COUNTY });
  await admin.post('/api/v1/users', { username: 'e2e-handler', displayName: '承办员乙', password: PASSWORD, role: 'handling_dept', unitId: unit.id });
  // The same caller rang last week about the same water supply: the hotline should offer it as a duplicate.
  earlier = await admin.post<Ticket>('/api/v1/tickets', {
    source: 'hotline', type: 'help', categoryCode: 'infrastructure.water', title: '自来水水压低', content: '家中自来水水压很低，高层几乎无水。',
    requester: { name: '王先生', phone: CALLER }, regionCode: COUNTY, address: '丹城镇新华路8号',
  });
}, 280_000);

afterAll(async () => {
  await admin?.close();
  await browser?.close();
  await lianxin?.stop();
});

describe('the ticket loop in Chromium', () => {
  let code = '';
  let ticketId = 0;

  it('takes a hotline call from the keyboard, shows the earlier call of the same person, and dispatches it in one step', async () => {
    const page = await newPage();
    await logIn(page, baseUrl, 'e2e-hotline');
    await page.goto(`${baseUrl}/hotline`);
    const phone = page.getByTestId('hotline-phone');
    await phone.waitFor({ timeout: 30_000 });
    // Keyboard first: the phone field has the focus.
    await expect.poll(() => page.locator(':focus').getAttribute('data-testid')).toBe('hotline-phone');
    await page.keyboard.type(CALLER);
    await page.keyboard.press('Tab');
    await page.keyboard.type('王先生');

    // The earlier request of the same caller is offered.
    const similar = page.getByTestId(`similar-${earlier.id}`);
    await similar.waitFor({ timeout: 30_000 });
    expect(await similar.innerText()).toMatch(/同一诉求人/);
    expect(await similar.innerText()).toContain(earlier.trackingCode);

    // Alt+2 picks 求助, Alt+8 紧急.
    await page.keyboard.press('Alt+Digit2');
    await page.keyboard.press('Alt+Digit8');
    await expect.poll(() => page.getByTestId('hotline-type').locator('.ant-radio-button-wrapper-checked').innerText()).toMatch(/求助/);
    await expect.poll(() => page.getByTestId('hotline-urgency').locator('.ant-radio-button-wrapper-checked').innerText()).toMatch(/紧急/);

    await page.locator('#hotline-category').click();
    await page.keyboard.type('供水');
    await page.locator('.ant-select-tree-node-content-wrapper', { hasText: '供水' }).first().click();

    await page.locator('#hotline-region').click();
    await page.keyboard.type('象山');
    await page.locator('.ant-select-tree-node-content-wrapper', { hasText: '象山县' }).first().click();
    await page.getByTestId('hotline-address').fill('丹城镇新华路8号');
    await page.getByTestId('hotline-title').fill('自来水仍然没有水压');
    await page.getByTestId('hotline-content').fill('上周反映过水压低，至今未解决，家中老人用水困难。');
    // Same person, place and category: all three reasons.
    await expect.poll(async () => similar.innerText(), { timeout: 15_000 }).toMatch(/同一地点/);

    await page.locator('#hotline-unit').click();
    await page.keyboard.type(unit.name.slice(0, 4));
    await page.locator('.ant-select-item-option', { hasText: unit.name }).first().click();
    await expect.poll(() => page.getByTestId('hotline-submit').innerText()).toMatch(/登记并交办/);
    await page.screenshot({ path: join(shots, 'hotline.png'), fullPage: true });

    // Ctrl+Enter submits; the tracking code is shown large and the form is ready for the next call.
    await page.getByTestId('hotline-content').focus();
    await page.keyboard.press('Control+Enter');
    const big = page.getByTestId('hotline-tracking-code');
    await big.waitFor({ timeout: 30_000 });
    code = (await big.innerText()).trim();
    expect(code).toMatch(/^LX[0-9A-Z]{8}$/);
    expect(code).not.toBe(earlier.trackingCode);
    expect(await page.getByTestId('hotline-dispatched').innerText()).toContain(unit.name);
    expect(await phone.inputValue()).toBe('');
    await page.screenshot({ path: join(shots, 'hotline-done.png'), fullPage: true });

    const href = await page.getByTestId('hotline-open-ticket').getAttribute('href');
    ticketId = Number(/\/tickets\/(\d+)/.exec(href ?? '')?.[1]);
    expect(ticketId).toBeGreaterThan(0);
    await page.close();
  });

  it('merges a repeated call into the earlier ticket instead of opening a second one', async () => {
    const page = await newPage();
    await logIn(page, baseUrl, 'e2e-hotline');
    await page.goto(`${baseUrl}/hotline`);
    await page.getByTestId('hotline-phone').fill(CALLER);
    await page.getByTestId(`similar-merge-${earlier.id}`).click();
    expect(await page.getByTestId('hotline-merging').innerText()).toContain(earlier.trackingCode);
    await page.keyboard.press('Alt+Digit3');
    await page.locator('#hotline-category').click();
    await page.keyboard.type('供水');
    await page.locator('.ant-select-tree-node-content-wrapper', { hasText: '供水' }).first().click();
    await page.locator('#hotline-region').click();
    await page.keyboard.type('象山');
    await page.locator('.ant-select-tree-node-content-wrapper', { hasText: '象山县' }).first().click();
    await page.getByTestId('hotline-title').fill('再次反映水压低');
    await page.getByTestId('hotline-content').fill('同一问题第三次来电催办。');
    await expect.poll(() => page.getByTestId('hotline-submit').innerText()).toContain(`合并到 ${earlier.trackingCode}`);
    await page.getByTestId('hotline-submit').click();
    const big = page.getByTestId('hotline-tracking-code');
    await big.waitFor({ timeout: 30_000 });
    // The caller follows the earlier ticket; the call itself is kept, closed as merged.
    expect((await big.innerText()).trim()).toBe(earlier.trackingCode);
    expect(await page.getByTestId('hotline-done').innerText()).toMatch(/已合并到/);
    const href = await page.getByTestId('hotline-open-ticket').getAttribute('href');
    const merged = await admin.get<{ state: string; outcome: string; mergedIntoId: number }>(`/api/v1${href}`);
    expect(merged).toMatchObject({ state: 'closed', outcome: 'merged', mergedIntoId: earlier.id });
    await page.close();
  });

  it('lets the handling unit sign it in its inbox and resolve it, and the ledger shows it resolved', async () => {
    const page = await newPage();
    await logIn(page, baseUrl, 'e2e-handler');
    await page.goto(`${baseUrl}/inbox`);
    const table = page.getByTestId('inbox-table');
    const sign = table.getByTestId(`inbox-sign-${ticketId}`);
    await sign.waitFor({ timeout: 30_000 });
    await sign.click();
    // Signed: it leaves 待签收 and appears under 已签收.
    await expect.poll(() => table.getByTestId(`inbox-sign-${ticketId}`).count(), { timeout: 30_000 }).toBe(0);
    await page.getByTestId('inbox-tab-signed').click();
    await table.getByTestId(`ticket-link-${ticketId}`).waitFor({ timeout: 30_000 });
    await settled(page);
    await page.screenshot({ path: join(shots, 'inbox.png') });

    await table.getByTestId(`ticket-link-${ticketId}`).click();
    await page.waitForURL(new RegExp(`/tickets/${ticketId}$`));
    await page.getByTestId('action-resolve').click();
    await page.getByTestId('action-reply').fill('已协调供水公司更换加压泵，水压已恢复正常，并电话告知诉求人。');
    await page.getByTestId('action-ok').click();
    await expect.poll(() => page.getByTestId('ticket-state').first().innerText(), { timeout: 30_000 }).toBe('已办结');
    const timeline = page.getByTestId('ticket-timeline');
    expect(await timeline.innerText()).toMatch(/交办[\s\S]*签收[\s\S]*办结/);
    expect(await timeline.innerText()).toContain(unit.name);
    expect(await page.getByTestId('ticket-reply').innerText()).toMatch(/实质性办结/);
    // The caller's number is masked; the handler may reveal it (audited).
    expect(await page.getByTestId('ticket-phone').innerText()).toMatch(/^139\*{4}1234$/);
    await page.getByTestId('ticket-reveal').click();
    await expect.poll(() => page.getByTestId('ticket-phone-full').innerText()).toContain(CALLER);
    await settled(page);
    await page.screenshot({ path: join(shots, 'ticket-detail.png'), fullPage: true });

    await page.goto(`${baseUrl}/tickets?q=${code}`);
    const ledger = page.getByTestId('ticket-table');
    const row = ledger.locator('tbody tr.ant-table-row', { hasText: code });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.innerText()).toMatch(/已办结/);
    expect(await ledger.locator('tbody tr.ant-table-row').count()).toBe(1);
    await page.close();
  });

  it('refuses an action on a ticket that changed meanwhile, shows why and reloads it', async () => {
    const handler = await apiAs(browser, baseUrl, 'e2e-handler');
    const t = await admin.post<Ticket>('/api/v1/tickets', {
      source: 'hotline', type: 'complaint', categoryCode: 'environment.noise', title: '夜间施工噪声扰民', content: '工地每晚施工到凌晨。',
      requester: { name: '李女士', phone: '13600001111' }, regionCode: COUNTY, address: '丹城镇天安路', dispatch: { unitId: unit.id },
    });
    const page = await newPage();
    await logIn(page, baseUrl, 'e2e-handler');
    await page.goto(`${baseUrl}/tickets/${t.id}`);
    await page.getByTestId('action-sign').waitFor({ timeout: 30_000 });
    // Someone else in the unit signs it first.
    await handler.post(`/api/v1/tickets/${t.id}/actions`, { action: 'sign', version: t.version });
    await page.getByTestId('action-sign').click();
    await page.getByTestId('action-ok').click();
    const refused = page.getByTestId('ticket-refused');
    await refused.waitFor({ timeout: 30_000 });
    expect(await refused.innerText()).toMatch(/签收|已被|版本|状态/);
    await expect.poll(() => page.getByTestId('ticket-state').first().innerText(), { timeout: 30_000 }).toBe('已签收');
    await expect.poll(() => page.getByTestId('action-sign').count()).toBe(0);
    expect(await page.getByTestId('action-resolve').count()).toBe(1);
    await page.screenshot({ path: join(shots, 'ticket-refused.png') });
    await page.close();
    await handler.close();
  });

  it('shows the ledger with its filters in the address and the export link with the same query', async () => {
    const page = await newPage();
    await logIn(page, baseUrl, 'admin');
    await page.goto(`${baseUrl}/tickets?state=open`);
    const table = page.getByTestId('ticket-table');
    await table.locator('tbody tr.ant-table-row').first().waitFor({ timeout: 30_000 });
    const states = await table.locator('[data-testid=ticket-state]').allInnerTexts();
    expect(states.length).toBeGreaterThan(0);
    expect(states.every((s) => !['已办结', '已关闭'].includes(s))).toBe(true);
    const href = await page.getByTestId('ticket-export').getAttribute('href');
    expect(href).toBe('/api/v1/tickets/export.xlsx?state=open');
    await settled(page);
    await page.screenshot({ path: join(shots, 'tickets.png') });

    // The same ledger in English (the header's language switch).
    await page.getByLabel('language').getByText('EN').click();
    await expect.poll(() => page.locator('.lx-page-title h2').innerText()).toBe('Ticket ledger');
    expect(await table.locator('thead').innerText()).toMatch(/Tracking code/);
    await settled(page);
    await page.screenshot({ path: join(shots, 'tickets-en.png') });
    await page.close();
  });

  it('registers a problem found on a visit as a ticket dispatched to a unit, and the problem then links to it', async () => {
    // A visit of a household in the county with two problems found, none linked to a ticket yet.
    const targets = await admin.get<{ items: { id: number; name: string }[] }>('/api/v1/targets', { kind: 'household', region: COUNTY, pageSize: 1 });
    const cadres = await admin.get<{ items: { id: number }[] }>('/api/v1/cadres', { pageSize: 1 });
    const household = targets.items[0]!;
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const problem = '村口至村委会路段路灯损坏已有两周，夜间出行十分不便，上周已有一位老人在此摔倒受伤';
    const created = await admin.post<{ id: number; problems: { id: number; description: string; ticketId: number | null }[] }>('/api/v1/activities', {
      kind: 'household_visit', title: '入户走访（工单登记测试）', startsAt: `${day}T09:00:00+08:00`, endsAt: `${day}T10:30:00+08:00`,
      participantIds: [cadres.items[0]!.id], targetIds: [household.id], problems: [problem, '门前排水沟堵塞'],
    });
    const p = created.problems.find((x) => x.description === problem)!;
    expect(p.ticketId).toBeNull();

    const page = await newPage();
    await logIn(page, baseUrl, 'admin');
    await page.goto(`${baseUrl}/activities/${created.id}`);
    await page.getByTestId(`problem-register-${p.id}`).click();
    const modal = page.getByRole('dialog');
    await page.getByTestId('problem-ticket-title').waitFor({ timeout: 30_000 });
    // Filled from the problem and the visit: the title is its first 30 characters, the requester the household.
    expect(await page.getByTestId('problem-ticket-title').inputValue()).toBe(problem.slice(0, 30));
    expect(await page.getByTestId('problem-ticket-content').inputValue()).toBe(problem);
    expect(await modal.innerText()).toContain(`${household.name}（农户）`);
    expect(await page.getByTestId('problem-ticket-region').inputValue()).not.toBe('');
    // An admin took no part in the visit: no 即知即改.
    expect(await page.getByTestId('problem-ticket-mode').innerText()).not.toMatch(/即知即改/);

    // Pick once the modal and the tree's popup have stopped moving (a click mid-animation misses).
    const still = () => expect.poll(() => page.locator('.ant-zoom-appear, .ant-zoom-enter, .ant-slide-up-appear, .ant-slide-up-enter').count(), { timeout: 10_000 }).toBe(0);
    await still();
    await page.locator('#problem-ticket-category').click();
    await page.keyboard.type('路灯');
    await page.locator('.ant-select-tree-node-content-wrapper', { hasText: '路灯照明' }).first().waitFor();
    await still();
    await page.locator('.ant-select-tree-node-content-wrapper', { hasText: '路灯照明' }).first().click();
    await expect.poll(() => modal.locator('.ant-form-item', { has: page.locator('#problem-ticket-category') }).innerText()).toContain('路灯照明');
    await page.getByTestId('problem-ticket-mode').getByText('交办给单位').click();
    // Dispatch without a unit is caught under the field.
    await page.getByTestId('problem-ticket-submit').click();
    await expect.poll(() => modal.locator('.ant-form-item-explain-error').allInnerTexts()).toContain('请填写交办单位');
    await page.locator('#problem-ticket-unit').click();
    await page.keyboard.type(unit.name.slice(0, 4));
    await page.locator('.ant-select-item-option', { hasText: unit.name }).first().click();
    await page.getByTestId('problem-ticket-dispatch-note').fill('请三日内核实并修复');
    await page.screenshot({ path: join(shots, 'activity-problem-ticket-form.png') });
    await page.getByTestId('problem-ticket-submit').click();

    const code = page.getByTestId('problem-ticket-code');
    await code.waitFor({ timeout: 30_000 });
    expect((await code.innerText()).trim()).toMatch(/^LX[0-9A-Z]{8}$/);
    expect(await page.getByTestId('problem-ticket-dispatched').innerText()).toContain(unit.name);
    const href = await page.getByTestId('problem-ticket-open').getAttribute('href');
    const newId = Number(/^\/tickets\/(\d+)$/.exec(href ?? '')?.[1]);
    expect(newId).toBeGreaterThan(0);
    await page.screenshot({ path: join(shots, 'activity-problem-ticket-done.png') });
    await modal.getByRole('button', { name: '关闭' }).first().click();

    // The visit reloaded: the problem's tag now links to the new ticket, the other is still open to register.
    const link = page.getByTestId(`problem-ticket-link-${p.id}`);
    await link.waitFor({ timeout: 30_000 });
    expect(await link.getAttribute('href')).toBe(`/tickets/${newId}`);
    expect(await link.innerText()).toBe(`工单 #${newId}`);
    expect(await page.getByTestId(`problem-register-${p.id}`).count()).toBe(0);
    const other = created.problems.find((x) => x.id !== p.id)!;
    expect(await page.getByTestId(`problem-register-${other.id}`).count()).toBe(1);
    await settled(page);
    await page.screenshot({ path: join(shots, 'activity-problem-ticket.png'), fullPage: true });

    // The ticket carries the visit, the problem's household and the unit it went to.
    const ticket = await admin.get<{ source: string; activityId: number; requesterTargetId: number; handlingUnitId: number; state: string; regionName: string }>(`/api/v1/tickets/${newId}`);
    expect(ticket).toMatchObject({ source: 'visit', activityId: created.id, requesterTargetId: household.id, handlingUnitId: unit.id, state: 'dispatched' });
    await link.click();
    await page.waitForURL(new RegExp(`/tickets/${newId}$`));
    await page.close();
  });

  it('shows the supervision board by deadline colour', async () => {
    const page = await newPage();
    await logIn(page, baseUrl, 'admin');
    await page.goto(`${baseUrl}/supervision`);
    for (const k of ['due_soon', 'overdue', 'long_overdue', 'unreplied']) await page.getByTestId(`board-column-${k}`).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('board-count-long_overdue').innerText(), { timeout: 30_000 }).toMatch(/\d/);
    await settled(page);
    await page.screenshot({ path: join(shots, 'supervision-board.png') });
    await page.getByTestId('board-view').getByText('按承办单位').click();
    await page.getByTestId('board-units').waitFor({ timeout: 30_000 });
    await settled(page);
    await page.screenshot({ path: join(shots, 'supervision-board-units.png') });
    await page.close();
  });
});
