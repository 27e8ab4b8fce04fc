import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoMember } from '../../../gateway/src/demo/demo-members.js';
import { QueueEngine, type TicketEvent } from '../../../gateway/src/domain/queue/index.js';
import type { WorkshopEvent } from '../../../gateway/src/domain/workshop/events.js';
import { WorkshopEngine } from '../../../gateway/src/domain/workshop/index.js';
import { DmsEvent, EVENT_SCHEMAS, WorkshopCommand, type WorkshopCommandInput } from '../../../gateway/src/protocol/index.js';
import { followUpEntry, queueEntry, surveyAnswerEntry, workshopEntry } from '../../../gateway/src/relay/outbound-events.js';
import { AuditLog } from '../../../gateway/src/store/audit-log.js';
import { openDatabase, type Db } from '../../../gateway/src/store/database.js';
import { SqliteMemberStore } from '../../../gateway/src/store/member-store.js';
import { Outbox } from '../../../gateway/src/store/outbox.js';
import { PrintQueueStore } from '../../../gateway/src/store/print-queue.js';
import { SqliteQueueStore } from '../../../gateway/src/store/queue-store.js';
import { SqliteFollowUpStore } from '../../../gateway/src/store/follow-up-store.js';
import { SqliteSurveyStore } from '../../../gateway/src/store/survey-store.js';
import { SqliteWorkshopStore } from '../../../gateway/src/store/workshop-store.js';
import { FakeClock, TZ } from '../queue/fixtures.js';

const START = '2026-03-10T10:00:00+08:00';
const BUSINESS_DAY = '2026-03-10';

/** A store's day on real SQLite: queue, workshop, a kiosk check-in, audit rows and a failed print, all through the stores. */
function storeDay(db: Db, clock: FakeClock) {
  const queue = new QueueEngine({ store: new SqliteQueueStore(db), clock: clock.now, timeZone: TZ });
  const workshop = new WorkshopEngine({ store: new SqliteWorkshopStore(db), clock: clock.now, timeZone: TZ });
  const members = new SqliteMemberStore(db);
  const member = demoMember(4, clock.now(), TZ);
  members.upsertMembers([member]);
  const appointment = member.appointments[0]!;
  const vehicle = member.vehicles[0]!;

  const ticketEvents: TicketEvent[] = [];
  const ticket = (event: ReturnType<QueueEngine['execute']>) => {
    if (event.type === 'mode.changed') throw new Error('not a ticket event');
    ticketEvents.push(event);
    clock.advanceMin(1);
    return event.ticket;
  };
  const a1 = ticket(queue.execute({ action: 'issue', service: 'maintenance', memberRef: `member:${member.id}/vehicle:${vehicle.id}` }, 'kiosk-1'));
  members.checkIn(appointment.id, `${a1.businessDay}/${a1.number}`, clock.now().toISOString());
  const b1 = ticket(queue.execute({ action: 'issue', service: 'repair', priority: 'vip' }, 'kiosk-1'));
  ticket(queue.execute({ action: 'call', desk: '1', ticketId: a1.id }, 'desk:1'));
  ticket(queue.execute({ action: 'recall', desk: '1', ticketId: a1.id }, 'desk:1'));
  ticket(queue.execute({ action: 'start', desk: '1', ticketId: a1.id }, 'desk:1'));
  ticket(queue.execute({ action: 'transfer', ticketId: b1.id, service: 'claims' }, 'desk:2'));
  ticket(queue.execute({ action: 'call-next', desk: '2' }, 'desk:2'));
  ticket(queue.execute({ action: 'no-show', desk: '2', ticketId: b1.id }, 'desk:2'));
  ticket(queue.execute({ action: 'put-back', ticketId: b1.id }, 'desk:2'));
  ticket(queue.execute({ action: 'cancel', ticketId: b1.id }, 'desk:2'));
  queue.execute({ action: 'set-mode', mode: 'peak' }, 'desk:1');

  const workshopEvents: WorkshopEvent[] = [];
  const run = (input: WorkshopCommandInput) => {
    const event = workshop.execute(WorkshopCommand.parse(input), 'desk:1');
    workshopEvents.push(event);
    clock.advanceMin(5);
    return event.order;
  };
  const order = run({ action: 'open', plate: vehicle.plate, model: vehicle.model, advisor: '王芳', jobs: [{ title: 'Oil service', technicians: ['张伟'] }], ticketId: a1.id });
  run({ action: 'move', order: order.no, to: 'dispatched' });
  run({ action: 'job-start', order: order.no, job: 1 });
  run({ action: 'job-pause', order: order.no, job: 1, reason: 'parts' });
  run({ action: 'job-resume', order: order.no, job: 1 });
  run({ action: 'job-finish', order: order.no, job: 1 });
  run({ action: 'book', plate: '粤B·12345', model: 'Toyota Camry', advisor: '王芳', jobs: [], appointmentAt: new Date(clock.now().getTime() + 3_600_000).toISOString() });
  ticket(queue.execute({ action: 'finish', desk: '1', ticketId: a1.id }, 'desk:1'));

  new AuditLog(db, clock.now).write({ actor: 'staff:1001', role: 'manager', via: 'desk' }, { action: 'member.reveal-phone', target: 'member:AbCdEfGhIjKlMnOpQrStUv' });
  const prints = new PrintQueueStore(db);
  const job = prints.enqueue({ printer: 'desk-printer', kind: 'ticket', label: a1.number, data: new Uint8Array([0x1b, 0x40]) }, clock.now());
  prints.cancel(job.id, 'paper-out', clock.now());

  // The customer's survey answer and the follow-up call's preferred time (as the survey service writes them).
  const surveys = new SqliteSurveyStore(db);
  const at = clock.now().toISOString();
  const ids = { customerId: member.id, vehicleId: vehicle.id };
  new SqliteFollowUpStore(db).setPreference(order.id, 'evening', at, 'staff:1002', followUpEntry(order.id, { order: order.no, kind: 'preference', releasedAt: null, ...ids, callTime: 'evening', at, by: 'staff:1002' }));
  const answer = { orderId: order.id, orderNo: order.no, releasedAt: at, advisor: '王芳', rating: 4, tags: ['quality' as const], comment: 'quick and clean', via: 'kiosk' as const, answeredAt: at };
  surveys.insertAnswer(answer, surveyAnswerEntry(order.id, { order: order.no, releasedAt: at, advisor: '王芳', ...ids, rating: 4, tags: ['quality'], comment: answer.comment, via: 'kiosk', answeredAt: at }));

  return { member, appointment, tickets: [a1, b1], order: workshopEvents.at(-1)!.order, ticketEvents, workshopEvents };
}

describe('outbound events', () => {
  let dir = '';
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'forecourt-outbound-'));
    db = openDatabase(dir);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every event a store day writes is a valid DmsEvent, and together they use every schema', () => {
    storeDay(db, new FakeClock(START));
    const events = new Outbox(db).after('store-1', 0, 1000);
    for (const event of events) expect(DmsEvent.safeParse(event).error?.issues ?? [], `${event.seq} ${event.type}`).toEqual([]);
    expect(new Set(events.map((e) => e.schema))).toEqual(new Set(Object.keys(EVENT_SCHEMAS)));
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });

  it('names a ticket by business day and number, also on the repair order and the check-in', () => {
    const day = storeDay(db, new FakeClock(START));
    const events = new Outbox(db).after('store-1', 0, 1000);
    const [a1, b1] = day.tickets;
    const ticketIds = new Set(events.filter((e) => e.aggregate.type === 'ticket').map((e) => e.aggregate.id));
    expect(ticketIds).toEqual(new Set([`${BUSINESS_DAY}/${a1!.number}`, `${BUSINESS_DAY}/${b1!.number}`]));
    expect(events.find((e) => e.type === 'order.opened')?.data).toMatchObject({ ticket: `${BUSINESS_DAY}/A001` });
    expect(events.find((e) => e.type === 'appointment.checked-in')).toMatchObject({
      aggregate: { type: 'appointment', id: day.appointment.id },
      data: { ticket: `${BUSINESS_DAY}/A001`, customerId: day.member.id, vehicleId: day.appointment.vehicleId },
    });
    // A transfer keeps the ticket's number and says where it came from.
    expect(events.find((e) => e.type === 'ticket.transferred')).toMatchObject({ aggregate: { id: `${BUSINESS_DAY}/B001` }, data: { service: 'claims', fromService: 'repair' } });
  });

  it("carries the member's DMS ids but never the ticket's page id, the order's token, the member's name, phone or VIN", () => {
    const day = storeDay(db, new FakeClock(START));
    const events = new Outbox(db).after('store-1', 0, 1000);
    const wire = JSON.stringify(events);
    const secrets = [...day.tickets.map((t) => t.id), day.order.token, ...day.workshopEvents.map((e) => e.order.token), day.member.name, day.member.phone, ...day.member.vehicles.map((v) => v.vin)].filter((secret) => secret !== null);
    expect(secrets.filter((secret) => wire.includes(secret))).toEqual([]);
    expect(events.find((e) => e.type === 'ticket.issued' && e.aggregate.id.endsWith('/A001'))?.data).toMatchObject({ customerId: day.member.id, vehicleId: day.member.vehicles[0]!.id });
  });

  it('passes on only the fields the contract names, whatever else a domain object holds', () => {
    const day = storeDay(db, new FakeClock(START));
    const personal = { customerName: '张三', phone: '13800138000', token: 'status-page-key' };
    const ticketEvent = day.ticketEvents[0]!;
    const workshopEvent = day.workshopEvents[0]!;
    const entries = [
      queueEntry({ ...ticketEvent, ...personal, ticket: { ...ticketEvent.ticket, ...personal } }),
      workshopEntry({ ...workshopEvent, ...personal, order: { ...workshopEvent.order, ...personal } }, () => null),
    ];
    for (const entry of entries) {
      const wire = JSON.stringify(entry);
      expect(Object.values(personal).filter((value) => wire.includes(value))).toEqual([]);
      expect(DmsEvent.safeParse({ storeId: 'store-1', seq: 1, eventId: crypto.randomUUID(), ...entry }).success).toBe(true);
    }
  });
});
