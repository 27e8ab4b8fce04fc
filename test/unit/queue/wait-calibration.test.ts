import { describe, expect, it } from 'vitest';
import { WaitCalibration } from '../../../gateway/src/domain/queue/index.js';

const MIN = 60_000;

describe('WaitCalibration', () => {
  it('starts from the spread of exponential turns: Gamma(slots) quantiles', () => {
    const calibration = new WaitCalibration({ window: 200, minSamples: 20 });
    // One turn of 10 minutes: exponential, median 10 ln 2, 10th and 90th percentiles 10 × 0.105 and 10 × 2.303.
    const q = calibration.quantiles({ ms: 10 * MIN, slots: 1, slotMs: 10 * MIN }, 'maintenance');
    expect(q.median / MIN).toBeCloseTo(6.9, 0);
    expect(q.low / MIN).toBeCloseTo(1.0, 0);
    expect(q.high / MIN).toBeCloseTo(23, 0);
  });

  it('learns how the real waits fall around the model, per band of turns and per group once a group has enough', () => {
    const calibration = new WaitCalibration({ window: 200, minSamples: 20 });
    const model = { ms: 20 * MIN, slots: 4, slotMs: 5 * MIN };
    // Real waits of 16, 20 and 30 minutes in turn: the model's mean is right, its median a little high.
    for (let i = 0; i < 30; i++) calibration.learn(model, [16, 20, 30][i % 3]! * MIN, 'repair');
    const repair = calibration.quantiles(model, 'repair');
    expect(repair.median / MIN).toBeCloseTo(20, 5);
    expect(repair.low / MIN).toBeCloseTo(16, 5);
    expect(repair.high / MIN).toBeCloseTo(30, 5);
    // Another group has none of its own yet and borrows all tickets' band; another band has nothing to go on.
    expect(calibration.quantiles(model, 'sales')).toEqual(repair);
    expect(calibration.quantiles({ ms: 5 * MIN, slots: 1, slotMs: 5 * MIN }, 'repair').median / MIN).toBeCloseTo(3.5, 0);
  });
});
