import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/**
 * The public answers a phone asks again and again (the status page every few seconds): each gets
 * an ETag (a hash of the body) and `Cache-Control: no-cache`, so the browser asks again with
 * If-None-Match and an unchanged answer is a bodyless 304. Nothing else changes: the same route,
 * the same access rule, the same body when it did change.
 */
export const CONDITIONAL_ROUTES: ReadonlySet<string> = new Set([
  '/api/workshop/orders/by-token/:token',
  '/api/workshop/orders/by-ticket/:ticketId',
  '/api/queue/tickets/:id',
  '/api/store',
]);

/** The quoted ETag of a serialized body. */
export function etagOf(body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

/** True when an If-None-Match header names this ETag (weak or strong, or `*`). */
export function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

export function installConditionalGets(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.method !== 'GET' || reply.statusCode !== 200 || typeof payload !== 'string' || !CONDITIONAL_ROUTES.has(req.routeOptions.url ?? '')) return payload;
    const etag = etagOf(payload);
    void reply.header('etag', etag).header('cache-control', 'no-cache');
    if (!matches(req.headers['if-none-match'], etag)) return payload;
    void reply.code(304);
    return '';
  });
}
