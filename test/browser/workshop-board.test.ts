import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { WorkshopCommandInput } from '@forecourt/gateway/protocol';
import { addStaff, enrolledPage, launchChromium, signedInDesk, signInOnPage } from '../support/browser.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { REPO_ROOT } from '../support/process.js';
import { describeRealStack } from '../support/real-stack.js';

// The workshop end to end in Chromium: desk console and bay terminal change orders, the lounge
// board follows; 200 orders page; both TV layouts are kept as screenshots in test-artifacts/.

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
const VEHICLE = { model: 'Toyota Camry', advisor: '王芳', jobs: [{ title: 'Oil service', technicians: ['张伟'] }] };

describeRealStack('workshop progress in Chromium', { binaries: ['chromium'], debian: 'chromium fonts-noto-cjk' }, () => {
  let gw: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    gw = await startTestGateway();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.dispose();
  });

  async function command(body: WorkshopCommandInput): Promise<{ no: string; token: string }> {
    const res = await fetch(`${gw.httpUrl}/api/workshop/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...gw.admin },
      body: JSON.stringify(body),
    });
    const answer = (await res.json()) as { order?: { no: string; token: string }; error?: { code: string } };
    if (!answer.order) throw new Error(`refused: ${JSON.stringify(answer)}`);
    return answer.order;
  }

  let boards = 0;
  /** A lounge board enrolled as a device of its own (two screens never share a device's connection). */
  async function openBoard(query: string, viewport = { width: 1920, height: 1080 }): Promise<Page> {
    const page = await enrolledPage(browser, gw, { id: `board-${++boards}`, kind: 'board' }, viewport);
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${gw.httpUrl}/board/${query}`);
    await page.waitForSelector('[data-testid=link-state][data-state=connected]');
    await page.waitForSelector('[data-testid=workshop-board]');
    expect(errors).toEqual([]);
    return page;
  }

  const rowStage = (page: Page, no: string) => page.getAttribute(`[data-testid=ws-row][data-order="${no}"]`, 'data-stage');

  it('a reception opened and moved at the desk appears on the board', async () => {
    const board = await openBoard('?view=workshop');
    // A service advisor: opens receptions and moves them through the stages.
    const desk = await signedInDesk(browser, gw, { role: 'advisor', desk: '1', viewport: { width: 1600, height: 1000 } });
    await desk.goto(`${gw.httpUrl}/desk/`);
    await desk.click('[data-testid=workshop-panel] summary');
    await desk.click('[data-testid=ws-new]');
    const form = desk.locator('[data-testid=ws-open-form]');
    await form.locator('input[name=plate]').fill('粤B·D5678');
    await form.locator('input[name=model]').fill('Honda Accord');
    await form.locator('input[name=advisor]').fill('陈静');
    await form.locator('input[name=jobTitle]').fill('刹车片 Brake pads');
    await form.locator('input[name=jobTechnician]').fill('赵磊');
    await desk.click('[data-testid=ws-open-submit]');
    const detail = desk.locator('[data-testid=ws-detail]');
    await detail.waitFor();
    const no = (await detail.getAttribute('data-order')) ?? '';
    expect(no).toMatch(/^\d{6}-\d{3}$/);

    await expect.poll(() => rowStage(board, no)).toBe('reception');
    const row = board.locator(`[data-testid=ws-row][data-order="${no}"]`);
    expect(await row.locator('[data-testid=ws-plate]').textContent()).toBe('粤B·D5**8');
    expect(await row.textContent()).toContain('Honda Accord');

    await desk.click('[data-testid=ws-detail] button[data-move=dispatched]');
    await expect.poll(() => rowStage(board, no)).toBe('dispatched');
    await desk.click('[data-testid=ws-detail] button[data-move=in-repair]');
    await desk.click('[data-testid=ws-detail] button[data-move=paused-parts]');
    await expect.poll(() => rowStage(board, no)).toBe('paused');
    expect(await row.locator('[data-testid=ws-stage]').textContent()).toContain('等待配件');
    // An illegal move is not even offered; the gateway's refusal is tested on the bus.
    expect(await desk.locator('[data-testid=ws-detail] button[data-move=washing]').count()).toBe(0);
    // Nothing on the board page names the car in full.
    expect(await board.content()).not.toContain('D5678');
    await desk.close();
    await board.close();
  });

  it('a bay scan (keyboard wedge) appears on the board', async () => {
    const board = await openBoard('?view=workshop');
    const order = await command({ action: 'open', ...VEHICLE, plate: '粤A·B1234' });
    await command({ action: 'move', order: order.no, to: 'dispatched' });
    await expect.poll(() => rowStage(board, order.no)).toBe('dispatched');

    // The bay's screen is enrolled as bay 2; the technician signs in on it before scanning.
    const bay = await enrolledPage(browser, gw, { id: 'bay-2', kind: 'bay', station: '2' }, { width: 1024, height: 768 });
    await bay.goto(`${gw.httpUrl}/bay/`);
    const technician = addStaff(gw.gateway, 'technician');
    await signInOnPage(bay, technician.staffNo, technician.pin);
    await bay.waitForSelector('[data-testid=bay-input]:focus');
    expect(await bay.textContent('header')).toContain('2');
    // A keyboard-wedge scanner types the barcode and Enter into whatever has focus.
    await bay.keyboard.type('ACT-START\n');
    await expect.poll(() => bay.getAttribute('[data-testid=bay-result]', 'data-code')).toBe('card-first');
    await bay.keyboard.type(`${order.no}/1\n`);
    await bay.waitForSelector(`[data-testid=bay-card][data-order="${order.no}"][data-job="1"]`);
    // Staff see what they are about to act on: the full plate and the job.
    await expect.poll(() => bay.textContent('[data-testid=bay-card]')).toContain('粤A·B1234');
    expect(await bay.textContent('[data-testid=bay-card]')).toContain('Oil service');
    await bay.keyboard.type('act-start\n');
    await expect.poll(() => bay.getAttribute('[data-testid=bay-result]', 'data-ok')).toBe('true');
    await expect.poll(() => rowStage(board, order.no)).toBe('in-repair');

    // The touch fallback: a card, then a tapped action.
    await bay.keyboard.type(`${order.no}/1\n`);
    await bay.click('button[data-action=PAUSE-APPROVAL]');
    await expect.poll(() => rowStage(board, order.no)).toBe('paused');
    await bay.keyboard.type(`${order.no}/1\nACT-START\n`);
    await expect.poll(() => bay.getAttribute('[data-testid=bay-result]', 'data-code')).toBe('job-wrong-state');
    await bay.close();
    await board.close();
  });

  it('says a row\'s stage in the language chosen on the board', async () => {
    const board = await openBoard('?view=workshop&pageSeconds=3600');
    const order = await command({ action: 'open', ...VEHICLE, plate: '粤A·C4321' });
    await command({ action: 'move', order: order.no, to: 'dispatched' });
    await expect.poll(() => rowStage(board, order.no)).toBe('dispatched');
    const stage = board.locator(`[data-testid=ws-row][data-order="${order.no}"] [data-testid=ws-stage]`);
    await board.click('button[lang=en]');
    await expect.poll(() => stage.textContent()).toBe('Assigned');
    await board.click('button[lang=zh-Hant]');
    await expect.poll(() => stage.textContent()).toBe('已派工');
    await board.close();
  });

  it('the customer\'s phone shows only their own order, by the token of the QR code', async () => {
    const mine = await command({ action: 'open', ...VEHICLE, plate: '粤C·C7777', promisedAt: new Date(Date.now() + 5 * 3600_000).toISOString() });
    const other = await command({ action: 'open', ...VEHICLE, model: 'Audi A4L', plate: '粤C·C8888' });
    await command({ action: 'move', order: mine.no, to: 'dispatched' });
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(`${gw.httpUrl}/status/?t=${mine.token}`);
    await expect.poll(() => phone.getAttribute('[data-testid=status-order]', 'data-stage')).toBe('dispatched');
    const text = (await phone.textContent('[data-testid=status-page]')) ?? '';
    expect(text).toContain('粤C·C7**7');
    expect(text).toContain(mine.no);
    for (const secret of ['C7777', other.no, 'C8888', 'Audi', '张伟']) expect(text).not.toContain(secret);
    expect(await phone.locator('[data-testid=status-timeline] li').count()).toBe(2);
    await phone.screenshot({ path: join(ARTIFACTS, 'workshop-status-phone.png'), fullPage: true });
    await phone.goto(`${gw.httpUrl}/status/?t=AAAAAAAAAAAAAAAAAAAAAA`);
    await phone.waitForSelector('[data-testid=status-not-found]');
    await phone.close();
  });

  it('says plainly when the workshop data stops, and recovers with the next update', async () => {
    const board = await openBoard('?view=workshop&staleAfter=2');
    await board.waitForSelector('[data-testid=workshop-stale]', { timeout: 6000 });
    await command({ action: 'open', ...VEHICLE, plate: '粤D·D0001' });
    await board.waitForSelector('[data-testid=workshop-stale]', { state: 'detached' });
    await board.close();
  });
});

describeRealStack('a busy workshop day on the lounge board', { binaries: ['chromium'], debian: 'chromium fonts-noto-cjk' }, () => {
  let gw: TestGateway;
  let browser: Browser;
  const ORDERS = 200;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    gw = await startTestGateway();
    browser = await launchChromium();
    const stages = ['reception', 'dispatched', 'in-repair'] as const;
    for (let i = 0; i < ORDERS; i++) {
      const soon = i % 7 === 0;
      const body = {
        action: 'open',
        plate: `粤B·${String(10000 + i)}`,
        model: ['Toyota Camry', 'BYD Han EV', 'Buick GL8', 'VW Passat'][i % 4],
        advisor: ['王芳', '李强', '陈静'][i % 3],
        promisedAt: new Date(Date.now() + (soon ? 10 : 300) * 60_000).toISOString(),
        jobs: [{ title: 'Oil service', technicians: ['张伟'] }],
      };
      const res = await fetch(`${gw.httpUrl}/api/workshop/commands`, { method: 'POST', headers: { 'content-type': 'application/json', ...gw.admin }, body: JSON.stringify(body) });
      const { order } = (await res.json()) as { order: { no: string } };
      const target = stages[i % 3] ?? 'reception';
      for (const to of stages.slice(1, stages.indexOf(target) + 1)) {
        await fetch(`${gw.httpUrl}/api/workshop/commands`, { method: 'POST', headers: { 'content-type': 'application/json', ...gw.admin }, body: JSON.stringify({ action: 'move', order: order.no, to }) });
      }
    }
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.dispose();
  });

  /** `visible`: the rows in the page, only the screen's page is mounted; `total`: the orders the board knows. */
  async function pageState(page: Page): Promise<{ perPage: number; page: number; pages: number; visible: string[]; total: number; overflow: boolean }> {
    // As source: the tests are compiled without the DOM's types.
    return page.evaluate(`(() => {
      const rows = document.querySelector('[data-testid=workshop-rows]');
      const visible = [...document.querySelectorAll('[data-testid=ws-row]')];
      const bottom = Math.max(...visible.map((r) => r.getBoundingClientRect().bottom));
      return {
        perPage: Number(rows.dataset.perPage),
        page: Number(rows.dataset.page),
        pages: Number(rows.dataset.pages),
        visible: visible.map((r) => r.dataset.order ?? ''),
        total: Number(rows.dataset.total),
        overflow: bottom > rows.getBoundingClientRect().bottom + 1 || bottom > window.innerHeight,
      };
    })()`);
  }

  it.each([
    ['1080p', 1920, 1080],
    ['2160p', 3840, 2160],
  ])('pages 200 orders on a %s screen: whole pages in order, none cut off, every row once', { timeout: 90_000 }, async (name, width, height) => {
    const page = await enrolledPage(browser, gw, { id: `board-${name}`, kind: 'board' }, { width, height });
    await page.goto(`${gw.httpUrl}/board/?view=workshop&pageSeconds=1`);
    await page.waitForSelector('[data-testid=ws-row]');
    await expect.poll(async () => (await pageState(page)).total).toBe(ORDERS);
    const first = await pageState(page);
    expect(first.perPage).toBeGreaterThanOrEqual(10);
    expect(first.pages).toBe(Math.ceil(ORDERS / first.perPage));
    expect(first.overflow).toBe(false);
    await page.screenshot({ path: join(ARTIFACTS, `workshop-board-${name}.png`) });

    // Watch every page go by once: each shows the next rows in reception-number order.
    const seen = new Map<number, string[]>();
    const deadline = Date.now() + first.pages * 1000 + 10_000;
    while (seen.size < first.pages && Date.now() < deadline) {
      const state = await pageState(page);
      expect(state.overflow).toBe(false);
      expect(state.visible.length).toBeLessThanOrEqual(state.perPage);
      seen.set(state.page, state.visible);
      await page.waitForTimeout(250);
    }
    expect(seen.size).toBe(first.pages);
    const order = [...seen.entries()].sort(([a], [b]) => a - b).flatMap(([, rows]) => rows);
    expect(order).toHaveLength(ORDERS);
    expect([...order].sort()).toEqual(order);
    expect(new Set(order).size).toBe(ORDERS);
    expect(seen.get(first.pages)).toHaveLength(ORDERS - (first.pages - 1) * first.perPage);
    await page.close();
  });

  it.each([
    ['1080p', 1920, 1080],
    ['2160p', 3840, 2160],
  ])('shows the now-serving board beside the workshop on a %s screen', async (name, width, height) => {
    const page = await enrolledPage(browser, gw, { id: `board-both-${name}`, kind: 'board' }, { width, height });
    await page.goto(`${gw.httpUrl}/board/?view=both`);
    await page.waitForSelector('[data-testid=ws-row]');
    await page.waitForSelector('[data-testid=waiting-counts]');
    // The page size settles once the layout has been measured.
    await expect.poll(async () => (await pageState(page)).overflow).toBe(false);
    // Every column is there beside the queue too: plate, model, advisor, stage, times.
    const cells = await page.locator('[data-testid=ws-row]').first().locator('[role=cell]').evaluateAll((els) => els.map((e) => (e as unknown as { offsetWidth: number }).offsetWidth));
    expect(cells.every((w) => w > 0)).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, `workshop-board-both-${name}.png`) });
    await page.close();
  });
});
