import * as z from 'zod/mini';
import type { DeviceKind } from '../device-id.js';
import { DevicePrincipal } from './device-principal.js';

// Who is asking, as schemas (principal.ts has the rules over them). zod/mini, as everything a
// screen on weak hardware parses (../i18n.ts): a screen reads its principal back from the gateway
// (`WhoAmI`) and then carries no classic zod. Same parse API (`safeParse`).

export const STAFF_ROLES = ['receptionist', 'advisor', 'technician', 'workshop-controller', 'manager', 'installer'] as const;
export const StaffRole = z.enum(STAFF_ROLES);
export type StaffRole = z.infer<typeof StaffRole>;

/** Screens are browsers enrolled by a pairing code; the other kinds get credentials from the installer. */
export const SCREEN_KINDS = ['kiosk', 'board', 'bay', 'desk'] as const satisfies readonly DeviceKind[];
export const ScreenKind = z.enum(SCREEN_KINDS);
export type ScreenKind = z.infer<typeof ScreenKind>;

export const StaffPrincipal = z.object({
  kind: z.literal('staff'),
  staffId: z.string(),
  staffNo: z.string(),
  name: z.string(),
  role: StaffRole,
  /** The desk the staff member works at in this session (desk console). */
  desk: z.optional(z.string()),
  via: z.enum(['session', 'token']),
});
export type StaffPrincipal = z.infer<typeof StaffPrincipal>;

export const Principal = z.discriminatedUnion('kind', [
  StaffPrincipal,
  DevicePrincipal,
  z.object({ kind: z.literal('gateway') }),
  z.object({ kind: z.literal('public') }),
]);
export type Principal = z.infer<typeof Principal>;
