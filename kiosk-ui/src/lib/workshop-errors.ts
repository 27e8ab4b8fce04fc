import type { I18n } from '@forecourt/screen-lib/i18n/i18n.svelte.js';

/** A refused workshop command or scan, in the screen's language; unknown codes are shown as they are. */
export function workshopErrorText(i18n: I18n, code: string): string {
  const key = `ws.error.${code}`;
  return i18n.has(key) ? i18n.t(key) : i18n.t('ws.error.unknown', { code });
}
