import { z } from 'zod';
import { AuditRow } from './access/identity-api.js';

// The store ↔ dealer-group (DMS) contract: what the relay sends, what the DMS answers, and what
// comes back by the changes cursor. One definition for the gateway, the DMS simulator, the
// generated OpenAPI document (firmware-config/dms-openapi.json) and the tests.
//
// Personal data: events carry the DMS's own customer and vehicle ids and, on repair orders, the
// plate and model the DMS already holds. Names, phone numbers, VINs, ticket ids (the key to a
// customer's ticket page) and order tokens (the key to the status page) never leave the store.

const Timestamp = z.iso.datetime({ offset: true });
const StoreId = z.string().regex(/^[a-z0-9-]{1,32}$/);
/** Member and vehicle numbers as the DMS gave them (32-bit, like the card's fields). */
const DmsId = z.number().int().min(1).max(0xffff_ffff);

/** The thing an event belongs to; a receiver may process different aggregates in parallel. */
export const AGGREGATE_TYPES = ['ticket', 'queue', 'repair-order', 'appointment', 'audit', 'print-job'] as const;
export const AggregateType = z.enum(AGGREGATE_TYPES);
export type AggregateType = z.infer<typeof AggregateType>;

/** A queue ticket, named by business day and number (`2026-12-01/A023`), never by its page id. */
export const TicketData = z.strictObject({
  businessDay: z.iso.date(),
  number: z.string().regex(/^[A-Z][0-9]{3,}$/),
  service: z.string(),
  originalService: z.string(),
  priority: z.enum(['appointment', 'vip', 'regular']),
  state: z.enum(['waiting', 'called', 'serving', 'done', 'no-show', 'cancelled']),
  issuedAt: Timestamp,
  calledAt: Timestamp.nullable(),
  desk: z.string().nullable(),
  recallCount: z.number().int().nonnegative(),
  /** The desk that acted, for desk actions. */
  by: z.string().nullable(),
  fromService: z.string().optional(),
  customerId: DmsId.nullable(),
  vehicleId: DmsId.nullable(),
});

export const QueueModeData = z.strictObject({ mode: z.string(), previous: z.string(), by: z.string() });

const StageEntry = z.strictObject({ stage: z.string(), at: Timestamp, by: z.string(), reason: z.string().optional() });
const JobLine = z.strictObject({
  no: z.number().int(),
  title: z.string(),
  technicians: z.array(z.string()),
  state: z.string(),
  segments: z.array(z.strictObject({ start: Timestamp, end: Timestamp.nullable() })),
  pauseReason: z.string().nullable(),
  /** The estimate given at reception, in fen (optional: events queued before it existed lack it). */
  labourEstimate: z.number().int().nonnegative().nullable().optional(),
  partsEstimate: z.number().int().nonnegative().nullable().optional(),
});

/** Money in fen (1/100 CNY), as integers. */
const Fen = z.number().int().nonnegative();

/** The bill entered at the store (維修結算單): lines, and totals computed by the gateway. */
const SettlementData = z.strictObject({
  lines: z.array(z.strictObject({ kind: z.enum(['labour', 'part', 'other']), title: z.string(), qty: z.number().positive(), unitPrice: Fen, amount: Fen })),
  labour: Fen,
  parts: Fen,
  other: Fen,
  subtotal: Fen,
  discount: Fen,
  total: Fen,
  at: Timestamp,
  by: z.string(),
});

/** A repair order (STAR: RepairOrder) after the command, with its job lines and stage history. */
export const RepairOrderData = z.strictObject({
  no: z.string(),
  businessDay: z.iso.date(),
  plate: z.string(),
  model: z.string(),
  customerId: DmsId.nullable(),
  vehicleId: DmsId.nullable(),
  ticket: z.string().nullable(),
  advisor: z.string(),
  stage: z.string(),
  stageChange: z.strictObject({ from: z.string().nullable(), to: z.string() }).nullable(),
  pauseReason: z.string().nullable(),
  promisedAt: Timestamp.nullable(),
  appointmentAt: Timestamp.nullable(),
  reworkCount: z.number().int(),
  comebackCount: z.number().int(),
  createdAt: Timestamp,
  releasedAt: Timestamp.nullable(),
  jobs: z.array(JobLine),
  history: z.array(StageEntry),
  /** Who sent the command: `desk:1`, `bay:3`, `dms`. */
  by: z.string(),
  /** Odometer at reception (optional, like the fields below: events queued before they existed lack them). */
  mileageKm: z.number().int().nonnegative().nullable().optional(),
  settlement: SettlementData.nullable().optional(),
});

/** An appointment checked in at the kiosk (STAR: ServiceAppointment). */
export const CheckInData = z.strictObject({ appointmentId: z.string(), customerId: DmsId, vehicleId: DmsId, ticket: z.string() });

/** One row of the audit log: who did what (staff numbers and device ids, no customer data). */
export const AuditData = AuditRow.omit({ seq: true, at: true }).strict();

/** A print job that did not print (kind and printer only; the bytes stay in the store). */
export const PrintFailureData = z.strictObject({ printer: z.string(), kind: z.string(), label: z.string(), reason: z.string() });

/**
 * A customer's survey answer after a release. The comment is relayed without the customer's name,
 * phone numbers or e-mail addresses (each replaced by `***`); the store keeps it as written.
 */
export const SurveyAnswerData = z.strictObject({
  order: z.string(),
  releasedAt: Timestamp,
  advisor: z.string(),
  customerId: DmsId.nullable(),
  vehicleId: DmsId.nullable(),
  rating: z.number().int().min(1).max(5),
  tags: z.array(z.string()),
  comment: z.string().nullable(),
  via: z.enum(['kiosk', 'phone']),
  answeredAt: Timestamp,
});

/**
 * The follow-up call (回訪) of an order: the customer's preferred time (noted at settlement), each
 * call's outcome (its note scrubbed like a survey comment), a complaint's flag closed by the manager.
 */
export const FollowUpData = z.strictObject({
  order: z.string(),
  kind: z.enum(['preference', 'call', 'flag-closed']),
  /** The release the call is about; null for a preference noted before the release. */
  releasedAt: Timestamp.nullable(),
  customerId: DmsId.nullable(),
  vehicleId: DmsId.nullable(),
  callTime: z.string().optional(),
  outcome: z.enum(['reached', 'not-reached', 'complaint']).optional(),
  /** The call's number for this release, 1 for the first. */
  attempt: z.number().int().min(1).optional(),
  note: z.string().nullable().optional(),
  at: Timestamp,
  by: z.string(),
});

/** Each event's `schema` names its data schema; bumped when a field changes meaning. */
export const EVENT_SCHEMAS = {
  'forecourt.ticket/1': TicketData,
  'forecourt.queue-mode/1': QueueModeData,
  'star.repair-order/1': RepairOrderData,
  'star.service-appointment.check-in/1': CheckInData,
  'forecourt.audit/1': AuditData,
  'forecourt.print-failure/1': PrintFailureData,
  'forecourt.survey-answer/1': SurveyAnswerData,
  'forecourt.follow-up/1': FollowUpData,
} as const;
export type EventSchemaName = keyof typeof EVENT_SCHEMAS;
export const EventSchemaName = z.enum(Object.keys(EVENT_SCHEMAS) as [EventSchemaName, ...EventSchemaName[]]);

/** One relayed event. `seq` rises by one per store with no gaps; `eventId` is for dedupe. */
export const DmsEvent = z
  .strictObject({
    storeId: StoreId,
    seq: z.number().int().min(1),
    eventId: z.uuid(),
    type: z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/),
    aggregate: z.strictObject({ type: AggregateType, id: z.string().min(1).max(64) }),
    at: Timestamp,
    data: z.unknown(),
    schema: EventSchemaName,
  })
  .superRefine((event, ctx) => {
    const parsed = EVENT_SCHEMAS[event.schema].safeParse(event.data);
    parsed.error?.issues.forEach((issue) => ctx.addIssue({ code: 'custom', path: ['data', ...issue.path], message: issue.message }));
  });
export type DmsEvent = z.infer<typeof DmsEvent>;

/** The body of `POST {url}/events`: a batch in seq order. */
export const EventBatch = z.strictObject({ storeId: StoreId, events: z.array(DmsEvent).min(1).max(1000) });
export type EventBatch = z.infer<typeof EventBatch>;

/**
 * The DMS's answer to a batch. 202: everything up to `acceptedThrough` is stored. 409/422: the
 * events before `rejected.seq` are stored (`acceptedThrough`), that one event is refused for good.
 */
export const BatchAccepted = z.strictObject({ acceptedThrough: z.number().int().min(0) });
export const BatchRejected = z.strictObject({
  acceptedThrough: z.number().int().min(0),
  rejected: z.strictObject({ seq: z.number().int().min(1), code: z.string().max(64), reason: z.string().max(500) }),
});

/** Largest DMS reply the relay reads; a bigger one counts as garbage. */
export const MAX_DMS_REPLY_BYTES = 64 * 1024;

/** The retained `{topicPrefix}/{storeId}/status` on the group broker (the will says offline). */
export const RelayStatusMessage = z.strictObject({ storeId: StoreId, online: z.boolean(), at: Timestamp, seq: z.number().int().min(0) });
export type RelayStatusMessage = z.infer<typeof RelayStatusMessage>;

/** What the desk shows of one transport: "head office: connected / offline since…". */
export const RelayTransportStatus = z.strictObject({
  transport: z.enum(['http', 'mqtt']),
  state: z.enum(['connected', 'offline', 'circuit-open']),
  since: Timestamp,
  /** Highest seq the transport has had acknowledged. */
  ackedThrough: z.number().int().min(0),
  backlog: z.number().int().min(0),
  oldestUnsentAt: Timestamp.nullable(),
  rejected: z.number().int().min(0),
  lastError: z.string().nullable(),
});
export type RelayTransportStatus = z.infer<typeof RelayTransportStatus>;

export const RelayStatus = z.strictObject({
  configured: z.boolean(),
  lastSeq: z.number().int().min(0),
  transports: z.array(RelayTransportStatus),
  outboxBytes: z.number().int().min(0),
  capBytes: z.number().int().min(0),
  sync: z.strictObject({ cursor: z.string().nullable(), lastAt: Timestamp.nullable(), applied: z.number().int(), rejected: z.number().int(), lastError: z.string().nullable() }).nullable(),
});
export type RelayStatus = z.infer<typeof RelayStatus>;

/** An event the DMS refused for good, kept for a manager to inspect and retry. */
export const DeadLetter = z.strictObject({
  seq: z.number().int(),
  transport: z.enum(['http', 'mqtt']),
  type: z.string(),
  aggregate: z.strictObject({ type: AggregateType, id: z.string() }),
  code: z.string(),
  reason: z.string(),
  at: Timestamp,
  event: z.unknown(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;
