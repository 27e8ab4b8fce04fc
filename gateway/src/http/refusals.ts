import type { FastifyReply } from 'fastify';
import { MemberError, type MemberErrorCode } from '../domain/members/index.js';
import { QueueError, type QueueErrorCode } from '../domain/queue/index.js';
import { WorkshopError, type WorkshopErrorCode } from '../domain/workshop/index.js';
import { SurveyError, type SurveyErrorCode } from '../domain/survey/index.js';
import { NotReady } from '../domain/not-ready.js';
import { PrintError, type PrintErrorCode } from '../domain/printing/print-error.js';
import { StaffCardError, type StaffCardErrorCode } from '../domain/identity/staff-card-error.js';
import { RelayError } from '../relay/relay-error.js';
import { RequestIdError, type RequestIdErrorCode } from './request-once.js';
import { BackupError } from '../store/backup.js';
import type { BackupErrorCode } from '../protocol/backups.js';

// One place that turns a refused request into its HTTP answer `{error: {code, message}}`, so the
// same refusal gets the same status from every route. Unknown things are 404, bad input 400,
// a state that does not allow it 409, a device or a part of the gateway not ready 503.

const QUEUE: Record<QueueErrorCode, number> = {
  'ticket-not-found': 404,
  'unknown-service': 404,
  'unknown-desk': 404,
  'wrong-state': 409,
  'wrong-desk': 409,
  'desk-does-not-serve': 409,
  'same-service': 409,
  'queue-empty': 409,
  'grace-expired': 409,
  'day-full': 409,
};

const WORKSHOP: Record<WorkshopErrorCode, number> = {
  'order-not-found': 404,
  'job-not-found': 404,
  'ticket-not-found': 404,
  'reason-required': 400,
  'promised-in-past': 400,
  'invalid-settlement': 400,
  'illegal-transition': 409,
  'not-dispatchable': 409,
  'jobs-open': 409,
  'job-wrong-state': 409,
  'order-wrong-stage': 409,
  'plate-has-open-order': 409,
  'day-full': 409,
  'no-document': 409,
};

const MEMBERS: Record<MemberErrorCode, number> = {
  'session-not-found': 404,
  'member-not-found': 404,
  'vehicle-not-found': 404,
  'no-appointment': 409,
  'no-desk-reader': 409,
  'not-demo': 404,
};

const SURVEY: Record<SurveyErrorCode, number> = {
  'order-not-found': 404,
  'flag-not-found': 404,
  'survey-not-open': 409,
  'survey-answered': 409,
  'follow-up-not-open': 409,
  'flag-closed': 409,
};

const STAFF_CARDS: Record<StaffCardErrorCode, number> = {
  'staff-not-found': 404,
  'staff-disabled': 409,
  'no-desk-reader': 409,
  'no-reader': 409,
};

const PRINTING: Record<PrintErrorCode, number> = {
  'unknown-printer': 404,
  'job-not-found': 404,
  'no-printer': 409,
  'printer-not-ready': 503,
  'not-printed': 503,
};

const RELAY: Record<RelayError['code'], number> = {
  'no-dead-letter': 404,
  'no-transport': 409,
};

const REQUEST_ID: Record<RequestIdErrorCode, number> = {
  'invalid-request-id': 400,
  'request-id-reused': 409,
};

/** A backup that failed is the gateway's failure (500), unless it stopped meanwhile. */
const BACKUP: Record<BackupErrorCode, number> = {
  'folder-unavailable': 500,
  'copy-failed': 500,
  'integrity-failed': 500,
  cancelled: 503,
};

interface Refusal {
  status: number;
  error: { code: string; message: string; reason?: string };
}

function refusalOf(err: unknown): Refusal | undefined {
  if (err instanceof QueueError) return { status: QUEUE[err.code], error: { code: err.code, message: err.message } };
  if (err instanceof WorkshopError) return { status: WORKSHOP[err.code], error: { code: err.code, message: err.message } };
  if (err instanceof SurveyError) return { status: SURVEY[err.code], error: { code: err.code, message: err.message } };
  if (err instanceof MemberError) return { status: MEMBERS[err.code], error: { code: err.code, message: err.message } };
  if (err instanceof StaffCardError) return { status: STAFF_CARDS[err.code], error: { code: err.code, message: err.message } };
  if (err instanceof PrintError) {
    return { status: PRINTING[err.code], error: { code: err.code, message: err.message, ...(err.reason ? { reason: err.reason } : {}) } };
  }
  if (err instanceof RelayError) return { status: RELAY[err.code], error: { code: err.code, message: err.message } };
  if (err instanceof RequestIdError) return { status: REQUEST_ID[err.code], error: { code: err.code, message: err.message } };
  if (err instanceof BackupError) return { status: BACKUP[err.code], error: { code: err.code, message: err.message } };
  if (err instanceof NotReady) return { status: 503, error: { code: 'not-ready', message: err.message } };
  return undefined;
}

/** Runs a route's work; a refusal becomes its coded answer, anything else stays a 500. */
export async function answer(reply: FastifyReply, work: () => Promise<unknown>): Promise<unknown> {
  try {
    return await work();
  } catch (err) {
    const refusal = refusalOf(err);
    if (!refusal) throw err;
    return reply.code(refusal.status).send({ error: refusal.error });
  }
}
