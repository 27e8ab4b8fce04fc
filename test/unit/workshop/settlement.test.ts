import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkshopEngine, lineAmount, settle } from '../../../gateway/src/domain/workshop/index.js';
import { WorkshopCommand } from '../../../gateway/src/protocol/index.js';
import { openDatabase } from '../../../gateway/src/store/database.js';
import { MIGRATIONS } from '../../../gateway/src/store/migrations.js';
import { SqliteWorkshopStore } from '../../../gateway/src/store/workshop-store.js';
import { FakeClock, TZ, VEHICLE, dumpWorkshop, expectWorkshopError, freshPlate, orderAt, useWorkshop } from './fixtures.js';

const START = '2025-03-01T09:00:00+08:00';
const LINES = [
  { kind: 'labour', title: '更换刹车片工时', qty: 1.5, unitPrice: 18000 },
  { kind: 'part', title: '前刹车片', qty: 1, unitPrice: 42000 },
  { kind: 'part', title: '机油 5W-30', qty: 4.25, unitPrice: 8833 },
  { kind: 'other', title: '环保处理费', qty: 1, unitPrice: 1000 },
] as const;

describe('settlement (維修結算單)', () => {
  const files = useWorkshop();

  it('prices each line to the fen and sums labour, parts and other charges', () => {
    expect(lineAmount(4.25, 8833)).toBe(37540); // 37,540.25 fen rounds to the fen
    const bill = settle([...LINES], 5000, 'now', 'desk:1');
    expect(bill.lines.map((l) => l.amount)).toEqual([27000, 42000, 37540, 1000]);
    expect(bill).toMatchObject({ labour: 27000, parts: 79540, other: 1000, subtotal: 107540, discount: 5000, total: 102540 });
  });

  it('is set by a command between reception and release, and replaced by the next one', () => {
    const clock = new FakeClock(START);
    const { run } = files.open(clock);
    const order = orderAt(run, 'washing', clock.now());
    const first = run({ action: 'set-settlement', order: order.no, lines: [...LINES] }, 'desk:1');
    expect(first.settlement).toMatchObject({ total: 107540, discount: 0, by: 'desk:1', at: clock.now().toISOString() });
    const second = run({ action: 'set-settlement', order: order.no, lines: [LINES[0]], discount: 2000 });
    expect(second.settlement).toMatchObject({ lines: [{ title: '更换刹车片工时', amount: 27000 }], subtotal: 27000, total: 25000 });
    expect(second.stage).toBe('washing');
  });

  it('refuses a discount larger than the bill, and any bill before reception or after release, changing nothing', () => {
    const clock = new FakeClock(START);
    const { run, db } = files.open(clock);
    const order = orderAt(run, 'settlement', clock.now());
    const booked = orderAt(run, 'appointment', clock.now());
    const released = orderAt(run, 'released', clock.now());
    const before = dumpWorkshop(db);
    expectWorkshopError(() => run({ action: 'set-settlement', order: order.no, lines: [LINES[3]], discount: 1001 }), 'invalid-settlement');
    expectWorkshopError(() => run({ action: 'set-settlement', order: booked.no, lines: [...LINES] }), 'order-wrong-stage');
    expectWorkshopError(() => run({ action: 'set-settlement', order: released.no, lines: [...LINES] }), 'order-wrong-stage');
    expect(dumpWorkshop(db)).toEqual(before);
  });

  it('takes only positive quantities of two decimals and whole-fen prices', () => {
    const bad = [
      { qty: -1, unitPrice: 100 },
      { qty: 0, unitPrice: 100 },
      { qty: 1.234, unitPrice: 100 },
      { qty: 1, unitPrice: 99.5 },
      { qty: 1, unitPrice: -100 },
    ];
    for (const line of bad) {
      expect(WorkshopCommand.safeParse({ action: 'set-settlement', order: '250301-001', lines: [{ kind: 'part', title: 'x', ...line }] }).success, JSON.stringify(line)).toBe(false);
    }
    expect(WorkshopCommand.safeParse({ action: 'set-settlement', order: '250301-001', lines: [] }).success).toBe(false);
    expect(WorkshopCommand.safeParse({ action: 'set-settlement', order: '250301-001', lines: [{ kind: 'tip', title: 'x', qty: 1, unitPrice: 1 }] }).success).toBe(false);
  });

  it('keeps the mileage and estimates of the reception, and draws an exit pass code on release that a comeback drops', () => {
    const clock = new FakeClock(START);
    const { run, engine } = files.open(clock);
    const opened = run({ action: 'open', ...VEHICLE, plate: freshPlate(), mileageKm: 45210, jobs: [{ title: 'Oil service', technicians: ['张伟'], labourEstimate: 12000, partsEstimate: 38000 }] });
    expect(opened).toMatchObject({ mileageKm: 45210, exitPass: null, settlement: null, jobs: [{ labourEstimate: 12000, partsEstimate: 38000 }] });
    expect(run({ action: 'add-job', order: opened.no, title: 'A/C check' }).jobs[1]).toMatchObject({ labourEstimate: null, partsEstimate: null });

    const released = orderAt(run, 'released', clock.now());
    expect(released.exitPass).toMatch(/^EP-[0-9A-F]{16}$/);
    expect(engine.orderByExitPass(released.exitPass!)?.no).toBe(released.no);
    const comeback = run({ action: 'move', order: released.no, to: 'reception' });
    expect(comeback.exitPass).toBeNull();
    expect(engine.orderByExitPass(released.exitPass!)).toBeUndefined();
  });
});

describe('migration 8', () => {
  it('keeps the print jobs and orders of an older database, and reads old orders with the new fields empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'forecourt-migration-'));
    try {
      const old = openDatabase(dir, { migrations: MIGRATIONS.filter((m) => m.version < 8) });
      old.prepare(`INSERT INTO print_job (id, printer, kind, label, state, data, created_at) VALUES ('j1', 'p', 'ticket', 'A001', 'printed', x'00', '2025-03-01T01:00:00Z')`).run();
      const legacy = { id: 'o1', no: '250301-001', token: 'AAAAAAAAAAAAAAAAAAAAAA', businessDay: '2025-03-01', plate: '粤BD5678', model: 'm', customerRef: null, ticketId: null, advisor: 'a', stage: 'reception', pauseReason: null, stageSince: '2025-03-01T01:00:00.000Z', promisedAt: null, appointmentAt: null, reworkCount: 0, comebackCount: 0, createdAt: '2025-03-01T01:00:00.000Z', releasedAt: null, jobs: [{ no: 1, title: 'x', technicians: [], state: 'pending', segments: [], pauseReason: null }], history: [] };
      old.prepare(`INSERT INTO workshop_order (id, no, token, plate, stage, created_at, data) VALUES ('o1', '250301-001', ?, '粤BD5678', 'reception', ?, ?)`).run(legacy.token, legacy.createdAt, JSON.stringify(legacy));
      old.close();

      const db = openDatabase(dir);
      expect(db.prepare('SELECT seq, kind, label FROM print_job').all()).toEqual([{ seq: 1, kind: 'ticket', label: 'A001' }]);
      db.prepare(`INSERT INTO print_job (id, printer, kind, label, state, data, created_at) VALUES ('j2', 'p', 'work-order', '250301-001', 'queued', x'00', '2025-03-01T02:00:00Z')`).run();
      expect(db.prepare("SELECT seq FROM print_job WHERE id = 'j2'").pluck().get()).toBe(2);
      const engine = new WorkshopEngine({ store: new SqliteWorkshopStore(db), clock: new FakeClock(START).now, timeZone: TZ });
      expect(engine.order('250301-001')).toMatchObject({ mileageKm: null, settlement: null, exitPass: null, jobs: [{ labourEstimate: null, partsEstimate: null }] });
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
