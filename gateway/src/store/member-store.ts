import {
  MemberRecord,
  type AppointmentRecord,
  type CardRecord,
  type MemberStore,
  type MemberSummary,
  type VehicleRecord,
  type VisitRecord,
} from '../domain/members/index.js';
import type { Db } from './database.js';
import { Outbox } from './outbox.js';
import { checkInEntry } from '../relay/outbound-events.js';

const VEHICLE_COLUMNS = `id, plate, vin, model, mileage_km AS mileageKm, maintenance_due_date AS maintenanceDueDate,
  maintenance_due_km AS maintenanceDueKm, inspection_due AS inspectionDue, insurance_expiry AS insuranceExpiry, recommended`;
const CARD_COLUMNS = `uid, member_id AS memberId, vehicle_id AS vehicleId, key_id AS keyId, issued_at AS issuedAt,
  issued_by AS issuedBy, revoked_at AS revokedAt`;
const VISIT_COLUMNS = `ticket_id AS ticketId, ticket_number AS ticketNumber, service, member_id AS memberId,
  vehicle_id AS vehicleId, at, via, desk`;

type MemberRow = Omit<MemberRecord, 'vehicles' | 'appointments'>;
type VehicleRow = Omit<VehicleRecord, 'recommended'> & { recommended: string };

/** Members in the store's SQLite database (tables of migration 5). */
export class SqliteMemberStore implements MemberStore {
  private readonly stmt;
  private readonly upsertAll: (records: readonly MemberRecord[]) => void;
  private readonly recordCardTx: (card: CardRecord) => void;
  private readonly checkInTx: (appointmentId: string, ticket: string, at: string) => AppointmentRecord | undefined;

  constructor(
    db: Db,
    outbox = new Outbox(db),
  ) {
    this.stmt = {
      member: db.prepare('SELECT id, name, phone, level, points, birthday FROM member WHERE id = ?'),
      vehicles: db.prepare(`SELECT ${VEHICLE_COLUMNS} FROM vehicle WHERE member_id = ? ORDER BY id`),
      appointments: db.prepare(
        `SELECT id, vehicle_id AS vehicleId, at, service, status, note FROM appointment WHERE member_id = ? ORDER BY at`,
      ),
      ownerOf: db.prepare('SELECT member_id FROM vehicle WHERE id = ?').pluck(),
      deleteVehicles: db.prepare('DELETE FROM vehicle WHERE member_id = ?'),
      deleteAppointments: db.prepare('DELETE FROM appointment WHERE member_id = ?'),
      checkedIn: db.prepare("SELECT id FROM appointment WHERE member_id = ? AND status = 'checked-in'").pluck(),
      upsertMember: db.prepare(
        `INSERT INTO member (id, name, phone, level, points, birthday) VALUES (@id, @name, @phone, @level, @points, @birthday)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, phone = excluded.phone, level = excluded.level,
           points = excluded.points, birthday = excluded.birthday`,
      ),
      insertVehicle: db.prepare(
        `INSERT OR REPLACE INTO vehicle (id, member_id, plate, vin, model, mileage_km, maintenance_due_date, maintenance_due_km,
           inspection_due, insurance_expiry, recommended)
         VALUES (@id, @memberId, @plate, @vin, @model, @mileageKm, @maintenanceDueDate, @maintenanceDueKm,
           @inspectionDue, @insuranceExpiry, @recommended)`,
      ),
      insertAppointment: db.prepare(
        `INSERT OR REPLACE INTO appointment (id, member_id, vehicle_id, at, service, status, note)
         VALUES (@id, @memberId, @vehicleId, @at, @service, @status, @note)`,
      ),
      search: db.prepare(
        `SELECT m.id, m.name, m.phone, m.level, json_group_array(v.plate) AS plates,
           MAX(CASE WHEN v.plate = @q OR m.phone = @q THEN 2 WHEN m.name = @q THEN 1 ELSE 0 END) AS exact
         FROM member m LEFT JOIN vehicle v ON v.member_id = m.id
         WHERE m.id IN (
           SELECT member_id FROM vehicle WHERE plate LIKE @like ESCAPE '\\'
           UNION SELECT id FROM member WHERE phone LIKE @like ESCAPE '\\' OR name LIKE @like ESCAPE '\\'
         )
         GROUP BY m.id ORDER BY exact DESC, m.id LIMIT @limit`,
      ),
      count: db.prepare('SELECT COUNT(*) FROM member').pluck(),
      checkIn: db.prepare(
        `UPDATE appointment SET status = 'checked-in' WHERE id = ? AND status = 'booked'
         RETURNING id, vehicle_id AS vehicleId, at, service, status, note`,
      ),
      card: db.prepare(`SELECT ${CARD_COLUMNS} FROM member_card WHERE uid = ?`),
      cardsOfMember: db.prepare(`SELECT ${CARD_COLUMNS} FROM member_card WHERE member_id = ? ORDER BY issued_at DESC`),
      revokeCards: db.prepare('UPDATE member_card SET revoked_at = ? WHERE vehicle_id = ? AND uid <> ? AND revoked_at IS NULL'),
      upsertCard: db.prepare(
        `INSERT INTO member_card (uid, member_id, vehicle_id, key_id, issued_at, issued_by, revoked_at)
         VALUES (@uid, @memberId, @vehicleId, @keyId, @issuedAt, @issuedBy, @revokedAt)
         ON CONFLICT (uid) DO UPDATE SET member_id = excluded.member_id, vehicle_id = excluded.vehicle_id,
           key_id = excluded.key_id, issued_at = excluded.issued_at, issued_by = excluded.issued_by, revoked_at = excluded.revoked_at`,
      ),
      recordVisit: db.prepare(
        `INSERT OR IGNORE INTO member_visit (ticket_id, ticket_number, service, member_id, vehicle_id, at, via, desk)
         VALUES (@ticketId, @ticketNumber, @service, @memberId, @vehicleId, @at, @via, @desk)`,
      ),
      visits: db.prepare(`SELECT ${VISIT_COLUMNS} FROM member_visit WHERE member_id = ? ORDER BY at DESC LIMIT ?`),
    };
    const s = this.stmt;
    this.upsertAll = db.transaction((records: readonly MemberRecord[]) => {
      for (const record of records) {
        const { vehicles, appointments, ...member } = record;
        s.upsertMember.run(member);
        // The DMS owns the member, vehicles and bookings; the store owns check-in (it happened here).
        const checkedIn = new Set(s.checkedIn.all(member.id) as string[]);
        // The DMS record is the whole truth about the member: drop what it no longer lists.
        s.deleteVehicles.run(member.id);
        s.deleteAppointments.run(member.id);
        for (const v of vehicles) s.insertVehicle.run({ ...v, memberId: member.id, recommended: JSON.stringify(v.recommended) });
        for (const a of appointments) s.insertAppointment.run({ ...a, status: a.status === 'booked' && checkedIn.has(a.id) ? 'checked-in' : a.status, memberId: member.id });
      }
    });
    this.checkInTx = db.transaction((appointmentId: string, ticket: string, at: string) => {
      const appointment = s.checkIn.get(appointmentId) as AppointmentRecord | undefined;
      const memberId = appointment && (s.ownerOf.get(appointment.vehicleId) as number | undefined);
      if (appointment && memberId !== undefined) outbox.append(checkInEntry(at, { appointmentId, customerId: memberId, vehicleId: appointment.vehicleId, ticket }));
      return appointment;
    });
    this.recordCardTx = db.transaction((card: CardRecord) => {
      s.revokeCards.run(card.issuedAt, card.vehicleId, card.uid);
      s.upsertCard.run(card);
    });
  }

  upsertMembers(records: readonly MemberRecord[]): void {
    // Validated here, at the boundary the DMS sync crosses: a bad record changes nothing.
    const parsed = records.map((r) => MemberRecord.parse(r));
    this.upsertAll(parsed);
  }

  member(id: number): MemberRecord | undefined {
    const row = this.stmt.member.get(id) as MemberRow | undefined;
    if (!row) return undefined;
    const vehicles = (this.stmt.vehicles.all(id) as VehicleRow[]).map((v) => ({ ...v, recommended: JSON.parse(v.recommended) as string[] }));
    const appointments = this.stmt.appointments.all(id) as AppointmentRecord[];
    return { ...row, vehicles, appointments };
  }

  byVehicle(vehicleId: number): { member: MemberRecord; vehicle: VehicleRecord } | undefined {
    const memberId = this.stmt.ownerOf.get(vehicleId) as number | undefined;
    const member = memberId === undefined ? undefined : this.member(memberId);
    const vehicle = member?.vehicles.find((v) => v.id === vehicleId);
    return member && vehicle ? { member, vehicle } : undefined;
  }

  search(query: string, limit: number): MemberSummary[] {
    const q = query.trim();
    if (q.length === 0) return [];
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = this.stmt.search.all({ q, like, limit }) as (Omit<MemberSummary, 'plates'> & { plates: string })[];
    return rows.map(({ id, name, phone, level, plates }) => ({
      id,
      name,
      phone,
      level,
      plates: (JSON.parse(plates) as (string | null)[]).filter((p): p is string => p !== null),
    }));
  }

  count(): number {
    return this.stmt.count.get() as number;
  }

  /** Marks the appointment checked in with the ticket it got, and tells head office, in one transaction. */
  checkIn(appointmentId: string, ticket: string, at: string): AppointmentRecord | undefined {
    return this.checkInTx(appointmentId, ticket, at);
  }

  card(uid: string): CardRecord | undefined {
    return this.stmt.card.get(uid) as CardRecord | undefined;
  }

  cardsOfMember(memberId: number): CardRecord[] {
    return this.stmt.cardsOfMember.all(memberId) as CardRecord[];
  }

  recordCard(card: CardRecord): void {
    this.recordCardTx(card);
  }

  recordVisit(visit: VisitRecord): void {
    this.stmt.recordVisit.run(visit);
  }

  visits(memberId: number, limit: number): VisitRecord[] {
    return this.stmt.visits.all(memberId, limit) as VisitRecord[];
  }
}
