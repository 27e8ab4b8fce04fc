import type { Logger } from 'pino';
import type { RelayConfig } from '../config/relay.js';
import type { Outbox, TransportName } from '../store/outbox.js';

const DAY_MS = 86_400_000;
/** Rows deleted per statement at the cap, so a purge never holds the write lock for long. */
const PURGE_CHUNK = 1000;

/**
 * Keeps the outbox bounded. Acknowledged events (by every configured link) are deleted after
 * `retentionDays`; at `capMb` the oldest acknowledged go first whatever their age. Unsent events
 * and open dead letters are never deleted: when they alone fill the cap the store keeps writing
 * and the alarm stays on (a day of a busy store is ~15 MB; the default 512 MB cap is weeks).
 */
export class OutboxRetention {
  readonly capBytes: number;
  private alarmed = false;

  constructor(
    private readonly outbox: Outbox,
    private readonly config: RelayConfig,
    private readonly links: readonly TransportName[],
    private readonly now: () => Date,
    private readonly log: Logger,
  ) {
    this.capBytes = config.capMb * 1024 * 1024;
  }

  /** The outbox's size at the last run (measuring it scans the table, so it is not done per request). */
  bytes = 0;

  /** Everything every link has acknowledged; without links, everything (kept only for retention). */
  private acknowledgedThrough(): number {
    return this.links.length === 0 ? this.outbox.lastSeq() : Math.min(...this.links.map((l) => this.outbox.ackedThrough(l)));
  }

  run(): { purged: number; bytes: number } {
    const through = this.acknowledgedThrough();
    const before = new Date(this.now().getTime() - this.config.retentionDays * DAY_MS).toISOString();
    let purged = this.outbox.purgeAcknowledged(through, before);
    let bytes = this.outbox.bytes();
    while (bytes > this.capBytes) {
      const n = this.outbox.purgeOldestAcknowledged(through, PURGE_CHUNK);
      if (n === 0) break;
      purged += n;
      bytes = this.outbox.bytes();
    }
    this.bytes = bytes;
    this.alarm(bytes);
    if (purged > 0) this.log.info({ purged, bytes }, 'outbox retention: acknowledged events purged');
    return { purged, bytes };
  }

  private alarm(bytes: number): void {
    const level = bytes / this.capBytes;
    const alarmed = level * 100 >= this.config.alarmAtPercent;
    if (alarmed && !this.alarmed) {
      this.log.error(
        { bytes, capBytes: this.capBytes, percent: Math.round(level * 100) },
        bytes > this.capBytes ? 'outbox is over its cap with unsent events: head office must be reconnected' : 'outbox is filling up: head office has not acknowledged events for a long time',
      );
    }
    this.alarmed = alarmed;
  }
}
