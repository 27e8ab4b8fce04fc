import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../gateway/src/store/migrations.js';
import { openDatabase } from '../../../gateway/src/store/database.js';
import { FakeClock, dumpQueueTables, useDataDir } from './fixtures.js';

const START = '2024-05-06T10:00:00+08:00';
const SERVICES = ['maintenance', 'repair', 'claims', 'sales', 'pickup'];

describe('queue persistence', () => {
  const files = useDataDir();

  it('carries on after a restart: numbering, queues, desks and mode', () => {
    const clock = new FakeClock(START);
    const first = files.openEngine(clock);
    const [a1, a2, a3] = [1, 2, 3].map(() => first.engine.issue({ service: 'maintenance' }).ticket);
    first.engine.callNext('2');
    first.engine.setMode('peak', 'desk-2');
    first.db.close();

    clock.advanceMin(5);
    const { engine } = files.openEngine(clock);
    expect(engine.issue({ service: 'maintenance' }).ticket.number).toBe('A004');
    expect(engine.deskState('2').current.map((t) => [t.id, t.state])).toEqual([[a1?.id, 'called']]);
    expect(engine.modeState()).toMatchObject({ mode: 'peak', by: 'desk-2' });
    expect(engine.snapshot('maintenance').waiting.map((t) => t.number)).toEqual(['A002', 'A003', 'A004']);
    expect(engine.callNext('1').ticket.id).toBe(a2?.id);
    expect(engine.ticketStatus(a3?.id ?? '').peopleAhead).toBe(0);
  });

  it('never duplicates a number between two engines on one file', () => {
    const clock = new FakeClock(START);
    const engines = [files.openEngine(clock).engine, files.openEngine(clock).engine];
    const numbers: string[] = [];
    for (let i = 0; i < 200; i++) {
      const engine = engines[i % 2];
      const service = SERVICES[(i * 7) % SERVICES.length] ?? 'maintenance';
      numbers.push(engine?.issue({ service }).ticket.number ?? '');
      if (i % 10 === 0) clock.advanceMs(1);
    }
    expect(new Set(numbers).size).toBe(200);
    // Each service counts 001, 002, … without a gap.
    for (const prefix of ['A', 'B', 'C', 'D', 'E']) {
      const own = numbers.filter((n) => n.startsWith(prefix)).sort();
      expect(own).toEqual(own.map((_, i) => `${prefix}${String(i + 1).padStart(3, '0')}`));
      expect(own).toHaveLength(40);
    }
  });

  it('never gives two desks the same ticket', () => {
    const clock = new FakeClock(START);
    const issuer = files.openEngine(clock).engine;
    for (let i = 0; i < 30; i++) {
      issuer.issue({ service: SERVICES[i % 3] ?? 'maintenance', priority: i % 4 === 0 ? 'vip' : 'regular' });
      clock.advanceMs(500);
    }
    const desks = [
      { id: '1', engine: files.openEngine(clock).engine },
      { id: '2', engine: files.openEngine(clock).engine },
    ];
    const called: string[] = [];
    for (let turn = 0; turn < 30; turn++) {
      const desk = desks[turn % 2];
      called.push(desk?.engine.callNext(desk.id).ticket.id ?? '');
    }
    expect(new Set(called).size).toBe(30);
    for (const desk of desks) expect(() => desk.engine.callNext(desk.id)).toThrow(/no ticket is waiting/);
    expect(desks[0]?.engine.deskState('1').current).toHaveLength(15);
    expect(desks[1]?.engine.deskState('2').current).toHaveLength(15);
  });

  it('refuses a duplicate number even if the counter were lost', () => {
    const clock = new FakeClock(START);
    const { db, engine } = files.openEngine(clock);
    engine.issue({ service: 'maintenance' });
    db.prepare('DELETE FROM ticket_counter').run();
    const before = dumpQueueTables(db);
    expect(() => engine.issue({ service: 'maintenance' })).toThrow(/UNIQUE constraint failed: queue_ticket.business_day, queue_ticket.number/);
    expect(dumpQueueTables(db)).toEqual(before);
  });

  it('migrates a version 1 database, keeping its rows', () => {
    const dir = files.openDb().name.replace(/\/[^/]+$/, '');
    const old = openDatabase(`${dir}/v1`, { migrations: MIGRATIONS.slice(0, 1) });
    old.prepare("INSERT INTO meta (key, value) VALUES ('store', 'demo')").run();
    old.close();
    const db = openDatabase(`${dir}/v1`);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
      expect(db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get('store')).toBe('demo');
      const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
      expect(tables).toEqual(expect.arrayContaining(['queue_ticket', 'ticket_counter', 'queue_event']));
    } finally {
      db.close();
    }
  });
});
