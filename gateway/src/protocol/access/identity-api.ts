import { z } from 'zod';
import { EnrolledDevice } from './enrolment-api.js';
import { ScreenKind, StaffPrincipal, StaffRole } from './principal.js';

// Bodies and answers of the identity routes (http/identity-routes.ts), shared with the screens.
// What a screen asks when it starts (who am I, its pairing code) is its own module (zod/mini).
export { EnrolledDevice, EnrolPollAnswer, EnrolTicket, WhoAmI } from './enrolment-api.js';

export const StaffNo = z.string().regex(/^[0-9]{3,8}$/, '3-8 digits');
export const Pin = z.string().regex(/^[0-9]{4,8}$/, '4-8 digits');

export const SignInRequest = z.strictObject({
  staffNo: StaffNo,
  pin: Pin,
  /** The kind of screen signed in on; it sets the idle timeout. */
  screen: z.enum(['desk', 'bay']).default('desk'),
  desk: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/).optional(),
});
export type SignInRequest = z.input<typeof SignInRequest>;

export const SetDeskRequest = z.strictObject({ desk: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/) });

export const EnrolRequest = z.strictObject({ kind: ScreenKind });
export const EnrolPoll = z.strictObject({ pollToken: z.string().min(20).max(100) });

export const PendingEnrolments = z.object({
  requests: z.array(z.object({ requestId: z.string(), code: z.string(), kind: ScreenKind, createdAt: z.string(), source: z.string() })),
});
export type PendingEnrolments = z.infer<typeof PendingEnrolments>;

export const ApproveEnrolment = z.strictObject({
  code: z.string().regex(/^[0-9]{6}$/),
  name: z.string().trim().min(1).max(40),
  kind: z.optional(ScreenKind),
  /** Kiosk id, desk id or bay number the screen stands at. */
  station: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/).optional(),
});
export const RejectEnrolment = z.strictObject({ code: z.string().regex(/^[0-9]{6}$/) });

export const DeviceList = z.object({ devices: z.array(EnrolledDevice) });

export const AuditRow = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor: z.string(),
  role: z.string().nullable(),
  via: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  detail: z.unknown(),
});
export type AuditRow = z.infer<typeof AuditRow>;
export const AuditAnswer = z.object({ rows: z.array(AuditRow) });

export const AuditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().positive().optional(),
  actor: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
});

// Staff cards (http/staff-card-routes.ts): issued and revoked by a manager at the desk, tapped on
// the reader of an enrolled desk PC or bay terminal to sign in.

const Station = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/);

/** Why a tap at sign-in signed nobody in. */
export const STAFF_TAP_REFUSALS = ['member-card', 'not-staff-card', 'unreadable', 'not-genuine', 'revoked', 'superseded', 'staff-disabled'] as const;
export const StaffTapRefusal = z.enum(STAFF_TAP_REFUSALS);
export type StaffTapRefusal = z.infer<typeof StaffTapRefusal>;

/**
 * An enrolled desk PC or bay terminal waits (a few seconds at a time) for a staff card on its
 * reader. `holdMs` 0: answer at once (the screen's first ask: from then on the reader is its).
 */
export const CardSignInRequest = z.strictObject({ holdMs: z.number().int().min(0).max(5000).optional() });
export const CardSignInAnswer = z.discriminatedUnion('result', [
  z.object({ result: z.literal('signed-in'), principal: StaffPrincipal, idleTimeoutS: z.number().int().positive() }),
  z.object({ result: z.literal('waiting') }),
  z.object({ result: z.literal('refused'), refusal: StaffTapRefusal, tapAt: z.string() }),
]);
export type CardSignInAnswer = z.infer<typeof CardSignInAnswer>;

export const StaffCardCommand = z.discriminatedUnion('action', [
  /** The next card tapped on the desk's reader is written as the staff member's card. */
  z.strictObject({ action: z.literal('issue'), staffNo: StaffNo, desk: Station }),
  z.strictObject({ action: z.literal('cancel'), desk: Station }),
  /** The staff member's card stops working at once (lost, or the person left). */
  z.strictObject({ action: z.literal('revoke'), staffNo: StaffNo }),
]);
export type StaffCardCommand = z.infer<typeof StaffCardCommand>;

export const StaffCardInfo = z.object({ serial: z.number().int(), version: z.number().int(), uid: z.string(), issuedAt: z.string(), issuedBy: z.string() });
export type StaffCardInfo = z.infer<typeof StaffCardInfo>;

export const StaffListAnswer = z.object({
  staff: z.array(z.object({ staffNo: z.string(), name: z.string(), role: StaffRole, disabled: z.boolean(), card: StaffCardInfo.nullable() })),
});
export type StaffListAnswer = z.infer<typeof StaffListAnswer>;

export const StaffCardIssueAnswer = z.object({ reader: z.string(), until: z.string() });
export const StaffCardRevokeAnswer = z.object({ revoked: z.number().int().nonnegative() });

export { StaffRole };
