import { z } from 'zod';
import { ApiError, CommandAnswer, type QueueCommand } from '@forecourt/gateway/protocol';

// The screens' HTTP calls. Answers cross a schema like every other input; a network failure or an
// answer the screen does not understand becomes a coded error it can translate, never a throw.

export type ApiResult<T> = { ok: true; body: T } | { ok: false; code: string; message: string };

const TIMEOUT_MS = 8000;

export async function request<S extends z.ZodType>(url: string, schema: S, init?: RequestInit): Promise<ApiResult<z.infer<S>>> {
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
    const error = ApiError.safeParse(json);
    return error.success
      ? { ok: false, code: error.data.error.code, message: error.data.error.message ?? '' }
      : { ok: false, code: `http-${res.status}`, message: res.statusText };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    console.warn('unexpected answer', url, parsed.error.issues[0]);
    return { ok: false, code: 'bad-response', message: parsed.error.issues[0]?.message ?? 'invalid' };
  }
  return { ok: true, body: parsed.data };
}

/** A queue command from a kiosk or desk: `POST /api/queue/commands`. */
export function sendQueueCommand(command: QueueCommand): Promise<ApiResult<CommandAnswer>> {
  return request('/api/queue/commands', CommandAnswer, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(command),
  });
}
