/**
 * The lounge boards of `bench:store`, in a worker thread of their own. In the store every board
 * is its own device reading its own socket; in the bench's main thread the 20 boards' reads
 * queued behind each other and behind the desks, kiosks and device emulators sharing that loop
 * (first to last board of one call: p50 3.8 ms, p99 13 ms). Here they still share one thread, but
 * not with the load that drives the gateway.
 *
 * Each board is an mqtt.js client over WebSocket with the real board's subscriptions and its own
 * device token. It posts every call and every stage it sees, with the wall-clock time it saw it
 * (performance.timeOrigin + now(): the same monotonic clock in every thread of the process); the
 * main thread (screens.ts) decides what was measured.
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import mqtt, { type MqttClient } from 'mqtt';
import type { Login } from '../bus-credentials.js';
import { subscriptionsOf } from '../bus-fleet.js';
import type { Member } from '../bus-mix.js';

export interface BoardWorkerData {
  url: string;
  boards: { member: Member; login: Login }[];
}

/** From the worker to the main thread. `at` is wall-clock ms (performance.timeOrigin + now()). */
export type BoardNews =
  | { kind: 'ready' }
  | { kind: 'failed'; error: string }
  | { kind: 'call'; key: string; at: number }
  | { kind: 'stage'; key: string; at: number }
  | { kind: 'problem'; text: string; at: number };

/** From the main thread: end every board's connection, then the worker ends. */
export type BoardOrder = { kind: 'close' };

const clients: MqttClient[] = [];
let closing = false;
const post = (news: BoardNews) => parentPort?.postMessage(news);
const now = () => performance.timeOrigin + performance.now();

async function open(url: string, member: Member, login: Login): Promise<void> {
  const client = await mqtt.connectAsync(url, { ...login, protocolVersion: 4, clean: true, keepalive: 30, reconnectPeriod: 0, connectTimeout: 10_000 }).catch((err: unknown) => {
    throw new Error(`${member.id} could not connect to ${url}: ${(err as Error).message}`);
  });
  (client.stream as Partial<Socket>).setNoDelay?.(true);
  // The board's copy of the workshop board: a stage counts when it changes in that copy.
  const stages = new Map<string, string>();
  client.on('message', (topic, payload) => {
    const at = now();
    const kind = topic.split('/').slice(3);
    try {
      if (kind[0] === 'queue' && kind[1] === 'call' && kind.length === 2) {
        const call = JSON.parse(payload.toString()) as { desk: string; ticketNumber: string; recall: boolean };
        if (!call.recall) post({ kind: 'call', key: `${call.desk}|${call.ticketNumber}`, at });
      } else if (kind[0] === 'workshop' && kind[1] === 'board') {
        const board = JSON.parse(payload.toString()) as { orders: { no: string; stage: string }[] };
        for (const order of board.orders) {
          if (stages.get(order.no) === order.stage) continue;
          stages.set(order.no, order.stage);
          post({ kind: 'stage', key: `${order.no}|${order.stage}`, at });
        }
      }
    } catch (err) {
      post({ kind: 'problem', text: `${member.id} on ${topic}: ${(err as Error).message}`, at });
    }
  });
  client.on('close', () => closing || post({ kind: 'problem', text: `${member.id}: connection closed`, at: now() }));
  clients.push(client);
  const granted = await client.subscribeAsync(subscriptionsOf(member), { qos: 1 });
  const refused = granted.filter((g) => g.qos === 128).map((g) => g.topic);
  if (refused.length > 0) throw new Error(`${member.id}: subscriptions refused: ${refused.join(', ')}`);
}

parentPort?.on('message', (order: BoardOrder) => {
  if (order.kind !== 'close') return;
  closing = true;
  void Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined))).then(() => parentPort?.close());
});

const { url, boards } = workerData as BoardWorkerData;
Promise.all(boards.map(({ member, login }) => open(url, member, login))).then(
  () => post({ kind: 'ready' }),
  (err: unknown) => post({ kind: 'failed', error: (err as Error).message }),
);
