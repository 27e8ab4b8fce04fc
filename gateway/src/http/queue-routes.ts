import type { FastifyInstance, FastifyReply } from 'fastify';
import { QueueError, type QueueErrorCode, type QueueEvent, type Ticket } from '../domain/queue/index.js';
import { QueueNotReady, type QueueService } from '../extensions/queue-service.js';
import { QueueCommand, TicketId, type CommandAnswer, type DeskView, type PublicTicket, type TicketStatusAnswer } from '../protocol/index.js';

/** HTTP status for each refusal: unknown things are 404, everything else a conflict with state. */
const STATUS: Record<QueueErrorCode, number> = {
  'ticket-not-found': 404,
  'unknown-service': 404,
  'unknown-desk': 404,
  'wrong-state': 409,
  'wrong-desk': 409,
  'desk-does-not-serve': 409,
  'same-service': 409,
  'queue-empty': 409,
  'grace-expired': 409,
  'day-full': 409,
};

/**
 * Queue commands over HTTP: one POST with a validated body, the answer or a coded error.
 * State flows the other way, over MQTT (retained snapshots and call events).
 */
export function registerQueueRoutes(app: FastifyInstance, queue: QueueService): void {
  app.post('/api/queue/commands', async (req, reply) => {
    const parsed = QueueCommand.safeParse(req.body);
    if (!parsed.success) {
      return reply.code(400).send({
        error: { code: 'invalid-command', message: 'the command does not match the schema', issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
      });
    }
    return answer(reply, async () => {
      const { event, status } = await queue.execute(parsed.data, `http:${req.ip}`);
      const answer: CommandAnswer = { event: publicEvent(event), ...(status ? { ticket: publicTicket(status.ticket), peopleAhead: status.peopleAhead, estimatedWaitMin: status.estimatedWaitMin } : {}) };
      return answer;
    });
  });

  app.get<{ Params: { desk: string } }>('/api/queue/desks/:desk', async (req, reply) =>
    answer(reply, async () => {
      const engine = queue.engine;
      const desk = engine.deskState(req.params.desk);
      const view: DeskView = {
        desk: { id: desk.desk, name: desk.name, services: desk.services },
        current: desk.current.map(publicTicket),
        queues: desk.services.map((service) => {
          const { waiting, waitingCount, estimatedWaitMin } = engine.snapshot(service);
          return { service, waiting, waitingCount, estimatedWaitMin };
        }),
        noShows: engine.noShowsWithinGrace(desk.desk).map(publicTicket),
        mode: engine.mode(),
        peakSuggested: engine.peakSuggested(),
      };
      return view;
    }),
  );

  // The customer's own ticket, by its unguessable id (the QR code on the ticket).
  app.get<{ Params: { id: string } }>('/api/queue/tickets/:id', async (req, reply) => {
    if (!TicketId.safeParse(req.params.id).success) {
      return reply.code(404).send({ error: { code: 'ticket-not-found', message: 'no such ticket' } });
    }
    return answer(reply, async () => {
      const status = queue.engine.ticketStatus(req.params.id);
      const answer: TicketStatusAnswer = { ticket: publicTicket(status.ticket), peopleAhead: status.peopleAhead, estimatedWaitMin: status.estimatedWaitMin };
      return answer;
    });
  });
}

async function answer(reply: FastifyReply, work: () => Promise<unknown>): Promise<unknown> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof QueueError) return reply.code(STATUS[err.code]).send({ error: { code: err.code, message: err.message } });
    if (err instanceof QueueNotReady) return reply.code(503).send({ error: { code: 'not-ready', message: err.message } });
    throw err;
  }
}

function publicTicket(ticket: Ticket): PublicTicket {
  const { id, number, service, priority, state, issuedAt, calledAt, desk, recallCount } = ticket;
  return { id, number, service, priority, state, issuedAt, calledAt, desk, recallCount };
}

function publicEvent(event: QueueEvent): CommandAnswer['event'] {
  return 'ticket' in event ? { ...event, ticket: publicTicket(event.ticket) } : { ...event };
}
