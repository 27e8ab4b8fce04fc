import { ORDER_STAGES, type OrderStage } from '../../protocol/index.js';
import type { WorkshopFigures } from '../../protocol/stats.js';
import { labourMs } from '../workshop/job-clock.js';
import type { RepairOrder } from '../workshop/order.js';

/** What the workshop statistics add up over released orders; stored per business day as JSON. */
export interface WorkshopSums {
  released: number;
  /** Orders with a promised time, and those ready by it. */
  promised: number;
  promisedMet: number;
  reworks: number;
  comebacks: number;
  /** Technicians' clocked time of the jobs. */
  labourS: number;
  /** Reception to ready, for orders that went through both. */
  elapsedN: number;
  elapsedS: number;
  /** Time spent in each stage before release, and how many orders spent it. */
  stageS: Partial<Record<OrderStage, number>>;
  stageN: Partial<Record<OrderStage, number>>;
}

export function emptyWorkshopSums(): WorkshopSums {
  return { released: 0, promised: 0, promisedMet: 0, reworks: 0, comebacks: 0, labourS: 0, elapsedN: 0, elapsedS: 0, stageS: {}, stageN: {} };
}

const ms = (iso: string) => Date.parse(iso);
const lastAt = (order: RepairOrder, stage: OrderStage) => order.history.findLast((h) => h.stage === stage)?.at;

/** Adds one released order: its last visit, from its last reception to its release. */
export function addReleasedOrder(sums: WorkshopSums, order: RepairOrder): void {
  const released = ms(order.releasedAt ?? order.stageSince);
  sums.released += 1;
  sums.reworks += order.reworkCount;
  sums.comebacks += order.comebackCount;
  sums.labourS += order.jobs.reduce((total, job) => total + labourMs(job, new Date(released)), 0) / 1000;
  const ready = lastAt(order, 'ready');
  if (order.promisedAt) {
    sums.promised += 1;
    if (ready && ms(ready) <= ms(order.promisedAt)) sums.promisedMet += 1;
  }
  const reception = lastAt(order, 'reception');
  if (reception && ready && ms(ready) >= ms(reception)) {
    sums.elapsedN += 1;
    sums.elapsedS += (ms(ready) - ms(reception)) / 1000;
  }
  // Each stage's time is from entering it to entering the next; the visit starts at the last reception.
  const from = order.history.findLastIndex((h) => h.stage === 'reception');
  const visit = order.history.slice(Math.max(0, from));
  visit.forEach((entry, i) => {
    const next = visit[i + 1];
    if (!next) return;
    const spent = Math.max(0, ms(next.at) - ms(entry.at)) / 1000;
    sums.stageS[entry.stage] = (sums.stageS[entry.stage] ?? 0) + spent;
    sums.stageN[entry.stage] = (sums.stageN[entry.stage] ?? 0) + 1;
  });
}

export function addWorkshopSums(a: WorkshopSums, b: WorkshopSums): WorkshopSums {
  a.released += b.released;
  a.promised += b.promised;
  a.promisedMet += b.promisedMet;
  a.reworks += b.reworks;
  a.comebacks += b.comebacks;
  a.labourS += b.labourS;
  a.elapsedN += b.elapsedN;
  a.elapsedS += b.elapsedS;
  for (const stage of ORDER_STAGES) {
    if (b.stageS[stage] !== undefined) a.stageS[stage] = (a.stageS[stage] ?? 0) + b.stageS[stage];
    if (b.stageN[stage] !== undefined) a.stageN[stage] = (a.stageN[stage] ?? 0) + b.stageN[stage];
  }
  return a;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** What the manager reads of a sum. */
export function workshopFigures(key: string, s: WorkshopSums): WorkshopFigures {
  return {
    key,
    released: s.released,
    promised: s.promised,
    promisedMetShare: s.promised === 0 ? null : s.promisedMet / s.promised,
    reworks: s.reworks,
    comebacks: s.comebacks,
    labourMeanS: s.released === 0 ? null : round1(s.labourS / s.released),
    elapsedMeanS: s.elapsedN === 0 ? null : round1(s.elapsedS / s.elapsedN),
    labourShare: s.elapsedS === 0 ? null : Math.min(1, s.labourS / s.elapsedS),
    stages: ORDER_STAGES.flatMap((stage) => {
      const n = s.stageN[stage];
      return n ? [{ stage, orders: n, meanS: round1((s.stageS[stage] ?? 0) / n) }] : [];
    }),
  };
}
