/**
 * The day's queue as one read of the store found it, at one moment: the desks' view of each
 * service, the service list, the mode and the peak suggestion. An announce after a change needs
 * all of them; reading the day's tickets once for each made that read the gateway's hottest
 * function under load. The engine makes a new one for every use and nobody keeps it: a later
 * change, or a transaction rolled back, would leave it stale.
 */
import type { QueueModeName, QueueSnapshot, ServiceSummary, WaitingTicket } from '../../protocol/index.js';
import { QueueError } from './errors.js';
import type { WaitEstimate, WaitEstimator } from './estimator.js';
import { callOrder, type CallPolicyOptions } from './policy.js';
import type { DeskConfig, ServiceConfig } from './services.js';
import { situationOf, type NewTicket } from './situation.js';
import type { Ticket } from './ticket.js';

/** A service's queue as desks see it: the public snapshot plus ticket ids to act on. */
export type QueueView = Omit<QueueSnapshot, 'waiting' | 'at'> & {
  waiting: (WaitingTicket & { ticketId: string; issuedAt: string })[];
  estimatedWaitRange: WaitRange;
};

/** Whole minutes around an estimate: what screens show as "about 10-15 minutes". */
export interface WaitRange {
  low: number;
  high: number;
}

export interface QueueReadingInput {
  now: Date;
  /** The day's waiting, called and serving tickets, oldest first. */
  queued: readonly Ticket[];
  mode: QueueModeName;
  services: ReadonlyMap<string, ServiceConfig>;
  desks: readonly DeskConfig[];
  estimator: WaitEstimator;
  policy: CallPolicyOptions;
  /** Total waiting tickets from which peak mode is suggested. */
  peakThreshold: number;
}

export class QueueReading {
  readonly now: Date;
  readonly mode: QueueModeName;
  /** True when the queue has grown to the peak threshold while staff still hand out tickets. */
  readonly peakSuggested: boolean;
  private readonly input: QueueReadingInput;
  private readonly waiting: readonly Ticket[];
  /** The wait of a ticket taken now, by service: a snapshot and the service list show the same one. */
  private readonly estimates = new Map<string, WaitEstimate>();

  constructor(input: QueueReadingInput) {
    this.input = input;
    this.now = input.now;
    this.mode = input.mode;
    this.waiting = input.queued.filter((t) => t.state === 'waiting');
    this.peakSuggested = this.waiting.length >= input.peakThreshold && input.mode === 'normal';
  }

  snapshot(service: string): QueueView {
    if (!this.input.services.has(service)) throw new QueueError('unknown-service', `unknown service ${service}`);
    const now = this.now;
    const tickets = this.input.queued.filter((t) => t.service === service);
    const waiting = tickets.filter((t) => t.state === 'waiting').sort(callOrder(now, this.input.policy));
    const estimate = this.estimateNew(service);
    return {
      service,
      waiting: waiting.map((t) => ({
        ticketId: t.id,
        number: t.number,
        priority: t.priority,
        issuedAt: t.issuedAt,
        waitedMin: Math.max(0, Math.floor((now.getTime() - Date.parse(t.issuedAt)) / 60_000)),
      })),
      waitingCount: waiting.length,
      servingNow: tickets.flatMap((t) => (t.state !== 'waiting' && t.desk ? [{ number: t.number, desk: t.desk }] : [])),
      estimatedWaitMin: Math.round(estimate.minutes),
      estimatedWaitRange: rangeOf(estimate),
    };
  }

  /** Every service with its waiting count and the wait of a ticket taken now. */
  serviceList(): ServiceSummary[] {
    const counts = new Map<string, number>();
    for (const t of this.waiting) counts.set(t.service, (counts.get(t.service) ?? 0) + 1);
    return [...this.input.services.values()].map(({ code, prefix, name }) => {
      const estimate = this.estimateNew(code);
      return { code, prefix, name, waitingCount: counts.get(code) ?? 0, estimatedWaitMin: Math.round(estimate.minutes), estimatedWaitRange: rangeOf(estimate) };
    });
  }

  /** The wait of a regular ticket of `service` taken now. */
  private estimateNew(service: string): WaitEstimate {
    let estimate = this.estimates.get(service);
    if (!estimate) {
      const { desks, policy, estimator } = this.input;
      const ticket: NewTicket = { service, priority: 'regular', issuedAt: this.now.toISOString() };
      estimate = estimator.estimate(situationOf(ticket, this.waiting, desks, this.now, policy));
      this.estimates.set(service, estimate);
    }
    return estimate;
  }
}

/** Whole minutes that contain the interval. */
export function rangeOf(estimate: WaitEstimate): WaitRange {
  return { low: Math.floor(estimate.low), high: Math.ceil(estimate.high) };
}
