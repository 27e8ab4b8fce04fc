import type { StaffCardRow } from '../domain/identity/index.js';
import type { StaffCardInfo } from '../protocol/index.js';
import type { Db } from './database.js';

const CARD_COLUMNS = `c.serial, c.uid, c.version, c.staff_id AS staffId, c.issued_at AS issuedAt, c.revoked_at AS revokedAt, c.revoked_why AS revokedWhy`;

/** Staff cards in SQLite (table staff_card, migration 11): what makes a tapped card good or not. */
export class StaffCardStore {
  constructor(private readonly db: Db) {}

  /** A row for a card about to be written: its serial and the staff member's next version. */
  reserve(row: { uid: string; staffId: string; keyId: number; at: string; by: string }): { serial: number; version: number } {
    return this.db.transaction(() => {
      const { next } = this.db.prepare(`SELECT COALESCE(MAX(version), 0) + 1 AS next FROM staff_card WHERE staff_id = ?`).get(row.staffId) as { next: number };
      const result = this.db
        .prepare(`INSERT INTO staff_card (uid, staff_id, version, key_id, requested_at, issued_by) VALUES (@uid, @staffId, @version, @keyId, @at, @by)`)
        .run({ ...row, version: next });
      return { serial: Number(result.lastInsertRowid), version: next };
    })();
  }

  /** The card is on the chip: it is good from now on, and the staff member's older cards are not. */
  confirm(serial: number, at: string): void {
    const row = this.db.prepare(`SELECT staff_id AS staffId FROM staff_card WHERE serial = ?`).get(serial) as { staffId: string } | undefined;
    if (!row) return;
    this.db.prepare(`UPDATE staff_card SET issued_at = ? WHERE serial = ?`).run(at, serial);
    this.db
      .prepare(`UPDATE staff_card SET revoked_at = ?, revoked_by = 'gateway', revoked_why = 'superseded' WHERE staff_id = ? AND serial <> ? AND revoked_at IS NULL`)
      .run(at, row.staffId, serial);
  }

  /** A write that did not happen leaves no row behind. */
  drop(serial: number): void {
    this.db.prepare(`DELETE FROM staff_card WHERE serial = ? AND issued_at IS NULL`).run(serial);
  }

  card(serial: number): StaffCardRow | undefined {
    const row = this.db
      .prepare(`SELECT ${CARD_COLUMNS}, s.disabled_at IS NOT NULL AS staffDisabled FROM staff_card c JOIN staff s ON s.id = c.staff_id WHERE c.serial = ?`)
      .get(serial) as (Omit<StaffCardRow, 'staffDisabled'> & { staffDisabled: number }) | undefined;
    return row ? { ...row, staffDisabled: row.staffDisabled === 1 } : undefined;
  }

  /** Revokes every card of the staff member that still works; how many there were. */
  revokeAll(staffId: string, at: string, by: string): number {
    return this.db
      .prepare(`UPDATE staff_card SET revoked_at = ?, revoked_by = ?, revoked_why = 'revoked' WHERE staff_id = ? AND revoked_at IS NULL AND issued_at IS NOT NULL`)
      .run(at, by, staffId).changes;
  }

  /** The card that works for each staff member who has one. */
  activeCards(): Map<string, StaffCardInfo> {
    const rows = this.db
      .prepare(
        `SELECT staff_id AS staffId, serial, version, uid, issued_at AS issuedAt, issued_by AS issuedBy FROM staff_card WHERE issued_at IS NOT NULL AND revoked_at IS NULL`,
      )
      .all() as (StaffCardInfo & { staffId: string })[];
    return new Map(rows.map(({ staffId, ...card }) => [staffId, card]));
  }
}
