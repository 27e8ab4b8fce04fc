import type { QueueEvent } from './events.js';
import type { QueueSituation } from './situation.js';

/** Minutes a ticket will wait from now: the estimate and its 80 % interval, unrounded. */
export interface WaitEstimate {
  minutes: number;
  low: number;
  high: number;
}

/** The engine asks it for every status and snapshot, and feeds it every committed transition. */
export interface WaitEstimator {
  estimate(situation: QueueSituation): WaitEstimate;
  /** One committed transition, in commit order; an estimator that does not learn leaves it out. */
  observe?(event: QueueEvent): void;
}

/** Typical minutes at the desk per customer, by service code. */
export const DEFAULT_SERVICE_MINUTES: Readonly<Record<string, number>> = {
  maintenance: 12,
  repair: 15,
  claims: 20,
  sales: 25,
  pickup: 8,
};

/** For a service without its own figure. */
export const DEFAULT_FALLBACK_MINUTES = 15;

export interface SimpleEstimatorOptions {
  serviceMinutes?: Readonly<Record<string, number>>;
  fallbackMinutes?: number;
}

/**
 * Fixed average minutes per customer of the same service ahead, shared among the desks serving
 * the service. Learns nothing and knows no spread: the engine's default, for tests and tools
 * that need round, predictable figures.
 */
export class SimpleEstimator implements WaitEstimator {
  private readonly serviceMinutes: Readonly<Record<string, number>>;
  private readonly fallbackMinutes: number;

  constructor(opts: SimpleEstimatorOptions = {}) {
    this.serviceMinutes = opts.serviceMinutes ?? DEFAULT_SERVICE_MINUTES;
    this.fallbackMinutes = opts.fallbackMinutes ?? DEFAULT_FALLBACK_MINUTES;
  }

  estimate({ peopleAhead, service, desks }: Pick<QueueSituation, 'peopleAhead' | 'service' | 'desks'>): WaitEstimate {
    const minutes = Math.ceil((peopleAhead * (this.serviceMinutes[service] ?? this.fallbackMinutes)) / Math.max(1, desks.length));
    return { minutes, low: minutes, high: minutes };
  }
}
