import { CircuitState, ConsecutiveBreaker, ExponentialBackoff, circuitBreaker, handleAll, retry, wrap, type CircuitBreakerPolicy } from 'cockatiel';
import type { RelayConfig } from '../config/relay.js';
import type { DmsEvent } from '../protocol/dms.js';
import type { SerializedEvent } from '../store/outbox.js';
import { DmsClient, DmsReplyError } from './dms-client.js';
import { BackgroundLoop, LinkState, sleep, type LinkDeps, type RelayLink, type ResendOutcome } from './link.js';

type HttpConfig = NonNullable<RelayConfig['http']>;

/**
 * Sends the outbox to the DMS adapter in batches, in seq order, at least once. The DMS's
 * `acceptedThrough` moves the cursor; a 409/422 for one event dead-letters that event and the
 * rest go on. Failures retry with exponential backoff and jitter (cockatiel's decorrelated
 * jitter); after `breakAfterFailures` in a row the circuit opens and the DMS is left alone for
 * `halfOpenAfterMs` before one batch tries again.
 */
export class HttpLink implements RelayLink {
  readonly name = 'http' as const;
  readonly state: LinkState;
  private readonly client: DmsClient;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly policy;
  private readonly loop = new BackgroundLoop((signal) => this.run(signal));

  constructor(
    private readonly deps: LinkDeps<HttpConfig>,
    private readonly hooks: { sent: (events: number) => void; rejected: (seq: number) => void; failed: (code: string) => void },
  ) {
    const { config } = deps;
    this.state = new LinkState('http', deps.now);
    this.client = new DmsClient(config);
    this.breaker = circuitBreaker(handleAll, { halfOpenAfter: config.halfOpenAfterMs, breaker: new ConsecutiveBreaker(config.breakAfterFailures) });
    const retrying = retry(handleAll, {
      maxAttempts: Number.MAX_SAFE_INTEGER,
      backoff: new ExponentialBackoff({ initialDelay: config.retryMinMs, maxDelay: config.retryMaxMs }),
    });
    retrying.onRetry((reason) => {
      const error = 'error' in reason ? reason.error : undefined;
      this.state.failed(error instanceof Error ? error.message : 'failed', this.breaker.state === CircuitState.Open);
      this.hooks.failed(error instanceof DmsReplyError ? error.code : 'circuit-open');
    });
    this.policy = wrap(retrying, this.breaker);
  }

  start(): Promise<void> {
    this.loop.start();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    this.client.close();
  }

  /** Sends one dead-lettered event again on its own. */
  async resend(event: DmsEvent): Promise<ResendOutcome> {
    return this.client.resendEvent(this.deps.storeId, event);
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { outbox, storeId, config, pollMs, log, outputs } = this.deps;
    while (!signal.aborted) {
      const acked = outbox.ackedThrough('http');
      const batch = outbox.afterSerialized(storeId, acked, config.batchSize);
      if (batch.length === 0) {
        await sleep(pollMs, signal);
        continue;
      }
      try {
        // Head office never gets an event a power cut could take back from the store.
        await outputs.whenDurable();
        await this.policy.execute(async ({ signal: attempt }) => this.send(batch, acked, attempt), signal);
      } catch (err) {
        if (signal.aborted) return;
        log.error({ err }, 'DMS relay: giving up on a batch (should not happen: retries are unbounded)');
        await sleep(config.retryMaxMs, signal);
      }
    }
  }

  private async send(batch: SerializedEvent[], acked: number, signal: AbortSignal): Promise<void> {
    const { outbox, storeId, now, log } = this.deps;
    const outcome = await this.client.postEvents(storeId, batch, acked, signal);
    const at = now().toISOString();
    if (outcome.kind === 'rejected') {
      outbox.ack('http', outcome.through, at);
      outbox.reject('http', outcome.seq, outcome.code, outcome.reason, at);
      // The refused event leaves the stream (it waits in the dead letters); the rest go on.
      outbox.ack('http', outcome.seq, at);
      log.warn({ seq: outcome.seq, code: outcome.code, reason: outcome.reason }, 'DMS rejected an event; it waits in the dead letters');
      this.hooks.rejected(outcome.seq);
    } else {
      if (outcome.through === acked) throw new DmsReplyError(`the DMS stored none of seq ${batch[0]!.seq}–${batch.at(-1)!.seq}`, 'no-progress');
      outbox.ack('http', outcome.through, at);
    }
    this.hooks.sent(batch.filter((e) => e.seq <= outcome.through).length);
    this.state.delivered();
  }
}
