import type { OrderStage, WorkshopCommand } from '../../protocol/index.js';
import type { RepairOrder } from './order.js';

export const WORKSHOP_EVENT_TYPES = [
  'order.opened',
  'order.booked',
  'order.moved',
  'order.promised',
  'job.added',
  'job.assigned',
  'job.started',
  'job.paused',
  'job.resumed',
  'job.finished',
  'order.settlement-set',
] as const;
export type WorkshopEventType = (typeof WORKSHOP_EVENT_TYPES)[number];

/** One accepted command, with the order as it is afterwards; stored in the same transaction. */
export interface WorkshopEvent {
  /** Unique; the DMS dedupes redeliveries by it. */
  id: string;
  type: WorkshopEventType;
  at: string;
  /** Who sent the command: `desk:1`, `bay:3`, `scanner:bay-3`, `dms`, `demo`. */
  by: string;
  command: WorkshopCommand;
  /** Set when the order's stage changed, also when a job clock moved it. */
  stage?: { from: OrderStage | null; to: OrderStage };
  order: RepairOrder;
}
