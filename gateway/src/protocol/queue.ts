import { z } from 'zod';
import { LocalizedText } from './i18n.js';
import { TicketPriority } from './ticket-status.js';
import { WaitRange } from './wait-range.js';
import { DeskId, QueueModeName, ServiceCode, TicketNumber } from './queue-board.js';

// Payloads of the ticket queue on the bus, and the commands the gateway accepts for it.
// What the gateway publishes names tickets by number only: never a ticket id (the customer's
// key to follow the ticket from the QR code) nor a member reference. Those payloads are strict,
// so an object carrying more than the schema says fails validation instead of leaking.

const Timestamp = z.iso.datetime({ offset: true });
const Count = z.number().int().nonnegative();
const Minutes = z.number().int().nonnegative();

export const TicketId = z.uuid();
export type TicketId = z.infer<typeof TicketId>;

// A ticket's priority and the wait's range are their own modules (zod/mini, read by the phone's page too).
export { TICKET_PRIORITIES, TicketPriority } from './ticket-status.js';
export { WaitRange } from './wait-range.js';
// What the lounge board reads of the queue, and the names it uses, are their own module (zod/mini).
export { CallEvent, DeskId, QUEUE_MODES, QueueMode, QueueModeName, RecentCalls, ServiceCode, ServiceList, ServicePrefix, ServiceSummary, TicketNumber } from './queue-board.js';

/** Opaque reference to a member or card in the DMS; the queue never interprets it. */
export const MemberRef = z.string().min(1).max(64);

export const WaitingTicket = z.strictObject({
  number: TicketNumber,
  priority: TicketPriority,
  waitedMin: Minutes,
});
export type WaitingTicket = z.infer<typeof WaitingTicket>;

/** Retained, one per service: what the lounge board and the desks show of its queue. */
export const QueueSnapshot = z.strictObject({
  service: ServiceCode,
  /** In the order the desks would call them now. */
  waiting: z.array(WaitingTicket),
  waitingCount: Count,
  /** Tickets called to a desk or being served there. */
  servingNow: z.array(z.strictObject({ number: TicketNumber, desk: DeskId })),
  /** Minutes a ticket taken now would wait. */
  estimatedWaitMin: Minutes,
  estimatedWaitRange: WaitRange,
  at: Timestamp,
});
export type QueueSnapshot = z.infer<typeof QueueSnapshot>;

const AtDesk = { desk: DeskId, ticketId: TicketId };

/**
 * What a kiosk, dispenser or desk asks of the queue; each action is one engine transition. Strict:
 * unknown keys are refused. Who sent it comes from the sender's identity, never from the body.
 */
export const QueueCommand = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.literal('issue'),
    service: ServiceCode,
    priority: z.optional(TicketPriority),
    memberRef: MemberRef.optional(),
  }),
  z.strictObject({ action: z.literal('call-next'), desk: DeskId }),
  z.strictObject({ action: z.literal('call'), ...AtDesk }),
  z.strictObject({ action: z.literal('recall'), ...AtDesk }),
  z.strictObject({ action: z.literal('start'), ...AtDesk }),
  z.strictObject({ action: z.literal('finish'), ...AtDesk }),
  z.strictObject({ action: z.literal('no-show'), ...AtDesk }),
  z.strictObject({ action: z.literal('put-back'), ticketId: TicketId }),
  z.strictObject({ action: z.literal('transfer'), ticketId: TicketId, service: ServiceCode }),
  z.strictObject({ action: z.literal('cancel'), ticketId: TicketId }),
  z.strictObject({
    action: z.literal('set-mode'),
    mode: QueueModeName,
  }),
]);
export type QueueCommand = z.infer<typeof QueueCommand>;

/** Retained: the store's desks, for the desk console's desk picker. */
export const DeskList = z.strictObject({
  desks: z.array(z.strictObject({ id: DeskId, name: LocalizedText, services: z.array(ServiceCode) })),
  at: Timestamp,
});
export type DeskList = z.infer<typeof DeskList>;
