export interface WaitEstimateInput {
  peopleAhead: number;
  service: string;
  /** Desks that serve this service. */
  openDesks: number;
  now: Date;
}

/** Minutes a ticket will wait; the engine asks it for every status and snapshot. */
export interface WaitEstimator {
  estimate(input: WaitEstimateInput): number;
}

/** Typical minutes at the desk per customer, by service code. */
export const DEFAULT_SERVICE_MINUTES: Readonly<Record<string, number>> = {
  maintenance: 12,
  repair: 15,
  claims: 20,
  sales: 25,
  pickup: 8,
};

export interface SimpleEstimatorOptions {
  serviceMinutes?: Readonly<Record<string, number>>;
  /** For a service without its own figure. */
  fallbackMinutes?: number;
}

/**
 * Fixed average minutes per customer, shared among the desks serving the service. A stand-in
 * until estimates learn from the day's real service times.
 */
export class SimpleEstimator implements WaitEstimator {
  private readonly serviceMinutes: Readonly<Record<string, number>>;
  private readonly fallbackMinutes: number;

  constructor(opts: SimpleEstimatorOptions = {}) {
    this.serviceMinutes = opts.serviceMinutes ?? DEFAULT_SERVICE_MINUTES;
    this.fallbackMinutes = opts.fallbackMinutes ?? 15;
  }

  estimate({ peopleAhead, service, openDesks }: WaitEstimateInput): number {
    const minutes = this.serviceMinutes[service] ?? this.fallbackMinutes;
    return Math.ceil((peopleAhead * minutes) / Math.max(1, openDesks));
  }
}
