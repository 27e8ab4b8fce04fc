import { z } from 'zod';
import { LocalizedText } from './i18n.js';
import { TicketPriority } from './ticket-status.js';
import { WaitRange } from './wait-range.js';
import { ID_PATTERN } from './topics.js';

// Payloads of the ticket queue on the bus, and the commands the gateway accepts for it.
// What the gateway publishes names tickets by number only: never a ticket id (the customer's
// key to follow the ticket from the QR code) nor a member reference. Those payloads are strict,
// so an object carrying more than the schema says fails validation instead of leaking.

const Timestamp = z.iso.datetime({ offset: true });
const Count = z.number().int().nonnegative();
const Minutes = z.number().int().nonnegative();

export const ServiceCode = z.string().regex(ID_PATTERN, 'lower-case letters, digits and dashes, max 32');
export type ServiceCode = z.infer<typeof ServiceCode>;

/** First letter of a service's ticket numbers. */
export const ServicePrefix = z.string().regex(/^[A-Z]$/, 'one capital letter A-Z');
export type ServicePrefix = z.infer<typeof ServicePrefix>;

export const DeskId = z.string().regex(ID_PATTERN, 'lower-case letters, digits and dashes, max 32');
export type DeskId = z.infer<typeof DeskId>;

export const TicketId = z.uuid();
export type TicketId = z.infer<typeof TicketId>;

/**
 * Service prefix and the number of the business day, three or four digits as the store sets it
 * (A001, A0001), and more once a busy day runs past them (A999 → A1000).
 */
export const TicketNumber = z.string().regex(/^[A-Z]\d{3,}$/, 'a letter and at least three digits, e.g. A001');
export type TicketNumber = z.infer<typeof TicketNumber>;

// A ticket's priority and the wait's range are their own modules (zod/mini, read by the phone's page too).
export { TICKET_PRIORITIES, TicketPriority } from './ticket-status.js';
export { WaitRange } from './wait-range.js';

/** Peak: customers take their own tickets at the dispensers; normal: staff hand them out. */
export const QUEUE_MODES = ['normal', 'peak'] as const;
export const QueueModeName = z.enum(QUEUE_MODES);
export type QueueModeName = z.infer<typeof QueueModeName>;

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

/** Not retained: a ticket called (or called again) to a desk; the board chimes and speaks it. */
export const CallEvent = z.strictObject({
  ticketNumber: TicketNumber,
  service: ServiceCode,
  desk: DeskId,
  deskName: z.optional(LocalizedText),
  at: Timestamp,
  recall: z.boolean(),
});
export type CallEvent = z.infer<typeof CallEvent>;

/** Retained: the current mode, and whether the queue is long enough to suggest peak mode. */
export const QueueMode = z.strictObject({
  mode: QueueModeName,
  suggested: z.boolean(),
  at: Timestamp,
});
export type QueueMode = z.infer<typeof QueueMode>;

export const ServiceSummary = z.strictObject({
  code: ServiceCode,
  prefix: ServicePrefix,
  name: LocalizedText,
  waitingCount: Count,
  /** Minutes a ticket taken now would wait. */
  estimatedWaitMin: Minutes,
  estimatedWaitRange: WaitRange,
});
export type ServiceSummary = z.infer<typeof ServiceSummary>;

/** Retained: the services a kiosk or dispenser offers, with their queues at a glance. */
export const ServiceList = z.strictObject({
  services: z.array(ServiceSummary),
  at: Timestamp,
});
export type ServiceList = z.infer<typeof ServiceList>;

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

/** Retained: the latest calls, newest first, so a board that starts mid-day shows them at once. */
export const RecentCalls = z.strictObject({
  calls: z.array(CallEvent).max(20),
  at: Timestamp,
});
export type RecentCalls = z.infer<typeof RecentCalls>;

/** Retained: the store's desks, for the desk console's desk picker. */
export const DeskList = z.strictObject({
  desks: z.array(z.strictObject({ id: DeskId, name: LocalizedText, services: z.array(ServiceCode) })),
  at: Timestamp,
});
export type DeskList = z.infer<typeof DeskList>;
