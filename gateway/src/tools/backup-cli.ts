#!/usr/bin/env node
/**
 * Backups of the gateway's database, at the gateway's console (flags and env as for the gateway):
 *   npm run backup -- list                 the copies in the backup folder and the last result
 *   npm run backup -- now                  a backup while the gateway is stopped (running: POST /api/backups)
 *   npm run backup -- restore FILE         a copy in place of the database (the gateway must be stopped)
 * FILE is a path, or a file name in the backup folder. Exit codes: 0 done, 1 the backup or
 * restore failed (nothing changed), 2 usage, configuration, or a gateway holds the data directory.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { ConfigError, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { selectBackups } from '../domain/backups/retention.js';
import { BackupError, backupDatabase, backupFolderOf, listBackupFiles, pruneBackups } from '../store/backup.js';
import { BackupRecord } from '../store/backup-record.js';
import { DATABASE_FILE, DatabaseTooNewError } from '../store/database.js';
import { restoreDatabase } from '../store/restore.js';
import { DataDirLock, DataDirLockedError } from '../supervision/data-dir-lock.js';
import { fail, splitArgs } from './cli-identity.js';

const USAGE = 'usage: npm run backup -- list | now | restore FILE   [--data-dir D] [--config F]';

const { gateway, own } = splitArgs(process.argv.slice(2));
const { positionals } = parseArgs({ args: own, allowPositionals: true, options: {} });
const [command, fileArg, ...extra] = positionals;
if (extra.length > 0) fail(USAGE);

let config: Config;
try {
  config = loadConfig(gateway, process.env, process.cwd()).config;
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  fail(err.message);
}
const folder = backupFolderOf(config);
const databaseFile = join(config.dataDir, DATABASE_FILE);
const say = (line: string) => process.stdout.write(`${line}\n`);

switch (command) {
  case 'list':
    list();
    break;
  case 'now':
    if (!existsSync(databaseFile)) fail(`no database in ${config.dataDir}`);
    await withLock('back up', backUpNow);
    break;
  case 'restore': {
    if (!fileArg) fail(USAGE);
    const source = [resolve(process.cwd(), fileArg), join(folder, fileArg)].find((p) => existsSync(p));
    if (!source) fail(`no such backup: ${fileArg} (neither a path nor a file in ${folder})`);
    await withLock('restore', () => restore(source));
    break;
  }
  default:
    fail(USAGE);
}

/** Runs `work` holding the data-dir lock: a running gateway (or a gateway starting meanwhile) cannot touch the database. */
async function withLock(what: string, work: () => Promise<void> | void): Promise<void> {
  let lock: DataDirLock;
  try {
    lock = DataDirLock.acquire(config.dataDir);
  } catch (err) {
    if (!(err instanceof DataDirLockedError)) throw err;
    const hint = what === 'back up' ? 'while it runs, back up with "Back up now" at the desk or POST /api/backups' : 'stop it first (systemctl stop forecourt), then restore';
    fail(`cannot ${what}: ${err.message.replace(/; stop it first.*$/, '')}; ${hint}`);
  }
  try {
    await work();
  } finally {
    lock.release();
  }
}

function list(): void {
  const files = listBackupFiles(folder);
  const { kept } = selectBackups(files, config.backup, config.store.timeZone);
  say(`backups in ${folder} (the newest copy of each of the last ${config.backup.keepDaily} days and ${config.backup.keepWeekly} weeks is kept):`);
  if (files.length === 0) say('  none yet');
  for (const f of files) say(`  ${f.file}\t${(f.bytes / 1024 / 1024).toFixed(1)} MB\t${kept.get(f.file) ?? 'to be deleted'}`);
  if (!existsSync(databaseFile)) return;
  // Read-write in WAL mode (reading only): a read-only connection would leave -wal and -shm files behind.
  const db = new Database(databaseFile, { fileMustExist: true });
  try {
    const last = new BackupRecord(db).last();
    if (last) say(`last backup tried: ${last.at} ${last.ok ? `ok ${last.file ?? ''}` : `FAILED (${last.error?.code}): ${last.error?.message}`}`);
  } finally {
    db.close();
  }
}

async function backUpNow(): Promise<void> {
  const db = new Database(databaseFile, { fileMustExist: true });
  const record = new BackupRecord(db);
  const at = new Date();
  try {
    const copy = await backupDatabase(db, { folder, at, timeZone: config.store.timeZone });
    record.write({ at: at.toISOString(), ok: true, file: copy.file });
    say(`backed up and checked (integrity ok): ${copy.path} (${copy.bytes} bytes)`);
    const deleted = pruneBackups(folder, config.backup, config.store.timeZone);
    if (deleted.length > 0) say(`older copies deleted by retention: ${deleted.join(', ')}`);
  } catch (err) {
    if (!(err instanceof BackupError)) throw err;
    record.write({ at: at.toISOString(), ok: false, error: { code: err.code, message: err.message } });
    process.stderr.write(`backup failed (${err.code}): ${err.message}\n`);
    process.exitCode = 1;
  } finally {
    db.close();
  }
}

async function restore(source: string): Promise<void> {
  try {
    const { asideAs, carriedEvents, schemaVersion } = await restoreDatabase(config.dataDir, source, new Date());
    say(`checked ${source}: integrity ok, schema version ${schemaVersion}`);
    say(asideAs ? `the database that was there is kept as ${asideAs}` : 'there was no database before');
    if (carriedEvents > 0) say(`${carriedEvents} events for head office written after the backup stay in the outbox (head office gets each once)`);
    say(`restored into ${databaseFile}; start the gateway now (systemctl start forecourt)`);
  } catch (err) {
    if (!(err instanceof BackupError) && !(err instanceof DatabaseTooNewError)) throw err;
    process.stderr.write(`not restored, nothing changed: ${err.message}\n`);
    process.exitCode = 1;
  }
}
