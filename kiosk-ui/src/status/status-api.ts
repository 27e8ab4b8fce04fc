import { PublicStatus, TicketStatusAnswer } from '@forecourt/gateway/protocol';
import { request, type ApiResult } from '@forecourt/screen-lib/api.js';

// The phone's HTTP calls. Its answers' schemas are zod/mini (protocol/i18n.ts), so the page
// carries only the checks they use.

/**
 * The phone's polls: the gateway answers these with an ETag, so the browser asks again with
 * If-None-Match and an unchanged status is a bodyless 304 (http/conditional-get.ts).
 */
const REVALIDATE: RequestInit = { cache: 'no-cache' };

/** One order for its customer (`…/by-token/:token`): the board's row, its timeline and job items. */
export function fetchStatusByToken(token: string): Promise<ApiResult<PublicStatus>> {
  return request(`/api/workshop/orders/by-token/${encodeURIComponent(token)}`, PublicStatus, REVALIDATE);
}

export function fetchStatusByTicket(ticketId: string): Promise<ApiResult<PublicStatus>> {
  return request(`/api/workshop/orders/by-ticket/${encodeURIComponent(ticketId)}`, PublicStatus, REVALIDATE);
}

/** A queue ticket's status (`GET /api/queue/tickets/:id`), for a phone whose visit has no order yet. */
export function fetchTicket(ticketId: string): Promise<ApiResult<TicketStatusAnswer>> {
  return request(`/api/queue/tickets/${encodeURIComponent(ticketId)}`, TicketStatusAnswer, REVALIDATE);
}
