import type { AedesPublishPacket } from 'aedes';
import type { FastifyInstance } from 'fastify';
import { publishJson } from '../broker/publish.js';
import { retainQuietly } from '../broker/retain-quietly.js';
import { QueueError } from '../domain/queue/index.js';
import {
  WorkshopEngine,
  WorkshopError,
  stageDurations,
  toBoardOrder,
  toPublicStatus,
  type PublicContext,
  type PublicOrderStatus,
  type RepairOrder,
  type StageDurations,
  type WorkshopEvent,
} from '../domain/workshop/index.js';
import { registerWorkshopRoutes } from '../http/workshop-routes.js';
import { ScanPairing } from '../domain/workshop/scan-pairing.js';
import {
  BarcodeScan,
  parseTopic,
  topics,
  type ScanResult,
  type WorkshopBoard,
  type WorkshopBoardChange,
  type WorkshopCommand,
} from '../protocol/index.js';
import { SqliteWorkshopStore } from '../store/workshop-store.js';
import type { Actor } from '../store/audit-log.js';
import type { Extension, ExtensionContext } from './extension.js';
import type { QueueService } from './queue-service.js';
import { NotReady } from '../domain/not-ready.js';

/** The board is republished at least this often: late states change with time, and screens judge staleness by it. */
export const BOARD_REFRESH_MS = 30_000;
/** Who acts when the DMS's changes are applied. */
const DMS_ACTOR: Actor = { actor: 'dms', role: null, via: 'relay' };
/** Orders whose stage histories feed the ready-time estimate. */
const HISTORY_ORDERS = 300;

/**
 * The workshop on the bus: runs commands from the desk, the bay pages, serial scanners and the
 * demo through one engine, then republishes the lounge board (masked) at once.
 */
export class WorkshopService implements Extension {
  readonly name = 'workshop';
  private engineInstance: WorkshopEngine | undefined;
  private durations: StageDurations | undefined;
  private timer: NodeJS.Timeout | undefined;
  private rev = 0;
  /** What the subscribed screens have: the day and each row as last sent. */
  private sent: { day: string; rows: Map<string, string> } | undefined;
  // One pairing (card, then action) per scanner device.
  private readonly pairings = new Map<string, ScanPairing>();
  private readonly scanTopic: string;
  private readonly listeners = new Set<(event: WorkshopEvent, actor: Actor) => void>();

  constructor(
    private readonly ctx: ExtensionContext,
    private readonly queue?: QueueService,
  ) {
    this.scanTopic = topics.deviceScanAll(ctx.config.store.id);
  }

  /** The running engine; throws before start so callers answer 503. */
  get engine(): WorkshopEngine {
    if (!this.engineInstance) throw new NotReady('the workshop is');
    return this.engineInstance;
  }

  async start(): Promise<void> {
    const { config, db, now } = this.ctx;
    this.engineInstance = new WorkshopEngine({
      store: new SqliteWorkshopStore(db),
      clock: now,
      timeZone: config.store.timeZone,
      dayStartHour: config.queue.dayStartHour,
    });
    await this.refresh();
    await new Promise<void>((resolve) => this.ctx.broker.subscribe(this.scanTopic, this.onScan, resolve));
    this.timer = setInterval(() => void this.refresh().catch((err: unknown) => this.ctx.log.warn({ err }, 'workshop board refresh failed')), BOARD_REFRESH_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await new Promise<void>((resolve) => this.ctx.broker.unsubscribe(this.scanTopic, this.onScan, resolve));
    this.engineInstance = undefined;
  }

  registerRoutes(app: FastifyInstance): void {
    registerWorkshopRoutes(app, this);
  }

  /** One command from any source; WorkshopError tells the sender why not. Change, event and audit row are one transaction. */
  async execute(command: WorkshopCommand, actor: Actor): Promise<WorkshopEvent> {
    return this.announce(this.commit(command, actor), actor);
  }

  /**
   * The change alone, synchronously: inside a caller's transaction it becomes part of it. Pass the
   * event to announce() once that transaction committed.
   */
  commit(command: WorkshopCommand, actor: Actor): WorkshopEvent {
    const event = this.ctx.identity.audit.record(actor, () => this.engine.execute(this.withTicketMember(command), actor.actor), (e) => ({
      action: `workshop.${command.action}`,
      target: `order:${e.order.no}`,
      detail: { event: e.id, ...(e.stage ? { stage: e.stage } : {}) },
    }));
    this.ctx.log.info({ event: event.type, by: actor.actor, order: event.order.no, stage: event.stage?.to }, 'workshop');
    return event;
  }

  /** What follows a committed command: its listeners (a printout), then the board. */
  async announce(event: WorkshopEvent, actor: Actor): Promise<WorkshopEvent> {
    for (const listener of this.listeners) {
      try {
        listener(event, actor);
      } catch (err) {
        // The command stands: what follows it (a printout) is the listener's to report.
        this.ctx.log.error({ err, event: event.type, order: event.order.no }, 'workshop event listener failed');
      }
    }
    await this.publishBoard();
    return event;
  }

  /** Calls `listener` after every accepted command, its change committed; returns the way to stop. */
  onEvent(listener: (event: WorkshopEvent, actor: Actor) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A repair order booked in the DMS, booked here once: the same `book` command as the desk's,
   * remembered by the DMS's id in the same transaction, so a re-sent change books nothing more.
   */
  async bookFromDms(dmsId: string, command: Extract<WorkshopCommand, { action: 'book' }>): Promise<'booked' | 'known'> {
    const key = `dms-order:${dmsId}`;
    const { db } = this.ctx;
    const event = db.transaction(() => {
      if (db.prepare('SELECT 1 FROM meta WHERE key = ?').get(key)) return undefined;
      const booked = this.ctx.identity.audit.record(DMS_ACTOR, () => this.engine.execute(command, DMS_ACTOR.actor), (e) => ({
        action: 'workshop.book',
        target: `order:${e.order.no}`,
        detail: { event: e.id, dmsId },
      }));
      db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(key, booked.order.id);
      return booked;
    })();
    if (!event) return 'known';
    this.ctx.log.info({ order: event.order.no, dmsId }, 'workshop: booking from the DMS');
    await this.publishBoard();
    return 'booked';
  }

  /** Figures the public views need now: typical stage durations, the clock, the amber margin. */
  publicContext(): PublicContext {
    this.durations ??= stageDurations(this.engine.recentHistories(HISTORY_ORDERS));
    return { durations: this.durations, now: this.ctx.now(), warnMin: this.ctx.config.workshop.warnBeforeMin };
  }

  publicStatus(order: RepairOrder): PublicOrderStatus {
    return toPublicStatus(order, this.publicContext());
  }

  /** Re-learns stage durations from the history, then sends every screen the whole board. */
  private async refresh(): Promise<void> {
    this.durations = undefined;
    await this.publishBoard(true);
  }

  /**
   * The board after a change. The retained snapshot is always replaced; the screens already
   * subscribed get it whole only when the set of orders or the day changed (or `whole`), else
   * just the rows that changed: one row instead of the whole day on every screen.
   */
  private async publishBoard(whole = false): Promise<void> {
    const ctx = this.publicContext();
    const day = this.engine.currentBusinessDay();
    const orders = this.engine.ordersOfDay().map((o) => toBoardOrder(o, ctx));
    // Milliseconds of the clock where possible, so that it also grows across restarts.
    this.rev = Math.max(this.rev + 1, ctx.now.getTime());
    const at = ctx.now.toISOString();
    const board: WorkshopBoard = { layout: this.ctx.config.workshop.board.layout, day, rev: this.rev, orders, at };
    const rows = new Map(orders.map((o) => [o.no, JSON.stringify(o)]));
    const before = this.sent;
    this.sent = { day, rows };
    const store = this.ctx.config.store.id;
    const sameOrders = before !== undefined && before.day === day && before.rows.size === rows.size && [...rows.keys()].every((no) => before.rows.has(no));
    if (whole || !sameOrders) {
      await publishJson(this.ctx.broker, topics.workshopBoard(store), board, true);
      return;
    }
    await retainQuietly(this.ctx.broker, this.ctx.outputs, topics.workshopBoard(store), board);
    const changed = orders.filter((o) => before.rows.get(o.no) !== rows.get(o.no));
    if (changed.length === 0) return;
    const change: WorkshopBoardChange = { day, rev: this.rev, orders: changed, at };
    // QoS 0: no acknowledgement from every screen for every change. A change lost with a
    // connection is repaired by the retained board the screen gets when it reconnects.
    const payload = Buffer.from(JSON.stringify(change));
    await new Promise<void>((resolve, reject) =>
      this.ctx.broker.publish({ cmd: 'publish', topic: topics.workshopBoardChanges(store), payload, qos: 0, retain: false, dup: false }, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  }

  /** A reception opened from a queue ticket is for the ticket's member, unless the desk named one. */
  private withTicketMember(command: WorkshopCommand): WorkshopCommand {
    if (command.action !== 'open' || !command.ticketId) return command;
    const member = this.ticketMember(command.ticketId);
    return member && !command.customerRef ? { ...command, customerRef: member } : command;
  }

  /**
   * The member reference of the queue ticket the reception starts from; null when the ticket has
   * none. Refused when the ticket does not exist, so a mistyped id never links a stranger's visit.
   */
  private ticketMember(ticketId: string): string | null {
    if (!this.queue) return null;
    try {
      return this.queue.engine.ticketStatus(ticketId).ticket.memberRef;
    } catch (err) {
      if (err instanceof QueueError && err.code === 'ticket-not-found') throw new WorkshopError('ticket-not-found', `no queue ticket ${ticketId}`);
      throw err;
    }
  }

  // Scans from serial scanner agents: a card, then an action, make one command.
  private readonly onScan = (packet: AedesPublishPacket, done: () => void): void => {
    done();
    const device = parseTopic(packet.topic)?.rest[1];
    let json: unknown;
    try {
      json = JSON.parse(packet.payload.toString());
    } catch {
      json = undefined;
    }
    const scan = BarcodeScan.safeParse(json);
    if (!device || !scan.success) return;
    void this.handleScan(device, scan.data.code).catch((err: unknown) => this.ctx.log.error({ err, device }, 'scan failed'));
  };

  private async handleScan(device: string, code: string): Promise<void> {
    const now = this.ctx.now();
    let pairing = this.pairings.get(device);
    if (!pairing) {
      pairing = new ScanPairing();
      this.pairings.set(device, pairing);
    }
    const step = pairing.read(code, now);
    const at = now.toISOString();
    let result: ScanResult;
    if (step.kind === 'card') {
      const { order, job } = step.card;
      result = { ok: true, code: 'card-read', order, ...(job !== undefined ? { job } : {}), message: `card ${code} read: scan an action`, at };
    } else if (step.kind === 'error') {
      result = { ok: false, code: step.code, message: SCAN_ERRORS[step.code], at };
    } else {
      const command = step.command;
      const job = 'job' in command ? command.job : undefined;
      try {
        const event = await this.execute(command, { actor: `barcode-scanner:${device}`, role: 'barcode-scanner', via: device });
        result = { ok: true, code: 'done', order: event.order.no, ...(job !== undefined ? { job } : {}), stage: event.order.stage, message: `${event.type} ${event.order.no}`, at };
      } catch (err) {
        if (!(err instanceof WorkshopError)) throw err;
        result = { ok: false, code: err.code, ...('order' in command ? { order: command.order } : {}), ...(job !== undefined ? { job } : {}), message: err.message, at };
      }
    }
    this.ctx.log.info({ device, code, result: result.code }, 'bay scan');
    await publishJson(this.ctx.broker, topics.deviceScanResult(this.ctx.config.store.id, device), result, false);
  }
}

const SCAN_ERRORS: Record<'unknown-barcode' | 'card-first' | 'needs-job-card', string> = {
  'unknown-barcode': 'not a job card, order card or action barcode',
  'card-first': 'scan a job card first, then the action',
  'needs-job-card': 'this action needs a job card (reception number / job), not the order card',
};

