import { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AEDES_LIMITS, ConnectionGuard } from '../../../gateway/src/broker/limits.js';
import { GatewayMetrics } from '../../../gateway/src/observability/metrics.js';

// A client's outgoing queue (broker/limits.ts): aedes' writes are taken at once, so it never
// waits for one client, and what the client has not read is bounded in bytes and in time.
// The client is a stream that takes a write only when it is told to read (like a socket whose
// peer stopped reading, with the kernel's buffers full).

const MAX_PACKET = 4096;
const MAX_QUEUED = 4 * MAX_PACKET;

function setUp() {
  const metrics = new GatewayMetrics({ connectedClients: () => 0, databaseBytes: () => 0 });
  const guard = new ConnectionGuard({ maxPacketBytes: MAX_PACKET, maxConnections: 10, maxPublishPerSecond: 100 }, pino({ level: 'silent' }), metrics);
  let reading = false;
  const unread: (() => void)[] = [];
  const client = new Duplex({
    highWaterMark: 1024,
    read: () => undefined,
    write: (_chunk, _encoding, taken: () => void) => (reading ? taken() : unread.push(taken)),
  });
  /** The client reads everything waiting, and from now on each write as it comes. */
  const read = () => {
    reading = true;
    unread.splice(0).forEach((taken) => taken());
  };
  const conn = guard.limit(client, new Socket());
  conn.on('error', () => undefined);
  const slowConsumers = async () => (await metrics.invalidDropped.get()).values.find((v) => v.labels.reason === 'slow-consumer')?.value ?? 0;
  return { read, conn, slowConsumers };
}

/** Writes `n` chunks of `bytes` and says for each whether the writer was asked to wait. */
function writeAll(conn: NodeJS.WritableStream, n: number, bytes: number): boolean[] {
  return Array.from({ length: n }, () => conn.write(Buffer.alloc(bytes)));
}

describe('outgoing queue of an MQTT client', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('takes every write at once while the client keeps up', async () => {
    const { read, conn, slowConsumers } = setUp();
    read();
    expect(writeAll(conn, 100, 1000).every(Boolean)).toBe(true);
    await vi.advanceTimersByTimeAsync(AEDES_LIMITS.drainTimeout * 2);
    expect(conn.destroyed).toBe(false);
    expect(await slowConsumers()).toBe(0);
  });

  it('never asks aedes to wait, and cuts off a client more than 4 packets behind at once', async () => {
    const { conn, slowConsumers } = setUp();
    expect(writeAll(conn, MAX_QUEUED / MAX_PACKET, MAX_PACKET).every(Boolean)).toBe(true);
    expect(conn.destroyed).toBe(false);
    writeAll(conn, 1, 1);
    expect(conn.destroyed).toBe(true);
    expect(await slowConsumers()).toBe(1);
  });

  it('cuts off a client whose queue has not drained for the drain timeout', async () => {
    const { conn, slowConsumers } = setUp();
    writeAll(conn, 2, MAX_PACKET);
    await vi.advanceTimersByTimeAsync(AEDES_LIMITS.drainTimeout - 100);
    expect(conn.destroyed).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(conn.destroyed).toBe(true);
    expect(await slowConsumers()).toBe(1);
  });

  it('keeps a client that reads its queue before the drain timeout', async () => {
    const { read, conn, slowConsumers } = setUp();
    writeAll(conn, 2, MAX_PACKET);
    await vi.advanceTimersByTimeAsync(AEDES_LIMITS.drainTimeout - 100);
    read();
    await vi.advanceTimersByTimeAsync(AEDES_LIMITS.drainTimeout * 2);
    expect(conn.destroyed).toBe(false);
    expect(await slowConsumers()).toBe(0);
  });
});
