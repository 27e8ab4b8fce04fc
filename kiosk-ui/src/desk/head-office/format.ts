import type { I18n } from '@forecourt/screen-lib/i18n/i18n.svelte.js';

// Numbers, sizes, times and ages of head office's status, written the screen language's way.

export const count = (i18n: I18n, n: number): string => new Intl.NumberFormat(i18n.language).format(n);

export const percent = (i18n: I18n, share: number): string => new Intl.NumberFormat(i18n.language, { style: 'percent', maximumFractionDigits: 0 }).format(share);

export const megabytes = (i18n: I18n, bytes: number): string =>
  new Intl.NumberFormat(i18n.language, { style: 'unit', unit: 'megabyte', maximumFractionDigits: 1 }).format(bytes / (1024 * 1024));

const calendarDay = (date: Date, timeZone: string | undefined): string => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);

/** A time of day in the store's time zone, with the date when it is not today: "10:42", "3/14 10:42". */
export function clock(i18n: I18n, iso: string, timeZone: string | undefined, now = new Date()): string {
  const date = new Date(iso);
  const time = i18n.time(date, timeZone);
  if (calendarDay(date, timeZone) === calendarDay(now, timeZone)) return time;
  return `${new Intl.DateTimeFormat(i18n.language, { month: 'numeric', day: 'numeric', timeZone }).format(date)} ${time}`;
}

/** How long ago, in the largest whole unit that fits: "40 sec", "12 min", "5 hr", "3 days". */
export function age(i18n: I18n, iso: string, now = new Date()): string {
  const s = Math.max(0, (now.getTime() - Date.parse(iso)) / 1000);
  const [value, unit] = s < 60 ? [s, 'second'] : s < 3600 ? [s / 60, 'minute'] : s < 48 * 3600 ? [s / 3600, 'hour'] : [s / 86_400, 'day'];
  return new Intl.NumberFormat(i18n.language, { style: 'unit', unit, unitDisplay: 'short' }).format(Math.floor(value));
}

/** Which plural form a count takes in the screen's language (Chinese has only "other"). */
export const pluralForm = (i18n: I18n, n: number): 'one' | 'other' => (new Intl.PluralRules(i18n.language).select(n) === 'one' ? 'one' : 'other');
