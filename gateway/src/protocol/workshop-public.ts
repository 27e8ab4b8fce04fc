import * as z from 'zod/mini';

// What the workshop shows the public (lounge board, the customer's phone): the stages, the board's
// row and the customer's status. zod/mini, as everything the phone's status page parses (i18n.ts):
// its page then carries no classic zod, and of zod/mini only the checks these schemas use.

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
