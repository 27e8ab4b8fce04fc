import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DATABASE_FILE, DatabaseTooNewError } from './database.js';
import { MIGRATIONS } from './migrations.js';
import { syncFolder, verifyDatabaseFile } from './backup.js';

export interface Restored {
  /** Where the database that was there before now lies (undefined: there was none). */
  asideAs: string | undefined;
  /** The schema version of the restored copy (a start migrates it on if it is older). */
  schemaVersion: number;
}

const SIDE_FILES = ['', '-wal', '-shm', '-journal'];

/**
 * Puts a backup in place of the data directory's database. The caller holds the data-dir lock,
 * so no gateway runs meanwhile. The copy is checked first (`PRAGMA integrity_check`, and a schema
 * this gateway can run), copied in under a temporary name and checked again, and only then does
 * the current database step aside, with its WAL, as `forecourt.sqlite.before-restore-<time>`:
 * nothing is deleted, and a restore that fails half way leaves the old database where it was.
 */
export async function restoreDatabase(dataDir: string, source: string, at: Date): Promise<Restored> {
  await verifyDatabaseFile(source);
  const schemaVersion = schemaVersionOf(source);
  const latest = MIGRATIONS.at(-1)?.version ?? 0;
  if (schemaVersion > latest) throw new DatabaseTooNewError(schemaVersion, latest);

  const target = join(dataDir, DATABASE_FILE);
  const incoming = `${target}.restoring`;
  for (const suffix of SIDE_FILES) rmSync(`${incoming}${suffix}`, { force: true });
  copyFileSync(source, incoming);
  await verifyDatabaseFile(incoming);

  const stamp = at.toISOString().replace(/[:.]/g, '-');
  const aside = `${target}.before-restore-${stamp}`;
  const hadOne = existsSync(target);
  // The WAL goes with its database: it may hold commits not yet folded in.
  for (const suffix of SIDE_FILES) if (existsSync(`${target}${suffix}`)) renameSync(`${target}${suffix}`, `${aside}${suffix}`);
  renameSync(incoming, target);
  syncFolder(dataDir);
  return { asideAs: hadOne ? aside : undefined, schemaVersion };
}

function schemaVersionOf(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}
