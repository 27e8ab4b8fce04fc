import { z } from 'zod';
import { ServiceCode, TicketNumber } from './queue.js';

// Member cards on the bus. A reader publishes what it read (`device/{reader}/tap`); the gateway
// checks it and answers the kiosk with a greeting that names nobody in full (masked name and
// plate only), and the desk with a session id that its console exchanges for the record over HTTP.

const Timestamp = z.iso.datetime({ offset: true });
const Hex = (min: number, max: number) => z.string().regex(new RegExp(`^([0-9a-f]{2}){${min},${max}}$`), `lower-case hex, ${min}-${max} bytes`);

/**
 * What a reader saw. `ntag`: a memory card (UID and 16 bytes from page 4); `iso14443-4`: a phone
 * or a processor card, which cannot be a member card; `unreadable`: taken away too early or a
 * read error. `at` is the time of the reader's card event.
 */
export const CardTap = z.strictObject({
  kind: z.enum(['ntag', 'iso14443-4', 'unreadable']),
  uid: Hex(4, 10).optional(),
  data: Hex(16, 16).optional(),
  at: Timestamp,
});
export type CardTap = z.infer<typeof CardTap>;

/** The gateway asks a reader to write pages of the card with `uid` (a card issued at the desk). */
export const CardWrite = z.strictObject({
  requestId: z.uuid(),
  uid: Hex(4, 10),
  page: z.number().int().min(4).max(39),
  data: Hex(4, 16).refine((hex) => hex.length % 8 === 0, 'whole 4-byte pages'),
  at: Timestamp,
});
export type CardWrite = z.infer<typeof CardWrite>;

export const CardWriteResult = z.strictObject({
  requestId: z.uuid(),
  ok: z.boolean(),
  /** Why not: `card-gone` (another card or none on the reader), `write-failed`, `verify-failed`. */
  error: z.string().regex(/^[a-z0-9-]{1,40}$/).optional(),
  at: Timestamp,
});
export type CardWriteResult = z.infer<typeof CardWriteResult>;

/** Why a tap greets nobody; screens say it kindly, logs keep it. */
export const TAP_REFUSALS = ['not-member-card', 'unknown-card', 'unreadable', 'not-genuine', 'revoked', 'unknown-member'] as const;
export const TapRefusal = z.enum(TAP_REFUSALS);
export type TapRefusal = z.infer<typeof TapRefusal>;

export const REMINDER_KINDS = ['maintenance', 'inspection', 'insurance'] as const;

export const KioskReminder = z.strictObject({
  kind: z.enum(REMINDER_KINDS),
  dueDate: z.iso.date().nullable(),
  dueKm: z.number().int().nonnegative().nullable(),
  overdue: z.boolean(),
});
export type KioskReminder = z.infer<typeof KioskReminder>;

export const KioskGreeting = z.strictObject({
  result: z.literal('greeting'),
  /** The kiosk's key to take a ticket or check in for this customer (HTTP). */
  sessionId: z.uuid(),
  member: z.strictObject({
    /** 王*明: never the full name. */
    maskedName: z.string().min(1).max(40),
    level: z.enum(['standard', 'silver', 'gold', 'platinum']),
    points: z.number().int().nonnegative(),
    birthdayToday: z.boolean(),
  }),
  vehicle: z.strictObject({ maskedPlate: z.string().min(1).max(20), model: z.string().min(1).max(80) }),
  reminders: z.array(KioskReminder).max(3),
  /** Today's appointment of this vehicle, if any. */
  appointment: z.strictObject({ at: Timestamp, service: ServiceCode, checkedIn: z.boolean() }).optional(),
  tapAt: Timestamp,
  at: Timestamp,
});
export type KioskGreeting = z.infer<typeof KioskGreeting>;

export const KioskRefusal = z.strictObject({ result: TapRefusal, tapAt: Timestamp, at: Timestamp });
export type KioskRefusal = z.infer<typeof KioskRefusal>;

/** Not retained: one per tap on the kiosk's reader; a new one replaces the kiosk's session. */
export const KioskSession = z.union([KioskGreeting, KioskRefusal]);
export type KioskSession = z.infer<typeof KioskSession>;

/** `staff-card-…`: a staff card issued by a manager at this desk's reader (README "Staff cards"), or why not. */
export const DESK_TAP_RESULTS = ['member', 'card-issued', 'card-issue-failed', 'staff-card-issued', 'staff-card-issue-failed', ...TAP_REFUSALS] as const;

/** Not retained: a tap on the desk's reader. The record itself comes from GET /api/members/sessions/{sessionId}. */
export const DeskSession = z.strictObject({
  result: z.enum(DESK_TAP_RESULTS),
  sessionId: z.uuid().optional(),
  /** The ticket at the desk the member was linked to. */
  linkedTicket: z.optional(TicketNumber),
  /** For card-issue-failed: why. */
  reason: z.string().regex(/^[a-z0-9-]{1,40}$/).optional(),
  tapAt: Timestamp,
  at: Timestamp,
});
export type DeskSession = z.infer<typeof DeskSession>;

// HTTP answers of the member API (staff screens only: they carry full names and plates).

const MemberLevelName = z.enum(['standard', 'silver', 'gold', 'platinum']);
const IsoDate = z.iso.date();

export const MemberFileVehicle = z.object({
  id: z.number().int(),
  plate: z.string(),
  vin: z.string(),
  model: z.string(),
  mileageKm: z.number().int().nullable(),
  maintenanceDueDate: IsoDate.nullable(),
  maintenanceDueKm: z.number().int().nullable(),
  inspectionDue: IsoDate.nullable(),
  insuranceExpiry: IsoDate.nullable(),
  recommended: z.array(z.string()),
  reminders: z.array(KioskReminder),
  /** The vehicle's current card issued at this store, if any. */
  card: z.object({ uid: z.string(), keyId: z.number().int(), issuedAt: Timestamp }).nullable(),
});
export type MemberFileVehicle = z.infer<typeof MemberFileVehicle>;

/** An opaque member reference for URLs (the id encrypted under a store key; not enumerable). */
export const OpaqueMemberRef = z.string().regex(/^[A-Za-z0-9_-]{22}$/);

/**
 * `GET /api/members/{ref}` and `GET /api/members/sessions/{sessionId}`: a member's file for the
 * desk. The mobile number is masked; `POST /api/members/{ref}/reveal-phone` shows it (audited).
 */
export const MemberFile = z.object({
  member: z.object({
    ref: OpaqueMemberRef,
    name: z.string(),
    phone: z.string().nullable(),
    level: MemberLevelName,
    points: z.number().int(),
    birthday: IsoDate.nullable(),
    birthdayToday: z.boolean(),
  }),
  vehicles: z.array(MemberFileVehicle),
  appointments: z.array(
    z.object({ id: z.string(), vehicleId: z.number().int(), at: Timestamp, service: ServiceCode, status: z.enum(['booked', 'checked-in', 'cancelled']), note: z.string().nullable() }),
  ),
  visits: z.array(z.object({ ticketNumber: z.string(), service: z.string(), at: Timestamp, via: z.enum(['kiosk', 'desk']), desk: z.string().nullable() })),
  /** The vehicle whose card was tapped (sessions only). */
  tappedVehicleId: z.number().int().nullable(),
  /** The desk's ticket the tap was linked to (sessions only). */
  linkedTicket: z.nullable(TicketNumber),
});
export type MemberFile = z.infer<typeof MemberFile>;

export const MemberSearchAnswer = z.object({
  members: z.array(z.object({ ref: OpaqueMemberRef, name: z.string(), phone: z.string().nullable(), level: MemberLevelName, plates: z.array(z.string()) })),
});
export type MemberSearchAnswer = z.infer<typeof MemberSearchAnswer>;

export const RevealedPhone = z.object({ phone: z.string().nullable() });

/** `POST /api/members/commands`: what the desk asks of member cards. */
export const MemberCommand = z.discriminatedUnion('action', [
  /** Arms the desk's reader: the next card tapped there is written for this vehicle. */
  z.strictObject({ action: z.literal('card:issue'), desk: z.string().min(1).max(32), vehicleId: z.number().int().min(1).max(0xffff_ffff) }),
  z.strictObject({ action: z.literal('card:cancel'), desk: z.string().min(1).max(32) }),
]);
export type MemberCommand = z.infer<typeof MemberCommand>;

/** `POST /api/members/sessions/{sessionId}/ticket`: a walk-in ticket for the greeted member. */
export const SessionTicketRequest = z.strictObject({ service: ServiceCode });

/** Demo mode only: `POST /api/members/demo-tap` stands for a card on a reader. */
export const DemoTapRequest = z.strictObject({
  role: z.enum(['kiosk', 'desk']),
  station: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/),
  card: z.enum(['member', 'phone', 'unknown', 'clone']).default('member'),
});
