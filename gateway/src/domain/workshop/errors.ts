import { CodedError } from '../coded-error.js';
/** Stable machine codes of refused workshop commands; screens translate them, logs keep them. */
export const WORKSHOP_ERROR_CODES = [
  'order-not-found',
  'job-not-found',
  'ticket-not-found',
  'illegal-transition',
  'reason-required',
  'not-dispatchable',
  'jobs-open',
  'job-wrong-state',
  'order-wrong-stage',
  'plate-has-open-order',
  'promised-in-past',
  'day-full',
  'invalid-settlement',
  'no-document',
] as const;
export type WorkshopErrorCode = (typeof WORKSHOP_ERROR_CODES)[number];

/** A command the workshop refused; the engine throws it before changing anything. */
export class WorkshopError extends CodedError<WorkshopErrorCode> {}
