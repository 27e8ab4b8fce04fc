import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@forecourt/gateway/protocol';
import { makeStoreCertificates } from '../../gateway/src/tools/store-certificates.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { deviceLogin } from '../support/identities.js';
import { runGateway, waitFor, type Run } from '../support/process.js';
import { describeRealStack } from '../support/real-stack.js';

type Login = { clientId: string; username?: string; password?: string };

const MiB = 1024 * 1024;
const PUBLISH = 0x30;

// Raw MQTT 3.1.1 packets, so a test can misbehave in ways mqtt.js will not.

function remainingLength(length: number): Buffer {
  const bytes: number[] = [];
  do {
    const digit = length % 128;
    length = Math.floor(length / 128);
    bytes.push(length > 0 ? digit | 0x80 : digit);
  } while (length > 0);
  return Buffer.from(bytes);
}

function mqttString(text: string): Buffer {
  const bytes = Buffer.from(text);
  return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
}

function packet(firstByte: number, body: Buffer, declaredLength = body.length): Buffer {
  return Buffer.concat([Buffer.from([firstByte]), remainingLength(declaredLength), body]);
}

/** CONNECT, clean session, keep alive 60 s. */
function connectPacket({ clientId, username, password }: Login): Buffer {
  const flags = 0x02 | (username !== undefined ? 0x80 : 0) | (password !== undefined ? 0x40 : 0);
  const fields = [username, password].filter((f) => f !== undefined).map(mqttString);
  return packet(0x10, Buffer.concat([mqttString('MQTT'), Buffer.from([4, flags, 0, 60]), mqttString(clientId), ...fields]));
}

function subscribePacket(filter: string): Buffer {
  return packet(0x82, Buffer.concat([Buffer.from([0, 1]), mqttString(filter), Buffer.from([0])]));
}

// Everything a test opens is closed after its describe, even when the test failed half-way:
// the gateway's stop waits for its TCP connections to end.
const rawSockets = new Set<Socket>();
const mqttClients = new Set<mqtt.MqttClient>();
function closeAllClients(): void {
  rawSockets.forEach((s) => s.destroy());
  mqttClients.forEach((c) => c.end(true));
}

/** A plain socket that has said nothing yet. */
async function rawSocket(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  rawSockets.add(socket);
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

/** The next `n` bytes the socket receives (it is left flowing). */
function nextBytes(socket: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const onData = (data: Buffer): void => {
      got = Buffer.concat([got, data]);
      if (got.length < n) return;
      socket.off('data', onData).off('close', onClose);
      resolve(got.subarray(0, n));
    };
    const onClose = (): void => reject(new Error(`closed after ${got.length} of ${n} bytes`));
    socket.on('data', onData).once('close', onClose);
  });
}

/** How many PUBLISH packets a byte stream holds (MQTT 3.1.1 §2.2: type, remaining length). */
function publishesIn(bytes: Buffer): number {
  let count = 0;
  for (let at = 0; at < bytes.length; ) {
    if (bytes[at]! >> 4 === PUBLISH >> 4) count++;
    let length = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = bytes[++at]!;
      length += (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    at += 1 + length;
  }
  return count;
}

/** A raw socket after CONNECT, and the return code of the CONNACK it got. */
async function rawConnect(port: number, login: Login): Promise<{ socket: Socket; returnCode: number | undefined }> {
  const socket = await rawSocket(port);
  const connack = nextBytes(socket, 4);
  socket.write(connectPacket(login));
  const [type, length, , returnCode] = await connack;
  expect([type, length]).toEqual([0x20, 2]);
  return { socket, returnCode };
}

async function rawSession(port: number, login: Login): Promise<Socket> {
  const { socket, returnCode } = await rawConnect(port, login);
  expect(returnCode).toBe(0);
  return socket;
}

function closed(socket: Socket): Promise<void> {
  return socket.closed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve()));
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves true if `promise` settles within `ms`, false otherwise. */
function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([promise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
}

async function connectClient(url: string, login: Login | undefined, options: mqtt.IClientOptions = {}): Promise<mqtt.MqttClient> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...login, ...options });
  mqttClients.add(client);
  return client;
}

function clientClosed(client: mqtt.MqttClient): Promise<void> {
  return new Promise((resolve) => client.once('close', () => resolve()));
}

async function metric(gw: TestGateway, reason: string): Promise<number> {
  const text = await (await fetch(`${gw.httpUrl}/metrics`, { headers: gw.admin })).text();
  const line = text.split('\n').find((l) => l.startsWith(`forecourt_mqtt_invalid_messages_dropped_total{reason="${reason}"} `));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

function heartbeat(): string {
  return JSON.stringify({ at: new Date().toISOString(), uptimeS: 1 });
}

/** A valid printer state, padded: the schema ignores unknown fields, the broker forwards the bytes. */
function printerState(padBytes: number): string {
  return JSON.stringify({ kind: 'printer', online: true, health: 'ok', at: new Date().toISOString(), pad: 'x'.repeat(padBytes) });
}

describe('broker limits', () => {
  let gw: TestGateway;
  const MAX_CONNECTIONS = 60;
  beforeAll(async () => {
    gw = await startTestGateway({
      configure: (config) => {
        config.mqtt.maxConnections = MAX_CONNECTIONS;
        config.mqtt.maxPublishPerSecond = 1000;
      },
    });
  });
  afterAll(async () => {
    closeAllClients();
    await gw?.dispose();
  });
  const printer = (id: string) => deviceLogin(gw.gateway, id, 'printer');
  const desk = (id: string) => deviceLogin(gw.gateway, id, 'desk', id);
  const tooLarge = () => metric(gw, 'too-large');

  it('closes a TCP client as soon as a packet declares more than maxPacketBytes, and serves everyone else', async () => {
    const before = await tooLarge();
    const socket = await rawSession(gw.gateway.mqttPort, printer('big-sender'));
    const topic = mqttString(topics.deviceHeartbeat(gw.config.store.id, 'big-sender'));
    socket.write(packet(PUBLISH, Buffer.concat([topic, Buffer.alloc(64 * 1024)]), 10 * MiB));
    expect(await within(closed(socket), 2000)).toBe(true);
    expect(await tooLarge()).toBe(before + 1);

    const client = await connectClient(gw.mqttUrl, printer('small-sender'));
    await client.publishAsync(topics.deviceHeartbeat(gw.config.store.id, 'small-sender'), heartbeat(), { qos: 1 });
    await client.endAsync();
  });

  it('closes a WebSocket client whose MQTT packet is over maxPacketBytes, spread over small messages', async () => {
    const before = await tooLarge();
    const client = await connectClient(gw.wsUrl, printer('big-screen'));
    const gone = clientClosed(client);
    // Each write is one WebSocket message, well under ws' maxPayload.
    const topic = mqttString(topics.deviceHeartbeat(gw.config.store.id, 'big-screen'));
    client.stream.write(packet(PUBLISH, topic, 10 * MiB));
    for (let i = 0; i < 4; i++) client.stream.write(Buffer.alloc(16 * 1024));
    expect(await within(gone, 2000)).toBe(true);
    expect(await tooLarge()).toBe(before + 1);
  });

  it('closes a WebSocket client whose single frame is over maxPacketBytes (ws maxPayload)', async () => {
    const before = await tooLarge();
    const client = await connectClient(gw.wsUrl, printer('pinger'));
    const gone = clientClosed(client);
    // 150,000 PINGREQs in one WebSocket message: each packet is tiny, the frame is not.
    client.stream.write(Buffer.alloc(300 * 1024, Buffer.from([0xc0, 0x00])));
    expect(await within(gone, 2000)).toBe(true);
    expect(await tooLarge()).toBe(before + 1);
  });

  it('disconnects a client over maxPublishPerSecond and counts it', async () => {
    const before = await metric(gw, 'rate-limited');
    const client = await connectClient(gw.mqttUrl, printer('chatty'));
    const gone = clientClosed(client);
    const topic = topics.deviceHeartbeat(gw.config.store.id, 'chatty');
    // Twice the burst (2 × 1000) at once.
    for (let i = 0; i < 4000; i++) client.publish(topic, heartbeat());
    expect(await within(gone, 3000)).toBe(true);
    expect(await metric(gw, 'rate-limited')).toBe(before + 1);
  });

  it('accepts keep alive 0 and long keep alives (MQTT 3.1.1 §3.1.2.10), instead of CONNACK 6', async () => {
    for (const keepalive of [0, 3600]) {
      const client = await connectClient(gw.mqttUrl, printer(`keepalive-${keepalive}`), { keepalive });
      expect(client.connected).toBe(true);
      await client.endAsync();
    }
  });

  it('refuses connections beyond maxConnections, TCP and WebSocket together, and frees the slot on close', async () => {
    const before = await metric(gw, 'too-many-connections');
    const latecomer = printer('latecomer');
    const sockets = await Promise.all(Array.from({ length: MAX_CONNECTIONS + 10 }, () => rawSocket(gw.gateway.mqttPort)));
    await settle(300);
    const held = sockets.filter((s) => !s.closed);
    expect(held).toHaveLength(MAX_CONNECTIONS);
    await expect(connectClient(gw.wsUrl, latecomer, { connectTimeout: 2000 })).rejects.toThrow();
    expect(await metric(gw, 'too-many-connections')).toBe(before + 11);

    held.pop()?.destroy();
    const client = await waitFor(() => connectClient(gw.wsUrl, latecomer, { connectTimeout: 2000 }), 3000);
    await client.endAsync();
    held.forEach((s) => s.destroy());
  });

  it("writes its packets without mqtt-packet's cache of 65,536 number Buffers (6.6 MB of heap)", async () => {
    const filter = topics.deviceStateAll(gw.config.store.id);
    const subscriber = await connectClient(gw.mqttUrl, desk('cache-desk'));
    await subscriber.subscribeAsync(filter, { qos: 1 });
    const got = new Promise((resolve) => subscriber.once('message', resolve));
    const publisher = await connectClient(gw.mqttUrl, printer('cache-printer'));
    await publisher.publishAsync(topics.deviceState(gw.config.store.id, 'cache-printer'), printerState(10), { qos: 1 });
    await got;
    // QoS 1 both ways: the gateway wrote a PUBACK, a SUBACK and a PUBLISH with message ids.
    const numbers = createRequire(import.meta.url)('mqtt-packet/numbers.js') as { cache: Record<number, Buffer> };
    expect(Object.keys(numbers.cache)).toHaveLength(0);
    await Promise.all([subscriber.endAsync(), publisher.endAsync()]);
  });

  it('drops a subscriber that stops reading within the drain timeout, so it cannot stall everyone', async () => {
    const filter = topics.deviceStateAll(gw.config.store.id);
    const frozen = await rawSession(gw.gateway.mqttPort, desk('frozen-desk'));
    const suback = nextBytes(frozen, 5);
    frozen.write(subscribePacket(filter));
    expect([...(await suback)]).toEqual([0x90, 3, 0, 1, 0]);
    frozen.pause();

    const healthy = await connectClient(gw.wsUrl, desk('healthy-desk'));
    let received = 0;
    healthy.on('message', () => received++);
    await healthy.subscribeAsync(filter, { qos: 0 });
    const publisher = await connectClient(gw.mqttUrl, printer('pacer'));

    // 1,000 × 16 KB: far more than the frozen socket's kernel buffers take.
    const slowBefore = await metric(gw, 'slow-consumer');
    const started = Date.now();
    const payload = printerState(16 * 1024);
    for (let i = 0; i < 1000; i++) publisher.publish(topics.deviceState(gw.config.store.id, 'pacer'), payload);
    await waitFor(() => (received === 1000 ? true : undefined), 15_000);
    const elapsed = Date.now() - started;
    console.info(`frozen subscriber: 1,000 × 16 KB delivered to the healthy one in ${elapsed} ms`);
    // The drain timeout is 2 s; the old 10 s stalled every subscriber for as long.
    expect(elapsed).toBeLessThan(7000);

    // Once it reads again, the frozen socket finds that the gateway has closed it: its queue
    // passed 4 × maxPacketBytes (broker/limits.ts), counted as a slow consumer.
    frozen.resume();
    expect(await within(closed(frozen), 5000)).toBe(true);
    expect(await metric(gw, 'slow-consumer')).toBe(slowBefore + 1);
    await Promise.all([healthy.endAsync(), publisher.endAsync()]);
  });

  it('sends a burst to a WebSocket subscriber in a few frames, not one frame per chunk of each message', async () => {
    const filter = topics.deviceStateAll(gw.config.store.id);
    const ws = new WebSocket(gw.wsUrl, 'mqtt');
    await once(ws, 'open');
    const frames: Buffer[] = [];
    ws.on('message', (data: Buffer) => frames.push(data));
    const received = () => Buffer.concat(frames);
    ws.send(connectPacket(desk('framed-desk')));
    await waitFor(() => (received().length >= 4 ? true : undefined), 5000);
    ws.send(subscribePacket(filter));
    await waitFor(() => (received().length >= 4 + 5 ? true : undefined), 5000);
    expect([...received().subarray(4, 9)]).toEqual([0x90, 3, 0, 1, 0]);
    frames.length = 0;

    // One TCP write of twenty publishes: aedes routes them together and delivers each in turn.
    const burst = 20;
    const publisher = await rawSession(gw.gateway.mqttPort, printer('burster'));
    const state = packet(PUBLISH, Buffer.concat([mqttString(topics.deviceState(gw.config.store.id, 'burster')), Buffer.from(printerState(0))]));
    publisher.write(Buffer.concat(Array.from({ length: burst }, () => state)));
    await waitFor(() => (publishesIn(received()) === burst ? true : undefined), 5000);
    // mqtt-packet writes each message as four or five chunks; sent one by one, each was a frame.
    expect(frames.length).toBeLessThan(burst);
    ws.close();
    publisher.destroy();
  });
});

describeRealStack('broker limits over TLS', { binaries: ['openssl'], debian: 'openssl' }, () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      configure: (config) => {
        config.tls = { ...makeStoreCertificates(join(config.dataDir, 'tls'), config.store.id, ['localhost'], ['127.0.0.1']), mqttPort: 0 };
        config.mqtt.maxConnections = 20;
      },
    });
  });
  afterAll(async () => {
    closeAllClients();
    await gw?.dispose();
  });

  it('counts a TLS connection from the TCP accept, so unfinished handshakes cannot pass maxConnections', async () => {
    const sockets = await Promise.all(Array.from({ length: 30 }, () => rawSocket(gw.gateway.mqttTlsPort)));
    await settle(300);
    expect(sockets.filter((s) => !s.closed)).toHaveLength(20);
  });
});

// The process declares no devices, so it runs in demo mode, where anonymous clients may connect.
describe('broker limits in a gateway process (memory)', () => {
  let running: Run;
  let dataDir: string;
  let httpUrl: string;
  let mqttPort: number;
  const rssMiB = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${running.child.pid}/status`, 'utf8'))?.[1]) / 1024;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'forecourt-limits-'));
    running = runGateway(['--http-port', '0', '--mqtt-port', '0', '--data-dir', dataDir]);
    const ports = await waitFor(() => /MQTT\s+mqtt:\/\/localhost:(\d+)\s+and\s+ws:\/\/localhost:(\d+)\/mqtt/.exec(running.output()) ?? undefined, 20_000);
    mqttPort = Number(ports[1]);
    httpUrl = `http://127.0.0.1:${ports[2]}`;
    await settle(1000);
  });
  afterAll(async () => {
    closeAllClients();
    if (running.child.exitCode === null) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Writes `header`, then up to 64 MiB of its body until the gateway closes the socket. */
  async function sendOversize(socket: Socket, header: Buffer): Promise<number> {
    socket.write(header);
    const chunk = Buffer.alloc(MiB, 0x20);
    let sent = 0;
    while (sent < 64 * MiB && !socket.destroyed) {
      if (!socket.write(chunk)) await Promise.race([new Promise((r) => socket.once('drain', r)), closed(socket)]);
      sent += chunk.length;
    }
    return sent;
  }

  it.each([
    ['PUBLISH (after an anonymous CONNECT)', () => rawSession(mqttPort, { clientId: 'huge-sender' }), PUBLISH],
    ['CONNECT (before any credentials)', () => rawSocket(mqttPort), 0x10],
  ])('closes a 200 MB %s as its header arrives, without buffering the body', async (what, open, firstByte) => {
    const before = rssMiB();
    const socket = await open();
    const topic = mqttString(topics.deviceHeartbeat('demo', 'huge-sender'));
    const sent = await sendOversize(socket, packet(firstByte, topic, topic.length + 200 * MiB));
    expect(await within(closed(socket), 2000)).toBe(true);
    await settle(500);
    const after = rssMiB();
    console.info(`200 MB ${what}: gateway RSS ${before.toFixed(0)} → ${after.toFixed(0)} MiB, ${sent / MiB} MiB written before the close`);
    expect(sent).toBeLessThan(64 * MiB);
    expect(after - before).toBeLessThan(20);
    expect((await fetch(`${httpUrl}/healthz`)).status).toBe(200);
  });

  it('survives 5,000 idle sockets: the connection cap refuses most, the connect timeout closes the rest', async () => {
    const before = rssMiB();
    const sockets: Socket[] = [];
    // In batches, so the listen backlog never overflows into SYN retries.
    for (let batch = 0; batch < 20; batch++) {
      sockets.push(...(await Promise.all(Array.from({ length: 250 }, () => rawSocket(mqttPort)))));
    }
    await settle(500);
    const peak = rssMiB();
    const open = sockets.filter((s) => !s.closed).length;
    expect(open).toBeLessThanOrEqual(2000);
    expect((await fetch(`${httpUrl}/healthz`)).status).toBe(200);

    // aedes' connectTimeout (10 s) closes every socket that never sent CONNECT.
    await waitFor(() => (sockets.every((s) => s.closed) ? true : undefined), 14_000, 200);
    const after = rssMiB();
    console.info(`5,000 idle sockets: gateway RSS ${before.toFixed(0)} → peak ${peak.toFixed(0)} → ${after.toFixed(0)} MiB, ${open} held at the peak`);
    expect(peak - before).toBeLessThan(60);
    // A new client is answered again (whether it is let in is for the access rules to say).
    const { returnCode } = await rawConnect(mqttPort, { clientId: 'after-the-flood' });
    expect(returnCode).toBeDefined();
  }, 30_000);
});
