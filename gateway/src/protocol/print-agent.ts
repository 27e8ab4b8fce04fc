import { z } from 'zod';

// A printer agent on another PC (README "Printing and ticket dispensers", remote agents): the
// gateway keeps the print queue and sends each job to the agent of its printer; the agent
// prints it with the same in-order confirmation as in the gateway and reports back. Both ways
// QoS 1, and a job is known by its id, so a message delivered twice does nothing twice.

const Timestamp = z.iso.datetime({ offset: true });
const JobId = z.uuid();

/** Bytes of one job: a ticket is ~2 KB, a document with a raster QR code some 20 KB. */
const MAX_JOB_BASE64 = 700_000;

export const PrintAgentJob = z.strictObject({
  type: z.literal('job'),
  id: JobId,
  /** How often the gateway has sent it to a printer before, plus one. */
  attempt: z.number().int().min(1),
  /** It may have been printed in part before (sent, never confirmed): print it marked 重印 / REPRINT. */
  reprint: z.boolean(),
  /** The ticket number or document name, for the agent's log. */
  label: z.string().min(1).max(40),
  /** The ESC/POS bytes, base64. */
  data: z.base64().min(4).max(MAX_JOB_BASE64),
  at: Timestamp,
});
export type PrintAgentJob = z.infer<typeof PrintAgentJob>;

/** Take a job back if the printer does not have it yet (a kiosk stopped waiting). */
export const PrintAgentCancel = z.strictObject({ type: z.literal('cancel'), id: JobId, at: Timestamp });
export type PrintAgentCancel = z.infer<typeof PrintAgentCancel>;

/** `device/{printer}/print/job`: gateway → the printer's agent. */
export const PrintAgentCommand = z.discriminatedUnion('type', [PrintAgentJob, PrintAgentCancel]);
export type PrintAgentCommand = z.infer<typeof PrintAgentCommand>;

/**
 * received: the agent has it queued. started: its bytes go to the printer now (it may come out
 * from here on; a later copy is marked reprint). printed: the printer answered the in-order
 * request after it, with no stop seen. failed: the printer stopped in it (`reason`); the agent
 * keeps it and prints it again, whole, marked. cancelled: taken back before it started.
 */
export const PRINT_AGENT_EVENTS = ['received', 'started', 'printed', 'failed', 'cancelled'] as const;

/** `device/{printer}/print/report`: the printer's agent → gateway. */
export const PrintAgentReport = z.strictObject({
  job: JobId,
  event: z.enum(PRINT_AGENT_EVENTS),
  reason: z.string().regex(/^[a-z0-9-]{1,40}$/).optional(),
  at: Timestamp,
});
export type PrintAgentReport = z.infer<typeof PrintAgentReport>;
