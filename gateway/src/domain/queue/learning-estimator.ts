/**
 * Waiting times learnt from the store's own queue. It follows the engine's events (a projection
 * of them: replaying the same events gives the same estimates) and answers for a ticket from its
 * situation (situation.ts).
 *
 * The model is a queue-length predictor (Whitt's QL family) fed with what the store has learnt:
 *
 *   people = Σ over the tickets ahead of share × (1 − walk-away share of their service)
 *   free   = open desks that hold no ticket and that nobody else waits for: they call at once
 *   slots  = max(0, people + 1 − free)                               desk turns to wait
 *   rate   = Σ over open desks of 1 / their cycle for the services ahead    turns per ms
 *   wait   = slots / rate, plus the higher-class tickets that will arrive meanwhile and be called
 *            first until anti-starvation promotes ours: with λ of them per ms and w left before the
 *            promotion, slots / (rate − λ) when that is under w, else (slots + λ·w) / rate.
 *
 * - A desk's cycle for a service is its time per customer while it had customers (desk-activity.ts),
 *   shrunk towards that service's cycle at all desks, itself shrunk towards the configured minutes:
 *   a new store starts from its configuration, and a desk seen a few times is mostly the average.
 *   Cycles include what an advisor does between customers, which service times alone miss.
 * - Open desks are inferred from what they do (desk-activity.ts); before any desk of the service
 *   has acted today, every desk configured for it counts, so the morning starts from the plan.
 * - Walk-aways: the share of a service's tickets that were cancelled rather than called. A no-show
 *   is called, and costs its desk the short cycle it really took, so it is counted there.
 * - λ: higher-class tickets issued for these desks in the last half hour.
 * - Time of day enters through all of these, which follow the last hour or so rather than a table.
 *
 * The model's wait is then calibrated against the waits of the last customers called, per service
 * and priority class once they have enough (wait-calibration.ts), which gives the estimate (a
 * median) and its 80 % interval.
 */
import type { TicketPriority } from '../../protocol/index.js';
import { DeskActivity, type CycleSample } from './desk-activity.js';
import { DEFAULT_FALLBACK_MINUTES, DEFAULT_SERVICE_MINUTES, type WaitEstimate, type WaitEstimator } from './estimator.js';
import type { QueueEvent } from './events.js';
import { DEFAULT_CALL_POLICY, callRank, classRank, type CallPolicyOptions } from './policy.js';
import { RunningMean, blend } from './running-mean.js';
import type { DeskConfig } from './services.js';
import { deskShare, situationOf, type QueueSituation } from './situation.js';
import type { Ticket } from './ticket.js';
import { WaitCalibration, type ModelWait } from './wait-calibration.js';

/** A learnt figure weighs about the last fifty samples: an hour or two of a busy desk. */
const MEMORY = 50;
/** The broader figure a young one is shrunk towards counts as this many samples. */
const PRIOR_WEIGHT = 3;
/** The calibration keeps the last 200 customers per band and trusts a band from 20 on. */
const CALIBRATION = { window: 200, minSamples: 20 };
/** Arrivals that may overtake a ticket are counted over the last half hour. */
const ARRIVAL_WINDOW_MS = 30 * 60_000;
/** A desk idle this many of its cycles while customers wait counts as closed. */
const CLOSE_AFTER_CYCLES = 2;

export interface LearningEstimatorOptions {
  /** The store's desks and the services each calls. */
  desks: readonly DeskConfig[];
  policy?: CallPolicyOptions;
  /** Minutes per customer at a desk, by service, before the store's own figures: the cold start. */
  serviceMinutes?: Readonly<Record<string, number>>;
  /** For a service without its own figure. */
  fallbackMinutes?: number;
}

interface Arrival {
  at: number;
  service: string;
  priority: TicketPriority;
}

export class LearningEstimator implements WaitEstimator {
  private readonly desks: readonly DeskConfig[];
  private readonly policy: CallPolicyOptions;
  private readonly serviceMinutes: Readonly<Record<string, number>>;
  private readonly fallbackMinutes: number;
  private readonly activity: DeskActivity;
  private readonly calibration = new WaitCalibration(CALIBRATION);

  /** Business day of the latest event; earlier days' events are history. */
  private day: string | null = null;
  /** Today's tickets that are waiting, called or serving, as the events left them. */
  private readonly queue = new Map<string, Ticket>();
  private readonly waitingByService = new Map<string, number>();
  /** The model's wait for each ticket at its issue, until it is called. */
  private readonly pending = new Map<string, { model: ModelWait; group: string }>();
  private readonly arrivals: Arrival[] = [];
  private readonly shares = new Map<string, number>();

  private readonly deskCycles = new Map<string, RunningMean>();
  private readonly deskOverall = new Map<string, RunningMean>();
  private readonly serviceCycles = new Map<string, RunningMean>();
  private readonly walkAways = new Map<string, RunningMean>();

  constructor(opts: LearningEstimatorOptions) {
    this.desks = opts.desks;
    this.policy = opts.policy ?? DEFAULT_CALL_POLICY;
    this.serviceMinutes = opts.serviceMinutes ?? DEFAULT_SERVICE_MINUTES;
    this.fallbackMinutes = opts.fallbackMinutes ?? DEFAULT_FALLBACK_MINUTES;
    this.activity = new DeskActivity(
      this.desks,
      (desk) => this.waitingFor(desk, null) > 0,
      (desk) => CLOSE_AFTER_CYCLES * this.deskCycleMs(desk),
    );
  }

  estimate(situation: QueueSituation): WaitEstimate {
    const q = this.calibration.quantiles(this.model(situation), calibrationGroup(situation));
    return { minutes: q.median / 60_000, low: q.low / 60_000, high: q.high / 60_000 };
  }

  observe(event: QueueEvent): void {
    if (event.type === 'mode.changed') return;
    const { ticket } = event;
    // A leftover ticket of an earlier day acted on today is not part of today's queue.
    if (this.day !== null && ticket.businessDay < this.day) return;
    if (ticket.businessDay !== this.day) this.startDay(ticket.businessDay);
    const now = Date.parse(event.at);
    this.activity.advance(now);
    const before = this.queue.get(ticket.id);

    switch (event.type) {
      case 'ticket.issued': {
        const waiting = [...this.queue.values()].filter((t) => t.state === 'waiting');
        const situation = situationOf(ticket, waiting, this.desks, new Date(now), this.policy);
        this.pending.set(ticket.id, { model: this.model(situation), group: calibrationGroup(situation) });
        this.arrivals.push({ at: now, service: ticket.service, priority: ticket.priority });
        break;
      }
      case 'ticket.called': {
        const issued = this.pending.get(ticket.id);
        if (issued) this.calibration.learn(issued.model, now - Date.parse(ticket.issuedAt), issued.group);
        this.pending.delete(ticket.id);
        // Only a first call counts: a put-back or transferred ticket was counted when first called.
        if (ticket.noShowAt === null && ticket.service === ticket.originalService) this.learnWalkAway(ticket.service, false);
        const cycle = event.desk ? this.activity.called(event.desk, ticket.service, now) : undefined;
        if (cycle) this.learnCycle(cycle);
        break;
      }
      case 'ticket.recalled':
      case 'ticket.serving':
        if (event.desk) this.activity.acted(event.desk, now);
        break;
      case 'ticket.done':
      case 'ticket.no-show':
        if (event.desk) this.activity.released(event.desk, now);
        break;
      case 'ticket.transferred':
        // Its wait now spans two services: it teaches nothing about either.
        this.pending.delete(ticket.id);
        if (before?.desk && before.state !== 'waiting') this.activity.released(before.desk, now);
        break;
      case 'ticket.cancelled':
        this.pending.delete(ticket.id);
        this.learnWalkAway(ticket.service, true);
        break;
      case 'ticket.put-back':
        break;
    }
    this.track(ticket);
    while (this.arrivals.length > 0 && this.arrivals[0]!.at <= now - ARRIVAL_WINDOW_MS) this.arrivals.shift();
    this.activity.settle(now);
  }

  /** The model's wait for the situation, before calibration. */
  private model(s: QueueSituation): ModelWait {
    const now = s.now.getTime();
    const open = s.desks.filter((d) => this.activity.isOpen(d.id, now));
    const serving = open.length > 0 ? open : s.desks;
    const services = [s.service, ...s.ahead.map((a) => a.service)];
    let rate = 0;
    let free = 0;
    for (const desk of serving) {
      const cycles = services.filter((x) => desk.services.includes(x)).map((x) => this.cycleMs(desk.id, x));
      rate += cycles.length / cycles.reduce((sum, ms) => sum + ms, 0);
      if (open.length > 0 && this.activity.isIdle(desk.id) && this.waitingFor(desk, s.ticketId) === 0) free += 1;
    }
    const people = s.ahead.reduce((n, a) => n + a.share * (1 - this.walkAwayShare(a.service)), 0);
    const slots = Math.max(0, people + 1 - free);
    let ms = slots / rate;
    const lambda = this.overtakeRate(s, now);
    const left = this.policy.maxWaitBeforePromotionMin * 60_000 - (now - s.issuedAt.getTime());
    if (lambda > 0 && left > 0) {
      const steady = rate > lambda ? slots / (rate - lambda) : Infinity;
      ms = steady <= left ? steady : (slots + lambda * left) / rate;
    }
    return { ms, slots: ms * rate, slotMs: 1 / rate };
  }

  /** Tickets of higher classes issued per ms lately for the desks of the situation, weighted by their share. */
  private overtakeRate(s: QueueSituation, now: number): number {
    const rank = callRank({ priority: s.priority, issuedAt: s.issuedAt.toISOString() }, s.now, this.policy);
    let weight = 0;
    for (const a of this.arrivals) {
      if (a.at > now - ARRIVAL_WINDOW_MS && a.at <= now && classRank(a.priority) < rank) weight += this.share(a.service, s.service);
    }
    return weight / ARRIVAL_WINDOW_MS;
  }

  private share(service: string, pool: string): number {
    const key = `${service}\n${pool}`;
    let share = this.shares.get(key);
    if (share === undefined) this.shares.set(key, (share = deskShare(this.desks, service, pool)));
    return share;
  }

  /** Waiting tickets the desk serves, other than `except`. */
  private waitingFor(desk: DeskConfig, except: string | null): number {
    let count = desk.services.reduce((n, s) => n + (this.waitingByService.get(s) ?? 0), 0);
    const own = except === null ? undefined : this.queue.get(except);
    if (own?.state === 'waiting' && desk.services.includes(own.service)) count -= 1;
    return count;
  }

  private cycleMs(desk: string, service: string): number {
    return blend(this.deskCycles.get(`${desk}\n${service}`), this.serviceCycleMs(service), PRIOR_WEIGHT);
  }

  private serviceCycleMs(service: string): number {
    const configured = (this.serviceMinutes[service] ?? this.fallbackMinutes) * 60_000;
    return blend(this.serviceCycles.get(service), configured, PRIOR_WEIGHT);
  }

  /** The desk's cycle over whatever it serves: how long it may leave customers waiting before it counts as closed. */
  private deskCycleMs(desk: string): number {
    const services = this.desks.find((d) => d.id === desk)?.services ?? [];
    const prior = services.reduce((sum, s) => sum + this.serviceCycleMs(s), 0) / Math.max(1, services.length);
    return blend(this.deskOverall.get(desk), prior, PRIOR_WEIGHT);
  }

  private walkAwayShare(service: string): number {
    return blend(this.walkAways.get(service), 0, PRIOR_WEIGHT);
  }

  private learnCycle({ desk, service, ms }: CycleSample): void {
    learn(this.deskCycles, `${desk}\n${service}`, ms);
    learn(this.deskOverall, desk, ms);
    learn(this.serviceCycles, service, ms);
  }

  private learnWalkAway(service: string, walkedAway: boolean): void {
    learn(this.walkAways, service, walkedAway ? 1 : 0);
  }

  /** Keeps the projection of today's queue in step with the ticket as the event left it. */
  private track(ticket: Ticket): void {
    const before = this.queue.get(ticket.id);
    if (before?.state === 'waiting') this.countWaiting(before.service, -1);
    if (ticket.state === 'waiting' || ticket.state === 'called' || ticket.state === 'serving') this.queue.set(ticket.id, ticket);
    else this.queue.delete(ticket.id);
    if (ticket.state === 'waiting') this.countWaiting(ticket.service, 1);
  }

  private countWaiting(service: string, delta: number): void {
    this.waitingByService.set(service, (this.waitingByService.get(service) ?? 0) + delta);
  }

  private startDay(day: string): void {
    this.day = day;
    this.queue.clear();
    this.waitingByService.clear();
    this.pending.clear();
    this.arrivals.length = 0;
    this.activity.newDay();
  }
}

/**
 * Tickets whose errors are calibrated together once there are enough of them: a service (its
 * desks' habits the model does not see) and a class (the policy calls classes by different rules).
 */
function calibrationGroup(s: QueueSituation): string {
  return `${s.service}/${s.priority}`;
}

function learn(means: Map<string, RunningMean>, key: string, sample: number): void {
  let mean = means.get(key);
  if (!mean) means.set(key, (mean = new RunningMean(MEMORY)));
  mean.add(sample);
}
