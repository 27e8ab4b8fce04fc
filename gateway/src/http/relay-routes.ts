import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { DeadLetter, RelayStatus } from '../protocol/dms.js';
import type { Actor } from '../store/audit-log.js';
import type { TransportName } from '../store/outbox.js';
import { requestActor } from './access-hooks.js';
import { invalid } from './identity-routes.js';
import { answer } from './refusals.js';

/** What the routes need of the relay. */
export interface RelayApi {
  status(): RelayStatus;
  deadLetters(): DeadLetter[];
  retry(transport: TransportName, seq: number, actor: Actor): Promise<{ stored: boolean; reason?: string }>;
}

const RetryParams = z.strictObject({ transport: z.enum(['http', 'mqtt']), seq: z.coerce.number().int().min(1) });

/** Head office at the desk: link status, the events it refused, a manager's retry. */
export function registerRelayRoutes(app: FastifyInstance, relay: RelayApi): void {
  app.get('/api/relay/status', async (_req, reply) => answer(reply, async () => relay.status()));
  app.get('/api/relay/dead-letters', async (_req, reply) => answer(reply, async () => ({ deadLetters: relay.deadLetters() })));
  app.post('/api/relay/dead-letters/:transport/:seq/retry', async (req, reply) => {
    const params = RetryParams.safeParse(req.params);
    if (!params.success) return invalid(reply, params.error);
    return answer(reply, async () => relay.retry(params.data.transport, params.data.seq, requestActor(req)));
  });
}
