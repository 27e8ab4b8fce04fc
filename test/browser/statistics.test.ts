import { expect, it } from 'vitest';
import { gatewayWithChromium, signedInDesk } from '../support/browser.js';
import { bearer, staffToken } from '../support/identities.js';
import { command } from '../support/queue-api.js';
import { describeRealStack } from '../support/real-stack.js';
import { releaseOrder } from '../support/survey.js';

// The manager's statistics at the desk, in Chromium against a real gateway: the panel is the
// manager's only, shows today's tickets per hour and per service (with the service's name), a
// chart drawn by uPlot, a table with every number, and a CSV link for the same query.

const CHROMIUM = { binaries: ['chromium'], debian: 'chromium fonts-noto-cjk' };

describeRealStack('statistics at the desk', CHROMIUM, () => {
  const env = gatewayWithChromium();

  it("shows a manager today's tickets in a chart and a table, per hour and per service, with a CSV link", async () => {
    const desk = bearer(staffToken(env.gw.gateway, 'receptionist', 'stats desk'));
    for (const service of ['maintenance', 'maintenance', 'repair']) await command(env.gw.httpUrl, { action: 'issue', service }, desk);
    const called = await command(env.gw.httpUrl, { action: 'call-next', desk: '1' }, desk);
    const calledId = called.body.event?.ticket?.id;
    if (!calledId) throw new Error('nothing was called');
    await command(env.gw.httpUrl, { action: 'finish', desk: '1', ticketId: calledId }, desk);

    const send = async (command: Record<string, unknown>) => {
      const res = await fetch(`${env.gw.httpUrl}/api/workshop/commands`, { method: 'POST', headers: { 'content-type': 'application/json', ...env.gw.admin }, body: JSON.stringify(command) });
      if (res.status !== 200) throw new Error(`workshop command refused: ${res.status} ${await res.text()}`);
      return res.json();
    };
    await releaseOrder(send, { plate: '粤B12345' });

    const page = await signedInDesk(env.browser, env.gw, { role: 'manager' });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.setDefaultTimeout(10_000);
    await page.goto(`${env.gw.httpUrl}/desk/`);
    await page.click('[data-testid=stats-panel] summary');
    await page.check('[data-testid=stats-period-today]');
    await page.waitForSelector('[data-testid=stats-table] tfoot');
    const total = await page.$$eval('[data-testid=stats-total] > *', (cells) => cells.slice(0, 4).map((c) => c.textContent));
    expect(total).toEqual(['合计', '3', '1', '0']);
    await page.waitForSelector('[data-testid=stats-chart] canvas');

    await page.selectOption('[data-testid=stats-by]', 'service');
    await page.waitForSelector('[data-testid=stats-row][data-key=repair]');
    const rows = await page.$$eval('[data-testid=stats-row]', (trs) => trs.map((tr) => [...tr.children].slice(0, 3).map((c) => c.textContent)));
    expect(rows).toEqual([
      ['保养', '2', '1'],
      ['维修', '1', '0'],
    ]);
    const href = await page.getAttribute('[data-testid=stats-csv]', 'href');
    expect(href).toMatch(/^\/api\/stats\/queue\.csv\?from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}&by=service$/);
    const csv = await page.evaluate(`fetch(${JSON.stringify(href)}).then((r) => r.text())`);
    expect(String(csv).split('\r\n')[1]).toMatch(/^maintenance,2,1,/);
    // The workshop over the same period: the order released today.
    await page.waitForSelector('[data-testid=stats-workshop-total]');
    const workshop = await page.$$eval('[data-testid=stats-workshop-total] > *', (cells) => cells.slice(0, 4).map((c) => c.textContent));
    expect(workshop).toEqual(['合计', '1', '—', '0']);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('is not there for a receptionist', async () => {
    const page = await signedInDesk(env.browser, env.gw, { role: 'receptionist' });
    await page.goto(`${env.gw.httpUrl}/desk/`);
    await page.waitForSelector('[data-testid=head-office-line]', { timeout: 10_000 });
    expect(await page.$('[data-testid=stats-panel]')).toBeNull();
    await page.close();
  });
});
