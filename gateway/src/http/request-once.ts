import type { FastifyReply, FastifyRequest } from 'fastify';
import { CodedError } from '../domain/coded-error.js';
import type { RequestLedger } from '../store/request-ledger.js';
import { requestActor } from './access-hooks.js';

/** The request id of a command: a screen or device makes one per command and sends it again with every retry. */
export const REQUEST_ID_HEADER = 'idempotency-key';
/** On an answer given before, to the same request id. */
export const REPLAYED_HEADER = 'idempotent-replayed';
const REQUEST_ID = /^[\w.:-]{8,100}$/;

declare module 'fastify' {
  interface FastifyInstance {
    /** The first answers to commands sent with a request id (set by the gateway's HTTP server). */
    requestLedger: RequestLedger | undefined;
  }
}

export type RequestIdErrorCode = 'invalid-request-id' | 'request-id-reused';

export class RequestIdError extends CodedError<RequestIdErrorCode> {}

/** A command in its three steps: the change (synchronous, one transaction), its answer, telling the screens. */
export interface CommandSteps<R, A> {
  commit(): R;
  answer(result: R): A;
  announce(result: R): Promise<unknown>;
}

/**
 * Runs a command at most once per request id and principal: the change and its answer are stored
 * in one transaction, and a retry (the answer was lost: a dropped connection, a restart) gets
 * that first answer, marked with `Idempotent-Replayed: true`, instead of a second ticket. A
 * command without the header runs as before. The same id on another route or resource is refused.
 */
export async function runOnce<R, A>(req: FastifyRequest, reply: FastifyReply, steps: CommandSteps<R, A>): Promise<A> {
  const header = req.headers[REQUEST_ID_HEADER];
  const ledger = req.server.requestLedger;
  if (header === undefined || !ledger) {
    const result = steps.commit();
    await steps.announce(result);
    return steps.answer(result);
  }
  if (typeof header !== 'string' || !REQUEST_ID.test(header)) {
    throw new RequestIdError('invalid-request-id', `${REQUEST_ID_HEADER}: 8 to 100 letters, digits, '.', ':', '_' or '-'`);
  }
  const target = `${req.method} ${req.url}`;
  const outcome = ledger.once(requestActor(req).actor, header, target, () => {
    const result = steps.commit();
    return { result, answer: steps.answer(result) };
  });
  if (outcome.replayed) {
    if (outcome.target !== target) throw new RequestIdError('request-id-reused', `this request id was used for ${outcome.target}`);
    reply.header(REPLAYED_HEADER, 'true');
    return outcome.answer;
  }
  await steps.announce(outcome.result);
  return outcome.answer;
}
