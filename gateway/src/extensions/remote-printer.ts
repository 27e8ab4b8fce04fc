import type { Aedes, AedesPublishPacket, Client, Subscription } from 'aedes';
import type { Logger } from 'pino';
import type { PrinterCondition } from '../adapters/printer/agent.js';
import { publishJson } from '../broker/publish.js';
import { DeviceState, topics } from '../protocol/index.js';
import { PrintAgentReport, type PrintAgentCommand } from '../protocol/print-agent.js';
import type { PrintJob, PrintQueueStore } from '../store/print-queue.js';

/** What the print service needs of a printer, whether its agent runs here or on another PC. */
export interface PrinterDriver {
  readonly condition: PrinterCondition;
  /** Ready to print right now, as far as the last word tells. */
  readonly ready: boolean;
  start(): void | Promise<void>;
  stop(): Promise<void>;
  /** A job was queued. */
  wake(): void;
  /** Takes a job back (through `cancel`) if the printer does not have it yet; false when it may still come out. */
  withdraw(jobId: string, cancel: () => boolean): Promise<boolean>;
}

export interface RemotePrinterDeps {
  id: string;
  store: string;
  broker: Aedes;
  jobs: PrintQueueStore;
  now: () => Date;
  log: Logger;
  /** A job was confirmed printed, or its attempts changed. */
  onJobChanged: (jobId: string, printed: boolean) => void;
  /** Jobs the agent has not said it received are sent again this often. */
  resendMs?: number;
  /** How long a cancel waits for the agent's answer. */
  withdrawMs?: number;
}

/** Jobs sent to an agent in one go: a backlog beyond it follows as the first ones are printed. */
const SEND_BATCH = 50;
const OFFLINE: PrinterCondition = { online: false, health: 'error', reason: 'offline' };

/**
 * A printer whose agent runs on another PC (`agent: remote`): the print queue stays here, in
 * SQLite, and every queued job goes to the agent on `device/{id}/print/job` until the agent
 * reports it printed. Jobs are sent when queued, all over again whenever the agent (re)subscribes
 * (a restarted agent has forgotten them; one that was only cut off answers from memory), and
 * again after `resendMs` while the agent has not said it has them. The agent's reports move
 * the job here; its condition comes from its retained `device/{id}/state`.
 */
export class RemotePrinter implements PrinterDriver {
  private current: PrinterCondition = OFFLINE;
  private readonly jobTopic: string;
  private readonly reportTopic: string;
  private readonly stateTopic: string;
  /** Jobs the agent's current session has: sent again only when it reconnects. */
  private readonly received = new Set<string>();
  /** Jobs whose bytes went to the printer in the agent's current session (counted once). */
  private readonly started = new Set<string>();
  private readonly sentAt = new Map<string, number>();
  private readonly withdrawals = new Map<string, (cancelled: boolean) => void>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly deps: RemotePrinterDeps) {
    this.jobTopic = topics.printAgentJob(deps.store, deps.id);
    this.reportTopic = topics.printAgentReport(deps.store, deps.id);
    this.stateTopic = topics.deviceState(deps.store, deps.id);
  }

  get condition(): PrinterCondition {
    return this.current;
  }

  get ready(): boolean {
    return this.current.online && this.current.health !== 'error';
  }

  async start(): Promise<void> {
    const { broker } = this.deps;
    this.running = true;
    broker.on('subscribe', this.onSubscribe);
    broker.on('clientDisconnect', this.onDisconnect);
    await Promise.all([this.subscribe(this.reportTopic, this.onReport), this.subscribe(this.stateTopic, this.onState)]);
    this.timer = setInterval(() => this.send(), this.deps.resendMs ?? 2000);
    this.send();
  }

  async stop(): Promise<void> {
    const { broker } = this.deps;
    this.running = false;
    clearInterval(this.timer);
    broker.off('subscribe', this.onSubscribe);
    broker.off('clientDisconnect', this.onDisconnect);
    await Promise.all([this.unsubscribe(this.reportTopic, this.onReport), this.unsubscribe(this.stateTopic, this.onState)]);
    for (const settle of this.withdrawals.values()) settle(false);
  }

  /** After the caller's transaction: the job is sent once it is stored. */
  wake(): void {
    setImmediate(() => this.send());
  }

  async withdraw(jobId: string, cancel: () => boolean): Promise<boolean> {
    // Sent to the printer before: whatever came out of it, it stays (and may come out whole yet).
    if ((this.deps.jobs.get(jobId)?.attempts ?? 0) > 0 || this.started.has(jobId)) return false;
    const answered = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => settle(false), this.deps.withdrawMs ?? 1500);
      const settle = (cancelled: boolean): void => {
        clearTimeout(timer);
        this.withdrawals.delete(jobId);
        resolve(cancelled);
      };
      this.withdrawals.set(jobId, settle);
    });
    this.publish({ type: 'cancel', id: jobId, at: this.deps.now().toISOString() });
    // No answer: the agent may have it, and print it when it is back. Better said than hidden.
    return (await answered) && cancel();
  }

  /** Sends the queued jobs the agent has not acknowledged and that were not sent just now. */
  private send(): void {
    if (!this.running || !this.agentConnected()) return;
    const now = performance.now();
    const resendMs = this.deps.resendMs ?? 2000;
    for (const job of this.deps.jobs.queued(this.deps.id, SEND_BATCH)) {
      if (this.received.has(job.id)) continue;
      const last = this.sentAt.get(job.id);
      if (last !== undefined && now - last < resendMs) continue;
      this.sentAt.set(job.id, now);
      this.publish(this.command(job));
    }
  }

  private command(job: PrintJob): PrintAgentCommand {
    return {
      type: 'job',
      id: job.id,
      attempt: job.attempts + 1,
      reprint: job.attempts > 0,
      label: job.label,
      data: job.data.toString('base64'),
      at: this.deps.now().toISOString(),
    };
  }

  private publish(command: PrintAgentCommand): void {
    publishJson(this.deps.broker, this.jobTopic, command, false).catch((err: unknown) => this.deps.log.warn({ err, printer: this.deps.id }, 'print command not published'));
  }

  /**
   * Whether the agent's client is connected (aedes keeps clients by id = device id), so that a
   * long-gone agent's backlog is not published every few seconds. Unknown counts as connected.
   */
  private agentConnected(): boolean {
    const { clients } = this.deps.broker as Aedes & { clients?: Record<string, unknown> };
    return clients === undefined || clients[this.deps.id] !== undefined;
  }

  /** The agent (re)subscribed: a new session, which may know none of the jobs: all of them again. */
  private readonly onSubscribe = (subscriptions: Subscription[], client: Client): void => {
    if (client.id !== this.deps.id || !subscriptions.some((s) => s.topic === this.jobTopic)) return;
    this.newSession();
    // After the SUBACK: aedes emits this as it grants the subscription.
    setImmediate(() => this.send());
  };

  private readonly onDisconnect = (client: Client): void => {
    if (client.id !== this.deps.id) return;
    this.newSession();
    this.current = OFFLINE;
  };

  private newSession(): void {
    this.received.clear();
    this.started.clear();
    this.sentAt.clear();
  }

  private readonly onReport = (packet: AedesPublishPacket, done: () => void): void => {
    done();
    const report = PrintAgentReport.safeParse(safeJson(packet.payload));
    if (!report.success) return;
    const { job: jobId, event, reason } = report.data;
    const { jobs, log, id } = this.deps;
    const job = jobs.get(jobId);
    // The broker let only this printer's agent publish here; a job of another printer is still not its to report.
    if (!job || job.printer !== id) {
      log.warn({ printer: id, job: jobId, event }, 'print report about a job this printer does not have; ignored');
      return;
    }
    switch (event) {
      case 'received':
        this.received.add(jobId);
        return;
      case 'started':
        this.received.add(jobId);
        this.withdrawals.get(jobId)?.(false);
        if (this.started.has(jobId)) return;
        this.started.add(jobId);
        jobs.countAttempt(jobId);
        this.deps.onJobChanged(jobId, false);
        return;
      case 'printed':
        this.withdrawals.get(jobId)?.(false);
        this.received.delete(jobId);
        this.sentAt.delete(jobId);
        if (job.state !== 'queued') return;
        jobs.markPrinted(jobId, this.deps.now());
        log.info({ printer: id, job: jobId, label: job.label }, 'print job printed (remote agent)');
        this.deps.onJobChanged(jobId, true);
        return;
      case 'failed':
        this.started.delete(jobId);
        log.warn({ printer: id, job: jobId, label: job.label, reason }, 'printer stopped in the middle of a job; its agent prints it again, whole, marked as a reprint');
        return;
      case 'cancelled':
        this.received.delete(jobId);
        this.withdrawals.get(jobId)?.(true);
        return;
    }
  };

  private readonly onState = (packet: AedesPublishPacket, done: () => void): void => {
    done();
    const state = DeviceState.safeParse(safeJson(packet.payload));
    if (!state.success || state.data.kind !== 'printer') return;
    const { online, health, reason } = state.data;
    this.current = { online, health, ...(reason ? { reason } : {}) };
    if (online) this.send();
  };

  private subscribe(topic: string, handler: (packet: AedesPublishPacket, done: () => void) => void): Promise<void> {
    return new Promise((resolve) => this.deps.broker.subscribe(topic, handler, resolve));
  }

  private unsubscribe(topic: string, handler: (packet: AedesPublishPacket, done: () => void) => void): Promise<void> {
    return new Promise((resolve) => this.deps.broker.unsubscribe(topic, handler, resolve));
  }
}

function safeJson(payload: Buffer | string): unknown {
  try {
    return JSON.parse(payload.toString());
  } catch {
    return undefined;
  }
}
