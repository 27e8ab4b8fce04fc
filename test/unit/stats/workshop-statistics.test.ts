import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../gateway/src/config/schema.js';
import type { ExtensionContext } from '../../../gateway/src/extensions/extension.js';
import { Statistics } from '../../../gateway/src/extensions/statistics.js';
import { workshopStatsCsv } from '../../../gateway/src/http/stats-routes.js';
import type { WorkshopFigures } from '../../../gateway/src/protocol/stats.js';
import { FakeClock, useWorkshop } from '../workshop/fixtures.js';

/**
 * The workshop's statistics from repair orders taken through the real engine on a SQLite file,
 * against figures worked out by hand: two orders released on 2 March (one ready before its
 * promised time, one after), one still in the workshop.
 */
describe('workshop statistics', () => {
  const workshop = useWorkshop();
  const config = ConfigSchema.parse({});

  function playDay(clock: FakeClock, run: ReturnType<ReturnType<typeof useWorkshop>['open']>['run']): void {
    const visit = (plate: string, promisedAt: string) => {
      const { no } = run({ action: 'open', plate, model: 'Camry', advisor: 'Zhang', promisedAt, jobs: [{ title: 'Brakes', technicians: ['Li'] }] });
      const step = (min: number, input: Record<string, unknown>) => {
        clock.advanceMin(min);
        run({ order: no, ...input } as never);
      };
      step(10, { action: 'move', to: 'dispatched' });
      step(10, { action: 'job-start', job: 1 }); // in repair
      step(60, { action: 'job-finish', job: 1 }); // repair done: an hour of labour
      for (const to of ['quality-check', 'washing', 'settlement', 'ready']) step(10, { action: 'move', to });
      step(30, { action: 'move', to: 'released' });
    };
    visit('粤B12345', '2026-03-02T04:00:00Z'); // 09:00-11:30, ready 11:00, promised 12:00
    visit('粤B67890', '2026-03-02T04:00:00Z'); // 11:30-14:00, ready 13:30: late
    const third = run({ action: 'open', plate: '粤B24680', model: 'Civic', advisor: 'Wang', jobs: [{ title: 'Oil', technicians: ['Li'] }] });
    clock.advanceMin(5);
    run({ action: 'move', order: third.no, to: 'dispatched' });
  }

  const DAY: Omit<WorkshopFigures, 'key'> = {
    released: 2,
    promised: 2,
    promisedMetShare: 0.5,
    reworks: 0,
    comebacks: 0,
    labourMeanS: 3600,
    elapsedMeanS: 7200,
    labourShare: 0.5,
    stages: [
      { stage: 'reception', orders: 2, meanS: 600 },
      { stage: 'dispatched', orders: 2, meanS: 600 },
      { stage: 'in-repair', orders: 2, meanS: 3600 },
      { stage: 'repair-done', orders: 2, meanS: 600 },
      { stage: 'quality-check', orders: 2, meanS: 600 },
      { stage: 'washing', orders: 2, meanS: 600 },
      { stage: 'settlement', orders: 2, meanS: 600 },
      { stage: 'ready', orders: 2, meanS: 1800 },
    ],
  };

  it('reads a day live, then rolled up once it is over, with the same figures', async () => {
    const clock = new FakeClock('2026-03-02T01:00:00Z');
    const { db, run } = workshop.open(clock);
    playDay(clock, run);
    const ctx = { config, db, log: pino({ level: 'silent' }), now: clock.now } as unknown as ExtensionContext;

    const live = new Statistics(ctx);
    await live.start();
    const today = live.workshop({ from: '2026-03-02', to: '2026-03-02' });
    expect(today.rows).toEqual([{ key: '2026-03-02', ...DAY }]);
    expect(today.total).toEqual({ key: 'total', ...DAY });
    expect(today.inProgress).toEqual([{ stage: 'dispatched', orders: 1 }]);
    expect(workshopStatsCsv(today).split('\r\n')[1]).toBe('2026-03-02,2,2,0.5,0,0,3600,7200,0.5');
    await live.stop();

    clock.advanceMin(24 * 60);
    const next = new Statistics(ctx);
    await next.start();
    expect(db.prepare("SELECT business_day FROM stats_day WHERE workshop != '{}'").pluck().all()).toEqual(['2026-03-02']);
    const rolled = next.workshop({ from: '2026-03-01', to: '2026-03-03' });
    expect(rolled.rows).toEqual([{ key: '2026-03-02', ...DAY }]);
    expect(rolled.today).toBe('2026-03-03');
    await next.stop();
  });
});
