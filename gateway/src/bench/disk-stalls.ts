/**
 * What a disk's fsyncs mean for a path that waits for one. A commit made at a random moment waits
 * for the fsync that covers it; if that moment falls inside a long fsync, it waits at least the
 * rest of it. So the share of wall time during which the fsync in flight still has more than
 * `budget` ms to go is a floor on how many such commits wait longer than `budget`: when it is over
 * 1 %, no durable path can have its p99 within `budget` on that disk, whatever the software does.
 */
export interface FsyncSample {
  /** When it started, ms since the probe began. */
  startMs: number;
  durationMs: number;
}

/** Percent of `wallMs` during which an fsync in flight had more than `budgetMs` left (overlaps counted once). */
export function timeOverBudgetPct(samples: readonly FsyncSample[], budgetMs: number, wallMs: number): number {
  if (wallMs <= 0) return NaN;
  // Each long fsync contributes the stretch from its start to `budgetMs` before its end.
  const spans = samples
    .filter((s) => s.durationMs > budgetMs)
    .map((s) => [s.startMs, s.startMs + s.durationMs - budgetMs] as const)
    .sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let reach = -Infinity;
  for (const [from, to] of spans) {
    const start = Math.max(from, reach);
    if (to > start) covered += to - start;
    reach = Math.max(reach, to);
  }
  return (covered / wallMs) * 100;
}
