import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../gateway/src/config/schema.js';
import { businessDayStart, QueueEngine } from '../../../gateway/src/domain/queue/index.js';
import { BUCKET_EDGES_S, bucketOf, quantileOf } from '../../../gateway/src/domain/stats/index.js';
import type { ExtensionContext } from '../../../gateway/src/extensions/extension.js';
import { Statistics } from '../../../gateway/src/extensions/statistics.js';
import { queueStatsCsv } from '../../../gateway/src/http/stats-routes.js';
import type { QueueFigures } from '../../../gateway/src/protocol/stats.js';
import { SqliteQueueStore } from '../../../gateway/src/store/queue-store.js';
import type { Db } from '../../../gateway/src/store/database.js';
import { FakeClock, TZ, useDataDir } from '../queue/fixtures.js';

describe('duration buckets', () => {
  it('puts an edge in the bucket above it and the rest in the open last one', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(29.9)).toBe(0);
    expect(bucketOf(30)).toBe(1);
    expect(bucketOf(600)).toBe(8);
    expect(bucketOf(7199)).toBe(BUCKET_EDGES_S.length - 1);
    expect(bucketOf(7200)).toBe(BUCKET_EDGES_S.length);
    expect(bucketOf(86_400)).toBe(BUCKET_EDGES_S.length);
  });

  it('interpolates a quantile inside its bucket; the open bucket gives its lower edge; nothing gives null', () => {
    const counts = new Array<number>(16).fill(0);
    expect(quantileOf(counts, 0.5)).toBeNull();
    counts[2] = 10; // ten waits of 60-120 s
    expect(quantileOf(counts, 0.5)).toBe(90);
    expect(quantileOf(counts, 0.9)).toBe(114);
    counts[15] = 10; // and ten of two hours or more
    expect(quantileOf(counts, 0.9)).toBe(7200);
    expect(quantileOf(counts, 0.25)).toBe(90);
  });
});

describe('businessDayStart', () => {
  it("is the day-start hour on the store's clocks, daylight saving included", () => {
    expect(businessDayStart('2026-03-02', 'Asia/Shanghai', 4).toISOString()).toBe('2026-03-01T20:00:00.000Z');
    // Berlin moves to summer time at 02:00 on 29 March: 04:00 that day is UTC+2.
    expect(businessDayStart('2026-03-28', 'Europe/Berlin', 4).toISOString()).toBe('2026-03-28T03:00:00.000Z');
    expect(businessDayStart('2026-03-29', 'Europe/Berlin', 4).toISOString()).toBe('2026-03-29T02:00:00.000Z');
    // New York goes back to standard time at 02:00 on 1 November.
    expect(businessDayStart('2026-11-01', 'America/New_York', 4).toISOString()).toBe('2026-11-01T09:00:00.000Z');
    expect(businessDayStart('2026-06-01', 'UTC', 0).toISOString()).toBe('2026-06-01T00:00:00.000Z');
  });
});

/**
 * Two business days of a store (Asia/Shanghai, days from 04:00) through the real engine on a
 * SQLite file, then the statistics against figures worked out by hand.
 */
describe('queue statistics', () => {
  const data = useDataDir();
  const config = ConfigSchema.parse({});

  function store(clock: FakeClock): { db: Db; engine: QueueEngine; statistics: () => Statistics } {
    const db = data.openDb();
    const engine = new QueueEngine({ store: new SqliteQueueStore(db), clock: clock.now, timeZone: TZ });
    const ctx = { config, db, log: pino({ level: 'silent' }), now: clock.now } as unknown as ExtensionContext;
    return { db, engine, statistics: () => new Statistics(ctx) };
  }

  /** 2 March 2026, 09:00-09:42 local, then 3 March 10:00-10:03. */
  function playTwoDays(clock: FakeClock, engine: QueueEngine): void {
    const a1 = engine.issue({ service: 'maintenance' }).ticket; // 09:00, told 0 min
    clock.advanceMin(5);
    const a2 = engine.issue({ service: 'maintenance' }).ticket; // 09:05, told 6 min (1 ahead x 12 / 2 desks)
    clock.advanceMin(5);
    expect(engine.callNext('1').ticket.id).toBe(a1.id); // 09:10: waited 600 s
    clock.advanceMin(2);
    engine.startServing('1', a1.id);
    clock.advanceMin(8);
    engine.finish('1', a1.id); // 09:20: served 480 s
    engine.setMode('peak', 'test');
    clock.advanceMin(1);
    const b1 = engine.issue({ service: 'repair' }).ticket; // 09:21, in peak
    clock.advanceMin(4);
    engine.cancel(b1.id); // 09:25: walked away
    expect(engine.callNext('2').ticket.id).toBe(a2.id); // 09:25: waited 1200 s
    clock.advanceMin(1);
    engine.markNoShow('2', a2.id);
    clock.advanceMin(1);
    engine.putBack(a2.id);
    clock.advanceMin(3);
    expect(engine.callNext('1').ticket.id).toBe(a2.id); // 09:30: the wait stays the first call's
    clock.advanceMin(10);
    engine.finish('1', a2.id); // 09:40: served 600 s from the call
    clock.advanceMin(1);
    const a3 = engine.issue({ service: 'maintenance' }).ticket; // 09:41, in peak, never called
    clock.advanceMin(1);
    engine.transfer(a3.id, 'repair');
    // Next day, 10:00.
    clock.advanceMin(24 * 60 + 18);
    engine.setMode('normal', 'test');
    const c1 = engine.issue({ service: 'maintenance' }).ticket;
    clock.advanceMin(1);
    engine.callNext('2');
    clock.advanceMin(2);
    engine.finish('2', c1.id);
  }

  const DAY1_MAINTENANCE: Omit<QueueFigures, 'key'> = {
    issued: 2, served: 2, noShows: 0, walkAways: 0, unfinished: 0, transfers: 0, peakShare: 0,
    // Waits 600 and 1200 s in the buckets 600-900 and 1200-1800: the median interpolates to 900.
    waitP50S: 900, waitP90S: 1680, waitMeanS: 900,
    serviceP50S: 600, serviceP90S: 600 + 300 * 0.8, serviceMeanS: 540,
    // Told 0 and 6 minutes: errors -600 and -840 s, neither inside its (zero-width) range.
    estimate: { n: 2, maeS: 720, biasS: -720, inRangeShare: 0 },
  };
  const DAY1_REPAIR: Omit<QueueFigures, 'key'> = {
    issued: 2, served: 0, noShows: 0, walkAways: 1, unfinished: 1, transfers: 1, peakShare: 1,
    waitP50S: null, waitP90S: null, waitMeanS: null, serviceP50S: null, serviceP90S: null, serviceMeanS: null, estimate: null,
  };

  it('folds a live day from its events: per service, per desk, the total, and a CSV of the same', () => {
    const clock = new FakeClock('2026-03-02T01:00:00Z');
    const { engine, statistics } = store(clock);
    playTwoDays(clock, engine);
    clock.advanceMin(-(24 * 60 + 21)); // back on day 1 (a read only: nothing is written)
    const stats = statistics();
    // Not started: nothing rolled up, every day live.
    return stats.start().then(async () => {
      const byService = stats.queue({ from: '2026-03-02', to: '2026-03-02', by: 'service' });
      expect(byService.liveDays).toEqual(['2026-03-02']);
      expect(byService.rows).toEqual([
        { key: 'maintenance', ...DAY1_MAINTENANCE },
        { key: 'repair', ...DAY1_REPAIR },
      ]);
      expect(byService.total).toMatchObject({ key: 'total', issued: 4, served: 2, walkAways: 1, unfinished: 1, transfers: 1, peakShare: 0.5 });
      const byDesk = stats.queue({ from: '2026-03-02', to: '2026-03-02', by: 'desk' });
      expect(byDesk.rows.map((r) => [r.key, r.issued, r.served])).toEqual([['', 2, 0], ['1', 2, 2]]);
      const csv = queueStatsCsv(byService).split('\r\n');
      expect(csv[0]).toBe('\uFEFFservice,issued,served,no_shows,walk_aways,unfinished,transfers,peak_share,wait_p50_s,wait_p90_s,wait_mean_s,service_p50_s,service_p90_s,service_mean_s,estimate_n,estimate_mae_s,estimate_bias_s,estimate_in_range_share');
      expect(csv[1]).toBe('maintenance,2,2,0,0,0,0,0,900,1680,900,600,840,540,2,720,-720,0');
      expect(csv[3]).toMatch(/^total,4,2,0,1,1,1,0.5,/);
      await stats.stop();
    });
  });

  it('rolls up each closed day once, with the same figures as when it was read live', async () => {
    const clock = new FakeClock('2026-03-02T01:00:00Z');
    const { db, engine, statistics } = store(clock);
    playTwoDays(clock, engine);
    clock.advanceMin(24 * 60); // 4 March, 10:03
    const stats = statistics();
    await stats.start();
    expect(db.prepare('SELECT business_day, tickets FROM stats_day ORDER BY business_day').all()).toEqual([
      { business_day: '2026-03-02', tickets: 4 },
      { business_day: '2026-03-03', tickets: 1 },
    ]);
    const byDay = stats.queue({ from: '2026-03-01', to: '2026-03-04', by: 'day' });
    expect(byDay.liveDays).toEqual(['2026-03-04']);
    // Today is folded live, and again with what happened since it was last asked.
    engine.issue({ service: 'sales' });
    expect(stats.queue({ from: '2026-03-04', to: '2026-03-04', by: 'service' }).rows.map((r) => [r.key, r.issued])).toEqual([['sales', 1]]);
    clock.advanceMin(1);
    engine.issue({ service: 'sales' });
    engine.issue({ service: 'pickup' });
    expect(stats.queue({ from: '2026-03-04', to: '2026-03-04', by: 'service' }).rows.map((r) => [r.key, r.issued])).toEqual([['pickup', 1], ['sales', 2]]);
    expect(byDay.rows.map((r) => [r.key, r.issued, r.served, r.waitMeanS, r.serviceMeanS])).toEqual([
      ['2026-03-02', 4, 2, 900, 540],
      ['2026-03-03', 1, 1, 60, 120],
    ]);
    expect(stats.queue({ from: '2026-03-01', to: '2026-03-04', by: 'day' }).rows.map((r) => [r.key, r.issued])).toEqual([
      ['2026-03-02', 4],
      ['2026-03-03', 1],
      ['2026-03-04', 3],
    ]);
    const rolled = stats.queue({ from: '2026-03-02', to: '2026-03-02', by: 'service' });
    expect(rolled.liveDays).toEqual([]);
    expect(rolled.rows).toEqual([
      { key: 'maintenance', ...DAY1_MAINTENANCE },
      { key: 'repair', ...DAY1_REPAIR },
    ]);
    const byHour = stats.queue({ from: '2026-03-02', to: '2026-03-03', by: 'hour' });
    expect(byHour.rows.map((r) => [r.key, r.issued])).toEqual([['9', 4], ['10', 1]]);
    await stats.stop();

    // A restart rolls nothing twice (the primary key would refuse it) and reads the same.
    const again = statistics();
    await again.start();
    expect(again.queue({ from: '2026-03-02', to: '2026-03-02', by: 'service' }).rows).toEqual(rolled.rows);
    await again.stop();
  });
});
