import { describe, expect, it } from 'vitest';
import { waitChangeDirection, waitPhrase, waitText } from '../../../gateway/src/protocol/index.js';

const wait = (estimatedWaitMin: number, low: number, high: number) => ({ estimatedWaitMin, estimatedWaitRange: { low, high } });

describe('waitText: one rule for every screen and the printed ticket', () => {
  it('shows a wide 80 % interval as a range, in the three languages', () => {
    const w = wait(12, 10, 15);
    expect(waitText(w, 'zh-Hans')).toBe('约 10–15 分钟');
    expect(waitText(w, 'zh-Hant')).toBe('約 10–15 分鐘');
    expect(waitText(w, 'en')).toBe('about 10–15 min');
  });

  it('shows one number when the interval is narrow', () => {
    const w = wait(12, 11, 14);
    expect(waitText(w, 'zh-Hans')).toBe('约 12 分钟');
    expect(waitText(w, 'zh-Hant')).toBe('約 12 分鐘');
    expect(waitText(w, 'en')).toBe('about 12 min');
    // Without a spread at all (the fixed-table estimator).
    expect(waitPhrase(wait(45, 45, 45))).toEqual({ kind: 'about', min: 45 });
  });

  it('never says "about 0 minutes": soon, or within N when the short end is no wait', () => {
    for (const w of [wait(0, 0, 0), wait(0, 0, 1), wait(1, 0, 1)]) {
      expect(waitText(w, 'zh-Hans')).toBe('即将叫号');
      expect(waitText(w, 'zh-Hant')).toBe('即將叫號');
      expect(waitText(w, 'en')).toBe('soon');
    }
    const w = wait(2, 0, 6);
    expect(waitText(w, 'zh-Hans')).toBe('6 分钟内');
    expect(waitText(w, 'zh-Hant')).toBe('6 分鐘內');
    expect(waitText(w, 'en')).toBe('within 6 min');
    expect(waitPhrase(wait(0, 0, 2))).toEqual({ kind: 'within', high: 2 });
  });

  it('rounds longer waits to fives and tens, outwards, so the range still holds the interval', () => {
    expect(waitPhrase(wait(40, 33, 48))).toEqual({ kind: 'range', low: 30, high: 50 });
    expect(waitPhrase(wait(90, 62, 131))).toEqual({ kind: 'range', low: 60, high: 140 });
    expect(waitPhrase(wait(41, 38, 44))).toEqual({ kind: 'about', min: 40 });
    expect(waitPhrase(wait(7, 3, 11))).toEqual({ kind: 'range', low: 3, high: 11 });
  });

  it('reads a malformed interval that does not hold its median as if it did', () => {
    expect(waitPhrase(wait(20, 25, 30))).toEqual({ kind: 'range', low: 20, high: 30 });
  });
});

describe('waitChangeDirection: the phone page says when the estimate moved a lot', () => {
  const at = new Date('2026-03-02T02:00:00Z');
  const later = (min: number) => new Date(at.getTime() + min * 60_000);

  it('compares when the call is expected, not the minutes left', () => {
    // Told 20 min; 15 min on, 5 min left: just as promised.
    expect(waitChangeDirection({ at, minutes: 20 }, { now: later(15), minutes: 5 })).toBeUndefined();
    // Told 20 min; 15 min on, still 20 left: 15 min later than promised.
    expect(waitChangeDirection({ at, minutes: 20 }, { now: later(15), minutes: 20 })).toBe('later');
    // Told 30 min; at once down to 10 (desks opened).
    expect(waitChangeDirection({ at, minutes: 30 }, { now: later(1), minutes: 10 })).toBe('sooner');
  });

  it('needs both 5 minutes and 30 % of the first estimate', () => {
    expect(waitChangeDirection({ at, minutes: 10 }, { now: at, minutes: 14 })).toBeUndefined();
    expect(waitChangeDirection({ at, minutes: 10 }, { now: at, minutes: 15 })).toBe('later');
    // 8 minutes on a 40-minute estimate is 20 %: not worth a notice.
    expect(waitChangeDirection({ at, minutes: 40 }, { now: at, minutes: 48 })).toBeUndefined();
    expect(waitChangeDirection({ at, minutes: 40 }, { now: at, minutes: 52 })).toBe('later');
    expect(waitChangeDirection({ at, minutes: 0 }, { now: at, minutes: 5 })).toBe('later');
  });
});
