import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DATABASE_FILE, DatabaseTooNewError } from './database.js';
import { MIGRATIONS } from './migrations.js';
import { syncFolder, verifyDatabaseFile } from './backup.js';

export interface Restored {
  /** Where the database that was there before now lies (undefined: there was none). */
  asideAs: string | undefined;
  /** Events for head office written after the backup, kept in the restored outbox. */
  carriedEvents: number;
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
  let carriedEvents = 0;
  try {
    if (existsSync(target)) carriedEvents = carryOutbox(incoming, target);
  } catch (err) {
    for (const suffix of SIDE_FILES) rmSync(`${incoming}${suffix}`, { force: true });
    throw err;
  }

  const stamp = at.toISOString().replace(/[:.]/g, '-');
  const aside = `${target}.before-restore-${stamp}`;
  const hadOne = existsSync(target);
  // The WAL goes with its database: it may hold commits not yet folded in.
  for (const suffix of SIDE_FILES) if (existsSync(`${target}${suffix}`)) renameSync(`${target}${suffix}`, `${aside}${suffix}`);
  renameSync(incoming, target);
  syncFolder(dataDir);
  return { asideAs: hadOne ? aside : undefined, carriedEvents, schemaVersion };
}

const OUTBOX_COLUMNS = 'seq, event_id, type, aggregate_type, aggregate_id, at, schema, data';

/**
 * Head office's side of a restore. The events written after the backup have been (or will be)
 * relayed, and a seq is never reused: the restored outbox takes over the current database's
 * newer events, dead letters and link cursors, so the relay goes on where it was, every event
 * reaches head office once and in order, and new events number on from the last one.
 */
function carryOutbox(incoming: string, current: string): number {
  const db = new Database(incoming, { fileMustExist: true });
  try {
    db.prepare('ATTACH DATABASE ? AS current').run(current);
    const hasOutbox = (schema: string) => db.prepare(`SELECT 1 FROM ${schema}.sqlite_schema WHERE name = 'outbox'`).get() !== undefined;
    // A backup from before the outbox existed (or a current database without one): nothing to carry.
    if (!hasOutbox('main') || !hasOutbox('current')) return 0;
    const lastSeq = (schema: string) => (db.prepare(`SELECT seq FROM ${schema}.sqlite_sequence WHERE name = 'outbox'`).pluck().get() as number | undefined) ?? 0;
    return db.transaction(() => {
      const restored = lastSeq('main');
      const latest = lastSeq('current');
      if (latest <= restored) return 0;
      const carried = db.prepare(`INSERT INTO main.outbox (${OUTBOX_COLUMNS}) SELECT ${OUTBOX_COLUMNS} FROM current.outbox WHERE seq > ?`).run(restored).changes;
      // Purged rows keep their numbers too.
      db.prepare(`DELETE FROM main.sqlite_sequence WHERE name = 'outbox'`).run();
      db.prepare(`INSERT INTO main.sqlite_sequence (name, seq) VALUES ('outbox', ?)`).run(latest);
      db.prepare(
        `INSERT INTO main.relay_cursor (transport, acked_through, acked_at) SELECT transport, acked_through, acked_at FROM current.relay_cursor WHERE true
         ON CONFLICT (transport) DO UPDATE SET acked_through = excluded.acked_through, acked_at = excluded.acked_at
         WHERE excluded.acked_through > main.relay_cursor.acked_through`,
      ).run();
      db.prepare(
        `INSERT OR REPLACE INTO main.relay_dead_letter (transport, seq, code, reason, at, resolved_at, resolved_by)
         SELECT transport, seq, code, reason, at, resolved_at, resolved_by FROM current.relay_dead_letter WHERE seq > ?`,
      ).run(restored);
      return carried;
    })();
  } finally {
    db.close();
  }
}

function schemaVersionOf(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}
