import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { topics } from '@forecourt/gateway/protocol';
import { freePort, REPO_ROOT, runGateway, waitFor, type Run } from '../support/process.js';

// The installer's tools against a data directory, then a real gateway process on it: the first
// manager signs in with the printed PIN, the printed token works, the provisioned device connects
// with its connection sheet, and revoked credentials stop working.

const run = promisify(execFile);
const tool = (name: string, args: string[]) => run(process.execPath, [join(REPO_ROOT, 'gateway/dist/tools', name), ...args], { cwd: REPO_ROOT });

let gateway: Run | undefined;
afterEach(async () => {
  if (gateway && gateway.child.exitCode === null) {
    gateway.child.kill('SIGTERM');
    await gateway.exited;
  }
});

describe('npm run staff / npm run devices', () => {
  it('makes the first manager, a token and a device login that a real gateway accepts, and revokes them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'forecourt-identity-cli-'));
    // A store with a real printer declared is not a demo store: no demo staff, no anonymous MQTT.
    const config = join(dir, 'forecourt.config.json');
    writeFileSync(config, JSON.stringify({ version: 1, dataDir: './data', devices: { printers: [{ id: 'printer-1', transport: { type: 'tcp', host: '127.0.0.1', port: 9 } }] } }));
    const args = ['--config', config];

    const added = await tool('staff-cli.js', ['add', '--name', '王芳', '--role', 'manager', ...args]);
    const staffNo = /staff number: (\d+)/.exec(added.stdout)?.[1];
    const pin = /PIN:\s+(\d+)/.exec(added.stdout)?.[1];
    expect(staffNo).toBeDefined();
    expect(pin).toMatch(/^\d{6}$/);
    await expect(tool('staff-cli.js', ['add', '--name', 'x', '--role', 'boss', ...args])).rejects.toMatchObject({ code: 2 });
    const token = /^(fcs\.\S+)$/m.exec((await tool('staff-cli.js', ['token', '--name', 'DMS sync', '--role', 'receptionist', ...args])).stdout)?.[1];
    const sheet = (await tool('devices-cli.js', ['provision', 'reader-9', '--kind', 'nfc-reader', '--station', 'kiosk-9', ...args])).stdout;
    const password = /password\s+(fcd\.\S+)/.exec(sheet)?.[1];
    expect(token).toBeDefined();
    expect(password).toMatch(/^fcd\.reader-9\./);

    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    gateway = runGateway(['--config', config, '--http-port', String(httpPort), '--mqtt-port', String(mqttPort)]);
    const base = `http://127.0.0.1:${httpPort}`;
    await waitFor(async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined), 20_000);
    expect(gateway.output()).toContain('npm run staff -- add');

    const signIn = await fetch(`${base}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ staffNo, pin }) });
    expect(signIn.status).toBe(200);
    expect((await fetch(`${base}/api/queue/desks/1`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);

    const login = { clientId: 'reader-9', username: 'reader-9', password: password ?? '' };
    const reader = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { ...login, reconnectPeriod: 0 });
    await reader.publishAsync(topics.deviceState('demo', 'reader-9'), JSON.stringify({ kind: 'nfc-reader', online: true, health: 'ok', at: new Date().toISOString() }), { qos: 1 });
    await reader.endAsync();

    // Revoked at the console: the next request and the next connection are refused.
    const tokenId = token?.split('.')[1] ?? '';
    await tool('staff-cli.js', ['revoke-token', tokenId, ...args]);
    await tool('devices-cli.js', ['revoke', 'reader-9', ...args]);
    expect((await fetch(`${base}/api/queue/desks/1`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    const again = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { ...login, reconnectPeriod: 0, connectTimeout: 3000 }).then(
      async (c) => (await c.endAsync(true), 'connected'),
      (err: { code?: number }) => err.code,
    );
    expect(again).toBe(4);
  });
});
