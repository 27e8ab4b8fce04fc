import { describe, expect, it } from 'vitest';
import { businessDay } from '../../../gateway/src/domain/queue/index.js';
import { FakeClock, TZ, useDataDir } from './fixtures.js';

describe('businessDay', () => {
  it('counts the night before the day-start hour as the previous day', () => {
    expect(businessDay(new Date('2024-05-06T03:59:59+08:00'), TZ, 4)).toBe('2024-05-05');
    expect(businessDay(new Date('2024-05-06T04:00:00+08:00'), TZ, 4)).toBe('2024-05-06');
    expect(businessDay(new Date('2024-05-06T23:59:59+08:00'), TZ, 4)).toBe('2024-05-06');
    expect(businessDay(new Date('2024-05-06T00:00:00+08:00'), TZ, 0)).toBe('2024-05-06');
  });

  it("uses the store's time zone, not UTC", () => {
    // 20:00 UTC is already 04:00 the next morning in Shanghai.
    expect(businessDay(new Date('2024-05-05T20:00:00Z'), TZ, 4)).toBe('2024-05-06');
    expect(businessDay(new Date('2024-05-05T20:00:00Z'), 'UTC', 4)).toBe('2024-05-05');
  });

  it('steps back across month and year ends', () => {
    expect(businessDay(new Date('2025-01-01T02:00:00+08:00'), TZ, 4)).toBe('2024-12-31');
    expect(businessDay(new Date('2024-03-01T01:00:00+08:00'), TZ, 4)).toBe('2024-02-29');
  });

  it('follows the local clock on a daylight-saving day', () => {
    // New York springs forward at 02:00 on 2024-03-10; 04:30 local is four hours after 23:30 the evening before.
    expect(businessDay(new Date('2024-03-10T04:30:00-04:00'), 'America/New_York', 4)).toBe('2024-03-10');
    expect(businessDay(new Date('2024-03-10T03:30:00-04:00'), 'America/New_York', 4)).toBe('2024-03-09');
  });

  it('refuses a bad hour or time zone', () => {
    expect(() => businessDay(new Date(), TZ, 24)).toThrow(RangeError);
    expect(() => businessDay(new Date(), TZ, 3.5)).toThrow(RangeError);
    expect(() => businessDay(new Date(), 'Mars/Olympus', 4)).toThrow(RangeError);
  });
});

describe('business-day rollover in the engine', () => {
  const files = useDataDir();

  it('restarts numbering at A001 at the day-start hour, and shows only the new day', () => {
    const clock = new FakeClock('2024-05-06T10:00:00+08:00');
    const { engine } = files.openEngine(clock, { dayStartHour: 4 });
    for (let i = 0; i < 3; i++) engine.issue({ service: 'maintenance' });

    clock.advanceMin(17 * 60 + 59); // 03:59 next morning: still Monday's business day
    const late = engine.issue({ service: 'maintenance' }).ticket;
    expect(late).toMatchObject({ number: 'A004', businessDay: '2024-05-06' });

    clock.advanceMin(1); // 04:00
    expect(engine.currentBusinessDay()).toBe('2024-05-07');
    const first = engine.issue({ service: 'maintenance' }).ticket;
    expect(first).toMatchObject({ number: 'A001', businessDay: '2024-05-07' });
    expect(engine.issue({ service: 'repair' }).ticket.number).toBe('B001');

    const view = engine.snapshot('maintenance');
    expect(view.waiting.map((t) => t.ticketId)).toEqual([first.id]);
    expect(engine.callNext('1').ticket.id).toBe(first.id);
    // Yesterday's ticket is still there by id, untouched.
    expect(engine.ticketStatus(late.id).ticket).toMatchObject({ state: 'waiting', businessDay: '2024-05-06' });
  });
});
