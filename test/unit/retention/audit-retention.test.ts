import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RetentionPurge } from '../../../gateway/src/extensions/data-retention.js';
import { AuditLog } from '../../../gateway/src/store/audit-log.js';
import { openDatabase, type Db } from '../../../gateway/src/store/database.js';
import { Outbox, type TransportName } from '../../../gateway/src/store/outbox.js';

// Audit rows go after auditDays, and only once head office holds them: acknowledged on every
// configured link and not refused. Rows are written the way the gateway writes them (AuditLog:
// the row and its outbox event in one transaction, with the same time).

const NOW = Date.parse('2026-12-01T12:00:00Z');
const DAY_MS = 86_400_000;
const log = { info: vi.fn(), error: vi.fn() } as unknown as Logger;
const config = { eventDays: 90, printJobBytesDays: 7, everyHours: 6, auditDays: 400 };
const actor = { actor: 'staff:1001', role: 'manager', via: 'desk:1' };

let dir = '';
let db: Db;
let outbox: Outbox;
/** Outbox seq of each audit row written, by its age in days. */
const seqOf = new Map<number, number>();

function audit(daysAgo: number): void {
  const at = new Date(NOW - daysAgo * DAY_MS);
  new AuditLog(db, () => at, outbox).write(actor, { action: 'queue.call', target: `ticket:${daysAgo}` });
  seqOf.set(daysAgo, outbox.lastSeq());
}
const remaining = () => (db.prepare('SELECT target FROM audit ORDER BY seq').pluck().all() as string[]).map((t) => Number(t.split(':')[1]));
const purge = (relayLinks: TransportName[]) => new RetentionPurge({ db, config, now: () => new Date(NOW), log, relayLinks }).run();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'forecourt-audit-retention-'));
  db = openDatabase(dir);
  outbox = new Outbox(db);
  seqOf.clear();
  for (const days of [500, 450, 420, 10]) audit(days);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('audit retention', () => {
  it('without a head office, deletes rows older than auditDays and keeps the rest', async () => {
    expect((await purge([])).audit).toBe(3);
    expect(remaining()).toEqual([10]);
  });

  it('keeps old rows head office has not acknowledged, however old', async () => {
    outbox.ack('http', seqOf.get(450)!, new Date(NOW).toISOString());
    expect((await purge(['http'])).audit).toBe(2);
    expect(remaining()).toEqual([420, 10]);
    expect(outbox.backlog('http').count).toBe(2);
  });

  it('keeps every row from one head office refused, until it is resolved', async () => {
    outbox.ack('http', outbox.lastSeq(), new Date(NOW).toISOString());
    outbox.reject('http', seqOf.get(450)!, 'invalid', 'refused by the DMS', new Date(NOW).toISOString());
    expect((await purge(['http'])).audit).toBe(1);
    expect(remaining()).toEqual([450, 420, 10]);
    outbox.resolve('http', seqOf.get(450)!, new Date(NOW).toISOString(), 'staff:1001');
    expect((await purge(['http'])).audit).toBe(2);
    expect(remaining()).toEqual([10]);
  });

  it('waits for every link: the slower one decides', async () => {
    outbox.ack('http', outbox.lastSeq(), new Date(NOW).toISOString());
    outbox.ack('mqtt', seqOf.get(500)!, new Date(NOW).toISOString());
    expect((await purge(['http', 'mqtt'])).audit).toBe(1);
    expect(remaining()).toEqual([450, 420, 10]);
  });

  it('never deletes a row younger than auditDays, acknowledged or not', async () => {
    outbox.ack('http', outbox.lastSeq(), new Date(NOW).toISOString());
    await purge(['http']);
    expect(remaining()).toEqual([10]);
  });
});
