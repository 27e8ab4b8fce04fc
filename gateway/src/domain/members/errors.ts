import { CodedError } from '../coded-error.js';
/** Stable codes of refused member requests; screens translate them, logs keep them. */
export const MEMBER_ERROR_CODES = [
  'session-not-found',
  'member-not-found',
  'vehicle-not-found',
  'no-appointment',
  'no-desk-reader',
  'not-demo',
] as const;
export type MemberErrorCode = (typeof MEMBER_ERROR_CODES)[number];

export class MemberError extends CodedError<MemberErrorCode> {}
