import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { gatewayWithChromium, signedInDesk } from '../support/browser.js';
import { describeRealStack } from '../support/real-stack.js';

interface ApiTicket {
  id: string;
  number: string;
  service: string;
  state: string;
  recallCount: number;
}

describeRealStack('desk console in Chromium', { binaries: ['chromium'], debian: 'chromium fonts-noto-cjk' }, () => {
  const env = gatewayWithChromium();

  async function command(body: object): Promise<{ status: number; json: { ticket?: ApiTicket; error?: { code: string } } }> {
    const res = await fetch(`${env.gw.httpUrl}/api/queue/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...env.gw.admin },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as { ticket?: ApiTicket; error?: { code: string } } };
  }

  async function issue(service: string, priority?: string): Promise<ApiTicket> {
    const { status, json } = await command({ action: 'issue', service, ...(priority ? { priority } : {}) });
    expect(status).toBe(200);
    return json.ticket as ApiTicket;
  }

  async function ticket(id: string): Promise<ApiTicket> {
    const res = await fetch(`${env.gw.httpUrl}/api/queue/tickets/${id}`);
    return ((await res.json()) as { ticket: ApiTicket }).ticket;
  }

  async function deskView(desk: string): Promise<{ current: ApiTicket[]; noShows: ApiTicket[]; mode: string; queues: { service: string; waiting: { number: string }[] }[] }> {
    const res = await fetch(`${env.gw.httpUrl}/api/queue/desks/${desk}`, { headers: env.gw.admin });
    return (await res.json()) as Awaited<ReturnType<typeof deskView>>;
  }

  /** Calls and finishes every ticket desk 2 can reach, so desk 1 (same services) has an empty queue. */
  async function drainDesk2(): Promise<void> {
    for (;;) {
      const { status, json } = await command({ action: 'call-next', desk: '2' });
      if (status !== 200) {
        expect(json.error?.code).toBe('queue-empty');
        return;
      }
      expect((await command({ action: 'finish', desk: '2', ticketId: json.ticket?.id })).status).toBe(200);
    }
  }

  /** A receptionist signed in on the console (at `desk`, remembered as this computer's desk). */
  async function openDesk(options: { desk?: string } = {}): Promise<{ page: Page; errors: string[] }> {
    const page = await signedInDesk(env.browser, env.gw, { role: 'receptionist', ...options });
    // Fail with the selector that did not show up, well before the test's own timeout.
    page.setDefaultTimeout(10_000);
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${env.gw.httpUrl}/desk/`);
    return { page, errors };
  }

  /** With DESK_SCREENSHOT=/path/name.png set, saves what the page looks like (name-suffix.png). */
  async function snap(page: Page, suffix = ''): Promise<void> {
    const shot = process.env['DESK_SCREENSHOT'];
    if (shot) await page.screenshot({ path: suffix ? shot.replace(/\.png$/, `-${suffix}.png`) : shot });
  }

  /** No command in flight: the console accepts the next key. */
  const idle = (page: Page) => page.waitForSelector('[data-testid=call-next]:not([disabled])');
  const numbers = (page: Page, selector: string) =>
    page.locator(selector).evaluateAll((els) => els.map((el) => el.getAttribute('data-number')));
  // Page-side code as strings: the test project compiles without the DOM library.
  const storedDesk = (page: Page) => page.evaluate("localStorage.getItem('forecourt.desk')");

  it('picks a desk, calls, recalls, marks a no-show, puts back, serves and finishes', async () => {
    const a001 = await issue('maintenance');
    const b001 = await issue('repair');
    const a002 = await issue('maintenance', 'appointment');
    expect([a001.number, b001.number, a002.number]).toEqual(['A001', 'B001', 'A002']);

    const { page, errors } = await openDesk();
    await page.waitForSelector('[data-testid=link-state][data-state=connected]', { timeout: 10_000 });
    await page.click('[data-testid=desk-picker] button[data-desk="1"]');
    // Remembered once the gateway has moved the session to the desk.
    await page.waitForFunction("localStorage.getItem('forecourt.desk') === '1'");
    expect(await storedDesk(page)).toBe('1');

    // Call order: the appointment before the earlier regular ticket.
    await page.waitForSelector('[data-testid=waiting-ticket][data-number=A002]');
    expect(await numbers(page, '[data-testid=queue][data-service=maintenance] [data-testid=waiting-ticket]')).toEqual(['A002', 'A001']);
    expect(await numbers(page, '[data-testid=queue][data-service=repair] [data-testid=waiting-ticket]')).toEqual(['B001']);
    expect(await page.textContent('[data-testid=waiting-ticket][data-number=A002]')).toContain('预约');

    // N calls the first in line.
    await idle(page);
    await page.keyboard.press('n');
    await page.waitForSelector('[data-testid=current-ticket][data-number=A002][data-state=called]');
    expect((await ticket(a002.id)).state).toBe('called');
    expect(await numbers(page, '[data-testid=waiting-ticket]')).not.toContain('A002');

    // Recall by key and by button: the count shown follows.
    await idle(page);
    await page.keyboard.press('r');
    await page.waitForSelector('[data-testid=current-ticket][data-number=A002] [data-testid=recall-count][data-count="1"]');
    await idle(page);
    await page.click('[data-testid=current-ticket][data-number=A002] [data-testid=action-recall]');
    await page.waitForSelector('[data-testid=recall-count][data-count="2"]');
    expect((await ticket(a002.id)).recallCount).toBe(2);

    // No-show, then the late customer is put back.
    await idle(page);
    await page.keyboard.press('x');
    await page.waitForSelector('[data-testid=no-show-ticket][data-number=A002]');
    expect(await page.$('[data-testid=current-ticket]')).toBeNull();
    expect((await ticket(a002.id)).state).toBe('no-show');
    await idle(page);
    await page.click('[data-testid=no-show-ticket][data-number=A002] [data-testid=action-put-back]');
    await page.waitForSelector('[data-testid=waiting-ticket][data-number=A002]');
    expect(await page.$('[data-testid=no-show-ticket]')).toBeNull();
    expect((await ticket(a002.id)).state).toBe('waiting');

    // A specific ticket by click, then start and finish by key.
    await idle(page);
    await page.click('[data-testid=waiting-ticket][data-number=B001]');
    await page.waitForSelector('[data-testid=current-ticket][data-number=B001][data-state=called]');
    await idle(page);
    await page.keyboard.press('s');
    await page.waitForSelector('[data-testid=current-ticket][data-number=B001][data-state=serving]');
    expect(await page.isDisabled('[data-testid=action-recall]')).toBe(true);
    await idle(page);
    await page.keyboard.press('f');
    await page.waitForSelector('[data-testid=no-current]');
    expect(await page.$('[data-testid=current-ticket]')).toBeNull();
    expect((await ticket(b001.id)).state).toBe('done');

    // Transfer: T opens the list of the other services.
    await idle(page);
    await page.keyboard.press('n');
    await page.waitForSelector('[data-testid=current-ticket][data-number=A002]');
    await idle(page);
    await page.keyboard.press('t');
    await page.waitForSelector('[data-testid=transfer-dialog] button[data-service=claims]');
    expect(await page.$('[data-testid=transfer-dialog] button[data-service=maintenance]')).toBeNull();
    await page.click('[data-testid=transfer-dialog] button[data-service=claims]');
    await page.waitForSelector('[data-testid=queue][data-service=claims] [data-testid=waiting-ticket][data-number=A002]');
    expect(await page.isVisible('[data-testid=transfer-dialog]')).toBe(false);
    expect(await ticket(a002.id)).toMatchObject({ service: 'claims', state: 'waiting' });

    // Nothing left for this desk: N is refused with the translated reason, and nothing changes.
    await drainDesk2();
    await page.waitForSelector('[data-testid=waiting-ticket]', { state: 'detached' });
    await idle(page);
    const before = await deskView('1');
    await page.keyboard.press('n');
    await page.waitForSelector('[data-testid=desk-error][data-code=queue-empty]');
    expect(await page.textContent('[data-testid=desk-error]')).toContain('本服务台暂无客户等候');
    await snap(page, 'error');
    expect(await page.getAttribute('[data-testid=desk-error]', 'role')).toBe('alert');
    expect(await deskView('1')).toEqual(before);
    expect(await page.$('[data-testid=current-ticket]')).toBeNull();

    // English: the labels and the message on screen follow.
    await page.click('button[lang=en]');
    await expect.poll(() => page.textContent('[data-testid=call-next]')).toContain('Call next');
    expect(await page.textContent('[data-testid=desk-error]')).toContain('No one is waiting for this desk.');
    expect(await page.textContent('#current-heading')).toBe('At the desk');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=desk-error]', { state: 'detached' });

    expect(errors).toEqual([]);
    await page.close();
  });

  it('remembers the desk, lets it be changed, and ignores shortcuts while typing', async () => {
    const a = await issue('maintenance');
    const { page, errors } = await openDesk({ desk: '1' });
    await page.waitForSelector(`[data-testid=waiting-ticket][data-number=${a.number}]`);
    expect(await page.$('[data-testid=desk-picker]')).toBeNull();
    expect(await page.getAttribute('[data-testid=desk-name]', 'data-desk')).toBe('1');

    // Typing an N into a field is text, not a call.
    await page.evaluate("document.body.append(Object.assign(document.createElement('input'), { id: 'scratch' }))");
    await page.focus('#scratch');
    await page.keyboard.type('nrsfxt');
    await page.waitForTimeout(300);
    expect(await page.$('[data-testid=current-ticket]')).toBeNull();
    expect((await ticket(a.id)).state).toBe('waiting');
    await page.evaluate("document.getElementById('scratch').remove()");

    // Change to desk 3 (sales only): the maintenance ticket is not its business.
    await page.click('text=更换服务台');
    await page.waitForSelector('[data-testid=desk-picker] button[data-desk="1"][aria-current=true]');
    await page.click('[data-testid=desk-picker] button[data-desk="3"]');
    await page.waitForSelector('[data-testid=queue][data-service=sales]');
    expect(await page.$('[data-testid=waiting-ticket]')).toBeNull();
    expect(await storedDesk(page)).toBe('3');

    // A ticket of desk 1's service cannot be called here either: a clear refusal, no crash.
    expect((await command({ action: 'call', desk: '3', ticketId: a.id })).json.error?.code).toBe('desk-does-not-serve');

    await page.reload();
    await page.waitForSelector('[data-testid=queue][data-service=sales]');
    expect(await page.getAttribute('[data-testid=desk-name]', 'data-desk')).toBe('3');
    await command({ action: 'cancel', ticketId: a.id });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('keeps working over HTTP while the bus is down, and says the lists may be stale', async () => {
    const a = await issue('repair');
    const page = await signedInDesk(env.browser, env.gw, { role: 'receptionist', desk: '1' });
    page.setDefaultTimeout(10_000);
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    // The MQTT WebSocket is refused; HTTP still reaches the gateway.
    await page.routeWebSocket(/\/mqtt$/, (ws) => ws.close());
    await page.goto(`${env.gw.httpUrl}/desk/`);
    await page.waitForSelector(`[data-testid=waiting-ticket][data-number=${a.number}]`);
    await page.waitForSelector('[data-testid=desk-stale]', { timeout: 10_000 });
    expect(await page.textContent('[data-testid=desk-stale]')).toContain('操作仍可进行');
    await snap(page, 'offline');

    await idle(page);
    await page.keyboard.press('n');
    await page.waitForSelector(`[data-testid=current-ticket][data-number=${a.number}]`);
    expect((await ticket(a.id)).state).toBe('called');
    await idle(page);
    await page.keyboard.press('f');
    await page.waitForSelector('[data-testid=no-current]');
    expect((await ticket(a.id)).state).toBe('done');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('suggests peak hours when the queue grows, and switches the mode', async () => {
    const { page, errors } = await openDesk({ desk: '1' });
    await page.waitForSelector('[data-testid=mode][data-mode=normal]');
    expect(await page.$('[data-testid=peak-suggestion]')).toBeNull();

    // Default threshold: 15 waiting tickets in the store.
    const priorities = ['regular', 'regular', 'vip', 'regular', 'appointment'];
    for (let i = 0; i < 15; i++) await issue(['maintenance', 'repair', 'claims', 'sales', 'pickup'][i % 5] as string, priorities[i % 5]);
    await page.waitForSelector('[data-testid=peak-suggestion]');
    expect(await page.textContent('[data-testid=peak-suggestion]')).toContain('15');

    await idle(page);
    await page.click('[data-testid=peak-suggestion] button');
    await page.waitForSelector('[data-testid=mode][data-mode=peak]');
    expect(await page.$('[data-testid=peak-suggestion]')).toBeNull();
    expect((await deskView('1')).mode).toBe('peak');

    // And back by the switch; asking for the mode already set is refused, with its own message.
    await idle(page);
    await page.click('[data-testid=mode] button[data-mode=normal]');
    await page.waitForSelector('[data-testid=mode][data-mode=normal]');
    expect((await command({ action: 'set-mode', mode: 'normal' })).json.error?.code).toBe('wrong-state');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('fits a busy desk on a 1366×768 screen', async () => {
    // Tickets from the previous test are still waiting; add some, call, recall and miss a few for a full picture.
    await issue('maintenance', 'appointment');
    await issue('repair', 'vip');
    await issue('maintenance');
    const called = await command({ action: 'call-next', desk: '1' });
    await command({ action: 'recall', desk: '1', ticketId: called.json.ticket?.id });
    const late = await command({ action: 'call-next', desk: '1' });
    await command({ action: 'no-show', desk: '1', ticketId: late.json.ticket?.id });
    await command({ action: 'call-next', desk: '1' });

    const { page, errors } = await openDesk({ desk: '1' });
    await page.waitForSelector('[data-testid=link-state][data-state=connected]');
    await page.waitForSelector('[data-testid=no-show-ticket]');
    await expect.poll(async () => (await page.$$('[data-testid=current-ticket]')).length).toBe(2);
    await expect.poll(() => page.textContent('[data-testid=store-name]')).toBe('示范店');

    // Nothing scrolls sideways or below the screen; the main controls are in view.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1366);
    expect(await page.evaluate('document.documentElement.scrollHeight')).toBeLessThanOrEqual(768);
    for (const selector of ['[data-testid=call-next]', '[data-testid=waiting-ticket]', '[data-testid=action-finish]', '[data-testid=mode]']) {
      const box = await page.locator(selector).first().boundingBox();
      expect(box, selector).not.toBeNull();
      expect(box!.y + box!.height, selector).toBeLessThanOrEqual(768);
      expect(box!.x + box!.width, selector).toBeLessThanOrEqual(1366);
    }
    await snap(page);
    await page.click('button[lang=en]');
    await snap(page, 'en');
    await page.click('text=Change desk');
    await page.waitForSelector('[data-testid=desk-picker]');
    await snap(page, 'picker');
    expect(errors).toEqual([]);
    await page.close();
  });
});
