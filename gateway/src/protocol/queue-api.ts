import { z } from 'zod';
import { LocalizedText } from './i18n.js';
import { QueueModeName, TicketPriority, WaitRange } from './queue.js';
import { WaitChange } from './wait-change.js';

// Answers of the queue's HTTP API (http/queue-routes.ts), shared by the gateway, the screens and
// the tests. Screens parse every answer with these schemas before using it.

export const TICKET_STATES = ['waiting', 'called', 'serving', 'done', 'no-show', 'cancelled'] as const;
export const TicketStateName = z.enum(TICKET_STATES);

/** A ticket as it leaves the gateway: everything but the member reference. */
export const PublicTicket = z.object({
  id: z.string(),
  number: z.string(),
  service: z.string(),
  priority: TicketPriority,
  state: TicketStateName,
  issuedAt: z.string(),
  calledAt: z.string().nullable(),
  desk: z.string().nullable(),
  recallCount: z.number().int().nonnegative(),
});
export type PublicTicket = z.infer<typeof PublicTicket>;

/** `POST /api/queue/commands`: the event, and for ticket events the ticket's place in its queue. */
export const CommandAnswer = z.object({
  event: z.object({ id: z.string(), type: z.string(), at: z.string() }).loose(),
  ticket: PublicTicket.optional(),
  peopleAhead: z.number().int().nonnegative().optional(),
  estimatedWaitMin: z.number().int().nonnegative().optional(),
  estimatedWaitRange: WaitRange.optional(),
});
export type CommandAnswer = z.infer<typeof CommandAnswer>;

/** `GET /api/queue/tickets/:id`: the customer's own ticket (status page behind the QR code). */
export const TicketStatusAnswer = z.object({
  ticket: PublicTicket,
  peopleAhead: z.number().int().nonnegative(),
  estimatedWaitMin: z.number().int().nonnegative(),
  estimatedWaitRange: WaitRange,
  /** Set while the ticket waits and its estimate moved a lot since it was taken. */
  waitChange: WaitChange.nullable(),
});
export type TicketStatusAnswer = z.infer<typeof TicketStatusAnswer>;

export const DeskWaitingTicket = z.object({
  ticketId: z.string(),
  number: z.string(),
  priority: TicketPriority,
  issuedAt: z.string(),
  waitedMin: z.number().int().nonnegative(),
});
export type DeskWaitingTicket = z.infer<typeof DeskWaitingTicket>;

/** `GET /api/queue/desks/:desk`: the desk's tickets and queues, with the ids it acts on. */
export const DeskView = z.object({
  desk: z.object({ id: z.string(), name: LocalizedText, services: z.array(z.string()) }),
  current: z.array(PublicTicket),
  queues: z.array(
    z.object({
      service: z.string(),
      waiting: z.array(DeskWaitingTicket),
      waitingCount: z.number().int().nonnegative(),
      estimatedWaitMin: z.number().int().nonnegative(),
      estimatedWaitRange: WaitRange,
    }),
  ),
  noShows: z.array(PublicTicket),
  mode: QueueModeName,
  peakSuggested: z.boolean(),
});
export type DeskView = z.infer<typeof DeskView>;

/** Stable machine codes of refused queue requests; screens translate them, logs keep them. */
export const QUEUE_ERROR_CODES = [
  'ticket-not-found',
  'wrong-state',
  'wrong-desk',
  'unknown-service',
  'unknown-desk',
  'desk-does-not-serve',
  'same-service',
  'queue-empty',
  'grace-expired',
  'day-full',
] as const;

/** What the queue's HTTP API can refuse with: the domain's codes, a bad body, a gateway starting up. */
export const QUEUE_API_ERROR_CODES = [...QUEUE_ERROR_CODES, 'invalid-command', 'not-ready'] as const;

/** Every refusal of the HTTP API: a stable code for screens to translate, a message for logs. */
export const ApiError = z.object({ error: z.object({ code: z.string(), message: z.string().optional() }) });
