import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { WorkshopEngine, WorkshopError, type RepairOrder } from '../../../gateway/src/domain/workshop/index.js';
import { WorkshopCommand, type OrderStage, type WorkshopCommandInput } from '../../../gateway/src/protocol/index.js';
import { openDatabase, type Db } from '../../../gateway/src/store/database.js';
import { SqliteWorkshopStore } from '../../../gateway/src/store/workshop-store.js';

export { FakeClock } from '../queue/fixtures.js';
import type { FakeClock } from '../queue/fixtures.js';

export const TZ = 'Asia/Shanghai';

/** A temp data directory per test with workshop engines on real SQLite files. */
export function useWorkshop() {
  let dir = '';
  const open: Db[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'forecourt-workshop-'));
  });
  afterEach(() => {
    for (const db of open.splice(0)) db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    open(clock: FakeClock): { db: Db; engine: WorkshopEngine; run: (input: WorkshopCommandInput, by?: string) => RepairOrder } {
      const db = openDatabase(dir);
      open.push(db);
      const engine = new WorkshopEngine({ store: new SqliteWorkshopStore(db), clock: clock.now, timeZone: TZ });
      const run = (input: WorkshopCommandInput, by = 'test') => engine.execute(WorkshopCommand.parse(input), by).order;
      return { db, engine, run };
    },
  };
}

/** Every row the workshop writes, to compare a database before and after a refused command. */
export function dumpWorkshop(db: Db): Record<string, unknown[]> {
  return {
    orders: db.prepare('SELECT * FROM workshop_order ORDER BY id').all(),
    counters: db.prepare('SELECT * FROM reception_counter ORDER BY business_day').all(),
    events: db.prepare('SELECT * FROM workshop_event ORDER BY seq').all(),
  };
}

export function expectWorkshopError(fn: () => unknown, code: string): WorkshopError {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(WorkshopError);
  expect((thrown as WorkshopError).code).toBe(code);
  return thrown as WorkshopError;
}

let plates = 0;
/** A plate no other order of the test has. */
export function freshPlate(): string {
  plates += 1;
  return `粤B·${String(10000 + plates).slice(-5)}`;
}

export const VEHICLE = { model: 'Toyota Camry', advisor: '王芳', jobs: [{ title: 'Oil service', technicians: ['张伟'] }] };

/**
 * A new order brought to `stage` by the shortest legal route. An order in repair has its only
 * job finished (so it may move on to repair-done), reached through a pause for parts.
 */
export function orderAt(run: (input: WorkshopCommandInput) => RepairOrder, stage: OrderStage, at: Date): RepairOrder {
  const vehicle = { ...VEHICLE, plate: freshPlate() };
  if (stage === 'appointment') return run({ action: 'book', ...vehicle, appointmentAt: at.toISOString() });
  let order = run({ action: 'open', ...vehicle });
  const move = (to: OrderStage) => (order = run({ action: 'move', order: order.no, to, ...(to === 'paused' ? { reason: 'parts' } : {}) }));
  if (stage === 'reception') return order;
  move('dispatched');
  if (stage === 'dispatched') return order;
  order = run({ action: 'job-start', order: order.no, job: 1 });
  move('paused');
  if (stage === 'paused') return order;
  order = run({ action: 'job-finish', order: order.no, job: 1 });
  move('in-repair');
  if (stage === 'in-repair') return order;
  move('repair-done');
  if (stage === 'repair-done') return order;
  move('quality-check');
  if (stage === 'quality-check') return order;
  if (stage === 'rework') return move('rework');
  for (const next of ['washing', 'settlement', 'ready', 'released'] as const) {
    move(next);
    if (stage === next) return order;
  }
  throw new Error(`no route to ${stage}`);
}
