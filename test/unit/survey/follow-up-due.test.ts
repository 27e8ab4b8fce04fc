import { describe, expect, it } from 'vitest';
import { followUpDueDate, isFollowUpDue, localMidnight, storeDate } from '../../../gateway/src/domain/survey/index.js';

// The follow-up call is due a number of calendar days after the release, counted on the store's
// calendar: the same instant is a different day in Shanghai, in UTC and in Los Angeles.

describe('the follow-up due date', () => {
  it('counts days from the release in the store time zone, not in UTC', () => {
    // 23:30 on 1 December in Shanghai is still 1 December, 15:30, in UTC: both say due on the 4th.
    expect(followUpDueDate('2026-12-01T15:30:00Z', 3, 'Asia/Shanghai')).toBe('2026-12-04');
    // 00:30 on 2 December in Shanghai is 1 December in UTC: UTC would call one day early.
    expect(followUpDueDate('2026-12-01T16:30:00Z', 3, 'Asia/Shanghai')).toBe('2026-12-05');
    expect(followUpDueDate('2026-12-01T16:30:00Z', 3, 'UTC')).toBe('2026-12-04');
    // 22:30 on 1 December in Los Angeles is 2 December in UTC.
    expect(followUpDueDate('2026-12-02T06:30:00Z', 3, 'America/Los_Angeles')).toBe('2026-12-04');
  });

  it('is due from the due date on, by the store calendar of the injected clock', () => {
    const releasedAt = '2026-12-01T16:30:00Z'; // 2 Dec 00:30 in Shanghai
    const today = (now: string) => storeDate(new Date(now), 'Asia/Shanghai');
    expect(isFollowUpDue(releasedAt, today('2026-12-04T15:59:59Z'), 3, 'Asia/Shanghai')).toBe(false); // 4 Dec 23:59 local
    expect(isFollowUpDue(releasedAt, today('2026-12-04T16:00:00Z'), 3, 'Asia/Shanghai')).toBe(true); // 5 Dec 00:00 local
    expect(isFollowUpDue(releasedAt, today('2026-12-20T08:00:00Z'), 3, 'Asia/Shanghai')).toBe(true);
    // Los Angeles: released 1 Dec 22:30 local, due 4 Dec local — not at 23:59 on the 3rd, though UTC is already the 4th.
    expect(isFollowUpDue('2026-12-02T06:30:00Z', storeDate(new Date('2026-12-04T07:59:00Z'), 'America/Los_Angeles'), 3, 'America/Los_Angeles')).toBe(false);
    expect(isFollowUpDue('2026-12-02T06:30:00Z', storeDate(new Date('2026-12-04T08:00:00Z'), 'America/Los_Angeles'), 3, 'America/Los_Angeles')).toBe(true);
  });

  it('keeps calendar days across a daylight-saving change and a month end', () => {
    // Berlin moves to summer time on 29 March 2026 at 02:00: 01:30 local is still 29 March.
    expect(followUpDueDate('2026-03-28T23:30:00Z', 3, 'Europe/Berlin')).toBe('2026-04-01');
    expect(followUpDueDate('2026-02-27T10:00:00Z', 3, 'Asia/Shanghai')).toBe('2026-03-02');
    expect(followUpDueDate('2026-12-30T10:00:00Z', 3, 'Asia/Shanghai')).toBe('2027-01-02');
  });

  it('with 0 days is due on the day of the release', () => {
    expect(isFollowUpDue('2026-12-01T02:00:00Z', '2026-12-01', 0, 'Asia/Shanghai')).toBe(true);
  });

  it('finds where a local day begins, for filters by date', () => {
    expect(localMidnight('2026-12-01', 'Asia/Shanghai')).toBe('2026-11-30T16:00:00.000Z');
    expect(localMidnight('2026-07-01', 'America/New_York')).toBe('2026-07-01T04:00:00.000Z');
    expect(localMidnight('2026-12-01', 'America/New_York')).toBe('2026-12-01T05:00:00.000Z');
    expect(localMidnight('2026-03-29', 'Europe/Berlin')).toBe('2026-03-28T23:00:00.000Z');
  });
});
