import { z } from 'zod';
import {
  BoardOrder,
  JobNumber,
  OrderDocumentsAnswer,
  OrderStage,
  PauseReason,
  PrintJobAnswer,
  SettlementLineKind,
  TicketStatusAnswer,
  type OrderDocumentKind,
  type WorkshopCommand,
} from '@forecourt/gateway/protocol';
import { post, request, type ApiResult } from '@forecourt/screen-lib/api.js';

// The workshop's HTTP calls for the desk panel, the bay terminal and the phone status page.
// Answers cross a schema like every other input: anything unexpected becomes a coded error the
// screen translates, never an exception on screen.

const JOB_STATES = ['pending', 'running', 'paused', 'finished'] as const;

/** An order as staff see it (`GET /api/workshop/orders`): full plate, customer reference, token. */
export const StaffOrder = z.object({
  no: z.string(),
  token: z.string(),
  plate: z.string(),
  model: z.string(),
  customerRef: z.string().nullable(),
  ticketId: z.string().nullable(),
  advisor: z.string(),
  stage: OrderStage,
  pauseReason: PauseReason.nullable(),
  stageSince: z.string(),
  promisedAt: z.string().nullable(),
  appointmentAt: z.string().nullable(),
  mileageKm: z.number().nullable(),
  reworkCount: z.number(),
  comebackCount: z.number(),
  jobs: z.array(
    z.object({
      no: JobNumber,
      title: z.string(),
      technicians: z.array(z.string()),
      state: z.enum(JOB_STATES),
      labourMin: z.number(),
      labourEstimate: z.number().nullable(),
      partsEstimate: z.number().nullable(),
    }),
  ),
  /** The bill as the gateway holds it: amounts and totals in fen, computed by the gateway. */
  settlement: z
    .object({
      lines: z.array(z.object({ kind: SettlementLineKind, title: z.string(), qty: z.number(), unitPrice: z.number(), amount: z.number() })),
      subtotal: z.number(),
      discount: z.number(),
      total: z.number(),
      at: z.string(),
    })
    .nullable(),
  next: z.array(OrderStage),
  progress: z.number(),
  expectedReadyAt: z.string().nullable(),
  late: BoardOrder.shape.late,
  statusPath: z.string(),
});
export type StaffOrder = z.infer<typeof StaffOrder>;

export const StaffOrders = z.object({ day: z.string(), orders: z.array(StaffOrder) });
export type StaffOrders = z.infer<typeof StaffOrders>;

const CommandAnswer = z.object({
  event: z.object({ type: z.string(), stage: z.object({ from: OrderStage.nullable(), to: OrderStage }).optional() }).loose(),
  order: StaffOrder,
});
export type CommandAnswer = z.infer<typeof CommandAnswer>;

/** One order for its customer (`…/by-token/:token`): the board's row, its timeline and job items. */
export const PublicStatus = z.object({
  order: BoardOrder.extend({ reworkCount: z.number(), comebackCount: z.number() }),
  timeline: z.array(z.object({ stage: OrderStage, at: z.string(), reason: PauseReason.optional() })),
  jobs: z.array(z.object({ no: z.number(), title: z.string(), state: z.enum(JOB_STATES) })),
});
export type PublicStatus = z.infer<typeof PublicStatus>;

/** A queue ticket's status (`GET /api/queue/tickets/:id`), for a phone whose visit has no order yet. */
export const TicketStatus = TicketStatusAnswer;
export type TicketStatus = TicketStatusAnswer;

/**
 * The phone's polls: the gateway answers these with an ETag, so the browser asks again with
 * If-None-Match and an unchanged status is a bodyless 304 (http/conditional-get.ts).
 */
const REVALIDATE: RequestInit = { cache: 'no-cache' };

/** The order's history names the author from the request's identity (the signed-in staff member). */
export function sendWorkshopCommand(command: WorkshopCommand): Promise<ApiResult<CommandAnswer>> {
  return request('/api/workshop/commands', CommandAnswer, post(command));
}

export function fetchOrders(): Promise<ApiResult<StaffOrders>> {
  return request('/api/workshop/orders', StaffOrders);
}

export function fetchStatusByToken(token: string): Promise<ApiResult<PublicStatus>> {
  return request(`/api/workshop/orders/by-token/${encodeURIComponent(token)}`, PublicStatus, REVALIDATE);
}

export function fetchStatusByTicket(ticketId: string): Promise<ApiResult<PublicStatus>> {
  return request(`/api/workshop/orders/by-ticket/${encodeURIComponent(ticketId)}`, PublicStatus, REVALIDATE);
}

export function fetchTicket(ticketId: string): Promise<ApiResult<TicketStatus>> {
  return request(`/api/queue/tickets/${encodeURIComponent(ticketId)}`, TicketStatus, REVALIDATE);
}

export function fetchDocuments(no: string): Promise<ApiResult<OrderDocumentsAnswer>> {
  return request(`/api/workshop/orders/${encodeURIComponent(no)}/documents`, OrderDocumentsAnswer);
}

/** Prints one of the order's documents (again) on the desk's printer. */
export function printDocument(no: string, kind: OrderDocumentKind): Promise<ApiResult<z.infer<typeof PrintJobAnswer>>> {
  return request(`/api/workshop/orders/${encodeURIComponent(no)}/documents/${kind}/print`, PrintJobAnswer, post({}));
}

export function fetchOrder(no: string): Promise<ApiResult<{ order: StaffOrder }>> {
  return request(`/api/workshop/orders/${encodeURIComponent(no)}`, z.object({ order: StaffOrder }));
}
