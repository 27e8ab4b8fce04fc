import { open, type FileHandle } from 'node:fs/promises';
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
  /** Default: `KeptOpenFiles`, closed by `stop()`. */
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
  private readonly ownFiles: KeptOpenFiles | undefined;

  constructor(private readonly deps: GroupCommitDeps) {
    this.changes = totalChanges(deps.db);
    this.ownFiles = deps.syncFile ? undefined : new KeptOpenFiles();
    this.syncFile = deps.syncFile ?? this.ownFiles!.sync;
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

  /** Closes the files it kept open; call it before the database closes (which deletes the WAL). */
  async stop(): Promise<void> {
    await this.ownFiles?.close();
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

/**
 * fdatasync by path, keeping each file open after its first sync: a sync is then one trip through
 * the thread pool instead of three (open, fdatasync, close), and each trip waits for the event
 * loop. Safe for the WAL because the gateway's own connection keeps it for as long as it is open:
 * SQLite resets and truncates a WAL in place and deletes it only when the last connection closes.
 * A file not there yet (ENOENT) has nothing to sync and is looked for again next time.
 */
export class KeptOpenFiles {
  private readonly handles = new Map<string, Promise<FileHandle | undefined>>();
  private closed = false;

  readonly sync: SyncFile = async (path) => {
    if (this.closed) return syncOnce(path);
    let opening = this.handles.get(path);
    if (!opening) {
      opening = openIfThere(path);
      this.handles.set(path, opening);
    }
    const handle = await opening.catch((err: unknown) => {
      this.handles.delete(path);
      throw err;
    });
    if (!handle) {
      this.handles.delete(path);
      return;
    }
    await handle.datasync();
  };

  /** Closes every kept file; a sync after this opens and closes its file each time. */
  async close(): Promise<void> {
    this.closed = true;
    const openings = [...this.handles.values()];
    this.handles.clear();
    for (const opening of openings) await (await opening.catch(() => undefined))?.close();
  }
}

async function openIfThere(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** fdatasync of a file (or a directory) by path, opened for it and closed after. */
async function syncOnce(path: string): Promise<void> {
  const handle = await openIfThere(path);
  if (!handle) return;
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
