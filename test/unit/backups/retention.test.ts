import { describe, expect, it } from 'vitest';
import { selectBackups, type BackupCopy } from '../../../gateway/src/domain/backups/retention.js';

const TZ = 'Asia/Shanghai';
/** A copy taken at a Shanghai wall-clock time. */
const copy = (local: string): BackupCopy => ({ file: local, at: new Date(`${local}+08:00`) });

describe('backup retention', () => {
  it('keeps the newest copy of each of the last 7 days with a copy, and of the last 4 weeks', () => {
    // Every day at 03:00 from Mon 2026-10-05 to Tue 2026-12-01 (58 days).
    const copies: BackupCopy[] = [];
    for (let t = Date.UTC(2026, 9, 5); t <= Date.UTC(2026, 11, 1); t += 86_400_000) copies.push(copy(`${new Date(t).toISOString().slice(0, 10)}T03:00:00`));
    const { kept, drop } = selectBackups(copies, { keepDaily: 7, keepWeekly: 4 }, TZ);
    const daily = [...kept].filter(([, k]) => k === 'daily').map(([f]) => f.slice(0, 10));
    const weekly = [...kept].filter(([, k]) => k === 'weekly').map(([f]) => f.slice(0, 10));
    expect(daily).toEqual(['2026-12-01', '2026-11-30', '2026-11-29', '2026-11-28', '2026-11-27', '2026-11-26', '2026-11-25']);
    // ISO weeks: 12-01 (W49) and 11-29 (Sun, W48) are daily already; then the Sundays of W47 and W46.
    expect(weekly).toEqual(['2026-11-22', '2026-11-15']);
    expect(kept.size + drop.length).toBe(copies.length);
    expect(drop).toContain('2026-11-24T03:00:00');
  });

  it('keeps one copy per day: the newest of the day, in the store time zone', () => {
    const copies = [copy('2026-12-01T03:00:00'), copy('2026-12-01T10:15:00'), copy('2026-12-01T00:30:00'), copy('2026-11-30T23:50:00')];
    const { kept, drop } = selectBackups(copies, { keepDaily: 7, keepWeekly: 0 }, TZ);
    expect([...kept.keys()].sort()).toEqual(['2026-11-30T23:50:00', '2026-12-01T10:15:00']);
    expect(drop.sort()).toEqual(['2026-12-01T00:30:00', '2026-12-01T03:00:00']);
  });

  it('does not count days without a copy: a gateway off for a month keeps its last good copies', () => {
    const copies = ['2026-10-01', '2026-10-02', '2026-10-03', '2026-11-30'].map((d) => copy(`${d}T03:00:00`));
    const { kept, drop } = selectBackups(copies, { keepDaily: 3, keepWeekly: 0 }, TZ);
    expect([...kept.keys()].map((f) => f.slice(0, 10))).toEqual(['2026-11-30', '2026-10-03', '2026-10-02']);
    expect(drop).toEqual(['2026-10-01T03:00:00']);
  });

  it('cuts days in the store time zone, not in UTC', () => {
    // 07:30 in Shanghai on 12-01 and 23:30 UTC of 11-30 (07:30 Shanghai 12-01) are the same local day.
    const a = { file: 'a', at: new Date('2026-11-30T23:30:00Z') };
    const b = { file: 'b', at: new Date('2026-12-01T01:00:00Z') };
    expect(selectBackups([a, b], { keepDaily: 7, keepWeekly: 0 }, TZ).drop).toEqual(['a']);
    expect(selectBackups([a, b], { keepDaily: 7, keepWeekly: 0 }, 'UTC').drop).toEqual([]);
  });

  it('keeps nothing twice and drops nothing when there are fewer copies than places', () => {
    const copies = [copy('2026-12-01T03:00:00')];
    expect(selectBackups(copies, { keepDaily: 7, keepWeekly: 4 }, TZ)).toEqual({ kept: new Map([['2026-12-01T03:00:00', 'daily']]), drop: [] });
    expect(selectBackups([], { keepDaily: 7, keepWeekly: 4 }, TZ)).toEqual({ kept: new Map(), drop: [] });
  });
});
