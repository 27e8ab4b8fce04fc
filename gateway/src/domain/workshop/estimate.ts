import type { LateState, OrderStage } from '../../protocol/index.js';
import type { RepairOrder, StageEntry } from './order.js';
import { HAPPY_PATH, isDone, pathStage } from './stages.js';

const MINUTE = 60_000;

/** Typical minutes per stage until the store's own history has enough samples. */
export const DEFAULT_STAGE_MINUTES: Readonly<Record<OrderStage, number>> = {
  appointment: 0,
  reception: 15,
  dispatched: 20,
  'in-repair': 90,
  paused: 30,
  'repair-done': 10,
  'quality-check': 15,
  rework: 10,
  washing: 20,
  settlement: 15,
  ready: 0,
  released: 0,
};

/** Samples a stage needs before its median replaces the default. */
export const MIN_SAMPLES = 5;
/** No stage is expected to end sooner than this from now: an estimate is never in the past. */
const MIN_REMAINING_MS = MINUTE;

export type StageDurations = Readonly<Record<OrderStage, number>>;

/**
 * Typical duration (ms) of each stage from stage histories: the median of the completed stays,
 * where a stage counts as completed when a later entry follows it. Stages with fewer than
 * MIN_SAMPLES stays keep their default.
 */
export function stageDurations(histories: readonly (readonly StageEntry[])[]): StageDurations {
  const samples = new Map<OrderStage, number[]>();
  for (const history of histories) {
    for (let i = 0; i + 1 < history.length; i++) {
      const entry = history[i];
      const next = history[i + 1];
      if (!entry || !next) continue;
      const ms = Date.parse(next.at) - Date.parse(entry.at);
      if (ms < 0) continue;
      const list = samples.get(entry.stage);
      if (list) list.push(ms);
      else samples.set(entry.stage, [ms]);
    }
  }
  const result = {} as Record<OrderStage, number>;
  for (const [stage, minutes] of Object.entries(DEFAULT_STAGE_MINUTES) as [OrderStage, number][]) {
    const list = samples.get(stage) ?? [];
    result[stage] = list.length >= MIN_SAMPLES ? median(list) : minutes * MINUTE;
  }
  return result;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Time already spent in in-repair since the order last entered it from dispatched or rework. */
function inRepairSoFar(order: RepairOrder, now: Date): number {
  let total = 0;
  for (let i = order.history.length - 1; i >= 0; i--) {
    const entry = order.history[i];
    if (!entry || entry.stage === 'dispatched' || entry.stage === 'rework') break;
    if (entry.stage !== 'in-repair') continue;
    const end = order.history[i + 1]?.at;
    total += (end ? Date.parse(end) : now.getTime()) - Date.parse(entry.at);
  }
  return total;
}

/**
 * When the car should be ready: the rest of the current stage (its typical duration less the
 * time already spent, at least a minute) plus the typical durations of the stages still ahead on
 * the happy path. A paused order still has the rest of its repair ahead; a booked one starts at
 * its appointment. Undefined once the car is ready.
 */
export function expectedReadyAt(order: RepairOrder, durations: StageDurations, now: Date): Date | undefined {
  if (isDone(order.stage)) return undefined;
  const elapsed = now.getTime() - Date.parse(order.stageSince);
  let start = now.getTime();
  let remaining: number;
  if (order.stage === 'appointment') {
    start = Math.max(start, Date.parse(order.appointmentAt ?? order.stageSince));
    remaining = 0;
  } else if (order.stage === 'in-repair') {
    remaining = Math.max(durations['in-repair'] - inRepairSoFar(order, now), MIN_REMAINING_MS);
  } else {
    remaining = Math.max(durations[order.stage] - elapsed, MIN_REMAINING_MS);
    if (order.stage === 'paused' || order.stage === 'rework') {
      remaining += Math.max(durations['in-repair'] - (order.stage === 'paused' ? inRepairSoFar(order, now) : 0), MIN_REMAINING_MS);
    }
  }
  const from = HAPPY_PATH.indexOf(pathStage(order.stage));
  const ahead = HAPPY_PATH.slice(from + 1).filter((s) => s !== 'ready');
  return new Date(start + remaining + ahead.reduce((sum, s) => sum + durations[s], 0));
}

/**
 * Late state for the board: red once the promised time has passed, amber when it is within
 * `warnMin` or the estimate runs past it. A car that is ready is never late any more.
 */
export function lateState(order: Pick<RepairOrder, 'stage' | 'promisedAt'>, expected: Date | undefined, now: Date, warnMin: number): LateState {
  if (isDone(order.stage) || !order.promisedAt) return 'on-time';
  const promised = Date.parse(order.promisedAt);
  if (now.getTime() > promised) return 'late';
  if (promised - now.getTime() <= warnMin * MINUTE) return 'close';
  if (expected && expected.getTime() > promised) return 'close';
  return 'on-time';
}
