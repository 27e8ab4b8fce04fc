import { LearningEstimator, QueueEngine, toCallEvent, toPublicSnapshot, type CommandResult, type QueueReading } from '../domain/queue/index.js';
import { publishJson } from '../broker/publish.js';
import { topics, type CallEvent, type QueueCommand, type QueueMode } from '../protocol/index.js';
import { SqliteQueueStore } from '../store/queue-store.js';
import type { FastifyInstance } from 'fastify';
import { registerQueueRoutes } from '../http/queue-routes.js';
import type { Extension, ExtensionContext } from './extension.js';
import type { Actor } from '../store/audit-log.js';
import { NotReady } from '../domain/not-ready.js';

const RECENT_CALLS = 10;
/** Waited minutes on the boards tick even when nothing happens. */
const REFRESH_MS = 30_000;

/**
 * The queue on the bus: runs commands through the engine, then publishes what changed — the call
 * event first (the board's chime is the latency that matters), then the retained snapshots.
 */
export class QueueService implements Extension {
  readonly name = 'queue';
  private engineInstance: QueueEngine | undefined;
  private recent: CallEvent[] = [];
  private lastMode = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: ExtensionContext) {}

  /** The running engine; throws before start so callers answer 503. */
  get engine(): QueueEngine {
    if (!this.engineInstance) throw new NotReady('the queue is');
    return this.engineInstance;
  }

  async start(): Promise<void> {
    const { config, db, now } = this.ctx;
    const q = config.queue;
    const policy = { maxWaitBeforePromotionMin: q.promoteAfterMin };
    const estimator = new LearningEstimator({
      desks: q.desks,
      policy,
      serviceMinutes: q.waitEstimate.serviceMinutes,
      fallbackMinutes: q.waitEstimate.fallbackMinutes,
    });
    const engine = new QueueEngine({
      store: new SqliteQueueStore(db),
      clock: now,
      timeZone: config.store.timeZone,
      services: q.services,
      desks: q.desks,
      dayStartHour: q.dayStartHour,
      numberDigits: q.numberDigits,
      noShowGraceMin: q.noShowGraceMin,
      peakThreshold: q.peakThreshold,
      policy,
      estimator,
    });
    // Waiting times pick up where they were: the estimator learns the recent days again.
    const learnt = engine.learnFromHistory(new Date(now().getTime() - q.waitEstimate.learnDays * 86_400_000));
    this.ctx.log.info({ events: learnt, days: q.waitEstimate.learnDays }, 'wait estimates learnt from stored queue events');
    const names = new Map(engine.deskList().map((d) => [d.id, d.name]));
    this.recent = engine.recentCalls(RECENT_CALLS).map((t) => ({
      ticketNumber: t.number,
      service: t.service,
      desk: t.desk ?? '',
      ...(t.desk && names.get(t.desk) ? { deskName: names.get(t.desk) } : {}),
      at: t.calledAt ?? '',
      recall: false,
    }));
    this.engineInstance = engine;
    await this.publishAll();
    this.timer = setInterval(() => void this.publishAll().catch((err: unknown) => this.ctx.log.warn({ err }, 'queue refresh failed')), REFRESH_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.engineInstance = undefined;
  }

  registerRoutes(app: FastifyInstance): void {
    registerQueueRoutes(app, this);
  }

  /**
   * One command from a kiosk, desk, dispenser or the demo; QueueError tells the sender why not.
   * The change, its event row and its audit row are one transaction; the author is the actor's identity.
   */
  async execute(command: QueueCommand, actor: Actor): Promise<CommandResult> {
    return this.announce(this.commit(command, actor));
  }

  /**
   * The change alone, with its answer, synchronously: inside a caller's transaction it becomes
   * part of it (a savepoint), so a caller that reads, decides and writes more around it does so
   * with no await in between. Pass the result to announce() once that transaction committed.
   */
  commit(command: QueueCommand, actor: Actor): CommandResult {
    const event = this.ctx.identity.audit.record(actor, () => this.engine.execute(command, actor.actor), (e) => ({
      action: `queue.${command.action}`,
      target: 'ticket' in e ? `ticket:${e.ticket.number}` : null,
      detail: { event: e.id, ...('desk' in command ? { desk: command.desk } : {}), ...('service' in command ? { service: command.service } : {}) },
    }));
    this.ctx.log.info({ event: event.type, by: actor.actor, ticket: 'ticket' in event ? event.ticket.number : undefined }, 'queue');
    return event.type === 'mode.changed' ? { event } : { event, status: this.engine.ticketStatus(event.ticket.id) };
  }

  /** Tells the screens what a committed change did: the call event first, then the snapshots. */
  async announce(result: CommandResult): Promise<CommandResult> {
    const { event } = result;
    if (event.type === 'mode.changed') {
      await this.publishMode(this.engine.reading());
      return result;
    }
    // All handed to the broker at once: they leave in this order (broker/durable-publish.ts), and
    // together after the one fsync that covers the change instead of one fsync after another.
    const published: Promise<void>[] = [];
    const call = toCallEvent(event, this.engine.deskList().find((d) => d.id === event.desk)?.name);
    if (call) {
      published.push(publishJson(this.ctx.broker, topics.queueCall(this.store()), call, false));
      this.recent = [call, ...this.recent].slice(0, RECENT_CALLS);
      published.push(publishJson(this.ctx.broker, topics.queueCalls(this.store()), { calls: this.recent, at: call.at }, true));
    }
    const services = new Set([event.ticket.service, ...(event.fromService ? [event.fromService] : [])]);
    // One read of the day's queue for every payload below.
    const reading = this.engine.reading();
    published.push(...[...services].map((s) => this.publishSnapshot(reading, s)), this.publishServices(reading), this.publishMode(reading));
    await Promise.all(published);
    return result;
  }

  private store(): string {
    return this.ctx.config.store.id;
  }

  private async publishAll(): Promise<void> {
    const at = this.ctx.now().toISOString();
    await publishJson(this.ctx.broker, topics.queueDesks(this.store()), { desks: this.engine.deskList(), at }, true);
    await publishJson(this.ctx.broker, topics.queueCalls(this.store()), { calls: this.recent, at }, true);
    // Handed over together, with no await between the read and the publishes: a change announced
    // meanwhile cannot be overwritten by this older reading.
    const reading = this.engine.reading();
    this.lastMode = '';
    await Promise.all([
      ...this.ctx.config.queue.services.map((s) => this.publishSnapshot(reading, s.code)),
      this.publishServices(reading),
      this.publishMode(reading),
    ]);
  }

  private publishSnapshot(reading: QueueReading, service: string): Promise<void> {
    const snapshot = toPublicSnapshot(reading.snapshot(service), this.ctx.now());
    return publishJson(this.ctx.broker, topics.queueService(this.store(), service), snapshot, true);
  }

  private publishServices(reading: QueueReading): Promise<void> {
    const payload = { services: reading.serviceList(), at: this.ctx.now().toISOString() };
    return publishJson(this.ctx.broker, topics.queueServices(this.store()), payload, true);
  }

  /** Only when the mode or the peak suggestion changed: every screen listens to it. */
  private async publishMode(reading: QueueReading): Promise<void> {
    const { mode, peakSuggested: suggested } = reading;
    const key = `${mode}:${suggested}`;
    if (key === this.lastMode) return;
    this.lastMode = key;
    const payload: QueueMode = { mode, suggested, at: this.ctx.now().toISOString() };
    await publishJson(this.ctx.broker, topics.queueMode(this.store()), payload, true);
  }
}

