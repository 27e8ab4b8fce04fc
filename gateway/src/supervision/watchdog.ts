import type { Logger } from 'pino';

/**
 * The interval of systemd's watchdog pings: half of WatchdogSec (WATCHDOG_USEC), as sd_watchdog_enabled(3)
 * advises; undefined when the service has no watchdog or it is meant for another process.
 */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv, pid = process.pid): number | undefined {
  const usec = Number(env['WATCHDOG_USEC']);
  if (!Number.isFinite(usec) || usec <= 0) return undefined;
  if (env['WATCHDOG_PID'] && Number(env['WATCHDOG_PID']) !== pid) return undefined;
  return Math.max(1, Math.floor(usec / 1000 / 2));
}

/**
 * Pings systemd's watchdog only while the gateway works, never from a blind timer: before each
 * ping `probe` asks the parts that must answer (the database, the broker by a message through it,
 * HTTP); the ping is sent from the event loop itself, so a blocked loop sends none either. A
 * probe that fails or hangs skips the ping, and systemd restarts the gateway after WatchdogSec.
 */
export class Watchdog {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    /** The parts that did not answer; empty when all did. */
    private readonly probe: () => Promise<string[]>,
    private readonly ping: () => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.beat().finally(() => this.schedule()), this.intervalMs);
  }

  private async beat(): Promise<void> {
    let failed: string[];
    try {
      failed = await withTimeout(this.probe(), this.intervalMs);
    } catch (err) {
      failed = [err instanceof Error ? err.message : String(err)];
    }
    if (this.stopped) return;
    if (failed.length > 0) {
      this.log.error({ failed }, 'watchdog: not pinging systemd, parts of the gateway do not answer');
      return;
    }
    await this.ping();
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`probe took over ${ms} ms`)), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
