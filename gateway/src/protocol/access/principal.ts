import type { DeviceKind } from '../device-id.js';
import { STAFF_ROLES, type Principal, type StaffRole } from './principals.js';

// The device principal is its own module: every screen's credentials keep one, also the phone's.
// The principals' schemas are too (principals.ts: zod/mini, a screen parses its own).
export { DevicePrincipal } from './device-principal.js';
export { Principal, SCREEN_KINDS, STAFF_ROLES, ScreenKind, StaffPrincipal, StaffRole } from './principals.js';

// Who is asking: one identity model for HTTP and the broker alike. Every request and every MQTT
// connection resolves to exactly one principal; the rule tables (http-rules.ts, topic-rules.ts)
// say what each may do, and anything they do not name is refused.

export const PUBLIC: Principal = { kind: 'public' };
export const GATEWAY: Principal = { kind: 'gateway' };

/**
 * Who a rule names: `public` (anyone, signed in or not), a device kind, or a staff role.
 * `gateway` rules are implicit: the gateway itself publishes and reads everything.
 */
export type Audience = 'public' | DeviceKind | StaffRole;

/** The audiences a principal belongs to. */
export function audiencesOf(principal: Principal): Audience[] {
  switch (principal.kind) {
    case 'staff':
      return ['public', principal.role];
    case 'device':
      return ['public', principal.deviceKind];
    case 'public':
      return ['public'];
    case 'gateway':
      return [];
  }
}

/** Whether a rule's list of audiences names this principal. */
export function isNamed(principal: Principal, who: readonly Audience[] | undefined): boolean {
  const audiences = audiencesOf(principal);
  return who?.some((a) => audiences.includes(a)) ?? false;
}

/** Where a principal stands: a screen's station (its id when it has none), a staff member's desk. */
export function ownStation(principal: Principal): string | undefined {
  if (principal.kind === 'device') return principal.station ?? principal.id;
  if (principal.kind === 'staff') return principal.desk;
  return undefined;
}

/**
 * What a principal may put in a placeholder of an `own` topic: its device id in `{device}` (so a
 * device speaks only for itself), its station in `{kiosk}` and `{desk}`.
 */
export function ownValue(principal: Principal, placeholder: string): string | undefined {
  if (placeholder === '{device}') return principal.kind === 'device' ? principal.id : undefined;
  return ownStation(principal);
}

/** Names the author of a command as it is written into history, audit rows and the outbox. */
export function authorOf(principal: Principal): string {
  switch (principal.kind) {
    case 'staff':
      return `staff:${principal.staffNo}`;
    case 'device':
      return `${principal.deviceKind}:${principal.id}`;
    case 'gateway':
      return 'gateway';
    case 'public':
      return 'public';
  }
}

/** Staff groups the rule tables use over and over. */
export const ROLES = {
  anyStaff: [...STAFF_ROLES],
  front: ['receptionist', 'advisor', 'manager'],
  workshop: ['advisor', 'technician', 'workshop-controller', 'manager'],
  admins: ['installer', 'manager'],
  managers: ['manager'],
} as const satisfies Record<string, readonly StaffRole[]>;
