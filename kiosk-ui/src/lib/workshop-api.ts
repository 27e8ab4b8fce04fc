import { z } from 'zod';
import {
  JobNumber,
  JobState,
  LateState,
  OrderDocumentsAnswer,
  OrderStage,
  PauseReason,
  PrintJobAnswer,
  SettlementLineKind,
  type OrderDocumentKind,
  type WorkshopCommand,
} from '@forecourt/gateway/protocol';
import { post, request, type ApiResult } from '@forecourt/screen-lib/api.js';

// The workshop's HTTP calls for the desk panel and the bay terminal (the phone's are status/status-api.ts).
// Answers cross a schema like every other input: anything unexpected becomes a coded error the
// screen translates, never an exception on screen.

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
  pauseReason: z.nullable(PauseReason),
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
      state: JobState,
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
  late: LateState,
  statusPath: z.string(),
});
export type StaffOrder = z.infer<typeof StaffOrder>;

export const StaffOrders = z.object({ day: z.string(), orders: z.array(StaffOrder) });
export type StaffOrders = z.infer<typeof StaffOrders>;

const CommandAnswer = z.object({
  event: z.object({ type: z.string(), stage: z.object({ from: z.nullable(OrderStage), to: OrderStage }).optional() }).loose(),
  order: StaffOrder,
});
export type CommandAnswer = z.infer<typeof CommandAnswer>;

/** The order's history names the author from the request's identity (the signed-in staff member). */
export function sendWorkshopCommand(command: WorkshopCommand): Promise<ApiResult<CommandAnswer>> {
  return request('/api/workshop/commands', CommandAnswer, post(command));
}

export function fetchOrders(): Promise<ApiResult<StaffOrders>> {
  return request('/api/workshop/orders', StaffOrders);
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
