import { mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../gateway/src/store/database.js';
import { GroupCommit, KeptOpenFiles } from '../../../gateway/src/store/group-commit.js';

// The group commit on a real SQLite file, with a disk whose fsyncs the test finishes by hand:
// an output waits for the fsync that covers the commits before it, and only for that.

/** A disk whose fsyncs complete when the test says so. */
class HandDisk {
  readonly asked: string[] = [];
  private readonly pending: { resolve: () => void; reject: (err: Error) => void }[] = [];

  readonly syncFile = (path: string): Promise<void> => {
    this.asked.push(path);
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  };

  get waiting(): number {
    return this.pending.length;
  }

  finishOne(): void {
    this.pending.shift()?.resolve();
  }

  failOne(): void {
    this.pending.shift()?.reject(new Error('EIO: i/o error'));
  }
}

/** Lets the promise callbacks of a finished fsync run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

let dir: string;
let db: Db;
let disk: HandDisk;
let failures: unknown[];
let commits: GroupCommit;
const insert = () => db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(`k${Math.random()}`, 'v');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'forecourt-group-commit-'));
  db = openDatabase(dir, { durability: 'group' });
  disk = new HandDisk();
  failures = [];
  commits = new GroupCommit({ db, syncFile: disk.syncFile, onFailure: (err) => failures.push(err) });
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('group commit', () => {
  it('opens the gateway database with synchronous = NORMAL and a CLI one with FULL', () => {
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    const cli = openDatabase(join(dir, 'cli'));
    expect(cli.pragma('synchronous', { simple: true })).toBe(2);
    cli.close();
  });

  it('lets an output go at once when nothing was written since the last fsync', () => {
    const order: string[] = [];
    commits.afterDurable(() => order.push('answer'));
    expect(order).toEqual(['answer']);
    expect(disk.waiting).toBe(0);
  });

  it('holds an output until the WAL with the commit before it is synced', async () => {
    insert();
    const order: string[] = [];
    commits.afterDurable(() => order.push('ticket shown'));
    expect(order).toEqual([]);
    expect(disk.asked).toEqual([`${db.name}-wal`]);
    disk.finishOne();
    await settle();
    expect(order).toEqual(['ticket shown']);
    expect(commits.syncCount).toBe(1);
  });

  it('covers all the commits made while one fsync ran with the next one, and releases in order', async () => {
    const order: string[] = [];
    for (const n of [1, 2, 3, 4]) {
      insert();
      commits.afterDurable(() => order.push(`out ${n}`));
    }
    expect(disk.waiting).toBe(1);
    disk.finishOne();
    await settle();
    expect(order).toEqual(['out 1']);
    expect(disk.waiting).toBe(1);
    disk.finishOne();
    await settle();
    expect(order).toEqual(['out 1', 'out 2', 'out 3', 'out 4']);
    expect(commits.syncCount).toBe(2);
  });

  it('makes a commit made during an fsync wait for the next one, and what follows it too', async () => {
    const order: string[] = [];
    insert();
    commits.afterDurable(() => order.push('before'));
    insert(); // while the first fsync runs
    commits.afterDurable(() => order.push('during'));
    commits.afterDurable(() => order.push('after, nothing new written'));
    disk.finishOne();
    await settle();
    expect(order).toEqual(['before']);
    expect(disk.waiting).toBe(1);
    disk.finishOne();
    await settle();
    expect(order).toEqual(['before', 'during', 'after, nothing new written']);
    expect(commits.syncCount).toBe(2);
  });

  it('drops every held output after a failed fsync, and every later one, and reports it once', async () => {
    const order: string[] = [];
    const dropped: string[] = [];
    insert();
    commits.afterDurable(() => order.push('ticket'), () => dropped.push('ticket'));
    disk.failOne();
    await settle();
    commits.afterDurable(() => order.push('a read'), () => dropped.push('a read'));
    insert();
    await expect(commits.whenDurable()).rejects.toThrow('EIO');
    expect(order).toEqual([]);
    expect(dropped).toEqual(['ticket', 'a read']);
    expect(failures).toHaveLength(1);
    expect(disk.waiting).toBe(0);
    expect(commits.heldCount).toBe(0);
  });

  it('syncs the data directory at start and the real WAL with the default fsync', async () => {
    void commits.start();
    expect(disk.asked).toEqual([dir]);
    const real = new GroupCommit({ db, onFailure: (err) => failures.push(err) });
    await real.start();
    insert();
    await real.whenDurable();
    expect(real.syncCount).toBe(1);
    expect(failures).toEqual([]);
    await real.stop();
  });
});

/** The paths this process holds open now (Linux), "(deleted)" marking a file gone from its folder. */
const openPaths = (): string[] =>
  readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/self/fd/${fd}`)];
    } catch {
      return []; // the fd of the readdir itself, closed by now
    }
  });
const held = (path: string) => openPaths().filter((p) => p.startsWith(path));
/** Descriptors of `path` beyond SQLite's own (its connection keeps the WAL open too). */
const extra = (path: string, sqliteOwn: number) => held(path).length - sqliteOwn;

describe('kept-open files (the default fsync)', () => {
  it('opens the WAL once for many syncs and keeps the same file through a checkpoint that truncates it', async () => {
    const files = new KeptOpenFiles();
    const wal = `${db.name}-wal`;
    insert();
    const own = held(wal).length;
    for (let i = 0; i < 5; i += 1) {
      insert();
      await files.sync(wal);
    }
    expect(extra(wal, own)).toBe(1);
    db.pragma('wal_checkpoint(TRUNCATE)');
    expect(statSync(wal).size).toBe(0);
    insert();
    await files.sync(wal);
    // Still one descriptor more, and every one names the file SQLite writes (none a replaced, deleted one).
    expect(extra(wal, own)).toBe(1);
    expect(held(wal).every((p) => p === wal)).toBe(true);
    await files.close();
    expect(extra(wal, own)).toBe(0);
    // After close a sync still works, and keeps nothing open.
    insert();
    await files.sync(wal);
    expect(extra(wal, own)).toBe(0);
  });

  it('has nothing to sync for a file not there yet, and finds it once it is', async () => {
    const files = new KeptOpenFiles();
    const later = join(dir, 'later');
    await files.sync(later);
    expect(held(later)).toEqual([]);
    writeFileSync(later, 'x');
    await files.sync(later);
    expect(held(later)).toEqual([later]);
    await files.close();
    expect(held(later)).toEqual([]);
  });

  it('lets a gateway GroupCommit close what it kept', async () => {
    const real = new GroupCommit({ db, onFailure: (err) => failures.push(err) });
    insert();
    const own = held(`${db.name}-wal`).length;
    await real.whenDurable();
    expect(extra(`${db.name}-wal`, own)).toBe(1);
    await real.stop();
    expect(extra(`${db.name}-wal`, own)).toBe(0);
  });
});
