import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../gateway/src/store/audit-log.js';
import { backupDatabase } from '../../../gateway/src/store/backup.js';
import { openDatabase, type Db } from '../../../gateway/src/store/database.js';
import { Outbox } from '../../../gateway/src/store/outbox.js';
import { restoreDatabase } from '../../../gateway/src/store/restore.js';

// A restore and head office: the state goes back to the backup, but the events relayed (or
// waiting) since stay in the outbox and seq numbers are never reused, so the relay goes on where
// it was instead of sending head office a second, different event 4.

let dir: string;
let dataDir: string;
const actor = { actor: 'staff:1001', role: 'manager', via: 'desk:1' };
const at = new Date('2026-12-01T19:00:00Z');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'forecourt-restore-outbox-'));
  dataDir = join(dir, 'data');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const audit = (db: Db, n: number) => {
  const log = new AuditLog(db, () => at);
  for (let i = 0; i < n; i++) log.write(actor, { action: 'queue.call', target: `ticket:${i}` });
};

describe('restore and the outbox', () => {
  it('keeps the events written after the backup, the link cursors and dead letters, and numbers on from the last seq', async () => {
    let db = openDatabase(dataDir);
    audit(db, 3);
    const copy = await backupDatabase(db, { folder: join(dir, 'backups'), at, timeZone: 'Asia/Shanghai' });
    audit(db, 2);
    const outbox = new Outbox(db);
    outbox.ack('http', 4, at.toISOString());
    outbox.reject('http', 5, 'unknown-vehicle', 'refused', at.toISOString());
    // Event 4 is acknowledged and already purged: its number is used all the same.
    expect(outbox.purgeBelow(outbox.oldAcknowledgedBelow(4, '9999-01-01'), 1000).count).toBe(4);
    db.close();

    const restored = await restoreDatabase(dataDir, copy.path, new Date());
    expect(restored.carriedEvents).toBe(1);

    db = openDatabase(dataDir);
    const after = new Outbox(db);
    expect(db.prepare('SELECT count(*) FROM audit').pluck().get()).toBe(3);
    expect(db.prepare('SELECT seq FROM outbox ORDER BY seq').pluck().all()).toEqual([1, 2, 3, 5]);
    expect(after.lastSeq()).toBe(5);
    expect(after.ackedThrough('http')).toBe(4);
    expect(after.openDeadLetters('http')).toBe(1);
    audit(db, 1);
    expect(after.lastSeq()).toBe(6);
    db.close();
  });

  it('carries nothing when nothing was written after the backup', async () => {
    const db = openDatabase(dataDir);
    audit(db, 2);
    const copy = await backupDatabase(db, { folder: join(dir, 'backups'), at, timeZone: 'Asia/Shanghai' });
    db.close();
    expect((await restoreDatabase(dataDir, copy.path, new Date())).carriedEvents).toBe(0);
  });
});
