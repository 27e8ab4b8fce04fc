import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigSchema } from '../../../gateway/src/config/schema.js';
import { Registry } from 'prom-client';
import { DataRetention, RetentionPurge } from '../../../gateway/src/extensions/data-retention.js';
import type { ExtensionContext } from '../../../gateway/src/extensions/extension.js';
import { openDatabase, type Db } from '../../../gateway/src/store/database.js';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const DAY_MS = 86_400_000;
const daysAgo = (days: number) => new Date(NOW - days * DAY_MS).toISOString();
const log = { info: vi.fn(), error: vi.fn() } as unknown as Logger;
const config = { eventDays: 10, printJobBytesDays: 7, everyHours: 6, auditDays: 400 };

let n = 0;
function queueEvent(db: Db, at: string): void {
  db.prepare('INSERT INTO queue_event (id, type, at, payload) VALUES (?, ?, ?, ?)').run(`q${++n}`, 'ticket.issued', at, '{}');
}
function workshopEvent(db: Db, at: string): void {
  db.prepare('INSERT INTO workshop_event (id, type, at, order_id, payload) VALUES (?, ?, ?, ?, ?)').run(`w${++n}`, 'order.opened', at, 'o1', '{}');
}
function printJob(db: Db, id: string, state: 'queued' | 'printed' | 'cancelled', createdAt: string): void {
  db.prepare(`INSERT INTO print_job (id, printer, kind, label, state, data, created_at) VALUES (?, 'p1', 'ticket', 'A001', ?, ?, ?)`).run(id, state, Buffer.from('ESC/POS bytes'), createdAt);
}
const count = (db: Db, table: string) => db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
const bytes = (db: Db, id: string) => db.prepare('SELECT length(data) FROM print_job WHERE id = ?').pluck().get(id) as number | undefined;

describe('data retention', () => {
  let dir = '';
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'forecourt-retention-'));
    db = openDatabase(dir);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('deletes events older than eventDays and keeps the newer ones', async () => {
    for (const d of [30, 11, 10.5]) queueEvent(db, daysAgo(d));
    for (const d of [9, 1, 0]) queueEvent(db, daysAgo(d));
    workshopEvent(db, daysAgo(20));
    workshopEvent(db, daysAgo(2));
    const purged = await new RetentionPurge({ db, config, now: () => new Date(NOW), log }).run();
    expect(purged).toMatchObject({ queueEvents: 3, workshopEvents: 1 });
    expect(db.prepare('SELECT at FROM queue_event ORDER BY seq').pluck().all()).toEqual([daysAgo(9), daysAgo(1), daysAgo(0)]);
    expect(count(db, 'workshop_event')).toBe(1);
  });

  it('clears the bytes of old printed and cancelled jobs, keeps their rows, never touches a queued job', async () => {
    printJob(db, 'old-printed', 'printed', daysAgo(8));
    printJob(db, 'old-cancelled', 'cancelled', daysAgo(30));
    printJob(db, 'old-queued', 'queued', daysAgo(30));
    printJob(db, 'new-printed', 'printed', daysAgo(1));
    const purged = await new RetentionPurge({ db, config, now: () => new Date(NOW), log }).run();
    expect(purged.printJobBytes).toBe(2);
    expect(count(db, 'print_job')).toBe(4);
    expect(bytes(db, 'old-printed')).toBe(0);
    expect(bytes(db, 'old-cancelled')).toBe(0);
    expect(bytes(db, 'old-queued')).toBeGreaterThan(0);
    expect(bytes(db, 'new-printed')).toBeGreaterThan(0);
    // A second run finds nothing more to clear.
    expect((await new RetentionPurge({ db, config, now: () => new Date(NOW), log }).run()).printJobBytes).toBe(0);
  });

  it('deletes request answers older than a day and prunes identity', async () => {
    const insert = db.prepare('INSERT INTO request_answer (principal, request_id, target, answer, created_at) VALUES (?, ?, ?, ?, ?)');
    insert.run('desk:1', 'r1', 'POST /x', '{}', daysAgo(2));
    insert.run('desk:1', 'r2', 'POST /x', '{}', daysAgo(0.5));
    const pruneIdentity = vi.fn();
    const purged = await new RetentionPurge({ db, config, now: () => new Date(NOW), log, pruneIdentity }).run();
    expect(purged.requestAnswers).toBe(1);
    expect(db.prepare('SELECT request_id FROM request_answer').pluck().all()).toEqual(['r2']);
    expect(pruneIdentity).toHaveBeenCalledOnce();
  });

  it('deletes in chunks until everything old is gone', async () => {
    const old = db.transaction(() => {
      for (let i = 0; i < 23; i++) queueEvent(db, daysAgo(20));
      for (let i = 0; i < 3; i++) queueEvent(db, daysAgo(1));
    });
    old();
    const purge = new RetentionPurge({ db, config, now: () => new Date(NOW), log, chunk: 5 });
    const running = purge.run();
    // One chunk, then the event loop gets its turn (desks write between chunks).
    expect(count(db, 'queue_event')).toBe(26 - 5);
    expect((await running).queueEvents).toBe(23);
    expect(count(db, 'queue_event')).toBe(3);
  });

  it('refuses an eventDays shorter than the wait estimator learns again at start', () => {
    const base = { version: 1, store: { id: 'store-1' } };
    const short = ConfigSchema.safeParse({ ...base, queue: { waitEstimate: { learnDays: 14 } }, retention: { eventDays: 7 } });
    expect(short.success).toBe(false);
    expect(JSON.stringify(short.error?.issues)).toContain('learnDays');
    const ok = ConfigSchema.safeParse({ ...base, queue: { waitEstimate: { learnDays: 14 } }, retention: { eventDays: 14 } });
    expect(ok.error?.issues).toBeUndefined();
    expect(ConfigSchema.parse(base).retention).toEqual({ eventDays: 90, printJobBytesDays: 7, everyHours: 6, auditDays: 400 });
  });

  it('as an extension: purges once at start, counts in /metrics, stops its timer; a failure is logged, not fatal', async () => {
    queueEvent(db, daysAgo(200));
    const registry = new Registry();
    const info = vi.fn();
    const error = vi.fn();
    const pruneStale = vi.fn();
    const ctx = {
      db,
      config: ConfigSchema.parse({ version: 1, store: { id: 'store-1' } }),
      now: () => new Date(NOW),
      log: { info, error } as unknown as Logger,
      identity: { pruneStale },
      metrics: { registry },
    } as unknown as ExtensionContext;
    const ext = new DataRetention(ctx);
    await ext.start();
    await vi.waitFor(() => expect(info).toHaveBeenCalled());
    await ext.stop();
    expect(count(db, 'queue_event')).toBe(0);
    expect(pruneStale).toHaveBeenCalledOnce();
    expect(await registry.getSingleMetricAsString('forecourt_retention_purged_total')).toContain('kind="queue_event"} 1');
    expect(info).toHaveBeenCalledWith(expect.objectContaining({ purged: expect.objectContaining({ queueEvents: 1 }) }), expect.any(String));

    pruneStale.mockImplementation(() => {
      throw new Error('disk I/O error');
    });
    const failing = new DataRetention({ ...ctx, metrics: { registry: new Registry() } } as unknown as ExtensionContext);
    await failing.start();
    await vi.waitFor(() => expect(error).toHaveBeenCalled());
    await failing.stop();
    expect(error).toHaveBeenCalledOnce();
  });
});
