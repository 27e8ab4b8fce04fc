/** Wall-clock readings in the store's time zone, for business days, schedules and file names. */
const formatters = new Map<string, Intl.DateTimeFormat>();

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The last reading: one change asks for the same second many times, and formatToParts is slow. */
let last: { second: number; timeZone: string; parts: LocalParts } | undefined;

/** The wall-clock reading of an instant in a time zone. */
export function localParts(at: Date, timeZone: string): LocalParts {
  const second = Math.floor(at.getTime() / 1000);
  if (last && last.second === second && last.timeZone === timeZone) return { ...last.parts };
  const parts = readParts(at, timeZone);
  last = { second, timeZone, parts };
  return { ...parts };
}

function readParts(at: Date, timeZone: string): LocalParts {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((part) => [part.type, Number(part.value)]));
  return { year: parts.year ?? NaN, month: parts.month ?? NaN, day: parts.day ?? NaN, hour: parts.hour ?? NaN, minute: parts.minute ?? NaN, second: parts.second ?? NaN };
}

/** Minutes the zone is ahead of UTC at an instant (480 for Asia/Shanghai). */
export function offsetMinutes(at: Date, timeZone: string): number {
  const p = localParts(at, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/**
 * The instant a wall-clock time happens in the zone. A time skipped by a daylight-saving change
 * comes out an hour later; one that happens twice, the first time.
 */
export function instantOf(year: number, month: number, day: number, hour: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day, hour);
  const first = wall - offsetMinutes(new Date(wall), timeZone) * 60_000;
  return new Date(wall - offsetMinutes(new Date(first), timeZone) * 60_000);
}

/** The local calendar date of an instant, 'YYYY-MM-DD'. */
export function localDate(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone);
  return new Date(Date.UTC(p.year, p.month - 1, p.day)).toISOString().slice(0, 10);
}

/** The ISO week (Monday to Sunday) of an instant's local date, '2026-W49'. */
export function localWeek(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone);
  const date = new Date(Date.UTC(p.year, p.month - 1, p.day));
  const weekday = date.getUTCDay() || 7;
  // The week belongs to the year of its Thursday.
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((date.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
