import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '@forecourt/gateway';
import { topics } from '@forecourt/gateway/protocol';
import { connectClient, nextMessage } from '../support/mqtt.js';
import { freePort, runGateway, waitFor, type Run } from '../support/process.js';
import { enrolScreen } from '../support/identities.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'forecourt-cli-'));

let running: Run | undefined;
afterEach(async () => {
  if (running && running.child.exitCode === null) {
    running.child.kill('SIGKILL');
    await running.exited;
  }
  running = undefined;
});

describe('gateway process (npm start)', () => {
  it('runs on the ports and data dir given by env, serves every page and both MQTT transports, stops on SIGTERM', async () => {
    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    const dataDir = tempDir();
    running = runGateway([], { FORECOURT_HTTP_PORT: String(httpPort), FORECOURT_MQTT_PORT: String(mqttPort), FORECOURT_DATA_DIR: dataDir });
    const base = `http://127.0.0.1:${httpPort}`;
    const health = await waitFor(async () => {
      const res = await fetch(`${base}/healthz`);
      return res.ok ? ((await res.json()) as { ok: boolean }) : undefined;
    });
    expect(health.ok).toBe(true);
    expect(running.output()).toContain(`http://localhost:${httpPort}/kiosk/`);

    for (const page of ['/', '/kiosk/', '/desk/', '/board/']) {
      const res = await fetch(`${base}${page}`);
      expect(res.status, page).toBe(200);
      expect(await res.text(), page).toMatch(/<html/);
    }

    // Demo devices publish on the real broker; both transports see them. Their states are for
    // staff and desk screens: two desk screens, enrolled (the demo approves them at once).
    const [deskA, deskB] = [await enrolScreen(base, 'desk'), await enrolScreen(base, 'desk')];
    const tcp = await connectClient(`mqtt://127.0.0.1:${mqttPort}`, deskA.login);
    const ws = await connectClient(`ws://127.0.0.1:${httpPort}/mqtt`, deskB.login);
    const overTcp = await nextMessage(tcp, topics.deviceState('demo', 'dispenser-1'));
    const overWs = await nextMessage(ws, topics.deviceState('demo', 'dispenser-1'));
    expect(JSON.parse(overTcp.payload.toString()).kind).toBe('dispenser');
    expect(overWs.payload.toString()).toBe(overTcp.payload.toString());
    // In demo mode an anonymous client is let in, as the public: the gateway's status, nothing else.
    const anonymous = await connectClient(`mqtt://127.0.0.1:${mqttPort}`);
    expect(JSON.parse((await nextMessage(anonymous, topics.gatewayStatus('demo'))).payload.toString()).demo).toBe(true);
    await expect(anonymous.subscribeAsync(topics.deviceState('demo', '+'))).rejects.toThrow();
    await Promise.all([tcp.endAsync(), ws.endAsync(), anonymous.endAsync()]);

    const stopAsked = Date.now();
    running.child.kill('SIGTERM');
    const { code } = await running.exited;
    expect(code).toBe(0);
    expect(Date.now() - stopAsked).toBeLessThan(5000);
  });

  it('exits with code 2 and names each problem when the config is invalid', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'forecourt.config.yaml'), 'http:\n  port: -1\nstore:\n  language: fr\n');
    running = runGateway([], { FORECOURT_MQTT_PORT: 'eighteen' }, cwd);
    const { code } = await running.exited;
    expect(code).toBe(2);
    const out = running.output();
    expect(out).toMatch(/http\.port: .*>=0/);
    expect(out).toMatch(/store\.language: /);
    expect(out).toMatch(/FORECOURT_MQTT_PORT: "eighteen"/);
  });

  it('exits with code 2 on a database from a newer gateway', async () => {
    const dataDir = tempDir();
    const db = new Database(join(dataDir, DATABASE_FILE));
    db.pragma('user_version = 999');
    db.close();
    running = runGateway(['--http-port', '0', '--mqtt-port', '0', '--data-dir', dataDir]);
    const { code } = await running.exited;
    expect(code).toBe(2);
    expect(running.output()).toMatch(/schema version 999 is newer/);
  });
});
