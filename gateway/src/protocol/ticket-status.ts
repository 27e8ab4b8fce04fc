import * as z from 'zod/mini';
import { WaitChange } from './wait-change.js';
import { WaitRange } from './wait-range.js';

// zod/mini, as everything the phone's status page parses (i18n.ts): its page then carries no
// classic zod, and of zod/mini only the checks these schemas use. Same parse API (`safeParse`).

/** Highest class first; the call policy (domain/queue/policy.ts) relies on this order. */
export const TICKET_PRIORITIES = ['appointment', 'vip', 'regular'] as const;
export const TicketPriority = z.enum(TICKET_PRIORITIES);
export type TicketPriority = z.infer<typeof TicketPriority>;

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
  calledAt: z.nullable(z.string()),
  desk: z.nullable(z.string()),
  recallCount: z.int().check(z.nonnegative()),
});
export type PublicTicket = z.infer<typeof PublicTicket>;

/** `GET /api/queue/tickets/:id`: the customer's own ticket (status page behind the QR code). */
export const TicketStatusAnswer = z.object({
  ticket: PublicTicket,
  peopleAhead: z.int().check(z.nonnegative()),
  estimatedWaitMin: z.int().check(z.nonnegative()),
  estimatedWaitRange: WaitRange,
  /** Set while the ticket waits and its estimate moved a lot since it was taken. */
  waitChange: z.nullable(WaitChange),
});
export type TicketStatusAnswer = z.infer<typeof TicketStatusAnswer>;
