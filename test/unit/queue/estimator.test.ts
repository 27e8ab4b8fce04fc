import { describe, expect, it } from 'vitest';
import { DEFAULT_DESKS, SimpleEstimator } from '../../../gateway/src/domain/queue/index.js';

describe('SimpleEstimator', () => {
  const twoDesks = DEFAULT_DESKS.slice(0, 2);
  const oneDesk = DEFAULT_DESKS.slice(0, 1);

  it('shares the service minutes of the people ahead among the desks, rounding up, with no spread', () => {
    const estimator = new SimpleEstimator();
    expect(estimator.estimate({ peopleAhead: 3, service: 'maintenance', desks: twoDesks })).toEqual({ minutes: 18, low: 18, high: 18 });
    expect(estimator.estimate({ peopleAhead: 1, service: 'sales', desks: twoDesks }).minutes).toBe(13);
    expect(estimator.estimate({ peopleAhead: 0, service: 'claims', desks: oneDesk }).minutes).toBe(0);
  });

  it('counts no desk as one, and falls back for an unknown service', () => {
    const estimator = new SimpleEstimator({ serviceMinutes: { pickup: 8 }, fallbackMinutes: 10 });
    expect(estimator.estimate({ peopleAhead: 2, service: 'pickup', desks: [] }).minutes).toBe(16);
    expect(estimator.estimate({ peopleAhead: 2, service: 'detailing', desks: oneDesk }).minutes).toBe(20);
  });
});
