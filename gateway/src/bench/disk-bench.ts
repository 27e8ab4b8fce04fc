/**
 * `npm run bench:disk [-- --seconds 30] [--every 5] [--dir DIR] [--json]`
 *
 * The disk under the gateway's data: what every durable output waits for. One process writes
 * 4 kB into a 4 MB file and fdatasyncs it through libuv's thread pool (as the group commit does,
 * store/group-commit.ts), one every `--every` ms, for `--seconds` or until SIGTERM, in `--dir`
 * (default: the OS temp folder, where the benchmarks keep their gateways' data; TMPDIR=/dev/shm
 * for tmpfs). Alone it shows the disk at rest; bench:store runs it alongside its load, every 50 ms.
 * A stall is seen from the first fsync that meets it, so the shares below are lower bounds.
 *
 * Figures (the last line with --json): fsync percentiles, how many took over 100 ms, and for each
 * path budget of bench:store (call 25, print overhead 60, stage 150 ms) the share of wall time
 * during which a commit made then would wait longer than that budget (disk-stalls.ts). Over 1 %,
 * the budget cannot be met as a p99 by any path that waits for its fsync on this disk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { percentile } from './figures.js';
import { timeOverBudgetPct, type FsyncSample } from './disk-stalls.js';
import { BenchFailure, runBench } from './run-bench.js';

const PAGE = 4096;
const FILE_BYTES = 4 * 1024 * 1024;
/** bench:store's path targets that wait for an fsync: call, print overhead, stage. */
const BUDGETS_MS = [25, 60, 150];

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    every: { type: 'string', default: '5' },
    dir: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const everyMs = Number(values.every);
let stopped = false;
process.once('SIGTERM', () => (stopped = true));
const say = (line: string) => process.stdout.write(`${line}\n`);
const round = (n: number) => Math.round(n * 100) / 100;

runBench('bench:disk', async () => {
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 3600) throw new BenchFailure('--seconds: 1-3600');
  if (!Number.isFinite(everyMs) || everyMs < 1 || everyMs > 1000) throw new BenchFailure('--every: 1-1000 ms');
  const dir = mkdtempSync(join(values.dir ?? tmpdir(), 'forecourt-bench-disk-'));
  const samples: FsyncSample[] = [];
  const page = Buffer.alloc(PAGE, 0x5a);
  const file = await open(join(dir, 'probe-wal'), 'w');
  try {
    // The file at its full size first, synced: what follows rewrites blocks, as a WAL after its first checkpoint.
    await file.write(Buffer.alloc(FILE_BYTES), 0, FILE_BYTES, 0);
    await file.sync();
    const start = performance.now();
    for (let offset = 0; !stopped && performance.now() - start < seconds * 1000; offset = (offset + PAGE) % FILE_BYTES) {
      await file.write(page, 0, PAGE, offset);
      const at = performance.now();
      await file.datasync();
      samples.push({ startMs: at - start, durationMs: performance.now() - at });
      await sleep(everyMs);
    }
    const wallMs = performance.now() - start;
    const sorted = samples.map((s) => s.durationMs).sort((a, b) => a - b);
    const figures: Record<string, number | string> = {
      dir: values.dir ?? tmpdir(),
      seconds: round(wallMs / 1000),
      fsyncs: sorted.length,
      fsync_p50_ms: round(percentile(sorted, 50)),
      fsync_p99_ms: round(percentile(sorted, 99)),
      fsync_max_ms: round(sorted.at(-1) ?? NaN),
      fsyncs_over_100ms: sorted.filter((d) => d > 100).length,
    };
    for (const budget of BUDGETS_MS) figures[`time_over_${budget}ms_pct`] = round(timeOverBudgetPct(samples, budget, wallMs));
    say(`bench:disk: ${figures.fsyncs} × (4 kB write + fdatasync) every ${everyMs} ms for ${figures.seconds} s in ${figures.dir}`);
    say(`  fsync p50 ${figures.fsync_p50_ms} ms, p99 ${figures.fsync_p99_ms} ms, max ${figures.fsync_max_ms} ms; ${figures.fsyncs_over_100ms} over 100 ms`);
    for (const budget of BUDGETS_MS) {
      const pct = Number(figures[`time_over_${budget}ms_pct`]);
      say(`  a commit made at a random moment waits over ${budget} ms ${pct} % of the time: ${pct > 1 ? `no durable path can have p99 ≤ ${budget} ms here` : `a p99 of ${budget} ms is within the disk's reach`}`);
    }
    if (values.json) say(JSON.stringify(figures));
  } finally {
    await file.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
