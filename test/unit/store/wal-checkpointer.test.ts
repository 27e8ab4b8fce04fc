import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../gateway/src/store/database.js';
import { WalCheckpointer } from '../../../gateway/src/store/wal-checkpointer.js';

// The checkpoint on a worker thread, against a real WAL: it copies the frames into the database
// file, runs only when something was written, and takes SQLite's own checkpoint off the event loop.

let dir: string;
let db: Db;
const log = pino({ level: 'silent' });
const write = (rows: number) =>
  db.transaction(() => {
    for (let i = 0; i < rows; i++) db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(`k${i}-${Math.random()}`, 'x'.repeat(500));
  })();
/** WAL frames, and how many of them are in the database file, as the gateway's own connection sees them. */
const walState = () => {
  const [row] = db.pragma('wal_checkpoint(NOOP)') as { log: number; checkpointed: number }[];
  return row!;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'forecourt-checkpoint-'));
  db = openDatabase(dir, { durability: 'group' });
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('WAL checkpoints on a worker thread', () => {
  it('turns SQLite\'s own checkpoint off while it runs, and back on after', async () => {
    const checkpointer = new WalCheckpointer({ db, log, everyMs: 3_600_000 });
    checkpointer.start();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    write(3000); // well past the 1,000 pages SQLite would have checkpointed at
    expect(walState().checkpointed).toBe(0);
    await checkpointer.stop();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });

  it('copies every frame into the database file, and runs again only after a write', async () => {
    const runs: string[] = [];
    const checkpointer = new WalCheckpointer({ db, log, everyMs: 3_600_000 });
    checkpointer.start();
    write(200);
    expect(walState().log).toBeGreaterThan(walState().checkpointed);
    await checkpointer.runOnce();
    expect(walState().checkpointed).toBe(walState().log);

    // Made now: it has seen every write so far.
    const counting = new WalCheckpointer({
      db,
      log,
      checkpoint: async (path) => {
        runs.push(path);
        return { busy: 0, walFrames: 0, copiedFrames: 0 };
      },
    });
    await counting.runOnce();
    await counting.runOnce();
    expect(runs).toEqual([]); // nothing written since it was made
    write(1);
    await counting.runOnce();
    await counting.runOnce();
    expect(runs).toEqual([db.name]);
    await checkpointer.stop();
  });

  it('tries again next time when a checkpoint fails', async () => {
    let fail = true;
    let runs = 0;
    const checkpointer = new WalCheckpointer({
      db,
      log,
      checkpoint: async () => {
        runs += 1;
        if (fail) throw new Error('SQLITE_IOERR');
        return { busy: 0, walFrames: 1, copiedFrames: 1 };
      },
    });
    write(1);
    await checkpointer.runOnce();
    fail = false;
    await checkpointer.runOnce();
    await checkpointer.runOnce();
    expect(runs).toBe(2);
  });
});
