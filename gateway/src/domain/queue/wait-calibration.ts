/**
 * Turns the queue model's wait into what the store's own recent customers actually waited: the
 * median as the estimate (it minimises the absolute error, and "about N minutes" means half wait
 * less), the 10th and 90th percentiles as the 80 % interval.
 *
 * The model says a ticket needs `slots` desk turns of `slotMs` each (see learning-estimator.ts).
 * For each of the last `window` tickets called, the calibration keeps how far the real wait was
 * from the model's, as log((real + slot) / (model + slot)) — a ratio, so a 2-minute and a
 * 20-minute queue teach the same thing, with one slot added so a wait near zero does not blow
 * it up. It keeps them per band of slots: with one turn to wait the spread is wide, with ten it
 * is narrower (a sum of ten service times varies less than one); and per group (the estimator's
 * service and class), used once the group has enough of its own. This is Ibrahim & Whitt's
 * delay-history idea applied to the model's error rather than to the raw wait: the last
 * customers' waits correct both the scale and the spread, and the window makes it follow the day.
 *
 * Until a band has `minSamples`, the interval is the model's own: the wait as a sum of `slots`
 * exponential turns, a Gamma(slots) distribution (the M/M/c wait with everyone busy), its
 * quantiles by the Wilson–Hilferty approximation.
 */
export interface WaitQuantiles {
  /** All in milliseconds. */
  low: number;
  median: number;
  high: number;
}

export interface ModelWait {
  /** The model's mean wait. */
  ms: number;
  /** Desk turns to wait (fractional: people ahead may walk away, desks are shared). */
  slots: number;
  /** Time one turn takes at the open desks together. */
  slotMs: number;
}

const LOW = 0.1;
const HIGH = 0.9;
/** Standard normal quantiles of LOW, 0.5 and HIGH. */
const Z = { low: -1.2815516, median: 0, high: 1.2815516 };
/** Upper bounds of the slot bands: a free desk, one turn, two or three, up to six, more. */
const BANDS = [0.5, 1.5, 3.5, 6.5, Infinity];

export interface WaitCalibrationOptions {
  window: number;
  minSamples: number;
}

export class WaitCalibration {
  /** Log ratios per band of slots, for all tickets and per group (a service and class, say). */
  private readonly pooled = BANDS.map(() => new RatioWindow());
  private readonly groups = new Map<string, RatioWindow[]>();

  constructor(private readonly opts: WaitCalibrationOptions) {}

  /** A ticket of `group` was called after `realMs`; the model had said `model` at its issue. */
  learn(model: ModelWait, realMs: number, group: string): void {
    const band = bandOf(model.slots);
    const ratio = Math.log((Math.max(0, realMs) + model.slotMs) / (model.ms + model.slotMs));
    this.pooled[band]!.add(ratio, this.opts.window);
    let windows = this.groups.get(group);
    if (!windows) this.groups.set(group, (windows = BANDS.map(() => new RatioWindow())));
    windows[band]!.add(ratio, this.opts.window);
  }

  /**
   * The group's own band once it has `minSamples` (groups differ in ways the model does not
   * see), else all tickets' band, else the model's own spread.
   */
  quantiles(model: ModelWait, group: string): WaitQuantiles {
    const band = bandOf(model.slots);
    const own = this.groups.get(group)?.[band];
    const window = own && own.size >= this.opts.minSamples ? own : this.pooled[band]!;
    if (window.size < this.opts.minSamples) return modelQuantiles(model);
    const at = (q: number) => Math.max(0, Math.exp(window.quantile(q)) * (model.ms + model.slotMs) - model.slotMs);
    return { low: at(LOW), median: at(0.5), high: at(HIGH) };
  }
}

/** The last `window` log ratios of one band, oldest overwritten first. */
class RatioWindow {
  private readonly ratios: number[] = [];
  private next = 0;
  private sorted: number[] | null = null;

  get size(): number {
    return this.ratios.length;
  }

  add(ratio: number, window: number): void {
    if (this.ratios.length < window) this.ratios.push(ratio);
    else this.ratios[this.next] = ratio;
    this.next = (this.next + 1) % window;
    this.sorted = null;
  }

  /** Linear interpolation between order statistics. */
  quantile(q: number): number {
    const sorted = (this.sorted ??= [...this.ratios].sort((a, b) => a - b));
    const pos = q * (sorted.length - 1);
    const below = Math.floor(pos);
    const lower = sorted[below]!;
    const upper = sorted[Math.min(below + 1, sorted.length - 1)]!;
    return lower + (upper - lower) * (pos - below);
  }
}

function bandOf(slots: number): number {
  return BANDS.findIndex((upper) => slots < upper);
}

/**
 * Gamma(shape) quantiles × slotMs. A free desk (slots near 0) still takes a moment to call, so
 * the shape is at least one half.
 */
function modelQuantiles({ slots, slotMs }: ModelWait): WaitQuantiles {
  const shape = Math.max(slots, 0.5);
  const at = (z: number) => gammaQuantile(shape, z) * slotMs;
  return { low: at(Z.low), median: at(Z.median), high: at(Z.high) };
}

/** Wilson–Hilferty: Gamma(k, 1) quantile at standard normal quantile z. */
function gammaQuantile(k: number, z: number): number {
  const c = 1 / (9 * k);
  return k * Math.max(0, 1 - c + z * Math.sqrt(c)) ** 3;
}
