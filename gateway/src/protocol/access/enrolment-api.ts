import * as z from 'zod/mini';
import { DeviceId, DeviceKind } from '../device-id.js';
import { Principal } from './principals.js';

// What an enrolled screen asks the identity routes when it starts (http/identity-routes.ts): who
// it is, and its pairing code until someone approves it. zod/mini (../i18n.ts): the lounge board
// and the kiosk then carry no classic zod. The other identity bodies are in identity-api.ts.

export const WhoAmI = z.object({ principal: Principal, idleTimeoutS: z.optional(z.int().check(z.positive())) });
export type WhoAmI = z.infer<typeof WhoAmI>;

export const EnrolTicket = z.object({
  requestId: z.uuid(),
  code: z.string().check(z.regex(/^[0-9]{6}$/)),
  pollToken: z.string().check(z.minLength(20)),
  expiresAt: z.string(),
});
export type EnrolTicket = z.infer<typeof EnrolTicket>;

export const EnrolledDevice = z.object({
  id: DeviceId,
  kind: DeviceKind,
  name: z.string(),
  station: z.nullable(z.string()),
  createdAt: z.string(),
  lastSeenAt: z.nullable(z.string()),
  revokedAt: z.nullable(z.string()),
});
export type EnrolledDevice = z.infer<typeof EnrolledDevice>;

export const EnrolPollAnswer = z.discriminatedUnion('state', [
  z.object({ state: z.literal('pending'), code: z.string() }),
  z.object({ state: z.literal('approved'), device: EnrolledDevice, token: z.string() }),
  z.object({ state: z.enum(['collected', 'rejected', 'expired']) }),
]);
export type EnrolPollAnswer = z.infer<typeof EnrolPollAnswer>;
