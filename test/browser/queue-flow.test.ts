import { expect, it } from 'vitest';
import { enrolledPage, gatewayWithChromium, signedInDesk } from '../support/browser.js';
import { command as send } from '../support/queue-api.js';
import { describeRealStack } from '../support/real-stack.js';

describeRealStack('queue end to end in Chromium', { binaries: ['chromium'], debian: 'chromium fonts-noto-cjk' }, () => {
  const env = gatewayWithChromium();

  /** A queue command from a manager's token (the test stands for the desks). */
  const command = (cmd: Parameters<typeof send>[1]) => send(env.gw.httpUrl, cmd, env.gw.admin);

  it('kiosk ticket → called at the desk → shown and spoken on the board', async () => {
    const board = await enrolledPage(env.browser, env.gw, { id: 'board-1', kind: 'board' }, { width: 1920, height: 1080 });
    await board.goto(`${env.gw.httpUrl}/board/`);
    await board.waitForSelector('[data-state=connected]');
    await board.waitForSelector('[data-testid=no-calls]');

    const kiosk = await enrolledPage(env.browser, env.gw, { id: 'kiosk-1', kind: 'kiosk', station: 'kiosk-1' });
    await kiosk.goto(`${env.gw.httpUrl}/kiosk/`);
    await kiosk.click('[data-service=repair]');
    await kiosk.waitForSelector('[data-testid=ticket]');
    expect(await kiosk.textContent('[data-testid=ticket-number]')).toBe('B001');
    expect(await kiosk.textContent('[data-testid=people-ahead]')).toBe('0');
    await expect.poll(() => board.textContent('[data-service=repair] .count')).toBe('1 人');

    const desk = await signedInDesk(env.browser, env.gw, { role: 'receptionist', desk: '2' });
    await desk.goto(`${env.gw.httpUrl}/desk/`);
    await desk.waitForSelector('[data-testid=waiting-ticket][data-number=B001]');
    await desk.click('[data-testid=call-next]');

    await board.waitForSelector('[data-testid=latest-call][data-number=B001]');
    expect(await board.textContent('[data-testid=latest-call]')).toContain('2号服务台');
    expect(await board.textContent('[data-testid=announcement]')).toBe('请 B 零零一 号到 2号服务台');
    await expect.poll(() => board.textContent('[data-service=repair] .count')).toBe('0 人');
    await Promise.all([board.close(), kiosk.close(), desk.close()]);
  });

  it('the kiosk counts people ahead, resets itself when left idle, and shows a friendly error', async () => {
    await command({ action: 'issue', service: 'sales' });
    await command({ action: 'issue', service: 'sales' });
    const kiosk = await enrolledPage(env.browser, env.gw, { id: 'kiosk-2', kind: 'kiosk', station: 'kiosk-2' });
    await kiosk.goto(`${env.gw.httpUrl}/kiosk/?idle=2`);
    await kiosk.click('[data-service=sales]');
    await kiosk.waitForSelector('[data-testid=ticket]');
    expect(await kiosk.textContent('[data-testid=ticket-number]')).toBe('D003');
    expect(await kiosk.textContent('[data-testid=people-ahead]')).toBe('2');
    await kiosk.waitForSelector('[data-testid=service]', { timeout: 5000 });

    // The gateway refuses (unknown service from a stale screen): the customer sees a message, not a crash.
    await kiosk.route('**/api/queue/commands', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'not-ready', message: 'starting' } }) }));
    await kiosk.click('[data-service=sales]');
    await kiosk.waitForSelector('[data-testid=kiosk-error]');
    expect(await kiosk.textContent('[data-testid=kiosk-error]')).toContain('重试');
    await kiosk.close();
  });

  it('a board opened mid-day shows the latest calls at once, and the peak mode', async () => {
    const { body } = await command({ action: 'issue', service: 'pickup' });
    await command({ action: 'call', desk: '4', ticketId: body.ticket?.id ?? '' });
    expect((await command({ action: 'set-mode', mode: 'peak' })).status).toBe(200);
    const board = await enrolledPage(env.browser, env.gw, { id: 'board-2', kind: 'board' });
    await board.goto(`${env.gw.httpUrl}/board/`);
    await board.waitForSelector('[data-testid=latest-call][data-number=E001]');
    await board.waitForSelector('[data-testid=peak]');
    await board.click('button[lang=en]');
    expect(await board.textContent('[data-testid=latest-call]')).toContain('desk 4');
    await board.close();
  });
});
