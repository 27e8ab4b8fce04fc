import type { z } from 'zod';
import { BatchAccepted, BatchRejected, MAX_DMS_REPLY_BYTES, type DmsEvent } from '../protocol/dms.js';

/** A DMS reply the relay cannot use: the batch counts as not delivered and is sent again. */
export class DmsReplyError extends Error {
  constructor(
    message: string,
    /** `http-503`, `timeout`, `garbage`, `too-large`, `beyond-sent`, `backwards`, `network`. */
    readonly code: string,
  ) {
    super(message);
  }
}

/** What the DMS said about a batch, checked against what was sent. */
export type BatchOutcome = { kind: 'accepted'; through: number } | { kind: 'rejected'; through: number; seq: number; code: string; reason: string };

export interface DmsEndpoint {
  url: string;
  token: string;
  timeoutMs: number;
}

/** The DMS adapter's HTTP contract (firmware-config/dms-openapi.json), one request at a time. */
export class DmsClient {
  constructor(private readonly endpoint: DmsEndpoint) {}

  /**
   * POSTs a batch in seq order. `ackedBefore` is what the DMS had acknowledged already: an answer
   * below it, or beyond the last seq sent, is not believed.
   */
  async postEvents(storeId: string, events: readonly DmsEvent[], ackedBefore: number, signal?: AbortSignal): Promise<BatchOutcome> {
    const first = events[0]!.seq;
    const last = events.at(-1)!.seq;
    const { status, body } = await this.request('POST', '/events', JSON.stringify({ storeId, events }), signal);
    if (status === 202 || status === 200) {
      const { acceptedThrough } = parseReply(BatchAccepted, body);
      checkThrough(acceptedThrough, ackedBefore, first, last);
      return { kind: 'accepted', through: acceptedThrough };
    }
    if (status === 409 || status === 422) {
      const { acceptedThrough, rejected } = parseReply(BatchRejected, body);
      if (!events.some((e) => e.seq === rejected.seq)) throw new DmsReplyError(`the DMS rejected seq ${rejected.seq}, which was not in the batch ${first}–${last}`, 'beyond-sent');
      if (acceptedThrough !== rejected.seq - 1 && !(acceptedThrough < first && rejected.seq === first)) {
        throw new DmsReplyError(`the DMS rejected seq ${rejected.seq} but says it stored through ${acceptedThrough}`, 'garbage');
      }
      return { kind: 'rejected', through: Math.max(acceptedThrough, ackedBefore), seq: rejected.seq, code: rejected.code, reason: rejected.reason };
    }
    throw new DmsReplyError(`the DMS answered HTTP ${status}`, `http-${status}`);
  }

  /**
   * Sends one dead-lettered event again. The stream has gone on past it, so a DMS that stores it
   * now answers 202 with acceptedThrough at or beyond its seq; 409/422 refuse it again.
   */
  async resendEvent(storeId: string, event: DmsEvent, signal?: AbortSignal): Promise<boolean> {
    const { status, body } = await this.request('POST', '/events', JSON.stringify({ storeId, events: [event] }), signal);
    if (status === 202 || status === 200) return parseReply(BatchAccepted, body).acceptedThrough >= event.seq;
    if (status === 409 || status === 422) {
      parseReply(BatchRejected, body);
      return false;
    }
    throw new DmsReplyError(`the DMS answered HTTP ${status}`, `http-${status}`);
  }

  /** GET with query parameters; the parsed JSON body (any 2xx, at most `maxBytes`), else a DmsReplyError. */
  async get(path: string, query: Record<string, string>, signal?: AbortSignal, maxBytes = MAX_DMS_REPLY_BYTES): Promise<unknown> {
    const { status, body } = await this.request('GET', `${path}?${new URLSearchParams(query)}`, undefined, signal, maxBytes);
    if (status < 200 || status > 299) throw new DmsReplyError(`the DMS answered HTTP ${status}`, `http-${status}`);
    return parseJson(body);
  }

  private async request(method: string, path: string, body: string | undefined, signal?: AbortSignal, maxBytes = MAX_DMS_REPLY_BYTES): Promise<{ status: number; body: string }> {
    const timeout = AbortSignal.timeout(this.endpoint.timeoutMs);
    const abort = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const res = await fetch(`${this.endpoint.url.replace(/\/$/, '')}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.endpoint.token}`, ...(body ? { 'content-type': 'application/json' } : {}), accept: 'application/json' },
        ...(body ? { body } : {}),
        signal: abort,
      });
      return { status: res.status, body: await readCapped(res, maxBytes) };
    } catch (err) {
      if (err instanceof DmsReplyError) throw err;
      if (timeout.aborted) throw new DmsReplyError(`no answer from the DMS within ${this.endpoint.timeoutMs} ms`, 'timeout');
      if (signal?.aborted) throw err;
      throw new DmsReplyError(`cannot reach the DMS: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`, 'network');
    }
  }
}

/** Reads at most `maxBytes`; a bigger reply is cancelled and refused. */
async function readCapped(res: Response, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new DmsReplyError(`the DMS reply is ${declared} bytes (limit ${maxBytes})`, 'too-large');
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += (chunk as Uint8Array).byteLength;
    if (size > maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw new DmsReplyError(`the DMS reply exceeds ${maxBytes} bytes`, 'too-large');
    }
    chunks.push(chunk as Uint8Array);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new DmsReplyError(`the DMS reply is not JSON: ${JSON.stringify(body.slice(0, 80))}`, 'garbage');
  }
}

function parseReply<S extends z.ZodType>(schema: S, body: string): z.infer<S> {
  const parsed = schema.safeParse(parseJson(body));
  if (!parsed.success) throw new DmsReplyError(`the DMS reply does not follow the contract: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, 'garbage');
  return parsed.data;
}

function checkThrough(through: number, ackedBefore: number, first: number, last: number): void {
  if (through > last) throw new DmsReplyError(`the DMS claims seq ${through} but only ${last} was sent`, 'beyond-sent');
  if (through < ackedBefore) throw new DmsReplyError(`the DMS went backwards: it stored through ${through} after ${ackedBefore}`, 'backwards');
  if (through < first - 1) throw new DmsReplyError(`the DMS stored through ${through}, before this batch (${first}–${last}) and its gap`, 'backwards');
}
