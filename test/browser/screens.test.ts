import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { launchChromium, signInOnPage } from '../support/browser.js';
import { describeRealStack } from '../support/real-stack.js';

describeRealStack('screens in Chromium', { binaries: ['chromium'], debian: 'chromium fonts-noto-cjk' }, () => {
  let gw: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    gw = await startTestGateway({ demo: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.dispose();
  });

  // The demo's screens pair by themselves (the gateway approves at once); its desk takes a demo PIN.
  it.each(['/kiosk/', '/desk/', '/board/'])('%s connects to the bus and shows the store', async (path) => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${gw.httpUrl}${path}`);
    if (path === '/desk/') await signInOnPage(page, '1002', '1002');
    await page.waitForSelector('[data-testid=link-state][data-state=connected]', { timeout: 10_000 });
    await expect.poll(() => page.textContent('[data-testid=store-name]')).toBe('示范店');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('switches language and remembers the choice after a reload', async () => {
    const page = await browser.newPage();
    await page.goto(`${gw.httpUrl}/kiosk/`);
    await page.waitForSelector('[data-state=connected]');
    await page.click('button[lang=en]');
    await expect.poll(() => page.textContent('[data-testid=store-name]')).toBe('Demo Store');
    expect(await page.textContent('h1')).toBe('Welcome');
    await page.click('button[lang=zh-Hant]');
    expect(await page.textContent('h1')).toBe('歡迎光臨');
    await page.reload();
    await page.waitForSelector('[data-state=connected]');
    expect(await page.textContent('h1')).toBe('歡迎光臨');
    await page.close();
  });

  it('shows the demo devices on the desk console', async () => {
    const page = await browser.newPage();
    await page.goto(`${gw.httpUrl}/desk/`);
    await signInOnPage(page, '1002', '1002');
    await page.waitForSelector('[data-testid=devices] li');
    // Simulated MQTT devices and the demo's emulated printer, each with its state.
    for (const id of ['kiosk-reader-1', 'dispenser-1', 'demo-printer']) {
      await expect.poll(() => page.textContent('[data-testid=devices]')).toContain(id);
    }
    await page.close();
  });

  it('says it is offline when the gateway goes away, and recovers by itself when it returns', async () => {
    const page = await browser.newPage();
    await page.goto(`${gw.httpUrl}/board/`);
    await page.waitForSelector('[data-state=connected]');
    const port = gw.gateway.httpPort;
    await gw.stop();
    await page.waitForSelector('[data-testid=link-state]:not([data-state=connected])', { timeout: 10_000 });
    expect(await page.textContent('[data-testid=link-state]')).toMatch(/离线|重新连接/);

    // Same port and data dir again: the page reconnects without a reload.
    gw = await startTestGateway({ dataDir: gw.dataDir, demo: true, httpPort: port });
    await page.waitForSelector('[data-state=connected]', { timeout: 15_000 });
    await page.close();
  });
});
