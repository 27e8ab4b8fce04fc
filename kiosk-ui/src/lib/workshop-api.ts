import { z } from 'zod';
import { BoardOrder, JobNumber, OrderStage, PauseReason, type WorkshopCommand } from '@forecourt/gateway/protocol';

// The workshop's HTTP calls for the desk panel, the bay terminal and the phone status page.
// Answers cross a schema like every other input: anything unexpected becomes a coded error the
// screen translates, never an exception on screen.

export type ApiResult<T> = { ok: true; body: T } | { ok: false; code: string; message: string };

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
  reworkCount: z.number(),
  comebackCount: z.number(),
  jobs: z.array(
    z.object({ no: JobNumber, title: z.string(), technicians: z.array(z.string()), state: z.enum(JOB_STATES), labourMin: z.number() }),
  ),
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
export const TicketStatus = z.object({
  ticket: z.object({ number: z.string(), state: z.string() }).loose(),
  peopleAhead: z.number(),
  estimatedWaitMin: z.number(),
});
export type TicketStatus = z.infer<typeof TicketStatus>;

const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string().optional() }) });
const TIMEOUT_MS = 8000;

async function request<S extends z.ZodType>(url: string, schema: S, init?: RequestInit): Promise<ApiResult<z.infer<S>>> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS), cache: 'no-store' });
  } catch (err) {
    return { ok: false, code: 'network', message: err instanceof Error ? err.message : String(err) };
  }
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    return { ok: false, code: res.ok ? 'bad-response' : `http-${res.status}`, message: res.statusText };
  }
  if (!res.ok) {
    const error = ErrorBody.safeParse(json);
    return error.success
      ? { ok: false, code: error.data.error.code, message: error.data.error.message ?? '' }
      : { ok: false, code: `http-${res.status}`, message: res.statusText };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    console.warn('workshop: unexpected answer', url, parsed.error.issues[0]);
    return { ok: false, code: 'bad-response', message: parsed.error.issues[0]?.message ?? 'invalid' };
  }
  return { ok: true, body: parsed.data };
}

/** `sender` goes into the order's history: `desk:1`, `bay:3`. */
export function sendWorkshopCommand(command: WorkshopCommand, sender: string): Promise<ApiResult<CommandAnswer>> {
  return request('/api/workshop/commands', CommandAnswer, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forecourt-sender': sender },
    body: JSON.stringify(command),
  });
}

export function fetchOrders(): Promise<ApiResult<StaffOrders>> {
  return request('/api/workshop/orders', StaffOrders);
}

export function fetchStatusByToken(token: string): Promise<ApiResult<PublicStatus>> {
  return request(`/api/workshop/orders/by-token/${encodeURIComponent(token)}`, PublicStatus);
}

export function fetchStatusByTicket(ticketId: string): Promise<ApiResult<PublicStatus>> {
  return request(`/api/workshop/orders/by-ticket/${encodeURIComponent(ticketId)}`, PublicStatus);
}

export function fetchTicket(ticketId: string): Promise<ApiResult<TicketStatus>> {
  return request(`/api/queue/tickets/${encodeURIComponent(ticketId)}`, TicketStatus);
}

export function fetchOrder(no: string): Promise<ApiResult<{ order: StaffOrder }>> {
  return request(`/api/workshop/orders/${encodeURIComponent(no)}`, z.object({ order: StaffOrder }));
}
