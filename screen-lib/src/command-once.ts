// Safe retries of a screen's commands. A command that must not act twice (a ticket, a check-in)
// carries a request id of its own; when its answer is lost (no connection, a timeout, the gateway
// stopping or restarting) it is sent again with the same id, and the gateway answers with what
// it did the first time instead of acting again.

/** The gateway's header for a command's request id. */
export const REQUEST_ID_HEADER = 'Idempotency-Key';
/** Waits before the retries: a supervised gateway is back within seconds. */
const RETRY_AFTER_MS = [1000, 2000, 4000];

/** An answer, as far as retrying goes (ApiResult in api.ts). */
export type Answered = { ok: true } | { ok: false; code: string; status?: number | undefined };

/** Calls `send` with one new request id, again after each lost answer, until an answer or the last retry. */
export async function sendOnce<R extends Answered>(send: (requestId: string) => Promise<R>, retryAfterMs: readonly number[] = RETRY_AFTER_MS): Promise<R> {
  const requestId = newRequestId();
  for (let attempt = 0; ; attempt++) {
    const result = await send(requestId);
    const wait = retryAfterMs[attempt];
    if (result.ok || !answerLost(result) || wait === undefined) return result;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** No answer that says what happened: the command may or may not have been done. */
function answerLost(result: Extract<Answered, { ok: false }>): boolean {
  return ['network', 'stopping', 'not-ready'].includes(result.code) || (result.status !== undefined && result.status >= 502 && result.status <= 504);
}

/** 128 random bits. getRandomValues, not randomUUID: a store's screens load their pages over plain HTTP. */
function newRequestId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
