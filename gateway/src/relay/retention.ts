import type { Logger } from 'pino';
import type { RelayConfig } from '../config/relay.js';
import type { Outbox, TransportName } from '../store/outbox.js';

const DAY_MS = 86_400_000;
/** Rows deleted per statement, so a purge never holds the write lock for long. */
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

  /**
   * The outbox's size at the last run: the first run reads every row, later runs only the events
   * written since (and take off what they purge), so a run costs what changed, not what is kept.
   */
  bytes = 0;
  /** The last event counted in `bytes`. */
  private counted = 0;

  /** Everything every link has acknowledged; without links, everything (kept only for retention). */
  private acknowledgedThrough(): number {
    return this.links.length === 0 ? this.outbox.lastSeq() : Math.min(...this.links.map((l) => this.outbox.ackedThrough(l)));
  }

  run(): { purged: number; bytes: number } {
    const added = this.outbox.sizeAfter(this.counted);
    this.bytes += added.bytes;
    this.counted = added.lastSeq ?? this.counted;
    const through = this.acknowledgedThrough();
    const before = new Date(this.now().getTime() - this.config.retentionDays * DAY_MS).toISOString();
    // The old acknowledged events, then at the cap the oldest acknowledged whatever their age.
    let purged = this.purgeBelow(this.outbox.oldAcknowledgedBelow(through, before), () => true);
    purged += this.purgeBelow(through + 1, () => this.bytes > this.capBytes);
    this.alarm(this.bytes);
    if (purged > 0) this.log.info({ purged, bytes: this.bytes }, 'outbox retention: acknowledged events purged');
    return { purged, bytes: this.bytes };
  }

  /** Deletes below `below`, a chunk at a time while `more()` holds, keeping `bytes` up; the number deleted. */
  private purgeBelow(below: number, more: () => boolean): number {
    let purged = 0;
    while (more()) {
      const chunk = this.outbox.purgeBelow(below, PURGE_CHUNK);
      purged += chunk.count;
      this.bytes -= chunk.bytes;
      if (chunk.count < PURGE_CHUNK) break;
    }
    return purged;
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
