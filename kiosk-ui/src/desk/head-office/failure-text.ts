import type { I18n } from '@forecourt/screen-lib/i18n/i18n.svelte.js';

/** A refused or failed head-office request in words: its own message, the admin panels' shared one, or the code. */
export function failureText(i18n: I18n, code: string): string {
  for (const key of [`ho.error.${code}`, `admin.error.${code}`]) if (i18n.has(key)) return i18n.t(key);
  return i18n.t('admin.error.other', { code });
}
