import { describe, expect, it } from 'vitest';
import { localDate, localParts } from '../../gateway/src/domain/local-time.js';

// localParts keeps its last reading: asked again for the same second it must still answer for
// the zone asked, and a caller changing its answer must not change the next one.

describe('localParts', () => {
  const at = new Date('2026-12-01T16:30:15.250Z');

  it('reads the wall clock of each zone, also when asked for the same second in turn', () => {
    expect(localParts(at, 'Asia/Shanghai')).toEqual({ year: 2026, month: 12, day: 2, hour: 0, minute: 30, second: 15 });
    expect(localParts(at, 'Europe/London')).toEqual({ year: 2026, month: 12, day: 1, hour: 16, minute: 30, second: 15 });
    expect(localParts(new Date(at.getTime() + 500), 'Asia/Shanghai').hour).toBe(0);
    expect(localParts(new Date(at.getTime() + 1000), 'Asia/Shanghai').second).toBe(16);
    expect(localDate(at, 'Asia/Shanghai')).toBe('2026-12-02');
  });

  it('hands out a copy', () => {
    const first = localParts(at, 'Asia/Shanghai');
    first.hour = 99;
    expect(localParts(at, 'Asia/Shanghai').hour).toBe(0);
  });
});
