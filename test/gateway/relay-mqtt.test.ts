import Database from 'better-sqlite3';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, expect, it } from 'vitest';
import { DATABASE_FILE } from '@forecourt/gateway';
import { DmsEvent, RelayStatus, RelayStatusMessage, type QueueCommand } from '@forecourt/gateway/protocol';
import { startTestGateway } from '../support/gateway.js';
import { REPO_ROOT, freePort, runGateway, waitFor, type Run } from '../support/process.js';
import { command } from '../support/queue-api.js';
import { describeRealStack } from '../support/real-stack.js';

const run = promisify(execFile);

const STORE = 'relay-chaos';
const PREFIX = 'dealer-test/v1';
const EVENTS_FILTER = `${PREFIX}/${STORE}/events/#`;
const STATUS_TOPIC = `${PREFIX}/${STORE}/status`;
const SERVICES = ['maintenance', 'repair', 'claims', 'sales', 'pickup'];
const DESKS = ['1', '2', '3', '4'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const between = (min: number, max: number) => min + Math.floor(Math.random() * (max - min));

function listening(port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(undefined));
  });
}

/** Ascending numbers as runs, `[3, 4, 5, 9]` → `['3-5', '9']`, so a failure lists what is missing readably. */
function ranges(numbers: number[]): string[] {
  const runs: [number, number][] = [];
  for (const n of numbers) {
    const last = runs.at(-1);
    if (last && n === last[1] + 1) last[1] = n;
    else runs.push([n, n]);
  }
  return runs.map(([from, to]) => (from === to ? String(from) : `${from}-${to}`));
}

/** The dealer group's broker: a real Mosquitto 2 on loopback, restarted on the same port and persistence dir. */
class GroupBroker {
  private child: ChildProcess | undefined;
  private log = '';
  private readonly configFile: string;

  constructor(
    readonly port: number,
    dir: string,
    settings: string[],
  ) {
    this.configFile = join(dir, 'mosquitto.conf');
    // As root, Mosquitto would switch to the mosquitto user, which cannot read or write the private temp dir.
    const lines = [`listener ${port} 127.0.0.1`, `user ${userInfo().username}`, 'log_dest stderr', ...settings, ''];
    writeFileSync(this.configFile, lines.join('\n'));
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn('mosquitto', ['-c', this.configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (this.log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.log += d.toString()));
    this.child = child;
    await waitFor(() => {
      if (child.exitCode !== null) throw new Error(`mosquitto exited ${child.exitCode}:\n${this.log}`);
      return listening(this.port);
    }, 10_000);
  }

  /** SIGTERM: Mosquitto writes its sessions and queued messages to the persistence dir on the way out. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

/** The store's gateway as its own process on a fixed HTTP port and data dir, so it can be killed and started again. */
class StoreProcess {
  current: Run | undefined;

  constructor(
    private readonly configFile: string,
    readonly dataDir: string,
    readonly httpPort: number,
  ) {}

  get httpUrl(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  async start(configFile = this.configFile): Promise<void> {
    this.current = runGateway(['--config', configFile, '--http-port', String(this.httpPort), '--mqtt-port', '0', '--data-dir', this.dataDir]);
    const started = this.current;
    await waitFor(async () => {
      if (started.child.exitCode !== null) throw new Error(`gateway exited:\n${started.output()}`);
      return (await fetch(`${this.httpUrl}/healthz`)).ok || undefined;
    }, 20_000);
  }

  async kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const current = this.current;
    this.current = undefined;
    if (!current || current.child.exitCode !== null) return { code: current?.child.exitCode ?? null, signal: null };
    current.child.kill(signal);
    return current.exited;
  }
}

/**
 * Customers and desks over HTTP, as fast as the gateway answers: a ticket is issued, then every
 * desk takes its next step (call the next, start, finish). A dead gateway is simply tried again.
 */
class TrafficDriver {
  answered = 0;
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly httpUrl: string,
    private readonly auth: Record<string, string>,
  ) {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async send(cmd: QueueCommand): Promise<string | undefined> {
    try {
      const answer = await command(this.httpUrl, cmd, this.auth);
      if (answer.status !== 200) return undefined;
      this.answered += 1;
      return answer.body.event?.ticket?.id;
    } catch {
      // The gateway is down (killed on purpose): the next command tries again.
      await sleep(50);
      return undefined;
    }
  }

  private async run(): Promise<void> {
    const atDesk = new Map<string, { ticketId: string; serving: boolean }>();
    while (!this.stopped) {
      await this.send({ action: 'issue', service: SERVICES[between(0, SERVICES.length)]! });
      for (const desk of DESKS) {
        const current = atDesk.get(desk);
        atDesk.delete(desk);
        if (!current) {
          const ticketId = await this.send({ action: 'call-next', desk });
          if (ticketId) atDesk.set(desk, { ticketId, serving: false });
        } else if (!current.serving) {
          if (await this.send({ action: 'start', desk, ticketId: current.ticketId })) atDesk.set(desk, { ticketId: current.ticketId, serving: true });
        } else {
          await this.send({ action: 'finish', desk, ticketId: current.ticketId });
        }
      }
    }
  }
}

/** Head office's subscriber: a persistent session (fixed client id, clean off, QoS 1) that may leave and come back. */
class HeadOffice {
  readonly received: { topic: string; payload: string }[] = [];
  private client: MqttClient | undefined;

  constructor(private readonly url: string) {}

  /** Subscribes only the first time: after that the broker must have kept the session. */
  async connect(): Promise<void> {
    const first = this.client === undefined;
    const client = mqtt.connect(this.url, { clientId: 'head-office', clean: false, reconnectPeriod: 200, connectTimeout: 5000 });
    // Listening before CONNACK: queued messages follow it at once.
    client.on('message', (topic, payload) => this.received.push({ topic, payload: payload.toString() }));
    this.client = client;
    await new Promise((resolve) => client.once('connect', resolve));
    if (first) await client.subscribeAsync(EVENTS_FILTER, { qos: 1 });
  }

  /** A clean DISCONNECT: the session stays, and the broker queues the store's events for it. */
  async leave(): Promise<void> {
    await this.client?.endAsync();
  }
}

/** Every status message the group sees, with `at` read from it (the will says what it said at connect time). */
function watchStatus(client: MqttClient): { since: (mark: number) => RelayStatusMessage[]; count: () => number } {
  const messages: string[] = [];
  client.on('message', (topic, payload) => {
    if (topic === STATUS_TOPIC) messages.push(payload.toString());
  });
  return {
    since: (mark) => messages.slice(mark).map((m) => RelayStatusMessage.parse(JSON.parse(m))),
    count: () => messages.length,
  };
}

/** What a newcomer to the group broker reads: the retained status. */
async function retainedStatus(url: string): Promise<RelayStatusMessage> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000 });
  try {
    const received = new Promise<Buffer>((resolve) => client.once('message', (_topic, payload) => resolve(payload)));
    await client.subscribeAsync(STATUS_TOPIC, { qos: 1 });
    return RelayStatusMessage.parse(JSON.parse((await received).toString()));
  } finally {
    await client.endAsync();
  }
}

describeRealStack('relay to the dealer group broker (Mosquitto 2)', { binaries: ['mosquitto', 'mosquitto_passwd'], debian: 'mosquitto' }, () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const tempDir = (name: string) => {
    const dir = mkdtempSync(join(tmpdir(), `forecourt-${name}-`));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };

  it(
    'delivers every event at least once, in order per aggregate, through 5 broker restarts and 20 gateway crashes',
    async () => {
      const brokerDir = tempDir('group-broker');
      const broker = new GroupBroker(await freePort(), brokerDir, [
        'allow_anonymous true',
        'persistence true',
        `persistence_location ${brokerDir}/`,
        // Head office may be away while a store sends its backlog: keep all of it for its session.
        'max_queued_messages 0',
      ]);
      await broker.start();
      cleanups.push(() => broker.stop());

      const headOffice = new HeadOffice(broker.url);
      await headOffice.connect();
      cleanups.push(() => headOffice.leave());
      const watcher = await mqtt.connectAsync(broker.url, { clientId: 'status-watcher', reconnectPeriod: 200, connectTimeout: 5000 });
      cleanups.push(() => watcher.endAsync(true));
      const status = watchStatus(watcher);
      await watcher.subscribeAsync(STATUS_TOPIC, { qos: 1 });
      /** A status message from a gateway that connected at or after `since` (ms). */
      const onlineSince = (since: number) => waitFor(() => status.since(0).find((s) => s.online && Date.parse(s.at) >= since), 20_000);

      const dataDir = tempDir('relay-store');
      const writeConfig = (demo: 'auto' | false) => {
        const file = join(dataDir, `forecourt-demo-${demo}.json`);
        const relay = { mqtt: { url: broker.url, topicPrefix: PREFIX }, pollMs: 20 };
        writeFileSync(file, JSON.stringify({ store: { id: STORE }, http: { host: '127.0.0.1' }, mqtt: { host: '127.0.0.1' }, relay, demo, log: { level: 'warn' } }));
        return file;
      };
      const demoConfig = writeConfig('auto');
      const closingTimeConfig = writeConfig(false);
      const store = new StoreProcess(demoConfig, dataDir, await freePort());
      cleanups.push(() => store.kill('SIGKILL'));
      // The driver's manager token, made with the staff tool before the store first starts.
      const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'gateway/dist/tools/staff-cli.js'), 'token', '--name', 'traffic driver', '--role', 'manager', '--config', demoConfig, '--data-dir', dataDir]);
      const auth = { authorization: `Bearer ${stdout.trim().split('\n').at(-1)}` };

      let startedAt = Date.now();
      await store.start();
      await onlineSince(startedAt);
      expect(await retainedStatus(broker.url)).toMatchObject({ storeId: STORE, online: true });
      const driver = new TrafficDriver(store.httpUrl, auth);
      cleanups.push(() => driver.stop());

      // 25 disruptions: 5 broker restarts at random places among 20 gateway crashes.
      const brokerRestarts = new Set<number>();
      while (brokerRestarts.size < 5) brokerRestarts.add(between(0, 25));
      for (let disruption = 0; disruption < 25; disruption++) {
        await sleep(between(100, 1000));
        if (!brokerRestarts.has(disruption)) {
          const mark = status.count();
          expect((await store.kill('SIGKILL')).signal).toBe('SIGKILL');
          // The will: the group learns at once that the store is gone.
          await waitFor(() => status.since(mark).find((s) => !s.online), 10_000);
          startedAt = Date.now();
          await store.start();
        } else {
          // Head office is away while the store goes on: what the broker queued for it must survive the restart.
          await headOffice.leave();
          await sleep(between(100, 500));
          await broker.stop();
          startedAt = Date.now();
          await broker.start();
          await headOffice.connect();
        }
        await onlineSince(startedAt);
      }

      // Closing time: the simulator is off, the last commands go through, head office catches up.
      expect(await store.kill('SIGTERM')).toEqual({ code: 0, signal: null });
      startedAt = Date.now();
      await store.start(closingTimeConfig);
      await onlineSince(startedAt);
      const answeredBefore = driver.answered;
      await waitFor(() => driver.answered >= answeredBefore + 10 || undefined, 10_000);
      await driver.stop();
      await waitFor(async () => {
        const relay = RelayStatus.parse(await (await fetch(`${store.httpUrl}/api/relay/status`, { headers: auth })).json());
        return relay.transports[0]?.backlog === 0 || undefined;
      }, 30_000);
      const mark = status.count();
      const stopAskedAt = Date.now();
      expect(await store.kill('SIGTERM')).toEqual({ code: 0, signal: null });

      const db = new Database(join(dataDir, DATABASE_FILE));
      const lastSeq = db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'outbox'`).pluck().get() as number;
      const outbox = db.prepare('SELECT seq, event_id AS eventId FROM outbox ORDER BY seq').all() as { seq: number; eventId: string }[];
      db.close();

      // A clean stop says offline itself, with the last seq (a will would carry its connect time).
      expect(await waitFor(() => status.since(mark).find((s) => !s.online), 10_000)).toMatchObject({ seq: lastSeq });
      const retained = await retainedStatus(broker.url);
      expect(retained).toMatchObject({ storeId: STORE, online: false, seq: lastSeq });
      expect(Date.parse(retained.at)).toBeGreaterThanOrEqual(stopAskedAt);

      // Head office has the whole day: every seq, each with its one eventId, on its aggregate's topic.
      const missing = () => {
        const seen = new Set(headOffice.received.map((m) => (JSON.parse(m.payload) as { seq: number }).seq));
        return outbox.filter((row) => !seen.has(row.seq)).map((row) => row.seq);
      };
      // What the broker still holds for head office arrives now; whatever is missing after that is lost.
      await waitFor(() => missing().length === 0 || undefined, 10_000).catch(() => undefined);
      expect(ranges(missing())).toEqual([]);
      const parsed = headOffice.received.map((m) => ({ topic: m.topic, result: DmsEvent.safeParse(JSON.parse(m.payload)) }));
      expect(parsed.filter((p) => !p.result.success).map((p) => p.result.error?.message)).toEqual([]);
      const events = parsed.map((p) => ({ topic: p.topic, event: p.result.data! }));
      expect(events.filter(({ topic, event }) => event.storeId !== STORE || topic !== `${PREFIX}/${STORE}/events/${event.aggregate.type}`)).toEqual([]);

      const eventIdOf = new Map<number, string>();
      const conflicting: number[] = [];
      const outOfOrder: string[] = [];
      const lastOfAggregate = new Map<string, number>();
      for (const { event } of events) {
        const known = eventIdOf.get(event.seq);
        if (known !== undefined) {
          // A redelivery: the same event again, never another one under the same seq.
          if (known !== event.eventId) conflicting.push(event.seq);
          continue;
        }
        eventIdOf.set(event.seq, event.eventId);
        const aggregate = `${event.aggregate.type}/${event.aggregate.id}`;
        const previous = lastOfAggregate.get(aggregate) ?? 0;
        if (event.seq < previous) outOfOrder.push(`${aggregate}: ${event.seq} after ${previous}`);
        lastOfAggregate.set(aggregate, event.seq);
      }
      expect(conflicting).toEqual([]);
      expect(outOfOrder).toEqual([]);
      expect(outbox.length).toBe(lastSeq);
      expect(eventIdOf.size).toBe(lastSeq);
      expect(ranges(outbox.filter((row) => eventIdOf.get(row.seq) !== row.eventId).map((row) => row.seq))).toEqual([]);
    },
    100_000,
  );

  it('a broker that refuses the store leaves the store working, the link offline and the events waiting', async () => {
    const brokerDir = tempDir('group-broker-locked');
    const passwordFile = join(brokerDir, 'passwords');
    await run('mosquitto_passwd', ['-b', '-c', passwordFile, 'store-relay-chaos', 'the-right-password']);
    const broker = new GroupBroker(await freePort(), brokerDir, ['allow_anonymous false', `password_file ${passwordFile}`]);
    await broker.start();
    cleanups.push(() => broker.stop());
    // The broker itself is fine: the right password gets in.
    await (await mqtt.connectAsync(broker.url, { username: 'store-relay-chaos', password: 'the-right-password', reconnectPeriod: 0 })).endAsync();

    const gw = await startTestGateway({
      configure: (config) => {
        config.relay.mqtt = { url: broker.url, username: 'store-relay-chaos', password: 'a-wrong-password', topicPrefix: PREFIX, inFlight: 100 };
      },
    });
    cleanups.push(() => gw.dispose());
    const relayStatus = async () => RelayStatus.parse(await (await fetch(`${gw.httpUrl}/api/relay/status`, { headers: gw.admin })).json());
    const refused = await waitFor(async () => {
      const relay = await relayStatus();
      return relay.transports[0]?.lastError ? relay : undefined;
    });
    expect(refused.transports).toEqual([
      expect.objectContaining({ transport: 'mqtt', state: 'offline', ackedThrough: 0, backlog: refused.lastSeq, lastError: expect.stringMatching(/not authori[sz]ed|bad user ?name or password/i) }),
    ]);

    const issued = await command(gw.httpUrl, { action: 'issue', service: 'maintenance' }, gw.admin);
    expect(issued.status).toBe(200);
    expect(issued.body.ticket?.number).toBe('A001');
    const after = await relayStatus();
    expect(after.lastSeq).toBeGreaterThan(refused.lastSeq);
    expect(after.transports).toEqual([expect.objectContaining({ state: 'offline', backlog: after.lastSeq, oldestUnsentAt: expect.any(String) })]);
  });
});
