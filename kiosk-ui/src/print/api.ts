import { PrintJobAnswer, PrintRefusal, TicketPrintAnswer } from '@forecourt/gateway/protocol';
import { post, request, type ApiResult } from '@forecourt/screen-lib/api.js';
import { credentials } from '@forecourt/screen-lib/credentials.js';
import type { z } from 'zod';

/** `still-printing`: not confirmed in time, but the printer has the ticket — it may still come out. */
export type TicketPrintOutcome = 'printed' | 'still-printing' | 'paper-out' | 'failed' | 'no-printer';

/** How long the kiosk waits for the printer before telling the customer to note the number. */
const KIOSK_WAIT_MS = 6000;

/**
 * Prints a ticket on this kiosk's printer (`?printer=ID` in the kiosk's URL, else the store's
 * kiosk printer). Its own fetch, not `request`: the refusal's `reason` tells "out of paper".
 */
export async function printTicket(ticketId: string): Promise<TicketPrintOutcome> {
  const printer = new URLSearchParams(location.search).get('printer');
  const proof = credentials.headers();
  try {
    const res = await fetch(`/api/print/ticket/${encodeURIComponent(ticketId)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...proof },
      body: JSON.stringify({ waitMs: KIOSK_WAIT_MS, ...(printer ? { printer } : {}) }),
      signal: AbortSignal.timeout(KIOSK_WAIT_MS + 4000),
    });
    const json: unknown = await res.json().catch(() => undefined);
    const refusal = PrintRefusal.safeParse(json).data?.error;
    if (res.status === 401 && refusal) credentials.unauthorized(refusal.code, Object.keys(proof).length > 0, credentials.httpAuth);
    if (res.ok) {
      const answer = TicketPrintAnswer.safeParse(json).data;
      return answer?.printed ? 'printed' : answer?.printing ? 'still-printing' : 'failed';
    }
    if (refusal?.code === 'no-printer') return 'no-printer';
    return refusal?.reason === 'paper-out' ? 'paper-out' : 'failed';
  } catch {
    return 'failed';
  }
}

export function reprint(jobId: string): Promise<ApiResult<z.infer<typeof PrintJobAnswer>>> {
  return request(`/api/print/jobs/${encodeURIComponent(jobId)}/reprint`, PrintJobAnswer, post({}));
}

export function previewUrl(jobId: string): string {
  return `/api/print/jobs/${encodeURIComponent(jobId)}/preview.svg`;
}
