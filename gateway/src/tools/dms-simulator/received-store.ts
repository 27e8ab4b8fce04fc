import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { DmsEvent } from '../../protocol/dms.js';

/** Why the DMS refuses an event for good (answered 409 or 422). */
export interface Refusal {
  status: 409 | 422;
  code: string;
  reason: string;
}

/** The DMS's verdict on one batch, before any fault bends the reply. */
export type BatchVerdict =
  | { kind: 'accepted'; acceptedThrough: number; stored: number; duplicates: number }
  | { kind: 'rejected'; status: 409 | 422; acceptedThrough: number; rejected: { seq: number; code: string; reason: string }; stored: number; duplicates: number };

export interface StreamCounters {
  /** Batches handled (not counting the ones a fault answered before they were read). */
  batches: number;
  /** Events stored, each once. */
  stored: number;
  /** Events acknowledged again without being stored (same eventId or seq). */
  duplicates: number;
  /** Refusals answered (409/422), retries included. */
  rejected: number;
  /** Highest seq handled without a gap (stored or refused for good); 0 before the first batch. */
  through: number;
}

/** One store's stream as the DMS keeps it. */
class Stream {
  /** Undefined until the first batch: that one sets the baseline, whatever seq it starts at. */
  through: number | undefined;
  readonly stored = new Map<number, DmsEvent>();
  readonly eventIds = new Set<string>();
  readonly refused = new Map<number, Refusal>();
  /** Seqs whose event came with an eventId stored under another seq: acknowledged, not stored. */
  readonly sameEventId = new Set<number>();
  batches = 0;
  duplicates = 0;
  rejected = 0;

  /** The contiguity rule: a seq counts as handled once it is stored or refused for good. */
  advance(): void {
    if (this.through === undefined) return;
    const handled = (seq: number) => this.stored.has(seq) || this.refused.has(seq) || this.sameEventId.has(seq);
    while (handled(this.through + 1)) this.through += 1;
  }
}

/** One line of the JSON-lines file. */
type Line =
  | { baseline: { storeId: string; through: number } }
  | { stored: DmsEvent }
  | { refused: Refusal & { storeId: string; seq: number } }
  | { sameEventId: { storeId: string; seq: number } };

/**
 * What the simulated DMS has received, per store, with the receiving rules of the DMS contract:
 * the first batch a store sends sets its baseline; after that events are stored in seq order up
 * to the first gap; duplicates are acknowledged and stored once; a refused event counts as
 * handled (the stream goes on past it) and is stored if it comes back acceptable.
 * Optionally kept in a JSON-lines file, so a restarted simulator remembers.
 */
export class ReceivedStore {
  private readonly streams = new Map<string, Stream>();

  constructor(private readonly file?: string) {
    if (file && existsSync(file)) this.replay(readFileSync(file, 'utf8'));
  }

  /**
   * Handles a batch in the order given. `judge` says whether the DMS refuses an event; `limit`
   * stores at most that many new events (a DMS that takes only part of a batch).
   */
  accept(storeId: string, events: readonly DmsEvent[], judge: (event: DmsEvent) => Refusal | undefined, limit = Infinity): BatchVerdict {
    const stream = this.stream(storeId);
    const lines: Line[] = [];
    stream.batches += 1;
    if (stream.through === undefined) {
      stream.through = Math.min(...events.map((e) => e.seq)) - 1;
      lines.push({ baseline: { storeId, through: stream.through } });
    }
    let stored = 0;
    let duplicates = 0;
    try {
      for (const event of events) {
        const retry = stream.refused.has(event.seq);
        if (event.seq === stream.through + 1 && !stream.stored.has(event.seq) && stream.eventIds.has(event.eventId)) {
          // Next in line but already stored under another seq: acknowledged, so the stream goes on.
          stream.sameEventId.add(event.seq);
          stream.advance();
          lines.push({ sameEventId: { storeId, seq: event.seq } });
          duplicates += 1;
          continue;
        }
        if (stream.stored.has(event.seq) || stream.eventIds.has(event.eventId) || (!retry && event.seq <= stream.through)) {
          // Already stored, or older than the baseline: acknowledged, not stored again.
          duplicates += 1;
          continue;
        }
        if (!retry && event.seq !== stream.through + 1) break;
        if (stored >= limit) break;
        const refusal = judge(event);
        if (refusal) {
          stream.rejected += 1;
          if (!retry) {
            stream.refused.set(event.seq, refusal);
            stream.advance();
            lines.push({ refused: { storeId, seq: event.seq, ...refusal } });
          }
          // The events before it are stored: for a retry, everything below it was handled long ago.
          return { kind: 'rejected', status: refusal.status, acceptedThrough: event.seq - 1, rejected: { seq: event.seq, code: refusal.code, reason: refusal.reason }, stored, duplicates };
        }
        this.keep(stream, event);
        lines.push({ stored: event });
        stored += 1;
      }
      return { kind: 'accepted', acceptedThrough: stream.through, stored, duplicates };
    } finally {
      stream.duplicates += duplicates;
      this.write(lines);
    }
  }

  /** The events stored for the store, each once, in seq order. */
  received(storeId: string): DmsEvent[] {
    return [...(this.streams.get(storeId)?.stored.values() ?? [])].sort((a, b) => a.seq - b.seq);
  }

  counters(storeId: string): StreamCounters {
    const s = this.streams.get(storeId);
    return { batches: s?.batches ?? 0, stored: s?.stored.size ?? 0, duplicates: s?.duplicates ?? 0, rejected: s?.rejected ?? 0, through: s?.through ?? 0 };
  }

  storeIds(): string[] {
    return [...this.streams.keys()].sort();
  }

  private keep(stream: Stream, event: DmsEvent): void {
    stream.stored.set(event.seq, event);
    stream.eventIds.add(event.eventId);
    stream.refused.delete(event.seq);
    stream.advance();
  }

  private stream(storeId: string): Stream {
    let stream = this.streams.get(storeId);
    if (!stream) {
      stream = new Stream();
      this.streams.set(storeId, stream);
    }
    return stream;
  }

  private write(lines: readonly Line[]): void {
    if (this.file && lines.length > 0) appendFileSync(this.file, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  }

  private replay(text: string): void {
    for (const raw of text.split('\n')) {
      if (!raw.trim()) continue;
      const line = JSON.parse(raw) as Line;
      if ('baseline' in line) {
        this.stream(line.baseline.storeId).through = line.baseline.through;
      } else if ('stored' in line) {
        this.keep(this.stream(line.stored.storeId), line.stored);
      } else if ('sameEventId' in line) {
        const stream = this.stream(line.sameEventId.storeId);
        stream.sameEventId.add(line.sameEventId.seq);
        stream.advance();
      } else {
        const { storeId, seq, ...refusal } = line.refused;
        const stream = this.stream(storeId);
        stream.refused.set(seq, refusal);
        stream.advance();
      }
    }
  }
}
