import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;

export class DatabaseTooNewError extends Error {
  constructor(readonly found: number, readonly supported: number) {
    super(
      `database schema version ${found} is newer than this gateway supports (${supported}); ` +
        'run the newer gateway or restore a backup taken before the upgrade',
    );
  }
}

export const DATABASE_FILE = 'forecourt.sqlite';

/**
 * How a commit becomes durable. `fsync-each`: every commit fsyncs the WAL before it returns
 * (`synchronous = FULL`): for the CLIs, whose output follows their one commit. `group`: commits
 * return at once (`synchronous = NORMAL`) and a GroupCommit (group-commit.ts) fsyncs them off the
 * event loop and holds every output until they are on disk: for the gateway. Either way nobody
 * sees a commit a power cut can take back (a ticket number issued twice, a printed job gone).
 * NORMAL without the GroupCommit would break that promise: never open the gateway's file so.
 */
export type Durability = 'fsync-each' | 'group';

/** Opens (creating if needed) the store database in WAL mode and brings its schema up to date. */
export function openDatabase(dataDir: string, { durability = 'fsync-each', migrations = MIGRATIONS }: { durability?: Durability; migrations?: readonly Migration[] } = {}): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, DATABASE_FILE));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(durability === 'group' ? 'synchronous = NORMAL' : 'synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // SQLite's own page cache size (2 MB), not better-sqlite3's 16 MB: a relay drain reading a
    // week's outbox filled all 16 MB and took the gateway's peak RSS over its 150 MB (bench:relay
    // 152.9-153.1 MB; 140-141.9 MB with 2 MB), while a year's statistics query stayed where it
    // was (bench:stats p99 48 and 65.4 ms, 59.1 ms with 2 MB): a page the cache lacks is in the OS's.
    db.pragma('cache_size = -2000');
    db.pragma('busy_timeout = 5000');
    migrate(db, migrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function migrate(db: Db, migrations: readonly Migration[]): void {
  const latest = migrations.at(-1)?.version ?? 0;
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latest) throw new DatabaseTooNewError(current, latest);
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Bytes on disk of the database and its WAL. */
export function databaseBytes(db: Db): number {
  return [db.name, `${db.name}-wal`].reduce((sum, file) => {
    try {
      return sum + statSync(file).size;
    } catch {
      return sum;
    }
  }, 0);
}

/**
 * The connection's `total_changes()`: rows its statements have changed since it opened. It grows
 * with every write, so "written since" is a comparison of two readings.
 */
export function totalChanges(db: Db): () => number {
  const statement = db.prepare('SELECT total_changes()').pluck();
  return () => statement.get() as number;
}
