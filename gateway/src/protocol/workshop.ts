import { z } from 'zod';
import { PrintJobSummary } from './printing.js';
import { MemberRef, TicketId } from './queue.js';
import { OrderStage, PauseReason, ReceptionNumber } from './workshop-public.js';

// The workshop (維修進度看板): repair orders, their stages and job clocks. What the gateway
// publishes for the lounge names an order by its reception number only and carries a masked
// plate: never the order's id, its status token, a customer reference or a full plate. Those
// payloads are strict, so an object carrying more than the schema says fails validation instead
// of leaking. The stages, the lounge board's payloads and the customer's status are their own
// module (workshop-public.ts: zod/mini, read by the board and the phone's page).

const Timestamp = z.iso.datetime({ offset: true });

/** A job item's number within its order, 1-based. */
export const JobNumber = z.number().int().min(1).max(99);

/**
 * A licence plate as staff type it: Chinese mainland (粵B·D5678, 粤BD12345), Hong Kong, Taiwan
 * or foreign. Letters, digits, CJK and the usual separators; normalized by the gateway.
 */
export const Plate = z
  .string()
  .trim()
  .min(2)
  .max(16)
  .regex(/^[\p{Script=Han}A-Za-z0-9Ａ-Ｚａ-ｚ０-９ ·・.-]+$/u, 'letters, digits, a province character and separators only');

/** A short free text shown to staff and the customer (model, job title, advisor). */
const Label = z.string().trim().min(1).max(60);

/** A staff member's id or display name (advisor, technician); never a customer's. */
export const StaffName = z.string().trim().min(1).max(32);

/** 128 random bits in base64url: the customer's key to one order's status page. */
export const StatusToken = z.string().regex(/^[A-Za-z0-9_-]{22}$/, '22 base64url characters');
export type StatusToken = z.infer<typeof StatusToken>;

/**
 * An amount of money in fen (分, 1/100 yuan). Integers only, so that sums and totals never
 * round; at most ¥10,000,000.
 */
export const Fen = z.number().int().min(0).max(1_000_000_000);

export const JobInput = z.strictObject({
  title: Label,
  technicians: z.array(StaffName).max(6).default([]),
  /** The estimate given at reception (估价), printed on the work order when known. */
  labourEstimate: Fen.optional(),
  partsEstimate: Fen.optional(),
});
export type JobInput = z.infer<typeof JobInput>;

export const SETTLEMENT_LINE_KINDS = ['labour', 'part', 'other'] as const;
export const SettlementLineKind = z.enum(SETTLEMENT_LINE_KINDS);
export type SettlementLineKind = z.infer<typeof SettlementLineKind>;

/** One line of the settlement statement (維修結算單): labour hours, a part, or another charge. */
export const SettlementLineInput = z.strictObject({
  kind: SettlementLineKind,
  title: Label,
  /** Hours, pieces or litres: positive, up to two decimals (1.5 h, 4.25 L). */
  qty: z.number().positive().max(9999).multipleOf(0.01),
  /** Per unit, in fen. */
  unitPrice: Fen,
});
export type SettlementLineInput = z.infer<typeof SettlementLineInput>;

const Vehicle = {
  plate: Plate,
  model: Label,
  /** Opaque reference to the customer or member in the DMS; the workshop never shows it. */
  customerRef: MemberRef.optional(),
  advisor: StaffName,
  promisedAt: z.optional(Timestamp),
  /** The odometer when the car came in (進廠里程), printed on the work order. */
  mileageKm: z.number().int().min(0).max(3_000_000).optional(),
  jobs: z.array(JobInput).max(30).default([]),
};

const OnOrder = { order: ReceptionNumber };
const OnJob = { order: ReceptionNumber, job: JobNumber };

/**
 * What the desk, a bay terminal or the DMS asks of the workshop. Every action is one validated
 * transition of one order; a refused command changes nothing.
 */
export const WorkshopCommand = z.discriminatedUnion('action', [
  /** The advisor checks a car in (受理): a new order in `reception`, optionally for a queue ticket. */
  z.strictObject({ action: z.literal('open'), ...Vehicle, ticketId: TicketId.optional() }),
  /** A booked visit (預約): a new order in `appointment`. */
  z.strictObject({ action: z.literal('book'), ...Vehicle, appointmentAt: Timestamp }),
  /** Moves the order to another stage; `reason` is required for `paused`. */
  z.strictObject({ action: z.literal('move'), ...OnOrder, to: OrderStage, reason: z.optional(PauseReason) }),
  z.strictObject({ action: z.literal('set-promised'), ...OnOrder, promisedAt: Timestamp }),
  z.strictObject({ action: z.literal('add-job'), ...OnOrder, ...JobInput.shape }),
  z.strictObject({ action: z.literal('assign'), ...OnJob, technicians: z.array(StaffName).min(1).max(6) }),
  z.strictObject({ action: z.literal('job-start'), ...OnJob }),
  z.strictObject({ action: z.literal('job-pause'), ...OnJob, reason: z.optional(PauseReason) }),
  z.strictObject({ action: z.literal('job-resume'), ...OnJob }),
  z.strictObject({ action: z.literal('job-finish'), ...OnJob }),
  /**
   * The bill as the desk enters it (or, later, as the DMS sends it through the relay): replaces
   * the order's settlement lines; the gateway computes amounts and totals.
   */
  z.strictObject({ action: z.literal('set-settlement'), ...OnOrder, lines: z.array(SettlementLineInput).min(1).max(60), discount: Fen.default(0) }),
]);
export type WorkshopCommand = z.infer<typeof WorkshopCommand>;
export type WorkshopCommandInput = z.input<typeof WorkshopCommand>;

/** The paper of the service workflow, by print job kind: 任務委托書, 維修結算單, 出廠放行條. */
export const ORDER_DOCUMENT_KINDS = ['work-order', 'settlement', 'exit-pass'] as const;
export const OrderDocumentKind = z.enum(ORDER_DOCUMENT_KINDS);
export type OrderDocumentKind = z.infer<typeof OrderDocumentKind>;

/** `GET /api/workshop/orders/{no}/documents`: each document, whether it can print yet, its print jobs (newest first). */
export const OrderDocumentsAnswer = z.object({
  documents: z.array(z.object({ kind: OrderDocumentKind, available: z.boolean(), jobs: z.array(PrintJobSummary) })),
});
export type OrderDocumentsAnswer = z.infer<typeof OrderDocumentsAnswer>;

/** A line from a barcode scanner at a bay (job card or action sheet), as the scanner sent it. */
export const ScanCode = z.string().regex(/^[\x21-\x7e]{1,64}$/, 'printable ASCII, 1-64 characters, no spaces');

/** Not retained: one barcode read by a serial scanner agent. */
export const BarcodeScan = z.strictObject({ code: ScanCode, at: Timestamp });
export type BarcodeScan = z.infer<typeof BarcodeScan>;

/** Not retained: what the gateway made of a scan, for the bay's display or beeper. */
export const ScanResult = z.strictObject({
  ok: z.boolean(),
  /** `card-read` (waiting for an action), `done`, or the refusal's code. */
  code: z.string().regex(/^[a-z-]{1,40}$/),
  order: z.optional(ReceptionNumber),
  job: JobNumber.optional(),
  stage: z.optional(OrderStage),
  message: z.string().max(300),
  at: Timestamp,
});
export type ScanResult = z.infer<typeof ScanResult>;

export * from './workshop-public.js';
export * from './workshop-scan.js';
