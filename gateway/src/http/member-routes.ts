import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { MemberService } from '../extensions/member-service.js';
import type { CommandResult } from '../extensions/queue-service.js';
import { answer } from './refusals.js';
import { DemoTapRequest, MemberCommand, SessionTicketRequest, type MemberSearchAnswer, type TicketStatusAnswer } from '../protocol/index.js';

const MemberIdParam = z.coerce.number().int().min(1).max(0xffff_ffff);
const SessionIdParam = z.uuid();

/**
 * The member API. Kiosks act only through the session id of the greeting they were sent (take a
 * ticket, check in); the desk reads full files (names, plates) — staff screens only, as the
 * security issue will enforce with staff sign-in.
 */
export function registerMemberRoutes(app: FastifyInstance, members: MemberService): void {
  app.get<{ Querystring: { q?: string } }>('/api/members', async (req, reply) =>
    answer(reply, async () => {
      const q = z.string().max(40).safeParse(req.query.q ?? '');
      const result: MemberSearchAnswer = { members: q.success ? members.store.search(q.data, 20) : [] };
      return result;
    }),
  );

  app.get<{ Params: { id: string } }>('/api/members/:id', async (req, reply) => {
    const id = MemberIdParam.safeParse(req.params.id);
    if (!id.success) return reply.code(404).send({ error: { code: 'member-not-found', message: 'no such member' } });
    return answer(reply, async () => members.memberFile(id.data));
  });

  app.get<{ Params: { sessionId: string } }>('/api/members/sessions/:sessionId', async (req, reply) =>
    withSession(reply, req.params.sessionId, async (sessionId) => {
      const session = members.session(sessionId, 'desk');
      return members.memberFile(session.memberId, session);
    }),
  );

  app.post<{ Params: { sessionId: string } }>('/api/members/sessions/:sessionId/ticket', async (req, reply) => {
    const body = SessionTicketRequest.safeParse(req.body);
    if (!body.success) return invalid(reply, body.error);
    return withSession(reply, req.params.sessionId, async (id) => ticketAnswer(await members.takeTicket(id, body.data.service)));
  });

  app.post<{ Params: { sessionId: string } }>('/api/members/sessions/:sessionId/check-in', async (req, reply) =>
    withSession(reply, req.params.sessionId, async (id) => ticketAnswer(await members.checkIn(id))),
  );

  app.post('/api/members/commands', async (req, reply) => {
    const command = MemberCommand.safeParse(req.body);
    if (!command.success) return invalid(reply, command.error);
    return answer(reply, async () => {
      const c = command.data;
      if (c.action === 'card:cancel') {
        members.cancelIssue(c.desk);
        return { ok: true };
      }
      return { ok: true, ...members.requestIssue(c.desk, c.vehicleId, `desk-${c.desk}`) };
    });
  });

  app.post('/api/members/demo-tap', async (req, reply) => {
    const body = DemoTapRequest.safeParse(req.body ?? {});
    if (!body.success) return invalid(reply, body.error);
    return answer(reply, async () => {
      await members.demoTap(body.data.role, body.data.station, body.data.card);
      return { ok: true };
    });
  });
}

function ticketAnswer({ event, status }: CommandResult): TicketStatusAnswer {
  if (!status || !('ticket' in event)) throw new Error(`a ticket command answered ${event.type}`);
  const { id, number, service, priority, state, issuedAt, calledAt, desk, recallCount } = status.ticket;
  return { ticket: { id, number, service, priority, state, issuedAt, calledAt, desk, recallCount }, peopleAhead: status.peopleAhead, estimatedWaitMin: status.estimatedWaitMin };
}

function invalid(reply: FastifyReply, error: z.ZodError): FastifyReply {
  return reply.code(400).send({
    error: { code: 'invalid-request', message: 'the request does not match the schema', issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  });
}

async function withSession(reply: FastifyReply, sessionId: string, work: (id: string) => Promise<unknown>): Promise<unknown> {
  if (!SessionIdParam.safeParse(sessionId).success) {
    return reply.code(404).send({ error: { code: 'session-not-found', message: 'this tap has expired; please tap the card again' } });
  }
  return answer(reply, () => work(sessionId));
}

