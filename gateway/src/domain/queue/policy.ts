/**
 * Call policy: which waiting ticket a desk calls next.
 *
 * 1. Only tickets of the services the desk serves are candidates.
 * 2. The higher priority class goes first: appointment, then vip, then regular.
 * 3. Within a class, the longest waiting ticket (earliest issuedAt) goes first.
 *
 * Anti-starvation: a ticket that has waited longer than `maxWaitBeforePromotionMin` counts as
 * the highest class, so a steady stream of appointments and VIPs cannot hold a regular customer
 * back without end. Promoted tickets and appointments then go by issuedAt. Waiting counts from
 * issuedAt, which a transfer and a put-back keep.
 */
import type { TicketPriority } from '../../protocol/index.js';
import type { Ticket } from './ticket.js';

export interface CallPolicyOptions {
  /** Minutes after which a waiting ticket is treated as the highest priority class. */
  maxWaitBeforePromotionMin: number;
}

/** Default policy: a ticket that has waited more than 20 minutes is called like an appointment. */
export const DEFAULT_CALL_POLICY: Readonly<CallPolicyOptions> = { maxWaitBeforePromotionMin: 20 };

const RANK: Record<TicketPriority, number> = { appointment: 0, vip: 1, regular: 2 };

/** Rank of a priority class before any promotion: 0 is called first. */
export function classRank(priority: TicketPriority): number {
  return RANK[priority];
}

/** Rank of a ticket at `now` under the policy: 0 is called first. */
export function callRank(ticket: Pick<Ticket, 'priority' | 'issuedAt'>, now: Date, opts: CallPolicyOptions = DEFAULT_CALL_POLICY): number {
  const waitedMs = now.getTime() - Date.parse(ticket.issuedAt);
  return waitedMs > opts.maxWaitBeforePromotionMin * 60_000 ? 0 : RANK[ticket.priority];
}

/** Comparator putting tickets in the order the policy would call them at `now`. */
export function callOrder(now: Date, opts: CallPolicyOptions = DEFAULT_CALL_POLICY): (a: Ticket, b: Ticket) => number {
  return (a, b) =>
    callRank(a, now, opts) - callRank(b, now, opts) ||
    Date.parse(a.issuedAt) - Date.parse(b.issuedAt) ||
    // Same instant (a burst at the dispenser): lower number first, then any stable order.
    a.number.localeCompare(b.number) ||
    a.id.localeCompare(b.id);
}

/** The waiting ticket a desk serving `deskServices` calls next at `now`, if any. */
export function pickNext(
  waiting: readonly Ticket[],
  deskServices: readonly string[],
  now: Date,
  opts: CallPolicyOptions = DEFAULT_CALL_POLICY,
): Ticket | undefined {
  const order = callOrder(now, opts);
  let best: Ticket | undefined;
  for (const ticket of waiting) {
    if (deskServices.includes(ticket.service) && (!best || order(ticket, best) < 0)) best = ticket;
  }
  return best;
}
