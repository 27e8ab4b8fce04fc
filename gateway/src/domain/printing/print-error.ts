import { CodedError } from '../coded-error.js';

/** Stable codes of refused print requests; the kiosk and desk translate them. */
export const PRINT_ERROR_CODES = ['unknown-printer', 'job-not-found', 'no-printer', 'printer-not-ready', 'not-printed'] as const;
export type PrintErrorCode = (typeof PRINT_ERROR_CODES)[number];

export class PrintError extends CodedError<PrintErrorCode> {
  constructor(
    code: PrintErrorCode,
    message: string,
    /** The printer's state reason (`paper-out`, `offline`…) when the printer is the cause. */
    readonly reason?: string,
  ) {
    super(code, message);
  }
}
