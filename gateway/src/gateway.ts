import { readFileSync } from 'node:fs';
import type { Server as TcpServer } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import type { Aedes } from 'aedes';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { WebSocketServer } from 'ws';
import { attachWebSocket, boundPort, closeServer, listenTcp, listenTls, type TlsCredentials } from './broker/listeners.js';
import { createBroker } from './broker/broker.js';
import { brokerEcho } from './broker/broker-echo.js';
import { ConnectionGuard } from './broker/limits.js';
import type { Config } from './config/schema.js';
import { DemoHeadOffice } from './demo/demo-head-office.js';
import { DemoStore } from './demo/demo-store.js';
import { DataRetention } from './extensions/data-retention.js';
import { Statistics } from './extensions/statistics.js';
import { Backups } from './extensions/backups.js';
import { DeviceMonitor } from './extensions/device-monitor.js';
import type { Extension, ExtensionContext } from './extensions/extension.js';
import { QueueService } from './extensions/queue-service.js';
import { StatusPublisher } from './extensions/status-publisher.js';
import { workshopExtensions } from './extensions/workshop-extensions.js';
import { WorkshopService } from './extensions/workshop-service.js';
import { memberExtensions } from './extensions/member-extensions.js';
import { MemberDirectory } from './extensions/member-directory.js';
import { SurveyService } from './extensions/survey-service.js';
import { FollowUpService } from './extensions/follow-up-service.js';
import { printingExtensions } from './extensions/printing-extensions.js';
import { createHttpServer } from './http/server.js';
import { StopGate } from './http/stop-gate.js';
import { uiBundles } from './http/ui-bundles.js';
import { GatewayMetrics } from './observability/metrics.js';
import { databaseBytes, openDatabase, type Db } from './store/database.js';
import { GroupCommit, type SyncFile } from './store/group-commit.js';
import { WalCheckpointer } from './store/wal-checkpointer.js';
import { GATEWAY_VERSION } from './version.js';
import { Identity } from './identity/identity.js';
import { storeInfoOf } from './config/store-info.js';
import { seedDemoStaff } from './demo/demo-staff.js';
import { RelayService } from './relay/relay-service.js';
import { DataDirLock } from './supervision/data-dir-lock.js';
import { RequestLedger } from './store/request-ledger.js';

/** How long requests running when a stop begins may take to answer before they are answered 503. */
const REQUEST_GRACE_MS = 1000;
/** A message through the broker to itself takes well under a millisecond; this long means stuck. */
const BROKER_ECHO_TIMEOUT_MS = 2000;

export interface GatewayDeps {
  log: Logger;
  now?: () => Date;
  /**
   * The disk refused an fsync: commits since the last good one may be lost, and nothing that shows
   * them has left. The process should end now (main.ts exits 1); at restart SQLite recovers the file.
   */
  onDurabilityLost?: (err: unknown) => void;
  /** The fsync the group commit uses (tests give a slow or failing disk). */
  syncFile?: SyncFile;
}

/** `auto` means demo while no real device of any kind is declared, so a store never gets demo data. */
export function demoEnabled(config: Config): boolean {
  const { printers, dispensers, readers } = config.devices;
  const declared = printers.length + dispensers.length + readers.length + config.workshop.scanners.length;
  return config.demo === 'auto' ? declared === 0 : config.demo;
}

/** The store's certificate and key (paths checked when the config was loaded). */
function readTls(tls: NonNullable<Config['tls']>): TlsCredentials {
  return { cert: readFileSync(tls.cert), key: readFileSync(tls.key) };
}

/**
 * The store's gateway: opens the database, runs the broker on TCP and WebSocket, serves the
 * screens, and runs its extensions. The constructor only keeps its inputs; start() does the work.
 */
export class Gateway {
  private lock: DataDirLock | undefined;
  private groupCommit: GroupCommit | undefined;
  private checkpointer: WalCheckpointer | undefined;
  private durable = true;
  private db: Db | undefined;
  private broker: Aedes | undefined;
  private identityInstance: Identity | undefined;
  /** `METHOD url` of every HTTP route, each of which has a rule in the access table. */
  routes: ReadonlySet<string> = new Set();
  private tcp: TcpServer | undefined;
  private tlsServer: TlsServer | undefined;
  private http: FastifyInstance | undefined;
  private wss: WebSocketServer | undefined;
  private extensions: Extension[] = [];
  private headOffice: DemoHeadOffice | undefined;
  private guard: ConnectionGuard | undefined;
  private gate: StopGate | undefined;
  private status: StatusPublisher | undefined;
  private ready = false;

  constructor(
    private readonly config: Config,
    private readonly deps: GatewayDeps,
  ) {}

  /** Staff, devices and the audit log (for the CLIs and tests in the same process). */
  get identity(): Identity {
    if (!this.identityInstance) throw new Error('the gateway is not started');
    return this.identityInstance;
  }

  get httpPort(): number {
    return this.http ? boundPort(this.http.server) : 0;
  }

  /** The MQTT-over-TLS port (0 without TLS). */
  get mqttTlsPort(): number {
    return this.tlsServer ? boundPort(this.tlsServer) : 0;
  }

  get mqttPort(): number {
    return this.tcp ? boundPort(this.tcp) : 0;
  }

  /** The demo's simulated head office (DMS), when it runs one. */
  get headOfficeUrl(): string | undefined {
    return this.headOffice?.url;
  }

  async start(): Promise<void> {
    const { config } = this;
    const { log } = this.deps;
    const now = this.deps.now ?? (() => new Date());

    // Before anything is opened: a second gateway on the same data dir must not touch it.
    this.lock = DataDirLock.acquire(config.dataDir);
    this.db = openDatabase(config.dataDir, { durability: 'group' });
    const db = this.db;
    const metrics = new GatewayMetrics({
      connectedClients: () => this.broker?.connectedClients ?? 0,
      databaseBytes: () => databaseBytes(db),
    });
    const outputs = new GroupCommit({
      db,
      onFailure: (err) => this.durabilityLost(err),
      onSynced: (seconds) => metrics.commitFsyncs.observe(seconds),
      ...(this.deps.syncFile ? { syncFile: this.deps.syncFile } : {}),
    });
    this.groupCommit = outputs;
    await outputs.start();
    this.checkpointer = new WalCheckpointer({ db, log: log.child({ component: 'database' }) });
    this.checkpointer.start();
    const demo = demoEnabled(config);
    const identity = new Identity(db, { storeId: config.store.id, demo, ...config.auth }, now, log.child({ component: 'identity' }));
    this.identityInstance = identity;
    if (demo) seedDemoStaff(identity);
    const { broker } = await createBroker({ storeId: config.store.id, maxPayloadBytes: config.mqtt.maxPayloadBytes, identity, log: log.child({ component: 'broker' }), metrics, outputs });
    this.broker = broker;
    const guard = new ConnectionGuard(config.mqtt, log.child({ component: 'broker' }), metrics);
    this.guard = guard;
    const tls = config.tls ? readTls(config.tls) : undefined;
    // With plain MQTT turned off, it stays on loopback for the gateway's own device agents.
    this.tcp = await listenTcp(this.broker, guard, config.mqtt.plain ? config.mqtt.host : '127.0.0.1', config.mqtt.port);
    if (tls && config.tls) this.tlsServer = await listenTls(this.broker, guard, config.mqtt.host, config.tls.mqttPort, tls);

    // A demo without a DMS gets a simulated one on loopback, and the relay talks to it.
    this.headOffice = demo && !config.relay.http ? await DemoHeadOffice.start(config, now()) : undefined;
    const extensionConfig = this.headOffice?.configFor(config) ?? config;
    const ctx: ExtensionContext = { config: extensionConfig, broker: this.broker, db, outputs, log, metrics, mqttPort: () => this.mqttPort, now, identity };
    this.extensions = this.createExtensions(ctx);
    this.gate = new StopGate();
    const { app, routes } = await createHttpServer({
      log,
      metrics,
      health: () => this.health(),
      bundles: uiBundles(),
      store: storeInfoOf(config),
      extensions: this.extensions,
      identity,
      gate: this.gate,
      ledger: new RequestLedger(db, now),
      outputs,
      ...(tls ? { https: tls } : {}),
    });
    this.http = app;
    this.routes = routes;
    this.wss = attachWebSocket(this.broker, guard, this.http.server);
    await this.http.listen({ host: config.http.host, port: config.http.port });

    for (const ext of this.extensions) {
      try {
        await ext.start();
      } catch (err) {
        log.error({ err, extension: ext.name }, 'extension failed to start; the gateway runs on without it');
      }
    }
    this.ready = true;
  }

  /** The store's features, in start order; each later one may use the earlier ones. */
  private createExtensions(ctx: ExtensionContext): Extension[] {
    const demo = demoEnabled(this.config);
    const queue = new QueueService(ctx);
    const workshop = new WorkshopService(ctx, queue);
    const members = new MemberDirectory(ctx, demo);
    this.status = new StatusPublisher(ctx, GATEWAY_VERSION, demo);
    return [
      this.status,
      new DeviceMonitor(ctx),
      queue,
      ...(demo ? [new DemoStore(ctx, queue)] : []),
      ...workshopExtensions(ctx, workshop, demo),
      ...memberExtensions(ctx, queue, demo, members),
      ...printingExtensions(ctx, queue, workshop, demo),
      new SurveyService(ctx, workshop, members),
      new FollowUpService(ctx, workshop, members),
      new RelayService(ctx, workshop),
      new Statistics(ctx),
      new DataRetention(ctx),
      new Backups(ctx),
    ];
  }

  health(): { ok: boolean; checks: Record<string, boolean> } {
    const checks = {
      broker: this.broker !== undefined && !this.broker.closed && this.tcp?.listening === true,
      database: this.durable && this.databaseAnswers(),
      http: this.http?.server.listening === true,
    };
    return { ok: this.ready && Object.values(checks).every(Boolean), checks };
  }

  /**
   * A clean stop with devices and screens still connected, in the order they are owed: nothing new
   * is taken (HTTP 503, no new MQTT connection), the screens are told (retained offline status),
   * requests already running get REQUEST_GRACE_MS to answer, the extensions stop, every MQTT
   * client is closed (TCP, TLS, WebSocket), then HTTP and the database. Safe to call twice.
   */
  async stop(): Promise<void> {
    this.ready = false;
    this.gate?.close();
    this.guard?.close();
    const listeners = [this.tcp, this.tlsServer].filter((s) => s !== undefined).map(closeServer);
    await this.status?.announceOffline().catch((err: unknown) => this.deps.log.warn({ err }, 'could not tell the screens the gateway goes offline'));
    const cutShort = (await this.gate?.drain(REQUEST_GRACE_MS)) ?? 0;
    if (cutShort > 0) this.deps.log.warn({ requests: cutShort, graceMs: REQUEST_GRACE_MS }, 'requests still running at the stop were answered 503');
    for (const ext of [...this.extensions].reverse()) {
      try {
        await ext.stop();
      } catch (err) {
        this.deps.log.warn({ err, extension: ext.name }, 'extension failed to stop cleanly');
      }
    }
    this.extensions = [];
    // What the extensions committed on the way out is shown while the clients are still connected.
    if (this.durable) await this.groupCommit?.whenDurable();
    await this.headOffice?.stop();
    this.headOffice = undefined;
    // aedes closes the clients that finished CONNECT (a WebSocket's with it); the guard ends the
    // sockets that never did. A listener's close completes only when its last connection is gone.
    await new Promise<void>((resolve) => (this.broker ? this.broker.close(() => resolve()) : resolve()));
    this.guard?.destroyAll();
    await Promise.all(listeners);
    for (const client of this.wss?.clients ?? []) client.terminate();
    this.wss?.close();
    await this.http?.close();
    await this.checkpointer?.stop();
    this.checkpointer = undefined;
    await this.groupCommit?.stop();
    this.groupCommit = undefined;
    this.db?.close();
    this.lock?.release();
    this.lock = undefined;
    this.wss = undefined;
    this.http = undefined;
    this.tcp = undefined;
    this.tlsServer = undefined;
    this.broker = undefined;
    this.guard = undefined;
    this.gate = undefined;
    this.status = undefined;
    this.db = undefined;
  }

  /**
   * The parts that do not answer now (empty: all do), for the watchdog: the health checks, and a
   * message through the broker to itself.
   */
  async unanswered(): Promise<string[]> {
    const failed = Object.entries(this.health().checks)
      .filter(([, ok]) => !ok)
      .map(([part]) => part);
    if (this.broker && !this.broker.closed && !(await brokerEcho(this.broker, BROKER_ECHO_TIMEOUT_MS))) failed.push('broker-echo');
    return failed;
  }

  private durabilityLost(err: unknown): void {
    this.durable = false;
    this.deps.log.fatal({ err }, 'the disk refused an fsync: answers and publishes are held; the gateway must restart');
    this.deps.onDurabilityLost?.(err);
  }

  /** Reads a page of the file (not just the SQL engine), through the WAL like any query. */
  private databaseAnswers(): boolean {
    try {
      return this.db?.prepare('SELECT count(*) AS rows FROM meta').get() !== undefined;
    } catch {
      return false;
    }
  }
}
