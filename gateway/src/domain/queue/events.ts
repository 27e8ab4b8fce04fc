import type { QueueModeName } from '../../protocol/index.js';
import type { Ticket } from './ticket.js';
import type { TicketStatus } from './engine.js';
import type { WaitEstimate } from './estimator.js';

export const TICKET_EVENT_TYPES = [
  'ticket.issued',
  'ticket.called',
  'ticket.recalled',
  'ticket.serving',
  'ticket.done',
  'ticket.no-show',
  'ticket.put-back',
  'ticket.transferred',
  'ticket.cancelled',
] as const;
export type TicketEventType = (typeof TICKET_EVENT_TYPES)[number];

/** One ticket transition, with the ticket as it is afterwards. */
export interface TicketEvent {
  /** Unique; the DMS dedupes redeliveries by it. */
  id: string;
  type: TicketEventType;
  at: string;
  ticket: Ticket;
  /** The desk that acted, for desk actions. */
  desk: string | null;
  /** For a transfer: the service the ticket left. */
  fromService?: string;
  /** For an issue: the wait the customer was told, kept so the statistics can score it. */
  estimate?: WaitEstimate;
}

export interface ModeChangedEvent {
  id: string;
  type: 'mode.changed';
  at: string;
  mode: QueueModeName;
  previous: QueueModeName;
  by: string;
}

/** What each engine transition produced; stored in the same transaction as the change. */
export type QueueEvent = TicketEvent | ModeChangedEvent;

/** A command's event and, for ticket events, the ticket's place in its queue after it. */
export interface CommandResult {
  event: QueueEvent;
  status?: TicketStatus;
}
