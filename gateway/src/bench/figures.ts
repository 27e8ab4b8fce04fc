import { readFileSync } from 'node:fs';

// What every benchmark reports with: percentiles of samples, and a process's memory and CPU.

/** Nearest-rank percentile of an ascending list; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? NaN;
}

/**
 * How the gateway's node runs in a store (package.json `start`, deploy/forecourt.service; a unit
 * test keeps the three the same):
 * - `--max-semi-space-size=4`: V8's young generation capped at 4 MB semi-spaces. The default
 *   (16 MB) let a busy gateway's RSS grow by ~25 MB of short-lived garbage; scavenges become more
 *   frequent but stay well under a millisecond.
 * - `--max-old-space-size=96`: V8's old generation capped at 96 MB. Its live heap stays near
 *   40 MB even in bench:bus's saturation (a heap snapshot there: 36 MB); uncapped, V8 let the heap
 *   grow with the allocation rate and kept it, and the gateway ended bench:bus at 215-297 MB RSS.
 *   bench:stats (a year of statistics, in one process with its own backlog) runs within it.
 * And in its environment (GATEWAY_ENV):
 * - `MALLOC_ARENA_MAX=2`: glibc gives each thread that allocates (the thread pool's fsyncs, the
 *   SQLite workers) its own malloc arena, and freed memory stays in them; two arenas keep it shared.
 * Tried and left out: `--optimize-for-size` (bench:store's peak RSS a further 10 MB lower, 134.5
 * against 144.5 MB, but bench:bus's realistic p50 35-43 ms against 8.5-8.8 ms in two runs each) and
 * `--heap-growing-percent=30` (peak 143.6 MB: no gain).
 */
export const GATEWAY_NODE_FLAGS = ['--max-semi-space-size=4', '--max-old-space-size=96'];
export const GATEWAY_ENV = { MALLOC_ARENA_MAX: '2' } as const;

export interface ProcStat {
  rssMb: number;
  /** VmHWM: the highest RSS the process has had. */
  peakMb: number;
  /** RSS split: anonymous memory (V8's heap, malloc, thread stacks) and file pages (node's code, native modules). */
  anonMb: number;
  fileMb: number;
  /** Threads now (main, libuv's pool, V8's platform, workers). */
  threads: number;
  cpuS: number;
  /**
   * Seconds its main thread (the event loop) was ready to run but waited for a CPU
   * (/proc/PID/schedstat): on a shared machine, the part of a delay no code of its own caused.
   */
  waitS: number;
}

/** VmRSS / VmHWM and user+system CPU seconds of a process, from /proc. */
export function procStat(pid: number | undefined): ProcStat {
  const unknown = { rssMb: NaN, peakMb: NaN, anonMb: NaN, fileMb: NaN, threads: NaN, cpuS: NaN, waitS: NaN };
  if (pid === undefined) return unknown;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat (12 and 13 after the name), in clock ticks (100/s on Linux).
    const cpuS = (Number(fields[11]) + Number(fields[12])) / 100;
    const threads = Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024, anonMb: kb('RssAnon') / 1024, fileMb: kb('RssFile') / 1024, threads, cpuS, waitS: runQueueWaitS(pid) };
  } catch {
    return unknown;
  }
}

/** Slope of the least-squares line through (x, y) points; NaN for fewer than two distinct x. */
export function leastSquaresSlope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? NaN : points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx;
}

/** schedstat: time on a CPU, time waiting on a run queue (ns), timeslices; NaN on kernels without it. */
function runQueueWaitS(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
  } catch {
    return NaN;
  }
}
