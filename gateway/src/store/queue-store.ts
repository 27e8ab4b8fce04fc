import type { ModeState, QueueEvent, QueueStore, StoredEvent, Ticket, TicketState } from '../domain/queue/index.js';
import type { Db } from './database.js';
import { Outbox } from './outbox.js';
import { writeTransaction } from './write-transaction.js';
import { queueEntry } from '../relay/outbound-events.js';

const TICKET_COLUMNS = `id, business_day AS businessDay, number, service, original_service AS originalService,
  priority, state, issued_at AS issuedAt, called_at AS calledAt, desk, recall_count AS recallCount,
  no_show_at AS noShowAt, member_ref AS memberRef, first_wait_min AS firstWaitMin, first_wait_low AS firstWaitLow,
  first_wait_high AS firstWaitHigh`;

export const MODE_KEY = 'queue.mode';

/** The queue in the store's SQLite database (tables of migrations 2 and 13, mode in `meta`). */
export class SqliteQueueStore implements QueueStore {
  private readonly writeLocked;
  private readonly ticketStmt;
  private readonly ticketsOfDayStmt;
  private readonly nextNumberStmt;
  private readonly insertTicketStmt;
  private readonly updateTicketStmt;
  private readonly appendEventStmt;
  private readonly latestEventsStmt;
  private readonly eventsAfterStmt;
  private readonly lastSeqStmt;
  private readonly modeStmt;
  private readonly saveModeStmt;

  /** `outbox`: every event also goes to head office, in the same transaction. */
  constructor(
    private readonly db: Db,
    private readonly outbox = new Outbox(db),
  ) {
    this.writeLocked = writeTransaction(db);
    this.ticketStmt = db.prepare(`SELECT ${TICKET_COLUMNS} FROM queue_ticket WHERE id = ?`);
    this.ticketsOfDayStmt = db.prepare(
      `SELECT ${TICKET_COLUMNS} FROM queue_ticket
       WHERE business_day = ? AND state IN (SELECT value FROM json_each(?))
       ORDER BY issued_at, number`,
    );
    this.nextNumberStmt = db.prepare(
      `INSERT INTO ticket_counter (business_day, service, last) VALUES (?, ?, 1)
       ON CONFLICT (business_day, service) DO UPDATE SET last = last + 1
       RETURNING last`,
    );
    this.insertTicketStmt = db.prepare(
      `INSERT INTO queue_ticket (id, business_day, number, service, original_service, priority, state,
         issued_at, called_at, desk, recall_count, no_show_at, member_ref, first_wait_min, first_wait_low, first_wait_high)
       VALUES (@id, @businessDay, @number, @service, @originalService, @priority, @state,
         @issuedAt, @calledAt, @desk, @recallCount, @noShowAt, @memberRef, @firstWaitMin, @firstWaitLow, @firstWaitHigh)`,
    );
    // Only what a transition may change; identity, number, priority and issue time are fixed.
    this.updateTicketStmt = db.prepare(
      `UPDATE queue_ticket SET service = @service, state = @state,
         called_at = @calledAt, desk = @desk, recall_count = @recallCount, no_show_at = @noShowAt
       WHERE id = @id`,
    );
    this.appendEventStmt = db.prepare('INSERT INTO queue_event (id, type, at, payload) VALUES (?, ?, ?, ?)');
    // Newest first, so reading stops at the first older one instead of scanning the whole log
    // (`at` has no index; the log is never pruned).
    this.latestEventsStmt = db.prepare('SELECT seq, at, payload FROM queue_event ORDER BY seq DESC');
    this.eventsAfterStmt = db.prepare('SELECT seq, payload FROM queue_event WHERE seq > ? ORDER BY seq');
    this.lastSeqStmt = db.prepare('SELECT COALESCE(MAX(seq), 0) FROM queue_event').pluck();
    this.modeStmt = db.prepare('SELECT value FROM meta WHERE key = ?').pluck();
    this.saveModeStmt = db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
  }

  /** The write lock before the first read: no other connection can change what the transition validated. */
  transaction<T>(fn: () => T): T {
    return this.writeLocked(fn);
  }

  ticket(id: string): Ticket | undefined {
    return this.ticketStmt.get(id) as Ticket | undefined;
  }

  ticketsOfDay(businessDay: string, states: readonly TicketState[]): Ticket[] {
    return this.ticketsOfDayStmt.all(businessDay, JSON.stringify(states)) as Ticket[];
  }

  nextNumber(businessDay: string, service: string): number {
    return (this.nextNumberStmt.get(businessDay, service) as { last: number }).last;
  }

  insertTicket(ticket: Ticket): void {
    this.insertTicketStmt.run(ticket);
  }

  updateTicket(ticket: Ticket): void {
    const { changes } = this.updateTicketStmt.run(ticket);
    if (changes !== 1) throw new Error(`ticket ${ticket.id} is not in the database`);
  }

  appendEvent(event: QueueEvent): void {
    this.appendEventStmt.run(event.id, event.type, event.at, JSON.stringify(event));
    this.outbox.append(queueEntry(event));
  }

  eventsSince(at: string): StoredEvent[] {
    const since = Date.parse(at);
    const events: StoredEvent[] = [];
    for (const row of this.latestEventsStmt.iterate() as IterableIterator<{ seq: number; at: string; payload: string }>) {
      if (Date.parse(row.at) < since) break;
      events.push({ seq: row.seq, event: JSON.parse(row.payload) as QueueEvent });
    }
    return events.reverse();
  }

  eventsAfter(seq: number): StoredEvent[] {
    return (this.eventsAfterStmt.all(seq) as { seq: number; payload: string }[]).map((row) => ({ seq: row.seq, event: JSON.parse(row.payload) as QueueEvent }));
  }

  lastEventSeq(): number {
    return this.lastSeqStmt.get() as number;
  }

  inTransaction(): boolean {
    return this.db.inTransaction;
  }

  mode(): ModeState | undefined {
    const value = this.modeStmt.get(MODE_KEY) as string | undefined;
    return value === undefined ? undefined : (JSON.parse(value) as ModeState);
  }

  saveMode(state: ModeState): void {
    this.saveModeStmt.run(MODE_KEY, JSON.stringify(state));
  }
}
