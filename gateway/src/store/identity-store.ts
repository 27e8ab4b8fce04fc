import type { DeviceKind, EnrolledDevice, ScreenKind, StaffRole } from '../protocol/index.js';
import type { Statement } from 'better-sqlite3';
import type { Db } from './database.js';

export interface StaffRow {
  id: string;
  staffNo: string;
  name: string;
  role: StaffRole;
  pinHash: string;
  disabledAt: string | null;
}

export interface SessionRow {
  staff: StaffRow;
  screen: 'desk' | 'bay';
  desk: string | null;
  lastSeenAt: string;
  endedAt: string | null;
}

export interface TokenRow {
  id: string;
  name: string;
  role: StaffRole;
  secretHash: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface DeviceRow extends EnrolledDevice {
  secretHash: string | null;
}

export interface EnrolRow {
  id: string;
  code: string;
  kind: ScreenKind;
  pollHash: string;
  source: string;
  state: 'pending' | 'approved' | 'collected' | 'rejected';
  deviceId: string | null;
  createdAt: string;
  expiresAt: string;
}

const STAFF_COLUMNS = `id, staff_no AS staffNo, name, role, pin_hash AS pinHash, disabled_at AS disabledAt`;
const DEVICE_COLUMNS = `id, kind, name, station, secret_hash AS secretHash, created_at AS createdAt, last_seen_at AS lastSeenAt, revoked_at AS revokedAt`;
const ENROL_COLUMNS = `id, code, kind, poll_hash AS pollHash, source, state, device_id AS deviceId, created_at AS createdAt, expires_at AS expiresAt`;

/** Staff, their sessions and tokens, devices and enrolment requests in SQLite. */
export class IdentityStore {
  /** Prepared once each: sessions and tokens are looked up on every request. */
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  private sql(text: string): Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  // Staff

  addStaff(row: { id: string; staffNo: string; name: string; role: StaffRole; pinHash: string; at: string }): void {
    this.db
      .prepare(`INSERT INTO staff (id, staff_no, name, role, pin_hash, created_at) VALUES (@id, @staffNo, @name, @role, @pinHash, @at)`)
      .run(row);
  }

  staffByNo(staffNo: string): StaffRow | undefined {
    return this.sql(`SELECT ${STAFF_COLUMNS} FROM staff WHERE staff_no = ?`).get(staffNo) as StaffRow | undefined;
  }

  staffById(id: string): StaffRow | undefined {
    return this.sql(`SELECT ${STAFF_COLUMNS} FROM staff WHERE id = ?`).get(id) as StaffRow | undefined;
  }

  listStaff(): StaffRow[] {
    return this.sql(`SELECT ${STAFF_COLUMNS} FROM staff ORDER BY staff_no`).all() as StaffRow[];
  }

  setPin(staffNo: string, pinHash: string): boolean {
    return this.sql(`UPDATE staff SET pin_hash = ? WHERE staff_no = ?`).run(pinHash, staffNo).changes === 1;
  }

  nextStaffNo(): string {
    const row = this.sql(`SELECT MAX(CAST(staff_no AS INTEGER)) AS last FROM staff`).get() as { last: number | null };
    return String(Math.max(1000, row.last ?? 1000) + 1);
  }

  // Sessions

  openSession(row: { idHash: string; staffId: string; screen: string; desk: string | null; source: string; at: string }): void {
    this.db
      .prepare(
        `INSERT INTO staff_session (id_hash, staff_id, screen, desk, source, created_at, last_seen_at) VALUES (@idHash, @staffId, @screen, @desk, @source, @at, @at)`,
      )
      .run(row);
  }

  session(idHash: string): SessionRow | undefined {
    const row = this.db
      .prepare(
        `SELECT s.screen, s.desk, s.last_seen_at AS lastSeenAt, s.ended_at AS endedAt, ${STAFF_COLUMNS.split(', ').map((c) => `t.${c}`).join(', ')}
         FROM staff_session s JOIN staff t ON t.id = s.staff_id WHERE s.id_hash = ?`,
      )
      .get(idHash) as (StaffRow & Omit<SessionRow, 'staff'>) | undefined;
    if (!row) return undefined;
    const { screen, desk, lastSeenAt, endedAt, ...staff } = row;
    return { staff, screen, desk, lastSeenAt, endedAt };
  }

  touchSession(idHash: string, at: string): void {
    this.sql(`UPDATE staff_session SET last_seen_at = ? WHERE id_hash = ?`).run(at, idHash);
  }

  setSessionDesk(idHash: string, desk: string): void {
    this.sql(`UPDATE staff_session SET desk = ? WHERE id_hash = ?`).run(desk, idHash);
  }

  endSession(idHash: string, at: string): void {
    this.sql(`UPDATE staff_session SET ended_at = ? WHERE id_hash = ? AND ended_at IS NULL`).run(at, idHash);
  }

  /** Old sessions are of no use to anyone: forget them after a week. */
  pruneSessions(before: string): void {
    this.sql(`DELETE FROM staff_session WHERE last_seen_at < ?`).run(before);
  }

  // Staff tokens

  addToken(row: { id: string; name: string; role: StaffRole; secretHash: string; at: string }): void {
    this.db
      .prepare(`INSERT INTO staff_token (id, name, role, secret_hash, created_at) VALUES (@id, @name, @role, @secretHash, @at)`)
      .run(row);
  }

  token(id: string): TokenRow | undefined {
    return this.db
      .prepare(
        `SELECT id, name, role, secret_hash AS secretHash, created_at AS createdAt, last_used_at AS lastUsedAt, revoked_at AS revokedAt FROM staff_token WHERE id = ?`,
      )
      .get(id) as TokenRow | undefined;
  }

  listTokens(): Omit<TokenRow, 'secretHash'>[] {
    return this.db
      .prepare(`SELECT id, name, role, created_at AS createdAt, last_used_at AS lastUsedAt, revoked_at AS revokedAt FROM staff_token ORDER BY created_at`)
      .all() as Omit<TokenRow, 'secretHash'>[];
  }

  revokeToken(id: string, at: string): boolean {
    return this.sql(`UPDATE staff_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`).run(at, id).changes === 1;
  }

  touchToken(id: string, at: string): void {
    this.sql(`UPDATE staff_token SET last_used_at = ? WHERE id = ?`).run(at, id);
  }

  // Devices

  /** Creates or replaces a device's credential (a re-provisioned device gets a fresh secret). */
  putDevice(row: { id: string; kind: DeviceKind; name: string; station: string | null; secretHash: string | null; at: string; by: string }): void {
    this.db
      .prepare(
        `INSERT INTO device_credential (id, kind, name, station, secret_hash, created_at, created_by) VALUES (@id, @kind, @name, @station, @secretHash, @at, @by)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name, station = excluded.station, secret_hash = excluded.secret_hash,
           created_at = excluded.created_at, created_by = excluded.created_by, revoked_at = NULL, last_seen_at = NULL`,
      )
      .run(row);
  }

  setDeviceSecret(id: string, secretHash: string): void {
    this.sql(`UPDATE device_credential SET secret_hash = ? WHERE id = ?`).run(secretHash, id);
  }

  device(id: string): DeviceRow | undefined {
    return this.sql(`SELECT ${DEVICE_COLUMNS} FROM device_credential WHERE id = ?`).get(id) as DeviceRow | undefined;
  }

  listDevices(): DeviceRow[] {
    return this.sql(`SELECT ${DEVICE_COLUMNS} FROM device_credential ORDER BY kind, id`).all() as DeviceRow[];
  }

  revokeDevice(id: string, at: string): boolean {
    return this.sql(`UPDATE device_credential SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`).run(at, id).changes === 1;
  }

  touchDevice(id: string, at: string): void {
    this.sql(`UPDATE device_credential SET last_seen_at = ? WHERE id = ?`).run(at, id);
  }

  // Enrolment requests

  addEnrolment(row: Omit<EnrolRow, 'state' | 'deviceId'>): void {
    this.db
      .prepare(
        `INSERT INTO enrol_request (id, code, kind, poll_hash, source, state, created_at, expires_at) VALUES (@id, @code, @kind, @pollHash, @source, 'pending', @createdAt, @expiresAt)`,
      )
      .run(row);
  }

  enrolment(id: string): EnrolRow | undefined {
    return this.sql(`SELECT ${ENROL_COLUMNS} FROM enrol_request WHERE id = ?`).get(id) as EnrolRow | undefined;
  }

  pendingByCode(code: string, now: string): EnrolRow | undefined {
    return this.db
      .prepare(`SELECT ${ENROL_COLUMNS} FROM enrol_request WHERE code = ? AND state = 'pending' AND expires_at > ?`)
      .get(code, now) as EnrolRow | undefined;
  }

  pendingEnrolments(now: string): EnrolRow[] {
    return this.db
      .prepare(`SELECT ${ENROL_COLUMNS} FROM enrol_request WHERE state = 'pending' AND expires_at > ? ORDER BY created_at`)
      .all(now) as EnrolRow[];
  }

  countPending(now: string): number {
    return (this.sql(`SELECT COUNT(*) AS n FROM enrol_request WHERE state = 'pending' AND expires_at > ?`).get(now) as { n: number }).n;
  }

  setEnrolment(id: string, state: EnrolRow['state'], deviceId?: string): void {
    this.sql(`UPDATE enrol_request SET state = ?, device_id = COALESCE(?, device_id) WHERE id = ?`).run(state, deviceId ?? null, id);
  }

  pruneEnrolments(before: string): void {
    this.sql(`DELETE FROM enrol_request WHERE expires_at < ? AND state IN ('pending', 'rejected', 'collected')`).run(before);
  }
}
