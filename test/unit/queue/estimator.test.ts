import { describe, expect, it } from 'vitest';
import { SimpleEstimator } from '../../../gateway/src/domain/queue/index.js';

describe('SimpleEstimator', () => {
  const now = new Date('2024-05-06T10:00:00+08:00');

  it('shares the service minutes of the people ahead among the desks, rounding up', () => {
    const estimator = new SimpleEstimator();
    expect(estimator.estimate({ peopleAhead: 3, service: 'maintenance', openDesks: 2, now })).toBe(18);
    expect(estimator.estimate({ peopleAhead: 1, service: 'sales', openDesks: 2, now })).toBe(13);
    expect(estimator.estimate({ peopleAhead: 0, service: 'claims', openDesks: 1, now })).toBe(0);
  });

  it('counts no desk as one, and falls back for an unknown service', () => {
    const estimator = new SimpleEstimator({ serviceMinutes: { pickup: 8 }, fallbackMinutes: 10 });
    expect(estimator.estimate({ peopleAhead: 2, service: 'pickup', openDesks: 0, now })).toBe(16);
    expect(estimator.estimate({ peopleAhead: 2, service: 'detailing', openDesks: 1, now })).toBe(20);
  });
});
