import { z } from 'zod';
import { LocalizedText } from './i18n.js';
import { QueueModeName, TicketPriority, WaitRange } from './queue.js';
import { PublicTicket } from './ticket-status.js';

// Answers of the queue's HTTP API (http/queue-routes.ts), shared by the gateway, the screens and
// the tests. Screens parse every answer with these schemas before using it. The customer's ticket
// and the API's refusal are their own modules (zod/mini, read by the phone's page too).
export { PublicTicket, TICKET_STATES, TicketStateName, TicketStatusAnswer } from './ticket-status.js';
export { ApiError } from './api-error.js';

/** `POST /api/queue/commands`: the event, and for ticket events the ticket's place in its queue. */
export const CommandAnswer = z.object({
  event: z.object({ id: z.string(), type: z.string(), at: z.string() }).loose(),
  ticket: z.optional(PublicTicket),
  peopleAhead: z.number().int().nonnegative().optional(),
  estimatedWaitMin: z.number().int().nonnegative().optional(),
  estimatedWaitRange: z.optional(WaitRange),
});
export type CommandAnswer = z.infer<typeof CommandAnswer>;

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

