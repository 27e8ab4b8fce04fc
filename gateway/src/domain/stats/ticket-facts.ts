import type { QueueModeName, TicketPriority } from '../../protocol/index.js';
import { localHour } from '../queue/business-day.js';
import type { WaitEstimate } from '../queue/estimator.js';
import type { QueueEvent } from '../queue/events.js';

/** How a ticket's day ended: served, gone when called, cancelled while waiting, or still open. */
export type TicketOutcome = 'served' | 'no-show' | 'walk-away' | 'unfinished';

/** One ticket's figures for the statistics, folded from its events. */
export interface TicketFact {
  ticketId: string;
  businessDay: string;
  /** Hour of issue on the store's clocks. */
  hour: number;
  /** The service it ended in (after any transfers). */
  service: string;
  /** The desk of its last call; null if never called. */
  desk: string | null;
  priority: TicketPriority;
  outcome: TicketOutcome;
  /** Issue to first call; null if never called. */
  waitS: number | null;
  /** Start of service (or the call, without a start) to done; only for served tickets. */
  serviceS: number | null;
  transfers: number;
  /** Issued while the store ran in peak mode. */
  peak: boolean;
  /** What the customer was told at issue; null for tickets issued before estimates were kept. */
  estimate: WaitEstimate | null;
}

interface Open {
  fact: TicketFact;
  issuedMs: number;
  servingMs: number | null;
  calledMs: number | null;
}

const seconds = (fromMs: number, at: string) => Math.max(0, (Date.parse(at) - fromMs) / 1000);

/**
 * Folds one business day's queue events, in commit order, into the facts of its tickets (others
 * are skipped). It can be fed as the day goes: the live day is folded once, then event by event.
 * A no-show is final unless it is put back; what is still open is `unfinished`.
 */
export class TicketFold {
  private readonly open = new Map<string, Open>();
  private mode: QueueModeName;

  constructor(
    readonly businessDay: string,
    private readonly timeZone: string,
    /** The queue mode when the day began. */
    initialMode: QueueModeName,
  ) {
    this.mode = initialMode;
  }

  add(event: QueueEvent): void {
    if (event.type === 'mode.changed') {
      this.mode = event.mode;
      return;
    }
    const { ticket } = event;
    if (ticket.businessDay !== this.businessDay) return;
    if (event.type === 'ticket.issued') {
      const issuedMs = Date.parse(ticket.issuedAt);
      this.open.set(ticket.id, {
        issuedMs,
        servingMs: null,
        calledMs: null,
        fact: {
          ticketId: ticket.id,
          businessDay: this.businessDay,
          hour: localHour(new Date(issuedMs), this.timeZone),
          service: ticket.service,
          desk: null,
          priority: ticket.priority,
          outcome: 'unfinished',
          waitS: null,
          serviceS: null,
          transfers: 0,
          peak: this.mode === 'peak',
          estimate: event.estimate ?? null,
        },
      });
      return;
    }
    const entry = this.open.get(ticket.id);
    if (!entry) return; // issued before the events kept (purged): nothing to count it from
    const { fact } = entry;
    fact.service = ticket.service;
    if (event.desk) fact.desk = event.desk;
    switch (event.type) {
      case 'ticket.called':
        entry.calledMs = Date.parse(event.at);
        entry.servingMs = null;
        fact.waitS ??= seconds(entry.issuedMs, event.at);
        break;
      case 'ticket.serving':
        entry.servingMs = Date.parse(event.at);
        break;
      case 'ticket.done':
        fact.outcome = 'served';
        fact.serviceS = seconds(entry.servingMs ?? entry.calledMs ?? Date.parse(event.at), event.at);
        break;
      case 'ticket.no-show':
        fact.outcome = 'no-show';
        break;
      case 'ticket.put-back':
        fact.outcome = 'unfinished';
        break;
      case 'ticket.transferred':
        fact.transfers += 1;
        break;
      case 'ticket.cancelled':
        fact.outcome = 'walk-away';
        break;
      case 'ticket.recalled':
        break;
    }
  }

  facts(): TicketFact[] {
    return [...this.open.values()].map((entry) => ({ ...entry.fact }));
  }
}

/** The facts of the tickets issued on `businessDay`, from that day's queue events in commit order. */
export function ticketFacts(events: Iterable<QueueEvent>, businessDay: string, timeZone: string, initialMode: QueueModeName): TicketFact[] {
  const fold = new TicketFold(businessDay, timeZone, initialMode);
  for (const event of events) fold.add(event);
  return fold.facts();
}
