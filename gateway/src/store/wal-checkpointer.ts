import type { Logger } from 'pino';
import { totalChanges, type Db } from './database.js';
import { checkpointDatabaseFile, type CheckpointResult } from './sqlite-worker.js';

/** How often the WAL is copied into the database file when something was written. */
export const CHECKPOINT_EVERY_MS = 60_000;

export interface WalCheckpointerDeps {
  db: Db;
  log: Logger;
  everyMs?: number;
  checkpoint?: (path: string, signal: AbortSignal) => Promise<CheckpointResult>;
}

/**
 * Copies the WAL into the database file on a worker thread, once a minute when something was
 * written. SQLite's own checkpoint runs inside a commit on the event loop, with two fsyncs of its
 * own: while this runs, the connection's is off (`wal_autocheckpoint = 0`), and back on after.
 * A checkpoint that fails is logged and tried again next time: the WAL holds everything meanwhile.
 */
export class WalCheckpointer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private readonly changes: () => number;
  private checkpointedThrough: number;

  constructor(private readonly deps: WalCheckpointerDeps) {
    this.changes = totalChanges(deps.db);
    this.checkpointedThrough = this.changes();
  }

  start(): void {
    this.deps.db.pragma('wal_autocheckpoint = 0');
    this.timer = setInterval(() => void this.runOnce(), this.deps.everyMs ?? CHECKPOINT_EVERY_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.abort.abort();
    await this.running;
    this.deps.db.pragma('wal_autocheckpoint = 1000');
  }

  /** One checkpoint, unless one runs already or nothing was written since the last. */
  runOnce(): Promise<void> {
    const through = this.changes();
    if (this.running || through === this.checkpointedThrough) return this.running ?? Promise.resolve();
    const { db, log } = this.deps;
    const checkpoint = this.deps.checkpoint ?? checkpointDatabaseFile;
    this.running = checkpoint(db.name, this.abort.signal)
      .then(
        (result) => {
          this.checkpointedThrough = through;
          log.debug(result, 'WAL checkpoint');
        },
        (err: unknown) => {
          if (!this.abort.signal.aborted) log.warn({ err }, 'WAL checkpoint failed; the WAL keeps everything and it is tried again');
        },
      )
      .finally(() => (this.running = undefined));
    return this.running;
  }
}
