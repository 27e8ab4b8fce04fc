import type { Logger } from 'pino';
import type { PrintAgentCommand, PrintAgentReport } from '../../protocol/print-agent.js';
import type { PrintJobSource } from './agent.js';

/** Job ids remembered as printed or cancelled: far more than a printer's day of redeliveries. */
const REMEMBERED = 2000;

interface RemoteJob {
  id: string;
  label: string;
  attempts: number;
  data: Buffer;
}

export interface RemoteJobsDeps {
  /** Publishes a report on the printer's own report topic (QoS 1). */
  report: (event: PrintAgentReport['event'], job: string, reason?: string) => void;
  /** A job arrived: the printer agent should look. */
  wake: () => void;
  log: Logger;
}

/**
 * The print queue of an agent on another PC: the jobs the gateway sent, oldest first, until the
 * printer confirmed each. A job id it already has, printed or cancelled (a QoS 1 duplicate, the
 * gateway sending again after a reconnect) is answered as it stands, never printed twice. The
 * gateway keeps its own copy of each job until "printed" arrives, so an agent that restarts and
 * forgets loses nothing: it is sent everything again.
 */
export class RemoteJobs implements PrintJobSource {
  private readonly queue = new Map<string, RemoteJob>();
  private readonly printed = new RecentIds(REMEMBERED);
  private readonly cancelled = new RecentIds(REMEMBERED);

  constructor(private readonly deps: RemoteJobsDeps) {}

  accept(command: PrintAgentCommand): void {
    const { report } = this.deps;
    const { id } = command;
    if (this.printed.has(id)) return report('printed', id);
    if (this.cancelled.has(id)) return report('cancelled', id);
    const queued = this.queue.get(id);
    if (command.type === 'cancel') {
      if (queued && queued.attempts > 0) return report('started', id);
      // Remembered even when it never arrived: a job sent before the cancel must not print after it.
      this.queue.delete(id);
      this.cancelled.add(id);
      this.deps.log.info({ job: id }, 'print job cancelled before it reached the printer');
      return report('cancelled', id);
    }
    if (queued) {
      report('received', id);
      if (queued.attempts > 0) report('started', id);
      return;
    }
    // A job the gateway sent before and never heard "printed" of may have come out in part.
    this.queue.set(id, { id, label: command.label, attempts: command.reprint ? 1 : 0, data: Buffer.from(command.data, 'base64') });
    this.deps.log.info({ job: id, label: command.label, attempt: command.attempt, reprint: command.reprint }, 'print job received');
    report('received', id);
    this.deps.wake();
  }

  next(): RemoteJob | undefined {
    return this.queue.values().next().value;
  }

  countAttempt(id: string): void {
    const job = this.queue.get(id);
    if (job) job.attempts += 1;
    this.deps.report('started', id);
  }

  markPrinted(id: string): void {
    this.queue.delete(id);
    this.printed.add(id);
    this.deps.report('printed', id);
  }

  interrupted(id: string, reason: string): void {
    this.deps.report('failed', id, /^[a-z0-9-]{1,40}$/.test(reason) ? reason : 'stopped');
  }

  get queued(): number {
    return this.queue.size;
  }
}

/** The last `max` ids added, oldest forgotten first. */
class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly max: number) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value as string);
  }
}
