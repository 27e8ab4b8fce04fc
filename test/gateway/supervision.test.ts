import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { listenForNotifications, type NotifySocket } from '../support/notify-socket.js';
import { REPO_ROOT, runGateway, waitFor } from '../support/process.js';
import { describeRealStack } from '../support/real-stack.js';
import { installStore, killStore, startStore, type RunningStore } from '../support/store-process.js';

// The gateway as systemd runs it: one per data directory, READY and watchdog pings over the
// notify socket, STOPPING on the way out.

const run = promisify(execFile);
let stores: (RunningStore | undefined)[] = [];
let notify: NotifySocket | undefined;
afterEach(async () => {
  await Promise.all(stores.map(killStore));
  stores = [];
  notify?.close();
  notify = undefined;
});

describe('one gateway per data directory', () => {
  it('refuses a second start with a clear message and exit code 2, lets the CLIs in, and starts again after a SIGKILL', async () => {
    const install = installStore();
    const first = await startStore(install);
    stores.push(first);

    const second = runGateway([...install.args, '--http-port', '0', '--mqtt-port', '0']);
    expect((await second.exited).code).toBe(2);
    expect(second.output()).toContain(`another gateway (pid ${first.run.child.pid}) is running on the data directory ${install.dataDir}`);
    // The first one did not notice.
    expect((await fetch(`${first.httpUrl}/healthz`)).status).toBe(200);
    // The installer's tools still open the store's database meanwhile.
    const listed = await run(process.execPath, [join(REPO_ROOT, 'gateway/dist/tools/devices-cli.js'), 'list', ...install.args]);
    expect(listed.stdout).toBe('');

    // SIGKILL leaves no stale lock: the kernel dropped it with the process.
    first.run.child.kill('SIGKILL');
    await first.run.exited;
    const third = await startStore(install);
    stores.push(third);
    expect((await fetch(`${third.httpUrl}/healthz`)).status).toBe(200);
  });
});

describeRealStack('systemd notifications', { binaries: ['systemd-notify', 'python3'], debian: 'systemd python3' }, () => {
  it('says READY when serving, pings the watchdog every WatchdogSec/2 while it works, and STOPPING at SIGTERM', async () => {
    notify = await listenForNotifications();
    const received = notify.messages;
    const store = await startStore(installStore(), { NOTIFY_SOCKET: notify.path, WATCHDOG_USEC: '400000' });
    stores.push(store);
    await waitFor(() => (received.filter((m) => m.text === 'WATCHDOG=1').length >= 4 ? true : undefined), 10_000);
    const ready = received.findIndex((m) => m.text.startsWith('READY=1'));
    const firstPing = received.findIndex((m) => m.text === 'WATCHDOG=1');
    expect(ready).toBeGreaterThanOrEqual(0);
    expect(received[ready]?.text).toMatch(/STATUS=serving store demo/);
    expect(firstPing).toBeGreaterThan(ready);
    // Every 200 ms give or take the probe and the spawn: never bunched up, never a long silence.
    const pings = received.filter((m) => m.text === 'WATCHDOG=1').map((m) => m.at);
    for (let i = 1; i < pings.length; i++) expect((pings[i] ?? 0) - (pings[i - 1] ?? 0)).toBeGreaterThan(150);
    for (let i = 1; i < pings.length; i++) expect((pings[i] ?? 0) - (pings[i - 1] ?? 0)).toBeLessThan(1500);

    store.run.child.kill('SIGTERM');
    expect((await store.run.exited).code).toBe(0);
    await waitFor(() => (received.some((m) => m.text === 'STOPPING=1') ? true : undefined), 5000);
    expect(store.run.output()).not.toMatch(/systemd-notify failed/);
  });
});
