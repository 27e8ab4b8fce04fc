import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { EventBatch, MAX_DMS_REPLY_BYTES, type DmsEvent } from '../../protocol/dms.js';
import { ChangeFeed, MAX_CHANGES_PAGE } from './changes.js';
import { FaultPatch, NO_FAULTS, refusalOf, type Faults } from './faults.js';
import { PAGE_EVENTS, renderHeadOfficePage } from './page.js';
import { ReceivedStore, type BatchVerdict, type Refusal, type StreamCounters } from './received-store.js';

/** What happened to one batch, for the CLI's log. */
export interface BatchSummary {
  storeId: string;
  first: number;
  last: number;
  verdict: BatchVerdict;
  /** The fault that bent or replaced the reply, if any. */
  fault: string | null;
}

export interface DmsSimulatorOptions {
  /** The bearer token the store must send. */
  token: string;
  /** JSON-lines file that keeps what was received across restarts. */
  storeFile?: string;
  onBatch?: (summary: BatchSummary) => void;
  /** For the error rate (tests may fix it). */
  random?: () => number;
}

interface Reply {
  status: number;
  body: unknown;
}

/** Enough of a batch to tell which event is wrong when the batch as a whole is not valid. */
const BatchShape = z.object({
  storeId: z.string(),
  events: z.array(z.looseObject({ seq: z.number().int().min(1), eventId: z.string().min(1) })).min(1).max(1000),
});

const ChangesQuery = z.strictObject({ since: z.string().optional(), limit: z.coerce.number().int().min(1).max(MAX_CHANGES_PAGE).default(1000) });
const ControlBody = FaultPatch.extend({ downForMs: z.number().int().min(1).max(3_600_000).optional() });

/**
 * The dealer group's DMS adapter as the relay sees it (firmware-config/dms-openapi.json):
 * `POST /events` takes batches with the DMS's receiving rules (ReceivedStore), `GET /changes`
 * serves members for the store's sync, and faults can be switched on to see the relay cope.
 * `GET /` is a plain page of what arrived; `/_sim/*` is the control API for tests and demos.
 */
export class DmsSimulator {
  readonly changes = new ChangeFeed();
  private readonly store: ReceivedStore;
  private app: FastifyInstance | undefined;
  private address: { host: string; port: number } | undefined;
  private faults: Faults = NO_FAULTS;
  private readonly lastReply = new Map<string, Reply>();
  private upTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: DmsSimulatorOptions) {
    this.store = new ReceivedStore(options.storeFile);
  }

  /** Starts listening; port 0 takes a free one. Returns the base URL (`http://host:port`). */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.address = { host, port: await this.open(port, host) };
    return this.url;
  }

  get url(): string {
    if (!this.address) throw new Error('the DMS simulator is not listening');
    return `http://${this.address.host}:${this.address.port}`;
  }

  async close(): Promise<void> {
    clearTimeout(this.upTimer);
    await this.app?.close();
    this.app = undefined;
  }

  get currentFaults(): Faults {
    return this.faults;
  }

  /** Changes the faults named in `patch`; `down` closes or reopens the listener. */
  async setFaults(patch: FaultPatch): Promise<Faults> {
    const next = { ...this.faults, ...FaultPatch.parse(patch) };
    const wasDown = this.faults.down;
    this.faults = next;
    if (next.down && !wasDown) await this.close();
    if (!next.down && wasDown && this.address) await this.open(this.address.port, this.address.host);
    return next;
  }

  /** The events stored for the store after dedupe, in seq order. */
  received(storeId: string): DmsEvent[] {
    return this.store.received(storeId);
  }

  counters(storeId: string): StreamCounters {
    return this.store.counters(storeId);
  }

  /** Events the store sent again that were acknowledged without being stored twice. */
  duplicatesDropped(storeId: string): number {
    return this.store.counters(storeId).duplicates;
  }

  private async open(port: number, host: string): Promise<number> {
    const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024, forceCloseConnections: true });
    app.addHook('onRequest', async (req, reply) => {
      if (req.method === 'GET' && req.url.split('?')[0] === '/') return;
      if (req.headers.authorization !== `Bearer ${this.options.token}`) {
        return reply.code(401).send({ error: { code: 'unauthorized', message: 'a valid bearer token is required' } });
      }
    });
    app.post('/events', async (req, reply) => this.onEvents(req, reply));
    app.get('/changes', async (req, reply) => this.onChanges(req, reply));
    app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(this.page()));
    app.get('/_sim/faults', async () => this.faults);
    app.post('/_sim/faults', async (req, reply) => {
      const body = ControlBody.safeParse(req.body);
      if (!body.success) return reply.code(400).send({ error: { code: 'invalid-faults', issues: body.error.issues } });
      const { downForMs, ...rest } = body.data;
      const patch = downForMs ? { ...rest, down: true } : rest;
      // Going down closes this very listener: answer first, then go.
      reply.raw.once('finish', () => void this.setFaults(patch).then(() => this.upAfter(downForMs)));
      return { ...this.faults, ...patch };
    });
    app.post('/_sim/changes', async (req, reply) => {
      const body = z.strictObject({ changes: z.array(z.unknown()).max(100_000) }).safeParse(req.body);
      if (!body.success) return reply.code(400).send({ error: { code: 'invalid-changes', issues: body.error.issues } });
      this.changes.add(body.data.changes);
      return { size: this.changes.size };
    });
    app.get('/_sim/stores', async () => Object.fromEntries(this.store.storeIds().map((id) => [id, this.store.counters(id)])));
    await app.listen({ port, host });
    this.app = app;
    const address = app.server.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  private upAfter(ms: number | undefined): void {
    if (!ms) return;
    clearTimeout(this.upTimer);
    this.upTimer = setTimeout(() => void this.setFaults({ down: false }), ms);
  }

  /** Delay, 5xx and hang: the faults every endpoint shares. True when the request is answered already. */
  private async generalFaults(reply: FastifyReply): Promise<boolean> {
    const { delayMs, errorRate, errorStatus } = this.faults;
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (errorRate > 0 && (this.options.random ?? Math.random)() < errorRate) {
      await reply.code(errorStatus).send({ error: { code: 'simulated-failure', message: `simulated HTTP ${errorStatus}` } });
      return true;
    }
    return false;
  }

  private async onEvents(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    if (await this.generalFaults(reply)) return reply;
    const batch = readBatch(req.body);
    if (!batch.ok) return reply.code(422).send({ error: { code: 'malformed-batch', message: 'the body is not a batch of events', issues: batch.issues } });
    const { storeId, events, invalid } = batch;
    const { faults } = this;
    const judge = (event: DmsEvent): Refusal | undefined => {
      if (event === invalid?.event) return { status: 422, code: 'invalid-event', reason: invalid.reason.slice(0, 500) };
      if (event.storeId !== storeId) return { status: 422, code: 'wrong-store', reason: `event of store ${event.storeId} in a batch of ${storeId}` };
      return refusalOf(faults.refuse, event);
    };
    const verdict = this.store.accept(storeId, events, judge, faults.acceptFirst ?? Infinity);
    const honest: Reply =
      verdict.kind === 'accepted'
        ? { status: 202, body: { acceptedThrough: verdict.acceptedThrough } }
        : { status: verdict.status, body: { acceptedThrough: verdict.acceptedThrough, rejected: verdict.rejected } };
    const { reply: sent, fault } = this.bend(storeId, honest, events);
    this.options.onBatch?.({ storeId, first: events[0]!.seq, last: events.at(-1)!.seq, verdict, fault });
    if (faults.hang) {
      // Stored, but the answer never comes: the connection stays open until the relay gives up.
      reply.hijack();
      return undefined;
    }
    if (typeof sent.body === 'string') return reply.code(sent.status).type('text/html').send(sent.body);
    return reply.code(sent.status).send(sent.body);
  }

  /** The reply a faulty DMS gives instead of the honest one. */
  private bend(storeId: string, honest: Reply, events: readonly DmsEvent[]): { reply: Reply; fault: string | null } {
    const { garbage, duplicateReplies, hang } = this.faults;
    const previous = this.lastReply.get(storeId);
    this.lastReply.set(storeId, honest);
    const first = events[0]!.seq;
    const last = events.at(-1)!.seq;
    switch (garbage) {
      case 'not-json':
        return { reply: { status: 202, body: '<html><body>502 Bad Gateway</body></html>' }, fault: garbage };
      case 'wrong-shape':
        return { reply: { status: 202, body: { ok: true, stored: events.length } }, fault: garbage };
      case 'too-large':
        return { reply: { status: 202, body: { ...(honest.body as object), padding: 'x'.repeat(MAX_DMS_REPLY_BYTES) } }, fault: garbage };
      case 'beyond-sent':
        return { reply: { status: 202, body: { acceptedThrough: last + 10 } }, fault: garbage };
      case 'backwards':
        return { reply: { status: 202, body: { acceptedThrough: Math.max(0, first - 2) } }, fault: garbage };
      case null:
        break;
    }
    if (duplicateReplies && previous) return { reply: previous, fault: 'duplicate-replies' };
    return { reply: honest, fault: hang ? 'hang' : null };
  }

  private async onChanges(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    if (await this.generalFaults(reply)) return reply;
    if (this.faults.hang) {
      reply.hijack();
      return undefined;
    }
    const query = ChangesQuery.safeParse(req.query);
    if (!query.success) return reply.code(400).send({ error: { code: 'invalid-query', issues: query.error.issues } });
    try {
      return await reply.send(this.changes.page(query.data.since, query.data.limit));
    } catch (err) {
      return reply.code(400).send({ error: { code: 'unknown-cursor', message: (err as Error).message } });
    }
  }

  private page(): string {
    const stores = this.store.storeIds().map((storeId) => ({ storeId, counters: this.store.counters(storeId), latest: this.store.received(storeId).slice(-PAGE_EVENTS).reverse() }));
    return renderHeadOfficePage(stores, this.faults);
  }
}

/**
 * The batch as the DMS reads it. A batch whose events are readable but one of them wrong is
 * handled up to that event, which is refused for good (422) as any event the DMS cannot take.
 */
function readBatch(body: unknown):
  | { ok: true; storeId: string; events: DmsEvent[]; invalid?: { event: DmsEvent; reason: string } }
  | { ok: false; issues: z.core.$ZodIssue[] } {
  const batch = EventBatch.safeParse(body);
  if (batch.success) return { ok: true, storeId: batch.data.storeId, events: batch.data.events };
  const shape = BatchShape.safeParse(body);
  if (!shape.success) return { ok: false, issues: shape.error.issues };
  const events = shape.data.events as unknown as DmsEvent[];
  const issue = batch.error.issues
    .filter((i) => i.path[0] === 'events' && typeof i.path[1] === 'number')
    .sort((a, b) => (a.path[1] as number) - (b.path[1] as number))[0];
  const event = issue ? events[issue.path[1] as number] : undefined;
  if (!issue || !event) return { ok: false, issues: batch.error.issues };
  return { ok: true, storeId: shape.data.storeId, events, invalid: { event, reason: `${issue.path.slice(2).join('.')}: ${issue.message}` } };
}
