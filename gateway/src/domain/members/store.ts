import type { AppointmentRecord, CardRecord, MemberRecord, MemberSummary, VehicleRecord, VisitRecord } from './member.js';

/**
 * Where members live in the store. The DMS sync fills it through `upsertMembers` (the demo seed
 * and the benchmark use the same call); everything else reads it or records what happened here.
 */
export interface MemberStore {
  /** Inserts or replaces whole members with their vehicles and appointments, atomically. */
  upsertMembers(records: readonly MemberRecord[]): void;
  member(id: number): MemberRecord | undefined;
  /** A vehicle with its owner. */
  byVehicle(vehicleId: number): { member: MemberRecord; vehicle: VehicleRecord } | undefined;
  /** Members whose plate, phone or name contains `query`, best matches first. */
  search(query: string, limit: number): MemberSummary[];
  count(): number;
  /** Marks a booked appointment as checked in; undefined when it is not booked (any more). */
  /** Marks a booked appointment checked in with the ticket (`2026-12-01/A023`) it got at `at`. */
  checkIn(appointmentId: string, ticket: string, at: string): AppointmentRecord | undefined;
  card(uid: string): CardRecord | undefined;
  cardsOfMember(memberId: number): CardRecord[];
  /** Records a newly written card and revokes the vehicle's earlier cards (一車一卡), atomically. */
  recordCard(card: CardRecord): void;
  recordVisit(visit: VisitRecord): void;
  /** The member's latest visits, newest first. */
  visits(memberId: number, limit: number): VisitRecord[];
}
