import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import { holdGatewayPublishes } from '../../gateway/src/broker/durable-publish.js';
import type { DurableOutputs } from '../../gateway/src/store/group-commit.js';
import { collect, connectClient } from '../support/mqtt.js';

// A real aedes broker and a real MQTT client: the gateway's own publishes, released together (as
// after an fsync), all reach the subscriber in their order. Bare aedes drops the retained QoS 1
// one when a QoS 0 one started after it overtakes it (moscajs/aedes#994).

/** Nothing to wait for: releases every output at once. */
const alwaysDurable: DurableOutputs = { afterDurable: (release) => release(), whenDurable: () => Promise.resolve() };

let broker: Aedes | undefined;
let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await new Promise<void>((resolve) => (broker ? broker.close(() => resolve()) : resolve()));
  broker = undefined;
  server = undefined;
});

async function storeWithSubscriber(hold: boolean) {
  broker = await Aedes.createBroker();
  if (hold) holdGatewayPublishes(broker, alwaysDurable);
  const b = broker;
  server = createServer((socket) => b.handle(socket));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const board = await connectClient(`mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`);
  await board.subscribeAsync('store/#', { qos: 1 });
  return { board, seen: collect(board) };
}

/** A burst as the queue releases it: snapshots (QoS 1, retained), a call (QoS 1), board changes (QoS 0). */
function burst(b: Aedes, rounds: number): string[] {
  const sent: string[] = [];
  for (let i = 0; i < rounds; i++) {
    for (const [topic, qos, retain] of [['store/snapshot', 1, true], ['store/call', 1, false], ['store/changes', 0, false]] as const) {
      const payload = `${topic} ${i}`;
      sent.push(payload);
      b.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain, dup: false }, () => undefined);
    }
  }
  return sent;
}

describe("the gateway's publishes through aedes", () => {
  it('all arrive, in their order, when released together', async () => {
    const { board, seen } = await storeWithSubscriber(true);
    const sent = burst(broker!, 50);
    await expect.poll(() => seen.messages.length).toBe(sent.length);
    expect(seen.messages.map((m) => m.payload)).toEqual(sent);
    await board.endAsync();
  });

  it('starts the next publish once the one before is routed, not once every subscriber took it', async () => {
    const { board, seen } = await storeWithSubscriber(true);
    // A subscriber inside the broker that never finishes taking the first message: aedes would
    // call that publish back only after it, and a pump waiting for the callback would stall here.
    const stuck: string[] = [];
    await new Promise<void>((resolve) => broker!.subscribe('store/first', (packet, _took) => void stuck.push(String(packet.payload)), resolve));
    const publish = (topic: string) =>
      broker!.publish({ cmd: 'publish', topic, payload: Buffer.from(topic), qos: 1, retain: false, dup: false }, () => undefined);
    publish('store/first');
    publish('store/second');
    await expect.poll(() => seen.messages.map((m) => m.payload)).toEqual(['store/first', 'store/second']);
    expect(stuck).toEqual(['store/first']);
    await board.endAsync();
  });

  it('(bare aedes, for contrast) loses some of the same burst', async () => {
    const { board, seen } = await storeWithSubscriber(false);
    const sent = burst(broker!, 50);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(seen.messages.length).toBeLessThan(sent.length);
    await board.endAsync();
  });
});
