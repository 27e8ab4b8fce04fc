import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { MemberSession } from '../domain/members/sessions.js';
import type { Actor } from '../store/audit-log.js';
import type { CommandResult } from '../domain/queue/index.js';
import { otherDeskRefusal, principalOf, requestActor } from './access-hooks.js';
import { answer } from './refusals.js';
import { runOnce } from './request-once.js';
import { DemoTapRequest, MemberCommand, ownStation, RevealedPhone, SessionTicketRequest, type MemberFile, type MemberSearchAnswer, type TicketStatusAnswer } from '../protocol/index.js';

const SessionIdParam = z.uuid();

/** Who acts on a tap's session: the audit actor, and the stations it may act for (undefined: any). */
export interface Caller {
  actor: Actor;
  stations?: readonly string[] | undefined;
}

/** What the routes need of the member files the desk reads. */
export interface MemberFilesApi {
  search(query: string, limit: number): MemberSearchAnswer['members'];
  memberIdOf(ref: string): number;
  memberFile(memberId: number, session?: MemberSession): MemberFile;
  revealPhone(ref: string, actor: Actor): string | null;
  session(sessionId: string, role: MemberSession['role'], stations?: readonly string[]): MemberSession;
}

/** What the routes need of the kiosk's check-in: the ticket, committed; announce() tells the screens. */
export interface KioskCheckInApi {
  ticketFor(sessionId: string, service: string, caller: Caller): CommandResult;
  checkInFor(sessionId: string, caller: Caller): CommandResult;
  announce(result: CommandResult): Promise<CommandResult>;
}

/** What the routes need of the member card issue at the desk. */
export interface MemberCardIssueApi {
  requestIssue(desk: string, vehicleId: number, by: Actor): { reader: string; until: string };
  cancelIssue(desk: string): void;
}

/** What the routes need of the member taps: the demo's pretend taps. */
export interface DemoTapApi {
  demoTap(role: 'kiosk' | 'desk', station: string, card: 'member' | 'phone' | 'unknown' | 'clone'): Promise<void>;
}

/**
 * The member API. Kiosks act only through the session id of the greeting they were sent, on their
 * own station (take a ticket, check in); front-desk staff read files by opaque reference or by a
 * tap on their own desk's reader, with mobile numbers masked unless revealed (audited).
 */
export function registerMemberRoutes(app: FastifyInstance, members: MemberFilesApi, checkIn: KioskCheckInApi): void {
  app.get<{ Querystring: { q?: string } }>('/api/members', async (req, reply) =>
    answer(reply, async () => {
      const q = z.string().max(40).safeParse(req.query.q ?? '');
      const result: MemberSearchAnswer = { members: q.success ? members.search(q.data, 20) : [] };
      return result;
    }),
  );

  app.get<{ Params: { ref: string } }>('/api/members/:ref', async (req, reply) => answer(reply, async () => members.memberFile(members.memberIdOf(req.params.ref))));

  app.post<{ Params: { ref: string } }>('/api/members/:ref/reveal-phone', async (req, reply) =>
    answer(reply, async () => {
      const answer: z.infer<typeof RevealedPhone> = { phone: members.revealPhone(req.params.ref, requestActor(req)) };
      return answer;
    }),
  );

  app.get<{ Params: { sessionId: string } }>('/api/members/sessions/:sessionId', async (req, reply) =>
    withSession(reply, req.params.sessionId, async (sessionId) => {
      const session = members.session(sessionId, 'desk', callerOf(req).stations);
      return members.memberFile(session.memberId, session);
    }),
  );

  app.post<{ Params: { sessionId: string } }>('/api/members/sessions/:sessionId/ticket', async (req, reply) => {
    const body = SessionTicketRequest.safeParse(req.body);
    if (!body.success) return invalid(reply, body.error);
    return withSession(reply, req.params.sessionId, (id) =>
      runOnce(req, reply, { commit: () => checkIn.ticketFor(id, body.data.service, callerOf(req)), answer: ticketAnswer, announce: (r) => checkIn.announce(r) }),
    );
  });

  app.post<{ Params: { sessionId: string } }>('/api/members/sessions/:sessionId/check-in', async (req, reply) =>
    withSession(reply, req.params.sessionId, (id) =>
      runOnce(req, reply, { commit: () => checkIn.checkInFor(id, callerOf(req)), answer: ticketAnswer, announce: (r) => checkIn.announce(r) }),
    ),
  );
}

/** `card:issue` and `card:cancel` at a desk. */
export function registerMemberCardRoutes(app: FastifyInstance, cards: MemberCardIssueApi): void {
  app.post('/api/members/commands', async (req, reply) => {
    const command = MemberCommand.safeParse(req.body);
    if (!command.success) return invalid(reply, command.error);
    const refusal = otherDeskRefusal(req, command.data.desk);
    if (refusal) return reply.code(403).send({ error: refusal });
    return answer(reply, async () => {
      const c = command.data;
      if (c.action === 'card:cancel') {
        cards.cancelIssue(c.desk);
        return { ok: true };
      }
      return { ok: true, ...cards.requestIssue(c.desk, c.vehicleId, requestActor(req)) };
    });
  });
}

/** The demo's pretend taps (refused outside demo mode). */
export function registerDemoTapRoute(app: FastifyInstance, taps: DemoTapApi): void {
  app.post('/api/members/demo-tap', async (req, reply) => {
    const body = DemoTapRequest.safeParse(req.body ?? {});
    if (!body.success) return invalid(reply, body.error);
    return answer(reply, async () => {
      await taps.demoTap(body.data.role, body.data.station, body.data.card);
      return { ok: true };
    });
  });
}

/** Whose taps a caller may act on: a kiosk its own station, a signed-in desk its own desk, a staff token any. */
function callerOf(req: FastifyRequest): Caller {
  const principal = principalOf(req);
  const station = ownStation(principal);
  return { actor: requestActor(req), stations: station === undefined ? undefined : [station] };
}

function ticketAnswer({ event, status }: CommandResult): TicketStatusAnswer {
  if (!status || !('ticket' in event)) throw new Error(`a ticket command answered ${event.type}`);
  const { id, number, service, priority, state, issuedAt, calledAt, desk, recallCount } = status.ticket;
  return {
    ticket: { id, number, service, priority, state, issuedAt, calledAt, desk, recallCount },
    peopleAhead: status.peopleAhead,
    estimatedWaitMin: status.estimatedWaitMin,
    estimatedWaitRange: status.estimatedWaitRange,
    waitChange: status.waitChange,
  };
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

