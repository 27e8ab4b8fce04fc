import type { FastifyInstance } from 'fastify';
import {
  expectedReadyAt,
  formatPlate,
  labourMs,
  lateState,
  nextStages,
  progress,
  WorkshopError,
  type RepairOrder,
} from '../domain/workshop/index.js';
import type { PublicContext, PublicOrderStatus, WorkshopEngine, WorkshopEvent } from '../domain/workshop/index.js';
import type { Actor } from '../store/audit-log.js';
import { StatusToken, TicketId, WorkshopCommand } from '../protocol/index.js';
import { answer } from './refusals.js';
import { runOnce } from './request-once.js';
import { requestActor } from './access-hooks.js';

/**
 * Workshop commands and views over HTTP. Staff screens get the whole order (full plate,
 * customer reference, token for the QR code); the customer's phone gets the masked status of
 * one order, by its token or by the queue ticket it was opened from.
 */
/** What the workshop routes need of the workshop service. */
export interface WorkshopApi {
  readonly engine: WorkshopEngine;
  /** The change, committed; announce() runs what follows it. */
  commit(command: WorkshopCommand, actor: Actor): WorkshopEvent;
  announce(event: WorkshopEvent, actor: Actor): Promise<WorkshopEvent>;
  publicContext(): PublicContext;
  publicStatus(order: RepairOrder): PublicOrderStatus;
}

export function registerWorkshopRoutes(app: FastifyInstance, workshop: WorkshopApi): void {
  app.post('/api/workshop/commands', async (req, reply) => {
    const parsed = WorkshopCommand.safeParse(req.body);
    if (!parsed.success) {
      return reply.code(400).send({
        error: { code: 'invalid-command', message: 'the command does not match the schema', issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
      });
    }
    // The author is who signed the request, never a header (the history goes to head office).
    const actor = requestActor(req);
    return answer(reply, () =>
      runOnce(req, reply, {
        commit: () => workshop.commit(parsed.data, actor),
        answer: (event) => ({ event: { id: event.id, type: event.type, at: event.at, ...(event.stage ? { stage: event.stage } : {}) }, order: staffView(event.order, workshop) }),
        announce: (event) => workshop.announce(event, actor),
      }),
    );
  });

  app.get('/api/workshop/orders', async (_req, reply) =>
    answer(reply, async () => ({ day: workshop.engine.currentBusinessDay(), orders: workshop.engine.ordersOfDay().map((o) => staffView(o, workshop)) })),
  );

  app.get<{ Params: { no: string } }>('/api/workshop/orders/:no', async (req, reply) =>
    answer(reply, async () => ({ order: staffView(workshop.engine.order(req.params.no), workshop) })),
  );

  // The customer's own order, by the unguessable token of the QR code on the reception slip.
  app.get<{ Params: { token: string } }>('/api/workshop/orders/by-token/:token', async (req, reply) =>
    answer(reply, async () => {
      const order = StatusToken.safeParse(req.params.token).success ? workshop.engine.orderByToken(req.params.token) : undefined;
      if (!order) throw new WorkshopError('order-not-found', 'no repair order for this link');
      return workshop.publicStatus(order);
    }),
  );

  // The same, from the queue ticket's QR code once the advisor opened the reception from it.
  app.get<{ Params: { ticketId: string } }>('/api/workshop/orders/by-ticket/:ticketId', async (req, reply) =>
    answer(reply, async () => {
      const order = TicketId.safeParse(req.params.ticketId).success ? workshop.engine.orderByTicket(req.params.ticketId) : undefined;
      if (!order) throw new WorkshopError('order-not-found', 'no repair order for this ticket yet');
      return workshop.publicStatus(order);
    }),
  );
}

/** The order as the desk sees it: everything but the internal id, plus what the desk acts on. */
function staffView(order: RepairOrder, workshop: WorkshopApi): object {
  const ctx = workshop.publicContext();
  const expected = expectedReadyAt(order, ctx.durations, ctx.now);
  const { id: _id, plate, jobs, ...rest } = order;
  return {
    ...rest,
    plate: formatPlate(plate),
    jobs: jobs.map((j) => ({ ...j, labourMin: Math.floor(labourMs(j, ctx.now) / 60_000) })),
    next: nextStages(order.stage),
    progress: progress(order),
    expectedReadyAt: expected?.toISOString() ?? null,
    late: lateState(order, expected, ctx.now, ctx.warnMin),
    statusPath: `/status/?t=${order.token}`,
  };
}

