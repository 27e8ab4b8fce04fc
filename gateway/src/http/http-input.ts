import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { answer } from './refusals.js';

/** A malformed path parameter is simply not found: it names nothing. */
export async function withParam<T>(reply: FastifyReply, schema: z.core.$ZodType<T>, raw: string, notFound: string, work: (value: T) => unknown): Promise<unknown> {
  const parsed = z.safeParse(schema, raw);
  if (!parsed.success) return reply.code(404).send({ error: { code: notFound, message: 'not found' } });
  return answer(reply, async () => work(parsed.data));
}

/** A body or query that does not match its schema: 400 with each issue's path. */
export function invalid(reply: FastifyReply, error: z.ZodError): FastifyReply {
  return reply.code(400).send({
    error: { code: 'invalid-request', message: 'the request does not match the schema', issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  });
}
