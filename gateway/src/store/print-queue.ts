import { randomUUID } from 'node:crypto';
import type { PrintJobKind, PrintJobSummary } from '../protocol/index.js';
import type { Db } from './database.js';
import { Outbox } from './outbox.js';
import { printFailureEntry } from '../relay/outbound-events.js';

export interface NewPrintJob {
  printer: string;
  kind: PrintJobKind;
  label: string;
  data: Uint8Array;
  reprintOf?: string;
}

export interface PrintJob extends PrintJobSummary {
  data: Buffer;
}

const COLUMNS = `id, printer, kind, label, state, attempts, length(data) AS bytes, created_at AS createdAt,
  printed_at AS printedAt, reprint_of AS reprintOf`;

/** The print queue in SQLite (migration 4): a job survives a restart until it is printed. */
export class PrintQueueStore {
  private readonly insertStmt;
  private readonly nextStmt;
  private readonly queuedStmt;
  private readonly getStmt;
  private readonly attemptStmt;
  private readonly printedStmt;
  private readonly cancelStmt;
  private readonly recentStmt;
  private readonly queuedCountStmt;
  private readonly ofLabelStmt;
  private readonly cancelTx: (id: string, reason: string, at: string) => boolean;

  constructor(
    db: Db,
    outbox = new Outbox(db),
  ) {
    this.insertStmt = db.prepare(
      `INSERT INTO print_job (id, printer, kind, label, state, data, created_at, reprint_of)
       VALUES (@id, @printer, @kind, @label, 'queued', @data, @createdAt, @reprintOf)`,
    );
    this.nextStmt = db.prepare(`SELECT ${COLUMNS}, data FROM print_job WHERE printer = ? AND state = 'queued' ORDER BY seq LIMIT 1`);
    this.queuedStmt = db.prepare(`SELECT ${COLUMNS}, data FROM print_job WHERE printer = ? AND state = 'queued' ORDER BY seq LIMIT ?`);
    this.getStmt = db.prepare(`SELECT ${COLUMNS}, data FROM print_job WHERE id = ?`);
    this.attemptStmt = db.prepare(`UPDATE print_job SET attempts = attempts + 1 WHERE id = ?`);
    this.printedStmt = db.prepare(`UPDATE print_job SET state = 'printed', printed_at = ? WHERE id = ? AND state = 'queued'`);
    this.cancelStmt = db.prepare(`UPDATE print_job SET state = 'cancelled' WHERE id = ? AND state = 'queued'`);
    this.recentStmt = db.prepare(`SELECT ${COLUMNS} FROM print_job ORDER BY seq DESC LIMIT ?`);
    this.queuedCountStmt = db.prepare(`SELECT count(*) FROM print_job WHERE printer = ? AND state = 'queued'`).pluck();
    this.ofLabelStmt = db.prepare(`SELECT ${COLUMNS} FROM print_job WHERE label = ? ORDER BY seq DESC LIMIT 50`);
    this.cancelTx = db.transaction((id: string, reason: string, at: string) => {
      if (this.cancelStmt.run(id).changes !== 1) return false;
      const job = this.summary(id);
      if (job) outbox.append(printFailureEntry(at, id, { printer: job.printer, kind: job.kind, label: job.label, reason }));
      return true;
    });
  }

  enqueue(job: NewPrintJob, now: Date): PrintJobSummary {
    const id = randomUUID();
    this.insertStmt.run({ id, ...job, data: Buffer.from(job.data), createdAt: now.toISOString(), reprintOf: job.reprintOf ?? null });
    return this.summary(id)!;
  }

  /** The oldest job still waiting for the printer: jobs print in the order they were queued. */
  next(printer: string): PrintJob | undefined {
    return this.nextStmt.get(printer) as PrintJob | undefined;
  }

  /** The jobs waiting for a printer, oldest first (sent to a remote printer's agent until it confirms them). */
  queued(printer: string, limit: number): PrintJob[] {
    return this.queuedStmt.all(printer, limit) as PrintJob[];
  }

  get(id: string): PrintJob | undefined {
    return this.getStmt.get(id) as PrintJob | undefined;
  }

  summary(id: string): PrintJobSummary | undefined {
    const job = this.get(id);
    if (!job) return undefined;
    const { data: _data, ...summary } = job;
    return summary;
  }

  countAttempt(id: string): void {
    this.attemptStmt.run(id);
  }

  markPrinted(id: string, at: Date): void {
    this.printedStmt.run(at.toISOString(), id);
  }

  /** Cancels a job that has not been printed, and tells head office why; false when it was printed (or gone) already. */
  cancel(id: string, reason: string, at: Date): boolean {
    return this.cancelTx(id, reason, at.toISOString());
  }

  recent(limit: number): PrintJobSummary[] {
    return this.recentStmt.all(limit) as PrintJobSummary[];
  }

  /** Jobs printed under a label, newest first: an order's documents carry its reception number. */
  ofLabel(label: string): PrintJobSummary[] {
    return this.ofLabelStmt.all(label) as PrintJobSummary[];
  }

  queuedCount(printer: string): number {
    return this.queuedCountStmt.get(printer) as number;
  }
}
