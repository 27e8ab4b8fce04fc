import { expect, it } from 'vitest';
import { TicketStatusAnswer, waitPhrase, waitText, type WaitFigures } from '@forecourt/gateway/protocol';
import { enrolledPage, gatewayWithChromium, signedInDesk } from '../support/browser.js';
import { command as send } from '../support/queue-api.js';
import { describeRealStack } from '../support/real-stack.js';

/** The shared rule's wording of a range, whatever its figures: the screens must show one. */
const RANGE_ZH = /约 \d+–\d+ 分钟/;

describeRealStack('waiting times told honestly in Chromium', { binaries: ['chromium'], debian: 'chromium fonts-noto-cjk' }, () => {
  const env = gatewayWithChromium();

  const command = (cmd: Parameters<typeof send>[1]) => send(env.gw.httpUrl, cmd, env.gw.admin);
  const ticketStatus = async (id: string): Promise<TicketStatusAnswer> =>
    TicketStatusAnswer.parse(await (await fetch(`${env.gw.httpUrl}/api/queue/tickets/${id}`)).json());
  /** What a new maintenance ticket would wait now, from the desk's view of the queue. */
  const maintenanceWait = async (): Promise<WaitFigures> => {
    const res = await fetch(`${env.gw.httpUrl}/api/queue/desks/1`, { headers: env.gw.admin });
    const view = (await res.json()) as { queues: (WaitFigures & { service: string })[] };
    const queue = view.queues.find((q) => q.service === 'maintenance');
    if (!queue) throw new Error('desk 1 has no maintenance queue');
    return queue;
  };

  it('kiosk, board, desk and phone show a range where the interval is wide; the phone says when it changed a lot', async () => {
    // Three customers wait; a fresh store knows only its configured times and their spread.
    for (let i = 0; i < 3; i += 1) await command({ action: 'issue', service: 'maintenance' });
    expect(waitPhrase(await maintenanceWait()).kind).toBe('range');

    const board = await enrolledPage(env.browser, env.gw, { id: 'board-w', kind: 'board' }, { width: 1920, height: 1080 });
    await board.goto(`${env.gw.httpUrl}/board/`);
    await expect.poll(() => board.textContent('[data-service=maintenance] [data-testid=service-wait]')).toMatch(RANGE_ZH);

    const kiosk = await enrolledPage(env.browser, env.gw, { id: 'kiosk-w', kind: 'kiosk', station: 'kiosk-w' });
    await kiosk.goto(`${env.gw.httpUrl}/kiosk/`);
    await expect.poll(() => kiosk.textContent('[data-service=maintenance] [data-testid=service-wait]')).toMatch(RANGE_ZH);

    const desk = await signedInDesk(env.browser, env.gw, { role: 'receptionist', desk: '1' });
    await desk.goto(`${env.gw.httpUrl}/desk/`);
    await expect.poll(() => desk.textContent('[data-testid=queue][data-service=maintenance] [data-testid=queue-wait]')).toMatch(RANGE_ZH);

    // The customer takes a ticket at the kiosk: the ticket on screen tells the range too.
    await kiosk.click('[data-service=maintenance]');
    await kiosk.waitForSelector('[data-testid=ticket]');
    expect(await kiosk.textContent('[data-testid=people-ahead]')).toBe('3');
    expect(await kiosk.textContent('[data-testid=estimate]')).toMatch(new RegExp(`^${RANGE_ZH.source}$`));

    // Another customer's printed ticket: the QR code opens the phone page.
    const { body } = await command({ action: 'issue', service: 'maintenance' });
    const ticketId = body.ticket?.id ?? '';
    const first = await ticketStatus(ticketId);
    expect(waitPhrase(first).kind).toBe('range');
    expect(first.waitChange).toBeNull();
    const phone = await env.browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(`${env.gw.httpUrl}/status/?ticket=${ticketId}`);
    await expect.poll(() => phone.textContent('[data-testid=status-ticket]')).toContain(waitText(first, 'zh-Hans'));
    expect(await phone.getAttribute('[data-testid=wait-change]', 'aria-live')).toBe('polite');
    expect((await phone.textContent('[data-testid=wait-change]'))?.trim()).toBe('');

    // Eight appointments arrive: they are called first, so the wait grows a lot.
    for (let i = 0; i < 8; i += 1) await command({ action: 'issue', service: 'maintenance', priority: 'appointment' });
    const now = await ticketStatus(ticketId);
    expect(now.waitChange).toMatchObject({ direction: 'later', first: { estimatedWaitMin: first.estimatedWaitMin, estimatedWaitRange: first.estimatedWaitRange } });
    // The screens follow the queue without a reload.
    await expect.poll(async () => board.textContent('[data-service=maintenance] [data-testid=service-wait]')).toBe(waitText(await maintenanceWait(), 'zh-Hans'));

    // The phone's next poll (here: the page coming back into view) fills the live region.
    await phone.evaluate('document.dispatchEvent(new Event("visibilitychange"))');
    await phone.waitForSelector('[data-testid=wait-change][data-direction=later]');
    expect(await phone.textContent('[data-testid=wait-change]')).toContain(`长了不少（取号时：${waitText(first, 'zh-Hans')}）`);
    // Kept by the gateway with the ticket: a reload still says so, in the customer's language.
    await phone.reload();
    await phone.waitForSelector('[data-testid=wait-change][data-direction=later]');
    await phone.click('button[lang=en]');
    await expect.poll(() => phone.textContent('[data-testid=wait-change]')).toContain(`The wait has grown since you took your ticket (then: ${waitText(first, 'en')})`);
    await phone.click('button[lang=zh-Hant]');
    await expect.poll(() => phone.textContent('[data-testid=wait-change]')).toContain(`長了不少（取號時：${waitText(first, 'zh-Hant')}）`);

    // The page the printed QR code opens says it too, in all three languages.
    const page = await (await fetch(`${env.gw.httpUrl}/t/${ticketId}`)).text();
    expect(page).toContain(`（取号时：${waitText(first, 'zh-Hans')}）`);
    expect(page).toContain(`(then: ${waitText(first, 'en')})`);
    await Promise.all([board.close(), kiosk.close(), desk.close(), phone.close()]);
  });
});
