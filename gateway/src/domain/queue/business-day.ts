import { instantOf, localParts } from '../local-time.js';

/**
 * The business day ('YYYY-MM-DD') an instant belongs to in the store's time zone. Until the
 * day-start hour the night still belongs to the previous day, so a ticket taken at 01:00 after
 * a late closing is numbered with the evening's tickets rather than the next morning's.
 */
export function businessDay(at: Date, timeZone: string, dayStartHour: number): string {
  if (!Number.isInteger(dayStartHour) || dayStartHour < 0 || dayStartHour > 23) {
    throw new RangeError(`day start hour must be a whole hour 0-23, got ${dayStartHour}`);
  }
  const local = localParts(at, timeZone);
  // Step back a calendar date, not 24 hours, so a daylight-saving change cannot shift the day.
  const date = new Date(Date.UTC(local.year, local.month - 1, local.hour < dayStartHour ? local.day - 1 : local.day));
  return date.toISOString().slice(0, 10);
}

/** The hour (0-23) on the store's clocks at an instant: what the statistics group tickets by. */
export function localHour(at: Date, timeZone: string): number {
  return localParts(at, timeZone).hour;
}

/** The instant a business day begins: `dayStartHour` on the store's clocks on that date. */
export function businessDayStart(day: string, timeZone: string, dayStartHour: number): Date {
  const [year = NaN, month = NaN, date = NaN] = day.split('-').map(Number);
  return instantOf(year, month, date, dayStartHour, timeZone);
}
