import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Counter } from 'prom-client';
import { actorOf, type Identified, type Identity } from '../identity/identity.js';
import { findRouteRule, isNamed, PUBLIC, type Principal } from '../protocol/index.js';
import type { Actor } from '../store/audit-log.js';

export const SESSION_COOKIE = 'forecourt_session';
/** The device token of the enrolled screen a signed-in person works at (optional). */
export const SCREEN_HEADER = 'x-forecourt-screen';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request: set before any handler runs, `public` when nobody in particular. */
    identity: Identified;
  }
}

/** The actor of a request for audit rows: the principal, and where it came from. */
export function requestActor(req: FastifyRequest): Actor {
  const { principal, screen } = req.identity;
  const via = screen ? screen.id : principal.kind === 'staff' && principal.desk ? `desk:${principal.desk}@${req.ip}` : principal.kind === 'device' ? principal.id : req.ip;
  return actorOf(principal, via);
}

export function principalOf(req: FastifyRequest): Principal {
  return req.identity.principal;
}

/** A staff member signed in at a desk acts for that desk only: the refusal when `desk` is another. */
export function otherDeskRefusal(req: FastifyRequest, desk: string): { code: 'wrong-desk-session'; message: string } | undefined {
  const { principal } = req.identity;
  if (principal.kind !== 'staff' || !principal.desk || principal.desk === desk) return undefined;
  return { code: 'wrong-desk-session', message: `signed in at desk ${principal.desk}` };
}

/**
 * Deny by default, on every route: a route without a rule in the table cannot even be registered;
 * each request is identified (bearer token, else session cookie, else public) and checked against
 * its rule before the handler runs, and command routes per action once the body is parsed.
 */
export async function installAccessHooks(app: FastifyInstance, identity: Identity, refused: Counter<'reason'>): Promise<Set<string>> {
  const routes = new Set<string>();
  await app.register(fastifyCookie);
  // Set on every request by the hook below, before any handler.
  app.decorateRequest('identity', null as unknown as Identified);

  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (!findRouteRule(method, route.url ?? '')) throw new Error(`route ${method} ${route.url} has no access rule (protocol/access/http-rules.ts)`);
      routes.add(`${method} ${route.url}`);
    }
  });

  app.addHook('onRequest', async (req, reply) => {
    const found = identify(req, identity);
    if (found === 'bad-token') {
      // A wrong, revoked or forged token is not quietly treated as anonymous: the caller meant to be someone.
      refused.inc({ reason: 'bad-token' });
      return reply.code(401).send({ error: { code: 'bad-token', message: 'this token is unknown or revoked' } });
    }
    req.identity = found;
    const url = req.routeOptions.url;
    if (url === undefined) return; // no such route: Fastify answers 404
    const rule = findRouteRule(req.method, url);
    if (!rule || !isNamed(req.identity.principal, rule.who)) return deny(reply, req.identity.principal, refused, 'route');
    if (req.identity.sessionHash && req.method === 'POST' && !sameOrigin(req)) {
      refused.inc({ reason: 'bad-origin' });
      return reply.code(403).send({ error: { code: 'bad-origin', message: 'a signed-in request must come from the gateway\'s own pages' } });
    }
  });

  app.addHook('preHandler', async (req, reply) => {
    const rule = req.routeOptions.url === undefined ? undefined : findRouteRule(req.method, req.routeOptions.url);
    if (!rule?.actions) return;
    const action = (req.body as { action?: unknown } | undefined)?.action;
    // An unknown action is the schema's to refuse (400), after this.
    const who = typeof action === 'string' && Object.hasOwn(rule.actions, action) ? rule.actions[action] : undefined;
    if (who && !isNamed(req.identity.principal, who)) return deny(reply, req.identity.principal, refused, 'action');
  });
  return routes;
}

function identify(req: FastifyRequest, identity: Identity): Identified | 'bad-token' {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const match = /^Bearer (\S+)$/.exec(auth);
    return (match && identity.bearer(match[1] ?? '')) || 'bad-token';
  }
  const cookie = req.cookies[SESSION_COOKIE];
  // Reads are what a screen does by itself; what a person does is a POST.
  const session = cookie ? identity.session(cookie, req.method === 'POST') : undefined;
  if (!session) return { principal: PUBLIC };
  // An enrolled screen names itself beside its person's session: "from which device" in the audit.
  const screen = req.headers[SCREEN_HEADER];
  if (typeof screen !== 'string') return session;
  const device = identity.bearer(screen)?.principal;
  return device?.kind === 'device' ? { ...session, screen: device } : 'bad-token';
}

function deny(reply: FastifyReply, principal: Principal, refused: Counter<'reason'>, reason: string): FastifyReply {
  if (principal.kind === 'public') {
    refused.inc({ reason: `${reason}-unauthenticated` });
    return reply.code(401).send({ error: { code: 'sign-in-required', message: 'sign in, or use an enrolled screen or device' } });
  }
  refused.inc({ reason: `${reason}-forbidden` });
  return reply.code(403).send({ error: { code: 'forbidden', message: 'not allowed for this identity' } });
}

/** Cookies ride along on cross-site form posts; a signed-in POST must come from our own pages. */
function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
