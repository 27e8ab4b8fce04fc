import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { BackupAnswer, BackupStatus } from '../protocol/backups.js';
import type { Actor } from '../store/audit-log.js';
import { requestActor } from './access-hooks.js';
import { invalid } from './identity-routes.js';
import { answer } from './refusals.js';

/** What the routes need of the backups. */
export interface BackupApi {
  /** Backs up now (or joins the backup already running); throws BackupError when it fails. */
  backupNow(actor: Actor): Promise<BackupAnswer>;
  status(): BackupStatus;
}

/** Nothing to send: a body, if any, must be empty. */
const NoBody = z.strictObject({}).optional();

/** Backups at the desk and for scripts: run one now, see the last one and the copies kept. */
export function registerBackupRoutes(app: FastifyInstance, backups: BackupApi): void {
  app.post('/api/backups', async (req, reply) => {
    const body = NoBody.safeParse(req.body ?? undefined);
    if (!body.success) return invalid(reply, body.error);
    return answer(reply, () => backups.backupNow(requestActor(req)));
  });
  app.get('/api/backups', async (_req, reply) => answer(reply, async () => backups.status()));
}
