import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PrinterEmulator } from '../../gateway/src/tools/printer-emulator/printer-emulator.js';
import { enrolledPage, launchChromium, signedInDesk } from '../support/browser.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { describeRealStack } from '../support/real-stack.js';

// The kiosk prints its ticket (or says it could not), the desk sees the job, previews and
// reprints it — all against the printer emulator on a loopback TCP port.

describeRealStack('printing seen from the kiosk and the desk', { binaries: ['chromium'], debian: 'chromium fonts-noto-cjk' }, () => {
  let gw: TestGateway;
  let browser: Browser;
  let emulator: PrinterEmulator;

  beforeAll(async () => {
    emulator = new PrinterEmulator({ encoding: 'gb18030' });
    const port = await emulator.listenTcp(0);
    gw = await startTestGateway({
      configure: (config) => {
        config.devices.printers.push({ id: 'printer-kiosk', transport: { type: 'tcp', host: '127.0.0.1', port }, profile: { encoding: 'gb18030', width: 80, qr: 'gs-k' } });
        config.devices.kioskPrinter = 'printer-kiosk';
      },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.dispose();
    await emulator?.close();
  });

  it('the kiosk prints the ticket; the desk previews and reprints it', async () => {
    const kiosk = await enrolledPage(browser, gw, { id: 'kiosk-1', kind: 'kiosk', station: 'kiosk-1' });
    await kiosk.goto(`${gw.httpUrl}/kiosk/`);
    await kiosk.click('[data-service=maintenance]');
    await kiosk.waitForSelector('[data-testid=print-status][data-outcome=printed]');
    const number = await kiosk.textContent('[data-testid=ticket-number]');
    expect(emulator.printed.at(-1)?.text).toContain(number);

    const desk = await signedInDesk(browser, gw, { role: 'receptionist', desk: '1', viewport: { width: 1366, height: 900 } });
    await desk.goto(`${gw.httpUrl}/desk/`);
    await desk.click('[data-testid=print-jobs] summary');
    const job = desk.locator(`[data-testid=print-job][data-label=${number}]`);
    await job.waitFor();
    expect(await job.getAttribute('data-state')).toBe('printed');
    await job.getByRole('button', { name: '预览' }).click();
    // The SVG preview loaded and is the width of 80 mm paper in printer dots (the test tsconfig has no DOM types).
    await expect
      .poll(() => job.locator('[data-testid=print-preview]').evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBe(576);
    await job.locator('[data-testid=reprint]').click();
    // A ticket takes about a second at the emulator's 40 lines/s.
    await expect.poll(() => emulator.printed.length, { timeout: 10_000 }).toBe(2);
    expect(emulator.printed[1]?.text).toBe(emulator.printed[0]?.text);
    await expect.poll(() => desk.locator(`[data-testid=print-job][data-label=${number}]`).count()).toBe(2);
    await Promise.all([kiosk.close(), desk.close()]);
  });

  it('the kiosk says so when the printer is out of paper, and still shows the ticket', async () => {
    emulator.setPaper(0);
    const kiosk = await enrolledPage(browser, gw, { id: 'kiosk-2', kind: 'kiosk', station: 'kiosk-2' });
    await kiosk.goto(`${gw.httpUrl}/kiosk/`);
    await kiosk.click('[data-service=repair]');
    await kiosk.waitForSelector('[data-testid=print-status][data-outcome=paper-out]', { timeout: 15_000 });
    expect(await kiosk.textContent('[data-testid=print-status]')).toContain('缺纸');
    expect(await kiosk.textContent('[data-testid=ticket-number]')).toBe('B001');
    await kiosk.close();
  });

  it('the kiosk says "still printing" when the printer has the ticket but has not finished it in time', async () => {
    emulator.setPaper(Infinity);
    emulator.setSpeed(4); // a ticket takes longer than the kiosk waits
    const printers = async () => ((await (await fetch(`${gw.httpUrl}/api/print/printers`, { headers: gw.admin })).json()) as { printers: { condition: { health: string } }[] }).printers;
    await expect.poll(async () => (await printers())[0]?.condition.health, { timeout: 10_000 }).toBe('ok');
    expect(emulator.idle).toBe(true);
    const printed = emulator.printed.length;
    const kiosk = await enrolledPage(browser, gw, { id: 'kiosk-3', kind: 'kiosk', station: 'kiosk-3' });
    await kiosk.goto(`${gw.httpUrl}/kiosk/`);
    await kiosk.click('[data-service=claims]');
    await kiosk.waitForSelector('[data-testid=print-status][data-outcome=still-printing]', { timeout: 15_000 });
    expect(await kiosk.textContent('[data-testid=print-status]')).toContain('正在打印');
    // It does come out, once.
    const number = await kiosk.textContent('[data-testid=ticket-number]');
    await expect.poll(() => emulator.printed.length, { timeout: 20_000 }).toBe(printed + 1);
    expect(emulator.printed.at(-1)?.text).toContain(number);
    await kiosk.close();
  });
});
