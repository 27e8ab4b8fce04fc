import type { FastifyInstance } from 'fastify';
import { QueueError, type CommandResult, type QueueEngine, type QueueEvent, type Ticket } from '../domain/queue/index.js';
import type { Actor } from '../store/audit-log.js';
import { answer } from './refusals.js';
import { runOnce } from './request-once.js';
import { otherDeskRefusal, principalOf, requestActor } from './access-hooks.js';
import { QueueCommand, TicketId, type CommandAnswer, type DeskView, type Principal, type PublicTicket, type TicketStatusAnswer } from '../protocol/index.js';

/**
 * Queue commands over HTTP: one POST with a validated body, the answer or a coded error.
 * State flows the other way, over MQTT (retained snapshots and call events).
 */
/** What the queue routes need of the queue: its engine to read, and commands that audit (commit) and publish (announce). */
export interface QueueApi {
  readonly engine: QueueEngine;
  commit(command: QueueCommand, actor: Actor): CommandResult;
  announce(result: CommandResult): Promise<CommandResult>;
}

export function registerQueueRoutes(app: FastifyInstance, queue: QueueApi): void {
  app.post('/api/queue/commands', async (req, reply) => {
    const parsed = QueueCommand.safeParse(req.body);
    if (!parsed.success) {
      return reply.code(400).send({
        error: { code: 'invalid-command', message: 'the command does not match the schema', issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
      });
    }
    const refusal = commandRefusal(parsed.data, principalOf(req)) ?? ('desk' in parsed.data ? otherDeskRefusal(req, parsed.data.desk) : undefined);
    if (refusal) return reply.code(403).send({ error: refusal });
    const command = parsed.data;
    return answer(reply, () =>
      runOnce(req, reply, {
        commit: () => queue.commit(command, requestActor(req)),
        answer: commandAnswer,
        announce: (result) => queue.announce(result),
      }),
    );
  });

  app.get<{ Params: { desk: string } }>('/api/queue/desks/:desk', async (req, reply) =>
    answer(reply, async () => {
      const principal = principalOf(req);
      if (principal.kind === 'staff' && principal.desk && principal.desk !== req.params.desk) throw new QueueError('wrong-desk', `signed in at desk ${principal.desk}`);
      const engine = queue.engine;
      const desk = engine.deskState(req.params.desk);
      // One read of the day's queue for all of the desk's services, the mode and the suggestion.
      const reading = engine.reading();
      const view: DeskView = {
        desk: { id: desk.desk, name: desk.name, services: desk.services },
        current: desk.current.map(publicTicket),
        queues: desk.services.map((service) => {
          const { waiting, waitingCount, estimatedWaitMin, estimatedWaitRange } = reading.snapshot(service);
          return { service, waiting, waitingCount, estimatedWaitMin, estimatedWaitRange };
        }),
        noShows: engine.noShowsWithinGrace(desk.desk).map(publicTicket),
        mode: reading.mode,
        peakSuggested: reading.peakSuggested,
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
      const answer: TicketStatusAnswer = {
        ticket: publicTicket(status.ticket),
        peopleAhead: status.peopleAhead,
        estimatedWaitMin: status.estimatedWaitMin,
        estimatedWaitRange: status.estimatedWaitRange,
        waitChange: status.waitChange,
      };
      return answer;
    });
  });
}

/**
 * What the rule table cannot see: priority and member come only from the gateway's own card checks
 * (or a staff member, audited).
 */
function commandRefusal(command: QueueCommand, principal: Principal): { code: string; message: string } | undefined {
  if (command.action === 'issue' && principal.kind !== 'staff' && (command.priority !== undefined || command.memberRef !== undefined)) {
    return { code: 'priority-not-allowed', message: 'priority and member come from a card tap, not from the request' };
  }
  return undefined;
}

function publicTicket(ticket: Ticket): PublicTicket {
  const { id, number, service, priority, state, issuedAt, calledAt, desk, recallCount } = ticket;
  return { id, number, service, priority, state, issuedAt, calledAt, desk, recallCount };
}

/** The answer to a queue command: its event and, for a ticket, its place in the queue. */
function commandAnswer({ event, status }: CommandResult): CommandAnswer {
  return {
    event: publicEvent(event),
    ...(status
      ? { ticket: publicTicket(status.ticket), peopleAhead: status.peopleAhead, estimatedWaitMin: status.estimatedWaitMin, estimatedWaitRange: status.estimatedWaitRange }
      : {}),
  };
}

function publicEvent(event: QueueEvent): CommandAnswer['event'] {
  return 'ticket' in event ? { ...event, ticket: publicTicket(event.ticket) } : { ...event };
}
