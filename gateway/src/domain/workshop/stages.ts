import { ORDER_STAGES, type OrderStage } from '../../protocol/index.js';

/**
 * The workshop process as a transition table (DESIGN.md, "Repair order stages"):
 *
 *   appointment → reception → dispatched → in-repair ⇄ paused
 *                                              ↓
 *                        repair-done → quality-check → washing → settlement → ready → released
 *                                          ↓ failed                                       │
 *                                        rework → in-repair                     comeback  │
 *                reception ◀──────────────────────────────────────────────────────────────╯
 *
 * Anything not listed is refused. Pausing needs a reason; leaving quality-check for rework
 * counts a rework; leaving released for reception is a comeback (返修) and is counted too.
 */
export const TRANSITIONS: Readonly<Record<OrderStage, readonly OrderStage[]>> = {
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

export function canMove(from: OrderStage, to: OrderStage): boolean {
  return TRANSITIONS[from].includes(to);
}

export function nextStages(from: OrderStage): readonly OrderStage[] {
  return TRANSITIONS[from];
}

/** Stages in which technicians can work on job items (and run their clocks). */
export const WORKABLE_STAGES: readonly OrderStage[] = ['dispatched', 'in-repair', 'paused', 'rework'];

/** The car is done from the customer's point of view: no estimate, never late. */
export function isDone(stage: OrderStage): boolean {
  return stage === 'ready' || stage === 'released';
}

/**
 * The path an order takes when nothing goes wrong, up to the car being ready; paused and rework
 * are detours that come back to in-repair.
 */
export const HAPPY_PATH: readonly OrderStage[] = [
  'appointment',
  'reception',
  'dispatched',
  'in-repair',
  'repair-done',
  'quality-check',
  'washing',
  'settlement',
  'ready',
];

/** Where a detour stage rejoins the happy path. */
export function pathStage(stage: OrderStage): OrderStage {
  return stage === 'paused' || stage === 'rework' ? 'in-repair' : stage;
}

export { ORDER_STAGES };
