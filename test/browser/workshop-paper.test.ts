import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { WorkshopCommandInput } from '@forecourt/gateway/protocol';
import { PrinterEmulator } from '../../gateway/src/tools/printer-emulator/printer-emulator.js';
import { gatewayWithChromium, signedInDesk } from '../support/browser.js';
import { REPO_ROOT, waitFor } from '../support/process.js';
import { describeRealStack } from '../support/real-stack.js';

// The advisor's paper at the desk in Chromium: a reception opened with mileage and estimates
// prints its work order; the bill is typed in at the desk (a bad line is refused before it is
// sent); moving the order to settlement prints the statement, previewed beside the order.

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

describeRealStack('workflow documents at the desk in Chromium', { binaries: ['chromium'], debian: 'chromium fonts-noto-cjk' }, () => {
  let printer: PrinterEmulator;
  let port = 0;
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    printer = new PrinterEmulator({ encoding: 'gb18030' });
    port = await printer.listenTcp(0);
  });
  const env = gatewayWithChromium({
    configure: (config) => {
      config.devices.printers.push({ id: 'printer-desk', transport: { type: 'tcp', host: '127.0.0.1', port }, profile: { encoding: 'gb18030', width: 80, qr: 'gs-k' } });
      config.devices.deskPrinter = 'printer-desk';
    },
  });
  afterAll(async () => {
    await printer?.close();
  });

  async function command(body: WorkshopCommandInput): Promise<void> {
    const res = await fetch(`${env.gw.httpUrl}/api/workshop/commands`, { method: 'POST', headers: { 'content-type': 'application/json', ...env.gw.admin }, body: JSON.stringify(body) });
    if (res.status !== 200) throw new Error(`refused: ${await res.text()}`);
  }

  /** The bill's total as the gateway holds it. */
  async function billTotal(no: string): Promise<number | undefined> {
    const res = await fetch(`${env.gw.httpUrl}/api/workshop/orders/${no}`, { headers: env.gw.admin });
    return ((await res.json()) as { order: { settlement: { total: number } | null } }).order.settlement?.total;
  }

  it('opens a reception that prints its work order, takes the bill, and prints the statement at settlement', async () => {
    const desk = await signedInDesk(env.browser, env.gw, { role: 'advisor', desk: '1', viewport: { width: 1600, height: 1200 } });
    desk.setDefaultTimeout(10_000);
    const errors: string[] = [];
    desk.on('pageerror', (err) => errors.push(err.message));
    await desk.goto(`${env.gw.httpUrl}/desk/`);
    await desk.click('[data-testid=workshop-panel] summary');
    await desk.click('[data-testid=ws-new]');
    const form = desk.locator('[data-testid=ws-open-form]');
    await form.locator('input[name=plate]').fill('粤B·D5678');
    await form.locator('input[name=model]').fill('Toyota Camry');
    await form.locator('input[name=advisor]').fill('王芳');
    await form.locator('input[name=mileageKm]').fill('45210');
    await form.locator('input[name=jobTitle]').fill('保养 Oil service');
    await form.locator('input[name=jobTechnician]').fill('张伟');
    await form.locator('input[name=jobLabour]').fill('120');
    await form.locator('input[name=jobParts]').fill('380.00');
    await desk.click('[data-testid=ws-open-submit]');
    const detail = desk.locator('[data-testid=ws-detail]');
    await detail.waitFor();
    const no = (await detail.getAttribute('data-order')) ?? '';

    // The work order came out of the desk printer (both copies), and the desk says it printed.
    await waitFor(() => (printer.printed.filter((p) => p.text.includes(no)).length === 2 ? true : undefined));
    const workOrder = printer.printed.at(-2)!.text;
    for (const expected of ['任务委托书', '45,210 km', '保养 Oil service', '120.00', '380.00', '￥500.00']) expect(workOrder, expected).toContain(expected);
    await desk.waitForSelector('[data-testid=ws-document][data-kind=work-order][data-state=printed]');
    await desk.waitForSelector('[data-testid=ws-document][data-kind=settlement][data-state=unavailable]');

    // The car goes through the workshop (bays, QC) while the advisor prepares the bill.
    await command({ action: 'move', order: no, to: 'dispatched' });
    await command({ action: 'job-start', order: no, job: 1 });
    await command({ action: 'job-finish', order: no, job: 1 });
    for (const to of ['quality-check', 'washing'] as const) await command({ action: 'move', order: no, to });
    await desk.waitForSelector(`[data-testid=ws-detail][data-stage=washing]`);

    const bill = desk.locator('[data-testid=ws-settlement-form]');
    if (!(await bill.isVisible())) await desk.click('[data-testid=ws-settlement] summary');
    const line = (i: number) => bill.locator('[data-testid=ws-settlement-line]').nth(i);
    await line(0).locator('select[name=kind]').selectOption('labour');
    await line(0).locator('input[name=title]').fill('更换刹车片工时');
    await line(0).locator('input[name=qty]').fill('1.5');
    await line(0).locator('input[name=price]').fill('180');
    await desk.click('[data-testid=ws-settlement-add]');
    await line(1).locator('select[name=kind]').selectOption('part');
    await line(1).locator('input[name=title]').fill('前刹车片');
    await line(1).locator('input[name=qty]').fill('1');
    await line(1).locator('input[name=price]').fill('420.00');
    await bill.locator('input[name=discount]').fill('90');
    expect(await desk.textContent('[data-testid=ws-settlement-preview]')).toContain('¥600.00');
    await desk.click('[data-testid=ws-settlement-save]');
    await desk.waitForSelector('[data-testid=ws-settlement-saved][data-total="60000"]');
    expect(await billTotal(no)).toBe(60000);

    // A negative quantity is refused at the desk and never sent: the bill stays as saved.
    await line(1).locator('input[name=qty]').fill('-1');
    await desk.click('[data-testid=ws-settlement-save]');
    await desk.waitForSelector('[data-testid=ws-settlement-invalid]');
    expect(await desk.getAttribute('[data-testid=ws-message]', 'data-ok')).toBe('true');
    expect(await billTotal(no)).toBe(60000);
    await line(1).locator('input[name=qty]').fill('1');

    // Settlement: the statement prints with the bill as the gateway holds it, previewed at the desk.
    const before = printer.printed.length;
    await desk.click('[data-testid=ws-detail] [data-move=settlement]');
    await waitFor(() => (printer.printed.length > before ? true : undefined));
    const statement = printer.printed.at(-1)!.text;
    expect(statement).toContain('维修结算单');
    expect(statement).toMatch(/优惠 Discount +90\.00/);
    expect(statement).toMatch(/应付金额 Total due +￥600\.00/);
    const row = desk.locator('[data-testid=ws-document][data-kind=settlement][data-state=printed]');
    await row.waitFor();
    await row.locator('[data-testid=ws-document-preview]').click();
    const image = row.locator('[data-testid=ws-document-image]');
    await image.waitFor();
    await expect.poll(() => image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    await desk.screenshot({ path: join(ARTIFACTS, 'desk-settlement.png'), fullPage: true });

    // Printed again from the desk: a new job, marked 重印 on paper.
    const again = printer.printed.length;
    await row.locator('[data-testid=ws-document-print]').click();
    await desk.waitForSelector('[data-testid=ws-document-notice]');
    await waitFor(() => (printer.printed.length > again ? true : undefined));
    expect(printer.printed.at(-1)!.text).toContain('重印');
    expect(errors).toEqual([]);
  });
});
