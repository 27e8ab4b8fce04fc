import { accessSync, closeSync, constants, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CodedError } from '../domain/coded-error.js';
import { localParts, offsetMinutes } from '../domain/local-time.js';
import { selectBackups, type BackupKeep } from '../domain/backups/retention.js';
import type { BackupErrorCode } from '../protocol/backups.js';
import type { Db } from './database.js';
import { copyDatabaseFile, integrityFindings } from './sqlite-worker.js';

/** A backup that failed; nothing of it is left in the folder. */
export class BackupError extends CodedError<BackupErrorCode> {}

/** A checked copy in the backup folder. */
export interface BackupFileInfo {
  file: string;
  path: string;
  bytes: number;
  at: Date;
}

/** `forecourt-2026-12-02T030000+0800.sqlite`: the store's wall-clock time and its offset, so the name reads right in the store and still names one instant. */
const NAME = /^forecourt-(\d{4})-(\d{2})-(\d{2})T(\d{2})(\d{2})(\d{2})([+-])(\d{2})(\d{2})\.sqlite$/;
/** A copy being made; never listed, removed when it fails or at the next start. */
const PARTIAL = /^\.forecourt-.*\.partial(-journal|-wal|-shm)?$/;

/** Where the copies go: `backup.folder`, else `<dataDir>/backups`. */
export function backupFolderOf(config: { backup: { folder?: string | undefined }; dataDir: string }): string {
  return config.backup.folder ?? join(config.dataDir, 'backups');
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

export function backupFileName(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone);
  const offset = offsetMinutes(at, timeZone);
  const zone = `${offset < 0 ? '-' : '+'}${pad(Math.trunc(offset / 60))}${pad(offset % 60)}`;
  return `forecourt-${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}${pad(p.minute)}${pad(p.second)}${zone}.sqlite`;
}

/** The instant a backup file's name records, or undefined for a file that is not a backup. */
export function backupTimeOf(file: string): Date | undefined {
  const m = NAME.exec(file);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, sign, oh, om] = m;
  const at = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${sign}${oh}:${om}`);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** The checked copies in the folder, newest first; none when the folder does not exist yet. */
export function listBackupFiles(folder: string): BackupFileInfo[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const files: BackupFileInfo[] = [];
  for (const file of names) {
    const at = backupTimeOf(file);
    if (!at) continue;
    const path = join(folder, file);
    try {
      files.push({ file, path, bytes: statSync(path).size, at });
    } catch {
      // Deleted meanwhile (retention, a person): not a copy any more.
    }
  }
  return files.sort((a, b) => b.at.getTime() - a.at.getTime());
}

/** Deletes the copies the retention rule no longer keeps; returns their names. */
export function pruneBackups(folder: string, keep: BackupKeep, timeZone: string): string[] {
  const { drop } = selectBackups(listBackupFiles(folder), keep, timeZone);
  for (const file of drop) rmSync(join(folder, file), { force: true });
  return drop;
}

/** Removes copies a stopped or killed gateway left half made. */
export function removePartials(folder: string): number {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return 0;
  }
  const partials = names.filter((n) => PARTIAL.test(n));
  for (const name of partials) rmSync(join(folder, name), { force: true });
  return partials.length;
}

/**
 * Opens a database file read-only and runs `PRAGMA integrity_check` (off the event loop); throws
 * `integrity-failed` with SQLite's first findings unless it answers "ok". A file that is no
 * database at all fails too; an abort throws `cancelled`.
 */
export async function verifyDatabaseFile(path: string, signal?: AbortSignal): Promise<void> {
  let findings: string[];
  try {
    findings = await integrityFindings(path, signal);
  } catch (err) {
    if (signal?.aborted) throw new BackupError('cancelled', 'the check was cancelled: the gateway is stopping');
    throw new BackupError('integrity-failed', `${path} is not a sound database: ${(err as Error).message}`);
  }
  if (findings.length !== 1 || findings[0] !== 'ok') {
    throw new BackupError('integrity-failed', `${path} failed its integrity check: ${findings.slice(0, 3).join('; ')}`);
  }
}

export interface BackupOptions {
  folder: string;
  /** When the backup starts: its file's name. */
  at: Date;
  timeZone: string;
  /** Aborts a running copy (the gateway is stopping); the partial file is removed. */
  signal?: AbortSignal;
  /** Makes the copy: better-sqlite3's online backup on a worker thread, unless a test injects a fault. */
  copy?: (db: Db, path: string, signal: AbortSignal | undefined) => Promise<void>;
}

/** The gateway's database copied off the event loop (sqlite-worker.ts). */
const onlineCopy = (db: Db, path: string, signal: AbortSignal | undefined): Promise<void> => copyDatabaseFile(db.name, path, signal);

/**
 * Copies the database into the folder and proves the copy: SQLite's online backup into a hidden
 * `.partial` file (a snapshot while the gateway writes on; a single file), opened read-only for
 * `PRAGMA integrity_check`, and only then renamed to its dated name (and the folder synced).
 * A copy that fails or does not pass is deleted and the error names why.
 */
export async function backupDatabase(db: Db, options: BackupOptions): Promise<BackupFileInfo> {
  const { folder, at, timeZone, signal } = options;
  const file = backupFileName(at, timeZone);
  const partial = join(folder, `.${file}.partial`);
  try {
    mkdirSync(folder, { recursive: true });
    accessSync(folder, constants.W_OK);
  } catch (err) {
    throw new BackupError('folder-unavailable', `cannot write in the backup folder ${folder}: ${(err as Error).message}`);
  }
  try {
    try {
      await (options.copy ?? onlineCopy)(db, partial, signal);
    } catch (err) {
      if (signal?.aborted) throw new BackupError('cancelled', 'the backup was cancelled: the gateway is stopping');
      throw new BackupError('copy-failed', `the copy into ${folder} failed: ${(err as Error).message}`);
    }
    await verifyDatabaseFile(partial, signal);
    const path = join(folder, file);
    renameSync(partial, path);
    syncFolder(folder);
    return { file, path, bytes: statSync(path).size, at };
  } catch (err) {
    removeCopy(partial);
    if (err instanceof BackupError) throw err;
    throw new BackupError('copy-failed', `the copy into ${folder} failed: ${(err as Error).message}`);
  }
}

/** Makes a rename survive a power cut: the directory entry itself is fsynced. */
export function syncFolder(folder: string): void {
  const fd = openSync(folder, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function removeCopy(path: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}
