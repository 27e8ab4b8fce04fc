import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RelayConfig } from '../../../gateway/src/config/relay.js';
import { OutboxRetention } from '../../../gateway/src/relay/retention.js';
import { openDatabase, type Db } from '../../../gateway/src/store/database.js';
import { Outbox, type OutboxEntry } from '../../../gateway/src/store/outbox.js';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const DAY_MS = 86_400_000;
const daysAgo = (days: number) => new Date(NOW - days * DAY_MS).toISOString();

/** A valid audit event that happened at `at`. */
function entry(at: string, detail: unknown = {}): OutboxEntry {
  return {
    type: 'audit.queue.issue',
    aggregate: { type: 'audit', id: 'audit' },
    at,
    schema: 'forecourt.audit/1',
    data: { actor: 'desk:1', role: 'advisor', via: 'desk', action: 'queue.issue', target: null, detail },
  };
}

function seqs(db: Db): number[] {
  return db.prepare('SELECT seq FROM outbox ORDER BY seq').pluck().all() as number[];
}

/** A logger that keeps what was logged at error level (the retention alarm). */
function alarmLog() {
  const error = vi.fn();
  return { log: { info: vi.fn(), error } as unknown as Logger, error };
}

describe('outbox', () => {
  let dir = '';
  let db: Db;
  let outbox: Outbox;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'forecourt-outbox-'));
    db = openDatabase(dir);
    outbox = new Outbox(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `count` events in one transaction; event `i` happened at `at(i)`. */
  function appendMany(count: number, at: (i: number) => string = () => daysAgo(0), detail: unknown = {}): void {
    db.transaction(() => {
      for (let i = 0; i < count; i++) outbox.append(entry(at(i), detail));
    })();
  }

  describe('seq', () => {
    it('has no hole where a change was rolled back', () => {
      expect(outbox.append(entry(daysAgo(0)))).toBe(1);
      const failingChange = db.transaction(() => {
        outbox.append(entry(daysAgo(0)));
        throw new Error('the change itself failed');
      });
      expect(failingChange).toThrow('the change itself failed');
      expect(outbox.lastSeq()).toBe(1);
      expect(outbox.append(entry(daysAgo(0)))).toBe(2);
      expect(seqs(db)).toEqual([1, 2]);
    });

    it('goes on from the last seq ever given after every event was purged, also in a new connection', () => {
      appendMany(3);
      outbox.ack('mqtt', 3, daysAgo(0));
      expect(outbox.purgeBelow(outbox.oldAcknowledgedBelow(3, daysAgo(-1)), 1000).count).toBe(3);
      expect(outbox.first()).toBeUndefined();
      expect(outbox.lastSeq()).toBe(3);
      db.close();
      db = openDatabase(dir);
      outbox = new Outbox(db);
      expect(outbox.lastSeq()).toBe(3);
      expect(outbox.append(entry(daysAgo(0)))).toBe(4);
    });

    it('reads events after a seq in order, as envelopes of the store', () => {
      appendMany(5);
      const events = outbox.after('store-1', 2, 2);
      expect(events.map((e) => e.seq)).toEqual([3, 4]);
      expect(events[0]).toMatchObject({ storeId: 'store-1', type: 'audit.queue.issue', aggregate: { type: 'audit', id: 'audit' }, schema: 'forecourt.audit/1' });
      expect(new Set(outbox.after('store-1', 0, 10).map((e) => e.eventId)).size).toBe(5);
    });
  });

  describe('acknowledgements', () => {
    it('never move a cursor backwards, and each transport has its own', () => {
      appendMany(5);
      outbox.ack('mqtt', 4, daysAgo(0));
      outbox.ack('mqtt', 2, daysAgo(0));
      expect(outbox.ackedThrough('mqtt')).toBe(4);
      expect(outbox.ackedThrough('http')).toBe(0);
      outbox.ack('mqtt', 5, daysAgo(0));
      expect(outbox.ackedThrough('mqtt')).toBe(5);
    });

    it('leave a backlog of what is not acknowledged, with the time of its oldest event', () => {
      appendMany(3, (i) => daysAgo(3 - i));
      expect(outbox.backlog('mqtt')).toEqual({ count: 3, oldestAt: daysAgo(3) });
      outbox.ack('mqtt', 1, daysAgo(0));
      expect(outbox.backlog('mqtt')).toEqual({ count: 2, oldestAt: daysAgo(2) });
      outbox.ack('mqtt', 3, daysAgo(0));
      expect(outbox.backlog('mqtt')).toEqual({ count: 0, oldestAt: null });
      expect(outbox.backlog('http')).toEqual({ count: 3, oldestAt: daysAgo(3) });
    });

    it('count, for a link added after old events were purged, only the events still kept', () => {
      appendMany(10, (i) => daysAgo(10 - i));
      outbox.ack('mqtt', 10, daysAgo(0));
      expect(outbox.purgeBelow(outbox.oldAcknowledgedBelow(6, daysAgo(0)), 1000).count).toBe(6);
      // The HTTP link is configured now: it can only ever send seq 7 to 10.
      expect(outbox.backlog('http')).toEqual({ count: 4, oldestAt: daysAgo(4) });
      expect(outbox.after('s', outbox.ackedThrough('http'), 100).map((e) => e.seq)).toEqual([7, 8, 9, 10]);
    });
  });

  describe('dead letters', () => {
    it('are kept through every purge until a manager resolves them', () => {
      appendMany(4, () => daysAgo(30));
      outbox.reject('http', 2, 'unknown-customer', 'no such customer', daysAgo(29));
      outbox.ack('http', 4, daysAgo(29));
      expect(outbox.purgeBelow(outbox.oldAcknowledgedBelow(4, daysAgo(0)), 1000).count).toBe(3);
      expect(outbox.purgeBelow(5, 100).count).toBe(0);
      expect(seqs(db)).toEqual([2]);
      expect(outbox.openDeadLetters('http')).toBe(1);
      expect(outbox.deadLetters('store-1')).toEqual([
        expect.objectContaining({ seq: 2, transport: 'http', code: 'unknown-customer', event: expect.objectContaining({ seq: 2, storeId: 'store-1' }) }),
      ]);

      expect(outbox.resolve('http', 2, daysAgo(0), 'staff:1001')).toBe(true);
      expect(outbox.resolve('http', 2, daysAgo(0), 'staff:1001')).toBe(false);
      expect(outbox.deadLetters('store-1')).toEqual([]);
      expect(outbox.purgeBelow(outbox.oldAcknowledgedBelow(4, daysAgo(0)), 1000).count).toBe(1);
      expect(seqs(db)).toEqual([]);
    });
  });

  describe('retention', () => {
    const config = (overrides: Partial<RelayConfig> = {}): RelayConfig => ({ ...RelayConfig.parse({ retentionDays: 14 }), ...overrides });
    const retention = (links: ('http' | 'mqtt')[], cfg = config(), log = alarmLog().log) => new OutboxRetention(outbox, cfg, links, () => new Date(NOW), log);

    it('purges only what every link acknowledged and is older than retentionDays', () => {
      // seq 1-4 are 20 days old, 5-6 a day old.
      appendMany(6, (i) => daysAgo(i < 4 ? 20 : 1));
      outbox.ack('mqtt', 6, daysAgo(0));
      outbox.ack('http', 3, daysAgo(0));
      outbox.reject('http', 2, 'conflict', 'refused', daysAgo(19));
      expect(retention(['http', 'mqtt']).run().purged).toBe(2);
      // 2 is a dead letter, 4 is not acknowledged over HTTP, 5-6 are recent.
      expect(seqs(db)).toEqual([2, 4, 5, 6]);
      outbox.ack('http', 6, daysAgo(0));
      expect(retention(['http', 'mqtt']).run().purged).toBe(1);
      expect(seqs(db)).toEqual([2, 5, 6]);
    });

    it('purges the oldest first, a chunk at a time, and stops at the first event young enough', () => {
      appendMany(30, (i) => daysAgo(i < 25 ? 20 : 1));
      outbox.ack('http', 30, daysAgo(0));
      expect(outbox.purgeBelow(outbox.oldAcknowledgedBelow(30, daysAgo(14)), 10).count).toBe(10);
      expect(seqs(db)[0]).toBe(11);
      expect(retention(['http']).run().purged).toBe(15);
      expect(seqs(db)).toEqual([26, 27, 28, 29, 30]);
    });

    it('after the clock was set back, keeps old events behind a younger one until that one is old too', () => {
      // 1-2 twenty days old, 3 written before the clock was set back (it says a day old), 4-5 twenty days old again.
      appendMany(5, (i) => daysAgo(i === 2 ? 1 : 20));
      outbox.ack('http', 5, daysAgo(0));
      expect(retention(['http']).run().purged).toBe(2);
      expect(seqs(db)).toEqual([3, 4, 5]);
    });

    it('without a link keeps events only for retentionDays', () => {
      appendMany(3, (i) => daysAgo(i === 2 ? 1 : 15));
      expect(retention([]).run().purged).toBe(2);
      expect(seqs(db)).toEqual([3]);
    });

    it('at the cap purges the oldest acknowledged events first, whatever their age', () => {
      // 12,000 recent events: more than one purge chunk, so the order of purging shows.
      appendMany(12_000, () => daysAgo(0), { pad: 'x'.repeat(200) });
      outbox.ack('mqtt', 9000, daysAgo(0));
      outbox.reject('mqtt', 10, 'conflict', 'refused', daysAgo(0));
      const bytes = outbox.sizeAfter(0).bytes;
      // Somewhat less than what is there: one chunk of the oldest is enough to get under it.
      const capMb = (bytes * 0.8) / (1024 * 1024);
      const { purged } = retention(['mqtt'], config({ capMb })).run();
      expect(outbox.sizeAfter(0).bytes).toBeLessThanOrEqual(bytes * 0.8);
      const left = seqs(db);
      expect(left.length).toBe(12_000 - purged);
      expect(left[0]).toBe(10);
      // What is left is the newest, apart from the dead letter.
      expect(left[1]).toBe(purged + 2);
      expect(purged).toBeLessThan(9000 - 1);
      expect(left).toContain(9000);
      expect(left.at(-1)).toBe(12_000);
    });

    it('knows the size of the outbox after every run: the first reads it whole, later ones what was written since and what they purged', () => {
      const summed = () => db.prepare('SELECT COALESCE(SUM(length(data) + length(type) + length(aggregate_id) + 120), 0) FROM outbox').pluck().get() as number;
      appendMany(40, (i) => daysAgo(i < 10 ? 20 : 0), { pad: 'x'.repeat(100) });
      outbox.ack('http', 40, daysAgo(0));
      // A cap the 30 recent events fit under, with a little room.
      const pass = retention(['http'], config({ capMb: (summed() * 0.8) / (1024 * 1024) }));
      expect(pass.run()).toEqual({ purged: 10, bytes: summed() });
      expect(summed()).toBeGreaterThan(30 * 100);
      // Over the cap now: the oldest acknowledged go (a whole chunk: all 30); the rolled-back event never counts.
      appendMany(10, () => daysAgo(0), { pad: 'y'.repeat(300) });
      expect(db.transaction(() => {
        outbox.append(entry(daysAgo(0), { pad: 'z'.repeat(5000) }));
        throw new Error('rolled back');
      })).toThrow('rolled back');
      expect(pass.run()).toEqual({ purged: 30, bytes: summed() });
      expect(seqs(db)).toEqual(Array.from({ length: 10 }, (_, i) => 41 + i));
      appendMany(2);
      expect(pass.run()).toEqual({ purged: 0, bytes: summed() });
    });

    it('never purges unsent events, even over the cap, and raises the alarm once', () => {
      appendMany(3000, () => daysAgo(0), { pad: 'x'.repeat(200) });
      outbox.ack('mqtt', 1000, daysAgo(0));
      const { log, error } = alarmLog();
      const overTheCap = retention(['mqtt'], config({ capMb: (outbox.sizeAfter(0).bytes * 0.1) / (1024 * 1024) }), log);
      expect(overTheCap.run().purged).toBe(1000);
      expect(seqs(db)).toEqual(Array.from({ length: 2000 }, (_, i) => 1001 + i));
      expect(overTheCap.bytes).toBeGreaterThan(overTheCap.capBytes);
      expect(error).toHaveBeenCalledTimes(1);
      expect(overTheCap.run().purged).toBe(0);
      expect(outbox.backlog('mqtt').count).toBe(2000);
      expect(error).toHaveBeenCalledTimes(1);
    });
  });
});
