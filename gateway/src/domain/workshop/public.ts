import type { BoardOrder, OrderStage, PublicStatus } from '../../protocol/index.js';
import { expectedReadyAt, lateState, type StageDurations } from './estimate.js';
import type { RepairOrder } from './order.js';
import { maskPlate } from './plate.js';

// What leaves the gateway of an order for public eyes (lounge board, phone status page): the
// plate masked here and only here, no customer reference, no order id, no token.

const PROGRESS: Readonly<Record<OrderStage, number>> = {
  appointment: 0,
  reception: 10,
  dispatched: 20,
  'in-repair': 30,
  paused: 30,
  'repair-done': 65,
  'quality-check': 72,
  rework: 50,
  washing: 80,
  settlement: 88,
  ready: 95,
  released: 100,
};
/** Share of the bar that in-repair fills as its job items finish. */
const REPAIR_SPAN = 30;

/** 0-100 along the process; in repair it grows with the share of finished job items. */
export function progress(order: Pick<RepairOrder, 'stage' | 'jobs'>): number {
  const base = PROGRESS[order.stage];
  if ((order.stage !== 'in-repair' && order.stage !== 'paused') || order.jobs.length === 0) return base;
  const finished = order.jobs.filter((j) => j.state === 'finished').length;
  return base + Math.round((REPAIR_SPAN * finished) / order.jobs.length);
}

export interface PublicContext {
  durations: StageDurations;
  now: Date;
  warnMin: number;
}

export function toBoardOrder(order: RepairOrder, { durations, now, warnMin }: PublicContext): BoardOrder {
  const expected = expectedReadyAt(order, durations, now);
  return {
    no: order.no,
    plate: maskPlate(order.plate),
    model: order.model,
    advisor: order.advisor,
    stage: order.stage,
    ...(order.stage === 'paused' && order.pauseReason ? { pauseReason: order.pauseReason } : {}),
    progress: progress(order),
    promisedAt: order.promisedAt,
    expectedReadyAt: expected?.toISOString() ?? null,
    late: lateState(order, expected, now, warnMin),
    stageSince: order.stageSince,
  };
}

/** The phone status page: the board's row, the timeline of stages and the job items' progress (its schema is the protocol's). */
export type PublicOrderStatus = PublicStatus;

export function toPublicStatus(order: RepairOrder, ctx: PublicContext): PublicOrderStatus {
  return {
    order: { ...toBoardOrder(order, ctx), reworkCount: order.reworkCount, comebackCount: order.comebackCount },
    timeline: order.history.map(({ stage, at, reason }) => ({ stage, at, ...(reason ? { reason } : {}) })),
    jobs: order.jobs.map(({ no, title, state }) => ({ no, title, state })),
  };
}
