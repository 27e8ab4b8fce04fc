import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../store/audit-log.js';
import {
  KioskSurveyAnswerRequest,
  StatusToken,
  SurveyAnswerRequest,
  SurveyQuery,
  ownStation,
  type KioskSurvey,
  type PhoneSurvey,
  type SurveyAnswered,
  type SurveyList,
} from '../protocol/index.js';
import { principalOf, requestActor } from './access-hooks.js';
import { invalid, withParam } from './http-input.js';
import { answer } from './refusals.js';

/** What the survey routes need of the survey service. */
export interface SurveyApi {
  phoneSurvey(token: string): PhoneSurvey;
  answerByToken(token: string, answer: SurveyAnswerRequest): SurveyAnswered;
  kioskSurvey(sessionId: string, stations: readonly string[] | undefined): KioskSurvey;
  answerAtKiosk(sessionId: string, stations: readonly string[] | undefined, answer: KioskSurveyAnswerRequest, actor: Actor): SurveyAnswered;
  list(query: SurveyQuery): SurveyList;
}

const SessionId = z.uuid();

/**
 * The survey over HTTP. The phone answers by its order's status token (public, one answer per
 * order), the kiosk through the session of a card tapped on its own reader; the manager reads the
 * answers.
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
}

/** A kiosk acts on taps of its own station; a staff token on any. */
function stationsOf(req: FastifyRequest): readonly string[] | undefined {
  const station = ownStation(principalOf(req));
  return station === undefined ? undefined : [station];
}
