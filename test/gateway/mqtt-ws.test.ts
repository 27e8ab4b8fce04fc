import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MqttWs, type WebSocketLike } from '../../screen-lib/src/mqtt-ws.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { deviceLogin } from '../support/identities.js';

// The screens' own MQTT client (screen-lib/src/mqtt-ws.ts) against the gateway's real broker over
// WebSocket, with `ws` standing in for the browser's WebSocket.

const Socket = WebSocket as unknown as new (url: string, protocols: string) => WebSocketLike;
const decode = (payload: Uint8Array) => JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;

function until<T>(register: (done: (value: T) => void) => void, what: string, ms = 8000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    register((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

describe('the screens\u2019 MQTT-over-WebSocket client', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.dispose());

  const open = (login: { clientId: string; username?: string; password?: string }) =>
    new MqttWs(gw.wsUrl, { ...login, keepalive: 15, reconnectPeriod: 300, connectTimeout: 5000, WebSocket: Socket });

  it('logs in as the device, gets retained messages, and a large one whole', async () => {
    const client = open(deviceLogin(gw.gateway, 'board-31', 'board'));
    try {
      const info = until<Record<string, unknown>>((done) => client.on('message', (topic, payload) => topic.endsWith('/store/info') && done(decode(payload))), 'store info');
      client.subscribe(['forecourt/v1/+/store/info', 'forecourt/v1/+/workshop/board']);
      expect((await info)['timeZone']).toBeTypeOf('string');

      // A board snapshot of 80 orders: over 16 kB, so a three-byte remaining length, and more than one frame's worth.
      const board = until<Record<string, unknown>>(
        (done) => client.on('message', (topic, payload) => topic.endsWith('/workshop/board') && ((decode(payload)['orders'] as unknown[]) ?? []).length === 80 && done(decode(payload))),
        'a board of 80 orders',
        20_000,
      );
      for (let i = 0; i < 80; i++) {
        const res = await fetch(`${gw.httpUrl}/api/workshop/commands`, {
          method: 'POST',
          headers: { ...gw.admin, 'content-type': 'application/json' },
          body: JSON.stringify({ action: 'open', plate: `粤B·${String(40000 + i)}`, model: 'Toyota Camry with a long model name', advisor: '王芳', jobs: [{ title: 'Oil service', technicians: ['张伟'] }] }),
        });
        expect(res.status).toBe(200);
      }
      const snapshot = await board;
      expect(new TextEncoder().encode(JSON.stringify(snapshot)).length).toBeGreaterThan(16_384);
    } finally {
      client.end();
    }
  }, 60_000);

  it('says so once when the broker refuses the login, and does not try again', async () => {
    const login = deviceLogin(gw.gateway, 'board-32', 'board');
    const client = open({ ...login, password: `${login.password.slice(0, -2)}xx` });
    let reconnects = 0;
    client.on('reconnect', () => reconnects++);
    const code = await until<number>((done) => client.on('refused', done), 'refusal');
    expect([4, 5]).toContain(code);
    await new Promise((r) => setTimeout(r, 1500));
    expect(reconnects).toBe(0);
    client.end();
  });

  it('reconnects by itself after the gateway restarts, and subscribes again', async () => {
    const port = Number(new URL(gw.httpUrl).port);
    const client = open(deviceLogin(gw.gateway, 'board-33', 'board'));
    try {
      let infos = 0;
      client.on('message', (topic) => topic.endsWith('/store/info') && infos++);
      client.subscribe(['forecourt/v1/+/store/info']);
      await until<void>((done) => client.on('connect', () => done()), 'connect');
      await expect.poll(() => infos).toBe(1);
      const closed = until<void>((done) => client.on('close', () => done()), 'close');
      await gw.stop();
      await closed;
      gw = await startTestGateway({ dataDir: gw.dataDir, httpPort: port });
      await until<void>((done) => client.on('connect', () => done()), 'reconnect', 15_000);
      await expect.poll(() => infos, { timeout: 5000 }).toBe(2);
    } finally {
      client.end();
    }
  }, 40_000);
});
