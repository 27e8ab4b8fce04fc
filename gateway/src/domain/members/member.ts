import { z } from 'zod';
import { ServiceCode } from '../../protocol/index.js';

// A member as the DMS knows them: the records the DMS sync (and the demo seed) hand to the member
// store. They cross a schema because they come from outside the gateway.

const IsoDate = z.iso.date();
const Timestamp = z.iso.datetime({ offset: true });
/** Member and vehicle numbers fit the card's 32-bit fields. */
export const RecordId = z.number().int().min(1).max(0xffff_ffff);

export const MEMBER_LEVELS = ['standard', 'silver', 'gold', 'platinum'] as const;
export const MemberLevel = z.enum(MEMBER_LEVELS);
export type MemberLevel = z.infer<typeof MemberLevel>;

export const VehicleRecord = z.strictObject({
  id: RecordId,
  plate: z.string().min(2).max(16),
  vin: z.string().regex(/^[A-HJ-NPR-Z0-9]{17}$/, '17 characters, no I, O or Q'),
  model: z.string().min(1).max(80),
  /** Last odometer reading the DMS knows. */
  mileageKm: z.number().int().nonnegative().nullable(),
  maintenanceDueDate: IsoDate.nullable(),
  maintenanceDueKm: z.number().int().nonnegative().nullable(),
  /** 年審: annual inspection. */
  inspectionDue: IsoDate.nullable(),
  insuranceExpiry: IsoDate.nullable(),
  /** Work the advisor should suggest, in the store's language (from the DMS). */
  recommended: z.array(z.string().min(1).max(200)).max(20),
});
export type VehicleRecord = z.infer<typeof VehicleRecord>;

export const APPOINTMENT_STATUSES = ['booked', 'checked-in', 'cancelled'] as const;
export const AppointmentRecord = z.strictObject({
  id: z.string().min(1).max(64),
  vehicleId: RecordId,
  at: Timestamp,
  service: ServiceCode,
  status: z.enum(APPOINTMENT_STATUSES),
  note: z.string().max(200).nullable(),
});
export type AppointmentRecord = z.infer<typeof AppointmentRecord>;

export const MemberRecord = z
  .strictObject({
    id: RecordId,
    name: z.string().min(1).max(80),
    phone: z.string().max(32).nullable(),
    level: MemberLevel,
    points: z.number().int().nonnegative(),
    birthday: IsoDate.nullable(),
    vehicles: z.array(VehicleRecord).max(50),
    appointments: z.array(AppointmentRecord).max(100),
  })
  .superRefine((m, ctx) => {
    const vehicles = new Set(m.vehicles.map((v) => v.id));
    m.appointments.forEach((a, i) => {
      if (!vehicles.has(a.vehicleId)) ctx.addIssue({ code: 'custom', path: ['appointments', i, 'vehicleId'], message: `vehicle ${a.vehicleId} is not the member's` });
    });
  });
export type MemberRecord = z.infer<typeof MemberRecord>;

/** A member card this store has issued (cards issued elsewhere are known by their MAC alone). */
export interface CardRecord {
  uid: string;
  memberId: number;
  vehicleId: number;
  keyId: number;
  issuedAt: string;
  issuedBy: string;
  revokedAt: string | null;
}

/** A ticket taken or served for a member: the visit history the desk shows. */
export interface VisitRecord {
  ticketId: string;
  ticketNumber: string;
  service: string;
  memberId: number;
  vehicleId: number;
  at: string;
  via: 'kiosk' | 'desk';
  desk: string | null;
}

/** One line of a search result at the desk. */
export interface MemberSummary {
  id: number;
  name: string;
  phone: string | null;
  level: MemberLevel;
  plates: string[];
}
