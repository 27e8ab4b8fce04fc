import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { z } from 'zod';
import { BatchAccepted, BatchRejected, MAX_DMS_REPLY_BYTES, type DmsEvent } from '../protocol/dms.js';
import type { SerializedEvent } from '../store/outbox.js';
import type { ResendOutcome } from './link.js';

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
  private readonly agent;

  constructor(private readonly endpoint: DmsEndpoint) {
    this.agent = new URL(endpoint.url).protocol === 'https:' ? new HttpsAgent({ keepAlive: true, maxSockets: 1 }) : new HttpAgent({ keepAlive: true, maxSockets: 1 });
  }

  /**
   * POSTs a batch in seq order. `ackedBefore` is what the DMS had acknowledged already: an answer
   * below it, or beyond the last seq sent, is not believed.
   */
  async postEvents(storeId: string, events: readonly SerializedEvent[], ackedBefore: number, signal?: AbortSignal): Promise<BatchOutcome> {
    const first = events[0]!.seq;
    const last = events.at(-1)!.seq;
    const batch = `{"storeId":${JSON.stringify(storeId)},"events":[${events.map((e) => e.json).join(',')}]}`;
    const { status, body } = await this.request('POST', '/events', batch, signal);
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
  async resendEvent(storeId: string, event: DmsEvent, signal?: AbortSignal): Promise<ResendOutcome> {
    const { status, body } = await this.request('POST', '/events', JSON.stringify({ storeId, events: [event] }), signal);
    if (status === 202 || status === 200) {
      return parseReply(BatchAccepted, body).acceptedThrough >= event.seq ? { stored: true } : { stored: false, code: 'not-stored', reason: 'the DMS did not store it' };
    }
    if (status === 409 || status === 422) {
      const { rejected } = parseReply(BatchRejected, body);
      return { stored: false, code: rejected.code, reason: rejected.reason };
    }
    throw new DmsReplyError(`the DMS answered HTTP ${status}`, `http-${status}`);
  }

  /** GET with query parameters; the parsed JSON body (any 2xx, at most `maxBytes`), else a DmsReplyError. */
  async get(path: string, query: Record<string, string>, signal?: AbortSignal, maxBytes = MAX_DMS_REPLY_BYTES): Promise<unknown> {
    const { status, body } = await this.request('GET', `${path}?${new URLSearchParams(query)}`, undefined, signal, maxBytes);
    if (status < 200 || status > 299) throw new DmsReplyError(`the DMS answered HTTP ${status}`, `http-${status}`);
    return parseJson(body);
  }

  /** Ends the kept-alive connection (the link is stopping). */
  close(): void {
    this.agent.destroy();
  }

  /**
   * One request over node:http(s) with a kept-alive connection. (fetch was tried first: on a
   * drain of a week's backlog its buffers took the gateway's RSS from 135 MB to 255 MB.)
   */
  private request(method: string, path: string, body: string | undefined, signal?: AbortSignal, maxBytes = MAX_DMS_REPLY_BYTES): Promise<{ status: number; body: string }> {
    const url = new URL(`${this.endpoint.url.replace(/\/$/, '')}${path}`);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (outcome: { status: number; body: string } | Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      // Whatever stage the request is at, a failure ends it and answers once.
      const fail = (error: Error) => {
        settle(error);
        req.destroy();
      };
      const req = send(url, {
        method,
        agent: this.agent,
        headers: {
          authorization: `Bearer ${this.endpoint.token}`,
          accept: 'application/json',
          ...(payload ? { 'content-type': 'application/json', 'content-length': payload.byteLength } : {}),
        },
        ...(signal ? { signal } : {}),
      });
      const timer = setTimeout(() => fail(new DmsReplyError(`no answer from the DMS within ${this.endpoint.timeoutMs} ms`, 'timeout')), this.endpoint.timeoutMs);
      req.on('response', (res) => {
        const declared = Number(res.headers['content-length'] ?? 0);
        if (declared > maxBytes) return fail(new DmsReplyError(`the DMS reply is ${declared} bytes (limit ${maxBytes})`, 'too-large'));
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.byteLength;
          if (size > maxBytes) return fail(new DmsReplyError(`the DMS reply exceeds ${maxBytes} bytes`, 'too-large'));
          chunks.push(chunk);
        });
        res.on('end', () => settle({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => settle(new DmsReplyError(`the DMS connection broke: ${err.message}`, 'network')));
        res.on('close', () => settle(new DmsReplyError('the DMS closed the connection mid-reply', 'network')));
      });
      req.on('error', (err) => settle(signal?.aborted ? err : new DmsReplyError(`cannot reach the DMS: ${err.message}`, 'network')));
      req.end(payload);
    });
  }
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
