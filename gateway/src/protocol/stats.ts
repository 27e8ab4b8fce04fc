import { z } from 'zod';
import { OrderStage } from './workshop.js';

/** How the manager's statistics are cut: per business day, hour of issue, service or desk. */
export const STATS_GROUPINGS = ['day', 'hour', 'service', 'desk'] as const;
export const StatsGrouping = z.enum(STATS_GROUPINGS);
export type StatsGrouping = z.infer<typeof StatsGrouping>;

const BusinessDay = z.iso.date();
/** Longest period one request may cover: two years of days. */
export const STATS_MAX_DAYS = 731;

/** The query string of `GET /api/stats/queue` and its CSV twin: business days from–to, inclusive. */
export const QueueStatsQuery = z
  .strictObject({ from: BusinessDay, to: BusinessDay, by: StatsGrouping.default('day') })
  .refine((q) => q.from <= q.to, { message: '`from` must not be after `to`', path: ['from'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 < STATS_MAX_DAYS, { message: `at most ${STATS_MAX_DAYS} days at once`, path: ['to'] });
export type QueueStatsQuery = z.infer<typeof QueueStatsQuery>;

const Seconds = z.number().nonnegative().nullable();

/** Waiting-time estimates told at issue, scored against the real waits of the tickets called. */
export const EstimateAccuracy = z.strictObject({
  n: z.number().int().nonnegative(),
  maeS: z.number().nonnegative(),
  /** Estimate minus real wait, on average: positive means the store told people too much. */
  biasS: z.number(),
  /** Share of real waits inside the range told. */
  inRangeShare: z.number().min(0).max(1),
});

/** One row of the queue's figures: a day, an hour, a service or a desk, or the total. */
export const QueueFigures = z.strictObject({
  key: z.string(),
  issued: z.number().int().nonnegative(),
  served: z.number().int().nonnegative(),
  noShows: z.number().int().nonnegative(),
  /** Cancelled while waiting. */
  walkAways: z.number().int().nonnegative(),
  /** Still waiting or at a desk when the day ended (or now, for today). */
  unfinished: z.number().int().nonnegative(),
  transfers: z.number().int().nonnegative(),
  /** Share of tickets issued in peak mode. */
  peakShare: z.number().min(0).max(1).nullable(),
  waitP50S: Seconds,
  waitP90S: Seconds,
  waitMeanS: Seconds,
  serviceP50S: Seconds,
  serviceP90S: Seconds,
  serviceMeanS: Seconds,
  estimate: EstimateAccuracy.nullable(),
});
export type QueueFigures = z.infer<typeof QueueFigures>;

export const QueueStatsAnswer = z.strictObject({
  from: BusinessDay,
  to: BusinessDay,
  by: StatsGrouping,
  rows: z.array(QueueFigures),
  total: QueueFigures,
  /** The store's business day now: screens count their periods back from it. */
  today: BusinessDay,
  /** Days of the period read live from the event log (today, or days not rolled up yet). */
  liveDays: z.array(BusinessDay),
});
export type QueueStatsAnswer = z.infer<typeof QueueStatsAnswer>;

/** The workshop over released orders (a day is the day of release), or the total. */
export const WorkshopFigures = z.strictObject({
  key: z.string(),
  released: z.number().int().nonnegative(),
  /** Orders that had a promised time, and the share ready by it. */
  promised: z.number().int().nonnegative(),
  promisedMetShare: z.number().min(0).max(1).nullable(),
  /** Quality checks failed (返工) and cars back after release (返修). */
  reworks: z.number().int().nonnegative(),
  comebacks: z.number().int().nonnegative(),
  /** Technicians' clocked time per order, and reception to ready per order. */
  labourMeanS: Seconds,
  elapsedMeanS: Seconds,
  /** Clocked labour against the time from reception to ready. */
  labourShare: z.number().min(0).max(1).nullable(),
  /** Mean time in each stage, over the orders that passed through it. */
  stages: z.array(z.strictObject({ stage: OrderStage, orders: z.number().int().positive(), meanS: z.number().nonnegative() })),
});
export type WorkshopFigures = z.infer<typeof WorkshopFigures>;

/** The query of `GET /api/stats/workshop`: days of release from–to. */
export const WorkshopStatsQuery = z
  .strictObject({ from: BusinessDay, to: BusinessDay })
  .refine((q) => q.from <= q.to, { message: '`from` must not be after `to`', path: ['from'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 < STATS_MAX_DAYS, { message: `at most ${STATS_MAX_DAYS} days at once`, path: ['to'] });
export type WorkshopStatsQuery = z.infer<typeof WorkshopStatsQuery>;

export const WorkshopStatsAnswer = z.strictObject({
  from: BusinessDay,
  to: BusinessDay,
  /** One row per day with releases. */
  rows: z.array(WorkshopFigures),
  total: WorkshopFigures,
  /** Orders in the workshop now, per stage (not released). */
  inProgress: z.array(z.strictObject({ stage: OrderStage, orders: z.number().int().positive() })),
  today: BusinessDay,
});
export type WorkshopStatsAnswer = z.infer<typeof WorkshopStatsAnswer>;
