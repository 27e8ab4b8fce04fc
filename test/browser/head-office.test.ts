import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RelayStatus } from '@forecourt/gateway/protocol';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayWithChromium, signedInDesk } from '../support/browser.js';
import type { TestGateway } from '../support/gateway.js';
import { command } from '../support/queue-api.js';
import { describeRealStack } from '../support/real-stack.js';

// Head office at the desk: the status line every front-desk member of staff sees in the header,
// and the manager's panel with the events head office refused. Real gateway and SQLite, real
// Chromium; head office is a small HTTP server of this test that answers the relay as the DMS
// adapter's contract says (202 stored through, 409 one event refused, 503 down).

const CHROMIUM = { binaries: ['chromium'], debian: 'chromium fonts-noto-cjk' };
/** The desk asks every 10 s; a change shows within one round. */
const ONE_POLL = { timeout: 15_000 };

interface Batch {
  events: { seq: number }[];
}

/**
 * The DMS adapter as the test steers it: it refuses the first event it ever sees (an unknown
 * vehicle) for as long as `refusing` is set, answers 503 while `down`, and stores the rest.
 */
class TinyDms {
  down = false;
  refusing = true;
  /** The seq it refused. */
  refused: number | undefined;
  readonly stored = new Set<number>();
  private readonly server = createServer((req, res) => void this.answer(req, res));
  url = '';

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = (status: number, body: object): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (this.down) return reply(503, { error: 'maintenance' });
    if (req.method === 'GET' && req.url?.startsWith('/changes')) return reply(200, { cursor: 'c1', more: false, changes: [] });
    if (req.method !== 'POST' || req.url !== '/events') return reply(404, {});
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const seqs = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Batch).events.map((e) => e.seq);
    this.refused ??= seqs[0];
    const refused = this.refused;
    if (this.refusing && refused !== undefined && seqs.includes(refused)) {
      seqs.filter((s) => s < refused).forEach((s) => this.stored.add(s));
      return reply(409, { acceptedThrough: refused - 1, rejected: { seq: refused, code: 'unknown-vehicle', reason: 'vehicle 4711 is not in the DMS' } });
    }
    seqs.forEach((s) => this.stored.add(s));
    return reply(202, { acceptedThrough: Math.max(...seqs) });
  }
}

async function relayStatus(gw: TestGateway): Promise<RelayStatus> {
  const res = await fetch(`${gw.httpUrl}/api/relay/status`, { headers: gw.admin });
  return (await res.json()) as RelayStatus;
}

const httpLink = (status: RelayStatus) => status.transports.find((t) => t.transport === 'http');

/** A time as the desk writes it: hours and minutes in the store's time zone. */
function storeTime(gw: TestGateway, iso: string, language: string): string {
  return new Intl.DateTimeFormat(language, { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: gw.config.store.timeZone }).format(new Date(iso));
}

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.setDefaultTimeout(10_000);
  return errors;
}

const lineText = (page: Page) => page.textContent('[data-testid=head-office-text]');

describeRealStack('head office at the desk', CHROMIUM, () => {
  const dms = new TinyDms();
  // Registered before the gateway's, so head office listens before the gateway is configured.
  beforeAll(() => dms.listen());
  afterAll(() => dms.close());
  const env = gatewayWithChromium({
    configure: (config) => {
      config.relay.pollMs = 50;
      config.relay.http = {
        url: dms.url,
        token: 'tiny-dms-token',
        batchSize: 200,
        timeoutMs: 2000,
        // The test wants "offline" while head office is down, not the circuit opening.
        breakAfterFailures: 100,
        halfOpenAfterMs: 1000,
        retryMinMs: 20,
        retryMaxMs: 300,
        syncEverySeconds: 1,
      };
    },
  });

  it('a receptionist sees head office connected, then offline since when with the events waiting; no manager panel', async () => {
    await expect.poll(async () => httpLink(await relayStatus(env.gw))?.state).toBe('connected');
    const page = await signedInDesk(env.browser, env.gw, { role: 'receptionist' });
    const errors = watchErrors(page);
    await page.goto(`${env.gw.httpUrl}/desk/`);
    await page.waitForSelector('[data-testid=head-office-line][data-state=connected]');
    // Times are the store's: its time zone comes with the store's name.
    await expect.poll(() => page.textContent('[data-testid=store-name]')).not.toBe('—');
    // The first event head office saw was refused: the desk says so, in the store's language.
    expect(dms.refused).toBeGreaterThan(0);
    expect(await lineText(page)).toBe('总部：已连接 · 1 条被拒');
    expect(await page.$('[data-testid=head-office-panel]')).toBeNull();

    dms.down = true;
    for (let i = 0; i < 3; i++) expect((await command(env.gw.httpUrl, { action: 'issue', service: 'sales', priority: 'regular' }, env.gw.admin)).status).toBe(200);
    await expect.poll(async () => httpLink(await relayStatus(env.gw))?.state).toBe('offline');
    const offline = httpLink(await relayStatus(env.gw))!;
    expect(offline.backlog).toBeGreaterThanOrEqual(3);

    await page.waitForSelector('[data-testid=head-office-line][data-state=offline]', ONE_POLL);
    expect(await lineText(page)).toBe(`总部：离线，自 ${storeTime(env.gw, offline.since, 'zh-Hans')} 起 · ${offline.backlog} 条待发 · 1 条被拒`);
    await page.click('button[lang=en]');
    expect(await lineText(page)).toBe(`head office: offline since ${storeTime(env.gw, offline.since, 'en')} · ${offline.backlog} events waiting · 1 rejected`);

    // When the desk cannot ask, it says it does not know (and keeps working).
    await page.route('**/api/relay/status', (route) => route.abort());
    await page.reload();
    await page.waitForSelector('[data-testid=head-office-line][data-state=unknown]');
    expect(await lineText(page)).toBe('head office: status unknown');
    await page.waitForSelector('[data-testid=staff-bar][data-role=receptionist]');
    expect(errors).toEqual([]);
    await page.close();
  }, 45_000);

  it('a manager reads the refused event and retries it, by keyboard: refused again it stays, stored it leaves the list', async () => {
    dms.down = false;
    await expect.poll(async () => httpLink(await relayStatus(env.gw))).toMatchObject({ state: 'connected', backlog: 0 });
    const refused = dms.refused!;
    const page = await signedInDesk(env.browser, env.gw, { role: 'manager' });
    const errors = watchErrors(page);
    await page.goto(`${env.gw.httpUrl}/desk/`);
    await page.click('button[lang=en]');
    await page.waitForSelector('[data-testid=head-office-line][data-state=connected]');
    await page.focus('[data-testid=head-office-panel] summary');
    await page.keyboard.press('Enter');

    const panel = page.locator('[data-testid=head-office-panel]');
    await panel.locator('[data-testid=head-office-link][data-transport=http][data-state=connected]').waitFor();
    expect(await panel.locator('[data-testid=head-office-link]').textContent()).toContain('DMS (HTTP)');
    await expect.poll(() => panel.locator('[data-testid=head-office-sync]').textContent()).not.toContain('not yet');
    const row = panel.locator(`[data-testid=dead-letter][data-seq="${refused}"]`);
    expect(await row.textContent()).toContain('unknown-vehicle vehicle 4711 is not in the DMS');
    await row.locator('summary').press('Enter');
    expect(JSON.parse((await row.locator('[data-testid=dead-letter-event]').textContent()) ?? '')).toMatchObject({ seq: refused, storeId: env.gw.config.store.id });

    const retry = row.getByRole('button', { name: `Retry event no. ${refused}` });
    await retry.press('Enter');
    await row.locator('[data-testid=retry-outcome][data-kind=still-refused]').waitFor();
    // The DMS's word on the retry, not just that it failed.
    expect(await row.locator('[data-testid=retry-outcome]').textContent()).toBe('Still refused: vehicle 4711 is not in the DMS');
    expect(dms.stored.has(refused)).toBe(false);

    dms.refusing = false;
    await retry.press('Enter');
    await page.waitForSelector('[data-testid=retry-stored]');
    expect(await page.textContent('[data-testid=retry-stored]')).toBe(`Event no. ${refused} is now stored at head office.`);
    // Focus moves to the outcome once the desk has drawn it (after its tick): poll, do not race it.
    await expect.poll(() => page.evaluate('document.activeElement?.dataset.testid')).toBe('retry-stored');
    await row.waitFor({ state: 'detached' });
    expect(await panel.locator('[data-testid=dead-letters-empty]').textContent()).toBe('Nothing rejected.');
    expect(dms.stored.has(refused)).toBe(true);
    await expect.poll(() => lineText(page)).toBe('head office: connected');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describeRealStack('head office at the desk, not set up', CHROMIUM, () => {
  const env = gatewayWithChromium();

  it('says so quietly in the header and in the manager panel, with nothing rejected', async () => {
    const page = await signedInDesk(env.browser, env.gw, { role: 'manager' });
    const errors = watchErrors(page);
    await page.goto(`${env.gw.httpUrl}/desk/`);
    await page.waitForSelector('[data-testid=head-office-line][data-state=not-configured]');
    expect(await lineText(page)).toBe('总部：未设置');
    await page.click('[data-testid=head-office-panel] summary');
    await page.waitForSelector('[data-testid=head-office-not-configured]');
    expect(await page.textContent('[data-testid=dead-letters-empty]')).toBe('没有被拒的事件。');
    expect(errors).toEqual([]);
    await page.close();
  });

  describe('a status the test makes up (a full outbox takes millions of events)', () => {
    const since = new Date(Date.now() - 20 * 60_000).toISOString();
    const status: RelayStatus = {
      configured: true,
      lastSeq: 90_000,
      transports: [
        { transport: 'http', state: 'circuit-open', since, ackedThrough: 88_796, backlog: 1204, oldestUnsentAt: since, rejected: 2, lastError: 'the DMS answered HTTP 503' },
        { transport: 'mqtt', state: 'connected', since, ackedThrough: 90_000, backlog: 0, oldestUnsentAt: null, rejected: 0, lastError: null },
      ],
      outboxBytes: 300 * 1024 * 1024,
      capBytes: 512 * 1024 * 1024,
      sync: null,
    };

    it('writes numbers, times and the outbox alarm the way each language does', async () => {
      const page = await signedInDesk(env.browser, env.gw, { role: 'receptionist' });
      const errors = watchErrors(page);
      await page.route('**/api/relay/status', (route) => route.fulfill({ json: status }));
      await page.goto(`${env.gw.httpUrl}/desk/`);
      await page.waitForSelector('[data-testid=head-office-line][data-state=circuit-open]');
      await expect.poll(() => page.textContent('[data-testid=store-name]')).not.toBe('—');
      const expected = {
        'zh-Hans': [`总部：离线，自 ${storeTime(env.gw, since, 'zh-Hans')} 起，稍后重试 · 1,204 条待发 · 2 条被拒`, '发件箱已用 59%'],
        'zh-Hant': [`總部：離線，自 ${storeTime(env.gw, since, 'zh-Hant')} 起，稍後重試 · 1,204 筆待發 · 2 筆遭拒`, '發件匣已用 59%'],
        en: [`head office: offline since ${storeTime(env.gw, since, 'en')}, retrying later · 1,204 events waiting · 2 rejected`, 'outbox 59% full'],
      };
      for (const [language, [text, alarm]] of Object.entries(expected)) {
        await page.click(`button[lang=${language}]`);
        expect(await lineText(page)).toBe(text);
        expect(await page.textContent('[data-testid=head-office-alarm]')).toBe(alarm);
      }
      expect(errors).toEqual([]);
      await page.close();
    });
  });
});
