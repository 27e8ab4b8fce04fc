import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../gateway/src/store/database.js';
import { BackupError, backupDatabase, listBackupFiles, removePartials, verifyDatabaseFile } from '../../../gateway/src/store/backup.js';

// The copy and its check on real SQLite files: a good copy passes, a damaged one is caught and
// never gets a backup's name.

let dir: string;
let db: Db;
const at = new Date('2026-12-01T19:00:00Z');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'forecourt-backup-unit-'));
  db = openDatabase(join(dir, 'data'));
  db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO filler (text) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 3000; i++) insert.run(`row ${i} ${'x'.repeat(200)}`);
  })();
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Overwrites bytes in the middle of a database file, where table pages are. */
function damage(path: string): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(8192, 0xa5), 0, 8192, 8 * 4096);
  closeSync(fd);
}

describe('backup copy', () => {
  it('makes a copy that passes its check and holds the same rows', async () => {
    const folder = join(dir, 'backups');
    const copy = await backupDatabase(db, { folder, at, timeZone: 'Asia/Shanghai' });
    expect(copy.file).toBe('forecourt-2026-12-02T030000+0800.sqlite');
    await expect(verifyDatabaseFile(copy.path)).resolves.toBeUndefined();
    const opened = new Database(copy.path, { readonly: true });
    expect(opened.prepare('SELECT count(*) FROM filler').pluck().get()).toBe(3000);
    opened.close();
    expect(readdirSync(folder)).toEqual([copy.file]);
    expect(listBackupFiles(folder).map((f) => f.file)).toEqual([copy.file]);
  });

  it('catches a damaged copy: integrity-failed, and nothing left in the folder', async () => {
    const folder = join(dir, 'backups');
    const damagedCopy = async (source: Db, path: string) => {
      await source.backup(path);
      damage(path);
    };
    const failure = await backupDatabase(db, { folder, at, timeZone: 'Asia/Shanghai', copy: damagedCopy }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(BackupError);
    expect((failure as BackupError).code).toBe('integrity-failed');
    expect(readdirSync(folder)).toEqual([]);
  });

  it('refuses a damaged file and a file that is no database', async () => {
    const folder = join(dir, 'backups');
    const copy = await backupDatabase(db, { folder, at, timeZone: 'Asia/Shanghai' });
    const bad = join(dir, 'bad.sqlite');
    copyFileSync(copy.path, bad);
    damage(bad);
    await expect(verifyDatabaseFile(bad)).rejects.toThrow(/integrity|not a sound database/);
    writeFileSync(join(dir, 'text.sqlite'), 'hello, this is not SQLite at all'.repeat(200));
    await expect(verifyDatabaseFile(join(dir, 'text.sqlite'))).rejects.toThrow(BackupError);
    await expect(verifyDatabaseFile(join(dir, 'missing.sqlite'))).rejects.toThrow(BackupError);
  });

  it('reports a file where the folder should be as folder-unavailable', async () => {
    writeFileSync(join(dir, 'blocked'), 'x');
    const failure = await backupDatabase(db, { folder: join(dir, 'blocked'), at, timeZone: 'Asia/Shanghai' }).catch((err: unknown) => err);
    expect((failure as BackupError).code).toBe('folder-unavailable');
  });

  it('stops a running copy when asked and leaves no partial file', async () => {
    const folder = join(dir, 'backups');
    const abort = new AbortController();
    abort.abort();
    const failure = await backupDatabase(db, { folder, at, timeZone: 'Asia/Shanghai', signal: abort.signal }).catch((err: unknown) => err);
    expect((failure as BackupError).code).toBe('cancelled');
    expect(readdirSync(folder)).toEqual([]);
  });

  it('checks off the event loop, and a stop ends the check as cancelled', async () => {
    const folder = join(dir, 'backups');
    const copy = await backupDatabase(db, { folder, at, timeZone: 'Asia/Shanghai' });
    const abort = new AbortController();
    const checking = verifyDatabaseFile(copy.path, abort.signal);
    abort.abort();
    await expect(checking).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('removes partial copies a killed gateway left', () => {
    const folder = join(dir, 'backups');
    rmSync(folder, { recursive: true, force: true });
    expect(removePartials(folder)).toBe(0);
    mkdirSync(folder);
    writeFileSync(join(folder, 'forecourt-2026-12-02T030000+0800.sqlite'), 'a kept copy');
    writeFileSync(join(folder, '.forecourt-2026-12-02T030000+0800.sqlite.partial'), 'half');
    writeFileSync(join(folder, '.forecourt-2026-12-02T030000+0800.sqlite.partial-journal'), 'half');
    expect(removePartials(folder)).toBe(2);
    expect(existsSync(join(folder, 'forecourt-2026-12-02T030000+0800.sqlite'))).toBe(true);
  });
});
