import type { FastifyInstance } from 'fastify';
import type { QueueEvent, Ticket } from '../domain/queue/index.js';
import type { QueueService } from '../extensions/queue-service.js';
import { answer } from './refusals.js';
import { QueueCommand, TicketId, type CommandAnswer, type DeskView, type PublicTicket, type TicketStatusAnswer } from '../protocol/index.js';

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

function publicTicket(ticket: Ticket): PublicTicket {
  const { id, number, service, priority, state, issuedAt, calledAt, desk, recallCount } = ticket;
  return { id, number, service, priority, state, issuedAt, calledAt, desk, recallCount };
}

function publicEvent(event: QueueEvent): CommandAnswer['event'] {
  return 'ticket' in event ? { ...event, ticket: publicTicket(event.ticket) } : { ...event };
}
