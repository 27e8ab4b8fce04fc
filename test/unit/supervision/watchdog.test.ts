import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Watchdog, watchdogIntervalMs } from '../../../gateway/src/supervision/watchdog.js';
import { startTestGateway } from '../../support/gateway.js';

// The watchdog pings only while the gateway's parts answer: a part that fails or hangs stops the
// pings (systemd then restarts the gateway), and they come back when it answers again.

const log = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('watchdog', () => {
  it('pings every WatchdogSec/2, for this process only', () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' })).toBe(15_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '4242' }, 4242)).toBe(15_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '4243' }, 4242)).toBeUndefined();
    expect(watchdogIntervalMs({})).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: 'soon' })).toBeUndefined();
  });

  it('skips the ping while a part does not answer or hangs, and pings again once it does', async () => {
    let state: 'ok' | 'failing' | 'hanging' = 'ok';
    const pings: number[] = [];
    const probe = async (): Promise<string[]> => {
      if (state === 'failing') return ['database'];
      if (state === 'hanging') await new Promise(() => undefined);
      return [];
    };
    const watchdog = new Watchdog(probe, async () => pings.push(Date.now()), 20, log);
    watchdog.start();
    await sleep(150);
    const whileOk = pings.length;
    expect(whileOk).toBeGreaterThanOrEqual(3);
    state = 'failing';
    await sleep(60);
    const atFailure = pings.length;
    await sleep(150);
    expect(pings.length).toBe(atFailure);
    state = 'hanging';
    await sleep(150);
    expect(pings.length).toBe(atFailure);
    state = 'ok';
    await sleep(150);
    expect(pings.length).toBeGreaterThan(atFailure);
    watchdog.stop();
    const stopped = pings.length;
    await sleep(60);
    expect(pings.length).toBe(stopped);
  });

  it("asks the gateway's real parts: all answer while it runs, none once it stopped", async () => {
    const gw = await startTestGateway();
    try {
      expect(await gw.gateway.unanswered()).toEqual([]);
    } finally {
      await gw.dispose();
    }
    expect(await gw.gateway.unanswered()).toEqual(['broker', 'database', 'http']);
  });
});
