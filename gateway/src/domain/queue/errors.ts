/** Stable machine codes of refused queue requests; screens translate them, logs keep them. */
export const QUEUE_ERROR_CODES = [
  'ticket-not-found',
  'wrong-state',
  'wrong-desk',
  'unknown-service',
  'unknown-desk',
  'desk-does-not-serve',
  'same-service',
  'queue-empty',
  'grace-expired',
  'day-full',
] as const;
export type QueueErrorCode = (typeof QUEUE_ERROR_CODES)[number];

/** A request the queue refused; the engine throws it before changing anything. */
export class QueueError extends Error {
  override readonly name = 'QueueError';

  constructor(
    readonly code: QueueErrorCode,
    message: string,
  ) {
    super(message);
  }
}
