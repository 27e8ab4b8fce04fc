import { TICKET_STATES, type TicketPriority } from '../../protocol/index.js';
import { QueueError } from './errors.js';
import type { ServiceConfig } from './services.js';

export { TICKET_STATES };
export type TicketState = (typeof TICKET_STATES)[number];

export interface Ticket {
  /** Random, so that knowing one's own ticket (the QR code) reveals nothing of another. */
  id: string;
  /** Prefix of the service it was issued for and the day's number: 'A001'. Kept on transfer. */
  number: string;
  service: string;
  /** The service it was issued for; differs from `service` after a transfer. */
  originalService: string;
  priority: TicketPriority;
  state: TicketState;
  /** Waiting time counts from here; a transfer or a put-back keeps it. */
  issuedAt: string;
  /** When the current call to a desk happened; cleared when the ticket waits again. */
  calledAt: string | null;
  /** Desk of the current (or last, once finished or no-show) call. */
  desk: string | null;
  recallCount: number;
  /** Last time the customer did not come when called. */
  noShowAt: string | null;
  memberRef: string | null;
  businessDay: string;
}

/** Three digits per service and day; a service has at most this many tickets a day. */
export const MAX_TICKETS_PER_DAY = 999;

export function ticketNumber(service: ServiceConfig, sequence: number): string {
  if (sequence > MAX_TICKETS_PER_DAY) {
    throw new QueueError(
      'day-full',
      `service ${service.code} has issued all ${MAX_TICKETS_PER_DAY} ticket numbers of today; no more tickets until the next business day`,
    );
  }
  return `${service.prefix}${String(sequence).padStart(3, '0')}`;
}
