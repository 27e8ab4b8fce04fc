import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { totalChanges, type Db } from './database.js';

/** Makes a file's written data durable (fdatasync); resolves when it is, rejects when the disk says no. */
export type SyncFile = (path: string) => Promise<void>;

/** What an output needs of the group commit: to wait for the commits made before it. */
export interface DurableOutputs {
  /**
   * Runs `release` once every commit made so far is on disk: at once when nothing was written
   * since. If the disk fails first, `drop` runs instead: the output must never leave.
   */
  afterDurable(release: () => void, drop?: (err: unknown) => void): void;
  /** Resolves once every commit made so far is on disk; rejects if the disk fails first. */
  whenDurable(): Promise<void>;
}

export interface GroupCommitDeps {
  db: Db;
  /** An fsync that fails means the disk may not hold what was committed: the gateway must stop (it restarts and recovers). */
  onFailure: (err: unknown) => void;
  syncFile?: SyncFile;
  /** Told how long each fsync took (a metric). */
  onSynced?: (seconds: number) => void;
}

/**
 * Group commit: commits are durable before anyone sees them, without an fsync on the event loop.
 *
 * The database commits with `synchronous = NORMAL` (database.ts): a commit is appended to the
 * WAL and returns at once. This barrier fsyncs the WAL on the thread pool, one fsync for all the
 * commits made while the previous one ran, and holds every output that could show a commit (HTTP
 * answers, the gateway's publishes, printer bytes, events to head office) until the commits made
 * before it are on disk. A power cut can therefore take back only commits nobody has seen, which
 * is what `synchronous = FULL` promised, at a fraction of its fsyncs and none of them blocking.
 *
 * "Commits made before" is read from the connection's `total_changes()`: it grows with every
 * row a statement changes, so an output waits only when something was written since the last sync.
 * Outputs leave in the order they were held.
 */
export class GroupCommit implements DurableOutputs {
  private readonly changes: () => number;
  private readonly syncFile: SyncFile;
  private readonly walPath: string;
  /** total_changes() as of the last completed sync. */
  private durableThrough: number;
  private readonly held: { through: number; release: () => void; drop: ((err: unknown) => void) | undefined }[] = [];
  private syncing = false;
  private failed: unknown;
  private syncs = 0;

  constructor(private readonly deps: GroupCommitDeps) {
    this.changes = totalChanges(deps.db);
    this.syncFile = deps.syncFile ?? syncFileData;
    this.walPath = `${deps.db.name}-wal`;
    this.durableThrough = this.changes();
  }

  /** fsyncs taken so far (each covers every commit made before it started). */
  get syncCount(): number {
    return this.syncs;
  }

  /** Outputs held now, waiting for a sync. */
  get heldCount(): number {
    return this.held.length;
  }

  /**
   * Makes the WAL file's own name durable once: SQLite syncs a new WAL's directory entry at its
   * first fsync, which commits under NORMAL no longer make.
   */
  async start(): Promise<void> {
    await this.syncFile(dirname(this.deps.db.name));
  }

  afterDurable(release: () => void, drop?: (err: unknown) => void): void {
    if (this.failed !== undefined) {
      drop?.(this.failed);
      return;
    }
    const through = this.changes();
    if (this.held.length === 0 && through <= this.durableThrough) {
      release();
      return;
    }
    this.held.push({ through, release, drop });
    this.syncSoon();
  }

  whenDurable(): Promise<void> {
    return new Promise((resolve, reject) => this.afterDurable(resolve, reject));
  }

  private syncSoon(): void {
    if (this.syncing || this.failed !== undefined) return;
    this.syncing = true;
    // Taken before the fsync starts: a commit made while it runs may miss it and waits for the next.
    const through = this.changes();
    const started = performance.now();
    this.syncFile(this.walPath).then(
      () => {
        this.syncs += 1;
        this.deps.onSynced?.((performance.now() - started) / 1000);
        this.syncing = false;
        this.durableThrough = Math.max(this.durableThrough, through);
        this.releaseDurable();
        if (this.held.length > 0) this.syncSoon();
      },
      (err: unknown) => {
        this.syncing = false;
        // Never retried: after a failed fsync Linux may report the next one clean though the
        // data was lost. Nothing held ever leaves; the gateway stops and recovers from the file.
        this.failed = err;
        for (const { drop } of this.held.splice(0)) drop?.(err);
        this.deps.onFailure(err);
      },
    );
  }

  private releaseDurable(): void {
    while (this.held.length > 0 && this.held[0]!.through <= this.durableThrough) {
      const { release } = this.held.shift()!;
      release();
    }
  }
}

/** fdatasync of a file (or a directory) by path; a WAL not there (the database closed) has nothing to sync. */
async function syncFileData(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
