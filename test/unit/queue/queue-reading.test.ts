import { describe, expect, it } from 'vitest';
import { LearningEstimator, DEFAULT_DESKS, QueueError, type QueueEngine, type Ticket, type TicketState } from '../../../gateway/src/domain/queue/index.js';
import { SqliteQueueStore } from '../../../gateway/src/store/queue-store.js';
import { FakeClock, useDataDir } from './fixtures.js';

const START = '2024-05-06T10:00:00+08:00';
const SERVICES = ['maintenance', 'repair', 'claims', 'sales', 'pickup'];

/** Counts the reads of a day's tickets, the query an announce used to repeat. */
class CountingStore extends SqliteQueueStore {
  reads = 0;

  override ticketsOfDay(businessDay: string, states: readonly TicketState[]): Ticket[] {
    this.reads += 1;
    return super.ticketsOfDay(businessDay, states);
  }
}

/** A fixed queue: four waiting in four services, one called at desk 1, one served at desk 3. */
function fillQueue(engine: QueueEngine, clock: FakeClock): void {
  engine.issue({ service: 'maintenance' }); // A001
  clock.advanceMin(1);
  engine.issue({ service: 'maintenance', priority: 'vip' }); // A002
  clock.advanceMin(1);
  engine.issue({ service: 'repair', priority: 'appointment' }); // B001
  clock.advanceMin(1);
  engine.issue({ service: 'claims' }); // C001
  clock.advanceMin(1);
  const d1 = engine.issue({ service: 'sales' }).ticket;
  clock.advanceMin(1);
  engine.issue({ service: 'pickup' }); // E001
  expect(engine.callNext('1').ticket.number).toBe('B001');
  engine.callNext('3');
  engine.startServing('3', d1.id);
  clock.advanceMin(2);
}

describe('QueueReading: one read of the day for every view', () => {
  const files = useDataDir();

  it('gives the snapshots, service list, mode and peak suggestion of the queue', () => {
    const clock = new FakeClock(START);
    const { engine } = files.openEngine(clock, { peakThreshold: 3 });
    fillQueue(engine, clock);

    const reading = engine.reading();
    const brief = (service: string) => {
      const v = reading.snapshot(service);
      return [v.waiting.map((t) => [t.number, t.waitedMin]), v.servingNow.map((s) => [s.number, s.desk]), v.estimatedWaitMin];
    };
    // Simple estimator: people ahead × minutes per customer / desks of the service.
    expect(SERVICES.map(brief)).toEqual([
      [[['A002', 6], ['A001', 7]], [], 12],
      [[], [['B001', '1']], 0],
      [[['C001', 4]], [], 7],
      [[], [['D001', '3']], 0],
      [[['E001', 2]], [], 8],
    ]);
    expect(reading.serviceList().map((s) => [s.code, s.waitingCount, s.estimatedWaitMin])).toEqual([
      ['maintenance', 2, 12],
      ['repair', 0, 0],
      ['claims', 1, 7],
      ['sales', 0, 0],
      ['pickup', 1, 8],
    ]);
    expect([reading.mode, reading.peakSuggested]).toEqual(['normal', true]);
    expect(() => reading.snapshot('tyres')).toThrow(QueueError);

    engine.setMode('peak', 'desk-1');
    expect([engine.reading().mode, engine.reading().peakSuggested]).toEqual(['peak', false]);
  });

  it('equals what the separate calls return, with the learning estimator too', () => {
    const clock = new FakeClock(START);
    const estimator = new LearningEstimator({ desks: DEFAULT_DESKS });
    const { engine } = files.openEngine(clock, { peakThreshold: 3, estimator });
    fillQueue(engine, clock);

    // The service list first: the estimates it works out are the ones the snapshots show.
    const reading = engine.reading();
    const combined = { services: reading.serviceList(), snapshots: SERVICES.map((s) => reading.snapshot(s)), mode: reading.mode, peak: reading.peakSuggested };
    const separate = { services: engine.serviceList(), snapshots: SERVICES.map((s) => engine.snapshot(s)), mode: engine.mode(), peak: engine.peakSuggested() };
    expect(combined).toEqual(separate);
    expect(combined.snapshots.map((s) => s.estimatedWaitMin)).toEqual(combined.services.map((s) => s.estimatedWaitMin));
    expect(combined.snapshots.some((s) => s.estimatedWaitMin > 0)).toBe(true);
  });

  it('reads the day\'s tickets once, where the separate calls read them once each', () => {
    const clock = new FakeClock(START);
    let store: CountingStore | undefined;
    const { engine } = files.openEngine(clock, { peakThreshold: 3 }, (db) => (store = new CountingStore(db)));
    fillQueue(engine, clock);
    const counter = store!;

    counter.reads = 0;
    const reading = engine.reading();
    SERVICES.forEach((s) => reading.snapshot(s));
    reading.serviceList();
    void reading.peakSuggested;
    expect(counter.reads).toBe(1);

    counter.reads = 0;
    SERVICES.forEach((s) => engine.snapshot(s));
    engine.serviceList();
    engine.peakSuggested();
    expect(counter.reads).toBe(SERVICES.length + 2);
  });

  it('sees a change made after it was taken only in a new reading', () => {
    const clock = new FakeClock(START);
    const { db, engine } = files.openEngine(clock);
    const before = engine.reading();
    // A rolled-back issue leaves nothing behind, in this reading or the next.
    expect(() => db.transaction(() => {
      engine.issue({ service: 'maintenance' });
      throw new Error('the caller changed its mind');
    })()).toThrow('changed its mind');
    expect(engine.reading().snapshot('maintenance').waitingCount).toBe(0);
    engine.issue({ service: 'maintenance' });
    expect(before.snapshot('maintenance').waitingCount).toBe(0);
    expect(engine.reading().snapshot('maintenance').waitingCount).toBe(1);
  });
});
