import { TICKET_STATES, type TicketPriority } from '../../protocol/index.js';
import type { ServiceConfig } from './services.js';

export { TICKET_STATES };
export type TicketState = (typeof TICKET_STATES)[number];

export interface Ticket {
  /** Random, so that knowing one's own ticket (the QR code) reveals nothing of another. */
  id: string;
  /** Prefix of the service it was issued for and the day's number: 'A001' (or 'A0001', 'A1000'). Kept on transfer. */
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
  /**
   * The estimate shown when the ticket was taken (kiosk, printed ticket), whole minutes; null for
   * tickets stored before it was kept. The phone page compares later estimates with it.
   */
  firstWaitMin: number | null;
  firstWaitLow: number | null;
  firstWaitHigh: number | null;
}

/** Digits of a day's ticket numbers: A001 or A0001 (`queue.numberDigits`). */
export type NumberDigits = 3 | 4;

/**
 * The number of a service's `sequence`-th ticket of the day: its prefix and the sequence padded to
 * `digits`. A day that runs past the last number of that width goes on with one digit more (A999,
 * A1000, …): no customer is refused a ticket because a counter ran out, and since the sequence
 * only grows, no number repeats within the day.
 */
export function ticketNumber(service: ServiceConfig, sequence: number, digits: NumberDigits = 3): string {
  return `${service.prefix}${String(sequence).padStart(digits, '0')}`;
}
