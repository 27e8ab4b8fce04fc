import { describe, expect, it } from 'vitest';
import { timeOverBudgetPct } from '../../../gateway/src/bench/disk-stalls.js';

describe('timeOverBudgetPct: the share of time a commit would wait longer than a budget', () => {
  it('counts only the part of a long fsync that has more than the budget left', () => {
    // A 125 ms fsync: a commit in its first 100 ms waits over 25 ms. 100 of 1,000 ms: 10 %.
    expect(timeOverBudgetPct([{ startMs: 0, durationMs: 125 }], 25, 1000)).toBe(10);
  });

  it('ignores fsyncs within the budget', () => {
    expect(timeOverBudgetPct([{ startMs: 0, durationMs: 25 }, { startMs: 100, durationMs: 3 }], 25, 1000)).toBe(0);
  });

  it('counts overlapping stalls once', () => {
    const samples = [
      { startMs: 0, durationMs: 225 }, // over budget for 0-200
      { startMs: 100, durationMs: 225 }, // 100-300: overlaps 100-200
      { startMs: 500, durationMs: 75 }, // 500-550
    ];
    expect(timeOverBudgetPct(samples, 25, 1000)).toBe(35);
  });

  it('has no answer without a wall time', () => {
    expect(timeOverBudgetPct([], 25, 0)).toBeNaN();
  });
});
