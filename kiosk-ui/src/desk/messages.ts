import type { QueueCommand, QueueModeName, TicketPriority } from '@forecourt/gateway/protocol';
import type { I18n, MessageKey } from '@forecourt/screen-lib/i18n/i18n.svelte.js';
import { KNOWN_ERROR_CODES, type KnownErrorCode } from './api.js';

export type DeskAction = QueueCommand['action'];

/** A refused or failed request, kept as codes so that it follows a change of language. */
export interface DeskError {
  code: string;
  action?: DeskAction;
  /** Bumped for every error, so the same error twice still shows (and is announced) again. */
  seq: number;
}

const ERROR_MESSAGES: Record<KnownErrorCode, MessageKey> = {
  'ticket-not-found': 'desk.error.ticket-not-found',
  'wrong-state': 'desk.error.wrong-state',
  'wrong-desk': 'desk.error.wrong-desk',
  'unknown-service': 'desk.error.unknown-service',
  'unknown-desk': 'desk.error.unknown-desk',
  'desk-does-not-serve': 'desk.error.desk-does-not-serve',
  'same-service': 'desk.error.same-service',
  'queue-empty': 'desk.error.queue-empty',
  'grace-expired': 'desk.error.grace-expired',
  'day-full': 'desk.error.day-full',
  'invalid-command': 'desk.error.invalid-command',
  'not-ready': 'desk.error.not-ready',
  network: 'desk.error.network',
  'bad-response': 'desk.error.bad-response',
  forbidden: 'desk.error.forbidden',
  'wrong-desk-session': 'desk.error.wrong-desk-session',
  'sign-in-required': 'desk.error.sign-in-required',
};

function isKnown(code: string): code is KnownErrorCode {
  return (KNOWN_ERROR_CODES as readonly string[]).includes(code);
}

/** The message for an error, in the screen's language. */
export function errorText(i18n: I18n, error: DeskError): string {
  // Only a mode switch can be refused as wrong-state without a ticket involved.
  if (error.code === 'wrong-state' && error.action === 'set-mode') return i18n.t('desk.error.mode-unchanged');
  return isKnown(error.code) ? i18n.t(ERROR_MESSAGES[error.code]) : i18n.t('desk.error.unknown', { code: error.code });
}

const PRIORITY_LABELS: Record<Exclude<TicketPriority, 'regular'>, MessageKey> = {
  appointment: 'desk.priority.appointment',
  vip: 'desk.priority.vip',
};

/** Badge text for a priority ticket; regular tickets have none. */
export function priorityLabel(i18n: I18n, priority: TicketPriority): string | undefined {
  return priority === 'regular' ? undefined : i18n.t(PRIORITY_LABELS[priority]);
}

/** What a successful command did, for the status line and screen readers. */
export interface DeskNotice {
  action: DeskAction;
  number?: string;
  service?: string;
  mode?: QueueModeName;
  seq: number;
}

const NOTICES: Partial<Record<DeskAction, MessageKey>> = {
  'call-next': 'desk.notice.called',
  call: 'desk.notice.called',
  recall: 'desk.notice.recalled',
  start: 'desk.notice.serving',
  finish: 'desk.notice.done',
  'no-show': 'desk.notice.no-show',
  'put-back': 'desk.notice.put-back',
  transfer: 'desk.notice.transferred',
  'set-mode': 'desk.notice.mode',
};

export function noticeText(i18n: I18n, notice: DeskNotice, serviceName: (code: string) => string): string {
  const key = NOTICES[notice.action];
  if (!key) return '';
  return i18n.t(key, {
    number: notice.number ?? '',
    service: notice.service ? serviceName(notice.service) : '',
    mode: notice.mode ? i18n.t(`desk.mode.${notice.mode}`) : '',
  });
}
