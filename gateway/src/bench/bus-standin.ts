/**
 * The gateway stand-in of `bench:bus` on Mosquitto: the gateway as it would run with an external
 * broker. Everything but the broker is the gateway's own code — the same extensions (status,
 * device monitor, queue, workshop, members, printing) on the same SQLite stores, the same HTTP
 * stack (createHttpServer: access hooks, bearer tokens, the queue routes) — connected to
 * Mosquitto as one MQTT client. Its publishes (queue/*, workshop/board/changes, kiosk and desk
 * sessions, scan results) are what the screens receive; its subscriptions (taps, scans, states)
 * are the devices' messages the gateway consumes.
 *
 * The extensions talk to "the broker" through four calls of aedes' API (publish, subscribe,
 * unsubscribe, and the retained store); ShimBroker provides them over mqtt.js:
 * - publish: sent with the packet's QoS and retain flag; the callback comes once the packet is
 *   queued on the connection (as aedes calls back once it is queued to its subscribers), not
 *   after Mosquitto's PUBACK, so the queue service's sequential publishes do not wait a round trip.
 * - subscribe: one MQTT subscription (QoS 1) per filter, messages dispatched to the handlers.
 * - the retained store (retainQuietly: replace a retained message without sending it to the
 *   screens subscribed now) has no MQTT equivalent: the stand-in leaves the retained board as
 *   it is. Screens connected during the run never see the difference; only a screen subscribing
 *   later would start from an older board.
 *
 * Run by bus-bench.ts: `node bus-standin.js --config FILE --broker mqtt://127.0.0.1:PORT
 * --http-port N`, credentials in BUS_STANDIN_USERNAME / BUS_STANDIN_PASSWORD. Prints `READY` when
 * started; SIGTERM stops it.
 */
import type { Socket } from 'node:net';
import { topicMatches } from '../protocol/index.js';
import { storeInfoOf } from '../config/store-info.js';
import { parseArgs } from 'node:util';
import type { Aedes, AedesPublishPacket } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { DeviceMonitor } from '../extensions/device-monitor.js';
import type { Extension, ExtensionContext } from '../extensions/extension.js';
import { memberExtensions } from '../extensions/member-extensions.js';
import { printingExtensions } from '../extensions/printing-extensions.js';
import { QueueService } from '../extensions/queue-service.js';
import { StatusPublisher } from '../extensions/status-publisher.js';
import { workshopExtensions } from '../extensions/workshop-extensions.js';
import { WorkshopService } from '../extensions/workshop-service.js';
import { holdGatewayPublishes } from '../broker/durable-publish.js';
import { GroupCommit } from '../store/group-commit.js';
import { WalCheckpointer } from '../store/wal-checkpointer.js';
import { createHttpServer } from '../http/server.js';
import { Identity } from '../identity/identity.js';
import { createLogger, loadConfig, openDatabase } from '../index.js';
import { GatewayMetrics } from '../observability/metrics.js';
import { databaseBytes } from '../store/database.js';
import { GATEWAY_VERSION } from '../version.js';

type Handler = (packet: AedesPublishPacket, done: () => void) => void;

/** The part of aedes' API the gateway's extensions use, over an MQTT client connection. */
class ShimBroker {
  private readonly handlers = new Map<string, Handler[]>();
  /** retainQuietly writes here: no MQTT equivalent (see the header). */
  readonly persistence = { storeRetained: async (): Promise<void> => undefined };
  /**
   * aedes' publish counter and router, which the gateway's publish hold reads (durable-publish.ts):
   * numbered as aedes numbers; nothing is routed here, so each publish's callback ends its turn.
   */
  counter = 0;
  readonly mq = { emit: (): void => undefined };

  constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const forwarded = { cmd: 'publish', topic, payload, qos: packet.qos, retain: packet.retain, dup: false } as AedesPublishPacket;
      for (const [filter, list] of this.handlers) {
        if (topicMatches(filter, topic)) for (const handler of list) handler(forwarded, () => undefined);
      }
    });
  }

  /** Called as aedes' is: (packet, done), or (packet, client, done) as the gateway's publish hold does. */
  publish(packet: { topic: string; payload: Buffer | string; qos: 0 | 1 | 2; retain: boolean }, clientOrDone: unknown, done?: (err?: Error) => void): void {
    const callback = typeof clientOrDone === 'function' ? (clientOrDone as (err?: Error) => void) : done;
    this.counter += 1;
    this.client.publish(packet.topic, packet.payload, { qos: packet.qos, retain: packet.retain }, (err) => {
      if (err) process.stderr.write(`stand-in: publish ${packet.topic} failed: ${err.message}\n`);
    });
    process.nextTick(() => callback?.());
  }

  subscribe(filter: string, handler: Handler, done: () => void): void {
    const list = this.handlers.get(filter) ?? [];
    list.push(handler);
    this.handlers.set(filter, list);
    if (list.length > 1) return done();
    this.client.subscribe(filter, { qos: 1 }, (err, granted) => {
      if (err || granted?.some((g) => g.qos === 128)) process.stderr.write(`stand-in: subscription to ${filter} refused\n`);
      done();
    });
  }

  unsubscribe(filter: string, handler: Handler, done: () => void): void {
    const list = (this.handlers.get(filter) ?? []).filter((h) => h !== handler);
    if (list.length > 0) {
      this.handlers.set(filter, list);
      return done();
    }
    this.handlers.delete(filter);
    this.client.unsubscribe(filter, () => done());
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string' }, broker: { type: 'string' }, 'http-port': { type: 'string' } }, strict: true });
  if (!values.config || !values.broker || !values['http-port']) throw new Error('usage: bus-standin --config FILE --broker URL --http-port N');
  const { config } = loadConfig(['--config', values.config, '--http-port', values['http-port']], {}, process.cwd());
  const log = createLogger(config.log.level, false);
  const db = openDatabase(config.dataDir, { durability: 'group' });
  const outputs = new GroupCommit({
    db,
    onFailure: (err) => {
      log.fatal({ err }, 'fsync failed');
      process.exit(1);
    },
  });
  await outputs.start();
  new WalCheckpointer({ db, log }).start();
  const now = () => new Date();
  const username = process.env['BUS_STANDIN_USERNAME'] ?? '';
  const client = await mqtt.connectAsync(values.broker, {
    clientId: username,
    username,
    password: process.env['BUS_STANDIN_PASSWORD'] ?? '',
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    keepalive: 60,
  });
  (client.stream as Partial<Socket>).setNoDelay?.(true);
  const broker = new ShimBroker(client) as unknown as Aedes;
  // The same durability as the gateway's own broker: publishes wait for the commits before them.
  holdGatewayPublishes(broker, outputs);
  const metrics = new GatewayMetrics({ connectedClients: () => 0, databaseBytes: () => databaseBytes(db) });
  const identity = new Identity(db, { storeId: config.store.id, demo: false, ...config.auth }, now, log.child({ component: 'identity' }));
  const ctx: ExtensionContext = { config, broker, db, outputs, log, metrics, mqttPort: () => Number(new URL(values.broker ?? '').port), now, identity };

  // The gateway's extensions, in the gateway's order (gateway.ts createExtensions, demo off).
  const queue = new QueueService(ctx);
  const workshop = new WorkshopService(ctx, queue);
  const extensions: Extension[] = [
    new StatusPublisher(ctx, GATEWAY_VERSION, false),
    new DeviceMonitor(ctx),
    queue,
    ...workshopExtensions(ctx, workshop, false),
    ...memberExtensions(ctx, queue, false),
    ...printingExtensions(ctx, queue, workshop, false),
  ];
  let ready = false;
  const { app: http } = await createHttpServer({
    log,
    metrics,
    health: () => ({ ok: ready, checks: { broker: client.connected } }),
    bundles: [],
    store: storeInfoOf(config),
    extensions,
    identity,
    outputs,
  });
  await http.listen({ host: config.http.host, port: config.http.port });
  for (const ext of extensions) await ext.start();
  ready = true;
  process.stdout.write('READY\n');

  const stop = async () => {
    for (const ext of [...extensions].reverse()) await ext.stop().catch(() => undefined);
    await http.close();
    await client.endAsync();
    db.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  client.on('close', () => {
    if (ready) process.stderr.write('stand-in: connection to mosquitto closed\n');
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`bus-standin failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
