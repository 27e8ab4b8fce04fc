import { z } from 'zod';
import { DeviceId, DeviceKind } from '../payloads.js';
import { Principal, ScreenKind, StaffRole } from './principal.js';

// Bodies and answers of the identity routes (http/identity-routes.ts), shared with the screens.

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

export const WhoAmI = z.object({ principal: Principal, idleTimeoutS: z.number().int().positive().optional() });
export type WhoAmI = z.infer<typeof WhoAmI>;

export const SetDeskRequest = z.strictObject({ desk: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/) });

export const EnrolRequest = z.strictObject({ kind: ScreenKind });
export const EnrolTicket = z.object({
  requestId: z.uuid(),
  code: z.string().regex(/^[0-9]{6}$/),
  pollToken: z.string().min(20),
  expiresAt: z.string(),
});
export type EnrolTicket = z.infer<typeof EnrolTicket>;

export const EnrolPoll = z.strictObject({ pollToken: z.string().min(20).max(100) });

export const EnrolledDevice = z.object({
  id: DeviceId,
  kind: DeviceKind,
  name: z.string(),
  station: z.string().nullable(),
  createdAt: z.string(),
  lastSeenAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type EnrolledDevice = z.infer<typeof EnrolledDevice>;

export const EnrolPollAnswer = z.discriminatedUnion('state', [
  z.object({ state: z.literal('pending'), code: z.string() }),
  z.object({ state: z.literal('approved'), device: EnrolledDevice, token: z.string() }),
  z.object({ state: z.enum(['collected', 'rejected', 'expired']) }),
]);
export type EnrolPollAnswer = z.infer<typeof EnrolPollAnswer>;

export const PendingEnrolments = z.object({
  requests: z.array(z.object({ requestId: z.string(), code: z.string(), kind: ScreenKind, createdAt: z.string(), source: z.string() })),
});
export type PendingEnrolments = z.infer<typeof PendingEnrolments>;

export const ApproveEnrolment = z.strictObject({
  code: z.string().regex(/^[0-9]{6}$/),
  name: z.string().trim().min(1).max(40),
  kind: ScreenKind.optional(),
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

export { StaffRole };
