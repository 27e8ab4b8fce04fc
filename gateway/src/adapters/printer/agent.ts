import type { Logger } from 'pino';
import type { PrinterProfile } from '../../config/devices.js';
import type { DeviceState } from '../../protocol/index.js';
import type { PrintJob } from '../../store/print-queue.js';
import { CLEAR_BUFFER, PAPER_STATUS_REQUEST, STATUS_QUERY, processIdRequest } from './commands.js';
import { splitAtCommands } from './job-pieces.js';
import type { DeviceLink } from './link.js';
import { jobLines } from './paper-length.js';
import { ReplyParser, type PrinterReply } from './replies.js';
import { reprintNotice, withReprintNotice } from './reprint-notice.js';
import { canPrint, paperSensorEnd, parseStatus, statusReason, type PrinterStatus } from './status.js';

export type PrinterCondition = Pick<DeviceState, 'online' | 'health' | 'reason'>;

export interface PrinterTiming {
  /** Between attempts to open a link that is down. */
  reconnectMs: number;
  /** Between status queries while the printer cannot print (paper out, cover open). */
  notReadyPollMs: number;
  /** Between status queries while idle, so a pulled cable shows at the desk before the next job. */
  idlePollMs: number;
  /** Between the real-time status queries while a job prints (paced: each takes buffer space). */
  printingPollMs: number;
  /** Added to the bytes' time on the wire before a missing answer counts as "offline". */
  answerGraceMs: number;
  /**
   * The slowest printing waited for: an in-order answer is given up (offline) once the paper
   * before it would have printed at this speed, and answerGraceMs more, have passed. Impact
   * printers print 4–5 lines a second, thermal ones 40 and more.
   */
  minLinesPerSecond: number;
  /** GS r answers carry no id: after a reconnect, the last of them is ours once the line stays quiet this long. */
  settleMs: number;
}

export const DEFAULT_PRINTER_TIMING: PrinterTiming = {
  reconnectMs: 1000,
  notReadyPollMs: 1000,
  idlePollMs: 5000,
  printingPollMs: 250,
  answerGraceMs: 2000,
  minLinesPerSecond: 2,
  settleMs: 150,
};

/** Room left in the printer's buffer for the requests and status queries that follow a piece. */
const BUFFER_RESERVE = 256;

/**
 * Where the agent takes its jobs, oldest first: the print queue in SQLite when it runs in the
 * gateway, the jobs sent to it over MQTT when it runs on another PC (remote-jobs.ts).
 */
export interface PrintJobSource {
  next(printer: string): Pick<PrintJob, 'id' | 'label' | 'attempts' | 'data'> | undefined;
  /** Its bytes go to the printer now. */
  countAttempt(id: string): void;
  markPrinted(id: string, at: Date): void;
  /** The printer stopped in it or went silent: it stays queued and prints again, marked. */
  interrupted?(id: string, reason: string): void;
}

export interface PrinterAgentDeps {
  id: string;
  link: DeviceLink;
  profile: PrinterProfile;
  jobs: PrintJobSource;
  now: () => Date;
  log: Logger;
  /** Called when the printer's condition changes (and once at start). */
  onCondition: (condition: PrinterCondition) => void;
  /** Called after a job was confirmed printed. */
  onPrinted: (jobId: string) => void;
  /** Where the jobs are this process's own commits: resolves once they are on disk (the gateway's group commit). */
  untilDurable?: () => Promise<void>;
  timing?: Partial<PrinterTiming>;
}

class NoAnswer extends Error {}
class LinkLost extends Error {}

interface InOrderAnswer {
  /** No stop (paper out, cover open, error) was seen between the job's start and this answer. */
  clean: boolean;
}

type Waiter<T> = { resolve: (value: T) => void; reject: (err: Error) => void };

/**
 * Drives one printer: takes its queued jobs in order, one at a time, and proves each printed.
 *
 * A printer answers DLE EOT the moment it arrives, ahead of data still in its buffer, so a clean
 * DLE EOT after a job says nothing about the job. After each job (in pieces that fit the
 * printer's buffer) goes a request the printer answers only once everything before it has
 * printed — GS ( H with the job's own id where the profile says the model has it, else GS r 1 —
 * and, while it prints, DLE EOT queries to learn at once when it stops. A job counts as printed
 * when its in-order answer arrives with no stop seen since it started.
 *
 * A job the printer stopped in (paper out, cover open) or went silent during (cable pulled, power
 * off, no answer) stays queued and prints again, whole, after recovery, with 重印 / REPRINT at
 * the top. What the printer still holds of it is dealt with at once, while it is stopped: a
 * model that clears its buffers on the real-time DLE DC4 fn=8 drops the rest (ESC @ would not:
 * it is processed in order, after the rest had printed), so only the torn top and the reprint
 * come out; any other model prints the rest when its paper is back, then the reprint follows.
 * Nothing real-time removes the rest from such a printer, and resending is the only way the
 * customer gets a whole ticket — so a torn piece more, never a ticket less.
 *
 * Before the first job on a link, and after any stop, the printer must answer an in-order
 * request of its own (sync): then no earlier request's answer can be taken for a job's, and a
 * printer that never answers in order gets no job at all rather than the same job again and again.
 */
export class PrinterAgent {
  private readonly timing: PrinterTiming;
  private readonly notice: Buffer;
  private readonly pieceBytes: number;
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private lastKey = '';
  private current: PrinterCondition = { online: false, health: 'error', reason: 'offline' };
  private parser = new ReplyParser();
  private wireFreeAt = 0;
  private statusWaiter: (Waiter<PrinterStatus> & { bytes: number[] }) | undefined;
  private clearWaiter: Waiter<void> | undefined;
  private inOrderWaiter: (Waiter<InOrderAnswer> & { id: string | undefined }) | undefined;
  /** GS r requests sent and not answered yet (GS r answers carry no id, so they are counted). */
  private outstanding = 0;
  /** GS r answers received on this link, counted or not. */
  private paperAnswers = 0;
  /** After a (re)connect a GS r printer may still answer requests of the last link. */
  private uncertain = true;
  private nextId = Math.floor(Math.random() * 62 ** 4);
  /** A stop seen since the current job started. */
  private stopSeen = false;
  /** A byte that answered nothing arrived since the current job started. */
  private noisy = false;
  /** Lines a torn job may still print before the printer gets to the next request (no buffer clear). */
  private tornLines = 0;
  private synced = false;
  private freshLink = true;
  /**
   * The job whose bytes the printer has, with no stop seen since: it may come out any moment, so
   * it can no longer be cancelled. Undefined once it is confirmed, interrupted or given up.
   */
  inPrinter: string | undefined;

  constructor(private readonly deps: PrinterAgentDeps) {
    this.timing = { ...DEFAULT_PRINTER_TIMING, ...deps.timing };
    this.notice = reprintNotice(deps.profile);
    this.pieceBytes = (deps.profile.bufferBytes ?? 4096) - BUFFER_RESERVE;
    deps.link.onData((chunk) => this.parser.push(chunk).forEach((reply) => this.onReply(reply)));
    deps.link.onClose((reason) => {
      deps.log.warn({ printer: deps.id, reason }, 'printer link closed');
      this.failWaiters(new LinkLost(reason));
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
    // Closing does not report itself: end the waits here, or the loop sits out its timeouts.
    await this.deps.link.close();
    this.failWaiters(new LinkLost('stopped'));
    await this.loop;
    await this.deps.link.close();
  }

  /** A job was queued: stop waiting and look. */
  wake(): void {
    this.wakeUp?.();
  }

  /**
   * Cancels a job (through `cancel`) unless the printer has it. Checked and cancelled in one
   * step: the agent takes a job and writes it in one step too.
   */
  withdraw(jobId: string, cancel: () => boolean): Promise<boolean> {
    return Promise.resolve(this.inPrinter !== jobId && cancel());
  }

  private async run(): Promise<void> {
    const { link, jobs, id, log } = this.deps;
    while (this.running) {
      let job: ReturnType<PrintJobSource['next']>;
      let printing = false;
      try {
        if (!link.isOpen) await this.openLink();
        if (!this.synced && !(await this.sync())) {
          await this.sleep(this.timing.notReadyPollMs);
          continue;
        }
        // Every job goes to a printer that has just said it can print.
        if (!canPrint(await this.queryStatus())) {
          await this.sleep(this.timing.notReadyPollMs);
          continue;
        }
        job = jobs.next(id);
        if (!job) {
          await this.sleep(this.timing.idlePollMs);
          continue;
        }
        printing = true;
        const printed = await this.print(job);
        printing = false;
        if (!printed) {
          log.warn({ printer: id, job: job.id, label: job.label, reason: this.current.reason }, 'printer stopped in the middle of a job; it prints again, whole, marked as a reprint');
          jobs.interrupted?.(job.id, this.current.reason ?? 'stopped');
          this.synced = false;
          if (this.deps.profile.clearBuffer) await this.clearBuffer();
        }
      } catch (err) {
        if (job && printing) jobs.interrupted?.(job.id, 'offline');
        this.inPrinter = undefined;
        this.synced = false;
        if (!this.running) break;
        if (err instanceof NoAnswer) {
          log.warn({ printer: id, link: link.description, reason: err.message }, 'printer did not answer; offline');
          // Bytes still in the output buffer would print a job late and then once more.
          await link.discardOutput().catch(() => undefined);
          await link.close();
        } else if (!(err instanceof LinkLost)) {
          log.debug({ err, printer: id }, 'printer link unavailable');
        }
        this.setCondition({ online: false, health: 'error', reason: 'offline' });
        await this.sleep(this.timing.reconnectMs);
      }
    }
  }

  private async openLink(): Promise<void> {
    const { link, log, id } = this.deps;
    this.failWaiters(new LinkLost('reopened'));
    this.parser = new ReplyParser();
    this.wireFreeAt = 0;
    this.outstanding = 0;
    this.uncertain = true;
    this.synced = false;
    this.freshLink = true;
    await link.open();
    log.info({ printer: id, link: link.description }, 'printer link open');
  }

  /**
   * Makes the printer answer an in-order request of its own, once it can print: afterwards no
   * answer to an earlier request is still on its way. On a fresh link a model that can clears
   * first what a job cut off by the link left behind (and any half command with it).
   */
  private async sync(): Promise<boolean> {
    if (this.freshLink && this.deps.profile.clearBuffer) await this.clearBuffer();
    this.freshLink = false;
    const status = await this.queryStatus();
    if (!canPrint(status)) return false;
    this.stopSeen = false;
    const answered = this.expectInOrder();
    // The rest of a torn job may print before the printer gets to this request.
    const answer = await this.awaitInOrder(answered, this.tornLines);
    if (answer === 'stopped' || !answer.clean) return false;
    this.tornLines = 0;
    if (this.deps.profile.confirm !== 'gs-h' && this.uncertain) await this.settle();
    this.uncertain = false;
    this.noisy = false;
    this.synced = true;
    this.noteStatus(status);
    return true;
  }

  /**
   * Sends a job, piece by piece, and waits for its in-order answers. True when it printed (and
   * is marked so); false when the printer stopped in it: it stays queued.
   */
  private async print(job: NonNullable<ReturnType<PrintJobSource['next']>>): Promise<boolean> {
    const { jobs, profile } = this.deps;
    // Sent before and never confirmed: whatever came out of it, this copy says it is a reprint.
    const data = job.attempts > 0 ? withReprintNotice(job.data, this.notice) : job.data;
    const pieces = splitAtCommands(data, profile.encoding, this.pieceBytes);
    this.stopSeen = false;
    this.noisy = false;
    this.inPrinter = job.id;
    jobs.countAttempt(job.id);
    try {
      // The job and its attempt are on disk before any paper moves (store/group-commit.ts).
      await this.deps.untilDurable?.();
      for (const piece of pieces) {
        const answered = this.expectInOrder(piece);
        // Measured once the bytes are on their way: the printer need not wait for it.
        const lines = jobLines(piece, profile.encoding);
        const answer = await this.awaitInOrder(answered, lines);
        if (answer === 'stopped' || !answer.clean) {
          this.tornLines = lines;
          return false;
        }
      }
      // Noise on the line could have passed for an answer: only a clean round of its own proves the job.
      if (this.noisy && !(await this.sync())) return false;
      jobs.markPrinted(job.id, this.deps.now());
      this.deps.log.info({ printer: this.deps.id, job: job.id, label: job.label, pieces: pieces.length }, 'print job printed');
      this.deps.onPrinted(job.id);
      return true;
    } finally {
      this.inPrinter = undefined;
    }
  }

  /** Writes `data` (if any) and an in-order request after it; the promise is its answer. */
  private expectInOrder(data: Uint8Array = new Uint8Array(0)): Promise<InOrderAnswer> {
    let id: string | undefined;
    let request: Uint8Array = PAPER_STATUS_REQUEST;
    if (this.deps.profile.confirm === 'gs-h') {
      id = processId(this.nextId++);
      request = processIdRequest(id);
    } else {
      this.outstanding += 1;
    }
    const answered = new Promise<InOrderAnswer>((resolve, reject) => (this.inOrderWaiter = { resolve, reject, id }));
    this.write(Buffer.concat([data, request]));
    return answered;
  }

  /**
   * Waits for an in-order answer, asking for real-time status meanwhile so that a stop shows at
   * once. `lines` is the paper the printer prints first: it sets how long the answer may take.
   */
  private async awaitInOrder(answered: Promise<InOrderAnswer>, lines: number): Promise<InOrderAnswer | 'stopped'> {
    const deadline = Math.max(performance.now(), this.wireFreeAt) + this.timing.answerGraceMs + (lines / this.timing.minLinesPerSecond) * 1000;
    let answer: InOrderAnswer | undefined;
    answered.then((a) => (answer = a), () => undefined);
    for (;;) {
      await this.within(answered, this.timing.printingPollMs);
      if (answer) return answer;
      if (this.stopSeen) return 'stopped';
      if (performance.now() > deadline) {
        this.inOrderWaiter = undefined;
        throw new NoAnswer('no answer to the in-order request (does the model have the profile\'s "confirm"?)');
      }
      await this.queryStatus();
      if (answer) return answer;
      if (this.stopSeen) return 'stopped';
    }
  }

  /** GS r answers after a reconnect: the last one before a quiet spell answers our request. */
  private async settle(): Promise<void> {
    for (let seen = this.paperAnswers; ; seen = this.paperAnswers) {
      await new Promise((resolve) => setTimeout(resolve, this.timing.settleMs));
      if (this.paperAnswers === seen) return;
    }
  }

  /** Real-time DLE EOT 1, 2 and 4; the answer also updates the printer's condition. */
  private async queryStatus(): Promise<PrinterStatus> {
    const bytes: number[] = [];
    const answered = new Promise<PrinterStatus>((resolve, reject) => (this.statusWaiter = { resolve, reject, bytes }));
    this.write(STATUS_QUERY);
    const timedOut = await this.within(answered, this.untilAnswered());
    this.statusWaiter = undefined;
    if (timedOut) throw new NoAnswer('no answer to a status query');
    return answered;
  }

  /**
   * DLE DC4 fn=8: the printer drops everything in its buffers, even while it is stopped. A GS r
   * answer sent before the clear arrives before its "cleared"; none can come after it.
   */
  private async clearBuffer(): Promise<void> {
    const cleared = new Promise<void>((resolve, reject) => (this.clearWaiter = { resolve, reject }));
    this.write(CLEAR_BUFFER);
    const timedOut = await this.within(cleared, this.untilAnswered());
    this.clearWaiter = undefined;
    // Going on without it could print a torn job's rest, or run the next job into it.
    if (timedOut) throw new NoAnswer('no answer to the buffer clear (does the model have the profile\'s "clearBuffer"?)');
    this.outstanding = 0;
    this.uncertain = false;
    this.tornLines = 0;
  }

  private onReply(reply: PrinterReply): void {
    switch (reply.kind) {
      case 'status': {
        const waiter = this.statusWaiter;
        if (!waiter) {
          this.noisy = true;
          return;
        }
        waiter.bytes.push(reply.byte);
        if (waiter.bytes.length < 3) return;
        this.statusWaiter = undefined;
        const [a = 0, b = 0, c = 0] = waiter.bytes;
        const status = parseStatus(a, b, c);
        this.noteStatus(status);
        waiter.resolve(status);
        return;
      }
      case 'paper-sensor':
        this.paperAnswers += 1;
        if (this.deps.profile.confirm === 'gs-h' || this.outstanding === 0) {
          // Not counted: noise, unless the printer may still be answering an earlier link's requests.
          if (!this.uncertain) this.noisy = true;
          return;
        }
        if (paperSensorEnd(reply.byte)) this.stopSeen = true;
        this.outstanding -= 1;
        if (this.outstanding === 0) this.answerInOrder(undefined);
        return;
      case 'process-id':
        // Another id answers a request from before (a torn job, the last link): not ours now.
        if (this.inOrderWaiter?.id === reply.id) this.answerInOrder(reply.id);
        return;
      case 'buffer-cleared':
        this.clearWaiter?.resolve();
        return;
      case 'garbage':
        this.noisy = true;
        // A GS r count may be off by the noise: the next sync waits for the answers to stop.
        if (this.deps.profile.confirm !== 'gs-h') this.uncertain = true;
        this.deps.log.debug({ printer: this.deps.id, bytes: reply.bytes }, 'printer sent bytes that answer nothing');
        return;
    }
  }

  private answerInOrder(id: string | undefined): void {
    const waiter = this.inOrderWaiter;
    if (!waiter || waiter.id !== id) return;
    this.inOrderWaiter = undefined;
    waiter.resolve({ clean: !this.stopSeen });
  }

  private noteStatus(status: PrinterStatus): void {
    if (!canPrint(status)) this.stopSeen = true;
    const reason = statusReason(status);
    const health = !canPrint(status) ? 'error' : reason ? 'warning' : 'ok';
    // Until it has answered in order, a printer that answers status is not ready to print.
    if (!this.synced && canPrint(status)) return;
    this.setCondition({ online: true, health, ...(reason ? { reason } : {}) });
  }

  private write(bytes: Uint8Array): void {
    const { link } = this.deps;
    const now = performance.now();
    const onWire = link.bytesPerSecond ? (bytes.length / link.bytesPerSecond) * 1000 : 0;
    this.wireFreeAt = Math.max(now, this.wireFreeAt) + onWire;
    link.write(bytes);
  }

  /** Time from now until an answer to what was just written is overdue. */
  private untilAnswered(): number {
    return Math.max(0, this.wireFreeAt - performance.now()) + this.timing.answerGraceMs;
  }

  /** Resolves true after `ms` if `promise` has not settled by then, false when it has; rejects with it. */
  private async within(promise: Promise<unknown>, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<true>((resolve) => (timer = setTimeout(() => resolve(true), ms)));
    try {
      return await Promise.race([promise.then(() => false as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private failWaiters(err: Error): void {
    for (const waiter of [this.statusWaiter, this.clearWaiter, this.inOrderWaiter]) waiter?.reject(err);
    this.statusWaiter = undefined;
    this.clearWaiter = undefined;
    this.inOrderWaiter = undefined;
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

const ID_CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Four printable characters (GS ( H wants bytes 32–126); 62⁴ ids before one comes round again. */
function processId(n: number): string {
  let id = '';
  for (let i = 0, rest = n; i < 4; i++, rest = Math.floor(rest / 62)) id += ID_CHARS[rest % 62];
  return id;
}
