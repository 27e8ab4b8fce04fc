import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export const LOCK_FILE = 'forecourt.lock';
/** The holder's process id, for people and the refusal message; the lock itself is LOCK_FILE. */
export const PID_FILE = 'forecourt.pid';

export class DataDirLockedError extends Error {
  constructor(dataDir: string, holder: string | undefined) {
    super(
      `another gateway${holder ? ` (pid ${holder})` : ''} is running on the data directory ${dataDir}; ` +
        'stop it first (systemctl stop forecourt) or start this one with another --data-dir',
    );
  }
}

/**
 * One gateway per data directory. The lock is an exclusive SQLite lock on a small file of its
 * own: an fcntl lock that the kernel drops the moment its process ends, however it ends (SIGKILL,
 * a crash, a power cut), so there is never a stale lock to detect, no process id that a reboot
 * may have given to someone else, and nothing to poll. The store's own database stays in
 * ordinary WAL locking, so `npm run staff` and `npm run devices` read and write it meanwhile.
 */
export class DataDirLock {
  private constructor(
    private readonly db: Database.Database,
    private readonly pidFile: string,
  ) {}

  /** Takes the lock at once or throws DataDirLockedError; never waits. */
  static acquire(dataDir: string): DataDirLock {
    mkdirSync(dataDir, { recursive: true });
    const db = new Database(join(dataDir, LOCK_FILE), { timeout: 0 });
    try {
      // No journal file beside it: the file holds nothing, only its lock matters.
      db.pragma('journal_mode = MEMORY');
      db.pragma('locking_mode = EXCLUSIVE');
      // In exclusive locking mode the lock taken here is kept until the connection closes.
      db.exec('BEGIN EXCLUSIVE; COMMIT');
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code === 'SQLITE_BUSY') throw new DataDirLockedError(dataDir, holderOf(dataDir));
      throw err;
    }
    const pidFile = join(dataDir, PID_FILE);
    writeFileSync(pidFile, `${process.pid}\n`);
    return new DataDirLock(db, pidFile);
  }

  release(): void {
    rmSync(this.pidFile, { force: true });
    this.db.close();
  }
}

function holderOf(dataDir: string): string | undefined {
  try {
    return readFileSync(join(dataDir, PID_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
