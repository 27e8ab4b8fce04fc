import type { QueueCommand } from '@forecourt/gateway/protocol';

export type ApiResult<T> = { ok: true; body: T } | { ok: false; code: string; message: string };

/** POSTs a queue command; a network failure or a refusal comes back as a coded result, never a throw. */
export async function sendQueueCommand<T = unknown>(command: QueueCommand): Promise<ApiResult<T>> {
  return request<T>('/api/queue/commands', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(command) });
}

export async function request<T>(url: string, init?: RequestInit): Promise<ApiResult<T>> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(8000) });
    const body = (await res.json().catch(() => undefined)) as ({ error?: { code: string; message: string } } & T) | undefined;
    if (res.ok && body) return { ok: true, body };
    return { ok: false, code: body?.error?.code ?? `http-${res.status}`, message: body?.error?.message ?? res.statusText };
  } catch (err) {
    return { ok: false, code: 'network', message: (err as Error).message };
  }
}
