import { describe, expect, it } from 'vitest';
import { receptionNumber } from '../../../gateway/src/domain/workshop/index.js';
import { FakeClock, VEHICLE, dumpWorkshop, expectWorkshopError, freshPlate, orderAt, useWorkshop } from './fixtures.js';

const START = '2025-03-01T09:00:00+08:00';

describe('WorkshopEngine', () => {
  const files = useWorkshop();

  it('opens a reception with a reception number, a token and its job items', () => {
    const clock = new FakeClock(START);
    const { run, engine, db } = files.open(clock);
    const order = run({ action: 'open', ...VEHICLE, plate: '粵b·d5678', customerRef: 'member-7', promisedAt: '2025-03-01T12:00:00+08:00' }, 'desk:1');
    expect(order).toMatchObject({
      no: '250301-001',
      plate: '粵BD5678',
      customerRef: 'member-7',
      stage: 'reception',
      promisedAt: '2025-03-01T04:00:00.000Z',
      jobs: [{ no: 1, title: 'Oil service', technicians: ['张伟'], state: 'pending', segments: [] }],
      history: [{ stage: 'reception', at: clock.now().toISOString(), by: 'desk:1' }],
    });
    expect(order.token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(run({ action: 'open', ...VEHICLE, plate: freshPlate() }).no).toBe('250301-002');
    expect(engine.orderByToken(order.token)?.no).toBe('250301-001');
    expect(db.prepare('SELECT type FROM workshop_event ORDER BY seq').pluck().all()).toEqual(['order.opened', 'order.opened']);
  });

  it('numbers receptions per business day (from 04:00 local) and stops at 999', () => {
    const clock = new FakeClock('2025-03-01T23:30:00+08:00');
    const { run } = files.open(clock);
    expect(run({ action: 'open', ...VEHICLE, plate: freshPlate() }).no).toBe('250301-001');
    clock.advanceMin(240); // 03:30 the next morning: still the same business day
    expect(run({ action: 'open', ...VEHICLE, plate: freshPlate() }).no).toBe('250301-002');
    clock.advanceMin(60);
    expect(run({ action: 'open', ...VEHICLE, plate: freshPlate() }).no).toBe('250302-001');
    expect(receptionNumber('2025-12-31', 999)).toBe('251231-999');
    expectWorkshopError(() => receptionNumber('2025-12-31', 1000), 'day-full');
  });

  it('refuses a second reception for a car already in, and changes nothing', () => {
    const clock = new FakeClock(START);
    const { run, db } = files.open(clock);
    run({ action: 'open', ...VEHICLE, plate: '粤B·D5678' });
    const before = dumpWorkshop(db);
    const err = expectWorkshopError(() => run({ action: 'open', ...VEHICLE, plate: '粤bd5678' }), 'plate-has-open-order');
    expect(err.message).toContain('250301-001');
    expect(dumpWorkshop(db)).toEqual(before);
  });

  it('checks today\'s appointment in instead of opening another order', () => {
    const clock = new FakeClock(START);
    const { run, engine } = files.open(clock);
    const booked = run({ action: 'book', ...VEHICLE, plate: '粤B·D5678', appointmentAt: '2025-03-01T10:00:00+08:00' });
    expect(booked.stage).toBe('appointment');
    expectWorkshopError(() => run({ action: 'book', ...VEHICLE, plate: '粤B·D5678', appointmentAt: '2025-03-01T15:00:00+08:00' }), 'plate-has-open-order');
    clock.advanceMin(55);
    const opened = run({ action: 'open', ...VEHICLE, plate: '粤B·D5678', jobs: [{ title: 'Tyres', technicians: ['刘洋'] }] });
    expect(opened).toMatchObject({ no: booked.no, stage: 'reception', jobs: [{ no: 1 }, { no: 2, title: 'Tyres' }] });
    expect(opened.history.map((h) => h.stage)).toEqual(['appointment', 'reception']);
    expect(engine.ordersOfDay()).toHaveLength(1);
  });

  it('needs a reason to pause, jobs with technicians to dispatch, finished jobs to be done', () => {
    const clock = new FakeClock(START);
    const { run, db } = files.open(clock);
    const bare = run({ action: 'open', ...VEHICLE, plate: freshPlate(), jobs: [] });
    expectWorkshopError(() => run({ action: 'move', order: bare.no, to: 'dispatched' }), 'not-dispatchable');
    run({ action: 'add-job', order: bare.no, title: 'A/C check' });
    expectWorkshopError(() => run({ action: 'move', order: bare.no, to: 'dispatched' }), 'not-dispatchable');
    run({ action: 'assign', order: bare.no, job: 1, technicians: ['赵磊', '赵磊'] });
    expect(run({ action: 'move', order: bare.no, to: 'dispatched' }).jobs[0]?.technicians).toEqual(['赵磊']);
    run({ action: 'move', order: bare.no, to: 'in-repair' });
    const before = dumpWorkshop(db);
    expectWorkshopError(() => run({ action: 'move', order: bare.no, to: 'paused' }), 'reason-required');
    const err = expectWorkshopError(() => run({ action: 'move', order: bare.no, to: 'repair-done' }), 'jobs-open');
    expect(err.message).toContain('job 1');
    expect(dumpWorkshop(db)).toEqual(before);
  });

  it('counts reworks, lets technicians redo finished jobs, and reopens a released order as a comeback', () => {
    const clock = new FakeClock(START);
    const { run } = files.open(clock);
    let order = orderAt(run, 'quality-check', clock.now());
    order = run({ action: 'move', order: order.no, to: 'rework' });
    order = run({ action: 'job-start', order: order.no, job: 1 }, 'bay:1');
    expect(order).toMatchObject({ stage: 'in-repair', reworkCount: 1 });
    order = run({ action: 'job-finish', order: order.no, job: 1 });
    expect(order.stage).toBe('repair-done');
    for (const to of ['quality-check', 'washing', 'settlement', 'ready', 'released'] as const) order = run({ action: 'move', order: order.no, to });
    expect(order.releasedAt).toBe(clock.now().toISOString());
    clock.advanceMin(60 * 24 * 3);
    order = run({ action: 'move', order: order.no, to: 'reception' });
    expect(order).toMatchObject({ stage: 'reception', comebackCount: 1, reworkCount: 1, releasedAt: null });
    order = run({ action: 'add-job', order: order.no, title: 'Warranty: brake noise', technicians: ['孙敏'] });
    expect(order.jobs.map((j) => [j.no, j.state])).toEqual([
      [1, 'finished'],
      [2, 'pending'],
    ]);
  });

  it('shows on a board the open orders, today\'s appointments and today\'s releases', () => {
    const clock = new FakeClock(START);
    const { run, engine } = files.open(clock);
    const released = orderAt(run, 'released', clock.now());
    const inRepair = orderAt(run, 'in-repair', clock.now());
    const tomorrow = run({ action: 'book', ...VEHICLE, plate: freshPlate(), appointmentAt: '2025-03-02T10:00:00+08:00' });
    const today = run({ action: 'book', ...VEHICLE, plate: freshPlate(), appointmentAt: '2025-03-01T16:00:00+08:00' });
    expect(engine.ordersOfDay().map((o) => o.no)).toEqual([released.no, inRepair.no, today.no]);
    clock.advanceMin(24 * 60);
    expect(engine.ordersOfDay().map((o) => o.no)).toEqual([inRepair.no, tomorrow.no]);
  });

  it('refuses a promised time in the past', () => {
    const clock = new FakeClock(START);
    const { run } = files.open(clock);
    const order = run({ action: 'open', ...VEHICLE, plate: freshPlate() });
    expectWorkshopError(() => run({ action: 'set-promised', order: order.no, promisedAt: '2025-03-01T08:00:00+08:00' }), 'promised-in-past');
    expect(run({ action: 'set-promised', order: order.no, promisedAt: '2025-03-01T17:30:00+08:00' }).promisedAt).toBe('2025-03-01T09:30:00.000Z');
  });

  it('carries on after a restart', () => {
    const clock = new FakeClock(START);
    const first = files.open(clock);
    const order = orderAt(first.run, 'in-repair', clock.now());
    first.db.close();
    const second = files.open(clock);
    expect(second.engine.order(order.no)).toEqual(order);
    expect(second.run({ action: 'open', ...VEHICLE, plate: freshPlate() }).no).toBe('250301-002');
  });
});
