import type { FastifyInstance } from 'fastify';
import type { StaffTapOutcome } from '../domain/identity/index.js';
import type { Identity } from '../identity/identity.js';
import { CardSignInRequest, StaffCardCommand, type CardSignInAnswer, type DevicePrincipal, type StaffListAnswer } from '../protocol/index.js';
import type { Actor } from '../store/audit-log.js';
import type { StaffRow } from '../store/identity-store.js';
import { otherDeskRefusal, requestActor, SESSION_COOKIE } from './access-hooks.js';
import { invalid } from './identity-routes.js';
import { answer } from './refusals.js';

/** What a waiting screen is handed: the tap's outcome, and when the card was tapped. */
export interface StaffTap {
  outcome: StaffTapOutcome;
  tapAt: string;
}

/** What the routes need of the staff cards. */
export interface StaffCardApi {
  waitForTap(screen: DevicePrincipal, ms: number, cancelled: (stop: () => void) => void): Promise<StaffTap | undefined>;
  staffOf(staffId: string): StaffRow | undefined;
  list(): StaffListAnswer['staff'];
  requestIssue(staffNo: string, desk: string, by: Actor): { reader: string; until: string };
  cancelIssue(desk: string): void;
  revoke(staffNo: string, by: Actor): number;
}

/** A screen's ask for a staff card waits this long at most (the screens give up on an answer after 8 s). */
const CARD_WAIT_MS = 5000;

/**
 * Staff cards over HTTP (rules: protocol/access/http-rules.ts): an enrolled desk PC or bay terminal
 * waits for a card on its own reader and gets the session cookie of the staff member who tapped;
 * managers list staff with their cards, issue one at their desk's reader, and revoke one.
 */
export function registerStaffCardRoutes(app: FastifyInstance, cards: StaffCardApi, identity: Identity): void {
  app.post('/api/auth/card-sign-in', async (req, reply) => {
    const body = CardSignInRequest.safeParse(req.body ?? {});
    if (!body.success) return invalid(reply, body.error);
    const { principal } = req.identity;
    if (principal.kind !== 'device') return reply.code(403).send({ error: { code: 'forbidden', message: 'only an enrolled desk PC or bay terminal' } });
    return answer(reply, async () => {
      const tap = await cards.waitForTap(principal, body.data.holdMs ?? CARD_WAIT_MS, (stop) => reply.raw.once('close', stop));
      if (!tap) return { result: 'waiting' } satisfies CardSignInAnswer;
      const { outcome, tapAt } = tap;
      if (outcome.kind === 'refused') return { result: 'refused', refusal: outcome.refusal, tapAt } satisfies CardSignInAnswer;
      const staff = cards.staffOf(outcome.card.staffId);
      if (!staff || staff.disabledAt) return { result: 'refused', refusal: 'staff-disabled', tapAt } satisfies CardSignInAnswer;
      const screen = principal.deviceKind === 'bay' ? 'bay' : 'desk';
      const session = identity.signInByCard(staff, { screen, desk: screen === 'desk' ? (principal.station ?? null) : null, source: principal.id, card: outcome.card.serial });
      reply.setCookie(SESSION_COOKIE, session.sessionId, { httpOnly: true, sameSite: 'strict', path: '/', secure: req.protocol === 'https' });
      return { result: 'signed-in', principal: session.principal, idleTimeoutS: session.idleTimeoutS } satisfies CardSignInAnswer;
    });
  });

  app.get('/api/staff', async (_req, reply) => answer(reply, async () => ({ staff: cards.list() }) satisfies StaffListAnswer));

  app.post('/api/staff/cards/commands', async (req, reply) => {
    const command = StaffCardCommand.safeParse(req.body);
    if (!command.success) return invalid(reply, command.error);
    const c = command.data;
    const refusal = c.action === 'revoke' ? undefined : otherDeskRefusal(req, c.desk);
    if (refusal) return reply.code(403).send({ error: refusal });
    return answer(reply, async () => {
      if (c.action === 'issue') return { ok: true, ...cards.requestIssue(c.staffNo, c.desk, requestActor(req)) };
      if (c.action === 'cancel') {
        cards.cancelIssue(c.desk);
        return { ok: true };
      }
      return { ok: true, revoked: cards.revoke(c.staffNo, requestActor(req)) };
    });
  });
}
