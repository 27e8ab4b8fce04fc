import type { I18n, MessageKey } from './i18n/i18n.svelte.js';

const KNOWN = [
  'order-not-found',
  'job-not-found',
  'ticket-not-found',
  'illegal-transition',
  'reason-required',
  'not-dispatchable',
  'jobs-open',
  'job-wrong-state',
  'order-wrong-stage',
  'plate-has-open-order',
  'promised-in-past',
  'day-full',
  'invalid-command',
  'not-ready',
  'network',
  'unknown-barcode',
  'card-first',
  'needs-job-card',
] as const;

/** A refused workshop command or scan, in the screen's language; unknown codes are shown as they are. */
export function workshopErrorText(i18n: I18n, code: string): string {
  return (KNOWN as readonly string[]).includes(code) ? i18n.t(`ws.error.${code}` as MessageKey) : i18n.t('ws.error.unknown', { code });
}
