import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const STOPPING = { error: { code: 'stopping', message: 'the gateway is stopping; try again in a moment' } };
/** Seconds a caller should wait before trying again: a supervised gateway is back by then. */
const RETRY_AFTER_S = 5;

/**
 * The HTTP side of a clean stop: once closed, every new request is answered 503 at once (no
 * handler runs, nothing changes), and the requests already running get a grace to finish. One
 * still running after it is answered 503 in its place, so no caller is left with a reset socket
 * and no answer: its command either committed before the stop or not at all.
 */
export class StopGate {
  private closed = false;
  private readonly running = new Map<FastifyRequest, FastifyReply>();
  private idle: (() => void) | undefined;

  /** Install before any route, so that the gate runs ahead of every other hook. */
  install(app: FastifyInstance): void {
    app.addHook('onRequest', async (req, reply) => {
      if (this.closed) return answerStopping(reply);
      this.running.set(req, reply);
    });
    app.addHook('onResponse', async (req) => this.finished(req));
    app.addHook('onRequestAbort', async (req) => this.finished(req));
  }

  close(): void {
    this.closed = true;
  }

  /** Waits for the running requests, at most `graceMs`; answers those left 503. Returns how many. */
  async drain(graceMs: number): Promise<number> {
    if (this.running.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.idle = resolve;
        timer = setTimeout(resolve, graceMs);
      });
      clearTimeout(timer);
      this.idle = undefined;
    }
    const late = [...this.running];
    this.running.clear();
    for (const [, reply] of late) {
      // Taken over from its handler: whatever the handler does later is not sent.
      if (reply.raw.headersSent) continue;
      reply.hijack();
      reply.raw.writeHead(503, { 'content-type': 'application/json; charset=utf-8', connection: 'close', 'retry-after': String(RETRY_AFTER_S) });
      reply.raw.end(JSON.stringify(STOPPING));
    }
    return late.length;
  }

  private finished(req: FastifyRequest): void {
    if (!this.running.delete(req)) return;
    if (this.running.size === 0) this.idle?.();
  }
}

function answerStopping(reply: FastifyReply): FastifyReply {
  return reply.code(503).header('connection', 'close').header('retry-after', String(RETRY_AFTER_S)).send(STOPPING);
}
