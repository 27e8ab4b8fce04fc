/**
 * The queue of one store: tickets per service, the desks that call them, and the peak/normal
 * mode.
 *
 * Ticket lifecycle:
 *
 *   issue ─▶ waiting ──call──▶ called ──start──▶ serving ──finish──▶ done
 *              │  ▲             │ │ ╰──────────── finish ─────────────▲
 *        cancel│  │put-back     │ ╰─ recall: stays called, recallCount + 1
 *              ▼  │             ▼
 *        cancelled╰─────────── no-show   (put back only within noShowGraceMin of the no-show)
 *
 *   transfer: waiting | called | serving ─▶ waiting in another service, same number and issuedAt.
 *
 * Each method is one transition. It validates against the stored state and then writes the
 * ticket and its event in one store transaction: a refused request throws a QueueError and
 * changes nothing, and engines sharing a store never hand out a number or a ticket twice.
 * The engine holds no queue state of its own, so a restarted one carries on where it stopped.
 *
 * Choices:
 * - callNext leaves a desk's previous ticket as it is. Only the advisor knows whether that
 *   customer is still at the desk; finishing it automatically would falsify service times.
 *   A desk may therefore hold several called or serving tickets.
 * - Desk actions on a called or serving ticket must come from the desk it was called to.
 * - Queues and desks show the current business day only; tickets left over from an earlier day
 *   stay as they were and are still reachable by id.
 * - A recall keeps calledAt (the first call) and counts the recall; a put-back or transfer clears
 *   the call (desk, calledAt) but keeps recallCount and noShowAt as history.
 * - Asking for the mode already set is refused ('wrong-state'): every event is a real change.
 * - Ordering beyond the policy: see policy.ts. peopleAhead counts the waiting tickets of the same
 *   service the policy would call first at this moment.
 * - The wait estimator learns from the stored event log, in order, reading it only outside any
 *   transaction: a command run inside a caller's transaction (a savepoint) may still be rolled
 *   back, and must teach nothing. It reads on after each transition and before each estimate,
 *   so events of other engines on the same store count too. It is asked with the ticket's
 *   situation (situation.ts): who is really ahead across the services its desks share.
 */
import { randomUUID } from 'node:crypto';
import type { LocalizedText, QueueCommand, QueueModeName, ServiceSummary, TicketPriority, WaitChange } from '../../protocol/index.js';
import { waitChangeDirection } from '../../protocol/wait-change.js';
import { businessDay } from './business-day.js';
import { QueueError } from './errors.js';
import { SimpleEstimator, type WaitEstimate, type WaitEstimator } from './estimator.js';
import type { ModeChangedEvent, QueueEvent, TicketEvent, TicketEventType } from './events.js';
import { DEFAULT_CALL_POLICY, pickNext, type CallPolicyOptions } from './policy.js';
import { QueueReading, rangeOf, type QueueView, type WaitRange } from './queue-reading.js';
import {
  DEFAULT_DESKS,
  DEFAULT_SERVICES,
  QueueLayout,
  deskName,
  type DeskConfig,
  type ServiceConfig,
} from './services.js';
import { situationOf } from './situation.js';
import type { ModeState, QueueStore } from './store.js';
import { ticketNumber, type NumberDigits, type Ticket, type TicketState } from './ticket.js';

export interface QueueEngineOptions {
  store: QueueStore;
  clock: () => Date;
  /** The store's IANA time zone, e.g. Asia/Shanghai. */
  timeZone: string;
  services?: readonly ServiceConfig[];
  desks?: readonly DeskConfig[];
  /** Local hour a business day starts; tickets taken earlier belong to the previous day. */
  dayStartHour?: number;
  /** Digits of ticket numbers (A001 or A0001); a day past them goes on with one more. */
  numberDigits?: NumberDigits;
  estimator?: WaitEstimator;
  policy?: CallPolicyOptions;
  /** Minutes after a no-show during which the ticket may be put back in the queue. */
  noShowGraceMin?: number;
  /** Total waiting tickets from which peak mode is suggested. */
  peakThreshold?: number;
}

export interface IssueRequest {
  service: string;
  priority?: TicketPriority;
  memberRef?: string;
}

export interface TicketStatus {
  ticket: Ticket;
  /** 0 once the ticket no longer waits. */
  peopleAhead: number;
  /** Rounded to whole minutes, as screens and tickets show it. */
  estimatedWaitMin: number;
  estimatedWaitRange: WaitRange;
  /** The estimator's answer unrounded; zero once the ticket no longer waits. */
  estimate: WaitEstimate;
  /** Set while the ticket waits and its estimate moved a lot since it was taken. */
  waitChange: WaitChange | null;
}

export interface DeskState {
  desk: string;
  name: LocalizedText;
  services: string[];
  /** Tickets called to or being served at the desk, oldest first. */
  current: Ticket[];
}

const WAITING: readonly TicketState[] = ['waiting'];
const AT_DESK: readonly TicketState[] = ['called', 'serving'];
const QUEUED: readonly TicketState[] = ['waiting', 'called', 'serving'];
const CALLED_ONCE: readonly TicketState[] = ['called', 'serving', 'done', 'no-show'];

export class QueueEngine {
  private readonly store: QueueStore;
  private readonly clock: () => Date;
  private readonly timeZone: string;
  private readonly dayStartHour: number;
  private readonly numberDigits: NumberDigits;
  private readonly services: ReadonlyMap<string, ServiceConfig>;
  private readonly desks: ReadonlyMap<string, DeskConfig>;
  private readonly estimator: WaitEstimator;
  private readonly policy: CallPolicyOptions;
  private readonly noShowGraceMin: number;
  private readonly peakThreshold: number;
  /** The last stored event when the engine started: the end of its history. */
  private readonly startSeq: number;
  /** The last stored event the estimator has seen. */
  private learntSeq: number;

  constructor(opts: QueueEngineOptions) {
    const layout = QueueLayout.parse({
      services: opts.services ?? DEFAULT_SERVICES,
      desks: opts.desks ?? DEFAULT_DESKS,
    });
    this.store = opts.store;
    this.clock = opts.clock;
    this.timeZone = opts.timeZone;
    this.dayStartHour = opts.dayStartHour ?? 4;
    this.numberDigits = opts.numberDigits ?? 3;
    this.services = new Map(layout.services.map((s) => [s.code, s]));
    this.desks = new Map(layout.desks.map((d) => [d.id, d]));
    this.estimator = opts.estimator ?? new SimpleEstimator();
    this.policy = opts.policy ?? DEFAULT_CALL_POLICY;
    this.noShowGraceMin = opts.noShowGraceMin ?? 30;
    this.peakThreshold = opts.peakThreshold ?? 15;
    // Fail at start-up, not at the first ticket, on a bad time zone or day start hour.
    this.currentBusinessDay();
    // Earlier events are history: see learnFromHistory.
    this.startSeq = this.store.lastEventSeq();
    this.learntSeq = this.startSeq;
  }

  currentBusinessDay(): string {
    return this.dayOf(this.clock());
  }

  issue({ service, priority = 'regular', memberRef }: IssueRequest): TicketEvent {
    return this.transition((now, day) => {
      const config = this.service(service);
      const issuedAt = now.toISOString();
      // What the kiosk and the printed ticket show; the issue itself may still teach the estimator a little.
      const waiting = this.store.ticketsOfDay(day, WAITING);
      const first = this.estimator.estimate(situationOf({ service, priority, issuedAt }, waiting, [...this.desks.values()], now, this.policy));
      const firstRange = rangeOf(first);
      const ticket: Ticket = {
        id: randomUUID(),
        number: ticketNumber(config, this.store.nextNumber(day, service), this.numberDigits),
        service,
        originalService: service,
        priority,
        state: 'waiting',
        issuedAt,
        calledAt: null,
        desk: null,
        recallCount: 0,
        noShowAt: null,
        memberRef: memberRef ?? null,
        businessDay: day,
        firstWaitMin: Math.round(first.minutes),
        firstWaitLow: firstRange.low,
        firstWaitHigh: firstRange.high,
      };
      this.store.insertTicket(ticket);
      // The same estimate goes into the event, so the statistics score what the customer was told.
      return { ...this.event('ticket.issued', now, ticket, null), estimate: first };
    });
  }

  callNext(desk: string): TicketEvent {
    return this.transition((now, day) => {
      const config = this.desk(desk);
      const next = pickNext(this.store.ticketsOfDay(day, WAITING), config.services, now, this.policy);
      if (!next) throw new QueueError('queue-empty', `no ticket is waiting for desk ${desk}`);
      return this.call(next, desk, now);
    });
  }

  callSpecific(desk: string, ticketId: string): TicketEvent {
    return this.transition((now) => {
      const config = this.desk(desk);
      const ticket = this.ticketIn(ticketId, WAITING, 'called');
      if (!config.services.includes(ticket.service)) {
        throw new QueueError('desk-does-not-serve', `desk ${desk} does not serve ${ticket.service} (ticket ${ticket.number})`);
      }
      return this.call(ticket, desk, now);
    });
  }

  recall(desk: string, ticketId: string): TicketEvent {
    return this.transition((now) => {
      const ticket = this.ticketAtDesk(desk, ticketId, ['called'], 'recalled');
      return this.save('ticket.recalled', now, { ...ticket, recallCount: ticket.recallCount + 1 }, desk);
    });
  }

  startServing(desk: string, ticketId: string): TicketEvent {
    return this.transition((now) => {
      const ticket = this.ticketAtDesk(desk, ticketId, ['called'], 'served');
      return this.save('ticket.serving', now, { ...ticket, state: 'serving' }, desk);
    });
  }

  finish(desk: string, ticketId: string): TicketEvent {
    return this.transition((now) => {
      const ticket = this.ticketAtDesk(desk, ticketId, AT_DESK, 'finished');
      return this.save('ticket.done', now, { ...ticket, state: 'done' }, desk);
    });
  }

  markNoShow(desk: string, ticketId: string): TicketEvent {
    return this.transition((now) => {
      const ticket = this.ticketAtDesk(desk, ticketId, ['called'], 'marked no-show');
      return this.save('ticket.no-show', now, { ...ticket, state: 'no-show', noShowAt: now.toISOString() }, desk);
    });
  }

  putBack(ticketId: string): TicketEvent {
    return this.transition((now) => {
      const ticket = this.ticketIn(ticketId, ['no-show'], 'put back');
      const sinceMin = (now.getTime() - Date.parse(ticket.noShowAt ?? ticket.issuedAt)) / 60_000;
      if (sinceMin > this.noShowGraceMin) {
        throw new QueueError(
          'grace-expired',
          `ticket ${ticket.number} was a no-show ${Math.floor(sinceMin)} min ago; it can be put back within ${this.noShowGraceMin} min only`,
        );
      }
      return this.save('ticket.put-back', now, { ...ticket, state: 'waiting', desk: null, calledAt: null }, null);
    });
  }

  transfer(ticketId: string, toService: string): TicketEvent {
    return this.transition((now) => {
      this.service(toService);
      const ticket = this.ticketIn(ticketId, QUEUED, 'transferred');
      if (ticket.service === toService) {
        throw new QueueError('same-service', `ticket ${ticket.number} is already in ${toService}`);
      }
      const moved: Ticket = { ...ticket, service: toService, state: 'waiting', desk: null, calledAt: null };
      return { ...this.save('ticket.transferred', now, moved, null), fromService: ticket.service };
    });
  }

  cancel(ticketId: string): TicketEvent {
    return this.transition((now) => {
      const ticket = this.ticketIn(ticketId, WAITING, 'cancelled');
      return this.save('ticket.cancelled', now, { ...ticket, state: 'cancelled' }, null);
    });
  }

  setMode(mode: QueueModeName, by: string): ModeChangedEvent {
    return this.transition((now) => {
      const previous = this.modeState().mode;
      if (previous === mode) throw new QueueError('wrong-state', `the queue is already in ${mode} mode`);
      const at = now.toISOString();
      this.store.saveMode({ mode, by, at });
      return { id: randomUUID(), type: 'mode.changed', at, mode, previous, by };
    });
  }

  /** Runs a command from the bus; `sender` (the authenticated author) goes into its event row. */
  execute(command: QueueCommand, sender: string): QueueEvent {
    switch (command.action) {
      case 'issue':
        return this.issue(command);
      case 'call-next':
        return this.callNext(command.desk);
      case 'call':
        return this.callSpecific(command.desk, command.ticketId);
      case 'recall':
        return this.recall(command.desk, command.ticketId);
      case 'start':
        return this.startServing(command.desk, command.ticketId);
      case 'finish':
        return this.finish(command.desk, command.ticketId);
      case 'no-show':
        return this.markNoShow(command.desk, command.ticketId);
      case 'put-back':
        return this.putBack(command.ticketId);
      case 'transfer':
        return this.transfer(command.ticketId, command.service);
      case 'cancel':
        return this.cancel(command.ticketId);
      case 'set-mode':
        return this.setMode(command.mode, sender);
    }
  }

  mode(): QueueModeName {
    return this.modeState().mode;
  }

  modeState(): ModeState {
    return this.store.mode() ?? { mode: 'normal', by: null, at: null };
  }

  /** True when the queue has grown to the peak threshold while staff still hand out tickets. */
  peakSuggested(): boolean {
    return this.reading().peakSuggested;
  }

  snapshot(service: string): QueueView {
    return this.reading().snapshot(service);
  }

  /** Every service with its waiting count and the wait of a ticket taken now. */
  serviceList(): ServiceSummary[] {
    return this.reading().serviceList();
  }

  /**
   * Snapshots, service list, mode and peak suggestion from one read of the day's queue, as of
   * now: what an announce or a desk's view needs at once. Every call reads the store again.
   */
  reading(): QueueReading {
    this.learn();
    const now = this.clock();
    return new QueueReading({
      now,
      queued: this.store.ticketsOfDay(this.dayOf(now), QUEUED),
      mode: this.mode(),
      services: this.services,
      desks: [...this.desks.values()],
      estimator: this.estimator,
      policy: this.policy,
      peakThreshold: this.peakThreshold,
    });
  }

  ticketStatus(ticketId: string): TicketStatus {
    this.learn();
    const now = this.clock();
    const ticket = this.ticket(ticketId);
    if (ticket.state !== 'waiting') {
      return { ticket, peopleAhead: 0, estimatedWaitMin: 0, estimatedWaitRange: { low: 0, high: 0 }, estimate: { minutes: 0, low: 0, high: 0 }, waitChange: null };
    }
    const situation = situationOf(ticket, this.store.ticketsOfDay(ticket.businessDay, WAITING), [...this.desks.values()], now, this.policy);
    const estimate = this.estimator.estimate(situation);
    const estimatedWaitMin = Math.round(estimate.minutes);
    return {
      ticket,
      peopleAhead: situation.peopleAhead,
      estimatedWaitMin,
      estimatedWaitRange: rangeOf(estimate),
      estimate,
      waitChange: waitChangeOf(ticket, now, estimatedWaitMin),
    };
  }

  /** Every desk with the name screens show and the services it calls. */
  deskList(): { id: string; name: LocalizedText; services: string[] }[] {
    return [...this.desks.values()].map((d) => ({ id: d.id, name: deskName(d), services: [...d.services] }));
  }

  /** Today's tickets that were called, latest call first: what a board shows after a restart. */
  recentCalls(limit: number): Ticket[] {
    return this.store
      .ticketsOfDay(this.currentBusinessDay(), CALLED_ONCE)
      .filter((t) => t.calledAt !== null && t.desk !== null)
      .sort((a, b) => Date.parse(b.calledAt ?? '') - Date.parse(a.calledAt ?? ''))
      .slice(0, limit);
  }

  /** No-shows of the desk's services that can still be put back, most recent first. */
  noShowsWithinGrace(desk: string): Ticket[] {
    const config = this.desk(desk);
    const now = this.clock().getTime();
    return this.store
      .ticketsOfDay(this.currentBusinessDay(), ['no-show'])
      .filter((t) => config.services.includes(t.service) && now - Date.parse(t.noShowAt ?? '') <= this.noShowGraceMin * 60_000)
      .sort((a, b) => Date.parse(b.noShowAt ?? '') - Date.parse(a.noShowAt ?? ''));
  }

  deskState(desk: string): DeskState {
    const config = this.desk(desk);
    const current = this.store.ticketsOfDay(this.currentBusinessDay(), AT_DESK).filter((t) => t.desk === desk);
    return { desk, name: deskName(config), services: [...config.services], current };
  }

  /**
   * Feeds the estimator the stored events since `since`, oldest first: after a restart it knows
   * what it had learnt from them. Call once, before anything else.
   */
  learnFromHistory(since: Date): number {
    if (this.learntSeq !== this.startSeq) throw new Error('the estimator has learnt newer events already');
    const events = this.store.eventsSince(since.toISOString()).filter(({ seq }) => seq <= this.startSeq);
    for (const { event } of events) this.estimator.observe?.(event);
    return events.length;
  }

  /** One transition: `apply` validates and writes; its event is stored in the same transaction. */
  private transition<E extends QueueEvent>(apply: (now: Date, day: string) => E): E {
    const now = this.clock();
    const event = this.store.transaction(() => {
      const event = apply(now, this.dayOf(now));
      this.store.appendEvent(event);
      return event;
    });
    this.learn();
    return event;
  }

  /** Feeds the estimator the events committed since it last read, unless a transaction is still open. */
  private learn(): void {
    if (!this.estimator.observe || this.store.inTransaction()) return;
    for (const { seq, event } of this.store.eventsAfter(this.learntSeq)) {
      this.estimator.observe(event);
      this.learntSeq = seq;
    }
  }

  private call(ticket: Ticket, desk: string, now: Date): TicketEvent {
    return this.save('ticket.called', now, { ...ticket, state: 'called', desk, calledAt: now.toISOString() }, desk);
  }

  private save(type: TicketEventType, now: Date, ticket: Ticket, desk: string | null): TicketEvent {
    this.store.updateTicket(ticket);
    return this.event(type, now, ticket, desk);
  }

  private event(type: TicketEventType, now: Date, ticket: Ticket, desk: string | null): TicketEvent {
    return { id: randomUUID(), type, at: now.toISOString(), ticket, desk };
  }

  private dayOf(now: Date): string {
    return businessDay(now, this.timeZone, this.dayStartHour);
  }

  private service(code: string): ServiceConfig {
    const service = this.services.get(code);
    if (!service) throw new QueueError('unknown-service', `unknown service ${code}`);
    return service;
  }

  private desk(id: string): DeskConfig {
    const desk = this.desks.get(id);
    if (!desk) throw new QueueError('unknown-desk', `unknown desk ${id}`);
    return desk;
  }

  private ticket(ticketId: string): Ticket {
    const ticket = this.store.ticket(ticketId);
    if (!ticket) throw new QueueError('ticket-not-found', `no ticket ${ticketId}`);
    return ticket;
  }

  /** The ticket, which must be in one of `states` to be `verb`. */
  private ticketIn(ticketId: string, states: readonly TicketState[], verb: string): Ticket {
    const ticket = this.ticket(ticketId);
    if (!states.includes(ticket.state)) {
      throw new QueueError('wrong-state', `ticket ${ticket.number} is ${ticket.state}; only a ${states.join(' or ')} ticket can be ${verb}`);
    }
    return ticket;
  }

  /** A ticket in one of `states` that was called to `desk`. */
  private ticketAtDesk(desk: string, ticketId: string, states: readonly TicketState[], verb: string): Ticket {
    this.desk(desk);
    const ticket = this.ticketIn(ticketId, states, verb);
    if (ticket.desk !== desk) {
      throw new QueueError('wrong-desk', `ticket ${ticket.number} was called to desk ${ticket.desk ?? '-'}, not desk ${desk}`);
    }
    return ticket;
  }
}

/**
 * The ticket's move since it was taken. Not for a ticket put back after a no-show: it was called
 * once already, and its first estimate no longer says anything.
 */
function waitChangeOf(ticket: Ticket, now: Date, minutes: number): WaitChange | null {
  const { firstWaitMin, firstWaitLow, firstWaitHigh } = ticket;
  if (firstWaitMin === null || firstWaitLow === null || firstWaitHigh === null || ticket.noShowAt !== null) return null;
  const direction = waitChangeDirection({ at: new Date(ticket.issuedAt), minutes: firstWaitMin }, { now, minutes });
  return direction ? { direction, first: { estimatedWaitMin: firstWaitMin, estimatedWaitRange: { low: firstWaitLow, high: firstWaitHigh } } } : null;
}
