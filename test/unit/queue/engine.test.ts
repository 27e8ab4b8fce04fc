import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { QueueError, type QueueEngine, type QueueEvent, type WaitEstimator } from '../../../gateway/src/domain/queue/index.js';
import { SqliteQueueStore } from '../../../gateway/src/store/queue-store.js';
import { FakeClock, dumpQueueTables, eventRows, useDataDir } from './fixtures.js';

const START = '2024-05-06T10:00:00+08:00';

function expectQueueError(fn: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(QueueError);
  expect((thrown as QueueError).code).toBe(code);
}

describe('QueueEngine transitions', () => {
  const files = useDataDir();

  it('numbers tickets per service and records who they are for', () => {
    const clock = new FakeClock(START);
    const { engine } = files.openEngine(clock);
    const a1 = engine.issue({ service: 'maintenance' }).ticket;
    const a2 = engine.issue({ service: 'maintenance', priority: 'vip', memberRef: 'card-42' }).ticket;
    const b1 = engine.issue({ service: 'repair', priority: 'appointment' }).ticket;
    expect([a1.number, a2.number, b1.number]).toEqual(['A001', 'A002', 'B001']);
    expect(a1).toMatchObject({ state: 'waiting', priority: 'regular', memberRef: null, originalService: 'maintenance' });
    expect(a2).toMatchObject({ priority: 'vip', memberRef: 'card-42', issuedAt: new Date(START).toISOString() });
    expect(new Set([a1.id, a2.id, b1.id]).size).toBe(3);
  });

  it('transfer keeps the number and issue time, and the ticket queues by them in the new service', () => {
    const clock = new FakeClock(START);
    const { engine } = files.openEngine(clock);
    const a1 = engine.issue({ service: 'maintenance' }).ticket;
    clock.advanceMin(2);
    const c1 = engine.issue({ service: 'claims' }).ticket;
    clock.advanceMin(3);
    engine.callNext('1');
    engine.startServing('1', a1.id);

    const event = engine.transfer(a1.id, 'claims');
    expect(event).toMatchObject({ type: 'ticket.transferred', fromService: 'maintenance', desk: null });
    expect(event.ticket).toMatchObject({
      number: 'A001',
      issuedAt: a1.issuedAt,
      service: 'claims',
      originalService: 'maintenance',
      state: 'waiting',
      desk: null,
      calledAt: null,
    });
    expect(engine.deskState('1').current).toEqual([]);
    const claims = engine.snapshot('claims');
    expect(claims.waiting.map((t) => [t.number, t.waitedMin])).toEqual([
      ['A001', 5],
      ['C001', 3],
    ]);
    expect(engine.snapshot('maintenance').waitingCount).toBe(0);
    // Desk 4 serves claims: the transferred ticket, older, comes first.
    expect(engine.callNext('4').ticket.id).toBe(a1.id);
    expect(engine.ticketStatus(c1.id).peopleAhead).toBe(0);
  });

  it('puts a no-show back within the grace period, keeping its place by issue time', () => {
    const clock = new FakeClock(START);
    const { engine } = files.openEngine(clock, { noShowGraceMin: 30 });
    const a1 = engine.issue({ service: 'maintenance' }).ticket;
    engine.callNext('1');
    const noShow = engine.markNoShow('1', a1.id);
    expect(noShow.ticket).toMatchObject({ state: 'no-show', noShowAt: clock.now().toISOString() });
    engine.issue({ service: 'maintenance' });

    clock.advanceMin(30);
    const back = engine.putBack(a1.id).ticket;
    expect(back).toMatchObject({ state: 'waiting', issuedAt: a1.issuedAt, desk: null, calledAt: null, number: 'A001' });
    expect(engine.callNext('2').ticket.id).toBe(a1.id);
  });

  it('refuses to put a no-show back after the grace period', () => {
    const clock = new FakeClock(START);
    const { db, engine } = files.openEngine(clock, { noShowGraceMin: 30 });
    const a1 = engine.issue({ service: 'maintenance' }).ticket;
    engine.callNext('1');
    engine.markNoShow('1', a1.id);
    clock.advanceMin(30);
    clock.advanceMs(1000);
    const before = dumpQueueTables(db);
    expectQueueError(() => engine.putBack(a1.id), 'grace-expired');
    expect(dumpQueueTables(db)).toEqual(before);
    expect(engine.ticketStatus(a1.id).ticket.state).toBe('no-show');
  });

  it('counts recalls at the desk that called, keeping the first call time', () => {
    const clock = new FakeClock(START);
    const { engine } = files.openEngine(clock);
    const a1 = engine.issue({ service: 'maintenance' }).ticket;
    const called = engine.callNext('1').ticket;
    clock.advanceMin(1);
    expect(engine.recall('1', a1.id).ticket.recallCount).toBe(1);
    clock.advanceMin(1);
    const second = engine.recall('1', a1.id);
    expect(second).toMatchObject({ type: 'ticket.recalled', desk: '1' });
    expect(second.ticket).toMatchObject({ recallCount: 2, state: 'called', calledAt: called.calledAt });
    expectQueueError(() => engine.recall('2', a1.id), 'wrong-desk');
    engine.startServing('1', a1.id);
    expectQueueError(() => engine.recall('1', a1.id), 'wrong-state');
    expect(engine.finish('1', a1.id).ticket).toMatchObject({ state: 'done', recallCount: 2 });
  });

  it('leaves a desk’s previous ticket as it is when the desk calls the next one', () => {
    const clock = new FakeClock(START);
    const { engine } = files.openEngine(clock);
    const a1 = engine.issue({ service: 'maintenance' }).ticket;
    const a2 = engine.issue({ service: 'maintenance' }).ticket;
    engine.callNext('1');
    engine.startServing('1', a1.id);
    engine.callNext('1');
    const desk = engine.deskState('1');
    expect(desk.name.en).toBe('desk 1');
    expect(desk.current.map((t) => [t.id, t.state])).toEqual([
      [a1.id, 'serving'],
      [a2.id, 'called'],
    ]);
    expect(engine.snapshot('maintenance').servingNow).toEqual([
      { number: 'A001', desk: '1' },
      { number: 'A002', desk: '1' },
    ]);
    // A called ticket can be finished directly (the customer only needed a signature).
    engine.finish('1', a2.id);
    expect(engine.deskState('1').current.map((t) => t.id)).toEqual([a1.id]);
  });

  it('cancels a waiting ticket only', () => {
    const clock = new FakeClock(START);
    const { engine } = files.openEngine(clock);
    const a1 = engine.issue({ service: 'maintenance' }).ticket;
    expect(engine.cancel(a1.id).ticket.state).toBe('cancelled');
    expectQueueError(() => engine.cancel(a1.id), 'wrong-state');
    expectQueueError(() => engine.callNext('1'), 'queue-empty');
  });

  it('refuses illegal transitions with their code and changes nothing', () => {
    const clock = new FakeClock(START);
    const { db, engine } = files.openEngine(clock);
    const waiting = engine.issue({ service: 'maintenance' }).ticket;
    const called = engine.issue({ service: 'maintenance' }).ticket;
    const serving = engine.issue({ service: 'repair' }).ticket;
    const done = engine.issue({ service: 'claims' }).ticket;
    engine.callSpecific('1', called.id);
    engine.callSpecific('2', serving.id);
    engine.startServing('2', serving.id);
    engine.callSpecific('4', done.id);
    engine.finish('4', done.id);

    const cases: [string, (e: QueueEngine) => unknown][] = [
      ['unknown-desk', (e) => e.callNext('9')],
      ['queue-empty', (e) => e.callNext('3')],
      ['unknown-service', (e) => e.issue({ service: 'tyres' })],
      ['unknown-service', (e) => e.snapshot('tyres')],
      ['desk-does-not-serve', (e) => e.callSpecific('3', waiting.id)],
      ['wrong-state', (e) => e.callSpecific('1', called.id)],
      ['wrong-state', (e) => e.startServing('1', waiting.id)],
      ['wrong-desk', (e) => e.startServing('2', called.id)],
      ['wrong-desk', (e) => e.finish('1', serving.id)],
      ['ticket-not-found', (e) => e.finish('1', randomUUID())],
      ['ticket-not-found', (e) => e.ticketStatus(randomUUID())],
      ['wrong-state', (e) => e.markNoShow('2', serving.id)],
      ['wrong-state', (e) => e.putBack(waiting.id)],
      ['wrong-state', (e) => e.cancel(called.id)],
      ['wrong-state', (e) => e.transfer(done.id, 'repair')],
      ['same-service', (e) => e.transfer(waiting.id, 'maintenance')],
      ['unknown-service', (e) => e.transfer(waiting.id, 'tyres')],
      ['wrong-state', (e) => e.setMode('normal', 'desk-1')],
      ['unknown-desk', (e) => e.deskState('9')],
    ];
    for (const [code, attempt] of cases) {
      const before = dumpQueueTables(db);
      expectQueueError(() => attempt(engine), code);
      expect(dumpQueueTables(db), code).toEqual(before);
    }
  });

  it('goes on with a fourth digit after A999 rather than refuse a customer', () => {
    const clock = new FakeClock(START);
    const { db, engine } = files.openEngine(clock);
    engine.issue({ service: 'maintenance' });
    db.prepare("UPDATE ticket_counter SET last = 998 WHERE service = 'maintenance'").run();
    expect(engine.issue({ service: 'maintenance' }).ticket.number).toBe('A999');
    expect(engine.issue({ service: 'maintenance' }).ticket.number).toBe('A1000');
    expect(engine.issue({ service: 'maintenance' }).ticket.number).toBe('A1001');
    expect(engine.issue({ service: 'repair' }).ticket.number).toBe('B001');
  });

  it('numbers with four digits when the store asks, and past A9999 with five', () => {
    const clock = new FakeClock(START);
    const { db, engine } = files.openEngine(clock, { numberDigits: 4 });
    expect(engine.issue({ service: 'maintenance' }).ticket.number).toBe('A0001');
    db.prepare("UPDATE ticket_counter SET last = 9998 WHERE service = 'maintenance'").run();
    expect(engine.issue({ service: 'maintenance' }).ticket.number).toBe('A9999');
    expect(engine.issue({ service: 'maintenance' }).ticket.number).toBe('A10000');
  });
});

describe('QueueEngine events', () => {
  const files = useDataDir();

  it('writes exactly one event row per transition, the event it returns', () => {
    const clock = new FakeClock(START);
    const { db, engine } = files.openEngine(clock);
    const steps: [string, () => QueueEvent][] = [];
    let id = '';
    let other = '';
    steps.push(['ticket.issued', () => engine.issue({ service: 'maintenance' })]);
    steps.push(['ticket.called', () => engine.callNext('1')]);
    steps.push(['ticket.recalled', () => engine.recall('1', id)]);
    steps.push(['ticket.no-show', () => engine.markNoShow('1', id)]);
    steps.push(['ticket.put-back', () => engine.putBack(id)]);
    steps.push(['ticket.called', () => engine.callSpecific('2', id)]);
    steps.push(['ticket.serving', () => engine.startServing('2', id)]);
    steps.push(['ticket.transferred', () => engine.transfer(id, 'claims')]);
    steps.push(['ticket.called', () => engine.callNext('4')]);
    steps.push(['ticket.done', () => engine.finish('4', id)]);
    steps.push(['ticket.issued', () => engine.issue({ service: 'sales' })]);
    steps.push(['ticket.cancelled', () => engine.cancel(other)]);
    steps.push(['mode.changed', () => engine.setMode('peak', 'desk-1')]);

    for (const [type, step] of steps) {
      const count = eventRows(db).length;
      const event = step();
      if (event.type === 'ticket.issued') {
        if (id) other = event.ticket.id;
        else id = event.ticket.id;
      }
      const rows = eventRows(db);
      expect(rows, type).toHaveLength(count + 1);
      const last = rows.at(-1);
      expect(event.type).toBe(type);
      expect(last).toMatchObject({ id: event.id, type, at: clock.now().toISOString() });
      expect(JSON.parse(last?.payload ?? 'null')).toEqual(event);
      clock.advanceMin(1);
    }
    const seqs = eventRows(db).map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('teaches the estimator committed events only, in order, whichever engine wrote them', () => {
    const seen: string[] = [];
    const estimator: WaitEstimator = { estimate: () => ({ minutes: 0, low: 0, high: 0 }), observe: (e) => void seen.push(e.type) };
    const clock = new FakeClock(START);
    const { db, engine } = files.openEngine(clock, { estimator });
    engine.issue({ service: 'maintenance' });
    expect(seen).toEqual(['ticket.issued']);
    // Inside a caller's transaction that rolls back: nothing to learn.
    expect(() => db.transaction(() => {
      engine.issue({ service: 'maintenance' });
      throw new Error('the caller changed its mind');
    })()).toThrow('changed its mind');
    engine.serviceList();
    expect(seen).toEqual(['ticket.issued']);
    // Inside one that commits: learnt at the next read, once it is committed.
    db.transaction(() => engine.callNext('1'))();
    expect(seen).toEqual(['ticket.issued']);
    // And what another engine on the same store wrote.
    files.openEngine(clock).engine.issue({ service: 'repair' });
    engine.snapshot('repair');
    expect(seen).toEqual(['ticket.issued', 'ticket.called', 'ticket.issued']);
    expect(() => engine.learnFromHistory(new Date(0))).toThrow(/newer events/);
  });

  it('rolls the ticket change back when its event cannot be written', () => {
    class NoEventStore extends SqliteQueueStore {
      override appendEvent(): void {
        throw new Error('disk full');
      }
    }
    const clock = new FakeClock(START);
    const { db, engine } = files.openEngine(clock);
    const a1 = engine.issue({ service: 'maintenance' }).ticket;
    const broken = files.openEngine(clock, {}, (d) => new NoEventStore(d)).engine;
    const before = dumpQueueTables(db);
    expect(() => broken.callNext('1')).toThrow('disk full');
    expect(() => broken.issue({ service: 'maintenance' })).toThrow('disk full');
    expect(() => broken.setMode('peak', 'desk-1')).toThrow('disk full');
    expect(dumpQueueTables(db)).toEqual(before);
    expect(engine.ticketStatus(a1.id).ticket.state).toBe('waiting');
    expect(engine.issue({ service: 'maintenance' }).ticket.number).toBe('A002');
  });
});

describe('QueueEngine read models', () => {
  const files = useDataDir();

  it('orders the waiting list by the call policy and counts people ahead with it', () => {
    const clock = new FakeClock(START);
    const { engine } = files.openEngine(clock);
    const regular = engine.issue({ service: 'maintenance' }).ticket;
    clock.advanceMin(1);
    engine.issue({ service: 'maintenance', priority: 'vip' });
    clock.advanceMin(1);
    engine.issue({ service: 'maintenance', priority: 'appointment' });
    engine.issue({ service: 'repair', priority: 'appointment' });

    let view = engine.snapshot('maintenance');
    expect(view.waiting.map((t) => [t.number, t.priority, t.waitedMin])).toEqual([
      ['A003', 'appointment', 0],
      ['A002', 'vip', 1],
      ['A001', 'regular', 2],
    ]);
    expect(view.waitingCount).toBe(3);
    // Desks 1 and 2 serve maintenance at 12 min a customer: 3 ahead → ceil(36 / 2).
    expect(view.estimatedWaitMin).toBe(18);
    expect(engine.ticketStatus(regular.id)).toMatchObject({ peopleAhead: 2, estimatedWaitMin: 12 });

    clock.advanceMin(19); // the regular ticket has now waited 21 minutes
    view = engine.snapshot('maintenance');
    expect(view.waiting[0]?.number).toBe('A001');
    expect(engine.ticketStatus(regular.id)).toMatchObject({ peopleAhead: 0, estimatedWaitMin: 0 });

    engine.callNext('2');
    expect(engine.ticketStatus(regular.id)).toMatchObject({ ticket: { state: 'called', desk: '2' }, peopleAhead: 0 });
    expect(engine.serviceList().map((s) => [s.code, s.prefix, s.waitingCount, s.estimatedWaitMin])).toEqual([
      ['maintenance', 'A', 2, 12],
      ['repair', 'B', 1, 8],
      ['claims', 'C', 0, 0],
      ['sales', 'D', 0, 0],
      ['pickup', 'E', 0, 0],
    ]);
  });

  it('suggests peak mode once the queue reaches the threshold, until peak is set', () => {
    const clock = new FakeClock(START);
    const { engine } = files.openEngine(clock, { peakThreshold: 3 });
    engine.issue({ service: 'maintenance' });
    engine.issue({ service: 'sales' });
    expect(engine.peakSuggested()).toBe(false);
    const third = engine.issue({ service: 'pickup' }).ticket;
    expect(engine.peakSuggested()).toBe(true);
    engine.cancel(third.id);
    expect(engine.peakSuggested()).toBe(false);
    engine.issue({ service: 'repair' });
    expect(engine.mode()).toBe('normal');
    const change = engine.setMode('peak', 'desk-1');
    expect(change).toMatchObject({ type: 'mode.changed', mode: 'peak', previous: 'normal', by: 'desk-1' });
    expect(engine.mode()).toBe('peak');
    expect(engine.peakSuggested()).toBe(false);
  });
});
