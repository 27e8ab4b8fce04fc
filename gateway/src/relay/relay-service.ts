import type { FastifyInstance } from 'fastify';
import { Counter, Gauge } from 'prom-client';
import type { Extension, ExtensionContext } from '../extensions/extension.js';
import { NotReady } from '../domain/not-ready.js';
import { registerRelayRoutes, type RelayApi } from '../http/relay-routes.js';
import type { DeadLetter, RelayStatus } from '../protocol/dms.js';
import type { Actor } from '../store/audit-log.js';
import { Outbox, type TransportName } from '../store/outbox.js';
import { HttpLink } from './http-link.js';
import { MqttLink } from './mqtt-link.js';
import { OutboxRetention } from './retention.js';
import { DmsSync, type InboundWorkshop } from './dms-sync.js';
import { RelayError } from './relay-error.js';
import { DmsReplyError } from './dms-client.js';
import type { RelayLink, ResendOutcome } from './link.js';

/** Retention (and the outbox's size for the desk) runs this often, and once at start. */
const RETENTION_EVERY_MS = 60_000;

/**
 * Head office: relays the outbox over the configured links (DMS over HTTP, the group broker over
 * MQTT), keeps the outbox within its cap, pulls the DMS's changes back, and tells the desk and
 * /metrics how far behind head office is.
 */
export class RelayService implements Extension, RelayApi {
  readonly name = 'relay';
  private outbox: Outbox | undefined;
  private links: RelayLink[] = [];
  private retention: OutboxRetention | undefined;
  private sync: DmsSync | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: ExtensionContext,
    private readonly workshop?: InboundWorkshop,
  ) {}

  async start(): Promise<void> {
    const { config, db, now, log } = this.ctx;
    const relay = config.relay;
    const outbox = new Outbox(db);
    this.outbox = outbox;
    const relayLog = log.child({ component: 'relay' });
    const metrics = this.registerMetrics();
    const common = { outbox, storeId: config.store.id, pollMs: relay.pollMs, now, log: relayLog, outputs: this.ctx.outputs };
    this.links = [
      ...(relay.http ? [new HttpLink({ ...common, config: relay.http }, { sent: (n) => metrics.sent.inc({ transport: 'http' }, n), rejected: () => metrics.rejected.inc(), failed: (code) => metrics.failures.inc({ transport: 'http', code }) })] : []),
      ...(relay.mqtt ? [new MqttLink({ ...common, config: relay.mqtt }, { sent: (n) => metrics.sent.inc({ transport: 'mqtt' }, n), failed: (code) => metrics.failures.inc({ transport: 'mqtt', code }) })] : []),
    ];
    this.retention = new OutboxRetention(outbox, relay, this.links.map((l) => l.name), now, relayLog);
    this.retention.run();
    this.timer = setInterval(() => this.retention?.run(), RETENTION_EVERY_MS);
    this.timer.unref();
    for (const link of this.links) await link.start();
    if (relay.http && relay.http.syncEverySeconds > 0) {
      this.sync = new DmsSync({ db, config: relay.http, now, log: relayLog, metrics: this.ctx.metrics, ...(this.workshop ? { workshop: this.workshop } : {}) });
      await this.sync.start();
    }
    if (this.links.length === 0) relayLog.info('no head office configured (relay.http / relay.mqtt): events wait in the outbox');
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sync?.stop();
    await Promise.all(this.links.map((l) => l.stop()));
    this.links = [];
    this.outbox = undefined;
  }

  registerRoutes(app: FastifyInstance): void {
    registerRelayRoutes(app, this);
  }

  status(): RelayStatus {
    const outbox = this.running();
    const retention = this.retention!;
    return {
      configured: this.links.length > 0,
      lastSeq: outbox.lastSeq(),
      transports: this.links.map((link) => {
        const backlog = outbox.backlog(link.name);
        return {
          transport: link.name,
          state: link.state.condition,
          since: link.state.since,
          ackedThrough: outbox.ackedThrough(link.name),
          backlog: backlog.count,
          oldestUnsentAt: backlog.oldestAt,
          rejected: outbox.openDeadLetters(link.name),
          lastError: link.state.lastError,
        };
      }),
      outboxBytes: retention.bytes,
      capBytes: retention.capBytes,
      sync: this.sync?.status() ?? null,
    };
  }

  deadLetters(): DeadLetter[] {
    return this.running().deadLetters(this.ctx.config.store.id);
  }

  /** A manager's retry of a rejected event: sent again on its own; it stays dead if refused again. */
  async retry(transport: TransportName, seq: number, actor: Actor): Promise<{ stored: boolean; reason?: string }> {
    const outbox = this.running();
    const link = this.links.find((l) => l.name === transport);
    if (!link?.resend) throw new RelayError('no-transport', `no ${transport} link can resend events`);
    const event = outbox.event(this.ctx.config.store.id, seq);
    const open = outbox.deadLetters(this.ctx.config.store.id).some((d) => d.transport === transport && d.seq === seq);
    if (!event || !open) throw new RelayError('no-dead-letter', `seq ${seq} is not a rejected event`);
    let outcome: ResendOutcome;
    let answered = true;
    try {
      outcome = await link.resend(event);
    } catch (err) {
      answered = false;
      outcome = { stored: false, code: err instanceof DmsReplyError ? err.code : 'failed', reason: err instanceof Error ? err.message : String(err) };
    }
    const at = this.ctx.now().toISOString();
    this.ctx.identity.audit.record(
      actor,
      () => {
        // Refused again: the dead letter keeps the DMS's latest word; unreachable: it stays as it was.
        if (outcome.stored) outbox.resolve(transport, seq, at, actor.actor);
        else if (answered) outbox.reject(transport, seq, outcome.code, outcome.reason, at);
      },
      () => ({ action: 'relay.retry', target: `seq:${seq}`, detail: { transport, ...outcome } }),
    );
    return outcome.stored ? { stored: true } : { stored: false, reason: outcome.reason };
  }

  private running(): Outbox {
    if (!this.outbox) throw new NotReady('the relay is');
    return this.outbox;
  }

  private registerMetrics() {
    const registers = [this.ctx.metrics.registry];
    const outbox = () => this.outbox;
    const links = () => this.links;
    const now = this.ctx.now;
    new Gauge({
      name: 'forecourt_relay_backlog_events',
      help: 'Outbox events a head-office link has not had acknowledged yet',
      labelNames: ['transport'] as const,
      registers,
      collect() {
        const o = outbox();
        for (const link of links()) if (o) this.set({ transport: link.name }, o.backlog(link.name).count);
      },
    });
    new Gauge({
      name: 'forecourt_relay_oldest_unsent_age_seconds',
      help: 'Age of the oldest event a head-office link has not had acknowledged (0 when none)',
      labelNames: ['transport'] as const,
      registers,
      collect() {
        const o = outbox();
        for (const link of links()) {
          const oldest = o?.backlog(link.name).oldestAt;
          this.set({ transport: link.name }, oldest ? Math.max(0, (now().getTime() - Date.parse(oldest)) / 1000) : 0);
        }
      },
    });
    new Gauge({
      name: 'forecourt_relay_rejected_events',
      help: 'Events head office refused (409/422) that wait in the dead letters',
      labelNames: ['transport'] as const,
      registers,
      collect() {
        const o = outbox();
        for (const link of links()) if (o) this.set({ transport: link.name }, o.openDeadLetters(link.name));
      },
    });
    new Gauge({
      name: 'forecourt_relay_link_up',
      help: '1 while the head-office link delivers, 0 while it is offline or its circuit is open',
      labelNames: ['transport'] as const,
      registers,
      collect() {
        for (const link of links()) this.set({ transport: link.name }, link.state.condition === 'connected' ? 1 : 0);
      },
    });
    return {
      sent: new Counter({ name: 'forecourt_relay_sent_events_total', help: 'Events head office acknowledged', labelNames: ['transport'] as const, registers }),
      rejected: new Counter({ name: 'forecourt_relay_rejected_events_total', help: 'Events head office refused for good', registers }),
      failures: new Counter({ name: 'forecourt_relay_failures_total', help: 'Failed deliveries by cause (timeout, http-503, garbage, beyond-sent, …)', labelNames: ['transport', 'code'] as const, registers }),
    };
  }
}
