import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../store/audit-log.js';
import {
  CallOutcomeRequest,
  CallPreferenceRequest,
  CloseFlagRequest,
  KioskSurveyAnswerRequest,
  ReceptionNumber,
  StatusToken,
  SurveyAnswerRequest,
  SurveyQuery,
  ownStation,
  type CallRecorded,
  type CallTime,
  type FollowUpList,
  type KioskSurvey,
  type PhoneSurvey,
  type SurveyAnswered,
  type SurveyList,
} from '../protocol/index.js';
import { principalOf, requestActor } from './access-hooks.js';
import { answer } from './refusals.js';

/** What the survey routes need of the survey service. */
export interface SurveyApi {
  phoneSurvey(token: string): PhoneSurvey;
  answerByToken(token: string, answer: SurveyAnswerRequest): SurveyAnswered;
  kioskSurvey(sessionId: string, stations: readonly string[] | undefined): KioskSurvey;
  answerAtKiosk(sessionId: string, stations: readonly string[] | undefined, answer: KioskSurveyAnswerRequest, actor: Actor): SurveyAnswered;
  list(query: SurveyQuery): SurveyList;
  followUps(): FollowUpList;
  setPreference(orderNo: string, callTime: CallTime, actor: Actor): { order: string; callTime: CallTime };
  recordCall(orderNo: string, call: CallOutcomeRequest, actor: Actor): CallRecorded;
  closeFlag(id: number, note: string | undefined, actor: Actor): { id: number; closedAt: string };
}

const SessionId = z.uuid();
const FlagId = z.coerce.number().int().min(1).max(2 ** 53);

/**
 * The survey and the follow-up calls over HTTP. The phone answers by its order's status token
 * (public, one answer per order), the kiosk through the session of a card tapped on its own
 * reader; front-desk staff list and record follow-up calls; the manager reads the answers and
 * closes complaints.
 */
export function registerSurveyRoutes(app: FastifyInstance, survey: SurveyApi): void {
  app.get<{ Params: { token: string } }>('/api/surveys/by-token/:token', async (req, reply) =>
    withParam(reply, StatusToken, req.params.token, 'order-not-found', (token) => survey.phoneSurvey(token)),
  );

  app.post<{ Params: { token: string } }>('/api/surveys/by-token/:token', async (req, reply) => {
    const body = SurveyAnswerRequest.safeParse(req.body);
    if (!body.success) return invalid(reply, body.error);
    return withParam(reply, StatusToken, req.params.token, 'order-not-found', (token) => survey.answerByToken(token, body.data));
  });

  app.get<{ Params: { sessionId: string } }>('/api/surveys/kiosk/:sessionId', async (req, reply) =>
    withParam(reply, SessionId, req.params.sessionId, 'session-not-found', (id) => survey.kioskSurvey(id, stationsOf(req))),
  );

  app.post<{ Params: { sessionId: string } }>('/api/surveys/kiosk/:sessionId', async (req, reply) => {
    const body = KioskSurveyAnswerRequest.safeParse(req.body);
    if (!body.success) return invalid(reply, body.error);
    return withParam(reply, SessionId, req.params.sessionId, 'session-not-found', (id) => survey.answerAtKiosk(id, stationsOf(req), body.data, requestActor(req)));
  });

  app.get('/api/surveys', async (req, reply) => {
    const query = SurveyQuery.safeParse(req.query ?? {});
    if (!query.success) return invalid(reply, query.error);
    return answer(reply, async () => survey.list(query.data));
  });

  app.get('/api/follow-ups', async (_req, reply) => answer(reply, async () => survey.followUps()));

  app.post<{ Params: { no: string } }>('/api/follow-ups/:no/calls', async (req, reply) => {
    const body = CallOutcomeRequest.safeParse(req.body);
    if (!body.success) return invalid(reply, body.error);
    return withParam(reply, ReceptionNumber, req.params.no, 'order-not-found', (no) => survey.recordCall(no, body.data, requestActor(req)));
  });

  app.post<{ Params: { no: string } }>('/api/follow-ups/:no/preference', async (req, reply) => {
    const body = CallPreferenceRequest.safeParse(req.body);
    if (!body.success) return invalid(reply, body.error);
    return withParam(reply, ReceptionNumber, req.params.no, 'order-not-found', (no) => survey.setPreference(no, body.data.callTime, requestActor(req)));
  });

  app.post<{ Params: { id: string } }>('/api/follow-ups/flags/:id/close', async (req, reply) => {
    const body = CloseFlagRequest.safeParse(req.body ?? {});
    if (!body.success) return invalid(reply, body.error);
    return withParam(reply, FlagId, req.params.id, 'flag-not-found', (id) => survey.closeFlag(id, body.data.note, requestActor(req)));
  });
}

/** A kiosk acts on taps of its own station; a staff token on any. */
function stationsOf(req: FastifyRequest): readonly string[] | undefined {
  const station = ownStation(principalOf(req));
  return station === undefined ? undefined : [station];
}

/** A malformed path parameter is simply not found: it names nothing. */
async function withParam<S extends z.ZodType>(reply: FastifyReply, schema: S, raw: string, notFound: string, work: (value: z.infer<S>) => unknown): Promise<unknown> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return reply.code(404).send({ error: { code: notFound, message: 'not found' } });
  return answer(reply, async () => work(parsed.data));
}

function invalid(reply: FastifyReply, error: z.ZodError): FastifyReply {
  return reply.code(400).send({
    error: { code: 'invalid-request', message: 'the request does not match the schema', issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  });
}
