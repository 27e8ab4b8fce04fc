import type { Logger } from 'pino';
import type { DeviceState } from '../../protocol/index.js';
import type { PrintQueueStore } from '../../store/print-queue.js';
import { STATUS_QUERY } from './commands.js';
import type { DeviceLink } from './link.js';
import { canPrint, isStatusByte, parseStatus, statusReason, type PrinterStatus } from './status.js';

export type PrinterCondition = Pick<DeviceState, 'online' | 'health' | 'reason'>;

export interface PrinterTiming {
  /** Between attempts to open a link that is down. */
  reconnectMs: number;
  /** Between status queries while the printer cannot print (paper out, cover open). */
  notReadyPollMs: number;
  /** Between status queries while idle, so a pulled cable shows at the desk before the next job. */
  idlePollMs: number;
  /** Added to the bytes' time on the wire before a missing status answer counts as "offline". */
  answerGraceMs: number;
}

export const DEFAULT_PRINTER_TIMING: PrinterTiming = { reconnectMs: 1000, notReadyPollMs: 1000, idlePollMs: 5000, answerGraceMs: 2000 };

export interface PrinterAgentDeps {
  id: string;
  link: DeviceLink;
  jobs: PrintQueueStore;
  now: () => Date;
  log: Logger;
  /** Called when the printer's condition changes (and once at start). */
  onCondition: (condition: PrinterCondition) => void;
  /** Called after a job was confirmed printed. */
  onPrinted: (jobId: string) => void;
  timing?: Partial<PrinterTiming>;
}

class NoAnswer extends Error {}

/**
 * Drives one printer: takes its queued jobs in order and sends each followed by DLE EOT status
 * queries. A job counts as printed only when the printer answers those queries and the answer
 * shows nothing that stops printing; otherwise it stays queued and is sent again once the
 * printer is back (paper refilled, cable replugged). A job can therefore print twice when the
 * answer alone was lost — never zero times.
 */
export class PrinterAgent {
  private readonly timing: PrinterTiming;
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private rx: number[] = [];
  private rxWaiter: (() => void) | undefined;
  private lastKey = '';
  private lastOk = 0;
  private current: PrinterCondition = { online: false, health: 'error', reason: 'offline' };
  /** The job whose bytes are on their way; it cannot be cancelled any more. */
  inFlight: string | undefined;

  constructor(private readonly deps: PrinterAgentDeps) {
    this.timing = { ...DEFAULT_PRINTER_TIMING, ...deps.timing };
    deps.link.onData((chunk) => {
      for (const byte of chunk) if (isStatusByte(byte)) this.rx.push(byte);
      if (this.rx.length >= 3) this.rxWaiter?.();
    });
    deps.link.onClose((reason) => {
      deps.log.warn({ printer: deps.id, reason }, 'printer link closed');
      this.setCondition({ online: false, health: 'error', reason: 'offline' });
      this.wake();
    });
  }

  get condition(): PrinterCondition {
    return this.current;
  }

  /** Ready to print right now, as far as the last answer tells. */
  get ready(): boolean {
    return this.current.online && this.current.health !== 'error';
  }

  start(): void {
    this.running = true;
    this.lastKey = '';
    this.setCondition(this.current);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    await this.deps.link.close();
  }

  /** A job was queued: stop waiting and look. */
  wake(): void {
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    const { link, jobs, id, log } = this.deps;
    while (this.running) {
      try {
        if (!link.isOpen) {
          await link.open();
          log.info({ printer: id, link: link.description }, 'printer link open');
          this.lastOk = 0;
        }
        // A fresh answer before a job tells whether it can print; after a confirmed job it is known.
        const known = Date.now() - this.lastOk < this.timing.idlePollMs;
        if (!known && !canPrint(await this.query(new Uint8Array(0)))) {
          await this.sleep(this.timing.notReadyPollMs);
          continue;
        }
        const job = jobs.next(id);
        if (!job) {
          await this.sleep(this.timing.idlePollMs);
          continue;
        }
        this.inFlight = job.id;
        jobs.countAttempt(job.id);
        const status = await this.query(job.data);
        this.inFlight = undefined;
        if (canPrint(status)) {
          jobs.markPrinted(job.id, this.deps.now());
          this.deps.onPrinted(job.id);
        } else {
          log.warn({ printer: id, job: job.id, reason: statusReason(status) }, 'job not printed; it waits for the printer');
        }
      } catch (err) {
        this.inFlight = undefined;
        if (!this.running) break;
        if (err instanceof NoAnswer) {
          log.warn({ printer: id, link: link.description }, 'printer did not answer; offline');
          // Bytes still in the output buffer would print the job late and then once more.
          await link.discardOutput().catch(() => undefined);
          await link.close();
        } else {
          log.debug({ err, printer: id }, 'printer link unavailable');
        }
        this.setCondition({ online: false, health: 'error', reason: 'offline' });
        await this.sleep(this.timing.reconnectMs);
      }
    }
  }

  /** Sends `data` followed by the status queries; resolves with the printer's answer. */
  private async query(data: Uint8Array): Promise<PrinterStatus> {
    const { link } = this.deps;
    this.rx = [];
    const bytes = Buffer.concat([data, STATUS_QUERY]);
    const onWire = link.bytesPerSecond ? (bytes.length / link.bytesPerSecond) * 1000 : 0;
    const answered = new Promise<void>((resolve) => (this.rxWaiter = resolve));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new NoAnswer()), onWire + this.timing.answerGraceMs);
    });
    link.write(bytes);
    try {
      await Promise.race([answered, timeout]);
    } finally {
      clearTimeout(timer);
      this.rxWaiter = undefined;
    }
    const [a = 0, b = 0, c = 0] = this.rx;
    const status = parseStatus(a, b, c);
    const reason = statusReason(status);
    if (canPrint(status)) this.lastOk = Date.now();
    else this.lastOk = 0;
    this.setCondition({ online: true, health: !canPrint(status) ? 'error' : reason ? 'warning' : 'ok', ...(reason ? { reason } : {}) });
    return status;
  }

  private setCondition(condition: PrinterCondition): void {
    const key = `${condition.online}:${condition.health}:${condition.reason ?? ''}`;
    this.current = condition;
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.deps.onCondition(condition);
  }

  private sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        done();
      };
    });
  }
}
