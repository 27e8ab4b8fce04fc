import * as z from 'zod/mini';

// What the workshop shows the public (lounge board, the customer's phone): the stages, the board's
// rows and payloads and the customer's status. zod/mini, as everything the board and the phone's
// status page parse (i18n.ts): they then carry no classic zod, and of zod/mini only the checks used.

const Timestamp = z.iso.datetime({ offset: true });

/** Every stage of a repair order, in the order of the seed documents' workshop process. */
export const ORDER_STAGES = [
  'appointment',
  'reception',
  'dispatched',
  'in-repair',
  'paused',
  'repair-done',
  'quality-check',
  'rework',
  'washing',
  'settlement',
  'ready',
  'released',
] as const;
export const OrderStage = z.enum(ORDER_STAGES);
export type OrderStage = z.infer<typeof OrderStage>;

/** Why work stopped: parts on order, or the customer has not yet approved newly found work. */
export const PAUSE_REASONS = ['parts', 'approval'] as const;
export const PauseReason = z.enum(PAUSE_REASONS);
export type PauseReason = z.infer<typeof PauseReason>;

/** 受理號碼: the business day (YYMMDD) and the day's sequence, e.g. 250301-007. */
export const ReceptionNumber = z.string().check(z.regex(/^\d{6}-\d{3}$/, 'YYMMDD-NNN, e.g. 250301-007'));
export type ReceptionNumber = z.infer<typeof ReceptionNumber>;

/** Amber when the promised time is close or the estimate passes it; red once it has passed. */
export const LATE_STATES = ['on-time', 'close', 'late'] as const;
export const LateState = z.enum(LATE_STATES);
export type LateState = z.infer<typeof LateState>;

/** One row of the lounge board: nothing that names a person or identifies the car outright. */
export const BoardOrder = z.strictObject({
  no: ReceptionNumber,
  /** Masked in the gateway (粵B·D5**8); the full plate never leaves it for a public screen. */
  plate: z.string().check(z.maxLength(20)),
  model: z.string().check(z.maxLength(60)),
  advisor: z.string().check(z.maxLength(32)),
  stage: OrderStage,
  pauseReason: z.optional(PauseReason),
  /** 0-100 along the workshop process. */
  progress: z.int().check(z.minimum(0), z.maximum(100)),
  promisedAt: z.nullable(Timestamp),
  /** From the store's stage history; null once the car is ready. */
  expectedReadyAt: z.nullable(Timestamp),
  late: LateState,
  stageSince: Timestamp,
});
export type BoardOrder = z.infer<typeof BoardOrder>;

export const BOARD_LAYOUTS = ['queue', 'workshop', 'both'] as const;
export const BoardLayout = z.enum(BOARD_LAYOUTS);
export type BoardLayout = z.infer<typeof BoardLayout>;

/** Orders the board's state in time: grows with every change, also across gateway restarts. */
const BoardRevision = z.int().check(z.nonnegative());
const BusinessDay = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));

/**
 * Retained: every order of the business day, for the lounge board. Always current for a screen
 * that subscribes; sent to the screens already subscribed when the set of orders changes and at
 * least every 30 s (in between, `workshop/board/changes` carries the rows that changed).
 */
export const WorkshopBoard = z.strictObject({
  /** What the lounge screens show, from the gateway's configuration (a `?view=` parameter overrides it). */
  layout: BoardLayout,
  day: BusinessDay,
  rev: BoardRevision,
  orders: z.array(BoardOrder).check(z.maxLength(1000)),
  at: Timestamp,
});
export type WorkshopBoard = z.infer<typeof WorkshopBoard>;

/** Not retained: the rows that changed, as they are now; a screen applies it when `rev` is newer than its board. */
export const WorkshopBoardChange = z.strictObject({
  day: BusinessDay,
  rev: BoardRevision,
  orders: z.array(BoardOrder).check(z.maxLength(1000)),
  at: Timestamp,
});
export type WorkshopBoardChange = z.infer<typeof WorkshopBoardChange>;

export const JOB_STATES = ['pending', 'running', 'paused', 'finished'] as const;
export const JobState = z.enum(JOB_STATES);
export type JobState = z.infer<typeof JobState>;

/** `GET /api/workshop/orders/by-token/:token` (and `by-ticket`): the customer's order on the phone's status page, the board's row with its timeline of stages and job items. */
export const PublicStatus = z.object({
  order: z.extend(BoardOrder, { reworkCount: z.number(), comebackCount: z.number() }),
  timeline: z.array(z.object({ stage: OrderStage, at: z.string(), reason: z.optional(PauseReason) })),
  jobs: z.array(z.object({ no: z.number(), title: z.string(), state: JobState })),
});
export type PublicStatus = z.infer<typeof PublicStatus>;
