import { z } from 'zod';
import { ID_PATTERN } from './topics.js';

// Printing on the bus: the gateway's print queue as the desk sees it. A job names its ticket by
// number only (never the ticket id that the printed QR code carries).

const Timestamp = z.iso.datetime({ offset: true });

export const PRINT_JOB_KINDS = ['ticket', 'reception-slip', 'work-order', 'settlement', 'exit-pass', 'test'] as const;
export const PrintJobKind = z.enum(PRINT_JOB_KINDS);
export type PrintJobKind = z.infer<typeof PrintJobKind>;

/** queued: waiting for the printer (or its paper); printed: the printer answered the in-order request after it. */
export const PRINT_JOB_STATES = ['queued', 'printed', 'cancelled'] as const;
export const PrintJobState = z.enum(PRINT_JOB_STATES);
export type PrintJobState = z.infer<typeof PrintJobState>;

export const PrintJobSummary = z.strictObject({
  id: z.uuid(),
  printer: z.string().regex(ID_PATTERN),
  kind: PrintJobKind,
  /** What the desk shows: a ticket number such as A012, or the layout's name. */
  label: z.string().min(1).max(40),
  state: PrintJobState,
  /** Times the bytes were sent; more than 1 means the printer did not confirm the first try. */
  attempts: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  createdAt: Timestamp,
  printedAt: Timestamp.nullable(),
  /** Set when this job reprints an earlier one. */
  reprintOf: z.uuid().nullable(),
});
export type PrintJobSummary = z.infer<typeof PrintJobSummary>;

/** Retained: the latest print jobs of every printer, newest first. */
export const PrintJobList = z.strictObject({
  jobs: z.array(PrintJobSummary).max(50),
  at: Timestamp,
});
export type PrintJobList = z.infer<typeof PrintJobList>;

/**
 * `POST /api/print/ticket/{id}`: the job, whether the printer confirmed it in the time asked, and
 * if not, whether the printer has it (`printing`: it may still come out, so it was not cancelled).
 */
export const TicketPrintAnswer = z.object({ job: PrintJobSummary, printed: z.boolean(), printing: z.boolean() });
export type TicketPrintAnswer = z.infer<typeof TicketPrintAnswer>;

/** A refused print request; `reason` is the printer's state (`paper-out`, `offline`…) when it is the cause. */
export const PrintRefusal = z.object({ error: z.object({ code: z.string(), message: z.string().optional(), reason: z.string().optional() }) });

/** `POST /api/print/jobs/{id}/reprint` and `/api/print/printers/{id}/test`. */
export const PrintJobAnswer = z.object({ job: PrintJobSummary });
