import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVICES, SimpleEstimator } from '../../../gateway/src/domain/queue/index.js';
import { FakeClock, useDataDir } from './fixtures.js';

// Fixed 10 minutes per customer ahead, one desk per service: a right answer known in advance.
const estimator = new SimpleEstimator({ serviceMinutes: { maintenance: 10 } });
const services = DEFAULT_SERVICES.filter((s) => s.code === 'maintenance');
const desks = [{ id: '1', name: 1, services: ['maintenance'] }];

describe('a ticket keeps the estimate shown when it was taken', () => {
  const dir = useDataDir();

  it('stores it with the ticket, across a restart, and reports a change only when the expected call moved a lot', () => {
    const clock = new FakeClock('2026-03-02T01:00:00Z');
    const first = dir.openEngine(clock, { estimator, services, desks });
    first.engine.issue({ service: 'maintenance' });
    const mine = first.engine.issue({ service: 'maintenance' }).ticket;
    expect(first.engine.ticketStatus(mine.id)).toMatchObject({ estimatedWaitMin: 10, waitChange: null });

    // Another engine on the same database (a restarted gateway) knows the first estimate.
    const { engine } = dir.openEngine(clock, { estimator, services, desks });
    // 8 minutes on, the one ahead is called: on time.
    clock.advanceMin(8);
    engine.callNext('1');
    expect(engine.ticketStatus(mine.id)).toMatchObject({ estimatedWaitMin: 0, waitChange: null });
    // Two appointments go ahead: 8 + 20 minutes, 18 later than first said.
    engine.issue({ service: 'maintenance', priority: 'appointment' });
    engine.issue({ service: 'maintenance', priority: 'appointment' });
    expect(engine.ticketStatus(mine.id)).toMatchObject({
      estimatedWaitMin: 20,
      waitChange: { direction: 'later', first: { estimatedWaitMin: 10, estimatedWaitRange: { low: 10, high: 10 } } },
    });
    // Called: no estimate, no change to tell.
    engine.callNext('1');
    engine.callNext('1');
    const called = engine.callNext('1');
    expect(called.ticket.id).toBe(mine.id);
    expect(engine.ticketStatus(mine.id).waitChange).toBeNull();
  });
});
