import type { FastifyInstance } from 'fastify';
import { PrinterAgent, type PrinterCondition, type PrinterTiming } from '../adapters/printer/agent.js';
import { EscPosDecoder } from '../adapters/printer/decoder.js';
import type { Page } from '../adapters/printer/document.js';
import { testPrintLayout, ticketLayout } from '../adapters/printer/layouts.js';
import { printerLink } from '../adapters/printer/open-link.js';
import { publishJson } from '../broker/publish.js';
import type { PrinterConfig, PrinterProfile } from '../config/devices.js';
import { publicBaseUrl } from '../config/public-url.js';
import { registerPrintRoutes, type PrinterView, type TicketPrintResult } from '../http/print-routes.js';
import { registerTicketPage } from '../http/ticket-page.js';
import { topics, type DeviceState, type PrintJobKind, type PrintJobSummary } from '../protocol/index.js';
import { PrintQueueStore } from '../store/print-queue.js';
import { PrintError } from '../domain/printing/print-error.js';
import { RemotePrinter, type PrinterDriver } from './remote-printer.js';
import type { Actor } from '../store/audit-log.js';
import type { Extension, ExtensionContext } from './extension.js';
import type { QueueService } from './queue-service.js';

const RECENT_JOBS = 30;

/**
 * The store's printers: one PrinterAgent per configured printer (a RemotePrinter for one whose
 * agent runs on another PC), the print queue in SQLite, each local printer's state on
 * `device/{id}/state` and the latest jobs on `print/jobs`.
 */
export class PrintService implements Extension {
  readonly name = 'printing';
  private readonly printers = new Map<string, { config: PrinterConfig; agent: PrinterDriver }>();
  private jobsStore: PrintQueueStore | undefined;
  private readonly printedWaiters = new Map<string, () => void>();
  private publishTimer: NodeJS.Timeout | undefined;
  private started = false;
  /** Which printer prints for whom, when a request does not name one. */
  readonly defaults: { kiosk?: string; desk?: string };

  constructor(
    private readonly ctx: ExtensionContext,
    private readonly queue: QueueService,
    private readonly timing: Partial<PrinterTiming> = {},
  ) {
    const { kioskPrinter, deskPrinter } = ctx.config.devices;
    this.defaults = { ...(kioskPrinter ? { kiosk: kioskPrinter } : {}), ...(deskPrinter ? { desk: deskPrinter } : {}) };
  }

  get jobs(): PrintQueueStore {
    if (!this.jobsStore) throw new PrintError('no-printer', 'printing is starting; try again in a moment');
    return this.jobsStore;
  }

  async start(): Promise<void> {
    this.jobsStore = new PrintQueueStore(this.ctx.db);
    this.started = true;
    for (const printer of this.ctx.config.devices.printers) this.addPrinter(printer);
    await this.publishJobs();
  }

  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.publishTimer);
    await Promise.all([...this.printers.values()].map(({ agent }) => agent.stop()));
    // A remote printer's agent says so itself (its MQTT will).
    const local = [...this.printers.values()].filter(({ config }) => config.agent !== 'remote');
    await Promise.all(local.map(({ config }) => this.publishState(config.id, { online: false, health: 'error', reason: 'offline' })));
    this.printers.clear();
  }

  registerRoutes(app: FastifyInstance): void {
    registerPrintRoutes(app, this);
    registerTicketPage(app, this.queue, this.ctx.config);
  }

  /** Starts driving a printer (from the config, or one the demo brings). */
  addPrinter(config: PrinterConfig): void {
    const agent = config.agent === 'remote' ? this.remotePrinter(config) : this.localPrinter(config);
    this.printers.set(config.id, { config, agent });
    if (this.started) void Promise.resolve(agent.start()).catch((err: unknown) => this.ctx.log.error({ err, printer: config.id }, 'printer did not start'));
  }

  private localPrinter(config: PrinterConfig): PrinterAgent {
    const { ctx } = this;
    if (!config.transport) throw new Error(`printer ${config.id} has no transport`);
    return new PrinterAgent({
      id: config.id,
      link: printerLink(config.transport),
      profile: config.profile,
      jobs: this.jobs,
      now: ctx.now,
      log: ctx.log.child({ component: 'printer' }),
      untilDurable: () => ctx.outputs.whenDurable(),
      onCondition: (condition) => void this.publishState(config.id, condition).catch((err: unknown) => ctx.log.warn({ err }, 'printer state not published')),
      onPrinted: (jobId) => {
        this.printedWaiters.get(jobId)?.();
        this.jobsChanged();
      },
      timing: this.timing,
    });
  }

  private remotePrinter(config: PrinterConfig): RemotePrinter {
    const { ctx } = this;
    return new RemotePrinter({
      id: config.id,
      store: ctx.config.store.id,
      broker: ctx.broker,
      jobs: this.jobs,
      now: ctx.now,
      log: ctx.log.child({ component: 'printer' }),
      onJobChanged: (jobId, printed) => {
        if (printed) this.printedWaiters.get(jobId)?.();
        this.jobsChanged();
      },
    });
  }

  printerList(): PrinterView[] {
    return [...this.printers.values()].map(({ config, agent }) => ({
      id: config.id,
      profile: config.profile,
      link: linkName(config),
      condition: agent.condition,
      queued: this.jobs.queuedCount(config.id),
    }));
  }

  condition(printerId: string): PrinterCondition {
    return this.printer(printerId).agent.condition;
  }

  /**
   * Queues a queue ticket on a printer. With `waitMs` the caller (a kiosk, its customer in front
   * of it) is answered within that time: a printer that cannot print is refused at once. A job
   * the printer has not confirmed by then is cancelled if the printer does not have it, rather
   * than printed later for nobody; if the printer has it, it may still come out any moment, and
   * the answer says so (`printing`) instead of "not printed".
   */
  async printTicket(ticketId: string, printerId: string | undefined, waitMs = 0): Promise<TicketPrintResult> {
    const id = printerId ?? this.defaults.kiosk;
    if (!id) throw new PrintError('no-printer', 'no printer is set for kiosk tickets (devices.kioskPrinter)');
    const { config, agent } = this.printer(id);
    if (waitMs > 0 && !agent.ready) {
      throw new PrintError('printer-not-ready', `printer ${id} cannot print now`, agent.condition.reason ?? 'offline');
    }
    const job = this.queueTicket(ticketId, config.id);
    if (waitMs === 0) return { job, printed: false, printing: false };
    const printed = await this.waitPrinted(job.id, waitMs);
    if (!printed && (await agent.withdraw(job.id, () => this.jobs.cancel(job.id, agent.condition.reason ?? 'slow', this.ctx.now())))) {
      this.jobsChanged();
      throw new PrintError('not-printed', `printer ${id} did not print in time`, agent.condition.reason ?? 'slow');
    }
    // Not taken back: the printer has it, and it may come out any moment.
    const summary = this.jobs.summary(job.id) ?? job;
    return { job: summary, printed: summary.state === 'printed', printing: summary.state === 'queued' };
  }

  /** Queues a queue ticket on a printer, synchronously: inside a caller's transaction it is part of it. */
  queueTicket(ticketId: string, printerId: string): PrintJobSummary {
    const { config } = this.printer(printerId);
    return this.enqueue(config, 'ticket', ...this.renderTicket(config, ticketId));
  }

  /** Prints a job again, for the staff member or device who asked (audited with the new job). */
  reprint(jobId: string, actor: Actor): PrintJobSummary {
    const old = this.jobs.get(jobId);
    if (!old) throw new PrintError('job-not-found', 'no such print job');
    // Data retention clears the bytes of old jobs (retention.printJobBytesDays); the row stays for the history.
    if (old.data.length === 0) throw new PrintError('job-not-found', 'this job is too old to print again');
    const { config } = this.printer(old.printer);
    return this.ctx.identity.audit.record(actor, () => this.enqueue(config, old.kind, old.label, old.data, jobId), (job) => ({
      action: 'print.reprint',
      target: `print-job:${job.id}`,
      detail: { printer: old.printer, label: old.label, reprintOf: jobId },
    }));
  }

  testPrint(printerId: string, actor: Actor): PrintJobSummary {
    const { config } = this.printer(printerId);
    const { store } = this.ctx.config;
    return this.ctx.identity.audit.record(actor, () => this.enqueue(config, 'test', 'test', testPrintLayout(config.profile, store.name, this.ctx.now(), store.timeZone)), (job) => ({
      action: 'print.test',
      target: `print-job:${job.id}`,
      detail: { printer: printerId },
    }));
  }

  /**
   * Queues a document (a work order, a bill…) rendered for the printer's profile: the named
   * printer, else the desk's.
   */
  printDocument(kind: PrintJobKind, label: string, render: (profile: PrinterProfile) => Uint8Array, printerId?: string, reprintOf?: string): PrintJobSummary {
    const id = printerId ?? this.defaults.desk;
    if (!id) throw new PrintError('no-printer', 'no printer is set for the desk (devices.deskPrinter)');
    const { config } = this.printer(id);
    return this.enqueue(config, kind, label, render(config.profile), reprintOf);
  }

  /** The pages of a job as the printer will interpret them (for the desk's preview). */
  preview(jobId: string): { job: PrintJobSummary; pages: Page[]; width: 58 | 80 } {
    const job = this.jobs.get(jobId);
    if (!job) throw new PrintError('job-not-found', 'no such print job');
    const { config } = this.printer(job.printer);
    const pages = new EscPosDecoder(config.profile.encoding).push(job.data).flatMap((e) => (e.type === 'page' ? [e.page] : []));
    const { data: _data, ...summary } = job;
    return { job: summary, pages, width: config.profile.width };
  }

  /** Resolves true once the job is confirmed printed, false after `ms`. */
  waitPrinted(jobId: string, ms: number): Promise<boolean> {
    if (this.jobs.summary(jobId)?.state === 'printed') return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(false), ms);
      const finish = (printed: boolean) => {
        clearTimeout(timer);
        this.printedWaiters.delete(jobId);
        resolve(printed);
      };
      this.printedWaiters.set(jobId, () => finish(true));
    });
  }

  private renderTicket(config: PrinterConfig, ticketId: string): [string, Buffer] {
    const { ticket, peopleAhead, estimatedWaitMin, estimatedWaitRange } = this.queue.engine.ticketStatus(ticketId);
    const { store, queue } = this.ctx.config;
    const service = queue.services.find((s) => s.code === ticket.service);
    const bytes = ticketLayout(config.profile, {
      storeName: store.name,
      number: ticket.number,
      serviceName: service?.name ?? { 'zh-Hans': ticket.service, 'zh-Hant': ticket.service, en: ticket.service },
      issuedAt: new Date(ticket.issuedAt),
      timeZone: store.timeZone,
      peopleAhead,
      estimatedWaitMin,
      estimatedWaitRange,
      statusUrl: `${publicBaseUrl(this.ctx.config)}/t/${ticket.id}`,
    });
    return [ticket.number, bytes];
  }

  private enqueue(config: PrinterConfig, kind: PrintJobSummary['kind'], label: string, data: Uint8Array, reprintOf?: string): PrintJobSummary {
    const job = this.jobs.enqueue({ printer: config.id, kind, label, data, ...(reprintOf ? { reprintOf } : {}) }, this.ctx.now());
    this.ctx.log.info({ printer: config.id, job: job.id, kind, label, bytes: job.bytes }, 'print job queued');
    this.printer(config.id).agent.wake();
    this.jobsChanged();
    return job;
  }

  private printer(id: string): { config: PrinterConfig; agent: PrinterDriver } {
    const printer = this.printers.get(id);
    if (!printer) throw new PrintError('unknown-printer', `no printer ${id}`);
    return printer;
  }

  /** Coalesces bursts (a dispenser at peak hours) into one retained update. */
  private jobsChanged(): void {
    if (this.publishTimer || !this.started) return;
    this.publishTimer = setTimeout(() => {
      this.publishTimer = undefined;
      void this.publishJobs().catch((err: unknown) => this.ctx.log.warn({ err }, 'print jobs not published'));
    }, 100);
  }

  private publishJobs(): Promise<void> {
    const at = this.ctx.now().toISOString();
    return publishJson(this.ctx.broker, topics.printJobs(this.ctx.config.store.id), { jobs: this.jobs.recent(RECENT_JOBS), at }, true);
  }

  private publishState(id: string, condition: PrinterCondition): Promise<void> {
    const state: DeviceState = { kind: 'printer', ...condition, at: this.ctx.now().toISOString() };
    return publishJson(this.ctx.broker, topics.deviceState(this.ctx.config.store.id, id), state, true);
  }
}

function linkName({ agent, transport }: PrinterConfig): string {
  if (agent === 'remote' || !transport) return 'remote agent';
  return transport.type === 'tcp' ? `tcp ${transport.host}:${transport.port}` : `serial ${transport.path} ${transport.baudRate}`;
}
