import type { CallOutcome, CallTime } from '../protocol/survey.js';
import type { Db } from './database.js';
import { Outbox, type OutboxEntry } from './outbox.js';
import { writeTransaction } from './write-transaction.js';
import { RELEASED_COLUMNS, type ReleasedOrder } from './survey-store.js';

/** One call attempt. */
export interface StoredCall {
  seq: number;
  orderId: string;
  releasedAt: string;
  outcome: CallOutcome;
  note: string | null;
  at: string;
  by: string;
}

/** An open complaint flag with its call and order. */
export interface OpenFlag extends StoredCall {
  orderNo: string;
  plate: string;
  advisor: string;
  customerRef: string | null;
}

/**
 * Follow-up calls (回訪) in SQLite (migration 10): the preferred call time, every call attempt per
 * release, complaint flags. Every write also appends its event for head office to the outbox, in
 * the caller's transaction.
 */
export class SqliteFollowUpStore {
  private readonly stmt;
  private readonly writeLocked;

  constructor(
    db: Db,
    private readonly outbox = new Outbox(db),
  ) {
    this.writeLocked = writeTransaction(db);
    this.stmt = {
      byId: db.prepare(`SELECT ${RELEASED_COLUMNS} FROM workshop_order o WHERE o.id = ?`),
      // Released orders by business day of release (indexed), with their release instant.
      released: db.prepare(
        `SELECT ${RELEASED_COLUMNS} FROM workshop_order o
         WHERE o.stage = 'released' AND o.released_day BETWEEN @fromDay AND @toDay ORDER BY o.released_day, o.no`,
      ),
      ratingsOf: db.prepare('SELECT order_id AS orderId, rating FROM survey_answer WHERE order_id IN (SELECT value FROM json_each(?))'),
      setPreference: db.prepare(
        `INSERT INTO follow_up_preference (order_id, call_time, set_at, set_by) VALUES (?, ?, ?, ?)
         ON CONFLICT (order_id) DO UPDATE SET call_time = excluded.call_time, set_at = excluded.set_at, set_by = excluded.set_by`,
      ),
      preferencesOf: db.prepare('SELECT order_id AS orderId, call_time AS callTime FROM follow_up_preference WHERE order_id IN (SELECT value FROM json_each(?))'),
      insertCall: db.prepare('INSERT INTO follow_up_call (order_id, released_at, outcome, note, at, by) VALUES (?, ?, ?, ?, ?, ?) RETURNING seq').pluck(),
      callsOf: db.prepare(
        `SELECT seq, order_id AS orderId, released_at AS releasedAt, outcome, note, at, by FROM follow_up_call
         WHERE order_id IN (SELECT value FROM json_each(?)) ORDER BY seq`,
      ),
      callsOfRelease: db.prepare(
        'SELECT seq, order_id AS orderId, released_at AS releasedAt, outcome, note, at, by FROM follow_up_call WHERE order_id = ? AND released_at = ? ORDER BY seq',
      ),
      openFlag: db.prepare('INSERT INTO complaint_flag (call_seq, order_id) VALUES (?, ?)'),
      openFlags: db.prepare(
        `SELECT c.seq, c.order_id AS orderId, c.released_at AS releasedAt, c.outcome, c.note, c.at, c.by,
           o.no AS orderNo, o.plate, json_extract(o.data, '$.advisor') AS advisor, json_extract(o.data, '$.customerRef') AS customerRef
         FROM complaint_flag f JOIN follow_up_call c ON c.seq = f.call_seq JOIN workshop_order o ON o.id = f.order_id
         WHERE f.closed_at IS NULL ORDER BY c.seq`,
      ),
      flag: db.prepare('SELECT call_seq AS seq, order_id AS orderId, closed_at AS closedAt FROM complaint_flag WHERE call_seq = ?'),
      closeFlag: db.prepare('UPDATE complaint_flag SET closed_at = ?, closed_by = ?, close_note = ? WHERE call_seq = ? AND closed_at IS NULL'),
    };
  }

  /** Runs `fn` with the write lock taken first, so what it read stays true until it commits. */
  transaction<T>(fn: () => T): T {
    return this.writeLocked(fn);
  }

  /** An order's follow-up fields whatever its stage (`releasedAt` null when a comeback reopened it). */
  orderById(id: string): (Omit<ReleasedOrder, 'releasedAt'> & { releasedAt: string | null }) | undefined {
    return this.stmt.byId.get(id) as (Omit<ReleasedOrder, 'releasedAt'> & { releasedAt: string | null }) | undefined;
  }

  releasedBetween(fromDay: string, toDay: string): ReleasedOrder[] {
    return this.stmt.released.all({ fromDay, toDay }) as ReleasedOrder[];
  }

  /** The survey ratings of these orders, where answered. */
  ratings(orderIds: readonly string[]): Map<string, number> {
    const rows = this.stmt.ratingsOf.all(JSON.stringify(orderIds)) as { orderId: string; rating: number }[];
    return new Map(rows.map((r) => [r.orderId, r.rating]));
  }

  setPreference(orderId: string, callTime: CallTime, at: string, by: string, event: OutboxEntry): void {
    this.stmt.setPreference.run(orderId, callTime, at, by);
    this.outbox.append(event);
  }

  preferences(orderIds: readonly string[]): Map<string, CallTime> {
    const rows = this.stmt.preferencesOf.all(JSON.stringify(orderIds)) as { orderId: string; callTime: CallTime }[];
    return new Map(rows.map((r) => [r.orderId, r.callTime]));
  }

  /** Calls of these orders, oldest first. */
  calls(orderIds: readonly string[]): StoredCall[] {
    return this.stmt.callsOf.all(JSON.stringify(orderIds)) as StoredCall[];
  }

  callsOfRelease(orderId: string, releasedAt: string): StoredCall[] {
    return this.stmt.callsOfRelease.all(orderId, releasedAt) as StoredCall[];
  }

  /** Stores a call (and a complaint's flag) with its event; returns the call's seq. */
  insertCall(call: Omit<StoredCall, 'seq'>, event: (seq: number) => OutboxEntry): number {
    const seq = this.stmt.insertCall.get(call.orderId, call.releasedAt, call.outcome, call.note, call.at, call.by) as number;
    if (call.outcome === 'complaint') this.stmt.openFlag.run(seq, call.orderId);
    this.outbox.append(event(seq));
    return seq;
  }

  openFlags(): OpenFlag[] {
    return this.stmt.openFlags.all() as OpenFlag[];
  }

  flag(seq: number): { seq: number; orderId: string; closedAt: string | null } | undefined {
    return this.stmt.flag.get(seq) as { seq: number; orderId: string; closedAt: string | null } | undefined;
  }

  /** Closes an open flag; false when it was closed meanwhile. */
  closeFlag(seq: number, at: string, by: string, note: string | null, event: OutboxEntry): boolean {
    if (this.stmt.closeFlag.run(at, by, note, seq).changes === 0) return false;
    this.outbox.append(event);
    return true;
  }
}
