import { describe, expect, it } from 'vitest';
import { TRANSITIONS, canMove, nextStages } from '../../../gateway/src/domain/workshop/index.js';
import { ORDER_STAGES, type OrderStage } from '../../../gateway/src/protocol/index.js';
import { FakeClock, dumpWorkshop, expectWorkshopError, orderAt, useWorkshop } from './fixtures.js';

const START = '2025-03-01T09:00:00+08:00';

// The design's process, written out independently of the engine's table.
const LEGAL: Record<OrderStage, OrderStage[]> = {
  appointment: ['reception'],
  reception: ['dispatched'],
  dispatched: ['in-repair'],
  'in-repair': ['paused', 'repair-done'],
  paused: ['in-repair'],
  'repair-done': ['quality-check'],
  'quality-check': ['washing', 'rework'],
  rework: ['in-repair'],
  washing: ['settlement'],
  settlement: ['ready'],
  ready: ['released'],
  released: ['reception'],
};

const PAIRS = ORDER_STAGES.flatMap((from) => ORDER_STAGES.map((to) => [from, to] as const));

describe('stage transition table', () => {
  it('is exactly the process of the design', () => {
    for (const from of ORDER_STAGES) expect([...nextStages(from)].sort()).toEqual([...LEGAL[from]].sort());
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...ORDER_STAGES].sort());
  });

  it('never allows staying in the same stage', () => {
    for (const stage of ORDER_STAGES) expect(canMove(stage, stage)).toBe(false);
  });
});

describe('every stage change through the engine', () => {
  const files = useWorkshop();

  it.each(PAIRS.filter(([from, to]) => LEGAL[from].includes(to)))('%s → %s is accepted', (from, to) => {
    const clock = new FakeClock(START);
    const { run } = files.open(clock);
    const order = orderAt(run, from, clock.now());
    expect(order.stage).toBe(from);
    clock.advanceMin(7);
    const moved = run({ action: 'move', order: order.no, to, ...(to === 'paused' ? { reason: 'approval' } : {}) }, 'desk:1');
    expect(moved.stage).toBe(to);
    expect(moved.stageSince).toBe(clock.now().toISOString());
    expect(moved.history.at(-1)).toEqual({ stage: to, at: clock.now().toISOString(), by: 'desk:1', ...(to === 'paused' ? { reason: 'approval' } : {}) });
    expect(moved.pauseReason).toBe(to === 'paused' ? 'approval' : null);
    expect(moved.reworkCount).toBe(order.reworkCount + (to === 'rework' ? 1 : 0));
    expect(moved.comebackCount).toBe(order.comebackCount + (from === 'released' ? 1 : 0));
    expect(moved.releasedAt).toBe(to === 'released' ? clock.now().toISOString() : null);
  });

  it.each(PAIRS.filter(([from, to]) => !LEGAL[from].includes(to)))('%s → %s is refused with the reason and changes nothing', (from, to) => {
    const clock = new FakeClock(START);
    const { db, run, engine } = files.open(clock);
    const order = orderAt(run, from, clock.now());
    const before = dumpWorkshop(db);
    clock.advanceMin(7);
    const err = expectWorkshopError(() => run({ action: 'move', order: order.no, to, ...(to === 'paused' ? { reason: 'parts' } : {}) }), 'illegal-transition');
    expect(err.message).toContain(`is ${from}`);
    expect(err.message).toContain(LEGAL[from].join(' or '));
    expect(dumpWorkshop(db)).toEqual(before);
    expect(engine.order(order.no).stage).toBe(from);
  });
});
