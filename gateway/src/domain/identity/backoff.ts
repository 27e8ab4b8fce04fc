/**
 * Exponential back-off of failed attempts per key (a source address, an account), with an
 * injected clock. Waits only delay; nothing is ever locked for good.
 */
export interface BackoffPolicy {
  /** Failures allowed before any wait. */
  free: number;
  baseMs: number;
  maxMs: number;
}

/** A source (IP address) that keeps failing waits longer and longer, whichever account it tries. */
export const SOURCE_BACKOFF: BackoffPolicy = { free: 3, baseMs: 1000, maxMs: 5 * 60_000 };
/** An account guessed at from many sources slows down too, gentler: its owner is only delayed. */
export const ACCOUNT_BACKOFF: BackoffPolicy = { free: 10, baseMs: 1000, maxMs: 60_000 };
/** Entries untouched this long are forgotten. */
const FORGET_MS = 60 * 60_000;
const MAX_KEYS = 10_000;

interface Entry {
  failures: number;
  blockedUntil: number;
  lastAt: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly now: () => number,
    private readonly policy: BackoffPolicy,
  ) {}

  /** Milliseconds to wait before another try for any of these keys; 0 when allowed now. */
  waitMs(keys: readonly string[]): number {
    const t = this.now();
    return Math.max(0, ...keys.map((k) => (this.entries.get(k)?.blockedUntil ?? 0) - t));
  }

  failures(key: string): number {
    return this.entries.get(key)?.failures ?? 0;
  }

  /** Whether the key has used up its free attempts (its failures now wait). */
  throttled(key: string): boolean {
    return this.failures(key) >= this.policy.free;
  }

  fail(keys: readonly string[]): void {
    const t = this.now();
    this.prune(t);
    for (const key of keys) {
      const entry = this.entries.get(key) ?? { failures: 0, blockedUntil: 0, lastAt: t };
      entry.failures += 1;
      entry.lastAt = t;
      const over = entry.failures - this.policy.free;
      if (over > 0) entry.blockedUntil = t + Math.min(this.policy.maxMs, this.policy.baseMs * 2 ** (over - 1));
      this.entries.set(key, entry);
    }
  }

  succeed(keys: readonly string[]): void {
    for (const key of keys) this.entries.delete(key);
  }

  private prune(t: number): void {
    if (this.entries.size < MAX_KEYS) return;
    for (const [key, entry] of this.entries) if (t - entry.lastAt > FORGET_MS) this.entries.delete(key);
  }
}
