import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import type { RelayConfig } from '../config/relay.js';
import type { RelayStatusMessage } from '../protocol/dms.js';
import type { SerializedEvent } from '../store/outbox.js';
import { BackgroundLoop, LinkState, type LinkDeps, type RelayLink } from './link.js';

type MqttConfig = NonNullable<RelayConfig['mqtt']>;

/** Group-broker topics of one store. */
export function groupTopics(prefix: string, storeId: string) {
  return {
    status: `${prefix}/${storeId}/status`,
    events: (aggregateType: string) => `${prefix}/${storeId}/events/${aggregateType}`,
  };
}

/**
 * Publishes the outbox to the dealer group's broker: a persistent session (clean off), QoS 1,
 * in seq order on one connection, so each aggregate's events (always on the same topic) arrive
 * in order. The cursor moves to the highest seq whose PUBACK arrived with all before it. After a
 * lost connection, or a restart, publishing starts again after the cursor: a receiver may see an
 * event twice (same `eventId`) but never misses one. A retained status with a will tells the
 * group whether the store is online.
 */
export class MqttLink implements RelayLink {
  readonly name = 'mqtt' as const;
  readonly state: LinkState;
  private client: MqttClient | undefined;
  private readonly loop = new BackgroundLoop((signal) => this.run(signal));
  /** Seqs published on the current connection and not yet acknowledged, in order. */
  private inFlight = new Map<number, boolean>();
  private nextSeq = 0;
  private wake: (() => void) | undefined;

  constructor(
    private readonly deps: LinkDeps<MqttConfig>,
    private readonly hooks: { sent: (events: number) => void; failed: (code: string) => void },
  ) {
    this.state = new LinkState('mqtt', deps.now);
  }

  private get topics() {
    return groupTopics(this.deps.config.topicPrefix, this.deps.storeId);
  }

  start(): Promise<void> {
    const { config, storeId, log } = this.deps;
    const client = mqtt.connect(config.url, {
      clientId: `forecourt-${storeId}`,
      clean: false,
      ...(config.username ? { username: config.username } : {}),
      ...(config.password ? { password: config.password } : {}),
      ...(config.ca ? { ca: readFileSync(config.ca) } : {}),
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      will: { topic: this.topics.status, payload: Buffer.from(JSON.stringify(this.status(false))), qos: 1, retain: true },
    });
    this.client = client;
    client.on('connect', () => {
      this.restartFromCursor();
      this.state.connected();
      client.publish(this.topics.status, JSON.stringify(this.status(true)), { qos: 1, retain: true });
      log.info({ url: config.url }, 'group broker connected');
      this.wake?.();
    });
    client.on('close', () => {
      const wasConnected = this.state.condition === 'connected';
      if (wasConnected) log.warn('group broker connection lost; events wait in the outbox');
      // A refused or failed attempt also ends in a close: keep its reason for the desk.
      this.state.failed(wasConnected ? 'connection closed' : (this.state.lastError ?? 'connection closed'));
      this.restartFromCursor();
      this.hooks.failed('disconnected');
    });
    client.on('error', (err) => {
      this.state.failed(err.message);
      log.warn({ err: err.message }, 'group broker refused or failed');
    });
    this.loop.start();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    // A clean stop says offline itself (the will is for crashes).
    if (client.connected) await client.publishAsync(this.topics.status, JSON.stringify(this.status(false)), { qos: 1, retain: true }).catch(() => undefined);
    await client.endAsync();
  }

  private status(online: boolean): RelayStatusMessage {
    return { storeId: this.deps.storeId, online, at: this.deps.now().toISOString(), seq: this.deps.outbox.lastSeq() };
  }

  /** Forget what was in flight: it is published again after the acknowledged cursor. */
  private restartFromCursor(): void {
    this.inFlight = new Map();
    this.nextSeq = this.deps.outbox.ackedThrough('mqtt') + 1;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { outbox, storeId, config, pollMs, outputs } = this.deps;
    this.restartFromCursor();
    while (!signal.aborted) {
      const client = this.client;
      const room = config.inFlight - this.inFlight.size;
      const batch = client?.connected && room > 0 ? outbox.afterSerialized(storeId, this.nextSeq - 1, room) : [];
      if (batch.length === 0) {
        await this.idle(pollMs, signal);
        continue;
      }
      // Head office never gets an event a power cut could take back from the store.
      const durable = await outputs.whenDurable().then(
        () => true,
        () => false,
      );
      if (durable && client?.connected && !signal.aborted) for (const event of batch) this.publish(client, event);
      else await this.idle(pollMs, signal);
    }
  }

  /** Until an acknowledgement makes room, a connection comes, the link stops, or `ms` pass. */
  private idle(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  private publish(client: MqttClient, event: SerializedEvent): void {
    this.inFlight.set(event.seq, false);
    this.nextSeq = event.seq + 1;
    const generation = this.inFlight;
    client.publish(this.topics.events(event.aggregateType), event.json, { qos: 1 }, (err) => {
      // An answer for a connection that has since been dropped moves nothing.
      if (err || generation !== this.inFlight) return;
      this.acknowledged(event.seq);
    });
  }

  /** PUBACKs may come out of order; the cursor moves over the contiguous acknowledged prefix. */
  private acknowledged(seq: number): void {
    this.inFlight.set(seq, true);
    let through = 0;
    let count = 0;
    for (const [s, acked] of this.inFlight) {
      if (!acked) break;
      through = s;
      count += 1;
    }
    if (count === 0) return;
    for (const [s] of this.inFlight) {
      if (s > through) break;
      this.inFlight.delete(s);
    }
    this.deps.outbox.ack('mqtt', through, this.deps.now().toISOString());
    this.state.delivered();
    this.hooks.sent(count);
    this.wake?.();
  }
}
