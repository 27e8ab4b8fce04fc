import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STAGE_MINUTES,
  expectedReadyAt,
  lateState,
  stageDurations,
  type RepairOrder,
  type StageEntry,
} from '../../../gateway/src/domain/workshop/index.js';
import type { OrderStage } from '../../../gateway/src/protocol/index.js';

const MIN = 60_000;
const T0 = Date.parse('2025-03-01T09:00:00+08:00');
const at = (min: number) => new Date(T0 + min * MIN).toISOString();

function history(...steps: [OrderStage, number][]): StageEntry[] {
  return steps.map(([stage, min]) => ({ stage, at: at(min), by: 'test' }));
}

function order(stage: OrderStage, since: number, hist: StageEntry[], extra: Partial<RepairOrder> = {}): RepairOrder {
  return {
    id: 'x', no: '250301-001', token: 't', businessDay: '2025-03-01', plate: '粤BD5678', model: 'm', customerRef: null, ticketId: null,
    advisor: 'a', stage, pauseReason: null, stageSince: at(since), promisedAt: null, appointmentAt: null, reworkCount: 0, comebackCount: 0,
    createdAt: at(0), releasedAt: null, jobs: [], history: hist, mileageKm: null, settlement: null, exitPass: null, ...extra,
  };
}

describe('stage durations from history', () => {
  it('uses the defaults until a stage has five completed stays, then their median', () => {
    const few = stageDurations([history(['reception', 0], ['dispatched', 40])]);
    expect(few.reception).toBe(DEFAULT_STAGE_MINUTES.reception * MIN);
    const many = stageDurations(
      [10, 20, 30, 40, 1000].map((m) => history(['reception', 0], ['dispatched', m], ['in-repair', m + 5])),
    );
    expect(many.reception).toBe(30 * MIN);
    expect(many.dispatched).toBe(5 * MIN);
    // The stage an order is in now has not ended: it is no sample.
    expect(many['in-repair']).toBe(DEFAULT_STAGE_MINUTES['in-repair'] * MIN);
  });
});

describe('expected ready time', () => {
  const d = stageDurations([]);
  const rest = (from: OrderStage[]) => from.reduce((sum, s) => sum + d[s], 0);

  it('is the rest of the current stage plus the stages ahead', () => {
    const o = order('reception', 0, history(['reception', 0]));
    const now = new Date(T0 + 5 * MIN);
    const expected = expectedReadyAt(o, d, now);
    expect(expected?.getTime()).toBe(now.getTime() + 10 * MIN + rest(['dispatched', 'in-repair', 'repair-done', 'quality-check', 'washing', 'settlement']));
  });

  it('counts earlier repair time, adds the repair still ahead of a paused order, and never lies in the past', () => {
    const h = history(['dispatched', 0], ['in-repair', 10], ['paused', 70]);
    const now = new Date(T0 + 80 * MIN);
    const expected = expectedReadyAt(order('paused', 70, h, { pauseReason: 'parts' }), d, now);
    const ahead = rest(['repair-done', 'quality-check', 'washing', 'settlement']);
    expect(expected?.getTime()).toBe(now.getTime() + 20 * MIN + 30 * MIN + ahead);
    const overdue = expectedReadyAt(order('washing', 0, history(['washing', 0])), d, new Date(T0 + 300 * MIN));
    expect(overdue?.getTime()).toBe(T0 + 301 * MIN + d.settlement);
  });

  it('starts a booked visit at its appointment, and has none once the car is ready', () => {
    const o = order('appointment', 0, history(['appointment', 0]), { appointmentAt: at(120) });
    expect(expectedReadyAt(o, d, new Date(T0))?.getTime()).toBe(T0 + 120 * MIN + rest(['reception', 'dispatched', 'in-repair', 'repair-done', 'quality-check', 'washing', 'settlement']));
    expect(expectedReadyAt(order('ready', 0, []), d, new Date(T0))).toBeUndefined();
  });
});

describe('late state', () => {
  const promised = { promisedAt: at(120) };
  const now = (min: number) => new Date(T0 + min * MIN);

  it('is amber close to the promised time or when the estimate runs past it, red after it', () => {
    expect(lateState({ stage: 'in-repair', ...promised }, new Date(T0 + 60 * MIN), now(0), 30)).toBe('on-time');
    expect(lateState({ stage: 'in-repair', ...promised }, new Date(T0 + 150 * MIN), now(0), 30)).toBe('close');
    expect(lateState({ stage: 'in-repair', ...promised }, undefined, now(90), 30)).toBe('close');
    expect(lateState({ stage: 'in-repair', ...promised }, undefined, now(121), 30)).toBe('late');
  });

  it('is never late without a promise or once the car is ready', () => {
    expect(lateState({ stage: 'in-repair', promisedAt: null }, undefined, now(500), 30)).toBe('on-time');
    expect(lateState({ stage: 'ready', ...promised }, undefined, now(500), 30)).toBe('on-time');
  });
});
