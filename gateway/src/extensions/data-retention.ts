import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { Config } from '../config/schema.js';
import type { Db } from '../store/database.js';
import { Outbox, type TransportName } from '../store/outbox.js';
import type { Extension, ExtensionContext } from './extension.js';

const DAY_MS = 86_400_000;
/** Rows per statement: each chunk is its own short transaction, so desks never wait long for the write lock. */
export const RETENTION_CHUNK = 5000;
/** Request ids are kept a day for retries (store/request-ledger.ts prunes too, but only when it writes). */
const REQUEST_ANSWER_KEEP_MS = DAY_MS;

export type RetentionConfig = Config['retention'];
export type PurgedCounts = { queueEvents: number; workshopEvents: number; printJobBytes: number; requestAnswers: number; audit: number };

export interface RetentionDeps {
  db: Db;
  config: RetentionConfig;
  now: () => Date;
  log: Logger;
  /** Ended staff sessions and old enrolment requests (Identity.pruneStale). */
  pruneIdentity?: () => void;
  /** The head-office links configured: an audit row goes only once every one of them holds it. */
  relayLinks?: readonly TransportName[];
  chunk?: number;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Keeps the gateway's own tables bounded: the engines' event logs after `eventDays` (at least the
 * wait estimator's learn window, enforced by the config schema), the bytes of printed or cancelled
 * print jobs after `printJobBytesDays` (the row stays for the desk's history; a queued job is never
 * touched), request answers after a day, old staff sessions and enrolment requests, and audit rows
 * after `auditDays` once head office holds them (acknowledged by every link and not refused; with
 * no link configured there is nobody to wait for, as for the outbox). The outbox has its own
 * retention (relay/retention.ts) and is not touched here.
 *
 * No VACUUM: SQLite reuses the freed pages, so once the windows are full the file stops growing;
 * VACUUM would rewrite the whole file and block every writer meanwhile.
 */
export class RetentionPurge {
  private readonly chunk: number;
  private readonly statements;
  private readonly outbox;
  private cancelled = false;

  constructor(private readonly deps: RetentionDeps) {
    this.chunk = deps.chunk ?? RETENTION_CHUNK;
    const { db } = deps;
    this.outbox = new Outbox(db);
    // Events are appended in time order: look only at the oldest rows by seq, so a run that finds
    // nothing to delete reads one chunk, not the whole table. A row out of order just waits.
    const events = (table: string) =>
      db.prepare(`DELETE FROM ${table} WHERE seq IN (SELECT seq FROM (SELECT seq, at FROM ${table} ORDER BY seq LIMIT @chunk) WHERE at < @before)`);
    this.statements = {
      queueEvents: events('queue_event'),
      workshopEvents: events('workshop_event'),
      audit: events('audit'),
      printJobBytes: db.prepare(
        `UPDATE print_job SET data = X'' WHERE seq IN (
           SELECT seq FROM print_job WHERE state IN ('printed', 'cancelled') AND created_at < @before AND length(data) > 0 ORDER BY seq LIMIT @chunk)`,
      ),
      requestAnswers: db.prepare(
        `DELETE FROM request_answer WHERE (principal, request_id) IN (SELECT principal, request_id FROM request_answer WHERE created_at < @before LIMIT @chunk)`,
      ),
    };
  }

  /** One pass over every table, a chunk per statement, yielding to the event loop between chunks. */
  async run(): Promise<PurgedCounts> {
    const now = this.deps.now().getTime();
    const { eventDays, printJobBytesDays } = this.deps.config;
    const ago = (ms: number) => new Date(now - ms).toISOString();
    const purged: PurgedCounts = {
      queueEvents: await this.drain('queueEvents', ago(eventDays * DAY_MS)),
      workshopEvents: await this.drain('workshopEvents', ago(eventDays * DAY_MS)),
      printJobBytes: await this.drain('printJobBytes', ago(printJobBytesDays * DAY_MS)),
      requestAnswers: await this.drain('requestAnswers', ago(REQUEST_ANSWER_KEEP_MS)),
      audit: await this.drain('audit', this.auditBefore(ago(this.deps.config.auditDays * DAY_MS))),
    };
    if (!this.cancelled) this.deps.pruneIdentity?.();
    return purged;
  }

  /**
   * Audit rows older than this go: `byAge`, or earlier when head office still lacks an audit event
   * (unsent on some link, or refused). A row and its event share their `at` (store/audit-log.ts),
   * so every row older than the oldest event head office lacks is one it holds.
   */
  private auditBefore(byAge: string): string {
    const links = this.deps.relayLinks ?? [];
    if (links.length === 0) return byAge;
    const through = Math.min(...links.map((l) => this.outbox.ackedThrough(l)));
    const pending = this.outbox.oldestPendingAt('audit', through);
    return pending !== undefined && pending < byAge ? pending : byAge;
  }

  /** Ends a running pass after its current chunk (the gateway is stopping). */
  cancel(): void {
    this.cancelled = true;
  }

  private async drain(kind: keyof PurgedCounts, before: string): Promise<number> {
    let total = 0;
    while (!this.cancelled) {
      const n = this.statements[kind].run({ before, chunk: this.chunk }).changes;
      total += n;
      if (n < this.chunk) return total;
      await nextTurn();
    }
    return total;
  }
}

/** Runs RetentionPurge once at start and then every `retention.everyHours`; a failed run is logged and retried at the next. */
export class DataRetention implements Extension {
  readonly name = 'data-retention';
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private counter: Counter<'kind'> | undefined;
  private purge: RetentionPurge | undefined;

  constructor(private readonly ctx: ExtensionContext) {}

  async start(): Promise<void> {
    const { db, config, now, log, identity, metrics } = this.ctx;
    const relayLinks = (['http', 'mqtt'] as const).filter((link) => config.relay[link] !== undefined);
    this.purge = new RetentionPurge({ db, config: config.retention, now, log, pruneIdentity: () => identity.pruneStale(), relayLinks });
    this.counter ??= new Counter({
      name: 'forecourt_retention_purged_total',
      help: 'Rows purged by data retention (print_job_bytes: jobs whose bytes were cleared)',
      labelNames: ['kind'] as const,
      registers: [metrics.registry],
    });
    this.timer = setInterval(() => this.runOnce(), config.retention.everyHours * 3600_000);
    this.timer.unref();
    this.runOnce();
    await Promise.resolve();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.purge?.cancel();
    await this.running;
  }

  private runOnce(): void {
    if (this.running || !this.purge) return;
    const purge = this.purge;
    const log = this.ctx.log;
    this.running = purge
      .run()
      .then((purged) => {
        this.counter?.inc({ kind: 'queue_event' }, purged.queueEvents);
        this.counter?.inc({ kind: 'workshop_event' }, purged.workshopEvents);
        this.counter?.inc({ kind: 'print_job_bytes' }, purged.printJobBytes);
        this.counter?.inc({ kind: 'request_answer' }, purged.requestAnswers);
        this.counter?.inc({ kind: 'audit' }, purged.audit);
        log.info({ purged }, 'data retention: old rows purged');
      })
      .catch((err: unknown) => log.error({ err }, 'data retention failed; retried at the next run'))
      .finally(() => {
        this.running = undefined;
      });
  }
}
