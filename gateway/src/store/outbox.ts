import { randomUUID } from 'node:crypto';
import type { AggregateType, DeadLetter, DmsEvent, EventSchemaName } from '../protocol/dms.js';
import type { Db } from './database.js';

/** An event for head office as a store writes it; the outbox gives it its seq and eventId. */
export interface OutboxEntry {
  type: string;
  aggregate: { type: AggregateType; id: string };
  at: string;
  schema: EventSchemaName;
  data: unknown;
}

export type TransportName = 'http' | 'mqtt';

/** An event as it goes on the wire: its envelope already serialized (by SQLite, see `afterSerialized`). */
export interface SerializedEvent {
  seq: number;
  aggregateType: AggregateType;
  json: string;
}

interface OutboxRow {
  seq: number;
  eventId: string;
  type: string;
  aggregateType: AggregateType;
  aggregateId: string;
  at: string;
  schema: EventSchemaName;
  data: string;
}

const ROW_COLUMNS = `seq, event_id AS eventId, type, aggregate_type AS aggregateType, aggregate_id AS aggregateId, at, schema, data`;
/** Approximately what a row takes: its data and columns, and the row's own overhead. */
const ROW_BYTES = 'length(data) + length(type) + length(aggregate_id) + 120';

/** Events deleted by a purge, and the bytes (ROW_BYTES) they took. */
export interface Purged {
  count: number;
  bytes: number;
}

function purged(sizes: readonly number[]): Purged {
  return { count: sizes.length, bytes: sizes.reduce((a, b) => a + b, 0) };
}

/**
 * The DMS outbox (migration 7). Stores call `append` inside the transaction of the change the
 * event reports, so an event exists exactly when its change does; the relay reads it in seq order
 * and records per transport how far the receiver has acknowledged it.
 */
export class Outbox {
  private readonly stmt;

  constructor(db: Db) {
    this.stmt = {
      append: db.prepare(
        `INSERT INTO outbox (event_id, type, aggregate_type, aggregate_id, at, schema, data)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      // SQLite writes the envelope itself: the relay sends it without making objects of it.
      afterSerialized: db.prepare(
        `SELECT seq, aggregate_type AS aggregateType,
           json_object('storeId', @storeId, 'seq', seq, 'eventId', event_id, 'type', type,
             'aggregate', json_object('type', aggregate_type, 'id', aggregate_id), 'at', at, 'data', json(data), 'schema', schema) AS json
         FROM outbox WHERE seq > @after ORDER BY seq LIMIT @limit`,
      ),
      bySeq: db.prepare(`SELECT ${ROW_COLUMNS} FROM outbox WHERE seq = ?`),
      lastSeq: db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'outbox'`).pluck(),
      firstSeq: db.prepare('SELECT MIN(seq) FROM outbox').pluck(),
      oldestAfter: db.prepare('SELECT at FROM outbox WHERE seq > ? ORDER BY seq LIMIT 1').pluck(),
      cursor: db.prepare('SELECT acked_through FROM relay_cursor WHERE transport = ?').pluck(),
      ack: db.prepare(
        `INSERT INTO relay_cursor (transport, acked_through, acked_at) VALUES (?, ?, ?)
         ON CONFLICT (transport) DO UPDATE SET acked_through = excluded.acked_through, acked_at = excluded.acked_at
         WHERE excluded.acked_through > relay_cursor.acked_through`,
      ),
      deadLetter: db.prepare(
        `INSERT INTO relay_dead_letter (transport, seq, code, reason, at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (transport, seq) DO UPDATE SET code = excluded.code, reason = excluded.reason, at = excluded.at,
           resolved_at = NULL, resolved_by = NULL`,
      ),
      deadLetters: db.prepare(
        `SELECT d.transport, d.code, d.reason, d.at AS rejectedAt, o.seq, o.event_id AS eventId, o.type,
           o.aggregate_type AS aggregateType, o.aggregate_id AS aggregateId, o.at, o.schema, o.data
         FROM relay_dead_letter d JOIN outbox o ON o.seq = d.seq
         WHERE d.resolved_at IS NULL ORDER BY d.seq LIMIT ?`,
      ),
      openDeadLetters: db.prepare('SELECT COUNT(*) FROM relay_dead_letter WHERE transport = ? AND resolved_at IS NULL').pluck(),
      resolve: db.prepare('UPDATE relay_dead_letter SET resolved_at = ?, resolved_by = ? WHERE transport = ? AND seq = ? AND resolved_at IS NULL'),
      sizeAfter: db.prepare(`SELECT COALESCE(SUM(${ROW_BYTES}), 0) AS bytes, MAX(seq) AS lastSeq FROM outbox WHERE seq > ?`),
      // From the oldest up: stops at the first event young enough, so it reads only the old ones.
      firstYoung: db.prepare('SELECT seq FROM outbox WHERE seq <= @through AND at >= @before ORDER BY seq LIMIT 1').pluck(),
      purgeBelow: db
        .prepare(
          `DELETE FROM outbox WHERE seq IN (
             SELECT seq FROM outbox WHERE seq < @below
               AND seq NOT IN (SELECT seq FROM relay_dead_letter WHERE resolved_at IS NULL)
             ORDER BY seq LIMIT @limit)
           RETURNING ${ROW_BYTES}`,
        )
        .pluck(),
      // Two statements, not one with OR, so each uses an index: the seq range, the dead letters.
      oldestUnsentOf: db.prepare('SELECT MIN(at) FROM outbox WHERE seq > ? AND aggregate_type = ?').pluck(),
      oldestDeadOf: db.prepare(
        `SELECT MIN(o.at) FROM relay_dead_letter d JOIN outbox o ON o.seq = d.seq WHERE d.resolved_at IS NULL AND o.aggregate_type = ?`,
      ).pluck(),
    };
  }

  /** Call inside the change's transaction; returns the event's seq. */
  append(entry: OutboxEntry): number {
    const { lastInsertRowid } = this.stmt.append.run(
      randomUUID(),
      entry.type,
      entry.aggregate.type,
      entry.aggregate.id,
      entry.at,
      entry.schema,
      JSON.stringify(entry.data),
    );
    return Number(lastInsertRowid);
  }

  /** The highest seq ever given (0 before the first event), also after purges. */
  lastSeq(): number {
    return (this.stmt.lastSeq.get() as number | undefined) ?? 0;
  }

  /** Up to `limit` events after `seq`, in order, as envelopes of `storeId`. */
  after(storeId: string, seq: number, limit: number): DmsEvent[] {
    return this.afterSerialized(storeId, seq, limit).map((e) => JSON.parse(e.json) as DmsEvent);
  }

  /** The same, serialized for the wire. */
  afterSerialized(storeId: string, seq: number, limit: number): SerializedEvent[] {
    return this.stmt.afterSerialized.all({ storeId, after: seq, limit }) as SerializedEvent[];
  }

  event(storeId: string, seq: number): DmsEvent | undefined {
    const row = this.stmt.bySeq.get(seq) as OutboxRow | undefined;
    return row && envelope(storeId, row);
  }

  ackedThrough(transport: TransportName): number {
    return (this.stmt.cursor.get(transport) as number | undefined) ?? 0;
  }

  /** Records the receiver's acknowledgement; a cursor never moves backwards. */
  ack(transport: TransportName, through: number, at: string): void {
    this.stmt.ack.run(transport, through, at);
  }

  /** How many events the transport has not had acknowledged, and when the oldest of them happened. */
  backlog(transport: TransportName): { count: number; oldestAt: string | null } {
    const through = this.ackedThrough(transport);
    // seq has no gaps and unsent events are never purged, so the count needs no scan of the table
    // (a link added later starts at the oldest event still kept).
    const last = this.lastSeq();
    const from = Math.max(through, (this.first() ?? last + 1) - 1);
    return { count: Math.max(0, last - from), oldestAt: (this.stmt.oldestAfter.get(through) as string | undefined) ?? null };
  }

  /** A refused event: kept (never purged) until a manager retries it. */
  reject(transport: TransportName, seq: number, code: string, reason: string, at: string): void {
    this.stmt.deadLetter.run(transport, seq, code, reason, at);
  }

  deadLetters(storeId: string, limit = 200): DeadLetter[] {
    const rows = this.stmt.deadLetters.all(limit) as (OutboxRow & { transport: TransportName; code: string; reason: string; rejectedAt: string })[];
    return rows.map((row) => ({
      seq: row.seq,
      transport: row.transport,
      type: row.type,
      aggregate: { type: row.aggregateType, id: row.aggregateId },
      code: row.code,
      reason: row.reason,
      at: row.rejectedAt,
      event: envelope(storeId, row),
    }));
  }

  openDeadLetters(transport: TransportName): number {
    return this.stmt.openDeadLetters.get(transport) as number;
  }

  /** Marks a dead letter handled (after a successful resend); false if there was none open. */
  resolve(transport: TransportName, seq: number, at: string, by: string): boolean {
    return this.stmt.resolve.run(at, by, transport, seq).changes === 1;
  }

  /**
   * What the events after `seq` take, and the last of them (undefined when there is none): from
   * 0 the whole outbox (a scan of every row), from the last seq seen only the events since.
   */
  sizeAfter(seq: number): { bytes: number; lastSeq: number | undefined } {
    const row = this.stmt.sizeAfter.get(seq) as { bytes: number; lastSeq: number | null };
    return { bytes: row.bytes, lastSeq: row.lastSeq ?? undefined };
  }

  first(): number | undefined {
    return (this.stmt.firstSeq.get() as number | null) ?? undefined;
  }

  /**
   * Retention's bound: every event below the seq returned is acknowledged (`through`) and older
   * than `before`. Events are old up to the first young one: seq and time rise together, and after
   * a clock set back the events behind a younger one wait for it, kept a little longer, never
   * purged early.
   */
  oldAcknowledgedBelow(through: number, before: string): number {
    return (this.stmt.firstYoung.get({ through, before }) as number | undefined) ?? through + 1;
  }

  /** Retention: deletes at most `limit` events below seq `below`, the oldest first; open dead letters stay. */
  purgeBelow(below: number, limit: number): Purged {
    return purged(this.stmt.purgeBelow.all({ below, limit }) as number[]);
  }

  /**
   * When the oldest event of an aggregate type that head office does not hold yet happened: not
   * acknowledged through `through`, or refused and still open. Undefined when it holds them all.
   */
  oldestPendingAt(aggregateType: AggregateType, through: number): string | undefined {
    const times = [this.stmt.oldestUnsentOf.get(through, aggregateType), this.stmt.oldestDeadOf.get(aggregateType)].filter((t): t is string => typeof t === 'string');
    return times.sort()[0];
  }
}

function envelope(storeId: string, row: OutboxRow): DmsEvent {
  return {
    storeId,
    seq: row.seq,
    eventId: row.eventId,
    type: row.type,
    aggregate: { type: row.aggregateType, id: row.aggregateId },
    at: row.at,
    data: JSON.parse(row.data) as unknown,
    schema: row.schema,
  };
}
