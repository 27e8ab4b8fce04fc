import { CodedError } from '../coded-error.js';

/** Stable codes of refused staff-card requests; screens translate them, logs keep them. */
export const STAFF_CARD_ERROR_CODES = ['staff-not-found', 'staff-disabled', 'no-desk-reader', 'no-reader'] as const;
export type StaffCardErrorCode = (typeof STAFF_CARD_ERROR_CODES)[number];

export class StaffCardError extends CodedError<StaffCardErrorCode> {}
