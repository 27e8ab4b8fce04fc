import { CodedError } from '../coded-error.js';
import { QUEUE_ERROR_CODES } from '../../protocol/index.js';

export { QUEUE_ERROR_CODES };
export type QueueErrorCode = (typeof QUEUE_ERROR_CODES)[number];

/** A request the queue refused; the engine throws it before changing anything. */
export class QueueError extends CodedError<QueueErrorCode> {}
