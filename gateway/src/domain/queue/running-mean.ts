/**
 * A mean that forgets: it weighs every sample alike until it has `memory` of them, then each
 * new sample by 1/memory (an exponentially weighted mean), so it follows a store whose pace
 * changes through the day. `weight` says how many samples it stands on, for shrinking it
 * towards a broader figure while it is young (see `blend`).
 */
export class RunningMean {
  private mean = 0;
  private count = 0;

  constructor(private readonly memory: number) {}

  add(sample: number): void {
    this.count = Math.min(this.count + 1, this.memory);
    this.mean += (sample - this.mean) / this.count;
  }

  /** Samples it stands on, at most `memory`. */
  get weight(): number {
    return this.count;
  }

  get value(): number {
    return this.mean;
  }
}

/**
 * `own` shrunk towards `prior` as if the prior were `priorWeight` samples: a desk seen three
 * times is mostly the service's figure, one seen fifty times is its own (a credibility weighting).
 */
export function blend(own: RunningMean | undefined, prior: number, priorWeight: number): number {
  if (!own || own.weight === 0) return prior;
  return (own.value * own.weight + prior * priorWeight) / (own.weight + priorWeight);
}
