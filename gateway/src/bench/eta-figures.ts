/**
 * How well waiting-time estimates held: the figures of `npm run eta:eval` over scored tickets
 * (eta-replay.ts), overall and per group.
 */
import { percentile } from './figures.js';
import type { ScoredTicket } from './eta-replay.js';

export interface EtaFigures {
  n: number;
  /** Mean absolute error of the estimate, seconds. */
  mae_s: number;
  p90_abs_err_s: number;
  /** Mean of estimate − real: positive when estimates run long. */
  bias_s: number;
  /** Share of real waits inside the estimate's 80 % interval. */
  interval80_coverage: number;
  baseline_mae_s: number;
}

export function etaFigures(tickets: readonly ScoredTicket[]): EtaFigures {
  const n = tickets.length;
  const mean = (f: (t: ScoredTicket) => number) => (n === 0 ? NaN : tickets.reduce((sum, t) => sum + f(t), 0) / n);
  const errors = tickets.map((t) => Math.abs(t.estimateS - t.realS)).sort((a, b) => a - b);
  return {
    n,
    mae_s: round(mean((t) => Math.abs(t.estimateS - t.realS)), 1),
    p90_abs_err_s: round(percentile(errors, 90), 1),
    bias_s: round(mean((t) => t.estimateS - t.realS), 1),
    interval80_coverage: round(mean((t) => (t.lowS <= t.realS && t.realS <= t.highS ? 1 : 0)), 3),
    baseline_mae_s: round(mean((t) => Math.abs(t.baselineS - t.realS)), 1),
  };
}

/** The figures per group, groups in key order. */
export function etaFiguresBy(tickets: readonly ScoredTicket[], key: (t: ScoredTicket) => string): [string, EtaFigures][] {
  const groups = new Map<string, ScoredTicket[]>();
  for (const t of tickets) {
    const k = key(t);
    let group = groups.get(k);
    if (!group) groups.set(k, (group = []));
    group.push(t);
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([k, group]) => [k, etaFigures(group)]);
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
