import type { RepairOrder, StageEntry, WorkshopEvent, WorkshopStore } from '../domain/workshop/index.js';
import type { Db } from './database.js';
import { Outbox } from './outbox.js';
import { writeTransaction } from './write-transaction.js';
import { ticketKey, workshopEntry } from '../relay/outbound-events.js';

/** Repair orders in the store's SQLite database (tables of migration 3). */
export class SqliteWorkshopStore implements WorkshopStore {
  private readonly writeLocked;
  private readonly byIdStmt;
  private readonly byNoStmt;
  private readonly byTokenStmt;
  private readonly byTicketStmt;
  private readonly byExitPassStmt;
  private readonly openOfPlateStmt;
  private readonly ofDayStmt;
  private readonly recentStmt;
  private readonly nextNumberStmt;
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly appendEventStmt;
  private readonly ticketKeyStmt;

  /** `outbox`: every event also goes to head office, in the same transaction. */
  constructor(
    db: Db,
    private readonly outbox = new Outbox(db),
  ) {
    this.writeLocked = writeTransaction(db);
    this.byIdStmt = db.prepare('SELECT data FROM workshop_order WHERE id = ?').pluck();
    this.byNoStmt = db.prepare('SELECT data FROM workshop_order WHERE no = ?').pluck();
    this.byTokenStmt = db.prepare('SELECT data FROM workshop_order WHERE token = ?').pluck();
    this.byTicketStmt = db.prepare('SELECT data FROM workshop_order WHERE ticket_id = ? ORDER BY created_at DESC LIMIT 1').pluck();
    // Indexed by migration 8's expression index, the same expression.
    this.byExitPassStmt = db.prepare("SELECT data FROM workshop_order WHERE json_extract(data, '$.exitPass') = ?").pluck();
    this.openOfPlateStmt = db.prepare("SELECT data FROM workshop_order WHERE plate = ? AND stage <> 'released' ORDER BY created_at").pluck();
    this.ofDayStmt = db
      .prepare(
        `SELECT data FROM workshop_order
         WHERE (stage NOT IN ('released', 'appointment')) OR (stage = 'appointment' AND appointment_day = @day)
            OR (stage = 'released' AND released_day = @day)
         ORDER BY no`,
      )
      .pluck();
    this.recentStmt = db.prepare("SELECT json_extract(data, '$.history') FROM workshop_order ORDER BY created_at DESC LIMIT ?").pluck();
    this.nextNumberStmt = db
      .prepare(
        `INSERT INTO reception_counter (business_day, last) VALUES (?, 1)
         ON CONFLICT (business_day) DO UPDATE SET last = last + 1
         RETURNING last`,
      )
      .pluck();
    this.insertStmt = db.prepare(
      `INSERT INTO workshop_order (id, no, token, ticket_id, plate, stage, created_at, appointment_day, released_day, data)
       VALUES (@id, @no, @token, @ticketId, @plate, @stage, @createdAt, @appointmentDay, NULL, @data)`,
    );
    // Identity, number, token and creation never change; the rest follows the order.
    this.updateStmt = db.prepare(
      `UPDATE workshop_order SET ticket_id = @ticketId, plate = @plate, stage = @stage, released_day = @releasedDay, data = @data
       WHERE id = @id`,
    );
    this.ticketKeyStmt = db.prepare('SELECT business_day AS businessDay, number FROM queue_ticket WHERE id = ?');
    this.appendEventStmt = db.prepare('INSERT INTO workshop_event (id, type, at, order_id, payload) VALUES (?, ?, ?, ?, ?)');
  }

  /** The write lock before the first read, so what the command validated stays true. */
  transaction<T>(fn: () => T): T {
    return this.writeLocked(fn);
  }

  orderById(id: string): RepairOrder | undefined {
    return parse(this.byIdStmt.get(id));
  }

  orderByNo(no: string): RepairOrder | undefined {
    return parse(this.byNoStmt.get(no));
  }

  orderByToken(token: string): RepairOrder | undefined {
    return parse(this.byTokenStmt.get(token));
  }

  orderByTicket(ticketId: string): RepairOrder | undefined {
    return parse(this.byTicketStmt.get(ticketId));
  }

  orderByExitPass(code: string): RepairOrder | undefined {
    return parse(this.byExitPassStmt.get(code));
  }

  openOrdersOfPlate(plate: string): RepairOrder[] {
    return (this.openOfPlateStmt.all(plate) as string[]).map(parseOrder);
  }

  ordersOfDay(businessDay: string): RepairOrder[] {
    return (this.ofDayStmt.all({ day: businessDay }) as string[]).map(parseOrder);
  }

  recentHistories(limit: number): StageEntry[][] {
    return (this.recentStmt.all(limit) as string[]).map((d) => JSON.parse(d) as StageEntry[]);
  }

  nextNumber(businessDay: string): number {
    return this.nextNumberStmt.get(businessDay) as number;
  }

  insertOrder(order: RepairOrder, appointmentDay: string | null): void {
    this.insertStmt.run({ ...columns(order), appointmentDay });
  }

  updateOrder(order: RepairOrder, releasedDay: string | null): void {
    const { changes } = this.updateStmt.run({ ...columns(order), releasedDay });
    if (changes !== 1) throw new Error(`repair order ${order.no} is not in the database`);
  }

  appendEvent(event: WorkshopEvent): void {
    this.appendEventStmt.run(event.id, event.type, event.at, event.order.id, JSON.stringify(event));
    this.outbox.append(workshopEntry(event, (id) => this.ticketKeyOf(id)));
  }
  /** The ticket as head office knows it (day and number), never its page id. */
  private ticketKeyOf(ticketId: string): string | null {
    const row = this.ticketKeyStmt.get(ticketId) as { businessDay: string; number: string } | undefined;
    return row ? ticketKey(row.businessDay, row.number) : null;
  }

}

function columns(order: RepairOrder) {
  const { id, no, token, ticketId, plate, stage, createdAt } = order;
  return { id, no, token, ticketId, plate, stage, createdAt, data: JSON.stringify(order) };
}

function parse(data: unknown): RepairOrder | undefined {
  return typeof data === 'string' ? parseOrder(data) : undefined;
}

/** An order as stored; one written before the workflow documents has none of their fields yet. */
function parseOrder(data: string): RepairOrder {
  const order = JSON.parse(data) as RepairOrder;
  return {
    ...order,
    mileageKm: order.mileageKm ?? null,
    settlement: order.settlement ?? null,
    exitPass: order.exitPass ?? null,
    jobs: order.jobs.map((j) => ({ ...j, labourEstimate: j.labourEstimate ?? null, partsEstimate: j.partsEstimate ?? null })),
  };
}
