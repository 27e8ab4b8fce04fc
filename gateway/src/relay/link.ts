import type { DmsEvent } from '../protocol/dms.js';
import type { Logger } from 'pino';
import type { DurableOutputs } from '../store/group-commit.js';
import type { Outbox, TransportName } from '../store/outbox.js';

/** What a link is given: the outbox it sends from, its own settings, and the wait for durable commits. */
export interface LinkDeps<Config> {
  outbox: Outbox;
  storeId: string;
  config: Config;
  pollMs: number;
  now: () => Date;
  log: Logger;
  outputs: DurableOutputs;
}

/** One way to head office (the DMS's HTTP adapter, the group broker), fed from the one outbox. */
export interface RelayLink {
  readonly name: TransportName;
  readonly state: LinkState;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Sends a dead-lettered event again: stored now, or refused again and why. */
  resend?(event: DmsEvent): Promise<ResendOutcome>;
}

export type ResendOutcome = { stored: true } | { stored: false; code: string; reason: string };

export type LinkCondition = 'connected' | 'offline' | 'circuit-open';

/** What the desk shows of a link: "connected", or "offline since 10:42" and why. */
export class LinkState {
  condition: LinkCondition = 'offline';
  since: string;
  lastError: string | null = null;

  constructor(
    readonly transport: TransportName,
    private readonly now: () => Date,
  ) {
    this.since = now().toISOString();
  }

  delivered(): void {
    this.set('connected');
    this.lastError = null;
  }

  failed(error: string, circuitOpen = false): void {
    this.set(circuitOpen ? 'circuit-open' : 'offline');
    this.lastError = error;
  }

  connected(): void {
    this.set('connected');
  }

  private set(condition: LinkCondition): void {
    // "Offline since" is when it went offline, not the last failed attempt.
    const wasUp = this.condition === 'connected';
    const isUp = condition === 'connected';
    if (wasUp !== isUp) this.since = this.now().toISOString();
    this.condition = condition;
  }
}

/** A loop that runs in the background until stopped: stop() aborts its signal and waits for it to end. */
export class BackgroundLoop {
  private abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(private readonly body: (signal: AbortSignal) => Promise<void>) {}

  start(): void {
    this.abort = new AbortController();
    this.running = this.body(this.abort.signal);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    this.running = undefined;
  }
}

/** Waits `ms`, or less when `signal` aborts (never rejects). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
