import type { JobState, OrderStage, PauseReason } from '../../protocol/index.js';
import type { Settlement } from './settlement.js';

export type { JobState };

/** A stretch of work on a job item; `end` is null while the clock runs. */
export interface ClockSegment {
  start: string;
  end: string | null;
}

/** One job item of an order (派工), its technicians and its clock. */
export interface JobItem {
  no: number;
  title: string;
  technicians: string[];
  state: JobState;
  /** Labour time is the sum of these; paused time lies between them and does not count. */
  segments: ClockSegment[];
  /** Why the clock was last paused, while it is. */
  pauseReason: PauseReason | null;
  /** The estimate given at reception, in fen; null when none was given. */
  labourEstimate: number | null;
  partsEstimate: number | null;
}

/** One entry of the stage history: the order entered `stage` at `at`, moved by `by`. */
export interface StageEntry {
  stage: OrderStage;
  at: string;
  by: string;
  reason?: PauseReason;
}

/** A repair order (維修委托) with its job items and the history of its stages. */
export interface RepairOrder {
  /** Internal; never leaves the gateway for a public screen or the bus. */
  id: string;
  /** 受理號碼, printed on the slip and the job cards. */
  no: string;
  /** The customer's key to the status page (128 random bits, base64url). */
  token: string;
  /** Business day the order was created. */
  businessDay: string;
  /** Normalized (see plate.ts); masked whenever it leaves for a public screen. */
  plate: string;
  model: string;
  customerRef: string | null;
  /** The queue ticket the customer was served with, when reception started from one. */
  ticketId: string | null;
  advisor: string;
  stage: OrderStage;
  pauseReason: PauseReason | null;
  /** When the current stage was entered. */
  stageSince: string;
  promisedAt: string | null;
  appointmentAt: string | null;
  /** The odometer at reception (進廠里程), when the advisor noted it. */
  mileageKm: number | null;
  reworkCount: number;
  comebackCount: number;
  createdAt: string;
  releasedAt: string | null;
  jobs: JobItem[];
  /** Oldest first; the last entry is the current stage. */
  history: StageEntry[];
  /** The bill (維修結算單) as last entered; null until then. */
  settlement: Settlement | null;
  /**
   * The code on the exit pass (出門證) the gate scans: drawn when the order is released, dropped
   * when a comeback reopens it. Opaque, and unrelated to the status token.
   */
  exitPass: string | null;
}
