import * as z from 'zod/mini';
import { ApiError, CommandAnswer, type QueueCommand } from '@forecourt/gateway/protocol';
import { credentials, type HttpAuth } from './credentials.js';
import { REQUEST_ID_HEADER, sendOnce } from './command-once.js';

// The screens' HTTP calls. Answers cross a schema like every other input; a network failure or an
// answer the screen does not understand becomes a coded error it can translate, never a throw.
// Every call carries the screen's credentials (see credentials.ts); a 401 tells the screen to pair
// again or to sign in again. Parsed with zod/mini's `safeParse`, which takes classic and mini
// schemas alike: a page whose answers are mini schemas carries no classic zod (the phone's).

export type ApiResult<T> =
  | { ok: true; body: T }
  | { ok: false; code: string; message: string; status?: number; /** The refusal's `error` object as sent (extra fields such as `retryAfterS`). */ details?: Record<string, unknown> };

const TIMEOUT_MS = 8000;

export async function request<S extends z.core.$ZodType>(url: string, schema: S, init?: RequestInit, auth: HttpAuth = credentials.httpAuth): Promise<ApiResult<z.infer<S>>> {
  const proof = credentials.headers(auth);
  const sentToken = Object.keys(proof).length > 0;
  const headers = new Headers(init?.headers);
  for (const [name, value] of Object.entries(proof)) headers.set(name, value);
  let res: Response;
  try {
    // Same origin: the session cookie goes along by itself, and a POST carries the Origin header.
    const timeout = AbortSignal.timeout(TIMEOUT_MS);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    // No HTTP cache unless a call asks for one (`cache: 'no-cache'`: revalidated with If-None-Match, a 304 reuses the body).
    res = await fetch(url, { ...init, headers, credentials: 'same-origin', signal, cache: init?.cache ?? 'no-store' });
  } catch (err) {
    return { ok: false, code: 'network', message: err instanceof Error ? err.message : String(err) };
  }
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    return { ok: false, code: res.ok ? 'bad-response' : `http-${res.status}`, message: res.statusText, status: res.status };
  }
  if (!res.ok) {
    const error = ApiError.safeParse(json);
    if (!error.success) return { ok: false, code: `http-${res.status}`, message: res.statusText, status: res.status };
    if (res.status === 401) credentials.unauthorized(error.data.error.code, sentToken, auth);
    const details = (json as { error: Record<string, unknown> }).error;
    return { ok: false, code: error.data.error.code, message: error.data.error.message ?? '', status: res.status, details };
  }
  const parsed = z.safeParse(schema, json);
  if (!parsed.success) {
    console.warn('unexpected answer', url, parsed.error.issues[0]);
    return { ok: false, code: 'bad-response', message: parsed.error.issues[0]?.message ?? 'invalid' };
  }
  return { ok: true, body: parsed.data };
}

/** A JSON POST. */
export function post(body: object): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** A queue command from a kiosk or desk: `POST /api/queue/commands`, once. */
export function sendQueueCommand(command: QueueCommand): Promise<ApiResult<CommandAnswer>> {
  return commandOnce('/api/queue/commands', CommandAnswer, command);
}

/** A command that must not act twice, sent again with the same request id when its answer is lost (command-once.ts). */
export function commandOnce<S extends z.core.$ZodType>(url: string, schema: S, body: object): Promise<ApiResult<z.infer<S>>> {
  return sendOnce((requestId) => request(url, schema, { method: 'POST', headers: { 'content-type': 'application/json', [REQUEST_ID_HEADER]: requestId }, body: JSON.stringify(body) }));
}
