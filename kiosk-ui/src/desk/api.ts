import { DeskView, QUEUE_API_ERROR_CODES, type PublicTicket } from '@forecourt/gateway/protocol';
import { request, type ApiResult } from '@forecourt/screen-lib/api.js';

// The desk's own view of the queue (with ticket ids to act on), checked against the shared schema;
// commands go through the screens' common sendQueueCommand.

export type { DeskView };
export type DeskTicket = PublicTicket;

/** Codes the gateway answers with, plus the screen's own for a failed request. */
export const KNOWN_ERROR_CODES = [
  ...QUEUE_API_ERROR_CODES,
  /** The gateway could not be reached, or did not answer in time. */
  'network',
  /** An answer the desk does not understand (e.g. a proxy's error page). */
  'bad-response',
  /** The signed-in role may not (403), the session is at another desk, or it has ended (401). */
  'forbidden',
  'wrong-desk-session',
  'sign-in-required',
] as const;
export type KnownErrorCode = (typeof KNOWN_ERROR_CODES)[number];

export function fetchDeskView(desk: string): Promise<ApiResult<DeskView>> {
  return request(`/api/queue/desks/${encodeURIComponent(desk)}`, DeskView);
}
