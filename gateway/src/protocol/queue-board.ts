import * as z from 'zod/mini';
import { LocalizedText } from './i18n.js';
import { WaitRange } from './wait-range.js';
import { ID_PATTERN } from './topics.js';

// What the lounge board reads of the queue: the calls, the services' queues and the mode, and the
// names they use. zod/mini, as everything a screen on weak hardware parses (i18n.ts): the board
// then carries no classic zod, and of zod/mini only the checks these schemas use. Strict: an
// object carrying more than the schema says (a ticket id, a member) fails instead of leaking.

const Timestamp = z.iso.datetime({ offset: true });
const Count = z.int().check(z.nonnegative());
const Minutes = z.int().check(z.nonnegative());

export const ServiceCode = z.string().check(z.regex(ID_PATTERN, 'lower-case letters, digits and dashes, max 32'));
export type ServiceCode = z.infer<typeof ServiceCode>;

/** First letter of a service's ticket numbers. */
export const ServicePrefix = z.string().check(z.regex(/^[A-Z]$/, 'one capital letter A-Z'));
export type ServicePrefix = z.infer<typeof ServicePrefix>;

export const DeskId = z.string().check(z.regex(ID_PATTERN, 'lower-case letters, digits and dashes, max 32'));
export type DeskId = z.infer<typeof DeskId>;

/**
 * Service prefix and the number of the business day, three or four digits as the store sets it
 * (A001, A0001), and more once a busy day runs past them (A999 → A1000).
 */
export const TicketNumber = z.string().check(z.regex(/^[A-Z]\d{3,}$/, 'a letter and at least three digits, e.g. A001'));
export type TicketNumber = z.infer<typeof TicketNumber>;

/** Peak: customers take their own tickets at the dispensers; normal: staff hand them out. */
export const QUEUE_MODES = ['normal', 'peak'] as const;
export const QueueModeName = z.enum(QUEUE_MODES);
export type QueueModeName = z.infer<typeof QueueModeName>;

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

/** Retained: the latest calls, newest first, so a board that starts mid-day shows them at once. */
export const RecentCalls = z.strictObject({
  calls: z.array(CallEvent).check(z.maxLength(20)),
  at: Timestamp,
});
export type RecentCalls = z.infer<typeof RecentCalls>;

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
