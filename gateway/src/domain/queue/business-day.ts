const formatters = new Map<string, Intl.DateTimeFormat>();

function localParts(at: Date, timeZone: string): { year: number; month: number; day: number; hour: number } {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((part) => [part.type, Number(part.value)]));
  return { year: parts.year ?? NaN, month: parts.month ?? NaN, day: parts.day ?? NaN, hour: parts.hour ?? NaN };
}

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

/**
 * The instant a business day begins: `dayStartHour` on the store's clocks on that date. Found by
 * asking the time zone its offset at the guess, twice, so a daylight-saving change that day is
 * taken into account.
 */
export function businessDayStart(day: string, timeZone: string, dayStartHour: number): Date {
  const wall = Date.parse(`${day}T${String(dayStartHour).padStart(2, '0')}:00:00Z`);
  let guess = wall;
  for (let i = 0; i < 2; i++) {
    const local = localParts(new Date(guess), timeZone);
    const minutes = new Date(guess).getUTCMinutes();
    const shown = Date.UTC(local.year, local.month - 1, local.day, local.hour, minutes);
    guess = wall - (shown - guess);
  }
  return new Date(guess);
}
