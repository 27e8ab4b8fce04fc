import type { FastifyInstance, FastifyReply } from 'fastify';
import type { z } from 'zod';
import type { Identity } from '../identity/identity.js';
import {
  ApproveEnrolment,
  AuditQuery,
  DeviceId,
  EnrolPoll,
  EnrolRequest,
  RejectEnrolment,
  SetDeskRequest,
  SignInRequest,
  type WhoAmI,
} from '../protocol/index.js';
import { SESSION_COOKIE, requestActor } from './access-hooks.js';

/** Staff sign-in, screen enrolment, devices and the audit log over HTTP (rules: protocol/access/http-rules.ts). */
export function registerIdentityRoutes(app: FastifyInstance, identity: Identity): void {
  app.post('/api/auth/sign-in', async (req, reply) => {
    const body = SignInRequest.safeParse(req.body);
    if (!body.success) return invalid(reply, body.error);
    const result = await identity.signIn(body.data, req.ip);
    if (!result.ok) {
      if (result.code === 'too-many-attempts') {
        return reply.code(429).header('retry-after', String(result.retryAfterS)).send({ error: { code: result.code, message: `wait ${result.retryAfterS} s`, retryAfterS: result.retryAfterS } });
      }
      return reply.code(401).send({ error: { code: result.code, message: 'wrong staff number or PIN' } });
    }
    reply.setCookie(SESSION_COOKIE, result.sessionId, { httpOnly: true, sameSite: 'strict', path: '/', secure: req.protocol === 'https' });
    const answer: WhoAmI = { principal: result.principal, idleTimeoutS: result.idleTimeoutS };
    return answer;
  });

  app.post('/api/auth/sign-out', async (req, reply) => {
    const cookie = req.cookies[SESSION_COOKIE];
    if (cookie) identity.signOut(cookie);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  app.get('/api/auth/me', async (req) => {
    const { principal, idleTimeoutS } = req.identity;
    const answer: WhoAmI = { principal, ...(idleTimeoutS ? { idleTimeoutS } : {}) };
    return answer;
  });

  // A signed-in screen says its person is still there (touches, keys), so reading is not "idle".
  app.post('/api/auth/activity', async () => ({ ok: true }));

  app.post('/api/auth/desk', async (req, reply) => {
    const body = SetDeskRequest.safeParse(req.body);
    if (!body.success) return invalid(reply, body.error);
    const { principal, sessionHash } = req.identity;
    if (principal.kind !== 'staff' || !sessionHash) return reply.code(409).send({ error: { code: 'no-session', message: 'only a signed-in screen has a desk' } });
    identity.setDesk(sessionHash, body.data.desk);
    const answer: WhoAmI = { principal: { ...principal, desk: body.data.desk } };
    return answer;
  });

  app.post('/api/enrol/requests', async (req, reply) => {
    const body = EnrolRequest.safeParse(req.body);
    if (!body.success) return invalid(reply, body.error);
    const ticket = identity.requestEnrolment(body.data.kind, req.ip);
    if (!ticket) return reply.code(429).send({ error: { code: 'too-many-requests', message: 'too many screens are waiting to be enrolled; try again later' } });
    return reply.code(201).send(ticket);
  });

  app.post<{ Params: { requestId: string } }>('/api/enrol/requests/:requestId/poll', async (req, reply) => {
    const body = EnrolPoll.safeParse(req.body);
    if (!body.success) return invalid(reply, body.error);
    const answer = identity.pollEnrolment(req.params.requestId, body.data.pollToken);
    return answer ?? reply.code(404).send({ error: { code: 'request-not-found', message: 'no such enrolment request' } });
  });

  app.get('/api/enrol/requests', async () => ({ requests: identity.pendingEnrolments() }));

  app.post('/api/enrol/approve', async (req, reply) => {
    const body = ApproveEnrolment.safeParse(req.body);
    if (!body.success) return invalid(reply, body.error);
    const device = identity.approve(body.data, requestActor(req));
    return device ? { device } : reply.code(404).send({ error: { code: 'code-not-found', message: 'no screen is waiting with this code (it may have expired)' } });
  });

  app.post('/api/enrol/reject', async (req, reply) => {
    const body = RejectEnrolment.safeParse(req.body);
    if (!body.success) return invalid(reply, body.error);
    return identity.reject(body.data.code, requestActor(req)) ? { ok: true } : reply.code(404).send({ error: { code: 'code-not-found', message: 'no screen is waiting with this code' } });
  });

  app.get('/api/devices', async () => ({ devices: identity.listDevices() }));

  app.post<{ Params: { id: string } }>('/api/devices/:id/revoke', async (req, reply) => {
    const device = DeviceId.safeParse(req.params.id).success ? identity.revokeDevice(req.params.id, requestActor(req)) : undefined;
    return device ? { device } : reply.code(404).send({ error: { code: 'device-not-found', message: 'no such device' } });
  });

  app.get('/api/audit', async (req, reply) => {
    const query = AuditQuery.safeParse(req.query);
    if (!query.success) return invalid(reply, query.error);
    return { rows: identity.audit.list(query.data) };
  });
}

export function invalid(reply: FastifyReply, error: z.ZodError): FastifyReply {
  return reply.code(400).send({
    error: { code: 'invalid-request', message: 'the request does not match the schema', issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  });
}
