import type { QueueModeName } from '../../protocol/index.js';
import type { QueueEvent } from './events.js';
import type { Ticket, TicketState } from './ticket.js';

/** An event as stored, with its place in the log. */
export interface StoredEvent {
  seq: number;
  event: QueueEvent;
}

export interface ModeState {
  mode: QueueModeName;
  /** Who set it and when; null before anyone ever switched. */
  by: string | null;
  at: string | null;
}

/**
 * Where the queue lives. The engine keeps nothing in memory, so several engines on one store
 * (or a restarted one) see the same queue.
 */
export interface QueueStore {
  /**
   * Runs `fn` as one atomic unit: its reads see no concurrent writer, and its writes commit
   * together, or not at all when it throws.
   */
  transaction<T>(fn: () => T): T;
  ticket(id: string): Ticket | undefined;
  /** Tickets of a business day in the given states, oldest first. */
  ticketsOfDay(businessDay: string, states: readonly TicketState[]): Ticket[];
  /** Takes the next sequence number (1, 2, …) of a service on a business day. */
  nextNumber(businessDay: string, service: string): number;
  insertTicket(ticket: Ticket): void;
  updateTicket(ticket: Ticket): void;
  appendEvent(event: QueueEvent): void;
  /** Stored events at or after `at` (ISO time), in the order they were appended. */
  eventsSince(at: string): StoredEvent[];
  /** Stored events after `seq`, in order. */
  eventsAfter(seq: number): StoredEvent[];
  /** The last stored event's seq; 0 when there is none. */
  lastEventSeq(): number;
  /** Whether a transaction is open: its writes may still be rolled back. */
  inTransaction(): boolean;
  mode(): ModeState | undefined;
  saveMode(state: ModeState): void;
}
