import { existsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '@forecourt/gateway';
import { topics, type DeviceKind } from '@forecourt/gateway/protocol';
import { connectClient } from '../support/mqtt.js';
import { installStore, killStore, provisionDevice, startStore, staffTokenOf, type RunningStore } from '../support/store-process.js';

// A stop as systemd does it, with the store busy: devices on MQTT over TCP, screens on MQTT over
// WebSocket, all still connected and reconnecting like real ones, and HTTP requests in flight.

let store: RunningStore | undefined;
const clients: MqttClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await killStore(store);
  store = undefined;
});

const TCP_DEVICES: [string, DeviceKind][] = [
  ['reader-1', 'nfc-reader'],
  ['dispenser-1', 'dispenser'],
  ['scanner-1', 'barcode-scanner'],
];
const WS_SCREENS: [string, DeviceKind][] = [
  ['board-1', 'board'],
  ['desk-screen-1', 'desk'],
];

describe('SIGTERM with devices, screens and requests still there', () => {
  it('tells every screen, answers every request, closes every connection and exits 0 within 3 s', async () => {
    const install = installStore();
    const logins = new Map<string, { clientId: string; username: string; password: string }>();
    for (const [id, kind] of [...TCP_DEVICES, ...WS_SCREENS]) logins.set(id, await provisionDevice(install, id, kind, kind === 'desk' ? '1' : undefined));
    const manager = await staffTokenOf(install, 'manager');
    store = await startStore(install);
    const running = store;
    const httpPort = Number(new URL(running.httpUrl).port);

    // Real clients: they reconnect after a second, as devices and screens do.
    const statusTopic = topics.gatewayStatus('demo');
    const offline: Promise<void>[] = [];
    for (const [id] of TCP_DEVICES) clients.push(await connectClient(running.mqttUrl, { ...logins.get(id), reconnectPeriod: 1000 }));
    for (const [id] of WS_SCREENS) clients.push(await connectClient(running.wsUrl, { ...logins.get(id), reconnectPeriod: 1000 }));
    for (const client of clients) {
      offline.push(
        new Promise((resolve) =>
          client.on('message', (topic, payload) => {
            if (topic === statusTopic && (JSON.parse(payload.toString()) as { online: boolean }).online === false) resolve();
          }),
        ),
      );
      await client.subscribeAsync(statusTopic, { qos: 1 });
    }
    const closed = clients.map((c) => new Promise<void>((resolve) => c.once('close', () => resolve())));
    // And a device that has connected but not yet sent CONNECT: not aedes' client yet, but its socket.
    const { port: mqttPort } = new URL(running.mqttUrl);
    const connecting = connect(Number(mqttPort), '127.0.0.1');
    await new Promise<void>((resolve) => connecting.once('connect', resolve));
    const connectingClosed = new Promise<void>((resolve) => connecting.once('close', () => resolve()));

    // A request whose body is still on its way (in flight for as long as the client likes), and
    // commands sent just before the signal, each on its own connection.
    const slow = await rawRequest(httpPort, 'POST', '/api/queue/commands', manager, JSON.stringify({ action: 'issue', service: 'repair', priority: 'regular' }), 'half');
    const quick = await Promise.all(
      Array.from({ length: 4 }, () => rawRequest(httpPort, 'POST', '/api/queue/commands', manager, JSON.stringify({ action: 'issue', service: 'maintenance' }), 'all')),
    );
    await new Promise((r) => setTimeout(r, 20));

    const asked = Date.now();
    running.run.child.kill('SIGTERM');
    const { code, signal } = await running.run.exited;
    const tookMs = Date.now() - asked;

    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(tookMs).toBeLessThanOrEqual(3000);
    expect(running.run.output()).not.toMatch(/exiting anyway/);
    expect(running.run.output()).toMatch(/stopped cleanly/);
    await expect(Promise.all(offline)).resolves.toBeDefined();
    await expect(Promise.all([...closed, connectingClosed])).resolves.toBeDefined();
    // Every request got an answer: done before the stop, or 503 while stopping; never a reset.
    expect(await slow.answer).toMatch(/^HTTP\/1\.1 503 [\s\S]*"code":"stopping"/);
    for (const request of quick) expect(await request.answer).toMatch(/^HTTP\/1\.1 (200|503) /);
    // The database was closed: SQLite removes the WAL file when its last connection closes.
    expect(existsSync(join(install.dataDir, `${DATABASE_FILE}-wal`))).toBe(false);
  });
});

/**
 * One HTTP/1.1 request on its own connection, all of its body sent or only half. `answer` is all
 * the server sent until it closed the connection ('' when it was reset without a word).
 */
async function rawRequest(
  port: number,
  method: string,
  path: string,
  token: string,
  body: string,
  send: 'all' | 'half',
): Promise<{ answer: Promise<string> }> {
  const socket: Socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  const answer = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
  socket.on('error', () => undefined);
  const sent = send === 'all' ? body : body.slice(0, Math.floor(body.length / 2));
  socket.write(
    `${method} ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${sent}`,
  );
  return { answer };
}
