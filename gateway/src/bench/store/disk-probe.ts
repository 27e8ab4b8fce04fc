import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BenchFailure } from '../run-bench.js';

const DISK_BENCH = fileURLToPath(new URL('../disk-bench.js', import.meta.url));
/** Sparse enough to add little to the disk's load (the gateway itself syncs a few times a second). */
const PROBE_EVERY_MS = 50;
const MAX_SECONDS = 3600;

/** What bench:disk reports (its --json line); the shares are `time_over_{budget}ms_pct`. */
export type DiskFigures = Record<string, number | string>;

/**
 * bench:disk in its own process beside the load, in the gateway's data folder: what the disk did
 * during the run, separate from what the gateway did with it. Its own process, so that the bench's
 * busy event loop does not stretch the fsyncs it times.
 */
export class DiskProbe {
  private child: ChildProcess | undefined;
  private output = '';

  constructor(private readonly dir: string) {}

  start(): void {
    this.child = spawn(process.execPath, [DISK_BENCH, '--json', '--every', String(PROBE_EVERY_MS), '--seconds', String(MAX_SECONDS), '--dir', this.dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
  }

  /** Stops it and returns its figures. */
  async stop(): Promise<DiskFigures> {
    const child = this.child;
    if (!child) throw new BenchFailure('the disk probe was not started');
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const code = await exited;
    this.child = undefined;
    const last = this.output.trim().split('\n').at(-1) ?? '';
    if (code !== 0 || !last.startsWith('{')) throw new BenchFailure(`the disk probe failed (exit ${code}): ${this.output.slice(-500)}`);
    return JSON.parse(last) as DiskFigures;
  }

  /** Ends it at once, if it still runs (the bench failed before stop()). */
  close(): void {
    this.child?.kill('SIGKILL');
  }
}
