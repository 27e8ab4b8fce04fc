import type { I18n } from '@forecourt/screen-lib/i18n/i18n.svelte.js';

/** A backup failure's reason in the screen's language (the gateway's own words for an unknown code). */
export function backupReason(i18n: I18n, code: string, message = ''): string {
  const key = `backup.error.${code}`;
  if (i18n.has(key)) return i18n.t(key);
  return message || i18n.t('backup.error.other', { code });
}

/** A date and time in the store's time zone: "12/1 03:00". */
export function backupTime(i18n: I18n, iso: string, timeZone: string | undefined): string {
  const date = new Date(iso);
  return `${new Intl.DateTimeFormat(i18n.language, { month: 'numeric', day: 'numeric', timeZone }).format(date)} ${i18n.time(date, timeZone)}`;
}

export const backupSize = (i18n: I18n, bytes: number): string =>
  new Intl.NumberFormat(i18n.language, { style: 'unit', unit: 'megabyte', maximumFractionDigits: 1 }).format(bytes / (1024 * 1024));
