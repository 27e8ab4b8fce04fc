/**
 * A ticket's place in the queue at one moment, as the wait estimator sees it: who the call
 * policy will really call first at the desks of its service, and which desks those are.
 *
 * Desks may serve several services, so tickets of other services compete too. A waiting ticket
 * of a service that shares only some of its desks with ours counts for that share
 * (shared desks / its desks): claims served at desks 1, 2 and 4 weigh 2/3 in a maintenance queue
 * served at desks 1 and 2, as if desks took turns evenly.
 *
 * The engine builds it from its store, a learning estimator from the events it has seen; both
 * through `situationOf`, so both see the same queue.
 */
import type { TicketPriority } from '../../protocol/index.js';
import { callOrder, callRank, type CallPolicyOptions } from './policy.js';
import type { DeskConfig } from './services.js';
import type { Ticket } from './ticket.js';

export interface AheadTicket {
  service: string;
  priority: TicketPriority;
  /** How much of this ticket falls to the desks of the estimated service, 0 < share ≤ 1. */
  share: number;
}

export interface QueueSituation {
  now: Date;
  /** The ticket's id; null for one about to be taken. */
  ticketId: string | null;
  service: string;
  priority: TicketPriority;
  /** When the ticket was issued; `now` for a ticket a customer is about to take. */
  issuedAt: Date;
  /** Waiting tickets the call policy puts first at the desks of this service, in call order. */
  ahead: AheadTicket[];
  /** Those of the same service: the "people ahead" a ticket shows. */
  peopleAhead: number;
  /** The desks that serve the service, by configuration. */
  desks: DeskConfig[];
}

/** A ticket a customer is about to take: no id or number yet. */
export type NewTicket = Pick<Ticket, 'service' | 'priority' | 'issuedAt'>;

export function situationOf(
  target: Ticket | NewTicket,
  waiting: readonly Ticket[],
  desks: readonly DeskConfig[],
  now: Date,
  policy: CallPolicyOptions,
): QueueSituation {
  const pool = desks.filter((d) => d.services.includes(target.service));
  const shares = new Map<string, number>();
  const shareOf = (service: string): number => {
    let share = shares.get(service);
    if (share === undefined) shares.set(service, (share = deskShare(desks, service, target.service)));
    return share;
  };
  const isAhead = aheadTest(target, now, policy);
  const ahead = waiting
    .filter((t) => !('id' in target && t.id === target.id) && shareOf(t.service) > 0 && isAhead(t))
    .sort(callOrder(now, policy));
  return {
    now,
    ticketId: 'id' in target ? target.id : null,
    service: target.service,
    priority: target.priority,
    issuedAt: new Date(target.issuedAt),
    ahead: ahead.map((t) => ({ service: t.service, priority: t.priority, share: shareOf(t.service) })),
    peopleAhead: ahead.filter((t) => t.service === target.service).length,
    desks: pool,
  };
}

/** The share of `service`'s tickets the desks of `pool` call: desks serving both / desks serving `service`. */
export function deskShare(desks: readonly DeskConfig[], service: string, pool: string): number {
  const serving = desks.filter((d) => d.services.includes(service));
  return serving.length === 0 ? 0 : serving.filter((d) => d.services.includes(pool)).length / serving.length;
}

/** Whether the policy calls a waiting ticket before the target at `now`. */
function aheadTest(target: Ticket | NewTicket, now: Date, policy: CallPolicyOptions): (t: Ticket) => boolean {
  if ('id' in target) {
    const order = callOrder(now, policy);
    return (t) => order(t, target) < 0;
  }
  // A ticket taken now comes after every waiting ticket of its class and above.
  const rank = callRank(target, now, policy);
  return (t) => callRank(t, now, policy) <= rank;
}
