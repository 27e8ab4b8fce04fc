import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../store/audit-log.js';
import { CallOutcomeRequest, CallPreferenceRequest, CloseFlagRequest, ReceptionNumber, type CallRecorded, type CallTime, type FollowUpList } from '../protocol/index.js';
import { requestActor } from './access-hooks.js';
import { invalid, withParam } from './http-input.js';
import { answer } from './refusals.js';

/** What the follow-up routes need of the follow-up service. */
export interface FollowUpApi {
  followUps(): FollowUpList;
  setPreference(orderNo: string, callTime: CallTime, actor: Actor): { order: string; callTime: CallTime };
  recordCall(orderNo: string, call: CallOutcomeRequest, actor: Actor): CallRecorded;
  closeFlag(id: number, note: string | undefined, actor: Actor): { id: number; closedAt: string };
}

const FlagId = z.coerce.number().int().min(1).max(2 ** 53);

/**
 * Follow-up calls (回訪) over HTTP: front-desk staff list the calls due and record each outcome,
 * the advisor notes the preferred time at settlement, the manager closes complaints.
 */
export function registerFollowUpRoutes(app: FastifyInstance, followUps: FollowUpApi): void {
  app.get('/api/follow-ups', async (_req, reply) => answer(reply, async () => followUps.followUps()));

  app.post<{ Params: { no: string } }>('/api/follow-ups/:no/calls', async (req, reply) => {
    const body = CallOutcomeRequest.safeParse(req.body);
    if (!body.success) return invalid(reply, body.error);
    return withParam(reply, ReceptionNumber, req.params.no, 'order-not-found', (no) => followUps.recordCall(no, body.data, requestActor(req)));
  });

  app.post<{ Params: { no: string } }>('/api/follow-ups/:no/preference', async (req, reply) => {
    const body = CallPreferenceRequest.safeParse(req.body);
    if (!body.success) return invalid(reply, body.error);
    return withParam(reply, ReceptionNumber, req.params.no, 'order-not-found', (no) => followUps.setPreference(no, body.data.callTime, requestActor(req)));
  });

  app.post<{ Params: { id: string } }>('/api/follow-ups/flags/:id/close', async (req, reply) => {
    const body = CloseFlagRequest.safeParse(req.body ?? {});
    if (!body.success) return invalid(reply, body.error);
    return withParam(reply, FlagId, req.params.id, 'flag-not-found', (id) => followUps.closeFlag(id, body.data.note, requestActor(req)));
  });
}
